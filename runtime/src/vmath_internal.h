/* Float exp, sigmoid and tanh without libm calls, for loops that apply them
 * to whole arrays (recurrent gates): branch-free, so the C compiler
 * vectorizes a loop that calls them, which it cannot do with a call to
 * expf. Within a few units in the last place of libm's results over the
 * whole float range (tests/unit/test_rnn.c checks the bound); NaN in, NaN
 * out.
 *
 * exp: x = n*ln2 + r with |r| <= ln2/2; e^r by a degree-7 polynomial
 * (Taylor's coefficients, the last ones adjusted), times 2^n built in the
 * exponent bits. Needs round-to-nearest, the default rounding mode. tanh: an odd polynomial near 0, where 1 - 2/(e^2x + 1)
 * would lose the leading bits, and that formula elsewhere. */
#ifndef ONNXCC_VMATH_INTERNAL_H
#define ONNXCC_VMATH_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float rt_vexpf(float x) {
  /* n must stay in -126..127, a normal power of two: x above 88 is done as
   * e^(x-1) * e, x below -87.33 gives e^-87.33 (beside 1, nothing). Every
   * value is computed and the cases picked by selects, and n is rounded by
   * adding 1.5 * 2^23 (its low bits are then n) rather than converted to
   * an integer: either of those would keep the compiler from vectorizing. */
  const float magic = 12582912.0f;
  float c = x - (x > 88.0f ? 1.0f : 0.0f), m, n, r, p, s, big;
  uint32_t bits;
  c = c < -87.3365447504f ? -87.3365447504f : c;
  c = c > 88.0f ? 88.0f : c;
  m = c * 1.44269504088896341f + magic;
  n = m - magic;
  memcpy(&bits, &m, sizeof bits);
  /* 2^n; unsigned, as a NaN x gives bits far outside n's range (its
   * result is x itself, below, but the arithmetic must not overflow) */
  bits = (bits - 0x4B400000u + 127u) << 23;
  memcpy(&s, &bits, sizeof s);
  /* ln2 in two parts: n * ln2_hi is exact */
  r = c - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  r = p * s;
  big = r * 2.71828183f;
  r = x > 88.0f ? big : r;
  r = x > 88.7228394f ? INFINITY : r;
  return x != x ? x : r;
}

static inline float rt_vsigmoidf(float x) { return 1.0f / (1.0f + rt_vexpf(-x)); }

static inline float rt_vtanhf(float x) {
  const float a = fabsf(x), z = x * x;
  float small, large, p;
  p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  small = x + x * z * p;
  large = 1.0f - 2.0f / (rt_vexpf(2.0f * a) + 1.0f);
  large = x < 0 ? -large : large;
  return a < 0.625f ? small : large;
}

#endif
