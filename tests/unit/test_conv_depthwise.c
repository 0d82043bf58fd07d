/* rt_conv_f32_depthwise2d (runtime/src/conv_depthwise.c) on every path it
 * has: the unrolled 3x3 and 5x5 tiles at stride 1 and 2 (rows that share
 * loads, and those that do not: dilation, row stride unlike the column
 * stride), rows long enough to go straight into Y (a multiple of the
 * 16-wide block and not) and short ones (their last rows through
 * scratch), the stride-2 split of short and long rows starting at an even
 * or odd padded column, and the per-tap loop of every other kernel (1x1,
 * 2x2, 7x7, 3x5, stride 3), with pads 0, 1, 2, larger than the kernel and
 * asymmetric, planes from 1x1 to 112x112, batch 2, with and without bias.
 * Each case is checked against a double-precision loop, and must equal
 * conv.c's rt_conv_f32_depthwise exactly: both add the bias, then the
 * taps in row-major order (a tap that reads padding adds w * 0). With a
 * fused epilogue the two must still agree; split into tasks run
 * backwards, the output must not change by a bit; and nothing past the
 * scratch the kernel asks for may be written, also when the scratch was
 * sized for larger dims than the run's (symbolic dims). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>

#include "suites.h"
#include "unit_guard.h"
#include "unit_rand.h"

typedef struct dw_case {
  int64_t c, batch, h, w, kh, kw, sh, sw, dh, dw;
  int64_t pt, pl, pb, pr; /* pads: top, left, bottom, right */
  int bias;
} dw_case;

static void params_of(const dw_case *k, rt_conv_params *p) {
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->batch = k->batch;
  p->in_ch = p->out_ch = k->c;
  p->group = (int32_t)k->c;
  p->has_bias = k->bias;
  p->in_dims[0] = k->h, p->in_dims[1] = k->w;
  p->kernel[0] = k->kh, p->kernel[1] = k->kw;
  p->strides[0] = k->sh, p->strides[1] = k->sw;
  p->dilations[0] = k->dh, p->dilations[1] = k->dw;
  p->pads[0] = k->pt, p->pads[1] = k->pl;
  p->out_dims[0] = (k->h + k->pt + k->pb - (k->kh - 1) * k->dh - 1) / k->sh + 1;
  p->out_dims[1] = (k->w + k->pl + k->pr - (k->kw - 1) * k->dw - 1) / k->sw + 1;
}

static void reference(const rt_conv_params *p, const float *x, const float *w, const float *b, double *y) {
  const int64_t H = p->in_dims[0], W = p->in_dims[1], OH = p->out_dims[0], OW = p->out_dims[1];
  const int64_t kh = p->kernel[0], kw = p->kernel[1];
  int64_t n, m, r, t, i, j;
  for (n = 0; n < p->batch; n++)
    for (m = 0; m < p->out_ch; m++)
      for (r = 0; r < OH; r++)
        for (t = 0; t < OW; t++) {
          double s = b ? b[m] : 0.0;
          for (i = 0; i < kh; i++)
            for (j = 0; j < kw; j++) {
              const int64_t yy = r * p->strides[0] - p->pads[0] + i * p->dilations[0];
              const int64_t xx = t * p->strides[1] - p->pads[1] + j * p->dilations[1];
              if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
              s += (double)w[(m * kh + i) * kw + j] * x[((n * p->in_ch + m) * H + yy) * W + xx];
            }
          y[((n * p->out_ch + m) * OH + r) * OW + t] = s;
        }
}

/* Tasks run last to first, in the calling thread. */
static void backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  (void)user;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

/* depthwise2d on in/out with `scratch_bytes` of guarded scratch and par. */
static void run_guarded(const rt_conv_params *p, const void *const *in, float *y, size_t scratch_bytes,
                        const rt_parallel *par, const char *what) {
  unit_run_guarded(rt_conv_f32_depthwise2d, p, in, y, scratch_bytes, par, what);
}

static int64_t out_count(const rt_conv_params *p) { return p->batch * p->out_ch * p->out_dims[0] * p->out_dims[1]; }

/* depthwise2d and conv.c's depthwise on in (epilogue as set in p): the
 * same values (== : a zero's sign may differ), each close to want. */
static void check_against(const rt_conv_params *p, const void *const *in, const double *want, const char *what) {
  const int64_t ny = out_count(p);
  float *y = malloc(sizeof(float) * (size_t)ny), *z = malloc(sizeof(float) * (size_t)ny);
  void *out[RT_MIN_ARGS] = {0};
  int64_t i;
  run_guarded(p, in, y, rt_conv_f32_depthwise2d_scratch_bytes(p), NULL, what);
  out[0] = z;
  rt_conv_f32_depthwise(p, in, out, NULL);
  for (i = 0; i < ny; i++) {
    ck_assert_msg(y[i] == z[i], "%s: element %lld is %.9g, conv.c's depthwise %.9g", what, (long long)i,
                  (double)y[i], (double)z[i]);
    if (want)
      ck_assert_msg(fabs(y[i] - want[i]) <= 1e-4 * (1.0 + fabs(want[i])), "%s: element %lld is %.9g, want %.9g",
                    what, (long long)i, (double)y[i], want[i]);
  }
  free(y);
  free(z);
}

/* The same output with 3 tasks run backwards as with one thread, bit for
 * bit, in a scratch of one slice plus two task slices. */
static void check_split(const rt_conv_params *p, const void *const *in, const char *what) {
  const int64_t ny = out_count(p);
  const rt_parallel par = {backwards, NULL, 3, 0};
  float *one = malloc(sizeof(float) * (size_t)ny), *many = malloc(sizeof(float) * (size_t)ny);
  run_guarded(p, in, one, rt_conv_f32_depthwise2d_scratch_bytes(p), NULL, what);
  run_guarded(p, in, many,
              rt_conv_f32_depthwise2d_scratch_bytes(p) + 2 * rt_conv_f32_depthwise2d_task_bytes(p), &par, what);
  ck_assert_msg(memcmp(one, many, sizeof(float) * (size_t)ny) == 0, "%s: 3 tasks differ from one", what);
  free(one);
  free(many);
}

static void check_case(const dw_case *k, const char *what) {
  rt_conv_params p;
  float *x, *w, *b;
  double *want;
  const void *in[RT_MIN_ARGS] = {0};
  params_of(k, &p);
  x = unit_rand_floats(p.batch * p.in_ch * k->h * k->w, 11);
  w = unit_rand_floats(p.out_ch * k->kh * k->kw, 12);
  b = unit_rand_floats(p.out_ch, 13);
  want = malloc(sizeof(double) * (size_t)out_count(&p));
  reference(&p, x, w, k->bias ? b : NULL, want);
  in[0] = x, in[1] = w, in[2] = k->bias ? b : NULL;
  check_against(&p, in, want, what);
  check_split(&p, in, what);
  free(x), free(w), free(b), free(want);
}

/* c, batch, h, w, kh, kw, sh, sw, dh, dw, pads t l b r, bias */
#define SAME3(c, h, w, s) {c, 1, h, w, 3, 3, s, s, 1, 1, 1, 1, 1, 1, 1}
#define SAME5(c, h, w, s) {c, 1, h, w, 5, 5, s, s, 1, 1, 2, 2, 2, 2, 1}

START_TEST(depthwise_3x3) {
  static const dw_case cases[] = {
      SAME3(3, 1, 1, 1),    SAME3(5, 7, 7, 1),    SAME3(4, 14, 14, 1),  SAME3(3, 15, 13, 1),
      SAME3(2, 112, 112, 1), SAME3(3, 16, 16, 1), SAME3(2, 17, 33, 1),  SAME3(3, 1, 1, 2),
      SAME3(5, 7, 7, 2),    SAME3(4, 14, 14, 2),  SAME3(3, 15, 13, 2),  SAME3(2, 112, 112, 2),
      SAME3(2, 32, 32, 2),  SAME3(2, 9, 66, 2),   SAME3(3, 5, 31, 2),
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i], "3x3");
}
END_TEST

START_TEST(depthwise_5x5) {
  static const dw_case cases[] = {
      SAME5(3, 1, 1, 1),  SAME5(5, 7, 7, 1),   SAME5(4, 14, 14, 1), SAME5(3, 15, 13, 1), SAME5(2, 40, 37, 1),
      SAME5(3, 1, 1, 2),  SAME5(5, 7, 7, 2),   SAME5(4, 14, 14, 2), SAME5(3, 15, 13, 2), SAME5(2, 56, 56, 2),
      SAME5(2, 28, 28, 2), SAME5(2, 33, 70, 2),
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i], "5x5");
}
END_TEST

/* Pads 0 and 2 (wider than "same": the output grows), asymmetric ones,
 * even and odd first padded columns at stride 2, batch 2, no bias. */
START_TEST(depthwise_pads_batch_bias) {
  static const dw_case cases[] = {
      {3, 1, 14, 14, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1},  /* 12 outputs a row: a band */
      {3, 1, 20, 20, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1},  /* 18: into Y, last block overlaps */
      {3, 1, 14, 14, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 1},  /* 16 x 16 output of a 14 x 14 input */
      {3, 1, 15, 13, 3, 3, 2, 2, 1, 1, 0, 1, 2, 1, 1},  /* asymmetric */
      {3, 1, 15, 13, 5, 5, 1, 1, 1, 1, 2, 0, 1, 2, 1},
      {2, 1, 40, 70, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1},  /* stride 2, even first column, long rows */
      {2, 1, 40, 70, 3, 3, 2, 2, 1, 1, 2, 2, 2, 2, 1},
      {2, 1, 12, 30, 5, 5, 2, 2, 1, 1, 1, 1, 1, 1, 1},  /* odd first column at 5x5 stride 2 */
      {3, 2, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0},  /* batch 2, no bias */
      {3, 2, 28, 28, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 0},
      {3, 2, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {2, 1, 5, 3, 3, 3, 1, 1, 1, 1, 4, 4, 4, 4, 1},    /* pads past the kernel: rows of padding only */
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i], "pads/batch/bias");
}
END_TEST

/* The unrolled kernels whose rows cannot share loads (dilation, row
 * stride unlike the column stride) and every other kernel. */
START_TEST(depthwise_other_geometries) {
  static const dw_case cases[] = {
      {3, 1, 14, 14, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 1},  /* row dilation 2: unrolled, one row a tile */
      {2, 1, 30, 40, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 1},
      {3, 1, 14, 14, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},  /* dilation 2 */
      {3, 1, 14, 14, 3, 3, 1, 1, 1, 2, 1, 2, 1, 2, 1},  /* column dilation 2 */
      {2, 1, 40, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},  /* dilation 2, rows into Y */
      {2, 1, 30, 36, 5, 5, 1, 1, 1, 3, 2, 6, 2, 6, 1},  /* 5x5, column dilation 3 */
      {2, 1, 20, 40, 3, 3, 2, 1, 4, 4, 4, 4, 4, 4, 1},  /* dilation 4, row stride 2 */
      {3, 1, 20, 20, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1},  /* row stride 2, column stride 1 */
      {3, 1, 20, 40, 5, 5, 1, 2, 1, 1, 2, 2, 2, 2, 1},  /* row stride 1, column stride 2 */
      {3, 1, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},  /* 1x1 */
      {3, 1, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1},  /* 1x1 stride 2 */
      {3, 1, 14, 15, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1},  /* 2x2 stride 2 */
      {3, 1, 14, 14, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1},  /* 7x7 */
      {3, 1, 14, 20, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2, 1},  /* 3x5 */
      {3, 1, 19, 20, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1},  /* stride 3 */
      {2, 1, 200, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, /* tall and narrow: several bands */
      {2, 1, 200, 5, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1},
      {2, 1, 3, 600, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1}, /* rows longer than a band */
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i], "other geometries");
}
END_TEST

/* A fused epilogue on each path (rows into Y, a band, the per-tap loop),
 * with and without a residual: the same values as conv.c's depthwise
 * with the same epilogue, also split into tasks. */
START_TEST(depthwise_epilogue) {
  static const dw_case cases[] = {
      SAME3(3, 28, 28, 1), SAME3(3, 14, 14, 2), SAME5(3, 14, 14, 1), SAME5(3, 56, 56, 2),
      {3, 1, 14, 14, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1}, {2, 1, 40, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},
  };
  static const struct {
    int32_t act;
    float a, b;
  } acts[] = {{RT_ACT_CLIP, 0.0f, 6.0f}, {RT_ACT_HARD_SWISH, 0, 0}, {RT_ACT_SILU, 0, 0}};
  size_t i, a;
  int res;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (a = 0; a < sizeof acts / sizeof acts[0]; a++)
      for (res = 0; res < 2; res++) {
        rt_conv_params p;
        float *x, *w, *b, *r;
        const void *in[RT_MIN_ARGS] = {0};
        params_of(&cases[i], &p);
        x = unit_rand_floats(p.batch * p.in_ch * p.in_dims[0] * p.in_dims[1], 21);
        w = unit_rand_floats(p.out_ch * p.kernel[0] * p.kernel[1], 22);
        b = unit_rand_floats(p.out_ch, 23);
        r = unit_rand_floats(out_count(&p), 24);
        p.act = acts[a].act, p.act_a = acts[a].a, p.act_b = acts[a].b, p.has_residual = res;
        in[0] = x, in[1] = w, in[2] = b, in[3] = res ? r : NULL;
        check_against(&p, in, NULL, "epilogue");
        check_split(&p, in, "epilogue");
        free(x), free(w), free(b), free(r);
      }
}
END_TEST

/* The compiler sizes the scratch for a node's largest dims and the run
 * may have smaller ones (and other pads): the bytes must not fall as the
 * dims grow, and a smaller run must fit in the larger run's scratch. */
START_TEST(depthwise_scratch_for_smaller_runs) {
  static const int64_t kernels[][4] = {{3, 1, 1, 1}, {3, 2, 1, 1}, {5, 1, 1, 1}, {5, 2, 1, 1}, {3, 1, 2, 2}, {7, 3, 1, 1}};
  size_t k;
  int64_t h, w;
  for (k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
    const int64_t kk = kernels[k][0], s = kernels[k][1], d = kernels[k][2], pad = kk / 2 * d;
    for (h = 1; h <= 40; h++)
      for (w = 1; w <= 40; w++) {
        const dw_case c = {1, 1, h, w, kk, kk, s, s, d, d, pad, pad, pad, pad, 1};
        dw_case taller = c, wider = c;
        rt_conv_params p, pt, pw;
        taller.h++, wider.w++;
        params_of(&c, &p), params_of(&taller, &pt), params_of(&wider, &pw);
        ck_assert_msg(rt_conv_f32_depthwise2d_scratch_bytes(&p) <= rt_conv_f32_depthwise2d_scratch_bytes(&pt) &&
                          rt_conv_f32_depthwise2d_scratch_bytes(&p) <= rt_conv_f32_depthwise2d_scratch_bytes(&pw),
                      "k%lld s%lld d%lld: scratch falls from %lldx%lld to a larger plane", (long long)kk,
                      (long long)s, (long long)d, (long long)h, (long long)w);
      }
  }
  {
    /* a 9x11 run, pads 0, in the scratch of a 30x40 node with pads 1 */
    const dw_case big = SAME3(2, 30, 40, 2), small = {2, 1, 9, 11, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1};
    rt_conv_params pb, ps;
    float *x, *wt, *b, *y;
    double *want;
    const void *in[RT_MIN_ARGS] = {0};
    int64_t i;
    params_of(&big, &pb), params_of(&small, &ps);
    x = unit_rand_floats(2 * 9 * 11, 31), wt = unit_rand_floats(2 * 9, 32), b = unit_rand_floats(2, 33);
    y = malloc(sizeof(float) * (size_t)out_count(&ps));
    want = malloc(sizeof(double) * (size_t)out_count(&ps));
    in[0] = x, in[1] = wt, in[2] = b;
    reference(&ps, x, wt, b, want);
    run_guarded(&ps, in, y, rt_conv_f32_depthwise2d_scratch_bytes(&pb), NULL, "smaller run");
    for (i = 0; i < out_count(&ps); i++) ck_assert(fabs(y[i] - want[i]) <= 1e-4 * (1.0 + fabs(want[i])));
    free(x), free(wt), free(b), free(y), free(want);
  }
}
END_TEST

Suite *conv_depthwise_suite(void) {
  Suite *s = suite_create("conv_depthwise");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, depthwise_3x3);
  tcase_add_test(tc, depthwise_5x5);
  tcase_add_test(tc, depthwise_pads_batch_bias);
  tcase_add_test(tc, depthwise_other_geometries);
  tcase_add_test(tc, depthwise_epilogue);
  tcase_add_test(tc, depthwise_scratch_for_smaller_runs);
  suite_add_tcase(s, tc);
  return s;
}
