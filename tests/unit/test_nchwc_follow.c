/* The blocked layout's followers (kernels/nchwc.h): rt_nchwc_maxpool_f32,
 * rt_nchwc_avgpool_f32, rt_nchwc_batchnorm_f32 and
 * rt_nchwc_globalavgpool_f32 give exactly the values of rt_maxpool_f32,
 * rt_avgpool_f32, rt_batchnorm_f32 and rt_globalavgpool_f32 on
 * the same tensor in NCHW; the blocked conv's input scale is the
 * multiplication it replaces. Cases have channel counts that
 * leave pad lanes (holding junk, as a blocked tensor's may), pads, strides,
 * dilation and ceil-mode sized outputs, batch 2, and through a dispatcher
 * that runs the pieces backwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>

#include "suites.h"
#include "unit_rand.h"

#define BL RT_CONV_NCHWC_BLOCK

/* ctx, when not NULL: the most pieces one call was cut into. */
static void backwards(void *ctx, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  if (ctx && n > *(int64_t *)ctx) *(int64_t *)ctx = n;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

/* A layout change (rt_nchwc_to_blocked_f32 or _from_) of [n, c, sp]. */
static void reorder(void (*kernel)(const void *, const void *const *, void *const *, void *), int64_t n, int64_t c,
                    int64_t sp, const float *x, float *y) {
  rt_nchwc_reorder_params r;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  r.batch = n;
  r.channels = c;
  r.spatial = sp;
  in[0] = x;
  out[0] = y;
  kernel(&r, in, out, NULL);
}

/* x [n, c, sp] into blocks, the pad lanes filled with junk (finite). */
static float *blocked_with_junk(const float *x, int64_t n, int64_t c, int64_t sp) {
  const int64_t cb = (c + BL - 1) / BL;
  float *b = unit_rand_floats(n * cb * sp * BL, 99);
  int64_t i, s, l;
  float *tmp = malloc(sizeof(float) * (size_t)(n * cb * sp * BL));
  reorder(rt_nchwc_to_blocked_f32, n, c, sp, x, tmp);
  for (i = 0; i < n * cb; i++)
    for (s = 0; s < sp; s++)
      for (l = 0; l < BL; l++) {
        const int64_t k = (i * sp + s) * BL + l;
        if ((i % cb) * BL + l < c) b[k] = tmp[k];
        else b[k] = 3.0f * b[k] + 7.0f;
      }
  free(tmp);
  return b;
}

/* y (blocked [n, c, sp]) back to NCHW, compared bit for bit with want. */
static void check_same(const float *yb, const float *want, int64_t n, int64_t c, int64_t sp) {
  float *y = malloc(sizeof(float) * (size_t)(n * c * sp));
  reorder(rt_nchwc_from_blocked_f32, n, c, sp, yb, y);
  ck_assert_int_eq(memcmp(y, want, sizeof(float) * (size_t)(n * c * sp)), 0);
  free(y);
}

/* kh: the window's height when not k (0) */
typedef struct pool_case {
  int64_t n, c, h, w, k, s, pad, dil, oh, ow, kh;
} pool_case;

/* Which pool a case runs. */
enum { POOL_MAX, POOL_AVG, POOL_AVG_WITH_PADS };

/* The pool (max, or average counting the pads or not) of case t, blocked
 * against NCHW. For an average the inputs are thirds of unit_rand's
 * values, whose 16 bits would add up exactly in any order; and its first
 * plane holds -0 everywhere: its sums must start from +0 as
 * rt_avgpool_f32's do, which a sum started at the first tap would not. */
static void pool_case_run(const pool_case *t, const rt_parallel *par, int kind) {
  const int64_t cb = (t->c + BL - 1) / BL, isp = t->h * t->w, osp = t->oh * t->ow;
  float *x = unit_rand_floats(t->n * t->c * isp, 5), *xb;
  float *want = malloc(sizeof(float) * (size_t)(t->n * t->c * osp));
  float *yb = malloc(sizeof(float) * (size_t)(t->n * cb * osp * BL));
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_pool_params p;
  int64_t i;
  if (kind != POOL_MAX)
    for (i = 0; i < t->n * t->c * isp; i++) x[i] = i < isp ? -0.0f : x[i] / 3.0f;
  xb = blocked_with_junk(x, t->n, t->c, isp);
  memset(&p, 0, sizeof p);
  p.planes = t->n * t->c;
  p.count_include_pad = kind == POOL_AVG_WITH_PADS;
  p.in_dims[0] = p.out_dims[0] = p.kernel[0] = p.strides[0] = p.dilations[0] = 1;
  p.in_dims[1] = t->h;
  p.in_dims[2] = t->w;
  p.out_dims[1] = t->oh;
  p.out_dims[2] = t->ow;
  p.kernel[1] = t->kh ? t->kh : t->k;
  p.kernel[2] = t->k;
  p.strides[1] = p.strides[2] = t->s;
  p.dilations[1] = p.dilations[2] = t->dil;
  p.pads[1] = p.pads[2] = t->pad;
  in[0] = x;
  out[0] = want;
  if (kind == POOL_MAX) {
    rt_maxpool_f32(&p, in, out, NULL);
  } else {
    float *counts = malloc(sizeof(float) * (size_t)t->ow);
    rt_avgpool_f32(&p, in, out, counts);
    free(counts);
  }
  p.planes = t->n * cb;
  in[0] = xb;
  in[RT_PARALLEL_SLOT] = par;
  out[0] = yb;
  if (kind == POOL_MAX)
    rt_nchwc_maxpool_f32(&p, in, out, NULL);
  else
    rt_nchwc_avgpool_f32(&p, in, out, NULL);
  check_same(yb, want, t->n, t->c, osp);
  free(x);
  free(xb);
  free(want);
  free(yb);
}

START_TEST(nchwc_maxpool_values) {
  /* squeezenet's 3x3 stride 2 with ceil mode (55 -> 27, 13 -> 7 with the
   * last window in the padding), resnet's padded one, 2x2, dilation */
  static const pool_case cases[] = {
      {1, 40, 13, 13, 3, 2, 0, 1, 6, 6, 0},  {2, 17, 13, 13, 3, 2, 0, 1, 7, 7, 0}, {1, 16, 12, 12, 3, 2, 1, 1, 6, 6, 0},
      {2, 33, 8, 10, 2, 2, 0, 1, 4, 5, 0},   {1, 5, 9, 9, 3, 1, 1, 2, 7, 7, 0},
  };
  /* large enough to split: bands of output rows across both images' 3 blocks */
  static const pool_case split = {2, 40, 56, 56, 3, 2, 1, 1, 28, 28, 0};
  int64_t most = 0;
  rt_parallel par = {backwards, NULL, 4, 0};
  size_t i;
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    pool_case_run(&cases[i], NULL, POOL_MAX);
    pool_case_run(&cases[i], &par, POOL_MAX);
  }
  par.user = &most;
  pool_case_run(&split, &par, POOL_MAX);
  ck_assert_int_eq(most, 4);
}
END_TEST

START_TEST(nchwc_avgpool_values) {
  /* densenet's 2x2 stride 2 (odd planes drop a column), a 3x3 padded one
   * at strides 1 and 2 (borders on every side, the interior's 3-row sums
   * and the 2-row ones at the top and bottom), ceil mode with the last
   * window past the end, dilation, the lifted 1-D 1x3 of audio_cnn1d (one
   * row, a kernel height of 1), a 5x5 window (the interior's tap by tap
   * sum), and a 35-wide window padded by 17 in front on 50 columns: with
   * 49 outputs a row (an end pad of 16) 33 have taps outside the row,
   * more than pool.c's row walker takes, so both sum in double; with 48,
   * 32, which it takes */
  static const pool_case cases[] = {
      {1, 40, 13, 13, 2, 2, 0, 1, 6, 6, 0}, {2, 17, 8, 9, 3, 1, 1, 1, 8, 9, 0},  {1, 33, 12, 12, 3, 2, 1, 1, 6, 6, 0},
      {2, 17, 13, 13, 3, 2, 0, 1, 7, 7, 0}, {1, 5, 9, 9, 3, 1, 1, 2, 7, 7, 0},   {1, 24, 11, 11, 5, 2, 2, 1, 6, 6, 0},
      {1, 20, 5, 50, 35, 1, 17, 1, 5, 49, 0}, {1, 20, 5, 50, 35, 1, 17, 1, 5, 48, 0},
  };
  static const pool_case split = {2, 40, 56, 56, 2, 2, 0, 1, 28, 28, 0};
  /* a 1x3 window of stride 2 on a row of 37 */
  static const pool_case row = {1, 64, 1, 37, 3, 2, 0, 1, 1, 18, 1};
  int64_t most = 0;
  rt_parallel par = {backwards, NULL, 4, 0};
  size_t i;
  int kind;
  for (kind = POOL_AVG; kind <= POOL_AVG_WITH_PADS; kind++) {
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
      pool_case_run(&cases[i], NULL, kind);
      pool_case_run(&cases[i], &par, kind);
    }
    pool_case_run(&row, NULL, kind);
  }
  par.user = &most;
  pool_case_run(&split, &par, POOL_AVG);
  ck_assert_int_eq(most, 4);
}
END_TEST

/* A BatchNormalization's parameters: scale, B, mean and var (positive),
 * random from seed on. */
typedef struct bn_params {
  float *v[4];
} bn_params;

static bn_params bn_params_of(int64_t c, int seed) {
  bn_params b;
  int64_t i;
  int k;
  for (k = 0; k < 4; k++) b.v[k] = unit_rand_floats(c, seed + k);
  for (i = 0; i < c; i++) b.v[3][i] = b.v[3][i] * b.v[3][i] + 0.1f;
  return b;
}

static void bn_params_free(bn_params *b) {
  int k;
  for (k = 0; k < 4; k++) free(b->v[k]);
}

/* kernel (rt_batchnorm_f32 or rt_nchwc_batchnorm_f32) of x into y: n
 * images of c channels x sp positions, epsilon 1e-5, activation act (its
 * a 0.125), split by par. */
static void run_batchnorm(rt_kernel_fn kernel, int64_t n, int64_t c, int64_t sp, int32_t act, const bn_params *b,
                          const float *x, float *y, const rt_parallel *par) {
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_batchnorm_params p;
  int k;
  memset(&p, 0, sizeof p);
  p.n = n;
  p.c = c;
  p.inner = sp;
  p.epsilon = 1e-5f;
  p.act = act;
  p.act_a = 0.125f;
  in[0] = x;
  for (k = 0; k < 4; k++) in[1 + k] = b->v[k];
  in[RT_PARALLEL_SLOT] = par;
  out[0] = y;
  kernel(&p, in, out, NULL);
}

static void batchnorm_case(int64_t n, int64_t c, int64_t sp, const rt_parallel *par) {
  const int64_t cb = (c + BL - 1) / BL;
  float *x = unit_rand_floats(n * c * sp, 11), *xb = blocked_with_junk(x, n, c, sp);
  float *want = malloc(sizeof(float) * (size_t)(n * c * sp)), *yb = malloc(sizeof(float) * (size_t)(n * cb * sp * BL));
  bn_params b = bn_params_of(c, 1);
  run_batchnorm(rt_batchnorm_f32, n, c, sp, RT_ACT_NONE, &b, x, want, NULL);
  run_batchnorm(rt_nchwc_batchnorm_f32, n, c, sp, RT_ACT_NONE, &b, xb, yb, par);
  check_same(yb, want, n, c, sp);
  bn_params_free(&b);
  free(x);
  free(xb);
  free(want);
  free(yb);
}

START_TEST(nchwc_batchnorm_values) {
  rt_parallel par = {backwards, NULL, 4, 0};
  batchnorm_case(1, 40, 49, NULL);
  batchnorm_case(2, 16, 9, NULL);
  batchnorm_case(2, 3, 30, &par);
  batchnorm_case(1, 64, 3136, &par); /* large enough to be cut into pieces */
}
END_TEST

/* With par, the scratch the compiler reserves for its tasks. */
static void gap_case(int64_t n, int64_t c, int64_t sp, const rt_parallel *par) {
  float *x = unit_rand_floats(n * c * sp, 21), *xb = blocked_with_junk(x, n, c, sp);
  float *want = malloc(sizeof(float) * (size_t)(n * c)), *got = malloc(sizeof(float) * (size_t)(n * c));
  void *scratch = NULL;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_globalpool_params gp;
  rt_nchwc_reorder_params r;
  memset(&gp, 0, sizeof gp);
  gp.planes = n * c;
  gp.size = sp;
  in[0] = x;
  out[0] = want;
  rt_globalavgpool_f32(&gp, in, out, NULL);
  r.batch = n;
  r.channels = c;
  r.spatial = sp;
  in[0] = xb;
  in[RT_PARALLEL_SLOT] = par;
  out[0] = got;
  if (par && rt_nchwc_globalavgpool_task_bytes(&r))
    scratch = malloc((size_t)(par->tasks - 1) * rt_nchwc_globalavgpool_task_bytes(&r));
  rt_nchwc_globalavgpool_f32(&r, in, out, scratch);
  ck_assert_int_eq(memcmp(got, want, sizeof(float) * (size_t)(n * c)), 0);
  free(scratch);
  free(x);
  free(xb);
  free(want);
  free(got);
}

/* Planes of 49 (the eight partial sums and a tail), 7, 1 and 3136. */
START_TEST(nchwc_global_average_values) {
  int64_t most = 0;
  rt_parallel par = {backwards, NULL, 4, 0};
  gap_case(1, 40, 49, NULL);
  gap_case(2, 17, 7, NULL);
  gap_case(2, 16, 1, &par);
  gap_case(1, 96, 3136, NULL);
  /* planes of 784 positions or more are summed in two halves: the halves
   * split between two tasks, an odd count (29 x 29) included */
  par.user = &most;
  gap_case(1, 96, 3136, &par);
  ck_assert_int_eq(most, 2);
  most = 0;
  gap_case(2, 40, 841, &par);
  ck_assert_int_eq(most, 2);
  most = 0;
  gap_case(1, 16, 783, &par); /* one sum of the plane: not split */
  ck_assert_int_eq(most, 0);
}
END_TEST

/* The blocked conv without a scale of xs (n images of c channels x sp
 * positions) into y, with only channels [c0, c1) of xs (the others zero:
 * their products add nothing, not even a sign to a zero sum). */
static void plain_conv_of_channels(rt_conv_params p, const float *xs, int64_t c0, int64_t c1, const float *wp,
                                   float *y) {
  const int64_t n = p.batch, c = p.in_ch, sp = p.in_dims[0] * p.in_dims[1];
  float *part = malloc(sizeof(float) * (size_t)(n * c * sp)), *xb;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  void *scratch;
  int64_t i, q;
  for (i = 0; i < n; i++)
    for (q = 0; q < c * sp; q++) part[i * c * sp + q] = q / sp >= c0 && q / sp < c1 ? xs[i * c * sp + q] : 0.0f;
  xb = blocked_with_junk(part, n, c, sp);
  p.has_in_scale = 0;
  scratch = malloc(rt_conv_f32_nchwc_blocked_scratch_bytes(&p) + 64);
  in[0] = xb;
  in[1] = wp;
  out[0] = y;
  rt_conv_f32_nchwc_blocked(&p, in, out, scratch);
  free(scratch);
  free(xb);
  free(part);
}

/* p becomes a conv of n images, c -> m channels on an h x w plane, k x k
 * at stride 1 with same pads, no bias; returns wt [m, c, k, k] packed
 * for the blocked conv (malloc'd). */
static float *square_conv(rt_conv_params *p, int64_t n, int64_t c, int64_t m, int64_t h, int64_t w, int64_t k,
                          const float *wt) {
  float *wp;
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->group = 1;
  p->batch = n;
  p->in_ch = c;
  p->out_ch = m;
  p->in_dims[0] = p->out_dims[0] = h;
  p->in_dims[1] = p->out_dims[1] = w;
  p->kernel[0] = p->kernel[1] = k;
  p->strides[0] = p->strides[1] = p->dilations[0] = p->dilations[1] = 1;
  p->pads[0] = p->pads[1] = k / 2;
  wp = malloc(sizeof(float) * (size_t)rt_conv_f32_nchwc_packed_floats(p));
  rt_conv_f32_nchwc_pack_weights(p, wt, wp);
  return wp;
}

/* What a conv with an input map must equal: the conv without one of the
 * mapped X (xs in NCHW, xsb blocked) into y; with halves, the sum of the
 * convs of its channels [0, halves) and [halves, in_ch) (split_sum's). */
static void reference_conv(rt_conv_params p, const float *xs, const float *xsb, int64_t halves, const float *wp,
                           float *y) {
  const int64_t ny = p.batch * ((p.out_ch + BL - 1) / BL) * p.out_dims[0] * p.out_dims[1] * BL;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int64_t i;
  if (halves) {
    float *second = malloc(sizeof(float) * (size_t)ny);
    plain_conv_of_channels(p, xs, 0, halves, wp, y);
    plain_conv_of_channels(p, xs, halves, p.in_ch, wp, second);
    for (i = 0; i < ny; i++) y[i] += second[i];
    free(second);
  } else {
    void *scratch = malloc(rt_conv_f32_nchwc_blocked_scratch_bytes(&p) + 64);
    p.has_in_scale = 0;
    in[0] = xsb;
    in[1] = wp;
    out[0] = y;
    rt_conv_f32_nchwc_blocked(&p, in, out, scratch);
    free(scratch);
  }
}

/* The conv p (with its input map's fields set) of blocked X xb, map at
 * in[4], split by par, gives want bit for bit. */
static void check_mapped_conv(const rt_conv_params *p, const float *xb, const float *wp, const float *map,
                              const rt_parallel *par, const float *want) {
  const int64_t ny = p->batch * ((p->out_ch + BL - 1) / BL) * p->out_dims[0] * p->out_dims[1] * BL;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  void *scratch = malloc(rt_conv_f32_nchwc_blocked_scratch_bytes(p) + 4 * rt_conv_f32_nchwc_blocked_task_bytes(p) + 64);
  float *y = malloc(sizeof(float) * (size_t)ny);
  in[0] = xb;
  in[1] = wp;
  in[4] = map;
  in[RT_PARALLEL_SLOT] = par;
  out[0] = y;
  rt_conv_f32_nchwc_blocked(p, in, out, scratch);
  ck_assert_int_eq(memcmp(want, y, sizeof(float) * (size_t)ny), 0);
  free(scratch);
  free(y);
}

/* The blocked conv with an input scale (fuse-channel-scale's, one factor
 * per channel or per image and channel) equals the same conv on X already
 * multiplied: each product is rounded once either way. A 1x1 conv whose
 * weights outweigh X sums its input blocks in two halves (nchwc_blocked.c,
 * split_sum): it equals the sum of the two convs of X's halves (halves:
 * the channel where the second begins, else 0). */
static void scaled_conv_case(int64_t k, int64_t m, int32_t per_image, int64_t halves, const rt_parallel *par) {
  const int64_t n = 2, c = 40, h = 9, w = 7, sp = h * w, mb = (m + BL - 1) / BL;
  float *x = unit_rand_floats(n * c * sp, 31), *s = unit_rand_floats(n * c, 32);
  float *wt = unit_rand_floats(m * c * k * k, 33);
  float *xs = malloc(sizeof(float) * (size_t)(n * c * sp)), *xb, *xsb;
  float *wp, *ya = malloc(sizeof(float) * (size_t)(n * mb * sp * BL));
  rt_conv_params p;
  int64_t i, q;
  for (i = 0; i < n; i++)
    for (q = 0; q < c * sp; q++) xs[i * c * sp + q] = x[i * c * sp + q] * s[(per_image ? i * c : 0) + q / sp];
  xb = blocked_with_junk(x, n, c, sp);
  xsb = blocked_with_junk(xs, n, c, sp);
  wp = square_conv(&p, n, c, m, h, w, k, wt);
  reference_conv(p, xs, xsb, halves, wp, ya);
  p.has_in_scale = per_image ? 2 : 1;
  check_mapped_conv(&p, xb, wp, s, par, ya);
  free(x);
  free(s);
  free(wt);
  free(xs);
  free(xb);
  free(xsb);
  free(wp);
  free(ya);
}

/* The blocked conv with an input map (fuse-input-bn: a BatchNormalization
 * and its activation; factors, then shifts, at in[4]) equals
 * rt_nchwc_batchnorm_f32 with that activation and then the conv without
 * one, bit for bit: with pads (rows copied with zero borders), a 1x1
 * conv (read in place without the map), a 1x1 conv whose weights outweigh
 * X (its input blocks summed in two halves, as with a scale alone: the
 * sum of the two convs of the map's halves, halves the channel where the
 * second begins), pieces run backwards. */
static void bn_conv_case(int64_t k, int64_t m, int32_t act, int64_t halves, const rt_parallel *par) {
  const int64_t n = 2, c = 40, h = 9, w = 7, sp = h * w, cb = (c + BL - 1) / BL, mb = (m + BL - 1) / BL;
  float *x = unit_rand_floats(n * c * sp, 41), *xb = blocked_with_junk(x, n, c, sp);
  float *ab = malloc(sizeof(float) * (size_t)(2 * c)), *wt = unit_rand_floats(m * c * k * k, 46), *wp;
  float *bn = malloc(sizeof(float) * (size_t)(n * cb * sp * BL));
  float *planes = malloc(sizeof(float) * (size_t)(n * c * sp));
  float *ya = malloc(sizeof(float) * (size_t)(n * mb * sp * BL));
  bn_params b = bn_params_of(c, 42);
  rt_conv_params p;
  run_batchnorm(rt_nchwc_batchnorm_f32, n, c, sp, act, &b, xb, bn, NULL);
  reorder(rt_nchwc_from_blocked_f32, n, c, sp, bn, planes);
  wp = square_conv(&p, n, c, m, h, w, k, wt);
  reference_conv(p, planes, bn, halves, wp, ya);
  rt_nchwc_batchnorm_fold(b.v[0], b.v[1], b.v[2], b.v[3], 1e-5f, c, ab, ab + c);
  p.has_in_scale = 1;
  p.has_in_shift = 1;
  p.in_act = act;
  p.in_act_a = 0.125f;
  check_mapped_conv(&p, xb, wp, ab, par, ya);
  bn_params_free(&b);
  free(x);
  free(xb);
  free(ab);
  free(wt);
  free(wp);
  free(bn);
  free(planes);
  free(ya);
}

START_TEST(nchwc_conv_input_bn) {
  int64_t most = 0;
  rt_parallel par = {backwards, NULL, 4, 0}, counted = {backwards, &most, 4, 0};
  bn_conv_case(1, 24, RT_ACT_RELU, 0, NULL);
  bn_conv_case(3, 24, RT_ACT_RELU, 0, &par);
  bn_conv_case(3, 24, RT_ACT_NONE, 0, NULL);
  bn_conv_case(1, 24, RT_ACT_LEAKY_RELU, 0, &par);
  bn_conv_case(3, 40, RT_ACT_HARD_SWISH, 0, &par);
  bn_conv_case(1, 112, RT_ACT_RELU, 16, &counted); /* split_sum's halves */
  ck_assert_int_eq(most, 2);
  bn_conv_case(1, 112, RT_ACT_RELU, 16, NULL);
}
END_TEST

START_TEST(nchwc_conv_input_scale) {
  int64_t most = 0;
  rt_parallel par = {backwards, NULL, 4, 0}, counted = {backwards, &most, 4, 0};
  scaled_conv_case(1, 24, 0, 0, NULL); /* a 1x1 conv, read in place without a scale */
  scaled_conv_case(1, 24, 1, 0, &par);
  scaled_conv_case(3, 24, 0, 0, &par);
  scaled_conv_case(3, 24, 1, 0, NULL);
  /* 112 output channels: weights outweigh X, so its 3 input blocks are
   * summed as block 0, then blocks 1 and 2, one half a task; the same
   * bits on one task and without the pool */
  scaled_conv_case(1, 112, 1, 16, &counted);
  ck_assert_int_eq(most, 2);
  most = 0;
  counted.tasks = 1;
  scaled_conv_case(1, 112, 0, 16, &counted);
  ck_assert_int_le(most, 1);
  scaled_conv_case(1, 112, 1, 16, NULL);
  /* a 3x3 conv of the same channels stays whole, split by bands (7
   * output blocks: fewer than 2 a task), and with 160 channels by 4
   * groups of output blocks, each task scaling its own copy of X */
  scaled_conv_case(3, 112, 1, 0, &par);
  most = 0;
  counted.tasks = 4;
  scaled_conv_case(3, 160, 1, 0, &counted);
  ck_assert_int_eq(most, 4);
}
END_TEST

Suite *nchwc_follow_suite(void) {
  Suite *s = suite_create("nchwc_follow");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, nchwc_maxpool_values);
  tcase_add_test(tc, nchwc_avgpool_values);
  tcase_add_test(tc, nchwc_batchnorm_values);
  tcase_add_test(tc, nchwc_global_average_values);
  tcase_add_test(tc, nchwc_conv_input_scale);
  tcase_add_test(tc, nchwc_conv_input_bn);
  suite_add_tcase(s, tc);
  return s;
}
