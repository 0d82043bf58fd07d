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
  const ir_value *v = k < n->n_in ? ir_val(g, n->in[k]) : NULL;
  return v && v->t.data && v->t.dtype == DT_FLOAT ? v : NULL;
}

/* A new constant value holding `t`'s shape and fresh zeroed data. */
static int new_const_like(ir_graph *g, const ir_tensor *t, const char *hint) {
  int id = ir_value_new(g, hint);
  ir_value *v = g->values[id];
  v->t = *t;
  v->t.data = xcalloc(1, tensor_bytes(t) + 1);
  return id;
}

static int try_fuse(ir_graph *g, ir_node *bn) {
  const ir_value *x, *scale, *shift, *mean, *var, *w, *b = NULL;
  ir_node *conv;
  int64_t m, k, per_out, channels;
  int w_id, b_id, conv_i;
  float eps;
  if (bn->op != OP_BatchNormalization || bn->n_in < 5 || bn->in[0] < 0) return 0;
  for (k = 1; k < bn->n_out; k++)
    if (bn->out[k] >= 0 && g->values[bn->out[k]]->uses > 0) return 0;
  if (attr_int(bn, "training_mode", 0)) return 0;
  x = g->values[bn->in[0]];
  if (x->producer < 0 || x->uses != 1 || x->t.dtype != DT_FLOAT) return 0;
  conv = g->nodes[x->producer];
  if (conv->op != OP_Conv || conv->n_out != 1) return 0;
  scale = const_float(g, bn, 1);
  shift = const_float(g, bn, 2);
  mean = const_float(g, bn, 3);
  var = const_float(g, bn, 4);
  w = const_float(g, conv, 1);
  if (conv->n_in > 2 && conv->in[2] >= 0 && !(b = const_float(g, conv, 2))) return 0;
  if (!scale || !shift || !mean || !var || !w || w->t.rank < 1) return 0;
  channels = w->t.dims[0];
  if (tensor_numel(&scale->t) != channels || tensor_numel(&shift->t) != channels ||
      tensor_numel(&mean->t) != channels || tensor_numel(&var->t) != channels)
    return 0;
  eps = attr_float(bn, "epsilon", 1e-5f);
  per_out = tensor_numel(&w->t) / (channels ? channels : 1);
  {
    ir_tensor bias_t = {DT_FLOAT, 1, {channels}, {0}, NULL};
    float *nw, *nb;
    const float *ow = w->t.data, *ob = b ? b->t.data : NULL;
    w_id = new_const_like(g, &w->t, "fused_weight");
    b_id = new_const_like(g, &bias_t, "fused_bias");
    nw = g->values[w_id]->t.data;
    nb = g->values[b_id]->t.data;
    for (m = 0; m < channels; m++) {
      const float s = ((const float *)scale->t.data)[m] / sqrtf(((const float *)var->t.data)[m] + eps);
      for (k = 0; k < per_out; k++) nw[m * per_out + k] = ow[m * per_out + k] * s;
      nb[m] = ((ob ? ob[m] : 0.0f) - ((const float *)mean->t.data)[m]) * s + ((const float *)shift->t.data)[m];
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
