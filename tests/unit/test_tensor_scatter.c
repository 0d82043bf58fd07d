/* The TensorScatter kernel on small hand-computed cases. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

START_TEST(linear_and_circular_writes) {
  /* Cache [2 batches, maxlen 4], update [2, 2] = [1,2 | 3,4], write
   * indices [1, 3]. Linear: batch 0 gets 1,2 at 1,2; batch 1 gets 3 at 3
   * and 4 would go to 4, past the end: not written, RT_ERR_VALUE.
   * Circular: 4 goes to 4 mod 4 = 0. */
  const float past[8] = {0}, upd[4] = {1, 2, 3, 4};
  const int64_t w[2] = {1, 3};
  const float want_lin[8] = {0, 1, 2, 0, 0, 0, 0, 3}, want_circ[8] = {0, 1, 2, 0, 4, 0, 0, 3};
  float y[8];
  int st = RT_OK, i;
  rt_tensor_scatter_params p = {2, 1, 4, 2, 1, 4, 0};
  const void *in[RT_MIN_ARGS] = {past, upd, w, NULL, NULL, NULL, NULL, NULL};
  void *out[RT_MIN_ARGS] = {y, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  out[RT_STATUS_SLOT] = &st;
  rt_tensor_scatter(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_float_eq(y[i], want_lin[i]);
  ck_assert_int_eq(st, RT_ERR_VALUE);
  st = RT_OK;
  p.circular = 1;
  rt_tensor_scatter(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_float_eq(y[i], want_circ[i]);
  ck_assert_int_eq(st, RT_OK);
}
END_TEST

START_TEST(rows_inner_in_place) {
  /* uint16 cache [1 batch, 2 rows, maxlen 3, inner 2] written in place,
   * no write indices (0): update [1, 2, 1, 2] replaces position 0 of each
   * row and leaves the rest. */
  uint16_t cache[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const uint16_t upd[4] = {90, 91, 92, 93};
  const uint16_t want[12] = {90, 91, 3, 4, 5, 6, 92, 93, 9, 10, 11, 12};
  int i;
  rt_tensor_scatter_params p = {1, 2, 3, 1, 2, 2, 0};
  const void *in[RT_MIN_ARGS] = {cache, upd, NULL, NULL, NULL, NULL, NULL, NULL};
  void *out[RT_MIN_ARGS] = {cache, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  rt_tensor_scatter(&p, in, out, NULL);
  for (i = 0; i < 12; i++) ck_assert_uint_eq(cache[i], want[i]);
}
END_TEST

Suite *tensor_scatter_suite(void) {
  Suite *s = suite_create("tensor_scatter");
  TCase *tc = tcase_create("tensor_scatter");
  tcase_add_test(tc, linear_and_circular_writes);
  tcase_add_test(tc, rows_inner_in_place);
  suite_add_tcase(s, tc);
  return s;
}
