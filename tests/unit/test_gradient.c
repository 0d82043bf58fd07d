/* Gradient (ai.onnx.preview.training): the nodes its expansion leaves
 * (after the gradient and infer passes, on graph inputs) and the numbers
 * the whole pipeline gives (on constants, where every node folds and runs
 * the runtime's kernels), on hand-derived cases. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

/* A float value of shape dims (rank values): a constant holding `data`,
 * or a graph input when data is NULL. */
static int add_value(ir_graph *g, const char *name, int rank, const int64_t *dims, const float *data) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = rank;
  if (rank) memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank);
  if (data) {
    v->t.data = xmalloc(tensor_bytes(&v->t) + 4);
    memcpy(v->t.data, data, tensor_bytes(&v->t));
    return id;
  }
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

static void add_output(ir_graph *g, int v) {
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = v;
}

/* A node of the default domain: y = op(a[, b]). */
static ir_node *add_node(ir_graph *g, const char *op, int a, int b, const char *y) {
  ir_node *n = ir_node_add(g, y, op, "");
  n->n_in = b >= 0 ? 2 : 1;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = a;
  n->in[1] = b;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, y);
  return n;
}

/* Gradient(xs; y) with outputs "<prefix><x>", which become graph outputs. */
static void add_gradient_named(ir_graph *g, int n_xs, const char *const *xs, const char *y, const char *prefix) {
  ir_node *n = ir_node_add(g, "grad", "Gradient", "ai.onnx.preview.training");
  ir_attr *a;
  int k;
  unit_add_attr(n, "y", ATTR_STRING, 0, 0, y);
  a = unit_new_attr(n, "xs", ATTR_STRINGS); /* after: adding one moves the others */
  a->n = n_xs;
  a->strings = xmalloc(sizeof(char *) * (size_t)n_xs);
  n->n_in = n->n_out = n_xs;
  n->in = xmalloc(sizeof(int) * (size_t)n_xs);
  n->out = xmalloc(sizeof(int) * (size_t)n_xs);
  for (k = 0; k < n_xs; k++) {
    char name[32];
    a->strings[k] = xstrdup(xs[k]);
    n->in[k] = ir_find(g, xs[k]);
    snprintf(name, sizeof name, "%s%s", prefix, xs[k]);
    n->out[k] = ir_value_get(g, name);
    add_output(g, n->out[k]);
  }
}

static void add_gradient(ir_graph *g, int n_xs, const char *const *xs, const char *y) {
  add_gradient_named(g, n_xs, xs, y, "d");
}

static ir_graph *new_graph(int64_t opset) {
  ir_graph *g = ir_new();
  g->opset = opset;
  g->opset_training = 1;
  return g;
}

/* Sorts g, runs the gradient and infer passes and writes the op types of
 * the nodes left, space-separated, into ops. */
static status expand(ir_graph *g, char *ops, size_t size) {
  status s = ir_toposort(g);
  int i;
  if (!s) s = pass_gradient(g);
  if (!s) s = pass_infer(g);
  ops[0] = 0;
  for (i = 0; !s && i < g->n_nodes; i++)
    snprintf(ops + strlen(ops), size - strlen(ops), "%s%s", i ? " " : "", g->nodes[i]->op_type);
  return s;
}

/* Graph output `name` must be a constant holding `want` (n values). */
static void check_output(const ir_graph *g, const char *name, int n, const float *want) {
  const ir_value *v = g->values[ir_find(g, name)];
  int k;
  ck_assert_msg(v->t.data != NULL, "%s is not a constant", name);
  ck_assert_int_eq(tensor_numel(&v->t), n);
  for (k = 0; k < n; k++)
    ck_assert_msg(fabs(((const float *)v->t.data)[k] - want[k]) < 1e-5, "%s[%d] is %g, not %g", name, k,
                  ((const float *)v->t.data)[k], want[k]);
}

static status run(ir_graph *g) {
  char kernel[64];
  return unit_run_pipeline(g, kernel, NULL);
}

START_TEST(broadcast_add) {
  /* c = a[2,3] + b[3]: dc/da is 1 everywhere, dc/db sums the 2 rows: 2.
   * Both are constants of the seed, so they fold even when a and b are
   * inputs; opset 12 takes ReduceSum's axes as an attribute, 13 as input. */
  static const int64_t ad[2] = {2, 3}, bd[1] = {3};
  static const char *const xs[2] = {"a", "b"};
  static const float ones[6] = {1, 1, 1, 1, 1, 1}, twos[3] = {2, 2, 2};
  int64_t opset;
  for (opset = 12; opset <= 13; opset++) {
    ir_graph *g = new_graph(opset);
    char ops[256];
    add_node(g, "Add", add_value(g, "a", 2, ad, NULL), add_value(g, "b", 1, bd, NULL), "c");
    add_output(g, ir_find(g, "c"));
    add_gradient(g, 2, xs, "c");
    ck_assert_int_eq(expand(g, ops, sizeof ops), ST_OK);
    ck_assert_str_eq(ops, "Add");
    check_output(g, "da", 6, ones);
    check_output(g, "db", 3, twos);
    ir_free(g);
  }
}
END_TEST

/* y = (x * x) * w over [3]. */
static ir_graph *mul_chain(const float *x, const float *w) {
  static const int64_t d[1] = {3};
  static const char *const xs[2] = {"x", "w"};
  ir_graph *g = new_graph(17);
  int xv = add_value(g, "x", 1, d, x), wv = add_value(g, "w", 1, d, w);
  ir_node *grad;
  add_node(g, "Mul", ir_value_get(g, "t"), wv, "y");
  add_node(g, "Mul", xv, xv, "t");
  add_output(g, ir_find(g, "y"));
  add_gradient(g, 2, xs, "y");
  /* listed first, before the nodes it differentiates (nothing it reads
   * says it must come after them): the gradient pass orders it */
  grad = g->nodes[2];
  memmove(g->nodes + 1, g->nodes, sizeof(ir_node *) * 2);
  g->nodes[0] = grad;
  return g;
}

START_TEST(mul_chain_ops_and_numbers) {
  /* dy/dw = x^2; dy/dx = w * x + w * x (x read twice: the two summed) */
  static const float x[3] = {1, 2, 3}, w[3] = {4, 5, 6}, dx[3] = {8, 20, 36}, dw[3] = {1, 4, 9};
  ir_graph *g = mul_chain(NULL, NULL);
  char ops[256];
  ck_assert_int_eq(expand(g, ops, sizeof ops), ST_OK);
  ck_assert_str_eq(ops, "Mul Mul Mul Mul Mul Mul Add Identity Identity");
  ir_free(g);
  g = mul_chain(x, w);
  ck_assert_int_eq(run(g), ST_OK);
  check_output(g, "dx", 3, dx);
  check_output(g, "dw", 3, dw);
  ir_free(g);
}
END_TEST

/* y = A[2,3] @ B[3,2]. */
static ir_graph *matmul(const float *a, const float *b) {
  static const int64_t ad[2] = {2, 3}, bd[2] = {3, 2};
  static const char *const xs[2] = {"A", "B"};
  ir_graph *g = new_graph(17);
  add_node(g, "MatMul", add_value(g, "A", 2, ad, a), add_value(g, "B", 2, bd, b), "y");
  add_output(g, ir_find(g, "y"));
  add_gradient(g, 2, xs, "y");
  return g;
}

START_TEST(matmul_ops_and_numbers) {
  /* with dy all ones: dA[i][k] = sum_j B[k][j], dB[k][j] = sum_i A[i][k] */
  static const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, -1, 2, 0.5f, -3, 4};
  static const float da[6] = {0, 2.5f, 1, 0, 2.5f, 1}, db[6] = {5, 5, 7, 7, 9, 9};
  ir_graph *g = matmul(NULL, NULL);
  char ops[256];
  ck_assert_int_eq(expand(g, ops, sizeof ops), ST_OK);
  ck_assert_str_eq(ops, "MatMul Transpose MatMul Transpose MatMul Identity Identity");
  ir_free(g);
  g = matmul(a, b);
  ck_assert_int_eq(run(g), ST_OK);
  check_output(g, "dA", 6, da);
  check_output(g, "dB", 6, db);
  ir_free(g);
}
END_TEST

START_TEST(shared_value_and_unreachable_x) {
  /* y = Exp(x) + Neg(x): x feeds two nodes, dy/dx = exp(x) - 1; y does
   * not depend on u, whose gradient is zeros of its shape */
  static const int64_t d[1] = {2}, ud[2] = {1, 2};
  static const float x[2] = {0, 1}, u[2] = {5, 6}, dx[2] = {0, 1.718281828f}, zero[2] = {0, 0};
  static const char *const xs[2] = {"x", "u"};
  ir_graph *g = new_graph(17);
  int xv = add_value(g, "x", 1, d, x);
  add_value(g, "u", 2, ud, u);
  add_node(g, "Add", add_node(g, "Exp", xv, -1, "e")->out[0], add_node(g, "Neg", xv, -1, "m")->out[0], "y");
  add_output(g, ir_find(g, "y"));
  add_gradient(g, 2, xs, "y");
  ck_assert_int_eq(run(g), ST_OK);
  check_output(g, "dx", 2, dx);
  check_output(g, "du", 2, zero);
  ir_free(g);
}
END_TEST

START_TEST(second_order) {
  /* y = x * x; dx = dy/dx = 2x (through the first Gradient's nodes);
   * ddx = d(sum dx)/dx = 2. x is an input: the second expansion folds
   * nodes next to the first one's, which must keep their constants. */
  static const int64_t d[1] = {2};
  static const char *const xs[1] = {"x"};
  static const float twos[2] = {2, 2};
  ir_graph *g = new_graph(17);
  int xv = add_value(g, "x", 1, d, NULL);
  add_node(g, "Mul", xv, xv, "y");
  add_gradient(g, 1, xs, "y");
  add_gradient_named(g, 1, xs, "dx", "dd");
  ck_assert_int_eq(run(g), ST_OK);
  check_output(g, "ddx", 2, twos);
  ir_free(g);
}
END_TEST

START_TEST(unknown_derivative_refused) {
  /* Sin has no rule: the Gradient node is refused, not left to give a
   * wrong result */
  static const int64_t d[1] = {2};
  static const char *const xs[1] = {"x"};
  ir_graph *g = new_graph(17);
  add_node(g, "Sin", add_value(g, "x", 1, d, NULL), -1, "y");
  add_output(g, ir_find(g, "y"));
  add_gradient(g, 1, xs, "y");
  ck_assert_int_eq(run(g), ST_UNSUPPORTED);
  ir_free(g);
}
END_TEST

Suite *gradient_suite(void) {
  Suite *s = suite_create("gradient");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, broadcast_add);
  tcase_add_test(tc, mul_chain_ops_and_numbers);
  tcase_add_test(tc, matmul_ops_and_numbers);
  tcase_add_test(tc, shared_value_and_unreachable_x);
  tcase_add_test(tc, second_order);
  tcase_add_test(tc, unknown_derivative_refused);
  suite_add_tcase(s, tc);
  return s;
}
