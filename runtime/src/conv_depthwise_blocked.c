/* rt_conv_f32_depthwise_blocked: a depthwise Conv (group = in_ch =
 * out_ch, 2 spatial dims) on blocked tensors (kernels/nchwc.h). Each lane
 * of a 16-float vector is one channel, so every tap of 16 channels is one
 * multiply-add of two vectors whatever the plane's size, kernel or stride:
 * no plane is copied or padded, and a short row wastes no lane.
 *
 * Each output sums the bias, then its taps in row-major order, a tap
 * outside the input adding w * 0 as the padded plane of
 * rt_conv_f32_depthwise2d does: the same bits (tests/unit
 * test_conv_blocked.c compares them, signed zeros included).
 *
 * A task takes whole output rows: a band of rows in every block where the
 * output has DW_BAND_ROWS_MIN rows or more, else rows numbered (image,
 * block, row), a plane at a time. With AVX-512 the 3x3 and 5x5 kernels
 * without dilation at stride 1 or 2 (the mobilenets' and efficientnets')
 * run as register tiles of a constant shape, fully unrolled: 2 output
 * rows x 7 columns at stride 1, 1 x 7 at stride 2. Every output's sum is one chain of K * K
 * dependent multiply-adds, so a tile keeps many chains in flight; each
 * input row's columns are loaded once per tile and feed every output of
 * the tile that reads them (the two rows of a stride-1 tile share the
 * input rows they both read). A tile whose windows lie inside X runs
 * without a check; one that holds a border column loads each column
 * through a mask worked out once per tile (zeros outside X), and an input
 * row outside X feeds zeros: either way the tap adds w * 0. Rows of 7,
 * 14, 28, 56 or 112 outputs are whole tiles; the last tile of any other
 * row ends at the row's end, overlapping the one before (whose shared
 * outputs it computes again, the same bits). Every other kernel, and
 * every kernel on other targets, runs tiles of 4 columns (1 on cores
 * without float vectors) with counts and offsets at run time. A vector is
 * a zmm register with AVX-512 (the guard of sgemm_avx512.c:
 * -DRT_SGEMM_PORTABLE selects the plain C path here too), elsewhere a
 * 16-float struct whose loops the C compiler vectorizes. The epilogue: a
 * residual and Relu or Clip are applied in the registers before each
 * store, with the bits of epilogue.c's loops; any other activation runs
 * over the finished rows (rt_epi_tile) while they are in L1.
 *
 * benchmarks/dw_blocked_bench.c times it against rt_conv_f32_depthwise2d. */
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h" /* MADD, RT_SGEMM_AVX512 */

#if RT_SGEMM_AVX512
#include <immintrin.h>
#endif

#define B RT_CONV_NCHWC_BLOCK

/* The tiles' loops have constant bounds in the unrolled callers; gcc and
 * clang left them rolled unless told (as in conv_depthwise.c). */
#if defined(__clang__)
#define DWB_INLINE inline __attribute__((always_inline))
#define DWB_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define DWB_INLINE inline __attribute__((always_inline))
#define DWB_UNROLL _Pragma("GCC unroll 32")
#else
#define DWB_INLINE inline
#define DWB_UNROLL
#endif

static int64_t blocks(int64_t ch) { return RT_IDIV(ch + B - 1, B); }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

int64_t rt_conv_f32_depthwise_blocked_floats(const rt_conv_params *p) {
  return blocks(p->out_ch) * p->kernel[0] * p->kernel[1] * B;
}

void rt_conv_f32_depthwise_blocked_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t taps = p->kernel[0] * p->kernel[1], cb = blocks(p->out_ch);
  int64_t b, t, l;
  for (b = 0; b < cb; b++)
    for (t = 0; t < taps; t++)
      for (l = 0; l < B; l++) packed[(b * taps + t) * B + l] = b * B + l < p->out_ch ? w[(b * B + l) * taps + t] : 0.0f;
}

size_t rt_conv_f32_depthwise_blocked_scratch_bytes(const rt_conv_params *p) {
  (void)p;
  return 0;
}

size_t rt_conv_f32_depthwise_blocked_task_bytes(const rt_conv_params *p) {
  (void)p;
  return 0;
}

/* ---- 16-channel vectors ---- */

#if RT_SGEMM_AVX512
typedef __m512 dwb_vec;
static inline dwb_vec vload(const float *s) { return _mm512_loadu_ps(s); }
static inline void vstore(float *d, dwb_vec v) { _mm512_storeu_ps(d, v); }
static inline dwb_vec vzero(void) { return _mm512_setzero_ps(); }
static inline dwb_vec vset(float f) { return _mm512_set1_ps(f); }
static inline dwb_vec vfma(dwb_vec a, dwb_vec b, dwb_vec c) { return _mm512_fmadd_ps(a, b, c); }
static inline dwb_vec vadd(dwb_vec a, dwb_vec b) { return _mm512_add_ps(a, b); }
/* epilogue.c's Relu, x > 0 ? x : 0 (+0 for -0 and NaN), and the bounds
 * of its Clip, x < a ? a : x and x > b ? b : x (x itself for NaN, and
 * for a zero equal to the bound): max and min return their second
 * operand unless the first compares greater or less. */
static inline dwb_vec vrelu(dwb_vec v) { return _mm512_max_ps(v, _mm512_setzero_ps()); }
static inline dwb_vec vmax_of(dwb_vec a, dwb_vec v) { return _mm512_max_ps(a, v); }
static inline dwb_vec vmin_of(dwb_vec b, dwb_vec v) { return _mm512_min_ps(b, v); }
#else
typedef struct dwb_vec {
  float l[B];
} dwb_vec;
static inline dwb_vec vload(const float *s) {
  dwb_vec v;
  memcpy(v.l, s, sizeof v.l);
  return v;
}
static inline void vstore(float *d, dwb_vec v) { memcpy(d, v.l, sizeof v.l); }
static inline dwb_vec vset(float f) {
  dwb_vec v;
  int l;
  for (l = 0; l < B; l++) v.l[l] = f;
  return v;
}
static inline dwb_vec vzero(void) { return vset(0.0f); }
static inline dwb_vec vfma(dwb_vec a, dwb_vec b, dwb_vec c) {
  int l;
  for (l = 0; l < B; l++) c.l[l] = MADD(a.l[l], b.l[l], c.l[l]);
  return c;
}
static inline dwb_vec vadd(dwb_vec a, dwb_vec b) {
  int l;
  for (l = 0; l < B; l++) a.l[l] = a.l[l] + b.l[l];
  return a;
}
static inline dwb_vec vrelu(dwb_vec v) {
  int l;
  for (l = 0; l < B; l++) v.l[l] = v.l[l] > 0.0f ? v.l[l] : 0.0f;
  return v;
}
static inline dwb_vec vmax_of(dwb_vec a, dwb_vec v) {
  int l;
  for (l = 0; l < B; l++) v.l[l] = v.l[l] < a.l[l] ? a.l[l] : v.l[l];
  return v;
}
static inline dwb_vec vmin_of(dwb_vec b, dwb_vec v) {
  int l;
  for (l = 0; l < B; l++) v.l[l] = v.l[l] > b.l[l] ? b.l[l] : v.l[l];
  return v;
}
#endif

/* ---- a call's geometry and the epilogue in registers ---- */

typedef struct dwb_geom {
  int64_t kh, kw, sh, sw, dh, dw, ih, iw, oh, ow, pt, pl;
  int64_t c_lo, c_hi; /* the inner output columns: [c_lo, c_hi) */
} dwb_geom;

static void dwb_geom_of(const rt_conv_params *p, dwb_geom *g) {
  int64_t last;
  g->kh = p->kernel[0], g->kw = p->kernel[1];
  g->sh = p->strides[0], g->sw = p->strides[1];
  g->dh = p->dilations[0], g->dw = p->dilations[1];
  g->ih = p->in_dims[0], g->iw = p->in_dims[1];
  g->oh = p->out_dims[0], g->ow = p->out_dims[1];
  g->pt = p->pads[0], g->pl = p->pads[1];
  /* column c is inner when c * sw - pl >= 0 and c * sw - pl + (kw - 1) * dw < iw */
  g->c_lo = min64(g->ow, RT_IDIV(g->pl + g->sw - 1, g->sw));
  last = g->iw - 1 + g->pl - (g->kw - 1) * g->dw; /* the last inner column's c * sw */
  g->c_hi = last < 0 ? g->c_lo : max64(g->c_lo, min64(g->ow, RT_IDIV(last, g->sw) + 1));
}

/* The epilogue of a call: whether it goes into the registers (fused: an
 * activation of none, Relu or Clip, lo and hi Clip's bounds, each with
 * or without a residual) or over each finished row (rt_epi_tile). */
typedef struct dwb_epi {
  const rt_epi *e; /* NULL: none at all */
  const float *res;
  int fused, relu, clip;
  dwb_vec lo, hi;
} dwb_epi;

static void dwb_epi_of(const rt_epi *e, dwb_epi *f) {
  f->e = e;
  f->res = e ? e->res : NULL;
  f->fused = e && (e->act == RT_ACT_NONE || e->act == RT_ACT_RELU || e->act == RT_ACT_CLIP);
  f->relu = e && e->act == RT_ACT_RELU;
  f->clip = e && e->act == RT_ACT_CLIP;
  f->lo = vset(f->clip ? e->a : 0.0f);
  f->hi = vset(f->clip ? e->b : 0.0f);
}

/* Stores sum v at d, the fused epilogue applied as epilogue.c's loops
 * do: v + residual, then Relu or Clip ((x < a ? a : x) > b ? b : ...). */
static DWB_INLINE void store_out(const dwb_epi *f, float *d, dwb_vec v) {
  if (f->fused) {
    if (f->res) v = vadd(v, vload(f->res + (d - f->e->y)));
    if (f->relu) v = vrelu(v);
    if (f->clip) v = vmin_of(f->hi, vmax_of(f->lo, v));
  }
  vstore(d, v);
}

/* ---- tiles ---- */

/* A column's load mask: all lanes, or none (a column outside X). */
#if RT_SGEMM_AVX512
typedef __mmask16 dwb_mask;
static inline dwb_mask column_mask(int in) { return in ? (dwb_mask)0xFFFF : (dwb_mask)0; }
static inline dwb_vec vload_if(dwb_mask m, const float *s) { return _mm512_maskz_loadu_ps(m, s); }
#else
typedef int dwb_mask;
static inline dwb_mask column_mask(int in) { return in; }
static inline dwb_vec vload_if(dwb_mask m, const float *s) { return m ? vload(s) : vzero(); }
#endif

/* The first output column of the tile of `cols` columns that would start
 * at column c: c, but for the last tile of a row, which ends at the row's
 * end (overlapping the one before, whose shared outputs it computes
 * again, the same bits), and a row shorter than a tile, one tile at 0
 * whose outputs past the row are not stored. */
static int64_t tile_start(int64_t c, int64_t cols, int64_t ow) { return c + cols <= ow || ow < cols ? c : ow - cols; }

/* ---- the unrolled tiles: 3x3 and 5x5, stride 1 or 2, no dilation ---- */

/* With AVX-512 only: the tiles of 16-float structs that the C compiler
 * vectorizes took 0.5 MB of code unrolled (gcc, SSE2 or AVX2), so other
 * targets take the run-time tiles for every kernel. */
#define DWB_UNROLLED RT_SGEMM_AVX512

/* Output rows per tile and columns per tile of the unrolled kernels, as
 * many sums as the 32 zmm registers hold beside the columns a kernel row
 * loads (span: (COLS - 1) * S + K of them). Every output's sum is one
 * chain of K * K dependent multiply-adds, so a tile needs many of them in
 * flight (the adds of one chain wait on each other's 4 cycles); two rows
 * also share the input rows they both read. */
#define DWB_RB(K, S) ((S) == 1 ? 2 : 1)
#define DWB_COLS 7 /* 7, 14, 28, 56 and 112 outputs a row (the mobile nets' planes): whole tiles */
#define DWB_MAX_ROWS 2
#define DWB_MAX_COLS 7
#define DWB_MAX_SPAN (6 * 2 + 5)
#define DWB_MAX_PROWS 7 /* input rows of a tile: (RB - 1) * S + K */

typedef void (*dwb_rows_fn)(const dwb_geom *g, const float *x, const float *w, dwb_vec bias, const dwb_epi *f,
                            int64_t r0, int64_t r1, float *y);

#if DWB_UNROLLED
/* ROWS x COLS outputs of a K x K kernel at stride S (constants) to
 * y + c * 16 (the tile's first row; rows ow * 16 floats apart; of each
 * row the first n outputs are stored, the rest lie past the row). Input
 * row t of the tile (t < (ROWS - 1) * S + K; output row i reads rows
 * i * S to i * S + K - 1) is at x + xrow[t], or outside X where xrow[t] <
 * 0, its taps adding w * 0; every_row: none is outside. Output column c's
 * window starts at input column c * S - pl; with cols_checked a column
 * outside X reads zeros (a masked load of a column inside X, each
 * column's mask and offset worked out once for all rows), else every
 * column is inside X. Each input row's columns are loaded once and feed
 * every output row that reads them, each output adding the bias, then
 * its taps in row-major order (input row t is kernel row t - i * S of
 * output row i: ascending). */
static DWB_INLINE void tile(int K, int S, int ROWS, int COLS, int every_row, int cols_checked, const dwb_geom *g,
                            const float *x, const int64_t *xrow, int64_t c, int64_t n, const float *w,
                            dwb_vec bias, const dwb_epi *f, float *y) {
  const int64_t col0 = c * S - g->pl;
  const int span = (COLS - 1) * S + K;
  dwb_vec acc[DWB_MAX_ROWS][DWB_MAX_COLS], xv[DWB_MAX_SPAN];
  int64_t at[DWB_MAX_SPAN];
  dwb_mask m[DWB_MAX_SPAN];
  int t, i, q, k, v;
  DWB_UNROLL
  for (i = 0; i < DWB_MAX_ROWS; i++)
    DWB_UNROLL
    for (q = 0; q < DWB_MAX_COLS; q++) acc[i][q] = bias;
  if (cols_checked)
    DWB_UNROLL
    for (k = 0; k < span; k++) {
      const int in = col0 + k >= 0 && col0 + k < g->iw;
      m[k] = column_mask(in);
      at[k] = in ? (col0 + k) * B : 0;
    }
  for (t = 0; t < (ROWS - 1) * S + K; t++) {
    if (!every_row && xrow[t] < 0) {
      DWB_UNROLL
      for (k = 0; k < span; k++) xv[k] = vzero();
    } else if (cols_checked) {
      const float *xr = x + xrow[t];
      DWB_UNROLL
      for (k = 0; k < span; k++) xv[k] = vload_if(m[k], xr + at[k]);
    } else {
      const float *xr = x + xrow[t] + col0 * B; /* then constant offsets */
      DWB_UNROLL
      for (k = 0; k < span; k++) xv[k] = vload(xr + k * B);
    }
    DWB_UNROLL
    for (i = 0; i < ROWS; i++) {
      const int u = t - i * S;
      if (u >= 0 && u < K)
        DWB_UNROLL
        for (v = 0; v < K; v++) {
          const dwb_vec wv = vload(w + (u * K + v) * B);
          DWB_UNROLL
          for (q = 0; q < COLS; q++) acc[i][q] = vfma(wv, xv[q * S + v], acc[i][q]);
        }
    }
  }
  y += c * B;
  DWB_UNROLL
  for (i = 0; i < ROWS; i++)
    DWB_UNROLL
    for (q = 0; q < COLS; q++)
      if (!cols_checked || q < n) store_out(f, y + i * g->ow * B + q * B, acc[i][q]); /* an inner tile is whole */
}

/* ROWS output rows from row r of one plane (x, y: the plane's input and
 * output; w: its taps; bias: its 16 lanes) in tiles of COLS columns. */
static DWB_INLINE void tile_rows(int K, int S, int ROWS, int COLS, const dwb_geom *g, const float *x, int64_t r,
                                 const float *w, dwb_vec bias, const dwb_epi *f, float *y) {
  int64_t xrow[DWB_MAX_PROWS], c;
  int every_row = 1, t;
  float *yr = y + r * g->ow * B;
  for (t = 0; t < (ROWS - 1) * S + K; t++) {
    const int64_t row = r * S - g->pt + t;
    xrow[t] = row >= 0 && row < g->ih ? row * g->iw * B : -1;
    every_row &= xrow[t] >= 0;
  }
  for (c = 0; c < g->ow; c += COLS) {
    const int64_t c0 = tile_start(c, COLS, g->ow), n = min64(COLS, g->ow - c0);
    if (every_row && c0 >= g->c_lo && c0 + COLS <= g->c_hi)
      tile(K, S, ROWS, COLS, 1, 0, g, x, xrow, c0, n, w, bias, f, yr);
    else if (every_row) tile(K, S, ROWS, COLS, 1, 1, g, x, xrow, c0, n, w, bias, f, yr);
    else tile(K, S, ROWS, COLS, 0, 1, g, x, xrow, c0, n, w, bias, f, yr);
  }
  if (f->e && !f->fused) rt_epi_tile(f->e, yr, ROWS * g->ow * B, 1, ROWS * g->ow * B);
}

/* Output rows [r0, r1) of a plane: DWB_RB(K, S) at a time, then single
 * ones. */
#define DWB_ROWS_FN(K, S, NAME)                                                                                \
  static void NAME(const dwb_geom *g, const float *x, const float *w, dwb_vec bias, const dwb_epi *fp,         \
                   int64_t r0, int64_t r1, float *y) {                                                         \
    const dwb_epi f = *fp; /* a copy the stores to Y cannot change: it stays in registers */                  \
    const int rb = DWB_RB(K, S);                                                                               \
    int64_t r = r0;                                                                                            \
    if (rb > 1)                                                                                                \
      for (; r + rb <= r1; r += rb) tile_rows(K, S, DWB_RB(K, S), DWB_COLS, g, x, r, w, bias, &f, y);          \
    for (; r < r1; r++) tile_rows(K, S, 1, DWB_COLS, g, x, r, w, bias, &f, y);                                 \
  }
DWB_ROWS_FN(3, 1, rows_3_1)
DWB_ROWS_FN(3, 2, rows_3_2)
DWB_ROWS_FN(5, 1, rows_5_1)
DWB_ROWS_FN(5, 2, rows_5_2)
#undef DWB_ROWS_FN
#endif

/* ---- any other kernel ---- */

/* Output columns per tile of the run-time tiles: their sums in vector
 * registers; one where there are none (Cortex-M: a plain loop over the
 * outputs, its code small). */
#if RT_SGEMM_AVX512 || defined(__SSE2__) || defined(__aarch64__) || defined(__ARM_NEON) || defined(__riscv_vector)
#define DWB_ANY_COLS 4
#else
#define DWB_ANY_COLS 1
#endif

/* DWB_ANY_COLS outputs of row r from column c on (the first n stored),
 * kernel, strides, dilations and pads at run time; checked: each tap
 * outside X adds w * 0, else every tap is inside X. */
static DWB_INLINE void tile_any(int checked, const dwb_geom *g, const float *x, int64_t r, int64_t c, int64_t n,
                                const float *w, dwb_vec bias, const dwb_epi *f, float *y) {
  dwb_vec acc[DWB_ANY_COLS];
  int64_t u, v;
  int q;
  DWB_UNROLL
  for (q = 0; q < DWB_ANY_COLS; q++) acc[q] = bias;
  for (u = 0; u < g->kh; u++) {
    const int64_t row = r * g->sh - g->pt + u * g->dh;
    const int row_in = row >= 0 && row < g->ih;
    for (v = 0; v < g->kw; v++) {
      const dwb_vec wv = vload(w + (u * g->kw + v) * B);
      const int64_t col0 = c * g->sw - g->pl + v * g->dw;
      DWB_UNROLL
      for (q = 0; q < DWB_ANY_COLS; q++) {
        const int64_t col = col0 + q * g->sw;
        if (checked) {
          const int in = row_in && col >= 0 && col < g->iw;
          acc[q] = vfma(wv, vload_if(column_mask(in), x + (in ? row * g->iw + col : 0) * B), acc[q]);
        } else {
          acc[q] = vfma(wv, vload(x + (row * g->iw + col) * B), acc[q]);
        }
      }
    }
  }
  y += c * B;
  DWB_UNROLL
  for (q = 0; q < DWB_ANY_COLS; q++)
    if (!checked || q < n) store_out(f, y + q * B, acc[q]);
}

static void rows_any(const dwb_geom *g, const float *x, const float *w, dwb_vec bias, const dwb_epi *fp, int64_t r0,
                     int64_t r1, float *y) {
  const dwb_epi f = *fp;
  int64_t r, c, u;
  for (r = r0; r < r1; r++) {
    float *yr = y + r * g->ow * B;
    int every_row = 1;
    for (u = 0; u < g->kh; u++) {
      const int64_t row = r * g->sh - g->pt + u * g->dh;
      every_row &= row >= 0 && row < g->ih;
    }
    for (c = 0; c < g->ow; c += DWB_ANY_COLS) {
      const int64_t c0 = tile_start(c, DWB_ANY_COLS, g->ow), n = min64(DWB_ANY_COLS, g->ow - c0);
      if (every_row && c0 >= g->c_lo && c0 + DWB_ANY_COLS <= g->c_hi) tile_any(0, g, x, r, c0, n, w, bias, &f, yr);
      else tile_any(1, g, x, r, c0, n, w, bias, &f, yr);
    }
    if (f.e && !f.fused) rt_epi_tile(f.e, yr, g->ow * B, 1, g->ow * B);
  }
}

/* ---- the kernel ---- */

typedef struct dwb_job {
  const rt_conv_params *p;
  const dwb_geom *g;
  dwb_rows_fn rows;
  const float *x, *w, *bias;
  float *y;
  dwb_epi f;
  int64_t tasks;
} dwb_job;

/* Output rows [r0, r1) of plane `plane` (image x blocks + block b). */
static void dwb_plane_rows(const dwb_job *j, int64_t plane, int64_t b, int64_t r0, int64_t r1) {
  const dwb_geom *g = j->g;
  const int64_t taps = g->kh * g->kw, in_block = g->ih * g->iw * B, out_block = g->oh * g->ow * B;
  float bv[B];
  int64_t l;
  for (l = 0; l < B; l++) bv[l] = j->bias && b * B + l < j->p->out_ch ? j->bias[b * B + l] : 0.0f;
  j->rows(g, j->x + plane * in_block, j->w + b * taps * B, vload(bv), &j->f, r0, r1, j->y + plane * out_block);
}

/* Task i: its share of the output rows, numbered (image, block, row),
 * taken a plane at a time. */
static void dwb_task_planes(void *arg, int64_t i) {
  const dwb_job *j = (const dwb_job *)arg;
  const int64_t cb = blocks(j->p->out_ch), oh = j->g->oh;
  int64_t lo, hi, q;
  rt_parallel_share(j->p->batch * cb * oh, 1, i, j->tasks, &lo, &hi);
  for (q = lo; q < hi;) {
    const int64_t plane = RT_IDIV(q, oh), r0 = q - plane * oh, r1 = min64(oh, r0 + hi - q);
    dwb_plane_rows(j, plane, plane - RT_IDIV(plane, cb) * cb, r0, r1);
    q += r1 - r0;
  }
}

/* Task i: its share of the output rows, numbered (image, row), in every
 * block: a band of rows across the channels, as the convs around a
 * depthwise one split their positions. */
static void dwb_task_bands(void *arg, int64_t i) {
  const dwb_job *j = (const dwb_job *)arg;
  const int64_t cb = blocks(j->p->out_ch), oh = j->g->oh;
  int64_t lo, hi, q, b;
  rt_parallel_share(j->p->batch * oh, 1, i, j->tasks, &lo, &hi);
  for (q = lo; q < hi;) {
    const int64_t img = RT_IDIV(q, oh), r0 = q - img * oh, r1 = min64(oh, r0 + hi - q);
    for (b = 0; b < cb; b++) dwb_plane_rows(j, img * cb + b, b, r0, r1);
    q += r1 - r0;
  }
}

/* Output planes of at least this many rows split in bands of rows, the
 * others in whole planes. mobilenet_v2 at --threads 2 (onnxcc run
 * --profile, two runs each): by bands, its depthwise convs with outputs of
 * 28 rows or more took 0.087 / 0.047 / 0.023 ms where by planes they took
 * 0.104 / 0.059 / 0.033 ms (112 -> 56, 56, 56 -> 28): a task reads the
 * rows the core's last conv wrote, and the input rows it needs are
 * contiguous per block. At 14 and 7 rows, by bands took 0.015-0.017 ms
 * where by planes took 0.007-0.012 ms: a task's few rows per call cost
 * more than they save. */
#define DW_BAND_ROWS_MIN 28

RT_KERNEL(rt_conv_f32_depthwise_blocked) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const int64_t rows = p->batch * blocks(p->out_ch) * p->out_dims[0];
  const int by_bands = p->out_dims[0] >= DW_BAND_ROWS_MIN;
  dwb_geom g;
  rt_epi ev;
  dwb_job j;
  (void)scratch;
  if (rows <= 0 || p->out_dims[1] <= 0) return;
  dwb_geom_of(p, &g);
  j.p = p;
  j.g = &g;
  j.rows = rows_any;
#if DWB_UNROLLED
  if (g.kh == g.kw && g.sh == g.sw && g.dh == 1 && g.dw == 1 && (g.sw == 1 || g.sw == 2)) {
    if (g.kh == 3) j.rows = g.sw == 1 ? rows_3_1 : rows_3_2;
    if (g.kh == 5) j.rows = g.sw == 1 ? rows_5_1 : rows_5_2;
  }
#endif
  j.x = (const float *)in[0];
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.y = (float *)out[0];
  dwb_epi_of(RT_EPI_FROM(&ev, p, in, 3, j.y), &j.f);
  j.tasks = min64(rt_parallel_tasks(par), by_bands ? p->batch * p->out_dims[0] : rows);
  rt_parallel_run(par, j.tasks, by_bands ? dwb_task_bands : dwb_task_planes, &j);
}
