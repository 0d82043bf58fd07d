#include "plan.h"

#include <stdlib.h>
#include <string.h>

size_t plan_align(size_t n) { return (n + RT_ALIGN - 1) / RT_ALIGN * RT_ALIGN; }

/* One arena allocation: a tensor or a node's scratch. */
typedef struct block {
  size_t bytes;
  int first, last;   /* node steps during which it is live */
  int64_t *offset;   /* where to store the result */
} block;

static int by_size_desc(const void *a, const void *b) {
  const block *x = a, *y = b;
  if (x->bytes != y->bytes) return x->bytes < y->bytes ? 1 : -1;
  return x->first - y->first;
}

/* Greedy placement: each block goes at the lowest offset where it does not
 * overlap, in time and space, any block placed before it. */
static size_t place_blocks(block *b, int n) {
  int i, k;
  size_t total = 0;
  int *placed = xmalloc(sizeof(int) * (unsigned long)(n + 1));
  int n_placed = 0;
  qsort(b, (size_t)n, sizeof *b, by_size_desc);
  for (i = 0; i < n; i++) {
    size_t off = 0;
    int moved = 1;
    /* Repeat until a pass over the conflicting blocks moves nothing. */
    while (moved) {
      moved = 0;
      for (k = 0; k < n_placed; k++) {
        const block *o = &b[placed[k]];
        size_t ooff = (size_t)*o->offset;
        if (o->last < b[i].first || o->first > b[i].last) continue;
        if (off < ooff + o->bytes && ooff < off + b[i].bytes) {
          off = ooff + o->bytes;
          moved = 1;
        }
      }
    }
    *b[i].offset = (int64_t)off;
    placed[n_placed++] = i;
    if (off + b[i].bytes > total) total = off + b[i].bytes;
  }
  free(placed);
  return total;
}

status plan_build(ir_graph *g, plan *p) {
  int i, k, nb = 0;
  int *first, *last;
  block *blocks;
  size_t *live;
  status s;
  memset(p, 0, sizeof *p);
  ir_count_uses(g);
  p->low = xcalloc((unsigned long)g->n_nodes + 1, sizeof(lowered));
  p->scratch_offset = xmalloc(sizeof(int64_t) * (unsigned long)(g->n_nodes + 1));
  p->home = xcalloc((unsigned long)g->n_values + 1, sizeof(value_home));
  p->output_index = xmalloc(sizeof(int) * (unsigned long)(g->n_values + 1));
  for (i = 0; i < g->n_values; i++) p->output_index[i] = -1;

  for (i = 0; i < g->n_nodes; i++) {
    op_ctx c = {g, g->nodes[i], g->opset};
    p->scratch_offset[i] = -1;
    s = op_handler(c.n->op)->lower(&c, &p->low[i]);
    if (s) return s;
  }

  /* Homes. A graph output produced by a node is written straight into the
   * caller's buffer (the first time it is listed); constants and inputs
   * that are outputs are copied at the end of the run. */
  for (i = 0; i < g->n_values; i++) {
    ir_value *v = g->values[i];
    if (v->graph_input >= 0) p->home[i] = HOME_INPUT;
  }
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && g->values[n->in[k]]->t.data) p->home[n->in[k]] = HOME_WEIGHTS;
    for (k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) p->home[n->out[k]] = HOME_ARENA;
  }
  for (i = 0; i < g->n_outputs; i++) {
    int v = g->outputs[i];
    if (g->values[v]->t.data) p->home[v] = HOME_WEIGHTS;
    else if (p->home[v] == HOME_ARENA) {
      p->home[v] = HOME_OUTPUT;
      p->output_index[v] = i;
    }
  }

  /* Weight offsets, in order of first use. */
  for (i = 0; i < g->n_values; i++) {
    ir_value *v = g->values[i];
    if (p->home[i] != HOME_WEIGHTS) continue;
    v->offset = (int64_t)p->weights_bytes;
    p->weights_bytes += plan_align(tensor_bytes(&v->t));
  }

  /* Lifetimes in node steps. */
  first = xmalloc(sizeof(int) * (unsigned long)(g->n_values + 1));
  last = xmalloc(sizeof(int) * (unsigned long)(g->n_values + 1));
  for (i = 0; i < g->n_values; i++) first[i] = last[i] = -1;
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0 && first[n->out[k]] < 0) first[n->out[k]] = last[n->out[k]] = i;
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) last[n->in[k]] = i;
  }
  blocks = xcalloc((unsigned long)(g->n_values + g->n_nodes + 1), sizeof(block));
  for (i = 0; i < g->n_values; i++) {
    if (p->home[i] != HOME_ARENA) continue;
    blocks[nb].bytes = plan_align(tensor_bytes(&g->values[i]->t));
    blocks[nb].first = first[i];
    blocks[nb].last = last[i];
    blocks[nb].offset = &g->values[i]->offset;
    nb++;
  }
  for (i = 0; i < g->n_nodes; i++) {
    if (!p->low[i].scratch_bytes) continue;
    blocks[nb].bytes = plan_align(p->low[i].scratch_bytes);
    blocks[nb].first = blocks[nb].last = i;
    blocks[nb].offset = &p->scratch_offset[i];
    nb++;
  }
  /* The lower bound: the most bytes live at any one step. */
  live = xcalloc((unsigned long)g->n_nodes + 1, sizeof(size_t));
  for (i = 0; i < nb; i++)
    for (k = blocks[i].first; k <= blocks[i].last; k++) live[k] += blocks[i].bytes;
  for (i = 0; i < g->n_nodes; i++)
    if (live[i] > p->arena_lower_bound) p->arena_lower_bound = live[i];
  p->arena_bytes = place_blocks(blocks, nb);
  free(live);
  free(blocks);
  free(first);
  free(last);
  return ST_OK;
}

void plan_free(plan *p, int n_nodes) {
  int i;
  if (p->low)
    for (i = 0; i < n_nodes; i++) lowered_free(&p->low[i]);
  free(p->low);
  free(p->scratch_offset);
  free(p->home);
  free(p->output_index);
  memset(p, 0, sizeof *p);
}
