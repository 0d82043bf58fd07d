/* Conv and Gemm kernel variants against plain reference loops: every
 * variant that takes a geometry must give the same numbers, including the
 * prepacked-weight ones on shapes where the panel layout has short last
 * panels, groups, K slices and several channel blocks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>

#include "suites.h"
#include "unit_rand.h"

/* A 2-D conv: X [1, cin, h, w], W [cout, cin/group, k, k]. */
static void conv2d(rt_conv_params *p, int64_t cin, int64_t cout, int32_t group, int64_t h, int64_t w, int64_t k,
                   int64_t stride, int64_t pad) {
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->batch = 1;
  p->in_ch = cin;
  p->out_ch = cout;
  p->group = group;
  p->has_bias = 1;
  p->in_dims[0] = h, p->in_dims[1] = w;
  p->kernel[0] = p->kernel[1] = k;
  p->strides[0] = p->strides[1] = stride;
  p->dilations[0] = p->dilations[1] = 1;
  p->pads[0] = p->pads[1] = pad;
  p->out_dims[0] = (h + 2 * pad - k) / stride + 1;
  p->out_dims[1] = (w + 2 * pad - k) / stride + 1;
}

static void conv_ref(const rt_conv_params *p, const float *x, const float *w, const float *b, float *y) {
  const int64_t cg = p->in_ch / p->group, mg = p->out_ch / p->group, k = p->kernel[0];
  const int64_t H = p->in_dims[0], W = p->in_dims[1], OH = p->out_dims[0], OW = p->out_dims[1];
  int64_t m, oh, ow, c, kh, kw;
  for (m = 0; m < p->out_ch; m++)
    for (oh = 0; oh < OH; oh++)
      for (ow = 0; ow < OW; ow++) {
        double s = b[m];
        for (c = 0; c < cg; c++)
          for (kh = 0; kh < k; kh++)
            for (kw = 0; kw < k; kw++) {
              const int64_t ih = oh * p->strides[0] - p->pads[0] + kh, iw = ow * p->strides[1] - p->pads[1] + kw;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              s += (double)x[((m / mg) * cg + c) * H * W + ih * W + iw] * w[((m * cg + c) * k + kh) * k + kw];
            }
        y[(m * OH + oh) * OW + ow] = (float)s;
      }
}

static void check_close(const float *got, const float *want, int64_t n, const char *what) {
  int64_t i;
  for (i = 0; i < n; i++)
    ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-3f * (1.0f + fabsf(want[i])), "%s: element %lld is %g, want %g",
                  what, (long long)i, (double)got[i], (double)want[i]);
}

/* Runs `fn` on the geometry (W prepacked first when `packed`) and checks
 * it against the reference. */
static void check_variant(const rt_conv_params *p, rt_kernel_fn fn, size_t scratch_bytes, int packed,
                          const char *what) {
  const int64_t cg = p->in_ch / p->group, k = p->kernel[0];
  const int64_t nx = p->in_ch * p->in_dims[0] * p->in_dims[1], ny = p->out_ch * p->out_dims[0] * p->out_dims[1];
  const int64_t nw = p->out_ch * cg * k * k;
  float *x = unit_rand_floats(nx, 1), *w = unit_rand_floats(nw, 2), *b = unit_rand_floats(p->out_ch, 3);
  float *y = malloc(sizeof(float) * (size_t)ny), *want = malloc(sizeof(float) * (size_t)ny);
  float *wp = NULL;
  void *scratch = malloc(scratch_bytes + 1);
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  memset(scratch, 0xff, scratch_bytes + 1); /* NaN: the kernel must not read what it did not write */
  if (packed) {
    const int64_t n = rt_conv_f32_packed_floats(p);
    wp = malloc(sizeof(float) * (size_t)n);
    memset(wp, 0xff, sizeof(float) * (size_t)n);
    rt_conv_f32_pack_weights(p, w, wp);
  }
  in[0] = x;
  in[1] = packed ? wp : w;
  in[2] = b;
  out[0] = y;
  conv_ref(p, x, w, b, want);
  fn(p, in, out, scratch);
  check_close(y, want, ny, what);
  free(x), free(w), free(b), free(y), free(want), free(wp), free(scratch);
}

static void check_gemm_variants(const rt_conv_params *p) {
  check_variant(p, rt_conv_f32_im2col, rt_conv_f32_im2col_scratch_bytes(p), 0, "im2col");
  check_variant(p, rt_conv_f32_im2col_packed, rt_conv_f32_im2col_packed_scratch_bytes(p), 1, "im2col_packed");
}

START_TEST(conv_short_panels_and_groups) {
  rt_conv_params p;
  /* 30 output channels per group: a 24-row panel and a 6-row one */
  conv2d(&p, 6, 60, 2, 9, 11, 3, 1, 1);
  check_gemm_variants(&p);
  /* stride 2, 5 rows (shorter than any MR), K sliced: 40 * 9 = 360 */
  conv2d(&p, 40, 5, 1, 10, 7, 3, 2, 1);
  check_gemm_variants(&p);
  /* one input channel per group, 2 outputs each: depthwise */
  conv2d(&p, 8, 16, 8, 9, 9, 3, 2, 1);
  check_gemm_variants(&p);
  check_variant(&p, rt_conv_f32_depthwise, 0, 0, "depthwise");
}
END_TEST

/* More output positions than one block (CONV_NC, 384: here 384 + 56, the
 * last panel 24 wide) and K in several channel slices (64 * 9 = 576 rows:
 * three slices of whole channels, the bias only in the first), with tiles
 * of 12 + 8 and 12 + 4 rows (the 8- and 4-row bodies of the AVX-512
 * micro-kernel). */
START_TEST(conv_position_blocks_and_slices) {
  rt_conv_params p;
  conv2d(&p, 64, 20, 1, 22, 20, 3, 1, 1);
  check_gemm_variants(&p);
  conv2d(&p, 64, 16, 1, 22, 20, 3, 1, 1);
  check_gemm_variants(&p);
  /* 1x1: 300 channels (two slices), 440 positions */
  conv2d(&p, 300, 16, 1, 22, 20, 1, 1, 0);
  check_variant(&p, rt_conv_f32_pointwise_packed, rt_conv_f32_pointwise_packed_scratch_bytes(&p), 1,
                "pointwise_packed");
}
END_TEST

START_TEST(conv_pointwise_blocks) {
  rt_conv_params p;
  /* 1x1: 37 rows (24 + 13), 70 columns (NR-wide panels plus a rest) */
  conv2d(&p, 19, 37, 1, 7, 10, 1, 1, 0);
  check_gemm_variants(&p);
  check_variant(&p, rt_conv_f32_pointwise, rt_conv_f32_pointwise_scratch_bytes(&p), 0, "pointwise");
  check_variant(&p, rt_conv_f32_pointwise_packed, rt_conv_f32_pointwise_packed_scratch_bytes(&p), 1,
                "pointwise_packed");
  /* 2000 x 600 weights: more than one block of output channels */
  conv2d(&p, 2000, 600, 1, 3, 5, 1, 1, 0);
  check_gemm_variants(&p);
  check_variant(&p, rt_conv_f32_pointwise_packed, rt_conv_f32_pointwise_packed_scratch_bytes(&p), 1,
                "pointwise_packed");
}
END_TEST

/* Tasks run last to first, in the calling thread. */
static void backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  (void)user;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

/* A 1x1 conv on a 1x1 plane (a squeeze-excitation FC): pointwise_packed's
 * matrix-vector path, with the quads' and K's tails (k mod 8), groups, a
 * Relu and a split into tasks, which gives the same bits. */
static void check_one_position(int64_t cin, int64_t cout, int32_t group) {
  rt_conv_params p;
  const int64_t nw = cout * (cin / group);
  const rt_parallel two = {backwards, NULL, 4, 0};
  float *x = unit_rand_floats(cin, 4), *w = unit_rand_floats(nw, 5), *b = unit_rand_floats(cout, 6);
  float *wp, *y = malloc(sizeof(float) * (size_t)cout), *y2 = malloc(sizeof(float) * (size_t)cout);
  float *want = malloc(sizeof(float) * (size_t)cout);
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  size_t scratch_bytes;
  void *scratch;
  int64_t i;
  conv2d(&p, cin, cout, group, 1, 1, 1, 1, 0);
  wp = malloc(sizeof(float) * (size_t)rt_conv_f32_packed_floats(&p));
  rt_conv_f32_pack_weights(&p, w, wp);
  scratch_bytes = rt_conv_f32_pointwise_packed_scratch_bytes(&p);
  scratch = malloc(scratch_bytes + 1);
  conv_ref(&p, x, w, b, want);
  for (i = 0; i < cout; i++) want[i] = want[i] > 0.0f ? want[i] : 0.0f;
  p.act = RT_ACT_RELU;
  in[0] = x, in[1] = wp, in[2] = b, out[0] = y;
  rt_conv_f32_pointwise_packed(&p, in, out, scratch);
  check_close(y, want, cout, "pointwise_packed on a 1x1 plane");
  in[RT_PARALLEL_SLOT] = &two, out[0] = y2;
  rt_conv_f32_pointwise_packed(&p, in, out, scratch);
  ck_assert_msg(memcmp(y, y2, sizeof(float) * (size_t)cout) == 0, "%lld -> %lld: split into tasks, other bits",
                (long long)cin, (long long)cout);
  free(x), free(w), free(b), free(wp), free(y), free(y2), free(want), free(scratch);
}

START_TEST(conv_one_position) {
  check_one_position(1157, 49, 1);
  check_one_position(38, 22, 2);
  check_one_position(960, 240, 1);
}
END_TEST

/* Gemm with M == 1 (the gemv variant, no scratch) and the general variant
 * agree with a reference, with transposes and a broadcast C. */
START_TEST(gemm_gemv_matches) {
  const int64_t M = 1, N = 37, K = 300;
  float *a = unit_rand_floats(K, 4), *bt = unit_rand_floats(N * K, 5), *c = unit_rand_floats(N, 6);
  float y1[37], y2[37], want[37];
  void *scratch = malloc(rt_sgemm_scratch_bytes(M, N, K));
  rt_gemm_params p;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int64_t j, k;
  memset(&p, 0, sizeof p);
  p.M = M, p.N = N, p.K = K;
  p.trans_b = 1;
  p.alpha = 0.5f;
  p.beta = 2.0f;
  p.has_c = 1;
  p.c_cs = 1;
  for (j = 0; j < N; j++) {
    double s = 0;
    for (k = 0; k < K; k++) s += (double)a[k] * bt[j * K + k];
    want[j] = (float)(0.5 * s + 2.0 * c[j]);
  }
  in[0] = a, in[1] = bt, in[2] = c;
  out[0] = y1;
  rt_gemm_f32_gemv(&p, in, out, NULL);
  out[0] = y2;
  rt_gemm_f32(&p, in, out, scratch);
  check_close(y1, want, N, "gemv");
  check_close(y2, want, N, "gemm");
  free(a), free(bt), free(c), free(scratch);
}
END_TEST

/* Gemm and MatMul with B prepacked (panels of RT_GEMM_PANEL columns)
 * against the plain variant: N with a narrow last panel, exact panels,
 * N below one panel, K in several slices, M past one block, transposes,
 * alpha, beta and a broadcast C. Buffers are exactly the sizes the header
 * promises, so the sanitizer build catches any read past them. */
static void check_gemm_packed(int64_t M, int64_t N, int64_t K, int ta, int tb, float alpha, float beta, int c_mode) {
  float *a = unit_rand_floats(M * K, 11), *b = unit_rand_floats(K * N, 12), *cc = unit_rand_floats(M * N, 13);
  float *y1 = malloc(sizeof(float) * (size_t)(M * N)), *y2 = malloc(sizeof(float) * (size_t)(M * N));
  float *bp = malloc(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N));
  void *s1 = malloc(rt_sgemm_scratch_bytes(M, N, K)), *s2 = malloc(rt_gemm_f32_packed_scratch_bytes(M, K));
  rt_gemm_params p;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  memset(&p, 0, sizeof p);
  p.M = M, p.N = N, p.K = K;
  p.trans_a = ta, p.trans_b = tb;
  p.alpha = alpha, p.beta = beta;
  p.has_c = c_mode != 0;
  if (c_mode == 1) p.c_cs = 1;           /* C [N] */
  if (c_mode == 2) p.c_rs = N, p.c_cs = 1; /* C [M, N] */
  rt_gemm_f32_pack_b(K, N, b, tb, bp);
  in[0] = a, in[1] = b, in[2] = cc;
  out[0] = y1;
  rt_gemm_f32(&p, in, out, s1);
  in[1] = bp;
  out[0] = y2;
  rt_gemm_f32_packed(&p, in, out, s2);
  check_close(y2, y1, M * N, "gemm packed");
  if (M == 1) { /* the one-row variant reads the same panels, no scratch */
    memset(y2, 0, sizeof(float) * (size_t)N);
    rt_gemm_f32_gemv_packed(&p, in, out, NULL);
    check_close(y2, y1, N, "gemm gemv packed");
  }
  if (!ta && alpha == 1.0f && !c_mode) {
    rt_matmul_params q;
    memset(&q, 0, sizeof q);
    q.M = M, q.N = N, q.K = K;
    rt_gemm_f32_pack_b(K, N, b, 0, bp);
    in[1] = b;
    out[0] = y1;
    rt_matmul_f32(&q, in, out, s1);
    in[1] = bp;
    out[0] = y2;
    rt_matmul_f32_packed(&q, in, out, s2);
    check_close(y2, y1, M * N, "matmul packed");
    if (M == 1) {
      memset(y2, 0, sizeof(float) * (size_t)N);
      rt_matmul_f32_gemv_packed(&q, in, out, NULL);
      check_close(y2, y1, N, "matmul gemv packed");
    }
  }
  free(a), free(b), free(cc), free(y1), free(y2), free(bp), free(s1), free(s2);
}

START_TEST(gemm_packed_matches) {
  check_gemm_packed(4, 10, 64, 0, 1, 1.0f, 1.0f, 1);
  check_gemm_packed(4, 128, 64, 0, 0, 1.0f, 0.0f, 0);
  check_gemm_packed(2, 96, 7, 0, 1, 1.0f, 0.0f, 0);
  check_gemm_packed(7, 193, 300, 0, 1, 0.5f, 2.0f, 2);
  check_gemm_packed(13, 250, 530, 1, 0, 1.0f, 1.0f, 1);
  check_gemm_packed(33, 97, 260, 1, 1, -1.5f, 0.5f, 2);
  check_gemm_packed(200, 45, 31, 0, 0, 1.0f, 0.0f, 0);
  check_gemm_packed(5, 3, 9, 0, 1, 0.0f, 1.0f, 1);
  /* transformer-sized: a bias row (it seeds the first K slice's
   * accumulators), 5 panels (the last 36 wide), 3 K slices, and M past
   * one block of rows (150) */
  check_gemm_packed(128, 420, 600, 0, 1, 1.0f, 1.0f, 1);
  check_gemm_packed(150, 200, 520, 0, 0, 1.0f, 1.0f, 1);
  check_gemm_packed(128, 300, 260, 1, 1, 2.0f, 1.0f, 1);
  /* rt_gemm_f32 reads a small B with whole tiles in place (no packing) */
  check_gemm_packed(50, 64, 128, 0, 0, 1.0f, 0.0f, 0);
  check_gemm_packed(13, 96, 40, 1, 0, 0.5f, 1.0f, 2);
  /* one row, where the _gemv_packed variants run too (gemv_packed.c, a
   * whole panel row per k): N of one panel, a narrow last panel (3 -> 4
   * wide, 40, 68) with its own loop; K of 1; A transposed; a bias row,
   * beta with C, alpha, and alpha 0 */
  check_gemm_packed(1, 3, 9, 0, 1, 1.0f, 1.0f, 1);
  check_gemm_packed(1, 1000, 1280, 0, 1, 1.0f, 1.0f, 1);
  check_gemm_packed(1, 164, 33, 1, 0, 0.5f, 2.0f, 2);
  check_gemm_packed(1, 96, 1, 0, 0, 1.0f, 0.0f, 0);
  check_gemm_packed(1, 136, 260, 1, 1, -1.5f, 0.5f, 1);
  check_gemm_packed(1, 40, 7, 0, 1, 0.0f, 1.0f, 1); /* alpha 0: the bias row alone */
  check_gemm_packed(1, 40, 7, 0, 1, 0.0f, 0.5f, 2); /* alpha 0: beta * C alone */
}
END_TEST

/* ConvTranspose with W^T prepacked in quads against the plain variant:
 * rows (out_ch/group * kernel size) not a whole number of quads, groups,
 * and more input channels per group than one K slice. */
static void check_convt_packed(int64_t cin, int64_t cout, int32_t group, int64_t h, int64_t w, int64_t k,
                               int64_t stride, int64_t pad) {
  rt_conv_params p;
  int64_t nx, nw, ny;
  float *x, *wt, *bias, *y1, *y2, *wp;
  void *s1, *s2;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  memset(&p, 0, sizeof p);
  p.nd = 2, p.batch = 2, p.in_ch = cin, p.out_ch = cout, p.group = group, p.has_bias = 1;
  p.in_dims[0] = h, p.in_dims[1] = w;
  p.kernel[0] = p.kernel[1] = k;
  p.strides[0] = p.strides[1] = stride;
  p.dilations[0] = p.dilations[1] = 1;
  p.pads[0] = p.pads[1] = pad;
  p.out_dims[0] = (h - 1) * stride + k - 2 * pad;
  p.out_dims[1] = (w - 1) * stride + k - 2 * pad;
  nx = 2 * cin * h * w, nw = cin * (cout / group) * k * k, ny = 2 * cout * p.out_dims[0] * p.out_dims[1];
  x = unit_rand_floats(nx, 21), wt = unit_rand_floats(nw, 22), bias = unit_rand_floats(cout, 23);
  y1 = malloc(sizeof(float) * (size_t)ny), y2 = malloc(sizeof(float) * (size_t)ny);
  wp = malloc(sizeof(float) * (size_t)rt_conv_transpose_f32_packed_floats(&p));
  s1 = malloc(rt_conv_transpose_f32_scratch_bytes(&p));
  s2 = malloc(rt_conv_transpose_f32_packed_scratch_bytes(&p));
  rt_conv_transpose_f32_pack_weights(&p, wt, wp);
  in[0] = x, in[1] = wt, in[2] = bias, out[0] = y1;
  rt_conv_transpose_f32(&p, in, out, s1);
  in[1] = wp, out[0] = y2;
  rt_conv_transpose_f32_packed(&p, in, out, s2);
  check_close(y2, y1, ny, "conv transpose packed");
  free(x), free(wt), free(bias), free(y1), free(y2), free(wp), free(s1), free(s2);
}

START_TEST(conv_transpose_packed_matches) {
  check_convt_packed(6, 5, 1, 5, 7, 3, 2, 1);
  check_convt_packed(8, 6, 2, 4, 4, 3, 1, 0);
  check_convt_packed(300, 3, 1, 3, 5, 2, 2, 0);
  check_convt_packed(16, 64, 1, 6, 6, 4, 2, 1);
}
END_TEST

Suite *conv_gemm_suite(void) {
  Suite *s = suite_create("conv_gemm");
  TCase *tc = tcase_create("conv");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, conv_short_panels_and_groups);
  tcase_add_test(tc, conv_pointwise_blocks);
  tcase_add_test(tc, conv_one_position);
  tcase_add_test(tc, conv_position_blocks_and_slices);
  tcase_add_test(tc, conv_transpose_packed_matches);
  suite_add_tcase(s, tc);
  tc = tcase_create("gemm");
  tcase_add_test(tc, gemm_gemv_matches);
  tcase_add_test(tc, gemm_packed_matches);
  suite_add_tcase(s, tc);
  return s;
}
