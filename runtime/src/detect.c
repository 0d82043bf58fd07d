/* NonMaxSuppression and Unique: kernels that find their output count.
 *
 * Both order things by a key with ties kept in index order, which a
 * stable merge sort of int64 indices gives without allocating: the
 * caller's scratch holds the indices and the merge buffer. */
#include <string.h>

#include "onnxcc/kernels/detect.h"
#include "half_internal.h"

/* Whether item a must come before item b (strictly) under ctx's order. */
typedef int (*before_fn)(const void *ctx, int64_t a, int64_t b);

/* Sorts idx[0..n) stably by `before`, bottom-up, using tmp[0..n). */
static void merge_sort(int64_t *idx, int64_t *tmp, int64_t n, before_fn before, const void *ctx) {
  int64_t width, lo, *src = idx, *dst = tmp;
  for (width = 1; width < n; width *= 2) {
    for (lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      /* the right run's item goes first only when strictly before: stable */
      while (i < mid && j < hi) dst[k++] = before(ctx, src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    src = dst;
    dst = dst == idx ? tmp : idx;
  }
  if (src != idx) memcpy(idx, src, sizeof *idx * (size_t)n);
}

/* ---- NonMaxSuppression ---- */

/* lo, hi = a and b in order (b when they are equal, as ONNX Runtime). */
static void min_max(float a, float b, float *lo, float *hi) {
  if (a >= b) {
    *lo = b;
    *hi = a;
  } else {
    *lo = a;
    *hi = b;
  }
}

/* Box b's extent: x in [x[0], x[1]], y in [y[0], y[1]]. */
static void box_extent(const float *b, int center_point_box, float *x, float *y) {
  if (center_point_box) {
    const float hw = b[2] / 2, hh = b[3] / 2;
    x[0] = b[0] - hw;
    x[1] = b[0] + hw;
    y[0] = b[1] - hh;
    y[1] = b[1] + hh;
  } else {
    min_max(b[1], b[3], &x[0], &x[1]);
    min_max(b[0], b[2], &y[0], &y[1]);
  }
}

/* Whether box b suppresses box c: their IOU is strictly greater than the
 * threshold. The steps and their float arithmetic follow ONNX Runtime's,
 * so that IOUs at the threshold and degenerate boxes (no intersection, no
 * area) decide the same way. */
static int suppresses(const float *b, const float *c, int center_point_box, float iou_threshold) {
  float bx[2], by[2], cx[2], cy[2], ix0, ix1, iy0, iy1, inter, area_b, area_c, uni;
  box_extent(b, center_point_box, bx, by);
  box_extent(c, center_point_box, cx, cy);
  ix0 = bx[0] > cx[0] ? bx[0] : cx[0];
  ix1 = bx[1] < cx[1] ? bx[1] : cx[1];
  if (ix1 <= ix0) return 0;
  iy0 = by[0] > cy[0] ? by[0] : cy[0];
  iy1 = by[1] < cy[1] ? by[1] : cy[1];
  if (iy1 <= iy0) return 0;
  inter = (ix1 - ix0) * (iy1 - iy0);
  if (inter <= 0.0f) return 0;
  area_b = (bx[1] - bx[0]) * (by[1] - by[0]);
  area_c = (cx[1] - cx[0]) * (cy[1] - cy[0]);
  uni = area_b + area_c - inter;
  if (area_b <= 0.0f || area_c <= 0.0f || uni <= 0.0f) return 0;
  return inter / uni > iou_threshold;
}

/* Candidates by score, highest first; the sort keeps equal scores in
 * index order. */
static int score_before(const void *ctx, int64_t a, int64_t b) {
  const float *s = (const float *)ctx;
  return s[a] > s[b];
}

/* One batch and class: writes the kept boxes' indices to kept[], returns
 * how many. scratch: cand[spatial] and tmp[spatial]. */
static int64_t nms_class(const rt_nms_params *p, const float *boxes, const float *scores, int64_t max_out,
                         float iou_threshold, const float *score_threshold, int64_t *cand, int64_t *tmp,
                         int64_t *kept) {
  int64_t n = 0, n_kept = 0, i, j;
  for (i = 0; i < p->spatial; i++)
    if (!score_threshold || scores[i] > *score_threshold) cand[n++] = i;
  merge_sort(cand, tmp, n, score_before, scores);
  for (i = 0; i < n && n_kept < max_out; i++) {
    const float *c = boxes + 4 * cand[i];
    for (j = 0; j < n_kept; j++)
      if (suppresses(boxes + 4 * kept[j], c, p->center_point_box, iou_threshold)) break;
    if (j == n_kept) kept[n_kept++] = cand[i];
  }
  return n_kept;
}

RT_KERNEL(rt_nms) {
  const rt_nms_params *p = (const rt_nms_params *)params;
  const float *boxes = (const float *)in[0], *scores = (const float *)in[1];
  const float *score_threshold = (const float *)in[4];
  int64_t max_out = in[2] ? *(const int64_t *)in[2] : 0, count = 0, b, k, i, n;
  const float iou_threshold = in[3] ? *(const float *)in[3] : 0.0f;
  int64_t *cand, *tmp, *kept, *y = (int64_t *)out[0];
  if (!(iou_threshold >= 0.0f && iou_threshold <= 1.0f)) { /* NaN too */
    if (out[1]) *(int64_t *)out[1] = -1;
    return;
  }
  if (p->spatial == 0) max_out = 0; /* no boxes (and maybe no scratch) */
  cand = (int64_t *)scratch;
  tmp = max_out > 0 ? cand + p->spatial : NULL;
  kept = max_out > 0 ? tmp + p->spatial : NULL;
  for (b = 0; b < p->batches && max_out > 0; b++) {
    for (k = 0; k < p->classes; k++) {
      n = nms_class(p, boxes + b * p->spatial * 4, scores + (b * p->classes + k) * p->spatial, max_out,
                    iou_threshold, score_threshold, cand, tmp, kept);
      for (i = 0; i < n; i++, count++) {
        y[3 * count] = b;
        y[3 * count + 1] = k;
        y[3 * count + 2] = kept[i];
      }
    }
  }
  if (out[1]) *(int64_t *)out[1] = count;
}

/* ---- Unique ---- */

/* The items being compared: x viewed as [outer, n, inner], item i is
 * x[:, i, :]; cmp compares elements a and b of x: <0, 0, >0. */
typedef struct unique_ctx {
  const rt_unique_params *p;
  const void *x;
  int (*cmp)(const void *x, int64_t a, int64_t b);
} unique_ctx;

/* Items a and b compared element by element, row-major: <0, 0, >0. */
static int item_cmp(const unique_ctx *u, int64_t a, int64_t b) {
  const rt_unique_params *p = u->p;
  int64_t o, j;
  for (o = 0; o < p->outer; o++) {
    const int64_t row = o * p->n;
    for (j = 0; j < p->inner; j++) {
      int c = u->cmp(u->x, (row + a) * p->inner + j, (row + b) * p->inner + j);
      if (c) return c;
    }
  }
  return 0;
}

static int item_before(const void *ctx, int64_t a, int64_t b) { return item_cmp((const unique_ctx *)ctx, a, b) < 0; }

/* Element comparisons with T's <: neither < gives 0 (-0 and 0 are equal). */
#define CMP_WITH(x, a, b) ((x)[a] < (x)[b] ? -1 : (x)[b] < (x)[a] ? 1 : 0)
#define UNIQUE_CMP(suffix, T)                                            \
  static int cmp_##suffix(const void *x, int64_t a, int64_t b) {        \
    return CMP_WITH((const T *)x, a, b);                                 \
  }
UNIQUE_CMP(f32, float)
UNIQUE_CMP(f64, double)
UNIQUE_CMP(i8, int8_t)
UNIQUE_CMP(i16, int16_t)
UNIQUE_CMP(i32, int32_t)
UNIQUE_CMP(i64, int64_t)
UNIQUE_CMP(u8, uint8_t)
UNIQUE_CMP(u16, uint16_t)
UNIQUE_CMP(u32, uint32_t)
UNIQUE_CMP(u64, uint64_t)

static int cmp_f16(const void *x, int64_t a, int64_t b) {
  const float fa = half_to_float(((const uint16_t *)x)[a]), fb = half_to_float(((const uint16_t *)x)[b]);
  return fa < fb ? -1 : fb < fa ? 1 : 0;
}

static int cmp_bf16(const void *x, int64_t a, int64_t b) {
  const float fa = bf16_to_float(((const uint16_t *)x)[a]), fb = bf16_to_float(((const uint16_t *)x)[b]);
  return fa < fb ? -1 : fb < fa ? 1 : 0;
}

/* Copies item i of x to position u of y ([outer, U, inner], es bytes per
 * element). */
static void copy_item(const rt_unique_params *p, const unsigned char *x, unsigned char *y, int64_t u, int64_t U,
                      int64_t i, size_t es) {
  const size_t len = (size_t)p->inner * es;
  int64_t o;
  for (o = 0; o < p->outer; o++) memcpy(y + (size_t)(o * U + u) * len, x + (size_t)(o * p->n + i) * len, len);
}

/* Sorts the items (ties by index, so each group of equal items starts with
 * its first occurrence), numbers the groups, and orders them ascending or
 * by first occurrence. Scratch: order, tmp, grp (each item's group) and
 * pos (each group's output position), n int64 each. */
static void unique(const rt_unique_params *p, const void *const *in, void *const *out, void *scratch, size_t es,
                   int (*cmp)(const void *, int64_t, int64_t)) {
  const unique_ctx u = {p, in[0], cmp};
  int64_t *order = (int64_t *)scratch, *tmp = order + p->n, *grp = tmp + p->n, *pos = grp + p->n;
  /* out[n_out] is the count's slot, not an output */
  int64_t *first = p->n_out > 1 ? (int64_t *)out[1] : NULL, *inverse = p->n_out > 2 ? (int64_t *)out[2] : NULL;
  int64_t *counts = p->n_out > 3 ? (int64_t *)out[3] : NULL;
  int64_t i, g = -1, U = 0;
  if (p->n == 0) { /* no items (and maybe no scratch) */
    if (out[p->n_out]) *(int64_t *)out[p->n_out] = 0;
    return;
  }
  for (i = 0; i < p->n; i++) order[i] = i;
  merge_sort(order, tmp, p->n, item_before, &u);
  for (i = 0; i < p->n; i++) {
    if (i == 0 || item_cmp(&u, order[i - 1], order[i]) != 0) g++;
    grp[order[i]] = g;
  }
  U = g + 1;
  if (p->sorted) {
    for (g = 0; g < U; g++) pos[g] = g;
  } else {
    /* a group's position is the rank of its first occurrence */
    int64_t next = 0;
    for (g = 0; g < U; g++) pos[g] = -1;
    for (i = 0; i < p->n; i++)
      if (pos[grp[i]] < 0) pos[grp[i]] = next++;
  }
  if (counts)
    for (g = 0; g < U; g++) counts[g] = 0;
  for (i = 0; i < p->n; i++) {
    const int64_t at = pos[grp[i]];
    if (inverse) inverse[i] = at;
    if (counts) counts[at]++;
  }
  /* the first occurrences: the first item of each group, in sorted order */
  for (i = 0; i < p->n; i++) {
    if (i > 0 && grp[order[i]] == grp[order[i - 1]]) continue;
    if (first) first[pos[grp[order[i]]]] = order[i];
    if (out[0]) copy_item(p, (const unsigned char *)in[0], (unsigned char *)out[0], pos[grp[order[i]]], U, order[i], es);
  }
  if (out[p->n_out]) *(int64_t *)out[p->n_out] = U;
}

#define UNIQUE_KERNEL(suffix, es)                                                                          \
  RT_KERNEL(rt_unique_##suffix) { unique((const rt_unique_params *)params, in, out, scratch, es, cmp_##suffix); }
UNIQUE_KERNEL(f32, 4)
UNIQUE_KERNEL(f64, 8)
UNIQUE_KERNEL(f16, 2)
UNIQUE_KERNEL(bf16, 2)
UNIQUE_KERNEL(i8, 1)
UNIQUE_KERNEL(i16, 2)
UNIQUE_KERNEL(i32, 4)
UNIQUE_KERNEL(i64, 8)
UNIQUE_KERNEL(u8, 1)
UNIQUE_KERNEL(u16, 2)
UNIQUE_KERNEL(u32, 4)
UNIQUE_KERNEL(u64, 8)

/* bool is one byte holding 0 or 1: compared as u8 */
RT_KERNEL(rt_unique_bool) { unique((const rt_unique_params *)params, in, out, scratch, 1, cmp_u8); }
