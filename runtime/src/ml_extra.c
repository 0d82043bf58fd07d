/* FeatureVectorizer kernels (kernels/ml_extra.h). */
#include "onnxcc/kernels/ml_extra.h"

#define FEATURE_VECTORIZE(t, T)                                                                 \
  RT_KERNEL(rt_feature_vectorize_##t) {                                                         \
    const rt_feature_vectorize_params *p = params;                                              \
    const int64_t *widths = in[p->inputs], *sizes = widths + p->inputs;                         \
    float *y = out[0];                                                                          \
    int64_t k, r, j, at = 0;                                                                    \
    (void)scratch;                                                                              \
    for (k = 0; k < p->inputs; at += sizes[k], k++) {                                           \
      const T *x = in[k];                                                                       \
      const int64_t copy = widths[k] < sizes[k] ? widths[k] : sizes[k];                         \
      for (r = 0; r < p->rows; r++) {                                                           \
        float *yr = y + r * p->total + at;                                                      \
        for (j = 0; j < copy; j++) yr[j] = (float)x[r * widths[k] + j];                         \
        for (; j < sizes[k]; j++) yr[j] = 0;                                                    \
      }                                                                                         \
    }                                                                                           \
  }
FEATURE_VECTORIZE(f32, float)
FEATURE_VECTORIZE(f64, double)
FEATURE_VECTORIZE(i32, int32_t)
FEATURE_VECTORIZE(i64, int64_t)
