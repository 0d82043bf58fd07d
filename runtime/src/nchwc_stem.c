/* rt_conv_f32_nchwc_stem: a network's first conv, whose input has a few
 * channels in NCHW planes (an image's 3), writing its output blocked
 * (kernels/nchwc.h), so the chain of blocked convs after it starts
 * without a ToBlocked.
 *
 * In blocks of 16 input channels, 3 channels would make 16/3 times the
 * multiply-adds (13 of each 16 on zeros); rt_conv_f32_im2col_packed's
 * GEMM has a K of only 27 (3 x 3 x 3) to amortise its panels over, and
 * writes NCHW, which a ToBlocked then transposes. Here the core of
 * nchwc_core.c runs on the planes themselves: its tiles step the input
 * channels of each tap (PLANAR tiles of nchwc_tile.h) a plane apart
 * instead of 16 lanes of one block, so every multiply-add is a real one,
 * and each tile of output blocks is stored blocked, the fused epilogue
 * applied while it is in L1. On AVX-512 a row's positions go through row
 * tiles of their own (below), which keep one input pointer.
 *
 * The weights are packed at compile time as [ocb][kh][kw][ic][16]: per
 * tap only the real input channels (the core's weights of one tap are
 * then C x 16 floats, not 16 x 16). Per band of output positions the
 * input rows the band's windows reach are copied, zero-bordered, into the
 * task's buffer as [ic][row][col]: every tap is then in bounds. Pieces
 * and tasks as in rt_conv_f32_nchwc_blocked (bands of positions x groups
 * of output blocks, band-major, a task taking whole pieces); an output's
 * sum is the bias, then the taps in row-major order and the channels of
 * each, whoever computes it, so any split gives the same bits. */
#include <stdint.h>
#include <string.h>

#include "nchwc_tile.h"
#include "vmath_avx512.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"

/* Tiles for any count of input channels (rt_conv_f32_nchwc_stem), and for
 * one (rt_conv_f32_nchwc_stem_mono: a mono waveform, a grey image;
 * nchwc_tile.h, PLANAR 2). Two kernels, not a choice inside one, so that
 * a program links (--gc-sections) only the table its stem uses. */
NCHWC_TILE_TABLE(stem, 1)
NCHWC_TILE_TABLE(stem1, 2)

#if RT_NCHWC_AVX512
/* ---- row tiles ----
 *
 * The tiles above take their np positions anywhere (a tile may run over a
 * row's end), so each keeps np input pointers: with 12 of them and the
 * loops over kh, kw and the channels, gcc ran out of registers and moved
 * pointers and counters through the stack and xmm registers around every
 * few multiply-adds. A stem's taps are few (27 for a 3x3 RGB stem), so
 * that overhead was most of its time: mobilenet_v3_small's stem ran at
 * 45 % of the FMA peak where the blocked core reaches 95 %. A row tile
 * takes positions of one output row, at a stride that is a constant of
 * the instance (1 or 2, the strides stems use), so every input it reads
 * is one pointer plus a constant; and the taps and channels are one loop
 * over a table of their offsets in the band (stem_job.offs), in the order
 * the weights are packed, (kh, kw, ic): the order of each output's sum is
 * the tiles', so their results are the same bits. Only for the sizes a
 * row splits into, np_max(nb) and one less; a row's other pieces (short
 * rows, a band's partial rows) go through the tiles above. */

/* The most taps x channels a row tile's offset table holds (a 7x7 RGB
 * stem has 147); a stem with more takes the tiles above. */
#define ROW_TAPS_MAX 512

typedef struct row_ctx {
  const float *w;      /* the tile's first block's weights, k = 0 */
  const float *bias;   /* 16 floats a block */
  const int32_t *offs; /* k's input, floats from the position's window */
  int64_t taps;        /* entries of offs (>= 1) */
  int64_t w_block;     /* floats between two blocks' weights */
  int64_t y_block;
  tile_ctx epi;        /* for tile_epilogue: its epi and y_block only */
  int epi_in_regs;     /* tile_epi_in_regs(epi.epi): applied before the stores */
} row_ctx;

/* With a row's outputs consecutive, gcc saw the stores of one block's
 * accumulators as a copy, spilled them to the stack and called memcpy
 * (768 bytes a tile of 1 x 12); row tiles are compiled without that
 * rewrite. */
#if defined(__GNUC__) && !defined(__clang__)
#define ROW_TILE_NO_MEMCPY __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define ROW_TILE_NO_MEMCPY
#endif

/* The epilogues a tile can apply to its accumulators before it stores
 * them: the residual's add, then no activation, Relu, Clip, HardSwish,
 * Sigmoid or SiLU, each computing what rt_act_apply_f32 does (epilogue.c,
 * act_internal.h) operation for operation, with its comparisons' outcomes
 * on NaN, so the bits are the same: x + r, then x > 0 ? x : 0; (x < a ?
 * a : x) > b ? b : ...; x * clamp01(x / 6 + 0.5); and the sigmoid of
 * vmath_avx512.h that its AVX-512 path takes (x times it for SiLU). The
 * call of the epilogue per block of a tile (rt_act_apply_f32 over a dozen
 * vectors: its switch, its aliasing checks) took 8 % of an RGB stem's
 * time. The blocked core's tiles (nchwc_tile.h) measured slower with it:
 * gcc stored their 24 accumulators to the stack and read them back, and
 * mobilenet_v2's blocked convs took 1.015 of their time. */
static inline int tile_epi_in_regs(const rt_epi *e) {
  return e && (e->act == RT_ACT_NONE || e->act == RT_ACT_RELU || e->act == RT_ACT_CLIP ||
               e->act == RT_ACT_HARD_SWISH || e->act == RT_ACT_SIGMOID || e->act == RT_ACT_SILU);
}

/* The epilogue of e, whose activation is ACT (a constant where it is
 * inlined), on v, the 16 outputs at y. */
static NCHWC_INLINE __m512 tile_epi_regs(const int32_t ACT, const rt_epi *e, __m512 v, const float *y) {
  const __m512 zero = _mm512_setzero_ps();
  if (e->res) v = _mm512_add_ps(v, _mm512_loadu_ps(e->res + (y - e->y)));
  if (ACT == RT_ACT_RELU) return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v);
  if (ACT == RT_ACT_CLIP) {
    const __m512 lo = _mm512_set1_ps(e->a), hi = _mm512_set1_ps(e->b);
    const __m512 u = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, lo, _CMP_LT_OQ), v, lo);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(u, hi, _CMP_GT_OQ), u, hi);
  }
  if (ACT == RT_ACT_HARD_SWISH) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 t = _mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(1.0f / 6.0f)), _mm512_set1_ps(0.5f));
    const __m512 upper = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(t, one, _CMP_GT_OQ), t, one);
    return _mm512_mul_ps(v, _mm512_mask_blend_ps(_mm512_cmp_ps_mask(t, zero, _CMP_LT_OQ), upper, zero));
  }
  if (ACT == RT_ACT_SIGMOID) return rt_v16_sigmoid(v);
  if (ACT == RT_ACT_SILU) return _mm512_mul_ps(v, rt_v16_sigmoid(v));
  return v;
}

/* NB blocks x NP positions of one row: the window of position p starts
 * at x + p * STRIDE, its outputs at y + p * 16. */
static NCHWC_INLINE ROW_TILE_NO_MEMCPY void row_tile_run(const int NB, const int NP, const int STRIDE,
                                                         const row_ctx *r, const float *x, float *y) {
  __m512 acc[NB_MAX][NP_CAP];
  const float *wk = r->w;
  const int32_t *off = r->offs;
  int64_t k = r->taps;
  int b, p;
  for (b = 0; b < NB; b++) {
    const __m512 v = _mm512_loadu_ps(r->bias + B * b);
    for (p = 0; p < NP; p++) acc[b][p] = v;
  }
  do {
    const float *xk = x + *off++;
    __m512 wv[NB_MAX];
    for (b = 0; b < NB; b++) wv[b] = _mm512_loadu_ps(wk + b * r->w_block);
    for (p = 0; p < NP; p++) {
      const __m512 xv = _mm512_set1_ps(xk[p * STRIDE]);
      for (b = 0; b < NB; b++) acc[b][p] = _mm512_fmadd_ps(xv, wv[b], acc[b][p]);
    }
    wk += B;
  } while (--k);
  /* the epilogue in registers (tile_epi_regs), one loop per case, each
   * unrolled whole: a tile of one block keeps acc in registers (with the
   * case chosen per vector gcc stored acc to the stack and read it back;
   * it still does for more blocks, and that is still faster than the
   * call). Activations it does not take: the call, after the stores. */
  switch (r->epi_in_regs ? r->epi.epi->act : -1) {
#define ROW_STORE(EXPR)                      \
  for (b = 0; b < NB; b++)                   \
    for (p = 0; p < NP; p++) {               \
      float *d = y + b * r->y_block + p * B; \
      _mm512_storeu_ps(d, EXPR);             \
    }                                        \
  break;
  case RT_ACT_NONE: ROW_STORE(tile_epi_regs(RT_ACT_NONE, r->epi.epi, acc[b][p], d))
  case RT_ACT_RELU: ROW_STORE(tile_epi_regs(RT_ACT_RELU, r->epi.epi, acc[b][p], d))
  case RT_ACT_CLIP: ROW_STORE(tile_epi_regs(RT_ACT_CLIP, r->epi.epi, acc[b][p], d))
  case RT_ACT_HARD_SWISH: ROW_STORE(tile_epi_regs(RT_ACT_HARD_SWISH, r->epi.epi, acc[b][p], d))
  case RT_ACT_SIGMOID: ROW_STORE(tile_epi_regs(RT_ACT_SIGMOID, r->epi.epi, acc[b][p], d))
  case RT_ACT_SILU: ROW_STORE(tile_epi_regs(RT_ACT_SILU, r->epi.epi, acc[b][p], d))
  default: ROW_STORE(acc[b][p])
#undef ROW_STORE
  }
  if (r->epi.epi && !r->epi_in_regs) tile_epilogue(&r->epi, NB, NP, y);
}

typedef void (*row_tile_fn)(const row_ctx *r, const float *x, float *y);
#define ROW_TILE(NB, NP, S)                                                                              \
  static ROW_TILE_NO_MEMCPY void row_tile_##NB##_##NP##_##S(const row_ctx *r, const float *x, float *y) { \
    row_tile_run(NB, NP, S, r, x, y);                                                                    \
  }
#define ROW_TILES_OF(NB, NP) ROW_TILE(NB, NP, 1) ROW_TILE(NB, NP, 2)
ROW_TILES_OF(1, 12) ROW_TILES_OF(1, 11) ROW_TILES_OF(2, 12) ROW_TILES_OF(2, 11)
ROW_TILES_OF(3, 8) ROW_TILES_OF(3, 7) ROW_TILES_OF(4, 6) ROW_TILES_OF(4, 5)
#define ROW_TILE_PTRS(NB, NP) {row_tile_##NB##_##NP##_1, row_tile_##NB##_##NP##_2}

/* row_tiles[nb - 1][np == np_max(nb)][stride_index(stride)] */
static const row_tile_fn row_tiles[NB_MAX][2][2] = {
    {ROW_TILE_PTRS(1, 11), ROW_TILE_PTRS(1, 12)},
    {ROW_TILE_PTRS(2, 11), ROW_TILE_PTRS(2, 12)},
    {ROW_TILE_PTRS(3, 7), ROW_TILE_PTRS(3, 8)},
    {ROW_TILE_PTRS(4, 5), ROW_TILE_PTRS(4, 6)},
};

/* The strides row tiles take, as their index in row_tiles; -1: none.
 * Images' stems step 2 (1 on small images). audio_cnn1d's steps 4, but
 * its one channel already has tiles without a channel loop (PLANAR 2):
 * row tiles of stride 4 took its stem from 10.5 to 10.4 us, not worth
 * 8 more functions. */
static int stride_index(int64_t stride) { return stride == 1 ? 0 : stride == 2 ? 1 : -1; }
#define ROW_TILES_ENABLED 1
#else
#define ROW_TILES_ENABLED 0
#endif

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* ---- weights ---- */

int64_t rt_conv_f32_nchwc_stem_floats(const rt_conv_params *p) {
  return rt_nchwc_blocks(p->out_ch) * p->kernel[0] * p->kernel[1] * p->in_ch * B;
}

void rt_conv_f32_nchwc_stem_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t taps = p->kernel[0] * p->kernel[1], ob = rt_nchwc_blocks(p->out_ch);
  int64_t ocb, t, ic, oc;
  for (ocb = 0; ocb < ob; ocb++)
    for (t = 0; t < taps; t++)
      for (ic = 0; ic < p->in_ch; ic++) {
        float *d = packed + ((ocb * taps + t) * p->in_ch + ic) * B;
        for (oc = 0; oc < B; oc++) {
          const int64_t o = ocb * B + oc;
          d[oc] = o < p->out_ch ? w[(o * p->in_ch + ic) * taps + t] : 0.0f;
        }
      }
}

/* ---- the call's geometry ---- */

typedef struct stem_shape {
  int64_t ob, osp, wp; /* output blocks, positions, floats of a padded input row */
  int64_t rows;        /* padded rows a band's buffer holds: enough for any band */
  int64_t bands, groups;
} stem_shape;

/* The most positions in a band, and the fewest a split may cut one to. */
#define PIECE_POSITIONS RT_NCHWC_PIECE_POSITIONS
#define PIECE_BLOCKS RT_NCHWC_PIECE_BLOCKS
#define BAND_MIN_POSITIONS 24

/* The shape of a call of `tasks` tasks. A band of at most PIECE_POSITIONS
 * positions spans at most PIECE_POSITIONS / OW + 2 output rows (partial
 * rows at both ends), whatever the cut: the buffer is sized for that, the
 * same for every task count. With several tasks the bands are cut finer,
 * a few at a time, until the pieces share out evenly. */
static void stem_shape_of(const rt_conv_params *p, int64_t tasks, stem_shape *s) {
  const int64_t oh = p->out_dims[0], ow = p->out_dims[1];
  const int64_t out_rows = min64(oh, RT_IDIV(PIECE_POSITIONS, max64(ow, 1)) + 2);
  int64_t b;
  s->ob = rt_nchwc_blocks(p->out_ch);
  s->osp = oh * ow;
  s->wp = (ow - 1) * p->strides[1] + (p->kernel[1] - 1) * p->dilations[1] + 1;
  s->rows = (out_rows - 1) * p->strides[0] + (p->kernel[0] - 1) * p->dilations[0] + 1;
  s->bands = max64(1, RT_IDIV(s->osp + PIECE_POSITIONS - 1, PIECE_POSITIONS));
  s->groups = RT_IDIV(s->ob + PIECE_BLOCKS - 1, PIECE_BLOCKS);
  if (tasks > 1 && RT_IMOD(s->bands * s->groups, tasks) != 0)
    for (b = s->bands + 1; b <= s->bands + 8 && b * BAND_MIN_POSITIONS <= s->osp; b++)
      if (RT_IMOD(b * s->groups, tasks) == 0) {
        s->bands = b;
        break;
      }
}

/* A task's band buffer. */
static size_t band_buffer_bytes(const rt_conv_params *p) {
  stem_shape s;
  stem_shape_of(p, 1, &s);
  return round64((size_t)(p->in_ch * s.rows * s.wp) * sizeof(float));
}

size_t rt_conv_f32_nchwc_stem_task_bytes(const rt_conv_params *p) { return RT_TASK_STRIDE(band_buffer_bytes(p)); }

size_t rt_conv_f32_nchwc_stem_scratch_bytes(const rt_conv_params *p) { return 64 + band_buffer_bytes(p); }

/* Padded rows [r0, r1) of the image's planes x into the band buffer xb
 * ([ic][row - r0][col], s->rows rows a channel): X's rows where they are,
 * zeros around. */
static void copy_band(const rt_conv_params *p, const stem_shape *s, const float *x, int64_t r0, int64_t r1,
                      float *xb) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], pl = p->pads[1];
  const int64_t lo = min64(s->wp, pl), hi = max64(lo, min64(s->wp, pl + iw));
  int64_t c, r;
  for (c = 0; c < p->in_ch; c++)
    for (r = r0; r < r1; r++) {
      const int64_t sr = r - p->pads[0];
      float *d = xb + (c * s->rows + r - r0) * s->wp;
      if (sr < 0 || sr >= ih) {
        memset(d, 0, sizeof(float) * (size_t)s->wp);
        continue;
      }
      memset(d, 0, sizeof(float) * (size_t)lo);
      memcpy(d + lo, x + (c * ih + sr) * iw + lo - pl, sizeof(float) * (size_t)(hi - lo));
      memset(d + hi, 0, sizeof(float) * (size_t)(s->wp - hi));
    }
}

typedef struct stem_job {
  const rt_conv_params *p;
  const stem_shape *s;
  const float *x, *w, *bias; /* x: the image's planes */
  float *y;                  /* the image's blocked output */
  const rt_epi *epi;
  char *buffers; /* task i's band buffer at + i * task_bytes (a stride, parallel.h) */
  size_t task_bytes;
  int64_t tasks;
  const tile_fn (*tiles)[NP_CAP]; /* stem_tiles or stem1_tiles */
  /* row tiles: taps > 0 where the call can take them, offs[k] the input
   * of tap and channel k = (kh * kernel_w + kw) * in_ch + ic */
  int64_t taps;
#if ROW_TILES_ENABLED
  int32_t offs[ROW_TAPS_MAX];
#endif
} stem_job;

/* j->taps and j->offs for the band buffers' layout; taps 0 where row
 * tiles cannot take the call (another stride, too many taps, offsets
 * past int32, a build without them). */
static void row_offsets(stem_job *j) {
#if ROW_TILES_ENABLED
  const rt_conv_params *p = j->p;
  const stem_shape *s = j->s;
  const int64_t taps = p->kernel[0] * p->kernel[1] * p->in_ch;
  const int64_t last = (p->in_ch - 1) * s->rows * s->wp + (p->kernel[0] - 1) * p->dilations[0] * s->wp +
                       (p->kernel[1] - 1) * p->dilations[1];
  int64_t kh, kw, ic, k = 0;
  j->taps = 0;
  if (taps > ROW_TAPS_MAX || last > INT32_MAX || stride_index(p->strides[1]) < 0) return;
  for (kh = 0; kh < p->kernel[0]; kh++)
    for (kw = 0; kw < p->kernel[1]; kw++)
      for (ic = 0; ic < p->in_ch; ic++)
        j->offs[k++] = (int32_t)(ic * s->rows * s->wp + kh * p->dilations[0] * s->wp + kw * p->dilations[1]);
  j->taps = taps;
#else
  j->taps = 0;
#endif
}

#if ROW_TILES_ENABLED
/* stem_core through row tiles: output blocks [ob0, ob1) at positions
 * [q0, q1) a row at a time, each row's positions in tiles of np_max(nb)
 * and one less, as even as they go (112 positions are 2 x 12 + 8 x 11);
 * a row that does not cut so (fewer positions than np_max(nb) - 1, or a
 * band's partial row as short) goes through the tiles of t and g. */
static void stem_rows(const stem_job *j, tile_ctx *t, const rt_nchwc_geom *g, const float *xb, int64_t r0,
                      int64_t ob0, int64_t ob1, int64_t q0, int64_t q1) {
  const rt_conv_params *p = j->p;
  const int64_t ow = p->out_dims[1], sw = p->strides[1], wp = j->s->wp;
  const int64_t w_block = p->kernel[0] * p->kernel[1] * p->in_ch * B;
  const int64_t n = ob1 - ob0, ntiles = RT_IDIV(n + NB_MAX - 1, NB_MAX);
  row_ctx r;
  int64_t i;
  r.offs = j->offs;
  r.taps = j->taps;
  r.w_block = w_block;
  r.y_block = g->y_block;
  r.epi.epi = j->epi;
  r.epi.y_block = g->y_block;
  r.epi_in_regs = tile_epi_in_regs(j->epi);
  for (i = 0; i < ntiles; i++) {
    const int64_t b0 = ob0 + RT_IDIV(i * n, ntiles), b1 = ob0 + RT_IDIV((i + 1) * n, ntiles);
    const int nb = (int)(b1 - b0), npm = np_max(nb);
    float bias_v[NB_MAX * B];
    int64_t q = q0;
    tile_bias(j->bias, p->out_ch, b0, nb, bias_v);
    r.w = j->w + b0 * w_block;
    r.bias = bias_v;
    while (q < q1) {
      const int64_t row = RT_IDIV(q, ow), c0 = q - row * ow, len = min64(ow - c0, q1 - q);
      const int64_t count = RT_IDIV(len + npm - 1, npm), np = RT_IDIV(len, count), k = len - np * count;
      float *y = j->y + b0 * g->y_block + q * B;
      if (np >= npm - 1) {
        const float *x = xb + (row * p->strides[0] - r0) * wp + c0 * sw;
        int64_t m;
        for (m = 0; m < count; m++) {
          const int64_t size = m < k ? np + 1 : np;
          row_tiles[nb - 1][size == npm][stride_index(sw)](&r, x, y);
          x += size * sw;
          y += size * B;
        }
      } else {
        nchwc_run_tiles(j->tiles, t, g, j->w, w_block, NB_MAX, j->bias, b0, b1, q, q + len, y);
      }
      q += len;
    }
  }
}
#endif

/* The core on the band in xb (padded rows from r0): output blocks
 * [ob0, ob1) at positions [q0, q1). */
static void stem_core(const stem_job *j, const float *xb, int64_t r0, int64_t ob0, int64_t ob1, int64_t q0,
                      int64_t q1) {
  const rt_conv_params *p = j->p;
  const stem_shape *s = j->s;
  const int64_t taps = p->kernel[0] * p->kernel[1];
  rt_nchwc_geom g;
  tile_ctx t;
  memset(&g, 0, sizeof g);
  g.out_ch = p->out_ch;
  g.out_w = p->out_dims[1];
  g.y_row = g.out_w * B;
  g.y_block = s->osp * B;
  t.y_block = g.y_block;
  t.y_row = g.y_row;
  t.xp = xb;
  t.units = p->kernel[0]; /* one input "block": the planes */
  t.kernel_h = p->kernel[0];
  t.kernel_w = p->kernel[1];
  t.x_block = 0;
  t.tap_h = p->dilations[0] * s->wp;
  t.tap_w = p->dilations[1];
  t.step_h = p->strides[0] * s->wp;
  t.step_w = p->strides[1];
  t.out_w = g.out_w;
  t.x_origin = r0 * s->wp;
  t.epi = j->epi;
  t.lanes = p->in_ch;
  t.x_lane = s->rows * s->wp;
  t.w_tap = p->in_ch * B;
#if ROW_TILES_ENABLED
  if (j->taps) {
    stem_rows(j, &t, &g, xb, r0, ob0, ob1, q0, q1);
    return;
  }
#endif
  nchwc_run_tiles(j->tiles, &t, &g, j->w, taps * p->in_ch * B, NB_MAX, j->bias, ob0, ob1, q0, q1,
                  j->y + ob0 * g.y_block + q0 * B);
}

/* Band bi's output positions [*q0, *q1): whole rows where the bands are
 * no more than the rows (a row's positions then go through row tiles
 * alone, none left over at a band's ends), else an even cut of the
 * positions. Either way a band spans at most PIECE_POSITIONS / OW + 2
 * rows (stem_shape_of): bands >= osp / PIECE_POSITIONS, so a band of
 * rows has at most ceil(oh / bands) <= PIECE_POSITIONS / OW + 1. */
static void band_positions(const rt_conv_params *p, const stem_shape *s, int64_t bi, int64_t *q0, int64_t *q1) {
  const int64_t oh = p->out_dims[0], ow = p->out_dims[1];
  if (s->bands <= oh) {
    *q0 = RT_IDIV(bi * oh, s->bands) * ow;
    *q1 = RT_IDIV((bi + 1) * oh, s->bands) * ow;
  } else {
    *q0 = RT_IDIV(bi * s->osp, s->bands);
    *q1 = RT_IDIV((bi + 1) * s->osp, s->bands);
  }
}

/* Pieces are numbered band-major: a task's consecutive pieces share a
 * band, copied once. */
static void stem_task(void *arg, int64_t i) {
  const stem_job *j = (const stem_job *)arg;
  const stem_shape *s = j->s;
  const rt_conv_params *p = j->p;
  float *xb = (float *)(j->buffers + (size_t)i * j->task_bytes);
  int64_t lo, hi, k, copied = -1;
  rt_parallel_share(s->bands * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t bi = RT_IDIV(k, s->groups), gi = k - bi * s->groups;
    const int64_t ob0 = RT_IDIV(gi * s->ob, s->groups), ob1 = RT_IDIV((gi + 1) * s->ob, s->groups);
    int64_t q0, q1, r0, r1;
    band_positions(p, s, bi, &q0, &q1);
    r0 = RT_IDIV(q0, p->out_dims[1]) * p->strides[0];
    r1 = RT_IDIV(q1 - 1, p->out_dims[1]) * p->strides[0] + (p->kernel[0] - 1) * p->dilations[0] + 1;
    if (bi != copied) {
      copy_band(p, s, j->x, r0, r1, xb);
      copied = bi;
    }
    stem_core(j, xb, r0, ob0, ob1, q0, q1);
  }
}

/* Both kernels: the call through `tiles`. */
static void stem_run(const void *params, const void *const *in, void *const *out, void *scratch,
                     const tile_fn tiles[NB_MAX][NP_CAP]) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  stem_shape s;
  stem_job j;
  rt_epi ev;
  int64_t n, tasks = rt_parallel_tasks(par);
  if (p->out_ch * p->out_dims[0] * p->out_dims[1] * p->in_ch * p->kernel[0] * p->kernel[1] < RT_NCHWC_SPLIT_MIN)
    tasks = 1;
  stem_shape_of(p, tasks, &s);
  if (s.osp <= 0) return;
  j.p = p;
  j.s = &s;
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.epi = RT_EPI_FROM(&ev, p, in, 3, y);
  j.buffers = (char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  j.task_bytes = rt_task_stride(par, rt_conv_f32_nchwc_stem_task_bytes(p));
  j.tasks = max64(1, min64(tasks, s.bands * s.groups));
  j.tiles = tiles;
  row_offsets(&j);
  for (n = 0; n < p->batch; n++) {
    j.x = x + n * p->in_ch * p->in_dims[0] * p->in_dims[1];
    j.y = y + n * s.ob * s.osp * B;
    rt_parallel_run(par, j.tasks, stem_task, &j);
  }
}

RT_KERNEL(rt_conv_f32_nchwc_stem) { stem_run(params, in, out, scratch, stem_tiles); }

RT_KERNEL(rt_conv_f32_nchwc_stem_mono) { stem_run(params, in, out, scratch, stem1_tiles); }
