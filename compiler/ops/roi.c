/* RoiAlign (rt_roi_align_T, kernels/roi.h): X [N, C, H, W], rois [R, 4]
 * and batch_indices [R] give [R, C, output_height, output_width].
 * MaxRoiPool (rt_max_roi_pool_T, the same params): X and rois [R, 5]
 * (batch index, then the box) give [R, C, pooled_shape].
 *
 * Sizes may vary at run time (bound into the params). Opset 16 added
 * coordinate_transformation_mode with half_pixel as its default; before,
 * RoiAlign behaved as output_half_pixel. A batch index outside [0, N) is
 * refused at run time (RT_ERR_VALUE). */
#include "../dimexpr.h"
#include "ops.h"

static const char *const roi_modes[] = {"avg", "max"};
static const char *const roi_coords[] = {"output_half_pixel", "half_pixel"};

/* X must be float or double [N, C, H, W], rois [R, box] of its type. */
static status roi_operands(const op_ctx *c, int64_t box) {
  const ir_tensor *x = &op_in(c, 0)->t, *rois = &op_in(c, 1)->t;
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float, double)",
                           dtype_name(x->dtype));
  if (x->rank != 4) return diag_node_error(ST_BAD_MODEL, c->n, "X must be [N, C, H, W], not of rank %d", x->rank);
  if (rois->dtype != x->dtype || rois->rank != 2 || rois->sym[1] || rois->dims[1] != box)
    return diag_node_error(ST_BAD_MODEL, c->n, "rois must be [R, %lld] of X's element type", (long long)box);
  return ST_OK;
}

/* The output [R, C, oh, ow]. */
static void roi_output(op_ctx *c, int64_t oh, int64_t ow) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int exprs[4];
  exprs[0] = ir_dim(c->g, &op_in(c, 1)->t, 0);
  exprs[1] = ir_dim(c->g, x, 1);
  exprs[2] = dx_const(op_dx(c), oh);
  exprs[3] = dx_const(op_dx(c), ow);
  op_set_output_exprs(c, 0, x->dtype, 4, exprs);
}

/* Lowers to kernel `name`_T and binds the sizes; the params, or NULL
 * after reporting. */
static rt_roi_align_params *roi_lower_sizes(const op_ctx *c, lowered *l, const char *name, int64_t oh, int64_t ow) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_roi_align_params *p = op_lower_as(c, l, PD_rt_roi_align_params, "%s_%s", name, op_dtype_suffix(x->dtype));
  if (!p) return NULL;
  op_bind(c, l, &p->rois, ir_dim(c->g, &op_in(c, 1)->t, 0));
  op_bind(c, l, &p->n, ir_dim(c->g, x, 0));
  op_bind(c, l, &p->c, ir_dim(c->g, x, 1));
  op_bind(c, l, &p->h, ir_dim(c->g, x, 2));
  op_bind(c, l, &p->w, ir_dim(c->g, x, 3));
  p->out_h = oh;
  p->out_w = ow;
  p->spatial_scale = attr_float(c->n, "spatial_scale", 1.0f);
  l->status_slot = 1;
  return p;
}

/* Checks the operands and reads the attributes: *mode (enum rt_roi_mode),
 * *half_pixel, the output's height and width. */
static status roi_check(const op_ctx *c, int *mode, int *half_pixel, int64_t *oh, int64_t *ow) {
  const ir_tensor *bi = &op_in(c, 2)->t;
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
  if ((s = roi_operands(c, 4)) != ST_OK) return s;
  if (bi->dtype != DT_INT64 || bi->rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "batch_indices must be a 1-D int64 tensor");
  return ST_OK;
}

static status roi_align_infer(op_ctx *c) {
  int mode, half_pixel;
  int64_t oh, ow;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  if ((s = roi_check(c, &mode, &half_pixel, &oh, &ow)) != ST_OK) return s;
  if ((s = op_check_equal(c, ir_dim(c->g, &op_in(c, 1)->t, 0), ir_dim(c->g, &op_in(c, 2)->t, 0),
                          "the number of rois and of batch_indices")) != ST_OK)
    return s;
  roi_output(c, oh, ow);
  return ST_OK;
}

static status roi_align_lower(op_ctx *c, lowered *l) {
  rt_roi_align_params *p;
  int mode, half_pixel;
  int64_t oh, ow;
  status s;
  if ((s = roi_check(c, &mode, &half_pixel, &oh, &ow)) != ST_OK) return s;
  if (!(p = roi_lower_sizes(c, l, "rt_roi_align", oh, ow))) return ST_UNSUPPORTED;
  p->sampling_ratio = attr_int(c->n, "sampling_ratio", 0);
  p->half_pixel = half_pixel;
  p->mode = mode;
  return ST_OK;
}

/* MaxRoiPool's pooled_shape: two sizes of at least 1. */
static status pool_shape(const op_ctx *c, int64_t *oh, int64_t *ow) {
  const int64_t *ps;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if (attr_ints(c->n, "pooled_shape", &ps) != 2 || ps[0] < 1 || ps[1] < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "pooled_shape must hold two sizes of at least 1");
  *oh = ps[0];
  *ow = ps[1];
  if ((s = roi_operands(c, 5)) != ST_OK) return s;
  return ST_OK;
}

static status max_roi_pool_infer(op_ctx *c) {
  int64_t oh, ow;
  status s = pool_shape(c, &oh, &ow);
  if (s) return s;
  roi_output(c, oh, ow);
  return ST_OK;
}

static status max_roi_pool_lower(op_ctx *c, lowered *l) {
  int64_t oh, ow;
  status s = pool_shape(c, &oh, &ow);
  if (s) return s;
  return roi_lower_sizes(c, l, "rt_max_roi_pool", oh, ow) ? ST_OK : ST_UNSUPPORTED;
}

static status roi_infer(op_ctx *c) {
  return c->n->op == OP_MaxRoiPool ? max_roi_pool_infer(c) : roi_align_infer(c);
}

static status roi_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_MaxRoiPool ? max_roi_pool_lower(c, l) : roi_align_lower(c, l);
}

const op_family op_family_roi = {roi_infer, roi_lower, 1, 0};
