/* Normalisation and softmax kernels.
 *
 * Float sums and maxima keep LANES partial results (see the helpers):
 * the compiler may then vectorise them without reassociating one long sum
 * (it may not without -ffast-math), and the error grows more slowly than
 * with a single sum.
 *
 * Each op's body is written once, as a macro over the element type(s), and
 * instantiated into one function per variant (rt_batchnorm_f32, ...). */
#include <math.h>
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/norm.h"
#include "split_internal.h"
#include "vmath_internal.h"

/* ---- helpers ---- */

/* Float reductions keep LANES partial results, lane j taking elements
 * j, j + LANES, ...: each step is then an element-wise map over a
 * LANES-long block, which gcc vectorizes as it would any array loop. With
 * 8 lanes gcc unrolls the block and leaves scalar code (it may not
 * reassociate one running sum or maximum, without -ffast-math); 32 lanes
 * fill four 8-float vectors, so the loop vectorizes. The lanes are combined
 * pairwise at the end, which also keeps the rounding error growing slowly. */
#define LANES 32

static float lanes_sum(float *acc) {
  int w, j;
  for (w = LANES / 2; w > 0; w /= 2)
    for (j = 0; j < w; j++) acc[j] += acc[j + w];
  return acc[0];
}

static float lanes_max(float *acc) {
  int w, j;
  for (w = LANES / 2; w > 0; w /= 2)
    for (j = 0; j < w; j++) acc[j] = acc[j + w] > acc[j] ? acc[j + w] : acc[j];
  return acc[0];
}

static float sum_f32(const float *x, int64_t n) {
  float acc[LANES] = {0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + LANES <= n; i += LANES)
    for (j = 0; j < LANES; j++) acc[j] += x[i + j];
  for (; i < n; i++) tail += x[i];
  return lanes_sum(acc) + tail;
}

/* Sum of (x - m)^2. */
static float sqdev_f32(const float *x, int64_t n, float m) {
  float acc[LANES] = {0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + LANES <= n; i += LANES)
    for (j = 0; j < LANES; j++) {
      const float d = x[i + j] - m;
      acc[j] += d * d;
    }
  for (; i < n; i++) tail += (x[i] - m) * (x[i] - m);
  return lanes_sum(acc) + tail;
}

static float max_f32(const float *x, int64_t n) {
  float acc[LANES], m;
  int64_t i = 0, j;
  if (n < LANES) {
    m = x[0];
    for (i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
  }
  for (j = 0; j < LANES; j++) acc[j] = x[j];
  for (i = LANES; i + LANES <= n; i += LANES)
    for (j = 0; j < LANES; j++) acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
  m = lanes_max(acc);
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static double sum_f64(const double *x, int64_t n) {
  double acc[4] = {0, 0, 0, 0}, tail = 0.0;
  int64_t i = 0, j;
  for (; i + 4 <= n; i += 4)
    for (j = 0; j < 4; j++) acc[j] += x[i + j];
  for (; i < n; i++) tail += x[i];
  return (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail;
}

static double sqdev_f64(const double *x, int64_t n, double m) {
  double acc[4] = {0, 0, 0, 0}, tail = 0.0;
  int64_t i = 0, j;
  for (; i + 4 <= n; i += 4)
    for (j = 0; j < 4; j++) acc[j] += (x[i + j] - m) * (x[i + j] - m);
  for (; i < n; i++) tail += (x[i] - m) * (x[i] - m);
  return (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail;
}

/* exp(x) for x <= 0, as softmax needs: the branch-free rt_vexpf of
 * vmath_internal.h (the loops below vectorize with it; relative error
 * about 2e-7; exp(-87.34) ~ 1.2e-38 stands in for the denormals below
 * it, which no softmax sum can tell apart, and a masked -inf gives 0). */
#define exp_neg rt_vexpf

#if defined(__AVX512F__)
#include <immintrin.h>

/* y = exp(x - m), returning the sum of y: 16 floats a step, the last
 * ones masked. The loop of rt_vexpf below is what gcc makes of portable
 * C: 256-bit vectors and a select per range check. Here the same
 * reduction (x - m = n ln2 + r, ln2 in two parts, the same polynomial for
 * e^r) takes FMAs, and vscalefps multiplies by 2^n, which also gives the
 * denormals and 0 that rt_vexpf picks by compares: transformer_encoder's
 * softmax (512 rows of 128) went from 47 to 24 us. Below -104 e^x rounds
 * to 0, so x - m is clamped there (a masked -inf gives 0; the clamp keeps
 * NaN: max returns its second operand when either is NaN). */
static float exp_sum(const float *x, float *y, int64_t n, float m) {
  const __m512 vm = _mm512_set1_ps(m), lo = _mm512_set1_ps(-104.0f), log2e = _mm512_set1_ps(1.44269504088896341f);
  const __m512 ln2_hi = _mm512_set1_ps(0.693359375f), ln2_lo = _mm512_set1_ps(-2.12194440e-4f);
  __m512 acc = _mm512_setzero_ps();
  int64_t i;
  for (i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
    const __m512 v = _mm512_max_ps(lo, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm));
    const __m512 t = _mm512_roundscale_ps(_mm512_mul_ps(v, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_fnmadd_ps(t, ln2_lo, _mm512_fnmadd_ps(t, ln2_hi, v));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1.0f));
    p = _mm512_scalef_ps(p, t);
    _mm512_mask_storeu_ps(y + i, k, p);
    acc = _mm512_add_ps(acc, _mm512_maskz_mov_ps(k, p));
  }
  return _mm512_reduce_add_ps(acc);
}
#else
/* y = exp(x - m), returning the sum of y (LANES partial sums). */
static float exp_sum(const float *x, float *y, int64_t n, float m) {
  float acc[LANES] = {0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + LANES <= n; i += LANES)
    for (j = 0; j < LANES; j++) {
      const float e = exp_neg(x[i + j] - m);
      y[i + j] = e;
      acc[j] += e;
    }
  for (; i < n; i++) {
    y[i] = exp_neg(x[i] - m);
    tail += y[i];
  }
  return lanes_sum(acc) + tail;
}
#endif

/* ---- BatchNormalization ---- */

/* x and y of type T, scale, bias, mean, var of type U. Each channel's
 * affine map is folded in double, then applied in T. The (n, c) planes
 * split across the call's rt_parallel; a plane's map is the same whoever
 * folds it. */
/* The fused activation of rt_batchnorm_f32 on n values of y (the other
 * variants never carry one). */
#define BN_ACT_F32(p, y, n) \
  if ((p)->act != RT_ACT_NONE) rt_act_apply_f32((p)->act, (p)->act_a, (p)->act_b, (y), (y), NULL, (n))
#define BN_ACT_NONE(p, y, n) (void)0

#define DEFINE_BATCHNORM(NAME, T, U, ACT)                                       \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                 \
    RT_CALL_ARGS(arg);                                                          \
    const rt_batchnorm_params *p = (const rt_batchnorm_params *)params;        \
    const T *x = (const T *)in[0];                                              \
    const U *sc = (const U *)in[1], *bi = (const U *)in[2];                     \
    const U *mean = (const U *)in[3], *var = (const U *)in[4];                  \
    T *y = (T *)out[0];                                                         \
    const int64_t inner = p->inner;                                             \
    int64_t q, i;                                                               \
    for (q = lo; q < hi; q++) {                                                 \
      const int64_t c = RT_IMOD(q, p->c), off = q * inner;                      \
      const double a = (double)sc[c] / sqrt((double)var[c] + (double)p->epsilon); \
      const double b = (double)bi[c] - (double)mean[c] * a;                     \
      const T at = (T)a, bt = (T)b;                                             \
      for (i = 0; i < inner; i++) y[off + i] = x[off + i] * at + bt;            \
      ACT(p, y + off, inner);                                                   \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_batchnorm_params *p = (const rt_batchnorm_params *)params;         \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, p->n * p->c, 1, 2 * p->inner * (int64_t)sizeof(T)); \
    if (p->has_mean) memcpy(out[1], in[3], (size_t)p->c * sizeof(U));           \
    if (p->has_var) memcpy(out[2], in[4], (size_t)p->c * sizeof(U));            \
  }

DEFINE_BATCHNORM(rt_batchnorm_f32, float, float, BN_ACT_F32)
DEFINE_BATCHNORM(rt_batchnorm_f64, double, double, BN_ACT_NONE)
DEFINE_BATCHNORM(rt_batchnorm_f32_f64, float, double, BN_ACT_NONE)
DEFINE_BATCHNORM(rt_batchnorm_f64_f32, double, float, BN_ACT_NONE)

/* Training mode: each channel's mean and biased variance over n and
 * inner (in double), the normalisation with them, and the running
 * statistics moved toward them by 1 - momentum. */
#define DEFINE_BATCHNORM_TRAIN(NAME, T, U)                                                  \
  RT_KERNEL(NAME) {                                                                         \
    const rt_batchnorm_params *p = (const rt_batchnorm_params *)params;                    \
    const T *x = (const T *)in[0];                                                          \
    const U *sc = (const U *)in[1], *bi = (const U *)in[2];                                 \
    const U *mean = (const U *)in[3], *var = (const U *)in[4];                              \
    T *y = (T *)out[0];                                                                     \
    const int64_t inner = p->inner, count = p->n * inner;                                   \
    const double mom = (double)p->momentum;                                                 \
    int64_t n, c, i;                                                                        \
    (void)scratch;                                                                          \
    for (c = 0; c < p->c; c++) {                                                            \
      double sum = 0, dev = 0, m, v, a;                                                     \
      for (n = 0; n < p->n; n++)                                                            \
        for (i = 0; i < inner; i++) sum += (double)x[(n * p->c + c) * inner + i];          \
      m = count ? sum / (double)count : 0;                                                  \
      for (n = 0; n < p->n; n++)                                                            \
        for (i = 0; i < inner; i++) {                                                       \
          const double d = (double)x[(n * p->c + c) * inner + i] - m;                      \
          dev += d * d;                                                                     \
        }                                                                                   \
      v = count ? dev / (double)count : 0;                                                  \
      a = (double)sc[c] / sqrt(v + (double)p->epsilon);                                     \
      for (n = 0; n < p->n; n++)                                                            \
        for (i = 0; i < inner; i++) {                                                       \
          const int64_t at = (n * p->c + c) * inner + i;                                    \
          y[at] = (T)(((double)x[at] - m) * a + (double)bi[c]);                             \
        }                                                                                   \
      if (p->has_mean) ((U *)out[1])[c] = (U)((double)mean[c] * mom + m * (1 - mom));       \
      if (p->has_var) ((U *)out[2])[c] = (U)((double)var[c] * mom + v * (1 - mom));         \
    }                                                                                       \
  }

DEFINE_BATCHNORM_TRAIN(rt_batchnorm_train_f32, float, float)
DEFINE_BATCHNORM_TRAIN(rt_batchnorm_train_f64, double, double)
DEFINE_BATCHNORM_TRAIN(rt_batchnorm_train_f32_f64, float, double)
DEFINE_BATCHNORM_TRAIN(rt_batchnorm_train_f64_f32, double, float)

/* ---- Softmax, LogSoftmax, Hardmax ---- */

/* Which of the three a macro instantiation is; always a constant. */
enum { SM_SOFTMAX, SM_LOGSOFTMAX, SM_HARDMAX };

/* f32 along the last axis (inner == 1): contiguous rows. Softmax and
 * LogSoftmax share the exp pass (exp_sum writes exp(x - m) into y). The
 * strided variants below run whole. */
static void softmax_rows(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const rt_softmax_params *p = (const rt_softmax_params *)params;
  const int64_t n = p->n;
  const float *x = (const float *)in[0] + lo * n;
  float *y = (float *)out[0] + lo * n;
  int64_t o, j;
  for (o = lo; o < hi; o++, x += n, y += n) {
    const float inv = 1.0f / exp_sum(x, y, n, max_f32(x, n));
    for (j = 0; j < n; j++) y[j] *= inv;
  }
}

static void logsoftmax_rows(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const rt_softmax_params *p = (const rt_softmax_params *)params;
  const int64_t n = p->n;
  const float *x = (const float *)in[0] + lo * n;
  float *y = (float *)out[0] + lo * n;
  int64_t o, j;
  for (o = lo; o < hi; o++, x += n, y += n) {
    const float m = max_f32(x, n), ls = logf(exp_sum(x, y, n, m));
    for (j = 0; j < n; j++) y[j] = (x[j] - m) - ls;
  }
}

/* 1 at the first maximum of each row, 0 elsewhere. */
static void hardmax_rows(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const rt_softmax_params *p = (const rt_softmax_params *)params;
  const int64_t n = p->n;
  const float *x = (const float *)in[0] + lo * n;
  float *y = (float *)out[0] + lo * n;
  int64_t o, j;
  for (o = lo; o < hi; o++, x += n, y += n) {
    const float m = max_f32(x, n);
    int64_t best = 0;
    for (j = 0; j < n; j++) y[j] = 0.0f;
    for (j = 0; j < n; j++)
      if (x[j] == m) {
        best = j;
        break;
      }
    y[best] = 1.0f;
  }
}

/* The rows split across the call's rt_parallel. */
#define SOFTMAX_ROWS_KERNEL(NAME, ROWS)                                         \
  RT_KERNEL(NAME) {                                                             \
    const rt_softmax_params *p = (const rt_softmax_params *)params;             \
    if (p->n <= 0) return;                                                      \
    rt_kernel_ranges(ROWS, params, in, out, scratch, p->outer, 1, 2 * p->n * (int64_t)sizeof(float)); \
  }
SOFTMAX_ROWS_KERNEL(rt_softmax_f32, softmax_rows)
SOFTMAX_ROWS_KERNEL(rt_logsoftmax_f32, logsoftmax_rows)
SOFTMAX_ROWS_KERNEL(rt_hardmax_f32, hardmax_rows)

/* f32 along a strided axis (inner > 1): the running max and sum of a whole
 * [inner] slab at a time, so every loop is contiguous. m (and s) are
 * scratch of inner floats. */
static void slab_max(const float *x, int64_t n, int64_t inner, float *m) {
  int64_t j, i;
  for (i = 0; i < inner; i++) m[i] = x[i];
  for (j = 1; j < n; j++)
    for (i = 0; i < inner; i++) m[i] = x[j * inner + i] > m[i] ? x[j * inner + i] : m[i];
}

/* y = exp(x - m) along the axis, s = the sums. */
static void slab_exp(const float *x, float *y, int64_t n, int64_t inner, const float *m, float *s) {
  int64_t j, i;
  for (i = 0; i < inner; i++) s[i] = 0.0f;
  for (j = 0; j < n; j++)
    for (i = 0; i < inner; i++) {
      const float e = exp_neg(x[j * inner + i] - m[i]);
      y[j * inner + i] = e;
      s[i] += e;
    }
}

/* Softmax and LogSoftmax along a strided axis differ only in the last
 * step: FINISH runs once per [n, inner] slab with x, y, m (the maxima) and
 * s (the sums of exponentials) ready, y holding the exponentials. */
#define DEFINE_SOFTMAX_STRIDED(NAME, FINISH)                                 \
  RT_KERNEL(NAME) {                                                          \
    const rt_softmax_params *p = (const rt_softmax_params *)params;          \
    const float *x = (const float *)in[0];                                   \
    float *y = (float *)out[0], *m = (float *)scratch;                       \
    const int64_t n = p->n, inner = p->inner;                                \
    float *s = m + inner;                                                    \
    int64_t o, j, i;                                                         \
    if (n <= 0) return;                                                      \
    for (o = 0; o < p->outer; o++, x += n * inner, y += n * inner) {         \
      slab_max(x, n, inner, m);                                              \
      slab_exp(x, y, n, inner, m, s);                                        \
      FINISH                                                                 \
    }                                                                        \
  }

DEFINE_SOFTMAX_STRIDED(rt_softmax_f32_strided,
                       for (i = 0; i < inner; i++) s[i] = 1.0f / s[i];
                       for (j = 0; j < n; j++) for (i = 0; i < inner; i++) y[j * inner + i] *= s[i];)
/* y is written again from x: this variant may not run in place */
DEFINE_SOFTMAX_STRIDED(rt_logsoftmax_f32_strided,
                       for (i = 0; i < inner; i++) s[i] = logf(s[i]);
                       for (j = 0; j < n; j++) for (i = 0; i < inner; i++)
                           y[j * inner + i] = (x[j * inner + i] - m[i]) - s[i];)

RT_KERNEL(rt_hardmax_f32_strided) {
  const rt_softmax_params *p = (const rt_softmax_params *)params;
  const float *x = (const float *)in[0];
  float *y = (float *)out[0], *m = (float *)scratch;
  const int64_t n = p->n, inner = p->inner;
  int64_t o, j, i;
  if (n <= 0) return;
  for (o = 0; o < p->outer; o++, x += n * inner, y += n * inner) {
    slab_max(x, n, inner, m);
    for (j = 0; j < n * inner; j++) y[j] = 0.0f;
    for (i = 0; i < inner; i++) {
      for (j = 0; j < n; j++)
        if (x[j * inner + i] == m[i]) break;
      y[(j < n ? j : 0) * inner + i] = 1.0f;
    }
  }
}

/* Double: plain loops, any inner stride. OP is one of SM_*. */
#define DEFINE_SOFTMAX_F64(NAME, OP)                                            \
  RT_KERNEL(NAME) {                                                             \
    const rt_softmax_params *p = (const rt_softmax_params *)params;             \
    const double *x = (const double *)in[0];                                    \
    double *y = (double *)out[0];                                               \
    const int64_t n = p->n, inner = p->inner;                                   \
    int64_t o, j, i;                                                            \
    (void)scratch;                                                              \
    if (n <= 0) return;                                                         \
    for (o = 0; o < p->outer; o++)                                              \
      for (i = 0; i < inner; i++) {                                             \
        const double *xr = x + o * n * inner + i;                               \
        double *yr = y + o * n * inner + i;                                     \
        double m = xr[0], s = 0.0;                                              \
        int64_t best = 0;                                                       \
        for (j = 1; j < n; j++)                                                 \
          if (xr[j * inner] > m) {                                              \
            m = xr[j * inner];                                                  \
            best = j;                                                           \
          }                                                                     \
        if (OP == SM_HARDMAX) {                                                 \
          for (j = 0; j < n; j++) yr[j * inner] = j == best ? 1.0 : 0.0;        \
          continue;                                                             \
        }                                                                       \
        for (j = 0; j < n; j++) {                                               \
          yr[j * inner] = exp(xr[j * inner] - m);                               \
          s += yr[j * inner];                                                   \
        }                                                                       \
        if (OP == SM_SOFTMAX) {                                                 \
          for (j = 0; j < n; j++) yr[j * inner] /= s;                           \
        } else {                                                                \
          const double ls = log(s);                                             \
          for (j = 0; j < n; j++) yr[j * inner] = (xr[j * inner] - m) - ls;     \
        }                                                                       \
      }                                                                         \
  }

DEFINE_SOFTMAX_F64(rt_softmax_f64, SM_SOFTMAX)
DEFINE_SOFTMAX_F64(rt_logsoftmax_f64, SM_LOGSOFTMAX)
DEFINE_SOFTMAX_F64(rt_hardmax_f64, SM_HARDMAX)

/* ---- InstanceNormalization ---- */

/* The (n, c) planes split across the call's rt_parallel. */
#define DEFINE_INSTANCENORM(NAME, T, SUM, SQDEV, SQRT)                          \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                 \
    RT_CALL_ARGS(arg);                                                          \
    const rt_instancenorm_params *p = (const rt_instancenorm_params *)params;   \
    const T *sc = (const T *)in[1], *bi = (const T *)in[2];                     \
    const int64_t inner = p->inner;                                             \
    int64_t q, i;                                                               \
    for (q = lo; q < hi; q++) {                                                 \
      const int64_t c = RT_IMOD(q, p->c), off = q * inner;                      \
      const T *x = (const T *)in[0] + off;                                      \
      T *y = (T *)out[0] + off;                                                 \
      const T m = SUM(x, inner) / (T)inner;                                     \
      const T var = SQDEV(x, inner, m) / (T)inner;                              \
      const T a = sc[c] / SQRT(var + (T)p->epsilon);                            \
      const T b = bi[c];                                                        \
      for (i = 0; i < inner; i++) y[i] = (x[i] - m) * a + b;                    \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_instancenorm_params *p = (const rt_instancenorm_params *)params;   \
    if (p->inner <= 0) return;                                                  \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, p->n * p->c, 1, 2 * p->inner * (int64_t)sizeof(T)); \
  }

DEFINE_INSTANCENORM(rt_instancenorm_f32, float, sum_f32, sqdev_f32, sqrtf)
DEFINE_INSTANCENORM(rt_instancenorm_f64, double, sum_f64, sqdev_f64, sqrt)

/* ---- LayerNormalization ---- */

/* Data of type T, the mean and inverse std-dev outputs of type U. Scale
 * (and bias) repeat every scale_n (bias_n) elements; the common case is
 * one full-row pass. The rows split across the call's rt_parallel. */
#define DEFINE_LAYERNORM(NAME, T, U, SUM, SQDEV, SQRT)                          \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                 \
    RT_CALL_ARGS(arg);                                                          \
    const rt_layernorm_params *p = (const rt_layernorm_params *)params;         \
    const int64_t n = p->n, sn = p->scale_n, bn = p->bias_n;                    \
    const T *sc = (const T *)in[1];                                             \
    const T *bi = p->has_bias ? (const T *)in[2] : NULL;                        \
    int64_t o, j, k;                                                            \
    for (o = lo; o < hi; o++) {                                                 \
      const T *x = (const T *)in[0] + o * n;                                    \
      T *y = (T *)out[0] + o * n;                                               \
      const T m = SUM(x, n) / (T)n;                                             \
      const T inv = (T)1 / SQRT(SQDEV(x, n, m) / (T)n + (T)p->epsilon);         \
      for (j = 0; j < n; j += sn)                                               \
        for (k = 0; k < sn; k++) y[j + k] = (x[j + k] - m) * inv * sc[k];       \
      if (bi)                                                                   \
        for (j = 0; j < n; j += bn)                                             \
          for (k = 0; k < bn; k++) y[j + k] += bi[k];                           \
      if (p->has_mean) ((U *)out[1])[o] = (U)m;                                 \
      if (p->has_invstd) ((U *)out[2])[o] = (U)inv;                             \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_layernorm_params *p = (const rt_layernorm_params *)params;         \
    if (p->n <= 0) return;                                                      \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, p->outer, 1, 2 * p->n * (int64_t)sizeof(T)); \
  }

DEFINE_LAYERNORM(rt_layernorm_f32, float, float, sum_f32, sqdev_f32, sqrtf)
DEFINE_LAYERNORM(rt_layernorm_f64, double, double, sum_f64, sqdev_f64, sqrt)
DEFINE_LAYERNORM(rt_layernorm_f32_f64, float, double, sum_f32, sqdev_f32, sqrtf)
DEFINE_LAYERNORM(rt_layernorm_f64_f32, double, float, sum_f64, sqdev_f64, sqrt)

/* ---- LRN ---- */

/* FAST075: take the usual beta = 0.75 through square roots instead of pow
 * (b^-0.75 = 1 / (sqrt(b) * sqrt(sqrt(b)))). */
#define DEFINE_LRN(NAME, T, SQRT, POW, FAST075)                                 \
  RT_KERNEL(NAME) {                                                             \
    const rt_lrn_params *p = (const rt_lrn_params *)params;                     \
    const int64_t inner = p->inner, C = p->c, lo = (p->size - 1) / 2, hi = p->size / 2; \
    const T *x = (const T *)in[0];                                              \
    T *s = (T *)scratch;                                                        \
    const T a = (T)p->alpha / (T)p->size, bias = (T)p->bias, beta = (T)p->beta; \
    int64_t n, c, k, i;                                                         \
    for (n = 0; n < p->n; n++)                                                  \
      for (c = 0; c < C; c++) {                                                 \
        const int64_t k0 = c - lo < 0 ? 0 : c - lo, k1 = c + hi > C - 1 ? C - 1 : c + hi; \
        const int64_t off = (n * C + c) * inner;                                \
        T *y = (T *)out[0] + off;                                               \
        for (i = 0; i < inner; i++) s[i] = 0;                                   \
        for (k = k0; k <= k1; k++) {                                            \
          const T *xk = x + (n * C + k) * inner;                                \
          for (i = 0; i < inner; i++) s[i] += xk[i] * xk[i];                    \
        }                                                                       \
        if (FAST075 && p->beta == 0.75f) {                                      \
          for (i = 0; i < inner; i++) {                                         \
            const T b = bias + a * s[i], r = SQRT(b);                           \
            y[i] = x[off + i] / (r * SQRT(r));                                  \
          }                                                                     \
        } else {                                                                \
          for (i = 0; i < inner; i++) y[i] = x[off + i] * POW(bias + a * s[i], -beta); \
        }                                                                       \
      }                                                                         \
  }

DEFINE_LRN(rt_lrn_f32, float, sqrtf, powf, 1)
DEFINE_LRN(rt_lrn_f64, double, sqrt, pow, 0)

/* ---- MeanVarianceNormalization ---- */

/* Visits every element in order with the offset of its statistics. */
#define MVN_WALK(BODY)                                                        \
  do {                                                                        \
    int64_t idx_[RT_MAX_RANK] = {0}, so_ = 0, e_ = 0, d_, i_;                 \
    const int64_t r_ = p->rank, last_ = p->dims[r_ - 1], ls_ = p->stat_strides[r_ - 1]; \
    while (e_ < total) {                                                      \
      for (i_ = 0; i_ < last_; i_++, e_++) {                                  \
        const int64_t st = so_ + i_ * ls_;                                    \
        BODY;                                                                 \
      }                                                                       \
      for (d_ = r_ - 2; d_ >= 0; d_--) {                                      \
        idx_[d_]++;                                                           \
        so_ += p->stat_strides[d_];                                           \
        if (idx_[d_] < p->dims[d_]) break;                                    \
        so_ -= p->stat_strides[d_] * p->dims[d_];                             \
        idx_[d_] = 0;                                                         \
      }                                                                       \
    }                                                                         \
  } while (0)

/* Statistics in double whatever T is. */
#define DEFINE_MVN(NAME, T)                                                     \
  RT_KERNEL(NAME) {                                                             \
    const rt_mvn_params *p = (const rt_mvn_params *)params;                     \
    const T *x = (const T *)in[0];                                              \
    T *y = (T *)out[0];                                                         \
    double *sum = (double *)scratch, *sq = sum + p->groups;                     \
    int64_t total = 1, d, g;                                                    \
    for (d = 0; d < p->rank; d++) total *= p->dims[d];                          \
    if (total == 0 || p->rank == 0) return;                                     \
    for (g = 0; g < p->groups; g++) sum[g] = sq[g] = 0.0;                       \
    MVN_WALK((sum[st] += (double)x[e_], sq[st] += (double)x[e_] * (double)x[e_])); \
    /* sum -> mean, sq -> 1 / (std + 1e-9) */                                   \
    for (g = 0; g < p->groups; g++) {                                           \
      const double m = sum[g] / (double)p->count;                               \
      double var = sq[g] / (double)p->count - m * m;                            \
      var = var > 0.0 ? var : 0.0;                                              \
      sum[g] = m;                                                               \
      sq[g] = 1.0 / (sqrt(var) + 1e-9);                                         \
    }                                                                           \
    MVN_WALK(y[e_] = (T)(((double)x[e_] - sum[st]) * sq[st]));                  \
  }

DEFINE_MVN(rt_mvn_f32, float)
DEFINE_MVN(rt_mvn_f64, double)

/* ---- RMSNormalization ---- */

/* The sum of squares is sqdev's with a mean of 0; the rows split across
 * the call's rt_parallel. */
#define DEFINE_RMSNORM(NAME, T, SQDEV, SQRT)                                    \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                 \
    RT_CALL_ARGS(arg);                                                          \
    const rt_rmsnorm_params *p = (const rt_rmsnorm_params *)params;             \
    const int64_t n = p->n, sn = p->scale_n;                                    \
    const T *sc = (const T *)in[1];                                             \
    int64_t o, j, k;                                                            \
    for (o = lo; o < hi; o++) {                                                 \
      const T *x = (const T *)in[0] + o * n;                                    \
      T *y = (T *)out[0] + o * n;                                               \
      const T inv = (T)1 / SQRT(SQDEV(x, n, (T)0) / (T)n + (T)p->epsilon);      \
      for (j = 0; j < n; j += sn)                                               \
        for (k = 0; k < sn; k++) y[j + k] = x[j + k] * inv * sc[k];             \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_rmsnorm_params *p = (const rt_rmsnorm_params *)params;             \
    if (p->n <= 0) return;                                                      \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, p->outer, 1, 2 * p->n * (int64_t)sizeof(T)); \
  }

DEFINE_RMSNORM(rt_rmsnorm_f32, float, sqdev_f32, sqrtf)
DEFINE_RMSNORM(rt_rmsnorm_f64, double, sqdev_f64, sqrt)

/* ---- LpNormalization ---- */

/* Lines are strided (inner apart), so the norm is a plain loop. */
#define DEFINE_LPNORM(NAME, T, FABS, SQRT)                                      \
  RT_KERNEL(NAME) {                                                             \
    const rt_lpnorm_params *p = (const rt_lpnorm_params *)params;               \
    const int64_t n = p->n, inner = p->inner;                                   \
    int64_t o, i, j;                                                            \
    (void)scratch;                                                              \
    for (o = 0; o < p->outer; o++)                                              \
      for (i = 0; i < inner; i++) {                                             \
        const T *x = (const T *)in[0] + o * n * inner + i;                      \
        T *y = (T *)out[0] + o * n * inner + i;                                 \
        T norm = 0;                                                             \
        for (j = 0; j < n; j++)                                                 \
          norm += p->p == 1 ? FABS(x[j * inner]) : x[j * inner] * x[j * inner]; \
        if (p->p != 1) norm = SQRT(norm);                                       \
        /* a zero norm gives zeros, not 0 / 0 */                                \
        for (j = 0; j < n; j++) y[j * inner] = norm == 0 ? (T)0 : x[j * inner] / norm; \
      }                                                                         \
  }

DEFINE_LPNORM(rt_lpnorm_f32, float, fabsf, sqrtf)
DEFINE_LPNORM(rt_lpnorm_f64, double, fabs, sqrt)

/* ---- GroupNormalization ---- */

/* A group's channels are consecutive, so its block is contiguous; the
 * (n, group) blocks split across the call's rt_parallel. */
#define DEFINE_GROUPNORM(NAME, T, SUM, SQDEV, SQRT)                             \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                 \
    RT_CALL_ARGS(arg);                                                          \
    const rt_groupnorm_params *p = (const rt_groupnorm_params *)params;         \
    const T *sc = (const T *)in[1], *bi = (const T *)in[2];                     \
    const int64_t inner = p->inner, cg = RT_IDIV(p->c, p->groups), len = cg * inner; \
    int64_t q, k, i;                                                                 \
    for (q = lo; q < hi; q++) {                                                      \
      const int64_t g = RT_IMOD(q, p->groups), off = q * len;                        \
      const T *x = (const T *)in[0] + off;                                           \
      T *y = (T *)out[0] + off;                                                      \
      const T m = SUM(x, len) / (T)len;                                              \
      const T inv = (T)1 / SQRT(SQDEV(x, len, m) / (T)len + (T)p->epsilon);          \
      for (k = 0; k < cg; k++) {                                                     \
        const T a = inv * sc[g * cg + k], b = bi[g * cg + k];                        \
        for (i = 0; i < inner; i++) y[k * inner + i] = (x[k * inner + i] - m) * a + b; \
      }                                                                         \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_groupnorm_params *p = (const rt_groupnorm_params *)params;         \
    const int64_t len = RT_IDIV(p->c, p->groups) * p->inner;                    \
    if (len <= 0) return;                                                       \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, p->n * p->groups, 1, 2 * len * (int64_t)sizeof(T)); \
  }

DEFINE_GROUPNORM(rt_groupnorm_f32, float, sum_f32, sqdev_f32, sqrtf)
DEFINE_GROUPNORM(rt_groupnorm_f64, double, sum_f64, sqdev_f64, sqrt)
