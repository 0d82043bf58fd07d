/* Conv and ConvTranspose (the rt_conv_f32_* and rt_conv_transpose_f32
 * variants), float, 1 to 6 spatial dims. All attribute checks and the output-size arithmetic happen
 * here; the kernels get plain leading pads and output dims. */
#include <stdio.h>
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "ops.h"
#include "shared_shapes.h"


enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };

static const char *ints_str(const int64_t *v, int n, char *buf, size_t size) {
  size_t len = 0;
  int i;
  buf[0] = 0;
  len += (size_t)snprintf(buf + len, size - len, "[");
  for (i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? "," : "", (long long)v[i]);
  if (len < size) snprintf(buf + len, size - len, "]");
  return buf;
}

/* An optional per-dimension ints attribute: `count` values (or, when
 * count2 > 0, that many instead), each at least `min`; `dflt` fills it
 * when absent. Returns the number read, or -1 after reporting. */
static int dims_attr(op_ctx *c, const char *name, int count, int count2, int64_t min, int64_t dflt, int64_t *out) {
  const int64_t *v;
  int n = attr_ints(c->n, name, &v), i;
  if (n < 0) {
    for (i = 0; i < count; i++) out[i] = dflt;
    return 0;
  }
  if (n != count && (count2 <= 0 || n != count2)) {
    if (count2 > 0)
      diag_node_error(ST_BAD_MODEL, c->n, "'%s' has %d values, expected %d or %d", name, n, count, count2);
    else
      diag_node_error(ST_BAD_MODEL, c->n, "'%s' has %d values, expected %d for %s", name, n, count,
                      strcmp(name, "pads") == 0 ? "the begins then the ends of the spatial dims" : "the spatial dims");
    return -1;
  }
  for (i = 0; i < n; i++) {
    if (v[i] < min) {
      diag_node_error(ST_BAD_MODEL, c->n, "'%s' value %lld is below %lld", name, (long long)v[i], (long long)min);
      return -1;
    }
    out[i] = v[i];
  }
  return n;
}

static int auto_pad_mode(op_ctx *c) {
  const char *s = attr_string(c->n, "auto_pad", "NOTSET");
  if (strcmp(s, "NOTSET") == 0 || s[0] == 0) return PAD_NOTSET;
  if (strcmp(s, "SAME_UPPER") == 0) return PAD_SAME_UPPER;
  if (strcmp(s, "SAME_LOWER") == 0) return PAD_SAME_LOWER;
  if (strcmp(s, "VALID") == 0) return PAD_VALID;
  diag_node_error(ST_BAD_MODEL, c->n, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", s);
  return -1;
}

/* Spatial dim i of X when it is symbolic: pads and output size as
 * expressions of the input size, by the formulas conv_geometry applies to
 * the upper bound (which has checked them for overflow: they grow with
 * the input); also refuses sizes in the range the node cannot take. */
static status conv_symbolic(op_ctx *c, conv_geom *g, int i, int mode, const int64_t *opad, int64_t out_shape) {
  dx_table *dx = op_dx(c);
  const int nd = g->nd, n = g->in_e[i], s = dx_const(dx, g->strides[i]), zero = dx_const(dx, 0);
  const int dk = dx_const(dx, (g->kernel[i] - 1) * g->dilations[i] + 1);
  const int same = mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER;
  int total = -1, span, out = -1;
  if (c->n->op != OP_ConvTranspose) {
    if (same) { /* enough for ceil(n / s) windows */
      const int last = dx_mul(dx, dx_sub(dx, dx_ceildiv(dx, n, s), dx_const(dx, 1)), s);
      total = dx_max(dx, zero, dx_sub(dx, dx_add(dx, last, dk), n));
    }
  } else {
    /* the natural size; output_shape or SAME (n * s, never above the
     * natural size) fixes the output and the pads follow */
    const int full = dx_add(dx, dx_mul(dx, s, dx_sub(dx, n, dx_const(dx, 1))), dx_add(dx, dx_const(dx, opad[i]), dk));
    if (out_shape > 0 || same) {
      out = out_shape > 0 ? dx_const(dx, out_shape) : dx_min(dx, dx_mul(dx, n, s), full);
      total = dx_max(dx, zero, dx_sub(dx, full, out));
    } else {
      out = dx_sub(dx, full, dx_const(dx, g->pads[i] + g->pads[nd + i]));
    }
  }
  if (total >= 0) {
    const int half = dx_floordiv(dx, total, dx_const(dx, 2));
    g->pads_e[i] = mode == PAD_SAME_UPPER ? half : dx_sub(dx, total, half);
    g->pads_e[nd + i] = dx_sub(dx, total, g->pads_e[i]);
  } else {
    g->pads_e[i] = dx_const(dx, g->pads[i]);
    g->pads_e[nd + i] = dx_const(dx, g->pads[nd + i]);
  }
  if (c->n->op != OP_ConvTranspose && same) {
    /* what the pads are for (the span formula gives the same, but its
     * bounds are too loose to show that it is never negative) */
    out = dx_ceildiv(dx, n, s);
  } else if (c->n->op != OP_ConvTranspose) {
    span = dx_sub(dx, dx_add(dx, n, dx_add(dx, g->pads_e[i], g->pads_e[nd + i])), dk);
    if (dx_lower(dx, span) < 0)
      return diag_node_error(ST_BAD_MODEL, c->n,
                             "spatial dim %d: at its smallest size %lld the input with pads %lld+%lld is smaller "
                             "than the kernel extent %lld",
                             i, (long long)dx_lower(dx, n), (long long)g->pads[i], (long long)g->pads[nd + i],
                             (long long)dx_lower(dx, dk));
    out = dx_add(dx, dx_floordiv(dx, span, s), dx_const(dx, 1));
  }
  if (dx_lower(dx, out) < 1)
    return diag_node_error(ST_BAD_MODEL, c->n,
                           "spatial dim %d: output size is not positive at the input's smallest size %lld", i,
                           (long long)dx_lower(dx, n));
  g->out_e[i] = out;
  return ST_OK;
}

/* The expressions of spatial dim i, once its integers are computed. */
static status conv_dim_exprs(op_ctx *c, conv_geom *g, int i, int mode, const int64_t *opad, int64_t out_shape) {
  const ir_tensor *x = &op_in(c, 0)->t;
  dx_table *dx = op_dx(c);
  if (x->sym[i + 2]) return conv_symbolic(c, g, i, mode, opad, out_shape);
  g->out_e[i] = dx_const(dx, g->out[i]);
  g->pads_e[i] = dx_const(dx, g->pads[i]);
  g->pads_e[g->nd + i] = dx_const(dx, g->pads[g->nd + i]);
  return ST_OK;
}

/* Conv and ConvTranspose: float X, W and B. */
static status conv_geometry(op_ctx *c, conv_geom *g) {
  const ir_tensor *x, *w, *b;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  w = &op_in(c, 1)->t;
  b = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  if (x->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (only float is)",
                           dtype_name(x->dtype));
  if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s but W is %s%s%s", dtype_name(x->dtype), dtype_name(w->dtype),
                           b ? " and B is " : "", b ? dtype_name(b->dtype) : "");
  return conv_geometry_at(c, g, 1, 2);
}

/* Shared with ConvInteger and QLinearConv (shared_shapes.h), whose W and
 * bias sit at other inputs. */
status conv_geometry_at(op_ctx *c, conv_geom *g, int wi, int bi) {
  const int transpose = c->n->op == OP_ConvTranspose;
  const ir_tensor *x, *w, *b;
  char s1[128], s2[128];
  int nd, i, mode;
  status st;
  memset(g, 0, sizeof *g);
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, wi);
  x = &op_in(c, 0)->t;
  w = &op_in(c, wi)->t;
  b = bi >= 0 && op_in(c, bi) ? &op_in(c, bi)->t : NULL;
  if (x->rank < 3 || x->rank > RT_CONV_MAX_DIMS + 2)
    return diag_node_error(x->rank < 3 ? ST_BAD_MODEL : ST_UNSUPPORTED, c->n,
                           "X is %s: expected [batch, channels, 1 to %d spatial dims]",
                           tensor_type_str(x, s1, sizeof s1), RT_CONV_MAX_DIMS);
  if (w->rank != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "W is %s but X is %s: their ranks differ",
                           tensor_type_str(w, s1, sizeof s1), tensor_type_str(x, s2, sizeof s2));
  /* the weights (and bias) size the prepared layouts and the channel
   * loops: they must be exact */
  if (tensor_is_symbolic(w) || (b && tensor_is_symbolic(b)))
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s is %s, with dims that vary at run time; pin the dims with "
                           "--dim NAME=VALUE", tensor_is_symbolic(w) ? "W" : "B",
                           tensor_type_str(tensor_is_symbolic(w) ? w : b, s1, sizeof s1));
  nd = g->nd = x->rank - 2;
  g->batch = x->dims[0];
  g->in_ch = x->dims[1];
  memcpy(g->in, x->dims + 2, sizeof(int64_t) * (size_t)nd);
  g->batch_e = ir_dim(c->g, x, 0);
  for (i = 0; i < nd; i++) g->in_e[i] = ir_dim(c->g, x, i + 2);
  if (g->in_ch < 1)
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s: it has no channels", tensor_type_str(x, s1, sizeof s1));
  g->group = attr_int(c->n, "group", 1);
  if (g->group < 1) return diag_node_error(ST_BAD_MODEL, c->n, "group=%lld must be positive", (long long)g->group);
  /* A symbolic channel dim can only run at the weights' count (conv_infer
   * has the run check it): the node is built for that count. */
  if (x->sym[1]) {
    int64_t ch;
    if (transpose) g->in_ch = w->dims[0];
    else if (ck_mul(w->dims[1], g->group, &ch)) g->in_ch = ch;
  }

  /* channels */
  if (!transpose) {
    int64_t in_ch;
    if (!ck_mul(w->dims[1], g->group, &in_ch) || in_ch != g->in_ch)
      return diag_node_error(ST_BAD_MODEL, c->n,
                             "weight has %lld input channels per group but X has %lld channels and group=%lld",
                             (long long)w->dims[1], (long long)g->in_ch, (long long)g->group);
    g->out_ch = w->dims[0];
    if (g->out_ch % g->group)
      return diag_node_error(ST_BAD_MODEL, c->n, "weight has %lld output channels, not a multiple of group=%lld",
                             (long long)g->out_ch, (long long)g->group);
  } else {
    if (w->dims[0] != g->in_ch)
      return diag_node_error(ST_BAD_MODEL, c->n, "weight has %lld input channels but X has %lld",
                             (long long)w->dims[0], (long long)g->in_ch);
    if (g->in_ch % g->group)
      return diag_node_error(ST_BAD_MODEL, c->n, "X has %lld channels, not a multiple of group=%lld",
                             (long long)g->in_ch, (long long)g->group);
    if (!ck_mul(w->dims[1], g->group, &g->out_ch))
      return diag_node_error(ST_BAD_MODEL, c->n, "group=%lld is too large", (long long)g->group);
  }
  if (b && (b->rank != 1 || b->dims[0] != g->out_ch))
    return diag_node_error(ST_BAD_MODEL, c->n, "bias is %s but there are %lld output channels",
                           tensor_type_str(b, s1, sizeof s1), (long long)g->out_ch);

  /* kernel, strides, dilations, pads */
  if (dims_attr(c, "kernel_shape", nd, 0, 1, 1, g->kernel) < 0) return ST_BAD_MODEL;
  if (ir_attr_find(c->n, "kernel_shape") && memcmp(g->kernel, w->dims + 2, sizeof(int64_t) * (size_t)nd))
    return diag_node_error(ST_BAD_MODEL, c->n, "kernel_shape %s does not match weight dims %s",
                           ints_str(g->kernel, nd, s1, sizeof s1), ints_str(w->dims, w->rank, s2, sizeof s2));
  memcpy(g->kernel, w->dims + 2, sizeof(int64_t) * (size_t)nd);
  for (i = 0; i < nd; i++)
    if (g->kernel[i] < 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "weight dims %s have an empty kernel",
                             ints_str(w->dims, w->rank, s1, sizeof s1));
  if (dims_attr(c, "strides", nd, 0, 1, 1, g->strides) < 0) return ST_BAD_MODEL;
  if (dims_attr(c, "dilations", nd, 0, 1, 1, g->dilations) < 0) return ST_BAD_MODEL;
  if (dims_attr(c, "pads", 2 * nd, 0, 0, 0, g->pads) < 0) return ST_BAD_MODEL;
  mode = auto_pad_mode(c);
  if (mode < 0) return ST_BAD_MODEL;

  /* Every formula below is overflow-checked: strides, dilations, pads and
   * output sizes come straight from the model. */
  if (!transpose) {
    for (i = 0; i < nd; i++) {
      int bad = 0;
      const int64_t s = g->strides[i], n = g->in[i];
      const int64_t dk = ck_add_s(ck_mul_s(g->kernel[i] - 1, g->dilations[i], &bad), 1, &bad);
      if (mode == PAD_VALID) g->pads[i] = g->pads[nd + i] = 0;
      if (mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER) {
        int64_t o = ck_add_s(n, s - 1, &bad) / s;
        int64_t total = ck_sub_s(ck_add_s(ck_mul_s(o - 1, s, &bad), dk, &bad), n, &bad);
        if (total < 0) total = 0;
        g->pads[i] = mode == PAD_SAME_UPPER ? total / 2 : total - total / 2;
        g->pads[nd + i] = total - g->pads[i];
      }
      {
        const int64_t span = ck_sub_s(ck_add_s(ck_add_s(n, g->pads[i], &bad), g->pads[nd + i], &bad), dk, &bad);
        if (bad)
          return diag_node_error(ST_BAD_MODEL, c->n, "spatial dim %d: kernel, strides, dilations and pads overflow", i);
        if (span < 0)
          return diag_node_error(ST_BAD_MODEL, c->n,
                                 "spatial dim %d: input size %lld with pads %lld+%lld is smaller than the kernel "
                                 "extent %lld (kernel %lld, dilation %lld)",
                                 i, (long long)n, (long long)g->pads[i], (long long)g->pads[nd + i], (long long)dk,
                                 (long long)g->kernel[i], (long long)g->dilations[i]);
        g->out[i] = span / s + 1;
      }
      if ((st = conv_dim_exprs(c, g, i, mode, NULL, 0)) != ST_OK) return st;
    }
  } else {
    int64_t opad[RT_CONV_MAX_DIMS], oshape[RT_CONV_MAX_DIMS + 2];
    int n_os;
    if (dims_attr(c, "output_padding", nd, 0, 0, 0, opad) < 0) return ST_BAD_MODEL;
    n_os = dims_attr(c, "output_shape", nd, nd + 2, 1, 0, oshape);
    if (n_os < 0) return ST_BAD_MODEL;
    for (i = 0; i < nd; i++) {
      int bad = 0;
      const int64_t s = g->strides[i], n = g->in[i];
      const int64_t dk = ck_add_s(ck_mul_s(g->kernel[i] - 1, g->dilations[i], &bad), 1, &bad);
      const int64_t full = ck_add_s(ck_add_s(ck_mul_s(s, n - 1, &bad), opad[i], &bad), dk, &bad);
      if (n_os > 0 || mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER) {
        /* Output size given (or in * stride for SAME): pads follow. As in
         * onnxruntime, an output_shape above the natural size leaves
         * bias-only elements at the end, while SAME never pads negatively
         * (the output stays at the natural size when that is smaller than
         * in * stride, e.g. kernel 1 with stride 3). */
        int64_t total;
        g->out[i] = n_os > 0 ? oshape[n_os - nd + i] : ck_mul_s(n, s, &bad);
        total = ck_sub_s(full, g->out[i], &bad);
        if (total < 0) {
          total = 0;
          if (n_os == 0) g->out[i] = full;
        }
        g->pads[i] = mode == PAD_SAME_UPPER ? total / 2 : total - total / 2;
        g->pads[nd + i] = total - g->pads[i];
      } else {
        if (mode == PAD_VALID) g->pads[i] = g->pads[nd + i] = 0;
        g->out[i] = ck_sub_s(ck_sub_s(full, g->pads[i], &bad), g->pads[nd + i], &bad);
      }
      if (bad)
        return diag_node_error(ST_BAD_MODEL, c->n, "spatial dim %d: kernel, strides, dilations and pads overflow", i);
      if (g->out[i] < 1)
        return diag_node_error(ST_BAD_MODEL, c->n, "spatial dim %d: output size %lld is not positive (pads %lld+%lld)",
                               i, (long long)g->out[i], (long long)g->pads[i], (long long)g->pads[nd + i]);
      if ((st = conv_dim_exprs(c, g, i, mode, opad, n_os > 0 ? oshape[n_os - nd + i] : 0)) != ST_OK) return st;
    }
  }
  return ST_OK;
}

status conv_infer_output(op_ctx *c, const conv_geom *g, int dtype) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int dims[IR_MAX_RANK];
  status s;
  if (x->sym[1] && (s = op_check_equal(c, ir_dim(c->g, x, 1), dx_const(op_dx(c), g->in_ch),
                                       "X's channels and the weight's")) != ST_OK)
    return s;
  dims[0] = g->batch_e;
  dims[1] = dx_const(op_dx(c), g->out_ch);
  memcpy(dims + 2, g->out_e, sizeof(int) * (size_t)g->nd);
  op_set_output_exprs(c, 0, dtype, g->nd + 2, dims);
  return ST_OK;
}

static status conv_infer(op_ctx *c) {
  conv_geom g;
  status s = conv_geometry(c, &g);
  if (s) return s;
  return conv_infer_output(c, &g, DT_FLOAT);
}

/* Prepares W in the quad layout of the _packed variants (conv.h), as a
 * new constant that replaces W as the node's input; the original then has
 * no reader and stays out of the blob. Its dims are W's, except that each
 * group's output channels are rounded up to whole quads, so what reads the
 * weight's shape for statistics (MACs: the dims past the first) is not
 * misled. */
static void conv_prepack(op_ctx *c, const rt_conv_params *p) {
  const ir_value *w = op_in(c, 1);
  int64_t dims[IR_MAX_RANK];
  int id;
  memcpy(dims, w->t.dims, sizeof(int64_t) * (size_t)w->t.rank);
  dims[0] = rt_conv_f32_packed_floats(p) / (tensor_numel(&w->t) / p->out_ch);
  id = op_add_prepared(c, "conv_w_packed", DT_FLOAT, w->t.rank, dims);
  rt_conv_f32_pack_weights(p, (const float *)w->t.data, (float *)c->g->values[id]->t.data);
  c->n->in[1] = id;
}

/* The same for rt_conv_f32_nchwc_packed's blocked layout (conv.h). Its
 * dims are W's past the first, so what reads them for statistics (MACs)
 * counts the real channels; the first is what holds the blocked floats,
 * rounded up (the floats past rt_conv_f32_nchwc_packed_floats are zeros
 * the kernel never reads). */
static void conv_prepack_nchwc(op_ctx *c, const rt_conv_params *p) {
  const ir_value *w = op_in(c, 1);
  const int64_t per_row = tensor_numel(&w->t) / p->out_ch, floats = rt_conv_f32_nchwc_packed_floats(p);
  int64_t dims[IR_MAX_RANK];
  int id;
  memcpy(dims, w->t.dims, sizeof(int64_t) * (size_t)w->t.rank);
  dims[0] = (floats + per_row - 1) / per_row;
  id = op_add_prepared(c, "conv_w_nchwc", DT_FLOAT, w->t.rank, dims);
  rt_conv_f32_nchwc_pack_weights(p, (const float *)w->t.data, (float *)c->g->values[id]->t.data);
  c->n->in[1] = id;
}

/* Whether a Conv with constant weights goes through rt_conv_f32_nchwc_packed
 * rather than the im2col/pointwise GEMM variants: where
 * benchmarks/conv_bench.c measures it faster (benchmarks/README.md). It
 * needs 2 spatial dims and group 1, and fixed spatial dims (its scratch is
 * sized for the band of rows a piece reads, which does not shrink with
 * the plane). It pads channels to blocks of 16, so few channels or a count
 * far from a multiple of 16 waste lanes (resnet18's first conv, 3 -> 64,
 * would do 5x the products). A 1x1 conv moves every input and output
 * value through its blocked copies for in_ch x out_ch products per
 * position; with few channels (mobilenet_v2's 16..144) the GEMM, reading
 * NCHW as it is, wins. Bare-metal targets keep the GEMM variants: no
 * measurement says the portable core wins on a Cortex-M, and its scratch
 * is larger than im2col's for some shapes (smaller for others). */
static int conv_use_nchwc(const op_ctx *c, const conv_geom *g, int pointwise) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const int64_t in16 = (g->in_ch + 15) / 16 * 16, out16 = (g->out_ch + 15) / 16 * 16;
  if (c->g->bare_metal || g->nd != 2 || g->group != 1 || x->sym[2] || x->sym[3]) return 0;
  /* One position (a squeeze-excitation FC after its global pool): a
   * matrix-vector product, which rt_conv_f32_pointwise_packed runs as
   * one: each weight read once, split across threads by the weights'
   * bytes. The blocked kernel ran it as a piece of one band, one task
   * below RT_NCHWC_SPLIT_MIN multiply-adds: mobilenet_v3_small's 576 <->
   * 144 FCs (330 KB of weights each) took as long at two threads as at
   * one (docs/design.md). */
  if (pointwise && g->out[0] * g->out[1] == 1) return 0;
  /* an input scale (fuse-channel-scale) is applied by the GEMM variants'
   * panel copies; the blocked copy does not take one yet */
  if (op_lower_in_scale(c->n)) return 0;
  /* padded to blocks of 16, at most a fifth more products */
  if (in16 * out16 * 4 > g->in_ch * g->out_ch * 5) return 0;
  if (g->kernel[0] == 1 && g->kernel[1] == 1) return g->in_ch * g->out_ch >= 96 * (g->in_ch + g->out_ch);
  return g->in_ch >= 16;
}

/* Fills a variant's params (p, just lowered) from geo, then binds what
 * may vary at run time: batch, spatial dims and leading pads. */
static rt_conv_params *conv_start(const op_ctx *c, lowered *l, rt_conv_params *p, const rt_conv_params *geo,
                                  const conv_geom *g) {
  *p = *geo;
  conv_bind_dims(c, l, g, &p->batch, p->in_dims, p->out_dims, p->pads);
  return p;
}

void conv_bind_dims(const op_ctx *c, lowered *l, const conv_geom *g, int64_t *batch, int64_t *in_dims,
                    int64_t *out_dims, int64_t *pads) {
  int i;
  op_bind(c, l, batch, g->batch_e);
  for (i = 0; i < g->nd; i++) {
    op_bind(c, l, &in_dims[i], g->in_e[i]);
    op_bind(c, l, &out_dims[i], g->out_e[i]);
    op_bind(c, l, &pads[i], g->pads_e[i]);
  }
}

void conv_geom_params(const conv_geom *g, int has_bias, rt_conv_params *geo) {
  int i;
  memset(geo, 0, sizeof *geo);
  geo->nd = g->nd;
  geo->batch = g->batch;
  geo->in_ch = g->in_ch;
  geo->out_ch = g->out_ch;
  geo->group = (int32_t)g->group;
  geo->has_bias = has_bias;
  for (i = 0; i < g->nd; i++) {
    geo->in_dims[i] = g->in[i];
    geo->out_dims[i] = g->out[i];
    geo->kernel[i] = g->kernel[i];
    geo->strides[i] = g->strides[i];
    geo->dilations[i] = g->dilations[i];
    geo->pads[i] = g->pads[i];
  }
}

static status conv_lower_variant(op_ctx *c, lowered *l) {
  conv_geom g;
  rt_conv_params geo, *p;
  int i, pointwise = 1, prepack;
  const int zero = dx_const(op_dx(c), 0);
  status s = conv_geometry(c, &g);
  if (s) return s;
  conv_geom_params(&g, op_in(c, 2) != NULL, &geo);
  for (i = 0; i < g.nd; i++) {
    /* pads that vary with the input are no exact 0 */
    if (g.kernel[i] != 1 || g.strides[i] != 1 || g.pads_e[i] != zero || g.pads_e[g.nd + i] != zero) pointwise = 0;
  }
  if (g.group != geo.group)
    return diag_node_error(ST_UNSUPPORTED, c->n, "group=%lld is too large", (long long)g.group);
  if (c->n->op == OP_ConvTranspose) {
    /* A constant W goes into the blob as W^T in quads (conv.h), as for
     * Conv below; the folder runs the plain variant on W as it is. The
     * prepared constant is [in_ch, rows rounded up to 4]: what reads W's
     * dims past the first for statistics (MACs) still finds about
     * out_ch/group * kernel size there. */
    if (c->final && op_in(c, 1)->t.data != NULL && g.out_ch > 0) {
      int64_t dims[2];
      int id;
      p = conv_start(c, l, LOWER(l, rt_conv_transpose_f32_packed, rt_conv_params), &geo, &g);
      l->scratch_bytes = rt_conv_transpose_f32_packed_scratch_bytes(p);
      dims[0] = g.in_ch;
      dims[1] = rt_conv_transpose_f32_packed_floats(p) / g.in_ch;
      id = op_add_prepared(c, "convt_w_packed", DT_FLOAT, 2, dims);
      rt_conv_transpose_f32_pack_weights(p, (const float *)op_in(c, 1)->t.data, (float *)c->g->values[id]->t.data);
      c->n->in[1] = id;
    } else {
      p = conv_start(c, l, LOWER(l, rt_conv_transpose_f32, rt_conv_params), &geo, &g);
      l->scratch_bytes = rt_conv_transpose_f32_scratch_bytes(p);
    }
    return ST_OK;
  }
  if (g.group > 1 && g.in_ch == g.group) {
    /* 2-D with one input channel per output channel (the usual depthwise
     * conv): through a padded plane in scratch, taps summed in registers */
    if (g.nd == 2 && g.out_ch == g.group) {
      p = conv_start(c, l, LOWER(l, rt_conv_f32_depthwise2d, rt_conv_params), &geo, &g);
      l->scratch_bytes = rt_conv_f32_depthwise2d_scratch_bytes(p);
      return ST_OK;
    }
    p = conv_start(c, l, LOWER(l, rt_conv_f32_depthwise, rt_conv_params), &geo, &g);
    return ST_OK;
  }
  /* Constant weights go into the blob already in the layout the kernel
   * reads, so no run packs them and the scratch holds only the input
   * panel. The constant folder (not final) runs the kernel once on W as
   * it is. */
  prepack = c->final && op_in(c, 1)->t.data != NULL && g.out_ch > 0;
  if (prepack && conv_use_nchwc(c, &g, pointwise)) {
    p = conv_start(c, l, LOWER(l, rt_conv_f32_nchwc_packed, rt_conv_params), &geo, &g);
    l->scratch_bytes = rt_conv_f32_nchwc_packed_scratch_bytes(p);
    conv_prepack_nchwc(c, p);
    return ST_OK;
  }
  if (pointwise && prepack) {
    p = conv_start(c, l, LOWER(l, rt_conv_f32_pointwise_packed, rt_conv_params), &geo, &g);
    l->scratch_bytes = rt_conv_f32_pointwise_packed_scratch_bytes(p);
  } else if (pointwise) {
    p = conv_start(c, l, LOWER(l, rt_conv_f32_pointwise, rt_conv_params), &geo, &g);
    l->scratch_bytes = rt_conv_f32_pointwise_scratch_bytes(p);
  } else if (prepack) {
    p = conv_start(c, l, LOWER(l, rt_conv_f32_im2col_packed, rt_conv_params), &geo, &g);
    l->scratch_bytes = rt_conv_f32_im2col_packed_scratch_bytes(p);
  } else {
    p = conv_start(c, l, LOWER(l, rt_conv_f32_im2col, rt_conv_params), &geo, &g);
    l->scratch_bytes = rt_conv_f32_im2col_scratch_bytes(p);
  }
  if (prepack) conv_prepack(c, p);
  return ST_OK;
}

/* Conv's variants all apply a fused epilogue (fuse-epilogue), which the
 * pass never gives a ConvTranspose. */
static status conv_lower(op_ctx *c, lowered *l) {
  status s = conv_lower_variant(c, l);
  rt_conv_params *p = (rt_conv_params *)l->params;
  if (s) return s;
  /* fuse-channel-scale gives one to Convs with constant weights and one
   * group only, whose variants are the _packed ones that apply it */
  p->has_in_scale = op_lower_in_scale(c->n);
  if (p->has_in_scale && l->kernel != K_rt_conv_f32_im2col_packed && l->kernel != K_rt_conv_f32_pointwise_packed)
    return diag_node_error(ST_INTERNAL, c->n, "an input scale on a Conv whose kernel variant does not apply it");
  if (ir_attr_find(c->n, "onnxcc.in_shift"))
    return diag_node_error(ST_INTERNAL, c->n, "an input shift on a Conv: only a BlockedConv applies one");
  return OP_LOWER_EPILOGUE(c, p);
}

const op_family op_family_conv = {conv_infer, conv_lower, 1, 0};
