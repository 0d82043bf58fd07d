/* Small helpers the rewriting passes share (fold_pad.c, matmul_add_gemm.c,
 * fold_bn.c, transpose.c, layout_nchwc.c, lift_1d.c): who reads a value,
 * constants, attributes, where new nodes go. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

ir_node *rw_sole_producer(const ir_graph *g, int v, int op) {
  const ir_value *val = ir_val(g, v);
  ir_node *p;
  /* ir_count_uses counts a graph output as a use: uses 1 is one reader */
  if (!val || val->producer < 0 || val->uses != 1 || val->t.data) return NULL;
  p = g->nodes[val->producer];
  if (p->dead || p->op != op) return NULL;
  return p;
}

const ir_value *rw_const(const ir_graph *g, const ir_node *n, int k, int dtype) {
  const ir_value *v = k < n->n_in ? ir_val(g, n->in[k]) : NULL;
  return v && v->t.data && v->t.dtype == dtype ? v : NULL;
}

int rw_all_zero(const ir_value *v) {
  const unsigned char *p = v->t.data;
  size_t i, n = (size_t)tensor_bytes(&v->t);
  for (i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

void rw_set_ints(ir_node *n, const char *name, const int64_t *v, int count) {
  ir_attr *a = (ir_attr *)ir_attr_find(n, name);
  if (a) {
    ir_attr_free(a);
    memset(a, 0, sizeof *a);
    a->name = xstrdup(name);
  } else {
    a = ir_attr_add(n, name, ATTR_INTS);
  }
  a->type = ATTR_INTS;
  a->n = count;
  a->ints = xmalloc(sizeof(int64_t) * (size_t)(count ? count : 1));
  memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
}

void rw_set_int(ir_node *n, const char *name, int64_t v) {
  ir_attr *a = (ir_attr *)ir_attr_find(n, name);
  if (!a) a = ir_attr_add(n, name, ATTR_INT);
  a->type = ATTR_INT;
  a->i = v;
}

void rw_set_input(ir_graph *g, ir_node *n, int k, int v) {
  if (n->n_in <= k) {
    int j;
    n->in = xrealloc(n->in, sizeof(int) * (size_t)(k + 1));
    for (j = n->n_in; j < k + 1; j++) n->in[j] = -1;
    n->n_in = k + 1;
  }
  if (n->in[k] >= 0) g->values[n->in[k]]->uses--;
  n->in[k] = v;
  if (v >= 0) g->values[v]->uses++;
}

void rw_set_op(ir_node *n, const char *op_type, int op) {
  free(n->op_type);
  n->op_type = xstrdup(op_type);
  n->op = op;
}

void rw_take_output(ir_graph *g, ir_node *n, int ni, ir_node *c) {
  g->values[n->out[0]]->producer = -1;
  n->out[0] = c->out[0];
  g->values[n->out[0]]->producer = ni;
  c->dead = 1;
}

int rw_new_const(ir_graph *g, int dtype, int rank, const int64_t *dims, const char *hint) {
  int id = ir_value_new(g, hint);
  ir_value *v = g->values[id];
  memset(&v->t, 0, sizeof v->t);
  v->t.dtype = dtype;
  v->t.rank = rank;
  if (rank) memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank);
  v->t.data = xcalloc(1, (size_t)tensor_bytes(&v->t) + 1);
  return id;
}

void rw_placer_init(rw_placer *p, const ir_graph *g) {
  memset(p, 0, sizeof *p);
  p->n_old = g->n_nodes;
}

void rw_placer_note(rw_placer *p, int after) {
  if (p->n_new == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 16;
    p->after = xrealloc(p->after, sizeof(int) * (size_t)p->cap);
  }
  p->after[p->n_new++] = after;
}

void rw_placer_finish(rw_placer *p, ir_graph *g) {
  const int total = g->n_nodes;
  ir_node **order;
  int *first, *next, *last;
  int i, k, m = 0;
  if (!p->n_new) {
    free(p->after);
    return;
  }
  order = xmalloc(sizeof(ir_node *) * (size_t)total);
  first = xmalloc(sizeof(int) * (size_t)(p->n_old + 2));
  last = xmalloc(sizeof(int) * (size_t)(p->n_old + 2));
  next = xmalloc(sizeof(int) * (size_t)p->n_new);
  /* a list of new nodes per slot: slot 0 the front, slot i + 1 after old node i */
  for (i = 0; i < p->n_old + 2; i++) first[i] = last[i] = -1;
  for (k = 0; k < p->n_new; k++) {
    const int slot = p->after[k] + 1;
    next[k] = -1;
    if (last[slot] < 0) first[slot] = k;
    else next[last[slot]] = k;
    last[slot] = k;
  }
  for (k = first[0]; k >= 0; k = next[k]) order[m++] = g->nodes[p->n_old + k];
  for (i = 0; i < p->n_old; i++) {
    order[m++] = g->nodes[i];
    for (k = first[i + 1]; k >= 0; k = next[k]) order[m++] = g->nodes[p->n_old + k];
  }
  memcpy(g->nodes, order, sizeof(ir_node *) * (size_t)total);
  free(order);
  free(first);
  free(next);
  free(last);
  free(p->after);
  memset(p, 0, sizeof *p);
}

void rw_kill(ir_graph *g, ir_node *n) {
  int k;
  for (k = 0; k < n->n_in; k++)
    if (n->in[k] >= 0) g->values[n->in[k]]->uses--;
  n->dead = 1;
}

void rw_set_float(ir_node *n, const char *name, float v) {
  ir_attr *a = (ir_attr *)ir_attr_find(n, name);
  if (!a) a = ir_attr_add(n, name, ATTR_FLOAT);
  a->type = ATTR_FLOAT;
  a->f = v;
}

status rw_each_node(ir_graph *g, int (*try_node)(ir_graph *g, ir_node *n)) {
  int i, changed = 0;
  ir_count_uses(g);
  for (i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) changed |= try_node(g, g->nodes[i]);
  if (changed) ir_compact(g);
  return ST_OK;
}
