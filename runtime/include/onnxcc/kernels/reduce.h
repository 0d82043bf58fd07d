/* Reduction kernels: the Reduce* ops and ArgMax/ArgMin. */
#ifndef ONNXCC_KERNELS_REDUCE_H
#define ONNXCC_KERNELS_REDUCE_H

#include "../params.h"
#include "../runtime.h"

/* Reductions. Codes are stable: generated code stores them. */
#define RT_REDUCE_OPS(X) \
  X(SUM) X(MEAN) X(MAX) X(MIN) X(PROD) X(L1) X(L2) X(LOG_SUM) X(LOG_SUM_EXP) X(SUM_SQUARE)

#define RT_REDUCE_ENUM(name) RT_REDUCE_##name,
enum rt_reduce_op { RT_REDUCE_OPS(RT_REDUCE_ENUM) RT_REDUCE_COUNT };
#undef RT_REDUCE_ENUM

/* The input, of `rank` dims (adjacent dims with the same role already
 * merged), is reduced along the dims whose out_strides entry is 0; the
 * output is the input's kept dims in order, read at sum(idx * out_strides).
 * `count` is the number of elements folded into each output.
 * dtype: float and double for every op; int32 and int64 for SUM, MEAN,
 * MAX, MIN, PROD, L1, SUM_SQUARE; int8, uint8 (and bool) for MAX and MIN.
 * LOG_SUM_EXP needs out_count elements of dtype as scratch. */
#define RT_REDUCE_PARAMS(I, F, IA, FA, I32, I32A, E)                                         \
  I(op) I(dtype) I(rank) IA(dims, RT_MAX_RANK) IA(out_strides, RT_MAX_RANK) \
  I(count) I(out_count)
RT_PARAMS_STRUCT(rt_reduce_params, RT_REDUCE_PARAMS)

/* ArgMax / ArgMin of x viewed as [outer, n, inner] along n, into int64
 * [outer, inner]. Ties go to the first index, or the last with
 * select_last_index. dtype: float, double, int8/16/32/64, uint8/16/32/64.
 * When inner > 1 the kernel needs inner elements of dtype as scratch. */
#define RT_ARG_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(is_min) I(dtype) I(outer) I(n) I(inner) I(select_last_index)
RT_PARAMS_STRUCT(rt_arg_params, RT_ARG_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_REDUCE_KERNELS(K) \
  K(rt_reduce, rt_reduce_params) \
  K(rt_arg, rt_arg_params)
#define RT_REDUCE_PARAMS_TYPES(P) \
  P(rt_reduce_params, RT_REDUCE_PARAMS) \
  P(rt_arg_params, RT_ARG_PARAMS)
RT_REDUCE_KERNELS(RT_DECLARE_KERNEL)

#endif
