/* Unary element-wise kernel: one switch on the op outside each loop. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/elementwise.h"

static float erf_tanh_gelu(float x) {
  /* tanh approximation of GELU, as the spec's approximate="tanh". */
  const float k = 0.7978845608028654f; /* sqrt(2/pi) */
  return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

static float sigmoidf(float x) {
  /* Split by sign so exp never overflows for large |x|. */
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static float softplusf(float x) {
  /* log(1+exp(x)) without overflow for large x. */
  if (x > 20.0f) return x;
  return log1pf(expf(x));
}

static float apply_f32(const rt_unary_params *p, float x) {
  switch ((enum rt_unary_op)p->op) {
  case RT_UNARY_RELU: return x > 0.0f ? x : 0.0f;
  case RT_UNARY_SIGMOID: return sigmoidf(x);
  case RT_UNARY_TANH: return tanhf(x);
  case RT_UNARY_EXP: return expf(x);
  case RT_UNARY_LOG: return logf(x);
  case RT_UNARY_SQRT: return sqrtf(x);
  case RT_UNARY_ABS: return fabsf(x);
  case RT_UNARY_NEG: return -x;
  case RT_UNARY_RECIPROCAL: return 1.0f / x;
  case RT_UNARY_FLOOR: return floorf(x);
  case RT_UNARY_CEIL: return ceilf(x);
  case RT_UNARY_ROUND: return nearbyintf(x); /* half to even in default mode */
  case RT_UNARY_SIN: return sinf(x);
  case RT_UNARY_COS: return cosf(x);
  case RT_UNARY_TAN: return tanf(x);
  case RT_UNARY_ASIN: return asinf(x);
  case RT_UNARY_ACOS: return acosf(x);
  case RT_UNARY_ATAN: return atanf(x);
  case RT_UNARY_SINH: return sinhf(x);
  case RT_UNARY_COSH: return coshf(x);
  case RT_UNARY_ASINH: return asinhf(x);
  case RT_UNARY_ACOSH: return acoshf(x);
  case RT_UNARY_ATANH: return atanhf(x);
  case RT_UNARY_ERF: return erff(x);
  case RT_UNARY_SOFTPLUS: return softplusf(x);
  case RT_UNARY_SOFTSIGN: return x / (1.0f + fabsf(x));
  case RT_UNARY_SIGN: return (float)((x > 0.0f) - (x < 0.0f));
  case RT_UNARY_LEAKY_RELU: return x >= 0.0f ? x : p->alpha * x;
  case RT_UNARY_ELU: return x >= 0.0f ? x : p->alpha * (expf(x) - 1.0f);
  case RT_UNARY_SELU:
    return x > 0.0f ? p->gamma * x : p->gamma * (p->alpha * expf(x) - p->alpha);
  case RT_UNARY_HARD_SIGMOID: {
    float v = p->alpha * x + p->beta;
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
  case RT_UNARY_HARD_SWISH: {
    float v = x / 6.0f + 0.5f;
    v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    return x * v;
  }
  case RT_UNARY_CLIP: return x < p->alpha ? p->alpha : (x > p->beta ? p->beta : x);
  case RT_UNARY_THRESHOLDED_RELU: return x > p->alpha ? x : 0.0f;
  case RT_UNARY_CELU: {
    float neg = p->alpha * (expf(x / p->alpha) - 1.0f);
    return (x > 0.0f ? x : 0.0f) + (neg < 0.0f ? neg : 0.0f);
  }
  case RT_UNARY_MISH: return x * tanhf(softplusf(x));
  case RT_UNARY_GELU: return 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
  case RT_UNARY_GELU_TANH: return erf_tanh_gelu(x);
  case RT_UNARY_IDENTITY: return x;
  default: return x;
  }
}

static double apply_f64(const rt_unary_params *p, double x) {
  switch ((enum rt_unary_op)p->op) {
  case RT_UNARY_RELU: return x > 0.0 ? x : 0.0;
  case RT_UNARY_SIGMOID: return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
  case RT_UNARY_TANH: return tanh(x);
  case RT_UNARY_EXP: return exp(x);
  case RT_UNARY_LOG: return log(x);
  case RT_UNARY_SQRT: return sqrt(x);
  case RT_UNARY_ABS: return fabs(x);
  case RT_UNARY_NEG: return -x;
  case RT_UNARY_RECIPROCAL: return 1.0 / x;
  case RT_UNARY_FLOOR: return floor(x);
  case RT_UNARY_CEIL: return ceil(x);
  case RT_UNARY_ROUND: return nearbyint(x);
  case RT_UNARY_SIGN: return (double)((x > 0.0) - (x < 0.0));
  case RT_UNARY_CLIP: return x < p->alpha ? p->alpha : (x > p->beta ? p->beta : x);
  case RT_UNARY_LEAKY_RELU: return x >= 0.0 ? x : p->alpha * x;
  default: return (double)apply_f32(p, (float)x);
  }
}

/* Integer ops: the compiler only lowers the ones that make sense here. */
#define INT_UNARY(T)                                                         \
  static void unary_##T(const rt_unary_params *p, const T *x, T *y) {        \
    int64_t i, n = p->count;                                                 \
    for (i = 0; i < n; i++) {                                                \
      T v = x[i];                                                            \
      switch ((enum rt_unary_op)p->op) {                                     \
      case RT_UNARY_ABS: v = (T)(v < 0 ? -v : v); break;                     \
      case RT_UNARY_NEG: v = (T)(-v); break;                                 \
      case RT_UNARY_RELU: v = (T)(v > 0 ? v : 0); break;                     \
      case RT_UNARY_SIGN: v = (T)((v > 0) - (v < 0)); break;                 \
      case RT_UNARY_CLIP:                                                    \
        v = (T)((int64_t)v < p->ilo ? p->ilo : ((int64_t)v > p->ihi ? p->ihi : (int64_t)v)); \
        break;                                                               \
      default: break;                                                        \
      }                                                                      \
      y[i] = v;                                                              \
    }                                                                        \
  }
INT_UNARY(int8_t)
INT_UNARY(int16_t)
INT_UNARY(int32_t)
INT_UNARY(int64_t)
#undef INT_UNARY

/* Unsigned: only clip and identity-like ops apply. */
#define UINT_UNARY(T)                                                        \
  static void unary_##T(const rt_unary_params *p, const T *x, T *y) {        \
    int64_t i, n = p->count;                                                 \
    for (i = 0; i < n; i++) {                                                \
      T v = x[i];                                                            \
      if (p->op == RT_UNARY_CLIP) {                                          \
        if ((uint64_t)v < (uint64_t)p->ilo) v = (T)p->ilo;                   \
        if ((uint64_t)v > (uint64_t)p->ihi) v = (T)p->ihi;                   \
      } else if (p->op == RT_UNARY_SIGN) {                                   \
        v = (T)(v > 0);                                                      \
      }                                                                      \
      y[i] = v;                                                              \
    }                                                                        \
  }
UINT_UNARY(uint8_t)
UINT_UNARY(uint16_t)
UINT_UNARY(uint32_t)
UINT_UNARY(uint64_t)
#undef UINT_UNARY

static void unary_f32(const rt_unary_params *p, const float *x, float *y) {
  int64_t i, n = p->count;
  /* The hottest ops get their own loops so the C compiler can vectorise. */
  switch ((enum rt_unary_op)p->op) {
  case RT_UNARY_RELU:
    for (i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    return;
  case RT_UNARY_CLIP: {
    const float lo = p->alpha, hi = p->beta;
    for (i = 0; i < n; i++) {
      float v = x[i] < lo ? lo : x[i];
      y[i] = v > hi ? hi : v;
    }
    return;
  }
  default:
    for (i = 0; i < n; i++) y[i] = apply_f32(p, x[i]);
  }
}

static void unary_bool_out(const rt_unary_params *p, const void *xv, uint8_t *y) {
  int64_t i, n = p->count;
  if (p->op == RT_UNARY_NOT) {
    const uint8_t *x = (const uint8_t *)xv;
    for (i = 0; i < n; i++) y[i] = (uint8_t)!x[i];
  } else if (p->dtype == RT_DOUBLE) {
    const double *x = (const double *)xv;
    for (i = 0; i < n; i++)
      y[i] = (uint8_t)(p->op == RT_UNARY_ISNAN ? isnan(x[i])
                       : (isinf(x[i]) && ((x[i] > 0 && p->ilo) || (x[i] < 0 && p->ihi))));
  } else {
    const float *x = (const float *)xv;
    for (i = 0; i < n; i++)
      y[i] = (uint8_t)(p->op == RT_UNARY_ISNAN ? isnan(x[i])
                       : (isinf(x[i]) && ((x[i] > 0 && p->ilo) || (x[i] < 0 && p->ihi))));
  }
}

/* Reads element 0 of a Clip bound as int64 (integer dtypes). */
static int64_t bound_int(const void *b, int64_t dtype) {
  switch ((rt_dtype)dtype) {
  case RT_INT8: return *(const int8_t *)b;
  case RT_INT16: return *(const int16_t *)b;
  case RT_INT32: return *(const int32_t *)b;
  case RT_INT64: return *(const int64_t *)b;
  case RT_UINT8: return *(const uint8_t *)b;
  case RT_UINT16: return *(const uint16_t *)b;
  case RT_UINT32: return *(const uint32_t *)b;
  case RT_UINT64: return (int64_t)*(const uint64_t *)b;
  default: return 0;
  }
}

RT_KERNEL(rt_unary) {
  const rt_unary_params *p = (const rt_unary_params *)params;
  rt_unary_params clip;
  int64_t i;
  (void)scratch;
  /* Clip's bounds may be run-time inputs (opset 11+): they override the
   * defaults in the params. */
  if (p->op == RT_UNARY_CLIP && (in[1] || in[2])) {
    clip = *p;
    if (p->dtype == RT_FLOAT) {
      if (in[1]) clip.alpha = *(const float *)in[1];
      if (in[2]) clip.beta = *(const float *)in[2];
    } else if (p->dtype == RT_DOUBLE) {
      if (in[1]) clip.alpha = (float)*(const double *)in[1];
      if (in[2]) clip.beta = (float)*(const double *)in[2];
    } else {
      if (in[1]) clip.ilo = bound_int(in[1], p->dtype);
      if (in[2]) clip.ihi = bound_int(in[2], p->dtype);
    }
    p = &clip;
  }
  if (p->op == RT_UNARY_NOT || p->op == RT_UNARY_ISNAN || p->op == RT_UNARY_ISINF) {
    unary_bool_out(p, in[0], (uint8_t *)out[0]);
    return;
  }
  switch ((rt_dtype)p->dtype) {
  case RT_FLOAT: unary_f32(p, (const float *)in[0], (float *)out[0]); break;
  case RT_DOUBLE: {
    const double *x = (const double *)in[0];
    double *y = (double *)out[0];
    for (i = 0; i < p->count; i++) y[i] = apply_f64(p, x[i]);
    break;
  }
  case RT_INT8: unary_int8_t(p, (const int8_t *)in[0], (int8_t *)out[0]); break;
  case RT_INT16: unary_int16_t(p, (const int16_t *)in[0], (int16_t *)out[0]); break;
  case RT_INT32: unary_int32_t(p, (const int32_t *)in[0], (int32_t *)out[0]); break;
  case RT_INT64: unary_int64_t(p, (const int64_t *)in[0], (int64_t *)out[0]); break;
  case RT_UINT8: case RT_BOOL: unary_uint8_t(p, (const uint8_t *)in[0], (uint8_t *)out[0]); break;
  case RT_UINT16: unary_uint16_t(p, (const uint16_t *)in[0], (uint16_t *)out[0]); break;
  case RT_UINT32: unary_uint32_t(p, (const uint32_t *)in[0], (uint32_t *)out[0]); break;
  case RT_UINT64: unary_uint64_t(p, (const uint64_t *)in[0], (uint64_t *)out[0]); break;
  default: break;
  }
}

RT_KERNEL(rt_copy) {
  const rt_copy_params *p = (const rt_copy_params *)params;
  (void)scratch;
  if (out[0] != in[0]) memmove(out[0], in[0], (size_t)p->bytes);
  if (p->mask_bytes && out[1]) memset(out[1], 1, (size_t)p->mask_bytes);
}
