/* rt_nchwc_maxpool_f32: MaxPool on a blocked tensor (kernels/nchwc.h):
 * each tap of a window is one 16-lane max, one channel per lane, whatever
 * the window or the plane's width. Each output starts at -inf and takes
 * its valid taps in row-major order with pool.c's comparison (b > a ? b :
 * a), so it is rt_maxpool_f32's value; the pad lanes get the max of the
 * input's finite pad lanes. Tasks take whole output rows. */
#include <math.h>

#include "index_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h" /* RT_SGEMM_AVX512 */

#if RT_SGEMM_AVX512
#include <immintrin.h>
#endif

#define B RT_CONV_NCHWC_BLOCK

/* Taps [*lo, *hi] of output o whose input o * s - pad + k * d lies in
 * [0, n) (empty when *hi < *lo). */
static void valid_taps(int64_t o, int64_t s, int64_t pad, int64_t d, int64_t k, int64_t n, int64_t *lo, int64_t *hi) {
  const int64_t start = o * s - pad;
  *lo = start < 0 ? RT_IDIV(-start + d - 1, d) : 0;
  *hi = start + (k - 1) * d > n - 1 ? (n - 1 - start < 0 ? -1 : RT_IDIV(n - 1 - start, d)) : k - 1;
}

typedef struct pool_job {
  const rt_pool_params *p;
  const float *x;
  float *y;
} pool_job;

/* Output rows [lo, hi) of all planes (row r: plane r / OH, row r % OH). */
static void maxpool_rows(void *arg, int64_t lo, int64_t hi) {
  const pool_job *j = (const pool_job *)arg;
  const rt_pool_params *p = j->p;
  const int64_t ih = p->in_dims[1], iw = p->in_dims[2], oh = p->out_dims[1], ow = p->out_dims[2];
  int64_t r;
  for (r = lo; r < hi; r++) {
    const int64_t plane = RT_IDIV(r, oh), o = r - plane * oh;
    const float *xp = j->x + plane * ih * iw * B;
    float *yr = j->y + r * ow * B;
    int64_t h0, h1, c;
    valid_taps(o, p->strides[1], p->pads[1], p->dilations[1], p->kernel[1], ih, &h0, &h1);
    for (c = 0; c < ow; c++) {
      int64_t w0, w1, kh, kw;
#if RT_SGEMM_AVX512
      /* max_ps(t, acc) is t > acc ? t : acc, pool.c's comparison */
      __m512 acc = _mm512_set1_ps(-INFINITY);
#else
      float acc[B];
      int64_t l;
      for (l = 0; l < B; l++) acc[l] = -INFINITY;
#endif
      valid_taps(c, p->strides[2], p->pads[2], p->dilations[2], p->kernel[2], iw, &w0, &w1);
      for (kh = h0; kh <= h1; kh++) {
        const float *xr = xp + (o * p->strides[1] - p->pads[1] + kh * p->dilations[1]) * iw * B;
        for (kw = w0; kw <= w1; kw++) {
          const float *t = xr + (c * p->strides[2] - p->pads[2] + kw * p->dilations[2]) * B;
#if RT_SGEMM_AVX512
          acc = _mm512_max_ps(_mm512_loadu_ps(t), acc);
#else
          for (l = 0; l < B; l++) acc[l] = t[l] > acc[l] ? t[l] : acc[l];
#endif
        }
      }
#if RT_SGEMM_AVX512
      _mm512_storeu_ps(yr + c * B, acc);
#else
      for (l = 0; l < B; l++) yr[c * B + l] = acc[l];
#endif
    }
  }
}

RT_KERNEL(rt_nchwc_maxpool_f32) {
  const rt_pool_params *p = (const rt_pool_params *)params;
  pool_job j;
  (void)scratch;
  j.p = p;
  j.x = (const float *)in[0];
  j.y = (float *)out[0];
  rt_parallel_ranges(RT_PARALLEL_OF(in), p->planes * p->out_dims[1], 1,
                     (int64_t)sizeof(float) * B * (p->out_dims[2] + p->kernel[1] * p->in_dims[2]), maxpool_rows, &j);
}
