/* Depthwise Conv over two spatial dims (rt_conv_f32_depthwise2d): one
 * input channel per output channel, any kernel, stride, dilation and
 * pads. (Other depthwise convs, and those of 1 or 3+ dims, take conv.c's
 * rt_conv_f32_depthwise.)
 *
 * Phase planes. Each input plane is copied into the zero-padded plane
 * the outputs read, cut by row modulo the row stride and by column modulo
 * the column stride into sh x sw "phase planes" of `rows` x `pw` floats.
 * Output (r, t) reads for tap (kr, kc) the padded position
 * (r * sh + kr * dh, t * sw + kc * dw), which is phase
 * ((kr * dh) % sh, (kc * dw) % sw) at row r + (kr * dh) / sh, column
 * t + (kc * dw) / sw: consecutive outputs of a row read consecutive floats
 * and the next output row reads the next phase row, whatever the stride.
 * At stride 2 the even and odd columns are split as each input row is
 * copied, and no tap reads strided data; at stride 1 there is one phase,
 * the padded plane. The copy runs a few rows ahead of the outputs that
 * read them, so the input streams in while earlier rows are computed.
 * Only the copied region differs from plane to plane: a task writes the
 * zero borders once per call.
 *
 * Tiles. 3x3 and 5x5 kernels at column stride 1 or 2 (mobilenet_v2/v3's
 * and efficientnet's; with dilated columns, as in DeepLab's backbones, at
 * column stride 1) are unrolled: a tile of
 * RB output rows x CB blocks of DW_LANES outputs keeps its sums in
 * registers while every tap is added, the bias first, then the taps in
 * row-major order (the order of conv.c's loops, so the results are the
 * same bits). With the row stride equal to the column stride and no
 * dilation, the tile's rows share their loads: each loaded vector of a
 * padded row feeds every output row of the tile that reads it (a 3x3
 * stride-1 tile of 4 rows loads 6 rows once, not 12), since unaligned
 * vector loads, not multiply-adds, bound this loop. With AVX-512 a block
 * is one zmm register, in intrinsics (the guard of sgemm_avx512.c:
 * -DRT_SGEMM_PORTABLE selects the C tile here too); elsewhere a loop of
 * DW_LANES floats the C compiler vectorizes. Rows of at least DW_LANES
 * outputs are tiled straight into Y, the last block of a row ending at
 * its end (it overlaps the one before and computes the same bits again
 * for their shared outputs). Shorter rows (7x7 and 14x14 planes) take one
 * block each, also straight into Y: a block's lanes past the row's end
 * (padding columns, junk) land on the next rows, which are stored after
 * it; the last rows, whose blocks would run past the plane, go through
 * scratch. On a core without float vectors a tile is one row and one
 * block. Every other kernel adds one tap at a time over a band of rows in
 * scratch. The fused epilogue finishes each group of rows, each short-row
 * plane or each band while it is in L1.
 *
 * Threads: task i of a split call takes its share of the planes (image x
 * channel) with its own scratch slice; each plane is computed alone, the
 * same way whatever the split. */
#include <stdint.h>
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h" /* MADD, RT_SGEMM_AVX512, rt_sgemm_copy_run */

#if RT_SGEMM_AVX512
#include <immintrin.h>
#endif

/* Outputs per block: one zmm register of floats, the width of the
 * AVX-512 tile; two ymm or four NEON registers for the C one. Fixed on
 * every target, since the scratch size must not depend on the build. */
#define DW_LANES 16

/* A band's floats of scratch, for the per-tap loop of other kernels (2
 * KiB: in L1 with the rows it reads). */
#define DW_BAND 512

/* Output rows the copy into the phase planes runs ahead of the tiles: a
 * row loaded right after it was stored stalls each load that straddles
 * two of the stores (store forwarding fails on the taps' shifted loads),
 * which made rows of 28 and 56 outputs slower than copying the whole
 * plane first. */
#define DW_AHEAD 2

/* The most padded rows a tile reads ((RB - 1) * S + K, dw_tile), times
 * the column phases: the row pointers of a plane. */
#define DW_MAX_PROWS 20

/* dw_tile's loops have constant bounds in every caller, but gcc and
 * clang left them rolled (range checks and weight indexing at run time,
 * the sums and weights in memory) unless told. */
#if defined(__clang__)
#define DW_INLINE inline __attribute__((always_inline))
#define DW_UNROLL _Pragma("clang loop unroll(full)")
#define DW_ROLLED _Pragma("clang loop unroll(disable)")
#elif defined(__GNUC__)
#define DW_INLINE inline __attribute__((always_inline))
#define DW_UNROLL _Pragma("GCC unroll 32")
#define DW_ROLLED _Pragma("GCC unroll 1")
#else
#define DW_INLINE inline
#define DW_UNROLL
#define DW_ROLLED
#endif

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t round_lanes(int64_t n) { return (n + DW_LANES - 1) & ~(int64_t)(DW_LANES - 1); }

/* A call's geometry, worked out once: the divisions stay out of the
 * per-row and per-plane loops (a call to a software routine on an MCU). */
typedef struct dw_geom {
  int64_t kh, kw, sh, sw, dh, dw, oh, ow;
  int64_t hp, wp;   /* the padded plane's rows and columns that outputs read */
  int64_t rows, pw; /* each phase plane: rows x pw floats */
  int64_t phase;    /* rows * pw */
  int64_t phases;   /* floats of the phase planes and the slack after them */
  int64_t band;     /* output rows per band (plane_general) */
  int unrolled;     /* 3 or 5: a K x K kernel at column stride 1 or 2, dilated columns only at 1; 0: any other */
  int shared;       /* unrolled, row stride = column stride, no dilation: tiles of several rows */
  /* Padded row u of a tile (u * dh below its top row, or u when shared),
   * column phase j: phase-plane offset prow[u * sw + j], the first
   * DW_MAX_PROWS. */
  int64_t prow[DW_MAX_PROWS];
  int64_t c0, cols; /* the input columns that outputs read: [c0, c0 + cols) */
  /* Column stride 2 with AVX-512, rows of at most 32 padded columns: the
   * masks of the one split step every row takes (split_rows_one), worked
   * out once rather than for each row. */
  int split_one;
  uint16_t split_masks[4];
} dw_geom;

/* Output rows per tile (dw_tile) of an unrolled K x K kernel at stride S
 * whose rows share loads, and blocks per row: as many sums as the vector
 * registers hold beside the K * K broadcast weights (32 zmm; with 16 ymm,
 * as on AVX2, the same sizes measured faster than 2 rows of one block,
 * the compiler's vectors of a tile being narrower). A core without float
 * vectors (Cortex-M) would keep DW_LANES scalar sums per block: there a
 * tile is one row and one block, the plain per-output loop, and its code
 * stays small (the tiles of several rows took 70 KiB of Cortex-M4 flash). */
#if RT_SGEMM_AVX512 || defined(__SSE2__) || defined(__aarch64__) || defined(__ARM_NEON) || defined(__riscv_vector)
#define DW_RB(K, S) ((S) == 1 ? 4 : 2)
#define DW_CB(K) ((K) == 3 ? 2 : 1)
#else
#define DW_RB(K, S) 1
#define DW_CB(K) 1
#endif

static void split_plan(dw_geom *g, int64_t c);

static void dw_geom_of(const rt_conv_params *p, dw_geom *g) {
  int64_t u, j, nrows;
  g->kh = p->kernel[0], g->kw = p->kernel[1];
  g->sh = p->strides[0], g->sw = p->strides[1];
  g->dh = p->dilations[0], g->dw = p->dilations[1];
  g->oh = p->out_dims[0], g->ow = p->out_dims[1];
  g->hp = (g->oh - 1) * g->sh + (g->kh - 1) * g->dh + 1;
  g->wp = (g->ow - 1) * g->sw + (g->kw - 1) * g->dw + 1;
  g->rows = RT_IDIV(g->hp + g->sh - 1, g->sh);
  g->pw = RT_IDIV(g->wp + g->sw - 1, g->sw);
  g->phase = g->rows * g->pw;
  /* A short row's block reads up to DW_LANES positions past the row, the
   * last row's past its phase plane, and the per-tap loop a few columns
   * past a band's last row (junk columns only): the slack keeps that
   * inside the zeroed scratch. */
  g->phases = g->sh * g->sw * g->phase + 2 * g->pw + DW_LANES;
  g->band = min64(g->oh, max64(1, RT_IDIV(DW_BAND, g->pw)));
  g->unrolled = 0;
  if (g->kh == g->kw && (g->kh == 3 || g->kh == 5) && (g->sw == 1 || (g->sw == 2 && g->dw == 1)))
    g->unrolled = (int)g->kh;
  g->shared = g->unrolled && g->sh == g->sw && g->dh == 1 && g->dw == 1;
  g->c0 = max64(0, -p->pads[1]);
  g->cols = max64(0, min64(p->in_dims[1], g->wp - p->pads[1]) - g->c0);
  split_plan(g, g->c0 + p->pads[1]);
  nrows = g->shared ? (DW_RB(g->kh, g->sh) - 1) * g->sh + g->kh : g->kh;
  memset(g->prow, 0, sizeof g->prow);
  if (g->unrolled)
    for (u = 0; u < nrows; u++) {
      const int64_t v = g->shared ? u : u * g->dh;
      for (j = 0; j < g->sw; j++) g->prow[u * g->sw + j] = (RT_IMOD(v, g->sh) * g->sw + j) * g->phase + RT_IDIV(v, g->sh) * g->pw;
    }
}

/* Scratch of one task: the phase planes with their slack, then one band
 * (at most min(DW_BAND, oh * pw) floats, or one row when a row is longer)
 * or a short-row plane's last rows (fewer than 20, under 100 floats),
 * with room for a block past the last row. Non-decreasing in the output
 * dims, so the bytes the compiler reserves for a node's largest dims
 * serve every smaller run. The pads do not enter: they may vary at run
 * time. */
size_t rt_conv_f32_depthwise2d_scratch_bytes(const rt_conv_params *p) {
  dw_geom g;
  dw_geom_of(p, &g);
  return (size_t)(g.phases + round_lanes(min64(DW_BAND, g.oh * g.pw)) + round_lanes(g.pw)) * sizeof(float);
}

/* What each task past the first adds: a slice as large as the one-task
 * scratch, 64-byte aligned, a stride apart (parallel.h). */
size_t rt_conv_f32_depthwise2d_task_bytes(const rt_conv_params *p) {
  return RT_TASK_STRIDE((rt_conv_f32_depthwise2d_scratch_bytes(p) + 63) & ~(size_t)63);
}

/* ---- filling the phase planes ---- */

/* d[0..n) = s[0..n): masked moves for a short row (memcpy's dispatch
 * costs more than a 7- or 14-float copy). */
static void copy_floats(float *d, const float *s, int64_t n) {
  if (n <= 32) rt_sgemm_copy_run(d, s, n);
  else memcpy(d, s, sizeof(float) * (size_t)n);
}

/* The offset in the phase planes of padded row pr's phase row. */
static int64_t phase_row(const dw_geom *g, int64_t pr) {
  if (g->sh == 1) return pr * g->pw; /* no division at the usual strides */
  if (g->sh == 2) return (pr & 1) * g->sw * g->phase + (pr >> 1) * g->pw;
  return RT_IMOD(pr, g->sh) * g->sw * g->phase + RT_IDIV(pr, g->sh) * g->pw;
}

#if RT_SGEMM_AVX512
/* Lanes [lo, hi) of 16, clamped. */
static uint16_t lane_range(int64_t lo, int64_t hi) {
  lo = lo < 0 ? 0 : lo;
  hi = hi > 16 ? 16 : hi;
  return hi <= lo ? (uint16_t)0 : (uint16_t)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* even[i] = src[2i], odd[i] = src[2i + 1] for i < pairs: 16 pairs a step
 * (two loads, two permutes, two stores), the rest in one masked step
 * (gcc's loop of 8 pairs left a 112-column row 7 pairs to split one by
 * one). */
static void split_pairs(float *even, float *odd, const float *src, int64_t pairs) {
  const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  int64_t i = 0;
  for (; i + 16 <= pairs; i += 16) {
    const __m512 a = _mm512_loadu_ps(src + 2 * i), b = _mm512_loadu_ps(src + 2 * i + 16);
    _mm512_storeu_ps(even + i, _mm512_permutex2var_ps(a, ie, b));
    _mm512_storeu_ps(odd + i, _mm512_permutex2var_ps(a, io, b));
  }
  if (i < pairs) {
    const int64_t n = pairs - i;
    const uint16_t mb = lane_range(0, 2 * n - 16);
    const __m512 a = _mm512_maskz_loadu_ps(lane_range(0, 2 * n), src + 2 * i);
    const __m512 b = _mm512_maskz_loadu_ps(mb, mb ? src + 2 * i + 16 : src); /* no pointer past the row */
    _mm512_mask_storeu_ps(even + i, lane_range(0, n), _mm512_permutex2var_ps(a, ie, b));
    _mm512_mask_storeu_ps(odd + i, lane_range(0, n), _mm512_permutex2var_ps(a, io, b));
  }
}

/* Column stride 2, rows of at most 32 columns counted from the even
 * column at or below the first padded column c (o = c % 2 of them
 * before the row): split in one step of two masked loads, two permutes
 * and two masked stores. The masks, the same for every row, are worked
 * out once per call: those of the loads (lane l is the row's float l)
 * and of the even and odd stores (pair j: columns 2j and 2j + 1 of the
 * step), which cover exactly the row's columns. The gcc-vectorized loop
 * of longer rows (split_pairs) is as fast, but a 7-pair row of a 14x14
 * plane would run its scalar head, remainder and tail. */
static void split_plan(dw_geom *g, int64_t c) {
  const int64_t o = c & 1, end = o + g->cols;
  g->split_one = g->sw == 2 && end <= 32;
  g->split_masks[0] = lane_range(0, g->cols);
  g->split_masks[1] = lane_range(0, g->cols - 16);
  g->split_masks[2] = lane_range(o, (end + 1) >> 1);
  g->split_masks[3] = lane_range(0, end >> 1);
}

/* Padded rows [pr0, pr1) (input row pr - pt at x + (pr - pt) * iw) in
 * the one step of split_plan. A row that starts at an odd column has the
 * permutes shifted by one column (so no load reads before the row; an
 * expanding load does the same at twice the cost). */
static void split_rows_one(const dw_geom *g, float *ph, const float *x, int64_t iw, int64_t pt, int64_t pr0,
                           int64_t pr1, int64_t c) {
  const __m512i pe = c & 1 ? _mm512_set_epi32(29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1, 0)
                           : _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i po = c & 1 ? _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0)
                           : _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const uint16_t *m = g->split_masks;
  int64_t pr;
  for (pr = pr0; pr < pr1; pr++) {
    const float *src = x + (pr - pt) * iw;
    float *even = ph + phase_row(g, pr) + (c >> 1), *odd = even + g->phase;
    const __m512 a = _mm512_maskz_loadu_ps(m[0], src);
    const __m512 b = _mm512_maskz_loadu_ps(m[1], m[1] ? src + 16 : src); /* no pointer past the row */
    _mm512_mask_storeu_ps(even, m[2], _mm512_permutex2var_ps(a, pe, b));
    _mm512_mask_storeu_ps(odd, m[3], _mm512_permutex2var_ps(a, po, b));
  }
}
#else
static void split_plan(dw_geom *g, int64_t c) {
  (void)c;
  g->split_one = 0;
}

/* even[i] = src[2i], odd[i] = src[2i + 1] for i < pairs. */
static void split_pairs(float *restrict even, float *restrict odd, const float *restrict src, int64_t pairs) {
  int64_t i;
  for (i = 0; i < pairs; i++) { /* vectorizes: loads and permutes */
    even[i] = src[2 * i];
    odd[i] = src[2 * i + 1];
  }
}
#endif

/* Column stride 2: padded rows [pr0, pr1) (input row pr - pt at
 * x + (pr - pt) * iw, its g->cols floats from padded column c on) to
 * their even and odd phase rows (padded column c at even[c / 2] when c is
 * even, at odd[c / 2] when odd). */
static void split_rows(const dw_geom *g, float *ph, const float *x, int64_t iw, int64_t pt, int64_t pr0, int64_t pr1,
                       int64_t c) {
  int64_t pr;
#if RT_SGEMM_AVX512
  if (g->split_one) {
    split_rows_one(g, ph, x, iw, pt, pr0, pr1, c);
    return;
  }
#endif
  for (pr = pr0; pr < pr1; pr++) {
    const float *src = x + (pr - pt) * iw;
    float *even = ph + phase_row(g, pr), *odd = even + g->phase;
    int64_t n = g->cols, cc = c;
    if (n > 0 && (cc & 1)) {
      odd[cc >> 1] = *src++;
      n--;
      cc++;
    }
    split_pairs(even + (cc >> 1), odd + (cc >> 1), src, n >> 1);
    if (n & 1) even[(cc >> 1) + (n >> 1)] = src[n - 1];
  }
}

/* Padded rows [*done, upto) of input plane x into the phase planes at
 * ph, whose zeros are in place; then *done = upto. */
static void fill_rows(const rt_conv_params *p, const dw_geom *g, const float *x, float *ph, int64_t *done,
                      int64_t upto) {
  const int64_t iw = p->in_dims[1], pt = p->pads[0], c = g->c0 + p->pads[1];
  const int64_t pr0 = max64(*done, pt), pr1 = min64(min64(upto, g->hp), p->in_dims[0] + pt);
  int64_t pr, i, j, col;
  *done = upto;
  if (g->cols <= 0 || pr1 <= pr0) return;
  x += g->c0;
  if (g->sw == 2) {
    split_rows(g, ph, x, iw, pt, pr0, pr1, c);
    return;
  }
  for (pr = pr0; pr < pr1; pr++) {
    const float *src = x + (pr - pt) * iw;
    float *dst = ph + phase_row(g, pr);
    if (g->sw == 1) {
      copy_floats(dst + c, src, g->cols);
      continue;
    }
    j = RT_IMOD(c, g->sw);
    col = RT_IDIV(c, g->sw);
    for (i = 0; i < g->cols; i++) {
      dst[j * g->phase + col] = src[i];
      if (++j == g->sw) j = 0, col++;
    }
  }
}

/* The padded rows that output rows [0, r) read. */
static int64_t rows_read(const dw_geom *g, int64_t r) { return (r - 1) * g->sh + (g->kh - 1) * g->dh + 1; }

/* Rows [0, n) of a band at tmp (pitch pw) into Y (pitch ow), then the
 * epilogue over them (contiguous: one loop). */
static void unband(const dw_geom *g, const float *tmp, int64_t n, float *y, const rt_epi *e) {
  int64_t r;
  for (r = 0; r < n; r++) copy_floats(y + r * g->ow, tmp + r * g->pw, g->ow);
  if (e) rt_epi_tile(e, y, n * g->ow, 1, n * g->ow);
}

/* ---- the unrolled kernels ---- */

/* The phase column of tap kc in a tile: kc / S, or kc * cd (the column
 * dilation, at column stride 1) in the DIL tiles, a separate build of
 * the tiles so that the usual ones keep constant offsets. */
#define DW_COL(kc) (DIL ? (kc) * cd : (kc) / S)

/* A tile: RB output rows x CB blocks of DW_LANES outputs of a K x K
 * kernel at column stride S, columns dilated by cd when DIL (constants
 * in every caller but cd). Output row i,
 * block c goes to dst + i * ldd + c * DW_LANES; it starts at flat
 * position q + i * pw + c * DW_LANES of the phase rows. Row i's tap
 * (kr, kc) reads padded row u = i * S + kr of the tile (RB > 1 only when
 * the rows share loads: row stride S, no dilation), whose column phase j
 * starts at prow[u * S + j]; w: the weights, row-major. Each loaded
 * vector feeds every row of the tile that reads it, and each output adds
 * the bias, then its taps in row-major order. */
#if RT_SGEMM_AVX512
static DW_INLINE void dw_tile(int K, int S, int DIL, int RB, int CB, int ordered, const float *const *prow,
                              int64_t q, int64_t cd, const float *w, float b, float *dst, int64_t ldd) {
  __m512 acc[4][2], wv[5 * 5];
  int u, kc, c, i;
  (void)ordered; /* the rows are stored in order anyway */
  DW_UNROLL
  for (i = 0; i < K * K; i++) wv[i] = _mm512_set1_ps(w[i]);
  DW_UNROLL
  for (i = 0; i < 4; i++) /* all of them: gcc warns of the unused ones otherwise */
    DW_UNROLL
    for (c = 0; c < 2; c++) acc[i][c] = _mm512_set1_ps(b);
  DW_UNROLL
  for (u = 0; u < (RB - 1) * S + K; u++)
    DW_UNROLL
    for (kc = 0; kc < K; kc++)
      DW_UNROLL
      for (c = 0; c < CB; c++) {
        const __m512 v = _mm512_loadu_ps(prow[u * S + kc % S] + q + DW_COL(kc) + c * DW_LANES);
        DW_UNROLL
        for (i = 0; i < RB; i++)
          if (u - i * S >= 0 && u - i * S < K) acc[i][c] = _mm512_fmadd_ps(wv[(u - i * S) * K + kc], v, acc[i][c]);
      }
  DW_UNROLL
  for (i = 0; i < RB; i++)
    DW_UNROLL
    for (c = 0; c < CB; c++) _mm512_storeu_ps(dst + i * ldd + c * DW_LANES, acc[i][c]);
}
#else
/* The lanes loop outside, the taps unrolled inside it with one scalar sum
 * per row: the shape compilers vectorize (along the lanes, as the sums
 * become vectors); arrays of DW_LANES sums stayed in memory. With
 * `ordered` (rows that may overlap: a short row's block runs into the
 * next rows, which must be stored after it) or under clang (which checked
 * each store against every phase row at run time, on every tile, for all
 * it knew they could alias) the tile goes through a local buffer and is
 * stored row by row; else straight to dst, a store and a load less per
 * output. */
#if defined(__clang__)
#define DW_BUFFERED(ordered) 1
#else
#define DW_BUFFERED(ordered) (ordered)
#endif
static DW_INLINE void dw_tile(int K, int S, int DIL, int RB, int CB, int ordered, const float *const *prow,
                              int64_t q, int64_t cd, const float *w, float b, float *restrict dst, int64_t ldd) {
  float out[4][2 * DW_LANES];
  int u, kc, c, i, l;
  (void)ordered; /* (unused under clang) */
  DW_ROLLED /* the vectors of the lanes in a loop: unrolled, the tiles of SSE took 70 KiB */
  for (l = 0; l < CB * DW_LANES; l++) {
    float acc[4];
    DW_UNROLL
    for (i = 0; i < 4; i++) acc[i] = b; /* all of them: gcc warns of the unused ones otherwise */
    DW_UNROLL
    for (u = 0; u < (RB - 1) * S + K; u++)
      DW_UNROLL
      for (kc = 0; kc < K; kc++) {
        const float v = prow[u * S + kc % S][q + DW_COL(kc) + l];
        DW_UNROLL
        for (i = 0; i < RB; i++)
          if (u - i * S >= 0 && u - i * S < K) acc[i] = MADD(w[(u - i * S) * K + kc], v, acc[i]);
      }
    DW_UNROLL
    for (i = 0; i < RB; i++) {
      if (DW_BUFFERED(ordered)) out[i][l] = acc[i];
      else dst[i * ldd + l] = acc[i];
    }
  }
  if (DW_BUFFERED(ordered)) {
    DW_UNROLL
    for (i = 0; i < RB; i++)
      DW_UNROLL
      for (c = 0; c < CB * DW_LANES; c++) dst[i * ldd + c] = out[i][c];
  }
}
#endif

/* Output rows [r, r + RB) (RB as dw_tile) to d (row r), rows ldd apart:
 * CB blocks at a time, then single ones, the last ending at the row's end
 * (or the one block of a row shorter than a block). One call site per
 * tile shape, so that each is compiled once. */
static DW_INLINE void dw_rows(int K, int S, int DIL, int RB, int CB, const dw_geom *g, const float *const *prow,
                              int64_t r, const float *w, float b, float *d, int64_t ldd) {
  const int64_t q = r * g->pw, full = g->ow / DW_LANES;
  int64_t t = 0;
  if (CB > 1)
    for (; t + CB * DW_LANES <= full * DW_LANES; t += CB * DW_LANES)
      dw_tile(K, S, DIL, RB, CB, 0, prow, q + t, g->dw, w, b, d + t, ldd);
  if (full == 0 && !RT_SGEMM_AVX512) { /* a short row: the next rows overlap its block */
    dw_tile(K, S, DIL, RB, 1, 1, prow, q, g->dw, w, b, d, ldd);
    return;
  }
  for (; t < g->ow; t += DW_LANES) {
    const int64_t at = g->ow < DW_LANES ? 0 : min64(t, g->ow - DW_LANES);
    dw_tile(K, S, DIL, RB, 1, 0, prow, q + at, g->dw, w, b, d + at, ldd);
  }
}

/* The row groups of a K x K kernel at stride S: n rows at r (n from 1 to
 * DW_RB, n > 1 only when rows share loads) to d. A group of DW_RB rows is
 * one tile high; with AVX-512 the rest of a plane (a 7-row plane's last
 * 3) is one tile too, elsewhere single rows, whose code is not repeated
 * for each height (in C, gcc's tiles of 4 heights took 70 KiB on SSE2). */
#define DW_REST_TILES RT_SGEMM_AVX512
#define DW_GROUPS(K, S, DIL, RBMAX, NAME)                                                                             \
  static void NAME(const dw_geom *g, const float *const *prow, int64_t n, int64_t r, const float *w, float b,         \
                   float *d, int64_t ldd) {                                                                           \
    int64_t i;                                                                                                        \
    if ((RBMAX) > 1 && n == (RBMAX)) {                                                                                \
      dw_rows(K, S, DIL, (RBMAX), DW_CB(K), g, prow, r, w, b, d, ldd);                                                \
      return;                                                                                                         \
    }                                                                                                                 \
    if (DW_REST_TILES && (RBMAX) > 3 && n == 3) {                                                                     \
      dw_rows(K, S, DIL, (RBMAX) > 3 ? 3 : 1, DW_CB(K), g, prow, r, w, b, d, ldd);                                    \
      return;                                                                                                         \
    }                                                                                                                 \
    if (DW_REST_TILES && (RBMAX) > 2 && n == 2) {                                                                     \
      dw_rows(K, S, DIL, (RBMAX) > 2 ? 2 : 1, DW_CB(K), g, prow, r, w, b, d, ldd);                                    \
      return;                                                                                                         \
    }                                                                                                                 \
    for (i = 0; i < n; i++) dw_rows(K, S, DIL, 1, DW_CB(K), g, prow, r + i, w, b, d + i * ldd, ldd);                  \
  }
DW_GROUPS(3, 1, 0, DW_RB(3, 1), rows_3_1)
DW_GROUPS(3, 2, 0, DW_RB(3, 2), rows_3_2)
DW_GROUPS(5, 1, 0, DW_RB(5, 1), rows_5_1)
DW_GROUPS(5, 2, 0, DW_RB(5, 2), rows_5_2)
DW_GROUPS(3, 1, 1, 1, rows_3_dilated) /* one row a tile: dilated rows share no loads */
DW_GROUPS(5, 1, 1, 1, rows_5_dilated)
#undef DW_GROUPS

typedef void (*dw_rows_fn)(const dw_geom *g, const float *const *prow, int64_t n, int64_t r, const float *w, float b,
                           float *d, int64_t ldd);

/* Output rows [r0, r1) to d (row r0), rows ldd apart, in groups of up to
 * `most` rows (a 7-row plane as 4 and 3, not 4 and three single rows,
 * whose chains of multiply-adds would each wait on their own). */
static void row_range(dw_rows_fn rows, const dw_geom *g, const float *const *prow, int64_t most, int64_t r0,
                      int64_t r1, const float *w, float b, float *d, int64_t ldd) {
  int64_t r, n;
  for (r = r0; r < r1; r += n) {
    n = min64(most, r1 - r);
    rows(g, prow, n, r, w, b, d + (r - r0) * ldd, ldd);
  }
}

/* One plane of an unrolled kernel (K x K at column stride g->sw; rows: its
 * row groups): input plane x through the phase planes ph, weights wc,
 * bias b, into output plane yc; tmp: scratch for the last rows. */
static void plane_unrolled(dw_rows_fn rows, int64_t most, const rt_conv_params *p, const dw_geom *g, const float *x,
                           float *ph, const float *wc, float b, float *yc, float *tmp, const rt_epi *e) {
  const float *prow[DW_MAX_PROWS];
  float w[5 * 5]; /* a local copy: stores to Y cannot change it, so it stays in registers */
  int64_t r, i, direct, done = 0;
  if (!g->shared) most = 1;
  for (i = 0; i < g->kh * g->kw; i++) w[i] = wc[i];
  for (i = 0; i < DW_MAX_PROWS; i++) prow[i] = ph + g->prow[i];
  if (g->ow >= DW_LANES) { /* straight into Y, a group of rows at a time */
    for (r = 0; r < g->oh; r += most) {
      const int64_t n = min64(most, g->oh - r);
      fill_rows(p, g, x, ph, &done, rows_read(g, r + n + DW_AHEAD));
      rows(g, prow, n, r, w, b, yc + r * g->ow, g->ow);
      if (e) rt_epi_tile(e, yc + r * g->ow, n * g->ow, 1, n * g->ow);
    }
    return;
  }
  /* Short rows straight into Y at pitch ow: each row's block runs past
   * the row's end into the rows after it, which are stored after it
   * (groups go down the plane, and a tile stores its rows in order). The
   * rows whose block would run past the plane, into another task's, go
   * through scratch: those from row `direct` on. */
  direct = g->oh * g->ow < DW_LANES ? 0 : RT_IDIV(g->oh * g->ow - DW_LANES, g->ow) + 1;
  direct -= RT_IMOD(direct, most); /* whole groups: a 7-row plane as 4 and 3, not 4, 1 and 2 */
  fill_rows(p, g, x, ph, &done, rows_read(g, g->oh));
  row_range(rows, g, prow, most, 0, direct, w, b, yc, g->ow);
  row_range(rows, g, prow, most, direct, g->oh, w, b, tmp, g->pw);
  for (r = direct; r < g->oh; r++) copy_floats(yc + r * g->ow, tmp + (r - direct) * g->pw, g->ow);
  if (e) rt_epi_tile(e, yc, g->oh * g->ow, 1, g->oh * g->ow);
}

#define DW_PLANE(K, S, ROWS, NAME)                                                                             \
  static void NAME(const rt_conv_params *p, const dw_geom *g, const float *x, float *ph, const float *wc,       \
                   float b, float *yc, float *tmp, const rt_epi *e) {                                          \
    plane_unrolled(ROWS, DW_RB(K, S), p, g, x, ph, wc, b, yc, tmp, e);                                         \
  }
DW_PLANE(3, 1, rows_3_1, plane_3_1)
DW_PLANE(3, 2, rows_3_2, plane_3_2)
DW_PLANE(5, 1, rows_5_1, plane_5_1)
DW_PLANE(5, 2, rows_5_2, plane_5_2)
DW_PLANE(3, 1, rows_3_dilated, plane_3_dilated)
DW_PLANE(5, 1, rows_5_dilated, plane_5_dilated)
#undef DW_PLANE

/* ---- any other kernel ---- */

/* One plane, band by band: each tap in turn added over the band's flat
 * positions in tmp (the same sums, in the same order, as a tile). */
static void plane_general(const rt_conv_params *p, const dw_geom *g, const float *x, float *ph, const float *wc,
                          float b, float *yc, float *tmp, const rt_epi *e) {
  int64_t r, i, kr, kc, done = 0;
  for (r = 0; r < g->oh; r += g->band) {
    const int64_t n = min64(g->band, g->oh - r), nq = n * g->pw;
    const float *wk = wc;
    fill_rows(p, g, x, ph, &done, rows_read(g, r + n));
    for (i = 0; i < nq; i++) tmp[i] = b;
    for (kr = 0; kr < g->kh; kr++) {
      const int64_t v = kr * g->dh;
      const float *row = ph + RT_IMOD(v, g->sh) * g->sw * g->phase + (RT_IDIV(v, g->sh) + r) * g->pw;
      for (kc = 0; kc < g->kw; kc++) {
        const int64_t u = kc * g->dw;
        const float *s = row + RT_IMOD(u, g->sw) * g->phase + RT_IDIV(u, g->sw), wv = *wk++;
        float *restrict acc = tmp;
        for (i = 0; i < nq; i++) acc[i] = MADD(wv, s[i], acc[i]);
      }
    }
    unband(g, tmp, n, yc + r * g->ow, e);
  }
}

/* ---- the kernel ---- */

typedef void (*dw_plane_fn)(const rt_conv_params *p, const dw_geom *g, const float *x, float *ph, const float *wc,
                            float b, float *yc, float *tmp, const rt_epi *e);

typedef struct dw2d_job {
  const rt_conv_params *p;
  const dw_geom *g;
  dw_plane_fn plane;
  const float *x, *w, *bias;
  float *y;
  const rt_epi *e;
  char *scratch;
  size_t slice;
  int64_t tasks;
} dw2d_job;

/* Task i: its share of the planes (plane = image * out_ch + channel). */
static void dw2d_task(void *arg, int64_t i) {
  const dw2d_job *j = (const dw2d_job *)arg;
  const rt_conv_params *p = j->p;
  const dw_geom *g = j->g;
  const int64_t in_sp = p->in_dims[0] * p->in_dims[1], out_sp = g->oh * g->ow, ksize = g->kh * g->kw;
  float *ph = (float *)(j->scratch + (size_t)i * j->slice), *tmp = ph + g->phases;
  int64_t lo, hi, q;
  rt_parallel_share(p->batch * p->out_ch, 1, i, j->tasks, &lo, &hi);
  if (lo >= hi) return;
  memset(ph, 0, sizeof(float) * (size_t)g->phases);
  for (q = lo; q < hi; q++) {
    const int64_t n = RT_IDIV(q, p->out_ch), c = q - n * p->out_ch;
    j->plane(p, g, j->x + (n * p->in_ch + c) * in_sp, ph, j->w + c * ksize, j->bias ? j->bias[c] : 0.0f,
             j->y + q * out_sp, tmp, j->e);
  }
}

RT_KERNEL(rt_conv_f32_depthwise2d) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  dw_geom g;
  rt_epi ev;
  dw2d_job j;
  dw_geom_of(p, &g);
  j.p = p;
  j.g = &g;
  j.plane = plane_general;
  if (g.unrolled == 3) j.plane = g.dw != 1 ? plane_3_dilated : g.sw == 1 ? plane_3_1 : plane_3_2;
  if (g.unrolled == 5) j.plane = g.dw != 1 ? plane_5_dilated : g.sw == 1 ? plane_5_1 : plane_5_2;
  j.x = (const float *)in[0];
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.y = (float *)out[0];
  j.e = RT_EPI_FROM(&ev, p, in, 3, j.y);
  j.scratch = (char *)scratch;
  j.slice = rt_task_stride(par, rt_conv_f32_depthwise2d_task_bytes(p));
  j.tasks = max64(1, min64(rt_parallel_tasks(par), p->batch * p->out_ch));
  rt_parallel_run(par, j.tasks, dw2d_task, &j);
}
