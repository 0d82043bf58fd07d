/* transpose: inverse Transpose pairs vanish, other pairs compose into
 * one, a Transpose moves past a unary op or a Mul by a scalar to meet its
 * inverse, and rank-2
 * Transposes fold into Gemm's flags (a MatMul becoming a Gemm); left
 * alone: a Transpose with a second reader, a rank-3 MatMul, a swap that
 * is not of the last two axes of a matrix. Then a chain of 10^5 Relu /
 * Transpose nodes, which a quadratic pass would not finish. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t X_DIMS[3] = {2, 3, 4}, SWAP12[3] = {0, 2, 1}, ROT[3] = {1, 2, 0};

/* The pass, then dce for the Transposes it leaves without readers. */
static status transpose_then_dce(ir_graph *g) {
  status s = pass_transpose(g);
  return s ? s : pass_dce(g);
}

static ir_node *transpose(ir_graph *g, const char *out, const char *in, const int64_t *perm, int rank) {
  ir_node *n = unit_node(g, "Transpose", out, 1, in);
  rw_set_ints(n, "perm", perm, rank);
  return n;
}

/* x [2,3,4] -> Relu -> "r" (so the result is no graph input) */
static ir_graph *relu_input(void) {
  ir_graph *g = ir_new();
  g->opset = 13;
  unit_value(g, "x", 3, X_DIMS, 0);
  unit_node(g, "Relu", "r", 1, "x");
  return g;
}

START_TEST(inverse_pair_vanishes) {
  ir_graph *g = relu_input();
  transpose(g, "t1", "r", SWAP12, 3);
  transpose(g, "y", "t1", SWAP12, 3);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Transpose", "Relu");
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "y");
  ir_free(g);
}
END_TEST

START_TEST(pair_composes) {
  ir_graph *g = relu_input();
  const int64_t *p;
  transpose(g, "t1", "r", ROT, 3);
  transpose(g, "y", "t1", ROT, 3);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Transpose", "Relu,Transpose");
  ck_assert_int_eq(attr_ints(g->nodes[1], "perm", &p), 3);
  ck_assert(p[0] == 2 && p[1] == 0 && p[2] == 1);
  ck_assert_int_eq(g->values[g->nodes[1]->out[0]]->t.dims[0], 4);
  ir_free(g);
}
END_TEST

/* Transpose -> Sigmoid -> inverse Transpose: the Sigmoid runs first and
 * the two Transposes meet. */
START_TEST(push_through_unary) {
  ir_graph *g = relu_input();
  transpose(g, "t1", "r", SWAP12, 3);
  unit_node(g, "Sigmoid", "s", 1, "t1");
  transpose(g, "y", "s", SWAP12, 3);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Sigmoid,Transpose", "Relu,Sigmoid");
  ck_assert_str_eq(g->values[g->nodes[1]->out[0]]->name, "y");
  ck_assert_int_eq(g->values[g->nodes[1]->in[0]]->producer, 0);
  ir_free(g);
}
END_TEST

/* A Mul by one element (attention's scale) moves the same way; a Mul by
 * a vector, which broadcasts along one axis, does not. */
START_TEST(push_through_scale) {
  const int64_t one[1] = {1}, three[1] = {3};
  ir_graph *g = relu_input();
  unit_value(g, "scale", 1, one, 1);
  transpose(g, "t1", "r", SWAP12, 3);
  unit_node(g, "Mul", "s", 2, "scale", "t1");
  transpose(g, "y", "s", SWAP12, 3);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Mul,Transpose", "Relu,Mul");
  ir_free(g);
  g = relu_input();
  unit_value(g, "scale", 1, three, 1);
  transpose(g, "t1", "r", SWAP12, 3);
  unit_node(g, "Mul", "s", 2, "t1", "scale");
  transpose(g, "y", "s", SWAP12, 3);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Mul,Transpose", "Relu,Transpose,Mul,Transpose");
  ir_free(g);
}
END_TEST

START_TEST(into_gemm_flags) {
  const int64_t a_dims[2] = {4, 3}, b_dims[2] = {4, 5}, swap[2] = {1, 0};
  ir_graph *g = ir_new();
  g->opset = 13;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, 0);
  transpose(g, "at", "a", swap, 2);
  unit_node(g, "MatMul", "y", 2, "at", "b");
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Transpose,MatMul", "Gemm");
  ck_assert_int_eq(attr_int(g->nodes[0], "transA", 0), 1);
  ck_assert_int_eq(attr_int(g->nodes[0], "transB", 0), 0);
  ck_assert_str_eq(g->values[g->nodes[0]->in[0]]->name, "a");
  ir_free(g);
  /* a Gemm that had transB: B read through a Transpose clears it */
  g = ir_new();
  g->opset = 13;
  unit_value(g, "a", 2, a_dims, 0);
  unit_value(g, "b", 2, b_dims, 0);
  transpose(g, "bt", "b", swap, 2);
  unit_add_attr(unit_node(g, "Gemm", "y", 2, "a", "bt"), "transB", ATTR_INT, 1, 0, NULL);
  unit_add_attr(g->nodes[1], "transA", ATTR_INT, 1, 0, NULL);
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Transpose,Gemm", "Gemm");
  ck_assert_int_eq(attr_int(g->nodes[0], "transB", 1), 0);
  ir_free(g);
}
END_TEST

START_TEST(transpose_left_alone) {
  const int64_t m_dims[3] = {2, 4, 3}, b_dims[3] = {2, 4, 5};
  ir_graph *g = relu_input();
  /* the Transpose is also read by a graph output: the Relu stays after it */
  transpose(g, "t1", "r", SWAP12, 3);
  unit_node(g, "Tanh", "y", 1, "t1");
  unit_output(g, "y");
  unit_output(g, "t1");
  unit_check_pass(g, transpose_then_dce, "Relu,Transpose,Tanh", "Relu,Transpose,Tanh");
  ir_free(g);
  /* a batched MatMul is no Gemm */
  g = ir_new();
  g->opset = 13;
  unit_value(g, "a", 3, m_dims, 0);
  unit_value(g, "b", 3, b_dims, 0);
  transpose(g, "at", "a", SWAP12, 3);
  unit_node(g, "MatMul", "y", 2, "at", "b");
  unit_output(g, "y");
  unit_check_pass(g, transpose_then_dce, "Transpose,MatMul", "Transpose,MatMul");
  ir_free(g);
}
END_TEST

/* 50000 (Transpose, Relu) pairs: each Relu whose Transpose is pushed
 * past it lets that Transpose meet the next one, and they cancel; the
 * 50001 Relus are left. Quick only if the pass is linear. */
START_TEST(long_chain_is_linear) {
  ir_graph *g = relu_input();
  char a[32], b[32];
  int i;
  snprintf(a, sizeof a, "r");
  for (i = 0; i < 50000; i++) {
    snprintf(b, sizeof b, "t%d", i);
    transpose(g, b, a, SWAP12, 3);
    snprintf(a, sizeof a, "u%d", i);
    unit_node(g, "Relu", a, 1, b);
  }
  unit_output(g, a);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(transpose_then_dce(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "transpose", 1), ST_OK);
  ck_assert_int_eq(g->n_nodes, 50001);
  ir_free(g);
}
END_TEST

Suite *transpose_suite(void) {
  Suite *s = suite_create("transpose");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, inverse_pair_vanishes);
  tcase_add_test(tc, pair_composes);
  tcase_add_test(tc, push_through_unary);
  tcase_add_test(tc, push_through_scale);
  tcase_add_test(tc, into_gemm_flags);
  tcase_add_test(tc, transpose_left_alone);
  tcase_add_test(tc, long_chain_is_linear);
  suite_add_tcase(s, tc);
  return s;
}
