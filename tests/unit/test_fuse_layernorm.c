/* fuse-layernorm: the nine nodes of a LayerNorm exported before opset 17
 * (ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add
 * beta) become one LayerNormalization over the last axis, which computes
 * the same within rounding (checked against a double reference); left
 * alone: a reduction over another axis, gamma or eps that is an input,
 * an intermediate that is also a graph output. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/lowered.h"
#include "../../compiler/ops/ops.h"
#include "onnxcc/kernels/norm.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t X_DIMS[3] = {2, 3, 8}, C_DIMS[1] = {8}, ONE[1] = {1};

/* The pattern on x [2,3,8]: ReduceMean over `axis`; gamma and eps
 * (1e-5, [1]) constants unless gamma_input / eps_input. */
static ir_graph *layernorm_graph(int64_t axis, int gamma_input, int eps_input) {
  ir_graph *g = ir_new();
  ir_node *n;
  ir_tensor *e;
  int64_t i;
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  unit_value(g, "gamma", 1, C_DIMS, !gamma_input);
  unit_value(g, "beta", 1, C_DIMS, 1);
  unit_value(g, "two", 0, NULL, 1);
  ((float *)g->values[ir_find(g, "two")]->t.data)[0] = 2.0f;
  e = &g->values[unit_value(g, "eps", 1, ONE, !eps_input)]->t;
  for (i = 0; e->data && i < tensor_numel(e); i++) ((float *)e->data)[i] = 1e-5f;
  n = unit_node(g, "ReduceMean", "m", 1, "x");
  rw_set_ints(n, "axes", &axis, 1);
  unit_node(g, "Sub", "d", 2, "x", "m");
  unit_node(g, "Pow", "p", 2, "d", "two");
  n = unit_node(g, "ReduceMean", "v", 1, "p");
  rw_set_ints(n, "axes", &axis, 1);
  unit_node(g, "Add", "e", 2, "v", "eps");
  unit_node(g, "Sqrt", "s", 1, "e");
  unit_node(g, "Div", "n", 2, "d", "s");
  unit_node(g, "Mul", "gn", 2, "gamma", "n"); /* gamma first: either order */
  unit_node(g, "Add", "y", 2, "gn", "beta");
  unit_output(g, "y");
  return g;
}

/* as built, and after infer (whose legalize makes the Pow a Mul(d, d)) */
static const char *const NINE = "ReduceMean,Sub,Pow,ReduceMean,Add,Sqrt,Div,Mul,Add";
static const char *const NINE_INFERRED = "ReduceMean,Sub,Mul,ReduceMean,Add,Sqrt,Div,Mul,Add";

START_TEST(layernorm_fused) {
  ir_graph *g = layernorm_graph(-1, 0, 0);
  const struct lowered *low;
  const ir_node *n;
  const float *gamma, *beta;
  float x[48], y[48];
  char kernel[64];
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int64_t r, j;
  unit_check_pass(g, pass_fuse_layernorm, NINE, "LayerNormalization");
  n = g->nodes[0];
  ck_assert_str_eq(g->values[n->in[0]]->name, "x");
  ck_assert_str_eq(g->values[n->in[1]]->name, "gamma");
  ck_assert_str_eq(g->values[n->in[2]]->name, "beta");
  ck_assert_str_eq(g->values[n->out[0]]->name, "y");
  ck_assert_int_eq(attr_int(n, "axis", 0), -1);
  ck_assert(attr_float(n, "epsilon", 0.0f) == 1e-5f);
  ir_free(g);

  /* through the pipeline, and the kernel against the nine nodes' formula */
  g = layernorm_graph(2, 0, 0);
  ck_assert_int_eq(unit_run_pipeline(g, kernel, &low), ST_OK);
  ck_assert_str_eq(kernel, "rt_layernorm_f32");
  gamma = (const float *)g->values[ir_find(g, "gamma")]->t.data;
  beta = (const float *)g->values[ir_find(g, "beta")]->t.data;
  for (j = 0; j < 48; j++) x[j] = (float)((j * 7) % 13) / 3.0f - 2.0f;
  in[0] = x, in[1] = gamma, in[2] = beta;
  out[0] = y;
  rt_layernorm_f32(low->params, in, out, NULL);
  for (r = 0; r < 6; r++) {
    double m = 0, v = 0;
    for (j = 0; j < 8; j++) m += x[r * 8 + j] / 8.0;
    for (j = 0; j < 8; j++) v += (x[r * 8 + j] - m) * (x[r * 8 + j] - m) / 8.0;
    for (j = 0; j < 8; j++) {
      const double want = (x[r * 8 + j] - m) / sqrt(v + 1e-5) * gamma[j] + beta[j];
      ck_assert_msg(fabs(y[r * 8 + j] - want) <= 1e-5 * (1 + fabs(want)), "y[%lld] = %g, want %g",
                    (long long)(r * 8 + j), (double)y[r * 8 + j], want);
    }
  }
  ir_free(g);
}
END_TEST

START_TEST(layernorm_left_alone) {
  ir_graph *g = layernorm_graph(1, 0, 0); /* the mean over axis 1 */
  unit_check_pass(g, pass_fuse_layernorm, NINE, NINE_INFERRED);
  ir_free(g);
  g = layernorm_graph(-1, 1, 0); /* gamma is an input */
  unit_check_pass(g, pass_fuse_layernorm, NINE, NINE_INFERRED);
  ir_free(g);
  g = layernorm_graph(-1, 0, 1); /* eps is an input */
  unit_check_pass(g, pass_fuse_layernorm, NINE, NINE_INFERRED);
  ir_free(g);
  g = layernorm_graph(-1, 0, 0); /* d is also an output */
  unit_output(g, "d");
  unit_check_pass(g, pass_fuse_layernorm, NINE, NINE_INFERRED);
  ir_free(g);
}
END_TEST

Suite *fuse_layernorm_suite(void) {
  Suite *s = suite_create("fuse_layernorm");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, layernorm_fused);
  tcase_add_test(tc, layernorm_left_alone);
  suite_add_tcase(s, tc);
  return s;
}
