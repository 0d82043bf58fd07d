/* The rules Slice, Split, Pad, Tile and Expand apply to operand values
 * (rt_slice_axis and its siblings, which the compiler and the prepare
 * kernels share), and the prepare kernels' refusals, on small
 * hand-computed cases that follow the ONNX spec's examples. */
#include <stdint.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* first, count, step of one Slice axis */
static void slice(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t f, int64_t n, int64_t s) {
  int64_t first = -7, count = -7, st = -7;
  ck_assert_int_eq(rt_slice_axis(dim, start, end, step, &first, &count, &st), 0);
  ck_assert_int_eq(count, n);
  if (n > 0) ck_assert_int_eq(first, f);
  ck_assert_int_eq(st, s);
}

START_TEST(slice_clamps_like_onnx) {
  int64_t a, b, c;
  slice(10, 1, 4, 1, 1, 3, 1);
  slice(10, -3, INT64_MAX, 1, 7, 3, 1);        /* negative start, "to the end" */
  slice(10, 0, -1, 1, 0, 9, 1);                /* negative end */
  slice(10, 20, 1000, 1, 0, 0, 1);             /* start past the end: nothing */
  slice(10, -1000, 2, 1, 0, 2, 1);             /* start before the beginning clamps to 0 */
  slice(10, 0, 10, 3, 0, 4, 3);                /* 0 3 6 9 */
  slice(10, -1, -1000, -1, 9, 10, -1);         /* all of it backwards */
  slice(10, INT64_MAX, INT64_MIN, -3, 9, 4, -3); /* 9 6 3 0 */
  slice(10, 5, 5, -1, 0, 0, -1);
  slice(10, 0, 10, INT64_MAX, 0, 1, 11);       /* a huge step reads one element */
  slice(10, 9, -11, INT64_MIN, 9, 1, -11);
  slice(0, 0, -1, -1, 0, 0, -1);               /* an empty axis stays empty backwards */
  slice(0, INT64_MIN, INT64_MAX, 1, 0, 0, 1);
  ck_assert_int_eq(rt_slice_axis(10, 0, 5, 0, &a, &b, &c), -1);
}
END_TEST

START_TEST(split_pad_tile_expand_rules) {
  int64_t sizes[3] = {1, 2, 3}, bad[3] = {7, -2, 1}, huge[3] = {INT64_MAX, INT64_MAX, 2}, y;
  ck_assert_int_eq(rt_split_check(3, sizes, 6), 0);
  ck_assert_int_eq(rt_split_check(3, sizes, 7), -1);
  ck_assert_int_eq(rt_split_check(3, bad, 6), -1);
  ck_assert_int_eq(rt_split_check(3, huge, 0), -1);
  ck_assert_int_eq(rt_pad_dim(5, 1, 2, RT_PAD_CONSTANT, &y), 0);
  ck_assert_int_eq(y, 8);
  ck_assert_int_eq(rt_pad_dim(5, -2, -3, RT_PAD_REFLECT, &y), 0); /* cropped to nothing */
  ck_assert_int_eq(y, 0);
  ck_assert_int_eq(rt_pad_dim(5, -3, -3, RT_PAD_CONSTANT, &y), -1);
  ck_assert_int_eq(rt_pad_dim(0, 1, 0, RT_PAD_CONSTANT, &y), 0);
  ck_assert_int_eq(rt_pad_dim(0, 1, 0, RT_PAD_EDGE, &y), -1); /* nothing to repeat */
  ck_assert_int_eq(rt_pad_dim(5, INT64_MAX, 1, RT_PAD_CONSTANT, &y), -1);
  ck_assert_int_eq(rt_tile_dim(3, 4, &y), 0);
  ck_assert_int_eq(y, 12);
  ck_assert_int_eq(rt_tile_dim(0, INT64_MAX, &y), 0);
  ck_assert_int_eq(y, 0);
  ck_assert_int_eq(rt_tile_dim(3, -1, &y), -1);
  ck_assert_int_eq(rt_tile_dim(3, INT64_MAX, &y), -1);
  ck_assert_int_eq(rt_expand_dim(1, 5, &y), 0);
  ck_assert_int_eq(y, 5);
  ck_assert_int_eq(rt_expand_dim(4, 1, &y), 0);
  ck_assert_int_eq(y, 4);
  ck_assert_int_eq(rt_expand_dim(1, 0, &y), 0);
  ck_assert_int_eq(y, 0);
  ck_assert_int_eq(rt_expand_dim(3, 2, &y), -1);
  ck_assert_int_eq(rt_expand_dim(1, -1, &y), -1);
}
END_TEST

START_TEST(slice_prepare_fills_offset_and_strides) {
  /* x[2:0:-1, :, ::2] of a 3x4x5 tensor, axes read at run time */
  int64_t starts[2] = {2, 0}, ends[2] = {0, INT64_MAX}, axes[2] = {0, -1}, steps[2] = {-1, 2}, dims[8] = {0};
  int status = RT_OK;
  rt_strided_copy_params p;
  rt_slice_prepare_params q;
  const void *in[5] = {NULL, starts, ends, axes, steps};
  void *out[3] = {dims, &p, &status};
  memset(&p, 0, sizeof p);
  memset(&q, 0, sizeof q);
  q.rank = 3;
  q.naxes = 2;
  q.open_strides = q.axes_in = 1;
  q.unit = 1;
  q.in_dims[0] = 3, q.in_dims[1] = 4, q.in_dims[2] = 5;
  rt_slice_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 2);
  ck_assert_int_eq(dims[1], 4);
  ck_assert_int_eq(dims[2], 3);
  ck_assert_int_eq(p.offset, 40);
  ck_assert_int_eq(p.strides[0], -20);
  ck_assert_int_eq(p.strides[1], 5);
  ck_assert_int_eq(p.strides[2], 2);
  axes[1] = -3; /* axis 0 twice */
  rt_slice_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
}
END_TEST

START_TEST(prepares_refuse_bad_values) {
  int64_t split[2] = {3, 2}, pads[4] = {1, 0, -5, 2}, reps[2] = {2, -1}, shape[2] = {3, 4}, dims[8];
  int status = RT_OK;
  rt_pad_params pp;
  rt_strided_copy_params sp;
  rt_split_prepare_params qs = {2, 4};
  rt_pad_prepare_params qp;
  rt_tile_prepare_params qt;
  rt_expand_prepare_params qe;
  const void *in[2] = {NULL, split};
  void *out[3] = {dims, &pp, &status};
  rt_split_prepare(&qs, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE); /* 3 + 2 is not 4 */
  status = RT_OK;
  memset(&qp, 0, sizeof qp);
  qp.rank = qp.naxes = 2;
  qp.axes[1] = 1;
  qp.in_dims[0] = 3, qp.in_dims[1] = 2;
  in[1] = pads;
  rt_pad_prepare(&qp, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE); /* 3 + 1 - 4 < 0 */
  pads[2] = -1;
  status = RT_OK;
  rt_pad_prepare(&qp, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 3);
  ck_assert_int_eq(dims[1], 4);
  ck_assert_int_eq(pp.begin[0], 1);
  memset(&qt, 0, sizeof qt);
  qt.rank = 2;
  qt.rep_at[0] = 0, qt.rep_at[1] = 2;
  in[1] = reps;
  out[1] = &sp;
  rt_tile_prepare(&qt, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
  status = RT_OK;
  memset(&qe, 0, sizeof qe);
  qe.in_rank = 2, qe.out_rank = 2, qe.n = 2;
  qe.in_dims[0] = 3, qe.in_dims[1] = 1;
  qe.from_shape[1] = 1;
  in[1] = shape;
  rt_expand_prepare(&qe, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 4);
  shape[0] = 2;
  rt_expand_prepare(&qe, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
}
END_TEST

Suite *tensor_rules_suite(void) {
  Suite *s = suite_create("tensor_rules");
  TCase *t = tcase_create("core");
  tcase_add_test(t, slice_clamps_like_onnx);
  tcase_add_test(t, split_pad_tile_expand_rules);
  tcase_add_test(t, slice_prepare_fills_offset_and_strides);
  tcase_add_test(t, prepares_refuse_bad_values);
  suite_add_tcase(s, t);
  return s;
}
