/* Passes that remove nodes: elide (Identity, inference Dropout, a Pad
 * that adds nothing) and dead code elimination. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* A Pad whose amounts are all a constant 0: its output is its input, in
 * any mode and with any value (torchvision's densenet121 exports one
 * before each transition's AveragePool, which copied 0.1 ms of data). */
static int pad_adds_nothing(const ir_graph *g, const ir_node *n) {
  const int64_t opset = op_node_opset(g, n);
  const int64_t *amounts;
  const ir_value *pv;
  int k, count;
  if (n->n_in < 1 || n->n_out != 1) return 0;
  if (opset < 11) {
    count = attr_ints(n, opset < 2 ? "paddings" : "pads", &amounts);
    for (k = 0; k < count; k++)
      if (amounts[k] != 0) return 0;
    return count > 0;
  }
  pv = n->n_in > 1 && n->in[1] >= 0 ? rw_const(g, n, 1, DT_INT64) : NULL;
  return pv && tensor_numel(&pv->t) > 0 && rw_all_zero(pv);
}

/* A node is a pass-through when its first output equals its first input
 * and nothing reads its other outputs. */
static int is_passthrough(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->op == OP_Identity) return n->n_in == 1 && n->n_out == 1;
  if (n->op == OP_Pad) return pad_adds_nothing(g, n);
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

/* Elide rewrites uses through a map instead of calling ir_replace_uses per
 * removed node, which would make a chain of 10^5 Identity nodes quadratic.
 * rep[v] is the value that stands for v (v itself when it stands); reads
 * follow the chain with path halving. Every node's inputs are rewritten
 * when the walk reaches it, and all of them once more at the end, for
 * nodes visited before a later rewrite. */
typedef struct elide_state {
  int *rep;
  char *is_output; /* per value: listed as a graph output (fixed in this pass) */
} elide_state;

static int rep_find(int *rep, int v) {
  while (v >= 0 && rep[v] != v) {
    rep[v] = rep[rep[v]];
    v = rep[v];
  }
  return v;
}

static void rewrite_inputs(ir_node *n, int *rep) {
  int k;
  for (k = 0; k < n->n_in; k++) n->in[k] = rep_find(rep, n->in[k]);
}

/* Removes pass-through node n (input x, output y). Use counts and
 * producers are kept exact as values merge, so later nodes see the graph as
 * it is after the removal. */
static void elide_node(ir_graph *g, elide_state *st, ir_node *n) {
  int x = n->in[0], y = n->out[0], k;
  ir_value *vx = g->values[x], *vy = g->values[y];
  if (!st->is_output[y]) {
    /* y's readers read x instead */
    st->rep[y] = x;
    vx->uses += vy->uses - 1;
    n->dead = 1;
    return;
  }
  /* y is a graph output and must keep its name: let x's producer write y
   * directly, when x is an ordinary intermediate. */
  if (vx->producer >= 0 && !st->is_output[x]) {
    ir_node *p = g->nodes[vx->producer];
    for (k = 0; k < p->n_out; k++)
      if (p->out[k] == x) p->out[k] = y;
    st->rep[x] = y;
    vy->uses += vx->uses - 1;
    vy->producer = vx->producer;
    vx->uses = 0;
    vx->producer = -1;
    n->dead = 1;
  }
}

status pass_elide(ir_graph *g) {
  elide_state st;
  int i;
  ir_count_uses(g);
  st.rep = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  st.is_output = xcalloc((unsigned long)g->n_values + 1, 1);
  for (i = 0; i < g->n_values; i++) st.rep[i] = i;
  for (i = 0; i < g->n_outputs; i++) st.is_output[g->outputs[i]] = 1;
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    rewrite_inputs(n, st.rep);
    if (!is_passthrough(g, n) || n->in[0] < 0 || n->out[0] < 0) continue;
    elide_node(g, &st, n);
  }
  for (i = 0; i < g->n_nodes; i++) rewrite_inputs(g->nodes[i], st.rep);
  for (i = 0; i < g->n_outputs; i++) g->outputs[i] = rep_find(st.rep, g->outputs[i]);
  free(st.rep);
  free(st.is_output);
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
