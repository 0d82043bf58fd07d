/* RegexFullMatch: patterns compiled by rx_compile and run by the kernel
 * on string slots; each case lists strings that must match in full and
 * strings that must not. Also the patterns the compiler must refuse. */
#include <onnxcc/kernels.h>
#include <onnxcc/strings.h>
#include <stdlib.h>
#include <string.h>

#include "ops/regex_compile.h"
#include "suites.h"

#define SLOT 64

/* Whether pattern matches s in full (the pattern must compile). */
static int full_match(const char *pattern, const char *s) {
  rx_program prog;
  char err[200];
  unsigned char slot[SLOT];
  uint8_t y = 2;
  void *scratch;
  rt_regex_params p;
  const void *in[RT_MIN_ARGS] = {slot, NULL};
  void *out[RT_MIN_ARGS] = {&y};
  ck_assert_msg(rx_compile(pattern, &prog, err, sizeof err) == 0, "%s: %s", pattern, err);
  ck_assert(rt_str_set_c(slot, SLOT, s));
  scratch = malloc((size_t)RT_RX_SCRATCH(prog.n_inst));
  p.count = 1, p.slot = SLOT, p.n_inst = prog.n_inst;
  in[1] = prog.words;
  rt_regex_full_match(&p, in, out, scratch);
  free(scratch);
  rx_program_free(&prog);
  ck_assert_int_le(y, 1);
  return y;
}

static const struct {
  const char *pattern, *yes[4], *no[4];
} cases[] = {
    {"abc", {"abc"}, {"ab", "abcd", "xabc", ""}},
    {"a|bc|", {"a", "bc", ""}, {"b", "abc"}},
    {"a*b+c?", {"b", "aabbc", "abbb"}, {"", "ac", "abcc"}},
    {"(ab){2,3}", {"abab", "ababab"}, {"ab", "abababab"}},
    {"x{3}y{1,}z{0,2}", {"xxxy", "xxxyyzz"}, {"xxy", "xxxyzzz"}},
    {"[a-c][^a-c]\\d\\w\\s", {"ax9_ ", "c19z\t"}, {"aa9z ", "axz9 ", "ax9- "}},
    {"[\\d.\\-]+", {"1.5", "-2"}, {"1,5", ""}},
    {"[[:alpha:]_][[:alnum:]]*", {"_a1", "Zz9"}, {"9a", ""}},
    {".+", {"a", "\xc3\xa9t\xc3\xa9", "\xe2\x82\xac"}, {"", "\n", "a\nb"}},
    {"[^x]", {"\xe2\x82\xac", "y"}, {"x", "\xe2\x82", "yy"}},
    {"\\bab\\b.*", {"ab", "ab cd"}, {"abc"}},
    {"a\\Bb", {"ab"}, {"a b"}},
    {"^a.*z$", {"az", "abcz"}, {"a"}},
    {"(?:a|b)*?c", {"c", "abac"}, {"abca"}},
    {"a{,2}", {"a{,2}"}, {"aa"}}, /* not a repeat: literal, as RE2 reads it */
    {"(a*)*b", {"b", "aaab"}, {"aaa"}}, /* an empty loop ends */
    {"www\\.[\\w.-]+\\.\\bcom\\b", {"www.example.com", "www.a.b.com"}, {"www.example.org", "ww.example.com"}},
    {"(\\W|^)[\\w.\\-]{0,25}@(yahoo|gmail)\\.com(\\W|$)", {"john.doe@yahoo.com", " x@gmail.com!"},
     {"john@aol.com", "xx@yahoo.comx"}},
};

START_TEST(regex_matches) {
  size_t k, i;
  for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    for (i = 0; i < 4 && cases[k].yes[i]; i++)
      ck_assert_msg(full_match(cases[k].pattern, cases[k].yes[i]), "%s should match '%s'", cases[k].pattern,
                    cases[k].yes[i]);
    for (i = 0; i < 4 && cases[k].no[i]; i++)
      ck_assert_msg(!full_match(cases[k].pattern, cases[k].no[i]), "%s should not match '%s'", cases[k].pattern,
                    cases[k].no[i]);
  }
}
END_TEST

START_TEST(regex_refusals) {
  static const struct {
    const char *pattern, *message;
  } bad[] = {
      {"(?i)a", "flags"},         {"a(b", "missing )"},         {"a)b", "unmatched )"},
      {"[a-", "missing ]"},       {"[z-a]", "backwards"},       {"*a", "nothing to repeat"},
      {"a{2,1}", "repeat count"}, {"a{1001}", "repeat count"},  {"\\1", "not supported"},
      {"[\xc3\xa9]", "non-ASCII"}, {"(a{1000}){1000}", "instructions"}, {"a\\", "backslash"},
      {"[[:nope:]]", "unknown"},  {"^*", "anchor"},
  };
  size_t k;
  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    rx_program prog;
    char err[200] = "";
    ck_assert_msg(rx_compile(bad[k].pattern, &prog, err, sizeof err) != 0, "%s compiled", bad[k].pattern);
    ck_assert_msg(strstr(err, bad[k].message) != NULL, "%s: '%s' lacks '%s'", bad[k].pattern, err, bad[k].message);
  }
}
END_TEST

Suite *regex_suite(void) {
  Suite *s = suite_create("regex");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, regex_matches);
  tcase_add_test(tc, regex_refusals);
  suite_add_tcase(s, tc);
  return s;
}
