/* ImageDecoder (kernels/image.h): the encoded file is read at run time, so
 * the image's height and width are dims the kernel finds and writes
 * (lowered.defines_after), bounded by --max-dynamic-dim; a larger image
 * fails the run (RT_ERR_SHAPE through the node's status slot). */
#include "../dimexpr.h"
#include "ops.h"

static const char *const pixel_formats[] = {"RGB", "BGR", "Grayscale"};

static status image_infer(op_ctx *c) {
  const ir_value *x;
  int exprs[3], format;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (x->t.dtype != DT_UINT8 || x->t.rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "encoded_stream must be a 1-D uint8 tensor, not %s of rank %d",
                           dtype_name(x->t.dtype), x->t.rank);
  if ((s = op_attr_enum(c, "pixel_format", "RGB", pixel_formats, 3, &format))) return s;
  if ((exprs[0] = op_data_dim(c, 0, 0, "ImageDecoder's height")) < 0) return ST_UNSUPPORTED;
  if ((exprs[1] = op_data_dim(c, 1, 0, "ImageDecoder's width")) < 0) return ST_UNSUPPORTED;
  exprs[2] = dx_const(op_dx(c), format == 2 ? 1 : 3);
  op_set_output_exprs(c, 0, DT_UINT8, 3, exprs);
  return ST_OK;
}

static status image_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  rt_image_params *p = op_lower_as(c, l, PD_rt_image_params, "rt_image_decode");
  int format = 0;
  if (!p) return ST_UNSUPPORTED;
  op_attr_enum(c, "pixel_format", "RGB", pixel_formats, 3, &format); /* infer checked it */
  p->format = format;
  p->max_h = y->dims[0]; /* the bounds */
  p->max_w = y->dims[1];
  op_bind_product(c, l, &p->nbytes, x, 0, 1);
  l->scratch_bytes = rt_image_scratch_bytes(x->dims[0], y->dims[0], y->dims[1]);
  l->status_slot = 1;
  l->defines_after = 1;
  if (op_define(c, l, ir_dim(c->g, y, 0)) || op_define(c, l, ir_dim(c->g, y, 1))) return ST_INTERNAL;
  return ST_OK;
}

const op_family op_family_image = {image_infer, image_lower, 1, 0};
