/* Normalisation and softmax: BatchNormalization (inference), Softmax,
 * LogSoftmax, Hardmax, InstanceNormalization, LayerNormalization, LRN,
 * MeanVarianceNormalization, RMSNormalization, LpNormalization,
 * GroupNormalization. */
#include <stdio.h>
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"


/* Lowers to rt_<op>_<dtype>, or rt_<op>_<dtype>_<second dtype> when
 * `second` (the parameters' or statistics' type) differs from `dt`; NULL
 * after reporting a variant the runtime lacks. */
static void *lower_variant(const op_ctx *c, lowered *l, const char *op, int dt, int second) {
  char name[64];
  if (second == dt)
    snprintf(name, sizeof name, "rt_%s_%s", op, op_dtype_suffix(dt));
  else
    snprintf(name, sizeof name, "rt_%s_%s_%s", op, op_dtype_suffix(dt), op_dtype_suffix(second));
  return op_lower_named(c, l, name);
}

static status check_float(const op_ctx *c, int dt, const char *what) {
  if (dt == DT_FLOAT || dt == DT_DOUBLE) return ST_OK;
  return diag_node_error(ST_UNSUPPORTED, c->n, "%s has element type %s; float and double are supported",
                         what, dtype_name(dt));
}

/* Input i must be present, of dtype dt, with `count` (an expression, x's
 * channel dim) elements. Where either is symbolic the run checks that
 * they are equal: a constant scale fixes the channels. */
static status check_param(const op_ctx *c, int i, const char *what, int dt, int count) {
  const ir_value *v = op_in(c, i);
  int64_t want;
  if (!v) return diag_node_error(ST_BAD_MODEL, c->n, "input %d (%s) is required", i, what);
  if (v->t.dtype != dt)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s has element type %s, expected %s", what,
                           dtype_name(v->t.dtype), dtype_name(dt));
  if (tensor_is_symbolic(&v->t) || !dx_const_value(op_dx(c), count, &want))
    return op_check_equal(c, ir_dims_product(c->g, &v->t, 0, v->t.rank), count, what);
  if (tensor_numel(&v->t) != want) {
    char b[128];
    return diag_node_error(ST_BAD_MODEL, c->n, "%s is %s, expected %lld elements", what,
                           tensor_type_str(&v->t, b, sizeof b), (long long)want);
  }
  return ST_OK;
}

/* ---- BatchNormalization ---- */

static status batchnorm_infer(op_ctx *c) {
  const ir_node *n = c->n;
  const ir_tensor *x;
  int C, i, pdt;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "X")) != ST_OK) return s;
  if (x->rank < 2)
    return diag_node_error(ST_BAD_MODEL, n, "X has rank %d; BatchNormalization needs [N, C, ...]", x->rank);
  /* Before opset 7, is_test (default 0) chose training; like ONNX Runtime we
   * run every model in inference mode, and reject the training-only outputs
   * below. */
  if (c->opset < 9 && attr_int(n, "spatial", 1) == 0)
    return diag_node_error(ST_UNSUPPORTED, n, "spatial=0 (per-activation statistics) is not supported");
  C = ir_dim(c->g, x, 1);
  OP_REQUIRE_INPUT(c, 1);
  pdt = op_in(c, 1)->t.dtype;
  if ((s = check_float(c, pdt, "scale")) != ST_OK) return s;
  if ((s = check_param(c, 1, "scale", pdt, C)) != ST_OK) return s;
  if ((s = check_param(c, 2, "B", pdt, C)) != ST_OK) return s;
  if ((s = check_param(c, 3, "mean", pdt, C)) != ST_OK) return s;
  if ((s = check_param(c, 4, "var", pdt, C)) != ST_OK) return s;
  for (i = 3; i < n->n_out; i++)
    if (op_out(c, i))
      return diag_node_error(ST_UNSUPPORTED, n,
                             "output %d (the saved mean/variance of opsets 9 to 13) is not supported", i);
  op_same_as_input(c, 0, 0);
  /* Running mean/var outputs: in inference they are the inputs. */
  for (i = 1; i < 3; i++)
    if (op_out(c, i)) op_set_output_exprs(c, i, pdt, 1, &C);
  return ST_OK;
}

/* x [N, C, ...] as the n, c and inner (the product of the dims after C)
 * fields every channel-wise normalisation's params have. */
static void bind_channels(op_ctx *c, lowered *l, const ir_tensor *x, void *n, void *ch, void *inner) {
  op_bind(c, l, n, ir_dim(c->g, x, 0));
  op_bind(c, l, ch, ir_dim(c->g, x, 1));
  op_bind_product(c, l, inner, x, 2, x->rank);
}

static status batchnorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  /* opset 14 on: training_mode=1 normalises with the batch's own
   * statistics and updates the running ones */
  const int train = c->opset >= 14 && attr_int(c->n, "training_mode", 0) != 0;
  rt_batchnorm_params *p = (rt_batchnorm_params *)lower_variant(c, l, train ? "batchnorm_train" : "batchnorm",
                                                                x->dtype, op_in(c, 1)->t.dtype);
  if (!p) return ST_UNSUPPORTED;
  p->momentum = attr_float(c->n, "momentum", 0.9f);
  bind_channels(c, l, x, &p->n, &p->c, &p->inner);
  p->has_mean = op_out(c, 1) != NULL;
  p->has_var = op_out(c, 2) != NULL;
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  /* y = x * a[c] + b[c], each element read before it is written (training
   * reads x twice more, so not there) */
  if (!train) l->inplace_of = 0;
  /* an activation fuse-epilogue moved in (float inference only) */
  return OP_LOWER_EPILOGUE(c, p);
}

/* ---- Softmax, LogSoftmax, Hardmax ---- */

/* Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the
 * op works on whole rows of that matrix; from 13 it works along the one
 * axis (default -1). */
static status softmax_shape(const op_ctx *c, int *outer, int *n, int *inner) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int axis;
  status s;
  if (c->opset < 13) {
    int64_t a = attr_int(c->n, "axis", 1);
    if (a < 0) a += x->rank;
    if (a < 0 || a > x->rank)
      return diag_node_error(ST_BAD_MODEL, c->n, "axis %lld is out of range for rank %d",
                             (long long)attr_int(c->n, "axis", 1), x->rank);
    *outer = ir_dims_product(c->g, x, 0, (int)a);
    *n = ir_dims_product(c->g, x, (int)a, x->rank);
    *inner = dx_const(op_dx(c), 1);
    return ST_OK;
  }
  if ((s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) != ST_OK) return s;
  if (x->rank == 0) {
    *outer = *n = *inner = dx_const(op_dx(c), 1);
    return ST_OK;
  }
  *outer = ir_dims_product(c->g, x, 0, axis);
  *n = ir_dim(c->g, x, axis);
  *inner = ir_dims_product(c->g, x, axis + 1, x->rank);
  return ST_OK;
}

static status softmax_infer(op_ctx *c) {
  int o, n, i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  if ((s = check_float(c, op_in(c, 0)->t.dtype, "the input")) != ST_OK) return s;
  if ((s = softmax_shape(c, &o, &n, &i)) != ST_OK) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status softmax_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const char *op = c->n->op == OP_LogSoftmax ? "logsoftmax" : c->n->op == OP_Hardmax ? "hardmax" : "softmax";
  rt_softmax_params *p;
  int outer, n, inner, strided;
  int64_t in1;
  char name[64];
  status s = softmax_shape(c, &outer, &n, &inner);
  if (s) return s;
  /* f32 has a contiguous-row variant and a strided one (which keeps a max,
   * and for (log)softmax a sum, per column in scratch). The strided one
   * takes any inner, so it is the one for a symbolic inner. */
  strided = x->dtype == DT_FLOAT && (!dx_const_value(op_dx(c), inner, &in1) || in1 > 1);
  snprintf(name, sizeof name, "rt_%s_%s%s", op, op_dtype_suffix(x->dtype), strided ? "_strided" : "");
  if (!(p = (rt_softmax_params *)op_lower_named(c, l, name))) return ST_UNSUPPORTED;
  op_bind(c, l, &p->outer, outer);
  op_bind(c, l, &p->n, n);
  op_bind(c, l, &p->inner, inner);
  /* for inner's bound, which op_bind left in the field */
  if (strided) l->scratch_bytes = (size_t)((c->n->op == OP_Hardmax ? 1 : 2) * p->inner) * sizeof(float);
  /* Softmax reads each x before writing its y (after taking the max);
   * LogSoftmax and Hardmax read x again after writing y. */
  if (c->n->op == OP_Softmax) l->inplace_of = 0;
  return ST_OK;
}

/* ---- InstanceNormalization ---- */

static status instancenorm_infer(op_ctx *c) {
  const ir_tensor *x;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "input")) != ST_OK) return s;
  if (x->rank < 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "input has rank %d; InstanceNormalization needs [N, C, ...]",
                           x->rank);
  if ((s = check_param(c, 1, "scale", x->dtype, ir_dim(c->g, x, 1))) != ST_OK) return s;
  if ((s = check_param(c, 2, "B", x->dtype, ir_dim(c->g, x, 1))) != ST_OK) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status instancenorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_instancenorm_params *p =
      (rt_instancenorm_params *)lower_variant(c, l, "instancenorm", x->dtype, x->dtype);
  if (!p) return ST_UNSUPPORTED;
  bind_channels(c, l, x, &p->n, &p->c, &p->inner);
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  /* each row's statistics are taken before the row is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- LayerNormalization ---- */

/* Scale/B must broadcast to the normalised shape x[axis:] by repetition:
 * after dropping leading 1s, its dims are the trailing dims of x. A
 * symbolic dim on either side must equal the other's at run time (only an
 * exact 1 is dropped: the kernel repeats, it does not broadcast inner 1s). */
static status layernorm_param(const op_ctx *c, int i, const char *what, int axis) {
  const ir_tensor *x = &op_in(c, 0)->t, *t = &op_in(c, i)->t;
  int k = 0, d;
  char b1[128], b2[128];
  if (t->dtype != x->dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s has element type %s, expected %s", what,
                           dtype_name(t->dtype), dtype_name(x->dtype));
  while (k < t->rank && t->sym[k] == 0 && t->dims[k] == 1) k++;
  if (t->rank - k > x->rank - axis) goto bad;
  for (d = k; d < t->rank; d++) {
    const int xd = x->rank - (t->rank - d);
    status s;
    if (t->sym[d] == 0 && x->sym[xd] == 0) {
      if (t->dims[d] != x->dims[xd]) goto bad;
    } else if ((s = op_check_equal(c, ir_dim(c->g, t, d), ir_dim(c->g, x, xd), what)) != ST_OK) {
      return s;
    }
  }
  return ST_OK;
bad:
  return diag_node_error(ST_UNSUPPORTED, c->n, "%s %s does not match the normalised dims of X %s (from axis %d)",
                         what, tensor_type_str(t, b1, sizeof b1), tensor_type_str(x, b2, sizeof b2), axis);
}

static int stash_dtype(const op_ctx *c) {
  int64_t st = attr_int(c->n, "stash_type", 1);
  return st == DT_DOUBLE ? DT_DOUBLE : st == DT_FLOAT ? DT_FLOAT : -1;
}

static status layernorm_infer(op_ctx *c) {
  const ir_tensor *x;
  int dims[IR_MAX_RANK], axis, i, sdt;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "X")) != ST_OK) return s;
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 1 or more");
  if ((s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) != ST_OK) return s;
  if ((s = layernorm_param(c, 1, "Scale", axis)) != ST_OK) return s;
  if (op_in(c, 2) && (s = layernorm_param(c, 2, "B", axis)) != ST_OK) return s;
  sdt = stash_dtype(c);
  if (sdt < 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "stash_type %lld is not supported (1 = float or 11 = double)",
                           (long long)attr_int(c->n, "stash_type", 1));
  op_same_as_input(c, 0, 0);
  for (i = 0; i < x->rank; i++) dims[i] = i < axis ? ir_dim(c->g, x, i) : dx_const(op_dx(c), 1);
  op_set_output_exprs(c, 1, sdt, x->rank, dims);
  op_set_output_exprs(c, 2, sdt, x->rank, dims);
  return ST_OK;
}

static status layernorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_layernorm_params *p;
  int axis;
  status s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis);
  if (s) return s;
  /* The stash type matters only to the Mean / InvStdDev outputs. */
  p = (rt_layernorm_params *)lower_variant(c, l, "layernorm", x->dtype,
                                           op_out(c, 1) || op_out(c, 2) ? stash_dtype(c) : x->dtype);
  if (!p) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind_product(c, l, &p->n, x, axis, x->rank);
  op_bind_product(c, l, &p->scale_n, &op_in(c, 1)->t, 0, op_in(c, 1)->t.rank);
  if (op_in(c, 2)) op_bind_product(c, l, &p->bias_n, &op_in(c, 2)->t, 0, op_in(c, 2)->t.rank);
  else p->bias_n = 1;
  p->has_bias = op_in(c, 2) != NULL;
  p->has_mean = op_out(c, 1) != NULL;
  p->has_invstd = op_out(c, 2) != NULL;
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  /* each row's statistics are taken before the row is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- LRN ---- */

static status lrn_infer(op_ctx *c) {
  const ir_tensor *x;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "input")) != ST_OK) return s;
  if (x->rank < 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "input has rank %d; LRN needs [N, C, ...]", x->rank);
  if (!ir_attr_find(c->n, "size")) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'size'");
  if (attr_int(c->n, "size", 0) < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "size = %lld must be positive", (long long)attr_int(c->n, "size", 0));
  if (attr_int(c->n, "size", 0) > INT32_MAX)
    return diag_node_error(ST_UNSUPPORTED, c->n, "size = %lld is too large", (long long)attr_int(c->n, "size", 0));
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status lrn_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_lrn_params *p = (rt_lrn_params *)lower_variant(c, l, "lrn", x->dtype, x->dtype);
  if (!p) return ST_UNSUPPORTED;
  bind_channels(c, l, x, &p->n, &p->c, &p->inner);
  p->size = (int32_t)attr_int(c->n, "size", 1);
  p->alpha = attr_float(c->n, "alpha", 1e-4f);
  p->beta = attr_float(c->n, "beta", 0.75f);
  p->bias = attr_float(c->n, "bias", 1.0f);
  l->scratch_bytes = (size_t)p->inner * dtype_size(x->dtype); /* inner's bound */
  return ST_OK;
}

/* ---- MeanVarianceNormalization ---- */

static status mvn_axes(const op_ctx *c, int *reduced) {
  const ir_tensor *x = &op_in(c, 0)->t;
  static const int64_t dflt[3] = {0, 2, 3};
  const int64_t *axes = dflt;
  int n = attr_ints(c->n, "axes", &axes), i;
  if (n < 0) {
    axes = dflt;
    n = 3;
  }
  for (i = 0; i < x->rank; i++) reduced[i] = 0;
  for (i = 0; i < n; i++) {
    int a;
    status s = op_axis(c, axes[i], x->rank, &a);
    if (s) return s;
    reduced[a] = 1;
  }
  return ST_OK;
}

static status mvn_infer(op_ctx *c) {
  int reduced[IR_MAX_RANK];
  status s;
  OP_REQUIRE_INPUT(c, 0);
  if ((s = check_float(c, op_in(c, 0)->t.dtype, "input")) != ST_OK) return s;
  if (op_in(c, 0)->t.rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 1 or more");
  if ((s = mvn_axes(c, reduced)) != ST_OK) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status mvn_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_mvn_params *p;
  dx_table *dx = op_dx(c);
  int reduced[IR_MAX_RANK], d, st = dx_const(dx, 1), count = st;
  status s = mvn_axes(c, reduced);
  if (s) return s;
  if (!(p = (rt_mvn_params *)lower_variant(c, l, "mvn", x->dtype, x->dtype))) return ST_UNSUPPORTED;
  p->rank = x->rank;
  op_bind_dims(c, l, p->dims, x);
  for (d = x->rank - 1; d >= 0; d--) {
    if (reduced[d]) {
      p->stat_strides[d] = 0;
      count = dx_mul(dx, count, ir_dim(c->g, x, d));
    } else {
      op_bind(c, l, &p->stat_strides[d], st);
      st = dx_mul(dx, st, ir_dim(c->g, x, d));
    }
  }
  op_bind(c, l, &p->groups, st); /* the kept dims' product, as the strides run */
  op_bind(c, l, &p->count, count);
  /* for the bound of groups, which op_bind left in the field */
  l->scratch_bytes = (size_t)(2 * p->groups) * sizeof(double);
  /* every statistic is gathered before any output is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- RMSNormalization ---- */

/* X and Scale as LayerNormalization's (Scale repeats along the normalised
 * dims); the statistics are taken in X's type, as LayerNormalization's
 * are, so stash_type only has to be one ONNX defines for it. */
static status rmsnorm_infer(op_ctx *c) {
  const ir_tensor *x;
  int axis;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "X")) != ST_OK) return s;
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 1 or more");
  if ((s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) != ST_OK) return s;
  if ((s = layernorm_param(c, 1, "scale", axis)) != ST_OK) return s;
  if (stash_dtype(c) < 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "stash_type %lld is not supported (1 = float or 11 = double)",
                           (long long)attr_int(c->n, "stash_type", 1));
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status rmsnorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *sc = &op_in(c, 1)->t;
  rt_rmsnorm_params *p;
  int axis;
  status s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis);
  if (s) return s;
  if (!(p = (rt_rmsnorm_params *)lower_variant(c, l, "rmsnorm", x->dtype, x->dtype))) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind_product(c, l, &p->n, x, axis, x->rank);
  op_bind_product(c, l, &p->scale_n, sc, 0, sc->rank);
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  /* each row's statistic is taken before the row is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- LpNormalization ---- */

static status lpnorm_infer(op_ctx *c) {
  const ir_tensor *x;
  int axis;
  int64_t pn = attr_int(c->n, "p", 2);
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "input")) != ST_OK) return s;
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 1 or more");
  if ((s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) != ST_OK) return s;
  if (pn != 1 && pn != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "p is %lld; only 1 and 2 are defined", (long long)pn);
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status lpnorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_lpnorm_params *p;
  int axis;
  status s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis);
  if (s) return s;
  if (!(p = (rt_lpnorm_params *)lower_variant(c, l, "lpnorm", x->dtype, x->dtype))) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind(c, l, &p->n, ir_dim(c->g, x, axis));
  op_bind_product(c, l, &p->inner, x, axis + 1, x->rank);
  p->p = (int32_t)attr_int(c->n, "p", 2);
  /* each line's norm is taken before the line is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- GroupNormalization ---- */

/* Version 21 only: ONNX deprecated version 18 (scale and bias per group),
 * so the schema check refuses a model at opsets 18 to 20. */
static status groupnorm_infer(op_ctx *c) {
  dx_table *dx = op_dx(c);
  const ir_tensor *x;
  int64_t g = attr_int(c->n, "num_groups", 0), cv;
  int C, G;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "X")) != ST_OK) return s;
  if (x->rank < 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "X has rank %d; GroupNormalization needs [N, C, ...]", x->rank);
  if (g < 1) return diag_node_error(ST_BAD_MODEL, c->n, "num_groups is %lld; it must be 1 or more", (long long)g);
  C = ir_dim(c->g, x, 1);
  G = dx_const(dx, g);
  if (dx_const_value(dx, C, &cv) && cv % g != 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "num_groups %lld does not divide the %lld channels", (long long)g,
                           (long long)cv);
  /* a symbolic C must be a multiple of the groups at run time */
  if ((s = op_check_equal(c, dx_mul(dx, dx_floordiv(dx, C, G), G), C, "channels (a multiple of num_groups)")))
    return s;
  if ((s = check_param(c, 1, "scale", x->dtype, C)) != ST_OK) return s;
  if ((s = check_param(c, 2, "bias", x->dtype, C)) != ST_OK) return s;
  if (stash_dtype(c) < 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "stash_type %lld is not supported (1 = float or 11 = double)",
                           (long long)attr_int(c->n, "stash_type", 1));
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status groupnorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_groupnorm_params *p =
      (rt_groupnorm_params *)lower_variant(c, l, "groupnorm", x->dtype, x->dtype);
  if (!p) return ST_UNSUPPORTED;
  bind_channels(c, l, x, &p->n, &p->c, &p->inner);
  p->groups = attr_int(c->n, "num_groups", 1);
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  /* each group's statistics are taken before the group is written */
  l->inplace_of = 0;
  return ST_OK;
}

/* ---- dispatch ---- */

static status norm_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_BatchNormalization: return batchnorm_infer(c);
  case OP_InstanceNormalization: return instancenorm_infer(c);
  case OP_LayerNormalization: return layernorm_infer(c);
  case OP_LRN: return lrn_infer(c);
  case OP_MeanVarianceNormalization: return mvn_infer(c);
  case OP_RMSNormalization: return rmsnorm_infer(c);
  case OP_LpNormalization: return lpnorm_infer(c);
  case OP_GroupNormalization: return groupnorm_infer(c);
  default: return softmax_infer(c);
  }
}

static status norm_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_BatchNormalization: return batchnorm_lower(c, l);
  case OP_InstanceNormalization: return instancenorm_lower(c, l);
  case OP_LayerNormalization: return layernorm_lower(c, l);
  case OP_LRN: return lrn_lower(c, l);
  case OP_MeanVarianceNormalization: return mvn_lower(c, l);
  case OP_RMSNormalization: return rmsnorm_lower(c, l);
  case OP_LpNormalization: return lpnorm_lower(c, l);
  case OP_GroupNormalization: return groupnorm_lower(c, l);
  default: return softmax_lower(c, l);
  }
}

const op_family op_family_norm = {norm_infer, norm_lower, 1, 0};
