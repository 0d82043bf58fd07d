/* Helpers for unit tests that build small graphs by hand. */
#ifndef ONNXCC_TEST_UNIT_GRAPH_H
#define ONNXCC_TEST_UNIT_GRAPH_H

#include <string.h>

#include "../../compiler/ir.h"

/* Appends attribute `name` of `type` to n with the fields a test sets:
 * i for INT, f for FLOAT, s for STRING (copied; NULL: none). */
static inline void unit_add_attr(ir_node *n, const char *name, int type, int64_t i, float f, const char *s) {
  ir_attr *a;
  n->attr = xrealloc(n->attr, sizeof(ir_attr) * (size_t)(n->n_attr + 1));
  a = &n->attr[n->n_attr++];
  memset(a, 0, sizeof *a);
  a->name = xstrdup(name);
  a->type = type;
  a->i = i;
  a->f = f;
  if (s) a->s = xstrdup(s);
}

#endif
