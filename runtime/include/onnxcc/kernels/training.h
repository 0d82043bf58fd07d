/* Optimizer steps of ai.onnx.preview.training: Adagrad, Adam and Momentum
 * (standard and Nesterov). Each updates n tensors at once, every one with
 * the same learning rate R (in[0], one element of the tensors' type) and
 * step count T (in[1], one int64), element by element.
 *
 * Inputs and outputs come in groups of n, in the order of the ONNX node:
 *   Adagrad   in:  R, T, X[n], G[n], H[n]        out: X_new[n], H_new[n]
 *   Adam      in:  R, T, X[n], G[n], V[n], H[n]  out: X_new[n], V_new[n], H_new[n]
 *   Momentum  in:  R, T, X[n], G[n], V[n]        out: X_new[n], V_new[n]
 * Tensor k of every group has counts[k] elements. An absent output (NULL)
 * is not written. With G_reg = norm_coefficient * X + G:
 *   rt_adagrad_T   H_new = H + G_reg^2,
 *                  X_new = X - R / (1 + T * decay_factor) * G_reg / (sqrt(H_new) + epsilon)
 *   rt_adam_T      V_new = alpha * V + (1 - alpha) * G_reg,
 *                  H_new = beta * H + (1 - beta) * G_reg^2,
 *                  R' = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R,
 *                  X_new = (1 - norm_coefficient_post) * (X - R' * V_new / (sqrt(H_new) + epsilon))
 *   rt_momentum_T  V_new = alpha * V + (T > 0 ? beta : 1) * G_reg, X_new = X - R * V_new
 *   rt_nesterov_T  the same V_new, X_new = X - R * (G_reg + alpha * V_new)
 * The scalar factors (R', the decayed rate) are computed in double, as the
 * ONNX reference computes them; the element arithmetic in T.
 * T: f32, f64 (R of the same type). */
#ifndef ONNXCC_KERNELS_TRAINING_H
#define ONNXCC_KERNELS_TRAINING_H

#include "../params.h"
#include "../runtime.h"

/* The most tensors one node updates (the params hold a count for each). */
#define RT_TRAINING_MAX 32

#define RT_TRAINING_PARAMS(I, F, IA, FA, I32, I32A, E)                                                  \
  I32(n) F(norm_coefficient) F(norm_coefficient_post) F(alpha) F(beta) F(epsilon) F(decay_factor) \
  IA(counts, RT_TRAINING_MAX)
RT_PARAMS_STRUCT(rt_training_params, RT_TRAINING_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_TRAINING_K_(K, op) K(rt_##op##_f32, rt_training_params) K(rt_##op##_f64, rt_training_params)
#define RT_TRAINING_KERNELS(K) \
  RT_TRAINING_K_(K, adagrad) RT_TRAINING_K_(K, adam) RT_TRAINING_K_(K, momentum) RT_TRAINING_K_(K, nesterov)
#define RT_TRAINING_PARAMS_TYPES(P) P(rt_training_params, RT_TRAINING_PARAMS)
RT_TRAINING_KERNELS(RT_DECLARE_KERNEL)

#endif
