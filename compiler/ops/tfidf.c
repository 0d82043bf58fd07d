/* TfIdfVectorizer (rt_tfidf_T, kernels/tfidf.h): int32 or int64 X [C] or
 * [N, C] gives float [out_size] or [N, out_size].
 *
 * The n-gram pool is an attribute, so the final lowering turns it into a
 * trie in the weight blob (layout in kernels/tfidf.h): the n-grams of
 * lengths min_gram_length..max_gram_length are sorted, a prefix tree is
 * built over the sorted list (each node's children then come out in
 * token order) and laid out breadth first, so the children of a node are
 * one sorted run the kernel binary-searches. Like the other ops with
 * tables (ml.c), a node whose X is a constant is refused rather than
 * folded. String pools are refused (not written yet). The
 * file is not named text.c, which codegen already uses for C text. */
#include <stdlib.h>
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"

static const char *const tfidf_modes[] = {"TF", "IDF", "TFIDF"};

/* The attributes, checked. */
typedef struct tfidf_attrs {
  int64_t min, max, skip, out_size;
  const int64_t *pool, *counts, *indexes;
  int n_pool, n_counts, n_indexes, n_weights, mode;
  const float *weights;
} tfidf_attrs;

static status tfidf_read(const op_ctx *c, tfidf_attrs *a) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int k;
  status s;
  if ((s = op_attr_enum(c, "mode", "TF", tfidf_modes, 3, &a->mode)) != ST_OK) return s;
  if (ir_attr_find(c->n, "pool_strings"))
    return diag_node_error(ST_UNSUPPORTED, c->n, "pool_strings is not supported yet (string n-grams)");
  if (x->dtype != DT_INT32 && x->dtype != DT_INT64)
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc takes int32 or int64", dtype_name(x->dtype));
  if (x->rank != 1 && x->rank != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "X must be [C] or [N, C], not of rank %d", x->rank);
  a->min = attr_int(c->n, "min_gram_length", 0);
  a->max = attr_int(c->n, "max_gram_length", 0);
  a->skip = attr_int(c->n, "max_skip_count", 0);
  if (a->min < 1 || a->max < a->min || a->max > 1 << 20 || a->skip < 0 || a->skip > 1 << 20)
    return diag_node_error(ST_BAD_MODEL, c->n, "needs 1 <= min_gram_length <= max_gram_length and max_skip_count "
                           ">= 0 (each at most 2^20)");
  a->n_pool = attr_ints(c->n, "pool_int64s", &a->pool);
  a->n_counts = attr_ints(c->n, "ngram_counts", &a->counts);
  a->n_indexes = attr_ints(c->n, "ngram_indexes", &a->indexes);
  a->n_weights = attr_floats(c->n, "weights", &a->weights);
  if (a->n_pool < 0 || a->n_counts < 0 || a->n_indexes < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "needs pool_int64s, ngram_counts and ngram_indexes");
  a->out_size = 0;
  for (k = 0; k < a->n_indexes; k++) {
    if (a->indexes[k] < 0 || a->indexes[k] >= INT32_MAX)
      return diag_node_error(ST_BAD_MODEL, c->n, "ngram_indexes[%d] is %lld, out of range", k,
                             (long long)a->indexes[k]);
    if (a->indexes[k] + 1 > a->out_size) a->out_size = a->indexes[k] + 1;
  }
  for (k = 0; k < a->n_counts; k++)
    if (a->counts[k] < 0 || a->counts[k] > a->n_pool || (k && a->counts[k] < a->counts[k - 1]))
      return diag_node_error(ST_BAD_MODEL, c->n, "ngram_counts must rise from 0 to at most the pool's size");
  if (a->n_weights > 0 && a->n_weights < a->out_size)
    return diag_node_error(ST_BAD_MODEL, c->n, "weights has %d values for %lld outputs", a->n_weights,
                           (long long)a->out_size);
  return ST_OK;
}

static status tfidf_infer(op_ctx *c) {
  const ir_tensor *x;
  tfidf_attrs a;
  int exprs[2];
  status s;
  OP_REQUIRE_INPUT(c, 0);
  if ((s = tfidf_read(c, &a)) != ST_OK) return s;
  x = &op_in(c, 0)->t;
  exprs[0] = ir_dim(c->g, x, 0);
  exprs[x->rank - 1] = dx_const(op_dx(c), a.out_size);
  op_set_output_exprs(c, 0, DT_FLOAT, x->rank, exprs);
  return ST_OK;
}

/* ---- the trie ---- */

/* One n-gram of the pool: where its tokens start, its length, its output
 * column and its position among all n-grams (a later duplicate wins, as
 * in the reference). */
typedef struct gram {
  const int64_t *tok;
  int64_t len, col, seq;
} gram;

/* Lexicographic by tokens, a prefix before its extensions, then by seq. */
static int gram_cmp(const void *pa, const void *pb) {
  const gram *a = pa, *b = pb;
  int64_t k, n = a->len < b->len ? a->len : b->len;
  for (k = 0; k < n; k++)
    if (a->tok[k] != b->tok[k]) return a->tok[k] < b->tok[k] ? -1 : 1;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The counted n-grams (lengths min..max) in pool order; NULL after
 * reporting an n-gram without an index. */
static gram *collect(const op_ctx *c, const tfidf_attrs *a, int64_t *n) {
  gram *g = xmalloc(sizeof(gram) * (size_t)(a->n_pool + 1));
  int64_t size, k, id = 0;
  *n = 0;
  for (size = 1; size <= a->n_counts; size++) {
    const int64_t from = a->counts[size - 1], to = size < a->n_counts ? a->counts[size] : a->n_pool;
    for (k = from; k + size <= to; k += size, id++) {
      if (size < a->min || size > a->max) continue;
      if (id >= a->n_indexes) {
        free(g);
        diag_node_error(ST_BAD_MODEL, c->n, "ngram_indexes has %d values; the pool has more n-grams", a->n_indexes);
        return NULL;
      }
      g[*n].tok = a->pool + k, g[*n].len = size, g[*n].col = a->indexes[id], g[*n].seq = id;
      (*n)++;
    }
  }
  return g;
}

/* A trie node while building: its token, column, and children as a list
 * in token order. Node 0 is the root. */
typedef struct tnode {
  int64_t key, col, first, last, next;
} tnode;

static int64_t add_child(tnode *t, int64_t *count, int64_t parent, int64_t key) {
  const int64_t id = (*count)++;
  t[id].key = key, t[id].col = -1, t[id].first = t[id].last = t[id].next = -1;
  if (t[parent].last >= 0) t[t[parent].last].next = id;
  else t[parent].first = id;
  t[parent].last = id;
  return id;
}

/* Builds the trie of the sorted grams g (duplicates: the last wins);
 * returns the node count. path[d] is the node at depth d + 1 of the
 * previous gram. */
static int64_t build(const gram *g, int64_t n, int64_t max_len, tnode *t) {
  int64_t *path = xmalloc(sizeof(int64_t) * (size_t)(max_len + 1));
  int64_t count = 1, i, d, common = 0;
  t[0].col = t[0].first = t[0].last = t[0].next = -1;
  for (i = 0; i < n; i++) {
    if (i > 0) {
      const int64_t m = g[i].len < g[i - 1].len ? g[i].len : g[i - 1].len;
      for (common = 0; common < m && g[i].tok[common] == g[i - 1].tok[common]; common++) {}
    }
    for (d = common; d < g[i].len; d++) path[d] = add_child(t, &count, d ? path[d - 1] : 0, g[i].tok[d]);
    t[path[g[i].len - 1]].col = g[i].col;
  }
  free(path);
  return count;
}

/* Lays the trie out breadth first into out (RT_TFIDF_EDGE per edge):
 * order[] holds the nodes by edge index. Returns the root's edge count. */
static int64_t layout(const tnode *t, int64_t count, int64_t *out) {
  int64_t *order = xmalloc(sizeof(int64_t) * (size_t)count);
  int64_t n = 0, i, ch, roots;
  for (ch = t[0].first; ch >= 0; ch = t[ch].next) order[n++] = ch;
  roots = n;
  for (i = 0; i < n; i++) {
    const tnode *e = &t[order[i]];
    int64_t *rec = out + i * RT_TFIDF_EDGE;
    rec[0] = e->key, rec[1] = e->col, rec[2] = n;
    for (ch = e->first; ch >= 0; ch = t[ch].next) order[n++] = ch;
    rec[3] = n - rec[2];
  }
  free(order);
  return roots;
}

/* Sorts the grams, drops all but the last of equal ones, builds the trie
 * and wires it in as input 1; the root's edge count. */
static status add_trie(op_ctx *c, const tfidf_attrs *a, int64_t *roots) {
  int64_t n, kept = 0, i, count;
  gram *g = collect(c, a, &n);
  tnode *t;
  int64_t *out;
  if (!g) return ST_BAD_MODEL;
  qsort(g, (size_t)n, sizeof *g, gram_cmp);
  for (i = 0; i < n; i++) {
    if (kept && g[kept - 1].len == g[i].len && !memcmp(g[kept - 1].tok, g[i].tok, sizeof(int64_t) * (size_t)g[i].len))
      kept--;
    g[kept++] = g[i];
  }
  t = xmalloc(sizeof(tnode) * (size_t)(a->n_pool + 1));
  count = build(g, kept, a->max, t);
  out = op_add_table(c, "tfidf_trie", DT_INT64, (count - 1) * RT_TFIDF_EDGE, 1);
  *roots = layout(t, count, out);
  free(t);
  free(g);
  return ST_OK;
}

static status tfidf_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_tfidf_params *p;
  tfidf_attrs a;
  status s;
  if ((s = tfidf_read(c, &a)) != ST_OK) return s;
  if (!c->final)
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is a constant; onnxcc does not evaluate TfIdfVectorizer at "
                           "compile time");
  p = op_lower_as(c, l, PD_rt_tfidf_params, "rt_tfidf_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  if (x->rank == 2) op_bind(c, l, &p->rows, ir_dim(c->g, x, 0));
  else p->rows = 1;
  op_bind(c, l, &p->cols, ir_dim(c->g, x, x->rank - 1));
  p->out_size = a.out_size;
  p->min_gram = (int32_t)a.min;
  p->max_gram = (int32_t)a.max;
  p->max_skip = (int32_t)a.skip;
  p->mode = a.mode;
  if ((s = add_trie(c, &a, &p->root_count)) != ST_OK) return s;
  if (a.mode != RT_TFIDF_TF && a.n_weights > 0)
    memcpy(op_add_table(c, "tfidf_weights", DT_FLOAT, a.out_size, 2), a.weights, sizeof(float) * (size_t)a.out_size);
  return ST_OK;
}

const op_family op_family_tfidf = {tfidf_infer, tfidf_lower, 1, 0};
