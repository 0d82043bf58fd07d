/* Attention kernels on hand-computed cases. Most use one head of size 1,
 * keys 0 and ln 3 and values 4 and 8 for a query of 1: the scores 0 and
 * ln 3 softmax to 1/4 and 3/4, so the output is 7, and a key shut off
 * leaves the other's value alone. */
#include <math.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

#define LN3 1.0986122886681098f
#define TOL 1e-5f

static const float keys[2] = {0, LN3}, values[2] = {4, 8};

/* 4-D layout, one batch and head, head size hs, scale 1 (s = 1). */
static rt_attention_params one_head(int64_t q_seq, int64_t kv_seq, int64_t hs) {
  rt_attention_params p;
  memset(&p, 0, sizeof p);
  p.batch = p.q_heads = p.kv_heads = 1;
  p.q_seq = q_seq;
  p.kv_seq = kv_seq;
  p.head_size = hs;
  p.v_head_size = 1;
  p.q_strides[0] = q_seq * hs, p.q_strides[1] = q_seq * hs, p.q_strides[2] = hs;
  p.k_strides[0] = kv_seq * hs, p.k_strides[1] = kv_seq * hs, p.k_strides[2] = hs;
  p.v_strides[0] = p.v_strides[1] = kv_seq, p.v_strides[2] = 1;
  p.y_strides[0] = p.y_strides[1] = q_seq, p.y_strides[2] = 1;
  p.left_window = p.right_window = -1;
  p.scale = 1;
  return p;
}

/* Runs the f32 kernel (bool-mask variant when bmask) on Q, K, V and the
 * optional inputs; NULL pointers are absent inputs and outputs. */
static void run(const rt_attention_params *p, const float *q, const float *k, const float *v, const void *mask,
                int bmask, const int64_t *nonpad, float *y, float *qk) {
  float scratch[32];
  const void *in[8] = {0};
  void *out[8] = {0};
  in[0] = q, in[1] = k, in[2] = v, in[3] = mask, in[6] = nonpad;
  out[0] = y, out[3] = qk;
  (bmask ? rt_attention_f32_bmask : rt_attention_f32)(p, in, out, scratch);
}

START_TEST(attention_softmax_weights) {
  rt_attention_params p = one_head(1, 2, 1);
  const float q = 1;
  float y, qk[2];
  run(&p, &q, keys, values, NULL, 0, NULL, &y, qk);
  ck_assert_float_eq_tol(y, 7, TOL);
  ck_assert_float_eq_tol(qk[1], LN3, TOL); /* mode 0: the scores */
  p.qk_mode = 3;
  run(&p, &q, keys, values, NULL, 0, NULL, &y, qk);
  ck_assert_float_eq_tol(qk[0], 0.25f, TOL);
  ck_assert_float_eq_tol(qk[1], 0.75f, TOL);
}
END_TEST

START_TEST(attention_f64) {
  rt_attention_params p = one_head(1, 2, 1);
  const double q = 1, k[2] = {0, 1.0986122886681098}, v[2] = {4, 8};
  double y, scratch[4];
  const void *in[8] = {0};
  void *out[8] = {0};
  in[0] = &q, in[1] = k, in[2] = v, out[0] = &y;
  rt_attention_f64(&p, in, out, scratch);
  ck_assert_double_eq_tol(y, 7, 1e-12);
}
END_TEST

/* The default scale 1/sqrt(head size) scales Q and K by its square root:
 * head size 4, keys summing to 2 ln 3 give the score ln 3. */
START_TEST(attention_default_scale) {
  rt_attention_params p = one_head(1, 2, 4);
  const float q[4] = {1, 1, 1, 1}, k[8] = {0, 0, 0, 0, LN3 / 2, LN3 / 2, LN3 / 2, LN3 / 2};
  float y;
  p.default_scale = 1;
  run(&p, q, k, values, NULL, 0, NULL, &y, NULL);
  ck_assert_float_eq_tol(y, 7, TOL);
}
END_TEST

START_TEST(attention_causal) {
  rt_attention_params p = one_head(2, 2, 1);
  const float q[2] = {1, 1};
  float y[2];
  p.is_causal = 1;
  run(&p, q, keys, values, NULL, 0, NULL, y, NULL);
  ck_assert_float_eq_tol(y[0], 4, TOL); /* row 0 sees key 0 only */
  ck_assert_float_eq_tol(y[1], 7, TOL);
}
END_TEST

/* One past row: the causal frontier moves right by one, and the present
 * outputs are the past rows followed by the new ones. */
START_TEST(attention_past_and_present) {
  rt_attention_params p = one_head(1, 1, 1);
  const float q = 1, past_k = 0, past_v = 4, k = LN3, v = 8;
  float y, present_k[2], present_v[2], scratch[8];
  const void *in[8] = {0};
  void *out[8] = {0};
  p.past_seq = 1;
  p.is_causal = 1;
  in[0] = &q, in[1] = &k, in[2] = &v, in[4] = &past_k, in[5] = &past_v;
  out[0] = &y, out[1] = present_k, out[2] = present_v;
  rt_attention_f32(&p, in, out, scratch);
  ck_assert_float_eq_tol(y, 7, TOL);
  ck_assert_float_eq(present_k[0], 0);
  ck_assert_float_eq(present_k[1], LN3);
  ck_assert_float_eq(present_v[0], 4);
  ck_assert_float_eq(present_v[1], 8);
}
END_TEST

/* A bool mask that shuts every key of row 1: zeros, not NaN, in Y and in
 * the mode-3 probabilities. */
START_TEST(attention_fully_masked_row) {
  rt_attention_params p = one_head(2, 2, 1);
  const float q[2] = {1, 1};
  const uint8_t mask[4] = {1, 1, 0, 0};
  float y[2], qk[4];
  p.mask_strides[2] = 2, p.mask_strides[3] = 1, p.mask_len = 2;
  p.qk_mode = 3;
  run(&p, q, keys, values, mask, 1, NULL, y, qk);
  ck_assert_float_eq_tol(y[0], 7, TOL);
  ck_assert_float_eq(y[1], 0);
  ck_assert_float_eq_tol(qk[1], 0.75f, TOL);
  ck_assert_float_eq(qk[2], 0);
  ck_assert_float_eq(qk[3], 0);
}
END_TEST

/* A float mask of one key for two: the missing key is -inf (mode 2 shows
 * score + bias). */
START_TEST(attention_short_mask_padded) {
  rt_attention_params p = one_head(1, 2, 1);
  const float q = 1, mask = 0.5f;
  float y, qk[2];
  p.mask_strides[3] = 1, p.mask_len = 1;
  p.qk_mode = 2;
  run(&p, &q, keys, values, &mask, 0, NULL, &y, qk);
  ck_assert_float_eq_tol(y, 4, TOL);
  ck_assert_float_eq_tol(qk[0], 0.5f, TOL);
  ck_assert(isinf(qk[1]) && qk[1] < 0);
}
END_TEST

/* softcap * tanh(score / softcap) before the bias; mode 1 shows it. */
START_TEST(attention_softcap) {
  rt_attention_params p = one_head(1, 2, 1);
  const float q = 2, k[2] = {1, 0};
  const float w = expf(tanhf(2)) / (expf(tanhf(2)) + 1);
  float y, qk[2];
  p.softcap = 1;
  p.qk_mode = 1;
  run(&p, &q, k, values, NULL, 0, NULL, &y, qk);
  ck_assert_float_eq_tol(qk[0], tanhf(2), TOL);
  ck_assert_float_eq_tol(y, 4 * w + 8 * (1 - w), TOL);
}
END_TEST

/* nonpad_kv_seqlen 1 for two queries: the causal offset is 1 - 2 = -1, so
 * row 0 sees no key (zero) and row 1 sees key 0; key 1 is padding. */
START_TEST(attention_nonpad_negative_offset) {
  rt_attention_params p = one_head(2, 2, 1);
  const float q[2] = {1, 1};
  const int64_t nonpad = 1;
  float y[2];
  p.is_causal = 1;
  run(&p, q, keys, values, NULL, 0, &nonpad, y, NULL);
  ck_assert_float_eq(y[0], 0);
  ck_assert_float_eq_tol(y[1], 4, TOL);
  p.is_causal = 0; /* padding alone: both rows see key 0 */
  run(&p, q, keys, values, NULL, 0, &nonpad, y, NULL);
  ck_assert_float_eq_tol(y[0], 4, TOL);
}
END_TEST

/* left_window 0: a query sees no key before its own position. */
START_TEST(attention_window) {
  rt_attention_params p = one_head(2, 2, 1);
  const float q[2] = {1, 1};
  float y[2];
  p.left_window = 0;
  run(&p, q, keys, values, NULL, 0, NULL, y, NULL);
  ck_assert_float_eq_tol(y[0], 7, TOL);
  ck_assert_float_eq_tol(y[1], 8, TOL);
}
END_TEST

/* Two query heads share one key/value head, in the 3-D layout
 * [batch, seq, heads * size]: head 0 (q 1) gives 7, head 1 (q 0) weighs
 * both values equally. */
START_TEST(attention_gqa_3d) {
  rt_attention_params p = one_head(1, 2, 1);
  const float q[2] = {1, 0};
  float y[2];
  p.q_heads = 2;
  p.q_strides[0] = 2, p.q_strides[1] = 1, p.q_strides[2] = 2;
  p.y_strides[0] = 2, p.y_strides[1] = 1, p.y_strides[2] = 2;
  run(&p, q, keys, values, NULL, 0, NULL, y, NULL);
  ck_assert_float_eq_tol(y[0], 7, TOL);
  ck_assert_float_eq_tol(y[1], 6, TOL);
}
END_TEST

/* ---- the compiler's checks ---- */

/* A graph input of dtype and the given dims. */
static int add_input(ir_graph *g, const char *name, int dtype, int rank, const int64_t *dims) {
  int id = ir_value_get(g, name), d;
  ir_value *v = g->values[id];
  v->t.dtype = dtype;
  v->t.rank = rank;
  for (d = 0; d < rank; d++) v->t.dims[d] = dims[d];
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

/* Attention at opset 23 on 4-D Q [1, 2, 3, 4], K and V [1, 1, 5, 4] of
 * dtype, with a mask [3, mask_keys] of mask_dtype when mask_keys > 0 and
 * qk_matmul_output_mode `mode`; runs the pipeline, *kernel gets what the
 * node lowered to. */
static status attention_graph(int dtype, int mask_dtype, int64_t mask_keys, int64_t mode, char *kernel) {
  const int64_t q[4] = {1, 2, 3, 4}, kv[4] = {1, 1, 5, 4}, m[2] = {3, mask_keys};
  ir_graph *g = ir_new();
  ir_node *n = ir_node_add(g, "attn", "Attention", "");
  status s;
  g->opset = 23;
  n->n_in = mask_keys > 0 ? 4 : 3;
  n->in = xmalloc(sizeof(int) * 4);
  n->in[0] = add_input(g, "Q", dtype, 4, q);
  n->in[1] = add_input(g, "K", dtype, 4, kv);
  n->in[2] = add_input(g, "V", dtype, 4, kv);
  if (mask_keys > 0) n->in[3] = add_input(g, "mask", mask_dtype, 2, m);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, "Y");
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = n->out[0];
  unit_add_attr(n, "qk_matmul_output_mode", ATTR_INT, mode, 0, NULL);
  s = unit_run_pipeline(g, kernel, NULL);
  ir_free(g);
  return s;
}

START_TEST(attention_lowering_and_refusals) {
  char kernel[64];
  ck_assert_int_eq(attention_graph(DT_FLOAT, DT_FLOAT, 0, 0, kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_attention_f32");
  ck_assert_int_eq(attention_graph(DT_DOUBLE, DT_BOOL, 5, 0, kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_attention_f64_bmask");
  /* a shorter mask is padded; a longer one has keys that do not exist */
  ck_assert_int_eq(attention_graph(DT_FLOAT, DT_FLOAT, 2, 0, kernel), ST_OK);
  ck_assert_int_eq(attention_graph(DT_FLOAT, DT_FLOAT, 6, 0, kernel), ST_BAD_MODEL);
  /* half types go through float (widen_half.c): the float kernel between
   * Casts, the last one back to float16 */
  ck_assert_int_eq(attention_graph(DT_FLOAT16, DT_FLOAT16, 0, 0, kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_cast_f32_f16");
  ck_assert_int_eq(attention_graph(DT_FLOAT, DT_INT32, 5, 0, kernel), ST_UNSUPPORTED);
  ck_assert_int_eq(attention_graph(DT_FLOAT, DT_FLOAT, 0, 4, kernel), ST_BAD_MODEL);
}
END_TEST

Suite *attention_suite(void) {
  Suite *s = suite_create("attention");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, attention_softmax_weights);
  tcase_add_test(tc, attention_f64);
  tcase_add_test(tc, attention_default_scale);
  tcase_add_test(tc, attention_causal);
  tcase_add_test(tc, attention_past_and_present);
  tcase_add_test(tc, attention_fully_masked_row);
  tcase_add_test(tc, attention_short_mask_padded);
  tcase_add_test(tc, attention_softcap);
  tcase_add_test(tc, attention_nonpad_negative_offset);
  tcase_add_test(tc, attention_window);
  tcase_add_test(tc, attention_gqa_3d);
  suite_add_tcase(s, tc);
  tc = tcase_create("compiler");
  tcase_add_test(tc, attention_lowering_and_refusals);
  suite_add_tcase(s, tc);
  return s;
}
