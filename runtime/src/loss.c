/* Loss kernels: NegativeLogLikelihoodLoss (rt_nllloss_T_I) and
 * SoftmaxCrossEntropyLoss (rt_sceloss_T_I).
 *
 * Both walk the n*d target elements once. For each, the class k picks one
 * value of the [n, c, d] input: x itself for NLL, the log-softmax of x
 * over the class axis for SCE (computed per (i, j) column: max, sum of
 * exponentials, then x - max - log(sum)). The loss is that value negated
 * and weighted. The reduction (an enum field: a run-time choice of how to
 * finish, not of op or type) keeps, sums or averages the losses; sums run
 * in double.
 *
 * Every variant (element type T, index type I) is one instantiation of
 * the body below. */
#include <math.h>
#include <stddef.h>

#include "onnxcc/kernels/loss.h"

/* Whether target class k counts: not when it is ignore_index, nor when it
 * is outside [0, c). Such a target is the model's error; it
 * deterministically contributes loss 0 and weight 0, and nothing is read
 * at it. */
#define LOSS_COUNTS(p, k) \
  (!((p)->has_ignore && (k) == (p)->ignore_index) && (k) >= 0 && (k) < (p)->c)

/* The walk over the n*d columns (class stride d). SCE (0 or 1, fixed per
 * variant) first takes the column's log-softmax, writing it to the
 * log_prob output when the node has one. */
#define LOSS_BODY(T, I, SCE)                                                    \
  const rt_loss_params *p = (const rt_loss_params *)params;                     \
  const T *x = (const T *)in[0];                                                \
  const I *t = (const I *)in[1];                                                \
  const T *w = (const T *)in[2];                                                \
  T *y = (T *)out[0];                                                           \
  T *lp = SCE ? (T *)out[1] : NULL;                                             \
  const int64_t n = p->n, c = p->c, d = p->d;                                   \
  double sum = 0, wsum = 0;                                                     \
  int64_t i, j, k;                                                              \
  (void)scratch;                                                                \
  for (i = 0; i < n; i++) {                                                     \
    const T *xs = x + i * c * d;                                                \
    T *ls = lp ? lp + i * c * d : NULL;                                         \
    for (j = 0; j < d; j++) {                                                   \
      const int64_t cls = (int64_t)t[i * d + j];                                \
      const int counts = LOSS_COUNTS(p, cls);                                   \
      const double wk = !counts ? 0.0 : w ? (double)w[cls] : 1.0;               \
      double v = 0, mx = 0, lse = 0;                                            \
      if (SCE && c > 0) {                                                       \
        /* log-softmax of column j: x - max - log(sum(exp(x - max))) */        \
        mx = (double)xs[j];                                                     \
        for (k = 1; k < c; k++)                                                 \
          if ((double)xs[k * d + j] > mx) mx = (double)xs[k * d + j];           \
        for (k = 0; k < c; k++) lse += exp((double)xs[k * d + j] - mx);         \
        lse = mx + log(lse);                                                    \
        if (ls)                                                                 \
          for (k = 0; k < c; k++) ls[k * d + j] = (T)((double)xs[k * d + j] - lse); \
      }                                                                         \
      if (counts) v = -((double)xs[cls * d + j] - (SCE ? lse : 0)) * wk;       \
      if (p->reduction == RT_LOSS_NONE)                                         \
        y[i * d + j] = (T)v;                                                    \
      else {                                                                    \
        sum += v;                                                               \
        wsum += wk;                                                             \
      }                                                                         \
    }                                                                           \
  }                                                                             \
  if (p->reduction == RT_LOSS_SUM)                                              \
    y[0] = (T)sum;                                                              \
  else if (p->reduction == RT_LOSS_MEAN)                                        \
    y[0] = (T)(sum / wsum);

#define DEFINE_LOSS(NAME, T, I, SCE) \
  RT_KERNEL(NAME) { LOSS_BODY(T, I, SCE) }

DEFINE_LOSS(rt_nllloss_f32_i32, float, int32_t, 0)
DEFINE_LOSS(rt_nllloss_f32_i64, float, int64_t, 0)
DEFINE_LOSS(rt_nllloss_f64_i32, double, int32_t, 0)
DEFINE_LOSS(rt_nllloss_f64_i64, double, int64_t, 0)
DEFINE_LOSS(rt_sceloss_f32_i32, float, int32_t, 1)
DEFINE_LOSS(rt_sceloss_f32_i64, float, int64_t, 1)
DEFINE_LOSS(rt_sceloss_f64_i32, double, int32_t, 1)
DEFINE_LOSS(rt_sceloss_f64_i64, double, int64_t, 1)
