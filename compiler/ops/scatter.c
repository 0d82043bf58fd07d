/* Index-addressed ops: ScatterElements (rt_scatter_elements_*), ScatterND
 * (rt_scatternd_*) and GatherND (rt_gathernd_*); kernels/scatter.h.
 * Scatter (opsets 9 and 10, deprecated from 11) is ScatterElements under
 * its old name, without the reduction attribute: it takes the same path.
 * Output shapes depend only on input shapes. */
#include <stdio.h>
#include <string.h>

#include "ops.h"

static int64_t prod(const int64_t *dims, int from, int to) {
  int64_t p = 1;
  int d;
  for (d = from; d < to; d++) p *= dims[d];
  return p;
}

/* An element type the kernels can move: a fixed size of 1, 2, 4 or 8
 * bytes. */
static int movable(int dt) {
  const size_t s = dt == DT_STRING ? 0 : dtype_size(dt);
  return s == 1 || s == 2 || s == 4 || s == 8;
}

/* ScatterElements (and Scatter) take int32 or int64 indices; ScatterND
 * and GatherND only int64, as the spec (and ONNX Runtime) have it. */
static status check_indices_type(const op_ctx *c, const ir_tensor *ind) {
  if (c->n->op != OP_ScatterElements && c->n->op != OP_Scatter && ind->dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "indices must be int64, not %s", dtype_name(ind->dtype));
  if (ind->dtype != DT_INT32 && ind->dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "indices must be int32 or int64, not %s", dtype_name(ind->dtype));
  return ST_OK;
}

/* Constant indices are checked here: index i of the constant, counted
 * from 0, addresses a dim of dims[i % k]. */
static status check_const_indices(const op_ctx *c, const ir_tensor *ind, const int64_t *dims, int k) {
  int64_t i, n;
  if (!ind->data || k <= 0) return ST_OK;
  n = tensor_numel(ind);
  for (i = 0; i < n; i++) {
    const int64_t v = tensor_int(ind, i), dim = dims[i % k];
    if (v < -dim || v >= dim)
      return diag_node_error(ST_BAD_MODEL, c->n, "index %lld is out of range for a dim of %lld", (long long)v,
                             (long long)dim);
  }
  return ST_OK;
}

/* The reduction attribute of the scatters: "none" (also when absent),
 * "add", "mul", or from opset 18 "max" or "min"; NULL after an error. */
static const char *reduction(const op_ctx *c, int dtype) {
  const char *r = attr_string(c->n, "reduction", "none");
  if (strcmp(r, "none") != 0 && strcmp(r, "add") != 0 && strcmp(r, "mul") != 0 && strcmp(r, "max") != 0 &&
      strcmp(r, "min") != 0) {
    diag_node_error(ST_BAD_MODEL, c->n, "reduction '%s' is not one of none, add, mul, max, min", r);
    return NULL;
  }
  if ((strcmp(r, "max") == 0 || strcmp(r, "min") == 0) && c->opset < 18) {
    diag_node_error(ST_BAD_MODEL, c->n, "reduction '%s' needs opset 18, the model has %lld", r, (long long)c->opset);
    return NULL;
  }
  if (strcmp(r, "none") != 0 && dtype != DT_FLOAT && dtype != DT_DOUBLE && dtype != DT_INT32 && dtype != DT_INT64) {
    diag_node_error(ST_UNSUPPORTED, c->n, "reduction '%s' on element type %s is not supported", r,
                    dtype_name(dtype));
    return NULL;
  }
  return r;
}

static const char *idx_suffix(const ir_tensor *ind) { return ind->dtype == DT_INT64 ? "i64idx" : "i32idx"; }

/* The checks both scatters start with: indices and updates present, data
 * not a scalar, indices of an index type, updates of the data's type. */
static status scatter_operands(const op_ctx *c, const ir_tensor *x, const ir_tensor **ind, const ir_tensor **upd) {
  status s;
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  *ind = &op_in(c, 1)->t;
  *upd = &op_in(c, 2)->t;
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot scatter into a scalar");
  if ((s = check_indices_type(c, *ind)) != ST_OK) return s;
  if ((*upd)->dtype != x->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "updates are %s but data is %s", dtype_name((*upd)->dtype),
                           dtype_name(x->dtype));
  return ST_OK;
}

/* ---- ScatterElements ---- */

static status scatter_elements_infer(op_ctx *c, const ir_tensor *x) {
  const ir_tensor *ind, *upd;
  int axis, d;
  status s = scatter_operands(c, x, &ind, &upd);
  if (s) return s;
  if ((s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis)) != ST_OK) return s;
  if (ind->rank != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "indices have rank %d but data has rank %d", ind->rank, x->rank);
  if (upd->rank != ind->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "updates have rank %d but indices have rank %d", upd->rank,
                           ind->rank);
  for (d = 0; d < x->rank; d++) {
    if (upd->dims[d] != ind->dims[d])
      return diag_node_error(ST_BAD_MODEL, c->n, "updates dim %d (%lld) differs from indices' (%lld)", d,
                             (long long)upd->dims[d], (long long)ind->dims[d]);
    if (d != axis && ind->dims[d] > x->dims[d])
      return diag_node_error(ST_BAD_MODEL, c->n, "indices dim %d (%lld) is larger than data's (%lld)", d,
                             (long long)ind->dims[d], (long long)x->dims[d]);
  }
  if (!movable(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (!reduction(c, x->dtype)) return ST_BAD_MODEL;
  if ((s = check_const_indices(c, ind, &x->dims[axis], 1)) != ST_OK) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status scatter_elements_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *ind = &op_in(c, 1)->t;
  const char *r = reduction(c, x->dtype);
  rt_scatter_elements_params *p;
  int axis, d;
  status s;
  if (!r) return ST_BAD_MODEL;
  if ((s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis)) != ST_OK) return s;
  if (x->rank > RT_MAX_RANK)
    return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", x->rank, RT_MAX_RANK);
  if (strcmp(r, "none") == 0)
    p = op_lower_as(c, l, PD_rt_scatter_elements_params, "rt_scatter_elements_none_%s_%dbit", idx_suffix(ind),
                    (int)dtype_size(x->dtype) * 8);
  else
    p = op_lower_as(c, l, PD_rt_scatter_elements_params, "rt_scatter_elements_%s_%s_%s", r, idx_suffix(ind),
                    op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rank = x->rank;
  p->axis = axis;
  p->axis_dim = x->dims[axis];
  p->numel = tensor_numel(x);
  op_strides(x->rank, x->dims, p->strides);
  for (d = 0; d < ind->rank; d++) p->dims[d] = ind->dims[d];
  l->inplace_of = 0; /* data is copied to y first; when it is y, the copy is skipped */
  return ST_OK;
}

/* ---- ScatterND ---- */

static status scatternd_infer(op_ctx *c, const ir_tensor *x) {
  const ir_tensor *ind, *upd;
  int k, q, d;
  status s = scatter_operands(c, x, &ind, &upd);
  if (s) return s;
  q = ind->rank;
  if (q < 1) return diag_node_error(ST_BAD_MODEL, c->n, "indices must have rank 1 or more, not 0");
  if (ind->dims[q - 1] < 1 || ind->dims[q - 1] > x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "the last dim of indices (%lld) must be between 1 and data's rank %d",
                           (long long)ind->dims[q - 1], x->rank);
  k = (int)ind->dims[q - 1];
  /* updates: indices.shape[:-1] + data.shape[k:] */
  if (upd->rank != q - 1 + x->rank - k)
    return diag_node_error(ST_BAD_MODEL, c->n, "updates have rank %d, not %d", upd->rank, q - 1 + x->rank - k);
  for (d = 0; d < upd->rank; d++) {
    const int64_t want = d < q - 1 ? ind->dims[d] : x->dims[k + d - (q - 1)];
    if (upd->dims[d] != want)
      return diag_node_error(ST_BAD_MODEL, c->n, "updates dim %d is %lld, not %lld", d, (long long)upd->dims[d],
                             (long long)want);
  }
  if (!movable(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (!reduction(c, x->dtype)) return ST_BAD_MODEL;
  if ((s = check_const_indices(c, ind, x->dims, k)) != ST_OK) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status scatternd_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *ind = &op_in(c, 1)->t;
  const char *r = reduction(c, x->dtype);
  const int k = (int)ind->dims[ind->rank - 1];
  int64_t strides[IR_MAX_RANK];
  rt_scatternd_params *p;
  int d;
  if (!r) return ST_BAD_MODEL;
  if (strcmp(r, "none") == 0)
    p = op_lower_as(c, l, PD_rt_scatternd_params, "rt_scatternd_none_%s", idx_suffix(ind));
  else
    p = op_lower_as(c, l, PD_rt_scatternd_params, "rt_scatternd_%s_%s_%s", r, idx_suffix(ind),
                    op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  op_strides(x->rank, x->dims, strides);
  p->k = k;
  p->n_idx = prod(ind->dims, 0, ind->rank - 1);
  p->slice = prod(x->dims, k, x->rank);
  p->numel = tensor_numel(x);
  p->esize = (int64_t)dtype_size(x->dtype);
  for (d = 0; d < k; d++) {
    p->dims[d] = x->dims[d];
    p->strides[d] = strides[d];
  }
  l->inplace_of = 0; /* data is copied to y first; when it is y, the copy is skipped */
  return ST_OK;
}

/* ---- GatherND ---- */

/* batch_dims, checked against both ranks; -1 after an error. */
static int gathernd_batch(const op_ctx *c, const ir_tensor *x, const ir_tensor *ind) {
  const int64_t b = attr_int(c->n, "batch_dims", 0);
  int d;
  if (b < 0 || b >= x->rank || b >= ind->rank) {
    diag_node_error(ST_BAD_MODEL, c->n, "batch_dims %lld must be below both data's rank %d and indices' rank %d",
                    (long long)b, x->rank, ind->rank);
    return -1;
  }
  for (d = 0; d < (int)b; d++)
    if (x->dims[d] != ind->dims[d]) {
      diag_node_error(ST_BAD_MODEL, c->n, "batch dim %d is %lld in data but %lld in indices", d,
                      (long long)x->dims[d], (long long)ind->dims[d]);
      return -1;
    }
  return (int)b;
}

static status gathernd_infer(op_ctx *c, const ir_tensor *x) {
  const ir_tensor *ind;
  int64_t dims[IR_MAX_RANK];
  int b, k, q, r, d;
  status s;
  OP_REQUIRE_INPUT(c, 1);
  ind = &op_in(c, 1)->t;
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot gather from a scalar");
  if ((s = check_indices_type(c, ind)) != ST_OK) return s;
  q = ind->rank;
  if (q < 1) return diag_node_error(ST_BAD_MODEL, c->n, "indices must have rank 1 or more, not 0");
  if ((b = gathernd_batch(c, x, ind)) < 0) return ST_BAD_MODEL;
  if (ind->dims[q - 1] < 1 || ind->dims[q - 1] > x->rank - b)
    return diag_node_error(ST_BAD_MODEL, c->n, "the last dim of indices (%lld) must be between 1 and %d",
                           (long long)ind->dims[q - 1], x->rank - b);
  k = (int)ind->dims[q - 1];
  if (!movable(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  /* output: indices.shape[:-1] + data.shape[b + k:] */
  r = q - 1 + x->rank - b - k;
  if (r > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "output rank %d is above %d", r, IR_MAX_RANK);
  for (d = 0; d < q - 1; d++) dims[d] = ind->dims[d];
  for (d = b + k; d < x->rank; d++) dims[q - 1 + d - b - k] = x->dims[d];
  if ((s = check_const_indices(c, ind, &x->dims[b], k)) != ST_OK) return s;
  op_set_output(c, 0, x->dtype, r, dims);
  return ST_OK;
}

static status gathernd_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *ind = &op_in(c, 1)->t;
  const int64_t es = (int64_t)dtype_size(x->dtype);
  const int b = gathernd_batch(c, x, ind), k = (int)ind->dims[ind->rank - 1];
  int64_t strides[IR_MAX_RANK];
  rt_gathernd_params *p;
  int d;
  if (b < 0) return ST_BAD_MODEL;
  p = op_lower_as(c, l, PD_rt_gathernd_params, "rt_gathernd_%s", idx_suffix(ind));
  if (!p) return ST_UNSUPPORTED;
  op_strides(x->rank, x->dims, strides);
  p->k = k;
  p->batch = prod(x->dims, 0, b);
  p->n_idx = prod(ind->dims, b, ind->rank - 1);
  p->batch_bytes = prod(x->dims, b, x->rank) * es;
  p->slice_bytes = prod(x->dims, b + k, x->rank) * es;
  for (d = 0; d < k; d++) {
    p->dims[d] = x->dims[b + d];
    p->strides[d] = strides[b + d] * es;
  }
  return ST_OK;
}

static status scatter_infer(op_ctx *c) {
  OP_REQUIRE_INPUT(c, 0);
  switch (c->n->op) {
  case OP_Scatter:
  case OP_ScatterElements: return scatter_elements_infer(c, &op_in(c, 0)->t);
  case OP_ScatterND: return scatternd_infer(c, &op_in(c, 0)->t);
  default: return gathernd_infer(c, &op_in(c, 0)->t);
  }
}

static status scatter_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  switch (c->n->op) {
  case OP_Scatter:
  case OP_ScatterElements: return scatter_elements_lower(c, l, x);
  case OP_ScatterND: return scatternd_lower(c, l, x);
  default: return gathernd_lower(c, l, x);
  }
}

const op_family op_family_scatter = {scatter_infer, scatter_lower, 0, 0};
