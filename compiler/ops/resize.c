/* Resize (opsets 10-19) and Upsample (7-9): a variant per interpolation
 * mode (rt_resize_nearest_W by element width, rt_resize_f32_linear,
 * rt_resize_f32_cubic). The scales / sizes / roi inputs must be constants;
 * everything about the mapping is decided here, the kernel only builds its
 * tap tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../checked.h"
#include "ops.h"


/* Largest tap count per axis (antialias widens the filter by 1/scale). */
#define MAX_TAPS 64
/* Largest number of tap combinations over the outer axes. */
#define MAX_COMBOS (1 << 16)

static int lookup(const char *s, const char *const *names, int n) {
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

/* The input at index i if present and not empty, else NULL. */
static const ir_value *given(const op_ctx *c, int i) {
  const ir_value *v = op_in(c, i);
  return v && tensor_numel(&v->t) > 0 ? v : NULL;
}

static status read_floats(op_ctx *c, int input, double *out, int max, int *n, const char *what) {
  const ir_value *v = op_in(c, input);
  int64_t k, cnt;
  if (!v->t.data)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s (input %d) must be a compile-time constant", what, input);
  if (!dtype_is_float(v->t.dtype) || v->t.dtype == DT_FLOAT16 || v->t.dtype == DT_BFLOAT16)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s must be float or double, not %s", what, dtype_name(v->t.dtype));
  cnt = tensor_numel(&v->t);
  if (cnt > max) return diag_node_error(ST_BAD_MODEL, c->n, "%s has %lld values, expected %d", what, (long long)cnt, max);
  for (k = 0; k < cnt; k++) out[k] = tensor_double(&v->t, k);
  *n = (int)cnt;
  return ST_OK;
}

/* Input taps per output coordinate on axis d. */
static int64_t axis_taps(const rt_resize_params *p, int mode, int d) {
  double scale = p->scale_den[d] > 0 ? (double)p->scale_num[d] / (double)p->scale_den[d] : (double)p->scales[d];
  if (mode == RT_RESIZE_NEAREST) return 1;
  if (p->in_dims[d] == p->out_dims[d] && scale == 1.0 && p->coord != RT_COORD_TF_CROP_AND_RESIZE) return 1;
  if (p->antialias && scale < 1.0) {
    double reach = mode == RT_RESIZE_LINEAR ? 1.0 : 2.0;
    double start = floor(-reach / scale) + 1;
    if (start < -MAX_TAPS) return MAX_TAPS + 1;
    return 2 - 2 * (int64_t)start;
  }
  return mode == RT_RESIZE_LINEAR ? 2 : 4;
}

static const char *const mode_names[] = {"nearest", "linear", "cubic"};
static const char *const coord_names[] = {"half_pixel",         "asymmetric",         "pytorch_half_pixel",
                                          "tf_half_pixel_for_nn", "align_corners",      "tf_crop_and_resize",
                                          "half_pixel_symmetric"};
static const char *const nearest_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

/* extrapolation_value as the element's bit pattern, an unsigned integer of
 * its width (endian-neutral in the generated code); zero for the integer
 * types, which the attribute (a float) does not describe. */
static int64_t fill_bits(int dtype, float v) {
  if (dtype == DT_FLOAT) {
    uint32_t u;
    memcpy(&u, &v, 4);
    return (int64_t)u;
  }
  if (dtype == DT_DOUBLE) {
    double d = v;
    int64_t u;
    memcpy(&u, &d, 8);
    return u;
  }
  return 0;
}

/* Everything the kernel needs, the output shape in p->out_dims and the
 * interpolation mode (enum rt_resize_mode) in *mode_out. */
static status resize_setup(op_ctx *c, rt_resize_params *p, int *mode_out) {
  const ir_node *n = c->n;
  const ir_tensor *x;
  const char *mode;
  int r, d, i, naxes, axes[IR_MAX_RANK], old = n->op == OP_Upsample || c->opset < 11;
  double scales[IR_MAX_RANK];
  int64_t sizes[IR_MAX_RANK], combos = 1;
  int have_scales = 0, have_sizes = 0, ns = 0, imode, is_float;
  status s;

  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  r = x->rank;
  memset(p, 0, sizeof *p);
  if (r < 1) return diag_node_error(ST_BAD_MODEL, c->n, "cannot resize a scalar");
  p->rank = r;
  if (!dtype_size(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, n, "element type %s is not supported", dtype_name(x->dtype));
  is_float = x->dtype == DT_FLOAT;
  mode = attr_string(n, "mode", "nearest");
  imode = lookup(mode, mode_names, 3);
  if (old && strcmp(mode, "bilinear") == 0) imode = RT_RESIZE_LINEAR;
  if (imode < 0 || (old && imode == RT_RESIZE_CUBIC))
    return diag_node_error(ST_BAD_MODEL, n, "mode '%s' is not supported", mode);
  *mode_out = imode;
  if (imode != RT_RESIZE_NEAREST && !is_float)
    return diag_node_error(ST_UNSUPPORTED, n, "mode '%s' on %s is not supported (float only)", mode,
                           dtype_name(x->dtype));
  for (d = 0; d < r; d++) {
    p->in_dims[d] = x->dims[d];
    p->scale_num[d] = p->scale_den[d] = 1;
    p->roi_end[d] = 1.0f;
    axes[d] = d;
  }
  naxes = r;

  if (old) {
    /* Upsample and Resize-10: asymmetric mapping, truncating nearest. */
    p->coord = RT_COORD_ASYMMETRIC;
    p->nearest = RT_NEAREST_SIMPLE;
    if (n->op == OP_Upsample && c->opset < 9) {
      const float *f;
      ns = attr_floats(n, "scales", &f);
      if (ns < 0) return diag_node_error(ST_BAD_MODEL, n, "missing attribute 'scales'");
      if (ns > IR_MAX_RANK) return diag_node_error(ST_BAD_MODEL, n, "too many scales");
      for (i = 0; i < ns; i++) scales[i] = f[i];
    } else {
      OP_REQUIRE_INPUT(c, 1);
      s = read_floats(c, 1, scales, IR_MAX_RANK, &ns, "scales");
      if (s) return s;
    }
    have_scales = 1;
  } else {
    const char *coord = attr_string(n, "coordinate_transformation_mode", "half_pixel");
    const char *nm = attr_string(n, "nearest_mode", "round_prefer_floor");
    const char *keep = attr_string(n, "keep_aspect_ratio_policy", "stretch");
    const int64_t *ax;
    int k;
    p->coord = lookup(coord, coord_names, 7);
    if (p->coord < 0) return diag_node_error(ST_BAD_MODEL, n, "coordinate_transformation_mode '%s' is unknown", coord);
    p->nearest = lookup(nm, nearest_names, 4);
    if (p->nearest < 0) return diag_node_error(ST_BAD_MODEL, n, "nearest_mode '%s' is unknown", nm);
    p->cubic_a = attr_float(n, "cubic_coeff_a", -0.75f);
    p->exclude_outside = attr_int(n, "exclude_outside", 0) != 0;
    p->fill_bits = fill_bits(x->dtype, attr_float(n, "extrapolation_value", 0.0f));
    p->antialias = attr_int(n, "antialias", 0) != 0;
    if (p->antialias && imode == RT_RESIZE_NEAREST) p->antialias = 0; /* no effect on nearest */
    k = attr_ints(n, "axes", &ax);
    if (k >= 0) {
      int seen[IR_MAX_RANK] = {0};
      if (k > r) return diag_node_error(ST_BAD_MODEL, n, "%d axes for rank %d", k, r);
      for (i = 0; i < k; i++) {
        s = op_axis(c, ax[i], r, &axes[i]);
        if (s) return s;
        if (seen[axes[i]]) return diag_node_error(ST_BAD_MODEL, n, "axis %d is listed twice", axes[i]);
        seen[axes[i]] = 1;
      }
      naxes = k;
    }
    have_scales = given(c, 2) != NULL;
    have_sizes = given(c, 3) != NULL;
    if (have_scales == have_sizes)
      return diag_node_error(ST_BAD_MODEL, n, "exactly one of 'scales' and 'sizes' must be given");
    if (have_scales) {
      s = read_floats(c, 2, scales, IR_MAX_RANK, &ns, "scales");
      if (s) return s;
    } else {
      ns = op_const_ints(c, 3, sizes, IR_MAX_RANK, "sizes");
      if (ns < 0) return ST_UNSUPPORTED;
    }
    if (ns != naxes)
      return diag_node_error(ST_BAD_MODEL, n, "%s has %d values, expected %d", have_scales ? "scales" : "sizes", ns,
                             naxes);
    if (have_sizes) {
      int policy = strcmp(keep, "stretch") == 0 ? 0 : strcmp(keep, "not_larger") == 0 ? 1
                                                   : strcmp(keep, "not_smaller") == 0 ? 2 : -1;
      int best = 0;
      if (policy < 0) return diag_node_error(ST_BAD_MODEL, n, "keep_aspect_ratio_policy '%s' is unknown", keep);
      for (i = 0; i < naxes; i++) {
        int64_t in = x->dims[axes[i]];
        if (sizes[i] < 0) return diag_node_error(ST_BAD_MODEL, n, "sizes[%d] is negative", i);
        if (in == 0 && sizes[i] != 0)
          return diag_node_error(ST_BAD_MODEL, n, "cannot resize empty axis %d to %lld", axes[i],
                                 (long long)sizes[i]);
        /* Compare sizes[i] / in against the best so far without dividing. */
        if (in > 0 && i > best) {
          int64_t bi = x->dims[axes[best]];
          double a = (double)sizes[i] * (double)bi, b = (double)sizes[best] * (double)in;
          if ((policy == 1 && a < b) || (policy == 2 && a > b)) best = i;
        }
      }
      for (i = 0; i < naxes; i++) {
        d = axes[i];
        if (x->dims[d] == 0) continue;
        if (policy == 0) {
          p->scale_num[d] = sizes[i];
          p->scale_den[d] = x->dims[d];
          p->out_dims[d] = sizes[i];
        } else {
          p->scale_num[d] = sizes[best];
          p->scale_den[d] = x->dims[axes[best]];
          double o = (double)p->scale_num[d] / (double)p->scale_den[d] * (double)x->dims[d] + 0.5;
          /* checked in double before it becomes an int64 (C leaves that undefined out of range) */
          if (!(o < (double)CK_MAX_TENSOR_BYTES))
            return diag_node_error(ST_BAD_MODEL, n, "the output size on axis %d is too large", d);
          p->out_dims[d] = (int64_t)o;
        }
      }
    }
    if (p->coord == RT_COORD_TF_CROP_AND_RESIZE) {
      double roi[2 * IR_MAX_RANK];
      int nr;
      if (!given(c, 1)) return diag_node_error(ST_BAD_MODEL, n, "tf_crop_and_resize needs the roi input");
      s = read_floats(c, 1, roi, 2 * IR_MAX_RANK, &nr, "roi");
      if (s) return s;
      if (nr != 2 * naxes) return diag_node_error(ST_BAD_MODEL, n, "roi has %d values, expected %d", nr, 2 * naxes);
      for (i = 0; i < naxes; i++) {
        p->roi_start[axes[i]] = (float)roi[i];
        p->roi_end[axes[i]] = (float)roi[naxes + i];
      }
    }
  }

  if (have_scales) {
    if (ns != naxes)
      return diag_node_error(ST_BAD_MODEL, n, "scales has %d values, expected %d", ns, naxes);
    for (d = 0; d < r; d++) p->out_dims[d] = x->dims[d];
    for (i = 0; i < naxes; i++) {
      d = axes[i];
      if (!(scales[i] > 0) || scales[i] > 1e9)
        return diag_node_error(ST_BAD_MODEL, n, "scale %g on axis %d is not positive", scales[i], d);
      if (n->op == OP_Upsample && scales[i] < 1)
        return diag_node_error(ST_BAD_MODEL, n, "Upsample scale %g on axis %d is below 1", scales[i], d);
      p->scales[d] = (float)scales[i];
      p->scale_den[d] = 0;
      p->scale_num[d] = 0;
      {
        double o = floor((double)p->scales[d] * (double)x->dims[d]);
        if (!(o < (double)CK_MAX_TENSOR_BYTES))
          return diag_node_error(ST_BAD_MODEL, n, "scale %g on axis %d makes the output too large", scales[i], d);
        p->out_dims[d] = (int64_t)o;
      }
    }
    /* Axes not listed keep scale 1. */
    for (d = 0; d < r; d++) {
      for (i = 0; i < naxes && axes[i] != d; i++) continue;
      if (i == naxes) p->out_dims[d] = x->dims[d];
    }
  } else {
    for (d = 0; d < r; d++) {
      for (i = 0; i < naxes && axes[i] != d; i++) continue;
      if (i == naxes || x->dims[d] == 0) p->out_dims[d] = x->dims[d];
    }
  }

  for (d = 0; d < r; d++) {
    p->taps[d] = (int32_t)axis_taps(p, imode, d);
    if (p->taps[d] > MAX_TAPS)
      return diag_node_error(ST_UNSUPPORTED, n, "antialias on axis %d needs more than %d taps", d, MAX_TAPS);
    if (d < r - 1) combos *= p->taps[d];
    if (combos > MAX_COMBOS)
      return diag_node_error(ST_UNSUPPORTED, n, "interpolating this many axes at once is not supported");
  }
  return ST_OK;
}

static status resize_infer(op_ctx *c) {
  rt_resize_params p;
  int mode;
  status s = resize_setup(c, &p, &mode);
  if (s) return s;
  op_set_output(c, 0, op_in(c, 0)->t.dtype, (int)p.rank, p.out_dims);
  return ST_OK;
}

static status resize_lower(op_ctx *c, lowered *l) {
  rt_resize_params q, *p;
  int mode;
  char name[40];
  status s = resize_setup(c, &q, &mode);
  if (s) return s;
  if (mode == RT_RESIZE_NEAREST)
    snprintf(name, sizeof name, "rt_resize_nearest_%dbit", (int)dtype_size(op_in(c, 0)->t.dtype) * 8);
  else
    snprintf(name, sizeof name, "rt_resize_f32_%s", mode_names[mode]);
  p = op_lower_named(c, l, name);
  if (!p) return ST_UNSUPPORTED;
  *p = q;
  l->scratch_bytes = (size_t)rt_resize_scratch_bytes(p);
  return ST_OK;
}

const op_family op_family_resize = {resize_infer, resize_lower, 0};
