/* Tree ensemble kernels (kernels/trees.h): one walker over the flat node
 * table, two ways of finishing a row's scores. */
#include "onnxcc/kernels/trees.h"

#include <math.h>
#include <string.h>

/* ONNX Runtime's logistic: 1 / (1 + exp(-|v|)), mirrored for v < 0 so
 * that large |v| do not overflow. */
float rt_ml_logistic(float v) {
  float e = 1.0f / (1.0f + expf(-fabsf(v)));
  return v < 0 ? 1.0f - e : e;
}

/* Winitzki's approximation of erfinv with a = 0.147, the one ONNX Runtime
 * uses for PROBIT; the constant 3.14159f is also its. */
static float erfinv_approx(float x) {
  float sgn = x < 0 ? -1.0f : 1.0f, l, v, v2;
  x = (1 - x) * (1 + x);
  l = logf(x);
  v = 2 / (3.14159f * 0.147f) + 0.5f * l;
  v2 = 1 / 0.147f * l;
  return sgn * sqrtf(-v + sqrtf(v * v - v2));
}

float rt_ml_probit(float v) { return 1.41421356f * erfinv_approx(2 * v - 1); }

static void softmax(float *s, int64_t n, int skip_zero) {
  float mx = -3.402823466e38f, sum = 0, e_neg_max;
  int64_t i;
  for (i = 0; i < n; i++)
    if (s[i] > mx) mx = s[i];
  e_neg_max = expf(-mx);
  for (i = 0; i < n; i++) {
    /* SOFTMAX_ZERO leaves (near-)zero scores out of the sum, scaled */
    if (skip_zero && !(s[i] > 0.0000001f || s[i] < -0.0000001f)) {
      s[i] *= e_neg_max;
      continue;
    }
    s[i] = expf(s[i] - mx);
    sum += s[i];
  }
  for (i = 0; i < n; i++) s[i] /= sum;
}

void rt_ml_post_scores(int post, float *s, int64_t n) {
  int64_t i;
  switch (post) {
  case RT_TREE_PROBIT: for (i = 0; i < n; i++) s[i] = rt_ml_probit(s[i]); break;
  case RT_TREE_LOGISTIC: for (i = 0; i < n; i++) s[i] = rt_ml_logistic(s[i]); break;
  case RT_TREE_SOFTMAX: softmax(s, n, 0); break;
  case RT_TREE_SOFTMAX_ZERO: softmax(s, n, 1); break;
  default: break;
  }
}

/* The walker and the aggregation for element type T (the type of X,
 * of the thresholds and leaf weights, and of the scores). */
#define RT_TREE_WALKER(sfx, T)                                                                            \
  static int in_set_##sfx(T x, const T *members, int64_t n) {                                           \
    int64_t i;                                                                                           \
    for (i = 0; i < n; i++)                                                                              \
      if (x == members[i]) return 1;                                                                     \
    return 0;                                                                                            \
  }                                                                                                      \
  static const int64_t *walk_##sfx(const rt_tree_params *p, const int64_t *it, const T *ft, const T *x,  \
                                   int64_t node) {                                                       \
    for (;;) {                                                                                           \
      const int64_t *r = it + p->nodes_at + node * RT_TREE_NODE_FIELDS;                                  \
      T v, t;                                                                                            \
      int go;                                                                                            \
      if (r[0] == RT_TREE_LEAF) return r;                                                                \
      v = x[r[1]];                                                                                       \
      t = ft[p->split_at + node];                                                                        \
      switch (r[0]) {                                                                                    \
      case RT_TREE_LEQ: go = v <= t; break;                                                              \
      case RT_TREE_LT: go = v < t; break;                                                                \
      case RT_TREE_GTE: go = v >= t; break;                                                              \
      case RT_TREE_GT: go = v > t; break;                                                                \
      case RT_TREE_EQ: go = v == t; break;                                                               \
      case RT_TREE_NEQ: go = v != t; break;                                                              \
      default: go = in_set_##sfx(v, ft + r[5], r[6]); break;                                             \
      }                                                                                                  \
      if (!go && r[4] && v != v) go = 1;                                                                 \
      node = go ? r[2] : r[3];                                                                           \
    }                                                                                                    \
  }                                                                                                      \
  static void score_row_##sfx(const rt_tree_params *p, const int64_t *it, const T *ft, const T *x, T *s, \
                              unsigned char *has) {                                                      \
    int64_t t, w;                                                                                        \
    memset(s, 0, sizeof(T) * (size_t)p->targets);                                                        \
    memset(has, 0, (size_t)p->targets);                                                                  \
    for (t = 0; t < p->trees; t++) {                                                                     \
      const int64_t *leaf = walk_##sfx(p, it, ft, x, it[t]);                                             \
      for (w = leaf[2]; w < leaf[2] + leaf[1]; w++) {                                                    \
        int64_t k = it[p->wtarget_at + w];                                                               \
        T v = ft[p->wvalue_at + w];                                                                      \
        if (p->agg == RT_TREE_MIN) s[k] = !has[k] || v < s[k] ? v : s[k];                                \
        else if (p->agg == RT_TREE_MAX) s[k] = !has[k] || v > s[k] ? v : s[k];                           \
        else s[k] += v;                                                                                  \
        has[k] = 1;                                                                                      \
      }                                                                                                  \
    }                                                                                                    \
  }                                                                                                      \
  RT_KERNEL(rt_tree_regress_##sfx) {                                                                     \
    const rt_tree_params *p = params;                                                                    \
    const T *x = in[0], *ft = in[2];                                                                     \
    const int64_t *it = in[1];                                                                           \
    T *y = out[0], *s = scratch;                                                                         \
    unsigned char *has = (unsigned char *)(s + p->targets);                                              \
    int64_t r, k;                                                                                        \
    for (r = 0; r < p->rows; r++) {                                                                      \
      T *yr = y + r * p->targets;                                                                        \
      score_row_##sfx(p, it, ft, x + r * p->features, s, has);                                           \
      for (k = 0; k < p->targets; k++) {                                                                 \
        T base = p->n_base == p->targets ? ft[k] : (T)0;                                                 \
        if (p->agg == RT_TREE_AVERAGE) yr[k] = s[k] / (T)p->trees + base;                                \
        else yr[k] = s[k] + base;                                                                        \
      }                                                                                                  \
      post_row_##sfx(p->post, yr, p->targets);                                                           \
    }                                                                                                    \
  }
/* In the walker: a branch whose comparison fails still goes true when x
 * is NaN and the node's missing track is true. In the aggregation, a
 * target no leaf reached keeps 0 (then its base value). In regression,
 * AVERAGE divides by the tree count before the base value is added. */

/* The transform of one row: all of them when there are several targets,
 * only PROBIT for a single one (ONNX Runtime's rule). Doubles go through
 * float, as ONNX Runtime's transforms do. */
static void post_row_f32(int post, float *y, int64_t n) {
  if (n > 1) rt_ml_post_scores(post, y, n);
  else if (post == RT_TREE_PROBIT) y[0] = rt_ml_probit(y[0]);
}

static void post_row_f64(int post, double *y, int64_t n) {
  float buf[64];
  int64_t i;
  if (post == RT_TREE_NONE) return;
  if (n == 1 || post == RT_TREE_PROBIT || post == RT_TREE_LOGISTIC) {
    for (i = 0; i < n; i++)
      if (post == RT_TREE_PROBIT) y[i] = (double)rt_ml_probit((float)y[i]);
      else if (n > 1) y[i] = (double)rt_ml_logistic((float)y[i]);
    return;
  }
  /* softmax: the compiler refuses more than 64 targets for doubles */
  for (i = 0; i < n && i < 64; i++) buf[i] = (float)y[i];
  rt_ml_post_scores(post, buf, i);
  for (i = 0; i < n && i < 64; i++) y[i] = (double)buf[i];
}

RT_TREE_WALKER(f32, float)
RT_TREE_WALKER(f64, double)

/* Two scores from one (the binary classifier with its weights on one
 * class), as ONNX Runtime writes them: `how` 0 or 1 (all weights
 * positive): 1 - s and s; 2 or 3 (some negative): -s and s, or their
 * logistics under LOGISTIC; -1: s alone. PROBIT gives probit(s) alone. */
static void write_one(int post, int how, float s, float *z) {
  if (post == RT_TREE_PROBIT) {
    z[0] = rt_ml_probit(s);
    z[1] = 0;
  } else if (how == 0 || how == 1) {
    z[0] = 1 - s;
    z[1] = s;
  } else if (how >= 2 && post == RT_TREE_LOGISTIC) {
    z[0] = rt_ml_logistic(-s);
    z[1] = rt_ml_logistic(s);
  } else if (how >= 2) {
    z[0] = -s;
    z[1] = s;
  } else {
    z[0] = s;
    z[1] = 0;
  }
}

/* The label of a two-class row and how to write a single score, from the
 * positive class's weight: with binary_case the threshold is 0.5 when all
 * weights are positive (probabilities), else 0; otherwise the labels are
 * ONNX Runtime's literal 1 and 0, not the class labels. */
static int64_t binary_label(const rt_tree_params *p, const int64_t *labels, float pos, int *how) {
  if (!p->binary_case) return pos > 0 ? 1 : 0;
  if (p->all_positive) {
    *how = pos > 0.5f ? 0 : 1;
    return pos > 0.5f ? labels[1] : labels[0];
  }
  *how = pos > 0 ? 2 : 3;
  return pos > 0 ? labels[1] : labels[0];
}

/* A two-class row (ONNX Runtime's rules, base_values by count):
 * 2 base values: with a class-1 score, class 1 becomes base[1] + the
 *   class-0 score and class 0 its negation; else each adds its base;
 * 1 base value: class 0 adds it, and class 1 is dropped if it had no
 *   weight (one score written through write_one);
 * none: class 1 is dropped likewise. */
static void classify_two(const rt_tree_params *p, const int64_t *labels, const float *base, float *s,
                         const unsigned char *has, int64_t *label, float *z) {
  int n = 2, how = -1;
  float pos;
  if (p->n_base == 2) {
    if (has[1]) {
      s[1] = base[1] + s[0];
      s[0] = -s[1];
    } else {
      s[1] += base[1];
      s[0] += base[0];
    }
  } else if (p->n_base == 1) {
    s[0] += base[0];
    if (!has[1]) n = 1;
  } else {
    how = 3;
    if (!has[1]) n = 1;
  }
  pos = n == 2 && has[1] ? s[1] : has[0] ? s[0] : 0;
  *label = binary_label(p, labels, pos, &how);
  if (n == 2) {
    z[0] = s[0];
    z[1] = s[1];
    rt_ml_post_scores(p->post, z, 2);
  } else {
    write_one(p->post, how, s[0], z);
  }
}

RT_KERNEL(rt_tree_classify_f32) {
  const rt_tree_params *p = params;
  const float *x = in[0], *ft = in[2];
  const int64_t *it = in[1], *labels = it + p->labels_at;
  int64_t *y = out[0];
  float *z = out[1], *s = scratch;
  unsigned char *has = (unsigned char *)(s + p->targets);
  int64_t r, k;
  for (r = 0; r < p->rows; r++) {
    float *zr = z + r * p->targets;
    score_row_f32(p, it, ft, x + r * p->features, s, has);
    if (p->targets == 2) {
      classify_two(p, labels, ft, s, has, &y[r], zr);
      continue;
    }
    {
      /* more classes: base values added (a class without weight takes
       * its base), the label is the best class that has a score */
      int64_t best = -1;
      for (k = 0; k < p->targets; k++) {
        if (k < p->n_base) s[k] = has[k] ? s[k] + ft[k] : ft[k], has[k] = 1;
        if (has[k] && (best < 0 || s[k] > s[best])) best = k;
        zr[k] = s[k];
      }
      y[r] = labels[best < 0 ? 0 : best];
      rt_ml_post_scores(p->post, zr, p->targets);
    }
  }
}
