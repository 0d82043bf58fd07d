/* Tree ensembles of ai.onnx.ml (kernels/trees.h): TreeEnsembleRegressor
 * and TreeEnsembleClassifier (ml opsets 1 and 3: nodes named by tree and
 * node id, leaves among them) and TreeEnsemble (ml opset 5: interior
 * nodes and leaves in separate lists, set membership). All three become
 * one flat table (tmodel below, then two constants in the blob) that a
 * generic kernel walks; straight-line C per tree would be a possible
 * later step for small ensembles.
 *
 * Limits: X must be float (TreeEnsemble: float or double; the legacy ops
 * on double X would need ONNX Runtime's mixed float/double thresholds
 * matched); string class labels
 * are refused (not written yet). The table is built in the
 * final lowering only, so a node whose X is a constant is refused rather
 * than folded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

/* The ensemble as the kernel sees it, before packing. Node records follow
 * trees.h (RT_TREE_NODE_FIELDS int64s each). */
typedef struct tmodel {
  int64_t n_nodes, *rec;   /* rec[7 * i ...] */
  double *split;           /* per node */
  int64_t n_roots, *roots;
  int64_t n_w, *w_target;  /* leaf weights, grouped by leaf */
  double *w_value;
  int64_t n_set;           /* set members, for BRANCH_MEMBER */
  double *set;
} tmodel;

static void tmodel_free(tmodel *m) {
  free(m->rec);
  free(m->split);
  free(m->roots);
  free(m->w_target);
  free(m->w_value);
  free(m->set);
  memset(m, 0, sizeof *m);
}

static void tmodel_alloc(tmodel *m, int64_t nodes, int64_t roots, int64_t weights, int64_t set) {
  m->n_nodes = nodes;
  m->rec = xcalloc((unsigned long)(nodes * RT_TREE_NODE_FIELDS + 1), sizeof(int64_t));
  m->split = xcalloc((unsigned long)nodes + 1, sizeof(double));
  m->n_roots = roots;
  m->roots = xcalloc((unsigned long)roots + 1, sizeof(int64_t));
  m->n_w = weights;
  m->w_target = xcalloc((unsigned long)weights + 1, sizeof(int64_t));
  m->w_value = xcalloc((unsigned long)weights + 1, sizeof(double));
  m->n_set = set;
  m->set = xcalloc((unsigned long)set + 1, sizeof(double));
}

/* ---- attributes ---- */

/* A list of numbers given either as floats (`name`) or as a tensor
 * (`tname`, ml opset 3's *_as_tensor, opset 5's tensors): its count, -1
 * when neither is there; *out is malloc'ed doubles. */
static int attr_numbers(const ir_node *n, const char *name, const char *tname, double **out) {
  const ir_attr *a = name ? ir_attr_find(n, name) : NULL;
  const ir_attr *t = tname ? ir_attr_find(n, tname) : NULL;
  int64_t i, k;
  *out = NULL;
  if (a && a->type == ATTR_FLOATS) {
    *out = xmalloc(sizeof(double) * ((unsigned long)a->n + 1));
    for (i = 0; i < a->n; i++) (*out)[i] = a->floats[i];
    return a->n;
  }
  if (a && a->type == ATTR_INTS) {
    *out = xmalloc(sizeof(double) * ((unsigned long)a->n + 1));
    for (i = 0; i < a->n; i++) (*out)[i] = (double)a->ints[i];
    return a->n;
  }
  if (t && t->type == ATTR_TENSOR && t->tensor.data) {
    k = tensor_numel(&t->tensor);
    *out = xmalloc(sizeof(double) * ((unsigned long)k + 1));
    for (i = 0; i < k; i++) (*out)[i] = tensor_double(&t->tensor, i);
    return (int)k;
  }
  return -1;
}

static int ints_or_empty(const ir_node *n, const char *name, const int64_t **out) {
  static const int64_t none[1] = {0};
  int k = attr_ints(n, name, out);
  if (k < 0) *out = none;
  return k < 0 ? 0 : k;
}

static const char *const post_names[] = {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"};
static const char *const agg_names[] = {"SUM", "AVERAGE", "MIN", "MAX"};
static const char *const mode_names[] = {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT",
                                         "BRANCH_EQ",  "BRANCH_NEQ", "BRANCH_MEMBER", "LEAF"};

/* ---- checks shared by both encodings ---- */

/* Every walk from a root must end at a leaf: child indices in range and
 * no cycles (the kernel has no step limit). Depth-first with an explicit
 * stack; state 1: on the current path, 2: done. */
static status check_acyclic(const op_ctx *c, const tmodel *m) {
  unsigned char *state = xcalloc((unsigned long)m->n_nodes + 1, 1);
  int64_t *stack = xmalloc(sizeof(int64_t) * ((unsigned long)m->n_nodes * 2 + 2));
  int64_t r, top;
  status s = ST_OK;
  for (r = 0; r < m->n_roots && !s; r++) {
    if (m->roots[r] < 0 || m->roots[r] >= m->n_nodes) {
      s = diag_node_error(ST_BAD_MODEL, c->n, "tree %lld's root is not a node", (long long)r);
      break;
    }
    if (state[m->roots[r]]) continue;
    top = 0;
    stack[top++] = m->roots[r];
    while (top > 0 && !s) {
      int64_t i = stack[top - 1], k;
      const int64_t *rec = m->rec + i * RT_TREE_NODE_FIELDS;
      if (state[i] == 0 && rec[0] != RT_TREE_LEAF) {
        state[i] = 1;
        for (k = 2; k <= 3; k++) {
          if (rec[k] < 0 || rec[k] >= m->n_nodes) {
            s = diag_node_error(ST_BAD_MODEL, c->n, "a branch points at node %lld, which does not exist",
                                (long long)rec[k]);
            break;
          }
          if (state[rec[k]] == 1) {
            s = diag_node_error(ST_BAD_MODEL, c->n, "the trees have a cycle (through node %lld)", (long long)i);
            break;
          }
          if (state[rec[k]] == 0) stack[top++] = rec[k];
        }
        continue;
      }
      state[i] = 2;
      top--;
    }
  }
  free(state);
  free(stack);
  return s;
}

static status check_refs(const op_ctx *c, const tmodel *m, int64_t features, int64_t targets) {
  int64_t i;
  for (i = 0; i < m->n_nodes; i++) {
    const int64_t *rec = m->rec + i * RT_TREE_NODE_FIELDS;
    if (rec[0] != RT_TREE_LEAF && (rec[1] < 0 || rec[1] >= features))
      return diag_node_error(ST_BAD_MODEL, c->n, "a node reads feature %lld; X has %lld", (long long)rec[1],
                             (long long)features);
  }
  for (i = 0; i < m->n_w; i++)
    if (m->w_target[i] < 0 || m->w_target[i] >= targets)
      return diag_node_error(ST_BAD_MODEL, c->n, "a leaf weight is for target (class) %lld; there are %lld",
                             (long long)m->w_target[i], (long long)targets);
  return check_acyclic(c, m);
}

/* ---- ml opsets 1 and 3: nodes by (tree id, node id) ---- */

typedef struct node_key {
  int64_t tree, node, index;
} node_key;

static int by_key(const void *a, const void *b) {
  const node_key *x = a, *y = b;
  if (x->tree != y->tree) return x->tree < y->tree ? -1 : 1;
  if (x->node != y->node) return x->node < y->node ? -1 : 1;
  return 0;
}

static int64_t find_node(const node_key *keys, int64_t n, int64_t tree, int64_t node) {
  node_key k, *f;
  k.tree = tree;
  k.node = node;
  f = bsearch(&k, keys, (size_t)n, sizeof k, by_key);
  return f ? f->index : -1;
}

/* The weights (prefix "target" or "class") of the legacy encoding. */
typedef struct legacy_w {
  int n;
  const int64_t *ids, *treeids, *nodeids;
  double *values;
} legacy_w;

static status legacy_weights(const op_ctx *c, const char *prefix, legacy_w *w) {
  char a[64], b[64], d[64], e[64], f[64];
  int k1, k2, k3, k4;
  snprintf(a, sizeof a, "%s_ids", prefix);
  snprintf(b, sizeof b, "%s_treeids", prefix);
  snprintf(d, sizeof d, "%s_nodeids", prefix);
  snprintf(e, sizeof e, "%s_weights", prefix);
  snprintf(f, sizeof f, "%s_weights_as_tensor", prefix);
  k1 = ints_or_empty(c->n, a, &w->ids);
  k2 = ints_or_empty(c->n, b, &w->treeids);
  k3 = ints_or_empty(c->n, d, &w->nodeids);
  k4 = attr_numbers(c->n, e, f, &w->values);
  if (k4 < 0) k4 = 0;
  w->n = k1;
  if (k2 != k1 || k3 != k1 || k4 != k1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s_ids, %s_treeids, %s_nodeids and %s_weights differ in length", prefix,
                           prefix, prefix, prefix);
  return ST_OK;
}

static status legacy_model(const op_ctx *c, const char *prefix, tmodel *m) {
  const ir_node *n = c->n;
  const int64_t *treeids, *nodeids, *feat, *tn, *fn, *miss;
  const ir_attr *modes = ir_attr_find(n, "nodes_modes");
  double *values = NULL;
  node_key *keys;
  legacy_w w;
  int64_t i, nn, nroots = 0, *count, *start;
  unsigned char *is_child;
  status s;
  nn = ints_or_empty(n, "nodes_treeids", &treeids);
  if (ints_or_empty(n, "nodes_nodeids", &nodeids) != nn || ints_or_empty(n, "nodes_featureids", &feat) != nn ||
      ints_or_empty(n, "nodes_truenodeids", &tn) != nn || ints_or_empty(n, "nodes_falsenodeids", &fn) != nn ||
      !modes || modes->type != ATTR_STRINGS || modes->n != nn)
    return diag_node_error(ST_BAD_MODEL, c->n, "the nodes_* attributes differ in length");
  if (ints_or_empty(n, "nodes_missing_value_tracks_true", &miss) != nn && ir_attr_find(n, "nodes_missing_value_tracks_true"))
    return diag_node_error(ST_BAD_MODEL, c->n, "nodes_missing_value_tracks_true differs in length from nodes_treeids");
  if (attr_numbers(n, "nodes_values", "nodes_values_as_tensor", &values) != nn) {
    free(values);
    return diag_node_error(ST_BAD_MODEL, c->n, "nodes_values differs in length from nodes_treeids");
  }
  if ((s = legacy_weights(c, prefix, &w))) {
    free(values);
    free(w.values);
    return s;
  }
  keys = xmalloc(sizeof *keys * ((unsigned long)nn + 1));
  for (i = 0; i < nn; i++) keys[i].tree = treeids[i], keys[i].node = nodeids[i], keys[i].index = i;
  qsort(keys, (size_t)nn, sizeof *keys, by_key);
  for (i = 1; i < nn && !s; i++)
    if (!by_key(&keys[i - 1], &keys[i]))
      s = diag_node_error(ST_BAD_MODEL, c->n, "tree %lld has two nodes with id %lld", (long long)keys[i].tree,
                          (long long)keys[i].node);
  is_child = xcalloc((unsigned long)nn + 1, 1);
  count = xcalloc((unsigned long)nn + 1, sizeof(int64_t));
  start = xcalloc((unsigned long)nn + 1, sizeof(int64_t));
  tmodel_alloc(m, nn, 0, w.n, 0);
  for (i = 0; i < nn && !s; i++) {
    int64_t *rec = m->rec + i * RT_TREE_NODE_FIELDS, mode;
    for (mode = 0; mode < RT_TREE_N_MODES; mode++)
      if (strcmp(modes->strings[i], mode_names[mode]) == 0) break;
    if (mode == RT_TREE_MEMBER || mode == RT_TREE_N_MODES) {
      s = diag_node_error(ST_BAD_MODEL, c->n, "nodes_modes has '%s', not one of BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, "
                          "BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF", modes->strings[i]);
      break;
    }
    rec[0] = mode;
    m->split[i] = values[i];
    if (mode == RT_TREE_LEAF) continue;
    rec[1] = feat[i];
    rec[2] = find_node(keys, nn, treeids[i], tn[i]);
    rec[3] = find_node(keys, nn, treeids[i], fn[i]);
    rec[4] = miss != NULL && ir_attr_find(n, "nodes_missing_value_tracks_true") ? miss[i] != 0 : 0;
    if (rec[2] < 0 || rec[3] < 0) {
      s = diag_node_error(ST_BAD_MODEL, c->n, "node %lld of tree %lld branches to a node the tree does not have",
                          (long long)nodeids[i], (long long)treeids[i]);
      break;
    }
    is_child[rec[2]] = is_child[rec[3]] = 1;
  }
  /* leaf weights, grouped per leaf in attribute order */
  for (i = 0; i < w.n && !s; i++) {
    int64_t k = find_node(keys, nn, w.treeids[i], w.nodeids[i]);
    if (k < 0 || m->rec[k * RT_TREE_NODE_FIELDS] != RT_TREE_LEAF)
      s = diag_node_error(ST_BAD_MODEL, c->n, "a weight names node %lld of tree %lld, which is not a leaf",
                          (long long)w.nodeids[i], (long long)w.treeids[i]);
    else count[k]++;
  }
  for (i = 1; i < nn; i++) start[i] = start[i - 1] + count[i - 1];
  for (i = 0; i < nn && !s; i++)
    if (m->rec[i * RT_TREE_NODE_FIELDS] == RT_TREE_LEAF) {
      m->rec[i * RT_TREE_NODE_FIELDS + 1] = count[i];
      m->rec[i * RT_TREE_NODE_FIELDS + 2] = start[i];
    }
  for (i = 0; i < w.n && !s; i++) {
    int64_t k = find_node(keys, nn, w.treeids[i], w.nodeids[i]);
    m->w_target[start[k]] = w.ids[i];
    m->w_value[start[k]++] = w.values[i];
  }
  /* roots: nodes no branch points at, in tree-id order */
  if (!s) {
    m->roots = realloc(m->roots, sizeof(int64_t) * ((size_t)nn + 1));
    for (i = 0; i < nn; i++)
      if (!is_child[keys[i].index] && (!nroots || treeids[m->roots[nroots - 1]] != keys[i].tree))
        m->roots[nroots++] = keys[i].index;
    m->n_roots = nroots;
  }
  free(keys);
  free(is_child);
  free(count);
  free(start);
  free(values);
  free(w.values);
  return s;
}

/* ---- ml opset 5: TreeEnsemble ---- */

static status v5_model(const op_ctx *c, tmodel *m) {
  const ir_node *n = c->n;
  const int64_t *feat, *tn, *fn, *tl, *fl, *miss, *roots, *ltarget;
  double *modes = NULL, *splits = NULL, *lw = NULL, *members = NULL;
  int64_t nn, nl, i, j, nm, at = 0;
  status s = ST_OK;
  nn = ints_or_empty(n, "nodes_featureids", &feat);
  nl = ints_or_empty(n, "leaf_targetids", &ltarget);
  nm = attr_numbers(n, NULL, "membership_values", &members);
  if (nm < 0) nm = 0;
  if (ints_or_empty(n, "nodes_truenodeids", &tn) != nn || ints_or_empty(n, "nodes_falsenodeids", &fn) != nn ||
      ints_or_empty(n, "nodes_trueleafs", &tl) != nn || ints_or_empty(n, "nodes_falseleafs", &fl) != nn ||
      attr_numbers(n, NULL, "nodes_modes", &modes) != nn || attr_numbers(n, NULL, "nodes_splits", &splits) != nn ||
      attr_numbers(n, NULL, "leaf_weights", &lw) != nl)
    s = diag_node_error(ST_BAD_MODEL, c->n, "the nodes_* (or the leaf_*) attributes differ in length");
  if (!s && ir_attr_find(n, "nodes_missing_value_tracks_true") &&
      ints_or_empty(n, "nodes_missing_value_tracks_true", &miss) != nn)
    s = diag_node_error(ST_BAD_MODEL, c->n, "nodes_missing_value_tracks_true differs in length from nodes_featureids");
  if (!ir_attr_find(n, "nodes_missing_value_tracks_true")) miss = NULL;
  if (!s) {
    int64_t nr = ints_or_empty(n, "tree_roots", &roots);
    /* nodes first, then one leaf record per leaf_* entry */
    tmodel_alloc(m, nn + nl, nr, nl, nm);
    for (i = 0; i < nr; i++) m->roots[i] = roots[i];
    for (i = 0; i < nm; i++) m->set[i] = members[i];
  }
  for (i = 0; i < nn && !s; i++) {
    int64_t *rec = m->rec + i * RT_TREE_NODE_FIELDS, mode = (int64_t)modes[i];
    if (mode < 0 || mode > RT_TREE_MEMBER) {
      s = diag_node_error(ST_BAD_MODEL, c->n, "nodes_modes has %lld, not a mode from 0 to 6", (long long)mode);
      break;
    }
    rec[0] = mode;
    rec[1] = feat[i];
    rec[2] = tl[i] ? nn + tn[i] : tn[i];
    rec[3] = fl[i] ? nn + fn[i] : fn[i];
    rec[4] = miss ? miss[i] != 0 : 0;
    if ((tl[i] && (tn[i] < 0 || tn[i] >= nl)) || (fl[i] && (fn[i] < 0 || fn[i] >= nl)) ||
        (!tl[i] && (tn[i] < 0 || tn[i] >= nn)) || (!fl[i] && (fn[i] < 0 || fn[i] >= nn))) {
      s = diag_node_error(ST_BAD_MODEL, c->n, "node %lld branches to a node or leaf that does not exist", (long long)i);
      break;
    }
    m->split[i] = splits[i];
    if (mode == RT_TREE_MEMBER) {
      /* the next set: the values up to a NaN (or the end) */
      if (at >= nm) {
        s = diag_node_error(ST_BAD_MODEL, c->n, "membership_values has fewer sets than there are BRANCH_MEMBER nodes");
        break;
      }
      rec[5] = at;
      for (j = at; j < nm && members[j] == members[j]; j++) {}
      rec[6] = j - at;
      at = j + 1;
    }
  }
  for (i = 0; i < nl && !s; i++) {
    int64_t *rec = m->rec + (nn + i) * RT_TREE_NODE_FIELDS;
    rec[0] = RT_TREE_LEAF;
    rec[1] = 1;
    rec[2] = i;
    m->w_target[i] = ltarget[i];
    m->w_value[i] = lw[i];
  }
  free(modes);
  free(splits);
  free(lw);
  free(members);
  return s;
}

/* ---- the op ---- */

static int is_v5(const op_ctx *c) { return c->n->op == OP_ml_TreeEnsemble; }
static int is_classifier(const op_ctx *c) { return c->n->op == OP_ml_TreeEnsembleClassifier; }

/* The row and feature counts of X ([N, F] or [F]). */
static status x_shape(const op_ctx *c, int64_t *rows, int64_t *features) {
  const ir_tensor *x = &op_in(c, 0)->t;
  if (x->dtype != DT_FLOAT && !(x->dtype == DT_DOUBLE && is_v5(c)))
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc takes float X (TreeEnsemble: float or double)",
                           dtype_name(x->dtype));
  if (x->rank != 1 && x->rank != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 1 or 2, not %d", x->rank);
  *rows = x->rank == 2 ? x->dims[0] : 1;
  *features = x->dims[x->rank - 1];
  return ST_OK;
}

static status class_count(const op_ctx *c, int64_t *classes) {
  const int64_t *labels;
  const ir_attr *strs = ir_attr_find(c->n, "classlabels_strings");
  if (strs && strs->n > 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "classlabels_strings: string labels are not supported yet; use "
                           "classlabels_int64s");
  *classes = ints_or_empty(c->n, "classlabels_int64s", &labels);
  if (*classes < 2)
    return diag_node_error(ST_UNSUPPORTED, c->n, "classlabels_int64s has %lld labels; onnxcc takes 2 or more",
                           (long long)*classes);
  return ST_OK;
}

static status trees_infer(op_ctx *c) {
  int64_t rows = 0, features = 0, targets, dims[2];
  status s;
  OP_REQUIRE_INPUT(c, 0);
  if ((s = x_shape(c, &rows, &features))) return s;
  if (is_classifier(c)) {
    if ((s = class_count(c, &targets))) return s;
    dims[0] = rows;
    op_set_output(c, 0, DT_INT64, 1, dims);
    dims[1] = targets;
    op_set_output(c, 1, DT_FLOAT, 2, dims);
    return ST_OK;
  }
  targets = attr_int(c->n, "n_targets", 1);
  if (targets < 1) return diag_node_error(ST_BAD_MODEL, c->n, "n_targets must be at least 1");
  if (op_in(c, 0)->t.dtype == DT_DOUBLE && targets > 64 && attr_int(c->n, "post_transform", 0) != 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "a transform over more than 64 double targets is not supported");
  dims[0] = rows;
  dims[1] = targets;
  op_set_output(c, 0, op_in(c, 0)->t.dtype, 2, dims);
  return ST_OK;
}

/* post_transform and aggregate_function: strings in ml opsets 1 and 3,
 * ints in opset 5 (whose aggregate numbering is AVERAGE, SUM, MIN, MAX). */
static status trees_modes(const op_ctx *c, int32_t *post, int32_t *agg) {
  int i;
  status s;
  if (is_v5(c)) {
    int64_t pt = attr_int(c->n, "post_transform", 0), ag = attr_int(c->n, "aggregate_function", 1);
    static const int32_t v5_aggs[] = {RT_TREE_AVERAGE, RT_TREE_SUM, RT_TREE_MIN, RT_TREE_MAX};
    if (pt < 0 || pt >= RT_TREE_N_POSTS)
      return diag_node_error(ST_BAD_MODEL, c->n, "post_transform is %lld, not 0 to 4", (long long)pt);
    if (ag < 0 || ag > 3) return diag_node_error(ST_BAD_MODEL, c->n, "aggregate_function is %lld, not 0 to 3", (long long)ag);
    *post = (int32_t)pt;
    *agg = v5_aggs[ag];
    return ST_OK;
  }
  if ((s = op_attr_enum(c, "post_transform", "NONE", post_names, RT_TREE_N_POSTS, &i))) return s;
  *post = i;
  if (is_classifier(c)) {
    *agg = RT_TREE_SUM;
    return ST_OK;
  }
  if ((s = op_attr_enum(c, "aggregate_function", "SUM", agg_names, RT_TREE_N_AGGS, &i))) return s;
  *agg = i;
  return ST_OK;
}

/* The classifier's binary case, as ONNX Runtime decides it: two classes
 * and every weight on the same class. */
static void binary_flags(const op_ctx *c, const tmodel *m, rt_tree_params *p) {
  int64_t i;
  p->binary_case = p->targets == 2 && m->n_w > 0;
  p->all_positive = 1;
  for (i = 0; i < m->n_w; i++) {
    if (m->w_target[i] != m->w_target[0]) p->binary_case = 0;
    if (m->w_value[i] < 0) p->all_positive = 0;
  }
  (void)c;
}

static void put(void *table, int dbl, int64_t i, double v) {
  if (dbl) ((double *)table)[i] = v;
  else ((float *)table)[i] = (float)v;
}

/* Packs the model into the two blob constants (layout in trees.h) and
 * wires them in as inputs 1 and 2. */
static void pack(op_ctx *c, const tmodel *m, rt_tree_params *p, const double *base, const int64_t *labels) {
  int64_t ni, nf, dims[1], i;
  int ii, fi;
  int64_t *it;
  void *ft;
  const int dbl = op_in(c, 0)->t.dtype == DT_DOUBLE;
  p->labels_at = m->n_roots;
  p->nodes_at = p->labels_at + (labels ? p->targets : 0);
  p->wtarget_at = p->nodes_at + m->n_nodes * RT_TREE_NODE_FIELDS;
  ni = p->wtarget_at + m->n_w;
  p->split_at = p->n_base;
  p->wvalue_at = p->split_at + m->n_nodes;
  nf = p->wvalue_at + m->n_w + m->n_set;
  dims[0] = ni > 0 ? ni : 1;
  ii = op_add_prepared(c, "tree_nodes", DT_INT64, 1, dims);
  dims[0] = nf > 0 ? nf : 1;
  fi = op_add_prepared(c, "tree_values", dbl ? DT_DOUBLE : DT_FLOAT, 1, dims);
  it = (int64_t *)c->g->values[ii]->t.data;
  ft = c->g->values[fi]->t.data;
  memcpy(it, m->roots, sizeof(int64_t) * (size_t)m->n_roots);
  if (labels) memcpy(it + p->labels_at, labels, sizeof(int64_t) * (size_t)p->targets);
  memcpy(it + p->nodes_at, m->rec, sizeof(int64_t) * (size_t)(m->n_nodes * RT_TREE_NODE_FIELDS));
  memcpy(it + p->wtarget_at, m->w_target, sizeof(int64_t) * (size_t)m->n_w);
  for (i = 0; i < p->n_base; i++) put(ft, dbl, i, base[i]);
  for (i = 0; i < m->n_nodes; i++) put(ft, dbl, p->split_at + i, m->split[i]);
  for (i = 0; i < m->n_w; i++) put(ft, dbl, p->wvalue_at + i, m->w_value[i]);
  /* set members last: move each MEMBER record's start past the rest */
  for (i = 0; i < m->n_set; i++) put(ft, dbl, p->wvalue_at + m->n_w + i, m->set[i]);
  for (i = 0; i < m->n_nodes; i++)
    if (it[p->nodes_at + i * RT_TREE_NODE_FIELDS] == RT_TREE_MEMBER)
      it[p->nodes_at + i * RT_TREE_NODE_FIELDS + 5] += p->wvalue_at + m->n_w;
  /* the node now reads X, the int table and the float table */
  c->n->in = realloc(c->n->in, sizeof(int) * 3);
  c->n->in[1] = ii;
  c->n->in[2] = fi;
  c->n->n_in = 3;
}

static status trees_lower(op_ctx *c, lowered *l) {
  tmodel m;
  rt_tree_params *p;
  double *base = NULL;
  const int64_t *labels = NULL;
  int64_t rows = 0, features = 0, n_base;
  status s;
  memset(&m, 0, sizeof m);
  if (!c->final)
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is a constant; onnxcc does not evaluate tree ensembles at "
                           "compile time");
  if ((s = x_shape(c, &rows, &features))) return s;
  p = op_lower_as(c, l, PD_rt_tree_params, "rt_tree_%s_%s", is_classifier(c) ? "classify" : "regress",
                  op_dtype_suffix(op_in(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rows = rows;
  p->features = features;
  if (is_classifier(c)) {
    if ((s = class_count(c, &p->targets))) return s;
    attr_ints(c->n, "classlabels_int64s", &labels);
  } else {
    p->targets = attr_int(c->n, "n_targets", 1);
  }
  if ((s = trees_modes(c, &p->post, &p->agg))) return s;
  s = is_v5(c) ? v5_model(c, &m) : legacy_model(c, is_classifier(c) ? "class" : "target", &m);
  if (!s) s = check_refs(c, &m, features, p->targets);
  n_base = is_v5(c) ? -1 : attr_numbers(c->n, "base_values", "base_values_as_tensor", &base);
  p->n_base = n_base < 0 ? 0 : n_base;
  if (!s && !is_classifier(c) && p->n_base && p->n_base != p->targets)
    s = diag_node_error(ST_BAD_MODEL, c->n, "base_values has %lld values for %lld targets", (long long)p->n_base,
                        (long long)p->targets);
  if (!s && is_classifier(c) && p->n_base > p->targets)
    s = diag_node_error(ST_BAD_MODEL, c->n, "base_values has %lld values for %lld classes", (long long)p->n_base,
                        (long long)p->targets);
  if (!s) {
    p->trees = m.n_roots;
    p->n_nodes = m.n_nodes;
    if (is_classifier(c)) binary_flags(c, &m, p);
    pack(c, &m, p, base, labels);
    l->scratch_bytes = (size_t)RT_TREE_SCRATCH(p->targets) * (op_in(c, 0)->t.dtype == DT_DOUBLE ? 2 : 1);
  }
  free(base);
  tmodel_free(&m);
  return s;
}

const op_family op_family_trees = {trees_infer, trees_lower, 0, 0};
