/* fold-pad: the op sequence before and after the pass for the Pads it
 * folds into Conv and AveragePool, the pads it leaves on the node, and
 * the Pads it must leave alone (a value other than zero, padding of the
 * batch or channel axis, another mode, negative pads, a second reader,
 * MaxPool, an AveragePool with pads of its own that it does not count). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"

static const int64_t X_DIMS[4] = {1, 2, 5, 5}, W_DIMS[4] = {4, 2, 3, 3}, ONE[1] = {1};
static const int64_t SPATIAL_PADS[8] = {0, 0, 1, 2, 0, 0, 1, 0};

/* x -> Pad(pads) -> "p" -> op ("Conv" with weights, or a pool) -> "y" */
static ir_graph *pad_graph(const int64_t *pads, const char *op) {
  ir_graph *g = ir_new();
  ir_node *n;
  const int64_t kernel[2] = {3, 3};
  g->opset = 13;
  unit_value(g, "x", 4, X_DIMS, 0);
  unit_int64s(g, "pads", 8, pads);
  unit_node(g, "Pad", "p", 2, "x", "pads");
  if (strcmp(op, "Conv") == 0) {
    unit_value(g, "w", 4, W_DIMS, 1);
    n = unit_node(g, "Conv", "y", 2, "p", "w");
  } else {
    n = unit_node(g, op, "y", 1, "p");
    rw_set_ints(n, "kernel_shape", kernel, 2);
  }
  (void)n;
  unit_output(g, "y");
  return g;
}

static ir_node *last(ir_graph *g) { return g->nodes[g->n_nodes - 1]; }

static void check_pads(const ir_node *n, int64_t a, int64_t b, int64_t c, int64_t d) {
  const int64_t *p;
  ck_assert_int_eq(attr_ints(n, "pads", &p), 4);
  ck_assert(p[0] == a && p[1] == b && p[2] == c && p[3] == d);
}

START_TEST(pad_into_conv) {
  ir_graph *g = pad_graph(SPATIAL_PADS, "Conv");
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Conv");
  check_pads(last(g), 1, 2, 1, 0);
  ck_assert_str_eq(g->values[last(g)->in[0]]->name, "x");
  ck_assert_int_eq(g->values[last(g)->out[0]]->t.dims[2], 5);
  ir_free(g);
}
END_TEST

/* The Conv's own pads add to the Pad's. */
START_TEST(pad_adds_to_conv_pads) {
  const int64_t own[4] = {1, 1, 1, 1};
  ir_graph *g = pad_graph(SPATIAL_PADS, "Conv");
  rw_set_ints(last(g), "pads", own, 4);
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Conv");
  check_pads(last(g), 2, 3, 2, 1);
  ir_free(g);
}
END_TEST

START_TEST(pad_into_average_pool) {
  ir_graph *g = pad_graph(SPATIAL_PADS, "AveragePool");
  unit_add_attr(last(g), "count_include_pad", ATTR_INT, 1, 0, NULL);
  unit_check_pass(g, pass_fold_pad, "Pad,AveragePool", "AveragePool");
  check_pads(last(g), 1, 2, 1, 0);
  ir_free(g);
  /* no pads of its own: every window lay inside the padded input, whose
   * zeros it counted, so it now counts the pads (audio_cnn1d's AvgPool1d) */
  g = pad_graph(SPATIAL_PADS, "AveragePool");
  unit_check_pass(g, pass_fold_pad, "Pad,AveragePool", "AveragePool");
  check_pads(last(g), 1, 2, 1, 0);
  ck_assert_int_eq(attr_int(last(g), "count_include_pad", 0), 1);
  ir_free(g);
}
END_TEST

/* Cases the pass must leave as they are. */
START_TEST(pad_left_alone) {
  const int64_t channel_pads[8] = {0, 1, 1, 1, 0, 0, 1, 1}, negative[8] = {0, 0, -1, 0, 0, 0, 0, 0};
  const int64_t own_pads[4] = {0, 1, 0, 1};
  ir_graph *g;
  /* pads of its own that it does not count: the Pad's zeros, counted,
   * would become uncounted pads */
  g = pad_graph(SPATIAL_PADS, "AveragePool");
  rw_set_ints(last(g), "pads", own_pads, 4);
  unit_check_pass(g, pass_fold_pad, "Pad,AveragePool", "Pad,AveragePool");
  ir_free(g);
  /* MaxPool pads with -inf */
  g = pad_graph(SPATIAL_PADS, "MaxPool");
  unit_check_pass(g, pass_fold_pad, "Pad,MaxPool", "Pad,MaxPool");
  ir_free(g);
  g = pad_graph(channel_pads, "Conv");
  g->values[ir_find(g, "w")]->t.dims[1] = 3;
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Pad,Conv");
  ir_free(g);
  g = pad_graph(negative, "Conv");
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Pad,Conv");
  ir_free(g);
  g = pad_graph(SPATIAL_PADS, "Conv");
  unit_add_attr(g->nodes[0], "mode", ATTR_STRING, 0, 0, "reflect");
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Pad,Conv");
  ir_free(g);
  /* a value other than zero */
  g = pad_graph(SPATIAL_PADS, "Conv");
  {
    const int value = unit_value(g, "v", 0, ONE, 1);
    ir_node *pad = g->nodes[0];
    *(float *)g->values[value]->t.data = 0.5f;
    rw_set_input(g, pad, 2, value);
  }
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Pad,Conv");
  ir_free(g);
  /* the padded tensor is also a graph output */
  g = pad_graph(SPATIAL_PADS, "Conv");
  unit_output(g, "p");
  unit_check_pass(g, pass_fold_pad, "Pad,Conv", "Pad,Conv");
  ir_free(g);
}
END_TEST

Suite *fold_pad_suite(void) {
  Suite *s = suite_create("fold_pad");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, pad_into_conv);
  tcase_add_test(tc, pad_adds_to_conv_pads);
  tcase_add_test(tc, pad_into_average_pool);
  tcase_add_test(tc, pad_left_alone);
  suite_add_tcase(s, tc);
  return s;
}
