/* Options of one compilation, filled by the CLI (or by tests). */
#ifndef ONNXCC_OPTIONS_H
#define ONNXCC_OPTIONS_H

#define OPT_MAX_PINS 64

typedef struct pin {
  const char *name;   /* dim_param name (--dim) or input name (--shape) */
  int rank;           /* --shape only */
  long long dims[8];  /* --shape: the dims; --dim: dims[0] is the value */
} pin;

typedef struct compile_options {
  const char *model_path;
  const char *out_path;        /* OUT.c; .h and .weights are derived */
  const char *name;            /* symbol prefix */
  int embed_weights;
  int opt_level;               /* 0: only what shapes need; 1: all passes */
  const char *dump_after;      /* pass name, "all", or NULL */
  int n_dims, n_shapes;
  pin dims[OPT_MAX_PINS];
  pin shapes[OPT_MAX_PINS];
  /* Shapes for runtime inputs by position, used where no --shape/--dim
   * pins them (`onnxcc run` takes them from the input files). */
  int n_positional;
  pin positional[OPT_MAX_PINS];
} compile_options;

#endif
