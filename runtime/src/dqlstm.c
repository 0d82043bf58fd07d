/* DynamicQuantizeLSTM kernels (kernels/dqlstm.h).
 *
 * Unlike the float LSTM's driver (rnn.c), which runs each batch row
 * through all its steps, this one runs step by step over the whole
 * batch: ONNX Runtime quantizes the hidden states of all rows together
 * before each step, so every row's state must be known at that step.
 * The gate pre-activations come from int32 sums of 8-bit products; the
 * cell after them is the float LSTM's (rt_lstm_cell_f32). */
#include <string.h>

#include "onnxcc/kernels/dqlstm.h"
#include "quant_internal.h"
#include "rnn_internal.h"

/* acc[j] = sum_k (a[k] - az) * (M[k * N + j] - mz) for j < N, wrapping in
 * 32 bits as ONNX Runtime's sums (through uint32: no signed overflow);
 * the loop over j is contiguous and vectorizes. One per weight type. */
#define DEFINE_QDOT(S, WT)                                                                         \
  static void qdot_##S(const uint8_t *a, int32_t az, const WT *M, int32_t mz, int64_t K, int64_t N, \
                       uint32_t *acc) {                                                            \
    int64_t k, j;                                                                                  \
    for (j = 0; j < N; j++) acc[j] = 0;                                                            \
    for (k = 0; k < K; k++) {                                                                      \
      const int32_t ak = (int32_t)a[k] - az;                                                       \
      const WT *row = M + k * N;                                                                   \
      for (j = 0; j < N; j++) acc[j] += (uint32_t)(ak * ((int32_t)row[j] - mz));                   \
    }                                                                                              \
  }
DEFINE_QDOT(u8, uint8_t)
DEFINE_QDOT(i8, int8_t)

/* One quantized operand: codes q of scale s and zero point z. */
static void quantize(const float *x, int64_t n, float s, int32_t z, uint8_t *q) {
  int64_t i;
  for (i = 0; i < n; i++) q[i] = (uint8_t)quant_round(x[i] / s, z, 0.0f, 255.0f);
}

/* g[j] (+)= (float)acc[j] * (s * ws[j or 0]): ONNX Runtime's dequantization,
 * its multiplier the product of the two scales. */
static void dequant(const uint32_t *acc, float s, const float *ws, int per_channel, int64_t N, int add,
                    float *g) {
  int64_t j;
  for (j = 0; j < N; j++) {
    const float v = (float)(int32_t)acc[j] * (s * ws[per_channel ? j : 0]);
    g[j] = add ? g[j] + v : v;
  }
}

/* Row b's length, clamped to [0, seq]. */
static int64_t row_len(const rt_dqlstm_params *p, const int32_t *lens, int64_t b) {
  int64_t len = lens ? lens[b] : p->seq;
  if (len < 0) len = 0;
  if (len > p->seq) len = p->seq;
  return len;
}

/* X's scale and zero point for one direction: over the first max_len
 * steps of every row forward, over each row's own steps backward (ONNX
 * Runtime quantizes its reversed copy of X, which holds just those). */
static void x_range(const rt_dqlstm_params *p, const float *X, const int32_t *lens, int64_t max_len, int rev,
                    float *s, int32_t *z) {
  const int64_t N = p->batch, I = p->input;
  float lo = 0.0f, hi = 0.0f;
  int64_t b, t;
  if (!rev)
    dynquant_widen(X, max_len * N * I, &lo, &hi);
  else
    for (b = 0; b < N; b++)
      for (t = 0; t < row_len(p, lens, b); t++) dynquant_widen(X + (t * N + b) * I, I, &lo, &hi);
  dynquant_params(lo, hi, s, z);
}

/* The hidden states' scale and zero point before step `step`, from the
 * rows ONNX Runtime reads there (kernels/dqlstm.h); the running rows'
 * states are quantized into qh. */
static void h_quantize(const rt_dqlstm_params *p, const float *hs, const int32_t *lens, int64_t step, int has_y,
                       uint8_t *qh, float *s, int32_t *z) {
  const int64_t N = p->batch, H = p->hidden;
  float lo = 0.0f, hi = 0.0f;
  int64_t b;
  for (b = 0; b < N; b++)
    if (step == 0 || !has_y || row_len(p, lens, b) >= step) dynquant_widen(hs + b * H, H, &lo, &hi);
  dynquant_params(lo, hi, s, z);
  for (b = 0; b < N; b++)
    if (step < row_len(p, lens, b)) quantize(hs + b * H, H, *s, *z, qh + b * H);
}

/* The scratch, carved as RT_DQLSTM_SCRATCH lays it out. */
typedef struct dq_scratch {
  float *hs, *cs, *g;
  uint32_t *acc;
  uint8_t *qh, *qx;
} dq_scratch;

static dq_scratch carve(const rt_dqlstm_params *p, void *scratch) {
  const int64_t NH = p->batch * p->hidden, G = 4 * p->hidden;
  dq_scratch sc;
  sc.hs = (float *)scratch;
  sc.cs = sc.hs + NH;
  sc.g = sc.cs + NH;
  sc.acc = (uint32_t *)(sc.g + G);
  sc.qh = (uint8_t *)(sc.acc + G);
  sc.qx = sc.qh + NH;
  return sc;
}

/* Initial states of direction d, and after the run the final ones (a row
 * of length 0 has zeros, as ONNX Runtime) and Y's zero steps. */
static void states_in(const rt_dqlstm_params *p, const float *H0, const float *C0, int64_t d, dq_scratch *sc) {
  const size_t bytes = sizeof(float) * (size_t)(p->batch * p->hidden);
  const int64_t off = d * p->batch * p->hidden;
  if (H0) memcpy(sc->hs, H0 + off, bytes);
  else memset(sc->hs, 0, bytes);
  if (C0) memcpy(sc->cs, C0 + off, bytes);
  else memset(sc->cs, 0, bytes);
}

static void states_out(const rt_dqlstm_params *p, const int32_t *lens, int64_t d, dq_scratch *sc, void *const *out) {
  const int64_t N = p->batch, H = p->hidden, D = p->num_dirs;
  float *Y = (float *)out[0], *YH = (float *)out[1], *YC = (float *)out[2];
  const size_t row = sizeof(float) * (size_t)H;
  int64_t b, t;
  for (b = 0; b < N; b++) {
    const int64_t len = row_len(p, lens, b);
    if (len == 0) {
      memset(sc->hs + b * H, 0, row);
      memset(sc->cs + b * H, 0, row);
    }
    if (Y)
      for (t = len; t < p->seq; t++) memset(Y + ((t * D + d) * N + b) * H, 0, row);
    if (YH) memcpy(YH + (d * N + b) * H, sc->hs + b * H, row);
    if (YC) memcpy(YC + (d * N + b) * H, sc->cs + b * H, row);
  }
}

/* Every kernel: the directions, their steps, the rows running at each. */
#define DEFINE_DQLSTM(S, T)                                                               \
  RT_KERNEL(rt_dqlstm_f32_##S) {                                                              \
    const rt_dqlstm_params *p = (const rt_dqlstm_params *)params;                                  \
    const float *X = (const float *)in[0], *B = (const float *)in[3];                              \
    const int32_t *lens = (const int32_t *)in[4];                                                  \
    const int64_t N = p->batch, I = p->input, H = p->hidden, G = 4 * H, D = p->num_dirs;            \
    const int64_t nw = p->w_per_channel ? G : 1, nr = p->r_per_channel ? G : 1;                    \
    float *Y = (float *)out[0];                                                                    \
    dq_scratch sc = carve(p, scratch);                                                             \
    int64_t d, b, j, step, max_len = 0;                                                            \
    for (b = 0; b < N; b++)                                                                        \
      if (row_len(p, lens, b) > max_len) max_len = row_len(p, lens, b);                            \
    for (d = 0; d < D; d++) {                                                                      \
      const int rev = p->reverse || d == 1;                                                        \
      const T *W = (const T *)in[1] + d * I * G;                                                 \
      const T *R = (const T *)in[2] + d * H * G;                                                 \
      const float *ws = (const float *)in[8] + d * nw, *rs = (const float *)in[10] + d * nr;       \
      const int32_t wz = (int32_t)((const T *)in[9])[d * nw], rz = (int32_t)((const T *)in[11])[d * nr]; \
      const float *Wb = B ? B + d * 2 * G : NULL, *Pp = in[7] ? (const float *)in[7] + d * 3 * H : NULL; \
      float xs, hsc;                                                                               \
      int32_t xz, hz;                                                                              \
      states_in(p, (const float *)in[5], (const float *)in[6], d, &sc);                            \
      x_range(p, X, lens, max_len, rev, &xs, &xz);                                                 \
      for (step = 0; step < max_len; step++) {                                                     \
        h_quantize(p, sc.hs, lens, step, Y != NULL, sc.qh, &hsc, &hz);                             \
        for (b = 0; b < N; b++) {                                                                  \
          const int64_t len = row_len(p, lens, b), t = rev ? len - 1 - step : step;                \
          if (step >= len) continue;                                                               \
          quantize(X + (t * N + b) * I, I, xs, xz, sc.qx);                                         \
          qdot_##S(sc.qx, xz, W, wz, I, G, sc.acc);                                               \
          dequant(sc.acc, xs, ws, p->w_per_channel, G, 0, sc.g);                                   \
          qdot_##S(sc.qh + b * H, hz, R, rz, H, G, sc.acc);                                       \
          dequant(sc.acc, hsc, rs, p->r_per_channel, G, 1, sc.g);                                  \
          if (Wb)                                                                                  \
            for (j = 0; j < G; j++) sc.g[j] += Wb[j] + Wb[G + j];                                  \
          rt_lstm_cell_f32(p->has_clip, p->clip, p->input_forget, sc.g, Pp, sc.hs + b * H, sc.cs + b * H, H); \
          if (Y) memcpy(Y + ((t * D + d) * N + b) * H, sc.hs + b * H, sizeof(float) * (size_t)H);  \
        }                                                                                          \
      }                                                                                            \
      states_out(p, lens, d, &sc, out);                                                            \
    }                                                                                              \
  }

DEFINE_DQLSTM(u8, uint8_t)
DEFINE_DQLSTM(i8, int8_t)
