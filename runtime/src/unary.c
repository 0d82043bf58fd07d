/* Unary element-wise kernels: one function per op and element type.
 *
 * Each op is an expression in the element x and the params p, written
 * once and instantiated for every type its list in elementwise.h names. */
#include <math.h>
#include <string.h>

#include "half_internal.h"
#include "onnxcc/kernels/elementwise.h"
#include "act_internal.h"
#include "epilogue_internal.h"
#include "split_internal.h"

/* libm by precision: FN_f32(exp) is expf, FN_f64(exp) is exp; M(t, fn)
 * picks one for type suffix t. */
#define FN_f32(fn) fn##f
#define FN_f64(fn) fn
#define M(t, fn) FN_##t(fn)
/* A float attribute in the kernel's precision: an explicit conversion, so a
 * double kernel says where it widens one. */
#define A(t, v) ((RT_EW_CTYPE_##t)(v))

/* Helpers several ops share, for float and double. */
#define FLOAT_HELPERS(t)                                                      \
  static RT_EW_CTYPE_##t softplus_##t(RT_EW_CTYPE_##t x) {                    \
    /* log(1+exp(x)) without overflow for large x. */                         \
    if (x > 20) return x;                                                     \
    return M(t, log1p)(M(t, exp)(x));                                         \
  }                                                                           \
  static RT_EW_CTYPE_##t celu_##t(float alpha, RT_EW_CTYPE_##t x) {           \
    RT_EW_CTYPE_##t a = A(t, alpha);                                          \
    RT_EW_CTYPE_##t neg = a * (rt_act_exp_##t(x / a) - 1);                    \
    return (x > 0 ? x : 0) + (neg < 0 ? neg : 0);                             \
  }                                                                           \
  /* both sides computed, then one picked: a loop whose exp is under a      \
   * condition does not vectorize */                                         \
  static RT_EW_CTYPE_##t elu_##t(float alpha, RT_EW_CTYPE_##t x) {            \
    const RT_EW_CTYPE_##t neg = A(t, alpha) * (rt_act_exp_##t(x) - 1);        \
    return x >= 0 ? x : neg;                                                  \
  }
FLOAT_HELPERS(f32)
FLOAT_HELPERS(f64)
#undef FLOAT_HELPERS

/* The float ops: E_op(t, x), x of the C type of suffix t, p the params.
 * The activations the fused epilogue applies too, and exp, sigmoid, tanh
 * and erf, are act_internal.h's functions (for float, vectorizable). */
#define E_relu(t, x) rt_act_relu_##t(x)
#define E_sigmoid(t, x) rt_act_sigmoid_##t(x)
#define E_silu(t, x) rt_act_silu_##t(x)
#define E_swish(t, x) ((x) * rt_act_sigmoid_##t(A(t, p->alpha) * (x)))
/* SwiGLU: the gate's Swish times the value input (in[1]) at the same element */
#define E_swiglu(t, x) (E_swish(t, x) * ((const RT_EW_CTYPE_##t *)in[1])[i_])
#define E_mul_hard_sigmoid(t, x) rt_act_mul_hard_sigmoid_##t(x, A(t, p->alpha), A(t, p->beta))
#define E_tanh(t, x) rt_act_tanh_##t(x)
#define E_exp(t, x) rt_act_exp_##t(x)
#define E_log(t, x) M(t, log)(x)
#define E_sqrt(t, x) M(t, sqrt)(x)
#define E_abs(t, x) M(t, fabs)(x)
#define E_neg(t, x) (-(x))
#define E_reciprocal(t, x) (1 / (x))
#define E_floor(t, x) M(t, floor)(x)
#define E_ceil(t, x) M(t, ceil)(x)
#define E_round(t, x) M(t, nearbyint)(x) /* half to even in the default mode */
#define E_sin(t, x) M(t, sin)(x)
#define E_cos(t, x) M(t, cos)(x)
#define E_tan(t, x) M(t, tan)(x)
#define E_asin(t, x) M(t, asin)(x)
#define E_acos(t, x) M(t, acos)(x)
#define E_atan(t, x) M(t, atan)(x)
#define E_sinh(t, x) M(t, sinh)(x)
#define E_cosh(t, x) M(t, cosh)(x)
#define E_asinh(t, x) M(t, asinh)(x)
#define E_acosh(t, x) M(t, acosh)(x)
#define E_atanh(t, x) M(t, atanh)(x)
#define E_erf(t, x) rt_act_erf_##t(x)
#define E_softplus(t, x) softplus_##t(x)
#define E_softsign(t, x) ((x) / (1 + M(t, fabs)(x)))
#define E_sign(t, x) (((x) > 0) - ((x) < 0))
#define E_leaky_relu(t, x) rt_act_leaky_relu_##t(x, A(t, p->alpha))
#define E_elu(t, x) elu_##t(p->alpha, x)
#define E_selu(t, x) \
  ((x) > 0 ? A(t, p->gamma) * (x) : A(t, p->gamma) * (A(t, p->alpha) * rt_act_exp_##t(x) - A(t, p->alpha)))
#define E_hard_sigmoid(t, x) rt_act_hard_sigmoid_##t(x, A(t, p->alpha), A(t, p->beta))
#define E_hard_swish(t, x) rt_act_hard_swish_##t(x)
#define E_shrink(t, x) \
  ((x) < -A(t, p->alpha) ? (x) + A(t, p->beta) : ((x) > A(t, p->alpha) ? (x) - A(t, p->beta) : 0))
#define E_thresholded_relu(t, x) ((x) > A(t, p->alpha) ? (x) : 0)
#define E_celu(t, x) celu_##t(p->alpha, x)
#define E_mish(t, x) ((x) * M(t, tanh)(softplus_##t(x)))
#define E_gelu(t, x) rt_act_gelu_##t(x)
#define E_gelu_tanh(t, x) rt_act_gelu_tanh_##t(x)

/* The float activations whose f32 kernel is the fused epilogue's loop,
 * rt_act_apply_f32 (vectorized by hand where the target allows), so that a
 * fused node and the two nodes it replaces agree bit for bit: the RT_ACT_*
 * of op on elements of elem bytes, or -1. Called with literals, so the
 * compiler folds it to a constant in each kernel. */
static int32_t array_act(const char *op, size_t elem) {
  if (elem != sizeof(float)) return -1;
  if (!strcmp(op, "sigmoid")) return RT_ACT_SIGMOID;
  if (!strcmp(op, "tanh")) return RT_ACT_TANH;
  if (!strcmp(op, "silu")) return RT_ACT_SILU;
  return -1;
}

/* One kernel: y[i] = E_op(x[i]), or the epilogue's loop when ARRAY (an
 * RT_ACT_*) is not -1. The loop is all the range body does, so the C
 * compiler can vectorise the simple ops; the kernel splits the elements
 * across the call's rt_parallel (split_internal.h), in whole cache lines. */
#define UNARY_KERNEL_A(op, t, EXPR, ARRAY)                                    \
  static void unary_range_##op##_##t(void *arg, int64_t lo, int64_t hi) {     \
    RT_CALL_ARGS(arg);                                                        \
    const rt_unary_params *p = (const rt_unary_params *)params;               \
    const RT_EW_CTYPE_##t *x_ = (const RT_EW_CTYPE_##t *)in[0];               \
    RT_EW_CTYPE_##t *y_ = (RT_EW_CTYPE_##t *)out[0];                          \
    const int32_t act_ = (ARRAY);                                             \
    int64_t i_;                                                               \
    (void)p;                                                                  \
    if (act_ >= 0) {                                                          \
      rt_act_apply_f32(act_, 0.0f, 0.0f, (float *)(void *)(y_ + lo), (const float *)(const void *)(x_ + lo), NULL, \
                       hi - lo);                                              \
      return;                                                                 \
    }                                                                         \
    for (i_ = lo; i_ < hi; i_++) {                                            \
      const RT_EW_CTYPE_##t x = x_[i_];                                       \
      y_[i_] = (RT_EW_CTYPE_##t)(EXPR);                                       \
    }                                                                         \
  }                                                                           \
  RT_KERNEL(rt_##op##_##t) {                                                  \
    const rt_unary_params *p = (const rt_unary_params *)params;               \
    rt_kernel_ranges(unary_range_##op##_##t, params, in, out, scratch, p->count, RT_LINE_ELEMS(RT_EW_CTYPE_##t), \
                     2 * (int64_t)sizeof(RT_EW_CTYPE_##t));                   \
  }
#define UNARY_KERNEL(op, t, EXPR) UNARY_KERNEL_A(op, t, EXPR, -1)

#define FLOAT_KERNEL(K, op, t) UNARY_KERNEL_A(op, t, E_##op(t, x), array_act(#op, sizeof(RT_EW_CTYPE_##t)))
#define FLOAT_OP(K, op) RT_EW_FLOATS(FLOAT_KERNEL, K, op)
RT_UNARY_FLOAT_OPS(FLOAT_OP, ~)
FLOAT_OP(~, abs)
FLOAT_OP(~, neg)
FLOAT_OP(~, relu)
FLOAT_OP(~, sign)
FLOAT_OP(~, shrink)
#undef FLOAT_OP
#undef FLOAT_KERNEL

/* Shrink on integers: x -/+ bias in double (as a float bias makes it),
 * converted back toward zero; int64/uint64's range bounds the result, and
 * narrower types take it modulo their width, as any integer conversion. */
/* The shrunk value of x in double; *zero when x is within [-lambd, lambd]. */
static double shrink_double(double d, const rt_unary_params *p, int *zero) {
  const double lambd = (double)p->alpha, bias = (double)p->beta;
  *zero = !(d < -lambd || d > lambd);
  return d < -lambd ? d + bias : d - bias;
}
static int64_t shrink_signed(int64_t x, const rt_unary_params *p) {
  int zero;
  double d = shrink_double((double)x, p, &zero);
  if (zero) return 0;
  if (d >= 9223372036854775808.0) return INT64_MAX;
  if (d <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)d;
}
static uint64_t shrink_unsigned(uint64_t x, const rt_unary_params *p) {
  int zero;
  double d = shrink_double((double)x, p, &zero);
  if (zero) return 0;
  if (d >= 18446744073709551616.0) return UINT64_MAX;
  if (d >= 0) return (uint64_t)d;
  /* below zero: wraps, as the signed result converted to unsigned */
  return d <= -9223372036854775808.0 ? (uint64_t)INT64_MIN : (uint64_t)(int64_t)d;
}

/* Integer ops. Negation wraps (done in unsigned, so the most negative
 * value does not overflow); on unsigned types abs and relu are the
 * identity. BitwiseNot complements in uint64_t (no ~ of a negative
 * value), the conversion back keeping the type's bits. */
#define SIGNED_KERNELS(K, P, t)                                               \
  UNARY_KERNEL(abs, t, x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x)        \
  UNARY_KERNEL(neg, t, (uint64_t)0 - (uint64_t)x)                             \
  UNARY_KERNEL(relu, t, x > 0 ? x : 0)                                        \
  UNARY_KERNEL(sign, t, (x > 0) - (x < 0))                                   \
  UNARY_KERNEL(shrink, t, shrink_signed(x, p))                                \
  UNARY_KERNEL(bitwise_not, t, ~(uint64_t)x)
#define UNSIGNED_KERNELS(K, P, t)                                             \
  UNARY_KERNEL(abs, t, x)                                                     \
  UNARY_KERNEL(neg, t, (uint64_t)0 - x)                                       \
  UNARY_KERNEL(relu, t, x)                                                    \
  UNARY_KERNEL(sign, t, x > 0)                                                \
  UNARY_KERNEL(shrink, t, shrink_unsigned(x, p))                              \
  UNARY_KERNEL(bitwise_not, t, ~(uint64_t)x)
RT_EW_SIGNED(SIGNED_KERNELS, ~, ~)
RT_EW_UNSIGNED(UNSIGNED_KERNELS, ~, ~)
#undef SIGNED_KERNELS
#undef UNSIGNED_KERNELS

/* Clip: the bounds in the params, or the optional inputs 1 and 2 (opset
 * 11+), which are scalars of the element type, when present. */
#define CLIP_KERNEL(LO, HI, t)                                                \
  static void clip_range_##t(void *arg, int64_t lo_i, int64_t hi_i) {         \
    RT_CALL_ARGS(arg);                                                        \
    const rt_unary_params *p = (const rt_unary_params *)params;               \
    const RT_EW_CTYPE_##t *x = (const RT_EW_CTYPE_##t *)in[0];                \
    RT_EW_CTYPE_##t *y = (RT_EW_CTYPE_##t *)out[0];                           \
    RT_EW_CTYPE_##t lo = (RT_EW_CTYPE_##t)p->LO, hi = (RT_EW_CTYPE_##t)p->HI;  \
    int64_t i;                                                                \
    if (in[1]) lo = *(const RT_EW_CTYPE_##t *)in[1];                          \
    if (in[2]) hi = *(const RT_EW_CTYPE_##t *)in[2];                          \
    for (i = lo_i; i < hi_i; i++) {                                           \
      RT_EW_CTYPE_##t v = x[i] < lo ? lo : x[i];                              \
      y[i] = v > hi ? hi : v;                                                 \
    }                                                                         \
  }                                                                           \
  RT_KERNEL(rt_clip_##t) {                                                    \
    rt_kernel_ranges(clip_range_##t, params, in, out, scratch, ((const rt_unary_params *)params)->count, \
                     RT_LINE_ELEMS(RT_EW_CTYPE_##t), 2 * (int64_t)sizeof(RT_EW_CTYPE_##t)); \
  }
RT_EW_FLOATS(CLIP_KERNEL, alpha, beta)
RT_EW_SIGNED(CLIP_KERNEL, ilo, ihi)
RT_EW_UNSIGNED(CLIP_KERNEL, ilo, ihi)
#undef CLIP_KERNEL

/* IsNaN / IsInf write bool; LOAD reads an element as a number (float16
 * through float, which keeps NaN and infinities). */
#define PLAIN(v) (v)
#define TEST_KERNELS(LOAD, P, t)                                              \
  static void isnan_range_##t(void *arg, int64_t lo, int64_t hi) {            \
    RT_CALL_ARGS(arg);                                                        \
    const RT_EW_CTYPE_##t *x = (const RT_EW_CTYPE_##t *)in[0];                \
    uint8_t *y = (uint8_t *)out[0];                                           \
    int64_t i;                                                                \
    for (i = lo; i < hi; i++) y[i] = (uint8_t)(isnan(LOAD(x[i])) != 0);       \
  }                                                                           \
  static void isinf_range_##t(void *arg, int64_t lo, int64_t hi) {            \
    RT_CALL_ARGS(arg);                                                        \
    const rt_unary_params *p = (const rt_unary_params *)params;               \
    const RT_EW_CTYPE_##t *x = (const RT_EW_CTYPE_##t *)in[0];                \
    uint8_t *y = (uint8_t *)out[0];                                           \
    int64_t i;                                                                \
    for (i = lo; i < hi; i++) { /* in the element's own precision */          \
      const int inf = isinf(LOAD(x[i])) != 0, pos = LOAD(x[i]) > 0;           \
      y[i] = (uint8_t)(inf && ((pos && p->ilo) || (!pos && p->ihi)));         \
    }                                                                         \
  }                                                                           \
  RT_KERNEL(rt_isnan_##t) {                                                   \
    rt_kernel_ranges(isnan_range_##t, params, in, out, scratch, ((const rt_unary_params *)params)->count, 64, \
                     1 + (int64_t)sizeof(RT_EW_CTYPE_##t));                   \
  }                                                                           \
  RT_KERNEL(rt_isinf_##t) {                                                   \
    rt_kernel_ranges(isinf_range_##t, params, in, out, scratch, ((const rt_unary_params *)params)->count, 64, \
                     1 + (int64_t)sizeof(RT_EW_CTYPE_##t));                   \
  }
RT_EW_FLOATS(TEST_KERNELS, PLAIN, ~)
TEST_KERNELS(half_to_float, ~, f16)
#undef PLAIN
#undef TEST_KERNELS

static void not_range(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const uint8_t *x = (const uint8_t *)in[0];
  uint8_t *y = (uint8_t *)out[0];
  int64_t i;
  for (i = lo; i < hi; i++) y[i] = (uint8_t)!x[i];
}

RT_KERNEL(rt_not_bool) {
  rt_kernel_ranges(not_range, params, in, out, scratch, ((const rt_unary_params *)params)->count, 64, 2);
}

RT_KERNEL(rt_copy) {
  const rt_copy_params *p = (const rt_copy_params *)params;
  (void)scratch;
  if (out[0] != in[0]) memmove(out[0], in[0], (size_t)p->bytes);
  if (p->mask_bytes && out[1]) memset(out[1], 1, (size_t)p->mask_bytes);
}
