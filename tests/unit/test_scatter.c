/* ScatterElements, ScatterND and GatherND kernels on small hand-computed
 * cases, out-of-range indices included; Scatter (opsets 9 and 10) through
 * the compiler. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

START_TEST(scatter_elements_axis1) {
  /* data 2x3 zeros, axis 1, indices [[1, -1], [0, 2]], updates
   * [[1, 2], [3, 4]]: y = [[0, 1, 2], [3, 0, 4]]. */
  const float x[6] = {0};
  const int64_t idx[4] = {1, -1, 0, 2};
  const float upd[4] = {1, 2, 3, 4};
  const float want[6] = {0, 1, 2, 3, 0, 4};
  float y[6];
  rt_scatter_elements_params p;
  const void *in[3] = {x, idx, upd};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.rank = 2, p.axis = 1, p.axis_dim = 3, p.numel = 6;
  p.dims[0] = 2, p.dims[1] = 2, p.strides[0] = 3, p.strides[1] = 1;
  rt_scatter_elements_none_i64idx_32bit(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(scatter_elements_reductions) {
  /* data [1, 2, 3] int32, indices [0, 0, 2, 5] (5 is out of range and
   * skipped), updates [10, 20, 30, 40]: add [31, 2, 33], mul [200, 2, 90],
   * max [20, 2, 30], min [1, 2, 3]. */
  const int32_t x[3] = {1, 2, 3};
  const int32_t idx[4] = {0, 0, 2, 5};
  const int32_t upd[4] = {10, 20, 30, 40};
  int32_t y[3];
  rt_scatter_elements_params p;
  const void *in[3] = {x, idx, upd};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.rank = 1, p.axis = 0, p.axis_dim = 3, p.numel = 3, p.dims[0] = 4, p.strides[0] = 1;
  rt_scatter_elements_add_i32idx_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 31); ck_assert_int_eq(y[1], 2); ck_assert_int_eq(y[2], 33);
  rt_scatter_elements_mul_i32idx_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 200); ck_assert_int_eq(y[1], 2); ck_assert_int_eq(y[2], 90);
  rt_scatter_elements_max_i32idx_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 20); ck_assert_int_eq(y[1], 2); ck_assert_int_eq(y[2], 30);
  rt_scatter_elements_min_i32idx_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 1); ck_assert_int_eq(y[1], 2); ck_assert_int_eq(y[2], 3);
}
END_TEST

START_TEST(scatternd_slices) {
  /* data 3x2 of 1..6, indices [[2], [0], [-4]] (k = 1; -4 is out of
   * range and skipped), updates [[7, 8], [9, 10], [11, 12]]: replace gives
   * [[9, 10], [3, 4], [7, 8]]; add in place over the data gives
   * [[10, 12], [3, 4], [12, 14]]. */
  double x[6] = {1, 2, 3, 4, 5, 6};
  const int64_t idx[3] = {2, 0, -4};
  const double upd[6] = {7, 8, 9, 10, 11, 12};
  const double want_r[6] = {9, 10, 3, 4, 7, 8}, want_a[6] = {10, 12, 3, 4, 12, 14};
  double y[6];
  rt_scatternd_params p;
  const void *in[3] = {x, idx, upd};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.k = 1, p.n_idx = 3, p.slice = 2, p.numel = 6, p.esize = 8, p.dims[0] = 3, p.strides[0] = 2;
  rt_scatternd_none_i64idx(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_double_eq(y[i], want_r[i]);
  out[0] = x;
  rt_scatternd_add_i64idx_f64(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_double_eq(x[i], want_a[i]);
}
END_TEST

START_TEST(scatternd_elements_min) {
  /* data 2x2 int64 [[5, 6], [7, 8]], indices [[1, 1], [0, -1], [1, 1]]
   * (k = 2, single elements), updates [3, 9, 1]: min gives [[5, 6], [7, 1]]. */
  const int64_t x[4] = {5, 6, 7, 8};
  const int32_t idx[6] = {1, 1, 0, -1, 1, 1};
  const int64_t upd[3] = {3, 9, 1};
  int64_t y[4];
  rt_scatternd_params p;
  const void *in[3] = {x, idx, upd};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.k = 2, p.n_idx = 3, p.slice = 1, p.numel = 4, p.esize = 8;
  p.dims[0] = 2, p.dims[1] = 2, p.strides[0] = 2, p.strides[1] = 1;
  rt_scatternd_min_i32idx_i64(&p, in, out, NULL);
  ck_assert_int_eq(y[0], 5); ck_assert_int_eq(y[1], 6); ck_assert_int_eq(y[2], 7); ck_assert_int_eq(y[3], 1);
}
END_TEST

START_TEST(gathernd_batch_dims) {
  /* data 2x2x2 int16 of 0..7, batch_dims 1, indices [[[1]], [[0]], ...]:
   * shape [2, 2, 1] = [[[1], [3]], [[0], [-1]]] with 3 out of range: batch
   * 0 gives rows [2, 3] and zeros; batch 1 gives [4, 5] and [6, 7]. */
  const int16_t x[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  const int64_t idx[4] = {1, 3, 0, -1};
  const int16_t want[8] = {2, 3, 0, 0, 4, 5, 6, 7};
  int16_t y[8];
  rt_gathernd_params p;
  const void *in[2] = {x, idx};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.k = 1, p.batch = 2, p.n_idx = 2, p.batch_bytes = 8, p.slice_bytes = 4, p.dims[0] = 2, p.strides[0] = 4;
  rt_gathernd_i64idx(&p, in, out, NULL);
  for (i = 0; i < 8; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

/* A [1, n] value of dtype: constant with `data` (n elements), else a
 * graph input. */
static int add_row(ir_graph *g, const char *name, int dtype, int64_t n, const void *data) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = dtype;
  v->t.rank = 2;
  v->t.dims[0] = 1, v->t.dims[1] = n;
  if (data) {
    v->t.data = xmalloc((size_t)n * dtype_size(dtype));
    memcpy(v->t.data, data, (size_t)n * dtype_size(dtype));
  } else {
    v->graph_input = g->n_inputs;
    g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    g->inputs[g->n_inputs++] = id;
  }
  return id;
}

/* Scatter(data [1, 5], indices [[1, -2]] int32, updates [[1.5, 2.5]],
 * axis 1) at `opset`; data is constant when `fold`. Returns the
 * pipeline's status; *kernel gets the kernel of the lowered node, y the
 * folded output. */
static status scatter_graph(int64_t opset, int fold, char *kernel, float *y) {
  const float data[5] = {1, 2, 3, 4, 5}, upd[2] = {1.5f, 2.5f};
  const int32_t idx[2] = {1, -2};
  ir_graph *g = ir_new();
  ir_node *n;
  ir_attr *a;
  status s;
  g->opset = opset;
  n = ir_node_add(g, "scatter", "Scatter", "");
  n->n_in = 3;
  n->in = xmalloc(sizeof(int) * 3);
  n->in[0] = add_row(g, "data", DT_FLOAT, 5, fold ? data : NULL);
  n->in[1] = add_row(g, "indices", DT_INT32, 2, idx);
  n->in[2] = add_row(g, "updates", DT_FLOAT, 2, upd);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, "y");
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = n->out[0];
  n->attr = a = xcalloc(1, sizeof(ir_attr));
  n->n_attr = 1;
  a->name = xstrdup("axis");
  a->type = ATTR_INT;
  a->i = 1;
  s = unit_run_pipeline(g, kernel, NULL);
  if (!s && fold) memcpy(y, g->values[ir_value_get(g, "y")]->t.data, 5 * sizeof(float));
  ir_free(g);
  return s;
}

START_TEST(scatter_is_scatter_elements) {
  /* y = [[1, 1.5, 3, 2.5, 5]]: index -2 is 3 */
  const float want[5] = {1, 1.5f, 3, 2.5f, 5};
  float y[5];
  char kernel[64];
  int i;
  ck_assert_int_eq(scatter_graph(10, 0, kernel, y), ST_OK);
  ck_assert_str_eq(kernel, "rt_scatter_elements_none_i32idx_32bit");
  ck_assert_int_eq(scatter_graph(9, 1, kernel, y), ST_OK);
  for (i = 0; i < 5; i++) ck_assert_float_eq(y[i], want[i]);
  /* deprecated from opset 11, where ScatterElements takes its place */
  ck_assert_int_eq(scatter_graph(11, 0, kernel, y), ST_BAD_MODEL);
}
END_TEST

Suite *scatter_suite(void) {
  Suite *s = suite_create("scatter");
  TCase *tc = tcase_create("scatter");
  tcase_add_test(tc, scatter_elements_axis1);
  tcase_add_test(tc, scatter_elements_reductions);
  tcase_add_test(tc, scatternd_slices);
  tcase_add_test(tc, scatternd_elements_min);
  tcase_add_test(tc, gathernd_batch_dims);
  tcase_add_test(tc, scatter_is_scatter_elements);
  suite_add_tcase(s, tc);
  return s;
}
