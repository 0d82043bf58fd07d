/* Data-movement kernels.
 *
 * Each body is written once, as a macro over the element's width (and the
 * index type), and instantiated as one small function per variant: the
 * element moves as an unsigned integer of its width (the kernels never
 * look at it as anything else, so any bit pattern survives), and a program
 * links only the widths its model moves. The output is always written in
 * order; the walks differ in how they read the input. */
#include <string.h>

#include "index_internal.h"
#include "onnxcc/kernels/tensor.h"
#include "split_internal.h"

/* Instantiates DEFINE(name_W, T) once per element width. */
#define BY_WIDTH(DEFINE, name)       \
  DEFINE(name##_8bit, uint8_t)       \
  DEFINE(name##_16bit, uint16_t)     \
  DEFINE(name##_32bit, uint32_t)     \
  DEFINE(name##_64bit, uint64_t)

/* ---- strided copies ---- */

/* Rows of the output, walked with an odometer over every dim but the last
 * two; the last two are walked together to keep short rows cheap. ROW
 * writes y[j0..j1) of the row from xr, the row's first input element. The
 * compiler always passes rank >= 1. The output elements split across the
 * call's rt_parallel (split_internal.h) in cache lines: a piece seeks the
 * odometer to its first row, and its first and last rows may be partial. */
#define DEFINE_STRIDED_ROWS(NAME, T, ROW)                                               \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                         \
    RT_CALL_ARGS(arg);                                                                  \
    const rt_strided_copy_params *p = (const rt_strided_copy_params *)params;           \
    const T *x = (const T *)in[0];                                                      \
    T *y = (T *)out[0];                                                                 \
    const int r = p->rank;                                                              \
    const int64_t n0 = p->dims[r - 1], s0 = p->strides[r - 1];                          \
    const int64_t n1 = r >= 2 ? p->dims[r - 2] : 1, s1 = r >= 2 ? p->strides[r - 2] : 0; \
    int64_t idx[RT_STRIDED_MAX_RANK] = {0};                                             \
    int64_t row = RT_IDIV(lo, n0), o = RT_IDIV(row, n1), i = row - o * n1, j, j0, j1;   \
    int64_t off = p->offset;                                                            \
    int d;                                                                              \
    (void)s0;                                                                           \
    (void)j;                                                                            \
    for (d = r - 3; d >= 0; d--) { /* the odometer at outer index o */                  \
      idx[d] = RT_IMOD(o, p->dims[d]);                                                  \
      o = RT_IDIV(o, p->dims[d]);                                                       \
      off += idx[d] * p->strides[d];                                                    \
    }                                                                                   \
    for (row *= n0; row < hi;) {                                                        \
      for (; i < n1 && row < hi; i++, row += n0) {                                      \
        const T *xr = x + off + i * s1;                                                 \
        T *yr = y + row;                                                                \
        j0 = lo > row ? lo - row : 0;                                                   \
        j1 = hi - row < n0 ? hi - row : n0;                                             \
        ROW;                                                                            \
      }                                                                                 \
      i = 0;                                                                            \
      for (d = r - 3; d >= 0; d--) {                                                    \
        off += p->strides[d];                                                           \
        if (++idx[d] < p->dims[d]) break;                                               \
        off -= p->strides[d] * p->dims[d];                                              \
        idx[d] = 0;                                                                     \
      }                                                                                 \
    }                                                                                   \
  }                                                                                     \
  RT_KERNEL(NAME) {                                                                     \
    const rt_strided_copy_params *p = (const rt_strided_copy_params *)params;           \
    int64_t total = 1;                                                                  \
    int d;                                                                              \
    for (d = 0; d < p->rank; d++) total *= p->dims[d];                                  \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, total, RT_LINE_ELEMS(T),   \
                     2 * (int64_t)sizeof(T));                                           \
  }

/* Contiguous rows, in bytes: the width does not matter. */
DEFINE_STRIDED_ROWS(rt_copy_rows, uint8_t, memcpy(yr + j0, xr + j0, (size_t)(j1 - j0)))

#define BROADCAST_ROW(T)                   \
  do {                                     \
    const T v = xr[0];                     \
    for (j = j0; j < j1; j++) yr[j] = v;   \
  } while (0)
#define STRIDED_ROW for (j = j0; j < j1; j++) yr[j] = xr[j * s0]

#define DEFINE_BROADCAST(NAME, T) DEFINE_STRIDED_ROWS(NAME, T, BROADCAST_ROW(T))
#define DEFINE_STRIDED(NAME, T) DEFINE_STRIDED_ROWS(NAME, T, STRIDED_ROW)
BY_WIDTH(DEFINE_BROADCAST, rt_broadcast)
BY_WIDTH(DEFINE_STRIDED, rt_strided_copy)

/* A permutation: the output's rows a (output stride oa) read input
 * columns (input stride 1), its columns b (stride 1) read input rows
 * (stride sb). Each such plane is walked in square tiles so that both the
 * reads and the writes stay within a few cache lines, 4x4 at a time
 * through registers; an odometer walks every other dim. */
#define TILE 32
#define DEFINE_TRANSPOSE(NAME, T)                                                        \
  static void NAME##_plane(T *Y, const T *X, int64_t na, int64_t oa, int64_t nb, int64_t sb) { \
    int64_t a0, b0, a, b;                                                                \
    for (a0 = 0; a0 < na; a0 += TILE) {                                                  \
      const int64_t a1 = a0 + TILE < na ? a0 + TILE : na;                                \
      for (b0 = 0; b0 < nb; b0 += TILE) {                                                \
        const int64_t b1 = b0 + TILE < nb ? b0 + TILE : nb;                              \
        for (a = a0; a + 4 <= a1; a += 4) {                                              \
          T *y0 = Y + a * oa, *y1 = y0 + oa, *y2 = y1 + oa, *y3 = y2 + oa;               \
          for (b = b0; b + 4 <= b1; b += 4) {                                            \
            const T *x0 = X + a + b * sb, *x1 = x0 + sb, *x2 = x1 + sb, *x3 = x2 + sb;   \
            const T r00 = x0[0], r01 = x0[1], r02 = x0[2], r03 = x0[3];                  \
            const T r10 = x1[0], r11 = x1[1], r12 = x1[2], r13 = x1[3];                  \
            const T r20 = x2[0], r21 = x2[1], r22 = x2[2], r23 = x2[3];                  \
            const T r30 = x3[0], r31 = x3[1], r32 = x3[2], r33 = x3[3];                  \
            y0[b] = r00; y0[b + 1] = r10; y0[b + 2] = r20; y0[b + 3] = r30;              \
            y1[b] = r01; y1[b + 1] = r11; y1[b + 2] = r21; y1[b + 3] = r31;              \
            y2[b] = r02; y2[b + 1] = r12; y2[b + 2] = r22; y2[b + 3] = r32;              \
            y3[b] = r03; y3[b + 1] = r13; y3[b + 2] = r23; y3[b + 3] = r33;              \
          }                                                                              \
          for (; b < b1; b++) {                                                          \
            y0[b] = X[a + b * sb];                                                       \
            y1[b] = X[a + 1 + b * sb];                                                   \
            y2[b] = X[a + 2 + b * sb];                                                   \
            y3[b] = X[a + 3 + b * sb];                                                   \
          }                                                                              \
        }                                                                                \
        for (; a < a1; a++)                                                              \
          for (b = b0; b < b1; b++) Y[a * oa + b] = X[a + b * sb];                       \
      }                                                                                  \
    }                                                                                    \
  }                                                                                      \
  static void NAME##_range(void *arg, int64_t lo, int64_t hi) {                          \
    RT_CALL_ARGS(arg);                                                                   \
    const rt_strided_copy_params *p = (const rt_strided_copy_params *)params;            \
    const T *x = (const T *)in[0];                                                       \
    T *y = (T *)out[0];                                                                  \
    const int r = p->rank, j = p->plane_axis;                                            \
    int64_t ostr[RT_STRIDED_MAX_RANK], idx[RT_STRIDED_MAX_RANK] = {0};                   \
    int64_t o, rest = lo, in_off = p->offset, out_off = 0, s = 1;                        \
    int d;                                                                               \
    for (d = r - 1; d >= 0; d--) {                                                       \
      ostr[d] = s;                                                                       \
      s *= p->dims[d];                                                                   \
    }                                                                                    \
    for (d = r - 2; d >= 0; d--) { /* the odometer at plane lo */                        \
      if (d == j) continue;                                                              \
      idx[d] = RT_IMOD(rest, p->dims[d]);                                                \
      rest = RT_IDIV(rest, p->dims[d]);                                                  \
      in_off += idx[d] * p->strides[d];                                                  \
      out_off += idx[d] * ostr[d];                                                       \
    }                                                                                    \
    for (o = lo; o < hi; o++) {                                                          \
      NAME##_plane(y + out_off, x + in_off, p->dims[j], ostr[j], p->dims[r - 1],         \
                   p->strides[r - 1]);                                                   \
      for (d = r - 2; d >= 0; d--) {                                                     \
        if (d == j) continue;                                                            \
        in_off += p->strides[d];                                                         \
        out_off += ostr[d];                                                              \
        if (++idx[d] < p->dims[d]) break;                                                \
        in_off -= p->strides[d] * p->dims[d];                                            \
        out_off -= ostr[d] * p->dims[d];                                                 \
        idx[d] = 0;                                                                      \
      }                                                                                  \
    }                                                                                    \
  }                                                                                      \
  /* the planes (every dim but plane_axis and the last) split across the                 \
   * call's rt_parallel */                                                               \
  RT_KERNEL(NAME) {                                                                      \
    const rt_strided_copy_params *p = (const rt_strided_copy_params *)params;            \
    const int r = p->rank, j = p->plane_axis;                                            \
    int64_t outer = 1;                                                                   \
    int d;                                                                               \
    for (d = 0; d < r; d++)                                                              \
      if (p->dims[d] == 0) return;                                                       \
    for (d = 0; d < r - 1; d++)                                                          \
      if (d != j) outer *= p->dims[d];                                                   \
    rt_kernel_ranges(NAME##_range, params, in, out, scratch, outer, 1,                   \
                     2 * (int64_t)sizeof(T) * p->dims[j] * p->dims[r - 1]);              \
  }
BY_WIDTH(DEFINE_TRANSPOSE, rt_transpose)

/* ---- Concat / Split ---- */

RT_KERNEL(rt_concat) {
  const rt_concat_params *p = (const rt_concat_params *)params;
  char *y = (char *)out[0];
  int64_t o;
  int k;
  (void)scratch;
  for (o = 0; o < p->outer; o++)
    for (k = 0; k < p->n; k++) {
      const int64_t b = p->bytes[k];
      if (!b) continue;
      /* an input its producer wrote in place (the planner put it at its
       * slice of y) is already there */
      if ((const char *)in[k] + o * b != y) memcpy(y, (const char *)in[k] + o * b, (size_t)b);
      y += b;
    }
}

RT_KERNEL(rt_split) {
  const rt_split_params *p = (const rt_split_params *)params;
  const char *x = (const char *)in[0];
  int64_t o;
  int k;
  (void)scratch;
  for (o = 0; o < p->outer; o++)
    for (k = 0; k < p->n; k++) {
      const int64_t b = p->bytes[k];
      if (!b) continue;
      if (out[k]) memcpy((char *)out[k] + o * b, x, (size_t)b);
      x += b;
    }
}

/* ---- Gather ---- */

/* Negative indices count from the end; anything still outside is clamped
 * so that a bad index cannot read outside the tensor. */
static inline int64_t fix_index(int64_t v, int64_t n) {
  if (v < 0) v += n;
  if (v < 0) v = 0;
  if (v >= n) v = n - 1;
  return v;
}

/* y = x[o, idx[i]] for every o and i, one element per index. */
#define DEFINE_GATHER(NAME, IT, T)                                             \
  RT_KERNEL(NAME) {                                                            \
    const rt_gather_params *p = (const rt_gather_params *)params;              \
    const IT *ind = (const IT *)in[1];                                         \
    const T *X = (const T *)in[0];                                             \
    T *Y = (T *)out[0];                                                        \
    const int64_t ad = p->axis_dim;                                            \
    int64_t o, i;                                                              \
    (void)scratch;                                                             \
    if (ad == 0) return;                                                       \
    for (o = 0; o < p->outer; o++, X += ad)                                    \
      for (i = 0; i < p->n_idx; i++) *Y++ = X[fix_index(ind[i], ad)];          \
  }
#define DEFINE_GATHER_I32(NAME, T) DEFINE_GATHER(NAME, int32_t, T)
#define DEFINE_GATHER_I64(NAME, T) DEFINE_GATHER(NAME, int64_t, T)
BY_WIDTH(DEFINE_GATHER_I32, rt_gather_i32idx)
BY_WIDTH(DEFINE_GATHER_I64, rt_gather_i64idx)

/* y = x[o, idx[i], :] with slabs of inner_bytes. */
#define DEFINE_GATHER_SLABS(NAME, IT)                                          \
  RT_KERNEL(NAME) {                                                            \
    const rt_gather_params *p = (const rt_gather_params *)params;              \
    const IT *ind = (const IT *)in[1];                                         \
    const char *x = (const char *)in[0];                                       \
    char *y = (char *)out[0];                                                  \
    const int64_t ib = p->inner_bytes, ad = p->axis_dim;                       \
    int64_t o, i;                                                              \
    (void)scratch;                                                             \
    if (ad == 0 || ib == 0) return;                                            \
    for (o = 0; o < p->outer; o++, x += ad * ib)                               \
      for (i = 0; i < p->n_idx; i++, y += ib)                                  \
        memcpy(y, x + fix_index(ind[i], ad) * ib, (size_t)ib);                 \
  }
DEFINE_GATHER_SLABS(rt_gather_i32idx, int32_t)
DEFINE_GATHER_SLABS(rt_gather_i64idx, int64_t)

/* ---- GatherElements ---- */

/* Rows along the last dim; an odometer walks the others. When the last dim
 * is the axis, a row reads only through its indices. */
#define DEFINE_GATHER_ELEMENTS(NAME, IT, T)                                            \
  RT_KERNEL(NAME) {                                                                    \
    const rt_gather_elements_params *p = (const rt_gather_elements_params *)params;    \
    const IT *ind = (const IT *)in[1];                                                 \
    const T *X = (const T *)in[0];                                                     \
    T *Y = (T *)out[0];                                                                \
    const int r = p->rank;                                                             \
    const int64_t ad = p->axis_dim, n0 = p->dims[r - 1], s0 = p->strides[r - 1];       \
    const int64_t sa = p->strides[p->axis];                                            \
    int64_t idx[RT_MAX_RANK] = {0};                                                    \
    int64_t outer = 1, o, i, base = 0;                                                 \
    int d;                                                                             \
    (void)scratch;                                                                     \
    for (d = 0; d < r; d++) {                                                          \
      if (p->dims[d] == 0) return;                                                     \
      if (d < r - 1) outer *= p->dims[d];                                              \
    }                                                                                  \
    if (ad == 0) return;                                                               \
    for (o = 0; o < outer; o++, ind += n0, Y += n0) {                                  \
      if (p->axis == r - 1)                                                            \
        for (i = 0; i < n0; i++) Y[i] = X[base + fix_index(ind[i], ad)];               \
      else                                                                             \
        for (i = 0; i < n0; i++) Y[i] = X[base + i * s0 + fix_index(ind[i], ad) * sa]; \
      for (d = r - 2; d >= 0; d--) {                                                   \
        const int64_t sd = d == p->axis ? 0 : p->strides[d];                           \
        base += sd;                                                                    \
        if (++idx[d] < p->dims[d]) break;                                              \
        base -= sd * p->dims[d];                                                       \
        idx[d] = 0;                                                                    \
      }                                                                                \
    }                                                                                  \
  }
#define DEFINE_GATHER_ELEMENTS_I32(NAME, T) DEFINE_GATHER_ELEMENTS(NAME, int32_t, T)
#define DEFINE_GATHER_ELEMENTS_I64(NAME, T) DEFINE_GATHER_ELEMENTS(NAME, int64_t, T)
BY_WIDTH(DEFINE_GATHER_ELEMENTS_I32, rt_gather_elements_i32idx)
BY_WIDTH(DEFINE_GATHER_ELEMENTS_I64, rt_gather_elements_i64idx)

/* ---- Pad ---- */

/* Input index for output index o on a dim of n input elements (n >= 1),
 * or -1 when the constant goes there. `mode` is a constant in every
 * caller, so the switch folds away. The modulos stay 64-bit: pads read at
 * run time may put o - begin far outside any buffer's size. */
static inline int64_t pad_map(int64_t o, int64_t begin, int64_t n, int mode) {
  int64_t i = o - begin, period;
  if (i >= 0 && i < n) return i;
  switch (mode) {
  case RT_PAD_EDGE: return i < 0 ? 0 : n - 1;
  case RT_PAD_WRAP:
    i %= n;
    return i < 0 ? i + n : i;
  case RT_PAD_REFLECT:
    if (n == 1) return 0;
    period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
  default: return -1;
  }
}

/* The walk shared by every Pad variant, over output rows in order. A row
 * whose outer index maps outside the input (constant mode only) is all
 * constant: FILL_ROW. Otherwise its columns [lo, hi) come straight from the
 * input row xr and FILL_ENDS writes the rest. ES is the element's bytes. */
#define PAD_WALK(ES, MODE, FILL_ROW, FILL_ENDS)                                          \
  do {                                                                                   \
    const char *x = (const char *)in[0];                                                 \
    char *y = (char *)out[0];                                                            \
    const int r = p->rank;                                                               \
    const int64_t n0 = p->in_dims[r - 1], m0 = p->out_dims[r - 1], b0 = p->begin[r - 1]; \
    int64_t istr[RT_MAX_RANK], idx[RT_MAX_RANK] = {0};                                   \
    int64_t o, outer = 1, s = 1, lo, hi, j;                                              \
    int d;                                                                               \
    for (d = r - 1; d >= 0; d--) {                                                       \
      if (p->out_dims[d] == 0) return;                                                   \
      istr[d] = s;                                                                       \
      s *= p->in_dims[d];                                                                \
      if (d < r - 1) outer *= p->out_dims[d];                                            \
    }                                                                                    \
    lo = b0 > 0 ? b0 : 0;                                                                \
    if (lo > m0) lo = m0;                                                                \
    hi = b0 + n0 < m0 ? b0 + n0 : m0;                                                    \
    if (hi < lo) hi = lo;                                                                \
    for (o = 0; o < outer; o++) {                                                        \
      int64_t src = 0;                                                                   \
      int inside = n0 > 0;                                                               \
      for (d = 0; d < r - 1 && inside; d++) {                                            \
        int64_t i = p->in_dims[d] ? pad_map(idx[d], p->begin[d], p->in_dims[d], MODE) : -1; \
        if (i < 0) inside = 0;                                                           \
        src += i * istr[d];                                                              \
      }                                                                                  \
      if (!inside) {                                                                     \
        FILL_ROW;                                                                        \
      } else {                                                                           \
        const char *xr = x + src * (ES);                                                 \
        (void)xr;                                                                        \
        if (hi > lo) memcpy(y + lo * (ES), xr + (lo - b0) * (ES), (size_t)((hi - lo) * (ES))); \
        FILL_ENDS;                                                                       \
      }                                                                                  \
      y += m0 * (ES);                                                                    \
      for (d = r - 2; d >= 0; d--) {                                                     \
        if (++idx[d] < p->out_dims[d]) break;                                            \
        idx[d] = 0;                                                                      \
      }                                                                                  \
    }                                                                                    \
    (void)j;                                                                             \
  } while (0)

/* Constant mode, one width: fills are typed stores. The constant is
 * value_bits as an unsigned integer of the width (endian-neutral), or the
 * constant_value input's element. */
#define PAD_FILL(T, from, to) \
  for (j = (from); j < (to); j++) ((T *)(void *)y)[j] = v
#define DEFINE_PAD_CONSTANT(NAME, T)                                                    \
  RT_KERNEL(NAME) {                                                                     \
    const rt_pad_params *p = (const rt_pad_params *)params;                             \
    const T v = p->value_input && in[2] ? *(const T *)in[2] : (T)p->value_bits;         \
    (void)scratch;                                                                      \
    PAD_WALK((int64_t)sizeof(T), RT_PAD_CONSTANT, PAD_FILL(T, 0, m0),                   \
             PAD_FILL(T, 0, lo); PAD_FILL(T, hi, m0));                                  \
  }
BY_WIDTH(DEFINE_PAD_CONSTANT, rt_pad_constant)

/* Reflect, edge and wrap: the ends repeat input elements, moved by esize
 * (any width; they are few next to the row's middle). Every row maps
 * inside the input (the compiler refuses to pad an empty axis in these
 * modes), so the whole-row fill never runs. */
#define PAD_ENDS(MODE)                                                                         \
  do {                                                                                         \
    for (j = 0; j < lo; j++) memcpy(y + j * es, xr + pad_map(j, b0, n0, MODE) * es, (size_t)es); \
    for (j = hi; j < m0; j++) memcpy(y + j * es, xr + pad_map(j, b0, n0, MODE) * es, (size_t)es); \
  } while (0)
#define DEFINE_PAD_MODE(NAME, MODE)                                             \
  RT_KERNEL(NAME) {                                                             \
    const rt_pad_params *p = (const rt_pad_params *)params;                     \
    const int64_t es = p->esize;                                                \
    (void)scratch;                                                              \
    PAD_WALK(es, MODE, memset(y, 0, (size_t)(m0 * es)), PAD_ENDS(MODE));        \
  }
DEFINE_PAD_MODE(rt_pad_reflect, RT_PAD_REFLECT)
DEFINE_PAD_MODE(rt_pad_edge, RT_PAD_EDGE)
DEFINE_PAD_MODE(rt_pad_wrap, RT_PAD_WRAP)

/* ---- operands read at run time (the rules, then the prepare kernels) ---- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

int rt_slice_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *first, int64_t *count,
                  int64_t *step_out) {
  if (step == 0) return -1;
  /* dim >= 0, so adding it to a negative index cannot overflow */
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  step = clamp64(step, -(dim + 1), dim + 1);
  if (step > 0) {
    start = clamp64(start, 0, dim);
    end = clamp64(end, 0, dim);
    *count = end > start ? RT_IDIV(end - start + step - 1, step) : 0;
  } else {
    start = clamp64(start, 0, dim - 1);
    end = clamp64(end, -1, dim - 1);
    /* an empty axis clamps start to 0 and end to -1: still nothing to read */
    *count = dim > 0 && start > end ? RT_IDIV(start - end - step - 1, -step) : 0;
  }
  *first = *count > 0 ? start : 0;
  *step_out = step;
  return 0;
}

int rt_split_check(int n, const int64_t *sizes, int64_t dim) {
  int64_t left = dim;
  int k;
  for (k = 0; k < n; k++) {
    if (sizes[k] < 0 || sizes[k] > left) return -1; /* also keeps the sum from overflowing */
    left -= sizes[k];
  }
  return left == 0 ? 0 : -1;
}

int rt_pad_dim(int64_t dim, int64_t begin, int64_t end, int mode, int64_t *out) {
  /* |pads| past INT64_MAX / 4 cannot give a dim that fits any buffer */
  const int64_t big = INT64_MAX / 4;
  if (begin < -big || begin > big || end < -big || end > big || dim > big) return -1;
  *out = dim + begin + end;
  if (*out < 0) return -1;
  if (mode != RT_PAD_CONSTANT && dim == 0 && *out > 0) return -1;
  return 0;
}

int rt_tile_dim(int64_t dim, int64_t repeats, int64_t *out) {
  if (repeats < 0 || (dim > 0 && repeats > INT64_MAX / dim)) return -1;
  *out = dim * repeats;
  return 0;
}

int rt_expand_dim(int64_t x, int64_t s, int64_t *out) {
  if (s < 0) return -1;
  if (s == x || s == 1) *out = x;
  else if (x == 1) *out = s;
  else return -1;
  return 0;
}

/* Element i of an int32 or int64 operand. */
static int64_t index_at(const void *v, int i32, int i) {
  return i32 ? (int64_t)((const int32_t *)v)[i] : ((const int64_t *)v)[i];
}

/* The axes operand at in[3] of `n` values as axes of a `rank`-dim input
 * (negative ones count from the end), each at most once. 0, or -1. */
static int listed_axes(const void *v, int i32, int n, int rank, int *axes) {
  int seen[RT_MAX_RANK] = {0}, i;
  for (i = 0; i < n; i++) {
    int64_t a = index_at(v, i32, i);
    if (a < 0) a += rank;
    if (a < 0 || a >= rank || seen[a]) return -1;
    seen[a] = 1;
    axes[i] = (int)a;
  }
  return 0;
}

RT_KERNEL(rt_slice_prepare) {
  const rt_slice_prepare_params *q = (const rt_slice_prepare_params *)params;
  rt_strided_copy_params *p = (rt_strided_copy_params *)out[1];
  int64_t *dims = (int64_t *)out[0], strides[RT_MAX_RANK], count[RT_MAX_RANK], step[RT_MAX_RANK];
  int64_t s = 1, offset = 0, first;
  int axes[RT_MAX_RANK], i, d;
  (void)scratch;
  for (d = q->rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= q->in_dims[d];
    count[d] = q->in_dims[d];
    step[d] = 1;
  }
  if (q->axes_in) {
    if (listed_axes(in[3], q->index_i32, q->naxes, q->rank, axes)) goto bad;
  } else {
    for (i = 0; i < q->naxes; i++) axes[i] = q->axes[i];
  }
  for (i = 0; i < q->naxes; i++) {
    d = axes[i];
    if (rt_slice_axis(q->in_dims[d], index_at(in[1], q->index_i32, i), index_at(in[2], q->index_i32, i),
                      in[4] ? index_at(in[4], q->index_i32, i) : 1, &first, &count[d], &step[d]))
      goto bad;
    offset += first * strides[d];
    if (!q->axes_in) dims[i] = count[d];
  }
  for (d = 0; d < q->rank && q->axes_in; d++) dims[d] = count[d];
  for (d = 0; d < q->rank && q->open_strides; d++) p->strides[d] = strides[d] * step[d] * q->unit;
  p->offset = offset * q->unit;
  return;
bad:
  *(int *)out[2] = RT_ERR_SHAPE;
}

RT_KERNEL(rt_split_prepare) {
  const rt_split_prepare_params *q = (const rt_split_prepare_params *)params;
  const int64_t *sizes = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0];
  int k;
  (void)scratch;
  if (rt_split_check(q->n, sizes, q->axis_dim)) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  for (k = 0; k < q->n; k++) dims[k] = sizes[k];
}

RT_KERNEL(rt_pad_prepare) {
  const rt_pad_prepare_params *q = (const rt_pad_prepare_params *)params;
  rt_pad_params *p = (rt_pad_params *)out[1];
  const int64_t *pads = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0], out_dims[RT_MAX_RANK];
  int axes[RT_MAX_RANK], i, d;
  (void)scratch;
  if (q->axes_in) {
    if (listed_axes(in[3], q->axes_i32, q->naxes, q->rank, axes)) goto bad;
    for (d = 0; d < q->rank; d++) {
      out_dims[d] = q->in_dims[d];
      p->begin[d] = 0;
    }
  } else {
    for (i = 0; i < q->naxes; i++) axes[i] = q->axes[i];
  }
  for (i = 0; i < q->naxes; i++) {
    d = axes[i];
    if (rt_pad_dim(q->in_dims[d], pads[i], pads[q->naxes + i], q->mode, &out_dims[d])) goto bad;
    p->begin[d] = pads[i];
    if (!q->axes_in) dims[i] = out_dims[d];
  }
  for (d = 0; d < q->rank && q->axes_in; d++) dims[d] = out_dims[d];
  return;
bad:
  *(int *)out[2] = RT_ERR_SHAPE;
}

RT_KERNEL(rt_tile_prepare) {
  const rt_tile_prepare_params *q = (const rt_tile_prepare_params *)params;
  rt_strided_copy_params *p = (rt_strided_copy_params *)out[1];
  const int64_t *reps = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0];
  int d;
  (void)scratch;
  for (d = 0; d < q->rank; d++) {
    if (rt_tile_dim(q->in_dims[d], reps[d], &dims[d])) {
      *(int *)out[2] = RT_ERR_SHAPE;
      return;
    }
    p->dims[q->rep_at[d]] = reps[d];
  }
}

RT_KERNEL(rt_expand_prepare) {
  const rt_expand_prepare_params *q = (const rt_expand_prepare_params *)params;
  const int64_t *shape = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0];
  int d, k = 0;
  (void)scratch;
  for (d = 0; d < q->out_rank; d++) {
    int xd = d - (q->out_rank - q->in_rank), sd = d - (q->out_rank - q->n);
    int64_t x = xd >= 0 ? q->in_dims[xd] : 1, s = sd >= 0 ? shape[sd] : 1, y;
    if (rt_expand_dim(x, s, &y) || (!q->from_shape[d] && y != x)) {
      /* off the shape's dims the output keeps the input's: a dim that
       * varies at run time and is 1 there does not stretch */
      *(int *)out[2] = RT_ERR_SHAPE;
      return;
    }
    if (q->from_shape[d]) dims[k++] = y;
  }
}
