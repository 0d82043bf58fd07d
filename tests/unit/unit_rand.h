/* Seeded pseudo-random floats for the kernel tests: a linear congruential
 * generator, so every run and every platform sees the same values. */
#ifndef ONNXCC_TEST_UNIT_RAND_H
#define ONNXCC_TEST_UNIT_RAND_H

#include <stdint.h>
#include <stdlib.h>

/* n floats in [-1, 1) from seed (at least one allocated; the caller frees). */
static inline float *unit_rand_floats(int64_t n, uint32_t seed) {
  float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  int64_t i;
  for (i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  return v;
}

#endif
