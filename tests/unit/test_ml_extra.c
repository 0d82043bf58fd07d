/* FeatureVectorizer's kernel (kernels/ml_extra.h): inputs side by side,
 * each cut or zero-padded to its size, converted to float. */
#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(feature_vectorize_cut_and_pad) {
  /* two rows; input a is 3 wide (size 2: its last column dropped), b is 1
   * wide (size 3: two zeros added) */
  const int64_t a[6] = {1, 2, 3, 4, 5, 6}, b[2] = {-7, 8}, widths[4] = {3, 1, 2, 3};
  const float want[10] = {1, 2, -7, 0, 0, 4, 5, 8, 0, 0};
  float y[10];
  const void *in[3] = {a, b, widths};
  void *out[1] = {y};
  rt_feature_vectorize_params p = {2, 2, 5};
  int i;
  for (i = 0; i < 10; i++) y[i] = 99;
  rt_feature_vectorize_i64(&p, in, out, NULL);
  for (i = 0; i < 10; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(feature_vectorize_types) {
  /* one row of one input of each type the kernel takes; size 0 writes nothing */
  const double d[2] = {0.5, -1.25};
  const int32_t n[2] = {3, -4};
  const int64_t widths[2] = {2, 2};
  float y[2];
  const void *in_d[2] = {d, widths}, *in_n[2] = {n, widths};
  void *out[1] = {y};
  rt_feature_vectorize_params p = {1, 1, 2};
  rt_feature_vectorize_f64(&p, in_d, out, NULL);
  ck_assert_float_eq(y[0], 0.5f);
  ck_assert_float_eq(y[1], -1.25f);
  rt_feature_vectorize_i32(&p, in_n, out, NULL);
  ck_assert_float_eq(y[0], 3);
  ck_assert_float_eq(y[1], -4);
  {
    const int64_t none[2] = {2, 0};
    const void *in0[2] = {n, none};
    rt_feature_vectorize_params p0 = {1, 1, 0};
    y[0] = 42;
    rt_feature_vectorize_i32(&p0, in0, out, NULL);
    ck_assert_float_eq(y[0], 42);
  }
}
END_TEST

Suite *ml_extra_suite(void) {
  Suite *s = suite_create("ml_extra");
  TCase *tc = tcase_create("ml_extra");
  tcase_add_test(tc, feature_vectorize_cut_and_pad);
  tcase_add_test(tc, feature_vectorize_types);
  suite_add_tcase(s, tc);
  return s;
}
