/* Internal to the runtime: rt_sgemm's tile configuration and its entry
 * point for operands that the caller has already packed (conv.c unfolds
 * its im2col blocks straight into the packed layout). Not installed: the
 * MR x NR tile depends on the CPU the runtime is built for. (The quad
 * layout of prepacked conv weights does not: see RT_CONV_QUAD below.) */
#ifndef ONNXCC_RT_SGEMM_INTERNAL_H
#define ONNXCC_RT_SGEMM_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "epilogue_internal.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/kernels/gemm.h"
#include "onnxcc/parallel.h"

/* ---- tile sizes ----
 *
 * The micro-kernel keeps an MR x NR block of C in vector registers. Which
 * loop order gcc turns into clean broadcast + FMA code (no spills, no
 * shuffles) depends on the shape, so each target gets a checked pair:
 * RT_SGEMM_IOUTER selects "for each row i: broadcast a[i], FMA it with the
 * NR/VL vectors of b" over "for each column j: ...". Check with
 * benchmarks/gemm_bench.c and `gcc -S` (no %rsp in the k loop) after
 * changing them. */
/* AVX-512 has its own kernel in intrinsics (sgemm_avx512.c) with this
 * tile on every compiler; defining RT_SGEMM_MR/NR (gemm_bench.c's tile
 * experiments) or RT_SGEMM_PORTABLE selects the plain C kernel instead. */
#if defined(__AVX512F__) && !defined(RT_SGEMM_MR) && !defined(RT_SGEMM_NR) && !defined(RT_SGEMM_PORTABLE)
#define RT_SGEMM_AVX512 1
#define RT_SGEMM_MR 12
#define RT_SGEMM_NR 32
#else
#define RT_SGEMM_AVX512 0
#endif
#if !defined(RT_SGEMM_MR) || !defined(RT_SGEMM_NR)
#undef RT_SGEMM_MR
#undef RT_SGEMM_NR
#undef RT_SGEMM_IOUTER
#if defined(__AVX512F__) && !defined(__clang__)
/* 32 zmm registers: 12 x 2 accumulators, 2 for b, 1 broadcast. gcc keeps
 * -march=native code at 256 bits on these CPUs unless told otherwise, so
 * the micro-kernel asks for 512 (RT_SGEMM_WIDE below). */
#define RT_SGEMM_MR 12
#define RT_SGEMM_NR 32
#define RT_SGEMM_IOUTER 1
#elif defined(__AVX512F__)
/* clang stays at 256 bits (unless built with -mprefer-vector-width=512):
 * 32 ymm registers, 8 x 3 accumulators. */
#define RT_SGEMM_MR 8
#define RT_SGEMM_NR 24
#define RT_SGEMM_IOUTER 1
#elif defined(__AVX__)
/* 16 ymm registers: 4 x 3 accumulators, 3 for b, 1 broadcast. */
#define RT_SGEMM_MR 4
#define RT_SGEMM_NR 24
#define RT_SGEMM_IOUTER 1
#elif defined(__aarch64__) || defined(__ARM_NEON)
/* 32 q registers of 4 floats: 8 x 3 accumulators. */
#define RT_SGEMM_MR 8
#define RT_SGEMM_NR 12
#define RT_SGEMM_IOUTER 1
#elif defined(__SSE2__) && defined(__clang__)
/* 16 xmm registers: 4 x 4 accumulators (clang schedules these best). */
#define RT_SGEMM_MR 4
#define RT_SGEMM_NR 16
#define RT_SGEMM_IOUTER 1
#elif defined(__SSE2__)
/* 16 xmm registers: 4 x 2 accumulators (gcc spills anything larger). */
#define RT_SGEMM_MR 4
#define RT_SGEMM_NR 8
#define RT_SGEMM_IOUTER 1
#else
#define RT_SGEMM_MR 4
#define RT_SGEMM_NR 4
#define RT_SGEMM_IOUTER 1
#endif
#endif
#ifndef RT_SGEMM_IOUTER
#define RT_SGEMM_IOUTER 0
#endif
#define MR RT_SGEMM_MR
#define NR RT_SGEMM_NR

/* On AVX-512 CPUs gcc prefers 256-bit vectors by default; the micro-kernel
 * is the one loop that gains from the full width. (A function attribute,
 * not an intrinsic: the code stays plain C.) */
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__) && !defined(RT_SGEMM_NO_WIDE)
#define RT_SGEMM_WIDE __attribute__((target("prefer-vector-width=512")))
#else
#define RT_SGEMM_WIDE
#endif

/* Cache blocking: a KC x NR panel of B (32 KiB at KC=256, NR=32) stays in
 * L1 while the micro-kernel sweeps the MC x KC block of A (L2); the KC x NC
 * block of B (1 MiB) is in L2/L3. */
#ifndef RT_SGEMM_KC
#define RT_SGEMM_KC 256
#endif
#ifndef RT_SGEMM_MC
#define RT_SGEMM_MC (MR * (144 / MR))
#endif
#ifndef RT_SGEMM_NC
#define RT_SGEMM_NC 1024
#endif
#define KC RT_SGEMM_KC
#define MC RT_SGEMM_MC
#define NC RT_SGEMM_NC

/* The scratch size must not depend on the tile sizes: the compiler sizes
 * the arena with its own build of this file, and the program may link a
 * build for another CPU. So rt_sgemm_scratch_bytes uses these bounds,
 * which every configuration must stay within. */
#define CAP_MR 16
#define CAP_NR 32
#define CAP_KC 256
#define CAP_MC 160
#define CAP_NC 1024
#if MR > CAP_MR || NR > CAP_NR || KC > CAP_KC || MC > CAP_MC || NC > CAP_NC || MC % MR
#error "rt_sgemm tile sizes exceed the bounds rt_sgemm_scratch_bytes assumes"
#endif

/* rt_sgemm's A panels and the conv weights prepacked at compile time are
 * read in quads of 4 rows (RT_CONV_QUAD, onnxcc/kernels/conv.h), whatever
 * MR the compiler's own build had: an MR that is not a whole number of
 * quads would read the blob wrongly, so it does not build. */
#if MR % RT_CONV_QUAD
#error "MR must be a multiple of RT_CONV_QUAD (see onnxcc/kernels/conv.h)"
#endif

/* Gemm's B prepacked at compile time is read in panels of RT_GEMM_PANEL
 * columns (onnxcc/kernels/gemm.h) whatever NR the compiler's build had:
 * an NR-wide tile must fit a whole number of times in a panel, and no
 * further past the last one than the pad after it. */
#if RT_GEMM_PANEL % NR || NR > RT_GEMM_PANEL_PAD || NR > CAP_NR
#error "NR must divide RT_GEMM_PANEL and stay within RT_GEMM_PANEL_PAD (see onnxcc/kernels/gemm.h)"
#endif

/* Fused multiply-add where the hardware has it (C99 defines FP_FAST_FMAF
 * then, and the compiler inlines fmaf as one instruction); a separate
 * multiply and add otherwise. ISO C mode forbids the compiler from fusing
 * a * b + c by itself. */
#ifdef FP_FAST_FMAF
#define MADD(a, b, c) fmaf((a), (b), (c))
#else
#define MADD(a, b, c) ((a) * (b) + (c))
#endif

/* d[0..n) = s[0..n) for a run of at most NR floats (an unfolded panel's
 * row: conv.c's im2col copies one per channel, tap and row of output
 * positions, mostly shorter than NR). With AVX-512 two masked moves
 * whatever n; a loop of unknown length elsewhere (vectorised with a
 * scalar tail). */
#if RT_SGEMM_AVX512
#include <immintrin.h>
static inline void rt_sgemm_copy_run(float *d, const float *s, int64_t n) {
  const __mmask16 m0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
  const __mmask16 m1 = n >= 32 ? (__mmask16)0xFFFF : n > 16 ? (__mmask16)((1u << (n - 16)) - 1u) : 0;
  _mm512_mask_storeu_ps(d, m0, _mm512_maskz_loadu_ps(m0, s));
  if (m1) _mm512_mask_storeu_ps(d + 16, m1, _mm512_maskz_loadu_ps(m1, s + 16));
}
#else
static inline void rt_sgemm_copy_run(float *d, const float *s, int64_t n) {
  int64_t t;
  for (t = 0; t < n; t++) d[t] = s[t];
}
#endif

/* The two halves of rt_sgemm, for callers that produce the B panels
 * themselves (conv.c writes its im2col panels straight in this layout).
 *
 * rt_sgemm_pack_a: packs the mc x kc block of op(A) at `a` (offset to the
 * block's origin) into ceil(mc / MR) panels of MR rows, each MR/4 quads of
 * kc x 4 floats, k-major: row i = 4q + r of a panel, column k, is at
 * ap[panel * MR * kc + q * 4 * kc + k * 4 + r] = alpha * op(A)(row, k);
 * rows past mc are zero.
 * rt_sgemm_ukernel: the m x n (at most MR x NR) tile at c becomes
 * row_init[i] (0 if row_init is NULL) + sum over k < kc of
 * A(i, k) * b[k * b_kstride + j], plus beta * c (c is not read when beta == 0),
 * where A(i, k) = a[(i / 4) * a_qstride + k * 4 + i % 4] (quads a_qstride
 * floats apart: 4 * kc for rt_sgemm_pack_a's panels, 4 * kdim for
 * prepacked conv weights). Quads past the ceil(m / 4) that hold rows are
 * never read, so a caller's matrix may end there; rows past m within the
 * last quad and b's lanes past n are read but their results dropped (each
 * accumulator depends on its own row and lane only). b is k-major, NR
 * floats per k, b_kstride floats apart: NR for rt_sgemm's own panels and
 * conv's unfolded ones, the panel width for Gemm's prepacked B. */
void rt_sgemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t lda, int trans, float alpha, float *ap);
void rt_sgemm_ukernel(int64_t kc, const float *a, int64_t a_qstride, const float *b, int64_t b_kstride, float *c,
                      int64_t ldc, float beta, int64_t m, int64_t n, const float *row_init);
/* C = alpha * op(A) * B + beta * C with B prepacked in gemm.h's panels
 * (rt_gemm_f32_pack_b); scratch rt_gemm_f32_packed_scratch_bytes(M, K).
 * The body of rt_gemm_f32_packed and rt_matmul_f32_packed, and the input
 * projection of the recurrent _proj kernels (rnn_proj.c). col_init (NULL:
 * none): a row of N values each row of the product starts from. e and par
 * as below. */
void rt_sgemm_packed_b(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                       const float *bpk, float beta, float *C, int64_t ldc, void *scratch, const float *col_init,
                       const rt_epi *e, const rt_parallel *par);
/* The width of the prepacked panel that starts at column j0 of n:
 * RT_GEMM_PANEL, or the last columns rounded up to 4 (gemm.h). */
static inline int64_t rt_gemm_panel_width(int64_t n, int64_t j0) {
  const int64_t w = (n - j0 + 3) / 4 * 4;
  return w < RT_GEMM_PANEL ? w : RT_GEMM_PANEL;
}
/* Its M == 1 form, for rt_gemm_f32_gemv_packed and
 * rt_matmul_f32_gemv_packed (gemv_packed.c; K may be 0, which leaves the
 * product out): with a the one row of A (contiguous, K floats), c[j] = alpha * sum over k of a[k] * op(B)(k, j),
 * plus col_init[j] if col_init, else plus beta * c[j] (c not read when
 * beta == 0), then e; the columns split across par's tasks, bit-identical
 * however they are split. */
void rt_sgemv_packed_b(int64_t N, int64_t K, float alpha, const float *a, const float *bpk, float beta, float *c,
                       const float *col_init, const rt_epi *e, const rt_parallel *par);
/* What rt_sgemm_ukernel_ex adds for gemm.c's own loops (conv.c needs
 * neither):
 *   col_init: NULL, or n floats: accumulator (i, j) starts at col_init[j]
 *     instead of row_init[i] (a bias along the rows of C, as a Linear
 *     layer's is; row_init must then be NULL).
 *   ahead, ahead_lines: ahead_lines cache lines of 64 bytes from `ahead`
 *     that the following tiles will read, asked into L2 while this one is
 *     computed (a hint: prefetches, never loads; at most one line every
 *     other k, so a tile of depth kc asks for at most kc / 2). gemm.c
 *     points it at the next panel of a prepacked B, which otherwise comes
 *     from L3 or memory while the first row panel of A waits for it.
 *   epi: NULL, or the fused epilogue (epilogue_internal.h) to finish the
 *     tile with, as rt_epi_tile(epi, c, ldc, m, n) would after the call (so
 *     only with the tile's last K slice). The AVX-512 kernel applies a
 *     residual and ReLU (or no activation) to the accumulators before it
 *     stores them, the same bits as rt_epi_tile gives: a call per row of
 *     each tile cost linear1 of transformer_encoder (128 x 2048 x 256,
 *     bias and ReLU fused) 45 us of its 660. */
typedef struct rt_sgemm_extra {
  const float *col_init;
  const void *ahead;
  int64_t ahead_lines;
  const rt_epi *epi;
} rt_sgemm_extra;
void rt_sgemm_ukernel_ex(int64_t kc, const float *a, int64_t a_qstride, const float *b, int64_t b_kstride, float *c,
                         int64_t ldc, float beta, int64_t m, int64_t n, const float *row_init,
                         const rt_sgemm_extra *x);
#if RT_SGEMM_AVX512
/* gemm.c's pack of a transposed B, 16 columns at a time (sgemm_avx512.c):
 * bp[k * NR + j] = b[j * ldb + k] for j < rows (<= 16; 0 past rows), k < kc. */
void rt_sgemm_pack_b_t16(int64_t kc, const float *b, int64_t ldb, int64_t rows, float *bp);
#endif
/* rt_sgemm with a fused epilogue e (NULL: none; epilogue_internal.h)
 * applied to each tile of C once its last K slice is in. */
void rt_sgemm_epi(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                  const float *B, int64_t ldb, int trans_b, float beta, float *C, int64_t ldc, void *scratch,
                  const rt_epi *e);
/* The same with its packed blocks' tiles split across par's tasks
 * (onnxcc/parallel.h; NULL: one), each tile computed as with one. */
void rt_sgemm_epi_par(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda, int trans_a,
                      const float *B, int64_t ldb, int trans_b, float beta, float *C, int64_t ldc, void *scratch,
                      const rt_epi *e, const rt_parallel *par);

#endif
