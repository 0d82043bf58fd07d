/* Single-precision GEMM (rt_sgemm) and the Gemm / MatMul kernels.
 *
 * rt_sgemm follows the usual blocked scheme (Goto / BLIS): K is cut into
 * KC-deep slices and N into NC-wide blocks; each slice of op(B) is packed
 * into NR-wide column panels, each MC x KC block of op(A) into MR-high row
 * panels (alpha folded in), and a register-blocked micro-kernel computes
 * one MR x NR tile of C from one A panel and one B panel. Packing makes the
 * micro-kernel's loads contiguous whatever the transposes, and keeps its
 * operands in L1 (B panel) and L2 (A block).
 *
 * The micro-kernel here is plain C that gcc/clang -O3 turn into broadcast
 * + vector FMA over the NR columns, with the MR x NR accumulators in
 * registers. MR and NR are picked per target (sgemm_internal.h) so the
 * accumulators fill the vector register file without spilling. AVX-512
 * builds use sgemm_avx512.c's kernel in intrinsics instead. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/gemm.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t round_up(int64_t a, int64_t m) { return RT_IDIV(a + m - 1, m) * m; }

/* For a body shared by several kernel variants: inlined into each, so the
 * constants and functions a variant passes in are resolved at compile
 * time. */
#if defined(__GNUC__)
#define RT_GEMM_INLINE inline __attribute__((always_inline))
#else
#define RT_GEMM_INLINE inline
#endif

/* Splits n into ceil(n / max) equal-ish blocks, each a multiple of `unit`
 * (so K = 260 gives two slices of 130, not 256 + 4). */
static int64_t block_size(int64_t n, int64_t max, int64_t unit) {
  int64_t parts = RT_IDIV(n + max - 1, max);
  return min64(max, round_up(RT_IDIV(n + parts - 1, parts), unit));
}

/* ---- micro-kernel ---- */

/* C[m x n tile] = acc + beta * C, where acc = row_init (a value per row,
 * or 0 when NULL) + the sum over kc of A (MR rows in quads of 4, each
 * kc x 4 and k-major, a_qstride floats apart) times b panel (kc rows of
 * NR floats, b_kstride apart). The inner loops always run full length (rows past m and lanes
 * past n are computed and dropped), so they stay unrolled and in
 * registers; quads with no row of the tile read the last one that has
 * rows instead, so A may end right after it. */
#if !RT_SGEMM_AVX512 /* else sgemm_avx512.c */
RT_SGEMM_WIDE
void rt_sgemm_ukernel_ex(int64_t kc, const float *restrict a, int64_t a_qstride, const float *restrict b,
                         int64_t b_kstride, float *restrict c, int64_t ldc, float beta, int64_t m, int64_t n,
                         const float *row_init, const rt_sgemm_extra *x) {
  /* x->ahead is only a hint: this kernel leaves the lines to the
   * hardware prefetchers */
  const float *col_init = x ? x->col_init : NULL;
  float acc[MR][NR];
  /* One pointer per quad, as plain variables, and one loop per quad spelt
   * out below (MR is at most CAP_MR = 16 rows: 4 quads): gcc and clang
   * then keep acc in registers, which they do not with an array of
   * pointers or a pointer chosen per row. */
  const int64_t last_q = (m + 3) / 4 - 1;
  const float *a0 = a;
#if MR > 4
  const float *a1 = a + (last_q < 1 ? last_q : 1) * a_qstride;
#endif
#if MR > 8
  const float *a2 = a + (last_q < 2 ? last_q : 2) * a_qstride;
#endif
#if MR > 12
  const float *a3 = a + (last_q < 3 ? last_q : 3) * a_qstride;
#endif
  int64_t k;
  int i, j;
  (void)last_q; /* unused when MR is one quad */
  (void)a_qstride;
  for (i = 0; i < MR; i++) {
    const float r = row_init && i < m ? row_init[i] : 0.0f;
    for (j = 0; j < NR; j++) acc[i][j] = col_init && j < n ? col_init[j] : r;
  }
#if RT_SGEMM_IOUTER
#define QUAD(q, aq)                                                         \
  for (i = 0; i < 4; i++) {                                                 \
    const float ai = aq[k * 4 + i];                                         \
    for (j = 0; j < NR; j++) acc[4 * q + i][j] = MADD(ai, bk[j], acc[4 * q + i][j]); \
  }
#else
#define QUAD(q, aq) \
  for (i = 0; i < 4; i++) acc[4 * q + i][j] = MADD(aq[k * 4 + i], bj, acc[4 * q + i][j]);
#endif
  for (k = 0; k < kc; k++) {
    const float *bk = b + k * b_kstride;
#if !RT_SGEMM_IOUTER
    for (j = 0; j < NR; j++) {
      const float bj = bk[j];
#endif
      QUAD(0, a0)
#if MR > 4
      QUAD(1, a1)
#endif
#if MR > 8
      QUAD(2, a2)
#endif
#if MR > 12
      QUAD(3, a3)
#endif
#if !RT_SGEMM_IOUTER
    }
#endif
  }
#undef QUAD
  if (m == MR && n == NR) {
    if (beta == 0.0f) {
      for (i = 0; i < MR; i++)
        for (j = 0; j < NR; j++) c[i * ldc + j] = acc[i][j];
    } else if (beta == 1.0f) {
      for (i = 0; i < MR; i++)
        for (j = 0; j < NR; j++) c[i * ldc + j] += acc[i][j];
    } else {
      for (i = 0; i < MR; i++)
        for (j = 0; j < NR; j++) c[i * ldc + j] = MADD(beta, c[i * ldc + j], acc[i][j]);
    }
  } else {
    for (i = 0; i < m; i++)
      for (j = 0; j < n; j++) {
        float *cij = c + i * ldc + j;
        *cij = beta == 0.0f ? acc[i][j] : beta == 1.0f ? *cij + acc[i][j] : MADD(beta, *cij, acc[i][j]);
      }
  }
  if (x && x->epi) rt_epi_tile(x->epi, c, ldc, m, n);
}

void rt_sgemm_ukernel(int64_t kc, const float *restrict a, int64_t a_qstride, const float *restrict b,
                      int64_t b_kstride, float *restrict c, int64_t ldc, float beta, int64_t m, int64_t n,
                      const float *row_init) {
  rt_sgemm_ukernel_ex(kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, NULL);
}
#endif

/* ---- packing ---- */

/* Packs the mc x kc block of op(A) at `a` (already offset to the block's
 * origin) into MR-row panels of MR/4 quads (sgemm_internal.h):
 * ap[panel][quad][k][r] = alpha * op(A)(4 * quad + r, k). */
void rt_sgemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t lda, int trans, float alpha,
                     float *restrict ap) {
  int64_t i0, q, i, k;
  for (i0 = 0; i0 < mc; i0 += MR) {
    for (q = 0; q < MR / 4; q++) {
      const int64_t r0 = i0 + 4 * q, rows = r0 < mc ? min64(4, mc - r0) : 0;
      float *dst = ap + q * 4 * kc;
      if (!trans && rows == 4) {
        /* Contiguous writes, 4 sequential read streams. */
        const float *a0 = a + r0 * lda;
        for (k = 0; k < kc; k++)
          for (i = 0; i < 4; i++) dst[k * 4 + i] = alpha * a0[i * lda + k];
      } else if (!trans) {
        for (i = 0; i < rows; i++) {
          const float *row = a + (r0 + i) * lda;
          for (k = 0; k < kc; k++) dst[k * 4 + i] = alpha * row[k];
        }
      } else {
        for (k = 0; k < kc; k++) {
          const float *src = a + k * lda + r0;
          for (i = 0; i < rows; i++) dst[k * 4 + i] = alpha * src[i];
        }
      }
      for (i = rows; i < 4; i++)
        for (k = 0; k < kc; k++) dst[k * 4 + i] = 0.0f;
    }
    ap += MR * kc;
  }
}

/* Packs the kc x nc block of op(B) at `b` into NR-column panels:
 * bp[panel][k][j] = op(B)(k, j). */
static void pack_b(int64_t kc, int64_t nc, const float *b, int64_t ldb, int trans, float *restrict bp) {
  int64_t j0, j, k;
  for (j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = min64(NR, nc - j0);
    if (!trans) {
      if (nr == NR) {
        /* A constant-size memcpy is expanded inline into vector moves; a
         * plain loop here would become a library call per row. */
        for (k = 0; k < kc; k++) memcpy(bp + k * NR, b + k * ldb + j0, sizeof(float) * NR);
      } else {
        for (k = 0; k < kc; k++) {
          const float *src = b + k * ldb + j0;
          for (j = 0; j < nr; j++) bp[k * NR + j] = src[j];
          for (; j < NR; j++) bp[k * NR + j] = 0.0f;
        }
      }
    } else {
#if RT_SGEMM_AVX512
      /* (past the last column the source is never read: point at the first) */
      for (j = 0; j < NR; j += 16) rt_sgemm_pack_b_t16(kc, b + (j0 + (j < nr ? j : 0)) * ldb, ldb, nr - j, bp + j);
#else
      for (j = 0; j < nr; j++) {
        const float *src = b + (j0 + j) * ldb;
        for (k = 0; k < kc; k++) bp[k * NR + j] = src[k];
      }
      for (; j < NR; j++)
        for (k = 0; k < kc; k++) bp[k * NR + j] = 0.0f;
#endif
    }
    bp += NR * kc;
  }
}

/* ---- special shapes ---- */

/* Dot product with independent partial sums, so it vectorises without
 * reassociation licence from -ffast-math. */
static float dot(const float *restrict x, const float *restrict y, int64_t n) {
  float s[16], t = 0.0f;
  int64_t k = 0;
  int j;
  for (j = 0; j < 16; j++) s[j] = 0.0f;
  for (; k + 16 <= n; k += 16)
    for (j = 0; j < 16; j++) s[j] = MADD(x[k + j], y[k + j], s[j]);
  for (j = 0; j < 16; j++) t += s[j];
  for (; k < n; k++) t = MADD(x[k], y[k], t);
  return t;
}

/* dot(x, y + r * ldy, n) for r < 4, each summed exactly as dot sums it
 * (the same partial sums, the same order): four independent chains of
 * FMAs instead of one, so a matrix-vector product runs at the speed of
 * its loads rather than of one FMA's latency. */
static void dot4(const float *restrict x, const float *restrict y, int64_t ldy, int64_t n, float *out) {
  float s[4][16];
  int64_t k = 0;
  int j, r;
  for (r = 0; r < 4; r++)
    for (j = 0; j < 16; j++) s[r][j] = 0.0f;
  for (; k + 16 <= n; k += 16)
    for (r = 0; r < 4; r++)
      for (j = 0; j < 16; j++) s[r][j] = MADD(x[k + j], y[r * ldy + k + j], s[r][j]);
  for (r = 0; r < 4; r++) {
    float t = 0.0f;
    int64_t i;
    for (j = 0; j < 16; j++) t += s[r][j];
    for (i = k; i < n; i++) t = MADD(x[i], y[r * ldy + i], t);
    out[r] = t;
  }
}

static void scale_rows(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
  int64_t i, j;
  for (i = 0; i < M; i++) {
    float *c = C + i * ldc;
    if (beta == 0.0f)
      for (j = 0; j < N; j++) c[j] = 0.0f;
    else if (beta != 1.0f)
      for (j = 0; j < N; j++) c[j] *= beta;
  }
}

/* One row of C: c = alpha * a * op(B) + beta * c, a contiguous (length K).
 * Memory-bound, so no packing: dot products against the rows of B when it
 * is transposed, row-by-row accumulation into c otherwise. Returns 1 (it
 * takes every layout). */
static int sgemv_row(int64_t N, int64_t K, float alpha, const float *a, const float *B, int64_t ldb,
                     int trans_b, float beta, float *c) {
  int64_t j, k, j0;
  if (trans_b) {
    float d4[4];
    for (j = 0; j < N; j++) {
      float d;
      if (j % 4 == 0 && j + 4 <= N) dot4(a, B + j * ldb, ldb, K, d4);
      d = alpha * (j < N - N % 4 ? d4[j % 4] : dot(a, B + j * ldb, K));
      c[j] = beta == 0.0f ? d : MADD(beta, c[j], d);
    }
    return 1;
  }
  /* c += a[k] * B row k, a column block of c at a time so it stays in L1. */
  scale_rows(1, N, beta, c, N);
  for (j0 = 0; j0 < N; j0 += 2048) {
    const int64_t nb = min64(2048, N - j0);
    float *restrict cj = c + j0;
    for (k = 0; k < K; k++) {
      const float ak = alpha * a[k];
      const float *restrict bk = B + k * ldb + j0;
      for (j = 0; j < nb; j++) cj[j] = MADD(ak, bk[j], cj[j]);
    }
  }
  return 1;
}

size_t rt_sgemm_scratch_bytes(int64_t M, int64_t N, int64_t K) {
  /* Bounds of what rt_sgemm uses below: kc <= min(K, KC); the packed
   * widths round min(N, NC) and min(M, MC) up to NR and MR. */
  int64_t kc, nc, mc;
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  kc = min64(K, CAP_KC);
  nc = min64(N + CAP_NR - 1, CAP_NC) + CAP_NR - 1;
  mc = min64(M + CAP_MR - 1, CAP_MC) + CAP_MR - 1;
  return (size_t)((kc * nc + mc * kc) * (int64_t)sizeof(float)) + 64;
}

/* The tiles of one packed block: columns [j_lo, j_hi) of the nc-wide B
 * block (multiples of NR) against the mc rows of the A block; c is the
 * block's corner in C. e (if any) finishes each tile once `last` (its
 * last K slice) is in. A split call hands each task its own columns, so
 * every tile is computed as a single call computes it. */
typedef struct tile_job {
  const float *ap, *bp;
  /* B: packed here (prepacked_n 0), panel p of NR columns at bp + p * NR * kc,
   * rows NR apart; or prepacked in gemm.h's layout for an N-column op(B)
   * (prepacked_n = N), at bp = the blob's B, K slice from row pc of K;
   * next_kc: the depth of the slice after it when a task goes on to read
   * that one next (0: none), for the prefetches */
  int64_t prepacked_n, pc, k, next_kc;
  float *c;
  int64_t ldc, mc, nc, kc, tasks;
  float beta;
  int last;
  /* NULL, or the nc values that start each row of the block's tiles (C's
   * bias row: rt_sgemm_extra.col_init) */
  const float *col_init;
  const rt_epi *e;
  /* B not packed (prepacked_n 0): its rows, b_ld floats apart, read in
   * place from bp (at the block's corner); 0: packed into panels */
  int64_t b_ld;
} tile_job;

#if RT_SGEMM_AVX512
/* The prefetches of the tile at columns jr, rows ir of a task's columns
 * [lo, hi) of a prepacked B (tile_task): the panel of B it reads next
 * (the next panel of its columns, else its first one in the next K
 * slice) is a contiguous run of the blob, which the tiles of the current
 * panel share out, each asking for its part into L2 as it runs. Without
 * them the first row panel of A meets each panel of B in L3 or memory,
 * in lines a panel row (384 bytes) apart. */
static void ahead_of(const tile_job *j, int64_t lo, int64_t hi, int64_t jr, int64_t ir, rt_sgemm_extra *x) {
  const int64_t j0 = jr - RT_IMOD(jr, RT_GEMM_PANEL), first = j0 > lo ? j0 : lo;
  const int64_t tiles = (min64(hi, j0 + RT_GEMM_PANEL) - first + NR - 1) / NR, panels = (j->mc + MR - 1) / MR;
  const int64_t calls = tiles * panels, call = ((jr - first) / NR) * panels + ir / MR;
  int64_t n0 = j0 + RT_GEMM_PANEL, pc = j->pc + j->kc, kc = j->next_kc, lines, per, pw;
  uintptr_t start;
  if (n0 < hi) {
    pc = j->pc;
    kc = j->kc;
  } else {
    n0 = lo - RT_IMOD(lo, RT_GEMM_PANEL);
  }
  if (kc <= 0) return;
  pw = rt_gemm_panel_width(j->prepacked_n, n0);
  start = (uintptr_t)(j->bp + n0 * j->k + pc * pw);
  /* whole lines from the one holding the first float */
  lines = RT_IDIV((int64_t)(start & 63) + kc * pw * (int64_t)sizeof(float) + 63, 64);
  per = RT_IDIV(lines + calls - 1, calls);
  if (call * per >= lines) return;
  x->ahead = (const void *)((start & ~(uintptr_t)63) + (uintptr_t)(call * per * 64));
  x->ahead_lines = min64(per, lines - call * per);
}
#endif

/* The tiles of job j in columns [lo, hi) of its block. */
static void tile_columns(const tile_job *j, int64_t lo, int64_t hi) {
  int64_t jr, ir;
  for (jr = lo; jr < hi; jr += NR) {
    const int64_t nr = min64(NR, j->nc - jr);
    const float *b = j->b_ld ? j->bp + jr : j->bp + jr * j->kc;
    int64_t b_kstride = j->b_ld ? j->b_ld : NR;
    rt_sgemm_extra x;
    x.col_init = j->col_init ? j->col_init + jr : NULL;
    x.epi = j->last ? j->e : NULL;
    if (j->prepacked_n) {
      const int64_t j0 = jr - RT_IMOD(jr, RT_GEMM_PANEL);
      b_kstride = rt_gemm_panel_width(j->prepacked_n, j0);
      b = j->bp + j0 * j->k + j->pc * b_kstride + (jr - j0);
    }
    for (ir = 0; ir < j->mc; ir += MR) {
      float *c = j->c + ir * j->ldc + jr;
      x.ahead = NULL;
      x.ahead_lines = 0;
#if RT_SGEMM_AVX512
      if (j->prepacked_n) ahead_of(j, lo, hi, jr, ir, &x);
#endif
      /* the plain entry when there is nothing extra: its bodies test for
       * none of it (K = 27 tiles, a conv stem's, are short enough to feel
       * those tests) */
      if (x.col_init || x.ahead || x.epi)
        rt_sgemm_ukernel_ex(j->kc, j->ap + ir * j->kc, 4 * j->kc, b, b_kstride, c, j->ldc, j->beta,
                            min64(MR, j->mc - ir), nr, NULL, &x);
      else
        rt_sgemm_ukernel(j->kc, j->ap + ir * j->kc, 4 * j->kc, b, b_kstride, c, j->ldc, j->beta,
                         min64(MR, j->mc - ir), nr, NULL);
    }
  }
}

static void tile_task(void *arg, int64_t t) {
  const tile_job *j = (const tile_job *)arg;
  int64_t lo, hi;
  rt_parallel_share(j->nc, NR, t, j->tasks, &lo, &hi);
  tile_columns(j, lo, hi);
}

/* Below this many multiply-adds a block runs as one task. */
#define GEMM_SPLIT_MIN ((int64_t)1 << 18)

static void run_tiles(tile_job *j, const rt_parallel *par) {
  const int64_t panels = (j->nc + NR - 1) / NR;
  j->tasks = j->mc * j->nc * j->kc < GEMM_SPLIT_MIN ? 1 : min64(rt_parallel_tasks(par), panels);
  rt_parallel_run(par, j->tasks, tile_task, j);
}

/* Whether job j's block of B (kc x nc) is read where it lies instead of
 * packed: B not transposed, whole tiles only (no tile reads past a row's
 * end) and a small block of short rows, which L1 holds whatever its
 * stride (the attention's products: 64 x 128 and 128 x 64 per head, 5 to
 * 6 % faster without the copy). A larger B, or one with long rows, is
 * packed: read in place, 64 x 3136 x 576 lost a tenth. */
static int b_in_place(const tile_job *j, int64_t ldb, int trans_b) {
  return !trans_b && RT_IMOD(j->nc, NR) == 0 && ldb <= 512 && j->kc * j->nc <= 16384;
}

/* The blocked product (see the top of the file); e (if any) finishes each
 * tile after its last K slice. The tiles of each packed block are split
 * across par's tasks (after the packing, which each block does once). */
static void sgemm_blocked(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                          const float *B, int64_t ldb, int trans_b, float beta, float *C, int64_t ldc,
                          void *scratch, const rt_epi *e, const rt_parallel *par) {
  const int64_t kcb = block_size(K, KC, 1), mcb = block_size(M, MC, MR), ncb = block_size(N, NC, NR);
  float *bp = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  float *ap = bp + kcb * round_up(ncb, NR);
  int64_t jc, pc, ic;
  tile_job j;
  j.ap = ap;
  j.bp = bp;
  j.prepacked_n = 0;
  j.next_kc = 0;
  j.col_init = NULL;
  j.ldc = ldc;
  j.e = e;
  for (jc = 0; jc < N; jc += ncb) {
    j.nc = min64(ncb, N - jc);
    for (pc = 0; pc < K; pc += kcb) {
      j.kc = min64(kcb, K - pc);
      j.beta = pc == 0 ? beta : 1.0f;
      j.last = pc + j.kc == K;
      j.b_ld = 0;
      j.bp = bp;
      if (b_in_place(&j, ldb, trans_b)) {
        j.b_ld = ldb;
        j.bp = B + pc * ldb + jc;
      } else {
        pack_b(j.kc, j.nc, trans_b ? B + jc * ldb + pc : B + pc * ldb + jc, ldb, trans_b, bp);
      }
      for (ic = 0; ic < M; ic += mcb) {
        j.mc = min64(mcb, M - ic);
        rt_sgemm_pack_a(j.mc, j.kc, trans_a ? A + pc * lda + ic : A + ic * lda + pc, lda, trans_a, alpha, ap);
        j.c = C + ic * ldc + jc;
        run_tiles(&j, par);
      }
    }
  }
}

void rt_sgemm_epi_par(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                      const float *B, int64_t ldb, int trans_b, float beta, float *C, int64_t ldc, void *scratch,
                      const rt_epi *e, const rt_parallel *par) {
  int64_t i;
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_rows(M, N, beta, C, ldc);
  } else if (M == 1 && (!trans_a || lda == 1)) {
    /* A single row (batch-1 Linear layers): no packing, it is memory-bound. */
    sgemv_row(N, K, alpha, A, B, ldb, trans_b, beta, C);
  } else if (N == 1 && !trans_a && (trans_b || ldb == 1)) {
    /* A single column with contiguous rows: one dot product per row of A. */
    for (i = 0; i < M; i++) {
      const float d = alpha * dot(A + i * lda, B, K);
      float *c = C + i * ldc;
      *c = beta == 0.0f ? d : MADD(beta, *c, d);
    }
  } else {
    sgemm_blocked(M, N, K, alpha, A, lda, trans_a, B, ldb, trans_b, beta, C, ldc, scratch, e, par);
    return;
  }
  /* one row or one column: small enough to finish in one go */
  if (e) rt_epi_tile(e, C, ldc, M, N);
}

void rt_sgemm_epi(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                  const float *B, int64_t ldb, int trans_b, float beta, float *C, int64_t ldc, void *scratch,
                  const rt_epi *e) {
  rt_sgemm_epi_par(M, N, K, alpha, A, lda, trans_a, B, ldb, trans_b, beta, C, ldc, scratch, e, NULL);
}

void rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t lda, int trans_a,
              const float *B, int64_t ldb, int trans_b,
              float beta, float *C, int64_t ldc, void *scratch) {
  rt_sgemm_epi(M, N, K, alpha, A, lda, trans_a, B, ldb, trans_b, beta, C, ldc, scratch, NULL);
}

/* ---- B prepacked at compile time (gemm.h) ---- */

int64_t rt_gemm_f32_packed_floats(int64_t K, int64_t N) {
  return K * round_up(N, 4) + RT_GEMM_PANEL_PAD;
}

void rt_gemm_f32_pack_b(int64_t K, int64_t N, const float *b, int trans_b, float *packed) {
  int64_t j0, j, k;
  for (j0 = 0; j0 < N; j0 += RT_GEMM_PANEL) {
    const int64_t nw = min64(RT_GEMM_PANEL, N - j0), pw = min64(RT_GEMM_PANEL, round_up(N - j0, 4));
    float *panel = packed + j0 * K; /* every panel before it is full width */
    for (k = 0; k < K; k++) {
      float *row = panel + k * pw;
      for (j = 0; j < nw; j++) row[j] = trans_b ? b[(j0 + j) * K + k] : b[k * N + j0 + j];
      for (; j < pw; j++) row[j] = 0.0f;
    }
  }
  for (j = 0; j < RT_GEMM_PANEL_PAD; j++) packed[K * round_up(N, 4) + j] = 0.0f;
}

size_t rt_gemm_f32_packed_scratch_bytes(int64_t M, int64_t K) {
  /* One block of A: mcb rows (a multiple of MR, so below M + MR and at
   * most MC) by kc <= min(K, KC), bounded for every build. */
  if (M <= 0 || K <= 0) return 0;
  return (size_t)(min64(M + CAP_MR - 1, CAP_MC) * min64(K, CAP_KC) * (int64_t)sizeof(float)) + 64;
}

/* C = alpha * op(A) * B + beta * C with B in the panels of gemm.h. Only A
 * is packed here, once per K slice and block of rows; then every NR-wide
 * tile of B is read where it lies in the blob (NR contiguous floats per
 * k, a panel row apart) while the A block, in L2, is swept across it
 * (those tiles split across par's tasks, as in sgemm_blocked). col_init
 * (NULL: none) is a row of N values each row of the product starts from
 * (with beta 0: C's bias row, in place of a first pass that writes it to
 * every row of C). e (if any) finishes each tile after its last K slice.
 * The fields every block shares are in `packed_b_call`; packed_b_block
 * sets up one block. */
typedef struct packed_b_call {
  tile_job t; /* the fields every block shares */
  const float *A;
  int64_t lda, M, K, kcb, mcb;
  int trans_a;
  float alpha, beta;
  const float *col_init;
  float *C;
  char *scratch; /* task t's block of A at + t * stride (the threaded variants) */
  size_t stride;
} packed_b_call;

/* Fills w for the call (but the threaded variants' scratch and stride);
 * returns 0 where there is nothing to multiply (the empty and K = 0 or
 * alpha = 0 cases, done here). */
static RT_GEMM_INLINE int packed_b_start(packed_b_call *w, int64_t M, int64_t N, int64_t K, float alpha,
                                         const float *A, int64_t lda, int trans_a, const float *bpk, float beta,
                                         float *C, int64_t ldc, void *scratch, const float *col_init,
                                         const rt_epi *e) {
  int64_t ic;
  if (M <= 0 || N <= 0) return 0;
  if (K <= 0 || alpha == 0.0f) {
    scale_rows(M, N, beta, C, ldc);
    if (col_init)
      for (ic = 0; ic < M; ic++) memcpy(C + ic * ldc, col_init, sizeof(float) * (size_t)N);
    if (e) rt_epi_tile(e, C, ldc, M, N);
    return 0;
  }
  w->kcb = block_size(K, KC, 1), w->mcb = block_size(M, MC, MR);
  w->A = A, w->lda = lda, w->M = M, w->K = K, w->trans_a = trans_a, w->alpha = alpha, w->beta = beta;
  w->col_init = col_init, w->C = C;
  w->t.ap = (const float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  w->t.bp = bpk;
  w->t.prepacked_n = N;
  w->t.b_ld = 0;
  w->t.k = K;
  w->t.nc = N;
  w->t.ldc = ldc;
  w->t.e = e;
  return 1;
}

/* Block ic of rows at slice pc into j: packs A's block into j->ap. */
static RT_GEMM_INLINE void packed_b_block(const packed_b_call *w, tile_job *j, int64_t pc, int64_t ic) {
  j->pc = pc;
  j->kc = min64(w->kcb, w->K - pc);
  j->beta = pc == 0 ? w->beta : 1.0f;
  j->last = pc + j->kc == w->K;
  j->col_init = pc == 0 ? w->col_init : NULL;
  j->mc = min64(w->mcb, w->M - ic);
  /* after the last block of rows the tasks go on to the next slice */
  j->next_kc = ic + j->mc >= w->M && !j->last ? min64(w->kcb, w->K - pc - j->kc) : 0;
  rt_sgemm_pack_a(j->mc, j->kc, w->trans_a ? w->A + pc * w->lda + ic : w->A + ic * w->lda + pc, w->lda, w->trans_a,
                  w->alpha, (float *)j->ap);
  j->c = w->C + ic * j->ldc;
}

/* Each block a job: packed once, its tiles shared out (w->t set up for
 * each in turn). These helpers are inlined, as the loop they replaced
 * was, so they add no frames to a microcontroller's stack (onnxcc info
 * --target). */
static RT_GEMM_INLINE void packed_b_blocks(packed_b_call *w, const rt_parallel *par) {
  int64_t pc, ic;
  for (pc = 0; pc < w->K; pc += w->kcb)
    for (ic = 0; ic < w->M; ic += w->mcb) {
      packed_b_block(w, &w->t, pc, ic);
      run_tiles(&w->t, par);
    }
}

void rt_sgemm_packed_b(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                       const float *bpk, float beta, float *C, int64_t ldc, void *scratch, const float *col_init,
                       const rt_epi *e, const rt_parallel *par) {
  packed_b_call w;
  if (packed_b_start(&w, M, N, K, alpha, A, lda, trans_a, bpk, beta, C, ldc, scratch, col_init, e))
    packed_b_blocks(&w, par);
}

/* ---- the threaded variants: the whole product one job ---- */

/* Packed once for all tasks, each block was a job of its own: its packing
 * a stretch the other threads waited through, and every task but the
 * packer's read the block from another core's cache. Here each task walks
 * every K slice and block of rows itself, packing A into its own buffer,
 * and computes its own columns: transformer_encoder's linear2 (128 x 512
 * x 2048, eight K slices) went from 1.70-1.73 to 1.88-1.89 times its
 * one-thread speed at two threads. Each tile still takes its K slices in
 * order with the same packed A: the same bits. Only --threads programs
 * link this (compiler/threads.c swaps the kernel), so a one-thread
 * program's GEMM stays as small as it was. */
static void whole_task(void *arg, int64_t t) {
  const packed_b_call *w = (const packed_b_call *)arg;
  tile_job j = w->t;
  int64_t lo, hi, pc, ic;
  rt_parallel_share(j.nc, NR, t, j.tasks, &lo, &hi);
  if (lo >= hi) return;
  j.ap = (const float *)(((uintptr_t)(w->scratch + (size_t)t * w->stride) + 63) & ~(uintptr_t)63);
  for (pc = 0; pc < w->K; pc += w->kcb)
    for (ic = 0; ic < w->M; ic += w->mcb) {
      packed_b_block(w, &j, pc, ic);
      tile_columns(&j, lo, hi);
    }
}

/* rt_sgemm_packed_b with a block of A per task in scratch,
 * rt_gemm_f32_packed_task_bytes apart: one job where the product has more
 * than one block and enough work to split. */
static void sgemm_packed_b_tasks(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                                 int trans_a, const float *bpk, float beta, float *C, int64_t ldc, void *scratch,
                                 const float *col_init, const rt_epi *e, const rt_parallel *par) {
  packed_b_call w;
  int64_t tasks;
  if (!packed_b_start(&w, M, N, K, alpha, A, lda, trans_a, bpk, beta, C, ldc, scratch, col_init, e)) return;
  tasks = min64(rt_parallel_tasks(par), (N + NR - 1) / NR);
  if (tasks < 2 || (K <= w.kcb && M <= w.mcb) || M * N * K < GEMM_SPLIT_MIN) {
    packed_b_blocks(&w, par);
    return;
  }
  w.scratch = (char *)scratch;
  w.stride = rt_task_stride(par, rt_gemm_f32_packed_task_bytes(M, K));
  w.t.tasks = tasks;
  rt_parallel_run(par, tasks, whole_task, &w);
}

size_t rt_gemm_f32_packed_task_bytes(int64_t M, int64_t K) {
  return RT_TASK_STRIDE(rt_gemm_f32_packed_scratch_bytes(M, K));
}

/* ---- Gemm ---- */

/* Y = beta * C (broadcast) when C takes part; returns the beta with which
 * the product is then added to Y. */
static float gemm_f32_init(const rt_gemm_params *p, const float *c, float *y) {
  int64_t i, j;
  if (!c || p->beta == 0.0f) return 0.0f;
  for (i = 0; i < p->M; i++)
    for (j = 0; j < p->N; j++) y[i * p->N + j] = p->beta * c[i * p->c_rs + j * p->c_cs];
  return 1.0f;
}

RT_KERNEL(rt_gemm_f32) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  float *y = (float *)out[0];
  const float beta = gemm_f32_init(p, p->has_c ? (const float *)in[2] : NULL, y);
  rt_epi e;
  rt_sgemm_epi_par(p->M, p->N, p->K, p->alpha, (const float *)in[0], p->trans_a ? p->M : p->K, p->trans_a,
                   (const float *)in[1], p->trans_b ? p->K : p->N, p->trans_b, beta, y, p->N, scratch,
                   RT_EPI_FROM(&e, p, in, 3, y), RT_PARALLEL_OF(in));
}

/* What rt_gemm_f32_packed and its threaded variant pass their product:
 * the beta it adds to Y with, and in *col_init a Linear layer's bias (one
 * row of C, beta 1), which seeds the accumulators instead of being copied
 * to every row of Y first (else NULL). The two call their products
 * directly, not through a pointer: onnxcc info --target's stack depth
 * (compiler/target_measure.c) follows a pointer only to a function whose
 * address a caller above takes, and a pointer chosen between the two
 * products would have taken both into every program. */
static RT_GEMM_INLINE float gemm_packed_beta(const rt_gemm_params *p, const void *const *in, float *y,
                                              const float **col_init) {
  const int bias_row = p->has_c && p->beta == 1.0f && p->c_rs == 0 && p->c_cs == 1;
  *col_init = bias_row ? (const float *)in[2] : NULL;
  return bias_row ? 0.0f : gemm_f32_init(p, p->has_c ? (const float *)in[2] : NULL, y);
}

RT_KERNEL(rt_gemm_f32_packed) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  float *y = (float *)out[0];
  const float *col_init;
  const float beta = gemm_packed_beta(p, in, y, &col_init);
  rt_epi e;
  rt_sgemm_packed_b(p->M, p->N, p->K, p->alpha, (const float *)in[0], p->trans_a ? p->M : p->K, p->trans_a,
                    (const float *)in[1], beta, y, p->N, scratch, col_init, RT_EPI_FROM(&e, p, in, 3, y),
                    RT_PARALLEL_OF(in));
}

RT_KERNEL(rt_gemm_f32_packed_mt) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  float *y = (float *)out[0];
  const float *col_init;
  const float beta = gemm_packed_beta(p, in, y, &col_init);
  rt_epi e;
  sgemm_packed_b_tasks(p->M, p->N, p->K, p->alpha, (const float *)in[0], p->trans_a ? p->M : p->K, p->trans_a,
                       (const float *)in[1], beta, y, p->N, scratch, col_init, RT_EPI_FROM(&e, p, in, 3, y),
                       RT_PARALLEL_OF(in));
}

/* Columns [lo, hi) of a GEMV: each column's sum does not depend on the
 * others (dot4 sums each as dot does), so a split is bit-identical. */
typedef struct gemv_job {
  const rt_gemm_params *p;
  const float *a, *b;
  float beta;
  float *y;
} gemv_job;

static void gemv_columns(void *arg, int64_t lo, int64_t hi) {
  const gemv_job *j = (const gemv_job *)arg;
  const rt_gemm_params *p = j->p;
  const int64_t ldb = p->trans_b ? p->K : p->N;
  sgemv_row(hi - lo, p->K, p->alpha, j->a, j->b + (p->trans_b ? lo * ldb : lo), ldb, p->trans_b, j->beta, j->y + lo);
}

/* M == 1: A is one contiguous row whether or not it is transposed. The
 * columns split across the call's rt_parallel: a classifier's GEMV reads
 * megabytes of B once, and two cores stream it faster than one. */
RT_KERNEL(rt_gemm_f32_gemv) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  float *y = (float *)out[0];
  const float beta = gemm_f32_init(p, p->has_c ? (const float *)in[2] : NULL, y);
  rt_epi e;
  const rt_epi *ep = RT_EPI_FROM(&e, p, in, 3, y);
  gemv_job j;
  (void)scratch;
  if (p->K <= 0 || p->alpha == 0.0f) {
    scale_rows(1, p->N, beta, y, p->N);
  } else {
    j.p = p;
    j.a = (const float *)in[0];
    j.b = (const float *)in[1];
    j.beta = beta;
    j.y = y;
    rt_parallel_ranges(RT_PARALLEL_OF(in), p->N, 16, p->K * (int64_t)sizeof(float), gemv_columns, &j);
  }
  if (ep) rt_epi_tile(ep, y, p->N, 1, p->N);
}

/* M == 1 with B prepacked (gemm.h): as rt_gemm_f32_packed's bias row or
 * C, but one stream per panel of B and no A to pack (gemv_packed.c). A is
 * one contiguous row whether or not it is transposed. */
RT_KERNEL(rt_gemm_f32_gemv_packed) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  float *y = (float *)out[0];
  const int bias_row = p->has_c && p->beta == 1.0f && p->c_cs == 1;
  const float beta = bias_row ? 0.0f : gemm_f32_init(p, p->has_c ? (const float *)in[2] : NULL, y);
  rt_epi e;
  (void)scratch;
  /* alpha 0 leaves the product out (K 0), as the other variants do, so a
   * 0 x Inf in it cannot make Y NaN */
  rt_sgemv_packed_b(p->N, p->alpha == 0.0f ? 0 : p->K, p->alpha, (const float *)in[0], (const float *)in[1], beta,
                    y, bias_row ? (const float *)in[2] : NULL, RT_EPI_FROM(&e, p, in, 3, y), RT_PARALLEL_OF(in));
}

RT_KERNEL(rt_gemm_f64) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  const int64_t M = p->M, N = p->N, K = p->K;
  const double *a = (const double *)in[0], *b = (const double *)in[1];
  const double *c = p->has_c && p->beta != 0.0f ? (const double *)in[2] : NULL;
  double *y = (double *)out[0];
  const int64_t sa_i = p->trans_a ? 1 : K, sa_k = p->trans_a ? M : 1;
  const int64_t sb_k = p->trans_b ? 1 : N, sb_j = p->trans_b ? K : 1;
  int64_t i, j, k;
  (void)scratch;
  for (i = 0; i < M; i++) {
    double *yr = y + i * N;
    for (j = 0; j < N; j++) yr[j] = 0.0;
    for (k = 0; k < K; k++) {
      const double aik = a[i * sa_i + k * sa_k];
      const double *bk = b + k * sb_k;
      for (j = 0; j < N; j++) yr[j] += aik * bk[j * sb_j];
    }
    for (j = 0; j < N; j++) {
      yr[j] *= (double)p->alpha;
      if (c) yr[j] += (double)p->beta * c[i * p->c_rs + j * p->c_cs];
    }
  }
}

/* ---- MatMul ---- */

/* Calls one(M, N, K, a, b, y, scratch, e, par) for every matrix of the
 * broadcast batch; es is the element size; e (float only, else NULL) is
 * the epilogue of the whole output; par (onnxcc/parallel.h) splits the
 * float product. The body is written once and inlined
 * into each variant with its own `one`, so no variant switches on the
 * type. */
typedef void (*matmul_one_fn)(int64_t M, int64_t N, int64_t K, const void *a, const void *b, void *y,
                              void *scratch, const rt_epi *e, const rt_parallel *par);

static RT_GEMM_INLINE void matmul_range(const rt_matmul_params *p, const void *const *in, void *const *out,
                                        void *scratch, size_t es, matmul_one_fn one, const rt_epi *e,
                                        const rt_parallel *par, int64_t lo, int64_t hi) {
  const char *a = (const char *)in[0], *b = (const char *)in[1];
  char *y = (char *)out[0];
  int64_t idx[RT_MAX_RANK] = {0}, t, d, rest = lo, oa = 0, ob = 0;
  const int64_t r = p->batch_rank;
  /* the index of matrix lo, last dimension fastest */
  for (d = r - 1; d >= 0; d--) {
    idx[d] = RT_IMOD(rest, p->batch_dims[d]);
    rest = RT_IDIV(rest, p->batch_dims[d]);
    oa += idx[d] * p->a_strides[d];
    ob += idx[d] * p->b_strides[d];
  }
  for (t = lo; t < hi; t++) {
    one(p->M, p->N, p->K, a + (size_t)oa * es, b + (size_t)ob * es, y + (size_t)(t * p->M * p->N) * es, scratch,
        e, par);
    for (d = r - 1; d >= 0; d--) {
      idx[d]++;
      oa += p->a_strides[d];
      ob += p->b_strides[d];
      if (idx[d] < p->batch_dims[d]) break;
      oa -= p->a_strides[d] * p->batch_dims[d];
      ob -= p->b_strides[d] * p->batch_dims[d];
      idx[d] = 0;
    }
  }
}

/* The number of matrices in the broadcast batch. */
static int64_t matmul_count(const rt_matmul_params *p) {
  int64_t total = 1, d;
  for (d = 0; d < p->batch_rank; d++) total *= p->batch_dims[d];
  return total;
}

static RT_GEMM_INLINE void matmul_batches(const rt_matmul_params *p, const void *const *in, void *const *out,
                                          void *scratch, size_t es, matmul_one_fn one, const rt_epi *e) {
  matmul_range(p, in, out, scratch, es, one, e, RT_PARALLEL_OF(in), 0, matmul_count(p));
}

static void matmul_one_f32(int64_t M, int64_t N, int64_t K, const void *a, const void *b, void *y,
                           void *scratch, const rt_epi *e, const rt_parallel *par) {
  rt_sgemm_epi_par(M, N, K, 1.0f, (const float *)a, K, 0, (const float *)b, N, 0, 0.0f, (float *)y, N, scratch, e,
                   par);
}

/* One product, no batch (the compiler picks these variants only then). */
RT_KERNEL(rt_matmul_f32_packed) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  rt_epi e;
  rt_sgemm_packed_b(p->M, p->N, p->K, 1.0f, (const float *)in[0], p->K, 0, (const float *)in[1], 0.0f,
                    (float *)out[0], p->N, scratch, NULL, RT_EPI_FROM(&e, p, in, 2, (const float *)out[0]),
                    RT_PARALLEL_OF(in));
}

RT_KERNEL(rt_matmul_f32_packed_mt) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  rt_epi e;
  sgemm_packed_b_tasks(p->M, p->N, p->K, 1.0f, (const float *)in[0], p->K, 0, (const float *)in[1], 0.0f,
                       (float *)out[0], p->N, scratch, NULL, RT_EPI_FROM(&e, p, in, 2, (const float *)out[0]),
                       RT_PARALLEL_OF(in));
}

/* M == 1, no batch (the compiler picks this variant only then), B
 * prepacked: one stream per panel of B (gemv_packed.c). */
RT_KERNEL(rt_matmul_f32_gemv_packed) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  float *y = (float *)out[0];
  rt_epi e;
  (void)scratch;
  rt_sgemv_packed_b(p->N, p->K, 1.0f, (const float *)in[0], (const float *)in[1], 0.0f, y, NULL,
                    RT_EPI_FROM(&e, p, in, 2, y), RT_PARALLEL_OF(in));
}

static void matmul_one_f32_gemv(int64_t M, int64_t N, int64_t K, const void *a, const void *b, void *y,
                                void *scratch, const rt_epi *e, const rt_parallel *par) {
  (void)M;
  (void)par;
  (void)scratch;
  if (K <= 0) scale_rows(1, N, 0.0f, (float *)y, N);
  else sgemv_row(N, K, 1.0f, (const float *)a, (const float *)b, N, 0, 0.0f, (float *)y);
  if (e) rt_epi_tile(e, (float *)y, N, 1, N);
}

/* Y (M x N) = A (M x K) * B (K x N) for the other types; arithmetic in UT
 * (unsigned for integers, so overflow wraps instead of being undefined). */
#define MATMUL_ONE(name, T, UT)                                                                      \
  static void name(int64_t M, int64_t N, int64_t K, const void *a0, const void *b0, void *y0,      \
                   void *scratch, const rt_epi *e, const rt_parallel *par) {                        \
    const T *a = (const T *)a0, *b = (const T *)b0;                                                 \
    T *y = (T *)y0;                                                                                 \
    int64_t i, j, k;                                                                                \
    (void)scratch;                                                                                  \
    (void)par;                                                                                      \
    (void)e;                                                                                        \
    for (i = 0; i < M; i++) {                                                                       \
      T *yr = y + i * N;                                                                            \
      for (j = 0; j < N; j++) yr[j] = 0;                                                            \
      for (k = 0; k < K; k++) {                                                                     \
        const UT aik = (UT)a[i * K + k];                                                            \
        const T *bk = b + k * N;                                                                    \
        for (j = 0; j < N; j++) yr[j] = (T)((UT)yr[j] + aik * (UT)bk[j]);                           \
      }                                                                                             \
    }                                                                                               \
  }
MATMUL_ONE(matmul_one_f64, double, double)
MATMUL_ONE(matmul_one_i32, int32_t, uint32_t)
MATMUL_ONE(matmul_one_i64, int64_t, uint64_t)
MATMUL_ONE(matmul_one_u32, uint32_t, uint32_t)
MATMUL_ONE(matmul_one_u64, uint64_t, uint64_t)

/* EPI: the epilogue of the call (float variants), or NULL. */
#define MATMUL_VARIANT(name, T, one, EPI)                                                           \
  RT_KERNEL(name) {                                                                                \
    const rt_matmul_params *p = (const rt_matmul_params *)params;                                  \
    rt_epi e;                                                                                      \
    (void)e;                                                                                       \
    matmul_batches(p, in, out, scratch, sizeof(T), one, EPI);                                      \
  }
#define MATMUL_EPI RT_EPI_FROM(&e, p, in, 2, (const float *)out[0])
MATMUL_VARIANT(rt_matmul_f32, float, matmul_one_f32, MATMUL_EPI)
MATMUL_VARIANT(rt_matmul_f32_gemv, float, matmul_one_f32_gemv, MATMUL_EPI)
MATMUL_VARIANT(rt_matmul_f64, double, matmul_one_f64, NULL)
MATMUL_VARIANT(rt_matmul_i32, int32_t, matmul_one_i32, NULL)
MATMUL_VARIANT(rt_matmul_i64, int64_t, matmul_one_i64, NULL)
MATMUL_VARIANT(rt_matmul_u32, uint32_t, matmul_one_u32, NULL)
MATMUL_VARIANT(rt_matmul_u64, uint64_t, matmul_one_u64, NULL)
#undef MATMUL_EPI

/* ---- MatMul of a batch, for --threads programs ----
 *
 * The attention's products (a few heads of 128 x 128 x 64) split one by
 * one spend a hand-off and a serial packing of A (and of a transposed B)
 * per head, and a 64-wide B gives two tasks a panel each at best: at two
 * threads transformer_encoder's score x V ran 1.08 times as fast as at
 * one, Q x K^T 1.27 (onnxcc run --profile). rt_matmul_f32_mt gives each
 * task whole matrices of the batch and a scratch of its own
 * (rt_matmul_f32_task_bytes apart), so a node is one job (Q x K^T 1.66
 * times as fast at two threads, score x V off the list of losses); each
 * matrix is computed as one thread computes it, the same bits. A batch that does not share out within an eighth (3
 * heads on 2 tasks), one matrix, or under GEMM_SPLIT_MIN multiply-adds
 * in all splits as rt_matmul_f32 does. */
typedef struct matmul_batch_job {
  const rt_matmul_params *p;
  const void *const *in;
  void *const *out;
  char *scratch;
  size_t stride;
  const rt_epi *e;
  int64_t total, tasks;
} matmul_batch_job;

static void matmul_batch_task(void *arg, int64_t t) {
  const matmul_batch_job *j = (const matmul_batch_job *)arg;
  int64_t lo, hi;
  rt_parallel_share(j->total, 1, t, j->tasks, &lo, &hi);
  matmul_range(j->p, j->in, j->out, j->scratch + (size_t)t * j->stride, sizeof(float), matmul_one_f32, j->e, NULL,
               lo, hi);
}

size_t rt_matmul_f32_task_bytes(int64_t M, int64_t N, int64_t K) {
  return RT_TASK_STRIDE(rt_sgemm_scratch_bytes(M, N, K));
}

RT_KERNEL(rt_matmul_f32_mt) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  rt_epi ev;
  matmul_batch_job j;
  j.total = matmul_count(p);
  j.tasks = min64(rt_parallel_tasks(par), j.total);
  /* shares even within an eighth (ceil(total / tasks) * tasks <= 9/8
   * total) and GEMM_SPLIT_MIN multiply-adds in all; total * M * N are Y's
   * elements, so only K multiplies them in a quotient */
  if (j.tasks < 2 || 8 * RT_IDIV(j.total + j.tasks - 1, j.tasks) * j.tasks > 9 * j.total || p->K <= 0 ||
      j.total * p->M * p->N < RT_IDIV(GEMM_SPLIT_MIN + p->K - 1, p->K)) {
    rt_matmul_f32(params, in, out, scratch);
    return;
  }
  j.p = p;
  j.in = in;
  j.out = out;
  j.scratch = (char *)scratch;
  j.stride = rt_task_stride(par, rt_matmul_f32_task_bytes(p->M, p->N, p->K));
  j.e = RT_EPI_FROM(&ev, p, in, 2, (const float *)out[0]);
  rt_parallel_run(par, j.tasks, matmul_batch_task, &j);
}
