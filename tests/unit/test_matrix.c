/* Trilu, EyeLike, CumSum and CumProd kernels on small hand-computed cases. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(triu_tril_diagonals) {
  /* x = 3x4 of 1..12. triu, k=1: row i keeps j >= i+1; tril, k=-1: row i
   * keeps j <= i-1. */
  const int32_t x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const int32_t want_u[12] = {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12};
  const int32_t want_l[12] = {0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0};
  int32_t y[12];
  rt_trilu_params p = {1, 3, 4, 1, 4};
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  rt_triu(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y[i], want_u[i]);
  p.k = -1;
  rt_tril(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y[i], want_l[i]);
}
END_TEST

START_TEST(trilu_batches_in_place) {
  /* Two 2x2 matrices of doubles, lower triangle with k=0, written over
   * the input; then k past the last column keeps everything. */
  double x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const double want[8] = {1, 0, 3, 4, 5, 0, 7, 8};
  rt_trilu_params p = {2, 2, 2, 0, 8};
  const void *in[1] = {x};
  void *out[1] = {x};
  int i;
  rt_tril(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_double_eq(x[i], want[i]);
  p.k = 2;
  rt_triu(&p, in, out, NULL); /* i + 2 >= 2 columns: every element is zeroed */
  for (i = 0; i < 8; i++) ck_assert_double_eq(x[i], 0);
}
END_TEST

START_TEST(eyelike_offsets) {
  /* 3x4 floats, k=1: ones at (0,1), (1,2), (2,3). */
  float y[12];
  int64_t y64[6];
  rt_eyelike_params p = {3, 4, 1, 0x3f800000};
  const void *in[1] = {NULL};
  void *out[1] = {y};
  int i, j;
  rt_eyelike_32bit(&p, in, out, NULL);
  for (i = 0; i < 3; i++)
    for (j = 0; j < 4; j++) ck_assert_float_eq(y[i * 4 + j], j == i + 1 ? 1.0f : 0.0f);
  /* 3x2 int64, k=-1: ones at (1,0), (2,1). */
  p.rows = 3, p.cols = 2, p.k = -1, p.one_bits = 1;
  out[0] = y64;
  rt_eyelike_64bit(&p, in, out, NULL);
  for (i = 0; i < 3; i++)
    for (j = 0; j < 2; j++) ck_assert_int_eq(y64[i * 2 + j], j == i - 1);
}
END_TEST

/* kernel over x = [1, 2, 3, 4] in the four modes (inclusive, exclusive,
 * reverse, reverse exclusive) against want[mode]: CumSum's and CumProd's
 * shared loop. */
static void check_cum_modes(rt_kernel_fn kernel, const double want[4][4]) {
  const double x[4] = {1, 2, 3, 4};
  double y[4];
  rt_cumsum_params p = {1, 4, 1, 0, 0};
  const void *in[1] = {x};
  void *out[1] = {y};
  int m, i;
  for (m = 0; m < 4; m++) {
    p.exclusive = m & 1;
    p.reverse = m >> 1;
    kernel(&p, in, out, NULL);
    for (i = 0; i < 4; i++) ck_assert_double_eq(y[i], want[m][i]);
  }
}

START_TEST(cumsum_modes) {
  /* inclusive [1,3,6,10], exclusive [0,1,3,6], reverse [10,9,7,4],
   * reverse exclusive [9,7,4,0] */
  const double want[4][4] = {{1, 3, 6, 10}, {0, 1, 3, 6}, {10, 9, 7, 4}, {9, 7, 4, 0}};
  check_cum_modes(rt_cumsum_f64, want);
}
END_TEST

START_TEST(cumsum_inner_axis_and_wrap) {
  /* x = 2x3 float [[1,2,3],[4,5,6]] along axis 0 (outer 1, n 2, inner 3):
   * [[1,2,3],[5,7,9]]; reverse exclusive: [[4,5,6],[0,0,0]]. */
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const float want[6] = {1, 2, 3, 5, 7, 9}, want_re[6] = {4, 5, 6, 0, 0, 0};
  float y[6];
  const int32_t xi[3] = {INT32_MAX, 1, -2};
  int32_t yi[3];
  const uint32_t xu[2] = {0xffffffffu, 2};
  uint32_t yu[2];
  rt_cumsum_params p = {1, 2, 3, 0, 0};
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  rt_cumsum_f32(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
  p.exclusive = p.reverse = 1;
  rt_cumsum_f32(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want_re[i]);
  /* int32 sums wrap: MAX, MAX + 1 = MIN, MIN - 2 = MAX - 1. */
  p.outer = 1, p.n = 3, p.inner = 1, p.exclusive = p.reverse = 0;
  in[0] = xi, out[0] = yi;
  rt_cumsum_i32(&p, in, out, NULL);
  ck_assert_int_eq(yi[0], INT32_MAX);
  ck_assert_int_eq(yi[1], INT32_MIN);
  ck_assert_int_eq(yi[2], INT32_MAX - 1);
  p.n = 2;
  in[0] = xu, out[0] = yu;
  rt_cumsum_u32(&p, in, out, NULL);
  ck_assert_uint_eq(yu[0], 0xffffffffu);
  ck_assert_uint_eq(yu[1], 1);
}
END_TEST

START_TEST(cumsum_half_types) {
  /* float16 [1, 2, 0.5] = 0x3c00, 0x4000, 0x3800: sums 1, 3, 3.5 =
   * 0x3c00, 0x4200, 0x4300. bfloat16 [1, 2, 0.5] = 0x3f80, 0x4000, 0x3f00,
   * reverse exclusive: 2.5, 0.5, 0 = 0x4020, 0x3f00, 0. */
  const uint16_t xh[3] = {0x3c00, 0x4000, 0x3800}, xb[3] = {0x3f80, 0x4000, 0x3f00};
  uint16_t y[3];
  rt_cumsum_params p = {1, 3, 1, 0, 0};
  const void *in[1] = {xh};
  void *out[1] = {y};
  rt_cumsum_f16(&p, in, out, NULL);
  ck_assert_uint_eq(y[0], 0x3c00);
  ck_assert_uint_eq(y[1], 0x4200);
  ck_assert_uint_eq(y[2], 0x4300);
  p.exclusive = p.reverse = 1;
  in[0] = xb;
  rt_cumsum_bf16(&p, in, out, NULL);
  ck_assert_uint_eq(y[0], 0x4020);
  ck_assert_uint_eq(y[1], 0x3f00);
  ck_assert_uint_eq(y[2], 0);
}
END_TEST

START_TEST(cumprod_modes) {
  /* inclusive [1,2,6,24], exclusive [1,1,2,6] (an empty product is 1),
   * reverse [24,24,12,4], reverse exclusive [24,12,4,1] */
  const double want[4][4] = {{1, 2, 6, 24}, {1, 1, 2, 6}, {24, 24, 12, 4}, {24, 12, 4, 1}};
  check_cum_modes(rt_cumprod_f64, want);
}
END_TEST

START_TEST(cumprod_inner_axis_and_wrap) {
  /* x = 2x3 float [[1,2,3],[4,5,6]] along axis 1 (outer 2, n 3, inner 1):
   * [[1,2,6],[4,20,120]]. */
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const float want[6] = {1, 2, 6, 4, 20, 120};
  float y[6];
  const int32_t xi[3] = {65536, 65536, 5};
  int32_t yi[3];
  const int64_t xl[3] = {-2, 3, -1};
  int64_t yl[3];
  const uint64_t xu[2] = {0x100000000ull, 0x100000000ull};
  uint64_t yu[2];
  rt_cumsum_params p = {2, 3, 1, 0, 0};
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  rt_cumprod_f32(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
  /* int32 products wrap: 2^16 * 2^16 = 2^32 = 0, then 0 */
  p.outer = 1;
  in[0] = xi, out[0] = yi;
  rt_cumprod_i32(&p, in, out, NULL);
  ck_assert_int_eq(yi[0], 65536);
  ck_assert_int_eq(yi[1], 0);
  ck_assert_int_eq(yi[2], 0);
  /* signs: -2, -6, 6 */
  in[0] = xl, out[0] = yl;
  rt_cumprod_i64(&p, in, out, NULL);
  ck_assert_int_eq(yl[0], -2);
  ck_assert_int_eq(yl[1], -6);
  ck_assert_int_eq(yl[2], 6);
  /* uint64 wraps too: 2^32 * 2^32 = 0 */
  p.n = 2;
  in[0] = xu, out[0] = yu;
  rt_cumprod_u64(&p, in, out, NULL);
  ck_assert_uint_eq(yu[0], 0x100000000ull);
  ck_assert_uint_eq(yu[1], 0);
}
END_TEST

Suite *matrix_suite(void) {
  Suite *s = suite_create("matrix");
  TCase *tc = tcase_create("matrix");
  tcase_add_test(tc, triu_tril_diagonals);
  tcase_add_test(tc, trilu_batches_in_place);
  tcase_add_test(tc, eyelike_offsets);
  tcase_add_test(tc, cumsum_modes);
  tcase_add_test(tc, cumsum_inner_axis_and_wrap);
  tcase_add_test(tc, cumsum_half_types);
  tcase_add_test(tc, cumprod_modes);
  tcase_add_test(tc, cumprod_inner_axis_and_wrap);
  suite_add_tcase(s, tc);
  return s;
}
