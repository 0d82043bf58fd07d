/* LinearAttention: attention as a recurrence over a (d_k x d_v) state per
 * key/value head, instead of a softmax over all past tokens. */
#ifndef ONNXCC_KERNELS_LINEAR_ATTENTION_H
#define ONNXCC_KERNELS_LINEAR_ATTENTION_H

#include "../params.h"
#include "../runtime.h"

/* rt_linear_attention_f32: query (in[0]) is [batch, t, hq * dk], key
 * (in[1]) [batch, t, hkv * dk], value (in[2]) [batch, t, hkv * dv];
 * past_state (in[3], NULL: zeros) and present_state (out[1]) are
 * [batch, hkv, dk, dv]; the output (out[0]) is [batch, t, hq * dv].
 * For each token, in order, the state S of each key/value head is
 *   decayed when decay (in[4]) is given: S[d, :] *= exp(g[d]), g being
 *     decay's [hkv * dk] row (decay_per_key) or its [hkv] row (one g per
 *     head);
 *   corrected when beta (in[5]) is given: v <- b * (v - S^T k), b being
 *     beta's [hkv] row or its single value (beta_per_head = 0);
 *   written: S += k v^T;
 * and query head h reads key/value head h / (hq / hkv):
 *   o = scale * q^T S.
 * So decay alone is the "gated" rule, beta alone "delta", both
 * "gated_delta", neither "linear". present_state may be NULL (the state
 * then lives in scratch); scratch holds dv floats, plus the state
 * (batch * hkv * dk * dv floats) when present_state is NULL. */
#define RT_LINEAR_ATTENTION_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(batch) I(t) I(hq) I(hkv) I(dk) I(dv) I32(decay_per_key) I32(beta_per_head) F(scale)
RT_PARAMS_STRUCT(rt_linear_attention_params, RT_LINEAR_ATTENTION_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_LINEAR_ATTENTION_KERNELS(K) K(rt_linear_attention_f32, rt_linear_attention_params)
#define RT_LINEAR_ATTENTION_PARAMS_TYPES(P) P(rt_linear_attention_params, RT_LINEAR_ATTENTION_PARAMS)
RT_LINEAR_ATTENTION_KERNELS(RT_DECLARE_KERNEL)

#endif
