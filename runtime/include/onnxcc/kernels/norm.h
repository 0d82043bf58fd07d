/* Normalisation kernels: BatchNormalization, InstanceNormalization,
 * LayerNormalization, LRN, MeanVarianceNormalization, and the softmax
 * family (Softmax, LogSoftmax, Hardmax). dtype is float or double. */
#ifndef ONNXCC_KERNELS_NORM_H
#define ONNXCC_KERNELS_NORM_H

#include "../params.h"
#include "../runtime.h"

/* Inference BatchNormalization over x viewed as [n, c, inner]:
 * y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c].
 * in: x, scale, bias, mean, var (scale..var have `param_dtype`).
 * With has_mean / has_var, out[1] / out[2] (the running mean/var outputs)
 * receive copies of mean / var. */
#define RT_BATCHNORM_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(dtype) I(param_dtype) I(n) I(c) I(inner) I(has_mean) I(has_var) F(epsilon)
RT_PARAMS_STRUCT(rt_batchnorm_params, RT_BATCHNORM_PARAMS)

/* Softmax-family ops. Codes are stable: generated code stores them. */
#define RT_SOFTMAX_OPS(X) X(SOFTMAX) X(LOGSOFTMAX) X(HARDMAX)

#define RT_SOFTMAX_ENUM(name) RT_SOFTMAX_##name,
enum rt_softmax_op { RT_SOFTMAX_OPS(RT_SOFTMAX_ENUM) RT_SOFTMAX_COUNT };
#undef RT_SOFTMAX_ENUM

/* x viewed as [outer, n, inner], the op applied along n. When inner > 1 the
 * kernel needs 2 * inner elements of dtype as scratch. */
#define RT_SOFTMAX_PARAMS(I, F, IA, FA, I32, I32A, E) I(op) I(dtype) I(outer) I(n) I(inner)
RT_PARAMS_STRUCT(rt_softmax_params, RT_SOFTMAX_PARAMS)

/* InstanceNormalization over x viewed as [n, c, inner]: each (n, c) row
 * normalised by its own mean and variance, then scale[c] and bias[c]. */
#define RT_INSTANCENORM_PARAMS(I, F, IA, FA, I32, I32A, E) I(dtype) I(n) I(c) I(inner) F(epsilon)
RT_PARAMS_STRUCT(rt_instancenorm_params, RT_INSTANCENORM_PARAMS)

/* LayerNormalization over x viewed as [outer, n]: each row normalised, then
 * multiplied by scale and, with has_bias, plus bias (in[2]). scale and bias
 * have scale_n / bias_n elements (a divisor of n), repeated along the row.
 * With has_mean / has_invstd, out[1] / out[2] receive the mean and inverse
 * std-dev (`outer` elements each, of stash_dtype). */
#define RT_LAYERNORM_PARAMS(I, F, IA, FA, I32, I32A, E)                                   \
  I(dtype) I(stash_dtype) I(outer) I(n) I(scale_n) I(bias_n) I(has_bias) \
  I(has_mean) I(has_invstd) F(epsilon)
RT_PARAMS_STRUCT(rt_layernorm_params, RT_LAYERNORM_PARAMS)

/* LRN across channels of x viewed as [n, c, inner]:
 * y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta,
 * the window being [c - (size-1)/2, c + size/2]. Scratch: inner elements
 * of dtype. */
#define RT_LRN_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(dtype) I(n) I(c) I(inner) I(size) F(alpha) F(beta) F(bias)
RT_PARAMS_STRUCT(rt_lrn_params, RT_LRN_PARAMS)

/* MeanVarianceNormalization: y = (x - mean) / (sqrt(var) + 1e-9), mean and
 * var taken over the reduced dims. x has `rank` dims; stat_strides gives
 * the offset of an element's statistics (0 on reduced dims); `groups`
 * statistics, each over `count` elements. Scratch: 2 * groups doubles. */
#define RT_MVN_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(dtype) I(rank) IA(dims, RT_MAX_RANK) IA(stat_strides, RT_MAX_RANK) I(groups) I(count)
RT_PARAMS_STRUCT(rt_mvn_params, RT_MVN_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_NORM_KERNELS(K) \
  K(rt_batchnorm, rt_batchnorm_params) \
  K(rt_softmax, rt_softmax_params) \
  K(rt_instancenorm, rt_instancenorm_params) \
  K(rt_layernorm, rt_layernorm_params) \
  K(rt_lrn, rt_lrn_params) \
  K(rt_mvn, rt_mvn_params)
#define RT_NORM_PARAMS_TYPES(P) \
  P(rt_batchnorm_params, RT_BATCHNORM_PARAMS) \
  P(rt_softmax_params, RT_SOFTMAX_PARAMS) \
  P(rt_instancenorm_params, RT_INSTANCENORM_PARAMS) \
  P(rt_layernorm_params, RT_LAYERNORM_PARAMS) \
  P(rt_lrn_params, RT_LRN_PARAMS) \
  P(rt_mvn_params, RT_MVN_PARAMS)
RT_NORM_KERNELS(RT_DECLARE_KERNEL)

#endif
