/* What the memory-bound kernels that split share (element-wise, pooling,
 * normalisation): their work is n like items, and a range body computes
 * items [lo, hi) exactly as the whole loop did, so the split changes no
 * bit. rt_kernel_ranges hands the kernel's own arguments to the pieces that
 * rt_parallel_ranges (onnxcc/parallel.h) cuts. */
#ifndef ONNXCC_SPLIT_INTERNAL_H
#define ONNXCC_SPLIT_INTERNAL_H

#include <stdint.h>

#include "index_internal.h"
#include "onnxcc/parallel.h"

/* GlobalAveragePool sums a plane of n positions in two halves, [0, h)
 * and [h, n) with h = rt_gap_half(n), and adds the second to the first,
 * where n >= RT_GAP_HALVES_MIN (one sum over [0, n) below). pool.c's
 * rt_globalavgpool and the blocked one of nchwc_pool.c both do, so they
 * keep the same bits, and the blocked one can hand the halves to two
 * tasks: the rows of a large plane each core's conv or depthwise conv
 * wrote (a split by blocks read half of X from the other core). */
#define RT_GAP_HALVES_MIN (28 * 28)
static inline int64_t rt_gap_half(int64_t n) { return n >= RT_GAP_HALVES_MIN ? RT_IDIV(n, 2) : n; }

/* A kernel call's arguments, as its range bodies receive them. */
typedef struct rt_call {
  const void *params;
  const void *const *in;
  void *const *out;
  void *scratch;
} rt_call;

/* Runs body over [0, n) with the call's arguments, split across the
 * rt_parallel the call got (in[RT_PARALLEL_SLOT]; NULL: whole, here). */
void rt_kernel_ranges(rt_range_fn body, const void *params, const void *const *in, void *const *out, void *scratch,
                      int64_t n, int64_t unit, int64_t item_bytes);

/* In a range body: the call's params, in, out and scratch under the names
 * a kernel body uses, so the loop it had moves over unchanged. */
#define RT_CALL_ARGS(arg)                                  \
  const rt_call *call_ = (const rt_call *)(arg);           \
  const void *params = call_->params;                      \
  const void *const *in = call_->in;                       \
  void *const *out = call_->out;                           \
  void *scratch = call_->scratch;                          \
  (void)params;                                            \
  (void)in;                                                \
  (void)out;                                               \
  (void)scratch

/* Elements of type T per 64-byte cache line: the unit of element ranges,
 * so no two tasks write one line and each vector loop keeps the
 * alignment (relative to the tensor's start) it had whole. */
#define RT_LINE_ELEMS(T) ((int64_t)(64 / sizeof(T) > 0 ? 64 / sizeof(T) : 1))

#endif
