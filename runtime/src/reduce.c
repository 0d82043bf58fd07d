/* Reduction kernels.
 *
 * rt_reduce walks the input once, in memory order: the outer dims with an
 * odometer that tracks the output offset, the last dim in an inner loop.
 * If the last dim is reduced, the inner loop folds a contiguous row into
 * one value (eight partial accumulators, so it vectorises); if it is kept,
 * the inner loop combines a row of x into a row of y element by element.
 * Integer sums and products wrap (computed unsigned: no undefined
 * behaviour on overflow). */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/reduce.h"

/* Walks x (of element type T) and folds MAP(value) into y with COMB, the
 * accumulators starting at INIT. Uses p, x, y. */
#define REDUCE_WALK(T, INIT, MAP, COMB)                                          \
  do {                                                                          \
    const int64_t r_ = p->rank, L_ = p->dims[r_ - 1];                           \
    const int last_reduced_ = p->out_strides[r_ - 1] == 0;                      \
    int64_t idx_[RT_MAX_RANK] = {0}, yo_ = 0, rows_ = 1, o_, d_, i_, j_;        \
    const T *xr_ = x;                                                           \
    for (d_ = 0; d_ < r_ - 1; d_++) rows_ *= p->dims[d_];                       \
    if (L_ == 0) break;                                                         \
    for (o_ = 0; o_ < rows_; o_++, xr_ += L_) {                                 \
      if (last_reduced_) {                                                      \
        T acc_[8], r0_, r1_, v;                                                 \
        for (j_ = 0; j_ < 8; j_++) acc_[j_] = (INIT);                           \
        for (i_ = 0; i_ + 8 <= L_; i_ += 8)                                     \
          for (j_ = 0; j_ < 8; j_++) {                                          \
            v = xr_[i_ + j_];                                                   \
            acc_[j_] = COMB(acc_[j_], MAP(v));                                  \
          }                                                                     \
        for (; i_ < L_; i_++) {                                                 \
          v = xr_[i_];                                                          \
          acc_[0] = COMB(acc_[0], MAP(v));                                      \
        }                                                                       \
        r0_ = COMB(COMB(acc_[0], acc_[4]), COMB(acc_[1], acc_[5]));             \
        r1_ = COMB(COMB(acc_[2], acc_[6]), COMB(acc_[3], acc_[7]));             \
        y[yo_] = COMB(y[yo_], COMB(r0_, r1_));                                  \
      } else {                                                                  \
        T *yr_ = y + yo_;                                                       \
        for (i_ = 0; i_ < L_; i_++) {                                           \
          const T v = xr_[i_];                                                  \
          yr_[i_] = COMB(yr_[i_], MAP(v));                                      \
        }                                                                       \
      }                                                                         \
      for (d_ = r_ - 2; d_ >= 0; d_--) {                                        \
        idx_[d_]++;                                                             \
        yo_ += p->out_strides[d_];                                              \
        if (idx_[d_] < p->dims[d_]) break;                                      \
        yo_ -= p->out_strides[d_] * p->dims[d_];                                \
        idx_[d_] = 0;                                                           \
      }                                                                         \
    }                                                                           \
  } while (0)

#define F_ADD(a, b) ((a) + (b))
#define F_MUL(a, b) ((a) * (b))
#define F_MAX(a, b) ((b) > (a) ? (b) : (a))
#define F_MIN(a, b) ((b) < (a) ? (b) : (a))
#define M_ID(v) (v)
#define M_SQ(v) ((v) * (v))

static void fill_f32(float *y, int64_t n, float v) {
  int64_t i;
  for (i = 0; i < n; i++) y[i] = v;
}

static void fill_f64(double *y, int64_t n, double v) {
  int64_t i;
  for (i = 0; i < n; i++) y[i] = v;
}

/* Float and double: every op. LOG_SUM_EXP first reduces the max into
 * `mx` (scratch), then sums exp(x - max) with a walk of its own. */
#define DEFINE_REDUCE_FLOAT(NAME, T, FILL, FABS, EXP, LOG, SQRT)                \
  static void NAME##_lse(const rt_reduce_params *p, const T *x, T *y, const T *mx) { \
    const int64_t r_ = p->rank, L_ = p->dims[r_ - 1];                           \
    const int last_reduced_ = p->out_strides[r_ - 1] == 0;                      \
    int64_t idx_[RT_MAX_RANK] = {0}, yo_ = 0, rows_ = 1, o_, d_, i_;            \
    const T *xr_ = x;                                                           \
    for (d_ = 0; d_ < r_ - 1; d_++) rows_ *= p->dims[d_];                       \
    if (L_ == 0) return;                                                        \
    for (o_ = 0; o_ < rows_; o_++, xr_ += L_) {                                 \
      if (last_reduced_) {                                                      \
        const T m = isinf(mx[yo_]) ? (T)0 : mx[yo_];                            \
        T s = 0;                                                                \
        for (i_ = 0; i_ < L_; i_++) s += EXP(xr_[i_] - m);                      \
        y[yo_] += s;                                                            \
      } else {                                                                  \
        for (i_ = 0; i_ < L_; i_++) {                                           \
          const T m = isinf(mx[yo_ + i_]) ? (T)0 : mx[yo_ + i_];                \
          y[yo_ + i_] += EXP(xr_[i_] - m);                                      \
        }                                                                       \
      }                                                                         \
      for (d_ = r_ - 2; d_ >= 0; d_--) {                                        \
        idx_[d_]++;                                                             \
        yo_ += p->out_strides[d_];                                              \
        if (idx_[d_] < p->dims[d_]) break;                                      \
        yo_ -= p->out_strides[d_] * p->dims[d_];                                \
        idx_[d_] = 0;                                                           \
      }                                                                         \
    }                                                                           \
  }                                                                             \
  static void NAME(const rt_reduce_params *p, const T *x, T *y, T *mx) {        \
    const int64_t n = p->out_count;                                             \
    int64_t i;                                                                  \
    switch ((enum rt_reduce_op)p->op) {                                         \
    case RT_REDUCE_SUM: case RT_REDUCE_MEAN: case RT_REDUCE_LOG_SUM:            \
      FILL(y, n, 0);                                                            \
      REDUCE_WALK(T, (T)0, M_ID, F_ADD);                                        \
      break;                                                                    \
    case RT_REDUCE_L1:                                                          \
      FILL(y, n, 0);                                                            \
      REDUCE_WALK(T, (T)0, FABS, F_ADD);                                        \
      break;                                                                    \
    case RT_REDUCE_L2: case RT_REDUCE_SUM_SQUARE:                               \
      FILL(y, n, 0);                                                            \
      REDUCE_WALK(T, (T)0, M_SQ, F_ADD);                                        \
      break;                                                                    \
    case RT_REDUCE_PROD:                                                        \
      FILL(y, n, 1);                                                            \
      REDUCE_WALK(T, (T)1, M_ID, F_MUL);                                        \
      break;                                                                    \
    case RT_REDUCE_MAX:                                                         \
      FILL(y, n, -INFINITY);                                                    \
      REDUCE_WALK(T, (T)-INFINITY, M_ID, F_MAX);                                \
      break;                                                                    \
    case RT_REDUCE_MIN:                                                         \
      FILL(y, n, INFINITY);                                                     \
      REDUCE_WALK(T, (T)INFINITY, M_ID, F_MIN);                                 \
      break;                                                                    \
    case RT_REDUCE_LOG_SUM_EXP: {                                               \
      T *y_final = y;                                                           \
      y = mx;                                                                   \
      FILL(y, n, -INFINITY);                                                    \
      REDUCE_WALK(T, (T)-INFINITY, M_ID, F_MAX);                                \
      y = y_final;                                                              \
      FILL(y, n, 0);                                                            \
      NAME##_lse(p, x, y, mx);                                                  \
      break;                                                                    \
    }                                                                           \
    default: break;                                                             \
    }                                                                           \
    switch ((enum rt_reduce_op)p->op) {                                         \
    case RT_REDUCE_MEAN:                                                        \
      for (i = 0; i < n; i++) y[i] /= (T)p->count;                              \
      break;                                                                    \
    case RT_REDUCE_L2:                                                          \
      for (i = 0; i < n; i++) y[i] = SQRT(y[i]);                                \
      break;                                                                    \
    case RT_REDUCE_LOG_SUM:                                                     \
      for (i = 0; i < n; i++) y[i] = LOG(y[i]);                                 \
      break;                                                                    \
    case RT_REDUCE_LOG_SUM_EXP:                                                 \
      for (i = 0; i < n; i++) y[i] = LOG(y[i]) + (isinf(mx[i]) ? (T)0 : mx[i]); \
      break;                                                                    \
    default: break;                                                             \
    }                                                                           \
  }

DEFINE_REDUCE_FLOAT(reduce_f32, float, fill_f32, fabsf, expf, logf, sqrtf)
DEFINE_REDUCE_FLOAT(reduce_f64, double, fill_f64, fabs, exp, log, sqrt)

/* Signed integers: arithmetic in the unsigned type U (wraps, no UB). */
#define DEFINE_REDUCE_INT(NAME, T, U, TMIN, TMAX)                               \
  static void NAME(const rt_reduce_params *p, const T *x, T *y) {               \
    typedef T elem_t;                                                           \
    typedef U uelem_t;                                                          \
    const int64_t n = p->out_count;                                             \
    int64_t i;                                                                  \
    T init;                                                                     \
    switch ((enum rt_reduce_op)p->op) {                                         \
    case RT_REDUCE_PROD: init = 1; break;                                       \
    case RT_REDUCE_MAX: init = TMIN; break;                                     \
    case RT_REDUCE_MIN: init = TMAX; break;                                     \
    default: init = 0; break;                                                   \
    }                                                                           \
    for (i = 0; i < n; i++) y[i] = init;                                        \
    switch ((enum rt_reduce_op)p->op) {                                         \
    case RT_REDUCE_SUM: case RT_REDUCE_MEAN:                                    \
      REDUCE_WALK(T, (T)0, M_ID, I_ADD);                                        \
      break;                                                                    \
    case RT_REDUCE_L1:                                                          \
      REDUCE_WALK(T, (T)0, I_ABS, I_ADD);                                       \
      break;                                                                    \
    case RT_REDUCE_SUM_SQUARE:                                                  \
      REDUCE_WALK(T, (T)0, I_SQ, I_ADD);                                        \
      break;                                                                    \
    case RT_REDUCE_PROD:                                                        \
      REDUCE_WALK(T, (T)1, M_ID, I_MUL);                                        \
      break;                                                                    \
    case RT_REDUCE_MAX:                                                         \
      REDUCE_WALK(T, (T)TMIN, M_ID, F_MAX);                                     \
      break;                                                                    \
    case RT_REDUCE_MIN:                                                         \
      REDUCE_WALK(T, (T)TMAX, M_ID, F_MIN);                                     \
      break;                                                                    \
    default: break;                                                             \
    }                                                                           \
    if (p->op == RT_REDUCE_MEAN && p->count > 0)                                \
      for (i = 0; i < n; i++) y[i] = (T)(y[i] / p->count);                      \
  }

/* elem_t / uelem_t: the signed type and its unsigned twin, typedef'd in
 * each function. */
#define I_ADD(a, b) ((elem_t)((uelem_t)(a) + (uelem_t)(b)))
#define I_MUL(a, b) ((elem_t)((uelem_t)(a) * (uelem_t)(b)))
#define I_ABS(v) ((elem_t)((v) < 0 ? (uelem_t)0 - (uelem_t)(v) : (uelem_t)(v)))
#define I_SQ(v) ((elem_t)((uelem_t)(v) * (uelem_t)(v)))

DEFINE_REDUCE_INT(reduce_i32, int32_t, uint32_t, INT32_MIN, INT32_MAX)
DEFINE_REDUCE_INT(reduce_i64, int64_t, uint64_t, INT64_MIN, INT64_MAX)

/* Small integers: MAX and MIN only. */
#define DEFINE_REDUCE_MINMAX(NAME, T, TMIN, TMAX)                               \
  static void NAME(const rt_reduce_params *p, const T *x, T *y) {               \
    int64_t i;                                                                  \
    const T init = p->op == RT_REDUCE_MAX ? (T)TMIN : (T)TMAX;                  \
    for (i = 0; i < p->out_count; i++) y[i] = init;                             \
    if (p->op == RT_REDUCE_MAX)                                                 \
      REDUCE_WALK(T, (T)TMIN, M_ID, F_MAX);                                     \
    else                                                                        \
      REDUCE_WALK(T, (T)TMAX, M_ID, F_MIN);                                     \
  }

DEFINE_REDUCE_MINMAX(reduce_i8, int8_t, INT8_MIN, INT8_MAX)
DEFINE_REDUCE_MINMAX(reduce_u8, uint8_t, 0, UINT8_MAX)

RT_KERNEL(rt_reduce) {
  const rt_reduce_params *p = (const rt_reduce_params *)params;
  switch ((rt_dtype)p->dtype) {
  case RT_FLOAT: reduce_f32(p, (const float *)in[0], (float *)out[0], (float *)scratch); break;
  case RT_DOUBLE: reduce_f64(p, (const double *)in[0], (double *)out[0], (double *)scratch); break;
  case RT_INT32: reduce_i32(p, (const int32_t *)in[0], (int32_t *)out[0]); break;
  case RT_INT64: reduce_i64(p, (const int64_t *)in[0], (int64_t *)out[0]); break;
  case RT_INT8: reduce_i8(p, (const int8_t *)in[0], (int8_t *)out[0]); break;
  case RT_UINT8: case RT_BOOL: reduce_u8(p, (const uint8_t *)in[0], (uint8_t *)out[0]); break;
  default: break;
  }
}

/* ---- ArgMax / ArgMin ---- */

/* BETTER(a, b): a replaces the current best b. */
#define DEFINE_ARG(NAME, T)                                                     \
  static void NAME(const rt_arg_params *p, const T *x, int64_t *y, T *best) {   \
    const int64_t n = p->n, inner = p->inner;                                   \
    const int mn = (int)p->is_min, last = (int)p->select_last_index;           \
    int64_t o, j, i;                                                            \
    for (o = 0; o < p->outer; o++) {                                            \
      const T *xo = x + o * n * inner;                                          \
      int64_t *yo = y + o * inner;                                              \
      if (inner == 1) {                                                         \
        T b = xo[0];                                                            \
        int64_t bi = 0;                                                         \
        for (j = 1; j < n; j++) {                                               \
          const T v = xo[j];                                                    \
          if (mn ? (last ? v <= b : v < b) : (last ? v >= b : v > b)) {         \
            b = v;                                                              \
            bi = j;                                                             \
          }                                                                     \
        }                                                                       \
        yo[0] = bi;                                                             \
        continue;                                                               \
      }                                                                         \
      for (i = 0; i < inner; i++) {                                             \
        best[i] = xo[i];                                                        \
        yo[i] = 0;                                                              \
      }                                                                         \
      for (j = 1; j < n; j++) {                                                 \
        const T *xj = xo + j * inner;                                           \
        if (!mn && !last) {                                                     \
          for (i = 0; i < inner; i++)                                           \
            if (xj[i] > best[i]) { best[i] = xj[i]; yo[i] = j; }                \
        } else if (!mn) {                                                       \
          for (i = 0; i < inner; i++)                                           \
            if (xj[i] >= best[i]) { best[i] = xj[i]; yo[i] = j; }               \
        } else if (!last) {                                                     \
          for (i = 0; i < inner; i++)                                           \
            if (xj[i] < best[i]) { best[i] = xj[i]; yo[i] = j; }                \
        } else {                                                                \
          for (i = 0; i < inner; i++)                                           \
            if (xj[i] <= best[i]) { best[i] = xj[i]; yo[i] = j; }               \
        }                                                                       \
      }                                                                         \
    }                                                                           \
  }

DEFINE_ARG(arg_f32, float)
DEFINE_ARG(arg_f64, double)
DEFINE_ARG(arg_i8, int8_t)
DEFINE_ARG(arg_i16, int16_t)
DEFINE_ARG(arg_i32, int32_t)
DEFINE_ARG(arg_i64, int64_t)
DEFINE_ARG(arg_u8, uint8_t)
DEFINE_ARG(arg_u16, uint16_t)
DEFINE_ARG(arg_u32, uint32_t)
DEFINE_ARG(arg_u64, uint64_t)

RT_KERNEL(rt_arg) {
  const rt_arg_params *p = (const rt_arg_params *)params;
  int64_t *y = (int64_t *)out[0];
  if (p->n <= 0) return;
  switch ((rt_dtype)p->dtype) {
  case RT_FLOAT: arg_f32(p, (const float *)in[0], y, (float *)scratch); break;
  case RT_DOUBLE: arg_f64(p, (const double *)in[0], y, (double *)scratch); break;
  case RT_INT8: arg_i8(p, (const int8_t *)in[0], y, (int8_t *)scratch); break;
  case RT_INT16: arg_i16(p, (const int16_t *)in[0], y, (int16_t *)scratch); break;
  case RT_INT32: arg_i32(p, (const int32_t *)in[0], y, (int32_t *)scratch); break;
  case RT_INT64: arg_i64(p, (const int64_t *)in[0], y, (int64_t *)scratch); break;
  case RT_UINT8: case RT_BOOL: arg_u8(p, (const uint8_t *)in[0], y, (uint8_t *)scratch); break;
  case RT_UINT16: arg_u16(p, (const uint16_t *)in[0], y, (uint16_t *)scratch); break;
  case RT_UINT32: arg_u32(p, (const uint32_t *)in[0], y, (uint32_t *)scratch); break;
  case RT_UINT64: arg_u64(p, (const uint64_t *)in[0], y, (uint64_t *)scratch); break;
  default: break;
  }
}
