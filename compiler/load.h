/* Reads an ONNX model file into the IR. */
#ifndef ONNXCC_LOAD_H
#define ONNXCC_LOAD_H

#include "ir.h"
#include "options.h"

/* Highest default-domain opset the op handlers know. */
#define ONNXCC_MAX_OPSET 28
/* The newest ai.onnx.ml opset (that of the pinned onnx package). */
#define ONNXCC_MAX_OPSET_ML 5
/* The newest ai.onnx.preview.training opset (that of the pinned onnx package). */
#define ONNXCC_MAX_OPSET_TRAINING 1
/* The newest ai.onnx.preview opset (that of the pinned onnx package). */
#define ONNXCC_MAX_OPSET_PREVIEW 1
/* com.microsoft: its ops that onnxcc has (ops.def) are all version 1,
 * the version ONNX Runtime's quantizer imports. */
#define ONNXCC_MAX_OPSET_MS 1

/* Parses the model, converts initializers and graph inputs (pinning
 * symbolic dims from the options), creates nodes, checks that every op is
 * supported (listing all that are not in one message) and sorts the nodes
 * topologically. */
/* Sets the compilation's string slot size from o (--max-string-bytes):
 * load_model does it first; `onnxcc run` also before it reads input files. */
void load_set_string_bound(const compile_options *o);
status load_model(const compile_options *o, ir_graph **out);
/* The same from bytes in memory (o->model_path still names the file in
 * messages and locates external data). */
status load_model_buffer(const compile_options *o, const unsigned char *data, size_t size, ir_graph **out);

/* The kind (ir_kind, LOAD_KIND_MAP; -1: one onnxcc cannot hold) of each graph input fed
 * at run time, in order, without building the graph: `onnxcc run` reads
 * input files by it. *n gets the count (at most max); 0 when the model
 * does not parse (loading it reports why). */
void load_input_kinds(const char *model_path, int *kinds, int max, int *n);
/* load_input_kinds' kind of a map input (MapProto file), which the graph
 * holds as two inputs, keys and values (docs/api.md, "Map inputs"). */
#define LOAD_KIND_MAP 16

/* Sorts g->nodes topologically; reports cycles and dangling inputs. */
status ir_toposort(ir_graph *g);

#endif
