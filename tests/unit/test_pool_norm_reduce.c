/* Pool, norm and reduce kernels on small hand-computed cases. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* A 2-D pool of one plane: kernel k x k, stride s, the same pad on every
 * side. */
static void pool2d(rt_pool_params *p, int64_t h, int64_t w, int64_t k, int64_t s, int64_t pad,
                   int64_t oh, int64_t ow) {
  memset(p, 0, sizeof *p);
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
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  int i;
  pool2d(&p, 3, 3, 2, 2, 1, 2, 2);
  rt_maxpool_f32(&p, in, out, NULL);
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
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  int i;
  pool2d(&p, 3, 3, 2, 2, 1, 2, 2);
  rt_avgpool_f32(&p, in, out, cnt);
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(y[i], want[i], 1e-6f);
  p.count_include_pad = 1;
  rt_avgpool_f32(&p, in, out, cnt);
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
  const void *in[RT_MIN_ARGS] = {x};
  void *out[2] = {y, ind};
  pool2d(&p, 2, 3, 2, 1, 0, 1, 2);
  rt_maxpool_f32_indices(&p, in, out, NULL);
  ck_assert_float_eq(y[0], 6);
  ck_assert_float_eq(y[1], 6);
  ck_assert_int_eq(ind[0], 1);
  ck_assert_int_eq(ind[1], 1);
  p.storage_order = 1;
  rt_maxpool_f32_indices(&p, in, out, NULL);
  ck_assert_int_eq(ind[0], 2);
  ck_assert_int_eq(ind[1], 2);
}
END_TEST

START_TEST(global_lp_pool) {
  /* sqrt(3^2 + 4^2) and |1| + |-2| for p = 2, p = 1 */
  const float x[4] = {3, 4, 1, -2};
  float y[2];
  rt_globalpool_params p = {2, 2, 2};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_globallppool_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 5, 1e-6f);
  p.p = 1;
  rt_globallppool_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[1], 3, 1e-6f);
}
END_TEST

START_TEST(softmax_rows_and_strided) {
  /* Rows of [0, ln 3]: softmax [1/4, 3/4]; with -inf a weight of zero. The
   * same data along a strided axis ([2, 2] with the axis first). */
  const float x[4] = {0, logf(3), -INFINITY, 5};
  const float xs[4] = {0, -INFINITY, logf(3), 5};
  float y[4], scratch[4];
  rt_softmax_params p = {2, 2, 1};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_softmax_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 0.25f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 0.75f, 1e-6f);
  ck_assert_float_eq_tol(y[2], 0, 1e-30f);
  ck_assert_float_eq_tol(y[3], 1, 1e-6f);
  p.outer = 1, p.n = 2, p.inner = 2;
  in[0] = xs;
  rt_softmax_f32_strided(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], 0.25f, 1e-6f);
  ck_assert_float_eq_tol(y[2], 0.75f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 0, 1e-30f);
  ck_assert_float_eq_tol(y[3], 1, 1e-6f);
  rt_logsoftmax_f32_strided(&p, in, out, scratch);
  ck_assert_float_eq_tol(y[0], logf(0.25f), 1e-6f);
  ck_assert(isinf(y[1]) && y[1] < 0);
}
END_TEST

START_TEST(layernorm_repeats_scale) {
  /* Row [1, 3, 1, 3]: mean 2, variance 1; scale [1, 2] repeated. */
  const float x[4] = {1, 3, 1, 3}, sc[2] = {1, 2};
  float y[4], mean[1], inv[1];
  rt_layernorm_params p;
  const void *in[RT_MIN_ARGS] = {x, sc};
  void *out[3] = {y, mean, inv};
  memset(&p, 0, sizeof p);
  p.outer = 1, p.n = 4, p.scale_n = 2, p.bias_n = 1;
  p.has_mean = p.has_invstd = 1;
  rt_layernorm_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], -1, 1e-6f);
  ck_assert_float_eq_tol(y[1], 2, 1e-6f);
  ck_assert_float_eq_tol(y[3], 2, 1e-6f);
  ck_assert_float_eq_tol(mean[0], 2, 1e-6f);
  ck_assert_float_eq_tol(inv[0], 1, 1e-6f);
}
END_TEST

/* A reduction of x [2, 3, 4] over the dims with a 0 out stride. */
static void reduce3(rt_reduce_params *p, const int64_t *out_strides, int64_t count, int64_t out_count) {
  memset(p, 0, sizeof *p);
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
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  int i;
  for (i = 0; i < 24; i++) x[i] = (float)i;
  reduce3(&p, st, 8, 3);
  rt_reducesum_f32(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_float_eq(y[i], 32.0f * (float)i + 60.0f);
  rt_reducemax_f32(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_float_eq(y[i], 12.0f + 4.0f * (float)i + 3.0f);
  rt_reducelogsumexp_f32(&p, in, out, mx);
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
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.rank = 1;
  p.dims[0] = 2;
  memcpy(p.out_strides, st, sizeof st);
  p.count = 2;
  p.out_count = 1;
  rt_reducesum_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], INT32_MIN);
}
END_TEST

START_TEST(argmax_ties) {
  /* [1, 3, 3, 2]: first max at 1, last at 2; along a strided axis too. */
  const float x[4] = {1, 3, 3, 2};
  const float xs[8] = {1, 0, 3, 0, 3, 0, 2, 0}; /* [4, 2], axis 0 */
  int64_t y[2];
  float scratch[2];
  rt_arg_params p = {1, 4, 1, 0};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_argmax_f32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 1);
  p.select_last_index = 1;
  rt_argmax_f32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 2);
  p.inner = 2;
  in[0] = xs;
  rt_argmax_f32(&p, in, out, scratch);
  ck_assert_int_eq(y[0], 2);
  ck_assert_int_eq(y[1], 3);
  p.select_last_index = 0;
  rt_argmin_f32(&p, in, out, scratch);
  ck_assert_int_eq(y[0], 0);
  ck_assert_int_eq(y[1], 0);
}
END_TEST

START_TEST(maxpool_row_walker_matches_windows) {
  /* The row walker (rt_maxpool_f32) and the window-by-window path (the
   * _indices variant) agree on a padded, strided 3x3 pool of 2 planes. */
  float x[2 * 7 * 9], y[2 * 4 * 5], yw[2 * 4 * 5];
  int64_t ind[2 * 4 * 5];
  rt_pool_params p;
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y}, *outw[2] = {yw, ind};
  int i;
  for (i = 0; i < 2 * 7 * 9; i++) x[i] = (float)((i * 37) % 23) - 11.0f;
  pool2d(&p, 7, 9, 3, 2, 1, 4, 5);
  p.planes = 2;
  rt_maxpool_f32(&p, in, out, NULL);
  rt_maxpool_f32_indices(&p, in, outw, NULL);
  for (i = 0; i < 2 * 4 * 5; i++) {
    ck_assert_float_eq(y[i], yw[i]);
    ck_assert_float_eq(x[ind[i]], y[i]);
  }
}
END_TEST

/* Runs `k` out of place, then with the output over the input, and
 * requires the same bytes: what the lowering's inplace_of = 0 promises. */
static void check_inplace(rt_kernel_fn k, const void *params, const float *x, int n, const void *in1,
                          const void *in2, const void *in3, const void *in4, void *scratch) {
  float a[64], b[64];
  const void *in[RT_MIN_ARGS] = {0};
  void *out[1];
  ck_assert_int_le(n, 64);
  in[0] = x, in[1] = in1, in[2] = in2, in[3] = in3, in[4] = in4;
  out[0] = a;
  k(params, in, out, scratch);
  memcpy(b, x, sizeof(float) * (size_t)n);
  in[0] = b;
  out[0] = b;
  k(params, in, out, scratch);
  ck_assert_int_eq(memcmp(a, b, sizeof(float) * (size_t)n), 0);
}

START_TEST(inplace_kernels) {
  /* x as [2, 3, 4] (batch, channels, inner) or [6, 4] / [2, 3, 4] rows. */
  float x[24], sc[4] = {1.5f, -2, 0.25f, 3}, bi[4] = {0.5f, 1, -1, 2}, mean[3] = {1, -2, 0.5f},
               var[3] = {2, 0.5f, 1};
  double dscratch[16];
  float fscratch[16];
  int i;
  for (i = 0; i < 24; i++) x[i] = (float)((i * 7) % 11) * 0.5f - 2.0f;
  {
    rt_batchnorm_params p = {2, 3, 4, 0, 0, 1e-5f, 0, RT_ACT_NONE, 0, 0, 0};
    check_inplace(rt_batchnorm_f32, &p, x, 24, sc, bi, mean, var, NULL);
  }
  {
    rt_softmax_params rows = {6, 4, 1}, strided = {2, 3, 4};
    check_inplace(rt_softmax_f32, &rows, x, 24, NULL, NULL, NULL, NULL, NULL);
    check_inplace(rt_softmax_f32_strided, &strided, x, 24, NULL, NULL, NULL, NULL, fscratch);
  }
  {
    rt_instancenorm_params p = {2, 3, 4, 1e-5f};
    check_inplace(rt_instancenorm_f32, &p, x, 24, sc, bi, NULL, NULL, NULL);
  }
  {
    rt_layernorm_params p = {6, 4, 2, 4, 1, 0, 0, 1e-5f};
    check_inplace(rt_layernorm_f32, &p, x, 24, sc, bi, NULL, NULL, NULL);
  }
  {
    /* statistics over the last dim of [2, 3, 4]: 6 groups of 4 */
    rt_mvn_params p;
    memset(&p, 0, sizeof p);
    p.rank = 3;
    p.dims[0] = 2, p.dims[1] = 3, p.dims[2] = 4;
    p.stat_strides[0] = 3, p.stat_strides[1] = 1, p.stat_strides[2] = 0;
    p.groups = 6;
    p.count = 4;
    check_inplace(rt_mvn_f32, &p, x, 24, NULL, NULL, NULL, NULL, dscratch);
  }
}
END_TEST

START_TEST(batchnorm_training) {
  /* one channel, x = 1, 3 over n = 2: mean 2, biased variance 1; with
   * scale 2, bias 1, epsilon 0: y = (x - 2) * 2 + 1 = -1, 3; running
   * statistics 10 and 5 move by 1 - 0.75 toward 2 and 1 */
  const float x[2] = {1, 3}, sc[1] = {2}, bi[1] = {1}, mean[1] = {10}, var[1] = {5};
  float y[2], rm, rv;
  rt_batchnorm_params p = {2, 1, 1, 1, 1, 0, 0.75f, RT_ACT_NONE, 0, 0, 0};
  const void *in[RT_MIN_ARGS] = {x, sc, bi, mean, var};
  void *out[3] = {y, &rm, &rv};
  rt_batchnorm_train_f32(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], -1.0f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 3.0f, 1e-6f);
  ck_assert_float_eq_tol(rm, 10 * 0.75f + 2 * 0.25f, 1e-6f);
  ck_assert_float_eq_tol(rv, 5 * 0.75f + 1 * 0.25f, 1e-6f);
}
END_TEST

START_TEST(batchnorm_mixed_types) {
  /* float data with double statistics: y = (x - 1) / sqrt(4) * 3 + 0.5 */
  const float x[2] = {1, 5};
  const double sc[1] = {3}, bi[1] = {0.5}, mean[1] = {1}, var[1] = {4};
  float y[2];
  rt_batchnorm_params p = {1, 1, 2, 0, 0, 0, 0, RT_ACT_NONE, 0, 0, 0};
  const void *in[RT_MIN_ARGS] = {x, sc, bi, mean, var};
  void *out[1] = {y};
  rt_batchnorm_f32_f64(&p, in, out, NULL);
  ck_assert_float_eq_tol(y[0], 0.5f, 1e-6f);
  ck_assert_float_eq_tol(y[1], 6.5f, 1e-6f);
}
END_TEST

/* ---- axes read at run time (prepare kernels) ---- */

START_TEST(reduce_merge_groups) {
  /* [kept, red, red(1), kept, kept(1)]: the 1s drop out, so kept dims 0 and
   * 3 stay apart (a reduced dim between them) */
  const int32_t red[5] = {0, 1, 1, 0, 0}, one[5] = {0, 0, 1, 0, 1};
  /* [red, kept(1), red]: the kept 1 drops, the reduced dims merge */
  const int32_t red2[3] = {1, 0, 1}, one2[3] = {0, 1, 0}, all_one[3] = {1, 1, 1};
  int32_t group[5], gred[5];
  ck_assert_int_eq(rt_reduce_merge(5, red, one, group, gred), 3);
  ck_assert_int_eq(group[0], 0);
  ck_assert_int_eq(group[1], 1);
  ck_assert_int_eq(group[2], -1);
  ck_assert_int_eq(group[3], 2);
  ck_assert_int_eq(group[4], -1);
  ck_assert_int_eq(gred[0], 0);
  ck_assert_int_eq(gred[1], 1);
  ck_assert_int_eq(gred[2], 0);
  ck_assert_int_eq(rt_reduce_merge(3, red2, one2, group, gred), 1);
  ck_assert_int_eq(group[0], 0);
  ck_assert_int_eq(group[2], 0);
  ck_assert_int_eq(gred[0], 1);
  /* nothing left: one kept dim of 1 */
  ck_assert_int_eq(rt_reduce_merge(3, red2, all_one, group, gred), 1);
  ck_assert_int_eq(gred[0], 0);
}
END_TEST

/* Runs rt_reduce_prepare on x [2, 3, 4] with these axes; its status. */
static int reduce_prepare(rt_reduce_prepare_params *q, const int64_t *axes, int32_t n, int64_t *dims,
                          rt_reduce_params *p) {
  int qs = RT_OK;
  const void *in[RT_MIN_ARGS] = {NULL, axes};
  void *out[3] = {dims, p, &qs};
  q->rank = 3;
  q->n_axes = n;
  q->in_dims[0] = 2, q->in_dims[1] = 3, q->in_dims[2] = 4;
  memset(p, 0, sizeof *p);
  rt_reduce_prepare(q, in, out, NULL);
  return qs;
}

START_TEST(reduce_prepare_axes) {
  const int64_t outer_inner[2] = {-1, 0}, twice[2] = {1, -2}, out_of_range[1] = {3};
  rt_reduce_prepare_params q;
  rt_reduce_params p;
  int64_t dims[8] = {0};
  memset(&q, 0, sizeof q);
  /* axes 2 and 0 without keepdims: the output is [3], as reduce3 plans */
  q.out_mask = 1;
  ck_assert_int_eq(reduce_prepare(&q, outer_inner, 2, dims, &p), RT_OK);
  ck_assert_int_eq(dims[0], 3);
  ck_assert_int_eq(p.rank, 3);
  ck_assert_int_eq(p.out_strides[0], 0);
  ck_assert_int_eq(p.out_strides[1], 1);
  ck_assert_int_eq(p.out_strides[2], 0);
  ck_assert_int_eq(p.count, 8);
  ck_assert_int_eq(p.out_count, 3);
  /* no axes: every dim, merged into one; with keepdims the output is
   * [1, 1, 1], of which only the dims in out_mask are written */
  q.keepdims = 1;
  q.out_mask = 5;
  dims[0] = dims[1] = 7;
  ck_assert_int_eq(reduce_prepare(&q, NULL, 0, dims, &p), RT_OK);
  ck_assert_int_eq(dims[0], 1);
  ck_assert_int_eq(dims[1], 1);
  ck_assert_int_eq(dims[2], 0);
  ck_assert_int_eq(p.rank, 1);
  ck_assert_int_eq(p.dims[0], 24);
  ck_assert_int_eq(p.count, 24);
  ck_assert_int_eq(p.out_count, 1);
  /* with noop_with_empty_axes nothing is reduced */
  q.noop = 1;
  ck_assert_int_eq(reduce_prepare(&q, NULL, 0, dims, &p), RT_OK);
  ck_assert_int_eq(p.count, 1);
  ck_assert_int_eq(p.out_count, 24);
  ck_assert_int_eq(reduce_prepare(&q, twice, 2, dims, &p), RT_ERR_SHAPE);
  ck_assert_int_eq(reduce_prepare(&q, out_of_range, 1, dims, &p), RT_ERR_SHAPE);
}
END_TEST

/* Runs a Squeeze/Unsqueeze prepare on x of these dims; its status. */
static int axes_prepare(rt_kernel_fn k, const int64_t *x_dims,
                        int32_t rank, const int64_t *axes, int32_t n, int32_t mask, int64_t *dims) {
  rt_axes_prepare_params q;
  int qs = RT_OK;
  const void *in[RT_MIN_ARGS] = {NULL, axes};
  void *out[3] = {dims, NULL, &qs};
  memset(&q, 0, sizeof q);
  q.in_rank = rank;
  q.n_axes = n;
  q.out_mask = mask;
  memcpy(q.in_dims, x_dims, sizeof(int64_t) * (size_t)rank);
  k(&q, in, out, NULL);
  return qs;
}

START_TEST(squeeze_unsqueeze_prepare_axes) {
  const int64_t x[4] = {1, 3, 1, 5}, y[2] = {3, 5};
  const int64_t sq[2] = {2, -4}, not_one[1] = {1}, ins[2] = {-1, 1}, far[1] = {4}, twice[2] = {0, -3},
                twice4[2] = {0, -4};
  int64_t dims[8] = {0};
  ck_assert_int_eq(axes_prepare(rt_squeeze_prepare, x, 4, sq, 2, 3, dims), RT_OK);
  ck_assert_int_eq(dims[0], 3);
  ck_assert_int_eq(dims[1], 5);
  ck_assert_int_eq(axes_prepare(rt_squeeze_prepare, x, 4, not_one, 1, 7, dims), RT_ERR_SHAPE);
  ck_assert_int_eq(axes_prepare(rt_squeeze_prepare, x, 4, twice, 2, 3, dims), RT_ERR_SHAPE);
  /* [3, 5] with axes -1 and 1: [3, 1, 5, 1]; mask 0b0110 writes 1, 5 */
  ck_assert_int_eq(axes_prepare(rt_unsqueeze_prepare, y, 2, ins, 2, 6, dims), RT_OK);
  ck_assert_int_eq(dims[0], 1);
  ck_assert_int_eq(dims[1], 5);
  ck_assert_int_eq(axes_prepare(rt_unsqueeze_prepare, y, 2, far, 1, 7, dims), RT_ERR_SHAPE);
  ck_assert_int_eq(axes_prepare(rt_unsqueeze_prepare, y, 2, twice4, 2, 15, dims), RT_ERR_SHAPE);
}
END_TEST

Suite *pool_norm_reduce_suite(void) {
  Suite *s = suite_create("pool_norm_reduce");
  TCase *tc = tcase_create("pool");
  tcase_add_test(tc, maxpool_padded_borders);
  tcase_add_test(tc, avgpool_counts);
  tcase_add_test(tc, maxpool_indices_storage_order);
  tcase_add_test(tc, global_lp_pool);
  tcase_add_test(tc, maxpool_row_walker_matches_windows);
  suite_add_tcase(s, tc);
  tc = tcase_create("norm");
  tcase_add_test(tc, softmax_rows_and_strided);
  tcase_add_test(tc, layernorm_repeats_scale);
  tcase_add_test(tc, inplace_kernels);
  tcase_add_test(tc, batchnorm_mixed_types);
  tcase_add_test(tc, batchnorm_training);
  suite_add_tcase(s, tc);
  tc = tcase_create("reduce");
  tcase_add_test(tc, reduce_outer_and_inner_axes);
  tcase_add_test(tc, reduce_int_sum_wraps);
  tcase_add_test(tc, argmax_ties);
  suite_add_tcase(s, tc);
  tc = tcase_create("runtime_axes");
  tcase_add_test(tc, reduce_merge_groups);
  tcase_add_test(tc, reduce_prepare_axes);
  tcase_add_test(tc, squeeze_unsqueeze_prepare_axes);
  suite_add_tcase(s, tc);
  return s;
}
