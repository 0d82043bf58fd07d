/* fuse-epilogue: the op sequence before and after the pass for each
 * pattern it folds into Conv, Gemm and MatMul and for each that it must
 * leave alone; then the kernels' fused epilogue against the unfused path
 * (the same kernel without it, the residual added, the activation's own
 * unary kernel), bit for bit, for every float variant. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

/* ---- graphs ---- */

/* The passes up to and with fuse-epilogue, not lower: the sequence is
 * the pass's. */
static void run_to_fusion(ir_graph *g, const char *want_before, const char *want_after) {
  char seq[256];
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, want_before);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(pass_fuse_silu(g), ST_OK);
  ck_assert_int_eq(pass_fuse_epilogue(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "fuse-epilogue", 1), ST_OK);
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, want_after);
}

static const int64_t X_DIMS[4] = {1, 2, 5, 5}, W_DIMS[4] = {4, 2, 3, 3}, B_DIMS[1] = {4}, Y_DIMS[4] = {1, 4, 3, 3};

/* x [1,2,5,5] (*) w [4,2,3,3] + b -> "c" [1,4,3,3] */
static ir_graph *conv_graph(int64_t opset) {
  ir_graph *g = ir_new();
  g->opset = opset;
  unit_value(g, "x", 4, X_DIMS, 0);
  unit_value(g, "w", 4, W_DIMS, 1);
  unit_value(g, "b", 1, B_DIMS, 1);
  unit_node(g, "Conv", "c", 3, "x", "w", "b");
  return g;
}

/* x [1,4,3,3] -> BatchNormalization with constant parameters -> "n" */
static ir_graph *bn_graph(void) {
  static const int64_t c_dims[1] = {4};
  ir_graph *g = ir_new();
  g->opset = 15;
  unit_value(g, "x", 4, Y_DIMS, 0);
  unit_value(g, "s", 1, c_dims, 1);
  unit_value(g, "bb", 1, c_dims, 1);
  unit_value(g, "m", 1, c_dims, 1);
  unit_value(g, "v", 1, c_dims, 1);
  unit_node(g, "BatchNormalization", "n", 5, "x", "s", "bb", "m", "v");
  return g;
}

/* The fused node's epilogue, as lower put it into the params. */
static void check_lowered(ir_graph *g, const char *kernel, int32_t act, float a, float b, int residual) {
  const struct lowered *low;
  char k[64];
  const rt_conv_params *cp;
  const rt_gemm_params *gp;
  const rt_matmul_params *mp;
  const rt_batchnorm_params *bp;
  ck_assert_int_eq(unit_run_pipeline(g, k, &low), ST_OK);
  ck_assert_str_eq(k, kernel);
  cp = low->params, gp = low->params, mp = low->params, bp = low->params;
#define CHECK_EPI(p)                                  \
  do {                                                \
    ck_assert_int_eq((p)->act, act);                  \
    ck_assert((p)->act_a == a && (p)->act_b == b);    \
    ck_assert_int_eq((p)->has_residual, residual);    \
  } while (0)
  if (strncmp(kernel, "rt_conv", 7) == 0) CHECK_EPI(cp);
  else if (strncmp(kernel, "rt_gemm", 7) == 0) CHECK_EPI(gp);
  else if (strncmp(kernel, "rt_batchnorm", 12) == 0) CHECK_EPI(bp);
  else CHECK_EPI(mp);
#undef CHECK_EPI
}

START_TEST(conv_relu) {
  ir_graph *g = conv_graph(13);
  unit_node(g, "Relu", "y", 1, "c");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Relu", "Conv");
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "y");
  ir_free(g);
  g = conv_graph(13);
  unit_node(g, "Relu", "y", 1, "c");
  unit_output(g, "y");
  check_lowered(g, "rt_conv_f32_im2col_packed", RT_ACT_RELU, 0, 0, 0);
  ir_free(g);
}
END_TEST

/* Inference BatchNormalization -> Relu (densenet's pre-activation): the
 * BN applies it; a residual Add after a BN stays (its kernels take none). */
START_TEST(bn_relu) {
  ir_graph *g = bn_graph();
  unit_node(g, "Relu", "y", 1, "n");
  unit_output(g, "y");
  run_to_fusion(g, "BatchNormalization,Relu", "BatchNormalization");
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "y");
  ir_free(g);
  g = bn_graph();
  unit_node(g, "Relu", "y", 1, "n");
  unit_output(g, "y");
  check_lowered(g, "rt_batchnorm_f32", RT_ACT_RELU, 0, 0, 0);
  ir_free(g);
  g = bn_graph();
  unit_value(g, "r", 4, Y_DIMS, 0);
  unit_node(g, "Add", "y", 2, "n", "r");
  unit_output(g, "y");
  run_to_fusion(g, "BatchNormalization,Add", "BatchNormalization,Add");
  ir_free(g);
}
END_TEST

/* Conv -> Add(residual) -> Relu, the residual produced after the Conv:
 * the fused Conv moves to the Add's place and reads it at slot 3. */
START_TEST(conv_residual_relu) {
  ir_graph *g = conv_graph(13);
  unit_value(g, "r0", 4, Y_DIMS, 0);
  unit_node(g, "Sigmoid", "r", 1, "r0");
  unit_node(g, "Add", "s", 2, "r", "c");
  unit_node(g, "Relu", "y", 1, "s");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Sigmoid,Add,Relu", "Sigmoid,Conv");
  ck_assert_int_eq(g->nodes[1]->n_in, 4);
  ck_assert_str_eq(g->values[g->nodes[1]->in[3]]->name, "r");
  ck_assert_str_eq(g->values[g->nodes[1]->out[0]]->name, "y");
  ir_free(g);
  g = conv_graph(13);
  unit_node(g, "Add", "y", 2, "c", "x2");
  unit_value(g, "x2", 4, Y_DIMS, 0);
  unit_output(g, "y");
  check_lowered(g, "rt_conv_f32_im2col_packed", RT_ACT_NONE, 0, 0, 1);
  ir_free(g);
}
END_TEST

/* Gemm -> Clip(0, 6) with constant bounds; MatMul -> Add -> LeakyRelu
 * (the residual at MatMul's slot 2); the activations fuse-silu makes. */
START_TEST(gemm_matmul_and_activations) {
  static const int64_t a_dims[2] = {3, 5}, b_dims[2] = {5, 4}, y_dims[2] = {3, 4}, one[1] = {1};
  ir_graph *g = ir_new();
  ir_value *lo, *hi;
  g->opset = 13;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, 1);
  lo = g->values[unit_value(g, "lo", 0, one, 1)];
  hi = g->values[unit_value(g, "hi", 0, one, 1)];
  ((float *)lo->t.data)[0] = 0.0f;
  ((float *)hi->t.data)[0] = 6.0f;
  unit_node(g, "Gemm", "m", 2, "a", "b");
  unit_node(g, "Clip", "y", 3, "m", "lo", "hi");
  unit_output(g, "y");
  run_to_fusion(g, "Gemm,Clip", "Gemm");
  ir_free(g);

  g = ir_new();
  g->opset = 13;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, 1);
  unit_value(g, "r", 2, y_dims, 0);
  unit_node(g, "MatMul", "m", 2, "a", "b");
  unit_node(g, "Add", "s", 2, "m", "r");
  unit_node(g, "LeakyRelu", "y", 1, "s");
  unit_output(g, "y");
  check_lowered(g, "rt_matmul_f32_packed", RT_ACT_LEAKY_RELU, 0.01f, 0, 1);
  ck_assert_int_eq(g->nodes[0]->n_in, 3);
  ck_assert_str_eq(g->values[g->nodes[0]->in[2]]->name, "r");
  ir_free(g);

  /* a rank-3 MatMul that matmul-add-gemm gave a bias (at slot 2): the
   * residual goes to slot 3, where the Gemm kernel it runs reads it */
  {
    static const int64_t a3[3] = {2, 3, 5}, y3[3] = {2, 3, 4}, n4[1] = {4};
    g = ir_new();
    g->opset = 13;
    unit_value(g, "a", 3, a3, 0);
    unit_value(g, "b", 2, b_dims, 1);
    unit_value(g, "bias", 1, n4, 1);
    unit_value(g, "r", 3, y3, 0);
    unit_node(g, "MatMul", "m", 2, "a", "b");
    unit_node(g, "Add", "mb", 2, "m", "bias");
    unit_node(g, "Add", "s", 2, "r", "mb");
    unit_node(g, "LeakyRelu", "y", 1, "s");
    unit_output(g, "y");
    check_lowered(g, "rt_gemm_f32_packed", RT_ACT_LEAKY_RELU, 0.01f, 0, 1);
    ck_assert_int_eq(g->nodes[0]->n_in, 4);
    ck_assert_str_eq(g->values[g->nodes[0]->in[2]]->name, "bias");
    ck_assert_str_eq(g->values[g->nodes[0]->in[3]]->name, "r");
    ir_free(g);
  }

  /* Conv -> Mul(c, Sigmoid(c)): fuse-silu's Silu, then the Conv's */
  g = conv_graph(13);
  unit_node(g, "Sigmoid", "s", 1, "c");
  unit_node(g, "Mul", "y", 2, "c", "s");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Sigmoid,Mul", "Conv");
  ck_assert_int_eq(attr_int(g->nodes[0], "onnxcc.act", 0), RT_ACT_SILU);
  ir_free(g);

  g = conv_graph(14);
  unit_node(g, "HardSwish", "y", 1, "c");
  unit_output(g, "y");
  check_lowered(g, "rt_conv_f32_im2col_packed", RT_ACT_HARD_SWISH, 0, 0, 0);
  ir_free(g);

  g = ir_new();
  g->opset = 20;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, 1);
  unit_node(g, "MatMul", "m", 2, "a", "b");
  unit_add_attr(unit_node(g, "Gelu", "y", 1, "m"), "approximate", ATTR_STRING, 0, 0, "tanh");
  unit_output(g, "y");
  check_lowered(g, "rt_matmul_f32_packed", RT_ACT_GELU_TANH, 0, 0, 0);
  ir_free(g);
}
END_TEST

/* What must stay as it is: a second reader of the Conv's output, a Conv
 * output that is a graph output, a residual that broadcasts, Clip bounds
 * known only at run time, and a second activation (one per node). */
START_TEST(cases_not_fused) {
  static const int64_t bias_dims[4] = {1, 4, 1, 1}, scalar[1] = {1};
  ir_graph *g = conv_graph(13);
  unit_node(g, "Relu", "y", 1, "c");
  unit_node(g, "Sigmoid", "z", 1, "c");
  unit_output(g, "y");
  unit_output(g, "z");
  run_to_fusion(g, "Conv,Relu,Sigmoid", "Conv,Relu,Sigmoid");
  ir_free(g);

  g = conv_graph(13);
  unit_node(g, "Relu", "y", 1, "c");
  unit_output(g, "y");
  unit_output(g, "c");
  run_to_fusion(g, "Conv,Relu", "Conv,Relu");
  ir_free(g);

  g = conv_graph(13);
  unit_value(g, "bias", 4, bias_dims, 0);
  unit_node(g, "Add", "y", 2, "c", "bias");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Add", "Conv,Add");
  ir_free(g);

  g = conv_graph(13);
  unit_value(g, "lo", 0, scalar, 0);
  unit_node(g, "Clip", "y", 2, "c", "lo");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Clip", "Conv,Clip");
  ir_free(g);

  g = conv_graph(13);
  unit_node(g, "Relu", "r", 1, "c");
  unit_node(g, "Sigmoid", "y", 1, "r");
  unit_output(g, "y");
  run_to_fusion(g, "Conv,Relu,Sigmoid", "Conv,Sigmoid");
  ir_free(g);
}
END_TEST

/* -O0 runs no fusion: the Conv and its Relu are lowered as they are,
 * the Conv without an epilogue. */
START_TEST(not_at_O0) {
  ir_graph *g = conv_graph(13);
  compile_options o;
  char seq[256];
  const rt_conv_params *p;
  unit_node(g, "Relu", "y", 1, "c");
  unit_output(g, "y");
  memset(&o, 0, sizeof o);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pipeline_run(g, &o, NULL), ST_OK);
  unit_op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Conv,Relu");
  p = g->nodes[0]->low->params;
  ck_assert_int_eq(p->act, RT_ACT_NONE);
  ck_assert_int_eq(p->has_residual, 0);
  ir_free(g);
}
END_TEST

/* ---- kernels: fused against unfused ---- */

static float frand(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)((*s >> 8) & 0xffff) / 8192.0f - 4.0f;
}

static float *rand_floats(int64_t n, uint32_t seed) {
  float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  int64_t i;
  for (i = 0; i < n; i++) v[i] = frand(&seed);
  return v;
}

/* Each activation, its parameters and the unary kernel of its op. */
static const struct {
  int32_t act;
  float a, b;
  rt_kernel_fn unary;
} ACTS[] = {
    {RT_ACT_NONE, 0, 0, NULL},
    {RT_ACT_RELU, 0, 0, rt_relu_f32},
    {RT_ACT_CLIP, 0, 6, rt_clip_f32},
    {RT_ACT_LEAKY_RELU, 0.1f, 0, rt_leaky_relu_f32},
    {RT_ACT_HARD_SIGMOID, 0.2f, 0.5f, rt_hard_sigmoid_f32},
    {RT_ACT_HARD_SWISH, 0, 0, rt_hard_swish_f32},
    {RT_ACT_MUL_HARD_SIGMOID, 1.0f / 6, 0.5f, rt_mul_hard_sigmoid_f32},
    {RT_ACT_SIGMOID, 0, 0, rt_sigmoid_f32},
    {RT_ACT_SILU, 0, 0, rt_silu_f32},
    {RT_ACT_TANH, 0, 0, rt_tanh_f32},
    {RT_ACT_GELU, 0, 0, rt_gelu_f32},
    {RT_ACT_GELU_TANH, 0, 0, rt_gelu_tanh_f32},
};

/* The epilogue fields of a params struct, wherever its type keeps them. */
typedef struct epi_fields {
  int32_t *act, *has_residual;
  float *a, *b;
} epi_fields;
#define EPI_FIELDS(p) ((epi_fields){&(p)->act, &(p)->has_residual, &(p)->act_a, &(p)->act_b})

/* Runs fn (params, in[0..slot) set by the caller) with every activation,
 * with and without a residual at in[slot] (slot < 0: a kernel that takes
 * none), and the unfused path; ny output floats. */
static void check_fused(rt_kernel_fn fn, const void *params, epi_fields f, const void **in, int slot, int64_t ny,
                        size_t scratch_bytes, const char *what) {
  float *res = rand_floats(ny, 99), *y = malloc(sizeof(float) * (size_t)ny);
  float *want = malloc(sizeof(float) * (size_t)ny);
  void *scratch = malloc(scratch_bytes + 1);
  void *out[RT_MIN_ARGS] = {0};
  size_t k;
  int with_res;
  int64_t i;
  for (k = 0; k < sizeof ACTS / sizeof ACTS[0]; k++)
    for (with_res = 0; with_res <= (slot >= 0); with_res++) {
      rt_unary_params u;
      const void *uin[RT_MIN_ARGS] = {0};
      void *uout[RT_MIN_ARGS] = {0};
      *f.act = RT_ACT_NONE, *f.a = *f.b = 0, *f.has_residual = 0;
      if (slot >= 0) in[slot] = NULL;
      out[0] = want;
      fn(params, in, out, scratch);
      if (with_res)
        for (i = 0; i < ny; i++) want[i] = want[i] + res[i];
      memset(&u, 0, sizeof u);
      u.count = ny, u.alpha = ACTS[k].a, u.beta = ACTS[k].b;
      uin[0] = want;
      uout[0] = want;
      if (ACTS[k].unary) ACTS[k].unary(&u, uin, uout, NULL);
      *f.act = ACTS[k].act, *f.a = ACTS[k].a, *f.b = ACTS[k].b, *f.has_residual = with_res;
      if (slot >= 0) in[slot] = with_res ? res : NULL;
      out[0] = y;
      fn(params, in, out, scratch);
      for (i = 0; i < ny; i++)
        ck_assert_msg(memcmp(&y[i], &want[i], sizeof(float)) == 0,
                      "%s, activation %d, residual %d: element %lld is %g, unfused %g", what, (int)ACTS[k].act,
                      with_res, (long long)i, (double)y[i], (double)want[i]);
    }
  if (slot >= 0) in[slot] = NULL;
  free(res), free(y), free(want), free(scratch);
}

/* HardSwish is the spec's HardSigmoid of float alpha 1/6 and beta 0.5,
 * times x (ONNX Runtime's values): the same bits as MulHardSigmoid with
 * those parameters (the fused epilogues are checked against this kernel
 * below), on values of which some come out otherwise with x / 6 in place
 * of x * alpha (the test checks that it has such values). */
START_TEST(hard_swish_is_spec_hard_sigmoid) {
  enum { N = 4096 };
  static float x[N], y[N], want[N];
  const float alpha = 1.0f / 6.0f;
  rt_unary_params u;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int i, by_division = 0;
  uint32_t seed = 7;
  for (i = 0; i < N; i++) x[i] = frand(&seed) * 1.37f;
  memset(&u, 0, sizeof u);
  u.count = N;
  in[0] = x;
  out[0] = y;
  rt_hard_swish_f32(&u, in, out, NULL);
  u.alpha = alpha;
  u.beta = 0.5f;
  out[0] = want;
  rt_mul_hard_sigmoid_f32(&u, in, out, NULL);
  ck_assert_int_eq(memcmp(y, want, sizeof y), 0);
  for (i = 0; i < N; i++) {
    const float d = x[i] / 6.0f + 0.5f, t = d < 0 ? 0 : (d > 1 ? 1 : d);
    by_division += memcmp(&y[i], &(float){x[i] * t}, sizeof(float)) != 0;
  }
  ck_assert_int_gt(by_division, 0);
}
END_TEST

/* A 2-D conv with bias, X [1, cin, h, w], W [cout, cin/group, k, k]. */
static void conv_case(int64_t cin, int64_t cout, int32_t group, int64_t hw, int64_t k, int64_t stride, int64_t pad) {
  rt_conv_params p;
  const int64_t oh = (hw + 2 * pad - k) / stride + 1, ny = cout * oh * oh;
  float *x, *w, *b, *wp;
  const void *in[RT_MIN_ARGS] = {0};
  memset(&p, 0, sizeof p);
  p.nd = 2, p.batch = 1, p.in_ch = cin, p.out_ch = cout, p.group = group, p.has_bias = 1;
  p.in_dims[0] = p.in_dims[1] = hw;
  p.kernel[0] = p.kernel[1] = k;
  p.strides[0] = p.strides[1] = stride;
  p.dilations[0] = p.dilations[1] = 1;
  p.pads[0] = p.pads[1] = pad;
  p.out_dims[0] = p.out_dims[1] = oh;
  x = rand_floats(cin * hw * hw, 1), w = rand_floats(cout * cin / group * k * k, 2), b = rand_floats(cout, 3);
  wp = malloc(sizeof(float) * (size_t)rt_conv_f32_packed_floats(&p));
  rt_conv_f32_pack_weights(&p, w, wp);
  in[0] = x, in[1] = w, in[2] = b;
  if (group == cin) {
    check_fused(rt_conv_f32_depthwise, &p, EPI_FIELDS(&p), in, 3, ny, 0, "depthwise");
    if (cout == cin)
      check_fused(rt_conv_f32_depthwise2d, &p, EPI_FIELDS(&p), in, 3, ny, rt_conv_f32_depthwise2d_scratch_bytes(&p),
                  "depthwise2d");
  }
  check_fused(rt_conv_f32_im2col, &p, EPI_FIELDS(&p), in, 3, ny, rt_conv_f32_im2col_scratch_bytes(&p), "im2col");
  if (k == 1 && stride == 1 && pad == 0)
    check_fused(rt_conv_f32_pointwise, &p, EPI_FIELDS(&p), in, 3, ny, rt_conv_f32_pointwise_scratch_bytes(&p),
                "pointwise");
  in[1] = wp;
  check_fused(rt_conv_f32_im2col_packed, &p, EPI_FIELDS(&p), in, 3, ny, rt_conv_f32_im2col_packed_scratch_bytes(&p),
              "im2col_packed");
  if (k == 1 && stride == 1 && pad == 0)
    check_fused(rt_conv_f32_pointwise_packed, &p, EPI_FIELDS(&p), in, 3, ny,
                rt_conv_f32_pointwise_packed_scratch_bytes(&p), "pointwise_packed");
  if (group == 1) {
    /* the blocked variant applies a residual and Relu in its copy out,
     * the others through rt_epi_tile: both must be the unfused bits */
    float *wn = malloc(sizeof(float) * (size_t)rt_conv_f32_nchwc_packed_floats(&p));
    rt_conv_f32_nchwc_pack_weights(&p, w, wn);
    in[1] = wn;
    check_fused(rt_conv_f32_nchwc_packed, &p, EPI_FIELDS(&p), in, 3, ny, rt_conv_f32_nchwc_packed_scratch_bytes(&p),
                "nchwc_packed");
    free(wn);
  }
  free(x), free(w), free(b), free(wp);
}

START_TEST(conv_kernels_fused) {
  /* planes of at most 256 outputs take the epilogue per block of rows,
   * larger ones per tile */
  conv_case(3, 30, 1, 9, 3, 1, 1);   /* short last tiles, K in one slice */
  conv_case(5, 20, 1, 20, 3, 1, 1);  /* 400 outputs: per tile */
  conv_case(16, 13, 1, 17, 1, 1, 0); /* pointwise, 289 outputs: per tile */
  conv_case(40, 6, 1, 8, 3, 2, 1);   /* K = 360: several slices */
  conv_case(19, 37, 1, 7, 1, 1, 0);  /* pointwise */
  conv_case(24, 40, 1, 20, 3, 1, 1); /* nchwc: 2 bands, 3 output blocks */
  conv_case(8, 8, 8, 9, 3, 1, 1);    /* depthwise, 3x3 */
  conv_case(6, 6, 6, 11, 5, 2, 2);   /* depthwise, 5x5 stride 2 */
  conv_case(4, 8, 4, 7, 3, 1, 1);    /* depthwise, two outputs per channel */
}
END_TEST

/* Gemm (with C) and MatMul, general, prepacked and one-row variants. */
static void gemm_case(int64_t M, int64_t N, int64_t K) {
  float *a = rand_floats(M * K, 4), *b = rand_floats(K * N, 5), *c = rand_floats(N, 6);
  float *bp = malloc(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N));
  const size_t s1 = rt_sgemm_scratch_bytes(M, N, K), s2 = rt_gemm_f32_packed_scratch_bytes(M, K);
  const void *in[RT_MIN_ARGS] = {0};
  rt_gemm_params p;
  rt_matmul_params q;
  memset(&p, 0, sizeof p);
  memset(&q, 0, sizeof q);
  p.M = q.M = M, p.N = q.N = N, p.K = q.K = K;
  p.alpha = 0.5f, p.beta = 2.0f, p.has_c = 1, p.c_cs = 1;
  rt_gemm_f32_pack_b(K, N, b, 0, bp);
  in[0] = a, in[1] = b, in[2] = c;
  check_fused(rt_gemm_f32, &p, EPI_FIELDS(&p), in, 3, M * N, s1, "gemm");
  if (M == 1) check_fused(rt_gemm_f32_gemv, &p, EPI_FIELDS(&p), in, 3, M * N, 0, "gemm gemv");
  in[2] = NULL;
  check_fused(rt_matmul_f32, &q, EPI_FIELDS(&q), in, 2, M * N, s1, "matmul");
  if (M == 1) check_fused(rt_matmul_f32_gemv, &q, EPI_FIELDS(&q), in, 2, M * N, 0, "matmul gemv");
  in[1] = bp, in[2] = c;
  check_fused(rt_gemm_f32_packed, &p, EPI_FIELDS(&p), in, 3, M * N, s2, "gemm packed");
  /* a bias row with beta 1 starts the accumulators instead */
  p.alpha = 1.0f, p.beta = 1.0f;
  check_fused(rt_gemm_f32_packed, &p, EPI_FIELDS(&p), in, 3, M * N, s2, "gemm packed, bias row");
  in[2] = NULL;
  check_fused(rt_matmul_f32_packed, &q, EPI_FIELDS(&q), in, 2, M * N, s2, "matmul packed");
  free(a), free(b), free(c), free(bp);
}

/* rt_batchnorm_f32 on [2, 5, 13] and the blocked one on the same
 * channels in blocks of 16 (pad lanes included in the comparison). */
START_TEST(bn_kernels_fused) {
  enum { N = 2, C = 5, INNER = 13, CB = 1 };
  float *x = rand_floats(N * C * INNER, 7), *xb = rand_floats(N * CB * 16 * INNER, 8);
  float *sc = rand_floats(C, 9), *bi = rand_floats(C, 10), *mean = rand_floats(C, 11), *var = rand_floats(C, 12);
  const void *in[RT_MIN_ARGS] = {0};
  rt_batchnorm_params p;
  int i;
  for (i = 0; i < C; i++) var[i] = fabsf(var[i]) + 0.5f;
  memset(&p, 0, sizeof p);
  p.n = N, p.c = C, p.inner = INNER, p.epsilon = 1e-5f;
  in[0] = x, in[1] = sc, in[2] = bi, in[3] = mean, in[4] = var;
  check_fused(rt_batchnorm_f32, &p, EPI_FIELDS(&p), in, -1, N * C * INNER, 0, "batchnorm");
  in[0] = xb;
  check_fused(rt_nchwc_batchnorm_f32, &p, EPI_FIELDS(&p), in, -1, N * CB * 16 * INNER, 0, "nchwc batchnorm");
  free(x), free(xb), free(sc), free(bi), free(mean), free(var);
}
END_TEST

START_TEST(gemm_kernels_fused) {
  gemm_case(37, 70, 300); /* short tiles, K in slices */
  gemm_case(1, 45, 20);   /* one row */
  gemm_case(9, 1, 33);    /* one column */
}
END_TEST

Suite *fuse_epilogue_suite(void) {
  Suite *s = suite_create("fuse_epilogue");
  TCase *tc = tcase_create("core");
  /* conv_kernels_fused runs every Conv variant with every activation:
   * several seconds under ASan on a busy machine (Check's default is 4) */
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, conv_relu);
  tcase_add_test(tc, conv_residual_relu);
  tcase_add_test(tc, bn_relu);
  tcase_add_test(tc, gemm_matmul_and_activations);
  tcase_add_test(tc, cases_not_fused);
  tcase_add_test(tc, not_at_O0);
  tcase_add_test(tc, conv_kernels_fused);
  tcase_add_test(tc, hard_swish_is_spec_hard_sigmoid);
  tcase_add_test(tc, gemm_kernels_fused);
  tcase_add_test(tc, bn_kernels_fused);
  suite_add_tcase(s, tc);
  return s;
}
