/* What the hand-built kernel benchmarks (conv_bench.c, dw_blocked_bench.c)
 * share: this thread's CPU time, 64-byte aligned buffers and seeded
 * filler data (inline, so a program that uses some of them gets no
 * unused-function warning). Include after defining _POSIX_C_SOURCE. */
#ifndef ONNXCC_BENCH_UTIL_H
#define ONNXCC_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

/* Seconds of this thread's CPU time: on a shared machine, what the core
 * does while we have it. */
static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 64-byte aligned, as the compiled model's weight blob and arena are
 * (RT_ALIGN): malloc's 16 would split the weight vectors across lines. */
static inline void *alloc64(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64)) return NULL;
  return p;
}

/* n values in [-1, 1) from *seed, which moves on. */
static inline void fill(float *x, long n, unsigned *seed) {
  long i;
  for (i = 0; i < n; i++) {
    *seed = *seed * 1103515245u + 12345u;
    x[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
}

#endif
