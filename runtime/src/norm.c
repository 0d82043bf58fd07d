/* Normalisation and softmax kernels.
 *
 * Float sums use eight partial accumulators: the compiler may then
 * vectorise them without reassociating one long sum (it may not without
 * -ffast-math), and the error grows more slowly than with a single sum. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/norm.h"

/* ---- helpers ---- */

static float sum_f32(const float *x, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + 8 <= n; i += 8)
    for (j = 0; j < 8; j++) acc[j] += x[i + j];
  for (; i < n; i++) tail += x[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

/* Sum of (x - m)^2. */
static float sqdev_f32(const float *x, int64_t n, float m) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + 8 <= n; i += 8)
    for (j = 0; j < 8; j++) {
      const float d = x[i + j] - m;
      acc[j] += d * d;
    }
  for (; i < n; i++) tail += (x[i] - m) * (x[i] - m);
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

static float max_f32(const float *x, int64_t n) {
  float acc[8], m;
  int64_t i = 0, j;
  if (n < 8) {
    m = x[0];
    for (i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
  }
  for (j = 0; j < 8; j++) acc[j] = x[j];
  for (i = 8; i + 8 <= n; i += 8)
    for (j = 0; j < 8; j++) acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
  m = acc[0];
  for (j = 1; j < 8; j++) m = acc[j] > m ? acc[j] : m;
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

/* exp(x) for x <= 0, as softmax needs: Cephes' polynomial on
 * [-ln2/2, ln2/2] and 2^n assembled from the bits of the rounded float (no
 * float->int conversion, so NaN stays harmless). Relative error about
 * 2e-7. x is first clamped at -87 (exp(-87) ~ 1.6e-38 stands in for the
 * denormals and zeros below, which no softmax sum can tell apart; -inf
 * gives it too). The clamp compares the bits as unsigned integers (for a
 * negative float a larger magnitude is a larger integer): a float select
 * would stop gcc from vectorising the callers' loops without -ffast-math. */
static float exp_neg(float x) {
  float t, n, r, p, s;
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  bits = bits > 0xC2AE0000u ? 0xC2AE0000u : bits; /* -87.0f */
  memcpy(&x, &bits, sizeof x);
  t = x * 1.44269504088896341f + 12582912.0f; /* 1.5 * 2^23: round */
  n = t - 12582912.0f;
  r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  memcpy(&bits, &t, sizeof bits);
  bits = (bits - 0x4B400000u + 127u) << 23;
  memcpy(&s, &bits, sizeof s);
  return p * s;
}

/* y = exp(x - m), returning the sum of y (eight partial sums). */
static float exp_sum(const float *x, float *y, int64_t n, float m) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, tail = 0.0f;
  int64_t i = 0, j;
  for (; i + 8 <= n; i += 8)
    for (j = 0; j < 8; j++) {
      const float e = exp_neg(x[i + j] - m);
      y[i + j] = e;
      acc[j] += e;
    }
  for (; i < n; i++) {
    y[i] = exp_neg(x[i] - m);
    tail += y[i];
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

static double param_at(const void *base, int64_t dtype, int64_t i) {
  return dtype == RT_DOUBLE ? ((const double *)base)[i] : (double)((const float *)base)[i];
}

/* ---- BatchNormalization ---- */

RT_KERNEL(rt_batchnorm) {
  const rt_batchnorm_params *p = (const rt_batchnorm_params *)params;
  const int64_t inner = p->inner, pb = p->param_dtype == RT_DOUBLE ? 8 : 4;
  int64_t n, c, i;
  (void)scratch;
  for (c = 0; c < p->c; c++) {
    const double a = param_at(in[1], p->param_dtype, c) /
                     sqrt(param_at(in[4], p->param_dtype, c) + (double)p->epsilon);
    const double b = param_at(in[2], p->param_dtype, c) - param_at(in[3], p->param_dtype, c) * a;
    for (n = 0; n < p->n; n++) {
      const int64_t off = (n * p->c + c) * inner;
      if (p->dtype == RT_DOUBLE) {
        const double *x = (const double *)in[0] + off;
        double *y = (double *)out[0] + off;
        for (i = 0; i < inner; i++) y[i] = x[i] * a + b;
      } else {
        const float *x = (const float *)in[0] + off;
        float *y = (float *)out[0] + off;
        const float af = (float)a, bf = (float)b;
        for (i = 0; i < inner; i++) y[i] = x[i] * af + bf;
      }
    }
  }
  if (p->has_mean) memcpy(out[1], in[3], (size_t)(p->c * pb));
  if (p->has_var) memcpy(out[2], in[4], (size_t)(p->c * pb));
}

/* ---- Softmax, LogSoftmax, Hardmax ---- */

static void softmax_rows_f32(const rt_softmax_params *p, const float *x, float *y) {
  const int64_t n = p->n;
  int64_t o, j;
  for (o = 0; o < p->outer; o++, x += n, y += n) {
    const float m = max_f32(x, n);
    if (p->op == RT_SOFTMAX_HARDMAX) {
      int64_t best = 0;
      for (j = 0; j < n; j++) y[j] = 0.0f;
      for (j = 0; j < n; j++)
        if (x[j] == m) {
          best = j;
          break;
        }
      y[best] = 1.0f;
      continue;
    }
    {
      const float s = exp_sum(x, y, n, m);
      if (p->op == RT_SOFTMAX_SOFTMAX) {
        const float inv = 1.0f / s;
        for (j = 0; j < n; j++) y[j] *= inv;
      } else {
        const float ls = logf(s);
        for (j = 0; j < n; j++) y[j] = (x[j] - m) - ls;
      }
    }
  }
}

/* Along a strided axis: the running max and sum of a whole [inner] slab at
 * a time, so every loop is contiguous. */
static void softmax_strided_f32(const rt_softmax_params *p, const float *x, float *y, float *m, float *s) {
  const int64_t n = p->n, inner = p->inner;
  int64_t o, j, i;
  for (o = 0; o < p->outer; o++, x += n * inner, y += n * inner) {
    for (i = 0; i < inner; i++) m[i] = x[i];
    for (j = 1; j < n; j++)
      for (i = 0; i < inner; i++) m[i] = x[j * inner + i] > m[i] ? x[j * inner + i] : m[i];
    if (p->op == RT_SOFTMAX_HARDMAX) {
      for (j = 0; j < n * inner; j++) y[j] = 0.0f;
      for (i = 0; i < inner; i++) {
        for (j = 0; j < n; j++)
          if (x[j * inner + i] == m[i]) break;
        y[(j < n ? j : 0) * inner + i] = 1.0f;
      }
      continue;
    }
    for (i = 0; i < inner; i++) s[i] = 0.0f;
    for (j = 0; j < n; j++)
      for (i = 0; i < inner; i++) {
        const float e = exp_neg(x[j * inner + i] - m[i]);
        y[j * inner + i] = e;
        s[i] += e;
      }
    if (p->op == RT_SOFTMAX_SOFTMAX) {
      for (i = 0; i < inner; i++) s[i] = 1.0f / s[i];
      for (j = 0; j < n; j++)
        for (i = 0; i < inner; i++) y[j * inner + i] *= s[i];
    } else {
      for (i = 0; i < inner; i++) s[i] = logf(s[i]);
      for (j = 0; j < n; j++)
        for (i = 0; i < inner; i++) y[j * inner + i] = (x[j * inner + i] - m[i]) - s[i];
    }
  }
}

/* Double: plain loops, any inner stride. */
static void softmax_f64(const rt_softmax_params *p, const double *x, double *y) {
  const int64_t n = p->n, inner = p->inner;
  int64_t o, j, i;
  for (o = 0; o < p->outer; o++)
    for (i = 0; i < inner; i++) {
      const double *xr = x + o * n * inner + i;
      double *yr = y + o * n * inner + i;
      double m = xr[0], s = 0.0;
      int64_t best = 0;
      for (j = 1; j < n; j++)
        if (xr[j * inner] > m) {
          m = xr[j * inner];
          best = j;
        }
      if (p->op == RT_SOFTMAX_HARDMAX) {
        for (j = 0; j < n; j++) yr[j * inner] = j == best ? 1.0 : 0.0;
        continue;
      }
      for (j = 0; j < n; j++) {
        yr[j * inner] = exp(xr[j * inner] - m);
        s += yr[j * inner];
      }
      if (p->op == RT_SOFTMAX_SOFTMAX) {
        for (j = 0; j < n; j++) yr[j * inner] /= s;
      } else {
        const double ls = log(s);
        for (j = 0; j < n; j++) yr[j * inner] = (xr[j * inner] - m) - ls;
      }
    }
}

RT_KERNEL(rt_softmax) {
  const rt_softmax_params *p = (const rt_softmax_params *)params;
  if (p->n <= 0) return;
  if (p->dtype == RT_DOUBLE) {
    softmax_f64(p, (const double *)in[0], (double *)out[0]);
  } else if (p->inner == 1) {
    softmax_rows_f32(p, (const float *)in[0], (float *)out[0]);
  } else {
    float *m = (float *)scratch;
    softmax_strided_f32(p, (const float *)in[0], (float *)out[0], m, m + p->inner);
  }
}

/* ---- InstanceNormalization ---- */

RT_KERNEL(rt_instancenorm) {
  const rt_instancenorm_params *p = (const rt_instancenorm_params *)params;
  const int64_t inner = p->inner;
  int64_t n, c, i;
  (void)scratch;
  if (inner <= 0) return;
  for (n = 0; n < p->n; n++)
    for (c = 0; c < p->c; c++) {
      const int64_t off = (n * p->c + c) * inner;
      if (p->dtype == RT_DOUBLE) {
        const double *x = (const double *)in[0] + off;
        double *y = (double *)out[0] + off;
        const double m = sum_f64(x, inner) / (double)inner;
        const double var = sqdev_f64(x, inner, m) / (double)inner;
        const double a = ((const double *)in[1])[c] / sqrt(var + (double)p->epsilon);
        const double b = ((const double *)in[2])[c];
        for (i = 0; i < inner; i++) y[i] = (x[i] - m) * a + b;
      } else {
        const float *x = (const float *)in[0] + off;
        float *y = (float *)out[0] + off;
        const float m = sum_f32(x, inner) / (float)inner;
        const float var = sqdev_f32(x, inner, m) / (float)inner;
        const float a = ((const float *)in[1])[c] / sqrtf(var + p->epsilon);
        const float b = ((const float *)in[2])[c];
        for (i = 0; i < inner; i++) y[i] = (x[i] - m) * a + b;
      }
    }
}

/* ---- LayerNormalization ---- */

static void store_stat(void *dst, int64_t dtype, int64_t i, double v) {
  if (!dst) return;
  if (dtype == RT_DOUBLE)
    ((double *)dst)[i] = v;
  else
    ((float *)dst)[i] = (float)v;
}

RT_KERNEL(rt_layernorm) {
  const rt_layernorm_params *p = (const rt_layernorm_params *)params;
  const int64_t n = p->n, sn = p->scale_n, bn = p->bias_n;
  int64_t o, j, k;
  (void)scratch;
  if (n <= 0) return;
  for (o = 0; o < p->outer; o++) {
    if (p->dtype == RT_DOUBLE) {
      const double *x = (const double *)in[0] + o * n, *sc = (const double *)in[1];
      const double *bi = p->has_bias ? (const double *)in[2] : NULL;
      double *y = (double *)out[0] + o * n;
      const double m = sum_f64(x, n) / (double)n;
      const double inv = 1.0 / sqrt(sqdev_f64(x, n, m) / (double)n + (double)p->epsilon);
      for (j = 0; j < n; j++) y[j] = (x[j] - m) * inv * sc[j % sn] + (bi ? bi[j % bn] : 0.0);
      store_stat(p->has_mean ? out[1] : NULL, p->stash_dtype, o, m);
      store_stat(p->has_invstd ? out[2] : NULL, p->stash_dtype, o, inv);
    } else {
      const float *x = (const float *)in[0] + o * n, *sc = (const float *)in[1];
      const float *bi = p->has_bias ? (const float *)in[2] : NULL;
      float *y = (float *)out[0] + o * n;
      const float m = sum_f32(x, n) / (float)n;
      const float inv = 1.0f / sqrtf(sqdev_f32(x, n, m) / (float)n + p->epsilon);
      /* Scale (and bias) repeat every sn (bn) elements; the common case is
       * one full-row pass. */
      for (j = 0; j < n; j += sn)
        for (k = 0; k < sn; k++) y[j + k] = (x[j + k] - m) * inv * sc[k];
      if (bi)
        for (j = 0; j < n; j += bn)
          for (k = 0; k < bn; k++) y[j + k] += bi[k];
      store_stat(p->has_mean ? out[1] : NULL, p->stash_dtype, o, m);
      store_stat(p->has_invstd ? out[2] : NULL, p->stash_dtype, o, inv);
    }
  }
}

/* ---- LRN ---- */

RT_KERNEL(rt_lrn) {
  const rt_lrn_params *p = (const rt_lrn_params *)params;
  const int64_t inner = p->inner, C = p->c, lo = (p->size - 1) / 2, hi = p->size / 2;
  int64_t n, c, k, i;
  for (n = 0; n < p->n; n++)
    for (c = 0; c < C; c++) {
      const int64_t k0 = c - lo < 0 ? 0 : c - lo, k1 = c + hi > C - 1 ? C - 1 : c + hi;
      const int64_t off = (n * C + c) * inner;
      if (p->dtype == RT_DOUBLE) {
        const double *x = (const double *)in[0];
        double *y = (double *)out[0] + off, *s = (double *)scratch;
        const double a = (double)p->alpha / (double)p->size;
        for (i = 0; i < inner; i++) s[i] = 0.0;
        for (k = k0; k <= k1; k++) {
          const double *xk = x + (n * C + k) * inner;
          for (i = 0; i < inner; i++) s[i] += xk[i] * xk[i];
        }
        for (i = 0; i < inner; i++)
          y[i] = x[off + i] * pow((double)p->bias + a * s[i], -(double)p->beta);
      } else {
        const float *x = (const float *)in[0];
        float *y = (float *)out[0] + off, *s = (float *)scratch;
        const float a = p->alpha / (float)p->size;
        for (i = 0; i < inner; i++) s[i] = 0.0f;
        for (k = k0; k <= k1; k++) {
          const float *xk = x + (n * C + k) * inner;
          for (i = 0; i < inner; i++) s[i] += xk[i] * xk[i];
        }
        if (p->beta == 0.75f) {
          /* The usual beta: b^-0.75 = 1 / (sqrt(b) * sqrt(sqrt(b))). */
          for (i = 0; i < inner; i++) {
            const float b = p->bias + a * s[i], r = sqrtf(b);
            y[i] = x[off + i] / (r * sqrtf(r));
          }
        } else {
          for (i = 0; i < inner; i++) y[i] = x[off + i] * powf(p->bias + a * s[i], -p->beta);
        }
      }
    }
}

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

RT_KERNEL(rt_mvn) {
  const rt_mvn_params *p = (const rt_mvn_params *)params;
  double *sum = (double *)scratch, *sq = sum + p->groups;
  int64_t total = 1, d, g;
  for (d = 0; d < p->rank; d++) total *= p->dims[d];
  if (total == 0 || p->rank == 0) return;
  for (g = 0; g < p->groups; g++) sum[g] = sq[g] = 0.0;
  if (p->dtype == RT_DOUBLE) {
    const double *x = (const double *)in[0];
    MVN_WALK((sum[st] += x[e_], sq[st] += x[e_] * x[e_]));
  } else {
    const float *x = (const float *)in[0];
    MVN_WALK((sum[st] += (double)x[e_], sq[st] += (double)x[e_] * (double)x[e_]));
  }
  /* sum -> mean, sq -> 1 / (std + 1e-9) */
  for (g = 0; g < p->groups; g++) {
    const double m = sum[g] / (double)p->count;
    double var = sq[g] / (double)p->count - m * m;
    var = var > 0.0 ? var : 0.0;
    sum[g] = m;
    sq[g] = 1.0 / (sqrt(var) + 1e-9);
  }
  if (p->dtype == RT_DOUBLE) {
    const double *x = (const double *)in[0];
    double *y = (double *)out[0];
    MVN_WALK(y[e_] = (x[e_] - sum[st]) * sq[st]);
  } else {
    const float *x = (const float *)in[0];
    float *y = (float *)out[0];
    MVN_WALK(y[e_] = (float)(((double)x[e_] - sum[st]) * sq[st]));
  }
}
