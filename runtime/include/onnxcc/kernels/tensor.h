/* Data-movement kernels: strided copies (Transpose, Slice, Expand, Tile,
 * DepthToSpace, SpaceToDepth), Concat, Split, Gather, GatherElements, Pad.
 *
 * They never look at values, only move elements, so a variant is chosen by
 * the element's width, not its type: the _8bit, _16bit, _32bit and _64bit
 * variants move elements as unsigned integers of that width (any bit
 * pattern survives), and the variants without a width move bytes. */
#ifndef ONNXCC_KERNELS_TENSOR_H
#define ONNXCC_KERNELS_TENSOR_H

#include "../params.h"
#include "../runtime.h"

/* Most dims of a strided copy: Tile interleaves a repeat dim before each
 * input dim, so it needs twice the tensor rank. */
#define RT_STRIDED_MAX_RANK (2 * RT_MAX_RANK)
/* Most inputs of a Concat / outputs of a Split. */
#define RT_CONCAT_MAX 64

/* y (contiguous, `dims`) = x[offset + sum(i[d] * strides[d])], offset and
 * strides counted in the variant's elements (bytes for rt_copy_rows). The
 * compiler drops size-1 dims and merges contiguous ones, then picks the
 * variant by the last dim's stride:
 *   rt_copy_rows       stride 1: whole rows, memcpy (any element width)
 *   rt_broadcast_W     stride 0: each row repeats one element
 *   rt_strided_copy_W  any other stride, read one by one
 *   rt_transpose_W     a permutation: input dim `plane_axis` has stride 1
 *                      and the last does not; copied in square tiles. */
#define RT_STRIDED_COPY_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(plane_axis) I(offset) IA(dims, RT_STRIDED_MAX_RANK) IA(strides, RT_STRIDED_MAX_RANK)
RT_PARAMS_STRUCT(rt_strided_copy_params, RT_STRIDED_COPY_PARAMS)

/* Concat: for each of `outer` blocks, input k contributes bytes[k]
 * contiguous bytes (its slab below the axis). in[k] holds input k. */
#define RT_CONCAT_PARAMS(I, F, IA, FA, I32, I32A, E) I32(n) I(outer) IA(bytes, RT_CONCAT_MAX)
RT_PARAMS_STRUCT(rt_concat_params, RT_CONCAT_PARAMS)

/* Split, the inverse: out[k] takes bytes[k] of each of `outer` blocks. An
 * absent output (NULL) is skipped. */
#define RT_SPLIT_PARAMS(I, F, IA, FA, I32, I32A, E) I32(n) I(outer) IA(bytes, RT_CONCAT_MAX)
RT_PARAMS_STRUCT(rt_split_params, RT_SPLIT_PARAMS)

/* Gather along an axis: data viewed as [outer, axis_dim, inner_bytes],
 * n_idx indices (int32 for the _i32idx variants, int64 for _i64idx;
 * negative ones count from the end; out-of-range ones are clamped). The
 * width variants move a slab of inner_bytes = the width per index as one
 * integer; the plain ones move slabs of any size with memcpy. */
#define RT_GATHER_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(axis_dim) I(inner_bytes) I(n_idx)
RT_PARAMS_STRUCT(rt_gather_params, RT_GATHER_PARAMS)

/* GatherElements: y[i] = x[i with i[axis] replaced by idx[i]]. `dims` is
 * the indices' (= output's) shape, `strides` the data's strides. */
#define RT_GATHER_ELEMENTS_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(axis) I(axis_dim) IA(dims, RT_MAX_RANK) IA(strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_gather_elements_params, RT_GATHER_ELEMENTS_PARAMS)

/* Pad modes: the compiler's names for the variants (rt_pad_constant_W,
 * rt_pad_reflect, rt_pad_edge, rt_pad_wrap); no kernel reads them. */
enum rt_pad_mode { RT_PAD_CONSTANT = 0, RT_PAD_REFLECT = 1, RT_PAD_EDGE = 2, RT_PAD_WRAP = 3 };

/* Pad: output index o reads input index o - begin[d] (mapped by the mode
 * when outside the input; begin may be negative for cropping). The
 * constant (rt_pad_constant_W only) is value_bits truncated to the
 * element's width, or in[2]'s first element when value_input is set (a
 * constant_value input). The mode variants move elements of esize bytes. */
#define RT_PAD_PARAMS(I, F, IA, FA, I32, I32A, E)                                        \
  I32(rank) I32(value_input) I(esize) I(value_bits) IA(in_dims, RT_MAX_RANK) \
  IA(out_dims, RT_MAX_RANK) IA(begin, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_pad_params, RT_PAD_PARAMS)

/* For the lists below: one kernel per element width. */
#define RT_TENSOR_BY_WIDTH(K, name, ptype) \
  K(name##_8bit, ptype) K(name##_16bit, ptype) K(name##_32bit, ptype) K(name##_64bit, ptype)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_TENSOR_KERNELS(K)                                                    \
  K(rt_copy_rows, rt_strided_copy_params)                                      \
  RT_TENSOR_BY_WIDTH(K, rt_broadcast, rt_strided_copy_params)                  \
  RT_TENSOR_BY_WIDTH(K, rt_strided_copy, rt_strided_copy_params)               \
  RT_TENSOR_BY_WIDTH(K, rt_transpose, rt_strided_copy_params)                  \
  K(rt_concat, rt_concat_params)                                               \
  K(rt_split, rt_split_params)                                                 \
  K(rt_gather_i32idx, rt_gather_params)                                        \
  K(rt_gather_i64idx, rt_gather_params)                                        \
  RT_TENSOR_BY_WIDTH(K, rt_gather_i32idx, rt_gather_params)                    \
  RT_TENSOR_BY_WIDTH(K, rt_gather_i64idx, rt_gather_params)                    \
  RT_TENSOR_BY_WIDTH(K, rt_gather_elements_i32idx, rt_gather_elements_params)  \
  RT_TENSOR_BY_WIDTH(K, rt_gather_elements_i64idx, rt_gather_elements_params)  \
  RT_TENSOR_BY_WIDTH(K, rt_pad_constant, rt_pad_params)                        \
  K(rt_pad_reflect, rt_pad_params)                                             \
  K(rt_pad_edge, rt_pad_params)                                                \
  K(rt_pad_wrap, rt_pad_params)
#define RT_TENSOR_PARAMS_TYPES(P) \
  P(rt_strided_copy_params, RT_STRIDED_COPY_PARAMS) \
  P(rt_concat_params, RT_CONCAT_PARAMS) \
  P(rt_split_params, RT_SPLIT_PARAMS) \
  P(rt_gather_params, RT_GATHER_PARAMS) \
  P(rt_gather_elements_params, RT_GATHER_ELEMENTS_PARAMS) \
  P(rt_pad_params, RT_PAD_PARAMS)
RT_TENSOR_KERNELS(RT_DECLARE_KERNEL)

#endif
