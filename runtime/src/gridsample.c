/* GridSample kernels (gridsample.h): one function per element type, the
 * body written once for float and double. */
#include <math.h>

#include "index_internal.h"
#include "onnxcc/kernels/gridsample.h"

/* Folds v into [lo, hi] by reflecting it at the bounds as many times as
 * it takes, as a ray between two mirrors. */
#define GS_REFLECT(T)                                                  \
  static T gs_reflect_##T(T v, T lo, T hi) {                                  \
    T range = hi - lo, d, r;                                                  \
    int64_t k;                                                                \
    if (range <= 0) return lo;                                                \
    if (v < lo) {                                                             \
      d = lo - v;                                                             \
      k = (int64_t)(d / range);                                               \
      r = d - (T)k * range;                                                   \
      return k % 2 == 0 ? lo + r : hi - r;                                    \
    }                                                                         \
    if (v > hi) {                                                             \
      d = v - hi;                                                             \
      k = (int64_t)(d / range);                                               \
      r = d - (T)k * range;                                                   \
      return k % 2 == 0 ? hi - r : lo + r;                                    \
    }                                                                         \
    return v;                                                                 \
  }
GS_REFLECT(float)
GS_REFLECT(double)
#undef GS_REFLECT

/* The kernel for element type T (suffix t). For every output point, each
 * spatial dim gets up to 4 taps (index into the input, weight, whether it
 * reads 0); the value is the sum over every combination of one tap per
 * dim of the product of their weights times the pixel. */
#define GRIDSAMPLE_KERNEL(t, T, FLOOR, RINT)                                  \
  RT_KERNEL(rt_gridsample_##t) {                                              \
    const rt_gridsample_params *p = (const rt_gridsample_params *)params;     \
    const T *x = (const T *)in[0], *grid = (const T *)in[1];                  \
    T *y = (T *)out[0];                                                       \
    const int r = p->rank;                                                    \
    int64_t in_size = 1, out_size = 1, b, ch, o;                              \
    int d;                                                                    \
    (void)scratch;                                                            \
    for (d = 0; d < r; d++) in_size *= p->in_dims[d], out_size *= p->out_dims[d]; \
    for (b = 0; b < p->n; b++)                                                \
      for (o = 0; o < out_size; o++) {                                        \
        const T *g = grid + (b * out_size + o) * r;                           \
        int64_t idx[3][4], stride = 1, cnt[3], pos[3], off;                   \
        T w[3][4];                                                            \
        int ok[3][4], ntaps = 1, k;                                           \
        for (d = r - 1; d >= 0; d--) {                                        \
          const int64_t size = p->in_dims[d];                                 \
          const T lo = p->align_corners ? 0 : (T)-0.5;                        \
          const T hi = p->align_corners ? (T)(size - 1) : (T)size - (T)0.5;   \
          /* the grid lists the last spatial dim first */                     \
          const T u = g[r - 1 - d];                                           \
          T v = p->align_corners ? (u + 1) / 2 * (T)(size - 1)                \
                                 : ((u + 1) * (T)size - 1) / 2;               \
          T f, a;                                                             \
          int64_t i0, first;                                                  \
          /* NaN reads as outside; far-off points are brought within 1e9 \
           * of the image, so that every index fits int64 */                \
          if (v != v) v = lo - 8;                                             \
          if (v < lo - (T)1e9) v = lo - (T)1e9;                               \
          if (v > hi + (T)1e9) v = hi + (T)1e9;                               \
          if (p->mode == RT_GS_NEAREST) v = RINT(v);                          \
          if (v < lo || v > hi) {                                             \
            if (p->padding == RT_GS_BORDER)                                   \
              v = v < 0 ? 0 : (v > (T)(size - 1) ? (T)(size - 1) : v);        \
            else if (p->padding == RT_GS_REFLECTION)                          \
              v = gs_reflect_##T(v, lo, hi);                                  \
          }                                                                   \
          if (p->mode == RT_GS_NEAREST) {                                     \
            cnt[d] = 1;                                                       \
            first = (int64_t)v; /* toward zero, v being whole or reflected */ \
            w[d][0] = 1;                                                      \
          } else {                                                            \
            f = FLOOR(v);                                                     \
            i0 = (int64_t)f;                                                  \
            a = v - f;                                                        \
            if (p->mode == RT_GS_LINEAR) {                                    \
              cnt[d] = 2;                                                     \
              first = i0;                                                     \
              w[d][0] = 1 - a;                                                \
              w[d][1] = a;                                                    \
            } else {                                                          \
              const T c = (T)-0.75, a1 = a + 1, b1 = 1 - a, b2 = 2 - a;       \
              cnt[d] = 4;                                                     \
              first = i0 - 1;                                                 \
              w[d][0] = ((c * a1 - 5 * c) * a1 + 8 * c) * a1 - 4 * c;         \
              w[d][1] = ((c + 2) * a - (c + 3)) * a * a + 1;                  \
              w[d][2] = ((c + 2) * b1 - (c + 3)) * b1 * b1 + 1;               \
              w[d][3] = ((c * b2 - 5 * c) * b2 + 8 * c) * b2 - 4 * c;         \
            }                                                                 \
          }                                                                   \
          for (k = 0; k < cnt[d]; k++) {                                      \
            int64_t i = first + k;                                            \
            ok[d][k] = 1;                                                     \
            if (p->padding == RT_GS_ZEROS)                                    \
              ok[d][k] = i >= 0 && i < size;                                  \
            else if (p->padding == RT_GS_BORDER)                              \
              i = i < 0 ? 0 : (i >= size ? size - 1 : i);                     \
            else if (i < 0 || i >= size)                                      \
              i = (int64_t)gs_reflect_##T((T)i, lo, hi);                      \
            if (i < 0 || i >= size) ok[d][k] = 0; /* never read outside */    \
            idx[d][k] = i * stride;                                           \
          }                                                                   \
          stride *= size;                                                     \
          ntaps *= (int)cnt[d];                                               \
        }                                                                     \
        for (ch = 0; ch < p->c; ch++) {                                       \
          const T *img = x + (b * p->c + ch) * in_size;                       \
          T sum = 0;                                                          \
          int tap;                                                            \
          for (tap = 0; tap < ntaps; tap++) {                                 \
            int rest = tap, live = 1;                                         \
            T wt = 1;                                                         \
            off = 0;                                                          \
            for (d = r - 1; d >= 0; d--) {                                    \
              pos[d] = rest % (int)cnt[d];                                    \
              rest /= (int)cnt[d];                                            \
              live &= ok[d][pos[d]];                                          \
              wt *= w[d][pos[d]];                                             \
              off += idx[d][pos[d]];                                          \
            }                                                                 \
            if (live) sum += wt * img[off];                                   \
          }                                                                   \
          y[(b * p->c + ch) * out_size + o] = sum;                            \
        }                                                                     \
      }                                                                       \
  }
GRIDSAMPLE_KERNEL(f32, float, floorf, nearbyintf)
GRIDSAMPLE_KERNEL(f64, double, floor, nearbyint)
#undef GRIDSAMPLE_KERNEL
