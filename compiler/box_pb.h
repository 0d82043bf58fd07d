/* Sequence and optional values in files (ONNX's SequenceProto and
 * OptionalProto, as ONNX's test data stores them) and in the box layout
 * the generated code reads and writes (runtime/include/onnxcc/box.h):
 * what `onnxcc run` needs for graph inputs and outputs of those types. */
#ifndef ONNXCC_BOX_PB_H
#define ONNXCC_BOX_PB_H

#include <stddef.h>

#include "diag.h"
#include "ir.h"
#include "options.h"

/* OptionalProto / SequenceProto elem_type values (onnx-data.proto) */
#define PB_ELEM_TENSOR 1
#define PB_ELEM_SEQUENCE 3
#define PB_ELEM_MAP 4

typedef struct box_value {
  int kind;          /* ir_kind */
  int present;       /* 0: an empty optional */
  int n;             /* elements */
  ir_tensor *elems;  /* n of them, data owned */
} box_value;

void box_value_free(box_value *b);
/* Reads a SequenceProto (kind VK_SEQUENCE) or OptionalProto file.
 * Messages do not repeat the path (callers set it as the prefix). */
status box_read_file(const char *path, int kind, box_value *out);
/* Writes b as a SequenceProto or OptionalProto named `name`. */
status box_write_file(const char *path, const box_value *b, const char *name);
/* The size pin (options.h) a value read from a file gives its input:
 * kind, element count, rank, the largest dims and which of them differ. */
status box_pin(const box_value *b, pin *p);
/* b laid out as a box of type t (*bytes malloc'ed, *n bytes). */
status box_pack(const box_value *b, const ir_box_type *t, unsigned char **bytes, size_t *n);
/* The value in box bytes of type t (as the generated code wrote them). */
status box_unpack(const unsigned char *bytes, size_t n, const ir_box_type *t, box_value *out);

#endif
