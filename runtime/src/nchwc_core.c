/* The channel-blocked direct convolution core (nchwc_internal.h has the
 * layouts and the contract).
 *
 * Loop order, for a call's range of output blocks and positions:
 *   for each tile of NB output blocks
 *     for each tile of NP positions
 *       acc = the bias
 *       for each input block, tap, input channel (all of K):
 *         NB weight vectors, NP broadcast inputs, NB x NP multiply-adds
 *       store acc to yb
 * The tile's weights (NB x in_blocks x taps KiB) are reused by every tile
 * of positions from L2 and prefetched into L1 two taps ahead; the next
 * input block's lines of each position are prefetched a block ahead.
 * Keeping all of K in the registers was measured faster than cutting K
 * into L1-sized chunks with the partial sums stored and reloaded between
 * them (benchmarks/README.md, "conv_bench"): a tile's start and end cost
 * more than the L2 reads save, and gcc spilled the accumulators around
 * every short run. Every output adds bias, then input blocks, taps and
 * channels in order, whatever the tiles: the results do not depend on the
 * ranges a caller splits the work into, nor on the build's tile sizes.
 *
 * Two bodies with that structure: AVX-512 intrinsics (a zmm per 16
 * output channels; tiles of 4 x 6, 3 x 8, 2 x 12 or 1 x 12: at most 24
 * accumulators + NB weights + 1 broadcast of the 32 registers; 2 x 12 too
 * for wide weights, WIDE_TILE_BYTES) and plain
 * C (float acc[NB][NP][16], an inner loop over the 16 lanes that the C
 * compiler vectorizes for whatever vectors the target has). */
#include "nchwc_internal.h"

#include <math.h>
#include <stddef.h>

#include "epilogue_internal.h"
#include "index_internal.h"

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

/* A tile whose weights pass this many bytes (a fourth of L2) has at most
 * 2 blocks: they stream from L2 (or beyond, the first time), and a 2 x 12
 * tile reads half the weight bytes per multiply-add of a 4 x 6 one.
 * Measured on resnet18's convs of 256 and 512 input channels: 3x3 512
 * 73 -> 80 % of peak, 256 -> 512 at stride 2 73 -> 79 %; the smaller ones
 * (whose tiles stay below) run as fast or a little faster with 4 x 6. */
#define WIDE_TILE_BYTES (512 * 1024)

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

#if RT_NCHWC_AVX512

/* Prefetches the line `floats` past s into L1. In integers: the address
 * may be past the end of s's buffer (the last taps' next tap), which a
 * prefetch does not mind but C pointer arithmetic would. */
static NCHWC_INLINE void prefetch_ahead(const float *s, int64_t floats) {
  _mm_prefetch((const char *)((uintptr_t)s + (uintptr_t)(floats * (int64_t)sizeof(float))), _MM_HINT_T0);
}

/* `count` tiles of NB blocks x NP positions from (row, col) on. NB and NP
 * are constants in each instance below, so the loops over them unroll and
 * acc lives in registers. The loops over units and taps are do-while
 * (never empty): with a path that skips them, gcc moved acc through the
 * stack at every tile. */
static NCHWC_INLINE void tile_run(const int NB, const int NP, const tile_ctx *t, int64_t count, int64_t row,
                                  int64_t col) {
  int64_t i;
  for (i = 0; i < count; i++) {
    __m512 acc[NB_MAX][NP_CAP];
    const float *x[NP_CAP];
    float *y[NP_CAP];
    int64_t u = 0, kw;
    int b, p, ic;
    tile_positions(t, NP, &row, &col, x, y);
    for (b = 0; b < NB; b++) {
      const __m512 v = _mm512_loadu_ps(t->bias + B * b);
      for (p = 0; p < NP; p++) acc[b][p] = v;
    }
    do {
      const int64_t icb = RT_IDIV(u, t->kernel_h), kh = u - icb * t->kernel_h;
      const float *wu = t->w + u * t->kernel_w * B * B;
      const int64_t off_u = icb * t->x_block + kh * t->tap_h;
      kw = 0;
      do {
        const float *wk = wu + kw * B * B;
        const int64_t off = off_u + kw * t->tap_w;
        /* the same lines of the next input block */
        for (p = 0; p < NP; p++) prefetch_ahead(x[p] + off, t->x_block);
        for (ic = 0; ic < B; ic++) {
          __m512 wv[NB_MAX];
          for (b = 0; b < NB; b++) wv[b] = _mm512_loadu_ps(wk + b * t->w_block + ic * B);
          /* this line of each block two taps on */
          for (b = 0; b < NB; b++) prefetch_ahead(wk + b * t->w_block + ic * B, 2 * B * B);
          for (p = 0; p < NP; p++) {
            const __m512 xv = _mm512_set1_ps(x[p][off + ic]);
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

static NCHWC_INLINE void tile_run(const int NB, const int NP, const tile_ctx *t, int64_t count, int64_t row,
                                  int64_t col) {
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
      const float *wu = t->w + u * t->kernel_w * B * B;
      const int64_t off_u = icb * t->x_block + kh * t->tap_h;
      for (kw = 0; kw < t->kernel_w; kw++) {
        const float *wk = wu + kw * B * B;
        const int64_t off = off_u + kw * t->tap_w;
        for (ic = 0; ic < B; ic++)
          for (p = 0; p < NP; p++) {
            const float xv = x[p][off + ic];
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

/* One function per tile shape, so each has its constants. */
typedef void (*tile_fn)(const tile_ctx *t, int64_t count, int64_t row, int64_t col);
#define TILE(NB, NP) \
  static void tile_##NB##_##NP(const tile_ctx *t, int64_t count, int64_t row, int64_t col) { \
    tile_run(NB, NP, t, count, row, col);                                                      \
  }
#if RT_NCHWC_AVX512
#define TILE_ROW12(NB) TILE(NB, 1) TILE(NB, 2) TILE(NB, 3) TILE(NB, 4) TILE(NB, 5) TILE(NB, 6) \
  TILE(NB, 7) TILE(NB, 8) TILE(NB, 9) TILE(NB, 10) TILE(NB, 11) TILE(NB, 12)
TILE_ROW12(1)
TILE_ROW12(2)
TILE(3, 1) TILE(3, 2) TILE(3, 3) TILE(3, 4) TILE(3, 5) TILE(3, 6) TILE(3, 7) TILE(3, 8)
TILE(4, 1) TILE(4, 2) TILE(4, 3) TILE(4, 4) TILE(4, 5) TILE(4, 6)
#define TILE_PTRS12(NB) {tile_##NB##_1, tile_##NB##_2, tile_##NB##_3, tile_##NB##_4, tile_##NB##_5, tile_##NB##_6, \
  tile_##NB##_7, tile_##NB##_8, tile_##NB##_9, tile_##NB##_10, tile_##NB##_11, tile_##NB##_12}
static const tile_fn tiles[NB_MAX][NP_CAP] = {
    TILE_PTRS12(1),
    TILE_PTRS12(2),
    {tile_3_1, tile_3_2, tile_3_3, tile_3_4, tile_3_5, tile_3_6, tile_3_7, tile_3_8, NULL, NULL, NULL, NULL},
    {tile_4_1, tile_4_2, tile_4_3, tile_4_4, tile_4_5, tile_4_6, NULL, NULL, NULL, NULL, NULL, NULL},
};
#else
TILE(1, 1) TILE(1, 2) TILE(1, 3) TILE(1, 4)
TILE(2, 1) TILE(2, 2)
static const tile_fn tiles[NB_MAX][NP_CAP] = {
    {tile_1_1, tile_1_2, tile_1_3, tile_1_4},
    {tile_2_1, tile_2_2, NULL, NULL},
};
#endif
#undef TILE

void rt_nchwc_core(const rt_nchwc_geom *g, const float *xp, const float *w, const float *bias, int64_t ocb0,
                   int64_t ocb1, int64_t pos0, int64_t pos1, float *yb) {
  const int64_t taps = g->kernel_h * g->kernel_w, w_block = g->in_blocks * taps * B * B;
  const int64_t nbm = w_block * (int64_t)sizeof(float) * NB_MAX > WIDE_TILE_BYTES ? 2 : NB_MAX;
  const int64_t n = ocb1 - ocb0, ntiles = RT_IDIV(n + nbm - 1, nbm);
  const int64_t row0 = RT_IDIV(pos0, g->out_w), col0 = RT_IMOD(pos0, g->out_w);
  tile_ctx t;
  int64_t i;
  t.w_block = w_block;
  t.y_block = g->y_block;
  t.y_row = g->y_row;
  t.xp = xp;
  t.units = g->in_blocks * g->kernel_h;
  t.kernel_h = g->kernel_h;
  t.kernel_w = g->kernel_w;
  t.x_block = g->x_block;
  t.tap_h = g->dil_h * g->x_row;
  t.tap_w = g->dil_w * B;
  t.step_h = g->stride_h * g->x_row;
  t.step_w = g->stride_w * B;
  t.out_w = g->out_w;
  t.x_origin = g->x_top * g->x_row;
  t.y_origin = row0 * g->y_row + col0 * B;
  t.epi = g->epi;
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
    int j;
    for (j = 0; j < nb * B; j++) {
      const int64_t oc = b0 * B + j;
      bias_v[j] = bias && oc < g->out_ch ? bias[oc] : 0.0f;
    }
    t.w = w + b0 * w_block;
    t.yb = yb + (b0 - ocb0) * g->y_block;
    t.bias = bias_v;
    if (k) tiles[nb - 1][np](&t, k, row0, col0);
    tiles[nb - 1][np - 1](&t, count - k, rrow, rcol);
  }
}
