/* Reduction kernels: the Reduce* ops and ArgMax/ArgMin. */
#ifndef ONNXCC_KERNELS_REDUCE_H
#define ONNXCC_KERNELS_REDUCE_H

#include "../params.h"
#include "../runtime.h"

/* rt_reduce<op>_T. The input, of `rank` dims (adjacent dims with the same
 * role already merged), is reduced along the dims whose out_strides entry
 * is 0; the output is the input's kept dims in order, read at
 * sum(idx * out_strides). `count` is the number of elements folded into
 * each output, out_count the number of outputs.
 * T: f32 and f64 for every op; i32 and i64 for sum, mean, max, min, prod,
 * l1, sumsquare (sums and products wrap); i8 and u8 for max and min (bool
 * runs as u8). rt_reducelogsumexp_T needs out_count elements of T as
 * scratch. */
#define RT_REDUCE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) IA(dims, RT_MAX_RANK) IA(out_strides, RT_MAX_RANK) I(count) I(out_count)
RT_PARAMS_STRUCT(rt_reduce_params, RT_REDUCE_PARAMS)

/* rt_reduce_merge: the dims the reduce kernel walks, shared by the
 * compiler (on dim expressions) and rt_reduce_prepare (on values). Of an
 * input of `rank` dims, where reduced[d] marks the reduced dims and one[d]
 * the dims that are exactly 1, the 1s are dropped and neighbours with the
 * same role merged, so that the kernel's inner loop is as long as
 * possible: group[d] is the merged dim that dim d joins (-1: dropped) and
 * group_reduced[g] the role of merged dim g. Returns the merged rank, at
 * least 1 (with every dim dropped, merged dim 0 is a kept dim of 1 that no
 * input dim joins). */
int32_t rt_reduce_merge(int32_t rank, const int32_t *reduced, const int32_t *one, int32_t *group,
                        int32_t *group_reduced);

/* rt_reduce_prepare, for axes read at run time (in[1]: n_axes int64
 * values; dims.h explains prepare kernels): fills the rt_reduce_params at
 * out[1] from the input's `rank` in_dims, as the compiler does for
 * constant axes. No axes reduce every dim, or none with noop. The output
 * dims (each input dim, 1 where reduced with keepdims, gone where reduced
 * without) whose bit is set in out_mask go to out[0] in order. An axis out
 * of range or listed twice is RT_ERR_SHAPE. */
#define RT_REDUCE_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(n_axes) I32(keepdims) I32(noop) I32(out_mask) IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_reduce_prepare_params, RT_REDUCE_PREPARE_PARAMS)

/* rt_argmax_T / rt_argmin_T of x viewed as [outer, n, inner] along n, into
 * int64 [outer, inner]. Ties go to the first index, or the last with
 * select_last_index. T: f32, f64, i8, i16, i32, i64, u8, u16, u32, u64
 * (bool runs as u8). When inner > 1 the kernel needs inner elements of T
 * as scratch. */
#define RT_ARG_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I32(select_last_index)
RT_PARAMS_STRUCT(rt_arg_params, RT_ARG_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_REDUCE_KERNELS(K) \
  K(rt_reducesum_f32, rt_reduce_params) K(rt_reducemean_f32, rt_reduce_params) \
  K(rt_reducemax_f32, rt_reduce_params) K(rt_reducemin_f32, rt_reduce_params) \
  K(rt_reduceprod_f32, rt_reduce_params) K(rt_reducel1_f32, rt_reduce_params) \
  K(rt_reducel2_f32, rt_reduce_params) K(rt_reducelogsum_f32, rt_reduce_params) \
  K(rt_reducelogsumexp_f32, rt_reduce_params) K(rt_reducesumsquare_f32, rt_reduce_params) \
  K(rt_reducesum_f64, rt_reduce_params) K(rt_reducemean_f64, rt_reduce_params) \
  K(rt_reducemax_f64, rt_reduce_params) K(rt_reducemin_f64, rt_reduce_params) \
  K(rt_reduceprod_f64, rt_reduce_params) K(rt_reducel1_f64, rt_reduce_params) \
  K(rt_reducel2_f64, rt_reduce_params) K(rt_reducelogsum_f64, rt_reduce_params) \
  K(rt_reducelogsumexp_f64, rt_reduce_params) K(rt_reducesumsquare_f64, rt_reduce_params) \
  K(rt_reducesum_i32, rt_reduce_params) K(rt_reducemean_i32, rt_reduce_params) \
  K(rt_reducemax_i32, rt_reduce_params) K(rt_reducemin_i32, rt_reduce_params) \
  K(rt_reduceprod_i32, rt_reduce_params) K(rt_reducel1_i32, rt_reduce_params) \
  K(rt_reducesumsquare_i32, rt_reduce_params) K(rt_reducesum_i64, rt_reduce_params) \
  K(rt_reducemean_i64, rt_reduce_params) K(rt_reducemax_i64, rt_reduce_params) \
  K(rt_reducemin_i64, rt_reduce_params) K(rt_reduceprod_i64, rt_reduce_params) \
  K(rt_reducel1_i64, rt_reduce_params) K(rt_reducesumsquare_i64, rt_reduce_params) \
  K(rt_reducemax_i8, rt_reduce_params) K(rt_reducemin_i8, rt_reduce_params) \
  K(rt_reducemax_u8, rt_reduce_params) K(rt_reducemin_u8, rt_reduce_params) \
  K(rt_argmax_f32, rt_arg_params) K(rt_argmax_f64, rt_arg_params) \
  K(rt_argmax_i8, rt_arg_params) K(rt_argmax_i16, rt_arg_params) \
  K(rt_argmax_i32, rt_arg_params) K(rt_argmax_i64, rt_arg_params) \
  K(rt_argmax_u8, rt_arg_params) K(rt_argmax_u16, rt_arg_params) \
  K(rt_argmax_u32, rt_arg_params) K(rt_argmax_u64, rt_arg_params) \
  K(rt_argmin_f32, rt_arg_params) K(rt_argmin_f64, rt_arg_params) \
  K(rt_argmin_i8, rt_arg_params) K(rt_argmin_i16, rt_arg_params) \
  K(rt_argmin_i32, rt_arg_params) K(rt_argmin_i64, rt_arg_params) \
  K(rt_argmin_u8, rt_arg_params) K(rt_argmin_u16, rt_arg_params) \
  K(rt_argmin_u32, rt_arg_params) K(rt_argmin_u64, rt_arg_params) \
  K(rt_reduce_prepare, rt_reduce_prepare_params)
#define RT_REDUCE_PARAMS_TYPES(P) \
  P(rt_reduce_params, RT_REDUCE_PARAMS) P(rt_arg_params, RT_ARG_PARAMS) \
  P(rt_reduce_prepare_params, RT_REDUCE_PREPARE_PARAMS)
RT_REDUCE_KERNELS(RT_DECLARE_KERNEL)

#endif
