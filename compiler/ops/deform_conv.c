/* DeformConv (rt_deform_conv_f32; kernels/deform_conv.h): Conv's geometry
 * (conv_geometry_at, shared_shapes.h) with per-position tap offsets and an
 * optional mask.
 *
 * Float only (float16 and bfloat16 are refused; double has no kernel
 * yet), 2 spatial dims only (the ones models use). The batch and the
 * image size may vary at run time, as Conv's do; offset's and mask's dims
 * are checked against them before the node runs. */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"
#include "shared_shapes.h"

/* Input i ("offset" or "mask"), when given, must be float [batch,
 * offset_group * kh * kw * per_tap, oh, ow]. */
static status dc_operand(const op_ctx *c, int i, const char *what, const conv_geom *g, int64_t groups,
                         int64_t per_tap) {
  const ir_tensor *t = op_in(c, i) ? &op_in(c, i)->t : NULL;
  int want[4], d;
  status s;
  if (!t) return ST_OK;
  if (t->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (%s; float only)",
                           dtype_name(t->dtype), what);
  if (t->rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must be [batch, channels, output height, output width]", what);
  want[0] = g->batch_e;
  want[1] = dx_const(op_dx(c), groups * g->kernel[0] * g->kernel[1] * per_tap);
  want[2] = g->out_e[0];
  want[3] = g->out_e[1];
  for (d = 0; d < 4; d++)
    if ((s = op_check_equal(c, ir_dim(c->g, t, d), want[d], what)) != ST_OK) return s;
  return ST_OK;
}

/* Checks the node; *groups gets offset_group. */
static status dc_check(op_ctx *c, conv_geom *g, int64_t *groups) {
  const ir_tensor *x;
  status s;
  *groups = 1;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  x = &op_in(c, 0)->t;
  if (x->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float only)",
                           dtype_name(x->dtype));
  if (op_in(c, 1)->t.dtype != DT_FLOAT || (op_in(c, 3) && op_in(c, 3)->t.dtype != DT_FLOAT))
    return diag_node_error(ST_BAD_MODEL, c->n, "W and B must have X's element type");
  if (x->rank != 4)
    return diag_node_error(ST_UNSUPPORTED, c->n, "X has rank %d: only 2 spatial dims are supported", x->rank);
  if ((s = conv_geometry_at(c, g, 1, 3)) != ST_OK) return s;
  *groups = attr_int(c->n, "offset_group", 1);
  if (*groups < 1 || g->in_ch % *groups)
    return diag_node_error(ST_BAD_MODEL, c->n, "offset_group=%lld must be positive and divide the %lld channels",
                           (long long)*groups, (long long)g->in_ch);
  if ((s = dc_operand(c, 2, "offset", g, *groups, 2)) != ST_OK) return s;
  return dc_operand(c, 4, "mask", g, *groups, 1);
}

static status dc_infer(op_ctx *c) {
  conv_geom g;
  int64_t groups;
  status s = dc_check(c, &g, &groups);
  if (s) return s;
  return conv_infer_output(c, &g, DT_FLOAT);
}

static status dc_lower(op_ctx *c, lowered *l) {
  conv_geom g;
  rt_conv_params geo;
  rt_deform_conv_params *p;
  int64_t groups;
  status s = dc_check(c, &g, &groups);
  if (s) return s;
  p = LOWER(l, rt_deform_conv_f32, rt_deform_conv_params);
  conv_geom_params(&g, op_in(c, 3) != NULL, &geo);
  /* rt_deform_conv_params begins with rt_conv_params' fields, in order */
  memcpy(p, &geo, sizeof geo);
  p->offset_group = groups;
  conv_bind_dims(c, l, &g, &p->batch, p->in_dims, p->out_dims, p->pads);
  return ST_OK;
}

const op_family op_family_deform_conv = {dc_infer, dc_lower, 1, 0};
