/* Optimizer steps of ai.onnx.preview.training (kernels/training.h).
 *
 * Every kernel walks the n tensors of the node; tensor k of input group g
 * is in[2 + g * n + k], of output group g out[g * n + k]. Each element is
 * read once and its new values are computed before any is written, so an
 * output may share memory with its own input. The order of the operations
 * follows the ONNX reference (onnx.reference's aionnx_preview_training),
 * whose float rounding the conformance data carries. */
#include <math.h>

#include "onnxcc/kernels/training.h"

#define SQRT_f32 sqrtf
#define SQRT_f64 sqrt

/* Input group g / output group g of tensor k, as element pointers. */
#define IN_(T, g, k) ((const T *)in[2 + (g) * p->n + (k)])
#define OUT_(T, g, k) ((T *)out[(g) * p->n + (k)])
/* Writes v at y[i] when the output is there. */
#define PUT_(y, i, v) \
  do {                \
    if (y) (y)[i] = (v); \
  } while (0)

/* T, the number of steps taken so far. */
static int64_t steps(const void *const *in) { return *(const int64_t *)in[1]; }

#define TRAINING_KERNELS(t, T)                                                                 \
  RT_KERNEL(rt_adagrad_##t) {                                                                  \
    const rt_training_params *p = (const rt_training_params *)params;                          \
    /* the rate decays with the steps taken */                                                 \
    const T rate = (T)((double)*(const T *)in[0] / (1 + (double)steps(in) * (double)p->decay_factor)); \
    int k;                                                                                     \
    int64_t i;                                                                                 \
    (void)scratch;                                                                             \
    for (k = 0; k < p->n; k++) {                                                               \
      const T *x = IN_(T, 0, k), *g = IN_(T, 1, k), *h = IN_(T, 2, k);                         \
      T *x_new = OUT_(T, 0, k), *h_new = OUT_(T, 1, k);                                        \
      for (i = 0; i < p->counts[k]; i++) {                                                     \
        const T gr = (T)p->norm_coefficient * x[i] + g[i];                                     \
        const T hn = h[i] + gr * gr;                                                           \
        const T xn = x[i] - rate * gr / (SQRT_##t(hn) + (T)p->epsilon);                        \
        PUT_(h_new, i, hn);                                                                    \
        PUT_(x_new, i, xn);                                                                    \
      }                                                                                        \
    }                                                                                          \
  }                                                                                            \
  RT_KERNEL(rt_adam_##t) {                                                                     \
    const rt_training_params *p = (const rt_training_params *)params;                          \
    const int64_t step = steps(in);                                                            \
    double r = (double)*(const T *)in[0];                                                      \
    const T a = (T)p->alpha, a1 = (T)(1.0 - (double)p->alpha), b = (T)p->beta, b1 = (T)(1.0 - (double)p->beta); \
    const T keep = (T)(1.0 - (double)p->norm_coefficient_post);                                        \
    T rate;                                                                                    \
    int k;                                                                                     \
    int64_t i;                                                                                 \
    (void)scratch;                                                                             \
    /* bias correction of both moments, from the second step on */                            \
    if (step > 0)                                                                              \
      r = r * sqrt(1 - pow((double)p->beta, (double)step)) / (1 - pow((double)p->alpha, (double)step));        \
    rate = (T)r;                                                                               \
    for (k = 0; k < p->n; k++) {                                                               \
      const T *x = IN_(T, 0, k), *g = IN_(T, 1, k), *v = IN_(T, 2, k), *h = IN_(T, 3, k);      \
      T *x_new = OUT_(T, 0, k), *v_new = OUT_(T, 1, k), *h_new = OUT_(T, 2, k);                \
      for (i = 0; i < p->counts[k]; i++) {                                                     \
        const T gr = (T)p->norm_coefficient * x[i] + g[i];                                     \
        const T vn = a * v[i] + a1 * gr;                                                       \
        const T hn = b * h[i] + b1 * (gr * gr);                                                \
        const T xn = x[i] - rate * (vn / (SQRT_##t(hn) + (T)p->epsilon));                      \
        PUT_(v_new, i, vn);                                                                    \
        PUT_(h_new, i, hn);                                                                    \
        PUT_(x_new, i, keep * xn);                                                             \
      }                                                                                        \
    }                                                                                          \
  }                                                                                            \
  MOMENTUM_KERNEL(momentum, t, T, vn)                                                          \
  MOMENTUM_KERNEL(nesterov, t, T, gr + a * vn)

/* Momentum's two modes differ only in the direction X moves along:
 * DIRECTION, an expression in gr (G_reg), a (alpha) and vn (V_new). The
 * first step takes the whole gradient (beta counts from the second). */
#define MOMENTUM_KERNEL(op, t, T, DIRECTION)                                         \
  RT_KERNEL(rt_##op##_##t) {                                                         \
    const rt_training_params *p = (const rt_training_params *)params;                \
    const T r = *(const T *)in[0], a = (T)p->alpha;                                  \
    const T b = steps(in) > 0 ? (T)p->beta : (T)1;                                   \
    int k;                                                                           \
    int64_t i;                                                                       \
    (void)scratch;                                                                   \
    for (k = 0; k < p->n; k++) {                                                     \
      const T *x = IN_(T, 0, k), *g = IN_(T, 1, k), *v = IN_(T, 2, k);               \
      T *x_new = OUT_(T, 0, k), *v_new = OUT_(T, 1, k);                              \
      for (i = 0; i < p->counts[k]; i++) {                                           \
        const T gr = (T)p->norm_coefficient * x[i] + g[i];                           \
        const T vn = a * v[i] + b * gr;                                              \
        const T xn = x[i] - r * (DIRECTION);                                         \
        PUT_(v_new, i, vn);                                                          \
        PUT_(x_new, i, xn);                                                          \
      }                                                                              \
    }                                                                                \
  }

TRAINING_KERNELS(f32, float)
TRAINING_KERNELS(f64, double)
