/* An If whose condition is a constant disappears at compile time: the
 * nodes of the branch it takes move into the enclosing graph (common once
 * dims are pinned: exporters test shapes and ranks with If).
 *
 * The branch's nodes are moved, not copied, so their own subgraphs come
 * along unchanged: a nested body's captures index its owner node's
 * inputs, which are renumbered here like every other input. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "../subgraph.h"
#include "passes.h"

/* The enclosing graph's value for branch value `id`, creating it on first
 * use: captures become the outer value they stand for, constants move
 * their data over, everything else gets a fresh value to be inferred. */
static int map_value(ir_graph *g, const ir_node *owner, ir_graph *b, int *map, int id) {
  ir_value *v;
  int to;
  if (id < 0) return -1;
  if (map[id] >= 0) return map[id];
  v = b->values[id];
  if (v->capture >= 0) {
    to = owner->in[v->capture];
  } else {
    ir_value *nv;
    to = ir_value_new(g, v->name);
    nv = g->values[to];
    if (v->t.data) { /* the data moves with its type */
      nv->t = v->t;
      nv->folded = v->folded;
      v->t.data = NULL;
    }
  }
  map[id] = to;
  return to;
}

/* Appends the taken branch's nodes and the Identity nodes to `order`. */
static void inline_one(ir_graph *g, ir_node *n, ir_graph *b, ir_node ***order, int *n_order, int *cap) {
  int *map = xmalloc(sizeof(int) * ((size_t)b->n_values + 1)), k, j;
  memset(map, -1, sizeof(int) * ((size_t)b->n_values + 1));
  for (k = 0; k < b->n_nodes + n->n_out; k++) {
    ir_node *m;
    if (k < b->n_nodes) {
      m = b->nodes[k];
      for (j = 0; j < m->n_in; j++) m->in[j] = map_value(g, n, b, map, m->in[j]);
      for (j = 0; j < m->n_out; j++) m->out[j] = map_value(g, n, b, map, m->out[j]);
      for (j = 0; j < m->n_attr; j++)
        if (m->attr[j].graph) m->attr[j].graph->parent = g;
    } else {
      /* the branch's results reach the If's outputs through Identity
       * nodes, which the elide pass removes */
      int out = n->out[k - b->n_nodes];
      if (out < 0) continue;
      m = ir_node_add(g, n->name, "Identity", ""); /* appended; `order` places it */
      m->op = OP_Identity;
      m->n_in = m->n_out = 1;
      m->in = xmalloc(sizeof(int));
      m->out = xmalloc(sizeof(int));
      m->in[0] = map_value(g, n, b, map, b->outputs[k - b->n_nodes]);
      m->out[0] = out;
    }
    if (*n_order == *cap) {
      *cap *= 2;
      *order = xrealloc(*order, sizeof **order * (size_t)*cap);
    }
    (*order)[(*n_order)++] = m;
  }
  b->n_nodes = 0; /* the nodes belong to g now */
  free(map);
}

int inline_constant_ifs(ir_graph *g) {
  int n_orig = g->n_nodes, cap = n_orig * 2 + 16, n_order = 0, inlined = 0, i;
  ir_node **order = xmalloc(sizeof *order * (size_t)cap);
  for (i = 0; i < n_orig; i++) {
    ir_node *n = g->nodes[i];
    const ir_value *cond = n->n_in > 0 ? ir_val(g, n->in[0]) : NULL;
    ir_graph *b = NULL;
    if (n->op == OP_If && !n->dead && cond && cond->t.data && cond->t.dtype == DT_BOOL && tensor_numel(&cond->t) == 1)
      b = ir_subgraph(n, ((const unsigned char *)cond->t.data)[0] ? "then_branch" : "else_branch");
    if (b && b->n_outputs == n->n_out) {
      inline_one(g, n, b, &order, &n_order, &cap);
      n->dead = 1;
      inlined++;
    }
    if (n_order == cap) {
      cap *= 2;
      order = xrealloc(order, sizeof *order * (size_t)cap);
    }
    order[n_order++] = n;
  }
  if (inlined) { /* every node of g (old, moved, new) is in `order` exactly once */
    if (n_order > g->cap_nodes) {
      g->cap_nodes = n_order;
      g->nodes = xrealloc(g->nodes, sizeof *g->nodes * (size_t)g->cap_nodes);
    }
    memcpy(g->nodes, order, sizeof *order * (size_t)n_order);
    g->n_nodes = n_order;
    ir_compact(g);
  }
  free(order);
  return inlined;
}
