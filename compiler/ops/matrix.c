/* Matrix-shaped ops: Trilu (rt_triu, rt_tril), EyeLike (rt_eyelike_W),
 * CumSum (rt_cumsum_T) and CumProd (rt_cumprod_T); kernels/matrix.h.
 * CumSum and CumProd differ only in the kernel's name and its types. */
#include <stdio.h>

#include "ops.h"


/* Trilu's diagonal offset: the optional input k, a single int64 (0 when
 * absent). *known is 0 when k is read at run time (rt_trilu_prepare). */
static status trilu_k(const op_ctx *c, int64_t *k, int *known) {
  int64_t v[1];
  int n;
  *k = 0;
  *known = 1;
  if (!op_in(c, 1)) return ST_OK;
  if (op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "k must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
  if (tensor_numel(&op_in(c, 1)->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "k must hold one value, not %lld",
                           (long long)tensor_numel(&op_in(c, 1)->t));
  if (!op_in(c, 1)->t.data) {
    *known = 0;
    return ST_OK;
  }
  n = op_const_ints(c, 1, v, 1, "k");
  if (n < 0) return ST_UNSUPPORTED;
  *k = v[0];
  return ST_OK;
}

/* CumSum's and CumProd's axis: input 1, a single int32 or int64, normalised against x's
 * rank; -1 when it is read at run time (rt_cumsum_prepare_*). */
static status cumsum_axis(const op_ctx *c, int *axis) {
  int64_t v[1];
  int n;
  OP_REQUIRE_INPUT(c, 1);
  if (op_in(c, 1)->t.dtype != DT_INT32 && op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "axis must be int32 or int64, not %s",
                           dtype_name(op_in(c, 1)->t.dtype));
  if (tensor_numel(&op_in(c, 1)->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "axis must hold one value, not %lld",
                           (long long)tensor_numel(&op_in(c, 1)->t));
  if (!op_in(c, 1)->t.data) {
    *axis = -1;
    return ST_OK;
  }
  n = op_const_ints(c, 1, v, 1, "axis");
  if (n < 0) return ST_UNSUPPORTED;
  return op_axis(c, v[0], op_in(c, 0)->t.rank, axis);
}

/* The element types with a rt_cumsum_T (rt_cumprod_T) variant: CumProd
 * has none for float16 and bfloat16. */
static int cumulate_dtype_ok(int op, int dt) {
  if (dt == DT_FLOAT16 || dt == DT_BFLOAT16) return op == OP_CumSum;
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64 || dt == DT_UINT32 ||
         dt == DT_UINT64;
}

/* An element type EyeLike and Trilu can move: a known, fixed-size one. */
static int movable(int dt) { return dt != DT_STRING && dtype_size(dt) > 0; }

/* The bit pattern of 1 in element type dt (only types that pass movable). */
static int64_t one_bits(int dt) {
  switch (dt) {
  case DT_FLOAT: return 0x3f800000;
  case DT_DOUBLE: return (int64_t)0x3ff0000000000000LL;
  case DT_FLOAT16: return 0x3c00;
  case DT_BFLOAT16: return 0x3f80;
  default: return 1; /* integers and bool */
  }
}

static status matrix_infer(op_ctx *c) {
  const ir_tensor *x;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  switch (c->n->op) {
  case OP_Trilu: {
    int64_t k;
    int known;
    if (x->rank < 2)
      return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 2 or more, not %d", x->rank);
    if (!movable(x->dtype))
      return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
    if ((s = trilu_k(c, &k, &known)) != ST_OK) return s;
    op_same_as_input(c, 0, 0);
    return ST_OK;
  }
  case OP_EyeLike: {
    const int dt = (int)attr_int(c->n, "dtype", x->dtype);
    if (x->rank != 2) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 2, not %d", x->rank);
    if (dt < 1 || dt > 23)
      return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'dtype' is %d, which is not an ONNX element type", dt);
    if (!movable(dt))
      return diag_node_error(ST_UNSUPPORTED, c->n, "output element type %s is not supported", dtype_name(dt));
    op_set_output(c, 0, dt, 2, x->dims);
    return ST_OK;
  }
  default: { /* CumSum, CumProd */
    int axis;
    if (!cumulate_dtype_ok(c->n->op, x->dtype))
      return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
    if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 1 or more, not 0");
    if ((s = cumsum_axis(c, &axis)) != ST_OK) return s;
    op_same_as_input(c, 0, 0);
    return ST_OK;
  }
  }
}

static status trilu_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  rt_trilu_params *p;
  int64_t k;
  int d, known;
  status s = trilu_k(c, &k, &known);
  if (s) return s;
  if (attr_int(c->n, "upper", 1))
    p = LOWER(l, rt_triu, rt_trilu_params);
  else
    p = LOWER(l, rt_tril, rt_trilu_params);
  p->batch = 1;
  for (d = 0; d < x->rank - 2; d++) p->batch *= x->dims[d];
  p->rows = x->dims[x->rank - 2];
  p->cols = x->dims[x->rank - 1];
  /* A diagonal beyond the matrix keeps all or nothing: clamp it so that
   * i + k cannot overflow in the kernel. */
  if (k > p->cols) k = p->cols;
  if (k < -p->rows - 1) k = -p->rows - 1;
  p->k = k;
  p->esize = (int64_t)dtype_size(x->dtype);
  l->inplace_of = 0; /* each row is read before it is written */
  if (!known && !op_prepare_as(c, l, PD_rt_trilu_params, "rt_trilu_prepare")) return ST_UNSUPPORTED;
  return ST_OK;
}

static status eyelike_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_eyelike_params *p;
  int64_t k = attr_int(c->n, "k", 0);
  char name[32];
  snprintf(name, sizeof name, "rt_eyelike_%dbit", (int)dtype_size(y->dtype) * 8);
  if (!(p = (rt_eyelike_params *)op_lower_named(c, l, name))) return ST_UNSUPPORTED;
  p->rows = y->dims[0];
  p->cols = y->dims[1];
  /* Clamped like Trilu's: a diagonal outside the matrix stays outside. */
  if (k > p->cols) k = p->cols;
  if (k < -p->rows) k = -p->rows;
  p->k = k;
  p->one_bits = one_bits(y->dtype);
  return ST_OK;
}

static status cumulate_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  rt_cumsum_params *p;
  int axis, d;
  status s = cumsum_axis(c, &axis);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_cumsum_params, "rt_%s_%s", c->n->op == OP_CumProd ? "cumprod" : "cumsum",
                  op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->exclusive = attr_int(c->n, "exclusive", 0) != 0;
  p->reverse = attr_int(c->n, "reverse", 0) != 0;
  if (axis < 0) { /* read at run time: the prepare kernel sets outer, n, inner */
    rt_cumsum_axis_params *q = op_prepare_as(c, l, PD_rt_cumsum_axis_params,
                                             op_in(c, 1)->t.dtype == DT_INT32 ? "rt_cumsum_prepare_i32"
                                                                                : "rt_cumsum_prepare_i64");
    if (!q) return ST_UNSUPPORTED;
    q->rank = x->rank;
    for (d = 0; d < x->rank; d++) q->dims[d] = x->dims[d];
    return ST_OK;
  }
  p->outer = p->inner = 1;
  p->n = x->dims[axis];
  for (d = 0; d < x->rank; d++) {
    if (d < axis) p->outer *= x->dims[d];
    if (d > axis) p->inner *= x->dims[d];
  }
  return ST_OK;
}

static status matrix_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  switch (c->n->op) {
  case OP_Trilu: return trilu_lower(c, l, x);
  case OP_EyeLike: return eyelike_lower(c, l);
  default: return cumulate_lower(c, l, x);
  }
}

const op_family op_family_matrix = {matrix_infer, matrix_lower, 0, 0};
