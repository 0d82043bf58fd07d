/* The bit-level ops: BitCast's kernels between sub-byte types, BitShift
 * on signed integers (BitShift-28) and BitwiseNot, on hand-computed cases
 * that include every edge the spec names: negative and too-large shift
 * counts, bits shifted past the sign, the most negative values. */
#include <stdint.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static void run1(rt_kernel_fn k, const void *params, const void *x, void *y) {
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  k(params, in, out, NULL);
}

/* The low bits of each byte, zero- or sign-extended: int4 -1 (0xff) is
 * uint4 15, uint4 8 is int4 -8, float4e2m1's 0xf (-6) is int4 -1, int2 -2
 * is uint2 2, uint2 3 is int2 -1. */
START_TEST(bitcast_sub_byte) {
  const rt_bitcast_params p = {4};
  const int8_t i4[4] = {-1, -8, 7, 0};
  const uint8_t u4[4] = {15, 8, 7, 0}, f4[4] = {0xf, 0x8, 0x7, 0x1};
  const int8_t f4_as_i4[4] = {-1, -8, 7, 1};
  const int8_t i2[4] = {-2, -1, 0, 1};
  const uint8_t u2[4] = {2, 3, 0, 1};
  uint8_t yu[4];
  int8_t yi[4];
  run1(rt_bitcast_to_u4, &p, i4, yu);
  ck_assert_mem_eq(yu, u4, 4);
  run1(rt_bitcast_to_i4, &p, u4, yi);
  ck_assert_mem_eq(yi, i4, 4);
  run1(rt_bitcast_to_i4, &p, f4, yi);
  ck_assert_mem_eq(yi, f4_as_i4, 4);
  run1(rt_bitcast_to_u2, &p, i2, yu);
  ck_assert_mem_eq(yu, u2, 4);
  run1(rt_bitcast_to_i2, &p, u2, yi);
  ck_assert_mem_eq(yi, i2, 4);
}
END_TEST

static rt_binary_params same_shape(int64_t n) {
  rt_binary_params p;
  memset(&p, 0, sizeof p);
  p.rank = 1;
  p.dims[0] = n;
  p.a_strides[0] = p.b_strides[0] = 1;
  return p;
}

static void run2(rt_kernel_fn k, int64_t n, const void *a, const void *b, void *y) {
  const rt_binary_params p = same_shape(n);
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[RT_MIN_ARGS] = {y};
  k(&p, in, out, NULL);
}

/* Right: arithmetic (-7 >> 1 is -4); a count of at least 8, or negative,
 * leaves -1 for a negative value and 0 otherwise. Left: bits pass the
 * sign and are dropped (64 << 1 is -128, -128 << 1 is 0). */
START_TEST(bitshift_signed_int8) {
  const int8_t a[6] = {-128, -1, -7, 64, -5, 5}, b[6] = {1, 7, 1, 8, -1, -3};
  const int8_t want_r[6] = {-64, -1, -4, 0, -1, 0};
  const int8_t la[6] = {-1, 64, 1, -128, 3, -3}, lb[6] = {1, 1, 7, 1, 8, -1};
  const int8_t want_l[6] = {-2, -128, -128, 0, 0, 0};
  int8_t y[6];
  run2(rt_bitshift_right_i8, 6, a, b, y);
  ck_assert_mem_eq(y, want_r, 6);
  run2(rt_bitshift_left_i8, 6, la, lb, y);
  ck_assert_mem_eq(y, want_l, 6);
}
END_TEST

/* The 64-bit edges: INT64_MIN >> 63 is -1, >> 64 too; << 1 is 0;
 * a right shift of a positive value by 63 is 0. */
START_TEST(bitshift_signed_int64) {
  const int64_t a[4] = {INT64_MIN, INT64_MIN, INT64_MAX, -2}, b[4] = {63, 64, 63, 1};
  const int64_t want_r[4] = {-1, -1, 0, -1};
  const int64_t la[3] = {INT64_MIN, 1, -1}, lb[3] = {1, 63, 63};
  const int64_t want_l[3] = {0, INT64_MIN, INT64_MIN};
  int64_t y[4];
  run2(rt_bitshift_right_i64, 4, a, b, y);
  ck_assert_mem_eq(y, want_r, sizeof want_r);
  run2(rt_bitshift_left_i64, 3, la, lb, y);
  ck_assert_mem_eq(y, want_l, sizeof want_l);
}
END_TEST

/* Unsigned counts of the width or more give 0 (unchanged behaviour). */
START_TEST(bitshift_unsigned_edges) {
  const uint8_t a[3] = {0x81, 0xff, 1}, b[3] = {1, 8, 7};
  const uint8_t want_r[3] = {0x40, 0, 0}, want_l[3] = {0x02, 0, 0x80};
  uint8_t y[3];
  run2(rt_bitshift_right_u8, 3, a, b, y);
  ck_assert_mem_eq(y, want_r, 3);
  run2(rt_bitshift_left_u8, 3, a, b, y);
  ck_assert_mem_eq(y, want_l, 3);
}
END_TEST

/* ~x in the type's width, on signed and unsigned types. */
START_TEST(bitwise_not_ints) {
  rt_unary_params p;
  const int8_t a[4] = {0, -1, 127, -128}, want_a[4] = {-1, 0, -128, 127};
  const uint16_t b[3] = {0, 0xffff, 0x1234}, want_b[3] = {0xffff, 0, 0xedcb};
  const int64_t c[2] = {INT64_MIN, 5}, want_c[2] = {INT64_MAX, -6};
  int8_t ya[4];
  uint16_t yb[3];
  int64_t yc[2];
  memset(&p, 0, sizeof p);
  p.count = 4;
  run1(rt_bitwise_not_i8, &p, a, ya);
  ck_assert_mem_eq(ya, want_a, 4);
  p.count = 3;
  run1(rt_bitwise_not_u16, &p, b, yb);
  ck_assert_mem_eq(yb, want_b, sizeof want_b);
  p.count = 2;
  run1(rt_bitwise_not_i64, &p, c, yc);
  ck_assert_mem_eq(yc, want_c, sizeof want_c);
}
END_TEST

Suite *bitcast_suite(void) {
  Suite *s = suite_create("bitcast");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, bitcast_sub_byte);
  tcase_add_test(tc, bitshift_signed_int8);
  tcase_add_test(tc, bitshift_signed_int64);
  tcase_add_test(tc, bitshift_unsigned_edges);
  tcase_add_test(tc, bitwise_not_ints);
  suite_add_tcase(s, tc);
  return s;
}
