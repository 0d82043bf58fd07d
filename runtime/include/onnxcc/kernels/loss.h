/* Loss kernels: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. */
#ifndef ONNXCC_KERNELS_LOSS_H
#define ONNXCC_KERNELS_LOSS_H

#include "../params.h"
#include "../runtime.h"

/* How the per-element losses become the output: kept as they are (shape of
 * the target), summed, or averaged over the weights actually applied. */
#define RT_LOSS_REDUCTIONS(X) X(NONE) X(SUM) X(MEAN)
#define RT_LOSS_REDUCTION_NAME_(n) RT_LOSS_##n,
enum rt_loss_reduction { RT_LOSS_REDUCTIONS(RT_LOSS_REDUCTION_NAME_) RT_LOSS_COUNT_ };
#undef RT_LOSS_REDUCTION_NAME_

/* rt_nllloss_T_I: input x of element type T viewed as [n, c, d] (d the
 * product of the dims after the class axis, 1 for [N, C]), target t of
 * index type I viewed as [n, d], optional weight w [c] (in[2], NULL: all
 * 1). Element (i, j) has class k = t[i, j] and loss -x[i, k, j] * w[k], and
 * weight w[k]; when has_ignore and k == ignore_index both are 0. A k
 * outside [0, c) that is not ignored is the model's error: it contributes
 * loss 0 and weight 0 (never read out of bounds). reduction NONE writes
 * the n*d losses, SUM their sum, MEAN their sum divided by the sum of the
 * weights (0/0 = NaN when every element is ignored).
 *
 * rt_sceloss_T_I: the same on log_prob = log-softmax of the scores x over
 * the class axis; log_prob is written to out[1] when the node has that
 * output (else it is computed on the fly, without scratch).
 *
 * T: f32, f64; I: i32, i64. Sums are accumulated in double. */
#define RT_LOSS_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(n) I(c) I(d) I(ignore_index) I32(has_ignore) E(reduction, RT_LOSS_, RT_LOSS_REDUCTIONS)
RT_PARAMS_STRUCT(rt_loss_params, RT_LOSS_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_LOSS_KERNELS(K)                                                          \
  K(rt_nllloss_f32_i32, rt_loss_params) K(rt_nllloss_f32_i64, rt_loss_params)       \
  K(rt_nllloss_f64_i32, rt_loss_params) K(rt_nllloss_f64_i64, rt_loss_params)       \
  K(rt_sceloss_f32_i32, rt_loss_params) K(rt_sceloss_f32_i64, rt_loss_params)       \
  K(rt_sceloss_f64_i32, rt_loss_params) K(rt_sceloss_f64_i64, rt_loss_params)
#define RT_LOSS_PARAMS_TYPES(P) P(rt_loss_params, RT_LOSS_PARAMS)
RT_LOSS_KERNELS(RT_DECLARE_KERNEL)

#endif
