/* Kernels that pick elements by value: TopK (the k best along an axis),
 * OneHot (a position per index), NonZero (the coordinates of non-zero
 * elements) and Compress (the slices a condition selects).
 *
 * Several of their sizes are values known only at run time: TopK's k and
 * OneHot's depth are read by a *_prepare kernel before the op runs (dims.h
 * explains prepare kernels); NonZero's and Compress's counts are found by
 * the kernel itself, which writes them (int64) to out[n_out] when that
 * slot is not NULL (lowered.defines_after) and writes its output densely
 * at the count it found. */
#ifndef ONNXCC_KERNELS_SELECT_H
#define ONNXCC_KERNELS_SELECT_H

#include "../params.h"
#include "../runtime.h"

/* rt_topk_T: x viewed as [outer, n, inner]; values (out[0], T) and indices
 * (out[1], int64) are [outer, k, inner]: along each of the outer * inner
 * lines, the k largest (largest = 1) or smallest elements, best first,
 * equal values in index order (as ONNX Runtime orders them). Needs
 * scratch of 2 * n int64. T: f32, f64, f16, bf16, i8, i16, i32, i64, u8,
 * u16, u32, u64.
 * rt_topk_prepare: k from in[1] (one int64) as the one dim it defines;
 * RT_ERR_SHAPE when k is negative or above the params' n (out[1]). */
#define RT_TOPK_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I(k) I32(largest)
RT_PARAMS_STRUCT(rt_topk_params, RT_TOPK_PARAMS)

/* rt_onehot_T: indices (in[0], T, outer * inner of them) viewed as
 * [outer, inner]; y is [outer, depth, inner] elements of esize bytes,
 * each a copy of values[0] (off) but for y[o, idx, i] = values[1] (on),
 * where idx is the index truncated to an integer, plus depth if negative;
 * an index outside [-depth, depth) gives a line of off values. values is
 * in[2].
 * rt_onehot_depth_T: the depth from in[1] (one T, truncated) as the one
 * dim it defines; RT_ERR_SHAPE when it is below 1.
 * T: f32, f64, i8, i16, i32, i64, u8, u16, u32, u64. */
#define RT_ONEHOT_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(depth) I(inner) I(esize)
RT_PARAMS_STRUCT(rt_onehot_params, RT_ONEHOT_PARAMS)

/* rt_nonzero_T: x (in[0]) has `rank` dims `dims`; y (out[0], int64) is
 * [rank, count]: the coordinates of the count non-zero elements in
 * row-major order (a float's -0 is zero, NaN is not). T: every suffix of
 * RT_TYPE_SUFFIXES. */
#define RT_NONZERO_PARAMS(I, F, IA, FA, I32, I32A, E) I32(rank) IA(dims, 8)
RT_PARAMS_STRUCT(rt_nonzero_params, RT_NONZERO_PARAMS)

/* rt_compress: x (in[0]) viewed as [outer, n, inner] elements of esize
 * bytes; cond (in[1], bool) has clen elements, of which the first min(n,
 * clen) say which of the n slices to keep (the rest are ignored, as ONNX
 * Runtime ignores them); y is [outer, count, inner]. */
#define RT_COMPRESS_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I(clen) I(esize)
RT_PARAMS_STRUCT(rt_compress_params, RT_COMPRESS_PARAMS)

#define RT_SELECT_NUMERIC_(X, K, P) \
  X(K, P, f32) X(K, P, f64) X(K, P, i8) X(K, P, i16) X(K, P, i32) X(K, P, i64) \
  X(K, P, u8) X(K, P, u16) X(K, P, u32) X(K, P, u64)
#define RT_SELECT_TOPK_(K, P, t) K(rt_topk_##t, rt_topk_params)
#define RT_SELECT_ONEHOT_(K, P, t) K(rt_onehot_##t, rt_onehot_params) K(rt_onehot_depth_##t, rt_onehot_params)
#define RT_SELECT_NONZERO_(K, P, t) K(rt_nonzero_##t, rt_nonzero_params)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_SELECT_KERNELS(K)                                                                   \
  RT_SELECT_NUMERIC_(RT_SELECT_TOPK_, K, _) K(rt_topk_f16, rt_topk_params)                    \
  K(rt_topk_bf16, rt_topk_params) K(rt_topk_prepare, rt_topk_params)                          \
  RT_SELECT_NUMERIC_(RT_SELECT_ONEHOT_, K, _)                                                 \
  RT_SELECT_NUMERIC_(RT_SELECT_NONZERO_, K, _) K(rt_nonzero_f16, rt_nonzero_params)           \
  K(rt_nonzero_bf16, rt_nonzero_params) K(rt_nonzero_bool, rt_nonzero_params)                 \
  K(rt_compress, rt_compress_params)
#define RT_SELECT_PARAMS_TYPES(P)                                                              \
  P(rt_topk_params, RT_TOPK_PARAMS) P(rt_onehot_params, RT_ONEHOT_PARAMS)                     \
  P(rt_nonzero_params, RT_NONZERO_PARAMS) P(rt_compress_params, RT_COMPRESS_PARAMS)
RT_SELECT_KERNELS(RT_DECLARE_KERNEL)

#endif
