/* DynamicQuantizeLSTM kernels on small hand-computed cases: batch 1,
 * input 1, hidden 1, so each gate is one product and every quantization
 * step can be followed by hand. Tolerances cover the float LSTM's
 * approximate exp and tanh. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

static float sig(float v) { return 1.0f / (1.0f + expf(-v)); }

/* One cell step from gate pre-activations i, o, f, c. */
static void cell(float i, float o, float f, float g, float *h, float *c) {
  *c = sig(f) * *c + sig(i) * tanhf(g);
  *h = sig(o) * tanhf(*c);
}

static void params_1x1(rt_dqlstm_params *p, int64_t seq, int dirs) {
  memset(p, 0, sizeof *p);
  p->seq = seq, p->batch = 1, p->input = 1, p->hidden = 1, p->num_dirs = dirs;
}

START_TEST(one_step_per_tensor) {
  /* x = 2: its range [0, 2] gives scale 2/255, zero point 0, code 255,
   * which dequantizes to 2. W (uint8, zero point 128, scale 0.01) is
   * i, o, f, c = 1, 0.5, 0, -1; h0 = 0 quantizes to 0 (scale 1). */
  const float x[1] = {2}, ws[1] = {0.01f}, rs[1] = {0.5f};
  const uint8_t w[4] = {228, 178, 128, 28}, r[4] = {255, 0, 3, 9}, wz[1] = {128}, rz[1] = {128};
  float y[1], yh[1], yc[1], h = 0, c = 0;
  unsigned char scratch[RT_DQLSTM_SCRATCH(1, 1, 1)];
  const void *in[12] = {x, w, r, NULL, NULL, NULL, NULL, NULL, ws, wz, rs, rz};
  void *out[8] = {y, yh, yc};
  rt_dqlstm_params p;
  params_1x1(&p, 1, 1);
  rt_dqlstm_f32_u8(&p, in, out, scratch);
  cell(2, 1, 0, -2, &h, &c);
  ck_assert_float_eq_tol(y[0], h, 1e-5f);
  ck_assert_float_eq_tol(yh[0], h, 1e-5f);
  ck_assert_float_eq_tol(yc[0], c, 1e-5f);
}
END_TEST

START_TEST(per_channel_scales_and_bias) {
  /* int8 W = 100, 50, 0, -100 with one scale per gate 0.01, 0.02, 0.03,
   * 0.04: x = 2 gives 2, 2, 0, -8; the bias adds Wb + Rb = 0.5, 0, 1, 0. */
  const float x[1] = {2}, ws[4] = {0.01f, 0.02f, 0.03f, 0.04f}, rs[4] = {1, 1, 1, 1};
  const float b[8] = {0.25f, 0, 0.5f, 0, 0.25f, 0, 0.5f, 0};
  const int8_t w[4] = {100, 50, 0, -100}, r[4] = {7, 7, 7, 7}, wz[4] = {0}, rz[4] = {0};
  float yh[1], yc[1], h = 0, c = 0;
  unsigned char scratch[RT_DQLSTM_SCRATCH(1, 1, 1)];
  const void *in[12] = {x, w, r, b, NULL, NULL, NULL, NULL, ws, wz, rs, rz};
  void *out[8] = {NULL, yh, yc};
  rt_dqlstm_params p;
  params_1x1(&p, 1, 1);
  p.w_per_channel = p.r_per_channel = 1;
  rt_dqlstm_f32_i8(&p, in, out, scratch);
  cell(2.5f, 2, 1, -8, &h, &c);
  ck_assert_float_eq_tol(yh[0], h, 1e-5f);
  ck_assert_float_eq_tol(yc[0], c, 1e-5f);
}
END_TEST

START_TEST(two_steps_quantize_x_once_and_h_per_step) {
  /* x = 2, 1: one range for both steps (scale 2/255), so 1 becomes code
   * 127 (1 / (2/255) is 127.49999 in float), i.e. 127 * 2/255, not 1. The hidden state h1 < 0 is
   * quantized before step 2 with range [h1, 0]: zero point 255, code 0,
   * exact. W = 1, 0.5, 0, -1; R (uint8, zero point 128, scale 0.01) =
   * 0.5, 0, 0, 1. */
  const float x[2] = {2, 1}, ws[1] = {0.01f}, rs[1] = {0.01f};
  const uint8_t w[4] = {228, 178, 128, 28}, r[4] = {178, 128, 128, 228}, wz[1] = {128}, rz[1] = {128};
  const float xe = 127.0f * (2.0f / 255.0f);
  float y[2], yh[1], h = 0, c = 0, h1;
  unsigned char scratch[RT_DQLSTM_SCRATCH(1, 1, 1)];
  const void *in[12] = {x, w, r, NULL, NULL, NULL, NULL, NULL, ws, wz, rs, rz};
  void *out[8] = {y, yh, NULL};
  rt_dqlstm_params p;
  params_1x1(&p, 2, 1);
  rt_dqlstm_f32_u8(&p, in, out, scratch);
  cell(2, 1, 0, -2, &h, &c);
  h1 = h;
  ck_assert(h1 < 0);
  ck_assert_float_eq_tol(y[0], h1, 1e-5f);
  cell(xe + 0.5f * h1, 0.5f * xe, 0, -xe + h1, &h, &c);
  ck_assert_float_eq_tol(y[1], h, 1e-5f);
  ck_assert_float_eq_tol(yh[0], h, 1e-5f);
}
END_TEST

START_TEST(bidirectional_per_direction_scales) {
  /* int8 W = 100, 50, 0, -100 in both directions, scales 0.01 and 0.02;
   * R is all zero (per-channel scales). x = 2, 1 dequantizes to
   * 2 and 127 * 2/255. Direction 1 runs t = 1 first. Y is [seq, dirs]. */
  const float x[2] = {2, 1}, ws[2] = {0.01f, 0.02f}, rs[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const int8_t w[8] = {100, 50, 0, -100, 100, 50, 0, -100}, wz[2] = {0, 0};
  const int8_t r[8] = {0}, rz[8] = {0};
  const float xe[2] = {2, 127.0f * (2.0f / 255.0f)};
  float y[4], yh[2], yc[2], h, c;
  unsigned char scratch[RT_DQLSTM_SCRATCH(1, 1, 1)];
  const void *in[12] = {x, w, r, NULL, NULL, NULL, NULL, NULL, ws, wz, rs, rz};
  void *out[8] = {y, yh, yc};
  rt_dqlstm_params p;
  params_1x1(&p, 2, 2);
  p.r_per_channel = 1;
  rt_dqlstm_f32_i8(&p, in, out, scratch);
  h = c = 0;
  cell(xe[0], 0.5f * xe[0], 0, -xe[0], &h, &c);
  ck_assert_float_eq_tol(y[0], h, 1e-5f);
  cell(xe[1], 0.5f * xe[1], 0, -xe[1], &h, &c);
  ck_assert_float_eq_tol(y[2], h, 1e-5f);
  ck_assert_float_eq_tol(yh[0], h, 1e-5f);
  ck_assert_float_eq_tol(yc[0], c, 1e-5f);
  h = c = 0;
  cell(2 * xe[1], xe[1], 0, -2 * xe[1], &h, &c);
  ck_assert_float_eq_tol(y[3], h, 1e-5f);
  cell(2 * xe[0], xe[0], 0, -2 * xe[0], &h, &c);
  ck_assert_float_eq_tol(y[1], h, 1e-5f);
  ck_assert_float_eq_tol(yh[1], h, 1e-5f);
  ck_assert_float_eq_tol(yc[1], c, 1e-5f);
}
END_TEST

START_TEST(sequence_lens_zero_row) {
  /* batch 2, lengths 1 and 0: row 1 gets zeros in Y and both final
   * states; row 0 is the one-step case. X is [seq, batch]. */
  const float x[2] = {2, -5}, ws[1] = {0.01f}, rs[1] = {0.5f}, h0[2] = {0, 3}, c0[2] = {0, 4};
  const uint8_t w[4] = {228, 178, 128, 28}, r[4] = {128, 128, 128, 128}, wz[1] = {128}, rz[1] = {128};
  const int32_t lens[2] = {1, 0};
  float y[2], yh[2], yc[2], h = 0, c = 0;
  unsigned char scratch[RT_DQLSTM_SCRATCH(2, 1, 1)];
  const void *in[12] = {x, w, r, NULL, lens, h0, c0, NULL, ws, wz, rs, rz};
  void *out[8] = {y, yh, yc};
  rt_dqlstm_params p;
  params_1x1(&p, 1, 1);
  p.batch = 2;
  rt_dqlstm_f32_u8(&p, in, out, scratch);
  /* X's range is the first step of both rows: [-5, 2], scale 7/255, zero
   * point round(5 * 255/7) = 182; 2 -> 182 + 73 = 255 (72.857 -> 73) */
  {
    const float s = 7.0f / 255.0f, xe = (255 - 182) * s;
    cell(xe, 0.5f * xe, 0, -xe, &h, &c);
  }
  ck_assert_float_eq_tol(y[0], h, 1e-5f);
  ck_assert_float_eq_tol(yh[0], h, 1e-5f);
  ck_assert_float_eq_tol(yc[0], c, 1e-5f);
  ck_assert_float_eq(y[1], 0);
  ck_assert_float_eq(yh[1], 0);
  ck_assert_float_eq(yc[1], 0);
}
END_TEST

Suite *dqlstm_suite(void) {
  Suite *s = suite_create("dqlstm");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, one_step_per_tensor);
  tcase_add_test(tc, per_channel_scales_and_bias);
  tcase_add_test(tc, two_steps_quantize_x_once_and_h_per_step);
  tcase_add_test(tc, bidirectional_per_direction_scales);
  tcase_add_test(tc, sequence_lens_zero_row);
  suite_add_tcase(s, tc);
  return s;
}
