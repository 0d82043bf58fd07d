/* Ops whose output count only the data decides: NonMaxSuppression (rt_nms)
 * and Unique (rt_unique_T); kernels/detect.h.
 *
 * The count is a run-time dim (op_data_dim) bounded by what the input
 * shapes allow; the kernel finds it and reports it itself
 * (lowered.defines_after), writing its outputs densely into buffers sized
 * for the bound. A bound of 0 makes the count the constant 0. Both take
 * inputs with symbolic dims: their sizes are bound at run time. */
#include <stdio.h>

#include "../dimexpr.h"
#include "ops.h"

/* The count of what the kernel finds: the node's run-time dim 0, bounded
 * by `bound`, or the constant 0 when nothing can be found. -1 after an
 * error. */
static int found_count(const op_ctx *c, int64_t bound, const char *what) {
  if (bound == 0) return dx_const(op_dx(c), 0);
  return op_data_dim(c, 0, bound, what);
}

/* The lowering reports the count when it is the node's run-time dim e. */
static status define_found(const op_ctx *c, lowered *l, int e) {
  if (!op_is_data_dim(c, e, 0)) return ST_OK;
  l->defines_after = 1;
  return op_define(c, l, e);
}

/* ---- NonMaxSuppression ---- */

/* NonMaxSuppression's optional scalar input k (max_output_boxes_per_class,
 * iou_threshold, score_threshold): element type dtype, one value, constant
 * or read by the kernel at run time. */
static status nms_scalar(const op_ctx *c, int k, int dtype, const char *what) {
  const ir_value *v = op_in(c, k);
  if (!v) return ST_OK;
  if (v->t.dtype != dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must be %s, not %s", what, dtype_name(dtype),
                           dtype_name(v->t.dtype));
  if (tensor_is_symbolic(&v->t) || tensor_numel(&v->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must hold one value", what);
  return ST_OK;
}

/* The boxes kept per batch and class at most: max_output_boxes_per_class
 * when constant (0 when absent, as the spec's default; a negative one
 * keeps none, as ONNX Runtime), else -1 (known at run time). */
static int64_t nms_max_out(const op_ctx *c) {
  const ir_value *v = op_in(c, 2);
  int64_t m;
  if (!v) return 0;
  if (!v->t.data) return -1;
  m = tensor_int(&v->t, 0);
  return m < 0 ? 0 : m;
}

static status nms_infer(op_ctx *c) {
  const ir_tensor *boxes, *scores;
  const int64_t cpb = attr_int(c->n, "center_point_box", 0), max_out = nms_max_out(c);
  int64_t per_class;
  int exprs[2];
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  boxes = &op_in(c, 0)->t;
  scores = &op_in(c, 1)->t;
  if (boxes->dtype != DT_FLOAT || scores->dtype != DT_FLOAT)
    return diag_node_error(ST_BAD_MODEL, c->n, "boxes and scores must be float");
  if (boxes->rank != 3 || scores->rank != 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "boxes and scores must have rank 3, not %d and %d", boxes->rank,
                           scores->rank);
  if (boxes->sym[2] || boxes->dims[2] != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "boxes must have 4 values per box");
  if (cpb != 0 && cpb != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "center_point_box must be 0 or 1, not %lld", (long long)cpb);
  if ((s = op_check_equal(c, ir_dim(c->g, boxes, 0), ir_dim(c->g, scores, 0), "the batch counts of boxes and scores")) ||
      (s = op_check_equal(c, ir_dim(c->g, boxes, 1), ir_dim(c->g, scores, 2), "the box counts of boxes and scores")))
    return s;
  if ((s = nms_scalar(c, 2, DT_INT64, "max_output_boxes_per_class")) ||
      (s = nms_scalar(c, 3, DT_FLOAT, "iou_threshold")) || (s = nms_scalar(c, 4, DT_FLOAT, "score_threshold")))
    return s;
  if (op_in(c, 3) && op_in(c, 3)->t.data) {
    /* a run-time one out of range makes the run fail (rt_nms) */
    const double iou = tensor_double(&op_in(c, 3)->t, 0);
    if (!(iou >= 0 && iou <= 1)) return diag_node_error(ST_BAD_MODEL, c->n, "iou_threshold must be in [0, 1]");
  }
  per_class = max_out >= 0 && max_out < boxes->dims[1] ? max_out : boxes->dims[1];
  exprs[0] = found_count(c, boxes->dims[0] * scores->dims[1] * per_class, "NonMaxSuppression's box count");
  if (exprs[0] < 0) return ST_UNSUPPORTED;
  exprs[1] = dx_const(op_dx(c), 3);
  op_set_output_exprs(c, 0, DT_INT64, 2, exprs);
  return ST_OK;
}

static status nms_lower(op_ctx *c, lowered *l) {
  const ir_tensor *boxes = &op_in(c, 0)->t, *scores = &op_in(c, 1)->t;
  rt_nms_params *p = op_lower_as(c, l, PD_rt_nms_params, "rt_nms");
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->batches, ir_dim(c->g, boxes, 0));
  op_bind(c, l, &p->classes, ir_dim(c->g, scores, 1));
  op_bind(c, l, &p->spatial, ir_dim(c->g, boxes, 1));
  p->center_point_box = (int32_t)attr_int(c->n, "center_point_box", 0);
  l->scratch_bytes = (size_t)RT_NMS_SCRATCH(boxes->dims[1]);
  return define_found(c, l, ir_dim(c->g, &op_out(c, 0)->t, 0));
}

/* ---- Unique ---- */

/* The element types with a rt_unique_T variant. */
static int unique_dtype_ok(int dt) {
  switch (dt) {
  case DT_FLOAT: case DT_DOUBLE: case DT_FLOAT16: case DT_BFLOAT16: case DT_INT8: case DT_INT16: case DT_INT32:
  case DT_INT64: case DT_UINT8: case DT_UINT16: case DT_UINT32: case DT_UINT64: case DT_BOOL: return 1;
  default: return 0;
  }
}

/* Unique's axis, normalised; -1 without one (the items are the elements). */
static status unique_axis(const op_ctx *c, int *axis) {
  const ir_attr *a = ir_attr_find(c->n, "axis");
  *axis = -1;
  if (!a) return ST_OK;
  if (op_in(c, 0)->t.rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "a scalar has no axis");
  return op_axis(c, a->i, op_in(c, 0)->t.rank, axis);
}

static status unique_infer(op_ctx *c) {
  const ir_tensor *x;
  int axis, u, n, exprs[IR_MAX_RANK], d;
  int64_t bound;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (!unique_dtype_ok(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = unique_axis(c, &axis))) return s;
  bound = axis < 0 ? tensor_numel(x) : x->dims[axis];
  n = axis < 0 ? ir_dims_product(c->g, x, 0, x->rank) : ir_dim(c->g, x, axis);
  if ((u = found_count(c, bound, "Unique's count")) < 0) return ST_UNSUPPORTED;
  if (axis < 0) {
    op_set_output_exprs(c, 0, x->dtype, 1, &u);
  } else {
    for (d = 0; d < x->rank; d++) exprs[d] = d == axis ? u : ir_dim(c->g, x, d);
    op_set_output_exprs(c, 0, x->dtype, x->rank, exprs);
  }
  op_set_output_exprs(c, 1, DT_INT64, 1, &u);
  op_set_output_exprs(c, 2, DT_INT64, 1, &n);
  op_set_output_exprs(c, 3, DT_INT64, 1, &u);
  return ST_OK;
}

static status unique_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_unique_params *p = op_lower_as(c, l, PD_rt_unique_params, "rt_unique_%s", op_dtype_suffix(x->dtype));
  int axis;
  status s;
  if (!p) return ST_UNSUPPORTED;
  if ((s = unique_axis(c, &axis))) return s;
  if (axis < 0) {
    p->outer = p->inner = 1;
    op_bind_product(c, l, &p->n, x, 0, x->rank);
  } else {
    op_bind_product(c, l, &p->outer, x, 0, axis);
    op_bind(c, l, &p->n, ir_dim(c->g, x, axis));
    op_bind_product(c, l, &p->inner, x, axis + 1, x->rank);
  }
  p->sorted = attr_int(c->n, "sorted", 1) != 0;
  p->n_out = c->n->n_out;
  l->scratch_bytes = (size_t)RT_UNIQUE_SCRATCH(axis < 0 ? tensor_numel(x) : x->dims[axis]);
  /* Y is required (the schema says so): its dims carry the count */
  return define_found(c, l, ir_dim(c->g, &op_out(c, 0)->t, axis < 0 ? 0 : axis));
}

static status detect_infer(op_ctx *c) {
  return c->n->op == OP_NonMaxSuppression ? nms_infer(c) : unique_infer(c);
}

static status detect_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_NonMaxSuppression ? nms_lower(c, l) : unique_lower(c, l);
}

const op_family op_family_detect = {detect_infer, detect_lower, 1, 0};
