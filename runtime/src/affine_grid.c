/* AffineGrid kernels (gridsample.h): the grid of normalised coordinates,
 * each point moved by theta, and the prepare kernel that reads the size. */
#include "onnxcc/kernels/gridsample.h"

/* The normalised coordinate of index i along a dim of s points. */
static double ag_coord(int64_t i, int64_t s, int align_corners) {
  if (align_corners) return s > 1 ? -1.0 + 2.0 * (double)i / (double)(s - 1) : -1.0;
  return -1.0 + (2.0 * (double)i + 1.0) / (double)s;
}

/* Writes one batch's grid: r outputs per point, each a row of theta
 * (r + 1 values) applied to (x, y[, z], 1). dims are [d, h, w] or [h, w]. */
#define AFFINE_GRID(t, T)                                                                \
  RT_KERNEL(rt_affine_grid_##t) {                                                        \
    const rt_affine_grid_params *p = (const rt_affine_grid_params *)params;              \
    const T *theta = (const T *)in[0];                                                   \
    T *y = (T *)out[0];                                                                  \
    const int r = p->rank;                                                               \
    const int64_t depth = r == 3 ? p->dims[0] : 1, h = p->dims[r - 2], w = p->dims[r - 1]; \
    int64_t n, i, j, k;                                                                  \
    int a, b;                                                                            \
    (void)scratch;                                                                       \
    for (n = 0; n < p->n; n++) {                                                         \
      const T *th = theta + n * r * (r + 1);                                             \
      for (i = 0; i < depth; i++)                                                        \
        for (j = 0; j < h; j++)                                                          \
          for (k = 0; k < w; k++) {                                                      \
            /* (x, y, z, 1): x along the last dim */                                     \
            double v[4];                                                                 \
            v[0] = ag_coord(k, w, p->align_corners);                                     \
            v[1] = ag_coord(j, h, p->align_corners);                                     \
            v[2] = ag_coord(i, depth, p->align_corners);                                 \
            v[r] = 1.0;                                                                  \
            for (a = 0; a < r; a++) {                                                    \
              double s = 0;                                                              \
              for (b = 0; b <= r; b++) s += (double)th[a * (r + 1) + b] * v[b];          \
              *y++ = (T)s;                                                               \
            }                                                                            \
          }                                                                              \
    }                                                                                    \
  }
AFFINE_GRID(f32, float)
AFFINE_GRID(f64, double)

RT_KERNEL(rt_affine_grid_prepare) {
  const rt_affine_grid_params *p = (const rt_affine_grid_params *)out[1];
  const int64_t *size = (const int64_t *)in[1];
  int64_t *dims = (int64_t *)out[0];
  int k;
  (void)params;
  (void)scratch;
  if (size[0] != p->n) {
    *(int *)out[2] = RT_ERR_SHAPE;
    return;
  }
  for (k = 0; k < p->rank; k++) dims[k] = size[2 + k] >= 0 ? size[2 + k] : -1;
}
