/* ONNX Runtime's com.microsoft DynamicQuantizeLSTM: an LSTM whose weights
 * are 8-bit integers and whose input and hidden state are quantized to
 * uint8 while it runs. */
#ifndef ONNXCC_KERNELS_DQLSTM_H
#define ONNXCC_KERNELS_DQLSTM_H

#include "../params.h"
#include "../runtime.h"

/* rt_dqlstm_f32_T (T: W's and R's element type, u8 or i8: one for both,
 * as the op's type constraint has it).
 * Inputs, as the op numbers them: X float [seq, batch, input], W
 * [dirs, input, 4*hidden] and R [dirs, hidden, 4*hidden] (transposed
 * against LSTM's: a row per input unit), B, sequence_lens, initial_h,
 * initial_c, P as LSTM's (each may be NULL), W_scale float [dirs] (one
 * per direction) or, with w_per_channel, [dirs, 4*hidden] (one per gate
 * unit), W_zero_point of W's type and W_scale's shape (only a direction's
 * first zero point is used: ONNX Runtime requires the others to equal
 * it), R_scale and R_zero_point likewise. Outputs Y, Y_h, Y_c as LSTM's
 * (layout 0), each may be NULL. Gates i, o, f, c; activations sigmoid,
 * tanh, tanh; clip and input_forget as LSTM's.
 *
 * The arithmetic is ONNX Runtime 1.20's (its CPU kernel defines the op):
 * per direction, X is quantized once with DynamicQuantizeLinear's uint8
 * parameters (range [min(x, 0), max(x, 0)]) over the steps it runs: the
 * first max(sequence_lens) steps of every row forward, each row's own
 * steps backward. Before each step the hidden state of the whole batch
 * is quantized the same way, from the rows that ONNX Runtime reads
 * there: every row at step 0; later, the rows still running at the step
 * before, or every row (the finished ones keep their last h) when Y is
 * not asked for. A gate is then
 *   (float)sum_k (qx_k - zx) * (W_kj - zw) * (sx * sw_j)
 *   + (float)sum_k (qh_k - zh) * (R_kj - zr) * (sh * sr_j) + (Wb_j + Rb_j)
 * with the sums in int32 (wrapping). Agreement with ONNX Runtime is
 * within float rounding (its activations are approximations, its bias
 * comes after the peepholes) as long as it runs the batch as one block:
 * with several intra-op threads, a batch of 2 or more rows whose hidden
 * size is at most 256 (or any batch over 4 rows) is split into blocks of
 * rows, each quantized on its own, and the numbers then depend on its
 * thread count. A row of length 0 with Y not asked for makes ONNX Runtime
 * read its uninitialized state; here that row's initial h is read.
 * Scratch: RT_DQLSTM_SCRATCH(batch, input, hidden) bytes. */
#define RT_DQLSTM_PARAMS(I, F, IA, FA, I32, I32A, E)                                               \
  I(seq) I(batch) I(input) I(hidden) I32(num_dirs) I32(reverse) I32(has_clip) F(clip) I32(input_forget) \
  I32(w_per_channel) I32(r_per_channel)
/* h and c states (float, batch*hidden each), gates (float, 4*hidden),
 * int32 sums (4*hidden), the quantized hidden states (batch*hidden
 * bytes) and one quantized input row (input bytes). */
#define RT_DQLSTM_SCRATCH(batch, input, hidden) \
  (4 * (2 * (batch) * (hidden) + 8 * (hidden)) + (batch) * (hidden) + (input))
RT_PARAMS_STRUCT(rt_dqlstm_params, RT_DQLSTM_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_DQLSTM_KERNELS(K) K(rt_dqlstm_f32_u8, rt_dqlstm_params) K(rt_dqlstm_f32_i8, rt_dqlstm_params)
#define RT_DQLSTM_PARAMS_TYPES(P) P(rt_dqlstm_params, RT_DQLSTM_PARAMS)
RT_DQLSTM_KERNELS(RT_DECLARE_KERNEL)

#endif
