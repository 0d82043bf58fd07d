/* Data-movement kernels: strided copies (Transpose, Slice, Expand, Tile,
 * DepthToSpace, SpaceToDepth), Concat, Split, Gather, GatherElements, Pad.
 *
 * They never look at values, only move elements of `esize` bytes, so one
 * kernel serves every element type. */
#ifndef ONNXCC_KERNELS_TENSOR_H
#define ONNXCC_KERNELS_TENSOR_H

#include "../params.h"
#include "../runtime.h"

/* Most dims of a strided copy: Tile interleaves a repeat dim before each
 * input dim, so it needs twice the tensor rank. */
#define RT_STRIDED_MAX_RANK (2 * RT_MAX_RANK)
/* Most inputs of a Concat / outputs of a Split. */
#define RT_CONCAT_MAX 64

/* y (contiguous, `dims`) = x[offset + sum(i[d] * strides[d])], strides in
 * elements, possibly negative (Slice with negative steps) or zero
 * (broadcast). The compiler drops size-1 dims and merges contiguous ones
 * first. */
#define RT_STRIDED_COPY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) I(esize) I(offset) IA(dims, RT_STRIDED_MAX_RANK) IA(strides, RT_STRIDED_MAX_RANK)
RT_PARAMS_STRUCT(rt_strided_copy_params, RT_STRIDED_COPY_PARAMS)

/* Concat: for each of `outer` blocks, input k contributes bytes[k]
 * contiguous bytes (its slab below the axis). in[k] holds input k. */
#define RT_CONCAT_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(outer) IA(bytes, RT_CONCAT_MAX)
RT_PARAMS_STRUCT(rt_concat_params, RT_CONCAT_PARAMS)

/* Split, the inverse: out[k] takes bytes[k] of each of `outer` blocks. An
 * absent output (NULL) is skipped. */
#define RT_SPLIT_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(outer) IA(bytes, RT_CONCAT_MAX)
RT_PARAMS_STRUCT(rt_split_params, RT_SPLIT_PARAMS)

/* Gather along an axis: data viewed as [outer, axis_dim, inner_bytes],
 * n_idx indices (int64 if idx64 else int32; negative ones count from the
 * end; out-of-range ones are clamped). */
#define RT_GATHER_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(axis_dim) I(inner_bytes) I(n_idx) I(idx64)
RT_PARAMS_STRUCT(rt_gather_params, RT_GATHER_PARAMS)

/* GatherElements: y[i] = x[i with i[axis] replaced by idx[i]]. `dims` is
 * the indices' (= output's) shape, `strides` the data's strides. */
#define RT_GATHER_ELEMENTS_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) I(axis) I(axis_dim) I(esize) I(idx64) IA(dims, RT_MAX_RANK) IA(strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_gather_elements_params, RT_GATHER_ELEMENTS_PARAMS)

/* Pad modes. Codes are stable: generated code stores them. */
enum rt_pad_mode { RT_PAD_CONSTANT = 0, RT_PAD_REFLECT = 1, RT_PAD_EDGE = 2, RT_PAD_WRAP = 3 };

/* Pad: output index o reads input index o - begin[d] (mapped by the mode
 * when outside the input; begin may be negative for cropping). The
 * constant is the first esize bytes of value_bits, or in[2] when
 * value_input is set (a runtime constant_value input). */
#define RT_PAD_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rank) I(esize) I(mode) I(value_bits) I(value_input) IA(in_dims, RT_MAX_RANK) \
  IA(out_dims, RT_MAX_RANK) IA(begin, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_pad_params, RT_PAD_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_TENSOR_KERNELS(K) \
  K(rt_strided_copy, rt_strided_copy_params) \
  K(rt_concat, rt_concat_params) \
  K(rt_split, rt_split_params) \
  K(rt_gather, rt_gather_params) \
  K(rt_gather_elements, rt_gather_elements_params) \
  K(rt_pad, rt_pad_params)
#define RT_TENSOR_PARAMS_TYPES(P) \
  P(rt_strided_copy_params, RT_STRIDED_COPY_PARAMS) \
  P(rt_concat_params, RT_CONCAT_PARAMS) \
  P(rt_split_params, RT_SPLIT_PARAMS) \
  P(rt_gather_params, RT_GATHER_PARAMS) \
  P(rt_gather_elements_params, RT_GATHER_ELEMENTS_PARAMS) \
  P(rt_pad_params, RT_PAD_PARAMS)
RT_TENSOR_KERNELS(RT_DECLARE_KERNEL)

#endif
