/* Quantized kernels of ONNX Runtime's com.microsoft domain, the ops its
 * quantizer writes in QOperator format: QLinearAdd, QLinearMul,
 * QLinearSigmoid, QLinearLeakyRelu, QLinearGlobalAveragePool,
 * QLinearConcat, QGemm, MatMulIntegerToFloat and DynamicQuantizeMatMul.
 *
 * As in quant.h, scales and zero points are kernel inputs read at run
 * time; an absent zero point reads as 0. Rounding is to nearest, ties to
 * even, then saturation to the output type (quant_internal.h).
 *
 * Agreement with ONNX Runtime 1.20 (its CPU kernels):
 * - exact: QLinearGlobalAveragePool (integer sum, one float requantize,
 *   ORT's formula), QLinearConcat (ORT's per-input lookup table built with
 *   the same dequantize-then-quantize arithmetic; equal scales and zero
 *   points copy), QGemm, MatMulIntegerToFloat and DynamicQuantizeMatMul
 *   (int32 sums, the output scale alpha * a_scale * b_scale[n] in ORT's
 *   order, one product per element);
 * - within one quantization step: QLinearAdd and QLinearMul (ORT's vector
 *   code folds the zero points into one float constant and may fuse
 *   multiply-adds, so a value on a rounding tie may land one step away),
 *   QLinearSigmoid (ORT's table uses its own logistic approximation) and
 *   QLinearLeakyRelu (exact in practice: one float product). */
#ifndef ONNXCC_KERNELS_MSQUANT_H
#define ONNXCC_KERNELS_MSQUANT_H

#include "../params.h"
#include "../runtime.h"
#include "tensor.h"

/* rt_qladd_T, rt_qlmul_T: C = A op B with numpy broadcasting (the output
 * has `rank` dims `dims`; A and B are read through their strides, 0 on
 * broadcast dims). Inputs A, A_scale, A_zp, B, B_scale, B_zp, C_scale,
 * C_zp (in[0..7]), one scale and zero point each. With ra = sa / sc and
 * rb = sb / sc:
 *   add: c = saturate(round(ra * (a - za) + rb * (b - zb)) + zc)
 *   mul: c = saturate(round((a - za) * (b - zb) * (sa * sb / sc)) + zc)
 * T: u8, i8 (A, B and C alike). */
#define RT_QLBINARY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) IA(dims, RT_MAX_RANK) IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_qlbinary_params, RT_QLBINARY_PARAMS)

/* rt_qlsigmoid_T, rt_qlleakyrelu_T: y = quantize(f(dequantize(x))) for
 * count elements, through a 256-entry table built at the start of the run
 * (as ONNX Runtime does): x, x_scale, x_zp, y_scale, y_zp (in[0..4]).
 * LeakyRelu's f(v) = v < 0 ? alpha * v : v. T: u8, i8. */
#define RT_QLUNARY_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) F(alpha)
RT_PARAMS_STRUCT(rt_qlunary_params, RT_QLUNARY_PARAMS)

/* rt_qlgap_T: QLinearGlobalAveragePool of x [batch, channels, spatial]
 * (channels_last 0) or [batch, spatial, channels] (1) into [batch,
 * channels]: with s the integer sum of a channel's spatial values,
 *   y = saturate(round((s - x_zp * spatial) * (x_scale / (y_scale *
 *   spatial))) + y_zp)
 * inputs x, x_scale, x_zp, y_scale, y_zp (in[0..4]). T: u8, i8. */
#define RT_QLGAP_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(channels) I(spatial) I32(channels_last)
RT_PARAMS_STRUCT(rt_qlgap_params, RT_QLGAP_PARAMS)

/* rt_qlconcat_T: QLinearConcat, inputs y_scale, y_zp, then (x, x_scale,
 * x_zp) per concatenated tensor; rt_concat_params' layout, bytes[k]
 * being input k's elements per outer block (one byte each). Each element
 * is requantized to y's scale and zero point: round((x - x_zp) * x_scale
 * / y_scale) + y_zp, through a table per input; an input with y's own
 * scale and zero point is copied. T: u8, i8. */

/* rt_qgemm_A_B_Y: int32 sums of (A - a_zp)(B - b_zp) over K, for the
 * M x N output, A read at m * a_sm + k * a_sk and B at k * b_sk + n *
 * b_sn (transposes are strides), plus the int32 C (when i_c >= 0) read at
 * m * c_sm + n * c_sn. Then, with s = alpha * a_scale * b_scale[n]:
 *   Y f32: y = sum * s (+ bias[n], a float input, when i_bias >= 0)
 *   Y u8 / i8: y = saturate(round(sum * (s / y_scale)) + y_zp)
 * i_* are the input slots of A, a_scale, a_zp, B, b_scale, b_zp, C, bias,
 * y_scale, y_zp (-1: absent), so QGemm and MatMulIntegerToFloat share the
 * kernel with their own input orders. b_cols: b's scale and zero point
 * have one value per column (N). Scratch: N int32.
 *
 * rt_dqmatmul_f32_B: DynamicQuantizeMatMul: A (float) is first quantized
 * to uint8 as DynamicQuantizeLinear does (one scale and zero point for the
 * whole of A), then as rt_qgemm_u8_B_f32. Scratch: M * K bytes, then N
 * int32 (at an offset rounded up to 8 bytes).
 *
 * A, B: u8, i8. */
#define RT_QGEMM_PARAMS(I, F, IA, FA, I32, I32A, E)                                                    \
  I(M) I(N) I(K) I(a_sm) I(a_sk) I(b_sk) I(b_sn) I(c_sm) I(c_sn) F(alpha) I32(b_cols) I32(i_a) I32(i_as) \
  I32(i_az) I32(i_b) I32(i_bs) I32(i_bz) I32(i_c) I32(i_bias) I32(i_ys) I32(i_yz)
RT_PARAMS_STRUCT(rt_qgemm_params, RT_QGEMM_PARAMS)

/* ---- variant lists ---- */
#define RT_MSQUANT_T_(K, t)                                                                          \
  K(rt_qladd_##t, rt_qlbinary_params) K(rt_qlmul_##t, rt_qlbinary_params)                             \
  K(rt_qlsigmoid_##t, rt_qlunary_params) K(rt_qlleakyrelu_##t, rt_qlunary_params)                     \
  K(rt_qlgap_##t, rt_qlgap_params) K(rt_qlconcat_##t, rt_concat_params)                               \
  K(rt_dqmatmul_f32_##t, rt_qgemm_params)
#define RT_MSQUANT_AB_(K, a, b)                                                                      \
  K(rt_qgemm_##a##_##b##_f32, rt_qgemm_params) K(rt_qgemm_##a##_##b##_##a, rt_qgemm_params)
#define RT_MSQUANT_KERNELS(K)                                                                         \
  RT_MSQUANT_T_(K, u8) RT_MSQUANT_T_(K, i8) RT_MSQUANT_AB_(K, u8, u8) RT_MSQUANT_AB_(K, u8, i8)        \
  RT_MSQUANT_AB_(K, i8, u8) RT_MSQUANT_AB_(K, i8, i8)
#define RT_MSQUANT_PARAMS_TYPES(P)                                                                    \
  P(rt_qlbinary_params, RT_QLBINARY_PARAMS) P(rt_qlunary_params, RT_QLUNARY_PARAMS)                   \
  P(rt_qlgap_params, RT_QLGAP_PARAMS) P(rt_qgemm_params, RT_QGEMM_PARAMS)
RT_MSQUANT_KERNELS(RT_DECLARE_KERNEL)

#endif
