/* The activations as both the unary kernels (unary.c) and the fused
 * epilogue of Conv, Gemm and MatMul (epilogue.c) compute them: written
 * once here, so a fused node computes bit for bit what the two nodes did
 * (tests/unit/test_fuse_epilogue.c checks it).
 *
 * Each is instantiated for float (suffix f32) and double (f64). Float
 * takes exp, sigmoid, tanh and erf from vmath_internal.h: branch-free, so
 * a loop applying any of these vectorizes, where a libm call per element
 * cannot. Double keeps libm. Every function is branch-free (selects only)
 * for the same reason. */
#ifndef ONNXCC_RT_ACT_INTERNAL_H
#define ONNXCC_RT_ACT_INTERNAL_H

#include <math.h>

#include "vmath_internal.h"

/* double's sigmoid, split by sign so exp never overflows for large |x|;
 * both halves computed, so it stays a select. */
static inline double rt_act_sigmoid_f64(double x) {
  const double e = exp(-fabs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

static inline float rt_act_exp_f32(float x) { return rt_vexpf(x); }
static inline float rt_act_sigmoid_f32(float x) { return rt_vsigmoidf(x); }
static inline float rt_act_tanh_f32(float x) { return rt_vtanhf(x); }
static inline float rt_act_erf_f32(float x) { return rt_verff(x); }
static inline double rt_act_exp_f64(double x) { return exp(x); }
static inline double rt_act_tanh_f64(double x) { return tanh(x); }
static inline double rt_act_erf_f64(double x) { return erf(x); }

/* The activations of element type T (suffix t); C(c) writes the literal c
 * in T. HardSigmoid's alpha and beta arrive as float attributes and are
 * widened for double. */
#define RT_ACT_FUNCS(t, T, C)                                                                           \
  static inline T rt_act_clamp01_##t(T v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }                       \
  static inline T rt_act_relu_##t(T x) { return x > 0 ? x : 0; }                                        \
  static inline T rt_act_leaky_relu_##t(T x, T a) { return x >= 0 ? x : a * x; }                        \
  /* a * x, then + b: two statements, as HardSwish's below */                                          \
  static inline T rt_act_hard_sigmoid_##t(T x, T a, T b) {                                              \
    const T s = a * x;                                                                                  \
    return rt_act_clamp01_##t(s + b);                                                                   \
  }                                                                                                     \
  /* HardSigmoid with the float alpha 1/6 and beta 0.5 of the spec's                                    \
   * definition, times x: ONNX Runtime's values bit for bit (x / 6 differs                              \
   * in the last bit of a tenth of them, and divides). Two statements:                                  \
   * clang contracts a * b + c written as one into an FMA (gcc does not in                              \
   * ISO C mode, the runtime's -std=c99). */                                                            \
  static inline T rt_act_hard_swish_##t(T x) {                                                          \
    const T s = x * (T)(1.0f / 6.0f);                                                                   \
    return x * rt_act_clamp01_##t(s + C(0.5));                                                          \
  }                                                                                                     \
  /* x * HardSigmoid(x), fused (fuse-silu) */                                                           \
  static inline T rt_act_mul_hard_sigmoid_##t(T x, T a, T b) {                                          \
    return x * rt_act_hard_sigmoid_##t(x, a, b);                                                        \
  }                                                                                                     \
  /* x * Sigmoid(x), fused (fuse-silu) */                                                               \
  static inline T rt_act_silu_##t(T x) { return x * rt_act_sigmoid_##t(x); }                            \
  static inline T rt_act_gelu_##t(T x) {                                                                \
    return C(0.5) * x * (1 + rt_act_erf_##t(x * C(0.7071067811865476)));                                \
  }                                                                                                     \
  /* approximate="tanh"; 0.79788... is sqrt(2/pi) */                                                    \
  static inline T rt_act_gelu_tanh_##t(T x) {                                                           \
    return C(0.5) * x * (1 + rt_act_tanh_##t(C(0.7978845608028654) * (x + C(0.044715) * x * x * x)));   \
  }
#define RT_ACT_LIT_f32(c) c##f
#define RT_ACT_LIT_f64(c) c
RT_ACT_FUNCS(f32, float, RT_ACT_LIT_f32)
RT_ACT_FUNCS(f64, double, RT_ACT_LIT_f64)
#undef RT_ACT_FUNCS

#endif
