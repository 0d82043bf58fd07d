/* The text writer: C literals must round-trip exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../codegen/template.h"
#include "../../codegen/text.h"
#include "suites.h"

static char *render_f32(float v) {
  text w;
  char *s;
  text_init(&w);
  text_f32(&w, v);
  s = strdup(w.buf);
  text_free(&w);
  return s;
}

START_TEST(floats_round_trip) {
  const float values[] = {0.1f, 1.0f / 3.0f, 1e-38f, 3.4028235e38f, -2.5f, 1.17549435e-38f, 16777217.0f};
  size_t i;
  for (i = 0; i < sizeof values / sizeof values[0]; i++) {
    char *s = render_f32(values[i]);
    ck_assert_msg(s[strlen(s) - 1] == 'f', "%s has no f suffix", s);
    ck_assert_float_eq(strtof(s, NULL), values[i]);
    free(s);
  }
}
END_TEST

START_TEST(special_floats) {
  char *s = render_f32(INFINITY);
  ck_assert_str_eq(s, "INFINITY");
  free(s);
  s = render_f32(-INFINITY);
  ck_assert_str_eq(s, "-INFINITY");
  free(s);
  s = render_f32(NAN);
  ck_assert_str_eq(s, "NAN");
  free(s);
  s = render_f32(2.0f);
  ck_assert_str_eq(s, "2.0f"); /* "2f" would not be a C literal */
  free(s);
}
END_TEST

START_TEST(int64_extremes) {
  text w;
  text_init(&w);
  text_i64(&w, INT64_MIN);
  text_puts(&w, " ");
  text_i64(&w, INT64_MAX);
  ck_assert_str_eq(w.buf, "(-9223372036854775807LL - 1) 9223372036854775807LL");
  text_free(&w);
}
END_TEST

START_TEST(indentation) {
  text w;
  text_init(&w);
  text_puts(&w, "a {\n");
  w.indent = 2;
  text_puts(&w, "b;\n\nc;\n");
  w.indent = 0;
  text_puts(&w, "}\n");
  ck_assert_str_eq(w.buf, "a {\n  b;\n\n  c;\n}\n");
  text_free(&w);
}
END_TEST

START_TEST(cstring_escapes) {
  text w;
  text_init(&w);
  text_cstring(&w, "a\"b\\c\n?" "?=");
  ck_assert_str_eq(w.buf, "\"a\\\"b\\\\c\\012\\077\\077=\"");
  text_free(&w);
}
END_TEST

START_TEST(template_placeholders) {
  text w;
  const char *vars[] = {"NAME", "net", "N", "3", NULL};
  text_init(&w);
  template_expand(&w, "{{NAME}}_run x{{N}} {{UNKNOWN}} {{", vars);
  ck_assert_str_eq(w.buf, "net_run x3 {{UNKNOWN}} {{");
  text_free(&w);
}
END_TEST

Suite *text_suite(void) {
  Suite *s = suite_create("text");
  TCase *tc = tcase_create("literals");
  tcase_add_test(tc, floats_round_trip);
  tcase_add_test(tc, special_floats);
  tcase_add_test(tc, int64_extremes);
  tcase_add_test(tc, indentation);
  tcase_add_test(tc, cstring_escapes);
  tcase_add_test(tc, template_placeholders);
  suite_add_tcase(s, tc);
  return s;
}
