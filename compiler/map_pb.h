/* Map values in files (ONNX's MapProto, in a SequenceProto as ONNX's test
 * data and ONNX Runtime give ZipMap's output): what `onnxcc run` writes
 * for a graph output that ONNX declares as a sequence of maps, and reads
 * for a map input. */
#ifndef ONNXCC_MAP_PB_H
#define ONNXCC_MAP_PB_H

#include "diag.h"
#include "ir.h"

/* Writes the float tensor t, [N, C] (N maps) or [C] (one map), as a
 * SequenceProto named `name` of MapProtos whose keys are k's C keys and
 * whose values are a SequenceProto of C scalar float tensors (what
 * onnx.numpy_helper.from_dict writes). */
status map_write_file(const char *path, const ir_tensor *t, const ir_map_keys *k, const char *name);

/* Reads a MapProto file into its keys (int64 or string, [n]) and values
 * ([n]: the SequenceProto's tensors, scalars or 1-D, one after another),
 * data owned by the caller (also after an error: free both). Messages
 * do not repeat the path. */
status map_read_file(const char *path, ir_tensor *keys, ir_tensor *values);

#endif
