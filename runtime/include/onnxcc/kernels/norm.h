/* Normalisation kernels: BatchNormalization, InstanceNormalization,
 * LayerNormalization, LRN, MeanVarianceNormalization, RMSNormalization,
 * LpNormalization, GroupNormalization, and the softmax
 * family (Softmax, LogSoftmax, Hardmax). Each exists for f32 and f64
 * data. */
#ifndef ONNXCC_KERNELS_NORM_H
#define ONNXCC_KERNELS_NORM_H

#include "../params.h"
#include "../runtime.h"
#include "epilogue.h"

/* Inference BatchNormalization over x viewed as [n, c, inner]:
 * y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c].
 * in: x, scale, bias, mean, var. rt_batchnorm_T: all of type T;
 * rt_batchnorm_T_U: x and y of type T, scale..var of type U.
 * With has_mean / has_var, out[1] / out[2] (the running mean/var outputs)
 * receive copies of mean / var. y may be x (element by element).
 * rt_batchnorm_f32 applies an activation (act, act_a, act_b: the one after
 * it, which the compiler's fuse-epilogue moved in; never a residual) to
 * each plane once it is written; the other variants have RT_ACT_NONE.
 * rt_batchnorm_train_T_U (training_mode=1): the statistics are x's own per
 * channel (mean and biased variance over n and inner, in double), and
 * out[1] / out[2] get mean * momentum + batch mean * (1 - momentum), the
 * same for var. y must not be x (it is read twice). */
#define RT_BATCHNORM_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(n) I(c) I(inner) I32(has_mean) I32(has_var) F(epsilon) F(momentum) RT_EPILOGUE_FIELDS(F, I32, E)
RT_PARAMS_STRUCT(rt_batchnorm_params, RT_BATCHNORM_PARAMS)

/* Softmax, LogSoftmax, Hardmax of x viewed as [outer, n, inner], along n.
 * rt_softmax_T, rt_logsoftmax_T, rt_hardmax_T: any inner. For f32 the
 * plain variants need inner == 1 and the _strided ones take inner > 1
 * with scratch of 2 * inner floats (rt_hardmax_f32_strided: inner). Softmax
 * may write y over x; the others may not. */
#define RT_SOFTMAX_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner)
RT_PARAMS_STRUCT(rt_softmax_params, RT_SOFTMAX_PARAMS)

/* InstanceNormalization over x viewed as [n, c, inner]: each (n, c) row
 * normalised by its own mean and variance, then scale[c] and bias[c]. y
 * may be x. */
#define RT_INSTANCENORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(c) I(inner) F(epsilon)
RT_PARAMS_STRUCT(rt_instancenorm_params, RT_INSTANCENORM_PARAMS)

/* LayerNormalization over x viewed as [outer, n]: each row normalised, then
 * multiplied by scale and, with has_bias, plus bias (in[2]). scale and bias
 * have scale_n / bias_n elements (a divisor of n), repeated along the row.
 * With has_mean / has_invstd, out[1] / out[2] receive the mean and inverse
 * std-dev (`outer` elements each): of type T for rt_layernorm_T, of type U
 * for rt_layernorm_T_U (the stash type). y may be x. */
#define RT_LAYERNORM_PARAMS(I, F, IA, FA, I32, I32A, E)                              \
  I(outer) I(n) I(scale_n) I(bias_n) I32(has_bias) I32(has_mean) I32(has_invstd) F(epsilon)
RT_PARAMS_STRUCT(rt_layernorm_params, RT_LAYERNORM_PARAMS)

/* LRN across channels of x viewed as [n, c, inner]:
 * y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta,
 * the window being [c - (size-1)/2, c + size/2]. Scratch: inner elements
 * of T. */
#define RT_LRN_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(n) I(c) I(inner) I32(size) F(alpha) F(beta) F(bias)
RT_PARAMS_STRUCT(rt_lrn_params, RT_LRN_PARAMS)

/* MeanVarianceNormalization: y = (x - mean) / (sqrt(var) + 1e-9), mean and
 * var taken over the reduced dims. x has `rank` dims; stat_strides gives
 * the offset of an element's statistics (0 on reduced dims); `groups`
 * statistics, each over `count` elements. Scratch: 2 * groups doubles. y
 * may be x (every statistic is gathered before any y is written). */
#define RT_MVN_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) IA(dims, RT_MAX_RANK) IA(stat_strides, RT_MAX_RANK) I(groups) I(count)
RT_PARAMS_STRUCT(rt_mvn_params, RT_MVN_PARAMS)

/* RMSNormalization over x viewed as [outer, n]: each row divided by
 * sqrt(mean of its squares + epsilon), then multiplied by scale (in[1]),
 * whose scale_n elements (a divisor of n) repeat along the row. y may be
 * x. */
#define RT_RMSNORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(scale_n) F(epsilon)
RT_PARAMS_STRUCT(rt_rmsnorm_params, RT_RMSNORM_PARAMS)

/* LpNormalization of x viewed as [outer, n, inner], along n: each line
 * divided by its p-norm (p = 1: the sum of |x|; p = 2: the root of the
 * sum of squares); a line whose norm is 0 gives zeros. y may be x. */
#define RT_LPNORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I32(p)
RT_PARAMS_STRUCT(rt_lpnorm_params, RT_LPNORM_PARAMS)

/* GroupNormalization over x viewed as [n, c, inner]: the c channels form
 * `groups` groups of c / groups consecutive channels; each (n, group)
 * block is normalised by its own mean and (biased) variance, then channel
 * k is multiplied by scale[k] and plus bias[k] (in[1], in[2]). y may be
 * x. */
#define RT_GROUPNORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(c) I(inner) I(groups) F(epsilon)
RT_PARAMS_STRUCT(rt_groupnorm_params, RT_GROUPNORM_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_NORM_KERNELS(K)                                                                 \
  K(rt_batchnorm_f32, rt_batchnorm_params) K(rt_batchnorm_f64, rt_batchnorm_params)        \
  K(rt_batchnorm_f32_f64, rt_batchnorm_params) K(rt_batchnorm_f64_f32, rt_batchnorm_params) \
  K(rt_batchnorm_train_f32, rt_batchnorm_params) K(rt_batchnorm_train_f64, rt_batchnorm_params) \
  K(rt_batchnorm_train_f32_f64, rt_batchnorm_params)                                       \
  K(rt_batchnorm_train_f64_f32, rt_batchnorm_params)                                       \
  K(rt_softmax_f32, rt_softmax_params) K(rt_softmax_f32_strided, rt_softmax_params)        \
  K(rt_softmax_f64, rt_softmax_params)                                                     \
  K(rt_logsoftmax_f32, rt_softmax_params) K(rt_logsoftmax_f32_strided, rt_softmax_params)  \
  K(rt_logsoftmax_f64, rt_softmax_params)                                                  \
  K(rt_hardmax_f32, rt_softmax_params) K(rt_hardmax_f32_strided, rt_softmax_params)        \
  K(rt_hardmax_f64, rt_softmax_params)                                                     \
  K(rt_instancenorm_f32, rt_instancenorm_params) K(rt_instancenorm_f64, rt_instancenorm_params) \
  K(rt_layernorm_f32, rt_layernorm_params) K(rt_layernorm_f64, rt_layernorm_params)        \
  K(rt_layernorm_f32_f64, rt_layernorm_params) K(rt_layernorm_f64_f32, rt_layernorm_params) \
  K(rt_lrn_f32, rt_lrn_params) K(rt_lrn_f64, rt_lrn_params)                                \
  K(rt_mvn_f32, rt_mvn_params) K(rt_mvn_f64, rt_mvn_params)                                \
  K(rt_rmsnorm_f32, rt_rmsnorm_params) K(rt_rmsnorm_f64, rt_rmsnorm_params)                \
  K(rt_lpnorm_f32, rt_lpnorm_params) K(rt_lpnorm_f64, rt_lpnorm_params)                    \
  K(rt_groupnorm_f32, rt_groupnorm_params) K(rt_groupnorm_f64, rt_groupnorm_params)
#define RT_NORM_PARAMS_TYPES(P)                                                  \
  P(rt_batchnorm_params, RT_BATCHNORM_PARAMS) P(rt_softmax_params, RT_SOFTMAX_PARAMS) \
  P(rt_instancenorm_params, RT_INSTANCENORM_PARAMS)                             \
  P(rt_layernorm_params, RT_LAYERNORM_PARAMS) P(rt_lrn_params, RT_LRN_PARAMS)   \
  P(rt_mvn_params, RT_MVN_PARAMS) P(rt_rmsnorm_params, RT_RMSNORM_PARAMS)                 \
  P(rt_lpnorm_params, RT_LPNORM_PARAMS) P(rt_groupnorm_params, RT_GROUPNORM_PARAMS)
RT_NORM_KERNELS(RT_DECLARE_KERNEL)

#endif
