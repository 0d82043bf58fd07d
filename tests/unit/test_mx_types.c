/* The element types of opsets 23 to 25: float4e2m1, float8e8m0, int2 and
 * uint2 (one element per byte in memory), through Cast and Q/DQ.
 *
 * Every expected value is worked out by hand from the formats: e2m1 is
 * S.EE.M with bias 1 (0, 0.5, 1, 1.5, 2, 3, 4, 6), rounding to nearest
 * even and always saturating (NaN gives 6, ONNX's float4 table); e8m0 is
 * 2^(b - 127) with 0xff NaN, rounded up / down / to nearest from the
 * float's exponent as ONNX's reference does; int2 / uint2 clamp to -2..1 /
 * 0..3 and round to nearest even, as int4 does. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* Runs a cast kernel over n elements with saturate and round_mode. */
static void cast_mode(rt_kernel_fn k, const void *x, void *y, int64_t n, int saturate, int mode) {
  rt_cast_params p = {n, saturate, mode};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  k(&p, in, out, NULL);
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* All 16 codes decode to the format's table, -0 keeping its sign. */
START_TEST(float4_decodes_every_code) {
  const float want[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  uint8_t codes[16];
  float y[16];
  double yd[16];
  int i;
  for (i = 0; i < 16; i++) codes[i] = (uint8_t)i;
  cast_mode(rt_cast_f4e2m1_f32, codes, y, 16, 1, RT_ROUND_UP);
  cast_mode(rt_cast_f4e2m1_f64, codes, yd, 16, 1, RT_ROUND_UP);
  for (i = 0; i < 16; i++) {
    ck_assert_msg(same_bits(y[i], want[i]), "code %d gave %g", i, (double)y[i]);
    ck_assert(yd[i] == (double)want[i]);
  }
  ck_assert(signbit(y[8]));
}
END_TEST

/* Ties go to the even code; past 6 (and infinities, and NaN) is 6 with
 * either saturate; float subnormals are 0. */
START_TEST(float4_rounds_and_saturates) {
  const float x[17] = {0.25f, 0.26f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, 5.01f, 7.0f,
                       1e30f, INFINITY, -INFINITY, NAN, -0.0f, -2.5f, 1e-40f};
  const uint8_t want[17] = {0x0, 0x1, 0x2, 0x2, 0x4, 0x4, 0x6, 0x6, 0x7, 0x7, 0x7, 0x7, 0xf, 0x7, 0x8, 0xc, 0x0};
  uint8_t y[17];
  int sat;
  for (sat = 0; sat < 2; sat++) {
    cast_mode(rt_cast_f32_f4e2m1, x, y, 17, sat, RT_ROUND_UP);
    ck_assert_mem_eq(y, want, 17);
  }
}
END_TEST

/* 2^(b - 127): b 0 is the float subnormal 2^-127, 0xff NaN. */
START_TEST(e8m0_decodes) {
  const uint8_t b[5] = {0, 127, 128, 254, 255};
  float y[5];
  cast_mode(rt_cast_f8e8m0_f32, b, y, 5, 1, RT_ROUND_UP);
  ck_assert(y[0] == ldexpf(1.0f, -127));
  ck_assert(y[1] == 1.0f && y[2] == 2.0f && y[3] == ldexpf(1.0f, 127));
  ck_assert(isnan(y[4]));
}
END_TEST

/* From float, per round mode: 1.1 is between 2^0 (127) and 2^1 (128),
 * 3 = 1.5 * 2 a half way up its binade (nearest rounds it up, as does
 * 1.5), 1.25 below it. -2 reads as 2 (the sign is dropped). */
START_TEST(e8m0_round_modes) {
  const float x[7] = {1.0f, 1.1f, 3.0f, 1.5f, 1.25f, -2.0f, 0.0f};
  const uint8_t up[7] = {127, 128, 129, 128, 128, 128, 0};
  const uint8_t down[7] = {127, 127, 128, 127, 127, 128, 0};
  const uint8_t nearest[7] = {127, 127, 129, 128, 127, 128, 0};
  uint8_t y[7];
  cast_mode(rt_cast_f32_f8e8m0, x, y, 7, 1, RT_ROUND_UP);
  ck_assert_mem_eq(y, up, 7);
  cast_mode(rt_cast_f32_f8e8m0, x, y, 7, 1, RT_ROUND_DOWN);
  ck_assert_mem_eq(y, down, 7);
  cast_mode(rt_cast_f32_f8e8m0, x, y, 7, 1, RT_ROUND_NEAREST);
  ck_assert_mem_eq(y, nearest, 7);
}
END_TEST

/* The edges: NaN stays NaN; infinity and a value rounding past 2^127 are
 * 2^127 with saturate, NaN without; 0 is code 0 with saturate and NaN
 * without (Cast's table); 2^-127 (a float subnormal, exponent field 0)
 * rounds up to 2^-126 as ONNX's reference has it, and to nearest stays. */
START_TEST(e8m0_edges) {
  const float x[5] = {NAN, INFINITY, FLT_MAX, 0.0f, 0x1p-127f};
  const uint8_t sat[5] = {0xff, 0xfe, 0xfe, 0x00, 0x01}, nosat[5] = {0xff, 0xff, 0xff, 0xff, 0x01};
  uint8_t y[5];
  cast_mode(rt_cast_f32_f8e8m0, x, y, 5, 1, RT_ROUND_UP);
  ck_assert_mem_eq(y, sat, 5);
  cast_mode(rt_cast_f32_f8e8m0, x, y, 5, 0, RT_ROUND_UP);
  ck_assert_mem_eq(y, nosat, 5);
  cast_mode(rt_cast_f32_f8e8m0, x + 2, y, 1, 0, RT_ROUND_DOWN);
  ck_assert_uint_eq(y[0], 0xfe);
  cast_mode(rt_cast_f32_f8e8m0, x + 4, y, 1, 1, RT_ROUND_NEAREST);
  ck_assert_uint_eq(y[0], 0x00);
}
END_TEST

/* Clamp to the range, then round to nearest even (-1.5 to -2, 0.5 to 0);
 * NaN 0; from an integer type saturating too; back exactly. */
START_TEST(int2_casts_clamp_and_round) {
  const float x[8] = {-3.0f, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.0f, NAN};
  const int8_t want_i2[8] = {-2, -2, -2, 0, 0, 1, 1, 0};
  const float xu[7] = {-1.0f, 0.5f, 1.5f, 2.5f, 3.5f, 10.0f, NAN};
  const uint8_t want_u2[7] = {0, 0, 2, 2, 3, 3, 0};
  const int32_t xi[4] = {-100, -2, 1, 100};
  const int8_t want_i2i[4] = {-2, -2, 1, 1}, i2[4] = {-2, -1, 0, 1};
  int8_t y8[8];
  uint8_t u8[7];
  float back[4];
  cast_mode(rt_cast_f32_i2, x, y8, 8, 1, RT_ROUND_UP);
  ck_assert_mem_eq(y8, want_i2, 8);
  cast_mode(rt_cast_f32_u2, xu, u8, 7, 1, RT_ROUND_UP);
  ck_assert_mem_eq(u8, want_u2, 7);
  cast_mode(rt_cast_i32_i2, xi, y8, 4, 1, RT_ROUND_UP);
  ck_assert_mem_eq(y8, want_i2i, 4);
  cast_mode(rt_cast_i2_f32, i2, back, 4, 1, RT_ROUND_UP);
  ck_assert(back[0] == -2.0f && back[1] == -1.0f && back[2] == 0.0f && back[3] == 1.0f);
  cast_mode(rt_cast_i2_i8, i2, y8, 4, 1, RT_ROUND_UP);
  ck_assert_mem_eq(y8, i2, 4);
}
END_TEST

static rt_qlinear_params one_scale(int64_t count) {
  rt_qlinear_params p;
  memset(&p, 0, sizeof p);
  p.outer = p.n = p.block = 1;
  p.inner = count;
  p.saturate = 1;
  return p;
}

/* round(x / 2) + zero point, clamped: int2 with zero point -1, uint2 with
 * 1; DequantizeLinear back. */
START_TEST(quantize_int2_uint2) {
  const float x[5] = {0.0f, 2.0f, 3.0f, -6.0f, 100.0f}, scale = 2.0f;
  const int8_t zp = -1, want[5] = {-1, 0, 1, -2, 1};
  const float want_back[5] = {0.0f, 2.0f, 4.0f, -2.0f, 4.0f};
  const float xu[4] = {0.0f, 2.0f, -4.0f, 9.0f};
  const uint8_t zpu = 1, want_u[4] = {1, 2, 0, 3};
  int8_t q[5];
  uint8_t qu[4];
  float back[5];
  rt_qlinear_params p = one_scale(5);
  const void *in[RT_MIN_ARGS] = {x, &scale, &zp};
  void *out[RT_MIN_ARGS] = {q};
  rt_quantize_f32_i2(&p, in, out, NULL);
  ck_assert_mem_eq(q, want, 5);
  in[0] = q;
  out[0] = back;
  rt_dequantize_i2_f32(&p, in, out, NULL);
  ck_assert_mem_eq(back, want_back, sizeof back);
  p = one_scale(4);
  in[0] = xu;
  in[2] = &zpu;
  out[0] = qu;
  rt_quantize_f32_u2(&p, in, out, NULL);
  ck_assert_mem_eq(qu, want_u, 4);
}
END_TEST

/* float4e2m1: x / scale plus the zero point's value (code 0x2, 1.0), cast
 * saturating: 1.5, 3.5 (a tie, to 4), -14 (to -6), 1.25 (a tie, to 1).
 * DequantizeLinear: (decoded x - decoded zero point) * scale. */
START_TEST(quantize_float4) {
  const float x[4] = {1.0f, 5.0f, -30.0f, 0.5f}, scale = 2.0f, want_back[4] = {1.0f, 6.0f, -14.0f, 0.0f};
  const uint8_t zp = 0x2, want[4] = {0x3, 0x6, 0xf, 0x2};
  uint8_t q[4];
  float back[4];
  rt_qlinear_params p = one_scale(4);
  const void *in[RT_MIN_ARGS] = {x, &scale, &zp};
  void *out[RT_MIN_ARGS] = {q};
  rt_quantize_f32_f4e2m1(&p, in, out, NULL);
  ck_assert_mem_eq(q, want, 4);
  in[0] = q;
  out[0] = back;
  rt_dequantize_f4e2m1_f32(&p, in, out, NULL);
  ck_assert_mem_eq(back, want_back, sizeof back);
}
END_TEST

Suite *mx_types_suite(void) {
  Suite *s = suite_create("mx_types");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, float4_decodes_every_code);
  tcase_add_test(tc, float4_rounds_and_saturates);
  tcase_add_test(tc, e8m0_decodes);
  tcase_add_test(tc, e8m0_round_modes);
  tcase_add_test(tc, e8m0_edges);
  tcase_add_test(tc, int2_casts_clamp_and_round);
  tcase_add_test(tc, quantize_int2_uint2);
  tcase_add_test(tc, quantize_float4);
  suite_add_tcase(s, tc);
  return s;
}
