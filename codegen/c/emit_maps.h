/* The C form of graph outputs that ONNX declares as sequences of maps
 * (ZipMap's): the output buffer holds the maps' values as a dense float
 * tensor, one row per map, and the keys every map shares are a constant
 * table NAME_outputK_keys[] (docs/api.md, "Map outputs"). */
#ifndef ONNXCC_EMIT_MAPS_H
#define ONNXCC_EMIT_MAPS_H

#include "../../compiler/ir.h"
#include "../text.h"

/* The header's part: a comment saying how to read each map output, its
 * key count and the table's declaration. `up` is NAME in capitals. */
void emit_maps_header(text *h, const ir_graph *g, const char *name, const char *up);
/* The source's part: the tables' definitions. */
void emit_maps_source(text *w, const ir_graph *g, const char *name);

#endif
