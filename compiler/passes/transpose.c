/* transpose: removes the Transposes that layout conversions leave between
 * ops (exporters from NHWC frameworks write one before and after nearly
 * every op; attention writes K^T for a MatMul). Each is a full copy of
 * its tensor. In one forward walk over the nodes:
 *   - Transpose(Transpose(x, p), q) reads x with the composed permutation,
 *     and becomes an Identity when that is the identity (elide, run at
 *     the end of this pass, removes it); the inner one dies with its last
 *     reader (dce);
 *   - a rank-2 Transpose read by a Gemm flips its transA / transB, and
 *     one read by a MatMul of two float or double matrices makes the
 *     MatMul a Gemm with the flag set (opset >= 11, where C is optional);
 *   - an elementwise op that is the only reader of a Transpose runs
 *     before it instead (f(x^T) = f(x)^T): a unary one, or one whose other
 *     inputs are single elements (a Mul by a scale), so that the Transpose moves on
 *     toward the next Transpose, which may cancel it, or a Gemm, which
 *     may absorb it; and an activation comes next to the Conv or Gemm
 *     before it, for fuse-epilogue.
 * A Transpose of a constant is already folded by infer. Each node is
 * looked at once and each rewrite is constant work (a moved Transpose is
 * looked at again when the walk reaches its new place), so the pass is
 * linear in the graph. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* The permutation of Transpose t of a rank-`rank` input (the default
 * reverses the axes); 0 when the attribute does not fit. */
static int perm_of(const ir_node *t, int rank, int64_t *perm) {
  const int64_t *p;
  const int n = attr_ints(t, "perm", &p);
  int k;
  if (n < 0) {
    for (k = 0; k < rank; k++) perm[k] = rank - 1 - k;
    return 1;
  }
  if (n != rank) return 0;
  memcpy(perm, p, sizeof(int64_t) * (size_t)rank);
  return 1;
}

/* The Transpose that produces value v, with its input's rank and its
 * permutation; NULL when v comes from anything else. */
static ir_node *transpose_of(const ir_graph *g, int v, int *rank, int64_t *perm) {
  const ir_value *val = ir_val(g, v);
  ir_node *t;
  if (!val || val->producer < 0 || val->t.data) return NULL;
  t = g->nodes[val->producer];
  if (t->dead || t->op != OP_Transpose || t->n_in < 1 || t->in[0] < 0) return NULL;
  *rank = g->values[t->in[0]]->t.rank;
  return *rank >= 0 && perm_of(t, *rank, perm) ? t : NULL;
}

static void drop_attrs(ir_node *n) {
  int k;
  for (k = 0; k < n->n_attr; k++) ir_attr_free(&n->attr[k]);
  n->n_attr = 0;
}

/* Transpose(Transpose(x, p), q) -> Transpose(x, p o q) or Identity(x). */
static int try_compose(ir_graph *g, ir_node *n, int *identities) {
  int64_t p[IR_MAX_RANK], q[IR_MAX_RANK], r[IR_MAX_RANK];
  int rank, k, same = 1;
  ir_node *inner;
  if (n->op != OP_Transpose || n->n_in < 1 || !(inner = transpose_of(g, n->in[0], &rank, p))) return 0;
  if (!perm_of(n, rank, q)) return 0;
  /* output axis k of n is axis q[k] of the inner output, axis p[q[k]] of x */
  for (k = 0; k < rank; k++) {
    if (q[k] < 0 || q[k] >= rank) return 0;
    r[k] = p[q[k]];
    same &= r[k] == k;
  }
  rw_set_input(g, n, 0, inner->in[0]);
  if (same) {
    rw_set_op(n, "Identity", OP_Identity);
    drop_attrs(n);
    (*identities)++;
  } else {
    rw_set_ints(n, "perm", r, rank);
  }
  return 1;
}

/* Gemm or MatMul input k (0: A, 1: B) read through a rank-2 Transpose:
 * read the Transpose's input and flip the flag. */
static int try_gemm_flags(ir_graph *g, ir_node *n) {
  int64_t p[IR_MAX_RANK];
  int rank, k, changed = 0;
  static const char *const flag[2] = {"transA", "transB"};
  if (n->op == OP_MatMul) {
    const ir_value *a = ir_val(g, n->in[0]), *b = n->n_in > 1 ? ir_val(g, n->in[1]) : NULL;
    if (n->n_in != 2 || !a || !b || a->t.rank != 2 || b->t.rank != 2 || a->t.dtype != b->t.dtype ||
        (a->t.dtype != DT_FLOAT && a->t.dtype != DT_DOUBLE) || op_node_opset(g, n) < 11)
      return 0;
  } else if (n->op != OP_Gemm) {
    return 0;
  }
  for (k = 0; k < 2 && k < n->n_in; k++) {
    ir_node *t = transpose_of(g, n->in[k], &rank, p);
    if (!t || rank != 2 || p[0] != 1 || p[1] != 0) continue;
    if (n->op == OP_MatMul) rw_set_op(n, "Gemm", OP_Gemm);
    rw_set_int(n, flag[k], !attr_int(n, flag[k], 0));
    rw_set_input(g, n, k, t->in[0]);
    changed = 1;
  }
  return changed;
}

static int is_elementwise(int op) {
  switch (op) {
  case OP_Abs: case OP_Clip: case OP_Elu: case OP_Erf: case OP_Exp: case OP_Gelu: case OP_HardSigmoid:
  case OP_LeakyRelu: case OP_Log: case OP_Neg: case OP_Relu: case OP_Sigmoid: case OP_Softplus: case OP_Sqrt:
  case OP_Tanh: case OP_ThresholdedRelu: case OP_HardSwish: case OP_Selu: case OP_Add: case OP_Sub: case OP_Mul:
  case OP_Div:
    return 1;
  default: return 0;
  }
}

static int has_symbolic_dim(const ir_tensor *t) {
  int d;
  for (d = 0; d < t->rank; d++)
    if (t->sym[d]) return 1;
  return 0;
}

/* The input of elementwise node u (at index ui) that a Transpose (index
 * *ti) alone feeds, when every other input is one element of rank <= the
 * data's (it broadcasts the same in either layout: Clip's bounds, the
 * scale of a Mul) produced before that Transpose; -1 otherwise. */
static int pushable_input(const ir_graph *g, const ir_node *u, int *ti) {
  int k, data = -1;
  for (k = 0; k < u->n_in && data < 0; k++)
    if (rw_sole_producer(g, u->in[k], OP_Transpose)) data = k;
  if (data < 0) return -1;
  *ti = g->values[u->in[data]]->producer;
  for (k = 0; k < u->n_in; k++) {
    const ir_value *o = k == data ? NULL : ir_val(g, u->in[k]);
    if (o && (tensor_numel(&o->t) != 1 || o->t.rank > g->values[u->in[data]]->t.rank || o->producer >= *ti ||
              has_symbolic_dim(&o->t)))
      return -1;
  }
  return data;
}

/* u(Transpose(x)) -> Transpose(u(x)) when u is the Transpose's only
 * reader: u computes a new value u' of x's shape in the Transpose's place
 * (index ti), the Transpose reads u' and writes u's output in u's place
 * (index ui). */
static int try_push(ir_graph *g, ir_node *u, int ui) {
  const ir_value *y;
  ir_value *x;
  ir_node *t;
  int ti, mid, k;
  if (!is_elementwise(u->op) || u->n_out != 1 || u->out[0] < 0 || (k = pushable_input(g, u, &ti)) < 0) return 0;
  t = g->nodes[ti];
  if (t->n_in < 1 || t->in[0] < 0) return 0;
  y = g->values[u->out[0]];
  x = g->values[t->in[0]];
  if (y->t.dtype != x->t.dtype || y->t.rank != x->t.rank || x->t.data || x->symvals || x->rank_pad || y->symvals ||
      y->quant || x->quant)
    return 0;
  mid = ir_value_new(g, "pushed");
  g->values[mid]->t = x->t;
  g->values[mid]->t.data = NULL;
  g->values[mid]->uses = 1;
  /* u: x -> mid at index ti; t: mid -> y at index ui */
  g->values[u->in[k]]->producer = -1;
  g->values[u->in[k]]->uses = 0;
  u->in[k] = t->in[0];
  t->in[0] = mid;
  t->out[0] = u->out[0];
  u->out[0] = mid;
  g->nodes[ti] = u;
  g->nodes[ui] = t;
  g->values[mid]->producer = ti;
  g->values[t->out[0]]->producer = ui;
  return 1;
}

status pass_transpose(ir_graph *g) {
  int i, changed = 0, identities = 0;
  ir_count_uses(g);
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    changed |= try_push(g, n, i);
    n = g->nodes[i]; /* try_push put the Transpose here */
    changed |= try_compose(g, n, &identities);
    changed |= try_gemm_flags(g, n);
  }
  if (identities) return pass_elide(g); /* it compacts */
  if (changed) ir_compact(g);
  return ST_OK;
}
