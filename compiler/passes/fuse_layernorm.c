/* fuse-layernorm: LayerNorm over the last axis as exporters write it
 * before opset 17 (which has no LayerNormalization op),
 *
 *   m = ReduceMean(x)            d = Sub(x, m)        p = Mul(d, d) or Pow(d, 2)
 *   v = ReduceMean(p)            e = Add(v, eps)      s = Sqrt(e)
 *   n = Div(d, s)                y = Add(Mul(n, gamma), beta)
 *
 * becomes one LayerNormalization(x, gamma, beta, axis -1, epsilon eps)
 * node in the final Add's place. Nine kernels (each a pass over the
 * tensor, two of them reductions) become one that reads each row once for
 * its statistics and once to write it: in transformer_encoder each of the
 * four LayerNorms of [128, 256] took about 18 us as nine nodes.
 *
 * Only where it is the same computation: x is float with a last dim C of
 * at least 2 known at compile time; both ReduceMeans keep the rank and
 * leave only the last dim at 1 (any other axis they reduce has size 1,
 * which changes nothing); eps is a constant of one element; gamma and beta
 * are float constants of C values along the last axis (every other dim 1,
 * rank at most x's); each intermediate value has no reader outside the
 * pattern and is not a graph output. The result differs from the nine
 * nodes' by rounding only: the kernel multiplies by 1 / sqrt(v + eps)
 * where the graph divides by sqrt(v + eps). The operand order of the
 * Adds and Muls does not matter. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* The node that computes v with op `op`, read only by the pattern: uses
 * readers in all (a Mul(d, d) reads d twice), no graph output. */
static ir_node *producer(const ir_graph *g, int v, int op, int uses) {
  const ir_value *val = ir_val(g, v);
  ir_node *p;
  int i;
  if (!val || val->producer < 0 || val->uses != uses || val->t.data) return NULL;
  for (i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == v) return NULL;
  p = g->nodes[val->producer];
  return p->dead || p->op != op || p->n_out != 1 || p->out[0] != v ? NULL : p;
}

/* t has x's rank and dims except the last, which is 1. */
static int is_row_stat(const ir_tensor *t, const ir_tensor *x) {
  int d;
  if (t->rank != x->rank || t->sym[x->rank - 1] || t->dims[x->rank - 1] != 1) return 0;
  for (d = 0; d + 1 < x->rank; d++)
    if (t->sym[d] != x->sym[d] || t->dims[d] != x->dims[d]) return 0;
  return 1;
}

/* v is a float constant of C values along the last axis of rank-r x. */
static int is_channel_const(const ir_value *v, int64_t C, int r) {
  int d;
  if (!v || !v->t.data || v->t.dtype != DT_FLOAT || v->t.rank < 1 || v->t.rank > r) return 0;
  for (d = 0; d + 1 < v->t.rank; d++)
    if (v->t.sym[d] || v->t.dims[d] != 1) return 0;
  return !v->t.sym[v->t.rank - 1] && v->t.dims[v->t.rank - 1] == C;
}

/* ReduceMean node r of value v (x's shape) gives row statistics of x. */
static int mean_of_rows(const ir_graph *g, const ir_node *r, int v, const ir_value *x) {
  return r && r->n_in >= 1 && r->in[0] == v && op_same_type_and_shape(&g->values[v]->t, &x->t) &&
         is_row_stat(&g->values[r->out[0]]->t, &x->t);
}

/* sq is Mul(d, d), or Pow(d, 2) with a float constant exponent. */
static int squares(const ir_graph *g, const ir_node *sq, int d) {
  const ir_value *e;
  if (sq->n_in != 2 || sq->in[0] != d) return 0;
  if (sq->op == OP_Mul) return sq->in[1] == d;
  e = ir_val(g, sq->in[1]);
  return e && e->t.data && (e->t.dtype == DT_FLOAT || e->t.dtype == DT_DOUBLE) && tensor_numel(&e->t) == 1 &&
         tensor_double(&e->t, 0) == 2.0;
}

static int try_fuse(ir_graph *g, ir_node *add) {
  ir_node *scale, *div, *sqrt_n, *eps_add, *var, *sq, *sub, *mean, *dead[8];
  const ir_value *x, *gamma, *beta, *eps;
  int d_v, x_v, gamma_v = -1, beta_v = -1, eps_v = -1, k;
  int64_t C;
  if (add->op != OP_Add || add->n_in != 2 || add->n_out != 1 || add->out[0] < 0) return 0;
  /* y = Add(Mul(n, gamma), beta), either order */
  for (k = 0, scale = NULL; k < 2 && !scale; k++) {
    scale = producer(g, add->in[k], OP_Mul, 1);
    beta_v = add->in[1 - k];
  }
  if (!scale || scale->n_in != 2) return 0;
  for (k = 0, div = NULL; k < 2 && !div; k++) {
    div = producer(g, scale->in[k], OP_Div, 1);
    gamma_v = scale->in[1 - k];
  }
  /* n = Div(d, s), s = Sqrt(Add(v, eps)) */
  if (!div || div->n_in != 2 || !(sqrt_n = producer(g, div->in[1], OP_Sqrt, 1)) || sqrt_n->n_in != 1 ||
      !(eps_add = producer(g, sqrt_n->in[0], OP_Add, 1)) || eps_add->n_in != 2)
    return 0;
  for (k = 0, var = NULL; k < 2 && !var; k++) {
    var = producer(g, eps_add->in[k], OP_ReduceMean, 1);
    eps_v = eps_add->in[1 - k];
  }
  /* v = ReduceMean(p), p = Mul(d, d) or Pow(d, 2) */
  d_v = div->in[0];
  if (!var || var->n_in < 1) return 0;
  if (!(sq = producer(g, var->in[0], OP_Mul, 1)) && !(sq = producer(g, var->in[0], OP_Pow, 1))) return 0;
  if (!squares(g, sq, d_v)) return 0;
  /* d = Sub(x, m), m = ReduceMean(x); d is read by the square (once or
   * twice) and the Div */
  if (!(sub = producer(g, d_v, OP_Sub, sq->op == OP_Mul ? 3 : 2)) || sub->n_in != 2 || sub->in[0] < 0) return 0;
  x_v = sub->in[0];
  x = g->values[x_v];
  if (x->t.dtype != DT_FLOAT || x->t.rank < 1 || x->t.sym[x->t.rank - 1] || x->t.dims[x->t.rank - 1] < 2) return 0;
  C = x->t.dims[x->t.rank - 1];
  if (!(mean = producer(g, sub->in[1], OP_ReduceMean, 1)) || !mean_of_rows(g, mean, x_v, x) ||
      !mean_of_rows(g, var, sq->out[0], x))
    return 0;
  if (!op_same_type_and_shape(&g->values[d_v]->t, &x->t) || !op_same_type_and_shape(&g->values[add->out[0]]->t, &x->t))
    return 0;
  gamma = ir_val(g, gamma_v);
  beta = ir_val(g, beta_v);
  eps = ir_val(g, eps_v);
  if (!is_channel_const(gamma, C, x->t.rank) || !is_channel_const(beta, C, x->t.rank) || !eps || !eps->t.data ||
      tensor_numel(&eps->t) != 1 || (eps->t.dtype != DT_FLOAT && eps->t.dtype != DT_DOUBLE))
    return 0;
  /* the final Add becomes the LayerNormalization; the rest die */
  rw_set_op(add, "LayerNormalization", OP_LayerNormalization);
  rw_set_input(g, add, 0, x_v);
  rw_set_input(g, add, 1, gamma_v);
  rw_set_input(g, add, 2, beta_v);
  rw_set_int(add, "axis", -1);
  rw_set_float(add, "epsilon", (float)tensor_double(&eps->t, 0));
  dead[0] = scale, dead[1] = div, dead[2] = sqrt_n, dead[3] = eps_add;
  dead[4] = var, dead[5] = sq, dead[6] = sub, dead[7] = mean;
  for (k = 0; k < 8; k++) rw_kill(g, dead[k]);
  return 1;
}

status pass_fuse_layernorm(ir_graph *g) { return rw_each_node(g, try_fuse); }
