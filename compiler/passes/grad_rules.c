/* The derivative of each forward op the Gradient op differentiates
 * through (grad.h): from dz, the gradient of a node's output z, each rule
 * adds to the gradients of the inputs that depend on an x. Inputs of a
 * broadcasting op get dz summed back down to their own shape. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "grad.h"

static const ir_tensor *T(const grad_ctx *c, int v) { return &c->g->values[v]->t; }

static int wants(const grad_ctx *c, int v) { return v >= 0 && v < c->n_values && c->dep[v]; }

void grad_accumulate(grad_ctx *c, int v, int d) {
  if (!wants(c, v)) return;
  c->grad[v] = c->grad[v] < 0 ? d : ge_bin(c, "Add", c->grad[v], d);
}

/* A forward value a derivative reads must still exist: a constant, an
 * input, or the output of a node that runs. One whose node was folded
 * and whose data was freed as unread is refused rather than guessed. */
static status need(const grad_ctx *c, int v) {
  const ir_value *x = ir_val(c->g, v);
  if (!x || x->t.data || x->graph_input >= 0 || x->capture >= 0 || (c->prod[v] >= 0 && !c->g->nodes[c->prod[v]]->dead))
    return ST_OK;
  return diag_node_error(ST_UNSUPPORTED, c->node, "the derivative needs '%s', which constant folding removed", x->name);
}

/* Input k of broadcasting node n gets d (shaped like n's output). */
static void give_broadcast(grad_ctx *c, const ir_node *n, int k, int d) {
  grad_accumulate(c, n->in[k], ge_unbroadcast(c, d, T(c, n->out[0]), T(c, n->in[k])));
}

static status rule_binary(grad_ctx *c, const ir_node *n, int dz) {
  int a = n->in[0], b = n->in[1], z = n->out[0];
  status s = ST_OK;
  if (n->op == OP_Mul || n->op == OP_Div) s = need(c, b);
  if (!s && n->op == OP_Mul) s = need(c, a);
  if (!s && n->op == OP_Div && wants(c, b)) s = need(c, z);
  if (s) return s;
  if (wants(c, a)) {
    int d = n->op == OP_Mul ? ge_bin(c, "Mul", dz, b) : n->op == OP_Div ? ge_bin(c, "Div", dz, b) : dz;
    give_broadcast(c, n, 0, d);
  }
  if (wants(c, b)) {
    int d = dz;
    if (n->op == OP_Sub) d = ge_unary(c, "Neg", dz);
    if (n->op == OP_Mul) d = ge_bin(c, "Mul", dz, a);
    /* d(a/b)/db = -(a/b)/b */
    if (n->op == OP_Div) d = ge_unary(c, "Neg", ge_bin(c, "Div", ge_bin(c, "Mul", dz, z), b));
    give_broadcast(c, n, 1, d);
  }
  return ST_OK;
}

/* Elementwise ops of one input: dx = dz * f'(x), f' from x or z. */
static status rule_unary(grad_ctx *c, const ir_node *n, int dz) {
  int x = n->in[0], z = n->out[0], d = dz;
  status s = need(c, n->op == OP_Relu || n->op == OP_Log ? x : z);
  if (s) return s;
  if (n->op == OP_Neg) d = ge_unary(c, "Neg", dz);
  if (n->op == OP_Relu) {
    ir_node *cast = ge_node(c, "Cast", 1, ge_bin(c, "Greater", x, ge_scalar(c, 0)), -1);
    ge_attr_int(cast, "to", c->dtype);
    d = ge_bin(c, "Mul", dz, cast->out[0]);
  }
  if (n->op == OP_Sigmoid) d = ge_bin(c, "Mul", dz, ge_bin(c, "Mul", z, ge_bin(c, "Sub", ge_scalar(c, 1), z)));
  if (n->op == OP_Tanh) d = ge_bin(c, "Mul", dz, ge_bin(c, "Sub", ge_scalar(c, 1), ge_bin(c, "Mul", z, z)));
  if (n->op == OP_Exp) d = ge_bin(c, "Mul", dz, z);
  if (n->op == OP_Log) d = ge_bin(c, "Div", dz, x);
  if (n->op == OP_Sqrt) d = ge_bin(c, "Div", ge_bin(c, "Mul", dz, ge_scalar(c, 0.5)), z);
  grad_accumulate(c, x, d);
  return ST_OK;
}

/* p - 1, but 0 where p is 0: x ^ 0 is constant, and 0 * x ^ -1 would
 * be NaN at x = 0. */
static int pow_exponent(grad_ctx *c, const ir_tensor *p) {
  int e = ge_shifted(c, p, -1);
  ir_tensor *t = &c->g->values[e]->t;
  int64_t i, n = tensor_numel(t);
  for (i = 0; i < n; i++)
    if (tensor_double(p, i) == 0) {
      if (c->dtype == DT_DOUBLE) ((double *)t->data)[i] = 0;
      else ((float *)t->data)[i] = 0;
    }
  return e;
}

/* x ^ p with p a constant: dx = dz * p * x ^ (p - 1). */
static status rule_pow(grad_ctx *c, const ir_node *n, int dz) {
  const ir_value *p = ir_val(c->g, n->in[1]);
  int d;
  status s = need(c, n->in[0]);
  if (s) return s;
  if (!p || !p->t.data || wants(c, n->in[1]))
    return diag_node_error(ST_UNSUPPORTED, c->node,
                           "Pow node '%s' has an exponent that is not a constant; Gradient differentiates Pow "
                           "with a constant exponent only",
                           n->name);
  d = ge_bin(c, "Mul", ge_bin(c, "Mul", dz, ge_shifted(c, &p->t, 0)),
             ge_bin(c, "Pow", n->in[0], pow_exponent(c, &p->t)));
  give_broadcast(c, n, 0, d);
  return ST_OK;
}

/* Ops that only give their input another shape: the gradient takes the
 * input's shape back. */
static status rule_reshape(grad_ctx *c, const ir_node *n, int dz) {
  grad_accumulate(c, n->in[0], ge_reshape(c, dz, T(c, n->out[0]), T(c, n->in[0])));
  return ST_OK;
}

static status rule_transpose(grad_ctx *c, const ir_node *n, int dz) {
  int64_t perm[IR_MAX_RANK], inv[IR_MAX_RANK];
  const int64_t *p;
  int rank = T(c, n->in[0])->rank, k;
  int count = attr_ints(n, "perm", &p);
  for (k = 0; k < rank; k++) perm[k] = count == rank ? p[k] : rank - 1 - k;
  for (k = 0; k < rank; k++) inv[perm[k]] = k;
  grad_accumulate(c, n->in[0], ge_transpose(c, dz, rank, inv));
  return ST_OK;
}

/* A rank-1 MatMul operand as the matrix the spec makes of it: [1, k] on
 * the left, [k, 1] on the right. */
static void as_matrix(const ir_tensor *t, int left, ir_tensor *m) {
  *m = *t;
  if (t->rank != 1) return;
  m->rank = 2;
  m->dims[left ? 0 : 1] = 1;
  m->dims[left ? 1 : 0] = t->dims[0];
}

/* z = a @ b over broadcast batch dims: da = dz @ b^T, db = a^T @ dz,
 * each summed over the batch dims its operand was broadcast along. */
static status rule_matmul(grad_ctx *c, const ir_node *n, int dz) {
  int a = n->in[0], b = n->in[1], r, k;
  ir_tensor a2, b2, z2, f;
  status s = need(c, a);
  if (!s) s = need(c, b);
  if (s) return s;
  as_matrix(T(c, a), 1, &a2);
  as_matrix(T(c, b), 0, &b2);
  z2 = a2;
  r = z2.rank = a2.rank > b2.rank ? a2.rank : b2.rank;
  for (k = 0; k < r - 2; k++) {
    int ka = k - (r - a2.rank), kb = k - (r - b2.rank);
    int64_t da = ka >= 0 ? a2.dims[ka] : 1, db = kb >= 0 ? b2.dims[kb] : 1;
    z2.dims[k] = da == 1 ? db : da;
  }
  z2.dims[r - 2] = a2.dims[a2.rank - 2];
  z2.dims[r - 1] = b2.dims[b2.rank - 1];
  dz = ge_reshape(c, dz, T(c, n->out[0]), &z2);
  if (wants(c, a)) {
    int d = ge_bin(c, "MatMul", dz, ge_swap_last(c, ge_reshape(c, b, T(c, b), &b2), b2.rank));
    f = z2;
    f.dims[r - 1] = a2.dims[a2.rank - 1];
    grad_accumulate(c, a, ge_reshape(c, ge_unbroadcast(c, d, &f, &a2), &a2, T(c, a)));
  }
  if (wants(c, b)) {
    int d = ge_bin(c, "MatMul", ge_swap_last(c, ge_reshape(c, a, T(c, a), &a2), a2.rank), dz);
    f = z2;
    f.dims[r - 2] = b2.dims[b2.rank - 2];
    grad_accumulate(c, b, ge_reshape(c, ge_unbroadcast(c, d, &f, &b2), &b2, T(c, b)));
  }
  return ST_OK;
}

/* y = alpha * A' @ B' + beta * C, A' and B' transposed per transA and
 * transB: dA' = alpha dy B'^T, dB' = alpha A'^T dy, dC = beta dy summed
 * down to C's shape. */
static status rule_gemm(grad_ctx *c, const ir_node *n, int dz) {
  int a = n->in[0], b = n->in[1], ta = (int)attr_int(n, "transA", 0), tb = (int)attr_int(n, "transB", 0);
  double alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
  int dza = alpha != 1.0 ? ge_bin(c, "Mul", dz, ge_scalar(c, alpha)) : dz;
  status s = need(c, a);
  if (!s) s = need(c, b);
  if (s) return s;
  if (wants(c, a)) {
    int d = ge_bin(c, "MatMul", dza, tb ? b : ge_swap_last(c, b, 2));
    grad_accumulate(c, a, ta ? ge_swap_last(c, d, 2) : d);
  }
  if (wants(c, b)) {
    int d = ge_bin(c, "MatMul", ta ? a : ge_swap_last(c, a, 2), dza);
    grad_accumulate(c, b, tb ? ge_swap_last(c, d, 2) : d);
  }
  if (n->n_in > 2 && wants(c, n->in[2]))
    give_broadcast(c, n, 2, beta != 1.0 ? ge_bin(c, "Mul", dz, ge_scalar(c, beta)) : dz);
  return ST_OK;
}

/* The axes a ReduceSum / ReduceMean reduces, as flags per axis of x. */
static status reduced_axes(grad_ctx *c, const ir_node *n, int rank, unsigned char *flag, int *none) {
  int64_t axes[IR_MAX_RANK];
  const int64_t *p;
  int count = 0, k;
  int from_input = c->opset >= (n->op == OP_ReduceSum ? 13 : 18);
  if (from_input && n->n_in > 1 && n->in[1] >= 0) {
    const ir_value *v = ir_val(c->g, n->in[1]);
    if (!v->t.data || tensor_numel(&v->t) > rank)
      return diag_node_error(ST_UNSUPPORTED, c->node, "%s node '%s' has axes that are not a constant", n->op_type,
                             n->name);
    count = (int)tensor_numel(&v->t);
    for (k = 0; k < count; k++) axes[k] = tensor_int(&v->t, k);
  } else if (!from_input) {
    count = attr_ints(n, "axes", &p);
    if (count > rank) return diag_node_error(ST_BAD_MODEL, n, "more axes than dims");
    for (k = 0; k < count; k++) axes[k] = p[k];
  }
  *none = count <= 0 && attr_int(n, "noop_with_empty_axes", 0);
  for (k = 0; k < rank; k++) flag[k] = count <= 0;
  for (k = 0; k < count; k++) {
    int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
    /* the node's own inference took these axes; this only keeps a slip
     * from writing outside flag */
    if (a < 0 || a >= rank) return diag_node_error(ST_BAD_MODEL, n, "axis %lld is out of range", (long long)axes[k]);
    flag[a] = 1;
  }
  return ST_OK;
}

/* Each element of x reaches the one output element its reduced axes fold
 * it into: dz brought back to x's rank (1s on reduced axes), broadcast to
 * x's shape, divided by the count for a mean. */
static status rule_reduce(grad_ctx *c, const ir_node *n, int dz) {
  const ir_tensor *x = T(c, n->in[0]);
  unsigned char flag[IR_MAX_RANK];
  ir_tensor kept = *x;
  int64_t count = 1;
  int none = 0, k, d;
  status s = reduced_axes(c, n, x->rank, flag, &none);
  if (s) return s;
  if (none) return rule_reshape(c, n, dz);
  for (k = 0; k < x->rank; k++)
    if (flag[k]) {
      count *= x->dims[k];
      kept.dims[k] = 1;
    }
  d = ge_expand(c, ge_reshape(c, dz, T(c, n->out[0]), &kept), &kept, x);
  if (n->op == OP_ReduceMean && count > 0) d = ge_bin(c, "Mul", d, ge_scalar(c, 1.0 / (double)count));
  grad_accumulate(c, n->in[0], d);
  return ST_OK;
}

status grad_rule(grad_ctx *c, const ir_node *n) {
  int dz = c->grad[n->out[0]];
  switch (n->op) {
    case OP_Add: case OP_Sub: case OP_Mul: case OP_Div: return rule_binary(c, n, dz);
    case OP_Identity: case OP_Neg: case OP_Relu: case OP_Sigmoid: case OP_Tanh: case OP_Exp: case OP_Log:
    case OP_Sqrt: return rule_unary(c, n, dz);
    case OP_Pow: return rule_pow(c, n, dz);
    case OP_Reshape: case OP_Flatten: case OP_Squeeze: case OP_Unsqueeze: return rule_reshape(c, n, dz);
    case OP_Transpose: return rule_transpose(c, n, dz);
    case OP_MatMul: return rule_matmul(c, n, dz);
    case OP_Gemm: return rule_gemm(c, n, dz);
    case OP_ReduceSum: case OP_ReduceMean: return rule_reduce(c, n, dz);
    default: break;
  }
  return grad_rule_refuse(c, n);
}

status grad_rule_refuse(const grad_ctx *c, const ir_node *n) {
  return diag_node_error(ST_UNSUPPORTED, c->node,
                         "y depends on the xs through %s node '%s', whose derivative Gradient does not know yet "
                         "(it knows Identity, Add, Sub, Mul, Div, Neg, MatMul, Gemm, Relu, Sigmoid, Tanh, Exp, Log, "
                         "Sqrt, Pow with a constant exponent, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, "
                         "ReduceSum and ReduceMean)",
                         n->op_type, n->name);
}
