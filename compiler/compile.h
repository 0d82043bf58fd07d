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
/* Fails (ST_USAGE) when OUT.c, OUT.h or OUT.weights is the model file, or
 * two of them are one file. Call before compiling. */
status compile_check_outputs(const compile_options *o);
/* Writes OUT.c, OUT.h and OUT.weights (unless embedded) as one set: all go
 * to temporary files first and are renamed only when every one is written,
 * so a failure leaves the previous outputs as they were. */
status compile_write(const compile_options *o, compiled *c);
void compiled_free(compiled *c);

/* A C identifier from a file stem: "mobilenet-v2" -> "mobilenet_v2". */
char *c_identifier(const char *s);

#endif
