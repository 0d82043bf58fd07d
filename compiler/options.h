/* Options of one compilation, filled by the CLI (or by tests). */
#ifndef ONNXCC_OPTIONS_H
#define ONNXCC_OPTIONS_H

#include <stddef.h>

#define OPT_MAX_PINS 64

typedef struct pin {
  const char *name;   /* dim_param name (--dim) or input name (--shape) */
  int rank;           /* --shape only */
  long long dims[8];  /* --shape: the dims; --dim: dims[0] is the value */
  /* --dim NAME=LO..HI: the dim varies at run time between dims[0] (LO)
   * and dims[1] (HI); 0 for a pinned value. */
  int range;
  const char *source; /* input file a positional pin comes from (run), else NULL */
  /* A sequence or optional read from a file (run): its kind (ir_kind),
   * element count, and which element dims differ between elements (dims[]
   * then holds the largest); rank -1 when it holds no element. */
  int kind;
  long long cap;
  unsigned char var[8];
} pin;

typedef struct compile_options {
  const char *model_path;      /* named in messages; read unless model_data is set */
  /* The model's bytes, when the caller already holds them (the fuzz
   * harness); external data is then looked up beside model_path. */
  const unsigned char *model_data;
  size_t model_size;
  const char *out_path;        /* OUT.c; .h and .weights are derived */
  const char *name;            /* symbol prefix */
  int embed_weights;
  /* --weights-section NAME (with --embed-weights): the linker section of
   * the embedded blob; NULL: the compiler's default (.rodata). */
  const char *weights_section;
  int opt_level;               /* 0: only what shapes need; 1: all passes */
  const char *dump_after;      /* pass name, "all", or NULL */
  int n_dims, n_shapes;
  pin dims[OPT_MAX_PINS];
  pin shapes[OPT_MAX_PINS];
  /* Shapes for runtime inputs by position, used where no --shape/--dim
   * pins them (`onnxcc run` takes them from the input files). */
  int n_positional;
  pin positional[OPT_MAX_PINS];
  /* Constant-folding budget in bytes: one folded tensor, and all folded
   * tensors alive at once. A node whose result would pass either is left
   * to run in the generated code. 0 means the default
   * (IR_FOLD_MAX_*_DEFAULT in ir.h). */
  long long fold_max_tensor, fold_max_total;
  const char *backend;         /* backend name (backend.h); NULL: the default */
  /* --max-dynamic-dim N: the upper bound of a dim computed from values
   * known only at run time (Range's length, ConstantOfShape's dims) where
   * the model gives none; 0: none given, such a node is refused. */
  long long max_dynamic_dim;
  /* --max-string-bytes N: the longest string element the compiled model
   * holds (each is a slot of RT_STRING_SLOT(N) bytes); 0: the default,
   * IR_MAX_STRING_BYTES_DEFAULT. */
  long long max_string_bytes;
  /* --cpu CPU for an object output (llvm_backend.h): Clang's -march= on
   * x86, -mcpu= elsewhere; NULL: the target's baseline. */
  const char *cpu;
  /* --threads N: the split kernels cut their work into N tasks
   * (onnxcc/parallel.h); 0 or 1: one thread, code as without it. */
  int threads;
  /* --no-winograd: 3x3 convs summed directly (compiler/ops/nchwc.c:
   * use_winograd), for the direct sum's rounding and their weights at a
   * fourth of the Winograd ones' size. */
  int no_winograd;
  /* 1 when the model is built for a bare-metal target (run, info or an
   * object with --target naming one): the lowering keeps to the kernel
   * variants measured on such cores (Conv: not the channel-blocked one,
   * ops/conv.c). The C output without --target is for the host. */
  int bare_metal;
} compile_options;

#endif
