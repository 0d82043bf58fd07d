/* The C backend: writes NAME.c and NAME.h for a planned graph. */
#ifndef ONNXCC_EMIT_C_H
#define ONNXCC_EMIT_C_H

#include "../../compiler/options.h"
#include "../../compiler/plan.h"
#include "../text.h"
#include "../weights.h"

typedef struct emit_c_args {
  const ir_graph *g;
  const plan *p;
  const blob *weights;
  const char *name;          /* symbol prefix, a C identifier */
  const char *header_name;   /* what model.c #includes */
  const char *model_path;    /* for the banner */
  int embed_weights;
} emit_c_args;

void emit_c_header(const emit_c_args *a, text *h);
void emit_c_source(const emit_c_args *a, text *c);

#endif
