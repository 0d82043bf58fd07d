/* Regular expressions (RE2 syntax, the subset RegexFullMatch models use)
 * compiled into the program of runtime/include/onnxcc/kernels/regex.h. */
#ifndef ONNXCC_REGEX_COMPILE_H
#define ONNXCC_REGEX_COMPILE_H

#include <stddef.h>
#include <stdint.h>

/* The most instructions a program may have: {m,n} copies its operand, so
 * a pattern like (a{1000}){1000} is refused rather than compiled. */
#define RX_MAX_INST 20000

typedef struct rx_program {
  int32_t *words;  /* the table of kernels/regex.h (malloc'd) */
  int64_t n_words;
  int32_t n_inst;
} rx_program;

/* Compiles pattern; 0 on success, else -1 with a message in err (what is
 * wrong and at which byte). Supported: literals and escapes, ., [...]
 * with ranges, negation, \d \w \s and their negations and [:name:]
 * classes, (...) and (?:...) groups, |, * + ? {m} {m,} {m,n} (lazy forms
 * too: a full match does not care), ^ $ \A \z \b \B. Classes and
 * escapes are ASCII; . and negated classes match any one UTF-8 encoded
 * character. Refused: flags such as (?i), backreferences, non-ASCII
 * bytes inside [...]. */
int rx_compile(const char *pattern, rx_program *out, char *err, size_t err_len);
void rx_program_free(rx_program *p);

#endif
