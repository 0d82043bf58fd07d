/* rt_sgemm_ukernel and rt_sgemm_ukernel_ex for AVX-512 (sgemm_internal.h
 * has the contract; the plain C kernel in gemm.c is the portable path and
 * the reference).
 *
 * Why intrinsics here: the C kernel compiles to a clean broadcast + FMA
 * loop, but a tile whose rows do not fill MR still runs all MR rows, and
 * gcc and clang differ in vector width and spilling. Here the tile is
 * 12 x 32 on every compiler (24 zmm accumulators, 2 for B, 1 broadcast),
 * a tile of 1 to 4 rows or 5 to 8 runs a 4- or 8-row body (a 64-channel
 * conv is 5 full tiles and one of 4 rows: a third of its last tile's
 * FMAs were wasted), columns past n are dropped by masked stores, and the
 * next cache line of each A stream is prefetched (A comes from L2/L3,
 * one line per quad every 4 k). The _ex entry also starts the
 * accumulators from a bias row and asks its caller's lines into L2 as it
 * goes (gemm.c points them at the next panel of a prepacked B: a
 * transformer's weights, 10 MB, come from L3 or memory on every run; in
 * a run of its eight linear layers' products the prefetches took them
 * from about 190 to 207 GFLOP/s). rt_sgemm_ukernel, conv's entry, has
 * its own copies of the bodies without the extras. */
#include "sgemm_internal.h"

#if RT_SGEMM_AVX512
#include <immintrin.h>

#if defined(__GNUC__)
#define UK_INLINE inline __attribute__((always_inline))
#else
#define UK_INLINE inline
#endif

/* Lanes of the tile's two column vectors that hold columns < n. */
static __mmask16 lane_mask(int64_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u); }

/* One row of the tile: c = acc + beta * c on the lanes in (m0, m1), then
 * (the epilogue, when the caller asks for it) + the residual row res
 * (NULL: none) and ReLU when relu is set: the same operations in the same
 * order as rt_epi_tile's on the stored row, so the same bits (max(x, 0)
 * returns its second operand, +0, for NaN and -0, as x > 0 ? x : 0 does). */
static UK_INLINE void store_row(float *c, __m512 lo, __m512 hi, float beta, __mmask16 m0, __mmask16 m1,
                                const float *res, int relu) {
  if (beta != 0.0f) {
    const __m512 vb = _mm512_set1_ps(beta);
    lo = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), lo);
    hi = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), hi);
  }
  if (res) {
    lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(m0, res));
    hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(m1, res + 16));
  }
  if (relu) {
    lo = _mm512_max_ps(lo, _mm512_setzero_ps());
    hi = _mm512_max_ps(hi, _mm512_setzero_ps());
  }
  _mm512_mask_storeu_ps(c, m0, lo);
  _mm512_mask_storeu_ps(c + 16, m1, hi);
}

/* The body for NQ quads (4 * NQ rows); NQ is a constant in each caller,
 * so the loops unroll and the accumulators stay in registers. beta 1
 * goes through the fmadd too: 1 * c + acc is exactly c + acc. */
static UK_INLINE void tile(int NQ, int64_t kc, const float *a, int64_t a_qstride, const float *b, int64_t b_kstride,
                           float *c, int64_t ldc, float beta, int64_t m, int64_t n, const float *row_init,
                           const rt_sgemm_extra *x) {
  __m512 acc[3][4][2];
  const float *aq[3];
  const __mmask16 m0 = lane_mask(n), m1 = lane_mask(n - 16 > 0 ? n - 16 : 0);
  const char *ahead = x ? (const char *)x->ahead : NULL;
  int64_t ahead_left = x && ahead ? x->ahead_lines : 0, k;
  int q, r, i;
  for (q = 0; q < NQ; q++) {
    aq[q] = a + q * a_qstride;
    for (r = 0; r < 4; r++) {
      i = 4 * q + r;
      if (x && x->col_init) {
        /* lanes past n start at 0 (their results are dropped anyway) */
        acc[q][r][0] = _mm512_maskz_loadu_ps(m0, x->col_init);
        acc[q][r][1] = _mm512_maskz_loadu_ps(m1, x->col_init + 16);
      } else {
        const __m512 v = _mm512_set1_ps(row_init && i < m ? row_init[i] : 0.0f);
        acc[q][r][0] = v;
        acc[q][r][1] = v;
      }
    }
  }
  /* the residual rows the epilogue adds at the end, into L2 meanwhile
   * (the tensor was written layers ago: in transformer_encoder's linear2
   * this took the fused residual from 5 to 3 us) */
  if (x && x->epi && x->epi->res)
    for (i = 0; i < 4 * NQ && i < m; i++) {
      const float *res = x->epi->res + (c + i * ldc - x->epi->y);
      _mm_prefetch((const char *)res, _MM_HINT_T1);
      _mm_prefetch((const char *)(res + 16), _MM_HINT_T1);
    }
  for (k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    b += b_kstride;
    /* one prefetch per quad per cache line (4 k of 4 floats), 8 lines
     * ahead: far enough to cover an L2 hit, harmless past the end */
    if ((k & 3) == 0)
      for (q = 0; q < NQ; q++) _mm_prefetch((const char *)(aq[q] + 4 * k + 128), _MM_HINT_T0);
    /* the caller's lines for later tiles, one every other k: into L2
     * only, so they do not push this tile's B out of L1 */
    if (ahead_left > 0 && (k & 1) == 0) {
      _mm_prefetch(ahead, _MM_HINT_T1);
      ahead += 64;
      ahead_left--;
    }
    for (q = 0; q < NQ; q++)
      for (r = 0; r < 4; r++) {
        const __m512 av = _mm512_set1_ps(aq[q][4 * k + r]);
        acc[q][r][0] = _mm512_fmadd_ps(av, b0, acc[q][r][0]);
        acc[q][r][1] = _mm512_fmadd_ps(av, b1, acc[q][r][1]);
      }
  }
  {
    /* the epilogue in registers where it is a residual and ReLU (or no
     * activation); any other activation after the stores, by rt_epi_tile */
    const rt_epi *e = x ? x->epi : NULL;
    const int in_regs = e && (e->act == RT_ACT_NONE || e->act == RT_ACT_RELU);
    for (q = 0; q < NQ; q++)
      for (r = 0; r < 4; r++)
        if (4 * q + r < m) {
          float *ci = c + (4 * q + r) * ldc;
          store_row(ci, acc[q][r][0], acc[q][r][1], beta, m0, m1, in_regs && e->res ? e->res + (ci - e->y) : NULL,
                    in_regs && e->act == RT_ACT_RELU);
        }
    if (e && !in_regs) rt_epi_tile(e, c, ldc, m, n);
  }
}

void rt_sgemm_ukernel_ex(int64_t kc, const float *restrict a, int64_t a_qstride, const float *restrict b,
                         int64_t b_kstride, float *restrict c, int64_t ldc, float beta, int64_t m, int64_t n,
                         const float *row_init, const rt_sgemm_extra *x) {
  if (m > 8) tile(3, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, x);
  else if (m > 4) tile(2, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, x);
  else tile(1, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, x);
}

void rt_sgemm_ukernel(int64_t kc, const float *restrict a, int64_t a_qstride, const float *restrict b,
                      int64_t b_kstride, float *restrict c, int64_t ldc, float beta, int64_t m, int64_t n,
                      const float *row_init) {
  /* its own copies of the bodies, with x a constant NULL: conv's tiles
   * pay nothing for the extras */
  if (m > 8) tile(3, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, NULL);
  else if (m > 4) tile(2, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, NULL);
  else tile(1, kc, a, a_qstride, b, b_kstride, c, ldc, beta, m, n, row_init, NULL);
}

/* 16 columns of a transposed B into a panel of rt_sgemm (gemm.c's
 * pack_b): bp[k * NR + j] = b[j * ldb + k] for j < rows (at most 16; the
 * other columns are 0) and k < kc. The plain loop writes one float per
 * store, NR floats apart; here 16 x 16 blocks are transposed in registers
 * (interleave pairs of rows, then pairs of pairs, then 128-bit lanes) and
 * stored a k row at a time: rt_sgemm's 128 x 768 x 768 with B transposed
 * spent a fifth of its time packing. */
void rt_sgemm_pack_b_t16(int64_t kc, const float *restrict b, int64_t ldb, int64_t rows, float *restrict bp) {
  int64_t k;
  int j, i, s;
  for (k = 0; k < kc; k += 16) {
    const int64_t left = kc - k;
    const __mmask16 in = lane_mask(left);
    __m512 r[16], t[16], u[16];
    for (j = 0; j < 16; j++) r[j] = j < rows ? _mm512_maskz_loadu_ps(in, b + j * ldb + k) : _mm512_setzero_ps();
    /* t[2p], t[2p+1]: rows 2p and 2p+1 interleaved, k = 4L..4L+1 and
     * 4L+2..4L+3 of each lane L */
    for (j = 0; j < 16; j += 2) {
      t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
      t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
    }
    /* u[4s + i], lane L: rows 4s..4s+3 at k = 4L + i */
    for (s = 0; s < 16; s += 4) {
      u[s] = _mm512_shuffle_ps(t[s], t[s + 2], 0x44);
      u[s + 1] = _mm512_shuffle_ps(t[s], t[s + 2], 0xEE);
      u[s + 2] = _mm512_shuffle_ps(t[s + 1], t[s + 3], 0x44);
      u[s + 3] = _mm512_shuffle_ps(t[s + 1], t[s + 3], 0xEE);
    }
    /* k = 4L + i gathers lane L of u[i], u[4 + i], u[8 + i], u[12 + i] */
    for (i = 0; i < 4; i++) {
      const __m512 v0 = _mm512_shuffle_f32x4(u[i], u[4 + i], 0x44), v1 = _mm512_shuffle_f32x4(u[i], u[4 + i], 0xEE);
      const __m512 v2 = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0x44);
      const __m512 v3 = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0xEE);
      const __m512 o[4] = {_mm512_shuffle_f32x4(v0, v2, 0x88), _mm512_shuffle_f32x4(v0, v2, 0xDD),
                           _mm512_shuffle_f32x4(v1, v3, 0x88), _mm512_shuffle_f32x4(v1, v3, 0xDD)};
      int l;
      for (l = 0; l < 4; l++)
        if (4 * l + i < left) _mm512_storeu_ps(bp + (k + 4 * l + i) * NR, o[l]);
    }
  }
}

#else
/* ISO C forbids an empty translation unit. */
typedef int rt_sgemm_avx512_unused;
#endif
