/* RNN, GRU and LSTM kernels on small hand-computed cases, and the float
 * _proj variants (constant weights: the input projection as one matrix
 * product, rnn_proj.c) against the double kernels of rnn.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(rnn_forward_with_state) {
  /* seq 2, batch 1, input 1, hidden 1; W = 0.5, R = 1, B = (0.1, 0.2):
   * h1 = tanh(0.5*1 + 0 + 0.3), h2 = tanh(0.5*2 + h1 + 0.3). */
  const float x[2] = {1, 2}, w[1] = {0.5f}, r[1] = {1}, b[2] = {0.1f, 0.2f};
  float y[2], yh[1], scratch[8];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, b, NULL, NULL, NULL, NULL};
  void *out[8] = {y, yh, NULL};
  const float h1 = tanhf(0.8f), h2 = tanhf(1.3f + h1);
  memset(&p, 0, sizeof p);
  p.seq = 2, p.batch = 1, p.input = 1, p.hidden = 1, p.num_dirs = 1;
  rt_rnn_f32(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], h1, 1e-6f);
  ck_assert_float_eq_tol(y[1], h2, 1e-6f);
  ck_assert_float_eq_tol(yh[0], h2, 1e-6f);
}
END_TEST

START_TEST(rnn_reverse_sequence_lens) {
  /* seq 2, batch 2, lengths {2, 1}, reverse, W = R = 1, no bias.
   * Row 0 runs t = 1 then t = 0: y[1] = tanh(3), y[0] = tanh(1 + tanh(3)).
   * Row 1 runs t = 0 only: y[0] = tanh(2), y[1] = 0. x is [seq, batch]. */
  const double x[4] = {1, 2, 3, 4}, w[1] = {1}, r[1] = {1};
  const int32_t lens[2] = {2, 1};
  double y[4], yh[2], scratch[8];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, lens, NULL, NULL, NULL};
  void *out[8] = {y, yh, NULL};
  memset(&p, 0, sizeof p);
  p.seq = 2, p.batch = 2, p.input = 1, p.hidden = 1, p.num_dirs = 1, p.reverse = 1;
  rt_rnn_f64(&p, in, out, scratch);
  ck_assert_double_eq_tol(y[2], tanh(3.0), 1e-12);
  ck_assert_double_eq_tol(y[0], tanh(1 + tanh(3.0)), 1e-12);
  ck_assert_double_eq_tol(y[1], tanh(2.0), 1e-12);
  ck_assert_double_eq(y[3], 0);
  ck_assert_double_eq_tol(yh[0], y[0], 1e-12);
  ck_assert_double_eq_tol(yh[1], y[1], 1e-12);
}
END_TEST

START_TEST(lstm_empty_row) {
  /* A row of length 0 writes zeros to Y and to both final states, whatever
   * the initial ones. seq 1, batch 1, hidden 1. */
  const float x[1] = {1}, w[4] = {1, 1, 1, 1}, r[4] = {1, 1, 1, 1}, h0[1] = {3}, c0[1] = {4};
  const int32_t lens[1] = {0};
  float y[1] = {9}, yh[1] = {9}, yc[1] = {9}, scratch[16];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, lens, h0, c0, NULL};
  void *out[8] = {y, yh, yc};
  memset(&p, 0, sizeof p);
  p.seq = 1, p.batch = 1, p.input = 1, p.hidden = 1, p.num_dirs = 1;
  rt_lstm_f32(&p, in, out, scratch);
  ck_assert_float_eq(y[0], 0);
  ck_assert_float_eq(yh[0], 0);
  ck_assert_float_eq(yc[0], 0);
}
END_TEST

START_TEST(gru_halves_the_state) {
  /* Zero weights: z = r = 0.5 and the candidate is tanh(0) = 0, so each
   * step keeps half the state: 1 -> 0.5 -> 0.25. Bidirectional, batch 1,
   * hidden 1: both directions give the same values. */
  const float x[2] = {3, -7}, w[6] = {0}, r[6] = {0}, h0[2] = {1, 1};
  float y[4], yh[2], scratch[16];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, NULL, h0, NULL, NULL};
  void *out[8] = {y, yh, NULL};
  int lbr;
  for (lbr = 0; lbr < 2; lbr++) {
    memset(&p, 0, sizeof p);
    p.seq = 2, p.batch = 1, p.input = 1, p.hidden = 1, p.num_dirs = 2, p.linear_before_reset = lbr;
    rt_gru_f32(&p, in, out, scratch);
    /* y is [seq, dirs]: forward 0.5 then 0.25; reverse writes t=1 first. */
    ck_assert_float_eq(y[0], 0.5f);
    ck_assert_float_eq(y[2], 0.25f);
    ck_assert_float_eq(y[3], 0.5f);
    ck_assert_float_eq(y[1], 0.25f);
    ck_assert_float_eq(yh[0], 0.25f);
    ck_assert_float_eq(yh[1], 0.25f);
  }
}
END_TEST

START_TEST(gru_candidate) {
  /* One step, hidden 1, Wh = 1 only: z = r = 0.5, candidate tanh(x), so
   * h = 0.5 * tanh(2) + 0.5 * 0. */
  const float x[1] = {2}, w[3] = {0, 0, 1}, r[3] = {0};
  float y[1], scratch[16];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, NULL, NULL, NULL, NULL};
  void *out[8] = {y, NULL, NULL};
  memset(&p, 0, sizeof p);
  p.seq = 1, p.batch = 1, p.input = 1, p.hidden = 1, p.num_dirs = 1;
  rt_gru_f32(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], 0.5f * tanhf(2), 1e-6f);
}
END_TEST

START_TEST(lstm_cell_decay_and_clip) {
  /* Zero weights, initial c = 1: every gate is 0.5 and the candidate 0,
   * so c halves (1 -> 0.5 -> 0.25) and h = 0.5 * tanh(c). */
  const float x[2] = {5, 6}, w[4] = {0}, r[4] = {0}, c0[1] = {1};
  float y[2], yh[1], yc[1], scratch[16];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, NULL, NULL, c0, NULL};
  void *out[8] = {y, yh, yc};
  memset(&p, 0, sizeof p);
  p.seq = 2, p.batch = 1, p.input = 1, p.hidden = 1, p.num_dirs = 1;
  rt_lstm_f32(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], 0.5f * tanhf(0.5f), 1e-6f);
  ck_assert_float_eq_tol(y[1], 0.5f * tanhf(0.25f), 1e-6f);
  ck_assert_float_eq_tol(yh[0], y[1], 1e-7f);
  ck_assert_float_eq(yc[0], 0.25f);
  {
    /* Wc = 1 and clip 1 on x = 5: candidate tanh(1), i = f = o = 0.5, so
     * c1 = 0.5 + 0.5 tanh(1). */
    const float wc[4] = {0, 0, 0, 1};
    const float want = 0.5f + 0.5f * tanhf(1);
    in[1] = wc;
    p.seq = 1, p.has_clip = 1, p.clip = 1;
    rt_lstm_f32(&p, in, out, scratch);
    ck_assert_float_eq_tol(yc[0], want, 1e-6f);
    ck_assert_float_eq_tol(yh[0], 0.5f * tanhf(want), 1e-6f);
  }
}
END_TEST

START_TEST(lstm_peepholes_batch_major) {
  /* layout 1, batch 2, seq 1, hidden 1, zero weights, c0 = {1, 2},
   * peepholes (i, o, f) = (1, 0, -1): i = sig(c0), f = sig(-c0),
   * c = f c0, o = 0.5, h = 0.5 tanh(c). */
  const double x[2] = {0, 0}, w[4] = {0}, r[4] = {0}, c0[2] = {1, 2}, pp[3] = {1, 0, -1};
  double y[2], yh[2], yc[2], scratch[16];
  rt_rnn_params p;
  const void *in[8] = {x, w, r, NULL, NULL, NULL, c0, pp};
  void *out[8] = {y, yh, yc};
  int b;
  memset(&p, 0, sizeof p);
  p.seq = 1, p.batch = 2, p.input = 1, p.hidden = 1, p.num_dirs = 1, p.layout = 1;
  rt_lstm_f64(&p, in, out, scratch);
  for (b = 0; b < 2; b++) {
    const double c = c0[b] / (1 + exp(c0[b]));
    ck_assert_double_eq_tol(yc[b], c, 1e-12);
    ck_assert_double_eq_tol(yh[b], 0.5 * tanh(c), 1e-12);
    ck_assert_double_eq_tol(y[b], yh[b], 1e-12);
  }
}
END_TEST

/* ---- the _proj variants against the double kernels ---- */

/* One layer: the op (G gates; GRU's linear_before_reset), its sizes and
 * which optional parts it has. */
typedef struct proj_case {
  int G, lbr;
  int64_t seq, batch, input, hidden;
  int dirs, reverse, layout, bias, initial, lens, peepholes, clip, input_forget;
} proj_case;

static double uniform(unsigned *seed, double scale) {
  *seed = *seed * 1103515245u + 12345u;
  return scale * ((double)((*seed >> 8) & 0xffff) / 32768.0 - 1.0);
}

static double *doubles(int64_t n, double scale, unsigned *seed) {
  double *v = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  int64_t i;
  ck_assert_ptr_nonnull(v);
  for (i = 0; i < n; i++) v[i] = uniform(seed, scale);
  return v;
}

/* A float copy of v (values already float, so both kernels see the same
 * numbers). */
static float *floats_of(const double *v, int64_t n) {
  float *f = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  int64_t i;
  ck_assert_ptr_nonnull(f);
  for (i = 0; i < n; i++) f[i] = (float)v[i];
  return f;
}

static void round_to_float(double *v, int64_t n) {
  int64_t i;
  for (i = 0; i < n; i++) v[i] = (double)(float)v[i];
}

/* |got - want| <= 3e-5 * (1 + |want|) everywhere; a gate sum off by one
 * weight, a wrong step or a misplaced row is far larger. */
static void expect_close(const float *got, const double *want, int64_t n, const char *what) {
  int64_t i;
  for (i = 0; i < n; i++)
    ck_assert_msg(fabs((double)got[i] - want[i]) <= 3e-5 * (1 + fabs(want[i])), "%s[%lld]: %.9g, expected %.9g",
                  what, (long long)i, (double)got[i], want[i]);
}

static void run_proj_case(const proj_case *k, unsigned seed) {
  const int64_t G = k->G, H = k->hidden, I = k->input, N = k->batch, D = k->dirs, GH = G * H;
  const int64_t xn = k->seq * N * I, yn = k->seq * D * N * H, sn = D * N * H;
  const int64_t wpn = rt_gemm_f32_packed_floats(I, GH);
  /* each gate's input and recurrent sums of order 1, so that either
   * being wrong shows */
  double *x = doubles(xn, 1.0, &seed), *w = doubles(D * GH * I, 1.5 / sqrt((double)I), &seed);
  double *r = doubles(D * GH * H, 1.5 / sqrt((double)H), &seed);
  double *b = doubles(D * 2 * GH, 0.3, &seed), *h0 = doubles(sn, 0.5, &seed), *c0 = doubles(sn, 0.5, &seed);
  double *pp = doubles(D * 3 * H, 0.5, &seed), *y = malloc(sizeof(double) * (size_t)yn);
  double *yh = malloc(sizeof(double) * (size_t)sn), *yc = malloc(sizeof(double) * (size_t)sn);
  float *xf, *bf, *h0f, *c0f, *ppf, *wp = malloc(sizeof(float) * (size_t)(D * wpn));
  float *rt = malloc(sizeof(float) * (size_t)(D * GH * H)), *yf = malloc(sizeof(float) * (size_t)yn);
  float *yhf = malloc(sizeof(float) * (size_t)sn), *ycf = malloc(sizeof(float) * (size_t)sn), *wf;
  const size_t bytes = rt_rnn_f32_proj_scratch_bytes(k->seq, N, I, G, H);
  unsigned char *scratch;
  void *mem = NULL;
  int32_t lens[3] = {0, 0, 0};
  rt_rnn_params p;
  const void *in[8];
  void *out[8];
  int64_t d, i, j;
  ck_assert_ptr_nonnull(y);
  ck_assert_ptr_nonnull(wp);
  ck_assert_ptr_nonnull(rt);
  /* 64-byte aligned, as the arena */
  ck_assert_int_eq(posix_memalign(&mem, 64, bytes + 64), 0);
  scratch = (unsigned char *)mem;
  /* weights and inputs exactly representable in float */
  round_to_float(x, xn), round_to_float(w, D * GH * I), round_to_float(r, D * GH * H);
  round_to_float(b, D * 2 * GH), round_to_float(h0, sn), round_to_float(c0, sn), round_to_float(pp, D * 3 * H);
  xf = floats_of(x, xn), bf = floats_of(b, D * 2 * GH), h0f = floats_of(h0, sn), c0f = floats_of(c0, sn);
  ppf = floats_of(pp, D * 3 * H), wf = floats_of(w, D * GH * I);
  /* the compiler's layouts: W^T packed per direction, R transposed */
  for (d = 0; d < D; d++) {
    rt_gemm_f32_pack_b(I, GH, wf + d * GH * I, 1, wp + d * wpn);
    for (j = 0; j < GH; j++)
      for (i = 0; i < H; i++) rt[(d * H + i) * GH + j] = (float)r[(d * GH + j) * H + i];
  }
  /* row lengths: the whole sequence, a part, and none */
  lens[0] = (int32_t)k->seq, lens[1] = (int32_t)(k->seq / 2 + 1), lens[2] = 0;
  if (N == 1) lens[0] = (int32_t)(k->seq - 1);
  memset(&p, 0, sizeof p);
  p.seq = k->seq, p.batch = N, p.input = I, p.hidden = H, p.num_dirs = k->dirs, p.reverse = k->reverse;
  p.layout = k->layout, p.has_clip = k->clip, p.clip = 0.8f, p.linear_before_reset = k->lbr;
  p.input_forget = k->input_forget;
  p.peepholes = G == 4 && k->peepholes; /* the compiler's flag: the _proj kernel reads P only with it */
  /* the reference: double, ONNX's layout */
  memset(in, 0, sizeof in);
  memset(out, 0, sizeof out);
  in[0] = x, in[1] = w, in[2] = r, in[3] = k->bias ? b : NULL, in[4] = k->lens ? lens : NULL;
  in[5] = k->initial ? h0 : NULL;
  if (G == 4) in[6] = k->initial ? c0 : NULL, in[7] = k->peepholes ? pp : NULL;
  out[0] = y, out[1] = yh, out[2] = G == 4 ? yc : NULL;
  {
    double *ds = malloc(sizeof(double) * (size_t)RT_RNN_SCRATCH(N, G, H));
    ck_assert_ptr_nonnull(ds);
    (G == 4 ? rt_lstm_f64 : G == 3 ? rt_gru_f64 : rt_rnn_f64)(&p, in, out, ds);
    free(ds);
  }
  /* the _proj variant, its scratch exactly the size it asked for, with a
   * guard after it */
  memset(scratch, 0xA5, bytes + 64);
  memset(yf, 0xFF, sizeof(float) * (size_t)yn); /* NaN: every element must be written */
  in[0] = xf, in[1] = wp, in[2] = rt, in[3] = k->bias ? bf : NULL;
  in[5] = k->initial ? h0f : NULL;
  if (G == 4) in[6] = k->initial ? c0f : NULL, in[7] = k->peepholes ? ppf : NULL;
  out[0] = yf, out[1] = yhf, out[2] = G == 4 ? ycf : NULL;
  p.transposed = 1;
  (G == 4 ? rt_lstm_f32_proj : G == 3 ? rt_gru_f32_proj : rt_rnn_f32_proj)(&p, in, out, scratch);
  for (i = 0; i < 64; i++) ck_assert_msg(scratch[bytes + i] == 0xA5, "wrote past its scratch");
  expect_close(yf, y, yn, "Y");
  expect_close(yhf, yh, sn, "Y_h");
  if (G == 4) expect_close(ycf, yc, sn, "Y_c");
  free(x), free(w), free(r), free(b), free(h0), free(c0), free(pp), free(y), free(yh), free(yc);
  free(xf), free(bf), free(h0f), free(c0f), free(ppf), free(wf), free(wp), free(rt), free(yf), free(yhf);
  free(ycf), free(scratch);
}

/* Every hidden size (1, 7, 16, 33, 128: below, at and past a vector and
 * a gate block) with every input size (1, 5, 64); the other parts take
 * turns, so that each hidden and input size meets both directions, bias
 * and none, initial states, row lengths with batch 3, and both layouts. */
static void proj_grid(int G, int lbr) {
  static const int64_t hiddens[] = {1, 7, 16, 33, 128}, inputs[] = {1, 5, 64};
  int n = 0, hi, ii;
  for (hi = 0; hi < 5; hi++)
    for (ii = 0; ii < 3; ii++, n++) {
      proj_case k;
      memset(&k, 0, sizeof k);
      k.G = G, k.lbr = lbr, k.hidden = hiddens[hi], k.input = inputs[ii];
      k.seq = 5 + n % 4;
      k.dirs = n % 3 == 2 ? 2 : 1;
      k.reverse = n % 3 == 1;
      k.bias = n % 2 == 0;
      k.initial = n % 4 < 2;
      k.lens = n % 5 < 3;
      k.batch = n % 2 ? 3 : 1;
      k.layout = n % 7 == 3 || n % 7 == 6;
      if (G == 4) k.peepholes = n % 6 == 1, k.input_forget = n % 6 == 4;
      k.clip = n % 8 == 5;
      run_proj_case(&k, 11u + (unsigned)n);
    }
}

START_TEST(rnn_proj_matches_double) { proj_grid(1, 0); }
END_TEST

START_TEST(gru_proj_matches_double) {
  proj_grid(3, 0);
  proj_grid(3, 1);
}
END_TEST

START_TEST(lstm_proj_matches_double) { proj_grid(4, 0); }
END_TEST

START_TEST(lstm_proj_blocks_of_steps) {
  /* Hidden 128: a block holds 32 steps' projections, so 70 steps take
   * three blocks; the reverse direction starts in the last one and
   * crosses the boundaries backwards, and the rows of lengths 70, 36 and 0
   * end in different blocks. Every part at once. */
  proj_case k;
  memset(&k, 0, sizeof k);
  k.G = 4, k.seq = 70, k.batch = 3, k.input = 5, k.hidden = 128, k.dirs = 2;
  k.bias = k.initial = k.lens = k.peepholes = 1;
  run_proj_case(&k, 5u);
  k.G = 3, k.lbr = 1, k.layout = 1;
  run_proj_case(&k, 6u);
}
END_TEST

Suite *rnn_suite(void) {
  Suite *s = suite_create("rnn");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, rnn_forward_with_state);
  tcase_add_test(tc, rnn_reverse_sequence_lens);
  tcase_add_test(tc, gru_halves_the_state);
  tcase_add_test(tc, gru_candidate);
  tcase_add_test(tc, lstm_cell_decay_and_clip);
  tcase_add_test(tc, lstm_peepholes_batch_major);
  tcase_add_test(tc, lstm_empty_row);
  suite_add_tcase(s, tc);
  tc = tcase_create("proj");
  tcase_add_test(tc, rnn_proj_matches_double);
  tcase_add_test(tc, gru_proj_matches_double);
  tcase_add_test(tc, lstm_proj_matches_double);
  tcase_add_test(tc, lstm_proj_blocks_of_steps);
  suite_add_tcase(s, tc);
  return s;
}
