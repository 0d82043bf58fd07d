/* rt_conv_f32_nchwc_packed against a plain double-precision conv, on
 * shapes that reach every edge of its blocking: kernels 1 to 7 and
 * non-square ones, strides 1 and 2, dilation 2, asymmetric pads (and a
 * padded 1x1, whose sampled copy must hold the zeros), channel counts
 * that are not multiples of the 16-channel block, widths that no tile
 * divides, several bands of positions and several groups of output
 * blocks, batch 2, with and without bias, and the fused epilogue (Relu,
 * residual). Each shape runs twice: through the runtime as built (on an
 * AVX-512 machine, the intrinsics core) and through the same sources
 * compiled with the plain C core (tests/meson.build builds them with
 * -DRT_NCHWC_PORTABLE and the _portable names below), the path every
 * other target runs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_rand.h"
#include "unit_graph.h"

/* The portable build of conv_nchwc.c and nchwc_core.c. */
RT_KERNEL(rt_conv_f32_nchwc_packed_portable);
int64_t rt_conv_f32_nchwc_packed_floats_portable(const rt_conv_params *p);
void rt_conv_f32_nchwc_pack_weights_portable(const rt_conv_params *p, const float *w, float *packed);
size_t rt_conv_f32_nchwc_packed_scratch_bytes_portable(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_packed_task_bytes_portable(const rt_conv_params *p);

typedef struct nchwc_case {
  int64_t cin, cout, h, w, kh, kw, sh, sw, dh, dw;
  int64_t pt, pl, pb, pr; /* pads: top, left, bottom, right */
  int64_t batch;
  int bias, relu, residual;
} nchwc_case;

static void params_of(const nchwc_case *c, rt_conv_params *p) {
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->group = 1;
  p->has_bias = c->bias;
  p->batch = c->batch;
  p->in_ch = c->cin;
  p->out_ch = c->cout;
  p->in_dims[0] = c->h;
  p->in_dims[1] = c->w;
  p->kernel[0] = c->kh;
  p->kernel[1] = c->kw;
  p->strides[0] = c->sh;
  p->strides[1] = c->sw;
  p->dilations[0] = c->dh;
  p->dilations[1] = c->dw;
  p->pads[0] = c->pt;
  p->pads[1] = c->pl;
  p->out_dims[0] = (c->h + c->pt + c->pb - (c->kh - 1) * c->dh - 1) / c->sh + 1;
  p->out_dims[1] = (c->w + c->pl + c->pr - (c->kw - 1) * c->dw - 1) / c->sw + 1;
  p->act = c->relu ? RT_ACT_RELU : RT_ACT_NONE;
  p->has_residual = c->residual;
}

/* want = act(bias + conv + residual) in double, and the sum of the
 * products' magnitudes (the scale of float rounding) per output. */
static void conv_ref(const rt_conv_params *p, const float *x, const float *w, const float *b, const float *res,
                     double *want, double *scale) {
  const int64_t H = p->in_dims[0], W = p->in_dims[1], OH = p->out_dims[0], OW = p->out_dims[1];
  const int64_t KH = p->kernel[0], KW = p->kernel[1];
  int64_t n, m, oh, ow, c, kh, kw;
  for (n = 0; n < p->batch; n++)
    for (m = 0; m < p->out_ch; m++)
      for (oh = 0; oh < OH; oh++)
        for (ow = 0; ow < OW; ow++) {
          const int64_t o = ((n * p->out_ch + m) * OH + oh) * OW + ow;
          double s = b ? b[m] : 0.0, mag = b ? fabs(b[m]) : 0.0;
          for (c = 0; c < p->in_ch; c++)
            for (kh = 0; kh < KH; kh++)
              for (kw = 0; kw < KW; kw++) {
                const int64_t ih = oh * p->strides[0] - p->pads[0] + kh * p->dilations[0];
                const int64_t iw = ow * p->strides[1] - p->pads[1] + kw * p->dilations[1];
                double t;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                t = (double)x[((n * p->in_ch + c) * H + ih) * W + iw] * w[((m * p->in_ch + c) * KH + kh) * KW + kw];
                s += t;
                mag += fabs(t);
              }
          if (res) {
            s += res[o];
            mag += fabs(res[o]);
          }
          want[o] = p->act == RT_ACT_RELU && s < 0 ? 0.0 : s;
          scale[o] = mag;
        }
}

/* Runs kernel fn on case c (W packed by `pack`, scratch of `scratch_bytes`
 * filled with NaN, output too: the kernel must write every output and
 * read no scratch it did not write) and checks it against the reference. */
static void check_case(const nchwc_case *c, rt_kernel_fn fn, void (*pack)(const rt_conv_params *, const float *, float *),
                       int64_t packed_floats, size_t scratch_bytes, const char *what) {
  rt_conv_params p;
  int64_t nx, ny, nw, i;
  float *x, *w, *b, *res, *wp, *y;
  double *want, *scale;
  void *scratch;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  params_of(c, &p);
  nx = p.batch * p.in_ch * p.in_dims[0] * p.in_dims[1];
  ny = p.batch * p.out_ch * p.out_dims[0] * p.out_dims[1];
  nw = p.out_ch * p.in_ch * p.kernel[0] * p.kernel[1];
  x = unit_rand_floats(nx, 1);
  w = unit_rand_floats(nw, 2);
  b = c->bias ? unit_rand_floats(p.out_ch, 3) : NULL;
  res = c->residual ? unit_rand_floats(ny, 4) : NULL;
  wp = malloc(sizeof(float) * (size_t)packed_floats);
  y = malloc(sizeof(float) * (size_t)ny);
  want = malloc(sizeof(double) * (size_t)ny);
  scale = malloc(sizeof(double) * (size_t)ny);
  scratch = malloc(scratch_bytes);
  memset(wp, 0xff, sizeof(float) * (size_t)packed_floats);
  memset(y, 0xff, sizeof(float) * (size_t)ny);
  memset(scratch, 0xff, scratch_bytes);
  pack(&p, w, wp);
  in[0] = x;
  in[1] = wp;
  in[2] = b;
  in[3] = res;
  out[0] = y;
  conv_ref(&p, x, w, b, res, want, scale);
  fn(&p, in, out, scratch);
  for (i = 0; i < ny; i++)
    ck_assert_msg(fabs((double)y[i] - want[i]) <= 1e-5 * scale[i] + 1e-6,
                  "%s, %lld->%lld %lldx%lld k%lldx%lld s%lld,%lld d%lld,%lld: output %lld is %g, want %g", what,
                  (long long)c->cin, (long long)c->cout, (long long)c->h, (long long)c->w, (long long)c->kh,
                  (long long)c->kw, (long long)c->sh, (long long)c->sw, (long long)c->dh, (long long)c->dw,
                  (long long)i, (double)y[i], want[i]);
  free(x), free(w), free(b), free(res), free(wp), free(y), free(want), free(scale), free(scratch);
}

/* Both builds on case c; their scratch and packed sizes must agree (the
 * compiler sizes them with its own build for a program that may link the
 * other). */
static void check_both(const nchwc_case *c) {
  rt_conv_params p;
  params_of(c, &p);
  ck_assert_int_eq(rt_conv_f32_nchwc_packed_floats(&p), rt_conv_f32_nchwc_packed_floats_portable(&p));
  ck_assert_uint_eq(rt_conv_f32_nchwc_packed_scratch_bytes(&p), rt_conv_f32_nchwc_packed_scratch_bytes_portable(&p));
  ck_assert_uint_eq(rt_conv_f32_nchwc_packed_task_bytes(&p), rt_conv_f32_nchwc_packed_task_bytes_portable(&p));
  check_case(c, rt_conv_f32_nchwc_packed, rt_conv_f32_nchwc_pack_weights, rt_conv_f32_nchwc_packed_floats(&p),
             rt_conv_f32_nchwc_packed_scratch_bytes(&p), "as built");
  check_case(c, rt_conv_f32_nchwc_packed_portable, rt_conv_f32_nchwc_pack_weights_portable,
             rt_conv_f32_nchwc_packed_floats_portable(&p), rt_conv_f32_nchwc_packed_scratch_bytes_portable(&p),
             "portable");
}

/*                                cin cout  h   w kh kw sh sw dh dw pt pl pb pr  n bias relu res */
static const nchwc_case kernels[] = {
    {16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {3, 17, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},   /* few channels, odd counts */
    {17, 24, 10, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, /* stride 2 */
    {24, 40, 13, 9, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0},  /* 5x5 */
    {32, 33, 15, 15, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1, 1, 0, 0}, /* 7x7 stride 2 */
    {20, 64, 14, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0}, /* dilation 2 */
    {18, 30, 9, 12, 3, 3, 2, 1, 1, 1, 0, 2, 1, 0, 1, 1, 0, 0},  /* asymmetric pads and strides */
    {16, 24, 6, 11, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0},  /* 1x3 */
    {8, 16, 7, 5, 5, 1, 1, 1, 1, 1, 2, 0, 2, 0, 1, 1, 0, 0},    /* 5x1 */
};

static const nchwc_case pointwise[] = {
    {16, 48, 12, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},
    {40, 20, 11, 9, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0}, /* stride 2: the sampled copy */
    {8, 20, 5, 5, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},   /* padded 1x1 at stride 2 */
    {33, 17, 7, 9, 1, 1, 3, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0},  /* stride 3 x 1, no bias */
};

static const nchwc_case blocking[] = {
    /* 5 output blocks: tiles of 3 + 2; 49 positions; batch 2, no bias */
    {16, 80, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0},
    /* 9 output blocks: two groups (5 + 4); 289 positions: two bands */
    {64, 144, 17, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    /* a wide row: bands end mid-row */
    {16, 32, 3, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    /* one output position */
    {48, 16, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0},
    /* weights past WIDE_TILE_BYTES per 4 blocks (9 input blocks x 25 taps):
     * 2-block tiles of up to 12 positions */
    {144, 40, 6, 7, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0, 0},
};

static const nchwc_case epilogues[] = {
    {24, 36, 6, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, /* Relu */
    {24, 36, 6, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1}, /* residual, then Relu; batch 2 */
    {32, 64, 9, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1}, /* residual alone */
};

static void check_all(const nchwc_case *cases, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) check_both(&cases[i]);
}

START_TEST(nchwc_kernel_shapes) { check_all(kernels, sizeof kernels / sizeof *kernels); }
END_TEST

START_TEST(nchwc_pointwise) { check_all(pointwise, sizeof pointwise / sizeof *pointwise); }
END_TEST

START_TEST(nchwc_blocks_bands_batch) { check_all(blocking, sizeof blocking / sizeof *blocking); }
END_TEST

START_TEST(nchwc_epilogue) { check_all(epilogues, sizeof epilogues / sizeof *epilogues); }
END_TEST

/* The blocked layout itself (conv.h): entry (ocb, icb, kh, kw, ic, oc) is
 * W[ocb * 16 + oc][icb * 16 + ic][kh][kw], zero past the channels. */
START_TEST(nchwc_weight_layout) {
  const nchwc_case c = {20, 18, 4, 4, 2, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0};
  rt_conv_params p;
  int64_t n, ocb, icb, kh, kw, ic, oc;
  float *w, *wp;
  params_of(&c, &p);
  n = rt_conv_f32_nchwc_packed_floats(&p);
  ck_assert_int_eq(n, 2 * 2 * 2 * 3 * 16 * 16);
  w = unit_rand_floats(18 * 20 * 2 * 3, 5);
  wp = malloc(sizeof(float) * (size_t)n);
  rt_conv_f32_nchwc_pack_weights(&p, w, wp);
  for (ocb = 0; ocb < 2; ocb++)
    for (icb = 0; icb < 2; icb++)
      for (kh = 0; kh < 2; kh++)
        for (kw = 0; kw < 3; kw++)
          for (ic = 0; ic < 16; ic++)
            for (oc = 0; oc < 16; oc++) {
              const int64_t o = ocb * 16 + oc, i = icb * 16 + ic;
              const float got = wp[((((ocb * 2 + icb) * 2 + kh) * 3 + kw) * 16 + ic) * 16 + oc];
              const float want = o < 18 && i < 20 ? w[((o * 20 + i) * 2 + kh) * 3 + kw] : 0.0f;
              ck_assert(got == want);
            }
  free(w);
  free(wp);
}
END_TEST

/* ---- the compiler's choice (ops/conv.c, conv_use_nchwc) ---- */

/* x [1, cin, hw, hw] (*) constant w [cout, cin, k, k] + b through the
 * pipeline (bare metal or not); the kernel that runs it and its W's dims. */
static void lower_conv_plane(int64_t cin, int64_t cout, int64_t k, int64_t hw, int bare, char *kernel,
                             int64_t *w_dims) {
  const int64_t x_dims[4] = {1, cin, hw, hw}, wd[4] = {cout, cin, k, k}, b_dims[1] = {cout};
  ir_graph *g = ir_new();
  int i;
  g->opset = 13;
  g->bare_metal = bare;
  unit_value(g, "x", 4, x_dims, 0);
  unit_value(g, "w", 4, wd, 1);
  unit_value(g, "b", 1, b_dims, 1);
  unit_node(g, "Conv", "y", 3, "x", "w", "b");
  unit_output(g, "y");
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  for (i = 0; i < 4; i++) w_dims[i] = g->values[g->nodes[0]->in[1]]->t.dims[i];
  ir_free(g);
}

/* The same on a 9 x 9 plane. */
static void lower_conv(int64_t cin, int64_t cout, int64_t k, int bare, char *kernel, int64_t *w_dims) {
  lower_conv_plane(cin, cout, k, 9, bare, kernel, w_dims);
}

START_TEST(nchwc_chosen_where_it_wins) {
  char k[64];
  int64_t wd[4];
  /* 3x3 with 32 channels: blocked; its W keeps the dims past the first
   * (MACs read them), the first holds the blocked floats */
  lower_conv(32, 48, 3, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_nchwc_packed");
  ck_assert(wd[1] == 32 && wd[2] == 3 && wd[3] == 3);
  ck_assert_int_ge(wd[0] * 32 * 9, 3 * 2 * 9 * 256);
  /* the same on a bare-metal target: the GEMM variant */
  lower_conv(32, 48, 3, 1, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_im2col_packed");
  /* 3 input channels would fill 3 of 16 lanes */
  lower_conv(3, 64, 3, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_im2col_packed");
  /* 1x1: few channels stay on the GEMM, many go blocked */
  lower_conv(64, 128, 1, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_pointwise_packed");
  lower_conv(256, 512, 1, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_nchwc_packed");
  /* ... but not on a plane of one position (a squeeze-excitation FC):
   * the matrix-vector product of the pointwise variant; on 2 x 2 still
   * blocked */
  lower_conv_plane(576, 144, 1, 1, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_pointwise_packed");
  lower_conv_plane(576, 144, 1, 2, 0, k, wd);
  ck_assert_str_eq(k, "rt_conv_f32_nchwc_packed");
}
END_TEST

Suite *conv_nchwc_suite(void) {
  Suite *s = suite_create("conv_nchwc");
  TCase *tc = tcase_create("nchwc");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, nchwc_weight_layout);
  tcase_add_test(tc, nchwc_kernel_shapes);
  tcase_add_test(tc, nchwc_pointwise);
  tcase_add_test(tc, nchwc_blocks_bands_batch);
  tcase_add_test(tc, nchwc_epilogue);
  tcase_add_test(tc, nchwc_chosen_where_it_wins);
  suite_add_tcase(s, tc);
  return s;
}
