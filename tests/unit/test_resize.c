/* Resize's rules from operand values to params (rt_resize_resolve, which
 * the compiler and rt_resize_prepare share) and the prepare kernel's
 * refusals, on small hand-computed cases. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* A linear resize of a 1x1x4x6 float tensor over axes 2 and 3. */
static void setup(rt_resize_params *p, rt_resize_rule_params *q, int antialias) {
  int d;
  memset(p, 0, sizeof *p);
  memset(q, 0, sizeof *q);
  p->rank = 4;
  p->coord = RT_COORD_HALF_PIXEL;
  p->antialias = antialias;
  p->in_dims[0] = p->in_dims[1] = 1;
  p->in_dims[2] = 4;
  p->in_dims[3] = 6;
  q->mode = RT_RESIZE_LINEAR;
  q->naxes = 2;
  q->axes[0] = 2;
  q->axes[1] = 3;
  for (d = 0; d < 4; d++) q->max_taps[d] = RT_RESIZE_MAX_TAPS;
  q->scales_in = q->sizes_in = q->roi_in = -1;
}

START_TEST(scales_floor_and_sizes_keep_the_aspect_ratio) {
  rt_resize_params p;
  rt_resize_rule_params q;
  const double scales[2] = {1.6, 0.5};
  const int64_t sizes[2] = {6, 12};
  int where;
  setup(&p, &q, 0);
  ck_assert_int_eq(rt_resize_resolve(&p, &q, scales, NULL, NULL, 1e9, &where), RT_RESIZE_OK);
  ck_assert_int_eq(p.out_dims[2], 6); /* floor(6.4) */
  ck_assert_int_eq(p.out_dims[3], 3);
  ck_assert_int_eq(p.out_dims[1], 1);
  ck_assert_int_eq(p.taps[0], 1); /* unlisted, unchanged */
  ck_assert_int_eq(p.taps[2], 2);
  /* not_larger: the smaller ratio, 6/4 < 12/6, on both axes: 6 x 9 */
  q.policy = 1;
  ck_assert_int_eq(rt_resize_resolve(&p, &q, NULL, sizes, NULL, 1e9, &where), RT_RESIZE_OK);
  ck_assert_int_eq(p.out_dims[2], 6);
  ck_assert_int_eq(p.out_dims[3], 9);
  ck_assert_int_eq(p.scale_num[3], 6);
  ck_assert_int_eq(p.scale_den[3], 4);
  q.policy = 2; /* not_smaller: 12/6 on both: 8 x 12 */
  ck_assert_int_eq(rt_resize_resolve(&p, &q, NULL, sizes, NULL, 1e9, &where), RT_RESIZE_OK);
  ck_assert_int_eq(p.out_dims[2], 8);
  ck_assert_int_eq(p.out_dims[3], 12);
}
END_TEST

START_TEST(bad_values_are_named) {
  rt_resize_params p;
  rt_resize_rule_params q;
  const double zero[2] = {1, 0}, big[2] = {1, 1e8};
  const int64_t negative[2] = {3, -1};
  int where;
  setup(&p, &q, 0);
  ck_assert_int_eq(rt_resize_resolve(&p, &q, zero, NULL, NULL, 1e9, &where), RT_RESIZE_BAD_SCALE);
  ck_assert_int_eq(where, 1);
  ck_assert_int_eq(rt_resize_resolve(&p, &q, big, NULL, NULL, 1e6, &where), RT_RESIZE_TOO_LARGE);
  ck_assert_int_eq(rt_resize_resolve(&p, &q, NULL, negative, NULL, 1e9, &where), RT_RESIZE_NEGATIVE_SIZE);
  ck_assert_int_eq(where, 1);
  q.upsample = 1;
  ck_assert_int_eq(rt_resize_resolve(&p, &q, zero + 1, NULL, NULL, 1e9, &where), RT_RESIZE_BAD_SCALE);
}
END_TEST

START_TEST(antialias_taps_stay_within_the_bound) {
  /* Every scale that leaves the output non-empty needs at most
   * rt_resize_max_taps taps; a smaller cap is refused. */
  rt_resize_params p;
  rt_resize_rule_params q;
  int64_t s, where_ok = 0;
  int where, mode;
  for (mode = RT_RESIZE_LINEAR; mode <= RT_RESIZE_CUBIC; mode++) {
    for (s = 1; s <= 60; s++) {
      const int64_t sizes[2] = {s % 5, s};
      int32_t cap3;
      setup(&p, &q, 1);
      q.mode = mode;
      cap3 = rt_resize_max_taps(&p, &q, 3);
      q.policy = 1 + (int32_t)(s & 1); /* not_larger takes the smaller ratio */
      ck_assert_int_eq(rt_resize_resolve(&p, &q, NULL, sizes, NULL, 1e9, &where), RT_RESIZE_OK);
      ck_assert_int_le(p.taps[2], rt_resize_max_taps(&p, &q, 2));
      ck_assert_int_le(p.taps[3], cap3);
      if (p.out_dims[2] > 0 && p.taps[3] > 4) where_ok++;
    }
  }
  ck_assert_int_gt(where_ok, 0); /* some cases did widen the filter */
  setup(&p, &q, 1);
  q.max_taps[2] = 4;
  {
    const double scales[2] = {0.25, 1};
    ck_assert_int_eq(rt_resize_resolve(&p, &q, scales, NULL, NULL, 1e9, &where), RT_RESIZE_TOO_MANY_TAPS);
    ck_assert_int_eq(where, 2);
  }
}
END_TEST

START_TEST(prepare_writes_dims_and_refuses_bad_values) {
  rt_resize_params p;
  rt_resize_rule_params q;
  const float scales[4] = {1, 1, 2.0f, 0.5f}, bad[4] = {1, 1, -2.0f, 0.5f};
  int64_t dims[2] = {0, 0};
  int status = RT_OK;
  const void *in[4] = {NULL, NULL, scales, NULL};
  void *out[3] = {dims, &p, &status};
  setup(&p, &q, 0);
  q.naxes = 4;
  q.axes[0] = 0, q.axes[1] = 1, q.axes[2] = 2, q.axes[3] = 3;
  q.scales_in = 2;
  q.n_defines = 2;
  q.define_axes[0] = 2;
  q.define_axes[1] = 3;
  rt_resize_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_OK);
  ck_assert_int_eq(dims[0], 8);
  ck_assert_int_eq(dims[1], 3);
  ck_assert_int_eq(p.out_dims[2], 8);
  in[2] = bad;
  rt_resize_prepare(&q, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_SHAPE);
}
END_TEST

Suite *resize_suite(void) {
  Suite *s = suite_create("resize");
  TCase *t = tcase_create("core");
  tcase_add_test(t, scales_floor_and_sizes_keep_the_aspect_ratio);
  tcase_add_test(t, bad_values_are_named);
  tcase_add_test(t, antialias_taps_stay_within_the_bound);
  tcase_add_test(t, prepare_writes_dims_and_refuses_bad_values);
  suite_add_tcase(s, t);
  return s;
}
