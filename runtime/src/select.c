/* TopK, OneHot, NonZero and Compress (select.h).
 *
 * TopK sorts each line's indices with a stable merge sort, so equal values
 * keep index order; the k best are then the first k. OneHot, NonZero and
 * Compress move elements as bytes: only the test of an index or of a
 * non-zero element depends on the element type. */
#include <string.h>

#include "onnxcc/kernels/select.h"
#include "half_internal.h"

/* ---- TopK ---- */

/* Sorts idx[0..n) (indices into the line at `x` + i * inner) best first,
 * stably, through tmp[0..n); the sorted order ends in idx. Elements
 * compare as KT, the key KEY gives (floats for the 16-bit floats). */
#define TOPK_SORT(t, T, KT, KEY)                                                                          \
  static void topk_sort_##t(const T *x, int64_t inner, int64_t n, int largest, int64_t *idx,         \
                            int64_t *tmp) {                                                          \
    int64_t width, lo, *src = idx, *dst = tmp;                                                       \
    for (width = 1; width < n; width *= 2) {                                                         \
      for (lo = 0; lo < n; lo += 2 * width) {                                                        \
        int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n; \
        int64_t a = lo, b = mid, o = lo;                                                             \
        while (a < mid && b < hi) {                                                                  \
          /* the right run's element goes first only when strictly better */                       \
          KT kb = (KT)KEY(x[src[b] * inner]), ka = (KT)KEY(x[src[a] * inner]);                         \
          int b_first = largest ? kb > ka : kb < ka;                                                 \
          dst[o++] = b_first ? src[b++] : src[a++];                                                  \
        }                                                                                            \
        while (a < mid) dst[o++] = src[a++];                                                         \
        while (b < hi) dst[o++] = src[b++];                                                          \
      }                                                                                              \
      { int64_t *s = src; src = dst; dst = s; }                                                      \
    }                                                                                                \
    if (src != idx) memcpy(idx, src, sizeof(int64_t) * (size_t)n);                                   \
  }                                                                                                  \
  RT_KERNEL(rt_topk_##t) {                                                                           \
    const rt_topk_params *p = (const rt_topk_params *)params;                                        \
    const T *x = (const T *)in[0];                                                                   \
    T *values = (T *)out[0];                                                                         \
    int64_t *indices = (int64_t *)out[1], *idx = (int64_t *)scratch, *tmp = idx + p->n;              \
    int64_t o, i, j;                                                                                 \
    for (o = 0; o < p->outer; o++)                                                                   \
      for (j = 0; j < p->inner; j++) {                                                               \
        const T *line = x + o * p->n * p->inner + j;                                                 \
        int64_t base = o * p->k * p->inner + j;                                                      \
        for (i = 0; i < p->n; i++) idx[i] = i;                                                       \
        topk_sort_##t(line, p->inner, p->n, p->largest, idx, tmp);                                   \
        for (i = 0; i < p->k; i++) {                                                                 \
          if (values) values[base + i * p->inner] = line[idx[i] * p->inner];                         \
          if (indices) indices[base + i * p->inner] = idx[i];                                        \
        }                                                                                            \
      }                                                                                              \
  }

#define PLAIN(v) (v)
TOPK_SORT(f32, float, float, PLAIN)
TOPK_SORT(f64, double, double, PLAIN)
TOPK_SORT(f16, uint16_t, float, half_to_float)
TOPK_SORT(bf16, uint16_t, float, bf16_to_float)
TOPK_SORT(i8, int8_t, int8_t, PLAIN)
TOPK_SORT(i16, int16_t, int16_t, PLAIN)
TOPK_SORT(i32, int32_t, int32_t, PLAIN)
TOPK_SORT(i64, int64_t, int64_t, PLAIN)
TOPK_SORT(u8, uint8_t, uint8_t, PLAIN)
TOPK_SORT(u16, uint16_t, uint16_t, PLAIN)
TOPK_SORT(u32, uint32_t, uint32_t, PLAIN)
TOPK_SORT(u64, uint64_t, uint64_t, PLAIN)

RT_KERNEL(rt_topk_prepare) {
  const rt_topk_params *p = (const rt_topk_params *)out[1];
  int64_t k = *(const int64_t *)in[1];
  (void)params;
  (void)scratch;
  /* ONNX Runtime refuses a k above the axis dim rather than clamping it */
  if (k < 0 || k > p->n) *(int *)out[2] = RT_ERR_SHAPE;
  ((int64_t *)out[0])[0] = k;
}

/* ---- OneHot ---- */

/* One line of the output: `depth` elements of off, but for on at idx. */
static void onehot_fill(const rt_onehot_params *p, const unsigned char *values, int64_t idx, unsigned char *y) {
  const size_t es = (size_t)p->esize, stride = (size_t)(p->inner * p->esize);
  int64_t d;
  for (d = 0; d < p->depth; d++) memcpy(y + (size_t)d * stride, values + (d == idx ? es : 0), es);
}

/* An index as the position it selects in [0, depth), or -1 for none
 * (outside [-depth, depth)). Float indices are truncated toward zero (1.7
 * is 1, -1.5 is -1), as ONNX Runtime casts them. */
static int64_t onehot_index_int(int64_t v, int64_t depth) {
  if (v < -depth || v >= depth) return -1;
  return v < 0 ? v + depth : v;
}

static int64_t onehot_index_float(double v, int64_t depth) {
  if (!(v > -(double)depth - 1 && v < (double)depth)) return -1; /* NaN too */
  return onehot_index_int((int64_t)v, depth);
}

/* The depth as an int64, truncated like an index; 0 (refused) for one that
 * is not a number or beyond int64. */
static int64_t onehot_depth_float(double v) { return v >= 1 && v < 9.2e18 ? (int64_t)v : 0; }

#define INT_INDEX(v, depth) onehot_index_int((int64_t)(v), depth)
#define U64_INDEX(v, depth) onehot_index_int((v) > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(v), depth)
#define FLOAT_INDEX(v, depth) onehot_index_float((double)(v), depth)
#define INT_DEPTH(v) ((int64_t)(v))
#define U64_DEPTH(v) ((v) > (uint64_t)INT64_MAX ? 0 : (int64_t)(v))
#define FLOAT_DEPTH(v) onehot_depth_float((double)(v))

#define ONEHOT(t, T, INDEX, DEPTH)                                                               \
  RT_KERNEL(rt_onehot_##t) {                                                                     \
    const rt_onehot_params *p = (const rt_onehot_params *)params;                                \
    const T *ind = (const T *)in[0];                                                             \
    const unsigned char *values = (const unsigned char *)in[2];                                  \
    unsigned char *y = (unsigned char *)out[0];                                                  \
    int64_t o, i;                                                                                \
    (void)scratch;                                                                               \
    for (o = 0; o < p->outer; o++)                                                               \
      for (i = 0; i < p->inner; i++)                                                             \
        onehot_fill(p, values, INDEX(ind[o * p->inner + i], p->depth),                           \
                    y + (size_t)((o * p->depth * p->inner + i) * p->esize));                     \
  }                                                                                              \
  RT_KERNEL(rt_onehot_depth_##t) {                                                               \
    int64_t depth = DEPTH(*(const T *)in[1]);                                                    \
    (void)params;                                                                                \
    (void)scratch;                                                                               \
    /* ONNX Runtime refuses a depth below 1 */                                                   \
    if (depth < 1) *(int *)out[2] = RT_ERR_SHAPE;                                                \
    ((int64_t *)out[0])[0] = depth;                                                              \
  }
ONEHOT(f32, float, FLOAT_INDEX, FLOAT_DEPTH)
ONEHOT(f64, double, FLOAT_INDEX, FLOAT_DEPTH)
ONEHOT(i8, int8_t, INT_INDEX, INT_DEPTH)
ONEHOT(i16, int16_t, INT_INDEX, INT_DEPTH)
ONEHOT(i32, int32_t, INT_INDEX, INT_DEPTH)
ONEHOT(i64, int64_t, INT_INDEX, INT_DEPTH)
ONEHOT(u8, uint8_t, INT_INDEX, INT_DEPTH)
ONEHOT(u16, uint16_t, INT_INDEX, INT_DEPTH)
ONEHOT(u32, uint32_t, INT_INDEX, INT_DEPTH)
ONEHOT(u64, uint64_t, U64_INDEX, U64_DEPTH)

/* ---- NonZero ---- */

/* Writes the coordinates of the non-zero elements of x, which has the
 * params' dims, to y as [rank, count]; count is counted first, so that
 * each coordinate's row can be written at its place in one pass. */
#define NONZERO(t, T, IS_NONZERO)                                                         \
  RT_KERNEL(rt_nonzero_##t) {                                                             \
    const rt_nonzero_params *p = (const rt_nonzero_params *)params;                       \
    const T *x = (const T *)in[0];                                                        \
    int64_t *y = (int64_t *)out[0], n = 1, count = 0, i, j = 0, coord[8] = {0};           \
    int32_t r;                                                                            \
    (void)scratch;                                                                        \
    for (r = 0; r < p->rank; r++) n *= p->dims[r];                                        \
    for (i = 0; i < n; i++) count += IS_NONZERO(x[i]) ? 1 : 0;                            \
    for (i = 0; i < n; i++) {                                                             \
      if (IS_NONZERO(x[i])) {                                                             \
        for (r = 0; r < p->rank; r++) y[r * count + j] = coord[r];                        \
        j++;                                                                              \
      }                                                                                   \
      /* the next element's coordinates: an odometer over the dims */                    \
      for (r = p->rank - 1; r >= 0 && ++coord[r] == p->dims[r]; r--) coord[r] = 0;        \
    }                                                                                     \
    if (out[1]) ((int64_t *)out[1])[0] = count;                                           \
  }

#define NOT_ZERO(v) ((v) != 0)
/* -0 is zero: the sign bit aside, every bit clear */
#define HALF_NOT_ZERO(v) (((v) & 0x7fffu) != 0)
NONZERO(f32, float, NOT_ZERO)
NONZERO(f64, double, NOT_ZERO)
NONZERO(f16, uint16_t, HALF_NOT_ZERO)
NONZERO(bf16, uint16_t, HALF_NOT_ZERO)
NONZERO(bool, uint8_t, NOT_ZERO)
NONZERO(i8, int8_t, NOT_ZERO)
NONZERO(i16, int16_t, NOT_ZERO)
NONZERO(i32, int32_t, NOT_ZERO)
NONZERO(i64, int64_t, NOT_ZERO)
NONZERO(u8, uint8_t, NOT_ZERO)
NONZERO(u16, uint16_t, NOT_ZERO)
NONZERO(u32, uint32_t, NOT_ZERO)
NONZERO(u64, uint64_t, NOT_ZERO)

/* ---- Compress ---- */

RT_KERNEL(rt_compress) {
  const rt_compress_params *p = (const rt_compress_params *)params;
  const unsigned char *x = (const unsigned char *)in[0], *cond = (const unsigned char *)in[1];
  unsigned char *y = (unsigned char *)out[0];
  const int64_t m = p->clen < p->n ? p->clen : p->n;
  const size_t slice = (size_t)(p->inner * p->esize);
  int64_t count = 0, o, i;
  (void)scratch;
  for (i = 0; i < m; i++) count += cond[i] != 0;
  for (o = 0; o < p->outer; o++)
    for (i = 0; i < m; i++)
      if (cond[i]) {
        memcpy(y, x + (size_t)(o * p->n + i) * slice, slice);
        y += slice;
      }
  if (out[1]) ((int64_t *)out[1])[0] = count;
}
