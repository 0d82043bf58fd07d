/* CausalConvWithState: a depthwise 1-D convolution that sees only the
 * current and past positions, carrying its last k - 1 inputs from one call
 * to the next. */
#ifndef ONNXCC_KERNELS_CAUSAL_CONV_H
#define ONNXCC_KERNELS_CAUSAL_CONV_H

#include "../params.h"
#include "../runtime.h"

/* rt_causal_conv_f32: x (in[0]) is [batch, channels, len], the weights
 * (in[1]) [channels, 1, k], the bias (in[2], NULL: none) [channels], the
 * carried state (in[3], NULL: zeros) [batch, channels, k - 1]. Each
 * channel's line p = state ++ x (k - 1 + len values) gives
 *   y[i] = bias + sum_j w[j] * p[i + j]            (out[0], like x),
 * then y * sigmoid(y) with silu; present_state (out[1], NULL: not wanted)
 * is p's last k - 1 values. Neither output may be an input. */
#define RT_CAUSAL_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(channels) I(len) I(k) I32(silu)
RT_PARAMS_STRUCT(rt_causal_conv_params, RT_CAUSAL_CONV_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_CAUSAL_CONV_KERNELS(K) K(rt_causal_conv_f32, rt_causal_conv_params)
#define RT_CAUSAL_CONV_PARAMS_TYPES(P) P(rt_causal_conv_params, RT_CAUSAL_CONV_PARAMS)
RT_CAUSAL_CONV_KERNELS(RT_DECLARE_KERNEL)

#endif
