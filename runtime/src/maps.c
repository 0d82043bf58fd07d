/* DictVectorizer and CastMap kernels (kernels/maps.h). */
#include "onnxcc/kernels/maps.h"

#include "onnxcc/strings.h"

/* Whether key i of the map equals vocabulary entry v: int64 keys and
 * string slots. */
#define KEY_EQ_i64(keys, vocab, i, v, slot) (((const int64_t *)(keys))[i] == ((const int64_t *)(vocab))[v])
#define KEY_EQ_str(keys, vocab, i, v, slot)                                                       \
  (rt_str_cmp((const unsigned char *)(keys) + (size_t)(i) * (size_t)(slot),                      \
              (const unsigned char *)(vocab) + (size_t)(v) * (size_t)(slot)) == 0)

/* The vocabularies are small (a model's feature names): a linear search
 * per key needs no index built at run time. */
#define DICT_VECTORIZE(k, v, T)                                                                   \
  RT_KERNEL(rt_dict_vectorize_##k##_##v) {                                                        \
    const rt_dict_vectorize_params *p = params;                                                  \
    const T *vals = in[1];                                                                       \
    T *y = out[0];                                                                               \
    int64_t i, j;                                                                                \
    (void)scratch;                                                                               \
    for (j = 0; j < p->vocab; j++) y[j] = 0;                                                     \
    for (i = 0; i < p->n; i++)                                                                   \
      for (j = 0; j < p->vocab; j++)                                                             \
        if (KEY_EQ_##k(in[0], in[2], i, j, p->slot)) {                                           \
          y[j] = vals[i];                                                                        \
          break;                                                                                 \
        }                                                                                        \
  }
DICT_VECTORIZE(i64, f32, float)
DICT_VECTORIZE(i64, f64, double)
DICT_VECTORIZE(i64, i64, int64_t)
DICT_VECTORIZE(str, f32, float)
DICT_VECTORIZE(str, f64, double)
DICT_VECTORIZE(str, i64, int64_t)

/* The conversion of a float value: C's, but saturating where C's is
 * undefined (out of int64's range; NaN gives 0). */
#define TO_f32(v) (v)
#define TO_i64(v) ((v) != (v) ? 0 : (v) <= -9223372036854775808.0f ? INT64_MIN : (v) >= 9223372036854775808.0f ? INT64_MAX : (int64_t)(v))

/* Dense: a value's place is the number of smaller keys (a map's keys are
 * distinct), found without sorting into scratch; O(n^2) for the small
 * maps these ops see. */
#define CAST_MAP(t, T)                                                                            \
  RT_KERNEL(rt_cast_map_##t) {                                                                    \
    const rt_cast_map_params *p = params;                                                        \
    const int64_t *keys = in[0];                                                                 \
    const float *vals = in[1];                                                                   \
    T *y = out[0];                                                                               \
    int64_t i, j;                                                                                \
    (void)scratch;                                                                               \
    for (j = 0; j < p->width; j++) y[j] = 0;                                                     \
    for (i = 0; i < p->n; i++) {                                                                 \
      int64_t at = 0;                                                                            \
      if (p->sparse) {                                                                           \
        at = keys[i];                                                                            \
      } else {                                                                                   \
        for (j = 0; j < p->n; j++) at += keys[j] < keys[i];                                      \
      }                                                                                          \
      if (at >= 0 && at < p->width) y[at] = TO_##t(vals[i]);                                     \
    }                                                                                            \
  }
CAST_MAP(f32, float)
CAST_MAP(i64, int64_t)
