/* Index-addressed kernels: ScatterElements, ScatterND and GatherND.
 *
 * Indices are int32 (_i32idx variants) or int64 (_i64idx); a negative one
 * counts from the end of its dim. An index still out of range after that
 * is the model's error: the kernels never read or write out of bounds
 * for it (scatters skip that update, GatherND writes zeros). */
#ifndef ONNXCC_KERNELS_SCATTER_H
#define ONNXCC_KERNELS_SCATTER_H

#include "../params.h"
#include "../runtime.h"

/* ScatterElements: y = x (numel elements; the copy is skipped when y is
 * x), then for each position i of the updates (in[2], shape `dims`, the
 * indices' shape, in[1]) y[i with i[axis] replaced by idx[i]] is set to
 * (or combined with) the update. `strides` are the data's strides.
 *   rt_scatter_elements_none_IDX_W: W-bit elements replaced.
 *   rt_scatter_elements_R_IDX_T: R in add, mul, max, min; T in f32, f64,
 *   i32, i64 (integer add and mul wrap). */
#define RT_SCATTER_ELEMENTS_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(axis) I(axis_dim) I(numel) IA(dims, RT_MAX_RANK) IA(strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_scatter_elements_params, RT_SCATTER_ELEMENTS_PARAMS)

/* ScatterND: y = x (numel elements, skipped when y is x), then for each
 * of n_idx index tuples of k values (in[1], row-major) the slice of
 * `slice` elements at sum(idx[j] * strides[j]) gets the tuple's slice of
 * the updates (in[2]), replaced or combined. dims[j] is the data's dim j
 * (j < k), strides in elements.
 *   rt_scatternd_none_IDX: slices of esize-byte elements replaced.
 *   rt_scatternd_R_IDX_T: R and T as for ScatterElements. */
#define RT_SCATTERND_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(k) I(n_idx) I(slice) I(numel) I(esize) IA(dims, RT_MAX_RANK) IA(strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_scatternd_params, RT_SCATTERND_PARAMS)

/* GatherND: data viewed as `batch` blocks of batch_bytes, the indices as
 * `batch` groups of n_idx tuples of k values. Tuple t of block b copies
 * slice_bytes from block b at sum(idx[j] * strides[j]) (strides in bytes,
 * dims the data's dims after the batch dims) to the output's slice t of
 * batch b. rt_gathernd_IDX. */
#define RT_GATHERND_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(k) I(batch) I(n_idx) I(batch_bytes) I(slice_bytes) IA(dims, RT_MAX_RANK) IA(strides, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_gathernd_params, RT_GATHERND_PARAMS)

/* For the lists below. */
#define RT_SCATTER_BY_WIDTH(K, name, ptype) \
  K(name##_8bit, ptype) K(name##_16bit, ptype) K(name##_32bit, ptype) K(name##_64bit, ptype)
#define RT_SCATTER_BY_TYPE(K, name, ptype) \
  K(name##_f32, ptype) K(name##_f64, ptype) K(name##_i32, ptype) K(name##_i64, ptype)
#define RT_SCATTER_REDUCTIONS(K, name, ptype)                                         \
  RT_SCATTER_BY_TYPE(K, name##_add_i32idx, ptype) RT_SCATTER_BY_TYPE(K, name##_add_i64idx, ptype) \
  RT_SCATTER_BY_TYPE(K, name##_mul_i32idx, ptype) RT_SCATTER_BY_TYPE(K, name##_mul_i64idx, ptype) \
  RT_SCATTER_BY_TYPE(K, name##_max_i32idx, ptype) RT_SCATTER_BY_TYPE(K, name##_max_i64idx, ptype) \
  RT_SCATTER_BY_TYPE(K, name##_min_i32idx, ptype) RT_SCATTER_BY_TYPE(K, name##_min_i64idx, ptype)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_SCATTER_KERNELS(K)                                                               \
  RT_SCATTER_BY_WIDTH(K, rt_scatter_elements_none_i32idx, rt_scatter_elements_params)      \
  RT_SCATTER_BY_WIDTH(K, rt_scatter_elements_none_i64idx, rt_scatter_elements_params)      \
  RT_SCATTER_REDUCTIONS(K, rt_scatter_elements, rt_scatter_elements_params)                \
  K(rt_scatternd_none_i32idx, rt_scatternd_params) K(rt_scatternd_none_i64idx, rt_scatternd_params) \
  RT_SCATTER_REDUCTIONS(K, rt_scatternd, rt_scatternd_params)                              \
  K(rt_gathernd_i32idx, rt_gathernd_params) K(rt_gathernd_i64idx, rt_gathernd_params)
#define RT_SCATTER_PARAMS_TYPES(P)                                 \
  P(rt_scatter_elements_params, RT_SCATTER_ELEMENTS_PARAMS)        \
  P(rt_scatternd_params, RT_SCATTERND_PARAMS) P(rt_gathernd_params, RT_GATHERND_PARAMS)
RT_SCATTER_KERNELS(RT_DECLARE_KERNEL)

#endif
