/* The tree ensemble kernel (kernels/trees.h) on a hand-made two-level
 * tree: every comparison mode at the root, NaN with and without the
 * missing track, set membership, and the aggregations over two trees. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* Tree: node 0 compares x0 with 0.5 (mode under test): true -> node 1,
 * false -> leaf node 2 (weight 20). Node 1: x1 <= 0 ? leaf 3 (1) : leaf
 * 4 (2). Tables as trees.h lays them out: roots, node records, weight
 * targets; thresholds, weight values, then set members {0.5, 3}. */
typedef struct one_tree {
  int64_t it[1 + 5 * RT_TREE_NODE_FIELDS + 3];
  float ft[5 + 3 + 2];
  rt_tree_params p;
} one_tree;

static void make_tree(one_tree *t, int mode, int missing_true) {
  const int64_t recs[5][RT_TREE_NODE_FIELDS] = {
      {mode, 0, 1, 2, missing_true, 8, 2}, {RT_TREE_LEQ, 1, 3, 4, 0, 0, 0},
      {RT_TREE_LEAF, 1, 0, 0, 0, 0, 0},    {RT_TREE_LEAF, 1, 1, 0, 0, 0, 0},
      {RT_TREE_LEAF, 1, 2, 0, 0, 0, 0}};
  const float ft[10] = {0.5f, 0.0f, 0, 0, 0, 20, 1, 2, 0.5f, 3};
  memset(t, 0, sizeof *t);
  t->it[0] = 0;
  memcpy(t->it + 1, recs, sizeof recs);
  /* weight targets all 0 */
  memcpy(t->ft, ft, sizeof ft);
  t->p.rows = 1;
  t->p.features = 2;
  t->p.trees = 1;
  t->p.targets = 1;
  t->p.n_nodes = 5;
  t->p.nodes_at = 1;
  t->p.labels_at = 1;
  t->p.wtarget_at = 1 + 5 * RT_TREE_NODE_FIELDS;
  t->p.split_at = 0;
  t->p.wvalue_at = 5;
  t->p.agg = RT_TREE_SUM;
  t->p.post = RT_TREE_NONE;
}

static float run_tree(one_tree *t, float x0) {
  const float x[2] = {x0, -1.0f}; /* x1 <= 0: the true branch gives 1 */
  float y[1], scratch[8];
  const void *in[3] = {x, t->it, t->ft};
  void *out[1] = {y};
  rt_tree_regress_f32(&t->p, in, out, scratch);
  return y[0];
}

START_TEST(tree_comparison_modes) {
  /* per mode: x0 below, at and above the threshold 0.5; 1 = true, 20 = false */
  static const struct {
    int mode;
    float below, at, above;
  } cases[] = {{RT_TREE_LEQ, 1, 1, 20}, {RT_TREE_LT, 1, 20, 20}, {RT_TREE_GTE, 20, 1, 1},
               {RT_TREE_GT, 20, 20, 1}, {RT_TREE_EQ, 20, 1, 20}, {RT_TREE_NEQ, 1, 20, 1}};
  one_tree t;
  unsigned i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    make_tree(&t, cases[i].mode, 0);
    ck_assert_float_eq(run_tree(&t, 0.25f), cases[i].below);
    ck_assert_float_eq(run_tree(&t, 0.5f), cases[i].at);
    ck_assert_float_eq(run_tree(&t, 0.75f), cases[i].above);
  }
}
END_TEST

START_TEST(tree_missing_tracks) {
  /* NaN fails every comparison but NEQ; the missing track sends it true */
  one_tree t;
  int mode;
  for (mode = RT_TREE_LEQ; mode <= RT_TREE_MEMBER; mode++) {
    make_tree(&t, mode, 0);
    ck_assert_float_eq(run_tree(&t, NAN), mode == RT_TREE_NEQ ? 1 : 20);
    make_tree(&t, mode, 1);
    ck_assert_float_eq(run_tree(&t, NAN), 1);
  }
}
END_TEST

START_TEST(tree_set_membership) {
  one_tree t;
  make_tree(&t, RT_TREE_MEMBER, 0);
  ck_assert_float_eq(run_tree(&t, 0.5f), 1);
  ck_assert_float_eq(run_tree(&t, 3.0f), 1);
  ck_assert_float_eq(run_tree(&t, 2.0f), 20);
}
END_TEST

START_TEST(tree_aggregations_and_base) {
  /* the same tree twice (roots 0 and 0): x0 = 0.25 under LEQ reaches 1
   * in both, x0 = 0.75 reaches 20; base value 0.5 */
  one_tree t;
  int64_t it[2 + 5 * RT_TREE_NODE_FIELDS + 3];
  float ft[1 + 10], y[2], scratch[8];
  const float x[4] = {0.25f, -1.0f, 0.75f, -1.0f};
  const void *in[3] = {x, it, ft};
  void *out[1] = {y};
  make_tree(&t, RT_TREE_LEQ, 0);
  it[0] = it[1] = 0;
  memcpy(it + 2, t.it + 1, sizeof(int64_t) * (5 * RT_TREE_NODE_FIELDS + 3));
  ft[0] = 0.5f;
  memcpy(ft + 1, t.ft, sizeof t.ft);
  t.p.rows = 2;
  t.p.trees = 2;
  t.p.n_base = 1;
  t.p.nodes_at = t.p.labels_at = 2;
  t.p.wtarget_at = 2 + 5 * RT_TREE_NODE_FIELDS;
  t.p.split_at = 1;
  t.p.wvalue_at = 6;
  rt_tree_regress_f32(&t.p, in, out, scratch);
  ck_assert_float_eq(y[0], 2.5f);
  ck_assert_float_eq(y[1], 40.5f);
  t.p.agg = RT_TREE_AVERAGE;
  rt_tree_regress_f32(&t.p, in, out, scratch);
  ck_assert_float_eq(y[0], 1.5f);
  ck_assert_float_eq(y[1], 20.5f);
  t.p.agg = RT_TREE_MIN;
  rt_tree_regress_f32(&t.p, in, out, scratch);
  ck_assert_float_eq(y[0], 1.5f);
  t.p.agg = RT_TREE_MAX;
  rt_tree_regress_f32(&t.p, in, out, scratch);
  ck_assert_float_eq(y[1], 20.5f);
}
END_TEST

START_TEST(ml_transforms) {
  /* logistic(0) = 0.5; probit(0.5) = 0; softmax of equal scores is uniform;
   * SOFTMAX_ZERO leaves a zero score at 0 */
  float s[3] = {1, 1, 1}, z[3] = {0, 2, 2};
  ck_assert_float_eq(rt_ml_logistic(0), 0.5f);
  ck_assert_float_eq_tol(rt_ml_probit(0.5f), 0, 1e-6);
  rt_ml_post_scores(RT_TREE_SOFTMAX, s, 3);
  ck_assert_float_eq_tol(s[0], 1.0f / 3, 1e-6);
  rt_ml_post_scores(RT_TREE_SOFTMAX_ZERO, z, 3);
  ck_assert_float_eq(z[0], 0);
  ck_assert_float_eq_tol(z[1], 0.5f, 1e-6);
}
END_TEST

Suite *trees_suite(void) {
  Suite *s = suite_create("trees");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, tree_comparison_modes);
  tcase_add_test(tc, tree_missing_tracks);
  tcase_add_test(tc, tree_set_membership);
  tcase_add_test(tc, tree_aggregations_and_base);
  tcase_add_test(tc, ml_transforms);
  suite_add_tcase(s, tc);
  return s;
}
