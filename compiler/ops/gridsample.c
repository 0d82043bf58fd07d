/* GridSample (rt_gridsample_f32, rt_gridsample_f64): x [N, C, d1..dr]
 * sampled at the normalised points of grid [N, o1..or, r]. */
#include <string.h>

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
  if (g->dims[0] != x->dims[0])
    return diag_node_error(ST_BAD_MODEL, c->n, "the grid's batch is %lld, the input's %lld", (long long)g->dims[0],
                           (long long)x->dims[0]);
  if (g->dims[g->rank - 1] != r)
    return diag_node_error(ST_BAD_MODEL, c->n, "the grid's last dim is %lld; %d spatial dims need %d",
                           (long long)g->dims[g->rank - 1], r, r);
  for (i = 0; i < r; i++)
    if (x->dims[2 + i] == 0 && tensor_numel(g) > 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot sample an input with spatial dim %d of size 0", i);
  return ST_OK;
}

static status gs_infer(op_ctx *c) {
  const ir_tensor *x, *g;
  int64_t dims[IR_MAX_RANK];
  int mode, padding, i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if ((s = gs_check(c, &mode, &padding)) != ST_OK) return s;
  x = &op_in(c, 0)->t;
  g = &op_in(c, 1)->t;
  dims[0] = x->dims[0];
  dims[1] = x->dims[1];
  for (i = 1; i < g->rank - 1; i++) dims[1 + i] = g->dims[i];
  op_set_output(c, 0, x->dtype, x->rank, dims);
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
  p->n = x->dims[0];
  p->c = x->dims[1];
  p->rank = x->rank - 2;
  for (i = 0; i < p->rank; i++) {
    p->in_dims[i] = x->dims[2 + i];
    p->out_dims[i] = g->dims[1 + i];
  }
  p->align_corners = attr_int(c->n, "align_corners", 0) != 0;
  p->mode = mode;
  p->padding = padding;
  return ST_OK;
}

const op_family op_family_gridsample = {gs_infer, gs_lower, 0, 0};
