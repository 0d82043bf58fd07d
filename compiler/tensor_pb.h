/* Conversion between ONNX TensorProto messages and ir_tensor. With load.c,
 * the only code that sees protobuf-c types. */
#ifndef ONNXCC_TENSOR_PB_H
#define ONNXCC_TENSOR_PB_H

#include "diag.h"
#include "ir.h"

struct Onnx__TensorProto;

/* Fills `out` (dtype, shape, data) from a TensorProto. `base_dir` resolves
 * external data; `what` names the tensor in messages. */
status tensor_from_proto(const struct Onnx__TensorProto *tp, const char *base_dir, ir_tensor *out,
                         const char *what);

/* Reads a TensorProto file; *name (malloc'ed) receives the tensor's name.
 * Messages do not repeat the path: callers make it the message prefix
 * with diag_set_file(path). */
status tensor_read_file(const char *path, ir_tensor *out, char **name);
/* Points tp's dims (at `dims`, IR_MAX_RANK values the caller keeps),
 * data type and raw_data at t: borrowed, except for the sub-byte types
 * (dtype_packed_bits), which are packed into a new buffer. tensor_proto_release frees
 * that buffer once tp is no longer needed. */
void tensor_proto_set(struct Onnx__TensorProto *tp, const ir_tensor *t, int64_t *dims);
void tensor_proto_release(struct Onnx__TensorProto *tp, const ir_tensor *t);
/* Writes a TensorProto file with raw_data. */
status tensor_write_file(const char *path, const ir_tensor *t, const char *name);

#endif
