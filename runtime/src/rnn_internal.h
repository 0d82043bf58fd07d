/* The LSTM cell's elementwise part, which the float LSTM (rnn.c) and
 * DynamicQuantizeLSTM (dqlstm.c) share: both differ only in how they get
 * the gate pre-activations. */
#ifndef ONNXCC_RNN_INTERNAL_H
#define ONNXCC_RNN_INTERNAL_H

#include <stdint.h>

/* From the pre-activations g = [i, o, f, c] (4*H, overwritten) of one
 * batch row, its previous cell state c and the peepholes Pp ([i, o, f],
 * 3*H, or NULL), the new c and h (both updated in place): peepholes,
 * clipping to [-clip, clip] with has_clip, sigmoid / tanh activations,
 * input_forget (f = 1 - i). */
void rt_lstm_cell_f32(int has_clip, float clip, int input_forget, float *g, const float *Pp, float *h, float *c,
                      int64_t H);
void rt_lstm_cell_f64(int has_clip, double clip, int input_forget, double *g, const double *Pp, double *h,
                      double *c, int64_t H);
/* The same for n consecutive hidden units of a row: g's four gates gs
 * floats apart, Pp's three ps apart (both from the first unit), h written
 * (not read), c updated. Each unit's result is the same as in the whole
 * row's call: the split LSTM steps of rnn_proj.c run it on ranges. */
void rt_lstm_cell_span_f32(int has_clip, float clip, int input_forget, float *g, int64_t gs, const float *Pp,
                           int64_t ps, float *h, float *c, int64_t n);
void rt_lstm_cell_span_f64(int has_clip, double clip, int input_forget, double *g, int64_t gs, const double *Pp,
                           int64_t ps, double *h, double *c, int64_t n);

#endif
