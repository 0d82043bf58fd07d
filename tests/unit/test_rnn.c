/* RNN, GRU and LSTM kernels on small hand-computed cases. */
#include <math.h>
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
  return s;
}
