/* Static memory plan: where every tensor lives at run time.
 *
 * Constants go to the weight blob; graph inputs and outputs are the
 * caller's buffers; every other tensor, and each kernel's scratch memory,
 * gets an offset in one arena. Views (Reshape & co.) share their input's
 * storage and in-place nodes write over an input that dies there, as the
 * lowering allows (lowered.h: view_of, inplace_of); a Concat whose inputs
 * are contiguous slices of its output has them written there by their
 * producers (plan_share.c). Tensors whose lifetimes do not overlap share
 * bytes (greedy by size, largest first, lowest offset that fits; see
 * plan.c for the time-ordered allocator that takes over on huge graphs). */
#ifndef ONNXCC_PLAN_H
#define ONNXCC_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "ops/ops.h"

typedef enum value_home {
  HOME_NONE = 0,   /* not used at run time */
  HOME_WEIGHTS,    /* constant, in the blob at ->offset */
  HOME_INPUT,      /* caller input ->graph_input */
  HOME_OUTPUT,     /* caller output buffer `output_index` */
  HOME_ARENA       /* arena at ->offset */
} value_home;

struct plan;

/* The plans of a control node's subgraphs (If: then, else; Loop, Scan:
 * body), in attribute order, and where Loop/Scan keep their carried
 * values inside the node's scratch: buf_offset[2k], [2k+1] for value k. */
typedef struct plan_sub {
  int n;
  ir_graph **g;
  struct plan *p;
  int64_t *buf_offset;
  int n_buf;
} plan_sub;

typedef struct plan {
  int64_t *scratch_offset; /* per node, -1 if none */
  value_home *home;        /* per value */
  int *output_index;       /* per value: graph output it is written to, or -1 */
  /* per value: the value whose storage it shares (a view of it, an
   * in-place result over it, or a Concat output that holds it as a
   * slice); itself when it has its own. Home is the root's; the value
   * starts root_offset[v] bytes into the root's storage (0 but for Concat
   * slices), and its ->offset, in the arena, counts them in. */
  int *root;
  int64_t *root_offset;
  /* per node: no call. A view that shares its input, or a Concat whose
   * inputs were all written in place into its output. */
  unsigned char *elided;
  plan_sub *subs;          /* per node: its subgraphs' plans (control nodes) */
  int n_nodes;
  int gid;                 /* 0 for the main graph, then 1, 2... depth first */
  size_t arena_bytes;
  size_t arena_lower_bound;/* the largest total of live bytes at any step */
  size_t weights_bytes;    /* payload (without the blob header); the main plan: all graphs' */
} plan;

/* Assigns homes and offsets to a lowered graph (every node has n->low). */
status plan_build(ir_graph *g, plan *p);
void plan_free(plan *p, int n_nodes);

/* Bytes rounded up to RT_ALIGN. */
size_t plan_align(size_t n);

/* One arena allocation (a tensor or a node's scratch), as the placer sees
 * it; exposed for the unit tests. */
typedef struct plan_block {
  int64_t bytes;     /* a multiple of RT_ALIGN, at most CK_MAX_TENSOR_BYTES */
  int first, last;   /* node steps during which it is live: 0 <= first <= last */
  int64_t offset;    /* result */
} plan_block;

/* Sets every block's offset so that no two blocks live at the same step
 * share a byte, and *total to the arena size. n_steps bounds every `last`.
 * ST_UNSUPPORTED if the arena would not fit in int64. */
status plan_place(plan_block *b, int n, int n_steps, int64_t *total);
/* The largest total of bytes live at any one step. */
status plan_lower_bound(const plan_block *b, int n, int n_steps, int64_t *bound);
/* 1 if no two blocks overlap in both time and space (O(n^2): tests and
 * small plans only). */
int plan_blocks_disjoint(const plan_block *b, int n);

#endif
