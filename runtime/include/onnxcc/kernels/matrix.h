/* Matrix-shaped kernels: Trilu (triangles of the last two dims), EyeLike
 * (a diagonal of ones), CumSum and CumProd (running sums and products
 * along an axis). */
#ifndef ONNXCC_KERNELS_MATRIX_H
#define ONNXCC_KERNELS_MATRIX_H

#include "../params.h"
#include "../runtime.h"

/* rt_triu / rt_tril: x viewed as `batch` matrices of rows x cols elements
 * of esize bytes. Row i of each matrix keeps column j when j >= i + k
 * (triu) or j <= i + k (tril) and has zeros elsewhere. The kept part of a
 * row is contiguous, so any element type moves as bytes; y may be x. */
#define RT_TRILU_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(rows) I(cols) I(k) I(esize)
RT_PARAMS_STRUCT(rt_trilu_params, RT_TRILU_PARAMS)

/* rt_eyelike_W: y is rows x cols elements of W bits, zero but for
 * y[i][i + k], which gets one_bits (the element type's 1, as a bit
 * pattern truncated to W bits). The input is not read. */
#define RT_EYELIKE_PARAMS(I, F, IA, FA, I32, I32A, E) I(rows) I(cols) I(k) I(one_bits)
RT_PARAMS_STRUCT(rt_eyelike_params, RT_EYELIKE_PARAMS)

/* rt_cumsum_T: x viewed as [outer, n, inner]; y[o, i, j] is the sum of
 * x[o, i', j] over i' <= i (i' >= i with reverse), i' != i too with
 * exclusive (an empty sum is 0). T: f32, f64, f16, bf16 (each partial sum
 * rounded to T), i32, i64, u32, u64 (integer sums wrap). y must not be x.
 * rt_cumprod_T: the same with products (an empty product is 1). T: f32,
 * f64, i32, i64, u32, u64 (integer products wrap). */
#define RT_CUMSUM_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I32(exclusive) I32(reverse)
RT_PARAMS_STRUCT(rt_cumsum_params, RT_CUMSUM_PARAMS)

/* Run-time operands (dims.h explains prepare kernels): rt_trilu_prepare
 * reads k (int64, in[1]) into the Trilu params at out[1], clamped to the
 * matrix as the compiler clamps a constant k; its own params are unused.
 * rt_cumsum_prepare_i32/_i64 read the axis (in[1]) and set outer, n and
 * inner of the CumSum or CumProd params at out[1] from the input's `rank` dims; an
 * axis out of range is RT_ERR_SHAPE. */
#define RT_CUMSUM_AXIS_PARAMS(I, F, IA, FA, I32, I32A, E) I32(rank) IA(dims, 8)
RT_PARAMS_STRUCT(rt_cumsum_axis_params, RT_CUMSUM_AXIS_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_MATRIX_KERNELS(K)                                                                       \
  K(rt_triu, rt_trilu_params) K(rt_tril, rt_trilu_params)                                         \
  K(rt_eyelike_8bit, rt_eyelike_params) K(rt_eyelike_16bit, rt_eyelike_params)                    \
  K(rt_eyelike_32bit, rt_eyelike_params) K(rt_eyelike_64bit, rt_eyelike_params)                   \
  K(rt_cumsum_f32, rt_cumsum_params) K(rt_cumsum_f64, rt_cumsum_params)                           \
  K(rt_cumsum_i32, rt_cumsum_params) K(rt_cumsum_i64, rt_cumsum_params)                           \
  K(rt_cumsum_u32, rt_cumsum_params) K(rt_cumsum_u64, rt_cumsum_params)                           \
  K(rt_cumsum_f16, rt_cumsum_params) K(rt_cumsum_bf16, rt_cumsum_params)                         \
  K(rt_cumprod_f32, rt_cumsum_params) K(rt_cumprod_f64, rt_cumsum_params)                         \
  K(rt_cumprod_i32, rt_cumsum_params) K(rt_cumprod_i64, rt_cumsum_params)                         \
  K(rt_cumprod_u32, rt_cumsum_params) K(rt_cumprod_u64, rt_cumsum_params)                         \
  K(rt_trilu_prepare, rt_trilu_params)                                                              \
  K(rt_cumsum_prepare_i32, rt_cumsum_axis_params) K(rt_cumsum_prepare_i64, rt_cumsum_axis_params)
#define RT_MATRIX_PARAMS_TYPES(P)                                                      \
  P(rt_trilu_params, RT_TRILU_PARAMS) P(rt_eyelike_params, RT_EYELIKE_PARAMS) \
  P(rt_cumsum_params, RT_CUMSUM_PARAMS) P(rt_cumsum_axis_params, RT_CUMSUM_AXIS_PARAMS)
RT_MATRIX_KERNELS(RT_DECLARE_KERNEL)

#endif
