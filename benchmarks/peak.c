/* Single-core FMA peak of this machine, in GFLOP/s: the ceiling that
 * benchmarks/run.py --shapes divides each convolution's speed by. The loop
 * and what it measures: peak_kernel.h.
 *
 *   cc -O3 -march=native benchmarks/peak.c -o /tmp/peak && /tmp/peak
 *
 * Prints one line: {"gflops": G, "isa": "...", "floats": W, "chains": C}
 * (the best of several trials: peak means the least disturbed trial; a
 * sibling hyper-thread busy with other work still lowers it). */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#include "peak_kernel.h"

int main(int argc, char **argv) {
  /* about 0.1-0.3 s a trial on a 3 GHz core; best of `trials` */
  long iters = 20000000;
  int trials = argc > 1 ? atoi(argv[1]) : 7, t;
  double best = 0.0;
  float sink = 0.0f;
  if (trials < 1) trials = 1;
  sink += peak_kernel(iters / 10); /* wake the core up (frequency, caches) */
  for (t = 0; t < trials; t++) {
    double t0 = now(), dt;
    sink += peak_kernel(iters);
    dt = now() - t0;
    if (dt > 0) {
      double g = peak_flops(iters) / dt * 1e-9;
      if (g > best) best = g;
    }
  }
  printf("{\"gflops\": %.2f, \"isa\": \"%s\", \"floats\": %d, \"chains\": %d, \"sink\": %g}\n",
         best, ISA, WIDTH, NCHAIN, (double)sink);
  return 0;
}
