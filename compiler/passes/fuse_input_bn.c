/* fuse-input-bn: a BlockedBatchNormalization (an inference
 * BatchNormalization on channel-blocked tensors, with the activation
 * fuse-epilogue may have given it) whose only reader is a BlockedConv of
 * one group with a blocked input becomes part of that conv: the conv's
 * kernel (rt_conv_f32_nchwc_blocked) maps each input value through the
 * BatchNormalization and its activation as it copies its bands of input
 * rows, a copy it makes anyway where it pads and otherwise makes for this.
 *
 * This is DenseNet's pre-activation: every dense layer is Concat ->
 * BatchNormalization -> Relu -> 1x1 Conv, and the BatchNormalization
 * cannot fold into a Conv before it (a Concat is) nor after it (the Relu
 * is in between). Unfused it is one more read and write of the layer's
 * widest tensor: densenet121's 62 of them took 7 % of its run at one
 * thread (2.8 of 40.2 ms, onnxcc run --profile) and scaled worse than
 * the convs at two (1.59 x).
 *
 * Bit for bit the same: the map's factors and shifts are folded at
 * compile time by the runtime's own rt_nchwc_batchnorm_fold (the fold
 * rt_nchwc_batchnorm_f32 does per call), and the copy computes x * a + b
 * and the activation as that kernel does. The conv's padding pads the
 * map's output, so it stays zero. Only where: the BatchNormalization's
 * parameters are float constants of its channels, its output is read by
 * the conv alone (as input X) and is no graph output; the conv reads a
 * blocked X (not a stem's NCHW one), has one group and no input scale yet.
 * The factors, then the shifts, are one constant at the conv's input 4
 * ("onnxcc.in_scale" 1, "onnxcc.in_shift" 1); the activation is
 * "onnxcc.in_act", "onnxcc.in_act_a", "onnxcc.in_act_b" (RT_ACT_* and its
 * parameters, as fuse-epilogue's "onnxcc.act"). Runs after layout-nchwc,
 * which makes the blocked nodes; linear in the graph. */
#include <string.h>

#include "../ops/ops.h"
#include "onnxcc/kernels/nchwc.h"
#include "passes.h"

#define SCALE_SLOT 4

/* BN's four parameters when all are float constants of `channels`
 * values, else 0. */
static int bn_params(const ir_graph *g, const ir_node *bn, int64_t channels, const float *par[4]) {
  int k;
  if (bn->n_in < 5) return 0;
  for (k = 1; k <= 4; k++) {
    const ir_value *v = rw_const(g, bn, k, DT_FLOAT);
    if (!v || tensor_numel(&v->t) != channels) return 0;
    par[k - 1] = (const float *)v->t.data;
  }
  return 1;
}

static int try_fuse(ir_graph *g, ir_node *conv) {
  const float *par[4];
  ir_node *bn;
  const ir_value *x, *w;
  int64_t channels, dims[1];
  float *ab;
  int id;
  if (conv->op != OP_onnxcc_BlockedConv || conv->n_in < 2 || conv->in[0] < 0) return 0;
  x = g->values[conv->in[0]];
  if (x->t.rank != 5 || attr_int(conv, "group", 1) != 1 || ir_attr_find(conv, "onnxcc.in_scale") ||
      (conv->n_in > SCALE_SLOT && conv->in[SCALE_SLOT] >= 0))
    return 0;
  if (!(bn = rw_sole_producer(g, conv->in[0], OP_onnxcc_BlockedBatchNormalization)) || bn->in[0] < 0 ||
      ir_attr_find(bn, "onnxcc.residual"))
    return 0;
  channels = attr_int(bn, "channels", 0);
  w = conv->in[1] >= 0 ? g->values[conv->in[1]] : NULL;
  if (channels < 1 || !w || w->t.rank != 4 || w->t.dims[1] != channels || !bn_params(g, bn, channels, par)) return 0;
  dims[0] = 2 * channels;
  id = rw_new_const(g, DT_FLOAT, 1, dims, "in_bn");
  ab = (float *)g->values[id]->t.data;
  rt_nchwc_batchnorm_fold(par[0], par[1], par[2], par[3], attr_float(bn, "epsilon", 1e-5f), channels, ab,
                          ab + channels);
  rw_set_input(g, conv, SCALE_SLOT, id);
  rw_set_input(g, conv, 0, bn->in[0]);
  rw_set_int(conv, "onnxcc.in_scale", 1);
  rw_set_int(conv, "onnxcc.in_shift", 1);
  rw_set_int(conv, "onnxcc.in_act", attr_int(bn, "onnxcc.act", RT_ACT_NONE));
  rw_set_float(conv, "onnxcc.in_act_a", attr_float(bn, "onnxcc.act_a", 0.0f));
  rw_set_float(conv, "onnxcc.in_act_b", attr_float(bn, "onnxcc.act_b", 0.0f));
  rw_kill(g, bn);
  return 1;
}

status pass_fuse_input_bn(ir_graph *g) { return rw_each_node(g, try_fuse); }

status op_lower_in_shift(const op_ctx *c, int64_t in_ch, int32_t *has_shift, int32_t *act, float *a, float *b) {
  const ir_value *ab = op_in(c, SCALE_SLOT);
  *has_shift = attr_int(c->n, "onnxcc.in_shift", 0) != 0;
  *act = (int32_t)attr_int(c->n, "onnxcc.in_act", RT_ACT_NONE);
  *a = attr_float(c->n, "onnxcc.in_act_a", 0.0f);
  *b = attr_float(c->n, "onnxcc.in_act_b", 0.0f);
  if (*has_shift && (attr_int(c->n, "onnxcc.in_scale", 0) != 1 || !ab || ab->t.dtype != DT_FLOAT ||
                     tensor_numel(&ab->t) != 2 * in_ch))
    return diag_node_error(ST_INTERNAL, c->n, "an input shift without %lld factors and shifts at input %d",
                           (long long)in_ch, SCALE_SLOT);
  return ST_OK;
}
