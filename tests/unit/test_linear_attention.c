/* The LinearAttention kernel on small hand-computed cases: one key/value
 * head of dk 2 and dv 1 shared by two query heads (GQA), two tokens, and
 * scale 1, so each step is a few products by hand.
 *
 * query (per token, head 0 then head 1): [1,0 | 0,1], [1,1 | 2,0];
 * key: [1,2], [3,1]; value: [1], [2]. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

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

Suite *linear_attention_suite(void) {
  Suite *s = suite_create("linear_attention");
  TCase *tc = tcase_create("linear_attention");
  tcase_add_test(tc, linear_rule_and_gqa);
  tcase_add_test(tc, gated_per_head_and_per_key);
  tcase_add_test(tc, delta_with_past_state);
  tcase_add_test(tc, gated_delta_without_state_output);
  suite_add_tcase(s, tc);
  return s;
}
