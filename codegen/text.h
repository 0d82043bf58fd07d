/* A growable text buffer with indentation: the only way codegen writes. */
#ifndef ONNXCC_TEXT_H
#define ONNXCC_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct text {
  char *buf;
  size_t len, cap;
  int indent;       /* spaces added after each newline */
  int at_line_start;
} text;

void text_init(text *w);
void text_free(text *w);
void text_printf(text *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_puts(text *w, const char *s);
/* C literals that round-trip exactly. */
void text_i64(text *w, int64_t v);
void text_f32(text *w, float v);
void text_f64(text *w, double v);
/* Writes `s` as a C string literal (quotes included). */
void text_cstring(text *w, const char *s);

#endif
