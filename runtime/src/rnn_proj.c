/* Float recurrent layers with constant weights: rt_rnn_f32_proj,
 * rt_gru_f32_proj, rt_lstm_f32_proj (kernels/rnn.h).
 *
 * What rnn.c's general driver does per step, a matrix-vector product
 * x_t W^T for the input, does not depend on the state: so these variants
 * compute it for a block of steps at once, as one matrix product (rows of
 * X against W, which the compiler packed for it: rt_sgemm_packed_b; the
 * bias is added later), before the steps run. Only the recurrent product
 * h R^T is left in the step loop.
 *
 * That product streams all of R (G*hidden*hidden floats: 256 KiB for an
 * LSTM of hidden 128, from L2) once per step and row, and is bound by how
 * fast those loads go. R is stored transposed ([hidden, G*hidden], each
 * input unit's weights for every gate in a row), and the gates are taken
 * GATE_BLOCK at a time: their sums stay in vector registers while the
 * loop runs down the hidden units, one load and one fused multiply-add
 * per weight and nothing else. (rnn.c's loop keeps the sums in memory and
 * reloads them every eight units.) The gate vectors are then finished by
 * the cells' loops, vectorized through act_internal.h's sigmoid and tanh
 * (the LSTM cell is rnn.c's rt_lstm_cell_f32, shared with DynamicQuantize-
 * LSTM).
 *
 * The sums come out in another order than rnn.c's (the bias first, the
 * input part from the blocked product), so the two paths differ by a few
 * ulps of the pre-activations; tests/unit/test_rnn.c compares them. */
#include <string.h>

#include "act_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/gemm.h"
#include "onnxcc/kernels/rnn.h"
#include "onnxcc/parallel.h"
#include "rnn_internal.h"
#include "sgemm_internal.h"

/* Gates whose sums the recurrent product keeps in registers: 8 vectors of
 * 16 floats with AVX-512 (gcc, RT_SGEMM_WIDE; clang's 16 of 8 fit its 32
 * registers too), 8 of 8 with AVX or AVX2, 16 of 4 with aarch64's 32 NEON
 * registers; half that where there are 16 registers of 4 floats, a
 * quarter on scalar FPUs. Anything wider spills (checked with gcc 12 and
 * clang 14: no stack access in the loop over the hidden units). On
 * AVX-512, 128 gates took the lstm benchmark's layers 5 to 9 % less time
 * than 64 (the layer alone, timed in a loop: fewer passes over h, and 8
 * loads in flight per hidden unit). Only the loop's blocking: the
 * weights' layout and the scratch do not depend on it. */
#if defined(__AVX512F__)
#define GATE_BLOCK 128
#elif defined(__AVX__) || defined(__aarch64__)
#define GATE_BLOCK 64
#elif defined(__SSE2__) || defined(__ARM_NEON)
#define GATE_BLOCK 32
#else
#define GATE_BLOCK 16
#endif

/* For the bodies written once and instantiated with constants: inlined,
 * so the constants unroll their loops. */
#if defined(__GNUC__)
#define PROJ_INLINE inline __attribute__((always_inline))
#else
#define PROJ_INLINE inline
#endif

/* A block of steps: at most PROJ_STEPS, and at most PROJ_FLOATS floats of
 * projections (64 KiB), at least one step, at most the sequence. The
 * projections are the scratch's largest part, so the bounds keep the
 * arena small (a concern on microcontrollers), while the product still
 * gets dozens of rows: the lstm benchmark's layers (32 steps of 512
 * gates) took the same time with 128 KiB blocks, 2 to 4 % more with
 * 32 KiB. */
#define PROJ_FLOATS ((int64_t)16384)
#define PROJ_STEPS ((int64_t)32)

static int64_t block_steps(int64_t seq, int64_t GH) {
  int64_t n = RT_IDIV(PROJ_FLOATS, GH);
  if (n > PROJ_STEPS) n = PROJ_STEPS;
  if (n < 1) n = 1;
  return n < seq ? n : seq;
}

/* The scratch, in floats: states h and c (batch x hidden each), the summed
 * bias and the gate vector (G*hidden each), one hidden vector (GRU's r*h),
 * another (a split LSTM step's new h, written while the tasks still read
 * the old one), the block's projections (steps x G*hidden), each rounded
 * up to 16 floats (64 bytes: the arena's alignment, kept for every part);
 * then rt_sgemm_packed_b's own scratch. */
typedef struct proj_scratch {
  float *hs, *cs, *bias, *g, *tmp, *hn, *proj;
  void *gemm;
} proj_scratch;

static int64_t round16(int64_t n) { return (n + 15) & ~(int64_t)15; }

/* Lays the parts out from `base` (NULL: only counts); returns the floats
 * before the GEMM's part. */
static int64_t carve(float *base, int64_t batch, int64_t G, int64_t hidden, int64_t steps, proj_scratch *s) {
  const int64_t GH = G * hidden, sizes[7] = {batch * hidden, batch * hidden, GH, GH, hidden, hidden, steps * GH};
  float **parts[7];
  int64_t at = 0, i;
  parts[0] = &s->hs, parts[1] = &s->cs, parts[2] = &s->bias, parts[3] = &s->g, parts[4] = &s->tmp;
  parts[5] = &s->hn, parts[6] = &s->proj;
  for (i = 0; i < 7; i++) {
    *parts[i] = base ? base + at : NULL;
    at += round16(sizes[i]);
  }
  s->gemm = base ? base + at : NULL;
  return at;
}

size_t rt_rnn_f32_proj_scratch_bytes(int64_t seq, int64_t batch, int64_t input, int64_t G, int64_t hidden) {
  const int64_t steps = block_steps(seq, G * hidden);
  proj_scratch s;
  return (size_t)carve(NULL, batch, G, hidden, steps, &s) * sizeof(float) +
         rt_gemm_f32_packed_scratch_bytes(steps, input);
}

/* out[j] += sum over k < n of v[k] * M[k * ld + j] for the BW gates from
 * out: their sums stay in registers down the whole of k. */
#define DEFINE_GATE_BLOCK(BW)                                                                         \
  static PROJ_INLINE void gate_block_##BW(const float *restrict v, int64_t n, const float *restrict col, \
                                          int64_t ld, float *restrict out) {                          \
    float acc[BW];                                                                                    \
    int64_t j, k;                                                                                     \
    for (j = 0; j < BW; j++) acc[j] = out[j];                                                         \
    for (k = 0; k < n; k++) {                                                                         \
      const float vk = v[k];                                                                          \
      const float *row = col + k * ld;                                                                \
      for (j = 0; j < BW; j++) acc[j] = MADD(vk, row[j], acc[j]);                                     \
    }                                                                                                 \
    for (j = 0; j < BW; j++) out[j] = acc[j];                                                         \
  }
DEFINE_GATE_BLOCK(GATE_BLOCK)
#if GATE_BLOCK > 16
DEFINE_GATE_BLOCK(16)
#endif

/* The same for U units of each of Q gates (an LSTM's four, a GRU's three
 * or two), the gates gs floats apart in M's rows and in out: a split
 * step's range of units (below) keeps Q * U sums in registers, as
 * gate_block does GATE_BLOCK; one gate's range at a time would leave one
 * or two vectors of sums per pass, each waiting on its own multiply-add
 * chain. Each sum runs over k in the same order as in gate_block: the
 * same bits. */
#define DEFINE_GATE_MULTI(NAME, Q, U)                                                                     \
  static PROJ_INLINE void NAME(const float *restrict v, int64_t n, const float *restrict col, int64_t gs, \
                               int64_t ld, float *restrict out) {                                         \
    float acc[Q][U];                                                                                      \
    int64_t j, k, q;                                                                                      \
    for (q = 0; q < Q; q++)                                                                               \
      for (j = 0; j < U; j++) acc[q][j] = out[q * gs + j];                                                \
    for (k = 0; k < n; k++) {                                                                             \
      const float vk = v[k];                                                                              \
      const float *row = col + k * ld;                                                                    \
      for (q = 0; q < Q; q++)                                                                             \
        for (j = 0; j < U; j++) acc[q][j] = MADD(vk, row[q * gs + j], acc[q][j]);                         \
    }                                                                                                     \
    for (q = 0; q < Q; q++)                                                                               \
      for (j = 0; j < U; j++) out[q * gs + j] = acc[q][j];                                                \
  }
#define QUAD_UNITS (GATE_BLOCK / 4)
DEFINE_GATE_MULTI(gate_quad, 4, QUAD_UNITS)
DEFINE_GATE_MULTI(gate_triple, 3, QUAD_UNITS)
DEFINE_GATE_MULTI(gate_pair, 2, QUAD_UNITS)
#if QUAD_UNITS > 16
DEFINE_GATE_MULTI(gate_quad_16, 4, 16)
DEFINE_GATE_MULTI(gate_triple_16, 3, 16)
DEFINE_GATE_MULTI(gate_pair_16, 2, 16)
#endif

/* out[j] += sum over k < n of v[k] * M[k * ld + j], for j < w (out holds
 * the bias and input parts on entry): blocks of GATE_BLOCK gates, then of
 * 16 (small layers: all of hidden 7's 28 LSTM gates but 12), then the
 * last few gates, one pass over k each, in memory. */
RT_SGEMM_WIDE
static void recurrent_product(const float *restrict v, int64_t n, const float *restrict M, int64_t ld,
                              float *restrict out, int64_t w) {
  int64_t j0 = 0, j, k;
  for (; j0 + GATE_BLOCK <= w; j0 += GATE_BLOCK) gate_block_GATE_BLOCK(v, n, M + j0, ld, out + j0);
#if GATE_BLOCK > 16
  for (; j0 + 16 <= w; j0 += 16) gate_block_16(v, n, M + j0, ld, out + j0);
#endif
  if (j0 < w)
    for (k = 0; k < n; k++) {
      const float vk = v[k];
      const float *row = M + k * ld;
      for (j = j0; j < w; j++) out[j] = MADD(vk, row[j], out[j]);
    }
}

/* d[j] = a[j] + b[j], j < n */
static void add_rows(float *d, const float *a, const float *b, int64_t n) {
  int64_t j;
  for (j = 0; j < n; j++) d[j] = a[j] + b[j];
}

static void clip_all(float *v, int64_t n, float clip) {
  int64_t j;
  for (j = 0; j < n; j++) v[j] = v[j] > clip ? clip : v[j] < -clip ? -clip : v[j];
}

/* The cells: g holds the step's pre-activations without the recurrent
 * part (projection plus bias; GRU with linear_before_reset: its candidate
 * gate's recurrent bias, see below), h and c the row's state. R is this
 * direction's [hidden, G*hidden]; tmp hidden floats of scratch; extra the
 * LSTM's peepholes, or GRU's candidate input part (below). */

RT_SGEMM_WIDE
static void cell_rnn(const rt_rnn_params *p, const float *R, float *g, float *h, float *c, float *tmp,
                     const float *extra) {
  const int64_t H = p->hidden;
  int64_t j;
  (void)c;
  (void)tmp;
  (void)extra;
  recurrent_product(h, H, R, H, g, H);
  if (p->has_clip) clip_all(g, H, p->clip);
  for (j = 0; j < H; j++) h[j] = rt_act_tanh_f32(g[j]);
}

/* GRU, gates z, r, h. The update and reset gates are finished first, then
 * the candidate: without linear_before_reset, its recurrent part is
 * (r * h) R_h, a second product over R's last H columns; with it, r *
 * (h R_h + Rb_h), whose product runs in the same pass as z and r (g's
 * candidate part then enters with Rb_h, and its input part, projection
 * and Wb_h, waits in extra: see the driver). The pieces below work on n
 * units from the first (the gates gs floats apart), so the whole row's
 * cell and a split step's tasks (further down) compute each unit alike. */

/* z and r: clipped, through the sigmoid. */
static void gru_gates_span(const rt_rnn_params *p, float *z, int64_t gs, int64_t n) {
  float *r = z + gs;
  int64_t j;
  if (p->has_clip) {
    clip_all(z, n, p->clip);
    clip_all(r, n, p->clip);
  }
  for (j = 0; j < n; j++) z[j] = rt_act_sigmoid_f32(z[j]);
  for (j = 0; j < n; j++) r[j] = rt_act_sigmoid_f32(r[j]);
}

/* With linear_before_reset: the candidate's pre-activation, its input part
 * plus r times its recurrent part. */
static void gru_lbr_span(const float *r, const float *extra, float *gc, int64_t n) {
  int64_t j;
  for (j = 0; j < n; j++) gc[j] = extra[j] + r[j] * gc[j];
}

/* The new state from z and the candidate's pre-activation gc (clipped
 * here); hn may be h. */
static void gru_new_h_span(const rt_rnn_params *p, const float *z, float *gc, const float *h, float *hn, int64_t n) {
  int64_t j;
  if (p->has_clip) clip_all(gc, n, p->clip);
  for (j = 0; j < n; j++) hn[j] = (1.0f - z[j]) * rt_act_tanh_f32(gc[j]) + z[j] * h[j];
}

RT_SGEMM_WIDE
static void cell_gru(const rt_rnn_params *p, const float *R, float *g, float *h, float *c, float *tmp,
                     const float *extra) {
  const int64_t H = p->hidden;
  float *z = g, *r = g + H, *gc = g + 2 * H;
  int64_t j;
  (void)c;
  recurrent_product(h, H, R, 3 * H, g, p->linear_before_reset ? 3 * H : 2 * H);
  gru_gates_span(p, z, H, H);
  if (p->linear_before_reset) {
    gru_lbr_span(r, extra, gc, H);
  } else {
    for (j = 0; j < H; j++) tmp[j] = r[j] * h[j];
    recurrent_product(tmp, H, R + 2 * H, 3 * H, gc, H);
  }
  gru_new_h_span(p, z, gc, h, h, H);
}

/* LSTM: peepholes, clipping, input_forget and the activations are
 * rt_lstm_cell_f32's (rnn.c). */
static void cell_lstm(const rt_rnn_params *p, const float *R, float *g, float *h, float *c, float *tmp,
                      const float *Pp) {
  const int64_t H = p->hidden;
  (void)tmp;
  recurrent_product(h, H, R, 4 * H, g, 4 * H);
  rt_lstm_cell_f32(p->has_clip, p->clip, p->input_forget, g, Pp, h, c, H);
}

typedef void (*cell_fn)(const rt_rnn_params *p, const float *R, float *g, float *h, float *c, float *tmp,
                        const float *extra);

/* An LSTM or GRU step across tasks (--threads): each task takes a range of the
 * hidden units, whole vectors of 16, and for them the four gates'
 * pre-activations (projection + bias + h R^T over that range's columns of
 * R), then the cell, writing its units of c and of the new h. Every task
 * reads the whole old h, so the new one goes to another buffer. A unit's
 * sums run over the same k in the same order as in the one-thread step,
 * and the cell is the same per unit: the same bits for any task count.
 * Each task reads its share of R only (at two tasks 128 KiB of an LSTM of
 * hidden 128), from its own core's L2, where the one-thread step streams
 * all 256 KiB from one L2 every step. A GRU without linear_before_reset
 * needs every unit's reset gate before any candidate's product (over r *
 * h), so its step is two jobs: the gates z and r and r * h, then the
 * candidate and the new h (a GRU of hidden 128 and 32 steps: 0.083 ms at
 * one thread, 0.072 at two; 0.059-0.068 with linear_before_reset, one job
 * a step). A step of fewer than STEP_SPLIT_MIN multiply-adds runs whole:
 * the hand-off, and the other core's half of h each step, cost more than
 * half of it. */
#define STEP_SPLIT_MIN ((int64_t)1 << 15)

/* g's n units from the first, in each of Q gates (H apart), += h R^T over
 * those columns of R (hidden rows of ld floats). */
RT_SGEMM_WIDE
static void gates_product(const float *restrict h, int64_t H, const float *restrict R, int64_t ld, float *restrict g,
                          int64_t n, int Q) {
  int64_t u = 0, q;
  for (; u + QUAD_UNITS <= n; u += QUAD_UNITS) {
    if (Q == 4) gate_quad(h, H, R + u, H, ld, g + u);
    else if (Q == 3) gate_triple(h, H, R + u, H, ld, g + u);
    else gate_pair(h, H, R + u, H, ld, g + u);
  }
#if QUAD_UNITS > 16
  for (; u + 16 <= n; u += 16) {
    if (Q == 4) gate_quad_16(h, H, R + u, H, ld, g + u);
    else if (Q == 3) gate_triple_16(h, H, R + u, H, ld, g + u);
    else gate_pair_16(h, H, R + u, H, ld, g + u);
  }
#endif
  if (u < n)
    for (q = 0; q < Q; q++) recurrent_product(h, H, R + q * H + u, ld, g + q * H + u, n - u);
}

typedef struct lstm_step_job {
  const rt_rnn_params *p;
  const float *R, *xp, *bias, *h; /* h: the state before the step */
  float *g, *c, *hn;              /* hn: the state after it */
  int64_t tasks;
} lstm_step_job;

static void lstm_step_task(void *arg, int64_t i) {
  const lstm_step_job *j = (const lstm_step_job *)arg;
  const int64_t H = j->p->hidden;
  int64_t u0, u1, q;
  rt_parallel_share(H, 16, i, j->tasks, &u0, &u1);
  if (u0 >= u1) return;
  for (q = 0; q < 4; q++) add_rows(j->g + q * H + u0, j->xp + q * H + u0, j->bias + q * H + u0, u1 - u0);
  gates_product(j->h, H, j->R + u0, 4 * H, j->g + u0, u1 - u0, 4);
  rt_lstm_cell_span_f32(j->p->has_clip, j->p->clip, j->p->input_forget, j->g + u0, H, NULL, H, j->hn + u0,
                        j->c + u0, u1 - u0);
}

typedef struct gru_step_job {
  const rt_rnn_params *p;
  const float *R, *bias, *h; /* bias: z's and r's (and without linear_before_reset the candidate's) */
  const float *Rb, *Wb;      /* the recurrent and input biases (NULL without B) */
  float *xp;                 /* the step's projection row (with linear_before_reset its candidate part gains Wb_h) */
  float *g, *tmp, *hn;       /* tmp: r * h without linear_before_reset */
  int64_t tasks;
} gru_step_job;

/* With linear_before_reset: the whole step for task i's units, as
 * cell_gru and the driver's one-thread branch compute them. */
static void gru_step_task(void *arg, int64_t i) {
  const gru_step_job *j = (const gru_step_job *)arg;
  const int64_t H = j->p->hidden;
  int64_t u0, u1, n;
  rt_parallel_share(H, 16, i, j->tasks, &u0, &u1);
  if ((n = u1 - u0) <= 0) return;
  add_rows(j->g + u0, j->xp + u0, j->bias + u0, n);
  add_rows(j->g + H + u0, j->xp + H + u0, j->bias + H + u0, n);
  if (j->Rb) {
    memcpy(j->g + 2 * H + u0, j->Rb + 2 * H + u0, sizeof(float) * (size_t)n);
    add_rows(j->xp + 2 * H + u0, j->xp + 2 * H + u0, j->Wb + 2 * H + u0, n);
  } else {
    memset(j->g + 2 * H + u0, 0, sizeof(float) * (size_t)n);
  }
  gates_product(j->h, H, j->R + u0, 3 * H, j->g + u0, n, 3);
  gru_gates_span(j->p, j->g + u0, H, n);
  gru_lbr_span(j->g + H + u0, j->xp + 2 * H + u0, j->g + 2 * H + u0, n);
  gru_new_h_span(j->p, j->g + u0, j->g + 2 * H + u0, j->h + u0, j->hn + u0, n);
}

/* Without it, the first job: z and r of task i's units, and r * h. */
static void gru_gates_task(void *arg, int64_t i) {
  const gru_step_job *j = (const gru_step_job *)arg;
  const int64_t H = j->p->hidden;
  int64_t u0, u1, n, q, u;
  rt_parallel_share(H, 16, i, j->tasks, &u0, &u1);
  if ((n = u1 - u0) <= 0) return;
  for (q = 0; q < 3; q++) add_rows(j->g + q * H + u0, j->xp + q * H + u0, j->bias + q * H + u0, n);
  gates_product(j->h, H, j->R + u0, 3 * H, j->g + u0, n, 2);
  gru_gates_span(j->p, j->g + u0, H, n);
  for (u = u0; u < u1; u++) j->tmp[u] = j->g[H + u] * j->h[u];
}

/* The second: the candidate over all of r * h, and the new h, for task
 * i's units. */
static void gru_candidate_task(void *arg, int64_t i) {
  const gru_step_job *j = (const gru_step_job *)arg;
  const int64_t H = j->p->hidden;
  int64_t u0, u1, n;
  rt_parallel_share(H, 16, i, j->tasks, &u0, &u1);
  if ((n = u1 - u0) <= 0) return;
  recurrent_product(j->tmp, H, j->R + 2 * H + u0, 3 * H, j->g + 2 * H + u0, n);
  gru_new_h_span(j->p, j->g + u0, j->g + 2 * H + u0, j->h + u0, j->hn + u0, n);
}

/* The driver, inlined into each variant with its G and cell. Walks
 * directions and batch rows as rnn.c's does; each row's steps are taken
 * in blocks, the block's input projections computed first. */
static PROJ_INLINE void run_layer(const rt_rnn_params *p, const void *const *in, void *const *out, void *scratch,
                                  int G, cell_fn cell) {
  const float *X = (const float *)in[0], *W0 = (const float *)in[1], *R0 = (const float *)in[2];
  const float *B = (const float *)in[3], *H0 = (const float *)in[5];
  const float *C0 = G == 4 ? (const float *)in[6] : NULL;
  const float *P0 = G == 4 && p->peepholes ? (const float *)in[7] : NULL;
  const int32_t *lens = (const int32_t *)in[4];
  float *Y = (float *)out[0], *YH = (float *)out[1], *YC = G == 4 ? (float *)out[2] : NULL;
  const int64_t Sq = p->seq, N = p->batch, I = p->input, H = p->hidden;
  const int64_t D = p->num_dirs, lay = p->layout, GH = G * H;
  /* element strides of X (step, row), Y (step, dir, row), states (dir, row) */
  const int64_t xt = lay ? I : N * I, xb = lay ? Sq * I : I;
  const int64_t yt = lay ? D * H : D * N * H, yd = lay ? H : N * H;
  const int64_t yb = lay ? Sq * D * H : H;
  const int64_t sd = lay ? H : N * H, sb = lay ? D * H : H;
  const int64_t steps = block_steps(Sq, GH);
  /* GRU with linear_before_reset: the candidate's recurrent bias Rb_h
   * is multiplied by r, so s.bias sums only z's and r's biases; the
   * candidate's Wb_h joins its projection row at its step */
  const int lbr = G == 3 && p->linear_before_reset;
  /* the LSTM without peepholes gets its tasks in P's slot, the GRU in
   * that slot, which it has no input for (kernels/rnn.h) */
  const rt_parallel *par = (G == 4 && !p->peepholes) || G == 3 ? RT_PARALLEL_OF(in) : NULL;
  const int64_t tasks = G > 1 && GH * H >= STEP_SPLIT_MIN ? rt_parallel_tasks(par) : 1;
  proj_scratch s;
  int64_t d, b, step, j;
  carve((float *)scratch, N, G, H, steps, &s);
  for (d = 0; d < D; d++) {
    const int rev = p->reverse || d == 1;
    const float *W = W0 + d * rt_gemm_f32_packed_floats(I, GH), *R = R0 + d * H * GH;
    const float *Wb = B ? B + d * 2 * GH : NULL, *Rb = B ? Wb + GH : NULL;
    const float *Pp = P0 ? P0 + d * 3 * H : NULL;
    if (B)
      add_rows(s.bias, Wb, Rb, lbr ? 2 * H : GH);
    else
      memset(s.bias, 0, sizeof(float) * (size_t)GH);
    for (b = 0; b < N; b++)
      for (j = 0; j < H; j++) {
        s.hs[b * H + j] = H0 ? H0[d * sd + b * sb + j] : 0;
        s.cs[b * H + j] = C0 ? C0[d * sd + b * sb + j] : 0;
      }
    for (b = 0; b < N; b++) {
      int64_t len = lens ? lens[b] : Sq, t_lo = 0, block_end = 0;
      float *h = s.hs + b * H, *c = s.cs + b * H;
      if (len < 0) len = 0;
      if (len > Sq) len = Sq;
      for (step = 0; step < len; step++) {
        const int64_t t = rev ? len - 1 - step : step;
        const float *extra = Pp;
        float *xp;
        if (step == block_end) {
          /* the next block's steps, in time order: [t_lo, t_lo + m) */
          const int64_t m = len - step < steps ? len - step : steps;
          t_lo = rev ? t + 1 - m : t;
          block_end = step + m;
          rt_sgemm_packed_b(m, GH, I, 1.0f, X + t_lo * xt + b * xb, xt, 0, W, 0.0f, s.proj, GH, s.gemm, NULL,
                            NULL, par);
        }
        xp = s.proj + (t - t_lo) * GH;
        if (tasks > 1 && G == 4) {
          lstm_step_job job;
          job.p = p, job.R = R, job.xp = xp, job.bias = s.bias, job.h = h;
          job.g = s.g, job.c = c, job.hn = s.hn, job.tasks = tasks;
          rt_parallel_run(par, tasks, lstm_step_task, &job);
          memcpy(h, s.hn, sizeof(float) * (size_t)H);
        } else if (tasks > 1) {
          gru_step_job job;
          job.p = p, job.R = R, job.bias = s.bias, job.h = h, job.Rb = Rb, job.Wb = Wb, job.xp = xp;
          job.g = s.g, job.tmp = s.tmp, job.hn = s.hn, job.tasks = tasks;
          if (lbr) {
            rt_parallel_run(par, tasks, gru_step_task, &job);
          } else {
            rt_parallel_run(par, tasks, gru_gates_task, &job);
            rt_parallel_run(par, tasks, gru_candidate_task, &job);
          }
          memcpy(h, s.hn, sizeof(float) * (size_t)H);
        } else {
          if (lbr) {
            /* z and r: projection + bias; the candidate: Rb_h now, its
             * projection + Wb_h for the cell (in the projection row, which
             * is not read again) */
            add_rows(s.g, xp, s.bias, 2 * H);
            if (B) {
              memcpy(s.g + 2 * H, Rb + 2 * H, sizeof(float) * (size_t)H);
              add_rows(xp + 2 * H, xp + 2 * H, Wb + 2 * H, H);
            } else {
              memset(s.g + 2 * H, 0, sizeof(float) * (size_t)H);
            }
            extra = xp + 2 * H;
          } else {
            add_rows(s.g, xp, s.bias, GH);
          }
          cell(p, R, s.g, h, c, s.tmp, extra);
        }
        if (Y) memcpy(Y + t * yt + d * yd + b * yb, h, sizeof(float) * (size_t)H);
      }
      if (Y)
        for (step = len; step < Sq; step++) memset(Y + step * yt + d * yd + b * yb, 0, sizeof(float) * (size_t)H);
      /* A row of length 0 has no last state: zeros, as rnn.c. */
      if (len == 0) {
        memset(h, 0, sizeof(float) * (size_t)H);
        memset(c, 0, sizeof(float) * (size_t)H);
      }
      if (YH) memcpy(YH + d * sd + b * sb, h, sizeof(float) * (size_t)H);
      if (YC) memcpy(YC + d * sd + b * sb, c, sizeof(float) * (size_t)H);
    }
  }
}

RT_KERNEL(rt_rnn_f32_proj) { run_layer((const rt_rnn_params *)params, in, out, scratch, 1, cell_rnn); }
RT_KERNEL(rt_gru_f32_proj) { run_layer((const rt_rnn_params *)params, in, out, scratch, 3, cell_gru); }
RT_KERNEL(rt_lstm_f32_proj) { run_layer((const rt_rnn_params *)params, in, out, scratch, 4, cell_lstm); }
