/* `onnxcc run`: compile, build with $CC, run on inputs, write outputs. */
#ifndef ONNXCC_RUN_H
#define ONNXCC_RUN_H

#include "options.h"
#include "diag.h"

typedef struct run_options {
  compile_options c;
  const char **inputs;     /* TensorProto files, in graph-input order */
  int n_inputs;
  const char *output_dir;  /* NULL: outputs are not written */
  int runs, warmup;
  unsigned long seed;
  int keep;                /* keep the temporary build folder */
} run_options;

status run_command(run_options *r);

/* Shared with `onnxcc info --target` (target_info.c), which builds too. */
struct text;
/* Runs argv (PATH lookup, no shell) with stdout and stderr into *out:
 * 0 and the wait status, or -1 with errno when it could not start. */
int run_argv(char *const argv[], struct text *out, int *wstatus);
/* A fresh folder under $TMPDIR, registered for cleanup unless r->keep. */
char *make_build_dir(const run_options *r, int *slot);
/* Empties and removes a folder made by make_build_dir. */
void remove_tree(const char *dir);

#endif
