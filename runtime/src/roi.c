/* RoiAlign and MaxRoiPool kernels (kernels/roi.h): one body each over
 * the element type; a region's geometry is computed once and shared by
 * its channels. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/roi.h"

/* One region's geometry along one axis: the start, the bin size and the
 * samples per bin. */
typedef struct roi_axis {
  double start, bin;
  int64_t samples;
} roi_axis;

static roi_axis roi_axis_of(const rt_roi_align_params *p, double lo, double hi, int64_t bins) {
  roi_axis a;
  const double offset = p->half_pixel ? 0.5 : 0.0;
  double len;
  a.start = lo * (double)p->spatial_scale - offset;
  len = hi * (double)p->spatial_scale - offset - a.start;
  if (!p->half_pixel && len < 1.0) len = 1.0; /* output_half_pixel: at least a pixel */
  a.bin = len / (double)bins;
  a.samples = p->sampling_ratio > 0 ? p->sampling_ratio : (int64_t)ceil(len / (double)bins);
  return a;
}

/* A sample's four taps (offsets in one plane) and their weights; all
 * weights 0 when it lies beyond [-1, size] on either axis. */
typedef struct roi_taps {
  int64_t at[4];
  double w[4];
} roi_taps;

/* Low and high tap and the fraction along one axis of `size` pixels. */
static void roi_clamp(double v, int64_t size, int64_t *lo, int64_t *hi, double *frac) {
  if (v < 0) v = 0;
  *lo = (int64_t)v;
  if (*lo >= size - 1) {
    *lo = *hi = size - 1;
    v = (double)*lo;
  } else {
    *hi = *lo + 1;
  }
  *frac = v - (double)*lo;
}

static roi_taps roi_taps_at(const rt_roi_align_params *p, double y, double x) {
  roi_taps t;
  int64_t y0, y1, x0, x1;
  double ly, lx;
  memset(&t, 0, sizeof t);
  if (y < -1.0 || y > (double)p->h || x < -1.0 || x > (double)p->w) return t;
  roi_clamp(y, p->h, &y0, &y1, &ly);
  roi_clamp(x, p->w, &x0, &x1, &lx);
  t.at[0] = y0 * p->w + x0, t.at[1] = y0 * p->w + x1;
  t.at[2] = y1 * p->w + x0, t.at[3] = y1 * p->w + x1;
  t.w[0] = (1 - ly) * (1 - lx), t.w[1] = (1 - ly) * lx;
  t.w[2] = ly * (1 - lx), t.w[3] = ly * lx;
  return t;
}

/* Whether region r, of batch index b, has nothing to read (an empty
 * image, or a batch index outside [0, n), which is the model's error:
 * RT_ERR_VALUE); its output yr (elements of esize bytes) is then 0. */
static int roi_skip(const rt_roi_align_params *p, int64_t b, void *const *out, void *yr, size_t esize) {
  const int64_t plane = p->h * p->w;
  if (b >= 0 && b < p->n && plane > 0) return 0;
  if (plane && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_VALUE;
  memset(yr, 0, esize * (size_t)(p->c * p->out_h * p->out_w));
  return 1;
}

/* Bin (ph, pw) of plane `x` for one region. */
#define ROI_BIN(T)                                                                                   \
  static double roi_bin_##T(const rt_roi_align_params *p, const T *x, const roi_axis *ay,            \
                            const roi_axis *ax, int64_t ph, int64_t pw) {                            \
    double acc = 0;                                                                                  \
    int64_t iy, ix, k, count = ay->samples * ax->samples;                                            \
    for (iy = 0; iy < ay->samples; iy++)                                                             \
      for (ix = 0; ix < ax->samples; ix++) {                                                         \
        const double y = ay->start + (double)ph * ay->bin + ((double)iy + 0.5) * ay->bin / (double)ay->samples; \
        const double xx = ax->start + (double)pw * ax->bin + ((double)ix + 0.5) * ax->bin / (double)ax->samples; \
        const roi_taps t = roi_taps_at(p, y, xx);                                                    \
        if (p->mode == RT_ROI_AVG) {                                                                 \
          for (k = 0; k < 4; k++) acc += t.w[k] * (double)x[t.at[k]];                                \
        } else {                                                                                     \
          double m = t.w[0] * (double)x[t.at[0]];                                                    \
          for (k = 1; k < 4; k++)                                                                    \
            if (t.w[k] * (double)x[t.at[k]] > m) m = t.w[k] * (double)x[t.at[k]];                   \
          if ((iy == 0 && ix == 0) || m > acc) acc = m;                                              \
        }                                                                                            \
      }                                                                                              \
    if (p->mode == RT_ROI_AVG) acc /= (double)(count > 1 ? count : 1);                               \
    return acc;                                                                                      \
  }

#define ROI_ALIGN(t, T)                                                                              \
  ROI_BIN(T)                                                                                         \
  RT_KERNEL(rt_roi_align_##t) {                                                                      \
    const rt_roi_align_params *p = (const rt_roi_align_params *)params;                              \
    const T *x = (const T *)in[0], *rois = (const T *)in[1];                                         \
    const int64_t *batch = (const int64_t *)in[2];                                                   \
    T *y = (T *)out[0];                                                                              \
    const int64_t plane = p->h * p->w, bins = p->out_h * p->out_w;                                   \
    int64_t r, ch, ph, pw;                                                                           \
    (void)scratch;                                                                                   \
    for (r = 0; r < p->rois; r++) {                                                                  \
      const T *box = rois + 4 * r;                                                                   \
      const roi_axis ax = roi_axis_of(p, (double)box[0], (double)box[2], p->out_w);                  \
      const roi_axis ay = roi_axis_of(p, (double)box[1], (double)box[3], p->out_h);                  \
      T *yr = y + r * p->c * bins;                                                                   \
      if (roi_skip(p, batch[r], out, yr, sizeof(T))) continue;                                       \
      for (ch = 0; ch < p->c; ch++) {                                                                \
        const T *xp = x + (batch[r] * p->c + ch) * plane;                                            \
        for (ph = 0; ph < p->out_h; ph++)                                                            \
          for (pw = 0; pw < p->out_w; pw++)                                                          \
            yr[ch * bins + ph * p->out_w + pw] = (T)roi_bin_##T(p, xp, &ay, &ax, ph, pw);            \
      }                                                                                              \
    }                                                                                                \
  }
ROI_ALIGN(f32, float)
ROI_ALIGN(f64, double)

/* MaxRoiPool's span along one axis: the region's first pixel and its bin
 * size (the region at least one pixel). */
#define ROI_POOL_AXIS(T, F)                                                                          \
  static T roi_pool_axis_##T(const rt_roi_align_params *p, T lo, T hi, int64_t bins, int64_t *start) { \
    const int64_t a = (int64_t)round##F(lo * (T)p->spatial_scale);                                   \
    const int64_t b = (int64_t)round##F(hi * (T)p->spatial_scale);                                   \
    *start = a;                                                                                      \
    return (T)(b - a + 1 > 1 ? b - a + 1 : 1) / (T)bins;                                             \
  }

/* Bin k's pixels [*from, *to) along an axis of `size` pixels. F is the
 * libm suffix of T (f for float): the float kernel rounds in float, which
 * gives the same integers, with no double routine on an MCU. */
#define ROI_POOL_BIN(T, F)                                                                           \
  static void roi_pool_bin_##T(int64_t k, T bin, int64_t start, int64_t size, int64_t *from, int64_t *to) { \
    int64_t f = (int64_t)floor##F((T)k * bin) + start, t = (int64_t)ceil##F((T)(k + 1) * bin) + start; \
    *from = f < 0 ? 0 : f > size ? size : f;                                                         \
    *to = t < 0 ? 0 : t > size ? size : t;                                                           \
  }

#define MAX_ROI_POOL(t, T, F, LOWEST)                                                                \
  ROI_POOL_AXIS(T, F)                                                                                \
  ROI_POOL_BIN(T, F)                                                                                 \
  RT_KERNEL(rt_max_roi_pool_##t) {                                                                   \
    const rt_roi_align_params *p = (const rt_roi_align_params *)params;                              \
    const T *x = (const T *)in[0], *rois = (const T *)in[1];                                         \
    T *y = (T *)out[0];                                                                              \
    const int64_t plane = p->h * p->w, bins = p->out_h * p->out_w;                                   \
    int64_t r, ch, ph, pw, i, j, sx, sy, y0, y1, x0, x1;                                             \
    (void)scratch;                                                                                   \
    for (r = 0; r < p->rois; r++) {                                                                  \
      const T *box = rois + 5 * r;                                                                   \
      const T bw = roi_pool_axis_##T(p, box[1], box[3], p->out_w, &sx);                              \
      const T bh = roi_pool_axis_##T(p, box[2], box[4], p->out_h, &sy);                              \
      const int64_t b = (int64_t)box[0];                                                             \
      T *yr = y + r * p->c * bins;                                                                   \
      if (roi_skip(p, b, out, yr, sizeof(T))) continue;                                              \
      for (ch = 0; ch < p->c; ch++) {                                                                \
        const T *xp = x + (b * p->c + ch) * plane;                                                   \
        for (ph = 0; ph < p->out_h; ph++) {                                                          \
          roi_pool_bin_##T(ph, bh, sy, p->h, &y0, &y1);                                              \
          for (pw = 0; pw < p->out_w; pw++) {                                                        \
            T m;                                                                                     \
            roi_pool_bin_##T(pw, bw, sx, p->w, &x0, &x1);                                            \
            /* ONNX Runtime's start: the lowest finite value (NaNs never win) */                      \
            m = y1 > y0 && x1 > x0 ? LOWEST : 0;                                                     \
            for (i = y0; i < y1; i++)                                                                \
              for (j = x0; j < x1; j++)                                                              \
                if (xp[i * p->w + j] > m) m = xp[i * p->w + j];                                      \
            yr[ch * bins + ph * p->out_w + pw] = m;                                                  \
          }                                                                                          \
        }                                                                                            \
      }                                                                                              \
    }                                                                                                \
  }
MAX_ROI_POOL(f32, float, f, -FLT_MAX)
MAX_ROI_POOL(f64, double, , -DBL_MAX)
