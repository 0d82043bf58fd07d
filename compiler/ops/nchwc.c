/* The compiler's own ops of the channel-blocked layout, which only the
 * layout-nchwc pass makes (passes/layout_nchwc.c; the layout is in
 * runtime/include/onnxcc/kernels/nchwc.h): a blocked tensor is a plain
 * float tensor [N, Cb, H, W, 16], Cb = ceil(C / 16).
 *
 *   ToBlocked(X [N, C, H, W]) -> [N, Cb, H, W, 16]
 *   FromBlocked(Xb) -> [N, channels, H, W]            (attribute channels)
 *   BlockedConv(Xb, W, B?, residual?) -> [N, ceil(M / 16), OH, OW, 16]
 *       a Conv of group 1 or a depthwise one (group = C = M), W [M, C /
 *       group, KH, KW] constant as ONNX has it, attributes group,
 *       strides, dilations and explicit pads (begins then ends) as Conv's,
 *       and the fused epilogue's (fuse-epilogue); the residual is blocked
 *       like the output, an input scale (fuse-channel-scale, input 4) is
 *       not. With X [N, C, H, W] itself (group 1, no input scale) it is
 *       the first conv of a chain, of a few input channels: its output is
 *       blocked all the same (rt_conv_f32_nchwc_stem).
 *   BlockedMaxPool(Xb) -> [N, Cb, OH, OW, 16]
 *       a 2-D MaxPool without Indices, attributes kernel_shape, strides,
 *       dilations and explicit pads as MaxPool's, and onnxcc.out, the
 *       output's [OH, OW] (the pass copies them from the MaxPool it
 *       replaces, whose inference applied ceil_mode).
 *   BlockedAveragePool(Xb) -> [N, Cb, OH, OW, 16]
 *       the same for a 2-D AveragePool, with its count_include_pad.
 *   BlockedGlobalAveragePool(Xb) -> [N, channels, 1, 1]     (attribute channels)
 *       back in NCHW: the pool's output is small, and what reads it (a
 *       squeeze-excitation block's FCs, a classifier) is not blocked.
 *       With attribute keepdims = 0 (a ReduceMean over H and W that the
 *       layout pass blocked), [N, channels]: the same floats.
 *   BlockedBatchNormalization(Xb, scale, B, mean, var) -> Xb's shape
 *       inference BatchNormalization of float X and parameters [channels]
 *       (attributes epsilon, channels). */
#include <string.h>

#include "ops.h"
#include "shared_shapes.h"

#define BLOCK RT_CONV_NCHWC_BLOCK

static int64_t blocks_of(int64_t ch) { return (ch + BLOCK - 1) / BLOCK; }

/* Output 0 becomes the blocked float tensor [n, blocks, h, w, 16]. */
static void set_blocked_output(op_ctx *c, int64_t n, int64_t blocks, int64_t h, int64_t w) {
  const int64_t dims[5] = {n, blocks, h, w, BLOCK};
  op_set_output(c, 0, DT_FLOAT, 5, dims);
}

/* The layout changes: rank 4 float tensors with exact dims. */
static status reorder_infer(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  int64_t dims[5];
  char s[128];
  OP_REQUIRE_INPUT(c, 0);
  if (c->n->op == OP_onnxcc_ToBlocked) {
    if (x->t.dtype != DT_FLOAT || x->t.rank != 4 || tensor_is_symbolic(&x->t))
      return diag_node_error(ST_INTERNAL, c->n, "ToBlocked takes float [N, C, H, W] of exact dims, not %s",
                             tensor_type_str(&x->t, s, sizeof s));
    set_blocked_output(c, x->t.dims[0], blocks_of(x->t.dims[1]), x->t.dims[2], x->t.dims[3]);
    return ST_OK;
  }
  dims[1] = attr_int(c->n, "channels", 0);
  if (x->t.dtype != DT_FLOAT || x->t.rank != 5 || x->t.dims[4] != BLOCK || tensor_is_symbolic(&x->t) ||
      dims[1] < 1 || blocks_of(dims[1]) != x->t.dims[1])
    return diag_node_error(ST_INTERNAL, c->n, "FromBlocked of %lld channels takes a blocked tensor, not %s",
                           (long long)dims[1], tensor_type_str(&x->t, s, sizeof s));
  dims[0] = x->t.dims[0];
  dims[2] = x->t.dims[2];
  dims[3] = x->t.dims[3];
  op_set_output(c, 0, DT_FLOAT, 4, dims);
  return ST_OK;
}

static status reorder_lower(op_ctx *c, lowered *l) {
  const int to = c->n->op == OP_onnxcc_ToBlocked;
  const ir_tensor *nchw = to ? &op_in(c, 0)->t : &op_out(c, 0)->t;
  rt_nchwc_reorder_params *p = to ? LOWER(l, rt_nchwc_to_blocked_f32, rt_nchwc_reorder_params)
                                  : LOWER(l, rt_nchwc_from_blocked_f32, rt_nchwc_reorder_params);
  p->batch = nchw->dims[0];
  p->channels = nchw->dims[1];
  p->spatial = nchw->dims[2] * nchw->dims[3];
  return ST_OK;
}

/* BlockedConv's geometry as rt_conv_params (exact dims only). */
static status blocked_conv_params(op_ctx *c, rt_conv_params *p) {
  const ir_value *x = op_in(c, 0), *w = op_in(c, 1), *b = op_in(c, 2);
  const int64_t *v;
  int i;
  char s[128];
  int planar;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  memset(p, 0, sizeof *p);
  planar = x->t.rank == 4;
  if (x->t.dtype != DT_FLOAT || (!planar && (x->t.rank != 5 || x->t.dims[4] != BLOCK)) ||
      tensor_is_symbolic(&x->t) || w->t.dtype != DT_FLOAT || w->t.rank != 4 ||
      (b && (b->t.rank != 1 || b->t.dims[0] != w->t.dims[0])))
    return diag_node_error(ST_INTERNAL, c->n, "BlockedConv of a %s input and weights %s",
                           tensor_type_str(&x->t, s, sizeof s), tensor_type_str(&w->t, s + 64, sizeof s - 64));
  p->nd = 2;
  p->group = (int32_t)attr_int(c->n, "group", 1);
  p->has_bias = b != NULL;
  p->batch = x->t.dims[0];
  p->out_ch = w->t.dims[0];
  p->in_ch = w->t.dims[1] * p->group;
  if ((planar ? p->in_ch != x->t.dims[1] || p->group != 1 : blocks_of(p->in_ch) != x->t.dims[1]) ||
      (p->group != 1 && (p->group != p->in_ch || p->out_ch != p->in_ch)))
    return diag_node_error(ST_INTERNAL, c->n, "BlockedConv: %lld input channels in %lld blocks, group %d",
                           (long long)p->in_ch, (long long)x->t.dims[1], (int)p->group);
  for (i = 0; i < 2; i++) {
    int64_t span;
    p->in_dims[i] = x->t.dims[2 + i];
    p->kernel[i] = w->t.dims[2 + i];
    p->strides[i] = attr_ints(c->n, "strides", &v) == 2 ? v[i] : 1;
    p->dilations[i] = attr_ints(c->n, "dilations", &v) == 2 ? v[i] : 1;
    if (attr_ints(c->n, "pads", &v) != 4 || p->strides[i] < 1 || p->dilations[i] < 1)
      return diag_node_error(ST_INTERNAL, c->n, "BlockedConv needs explicit pads, positive strides and dilations");
    p->pads[i] = v[i];
    span = p->in_dims[i] + v[i] + v[2 + i] - (p->kernel[i] - 1) * p->dilations[i] - 1;
    if (span < 0) return diag_node_error(ST_INTERNAL, c->n, "BlockedConv: the kernel is larger than the input");
    p->out_dims[i] = span / p->strides[i] + 1;
  }
  return ST_OK;
}

static status blocked_conv_infer(op_ctx *c) {
  rt_conv_params p;
  status s = blocked_conv_params(c, &p);
  if (s) return s;
  set_blocked_output(c, p.batch, blocks_of(p.out_ch), p.out_dims[0], p.out_dims[1]);
  return ST_OK;
}

/* W goes into the blob in the kernel's blocked layout, replacing W as the
 * node's input. Its dims are W's past the first (what reads them for
 * statistics counts the real channels); the first holds the floats. */
enum { BLOCKED_GROUP1, BLOCKED_DEPTHWISE, BLOCKED_STEM, BLOCKED_WINOGRAD };

static void blocked_prepack(op_ctx *c, const rt_conv_params *p, int kind) {
  const ir_value *w = op_in(c, 1);
  const int64_t per_row = tensor_numel(&w->t) / p->out_ch;
  const int64_t floats = kind == BLOCKED_DEPTHWISE ? rt_conv_f32_depthwise_blocked_floats(p)
                         : kind == BLOCKED_STEM    ? rt_conv_f32_nchwc_stem_floats(p)
                         : kind == BLOCKED_WINOGRAD ? rt_conv_f32_nchwc_winograd_floats(p)
                                                   : rt_conv_f32_nchwc_packed_floats(p);
  static const char *const names[] = {"conv_w_nchwc", "conv_w_dw_blocked", "conv_w_stem", "conv_w_winograd"};
  int64_t dims[IR_MAX_RANK];
  float *packed;
  int id;
  memcpy(dims, w->t.dims, sizeof(int64_t) * (size_t)w->t.rank);
  dims[0] = (floats + per_row - 1) / per_row;
  id = op_add_prepared(c, names[kind], DT_FLOAT, w->t.rank, dims);
  packed = (float *)c->g->values[id]->t.data;
  if (kind == BLOCKED_DEPTHWISE) rt_conv_f32_depthwise_blocked_pack_weights(p, (const float *)w->t.data, packed);
  else if (kind == BLOCKED_STEM) rt_conv_f32_nchwc_stem_pack_weights(p, (const float *)w->t.data, packed);
  else if (kind == BLOCKED_WINOGRAD) rt_conv_f32_nchwc_winograd_pack_weights(p, (const float *)w->t.data, packed);
  else rt_conv_f32_nchwc_pack_weights(p, (const float *)w->t.data, packed);
  c->n->in[1] = id;
}

/* Whether a group-1 conv on blocked X runs as rt_conv_f32_nchwc_winograd:
 * 3x3 taps at stride and dilation 1, no input scale or shift (applied as
 * X is copied, which the tiles do not do), and WINOGRAD_MIN_TILES 4x4
 * tiles of output or more (13x13 planes and up), which share each U_xi
 * among enough positions of the core: on 7x7 planes (4 tiles, 64 outputs
 * for 49) densenet121's convs of 32 channels took 0.70 ms against 0.55
 * direct, and resnet18's of 512 gained 15 % for 28 MB more weights
 * (docs/design.md has the measurements). */
#define WINOGRAD_MIN_TILES 16

static int use_winograd(op_ctx *c, const rt_conv_params *p) {
  return !c->g->no_winograd && p->kernel[0] == 3 && p->kernel[1] == 3 && p->strides[0] == 1 && p->strides[1] == 1 &&
         p->dilations[0] == 1 && p->dilations[1] == 1 && !op_lower_in_scale(c->n) &&
         !ir_attr_find(c->n, "onnxcc.in_shift") &&
         ((p->out_dims[0] + 3) / 4) * ((p->out_dims[1] + 3) / 4) >= WINOGRAD_MIN_TILES;
}

static status blocked_conv_lower(op_ctx *c, lowered *l) {
  rt_conv_params geo, *p;
  int kind = attr_int(c->n, "group", 1) != 1 ? BLOCKED_DEPTHWISE
             : op_in(c, 0)->t.rank == 4    ? BLOCKED_STEM
                                           : BLOCKED_GROUP1;
  status s = blocked_conv_params(c, &geo);
  if (s) return s;
  if (kind == BLOCKED_GROUP1 && use_winograd(c, &geo)) kind = BLOCKED_WINOGRAD;
  if (!op_in(c, 1)->t.data)
    return diag_node_error(ST_INTERNAL, c->n, "BlockedConv's weights are not a constant");
  if (kind == BLOCKED_DEPTHWISE) {
    p = LOWER(l, rt_conv_f32_depthwise_blocked, rt_conv_params);
    *p = geo;
    l->scratch_bytes = rt_conv_f32_depthwise_blocked_scratch_bytes(p);
  } else if (kind == BLOCKED_STEM) {
    if (op_lower_in_scale(c->n))
      return diag_node_error(ST_INTERNAL, c->n, "BlockedConv of an NCHW input takes no input scale");
    /* one input channel: the stem's tiles with it as a constant */
    if (geo.in_ch == 1) p = LOWER(l, rt_conv_f32_nchwc_stem_mono, rt_conv_params);
    else p = LOWER(l, rt_conv_f32_nchwc_stem, rt_conv_params);
    *p = geo;
    l->scratch_bytes = rt_conv_f32_nchwc_stem_scratch_bytes(p);
  } else if (kind == BLOCKED_WINOGRAD) {
    p = LOWER(l, rt_conv_f32_nchwc_winograd, rt_conv_params);
    *p = geo;
    l->scratch_bytes = rt_conv_f32_nchwc_winograd_scratch_bytes(p);
  } else {
    p = LOWER(l, rt_conv_f32_nchwc_blocked, rt_conv_params);
    *p = geo;
    /* before the scratch: a scaled input is always copied */
    p->has_in_scale = op_lower_in_scale(c->n);
    s = op_lower_in_shift(c, p->in_ch, &p->has_in_shift, &p->in_act, &p->in_act_a, &p->in_act_b);
    if (s) return s;
    l->scratch_bytes = rt_conv_f32_nchwc_blocked_scratch_bytes(p);
  }
  /* the folder never sees a BlockedConv: the pass runs after inference */
  if (c->final) blocked_prepack(c, p, kind);
  return OP_LOWER_EPILOGUE(c, p);
}

/* BlockedMaxPool's and BlockedAveragePool's params (rt_pool_params, 2
 * spatial dims at [1], [2]). */
static status blocked_pool_params(op_ctx *c, rt_pool_params *p) {
  const ir_value *x = op_in(c, 0);
  const int64_t *k, *s, *d, *pads, *out;
  char buf[128];
  int i;
  OP_REQUIRE_INPUT(c, 0);
  memset(p, 0, sizeof *p);
  if (x->t.dtype != DT_FLOAT || x->t.rank != 5 || x->t.dims[4] != BLOCK || tensor_is_symbolic(&x->t) ||
      attr_ints(c->n, "kernel_shape", &k) != 2 || attr_ints(c->n, "strides", &s) != 2 ||
      attr_ints(c->n, "dilations", &d) != 2 || attr_ints(c->n, "pads", &pads) != 4 ||
      attr_ints(c->n, "onnxcc.out", &out) != 2)
    return diag_node_error(ST_INTERNAL, c->n, "%s of %s, or without its attributes", c->n->op_type,
                           tensor_type_str(&x->t, buf, sizeof buf));
  p->planes = x->t.dims[0] * x->t.dims[1];
  p->count_include_pad = attr_int(c->n, "count_include_pad", 0) != 0;
  p->in_dims[0] = p->out_dims[0] = p->kernel[0] = p->strides[0] = p->dilations[0] = 1;
  for (i = 0; i < 2; i++) {
    p->in_dims[1 + i] = x->t.dims[2 + i];
    p->out_dims[1 + i] = out[i];
    p->kernel[1 + i] = k[i];
    p->strides[1 + i] = s[i];
    p->dilations[1 + i] = d[i];
    p->pads[1 + i] = pads[i];
  }
  return ST_OK;
}

static status blocked_pool_infer(op_ctx *c) {
  rt_pool_params p;
  status s = blocked_pool_params(c, &p);
  if (s) return s;
  set_blocked_output(c, op_in(c, 0)->t.dims[0], op_in(c, 0)->t.dims[1], p.out_dims[1], p.out_dims[2]);
  return ST_OK;
}

static status blocked_pool_lower(op_ctx *c, lowered *l) {
  if (c->n->op == OP_onnxcc_BlockedAveragePool)
    return blocked_pool_params(c, LOWER(l, rt_nchwc_avgpool_f32, rt_pool_params));
  return blocked_pool_params(c, LOWER(l, rt_nchwc_maxpool_f32, rt_pool_params));
}

/* BlockedBatchNormalization: float parameters of `channels` values. */
static status blocked_bn_check(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  const int64_t ch = attr_int(c->n, "channels", 0);
  int k;
  OP_REQUIRE_INPUT(c, 0);
  if (x->t.dtype != DT_FLOAT || x->t.rank != 5 || x->t.dims[4] != BLOCK || tensor_is_symbolic(&x->t) || ch < 1 ||
      blocks_of(ch) != x->t.dims[1])
    return diag_node_error(ST_INTERNAL, c->n, "BlockedBatchNormalization of %lld channels on a wrong input",
                           (long long)ch);
  for (k = 1; k < 5; k++) {
    const ir_value *v = op_in(c, k);
    if (!v || v->t.dtype != DT_FLOAT || tensor_numel(&v->t) != ch)
      return diag_node_error(ST_INTERNAL, c->n, "BlockedBatchNormalization: parameter %d is not %lld floats", k,
                             (long long)ch);
  }
  return ST_OK;
}

static status blocked_bn_infer(op_ctx *c) {
  status s = blocked_bn_check(c);
  if (s) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status blocked_bn_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_batchnorm_params *p;
  status s = blocked_bn_check(c);
  if (s) return s;
  p = LOWER(l, rt_nchwc_batchnorm_f32, rt_batchnorm_params);
  p->n = x->dims[0];
  p->c = attr_int(c->n, "channels", 0);
  p->inner = x->dims[2] * x->dims[3];
  p->epsilon = attr_float(c->n, "epsilon", 1e-5f);
  l->inplace_of = 0; /* each element read before it is written */
  return OP_LOWER_EPILOGUE(c, p); /* the fused activation, if any */
}

/* BlockedGlobalAveragePool: a blocked input of `channels` channels. */
static status blocked_gap_check(op_ctx *c, int64_t *ch) {
  const ir_value *x = op_in(c, 0);
  char buf[128];
  OP_REQUIRE_INPUT(c, 0);
  *ch = attr_int(c->n, "channels", 0);
  if (x->t.dtype != DT_FLOAT || x->t.rank != 5 || x->t.dims[4] != BLOCK || tensor_is_symbolic(&x->t) || *ch < 1 ||
      blocks_of(*ch) != x->t.dims[1])
    return diag_node_error(ST_INTERNAL, c->n, "BlockedGlobalAveragePool of %lld channels on %s", (long long)*ch,
                           tensor_type_str(&x->t, buf, sizeof buf));
  return ST_OK;
}

static status blocked_gap_infer(op_ctx *c) {
  int64_t dims[4];
  status s = blocked_gap_check(c, &dims[1]);
  if (s) return s;
  dims[0] = op_in(c, 0)->t.dims[0];
  dims[2] = dims[3] = 1;
  op_set_output(c, 0, DT_FLOAT, attr_int(c->n, "keepdims", 1) ? 4 : 2, dims);
  return ST_OK;
}

static status blocked_gap_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_nchwc_reorder_params *p;
  int64_t ch;
  status s = blocked_gap_check(c, &ch);
  if (s) return s;
  p = LOWER(l, rt_nchwc_globalavgpool_f32, rt_nchwc_reorder_params);
  p->batch = x->dims[0];
  p->channels = ch;
  p->spatial = x->dims[2] * x->dims[3];
  return ST_OK;
}

static status nchwc_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_onnxcc_BlockedConv: return blocked_conv_infer(c);
  case OP_onnxcc_BlockedMaxPool:
  case OP_onnxcc_BlockedAveragePool: return blocked_pool_infer(c);
  case OP_onnxcc_BlockedBatchNormalization: return blocked_bn_infer(c);
  case OP_onnxcc_BlockedGlobalAveragePool: return blocked_gap_infer(c);
  default: return reorder_infer(c);
  }
}

static status nchwc_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_onnxcc_BlockedConv: return blocked_conv_lower(c, l);
  case OP_onnxcc_BlockedMaxPool:
  case OP_onnxcc_BlockedAveragePool: return blocked_pool_lower(c, l);
  case OP_onnxcc_BlockedBatchNormalization: return blocked_bn_lower(c, l);
  case OP_onnxcc_BlockedGlobalAveragePool: return blocked_gap_lower(c, l);
  default: return reorder_lower(c, l);
  }
}

const op_family op_family_nchwc = {nchwc_infer, nchwc_lower, 0, 0};
