/* The LinearAttention kernel on small hand-computed cases: one key/value
 * head of dk 2 and dv 1 shared by two query heads (GQA), two tokens, and
 * scale 1, so each step is a few products by hand.
 *
 * query (per token, head 0 then head 1): [1,0 | 0,1], [1,1 | 2,0];
 * key: [1,2], [3,1]; value: [1], [2]. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const float q[8] = {1, 0, 0, 1, 1, 1, 2, 0};
static const float k[4] = {1, 2, 3, 1};
static const float v[2] = {1, 2};

static rt_linear_attention_params la_params(void) {
  rt_linear_attention_params p;
  memset(&p, 0, sizeof p);
  p.batch = 1, p.t = 2, p.hq = 2, p.hkv = 1, p.dk = 2, p.dv = 1, p.scale = 1.0f;
  return p;
}

/* Runs the kernel with decay and beta (either NULL) and the past state
 * (NULL: zeros); y gets [t, hq * dv], state the present one. */
static void la_run(const rt_linear_attention_params *p, const float *past, const float *decay, const float *beta,
                   float *y, float *state) {
  float scratch[8];
  const void *in[RT_MIN_ARGS] = {q, k, v, past, decay, beta, NULL, NULL};
  void *out[RT_MIN_ARGS] = {y, state, NULL, NULL, NULL, NULL, NULL, NULL};
  rt_linear_attention_f32(p, in, out, scratch);
}

static void expect(const float *got, const float *want, int n) {
  int i;
  for (i = 0; i < n; i++) ck_assert_float_eq_tol(got[i], want[i], 1e-5f);
}

START_TEST(linear_rule_and_gqa) {
  /* S = [1;2] after token 0: heads read 1 and 2; S = [1;2] + [3;1]*2 =
   * [7;4] after token 1: heads read 7+4 = 11 and 2*7 = 14. With scale 0.5
   * everything halves. */
  rt_linear_attention_params p = la_params();
  const float want_y[4] = {1, 2, 11, 14}, want_s[2] = {7, 4}, half_y[4] = {0.5f, 1, 5.5f, 7};
  float y[4], s[2];
  la_run(&p, NULL, NULL, NULL, y, s);
  expect(y, want_y, 4);
  expect(s, want_s, 2);
  p.scale = 0.5f;
  la_run(&p, NULL, NULL, NULL, y, s);
  expect(y, half_y, 4);
}
END_TEST

START_TEST(gated_per_head_and_per_key) {
  /* One decay per head, g = [0, ln 0.5]: token 1 halves S first:
   * S = [0.5;1] + [6;2] = [6.5;3], read 9.5 and 13. Per key dim,
   * g = [0,0 | ln 0.5, 0]: S = [0.5;2] + [6;2] = [6.5;4], read 10.5 and 13. */
  rt_linear_attention_params p = la_params();
  const float g_head[2] = {0, logf(0.5f)}, g_key[4] = {0, 0, logf(0.5f), 0};
  const float want_head[4] = {1, 2, 9.5f, 13}, want_key[4] = {1, 2, 10.5f, 13}, s_key[2] = {6.5f, 4};
  float y[4], s[2];
  la_run(&p, NULL, g_head, NULL, y, s);
  expect(y, want_head, 4);
  p.decay_per_key = 1;
  la_run(&p, NULL, g_key, NULL, y, s);
  expect(y, want_key, 4);
  expect(s, s_key, 2);
}
END_TEST

START_TEST(delta_with_past_state) {
  /* S0 = [1;1], one beta of 0.5 for all heads (beta_per_head 0).
   * Token 0: S^T k = 3, u = 0.5 (1 - 3) = -1, S = [1;1] - [1;2] = [0;-1],
   * read 0 and -1. Token 1: S^T k = -1, u = 0.5 (2 + 1) = 1.5,
   * S = [0;-1] + [4.5;1.5] = [4.5;0.5], read 5 and 9. */
  rt_linear_attention_params p = la_params();
  const float past[2] = {1, 1}, beta[2] = {0.5f, 0.5f};
  const float want_y[4] = {0, -1, 5, 9}, want_s[2] = {4.5f, 0.5f};
  float y[4], s[2];
  la_run(&p, past, NULL, beta, y, s);
  expect(y, want_y, 4);
  expect(s, want_s, 2);
}
END_TEST

START_TEST(gated_delta_without_state_output) {
  /* Both gates, decay per head g = [ln 0.5, 0], beta 1 (per head, hkv 1).
   * Token 0: S = 0 decayed stays 0; u = v = 1; S = [1;2], read 1 and 2.
   * Token 1: g = 0; S^T k = 5, u = 2 - 5 = -3; S = [1;2] + [-9;-3] =
   * [-8;-1], read -9 and -16. No present_state: the state lives in
   * scratch. */
  rt_linear_attention_params p = la_params();
  const float g[2] = {logf(0.5f), 0}, beta[2] = {1, 1}, want_y[4] = {1, 2, -9, -16};
  float y[4];
  p.beta_per_head = 1;
  la_run(&p, NULL, g, beta, y, NULL);
  expect(y, want_y, 4);
}
END_TEST

/* ---- the compiler, on one-node graphs ---- */

/* A float graph input of shape [2, 3, last] (rank 3). */
static int la_input(ir_graph *g, const char *name, int64_t last) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = 3;
  v->t.dims[0] = 2, v->t.dims[1] = 3, v->t.dims[2] = last;
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

/* LinearAttention with 4 query heads over 2 key/value heads, dk 3, dv 2,
 * the given rule, decay of width `decay` and beta of width `beta` (0:
 * absent), outputs y and state. Runs the pipeline; kernel, *params and
 * *scratch get what it lowered to. */
static status la_graph(const char *rule, int64_t decay, int64_t beta, char *kernel,
                       rt_linear_attention_params *params, size_t *scratch) {
  ir_graph *g = ir_new();
  ir_node *n = ir_node_add(g, "la", "LinearAttention", "");
  const struct lowered *low;
  status s;
  g->opset = 27;
  n->n_in = 6;
  n->in = xmalloc(sizeof(int) * 6);
  n->in[0] = la_input(g, "q", 12);
  n->in[1] = la_input(g, "k", 6);
  n->in[2] = la_input(g, "v", 4);
  n->in[3] = -1;
  n->in[4] = decay ? la_input(g, "decay", decay) : -1;
  n->in[5] = beta ? la_input(g, "beta", beta) : -1;
  n->n_out = 2;
  n->out = xmalloc(sizeof(int) * 2);
  n->out[0] = ir_value_get(g, "y");
  n->out[1] = ir_value_get(g, "state");
  g->outputs = xrealloc(g->outputs, sizeof(int) * 2);
  g->outputs[g->n_outputs++] = n->out[0];
  g->outputs[g->n_outputs++] = n->out[1];
  unit_add_attr(n, "q_num_heads", ATTR_INT, 4, 0, NULL);
  unit_add_attr(n, "kv_num_heads", ATTR_INT, 2, 0, NULL);
  unit_add_attr(n, "update_rule", ATTR_STRING, 0, 0, rule);
  s = unit_run_pipeline(g, kernel, &low);
  if (!s) {
    memcpy(params, low->params, sizeof *params);
    *scratch = low->scratch_bytes;
  }
  ir_free(g);
  return s;
}

START_TEST(compiler_checks_and_lowers) {
  char kernel[64];
  rt_linear_attention_params p;
  size_t scratch = 0;
  /* gated_delta with a per-key decay (2 * 3) and per-head beta (2): the
   * sizes, 1 / sqrt(3), and scratch for dv floats (the state lives in
   * present_state) */
  ck_assert_int_eq(la_graph("gated_delta", 6, 2, kernel, &p, &scratch), ST_OK);
  ck_assert_str_eq(kernel, "rt_linear_attention_f32");
  ck_assert_int_eq(p.batch, 2);
  ck_assert_int_eq(p.t, 3);
  ck_assert_int_eq(p.hq, 4);
  ck_assert_int_eq(p.hkv, 2);
  ck_assert_int_eq(p.dk, 3);
  ck_assert_int_eq(p.dv, 2);
  ck_assert_int_eq(p.decay_per_key, 1);
  ck_assert_int_eq(p.beta_per_head, 1);
  ck_assert_float_eq_tol(p.scale, 0.57735027f, 1e-6f);
  ck_assert_uint_eq(scratch, sizeof(float) * 2);
  /* a per-head decay and a single beta */
  ck_assert_int_eq(la_graph("gated_delta", 2, 1, kernel, &p, &scratch), ST_OK);
  ck_assert_int_eq(p.decay_per_key, 0);
  ck_assert_int_eq(p.beta_per_head, 0);
  /* the rule decides which gates the node must have */
  ck_assert_int_eq(la_graph("gated", 0, 0, kernel, &p, &scratch), ST_BAD_MODEL);
  ck_assert_int_eq(la_graph("linear", 6, 0, kernel, &p, &scratch), ST_BAD_MODEL);
  ck_assert_int_eq(la_graph("delta", 0, 2, kernel, &p, &scratch), ST_OK);
  ck_assert_int_eq(la_graph("softmax", 0, 0, kernel, &p, &scratch), ST_BAD_MODEL);
  /* widths the op does not know */
  ck_assert_int_eq(la_graph("gated", 4, 0, kernel, &p, &scratch), ST_BAD_MODEL);
  ck_assert_int_eq(la_graph("delta", 0, 3, kernel, &p, &scratch), ST_BAD_MODEL);
}
END_TEST

Suite *linear_attention_suite(void) {
  Suite *s = suite_create("linear_attention");
  TCase *tc = tcase_create("linear_attention");
  tcase_add_test(tc, linear_rule_and_gqa);
  tcase_add_test(tc, gated_per_head_and_per_key);
  tcase_add_test(tc, delta_with_past_state);
  tcase_add_test(tc, gated_delta_without_state_output);
  tcase_add_test(tc, compiler_checks_and_lowers);
  suite_add_tcase(s, tc);
  return s;
}
