/* Element-wise kernels: unary maths, broadcasting binary/ternary ops, casts.
 *
 * One kernel per op and element type, named rt_<op>_<type> (rt_relu_f32,
 * rt_add_i64, rt_less_f32, rt_and_bool, rt_cast_f16_f32), so a program
 * links only the ones its model calls. The lists below name every variant
 * that exists; an op/type pair not listed has no kernel, and the compiler
 * refuses it. */
#ifndef ONNXCC_KERNELS_ELEMENTWISE_H
#define ONNXCC_KERNELS_ELEMENTWISE_H

#include "../params.h"
#include "../runtime.h"

/* Type suffixes of kernel names, X(rt_dtype, suffix), and their C element
 * types. */
#define RT_EW_TYPE_SUFFIXES(X) RT_TYPE_SUFFIXES(X)
#define RT_EW_CTYPE_f32 float
#define RT_EW_CTYPE_f64 double
#define RT_EW_CTYPE_f16 uint16_t
#define RT_EW_CTYPE_bf16 uint16_t
#define RT_EW_CTYPE_bool uint8_t
#define RT_EW_CTYPE_i8 int8_t
#define RT_EW_CTYPE_i16 int16_t
#define RT_EW_CTYPE_i32 int32_t
#define RT_EW_CTYPE_i64 int64_t
#define RT_EW_CTYPE_u8 uint8_t
#define RT_EW_CTYPE_u16 uint16_t
#define RT_EW_CTYPE_u32 uint32_t
#define RT_EW_CTYPE_u64 uint64_t
#define RT_EW_CTYPE_f8e4m3fn uint8_t
#define RT_EW_CTYPE_f8e4m3fnuz uint8_t
#define RT_EW_CTYPE_f8e5m2 uint8_t
#define RT_EW_CTYPE_f8e5m2fnuz uint8_t
#define RT_EW_CTYPE_i4 int8_t
#define RT_EW_CTYPE_u4 uint8_t
#define RT_EW_CTYPE_f4e2m1 uint8_t
#define RT_EW_CTYPE_f8e8m0 uint8_t
#define RT_EW_CTYPE_i2 int8_t
#define RT_EW_CTYPE_u2 uint8_t

/* Type groups: X(K, P, t) for each type suffix t, K and P passed through.
 * A callback must use t only next to ## (<stdbool.h> makes `bool` a
 * macro, and a macro argument used any other way is expanded). */
#define RT_EW_FLOATS(X, K, P) X(K, P, f32) X(K, P, f64)
#define RT_EW_SIGNED(X, K, P) X(K, P, i8) X(K, P, i16) X(K, P, i32) X(K, P, i64)
#define RT_EW_UNSIGNED(X, K, P) X(K, P, u8) X(K, P, u16) X(K, P, u32) X(K, P, u64)

/* ---- unary: y = op(x) over `count` elements ----
 *
 * alpha/beta/gamma are the op's attributes (LeakyRelu/Elu/Celu/
 * ThresholdedRelu alpha, Selu alpha and gamma, HardSigmoid alpha and
 * beta, Shrink lambd in alpha and bias in beta; on integer types Shrink
 * computes x -/+ bias in double and converts back toward zero, saturating
 * at the type's int64/uint64 range and wrapping into narrower types). Clip: the bounds are alpha/beta on float types, ilo/ihi (values
 * of the element type) on integer types; in[1] / in[2], when present,
 * override them at run time. IsInf: detect_positive in ilo,
 * detect_negative in ihi. IsNaN/IsInf write bool. Swish: x * sigmoid(alpha
 * * x). SwiGLU (rt_swiglu_T): y = Swish(in[0]) * in[1], both inputs of
 * `count` elements. */
#define RT_UNARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(count) F(alpha) F(beta) F(gamma) I(ilo) I(ihi)
RT_PARAMS_STRUCT(rt_unary_params, RT_UNARY_PARAMS)

/* On float and double only. */
#define RT_UNARY_FLOAT_OPS(X, K) \
  X(K, sigmoid) X(K, tanh) X(K, exp) X(K, log) X(K, sqrt) X(K, reciprocal) \
  X(K, floor) X(K, ceil) X(K, round) X(K, sin) X(K, cos) X(K, tan) X(K, asin) \
  X(K, acos) X(K, atan) X(K, sinh) X(K, cosh) X(K, asinh) X(K, acosh) \
  X(K, atanh) X(K, erf) X(K, softplus) X(K, softsign) X(K, leaky_relu) \
  X(K, elu) X(K, selu) X(K, hard_sigmoid) X(K, hard_swish) \
  X(K, thresholded_relu) X(K, celu) X(K, mish) X(K, gelu) X(K, gelu_tanh) X(K, silu) \
  X(K, mul_hard_sigmoid) X(K, swish) X(K, swiglu)
/* On float, double and every integer type. */
#define RT_UNARY_NUM_OPS(X, K) X(K, abs) X(K, neg) X(K, relu) X(K, sign) X(K, clip) X(K, shrink)
/* On every integer type (the complement, in the type's width). */
#define RT_UNARY_INT_OPS(X, K) X(K, bitwise_not)
/* On float, double and float16, writing bool. */
#define RT_UNARY_TEST_OPS(X, K) X(K, isnan) X(K, isinf)

#define RT_UNARY_K_(K, op, t) K(rt_##op##_##t, rt_unary_params)
#define RT_UNARY_F_(K, op) RT_EW_FLOATS(RT_UNARY_K_, K, op)
#define RT_UNARY_H_(K, op) RT_UNARY_K_(K, op, f16)
#define RT_UNARY_N_(K, op) \
  RT_EW_FLOATS(RT_UNARY_K_, K, op) RT_EW_SIGNED(RT_UNARY_K_, K, op) RT_EW_UNSIGNED(RT_UNARY_K_, K, op)
#define RT_UNARY_I_(K, op) RT_EW_SIGNED(RT_UNARY_K_, K, op) RT_EW_UNSIGNED(RT_UNARY_K_, K, op)
#define RT_UNARY_KERNELS(K) \
  RT_UNARY_FLOAT_OPS(RT_UNARY_F_, K) RT_UNARY_NUM_OPS(RT_UNARY_N_, K) RT_UNARY_INT_OPS(RT_UNARY_I_, K) \
  RT_UNARY_TEST_OPS(RT_UNARY_F_, K) RT_UNARY_TEST_OPS(RT_UNARY_H_, K) \
  K(rt_not_bool, rt_unary_params)

/* ---- binary: y = a op b with numpy broadcasting ----
 *
 * The output has `rank` dims; input k is read at sum(index[d] *
 * strides_k[d]), with a zero stride on broadcast dims. Comparisons and
 * And/Or/Xor write bool. Integer arithmetic wraps; integer division and
 * modulo by zero give 0. mod is Python's (the divisor's sign), fmod C's
 * (the dividend's sign); float mod is Mod's fmod 0, valid from opset 28. */
#define RT_BINARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) IA(dims, RT_MAX_RANK) IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_binary_params, RT_BINARY_PARAMS)

/* On float, double and every integer type. */
#define RT_BINARY_NUM_OPS(X, K) \
  X(K, add) X(K, sub) X(K, mul) X(K, div) X(K, pow) X(K, max) X(K, min) \
  X(K, equal) X(K, less) X(K, greater) X(K, less_equal) X(K, greater_equal)
/* On every integer type. BitShift by a negative count or one of at least
 * the type's width gives what the sign alone gives (-1 for a right shift
 * of a negative value, else 0), as ONNX's BitShift-28 says; a right shift
 * of a signed value is arithmetic, a left one discards the bits shifted
 * past the sign. */
#define RT_BINARY_INT_OPS(X, K) \
  X(K, mod) X(K, bitwise_and) X(K, bitwise_or) X(K, bitwise_xor) X(K, bitshift_left) X(K, bitshift_right)

#define RT_BINARY_K_(K, op, t) K(rt_##op##_##t, rt_binary_params)
#define RT_BINARY_F_(K, op) RT_EW_FLOATS(RT_BINARY_K_, K, op)
#define RT_BINARY_S_(K, op) RT_EW_SIGNED(RT_BINARY_K_, K, op)
#define RT_BINARY_U_(K, op) RT_EW_UNSIGNED(RT_BINARY_K_, K, op)
#define RT_BINARY_I_(K, op) RT_BINARY_S_(K, op) RT_BINARY_U_(K, op)
#define RT_BINARY_N_(K, op) RT_BINARY_F_(K, op) RT_BINARY_I_(K, op)
/* On float16 too, computed in float (rounded once): X(K, op, f16). */
#define RT_BINARY_F16_OPS(X, K, t) X(K, max, t) X(K, min, t) X(K, fmod, t) X(K, mod, t)
#define RT_BINARY_KERNELS(K) \
  RT_BINARY_NUM_OPS(RT_BINARY_N_, K) RT_BINARY_INT_OPS(RT_BINARY_I_, K) \
  RT_BINARY_F16_OPS(RT_BINARY_K_, K, f16) \
  RT_BINARY_F_(K, fmod) RT_BINARY_I_(K, fmod) RT_BINARY_F_(K, mod) \
  RT_BINARY_F_(K, prelu) RT_BINARY_S_(K, prelu) \
  K(rt_equal_bool, rt_binary_params) K(rt_and_bool, rt_binary_params) \
  K(rt_or_bool, rt_binary_params) K(rt_xor_bool, rt_binary_params)

/* ---- Where: y = cond ? a : b, broadcasting all three ----
 * One kernel per element size in bytes: rt_where_1, _2, _4, _8. */
#define RT_WHERE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) IA(dims, RT_MAX_RANK) IA(c_strides, RT_MAX_RANK) \
  IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_where_params, RT_WHERE_PARAMS)

#define RT_WHERE_KERNELS(K) \
  K(rt_where_1, rt_where_params) K(rt_where_2, rt_where_params) \
  K(rt_where_4, rt_where_params) K(rt_where_8, rt_where_params)

/* ---- Cast: `count` elements, rt_cast_<from>_<to> for every pair ----
 * Floats to integers saturate (NaN gives 0), integers to integers wrap,
 * anything to bool is != 0; float16/bfloat16 round to nearest even.
 * To float8 (f8e4m3fn, f8e4m3fnuz, f8e5m2, f8e5m2fnuz; one byte, the bit
 * pattern): through float, rounding to nearest even; a value beyond the
 * largest finite one becomes that value if `saturate`, else infinity
 * (f8e5m2) or NaN (the others), as ONNX's Cast (opset 19) says. To
 * float4e2m1 (f4e2m1, its 4-bit pattern in a byte) likewise, always
 * saturating (it has no infinity or NaN; NaN gives 6, as ONNX's float4
 * table says). To float8e8m0 (f8e8m0, the byte 2^(b - 127)): the float's
 * exponent rounded per `round_mode` and `saturate` (Cast-24; half_internal.h,
 * float_to_e8m0). To int4 / uint4 / int2 / uint2 (one element per byte:
 * int8_t -8..7 / -2..1, uint8_t 0..15 / 0..3), from any type: through
 * float, clamped to the range and rounded to nearest even, as ONNX's
 * reference does for 4 bits. `saturate` is read by the float8 targets
 * only and `round_mode` by f8e8m0 (both were appended to the struct for
 * them, so older generated code that never calls those kernels keeps
 * working). */
#define RT_CAST_ROUND_MODES(X) X(UP) X(DOWN) X(NEAREST)
#define RT_CAST_ROUND_NAME_(n) RT_ROUND_##n,
enum rt_cast_round_mode { RT_CAST_ROUND_MODES(RT_CAST_ROUND_NAME_) RT_ROUND_COUNT_ };
#define RT_CAST_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(saturate) E(round_mode, RT_ROUND_, RT_CAST_ROUND_MODES)
RT_PARAMS_STRUCT(rt_cast_params, RT_CAST_PARAMS)

/* The cast types twice (a macro cannot expand inside itself): rows X(K, f)
 * and, within a row, cells X(K, P, t). */
#define RT_CAST_FROM(X, K) \
  X(K, f32) X(K, f64) X(K, f16) X(K, bf16) X(K, bool) X(K, i8) X(K, i16) \
  X(K, i32) X(K, i64) X(K, u8) X(K, u16) X(K, u32) X(K, u64) X(K, f8e4m3fn) \
  X(K, f8e4m3fnuz) X(K, f8e5m2) X(K, f8e5m2fnuz) X(K, i4) X(K, u4) X(K, f4e2m1) X(K, f8e8m0) \
  X(K, i2) X(K, u2)
#define RT_CAST_TO(X, K, P) \
  X(K, P, f32) X(K, P, f64) X(K, P, f16) X(K, P, bf16) X(K, P, bool) X(K, P, i8) \
  X(K, P, i16) X(K, P, i32) X(K, P, i64) X(K, P, u8) X(K, P, u16) X(K, P, u32) X(K, P, u64) \
  X(K, P, f8e4m3fn) X(K, P, f8e4m3fnuz) X(K, P, f8e5m2) X(K, P, f8e5m2fnuz) X(K, P, i4) X(K, P, u4) \
  X(K, P, f4e2m1) X(K, P, f8e8m0) X(K, P, i2) X(K, P, u2)

#define RT_CAST_K_(K, prefix, t) K(prefix##t, rt_cast_params)
#define RT_CAST_ROW_(K, f) RT_CAST_TO(RT_CAST_K_, K, rt_cast_##f##_)
#define RT_CAST_KERNELS(K) RT_CAST_FROM(RT_CAST_ROW_, K)

/* Plain byte copy (Identity, Reshape and friends when they cannot alias).
 * If mask_bytes is set, out[1] is filled with that many bool trues
 * (Dropout's mask in inference mode). */
#define RT_COPY_PARAMS(I, F, IA, FA, I32, I32A, E) I(bytes) I(mask_bytes)
RT_PARAMS_STRUCT(rt_copy_params, RT_COPY_PARAMS)

/* Variadic Sum/Mean/Max/Min are lowered by the compiler to chains of
 * binary kernels. */

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_ELEMENTWISE_KERNELS(K) \
  RT_UNARY_KERNELS(K) \
  RT_BINARY_KERNELS(K) \
  RT_WHERE_KERNELS(K) \
  RT_CAST_KERNELS(K) \
  K(rt_copy, rt_copy_params)
#define RT_ELEMENTWISE_PARAMS_TYPES(P) \
  P(rt_unary_params, RT_UNARY_PARAMS) \
  P(rt_binary_params, RT_BINARY_PARAMS) \
  P(rt_where_params, RT_WHERE_PARAMS) \
  P(rt_cast_params, RT_CAST_PARAMS) \
  P(rt_copy_params, RT_COPY_PARAMS)
RT_ELEMENTWISE_KERNELS(RT_DECLARE_KERNEL)

#endif
