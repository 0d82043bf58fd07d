/* Float exp, sigmoid, tanh and erf without libm calls, for loops that
 * apply them to whole arrays (the unary kernels, the fused epilogue,
 * softmax, recurrent gates): branch-free, so the C compiler
 * vectorizes a loop that calls them, which it cannot do with a call to
 * expf. Within a few units in the last place of libm's results over the
 * whole float range (tests/unit/test_vmath.c checks the bounds); NaN in, NaN
 * out.
 *
 * exp: x = n*ln2 + r with |r| <= ln2/2; e^r by a degree-7 polynomial
 * (Taylor's coefficients, the last ones adjusted), times 2^n built in the
 * exponent bits. Needs round-to-nearest, the default rounding mode.
 * tanh: an odd polynomial near 0, where 1 - 2/(e^2x + 1) would lose the
 * leading bits, and that formula elsewhere. erf: see rt_verff. */
#ifndef ONNXCC_VMATH_INTERNAL_H
#define ONNXCC_VMATH_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float rt_vexpf(float x) {
  /* n must stay in -126..127, a normal power of two: x above 88 is done as
   * e^(x-1) * e, x below -87.33 gives e^-87.33 (beside 1, nothing), and
   * 0 from -103.97, where e^x rounds to 0 (so e^-inf is 0). Every
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
  r = x < -103.972084f ? 0.0f : r; /* where e^x rounds to 0, -inf included */
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
  small = z == 0 ? x : small; /* -0 stays -0 (-0 + +0 would be +0) */
  large = 1.0f - 2.0f / (rt_vexpf(2.0f * a) + 1.0f);
  large = x < 0 ? -large : large;
  return a < 0.625f ? small : large;
}

/* erf: odd, so computed on a = |x| and given x's sign at the end.
 * a < 1: erf(a) = a * P(a^2), P of degree 6 (relative error 2e-9).
 * 1 <= a < 4: erf(a) = 1 - e^(-a^2) * Q(1/a), Q of degree 9 in 1/a - 0.625
 * (erfc(a) e^(a^2) falls smoothly from 0.43 to 0.14 there; relative error
 * 2e-8, and erfc(a) <= 0.16 makes that far below erf's ulp). The rounding
 * of a^2 costs erfc that relative amount, at most 0.16 * 2^-24 absolute.
 * a >= 4: 1, as erfc(4) = 1.5e-8 is below half an ulp of 1.
 * Both polynomials are least-squares fits with the largest relative error
 * minimised (Lawson's iteration) over Chebyshev nodes, in double, the
 * coefficients then rounded to float. Both branches are computed and one
 * picked by a select, as in rt_vexpf, so loops over it vectorize. */
static inline float rt_verff(float x) {
  const float a = fabsf(x), z = a * a, c = a < 4.0f ? (a > 1.0f ? a : 1.0f) : 4.0f;
  const float u = 1.0f / c - 0.625f;
  float p, q, r;
  p = 7.8167172587e-05f;
  p = p * z - 7.9982955152e-04f;
  p = p * z + 5.1868710746e-03f;
  p = p * z - 2.6852965302e-02f;
  p = p * z + 1.1283561728e-01f;
  p = p * z - 3.7612623180e-01f;
  p = p * z + 1.1283791650e+00f;
  p = x * p; /* x's sign, -0 included */
  q = 2.9875508839e-02f;
  q = q * u - 7.0172335541e-03f;
  q = q * u - 2.8143413748e-02f;
  q = q * u + 4.4639828463e-02f;
  q = q * u - 4.6813955471e-02f;
  q = q * u + 2.3260227050e-02f;
  q = q * u + 4.3761892389e-02f;
  q = q * u - 1.7239355472e-01f;
  q = q * u + 3.8228382499e-01f;
  q = q * u + 3.0595298901e-01f;
  q = 1.0f - rt_vexpf(-(c * c)) * q;
  q = a >= 4.0f ? 1.0f : q;
  q = x < 0 ? -q : q;
  r = a < 1.0f ? p : q;
  return x != x ? x : r;
}

#endif
