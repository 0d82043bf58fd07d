/* Matrix products: the shared single-precision GEMM routine, and the
 * kernels of the ONNX Gemm and MatMul ops built on it. */
#ifndef ONNXCC_KERNELS_GEMM_H
#define ONNXCC_KERNELS_GEMM_H

#include "../params.h"
#include "../runtime.h"
#include "epilogue.h"

#ifdef __cplusplus
extern "C" {
#endif

/* C = alpha * op(A) * op(B) + beta * C, all row-major, single precision.
 *
 *   op(A) is M x K: element (i, k) is A[i*lda + k], or A[k*lda + i] when
 *   trans_a is set. op(B) is K x N: element (k, j) is B[k*ldb + j], or
 *   B[j*ldb + k] when trans_b is set. C is M x N with row stride ldc.
 *
 * beta == 0 makes C write-only (its old contents, NaN included, are never
 * read); beta == 1 accumulates into C. `scratch` must hold
 * rt_sgemm_scratch_bytes(M, N, K) bytes (any alignment); the routine keeps
 * its packed panels there and never allocates. A, B and C must not overlap
 * (A and B may). */
void rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t lda, int trans_a,
              const float *B, int64_t ldb, int trans_b,
              float beta, float *C, int64_t ldc, void *scratch);

/* Scratch bytes rt_sgemm needs for an M x N x K product. At most about
 * 1.3 MiB, whatever the sizes; the same on every target. */
size_t rt_sgemm_scratch_bytes(int64_t M, int64_t N, int64_t K);

/* ---- B prepacked at compile time (the _packed variants) ----
 *
 * op(B) (K x N) is cut into column panels of RT_GEMM_PANEL columns, the
 * last one RT_GEMM_PANEL wide or the remaining columns rounded up to 4
 * (zero columns), each stored k-major:
 *   packed[j0 * K + k * pw + (j - j0)] = op(B)(k, j)
 * for the panel starting at column j0 (a multiple of RT_GEMM_PANEL) of
 * width pw; RT_GEMM_PANEL_PAD zero floats follow the last panel.
 *
 * Why this is safe across builds: the compiler packs with its own build
 * of the runtime, and the program may link a build whose micro-kernel is
 * NR = 4, 8, 12, 16, 24 or 32 columns wide (runtime/src/sgemm_internal.h).
 * 96 is a multiple of each, so an NR-wide tile never straddles two
 * panels: it reads NR contiguous floats per k, and is told the panel's row
 * length. Only a tile of the narrow last panel may read lanes past the
 * panel's width (the next k's row, or the pad after the last one); those
 * lanes' results are never stored. A build whose NR does not divide
 * RT_GEMM_PANEL, or exceeds RT_GEMM_PANEL_PAD, does not compile. */
#define RT_GEMM_PANEL 96
#define RT_GEMM_PANEL_PAD 32

/* Floats of the packed form of a K x N op(B). */
int64_t rt_gemm_f32_packed_floats(int64_t K, int64_t N);
/* Writes op(B) (B[k*N + j], or B[j*K + k] when trans_b) into `packed`
 * (rt_gemm_f32_packed_floats floats, pad included) in the layout above. */
void rt_gemm_f32_pack_b(int64_t K, int64_t N, const float *b, int trans_b, float *packed);
/* Scratch bytes of rt_gemm_f32_packed and rt_matmul_f32_packed: one
 * packed block of A (at most about 160 KiB), nothing for B. The same on
 * every target. */
size_t rt_gemm_f32_packed_scratch_bytes(int64_t M, int64_t K);
/* What each task past the first adds to that scratch in the threaded
 * variants (rt_gemm_f32_packed_mt, rt_matmul_f32_packed_mt): a block of A
 * of its own, RT_TASK_STRIDE apart (<onnxcc/parallel.h>). */
size_t rt_gemm_f32_packed_task_bytes(int64_t M, int64_t K);
/* What each task past the first adds to rt_matmul_f32's scratch in its
 * threaded variant rt_matmul_f32_mt: a product's scratch of its own,
 * RT_TASK_STRIDE apart. */
size_t rt_matmul_f32_task_bytes(int64_t M, int64_t N, int64_t K);

/* ONNX Gemm: Y[M,N] = alpha * op(A) * op(B) + beta * C, where C (in[2],
 * only read when has_c is set: in[] has no slot for an absent trailing
 * input) is read at C[i*c_rs + j*c_cs] (zero strides where it is
 * broadcast). Variants:
 *   rt_gemm_f32       scratch rt_sgemm_scratch_bytes(M, N, K); packs B
 *                     into scratch on every call: for B that is not a
 *                     constant (and the constant folder)
 *   rt_gemm_f32_packed  B (in[1]) already packed as above, trans_b
 *                     applied (the kernel does not read trans_b): scratch
 *                     rt_gemm_f32_packed_scratch_bytes(M, K), only A's
 *                     packed blocks
 *   rt_gemm_f32_packed_mt  the same for --threads programs: the whole
 *                     product one job, each task packing A into a buffer
 *                     of its own (rt_gemm_f32_packed_task_bytes(M, K) per
 *                     task past the first), the same bits
 *   rt_gemm_f32_gemv_packed  M == 1 (a batch-1 Linear layer) and B
 *                     packed as above: packs nothing, reads each panel
 *                     as one stream, no scratch
 *   rt_gemm_f32_gemv  M == 1 with a B that is not constant: memory-bound,
 *                     works straight from A and B, no scratch
 *   rt_gemm_f64       no scratch
 * The f32 variants apply the epilogue fields (epilogue.h; the residual is
 * in[3], M x N); rt_gemm_f64 leaves them zero. */
#define RT_GEMM_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(trans_a) I32(trans_b) I32(has_c) I(M) I(N) I(K) F(alpha) F(beta) \
  I(c_rs) I(c_cs) RT_EPILOGUE_FIELDS(F, I32, E)
RT_PARAMS_STRUCT(rt_gemm_params, RT_GEMM_PARAMS)

/* ONNX MatMul (numpy matmul), after the compiler has turned 1-D operands
 * into 1 x K / K x 1 matrices: for every index of the broadcast batch
 * shape batch_dims[0..batch_rank), Y[b] (M x N, packed one after the other)
 * = A[b] (M x K) * B[b] (K x N), where matrix A[b] starts at
 * sum(b[d] * a_strides[d]) elements (zero strides on broadcast dims), and
 * likewise for B. Variants: rt_matmul_f32 (scratch
 * rt_sgemm_scratch_bytes(M, N, K)), rt_matmul_f32_mt the same for
 * --threads programs (each task takes whole matrices of the batch, with
 * rt_matmul_f32_task_bytes(M, N, K) of scratch per task past the first;
 * the same bits), rt_matmul_f32_packed (batch_rank 0,
 * B prepacked as above, scratch rt_gemm_f32_packed_scratch_bytes(M, K);
 * rt_matmul_f32_packed_mt the same for --threads programs, as
 * rt_gemm_f32_packed_mt),
 * rt_matmul_f32_gemv (M == 1, no scratch), rt_matmul_f32_gemv_packed
 * (M == 1, batch_rank 0, B prepacked, no scratch), and rt_matmul_f64,
 * _i32, _i64, _u32, _u64 (no scratch; integers wrap on overflow). The f32 variants apply the epilogue fields
 * (epilogue.h; the residual is in[2], Y's shape); the others leave them
 * zero. */
#define RT_MATMUL_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(batch_rank) I(M) I(N) I(K) IA(batch_dims, RT_MAX_RANK) \
  IA(a_strides, RT_MAX_RANK) IA(b_strides, RT_MAX_RANK) RT_EPILOGUE_FIELDS(F, I32, E)
RT_PARAMS_STRUCT(rt_matmul_params, RT_MATMUL_PARAMS)

#ifdef __cplusplus
}
#endif

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_GEMM_KERNELS(K) \
  K(rt_gemm_f32, rt_gemm_params) \
  K(rt_gemm_f32_packed, rt_gemm_params) \
  K(rt_gemm_f32_packed_mt, rt_gemm_params) \
  K(rt_gemm_f32_gemv, rt_gemm_params) \
  K(rt_gemm_f32_gemv_packed, rt_gemm_params) \
  K(rt_gemm_f64, rt_gemm_params) \
  K(rt_matmul_f32, rt_matmul_params) \
  K(rt_matmul_f32_mt, rt_matmul_params) \
  K(rt_matmul_f32_packed, rt_matmul_params) \
  K(rt_matmul_f32_packed_mt, rt_matmul_params) \
  K(rt_matmul_f32_gemv, rt_matmul_params) \
  K(rt_matmul_f32_gemv_packed, rt_matmul_params) \
  K(rt_matmul_f64, rt_matmul_params) \
  K(rt_matmul_i32, rt_matmul_params) \
  K(rt_matmul_i64, rt_matmul_params) \
  K(rt_matmul_u32, rt_matmul_params) \
  K(rt_matmul_u64, rt_matmul_params)
#define RT_GEMM_PARAMS_TYPES(P) \
  P(rt_gemm_params, RT_GEMM_PARAMS) \
  P(rt_matmul_params, RT_MATMUL_PARAMS)
RT_GEMM_KERNELS(RT_DECLARE_KERNEL)

#endif
