/* fold-bn: BatchNormalization after a Gemm (B plain or transposed, with
 * and without C) and after a grouped ConvTranspose folds into their
 * weights and bias, checked against the formula by hand (scale 2m+2, var
 * 3, epsilon 1, so s[m] = m + 1; mean 1, B 0.5); left alone: a B that is
 * not constant, training mode, a Gemm output read twice, a lone
 * BatchNormalization. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

/* Appends BatchNormalization(x) -> "y" over `channels` channels. */
static ir_node *add_bn(ir_graph *g, const char *x, int64_t channels) {
  static const char *const names[4] = {"bn_scale", "bn_b", "bn_mean", "bn_var"};
  ir_node *n;
  int k, m;
  for (k = 0; k < 4; k++) {
    float *d = g->values[unit_value(g, names[k], 1, &channels, 1)]->t.data;
    for (m = 0; m < channels; m++) d[m] = k == 0 ? 2.0f * (float)m + 2.0f : k == 1 ? 0.5f : k == 2 ? 1.0f : 3.0f;
  }
  n = unit_node(g, "BatchNormalization", "y", 5, x, names[0], names[1], names[2], names[3]);
  unit_add_attr(n, "epsilon", ATTR_FLOAT, 0, 1.0f, NULL);
  unit_output(g, "y");
  return n;
}

static float s_of(int64_t m) { return (float)m + 1.0f; }

/* a [3,4] x b ([4,5], or [5,4] with transB) (+ c [5]) -> BN */
static ir_graph *gemm_bn(int trans_b, int with_c, int b_const) {
  const int64_t a_dims[2] = {3, 4}, b_dims[2] = {trans_b ? 5 : 4, trans_b ? 4 : 5}, n5[1] = {5};
  ir_graph *g = ir_new();
  ir_node *gemm;
  g->opset = 13;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, b_const);
  if (with_c) unit_value(g, "c", 1, n5, 1);
  gemm = unit_node(g, "Gemm", "m", with_c ? 3 : 2, "a", "b", "c");
  unit_add_attr(gemm, "transB", ATTR_INT, trans_b, 0, NULL);
  unit_add_attr(gemm, "beta", ATTR_FLOAT, 0, 2.0f, NULL);
  add_bn(g, "m", 5);
  return g;
}

static void check_gemm_fold(int trans_b, int with_c) {
  ir_graph *g = gemm_bn(trans_b, with_c, 1);
  float b0[20], c0[5];
  const float *nb, *nc;
  int i, j;
  memcpy(b0, g->values[ir_find(g, "b")]->t.data, sizeof b0);
  if (with_c) memcpy(c0, g->values[ir_find(g, "c")]->t.data, sizeof c0);
  unit_check_pass(g, pass_fold_bn, "Gemm,BatchNormalization", "Gemm");
  nb = g->values[g->nodes[0]->in[1]]->t.data;
  nc = g->values[g->nodes[0]->in[2]]->t.data;
  for (i = 0; i < 4; i++)
    for (j = 0; j < 5; j++) {
      const int at = trans_b ? j * 4 + i : i * 5 + j;
      ck_assert_float_eq_tol(nb[at], b0[at] * s_of(j), 1e-6f);
    }
  for (j = 0; j < 5; j++) ck_assert_float_eq_tol(nc[j], ((with_c ? 2.0f * c0[j] : 0.0f) - 1.0f) * s_of(j) + 0.5f, 1e-5f);
  ck_assert(attr_float(g->nodes[0], "beta", 0.0f) == 1.0f);
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "y");
  ir_free(g);
}

START_TEST(bn_into_gemm) {
  check_gemm_fold(0, 1);
  check_gemm_fold(1, 1);
  check_gemm_fold(0, 0);
}
END_TEST

/* Two groups: weights [C_in 2, C_out/group 2, 2, 2], so output channel
 * m is column m % 2 of input channel m / 2's weights. */
START_TEST(bn_into_conv_transpose) {
  const int64_t x_dims[4] = {1, 2, 3, 3}, w_dims[4] = {2, 2, 2, 2};
  ir_graph *g = ir_new();
  ir_node *ct;
  float w0[16];
  const float *nw, *nb;
  int ci, j, k;
  g->opset = 13;
  unit_value(g, "x", 4, x_dims, 0);
  unit_value(g, "w", 4, w_dims, 1);
  memcpy(w0, g->values[ir_find(g, "w")]->t.data, sizeof w0);
  ct = unit_node(g, "ConvTranspose", "m", 2, "x", "w");
  unit_add_attr(ct, "group", ATTR_INT, 2, 0, NULL);
  add_bn(g, "m", 4);
  unit_check_pass(g, pass_fold_bn, "ConvTranspose,BatchNormalization", "ConvTranspose");
  nw = g->values[g->nodes[0]->in[1]]->t.data;
  nb = g->values[g->nodes[0]->in[2]]->t.data;
  for (ci = 0; ci < 2; ci++)
    for (j = 0; j < 2; j++)
      for (k = 0; k < 4; k++) ck_assert_float_eq_tol(nw[(ci * 2 + j) * 4 + k], w0[(ci * 2 + j) * 4 + k] * s_of(ci * 2 + j), 1e-6f);
  for (j = 0; j < 4; j++) ck_assert_float_eq_tol(nb[j], -1.0f * s_of(j) + 0.5f, 1e-6f);
  ir_free(g);
}
END_TEST

START_TEST(bn_left_alone) {
  const int64_t x_dims[2] = {3, 5};
  ir_graph *g = gemm_bn(0, 1, 0); /* B is an input */
  unit_check_pass(g, pass_fold_bn, "Gemm,BatchNormalization", "Gemm,BatchNormalization");
  ir_free(g);
  g = gemm_bn(0, 1, 1);
  unit_add_attr(g->nodes[1], "training_mode", ATTR_INT, 1, 0, NULL);
  g->nodes[1]->op = OP_BatchNormalization;
  g->opset = 15;
  unit_check_pass(g, pass_fold_bn, "Gemm,BatchNormalization", "Gemm,BatchNormalization");
  ir_free(g);
  g = gemm_bn(0, 1, 1); /* the Gemm's output is read twice */
  unit_output(g, "m");
  unit_check_pass(g, pass_fold_bn, "Gemm,BatchNormalization", "Gemm,BatchNormalization");
  ir_free(g);
  /* lone: its kernel is one pass already */
  g = ir_new();
  g->opset = 13;
  unit_value(g, "x", 2, x_dims, 0);
  unit_node(g, "Relu", "m", 1, "x");
  add_bn(g, "m", 5);
  unit_check_pass(g, pass_fold_bn, "Relu,BatchNormalization", "Relu,BatchNormalization");
  ir_free(g);
}
END_TEST

Suite *fold_bn_suite(void) {
  Suite *s = suite_create("fold_bn");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, bn_into_gemm);
  tcase_add_test(tc, bn_into_conv_transpose);
  tcase_add_test(tc, bn_left_alone);
  suite_add_tcase(s, tc);
  return s;
}
