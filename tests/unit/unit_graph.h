/* Helpers for unit tests that build small graphs by hand. */
#ifndef ONNXCC_TEST_UNIT_GRAPH_H
#define ONNXCC_TEST_UNIT_GRAPH_H

#include <stdio.h>
#include <string.h>

#include "../../compiler/ir.h"
#include "../../compiler/kernel_table.h"
#include "../../compiler/load.h"
#include "../../compiler/passes/passes.h"

/* Appends an attribute `name` of `type`, all fields zero, to n. */
static inline ir_attr *unit_new_attr(ir_node *n, const char *name, int type) { return ir_attr_add(n, name, type); }

/* The same with the fields a test sets: i for INT, f for FLOAT, s for
 * STRING (copied; NULL: none). */
static inline void unit_add_attr(ir_node *n, const char *name, int type, int64_t i, float f, const char *s) {
  ir_attr *a = unit_new_attr(n, name, type);
  a->i = i;
  a->f = f;
  if (s) a->s = xstrdup(s);
}

/* Sorts g and runs the whole pipeline at -O1 on it. kernel (64 bytes) gets
 * the kernel the last lowered node runs ("" when everything folded), and
 * *low that node's lowering (NULL then). Returns the pipeline's status;
 * g stays the caller's to read and free. */
static inline status unit_run_pipeline(ir_graph *g, char *kernel, const struct lowered **low) {
  compile_options o;
  status s;
  int k;
  memset(&o, 0, sizeof o);
  o.opt_level = 1;
  kernel[0] = 0;
  if (low) *low = NULL;
  s = ir_toposort(g);
  if (!s) s = pipeline_run(g, &o, NULL);
  for (k = 0; !s && k < g->n_nodes; k++)
    if (g->nodes[k]->low) {
      snprintf(kernel, 64, "%s", kernel_get(g->nodes[k]->low->kernel)->name);
      if (low) *low = g->nodes[k]->low;
    }
  return s;
}

#endif
