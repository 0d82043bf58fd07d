/* Concat in place: the planner puts a Concat's inputs at their slices of
 * its output so their producers write there (compiler/plan_share.c), and
 * the concat kernel skips an input that is already in place. */
#include "../../compiler/plan.h"
#include "../../runtime/include/onnxcc/kernels.h"
#include "suites.h"
#include "unit_graph.h"

/* A float graph input of shape [rows, cols]. */
static void input(ir_graph *g, const char *name, int64_t rows, int64_t cols) {
  const int64_t dims[2] = {rows, cols};
  unit_value(g, name, 2, dims, 0);
}

static ir_node *concat(ir_graph *g, const char *out, int64_t axis, int n, const char *a, const char *b,
                       const char *c, const char *d) {
  ir_node *node = n == 2 ? unit_node(g, "Concat", out, 2, a, b)
                  : n == 3 ? unit_node(g, "Concat", out, 3, a, b, c)
                           : unit_node(g, "Concat", out, 4, a, b, c, d);
  unit_add_attr(node, "axis", ATTR_INT, axis, 0, NULL);
  return node;
}

/* Lowers g (-O1) and plans it with no view or in-place hints but those a
 * test sets after this call's lowering: so each test sees only the
 * reuse it is about. */
static void lower(ir_graph *g) {
  char kernel[64];
  int i;
  ck_assert_int_eq(unit_run_pipeline(g, kernel, NULL), ST_OK);
  for (i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->op != OP_Concat) g->nodes[i]->low->view_of = g->nodes[i]->low->inplace_of = -1;
}

static int node_of(const ir_graph *g, const char *out) {
  int i, v = ir_find(g, out);
  for (i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->out[0] == v) return i;
  ck_abort_msg("no node writes %s", out);
  return -1;
}

static int root_of(const ir_graph *g, const plan *p, const char *name) { return p->root[ir_find(g, name)]; }
static int64_t within(const ir_graph *g, const plan *p, const char *name) { return p->root_offset[ir_find(g, name)]; }
static int64_t offset_of(const ir_graph *g, const char *name) { return g->values[ir_find(g, name)]->offset; }

/* Whether two arena values' bytes meet. */
static int bytes_meet(const ir_graph *g, const char *a, const char *b) {
  const ir_value *x = g->values[ir_find(g, a)], *y = g->values[ir_find(g, b)];
  return x->offset < y->offset + (int64_t)tensor_bytes(&y->t) && y->offset < x->offset + (int64_t)tensor_bytes(&x->t);
}

/* Two producers write straight into their slices; the Concat has no call,
 * and a reader of its output may then write over it in place (its inputs
 * die there). The arena holds the output alone. */
START_TEST(concat_inputs_written_in_place) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "b", 1, "x");
  concat(g, "c", 1, 2, "a", "b", NULL, NULL);
  unit_node(g, "Tanh", "t", 1, "c");
  unit_node(g, "Exp", "y", 1, "t");
  unit_output(g, "y");
  lower(g);
  g->nodes[node_of(g, "t")]->low->inplace_of = 0;
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c"));
  ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "c"));
  ck_assert_int_eq(within(g, &p, "a"), 0);
  ck_assert_int_eq(within(g, &p, "b"), 1024);
  ck_assert_int_eq(offset_of(g, "a"), offset_of(g, "c"));
  ck_assert_int_eq(offset_of(g, "b"), offset_of(g, "c") + 1024);
  ck_assert_int_eq(p.elided[node_of(g, "c")], 1);
  ck_assert_int_eq(root_of(g, &p, "t"), ir_find(g, "c"));
  ck_assert_uint_eq(p.arena_bytes, 2048);
  ck_assert_uint_eq(p.arena_lower_bound, 2048);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* A graph input, a constant and a graph output stay where they are (the
 * kernel copies them); the one produced input between them still goes in
 * place, so the node runs for the other three. */
START_TEST(concat_copies_caller_and_constant_inputs) {
  ir_graph *g = ir_new();
  const int64_t dims[2] = {1, 256};
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_value(g, "w", 2, dims, 1);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "o", 1, "x");
  concat(g, "c", 1, 4, "x", "a", "w", "o");
  unit_node(g, "Tanh", "y", 1, "c");
  unit_output(g, "o");
  unit_output(g, "y");
  lower(g);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "x"), ir_find(g, "x"));
  ck_assert_int_eq(p.home[ir_find(g, "x")], HOME_INPUT);
  ck_assert_int_eq(root_of(g, &p, "w"), ir_find(g, "w"));
  ck_assert_int_eq(p.home[ir_find(g, "w")], HOME_WEIGHTS);
  ck_assert_int_eq(root_of(g, &p, "o"), ir_find(g, "o"));
  ck_assert_int_eq(p.home[ir_find(g, "o")], HOME_OUTPUT);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c"));
  ck_assert_int_eq(within(g, &p, "a"), 1024);
  ck_assert_int_eq(p.elided[node_of(g, "c")], 0);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* Two Concats read a and b in different orders: the first takes both, the
 * second copies them into its own storage, which never meets the first's
 * (both are read by the Add). */
START_TEST(concat_input_read_by_two_concats) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "b", 1, "x");
  concat(g, "c1", 1, 2, "a", "b", NULL, NULL);
  concat(g, "c2", 1, 2, "b", "a", NULL, NULL);
  unit_node(g, "Add", "y", 2, "c1", "c2");
  unit_output(g, "y");
  lower(g);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c1"));
  ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "c1"));
  ck_assert_int_eq(root_of(g, &p, "c2"), ir_find(g, "c2"));
  ck_assert_int_eq(p.elided[node_of(g, "c1")], 1);
  ck_assert_int_eq(p.elided[node_of(g, "c2")], 0);
  ck_assert(!bytes_meet(g, "c1", "c2"));
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* densenet's pattern: c2 starts with c1's inputs in c1's order, so c1 is
 * the front of c2 and every input is written once, in place. A reader of
 * c1 may not write over it in place: a and b are read again by c2. */
START_TEST(concat_prefix_of_a_later_concat) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "b", 1, "x");
  concat(g, "c1", 1, 2, "a", "b", NULL, NULL);
  unit_node(g, "Tanh", "t", 1, "c1");
  unit_node(g, "Neg", "d", 1, "x");
  concat(g, "c2", 1, 3, "a", "b", "d", NULL);
  unit_node(g, "Exp", "y1", 1, "t");
  unit_node(g, "Abs", "y2", 1, "c2");
  unit_output(g, "y1");
  unit_output(g, "y2");
  lower(g);
  g->nodes[node_of(g, "t")]->low->inplace_of = 0;
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "c1"), ir_find(g, "c2"));
  ck_assert_int_eq(within(g, &p, "c1"), 0);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c2"));
  ck_assert_int_eq(within(g, &p, "a"), 0);
  ck_assert_int_eq(within(g, &p, "b"), 1024);
  ck_assert_int_eq(root_of(g, &p, "d"), ir_find(g, "c2"));
  ck_assert_int_eq(within(g, &p, "d"), 2048);
  ck_assert_int_eq(p.elided[node_of(g, "c1")], 1);
  ck_assert_int_eq(p.elided[node_of(g, "c2")], 1);
  ck_assert_int_eq(root_of(g, &p, "t"), ir_find(g, "t"));
  ck_assert(!bytes_meet(g, "t", "c2"));
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* Batch 2: along axis 0 the inputs are the output's two halves (in
 * place); along axis 1 each is two runs interleaved with the other's
 * (copied). */
START_TEST(concat_needs_contiguous_slices) {
  int axis;
  for (axis = 0; axis < 2; axis++) {
    ir_graph *g = ir_new();
    plan p;
    g->opset = 13;
    input(g, "x", 2, 256);
    unit_node(g, "Relu", "a", 1, "x");
    unit_node(g, "Sigmoid", "b", 1, "x");
    concat(g, "c", axis, 2, "a", "b", NULL, NULL);
    unit_node(g, "Tanh", "y", 1, "c");
    unit_output(g, "y");
    lower(g);
    ck_assert_int_eq(plan_build(g, &p), ST_OK);
    if (axis == 0) {
      ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "c"));
      ck_assert_int_eq(within(g, &p, "b"), 2048);
      ck_assert_int_eq(p.elided[node_of(g, "c")], 1);
    } else {
      ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "a"));
      ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "b"));
      ck_assert_int_eq(p.elided[node_of(g, "c")], 0);
    }
    plan_free(&p, g->n_nodes);
    ir_free(g);
  }
}
END_TEST

/* Lifetimes: c's storage holds a from a's step on, so f (live before the
 * Concat runs) may not use its bytes; and it holds a until e reads it
 * after the Concat's last reader, so e may not either. The planner's own
 * overlap check would pass a plan with wrong lifetimes: these assertions
 * count them from the node order. */
START_TEST(concat_storage_lives_from_first_write_to_last_read) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "f", 1, "x");
  unit_node(g, "Tanh", "b", 1, "f");
  concat(g, "c", 1, 2, "a", "b", NULL, NULL);
  unit_node(g, "ReduceMax", "m", 1, "c"); /* c's only reader: [1, 1] */
  unit_node(g, "Mul", "e", 2, "a", "m");  /* reads a after that */
  unit_node(g, "Exp", "y", 1, "e");
  unit_output(g, "y");
  lower(g);
  /* the premise: f lives between a's write and the Concat, e after m */
  ck_assert_int_lt(node_of(g, "a"), node_of(g, "f"));
  ck_assert_int_lt(node_of(g, "b"), node_of(g, "c"));
  ck_assert_int_lt(node_of(g, "m"), node_of(g, "e"));
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c"));
  ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "c"));
  ck_assert(!bytes_meet(g, "f", "c"));
  ck_assert(!bytes_meet(g, "e", "c"));
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* A Concat that is a graph output: its inputs are written into the
 * caller's buffer, at their slices, and the arena holds nothing. */
START_TEST(concat_into_a_caller_output) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 256);
  unit_node(g, "Relu", "a", 1, "x");
  unit_node(g, "Sigmoid", "b", 1, "x");
  concat(g, "c", 1, 2, "a", "b", NULL, NULL);
  unit_output(g, "c");
  lower(g);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(p.home[ir_find(g, "c")], HOME_OUTPUT);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c"));
  ck_assert_int_eq(within(g, &p, "b"), 1024);
  ck_assert_int_eq(p.elided[node_of(g, "c")], 1);
  ck_assert_uint_eq(p.arena_bytes, 0);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* A slice that would start off a 16-byte boundary stays a copy: kernels
 * have never been handed a tensor less aligned than a caller's buffer. */
START_TEST(concat_keeps_slices_aligned) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  input(g, "x", 1, 3);
  input(g, "z", 1, 4);
  unit_node(g, "Relu", "a", 1, "x"); /* 12 bytes */
  unit_node(g, "Sigmoid", "b", 1, "z");
  concat(g, "c", 1, 2, "a", "b", NULL, NULL);
  unit_node(g, "Tanh", "y", 1, "c");
  unit_output(g, "y");
  lower(g);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(root_of(g, &p, "a"), ir_find(g, "c"));
  ck_assert_int_eq(root_of(g, &p, "b"), ir_find(g, "b"));
  ck_assert_int_eq(p.elided[node_of(g, "c")], 0);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* A chain of Concats, each appending one new value to the previous one's
 * output: every value lands once, in the last output, at its place. The
 * planner relinks storages rather than moving their members, so this
 * stays fast for long chains. */
START_TEST(concat_chain_all_in_place) {
  enum { N = 2000 };
  ir_graph *g = ir_new();
  char name[32], prev[32], piece[32], x[32];
  plan p;
  int i;
  g->opset = 13;
  input(g, "x0", 1, 4);
  unit_node(g, "Relu", "c0", 1, "x0");
  for (i = 1; i < N; i++) {
    /* one input each, so no two pieces are twins for cse to merge */
    snprintf(x, sizeof x, "x%d", i);
    snprintf(piece, sizeof piece, "r%d", i);
    snprintf(prev, sizeof prev, "c%d", i - 1);
    snprintf(name, sizeof name, "c%d", i);
    input(g, x, 1, 4);
    unit_node(g, "Relu", piece, 1, x);
    concat(g, name, 1, 2, prev, piece, NULL, NULL);
  }
  unit_node(g, "Abs", "y", 1, name);
  unit_output(g, "y");
  lower(g);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  for (i = 1; i < N; i++) {
    snprintf(piece, sizeof piece, "r%d", i);
    ck_assert_int_eq(root_of(g, &p, piece), ir_find(g, name));
    ck_assert_int_eq(within(g, &p, piece), 16 * i);
  }
  ck_assert_uint_eq(p.arena_bytes, (size_t)16 * N);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* The kernel half: an input already at its slice is not copied (a copy
 * onto itself is memcpy with overlapping arguments), the others are. */
START_TEST(concat_kernel_skips_inputs_in_place) {
  float y[6] = {1, 2, 3, 0, 0, 0};
  const float b[3] = {4, 5, 6};
  rt_concat_params cp;
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int i;
  memset(&cp, 0, sizeof cp);
  cp.n = 2;
  cp.outer = 1;
  cp.bytes[0] = cp.bytes[1] = 3 * sizeof(float);
  in[0] = y;
  in[1] = b;
  out[0] = y;
  rt_concat(&cp, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], (float)(i + 1));
}
END_TEST

Suite *plan_concat_suite(void) {
  Suite *s = suite_create("plan_concat");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, concat_inputs_written_in_place);
  tcase_add_test(tc, concat_copies_caller_and_constant_inputs);
  tcase_add_test(tc, concat_input_read_by_two_concats);
  tcase_add_test(tc, concat_prefix_of_a_later_concat);
  tcase_add_test(tc, concat_needs_contiguous_slices);
  tcase_add_test(tc, concat_storage_lives_from_first_write_to_last_read);
  tcase_add_test(tc, concat_into_a_caller_output);
  tcase_add_test(tc, concat_keeps_slices_aligned);
  tcase_add_test(tc, concat_chain_all_in_place);
  tcase_add_test(tc, concat_kernel_skips_inputs_in_place);
  suite_add_tcase(s, tc);
  return s;
}
