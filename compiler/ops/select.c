/* Ops that pick elements by value: TopK, OneHot, NonZero, Compress
 * (kernels in select.h).
 *
 * Their output sizes are values: TopK's k and OneHot's depth are operands
 * (constants, dims from Shape, or values read at run time by a prepare
 * kernel), NonZero's and Compress's counts are found by the kernel as it
 * runs (lowered.defines_after). A count from run-time values is a fresh
 * symbol bounded by what the op implies: TopK's k by the axis dim,
 * NonZero's count by the element count, Compress's by the axis (or
 * element) count and the condition's length; OneHot's depth has no such
 * bound and takes --max-dynamic-dim. Inputs with symbolic dims are taken
 * throughout: every size goes to the kernel through op_bind. */
#include <stdio.h>

#include "../dimexpr.h"
#include "ops.h"

/* Element types with a TopK kernel; OneHot's index and depth types. */
static int topk_type(int dt) {
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_BFLOAT16 || dt == DT_INT8 ||
         dt == DT_INT16 || dt == DT_INT32 || dt == DT_INT64 || dt == DT_UINT8 || dt == DT_UINT16 ||
         dt == DT_UINT32 || dt == DT_UINT64;
}

static int onehot_type(int dt) { return dt != DT_FLOAT16 && dt != DT_BFLOAT16 && topk_type(dt); }

/* Output i as input 0's dims with dim `axis` replaced by expression e
 * (inserted there when insert is 1). */
static void set_output_with_dim(op_ctx *c, int i, int dtype, const ir_tensor *x, int axis, int e, int insert) {
  int exprs[IR_MAX_RANK], d, r = 0;
  for (d = 0; d < x->rank; d++) {
    if (d == axis) {
      exprs[r++] = e;
      if (!insert) continue;
    }
    exprs[r++] = ir_dim(c->g, x, d);
  }
  if (insert && axis == x->rank) exprs[r++] = e;
  op_set_output_exprs(c, i, dtype, r, exprs);
}

/* A single-value operand (TopK's K, OneHot's depth): 1-D of one element
 * or a scalar, at compile time. */
static status check_scalar(const op_ctx *c, int input, const char *what) {
  const ir_tensor *t = &op_in(c, input)->t;
  if (t->rank > 1 || tensor_is_symbolic(t) || tensor_numel(t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must hold exactly one value", what);
  return ST_OK;
}

/* ---- TopK ---- */

/* k as an expression: the attribute (opset 1), a constant, a dim from
 * Shape, or a run-time dim bounded by the axis dim n. A k that may exceed
 * n is checked at run time; one that surely does is refused here. */
static status topk_k(op_ctx *c, int n, int *k) {
  dx_table *dx = op_dx(c);
  const ir_value *kv;
  status s;
  if (c->opset < 10) {
    if (attr_int(c->n, "k", -1) < 0) return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'k' must be >= 0");
    *k = dx_const(dx, attr_int(c->n, "k", -1));
  } else {
    OP_REQUIRE_INPUT(c, 1);
    kv = op_in(c, 1);
    if (kv->t.dtype != DT_INT64) return diag_node_error(ST_BAD_MODEL, c->n, "K must be int64");
    if ((s = check_scalar(c, 1, "K")) != ST_OK) return s;
    if (kv->t.data) {
      if (tensor_int(&kv->t, 0) < 0) return diag_node_error(ST_BAD_MODEL, c->n, "K must be >= 0");
      *k = dx_const(dx, tensor_int(&kv->t, 0));
    } else if (kv->symvals) {
      *k = kv->symvals[0];
    } else if (dx_upper(dx, n) == 0) {
      *k = dx_const(dx, 0); /* an empty axis leaves k no choice (0 would ask for --max-dynamic-dim) */
    } else {
      *k = op_data_dim(c, 0, dx_upper(dx, n), "TopK's k");
      return *k < 0 ? ST_UNSUPPORTED : ST_OK;
    }
  }
  /* k <= n, as min(k, n) == k: proven, refused, or checked before the node runs */
  return op_check_equal(c, dx_min(dx, *k, n), *k, "K must not exceed the axis dim");
}

static status topk_infer(op_ctx *c) {
  const ir_tensor *x;
  int axis, k = -1;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 1 or more");
  if (!topk_type(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) != ST_OK) return s;
  if ((s = topk_k(c, ir_dim(c->g, x, axis), &k)) != ST_OK) return s;
  set_output_with_dim(c, 0, x->dtype, x, axis, k, 0);
  set_output_with_dim(c, 1, DT_INT64, x, axis, k, 0);
  return ST_OK;
}

static status topk_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int axis, k;
  rt_topk_params *p = op_lower_as(c, l, PD_rt_topk_params, "rt_topk_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  if (op_axis(c, attr_int(c->n, "axis", -1), x->rank, &axis)) return ST_BAD_MODEL;
  k = ir_dim(c->g, op_out(c, 0) ? &op_out(c, 0)->t : &op_out(c, 1)->t, axis);
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind(c, l, &p->n, ir_dim(c->g, x, axis));
  op_bind_product(c, l, &p->inner, x, axis + 1, x->rank);
  op_bind(c, l, &p->k, k);
  /* sorted = 0 leaves the order open: the kernel sorts anyway */
  p->largest = attr_int(c->n, "largest", 1) != 0;
  l->scratch_bytes = 2 * sizeof(int64_t) * (size_t)x->dims[axis];
  if (op_is_data_dim(c, k, 0)) {
    if (!op_prepare_as(c, l, PD_rt_topk_params, "rt_topk_prepare")) return ST_UNSUPPORTED;
    if (op_define(c, l, k)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- OneHot ---- */

/* The depth as an expression: a constant (truncated, as ONNX Runtime
 * casts it), a dim from Shape, or a run-time dim (--max-dynamic-dim). */
static status onehot_depth(op_ctx *c, int *depth) {
  const ir_value *dv = op_in(c, 1);
  status s = check_scalar(c, 1, "depth");
  if (s) return s;
  if (!onehot_type(dv->t.dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "depth of type %s is not supported", dtype_name(dv->t.dtype));
  if (dv->t.data) {
    double v = tensor_double(&dv->t, 0);
    if (!(v >= 1 && v < 9.2e18)) return diag_node_error(ST_BAD_MODEL, c->n, "depth must be 1 or more");
    *depth = dx_const(op_dx(c), (int64_t)v);
  } else if (dv->symvals) {
    *depth = dv->symvals[0];
  } else if ((*depth = op_data_dim(c, 0, 0, "OneHot's depth")) < 0) {
    return ST_UNSUPPORTED;
  }
  return ST_OK;
}

static status onehot_axis(const op_ctx *c, const ir_tensor *ind, int *axis) {
  return op_axis(c, attr_int(c->n, "axis", -1), ind->rank + 1, axis);
}

static status onehot_infer(op_ctx *c) {
  const ir_tensor *ind, *values;
  int axis, depth = -1;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  ind = &op_in(c, 0)->t;
  values = &op_in(c, 2)->t;
  if (!onehot_type(ind->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "indices of type %s are not supported", dtype_name(ind->dtype));
  if (values->rank != 1 || tensor_is_symbolic(values) || values->dims[0] != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "values must be a 1-D tensor of two elements [off, on]");
  if (dtype_size(values->dtype) == 0 || dtype_size(values->dtype) > 8)
    return diag_node_error(ST_UNSUPPORTED, c->n, "values of type %s are not supported", dtype_name(values->dtype));
  if (ind->rank + 1 > IR_MAX_RANK)
    return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", ind->rank + 1, IR_MAX_RANK);
  if ((s = onehot_axis(c, ind, &axis)) != ST_OK) return s;
  if ((s = onehot_depth(c, &depth)) != ST_OK) return s;
  set_output_with_dim(c, 0, values->dtype, ind, axis, depth, 1);
  return ST_OK;
}

static status onehot_lower(op_ctx *c, lowered *l) {
  const ir_tensor *ind = &op_in(c, 0)->t;
  int axis, depth;
  rt_onehot_params *p = op_lower_as(c, l, PD_rt_onehot_params, "rt_onehot_%s", op_dtype_suffix(ind->dtype));
  if (!p) return ST_UNSUPPORTED;
  if (onehot_axis(c, ind, &axis)) return ST_BAD_MODEL;
  depth = ir_dim(c->g, &op_out(c, 0)->t, axis);
  op_bind_product(c, l, &p->outer, ind, 0, axis);
  op_bind(c, l, &p->depth, depth);
  op_bind_product(c, l, &p->inner, ind, axis, ind->rank);
  p->esize = (int64_t)dtype_size(op_out(c, 0)->t.dtype);
  if (op_is_data_dim(c, depth, 0)) {
    char name[64];
    snprintf(name, sizeof name, "rt_onehot_depth_%s", op_dtype_suffix(op_in(c, 1)->t.dtype));
    if (!op_prepare_as(c, l, PD_rt_onehot_params, name)) return ST_UNSUPPORTED;
    if (op_define(c, l, depth)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- NonZero ---- */

/* The number of non-zero elements of a constant (NaN counts, -0 not). */
static int64_t count_nonzero(const ir_tensor *t) {
  int64_t i, n = tensor_numel(t), count = 0;
  for (i = 0; i < n; i++) count += tensor_double(t, i) != 0;
  return count;
}

static status nonzero_infer(op_ctx *c) {
  const ir_value *x;
  int exprs[2];
  int64_t bound;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (!topk_type(x->t.dtype) && x->t.dtype != DT_BOOL)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->t.dtype));
  /* a scalar reads as one element of a 1-D tensor, as ONNX Runtime has it */
  exprs[0] = dx_const(op_dx(c), x->t.rank > 0 ? x->t.rank : 1);
  bound = tensor_numel(&x->t); /* the upper bounds' product */
  if (x->t.data) exprs[1] = dx_const(op_dx(c), count_nonzero(&x->t));
  else if (bound == 0) exprs[1] = dx_const(op_dx(c), 0);
  else if ((exprs[1] = op_data_dim(c, 0, bound, "NonZero's count")) < 0) return ST_UNSUPPORTED;
  op_set_output_exprs(c, 0, DT_INT64, 2, exprs);
  return ST_OK;
}

static status nonzero_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int count = ir_dim(c->g, &op_out(c, 0)->t, 1);
  rt_nonzero_params *p = op_lower_as(c, l, PD_rt_nonzero_params, "rt_nonzero_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rank = x->rank > 0 ? x->rank : 1;
  p->dims[0] = 1;
  op_bind_dims(c, l, p->dims, x);
  if (op_is_data_dim(c, count, 0)) {
    l->defines_after = 1;
    if (op_define(c, l, count)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- Compress ---- */

/* The axis Compress selects along, or -1 (no attribute: the flattened
 * input), and n, the length there as an expression. */
static status compress_axis(const op_ctx *c, const ir_tensor *x, int *axis, int *n) {
  status s;
  *axis = -1;
  if (!ir_attr_find(c->n, "axis")) {
    *n = ir_dims_product(c->g, x, 0, x->rank);
    return ST_OK;
  }
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "an axis needs an input of rank 1 or more");
  if ((s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, axis)) != ST_OK) return s;
  *n = ir_dim(c->g, x, *axis);
  return ST_OK;
}

static status compress_infer(op_ctx *c) {
  dx_table *dx = op_dx(c);
  const ir_tensor *x, *cond;
  int axis, n, count, clen;
  int64_t nv, bound;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  cond = &op_in(c, 1)->t;
  if (cond->dtype != DT_BOOL || cond->rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "condition must be a 1-D bool tensor");
  if (dtype_size(x->dtype) == 0 || x->dtype == DT_STRING)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = compress_axis(c, x, &axis, &n)) != ST_OK) return s;
  clen = ir_dim(c->g, cond, 0);
  bound = dx_upper(dx, dx_min(dx, n, clen));
  if (cond->data && dx_const_value(dx, n, &nv)) {
    /* a constant condition over a fixed length: the count is known now */
    int64_t i, m = nv < cond->dims[0] ? nv : cond->dims[0], k = 0;
    for (i = 0; i < m; i++) k += tensor_int(cond, i) != 0;
    count = dx_const(dx, k);
  } else if (bound == 0) {
    count = dx_const(dx, 0);
  } else if ((count = op_data_dim(c, 0, bound, "Compress's count")) < 0) {
    return ST_UNSUPPORTED;
  }
  if (axis < 0) op_set_output_exprs(c, 0, x->dtype, 1, &count);
  else set_output_with_dim(c, 0, x->dtype, x, axis, count, 0);
  return ST_OK;
}

static status compress_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  int axis, n, count;
  rt_compress_params *p = LOWER(l, rt_compress, rt_compress_params);
  if (compress_axis(c, x, &axis, &n)) return ST_BAD_MODEL;
  count = ir_dim(c->g, y, axis < 0 ? 0 : axis);
  if (axis < 0) {
    p->outer = p->inner = 1;
  } else {
    op_bind_product(c, l, &p->outer, x, 0, axis);
    op_bind_product(c, l, &p->inner, x, axis + 1, x->rank);
  }
  op_bind(c, l, &p->n, n);
  op_bind(c, l, &p->clen, ir_dim(c->g, &op_in(c, 1)->t, 0));
  p->esize = (int64_t)dtype_size(x->dtype);
  if (op_is_data_dim(c, count, 0)) {
    l->defines_after = 1;
    if (op_define(c, l, count)) return ST_INTERNAL;
  }
  return ST_OK;
}

static status select_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_TopK: return topk_infer(c);
  case OP_OneHot: return onehot_infer(c);
  case OP_NonZero: return nonzero_infer(c);
  case OP_Compress: return compress_infer(c);
  default: return diag_node_error(ST_INTERNAL, c->n, "is not a select op");
  }
}

static status select_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_TopK: return topk_lower(c, l);
  case OP_OneHot: return onehot_lower(c, l);
  case OP_NonZero: return nonzero_lower(c, l);
  case OP_Compress: return compress_lower(c, l);
  default: return diag_node_error(ST_INTERNAL, c->n, "is not a select op");
  }
}

const op_family op_family_select = {select_infer, select_lower, 1, 0};
