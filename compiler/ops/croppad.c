/* CenterCropPad (opset 18): crops or zero-pads the listed axes to the
 * sizes of `shape`, centred. It lowers to Pad's constant kernel
 * (rt_pad_constant_W), whose begin per axis is where the input starts in
 * the output (negative: cropped). A constant shape gives the sizes and
 * begins now; a shape read at run time gives run-time dims (bounded by
 * --max-dynamic-dim) that rt_center_crop_pad_prepare writes, with the
 * begins. Input dims that vary at run time are refused (op_family
 * symbolic 0): the begins follow from them. */
#include <stdio.h>

#include "../dimexpr.h"
#include "ops.h"

/* The axes `shape` lists (the attribute, or every axis), normalised. */
static status croppad_axes(const op_ctx *c, int rank, int *axes, int *na) {
  const int64_t *a = NULL;
  int n = attr_ints(c->n, "axes", &a), i, j;
  if (n < 0) {
    for (i = 0; i < rank; i++) axes[i] = i;
    *na = rank;
    return ST_OK;
  }
  if (n > rank) return diag_node_error(ST_BAD_MODEL, c->n, "%d axes for rank %d", n, rank);
  for (i = 0; i < n; i++) {
    status s = op_axis(c, a[i], rank, &axes[i]);
    if (s) return s;
    for (j = 0; j < i; j++)
      if (axes[j] == axes[i]) return diag_node_error(ST_BAD_MODEL, c->n, "axis %d is listed twice", axes[i]);
  }
  *na = n;
  return ST_OK;
}

static status croppad_infer(op_ctx *c) {
  const ir_tensor *x, *shape;
  int axes[IR_MAX_RANK], na, dims[IR_MAX_RANK], d, i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  shape = &op_in(c, 1)->t;
  if (dtype_size(x->dtype) == 0 || dtype_size(x->dtype) > 8)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (shape->dtype != DT_INT64 && shape->dtype != DT_INT32)
    return diag_node_error(ST_BAD_MODEL, c->n, "shape must be int32 or int64, not %s", dtype_name(shape->dtype));
  if ((s = croppad_axes(c, x->rank, axes, &na))) return s;
  if (shape->rank != 1 || shape->dims[0] != na)
    return diag_node_error(ST_BAD_MODEL, c->n, "shape must hold one size for each of the %d axes", na);
  for (d = 0; d < x->rank; d++) dims[d] = ir_dim(c->g, x, d);
  for (i = 0; i < na; i++) {
    if (shape->data) {
      if (tensor_int(shape, i) < 0)
        return diag_node_error(ST_BAD_MODEL, c->n, "shape[%d] is %lld; sizes must be 0 or more", i,
                               (long long)tensor_int(shape, i));
      dims[axes[i]] = dx_const(op_dx(c), tensor_int(shape, i));
    } else if ((dims[axes[i]] = op_data_dim(c, i, 0, "CenterCropPad's output")) < 0) {
      return ST_UNSUPPORTED;
    }
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

/* The prepare kernel for a shape read at run time: it writes the sizes
 * (the node's run-time dims, in axes order) and the begins. */
static status croppad_prepare(op_ctx *c, lowered *l, const int *axes, int na) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  rt_croppad_prepare_params *q =
      op_prepare_as(c, l, PD_rt_croppad_prepare_params, "rt_center_crop_pad_prepare");
  int i, d;
  if (!q) return ST_UNSUPPORTED;
  q->rank = x->rank;
  q->naxes = na;
  q->shape_i32 = op_in(c, 1)->t.dtype == DT_INT32;
  for (d = 0; d < x->rank; d++) q->in_dims[d] = x->dims[d];
  for (i = 0; i < na; i++) {
    q->axes[i] = axes[i];
    if (op_define(c, l, ir_dim(c->g, y, axes[i]))) return ST_INTERNAL;
  }
  return ST_OK;
}

static status croppad_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t, *shape = &op_in(c, 1)->t;
  int axes[IR_MAX_RANK], na, i;
  rt_pad_params *p;
  status s = croppad_axes(c, x->rank, axes, &na);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_pad_params, "rt_pad_constant_%dbit", (int)dtype_size(x->dtype) * 8);
  if (!p) return ST_UNSUPPORTED;
  p->rank = x->rank;
  p->esize = (int64_t)dtype_size(x->dtype);
  op_bind_dims(c, l, p->in_dims, x);
  op_bind_dims(c, l, p->out_dims, y);
  if (!shape->data) return croppad_prepare(c, l, axes, na);
  for (i = 0; i < na; i++) p->begin[axes[i]] = rt_center_crop_pad_begin(x->dims[axes[i]], tensor_int(shape, i));
  return ST_OK;
}

const op_family op_family_croppad = {croppad_infer, croppad_lower, 0, 0};
