/* ai.onnx.ml kernels other than trees (kernels/ml.h). */
#include "onnxcc/kernels/ml.h"
#include "onnxcc/kernels/sequence.h" /* RT_STATUS_SLOT */
#include "onnxcc/strings.h"
#include "lookup_internal.h"

#include <math.h>
#include <string.h>

#define BINARIZER(t, T)                                                  \
  RT_KERNEL(rt_binarizer_##t) {                                          \
    const rt_binarizer_params *p = params;                               \
    const T *x = in[0];                                                  \
    T *y = out[0];                                                       \
    const T th = (T)p->threshold;                                        \
    int64_t i;                                                           \
    (void)scratch;                                                       \
    for (i = 0; i < p->n; i++) y[i] = x[i] > th ? 1 : x[i] <= th ? 0 : x[i]; \
  }
BINARIZER(f32, float)
BINARIZER(f64, double)

RT_KERNEL(rt_ml_gather) {
  const rt_ml_gather_params *p = params;
  const unsigned char *x = in[0];
  const int64_t *idx = in[1];
  unsigned char *y = out[0];
  int64_t o, j;
  const size_t es = (size_t)p->esize;
  (void)scratch;
  for (o = 0; o < p->outer; o++)
    for (j = 0; j < p->k; j++) {
      int64_t i = idx[j] < 0 ? idx[j] + p->n : idx[j];
      unsigned char *dst = y + (size_t)(o * p->k + j) * es;
      if (i < 0 || i >= p->n) memset(dst, 0, es);
      else memcpy(dst, x + (size_t)(o * p->n + i) * es, es);
    }
}

/* Rows of x converted to float, one at a time, into y (which the op
 * writes in float anyway). */
/* OneHotEncoder with zeros = 0: a value of no category fails the run. */
static void onehot_unknown(const rt_onehot_encode_params *p, int found, void *const *out) {
  if (!found && p->fail_unknown && out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_VALUE;
}

#define ML_NUMERIC(t, T)                                                                              \
  RT_KERNEL(rt_normalizer_##t) {                                                                      \
    const rt_normalizer_params *p = params;                                                           \
    const T *x = in[0];                                                                               \
    float *y = out[0];                                                                                \
    int64_t r, c;                                                                                     \
    (void)scratch;                                                                                    \
    for (r = 0; r < p->rows; r++) {                                                                   \
      float *yr = y + r * p->cols, d = 0;                                                             \
      for (c = 0; c < p->cols; c++) yr[c] = (float)x[r * p->cols + c];                                \
      if (p->norm == RT_NORM_MAX) {                                                                   \
        d = p->cols ? yr[0] : 0;                                                                      \
        for (c = 1; c < p->cols; c++) d = yr[c] > d ? yr[c] : d;                                      \
      } else {                                                                                        \
        for (c = 0; c < p->cols; c++) d += p->norm == RT_NORM_L1 ? fabsf(yr[c]) : yr[c] * yr[c];      \
        if (p->norm == RT_NORM_L2) d = sqrtf(d);                                                      \
      }                                                                                               \
      if (d != 0)                                                                                     \
        for (c = 0; c < p->cols; c++) yr[c] /= d;                                                     \
    }                                                                                                 \
  }                                                                                                   \
  RT_KERNEL(rt_scaler_##t) {                                                                          \
    const rt_scaler_params *p = params;                                                               \
    const T *x = in[0];                                                                               \
    const float *os = in[1];                                                                          \
    float *y = out[0];                                                                                \
    int64_t r, c;                                                                                     \
    (void)scratch;                                                                                    \
    for (r = 0; r < p->rows; r++)                                                                     \
      for (c = 0; c < p->cols; c++)                                                                   \
        y[r * p->cols + c] = ((float)x[r * p->cols + c] - os[c]) * os[p->cols + c];                   \
  }                                                                                                   \
  static void linear_##t(const rt_linear_params *p, const T *x, const float *w, float *z) {           \
    int64_t r, k, c;                                                                                  \
    for (r = 0; r < p->rows; r++)                                                                     \
      for (k = 0; k < p->targets; k++) {                                                              \
        float s = 0;                                                                                  \
        for (c = 0; c < p->cols; c++) s += (float)x[r * p->cols + c] * w[k * p->cols + c];           \
        z[r * p->targets + k] = s + w[p->targets * p->cols + k];                                      \
      }                                                                                               \
  }                                                                                                   \
  RT_KERNEL(rt_linear_regress_##t) {                                                                  \
    const rt_linear_params *p = params;                                                               \
    int64_t r;                                                                                        \
    float *y = out[0];                                                                                \
    (void)scratch;                                                                                    \
    linear_##t(p, in[0], in[1], y);                                                                   \
    for (r = 0; r < p->rows; r++) post_row(p->post, y + r * p->targets, p->targets);                  \
  }                                                                                                   \
  RT_KERNEL(rt_linear_classify_##t) {                                                                 \
    const rt_linear_params *p = params;                                                               \
    float *z = out[1], *s = scratch;                                                                  \
    (void)scratch;                                                                                    \
    linear_##t(p, in[0], in[1], s);                                                                   \
    classify_rows(p, in[1], s, out[0], z);                                                            \
  }                                                                                                   \
  RT_KERNEL(rt_onehot_encode_##t) {                                                                   \
    const rt_onehot_encode_params *p = params;                                                        \
    const T *x = in[0];                                                                               \
    const int64_t *cats = in[1];                                                                      \
    float *y = out[0];                                                                                \
    int64_t i, k;                                                                                     \
    (void)scratch;                                                                                    \
    for (i = 0; i < p->n; i++) {                                                                      \
      const int64_t v = (int64_t)x[i];                                                                \
      int found = 0;                                                                                  \
      for (k = 0; k < p->cats; k++) found |= (y[i * p->cats + k] = cats[k] == v ? 1.0f : 0.0f) != 0;  \
      onehot_unknown(p, found, out);                                                                  \
    }                                                                                                 \
  }

RT_KERNEL(rt_onehot_encode_string) {
  const rt_onehot_encode_params *p = params;
  const unsigned char *x = in[0], *cats = in[1];
  float *y = out[0];
  int64_t i, k;
  (void)scratch;
  for (i = 0; i < p->n; i++) {
    int found = 0;
    for (k = 0; k < p->cats; k++)
      found |= (y[i * p->cats + k] = rt_str_cmp(x + i * p->slot, cats + k * p->slot) == 0 ? 1.0f : 0.0f) != 0;
    onehot_unknown(p, found, out);
  }
}

/* The transform of one row of scores: all transforms for several, PROBIT
 * alone for one (ONNX Runtime's rule). */
static void post_row(int post, float *y, int64_t n) {
  if (n > 1) rt_ml_post_scores(post, y, n);
  else if (post == RT_TREE_PROBIT) y[0] = rt_ml_probit(y[0]);
}

/* Labels and final scores from the raw scores s ([rows, targets]). */
static void classify_rows(const rt_linear_params *p, const float *w, const float *s, int64_t *y, float *z) {
  int64_t labels[2] = {0, 1}, r, k;
  const unsigned char *lb = (const unsigned char *)(w + p->targets * p->cols + p->targets);
  for (r = 0; r < p->rows; r++) {
    const float *sr = s + r * p->targets;
    if (p->targets == 1) {
      if (p->second_class) memcpy(labels, lb, sizeof labels);
      y[r] = sr[0] > 0 ? labels[1] : labels[0];
      if (p->second_class) {
        z[2 * r] = 1 - sr[0];
        z[2 * r + 1] = sr[0];
      } else {
        z[r] = p->post == RT_TREE_PROBIT ? rt_ml_probit(sr[0]) : sr[0];
      }
      continue;
    }
    {
      int64_t best = 0, label;
      for (k = 1; k < p->targets; k++)
        if (sr[k] > sr[best]) best = k;
      memcpy(&label, lb + best * (int64_t)sizeof label, sizeof label);
      y[r] = label;
      memcpy(z + r * p->targets, sr, sizeof(float) * (size_t)p->targets);
      rt_ml_post_scores(p->post, z + r * p->targets, p->targets);
    }
  }
}

ML_NUMERIC(f32, float)
ML_NUMERIC(f64, double)
ML_NUMERIC(i32, int32_t)
ML_NUMERIC(i64, int64_t)

RT_KERNEL(rt_imputer_f32) {
  const rt_imputer_params *p = params;
  const float *x = in[0], *v = in[1];
  float *y = out[0];
  int64_t r, c;
  (void)scratch;
  for (r = 0; r < p->rows; r++)
    for (c = 0; c < p->cols; c++) {
      float a = x[r * p->cols + c];
      int hit = p->replace_nan ? a != a : a == p->replaced_f;
      y[r * p->cols + c] = hit ? v[c] : a;
    }
}

RT_KERNEL(rt_imputer_i64) {
  const rt_imputer_params *p = params;
  const int64_t *x = in[0], *v = in[1];
  int64_t *y = out[0], r, c;
  (void)scratch;
  for (r = 0; r < p->rows; r++)
    for (c = 0; c < p->cols; c++) {
      int64_t a = x[r * p->cols + c];
      y[r * p->cols + c] = a == p->replaced ? v[c] : a;
    }
}

/* Keys compare equal, NaN matching NaN (integers are never NaN). */
#define LABEL_ENCODE(k, K, v, V)                                                      \
  RT_KERNEL(rt_label_encode_##k##_##v) {                                              \
    const rt_label_encode_params *p = params;                                         \
    const K *x = in[0], *keys = in[1];                                                \
    const V *vals = in[2];                                                            \
    V *y = out[0];                                                                    \
    int64_t i, j;                                                                     \
    (void)scratch;                                                                    \
    for (i = 0; i < p->n; i++) {                                                      \
      const K a = x[i];                                                               \
      RT_KEY_FIND(keys, p->keys, a, j);                                               \
      y[i] = vals[j]; /* j == keys: the default */                                    \
    }                                                                                 \
  }
#define LABEL_ENCODE_ALL(k, K) \
  LABEL_ENCODE(k, K, i64, int64_t) LABEL_ENCODE(k, K, f32, float) LABEL_ENCODE(k, K, f64, double)
LABEL_ENCODE_ALL(i64, int64_t)
LABEL_ENCODE_ALL(f32, float)
LABEL_ENCODE_ALL(f64, double)
