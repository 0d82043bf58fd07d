/* TopK, OneHot, NonZero and Compress kernels, and the prepare kernels that
 * read TopK's k and OneHot's depth, on small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(topk_ties_in_index_order) {
  /* x = [1, 5, 2]: two lines (inner = 2) of 5 values with ties. Largest 3
   * of line 0 [3, 1, 3, 2, 3] are the 3s at 0, 2, 4; smallest 3 of line 1
   * [0, 0, 4, 0, 1] are the 0s at 0, 1, 3. */
  const float x[10] = {3, 0, 1, 0, 3, 4, 2, 0, 3, 1};
  float v[6];
  int64_t ind[6], scratch[10];
  rt_topk_params p = {1, 5, 2, 3, 1};
  const void *in[2] = {x, NULL};
  void *out[2] = {v, ind};
  const int64_t want_l[3] = {0, 2, 4};
  int i;
  rt_topk_f32(&p, in, out, scratch);
  for (i = 0; i < 3; i++) {
    ck_assert_int_eq(ind[2 * i], want_l[i]);
    ck_assert_float_eq(v[2 * i], 3);
  }
  /* line 1, largest: 4 (at 2), 1 (at 4), then the first 0 (at 0) */
  ck_assert_int_eq(ind[1], 2);
  ck_assert_int_eq(ind[3], 4);
  ck_assert_int_eq(ind[5], 0);
  p.largest = 0;
  rt_topk_f32(&p, in, out, scratch);
  ck_assert_int_eq(ind[1], 0);
  ck_assert_int_eq(ind[3], 1);
  ck_assert_int_eq(ind[5], 3);
  /* line 0, smallest: 1 (at 1), 2 (at 3), the first 3 (at 0) */
  ck_assert_int_eq(ind[0], 1);
  ck_assert_int_eq(ind[2], 3);
  ck_assert_int_eq(ind[4], 0);
  ck_assert_float_eq(v[4], 3);
}
END_TEST

START_TEST(topk_int64_compares_exactly) {
  /* values a double cannot tell apart, over outer = 2 lines */
  const int64_t x[6] = {INT64_MAX - 1, INT64_MAX, INT64_MAX - 2, -5, 7, -5};
  int64_t v[4], ind[4], scratch[6];
  rt_topk_params p = {2, 3, 1, 2, 1};
  const void *in[2] = {x, NULL};
  void *out[2] = {v, ind};
  rt_topk_i64(&p, in, out, scratch);
  ck_assert_int_eq(ind[0], 1);
  ck_assert_int_eq(ind[1], 0);
  ck_assert_int_eq(v[0], INT64_MAX);
  ck_assert_int_eq(ind[2], 1);
  ck_assert_int_eq(ind[3], 0);
  /* a missing output (Values unused) is skipped */
  out[0] = NULL;
  p.largest = 0;
  rt_topk_i64(&p, in, out, scratch);
  ck_assert_int_eq(ind[0], 2);
  ck_assert_int_eq(ind[2], 0);
  ck_assert_int_eq(ind[3], 2);
}
END_TEST

START_TEST(topk_half_and_unsigned) {
  /* float16 1, -2, 0.5: largest first is 1, 0.5 (not by bit pattern) */
  const uint16_t xh[3] = {0x3c00, 0xc000, 0x3800};
  const uint32_t xu[3] = {1, 0xffffffffu, 2};
  uint16_t vh[2];
  uint32_t vu[1];
  int64_t ind[2], scratch[6];
  rt_topk_params p = {1, 3, 1, 2, 1};
  const void *in[2] = {xh, NULL};
  void *out[2] = {vh, ind};
  rt_topk_f16(&p, in, out, scratch);
  ck_assert_int_eq(ind[0], 0);
  ck_assert_int_eq(ind[1], 2);
  ck_assert_uint_eq(vh[1], 0x3800);
  p.k = 1;
  in[0] = xu;
  out[0] = vu;
  rt_topk_u32(&p, in, out, scratch);
  ck_assert_uint_eq(vu[0], 0xffffffffu);
}
END_TEST

START_TEST(topk_prepare_checks_k) {
  rt_topk_params p = {1, 4, 1, 0, 1}, q = {0};
  int64_t k[1] = {4}, dd[1] = {0};
  int st = RT_OK;
  const void *in[2] = {NULL, k};
  void *qo[3] = {dd, &p, &st};
  rt_topk_prepare(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[0], 4);
  k[0] = 5; /* above n: refused, as ONNX Runtime refuses it */
  rt_topk_prepare(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK;
  k[0] = -1;
  rt_topk_prepare(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

START_TEST(onehot_axis_and_negative_indices) {
  /* indices [2, 2] = [[1, -1], [5, -3]], depth 3 at axis 1: y [2, 3, 2];
   * -1 is 2, 5 and -4.. are outside, -3 is 0. */
  const int64_t ind[4] = {1, -1, 5, -3};
  const int32_t values[2] = {-7, 9};
  const int32_t want[12] = {-7, -7, 9, -7, -7, 9, /* o = 0 */ -7, 9, -7, -7, -7, -7 /* o = 1 */};
  int32_t y[12];
  rt_onehot_params p = {2, 3, 2, 4};
  const void *in[3] = {ind, NULL, values};
  void *out[1] = {y};
  int i;
  rt_onehot_i64(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(onehot_float_and_unsigned_indices) {
  /* truncated toward zero: 2.9 is 2, -1.5 is -1 (= 3), -4.5 is -4 (= 0),
   * -5.0 and NaN select nothing */
  const float ind[5] = {2.9f, -1.5f, -4.5f, -5.0f, NAN};
  const uint64_t big[1] = {UINT64_MAX};
  const uint8_t values[2] = {0, 1};
  uint8_t y[20];
  rt_onehot_params p = {5, 4, 1, 1};
  const void *in[3] = {ind, NULL, values};
  void *out[1] = {y};
  int i, j;
  const int want[5] = {2, 3, 0, -1, -1};
  rt_onehot_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++)
    for (j = 0; j < 4; j++) ck_assert_int_eq(y[i * 4 + j], j == want[i]);
  p.outer = 1;
  in[0] = big; /* not -1: outside */
  rt_onehot_u64(&p, in, out, NULL);
  for (j = 0; j < 4; j++) ck_assert_int_eq(y[j], 0);
}
END_TEST

START_TEST(onehot_depth_prepare) {
  float depth[1] = {3.7f};
  int64_t dd[1];
  int st = RT_OK;
  rt_onehot_params q = {0};
  const void *in[2] = {NULL, depth};
  void *qo[3] = {dd, NULL, &st};
  rt_onehot_depth_f32(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[0], 3);
  depth[0] = 0.5f; /* truncates to 0: ONNX Runtime refuses it */
  rt_onehot_depth_f32(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK;
  depth[0] = NAN;
  rt_onehot_depth_f32(&q, in, qo, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

START_TEST(nonzero_coordinates_and_count) {
  /* 2x3 floats: -0 is zero, NaN is not: non-zero at (0,1), (1,0), (1,2) */
  const float x[6] = {0, 2, -0.0f, NAN, 0, -1};
  int64_t y[6], count[1] = {-1};
  const int64_t want[6] = {0, 1, 1, 1, 0, 2};
  rt_nonzero_params p = {2, {2, 3}};
  const void *in[1] = {x};
  void *out[2] = {y, count};
  int i;
  rt_nonzero_f32(&p, in, out, NULL);
  ck_assert_int_eq(count[0], 3);
  for (i = 0; i < 6; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(nonzero_half_and_no_count_slot) {
  /* float16 -0 (0x8000) is zero; without the count slot the kernel still
   * writes the coordinates (the count was known at compile time) */
  const uint16_t x[4] = {0x8000, 0x3c00, 0, 0x0001};
  int64_t y[2];
  rt_nonzero_params p = {1, {4}};
  const void *in[1] = {x};
  void *out[2] = {y, NULL};
  rt_nonzero_f16(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 1);
  ck_assert_int_eq(y[1], 3);
}
END_TEST

START_TEST(compress_axis_and_condition_lengths) {
  /* x [2, 3, 2] int16, axis 1, cond [1, 0, 1, 1]: longer than the axis,
   * its 4th element is ignored; slices 0 and 2 kept */
  const int16_t x[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  const uint8_t cond[4] = {1, 0, 1, 1};
  const int16_t want[8] = {0, 1, 4, 5, 6, 7, 10, 11};
  int16_t y[12];
  int64_t count[1] = {-1};
  rt_compress_params p = {2, 3, 2, 4, 2};
  const void *in[2] = {x, cond};
  void *out[2] = {y, count};
  int i;
  rt_compress(&p, in, out, NULL);
  ck_assert_int_eq(count[0], 2);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want[i]);
  /* flattened, a condition shorter than the 12 elements: [0, 1] */
  p.outer = p.inner = 1;
  p.n = 12;
  p.clen = 2;
  rt_compress(&p, in, out, NULL);
  ck_assert_int_eq(count[0], 1);
  ck_assert_int_eq(y[0], 0);
}
END_TEST

Suite *select_suite(void) {
  Suite *s = suite_create("select");
  TCase *tc = tcase_create("select");
  tcase_add_test(tc, topk_ties_in_index_order);
  tcase_add_test(tc, topk_int64_compares_exactly);
  tcase_add_test(tc, topk_half_and_unsigned);
  tcase_add_test(tc, topk_prepare_checks_k);
  tcase_add_test(tc, onehot_axis_and_negative_indices);
  tcase_add_test(tc, onehot_float_and_unsigned_indices);
  tcase_add_test(tc, onehot_depth_prepare);
  tcase_add_test(tc, nonzero_coordinates_and_count);
  tcase_add_test(tc, nonzero_half_and_no_count_slot);
  tcase_add_test(tc, compress_axis_and_condition_lengths);
  suite_add_tcase(s, tc);
  return s;
}
