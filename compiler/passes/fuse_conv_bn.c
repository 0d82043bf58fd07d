/* fuse-conv-bn: a Conv followed by an inference BatchNormalization becomes
 * one Conv with scaled weights and a shifted bias, when the Conv's output
 * feeds only the BatchNormalization and every parameter is constant.
 *   s = scale / sqrt(var + epsilon)
 *   W'[m, ...] = W[m, ...] * s[m]        b'[m] = (b[m] - mean[m]) * s[m] + B[m] */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

static const ir_value *const_float(const ir_graph *g, const ir_node *n, int k) {
  return rw_const(g, n, k, DT_FLOAT);
}

int bn_fold_consts(const ir_graph *g, const ir_node *bn, int64_t channels, bn_consts *p) {
  const ir_value *scale, *shift, *mean, *var;
  int k;
  if (bn->op != OP_BatchNormalization || bn->n_in < 5 || bn->in[0] < 0) return 0;
  for (k = 1; k < bn->n_out; k++)
    if (bn->out[k] >= 0 && g->values[bn->out[k]]->uses > 0) return 0;
  /* before opset 9, spatial=0 meant one scale per element, not per channel */
  if (attr_int(bn, "training_mode", 0) || attr_int(bn, "spatial", 1) != 1) return 0;
  scale = const_float(g, bn, 1);
  shift = const_float(g, bn, 2);
  mean = const_float(g, bn, 3);
  var = const_float(g, bn, 4);
  if (!scale || !shift || !mean || !var || tensor_numel(&scale->t) != channels ||
      tensor_numel(&shift->t) != channels || tensor_numel(&mean->t) != channels || tensor_numel(&var->t) != channels)
    return 0;
  p->scale = scale->t.data;
  p->shift = shift->t.data;
  p->mean = mean->t.data;
  p->var = var->t.data;
  p->eps = attr_float(bn, "epsilon", 1e-5f);
  return 1;
}

float bn_fold_scale(const bn_consts *p, int64_t m) { return p->scale[m] / sqrtf(p->var[m] + p->eps); }

float bn_fold_bias(const bn_consts *p, int64_t m, float s, float bias) { return (bias - p->mean[m]) * s + p->shift[m]; }

static int try_fuse(ir_graph *g, ir_node *bn) {
  const ir_value *x, *w, *b = NULL;
  ir_node *conv;
  bn_consts bc;
  int64_t m, k, per_out, channels;
  int w_id, b_id, conv_i;
  if (bn->op != OP_BatchNormalization || bn->n_in < 5 || bn->in[0] < 0) return 0;
  x = g->values[bn->in[0]];
  if (x->producer < 0 || x->uses != 1 || x->t.dtype != DT_FLOAT) return 0;
  conv = g->nodes[x->producer];
  if (conv->op != OP_Conv || conv->n_out != 1) return 0;
  w = const_float(g, conv, 1);
  if (conv->n_in > 2 && conv->in[2] >= 0 && !(b = const_float(g, conv, 2))) return 0;
  if (!w || w->t.rank < 1) return 0;
  channels = w->t.dims[0];
  if (!bn_fold_consts(g, bn, channels, &bc)) return 0;
  per_out = tensor_numel(&w->t) / (channels ? channels : 1);
  {
    float *nw, *nb;
    const float *ow = w->t.data, *ob = b ? b->t.data : NULL;
    w_id = rw_new_const(g, DT_FLOAT, w->t.rank, w->t.dims, "fused_weight");
    b_id = rw_new_const(g, DT_FLOAT, 1, &channels, "fused_bias");
    nw = g->values[w_id]->t.data;
    nb = g->values[b_id]->t.data;
    for (m = 0; m < channels; m++) {
      const float s = bn_fold_scale(&bc, m);
      for (k = 0; k < per_out; k++) nw[m * per_out + k] = ow[m * per_out + k] * s;
      nb[m] = bn_fold_bias(&bc, m, s, ob ? ob[m] : 0.0f);
    }
  }
  /* Rewire, keeping uses and producers exact as we go: recounting the
   * whole graph after each fusion made the pass quadratic. */
  conv_i = x->producer;
  for (k = 0; k < bn->n_in; k++)
    if (bn->in[k] >= 0) g->values[bn->in[k]]->uses--;
  for (k = 1; k < conv->n_in && k < 3; k++)
    if (conv->in[k] >= 0) g->values[conv->in[k]]->uses--;
  if (conv->n_in < 3) {
    conv->in = xrealloc(conv->in, sizeof(int) * 3);
    conv->n_in = 3;
  }
  conv->in[1] = w_id;
  conv->in[2] = b_id;
  g->values[w_id]->uses = g->values[b_id]->uses = 1;
  /* The Conv now writes the BatchNormalization's output directly. */
  g->values[conv->out[0]]->producer = -1;
  conv->out[0] = bn->out[0];
  g->values[conv->out[0]]->producer = conv_i;
  bn->dead = 1;
  return 1;
}

status pass_fuse_conv_bn(ir_graph *g) {
  int i;
  ir_count_uses(g);
  for (i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) try_fuse(g, g->nodes[i]);
  ir_compact(g);
  return ST_OK;
}
