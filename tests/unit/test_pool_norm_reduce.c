/* Pool, norm and reduce kernels on small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* A 2-D pool of one plane: kernel k x k, stride s, the same pad on every
 * side. */
static void pool2d(rt_pool_params *p, int op, int64_t h, int64_t w, int64_t k, int64_t s, int64_t pad,
                   int64_t oh, int64_t ow) {
  memset(p, 0, sizeof *p);
  p->op = op;
  p->dtype = RT_FLOAT;
  p->planes = 1;
  p->p = 2;
  p->in_dims[0] = 1, p->in_dims[1] = h, p->in_dims[2] = w;
  p->out_dims[0] = 1, p->out_dims[1] = oh, p->out_dims[2] = ow;
  p->kernel[0] = 1, p->kernel[1] = k, p->kernel[2] = k;
  p->strides[0] = 1, p->strides[1] = s, p->strides[2] = s;
  p->pads[1] = pad, p->pads[2] = pad;
  p->dilations[0] = p->dilations[1] = p->dilations[2] = 1;
}

START_TEST(maxpool_padded_borders) {
  /* 3x3 = 1..9, 2x2 windows, stride 2, pad 1: {1}, {2,3}, {4,7}, {5,6,8,9} */
  const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float want[4] = {1, 3, 7, 9};
  float y[4];
  rt_pool_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  pool2d(&p, RT_POOL_MAX, 3, 3, 2, 2, 1, 2, 2);
  rt_pool(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(avgpool_counts) {
  /* The same windows: the mean of the valid values, or with
   * count_include_pad the sum over the whole 2x2 kernel. */
  const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float want[4] = {1, 2.5f, 5.5f, 7}, want_incl[4] = {0.25f, 1.25f, 2.75f, 7};
  float y[4], cnt[2];
  rt_pool_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  pool2d(&p, RT_POOL_AVG, 3, 3, 2, 2, 1, 2, 2);
  rt_pool(&p, in, out, cnt);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  p.count_include_pad = 1;
  rt_pool(&p, in, out, cnt);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want_incl[i], 1e-6f);
}
END_TEST

START_TEST(maxpool_indices_storage_order) {
  /* [[1,6,2],[5,3,4]], 2x2 windows, stride 1: both maxima are the 6 at
   * (0,1): flat index 1 row-major, 0 + 2 * 1 = 2 column-major. */
  const float x[6] = {1, 6, 2, 5, 3, 4};
  float y[2];
  int64_t ind[2];
  rt_pool_params p;
  const void *in[1] = {x};
  void *out[2] = {y, ind};
  pool2d(&p, RT_POOL_MAX, 2, 3, 2, 1, 0, 1, 2);
  p.has_indices = 1;
  rt_pool(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 6);
  ck_assert_float_eq(y[1], 6);
  ck_assert_int_eq(ind[0], 1);
  ck_assert_int_eq(ind[1], 1);
  p.storage_order = 1;
  rt_pool(&p, in, out, NULL);
  ck_assert_int_eq(ind[0], 2);
  ck_assert_int_eq(ind[1], 2);
}
END_TEST

START_TEST(global_lp_pool) {
  /* sqrt(3^2 + 4^2) and |1| + |-2| for p = 2, p = 1 */
  const float x[4] = {3, 4, 1, -2};
  float y[2];
  rt_pool_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  pool2d(&p, RT_POOL_LP, 1, 2, 2, 1, 0, 1, 1);
  p.planes = 2;
  p.global = 1;
  rt_pool(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 5, 1e-6f);
  p.p = 1;
  rt_pool(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[1], 3, 1e-6f);
}
END_TEST

START_TEST(softmax_rows_and_strided) {
  /* Rows of [0, ln 3]: softmax [1/4, 3/4]; with -inf a weight of zero. The
   * same data along a strided axis ([2, 2] with the axis first). */
  const float x[4] = {0, logf(3), -INFINITY, 5};
  const float xs[4] = {0, -INFINITY, logf(3), 5};
  float y[4], scratch[4];
  rt_softmax_params p = {RT_SOFTMAX_SOFTMAX, RT_FLOAT, 2, 2, 1};
  const void *in[1] = {x};
  void *out[1] = {y};
  rt_softmax(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 0.25f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 0.75f, 1e-6f);
  ck_assert_float_eq_tol(y[2], 0, 1e-30f);
  ck_assert_float_eq_tol(y[3], 1, 1e-6f);
  p.outer = 1, p.n = 2, p.inner = 2;
  in[0] = xs;
  rt_softmax(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], 0.25f, 1e-6f);
  ck_assert_float_eq_tol(y[2], 0.75f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 0, 1e-30f);
  ck_assert_float_eq_tol(y[3], 1, 1e-6f);
  p.op = RT_SOFTMAX_LOGSOFTMAX;
  rt_softmax(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], logf(0.25f), 1e-6f);
  ck_assert(isinf(y[1]) && y[1] < 0);
}
END_TEST

START_TEST(layernorm_repeats_scale) {
  /* Row [1, 3, 1, 3]: mean 2, variance 1; scale [1, 2] repeated. */
  const float x[4] = {1, 3, 1, 3}, sc[2] = {1, 2};
  float y[4], mean[1], inv[1];
  rt_layernorm_params p;
  const void *in[2] = {x, sc};
  void *out[3] = {y, mean, inv};
  memset(&p, 0, sizeof p);
  p.dtype = p.stash_dtype = RT_FLOAT;
  p.outer = 1, p.n = 4, p.scale_n = 2, p.bias_n = 1;
  p.has_mean = p.has_invstd = 1;
  rt_layernorm(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], -1, 1e-6f);
  ck_assert_float_eq_tol(y[1], 2, 1e-6f);
  ck_assert_float_eq_tol(y[3], 2, 1e-6f);
  ck_assert_float_eq_tol(mean[0], 2, 1e-6f);
  ck_assert_float_eq_tol(inv[0], 1, 1e-6f);
}
END_TEST

/* A reduction of x [2, 3, 4] over the dims with a 0 out stride. */
static void reduce3(rt_reduce_params *p, int op, int dtype, const int64_t *out_strides, int64_t count,
                    int64_t out_count) {
  memset(p, 0, sizeof *p);
  p->op = op;
  p->dtype = dtype;
  p->rank = 3;
  p->dims[0] = 2, p->dims[1] = 3, p->dims[2] = 4;
  memcpy(p->out_strides, out_strides, 3 * sizeof(int64_t));
  p->count = count;
  p->out_count = out_count;
}

START_TEST(reduce_outer_and_inner_axes) {
  /* x = 0..23; reducing axes 0 and 2 leaves 32 j + 60 for j = 0, 1, 2. */
  static const int64_t st[3] = {0, 1, 0};
  float x[24], y[3], mx[3];
  rt_reduce_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  int i;
  for (i = 0; i < 24; i++) x[i] = (float)i;
  reduce3(&p, RT_REDUCE_SUM, RT_FLOAT, st, 8, 3);
  rt_reduce(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_float_eq(y[i], 32.0f * (float)i + 60.0f);
  p.op = RT_REDUCE_MAX;
  rt_reduce(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_float_eq(y[i], 12.0f + 4.0f * (float)i + 3.0f);
  p.op = RT_REDUCE_LOG_SUM_EXP;
  rt_reduce(&p, in, out, mx);
  ck_assert_float_eq_tol(y[0], logf(expf(0) + expf(1) + expf(2) + expf(3) + expf(12) + expf(13) + expf(14) + expf(15)),
                         1e-5f);
}
END_TEST

START_TEST(reduce_int_sum_wraps) {
  /* INT32_MAX + 1 wraps to INT32_MIN instead of being undefined. */
  static const int64_t st[1] = {0};
  const int32_t x[2] = {INT32_MAX, 1};
  int32_t y[1];
  rt_reduce_params p;
  const void *in[1] = {x};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.op = RT_REDUCE_SUM;
  p.dtype = RT_INT32;
  p.rank = 1;
  p.dims[0] = 2;
  memcpy(p.out_strides, st, sizeof st);
  p.count = 2;
  p.out_count = 1;
  rt_reduce(&p, in, out, NULL);
  ck_assert_int_eq(y[0], INT32_MIN);
}
END_TEST

START_TEST(argmax_ties) {
  /* [1, 3, 3, 2]: first max at 1, last at 2; along a strided axis too. */
  const float x[4] = {1, 3, 3, 2};
  const float xs[8] = {1, 0, 3, 0, 3, 0, 2, 0}; /* [4, 2], axis 0 */
  int64_t y[2];
  float scratch[2];
  rt_arg_params p = {0, RT_FLOAT, 1, 4, 1, 0};
  const void *in[1] = {x};
  void *out[1] = {y};
  rt_arg(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 1);
  p.select_last_index = 1;
  rt_arg(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 2);
  p.inner = 2;
  in[0] = xs;
  rt_arg(&p, in, out, scratch);
  ck_assert_int_eq(y[0], 2);
  ck_assert_int_eq(y[1], 3);
  p.is_min = 1;
  p.select_last_index = 0;
  rt_arg(&p, in, out, scratch);
  ck_assert_int_eq(y[0], 0);
  ck_assert_int_eq(y[1], 0);
}
END_TEST

Suite *pool_norm_reduce_suite(void) {
  Suite *s = suite_create("pool_norm_reduce");
  TCase *tc = tcase_create("pool");
  tcase_add_test(tc, maxpool_padded_borders);
  tcase_add_test(tc, avgpool_counts);
  tcase_add_test(tc, maxpool_indices_storage_order);
  tcase_add_test(tc, global_lp_pool);
  suite_add_tcase(s, tc);
  tc = tcase_create("norm");
  tcase_add_test(tc, softmax_rows_and_strided);
  tcase_add_test(tc, layernorm_repeats_scale);
  suite_add_tcase(s, tc);
  tc = tcase_create("reduce");
  tcase_add_test(tc, reduce_outer_and_inner_axes);
  tcase_add_test(tc, reduce_int_sum_wraps);
  tcase_add_test(tc, argmax_ties);
  suite_add_tcase(s, tc);
  return s;
}
