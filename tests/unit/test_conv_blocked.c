/* The blocked-layout kernels (onnxcc/kernels/nchwc.h), each against a
 * kernel on NCHW tensors that the other suites already check against
 * double-precision loops, bit for bit:
 *
 *   the layout changes: the right float at every blocked position, zeros
 *     in the pad lanes, and back again exactly (pad lanes dropped);
 *   rt_conv_f32_nchwc_blocked against rt_conv_f32_nchwc_packed (the same
 *     core on transposed copies) on X moved into the blocked layout and Y
 *     moved out: in place (no scratch asked for) and through the
 *     zero-bordered bands;
 *   rt_conv_f32_nchwc_stem against rt_conv_f32_nchwc_packed, on X's NCHW
 *     planes, Y moved out;
 *   rt_conv_f32_depthwise_blocked against rt_conv_f32_depthwise2d: the
 *     bias, then the taps in row-major order, a tap outside X adding
 *     w * 0, so the same bits; also its plain C build (tests/meson.build
 *     compiles it once more with -DRT_SGEMM_PORTABLE under _portable
 *     names), the path of every target without AVX-512; a tap outside X
 *     is shown to add w * 0 through the sign of zero sums, which Relu and
 *     Clip must then treat as epilogue.c does.
 *
 * X's pad lanes hold junk (finite, as the contract allows), which must
 * reach no real channel; Y's pad lanes must come out as the epilogue of 0
 * (the residual's pad lanes are 0 here, and every activation used maps 0
 * to 0). Every kernel runs alone and split into 2 tasks run backwards
 * (the layout changes also on a pool of 2 threads), with the same bits;
 * scratch is filled with NaN first and a guard after it must stay
 * untouched. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>
#include <onnxcc/threads.h>

#include "suites.h"
#include "unit_guard.h"
#include "unit_rand.h"

/* The plain C build of conv_depthwise_blocked.c. */
RT_KERNEL(rt_conv_f32_depthwise_blocked_portable);
int64_t rt_conv_f32_depthwise_blocked_floats_portable(const rt_conv_params *p);
void rt_conv_f32_depthwise_blocked_pack_weights_portable(const rt_conv_params *p, const float *w, float *packed);
size_t rt_conv_f32_depthwise_blocked_scratch_bytes_portable(const rt_conv_params *p);
size_t rt_conv_f32_depthwise_blocked_task_bytes_portable(const rt_conv_params *p);

#define BLK 16
#define X_PAD_JUNK 3.25f /* X's pad lanes: finite, and no real channel may see it */

static int64_t blocks(int64_t c) { return (c + BLK - 1) / BLK; }
static int64_t blocked_floats(int64_t n, int64_t c, int64_t sp) { return n * blocks(c) * sp * BLK; }

static float *floats(int64_t n, unsigned char fill) {
  float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  memset(v, fill, sizeof(float) * (size_t)(n > 0 ? n : 1));
  return v;
}

/* Tasks run last to first, in the calling thread. */
static void backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  (void)user;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

/* A layout change through its kernel. */
static void reorder(rt_kernel_fn fn, int64_t n, int64_t c, int64_t sp, const float *x, float *y,
                    const rt_parallel *par) {
  rt_nchwc_reorder_params p;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  memset(&p, 0, sizeof p);
  p.batch = n, p.channels = c, p.spatial = sp;
  in[0] = x, in[RT_PARALLEL_SLOT] = par;
  out[0] = y;
  fn(&p, in, out, NULL);
}

/* The pad lanes of blocked tensor xb ([n, Cb, sp, 16] of c channels) set to v. */
static void set_pad_lanes(float *xb, int64_t n, int64_t c, int64_t sp, float v) {
  const int64_t cb = blocks(c), real = c - (cb - 1) * BLK;
  int64_t i, q, l;
  for (i = 0; i < n; i++)
    for (q = 0; q < sp; q++)
      for (l = real; l < BLK; l++) xb[((i * cb + cb - 1) * sp + q) * BLK + l] = v;
}

/* Whether every pad lane of xb equals v (as a value: a zero of either sign is 0). */
static int pad_lanes_are(const float *xb, int64_t n, int64_t c, int64_t sp, float v) {
  const int64_t cb = blocks(c), real = c - (cb - 1) * BLK;
  int64_t i, q, l;
  for (i = 0; i < n; i++)
    for (q = 0; q < sp; q++)
      for (l = real; l < BLK; l++)
        if (!(xb[((i * cb + cb - 1) * sp + q) * BLK + l] == v)) return 0;
  return 1;
}

/* A blocked copy of NCHW x (allocated), its pad lanes then set to pad. */
static float *blocked_of(const float *x, int64_t n, int64_t c, int64_t sp, float pad) {
  float *xb = floats(blocked_floats(n, c, sp), 0xff);
  reorder(rt_nchwc_to_blocked_f32, n, c, sp, x, xb, NULL);
  set_pad_lanes(xb, n, c, sp, pad);
  return xb;
}

/* ---- the layout changes ---- */

/* x [n, c, h, w] to blocked and back: each float where the header says,
 * +0 in the pad lanes, and back exactly, with pad lanes of junk dropped;
 * split into 2 tasks (run backwards, and on `pool`), the same bits. */
static void check_reorder(int64_t n, int64_t c, int64_t h, int64_t w, const rt_parallel *pool) {
  const int64_t sp = h * w, nx = n * c * sp, nb = blocked_floats(n, c, sp), cb = blocks(c);
  const rt_parallel two = {backwards, NULL, 2, 0};
  const float zero = 0.0f;
  float *x = unit_rand_floats(nx, 41), *xb = floats(nb, 0xff), *xb2 = floats(nb, 0x7f), *back = floats(nx, 0xff);
  int64_t i, ch, q;
  reorder(rt_nchwc_to_blocked_f32, n, c, sp, x, xb, NULL);
  for (i = 0; i < n; i++)
    for (ch = 0; ch < cb * BLK; ch++)
      for (q = 0; q < sp; q++) {
        const float *got = &xb[((i * cb + ch / BLK) * sp + q) * BLK + ch % BLK];
        const float *want = ch < c ? &x[(i * c + ch) * sp + q] : &zero;
        ck_assert_msg(memcmp(got, want, sizeof(float)) == 0,
                      "to_blocked %lldx%lld %lldx%lld: image %lld channel %lld position %lld", (long long)n,
                      (long long)c, (long long)h, (long long)w, (long long)i, (long long)ch, (long long)q);
      }
  reorder(rt_nchwc_to_blocked_f32, n, c, sp, x, xb2, &two);
  ck_assert_msg(memcmp(xb, xb2, sizeof(float) * (size_t)nb) == 0, "to_blocked %lldx%lld: 2 tasks differ", (long long)n,
                (long long)c);
  memset(xb2, 0x7f, sizeof(float) * (size_t)nb);
  reorder(rt_nchwc_to_blocked_f32, n, c, sp, x, xb2, pool);
  ck_assert_msg(memcmp(xb, xb2, sizeof(float) * (size_t)nb) == 0, "to_blocked %lldx%lld: 2 threads differ",
                (long long)n, (long long)c);

  set_pad_lanes(xb, n, c, sp, X_PAD_JUNK);
  reorder(rt_nchwc_from_blocked_f32, n, c, sp, xb, back, NULL);
  ck_assert_msg(memcmp(back, x, sizeof(float) * (size_t)nx) == 0, "from_blocked %lldx%lld %lldx%lld: not the input",
                (long long)n, (long long)c, (long long)h, (long long)w);
  memset(back, 0xff, sizeof(float) * (size_t)nx);
  reorder(rt_nchwc_from_blocked_f32, n, c, sp, xb, back, &two);
  ck_assert_msg(memcmp(back, x, sizeof(float) * (size_t)nx) == 0, "from_blocked %lldx%lld: 2 tasks", (long long)n,
                (long long)c);
  memset(back, 0xff, sizeof(float) * (size_t)nx);
  reorder(rt_nchwc_from_blocked_f32, n, c, sp, xb, back, pool);
  ck_assert_msg(memcmp(back, x, sizeof(float) * (size_t)nx) == 0, "from_blocked %lldx%lld: 2 threads", (long long)n,
                (long long)c);
  free(x), free(xb), free(xb2), free(back);
}

START_TEST(blocked_layout_round_trip) {
  static const int64_t channels[] = {1, 15, 16, 17, 40};
  static const int64_t planes[][2] = {{1, 1}, {1, 5}, {3, 3}, {7, 7}, {13, 17}, {14, 14}, {56, 56}};
  rt_pool pool;
  rt_parallel par;
  size_t c, s;
  int64_t n;
  ck_assert_int_eq(rt_pool_start(&pool, 2), RT_OK);
  par = rt_pool_parallel(&pool);
  par.tasks = 2;
  for (c = 0; c < sizeof channels / sizeof *channels; c++)
    for (s = 0; s < sizeof planes / sizeof *planes; s++)
      for (n = 1; n <= 2; n++) check_reorder(n, channels[c], planes[s][0], planes[s][1], &par);
  rt_pool_stop(&pool);
}
END_TEST

/* ---- guarded kernel calls ---- */


/* A conv's geometry and epilogue: act 0 none, 1 Relu, 2 Clip(0, 0.5) (both
 * bounds reached by the random sums), 3 HardSwish. */
typedef struct blk_case {
  int64_t cin, cout, h, w, kh, kw, sh, sw, dh, dw;
  int64_t pt, pl, pb, pr; /* pads: top, left, bottom, right */
  int64_t batch;
  int bias, act, residual;
} blk_case;

static void params_of(const blk_case *c, int depthwise, rt_conv_params *p) {
  static const int32_t acts[] = {RT_ACT_NONE, RT_ACT_RELU, RT_ACT_CLIP, RT_ACT_HARD_SWISH, RT_ACT_SILU, RT_ACT_SIGMOID};
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->group = depthwise ? (int32_t)c->cin : 1;
  p->has_bias = c->bias;
  p->batch = c->batch;
  p->in_ch = c->cin;
  p->out_ch = depthwise ? c->cin : c->cout;
  p->in_dims[0] = c->h, p->in_dims[1] = c->w;
  p->kernel[0] = c->kh, p->kernel[1] = c->kw;
  p->strides[0] = c->sh, p->strides[1] = c->sw;
  p->dilations[0] = c->dh, p->dilations[1] = c->dw;
  p->pads[0] = c->pt, p->pads[1] = c->pl;
  p->out_dims[0] = (c->h + c->pt + c->pb - (c->kh - 1) * c->dh - 1) / c->sh + 1;
  p->out_dims[1] = (c->w + c->pl + c->pr - (c->kw - 1) * c->dw - 1) / c->sw + 1;
  p->act = acts[c->act];
  p->act_a = 0.0f, p->act_b = 0.5f;
  p->has_residual = c->residual;
}

static const char *describe(const blk_case *c, const char *what, char *buf, size_t n) {
  snprintf(buf, n,
           "%s %lld->%lld %lldx%lld k%lldx%lld s%lld,%lld d%lld,%lld"
           " pads %lld,%lld,%lld,%lld n%lld b%d act%d res%d",
           what, (long long)c->cin, (long long)c->cout, (long long)c->h, (long long)c->w, (long long)c->kh,
           (long long)c->kw, (long long)c->sh, (long long)c->sw, (long long)c->dh, (long long)c->dw, (long long)c->pt,
           (long long)c->pl, (long long)c->pb, (long long)c->pr, (long long)c->batch, c->bias, c->act, c->residual);
  return buf;
}

/* The NCHW output `want` (ny floats) against blocked yb: the same bits in
 * every real channel, 0 in every pad lane. */
static void check_blocked_out(const rt_conv_params *p, const float *yb, const float *want, const char *what) {
  const int64_t osp = p->out_dims[0] * p->out_dims[1], ny = p->batch * p->out_ch * osp;
  float *y = floats(ny, 0xff);
  int64_t i;
  reorder(rt_nchwc_from_blocked_f32, p->batch, p->out_ch, osp, yb, y, NULL);
  for (i = 0; i < ny; i++)
    ck_assert_msg(memcmp(&y[i], &want[i], sizeof(float)) == 0, "%s: output %lld is %.9g, the NCHW kernel's %.9g", what,
                  (long long)i, (double)y[i], (double)want[i]);
  ck_assert_msg(pad_lanes_are(yb, p->batch, p->out_ch, osp, 0.0f), "%s: a pad lane is not 0", what);
  free(y);
}

/* ---- the group-1 convs against rt_conv_f32_nchwc_packed ---- */

/* A group-1 case's data (from seed on), its weights packed for
 * rt_conv_f32_nchwc_packed (and rt_conv_f32_nchwc_blocked), and
 * rt_conv_f32_nchwc_packed's output: the NCHW reference of the blocked
 * variants. */
typedef struct conv_data {
  rt_conv_params p;
  int64_t isp, osp;
  float *x, *w, *wp, *b, *r, *want;
} conv_data;

static void conv_data_of(const blk_case *c, unsigned seed, conv_data *d) {
  const int64_t nw = c->cout * c->cin * c->kh * c->kw;
  const void *in[RT_MIN_ARGS] = {0};
  int64_t ny;
  char what[200];
  params_of(c, 0, &d->p);
  d->isp = c->h * c->w, d->osp = d->p.out_dims[0] * d->p.out_dims[1];
  ny = d->p.batch * d->p.out_ch * d->osp;
  d->x = unit_rand_floats(d->p.batch * d->p.in_ch * d->isp, seed), d->w = unit_rand_floats(nw, seed + 1);
  d->b = unit_rand_floats(d->p.out_ch, seed + 2), d->r = unit_rand_floats(ny, seed + 3);
  d->wp = floats(rt_conv_f32_nchwc_packed_floats(&d->p), 0xff);
  rt_conv_f32_nchwc_pack_weights(&d->p, d->w, d->wp);
  d->want = floats(ny, 0xff);
  in[0] = d->x, in[1] = d->wp, in[2] = c->bias ? d->b : NULL, in[3] = c->residual ? d->r : NULL;
  unit_run_guarded(rt_conv_f32_nchwc_packed, &d->p, in, d->want, rt_conv_f32_nchwc_packed_scratch_bytes(&d->p), NULL,
                   describe(c, "nchwc_packed", what, sizeof what));
}

static void conv_data_free(conv_data *d) { free(d->x), free(d->w), free(d->wp), free(d->b), free(d->r), free(d->want); }

/* rt_conv_f32_nchwc_blocked on X moved into the blocked layout, alone
 * and in 2 tasks, then both again given a range of "next weights" to
 * warm (RT_WARM_SLOT: the raw weights here), which must change no bit. */
static void check_conv(const blk_case *c) {
  const rt_parallel two = {backwards, NULL, 2, 0};
  conv_data d;
  const rt_conv_params *p = &d.p;
  float *xb, *rb, *yb;
  const void *in[RT_MIN_ARGS] = {0};
  size_t scratch;
  char what[200];
  int t;
  conv_data_of(c, 51, &d);
  if (c->pt == 0 && c->pl == 0 && c->pb == 0 && c->pr == 0) /* X read in place: no band buffer */
    ck_assert_uint_eq(rt_conv_f32_nchwc_blocked_scratch_bytes(p), 0);
  xb = blocked_of(d.x, p->batch, p->in_ch, d.isp, X_PAD_JUNK);
  rb = blocked_of(d.r, p->batch, p->out_ch, d.osp, 0.0f);
  yb = floats(blocked_floats(p->batch, p->out_ch, d.osp), 0xff);
  in[0] = xb, in[1] = d.wp, in[2] = c->bias ? d.b : NULL, in[3] = c->residual ? rb : NULL;
  for (t = 1; t <= 4; t++) {
    const int tasks = (t - 1) % 2 + 1;
    static const char *names[4] = {"nchwc_blocked", "nchwc_blocked, 2 tasks", "nchwc_blocked, warming",
                                   "nchwc_blocked, 2 tasks, warming"};
    if (t == 3) {
      in[RT_WARM_SLOT] = d.w;
      in[RT_WARM_END_SLOT] = d.w + p->out_ch * p->in_ch * p->kernel[0] * p->kernel[1];
    }
    scratch =
        rt_conv_f32_nchwc_blocked_scratch_bytes(p) + (size_t)(tasks - 1) * rt_conv_f32_nchwc_blocked_task_bytes(p);
    memset(yb, 0xff, sizeof(float) * (size_t)blocked_floats(p->batch, p->out_ch, d.osp));
    describe(c, names[t - 1], what, sizeof what);
    unit_run_guarded(rt_conv_f32_nchwc_blocked, p, in, yb, scratch, tasks == 1 ? NULL : &two, what);
    check_blocked_out(p, yb, d.want, what);
  }
  if (rt_conv_f32_nchwc_blocked_task_bytes(p)) { /* task buffers: at the model's stride too */
    memset(yb, 0xff, sizeof(float) * (size_t)blocked_floats(p->batch, p->out_ch, d.osp));
    describe(c, "nchwc_blocked, 2 tasks, the model's stride", what, sizeof what);
    unit_run_model_stride(rt_conv_f32_nchwc_blocked, p, in, yb, rt_conv_f32_nchwc_blocked_scratch_bytes(p),
                          rt_conv_f32_nchwc_blocked_task_bytes(p), &two, what);
    check_blocked_out(p, yb, d.want, what);
  }
  conv_data_free(&d);
  free(xb), free(rb), free(yb);
}

/* cin cout h w kh kw sh sw dh dw pt pl pb pr n bias act res */
static const blk_case convs[] = {
    {32, 32, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},   /* 1x1: in place */
    {40, 24, 15, 13, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},   /* 1x1 stride 2, in place */
    {17, 20, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},    /* 3x3 pad 1: bands */
    {24, 33, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},   /* stride 2 */
    {16, 16, 10, 12, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},   /* 3x3 no pad: in place */
    {20, 17, 9, 10, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},    /* no pad at stride 2 (a column left over) */
    {24, 40, 13, 9, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0},    /* 5x5 */
    {20, 48, 14, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0},   /* dilation 2 */
    {18, 30, 9, 12, 3, 3, 2, 1, 1, 1, 0, 2, 1, 0, 1, 1, 0, 0},    /* asymmetric pads and strides */
    {3, 17, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},     /* few input channels */
    {16, 80, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0},     /* batch 2, no bias, 5 blocks: by rows, band copied */
    {64, 144, 17, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},  /* two bands x two groups of blocks */
    {16, 32, 3, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},   /* a wide row: bands end mid-row */
    {48, 40, 28, 28, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 1, 0, 0},   /* 1x1, several bands, batch 2 */
    {24, 36, 6, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},    /* Relu */
    {24, 36, 6, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1},    /* residual + Relu, batch 2 */
    {32, 64, 9, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1},     /* residual alone, in place */
    {32, 40, 17, 17, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},   /* residual + Relu in place */
    {20, 24, 11, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0},    /* Clip */
    {40, 40, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1},   /* residual + Clip, batch 2 */
    {40, 240, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3, 0},  /* 15 blocks, one band: by rows */
    {48, 144, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 1, 1, 1},  /* 9 blocks by rows, residual, batch 2 */
};

START_TEST(blocked_conv_as_packed) {
  size_t i;
  for (i = 0; i < sizeof convs / sizeof *convs; i++) check_conv(&convs[i]);
}
END_TEST

/* ---- rt_conv_f32_nchwc_stem(_mono) against rt_conv_f32_nchwc_packed ---- */

/* The stem on NCHW x, its output blocked: rt_conv_f32_nchwc_packed's bits
 * (which adds 0 * 0 for the channels past in_ch of its block: that
 * changes no sum but a -0, and random sums are never -0), alone and in 2
 * tasks, scratch guarded; of one input channel, the _mono kernel too. */
static void check_stem(const blk_case *c) {
  const rt_parallel two = {backwards, NULL, 2, 0};
  conv_data d;
  const rt_conv_params *p = &d.p;
  int64_t nyb;
  float *ws, *rb, *yb;
  const void *in[RT_MIN_ARGS] = {0};
  char what[200];
  int t;
  conv_data_of(c, 71, &d);
  nyb = blocked_floats(p->batch, p->out_ch, d.osp);
  ck_assert_int_eq(rt_conv_f32_nchwc_stem_floats(p), blocks(p->out_ch) * c->kh * c->kw * p->in_ch * BLK);
  ws = floats(rt_conv_f32_nchwc_stem_floats(p), 0xff);
  rt_conv_f32_nchwc_stem_pack_weights(p, d.w, ws);
  rb = blocked_of(d.r, p->batch, p->out_ch, d.osp, 0.0f);
  yb = floats(nyb, 0xff);
  in[0] = d.x, in[1] = ws, in[2] = c->bias ? d.b : NULL, in[3] = c->residual ? rb : NULL;
  /* t 3, 4: one input channel through the _mono kernel as well */
  for (t = 1; t <= (p->in_ch == 1 ? 4 : 2); t++) {
    const int tasks = 2 - t % 2, mono = t > 2;
    const size_t scratch =
        rt_conv_f32_nchwc_stem_scratch_bytes(p) + (size_t)(tasks - 1) * rt_conv_f32_nchwc_stem_task_bytes(p);
    memset(yb, 0xff, sizeof(float) * (size_t)nyb);
    describe(c, mono ? (tasks == 1 ? "nchwc_stem_mono" : "nchwc_stem_mono, 2 tasks")
                     : (tasks == 1 ? "nchwc_stem" : "nchwc_stem, 2 tasks"),
             what, sizeof what);
    unit_run_guarded(mono ? rt_conv_f32_nchwc_stem_mono : rt_conv_f32_nchwc_stem, p, in, yb, scratch,
                     tasks == 1 ? NULL : &two, what);
    check_blocked_out(p, yb, d.want, what);
  }
  conv_data_free(&d);
  free(ws), free(rb), free(yb);
}

START_TEST(blocked_stem_as_packed) {
  /* cin cout h w kh kw sh sw dh dw pt pl pb pr n bias act res */
  static const blk_case stems[] = {
      {3, 32, 30, 30, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},  /* mobilenet's, a smaller image */
      {3, 64, 33, 31, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1, 1, 1, 0},  /* resnet's + Relu */
      {3, 16, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 0},  /* 7 bands, HardSwish */
      {1, 24, 17, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},  /* one channel, no bias, a partial block */
      {4, 40, 12, 13, 5, 5, 1, 2, 2, 1, 4, 2, 3, 1, 1, 1, 2, 0},  /* dilation, asymmetric pads and strides, Clip */
      {7, 48, 9, 11, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2, 1, 1, 1},  /* no pads, batch 2, residual + Relu */
      {3, 32, 3, 300, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},  /* wide rows: bands end mid-row */
      {3, 160, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, /* two groups of output blocks */
      /* one channel, as 1-D convs are lifted (height 1): audio_cnn1d's
       * stem at a fifth of its length, + Relu; then two groups of output
       * blocks, dilation, batch 2 and a residual */
      {1, 16, 1, 320, 1, 80, 1, 4, 1, 1, 0, 38, 0, 38, 1, 1, 1, 0},
      {1, 136, 6, 50, 2, 5, 1, 2, 1, 2, 1, 4, 0, 3, 2, 1, 1, 1},
      /* rows of row tiles (AVX-512 builds): 23 positions as 12 + 11 of one
       * block, HardSwish, bands that end mid-row; three blocks in rows of
       * 50 (8 + 6 x 7), batch 2, residual + Relu; a dilated row of stride
       * 1 cut in pieces of 5 and 6 (four blocks) and of 7 and 8 (three),
       * Clip; one channel at stride 2, no bias */
      {3, 16, 24, 46, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3, 0},
      {3, 48, 7, 50, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1},
      {2, 112, 8, 40, 3, 3, 1, 1, 1, 2, 1, 2, 1, 2, 1, 1, 2, 0},
      {1, 32, 4, 200, 1, 9, 1, 2, 1, 1, 0, 4, 0, 4, 1, 0, 0, 0},
      /* the other activations row tiles apply in registers: SiLU
       * (efficientnet's stem) on rows of 12 + 11, two blocks; Sigmoid
       * after a residual on rows of 12 + 12, one block */
      {3, 32, 10, 46, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0},
      {3, 16, 6, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1},
  };
  size_t i;
  for (i = 0; i < sizeof stems / sizeof *stems; i++) check_stem(&stems[i]);
}
END_TEST

/* ---- rt_conv_f32_depthwise_blocked against rt_conv_f32_depthwise2d ---- */

typedef struct dwb_build {
  rt_kernel_fn fn;
  int64_t (*floats)(const rt_conv_params *);
  void (*pack)(const rt_conv_params *, const float *, float *);
  size_t (*scratch)(const rt_conv_params *);
  size_t (*task)(const rt_conv_params *);
  const char *name;
} dwb_build;

static const dwb_build dwb_builds[] = {
    {rt_conv_f32_depthwise_blocked, rt_conv_f32_depthwise_blocked_floats, rt_conv_f32_depthwise_blocked_pack_weights,
     rt_conv_f32_depthwise_blocked_scratch_bytes, rt_conv_f32_depthwise_blocked_task_bytes, "depthwise_blocked"},
    {rt_conv_f32_depthwise_blocked_portable, rt_conv_f32_depthwise_blocked_floats_portable,
     rt_conv_f32_depthwise_blocked_pack_weights_portable, rt_conv_f32_depthwise_blocked_scratch_bytes_portable,
     rt_conv_f32_depthwise_blocked_task_bytes_portable, "depthwise_blocked portable"},
};

static void check_depthwise(const blk_case *c) {
  const rt_parallel two = {backwards, NULL, 2, 0};
  rt_conv_params p;
  int64_t isp, osp, nx, ny, nyb;
  float *x, *w, *b, *r, *want, *xb, *rb, *yb;
  const void *in[RT_MIN_ARGS] = {0};
  char what[200];
  size_t k;
  int t;
  params_of(c, 1, &p);
  isp = c->h * c->w, osp = p.out_dims[0] * p.out_dims[1];
  nx = p.batch * p.in_ch * isp, ny = p.batch * p.out_ch * osp, nyb = blocked_floats(p.batch, p.out_ch, osp);
  x = unit_rand_floats(nx, 61), w = unit_rand_floats(p.out_ch * c->kh * c->kw, 62), b = unit_rand_floats(p.out_ch, 63);
  r = unit_rand_floats(ny, 64);
  want = floats(ny, 0xff);
  in[0] = x, in[1] = w, in[2] = c->bias ? b : NULL, in[3] = c->residual ? r : NULL;
  unit_run_guarded(rt_conv_f32_depthwise2d, &p, in, want, rt_conv_f32_depthwise2d_scratch_bytes(&p), NULL,
              describe(c, "depthwise2d", what, sizeof what));

  xb = blocked_of(x, p.batch, p.in_ch, isp, X_PAD_JUNK);
  rb = blocked_of(r, p.batch, p.out_ch, osp, 0.0f);
  yb = floats(nyb, 0xff);
  for (k = 0; k < sizeof dwb_builds / sizeof *dwb_builds; k++) {
    const dwb_build *d = &dwb_builds[k];
    const int64_t nwb = d->floats(&p);
    float *wb = floats(nwb, 0xff);
    ck_assert_int_eq(nwb, blocks(p.out_ch) * c->kh * c->kw * BLK);
    /* the compiler sizes scratch with its own build for a program that may link the other */
    ck_assert_uint_eq(d->scratch(&p), rt_conv_f32_depthwise_blocked_scratch_bytes(&p));
    ck_assert_uint_eq(d->task(&p), rt_conv_f32_depthwise_blocked_task_bytes(&p));
    d->pack(&p, w, wb);
    in[0] = xb, in[1] = wb, in[3] = c->residual ? rb : NULL;
    for (t = 1; t <= 2; t++) {
      const size_t scratch = d->scratch(&p) + (size_t)(t - 1) * d->task(&p);
      memset(yb, 0xff, sizeof(float) * (size_t)nyb);
      describe(c, d->name, what, sizeof what);
      if (t == 2) strncat(what, ", 2 tasks", sizeof what - strlen(what) - 1);
      unit_run_guarded(d->fn, &p, in, yb, scratch, t == 1 ? NULL : &two, what);
      check_blocked_out(&p, yb, want, what);
    }
    free(wb);
  }
  free(x), free(w), free(b), free(r), free(want), free(xb), free(rb), free(yb);
}

static void check_depthwise_all(const blk_case *cases, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) check_depthwise(&cases[i]);
}

/* c, (unused), h, w, kh, kw, sh, sw, dh, dw, pads t l b r, batch, bias, act, residual */
#define DW(c, h, w, k, s, pad) {c, c, h, w, k, k, s, s, 1, 1, pad, pad, pad, pad, 1, 1, 0, 0}

START_TEST(blocked_depthwise_3x3) {
  static const blk_case cases[] = {
      DW(8, 1, 1, 3, 1, 1),    DW(16, 2, 3, 3, 1, 1),   DW(24, 7, 7, 3, 1, 1),  DW(40, 14, 14, 3, 1, 1),
      DW(16, 15, 13, 3, 1, 1), DW(8, 28, 28, 3, 1, 1),  DW(16, 56, 56, 3, 1, 1), DW(8, 112, 112, 3, 1, 1),
      DW(8, 1, 1, 3, 2, 1),    DW(16, 2, 3, 3, 2, 1),   DW(24, 7, 7, 3, 2, 1),  DW(40, 14, 14, 3, 2, 1),
      DW(16, 15, 13, 3, 2, 1), DW(8, 28, 28, 3, 2, 1),  DW(24, 56, 56, 3, 2, 1), DW(16, 112, 112, 3, 2, 1),
      DW(16, 3, 40, 3, 1, 1),  DW(24, 40, 3, 3, 2, 1), /* one row / one column of tiles */
  };
  check_depthwise_all(cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(blocked_depthwise_5x5) {
  static const blk_case cases[] = {
      DW(8, 1, 1, 5, 1, 2),    DW(16, 3, 4, 5, 1, 2),  DW(24, 7, 7, 5, 1, 2),  DW(40, 14, 14, 5, 1, 2),
      DW(16, 15, 13, 5, 1, 2), DW(8, 28, 28, 5, 1, 2), DW(8, 1, 1, 5, 2, 2),   DW(16, 3, 4, 5, 2, 2),
      DW(24, 7, 7, 5, 2, 2),   DW(40, 14, 14, 5, 2, 2), DW(16, 15, 13, 5, 2, 2), DW(24, 56, 56, 5, 2, 2),
      DW(8, 112, 112, 5, 2, 2),
  };
  check_depthwise_all(cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Pads 0, 2 (wider than "same"), past the kernel and asymmetric,
 * dilation 2, batch 2 without bias, and kernels other than 3x3 and 5x5. */
START_TEST(blocked_depthwise_geometries) {
  static const blk_case cases[] = {
      /* c  -  h   w kh kw sh sw dh dw pt pl pb pr n b */
      {16, 16, 14, 14, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0}, /* pad 0 */
      {24, 24, 15, 15, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},
      {8, 8, 12, 12, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},
      {40, 40, 13, 16, 5, 5, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},
      {16, 16, 14, 14, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0}, /* pad 2 on 3x3: the output grows */
      {8, 8, 5, 3, 3, 3, 1, 1, 1, 1, 4, 4, 4, 4, 1, 1, 0, 0},     /* pads past the kernel */
      {24, 24, 15, 13, 3, 3, 2, 2, 1, 1, 0, 1, 2, 1, 1, 1, 0, 0}, /* asymmetric */
      {16, 16, 15, 13, 5, 5, 1, 1, 1, 1, 2, 0, 1, 2, 1, 1, 0, 0},
      {8, 8, 30, 31, 3, 3, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
      {16, 16, 14, 14, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0}, /* dilation 2 */
      {24, 24, 29, 30, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0},
      {8, 8, 20, 20, 5, 5, 1, 1, 2, 2, 4, 4, 4, 4, 1, 1, 0, 0},
      {16, 16, 14, 14, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 1, 1, 0, 0}, /* row dilation only */
      {40, 40, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0}, /* batch 2, no bias */
      {40, 40, 29, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 0, 0}, /* 29 rows, batch 2: split in bands of rows */
      {24, 24, 28, 28, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 2, 0, 0, 0},
      {16, 16, 20, 20, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, /* row stride 2, column stride 1 */
      {8, 8, 20, 40, 5, 5, 1, 2, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0},   /* row stride 1, column stride 2 */
      {16, 16, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0}, /* 1x1 */
      {24, 24, 14, 15, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0}, /* 2x2 stride 2 */
      {8, 8, 14, 14, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1, 1, 0, 0},   /* 7x7 */
      {16, 16, 14, 20, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 0, 0}, /* 3x5 */
      {8, 8, 19, 20, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},   /* stride 3 */
      {16, 16, 3, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, /* long rows */
  };
  check_depthwise_all(cases, sizeof cases / sizeof *cases);
}
END_TEST

/* A residual alone, and Relu, Clip and HardSwish, each with and without
 * a residual. */
START_TEST(blocked_depthwise_epilogue) {
  static const blk_case shapes[] = {
      DW(24, 28, 28, 3, 1, 1), DW(40, 14, 14, 3, 2, 1), DW(16, 7, 7, 5, 1, 2), DW(24, 56, 56, 5, 2, 2),
      {16, 16, 14, 14, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0},
      {8, 8, 14, 14, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1, 1, 0, 0},
  };
  size_t i;
  int act, res;
  for (i = 0; i < sizeof shapes / sizeof *shapes; i++)
    for (act = 0; act <= 3; act++)
      for (res = act == 0; res <= 1; res++) {
        blk_case c = shapes[i];
        c.act = act, c.residual = res;
        check_depthwise(&c);
      }
}
END_TEST

/* A tap outside X adds w * 0, as the padded plane of depthwise2d does:
 * with a bias of -0, an X of -0 and positive weights, an output whose
 * window lies inside X sums to -0, one with a tap outside to +0 (-0 +
 * w * 0 is +0). Skipping such a tap would leave -0 there, a sign the
 * comparison (memcmp) sees. The epilogues keep their own zeros: Relu
 * makes -0 +0 (x > 0 ? x : 0), Clip(0, b) keeps it (x < 0 ? 0 : x). */
START_TEST(blocked_depthwise_border_taps_add_zero) {
  static const blk_case shapes[] = {
      DW(16, 14, 14, 3, 1, 1), DW(24, 15, 13, 3, 2, 1), DW(16, 20, 21, 5, 1, 2), DW(8, 28, 28, 5, 2, 2),
      {16, 16, 14, 14, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0},
  };
  size_t i, k;
  int64_t j;
  int act;
  for (i = 0; i < sizeof shapes / sizeof *shapes * 3; i++) {
    blk_case shape = shapes[i % (sizeof shapes / sizeof *shapes)];
    const blk_case *c = &shape;
    const rt_parallel two = {backwards, NULL, 2, 0};
    rt_conv_params p;
    int64_t isp, osp, nx, ny, nw, plus = 0, minus = 0;
    float *x, *w, *b, *want, *xb, *yb;
    const void *in[RT_MIN_ARGS] = {0};
    char what[200];
    act = (int)(i / (sizeof shapes / sizeof *shapes)); /* none, Relu, Clip */
    shape.act = act;
    params_of(c, 1, &p);
    isp = c->h * c->w, osp = p.out_dims[0] * p.out_dims[1];
    nx = p.batch * p.in_ch * isp, ny = p.batch * p.out_ch * osp, nw = p.out_ch * c->kh * c->kw;
    x = floats(nx, 0), w = unit_rand_floats(nw, 81), b = floats(p.out_ch, 0);
    for (j = 0; j < nx; j++) x[j] = -0.0f;
    for (j = 0; j < nw; j++) w[j] = 0.5f + 0.25f * (w[j] + 1.0f); /* in [0.5, 1) */
    for (j = 0; j < p.out_ch; j++) b[j] = -0.0f;
    want = floats(ny, 0xff);
    in[0] = x, in[1] = w, in[2] = b;
    unit_run_guarded(rt_conv_f32_depthwise2d, &p, in, want, rt_conv_f32_depthwise2d_scratch_bytes(&p), NULL,
                describe(c, "depthwise2d", what, sizeof what));
    for (j = 0; j < ny; j++) {
      ck_assert(want[j] == 0.0f);
      if (signbit(want[j])) minus++;
      else plus++;
    }
    ck_assert(plus > 0 && (minus > 0) == (act != 1)); /* both kinds of zero, but after Relu */
    xb = blocked_of(x, p.batch, p.in_ch, isp, X_PAD_JUNK);
    yb = floats(blocked_floats(p.batch, p.out_ch, osp), 0xff);
    for (k = 0; k < sizeof dwb_builds / sizeof *dwb_builds; k++) {
      const dwb_build *d = &dwb_builds[k];
      float *wb = floats(d->floats(&p), 0xff);
      d->pack(&p, w, wb);
      in[0] = xb, in[1] = wb;
      unit_run_guarded(d->fn, &p, in, yb, d->scratch(&p) + d->task(&p), &two, describe(c, d->name, what, sizeof what));
      check_blocked_out(&p, yb, want, what);
      free(wb);
    }
    free(x), free(w), free(b), free(want), free(xb), free(yb);
  }
}
END_TEST

/* The weight layout the header gives: packed[((cb * KH + kh) * KW + kw)
 * * 16 + l] = W[cb * 16 + l][0][kh][kw], 0 past the channels. */
START_TEST(blocked_depthwise_weight_layout) {
  const blk_case c = {20, 20, 6, 6, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 0, 0};
  rt_conv_params p;
  float *w, *wb;
  int64_t cb, kh, kw, l;
  params_of(&c, 1, &p);
  ck_assert_int_eq(rt_conv_f32_depthwise_blocked_floats(&p), 2 * 3 * 5 * 16);
  w = unit_rand_floats(20 * 3 * 5, 71);
  wb = floats(2 * 3 * 5 * 16, 0xff);
  rt_conv_f32_depthwise_blocked_pack_weights(&p, w, wb);
  for (cb = 0; cb < 2; cb++)
    for (kh = 0; kh < 3; kh++)
      for (kw = 0; kw < 5; kw++)
        for (l = 0; l < 16; l++) {
          const int64_t ch = cb * 16 + l;
          const float want = ch < 20 ? w[(ch * 3 + kh) * 5 + kw] : 0.0f;
          ck_assert(wb[((cb * 3 + kh) * 5 + kw) * 16 + l] == want);
        }
  free(w), free(wb);
}
END_TEST

Suite *conv_blocked_suite(void) {
  Suite *s = suite_create("conv_blocked");
  TCase *tc = tcase_create("blocked");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, blocked_layout_round_trip);
  tcase_add_test(tc, blocked_conv_as_packed);
  tcase_add_test(tc, blocked_stem_as_packed);
  tcase_add_test(tc, blocked_depthwise_weight_layout);
  tcase_add_test(tc, blocked_depthwise_3x3);
  tcase_add_test(tc, blocked_depthwise_5x5);
  tcase_add_test(tc, blocked_depthwise_geometries);
  tcase_add_test(tc, blocked_depthwise_epilogue);
  tcase_add_test(tc, blocked_depthwise_border_taps_add_zero);
  suite_add_tcase(s, tc);
  return s;
}
