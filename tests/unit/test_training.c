/* The optimizer steps of ai.onnx.preview.training (Adagrad, Adam,
 * Momentum): kernels on hand-computed cases, and the compiler's checks
 * and choice of variant on small graphs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

#define NEAR(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) < 1e-6, "%.9g is not %.9g", (double)(a), (double)(b))

START_TEST(adagrad_two_tensors) {
  /* R 0.1, T 1, decay 1: rate 0.1 / (1 + 1) = 0.05; norm 0.5, epsilon 0.
   * Tensor 0: x 2, g 2, h 0: G_reg 3, H 9, X 2 - 0.05 * 3 / 3 = 1.95;
   *           x -2, g -3, h 9: G_reg -4, H 25, X -2 + 0.05 * 4 / 5 = -1.96.
   * Tensor 1: x 0, g 1, h 0: G_reg 1, H 1, X -0.05. */
  const float r = 0.1f, x0[2] = {2, -2}, g0[2] = {2, -3}, h0[2] = {0, 9}, x1[1] = {0}, g1[1] = {1}, h1[1] = {0};
  const int64_t t = 1;
  float xo0[2], xo1[1], ho0[2], ho1[1];
  const void *in[8] = {&r, &t, x0, x1, g0, g1, h0, h1};
  void *out[4] = {xo0, xo1, ho0, ho1};
  rt_training_params p;
  memset(&p, 0, sizeof p);
  p.n = 2, p.counts[0] = 2, p.counts[1] = 1;
  p.norm_coefficient = 0.5f, p.decay_factor = 1.0f, p.epsilon = 0.0f;
  rt_adagrad_f32(&p, in, out, NULL);
  NEAR(ho0[0], 9), NEAR(ho0[1], 25), NEAR(ho1[0], 1);
  NEAR(xo0[0], 1.95), NEAR(xo0[1], -1.96), NEAR(xo1[0], -0.05);
  /* epsilon joins the root: x 0, g 1, h 0, epsilon 1: X -0.05 / 2 */
  p.n = 1, p.counts[0] = 1, p.norm_coefficient = 0, p.epsilon = 1.0f;
  in[2] = x1, in[3] = g1, in[4] = h1;
  out[0] = xo1, out[1] = ho1;
  rt_adagrad_f32(&p, in, out, NULL);
  NEAR(xo1[0], -0.025);
}
END_TEST

START_TEST(adam_bias_correction) {
  /* alpha 0.5, beta 0.75, epsilon 0, R 0.1, x 1, g 2, v 2, h 4:
   * V 0.5 * 2 + 0.5 * 2 = 2, H 0.75 * 4 + 0.25 * 4 = 4.
   * T 0: no correction, X 1 - 0.1 * 2 / 2 = 0.9.
   * T 2: R' = 0.1 * sqrt(1 - 0.5625) / (1 - 0.25) = 0.0881917104,
   *      X 1 - R' = 0.9118082896; norm_coefficient_post 0.5 halves it. */
  const double r = 0.1, x[1] = {1}, g[1] = {2}, v[1] = {2}, h[1] = {4};
  int64_t t = 0;
  double xo[1], vo[1], ho[1];
  const void *in[6] = {&r, &t, x, g, v, h};
  void *out[3] = {xo, vo, ho};
  rt_training_params p;
  memset(&p, 0, sizeof p);
  p.n = 1, p.counts[0] = 1, p.alpha = 0.5f, p.beta = 0.75f;
  rt_adam_f64(&p, in, out, NULL);
  NEAR(vo[0], 2), NEAR(ho[0], 4), NEAR(xo[0], 0.9);
  t = 2;
  p.norm_coefficient_post = 0.5f;
  rt_adam_f64(&p, in, out, NULL);
  NEAR(xo[0], 0.5 * 0.9118082896);
}
END_TEST

START_TEST(adam_f32_regularized) {
  /* norm 0.5, alpha 0.5, beta 0.75, T 1 (R' = R * 0.5 / 0.5 = R = 0.1),
   * x 2, g 0, v 0, h 0: G_reg 1, V 0.5, H 0.25, X 2 - 0.1 * 0.5 / 0.5 = 1.9;
   * with epsilon 0.5: X 2 - 0.1 * 0.5 / 1 = 1.95. An absent V_new output
   * is skipped. */
  const float r = 0.1f, x[1] = {2}, g[1] = {0}, v[1] = {0}, h[1] = {0};
  const int64_t t = 1;
  float xo[1], ho[1];
  const void *in[6] = {&r, &t, x, g, v, h};
  void *out[3] = {xo, NULL, ho};
  rt_training_params p;
  memset(&p, 0, sizeof p);
  p.n = 1, p.counts[0] = 1, p.alpha = 0.5f, p.beta = 0.75f, p.norm_coefficient = 0.5f;
  rt_adam_f32(&p, in, out, NULL);
  NEAR(ho[0], 0.25), NEAR(xo[0], 1.9);
  p.epsilon = 0.5f;
  rt_adam_f32(&p, in, out, NULL);
  NEAR(xo[0], 1.95);
}
END_TEST

START_TEST(momentum_standard_and_nesterov) {
  /* alpha 0.5, beta 0.25, norm 0.5, R 0.1; x 2, g 1, v 4: G_reg 2.
   * T 0 (beta counts as 1): V 2 + 2 = 4, X 2 - 0.4 = 1.6.
   * T 3: V 2 + 0.5 = 2.5, X 2 - 0.25 = 1.75; Nesterov X 2 - 0.1 * (2 +
   * 1.25) = 1.675. */
  const float r = 0.1f, x[1] = {2}, g[1] = {1}, v[1] = {4};
  int64_t t = 0;
  float xo[1], vo[1];
  const void *in[5] = {&r, &t, x, g, v};
  void *out[2] = {xo, vo};
  rt_training_params p;
  memset(&p, 0, sizeof p);
  p.n = 1, p.counts[0] = 1, p.alpha = 0.5f, p.beta = 0.25f, p.norm_coefficient = 0.5f;
  rt_momentum_f32(&p, in, out, NULL);
  NEAR(vo[0], 4), NEAR(xo[0], 1.6);
  t = 3;
  rt_momentum_f32(&p, in, out, NULL);
  NEAR(vo[0], 2.5), NEAR(xo[0], 1.75);
  rt_nesterov_f32(&p, in, out, NULL);
  NEAR(vo[0], 2.5), NEAR(xo[0], 1.675);
}
END_TEST

START_TEST(momentum_f64_empty_tensor) {
  /* a tensor of no elements next to one of two: x [1, -1], g [1, 1], v 0,
   * alpha 0.9, beta 1, norm 0, R 1, T 5: V = G, X = x - g = [0, -2] */
  const double r = 1, x[2] = {1, -1}, g[2] = {1, 1}, v[2] = {0, 0}, none[1] = {0};
  const int64_t t = 5;
  double xo[2], vo[2], xe[1] = {42}, ve[1] = {42};
  const void *in[8] = {&r, &t, none, x, none, g, none, v};
  void *out[4] = {xe, xo, ve, vo};
  rt_training_params p;
  memset(&p, 0, sizeof p);
  p.n = 2, p.counts[0] = 0, p.counts[1] = 2, p.alpha = 0.9f, p.beta = 1.0f;
  rt_momentum_f64(&p, in, out, NULL);
  NEAR(xo[0], 0), NEAR(xo[1], -2), NEAR(vo[0], 1), NEAR(vo[1], 1);
  NEAR(xe[0], 42), NEAR(ve[0], 42);
}
END_TEST

/* ---- the compiler, on one-node graphs ---- */

/* A graph input of `dtype` and shape [n] (rank 0 when n is 0). */
static int add_input(ir_graph *g, const char *name, int dtype, int64_t n) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = dtype;
  v->t.rank = n ? 1 : 0;
  v->t.dims[0] = n;
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}


/* Momentum (mode `mode`) over two tensors of dims [2] and [3] of `dtype`,
 * R of r_type, and G1 of g1_len elements; n_out outputs. Returns the
 * pipeline's status; *kernel and counts[0..1] get what the node lowered to. */
static status momentum_graph(const char *mode, int dtype, int r_type, int64_t g1_len, int n_out, char *kernel,
                             int64_t *counts) {
  ir_graph *g = ir_new();
  int in[8], k;
  ir_node *n;
  const struct lowered *low;
  status s;
  g->opset = 20;
  g->opset_training = 1;
  in[0] = add_input(g, "R", r_type, 0);
  in[1] = add_input(g, "T", DT_INT64, 0);
  in[2] = add_input(g, "X0", dtype, 2), in[3] = add_input(g, "X1", dtype, 3);
  in[4] = add_input(g, "G0", dtype, 2), in[5] = add_input(g, "G1", dtype, g1_len);
  in[6] = add_input(g, "V0", dtype, 2), in[7] = add_input(g, "V1", dtype, 3);
  n = ir_node_add(g, "opt", "Momentum", "ai.onnx.preview.training");
  n->n_in = 8;
  n->in = xmalloc(sizeof in);
  memcpy(n->in, in, sizeof in);
  n->n_out = n_out;
  n->out = xmalloc(sizeof(int) * (size_t)n_out);
  for (k = 0; k < n_out; k++) {
    char name[16];
    snprintf(name, sizeof name, "y%d", k);
    n->out[k] = ir_value_get(g, name);
    g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
    g->outputs[g->n_outputs++] = n->out[k];
  }
  unit_add_attr(n, "alpha", ATTR_FLOAT, 0, 0.9f, NULL);
  unit_add_attr(n, "beta", ATTR_FLOAT, 0, 0.1f, NULL);
  unit_add_attr(n, "norm_coefficient", ATTR_FLOAT, 0, 0.0f, NULL);
  unit_add_attr(n, "mode", ATTR_STRING, 0, 0, mode);
  s = unit_run_pipeline(g, kernel, &low);
  /* the last kernel is the training one, unless the node went through
   * float (widen_half.c): then it is a Cast back, with other params */
  if (low && strncmp(kernel, "rt_cast_", 8) != 0) {
    const rt_training_params *p = (const rt_training_params *)low->params;
    counts[0] = p->counts[0], counts[1] = p->counts[1];
  }
  ir_free(g);
  return s;
}

START_TEST(compiler_lowers_and_refuses) {
  char kernel[64];
  int64_t counts[2] = {0, 0};
  ck_assert_int_eq(op_domain_lookup("ai.onnx.preview.training"), OP_DOMAIN_training);
  ck_assert_int_eq(op_lookup("ai.onnx.preview.training", "Adam"), OP_training_Adam);
  ck_assert_int_eq(op_lookup("", "Adam"), -1);
  ck_assert_int_eq(momentum_graph("standard", DT_FLOAT, DT_FLOAT, 3, 4, kernel, counts), ST_OK);
  ck_assert_str_eq(kernel, "rt_momentum_f32");
  ck_assert_int_eq(counts[0], 2);
  ck_assert_int_eq(counts[1], 3);
  ck_assert_int_eq(momentum_graph("nesterov", DT_DOUBLE, DT_DOUBLE, 3, 4, kernel, counts), ST_OK);
  ck_assert_str_eq(kernel, "rt_nesterov_f64");
  /* a mode that is neither, a G that would broadcast, R of another type,
   * outputs that do not make whole groups */
  ck_assert_int_eq(momentum_graph("heavy_ball", DT_FLOAT, DT_FLOAT, 3, 4, kernel, counts), ST_BAD_MODEL);
  ck_assert_int_eq(momentum_graph("standard", DT_FLOAT, DT_FLOAT, 1, 4, kernel, counts), ST_UNSUPPORTED);
  ck_assert_int_eq(momentum_graph("standard", DT_DOUBLE, DT_FLOAT, 3, 4, kernel, counts), ST_UNSUPPORTED);
  /* float16 has no kernel: it is computed in float (widen_half.c) */
  ck_assert_int_eq(momentum_graph("standard", DT_FLOAT16, DT_FLOAT16, 3, 4, kernel, counts), ST_OK);
  ck_assert_str_eq(kernel, "rt_cast_f32_f16");
  ck_assert_int_eq(momentum_graph("standard", DT_FLOAT, DT_FLOAT, 3, 3, kernel, counts), ST_BAD_MODEL);
}
END_TEST

Suite *training_suite(void) {
  Suite *s = suite_create("training");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, adagrad_two_tensors);
  tcase_add_test(tc, adam_bias_correction);
  tcase_add_test(tc, adam_f32_regularized);
  tcase_add_test(tc, momentum_standard_and_nesterov);
  tcase_add_test(tc, momentum_f64_empty_tensor);
  tcase_add_test(tc, compiler_lowers_and_refuses);
  suite_add_tcase(s, tc);
  return s;
}
