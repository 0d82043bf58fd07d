/* The SVM kernels (kernels/svm.h) on hand-computed cases: each kernel
 * function, the regressor's linear mode and one_class, the one-vs-one
 * votes and their tie rule, the binary SVC's two score layouts, Platt
 * scaling with the coupling, and the linear SVC's binary label rule. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static rt_svm_params params(int64_t cols, int64_t classes, int64_t vectors, int kernel) {
  rt_svm_params p;
  memset(&p, 0, sizeof p);
  p.rows = 1;
  p.cols = cols;
  p.classes = classes;
  p.vectors = vectors;
  p.kernel = kernel;
  p.post = RT_TREE_NONE;
  p.esize = sizeof(int64_t);
  return p;
}

static float regress(const rt_svm_params *p, const float *x, const float *table) {
  float y = 0, scratch[64];
  const void *in[2] = {x, table};
  void *out[1] = {&y};
  rt_svm_regress_f32(p, in, out, scratch);
  return y;
}

START_TEST(svm_regressor_kernels) {
  /* one support vector, coefficient 2, rho 1 */
  rt_svm_params p = params(2, 1, 1, RT_SVM_RBF);
  const float x[2] = {1, 1}, rbf[4] = {0, 0, 2, 1}, poly[4] = {1, 0, 1, 0}, sig[4] = {1, 1, 1, 0};
  const float x2[2] = {2, 5};
  p.gamma = 0.5f;
  /* 2 exp(-0.5 * (1 + 1)) + 1 */
  ck_assert_float_eq_tol(regress(&p, x, rbf), 2 * expf(-1) + 1, 1e-6f);
  /* (1 * x.v + 1) ^ degree with x.v = 2 */
  p.kernel = RT_SVM_POLY;
  p.gamma = 1;
  p.coef0 = 1;
  p.degree = 2;
  ck_assert_float_eq_tol(regress(&p, x2, poly), 9, 1e-6f);
  p.degree = 3;
  ck_assert_float_eq_tol(regress(&p, x2, poly), 27, 1e-5f);
  p.degree = 2.5f;
  ck_assert_float_eq_tol(regress(&p, x2, poly), 15.588457f, 1e-4f);
  /* tanh(0.5 * 2 + 0) */
  p.kernel = RT_SVM_SIGMOID;
  p.gamma = 0.5f;
  p.coef0 = 0;
  ck_assert_float_eq_tol(regress(&p, x, sig), tanhf(1), 1e-6f);
  /* LINEAR: x.v = 2, times 1 */
  p.kernel = RT_SVM_LINEAR;
  ck_assert_float_eq_tol(regress(&p, x2, poly), 2, 1e-6f);
}
END_TEST

START_TEST(svm_regressor_linear_one_class) {
  /* no support vectors: 2 x0 - x1 + 0.5 */
  rt_svm_params p = params(2, 1, 0, RT_SVM_LINEAR);
  const float x[2] = {1, 3}, x_pos[2] = {1, 1}, table[3] = {2, -1, 0.5f};
  ck_assert_float_eq_tol(regress(&p, x, table), -0.5f, 1e-6f);
  p.one_class = 1;
  ck_assert_float_eq(regress(&p, x, table), -1);
  ck_assert_float_eq(regress(&p, x_pos, table), 1);
}
END_TEST

/* One row through rt_svm_classify_f32: the label, scores into z. */
static int64_t classify(const rt_svm_params *p, const float *x, const float *table, const int64_t *labels,
                        const int64_t *counts, float *z) {
  int64_t y = -1;
  float scratch[128];
  const void *in[4] = {x, table, labels, counts};
  void *out[2] = {&y, z};
  rt_svm_classify_f32(p, in, out, scratch);
  return y;
}

START_TEST(svm_one_vs_one_votes) {
  /* three classes of one 1-D vector each: 1, -1, 2; LINEAR kernel.
   * coefficients rows [1 1 1] and [1 1 -1], rho [0.5 0 0]:
   * d01 = 1 k0 + 1 k1 + 0.5, d02 = 1 k0 + 1 k2, d12 = 1 k1 - 1 k2 */
  rt_svm_params p = params(1, 3, 3, RT_SVM_LINEAR);
  const float table[3 + 6 + 3] = {1, -1, 2, 1, 1, 1, 1, 1, -1, 0.5f, 0, 0};
  const int64_t labels[3] = {10, 20, 30}, counts[3] = {1, 1, 1};
  const float one[1] = {1}, minus[1] = {-1};
  float z[3];
  /* x = 1: k = [1 -1 2], d = [0.5 3 -3]: votes 0, 0, 2 */
  ck_assert_int_eq(classify(&p, one, table, labels, counts, z), 10);
  ck_assert_float_eq_tol(z[0], 0.5f, 1e-6f);
  ck_assert_float_eq_tol(z[1], 3, 1e-6f);
  ck_assert_float_eq_tol(z[2], -3, 1e-6f);
  /* x = -1: d = [0.5 -3 3]: one vote each; the first class wins the tie */
  ck_assert_int_eq(classify(&p, minus, table, labels, counts, z), 10);
  ck_assert_float_eq_tol(z[1], -3, 1e-6f);
  /* a decision value of exactly 0 votes for the second class: rho 0 */
  {
    float t2[12];
    memcpy(t2, table, sizeof t2);
    t2[9] = 0;
    t2[11] = 5; /* d12 = 5 + ...: class 1 beats 2 */
    /* x = 1: d01 = 0 -> class 1, d02 = 3 -> 0, d12 = -3 + 5 = 2 -> 1 */
    ck_assert_int_eq(classify(&p, one, t2, labels, counts, z), 20);
  }
}
END_TEST

START_TEST(svm_binary_scores) {
  /* vectors 1 (class 0) and -1 (class 1), coefficients [2 1], rho 0:
   * d = 2 x - x = x */
  rt_svm_params p = params(1, 2, 2, RT_SVM_LINEAR);
  const float table[2 + 2 + 1] = {1, -1, 2, 1, 0};
  const int64_t labels[2] = {7, 9}, counts[2] = {1, 1};
  const float x[1] = {0.25f}, xn[1] = {-0.25f};
  float z[2];
  ck_assert_int_eq(classify(&p, x, table, labels, counts, z), 7); /* d > 0: the first class */
  ck_assert_float_eq_tol(z[0], -0.25f, 1e-6f);
  ck_assert_float_eq_tol(z[1], 0.25f, 1e-6f);
  ck_assert_int_eq(classify(&p, xn, table, labels, counts, z), 9);
  p.post = RT_TREE_LOGISTIC; /* ONNX Runtime then writes [1 - d, d], no logistic */
  classify(&p, x, table, labels, counts, z);
  ck_assert_float_eq_tol(z[0], 0.75f, 1e-6f);
  ck_assert_float_eq_tol(z[1], 0.25f, 1e-6f);
}
END_TEST

START_TEST(svm_probabilities) {
  /* as above (d = x = 0), prob_a -2, prob_b ln 3: the pair probability
   * 1 - logistic(ln 3) = 1/4, coupled for two classes into ~[1/4, 3/4] */
  rt_svm_params p = params(1, 2, 2, RT_SVM_LINEAR);
  const float table[2 + 2 + 1 + 2] = {1, -1, 2, 1, 0, -2, logf(3)};
  const int64_t labels[2] = {7, 9}, counts[2] = {1, 1};
  const float x[1] = {0};
  float z[2];
  p.proba = 1;
  /* d = 0 is no vote for the first class: the label is the second */
  ck_assert_int_eq(classify(&p, x, table, labels, counts, z), 9);
  ck_assert_float_eq_tol(z[0], 0.25f, 0.01f);
  ck_assert_float_eq_tol(z[1], 0.75f, 0.01f);
  ck_assert_float_eq_tol(z[0] + z[1], 1, 1e-5f);
  /* a decision value far out is clamped to 1e-7, not 0 */
  {
    const float far[1] = {100};
    classify(&p, far, table, labels, counts, z);
    ck_assert(z[0] > 0.99f && z[0] <= 1);
  }
}
END_TEST

START_TEST(svm_linear_binary_labels) {
  /* no support vectors: scores x.c + rho, rho 0.1 added to each class */
  rt_svm_params p = params(2, 2, 0, RT_SVM_LINEAR);
  const float pos[4 + 1] = {1, 0, 0, 1, 0.1f}, mixed[4 + 1] = {1, 0, 0, -1, 0.1f};
  const int64_t labels[2] = {3, 4};
  const float a[2] = {0.3f, 0.2f}, b[2] = {0.6f, 0.1f}, c[2] = {-0.5f, 0.2f}, d[2] = {0.3f, 0.5f};
  float z[2];
  p.all_positive = 1;
  /* [0.4 0.3]: the best is below 0.5: the best class */
  ck_assert_int_eq(classify(&p, a, pos, labels, NULL, z), 3);
  ck_assert_float_eq_tol(z[0], 0.4f, 1e-6f);
  ck_assert_float_eq_tol(z[1], 0.3f, 1e-6f);
  /* [0.7 0.2]: the best reaches 0.5: the second label, whichever won */
  ck_assert_int_eq(classify(&p, b, pos, labels, NULL, z), 4);
  p.all_positive = 0;
  /* [-0.4 -0.1]: best not > 0: the best class (1) */
  ck_assert_int_eq(classify(&p, c, mixed, labels, NULL, z), 4);
  /* [0.4 -0.4]: best > 0 with mixed signs: the second label */
  ck_assert_int_eq(classify(&p, d, mixed, labels, NULL, z), 4);
  /* softmax over the two scores */
  p.post = RT_TREE_SOFTMAX;
  classify(&p, d, mixed, labels, NULL, z);
  ck_assert_float_eq_tol(z[0], 1 / (1 + expf(-0.8f)), 1e-6f);
}
END_TEST

START_TEST(svm_label_bytes) {
  /* labels are copied as esize-byte entries (string slots alike) */
  rt_svm_params p = params(1, 3, 0, RT_SVM_LINEAR);
  const float table[3 + 1] = {1, 2, 3, 0};
  const char labels[3][4] = {"aa", "bb", "cc"};
  const float x[1] = {1};
  char y[4];
  float z[3], scratch[16];
  const void *in[3] = {x, table, labels};
  void *out[2] = {y, z};
  p.esize = 4;
  rt_svm_classify_f32(&p, in, out, scratch);
  ck_assert_str_eq(y, "cc");
}
END_TEST

START_TEST(svm_input_types) {
  /* X is converted to float first, whatever its type */
  rt_svm_params p = params(2, 1, 0, RT_SVM_LINEAR);
  const float table[3] = {2, -1, 0.5f};
  const int32_t xi[2] = {1, 3};
  const int64_t xl[2] = {1, 3};
  const double xd[2] = {1, 3};
  float y = 0, scratch[8];
  const void *in_i[2] = {xi, table}, *in_l[2] = {xl, table}, *in_d[2] = {xd, table};
  void *out[1] = {&y};
  rt_svm_regress_i32(&p, in_i, out, scratch);
  ck_assert_float_eq_tol(y, -0.5f, 1e-6f);
  rt_svm_regress_i64(&p, in_l, out, scratch);
  ck_assert_float_eq_tol(y, -0.5f, 1e-6f);
  rt_svm_regress_f64(&p, in_d, out, scratch);
  ck_assert_float_eq_tol(y, -0.5f, 1e-6f);
}
END_TEST

Suite *svm_suite(void) {
  Suite *s = suite_create("svm");
  TCase *tc = tcase_create("svm");
  tcase_add_test(tc, svm_regressor_kernels);
  tcase_add_test(tc, svm_regressor_linear_one_class);
  tcase_add_test(tc, svm_one_vs_one_votes);
  tcase_add_test(tc, svm_binary_scores);
  tcase_add_test(tc, svm_probabilities);
  tcase_add_test(tc, svm_linear_binary_labels);
  tcase_add_test(tc, svm_label_bytes);
  tcase_add_test(tc, svm_input_types);
  suite_add_tcase(s, tc);
  return s;
}
