/* Window, DFT and STFT kernels and their prepare kernels: windows on
 * hand-computed values, transforms against a direct double sum written
 * here (both the radix-2 and the direct path), and the run-time checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

#define PI 3.14159265358979323846

START_TEST(window_values) {
  /* Hann periodic 4: 0.5 - 0.5 cos(2 pi i / 4); symmetric 5: N = 4 */
  const float hann4[4] = {0, 0.5f, 1, 0.5f}, hann5[5] = {0, 0.5f, 1, 0.5f, 0};
  float y[5];
  double yd[3];
  rt_window_params p = {4, 0, 1};
  const void *in[1] = {NULL};
  void *out[1] = {y};
  int i;
  rt_window_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], hann4[i], 1e-7f);
  p.size = 5, p.periodic = 0;
  rt_window_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_float_eq_tol(y[i], hann5[i], 1e-7f);
  /* Hamming periodic 2: 25/46 - 21/46 cos(pi i) = 4/46, 1 */
  p.size = 2, p.kind = 1, p.periodic = 1;
  rt_window_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 4.0f / 46, 1e-7f);
  ck_assert_float_eq_tol(y[1], 1, 1e-7f);
  /* Blackman symmetric 3: 0.42 - 0.5 + 0.08 = 0 at the ends, 1 between */
  p.size = 3, p.kind = 2, p.periodic = 0;
  out[0] = yd;
  rt_window_f64(&p, in, out, NULL);
  ck_assert_double_eq_tol(yd[0], 0, 1e-15);
  ck_assert_double_eq_tol(yd[1], 1, 1e-15);
  ck_assert_double_eq_tol(yd[2], 0, 1e-15);
}
END_TEST

START_TEST(window_edges) {
  /* a symmetric window of one value is 0/0 (NaN; 0 as an integer); an
   * empty one writes nothing; integer types truncate (only the peak is 1) */
  float y[8] = {5, 5, 5, 5, 5, 5, 5, 5};
  int32_t yi[8];
  rt_window_params p = {1, 0, 0};
  const void *in[1] = {NULL};
  void *out[1] = {y};
  int i;
  rt_window_f32(&p, in, out, NULL);
  ck_assert(isnan(y[0]));
  p.size = 0;
  y[0] = 5;
  rt_window_f32(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 5);
  out[0] = yi;
  p.size = 1;
  rt_window_i32(&p, in, out, NULL);
  ck_assert_int_eq(yi[0], 0);
  p.size = 8, p.periodic = 1;
  rt_window_i32(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_int_eq(yi[i], i == 4);
}
END_TEST

START_TEST(window_prepare) {
  int64_t dd[1];
  int32_t n32 = -3;
  int64_t n64 = 12;
  rt_window_params p = {0, 0, 1};
  const void *in[1] = {&n32};
  void *out[3] = {dd, NULL, NULL};
  rt_window_prepare_i32(&p, in, out, NULL);
  ck_assert_int_eq(dd[0], -1); /* negative: out of the symbol's bounds */
  in[0] = &n64;
  rt_window_prepare_i64(&p, in, out, NULL);
  ck_assert_int_eq(dd[0], 12);
}
END_TEST

/* The first n_out bins of the length-n transform of the m complex values
 * z (zero-padded), by the definition, in double. */
static void reference_dft(const double *z, int m, int n, int n_out, int inverse, double *y) {
  int k, j;
  for (k = 0; k < n_out; k++) {
    double re = 0, im = 0;
    for (j = 0; j < m && j < n; j++) {
      double a = (inverse ? 2 : -2) * PI * (double)((long)k * j % n) / n;
      re += z[2 * j] * cos(a) - z[2 * j + 1] * sin(a);
      im += z[2 * j] * sin(a) + z[2 * j + 1] * cos(a);
    }
    y[2 * k] = inverse ? re / n : re;
    y[2 * k + 1] = inverse ? im / n : im;
  }
}

/* A fixed, irregular signal. */
static double sample(int i) { return sin(0.7 * i + 0.3) + 0.25 * cos(2.9 * i * i); }

/* rt_dft_f64 over one signal of m values (complex or real) at length n,
 * against reference_dft. */
static void check_dft(int m, int n, int complex_in, int inverse, int onesided) {
  const int n_out = onesided ? n / 2 + 1 : n, c = complex_in ? 2 : 1;
  double *x = malloc(sizeof(double) * 2 * (size_t)m), *z = malloc(sizeof(double) * 2 * (size_t)m);
  double *y = malloc(sizeof(double) * 2 * (size_t)n), *want = malloc(sizeof(double) * 2 * (size_t)n);
  void *scratch = malloc((size_t)RT_DFT_SCRATCH(n));
  rt_dft_params p = {1, m, 1, n, n_out, complex_in, inverse, 0};
  const void *in[3] = {x, NULL, NULL};
  void *out[1] = {y};
  int i;
  for (i = 0; i < m; i++) {
    x[i * c] = z[2 * i] = sample(i);
    z[2 * i + 1] = complex_in ? sample(i + 100) : 0;
    if (complex_in) x[i * c + 1] = z[2 * i + 1];
  }
  rt_dft_f64(&p, in, out, scratch);
  reference_dft(z, m, n, n_out, inverse, want);
  for (i = 0; i < 2 * n_out; i++) ck_assert_double_eq_tol(y[i], want[i], 1e-9 * n);
  free(x), free(z), free(y), free(want), free(scratch);
}

START_TEST(dft_radix2_and_direct) {
  int n;
  for (n = 1; n <= 64; n++) { /* powers of two take the FFT, others the sum */
    check_dft(n, n, 0, 0, 0);
    check_dft(n, n, 1, 1, 0);
    check_dft(n, n, 0, 0, 1);
  }
  check_dft(1024, 1024, 1, 0, 0);
  check_dft(1000, 1000, 1, 0, 0);
  /* zero-padded to, and cut to, a power of two and another length */
  check_dft(5, 16, 0, 0, 0);
  check_dft(5, 12, 1, 0, 1);
  check_dft(40, 32, 1, 1, 0);
  check_dft(40, 30, 0, 0, 1);
}
END_TEST

START_TEST(dft_strided_axis_round_trip) {
  /* x [2, 8, 3, 2] complex along the axis of 8: each of the 6 signals at
   * stride 3; forward then inverse gives x back (float rounding). */
  float x[96], y[96], back[96];
  double scratch[6 * 8];
  rt_dft_params p = {2, 8, 3, 8, 8, 1, 0, 0};
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  for (i = 0; i < 96; i++) x[i] = (float)sample(i);
  rt_dft_f32(&p, in, out, scratch);
  /* bin 0 of signal (o = 1, j = 2) is the sum of its 8 values */
  {
    double re = 0, im = 0;
    for (i = 0; i < 8; i++) re += x[((1 * 8 + i) * 3 + 2) * 2], im += x[((1 * 8 + i) * 3 + 2) * 2 + 1];
    ck_assert_double_eq_tol(y[((1 * 8 + 0) * 3 + 2) * 2], re, 1e-5);
    ck_assert_double_eq_tol(y[((1 * 8 + 0) * 3 + 2) * 2 + 1], im, 1e-5);
  }
  p.inverse = 1;
  in[0] = y, out[0] = back;
  rt_dft_f32(&p, in, out, scratch);
  for (i = 0; i < 96; i++) ck_assert_float_eq_tol(back[i], x[i], 1e-5f);
}
END_TEST

/* rt_dft_f64 forward onesided (RFFT) of a real signal of n values, then
 * hermitian inverse (IRFFT) back: the signal again, for even and odd n
 * (odd n has no Nyquist bin), through a radix-2 and a direct transform. */
static void check_irfft_round_trip(int n) {
  double x[12], spec[2 * 7], back[12], scratch[3 * 2 * 12];
  const int bins = n / 2 + 1;
  rt_dft_params fwd = {1, n, 1, n, bins, 0, 0, 0};
  rt_dft_params inv = {1, bins, 1, n, n, 1, 1, 1};
  const void *in[3] = {x, NULL, NULL};
  void *out[1] = {spec};
  int i;
  for (i = 0; i < n; i++) x[i] = sample(i);
  rt_dft_f64(&fwd, in, out, scratch);
  /* the imaginary part of bin 0 is no part of the signal: spoil it */
  spec[1] = 5.0;
  in[0] = spec, out[0] = back;
  rt_dft_f64(&inv, in, out, scratch);
  for (i = 0; i < n; i++) ck_assert_double_eq_tol(back[i], x[i], 1e-12);
}

START_TEST(dft_irfft_round_trip) {
  check_irfft_round_trip(8);
  check_irfft_round_trip(10);
  check_irfft_round_trip(7);
}
END_TEST

START_TEST(dft_prepare_axis_and_length) {
  /* input [2, 5, 4, 1]: axis from in[2], length from in[1] */
  rt_dft_prepare_params q = {4, {2, 5, 4, 1}, 0, 1, 1, 1, 0};
  rt_dft_params p;
  int64_t dd[1] = {0}, axis = -2, len = 9;
  int32_t len32 = 0;
  int st = RT_OK;
  const void *in[3] = {NULL, &len, &axis};
  void *out[3] = {dd, &p, &st};
  memset(&p, 0, sizeof p);
  rt_dft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[0], 9);
  ck_assert_int_eq(p.outer, 10);
  ck_assert_int_eq(p.n_in, 4);
  ck_assert_int_eq(p.inner, 1);
  ck_assert_int_eq(p.n_fft, 9);
  ck_assert_int_eq(p.n_out, 5);
  axis = 0;
  q.length_input = 0, q.onesided = 0;
  rt_dft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(p.outer, 1);
  ck_assert_int_eq(p.inner, 20);
  ck_assert_int_eq(p.n_fft, 2);
  /* the last dim (real/imaginary) is no axis; a length of 0 is none */
  axis = -1;
  rt_dft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK, axis = 3;
  rt_dft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK, q.axis_input = 0, q.axis = 1, q.length_input = 1;
  in[1] = &len32;
  rt_dft_prepare_i32(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

START_TEST(stft_complex_windowed) {
  /* a complex signal of 21 values, frames of 6 every 5 (4 frames), a
   * window; two-sided: 6 bins of the direct sum */
  double x[42], w[6], y[4 * 6 * 2], z[12], want[12];
  double scratch[6 * 6];
  rt_stft_params p = {1, 21, 4, 5, 6, 6, 6, 1, 1};
  const void *in[3] = {x, NULL, w};
  void *out[1] = {y};
  int i, f;
  for (i = 0; i < 42; i++) x[i] = sample(i);
  for (i = 0; i < 6; i++) w[i] = 0.5 + 0.1 * i;
  rt_stft_f64(&p, in, out, scratch);
  for (f = 0; f < 4; f++) {
    for (i = 0; i < 6; i++) z[2 * i] = x[2 * (f * 5 + i)] * w[i], z[2 * i + 1] = x[2 * (f * 5 + i) + 1] * w[i];
    reference_dft(z, 6, 6, 6, 0, want);
    for (i = 0; i < 12; i++) ck_assert_double_eq_tol(y[f * 12 + i], want[i], 1e-12);
  }
}
END_TEST

START_TEST(stft_real_onesided_pow2) {
  /* a real signal of 40, frames of 16 every 8 (4 frames), no window,
   * onesided: 9 bins through the FFT */
  float x[40], y[4 * 9 * 2];
  double z[32], want[18], scratch[6 * 16];
  rt_stft_params p = {1, 40, 4, 8, 16, 9, 0, 0, 0};
  const void *in[3] = {x, NULL, NULL};
  void *out[1] = {y};
  int i, f;
  for (i = 0; i < 40; i++) x[i] = (float)sample(i);
  rt_stft_f32(&p, in, out, scratch);
  for (f = 0; f < 4; f++) {
    for (i = 0; i < 16; i++) z[2 * i] = x[f * 8 + i], z[2 * i + 1] = 0;
    reference_dft(z, 16, 16, 9, 0, want);
    for (i = 0; i < 18; i++) ck_assert_double_eq_tol(y[f * 18 + i], want[i], 1e-5);
  }
}
END_TEST

START_TEST(stft_prepare_checks) {
  rt_stft_prepare_params q = {1, 0, 1};
  rt_stft_params p = {1, 128, 0, 0, 0, 0, 0, 0, 0};
  int64_t dd[2] = {0, 0}, step = 8, fl = 16;
  int st = RT_OK;
  const void *in[4] = {NULL, &step, NULL, &fl};
  void *out[3] = {dd, &p, &st};
  rt_stft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[0], 15); /* (128 - 16) / 8 + 1 */
  ck_assert_int_eq(dd[1], 16);
  ck_assert_int_eq(p.frames, 15);
  ck_assert_int_eq(p.bins, 9);
  ck_assert_int_eq(p.step, 8);
  /* a step of 0, a frame longer than the signal, a window of another
   * length: each is RT_ERR_SHAPE */
  step = 0;
  rt_stft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK, step = 8, fl = 129;
  rt_stft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  st = RT_OK, fl = 16, p.has_window = 1, p.window_length = 12;
  rt_stft_prepare_i64(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  /* without frame_length the window's length is the frame's */
  {
    int32_t step32 = 50;
    st = RT_OK;
    in[1] = &step32, in[3] = NULL;
    q.length_at = -1, q.onesided = 0;
    rt_stft_prepare_i32(&q, in, out, NULL);
    ck_assert_int_eq(st, RT_OK);
    ck_assert_int_eq(p.frame_length, 12);
    ck_assert_int_eq(dd[0], 3); /* (128 - 12) / 50 + 1 */
    ck_assert_int_eq(p.bins, 12);
  }
}
END_TEST

START_TEST(mel_triangles) {
  /* upper 699300 Hz is 3 * 2595 mel; one mel bin puts its points at 0,
   * 2595 and 5190 mel: 0, 6300 and 69300 Hz, bins floor(9 hz / 18900) =
   * 0, 3, 33. The triangle rises 0, 1/3, 2/3, 1 and falls (33 - j) / 30;
   * rows past bins = 8 / 2 + 1 = 5 are not written. */
  const float want[5] = {0, 1.0f / 3, 2.0f / 3, 1, 29.0f / 30};
  float y[6] = {7, 7, 7, 7, 7, 7};
  int64_t yi[4];
  rt_mel_params p = {5, 1, 8, 18900, 0, 699300};
  const void *in[1] = {NULL};
  void *out[1] = {y};
  int i;
  rt_mel_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  ck_assert_float_eq(y[5], 7); /* nothing past the matrix */
  /* both edges 0: every point is bin 0, so each column is 1 there (the
   * rise of width 0) and 0 elsewhere; int64 output */
  p.bins = 2, p.mels = 2, p.upper_hz = 0;
  out[0] = yi;
  rt_mel_i64(&p, in, out, NULL);
  ck_assert_int_eq(yi[0], 1);
  ck_assert_int_eq(yi[1], 1);
  ck_assert_int_eq(yi[2], 0);
  ck_assert_int_eq(yi[3], 0);
}
END_TEST

START_TEST(mel_prepare_checks) {
  int32_t mels = 8, dft = 16, rate = 8192;
  float lo = 0, hi = 4096;
  int64_t dd[2] = {0, 0};
  int st = RT_OK;
  rt_mel_params p;
  rt_mel_prepare_params q = {1, 0};
  const void *in[5] = {&mels, &dft, &rate, &lo, &hi};
  void *out[3] = {dd, &p, &st};
  memset(&p, 0, sizeof p);
  rt_mel_prepare_i32_f32(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_OK);
  ck_assert_int_eq(dd[1], 9); /* bins = 16 / 2 + 1, at bins_at */
  ck_assert_int_eq(dd[0], 8);
  ck_assert_int_eq(p.bins, 9);
  ck_assert_int_eq(p.sample_rate, 8192);
  ck_assert_float_eq(p.upper_hz, 4096);
  /* a dft_length below 1, a sample rate below 1 or a negative count */
  dft = 0;
  rt_mel_prepare_i32_f32(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  dft = 16, rate = 0, st = RT_OK;
  rt_mel_prepare_i32_f32(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
  rate = 8192, mels = -1, st = RT_OK;
  rt_mel_prepare_i32_f32(&q, in, out, NULL);
  ck_assert_int_eq(st, RT_ERR_SHAPE);
}
END_TEST

Suite *signal_suite(void) {
  Suite *s = suite_create("signal");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, window_values);
  tcase_add_test(tc, window_edges);
  tcase_add_test(tc, window_prepare);
  tcase_add_test(tc, dft_radix2_and_direct);
  tcase_add_test(tc, dft_strided_axis_round_trip);
  tcase_add_test(tc, dft_irfft_round_trip);
  tcase_add_test(tc, dft_prepare_axis_and_length);
  tcase_add_test(tc, stft_complex_windowed);
  tcase_add_test(tc, stft_real_onesided_pow2);
  tcase_add_test(tc, stft_prepare_checks);
  tcase_add_test(tc, mel_triangles);
  tcase_add_test(tc, mel_prepare_checks);
  suite_add_tcase(s, tc);
  return s;
}
