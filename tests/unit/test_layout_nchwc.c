/* layout-nchwc: the op sequence before and after the pass. Chains of
 * convs (group 1 and depthwise) become BlockedConvs with one ToBlocked
 * where the chain starts and one FromBlocked where an NCHW reader (another
 * op, a graph output) needs a value; channel Concats of whole blocks,
 * MaxPool, BatchNormalization and activations inside a chain go blocked
 * too, but start none; a first conv of 3 channels reads its NCHW input
 * itself; a lone conv and every conv of a bare-metal target stay as they
 * are. The blocked values'
 * shapes and the explicit pads are checked too; the numbers are the models
 * suite's (torchvision's resnets and mobilenets against ONNX Runtime). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "onnxcc/kernels/nchwc.h"
#include "suites.h"
#include "unit_graph.h"

/* x [1, cin, h, h] -> Conv(w1: c1 x cin/g1 x k1 x k1, group g1, same
 * pads, stride st) -> "a" -> Conv(w2: c2 x c1 x 1 x 1) -> "y" (a graph
 * output). */
static ir_graph *chain_on(int64_t cin, int64_t c1, int64_t g1, int64_t k1, int64_t c2, int64_t h, int64_t st) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, cin, h, h}, w1[4] = {c1, cin / g1, k1, k1}, w2[4] = {c2, c1, 1, 1};
  const int64_t pads[4] = {k1 / 2, k1 / 2, k1 / 2, k1 / 2}, strides[2] = {st, st};
  ir_node *n;
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "w1", 4, w1, 1);
  unit_value(g, "w2", 4, w2, 1);
  n = unit_node(g, "Conv", "a", 2, "x", "w1");
  rw_set_ints(n, "pads", pads, 4);
  if (st != 1) rw_set_ints(n, "strides", strides, 2);
  if (g1 != 1) rw_set_int(n, "group", g1);
  unit_node(g, "Conv", "y", 2, "a", "w2");
  unit_output(g, "y");
  return g;
}

/* The same on an 8x8 plane at stride 1. */
static ir_graph *chain(int64_t cin, int64_t c1, int64_t g1, int64_t k1, int64_t c2) {
  return chain_on(cin, c1, g1, k1, c2, 8, 1);
}

static const ir_value *value(const ir_graph *g, const char *name) { return g->values[ir_find(g, name)]; }

/* Node i's output shape is [1, blocks, 8, 8, 16]. */
static void check_blocked_output(const ir_graph *g, int i, int64_t blocks) {
  const ir_tensor *t = &g->values[g->nodes[i]->out[0]]->t;
  ck_assert_int_eq(t->rank, 5);
  ck_assert(t->dims[0] == 1 && t->dims[1] == blocks && t->dims[2] == 8 && t->dims[3] == 8 && t->dims[4] == 16);
}

START_TEST(layout_chain_of_two) {
  ir_graph *g = chain(16, 40, 1, 3, 32);
  const int64_t *pads;
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  check_blocked_output(g, 0, 1);
  check_blocked_output(g, 1, 3);
  check_blocked_output(g, 2, 2);
  ck_assert_str_eq(g->nodes[1]->domain, "onnxcc");
  /* explicit pads, as BlockedConv takes them */
  ck_assert_int_eq(attr_ints(g->nodes[1], "pads", &pads), 4);
  ck_assert(pads[0] == 1 && pads[1] == 1 && pads[2] == 1 && pads[3] == 1);
  /* the graph output keeps its name and NCHW shape, now from FromBlocked */
  ck_assert_int_eq(value(g, "y")->producer, 3);
  ck_assert_int_eq(attr_int(g->nodes[3], "channels", 0), 32);
  ck_assert_int_eq(value(g, "y")->t.rank, 4);
  ck_assert_int_eq(value(g, "y")->t.dims[1], 32);
  /* "a" is read by nobody now: only its blocked twin is */
  ck_assert_int_eq(value(g, "a")->uses, 0);
  ir_free(g);
}
END_TEST

/* A depthwise conv and the 1x1 after it: both blocked, the depthwise
 * one keeping its group. */
START_TEST(layout_depthwise_chain) {
  ir_graph *g = chain(32, 32, 32, 3, 16);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_int(g->nodes[1], "group", 1), 32);
  check_blocked_output(g, 1, 2);
  ir_free(g);
}
END_TEST

/* A value both a blocked conv and an NCHW reader read: one FromBlocked
 * right after its conv, the blocked reader keeps the blocked twin. */
START_TEST(layout_shared_value) {
  ir_graph *g = chain(16, 32, 1, 1, 32);
  unit_output(g, "a");
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv",
                  "ToBlocked,BlockedConv,FromBlocked,BlockedConv,FromBlocked");
  ck_assert_int_eq(value(g, "a")->producer, 2);
  ck_assert_int_eq(g->nodes[3]->in[0], g->nodes[1]->out[0]);
  ir_free(g);
}
END_TEST

/* An op between the convs that no blocked kernel runs breaks the chain
 * into two lone convs, which stay NCHW. */
START_TEST(layout_lone_convs) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, 16, 8, 8}, w[4] = {16, 16, 1, 1};
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "w", 4, w, 1);
  unit_node(g, "Conv", "a", 2, "x", "w");
  unit_node(g, "Sin", "b", 1, "a");
  unit_node(g, "Conv", "y", 2, "b", "w");
  unit_output(g, "y");
  unit_check_pass(g, pass_layout_nchwc, "Conv,Sin,Conv", "Conv,Sin,Conv");
  ir_free(g);
}
END_TEST

/* Two convs on a 1x1 plane (a squeeze-excitation block's FCs) are
 * matrix-vector products: no candidates. */
START_TEST(layout_one_position) {
  ir_graph *g = chain(16, 32, 1, 1, 32);
  g->values[ir_find(g, "x")]->t.dims[2] = g->values[ir_find(g, "x")]->t.dims[3] = 1;
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "Conv,Conv");
  ir_free(g);
}
END_TEST

/* Channel counts that blocks pad: mobilenet_v3_small's 72 -> 24 and
 * 24 -> 88 convs do 1.48x and 1.45x the products in blocks and are
 * blocked (a 28x28 region of four convs that stayed NCHW between two
 * layout changes); 40 -> 20 -> 40 would do 1.92x and stays. */
START_TEST(layout_padded_channels) {
  ir_graph *g = chain(72, 24, 1, 1, 88);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  ir_free(g);
  g = chain(40, 20, 1, 1, 40);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "Conv,Conv");
  ir_free(g);
}
END_TEST

/* A 3-channel first conv would do 5x the products in blocks: it becomes
 * a stem, a BlockedConv that reads x's planes as they are (no ToBlocked)
 * and writes blocks. Into 20 channels (32 in blocks, 1.6x the products)
 * it is no stem and stays, and the conv after it is then alone. */
START_TEST(layout_few_channels) {
  ir_graph *g = chain(3, 32, 1, 3, 32);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "BlockedConv,BlockedConv,FromBlocked");
  ck_assert_int_eq(g->nodes[0]->in[0], ir_find(g, "x"));
  ck_assert_int_eq(value(g, "x")->t.rank, 4);
  check_blocked_output(g, 0, 2);
  check_blocked_output(g, 1, 2);
  ir_free(g);
  g = chain(3, 20, 1, 3, 32);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "Conv,Conv");
  ir_free(g);
}
END_TEST

/* x -> Conv "a" and Conv "b" (16 -> ca, cb channels) -> Concat(a, b) ->
 * Conv "y" (16 channels). */
static ir_graph *fire(int64_t ca, int64_t cb) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, 16, 8, 8}, wa[4] = {ca, 16, 1, 1}, wb[4] = {cb, 16, 3, 3}, wy[4] = {16, ca + cb, 1, 1};
  const int64_t pads[4] = {1, 1, 1, 1};
  ir_node *n;
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "wa", 4, wa, 1);
  unit_value(g, "wb", 4, wb, 1);
  unit_value(g, "wy", 4, wy, 1);
  unit_node(g, "Conv", "a", 2, "x", "wa");
  n = unit_node(g, "Conv", "b", 2, "x", "wb");
  rw_set_ints(n, "pads", pads, 4);
  n = unit_node(g, "Concat", "c", 2, "a", "b");
  rw_set_int(n, "axis", -3);
  unit_node(g, "Conv", "y", 2, "c", "wy");
  unit_output(g, "y");
  return g;
}

/* A Concat of whole blocks along the channels stays a Concat, of the
 * blocked tensors along their axis 1; one ToBlocked serves both convs. */
START_TEST(layout_concat) {
  ir_graph *g = fire(32, 48);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv,Concat,Conv",
                  "ToBlocked,BlockedConv,BlockedConv,Concat,BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_int(g->nodes[3], "axis", 0), 1);
  check_blocked_output(g, 3, 5);
  ck_assert_int_eq(g->nodes[1]->in[0], g->nodes[2]->in[0]);
  ir_free(g);
}
END_TEST

/* 24 channels are not whole blocks: the Concat stays NCHW, which leaves
 * every conv without a blocked neighbour (two readers of one input are
 * not neighbours): nothing changes. */
START_TEST(layout_concat_partial_block) {
  ir_graph *g = fire(24, 40);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv,Concat,Conv",
                  "Conv,Conv,Concat,Conv");
  ir_free(g);
}
END_TEST

/* x -> Conv(first_channels -> 32) "a" -> pool 3x3 s2 (MaxPool or
 * AveragePool) -> "m" -> Conv(32 -> 32) "y". */
static ir_graph *pooled_by(int64_t first_channels, const char *pool) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, first_channels, 9, 9}, wa[4] = {32, first_channels, 1, 1}, wy[4] = {32, 32, 1, 1};
  const int64_t k[2] = {3, 3}, s[2] = {2, 2};
  ir_node *n;
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "wa", 4, wa, 1);
  unit_value(g, "wy", 4, wy, 1);
  unit_node(g, "Conv", "a", 2, "x", "wa");
  n = unit_node(g, pool, "m", 1, "a");
  rw_set_ints(n, "kernel_shape", k, 2);
  rw_set_ints(n, "strides", s, 2);
  rw_set_int(n, "ceil_mode", 1);
  unit_node(g, "Conv", "y", 2, "m", "wy");
  unit_output(g, "y");
  return g;
}

static ir_graph *pooled(int64_t first_channels) { return pooled_by(first_channels, "MaxPool"); }

/* A MaxPool inside a chain is blocked, with the output dims its inference
 * gave (ceil_mode: 9 -> 4); after a stem (resnet's first conv) too, and no
 * layout change is left. It starts no chain: after a conv that no blocked
 * kernel runs (here one of 6 channels into 20, neither blocked nor a
 * stem) it stays, and the conv after it is then alone. */
START_TEST(layout_maxpool) {
  ir_graph *g = pooled(16);
  const int64_t *out;
  unit_check_pass(g, pass_layout_nchwc, "Conv,MaxPool,Conv",
                  "ToBlocked,BlockedConv,BlockedMaxPool,BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_ints(g->nodes[2], "onnxcc.out", &out), 2);
  ck_assert(out[0] == 4 && out[1] == 4);
  ck_assert_int_eq(g->values[g->nodes[2]->out[0]]->t.dims[2], 4);
  ir_free(g);
  g = pooled(3);
  unit_check_pass(g, pass_layout_nchwc, "Conv,MaxPool,Conv", "BlockedConv,BlockedMaxPool,BlockedConv,FromBlocked");
  ir_free(g);
  g = pooled(6);
  g->values[ir_find(g, "wa")]->t.dims[0] = 20;
  g->values[ir_find(g, "wy")]->t.dims[1] = 20;
  unit_check_pass(g, pass_layout_nchwc, "Conv,MaxPool,Conv", "Conv,MaxPool,Conv");
  ir_free(g);
}
END_TEST

/* An AveragePool inside a chain is blocked the same way, keeping its
 * count_include_pad, and lowers to rt_nchwc_avgpool_f32 with it; not
 * after a conv that stays NCHW. */
START_TEST(layout_avgpool) {
  static const int64_t pads[4] = {1, 1, 0, 0};
  ir_graph *g = pooled_by(16, "AveragePool");
  const int64_t *out;
  char kernel[64];
  int i, found = 0;
  rw_set_int(g->nodes[1], "count_include_pad", 1); /* the pool */
  unit_check_pass(g, pass_layout_nchwc, "Conv,AveragePool,Conv",
                  "ToBlocked,BlockedConv,BlockedAveragePool,BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_ints(g->nodes[2], "onnxcc.out", &out), 2);
  ck_assert(out[0] == 4 && out[1] == 4);
  ck_assert_int_eq(attr_int(g->nodes[2], "count_include_pad", 0), 1);
  /* inference runs again over the blocked ops (no schema check for the
   * compiler's own ops, which have none) and gives the same types */
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(g->values[g->nodes[2]->out[0]]->t.rank, 5);
  ck_assert_int_eq(g->values[g->nodes[2]->out[0]]->t.dims[2], 4);
  ir_free(g);
  /* padded on top and left (9 + 1 -> 5 with ceil_mode), through the
   * whole pipeline */
  g = pooled_by(16, "AveragePool");
  rw_set_ints(g->nodes[1], "pads", pads, 4);
  rw_set_int(g->nodes[1], "count_include_pad", 1);
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  for (i = 0; i < g->n_nodes; i++) {
    const rt_pool_params *p = (const rt_pool_params *)g->nodes[i]->low->params;
    if (strcmp(kernel_get(g->nodes[i]->low->kernel)->name, "rt_nchwc_avgpool_f32") != 0) continue;
    found++;
    ck_assert_int_eq(p->count_include_pad, 1);
    ck_assert(p->pads[1] == 1 && p->pads[2] == 1 && p->out_dims[1] == 5 && p->out_dims[2] == 5);
    ck_assert(p->kernel[1] == 3 && p->strides[2] == 2 && p->planes == 2);
  }
  ck_assert_int_eq(found, 1);
  ir_free(g);
  g = pooled_by(6, "AveragePool");
  g->values[ir_find(g, "wa")]->t.dims[0] = 20;
  g->values[ir_find(g, "wy")]->t.dims[1] = 20;
  unit_check_pass(g, pass_layout_nchwc, "Conv,AveragePool,Conv", "Conv,AveragePool,Conv");
  ir_free(g);
}
END_TEST

/* x -> Conv(16 -> 32) -> BatchNormalization -> Relu -> Conv(32 -> 32)
 * (densenet's pre-activation), both followers blocked; with bn_first the
 * BatchNormalization and Relu come before the first conv and start no
 * chain. */
static ir_graph *pre_activation(int bn_first) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, 16, 6, 6}, w1[4] = {32, 16, 1, 1}, w2[4] = {32, 32, 1, 1}, c32[1] = {32}, c16[1] = {16};
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "w1", 4, w1, 1);
  unit_value(g, "w2", 4, w2, 1);
  unit_value(g, "s", 1, bn_first ? c16 : c32, 1);
  unit_value(g, "b", 1, bn_first ? c16 : c32, 1);
  unit_value(g, "m", 1, bn_first ? c16 : c32, 1);
  unit_value(g, "v", 1, bn_first ? c16 : c32, 1);
  if (bn_first) {
    unit_node(g, "BatchNormalization", "n", 5, "x", "s", "b", "m", "v");
    unit_node(g, "Relu", "r", 1, "n");
    unit_node(g, "Conv", "a", 2, "r", "w1");
    unit_node(g, "Conv", "y", 2, "a", "w2");
  } else {
    unit_node(g, "Conv", "a", 2, "x", "w1");
    unit_node(g, "BatchNormalization", "n", 5, "a", "s", "b", "m", "v");
    unit_node(g, "Relu", "r", 1, "n");
    unit_node(g, "Conv", "y", 2, "r", "w2");
  }
  unit_output(g, "y");
  return g;
}

START_TEST(layout_followers) {
  ir_graph *g = pre_activation(0);
  unit_check_pass(g, pass_layout_nchwc, "Conv,BatchNormalization,Relu,Conv",
                  "ToBlocked,BlockedConv,BlockedBatchNormalization,Relu,BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_int(g->nodes[2], "channels", 0), 32);
  ck_assert_int_eq(g->values[g->nodes[3]->out[0]]->t.rank, 5);
  ir_free(g);
  g = pre_activation(1);
  unit_check_pass(g, pass_layout_nchwc, "BatchNormalization,Relu,Conv,Conv",
                  "BatchNormalization,Relu,ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  ir_free(g);
}
END_TEST

/* A squeeze-excitation block as the fusions leave it: x -> Conv "a"
 * (16 -> 32) -> GlobalAveragePool "p" (an output here, the FCs' input in a
 * model) and Conv "y" (32 -> 32) with "a" scaled by "s" [1, 32, 1, 1]
 * (fuse-channel-scale's input 4). The pool reads blocks and writes NCHW,
 * the scaled conv is blocked with its NCHW scale. */
START_TEST(layout_squeeze_excitation) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, 16, 6, 6}, w1[4] = {32, 16, 1, 1}, w2[4] = {32, 32, 1, 1}, sd[4] = {1, 32, 1, 1};
  ir_node *n;
  char seq[256];
  int k;
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "s", 4, sd, 0);
  unit_value(g, "w1", 4, w1, 1);
  unit_value(g, "w2", 4, w2, 1);
  unit_node(g, "Conv", "a", 2, "x", "w1");
  unit_node(g, "GlobalAveragePool", "p", 1, "a");
  n = unit_node(g, "Conv", "y", 2, "a", "w2");
  unit_output(g, "p");
  unit_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  /* the scale as fuse-channel-scale attaches it, after inference */
  n->in = xrealloc(n->in, sizeof(int) * 5);
  for (k = 2; k < 4; k++) n->in[k] = -1;
  n->in[4] = ir_find(g, "s");
  n->n_in = 5;
  rw_set_int(n, "onnxcc.in_scale", 1);
  ck_assert_int_eq(pass_layout_nchwc(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "the pass", 1), ST_OK);
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "ToBlocked,BlockedConv,BlockedGlobalAveragePool,BlockedConv,FromBlocked");
  ck_assert_str_eq(g->values[g->nodes[3]->in[4]]->name, "s");
  ck_assert_int_eq(g->values[ir_find(g, "p")]->t.rank, 4);
  ck_assert_int_eq(g->values[ir_find(g, "p")]->producer, 2);
  ck_assert_int_eq(attr_int(g->nodes[2], "channels", 0), 32);
  ir_free(g);
}
END_TEST

/* chain(16, 32, 1, 3, 32) with "y" averaged by a ReduceMean over axes
 * (attribute, or from opset 18 an input) into "m", the only output. */
static ir_graph *chain_then_mean(int opset, int64_t a0, int64_t a1, int keepdims) {
  ir_graph *g = chain(16, 32, 1, 3, 32);
  const int64_t axes[2] = {a0, a1};
  ir_node *n;
  g->opset = opset;
  g->n_outputs = 0;
  if (opset >= 18) {
    unit_int64s(g, "axes", 2, axes);
    n = unit_node(g, "ReduceMean", "m", 2, "y", "axes");
  } else {
    n = unit_node(g, "ReduceMean", "m", 1, "y");
    rw_set_ints(n, "axes", axes, 2);
  }
  rw_set_int(n, "keepdims", keepdims);
  unit_output(g, "m");
  return g;
}

/* A ReduceMean over H and W alone after a blocked conv is a global
 * pool: it reads the blocks and writes "m" as it was ([1, 32] without
 * keepdims, [1, 32, 1, 1] with), with no FromBlocked before it. Over
 * other axes it stays, after one. */
START_TEST(layout_spatial_mean) {
  static const struct {
    int opset;
    int64_t a0, a1;
    int keepdims, rank;
  } cases[] = {{13, 2, 3, 0, 2}, {13, -1, -2, 1, 4}, {18, 3, 2, 0, 2}};
  ir_graph *g;
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    g = chain_then_mean(cases[i].opset, cases[i].a0, cases[i].a1, cases[i].keepdims);
    unit_check_pass(g, pass_layout_nchwc, "Conv,Conv,ReduceMean",
                    "ToBlocked,BlockedConv,BlockedConv,BlockedGlobalAveragePool");
    ck_assert_int_eq(g->nodes[3]->n_in, 1);
    ck_assert_int_eq(attr_int(g->nodes[3], "channels", 0), 32);
    ck_assert_int_eq(value(g, "m")->producer, 3);
    ck_assert_int_eq(value(g, "m")->t.rank, cases[i].rank);
    ck_assert_int_eq(value(g, "m")->t.dims[1], 32);
    ir_free(g);
  }
  g = chain_then_mean(13, 1, 2, 0);
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv,ReduceMean",
                  "ToBlocked,BlockedConv,BlockedConv,FromBlocked,ReduceMean");
  ir_free(g);
}
END_TEST

/* Bare-metal targets keep every conv in NCHW. */
START_TEST(layout_bare_metal) {
  ir_graph *g = chain(16, 32, 1, 3, 32);
  g->bare_metal = 1;
  unit_check_pass(g, pass_layout_nchwc, "Conv,Conv", "Conv,Conv");
  ir_free(g);
}
END_TEST

/* How many of g's nodes are lowered to `kernel`. */
static int lowered_to(const ir_graph *g, const char *kernel) {
  int i, n = 0;
  for (i = 0; i < g->n_nodes; i++) n += strcmp(kernel_get(g->nodes[i]->low->kernel)->name, kernel) == 0;
  return n;
}

/* pass on g, already inferred and blocked, with the op sequences before
 * and after (unit_check_pass infers first: the blocked ops are inferred
 * where the layout pass makes them). */
static void check_blocked_pass(ir_graph *g, status (*pass)(ir_graph *), const char *before, const char *after) {
  char seq[512];
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, before);
  ck_assert_int_eq(pass(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "the pass", 1), ST_OK);
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, after);
}

/* pre_activation(0) as the pipeline leaves it before fuse-input-bn: the
 * Relu fused into the BatchNormalization (fuse-epilogue), both convs and
 * the BatchNormalization blocked; var made positive. With r_output the
 * Relu's output is a graph output too (a FromBlocked reads it). */
static ir_graph *pre_activation_blocked(int r_output) {
  ir_graph *g = pre_activation(0);
  float *var = (float *)value(g, "v")->t.data;
  int i;
  for (i = 0; i < 32; i++) var[i] = var[i] * var[i] + 0.25f;
  if (r_output) unit_output(g, "r");
  unit_check_pass(g, pass_fuse_epilogue, "Conv,BatchNormalization,Relu,Conv", "Conv,BatchNormalization,Conv");
  ck_assert_int_eq(pass_layout_nchwc(g), ST_OK);
  return g;
}

/* fuse-input-bn: the blocked BatchNormalization and its Relu become the
 * second conv's input map, its factors then shifts at input 4 as the
 * runtime folds them, the conv reading the first conv's output. Left
 * alone: a BatchNormalization whose output is also a graph output, one
 * not yet given its Relu (the Relu reads it, not the conv), and one
 * before the first conv (NCHW, not blocked). */
START_TEST(fuse_input_bn_into_conv) {
  const char *before = "ToBlocked,BlockedConv,BlockedBatchNormalization,BlockedConv,FromBlocked";
  ir_graph *g = pre_activation_blocked(0);
  const ir_node *c;
  const ir_value *ab;
  float want[64];
  check_blocked_pass(g, pass_fuse_input_bn, before, "ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  c = g->nodes[2];
  ck_assert_int_eq(attr_int(c, "onnxcc.in_scale", 0), 1);
  ck_assert_int_eq(attr_int(c, "onnxcc.in_shift", 0), 1);
  ck_assert_int_eq(attr_int(c, "onnxcc.in_act", -1), RT_ACT_RELU);
  ck_assert_int_eq(c->in[0], g->nodes[1]->out[0]);
  ab = g->values[c->in[4]];
  ck_assert_int_eq(tensor_numel(&ab->t), 64);
  rt_nchwc_batchnorm_fold(value(g, "s")->t.data, value(g, "b")->t.data, value(g, "m")->t.data,
                          value(g, "v")->t.data, 1e-5f, 32, want, want + 32);
  ck_assert_int_eq(memcmp(ab->t.data, want, sizeof want), 0);
  ir_free(g);
  g = pre_activation_blocked(1);
  {
    const char *kept = "ToBlocked,BlockedConv,BlockedBatchNormalization,FromBlocked,BlockedConv,FromBlocked";
    check_blocked_pass(g, pass_fuse_input_bn, kept, kept);
  }
  ir_free(g);
  g = pre_activation(0);
  unit_check_pass(g, pass_layout_nchwc, "Conv,BatchNormalization,Relu,Conv",
                  "ToBlocked,BlockedConv,BlockedBatchNormalization,Relu,BlockedConv,FromBlocked");
  {
    const char *kept = "ToBlocked,BlockedConv,BlockedBatchNormalization,Relu,BlockedConv,FromBlocked";
    check_blocked_pass(g, pass_fuse_input_bn, kept, kept);
  }
  ir_free(g);
  g = pre_activation(1);
  unit_check_pass(g, pass_fuse_epilogue, "BatchNormalization,Relu,Conv,Conv", "BatchNormalization,Conv,Conv");
  ck_assert_int_eq(pass_layout_nchwc(g), ST_OK);
  check_blocked_pass(g, pass_fuse_input_bn, "BatchNormalization,ToBlocked,BlockedConv,BlockedConv,FromBlocked",
                     "BatchNormalization,ToBlocked,BlockedConv,BlockedConv,FromBlocked");
  ir_free(g);
}
END_TEST

/* A dense layer: x [1, 32, 6, 6] -> Conv(32 -> 32) "a" -> Concat(x, a)
 * -> BatchNormalization -> Relu -> Conv(64 -> 16) -> "y". The
 * BatchNormalization follows the Concat, so fuse-conv-bn cannot fold it. */
static ir_graph *dense_layer(void) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, 32, 6, 6}, w1[4] = {32, 32, 3, 3}, w2[4] = {16, 64, 1, 1}, c64[1] = {64};
  const int64_t pads[4] = {1, 1, 1, 1};
  float *var;
  ir_node *n;
  int i;
  g->opset = 13;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "w1", 4, w1, 1);
  unit_value(g, "w2", 4, w2, 1);
  unit_value(g, "s", 1, c64, 1);
  unit_value(g, "b", 1, c64, 1);
  unit_value(g, "m", 1, c64, 1);
  var = (float *)g->values[unit_value(g, "v", 1, c64, 1)]->t.data;
  for (i = 0; i < 64; i++) var[i] = var[i] * var[i] + 0.25f;
  n = unit_node(g, "Conv", "a", 2, "x", "w1");
  rw_set_ints(n, "pads", pads, 4);
  n = unit_node(g, "Concat", "cat", 2, "x", "a");
  rw_set_int(n, "axis", 1);
  unit_node(g, "BatchNormalization", "n", 5, "cat", "s", "b", "m", "v");
  unit_node(g, "Relu", "r", 1, "n");
  unit_node(g, "Conv", "y", 2, "r", "w2");
  unit_output(g, "y");
  return g;
}

/* How many blocked convs apply a BatchNormalization and Relu to their
 * input (fuse-input-bn). */
static int mapped_convs(const ir_graph *g) {
  int i, n = 0;
  for (i = 0; i < g->n_nodes; i++) {
    const rt_conv_params *p = (const rt_conv_params *)g->nodes[i]->low->params;
    n += strcmp(kernel_get(g->nodes[i]->low->kernel)->name, "rt_conv_f32_nchwc_blocked") == 0 &&
         p->has_in_scale == 1 && p->has_in_shift == 1 && p->in_act == RT_ACT_RELU;
  }
  return n;
}

/* Which blocked 3x3 convs run by Winograd: stride 1 on planes of 16
 * tiles of 4x4 outputs or more, unless --no-winograd (compiler/ops/nchwc.c). */
START_TEST(layout_winograd) {
  static const struct {
    int64_t h, s;
    int no_winograd, want;
  } cases[] = {{14, 1, 0, 1}, {56, 1, 0, 1}, {13, 1, 0, 1}, {12, 1, 0, 0}, {28, 2, 0, 0}, {14, 1, 1, 0}};
  size_t i;
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    ir_graph *g = chain_on(32, 32, 1, 3, 32, cases[i].h, cases[i].s);
    char kernel[64];
    g->no_winograd = cases[i].no_winograd;
    ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
    ck_assert_msg(lowered_to(g, "rt_conv_f32_nchwc_winograd") == cases[i].want, "%lldx%lld stride %lld%s",
                  (long long)cases[i].h, (long long)cases[i].h, (long long)cases[i].s,
                  cases[i].no_winograd ? ", --no-winograd" : "");
    ck_assert_int_eq(lowered_to(g, "rt_conv_f32_nchwc_blocked"), 2 - cases[i].want);
    ir_free(g);
  }
}
END_TEST

/* The whole pipeline lowers the blocked nodes to their kernels. */
START_TEST(layout_lowers) {
  ir_graph *g = chain(16, 32, 1, 3, 32);
  char kernel[64];
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_str_eq(kernel, "rt_nchwc_from_blocked_f32");
  ck_assert_int_eq(lowered_to(g, "rt_conv_f32_nchwc_blocked"), 2);
  ck_assert_int_eq(lowered_to(g, "rt_nchwc_to_blocked_f32"), 1);
  ck_assert_int_eq(lowered_to(g, "rt_nchwc_from_blocked_f32"), 1);
  ir_free(g);
  /* a stem's kernel reads the planes: no ToBlocked */
  g = chain(3, 32, 1, 3, 32);
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_int_eq(lowered_to(g, "rt_conv_f32_nchwc_stem"), 1);
  ck_assert_int_eq(lowered_to(g, "rt_nchwc_to_blocked_f32"), 0);
  ir_free(g);
  /* of one input channel: the stem whose tiles take it as a constant */
  g = chain(1, 32, 1, 3, 32);
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_int_eq(lowered_to(g, "rt_conv_f32_nchwc_stem_mono"), 1);
  ck_assert_int_eq(lowered_to(g, "rt_nchwc_to_blocked_f32"), 0);
  ir_free(g);
  /* densenet's pre-activation: no BatchNormalization kernel left, the
   * conv after the Concat applies it and its Relu */
  g = dense_layer();
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_int_eq(lowered_to(g, "rt_nchwc_batchnorm_f32"), 0);
  ck_assert_int_eq(lowered_to(g, "rt_conv_f32_nchwc_blocked"), 2);
  ck_assert_int_eq(mapped_convs(g), 1);
  ir_free(g);
}
END_TEST

Suite *layout_nchwc_suite(void) {
  Suite *s = suite_create("layout_nchwc");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, layout_chain_of_two);
  tcase_add_test(tc, layout_winograd);
  tcase_add_test(tc, layout_depthwise_chain);
  tcase_add_test(tc, layout_shared_value);
  tcase_add_test(tc, layout_lone_convs);
  tcase_add_test(tc, layout_padded_channels);
  tcase_add_test(tc, layout_few_channels);
  tcase_add_test(tc, layout_one_position);
  tcase_add_test(tc, layout_concat);
  tcase_add_test(tc, layout_concat_partial_block);
  tcase_add_test(tc, layout_maxpool);
  tcase_add_test(tc, layout_avgpool);
  tcase_add_test(tc, layout_followers);
  tcase_add_test(tc, layout_squeeze_excitation);
  tcase_add_test(tc, layout_spatial_mean);
  tcase_add_test(tc, layout_bare_metal);
  tcase_add_test(tc, fuse_input_bn_into_conv);
  tcase_add_test(tc, layout_lowers);
  suite_add_tcase(s, tc);
  return s;
}
