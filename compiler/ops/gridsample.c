/* GridSample (rt_gridsample_f32, rt_gridsample_f64): x [N, C, d1..dr]
 * sampled at the normalised points of grid [N, o1..or, r]; and AffineGrid
 * (rt_affine_grid_T), which makes such grids: theta [N, r, r + 1] and the
 * size [N, C, d1..dr] give [N, d1..dr, r].
 *
 * Both take dims that vary at run time. AffineGrid's spatial dims come
 * from the values of `size`: dim expressions when it is constant or
 * computed from Shape, else the node's run-time dims 0..r-1 (bound:
 * --max-dynamic-dim), which its prepare kernel reads, checking size[0]
 * against theta's N. */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"

/* The modes' names by opset (16: bilinear/bicubic; 20 on: linear/cubic),
 * in the order of the runtime's enum (linear, nearest, cubic). */
static const char *const modes_16[] = {"bilinear", "nearest", "bicubic"};
static const char *const modes_20[] = {"linear", "nearest", "cubic"};
static const char *const paddings[] = {"zeros", "border", "reflection"};

/* Checks the node and reads its attributes into *mode and *padding (the
 * runtime's enum values). */
static status gs_check(const op_ctx *c, int *mode, int *padding) {
  const ir_tensor *x = &op_in(c, 0)->t, *g = &op_in(c, 1)->t;
  const int r = x->rank - 2;
  int i;
  status s;
  if ((s = op_attr_enum(c, "mode", c->opset >= 20 ? "linear" : "bilinear", c->opset >= 20 ? modes_20 : modes_16,
                        3, mode)) != ST_OK)
    return s;
  if ((s = op_attr_enum(c, "padding_mode", "zeros", paddings, 3, padding)) != ST_OK) return s;
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float, double)",
                           dtype_name(x->dtype));
  if (g->dtype != x->dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "a grid of %s for an input of %s is not supported (the same type)",
                           dtype_name(g->dtype), dtype_name(x->dtype));
  if (x->rank < 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "the input has rank %d; it must be [N, C, d1, ...]", x->rank);
  if (c->opset < 20 && x->rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "the input has rank %d; GridSample-%d takes [N, C, H, W]", x->rank,
                           (int)c->opset);
  if (r > 3)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%d spatial dims are not supported (at most 3)", r);
  if (g->rank != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "the grid has rank %d; the input's rank %d needs %d", g->rank,
                           x->rank, x->rank);
  if ((s = op_check_equal(c, ir_dim(c->g, g, 0), ir_dim(c->g, x, 0), "the grid's batch and the input's")) != ST_OK)
    return s;
  if (g->sym[g->rank - 1] || g->dims[g->rank - 1] != r)
    return diag_node_error(ST_BAD_MODEL, c->n, "the grid's last dim is %lld; %d spatial dims need %d",
                           (long long)g->dims[g->rank - 1], r, r);
  for (i = 0; i < r; i++)
    if (dx_lower(op_dx(c), ir_dim(c->g, x, 2 + i)) < 1 && tensor_numel(g) > 0)
      /* the kernel clamps taps into the image: it needs a pixel */
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot sample an input whose spatial dim %d may be 0", i);
  return ST_OK;
}

static status gs_infer(op_ctx *c) {
  const ir_tensor *x, *g;
  int exprs[IR_MAX_RANK];
  int mode, padding, i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if ((s = gs_check(c, &mode, &padding)) != ST_OK) return s;
  x = &op_in(c, 0)->t;
  g = &op_in(c, 1)->t;
  exprs[0] = ir_dim(c->g, x, 0);
  exprs[1] = ir_dim(c->g, x, 1);
  for (i = 1; i < g->rank - 1; i++) exprs[1 + i] = ir_dim(c->g, g, i);
  op_set_output_exprs(c, 0, x->dtype, x->rank, exprs);
  return ST_OK;
}

static status gs_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *g = &op_in(c, 1)->t;
  rt_gridsample_params *p;
  int mode, padding, i;
  status s;
  if ((s = gs_check(c, &mode, &padding)) != ST_OK) return s;
  p = op_lower_as(c, l, PD_rt_gridsample_params, "rt_gridsample_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->n, ir_dim(c->g, x, 0));
  op_bind(c, l, &p->c, ir_dim(c->g, x, 1));
  p->rank = x->rank - 2;
  for (i = 0; i < p->rank; i++) {
    op_bind(c, l, &p->in_dims[i], ir_dim(c->g, x, 2 + i));
    op_bind(c, l, &p->out_dims[i], ir_dim(c->g, g, 1 + i));
  }
  p->align_corners = attr_int(c->n, "align_corners", 0) != 0;
  p->mode = mode;
  p->padding = padding;
  return ST_OK;
}

/* ---- AffineGrid ---- */

/* Checks theta [N, r, r + 1] and size (int64 [r + 2]); *r gets r. */
static status ag_check(const op_ctx *c, int *r) {
  const ir_tensor *th = &op_in(c, 0)->t, *sz = &op_in(c, 1)->t;
  if (th->dtype != DT_FLOAT && th->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float, double)",
                           dtype_name(th->dtype));
  if (sz->dtype != DT_INT64 || sz->rank != 1 || sz->sym[0] || (sz->dims[0] != 4 && sz->dims[0] != 5))
    return diag_node_error(ST_BAD_MODEL, c->n, "size must be an int64 tensor of 4 or 5 values");
  *r = (int)sz->dims[0] - 2;
  if (th->rank != 3 || th->sym[1] || th->sym[2] || th->dims[1] != *r || th->dims[2] != *r + 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "theta must be [N, %d, %d] for a size of %d values", *r, *r + 1,
                           *r + 2);
  return ST_OK;
}

static status ag_infer(op_ctx *c) {
  const ir_tensor *th;
  int exprs[IR_MAX_RANK], sizes[5], r, k;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if ((s = ag_check(c, &r)) != ST_OK) return s;
  th = &op_in(c, 0)->t;
  exprs[0] = ir_dim(c->g, th, 0);
  exprs[r + 1] = dx_const(op_dx(c), r);
  if (op_in(c, 1)->t.data || op_in(c, 1)->symvals) {
    if (op_const_exprs(c, 1, sizes, 5, "size") < 0) return ST_UNSUPPORTED;
    for (k = 0; k < r + 2; k++)
      if (dx_lower(op_dx(c), sizes[k]) < 0) return diag_node_error(ST_BAD_MODEL, c->n, "size has a negative value");
    if ((s = op_check_equal(c, sizes[0], exprs[0], "size[0] and theta's N")) != ST_OK) return s;
    for (k = 0; k < r; k++) exprs[1 + k] = sizes[2 + k];
  } else {
    for (k = 0; k < r; k++)
      if ((exprs[1 + k] = op_data_dim(c, k, 0, "AffineGrid's size")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, th->dtype, r + 2, exprs);
  return ST_OK;
}

static status ag_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_affine_grid_params *p;
  int r, k;
  status s;
  if ((s = ag_check(c, &r)) != ST_OK) return s;
  p = op_lower_as(c, l, PD_rt_affine_grid_params, "rt_affine_grid_%s", op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->n, ir_dim(c->g, y, 0));
  p->rank = r;
  p->align_corners = attr_int(c->n, "align_corners", 0) != 0;
  for (k = 0; k < r; k++) op_bind(c, l, &p->dims[k], ir_dim(c->g, y, 1 + k));
  if (op_is_data_dim(c, ir_dim(c->g, y, 1), 0)) {
    if (!op_prepare_as(c, l, PD_rt_affine_grid_params, "rt_affine_grid_prepare")) return ST_UNSUPPORTED;
    for (k = 0; k < r; k++)
      if (op_define(c, l, ir_dim(c->g, y, 1 + k))) return ST_INTERNAL;
  }
  return ST_OK;
}

static status gridsample_infer(op_ctx *c) { return c->n->op == OP_AffineGrid ? ag_infer(c) : gs_infer(c); }
static status gridsample_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_AffineGrid ? ag_lower(c, l) : gs_lower(c, l);
}

const op_family op_family_gridsample = {gridsample_infer, gridsample_lower, 1, 0};
