/* What the lower pass records on a node: which kernel variant runs, with
 * which parameters, how much scratch memory it needs, and which memory
 * reuse it allows. Backend-neutral: no C text, no function pointers (the
 * kernel table, kernel_table.h, maps the id to the runtime function). */
#ifndef ONNXCC_LOWERED_H
#define ONNXCC_LOWERED_H

#include <stddef.h>

/* A params field whose value is only known at run time: the backend
 * sets it from dim expression `expr` (dimexpr.h) before the call. The
 * struct itself holds the expression's upper bound there. */
typedef struct lowered_bind {
  size_t offset;        /* byte offset of the field (element) in params */
  int expr;
} lowered_bind;

#define LOWERED_MAX_DEFINES 16

typedef struct lowered {
  int kernel;           /* enum kernel_id */
  void *params;         /* owned, params_size bytes, the kernel's params struct */
  size_t params_size;
  size_t scratch_bytes; /* temporary memory the kernel needs while it runs */
  /* Output 0 holds input `view_of`'s bytes unchanged (Reshape, Flatten,
   * Squeeze, Unsqueeze, Identity): the planner lets both share memory
   * and the call disappears; the kernel still runs where they cannot
   * share (an input copied into a caller's output buffer). -1: none. */
  int view_of;
  /* The kernel may write output 0 over input `inplace_of` (same size, read
   * element by element before it is written): the planner does so when
   * that input's life ends at this node. -1: none. */
  int inplace_of;
  /* If, Loop, Scan: no kernel (kernel is -1); the planner plans the node's
   * subgraphs and the backend emits the control flow around them. */
  int control;
  /* Fields set from symbolic dims at run time (op_bind, ops.h). */
  lowered_bind *binds;
  int n_binds;
  /* When output dims (or params) depend on input values known only at run
   * time (Range's limit, Resize's sizes): kernel `prepare` (-1: none)
   * runs first with the node's inputs, writes those dims to out[0], one
   * int64 per symbol of `defines` (dim table symbol indices, in order;
   * a value outside the symbol's bounds, -1 for a contradiction, makes
   * the run fail with RT_ERR_SHAPE), may complete the kernel's params
   * through out[1] (it sees them with every bind filled in that does not
   * involve the dims it defines), and reports input values it cannot
   * accept through out[2] (an int status, RT_OK before the call). Its own
   * params and binds are like the kernel's. */
  int prepare;
  void *prepare_params;
  size_t prepare_params_size;
  lowered_bind *prepare_binds;
  int n_prepare_binds;
  int defines[LOWERED_MAX_DEFINES];
  int n_defines;
  /* 1: the dims of `defines` are counts only the kernel itself finds
   * (NonZero's, NonMaxSuppression's): it writes them, int64, to the extra
   * output slot out[n_out] as it runs, within the buffers' bounds; there
   * is no prepare kernel then. */
  int defines_after;
  /* 1: the kernel may refuse run-time values (a sequence position out of
   * range): it gets an int at out[RT_STATUS_SLOT] (kernels/sequence.h),
   * RT_OK before the call, and the run returns what it leaves there. */
  int status_slot;
} lowered;

void lowered_free(lowered *l);

#endif
