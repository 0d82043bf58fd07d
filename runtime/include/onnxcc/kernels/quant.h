/* Quantization kernels of the default ONNX domain: QuantizeLinear,
 * DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, ConvInteger,
 * QLinearMatMul and QLinearConv.
 *
 * Scales and zero points are always kernel inputs, read at run time (a
 * model may compute them), never params: the compiler only records how
 * they are laid out (one for the tensor, one per slice along an axis, one
 * per block). An absent zero point (a NULL input) reads as 0.
 *
 * Rounding is ONNX Runtime's: to nearest, ties to even (nearbyintf in the
 * default rounding mode), then saturation to the output type's range. */
#ifndef ONNXCC_KERNELS_QUANT_H
#define ONNXCC_KERNELS_QUANT_H

#include "../params.h"
#include "../runtime.h"
#include "conv.h"
#include "gemm.h"

/* rt_quantize_X_Y: y = saturate(round(x / scale) + zero_point), x (in[0],
 * X) and y (out[0], Y) viewed as [outer, n, inner]; scale is in[1] and
 * the zero point in[2] (Y, or NULL). X: f32, f16, bf16 (scale of the same
 * type, computed in float) and i32 (scale f32). Y: i8, u8, i16, u16, and
 * i4 / u4 / i2 / u2 (one element per byte, saturated to -8..7 / 0..15 /
 * -2..1 / 0..3). Y may also be a float8 type (f8e4m3fn, f8e4m3fnuz,
 * f8e5m2, f8e5m2fnuz): y = x / scale cast as rt_cast does with
 * `saturate`; the zero point's values are not read (ONNX's reference
 * ignores them; only their type matters). Or f4e2m1: y = x / scale + the
 * zero point's value, cast saturating (ONNX's reference adds it there).
 *
 * rt_dequantize_X_Y: y = (x - zero_point) * scale, computed in float; x
 * (X: i8, u8, i16, u16, i32, i4, u4, i2, u2, and the float8 types and
 * f4e2m1, decoded exactly), zero point X, scale and y of type Y (f32,
 * f16, bf16).
 *
 * Which scale (and zero point, laid out like it) element x[o, i, j] takes:
 *   scale[o * s_outer + (i / block) * s_axis + j * s_inner]
 * per tensor: every stride 0 (and block 1); per axis: block 1, s_axis 1;
 * blocked along the axis (opset 21): block = block_size, s_inner 1,
 * s_axis = inner, s_outer = ceil(n / block) * inner. `saturate` (the
 * op's attribute) is read by the float8 quantizers only (appended for them,
 * so older generated code, which never calls those, keeps working). */
#define RT_QLINEAR_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(outer) I(n) I(inner) I(block) I(s_outer) I(s_axis) I(s_inner) I(saturate)
RT_PARAMS_STRUCT(rt_qlinear_params, RT_QLINEAR_PARAMS)

/* rt_dynquant_f32_u8: DynamicQuantizeLinear of count floats (in[0]): the
 * range [min(x, 0), max(x, 0)] mapped onto [0, 255]: y_scale (out[1], one
 * float) = (max - min) / 255 (1 when the range is empty, as ONNX Runtime
 * has it), y_zero_point (out[2], one uint8) = saturate(round(-min /
 * scale)), y (out[0], uint8) = saturate(round(x / scale) + zero point). */
#define RT_DYNQUANT_PARAMS(I, F, IA, FA, I32, I32A, E) I(count)
RT_PARAMS_STRUCT(rt_dynquant_params, RT_DYNQUANT_PARAMS)

/* rt_matmul_int_A_B: MatMulInteger, Y (int32) = (A - a_zero_point) *
 * (B - b_zero_point) over the broadcast batch as in rt_matmul_params
 * (whose fields come first; the batch is never collapsed), products
 * summed in int32 (wrapping). A is in[0], B in[1], the zero points in[2]
 * and in[3] (or NULL). a_zp_rows: A's zero point has one value per row of
 * A (M of them), else one; b_zp_cols: B's has one per column (N), else
 * one. A, B: i8, u8.
 *
 * rt_qlinear_matmul_A_B_S: QLinearMatMul with inputs a, a_scale, a_zp, b,
 * b_scale, b_zp, y_scale, y_zp (in[0..7]); y (out[0]) has A's type. The
 * int32 sum of (a - a_zp)(b - b_zp) is requantized as
 *   y = saturate(round(float(sum) * (a_scale * b_scale / y_scale)) + y_zp)
 * with the scale product in float, as ONNX Runtime computes it. Scales
 * and zero points per row (a, y: M values) or per column (b: N values)
 * where the flags say so (y_rows: y's scale and zero point both). S (the
 * scales' type): f32, f16, bf16. Scratch: N int32. */
#define RT_QMATMUL_PARAMS(I, F, IA, FA, I32, I32A, E)                                          \
  RT_MATMUL_PARAMS(I, F, IA, FA, I32, I32A, E) I32(a_zp_rows) I32(b_zp_cols) I32(a_scale_rows) \
  I32(b_scale_cols) I32(y_rows)
RT_PARAMS_STRUCT(rt_qmatmul_params, RT_QMATMUL_PARAMS)

/* rt_conv_int_X_W: ConvInteger, rt_conv_params' geometry, Y (int32) =
 * (X - x_zero_point) (*) (W - w_zero_point); padding counts as the zero
 * point (it adds nothing). X in[0], W in[1], zero points in[2], in[3] (or
 * NULL). w_zp_channels: W's zero point has one value per output channel,
 * else one.
 *
 * rt_qlinear_conv_X_W: QLinearConv, inputs x, x_scale, x_zp, w, w_scale,
 * w_zp, y_scale, y_zp, B (in[0..8]; B int32, read only when has_bias is
 * set, added to the sum); y has X's type, requantized as in rt_qlinear_matmul with
 * x_scale * w_scale[channel] / y_scale. w_scale_channels: W's scale has
 * one value per output channel (and w_zp_channels its zero point). Scales
 * are float; x's and y's scales and zero points are one value each.
 *
 * Both unfold the input a block of output positions at a time into
 * scratch (rt_qconv_scratch_bytes) and sum int16 products. X, W: i8, u8. */
#define RT_QCONV_PARAMS(I, F, IA, FA, I32, I32A, E) \
  RT_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) I32(w_zp_channels) I32(w_scale_channels)
RT_PARAMS_STRUCT(rt_qconv_params, RT_QCONV_PARAMS)
size_t rt_qconv_scratch_bytes(const rt_qconv_params *p);

/* ---- variant lists ---- */
#define RT_QUANT_Q_(K, x) K(rt_quantize_##x##_i8, rt_qlinear_params) K(rt_quantize_##x##_u8, rt_qlinear_params) \
  K(rt_quantize_##x##_i16, rt_qlinear_params) K(rt_quantize_##x##_u16, rt_qlinear_params)            \
  K(rt_quantize_##x##_i4, rt_qlinear_params) K(rt_quantize_##x##_u4, rt_qlinear_params)              \
  K(rt_quantize_##x##_i2, rt_qlinear_params) K(rt_quantize_##x##_u2, rt_qlinear_params)              \
  K(rt_quantize_##x##_f4e2m1, rt_qlinear_params)                                                     \
  K(rt_quantize_##x##_f8e4m3fn, rt_qlinear_params) K(rt_quantize_##x##_f8e4m3fnuz, rt_qlinear_params) \
  K(rt_quantize_##x##_f8e5m2, rt_qlinear_params) K(rt_quantize_##x##_f8e5m2fnuz, rt_qlinear_params)
#define RT_QUANT_DQ_(K, x) K(rt_dequantize_##x##_f32, rt_qlinear_params) \
  K(rt_dequantize_##x##_f16, rt_qlinear_params) K(rt_dequantize_##x##_bf16, rt_qlinear_params)
#define RT_QUANT_QMM_(K, a, b) K(rt_qlinear_matmul_##a##_##b##_f32, rt_qmatmul_params) \
  K(rt_qlinear_matmul_##a##_##b##_f16, rt_qmatmul_params) K(rt_qlinear_matmul_##a##_##b##_bf16, rt_qmatmul_params)
#define RT_QUANT_AB_(K, a, b) K(rt_matmul_int_##a##_##b, rt_qmatmul_params) RT_QUANT_QMM_(K, a, b) \
  K(rt_conv_int_##a##_##b, rt_qconv_params) K(rt_qlinear_conv_##a##_##b, rt_qconv_params)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_QUANT_KERNELS(K)                                                                          \
  RT_QUANT_Q_(K, f32) RT_QUANT_Q_(K, f16) RT_QUANT_Q_(K, bf16) RT_QUANT_Q_(K, i32)                    \
  RT_QUANT_DQ_(K, i8) RT_QUANT_DQ_(K, u8) RT_QUANT_DQ_(K, i16) RT_QUANT_DQ_(K, u16) RT_QUANT_DQ_(K, i32) \
  RT_QUANT_DQ_(K, i4) RT_QUANT_DQ_(K, u4) RT_QUANT_DQ_(K, f8e4m3fn) RT_QUANT_DQ_(K, f8e4m3fnuz)         \
  RT_QUANT_DQ_(K, f8e5m2) RT_QUANT_DQ_(K, f8e5m2fnuz) RT_QUANT_DQ_(K, i2) RT_QUANT_DQ_(K, u2)         \
  RT_QUANT_DQ_(K, f4e2m1)                                                                            \
  K(rt_dynquant_f32_u8, rt_dynquant_params)                                                          \
  RT_QUANT_AB_(K, i8, i8) RT_QUANT_AB_(K, i8, u8) RT_QUANT_AB_(K, u8, i8) RT_QUANT_AB_(K, u8, u8)
#define RT_QUANT_PARAMS_TYPES(P)                                                    \
  P(rt_qlinear_params, RT_QLINEAR_PARAMS) P(rt_dynquant_params, RT_DYNQUANT_PARAMS) \
  P(rt_qmatmul_params, RT_QMATMUL_PARAMS) P(rt_qconv_params, RT_QCONV_PARAMS)
RT_QUANT_KERNELS(RT_DECLARE_KERNEL)

#endif
