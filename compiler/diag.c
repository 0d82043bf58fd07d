#include "diag.h"

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

static void prefix(void) {
  fputs("onnxcc: error: ", stderr);
  if (*current_file) fprintf(stderr, "%s: ", current_file);
}

status diag_error(status s, const char *fmt, ...) {
  va_list ap;
  if (quiet) return s;
  prefix();
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return s;
}

status diag_node_error(status s, const ir_node *n, const char *fmt, ...) {
  va_list ap;
  if (quiet) return s;
  prefix();
  fprintf(stderr, "node '%s' (%s): ", n->name, n->op_type);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return s;
}

void diag_warning(const char *fmt, ...) {
  va_list ap;
  if (quiet) return;
  fputs("onnxcc: warning: ", stderr);
  if (*current_file) fprintf(stderr, "%s: ", current_file);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
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
