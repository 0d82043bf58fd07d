/* Map values in files (ONNX's MapProto, in a SequenceProto as ONNX's test
 * data and ONNX Runtime give ZipMap's output): what `onnxcc run` writes
 * for a graph output that ONNX declares as a sequence of maps. */
#ifndef ONNXCC_MAP_PB_H
#define ONNXCC_MAP_PB_H

#include "diag.h"
#include "ir.h"

/* Writes the float tensor t, [N, C] (N maps) or [C] (one map), as a
 * SequenceProto named `name` of MapProtos whose keys are k's C keys and
 * whose values are a SequenceProto of C scalar float tensors (what
 * onnx.numpy_helper.from_dict writes). */
status map_write_file(const char *path, const ir_tensor *t, const ir_map_keys *k, const char *name);

#endif
