/* legalize: Pow(x, 2) with a constant exponent of one element becomes
 * Mul(x, x) (float or double base; a float or integer exponent); any
 * other exponent, one that is not a constant, or one of several elements
 * leaves the Pow (and its powf kernel) alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t X_DIMS[2] = {2, 3}, THREE[1] = {3};

/* y = Pow(x [2,3], e), e of e_rank (dims e_dims), a constant (every
 * element `value`) when e_const; e of type e_dtype (float or int64). */
static ir_graph *pow_graph(int e_rank, const int64_t *e_dims, int e_const, int e_dtype, double value) {
  ir_graph *g = ir_new();
  int e;
  g->opset = 13;
  unit_value(g, "x", 2, X_DIMS, 0);
  e = unit_value(g, "e", e_rank, e_dims, e_const);
  if (e_const) {
    ir_tensor *t = &g->values[e]->t;
    const int64_t n = tensor_numel(t);
    int64_t i;
    if (e_dtype == DT_INT64) {
      free(t->data);
      t->dtype = DT_INT64;
      t->data = xmalloc(sizeof(int64_t) * (size_t)n);
      for (i = 0; i < n; i++) ((int64_t *)t->data)[i] = (int64_t)value;
    } else {
      for (i = 0; i < n; i++) ((float *)t->data)[i] = (float)value;
    }
  }
  unit_node(g, "Pow", "y", 2, "x", "e");
  unit_output(g, "y");
  return g;
}

/* The kernel the pipeline picks for the graph (which it frees). */
static void check_kernel(ir_graph *g, const char *want) {
  char kernel[64];
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_str_eq(kernel, want);
  ir_free(g);
}

START_TEST(pow_two_becomes_mul) {
  static const int64_t ONE[1] = {1};
  const ir_node *n;
  ir_graph *g = pow_graph(0, NULL, 1, DT_FLOAT, 2.0);
  char kernel[64];
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  ck_assert_str_eq(kernel, "rt_mul_f32");
  n = g->nodes[g->n_nodes - 1];
  ck_assert_int_eq(n->op, OP_Mul);
  ck_assert_int_eq(n->in[0], n->in[1]); /* x * x */
  ck_assert_str_eq(g->values[n->in[0]]->name, "x");
  ir_free(g);
  check_kernel(pow_graph(0, NULL, 1, DT_INT64, 2.0), "rt_mul_f32"); /* no Cast of the exponent either */
  check_kernel(pow_graph(1, ONE, 1, DT_FLOAT, 2.0), "rt_mul_f32");  /* [1]: still x's shape */
}
END_TEST

START_TEST(pow_other_exponents_stay) {
  check_kernel(pow_graph(0, NULL, 1, DT_FLOAT, 3.0), "rt_pow_f32");
  check_kernel(pow_graph(0, NULL, 1, DT_FLOAT, 0.5), "rt_pow_f32");
  check_kernel(pow_graph(1, THREE, 1, DT_FLOAT, 2.0), "rt_pow_f32"); /* three elements */
  check_kernel(pow_graph(0, NULL, 0, DT_FLOAT, 2.0), "rt_pow_f32"); /* an input */
}
END_TEST

Suite *pow_square_suite(void) {
  Suite *s = suite_create("pow_square");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, pow_two_becomes_mul);
  tcase_add_test(tc, pow_other_exponents_stay);
  suite_add_tcase(s, tc);
  return s;
}
