/* Recurrent kernels: RNN, GRU and LSTM. */
#ifndef ONNXCC_KERNELS_RNN_H
#define ONNXCC_KERNELS_RNN_H

#include "../params.h"
#include "../runtime.h"

/* rt_rnn_T, rt_gru_T, rt_lstm_T: one recurrent layer over seq steps.
 * Inputs, as the ONNX ops number them: X, W [dirs, G*hidden, input],
 * R [dirs, G*hidden, hidden], B [dirs, 2*G*hidden] (NULL: zeros),
 * sequence_lens int32 [batch] (NULL: all seq), initial_h (NULL: zeros),
 * and for LSTM initial_c (NULL: zeros) and P [dirs, 3*hidden] (NULL:
 * zeros). G is 1 (RNN), 3 (GRU: z, r, h) or 4 (LSTM: i, o, f, c).
 * Outputs Y, Y_h and (LSTM) Y_c, each may be NULL.
 * With layout 0, X is [seq, batch, input], Y [seq, dirs, batch, hidden],
 * initial_h/c and Y_h/c [dirs, batch, hidden]; with layout 1 the batch
 * dim comes first: X [batch, seq, input], Y [batch, seq, dirs, hidden],
 * the states [batch, dirs, hidden].
 * Direction 0 runs forward (direction 1 of a bidirectional layer and a
 * reverse one run backward, from each row's last valid step). Steps past
 * a row's length are zero in Y. A row of length 0 gives zero
 * final states. With has_clip, gate pre-activations are
 * clamped to [-clip, clip]. Activations are the defaults: tanh (RNN),
 * sigmoid and tanh (GRU, LSTM). GRU: linear_before_reset; LSTM:
 * input_forget (forget gate = 1 - input gate).
 * With transposed, W is [dirs, input, G*hidden] and R [dirs, hidden,
 * G*hidden] instead (the compiler stores constant weights so: the gate
 * loops then vectorize; the sums are the same).
 * T: f32, f64. Scratch: RT_RNN_SCRATCH(batch, G, hidden) elements of T.
 *
 * rt_rnn_f32_proj, rt_gru_f32_proj, rt_lstm_f32_proj: the same layers in
 * float for constant weights, which the compiler lays out for them
 * (whatever transposed says): W as dirs blocks of
 * rt_gemm_f32_packed_floats(input, G*hidden) floats, each direction's W^T
 * packed by rt_gemm_f32_pack_b (gemm.h), and R transposed as above. X W^T
 * for a block of steps is one matrix product before the steps; per step
 * only the recurrent product is left, its gates summed in registers.
 * Every attribute as above. Scratch: rt_rnn_f32_proj_scratch_bytes(seq,
 * batch, input, G, hidden) bytes, 64-byte aligned (the arena's
 * alignment); a function of those only, the same on every target.
 *
 * peepholes: the LSTM's P is given (input 7). rt_lstm_f32_proj reads P
 * only then; without it, input slot 7 is RT_PARALLEL_SLOT
 * (<onnxcc/parallel.h>), and the kernel splits each step's hidden units
 * across the tasks it gets there (NULL: one thread). rt_gru_f32_proj,
 * which has no input 7, always takes its tasks there (a step without
 * linear_before_reset in two jobs: the reset gate of every unit first).
 * Every other kernel here reads P whenever it is not NULL, as before. */
#define RT_RNN_PARAMS(I, F, IA, FA, I32, I32A, E)                                     \
  I(seq) I(batch) I(input) I(hidden) I32(num_dirs) I32(reverse) I32(layout) I32(has_clip) \
  F(clip) I32(linear_before_reset) I32(input_forget) I32(transposed) I32(peepholes)
#define RT_RNN_SCRATCH(batch, G, hidden) ((2 * (batch) + 3 * (G) + 1) * (hidden))
RT_PARAMS_STRUCT(rt_rnn_params, RT_RNN_PARAMS)
size_t rt_rnn_f32_proj_scratch_bytes(int64_t seq, int64_t batch, int64_t input, int64_t G, int64_t hidden);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_RNN_KERNELS(K)                                                                  \
  K(rt_rnn_f32, rt_rnn_params) K(rt_rnn_f64, rt_rnn_params) K(rt_gru_f32, rt_rnn_params) \
  K(rt_gru_f64, rt_rnn_params) K(rt_lstm_f32, rt_rnn_params) K(rt_lstm_f64, rt_rnn_params)     \
  K(rt_rnn_f32_proj, rt_rnn_params) K(rt_gru_f32_proj, rt_rnn_params) K(rt_lstm_f32_proj, rt_rnn_params)
#define RT_RNN_PARAMS_TYPES(P) P(rt_rnn_params, RT_RNN_PARAMS)
RT_RNN_KERNELS(RT_DECLARE_KERNEL)

#endif
