/* Symbolic dim expressions: folding, sharing, bounds, evaluation and the C
 * text the generated code will compute them with. */
#include <string.h>

#include "../../codegen/text.h"
#include "../../compiler/dimexpr.h"
#include "suites.h"

START_TEST(constants_fold_and_share) {
  dx_table t;
  int64_t v;
  dx_init(&t);
  ck_assert(dx_const_value(&t, dx_add(&t, dx_const(&t, 2), dx_const(&t, 3)), &v));
  ck_assert_int_eq(v, 5);
  ck_assert(dx_const_value(&t, dx_floordiv(&t, dx_const(&t, -7), dx_const(&t, 2)), &v));
  ck_assert_int_eq(v, -4);
  ck_assert(dx_const_value(&t, dx_ceildiv(&t, dx_const(&t, 7), dx_const(&t, 2)), &v));
  ck_assert_int_eq(v, 4);
  ck_assert_int_eq(dx_const(&t, 9), dx_const(&t, 9));
  dx_free(&t);
}
END_TEST

START_TEST(symbols_simplify) {
  dx_table t;
  int s, n, e;
  int64_t v;
  dx_init(&t);
  s = dx_sym(&t, "seq", 1, 512);
  n = dx_sym(&t, "batch", 1, 8);
  ck_assert_int_eq(dx_sym(&t, "seq", 5, 6), s); /* same name, same symbol */
  ck_assert_int_eq(dx_add(&t, s, dx_const(&t, 0)), s);
  ck_assert_int_eq(dx_mul(&t, dx_const(&t, 1), s), s);
  ck_assert_int_eq(dx_add(&t, s, n), dx_add(&t, n, s)); /* commutative ops share a node */
  ck_assert(dx_const_value(&t, dx_sub(&t, s, s), &v) && v == 0);
  /* (seq + 1) + 2 is seq + 3; seq - 3 + 3 is seq */
  ck_assert_int_eq(dx_add(&t, dx_add(&t, s, dx_const(&t, 1)), dx_const(&t, 2)), dx_add(&t, s, dx_const(&t, 3)));
  ck_assert_int_eq(dx_add(&t, dx_sub(&t, s, dx_const(&t, 3)), dx_const(&t, 3)), s);
  /* min/max decided by bounds */
  ck_assert_int_eq(dx_min(&t, n, dx_const(&t, 100)), n);
  ck_assert_int_eq(dx_max(&t, n, dx_const(&t, 0)), n);
  e = dx_min(&t, s, dx_const(&t, 100));
  ck_assert_int_eq(dx_upper(&t, e), 100);
  dx_free(&t);
}
END_TEST

/* A conv output length: floordiv(seq + 2*pad - kernel, stride) + 1. */
START_TEST(bounds_and_evaluation) {
  dx_table t;
  int s, e;
  int64_t vals[1];
  dx_init(&t);
  s = dx_sym(&t, "seq", 3, 512);
  e = dx_add(&t, dx_floordiv(&t, dx_sub(&t, dx_add(&t, s, dx_const(&t, 2)), dx_const(&t, 3)), dx_const(&t, 2)),
             dx_const(&t, 1));
  ck_assert_int_eq(dx_lower(&t, e), 2);   /* seq = 3: (3 + 2 - 3) / 2 + 1 */
  ck_assert_int_eq(dx_upper(&t, e), 256); /* seq = 512: 511 / 2 + 1 */
  vals[0] = 77;
  ck_assert_int_eq(dx_eval(&t, e, vals), 39);
  e = dx_mul(&t, s, dx_sym(&t, "k", 2, 4));
  ck_assert_int_eq(dx_lower(&t, e), 6);
  ck_assert_int_eq(dx_upper(&t, e), 2048);
  ck_assert_int_eq(t.overflow, 0);
  e = dx_mul(&t, dx_sym(&t, "huge", 0, INT64_MAX / 2), dx_const(&t, 4));
  ck_assert_int_eq(t.overflow, 1); /* the caller sees the bound left int64 */
  dx_free(&t);
}
END_TEST

START_TEST(prints_c_and_text) {
  dx_table t;
  text w;
  int s, e;
  dx_init(&t);
  s = dx_sym(&t, "seq", 1, 512);
  e = dx_ceildiv(&t, dx_mul(&t, s, dx_const(&t, 3)), dx_const(&t, 2));
  text_init(&w);
  dx_print_c(&t, e, "d", &w);
  ck_assert_str_eq(w.buf, "rt_dim_ceildiv((d[0] * 3LL), 2LL)");
  text_free(&w);
  text_init(&w);
  dx_print(&t, e, &w);
  ck_assert_str_eq(w.buf, "ceildiv((seq * 3), 2)");
  text_free(&w);
  dx_free(&t);
}
END_TEST

Suite *dimexpr_suite(void) {
  Suite *s = suite_create("dimexpr");
  TCase *tc = tcase_create("dimexpr");
  tcase_add_test(tc, constants_fold_and_share);
  tcase_add_test(tc, symbols_simplify);
  tcase_add_test(tc, bounds_and_evaluation);
  tcase_add_test(tc, prints_c_and_text);
  suite_add_tcase(s, tc);
  return s;
}
