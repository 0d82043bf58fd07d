/* Quantization kernels (quant.h) on hand-computed cases: rounding half to
 * even at exact ties, saturation at both ends of each output type, the
 * scale and zero point of each element per tensor, per axis and per
 * block, and the zero points and requantization of the integer products. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* Per tensor over count elements. */
static rt_qlinear_params per_tensor(int64_t count) {
  rt_qlinear_params p;
  memset(&p, 0, sizeof p);
  p.outer = p.n = p.block = 1;
  p.inner = count;
  return p;
}

START_TEST(quantize_rounds_half_to_even) {
  /* x / 2 lands exactly on .5: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4 and
   * the negatives likewise */
  const float x[8] = {1, 3, 5, 7, -1, -3, -5, -7}, scale = 2;
  const int8_t want[8] = {0, 2, 2, 4, 0, -2, -2, -4};
  int8_t y[8];
  rt_qlinear_params p = per_tensor(8);
  const void *in[8] = {x, &scale, NULL};
  void *out[8] = {y};
  int i;
  rt_quantize_f32_i8(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(quantize_saturates_both_ends) {
  const float x[4] = {1e6f, -1e6f, INFINITY, -INFINITY}, scale = 1;
  const uint8_t zu8 = 128;
  const int8_t zi8 = -3;
  uint8_t u8[4];
  int8_t i8[4];
  int16_t i16[4];
  uint16_t u16[4];
  rt_qlinear_params p = per_tensor(4);
  const void *in[8] = {x, &scale, &zu8};
  void *out[8] = {u8};
  rt_quantize_f32_u8(&p, in, out, NULL);
  ck_assert_int_eq(u8[0], 255);
  ck_assert_int_eq(u8[1], 0);
  ck_assert_int_eq(u8[2], 255);
  ck_assert_int_eq(u8[3], 0);
  in[2] = &zi8;
  out[0] = i8;
  rt_quantize_f32_i8(&p, in, out, NULL);
  ck_assert_int_eq(i8[0], 127);
  ck_assert_int_eq(i8[1], -128);
  in[2] = NULL; /* no zero point: 0 */
  out[0] = i16;
  rt_quantize_f32_i16(&p, in, out, NULL);
  ck_assert_int_eq(i16[0], 32767);
  ck_assert_int_eq(i16[1], -32768);
  out[0] = u16;
  rt_quantize_f32_u16(&p, in, out, NULL);
  ck_assert_int_eq(u16[0], 65535);
  ck_assert_int_eq(u16[1], 0);
  ck_assert_int_eq(u16[3], 0);
}
END_TEST

START_TEST(quantize_per_axis) {
  /* x [2, 3, 2] all 8, axis 1: scales 1, 2, 4 and zero points 0, 10, 20 */
  float x[12];
  const float scale[3] = {1, 2, 4};
  const uint8_t zp[3] = {0, 10, 20};
  const uint8_t want[3] = {8, 14, 22};
  uint8_t y[12];
  rt_qlinear_params p = {2, 3, 2, 1, 0, 1, 0, 1};
  const void *in[8] = {x, scale, zp};
  void *out[8] = {y};
  int i;
  for (i = 0; i < 12; i++) x[i] = 8;
  rt_quantize_f32_u8(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y[i], want[(i / 2) % 3]);
}
END_TEST

START_TEST(quantize_blocked) {
  /* x [2, 4] all 8, blocks of 2 along axis 1: scale [[1, 2], [4, 8]] */
  float x[8];
  const float scale[4] = {1, 2, 4, 8};
  const int8_t zp[4] = {0, 0, 0, -1};
  const int8_t want_last[8] = {8, 8, 4, 4, 2, 2, 0, 0};
  /* x [4, 2], blocks of 2 along axis 0: row i takes scale row i / 2 */
  const int8_t want_first[8] = {8, 4, 8, 4, 2, 0, 2, 0};
  int8_t y[8];
  rt_qlinear_params last = {2, 4, 1, 2, 2, 1, 1, 1}, first = {1, 4, 2, 2, 4, 2, 1, 1};
  const void *in[8] = {x, scale, zp};
  void *out[8] = {y};
  int i;
  for (i = 0; i < 8; i++) x[i] = 8;
  rt_quantize_f32_i8(&last, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want_last[i]);
  rt_quantize_f32_i8(&first, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want_first[i]);
}
END_TEST

START_TEST(quantize_half_inputs) {
  /* float16: 3.0 (0x4200) / 2.0 (0x4000) = 1.5 -> 2; bfloat16 5.0 (0x40a0)
   * / 2.0 (0x4000) = 2.5 -> 2 */
  const uint16_t xh = 0x4200, sh = 0x4000, xb = 0x40a0, sb = 0x4000;
  uint8_t y;
  rt_qlinear_params p = per_tensor(1);
  const void *in[8] = {&xh, &sh, NULL};
  void *out[8] = {&y};
  rt_quantize_f16_u8(&p, in, out, NULL);
  ck_assert_int_eq(y, 2);
  in[0] = &xb;
  in[1] = &sb;
  rt_quantize_bf16_u8(&p, in, out, NULL);
  ck_assert_int_eq(y, 2);
}
END_TEST

START_TEST(dequantize_zero_points_and_types) {
  const uint8_t x[3] = {0, 128, 255}, zp = 128;
  const float scale = 0.5f;
  const int32_t big[2] = {INT32_MIN, INT32_MAX};
  const uint16_t half_scale = 0x3c00; /* 1.0 */
  uint16_t yh[3];
  float y[3];
  rt_qlinear_params p = per_tensor(3);
  const void *in[8] = {x, &scale, &zp};
  void *out[8] = {y};
  rt_dequantize_u8_f32(&p, in, out, NULL);
  ck_assert_float_eq(y[0], -64);
  ck_assert_float_eq(y[1], 0);
  ck_assert_float_eq(y[2], 63.5f);
  /* int32 without a zero point reaches both ends */
  p = per_tensor(2);
  in[0] = big;
  in[2] = NULL;
  rt_dequantize_i32_f32(&p, in, out, NULL);
  ck_assert_float_eq(y[0], -1073741824.0f);
  ck_assert_float_eq(y[1], 1073741824.0f); /* INT32_MAX rounds to 2^31 in float */
  /* float16 scale and output: 255 - 128 = 127 (0x57f0) */
  p = per_tensor(3);
  in[0] = x;
  in[1] = &half_scale;
  in[2] = &zp;
  out[0] = yh;
  rt_dequantize_u8_f16(&p, in, out, NULL);
  ck_assert_int_eq(yh[2], 0x57f0);
  ck_assert_int_eq(yh[1], 0);
}
END_TEST

START_TEST(dequantize_per_axis_and_blocked) {
  /* x [2, 2] of int8 -4: per axis 0 scales 1, 3 with zero points 0, -2 */
  const int8_t x[4] = {-4, -4, -4, -4}, zp[2] = {0, -2};
  const float scale[2] = {1, 3};
  float y[4];
  rt_qlinear_params axis0 = {1, 2, 2, 1, 0, 1, 0, 1};
  /* blocked: blocks of 2 along axis 1, one block per row: scale [2, 1] */
  rt_qlinear_params blocked = {2, 2, 1, 2, 1, 1, 1, 1};
  const void *in[8] = {x, scale, zp};
  void *out[8] = {y};
  rt_dequantize_i8_f32(&axis0, in, out, NULL);
  ck_assert_float_eq(y[0], -4);
  ck_assert_float_eq(y[1], -4);
  ck_assert_float_eq(y[2], -6);
  ck_assert_float_eq(y[3], -6);
  rt_dequantize_i8_f32(&blocked, in, out, NULL);
  ck_assert_float_eq(y[1], -4);
  ck_assert_float_eq(y[2], -6);
}
END_TEST

START_TEST(dynamic_quantize_range_holds_zero) {
  /* range [-1, 255]: scale 256 / 255, zero point round(255 / 256) = 1 */
  const float x[4] = {0, 2, -1, 255};
  const uint8_t want[4] = {1, 3, 0, 255};
  const float zeros[2] = {0, 0};
  uint8_t y[4], zp;
  float scale;
  rt_dynquant_params p = {4};
  const void *in[8] = {x};
  void *out[8] = {y, &scale, &zp};
  int i;
  rt_dynquant_f32_u8(&p, in, out, NULL);
  ck_assert_float_eq(scale, 256.0f / 255.0f);
  ck_assert_int_eq(zp, 1);
  for (i = 0; i < 4; i++) ck_assert_int_eq(y[i], want[i]);
  /* an empty range takes scale 1, as ONNX Runtime has it */
  p.count = 2;
  in[0] = zeros;
  rt_dynquant_f32_u8(&p, in, out, NULL);
  ck_assert_float_eq(scale, 1);
  ck_assert_int_eq(zp, 0);
  ck_assert_int_eq(y[0], 0);
}
END_TEST

static rt_qmatmul_params matrix(int64_t M, int64_t N, int64_t K) {
  rt_qmatmul_params p;
  memset(&p, 0, sizeof p);
  p.M = M;
  p.N = N;
  p.K = K;
  return p;
}

START_TEST(matmul_integer_zero_points) {
  /* A (uint8) [[1, 2, 3], [4, 5, 6]] minus row zero points 1, 4:
   * [[0, 1, 2], [0, 1, 2]]; B (int8) [[1, -1], [2, -2], [3, -3]] minus
   * column zero points 1, -1: [[0, 0], [1, -1], [2, -2]] */
  const uint8_t a[6] = {1, 2, 3, 4, 5, 6}, azp[2] = {1, 4};
  const int8_t b[6] = {1, -1, 2, -2, 3, -3}, bzp[2] = {1, -1};
  int32_t y[4];
  rt_qmatmul_params p = matrix(2, 2, 3);
  const void *in[8] = {a, b, azp, bzp};
  void *out[8] = {y};
  p.a_zp_rows = p.b_zp_cols = 1;
  rt_matmul_int_u8_i8(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 5);
  ck_assert_int_eq(y[1], -5);
  ck_assert_int_eq(y[2], 5);
  ck_assert_int_eq(y[3], -5);
  /* no zero points: plain products */
  in[2] = in[3] = NULL;
  rt_matmul_int_u8_i8(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 1 + 4 + 9);
  ck_assert_int_eq(y[3], -(4 + 10 + 18));
}
END_TEST

START_TEST(matmul_integer_broadcast_batch) {
  /* A [2, 1, 2] against one B [2, 1] (b_strides 0) */
  const int8_t a[4] = {1, 2, -3, 4}, b[2] = {5, 6};
  int32_t y[2];
  rt_qmatmul_params p = matrix(1, 1, 2);
  const void *in[8] = {a, b};
  void *out[8] = {y};
  p.batch_rank = 1;
  p.batch_dims[0] = 2;
  p.a_strides[0] = 2;
  rt_matmul_int_i8_i8(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 17);
  ck_assert_int_eq(y[1], 9);
}
END_TEST

START_TEST(qlinear_matmul_requantizes) {
  /* one product per call: a * b * (0.5 * 1 / 1), ties to even, + zp */
  int8_t a, b = 1, y, zero = 0, yzp = 0;
  float as = 0.5f, bs = 1, ys = 1;
  int32_t scratch[1];
  rt_qmatmul_params p = matrix(1, 1, 1);
  const void *in[8] = {&a, &as, &zero, &b, &bs, &zero, &ys, &yzp};
  void *out[8] = {&y};
  a = 3; /* 1.5 -> 2 */
  rt_qlinear_matmul_i8_i8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y, 2);
  a = 5; /* 2.5 -> 2 */
  rt_qlinear_matmul_i8_i8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y, 2);
  a = -7; /* -3.5 -> -4, + zero point 3 */
  yzp = 3;
  rt_qlinear_matmul_i8_i8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y, -1);
  /* saturation: 127 * 127 * 0.5 and its negative */
  a = 127;
  b = 127;
  rt_qlinear_matmul_i8_i8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y, 127);
  b = -127;
  rt_qlinear_matmul_i8_i8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y, -128);
}
END_TEST

START_TEST(qlinear_matmul_per_column_scales) {
  /* uint8 A [[10]] with zero point 2, B [[1, 1]] with per-column scales
   * 0.25, 0.5 and zero points 0, 255: (8 * 1) * 0.25 = 2 and
   * (8 * -254) * 0.5 = -1016, saturated to 0 */
  const uint8_t a = 10, azp = 2, b[2] = {1, 1}, bzp[2] = {0, 255}, yzp = 0;
  const float as = 1, bs[2] = {0.25f, 0.5f}, ys = 1;
  uint8_t y[2];
  int32_t scratch[2];
  rt_qmatmul_params p = matrix(1, 2, 1);
  const void *in[8] = {&a, &as, &azp, b, bs, bzp, &ys, &yzp};
  void *out[8] = {y};
  p.b_zp_cols = p.b_scale_cols = 1;
  rt_qlinear_matmul_u8_u8_f32(&p, in, out, scratch);
  ck_assert_int_eq(y[0], 2);
  ck_assert_int_eq(y[1], 0);
}
END_TEST

/* A 1-D convolution of one channel: 4 inputs, kernel 3, pads 1 and 1. */
static rt_qconv_params conv1d(void) {
  rt_qconv_params p;
  memset(&p, 0, sizeof p);
  p.nd = 1;
  p.group = 1;
  p.batch = p.in_ch = p.out_ch = 1;
  p.in_dims[0] = 4;
  p.out_dims[0] = 4;
  p.kernel[0] = 3;
  p.strides[0] = p.dilations[0] = 1;
  p.pads[0] = 1;
  return p;
}

START_TEST(conv_integer_padding_adds_nothing) {
  /* x - 1 = [0, 1, 2, 3], w - 1 = [1, 0, -1]: y[o] = x'[o-1] - x'[o+1],
   * the padding reading as the zero point (0 after subtraction) */
  const uint8_t x[4] = {1, 2, 3, 4}, xzp = 1;
  const int8_t w[3] = {2, 1, 0}, wzp = 1;
  const int32_t want[4] = {-1, -2, -2, 2};
  int32_t y[4];
  rt_qconv_params p = conv1d();
  const void *in[8] = {x, w, &xzp, &wzp};
  void *out[8] = {y};
  int64_t scratch[64];
  int i;
  ck_assert_uint_le(rt_qconv_scratch_bytes(&p), sizeof scratch);
  rt_conv_int_u8_i8(&p, in, out, scratch);
  for (i = 0; i < 4; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(qlinear_conv_bias_and_channels) {
  /* two output channels of a 1x1 kernel over x' = x - 1 = [0, 1, 2, 3]:
   * channel 0 weight 1 (scale 0.5, bias 1), channel 1 weight -1 (scale 1,
   * bias 0), y zero point 10 */
  const uint8_t x[4] = {1, 2, 3, 4}, xzp = 1, yzp = 10;
  const int8_t w[2] = {1, -1}, wzp[2] = {0, 0};
  const float xs = 1, ws[2] = {0.5f, 1}, ys = 1;
  const int32_t bias[2] = {1, 0};
  /* channel 0: (x' + 1) * 0.5 = 0.5, 1, 1.5, 2 -> 0, 1, 2, 2 (+ 10) */
  const uint8_t want[8] = {10, 11, 12, 12, 10, 9, 8, 7};
  uint8_t y[8];
  rt_qconv_params p = conv1d();
  const void *in[9] = {x, &xs, &xzp, w, ws, wzp, &ys, &yzp, bias};
  void *out[8] = {y};
  int64_t scratch[64];
  int i;
  p.out_ch = 2;
  p.kernel[0] = 1;
  p.pads[0] = 0;
  p.has_bias = 1;
  p.w_zp_channels = p.w_scale_channels = 1;
  ck_assert_uint_le(rt_qconv_scratch_bytes(&p), sizeof scratch);
  rt_qlinear_conv_u8_i8(&p, in, out, scratch);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

/* ConvInteger over 2 batch entries, 2 groups, stride 2, dilation 2,
 * uneven pads and 9x10 outputs per channel (more than one block of
 * unfolded columns), against the sum written out in full. */
START_TEST(conv_integer_2d_groups_strides_match_direct_sums) {
  enum { B = 2, C = 4, OC = 6, H = 17, W = 19, KH = 3, KW = 2, G = 2, OH = 9, OW = 10 };
  static int8_t x[B * C * H * W], w[OC * (C / G) * KH * KW];
  static int32_t y[B * OC * OH * OW];
  static int64_t scratch[4096];
  const int8_t xzp = -3, wzp[OC] = {0, 1, -2, 3, -4, 5};
  const void *in[8] = {x, w, &xzp, wzp};
  void *out[8] = {y};
  rt_qconv_params p;
  int b, oc, oh, ow, ic, kh, kw, i;
  memset(&p, 0, sizeof p);
  p.nd = 2;
  p.group = G;
  p.batch = B;
  p.in_ch = C;
  p.out_ch = OC;
  p.in_dims[0] = H, p.in_dims[1] = W;
  p.out_dims[0] = OH, p.out_dims[1] = OW;
  p.kernel[0] = KH, p.kernel[1] = KW;
  p.strides[0] = p.strides[1] = 2;
  p.dilations[0] = p.dilations[1] = 2;
  p.pads[0] = 1, p.pads[1] = 0;
  p.w_zp_channels = 1;
  for (i = 0; i < (int)sizeof x; i++) x[i] = (int8_t)((i * 37 + 11) % 256 - 128);
  for (i = 0; i < (int)sizeof w; i++) w[i] = (int8_t)((i * 53 + 7) % 256 - 128);
  ck_assert_uint_le(rt_qconv_scratch_bytes(&p), sizeof scratch);
  rt_conv_int_i8_i8(&p, in, out, scratch);
  for (b = 0; b < B; b++)
    for (oc = 0; oc < OC; oc++)
      for (oh = 0; oh < OH; oh++)
        for (ow = 0; ow < OW; ow++) {
          int32_t want = 0;
          const int g = oc / (OC / G);
          for (ic = 0; ic < C / G; ic++)
            for (kh = 0; kh < KH; kh++)
              for (kw = 0; kw < KW; kw++) {
                const int ih = oh * 2 - 1 + kh * 2, iw = ow * 2 + kw * 2;
                const int xv = ih < 0 || ih >= H || iw >= W ? 0
                               : x[((b * C + g * (C / G) + ic) * H + ih) * W + iw] - xzp;
                want += xv * (w[((oc * (C / G) + ic) * KH + kh) * KW + kw] - wzp[oc]);
              }
          ck_assert_int_eq(y[((b * OC + oc) * OH + oh) * OW + ow], want);
        }
}
END_TEST

Suite *quant_suite(void) {
  Suite *s = suite_create("quant");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, quantize_rounds_half_to_even);
  tcase_add_test(tc, conv_integer_2d_groups_strides_match_direct_sums);
  tcase_add_test(tc, quantize_saturates_both_ends);
  tcase_add_test(tc, quantize_per_axis);
  tcase_add_test(tc, quantize_blocked);
  tcase_add_test(tc, quantize_half_inputs);
  tcase_add_test(tc, dequantize_zero_points_and_types);
  tcase_add_test(tc, dequantize_per_axis_and_blocked);
  tcase_add_test(tc, dynamic_quantize_range_holds_zero);
  tcase_add_test(tc, matmul_integer_zero_points);
  tcase_add_test(tc, matmul_integer_broadcast_batch);
  tcase_add_test(tc, qlinear_matmul_requantizes);
  tcase_add_test(tc, qlinear_matmul_per_column_scales);
  tcase_add_test(tc, conv_integer_padding_adds_nothing);
  tcase_add_test(tc, qlinear_conv_bias_and_channels);
  suite_add_tcase(s, tc);
  return s;
}
