/* Index-addressed kernels: ScatterElements, ScatterND, GatherND.
 *
 * One body per op, instantiated per index type and per element width
 * (plain replacement moves bytes) or element type (reductions combine
 * values). An index out of range after adding the dim to a negative one
 * is the model's error; the kernels check every index and skip that
 * update (scatters) or write zeros (GatherND), so they never touch memory
 * outside their tensors and give the same result on every run. */
#include <string.h>

#include "onnxcc/kernels/scatter.h"

/* idx normalised against dim: [0, dim), or -1 when out of range. */
static inline int64_t norm_index(int64_t idx, int64_t dim) {
  if (idx < 0) idx += dim;
  return idx >= 0 && idx < dim ? idx : -1;
}

/* How an update combines with the element it lands on. Integer add and
 * mul wrap (computed unsigned); max and min keep the old value unless the
 * update is strictly larger or smaller. */
#define COMBINE_NONE(T, a, b) (b)
#define COMBINE_ADD(T, a, b) ((a) + (b))
#define COMBINE_MUL(T, a, b) ((a) * (b))
#define COMBINE_WADD(T, a, b) ((T)((uint64_t)(a) + (uint64_t)(b)))
#define COMBINE_WMUL(T, a, b) ((T)((uint64_t)(a) * (uint64_t)(b)))
#define COMBINE_MAX(T, a, b) ((b) > (a) ? (b) : (a))
#define COMBINE_MIN(T, a, b) ((b) < (a) ? (b) : (a))

/* ---- ScatterElements ---- */

#define DEFINE_SCATTER_ELEMENTS(NAME, T, IT, COMBINE)                                   \
  RT_KERNEL(NAME) {                                                                     \
    const rt_scatter_elements_params *p = (const rt_scatter_elements_params *)params;   \
    const IT *idx = (const IT *)in[1];                                                  \
    const T *upd = (const T *)in[2];                                                    \
    T *y = (T *)out[0];                                                                 \
    const int r = p->rank, ax = p->axis;                                                \
    int64_t pos[RT_MAX_RANK], n = 1, i;                                                 \
    int d;                                                                              \
    (void)scratch;                                                                      \
    if (out[0] != in[0]) memcpy(y, in[0], (size_t)p->numel * sizeof(T));                \
    for (d = 0; d < r; d++) {                                                           \
      pos[d] = 0;                                                                       \
      n *= p->dims[d];                                                                  \
    }                                                                                   \
    for (i = 0; i < n; i++) {                                                           \
      const int64_t j = norm_index((int64_t)idx[i], p->axis_dim);                       \
      if (j >= 0) { /* out of range: this update is skipped */                          \
        int64_t off = 0;                                                                \
        for (d = 0; d < r; d++) off += (d == ax ? j : pos[d]) * p->strides[d];          \
        y[off] = COMBINE(T, y[off], upd[i]);                                            \
      }                                                                                 \
      for (d = r - 1; d >= 0; d--) { /* next position, row-major */                    \
        if (++pos[d] < p->dims[d]) break;                                               \
        pos[d] = 0;                                                                     \
      }                                                                                 \
    }                                                                                   \
  }

/* ---- ScatterND ---- */

/* The element offset of index tuple t, or -1 when one of its values is out
 * of range. */
#define ND_OFFSET(IT, p, idx, t, off)                                   \
  do {                                                                  \
    const IT *tup_ = (idx) + (t) * (p)->k;                              \
    int j_;                                                             \
    (off) = 0;                                                          \
    for (j_ = 0; j_ < (p)->k; j_++) {                                   \
      const int64_t v_ = norm_index((int64_t)tup_[j_], (p)->dims[j_]);  \
      if (v_ < 0) {                                                     \
        (off) = -1;                                                     \
        break;                                                          \
      }                                                                 \
      (off) += v_ * (p)->strides[j_];                                   \
    }                                                                   \
  } while (0)

/* Replacement: slices of esize-byte elements, moved with memcpy (memmove
 * would only matter if updates aliased y, which the planner never does). */
#define DEFINE_SCATTERND_NONE(NAME, IT)                                              \
  RT_KERNEL(NAME) {                                                                  \
    const rt_scatternd_params *p = (const rt_scatternd_params *)params;              \
    const IT *idx = (const IT *)in[1];                                               \
    const unsigned char *upd = (const unsigned char *)in[2];                         \
    unsigned char *y = (unsigned char *)out[0];                                      \
    const size_t sb = (size_t)(p->slice * p->esize);                                 \
    int64_t t, off;                                                                  \
    (void)scratch;                                                                   \
    if (out[0] != in[0]) memcpy(y, in[0], (size_t)(p->numel * p->esize));            \
    for (t = 0; t < p->n_idx; t++) {                                                 \
      ND_OFFSET(IT, p, idx, t, off);                                                 \
      if (off >= 0 && sb > 0) /* out of range: this slice is skipped */              \
        memcpy(y + off * p->esize, upd + (size_t)t * sb, sb);                        \
    }                                                                                \
  }

#define DEFINE_SCATTERND(NAME, T, IT, COMBINE)                                       \
  RT_KERNEL(NAME) {                                                                  \
    const rt_scatternd_params *p = (const rt_scatternd_params *)params;              \
    const IT *idx = (const IT *)in[1];                                               \
    const T *upd = (const T *)in[2];                                                 \
    T *y = (T *)out[0];                                                              \
    int64_t t, e, off;                                                               \
    (void)scratch;                                                                   \
    if (out[0] != in[0]) memcpy(y, in[0], (size_t)p->numel * sizeof(T));             \
    for (t = 0; t < p->n_idx; t++) {                                                 \
      const T *u = upd + t * p->slice;                                               \
      ND_OFFSET(IT, p, idx, t, off);                                                 \
      if (off < 0) continue; /* out of range: this slice is skipped */               \
      for (e = 0; e < p->slice; e++) y[off + e] = COMBINE(T, y[off + e], u[e]);      \
    }                                                                                \
  }

/* ---- GatherND ---- */

#define DEFINE_GATHERND(NAME, IT)                                                    \
  RT_KERNEL(NAME) {                                                                  \
    const rt_gathernd_params *p = (const rt_gathernd_params *)params;                \
    const IT *idx = (const IT *)in[1];                                               \
    const unsigned char *x = (const unsigned char *)in[0];                           \
    unsigned char *y = (unsigned char *)out[0];                                      \
    const size_t sb = (size_t)p->slice_bytes;                                        \
    int64_t b, t, off;                                                               \
    (void)scratch;                                                                   \
    for (b = 0; b < p->batch; b++) {                                                 \
      for (t = 0; t < p->n_idx; t++) {                                               \
        ND_OFFSET(IT, p, idx, b * p->n_idx + t, off);                                \
        if (off >= 0)                                                                \
          memcpy(y, x + off, sb);                                                    \
        else /* out of range: nothing is read, the slice is zeros */                 \
          memset(y, 0, sb);                                                          \
        y += sb;                                                                     \
      }                                                                              \
      x += p->batch_bytes;                                                           \
    }                                                                                \
  }

/* ---- Instances ---- */

#define SE_WIDTHS(IT, ISUF)                                                              \
  DEFINE_SCATTER_ELEMENTS(rt_scatter_elements_none_##ISUF##_8bit, uint8_t, IT, COMBINE_NONE)  \
  DEFINE_SCATTER_ELEMENTS(rt_scatter_elements_none_##ISUF##_16bit, uint16_t, IT, COMBINE_NONE) \
  DEFINE_SCATTER_ELEMENTS(rt_scatter_elements_none_##ISUF##_32bit, uint32_t, IT, COMBINE_NONE) \
  DEFINE_SCATTER_ELEMENTS(rt_scatter_elements_none_##ISUF##_64bit, uint64_t, IT, COMBINE_NONE)
SE_WIDTHS(int32_t, i32idx)
SE_WIDTHS(int64_t, i64idx)

/* One reduction R for each element type, with index type IT. */
#define REDUCTION_TYPES(DEFINE, base, R, ISUF, IT, FLOAT_OP, INT_OP)  \
  DEFINE(base##_##R##_##ISUF##_f32, float, IT, FLOAT_OP)             \
  DEFINE(base##_##R##_##ISUF##_f64, double, IT, FLOAT_OP)            \
  DEFINE(base##_##R##_##ISUF##_i32, int32_t, IT, INT_OP)             \
  DEFINE(base##_##R##_##ISUF##_i64, int64_t, IT, INT_OP)
#define ALL_REDUCTIONS(DEFINE, base, ISUF, IT)                                 \
  REDUCTION_TYPES(DEFINE, base, add, ISUF, IT, COMBINE_ADD, COMBINE_WADD)      \
  REDUCTION_TYPES(DEFINE, base, mul, ISUF, IT, COMBINE_MUL, COMBINE_WMUL)      \
  REDUCTION_TYPES(DEFINE, base, max, ISUF, IT, COMBINE_MAX, COMBINE_MAX)       \
  REDUCTION_TYPES(DEFINE, base, min, ISUF, IT, COMBINE_MIN, COMBINE_MIN)

ALL_REDUCTIONS(DEFINE_SCATTER_ELEMENTS, rt_scatter_elements, i32idx, int32_t)
ALL_REDUCTIONS(DEFINE_SCATTER_ELEMENTS, rt_scatter_elements, i64idx, int64_t)
ALL_REDUCTIONS(DEFINE_SCATTERND, rt_scatternd, i32idx, int32_t)
ALL_REDUCTIONS(DEFINE_SCATTERND, rt_scatternd, i64idx, int64_t)

DEFINE_SCATTERND_NONE(rt_scatternd_none_i32idx, int32_t)
DEFINE_SCATTERND_NONE(rt_scatternd_none_i64idx, int64_t)
DEFINE_GATHERND(rt_gathernd_i32idx, int32_t)
DEFINE_GATHERND(rt_gathernd_i64idx, int64_t)
