/* RoiAlign kernels on a 2 x 2 image [[1, 2], [3, 4]], by hand: one sample
 * in a pixel's middle, samples clamped at the border, both coordinate
 * modes, max of weighted corners, samples outside the image and a batch
 * index the kernel refuses; MaxRoiPool on a 3 x 4 image: bins' bounds,
 * rounded corners, a region past the image and negative values. */
#include <onnxcc/kernels.h>

#include "suites.h"

static const float img[4] = {1, 2, 3, 4};

/* One region over img pooled to one bin. */
static float one_bin(rt_roi_align_params *p, const float box[4], int *st) {
  const int64_t batch[1] = {0};
  float y[1] = {-7};
  const void *in[RT_MIN_ARGS] = {img, box, batch};
  void *out[RT_MIN_ARGS] = {y};
  out[RT_STATUS_SLOT] = st;
  rt_roi_align_f32(p, in, out, NULL);
  return y[0];
}

START_TEST(roi_avg_and_coordinates) {
  rt_roi_align_params p = {1, 1, 1, 2, 2, 1, 1, 1, 1.0f, 0, RT_ROI_AVG};
  const float unit[4] = {0, 0, 1, 1}, whole[4] = {0, 0, 2, 2};
  int st = RT_OK;
  /* output_half_pixel: the sample sits at (0.5, 0.5), the mean of all four */
  ck_assert_float_eq_tol(one_bin(&p, unit, &st), 2.5f, 1e-6f);
  /* half_pixel shifts the region by -0.5: the sample is pixel (0, 0) */
  p.half_pixel = 1;
  ck_assert_float_eq_tol(one_bin(&p, unit, &st), 1, 1e-6f);
  /* 2 x 2 samples at 0.5 and 1.5; 1.5 clamps to the last row or column:
   * 2.5, 3 (column 1), 3.5 (row 1), 4: mean 3.25; adaptive gives 2 too */
  p.half_pixel = 0, p.sampling_ratio = 2;
  ck_assert_float_eq_tol(one_bin(&p, whole, &st), 3.25f, 1e-6f);
  p.sampling_ratio = 0;
  ck_assert_float_eq_tol(one_bin(&p, whole, &st), 3.25f, 1e-6f);
  ck_assert_int_eq(st, RT_OK);
}
END_TEST

START_TEST(roi_max_and_outside) {
  rt_roi_align_params p = {1, 1, 1, 2, 2, 1, 1, 1, 1.0f, 0, RT_ROI_MAX};
  const float unit[4] = {0, 0, 1, 1}, far[4] = {5, 5, 6, 6}, whole[4] = {0, 0, 2, 2};
  int st = RT_OK;
  /* the corners weigh 1/4 each: max(1, 2, 3, 4) / 4, not the mean 2.5 */
  ck_assert_float_eq_tol(one_bin(&p, unit, &st), 1, 1e-6f);
  /* four samples: the one clamped to pixel (1, 1) has weight 1 there */
  p.sampling_ratio = 2;
  ck_assert_float_eq_tol(one_bin(&p, whole, &st), 4, 1e-6f);
  /* a sample beyond the image reads 0, in both modes */
  p.sampling_ratio = 1;
  ck_assert_float_eq(one_bin(&p, far, &st), 0);
  p.mode = RT_ROI_AVG;
  ck_assert_float_eq(one_bin(&p, far, &st), 0);
  ck_assert_int_eq(st, RT_OK);
}
END_TEST

START_TEST(roi_bad_batch_index) {
  /* two regions, two channels in f64: region 1 names batch 1 of 1 */
  const double x[8] = {1, 2, 3, 4, 10, 20, 30, 40};
  const double boxes[8] = {0, 0, 1, 1, 0, 0, 1, 1};
  const int64_t batch[2] = {0, 1};
  double y[4] = {-7, -7, -7, -7};
  int st = RT_OK;
  rt_roi_align_params p = {2, 1, 2, 2, 2, 1, 1, 1, 1.0f, 0, RT_ROI_AVG};
  const void *in[RT_MIN_ARGS] = {x, boxes, batch};
  void *out[RT_MIN_ARGS] = {y};
  out[RT_STATUS_SLOT] = &st;
  rt_roi_align_f64(&p, in, out, NULL);
  ck_assert_double_eq_tol(y[0], 2.5, 1e-12);
  ck_assert_double_eq_tol(y[1], 25, 1e-12);
  ck_assert_double_eq(y[2], 0);
  ck_assert_double_eq(y[3], 0);
  ck_assert_int_eq(st, RT_ERR_VALUE);
}
END_TEST

/* MaxRoiPool over the 3 x 4 image 1..12 (row-major) of sign `sign`: one
 * region (batch index, x1, y1, x2, y2), pooled oh x ow into y. */
static int max_pool(const float box[5], float scale, int64_t oh, int64_t ow, float sign, float *y) {
  float x[12];
  int st = RT_OK, i;
  rt_roi_align_params p = {1, 1, 1, 3, 4, 0, 0, 0, 0, 0, RT_ROI_MAX};
  const void *in[RT_MIN_ARGS] = {x, box};
  void *out[RT_MIN_ARGS] = {y};
  for (i = 0; i < 12; i++) x[i] = sign * (float)(i + 1);
  p.out_h = oh;
  p.out_w = ow;
  p.spatial_scale = scale;
  out[RT_STATUS_SLOT] = &st;
  rt_max_roi_pool_f32(&p, in, out, NULL);
  return st;
}

START_TEST(max_roi_pool_bins) {
  float y[4];
  /* x 0..3, y 0..2: 4 x 3 pixels in 1 x 2 bins of 2 x 3 pixels */
  const float whole[5] = {0, 0, 0, 3, 2}, two[5] = {0, 1, 0, 2, 1};
  ck_assert_int_eq(max_pool(whole, 1, 1, 2, 1, y), RT_OK);
  ck_assert_float_eq(y[0], 10);
  ck_assert_float_eq(y[1], 12);
  /* a 2 x 2 region at (1, 0) in single-pixel bins */
  max_pool(two, 1, 2, 2, 1, y);
  ck_assert_float_eq(y[0], 2);
  ck_assert_float_eq(y[1], 3);
  ck_assert_float_eq(y[2], 6);
  ck_assert_float_eq(y[3], 7);
  /* negative values: the max is not 0 */
  max_pool(whole, 1, 1, 1, -1, y);
  ck_assert_float_eq(y[0], -1);
}
END_TEST

START_TEST(max_roi_pool_corners) {
  float y[1];
  /* scale 0.5: 0.5 and 1.5 round away from zero to 1 and 2: rows and
   * columns 1..2; the batch index 0.9 truncates to 0 */
  const float half[5] = {0.9f, 1, 1, 3, 3}, past[5] = {0, 20, 20, 24, 24}, bad[5] = {1, 0, 0, 1, 1};
  max_pool(half, 0.5f, 1, 1, 1, y);
  ck_assert_float_eq(y[0], 11);
  /* a region past the image: its bin is empty, 0 */
  ck_assert_int_eq(max_pool(past, 0.5f, 1, 1, 1, y), RT_OK);
  ck_assert_float_eq(y[0], 0);
  /* batch index 1 of one image: 0 and RT_ERR_VALUE */
  y[0] = -7;
  ck_assert_int_eq(max_pool(bad, 1, 1, 1, 1, y), RT_ERR_VALUE);
  ck_assert_float_eq(y[0], 0);
}
END_TEST

Suite *roi_suite(void) {
  Suite *s = suite_create("roi");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, roi_avg_and_coordinates);
  tcase_add_test(tc, roi_max_and_outside);
  tcase_add_test(tc, roi_bad_batch_index);
  tcase_add_test(tc, max_roi_pool_bins);
  tcase_add_test(tc, max_roi_pool_corners);
  suite_add_tcase(s, tc);
  return s;
}
