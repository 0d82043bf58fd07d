/* TfIdfVectorizer kernels (kernels/tfidf.h): each step down the trie is a
 * binary search among one node's children, so the work per position is
 * the n-gram length times log(fan-out), whatever the pool's size. */
#include <string.h>

#include "onnxcc/kernels/tfidf.h"

/* The edge of token v among the n edges from `first`, or -1. */
static int64_t tfidf_find(const int64_t *trie, int64_t first, int64_t n, int64_t v) {
  int64_t lo = first, hi = first + n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2, key = trie[mid * RT_TFIDF_EDGE];
    if (key == v) return mid;
    if (key < v) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/* Turns one row's counts into the mode's values. */
static void tfidf_weigh(const rt_tfidf_params *p, const float *w, float *y) {
  int64_t k;
  if (p->mode == RT_TFIDF_TF) return;
  for (k = 0; k < p->out_size; k++) {
    const float wk = w ? w[k] : 1.0f;
    y[k] = p->mode == RT_TFIDF_IDF ? (y[k] > 0 ? wk : 0.0f) : wk * y[k];
  }
}

/* Counts the n-grams of one row (cols items read through get). */
#define TFIDF(t, T)                                                                          \
  static void tfidf_row_##t(const rt_tfidf_params *p, const int64_t *trie, const T *x, float *y) { \
    int64_t s, start, item, e, first = 0, n;                                                 \
    int32_t min = p->min_gram, size;                                                         \
    for (s = 1; s <= (int64_t)p->max_skip + 1; s++) {                                        \
      for (start = 0; start + s * (min - 1) < p->cols; start++) {                            \
        first = 0, n = p->root_count;                                                        \
        for (item = start, size = 1; n > 0 && size <= p->max_gram && item < p->cols;         \
             item += s, size++) {                                                            \
          if ((e = tfidf_find(trie, first, n, (int64_t)x[item])) < 0) break;                 \
          if (size >= min && trie[e * RT_TFIDF_EDGE + 1] >= 0) y[trie[e * RT_TFIDF_EDGE + 1]] += 1.0f; \
          first = trie[e * RT_TFIDF_EDGE + 2], n = trie[e * RT_TFIDF_EDGE + 3];              \
        }                                                                                    \
      }                                                                                      \
      /* unigrams count once, not once per skip */                                         \
      if (min == 1 && ++min > p->max_gram) break;                                            \
    }                                                                                        \
  }                                                                                          \
  RT_KERNEL(rt_tfidf_##t) {                                                                  \
    const rt_tfidf_params *p = (const rt_tfidf_params *)params;                              \
    const T *x = (const T *)in[0];                                                           \
    const int64_t *trie = (const int64_t *)in[1];                                            \
    float *y = (float *)out[0];                                                              \
    int64_t r;                                                                               \
    (void)scratch;                                                                           \
    memset(y, 0, sizeof(float) * (size_t)(p->rows * p->out_size));                          \
    for (r = 0; r < p->rows; r++) {                                                          \
      tfidf_row_##t(p, trie, x + r * p->cols, y + r * p->out_size);                          \
      tfidf_weigh(p, (const float *)in[2], y + r * p->out_size);                             \
    }                                                                                        \
  }
TFIDF(i32, int32_t)
TFIDF(i64, int64_t)
