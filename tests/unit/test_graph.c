/* Graph-level behaviour on hand-built graphs: passes (asserting the op
 * sequence before and after), folding, topological sort and the planner. */
#include <stdlib.h>
#include <string.h>

#include "../../compiler/dimexpr.h"
#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "../../compiler/plan.h"
#include "suites.h"
#include "unit_graph.h"

/* A float input of the given length. */
static int add_input(ir_graph *g, const char *name, int64_t n) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = 1;
  v->t.dims[0] = n;
  v->graph_input = g->n_inputs;
  g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
  g->inputs[g->n_inputs++] = id;
  return id;
}

static int add_const(ir_graph *g, const char *name, float value, int64_t n) {
  int id = ir_value_get(g, name), i;
  ir_value *v = g->values[id];
  v->t.dtype = DT_FLOAT;
  v->t.rank = 1;
  v->t.dims[0] = n;
  v->t.data = xmalloc(sizeof(float) * (size_t)n);
  for (i = 0; i < n; i++) ((float *)v->t.data)[i] = value;
  return id;
}

static void add_output(ir_graph *g, const char *name) {
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = ir_value_get(g, name);
}

/* node(op, "y", "a", "b") — inputs may be NULL for "absent". */
static ir_node *add_node(ir_graph *g, const char *op, const char *out, const char *a, const char *b) {
  ir_node *n = ir_node_add(g, out, op, "");
  n->n_in = b ? 2 : 1;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = ir_value_get(g, a);
  if (b) n->in[1] = ir_value_get(g, b);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, out);
  return n;
}

/* "Relu,Add" — the graph's op sequence. */
static void op_sequence(const ir_graph *g, char *buf, size_t n) {
  int i;
  buf[0] = 0;
  for (i = 0; i < g->n_nodes; i++) {
    if (i) strncat(buf, ",", n - strlen(buf) - 1);
    strncat(buf, g->nodes[i]->op_type, n - strlen(buf) - 1);
  }
}

static status run_passes(ir_graph *g, int level) {
  compile_options o;
  memset(&o, 0, sizeof o);
  o.opt_level = level;
  return pipeline_run(g, &o, NULL);
}

START_TEST(elide_identity_and_dropout) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 4);
  add_node(g, "Identity", "a", "x", NULL);
  add_node(g, "Relu", "b", "a", NULL);
  add_node(g, "Dropout", "y", "b", NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Identity,Relu,Dropout");
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Relu");
  /* the graph output keeps its name: Relu now writes "y" */
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "y");
  ck_assert_str_eq(g->values[g->nodes[0]->in[0]]->name, "x");
  ir_free(g);
}
END_TEST

/* An int64 constant [before, after] of Pad amounts for a rank-1 tensor. */
static void add_pads(ir_graph *g, const char *name, int64_t before, int64_t after) {
  ir_value *v = g->values[ir_value_get(g, name)];
  v->t.dtype = DT_INT64;
  v->t.rank = 1;
  v->t.dims[0] = 2;
  v->t.data = xmalloc(sizeof(int64_t) * 2);
  ((int64_t *)v->t.data)[0] = before;
  ((int64_t *)v->t.data)[1] = after;
}

/* A Pad of constant zero amounts is its input (elided); one that adds
 * an element stays. */
START_TEST(elide_pad_of_nothing) {
  int before;
  for (before = 0; before <= 1; before++) {
    ir_graph *g = ir_new();
    g->opset = 13;
    add_input(g, "x", 4);
    add_pads(g, "pads", before, 0);
    add_node(g, "Pad", "a", "x", "pads");
    add_node(g, "Relu", "y", "a", NULL);
    add_output(g, "y");
    unit_check_pass(g, pass_elide, "Pad,Relu", before ? "Pad,Relu" : "Relu");
    if (!before) ck_assert_str_eq(g->values[g->nodes[0]->in[0]]->name, "x");
    ir_free(g);
  }
}
END_TEST

START_TEST(O0_keeps_identity) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 4);
  add_node(g, "Identity", "a", "x", NULL);
  add_node(g, "Relu", "y", "a", NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(run_passes(g, 0), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Identity,Relu");
  ir_free(g);
}
END_TEST

START_TEST(dce_removes_unused_branch) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 4);
  add_node(g, "Relu", "y", "x", NULL);
  add_node(g, "Sigmoid", "unused1", "x", NULL);
  add_node(g, "Tanh", "unused2", "unused1", NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Relu");
  ir_free(g);
}
END_TEST

START_TEST(folds_constant_subgraph) {
  ir_graph *g = ir_new();
  char seq[256];
  const ir_value *k;
  g->opset = 13;
  add_input(g, "x", 3);
  add_const(g, "c1", 2.0f, 3);
  add_const(g, "c2", 5.0f, 3);
  add_node(g, "Mul", "k", "c1", "c2");  /* constant: folded */
  add_node(g, "Add", "y", "x", "k");    /* depends on x: stays */
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Add");
  k = g->values[g->nodes[0]->in[1]];
  ck_assert_ptr_nonnull(k->t.data);
  ck_assert_float_eq(((const float *)k->t.data)[2], 10.0f);
  ir_free(g);
}
END_TEST

START_TEST(variadic_sum_becomes_chain) {
  ir_graph *g = ir_new();
  ir_node *n;
  char seq[256];
  g->opset = 13;
  add_input(g, "a", 2);
  add_input(g, "b", 2);
  add_input(g, "c", 2);
  n = add_node(g, "Sum", "y", "a", "b");
  n->in = xrealloc(n->in, sizeof(int) * 3);
  n->in[2] = ir_value_get(g, "c");
  n->n_in = 3;
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Add,Add");
  ck_assert_str_eq(g->values[g->nodes[1]->out[0]]->name, "y");
  ir_free(g);
}
END_TEST

/* Mul(x, Sigmoid(x)) becomes one Silu node, either operand order, and
 * Mul(x, HardSigmoid(x)) one MulHardSigmoid with HardSigmoid's alpha and
 * beta; a Sigmoid whose output is read elsewhere too is left alone; the
 * lower pass then gives Silu its kernel. */
START_TEST(fuses_silu) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 4);
  add_node(g, "Sigmoid", "s", "x", NULL);
  add_node(g, "Mul", "m", "s", "x");       /* fused: operands swapped */
  add_node(g, "Sigmoid", "t", "m", NULL);
  add_node(g, "Mul", "u", "m", "t");       /* fused */
  add_node(g, "Sigmoid", "v", "u", NULL);
  add_node(g, "Mul", "w", "u", "v");       /* not: v is also an output */
  add_node(g, "HardSigmoid", "h", "w", NULL);
  add_node(g, "Mul", "z", "w", "h");       /* fused, alpha/beta defaults */
  add_output(g, "z");
  add_output(g, "v");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(pass_fuse_silu(g), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Silu,Silu,Sigmoid,Mul,MulHardSigmoid");
  ck_assert(attr_float(g->nodes[4], "alpha", 0) == 0.2f && attr_float(g->nodes[4], "beta", 0) == 0.5f);
  ck_assert_int_eq(g->nodes[0]->n_in, 1);
  ck_assert_str_eq(g->values[g->nodes[0]->in[0]]->name, "x");
  ck_assert_str_eq(g->values[g->nodes[1]->in[0]]->name, "m");
  ck_assert_int_eq(pass_lower(g), ST_OK);
  ck_assert_str_eq(kernel_get(g->nodes[0]->low->kernel)->name, "rt_silu_f32");
  ir_free(g);
}
END_TEST

/* cse merges twins (same op, inputs and attributes), chains of them in one
 * walk, and leaves alone: other attribute values, the random ops, and a
 * twin whose output the graph returns. */
START_TEST(cse_merges_twins) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 4);
  add_node(g, "Relu", "a", "x", NULL);
  add_node(g, "Relu", "b", "x", NULL);          /* twin of a */
  add_node(g, "Exp", "ea", "a", NULL);
  add_node(g, "Exp", "eb", "b", NULL);          /* twin of ea once b is a */
  add_node(g, "Add", "s", "ea", "eb");
  unit_add_attr(add_node(g, "LeakyRelu", "l1", "s", NULL), "alpha", ATTR_FLOAT, 0, 0.1f, NULL);
  unit_add_attr(add_node(g, "LeakyRelu", "l2", "s", NULL), "alpha", ATTR_FLOAT, 0, 0.2f, NULL); /* differs */
  unit_add_attr(add_node(g, "LeakyRelu", "l3", "s", NULL), "alpha", ATTR_FLOAT, 0, 0.1f, NULL); /* twin of l1 */
  add_node(g, "RandomNormalLike", "r1", "s", NULL);
  add_node(g, "RandomNormalLike", "r2", "s", NULL); /* random: kept */
  add_node(g, "Add", "t", "l1", "l2");
  add_node(g, "Add", "u", "l3", "r1");
  add_node(g, "Add", "v", "t", "r2");
  add_node(g, "Neg", "n1", "u", NULL);
  add_node(g, "Neg", "n2", "u", NULL);          /* a graph output: kept */
  add_node(g, "Add", "w", "v", "n1");
  add_output(g, "w");
  add_output(g, "n2");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Relu,Relu,Exp,Exp,Add,LeakyRelu,LeakyRelu,LeakyRelu,RandomNormalLike,RandomNormalLike,"
                        "Add,Add,Add,Neg,Neg,Add");
  ck_assert_int_eq(pass_cse(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "cse", 1), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Relu,Exp,Add,LeakyRelu,LeakyRelu,RandomNormalLike,RandomNormalLike,Add,Add,Add,Neg,Neg,Add");
  /* the Add of the two Exps reads the one Exp twice; u reads l1 */
  ck_assert_int_eq(g->nodes[2]->in[0], g->nodes[2]->in[1]);
  ck_assert_str_eq(g->values[g->nodes[8]->in[0]]->name, "l1");
  ir_free(g);
}
END_TEST

/* Conv -> BatchNormalization -> Relu becomes Conv -> Relu with
 * W' = W * s and b' = (b - mean) * s + B, s = scale / sqrt(var + eps). */
START_TEST(fuses_conv_and_batchnorm) {
  ir_graph *g = ir_new();
  ir_node *bn;
  char seq[256];
  const ir_value *w, *b;
  int i, x = ir_value_get(g, "x");
  g->opset = 13;
  g->values[x]->t = (ir_tensor){DT_FLOAT, 4, {1, 2, 3, 3}, {0}, NULL};
  g->values[x]->graph_input = 0;
  g->inputs = xmalloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  add_const(g, "scale", 2.0f, 2);
  add_const(g, "shift", 1.0f, 2);
  add_const(g, "mean", 0.25f, 2);
  add_const(g, "var", 0.0f, 2);
  add_const(g, "w", 1.5f, 2 * 2 * 1 * 1);
  g->values[ir_find(g, "w")]->t.rank = 4;
  memcpy(g->values[ir_find(g, "w")]->t.dims, (int64_t[]){2, 2, 1, 1}, 4 * sizeof(int64_t));
  add_node(g, "Conv", "c", "x", "w");
  bn = add_node(g, "BatchNormalization", "n", "c", "scale");
  bn->in = xrealloc(bn->in, sizeof(int) * 5);
  bn->in[2] = ir_value_get(g, "shift");
  bn->in[3] = ir_value_get(g, "mean");
  bn->in[4] = ir_value_get(g, "var");
  bn->n_in = 5;
  bn->attr = xcalloc(1, sizeof(ir_attr));
  bn->attr[0].name = xstrdup("epsilon");
  bn->attr[0].type = ATTR_FLOAT;
  bn->attr[0].f = 1.0f;
  bn->n_attr = 1;
  add_node(g, "Relu", "y", "n", NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  /* the passes up to the fusion: lowering would repack the weight into
   * the conv kernel's layout */
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(pass_fuse_conv_bn(g), ST_OK);
  ck_assert_int_eq(pass_dce(g), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Conv,Relu");
  w = g->values[g->nodes[0]->in[1]];
  b = g->values[g->nodes[0]->in[2]];
  /* s = 2 / sqrt(0 + 1) = 2 */
  for (i = 0; i < 4; i++) ck_assert_float_eq_tol(((const float *)w->t.data)[i], 3.0f, 1e-6f);
  ck_assert_float_eq_tol(((const float *)b->t.data)[1], 0.5f, 1e-6f); /* (0 - 0.25) * 2 + 1 */
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "n");
  /* the original weight is untouched (it may be shared) */
  ck_assert_float_eq(((const float *)g->values[ir_find(g, "w")]->t.data)[0], 1.5f);
  ir_free(g);
}
END_TEST

START_TEST(toposort_orders_and_finds_cycles) {
  ir_graph *g = ir_new();
  char seq[256];
  g->opset = 13;
  add_input(g, "x", 2);
  add_node(g, "Tanh", "y", "b", NULL);
  add_node(g, "Relu", "b", "x", NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  op_sequence(g, seq, sizeof seq);
  ck_assert_str_eq(seq, "Relu,Tanh");
  ir_free(g);

  g = ir_new();
  add_input(g, "x", 2);
  add_node(g, "Add", "p", "x", "q");
  add_node(g, "Relu", "q", "p", NULL);
  add_output(g, "q");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);

  g = ir_new();
  add_input(g, "x", 2);
  add_node(g, "Add", "y", "x", "nobody_makes_this");
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_BAD_MODEL);
  ir_free(g);
}
END_TEST

/* Overrides every node's reuse hints after lowering, so the planner tests
 * do not depend on what each op's lowering allows. */
static void set_hints(ir_graph *g, int view_of, int inplace_of) {
  int i;
  for (i = 0; i < g->n_nodes; i++) {
    g->nodes[i]->low->view_of = view_of;
    g->nodes[i]->low->inplace_of = inplace_of;
  }
}

static int64_t offset_of(const ir_graph *g, const char *name) { return g->values[ir_find(g, name)]->offset; }

/* A chain of n element-wise nodes needs two buffers, not n. */
START_TEST(planner_reuses_memory) {
  ir_graph *g = ir_new();
  plan p;
  char name[2][8];
  int i;
  g->opset = 13;
  add_input(g, "x", 1024);
  snprintf(name[0], sizeof name[0], "x");
  for (i = 0; i < 6; i++) {
    snprintf(name[(i + 1) % 2], sizeof name[0], "t%d", i);
    add_node(g, i % 2 ? "Relu" : "Sigmoid", name[(i + 1) % 2], name[i % 2], NULL);
  }
  add_node(g, "Tanh", "y", name[6 % 2], NULL);
  add_output(g, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  set_hints(g, -1, -1); /* this test is about reuse without in-place writes */
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_uint_eq(p.arena_lower_bound, 2 * 4096);
  ck_assert_uint_eq(p.arena_bytes, 2 * 4096);
  /* neighbours never share bytes */
  for (i = 0; i + 1 < g->n_nodes - 1; i++) {
    const ir_value *a = g->values[g->nodes[i]->out[0]], *b = g->values[g->nodes[i + 1]->out[0]];
    ck_assert_int_ne(a->offset, b->offset);
  }
  ck_assert_int_eq(p.home[ir_find(g, "y")], HOME_OUTPUT);
  ck_assert_int_eq(p.home[ir_find(g, "x")], HOME_INPUT);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* In place: a chain whose every input dies at its reader runs in one
 * buffer, and the lower bound knows it. */
START_TEST(planner_writes_in_place) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  add_input(g, "x", 1024);
  add_node(g, "Sigmoid", "t0", "x", NULL);
  add_node(g, "Relu", "t1", "t0", NULL);
  add_node(g, "Relu", "t2", "t1", NULL);
  add_node(g, "Tanh", "y", "t2", NULL);
  add_output(g, "y");
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  set_hints(g, -1, 0);
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_uint_eq(p.arena_bytes, 4096);
  ck_assert_uint_eq(p.arena_lower_bound, 4096);
  /* t0 has its own block (x is the caller's); t1 and t2 write over it */
  ck_assert_int_eq(p.root[ir_find(g, "t0")], ir_find(g, "t0"));
  ck_assert_int_eq(p.root[ir_find(g, "t2")], ir_find(g, "t0"));
  ck_assert_int_eq(p.root[ir_find(g, "y")], ir_find(g, "y")); /* the caller's buffer */
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* Never in place over a value that is read later, directly or through a
 * view of it. */
START_TEST(planner_in_place_needs_a_dying_input) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  add_input(g, "x", 1024);
  add_node(g, "Relu", "a", "x", NULL);
  add_node(g, "Relu", "b", "a", NULL);      /* a is read again below */
  add_node(g, "Relu", "v", "b", NULL);      /* made a view of b below */
  add_node(g, "Relu", "w", "v", NULL);      /* b is read below, so not over v */
  add_node(g, "Add", "s", "a", "b");
  add_node(g, "Add", "y", "s", "w");
  add_output(g, "y");
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  set_hints(g, -1, 0);
  g->nodes[2]->low->inplace_of = -1;
  g->nodes[2]->low->view_of = 0;
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(p.root[ir_find(g, "b")], ir_find(g, "b"));
  ck_assert_int_ne(offset_of(g, "a"), offset_of(g, "b"));
  ck_assert_int_eq(p.elided[2], 1);
  ck_assert_int_eq(p.root[ir_find(g, "v")], ir_find(g, "b"));
  ck_assert_int_eq(p.root[ir_find(g, "w")], ir_find(g, "w"));
  ck_assert_int_ne(offset_of(g, "w"), offset_of(g, "b"));
  /* s = a + b may go over a (dies there), then y over s */
  ck_assert_int_eq(p.root[ir_find(g, "s")], ir_find(g, "a"));
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* Caller buffers are never shared: no writing over an input, and a view
 * that is a graph output still copies into the caller's buffer. */
START_TEST(planner_keeps_caller_buffers) {
  ir_graph *g = ir_new();
  plan p;
  g->opset = 13;
  add_input(g, "x", 1024);
  add_node(g, "Relu", "a", "x", NULL);
  add_node(g, "Relu", "y", "a", NULL);
  add_output(g, "y");
  ck_assert_int_eq(run_passes(g, 1), ST_OK);
  set_hints(g, -1, 0);
  g->nodes[1]->low->inplace_of = -1;
  g->nodes[1]->low->view_of = 0;
  ck_assert_int_eq(plan_build(g, &p), ST_OK);
  ck_assert_int_eq(p.root[ir_find(g, "a")], ir_find(g, "a"));
  ck_assert_int_eq(p.home[ir_find(g, "a")], HOME_ARENA);
  ck_assert_int_eq(p.elided[1], 0);
  ck_assert_int_eq(p.home[ir_find(g, "y")], HOME_OUTPUT);
  plan_free(&p, g->n_nodes);
  ir_free(g);
}
END_TEST

/* A params struct with two operands' quantization, as the int8 kernels
 * will declare theirs, filled from values' quantization. */
#define TEST_QUANT_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) RT_QUANT_FIELDS(x, I32, F) RT_QUANT_FIELDS(y, I32, F)
RT_PARAMS_STRUCT(test_quant_params, TEST_QUANT_PARAMS)

START_TEST(quantization_fields) {
  ir_value x, y;
  test_quant_params p;
  const float per_tensor = 0.5f, per_axis[3] = {0.1f, 0.2f, 0.3f};
  const int32_t zp = -3, zps[3] = {1, 2, 3};
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  ir_set_quant(&x, -1, 1, &per_tensor, &zp);
  op_quant_fields(&x, &p.x_axis, &p.x_scale, &p.x_zero_point);
  ck_assert_int_eq(p.x_axis, -1);
  ck_assert_float_eq(p.x_scale, 0.5f);
  ck_assert_int_eq(p.x_zero_point, -3);
  ir_set_quant(&x, 1, 3, per_axis, zps); /* replaces the per-tensor one */
  ck_assert_int_eq(x.quant->n, 3);
  ck_assert_float_eq(x.quant->scale[2], 0.3f);
  op_quant_fields(&x, &p.x_axis, &p.x_scale, &p.x_zero_point);
  ck_assert_int_eq(p.x_axis, 1); /* per axis: the kernel reads the pairs from inputs */
  op_quant_fields(&y, &p.y_axis, &p.y_scale, &p.y_zero_point);
  ck_assert_int_eq(p.y_axis, -1); /* not quantized: the identity mapping */
  ck_assert_float_eq(p.y_scale, 1.0f);
  ck_assert_int_eq(p.y_zero_point, 0);
  ir_set_quant(&x, -1, 0, NULL, NULL);
  ck_assert_ptr_null(x.quant);
}
END_TEST

START_TEST(broadcast_shapes) {
  ir_tensor a = {DT_FLOAT, 3, {2, 1, 4}, {0}, NULL}, b = {DT_FLOAT, 2, {3, 1}, {0}, NULL};
  const ir_tensor *ts[2] = {&a, &b};
  ir_graph *g = ir_new();
  dx_table *dx = ir_dx(g);
  ir_node n;
  op_ctx c;
  int exprs[IR_MAX_RANK], rank, n_sym = dx_sym(dx, "N", 1, 8), s_sym = dx_sym(dx, "S", 1, 8);
  int64_t v;
  memset(&n, 0, sizeof n);
  memset(&c, 0, sizeof c);
  n.name = "n";
  n.op_type = "Add";
  c.n = &n;
  c.g = g;
  ck_assert_int_eq(op_broadcast_exprs(&c, ts, 2, &rank, exprs), ST_OK);
  ck_assert_int_eq(rank, 3);
  ck_assert(dx_const_value(dx, exprs[0], &v) && v == 2);
  ck_assert(dx_const_value(dx, exprs[1], &v) && v == 3);
  ck_assert(dx_const_value(dx, exprs[2], &v) && v == 4);
  /* [N,1,4] with [3,1]: N passes through as the same expression */
  ir_set_dim(g, &a, 0, n_sym);
  ck_assert_int_eq(op_broadcast_exprs(&c, ts, 2, &rank, exprs), ST_OK);
  ck_assert_int_eq(exprs[0], n_sym);
  ck_assert_int_eq(a.dims[0], 8); /* the bound */
  /* N against S where neither is 1: must be equal at run time, checked */
  ir_set_dim(g, &b, 0, s_sym);
  ir_set_dim(g, &a, 1, n_sym);
  ck_assert_int_eq(op_broadcast_exprs(&c, ts, 2, &rank, exprs), ST_OK);
  ck_assert_int_eq(n.n_checks, 1);
  ck_assert(n.checks[0] == s_sym || n.checks[1] == s_sym);
  free(n.checks);
  n.checks = NULL;
  n.n_checks = 0;
  /* [3,3] against [2,1,4]: 3 vs 4 can never broadcast */
  memset(a.sym, 0, sizeof a.sym);
  memset(b.sym, 0, sizeof b.sym);
  a.dims[0] = 2, a.dims[1] = 1, b.dims[0] = 3, b.dims[1] = 3;
  ck_assert_int_eq(op_broadcast_exprs(&c, ts, 2, &rank, exprs), ST_BAD_MODEL);
  ir_free(g);
}
END_TEST

Suite *graph_suite(void) {
  Suite *s = suite_create("graph");
  TCase *tc = tcase_create("passes");
  tcase_add_test(tc, elide_identity_and_dropout);
  tcase_add_test(tc, elide_pad_of_nothing);
  tcase_add_test(tc, O0_keeps_identity);
  tcase_add_test(tc, dce_removes_unused_branch);
  tcase_add_test(tc, folds_constant_subgraph);
  tcase_add_test(tc, variadic_sum_becomes_chain);
  tcase_add_test(tc, fuses_conv_and_batchnorm);
  tcase_add_test(tc, fuses_silu);
  tcase_add_test(tc, cse_merges_twins);
  tcase_add_test(tc, toposort_orders_and_finds_cycles);
  suite_add_tcase(s, tc);
  tc = tcase_create("plan");
  tcase_add_test(tc, planner_reuses_memory);
  tcase_add_test(tc, planner_writes_in_place);
  tcase_add_test(tc, planner_in_place_needs_a_dying_input);
  tcase_add_test(tc, planner_keeps_caller_buffers);
  tcase_add_test(tc, broadcast_shapes);
  tcase_add_test(tc, quantization_fields);
  suite_add_tcase(s, tc);
  return s;
}
