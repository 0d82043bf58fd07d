/* TfIdfVectorizer kernels on a trie written by hand: unigrams 2 and 5
 * (columns 0 and 1) and the bigram (5, 6) (column 2). Counts with and
 * without skips, unigrams left out by min_gram, the three modes, rows. */
#include <onnxcc/kernels.h>

#include "suites.h"

/* token, column, first child, children: the root's edges 2 and 5, then
 * 5's child 6 */
static const int64_t trie[12] = {2, 0, 2, 0, 5, 1, 2, 1, 6, 2, 3, 0};

static void run_i32(rt_tfidf_params *p, const int32_t *x, const float *w, float *y) {
  const void *in[RT_MIN_ARGS] = {x, trie, w};
  void *out[RT_MIN_ARGS] = {y};
  rt_tfidf_i32(p, in, out, NULL);
}

START_TEST(tfidf_counts_and_skips) {
  const int32_t x[5] = {5, 0, 6, 5, 6};
  float y[3];
  rt_tfidf_params p = {1, 5, 3, 2, 1, 2, 0, RT_TFIDF_TF};
  /* no skip: 5 twice, (5, 6) once at 3 (0 and 6 are no unigrams) */
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[0], 0);
  ck_assert_float_eq(y[1], 2);
  ck_assert_float_eq(y[2], 1);
  /* skip 1 adds (x0, x2) = (5, 6), but not the unigrams again */
  p.max_skip = 1;
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[1], 2);
  ck_assert_float_eq(y[2], 2);
  /* bigrams only */
  p.min_gram = 2;
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[1], 0);
  ck_assert_float_eq(y[2], 2);
  /* unigrams only: the walk stops before the bigram */
  p.min_gram = p.max_gram = 1;
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[1], 2);
  ck_assert_float_eq(y[2], 0);
}
END_TEST

START_TEST(tfidf_modes) {
  const int32_t x[5] = {5, 0, 6, 5, 6};
  const float w[3] = {0.5f, 3, 7};
  float y[3];
  rt_tfidf_params p = {1, 5, 3, 2, 1, 2, 1, RT_TFIDF_IDF};
  /* counts 0, 2, 2: IDF gives the weight where a count is not 0 */
  run_i32(&p, x, w, y);
  ck_assert_float_eq(y[0], 0);
  ck_assert_float_eq(y[1], 3);
  ck_assert_float_eq(y[2], 7);
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[1], 1);
  p.mode = RT_TFIDF_TFIDF;
  run_i32(&p, x, w, y);
  ck_assert_float_eq(y[1], 6);
  ck_assert_float_eq(y[2], 14);
  run_i32(&p, x, NULL, y);
  ck_assert_float_eq(y[2], 2);
}
END_TEST

START_TEST(tfidf_rows_i64) {
  /* two rows of three: each counted on its own; an empty trie counts
   * nothing */
  const int64_t x[6] = {2, 2, 5, 5, 6, 9};
  float y[6];
  rt_tfidf_params p = {2, 3, 3, 2, 1, 2, 0, RT_TFIDF_TF};
  const void *in[RT_MIN_ARGS] = {x, trie};
  void *out[RT_MIN_ARGS] = {y};
  rt_tfidf_i64(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 2);
  ck_assert_float_eq(y[1], 1);
  ck_assert_float_eq(y[2], 0);
  ck_assert_float_eq(y[3], 0);
  ck_assert_float_eq(y[4], 1);
  ck_assert_float_eq(y[5], 1);
  p.root_count = 0;
  rt_tfidf_i64(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 0);
  ck_assert_float_eq(y[4], 0);
}
END_TEST

Suite *tfidf_suite(void) {
  Suite *s = suite_create("tfidf");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, tfidf_counts_and_skips);
  tcase_add_test(tc, tfidf_modes);
  tcase_add_test(tc, tfidf_rows_i64);
  suite_add_tcase(s, tc);
  return s;
}
