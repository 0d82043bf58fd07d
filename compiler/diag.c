#include "diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static const char *current_file = "";
static int quiet;

#define DIAG_CODE(name, code, text) code,
static const int exit_codes[] = {DIAG_STATUSES(DIAG_CODE)};
#undef DIAG_CODE
#define DIAG_TEXT(name, code, text) text,
static const char *const texts[] = {DIAG_STATUSES(DIAG_TEXT)};
#undef DIAG_TEXT

int status_exit_code(status s) { return s < ST_COUNT ? exit_codes[s] : 3; }
const char *status_text(status s) { return s < ST_COUNT ? texts[s] : "?"; }

void diag_set_file(const char *path) { current_file = path ? path : ""; }
const char *diag_file(void) { return current_file; }
void diag_set_quiet(int q) { quiet = q; }
static int quiet_depth;
void diag_set_quiet_push(void) {
  quiet_depth++;
  quiet++;
}
void diag_set_quiet_pop(void) {
  if (quiet_depth > 0) {
    quiet_depth--;
    quiet--;
  }
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 if there is none:
 * overlong forms, surrogates and code points past U+10FFFF count as invalid. */
static int utf8_len(const unsigned char *s) {
  int n, i;
  uint32_t cp;
  if (s[0] < 0x80) return 1;
  if (s[0] >= 0xC2 && s[0] <= 0xDF) n = 2, cp = s[0] & 0x1Fu;
  else if (s[0] >= 0xE0 && s[0] <= 0xEF) n = 3, cp = s[0] & 0x0Fu;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4) n = 4, cp = s[0] & 0x07u;
  else return 0;
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3Fu);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

void diag_write_escaped(void *file, const char *text) {
  FILE *f = file;
  const unsigned char *s = (const unsigned char *)text;
  while (*s) {
    int n = utf8_len(s);
    /* Control bytes (a newline in a node name could forge a second
     * "onnxcc: error:" line; an escape sequence could rewrite the
     * terminal) and bytes that are not UTF-8 are shown as \xNN. */
    if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7F))) {
      fprintf(f, "\\x%02X", *s);
      s++;
      continue;
    }
    fwrite(s, 1, (size_t)n, f);
    s += n;
  }
}

char *diag_escape(const char *text) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return xstrdup("?");
  diag_write_escaped(f, text);
  fclose(f);
  return buf;
}

/* The whole message is formatted first and escaped as one piece: names
 * from the model are arguments, and any of them may hold control bytes. */
static void emit(const char *kind, const ir_node *n, const char *fmt, va_list ap) {
  char *msg;
  int len;
  va_list aq;
  va_copy(aq, ap);
  len = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  if (len < 0) len = 0;
  msg = xmalloc((unsigned long)len + 1);
  vsnprintf(msg, (size_t)len + 1, fmt, ap);
  fputs("onnxcc: ", stderr);
  fputs(kind, stderr);
  fputs(": ", stderr);
  if (*current_file) {
    diag_write_escaped(stderr, current_file);
    fputs(": ", stderr);
  }
  if (n) {
    fputs("node '", stderr);
    diag_write_escaped(stderr, n->name);
    fputs("' (", stderr);
    diag_write_escaped(stderr, n->op_type);
    fputs("): ", stderr);
  }
  diag_write_escaped(stderr, msg);
  fputc('\n', stderr);
  free(msg);
}

status diag_error(status s, const char *fmt, ...) {
  va_list ap;
  if (quiet) return s;
  va_start(ap, fmt);
  emit("error", NULL, fmt, ap);
  va_end(ap);
  return s;
}

status diag_node_error(status s, const ir_node *n, const char *fmt, ...) {
  va_list ap;
  if (quiet) return s;
  va_start(ap, fmt);
  emit("error", n, fmt, ap);
  va_end(ap);
  return s;
}

void diag_warning(const char *fmt, ...) {
  va_list ap;
  if (quiet) return;
  va_start(ap, fmt);
  emit("warning", NULL, fmt, ap);
  va_end(ap);
}

void diag_attach(const char *text) {
  if (quiet || !text || !*text) return;
  fputs(text, stderr);
  if (text[strlen(text) - 1] != '\n') fputc('\n', stderr);
}

static void out_of_memory(unsigned long n) {
  fprintf(stderr, "onnxcc: error: out of memory (asked for %lu bytes)\n", n);
  abort();
}

void *xmalloc(unsigned long n) {
  void *p = malloc(n ? n : 1);
  if (!p) out_of_memory(n);
  return p;
}

void *xcalloc(unsigned long n, unsigned long size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) out_of_memory(n * size);
  return p;
}

void *xrealloc(void *p, unsigned long n) {
  p = realloc(p, n ? n : 1);
  if (!p) out_of_memory(n);
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  int n;
  char *s;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  s = xmalloc((unsigned long)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}
