#include "plan_share.h"

#include <stdlib.h>

#include "checked.h"

/* Who lives where, as a forest: parent[v] is the value whose storage
 * holds v, within[v] bytes from its start; a root is its own parent. The
 * forest, not a flat root per value, because a Concat moves a whole
 * storage (every value in it) into its output: relinking one root is
 * constant work, where rewriting each member would be quadratic on a
 * chain of Concats that each take the previous one's output (densenet's
 * blocks, or a hostile graph of 10^5 of them). Paths are compressed as
 * they are walked. */
typedef struct sharing {
  int *parent;
  int64_t *within;
} sharing;

/* v's root, and v's byte offset inside it in *at. */
static int find_root(sharing *s, int v, int64_t *at) {
  int r = v, u = v;
  int64_t off = 0, rest;
  while (s->parent[r] != r) {
    off += s->within[r];
    r = s->parent[r];
  }
  /* point every value on the path straight at r */
  rest = off;
  while (s->parent[u] != u) {
    int next = s->parent[u];
    int64_t step = s->within[u];
    s->parent[u] = r;
    s->within[u] = rest;
    rest -= step;
    u = next;
  }
  *at = off;
  return r;
}

static int plain_static(const ir_value *v) { return v->box.kind == VK_TENSOR && !tensor_is_symbolic(&v->t); }

/* A Concat whose output can take its inputs in place: one that copies
 * (more than one input; one input is a view), in the main graph (a
 * subgraph's outputs are buffers its owner passes, kept out of this),
 * with exact shapes, whose output lands in the arena or a caller's output
 * buffer, and whose inputs are contiguous slices of that output: every
 * dim before the axis is 1 (`outer`, the kernel's own count of blocks),
 * so input k is the output's bytes [sum of bytes[j < k], + bytes[k]). */
static int concat_takes_inputs(const ir_graph *g, const plan *p, const ir_node *n) {
  const lowered *l = n->low;
  int y = n->out[0];
  if (p->gid || n->op != OP_Concat || l->kernel != K_rt_concat || l->n_binds || l->prepare >= 0) return 0;
  if (p->home[y] != HOME_ARENA && p->home[y] != HOME_OUTPUT) return 0;
  return plain_static(g->values[y]) && ((const rt_concat_params *)l->params)->outer == 1;
}

/* How many inputs, from input k on (which starts at byte `off` of the
 * output), tile one storage exactly: the storage r that holds input k at
 * its start, in the arena, made by a kernel of this graph (not a control
 * node, whose bodies write through pointers: kept out as well), whose
 * bytes inputs k, k+1, ... hold one after another from 0 to its end.
 * Usually r is input k alone (a Conv's output); it is several when r is
 * an earlier Concat's output that took them in place and whose inputs
 * this one repeats in the same order (densenet: each Concat of a block
 * starts with the previous one's inputs), and an in-place result when it
 * was written over r. Then the output's bytes [off, off + size of r) are
 * exactly r's, so r can move there whole. 0 if no run starts at k. */
static int run_to_place(const ir_graph *g, const plan *p, sharing *s, const ir_node *n, int k, int64_t off,
                        const int *first) {
  const rt_concat_params *cp = (const rt_concat_params *)n->low->params;
  int64_t at, pos = 0, size;
  int r, j;
  if (n->in[k] < 0) return 0;
  r = find_root(s, n->in[k], &at);
  if (at || r == n->out[0] || p->home[r] != HOME_ARENA || !plain_static(g->values[r])) return 0;
  if (first[r] < 0 || g->nodes[first[r]]->low->control) return 0;
  /* every tensor a kernel has seen so far starts at least this aligned
   * (the caller's buffers); keep it so, whatever a kernel assumes */
  if (off % RT_BUFFER_ALIGN) return 0;
  size = (int64_t)tensor_bytes(&g->values[r]->t);
  if (!size) return 0;
  for (j = k; j < n->n_in && pos < size; j++) {
    const ir_value *x = ir_val(g, n->in[j]);
    int64_t x_at;
    if (!x || !plain_static(x) || (int64_t)tensor_bytes(&x->t) != cp->bytes[j]) break;
    if (find_root(s, n->in[j], &x_at) != r || x_at != pos) break;
    pos += cp->bytes[j];
  }
  return pos == size ? j - k : 0;
}

/* Moves the storages that runs of input tile into node i's output (a
 * Concat that concat_takes_inputs), each at its slice; the storage then
 * lives from the first of them to the last read of any. Elides the node
 * when every input is in place. Left to right, so runs never overlap,
 * and a storage is moved only whole: the bytes of the output that no run
 * covers belong to the output alone, for the kernel to copy into. */
static void place_concat_inputs(const ir_graph *g, plan *p, sharing *s, int i, const int *first, int *class_first,
                                int *class_last) {
  const ir_node *n = g->nodes[i];
  const rt_concat_params *cp = (const rt_concat_params *)n->low->params;
  int y = n->out[0], k = 0, in_place = 1, run;
  int64_t off = 0, at;
  while (k < n->n_in) {
    run = run_to_place(g, p, s, n, k, off, first);
    if (run) {
      int r = find_root(s, n->in[k], &at);
      s->parent[r] = y;
      s->within[r] = off;
      if (class_first[r] < class_first[y]) class_first[y] = class_first[r];
      if (class_last[r] > class_last[y]) class_last[y] = class_last[r];
    } else {
      run = 1;
    }
    for (; run; run--, k++) off += cp->bytes[k];
  }
  for (k = 0, off = 0; k < n->n_in; off += cp->bytes[k++])
    if (n->in[k] < 0 || find_root(s, n->in[k], &at) != y || at != off) in_place = 0;
  if (in_place) p->elided[i] = 1;
}

/* One walk in node order. Every value starts as its own storage.
 *  - A view (low->view_of = k) joins its output to input k's storage, at
 *    input k's place in it, and its call disappears, unless the output
 *    must land in a caller's output buffer: then the copy kernel runs.
 *  - An in-place node (low->inplace_of = k) writes its output over input
 *    k when that storage is in the arena (never a caller's buffer or the
 *    weights), nothing reads it after this node (through any value stored
 *    there: a view of it, or another slice of the Concat output it is
 *    in), no other input of the node lives there, and the sizes match.
 *  - A Concat takes its inputs into its output (place_concat_inputs).
 * Each decision looks at the storages as the walk has made them, so a
 * later in-place write over a Concat's input sees the Concat's readers. */
status plan_share_storage(const ir_graph *g, plan *p, const int *first, const int *last, int *class_first,
                          int *class_last) {
  sharing s;
  int i, k;
  status st = ST_OK;
  s.parent = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  s.within = xcalloc((unsigned long)g->n_values + 1, sizeof(int64_t));
  for (i = 0; i < g->n_values; i++) {
    s.parent[i] = i;
    class_first[i] = first[i];
    class_last[i] = last[i];
  }
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    const lowered *l = n->low;
    int x, y, r = -1, share = 0;
    int64_t at = 0, other_at;
    if (n->n_out < 1 || (y = n->out[0]) < 0) continue;
    if (concat_takes_inputs(g, p, n)) {
      place_concat_inputs(g, p, &s, i, first, class_first, class_last);
      continue;
    }
    if (p->home[y] != HOME_ARENA) continue;
    if (l->view_of >= 0 && l->view_of < n->n_in && (x = n->in[l->view_of]) >= 0) {
      r = find_root(&s, x, &at);
      /* A view holds its input's bytes: with symbolic dims the two bounds
       * may differ (a -1 computed by floor division), the actual sizes
       * never do, so the input's storage always holds the view. */
      share = p->home[r] != HOME_NONE &&
              (tensor_is_symbolic(&g->values[x]->t) || tensor_is_symbolic(&g->values[y]->t) ||
               tensor_bytes(&g->values[x]->t) == tensor_bytes(&g->values[y]->t));
      if (share) p->elided[i] = 1;
    } else if (l->inplace_of >= 0 && l->inplace_of < n->n_in && (x = n->in[l->inplace_of]) >= 0) {
      r = find_root(&s, x, &at);
      share = p->home[r] == HOME_ARENA && class_last[r] <= i &&
              tensor_bytes(&g->values[x]->t) == tensor_bytes(&g->values[y]->t);
      for (k = 0; k < n->n_in && share; k++)
        if (k != l->inplace_of && n->in[k] >= 0 && n->in[k] != x && find_root(&s, n->in[k], &other_at) == r)
          share = 0;
    }
    if (!share) continue;
    s.parent[y] = r;
    s.within[y] = at;
    if (last[y] > class_last[r]) class_last[r] = last[y];
  }
  for (i = 0; i < g->n_values; i++) p->root[i] = find_root(&s, i, &p->root_offset[i]);
  /* A value must lie inside its root's bytes: a slice past the end would
   * overwrite a neighbour at run time, silently. (Symbolic sizes are
   * bounds, which a view may exceed; see above.) */
  for (i = 0; i < g->n_values && !st; i++) {
    const ir_value *v = g->values[i], *root = g->values[p->root[i]];
    int64_t end;
    if (p->root[i] == i || tensor_is_symbolic(&v->t) || tensor_is_symbolic(&root->t)) continue;
    if (p->root_offset[i] < 0 || !ck_add(p->root_offset[i], (int64_t)tensor_bytes(&v->t), &end) ||
        end > (int64_t)tensor_bytes(&root->t))
      st = diag_error(ST_INTERNAL, "the memory plan puts '%s' past the end of '%s'", v->name, root->name);
  }
  free(s.parent);
  free(s.within);
  return st;
}
