#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "ops/ops.h"
#include "plan_share.h"

size_t plan_align(size_t n) { return (n + RT_ALIGN - 1) / RT_ALIGN * RT_ALIGN; }

/* ---- Placement ----
 *
 * Two placers, both exact about conflicts (no two blocks live at one step
 * share a byte):
 *
 * - By size: largest block first, each at the lowest offset clear of the
 *   blocks already placed whose lifetimes overlap its own. This reaches the
 *   lower bound on the real models we test (resnet50, inception, vgg...).
 *   An interval index over steps finds the overlapping placed blocks, so the
 *   cost is O((n + pairs) log n), where `pairs` counts pairs of blocks with
 *   overlapping lifetimes. Real graphs have few tensors live at once, so
 *   pairs is a small multiple of n; a hostile one (10^5 parallel Relu all
 *   live until a chain of Adds sums them) has n^2/2 of them.
 *
 * - In time order: a simulated malloc/free, first fit, over the steps.
 *   O(n log n) whatever the graph (a treap of free gaps), slightly worse
 *   packing in general.
 *
 * plan_place runs the size placer only when pairs is below a budget, always
 * runs the time placer, and keeps the smaller arena. */

/* Above this many overlapping pairs the size placer would take seconds. */
#define PLACE_BY_SIZE_MAX_PAIRS ((int64_t)1 << 23)

/* Pairs of non-empty blocks whose lifetimes overlap: at each step, the
 * blocks starting there meet each other and every block started earlier
 * and still live. */
static int64_t overlapping_pairs(const plan_block *b, int n, int n_steps) {
  int64_t *starts = xcalloc((unsigned long)n_steps + 2, sizeof(int64_t));
  int64_t *delta = xcalloc((unsigned long)n_steps + 2, sizeof(int64_t));
  int64_t pairs = 0, older = 0;
  int i, t;
  for (i = 0; i < n; i++) {
    if (!b[i].bytes) continue;
    starts[b[i].first]++;
    /* live and started before step t for first < t <= last */
    delta[b[i].first + 1]++;
    delta[b[i].last + 1]--;
  }
  for (t = 0; t < n_steps; t++) {
    older += delta[t];
    pairs += starts[t] * older + starts[t] * (starts[t] - 1) / 2;
    if (pairs > PLACE_BY_SIZE_MAX_PAIRS) break; /* enough to decide */
  }
  free(starts);
  free(delta);
  return pairs;
}

/* -- Interval index for the size placer --
 * A segment tree over steps. A placed block is stored (1) in the cover
 * lists of the O(log n) tree nodes that exactly tile its lifetime, and (2)
 * in the list of blocks starting at its first step, with per-node counts of
 * such starts. The placed blocks overlapping [a, b] are those live at step
 * a (the cover lists on the path from leaf a to the root) plus those
 * starting in (a, b] (a descent that skips subtrees with no starts); no
 * block is found twice. */
typedef struct interval_index {
  int size;                /* leaves: a power of two >= n_steps */
  int *cover_head;         /* per tree node: first cover entry, -1 if none */
  int *entry_block, *entry_next;
  int n_entries, cap_entries;
  int *start_head;         /* per step: a placed block starting there, -1 */
  int *start_next;         /* per block: next block with the same start */
  int *start_count;        /* per tree node: placed blocks starting below */
} interval_index;

static void index_init(interval_index *x, int n_blocks, int n_steps) {
  memset(x, 0, sizeof *x);
  x->size = 1;
  while (x->size < n_steps) x->size *= 2;
  x->cover_head = xmalloc(sizeof(int) * 2 * (unsigned long)x->size);
  memset(x->cover_head, -1, sizeof(int) * 2 * (size_t)x->size);
  x->start_head = xmalloc(sizeof(int) * (unsigned long)x->size);
  memset(x->start_head, -1, sizeof(int) * (size_t)x->size);
  x->start_next = xmalloc(sizeof(int) * ((unsigned long)n_blocks + 1));
  x->start_count = xcalloc(2 * (unsigned long)x->size, sizeof(int));
}

static void index_free(interval_index *x) {
  free(x->cover_head);
  free(x->entry_block);
  free(x->entry_next);
  free(x->start_head);
  free(x->start_next);
  free(x->start_count);
}

static void cover_add(interval_index *x, int node, int block) {
  if (x->n_entries == x->cap_entries) {
    x->cap_entries = x->cap_entries ? x->cap_entries * 2 : 1024;
    x->entry_block = xrealloc(x->entry_block, sizeof(int) * (unsigned long)x->cap_entries);
    x->entry_next = xrealloc(x->entry_next, sizeof(int) * (unsigned long)x->cap_entries);
  }
  x->entry_block[x->n_entries] = block;
  x->entry_next[x->n_entries] = x->cover_head[node];
  x->cover_head[node] = x->n_entries++;
}

static void index_insert(interval_index *x, int block, int first, int last) {
  int lo = first + x->size, hi = last + x->size + 1, p;
  for (; lo < hi; lo >>= 1, hi >>= 1) {
    if (lo & 1) cover_add(x, lo++, block);
    if (hi & 1) cover_add(x, --hi, block);
  }
  x->start_next[block] = x->start_head[first];
  x->start_head[first] = block;
  for (p = first + x->size; p; p >>= 1) x->start_count[p]++;
}

/* Growable list of the blocks a query found. */
typedef struct found {
  int *block;
  int n, cap;
} found;

static void found_push(found *f, int block) {
  if (f->n == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 64;
    f->block = xrealloc(f->block, sizeof(int) * (unsigned long)f->cap);
  }
  f->block[f->n++] = block;
}

/* Blocks starting in [a, b] under tree node `node`, which spans [lo, hi]. */
static void collect_starts(const interval_index *x, int node, int lo, int hi, int a, int b, found *f) {
  int mid, k;
  if (hi < a || lo > b || !x->start_count[node]) return;
  if (lo == hi) {
    for (k = x->start_head[lo]; k >= 0; k = x->start_next[k]) found_push(f, k);
    return;
  }
  mid = lo + (hi - lo) / 2;
  collect_starts(x, 2 * node, lo, mid, a, b, f);
  collect_starts(x, 2 * node + 1, mid + 1, hi, a, b, f);
}

static void index_query(const interval_index *x, int first, int last, found *f) {
  int p, e;
  f->n = 0;
  for (p = first + x->size; p; p >>= 1)
    for (e = x->cover_head[p]; e >= 0; e = x->entry_next[e]) found_push(f, x->entry_block[e]);
  if (last > first) collect_starts(x, 1, 0, x->size - 1, first + 1, last, f);
}

static const plan_block *sort_blocks; /* qsort has no context argument */

static int by_size_desc(const void *a, const void *b) {
  const plan_block *x = &sort_blocks[*(const int *)a], *y = &sort_blocks[*(const int *)b];
  if (x->bytes != y->bytes) return x->bytes < y->bytes ? 1 : -1;
  if (x->first != y->first) return x->first - y->first;
  return *(const int *)a - *(const int *)b;
}

static int by_offset(const void *a, const void *b) {
  const plan_block *x = &sort_blocks[*(const int *)a], *y = &sort_blocks[*(const int *)b];
  if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
  return 0;
}

/* The lowest offset for `need` bytes clear of the blocks in f (sorted by
 * offset): walk up past each one that collides. 0 on overflow. */
static int lowest_fit(const plan_block *b, const found *f, int64_t need, int64_t *off) {
  int k;
  *off = 0;
  for (k = 0; k < f->n; k++) {
    const plan_block *o = &b[f->block[k]];
    int64_t end;
    if (!ck_add(*off, need, &end)) return 0;
    if (o->offset >= end) break; /* the gap below o is big enough */
    if (!ck_add(o->offset, o->bytes, &end)) return 0;
    if (end > *off) *off = end;
  }
  return 1;
}

static status place_by_size(plan_block *b, int n, int n_steps, int64_t *out, int64_t *total) {
  int *order = xmalloc(sizeof(int) * ((unsigned long)n + 1));
  interval_index x;
  found f = {0};
  int i;
  status s = ST_OK;
  *total = 0;
  for (i = 0; i < n; i++) order[i] = i;
  sort_blocks = b;
  qsort(order, (size_t)n, sizeof *order, by_size_desc);
  index_init(&x, n, n_steps);
  for (i = 0; i < n && !s; i++) {
    plan_block *c = &b[order[i]];
    int64_t end;
    if (!c->bytes) { /* takes no room: never collides */
      out[order[i]] = 0;
      continue;
    }
    index_query(&x, c->first, c->last, &f);
    /* the found blocks' offsets are final; sort them through b */
    if (f.n > 1) qsort(f.block, (size_t)f.n, sizeof *f.block, by_offset);
    if (!lowest_fit(b, &f, c->bytes, &c->offset) || !ck_add(c->offset, c->bytes, &end))
      s = diag_error(ST_UNSUPPORTED, "the arena would exceed 2^63 bytes");
    else if (end > *total)
      *total = end;
    out[order[i]] = c->offset;
    index_insert(&x, order[i], c->first, c->last);
  }
  free(f.block);
  index_free(&x);
  free(order);
  return s;
}

/* -- Free gaps for the time placer: a treap keyed by offset, each node
 * knowing the longest gap in its subtree, so first fit is one descent. -- */
typedef struct gap {
  int64_t off, len, max_len;
  uint32_t prio;
  int left, right; /* 0: none (node 0 is unused) */
} gap;

typedef struct gap_set {
  gap *g;
  int n, cap, root, free_list;
  uint32_t seed;
} gap_set;

static void gap_update(gap_set *s, int t) {
  gap *n = &s->g[t];
  n->max_len = n->len;
  if (n->left && s->g[n->left].max_len > n->max_len) n->max_len = s->g[n->left].max_len;
  if (n->right && s->g[n->right].max_len > n->max_len) n->max_len = s->g[n->right].max_len;
}

static int gap_new(gap_set *s, int64_t off, int64_t len) {
  int t;
  if (s->free_list) {
    t = s->free_list;
    s->free_list = s->g[t].left;
  } else {
    if (s->n == s->cap) {
      s->cap = s->cap ? s->cap * 2 : 256;
      s->g = xrealloc(s->g, sizeof(gap) * (unsigned long)s->cap);
    }
    t = s->n++;
  }
  s->seed = s->seed * 1664525u + 1013904223u; /* deterministic priorities */
  s->g[t] = (gap){off, len, len, s->seed, 0, 0};
  return t;
}

static void gap_release(gap_set *s, int t) {
  s->g[t].left = s->free_list;
  s->free_list = t;
}

/* Splits t into gaps with off < key (*l) and off >= key (*r). */
static void gap_split(gap_set *s, int t, int64_t key, int *l, int *r) {
  if (!t) {
    *l = *r = 0;
    return;
  }
  if (s->g[t].off < key) {
    gap_split(s, s->g[t].right, key, &s->g[t].right, r);
    *l = t;
  } else {
    gap_split(s, s->g[t].left, key, l, &s->g[t].left);
    *r = t;
  }
  gap_update(s, t);
}

static int gap_merge(gap_set *s, int l, int r) {
  if (!l || !r) return l ? l : r;
  if (s->g[l].prio > s->g[r].prio) {
    s->g[l].right = gap_merge(s, s->g[l].right, r);
    gap_update(s, l);
    return l;
  }
  s->g[r].left = gap_merge(s, l, s->g[r].left);
  gap_update(s, r);
  return r;
}

/* Removes and returns the gap at `off` (which must exist). */
static int gap_take(gap_set *s, int64_t off) {
  int l, m, r;
  gap_split(s, s->root, off, &l, &r);
  gap_split(s, r, off + 1, &m, &r);
  s->root = gap_merge(s, l, r);
  return m;
}

static void gap_insert(gap_set *s, int t) {
  int l, r;
  gap_split(s, s->root, s->g[t].off, &l, &r);
  s->root = gap_merge(s, gap_merge(s, l, t), r);
}

/* The lowest gap of at least `need` bytes; -1 if none (the gap past
 * everything in use reaches INT64_MAX, so only a total near 2^63 fails). */
static int64_t gap_first_fit(const gap_set *s, int64_t need) {
  int t = s->root;
  if (!t || s->g[t].max_len < need) return -1;
  for (;;) {
    const gap *n = &s->g[t];
    if (n->left && s->g[n->left].max_len >= need) t = n->left;
    else if (n->len >= need) return n->off;
    else t = n->right;
  }
}

static int64_t gap_alloc(gap_set *s, int64_t need) {
  int64_t off = gap_first_fit(s, need);
  int t;
  if (off < 0) return -1;
  t = gap_take(s, off);
  if (s->g[t].len > need) gap_insert(s, gap_new(s, off + need, s->g[t].len - need));
  gap_release(s, t);
  return off;
}

/* Returns [off, off + len) to the set, joined with the gaps it touches. */
static void gap_free(gap_set *s, int64_t off, int64_t len) {
  int l, r, t;
  gap_split(s, s->root, off, &l, &r);
  /* the gap just below, if it ends where this block starts */
  t = l;
  while (t && s->g[t].right) t = s->g[t].right;
  if (t && s->g[t].off + s->g[t].len == off) {
    int below, rest;
    gap_split(s, l, s->g[t].off, &rest, &below);
    off = s->g[below].off;
    len += s->g[below].len;
    gap_release(s, below);
    l = rest;
  }
  /* the gap just above, if it starts where this block ends */
  t = r;
  while (t && s->g[t].left) t = s->g[t].left;
  if (t && s->g[t].off == off + len) {
    int above, rest;
    gap_split(s, r, s->g[t].off + 1, &above, &rest);
    len += s->g[above].len;
    gap_release(s, above);
    r = rest;
  }
  s->root = gap_merge(s, gap_merge(s, l, gap_new(s, off, len)), r);
}

/* Block indices bucketed by a step (counting sort), in CSR form. */
static void bucket_by_step(const plan_block *b, int n, int n_steps, int by_last, int *start, int *list) {
  int i;
  memset(start, 0, sizeof(int) * ((size_t)n_steps + 1));
  for (i = 0; i < n; i++) start[(by_last ? b[i].last : b[i].first) + 1]++;
  for (i = 0; i < n_steps; i++) start[i + 1] += start[i];
  {
    int *fill = xmalloc(sizeof(int) * ((unsigned long)n_steps + 1));
    memcpy(fill, start, sizeof(int) * ((size_t)n_steps + 1));
    for (i = 0; i < n; i++) list[fill[by_last ? b[i].last : b[i].first]++] = i;
    free(fill);
  }
}

/* Time order: at each step, free the blocks that died at the step before,
 * then allocate the ones born here, largest first (first fit). */
static status place_in_time(const plan_block *b, int n, int n_steps, int64_t *out, int64_t *total) {
  int *born_at = xmalloc(sizeof(int) * ((unsigned long)n_steps + 2));
  int *born = xmalloc(sizeof(int) * ((unsigned long)n + 1));
  int *dies_at = xmalloc(sizeof(int) * ((unsigned long)n_steps + 2));
  int *dies = xmalloc(sizeof(int) * ((unsigned long)n + 1));
  gap_set s = {0};
  int t, k;
  status st = ST_OK;
  *total = 0;
  bucket_by_step(b, n, n_steps, 0, born_at, born);
  bucket_by_step(b, n, n_steps, 1, dies_at, dies);
  gap_new(&s, 0, 0); /* node 0 stands for "none" */
  s.root = gap_new(&s, 0, INT64_MAX);
  for (t = 0; t < n_steps && !st; t++) {
    if (t > 0)
      for (k = dies_at[t - 1]; k < dies_at[t]; k++)
        if (b[dies[k]].bytes) gap_free(&s, out[dies[k]], b[dies[k]].bytes);
    sort_blocks = b;
    qsort(born + born_at[t], (size_t)(born_at[t + 1] - born_at[t]), sizeof(int), by_size_desc);
    for (k = born_at[t]; k < born_at[t + 1]; k++) {
      const plan_block *c = &b[born[k]];
      out[born[k]] = c->bytes ? gap_alloc(&s, c->bytes) : 0;
      if (out[born[k]] < 0) {
        st = diag_error(ST_UNSUPPORTED, "the arena would exceed 2^63 bytes");
        break;
      }
      /* every gap ends at or below INT64_MAX, so this cannot wrap */
      if (out[born[k]] + c->bytes > *total) *total = out[born[k]] + c->bytes;
    }
  }
  free(s.g);
  free(born_at);
  free(born);
  free(dies_at);
  free(dies);
  return st;
}

status plan_place(plan_block *b, int n, int n_steps, int64_t *total) {
  int64_t *by_time = xmalloc(sizeof(int64_t) * ((unsigned long)n + 1));
  int64_t *by_size = NULL, time_total, size_total = INT64_MAX;
  int i;
  status s = place_in_time(b, n, n_steps, by_time, &time_total);
  if (!s && overlapping_pairs(b, n, n_steps) <= PLACE_BY_SIZE_MAX_PAIRS) {
    by_size = xmalloc(sizeof(int64_t) * ((unsigned long)n + 1));
    s = place_by_size(b, n, n_steps, by_size, &size_total);
  }
  if (!s) {
    /* ties go to the size placer, whose layouts are the familiar ones */
    const int64_t *best = by_size && size_total <= time_total ? by_size : by_time;
    for (i = 0; i < n; i++) b[i].offset = best[i];
    *total = best == by_size ? size_total : time_total;
  }
  free(by_time);
  free(by_size);
  return s;
}

status plan_lower_bound(const plan_block *b, int n, int n_steps, int64_t *bound) {
  int64_t *delta = xcalloc((unsigned long)n_steps + 2, sizeof(int64_t));
  int64_t live = 0;
  int i;
  status s = ST_OK;
  *bound = 0;
  for (i = 0; i < n && !s; i++)
    if (!ck_add(delta[b[i].first], b[i].bytes, &delta[b[i].first]) ||
        !ck_sub(delta[b[i].last + 1], b[i].bytes, &delta[b[i].last + 1]))
      s = diag_error(ST_UNSUPPORTED, "the arena would exceed 2^63 bytes");
  for (i = 0; i < n_steps && !s; i++) {
    if (!ck_add(live, delta[i], &live)) s = diag_error(ST_UNSUPPORTED, "the arena would exceed 2^63 bytes");
    if (live > *bound) *bound = live;
  }
  free(delta);
  return s;
}

int plan_blocks_disjoint(const plan_block *b, int n) {
  int i, k;
  for (i = 0; i < n; i++)
    for (k = i + 1; k < n; k++) {
      if (!b[i].bytes || !b[k].bytes) continue;
      if (b[i].last < b[k].first || b[k].last < b[i].first) continue;
      if (b[i].offset < b[k].offset + b[k].bytes && b[k].offset < b[i].offset + b[i].bytes) return 0;
    }
  return 1;
}

/* ---- Building the plan ---- */

/* A tensor's or scratch area's size rounded to RT_ALIGN, refusing sizes
 * past CK_MAX_TENSOR_BYTES (so sums of a few million stay in int64). */
static status aligned_bytes(size_t raw, const char *what, int64_t *out) {
  if (raw > (size_t)CK_MAX_TENSOR_BYTES || !ck_align((int64_t)raw, RT_ALIGN, out))
    return diag_error(ST_UNSUPPORTED, "%s needs %zu bytes, more than onnxcc supports", what, raw);
  return ST_OK;
}

/* Weight offsets, in order of first use, from *total on (subgraphs' weights
 * follow their parent's in the one blob); *total advances. */
static status place_weights(ir_graph *g, plan *p, int64_t *weights_total) {
  int64_t total = *weights_total, bytes;
  int i;
  status s;
  for (i = 0; i < g->n_values; i++) {
    ir_value *v = g->values[i];
    if (p->home[i] != HOME_WEIGHTS) continue;
    s = aligned_bytes(tensor_bytes(&v->t), v->name, &bytes);
    if (s) return s;
    v->offset = total;
    if (!ck_add(total, bytes, &total)) return diag_error(ST_UNSUPPORTED, "the weights would exceed 2^63 bytes");
  }
  *weights_total = total;
  return ST_OK;
}

/* Homes. A graph output produced by a node is written straight into the
 * caller's buffer (the first time it is listed); constants and inputs that
 * are outputs are copied at the end of the run. */
static void assign_homes(const ir_graph *g, plan *p) {
  int i, k;
  for (i = 0; i < g->n_values; i++) {
    p->output_index[i] = -1;
    if (g->values[i]->graph_input >= 0) p->home[i] = HOME_INPUT;
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
}

/* First and last step of every value: the producer's step and the last
 * reader's (the producer's when nothing reads it); -1 if neither. */
static void value_steps(const ir_graph *g, int *first, int *last) {
  int i, k;
  for (i = 0; i < g->n_values; i++) first[i] = last[i] = -1;
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0 && first[n->out[k]] < 0) first[n->out[k]] = last[n->out[k]] = i;
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) last[n->in[k]] = i;
  }
}

/* The arena blocks: one per storage in the arena, live from the first
 * write of any value stored there (its producer's step, or an earlier one
 * when a Concat output holds its inputs) to the last read of any, and
 * every node's scratch, live during the node. target[i] is where block
 * i's offset goes. */
static status collect_blocks(ir_graph *g, plan *p, plan_block *blocks, int64_t **target, int *n_blocks) {
  int *first = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  int *last = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  int *class_first = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  int *class_last = xmalloc(sizeof(int) * ((unsigned long)g->n_values + 1));
  int i, nb = 0;
  status s;
  value_steps(g, first, last);
  s = plan_share_storage(g, p, first, last, class_first, class_last);
  for (i = 0; i < g->n_values && !s; i++) {
    if (p->home[i] != HOME_ARENA || p->root[i] != i) continue;
    s = aligned_bytes(tensor_bytes(&g->values[i]->t), g->values[i]->name, &blocks[nb].bytes);
    blocks[nb].first = class_first[i];
    blocks[nb].last = class_last[i];
    target[nb++] = &g->values[i]->offset;
  }
  for (i = 0; i < g->n_nodes && !s; i++) {
    if (p->elided[i] || !g->nodes[i]->low->scratch_bytes) continue;
    s = aligned_bytes(g->nodes[i]->low->scratch_bytes, g->nodes[i]->name, &blocks[nb].bytes);
    blocks[nb].first = blocks[nb].last = i;
    target[nb++] = &p->scratch_offset[i];
  }
  free(first);
  free(last);
  free(class_first);
  free(class_last);
  *n_blocks = nb;
  return s;
}

/* Small plans are checked pair by pair: a wrong plan corrupts tensors
 * silently at run time, which is far worse than a failed compile. */
#define PLAN_CHECK_MAX_BLOCKS 2048

static status place_arena(ir_graph *g, plan *p) {
  plan_block *blocks = xcalloc((unsigned long)(g->n_values + g->n_nodes) + 1, sizeof(plan_block));
  int64_t **target = xmalloc(sizeof(int64_t *) * ((unsigned long)(g->n_values + g->n_nodes) + 1));
  int64_t bound = 0, total = 0;
  int i, nb;
  status s = collect_blocks(g, p, blocks, target, &nb);
  if (!s) s = plan_lower_bound(blocks, nb, g->n_nodes, &bound);
  if (!s) s = plan_place(blocks, nb, g->n_nodes, &total);
  if (!s && nb <= PLAN_CHECK_MAX_BLOCKS && !plan_blocks_disjoint(blocks, nb))
    s = diag_error(ST_INTERNAL, "the memory plan puts two live tensors in the same bytes");
  if (!s)
    for (i = 0; i < nb; i++) *target[i] = blocks[i].offset;
  if (!s) /* values sharing storage: their root's offset, plus their place in it */
    for (i = 0; i < g->n_values; i++)
      if (p->root[i] != i) g->values[i]->offset = g->values[p->root[i]]->offset + p->root_offset[i];
  p->arena_lower_bound = (size_t)bound;
  p->arena_bytes = (size_t)total;
  free(blocks);
  free(target);
  return s;
}

/* What the recursive planning threads through every graph. */
typedef struct plan_walk {
  int64_t weights;   /* blob bytes placed so far */
  int graphs;        /* graphs planned so far: the next one's gid */
} plan_walk;

static status plan_graph(ir_graph *g, plan *p, plan_walk *w);

/* Loop-carried values (Loop) or states (Scan): the node inputs that the
 * body reads in one buffer and writes into the other, turn by turn. A
 * Scan before opset 9 has sequence_lens first and states per batch entry. */
static int is_scan8(const ir_graph *g, const ir_node *n) { return n->op == OP_Scan && g->opset < 9; }
static int carried_first(const ir_graph *g, const ir_node *n) {
  return n->op == OP_Loop ? 2 : is_scan8(g, n) ? 1 : 0;
}
static int carried_count(const ir_graph *g, const ir_node *n) {
  int declared = n->n_in - n->n_implicit;
  if (n->op == OP_Loop) return declared - 2;
  if (n->op == OP_Scan) return declared - carried_first(g, n) - (int)attr_int(n, "num_scan_inputs", 0);
  return 0;
}

/* A control node's subgraphs get their own plans, each like a model whose
 * inputs and outputs are pointers it is given; their arenas overlay each
 * other at the start of the node's scratch (one body runs at a time), and
 * Loop/Scan keep two buffers per carried value after them. */
static status plan_control(const ir_graph *g, ir_node *n, plan_sub *sub, plan_walk *w) {
  int64_t body = 0, end, bytes;
  int k, j = 0;
  status s = ST_OK;
  for (k = 0; k < n->n_attr; k++) sub->n += n->attr[k].graph != NULL;
  sub->g = xcalloc((unsigned long)sub->n + 1, sizeof(ir_graph *));
  sub->p = xcalloc((unsigned long)sub->n + 1, sizeof(plan));
  for (k = 0; k < n->n_attr && !s; k++) {
    if (!n->attr[k].graph) continue;
    sub->g[j] = n->attr[k].graph;
    s = plan_graph(sub->g[j], &sub->p[j], w);
    if (!s && (int64_t)sub->p[j].arena_bytes > body) body = (int64_t)sub->p[j].arena_bytes;
    j++;
  }
  if (s) return s;
  sub->n_buf = 2 * carried_count(g, n);
  sub->buf_offset = xcalloc((unsigned long)sub->n_buf + 1, sizeof(int64_t));
  end = body;
  for (k = 0; k < sub->n_buf && !s; k++) {
    /* sized by the body's formal input: one batch entry of a Scan-8
     * state, and a carried sequence may be wider than the value that
     * enters (control.c widens it) */
    const ir_graph *b = sub->g[0];
    const ir_value *v = ir_val(b, b->inputs[(n->op == OP_Loop ? 2 : 0) + k / 2]);
    s = aligned_bytes(v ? tensor_bytes(&v->t) : 0, n->name, &bytes);
    sub->buf_offset[k] = end;
    if (!s && !ck_add(end, bytes, &end)) s = diag_error(ST_UNSUPPORTED, "the arena would exceed 2^63 bytes");
  }
  if (!s) n->low->scratch_bytes = (size_t)end;
  return s;
}

static status plan_graph(ir_graph *g, plan *p, plan_walk *w) {
  int i;
  status s;
  memset(p, 0, sizeof *p);
  p->gid = w->graphs++;
  p->n_nodes = g->n_nodes;
  ir_count_uses(g);
  p->scratch_offset = xmalloc(sizeof(int64_t) * (unsigned long)(g->n_nodes + 1));
  p->home = xcalloc((unsigned long)g->n_values + 1, sizeof(value_home));
  p->output_index = xmalloc(sizeof(int) * (unsigned long)(g->n_values + 1));
  p->root = xmalloc(sizeof(int) * (unsigned long)(g->n_values + 1));
  p->root_offset = xcalloc((unsigned long)g->n_values + 1, sizeof(int64_t));
  p->elided = xcalloc((unsigned long)g->n_nodes + 1, 1);
  p->subs = xcalloc((unsigned long)g->n_nodes + 1, sizeof(plan_sub));
  for (i = 0; i < g->n_values; i++) p->root[i] = i;
  for (i = 0; i < g->n_nodes; i++) {
    if (!g->nodes[i]->low) return diag_node_error(ST_INTERNAL, g->nodes[i], "planned before it was lowered");
    p->scratch_offset[i] = -1;
  }
  assign_homes(g, p);
  s = place_weights(g, p, &w->weights);
  for (i = 0; i < g->n_nodes && !s; i++)
    if (g->nodes[i]->low->control) s = plan_control(g, g->nodes[i], &p->subs[i], w);
  if (s) return s;
  return place_arena(g, p);
}

status plan_build(ir_graph *g, plan *p) {
  plan_walk w = {0, 0};
  status s = plan_graph(g, p, &w);
  p->weights_bytes = (size_t)w.weights;
  return s;
}

void plan_free(plan *p, int n_nodes) {
  int i, k;
  (void)n_nodes;
  for (i = 0; p->subs && i < p->n_nodes; i++) {
    for (k = 0; k < p->subs[i].n; k++) plan_free(&p->subs[i].p[k], 0);
    free(p->subs[i].g);
    free(p->subs[i].p);
    free(p->subs[i].buf_offset);
  }
  free(p->subs);
  free(p->scratch_offset);
  free(p->home);
  free(p->output_index);
  free(p->root);
  free(p->root_offset);
  free(p->elided);
  memset(p, 0, sizeof *p);
}
