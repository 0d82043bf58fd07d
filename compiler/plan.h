/* Static memory plan: where every tensor lives at run time.
 *
 * Constants go to the weight blob; graph inputs and outputs are the
 * caller's buffers; every other tensor, and each kernel's scratch memory,
 * gets an offset in one arena. Tensors whose lifetimes do not overlap share
 * bytes (greedy by size, largest first, lowest offset that fits). */
#ifndef ONNXCC_PLAN_H
#define ONNXCC_PLAN_H

#include <stddef.h>

#include "ops/ops.h"

typedef enum value_home {
  HOME_NONE = 0,   /* not used at run time */
  HOME_WEIGHTS,    /* constant, in the blob at ->offset */
  HOME_INPUT,      /* caller input ->graph_input */
  HOME_OUTPUT,     /* caller output buffer `output_index` */
  HOME_ARENA       /* arena at ->offset */
} value_home;

typedef struct plan {
  lowered *low;            /* per node */
  int64_t *scratch_offset; /* per node, -1 if none */
  value_home *home;        /* per value */
  int *output_index;       /* per value: graph output it is written to, or -1 */
  size_t arena_bytes;
  size_t arena_lower_bound;/* the largest total of live bytes at any step */
  size_t weights_bytes;    /* payload (without the blob header) */
} plan;

/* Lowers every node and assigns homes and offsets. */
status plan_build(ir_graph *g, plan *p);
void plan_free(plan *p, int n_nodes);

/* Bytes rounded up to RT_ALIGN. */
size_t plan_align(size_t n);

#endif
