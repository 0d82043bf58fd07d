/* Matrix-shaped kernels: Trilu, EyeLike, CumSum.
 *
 * Trilu and EyeLike never look at values: Trilu keeps a contiguous part of
 * each row and zeroes the rest (bytes, any element type), EyeLike writes
 * zeros and one bit pattern of the element's width. CumSum adds, one
 * variant per element type, from one body (float16 and bfloat16 add as
 * floats). */
#include <string.h>

#include "onnxcc/kernels/matrix.h"
#include "half_internal.h"

/* ---- Trilu ---- */

/* Row i keeps columns [lo, hi): [max(0, i + k), cols) for the upper
 * triangle, [0, min(cols, i + k + 1)) for the lower one; the rest of the
 * row is zero. memmove, since y may be x. */
static inline void trilu(const rt_trilu_params *p, const unsigned char *x, unsigned char *y, int upper) {
  const int64_t es = p->esize, row = p->cols * es;
  int64_t b, i;
  for (b = 0; b < p->batch; b++) {
    for (i = 0; i < p->rows; i++) {
      const int64_t d = i + p->k; /* the kept diagonal's column in this row */
      int64_t lo, hi;
      if (upper) {
        lo = d < 0 ? 0 : d > p->cols ? p->cols : d;
        hi = p->cols;
      } else {
        lo = 0;
        hi = d < 0 ? 0 : d >= p->cols ? p->cols : d + 1;
      }
      if (lo > 0) memset(y, 0, (size_t)(lo * es));
      if (hi > lo) memmove(y + lo * es, x + lo * es, (size_t)((hi - lo) * es));
      if (hi < p->cols) memset(y + hi * es, 0, (size_t)((p->cols - hi) * es));
      x += row;
      y += row;
    }
  }
}

RT_KERNEL(rt_triu) {
  (void)scratch;
  trilu((const rt_trilu_params *)params, (const unsigned char *)in[0], (unsigned char *)out[0], 1);
}

RT_KERNEL(rt_tril) {
  (void)scratch;
  trilu((const rt_trilu_params *)params, (const unsigned char *)in[0], (unsigned char *)out[0], 0);
}

/* ---- EyeLike ---- */

#define DEFINE_EYELIKE(NAME, T)                                      \
  RT_KERNEL(NAME) {                                                  \
    const rt_eyelike_params *p = (const rt_eyelike_params *)params;  \
    T *y = (T *)out[0];                                              \
    const T one = (T)(uint64_t)p->one_bits;                          \
    int64_t i;                                                       \
    (void)in;                                                        \
    (void)scratch;                                                   \
    memset(y, 0, (size_t)(p->rows * p->cols) * sizeof(T));           \
    for (i = 0; i < p->rows; i++) {                                  \
      const int64_t j = i + p->k;                                    \
      if (j >= 0 && j < p->cols) y[i * p->cols + j] = one;           \
    }                                                                \
  }

DEFINE_EYELIKE(rt_eyelike_8bit, uint8_t)
DEFINE_EYELIKE(rt_eyelike_16bit, uint16_t)
DEFINE_EYELIKE(rt_eyelike_32bit, uint32_t)
DEFINE_EYELIKE(rt_eyelike_64bit, uint64_t)

/* ---- CumSum, CumProd ---- */

/* Walks each [n, inner] block along n (forwards, or backwards with
 * reverse), a whole row of `inner` results at a time: row t is OP(row t-1,
 * x's row t) (inclusive) or OP(row t-1, x's row t-1) (exclusive); the
 * first row is x's row or ID, OP's identity (0 for sums, 1 for products).
 * OP(a, b) combines two T. */
#define DEFINE_CUMULATE(NAME, T, OP, ID)                                                 \
  RT_KERNEL(NAME) {                                                                     \
    const rt_cumsum_params *p = (const rt_cumsum_params *)params;                       \
    const int64_t n = p->n, m = p->inner, step = p->reverse ? -m : m;                   \
    int64_t o, t, j;                                                                    \
    (void)scratch;                                                                      \
    if (n == 0 || m == 0) return;                                                       \
    for (o = 0; o < p->outer; o++) {                                                    \
      const int64_t first = o * n * m + (p->reverse ? (n - 1) * m : 0);                 \
      const T *x = (const T *)in[0] + first;                                            \
      T *y = (T *)out[0] + first;                                                       \
      if (p->exclusive)                                                                 \
        for (j = 0; j < m; j++) y[j] = (T)(ID);                                         \
      else                                                                              \
        for (j = 0; j < m; j++) y[j] = x[j];                                            \
      for (t = 1; t < n; t++) {                                                         \
        const T *xr = p->exclusive ? x : x + step; /* the x row combined with the last */ \
        T *yr = y + step;                                                               \
        for (j = 0; j < m; j++) yr[j] = OP(y[j], xr[j]);                                \
        x += step;                                                                      \
        y = yr;                                                                         \
      }                                                                                 \
    }                                                                                   \
  }

#define PLAIN_ADD(a, b) ((a) + (b))
#define PLAIN_MUL(a, b) ((a) * (b))
/* Signed sums and products wrap: computed in the unsigned type of the same
 * width. */
#define WRAP_ADD32(a, b) ((int32_t)((uint32_t)(a) + (uint32_t)(b)))
#define WRAP_ADD64(a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define WRAP_MUL32(a, b) ((int32_t)((uint32_t)(a) * (uint32_t)(b)))
#define WRAP_MUL64(a, b) ((int64_t)((uint64_t)(a) * (uint64_t)(b)))
/* float16 and bfloat16 add as floats, each sum rounded back (the bit
 * pattern 0 is +0 in both). */
#define F16_ADD(a, b) float_to_half(half_to_float(a) + half_to_float(b))
#define BF16_ADD(a, b) float_to_bf16(bf16_to_float(a) + bf16_to_float(b))

DEFINE_CUMULATE(rt_cumsum_f32, float, PLAIN_ADD, 0)
DEFINE_CUMULATE(rt_cumsum_f64, double, PLAIN_ADD, 0)
DEFINE_CUMULATE(rt_cumsum_i32, int32_t, WRAP_ADD32, 0)
DEFINE_CUMULATE(rt_cumsum_i64, int64_t, WRAP_ADD64, 0)
DEFINE_CUMULATE(rt_cumsum_u32, uint32_t, PLAIN_ADD, 0)
DEFINE_CUMULATE(rt_cumsum_u64, uint64_t, PLAIN_ADD, 0)
DEFINE_CUMULATE(rt_cumsum_f16, uint16_t, F16_ADD, 0)
DEFINE_CUMULATE(rt_cumsum_bf16, uint16_t, BF16_ADD, 0)
DEFINE_CUMULATE(rt_cumprod_f32, float, PLAIN_MUL, 1)
DEFINE_CUMULATE(rt_cumprod_f64, double, PLAIN_MUL, 1)
DEFINE_CUMULATE(rt_cumprod_i32, int32_t, WRAP_MUL32, 1)
DEFINE_CUMULATE(rt_cumprod_i64, int64_t, WRAP_MUL64, 1)
DEFINE_CUMULATE(rt_cumprod_u32, uint32_t, PLAIN_MUL, 1)
DEFINE_CUMULATE(rt_cumprod_u64, uint64_t, PLAIN_MUL, 1)

/* ---- run-time operands (prepare kernels, dims.h) ---- */

RT_KERNEL(rt_trilu_prepare) {
  rt_trilu_params *p = (rt_trilu_params *)out[1];
  int64_t k = in[1] ? *(const int64_t *)in[1] : 0;
  (void)params;
  (void)scratch;
  /* as the compiler clamps a constant k: i + k cannot overflow */
  if (k > p->cols) k = p->cols;
  if (k < -p->rows - 1) k = -p->rows - 1;
  p->k = k;
}

static void cumsum_axis(const rt_cumsum_axis_params *a, int64_t axis, void *const *out) {
  rt_cumsum_params *p = (rt_cumsum_params *)out[1];
  int32_t d;
  if (axis < 0) axis += a->rank;
  if (axis < 0 || axis >= a->rank) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  p->outer = p->inner = 1;
  p->n = a->dims[axis];
  for (d = 0; d < a->rank; d++) {
    if (d < axis) p->outer *= a->dims[d];
    if (d > axis) p->inner *= a->dims[d];
  }
}

RT_KERNEL(rt_cumsum_prepare_i32) {
  (void)scratch;
  cumsum_axis((const rt_cumsum_axis_params *)params, *(const int32_t *)in[1], out);
}

RT_KERNEL(rt_cumsum_prepare_i64) {
  (void)scratch;
  cumsum_axis((const rt_cumsum_axis_params *)params, *(const int64_t *)in[1], out);
}
