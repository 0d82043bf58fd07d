/* Resize: separable N-D interpolation.
 *
 * Every output coordinate of every axis is mapped once, at the start of a
 * call, to its input taps: element offsets (already multiplied by the
 * axis's input stride) and weights, kept in scratch. The output is then
 * written row by row: the taps of the outer axes combine into a short list
 * of (input row offset, weight) pairs, and the last axis's taps are applied
 * along the row. Coordinates are computed in double, like the ONNX
 * reference, so that nearest-neighbour rounding agrees at ties. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/resize.h"

/* The table builder is shared by every variant and takes the variant's
 * mode as a constant: inlined, each variant keeps only its own weights. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

static int64_t align8(int64_t n) { return (n + 7) & ~(int64_t)7; }
static int64_t cache_bytes(const rt_resize_params *p);

/* The tap tables of one call, carved out of scratch: per axis d, for each
 * output coordinate, taps[d] input offsets ix[d] and weights wt[d] and
 * whether it falls outside the crop box (ext[d]); room for the outer axes'
 * tap combinations (coff, cw); and the row cache (NULL when unused). */
typedef struct tables {
  int64_t *ix[RT_MAX_RANK], *coff;
  float *wt[RT_MAX_RANK], *cw, *cache;
  uint8_t *ext[RT_MAX_RANK];
  int last_ext; /* some output column falls outside the crop box */
} tables;

/* Table entries (sum of out_dims * taps) and tap combinations of the outer
 * axes. */
static void table_sizes(const rt_resize_params *p, int64_t *entries, int64_t *combos, int64_t *flags) {
  int64_t d;
  *entries = 0;
  *combos = 1;
  *flags = 0;
  for (d = 0; d < p->rank; d++) {
    *entries += p->out_dims[d] * p->taps[d];
    *flags += p->out_dims[d];
    if (d < p->rank - 1) *combos *= p->taps[d];
  }
}

int64_t rt_resize_scratch_bytes(const rt_resize_params *p) {
  int64_t entries, combos, flags;
  table_sizes(p, &entries, &combos, &flags);
  return (entries + combos) * 8 + align8((entries + combos) * 4) + align8(flags) + cache_bytes(p);
}

static double axis_scale(const rt_resize_params *p, int64_t d) {
  if (p->scale_den[d] > 0) return (double)p->scale_num[d] / (double)p->scale_den[d];
  return (double)p->scales[d];
}

/* Input coordinate of output coordinate x on axis d. `out_w` is the
 * output length as a real number (scale * input length when the scale was
 * given; the two differ when the product is not an integer). */
static double original_coord(const rt_resize_params *p, int64_t d, int64_t x, double scale, double out_w) {
  const double n_in = (double)p->in_dims[d], n_out = (double)p->out_dims[d], xr = (double)x;
  switch (p->coord) {
  case RT_COORD_ASYMMETRIC: return xr / scale;
  case RT_COORD_PYTORCH_HALF_PIXEL: return n_out > 1 ? (xr + 0.5) / scale - 0.5 : 0.0;
  case RT_COORD_TF_HALF_PIXEL_FOR_NN: return (xr + 0.5) / scale;
  case RT_COORD_ALIGN_CORNERS: return out_w == 1.0 ? 0.0 : xr * (n_in - 1) / (out_w - 1);
  case RT_COORD_TF_CROP_AND_RESIZE: {
    const double a = (double)p->roi_start[d], b = (double)p->roi_end[d];
    if (out_w == 1.0) return 0.5 * (a + b) * (n_in - 1);
    return a * (n_in - 1) + xr * (b - a) * (n_in - 1) / (out_w - 1);
  }
  case RT_COORD_HALF_PIXEL_SYMMETRIC: {
    const double adjustment = n_out / out_w, center = n_in / 2;
    return center * (1 - adjustment) + (xr + 0.5) / scale - 0.5;
  }
  default: return (xr + 0.5) / scale - 0.5;
  }
}

static int64_t clamp_index(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

/* Nearest input index of coordinate v (already bounded, so the cast is
 * safe). */
static int64_t nearest_index(double v, int mode, int downsample) {
  double f = floor(v);
  switch (mode) {
  case RT_NEAREST_FLOOR: return (int64_t)f;
  case RT_NEAREST_CEIL: return (int64_t)ceil(v);
  case RT_NEAREST_ROUND_PREFER_CEIL: return (int64_t)(v - f >= 0.5 ? f + 1 : f);
  case RT_NEAREST_SIMPLE: return downsample ? (int64_t)ceil(v) : (int64_t)(v < 0 ? ceil(v) : f);
  default: return (int64_t)(v - f > 0.5 ? f + 1 : f);
  }
}

static double cubic_weight(double x, double a) {
  x = fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/* Fills the taps of output coordinate x on axis d: T offsets and weights,
 * and whether the coordinate falls outside the crop box. */
ALWAYS_INLINE void axis_taps(const rt_resize_params *p, int mode, int64_t d, int64_t x, int64_t stride,
                             int64_t *idx, float *w, uint8_t *ext) {
  const int64_t n = p->in_dims[d], T = p->taps[d];
  const double scale = axis_scale(p, d);
  /* As the reference computes it: scale * length rounded to float. */
  const double out_w = p->scale_den[d] > 0 ? (double)p->out_dims[d] : (double)(p->scales[d] * (float)n);
  double v = original_coord(p, d, x, scale, out_w), lim = (double)(n + 2 * T + 2);
  double ws[64], sum = 0, ratio, base;
  int64_t t, start = 1 - T / 2;
  *ext = p->coord == RT_COORD_TF_CROP_AND_RESIZE && (v < 0 || v > (double)(n - 1));
  /* Far outside the input every tap clamps to the edge anyway. */
  if (!(v > -lim)) v = -lim;
  if (v > lim) v = lim;
  if (T == 1) {
    const int rounding = mode == RT_RESIZE_NEAREST ? p->nearest : RT_NEAREST_ROUND_PREFER_FLOOR;
    idx[0] = clamp_index(nearest_index(v, rounding, scale < 1.0), n) * stride;
    w[0] = 1.0f;
    return;
  }
  /* The taps sit at base + start + t with ratio = v - base in (0, 1]. */
  base = ceil(v) - 1;
  ratio = v - base;
  if (mode == RT_RESIZE_LINEAR && !p->antialias) {
    ws[0] = 1 - ratio;
    ws[1] = ratio;
  } else if (mode == RT_RESIZE_CUBIC && !p->antialias) {
    const double a = (double)p->cubic_a;
    ws[0] = ((a * (ratio + 1) - 5 * a) * (ratio + 1) + 8 * a) * (ratio + 1) - 4 * a;
    ws[1] = ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
    ws[2] = ((a + 2) * (1 - ratio) - (a + 3)) * (1 - ratio) * (1 - ratio) + 1;
    ws[3] = ((a * (2 - ratio) - 5 * a) * (2 - ratio) + 8 * a) * (2 - ratio) - 4 * a;
  } else {
    /* Antialias: the filter stretched by 1/scale when downsampling. */
    const double s = scale < 1.0 ? scale : 1.0;
    for (t = 0; t < T; t++) {
      double arg = ((double)(start + t) - ratio) * s;
      ws[t] = mode == RT_RESIZE_LINEAR ? (fabs(arg) < 1 ? 1 - fabs(arg) : 0)
                                          : cubic_weight(arg, (double)p->cubic_a);
      sum += ws[t];
    }
    for (t = 0; t < T; t++) ws[t] /= sum;
  }
  if (p->exclude_outside) {
    sum = 0;
    for (t = 0; t < T; t++) {
      double pos = base + (double)(start + t);
      if (pos < 0 || pos > (double)(n - 1)) ws[t] = 0;
      sum += ws[t];
    }
    if (sum != 0)
      for (t = 0; t < T; t++) ws[t] /= sum;
  }
  for (t = 0; t < T; t++) {
    idx[t] = clamp_index((int64_t)base + start + t, n) * stride;
    w[t] = (float)ws[t];
  }
}

/* h[j] = sum_t w[j][t] * xr[ix[j][t]]: one row interpolated along the last
 * axis. */
static void interp_row(float *h, const float *xr, const int64_t *ix, const float *w, int64_t m, int64_t T) {
  int64_t j, t;
  if (T == 1) {
    for (j = 0; j < m; j++) h[j] = xr[ix[j]];
  } else if (T == 2) {
    for (j = 0; j < m; j++) h[j] = w[2 * j] * xr[ix[2 * j]] + w[2 * j + 1] * xr[ix[2 * j + 1]];
  } else if (T == 4) {
    for (j = 0; j < m; j++) {
      const int64_t *i4 = ix + 4 * j;
      const float *w4 = w + 4 * j;
      h[j] = w4[0] * xr[i4[0]] + w4[1] * xr[i4[1]] + w4[2] * xr[i4[2]] + w4[3] * xr[i4[3]];
    }
  } else {
    for (j = 0; j < m; j++) {
      float acc = 0;
      for (t = 0; t < T; t++) acc += w[j * T + t] * xr[ix[j * T + t]];
      h[j] = acc;
    }
  }
}

/* Rows interpolated along the last axis are kept in a few slots, keyed by
 * their input offset: an input row feeds several output rows when
 * upsampling, and is interpolated only once. */
#define CACHE_ROWS 8

static int64_t cache_bytes(const rt_resize_params *p) {
  const int64_t L = p->rank - 1;
  if (p->taps[L] == 1) return 0; /* always so for nearest */
  return CACHE_ROWS * p->out_dims[L] * 4;
}


/* Lays the tables out in scratch and fills them for the variant's mode. */
ALWAYS_INLINE void build_tables(const rt_resize_params *p, int mode, void *scratch, tables *tb) {
  const int r = p->rank, L = r - 1;
  int64_t entries, max_combos, nflags, o, j, s = 1, istr[RT_MAX_RANK];
  int64_t *ib = (int64_t *)scratch;
  float *fb;
  uint8_t *bb;
  int d;
  memset(tb, 0, sizeof *tb);
  table_sizes(p, &entries, &max_combos, &nflags);
  fb = (float *)(void *)(ib + entries + max_combos);
  bb = (uint8_t *)scratch + (entries + max_combos) * 8 + align8((entries + max_combos) * 4);
  for (d = 0; d < r; d++) {
    tb->ix[d] = ib;
    tb->wt[d] = fb;
    tb->ext[d] = bb;
    ib += p->out_dims[d] * p->taps[d];
    fb += p->out_dims[d] * p->taps[d];
    bb += p->out_dims[d];
  }
  tb->coff = ib;
  tb->cw = fb;
  tb->cache = cache_bytes(p) ? (float *)(void *)((uint8_t *)scratch + (entries + max_combos) * 8 +
                                                   align8((entries + max_combos) * 4) + align8(nflags))
                             : NULL;
  for (d = r - 1; d >= 0; d--) {
    istr[d] = s;
    s *= p->in_dims[d];
  }
  for (d = 0; d < r; d++) {
    const int64_t T = p->taps[d];
    for (o = 0; o < p->out_dims[d]; o++)
      axis_taps(p, mode, d, o, istr[d], tb->ix[d] + o * T, tb->wt[d] + o * T, tb->ext[d] + o);
  }
  tb->last_ext = 0;
  for (j = 0; j < p->out_dims[L]; j++) tb->last_ext |= tb->ext[L][j];
}

/* Nearest: every axis has one tap, so an output row reads one input row
 * at the sum of its outer axes' offsets; a row reading the same input row
 * as the one before it is a copy of it. Elements move as unsigned integers
 * of their width. */
#define DEFINE_NEAREST(NAME, T)                                                  \
  RT_KERNEL(NAME) {                                                              \
    const rt_resize_params *p = (const rt_resize_params *)params;                \
    const T *x = (const T *)in[0];                                               \
    T *y = (T *)out[0];                                                          \
    const T fill = (T)p->fill_bits;                                              \
    const int r = p->rank, L = r - 1;                                            \
    const int64_t m = p->out_dims[L];                                            \
    int64_t idx[RT_MAX_RANK] = {0}, outer = 1, o, j, prev_off = -1;             \
    const int64_t *il;                                                           \
    tables tb;                                                                   \
    int d;                                                                       \
    for (d = 0; d < r; d++) {                                                    \
      if (p->out_dims[d] == 0) return;                                           \
      if (d < L) outer *= p->out_dims[d];                                        \
    }                                                                            \
    build_tables(p, RT_RESIZE_NEAREST, scratch, &tb);                            \
    il = tb.ix[L];                                                               \
    for (o = 0; o < outer; o++, y += m) {                                        \
      int64_t off = 0;                                                           \
      int row_ext = 0;                                                           \
      for (d = 0; d < L; d++) {                                                  \
        off += tb.ix[d][idx[d]];                                                 \
        row_ext |= tb.ext[d][idx[d]];                                            \
      }                                                                          \
      if (row_ext) {                                                             \
        for (j = 0; j < m; j++) y[j] = fill;                                     \
        prev_off = -1;                                                           \
      } else {                                                                   \
        if (off == prev_off) {                                                   \
          memcpy(y, y - m, (size_t)m * sizeof(T));                               \
        } else {                                                                 \
          const T *xr = x + off;                                                 \
          for (j = 0; j < m; j++) y[j] = xr[il[j]];                              \
        }                                                                        \
        prev_off = off;                                                          \
        if (tb.last_ext)                                                         \
          for (j = 0; j < m; j++)                                                \
            if (tb.ext[L][j]) y[j] = fill;                                       \
      }                                                                          \
      for (d = L - 1; d >= 0; d--) {                                             \
        if (++idx[d] < p->out_dims[d]) break;                                    \
        idx[d] = 0;                                                              \
      }                                                                          \
    }                                                                            \
  }
DEFINE_NEAREST(rt_resize_nearest_8bit, uint8_t)
DEFINE_NEAREST(rt_resize_nearest_16bit, uint16_t)
DEFINE_NEAREST(rt_resize_nearest_32bit, uint32_t)
DEFINE_NEAREST(rt_resize_nearest_64bit, uint64_t)

/* Linear and cubic, on float: each output row is a weighted sum of input
 * rows (the outer axes' tap combinations), each interpolated along the
 * last axis; the tables already hold the mode's weights, so this walk is
 * the same for both. */
static void interp_rows(const rt_resize_params *p, const tables *tb, const float *x, float *y) {
  const int r = p->rank, L = r - 1;
  const int64_t m = p->out_dims[L], TL = p->taps[L];
  int64_t idx[RT_MAX_RANK] = {0}, key[CACHE_ROWS], outer = 1, o, j, c, t, k, ncomb;
  int64_t *coff = tb->coff;
  float *cw = tb->cw, *rows[CACHE_ROWS], fill;
  const uint32_t fill_bits = (uint32_t)p->fill_bits;
  int d;
  memcpy(&fill, &fill_bits, sizeof fill);
  for (k = 0; k < CACHE_ROWS; k++) key[k] = -1;
  for (d = 0; d < L; d++) outer *= p->out_dims[d];
  for (o = 0; o < outer; o++, y += m) {
    int row_ext = 0;
    /* Combine the outer axes' taps: (offset, weight) pairs. */
    ncomb = 1;
    coff[0] = 0;
    cw[0] = 1.0f;
    for (d = 0; d < L; d++) {
      const int64_t T = p->taps[d], *id = tb->ix[d] + idx[d] * T;
      const float *wd = tb->wt[d] + idx[d] * T;
      row_ext |= tb->ext[d][idx[d]];
      if (T == 1) {
        for (c = 0; c < ncomb; c++) coff[c] += id[0];
      } else {
        for (c = ncomb - 1; c >= 0; c--) {
          const int64_t co = coff[c];
          const float cwv = cw[c];
          for (t = T - 1; t >= 0; t--) {
            coff[c * T + t] = co + id[t];
            cw[c * T + t] = cwv * wd[t];
          }
        }
        ncomb *= T;
      }
    }
    if (row_ext) {
      for (j = 0; j < m; j++) y[j] = fill;
    } else if (ncomb == 1) {
      interp_row(y, x + coff[0], tb->ix[L], tb->wt[L], m, TL);
    } else if (tb->cache && ncomb <= CACHE_ROWS) {
      int used[CACHE_ROWS] = {0};
      for (c = 0; c < ncomb; c++) {
        rows[c] = NULL;
        for (k = 0; k < CACHE_ROWS; k++)
          if (key[k] == coff[c]) {
            used[k] = 1;
            rows[c] = tb->cache + k * m;
            break;
          }
      }
      for (c = 0; c < ncomb; c++) {
        if (rows[c]) continue;
        for (k = 0; used[k]; k++) continue;
        used[k] = 1;
        key[k] = coff[c];
        rows[c] = tb->cache + k * m;
        interp_row(rows[c], x + coff[c], tb->ix[L], tb->wt[L], m, TL);
      }
      if (ncomb == 2) {
        const float w0 = cw[0], w1 = cw[1], *h0 = rows[0], *h1 = rows[1];
        for (j = 0; j < m; j++) y[j] = w0 * h0[j] + w1 * h1[j];
      } else {
        for (j = 0; j < m; j++) y[j] = cw[0] * rows[0][j];
        for (c = 1; c < ncomb; c++) {
          const float wc = cw[c], *h = rows[c];
          for (j = 0; j < m; j++) y[j] += wc * h[j];
        }
      }
    } else {
      /* Many combinations (or one tap along the row): accumulate. */
      const int64_t *il = tb->ix[L];
      const float *wl = tb->wt[L];
      for (j = 0; j < m; j++) y[j] = 0.0f;
      for (c = 0; c < ncomb; c++) {
        const float wc = cw[c];
        const float *xr = x + coff[c];
        for (j = 0; j < m; j++) {
          float acc = 0;
          for (t = 0; t < TL; t++) acc += wl[j * TL + t] * xr[il[j * TL + t]];
          y[j] += wc * acc;
        }
      }
    }
    if (tb->last_ext && !row_ext)
      for (j = 0; j < m; j++)
        if (tb->ext[L][j]) y[j] = fill;
    for (d = L - 1; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
}

#define DEFINE_INTERP(NAME, MODE)                                        \
  RT_KERNEL(NAME) {                                                      \
    const rt_resize_params *p = (const rt_resize_params *)params;        \
    tables tb;                                                           \
    int d;                                                               \
    for (d = 0; d < p->rank; d++)                                        \
      if (p->out_dims[d] == 0) return;                                   \
    build_tables(p, MODE, scratch, &tb);                                 \
    interp_rows(p, &tb, (const float *)in[0], (float *)out[0]);          \
  }
DEFINE_INTERP(rt_resize_f32_linear, RT_RESIZE_LINEAR)
DEFINE_INTERP(rt_resize_f32_cubic, RT_RESIZE_CUBIC)

/* ---- from operand values to params (the compiler's rules too) ---- */

/* Input taps per output coordinate on axis d, from its scale; beyond
 * RT_RESIZE_MAX_TAPS the count is RT_RESIZE_MAX_TAPS + 1. */
static int32_t tap_count(const rt_resize_params *p, int mode, int64_t d) {
  const double scale = axis_scale(p, d);
  if (mode == RT_RESIZE_NEAREST) return 1;
  if (p->in_dims[d] == p->out_dims[d] && scale == 1.0 && p->coord != RT_COORD_TF_CROP_AND_RESIZE) return 1;
  if (p->antialias && scale < 1.0) {
    const double reach = mode == RT_RESIZE_LINEAR ? 1.0 : 2.0, start = floor(-reach / scale) + 1;
    if (!(start >= -RT_RESIZE_MAX_TAPS)) return RT_RESIZE_MAX_TAPS + 1;
    return (int32_t)(2 - 2 * (int64_t)start);
  }
  return mode == RT_RESIZE_LINEAR ? 2 : 4;
}

/* out_dims of the axes the scales describe: floor(scale * in). */
static int resolve_scales(rt_resize_params *p, const rt_resize_rule_params *q, const double *scales,
                          double max_dim, int *where) {
  int i;
  for (i = 0; i < q->naxes; i++) {
    const int d = q->axes[i];
    double o;
    *where = i;
    if (!(scales[i] > 0) || scales[i] > 1e9) return RT_RESIZE_BAD_SCALE;
    if (q->upsample && scales[i] < 1) return RT_RESIZE_SCALE_BELOW_1;
    p->scales[d] = (float)scales[i];
    p->scale_num[d] = p->scale_den[d] = 0;
    o = floor((double)p->scales[d] * (double)p->in_dims[d]);
    /* checked in double before it becomes an int64 (C leaves that undefined out of range) */
    if (!(o < max_dim)) return RT_RESIZE_TOO_LARGE;
    p->out_dims[d] = (int64_t)o;
  }
  return RT_RESIZE_OK;
}

/* out_dims and scale_num/den of the axes the sizes describe: the sizes
 * themselves (stretch), or every axis scaled by the one ratio that keeps
 * the result not larger / not smaller than the sizes. */
static int resolve_sizes(rt_resize_params *p, const rt_resize_rule_params *q, const int64_t *sizes,
                         double max_dim, int *where) {
  int i, best = 0;
  for (i = 0; i < q->naxes; i++) {
    const int64_t in = p->in_dims[q->axes[i]];
    *where = i;
    if (sizes[i] < 0) return RT_RESIZE_NEGATIVE_SIZE;
    if (in == 0 && sizes[i] != 0) return RT_RESIZE_EMPTY_AXIS;
    /* Compare sizes[i] / in against the best so far without dividing. */
    if (in > 0 && i > best) {
      const double a = (double)sizes[i] * (double)p->in_dims[q->axes[best]], b = (double)sizes[best] * (double)in;
      if ((q->policy == 1 && a < b) || (q->policy == 2 && a > b)) best = i;
    }
  }
  for (i = 0; i < q->naxes; i++) {
    const int d = q->axes[i];
    double o;
    *where = i;
    if (p->in_dims[d] == 0) continue;
    if (q->policy == 0) {
      p->scale_num[d] = sizes[i];
      p->scale_den[d] = p->in_dims[d];
      p->out_dims[d] = sizes[i];
      continue;
    }
    p->scale_num[d] = sizes[best];
    p->scale_den[d] = p->in_dims[q->axes[best]];
    o = (double)p->scale_num[d] / (double)p->scale_den[d] * (double)p->in_dims[d] + 0.5;
    if (!(o < max_dim)) return RT_RESIZE_TOO_LARGE;
    p->out_dims[d] = (int64_t)o;
  }
  return RT_RESIZE_OK;
}

int rt_resize_resolve(rt_resize_params *p, const rt_resize_rule_params *q, const double *scales,
                      const int64_t *sizes, const double *roi, double max_dim, int *where) {
  int d, i, err, empty = 0;
  int64_t combos = 1;
  *where = 0;
  for (d = 0; d < p->rank; d++) {
    p->out_dims[d] = p->in_dims[d]; /* axes the operands do not list keep their size */
    p->scale_num[d] = p->scale_den[d] = 1;
    p->scales[d] = 0;
    p->roi_start[d] = 0;
    p->roi_end[d] = 1.0f;
  }
  err = scales ? resolve_scales(p, q, scales, max_dim, where) : resolve_sizes(p, q, sizes, max_dim, where);
  if (err) return err;
  for (i = 0; roi && i < q->naxes; i++) {
    p->roi_start[q->axes[i]] = (float)roi[i];
    p->roi_end[q->axes[i]] = (float)roi[q->naxes + i];
  }
  for (d = 0; d < p->rank; d++) empty |= p->out_dims[d] == 0;
  for (d = 0; d < p->rank; d++) {
    *where = d;
    p->taps[d] = empty ? 1 : tap_count(p, q->mode, d);
    if (p->taps[d] > q->max_taps[d]) return RT_RESIZE_TOO_MANY_TAPS;
    if (d < p->rank - 1) combos *= p->taps[d];
    if (combos > RT_RESIZE_MAX_COMBOS) return RT_RESIZE_TOO_MANY_COMBOS;
  }
  return RT_RESIZE_OK;
}

int32_t rt_resize_max_taps(const rt_resize_params *p, const rt_resize_rule_params *q, int d) {
  const int32_t mode_taps = q->mode == RT_RESIZE_LINEAR ? 2 : 4;
  int i, listed = 0;
  double reach, most;
  for (i = 0; i < q->naxes; i++) listed |= q->axes[i] == d;
  if (q->mode == RT_RESIZE_NEAREST) return 1;
  if (!listed) return p->coord == RT_COORD_TF_CROP_AND_RESIZE ? mode_taps : 1;
  if (!p->antialias) return mode_taps;
  /* A non-empty output has scale * in >= 1/2 (sizes round), so
   * floor(-reach / scale) >= -2 * reach * in and taps <= 4 * reach * in. */
  reach = q->mode == RT_RESIZE_LINEAR ? 1.0 : 2.0;
  most = 4 * reach * (double)p->in_dims[d];
  if (most < mode_taps) return mode_taps;
  return most < RT_RESIZE_MAX_TAPS ? (int32_t)most : RT_RESIZE_MAX_TAPS;
}

/* n float or double values of an operand as doubles. */
static void read_reals(const void *v, int f64, int n, double *out) {
  int i;
  for (i = 0; i < n; i++) out[i] = f64 ? ((const double *)v)[i] : (double)((const float *)v)[i];
}

RT_KERNEL(rt_resize_prepare) {
  const rt_resize_rule_params *q = (const rt_resize_rule_params *)params;
  rt_resize_params *p = (rt_resize_params *)out[1];
  double scales[RT_MAX_RANK], roi[2 * RT_MAX_RANK];
  int64_t *dims = (int64_t *)out[0];
  const int has_roi = q->roi_in >= 0 && in[q->roi_in];
  int k, where;
  (void)scratch;
  if (q->scales_in >= 0) read_reals(in[q->scales_in], q->scales_f64, q->naxes, scales);
  if (has_roi) read_reals(in[q->roi_in], q->roi_f64, 2 * q->naxes, roi);
  /* any output dim past the bounds is refused after this call */
  if (rt_resize_resolve(p, q, q->scales_in >= 0 ? scales : NULL,
                        q->scales_in >= 0 ? NULL : (const int64_t *)in[q->sizes_in], has_roi ? roi : NULL,
                        4e18, &where) != RT_RESIZE_OK) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  for (k = 0; k < q->n_defines; k++) dims[k] = p->out_dims[q->define_axes[k]];
}
