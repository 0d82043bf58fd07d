/* The DeformConv kernel on small hand-computed cases (1x1 kernels, so
 * each output reads one moved tap). */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static rt_deform_conv_params dc_params(int64_t in_ch, int64_t out_ch, int64_t group, int64_t h, int64_t w) {
  rt_deform_conv_params p;
  memset(&p, 0, sizeof p);
  p.nd = 2, p.group = (int32_t)group, p.batch = 1, p.in_ch = in_ch, p.out_ch = out_ch, p.offset_group = 1;
  p.in_dims[0] = p.out_dims[0] = h;
  p.in_dims[1] = p.out_dims[1] = w;
  p.kernel[0] = p.kernel[1] = p.strides[0] = p.strides[1] = p.dilations[0] = p.dilations[1] = 1;
  return p;
}

START_TEST(bilinear_taps_mask_bias) {
  /* X [[1,2],[3,4]], W 2, bias 1. Moves (dy, dx) per output: (0.5,0.5)
   * reads the centre, 2.5; (0,0.5) reads between 2 and the zero beyond,
   * 1; (-1,0) reads X[0][0], 1; (1,0) reads row 2, outside: 0. So
   * Y = 2 * [2.5, 1, 1, 0] + 1; times mask [1, 0.5, 2, 1] before the bias:
   * [6, 2, 5, 1]. */
  rt_deform_conv_params p = dc_params(1, 1, 1, 2, 2);
  const float x[4] = {1, 2, 3, 4}, w[1] = {2}, bias[1] = {1}, mask[4] = {1, 0.5f, 2, 1};
  const float offset[8] = {0.5f, 0, -1, 1, 0.5f, 0.5f, 0, 0};
  const float want[4] = {6, 3, 3, 1}, want_mask[4] = {6, 2, 5, 1};
  float y[4];
  const void *in[RT_MIN_ARGS] = {x, w, offset, bias, NULL, NULL, NULL, NULL};
  void *out[RT_MIN_ARGS] = {y, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  int i;
  p.has_bias = 1;
  rt_deform_conv_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  in[4] = mask;
  rt_deform_conv_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want_mask[i], 1e-6f);
}
END_TEST

START_TEST(groups_and_offset_groups) {
  /* X [1, 2, 1, 2]: channel 0 [1,2], channel 1 [3,4]; group 2, W [10],
   * [100]; offset_group 2: channel 0 stays put, channel 1 moves along W by
   * +1 and -1, so it reads [4, 3]. Y: [10, 20] and [400, 300].
   * Then pad 1 before W and stride 2 (still 1 x 2 outputs): the taps sit
   * at -1 and 1. Moved by +1, channel 0 reads at 0 and 2 (outside): [1, 0];
   * unmoved, channel 1 reads at -1 (outside) and 1: [0, 4]. */
  rt_deform_conv_params p = dc_params(2, 2, 2, 1, 2);
  const float x[4] = {1, 2, 3, 4}, w[2] = {10, 100};
  const float offset[8] = {0, 0, 0, 0, 0, 0, 1, -1};
  const float shifted[8] = {0, 0, 1, 1, 0, 0, 0, 0};
  const float want[4] = {10, 20, 400, 300}, want_pad[4] = {10, 0, 0, 400};
  float y[4];
  const void *in[RT_MIN_ARGS] = {x, w, offset, NULL, NULL, NULL, NULL, NULL};
  void *out[RT_MIN_ARGS] = {y, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  int i;
  p.offset_group = 2;
  rt_deform_conv_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  p.pads[1] = 1, p.strides[1] = 2;
  in[2] = shifted;
  rt_deform_conv_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want_pad[i], 1e-6f);
}
END_TEST

Suite *deform_conv_suite(void) {
  Suite *s = suite_create("deform_conv");
  TCase *tc = tcase_create("deform_conv");
  tcase_add_test(tc, bilinear_taps_mask_bias);
  tcase_add_test(tc, groups_and_offset_groups);
  suite_add_tcase(s, tc);
  return s;
}
