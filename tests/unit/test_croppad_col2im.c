/* CenterCropPad's prepare kernel and begin rule (croppad.h), and Col2Im's
 * kernel, prepare and resolve rule (col2im.h), on small hand-computed
 * cases. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(croppad_begin_rounds_toward_the_left) {
  /* crop 20 to 9: the window starts at 5 (11 / 2 down); pad 10 to 13: 1
   * before, 2 after; equal sizes: 0 */
  ck_assert_int_eq(rt_center_crop_pad_begin(20, 9), -5);
  ck_assert_int_eq(rt_center_crop_pad_begin(10, 13), 1);
  ck_assert_int_eq(rt_center_crop_pad_begin(7, 7), 0);
  ck_assert_int_eq(rt_center_crop_pad_begin(4, 0), -2);
}
END_TEST

START_TEST(croppad_prepare_writes_dims_and_begins) {
  const int64_t shape64[2] = {2, 7};
  const int32_t shape32[1] = {3}, negative[1] = {-1};
  int64_t dims[2] = {0, 0};
  int status = RT_OK;
  rt_pad_params pad;
  rt_croppad_prepare_params q;
  const void *in[2] = {NULL, shape64};
  void *out[3] = {dims, &pad, &status};
  memset(&pad, 0, sizeof pad);
  memset(&q, 0, sizeof q);
  q.rank = 2;
  q.naxes = 2;
  q.axes[0] = 0;
  q.axes[1] = 1;
  q.in_dims[0] = 5;
  q.in_dims[1] = 4;
  rt_center_crop_pad_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 2);
  ck_assert_int_eq(dims[1], 7);
  ck_assert_int_eq(pad.begin[0], -1);
  ck_assert_int_eq(pad.begin[1], 1);
  /* one int32 size for axis 1 only */
  q.naxes = 1;
  q.axes[0] = 1;
  q.shape_i32 = 1;
  in[1] = shape32;
  rt_center_crop_pad_prepare(&q, in, out, NULL);
  ck_assert_int_eq(dims[0], 3);
  ck_assert_int_eq(pad.begin[1], 0);
  in[1] = negative;
  rt_center_crop_pad_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
}
END_TEST

/* Col2Im params for a 2 x 3 image of one channel and 1 x 2 blocks:
 * strides and dilations 1, no pads, 2 x 2 block positions. */
static rt_col2im_params col2im_2x3(void) {
  rt_col2im_params p;
  int d;
  memset(&p, 0, sizeof p);
  p.nsp = 2;
  p.n = 1;
  p.channels = 2;
  p.l = 4;
  p.img[0] = 2;
  p.img[1] = 3;
  p.block[0] = 1;
  p.block[1] = 2;
  for (d = 0; d < 2; d++) p.strides[d] = p.dilations[d] = 1;
  return p;
}

START_TEST(col2im_sums_overlapping_blocks) {
  /* block offset (0, 0) adds 1..4 at positions (0,0) (0,1) (1,0) (1,1);
   * offset (0, 1) adds 10..40 one column to the right */
  const float x[8] = {1, 2, 3, 4, 10, 20, 30, 40}, want[6] = {1, 12, 20, 3, 34, 40};
  float y[6];
  rt_col2im_params p = col2im_2x3();
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  ck_assert_int_eq(rt_col2im_resolve(&p), 0);
  ck_assert_int_eq(p.c, 1);
  rt_col2im_f32(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(col2im_pads_and_strides) {
  /* one spatial dim: image 3, block 2, pads 1 and 1, stride 2: positions
   * start at -1 and 1; the element that lands on -1 is dropped */
  const double x[4] = {1, 2, 10, 20}, want[3] = {10, 2, 20};
  double y[3];
  rt_col2im_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.nsp = 1;
  p.n = 1;
  p.channels = 2;
  p.l = 2;
  p.img[0] = 3;
  p.block[0] = 2;
  p.strides[0] = 2;
  p.dilations[0] = 1;
  p.pad_begin[0] = p.pad_end[0] = 1;
  ck_assert_int_eq(rt_col2im_resolve(&p), 0);
  rt_col2im_f64(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_double_eq(y[i], want[i]);
}
END_TEST

START_TEST(col2im_resolve_refuses_what_does_not_fit) {
  rt_col2im_params p = col2im_2x3();
  p.l = 5; /* 4 positions fit */
  ck_assert_int_eq(rt_col2im_resolve(&p), -1);
  p = col2im_2x3();
  p.channels = 3; /* not a multiple of the block's 2 */
  ck_assert_int_eq(rt_col2im_resolve(&p), -1);
  p = col2im_2x3();
  p.block[1] = 0;
  ck_assert_int_eq(rt_col2im_resolve(&p), -1);
  p = col2im_2x3();
  p.block[1] = 4; /* wider than the image: no position */
  ck_assert_int_eq(rt_col2im_resolve(&p), -1);
  p = col2im_2x3();
  p.block[0] = INT64_MAX; /* never multiplied out */
  ck_assert_int_eq(rt_col2im_resolve(&p), -1);
}
END_TEST

START_TEST(col2im_prepare_reads_the_shapes) {
  const int64_t img[2] = {2, 3}, block[2] = {1, 2}, bad[2] = {1, 3};
  int64_t dims[3] = {0, 0, 0};
  int status = RT_OK;
  rt_col2im_params p = col2im_2x3(), q;
  const void *in[3] = {NULL, img, block};
  void *out[3] = {dims, &p, &status};
  memset(&q, 0, sizeof q);
  p.img[0] = p.img[1] = p.block[0] = p.block[1] = 0;
  rt_col2im_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 1);
  ck_assert_int_eq(dims[1], 2);
  ck_assert_int_eq(dims[2], 3);
  ck_assert_int_eq(p.block[1], 2);
  in[2] = bad; /* 1 x 3 blocks: 2 positions, not 4 */
  rt_col2im_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
}
END_TEST

Suite *croppad_col2im_suite(void) {
  Suite *s = suite_create("croppad_col2im");
  TCase *tc = tcase_create("croppad_col2im");
  tcase_add_test(tc, croppad_begin_rounds_toward_the_left);
  tcase_add_test(tc, croppad_prepare_writes_dims_and_begins);
  tcase_add_test(tc, col2im_sums_overlapping_blocks);
  tcase_add_test(tc, col2im_pads_and_strides);
  tcase_add_test(tc, col2im_resolve_refuses_what_does_not_fit);
  tcase_add_test(tc, col2im_prepare_reads_the_shapes);
  suite_add_tcase(s, tc);
  return s;
}
