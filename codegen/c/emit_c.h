/* The C backend: NAME.c, NAME.h and NAME.weights for a lowered, planned
 * graph. Each node becomes one call of its kernel variant with a static
 * const params struct. */
#ifndef ONNXCC_EMIT_C_H
#define ONNXCC_EMIT_C_H

#include "../../compiler/backend.h"
#include "../../compiler/plan.h"
#include "../text.h"

/* The backend table's hooks (compiler/backend.c). */
status emit_c_select(const ir_graph *g, ir_node *n);
size_t emit_c_scratch(const ir_graph *g, const ir_node *n);
status emit_c_emit(const backend_emit_args *a, file_set *set);

/* A name from the model as comment text: no comment closed or opened, no
 * line ended, printable ASCII only. */
void emit_c_comment_text(text *w, const char *s);

/* The two texts, for tests. */
void emit_c_header(const backend_emit_args *a, text *h);
void emit_c_source(const backend_emit_args *a, text *c);

#endif
