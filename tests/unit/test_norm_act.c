/* The kernels of RMSNormalization, LpNormalization, GroupNormalization
 * (norm.h), Swish and SwiGLU (elementwise.h), on small hand-computed
 * cases. */
#include <math.h>

#include <onnxcc/kernels.h>

#include "suites.h"

#define NEAR(a, b) ck_assert_double_eq_tol((double)(a), (double)(b), 1e-5)

START_TEST(rmsnorm_rows_and_repeated_scale) {
  /* row [3, 4]: mean square 12.5, so y = x / sqrt(12.5) * [1, 2] */
  const float x[2] = {3, 4}, sc[2] = {1, 2};
  const float x4[4] = {1, -1, 1, -1}, z[2] = {0, 0};
  float y[4];
  rt_rmsnorm_params p = {1, 2, 2, 0.0f};
  const void *in[RT_MIN_ARGS] = {x, sc};
  void *out[1] = {y};
  rt_rmsnorm_f32(&p, in, out, NULL);
  NEAR(y[0], 3 / sqrt(12.5));
  NEAR(y[1], 8 / sqrt(12.5));
  /* a row of 4 whose mean square is 1: the 2 scale values repeat */
  p.n = 4;
  in[0] = x4;
  rt_rmsnorm_f32(&p, in, out, NULL);
  NEAR(y[0], 1);
  NEAR(y[1], -2);
  NEAR(y[2], 1);
  NEAR(y[3], -2);
  /* zeros with epsilon 1 stay zeros (no 0 / 0) */
  p.n = 2;
  p.epsilon = 1.0f;
  in[0] = z;
  rt_rmsnorm_f32(&p, in, out, NULL);
  NEAR(y[0], 0);
  NEAR(y[1], 0);
}
END_TEST

START_TEST(rmsnorm_double_two_rows) {
  /* rows [1, 1] and [2, 2] (outer 2): both normalise to ones */
  const double x[4] = {1, 1, 2, 2}, sc[1] = {3};
  double y[4];
  rt_rmsnorm_params p = {2, 2, 1, 0.0f};
  const void *in[RT_MIN_ARGS] = {x, sc};
  void *out[1] = {y};
  int i;
  rt_rmsnorm_f64(&p, in, out, NULL);
  for (i = 0; i < 4; i++) NEAR(y[i], 3);
}
END_TEST

START_TEST(lpnorm_p1_p2_strided_and_zero) {
  /* [outer 1, n 2, inner 2]: line 0 is (3, 4), line 1 (0, 0) */
  const float x[4] = {3, 0, 4, 0}, xs[2] = {-3, 4};
  float y[4];
  rt_lpnorm_params p = {1, 2, 2, 2};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_lpnorm_f32(&p, in, out, NULL);
  NEAR(y[0], 0.6);
  NEAR(y[2], 0.8);
  NEAR(y[1], 0); /* a zero norm gives zeros */
  NEAR(y[3], 0);
  /* p = 1 sums magnitudes: [-3, 4] / 7 */
  p.p = 1;
  p.inner = 1;
  in[0] = xs;
  rt_lpnorm_f32(&p, in, out, NULL);
  NEAR(y[0], -3.0 / 7);
  NEAR(y[1], 4.0 / 7);
}
END_TEST

START_TEST(lpnorm_double) {
  const double x[2] = {6, 8};
  double y[2];
  rt_lpnorm_params p = {1, 2, 1, 2};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_lpnorm_f64(&p, in, out, NULL);
  NEAR(y[0], 0.6);
  NEAR(y[1], 0.8);
}
END_TEST

START_TEST(groupnorm_two_groups) {
  /* 4 channels in 2 groups: [1, 3] has mean 2, std 1; [2, 6] mean 4, std
   * 2; both normalise to [-1, 1] */
  const float x[4] = {1, 3, 2, 6};
  const float sc[4] = {1, 2, 3, 4}, bi[4] = {0, 0, 10, 10};
  float y[4];
  rt_groupnorm_params p = {1, 4, 1, 2, 0.0f};
  const void *in[RT_MIN_ARGS] = {x, sc, bi};
  void *out[1] = {y};
  rt_groupnorm_f32(&p, in, out, NULL);
  NEAR(y[0], -1);
  NEAR(y[1], 2);
  NEAR(y[2], 7);
  NEAR(y[3], 14);
}
END_TEST

START_TEST(groupnorm_double_inner) {
  /* one group of 2 channels with inner 2: [0, 2, 4, 6], mean 3, variance 5 */
  const double x[4] = {0, 2, 4, 6}, sc[2] = {1, 1}, bi[2] = {0, 1};
  double y[4];
  rt_groupnorm_params p = {1, 2, 2, 1, 0.0f};
  const void *in[RT_MIN_ARGS] = {x, sc, bi};
  void *out[1] = {y};
  rt_groupnorm_f64(&p, in, out, NULL);
  NEAR(y[0], -3 / sqrt(5.0));
  NEAR(y[1], -1 / sqrt(5.0));
  NEAR(y[2], 1 / sqrt(5.0) + 1);
  NEAR(y[3], 3 / sqrt(5.0) + 1);
}
END_TEST

START_TEST(swish_and_swiglu) {
  /* x * sigmoid(alpha * x): 0 -> 0; 2 with alpha 0.5 -> 2 sigmoid(1);
   * SwiGLU multiplies by b */
  const float x[2] = {0, 2}, b[2] = {5, 3};
  const double xd[1] = {-1}, bd[1] = {2};
  float y[2];
  double yd[1];
  rt_unary_params p = {2, 0.5f, 0, 0, 0, 0};
  const void *in[RT_MIN_ARGS] = {x, b};
  void *out[1] = {y};
  rt_swish_f32(&p, in, out, NULL);
  NEAR(y[0], 0);
  NEAR(y[1], 2 / (1 + exp(-1.0)));
  rt_swiglu_f32(&p, in, out, NULL);
  NEAR(y[0], 0);
  NEAR(y[1], 6 / (1 + exp(-1.0)));
  /* double, alpha 2: -1 * sigmoid(-2), times 2 */
  p.count = 1;
  p.alpha = 2.0f;
  in[0] = xd;
  in[1] = bd;
  out[0] = yd;
  rt_swish_f64(&p, in, out, NULL);
  NEAR(yd[0], -1 / (1 + exp(2.0)));
  rt_swiglu_f64(&p, in, out, NULL);
  NEAR(yd[0], -2 / (1 + exp(2.0)));
}
END_TEST

Suite *norm_act_suite(void) {
  Suite *s = suite_create("norm_act");
  TCase *tc = tcase_create("norm_act");
  tcase_add_test(tc, rmsnorm_rows_and_repeated_scale);
  tcase_add_test(tc, rmsnorm_double_two_rows);
  tcase_add_test(tc, lpnorm_p1_p2_strided_and_zero);
  tcase_add_test(tc, lpnorm_double);
  tcase_add_test(tc, groupnorm_two_groups);
  tcase_add_test(tc, groupnorm_double_inner);
  tcase_add_test(tc, swish_and_swiglu);
  suite_add_tcase(s, tc);
  return s;
}
