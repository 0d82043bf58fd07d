/* What a build for a target says about a model's footprint: bytes per
 * part from the linker's map file, and the deepest stack from GCC's call
 * graphs (-fcallgraph-info=su). Used by `onnxcc info --target`. */
#ifndef ONNXCC_TARGET_MEASURE_H
#define ONNXCC_TARGET_MEASURE_H

#include <stddef.h>

#include "diag.h"

/* The parts of a linked program, by the object a section came from. */
enum { PART_GENERATED, PART_RUNTIME, PART_LIBRARY, PART_COUNT };

typedef struct target_sizes {
  size_t code[PART_COUNT]; /* .text, .rodata: flash */
  size_t data[PART_COUNT]; /* .data: flash (its initial values) and RAM */
  size_t bss[PART_COUNT];  /* .bss: RAM */
} target_sizes;

/* Sums the input sections the link kept, from its map (-Wl,-Map). Objects
 * named GEN_OBJ are the generated code, those starting with RT_PREFIX the
 * runtime, STUB_OBJ (the measuring main) is left out, the rest is the C
 * library and start-up code. */
status target_map_sizes(const char *map_path, const char *gen_obj, const char *rt_prefix, const char *stub_obj,
                        target_sizes *out);

typedef struct target_stack {
  size_t bytes;      /* deepest chain from the root, frames summed */
  int dynamic;       /* a frame on it has a size known only at run time */
  int recursive;     /* the graph has a cycle below the root: no bound */
  char chain[512];   /* "a > b > c" */
} target_stack;

/* The deepest stack below ROOT over the call graphs CI[0..n) (.ci files).
 * Calls to functions no graph defines (the C library) count 0. REFS[i]
 * (or REFS itself NULL, or an entry NULL: none) is file i's
 * -fdump-ipa-cgraph dump, whose "(addr)" references say which functions
 * a call through a pointer may reach: those whose address the innermost
 * function above it on the chain takes (a split kernel's task body,
 * called by rt_parallel_run), not counting any already on the chain. */
status target_stack_depth(const char *const *ci, const char *const *refs, int n, const char *root,
                          target_stack *out);

#endif
