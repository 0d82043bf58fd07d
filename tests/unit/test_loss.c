/* Loss kernels (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss) on
 * small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* x [2, 3, 2]: x[i, k, j] = 6i + 2k + j + 1. Targets (i, j): (0,0) -> 2,
 * (0,1) -> 0, (1,0) -> 1, (1,1) -> 5 (out of range: contributes nothing).
 * Picked values: x[0,2,0] = 5, x[0,0,1] = 2, x[1,1,0] = 9. */
static const float nll_x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const int64_t nll_t[4] = {2, 0, 1, 5};
static const float nll_w[3] = {0.5f, 1, 2};

static void nll_params(rt_loss_params *p, int reduction) {
  memset(p, 0, sizeof *p);
  p->n = 2, p->c = 3, p->d = 2;
  p->reduction = reduction;
}

START_TEST(nllloss_none_and_out_of_range) {
  const float want[4] = {-5, -2, -9, 0};
  float y[4];
  rt_loss_params p;
  const void *in[8] = {nll_x, nll_t, NULL};
  void *out[8] = {y, NULL};
  int i;
  nll_params(&p, RT_LOSS_NONE);
  rt_nllloss_f32_i64(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(nllloss_weighted_sum_and_mean) {
  float y;
  rt_loss_params p;
  const void *in[8] = {nll_x, nll_t, nll_w};
  void *out[8] = {&y, NULL};
  /* sum: -5*2 - 2*0.5 - 9*1 = -20 */
  nll_params(&p, RT_LOSS_SUM);
  rt_nllloss_f32_i64(&p, in, out, NULL);
  ck_assert_float_eq_tol(y, -20.0f, 1e-6f);
  /* mean, ignoring class 0: (-10 - 9) / (2 + 1): the ignored element and
   * the out-of-range one add no weight */
  nll_params(&p, RT_LOSS_MEAN);
  p.has_ignore = 1, p.ignore_index = 0;
  rt_nllloss_f32_i64(&p, in, out, NULL);
  ck_assert_float_eq_tol(y, -19.0f / 3.0f, 1e-6f);
  /* mean without weights: (-5 - 2 - 9) / 3 counted elements */
  in[2] = NULL;
  p.has_ignore = 0;
  rt_nllloss_f32_i64(&p, in, out, NULL);
  ck_assert_float_eq_tol(y, -16.0f / 3.0f, 1e-6f);
}
END_TEST

START_TEST(nllloss_all_ignored_mean_is_nan) {
  const double x[2] = {1, 2};
  const int32_t t[1] = {-1};
  double y;
  rt_loss_params p;
  const void *in[8] = {x, t, NULL};
  void *out[8] = {&y, NULL};
  memset(&p, 0, sizeof p);
  p.n = 1, p.c = 2, p.d = 1;
  p.has_ignore = 1, p.ignore_index = -1;
  p.reduction = RT_LOSS_MEAN;
  rt_nllloss_f64_i32(&p, in, out, NULL);
  ck_assert(isnan(y));
}
END_TEST

START_TEST(sceloss_mean_and_log_prob) {
  /* Rows {0, ln 3} (softmax 1/4, 3/4), target 1, and {2, 2} (1/2, 1/2),
   * target 0: losses ln(4/3) and ln 2, mean ln(8/3) / 2. */
  const double x[4] = {0, log(3.0), 2, 2};
  const int32_t t[2] = {1, 0};
  const double want_lp[4] = {-log(4.0), log(0.75), -log(2.0), -log(2.0)};
  double y, lp[4];
  rt_loss_params p;
  const void *in[8] = {x, t, NULL};
  void *out[8] = {&y, lp};
  int i;
  memset(&p, 0, sizeof p);
  p.n = 2, p.c = 2, p.d = 1;
  p.reduction = RT_LOSS_MEAN;
  rt_sceloss_f64_i32(&p, in, out, NULL);
  ck_assert_double_eq_tol(y, log(8.0 / 3.0) / 2, 1e-12);
  for (i = 0; i < 4; i++) ck_assert_double_eq_tol(lp[i], want_lp[i], 1e-12);
  /* without the log_prob output, and reduction none */
  out[1] = NULL;
  p.reduction = RT_LOSS_NONE;
  {
    double yn[2];
    out[0] = yn;
    rt_sceloss_f64_i32(&p, in, out, NULL);
    ck_assert_double_eq_tol(yn[0], log(4.0 / 3.0), 1e-12);
    ck_assert_double_eq_tol(yn[1], log(2.0), 1e-12);
  }
}
END_TEST

Suite *loss_suite(void) {
  Suite *s = suite_create("loss");
  TCase *tc = tcase_create("loss");
  tcase_add_test(tc, nllloss_none_and_out_of_range);
  tcase_add_test(tc, nllloss_weighted_sum_and_mean);
  tcase_add_test(tc, nllloss_all_ignored_mean_is_nan);
  tcase_add_test(tc, sceloss_mean_and_log_prob);
  suite_add_tcase(s, tc);
  return s;
}
