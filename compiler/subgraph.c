#include "subgraph.h"

#include <string.h>

int ir_value_defined(const ir_value *v) {
  return v->t.data || v->graph_input >= 0 || v->producer >= 0 || v->capture >= 0;
}

int ir_resolve(ir_graph *g, const char *name) {
  int id = ir_find(g, name), outer;
  ir_value *v;
  ir_node *owner;
  if (id >= 0 && ir_value_defined(g->values[id])) return id;
  if (!g->parent || !g->owner) return -1;
  outer = ir_resolve(g->parent, name);
  if (outer < 0) return -1;
  owner = g->owner;
  owner->in = xrealloc(owner->in, sizeof(int) * (size_t)(owner->n_in + 1));
  owner->in[owner->n_in] = outer;
  id = ir_value_get(g, name);
  v = g->values[id];
  v->capture = owner->n_in++;
  owner->n_implicit++;
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

ir_graph *ir_subgraph(const ir_node *n, const char *name) {
  const ir_attr *a = ir_attr_find(n, name);
  return a && a->type == ATTR_GRAPH ? a->graph : NULL;
}

ir_value *ir_capture_source(const ir_graph *sub, const ir_value *v) {
  if (v->capture < 0 || !sub->owner || v->capture >= sub->owner->n_in) return NULL;
  return ir_val(sub->parent, sub->owner->in[v->capture]);
}
