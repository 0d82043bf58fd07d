/* Optimizer steps of ai.onnx.preview.training: Adagrad, Adam, Momentum
 * (kernels/training.h, rt_<op>_<type>). A node updates n tensors: after R
 * and T its inputs are groups of n tensors (X, G, then the accumulators),
 * and so are its outputs (groups() counts them); one kernel call walks
 * them all.
 *
 * The spec lets X, G and the accumulators broadcast against each other;
 * onnxcc takes them of one type and shape (what a training graph has), and
 * refuses anything else at compile time. R and X share one element type
 * too, so that a variant reads R without a switch on its type. Shapes may
 * vary at run time: each tensor's element count is bound to the params. */
#include "ops.h"

/* Momentum's modes, in the order of its kernels' names below. */
static const char *const momentum_modes[] = {"standard", "nesterov"};

/* The op part of the kernel name; NULL after an error (a mode that is
 * neither). */
static const char *kernel_op(const op_ctx *c) {
  int mode;
  if (c->n->op == OP_training_Adagrad) return "adagrad";
  if (c->n->op == OP_training_Adam) return "adam";
  if (op_attr_enum(c, "mode", "standard", momentum_modes, 2, &mode)) return NULL;
  return mode ? "nesterov" : "momentum";
}

/* Groups of n tensors after R and T, and among the outputs. */
static void groups(int op, int *in, int *out) {
  *in = op == OP_training_Adam ? 4 : 3;
  *out = op == OP_training_Adam ? 3 : 2;
}

/* Input i (R or T) must hold exactly one value. */
static status check_scalar(const op_ctx *c, int i, const char *what) {
  const ir_tensor *t = &op_in(c, i)->t;
  if (tensor_is_symbolic(t) || tensor_numel(t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must hold exactly one value", what);
  return ST_OK;
}

/* *n gets the number of tensors the node updates. */
static status tensor_count(const op_ctx *c, int *n) {
  int gin, gout;
  groups(c->n->op, &gin, &gout);
  *n = (c->n->n_in - 2) / gin;
  if (*n < 1 || c->n->n_in != 2 + gin * *n || c->n->n_out != gout * *n)
    return diag_node_error(ST_BAD_MODEL, c->n, "needs R, T and %d groups of the same number of tensors, and %d "
                           "groups of outputs; it has %d inputs and %d outputs", gin, gout, c->n->n_in, c->n->n_out);
  if (*n > RT_TRAINING_MAX)
    return diag_node_error(ST_UNSUPPORTED, c->n, "updates %d tensors; onnxcc takes at most %d per node", *n,
                           RT_TRAINING_MAX);
  return ST_OK;
}

static status training_infer(op_ctx *c) {
  const ir_tensor *r;
  int gin, gout, n, k, j;
  status s;
  if ((s = tensor_count(c, &n)) != ST_OK) return s;
  if (!kernel_op(c)) return ST_BAD_MODEL;
  groups(c->n->op, &gin, &gout);
  for (k = 0; k < c->n->n_in; k++) OP_REQUIRE_INPUT(c, k);
  r = &op_in(c, 0)->t;
  if ((s = check_scalar(c, 0, "R")) != ST_OK || (s = check_scalar(c, 1, "T")) != ST_OK) return s;
  if (op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "T must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
  if (r->dtype != DT_FLOAT && r->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float or double)",
                           dtype_name(r->dtype));
  for (k = 0; k < n; k++) {
    const ir_tensor *x = &op_in(c, 2 + k)->t;
    if (x->dtype != r->dtype)
      return diag_node_error(ST_UNSUPPORTED, c->n, "tensor %d is %s but R is %s; onnxcc takes one element type",
                             k, dtype_name(x->dtype), dtype_name(r->dtype));
    for (j = 1; j < gin; j++)
      if (!op_same_type_and_shape(&op_in(c, 2 + j * n + k)->t, x))
        return diag_node_error(ST_UNSUPPORTED, c->n, "input %d differs from X (input %d) in type or shape; "
                               "broadcasting them is not supported", 2 + j * n + k, 2 + k);
    for (j = 0; j < gout; j++) op_same_as_input(c, j * n + k, 2 + k);
  }
  return ST_OK;
}

static status training_lower(op_ctx *c, lowered *l) {
  const ir_node *nd = c->n;
  const char *op = kernel_op(c);
  rt_training_params *p;
  int n, k;
  status s = tensor_count(c, &n);
  if (s) return s;
  if (!op) return ST_BAD_MODEL;
  p = op_lower_as(c, l, PD_rt_training_params, "rt_%s_%s", op, op_dtype_suffix(op_in(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->n = n;
  /* the schemas' defaults; Momentum's attributes are all required */
  p->norm_coefficient = attr_float(nd, "norm_coefficient", 0.0f);
  p->norm_coefficient_post = attr_float(nd, "norm_coefficient_post", 0.0f);
  p->epsilon = attr_float(nd, "epsilon", 1e-6f);
  p->decay_factor = attr_float(nd, "decay_factor", 0.0f);
  p->alpha = attr_float(nd, "alpha", 0.9f);
  p->beta = attr_float(nd, "beta", 0.999f);
  for (k = 0; k < n; k++) {
    const ir_tensor *x = &op_in(c, 2 + k)->t;
    op_bind_product(c, l, &p->counts[k], x, 0, x->rank);
  }
  return ST_OK;
}

const op_family op_family_training = {training_infer, training_lower, 1, 0};
