/* Data-movement kernels.
 *
 * Elements are moved by size, never by type: elements of 1, 2, 4 and 8
 * bytes as unsigned integers of that size (the kernels never look at them
 * as anything else, so any bit pattern survives), other sizes with memcpy.
 * The output is always written in order; the walks differ in how they read
 * the input. */
#include <string.h>

#include "onnxcc/kernels/tensor.h"

/* Copies one element of ES bytes; ES is a constant in the hot loops. */
#define MOVE(dst, src, ES) memcpy((dst), (src), (ES))

/* Expands BODY(T) for the element type of es bytes, or runs GENERIC. */
#define BY_SIZE(es, BODY, GENERIC)         \
  switch (es) {                            \
  case 1: BODY(uint8_t); break;            \
  case 2: BODY(uint16_t); break;           \
  case 4: BODY(uint32_t); break;           \
  case 8: BODY(uint64_t); break;           \
  default: GENERIC; break;                 \
  }

/* ---- strided copy ---- */

/* y[j] = x[j * s] for j < n: one output row. */
#define ROW_LOOP(T)                                                            \
  do {                                                                         \
    T *Y = (T *)(void *)y;                                                     \
    const T *X = (const T *)(const void *)x;                                   \
    if (s == 0) {                                                              \
      const T v = X[0];                                                        \
      for (j = 0; j < n; j++) Y[j] = v;                                        \
    } else {                                                                   \
      for (j = 0; j < n; j++) Y[j] = X[j * s];                                 \
    }                                                                          \
  } while (0)

static void copy_row(char *y, const char *x, int64_t n, int64_t s, int64_t es) {
  int64_t j;
  if (s == 1) {
    memcpy(y, x, (size_t)(n * es));
    return;
  }
  BY_SIZE(es, ROW_LOOP,
          for (j = 0; j < n; j++) MOVE(y + j * es, x + j * s * es, (size_t)es))
}

/* The transposed plane of a permutation: output rows a (output stride oa)
 * read input columns (input stride 1), output columns b (stride 1) read
 * input rows (stride sb). Walked in square tiles so that both the reads
 * and the writes stay within a few cache lines. Elements of 1, 2, 4 and 8
 * bytes are moved as unsigned integers of that size (the kernel never
 * touches them as anything else), 4x4 at a time through registers. */
#define TILE 32
#define PLANE_LOOP(T)                                                          \
  do {                                                                         \
    T *Y = (T *)(void *)y;                                                     \
    const T *X = (const T *)(const void *)x;                                   \
    for (a0 = 0; a0 < na; a0 += TILE) {                                        \
      const int64_t a1 = a0 + TILE < na ? a0 + TILE : na;                      \
      for (b0 = 0; b0 < nb; b0 += TILE) {                                      \
        const int64_t b1 = b0 + TILE < nb ? b0 + TILE : nb;                    \
        for (a = a0; a + 4 <= a1; a += 4) {                                    \
          T *y0 = Y + a * oa, *y1 = y0 + oa, *y2 = y1 + oa, *y3 = y2 + oa;     \
          for (b = b0; b + 4 <= b1; b += 4) {                                  \
            const T *x0 = X + a + b * sb, *x1 = x0 + sb, *x2 = x1 + sb, *x3 = x2 + sb; \
            const T r00 = x0[0], r01 = x0[1], r02 = x0[2], r03 = x0[3];        \
            const T r10 = x1[0], r11 = x1[1], r12 = x1[2], r13 = x1[3];        \
            const T r20 = x2[0], r21 = x2[1], r22 = x2[2], r23 = x2[3];        \
            const T r30 = x3[0], r31 = x3[1], r32 = x3[2], r33 = x3[3];        \
            y0[b] = r00; y0[b + 1] = r10; y0[b + 2] = r20; y0[b + 3] = r30;    \
            y1[b] = r01; y1[b + 1] = r11; y1[b + 2] = r21; y1[b + 3] = r31;    \
            y2[b] = r02; y2[b + 1] = r12; y2[b + 2] = r22; y2[b + 3] = r32;    \
            y3[b] = r03; y3[b + 1] = r13; y3[b + 2] = r23; y3[b + 3] = r33;    \
          }                                                                    \
          for (; b < b1; b++) {                                                \
            y0[b] = X[a + b * sb];                                             \
            y1[b] = X[a + 1 + b * sb];                                         \
            y2[b] = X[a + 2 + b * sb];                                         \
            y3[b] = X[a + 3 + b * sb];                                         \
          }                                                                    \
        }                                                                      \
        for (; a < a1; a++)                                                    \
          for (b = b0; b < b1; b++) Y[a * oa + b] = X[a + b * sb];             \
      }                                                                        \
    }                                                                          \
  } while (0)

static void copy_plane(char *y, const char *x, int64_t na, int64_t oa, int64_t nb, int64_t sb,
                       int64_t es) {
  int64_t a0, b0, a, b;
  BY_SIZE(es, PLANE_LOOP,
          for (a0 = 0; a0 < na; a0 += TILE)
            for (b0 = 0; b0 < nb; b0 += TILE)
              for (a = a0; a < a0 + TILE && a < na; a++)
                for (b = b0; b < b0 + TILE && b < nb; b++)
                  MOVE(y + (a * oa + b) * es, x + (a + b * sb) * es, (size_t)es))
}

/* Rows of the output, walked with an odometer over every dim but the
 * last; the last two dims are done together to keep short rows cheap. */
static void strided_rows(const rt_strided_copy_params *p, const char *x, char *y) {
  const int64_t r = p->rank, es = p->esize;
  const int64_t n0 = p->dims[r - 1], s0 = p->strides[r - 1];
  const int64_t n1 = r >= 2 ? p->dims[r - 2] : 1, s1 = r >= 2 ? p->strides[r - 2] : 0;
  int64_t idx[RT_STRIDED_MAX_RANK] = {0};
  int64_t outer = 1, o, d, i, off = p->offset;
  for (d = 0; d < r - 2; d++) outer *= p->dims[d];
  for (o = 0; o < outer; o++) {
    for (i = 0; i < n1; i++) {
      copy_row(y, x + (off + i * s1) * es, n0, s0, es);
      y += n0 * es;
    }
    for (d = r - 3; d >= 0; d--) {
      off += p->strides[d];
      if (++idx[d] < p->dims[d]) break;
      off -= p->strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

/* A permutation whose innermost input dim `j` is not the output's last:
 * walk every other dim with an odometer and copy the (j, last) planes in
 * tiles. */
static void strided_tiled(const rt_strided_copy_params *p, const char *x, char *y, int64_t j) {
  const int64_t r = p->rank, es = p->esize;
  int64_t ostr[RT_STRIDED_MAX_RANK], idx[RT_STRIDED_MAX_RANK] = {0};
  int64_t d, o, outer = 1, in_off = p->offset, out_off = 0, s = 1;
  for (d = r - 1; d >= 0; d--) {
    ostr[d] = s;
    s *= p->dims[d];
  }
  for (d = 0; d < r - 1; d++)
    if (d != j) outer *= p->dims[d];
  for (o = 0; o < outer; o++) {
    copy_plane(y + out_off * es, x + in_off * es, p->dims[j], ostr[j], p->dims[r - 1],
               p->strides[r - 1], es);
    for (d = r - 2; d >= 0; d--) {
      if (d == j) continue;
      in_off += p->strides[d];
      out_off += ostr[d];
      if (++idx[d] < p->dims[d]) break;
      in_off -= p->strides[d] * p->dims[d];
      out_off -= ostr[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

RT_KERNEL(rt_strided_copy) {
  const rt_strided_copy_params *p = (const rt_strided_copy_params *)params;
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  int64_t d, r = p->rank;
  (void)scratch;
  for (d = 0; d < r; d++)
    if (p->dims[d] == 0) return;
  if (r == 0) {
    memcpy(y, x + p->offset * p->esize, (size_t)p->esize);
    return;
  }
  /* A permutation (the input's unit-stride dim is not the output's last):
   * tiles. Broadcasts (stride 0) and plain strided rows go row by row. */
  if (r >= 2 && p->strides[r - 1] != 1 && p->strides[r - 1] != 0) {
    for (d = 0; d < r - 1; d++)
      if (p->strides[d] == 1) {
        strided_tiled(p, x, y, d);
        return;
      }
  }
  strided_rows(p, x, y);
}

/* ---- Concat / Split ---- */

RT_KERNEL(rt_concat) {
  const rt_concat_params *p = (const rt_concat_params *)params;
  char *y = (char *)out[0];
  int64_t o, k;
  (void)scratch;
  for (o = 0; o < p->outer; o++)
    for (k = 0; k < p->n; k++) {
      const int64_t b = p->bytes[k];
      if (!b) continue;
      memcpy(y, (const char *)in[k] + o * b, (size_t)b);
      y += b;
    }
}

RT_KERNEL(rt_split) {
  const rt_split_params *p = (const rt_split_params *)params;
  const char *x = (const char *)in[0];
  int64_t o, k;
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
static int64_t fix_index(int64_t v, int64_t n) {
  if (v < 0) v += n;
  if (v < 0) v = 0;
  if (v >= n) v = n - 1;
  return v;
}

/* y = x[o, idx[i], :] for every o and i; IT is the index type, T the
 * moved unit (a whole slab of inner_bytes when T is wider than that is
 * not possible, so slabs of other sizes go through memcpy). */
#define GATHER_LOOP(IT, T)                                                     \
  do {                                                                         \
    const IT *ind = (const IT *)in[1];                                         \
    const T *X = (const T *)(const void *)x;                                   \
    T *Y = (T *)(void *)y;                                                     \
    for (o = 0; o < p->outer; o++, X += p->axis_dim)                           \
      for (i = 0; i < p->n_idx; i++) *Y++ = X[fix_index(ind[i], p->axis_dim)]; \
  } while (0)

#define GATHER_SLABS(IT)                                                       \
  do {                                                                         \
    const IT *ind = (const IT *)in[1];                                         \
    const int64_t ib = p->inner_bytes;                                         \
    for (o = 0; o < p->outer; o++, x += p->axis_dim * ib)                      \
      for (i = 0; i < p->n_idx; i++, y += ib)                                  \
        memcpy(y, x + fix_index(ind[i], p->axis_dim) * ib, (size_t)ib);        \
  } while (0)

#define GATHER_I32(T) GATHER_LOOP(int32_t, T)
#define GATHER_I64(T) GATHER_LOOP(int64_t, T)

RT_KERNEL(rt_gather) {
  const rt_gather_params *p = (const rt_gather_params *)params;
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  int64_t o, i;
  (void)scratch;
  if (p->axis_dim == 0 || p->inner_bytes == 0) return;
  if (p->idx64) {
    BY_SIZE(p->inner_bytes, GATHER_I64, GATHER_SLABS(int64_t))
  } else {
    BY_SIZE(p->inner_bytes, GATHER_I32, GATHER_SLABS(int32_t))
  }
}

/* ---- GatherElements ---- */

#define GE_LOOP(IT, T)                                                         \
  do {                                                                         \
    const IT *ind = (const IT *)in[1];                                         \
    const T *X = (const T *)(const void *)x;                                   \
    T *Y = (T *)(void *)y;                                                     \
    for (o = 0; o < outer; o++, ind += n0, Y += n0) {                          \
      if (last_is_axis)                                                        \
        for (i = 0; i < n0; i++) Y[i] = X[base + fix_index(ind[i], ad)];       \
      else                                                                     \
        for (i = 0; i < n0; i++) Y[i] = X[base + i * s0 + fix_index(ind[i], ad) * sa]; \
      for (d = r - 2; d >= 0; d--) {                                           \
        const int64_t sd = d == p->axis ? 0 : p->strides[d];                   \
        base += sd;                                                            \
        if (++idx[d] < p->dims[d]) break;                                      \
        base -= sd * p->dims[d];                                               \
        idx[d] = 0;                                                            \
      }                                                                        \
    }                                                                          \
  } while (0)

/* Elements of unusual sizes: the same walk with memcpy. */
#define GE_BYTES(IT)                                                           \
  do {                                                                         \
    const IT *ind = (const IT *)in[1];                                         \
    const int64_t es = p->esize;                                               \
    for (o = 0; o < outer; o++, ind += n0) {                                   \
      for (i = 0; i < n0; i++, y += es) {                                      \
        int64_t src = base + (last_is_axis ? 0 : i * s0) + fix_index(ind[i], ad) * sa; \
        memcpy(y, x + src * es, (size_t)es);                                   \
      }                                                                        \
      for (d = r - 2; d >= 0; d--) {                                           \
        const int64_t sd = d == p->axis ? 0 : p->strides[d];                   \
        base += sd;                                                            \
        if (++idx[d] < p->dims[d]) break;                                      \
        base -= sd * p->dims[d];                                               \
        idx[d] = 0;                                                            \
      }                                                                        \
    }                                                                          \
  } while (0)

#define GE_I32(T) GE_LOOP(int32_t, T)
#define GE_I64(T) GE_LOOP(int64_t, T)

RT_KERNEL(rt_gather_elements) {
  const rt_gather_elements_params *p = (const rt_gather_elements_params *)params;
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const int64_t r = p->rank, ad = p->axis_dim;
  const int64_t n0 = p->dims[r - 1], s0 = p->strides[r - 1], sa = p->strides[p->axis];
  const int last_is_axis = p->axis == r - 1;
  int64_t idx[RT_MAX_RANK] = {0};
  int64_t outer = 1, o, i, d, base = 0;
  (void)scratch;
  for (d = 0; d < r; d++)
    if (p->dims[d] == 0) return;
  if (ad == 0) return;
  for (d = 0; d < r - 1; d++) outer *= p->dims[d];
  if (p->idx64) {
    BY_SIZE(p->esize, GE_I64, GE_BYTES(int64_t))
  } else {
    BY_SIZE(p->esize, GE_I32, GE_BYTES(int32_t))
  }
}

/* ---- Pad ---- */

/* Input index for output index o on a dim of n input elements (n >= 1),
 * or -1 when the constant goes there. */
static int64_t pad_map(int64_t o, int64_t begin, int64_t n, int64_t mode) {
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

/* Fills n elements with the element at v. */
static void fill(char *y, const char *v, int64_t n, int64_t es) {
  int64_t j, k;
  for (k = 0; k < es; k++)
    if (v[k]) break;
  if (k == es) {
    memset(y, 0, (size_t)(n * es));
    return;
  }
  switch (es) {
  case 1: memset(y, v[0], (size_t)n); break;
  case 2: for (j = 0; j < n; j++) MOVE(y + j * 2, v, 2); break;
  case 4: for (j = 0; j < n; j++) MOVE(y + j * 4, v, 4); break;
  case 8: for (j = 0; j < n; j++) MOVE(y + j * 8, v, 8); break;
  default: for (j = 0; j < n; j++) MOVE(y + j * es, v, (size_t)es); break;
  }
}

/* The constant as element bytes: value_bits holds the element's bit
 * pattern as an unsigned integer, which is endian-neutral. */
static void pad_value(const rt_pad_params *p, const void *vin, char *v) {
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  if (p->value_input && vin) {
    memcpy(v, vin, (size_t)p->esize);
    return;
  }
  switch (p->esize) {
  case 1: u8 = (uint8_t)p->value_bits; memcpy(v, &u8, 1); break;
  case 2: u16 = (uint16_t)p->value_bits; memcpy(v, &u16, 2); break;
  case 4: u32 = (uint32_t)p->value_bits; memcpy(v, &u32, 4); break;
  default: u64 = (uint64_t)p->value_bits; memcpy(v, &u64, 8); break;
  }
}

RT_KERNEL(rt_pad) {
  const rt_pad_params *p = (const rt_pad_params *)params;
  const char *x = (const char *)in[0];
  char *y = (char *)out[0];
  const int64_t r = p->rank, es = p->esize, mode = p->mode;
  const int64_t n0 = p->in_dims[r - 1], m0 = p->out_dims[r - 1], b0 = p->begin[r - 1];
  int64_t istr[RT_MAX_RANK], idx[RT_MAX_RANK] = {0};
  int64_t d, o, j, outer = 1, s = 1, lo, hi;
  char v[8];
  (void)scratch;
  for (d = 0; d < r; d++)
    if (p->out_dims[d] == 0) return;
  pad_value(p, p->value_input ? in[2] : NULL, v); /* in[2] exists only then */
  for (d = r - 1; d >= 0; d--) {
    istr[d] = s;
    s *= p->in_dims[d];
  }
  for (d = 0; d < r - 1; d++) outer *= p->out_dims[d];
  /* Output columns [lo, hi) come straight from the input row. */
  lo = b0 > 0 ? b0 : 0;
  if (lo > m0) lo = m0;
  hi = b0 + n0 < m0 ? b0 + n0 : m0;
  if (hi < lo) hi = lo;
  for (o = 0; o < outer; o++) {
    int64_t src = 0, inside = n0 > 0;
    for (d = 0; d < r - 1 && inside; d++) {
      int64_t i = p->in_dims[d] ? pad_map(idx[d], p->begin[d], p->in_dims[d], mode) : -1;
      if (i < 0) inside = 0;
      src += i * istr[d];
    }
    if (!inside) {
      fill(y, v, m0, es);
    } else {
      const char *xr = x + src * es;
      if (hi > lo) memcpy(y + lo * es, xr + (lo - b0) * es, (size_t)((hi - lo) * es));
      if (mode == RT_PAD_CONSTANT) {
        fill(y, v, lo, es);
        fill(y + hi * es, v, m0 - hi, es);
      } else {
        for (j = 0; j < lo; j++) MOVE(y + j * es, xr + pad_map(j, b0, n0, mode) * es, (size_t)es);
        for (j = hi; j < m0; j++) MOVE(y + j * es, xr + pad_map(j, b0, n0, mode) * es, (size_t)es);
      }
    }
    y += m0 * es;
    for (d = r - 2; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
}
