/* RotaryEmbedding's kernel (rope.h) on small hand-computed cases: halves
 * and interleaved pairs, a partial rotation, position ids (one out of
 * range) and the 3-D layout. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* params: batch, heads, seq, head, rotary, max_pos, interleaved,
 * seq_major, has_pos */

START_TEST(rope_halves_and_interleaved) {
  /* one vector [1, 2, 3, 4]; cos [0, 1], sin [1, 0]: the first pair turns
   * a quarter, the second not at all */
  const float x[4] = {1, 2, 3, 4}, cs[2] = {0, 1}, sn[2] = {1, 0};
  const float want_halves[4] = {-3, 2, 1, 4}, want_pairs[4] = {-2, 1, 3, 4};
  float y[4];
  rt_rope_params p = {1, 1, 1, 4, 4, 0, 0, 0, 0};
  const void *in[4] = {x, cs, sn, NULL};
  void *out[8] = {y};
  int i;
  /* halves: pairs (x0, x2) and (x1, x3) */
  rt_rope_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want_halves[i]);
  /* interleaved: pairs (x0, x1) and (x2, x3) */
  p.interleaved = 1;
  rt_rope_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want_pairs[i]);
}
END_TEST

START_TEST(rope_partial_in_place) {
  /* rotary 2 of head 4: (x0, x1) turns a quarter, x2 and x3 are copied;
   * y is x */
  float x[4] = {1, 2, 3, 4};
  const float cs[1] = {0}, sn[1] = {1}, want[4] = {-2, 1, 3, 4};
  rt_rope_params p = {1, 1, 1, 4, 2, 0, 0, 0, 0};
  const void *in[4] = {x, cs, sn, NULL};
  void *out[8] = {x};
  int i;
  rt_rope_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(x[i], want[i]);
}
END_TEST

START_TEST(rope_position_ids) {
  /* seq 2, head 2; cache rows (cos, sin): (1, 0), (0, 1), (-1, 0); the
   * positions 2 and 1 take the half turn and the quarter turn */
  const float x[4] = {1, 2, 3, 4}, cs[3] = {1, 0, -1}, sn[3] = {0, 1, 0};
  const int64_t pos[2] = {2, 1}, bad[2] = {0, 3};
  const float want[4] = {-1, -2, -4, 3};
  float y[4];
  int status = RT_OK, i;
  rt_rope_params p = {1, 1, 2, 2, 2, 3, 0, 0, 1};
  const void *in[4] = {x, cs, sn, pos};
  void *out[8] = {y};
  out[RT_STATUS_SLOT] = &status;
  rt_rope_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
  ck_assert_int_eq(status, RT_OK);
  /* position 3 is past the 3 rows: the run fails, the vector is copied */
  in[3] = bad;
  rt_rope_f32(&p, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_VALUE);
  ck_assert_float_eq(y[0], 1);
  ck_assert_float_eq(y[1], 2);
  ck_assert_float_eq(y[2], 3);
  ck_assert_float_eq(y[3], 4);
}
END_TEST

START_TEST(rope_seq_major_layout) {
  /* a 3-D input [1, 2, 2 * 2]: seq 0's two heads turn a quarter (cache
   * row 0), seq 1's stay (row 1) */
  const float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, cs[2] = {0, 1}, sn[2] = {1, 0};
  const float want[8] = {-2, 1, -4, 3, 5, 6, 7, 8};
  float y[8];
  rt_rope_params p = {1, 2, 2, 2, 2, 0, 0, 1, 0};
  const void *in[4] = {x, cs, sn, NULL};
  void *out[8] = {y};
  int i;
  rt_rope_f32(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

Suite *rope_suite(void) {
  Suite *s = suite_create("rope");
  TCase *tc = tcase_create("rope");
  tcase_add_test(tc, rope_halves_and_interleaved);
  tcase_add_test(tc, rope_partial_in_place);
  tcase_add_test(tc, rope_position_ids);
  tcase_add_test(tc, rope_seq_major_layout);
  suite_add_tcase(s, tc);
  return s;
}
