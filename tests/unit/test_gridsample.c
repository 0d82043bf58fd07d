/* GridSample kernels on small hand-computed cases. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static void gs_params(rt_gridsample_params *p, int rank, const int64_t *in_dims, const int64_t *out_dims, int mode,
                      int padding, int align) {
  int d;
  memset(p, 0, sizeof *p);
  p->n = 1, p->c = 1, p->rank = rank;
  for (d = 0; d < rank; d++) p->in_dims[d] = in_dims[d], p->out_dims[d] = out_dims[d];
  p->mode = mode, p->padding = padding, p->align_corners = align;
}

/* x [1, 1, 2, 2] = [[1, 2], [3, 4]]; grid points are (x for width, y). */
static const float img[4] = {1, 2, 3, 4};
static const int64_t hw[2] = {2, 2}, one_by_3[2] = {1, 3};

START_TEST(bilinear_align_corners) {
  /* with align_corners -1 and 1 are the pixel centres: (-1,-1) is x[0,0],
   * (1,-1) is x[0,1], (0,0) the mean of the four */
  const float grid[6] = {-1, -1, 1, -1, 0, 0};
  float y[3];
  rt_gridsample_params p;
  const void *in[2] = {img, grid};
  void *out[1] = {y};
  gs_params(&p, 2, hw, one_by_3, RT_GS_LINEAR, RT_GS_ZEROS, 1);
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 1.0f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 2.0f, 1e-6f);
  ck_assert_float_eq_tol(y[2], 2.5f, 1e-6f);
}
END_TEST

START_TEST(corner_under_each_padding) {
  /* Without align_corners (-1,-1) is the outer corner, pixel coordinate
   * (-0.5,-0.5): bilinear weights 1/4 on pixels (-1..0, -1..0). zeros: only
   * x[0,0] is inside, 1/4. border: all four read x[0,0], 1. Nearest
   * rounds -0.5 to -0 (half to even): x[0,0]. */
  const float grid[2] = {-1, -1};
  float y[1];
  rt_gridsample_params p;
  const int64_t o[2] = {1, 1};
  const void *in[2] = {img, grid};
  void *out[1] = {y};
  gs_params(&p, 2, hw, o, RT_GS_LINEAR, RT_GS_ZEROS, 0);
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 0.25f, 1e-6f);
  p.padding = RT_GS_BORDER;
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 1.0f, 1e-6f);
  p.padding = RT_GS_ZEROS, p.mode = RT_GS_NEAREST;
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 1.0f, 1e-6f);
}
END_TEST

START_TEST(reflection_folds_back) {
  /* x = 2 is pixel coordinate 2.5, beyond the right edge 1.5 by 1: it
   * reflects to 0.5, halfway between the columns. y = -1 is -0.5, whose
   * taps -1 and 0 both reflect to row 0: (1 + 2) / 2. Far off, x = 6 is
   * 6.5, 5 past the edge: two widths (there and back) and 1 more, so it
   * lands at 0.5 again. */
  const float grid[4] = {2, -1, 6, -1};
  float y[2];
  rt_gridsample_params p;
  const int64_t o[2] = {1, 2};
  const void *in[2] = {img, grid};
  void *out[1] = {y};
  gs_params(&p, 2, hw, o, RT_GS_LINEAR, RT_GS_REFLECTION, 0);
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 1.5f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 1.5f, 1e-6f);
}
END_TEST

START_TEST(cubic_in_one_dim) {
  /* x [1, 1, 4] = 0 1 4 9, align_corners: u = 0 is pixel 1.5; the Keys
   * weights at 1/2 are -3/32, 19/32, 19/32, -3/32: (19 * 5 - 3 * 9) / 32 */
  const double x[4] = {0, 1, 4, 9}, grid[1] = {0};
  double y[1];
  rt_gridsample_params p;
  const int64_t i[1] = {4}, o[1] = {1};
  const void *in[2] = {x, grid};
  void *out[1] = {y};
  gs_params(&p, 1, i, o, RT_GS_CUBIC, RT_GS_BORDER, 1);
  rt_gridsample_f64(&p, in, out, NULL);
  ck_assert_double_eq_tol(y[0], 68.0 / 32.0, 1e-12);
}
END_TEST

START_TEST(volumetric_nearest_two_channels) {
  /* x [1, 2, 2, 2, 2]: channel c holds 10c + 4d + 2h + w. The grid point
   * (x, y, z) = (1, -1, 1) is w = 1, h = 0, d = 1. */
  float x[16], y[2];
  const float grid[3] = {1, -1, 1};
  rt_gridsample_params p;
  const int64_t i[3] = {2, 2, 2}, o[3] = {1, 1, 1};
  const void *in[2] = {x, grid};
  void *out[1] = {y};
  int k;
  for (k = 0; k < 16; k++) x[k] = (float)(10 * (k / 8) + k % 8);
  gs_params(&p, 3, i, o, RT_GS_NEAREST, RT_GS_ZEROS, 1);
  p.c = 2;
  rt_gridsample_f32(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 5.0f);
  ck_assert_float_eq(y[1], 15.0f);
}
END_TEST

START_TEST(affine_grid_2d_scaled) {
  /* H 2, W 3, pixel centres: x -2/3, 0, 2/3 and y -1/2, 1/2; theta maps
   * (x, y) to (2x + 1, 3y - 1) */
  const float theta[6] = {2, 0, 1, 0, 3, -1};
  const float want[12] = {-1.0f / 3, -2.5f, 1, -2.5f, 7.0f / 3, -2.5f, -1.0f / 3, 0.5f, 1, 0.5f, 7.0f / 3, 0.5f};
  float y[12];
  rt_affine_grid_params p = {1, {2, 3, 0}, 2, 0};
  const void *in[2] = {theta, NULL};
  void *out[1] = {y};
  int i;
  rt_affine_grid_f32(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  /* align_corners on a dim of one point: -1 there (x -1, 1 across W 2) */
  p.dims[0] = 1, p.dims[1] = 2, p.align_corners = 1;
  rt_affine_grid_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], -1, 1e-6f); /* 2 * -1 + 1 */
  ck_assert_float_eq_tol(y[1], -4, 1e-6f); /* 3 * -1 - 1 */
  ck_assert_float_eq_tol(y[2], 3, 1e-6f);
  ck_assert_float_eq_tol(y[3], -4, 1e-6f);
}
END_TEST

START_TEST(affine_grid_3d_rows) {
  /* D 2, H 1, W 2 with align_corners: z and x are -1 and 1, y is -1; the
   * rows of theta give (z, x, 5), points in (d, h, w) order */
  const double theta[12] = {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 5};
  const double want[12] = {-1, -1, 5, -1, 1, 5, 1, -1, 5, 1, 1, 5};
  double y[12];
  rt_affine_grid_params p = {1, {2, 1, 2}, 3, 1};
  const void *in[2] = {theta, NULL};
  void *out[1] = {y};
  int i;
  rt_affine_grid_f64(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_double_eq_tol(y[i], want[i], 1e-12);
}
END_TEST

START_TEST(affine_grid_prepare_checks) {
  int64_t size[4] = {2, 3, 4, 5}, dd[2] = {0, 0};
  int st = RT_OK;
  rt_affine_grid_params p = {2, {0, 0, 0}, 2, 0}, q;
  const void *in[2] = {NULL, size};
  void *out[3] = {dd, &p, &st};
  memset(&q, 0, sizeof q);
  rt_affine_grid_prepare(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[0], 4);
  ck_assert_int_eq(dd[1], 5);
  size[3] = -2; /* a negative dim: -1, which the bounds check refuses */
  rt_affine_grid_prepare(&q, in, out, NULL);
  ck_assert_int_eq(dd[1], -1);
  size[0] = 3; /* N must be theta's */
  rt_affine_grid_prepare(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

Suite *gridsample_suite(void) {
  Suite *s = suite_create("gridsample");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, bilinear_align_corners);
  tcase_add_test(tc, corner_under_each_padding);
  tcase_add_test(tc, reflection_folds_back);
  tcase_add_test(tc, cubic_in_one_dim);
  tcase_add_test(tc, volumetric_nearest_two_channels);
  tcase_add_test(tc, affine_grid_2d_scaled);
  tcase_add_test(tc, affine_grid_3d_rows);
  tcase_add_test(tc, affine_grid_prepare_checks);
  suite_add_tcase(s, tc);
  return s;
}
