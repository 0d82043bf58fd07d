/* Col2Im (col2im.h). Positions along the spatial dims are walked with an
 * odometer, so any number of them takes one loop. */
#include <stdint.h>
#include <string.h>

#include "onnxcc/kernels/col2im.h"

/* The number of block positions along dim d; below 1 when none fits. */
static int64_t col2im_count(const rt_col2im_params *p, int d) {
  const int64_t span = p->dilations[d] * (p->block[d] - 1) + 1;
  const int64_t room = p->img[d] + p->pad_begin[d] + p->pad_end[d] - span;
  return room < 0 ? 0 : room / p->strides[d] + 1;
}

int rt_col2im_resolve(rt_col2im_params *p) {
  int64_t size = 1, positions = 1;
  int d;
  for (d = 0; d < p->nsp; d++) {
    int64_t count;
    /* sizes past 2^31 fit no tensor's dim here, and keeping below it keeps
     * the arithmetic of col2im_count from overflowing (the compiler holds
     * strides, dilations and pads to the same range) */
    if (p->block[d] < 1 || p->block[d] > INT32_MAX || p->img[d] < 1 || p->img[d] > INT32_MAX) return -1;
    if (p->strides[d] < 1 || p->dilations[d] < 1) return -1;
    count = col2im_count(p, d);
    if (count < 1 || p->block[d] > p->channels / size || count > p->l / positions) return -1;
    size *= p->block[d];
    positions *= count;
  }
  if (p->channels % size != 0 || positions != p->l) return -1;
  p->c = p->channels / size;
  return 0;
}

/* Advances the multi-index idx over dims lim (nsp of them), row-major. */
static void col2im_next(int64_t *idx, const int64_t *lim, int nsp) {
  int d;
  for (d = nsp - 1; d >= 0 && ++idx[d] == lim[d]; d--) idx[d] = 0;
}

/* The image offset of block offset k at block position j, or -1 outside
 * the image. */
static int64_t col2im_at(const rt_col2im_params *p, const int64_t *k, const int64_t *j) {
  int64_t at = 0;
  int d;
  for (d = 0; d < p->nsp; d++) {
    const int64_t pos = j[d] * p->strides[d] - p->pad_begin[d] + k[d] * p->dilations[d];
    if (pos < 0 || pos >= p->img[d]) return -1;
    at = at * p->img[d] + pos;
  }
  return at;
}

#define DEFINE_COL2IM(NAME, T)                                                         \
  RT_KERNEL(NAME) {                                                                    \
    const rt_col2im_params *p = (const rt_col2im_params *)params;                      \
    const T *x = (const T *)in[0];                                                     \
    T *y = (T *)out[0];                                                                \
    int64_t counts[RT_MAX_RANK], k[RT_MAX_RANK] = {0}, j[RT_MAX_RANK], image = 1, size = 1; \
    int64_t b, c, kk, jj;                                                              \
    int d;                                                                             \
    (void)scratch;                                                                     \
    for (d = 0; d < p->nsp; d++) {                                                     \
      counts[d] = col2im_count(p, d);                                                  \
      image *= p->img[d];                                                              \
      size *= p->block[d];                                                             \
    }                                                                                  \
    memset(y, 0, sizeof(T) * (size_t)(p->n * p->c * image));                           \
    for (kk = 0; kk < size; kk++, col2im_next(k, p->block, p->nsp)) {                  \
      for (d = 0; d < p->nsp; d++) j[d] = 0;                                           \
      for (jj = 0; jj < p->l; jj++, col2im_next(j, counts, p->nsp)) {                  \
        const int64_t at = col2im_at(p, k, j);                                         \
        if (at < 0) continue;                                                          \
        for (b = 0; b < p->n; b++)                                                     \
          for (c = 0; c < p->c; c++)                                                   \
            y[(b * p->c + c) * image + at] += x[((b * p->c + c) * size + kk) * p->l + jj]; \
      }                                                                                \
    }                                                                                  \
  }

DEFINE_COL2IM(rt_col2im_f32, float)
DEFINE_COL2IM(rt_col2im_f64, double)

RT_KERNEL(rt_col2im_prepare) {
  rt_col2im_params *p = (rt_col2im_params *)out[1];
  const int64_t *img = (const int64_t *)in[1], *block = (const int64_t *)in[2];
  int64_t *dims = (int64_t *)out[0];
  int d;
  (void)params;
  (void)scratch;
  for (d = 0; d < p->nsp; d++) {
    p->img[d] = img[d];
    p->block[d] = block[d];
  }
  if (rt_col2im_resolve(p)) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  dims[0] = p->c;
  for (d = 0; d < p->nsp; d++) dims[1 + d] = p->img[d];
}
