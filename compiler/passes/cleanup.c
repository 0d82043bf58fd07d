/* Passes that remove nodes: elide (Identity, inference Dropout) and dead
 * code elimination. */
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

static int is_graph_output(const ir_graph *g, int v) {
  int i;
  for (i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == v) return 1;
  return 0;
}

/* A node is a pass-through when its first output equals its first input
 * and nothing reads its other outputs. */
static int is_passthrough(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->op == OP_Identity) return n->n_in == 1 && n->n_out == 1;
  if (n->op != OP_Dropout) return 0;
  /* Dropout in inference mode; a training_mode input must be constant false. */
  if (n->n_in >= 3 && n->in[2] >= 0) {
    const ir_value *t = g->values[n->in[2]];
    if (!t->t.data || tensor_int(&t->t, 0) != 0) return 0;
  }
  for (k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0 && g->values[n->out[k]]->uses > 0) return 0;
  return n->n_out >= 1;
}

status pass_elide(ir_graph *g) {
  int i, k;
  ir_count_uses(g);
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int x, y;
    if (!is_passthrough(g, n) || n->in[0] < 0 || n->out[0] < 0) continue;
    x = n->in[0];
    y = n->out[0];
    if (!is_graph_output(g, y)) {
      ir_replace_uses(g, y, x);
      n->dead = 1;
      continue;
    }
    /* y is a graph output and must keep its name: let x's producer write y
     * directly, when x is an ordinary intermediate. */
    if (g->values[x]->producer >= 0 && !is_graph_output(g, x)) {
      ir_node *p = g->nodes[g->values[x]->producer];
      ir_replace_uses(g, x, y);
      for (k = 0; k < p->n_out; k++)
        if (p->out[k] == x) p->out[k] = y;
      n->dead = 1;
      ir_count_uses(g);
    }
  }
  ir_compact(g);
  return ST_OK;
}

status pass_dce(ir_graph *g) {
  int i, k, changed = 1;
  ir_count_uses(g);
  while (changed) {
    changed = 0;
    for (i = g->n_nodes - 1; i >= 0; i--) {
      ir_node *n = g->nodes[i];
      int used = 0;
      if (n->dead) continue;
      for (k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0 && g->values[n->out[k]]->uses > 0) used = 1;
      if (used) continue;
      n->dead = 1;
      changed = 1;
      for (k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0) g->values[n->in[k]]->uses--;
    }
  }
  ir_compact(g);
  return ST_OK;
}
