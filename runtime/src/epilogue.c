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

const rt_epi *rt_epi_init(rt_epi *e, int32_t act, float a, float b, const void *res, const float *y) {
  if (act == RT_ACT_NONE && !res) return NULL;
  e->act = act;
  e->a = a;
  e->b = b;
  e->res = (const float *)res;
  e->y = y;
  return e;
}

/* One pass per activation over row y[0..n), the residual row r (if any)
 * added on the way: EXPR in x. */
#define ACT_LOOP(EXPR)                                   \
  if (r) {                                               \
    for (j = 0; j < n; j++) {                            \
      const float x = y[j] + r[j];                       \
      y[j] = (EXPR);                                     \
    }                                                    \
  } else {                                               \
    for (j = 0; j < n; j++) {                            \
      const float x = y[j];                              \
      y[j] = (EXPR);                                     \
    }                                                    \
  }                                                      \
  break;

static void act_row(const rt_epi *e, float *restrict y, const float *restrict r, int64_t n) {
  const float a = e->a, b = e->b;
  int64_t j;
  switch (e->act) {
  case RT_ACT_NONE: ACT_LOOP(x)
  case RT_ACT_RELU: ACT_LOOP(rt_act_relu_f32(x))
  /* unary.c's Clip loop, whose bounds may be inputs */
  case RT_ACT_CLIP: ACT_LOOP((x < a ? a : x) > b ? b : (x < a ? a : x))
  case RT_ACT_LEAKY_RELU: ACT_LOOP(rt_act_leaky_relu_f32(x, a))
  case RT_ACT_HARD_SIGMOID: ACT_LOOP(rt_act_hard_sigmoid_f32(x, a, b))
  case RT_ACT_HARD_SWISH: ACT_LOOP(rt_act_hard_swish_f32(x))
  case RT_ACT_MUL_HARD_SIGMOID: ACT_LOOP(rt_act_mul_hard_sigmoid_f32(x, a, b))
  case RT_ACT_SIGMOID: ACT_LOOP(rt_act_sigmoid_f32(x))
  case RT_ACT_SILU: ACT_LOOP(rt_act_silu_f32(x))
  case RT_ACT_TANH: ACT_LOOP(rt_act_tanh_f32(x))
  case RT_ACT_GELU: ACT_LOOP(rt_act_gelu_f32(x))
  case RT_ACT_GELU_TANH: ACT_LOOP(rt_act_gelu_tanh_f32(x))
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
    act_row(e, y, e->res ? e->res + (y - e->y) : NULL, n);
  }
}
