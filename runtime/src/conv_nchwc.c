/* rt_conv_f32_nchwc_packed: a 2-D, group-1 Conv on NCHW tensors through
 * the channel-blocked core (nchwc_internal.h), with the weights blocked
 * at compile time (conv.h).
 *
 * Per image, the output is cut into pieces: a band of positions (at most
 * PIECE_POSITIONS, in row-major order) x a group of output-channel blocks
 * (at most PIECE_BLOCKS). For each piece:
 *   1. the input rows the band's windows reach are copied into the task's
 *      band buffer as [icb][row][col][16]: channels in blocks of 16 (zeros
 *      past in_ch, 16 x 16 transposes), the pads written as zeros around
 *      the plane, so the core has no edge to test. Done once per band: a
 *      task's consecutive pieces share it. A 1x1 kernel reads only the
 *      positions its strides land on: the buffer then holds just those,
 *      and the core runs at stride 1.
 *   2. the core writes the piece's blocked result into the task's piece
 *      buffer (in L2),
 *   3. which is transposed back into Y's NCHW planes, and the fused
 *      epilogue applied to those rows while they are in cache.
 * Packing the band next to its use keeps it in L2 (a whole-image copy
 * first was evicted by the output before the core read it: measured on
 * resnet18's 56 x 56 convs). Tasks of a split call take whole pieces; an
 * output's sum has the same order whoever computes it, so the results are
 * bit-identical for any number of tasks. */
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "nchwc_internal.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/parallel.h"

#if RT_NCHWC_AVX512
#include <immintrin.h>
#endif

#define B RT_NCHWC_BLOCK

/* The transposes inlined into their loops, so the 16 vectors stay in
 * registers. */
#if defined(__GNUC__)
#define NCHWC_WRAP_INLINE inline __attribute__((always_inline))
#else
#define NCHWC_WRAP_INLINE inline
#endif

/* The pieces and the split threshold: nchwc_internal.h. */
#define PIECE_BLOCKS RT_NCHWC_PIECE_BLOCKS
#define PIECE_POSITIONS RT_NCHWC_PIECE_POSITIONS

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }
static float *align64(void *p) { return (float *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

/* ---- weights ---- */

int64_t rt_conv_f32_nchwc_packed_floats(const rt_conv_params *p) {
  return rt_nchwc_blocks(p->out_ch) * rt_nchwc_blocks(p->in_ch) * p->kernel[0] * p->kernel[1] * B * B;
}

void rt_conv_f32_nchwc_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t cb = rt_nchwc_blocks(p->in_ch), taps = p->kernel[0] * p->kernel[1];
  const int64_t ob = rt_nchwc_blocks(p->out_ch);
  int64_t ocb, icb, t, ic, oc;
  for (ocb = 0; ocb < ob; ocb++)
    for (icb = 0; icb < cb; icb++)
      for (t = 0; t < taps; t++) {
        float *d = packed + ((ocb * cb + icb) * taps + t) * B * B;
        for (ic = 0; ic < B; ic++)
          for (oc = 0; oc < B; oc++) {
            const int64_t o = ocb * B + oc, i = icb * B + ic;
            d[ic * B + oc] = o < p->out_ch && i < p->in_ch ? w[(o * p->in_ch + i) * taps + t] : 0.0f;
          }
      }
}

/* ---- the call's geometry ---- */

/* How the call lays out its blocked input, and the core's view of it. */
typedef struct nchwc_shape {
  int64_t cb, ob, wp, osp;
  int64_t step_h, step_w;     /* padded row r, column c is X's row r * step_h - pad_t, column c * step_w - pad_l */
  int64_t bands, groups;      /* the pieces: bands of positions x groups of output blocks */
  int64_t band_rows;          /* the most padded rows a band's windows reach */
  int64_t band_positions;     /* the most positions of a band */
  rt_nchwc_geom g;
} nchwc_shape;

/* Positions [*q0, *q1) of band i, and the padded rows [*r0, *r1) their
 * windows reach. */
static void band_of(const nchwc_shape *s, int64_t i, int64_t *q0, int64_t *q1, int64_t *r0, int64_t *r1) {
  const rt_nchwc_geom *g = &s->g;
  *q0 = RT_IDIV(i * s->osp, s->bands);
  *q1 = RT_IDIV((i + 1) * s->osp, s->bands);
  *r0 = RT_IDIV(*q0, g->out_w) * g->stride_h;
  *r1 = RT_IDIV(*q1 - 1, g->out_w) * g->stride_h + (g->kernel_h - 1) * g->dil_h + 1;
}

static void shape_of(const rt_conv_params *p, nchwc_shape *s) {
  const int64_t oh = p->out_dims[0], ow = p->out_dims[1];
  const int pointwise = p->kernel[0] == 1 && p->kernel[1] == 1;
  int64_t i;
  s->cb = rt_nchwc_blocks(p->in_ch);
  s->ob = rt_nchwc_blocks(p->out_ch);
  s->osp = oh * ow;
  if (pointwise) {
    /* only the sampled positions, so the core runs at stride 1 */
    s->wp = ow;
    s->step_h = p->strides[0];
    s->step_w = p->strides[1];
  } else {
    /* what the last output's window reaches */
    s->wp = (ow - 1) * p->strides[1] + (p->kernel[1] - 1) * p->dilations[1] + 1;
    s->step_h = s->step_w = 1;
  }
  s->bands = RT_IDIV(s->osp + PIECE_POSITIONS - 1, PIECE_POSITIONS);
  s->groups = RT_IDIV(s->ob + PIECE_BLOCKS - 1, PIECE_BLOCKS);
  s->band_positions = RT_IDIV(s->osp + s->bands - 1, s->bands);
  s->g.in_blocks = s->cb;
  s->g.out_ch = p->out_ch;
  s->g.kernel_h = p->kernel[0];
  s->g.kernel_w = p->kernel[1];
  s->g.stride_h = pointwise ? 1 : p->strides[0];
  s->g.stride_w = pointwise ? 1 : p->strides[1];
  s->g.dil_h = p->dilations[0];
  s->g.dil_w = p->dilations[1];
  s->g.out_w = ow;
  s->g.x_row = s->wp * B;
  s->g.x_top = 0;
  s->g.epi = NULL; /* applied on the way back to NCHW */
  s->g.w_block = 0;
  s->g.warm = NULL;
  s->g.warm_bytes = 0;
  /* each band's windows, one band in a task's buffer at a time */
  s->band_rows = 0;
  for (i = 0; i < s->bands; i++) {
    int64_t q0, q1, r0, r1;
    band_of(s, i, &q0, &q1, &r0, &r1);
    s->band_rows = max64(s->band_rows, r1 - r0);
  }
  s->g.x_block = s->band_rows * s->wp * B;
  /* a piece's blocked output: blocks of band_positions x 16 floats */
  s->g.y_row = ow * B;
  s->g.y_block = s->band_positions * B;
}

/* A task's buffers: its band of xp, then its piece of the output. */
static size_t band_bytes(const nchwc_shape *s) { return round64((size_t)(s->cb * s->g.x_block) * sizeof(float)); }

static size_t task_buffer_bytes(const rt_conv_params *p) {
  nchwc_shape s;
  shape_of(p, &s);
  return band_bytes(&s) + round64((size_t)(min64(PIECE_BLOCKS, s.ob) * s.g.y_block) * sizeof(float));
}

size_t rt_conv_f32_nchwc_packed_task_bytes(const rt_conv_params *p) { return RT_TASK_STRIDE(task_buffer_bytes(p)); }

size_t rt_conv_f32_nchwc_packed_scratch_bytes(const rt_conv_params *p) { return 64 + task_buffer_bytes(p); }

/* ---- 16 x 16 transposes ---- */

#if RT_NCHWC_AVX512
/* Lanes [0, n), none for n <= 0. */
static __mmask16 lanes(int64_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* r[i][j] becomes r[j][i]: pairs of rows interleaved, then pairs of
 * pairs, then the 128-bit lanes gathered (after the second step, lane L
 * of u[4i + j] holds rows 4i..4i+3 of column 4L + j). */
static NCHWC_WRAP_INLINE void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  int i, j;
  for (i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (i = 0; i < 4; i++) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (j = 0; j < 4; j++) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88), v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);
    const __m512 w0 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
    r[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
}
#endif

void rt_nchwc_rows_to_block(const float *s, int64_t plane, int64_t c_in, int64_t n, int64_t step, float *restrict d) {
  int64_t c, ch;
#if RT_NCHWC_AVX512
  if (step == 1 || step == 2) {
    /* the odd-to-even compaction of two loaded vectors */
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    for (c = 0; c < n; c += B) {
      const int64_t m = min64(B, n - c);
      __m512 r[16];
      int i;
      for (i = 0; i < B; i++) {
        const float *si = s + i * plane + c * step;
        if (i >= c_in) r[i] = _mm512_setzero_ps();
        else if (step == 1) r[i] = _mm512_maskz_loadu_ps(lanes(m), si);
        else
          r[i] = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(lanes(2 * m - 1), si), even,
                                        _mm512_maskz_loadu_ps(lanes(2 * m - 1 - 16), si + 16));
      }
      transpose16(r);
      for (i = 0; i < m; i++) _mm512_storeu_ps(d + (c + i) * B, r[i]);
    }
    return;
  }
#endif
  for (c = 0; c < n; c++) {
    float *dc = d + c * B;
    for (ch = 0; ch < c_in; ch++) dc[ch] = s[ch * plane + c * step];
    for (; ch < B; ch++) dc[ch] = 0.0f;
  }
}

/* Whether rt_nchwc_block_to_rows applies epilogue e itself, in the registers on
 * the way out (no more pass over the rows): none, a residual, Relu, or
 * both, the convs of a resnet. max(x, 0) with the 0 second is exactly
 * rt_act_relu_f32's x > 0 ? x : 0 (NaN and -0 give +0), and x + r is the
 * same float sum, so the bits are epilogue.c's. Other activations go
 * through rt_epi_tile after the copy. */
static int epi_in_copy(const rt_epi *e) {
  return RT_NCHWC_AVX512 && (e == NULL || e->act == RT_ACT_NONE || e->act == RT_ACT_RELU);
}

void rt_nchwc_block_to_rows(const float *s, int64_t nch, int64_t n, int64_t ld, float *restrict d, const rt_epi *e) {
  int64_t q, ch;
#if RT_NCHWC_AVX512
  const int here = e && epi_in_copy(e);
  const float *res = here ? e->res : NULL;
  const int relu = here && e->act == RT_ACT_RELU;
  for (q = 0; q < n; q += B) {
    const int64_t m = min64(B, n - q);
    const __mmask16 k = lanes(m);
    __m512 r[16];
    int i;
    for (i = 0; i < B; i++) r[i] = i < m ? _mm512_loadu_ps(s + (q + i) * B) : _mm512_setzero_ps();
    transpose16(r);
    for (i = 0; i < nch; i++) {
      float *di = d + i * ld + q;
      __m512 v = r[i];
      if (res) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, res + (di - e->y)));
      if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
      _mm512_mask_storeu_ps(di, k, v);
    }
  }
  (void)ch;
#else
  (void)e;
  for (ch = 0; ch < nch; ch++)
    for (q = 0; q < n; q++) d[ch * ld + q] = s[q * B + ch];
#endif
}

/* ---- a piece: pack its band, run the core, unpack ---- */

/* Padded rows [r0, r1) of image x, every input block, into the band
 * buffer xb ([icb][row - r0][col][16], x_block floats per block). */
static void pack_band(const rt_conv_params *p, const nchwc_shape *s, const float *x, int64_t r0, int64_t r1,
                      float *xb) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], plane = ih * iw, pad = p->pads[1], step = s->step_w;
  /* columns c with 0 <= c * step - pad < iw */
  const int64_t lo = min64(s->wp, RT_IDIV(pad + step - 1, step));
  const int64_t hi = max64(lo, min64(s->wp, RT_IDIV(iw - 1 + pad, step) + 1));
  int64_t icb, r;
  for (icb = 0; icb < s->cb; icb++)
    for (r = r0; r < r1; r++) {
      const int64_t sr = r * s->step_h - p->pads[0];
      float *d = xb + icb * s->g.x_block + (r - r0) * s->wp * B;
      if (sr < 0 || sr >= ih) {
        memset(d, 0, sizeof(float) * (size_t)(s->wp * B));
        continue;
      }
      memset(d, 0, sizeof(float) * (size_t)(lo * B));
      memset(d + hi * B, 0, sizeof(float) * (size_t)((s->wp - hi) * B));
      rt_nchwc_rows_to_block(x + icb * B * plane + sr * iw + lo * step - pad, plane, min64(B, p->in_ch - icb * B),
                             hi - lo, step, d + lo * B);
    }
}

typedef struct nchwc_job {
  const rt_conv_params *p;
  const nchwc_shape *s;
  const float *x, *w, *bias; /* x: the image */
  float *y;                  /* the image's output */
  char *buffers;             /* task i's band and piece at + i * task_bytes (a stride, parallel.h) */
  size_t task_bytes;
  const rt_epi *e;
  int64_t tasks;
} nchwc_job;

/* Pieces are numbered band-major: a task's consecutive pieces share a
 * band, packed once, and differ in their group of output blocks. */
static void piece_task(void *arg, int64_t i) {
  const nchwc_job *j = (const nchwc_job *)arg;
  const nchwc_shape *s = j->s;
  float *xb = (float *)(j->buffers + (size_t)i * j->task_bytes);
  float *yb = (float *)((char *)xb + band_bytes(s));
  rt_nchwc_geom g = s->g;
  int64_t lo, hi, k, packed = -1;
  rt_parallel_share(s->bands * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t bi = RT_IDIV(k, s->groups), gi = k - bi * s->groups;
    const int64_t ob0 = RT_IDIV(gi * s->ob, s->groups), ob1 = RT_IDIV((gi + 1) * s->ob, s->groups);
    const int64_t oc0 = ob0 * B, noc = min64(ob1 * B, j->p->out_ch) - oc0;
    int64_t q0, q1, r0, r1, b;
    band_of(s, bi, &q0, &q1, &r0, &r1);
    if (bi != packed) {
      pack_band(j->p, s, j->x, r0, r1, xb);
      packed = bi;
    }
    g.x_top = r0;
    rt_nchwc_core(&g, xb, j->w, j->bias, ob0, ob1, q0, q1, yb);
    for (b = ob0; b < ob1; b++)
      rt_nchwc_block_to_rows(yb + (b - ob0) * g.y_block, min64(B, j->p->out_ch - b * B), q1 - q0, s->osp,
                    j->y + b * B * s->osp + q0, j->e);
    if (j->e && !epi_in_copy(j->e)) rt_epi_tile(j->e, j->y + oc0 * s->osp + q0, s->osp, noc, q1 - q0);
  }
}

RT_KERNEL(rt_conv_f32_nchwc_packed) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  const int64_t in_sp = p->in_dims[0] * p->in_dims[1];
  nchwc_shape s;
  nchwc_job j;
  rt_epi ev;
  int64_t n, tasks = rt_parallel_tasks(par);
  shape_of(p, &s);
  j.p = p;
  j.s = &s;
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.e = RT_EPI_FROM(&ev, p, in, 3, y);
  j.buffers = (char *)align64(scratch);
  j.task_bytes = rt_task_stride(par, rt_conv_f32_nchwc_packed_task_bytes(p));
  if (p->out_ch * s.osp * p->in_ch * p->kernel[0] * p->kernel[1] < RT_NCHWC_SPLIT_MIN) tasks = 1;
  j.tasks = min64(tasks, s.bands * s.groups);
  for (n = 0; n < p->batch; n++) {
    j.x = x + n * p->in_ch * in_sp;
    j.y = y + n * p->out_ch * s.osp;
    rt_parallel_run(par, j.tasks, piece_task, &j);
  }
}
