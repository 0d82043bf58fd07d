/* Topological sort and memory planner on shapes that once made them
 * quadratic, and the planner's one hard rule: blocks live at the same step
 * never share bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/load.h"
#include "../../compiler/plan.h"
#include "suites.h"

static int input(ir_graph *g, const char *name) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = 1;
  v->t.dims[0] = 4;
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

static void output(ir_graph *g, const char *name) {
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = ir_value_get(g, name);
}

/* A node `name` = op(a[, b]) whose output value is also called `name`. */
static void node(ir_graph *g, const char *op, const char *name, const char *a, const char *b) {
  ir_node *n = ir_node_add(g, name, op, "");
  n->n_in = b ? 2 : 1;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = ir_value_get(g, a);
  if (b) n->in[1] = ir_value_get(g, b);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, name);
}

START_TEST(toposort_reversed_chain) {
  /* r0 = Relu(x), r1 = Relu(r0), ... listed last first: the old sort
   * rescanned every node per node; this one is linear. */
  enum { N = 100000 };
  ir_graph *g = ir_new();
  char name[32], prev[32];
  int i;
  input(g, "x");
  for (i = N - 1; i >= 0; i--) {
    snprintf(name, sizeof name, "r%d", i);
    snprintf(prev, sizeof prev, "r%d", i - 1);
    node(g, "Relu", name, i ? prev : "x", NULL);
  }
  snprintf(name, sizeof name, "r%d", N - 1);
  output(g, name);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  for (i = 0; i < N; i++) {
    snprintf(name, sizeof name, "r%d", i);
    ck_assert_str_eq(g->nodes[i]->name, name);
  }
  ck_assert_int_eq(g->values[ir_find(g, "r0")]->uses, 1);
  ir_free(g);
}
END_TEST

START_TEST(toposort_diamond_keeps_file_order) {
  /* Listed d, c, b, a: a runs first, then c and b in file order, then d. */
  ir_graph *g = ir_new();
  input(g, "x");
  node(g, "Add", "d", "b", "c");
  node(g, "Relu", "c", "a", NULL);
  node(g, "Relu", "b", "a", NULL);
  node(g, "Relu", "a", "x", NULL);
  output(g, "d");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_str_eq(g->nodes[0]->name, "a");
  ck_assert_str_eq(g->nodes[1]->name, "c");
  ck_assert_str_eq(g->nodes[2]->name, "b");
  ck_assert_str_eq(g->nodes[3]->name, "d");
  ck_assert_int_eq(g->values[ir_find(g, "a")]->uses, 2);
  ir_free(g);
}
END_TEST

START_TEST(toposort_ready_nodes_keep_file_order) {
  ir_graph *g = ir_new();
  input(g, "x");
  node(g, "Relu", "p", "x", NULL);
  node(g, "Relu", "q", "p", NULL);
  node(g, "Relu", "r", "x", NULL);
  output(g, "q");
  output(g, "r");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_str_eq(g->nodes[0]->name, "p");
  ck_assert_str_eq(g->nodes[1]->name, "r");
  ck_assert_str_eq(g->nodes[2]->name, "q");
  ir_free(g);
}
END_TEST

START_TEST(toposort_cycle) {
  ir_graph *g = ir_new();
  input(g, "x");
  node(g, "Relu", "a", "x", NULL);
  node(g, "Add", "b", "a", "c");
  node(g, "Relu", "c", "b", NULL);
  output(g, "c");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);
}
END_TEST

START_TEST(toposort_errors) {
  ir_graph *g = ir_new();
  input(g, "x");
  node(g, "Relu", "a", "x", NULL);
  node(g, "Relu", "a", "x", NULL); /* a produced twice */
  output(g, "a");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);

  g = ir_new();
  input(g, "x");
  node(g, "Add", "a", "x", "nowhere");
  output(g, "a");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);

  g = ir_new();
  input(g, "x");
  node(g, "Relu", "a", "x", NULL);
  output(g, "missing");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);
}
END_TEST

START_TEST(toposort_zero_nodes) {
  /* No node list at all (g->nodes is NULL): nothing may touch it. */
  ir_graph *g = ir_new();
  input(g, "x");
  output(g, "x");
  ck_assert_ptr_null(g->nodes);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(g->n_nodes, 0);
  ir_free(g);

  g = ir_new();
  input(g, "x");
  output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);
}
END_TEST

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t next_rand(uint32_t *s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 8;
}

static void check_plan(plan_block *b, int n, int n_steps) {
  int64_t total = -1, bound = -1;
  int i;
  ck_assert_int_eq(plan_lower_bound(b, n, n_steps, &bound), ST_OK);
  ck_assert_int_eq(plan_place(b, n, n_steps, &total), ST_OK);
  ck_assert(plan_blocks_disjoint(b, n));
  ck_assert_int_ge(total, bound);
  for (i = 0; i < n; i++) {
    ck_assert_int_ge(b[i].offset, 0);
    ck_assert_int_le(b[i].offset + b[i].bytes, total);
    ck_assert_int_eq(b[i].offset % 64, 0);
  }
}

START_TEST(plan_random_lifetimes_never_overlap) {
  uint32_t seed = 12345;
  int round;
  for (round = 0; round < 300; round++) {
    int n = 1 + (int)(next_rand(&seed) % 400), n_steps = 1 + (int)(next_rand(&seed) % 60), i;
    int long_lived = (int)(next_rand(&seed) % 4); /* 0: short lifetimes only */
    plan_block *b = calloc((size_t)n, sizeof *b);
    for (i = 0; i < n; i++) {
      int span = long_lived ? (int)(next_rand(&seed) % (uint32_t)n_steps) : (int)(next_rand(&seed) % 3);
      b[i].first = (int)(next_rand(&seed) % (uint32_t)n_steps);
      b[i].last = b[i].first + span < n_steps ? b[i].first + span : n_steps - 1;
      /* sizes from 0 to 64 KiB, aligned, with many repeats */
      b[i].bytes = 64 * (int64_t)(next_rand(&seed) % 9 == 0 ? 0 : 1 + next_rand(&seed) % (round % 2 ? 4 : 1024));
    }
    check_plan(b, n, n_steps);
    free(b);
  }
}
END_TEST

START_TEST(plan_chain_reaches_lower_bound) {
  /* A chain: tensor i lives at steps i and i + 1; two buffers suffice. */
  enum { N = 100000 };
  plan_block *b = calloc(N, sizeof *b);
  int64_t total, bound;
  int i;
  for (i = 0; i < N; i++) {
    b[i].bytes = 4096;
    b[i].first = i;
    b[i].last = i + 1 < N ? i + 1 : i;
  }
  ck_assert_int_eq(plan_lower_bound(b, N, N, &bound), ST_OK);
  ck_assert_int_eq(plan_place(b, N, N, &total), ST_OK);
  ck_assert_int_eq(bound, 2 * 4096);
  ck_assert_int_eq(total, bound);
  free(b);
}
END_TEST

START_TEST(plan_wide_uses_time_order) {
  /* 6000 blocks all live at once: too many overlapping pairs for the size
   * placer, so the time placer places them, still at the lower bound. */
  enum { N = 6000 };
  plan_block *b = calloc(N, sizeof *b);
  int i;
  for (i = 0; i < N; i++) {
    b[i].bytes = 64 * (1 + i % 5);
    b[i].first = i % 10;
    b[i].last = 20 + i % 7;
  }
  check_plan(b, N, 30);
  {
    int64_t total, bound;
    ck_assert_int_eq(plan_lower_bound(b, N, 30, &bound), ST_OK);
    ck_assert_int_eq(plan_place(b, N, 30, &total), ST_OK);
    ck_assert_int_eq(total, bound);
  }
  free(b);
}
END_TEST

START_TEST(plan_empty) {
  int64_t total = -1, bound = -1;
  ck_assert_int_eq(plan_lower_bound(NULL, 0, 0, &bound), ST_OK);
  ck_assert_int_eq(plan_place(NULL, 0, 0, &total), ST_OK);
  ck_assert_int_eq(total, 0);
  ck_assert_int_eq(bound, 0);
}
END_TEST

Suite *plan_scale_suite(void) {
  Suite *s = suite_create("plan_scale");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, toposort_reversed_chain);
  tcase_add_test(tc, toposort_diamond_keeps_file_order);
  tcase_add_test(tc, toposort_ready_nodes_keep_file_order);
  tcase_add_test(tc, toposort_cycle);
  tcase_add_test(tc, toposort_errors);
  tcase_add_test(tc, toposort_zero_nodes);
  tcase_add_test(tc, plan_random_lifetimes_never_overlap);
  tcase_add_test(tc, plan_chain_reaches_lower_bound);
  tcase_add_test(tc, plan_wide_uses_time_order);
  tcase_add_test(tc, plan_empty);
  suite_add_tcase(s, tc);
  return s;
}
