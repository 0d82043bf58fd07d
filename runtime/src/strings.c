/* Kernels on string tensors (kernels/strings.h): slots in, slots out.
 *
 * Numbers are printed and parsed with the C library (snprintf, strtod),
 * which read and write '.' as the decimal point in the "C" locale, the
 * one a program is in unless it calls setlocale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxcc/kernels/strings.h"
#include "onnxcc/strings.h"
#include "lookup_internal.h"

/* ---- numbers to text ---- */

/* Rewrites scientific text of `digits` significant digits ("-1.25e+02")
 * positionally with exactly those digits, zeros filling in ("-125.0",
 * "123456790.0" for 1.2345679e+08, "0.0125"). */
static void positional(char *buf, size_t size) {
  char d[24], out[48];
  const char *m = buf;
  size_t nd = 0, o = 0;
  int exp10, i;
  if (*m == '-') out[o++] = *m++;
  for (; *m != 'e'; m++)
    if (*m != '.' && nd < sizeof d) d[nd++] = *m;
  exp10 = atoi(m + 1);
  if (exp10 < 0) {
    out[o++] = '0', out[o++] = '.';
    for (i = -1; i > exp10; i--) out[o++] = '0';
    memcpy(out + o, d, nd), o += nd;
  } else {
    for (i = 0; i <= exp10; i++) out[o++] = (size_t)i < nd ? d[i] : '0';
    out[o++] = '.';
    if ((size_t)exp10 + 1 < nd) memcpy(out + o, d + exp10 + 1, nd - (size_t)exp10 - 1), o += nd - (size_t)exp10 - 1;
    else out[o++] = '0';
  }
  out[o] = '\0';
  if (o < size) memcpy(buf, out, o + 1);
}

/* The text numpy gives a float or double (what ONNX's reference writes):
 * the fewest significant digits (up to max_digits) that read back as the
 * same value (`same` tests that: through strtof for float), written
 * positionally when 1e-4 <= |v| < 1e16 or v is 0 ("100000.0",
 * "0.039187793"), else in scientific notation ("1e+20", "1.5e-07"). */
static void shortest_text(double v, int max_digits, int (*same)(const char *, double), char *buf, size_t size) {
  const double a = fabs(v);
  int digits;
  for (digits = 1; digits < max_digits; digits++) {
    snprintf(buf, size, "%.*e", digits - 1, v);
    if (same(buf, v)) break;
  }
  snprintf(buf, size, "%.*e", digits - 1, v);
  if (isfinite(v) && (a == 0 || (a >= 1e-4 && a < 1e16))) positional(buf, size);
}

static int same_float(const char *s, double v) { return strtof(s, NULL) == (float)v; }
static int same_double(const char *s, double v) { return strtod(s, NULL) == v; }
static void float_text(float v, char *buf, size_t size) { shortest_text((double)v, 9, same_float, buf, size); }
static void double_text(double v, char *buf, size_t size) { shortest_text(v, 17, same_double, buf, size); }

/* NaN prints as "nan" (snprintf may write "-nan"; numpy writes "nan"),
 * infinities as "inf" and "-inf". */
#define FLOAT_TO_STRING(t, T, TEXT)                                              \
  RT_KERNEL(rt_cast_##t##_string) {                                              \
    const rt_strcast_params *p = (const rt_strcast_params *)params;              \
    const T *x = (const T *)in[0];                                               \
    unsigned char *y = (unsigned char *)out[0];                                  \
    char buf[40];                                                                \
    int64_t i;                                                                   \
    (void)scratch;                                                               \
    for (i = 0; i < p->count; i++) {                                            \
      if (isnan(x[i])) strcpy(buf, "nan");                                       \
      else TEXT(x[i], buf, sizeof buf);                                          \
      rt_str_set_c(y + (size_t)i * (size_t)p->slot, (size_t)p->slot, buf);       \
    }                                                                            \
  }
FLOAT_TO_STRING(f32, float, float_text)
FLOAT_TO_STRING(f64, double, double_text)

#define INT_TO_STRING(t, T, WIDE, FMT)                                           \
  RT_KERNEL(rt_cast_##t##_string) {                                              \
    const rt_strcast_params *p = (const rt_strcast_params *)params;              \
    const T *x = (const T *)in[0];                                               \
    unsigned char *y = (unsigned char *)out[0];                                  \
    char buf[32];                                                                \
    int64_t i;                                                                   \
    (void)scratch;                                                               \
    for (i = 0; i < p->count; i++) {                                            \
      snprintf(buf, sizeof buf, FMT, (WIDE)x[i]);                                \
      rt_str_set_c(y + (size_t)i * (size_t)p->slot, (size_t)p->slot, buf);       \
    }                                                                            \
  }
INT_TO_STRING(i8, int8_t, long long, "%lld")
INT_TO_STRING(i16, int16_t, long long, "%lld")
INT_TO_STRING(i32, int32_t, long long, "%lld")
INT_TO_STRING(i64, int64_t, long long, "%lld")
INT_TO_STRING(u8, uint8_t, unsigned long long, "%llu")
INT_TO_STRING(u16, uint16_t, unsigned long long, "%llu")
INT_TO_STRING(u32, uint32_t, unsigned long long, "%llu")
INT_TO_STRING(u64, uint64_t, unsigned long long, "%llu")

/* ---- text to numbers ---- */

/* A slot as a float of type T through PARSE (strtof or strtod): the
 * number its text starts with (after blanks), as ONNX Runtime reads
 * "1.5x" as 1.5; NaN when it starts with none (ONNX Runtime fails the
 * run there; a kernel cannot). Slots end in a NUL, so the parser stops
 * inside. */
#define STRING_TO_FLOAT(t, T, PARSE)                                             \
  RT_KERNEL(rt_cast_string_##t) {                                              \
    const rt_strcast_params *p = (const rt_strcast_params *)params;              \
    const unsigned char *x = (const unsigned char *)in[0];                       \
    T *y = (T *)out[0];                                                          \
    int64_t i;                                                                   \
    (void)scratch;                                                               \
    for (i = 0; i < p->count; i++) {                                            \
      const char *s = rt_str_chars(x + (size_t)i * (size_t)p->slot);           \
      char *end;                                                                 \
      T v = PARSE(s, &end);                                                      \
      y[i] = end == s ? (T)NAN : v;                                              \
    }                                                                            \
  }
STRING_TO_FLOAT(f32, float, strtof)
STRING_TO_FLOAT(f64, double, strtod)

/* v < lo, where an unsigned v is never below its lo of 0 (a plain
 * comparison would warn about that). */
#define BELOW_SIGNED(v, lo) ((v) < (lo))
#define BELOW_UNSIGNED(v, lo) 0

/* Decimal integers the text starts with, saturating to [LO, HI]: strtoll
 * / strtoull already saturate to 64 bits. Text that starts with none
 * gives 0. */
#define STRING_TO_INT(t, T, WIDE, PARSE, BELOW, LO, HI)                                 \
  RT_KERNEL(rt_cast_string_##t) {                                              \
    const rt_strcast_params *p = (const rt_strcast_params *)params;              \
    const unsigned char *x = (const unsigned char *)in[0];                       \
    T *y = (T *)out[0];                                                          \
    int64_t i;                                                                   \
    (void)scratch;                                                               \
    for (i = 0; i < p->count; i++) {                                            \
      const char *s = rt_str_chars(x + (size_t)i * (size_t)p->slot);           \
      char *end;                                                                 \
      WIDE v = PARSE(s, &end, 10);                                               \
      if (end == s) v = 0;                                                       \
      y[i] = BELOW(v, LO) ? (T)(LO) : v > (WIDE)(HI) ? (T)(HI) : (T)v;          \
    }                                                                            \
  }
STRING_TO_INT(i8, int8_t, long long, strtoll, BELOW_SIGNED, INT8_MIN, INT8_MAX)
STRING_TO_INT(i16, int16_t, long long, strtoll, BELOW_SIGNED, INT16_MIN, INT16_MAX)
STRING_TO_INT(i32, int32_t, long long, strtoll, BELOW_SIGNED, INT32_MIN, INT32_MAX)
STRING_TO_INT(i64, int64_t, long long, strtoll, BELOW_SIGNED, INT64_MIN, INT64_MAX)
STRING_TO_INT(u8, uint8_t, unsigned long long, strtoull, BELOW_UNSIGNED, 0, UINT8_MAX)
STRING_TO_INT(u16, uint16_t, unsigned long long, strtoull, BELOW_UNSIGNED, 0, UINT16_MAX)
STRING_TO_INT(u32, uint32_t, unsigned long long, strtoull, BELOW_UNSIGNED, 0, UINT32_MAX)
STRING_TO_INT(u64, uint64_t, unsigned long long, strtoull, BELOW_UNSIGNED, 0, UINT64_MAX)

/* ---- StringNormalizer ---- */

static unsigned char ascii_lower(unsigned char ch) { return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch; }
static unsigned char ascii_upper(unsigned char ch) { return ch >= 'a' && ch <= 'z' ? (unsigned char)(ch - 32) : ch; }

/* Whether slot s equals stopword w, ASCII letters without case unless
 * case_sensitive (the stopwords are then lower case already). */
static int same_word(const unsigned char *s, const unsigned char *w, int case_sensitive) {
  const uint32_t n = rt_str_len(s);
  const char *a = rt_str_chars(s), *b = rt_str_chars(w);
  uint32_t i;
  if (n != rt_str_len(w)) return 0;
  if (case_sensitive) return memcmp(a, b, n) == 0;
  for (i = 0; i < n; i++)
    if (ascii_lower((unsigned char)a[i]) != (unsigned char)b[i]) return 0;
  return 1;
}

static int is_stopword(const rt_strnorm_params *p, const unsigned char *s, const unsigned char *stops) {
  int64_t k;
  for (k = 0; k < p->stops; k++)
    if (same_word(s, stops + (size_t)k * (size_t)p->slot, (int)p->case_sensitive)) return 1;
  return 0;
}

RT_KERNEL(rt_string_normalizer) {
  const rt_strnorm_params *p = (const rt_strnorm_params *)params;
  const size_t slot = (size_t)p->slot;
  const unsigned char *x = (const unsigned char *)in[0], *stops = (const unsigned char *)in[1];
  unsigned char *y = (unsigned char *)out[0];
  int64_t i, kept = 0;
  (void)scratch;
  for (i = 0; i < p->count; i++) {
    const unsigned char *s = x + (size_t)i * slot;
    unsigned char *d = y + (size_t)kept * slot;
    char *c;
    uint32_t j;
    if (is_stopword(p, s, stops)) continue;
    rt_str_set(d, slot, rt_str_chars(s), rt_str_len(s)); /* fits: same slots */
    c = rt_str_chars_mut(d);
    for (j = 0; j < rt_str_len(d); j++)
      if (p->action) c[j] = (char)(p->action == 1 ? ascii_lower((unsigned char)c[j]) : ascii_upper((unsigned char)c[j]));
    kept++;
  }
  if (kept == 0) rt_str_set(y, slot, "", 0), kept = 1; /* ONNX: one empty string */
  if (out[1]) ((int64_t *)out[1])[0] = kept;
}

/* ---- LabelEncoder with string keys or values ---- */

/* The index of the key equal to slot s among n sorted unique key slots,
 * or n. */
static int64_t find_string_key(const unsigned char *keys, int64_t n, size_t slot, const unsigned char *s) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const int c = rt_str_cmp(keys + (size_t)mid * slot, s);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return n;
}

RT_KERNEL(rt_label_encode_string_bytes) {
  const rt_strlabel_params *p = (const rt_strlabel_params *)params;
  const unsigned char *x = (const unsigned char *)in[0], *keys = (const unsigned char *)in[1];
  const unsigned char *vals = (const unsigned char *)in[2];
  unsigned char *y = (unsigned char *)out[0];
  const size_t es = (size_t)p->esize;
  int64_t i;
  (void)scratch;
  for (i = 0; i < p->n; i++) {
    const int64_t j = find_string_key(keys, p->keys, (size_t)p->slot, x + (size_t)i * (size_t)p->slot);
    memcpy(y + (size_t)i * es, vals + (size_t)j * es, es); /* j == keys: the default */
  }
}

/* Numeric keys, first equal one (NaN matching NaN), as rt_label_encode_K_V. */
#define LABEL_ENCODE_TO_BYTES(k, K)                                                 \
  RT_KERNEL(rt_label_encode_##k##_bytes) {                                          \
    const rt_strlabel_params *p = (const rt_strlabel_params *)params;               \
    const K *x = (const K *)in[0], *keys = (const K *)in[1];                        \
    const unsigned char *vals = (const unsigned char *)in[2];                       \
    unsigned char *y = (unsigned char *)out[0];                                     \
    const size_t es = (size_t)p->esize;                                             \
    int64_t i, j;                                                                   \
    (void)scratch;                                                                  \
    for (i = 0; i < p->n; i++) {                                                    \
      const K a = x[i];                                                             \
      RT_KEY_FIND(keys, p->keys, a, j);                                             \
      memcpy(y + (size_t)i * es, vals + (size_t)j * es, es);                        \
    }                                                                               \
  }
LABEL_ENCODE_TO_BYTES(i64, int64_t)
LABEL_ENCODE_TO_BYTES(f32, float)
LABEL_ENCODE_TO_BYTES(f64, double)

/* ---- Equal and StringConcat: broadcasting over slots ---- */

/* Calls f(a slot, b slot, output index) for every output element,
 * walking the output's index like an odometer. */
static void each_pair(const rt_strbinary_params *p, const unsigned char *a, const unsigned char *b,
                      void (*f)(const unsigned char *, const unsigned char *, int64_t, void *, size_t, int *),
                      void *y, int *status) {
  const size_t slot = (size_t)p->slot;
  int64_t idx[RT_MAX_RANK] = {0}, n = 1, i, ia = 0, ib = 0;
  int d;
  for (d = 0; d < p->rank; d++) n *= p->dims[d];
  for (i = 0; i < n; i++) {
    f(a + (size_t)ia * slot, b + (size_t)ib * slot, i, y, slot, status);
    for (d = (int)p->rank - 1; d >= 0; d--) {
      ia += p->a_strides[d], ib += p->b_strides[d];
      if (++idx[d] < p->dims[d]) break;
      ia -= p->a_strides[d] * idx[d], ib -= p->b_strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

static void equal_one(const unsigned char *a, const unsigned char *b, int64_t i, void *y, size_t slot, int *status) {
  (void)slot, (void)status;
  ((uint8_t *)y)[i] = rt_str_cmp(a, b) == 0;
}

/* a then b into y[i]; y never aliases a or b (the compiler does not run
 * these in place), so a's bytes are copied before b's are appended. */
static void concat_one(const unsigned char *a, const unsigned char *b, int64_t i, void *y, size_t slot, int *status) {
  unsigned char *e = (unsigned char *)y + (size_t)i * slot;
  const uint32_t na = rt_str_len(a), nb = rt_str_len(b);
  const size_t cap = RT_STRING_CAPACITY(slot);
  const size_t take = (size_t)na + nb <= cap ? nb : cap - na; /* na <= cap: a fits its slot */
  rt_str_set(e, slot, rt_str_chars(a), na);
  memcpy(rt_str_chars_mut(e) + na, rt_str_chars(b), take);
  rt_str_set(e, slot, rt_str_chars(e), na + take); /* the length and the NUL */
  if (take < nb) *status = RT_ERR_VALUE;
}

RT_KERNEL(rt_equal_string) {
  int status = RT_OK;
  (void)scratch;
  each_pair((const rt_strbinary_params *)params, in[0], in[1], equal_one, out[0], &status);
}

RT_KERNEL(rt_string_concat) {
  int status = RT_OK;
  (void)scratch;
  each_pair((const rt_strbinary_params *)params, in[0], in[1], concat_one, out[0], &status);
  if (status != RT_OK && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = status;
}

/* ---- StringSplit ---- */

static int is_blank(char ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r'); }

/* The next piece of s[0..n) from *at: its start and length. Returns 0 when
 * there is none. `cuts` counts the cuts made so far (maxsplit). */
typedef struct splitter {
  const char *s, *delim;
  size_t n, dlen, at;
  int64_t cuts, maxsplit;
  int done;
} splitter;

static int next_piece(splitter *sp, size_t *start, size_t *len) {
  size_t i;
  if (sp->done) return 0;
  if (sp->dlen == 0) { /* runs of blanks; none at the ends */
    while (sp->at < sp->n && is_blank(sp->s[sp->at])) sp->at++;
    if (sp->at >= sp->n) return sp->done = 1, 0;
    *start = sp->at;
    if (sp->maxsplit >= 0 && sp->cuts >= sp->maxsplit) {
      *len = sp->n - sp->at; /* the rest, whole */
      sp->done = 1;
      return 1;
    }
    for (i = sp->at; i < sp->n && !is_blank(sp->s[i]); i++) {}
    *len = i - sp->at;
    sp->at = i;
    sp->cuts++;
    return 1;
  }
  *start = sp->at;
  for (i = sp->at; sp->maxsplit < 0 || sp->cuts < sp->maxsplit; i++) {
    if (i + sp->dlen > sp->n) break;
    if (memcmp(sp->s + i, sp->delim, sp->dlen) == 0) {
      *len = i - sp->at;
      sp->at = i + sp->dlen;
      sp->cuts++;
      return 1;
    }
  }
  *len = sp->n - sp->at; /* the last piece, maybe empty */
  sp->done = 1;
  return 1;
}

static void split_start(splitter *sp, const rt_strsplit_params *p, const unsigned char *x, const void *delim) {
  sp->s = rt_str_chars(x);
  sp->n = rt_str_len(x);
  sp->delim = delim ? rt_str_chars(delim) : "";
  sp->dlen = (size_t)p->delim_len;
  sp->at = 0;
  sp->cuts = 0;
  sp->maxsplit = p->maxsplit;
  sp->done = 0;
}

RT_KERNEL(rt_string_split) {
  const rt_strsplit_params *p = (const rt_strsplit_params *)params;
  const size_t slot = (size_t)p->slot;
  const unsigned char *x = (const unsigned char *)in[0];
  unsigned char *y = (unsigned char *)out[0];
  int64_t *z = (int64_t *)out[1], i, k, m = 0;
  splitter sp;
  size_t start, len;
  (void)scratch;
  /* counts first: the row length m is the largest */
  for (i = 0; i < p->n; i++) {
    split_start(&sp, p, x + (size_t)i * slot, in[1]);
    for (z[i] = 0; next_piece(&sp, &start, &len);) z[i]++;
    if (z[i] > m) m = z[i];
  }
  for (i = 0; i < p->n; i++) {
    const unsigned char *e = x + (size_t)i * slot;
    split_start(&sp, p, e, in[1]);
    for (k = 0; next_piece(&sp, &start, &len); k++)
      rt_str_set(y + (size_t)(i * m + k) * slot, slot, rt_str_chars(e) + start, len);
    for (; k < m; k++) rt_str_set(y + (size_t)(i * m + k) * slot, slot, "", 0);
  }
  if (out[2]) ((int64_t *)out[2])[0] = m;
}
