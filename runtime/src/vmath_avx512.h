/* AVX-512 forms of the float sigmoid and tanh of vmath_internal.h, for
 * whole arrays (rt_act_apply_f32 in epilogue.c; the unary kernels of
 * Sigmoid, Tanh and SiLU call the same loop, so a fused node still
 * computes bit for bit what the two nodes did).
 *
 * Why not leave it to the compiler: the portable forms vectorize, but to
 * 8 lanes (gcc and clang prefer 256-bit vectors at -march=native), with a
 * vdivps per vector for the 1 / (1 + e) of both, and clamps and selects
 * for exp's range. Here: 16 lanes; 2^n by vscalefps, which itself gives
 * 0, denormals and infinity at the ends of the range, so only the input
 * is clamped; and 1 / d for d in [1, 2] by vrcp14ps and one Newton step
 * (relative error about 2^-28 before the final rounding), no division.
 * Both functions take e^-|x| (never above 1), so nothing overflows.
 * Within the same ulp bounds as the portable forms (tests/unit/
 * test_vmath.c sweeps both). NaN in, NaN out. */
#ifndef ONNXCC_VMATH_AVX512_H
#define ONNXCC_VMATH_AVX512_H

#if defined(__AVX512F__)
#define RT_VMATH_AVX512 1
#include <immintrin.h>

/* e^t for t <= 0 (NaN passes through): the polynomial of rt_vexpf on
 * r = t - n ln2, then scaled by 2^n. Below -104, e^t is under half the
 * smallest denormal: t is clamped there (which also keeps -inf from
 * giving inf - inf). */
static inline __m512 rt_v16_exp_nonpos(__m512 t) {
  __m512 n, r, p;
  t = _mm512_max_ps(_mm512_set1_ps(-104.0f), t); /* NaN stays: vmaxps returns its second operand */
  n = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), t);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
  p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

/* 1 / d for d in [1, 2]. */
static inline __m512 rt_v16_recip_1_2(__m512 d) {
  const __m512 q = _mm512_rcp14_ps(d);
  return _mm512_fmadd_ps(q, _mm512_fnmadd_ps(d, q, _mm512_set1_ps(1.0f)), q);
}

static inline __m512 rt_v16_abs(__m512 x) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7FFFFFFF)));
}

/* sigmoid(x): with e = e^-|x|, 1 / (1 + e) for x >= 0 and e / (1 + e)
 * below (NaN takes the second, e being NaN). */
static inline __m512 rt_v16_sigmoid(__m512 x) {
  const __m512 e = rt_v16_exp_nonpos(_mm512_sub_ps(_mm512_setzero_ps(), rt_v16_abs(x)));
  const __m512 q = rt_v16_recip_1_2(_mm512_add_ps(_mm512_set1_ps(1.0f), e));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ), _mm512_mul_ps(e, q), q);
}

/* tanh(x): rt_vtanhf's odd polynomial below |x| = 0.625 (x itself where
 * x * x is 0, so -0 stays -0); above, with e = e^-2|x|,
 * (1 - e) / (1 + e) = 1 - 2e / (1 + e), given x's sign. */
static inline __m512 rt_v16_tanh(__m512 x) {
  const __m512 a = rt_v16_abs(x), z = _mm512_mul_ps(x, x);
  const __m512 e = rt_v16_exp_nonpos(_mm512_mul_ps(_mm512_set1_ps(-2.0f), a));
  const __m512 q = rt_v16_recip_1_2(_mm512_add_ps(_mm512_set1_ps(1.0f), e));
  const __m512 large = _mm512_fnmadd_ps(_mm512_add_ps(e, e), q, _mm512_set1_ps(1.0f));
  const __m512 sign = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
  __m512 p = _mm512_set1_ps(-5.70498872745e-3f), small;
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
  small = _mm512_fmadd_ps(_mm512_mul_ps(x, z), p, x);
  small = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_EQ_OQ), small, x);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ), _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(large), _mm512_castps_si512(sign))),
                              small);
}
#else
#define RT_VMATH_AVX512 0
#endif

#endif
