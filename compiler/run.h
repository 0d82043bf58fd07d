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
  const char *target;      /* --target TRIPLE: cross-build, run under qemu; NULL: the host */
  int profile;             /* --profile: per-node times (run_profile.h) */
} run_options;

status run_command(run_options *r);

/* A fresh folder under $TMPDIR, registered for cleanup unless r->keep
 * (shared with `onnxcc info --target`, target_info.c, which builds too);
 * dir_remove_flat (fileio.h) removes it. */
char *make_build_dir(const run_options *r, int *slot);

#endif
