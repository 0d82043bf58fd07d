/* Scaled dot-product attention (ONNX Attention, opsets 23 to 25).
 *
 * One kernel walks every (batch, query head, query row): the row's scores
 * against every key, its bias (mask, causal frontier, sliding window,
 * padding), the softmax and the weighted sum of values. Only one row of
 * scores lives at a time (scratch), so memory does not grow with the
 * square of the sequence. */
#ifndef ONNXCC_KERNELS_ATTENTION_H
#define ONNXCC_KERNELS_ATTENTION_H

#include "../params.h"
#include "../runtime.h"

/* rt_attention_T[_bmask]: Q in[0], K in[1], V in[2], attn_mask in[3]
 * (absent: NULL; T for the plain variant, bool for _bmask), past_key
 * in[4] [batch, kv_heads, past_seq, head_size] and past_value in[5]
 * [batch, kv_heads, past_seq, v_head_size] (both or neither), and
 * nonpad_kv_seqlen in[6] (int64 [batch], NULL when absent).
 *
 * Q, K, V and Y are addressed through strides (elements) of their batch,
 * head and sequence dims, so the 3-D layout [batch, seq, heads * size]
 * and the 4-D one [batch, heads, seq, size] take the same walk; the last
 * dim is contiguous. Keys are past_key's rows then K's, total_seq =
 * past_seq + kv_seq of them; query head h reads key/value head
 * h / (q_heads / kv_heads).
 *
 * For query row i and key j the score is (q_i * s) . (k_j * s) with s =
 * sqrt(scale) (scale = 1/sqrt(head_size) when default_scale is 1), then
 * softcap * tanh(score / softcap) when softcap > 0. The bias is the sum
 * of: the mask's value (float) or 0 / -inf (bool) at
 * mask_strides . (b, h, i, j), -inf for j >= mask_len (a shorter mask is
 * padded); -inf where is_causal and j > i + offset; -inf outside the
 * window i + offset - left_window <= j <= i + offset + right_window (a
 * bound of -1 is none); -inf for j >= nonpad_kv_seqlen[b]. offset is
 * past_seq, or nonpad_kv_seqlen[b] - q_seq without a past, else 0. The
 * softmax of score + bias skips a -inf maximum (an all -inf row gives
 * zeros, not NaN); a row whose bias is -inf everywhere gives zero
 * probabilities and a zero output row.
 *
 * out[0] Y; out[1], out[2] present_key and present_value (4-D, past then
 * new rows), out[3] qk_matmul_output [batch, q_heads, q_seq, total_seq]
 * holding the scores after softcap (qk_mode 0 and 1), plus the bias
 * (2), or the probabilities (3); each written only when not NULL.
 * Scratch: RT_ATTENTION_SCRATCH(head_size, total_seq, sizeof(T)) bytes.
 * T: f32, f64. */
#define RT_ATTENTION_PARAMS(I, F, IA, FA, I32, I32A, E)                                                 \
  I(batch) I(q_heads) I(kv_heads) I(q_seq) I(kv_seq) I(past_seq) I(head_size) I(v_head_size)          \
  IA(q_strides, 3) IA(k_strides, 3) IA(v_strides, 3) IA(y_strides, 3) IA(mask_strides, 4) I(mask_len) \
  I(left_window) I(right_window) F(scale) F(softcap) I32(default_scale) I32(is_causal) I32(qk_mode)
RT_PARAMS_STRUCT(rt_attention_params, RT_ATTENTION_PARAMS)
#define RT_ATTENTION_SCRATCH(head_size, total_seq, esize) (((head_size) + (total_seq)) * (esize))

#define RT_ATTENTION_KERNELS(K)                                                                 \
  K(rt_attention_f32, rt_attention_params) K(rt_attention_f32_bmask, rt_attention_params)      \
  K(rt_attention_f64, rt_attention_params) K(rt_attention_f64_bmask, rt_attention_params)
#define RT_ATTENTION_PARAMS_TYPES(P) P(rt_attention_params, RT_ATTENTION_PARAMS)
RT_ATTENTION_KERNELS(RT_DECLARE_KERNEL)

#endif
