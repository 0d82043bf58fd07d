/* One compilation, from model file to the graph, plan and output files.
 * Used by the CLI's compile, run and info commands. */
#ifndef ONNXCC_COMPILE_H
#define ONNXCC_COMPILE_H

#include <stdio.h>

#include "../codegen/weights.h"
#include "options.h"
#include "passes/passes.h"
#include "plan.h"

typedef struct compiled {
  ir_graph *g;
  plan p;
  blob weights;
} compiled;

/* Loads, runs the passes and plans. `log` may be NULL. */
status compile_graph(const compile_options *o, const pipeline_log *log, compiled *out);
/* Writes OUT.c, OUT.h and OUT.weights (unless embedded), atomically:
 * either every file is written or none is left behind. */
status compile_write(const compile_options *o, compiled *c);
void compiled_free(compiled *c);

/* A C identifier from a file stem: "mobilenet-v2" -> "mobilenet_v2". */
char *c_identifier(const char *s);

#endif
