/* Einsum, Det, ReverseSequence and MaxUnpool kernels on small
 * hand-computed cases (kernels/algebra.h, kernels/placement.h). */
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

#define L RT_EINSUM_MAX_LOOPS

START_TEST(einsum_transposed_product) {
  /* "ij,kj->ik": a 2x3, b 2x3; loops i, k (out), j (summed). */
  const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, -1, 2, 1, 0};
  const float want[4] = {1 - 3, 2 + 2, 4 - 6, 8 + 5};
  float y[4];
  rt_einsum_params p;
  const void *in[2] = {a, b};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.n_in = 2, p.n_out = 2, p.n_sum = 1;
  p.dims[0] = 2, p.dims[1] = 2, p.dims[2] = 3;
  p.strides[0] = 3, p.strides[1] = 0, p.strides[2] = 1;         /* a[i][j] */
  p.strides[L + 0] = 0, p.strides[L + 1] = 3, p.strides[L + 2] = 1; /* b[k][j] */
  rt_einsum_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(einsum_diagonal_and_outer_sums) {
  /* "iij->j" on 2x2x2 (x[i][i][j], stride 4 + 2 for i): summed i is the
   * outer summed loop here, with an inner summed loop of extent 1. */
  const double x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  double y[2];
  rt_einsum_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.n_in = 1, p.n_out = 1, p.n_sum = 2;
  p.dims[0] = 2, p.dims[1] = 2, p.dims[2] = 1;
  p.strides[0] = 1, p.strides[1] = 6, p.strides[2] = 0;
  rt_einsum_f64(&p, in, out, NULL);
  ck_assert_double_eq(y[0], 1 + 7);
  ck_assert_double_eq(y[1], 2 + 8);
}
END_TEST

START_TEST(einsum_three_operands_and_empty_sum) {
  /* "i,i,i->": 1*2*3 + 2*3*4 = 30; then a summed extent of 0 gives 0. */
  const int32_t a[2] = {1, 2}, b[2] = {2, 3}, c[2] = {3, 4};
  int32_t y[1] = {-1};
  rt_einsum_params p;
  const void *in[3] = {a, b, c};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.n_in = 3, p.n_out = 0, p.n_sum = 1;
  p.dims[0] = 2;
  p.strides[0] = p.strides[L] = p.strides[2 * L] = 1;
  rt_einsum_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 30);
  p.dims[0] = 0;
  rt_einsum_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 0);
}
END_TEST

START_TEST(einsum_integers_wrap) {
  /* "i->" over int64 sums that overflow: they wrap as two's complement. */
  const int64_t x[2] = {INT64_MAX, 2};
  int64_t y[1];
  rt_einsum_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.n_in = 1, p.n_sum = 1, p.dims[0] = 2, p.strides[0] = 1;
  rt_einsum_i64(&p, in, out, NULL);
  ck_assert_int_eq(y[0], INT64_MIN + 1);
}
END_TEST

START_TEST(einsum_gemm_swapped_and_transposed) {
  /* "ij,jk->ki", a 2x3 and b 3x2 of 1..6: y = (a b)^T = [[22, 49], [28,
   * 64]], computed as b^T a^T: A is in[1] read transposed (lda 2), B is
   * in[0] read transposed (ldb 3). Then a batch of two with the second
   * operand shared (stride 0). */
  const float a[12] = {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0}, b[6] = {1, 2, 3, 4, 5, 6};
  const float want[8] = {22, 49, 28, 64, 1, 3, 2, 4};
  float y[8];
  rt_einsum_gemm_params p;
  const void *in[2] = {a, b};
  void *out[1] = {y};
  void *scratch = malloc(rt_sgemm_scratch_bytes(2, 2, 3) + 1);
  int i;
  memset(&p, 0, sizeof p);
  p.swap = 1, p.M = 2, p.N = 2, p.K = 3;
  p.trans_a = 1, p.lda = 2, p.trans_b = 1, p.ldb = 3, p.ldc = 2;
  rt_einsum_gemm_f32(&p, in, out, scratch);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
  p.batch_rank = 1, p.batch_dims[0] = 2, p.a_strides[0] = 0, p.b_strides[0] = 6, p.y_strides[0] = 4;
  rt_einsum_gemm_f32(&p, in, out, scratch);
  for (i = 0; i < 8; i++) ck_assert_float_eq(y[i], want[i]);
  free(scratch);
}
END_TEST

START_TEST(det_pivots_and_edge_cases) {
  /* [[0, 2], [3, 4]] needs a row swap: det = -6. [[1, 2, 3], [4, 5, 6],
   * [7, 8, 10]] = -3. A singular matrix gives 0. */
  const float x[4] = {0, 2, 3, 4};
  const double x3[18] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 1, 2, 3, 2, 4, 6, 0, 1, 1};
  float y[1];
  double y3[2], a[9];
  rt_det_params p = {1, 2};
  const void *in[1] = {x};
  void *out[1] = {y};
  rt_det_f32(&p, in, out, a);
  ck_assert_float_eq(y[0], -6.0f);
  p.batch = 2, p.n = 3;
  in[0] = x3, out[0] = y3;
  rt_det_f64(&p, in, out, a);
  ck_assert_double_eq_tol(y3[0], -3.0, 1e-12);
  ck_assert_double_eq(y3[1], 0.0);
  /* 0 x 0 matrices: the empty product, 1 (no scratch) */
  p.n = 0;
  rt_det_f64(&p, in, out, NULL);
  ck_assert_double_eq(y3[0], 1.0);
  ck_assert_double_eq(y3[1], 1.0);
}
END_TEST

START_TEST(det_half) {
  /* [[2, 0], [0, 1.5]] in float16: det 3 (0x4200) */
  const uint16_t x[4] = {0x4000, 0, 0, 0x3e00};
  uint16_t y[1];
  double a[4];
  rt_det_params p = {1, 2};
  const void *in[1] = {x};
  void *out[1] = {y};
  rt_det_f16(&p, in, out, a);
  ck_assert_uint_eq(y[0], 0x4200);
}
END_TEST

START_TEST(reverse_sequence_layouts) {
  /* batch-first [2 batch, 3 time] of int32: lengths 3 and 0 (kept as is,
   * as the spec says). Then time-first [3 time, 2 batch, 2] of int16
   * with lengths 2 and 3. */
  const int32_t x[6] = {1, 2, 3, 4, 5, 6};
  const int64_t lens[2] = {3, 0}, lens2[2] = {2, 3};
  const int16_t x2[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const int16_t want2[12] = {5, 6, 11, 12, 1, 2, 7, 8, 9, 10, 3, 4};
  int32_t y[6];
  int16_t y2[12];
  rt_reverse_sequence_params p = {2, 3, 4, 12, 4};
  const void *in[2] = {x, lens};
  void *out[1] = {y};
  int i;
  rt_reverse_sequence(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 3);
  ck_assert_int_eq(y[1], 2);
  ck_assert_int_eq(y[2], 1);
  for (i = 3; i < 6; i++) ck_assert_int_eq(y[i], x[i]);
  p.batch = 2, p.time = 3, p.block = 4, p.batch_stride = 4, p.time_stride = 8;
  in[0] = x2, in[1] = lens2, out[0] = y2;
  rt_reverse_sequence(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y2[i], want2[i]);
}
END_TEST

START_TEST(reverse_sequence_prepare_checks_lengths) {
  const int64_t good[2] = {0, 3}, bad[2] = {1, 4}, neg[2] = {-1, 1};
  rt_reverse_sequence_params p = {2, 3, 4, 12, 4};
  int64_t dd[1];
  int st = RT_OK;
  const void *in[2] = {NULL, good};
  void *out[3] = {dd, &p, &st};
  rt_reverse_sequence_prepare(&p, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  in[1] = bad;
  rt_reverse_sequence_prepare(&p, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK;
  in[1] = neg;
  rt_reverse_sequence_prepare(&p, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

START_TEST(max_unpool_places_and_skips) {
  /* four floats to flat positions 5, 0, 9 (out of range: skipped) and 5
   * again (the last one wins) of a 6-element output */
  const float x[4] = {1, 2, 3, 4};
  const int64_t idx[4] = {5, 0, 9, 5};
  float y[6];
  rt_max_unpool_params p = {4, 6, 4};
  const void *in[2] = {x, idx};
  void *out[1] = {y};
  memset(y, 0xff, sizeof y);
  rt_max_unpool(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 2);
  ck_assert_float_eq(y[1], 0);
  ck_assert_float_eq(y[4], 0);
  ck_assert_float_eq(y[5], 4);
}
END_TEST

START_TEST(max_unpool_prepare_dims) {
  /* output_shape [1, 2, 5, 5] against the least [1, 2, 4, 4]: the dims;
   * [1, 2, 3, 5] is too small in one dim */
  const int64_t shape[4] = {1, 2, 5, 5}, small[4] = {1, 2, 3, 5};
  rt_max_unpool_shape_params q = {4, {1, 2, 4, 4}};
  rt_max_unpool_params p = {0, 0, 4};
  int64_t dd[4] = {0};
  int st = RT_OK, d;
  const void *in[3] = {NULL, NULL, shape};
  void *out[3] = {dd, &p, &st};
  rt_max_unpool_prepare(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  for (d = 0; d < 4; d++) ck_assert_int_eq(dd[d], shape[d]);
  in[2] = small;
  rt_max_unpool_prepare(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

Suite *algebra_placement_suite(void) {
  Suite *s = suite_create("algebra_placement");
  TCase *tc = tcase_create("algebra_placement");
  tcase_add_test(tc, einsum_transposed_product);
  tcase_add_test(tc, einsum_diagonal_and_outer_sums);
  tcase_add_test(tc, einsum_three_operands_and_empty_sum);
  tcase_add_test(tc, einsum_integers_wrap);
  tcase_add_test(tc, einsum_gemm_swapped_and_transposed);
  tcase_add_test(tc, det_pivots_and_edge_cases);
  tcase_add_test(tc, det_half);
  tcase_add_test(tc, reverse_sequence_layouts);
  tcase_add_test(tc, reverse_sequence_prepare_checks_lengths);
  tcase_add_test(tc, max_unpool_places_and_skips);
  tcase_add_test(tc, max_unpool_prepare_dims);
  suite_add_tcase(s, tc);
  return s;
}
