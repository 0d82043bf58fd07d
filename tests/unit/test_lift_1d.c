/* lift-1d: the op sequence before and after the pass. 1-D Convs and pools
 * go 2-D with a Reshape in front (or read a lifted value directly) and
 * one back where a 1-D reader or a graph output needs the value; the
 * rank-agnostic ops between them follow, but start nothing; the
 * attributes, the weights and the constant operands gain the unit dim
 * (one copy of weights two Convs share);
 * Pad's pads (an input, or before opset 11 an attribute) and Concat's
 * axis move with it; a MaxPool that writes
 * Indices, a symbolic shape and a binary op with a 1-D activation operand
 * stay as they are. Numerics: the conformance suite's 1-D Conv, pool and
 * Pad cases and tests/models/audio_cnn1d against ONNX Runtime. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/dimexpr.h"
#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t X_DIMS[3] = {1, 2, 16}, W_DIMS[3] = {4, 2, 3};

static const ir_value *value(const ir_graph *g, const char *name) { return g->values[ir_find(g, name)]; }

/* x [1, 2, 16] -> Conv(w 4 x 2 x 3, pads 1, 1) -> "c" -> Relu -> "r"; the
 * caller adds what reads "r". */
static ir_graph *conv_relu(void) {
  ir_graph *g = ir_new();
  const int64_t pads[2] = {1, 1};
  ir_node *n;
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  unit_value(g, "w", 3, W_DIMS, 1);
  n = unit_node(g, "Conv", "c", 2, "x", "w");
  rw_set_ints(n, "pads", pads, 2);
  unit_node(g, "Relu", "r", 1, "c");
  return g;
}

static void check_ints(const ir_node *n, const char *name, int count, const int64_t *want) {
  const int64_t *v;
  int k;
  ck_assert_int_eq(attr_ints(n, name, &v), count);
  for (k = 0; k < count; k++) ck_assert_int_eq(v[k], want[k]);
}

static void check_dims(const ir_tensor *t, int rank, const int64_t *want) {
  int k;
  ck_assert_int_eq(t->rank, rank);
  for (k = 0; k < rank; k++) ck_assert_int_eq(t->dims[k], want[k]);
}

/* Conv -> Relu -> MaxPool -> graph output: all 2-D between one Reshape in
 * and one out. */
START_TEST(lift_conv_chain) {
  ir_graph *g = conv_relu();
  const int64_t kernel[1] = {2}, strides[1] = {2};
  const int64_t want_kernel[2] = {1, 3}, want_pads[4] = {0, 1, 0, 1}, pool_kernel[2] = {1, 2};
  const int64_t w4[4] = {4, 2, 1, 3}, c4[4] = {1, 4, 1, 16}, y4[4] = {1, 4, 1, 8}, y3[3] = {1, 4, 8};
  ir_node *n = unit_node(g, "MaxPool", "y", 1, "r");
  rw_set_ints(n, "kernel_shape", kernel, 1);
  rw_set_ints(n, "strides", strides, 1);
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv,Relu,MaxPool", "Reshape,Conv,Relu,MaxPool,Reshape");
  /* the Conv: kernel_shape from the weights, pads with a 0 per side */
  check_ints(g->nodes[1], "kernel_shape", 2, want_kernel);
  check_ints(g->nodes[1], "pads", 4, want_pads);
  check_dims(&g->values[g->nodes[1]->in[1]]->t, 4, w4);
  check_dims(&g->values[g->nodes[0]->out[0]]->t, 4, (const int64_t[4]){1, 2, 1, 16});
  ck_assert_int_eq(g->nodes[1]->in[0], g->nodes[0]->out[0]);
  check_dims(&g->values[g->nodes[1]->out[0]]->t, 4, c4);
  check_dims(&g->values[g->nodes[2]->out[0]]->t, 4, c4);
  /* the pool */
  check_ints(g->nodes[3], "kernel_shape", 2, pool_kernel);
  check_ints(g->nodes[3], "strides", 2, pool_kernel);
  check_dims(&g->values[g->nodes[3]->out[0]]->t, 4, y4);
  /* the graph output keeps its name and shape, now from the Reshape */
  ck_assert_int_eq(value(g, "y")->producer, 4);
  check_dims(&value(g, "y")->t, 3, y3);
  ck_assert_int_eq(value(g, "c")->uses, 0);
  ck_assert_int_eq(value(g, "r")->uses, 0);
  ir_free(g);
}
END_TEST

/* A lifted value that a 1-D op reads too: one Reshape back, right after
 * its producer, read by that op alone. */
START_TEST(lift_value_read_both_ways) {
  ir_graph *g = conv_relu();
  const int64_t kernel[1] = {1};
  const int64_t perm[3] = {0, 2, 1};
  ir_node *n = unit_node(g, "AveragePool", "y", 1, "r");
  rw_set_ints(n, "kernel_shape", kernel, 1);
  n = unit_node(g, "Transpose", "t", 1, "r");
  rw_set_ints(n, "perm", perm, 3);
  unit_output(g, "y");
  unit_output(g, "t");
  unit_check_pass(g, pass_lift_1d, "Conv,Relu,AveragePool,Transpose",
                  "Reshape,Conv,Relu,Reshape,AveragePool,Reshape,Transpose");
  ck_assert_int_eq(value(g, "r")->producer, 3);
  ck_assert_int_eq(g->nodes[6]->in[0], ir_find(g, "r"));
  ck_assert_int_eq(value(g, "r")->uses, 1);
  ir_free(g);
}
END_TEST

/* Followers never start a region: a Relu and an Add on the graph input
 * stay 1-D. */
START_TEST(lift_followers_alone) {
  ir_graph *g = ir_new();
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  unit_node(g, "Relu", "r", 1, "x");
  unit_node(g, "Add", "y", 2, "r", "x");
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Relu,Add", "Relu,Add");
  ck_assert_int_eq(value(g, "y")->t.rank, 3);
  ir_free(g);
}
END_TEST

/* Binary operands: a constant of rank 2 ([C, 1], per channel) gains a 1
 * before its last dim, a rank-1 one (along W) stays; an Add with a 1-D
 * activation stays 1-D. */
START_TEST(lift_binary_operands) {
  ir_graph *g = conv_relu();
  const int64_t per_channel[2] = {4, 1}, along_w[1] = {16};
  const int64_t want[3] = {4, 1, 1};
  unit_value(g, "bias", 2, per_channel, 1);
  unit_value(g, "ramp", 1, along_w, 1);
  unit_value(g, "other", 3, (const int64_t[3]){1, 4, 16}, 0);
  unit_node(g, "Mul", "m", 2, "bias", "r");
  unit_node(g, "Add", "a", 2, "m", "ramp");
  unit_node(g, "Sub", "y", 2, "a", "other");
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv,Relu,Mul,Add,Sub", "Reshape,Conv,Relu,Mul,Add,Reshape,Sub");
  check_dims(&g->values[g->nodes[3]->in[0]]->t, 3, want);
  ck_assert(!memcmp(g->values[g->nodes[3]->in[0]]->t.data, value(g, "bias")->t.data, 4 * sizeof(float)));
  ck_assert_int_eq(g->nodes[4]->in[1], ir_find(g, "ramp"));
  ck_assert_int_eq(g->nodes[6]->op, OP_Sub);
  ck_assert_int_eq(g->nodes[6]->in[0], ir_find(g, "a"));
  ir_free(g);
}
END_TEST

/* Pad's six pads become eight; Concat along W moves to axis 3, along the
 * channels stays at 1. */
START_TEST(lift_pad_and_concat) {
  ir_graph *g = conv_relu();
  const int64_t pads[6] = {0, 0, 1, 0, 0, 2}, want_pads[8] = {0, 0, 0, 1, 0, 0, 0, 2};
  ir_node *n;
  unit_int64s(g, "pads", 6, pads);
  unit_node(g, "Pad", "p", 2, "r", "pads");
  n = unit_node(g, "Concat", "cw", 2, "p", "p");
  rw_set_int(n, "axis", -1);
  n = unit_node(g, "Concat", "y", 2, "cw", "cw");
  rw_set_int(n, "axis", 1);
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv,Relu,Pad,Concat,Concat", "Reshape,Conv,Relu,Pad,Concat,Concat,Reshape");
  ck_assert_int_eq(g->values[g->nodes[3]->in[1]]->t.dims[0], 8);
  ck_assert(!memcmp(g->values[g->nodes[3]->in[1]]->t.data, want_pads, sizeof want_pads));
  ck_assert_int_eq(attr_int(g->nodes[4], "axis", 0), 3);
  ck_assert_int_eq(attr_int(g->nodes[5], "axis", 0), 1);
  check_dims(&value(g, "y")->t, 3, (const int64_t[3]){1, 8, 38});
  ir_free(g);
}
END_TEST

/* Before opset 11 Pad's pads are an attribute: six become eight. */
START_TEST(lift_pad_attribute) {
  ir_graph *g = conv_relu();
  const int64_t pads[6] = {0, 0, 2, 0, 0, 1}, want_pads[8] = {0, 0, 0, 2, 0, 0, 0, 1};
  ir_node *n;
  g->opset = 10;
  n = unit_node(g, "Pad", "y", 1, "r");
  rw_set_ints(n, "pads", pads, 6);
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv,Relu,Pad", "Reshape,Conv,Relu,Pad,Reshape");
  check_ints(g->nodes[3], "pads", 8, want_pads);
  check_dims(&value(g, "y")->t, 3, (const int64_t[3]){1, 4, 19});
  ir_free(g);
}
END_TEST

/* Two Convs that share their weights share the lifted copy too. */
START_TEST(lift_shared_weights) {
  ir_graph *g = ir_new();
  const int64_t w_dims[3] = {2, 2, 3}, pads[2] = {1, 1};
  ir_node *a, *b;
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  unit_value(g, "w", 3, w_dims, 1);
  a = unit_node(g, "Conv", "c", 2, "x", "w");
  b = unit_node(g, "Conv", "y", 2, "c", "w");
  rw_set_ints(a, "pads", pads, 2);
  rw_set_ints(b, "pads", pads, 2);
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv,Conv", "Reshape,Conv,Conv,Reshape");
  ck_assert_int_eq(g->nodes[1]->in[1], g->nodes[2]->in[1]);
  check_dims(&g->values[g->nodes[1]->in[1]]->t, 4, (const int64_t[4]){2, 2, 1, 3});
  ck_assert_int_eq(g->values[g->nodes[1]->in[1]]->uses, 2);
  ir_free(g);
}
END_TEST

/* Left alone: a MaxPool whose Indices are read, a 2-D conv, a symbolic
 * batch. */
START_TEST(lift_left_alone) {
  const int64_t kernel[1] = {2}, x4[4] = {1, 2, 4, 16}, w4[4] = {4, 2, 3, 3};
  ir_graph *g = ir_new();
  ir_node *n;
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  n = unit_node(g, "MaxPool", "y", 1, "x");
  rw_set_ints(n, "kernel_shape", kernel, 1);
  n->n_out = 2;
  n->out = xrealloc(n->out, 2 * sizeof(int));
  n->out[1] = ir_value_get(g, "i");
  unit_output(g, "y");
  unit_output(g, "i");
  unit_check_pass(g, pass_lift_1d, "MaxPool", "MaxPool");
  ir_free(g);
  g = ir_new();
  g->opset = 13;
  unit_value(g, "x", 4, x4, 0);
  unit_value(g, "w", 4, w4, 1);
  unit_node(g, "Conv", "y", 2, "x", "w");
  unit_output(g, "y");
  unit_check_pass(g, pass_lift_1d, "Conv", "Conv");
  ir_free(g);
  g = conv_relu();
  unit_output(g, "r");
  ir_set_dim(g, &g->values[ir_find(g, "x")]->t, 0, dx_sym(ir_dx(g), "N", 1, 4));
  unit_check_pass(g, pass_lift_1d, "Conv,Relu", "Conv,Relu");
  ck_assert_int_eq(value(g, "r")->t.rank, 3);
  ir_free(g);
}
END_TEST

Suite *lift_1d_suite(void) {
  Suite *s = suite_create("lift_1d");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, lift_conv_chain);
  tcase_add_test(tc, lift_value_read_both_ways);
  tcase_add_test(tc, lift_followers_alone);
  tcase_add_test(tc, lift_binary_operands);
  tcase_add_test(tc, lift_pad_and_concat);
  tcase_add_test(tc, lift_pad_attribute);
  tcase_add_test(tc, lift_shared_weights);
  tcase_add_test(tc, lift_left_alone);
  suite_add_tcase(s, tc);
  return s;
}
