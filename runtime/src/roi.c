/* RoiAlign kernels (kernels/roi.h): one body over the element type; the
 * sampling geometry is computed once per region and shared by its
 * channels. */
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
      if (batch[r] < 0 || batch[r] >= p->n || plane == 0) {                                          \
        /* nothing to read: an empty image, or a batch index that is the model's error */            \
        if (plane && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_VALUE;                \
        memset(yr, 0, sizeof(T) * (size_t)(p->c * bins));                                            \
        continue;                                                                                    \
      }                                                                                              \
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
