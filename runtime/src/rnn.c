/* Recurrent kernels: RNN, GRU, LSTM.
 *
 * One driver walks directions, steps and batch rows; for each row it hands
 * the row's input x, its state h (and c) and the scratch gate buffers to
 * the op's cell, which computes the gates from x and the previous state
 * and then overwrites the state. Rows are independent, so each row's state
 * is updated in place once its gates are known.
 *
 * The gates are matrix-vector products. With W and R as ONNX lays them
 * out (a row per gate unit) each is a dot product, a reduction the C
 * compiler may not reorder, so it runs one element at a time. When the
 * compiler stored W and R transposed (params.transposed: a row per input
 * unit), each input unit adds its column to every gate at once: the same
 * sums in the same order, but the inner loop runs over independent gates
 * and vectorizes.
 *
 * Every variant (op, element type) is its own function: the driver and
 * the cells are macros instantiated per element type, each op's cell fixed
 * at compile time. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/rnn.h"
#include "rnn_internal.h"
#include "sgemm_internal.h" /* RT_SGEMM_WIDE, for the float LSTM cell */
#include "vmath_internal.h"

/* a * b + c in the transposed path: one fused operation where the target
 * has one (its rounding differs from a separate multiply and add by less
 * than an ulp: ONNX Runtime fuses too), else the plain expression. */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
#define MADD_f32(a, b, c) fmaf((a), (b), (c))
#define MADD_f64(a, b, c) fma((a), (b), (c))
#else
#define MADD_f32(a, b, c) ((a) * (b) + (c))
#define MADD_f64(a, b, c) ((a) * (b) + (c))
#endif

/* Per element type: dot product, clamp, sigmoid, tanh. */
#define DEFINE_HELPERS(T, S, EXP, TANH)                                         \
  static T dot_##S(const T *a, const T *b, int64_t n) {                         \
    T acc = 0;                                                                  \
    int64_t i;                                                                  \
    for (i = 0; i < n; i++) acc += a[i] * b[i];                                 \
    return acc;                                                                 \
  }                                                                             \
  static T clip_to_##S(T v, T clip) {                                           \
    if (v > clip) return clip;                                                  \
    if (v < -clip) return -clip;                                                \
    return v;                                                                   \
  }                                                                             \
  static T clamp_##S(const rt_rnn_params *p, T v) {                             \
    return p->has_clip ? clip_to_##S(v, (T)p->clip) : v;                        \
  }                                                                             \
  static T sigm_##S(T v) { return (T)1 / ((T)1 + EXP(-v)); }                   \
  static T tanh_##S(T v) { return TANH(v); }                                    \
  /* out[j] = v . row j of M for j in [j0, j1): M is [GH, n], or with     \
   * transposed [n, GH]; either way each sum runs over k in order. */         \
  static void proj_##S(const rt_rnn_params *p, const T *v, int64_t n, const T *M, int64_t GH, \
                       T *out, int64_t j0, int64_t j1) {                        \
    int64_t j, k;                                                               \
    if (!p->transposed) {                                                       \
      for (j = j0; j < j1; j++) out[j] = dot_##S(v, M + j * n, n);              \
      return;                                                                   \
    }                                                                           \
    for (j = j0; j < j1; j++) out[j] = 0;                                       \
    /* eight columns per pass: each out[j] stays in a register across them, \
     * its additions still in order of k */                                  \
    for (k = 0; k + 8 <= n; k += 8) {                                           \
      const T *c0 = M + k * GH;                                                 \
      for (j = j0; j < j1; j++) {                                               \
        T o = out[j];                                                           \
        o = MADD_##S(v[k], c0[j], o);                                               \
        o = MADD_##S(v[k + 1], c0[GH + j], o);                                      \
        o = MADD_##S(v[k + 2], c0[2 * GH + j], o);                                  \
        o = MADD_##S(v[k + 3], c0[3 * GH + j], o);                                  \
        o = MADD_##S(v[k + 4], c0[4 * GH + j], o);                                  \
        o = MADD_##S(v[k + 5], c0[5 * GH + j], o);                                  \
        o = MADD_##S(v[k + 6], c0[6 * GH + j], o);                                  \
        o = MADD_##S(v[k + 7], c0[7 * GH + j], o);                                  \
        out[j] = o;                                                             \
      }                                                                         \
    }                                                                           \
    for (; k < n; k++) {                                                        \
      const T vk = v[k], *col = M + k * GH;                                     \
      for (j = j0; j < j1; j++) out[j] = MADD_##S(vk, col[j], out[j]);              \
    }                                                                           \
  }                                                                             \
  /* Pre-activations of gate rows [j0, j1): x.W[j] + h.R[j] + Wb[j] + Rb[j]; \
   * gh is scratch of GH elements. */                                         \
  static void gates_##S(const rt_rnn_params *p, const T *x, const T *W, int64_t I, const T *h, \
                        const T *R, int64_t H, int64_t GH, const T *Wb, const T *Rb, T *g, T *gh, \
                        int64_t j0, int64_t j1) {                               \
    int64_t j;                                                                  \
    proj_##S(p, x, I, W, GH, g, j0, j1);                                        \
    proj_##S(p, h, H, R, GH, gh, j0, j1);                                       \
    for (j = j0; j < j1; j++) {                                                 \
      T v = g[j] + gh[j];                                                       \
      if (Wb) v += Wb[j] + Rb[j];                                               \
      g[j] = v;                                                                 \
    }                                                                           \
  }

/* float gates use the branch-free exp and tanh, so that the loops over a
 * layer's gates vectorize */
DEFINE_HELPERS(float, f32, rt_vexpf, rt_vtanhf)
DEFINE_HELPERS(double, f64, exp, tanh)

/* The cells. Each sees: p, S (type suffix), T, x (input row), W, R (this
 * direction's weights), Wb, Rb (its biases or NULL), Pp (LSTM peepholes or
 * NULL), h, c (the row's state), g, gh, g2 (G*H scratch each), tmp (H
 * scratch), I, H, GH = G*H. */
#define CELL_RNN(T, S)                                                          \
  do {                                                                          \
    gates_##S(p, x, W, I, h, R, H, GH, Wb, Rb, g, gh, 0, H);                    \
    for (j = 0; j < H; j++) h[j] = tanh_##S(clamp_##S(p, g[j]));               \
  } while (0)

#define CELL_GRU(T, S)                                                          \
  do {                                                                          \
    gates_##S(p, x, W, I, h, R, H, GH, Wb, Rb, g, gh, 0, 2 * H);                \
    for (j = 0; j < 2 * H; j++) g[j] = sigm_##S(clamp_##S(p, g[j]));           \
    if (p->linear_before_reset) {                                               \
      proj_##S(p, h, H, R, GH, gh, 2 * H, 3 * H);                               \
      proj_##S(p, x, I, W, GH, g2, 2 * H, 3 * H);                               \
      for (j = 0; j < H; j++) {                                                 \
        const int64_t r_ = 2 * H + j;                                           \
        T hr = gh[r_] + (Rb ? Rb[r_] : 0);                                      \
        T v = g2[r_] + (Wb ? Wb[r_] : 0) + g[H + j] * hr;                       \
        g[r_] = v;                                                              \
      }                                                                         \
    } else {                                                                    \
      for (j = 0; j < H; j++) tmp[j] = g[H + j] * h[j];                         \
      gates_##S(p, x, W, I, tmp, R, H, GH, Wb, Rb, g, gh, 2 * H, 3 * H);        \
    }                                                                           \
    for (j = 0; j < H; j++) {                                                   \
      const T z = g[j], hh = tanh_##S(clamp_##S(p, g[2 * H + j]));              \
      h[j] = ((T)1 - z) * hh + z * h[j];                                        \
    }                                                                           \
  } while (0)

/* LSTM in passes over whole gate rows, each a simple loop that the C
 * compiler vectorizes: the input and forget peepholes, clipping of i, f
 * and c, their activations, the new cell state, then the output gate (its
 * peephole sees the new cell state, clipping comes after it) and h. g
 * holds the pre-activations i, o, f, c. One function per element type,
 * shared with DynamicQuantizeLSTM (dqlstm.c) through rnn_internal.h.
 * Float's runs at 512 bits on AVX-512 with gcc (RT_SGEMM_WIDE,
 * sgemm_internal.h): its sigmoid and tanh polynomials are bound by
 * arithmetic, 0.64 us a step at hidden 128 in 256 bits, 0.47 in 512. (One
 * loop doing all the passes per unit was slower: 0.55 us, its five
 * polynomials' temporaries spill.) */
#define DEFINE_LSTM_CELL(T, S, ATTR)                                                               \
  ATTR void rt_lstm_cell_span_##S(int has_clip, T clip, int input_forget, T *g, int64_t gs, const T *Pp, \
                                  int64_t ps, T *h, T *c, int64_t n) {                             \
    T *gi = g, *go = g + gs, *gf = g + 2 * gs, *gc = g + 3 * gs;                                   \
    int64_t j;                                                                                     \
    if (Pp)                                                                                        \
      for (j = 0; j < n; j++) {                                                                    \
        gi[j] += Pp[j] * c[j];                                                                     \
        gf[j] += Pp[2 * ps + j] * c[j];                                                            \
      }                                                                                            \
    if (has_clip)                                                                                  \
      for (j = 0; j < n; j++) {                                                                    \
        gi[j] = clip_to_##S(gi[j], clip);                                                          \
        gf[j] = clip_to_##S(gf[j], clip);                                                          \
        gc[j] = clip_to_##S(gc[j], clip);                                                          \
      }                                                                                            \
    for (j = 0; j < n; j++) gi[j] = sigm_##S(gi[j]);                                               \
    if (input_forget)                                                                              \
      for (j = 0; j < n; j++) gf[j] = (T)1 - gi[j];                                                \
    else                                                                                           \
      for (j = 0; j < n; j++) gf[j] = sigm_##S(gf[j]);                                             \
    for (j = 0; j < n; j++) c[j] = gf[j] * c[j] + gi[j] * tanh_##S(gc[j]);                         \
    /* the output gate's peephole sees the new c; it is clipped after */                        \
    if (Pp)                                                                                        \
      for (j = 0; j < n; j++) go[j] += Pp[ps + j] * c[j];                                          \
    if (has_clip)                                                                                  \
      for (j = 0; j < n; j++) go[j] = clip_to_##S(go[j], clip);                                    \
    for (j = 0; j < n; j++) h[j] = sigm_##S(go[j]) * tanh_##S(c[j]);                              \
  }                                                                                                \
  ATTR void rt_lstm_cell_##S(int has_clip, T clip, int input_forget, T *g, const T *Pp, T *h, T *c, int64_t H) { \
    rt_lstm_cell_span_##S(has_clip, clip, input_forget, g, H, Pp, H, h, c, H);                    \
  }

DEFINE_LSTM_CELL(float, f32, RT_SGEMM_WIDE)
DEFINE_LSTM_CELL(double, f64, )

#define CELL_LSTM(T, S)                                                         \
  do {                                                                          \
    gates_##S(p, x, W, I, h, R, H, GH, Wb, Rb, g, gh, 0, 4 * H);                \
    rt_lstm_cell_##S(p->has_clip, (T)p->clip, p->input_forget, g, Pp, h, c, H); \
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
    const int64_t GH = G * H;                                                   \
    T *hs = (T *)scratch, *cs = hs + N * H, *g = cs + N * H, *gh = g + GH;      \
    T *g2 = gh + GH, *tmp = g2 + GH;                                            \
    int64_t d, b, step, j;                                                      \
    (void)tmp;                                                                  \
    (void)g2;                                                                   \
    for (d = 0; d < D; d++) {                                                   \
      const int rev = p->reverse || d == 1;                                     \
      const T *W = W0 + d * GH * I, *R = R0 + d * GH * H;                       \
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
