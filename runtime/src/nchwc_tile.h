/* Internal to the runtime: the register tiles of the channel-blocked
 * direct convolution, which nchwc_core.c (blocked input) and nchwc_stem.c
 * (planar input, a first conv of a few channels) instantiate. The loop
 * order and why: nchwc_core.c. Static functions: include it in the file
 * that instantiates the tiles. */
#ifndef ONNXCC_RT_NCHWC_TILE_H
#define ONNXCC_RT_NCHWC_TILE_H

#include <math.h>
#include <stddef.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "nchwc_internal.h"

#if RT_NCHWC_AVX512
#include <immintrin.h>
#endif

#if defined(__GNUC__)
#define NCHWC_INLINE inline __attribute__((always_inline))
#else
#define NCHWC_INLINE inline
#endif

#define B RT_NCHWC_BLOCK

/* The widest tile: NB_MAX output blocks, and for nb of them at most
 * np_max(nb) positions (NP_CAP over all nb). Plain C keeps its
 * accumulators in vectors of the target's width; 16 floats are 4 NEON or
 * SSE registers, so its tile is small (1 x 4 is 16 of NEON's 32). */
#if RT_NCHWC_AVX512
#define NB_MAX 4
#define NP_CAP 12
static int np_max(int nb) { return nb == 4 ? 6 : nb == 3 ? 8 : 12; }
#else
#define NB_MAX 2
#define NP_CAP 4
static int np_max(int nb) { return nb == 2 ? 2 : 4; }
#endif

/* What a run of tiles needs: the first output block's weights and the
 * distance to the next block's; the plane (xp at input block 0, yb at the
 * run's first output block) and its steps; the bias, 16 floats per block. */
typedef struct tile_ctx {
  const float *w, *xp, *bias;
  float *yb;
  int64_t w_block, y_block, y_row;
  int64_t units, kernel_h, kernel_w, x_block; /* units: rows of taps, u = icb * kernel_h + kh */
  int64_t tap_h, tap_w;       /* floats from one tap to the next: dilation x (row, 16) */
  int64_t step_h, step_w;     /* floats from one output row / column's window to the next */
  int64_t x_origin, y_origin; /* the offsets of (row, col) = (0, 0), subtracted */
  int64_t out_w;
  const rt_epi *epi; /* rt_nchwc_geom's */
  /* planar input only (PLANAR tiles, nchwc_stem.c): the channels stepped
   * per tap, the floats between two of them, and between two taps' weights
   * (lanes and w_tap unused by the tiles of one channel, PLANAR 2) */
  int64_t lanes, x_lane, w_tap;
  /* The run's share of the geometry's warm range: position tile i of the
   * run (counted from warm_tile0 across its two calls) prefetches
   * warm_unit lines per unit from warm + i * warm_tile, up to warm_end;
   * warm 0: none. Addresses as integers: a slice's end may pass the
   * range, which a prefetch does not mind but C pointer arithmetic would. */
  uintptr_t warm, warm_end;
  int64_t warm_tile, warm_unit, warm_tile0;
} tile_ctx;

/* The epilogue of a tile just stored (NB blocks x NP positions): each
 * block's NP positions are consecutive floats (epi requires y_row =
 * out_w * 16), still in L1; rt_act_apply_f32 is what rt_epi_tile applies,
 * so the bits are the same as a pass over the output afterwards. */
static NCHWC_INLINE void tile_epilogue(const tile_ctx *t, int NB, int NP, float *y0) {
  const rt_epi *e = t->epi;
  int b;
  for (b = 0; b < NB; b++) {
    float *d = y0 + b * t->y_block;
    rt_act_apply_f32(e->act, e->a, e->b, d, d, e->res ? e->res + (d - e->y) : NULL, (int64_t)NP * B);
  }
}

/* The output positions of one tile: np positions from (row, col) on,
 * running over row ends; their windows and output slots. Leaves (row,
 * col) at the next tile's first position. */
static NCHWC_INLINE void tile_positions(const tile_ctx *t, int np, int64_t *row, int64_t *col, const float **x,
                                        float **y) {
  int p;
  for (p = 0; p < np; p++) {
    x[p] = t->xp + (*row * t->step_h + *col * t->step_w - t->x_origin);
    y[p] = t->yb + (*row * t->y_row + *col * B - t->y_origin);
    if (++*col == t->out_w) {
      *col = 0;
      ++*row;
    }
  }
}

/* A tile's input: PLANAR 0, blocked (16 channels a tap, the lanes of one
 * vector); 1, planar (t->lanes channels a tap, t->x_lane floats apart);
 * 2, planar of one channel. With one channel as a constant the channel
 * loop is gone and the taps' loop is the innermost: for a run-time count
 * of 1, gcc kept the taps' counters and pointers on the stack, each
 * tap's 12 multiply-adds waiting on a load and store of them
 * (audio_cnn1d's stem, 1 -> 16 channels, kernel 80: 11 -> 7.5 us). */
#define PLANAR_LANES(PLANAR, t) ((PLANAR) == 2 ? 1 : (PLANAR) ? (t)->lanes : B)
#define PLANAR_W_TAP(PLANAR, t) ((PLANAR) == 2 ? B : (PLANAR) ? (t)->w_tap : B * B)

#if RT_NCHWC_AVX512

/* How far ahead a tile prefetches its weights, in taps (of 16 x 16 floats
 * a block). A tile's first pass over a block's weights reads them from
 * memory when the model's weights outgrow L3 (resnet18: 47 MB); two taps
 * ahead (a few hundred cycles of multiply-adds) did not hide that. On
 * resnet18 inside the model, one thread (`run.py --shapes`, in-model
 * columns, builds interleaved twice): four taps took layer4's 3x3 convs
 * from 82-84 % of the peak to 87-90 %, the 1x1 stride-2 convs from 70-79 %
 * to 75-83 %, the convs' total 36.9 / 36.5 ms -> 35.8 / 35.4 ms; eight
 * taps were no faster than four (AMD EPYC, 1 MB L2, 32 MB L3). */
#define WEIGHT_PREFETCH_TAPS 4

/* Prefetches the line `floats` past s into L1. In integers: the address
 * may be past the end of s's buffer (the last taps' next tap), which a
 * prefetch does not mind but C pointer arithmetic would. */
static NCHWC_INLINE void prefetch_ahead(const float *s, int64_t floats) {
  _mm_prefetch((const char *)((uintptr_t)s + (uintptr_t)(floats * (int64_t)sizeof(float))), _MM_HINT_T0);
}

/* Prefetches n lines from s on into L1 (and so L2), stopping at end;
 * returns where the next slice starts. T0, not T1:
 * on the AMD EPYC measured, T1 prefetches of the next node's weights
 * left its time as it was (0.996), T0 ones took 16 % off it. */
static NCHWC_INLINE uintptr_t warm_lines(uintptr_t s, uintptr_t end, int64_t n) {
  for (; n > 0 && s < end; n--, s += 64) _mm_prefetch((const char *)s, _MM_HINT_T0);
  return s;
}

/* `count` tiles of NB blocks x NP positions from (row, col) on. NB, NP and
 * PLANAR are constants in each instance (NCHWC_TILE_TABLE), so the loops
 * over them unroll and acc lives in registers. The loops over units and taps are do-while
 * (never empty): with a path that skips them, gcc moved acc through the
 * stack at every tile. */
static NCHWC_INLINE void tile_run(const int NB, const int NP, const int PLANAR, const tile_ctx *t, int64_t count,
                                  int64_t row, int64_t col) {
  /* constants but for PLANAR tiles of several channels */
  const int64_t lanes = PLANAR_LANES(PLANAR, t), x_lane = PLANAR ? t->x_lane : 1, w_tap = PLANAR_W_TAP(PLANAR, t);
  int64_t i;
  for (i = 0; i < count; i++) {
    __m512 acc[NB_MAX][NP_CAP];
    const float *x[NP_CAP];
    float *y[NP_CAP];
    int64_t u = 0, kw;
    int b, p, ic;
    uintptr_t warm = t->warm ? t->warm + (uintptr_t)((t->warm_tile0 + i) * t->warm_tile) : 0;
    tile_positions(t, NP, &row, &col, x, y);
    for (b = 0; b < NB; b++) {
      const __m512 v = _mm512_loadu_ps(t->bias + B * b);
      for (p = 0; p < NP; p++) acc[b][p] = v;
    }
    do {
      const int64_t icb = RT_IDIV(u, t->kernel_h), kh = u - icb * t->kernel_h;
      const float *wu = t->w + u * t->kernel_w * w_tap;
      const int64_t off_u = icb * t->x_block + kh * t->tap_h;
      if (!PLANAR && warm < t->warm_end) warm = warm_lines(warm, t->warm_end, t->warm_unit);
      kw = 0;
      do {
        const float *wk = wu + kw * w_tap;
        const int64_t off = off_u + kw * t->tap_w;
        /* the same lines of the next input block (a planar input has one
         * block, and its few taps' weights stay in L1) */
        if (!PLANAR)
          for (p = 0; p < NP; p++) prefetch_ahead(x[p] + off, t->x_block);
        for (ic = 0; ic < lanes; ic++) {
          __m512 wv[NB_MAX];
          for (b = 0; b < NB; b++) wv[b] = _mm512_loadu_ps(wk + b * t->w_block + ic * B);
          /* this line of each block WEIGHT_PREFETCH_TAPS taps on */
          if (!PLANAR)
            for (b = 0; b < NB; b++) prefetch_ahead(wk + b * t->w_block + ic * B, WEIGHT_PREFETCH_TAPS * B * B);
          for (p = 0; p < NP; p++) {
            const __m512 xv = _mm512_set1_ps(x[p][off + ic * x_lane]);
            for (b = 0; b < NB; b++) acc[b][p] = _mm512_fmadd_ps(xv, wv[b], acc[b][p]);
          }
        }
      } while (++kw < t->kernel_w);
    } while (++u < t->units);
    for (b = 0; b < NB; b++)
      for (p = 0; p < NP; p++) _mm512_storeu_ps(y[p] + b * t->y_block, acc[b][p]);
    if (t->epi) tile_epilogue(t, NB, NP, y[0]);
  }
}

#else

/* Fused multiply-add where the hardware has it (C99 says so with
 * FP_FAST_FMAF), else a multiply and an add: the same choice as the GEMM
 * micro-kernel's. */
#ifdef FP_FAST_FMAF
#define NCHWC_MADD(a, b, c) fmaf((a), (b), (c))
#else
#define NCHWC_MADD(a, b, c) ((a) * (b) + (c))
#endif

static NCHWC_INLINE void tile_run(const int NB, const int NP, const int PLANAR, const tile_ctx *t, int64_t count,
                                  int64_t row, int64_t col) {
  /* constants but for PLANAR tiles of several channels */
  const int64_t lanes = PLANAR_LANES(PLANAR, t), x_lane = PLANAR ? t->x_lane : 1, w_tap = PLANAR_W_TAP(PLANAR, t);
  int64_t i;
  for (i = 0; i < count; i++) {
    float acc[NB_MAX][NP_CAP][B];
    const float *x[NP_CAP];
    float *y[NP_CAP];
    int64_t u, kw;
    int b, p, ic, l;
    tile_positions(t, NP, &row, &col, x, y);
    for (b = 0; b < NB; b++)
      for (p = 0; p < NP; p++)
        for (l = 0; l < B; l++) acc[b][p][l] = t->bias[B * b + l];
    for (u = 0; u < t->units; u++) {
      const int64_t icb = RT_IDIV(u, t->kernel_h), kh = u - icb * t->kernel_h;
      const float *wu = t->w + u * t->kernel_w * w_tap;
      const int64_t off_u = icb * t->x_block + kh * t->tap_h;
      for (kw = 0; kw < t->kernel_w; kw++) {
        const float *wk = wu + kw * w_tap;
        const int64_t off = off_u + kw * t->tap_w;
        for (ic = 0; ic < lanes; ic++)
          for (p = 0; p < NP; p++) {
            const float xv = x[p][off + ic * x_lane];
            for (b = 0; b < NB; b++) {
              const float *wv = wk + b * t->w_block + ic * B;
              for (l = 0; l < B; l++) acc[b][p][l] = NCHWC_MADD(xv, wv[l], acc[b][p][l]);
            }
          }
      }
    }
    for (b = 0; b < NB; b++)
      for (p = 0; p < NP; p++) {
        float *d = y[p] + b * t->y_block;
        for (l = 0; l < B; l++) d[l] = acc[b][p][l];
      }
    if (t->epi) tile_epilogue(t, NB, NP, y[0]);
  }
}

#endif


/* One function per tile shape, so each has its constants, and the table
 * of them, tiles[nb - 1][np - 1], as `static const tile_fn NAME[NB_MAX]
 * [NP_CAP]`: NCHWC_TILE_TABLE(core, 0) in nchwc_core.c,
 * NCHWC_TILE_TABLE(stem, 1) and (stem1, 2) in nchwc_stem.c, so a program
 * links the planar instances only where it runs a stem. */
typedef void (*tile_fn)(const tile_ctx *t, int64_t count, int64_t row, int64_t col);
#define NCHWC_TILE(P, PL, NB, NP) \
  static void P##_tile_##NB##_##NP(const tile_ctx *t, int64_t count, int64_t row, int64_t col) { \
    tile_run(NB, NP, PL, t, count, row, col);                                                      \
  }
#if RT_NCHWC_AVX512
#define NCHWC_TILE_ROW12(P, PL, NB) NCHWC_TILE(P, PL, NB, 1) NCHWC_TILE(P, PL, NB, 2) NCHWC_TILE(P, PL, NB, 3) \
  NCHWC_TILE(P, PL, NB, 4) NCHWC_TILE(P, PL, NB, 5) NCHWC_TILE(P, PL, NB, 6) NCHWC_TILE(P, PL, NB, 7)           \
  NCHWC_TILE(P, PL, NB, 8) NCHWC_TILE(P, PL, NB, 9) NCHWC_TILE(P, PL, NB, 10) NCHWC_TILE(P, PL, NB, 11)        \
  NCHWC_TILE(P, PL, NB, 12)
#define NCHWC_TILE_PTRS12(P, NB) {P##_tile_##NB##_1, P##_tile_##NB##_2, P##_tile_##NB##_3, P##_tile_##NB##_4, \
  P##_tile_##NB##_5, P##_tile_##NB##_6, P##_tile_##NB##_7, P##_tile_##NB##_8, P##_tile_##NB##_9,             \
  P##_tile_##NB##_10, P##_tile_##NB##_11, P##_tile_##NB##_12}
#define NCHWC_TILE_TABLE(P, PL)                                                                                \
  NCHWC_TILE_ROW12(P, PL, 1)                                                                                   \
  NCHWC_TILE_ROW12(P, PL, 2)                                                                                   \
  NCHWC_TILE(P, PL, 3, 1) NCHWC_TILE(P, PL, 3, 2) NCHWC_TILE(P, PL, 3, 3) NCHWC_TILE(P, PL, 3, 4)              \
  NCHWC_TILE(P, PL, 3, 5) NCHWC_TILE(P, PL, 3, 6) NCHWC_TILE(P, PL, 3, 7) NCHWC_TILE(P, PL, 3, 8)              \
  NCHWC_TILE(P, PL, 4, 1) NCHWC_TILE(P, PL, 4, 2) NCHWC_TILE(P, PL, 4, 3) NCHWC_TILE(P, PL, 4, 4)              \
  NCHWC_TILE(P, PL, 4, 5) NCHWC_TILE(P, PL, 4, 6)                                                              \
  static const tile_fn P##_tiles[NB_MAX][NP_CAP] = {                                                          \
      NCHWC_TILE_PTRS12(P, 1),                                                                                 \
      NCHWC_TILE_PTRS12(P, 2),                                                                                 \
      {P##_tile_3_1, P##_tile_3_2, P##_tile_3_3, P##_tile_3_4, P##_tile_3_5, P##_tile_3_6, P##_tile_3_7,         \
       P##_tile_3_8, NULL, NULL, NULL, NULL},                                                                  \
      {P##_tile_4_1, P##_tile_4_2, P##_tile_4_3, P##_tile_4_4, P##_tile_4_5, P##_tile_4_6, NULL, NULL, NULL,    \
       NULL, NULL, NULL},                                                                                      \
  };
#else
#define NCHWC_TILE_TABLE(P, PL)                                                                                \
  NCHWC_TILE(P, PL, 1, 1) NCHWC_TILE(P, PL, 1, 2) NCHWC_TILE(P, PL, 1, 3) NCHWC_TILE(P, PL, 1, 4)              \
  NCHWC_TILE(P, PL, 2, 1) NCHWC_TILE(P, PL, 2, 2)                                                              \
  static const tile_fn P##_tiles[NB_MAX][NP_CAP] = {                                                          \
      {P##_tile_1_1, P##_tile_1_2, P##_tile_1_3, P##_tile_1_4},                                                \
      {P##_tile_2_1, P##_tile_2_2, NULL, NULL},                                                                \
  };
#endif

/* Block tile i of n (count position tiles) takes slice i of g's warm
 * range, in whole lines, spread evenly over its position tiles and their
 * units. */
static void warm_share(tile_ctx *t, const rt_nchwc_geom *g, int64_t i, int64_t n, int64_t count) {
  const int64_t lines = RT_IDIV(g->warm_bytes + 63, 64);
  const int64_t l0 = RT_IDIV(i * lines, n), l1 = RT_IDIV((i + 1) * lines, n);
  const int64_t per_tile = RT_IDIV(l1 - l0 + count - 1, count);
  t->warm = t->warm_end = 0;
  t->warm_tile = t->warm_unit = 0; /* warm_tile0: set by the caller per call */
  if (!g->warm || l1 <= l0) return;
  t->warm = (uintptr_t)g->warm + (uintptr_t)(l0 * 64);
  t->warm_end = (uintptr_t)g->warm + (uintptr_t)(l1 < lines ? l1 * 64 : g->warm_bytes);
  t->warm_tile = per_tile * 64;
  t->warm_unit = RT_IDIV(per_tile + t->units - 1, t->units);
}

/* The bias of nb output blocks from block b0 into bias_v (16 floats a
 * block): 0 past out_ch's channels, or everywhere when bias is NULL. */
static void tile_bias(const float *bias, int64_t out_ch, int64_t b0, int nb, float *bias_v) {
  int j;
  for (j = 0; j < nb * B; j++) {
    const int64_t oc = b0 * B + j;
    bias_v[j] = bias && oc < out_ch ? bias[oc] : 0.0f;
  }
}

/* Output blocks [ocb0, ocb1) at positions [pos0, pos1) of yb through the
 * tiles of `tiles`, t filled but for w, yb and bias (and y_origin, set
 * here): the blocks in tiles of at most nbm, each with its weights at
 * w + block * w_block. */
static void nchwc_run_tiles(const tile_fn tiles[NB_MAX][NP_CAP], tile_ctx *t, const rt_nchwc_geom *g,
                            const float *w, int64_t w_block, int64_t nbm, const float *bias, int64_t ocb0,
                            int64_t ocb1, int64_t pos0, int64_t pos1, float *yb) {
  const int64_t n = ocb1 - ocb0, ntiles = RT_IDIV(n + nbm - 1, nbm);
  const int64_t row0 = RT_IDIV(pos0, g->out_w), col0 = RT_IMOD(pos0, g->out_w);
  int64_t i;
  t->w_block = w_block;
  t->y_origin = row0 * g->y_row + col0 * B;
  /* the blocks cut into ntiles tiles as even as they go (5 blocks are
   * 3 + 2, not 4 + 1: a one-block tile is slow) */
  for (i = 0; i < ntiles; i++) {
    const int64_t b0 = ocb0 + RT_IDIV(i * n, ntiles), b1 = ocb0 + RT_IDIV((i + 1) * n, ntiles);
    const int nb = (int)(b1 - b0), npm = np_max(nb);
    /* the positions in tiles of np and np + 1 (k of the larger), as even
     * as they go: 49 positions are 4 x 6 + 5 x 5, not 8 x 6 + 1 (a
     * one-position tile has too few accumulators to hide the latency) */
    const int64_t npos = pos1 - pos0, count = RT_IDIV(npos + npm - 1, npm), np = RT_IDIV(npos, count);
    const int64_t k = npos - np * count, q = pos0 + k * (np + 1);
    const int64_t rrow = RT_IDIV(q, g->out_w), rcol = q - rrow * g->out_w;
    float bias_v[NB_MAX * B];
    tile_bias(bias, g->out_ch, b0, nb, bias_v);
    t->w = w + b0 * w_block;
    t->yb = yb + (b0 - ocb0) * g->y_block;
    warm_share(t, g, i, ntiles, count);
    t->bias = bias_v;
    t->warm_tile0 = 0;
    if (k) tiles[nb - 1][np](t, k, row0, col0);
    t->warm_tile0 = k;
    tiles[nb - 1][np - 1](t, count - k, rrow, rcol);
  }
}

#endif
