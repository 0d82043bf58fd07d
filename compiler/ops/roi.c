/* RoiAlign (rt_roi_align_T, kernels/roi.h): X [N, C, H, W], rois [R, 4]
 * and batch_indices [R] give [R, C, output_height, output_width].
 *
 * Sizes may vary at run time (bound into the params). Opset 16 added
 * coordinate_transformation_mode with half_pixel as its default; before,
 * RoiAlign behaved as output_half_pixel. A batch index outside [0, N) is
 * refused at run time (RT_ERR_VALUE). */
#include "../dimexpr.h"
#include "ops.h"

static const char *const roi_modes[] = {"avg", "max"};
static const char *const roi_coords[] = {"output_half_pixel", "half_pixel"};

/* Checks the operands and reads the attributes: *mode (enum rt_roi_mode),
 * *half_pixel, the output's height and width. */
static status roi_check(const op_ctx *c, int *mode, int *half_pixel, int64_t *oh, int64_t *ow) {
  const ir_tensor *x = &op_in(c, 0)->t, *rois = &op_in(c, 1)->t, *bi = &op_in(c, 2)->t;
  status s;
  if ((s = op_attr_enum(c, "mode", "avg", roi_modes, 2, mode)) != ST_OK) return s;
  *half_pixel = 0;
  if (c->opset >= 16 &&
      (s = op_attr_enum(c, "coordinate_transformation_mode", "half_pixel", roi_coords, 2, half_pixel)) != ST_OK)
    return s;
  *oh = attr_int(c->n, "output_height", 1);
  *ow = attr_int(c->n, "output_width", 1);
  if (*oh < 1 || *ow < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "output_height and output_width must be at least 1");
  if (attr_int(c->n, "sampling_ratio", 0) < 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "sampling_ratio must not be negative");
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float, double)",
                           dtype_name(x->dtype));
  if (x->rank != 4) return diag_node_error(ST_BAD_MODEL, c->n, "X must be [N, C, H, W], not of rank %d", x->rank);
  if (rois->dtype != x->dtype || rois->rank != 2 || rois->sym[1] || rois->dims[1] != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "rois must be [R, 4] of X's element type");
  if (bi->dtype != DT_INT64 || bi->rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "batch_indices must be a 1-D int64 tensor");
  return ST_OK;
}

static status roi_infer(op_ctx *c) {
  const ir_tensor *x, *rois;
  int mode, half_pixel, exprs[4];
  int64_t oh, ow;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  if ((s = roi_check(c, &mode, &half_pixel, &oh, &ow)) != ST_OK) return s;
  x = &op_in(c, 0)->t;
  rois = &op_in(c, 1)->t;
  if ((s = op_check_equal(c, ir_dim(c->g, rois, 0), ir_dim(c->g, &op_in(c, 2)->t, 0),
                          "the number of rois and of batch_indices")) != ST_OK)
    return s;
  exprs[0] = ir_dim(c->g, rois, 0);
  exprs[1] = ir_dim(c->g, x, 1);
  exprs[2] = dx_const(op_dx(c), oh);
  exprs[3] = dx_const(op_dx(c), ow);
  op_set_output_exprs(c, 0, x->dtype, 4, exprs);
  return ST_OK;
}

static status roi_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_roi_align_params *p;
  int mode, half_pixel;
  int64_t oh, ow;
  status s;
  if ((s = roi_check(c, &mode, &half_pixel, &oh, &ow)) != ST_OK) return s;
  p = op_lower_as(c, l, PD_rt_roi_align_params, "rt_roi_align_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->rois, ir_dim(c->g, &op_in(c, 1)->t, 0));
  op_bind(c, l, &p->n, ir_dim(c->g, x, 0));
  op_bind(c, l, &p->c, ir_dim(c->g, x, 1));
  op_bind(c, l, &p->h, ir_dim(c->g, x, 2));
  op_bind(c, l, &p->w, ir_dim(c->g, x, 3));
  p->out_h = oh;
  p->out_w = ow;
  p->sampling_ratio = attr_int(c->n, "sampling_ratio", 0);
  p->spatial_scale = attr_float(c->n, "spatial_scale", 1.0f);
  p->half_pixel = half_pixel;
  p->mode = mode;
  l->status_slot = 1;
  return ST_OK;
}

const op_family op_family_roi = {roi_infer, roi_lower, 1, 0};
