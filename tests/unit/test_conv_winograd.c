/* rt_conv_f32_nchwc_winograd (runtime/src/conv_winograd.c) against the
 * direct blocked conv, rt_conv_f32_nchwc_blocked, on the same blocked X
 * (test_conv_blocked.c checks that one bit for bit):
 *
 *   the values: within a bound of the direct sums' largest magnitude
 *     (Winograd's rounding differs; the bound is ten times the largest
 *     difference seen on these cases, and a wrong coefficient of any of
 *     the three transforms misses it by orders of magnitude);
 *   the tiles that overhang Y's last rows and columns, pads on either side
 *     or none, planes of one chunk and of several, output blocks in
 *     groups, channel counts with pad lanes, batch 2, bias, Relu, Clip and
 *     a residual;
 *   the pad lanes: X's hold junk, which must reach no real channel; Y's
 *     come out 0;
 *   splits: 2, 3 and 4 tasks run backwards give the one-task bits, and
 *     scratch is filled with NaN first and guarded after its end;
 *   warming the next node's weights (RT_WARM_SLOT: the raw weights here)
 *     changes no bit, alone or split. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>

#include "suites.h"
#include "unit_guard.h"
#include "unit_rand.h"

#define BLK 16
#define X_PAD_JUNK 3.25f
/* The bound on |Winograd - direct| over the largest direct sum: a few
 * times the largest seen on these cases (1.3e-5, 256 input channels). */
#define WINO_TOL 5e-5

/* Tasks run last to first, in the calling thread. */
static void backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  (void)user;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

static int64_t blocks(int64_t c) { return (c + BLK - 1) / BLK; }

/* A blocked tensor [n, Cb, sp, 16] of c channels: seeded values in the
 * real lanes, pad in the others. */
static float *blocked_rand(int64_t n, int64_t c, int64_t sp, uint32_t seed, float pad) {
  const int64_t cb = blocks(c), total = n * cb * sp * BLK;
  float *v = unit_rand_floats(total, seed);
  int64_t i;
  for (i = 0; i < total; i++)
    if ((i / (sp * BLK) % cb) * BLK + i % BLK >= c) v[i] = pad;
  return v;
}

/* cin cout h w, pads top left bottom right, batch, bias, act (0 none, 1
 * Relu, 2 Clip(0, 0.5)), residual */
typedef struct wcase {
  int64_t cin, cout, h, w, pt, pl, pb, pr, batch;
  int bias, act, residual;
} wcase;

static const wcase cases[] = {
    {64, 64, 28, 28, 1, 1, 1, 1, 1, 1, 0, 0},   /* resnet18's layer1 shape, smaller */
    {17, 20, 9, 11, 1, 1, 1, 1, 1, 1, 0, 0},    /* pad lanes in and out; tiles overhang */
    {16, 16, 10, 12, 0, 0, 0, 0, 1, 1, 0, 0},   /* no pads: Y 8x10 */
    {18, 30, 9, 12, 0, 2, 1, 0, 1, 1, 0, 0},    /* asymmetric pads */
    {40, 40, 14, 14, 1, 1, 1, 1, 2, 1, 2, 1},   /* batch 2, residual + Clip */
    {24, 36, 6, 21, 1, 1, 1, 1, 1, 1, 1, 0},    /* Relu, one row of tiles and a half */
    {256, 80, 7, 7, 1, 1, 1, 1, 1, 0, 0, 1},    /* 16 input blocks, 5 output blocks, no bias */
    {32, 80, 30, 30, 1, 1, 1, 1, 1, 1, 0, 0},   /* 64 tiles: two chunks, two groups */
    {16, 16, 60, 61, 1, 1, 1, 1, 1, 1, 1, 1},   /* 240 tiles: several chunks */
    {48, 144, 17, 17, 1, 1, 1, 1, 2, 1, 1, 1},  /* groups of blocks at 3 and 4 tasks */
};

static void params_of(const wcase *c, rt_conv_params *p) {
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->group = 1;
  p->has_bias = c->bias;
  p->batch = c->batch;
  p->in_ch = c->cin;
  p->out_ch = c->cout;
  p->in_dims[0] = c->h, p->in_dims[1] = c->w;
  p->kernel[0] = p->kernel[1] = 3;
  p->strides[0] = p->strides[1] = 1;
  p->dilations[0] = p->dilations[1] = 1;
  p->pads[0] = c->pt, p->pads[1] = c->pl;
  p->out_dims[0] = c->h + c->pt + c->pb - 2;
  p->out_dims[1] = c->w + c->pl + c->pr - 2;
  p->act = c->act == 1 ? RT_ACT_RELU : c->act == 2 ? RT_ACT_CLIP : RT_ACT_NONE;
  p->act_a = 0.0f, p->act_b = 0.5f;
  p->has_residual = c->residual;
}

/* Winograd's output yb against the direct one want, both blocked: each
 * real lane within WINO_TOL of `most` (the largest direct sum before the
 * activation: the transforms' rounding is relative to the sums, not to
 * what Clip leaves of them), every pad lane 0. */
static void compare(const rt_conv_params *p, const float *yb, const float *want, double most, const char *what) {
  const int64_t ob = blocks(p->out_ch), osp = p->out_dims[0] * p->out_dims[1], total = p->batch * ob * osp * BLK;
  int64_t i;
  for (i = 0; i < total; i++) {
    const int64_t ch = (i / (osp * BLK) % ob) * BLK + i % BLK;
    if (ch >= p->out_ch) {
      ck_assert_msg(yb[i] == 0.0f, "%s: pad lane %lld is %g", what, (long long)i, (double)yb[i]);
      continue;
    }
    ck_assert_msg(fabs((double)yb[i] - (double)want[i]) <= WINO_TOL * most, "%s: output %lld is %.9g, direct %.9g", what,
                  (long long)i, (double)yb[i], (double)want[i]);
  }
}

/* The largest real |y| of blocked y. */
static double largest(const rt_conv_params *p, const float *y) {
  const int64_t ob = blocks(p->out_ch), osp = p->out_dims[0] * p->out_dims[1], total = p->batch * ob * osp * BLK;
  double most = 0;
  int64_t i;
  for (i = 0; i < total; i++)
    if ((i / (osp * BLK) % ob) * BLK + i % BLK < p->out_ch) most = fmax(most, fabs((double)y[i]));
  return most;
}

static void check_case(const wcase *c) {
  rt_conv_params p;
  const void *in[RT_MIN_ARGS] = {0};
  int64_t ny, osp, isp, t;
  float *x, *w, *b, *r, *wd, *wu, *want, *one, *y;
  double most;
  char what[160];
  params_of(c, &p);
  isp = c->h * c->w, osp = p.out_dims[0] * p.out_dims[1];
  ny = p.batch * blocks(p.out_ch) * osp * BLK;
  x = blocked_rand(p.batch, p.in_ch, isp, 7, X_PAD_JUNK);
  r = blocked_rand(p.batch, p.out_ch, osp, 9, 0.0f);
  w = unit_rand_floats(p.out_ch * p.in_ch * 9, 8);
  b = unit_rand_floats(p.out_ch, 10);
  wd = malloc(sizeof(float) * (size_t)rt_conv_f32_nchwc_packed_floats(&p));
  wu = malloc(sizeof(float) * (size_t)rt_conv_f32_nchwc_winograd_floats(&p));
  rt_conv_f32_nchwc_pack_weights(&p, w, wd);
  rt_conv_f32_nchwc_winograd_pack_weights(&p, w, wu);
  want = malloc(sizeof(float) * (size_t)ny);
  one = malloc(sizeof(float) * (size_t)ny);
  y = malloc(sizeof(float) * (size_t)ny);
  in[0] = x, in[2] = c->bias ? b : NULL, in[3] = c->residual ? r : NULL;
  snprintf(what, sizeof what, "winograd %lld->%lld %lldx%lld pads %lld,%lld,%lld,%lld n%lld b%d act%d res%d",
           (long long)c->cin, (long long)c->cout, (long long)c->h, (long long)c->w, (long long)c->pt, (long long)c->pl,
           (long long)c->pb, (long long)c->pr, (long long)c->batch, c->bias, c->act, c->residual);
  in[1] = wd;
  p.act = RT_ACT_NONE;
  unit_run_guarded(rt_conv_f32_nchwc_blocked, &p, in, want, rt_conv_f32_nchwc_blocked_scratch_bytes(&p), NULL, what);
  most = largest(&p, want);
  params_of(c, &p);
  unit_run_guarded(rt_conv_f32_nchwc_blocked, &p, in, want, rt_conv_f32_nchwc_blocked_scratch_bytes(&p), NULL, what);
  in[1] = wu;
  for (t = 1; t <= 6; t++) {
    const rt_parallel par = {backwards, NULL, t > 4 ? t - 4 : t, 0};
    const size_t scratch = rt_conv_f32_nchwc_winograd_scratch_bytes(&p) +
                           (size_t)(par.tasks - 1) * rt_conv_f32_nchwc_winograd_task_bytes(&p);
    float *dst = t == 1 ? one : y;
    if (t == 5) { /* then warming, at 1 and 2 tasks */
      in[RT_WARM_SLOT] = w;
      in[RT_WARM_END_SLOT] = w + p.out_ch * p.in_ch * 9;
    }
    memset(dst, 0xff, sizeof(float) * (size_t)ny);
    unit_run_guarded(rt_conv_f32_nchwc_winograd, &p, in, dst, scratch, par.tasks == 1 && t == 1 ? NULL : &par, what);
    if (t == 1)
      compare(&p, one, want, most, what);
    else
      ck_assert_msg(memcmp(y, one, sizeof(float) * (size_t)ny) == 0, "%s: %lld tasks%s differ from one", what,
                    (long long)par.tasks, t > 4 ? ", warming," : "");
  }
  { /* two tasks, their buffers at a --threads model's stride */
    const rt_parallel two = {backwards, NULL, 2, 0};
    memset(y, 0xff, sizeof(float) * (size_t)ny);
    unit_run_model_stride(rt_conv_f32_nchwc_winograd, &p, in, y, rt_conv_f32_nchwc_winograd_scratch_bytes(&p),
                          rt_conv_f32_nchwc_winograd_task_bytes(&p), &two, what);
    ck_assert_msg(memcmp(y, one, sizeof(float) * (size_t)ny) == 0, "%s: at the model's stride, differs from one",
                  what);
  }
  free(x), free(r), free(w), free(b), free(wd), free(wu), free(want), free(one), free(y);
}

START_TEST(winograd_near_direct) {
  size_t i;
  for (i = 0; i < sizeof cases / sizeof *cases; i++) check_case(&cases[i]);
}
END_TEST

/* The weight transform: a 3x3 kernel of a single 1 at the centre is
 * G e G^T, whose elements are products of G's middle column (0, -1/6,
 * 1/6, 1/12, -1/12, 0); stored as xi's 1x1 weights of (oc 0, ic 0). */
START_TEST(winograd_weights_transform) {
  static const double mid[6] = {0, -1.0 / 6, 1.0 / 6, 1.0 / 12, -1.0 / 12, 0};
  rt_conv_params p;
  const wcase c = {1, 1, 8, 8, 1, 1, 1, 1, 1, 0, 0, 0};
  float w[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0}, *u;
  int64_t xi, k;
  params_of(&c, &p);
  ck_assert_int_eq(rt_conv_f32_nchwc_winograd_floats(&p), 36 * 16 * 16);
  u = malloc(sizeof(float) * 36 * 256);
  rt_conv_f32_nchwc_winograd_pack_weights(&p, w, u);
  for (xi = 0; xi < 36; xi++)
    for (k = 0; k < 256; k++) {
      const float want = k == 0 ? (float)(mid[xi / 6] * mid[xi % 6]) : 0.0f;
      ck_assert_msg(u[xi * 256 + k] == want, "U[%lld][%lld] is %.9g, want %.9g", (long long)xi, (long long)k,
                    (double)u[xi * 256 + k], (double)want);
    }
  free(u);
}
END_TEST

Suite *conv_winograd_suite(void) {
  Suite *s = suite_create("conv_winograd");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, winograd_weights_transform);
  tcase_add_test(tc, winograd_near_direct);
  suite_add_tcase(s, tc);
  return s;
}
