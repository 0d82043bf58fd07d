/* ai.onnx.ml LabelEncoder with string keys or values (ml_strings.c); ml.c
 * hands such a node over, and keeps the numeric one. */
#ifndef ONNXCC_OPS_ML_STRINGS_H
#define ONNXCC_OPS_ML_STRINGS_H

#include "ops.h"

/* Whether the node's keys or values are strings. */
int le_has_strings(const op_ctx *c);
status le_strings_infer(op_ctx *c);
status le_strings_lower(op_ctx *c, lowered *l);

/* ml.c's reader of numeric keys or values (`kind` "keys" or "values"):
 * count, type in *dtype (0 when none or strings), values as doubles in
 * *out (malloc'ed). */
int le_list(const op_ctx *c, const char *kind, int *dtype, double **out);

#endif
