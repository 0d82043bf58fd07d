/* Linear-algebra kernels: Einsum (a general strided contraction) and Det
 * (determinants of square matrices). */
#ifndef ONNXCC_KERNELS_ALGEBRA_H
#define ONNXCC_KERNELS_ALGEBRA_H

#include "../params.h"
#include "../runtime.h"

/* Limits of the contraction: loop dims (output dims plus summed ones) and
 * operands. The compiler refuses equations beyond them. */
#define RT_EINSUM_MAX_LOOPS 16
#define RT_EINSUM_MAX_INPUTS 8

/* rt_einsum_T: the compiler has parsed the equation into loops. Loops
 * [0, n_out) are y's dims in order (y is written densely, row-major), loops
 * [n_out, n_out + n_sum) are summed over; dims[d] is loop d's extent. Input
 * k's element at loop position (i_0, ...) is
 *   in[k][sum over d of i_d * strides[k * RT_EINSUM_MAX_LOOPS + d]]
 * (a label an input lacks, or broadcasts, has stride 0; a label repeated
 * within an input, a diagonal, has the sum of its axes' strides), and
 *   y[i_0, ..., i_{n_out-1}] = sum over the summed loops of the product of
 *   the n_in inputs' elements.
 * An empty sum is 0. T: f32 and f16 (accumulated in double and float),
 * f64, i32, i64 (integers wrap). y must not be an input. */
#define RT_EINSUM_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(n_in) I32(n_out) I32(n_sum) IA(dims, 16) IA(strides, 128)
RT_PARAMS_STRUCT(rt_einsum_params, RT_EINSUM_PARAMS)

/* rt_einsum_gemm_f32: a contraction that is a batch of matrix products in
 * any layout rt_sgemm reads (gemm.h): for each index b of batch_dims
 * [0, batch_rank), Y[b] = op(A[b]) * op(B[b]) where A is in[swap], B is
 * in[1 - swap] (the compiler computes Y^T = B^T A^T when y's layout asks
 * for it), and A[b], B[b], Y[b] start at sum(b[d] * a_strides[d]) etc.
 * elements (zero strides on broadcast dims); M, N, K, lda, trans_a, ldb,
 * trans_b and ldc as rt_sgemm takes them. Scratch
 * rt_sgemm_scratch_bytes(M, N, K). */
#define RT_EINSUM_GEMM_PARAMS(I, F, IA, FA, I32, I32A, E)                                \
  I32(batch_rank) I32(swap) I32(trans_a) I32(trans_b) I(M) I(N) I(K) I(lda) I(ldb) I(ldc) \
  IA(batch_dims, 8) IA(a_strides, 8) IA(b_strides, 8) IA(y_strides, 8)
RT_PARAMS_STRUCT(rt_einsum_gemm_params, RT_EINSUM_GEMM_PARAMS)

/* rt_det_T: x is `batch` matrices of n x n; y[b] is the determinant of
 * matrix b (1 for n == 0), by LU decomposition with partial pivoting in
 * double precision, rounded once to T. Scratch: n * n doubles. T: f32,
 * f64, f16. */
#define RT_DET_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(n)
RT_PARAMS_STRUCT(rt_det_params, RT_DET_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_ALGEBRA_KERNELS(K)                                                                  \
  K(rt_einsum_f32, rt_einsum_params) K(rt_einsum_f64, rt_einsum_params)                         \
  K(rt_einsum_f16, rt_einsum_params) K(rt_einsum_i32, rt_einsum_params)                         \
  K(rt_einsum_i64, rt_einsum_params) K(rt_einsum_gemm_f32, rt_einsum_gemm_params)              \
  K(rt_det_f32, rt_det_params) K(rt_det_f64, rt_det_params) K(rt_det_f16, rt_det_params)
#define RT_ALGEBRA_PARAMS_TYPES(P)                                                                \
  P(rt_einsum_params, RT_EINSUM_PARAMS) P(rt_einsum_gemm_params, RT_EINSUM_GEMM_PARAMS)          \
  P(rt_det_params, RT_DET_PARAMS)
RT_ALGEBRA_KERNELS(RT_DECLARE_KERNEL)

#endif
