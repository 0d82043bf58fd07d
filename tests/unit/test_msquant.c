/* com.microsoft quantized kernels (msquant.h) on hand-computed cases, and
 * the fuse-qdq pass: which QDQ groups become integer ops, which are left
 * alone, and the kernels the fused graph lowers to. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

/* ---- kernels ---- */

START_TEST(qladd_broadcasts_rounds_and_saturates) {
  /* A [2, 2] (scale 0.5, zp 10) + B [2] (scale 0.25, zp 0), C scale 1, zp
   * 100: c = round(0.5 (a - 10) + 0.25 b) + 100. a = 11, b = 4: 0.5 + 1 =
   * 1.5 -> 2 (ties to even); a = 250, b = 4: 120 + 1 -> 221; a = 255, b =
   * 8: 122.5 + 2 = 124.5 -> 124 (even) -> 224. */
  const uint8_t a[4] = {11, 20, 250, 255}, b[2] = {4, 8}, za = 10, zb = 0, zc = 100;
  const float sa = 0.5f, sb = 0.25f, sc = 1.0f;
  const uint8_t want[4] = {102, 107, 221, 224};
  uint8_t c[4];
  rt_qlbinary_params p = {2, {2, 2}, {2, 1}, {0, 1}};
  const void *in[8] = {a, &sa, &za, b, &sb, &zb, &sc, &zc};
  void *out[8] = {c};
  int i;
  rt_qladd_u8(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_int_eq(c[i], want[i]);
}
END_TEST

START_TEST(qlmul_int8) {
  /* (a - 1)(b + 2) * (0.5 * 0.5 / 0.25) - 3; the last saturates */
  const int8_t a[3] = {3, -5, 127}, b[3] = {2, 2, 127}, za = 1, zb = -2, zc = -3;
  const float sa = 0.5f, sb = 0.5f, sc = 0.25f;
  const int8_t want[3] = {5, -27, 127};
  int8_t c[3];
  rt_qlbinary_params p = {1, {3}, {1}, {1}};
  const void *in[8] = {a, &sa, &za, b, &sb, &zb, &sc, &zc};
  void *out[8] = {c};
  int i;
  rt_qlmul_i8(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_int_eq(c[i], want[i]);
}
END_TEST

START_TEST(qlleakyrelu_table) {
  /* x scale 0.5 zp 128, y scale 0.25 zp 128, alpha 0.5: 120 -> -4 -> -2
   * -> 120; 130 -> 1 -> 132; 0 -> -64 -> -32 -> -128 + 128 = 0 */
  const uint8_t x[3] = {120, 130, 0}, xz = 128, yz = 128;
  const float xs = 0.5f, ys = 0.25f;
  const uint8_t want[3] = {120, 132, 0};
  uint8_t y[3];
  rt_qlunary_params p = {3, 0.5f};
  const void *in[8] = {x, &xs, &xz, &ys, &yz};
  void *out[8] = {y};
  int i;
  rt_qlleakyrelu_u8(&p, in, out, NULL);
  for (i = 0; i < 3; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(qlgap_channels_first_and_last) {
  /* 2 channels of 3: sums 7 and 60 less 3 * zp 1, times 1 / (0.5 * 3) */
  const uint8_t first[6] = {1, 2, 4, 10, 20, 30}, last[6] = {1, 10, 2, 20, 4, 30}, xz = 1, yz = 5;
  const float xs = 1.0f, ys = 0.5f;
  uint8_t y[2];
  rt_qlgap_params p = {1, 2, 3, 0};
  const void *in[8] = {first, &xs, &xz, &ys, &yz};
  void *out[8] = {y};
  rt_qlgap_u8(&p, in, out, NULL);
  /* (7 - 3) / 1.5 = 2.67 -> 3; (60 - 3) / 1.5 = 38 */
  ck_assert_int_eq(y[0], 8);
  ck_assert_int_eq(y[1], 43);
  p.channels_last = 1;
  in[0] = last;
  rt_qlgap_u8(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 8);
  ck_assert_int_eq(y[1], 43);
}
END_TEST

START_TEST(qlconcat_copies_or_requantizes) {
  /* two outer blocks; y scale 1 zp 0: input 0 has y's quantization
   * (copied), input 1 scale 0.5 zp 2: 3 -> 0.5 -> 0 (tie to even), 6 -> 2,
   * 2 -> 0, 255 -> 126.5 -> 126 */
  const uint8_t x0[2] = {7, 9}, x1[4] = {3, 6, 2, 255}, z0 = 0, z1 = 2, yz = 0;
  const float ys = 1.0f, s0 = 1.0f, s1 = 0.5f;
  const uint8_t want[6] = {7, 0, 2, 9, 0, 126};
  uint8_t y[6];
  rt_concat_params p;
  const void *in[8] = {&ys, &yz, x0, &s0, &z0, x1, &s1, &z1};
  void *out[8] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.n = 2;
  p.outer = 2;
  p.bytes[0] = 1;
  p.bytes[1] = 2;
  rt_qlconcat_u8(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

START_TEST(qgemm_transposed_b_bias_and_outputs) {
  /* A [2, 2] u8 zp 1, B^T [2, 2] i8 zp 0 (transB), C [2] int32:
   * (A - 1) = [[1, 2], [3, 0]], B = [[1, 2], [-1, 1]] (B^T [[1, -1], [2,
   * 1]]), A'B = [[-1, 4], [3, 6]], + C [10, 20] = [[9, 24], [13, 26]];
   * times alpha 2 * 0.5 * 1 = 1 as floats; quantized with y scale 2, zp 3:
   * 9 / 2 = 4.5 -> 4 (+3 = 7), 12 + 3, 6.5 -> 6 (+3 = 9), 13 + 3 */
  const uint8_t a[4] = {2, 3, 4, 1}, az = 1, yz = 3;
  const int8_t bt[4] = {1, -1, 2, 1}, bz = 0;
  const int32_t cb[2] = {10, 20};
  const float as = 0.5f, bs = 1.0f, ys = 2.0f;
  const float wantf[4] = {9, 24, 13, 26};
  const uint8_t wantq[4] = {7, 15, 9, 16};
  float yf[4];
  uint8_t yq[4];
  int32_t scratch[2];
  rt_qgemm_params p = {2, 2, 2, 2, 1, 1, 2, 0, 1, 2.0f, 0, 0, 1, 2, 3, 4, 5, 6, -1, -1, -1};
  const void *in[9] = {a, &as, &az, bt, &bs, &bz, cb, &ys, &yz};
  void *out[8] = {yf};
  int i;
  rt_qgemm_u8_i8_f32(&p, in, out, scratch);
  for (i = 0; i < 4; i++) ck_assert_float_eq(yf[i], wantf[i]);
  p.i_ys = 7, p.i_yz = 8;
  out[0] = yq;
  rt_qgemm_u8_i8_u8(&p, in, out, scratch);
  for (i = 0; i < 4; i++) ck_assert_int_eq(yq[i], wantq[i]);
}
END_TEST

START_TEST(dqmatmul_quantizes_a_first) {
  /* A [1, 2] = {-1, 2.4}: range [-1, 2.4], scale 3.4 / 255, zp 75; A
   * quantizes to {0, 255}, (A - 75) = {-75, 180}; B [2, 1] u8 {2, 1} zp 0,
   * scale 0.5: sum 30, y = 30 * scale * 0.5 + bias 1 */
  const float a[2] = {-1.0f, 2.4f}, bs = 0.5f, bias = 1.0f;
  const uint8_t b[2] = {2, 1};
  float y;
  int64_t scratch[2]; /* 2 bytes of A (8 with padding), then one int32 */
  rt_qgemm_params p = {1, 1, 2, 2, 1, 1, 1, 0, 0, 1.0f, 0, 0, -1, -1, 1, 2, 3, -1, 4, -1, -1};
  const void *in[8] = {a, b, &bs, NULL, &bias};
  void *out[8] = {&y};
  rt_dqmatmul_f32_u8(&p, in, out, scratch);
  ck_assert_float_eq_tol(y, 30.0f * (3.4f / 255.0f) * 0.5f + 1.0f, 1e-6f);
}
END_TEST

/* ---- fuse-qdq ---- */

/* A constant of dtype dt, shape dims (rank), elements from vals (as
 * doubles, converted). */
static int qconst(ir_graph *g, const char *name, int dt, int rank, const int64_t *dims, const double *vals) {
  int id = ir_value_get(g, name), i;
  ir_value *v = g->values[id];
  int64_t n;
  v->t.dtype = dt;
  v->t.rank = rank;
  if (rank > 0) memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank); /* a scalar may pass NULL dims */
  n = tensor_numel(&v->t);
  v->t.data = xcalloc((size_t)n + 1, dtype_size(dt));
  for (i = 0; i < n; i++) {
    if (dt == DT_FLOAT) ((float *)v->t.data)[i] = (float)vals[i];
    else if (dt == DT_INT32) ((int32_t *)v->t.data)[i] = (int32_t)vals[i];
    else if (dt == DT_INT8) ((int8_t *)v->t.data)[i] = (int8_t)vals[i];
    else ((uint8_t *)v->t.data)[i] = (uint8_t)vals[i];
  }
  return id;
}

/* A one-value constant. */
static int qscalar(ir_graph *g, const char *name, int dt, double value) { return qconst(g, name, dt, 0, NULL, &value); }

/* node(op, out, inputs...) of the default domain; NULL entries are absent
 * inputs. */
static ir_node *qnode(ir_graph *g, const char *op, const char *out, int n_in, const char *const *ins) {
  ir_node *n = ir_node_add(g, out, op, "");
  int k;
  n->n_in = n_in;
  n->in = xmalloc(sizeof(int) * (size_t)n_in);
  for (k = 0; k < n_in; k++) n->in[k] = ins[k] ? ir_value_get(g, ins[k]) : -1;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, out);
  return n;
}

#define NODE(g, op, out, ...) \
  qnode(g, op, out, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), (const char *[]){__VA_ARGS__})

static void seq_of(const ir_graph *g, char *buf, size_t size) {
  int i;
  buf[0] = 0;
  for (i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->dead) continue;
    if (buf[0]) strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, g->nodes[i]->op_type, size - strlen(buf) - 1);
  }
}

/* x [1, 2, 3, 3] float -> Q (u8) -> DQ -> Conv(DQ(w i8, per channel), DQ(bias)) -> Q -> DQ -> y.
 * bias_scale_ok 0 writes a bias scale that is not x_scale * w_scale. */
static ir_graph *qdq_conv(int bias_scale_ok) {
  static const int64_t wd[4] = {2, 2, 1, 1}, two[1] = {2};
  static const double w[4] = {1, -2, 3, 4}, ws[2] = {0.5, 0.25}, bias[2] = {8, -4}, bz[2] = {0, 0};
  const double bs[2] = {0.1 * 0.5, bias_scale_ok ? 0.1 * 0.25 : 0.1};
  ir_graph *g = ir_new();
  int x = ir_value_get(g, "x");
  g->opset = 13;
  g->values[x]->t = (ir_tensor){DT_FLOAT, 4, {1, 2, 3, 3}, {0}, NULL};
  g->values[x]->graph_input = 0;
  g->inputs = xmalloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  qscalar(g, "xs", DT_FLOAT, 0.1);
  qscalar(g, "xz", DT_UINT8, 128);
  qscalar(g, "ys", DT_FLOAT, 0.2);
  qscalar(g, "yz", DT_UINT8, 100);
  qconst(g, "w", DT_INT8, 4, wd, w);
  qconst(g, "ws", DT_FLOAT, 1, two, ws);
  qconst(g, "wz", DT_INT8, 1, two, bz);
  qconst(g, "b", DT_INT32, 1, two, bias);
  qconst(g, "bs", DT_FLOAT, 1, two, bs);
  qconst(g, "bz", DT_INT32, 1, two, bz);
  NODE(g, "QuantizeLinear", "xq", "x", "xs", "xz");
  NODE(g, "DequantizeLinear", "xf", "xq", "xs", "xz");
  unit_add_attr(NODE(g, "DequantizeLinear", "wf", "w", "ws", "wz"), "axis", ATTR_INT, 0, 0, NULL);
  unit_add_attr(NODE(g, "DequantizeLinear", "bf", "b", "bs", "bz"), "axis", ATTR_INT, 0, 0, NULL);
  NODE(g, "Conv", "c", "xf", "wf", "bf");
  NODE(g, "QuantizeLinear", "cq", "c", "ys", "yz");
  NODE(g, "DequantizeLinear", "y", "cq", "ys", "yz");
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = ir_value_get(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  return g;
}

START_TEST(fuse_qdq_conv) {
  ir_graph *g = qdq_conv(1);
  const ir_node *conv;
  char seq[512], kernel[64];
  ck_assert_int_eq(pass_fuse_qdq(g), ST_OK);
  seq_of(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "QuantizeLinear,DequantizeLinear,DequantizeLinear,DequantizeLinear,QLinearConv,DequantizeLinear");
  conv = g->nodes[4];
  ck_assert_int_eq(conv->n_in, 9);
  ck_assert_str_eq(g->values[conv->in[0]]->name, "xq");
  ck_assert_str_eq(g->values[conv->in[3]]->name, "w");
  ck_assert_str_eq(g->values[conv->in[8]]->name, "b");
  ck_assert_str_eq(g->values[conv->out[0]]->name, "cq");
  ir_free(g);
  /* the whole pipeline: the unread DequantizeLinears go, the conv runs on
   * integers, per output channel */
  g = qdq_conv(1);
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  seq_of(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "QuantizeLinear,QLinearConv,DequantizeLinear");
  ck_assert_str_eq(kernel_get(g->nodes[1]->low->kernel)->name, "rt_qlinear_conv_u8_i8");
  ck_assert_int_eq(((const rt_qconv_params *)g->nodes[1]->low->params)->w_scale_channels, 1);
  ir_free(g);
}
END_TEST

START_TEST(fuse_qdq_leaves_what_it_cannot_keep) {
  /* a bias scale that is not x_scale * w_scale: left in float */
  ir_graph *g = qdq_conv(0);
  char seq[512];
  int i;
  ck_assert_int_eq(pass_fuse_qdq(g), ST_OK);
  seq_of(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "QuantizeLinear,DequantizeLinear,DequantizeLinear,DequantizeLinear,Conv,QuantizeLinear,"
                        "DequantizeLinear");
  ir_free(g);
  /* the float result is also a graph output: the Q is not its only reader */
  g = qdq_conv(1);
  g->outputs = xrealloc(g->outputs, sizeof(int) * 2);
  g->outputs[g->n_outputs++] = ir_value_get(g, "c");
  ck_assert_int_eq(pass_fuse_qdq(g), ST_OK);
  seq_of(g, seq, sizeof seq);
  ck_assert(strstr(seq, ",Conv,") != NULL);
  ir_free(g);
  /* the pass runs before the schema check: a DequantizeLinear with an
   * empty input name (the weights' here) is left for infer to refuse */
  g = qdq_conv(1);
  for (i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->out[0] == ir_find(g, "wf")) g->nodes[i]->in[0] = -1;
  ck_assert_int_eq(pass_fuse_qdq(g), ST_OK);
  seq_of(g, seq, sizeof seq);
  ck_assert(strstr(seq, ",Conv,") != NULL);
  ir_free(g);
}
END_TEST

/* DQ(a) and DQ(b) -> OP -> Q, a [2, 3] u8 graph input, b a u8 constant
 * [3, 3] (MatMul, Gemm) or [2, 3] (Add, Mul). */
static ir_graph *qdq_pair(const char *op) {
  static const int64_t bd[2] = {3, 3}, cd[2] = {2, 3};
  static const double b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int square = strcmp(op, "MatMul") == 0 || strcmp(op, "Gemm") == 0;
  ir_graph *g = ir_new();
  int a = ir_value_get(g, "a");
  g->opset = 13;
  g->values[a]->t = (ir_tensor){DT_UINT8, 2, {2, 3}, {0}, NULL};
  g->values[a]->graph_input = 0;
  g->inputs = xmalloc(sizeof(int));
  g->inputs[g->n_inputs++] = a;
  qscalar(g, "s", DT_FLOAT, 0.5);
  qscalar(g, "z", DT_UINT8, 3);
  qconst(g, "b", DT_UINT8, 2, square ? bd : cd, b);
  NODE(g, "DequantizeLinear", "af", "a", "s", "z");
  NODE(g, "DequantizeLinear", "bf", "b", "s", "z");
  NODE(g, op, "c", "af", "bf");
  NODE(g, "QuantizeLinear", "y", "c", "s", "z");
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = ir_value_get(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  return g;
}

START_TEST(fuse_qdq_matmul_gemm_add_mul) {
  static const char *const ops[4] = {"MatMul", "Gemm", "Add", "Mul"};
  static const char *const fused[4] = {"QLinearMatMul", "QGemm", "QLinearAdd", "QLinearMul"};
  static const char *const kernels[4] = {"rt_qlinear_matmul_u8_u8_f32", "rt_qgemm_u8_u8_u8", "rt_qladd_u8",
                                         "rt_qlmul_u8"};
  int i;
  for (i = 0; i < 4; i++) {
    ir_graph *g = qdq_pair(ops[i]);
    char seq[256], kernel[64];
    ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
    seq_of(g, seq, sizeof seq);
    ck_assert_str_eq(seq, fused[i]);
    ck_assert_str_eq(kernel, kernels[i]);
    ir_free(g);
  }
}
END_TEST

Suite *msquant_suite(void) {
  Suite *s = suite_create("msquant");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, qladd_broadcasts_rounds_and_saturates);
  tcase_add_test(tc, qlmul_int8);
  tcase_add_test(tc, qlleakyrelu_table);
  tcase_add_test(tc, qlgap_channels_first_and_last);
  tcase_add_test(tc, qlconcat_copies_or_requantizes);
  tcase_add_test(tc, qgemm_transposed_b_bias_and_outputs);
  tcase_add_test(tc, dqmatmul_quantizes_a_first);
  suite_add_tcase(s, tc);
  tc = tcase_create("fuse_qdq");
  tcase_add_test(tc, fuse_qdq_conv);
  tcase_add_test(tc, fuse_qdq_leaves_what_it_cannot_keep);
  tcase_add_test(tc, fuse_qdq_matmul_gemm_add_mul);
  suite_add_tcase(s, tc);
  return s;
}
