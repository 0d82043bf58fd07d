/* The window geometry pool.c and nchwc_pool.c share: which taps of an
 * output's window lie inside the input, and how many of them an
 * AveragePool divides by. One copy, so the blocked pools count exactly
 * as the NCHW ones. */
#ifndef ONNXCC_RT_POOL_INTERNAL_H
#define ONNXCC_RT_POOL_INTERNAL_H

#include "index_internal.h"
#include "onnxcc/kernels/pool.h"

/* Taps k in [*lo, *hi] of output o whose input o*s - pad + k*d lies in
 * [0, n); empty when *hi < *lo. */
static inline void rt_pool_taps(int64_t o, int64_t s, int64_t pad, int64_t d, int64_t K, int64_t n, int64_t *lo,
                                int64_t *hi) {
  const int64_t start = o * s - pad;
  int64_t a = 0, b = K - 1;
  if (start < 0) a = RT_IDIV(-start + d - 1, d);
  if (start + b * d > n - 1) b = n - 1 - start < 0 ? -1 : RT_IDIV(n - 1 - start, d);
  *lo = a;
  *hi = b;
}

/* Number of window positions of output o along dim `dim` that count in
 * the average: the valid ones, or with count_include_pad the whole kernel
 * (as ONNX Runtime and the ONNX reference do, even for the positions past
 * the end padding that ceil_mode adds). */
static inline int64_t rt_pool_avg_count(const rt_pool_params *p, int dim, int64_t o) {
  int64_t lo, hi;
  if (p->count_include_pad) return p->kernel[dim];
  rt_pool_taps(o, p->strides[dim], p->pads[dim], p->dilations[dim], p->kernel[dim], p->in_dims[dim], &lo, &hi);
  return hi >= lo ? hi - lo + 1 : 0;
}

#endif
