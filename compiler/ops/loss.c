/* Losses: NegativeLogLikelihoodLoss (rt_nllloss_T_I) and
 * SoftmaxCrossEntropyLoss (rt_sceloss_T_I), T the input's element type
 * (f32, f64), I the target's (i32, i64). */
#include <string.h>

#include "ops.h"

static const char *const reductions[] = {"none", "sum", "mean"};

/* The input [N, C, d1..dk] (k >= 0), the target [N, d1..dk] (int32 or
 * int64) and the optional weight [C], all of the same float type; the loss
 * is the target's shape with reduction none, else a scalar. SCE's optional
 * second output, log_prob, has the scores' shape. */
static status loss_infer(op_ctx *c) {
  const ir_tensor *x, *t, *w = NULL;
  int red, i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  t = &op_in(c, 1)->t;
  if (op_in(c, 2)) w = &op_in(c, 2)->t;
  if ((s = op_attr_enum(c, "reduction", "mean", reductions, 3, &red)) != ST_OK) return s;
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float, double)",
                           dtype_name(x->dtype));
  if (t->dtype != DT_INT32 && t->dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "the target's element type is %s, not int32 or int64",
                           dtype_name(t->dtype));
  if (x->rank < 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "the input has rank %d; it must be [N, C, ...]", x->rank);
  if (t->rank != x->rank - 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "the target has rank %d; the input's rank %d needs %d", t->rank,
                           x->rank, x->rank - 1);
  for (i = 0; i < t->rank; i++) {
    const int64_t want = x->dims[i == 0 ? 0 : i + 1];
    if (t->dims[i] != want)
      return diag_node_error(ST_BAD_MODEL, c->n, "target dim %d is %lld; the input's shape needs %lld", i,
                             (long long)t->dims[i], (long long)want);
  }
  if (w) {
    if (w->dtype != x->dtype)
      return diag_node_error(ST_BAD_MODEL, c->n, "the weight is %s, the input %s", dtype_name(w->dtype),
                             dtype_name(x->dtype));
    if (w->rank != 1 || w->dims[0] != x->dims[1])
      return diag_node_error(ST_BAD_MODEL, c->n, "the weight must be [C] with C = %lld",
                             (long long)x->dims[1]);
  }
  if (red == 0)
    op_set_output(c, 0, x->dtype, t->rank, t->dims);
  else
    op_set_output(c, 0, x->dtype, 0, NULL);
  if (op_out(c, 1)) {
    if (c->n->op != OP_SoftmaxCrossEntropyLoss)
      return diag_node_error(ST_BAD_MODEL, c->n, "%s has one output", c->n->op_type);
    op_same_as_input(c, 1, 0);
  }
  return ST_OK;
}

static status loss_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *t = &op_in(c, 1)->t;
  rt_loss_params *p;
  int red, i;
  status s;
  if ((s = op_attr_enum(c, "reduction", "mean", reductions, 3, &red)) != ST_OK) return s;
  p = op_lower_as(c, l, PD_rt_loss_params, "rt_%s_%s_%s", c->n->op == OP_SoftmaxCrossEntropyLoss ? "sceloss" : "nllloss",
                  op_dtype_suffix(x->dtype), op_dtype_suffix(t->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->n = x->dims[0];
  p->c = x->dims[1];
  p->d = 1;
  for (i = 2; i < x->rank; i++) p->d *= x->dims[i];
  p->has_ignore = ir_attr_find(c->n, "ignore_index") != NULL;
  p->ignore_index = attr_int(c->n, "ignore_index", 0);
  p->reduction = red == 0 ? RT_LOSS_NONE : red == 1 ? RT_LOSS_SUM : RT_LOSS_MEAN;
  return ST_OK;
}

const op_family op_family_loss = {loss_infer, loss_lower, 0, 0};
