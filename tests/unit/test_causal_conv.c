/* The CausalConvWithState kernel on small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static rt_causal_conv_params cc_params(int64_t channels, int64_t len, int64_t k) {
  rt_causal_conv_params p;
  memset(&p, 0, sizeof p);
  p.batch = 1, p.channels = channels, p.len = len, p.k = k;
  return p;
}

static void cc_run(const rt_causal_conv_params *p, const float *x, const float *w, const float *bias,
                   const float *past, float *y, float *present) {
  const void *in[RT_MIN_ARGS] = {x, w, bias, past, NULL, NULL, NULL, NULL};
  void *out[RT_MIN_ARGS] = {y, present, NULL, NULL, NULL, NULL, NULL, NULL};
  rt_causal_conv_f32(p, in, out, NULL);
}

static void expect(const float *got, const float *want, int n) {
  int i;
  for (i = 0; i < n; i++) ck_assert_float_eq_tol(got[i], want[i], 1e-6f);
}

START_TEST(past_state_and_bias) {
  /* Channel 0: line [7,8 | 1,2,3], w [1,0,0] takes each window's oldest,
   * + 0.5: [7.5, 8.5, 1.5]. Channel 1: line [9,10 | 4,5,6], w [0,1,1]:
   * [14, 9, 11] - 1. present: each line's last two, [2,3] and [5,6]. */
  rt_causal_conv_params p = cc_params(2, 3, 3);
  const float x[6] = {1, 2, 3, 4, 5, 6}, w[6] = {1, 0, 0, 0, 1, 1}, bias[2] = {0.5f, -1};
  const float past[4] = {7, 8, 9, 10};
  const float want_y[6] = {7.5f, 8.5f, 1.5f, 13, 8, 10}, want_s[4] = {2, 3, 5, 6};
  float y[6], s[4];
  cc_run(&p, x, w, bias, past, y, s);
  expect(y, want_y, 6);
  expect(s, want_s, 4);
}
END_TEST

START_TEST(zero_state_short_input) {
  /* No past, one position, k 3: the line is [0,0,5]; w [1,2,3] gives 15;
   * present is [0,5], part padding. Without present_state only y is
   * written. */
  rt_causal_conv_params p = cc_params(1, 1, 3);
  const float x[1] = {5}, w[3] = {1, 2, 3}, want_s[2] = {0, 5};
  float y[1], s[2];
  cc_run(&p, x, w, NULL, NULL, y, s);
  ck_assert_float_eq(y[0], 15);
  expect(s, want_s, 2);
  y[0] = 0;
  cc_run(&p, x, w, NULL, NULL, y, NULL);
  ck_assert_float_eq(y[0], 15);
}
END_TEST

START_TEST(kernel_one_and_silu) {
  /* k 1: a per-channel scale, no state (k - 1 = 0 values). w 2 on
   * [0, 1, -1]: [0, 2, -2], then y * sigmoid(y): [0, 1.7615942,
   * -0.2384058]. */
  rt_causal_conv_params p = cc_params(1, 3, 1);
  const float x[3] = {0, 1, -1}, w[1] = {2};
  float y[3];
  p.silu = 1;
  cc_run(&p, x, w, NULL, NULL, y, NULL);
  ck_assert_float_eq_tol(y[0], 0, 1e-6f);
  ck_assert_float_eq_tol(y[1], 1.7615942f, 1e-5f);
  ck_assert_float_eq_tol(y[2], -0.2384058f, 1e-5f);
}
END_TEST

Suite *causal_conv_suite(void) {
  Suite *s = suite_create("causal_conv");
  TCase *tc = tcase_create("causal_conv");
  tcase_add_test(tc, past_state_and_bias);
  tcase_add_test(tc, zero_state_short_input);
  tcase_add_test(tc, kernel_one_and_silu);
  suite_add_tcase(s, tc);
  return s;
}
