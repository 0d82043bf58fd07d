/* What the recurrent family (rnn.c) shares with DynamicQuantizeLSTM
 * (dqlstm.c): the checks of LSTM's inputs and attributes, and the output
 * shapes. */
#ifndef ONNXCC_RNN_COMMON_H
#define ONNXCC_RNN_COMMON_H

#include "ops.h"

/* The shape of a recurrent node, checked against its inputs. */
typedef struct rnn_shape {
  int64_t seq, batch, input, hidden;
  int dirs, reverse, layout;
} rnn_shape;

/* Checks the node's inputs 0..7 and attributes (direction, layout,
 * hidden_size, activations, clip) and fills sh. */
status rnn_shape_of(const op_ctx *c, rnn_shape *sh);

/* Y, Y_h (and for LSTMs Y_c), as the node's shape says. */
status rnn_infer(op_ctx *c);

#endif
