/* schema_check on hand-built nodes: attribute types, required attributes,
 * input/output counts and opset versions against compiler/ops/schema.def. */
#include <string.h>

#include "../../compiler/ops/ops.h"
#include "../../compiler/ops/schema_check.h"
#include "suites.h"
#include "unit_graph.h"

/* A node of `op` whose inputs and outputs are given as comma-separated
 * names: "x,w" or "y," (a trailing comma adds an empty, absent name). */
static int split_ids(ir_graph *g, const char *list, int **ids) {
  char buf[256], *p = buf;
  int n = 0;
  strncpy(buf, list, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  *ids = xmalloc(sizeof(int) * 16);
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = 0;
    (*ids)[n++] = *p ? ir_value_get(g, p) : -1;
    if (!comma) break;
    p = comma + 1;
  }
  return n;
}

static ir_node *node(ir_graph *g, const char *op, const char *ins, const char *outs) {
  ir_node *n = ir_node_add(g, "n", op, "");
  n->n_in = *ins ? split_ids(g, ins, &n->in) : 0;
  n->n_out = split_ids(g, outs, &n->out);
  return n;
}

static void attr_i(ir_node *n, const char *name, int64_t v) { unit_new_attr(n, name, ATTR_INT)->i = v; }

static void attr_ints2(ir_node *n, const char *name, int64_t a, int64_t b) {
  ir_attr *at = unit_new_attr(n, name, ATTR_INTS);
  at->n = 2;
  at->ints = xmalloc(sizeof(int64_t) * 2);
  at->ints[0] = a;
  at->ints[1] = b;
}

static void attr_floats2(ir_node *n, const char *name, float a, float b) {
  ir_attr *at = unit_new_attr(n, name, ATTR_FLOATS);
  at->n = 2;
  at->floats = xmalloc(sizeof(float) * 2);
  at->floats[0] = a;
  at->floats[1] = b;
}

/* Checks one node built by `build` at `opset`. */
static status check(int64_t opset, ir_node *(*build)(ir_graph *)) {
  ir_graph *g = ir_new();
  status s;
  g->opset = opset;
  s = schema_check_node(g, build(g), opset);
  ir_free(g);
  return s;
}

static ir_node *conv_ok(ir_graph *g) {
  ir_node *n = node(g, "Conv", "x,w", "y");
  attr_ints2(n, "strides", 1, 1);
  attr_ints2(n, "kernel_shape", 3, 3);
  attr_i(n, "group", 1);
  return n;
}
static ir_node *conv_float_strides(ir_graph *g) {
  ir_node *n = node(g, "Conv", "x,w", "y");
  attr_floats2(n, "strides", 1.5f, 1.5f);
  return n;
}
static ir_node *conv_no_weight(ir_graph *g) { return node(g, "Conv", "x,", "y"); }
static ir_node *conv_four_inputs(ir_graph *g) { return node(g, "Conv", "x,w,b,c", "y"); }
static ir_node *conv_bias_absent(ir_graph *g) { return node(g, "Conv", "x,w,", "y"); }
static ir_node *conv_misspelt(ir_graph *g) {
  ir_node *n = node(g, "Conv", "x,w", "y");
  attr_ints2(n, "stride", 2, 2);
  return n;
}
static ir_node *conv_internal_attr(ir_graph *g) {
  ir_node *n = node(g, "Conv", "x,w", "y");
  attr_i(n, "__exporter_hint", 1);
  return n;
}
static ir_node *conv_repeated(ir_graph *g) {
  ir_node *n = node(g, "Conv", "x,w", "y");
  attr_i(n, "group", 1);
  attr_i(n, "group", 2);
  return n;
}

START_TEST(conv) {
  ck_assert_int_eq(check(13, conv_ok), ST_OK);
  ck_assert_int_eq(check(13, conv_bias_absent), ST_OK);
  ck_assert_int_eq(check(13, conv_internal_attr), ST_OK);
  ck_assert_int_eq(check(13, conv_float_strides), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, conv_no_weight), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, conv_four_inputs), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, conv_misspelt), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, conv_repeated), ST_BAD_MODEL);
}
END_TEST

static ir_node *cast_ok(ir_graph *g) {
  ir_node *n = node(g, "Cast", "x", "y");
  attr_i(n, "to", DT_INT64);
  return n;
}
static ir_node *cast_no_to(ir_graph *g) { return node(g, "Cast", "x", "y"); }
/* Cast-1..5 took `to` as a string; from 6 on it is an int. */
static ir_node *cast_string_to(ir_graph *g) {
  ir_node *n = node(g, "Cast", "x", "y");
  unit_new_attr(n, "to", ATTR_STRING)->s = xstrdup("FLOAT");
  return n;
}

START_TEST(cast) {
  ck_assert_int_eq(check(13, cast_ok), ST_OK);
  ck_assert_int_eq(check(13, cast_no_to), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, cast_string_to), ST_BAD_MODEL);
  ck_assert_int_eq(check(5, cast_string_to), ST_OK);
  ck_assert_int_eq(check(5, cast_ok), ST_BAD_MODEL);
}
END_TEST

static ir_node *relu_ok(ir_graph *g) { return node(g, "Relu", "x", "y"); }
static ir_node *relu_two_outputs(ir_graph *g) { return node(g, "Relu", "x", "y,z"); }
/* ONNX counts empty names too: a trailing "" output is still an output. */
static ir_node *relu_trailing_empty(ir_graph *g) { return node(g, "Relu", "x", "y,"); }
static ir_node *relu_no_input(ir_graph *g) { return node(g, "Relu", "", "y"); }
static ir_node *relu_empty_output(ir_graph *g) { return node(g, "Relu", "x", ""); }

START_TEST(relu) {
  ck_assert_int_eq(check(14, relu_ok), ST_OK);
  ck_assert_int_eq(check(14, relu_two_outputs), ST_BAD_MODEL);
  ck_assert_int_eq(check(14, relu_trailing_empty), ST_BAD_MODEL);
  ck_assert_int_eq(check(14, relu_no_input), ST_BAD_MODEL);
  ck_assert_int_eq(check(14, relu_empty_output), ST_BAD_MODEL);
}
END_TEST

static ir_node *dropout_no_mask(ir_graph *g) { return node(g, "Dropout", "x", "y,"); }
static ir_node *split_three(ir_graph *g) { return node(g, "Split", "x", "a,b,c"); }
static ir_node *concat_none_present(ir_graph *g) { return node(g, "Concat", ",", "y"); }
static ir_node *concat_three(ir_graph *g) {
  ir_node *n = node(g, "Concat", "a,b,c", "y");
  attr_i(n, "axis", 0);
  return n;
}
static ir_node *concat_no_axis(ir_graph *g) { return node(g, "Concat", "a,b", "y"); }

START_TEST(optional_and_variadic) {
  ck_assert_int_eq(check(13, dropout_no_mask), ST_OK);
  ck_assert_int_eq(check(13, split_three), ST_OK);
  ck_assert_int_eq(check(13, concat_three), ST_OK);
  ck_assert_int_eq(check(13, concat_none_present), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, concat_no_axis), ST_BAD_MODEL); /* axis is required from Concat-4 on */
}
END_TEST

/* Old exporters' attributes pass when the model's opset selects the schema
 * version that still defines them. */
static ir_node *bn_old(ir_graph *g) {
  ir_node *n = node(g, "BatchNormalization", "x,s,b,m,v", "y");
  attr_i(n, "spatial", 1);
  attr_i(n, "is_test", 1);
  unit_new_attr(n, "epsilon", ATTR_FLOAT)->f = 1e-5f;
  return n;
}
static ir_node *abs_consumed_inputs(ir_graph *g) {
  ir_node *n = node(g, "Abs", "x", "y");
  ir_attr *a = unit_new_attr(n, "consumed_inputs", ATTR_INTS);
  a->n = 0;
  return n;
}

START_TEST(old_attributes_follow_the_opset) {
  ck_assert_int_eq(check(6, bn_old), ST_OK);
  ck_assert_int_eq(check(15, bn_old), ST_BAD_MODEL);
  ck_assert_int_eq(check(1, abs_consumed_inputs), ST_OK);
  ck_assert_int_eq(check(6, abs_consumed_inputs), ST_BAD_MODEL);
}
END_TEST

/* Facts onnx's Python API does not show; the generator probes them. */
static ir_node *bn_two_outputs(ir_graph *g) { return node(g, "BatchNormalization", "x,s,b,m,v", "y,rm"); }
static ir_node *bn_three_outputs(ir_graph *g) { return node(g, "BatchNormalization", "x,s,b,m,v", "y,rm,rv"); }
static ir_node *upsample(ir_graph *g) { return node(g, "Upsample", "x,scales", "y"); }
static ir_node *layernorm_extra_attr(ir_graph *g) {
  ir_node *n = node(g, "LayerNormalization", "x,s", "y");
  attr_i(n, "zz_anything", 1);
  return n;
}
static ir_node *concat_gap(ir_graph *g) {
  ir_node *n = node(g, "Concat", "a,,c", "y");
  attr_i(n, "axis", 0);
  return n;
}
static ir_node *split_unused_output(ir_graph *g) { return node(g, "Split", "x", "a,,c"); }

START_TEST(count_sets_deprecation_and_unchecked_attributes) {
  ck_assert_int_eq(check(15, bn_two_outputs), ST_BAD_MODEL);  /* 1 or 3 outputs */
  ck_assert_int_eq(check(15, bn_three_outputs), ST_OK);
  ck_assert_int_eq(check(9, bn_three_outputs), ST_BAD_MODEL); /* 1 or 5 outputs */
  ck_assert_int_eq(check(9, upsample), ST_OK);
  ck_assert_int_eq(check(10, upsample), ST_BAD_MODEL);        /* deprecated */
  ck_assert_int_eq(check(17, layernorm_extra_attr), ST_OK);   /* onnx allows unchecked attributes */
  ck_assert_int_eq(check(13, concat_gap), ST_BAD_MODEL);
  ck_assert_int_eq(check(13, split_unused_output), ST_OK);
}
END_TEST

static ir_node *gelu(ir_graph *g) { return node(g, "Gelu", "x", "y"); }
static ir_node *unknown_op(ir_graph *g) { return node(g, "NoSuchOp", "x", "y"); }

START_TEST(opset_versions) {
  ck_assert_int_eq(check(13, gelu), ST_BAD_MODEL); /* Gelu is new in opset 20 */
  ck_assert_int_eq(check(20, gelu), ST_OK);
  ck_assert_int_eq(check(13, unknown_op), ST_UNSUPPORTED);
  ck_assert_ptr_null(schema_find(OP_Gelu, 19));
  ck_assert_int_eq(schema_find(OP_Gelu, 22)->since, 20);
  ck_assert_int_eq(schema_find(OP_Conv, 13)->since, 11);
}
END_TEST

/* A stale schema.def (an op added to ops.def without regenerating) would
 * make every node of that op an internal error. The compiler's own ops
 * (made by passes, never by a model) have none. */
START_TEST(every_op_has_a_schema) {
  int op;
  for (op = 0; op < OP_COUNT; op++) {
    if (op_domain(op) == OP_DOMAIN_onnxcc) {
      ck_assert_ptr_null(schema_first(op));
      ck_assert_int_eq(op_lookup("onnxcc", op_name(op)), -1); /* a model cannot name it */
      continue;
    }
    ck_assert_msg(schema_first(op) != NULL, "no schema for %s: run scripts/gen_op_schema.py", op_name(op));
  }
}
END_TEST

Suite *schema_suite(void) {
  Suite *s = suite_create("schema");
  TCase *tc = tcase_create("check");
  tcase_add_test(tc, conv);
  tcase_add_test(tc, cast);
  tcase_add_test(tc, relu);
  tcase_add_test(tc, optional_and_variadic);
  tcase_add_test(tc, old_attributes_follow_the_opset);
  tcase_add_test(tc, count_sets_deprecation_and_unchecked_attributes);
  tcase_add_test(tc, opset_versions);
  tcase_add_test(tc, every_op_has_a_schema);
  suite_add_tcase(s, tc);
  return s;
}
