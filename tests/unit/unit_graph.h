/* Helpers for unit tests that build small graphs by hand. */
#ifndef ONNXCC_TEST_UNIT_GRAPH_H
#define ONNXCC_TEST_UNIT_GRAPH_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Graphs for the passes' before/after tests (all float). */
/* Value `name` of the given shape: a graph input, or (constant) a
 * constant filled with a fixed pattern. */
static inline int unit_value(ir_graph *g, const char *name, int rank, const int64_t *dims, int constant) {
  int id = ir_value_get(g, name), i;
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = rank;
  if (rank > 0) memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank); /* a scalar may pass NULL dims */
  if (constant) {
    const int64_t n = tensor_numel(&v->t);
    v->t.data = xmalloc(sizeof(float) * (size_t)n);
    for (i = 0; i < n; i++) ((float *)v->t.data)[i] = (float)((i * 7) % 11) / 8.0f - 0.6f;
  } else {
    v->graph_input = g->n_inputs;
    g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    g->inputs[g->n_inputs++] = id;
  }
  return id;
}

static inline void unit_output(ir_graph *g, const char *name) {
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = ir_value_get(g, name);
}

/* A constant int64 vector `name` of n elements. */
static inline int unit_int64s(ir_graph *g, const char *name, int n, const int64_t *vals) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = DT_INT64;
  v->t.rank = 1;
  v->t.dims[0] = n;
  v->t.data = xmalloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  memcpy(v->t.data, vals, sizeof(int64_t) * (size_t)n);
  return id;
}

/* unit_node(g, "Add", "y", 2, "a", "b"): n_in input names, NULL for absent. */
static inline ir_node *unit_node(ir_graph *g, const char *op, const char *out, int n_in, ...) {
  ir_node *n = ir_node_add(g, out, op, "");
  va_list ap;
  int k;
  n->n_in = n_in;
  n->in = xmalloc(sizeof(int) * (size_t)n_in);
  va_start(ap, n_in);
  for (k = 0; k < n_in; k++) {
    const char *name = va_arg(ap, const char *);
    n->in[k] = name ? ir_value_get(g, name) : -1;
  }
  va_end(ap);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, out);
  return n;
}

static inline void unit_op_sequence(const ir_graph *g, char *buf, size_t size) {
  int i;
  buf[0] = 0;
  for (i = 0; i < g->n_nodes; i++) {
    if (i) strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, g->nodes[i]->op_type, size - strlen(buf) - 1);
  }
}

/* Sorts g, asserts its op sequence is want_before, infers it, runs
 * `pass` and ir_verify, and asserts the sequence is then want_after. */
static inline void unit_check_pass(ir_graph *g, status (*pass)(ir_graph *), const char *want_before,
                                   const char *want_after) {
  char seq[512];
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, want_before);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(pass(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "the pass", 1), ST_OK);
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, want_after);
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
