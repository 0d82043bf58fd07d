/* The fused epilogue (kernels/epilogue.h): residual add, then activation,
 * over one output tile at a time. Each activation is the float function
 * of act_internal.h that unary.c's kernel for its op calls, so a fused
 * node computes what the two nodes did, bit for bit. The switch on
 * the activation runs once per tile row, never per element: each case is
 * a plain loop the C compiler vectorizes. */
#include <math.h>
#include <stddef.h>

#include "epilogue_internal.h"
#include "act_internal.h"
#include "vmath_avx512.h"

const rt_epi *rt_epi_init(rt_epi *e, int32_t act, float a, float b, const void *res, const float *y) {
  if (act == RT_ACT_NONE && !res) return NULL;
  e->act = act;
  e->a = a;
  e->b = b;
  e->res = (const float *)res;
  e->y = y;
  return e;
}

/* One pass per activation: y[j] = act(x[j] + r[j]) (x[j] alone without
 * r): EXPR in v. */
#define ACT_LOOP(EXPR)                                   \
  if (r) {                                               \
    for (j = 0; j < n; j++) {                            \
      const float v = x[j] + r[j];                       \
      y[j] = (EXPR);                                     \
    }                                                    \
  } else {                                               \
    for (j = 0; j < n; j++) {                            \
      const float v = x[j];                              \
      y[j] = (EXPR);                                     \
    }                                                    \
  }                                                      \
  break;

#if RT_VMATH_AVX512
/* Sigmoid, SiLU and Tanh 16 lanes at a time, the tail through masks, so
 * every element goes through the same vector code (vmath_avx512.h). */
static int act_avx512(int32_t act, float *y, const float *x, const float *restrict r, int64_t n) {
  int64_t j;
  if (act != RT_ACT_SIGMOID && act != RT_ACT_SILU && act != RT_ACT_TANH) return 0;
  for (j = 0; j < n; j += 16) {
    const __mmask16 m = n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1u);
    __m512 v = _mm512_maskz_loadu_ps(m, x + j), f;
    if (r) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, r + j));
    if (act == RT_ACT_TANH) f = rt_v16_tanh(v);
    else {
      f = rt_v16_sigmoid(v);
      if (act == RT_ACT_SILU) f = _mm512_mul_ps(v, f);
    }
    _mm512_mask_storeu_ps(y + j, m, f);
  }
  return 1;
}
#endif

void rt_act_apply_f32(int32_t act, float a, float b, float *y, const float *x, const float *restrict r, int64_t n) {
  int64_t j;
#if RT_VMATH_AVX512
  if (act_avx512(act, y, x, r, n)) return;
#endif
  switch (act) {
  case RT_ACT_NONE: ACT_LOOP(v)
  case RT_ACT_RELU: ACT_LOOP(rt_act_relu_f32(v))
  /* unary.c's Clip loop, whose bounds may be inputs */
  case RT_ACT_CLIP: ACT_LOOP((v < a ? a : v) > b ? b : (v < a ? a : v))
  case RT_ACT_LEAKY_RELU: ACT_LOOP(rt_act_leaky_relu_f32(v, a))
  case RT_ACT_HARD_SIGMOID: ACT_LOOP(rt_act_hard_sigmoid_f32(v, a, b))
  case RT_ACT_HARD_SWISH: ACT_LOOP(rt_act_hard_swish_f32(v))
  case RT_ACT_MUL_HARD_SIGMOID: ACT_LOOP(rt_act_mul_hard_sigmoid_f32(v, a, b))
  case RT_ACT_SIGMOID: ACT_LOOP(rt_act_sigmoid_f32(v))
  case RT_ACT_SILU: ACT_LOOP(rt_act_silu_f32(v))
  case RT_ACT_TANH: ACT_LOOP(rt_act_tanh_f32(v))
  case RT_ACT_GELU: ACT_LOOP(rt_act_gelu_f32(v))
  case RT_ACT_GELU_TANH: ACT_LOOP(rt_act_gelu_tanh_f32(v))
  default: break;
  }
}
#undef ACT_LOOP

void rt_epi_tile(const rt_epi *e, float *c, int64_t ldc, int64_t m, int64_t n) {
  int64_t i;
  if (ldc == n) { /* contiguous rows: one long loop vectorizes better than m short ones */
    n *= m;
    m = 1;
  }
  for (i = 0; i < m; i++) {
    float *y = c + i * ldc;
    rt_act_apply_f32(e->act, e->a, e->b, y, y, e->res ? e->res + (y - e->y) : NULL, n);
  }
}
