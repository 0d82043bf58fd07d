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
 * contiguous bytes (its slab below the axis). in[k] holds input k; one
 * that already lies at its place in out[0] (written there in place, as
 * the compiler plans where `outer` is 1) is not copied. */
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

/* ---- operands read at run time ----
 * Slice's starts/ends/steps, Split's sizes, Pad's pads, Tile's repeats and
 * Expand's shape may be values known only when the model runs. A prepare
 * kernel (dims.h explains them) then writes the output dims those values
 * give to out[0] and completes the op's params at out[1]; values the rules
 * below reject are RT_ERR_SHAPE. The rules are these functions, which the
 * compiler applies to constant operands too. */

/* Slice on one axis of `dim` elements (ONNX): a negative start or end
 * counts from the end, then both are clamped into the axis ([0, dim] for a
 * positive step, [0, dim - 1] and [-1, dim - 1] for a negative one).
 * Writes the first element read, the count read and the step, itself
 * clamped to [-(dim + 1), dim + 1] (a longer step reads one element at
 * most, so nothing derived from it can overflow). 0, or -1 for a step of
 * 0. */
int rt_slice_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *first, int64_t *count,
                  int64_t *step_out);
/* Split sizes: each at least 0, together exactly `dim`. 0, or -1. */
int rt_split_check(int n, const int64_t *sizes, int64_t dim);
/* Pad's output dim from the input dim and the pads before and after (a
 * negative one crops): at least 0, and a mode that repeats input elements
 * (edge, reflect, wrap) needs a non-empty input to grow. 0, or -1. */
int rt_pad_dim(int64_t dim, int64_t begin, int64_t end, int mode, int64_t *out);
/* Tile: dim times `repeats` (at least 0, not overflowing). 0, or -1. */
int rt_tile_dim(int64_t dim, int64_t repeats, int64_t *out);
/* Expand: dim `x` broadcast against the shape's value `s` (numpy: equal,
 * or one of them 1; a negative s is wrong). 0, or -1. */
int rt_expand_dim(int64_t x, int64_t s, int64_t *out);

/* rt_slice_prepare: in[1], in[2], in[4] hold starts, ends and steps
 * (int32 when index_i32, else int64; no in[4]: steps of 1) for the
 * `naxes` axes listed. The input has `rank` dims `in_dims`. Writes each
 * listed axis's count to out[0], in order, and sets the strided-copy
 * params' offset; with open_strides, also strides[axes[i]] (the view then
 * keeps one params dim per input axis). With axes_in the axes are read
 * from in[3] (negative ones count from the end; one out of range or
 * listed twice is an error), and every axis's count and stride is
 * written. Offsets and strides are counted in units of `unit` elements'
 * bytes (1: elements; esize: bytes, rt_copy_rows). */
#define RT_SLICE_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E)                                               \
  I32(rank) I32(naxes) I32A(axes, RT_MAX_RANK) I32(index_i32) I32(open_strides) I32(axes_in) I(unit) \
  IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_slice_prepare_params, RT_SLICE_PREPARE_PARAMS)

/* rt_split_prepare: in[1] holds the n split sizes (int64); they must sum
 * to axis_dim. Writes them to out[0]; the kernel's bytes follow from them. */
#define RT_SPLIT_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) I32(n) I(axis_dim)
RT_PARAMS_STRUCT(rt_split_prepare_params, RT_SPLIT_PREPARE_PARAMS)

/* rt_pad_prepare: in[1] holds 2 * naxes pads (int64, begins then ends)
 * for the axes listed. Writes the output dim of each listed axis to out[0]
 * and its begin into the Pad params (rt_pad_params.begin). With axes_in
 * the axes are read from in[3] (int32 when axes_i32, else int64; checked
 * as Slice's) and every one of the `rank` axes's dim and begin is
 * written. */
#define RT_PAD_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(naxes) I32A(axes, RT_MAX_RANK) I32(mode) I32(axes_in) I32(axes_i32) IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_pad_prepare_params, RT_PAD_PREPARE_PARAMS)

/* rt_tile_prepare: in[1] holds `rank` repeats (int64). Writes each output
 * dim (in_dims[d] * repeats[d]) to out[0] and the repeat count into the
 * strided-copy params' dims[rep_at[d]] (the view keeps its layout). */
#define RT_TILE_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32A(rep_at, RT_MAX_RANK) IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_tile_prepare_params, RT_TILE_PREPARE_PARAMS)

/* rt_expand_prepare: in[1] holds the n values of the shape (int64). For
 * each of the out_rank output dims (right-aligned against the input's
 * in_rank dims and the shape): where from_shape[d] is set the input dim is
 * 1 or absent and the dim is the shape's, written to out[0] in order;
 * elsewhere the shape must be 1 or the input's dim. */
#define RT_EXPAND_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(in_rank) I32(out_rank) I32(n) I32A(from_shape, RT_MAX_RANK) IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_expand_prepare_params, RT_EXPAND_PREPARE_PARAMS)

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
  K(rt_pad_wrap, rt_pad_params)                                               \
  K(rt_slice_prepare, rt_slice_prepare_params)                                 \
  K(rt_split_prepare, rt_split_prepare_params)                                 \
  K(rt_pad_prepare, rt_pad_prepare_params)                                     \
  K(rt_tile_prepare, rt_tile_prepare_params)                                   \
  K(rt_expand_prepare, rt_expand_prepare_params)
#define RT_TENSOR_PARAMS_TYPES(P) \
  P(rt_strided_copy_params, RT_STRIDED_COPY_PARAMS) \
  P(rt_concat_params, RT_CONCAT_PARAMS) \
  P(rt_split_params, RT_SPLIT_PARAMS) \
  P(rt_gather_params, RT_GATHER_PARAMS) \
  P(rt_gather_elements_params, RT_GATHER_ELEMENTS_PARAMS) \
  P(rt_pad_params, RT_PAD_PARAMS) \
  P(rt_slice_prepare_params, RT_SLICE_PREPARE_PARAMS) \
  P(rt_split_prepare_params, RT_SPLIT_PREPARE_PARAMS) \
  P(rt_pad_prepare_params, RT_PAD_PREPARE_PARAMS) \
  P(rt_tile_prepare_params, RT_TILE_PREPARE_PARAMS) \
  P(rt_expand_prepare_params, RT_EXPAND_PREPARE_PARAMS)
RT_TENSOR_KERNELS(RT_DECLARE_KERNEL)

#endif
