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

static int64_t align8(int64_t n) { return (n + 7) & ~(int64_t)7; }
static int64_t cache_bytes(const rt_resize_params *p);

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
static int64_t nearest_index(double v, int64_t mode, int downsample) {
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
static void axis_taps(const rt_resize_params *p, int64_t d, int64_t x, int64_t stride, int64_t *idx,
                      float *w, uint8_t *ext) {
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
    int64_t mode = p->mode == RT_RESIZE_NEAREST ? p->nearest : RT_NEAREST_ROUND_PREFER_FLOOR;
    idx[0] = clamp_index(nearest_index(v, mode, scale < 1.0), n) * stride;
    w[0] = 1.0f;
    return;
  }
  /* The taps sit at base + start + t with ratio = v - base in (0, 1]. */
  base = ceil(v) - 1;
  ratio = v - base;
  if (p->mode == RT_RESIZE_LINEAR && !p->antialias) {
    ws[0] = 1 - ratio;
    ws[1] = ratio;
  } else if (p->mode == RT_RESIZE_CUBIC && !p->antialias) {
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
      ws[t] = p->mode == RT_RESIZE_LINEAR ? (fabs(arg) < 1 ? 1 - fabs(arg) : 0)
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

/* y[j] = x[ix[j]] for a row; elements of 1, 2, 4, 8 bytes move as
 * unsigned integers of that size, others with memcpy. */
#define NEAREST_ROW(T)                                                         \
  do {                                                                         \
    T *Y = (T *)(void *)y;                                                     \
    const T *X = (const T *)(const void *)xr;                                  \
    for (j = 0; j < m; j++) Y[j] = X[ix[j]];                                   \
  } while (0)

static void nearest_row(char *y, const char *xr, const int64_t *ix, int64_t m, int64_t es) {
  int64_t j;
  switch (es) {
  case 1: NEAREST_ROW(uint8_t); break;
  case 2: NEAREST_ROW(uint16_t); break;
  case 4: NEAREST_ROW(uint32_t); break;
  case 8: NEAREST_ROW(uint64_t); break;
  default:
    for (j = 0; j < m; j++) memcpy(y + j * es, xr + ix[j] * es, (size_t)es);
    break;
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
  if (p->mode == RT_RESIZE_NEAREST || p->taps[L] == 1) return 0;
  return CACHE_ROWS * p->out_dims[L] * 4;
}

RT_KERNEL(rt_resize) {
  const rt_resize_params *p = (const rt_resize_params *)params;
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const int64_t r = p->rank, es = p->esize, L = r - 1;
  const int64_t m = p->out_dims[L], TL = p->taps[L];
  int64_t entries, max_combos, nflags, d, o, j, c, t, k, outer = 1, s = 1, ncomb, last_ext = 0;
  int64_t istr[RT_MAX_RANK], idx[RT_MAX_RANK] = {0}, key[CACHE_ROWS], prev_off = -1;
  int64_t *ix[RT_MAX_RANK], *coff;
  float *wt[RT_MAX_RANK], *cw, *cache = NULL, *rows[CACHE_ROWS];
  uint8_t *ext[RT_MAX_RANK];
  char v[8];
  for (d = 0; d < r; d++)
    if (p->out_dims[d] == 0) return;
  table_sizes(p, &entries, &max_combos, &nflags);
  {
    int64_t *ib = (int64_t *)scratch;
    float *fb = (float *)(ib + entries + max_combos);
    uint8_t *bb = (uint8_t *)scratch + (entries + max_combos) * 8 + align8((entries + max_combos) * 4);
    for (d = 0; d < r; d++) {
      ix[d] = ib;
      wt[d] = fb;
      ext[d] = bb;
      ib += p->out_dims[d] * p->taps[d];
      fb += p->out_dims[d] * p->taps[d];
      bb += p->out_dims[d];
    }
    coff = ib;
    cw = fb;
    if (cache_bytes(p)) cache = (float *)(void *)((uint8_t *)scratch + (entries + max_combos) * 8 +
                                                   align8((entries + max_combos) * 4) + align8(nflags));
  }
  for (k = 0; k < CACHE_ROWS; k++) key[k] = -1;
  for (d = r - 1; d >= 0; d--) {
    istr[d] = s;
    s *= p->in_dims[d];
  }
  for (d = 0; d < r; d++) {
    const int64_t T = p->taps[d];
    for (o = 0; o < p->out_dims[d]; o++)
      axis_taps(p, d, o, istr[d], ix[d] + o * T, wt[d] + o * T, ext[d] + o);
  }
  for (j = 0; j < m; j++) last_ext |= ext[L][j];
  for (d = 0; d < r - 1; d++) outer *= p->out_dims[d];
  memset(v, 0, sizeof v);
  if (p->is_float) memcpy(v, &p->extrapolation, 4);
  for (o = 0; o < outer; o++) {
    int row_ext = 0;
    /* Combine the outer axes' taps: (offset, weight) pairs. */
    ncomb = 1;
    coff[0] = 0;
    cw[0] = 1.0f;
    for (d = 0; d < r - 1; d++) {
      const int64_t T = p->taps[d], *id = ix[d] + idx[d] * T;
      const float *wd = wt[d] + idx[d] * T;
      row_ext |= ext[d][idx[d]];
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
      for (j = 0; j < m; j++) memcpy(y + j * es, v, (size_t)es);
      prev_off = -1;
    } else if (ncomb == 1 && TL == 1) {
      /* Nearest: an output row reading the same input row as the one
       * before it is a copy of it. */
      if (coff[0] == prev_off)
        memcpy(y, y - m * es, (size_t)(m * es));
      else
        nearest_row(y, x + coff[0] * es, ix[L], m, es);
      prev_off = coff[0];
    } else {
      float *yf = (float *)(void *)y;
      const float *xf = (const float *)(const void *)x;
      if (ncomb == 1) {
        interp_row(yf, xf + coff[0], ix[L], wt[L], m, TL);
      } else if (cache && ncomb <= CACHE_ROWS) {
        int used[CACHE_ROWS] = {0};
        for (c = 0; c < ncomb; c++) {
          rows[c] = NULL;
          for (k = 0; k < CACHE_ROWS; k++)
            if (key[k] == coff[c]) {
              used[k] = 1;
              rows[c] = cache + k * m;
              break;
            }
        }
        for (c = 0; c < ncomb; c++) {
          if (rows[c]) continue;
          for (k = 0; used[k]; k++) continue;
          used[k] = 1;
          key[k] = coff[c];
          rows[c] = cache + k * m;
          interp_row(rows[c], xf + coff[c], ix[L], wt[L], m, TL);
        }
        if (ncomb == 2) {
          const float w0 = cw[0], w1 = cw[1], *h0 = rows[0], *h1 = rows[1];
          for (j = 0; j < m; j++) yf[j] = w0 * h0[j] + w1 * h1[j];
        } else {
          for (j = 0; j < m; j++) yf[j] = cw[0] * rows[0][j];
          for (c = 1; c < ncomb; c++) {
            const float wc = cw[c], *h = rows[c];
            for (j = 0; j < m; j++) yf[j] += wc * h[j];
          }
        }
      } else {
        /* Many combinations (or one tap along the row): accumulate. */
        for (j = 0; j < m; j++) yf[j] = 0.0f;
        for (c = 0; c < ncomb; c++) {
          const float wc = cw[c];
          const float *xr = xf + coff[c];
          const int64_t *il = ix[L];
          const float *wl = wt[L];
          for (j = 0; j < m; j++) {
            float acc = 0;
            for (t = 0; t < TL; t++) acc += wl[j * TL + t] * xr[il[j * TL + t]];
            yf[j] += wc * acc;
          }
        }
      }
      prev_off = -1;
    }
    if (last_ext)
      for (j = 0; j < m; j++)
        if (ext[L][j]) memcpy(y + j * es, v, (size_t)es);
    y += m * es;
    for (d = r - 2; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
}
