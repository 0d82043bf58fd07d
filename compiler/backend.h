/* Backends: what turns a lowered, planned graph into output files.
 *
 * A backend is one entry of the table in backend.c. The op files know
 * nothing about backends: they lower each node to a kernel variant of the
 * runtime (kernel_table.h) with its params. A backend then
 *   - `select`s: keeps that kernel or swaps in one of its own (a CUDA
 *     backend maps rt_add_f32 to its device kernel), or refuses the node;
 *   - says how much `scratch` memory the chosen kernel needs, which the
 *     planner reserves in the arena for that node only;
 *   - `emit`s the output files into a file set (compile.c commits them
 *     all or none).
 * Today the table holds the C backend (codegen/c/). */
#ifndef ONNXCC_BACKEND_H
#define ONNXCC_BACKEND_H

#include <stddef.h>

#include "../codegen/weights.h"
#include "fileio.h"
#include "ir.h"

struct plan;

typedef struct backend_emit_args {
  const ir_graph *g;
  const struct plan *p;
  const blob *weights;
  const char *name;          /* symbol prefix, a C identifier */
  const char *out_path;      /* OUT.c (the backend derives its other files) */
  const char *header_path;
  const char *weights_path;
  const char *model_path;    /* for banners */
  int embed_weights;
  const char *weights_section; /* --weights-section NAME, or NULL */
  int threads;               /* --threads (1: one) */
} backend_emit_args;

typedef struct backend {
  const char *name;
  const char *what;          /* one line for --help */
  /* After the op lowered node n (n->low is set): keep, replace or refuse. */
  status (*select)(const ir_graph *g, ir_node *n);
  /* Scratch bytes node n needs under this backend. */
  size_t (*scratch)(const ir_graph *g, const ir_node *n);
  /* Adds every output file to `set`. */
  status (*emit)(const backend_emit_args *a, file_set *set);
} backend;

/* The table, NULL-terminated; the first entry is the default. */
extern const backend backends[];
/* Backend by name, or NULL. */
const backend *backend_find(const char *name);

#endif
