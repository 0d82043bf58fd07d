/* Topological sort of the loaded graph (Kahn's algorithm), in time linear
 * in nodes plus edges.
 *
 * Graphs from hostile or simply large models have 10^5 nodes and more, so
 * nothing here may rescan the node list per node: the producer of every
 * value and the consumers of every node are indexed once (CSR arrays), and
 * each edge is looked at a constant number of times. */
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* Per-graph indices the sort works on. */
typedef struct topo {
  int n;
  int *producer;   /* per value: producing node, or -1 */
  int *pending;    /* per node: inputs whose producer has not run yet */
  int *cons_start; /* per node + 1: start of its consumers in cons */
  int *cons;       /* consumer node of each edge, grouped by producer */
} topo;

static void topo_free(topo *t) {
  free(t->producer);
  free(t->pending);
  free(t->cons_start);
  free(t->cons);
}

static int is_source(const ir_value *v) { return v->t.data || v->graph_input >= 0; }

/* Fills t->producer; an output produced twice, or also given as an
 * initializer or graph input, is an error. */
static status index_producers(const ir_graph *g, topo *t) {
  int i, k;
  for (i = 0; i < g->n_values; i++) t->producer[i] = -1;
  for (i = 0; i < t->n; i++)
    for (k = 0; k < g->nodes[i]->n_out; k++) {
      int v = g->nodes[i]->out[k];
      if (v < 0) continue;
      if (t->producer[v] >= 0 || is_source(g->values[v]))
        return diag_node_error(ST_BAD_MODEL, g->nodes[i], "output '%s' is already produced elsewhere in the graph",
                               g->values[v]->name);
      t->producer[v] = i;
    }
  return ST_OK;
}

/* Counts each node's pending inputs, reports dangling inputs, and builds the
 * consumer lists. Consumers are appended in node order, so each list is
 * sorted by node index: nodes that become ready together are queued in file
 * order, as a full rescan would queue them. */
static status index_consumers(const ir_graph *g, topo *t) {
  int i, k, n_edges = 0;
  for (i = 0; i < t->n; i++) {
    const ir_node *nd = g->nodes[i];
    for (k = 0; k < nd->n_in; k++) {
      int v = nd->in[k];
      if (v < 0) continue;
      if (t->producer[v] >= 0) {
        t->pending[i]++;
        t->cons_start[t->producer[v] + 1]++;
        n_edges++;
      } else if (!is_source(g->values[v])) {
        return diag_node_error(ST_BAD_MODEL, nd,
                               "input '%s' is not produced by any node, nor a graph input or initializer",
                               g->values[v]->name);
      }
    }
  }
  for (i = 0; i < t->n; i++) t->cons_start[i + 1] += t->cons_start[i];
  t->cons = xmalloc(sizeof(int) * ((unsigned long)n_edges + 1));
  {
    int *fill = xmalloc(sizeof(int) * ((unsigned long)t->n + 1));
    memcpy(fill, t->cons_start, sizeof(int) * (size_t)t->n);
    for (i = 0; i < t->n; i++)
      for (k = 0; k < g->nodes[i]->n_in; k++) {
        int v = g->nodes[i]->in[k];
        if (v >= 0 && t->producer[v] >= 0) t->cons[fill[t->producer[v]]++] = i;
      }
    free(fill);
  }
  return ST_OK;
}

/* Kahn's algorithm: fills order[] and returns how many nodes were sorted
 * (fewer than n when there is a cycle). */
static int kahn(const topo *t, int *order) {
  int i, head = 0, tail = 0;
  for (i = 0; i < t->n; i++)
    if (!t->pending[i]) order[tail++] = i;
  while (head < tail) {
    int u = order[head++], e;
    for (e = t->cons_start[u]; e < t->cons_start[u + 1]; e++)
      if (--t->pending[t->cons[e]] == 0) order[tail++] = t->cons[e];
  }
  return tail;
}

static status check_outputs(const ir_graph *g, const topo *t) {
  int i;
  for (i = 0; i < g->n_outputs; i++) {
    const ir_value *v = g->values[g->outputs[i]];
    if (t->producer[g->outputs[i]] < 0 && !is_source(v))
      return diag_error(ST_BAD_MODEL, "graph output '%s' is not produced by any node", v->name);
  }
  return ST_OK;
}

status ir_toposort(ir_graph *g) {
  topo t;
  int *order = NULL, i;
  status s;
  memset(&t, 0, sizeof t);
  t.n = g->n_nodes;
  t.producer = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  t.pending = xcalloc((unsigned long)t.n + 1, sizeof(int));
  t.cons_start = xcalloc((unsigned long)t.n + 2, sizeof(int));
  s = index_producers(g, &t);
  if (!s) s = index_consumers(g, &t);
  if (!s) {
    order = xmalloc(sizeof(int) * ((unsigned long)t.n + 1));
    if (kahn(&t, order) < t.n) {
      for (i = 0; i < t.n; i++)
        if (t.pending[i]) break;
      s = diag_node_error(ST_BAD_MODEL, g->nodes[i], "the graph has a cycle through this node");
    }
  }
  if (!s && t.n > 0) {
    /* Permute the node pointers; with no nodes there is nothing to copy
     * (and memcpy must not see the NULL list). */
    ir_node **sorted = xmalloc(sizeof(ir_node *) * (size_t)t.n);
    for (i = 0; i < t.n; i++) sorted[i] = g->nodes[order[i]];
    memcpy(g->nodes, sorted, sizeof(ir_node *) * (size_t)t.n);
    free(sorted);
  }
  if (!s) s = check_outputs(g, &t);
  if (!s) ir_count_uses(g);
  free(order);
  topo_free(&t);
  return s;
}
