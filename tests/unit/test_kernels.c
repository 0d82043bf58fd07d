/* Runtime kernels and blob checks on small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(binary_broadcast_rows) {
  /* [2,3] + [3] */
  const float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {10, 20, 30};
  float y[6];
  const float want[6] = {11, 22, 33, 14, 25, 36};
  rt_binary_params p;
  const void *in[2] = {a, b};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.op = RT_BINARY_ADD;
  p.dtype = RT_FLOAT;
  p.rank = 2;
  p.dims[0] = 2, p.dims[1] = 3;
  p.a_strides[0] = 3, p.a_strides[1] = 1;
  p.b_strides[0] = 0, p.b_strides[1] = 1;
  rt_binary(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(binary_broadcast_columns) {
  /* [2,1] < [3]: a column against a row gives [2,3] bools */
  const int64_t a[2] = {1, 5}, b[3] = {0, 3, 6};
  uint8_t y[6];
  const uint8_t want[6] = {0, 1, 1, 0, 0, 1};
  rt_binary_params p;
  const void *in[2] = {a, b};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.op = RT_BINARY_LESS;
  p.dtype = RT_INT64;
  p.rank = 2;
  p.dims[0] = 2, p.dims[1] = 3;
  p.a_strides[0] = 1, p.a_strides[1] = 0;
  p.b_strides[0] = 0, p.b_strides[1] = 1;
  rt_binary(&p, in, out, NULL);
  ck_assert_mem_eq(y, want, 6);
}
END_TEST

START_TEST(integer_mod_follows_divisor) {
  const int32_t a[4] = {7, -7, 7, -7}, b[4] = {3, 3, -3, -3};
  int32_t y[4];
  const int32_t want[4] = {1, 2, -2, -1};
  rt_binary_params p;
  const void *in[2] = {a, b};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.op = RT_BINARY_MOD;
  p.dtype = RT_INT32;
  p.rank = 1;
  p.dims[0] = 4;
  p.a_strides[0] = p.b_strides[0] = 1;
  rt_binary(&p, in, out, NULL);
  ck_assert_mem_eq(y, want, sizeof want);
}
END_TEST

START_TEST(clip_with_runtime_bounds) {
  const float x[4] = {-5, -1, 1, 5}, lo = -2, hi = 2;
  float y[4];
  rt_unary_params p;
  const void *in[3] = {x, &lo, &hi};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.op = RT_UNARY_CLIP;
  p.dtype = RT_FLOAT;
  p.count = 4;
  p.alpha = -INFINITY;
  p.beta = INFINITY;
  rt_unary(&p, in, out, NULL);
  ck_assert_float_eq(y[0], -2);
  ck_assert_float_eq(y[1], -1);
  ck_assert_float_eq(y[3], 2);
}
END_TEST

START_TEST(cast_half_round_trip) {
  const float x[5] = {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f};
  uint16_t h[5];
  float back[5];
  rt_cast_params p = {5, RT_FLOAT, RT_FLOAT16};
  const void *in[1] = {x};
  void *out[1] = {h};
  int i;
  rt_cast(&p, in, out, NULL);
  ck_assert_uint_eq(h[1], 0x3c00);
  ck_assert_uint_eq(h[3], 0x7bff);
  p.from = RT_FLOAT16;
  p.to = RT_FLOAT;
  in[0] = h;
  out[0] = back;
  rt_cast(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_float_eq(back[i], x[i]);
}
END_TEST

START_TEST(cast_saturates_out_of_range) {
  const float x[3] = {1e20f, -1e20f, NAN};
  int32_t y[3];
  rt_cast_params p = {3, RT_FLOAT, RT_INT32};
  const void *in[1] = {x};
  void *out[1] = {y};
  rt_cast(&p, in, out, NULL);
  ck_assert_int_eq(y[0], INT32_MAX);
  ck_assert_int_eq(y[1], INT32_MIN);
  ck_assert_int_eq(y[2], 0);
}
END_TEST

/* A valid blob with an 8-byte payload, then each way it can be broken. */
static void make_blob(unsigned char *b, uint64_t *hash) {
  int i;
  memset(b, 0, 72);
  memcpy(b, "ONNXCCW", 8);
  b[8] = 1;
  b[16] = 8;
  for (i = 0; i < 8; i++) b[64 + i] = (unsigned char)(i * 7);
  *hash = rt_fnv1a64(b + 64, 8);
  for (i = 0; i < 8; i++) b[24 + i] = (unsigned char)(*hash >> (8 * i));
}

START_TEST(blob_checks) {
  unsigned char b[72];
  uint64_t h;
  make_blob(b, &h);
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_OK);
  ck_assert_int_eq(rt_blob_check(NULL, 72, 8, h), RT_ERR_NULL);
  ck_assert_int_eq(rt_blob_check(b, 71, 8, h), RT_ERR_BLOB_SIZE);
  ck_assert_int_eq(rt_blob_check(b, 10, 8, h), RT_ERR_BLOB_SIZE);
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h ^ 1), RT_ERR_BLOB_CHECKSUM);
  b[70] ^= 0x40; /* a flipped bit in the payload */
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_CHECKSUM);
  make_blob(b, &h);
  b[0] = 'X';
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_MAGIC);
  make_blob(b, &h);
  b[8] = 9;
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_VERSION);
}
END_TEST

Suite *kernels_suite(void) {
  Suite *s = suite_create("kernels");
  TCase *tc = tcase_create("elementwise");
  tcase_add_test(tc, binary_broadcast_rows);
  tcase_add_test(tc, binary_broadcast_columns);
  tcase_add_test(tc, integer_mod_follows_divisor);
  tcase_add_test(tc, clip_with_runtime_bounds);
  tcase_add_test(tc, cast_half_round_trip);
  tcase_add_test(tc, cast_saturates_out_of_range);
  suite_add_tcase(s, tc);
  tc = tcase_create("blob");
  tcase_add_test(tc, blob_checks);
  suite_add_tcase(s, tc);
  return s;
}
