/* SVMClassifier and SVMRegressor kernels (kernels/svm.h): X converted to
 * float one row at a time, then float code shared by every type. */
#include "onnxcc/kernels/svm.h"

#include <math.h>
#include <string.h>

/* K(x, m[j]) for the n vectors of m (rows of cols floats) into k; the
 * LINEAR kernel adds c (rho[0] in the linear mode, else 0). */
static void svm_kernels(const rt_svm_params *p, const float *x, const float *m, int64_t n, float c, float *k) {
  int64_t j, f;
  for (j = 0; j < n; j++) {
    const float *v = m + j * p->cols;
    float s = 0;
    if (p->kernel == RT_SVM_RBF) {
      for (f = 0; f < p->cols; f++) s += (x[f] - v[f]) * (x[f] - v[f]);
      k[j] = expf(-p->gamma * s);
      continue;
    }
    for (f = 0; f < p->cols; f++) s += x[f] * v[f];
    if (p->kernel == RT_SVM_LINEAR) {
      k[j] = s + c;
      continue;
    }
    s = p->gamma * s + p->coef0;
    if (p->kernel == RT_SVM_SIGMOID) k[j] = tanhf(s);
    else if (p->degree == 2) k[j] = s * s; /* ONNX Runtime squares and cubes exactly */
    else if (p->degree == 3) k[j] = s * s * s;
    else k[j] = powf(s, p->degree);
  }
}

/* One row of X as floats (ONNX Runtime converts X to float first). */
typedef void (*svm_load_fn)(const void *x, int64_t at, int64_t n, float *xf);

/* ---- the regressor ---- */

static float svm_regress_row(const rt_svm_params *p, const float *table, const float *x, float *k) {
  const float *cf = table + p->vectors * p->cols;
  float y = 0;
  int64_t j;
  if (p->vectors == 0) {
    svm_kernels(p, x, table, 1, table[p->cols], &y);
  } else {
    svm_kernels(p, x, table, p->vectors, 0, k);
    for (j = 0; j < p->vectors; j++) y += k[j] * cf[j];
    y += cf[p->vectors];
  }
  if (p->one_class) y = y > 0 ? 1.0f : -1.0f;
  return y;
}

static void svm_regress(const rt_svm_params *p, svm_load_fn load, const void *const *in, void *const *out,
                        float *xf) {
  float *y = out[0];
  int64_t r;
  for (r = 0; r < p->rows; r++) {
    load(in[0], r * p->cols, p->cols, xf);
    y[r] = svm_regress_row(p, in[1], xf, xf + p->cols);
  }
}

/* ---- the classifier ---- */

/* The decision value of each class pair (i < j, in order) into d, and
 * the votes into votes. Products are float, their sum double, as ONNX
 * Runtime sums them. */
static void svm_pairs(const rt_svm_params *p, const float *table, const int64_t *counts, const float *k,
                      float *votes, float *d) {
  const float *cf = table + p->vectors * p->cols, *rho = cf + (p->classes - 1) * p->vectors;
  int64_t i, j, m, pair = 0, si = 0, sj;
  for (i = 0; i < p->classes; i++) votes[i] = 0;
  for (i = 0; i + 1 < p->classes; si += counts[i], i++)
    for (j = i + 1, sj = si + counts[i]; j < p->classes; sj += counts[j], j++) {
      double s = 0;
      for (m = 0; m < counts[i]; m++) s += (double)(cf[(j - 1) * p->vectors + si + m] * k[si + m]);
      for (m = 0; m < counts[j]; m++) s += (double)(cf[i * p->vectors + sj + m] * k[sj + m]);
      s += (double)rho[pair];
      d[pair++] = (float)s;
      votes[s > 0 ? i : j] += 1;
    }
}

/* The position of the first largest of n values. */
static int64_t svm_argmax(const float *v, int64_t n) {
  int64_t i, best = 0;
  for (i = 1; i < n; i++)
    if (v[i] > v[best]) best = i;
  return best;
}

/* Pairwise probabilities r (n x n: r[i][j] that i beats j) coupled into
 * one probability per class, prob[n], by Wu, Lin and Weng's second
 * method: minimise p'Qp on the simplex by rounds of coordinate updates,
 * stopping when every (Qp)_t is within 0.005 / n of p'Qp, or after 100
 * rounds. q is n x n scratch, qp n. */
static void svm_couple(int64_t n, const float *r, float *q, float *qp, float *prob) {
  const float eps = 0.005f / (float)n;
  int64_t t, j, round;
  for (t = 0; t < n; t++) {
    prob[t] = 1.0f / (float)n;
    q[t * n + t] = 0;
    for (j = 0; j < n; j++)
      if (j != t) {
        q[t * n + t] += r[j * n + t] * r[j * n + t];
        q[t * n + j] = -r[j * n + t] * r[t * n + j];
      }
  }
  for (round = 0; round < 100; round++) {
    float pqp = 0, worst = 0;
    for (t = 0; t < n; t++) {
      qp[t] = 0;
      for (j = 0; j < n; j++) qp[t] += q[t * n + j] * prob[j];
      pqp += prob[t] * qp[t];
    }
    for (t = 0; t < n; t++)
      if (fabsf(qp[t] - pqp) > worst) worst = fabsf(qp[t] - pqp);
    if (worst < eps) break;
    for (t = 0; t < n; t++) {
      const float diff = (pqp - qp[t]) / q[t * n + t];
      prob[t] += diff;
      pqp = (pqp + diff * (diff * q[t * n + t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
      for (j = 0; j < n; j++) {
        qp[j] = (qp[j] + diff * q[t * n + j]) / (1 + diff);
        prob[j] /= (1 + diff);
      }
    }
  }
}

/* The class probabilities from the decision values d (libsvm's Platt
 * scaling per pair, then the coupling) into z. s: 3 n x n + n floats. */
static void svm_probabilities(const rt_svm_params *p, const float *table, const float *d, float *s, float *z) {
  const int64_t n = p->classes, pairs = n * (n - 1) / 2;
  const float *pa = table + p->vectors * p->cols + (n - 1) * p->vectors + pairs, *pb = pa + pairs;
  float *r = s, *q = r + n * n, *qp = q + n * n;
  int64_t i, j, pair = 0;
  for (i = 0; i < n * n; i++) r[i] = 0;
  for (i = 0; i + 1 < n; i++)
    for (j = i + 1; j < n; j++, pair++) {
      float v = 1 - rt_ml_logistic(d[pair] * pa[pair] + pb[pair]);
      v = v < 1.0e-7f ? 1.0e-7f : v > 1 - 1.0e-7f ? 1 - 1.0e-7f : v;
      r[i * n + j] = v;
      r[j * n + i] = 1 - v;
    }
  svm_couple(n, r, q, qp, z);
}

/* Scores z of a row with support vectors; the label's class. s: scratch
 * after the row (kernels, votes, pair values, the coupling's). */
static int64_t svm_classify_vectors(const rt_svm_params *p, const void *const *in, const float *x, float *s,
                                    float *z) {
  const int64_t n = p->classes, pairs = n * (n - 1) / 2;
  float *k = s, *votes = k + p->vectors, *d = votes + n;
  int64_t i;
  svm_kernels(p, x, in[1], p->vectors, 0, k);
  svm_pairs(p, in[1], in[3], k, votes, d);
  if (p->proba) {
    svm_probabilities(p, in[1], d, d + pairs, z);
    rt_ml_post_scores(p->post, z, n);
  } else if (n == 2) {
    /* ONNX Runtime's two columns of a binary SVC (PROBIT is refused) */
    z[0] = p->post == RT_TREE_NONE ? -d[0] : 1 - d[0];
    z[1] = d[0];
  } else {
    for (i = 0; i < pairs; i++) z[i] = d[i];
    rt_ml_post_scores(p->post, z, pairs);
  }
  return svm_argmax(votes, n);
}

/* Scores z of a row in the linear mode; the label's class. */
static int64_t svm_classify_linear(const rt_svm_params *p, const float *table, const float *x, float *z) {
  const int64_t n = p->classes;
  int64_t best;
  float top;
  svm_kernels(p, x, table, n, table[n * p->cols], z);
  best = svm_argmax(z, n);
  top = z[best];
  if (n == 2 && (p->all_positive ? top >= 0.5f : top > 0)) best = 1;
  if (n >= 2) rt_ml_post_scores(p->post, z, n);
  else if (p->post == RT_TREE_PROBIT) z[0] = rt_ml_probit(z[0]);
  return best;
}

/* Columns of out[1] per row: see kernels/svm.h. */
static int64_t svm_score_cols(const rt_svm_params *p) {
  if (p->vectors == 0 || p->proba) return p->classes;
  return p->classes == 2 ? 2 : p->classes * (p->classes - 1) / 2;
}

static void svm_classify(const rt_svm_params *p, svm_load_fn load, const void *const *in, void *const *out,
                         float *xf) {
  const int64_t cols = svm_score_cols(p);
  const size_t es = (size_t)p->esize;
  unsigned char *y = out[0];
  float *z = out[1];
  int64_t r, best;
  for (r = 0; r < p->rows; r++) {
    load(in[0], r * p->cols, p->cols, xf);
    if (p->vectors == 0) best = svm_classify_linear(p, in[1], xf, z + r * cols);
    else best = svm_classify_vectors(p, in, xf, xf + p->cols, z + r * cols);
    memcpy(y + (size_t)r * es, (const unsigned char *)in[2] + (size_t)best * es, es);
  }
}

#define SVM_T(t, T)                                                                 \
  static void svm_load_##t(const void *x, int64_t at, int64_t n, float *xf) {       \
    const T *v = (const T *)x + at;                                                 \
    int64_t i;                                                                      \
    for (i = 0; i < n; i++) xf[i] = (float)v[i];                                    \
  }                                                                                 \
  RT_KERNEL(rt_svm_regress_##t) { svm_regress(params, svm_load_##t, in, out, scratch); }   \
  RT_KERNEL(rt_svm_classify_##t) { svm_classify(params, svm_load_##t, in, out, scratch); }
SVM_T(f32, float)
SVM_T(f64, double)
SVM_T(i32, int32_t)
SVM_T(i64, int64_t)
