/* Linear-algebra kernels: Einsum and Det.
 *
 * Einsum runs whatever contraction the compiler parsed from the equation as
 * two nested odometers, one over y's dims and one over the summed dims,
 * moving each input's offset by that input's stride for the loop that
 * steps. The innermost summed loop (the longest running one) is a plain
 * strided loop; with one or two operands, the common cases, it has no
 * loop over the operands inside. A two-operand contraction that is a batch
 * of matrix products in float runs on rt_sgemm instead
 * (rt_einsum_gemm_f32). Det factors a double copy of each matrix. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/algebra.h"
#include "onnxcc/kernels/gemm.h"
#include "half_internal.h"

/* ---- Einsum ---- */

/* Steps the odometer over loops [from, to) (the last one fastest) and the
 * offsets of the n inputs with it. Wraps around to all zeros after the
 * last position. */
static void einsum_step(const rt_einsum_params *p, int from, int to, int64_t *idx, int64_t *off) {
  int d, k;
  for (d = to - 1; d >= from; d--) {
    for (k = 0; k < p->n_in; k++) off[k] += p->strides[k * RT_EINSUM_MAX_LOOPS + d];
    if (++idx[d] < p->dims[d]) return;
    for (k = 0; k < p->n_in; k++) off[k] -= p->strides[k * RT_EINSUM_MAX_LOOPS + d] * p->dims[d];
    idx[d] = 0;
  }
}

static int64_t einsum_count(const rt_einsum_params *p, int from, int to) {
  int64_t n = 1;
  int d;
  for (d = from; d < to; d++) n *= p->dims[d];
  return n;
}

/* One kernel per type: ACC is the accumulator type, LOAD(x) converts an
 * element to it, STORE(a) back. The innermost summed loop (extent m,
 * strides st[k]) runs without the odometer. With no summed loop at all,
 * m is 1 and each output element is a single product. */
#define DEFINE_EINSUM(NAME, T, ACC, LOAD, STORE)                                                   \
  RT_KERNEL(NAME) {                                                                                \
    const rt_einsum_params *p = (const rt_einsum_params *)params;                                  \
    const int ni = p->n_in, no = p->n_out, ns = p->n_sum, inner = no + ns - 1;                     \
    const T *x[RT_EINSUM_MAX_INPUTS];                                                              \
    int64_t base[RT_EINSUM_MAX_INPUTS] = {0}, off[RT_EINSUM_MAX_INPUTS], st[RT_EINSUM_MAX_INPUTS]; \
    int64_t oi[RT_EINSUM_MAX_LOOPS] = {0}, si[RT_EINSUM_MAX_LOOPS] = {0};                          \
    const int64_t n_out = einsum_count(p, 0, no);                                                  \
    const int64_t m = ns > 0 ? p->dims[inner] : 1;                                                 \
    const int64_t n_outer = ns > 0 ? einsum_count(p, no, inner) : 1;                               \
    T *y = (T *)out[0];                                                                            \
    int64_t o, s, j;                                                                               \
    int k;                                                                                         \
    (void)scratch;                                                                                 \
    for (k = 0; k < ni; k++) {                                                                     \
      x[k] = (const T *)in[k];                                                                     \
      st[k] = ns > 0 ? p->strides[k * RT_EINSUM_MAX_LOOPS + inner] : 0;                            \
    }                                                                                              \
    for (o = 0; o < n_out; o++) {                                                                  \
      ACC acc = (ACC)0;                                                                            \
      for (k = 0; k < ni; k++) off[k] = base[k];                                                   \
      for (s = 0; s < n_outer; s++) {                                                              \
        if (ni == 1) {                                                                             \
          for (j = 0; j < m; j++) acc += LOAD(x[0][off[0] + j * st[0]]);                           \
        } else if (ni == 2) {                                                                      \
          for (j = 0; j < m; j++) acc += LOAD(x[0][off[0] + j * st[0]]) * LOAD(x[1][off[1] + j * st[1]]); \
        } else {                                                                                   \
          for (j = 0; j < m; j++) {                                                                \
            ACC prod = LOAD(x[0][off[0] + j * st[0]]);                                             \
            for (k = 1; k < ni; k++) prod *= LOAD(x[k][off[k] + j * st[k]]);                       \
            acc += prod;                                                                           \
          }                                                                                        \
        }                                                                                          \
        if (ns > 1) einsum_step(p, no, inner, si, off);                                            \
      }                                                                                            \
      y[o] = STORE(acc);                                                                           \
      einsum_step(p, 0, no, oi, base);                                                             \
    }                                                                                              \
  }

#define AS_DOUBLE(v) ((double)(v))
#define AS_FLOAT(v) ((float)(v))
#define AS_SELF(v) (v)
/* Integer products and sums wrap: computed in the unsigned type of the
 * same width. */
#define AS_U32(v) ((uint32_t)(v))
#define AS_U64(v) ((uint64_t)(v))
#define TO_I32(a) ((int32_t)(a))
#define TO_I64(a) ((int64_t)(a))

DEFINE_EINSUM(rt_einsum_f32, float, double, AS_DOUBLE, AS_FLOAT)
DEFINE_EINSUM(rt_einsum_f64, double, double, AS_SELF, AS_SELF)
DEFINE_EINSUM(rt_einsum_f16, uint16_t, float, half_to_float, float_to_half)
DEFINE_EINSUM(rt_einsum_i32, int32_t, uint32_t, AS_U32, TO_I32)
DEFINE_EINSUM(rt_einsum_i64, int64_t, uint64_t, AS_U64, TO_I64)

/* One rt_sgemm per batch index, the batch walked as an odometer. */
RT_KERNEL(rt_einsum_gemm_f32) {
  const rt_einsum_gemm_params *p = (const rt_einsum_gemm_params *)params;
  const float *a = (const float *)in[p->swap], *b = (const float *)in[1 - p->swap];
  float *y = (float *)out[0];
  int64_t idx[8] = {0}, total = 1, t, oa = 0, ob = 0, oy = 0;
  int d;
  for (d = 0; d < p->batch_rank; d++) total *= p->batch_dims[d];
  for (t = 0; t < total; t++) {
    rt_sgemm(p->M, p->N, p->K, 1.0f, a + oa, p->lda, p->trans_a, b + ob, p->ldb, p->trans_b, 0.0f, y + oy, p->ldc,
             scratch);
    for (d = p->batch_rank - 1; d >= 0; d--) {
      oa += p->a_strides[d], ob += p->b_strides[d], oy += p->y_strides[d];
      if (++idx[d] < p->batch_dims[d]) break;
      oa -= p->a_strides[d] * p->batch_dims[d], ob -= p->b_strides[d] * p->batch_dims[d];
      oy -= p->y_strides[d] * p->batch_dims[d];
      idx[d] = 0;
    }
  }
}

/* ---- Det ---- */

/* The determinant of the n x n matrix a (row-major, destroyed): Gaussian
 * elimination with partial pivoting, the product of the pivots with the
 * sign of the row swaps. A column without a non-zero pivot makes the
 * determinant 0 (times whatever NaN the rest may carry). */
static double det_lu(double *a, int64_t n) {
  double det = 1.0;
  int64_t i, j, k;
  for (k = 0; k < n; k++) {
    int64_t piv = k;
    double best = fabs(a[k * n + k]);
    for (i = k + 1; i < n; i++)
      if (fabs(a[i * n + k]) > best) {
        best = fabs(a[i * n + k]);
        piv = i;
      }
    if (a[piv * n + k] == 0.0) {
      det *= 0.0;
      continue;
    }
    if (piv != k) {
      for (j = 0; j < n; j++) {
        double t = a[k * n + j];
        a[k * n + j] = a[piv * n + j];
        a[piv * n + j] = t;
      }
      det = -det;
    }
    det *= a[k * n + k];
    for (i = k + 1; i < n; i++) {
      const double f = a[i * n + k] / a[k * n + k];
      for (j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return det;
}

#define DEFINE_DET(NAME, T, LOAD, STORE)                             \
  RT_KERNEL(NAME) {                                                  \
    const rt_det_params *p = (const rt_det_params *)params;          \
    const int64_t nn = p->n * p->n;                                  \
    const T *x = (const T *)in[0];                                   \
    T *y = (T *)out[0];                                              \
    double *a = (double *)scratch;                                   \
    int64_t b, i;                                                    \
    for (b = 0; b < p->batch; b++) {                                 \
      for (i = 0; i < nn; i++) a[i] = (double)LOAD(x[b * nn + i]);   \
      y[b] = STORE(det_lu(a, p->n));                                 \
    }                                                                \
  }

#define HALF_FROM_DOUBLE(v) float_to_half((float)(v))

DEFINE_DET(rt_det_f32, float, AS_SELF, AS_FLOAT)
DEFINE_DET(rt_det_f64, double, AS_SELF, AS_SELF)
DEFINE_DET(rt_det_f16, uint16_t, half_to_float, HALF_FROM_DOUBLE)
