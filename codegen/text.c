#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compiler/diag.h"

void text_init(text *w) {
  memset(w, 0, sizeof *w);
  w->at_line_start = 1;
}

void text_free(text *w) {
  free(w->buf);
  text_init(w);
}

static void reserve(text *w, size_t extra) {
  if (w->len + extra + 1 <= w->cap) return;
  while (w->len + extra + 1 > w->cap) w->cap = w->cap ? w->cap * 2 : 4096;
  w->buf = xrealloc(w->buf, w->cap);
}

static void append(text *w, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (w->at_line_start && s[i] != '\n' && w->indent > 0) {
      reserve(w, (size_t)w->indent);
      memset(w->buf + w->len, ' ', (size_t)w->indent);
      w->len += (size_t)w->indent;
    }
    reserve(w, 1);
    w->buf[w->len++] = s[i];
    w->at_line_start = s[i] == '\n';
  }
  if (w->buf) w->buf[w->len] = 0;
}

void text_puts(text *w, const char *s) { append(w, s, strlen(s)); }

void text_printf(text *w, const char *fmt, ...) {
  char small[512];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < (int)sizeof small) {
    append(w, small, (size_t)n);
  } else {
    char *big = xmalloc((unsigned long)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    append(w, big, (size_t)n);
    free(big);
  }
}

void text_i64(text *w, int64_t v) {
  /* INT64_MIN has no literal form in C. */
  if (v == INT64_MIN) text_puts(w, "(-9223372036854775807LL - 1)");
  else text_printf(w, "%" PRId64 "LL", v);
}

static void real_literal(text *w, double v, int digits, const char *suffix) {
  char buf[64];
  if (isnan(v)) {
    text_puts(w, "NAN");
    return;
  }
  if (isinf(v)) {
    text_puts(w, v > 0 ? "INFINITY" : "-INFINITY");
    return;
  }
  snprintf(buf, sizeof buf, "%.*g", digits, v);
  if (!strpbrk(buf, ".en")) strcat(buf, ".0");
  text_printf(w, "%s%s", buf, suffix);
}

void text_f32(text *w, float v) { real_literal(w, v, 9, "f"); }
void text_f64(text *w, double v) { real_literal(w, v, 17, ""); }

void text_cstring(text *w, const char *s) {
  text_puts(w, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') text_printf(w, "\\%c", c);
    else if (c < 32 || c >= 127 || c == '?') text_printf(w, "\\%03o", c); /* '?' avoids trigraphs */
    else text_printf(w, "%c", c);
  }
  text_puts(w, "\"");
}
