/* What the memory-bound kernels that split share (element-wise, pooling,
 * normalisation): their work is n like items, and a range body computes
 * items [lo, hi) exactly as the whole loop did, so the split changes no
 * bit. rt_kernel_ranges hands the kernel's own arguments to the pieces that
 * rt_parallel_ranges (onnxcc/parallel.h) cuts. */
#ifndef ONNXCC_SPLIT_INTERNAL_H
#define ONNXCC_SPLIT_INTERNAL_H

#include <stdint.h>

#include "onnxcc/parallel.h"

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
