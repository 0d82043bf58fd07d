/* RotaryEmbedding (rope.h). Each vector is rotated on its own, reading a
 * pair before writing it, so the output may overwrite the input. */
#include <string.h>

#include "onnxcc/kernels/rope.h"

/* One vector x -> y: `half` pairs rotated by the cache rows c and s, the
 * elements after the rotated ones copied. `second` is the distance from
 * a pair's first element to its second, `step` from one pair to the next
 * (half and 1, or 1 and 2 when interleaved). */
#define DEFINE_ROPE(NAME, T)                                                                  \
  static void NAME##_vector(const rt_rope_params *p, const T *x, T *y, const T *c, const T *s) { \
    const int64_t half = p->rotary / 2, second = p->interleaved ? 1 : half;                   \
    const int64_t step = p->interleaved ? 2 : 1;                                              \
    int64_t i;                                                                                \
    for (i = 0; i < half; i++) {                                                              \
      const T a = x[i * step], b = x[i * step + second];                                      \
      y[i * step] = a * c[i] - b * s[i];                                                      \
      y[i * step + second] = a * s[i] + b * c[i];                                             \
    }                                                                                         \
    for (i = p->rotary; i < p->head; i++) y[i] = x[i];                                        \
  }                                                                                           \
  RT_KERNEL(NAME) {                                                                           \
    const rt_rope_params *p = (const rt_rope_params *)params;                                 \
    const T *x = (const T *)in[0], *cc = (const T *)in[1], *sc = (const T *)in[2];            \
    const int64_t *pos = p->has_pos ? (const int64_t *)in[3] : NULL;                          \
    const int64_t half = p->rotary / 2;                                                       \
    T *y = (T *)out[0];                                                                       \
    int64_t b, t, h;                                                                          \
    (void)scratch;                                                                            \
    for (b = 0; b < p->batch; b++)                                                            \
      for (t = 0; t < p->seq; t++) {                                                          \
        int64_t row = b * p->seq + t, ok = 1;                                                 \
        if (pos) {                                                                            \
          row = pos[b * p->seq + t];                                                          \
          ok = row >= 0 && row < p->max_pos;                                                  \
          if (!ok && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_VALUE;         \
        }                                                                                     \
        for (h = 0; h < p->heads; h++) {                                                      \
          const int64_t v = p->seq_major ? (b * p->seq + t) * p->heads + h                    \
                                         : (b * p->heads + h) * p->seq + t;                   \
          const T *xv = x + v * p->head;                                                      \
          T *yv = y + v * p->head;                                                            \
          if (ok) NAME##_vector(p, xv, yv, cc + row * half, sc + row * half);                 \
          else if (yv != xv) memmove(yv, xv, sizeof(T) * (size_t)p->head);                    \
        }                                                                                     \
      }                                                                                       \
  }

DEFINE_ROPE(rt_rope_f32, float)
