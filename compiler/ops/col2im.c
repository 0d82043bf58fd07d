/* Col2Im (opset 18): column blocks summed back into an image (kernel in
 * col2im.h).
 *
 * The output's channels and image dims follow from the values of
 * image_shape and block_shape. When both are constants, rt_col2im_resolve
 * checks them now and the dims are numbers; otherwise the channels and
 * image dims are run-time dims (the channels bounded by x's dim 1, the
 * image dims by --max-dynamic-dim) that rt_col2im_prepare reads and checks
 * with the same rule. x's own dims must be known (op_family symbolic 0). */
#include <stdint.h>

#include "../dimexpr.h"
#include "ops.h"

/* An INTS attribute of nsp values (2 * nsp for pads) in [lo, INT32_MAX]
 * into field, or `dflt` for each when absent. */
static status col2im_ints(const op_ctx *c, const char *name, int count, int64_t lo, int64_t dflt, int64_t *field) {
  const int64_t *a = NULL;
  int n = attr_ints(c->n, name, &a), i;
  if (n >= 0 && n != count)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s has %d values, expected %d", name, n, count);
  for (i = 0; i < count; i++) {
    field[i] = n >= 0 ? a[i] : dflt;
    if (field[i] < lo || field[i] > INT32_MAX)
      return diag_node_error(ST_BAD_MODEL, c->n, "%s[%d] is %lld; it must be in [%lld, %d]", name, i,
                             (long long)field[i], (long long)lo, INT32_MAX);
  }
  return ST_OK;
}

/* Everything of the params but the values of image_shape and block_shape;
 * the number of spatial dims from image_shape's length. */
static status col2im_params(const op_ctx *c, rt_col2im_params *p) {
  const ir_tensor *x = &op_in(c, 0)->t, *img = &op_in(c, 1)->t, *blk = &op_in(c, 2)->t;
  int64_t pads[2 * RT_MAX_RANK];
  int d;
  status s;
  if (x->rank != 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "input has rank %d; Col2Im needs [N, C * block, L]", x->rank);
  if (img->dtype != DT_INT64 || blk->dtype != DT_INT64 || img->rank != 1 || blk->rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "image_shape and block_shape must be 1-D int64 tensors");
  if (img->dims[0] != blk->dims[0] || img->dims[0] < 1 || img->dims[0] + 2 > IR_MAX_RANK)
    return diag_node_error(ST_UNSUPPORTED, c->n,
                           "image_shape and block_shape must have the same length, 1 to %d (they have %lld and %lld)",
                           IR_MAX_RANK - 2, (long long)img->dims[0], (long long)blk->dims[0]);
  p->nsp = (int32_t)img->dims[0];
  p->n = x->dims[0];
  p->channels = x->dims[1];
  p->l = x->dims[2];
  if ((s = col2im_ints(c, "strides", p->nsp, 1, 1, p->strides))) return s;
  if ((s = col2im_ints(c, "dilations", p->nsp, 1, 1, p->dilations))) return s;
  if ((s = col2im_ints(c, "pads", 2 * p->nsp, 0, 0, pads))) return s;
  for (d = 0; d < p->nsp; d++) {
    p->pad_begin[d] = pads[d];
    p->pad_end[d] = pads[p->nsp + d];
  }
  return ST_OK;
}

/* Whether both shapes are constants (the dims are known now). */
static int col2im_constant(const op_ctx *c) { return op_in(c, 1)->t.data && op_in(c, 2)->t.data; }

/* The params with the constant shapes' values, checked. */
static status col2im_resolve_now(const op_ctx *c, rt_col2im_params *p) {
  int d;
  for (d = 0; d < p->nsp; d++) {
    p->img[d] = tensor_int(&op_in(c, 1)->t, d);
    p->block[d] = tensor_int(&op_in(c, 2)->t, d);
  }
  if (rt_col2im_resolve(p))
    return diag_node_error(ST_BAD_MODEL, c->n,
                           "the blocks do not fit: channels must be a multiple of the block size and L the number of "
                           "block positions in the padded image");
  return ST_OK;
}

static status col2im_infer(op_ctx *c) {
  dx_table *dx = op_dx(c);
  rt_col2im_params p = {0};
  int dims[IR_MAX_RANK], d;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  if (op_in(c, 0)->t.dtype != DT_FLOAT && op_in(c, 0)->t.dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported",
                           dtype_name(op_in(c, 0)->t.dtype));
  if ((s = col2im_params(c, &p))) return s;
  dims[0] = dx_const(dx, p.n);
  if (col2im_constant(c)) {
    if ((s = col2im_resolve_now(c, &p))) return s;
    dims[1] = dx_const(dx, p.c);
    for (d = 0; d < p.nsp; d++) dims[2 + d] = dx_const(dx, p.img[d]);
  } else {
    if ((dims[1] = op_data_dim(c, 0, p.channels, "Col2Im's channels")) < 0) return ST_UNSUPPORTED;
    for (d = 0; d < p.nsp; d++)
      if ((dims[2 + d] = op_data_dim(c, 1 + d, 0, "Col2Im's image dims")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, op_in(c, 0)->t.dtype, 2 + p.nsp, dims);
  return ST_OK;
}

static status col2im_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_col2im_params *p = op_lower_as(c, l, PD_rt_col2im_params, "rt_col2im_%s", op_dtype_suffix(y->dtype));
  status s;
  int d;
  if (!p) return ST_UNSUPPORTED;
  if ((s = col2im_params(c, p))) return s;
  if (col2im_constant(c)) return col2im_resolve_now(c, p);
  /* the prepare fills block and checks; c and img are the dims it defines */
  op_bind(c, l, &p->c, ir_dim(c->g, y, 1));
  for (d = 0; d < p->nsp; d++) op_bind(c, l, &p->img[d], ir_dim(c->g, y, 2 + d));
  if (!op_prepare_as(c, l, PD_rt_col2im_params, "rt_col2im_prepare")) return ST_UNSUPPORTED;
  for (d = 0; d < 1 + p->nsp; d++)
    if (op_define(c, l, ir_dim(c->g, y, 1 + d))) return ST_INTERNAL;
  return ST_OK;
}

const op_family op_family_col2im = {col2im_infer, col2im_lower, 0, 0};
