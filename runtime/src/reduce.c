/* Reduction kernels.
 *
 * rt_reduce walks the input once, in memory order: the outer dims with an
 * odometer that tracks the output offset, the last dim in an inner loop.
 * If the last dim is reduced, the inner loop folds a contiguous row into
 * one value (eight partial accumulators, so it vectorises); if it is kept,
 * the inner loop combines a row of x into a row of y element by element.
 * Integer sums and products wrap (computed unsigned: no undefined
 * behaviour on overflow).
 *
 * Every variant (op, element type) is its own function, instantiated from
 * the one walk with its fold fixed at compile time. */
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

/* elem_t / uelem_t: the signed type and its unsigned twin, typedef'd in
 * each function that wraps. */
#define I_ADD(a, b) ((elem_t)((uelem_t)(a) + (uelem_t)(b)))
#define I_MUL(a, b) ((elem_t)((uelem_t)(a) * (uelem_t)(b)))
#define I_ABS(v) ((elem_t)((v) < 0 ? (uelem_t)0 - (uelem_t)(v) : (uelem_t)(v)))
#define I_SQ(v) ((elem_t)((uelem_t)(v) * (uelem_t)(v)))

/* One reduction: every output starts at INIT, the walk folds MAP(x) in
 * with COMB, then POST (a statement over y[i], i < n) finishes it.
 * PROLOGUE declares what the macros need (the wrapping integer types). */
#define DEFINE_REDUCE_WITH(NAME, T, PROLOGUE, INIT, MAP, COMB, POST)            \
  RT_KERNEL(NAME) {                                                             \
    const rt_reduce_params *p = (const rt_reduce_params *)params;               \
    const T *x = (const T *)in[0];                                              \
    T *y = (T *)out[0];                                                         \
    const int64_t n = p->out_count;                                             \
    int64_t i;                                                                  \
    PROLOGUE                                                                    \
    (void)scratch;                                                              \
    for (i = 0; i < n; i++) y[i] = (INIT);                                      \
    REDUCE_WALK(T, (INIT), MAP, COMB);                                          \
    POST;                                                                       \
  }
#define NO_PROLOGUE
#define NO_POST (void)0
#define DEFINE_REDUCE(NAME, T, INIT, MAP, COMB, POST) \
  DEFINE_REDUCE_WITH(NAME, T, NO_PROLOGUE, INIT, MAP, COMB, POST)

/* LogSumExp: the max of each output into scratch, then the sum of
 * exp(x - max), then log(sum) + max (a max of +-inf stands in as 0, so
 * that inf - inf never makes a NaN). */
#define DEFINE_LOGSUMEXP(NAME, T, EXP, LOG)                                     \
  static void NAME##_sum(const rt_reduce_params *p, const T *x, T *y, const T *mx) { \
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
  RT_KERNEL(NAME) {                                                             \
    const rt_reduce_params *p = (const rt_reduce_params *)params;               \
    const T *x = (const T *)in[0];                                              \
    T *mx = (T *)scratch, *y = mx;                                              \
    const int64_t n = p->out_count;                                             \
    int64_t i;                                                                  \
    for (i = 0; i < n; i++) mx[i] = (T)-INFINITY;                               \
    REDUCE_WALK(T, (T)-INFINITY, M_ID, F_MAX);                                  \
    y = (T *)out[0];                                                            \
    for (i = 0; i < n; i++) y[i] = 0;                                           \
    NAME##_sum(p, x, y, mx);                                                    \
    for (i = 0; i < n; i++) y[i] = LOG(y[i]) + (isinf(mx[i]) ? (T)0 : mx[i]);   \
  }

/* The float reductions of one type S (C type T). */
#define DEFINE_REDUCE_FLOAT(S, T, FABS, EXP, LOG, SQRT)                                   \
  DEFINE_REDUCE(rt_reducesum_##S, T, (T)0, M_ID, F_ADD, NO_POST)                          \
  DEFINE_REDUCE(rt_reducemean_##S, T, (T)0, M_ID, F_ADD,                                  \
                for (i = 0; i < n; i++) y[i] /= (T)p->count)                              \
  DEFINE_REDUCE(rt_reducemax_##S, T, (T)-INFINITY, M_ID, F_MAX, NO_POST)                  \
  DEFINE_REDUCE(rt_reducemin_##S, T, (T)INFINITY, M_ID, F_MIN, NO_POST)                   \
  DEFINE_REDUCE(rt_reduceprod_##S, T, (T)1, M_ID, F_MUL, NO_POST)                         \
  DEFINE_REDUCE(rt_reducel1_##S, T, (T)0, FABS, F_ADD, NO_POST)                           \
  DEFINE_REDUCE(rt_reducel2_##S, T, (T)0, M_SQ, F_ADD, for (i = 0; i < n; i++) y[i] = SQRT(y[i])) \
  DEFINE_REDUCE(rt_reducelogsum_##S, T, (T)0, M_ID, F_ADD, for (i = 0; i < n; i++) y[i] = LOG(y[i])) \
  DEFINE_REDUCE(rt_reducesumsquare_##S, T, (T)0, M_SQ, F_ADD, NO_POST)                    \
  DEFINE_LOGSUMEXP(rt_reducelogsumexp_##S, T, EXP, LOG)

DEFINE_REDUCE_FLOAT(f32, float, fabsf, expf, logf, sqrtf)
DEFINE_REDUCE_FLOAT(f64, double, fabs, exp, log, sqrt)

/* Signed integers: sums and products in the unsigned type U (they wrap,
 * with no undefined behaviour); the mean truncates toward zero. */
#define WRAP_TYPES(T, U) \
  typedef T elem_t;      \
  typedef U uelem_t;
#define DEFINE_REDUCE_INT(S, T, U, TMIN, TMAX)                                             \
  DEFINE_REDUCE_WITH(rt_reducesum_##S, T, WRAP_TYPES(T, U), (T)0, M_ID, I_ADD, NO_POST)    \
  DEFINE_REDUCE_WITH(rt_reducemean_##S, T, WRAP_TYPES(T, U), (T)0, M_ID, I_ADD,            \
                     if (p->count > 0) for (i = 0; i < n; i++) y[i] = (T)(y[i] / p->count)) \
  DEFINE_REDUCE(rt_reducemax_##S, T, (T)TMIN, M_ID, F_MAX, NO_POST)                        \
  DEFINE_REDUCE(rt_reducemin_##S, T, (T)TMAX, M_ID, F_MIN, NO_POST)                        \
  DEFINE_REDUCE_WITH(rt_reduceprod_##S, T, WRAP_TYPES(T, U), (T)1, M_ID, I_MUL, NO_POST)   \
  DEFINE_REDUCE_WITH(rt_reducel1_##S, T, WRAP_TYPES(T, U), (T)0, I_ABS, I_ADD, NO_POST)    \
  DEFINE_REDUCE_WITH(rt_reducesumsquare_##S, T, WRAP_TYPES(T, U), (T)0, I_SQ, I_ADD, NO_POST)

DEFINE_REDUCE_INT(i32, int32_t, uint32_t, INT32_MIN, INT32_MAX)
DEFINE_REDUCE_INT(i64, int64_t, uint64_t, INT64_MIN, INT64_MAX)

/* Small integers: max and min only. */
DEFINE_REDUCE(rt_reducemax_i8, int8_t, (int8_t)INT8_MIN, M_ID, F_MAX, NO_POST)
DEFINE_REDUCE(rt_reducemin_i8, int8_t, (int8_t)INT8_MAX, M_ID, F_MIN, NO_POST)
DEFINE_REDUCE(rt_reducemax_u8, uint8_t, (uint8_t)0, M_ID, F_MAX, NO_POST)
DEFINE_REDUCE(rt_reducemin_u8, uint8_t, (uint8_t)UINT8_MAX, M_ID, F_MIN, NO_POST)

/* ---- ArgMax / ArgMin ---- */

/* BETTER(v, b): v replaces the current best b, for the first (STRICT) or
 * the last (LOOSE) of equal values. */
#define ARG_GT(v, b) ((v) > (b))
#define ARG_GE(v, b) ((v) >= (b))
#define ARG_LT(v, b) ((v) < (b))
#define ARG_LE(v, b) ((v) <= (b))

/* One slab of an inner > 1 arg: the running best of every column. */
#define ARG_COLUMNS(BETTER)                                                     \
  for (i = 0; i < inner; i++)                                                   \
    if (BETTER(xj[i], best[i])) {                                               \
      best[i] = xj[i];                                                          \
      yo[i] = j;                                                                \
    }

#define DEFINE_ARG(NAME, T, STRICT, LOOSE)                                      \
  RT_KERNEL(NAME) {                                                             \
    const rt_arg_params *p = (const rt_arg_params *)params;                     \
    const T *x = (const T *)in[0];                                              \
    T *best = (T *)scratch;                                                     \
    int64_t *y = (int64_t *)out[0];                                             \
    const int64_t n = p->n, inner = p->inner;                                   \
    const int last = p->select_last_index != 0;                                 \
    int64_t o, j, i;                                                            \
    if (n <= 0) return;                                                         \
    for (o = 0; o < p->outer; o++) {                                            \
      const T *xo = x + o * n * inner;                                          \
      int64_t *yo = y + o * inner;                                              \
      if (inner == 1) {                                                         \
        T b = xo[0];                                                            \
        int64_t bi = 0;                                                         \
        for (j = 1; j < n; j++) {                                               \
          const T v = xo[j];                                                    \
          if (last ? LOOSE(v, b) : STRICT(v, b)) {                              \
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
        if (last) {                                                             \
          ARG_COLUMNS(LOOSE)                                                    \
        } else {                                                                \
          ARG_COLUMNS(STRICT)                                                   \
        }                                                                       \
      }                                                                         \
    }                                                                           \
  }

#define DEFINE_ARGS(S, T)                          \
  DEFINE_ARG(rt_argmax_##S, T, ARG_GT, ARG_GE)     \
  DEFINE_ARG(rt_argmin_##S, T, ARG_LT, ARG_LE)

DEFINE_ARGS(f32, float)
DEFINE_ARGS(f64, double)
DEFINE_ARGS(i8, int8_t)
DEFINE_ARGS(i16, int16_t)
DEFINE_ARGS(i32, int32_t)
DEFINE_ARGS(i64, int64_t)
DEFINE_ARGS(u8, uint8_t)
DEFINE_ARGS(u16, uint16_t)
DEFINE_ARGS(u32, uint32_t)
DEFINE_ARGS(u64, uint64_t)

/* ---- the walk's dims, at compile time and at run time ---- */

int32_t rt_reduce_merge(int32_t rank, const int32_t *reduced, const int32_t *one, int32_t *group,
                        int32_t *group_reduced) {
  int32_t d, ng = 0;
  for (d = 0; d < rank; d++) {
    const int32_t r = reduced[d] != 0;
    if (one[d]) { /* a loop of one: dropping it merges its neighbours */
      group[d] = -1;
      continue;
    }
    if (ng == 0 || group_reduced[ng - 1] != r) group_reduced[ng++] = r;
    group[d] = ng - 1;
  }
  if (ng == 0) group_reduced[ng++] = 0;
  return ng;
}

/* Which dims the axes at in[1] reduce; nonzero when one is out of range or
 * listed twice. */
static int reduce_mask(const rt_reduce_prepare_params *q, const int64_t *axes, int32_t *reduced) {
  int32_t d, k;
  for (d = 0; d < q->rank; d++) reduced[d] = q->n_axes == 0 && !q->noop;
  for (k = 0; k < q->n_axes; k++) {
    int64_t a = axes[k] < 0 ? axes[k] + q->rank : axes[k];
    if (a < 0 || a >= q->rank || reduced[a]) return 1;
    reduced[a] = 1;
  }
  return 0;
}

RT_KERNEL(rt_reduce_prepare) {
  const rt_reduce_prepare_params *q = (const rt_reduce_prepare_params *)params;
  rt_reduce_params *p = (rt_reduce_params *)out[1];
  int64_t *dims = (int64_t *)out[0], stride = 1, count = 1;
  int32_t reduced[RT_MAX_RANK], one[RT_MAX_RANK], group[RT_MAX_RANK], gred[RT_MAX_RANK], d, g, j = 0, o = 0;
  (void)scratch;
  if (q->rank > RT_MAX_RANK || reduce_mask(q, (const int64_t *)in[1], reduced)) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  /* the output's dims, those the compiler left to this kernel to out[0] */
  for (d = 0; d < q->rank; d++) {
    if (reduced[d] && !q->keepdims) continue;
    if (q->out_mask & (1 << o)) dims[j++] = reduced[d] ? 1 : q->in_dims[d];
    o++;
  }
  for (d = 0; d < q->rank; d++) one[d] = q->in_dims[d] == 1;
  p->rank = rt_reduce_merge(q->rank, reduced, one, group, gred);
  for (g = 0; g < p->rank; g++) p->dims[g] = 1;
  for (d = 0; d < q->rank; d++)
    if (group[d] >= 0) p->dims[group[d]] *= q->in_dims[d];
  for (g = p->rank - 1; g >= 0; g--) {
    if (gred[g]) {
      p->out_strides[g] = 0;
      count *= p->dims[g];
    } else {
      p->out_strides[g] = stride;
      stride *= p->dims[g];
    }
  }
  p->count = count;
  p->out_count = stride;
}
