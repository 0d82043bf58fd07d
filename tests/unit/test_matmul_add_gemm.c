/* matmul-add-gemm: MatMul by a constant matrix then Add of a constant
 * bias becomes one Gemm (either operand order of the Add, a [N] or
 * [M, N] bias), and fuse-epilogue still folds the activation after it;
 * with a rank-3 A and a bias row the MatMul takes the bias (input 2,
 * onnxcc.bias) and runs the Gemm kernel, whose result is checked; left
 * alone: a B that is not constant, a bias that is not, a bias that widens
 * the sum, a product read twice, a rank-3 A with a bias that is not one
 * row. Also which kernel a one-row product runs, by whether B is
 * constant. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t A_DIMS[2] = {3, 4}, B_DIMS[2] = {4, 5}, N_DIMS[1] = {5}, MN_DIMS[2] = {3, 5};

/* a [3,4] @ b [4,5] -> "m"; Add(m, bias) or Add(bias, m) -> "y" */
static ir_graph *linear(int b_const, int bias_rank, const int64_t *bias_dims, int bias_const, int bias_first) {
  ir_graph *g = ir_new();
  g->opset = 13;
  unit_value(g, "a", 2, A_DIMS, 0);
  unit_value(g, "b", 2, B_DIMS, b_const);
  unit_value(g, "bias", bias_rank, bias_dims, bias_const);
  unit_node(g, "MatMul", "m", 2, "a", "b");
  if (bias_first) unit_node(g, "Add", "y", 2, "bias", "m");
  else unit_node(g, "Add", "y", 2, "m", "bias");
  unit_output(g, "y");
  return g;
}

START_TEST(matmul_add_becomes_gemm) {
  ir_graph *g = linear(1, 1, N_DIMS, 1, 0);
  const ir_node *n;
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "Gemm");
  n = g->nodes[0];
  ck_assert_int_eq(n->n_in, 3);
  ck_assert_str_eq(g->values[n->in[2]]->name, "bias");
  ck_assert_str_eq(g->values[n->out[0]]->name, "y");
  ir_free(g);
  g = linear(1, 2, MN_DIMS, 1, 1);
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "Gemm");
  ir_free(g);
}
END_TEST

/* The Gemm still takes the activation after it as its epilogue. */
START_TEST(gemm_keeps_epilogue) {
  ir_graph *g = linear(1, 1, N_DIMS, 1, 0);
  char kernel[64];
  g->outputs[0] = ir_value_get(g, "r");
  unit_node(g, "Relu", "r", 1, "y");
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_int_eq(g->n_nodes, 1);
  ck_assert_str_eq(g->nodes[0]->op_type, "Gemm");
  ck_assert_int_eq(attr_int(g->nodes[0], "onnxcc.act", 0), RT_ACT_RELU);
  ir_free(g);
}
END_TEST

START_TEST(matmul_add_left_alone) {
  const int64_t wide[3] = {2, 3, 5}, a3[3] = {2, 3, 4};
  ir_graph *g = linear(0, 1, N_DIMS, 1, 0); /* B is an input */
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "MatMul,Add");
  ir_free(g);
  g = linear(1, 1, N_DIMS, 0, 0); /* the bias is an input */
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "MatMul,Add");
  ir_free(g);
  g = linear(1, 3, wide, 1, 0); /* the sum is [2,3,5], not the product's [3,5] */
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "MatMul,Add");
  ir_free(g);
  g = linear(1, 1, N_DIMS, 1, 0); /* the product is also an output */
  unit_output(g, "m");
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "MatMul,Add");
  ir_free(g);
  g = linear(1, 2, MN_DIMS, 1, 0); /* A of rank 3, a [3,5] bias: not one row */
  g->values[ir_find(g, "a")]->t.rank = 3;
  memcpy(g->values[ir_find(g, "a")]->t.dims, a3, sizeof a3);
  unit_check_pass(g, pass_matmul_add_gemm, "MatMul,Add", "MatMul,Add");
  ir_free(g);
}
END_TEST

/* a [2,3,4] @ b [4,5] + bias (bias_rank 1: [5]; 2: [1,5]), then Relu when
 * relu is set: the MatMul takes the bias and the activation, and the
 * kernel it lowers to gives the sum of products plus the bias. */
static void check_rank3(int bias_rank, int relu) {
  static const int64_t a3[3] = {2, 3, 4}, row[2] = {1, 5};
  ir_graph *g = linear(1, bias_rank, bias_rank == 1 ? N_DIMS : row, 1, 0);
  const struct lowered *low;
  const rt_gemm_params *p;
  const ir_node *n;
  const float *b, *bias;
  float a[24], y[30];
  char kernel[64];
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0}, *scratch;
  int64_t i, j, k;
  g->values[ir_find(g, "a")]->t.rank = 3;
  memcpy(g->values[ir_find(g, "a")]->t.dims, a3, sizeof a3);
  if (relu) {
    g->outputs[0] = ir_value_get(g, "r");
    unit_node(g, "Relu", "r", 1, "y");
  }
  ck_assert_int_eq(unit_run_pipeline(g, kernel, &low), ST_OK);
  ck_assert_int_eq(g->n_nodes, 1);
  n = g->nodes[0];
  ck_assert_str_eq(n->op_type, "MatMul");
  ck_assert_int_eq(attr_int(n, "onnxcc.bias", 0), 1);
  ck_assert_int_eq(n->n_in, 3);
  ck_assert_str_eq(g->values[n->in[2]]->name, "bias");
  ck_assert_str_eq(kernel, "rt_gemm_f32_packed");
  p = low->params;
  ck_assert(p->M == 6 && p->N == 5 && p->K == 4 && !p->trans_a && !p->trans_b);
  ck_assert(p->has_c && p->c_rs == 0 && p->c_cs == 1 && p->alpha == 1.0f && p->beta == 1.0f);
  ck_assert_int_eq(p->act, relu ? RT_ACT_RELU : RT_ACT_NONE);
  /* run it: A is an input, filled here; B and the bias are the graph's */
  for (i = 0; i < 24; i++) a[i] = (float)((i * 5) % 7) / 4.0f - 0.7f;
  b = (const float *)g->values[ir_find(g, "b")]->t.data;
  bias = (const float *)g->values[n->in[2]]->t.data;
  scratch = malloc(low->scratch_bytes);
  in[0] = a, in[1] = g->values[n->in[1]]->t.data, in[2] = bias;
  out[0] = y;
  rt_gemm_f32_packed(p, in, out, scratch);
  for (i = 0; i < 6; i++)
    for (j = 0; j < 5; j++) {
      double want = bias[j];
      for (k = 0; k < 4; k++) want += (double)a[i * 4 + k] * b[k * 5 + j];
      if (relu && want < 0) want = 0;
      ck_assert_msg(fabs(y[i * 5 + j] - want) <= 1e-5 * (1 + fabs(want)), "y[%lld,%lld] = %g, want %g",
                    (long long)i, (long long)j, (double)y[i * 5 + j], want);
    }
  free(scratch);
  ir_free(g);
}

START_TEST(rank3_matmul_takes_bias) {
  check_rank3(1, 0);
  check_rank3(2, 1);
}
END_TEST

/* One row of A (a batch-1 Linear layer): a constant B goes into the blob
 * in the panels, which the _gemv_packed variants read as one stream per
 * panel; a B that is an input keeps the gemv variant, which reads it as
 * it is. */
START_TEST(one_row_kernels) {
  static const int64_t a_dims[2] = {1, 300}, bt_dims[2] = {200, 300}, c_dims[1] = {200};
  int b_const;
  for (b_const = 0; b_const < 2; b_const++) {
    ir_graph *g = ir_new();
    ir_node *n;
    char kernel[64];
    const ir_value *b;
    g->opset = 13;
    unit_value(g, "a", 2, a_dims, 0);
    unit_value(g, "b", 2, bt_dims, b_const);
    unit_value(g, "c", 1, c_dims, 1);
    n = unit_node(g, "Gemm", "y", 3, "a", "b", "c");
    unit_add_attr(n, "transB", ATTR_INT, 1, 0, NULL);
    unit_output(g, "y");
    ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
    ck_assert_str_eq(kernel, b_const ? "rt_gemm_f32_gemv_packed" : "rt_gemm_f32_gemv");
    b = g->values[g->nodes[0]->in[1]];
    if (b_const) ck_assert_int_eq(tensor_numel(&b->t), rt_gemm_f32_packed_floats(300, 200));
    else ck_assert_str_eq(b->name, "b");
    ir_free(g);
  }
  {
    static const int64_t a1[2] = {1, 4};
    ir_graph *g = ir_new();
    char kernel[64];
    g->opset = 13;
    unit_value(g, "a", 2, a1, 0);
    unit_value(g, "b", 2, B_DIMS, 1);
    unit_node(g, "MatMul", "y", 2, "a", "b");
    unit_output(g, "y");
    ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
    ck_assert_str_eq(kernel, "rt_matmul_f32_gemv_packed");
    ck_assert_int_eq(tensor_numel(&g->values[g->nodes[0]->in[1]]->t), rt_gemm_f32_packed_floats(4, 5));
    ir_free(g);
  }
}
END_TEST

Suite *matmul_add_gemm_suite(void) {
  Suite *s = suite_create("matmul_add_gemm");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, matmul_add_becomes_gemm);
  tcase_add_test(tc, gemm_keeps_epilogue);
  tcase_add_test(tc, matmul_add_left_alone);
  tcase_add_test(tc, rank3_matmul_takes_bias);
  tcase_add_test(tc, one_row_kernels);
  suite_add_tcase(s, tc);
  return s;
}
