/* com.microsoft quantized kernels (msquant.h). Integer sums are int32
 * (wrapping, as ONNX Runtime's); requantization is one float product and
 * quant_round (quant_internal.h). */
#include <string.h>

#include "onnxcc/kernels/msquant.h"
#include "quant_internal.h"

#define QLO_u8 0.0f
#define QHI_u8 255.0f
#define QLO_i8 -128.0f
#define QHI_i8 127.0f

/* Input i of the kernel as T (NULL when i < 0 or the input is absent). */
#define IN_AT(T, i) ((i) >= 0 ? (const T *)in[i] : (const T *)NULL)
/* The first value of a zero point input, or 0 when it is absent. */
#define ZP0(T, ptr) ((ptr) ? (int32_t)((const T *)(ptr))[0] : 0)

/* ---- QLinearAdd, QLinearMul ---- */

/* Element e of the output (row-major over p->dims) is read from A at
 * *oa and from B at *ob: the offsets of index idx, which this steps. */
static void bcast_step(const rt_qlbinary_params *p, int64_t *idx, int64_t *oa, int64_t *ob) {
  int64_t d;
  for (d = p->rank - 1; d >= 0; d--) {
    idx[d]++;
    *oa += p->a_strides[d];
    *ob += p->b_strides[d];
    if (idx[d] < p->dims[d]) return;
    *oa -= p->a_strides[d] * p->dims[d];
    *ob -= p->b_strides[d] * p->dims[d];
    idx[d] = 0;
  }
}

static int64_t dims_total(int64_t rank, const int64_t *dims) {
  int64_t n = 1, d;
  for (d = 0; d < rank; d++) n *= dims[d];
  return n;
}

/* EXPR computes the float to round from av = a - za and bv = b - zb. */
#define QLBINARY(name, t, T, EXPR)                                                                  \
  RT_KERNEL(rt_##name##_##t) {                                                                     \
    const rt_qlbinary_params *p = (const rt_qlbinary_params *)params;                              \
    const T *A = (const T *)in[0], *B = (const T *)in[3];                                          \
    const float sa = *(const float *)in[1], sb = *(const float *)in[4], sc = *(const float *)in[6]; \
    const int32_t za = ZP0(T, in[2]), zb = ZP0(T, in[5]), zc = ZP0(T, in[7]);                      \
    const float ra = sa / sc, rb = sb / sc, rab = sa * sb / sc;                                    \
    T *C = (T *)out[0];                                                                            \
    int64_t idx[RT_MAX_RANK] = {0}, oa = 0, ob = 0, e, total = dims_total(p->rank, p->dims);       \
    (void)scratch;                                                                                 \
    (void)ra, (void)rb, (void)rab;                                                                 \
    for (e = 0; e < total; e++) {                                                                  \
      const int32_t av = (int32_t)A[oa] - za, bv = (int32_t)B[ob] - zb;                            \
      C[e] = (T)quant_round(EXPR, zc, QLO_##t, QHI_##t);                                           \
      bcast_step(p, idx, &oa, &ob);                                                                \
    }                                                                                              \
  }

#define ADD_EXPR (ra * (float)av + rb * (float)bv)
#define MUL_EXPR ((float)(av * bv) * rab)

/* ---- QLinearSigmoid, QLinearLeakyRelu: a table of the 256 codes ---- */

static float f_sigmoid(float v, float alpha) {
  (void)alpha;
  return 1.0f / (1.0f + expf(-v));
}

static float f_leakyrelu(float v, float alpha) { return v < 0.0f ? alpha * v : v; }

/* table[code - lo] for every code of T; x / y scales and zero points are
 * in[1], in[2], in[3], in[4]. */
#define QLUNARY(name, t, T)                                                                         \
  RT_KERNEL(rt_ql##name##_##t) {                                                                   \
    const rt_qlunary_params *p = (const rt_qlunary_params *)params;                                \
    const T *X = (const T *)in[0];                                                                 \
    const float xs = *(const float *)in[1], ys = *(const float *)in[3];                            \
    const int32_t xz = ZP0(T, in[2]), yz = ZP0(T, in[4]), lo = (int32_t)QLO_##t;                   \
    T table[256], *Y = (T *)out[0];                                                                \
    int32_t q;                                                                                     \
    int64_t i;                                                                                     \
    (void)scratch;                                                                                 \
    for (q = lo; q <= (int32_t)QHI_##t; q++)                                                       \
      table[q - lo] = (T)quant_round(f_##name((float)(q - xz) * xs, p->alpha) / ys, yz, QLO_##t, QHI_##t); \
    for (i = 0; i < p->count; i++) Y[i] = table[(int32_t)X[i] - lo];                               \
  }

/* ---- QLinearGlobalAveragePool ---- */

#define QLGAP(t, T)                                                                                 \
  RT_KERNEL(rt_qlgap_##t) {                                                                        \
    const rt_qlgap_params *p = (const rt_qlgap_params *)params;                                    \
    const T *X = (const T *)in[0];                                                                 \
    const float scale = *(const float *)in[1] / (*(const float *)in[3] * (float)p->spatial);       \
    const int32_t xz = ZP0(T, in[2]), yz = ZP0(T, in[4]);                                          \
    /* channels first: channel c's values are contiguous; last: strided */                        \
    const int64_t cstride = p->channels_last ? 1 : p->spatial, sstride = p->channels_last ? p->channels : 1; \
    T *Y = (T *)out[0];                                                                            \
    int64_t b, c, s;                                                                               \
    (void)scratch;                                                                                 \
    for (b = 0; b < p->batch; b++) {                                                               \
      const T *xb = X + b * p->channels * p->spatial;                                              \
      for (c = 0; c < p->channels; c++) {                                                          \
        int32_t sum = wrap_add(0, -xz * (int32_t)p->spatial);                                      \
        for (s = 0; s < p->spatial; s++) sum = wrap_add(sum, (int32_t)xb[c * cstride + s * sstride]); \
        Y[b * p->channels + c] = (T)quant_round((float)sum * scale, yz, QLO_##t, QHI_##t);         \
      }                                                                                            \
    }                                                                                              \
  }

/* ---- QLinearConcat ---- */

#define QLCONCAT(t, T)                                                                              \
  RT_KERNEL(rt_qlconcat_##t) {                                                                     \
    const rt_concat_params *p = (const rt_concat_params *)params;                                  \
    const float ys = *(const float *)in[0];                                                        \
    const int32_t yz = ZP0(T, in[1]), lo = (int32_t)QLO_##t;                                       \
    T table[256], *Y = (T *)out[0];                                                                \
    int64_t row = 0, o, i;                                                                         \
    int k;                                                                                         \
    (void)scratch;                                                                                 \
    for (k = 0; k < p->n; k++) row += p->bytes[k];                                                 \
    for (k = 0; k < p->n; k++) {                                                                   \
      const T *X = (const T *)in[2 + 3 * k];                                                       \
      const float xs = *(const float *)in[3 + 3 * k];                                              \
      const int32_t xz = ZP0(T, in[4 + 3 * k]);                                                    \
      const int same = xs == ys && xz == yz;                                                       \
      int32_t q;                                                                                   \
      T *dst = Y;                                                                                  \
      for (q = lo; q <= (int32_t)QHI_##t; q++)                                                     \
        table[q - lo] = (T)quant_round((float)(q - xz) * xs / ys, yz, QLO_##t, QHI_##t);           \
      for (o = 0; o < p->outer; o++, X += p->bytes[k], dst += row)                                 \
        for (i = 0; i < p->bytes[k]; i++) dst[i] = same ? X[i] : table[(int32_t)X[i] - lo];        \
      Y += p->bytes[k];                                                                            \
    }                                                                                              \
  }

/* ---- QGemm, MatMulIntegerToFloat, DynamicQuantizeMatMul ---- */

/* acc[0..N) = row m of (A - az)(B - bz) (+ C's row). */
#define QGEMM_ROW(a, AT, b, BT)                                                                     \
  static void qgemm_row_##a##_##b(const rt_qgemm_params *p, const AT *A, int32_t az, const BT *B,   \
                                  const BT *bz, const int32_t *C, int64_t m, int32_t *acc) {        \
    int64_t k, n;                                                                                  \
    for (n = 0; n < p->N; n++) acc[n] = C ? C[m * p->c_sm + n * p->c_sn] : 0;                      \
    for (k = 0; k < p->K; k++) {                                                                   \
      const int32_t av = (int32_t)A[m * p->a_sm + k * p->a_sk] - az;                               \
      const BT *brow = B + k * p->b_sk;                                                            \
      if (av == 0) continue;                                                                       \
      for (n = 0; n < p->N; n++) {                                                                 \
        const int32_t bv = (int32_t)brow[n * p->b_sn] - (bz ? (int32_t)bz[p->b_cols ? n : 0] : 0);  \
        acc[n] = wrap_add(acc[n], av * bv);                                                        \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  /* The whole product from A (given: DynamicQuantizeMatMul's is quantized \
   * in scratch) into out[0], float or quantized as Y says. */                                     \
  static void qgemm_run_##a##_##b(const rt_qgemm_params *p, const void *const *in, void *y, int y_float, \
                                  const AT *A, float as, int32_t az, int32_t *acc) {               \
    const BT *B = IN_AT(BT, p->i_b), *bz = IN_AT(BT, p->i_bz);                                     \
    const float *bs = IN_AT(float, p->i_bs), *bias = IN_AT(float, p->i_bias);                      \
    const int32_t *C = IN_AT(int32_t, p->i_c);                                                     \
    const float *ys = IN_AT(float, p->i_ys);                                                       \
    const AT *yz = IN_AT(AT, p->i_yz);                                                             \
    int64_t m, n;                                                                                  \
    for (m = 0; m < p->M; m++) {                                                                   \
      qgemm_row_##a##_##b(p, A, az, B, bz, C, m, acc);                                             \
      for (n = 0; n < p->N; n++) {                                                                 \
        float s = p->alpha * as * bs[p->b_cols ? n : 0];                                           \
        if (y_float) {                                                                             \
          float v = (float)acc[n] * s;                                                             \
          ((float *)y)[m * p->N + n] = bias ? v + bias[n] : v;                                     \
        } else {                                                                                   \
          s /= ys[0];                                                                              \
          ((AT *)y)[m * p->N + n] = (AT)quant_round((float)acc[n] * s, yz ? (int32_t)yz[0] : 0, QLO_##a, QHI_##a); \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  RT_KERNEL(rt_qgemm_##a##_##b##_f32) {                                                            \
    const rt_qgemm_params *p = (const rt_qgemm_params *)params;                                    \
    const AT *az = IN_AT(AT, p->i_az);                                                             \
    qgemm_run_##a##_##b(p, in, out[0], 1, IN_AT(AT, p->i_a), IN_AT(float, p->i_as)[0],             \
                        az ? (int32_t)az[0] : 0, (int32_t *)scratch);                              \
  }                                                                                                \
  RT_KERNEL(rt_qgemm_##a##_##b##_##a) {                                                            \
    const rt_qgemm_params *p = (const rt_qgemm_params *)params;                                    \
    const AT *az = IN_AT(AT, p->i_az);                                                             \
    qgemm_run_##a##_##b(p, in, out[0], 0, IN_AT(AT, p->i_a), IN_AT(float, p->i_as)[0],             \
                        az ? (int32_t)az[0] : 0, (int32_t *)scratch);                              \
  }

QGEMM_ROW(u8, uint8_t, u8, uint8_t)
QGEMM_ROW(u8, uint8_t, i8, int8_t)
QGEMM_ROW(i8, int8_t, u8, uint8_t)
QGEMM_ROW(i8, int8_t, i8, int8_t)

/* Where the int32 row starts in DynamicQuantizeMatMul's scratch. */
static size_t dq_acc_offset(const rt_qgemm_params *p) { return ((size_t)(p->M * p->K) + 7u) & ~(size_t)7u; }

#define DQMATMUL(b)                                                                                 \
  RT_KERNEL(rt_dqmatmul_f32_##b) {                                                                 \
    const rt_qgemm_params *p = (const rt_qgemm_params *)params;                                    \
    const float *X = (const float *)in[p->i_a];                                                    \
    uint8_t *A = (uint8_t *)scratch;                                                               \
    float as;                                                                                      \
    int32_t az;                                                                                    \
    int64_t i;                                                                                     \
    dynquant_range(X, p->M * p->K, &as, &az);                                                      \
    for (i = 0; i < p->M * p->K; i++) A[i] = (uint8_t)quant_round(X[i] / as, az, 0.0f, 255.0f);    \
    qgemm_run_u8_##b(p, in, out[0], 1, A, as, az, (int32_t *)((char *)scratch + dq_acc_offset(p))); \
  }

#define MSQUANT_T(t, T)                  \
  QLBINARY(qladd, t, T, ADD_EXPR)        \
  QLBINARY(qlmul, t, T, MUL_EXPR)        \
  QLUNARY(sigmoid, t, T)                 \
  QLUNARY(leakyrelu, t, T)               \
  QLGAP(t, T)                            \
  QLCONCAT(t, T)                         \
  DQMATMUL(t)

MSQUANT_T(u8, uint8_t)
MSQUANT_T(i8, int8_t)
