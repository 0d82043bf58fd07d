/* Recurrent kernels: RNN, GRU, LSTM.
 *
 * One driver walks directions, steps and batch rows; for each row it hands
 * the row's input x, its state h (and c) and the scratch gate buffer to the
 * op's cell, which computes the gates from x and the previous state with
 * plain dot products and then overwrites the state. Rows are independent,
 * so each row's state is updated in place once its gates are known.
 *
 * Every variant (op, element type) is its own function: the driver and
 * the cells are macros instantiated per element type, each op's cell fixed
 * at compile time. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/rnn.h"

/* Per element type: dot product, clamp, sigmoid, tanh. */
#define DEFINE_HELPERS(T, S, EXP, TANH)                                         \
  static T dot_##S(const T *a, const T *b, int64_t n) {                         \
    T acc = 0;                                                                  \
    int64_t i;                                                                  \
    for (i = 0; i < n; i++) acc += a[i] * b[i];                                 \
    return acc;                                                                 \
  }                                                                             \
  static T clamp_##S(const rt_rnn_params *p, T v) {                             \
    if (!p->has_clip) return v;                                                 \
    if (v > (T)p->clip) return (T)p->clip;                                      \
    if (v < -(T)p->clip) return -(T)p->clip;                                    \
    return v;                                                                   \
  }                                                                             \
  static T sigm_##S(T v) { return (T)1 / ((T)1 + EXP(-v)); }                   \
  static T tanh_##S(T v) { return TANH(v); }                                    \
  /* Pre-activations of gate rows [j0, j1): x.W[j] + h.R[j] + Wb[j] + Rb[j]. */ \
  static void gates_##S(const T *x, const T *W, int64_t I, const T *h, const T *R, \
                        int64_t H, const T *Wb, const T *Rb, T *g, int64_t j0, int64_t j1) { \
    int64_t j;                                                                  \
    for (j = j0; j < j1; j++) {                                                 \
      T v = dot_##S(x, W + j * I, I) + dot_##S(h, R + j * H, H);               \
      if (Wb) v += Wb[j] + Rb[j];                                               \
      g[j] = v;                                                                 \
    }                                                                           \
  }

DEFINE_HELPERS(float, f32, expf, tanhf)
DEFINE_HELPERS(double, f64, exp, tanh)

/* The cells. Each sees: p, S (type suffix), T, x (input row), W, R (this
 * direction's weights), Wb, Rb (its biases or NULL), Pp (LSTM peepholes or
 * NULL), h, c (the row's state), g (G*H scratch), tmp (H scratch), I, H. */
#define CELL_RNN(T, S)                                                          \
  do {                                                                          \
    gates_##S(x, W, I, h, R, H, Wb, Rb, g, 0, H);                               \
    for (j = 0; j < H; j++) h[j] = tanh_##S(clamp_##S(p, g[j]));               \
  } while (0)

#define CELL_GRU(T, S)                                                          \
  do {                                                                          \
    gates_##S(x, W, I, h, R, H, Wb, Rb, g, 0, 2 * H);                           \
    for (j = 0; j < 2 * H; j++) g[j] = sigm_##S(clamp_##S(p, g[j]));           \
    if (p->linear_before_reset) {                                               \
      for (j = 0; j < H; j++) {                                                 \
        const int64_t r_ = 2 * H + j;                                           \
        T hr = dot_##S(h, R + r_ * H, H) + (Rb ? Rb[r_] : 0);                   \
        T v = dot_##S(x, W + r_ * I, I) + (Wb ? Wb[r_] : 0) + g[H + j] * hr;     \
        g[r_] = v;                                                              \
      }                                                                         \
    } else {                                                                    \
      for (j = 0; j < H; j++) tmp[j] = g[H + j] * h[j];                         \
      gates_##S(x, W, I, tmp, R, H, Wb, Rb, g, 2 * H, 3 * H);                   \
    }                                                                           \
    for (j = 0; j < H; j++) {                                                   \
      const T z = g[j], hh = tanh_##S(clamp_##S(p, g[2 * H + j]));              \
      h[j] = ((T)1 - z) * hh + z * h[j];                                        \
    }                                                                           \
  } while (0)

#define CELL_LSTM(T, S)                                                         \
  do {                                                                          \
    gates_##S(x, W, I, h, R, H, Wb, Rb, g, 0, 4 * H);                           \
    for (j = 0; j < H; j++) {                                                   \
      T gi = g[j], go = g[H + j], gf = g[2 * H + j], gc = g[3 * H + j], cn;     \
      if (Pp) gi += Pp[j] * c[j], gf += Pp[2 * H + j] * c[j];                   \
      gi = sigm_##S(clamp_##S(p, gi));                                          \
      gf = p->input_forget ? (T)1 - gi : sigm_##S(clamp_##S(p, gf));            \
      gc = tanh_##S(clamp_##S(p, gc));                                          \
      cn = gf * c[j] + gi * gc;                                                 \
      if (Pp) go += Pp[H + j] * cn;                                             \
      go = sigm_##S(clamp_##S(p, go));                                          \
      c[j] = cn;                                                                \
      h[j] = go * tanh_##S(cn);                                                 \
    }                                                                           \
  } while (0)

/* The driver: G gates per hidden unit, CELL the op's step. */
#define DEFINE_RECUR(NAME, T, S, G, CELL)                                       \
  RT_KERNEL(NAME) {                                                             \
    const rt_rnn_params *p = (const rt_rnn_params *)params;                     \
    const T *X = (const T *)in[0], *W0 = (const T *)in[1], *R0 = (const T *)in[2]; \
    const T *B = (const T *)in[3], *H0 = (const T *)in[5];                       \
    const T *C0 = G == 4 ? (const T *)in[6] : NULL;                             \
    const T *P0 = G == 4 ? (const T *)in[7] : NULL;                             \
    const int32_t *lens = (const int32_t *)in[4];                               \
    T *Y = (T *)out[0], *YH = (T *)out[1], *YC = G == 4 ? (T *)out[2] : NULL;    \
    const int64_t Sq = p->seq, N = p->batch, I = p->input, H = p->hidden;      \
    const int64_t D = p->num_dirs, lay = p->layout;                             \
    /* element strides of X (step, row), Y (step, dir, row), states (dir, row) */ \
    const int64_t xt = lay ? I : N * I, xb = lay ? Sq * I : I;                  \
    const int64_t yt = lay ? D * H : D * N * H, yd = lay ? H : N * H;           \
    const int64_t yb = lay ? Sq * D * H : H;                                    \
    const int64_t sd = lay ? H : N * H, sb = lay ? D * H : H;                   \
    T *hs = (T *)scratch, *cs = hs + N * H, *g = cs + N * H, *tmp = g + G * H;  \
    int64_t d, b, step, j;                                                      \
    (void)tmp;                                                                  \
    for (d = 0; d < D; d++) {                                                   \
      const int rev = p->reverse || d == 1;                                     \
      const T *W = W0 + d * G * H * I, *R = R0 + d * G * H * H;                 \
      const T *Wb = B ? B + d * 2 * G * H : NULL, *Rb = B ? Wb + G * H : NULL;  \
      const T *Pp = P0 ? P0 + d * 3 * H : NULL;                                 \
      (void)Pp;                                                                 \
      for (b = 0; b < N; b++)                                                   \
        for (j = 0; j < H; j++) {                                               \
          hs[b * H + j] = H0 ? H0[d * sd + b * sb + j] : 0;                     \
          cs[b * H + j] = C0 ? C0[d * sd + b * sb + j] : 0;                     \
        }                                                                       \
      for (b = 0; b < N; b++) {                                                 \
        int64_t len = lens ? lens[b] : Sq;                                      \
        T *h = hs + b * H, *c = cs + b * H;                                     \
        (void)c;                                                                \
        if (len < 0) len = 0;                                                   \
        if (len > Sq) len = Sq;                                                 \
        for (step = 0; step < len; step++) {                                    \
          const int64_t t = rev ? len - 1 - step : step;                        \
          const T *x = X + t * xt + b * xb;                                     \
          CELL(T, S);                                                           \
          if (Y) memcpy(Y + t * yt + d * yd + b * yb, h, sizeof(T) * (size_t)H); \
        }                                                                       \
        if (Y)                                                                  \
          for (step = len; step < Sq; step++)                                   \
            memset(Y + step * yt + d * yd + b * yb, 0, sizeof(T) * (size_t)H);   \
        /* A row of length 0 has no last state: zeros, as onnxruntime. */     \
        if (len == 0) {                                                         \
          memset(h, 0, sizeof(T) * (size_t)H);                                  \
          memset(c, 0, sizeof(T) * (size_t)H);                                  \
        }                                                                       \
        if (YH) memcpy(YH + d * sd + b * sb, h, sizeof(T) * (size_t)H);         \
        if (YC) memcpy(YC + d * sd + b * sb, c, sizeof(T) * (size_t)H);         \
      }                                                                         \
    }                                                                           \
  }

DEFINE_RECUR(rt_rnn_f32, float, f32, 1, CELL_RNN)
DEFINE_RECUR(rt_rnn_f64, double, f64, 1, CELL_RNN)
DEFINE_RECUR(rt_gru_f32, float, f32, 3, CELL_GRU)
DEFINE_RECUR(rt_gru_f64, double, f64, 3, CELL_GRU)
DEFINE_RECUR(rt_lstm_f32, float, f32, 4, CELL_LSTM)
DEFINE_RECUR(rt_lstm_f64, double, f64, 4, CELL_LSTM)
