/* fuse-channel-scale: the op sequence before and after the pass for the
 * per-channel Muls it moves into the Conv that reads them (either operand
 * order, one factor per channel or per image and channel), those it must
 * leave alone (a scale that is not per channel, a second reader, weights
 * that are not constant, groups), and the kernels: a _packed Conv with an
 * input scale gives bit for bit what the Mul and then the Conv gave. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "onnxcc/kernels/conv.h"
#include "suites.h"
#include "unit_graph.h"

/* x [n, 4, 5, 5] * s (s_dims, rank s_rank; first operand s when s_first)
 * -> "m" -> Conv(w [6, 4 / group, 3, 3], constant unless w_input) -> "y" */
static ir_graph *scale_graph(int64_t n, int s_rank, const int64_t *s_dims, int s_first, int w_input,
                             int64_t group) {
  const int64_t x_dims[4] = {n, 4, 5, 5}, w_dims[4] = {6, 4 / group, 3, 3};
  ir_graph *g = ir_new();
  ir_node *c;
  g->opset = 13;
  unit_value(g, "x", 4, x_dims, 0);
  unit_value(g, "s", s_rank, s_dims, 0);
  unit_value(g, "w", 4, w_dims, !w_input);
  if (s_first) unit_node(g, "Mul", "m", 2, "s", "x");
  else unit_node(g, "Mul", "m", 2, "x", "s");
  c = unit_node(g, "Conv", "y", 2, "m", "w");
  if (group != 1) unit_add_attr(c, "group", ATTR_INT, group, 0, NULL);
  unit_output(g, "y");
  return g;
}

static ir_node *last(ir_graph *g) { return g->nodes[g->n_nodes - 1]; }

static void check_fused_node(ir_graph *g, int64_t kind) {
  const ir_node *c = last(g);
  ck_assert_int_ge(c->n_in, 5);
  ck_assert_str_eq(g->values[c->in[0]]->name, "x");
  ck_assert_str_eq(g->values[c->in[4]]->name, "s");
  ck_assert_int_eq(c->in[2], -1);
  ck_assert_int_eq(c->in[3], -1);
  ck_assert_int_eq(attr_int(c, "onnxcc.in_scale", 0), kind);
}

START_TEST(scale_into_conv) {
  const int64_t s4[4] = {1, 4, 1, 1}, s3[3] = {4, 1, 1}, s_batch[4] = {2, 4, 1, 1};
  ir_graph *g = scale_graph(1, 4, s4, 0, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Conv");
  check_fused_node(g, 1);
  ir_free(g);
  /* the scale first, and without the batch dim */
  g = scale_graph(1, 3, s3, 1, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Conv");
  check_fused_node(g, 1);
  ir_free(g);
  /* one factor per image and channel */
  g = scale_graph(2, 4, s_batch, 0, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Conv");
  check_fused_node(g, 2);
  ir_free(g);
  /* one factor per channel, shared by both images */
  g = scale_graph(2, 4, s4, 0, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Conv");
  check_fused_node(g, 1);
  ir_free(g);
}
END_TEST

START_TEST(scale_left_alone) {
  const int64_t per_pixel[4] = {1, 4, 5, 5}, scalar[4] = {1, 1, 1, 1}, s4[4] = {1, 4, 1, 1};
  const int64_t per_row[4] = {1, 4, 5, 1};
  ir_graph *g = scale_graph(1, 4, per_pixel, 0, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
  g = scale_graph(1, 4, scalar, 0, 0, 1); /* not per channel (kept simple: a plain Mul) */
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
  g = scale_graph(1, 4, per_row, 0, 0, 1);
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
  g = scale_graph(1, 4, s4, 0, 1, 1); /* weights computed at run time: no _packed variant */
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
  g = scale_graph(1, 4, s4, 0, 0, 2); /* groups */
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
  g = scale_graph(1, 4, s4, 0, 0, 1); /* the product is also a graph output */
  unit_output(g, "m");
  unit_check_pass(g, pass_fuse_channel_scale, "Mul,Conv", "Mul,Conv");
  ir_free(g);
}
END_TEST

/* The whole pipeline lowers the fused Conv to a _packed variant with
 * has_in_scale set. */
START_TEST(scale_lowered) {
  const int64_t s4[4] = {1, 4, 1, 1};
  ir_graph *g = scale_graph(1, 4, s4, 0, 0, 1);
  const struct lowered *low;
  char kernel[64];
  ck_assert_int_eq(unit_run_pipeline(g, kernel, &low), ST_OK);
  ck_assert_str_eq(kernel, "rt_conv_f32_im2col_packed");
  ck_assert_int_eq(((const rt_conv_params *)low->params)->has_in_scale, 1);
  ir_free(g);
}
END_TEST

static float *pattern(int64_t n, int seed) {
  float *v = malloc(sizeof(float) * (size_t)n);
  int64_t i;
  for (i = 0; i < n; i++) v[i] = (float)(((i + 1) * (seed * 7 + 3)) % 23) / 7.0f - 1.5f;
  return v;
}

/* Conv(x * s) by the Mul first, then the variant without a scale, against
 * the variant scaling as it copies: the same bits. */
static void kernel_case(int64_t batch, int32_t kind, int64_t k, int64_t stride, int64_t pad, int pointwise,
                        int one_position) {
  const int64_t cin = 19, cout = 9, h = one_position ? 1 : 11, w = one_position ? 1 : 13;
  const int64_t oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
  const int64_t nx = batch * cin * h * w, ny = batch * cout * oh * ow, ns = kind == 2 ? batch * cin : cin;
  rt_conv_params p;
  float *x = pattern(nx, 1), *wt = pattern(cout * cin * k * k, 2), *b = pattern(cout, 3), *s = pattern(ns, 4);
  float *xs = malloc(sizeof(float) * (size_t)nx), *want = malloc(sizeof(float) * (size_t)ny);
  float *got = malloc(sizeof(float) * (size_t)ny), *wp;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_kernel_fn fn = pointwise ? rt_conv_f32_pointwise_packed : rt_conv_f32_im2col_packed;
  void *scratch;
  int64_t i;
  memset(&p, 0, sizeof p);
  p.nd = 2, p.group = 1, p.has_bias = 1, p.batch = batch, p.in_ch = cin, p.out_ch = cout;
  p.in_dims[0] = h, p.in_dims[1] = w, p.out_dims[0] = oh, p.out_dims[1] = ow;
  p.kernel[0] = p.kernel[1] = k, p.strides[0] = p.strides[1] = stride, p.dilations[0] = p.dilations[1] = 1;
  p.pads[0] = p.pads[1] = pad;
  wp = malloc(sizeof(float) * (size_t)rt_conv_f32_packed_floats(&p));
  rt_conv_f32_pack_weights(&p, wt, wp);
  scratch = malloc(pointwise ? rt_conv_f32_pointwise_packed_scratch_bytes(&p)
                             : rt_conv_f32_im2col_packed_scratch_bytes(&p));
  for (i = 0; i < nx; i++) {
    const int64_t img = i / (cin * h * w), c = (i / (h * w)) % cin;
    xs[i] = x[i] * s[kind == 2 ? img * cin + c : c];
  }
  in[0] = xs, in[1] = wp, in[2] = b, out[0] = want;
  fn(&p, in, out, scratch);
  p.has_in_scale = kind;
  in[0] = x, in[4] = s, out[0] = got;
  fn(&p, in, out, scratch);
  for (i = 0; i < ny; i++)
    ck_assert_msg(memcmp(&got[i], &want[i], sizeof(float)) == 0, "k%lld s%lld kind %d: element %lld is %g, want %g",
                  (long long)k, (long long)stride, (int)kind, (long long)i, (double)got[i], (double)want[i]);
  free(x), free(wt), free(b), free(s), free(xs), free(want), free(got), free(wp), free(scratch);
}

START_TEST(scale_kernels_match_mul) {
  int kind;
  for (kind = 1; kind <= 2; kind++) {
    kernel_case(2, kind, 1, 1, 0, 1, 0);
    kernel_case(2, kind, 3, 1, 1, 0, 0);
    kernel_case(1, kind, 3, 2, 1, 0, 0);
    kernel_case(2, kind, 1, 2, 0, 0, 0);
    /* a 1x1 plane: the pointwise variant's matrix-vector path */
    kernel_case(2, kind, 1, 1, 0, 1, 1);
  }
}
END_TEST

Suite *channel_scale_suite(void) {
  Suite *s = suite_create("channel_scale");
  TCase *tc = tcase_create("fuse-channel-scale");
  tcase_add_test(tc, scale_into_conv);
  tcase_add_test(tc, scale_left_alone);
  tcase_add_test(tc, scale_lowered);
  tcase_add_test(tc, scale_kernels_match_mul);
  suite_add_tcase(s, tc);
  return s;
}
