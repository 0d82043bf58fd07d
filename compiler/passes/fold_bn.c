/* fold-bn: an inference BatchNormalization after a Gemm or a
 * ConvTranspose whose weights (and bias) are constants folds into them,
 * as fuse-conv-bn does for Conv (and with its arithmetic, bn_fold_*):
 * output channel m of the node is multiplied by s[m], so its weights for
 * that channel are, and its bias b[m] becomes (b[m] - mean[m]) s[m] +
 * B[m]. One pass over the output instead of two.
 *
 * Gemm: the BatchNormalization's channels are the output's columns N
 * (its input is [M, N]); B's column n (row n when transB) scales by s[n];
 * C must be absent, a scalar, [N] or [1, N] (the new C is [N]: C
 * broadcast down the rows stays one vector) and beta*C is folded, beta
 * becomes 1. ConvTranspose: the weights are [C_in, C_out/group, k...],
 * so output channel m is column m % (C_out/group) of the weights of
 * group m / (C_out/group).
 *
 * A lone BatchNormalization (after anything else) is left as it is: its
 * kernel already computes x * s + t in one pass, which a Mul and an Add
 * would do in two (no epilogue takes a per-channel affine map yet). */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* Writes the folded bias for every channel into a new [channels] constant;
 * old[m * old_step] (old NULL: zero) times `bias_scale` is the old bias. */
static int folded_bias(ir_graph *g, const bn_consts *bc, int64_t channels, const float *old, int64_t old_step,
                       float bias_scale, const float *s) {
  const int id = rw_new_const(g, DT_FLOAT, 1, &channels, "folded_bias");
  float *nb = g->values[id]->t.data;
  int64_t m;
  for (m = 0; m < channels; m++) nb[m] = bn_fold_bias(bc, m, s[m], old ? old[m * old_step] * bias_scale : 0.0f);
  return id;
}

/* The Gemm's new B and C, or 0 when it does not qualify. */
static int fold_gemm(ir_graph *g, ir_node *gemm, const bn_consts *bc, int64_t n_out, const float *s) {
  const ir_value *b = rw_const(g, gemm, 1, DT_FLOAT), *c = NULL;
  const int tb = attr_int(gemm, "transB", 0) != 0;
  int64_t i, j, rows, cols, c_step = 0;
  int w_id;
  float *nw;
  if (!b || b->t.rank != 2 || b->t.dims[tb ? 0 : 1] != n_out) return 0;
  if (gemm->n_in > 2 && gemm->in[2] >= 0) {
    const int64_t cn = (c = rw_const(g, gemm, 2, DT_FLOAT)) ? tensor_numel(&c->t) : -1;
    if (!c || c->t.rank > 2 || (c->t.rank == 2 && c->t.dims[0] != 1)) return 0;
    if (cn == n_out) c_step = 1;
    else if (cn != 1) return 0;
  }
  rows = b->t.dims[0];
  cols = b->t.dims[1];
  w_id = rw_new_const(g, DT_FLOAT, 2, b->t.dims, "folded_weight");
  nw = g->values[w_id]->t.data;
  for (i = 0; i < rows; i++)
    for (j = 0; j < cols; j++) nw[i * cols + j] = ((const float *)b->t.data)[i * cols + j] * s[tb ? i : j];
  rw_set_input(g, gemm, 1, w_id);
  rw_set_input(g, gemm, 2,
               folded_bias(g, bc, n_out, c ? c->t.data : NULL, c_step, attr_float(gemm, "beta", 1.0f), s));
  rw_set_float(gemm, "beta", 1.0f);
  return 1;
}

static int fold_conv_transpose(ir_graph *g, ir_node *ct, const bn_consts *bc, int64_t n_out, const float *s) {
  const ir_value *w = rw_const(g, ct, 1, DT_FLOAT), *b = NULL;
  const int64_t group = attr_int(ct, "group", 1);
  int64_t cin, cog, per, ci, j, k;
  int w_id;
  float *nw;
  if (!w || w->t.rank < 3 || group < 1 || w->t.dims[0] % group || w->t.dims[1] * group != n_out) return 0;
  if (ct->n_in > 2 && ct->in[2] >= 0 && !(b = rw_const(g, ct, 2, DT_FLOAT))) return 0;
  if (b && tensor_numel(&b->t) != n_out) return 0;
  cin = w->t.dims[0];
  cog = w->t.dims[1];
  per = cin * cog > 0 ? tensor_numel(&w->t) / (cin * cog) : 0;
  w_id = rw_new_const(g, DT_FLOAT, w->t.rank, w->t.dims, "folded_weight");
  nw = g->values[w_id]->t.data;
  for (ci = 0; ci < cin; ci++)
    for (j = 0; j < cog; j++) {
      const float sc = s[(ci / (cin / group)) * cog + j];
      const int64_t at = (ci * cog + j) * per;
      for (k = 0; k < per; k++) nw[at + k] = ((const float *)w->t.data)[at + k] * sc;
    }
  rw_set_input(g, ct, 1, w_id);
  rw_set_input(g, ct, 2, folded_bias(g, bc, n_out, b ? b->t.data : NULL, 1, 1.0f, s));
  return 1;
}

static int try_fold(ir_graph *g, ir_node *bn) {
  ir_node *p = NULL;
  const ir_value *x;
  bn_consts bc;
  int64_t m, channels;
  float *s;
  int done = 0, pi;
  if (bn->op != OP_BatchNormalization || bn->n_in < 5 || bn->in[0] < 0 || bn->out[0] < 0) return 0;
  x = g->values[bn->in[0]];
  if (x->t.dtype != DT_FLOAT || x->t.rank < 2 || x->t.sym[1]) return 0;
  if (!(p = rw_sole_producer(g, bn->in[0], OP_Gemm)) && !(p = rw_sole_producer(g, bn->in[0], OP_ConvTranspose)))
    return 0;
  channels = x->t.dims[1];
  if (p->n_out != 1 || !bn_fold_consts(g, bn, channels, &bc)) return 0;
  s = xmalloc(sizeof(float) * (size_t)(channels ? channels : 1));
  for (m = 0; m < channels; m++) s[m] = bn_fold_scale(&bc, m);
  done = p->op == OP_Gemm ? fold_gemm(g, p, &bc, channels, s) : fold_conv_transpose(g, p, &bc, channels, s);
  free(s);
  if (!done) return 0;
  pi = x->producer;
  rw_take_output(g, p, pi, bn);
  rw_kill(g, bn);
  return 1;
}

status pass_fold_bn(ir_graph *g) { return rw_each_node(g, try_fold); }
