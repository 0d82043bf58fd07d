/* Element-wise kernels: unary maths, broadcasting binary/ternary ops, casts. */
#ifndef ONNXCC_KERNELS_ELEMENTWISE_H
#define ONNXCC_KERNELS_ELEMENTWISE_H

#include "../params.h"
#include "../runtime.h"

/* Unary operations. Codes are stable: generated code stores them. */
#define RT_UNARY_OPS(X) \
  X(RELU) X(SIGMOID) X(TANH) X(EXP) X(LOG) X(SQRT) X(ABS) X(NEG) \
  X(RECIPROCAL) X(FLOOR) X(CEIL) X(ROUND) X(SIN) X(COS) X(TAN) X(ASIN) \
  X(ACOS) X(ATAN) X(SINH) X(COSH) X(ASINH) X(ACOSH) X(ATANH) X(ERF) \
  X(SOFTPLUS) X(SOFTSIGN) X(SIGN) X(LEAKY_RELU) X(ELU) X(SELU) \
  X(HARD_SIGMOID) X(HARD_SWISH) X(CLIP) X(THRESHOLDED_RELU) X(CELU) \
  X(MISH) X(GELU) X(GELU_TANH) X(NOT) X(IDENTITY) X(ISNAN) X(ISINF)

#define RT_UNARY_ENUM(name) RT_UNARY_##name,
enum rt_unary_op { RT_UNARY_OPS(RT_UNARY_ENUM) RT_UNARY_COUNT };
#undef RT_UNARY_ENUM

/* y = op(x) over `count` elements of dtype (output dtype is bool for
 * NOT/ISNAN/ISINF). alpha/beta/gamma are the op's attributes (LeakyRelu
 * alpha, Clip min/max as alpha/beta, ...). For Clip on integer dtypes the
 * bounds are ilo/ihi. ISINF: detect_pos in ilo, detect_neg in ihi. */
#define RT_UNARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(count) I(op) I(dtype) F(alpha) F(beta) F(gamma) I(ilo) I(ihi)
RT_PARAMS_STRUCT(rt_unary_params, RT_UNARY_PARAMS)

/* Broadcast description shared by binary and ternary kernels: the output
 * has `rank` dims; input k is read at sum(index[d] * strides_k[d]), with a
 * zero stride on broadcast dims. */
#define RT_BINARY_OPS(X) \
  X(ADD) X(SUB) X(MUL) X(DIV) X(POW) X(MAX) X(MIN) X(MOD) X(FMOD) \
  X(EQUAL) X(LESS) X(GREATER) X(LESS_EQUAL) X(GREATER_EQUAL) \
  X(AND) X(OR) X(XOR) X(BITSHIFT_LEFT) X(BITSHIFT_RIGHT) \
  X(BITWISE_AND) X(BITWISE_OR) X(BITWISE_XOR) X(PRELU)

#define RT_BINARY_ENUM(name) RT_BINARY_##name,
enum rt_binary_op { RT_BINARY_OPS(RT_BINARY_ENUM) RT_BINARY_COUNT };
#undef RT_BINARY_ENUM

/* y = a op b with numpy broadcasting. dtype is the input dtype; comparison
 * ops write bool (uint8 0/1). */
#define RT_BINARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(op) I(dtype) I(rank) IA(dims, RT_MAX_RANK) IA(a_strides, RT_MAX_RANK) \
  IA(b_strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_binary_params, RT_BINARY_PARAMS)

/* Where: y = cond ? a : b, broadcasting all three. elem_size of a/b/y. */
#define RT_WHERE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(elem_size) I(rank) IA(dims, RT_MAX_RANK) IA(c_strides, RT_MAX_RANK) \
  IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_where_params, RT_WHERE_PARAMS)

/* Cast `count` elements from dtype `from` to dtype `to`. */
#define RT_CAST_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(from) I(to)
RT_PARAMS_STRUCT(rt_cast_params, RT_CAST_PARAMS)

/* Plain byte copy (Identity, Reshape and friends when they cannot alias).
 * If mask_bytes is set, out[1] is filled with that many bool trues
 * (Dropout's mask in inference mode). */
#define RT_COPY_PARAMS(I, F, IA, FA, I32, I32A, E) I(bytes) I(mask_bytes)
RT_PARAMS_STRUCT(rt_copy_params, RT_COPY_PARAMS)

/* Variadic Sum/Mean/Max/Min over `n_inputs` same-shape-after-broadcast
 * float inputs is lowered by the compiler to a chain of rt_binary calls. */

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_ELEMENTWISE_KERNELS(K) \
  K(rt_unary, rt_unary_params) \
  K(rt_binary, rt_binary_params) \
  K(rt_where, rt_where_params) \
  K(rt_cast, rt_cast_params) \
  K(rt_copy, rt_copy_params)
#define RT_ELEMENTWISE_PARAMS_TYPES(P) \
  P(rt_unary_params, RT_UNARY_PARAMS) \
  P(rt_binary_params, RT_BINARY_PARAMS) \
  P(rt_where_params, RT_WHERE_PARAMS) \
  P(rt_cast_params, RT_CAST_PARAMS) \
  P(rt_copy_params, RT_COPY_PARAMS)
RT_ELEMENTWISE_KERNELS(RT_DECLARE_KERNEL)

#endif
