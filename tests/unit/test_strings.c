/* String tensors: the slot helpers (onnxcc/strings.h), the string kernels
 * on hand-made slots (Cast both ways, StringNormalizer, LabelEncoder),
 * and in the compiler the run-time count of StringNormalizer and the
 * refusal of ops that do not take strings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/strings.h>

#include "../../compiler/ops/ops.h"
#include "../../compiler/load.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

#define SLOT RT_STRING_SLOT(32) /* 40 */

/* Fills n slots from C strings. */
static void fill(unsigned char *slots, const char *const *s, int n) {
  int i;
  for (i = 0; i < n; i++) rt_str_set_c(slots + (size_t)i * SLOT, SLOT, s[i]);
}

static const char *at(const unsigned char *slots, int i) { return rt_str_chars(slots + (size_t)i * SLOT); }

START_TEST(slot_helpers) {
  unsigned char s[SLOT], t[SLOT];
  char long_text[64];
  ck_assert_uint_eq(RT_STRING_SLOT(64), 72); /* 4 + 64 + 1, rounded up to 8 */
  ck_assert_uint_eq(RT_STRING_SLOT(3), 8);
  ck_assert_uint_eq(RT_STRING_CAPACITY(SLOT), 35);
  ck_assert(rt_str_set_c(s, SLOT, "abc"));
  ck_assert_uint_eq(rt_str_len(s), 3);
  ck_assert_str_eq(rt_str_chars(s), "abc");
  ck_assert(rt_str_valid(s, SLOT));
  /* too long: refused, and cut to the capacity with its NUL */
  memset(long_text, 'x', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = 0;
  ck_assert(!rt_str_set_c(t, SLOT, long_text));
  ck_assert_uint_eq(rt_str_len(t), 35);
  ck_assert(rt_str_valid(t, SLOT));
  /* a caller's bad slots: a length past the slot, a missing NUL */
  memset(t, 0xff, sizeof t);
  ck_assert(!rt_str_valid(t, SLOT));
  rt_str_set_c(t, SLOT, "ab");
  rt_str_chars_mut(t)[2] = 'c';
  ck_assert(!rt_str_valid(t, SLOT));
  ck_assert(!rt_str_all_valid(t, 1, SLOT));
  /* order: bytes, then the shorter first; embedded NUL counts */
  rt_str_set_c(t, SLOT, "abd");
  ck_assert_int_lt(rt_str_cmp(s, t), 0);
  rt_str_set(t, SLOT, "abc\0", 4);
  ck_assert_int_lt(rt_str_cmp(s, t), 0);
  ck_assert_int_eq(rt_str_cmp(t, t), 0);
}
END_TEST

START_TEST(float_to_string) {
  /* as numpy writes them; float's 1e-4 is just below 1e-4, so scientific */
  const float x[12] = {1.0f, 0.1f, -0.0f, 1e20f, INFINITY, -INFINITY, NAN, 0.039187793f, 100000.0f, 1.5e-7f,
                       123456789.0f, 1e-4f};
  const char *want[12] = {"1.0",         "0.1",      "-0.0",    "1e+20",       "inf",         "-inf",
                          "nan",         "0.039187793", "100000.0", "1.5e-07", "123456790.0", "1e-04"};
  const double d[3] = {0.1, 1.0 / 3.0, -2.0};
  const char *want_d[3] = {"0.1", "0.3333333333333333", "-2.0"};
  unsigned char y[12 * SLOT];
  rt_strcast_params p = {12, SLOT};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  int i;
  rt_cast_f32_string(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_str_eq(at(y, i), want[i]);
  p.count = 3;
  in[0] = d;
  rt_cast_f64_string(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_str_eq(at(y, i), want_d[i]);
}
END_TEST

START_TEST(int_to_string) {
  const int64_t x[3] = {0, -42, INT64_MIN};
  const uint64_t u[1] = {UINT64_MAX};
  unsigned char y[3 * SLOT];
  rt_strcast_params p = {3, SLOT};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  rt_cast_i64_string(&p, in, out, NULL);
  ck_assert_str_eq(at(y, 0), "0");
  ck_assert_str_eq(at(y, 1), "-42");
  ck_assert_str_eq(at(y, 2), "-9223372036854775808");
  p.count = 1;
  in[0] = u;
  rt_cast_u64_string(&p, in, out, NULL);
  ck_assert_str_eq(at(y, 0), "18446744073709551615");
}
END_TEST

START_TEST(string_to_numbers) {
  const char *s[9] = {"INF", "-inf", "+INF", "NaN", " 2.5 ", "abc", "", "1.5x", "0.47892547"};
  unsigned char x[9 * SLOT];
  float y[9];
  int32_t k[9];
  rt_strcast_params p = {9, SLOT};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  fill(x, s, 9);
  rt_cast_string_f32(&p, in, out, NULL);
  ck_assert(isinf(y[0]) && y[0] > 0);
  ck_assert(isinf(y[1]) && y[1] < 0);
  ck_assert(isinf(y[2]) && y[2] > 0);
  ck_assert(isnan(y[3]));
  ck_assert_float_eq(y[4], 2.5f);
  ck_assert(isnan(y[5]) && isnan(y[6])); /* no number at all */
  ck_assert_float_eq(y[7], 1.5f);        /* the number it starts with, as ONNX Runtime reads it */
  ck_assert_float_eq(y[8], 0.47892547f);
  /* integers: decimal, saturating; not a number is 0 */
  s[0] = "42", s[1] = "-7", s[2] = "99999999999", s[3] = "-99999999999";
  fill(x, s, 4);
  p.count = 6;
  out[0] = k;
  rt_cast_string_i32(&p, in, out, NULL);
  ck_assert_int_eq(k[0], 42);
  ck_assert_int_eq(k[1], -7);
  ck_assert_int_eq(k[2], INT32_MAX);
  ck_assert_int_eq(k[3], INT32_MIN);
  ck_assert_int_eq(k[4], 2); /* " 2.5 " starts with 2 */
  ck_assert_int_eq(k[5], 0);
}
END_TEST

static int64_t normalize(rt_strnorm_params *p, const unsigned char *x, const unsigned char *stops, unsigned char *y) {
  int64_t count = -1;
  const void *in[RT_MIN_ARGS] = {x, stops};
  void *out[RT_MIN_ARGS] = {y, &count};
  rt_string_normalizer(p, in, out, NULL);
  return count;
}

START_TEST(string_normalizer) {
  const char *words[5] = {"Monday", "tuesday", "MONDAY", "wednesday", "thursday"};
  const char *stopwords[2] = {"monday", "thursday"}; /* lower case: as the compiler stores them */
  unsigned char x[5 * SLOT], stops[2 * SLOT], y[5 * SLOT];
  rt_strnorm_params p = {5, SLOT, 2, 2, 1};
  fill(x, words, 5);
  fill(stops, stopwords, 2);
  /* case-sensitive: only "thursday" goes; upper case */
  ck_assert_int_eq(normalize(&p, x, stops, y), 4);
  ck_assert_str_eq(at(y, 0), "MONDAY");
  ck_assert_str_eq(at(y, 1), "TUESDAY");
  ck_assert_str_eq(at(y, 3), "WEDNESDAY");
  /* without case: both Mondays go too; lower case */
  p.case_sensitive = 0;
  p.action = 1;
  ck_assert_int_eq(normalize(&p, x, stops, y), 2);
  ck_assert_str_eq(at(y, 0), "tuesday");
  ck_assert_str_eq(at(y, 1), "wednesday");
  /* everything removed: one empty string */
  p.count = 1;
  ck_assert_int_eq(normalize(&p, x, stops, y), 1);
  ck_assert_uint_eq(rt_str_len(y), 0);
  ck_assert(rt_str_valid(y, SLOT));
  /* no stopwords, no case change: a copy; bytes >= 0x80 untouched */
  words[0] = "\xc3\x89t\xc3\xa9";
  fill(x, words, 1);
  p.stops = 0;
  p.action = 2;
  ck_assert_int_eq(normalize(&p, x, NULL, y), 1);
  ck_assert_str_eq(at(y, 0), "\xc3\x89T\xc3\xa9");
}
END_TEST

START_TEST(label_encoder_strings) {
  const char *keys[3] = {"a", "b", "c"}; /* sorted, as the compiler leaves them */
  const char *xs[5] = {"a", "b", "d", "c", ""};
  const int16_t vals[4] = {10, 11, 12, 42}; /* the values, then the default */
  unsigned char k[3 * SLOT], x[5 * SLOT], sv[3 * SLOT], sy[3 * SLOT];
  int16_t y[5];
  const float fk[2] = {1.5f, NAN}, fx[3] = {NAN, 1.5f, 2};
  rt_strlabel_params p = {5, 3, SLOT, 2};
  const void *in[RT_MIN_ARGS] = {x, k, vals};
  void *out[RT_MIN_ARGS] = {y};
  fill(k, keys, 3);
  fill(x, xs, 5);
  rt_label_encode_string_bytes(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 10);
  ck_assert_int_eq(y[1], 11);
  ck_assert_int_eq(y[2], 42);
  ck_assert_int_eq(y[3], 12);
  ck_assert_int_eq(y[4], 42);
  /* float keys to strings: NaN finds the NaN key; 2 the default */
  keys[0] = "one and a half", keys[1] = "not a number", keys[2] = "_Unused";
  fill(sv, keys, 3);
  p.n = 3;
  p.keys = 2;
  p.esize = SLOT;
  in[0] = fx, in[1] = fk, in[2] = sv;
  out[0] = sy;
  rt_label_encode_f32_bytes(&p, in, out, NULL);
  ck_assert_str_eq(at(sy, 0), "not a number");
  ck_assert_str_eq(at(sy, 1), "one and a half");
  ck_assert_str_eq(at(sy, 2), "_Unused");
}
END_TEST

/* OneHotEncoder on strings: a row per string, 1 at its category, a row
 * of zeros for no category; with fail_unknown (zeros = 0) that fails the
 * run instead. The numeric kernel fails the same way. */
START_TEST(onehot_encoder_strings) {
  const char *cats[3] = {"red", "green", "blue"}, *xs[2] = {"blue", "pink"};
  unsigned char c[3 * SLOT], x[2 * SLOT];
  float y[6];
  const int64_t icats[2] = {4, 7}, ix[2] = {7, 5};
  int status = RT_OK;
  rt_onehot_encode_params p = {2, 3, SLOT, 0};
  const void *in[RT_MIN_ARGS] = {x, c};
  void *out[RT_MIN_ARGS] = {y};
  int k;
  fill(c, cats, 3);
  fill(x, xs, 2);
  out[RT_STATUS_SLOT] = &status;
  rt_onehot_encode_string(&p, in, out, NULL);
  for (k = 0; k < 6; k++) ck_assert_float_eq(y[k], k == 2 ? 1.0f : 0.0f);
  ck_assert_int_eq(status, RT_OK);
  p.fail_unknown = 1;
  rt_onehot_encode_string(&p, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_VALUE);
  status = RT_OK, p.cats = 2, p.slot = 0;
  in[0] = ix, in[1] = icats;
  rt_onehot_encode_i64(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 0.0f);
  ck_assert_float_eq(y[1], 1.0f);
  ck_assert_int_eq(status, RT_ERR_VALUE);
}
END_TEST

START_TEST(equal_and_concat_broadcast) {
  const char *as[3] = {"cat", "", "snake"};
  const char *bs[1] = {"s"};
  unsigned char a[3 * SLOT], b[SLOT], y[3 * SLOT];
  uint8_t eq[3];
  int status = RT_OK;
  rt_strbinary_params p = {1, {3}, {1}, {0}, SLOT};
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[RT_MIN_ARGS] = {y};
  char long_text[40];
  fill(a, as, 3);
  fill(b, bs, 1);
  out[RT_STATUS_SLOT] = &status;
  rt_string_concat(&p, in, out, NULL);
  ck_assert_str_eq(at(y, 0), "cats");
  ck_assert_str_eq(at(y, 1), "s");
  ck_assert_str_eq(at(y, 2), "snakes");
  ck_assert_int_eq(status, RT_OK);
  /* too long for a slot: cut to it, and the run fails */
  memset(long_text, 'x', 34);
  long_text[34] = 0;
  as[0] = long_text;
  bs[0] = "yz";
  fill(a, as, 1);
  fill(b, bs, 1);
  rt_string_concat(&p, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_VALUE);
  ck_assert_uint_eq(rt_str_len(y), 35);
  ck_assert(rt_str_valid(y, SLOT));
  /* Equal: "s" against each; a NUL inside a string counts */
  as[0] = "s", as[1] = "", bs[0] = "s";
  fill(a, as, 2);
  fill(b, bs, 1);
  rt_str_set(a + 2 * SLOT, SLOT, "s\0", 2);
  out[0] = eq;
  rt_equal_string(&p, in, out, NULL);
  ck_assert(eq[0] && !eq[1] && !eq[2]);
}
END_TEST

/* Splits one string; returns the pieces' count and row length m. */
static int64_t split(const char *text, const char *delim, int64_t maxsplit, unsigned char *y, int64_t *m) {
  unsigned char x[SLOT], d[SLOT];
  int64_t z = -1;
  rt_strsplit_params p = {1, SLOT, (int64_t)strlen(delim), maxsplit};
  const void *in[RT_MIN_ARGS] = {x, d};
  void *out[RT_MIN_ARGS] = {y, &z, m};
  rt_str_set_c(x, SLOT, text);
  rt_str_set_c(d, SLOT, delim);
  rt_string_split(&p, in, out, NULL);
  return z;
}

START_TEST(string_split) {
  unsigned char y[40 * SLOT];
  int64_t m = -1;
  /* a delimiter: empty pieces between and after consecutive ones */
  ck_assert_int_eq(split("o-n--x-", "-", -1, y, &m), 5);
  ck_assert_int_eq(m, 5);
  ck_assert_str_eq(at(y, 0), "o");
  ck_assert_str_eq(at(y, 2), "");
  ck_assert_str_eq(at(y, 3), "x");
  ck_assert_str_eq(at(y, 4), "");
  /* a longer delimiter, maxsplit 1: the rest stays whole */
  ck_assert_int_eq(split("a::b::c", "::", 1, y, &m), 2);
  ck_assert_str_eq(at(y, 1), "b::c");
  /* blanks: runs, none at the ends; maxsplit keeps the rest's tail */
  ck_assert_int_eq(split("  the quick\tbrown  fox ", "", -1, y, &m), 4);
  ck_assert_str_eq(at(y, 2), "brown");
  ck_assert_int_eq(split("  the quick brown  fox ", "", 2, y, &m), 3);
  ck_assert_str_eq(at(y, 2), "brown  fox ");
  /* the empty string: one empty piece at a delimiter, none at blanks */
  ck_assert_int_eq(split("", ".", -1, y, &m), 1);
  ck_assert_int_eq(split("", "", -1, y, &m), 0);
  ck_assert_int_eq(m, 0);
}
END_TEST

/* A string graph input x of n elements, and an output y. */
static ir_graph *string_graph(int64_t n) {
  ir_graph *g = ir_new();
  int id = ir_value_get(g, "x");
  ir_value *v = g->values[id];
  g->opset = 20;
  v->t.dtype = DT_STRING;
  v->t.rank = 1;
  v->t.dims[0] = n;
  v->graph_input = 0;
  g->inputs = xmalloc(sizeof(int));
  g->inputs[g->n_inputs++] = id;
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = ir_value_get(g, "y");
  return g;
}

static ir_node *unary_node(ir_graph *g, const char *op) {
  ir_node *n = ir_node_add(g, "y", op, "");
  n->n_in = n->n_out = 1;
  n->in = xmalloc(sizeof(int));
  n->out = xmalloc(sizeof(int));
  n->in[0] = ir_value_get(g, "x");
  n->out[0] = ir_value_get(g, "y");
  return n;
}

START_TEST(normalizer_count_at_run_time) {
  ir_graph *g = string_graph(6);
  ir_node *n = unary_node(g, "StringNormalizer");
  ir_attr *a;
  const ir_tensor *y;
  unit_add_attr(n, "case_change_action", ATTR_STRING, 0, 0, "UPPER");
  unit_add_attr(n, "stopwords", ATTR_STRINGS, 0, 0, NULL);
  a = &n->attr[n->n_attr - 1];
  a->n = 1;
  a->strings = xcalloc(2, sizeof(char *));
  a->strings[0] = xstrdup("Monday");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  y = &g->values[ir_find(g, "y")]->t;
  /* stopwords: the count is known at run time only, at most 6 */
  ck_assert_int_eq(y->rank, 1);
  ck_assert(tensor_is_symbolic(y));
  ck_assert_int_eq(y->dims[0], 6);
  ck_assert_int_eq(pass_lower(g), ST_OK);
  ck_assert_str_eq(kernel_get(g->nodes[0]->low->kernel)->name, "rt_string_normalizer");
  ck_assert(g->nodes[0]->low->defines_after);
  ck_assert_int_eq(((const rt_strnorm_params *)g->nodes[0]->low->params)->stops, 1);
  ir_free(g);
}
END_TEST

START_TEST(other_ops_refuse_strings) {
  ir_graph *g = string_graph(3);
  unary_node(g, "Relu");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_UNSUPPORTED);
  ir_free(g);
  g = string_graph(3);
  unary_node(g, "Identity"); /* moves whole slots: taken */
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(g->values[ir_find(g, "y")]->t.dtype, DT_STRING);
  ir_free(g);
}
END_TEST

START_TEST(constant_strings) {
  ir_graph *g = ir_new();
  ir_node *n = ir_node_add(g, "c", "Constant", "");
  ir_attr *a;
  const ir_tensor *t;
  g->opset = 20;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, "c");
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = n->out[0];
  unit_add_attr(n, "value_strings", ATTR_STRINGS, 0, 0, NULL);
  a = &n->attr[0];
  a->n = 2;
  a->strings = xcalloc(3, sizeof(char *));
  a->strings[0] = xstrdup("ab");
  a->strings[1] = xstrdup("");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  t = &g->values[ir_find(g, "c")]->t;
  ck_assert_int_eq(t->dtype, DT_STRING);
  ck_assert_int_eq(t->dims[0], 2);
  ck_assert_str_eq(rt_str_chars(t->data), "ab");
  ck_assert_uint_eq(rt_str_len((const unsigned char *)t->data + dtype_size(DT_STRING)), 0);
  ir_free(g);
}
END_TEST

Suite *strings_suite(void) {
  Suite *s = suite_create("strings");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, slot_helpers);
  tcase_add_test(tc, float_to_string);
  tcase_add_test(tc, int_to_string);
  tcase_add_test(tc, string_to_numbers);
  tcase_add_test(tc, string_normalizer);
  tcase_add_test(tc, label_encoder_strings);
  tcase_add_test(tc, onehot_encoder_strings);
  tcase_add_test(tc, equal_and_concat_broadcast);
  tcase_add_test(tc, string_split);
  tcase_add_test(tc, normalizer_count_at_run_time);
  tcase_add_test(tc, other_ops_refuse_strings);
  tcase_add_test(tc, constant_strings);
  suite_add_tcase(s, tc);
  return s;
}
