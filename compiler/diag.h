/* Status codes and error messages.
 *
 * Library code returns a status; only main() turns it into an exit code.
 * Messages go to stderr at the point of failure, in one line:
 *   onnxcc: error: FILE: node 'NAME' (OP): what is wrong */
#ifndef ONNXCC_DIAG_H
#define ONNXCC_DIAG_H

#include <stdarg.h>

/* X(name, exit_code, description) */
#define DIAG_STATUSES(X)                                  \
  X(OK, 0, "ok")                                          \
  X(BAD_MODEL, 1, "invalid model")                        \
  X(UNSUPPORTED, 1, "unsupported feature")                \
  X(USAGE, 2, "bad command line")                         \
  X(IO, 3, "input/output error")                          \
  X(INTERNAL, 3, "internal error")

#define DIAG_ENUM(name, code, text) ST_##name,
typedef enum status { DIAG_STATUSES(DIAG_ENUM) ST_COUNT } status;
#undef DIAG_ENUM

int status_exit_code(status s);
const char *status_text(status s);

struct ir_node;

/* The file being compiled, used as the prefix of every message. */
void diag_set_file(const char *path);
const char *diag_file(void);

/* Prints one error line and returns `s`, so callers can `return diag_...`. */
status diag_error(status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, naming a node: "node 'NAME' (OP): ". */
status diag_node_error(status s, const struct ir_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints text verbatim after an error line: only for output of tools we
 * ran (a C compiler's log), never for text taken from a model. */
void diag_attach(const char *text);

/* Model text in messages is escaped: control bytes and bytes that are not
 * UTF-8 become \xNN, so a message is always one printable line. */
void diag_write_escaped(void *file, const char *text);
/* The same into a malloc'ed string. */
char *diag_escape(const char *text);

/* Tests and `onnxcc run` silence messages while probing. */
void diag_set_quiet(int quiet);
/* Silence messages around a call whose failure the caller reports itself. */
void diag_set_quiet_push(void);
void diag_set_quiet_pop(void);

/* Out-of-memory is the one failure we do not propagate: the compiler is a
 * short-lived tool, and a clear message beats threading NULL checks through
 * every helper. */
void *xmalloc(unsigned long n);
void *xcalloc(unsigned long n, unsigned long size);
void *xrealloc(void *p, unsigned long n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
