#include <math.h>
#include <string.h>

#include "onnxcc/kernels/dims.h"

RT_KERNEL(rt_dims_i64) {
  const rt_dims_params *p = (const rt_dims_params *)params;
  int64_t *y = (int64_t *)out[0];
  int32_t i;
  (void)in;
  (void)scratch;
  for (i = 0; i < p->count && i < 8; i++) y[i] = p->values[i];
}

/* Range's count from start, limit and delta as doubles: -1 for a zero
 * delta, a NaN, or a count beyond int64. */
static int64_t range_count(double start, double limit, double delta) {
  double n;
  if (delta == 0) return -1;
  n = ceil((limit - start) / delta);
  if (n != n || n >= 9.2e18) return -1;
  return n > 0 ? (int64_t)n : 0;
}

/* Integer ranges count exactly: (limit - start) / delta rounded up, in
 * unsigned arithmetic where the difference would overflow int64. */
static int64_t range_count_int(int64_t start, int64_t limit, int64_t delta) {
  uint64_t span, step, n;
  if (delta == 0) return -1;
  if ((delta > 0 && limit <= start) || (delta < 0 && limit >= start)) return 0;
  span = delta > 0 ? (uint64_t)limit - (uint64_t)start : (uint64_t)start - (uint64_t)limit;
  step = delta > 0 ? (uint64_t)delta : 0 - (uint64_t)delta;
  n = span / step + (span % step != 0);
  return n > (uint64_t)INT64_MAX ? -1 : (int64_t)n;
}

#define RANGE_FLOAT(t, T)                                                          \
  RT_KERNEL(rt_range_prepare_##t) {                                                \
    T s = *(const T *)in[0], l = *(const T *)in[1], d = *(const T *)in[2];         \
    (void)params;                                                                  \
    (void)scratch;                                                                 \
    ((int64_t *)out[0])[0] = range_count((double)s, (double)l, (double)d);         \
  }                                                                                \
  RT_KERNEL(rt_range_##t) {                                                        \
    const rt_range_params *p = (const rt_range_params *)params;                    \
    T s = *(const T *)in[0], d = *(const T *)in[2], *y = (T *)out[0];              \
    int64_t i;                                                                     \
    (void)scratch;                                                                 \
    for (i = 0; i < p->count; i++) y[i] = (T)(s + (T)i * d);                       \
  }
RANGE_FLOAT(f32, float)
RANGE_FLOAT(f64, double)

#define RANGE_INT(t, T)                                                                   \
  RT_KERNEL(rt_range_prepare_##t) {                                                       \
    int64_t s = *(const T *)in[0], l = *(const T *)in[1], d = *(const T *)in[2];          \
    (void)params;                                                                         \
    (void)scratch;                                                                        \
    ((int64_t *)out[0])[0] = range_count_int(s, l, d);                                    \
  }                                                                                       \
  RT_KERNEL(rt_range_##t) {                                                               \
    const rt_range_params *p = (const rt_range_params *)params;                           \
    uint64_t s = (uint64_t)(int64_t)*(const T *)in[0], d = (uint64_t)(int64_t)*(const T *)in[2]; \
    T *y = (T *)out[0];                                                                   \
    int64_t i;                                                                            \
    (void)scratch;                                                                        \
    /* wraps like two's complement, computed unsigned */                                 \
    for (i = 0; i < p->count; i++) y[i] = (T)(int64_t)(s + (uint64_t)i * d);              \
  }
RANGE_INT(i16, int16_t)
RANGE_INT(i32, int32_t)
RANGE_INT(i64, int64_t)

#define FILL(bytes)                                                   \
  RT_KERNEL(rt_constant_of_shape_##bytes) {                           \
    const rt_fill_params *p = (const rt_fill_params *)params;         \
    unsigned char *y = (unsigned char *)out[0], e[8];                 \
    uint64_t bits = (uint64_t)p->bits;                                \
    int64_t i;                                                        \
    int k;                                                            \
    (void)in;                                                         \
    (void)scratch;                                                    \
    for (k = 0; k < bytes; k++) e[k] = (unsigned char)(bits >> (8 * k)); \
    for (i = 0; i < p->count; i++) memcpy(y + i * bytes, e, bytes);   \
  }
FILL(1)
FILL(2)
FILL(4)
FILL(8)

RT_KERNEL(rt_constant_of_shape_prepare) {
  const rt_shape_input_params *p = (const rt_shape_input_params *)params;
  const int64_t *shape = (const int64_t *)in[0];
  int64_t *dims = (int64_t *)out[0];
  int32_t k;
  (void)scratch;
  for (k = 0; k < p->rank; k++) dims[k] = shape[k] >= 0 ? shape[k] : -1;
}

RT_KERNEL(rt_reshape_prepare) {
  const rt_reshape_prepare_params *p = (const rt_reshape_prepare_params *)params;
  const int64_t *shape = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0], total = 1, known = 1;
  int32_t k, infer_at = -1;
  (void)scratch;
  for (k = 0; k < p->in_rank; k++) total *= p->in_dims[k];
  for (k = 0; k < p->out_rank; k++) {
    int64_t v = shape[k];
    if (v == 0 && !p->allowzero) {
      if (k >= p->in_rank) goto bad;
      v = p->in_dims[k];
    }
    if (v == -1) {
      if (infer_at >= 0) goto bad;
      infer_at = k;
      continue;
    }
    /* the total is at most the buffer's element count: a larger product is
     * wrong, and stopping there keeps it from overflowing */
    if (v < 0 || (v > 0 && known > (total > 0 ? total : INT64_MAX) / v)) goto bad;
    known *= v;
    dims[k] = v;
  }
  if (infer_at >= 0) {
    if (known == 0 || total % known) goto bad;
    dims[infer_at] = total / known;
  } else if (known != total) {
    goto bad;
  }
  return;
bad:
  *(int *)out[2] = RT_ERR_SHAPE;
}

/* Marks the dims of a rank-`rank` tensor that axes names; nonzero when one
 * is out of range or named twice. */
static int mark_axes(const int64_t *axes, int32_t n, int32_t rank, int32_t *marked) {
  int32_t d, k;
  if (rank > 8) return 1;
  for (d = 0; d < rank; d++) marked[d] = 0;
  for (k = 0; k < n; k++) {
    int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
    if (a < 0 || a >= rank || marked[a]) return 1;
    marked[a] = 1;
  }
  return 0;
}

RT_KERNEL(rt_squeeze_prepare) {
  const rt_axes_prepare_params *p = (const rt_axes_prepare_params *)params;
  int64_t *dims = (int64_t *)out[0];
  int32_t marked[8], d, j = 0, o = 0;
  (void)scratch;
  if (mark_axes((const int64_t *)in[1], p->n_axes, p->in_rank, marked)) goto bad;
  for (d = 0; d < p->in_rank; d++) {
    if (marked[d]) {
      if (p->in_dims[d] != 1) goto bad;
      continue;
    }
    if (p->out_mask & (1 << o)) dims[j++] = p->in_dims[d];
    o++;
  }
  return;
bad:
  *(int *)out[2] = RT_ERR_SHAPE;
}

RT_KERNEL(rt_unsqueeze_prepare) {
  const rt_axes_prepare_params *p = (const rt_axes_prepare_params *)params;
  int64_t *dims = (int64_t *)out[0];
  int32_t marked[8], d, i = 0, j = 0;
  (void)scratch;
  if (mark_axes((const int64_t *)in[1], p->n_axes, p->in_rank + p->n_axes, marked)) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  for (d = 0; d < p->in_rank + p->n_axes; d++) {
    const int64_t v = marked[d] ? 1 : p->in_dims[i++];
    if (p->out_mask & (1 << d)) dims[j++] = v;
  }
}
