/* Rewrites nodes the kernels do not take directly into ones they do:
 * variadic Sum / Mean / Max / Min become chains of two-input nodes, Pow
 * with a differently typed exponent gets a Cast (and Pow(x, 2) becomes
 * Mul(x, x)), an old PRelu's
 * per-channel slope is unsqueezed, and SequenceConstruct becomes a chain
 * of inserts.
 * Called from the infer pass just before a node is inferred, because Mean
 * needs its inputs' element type for the divisor constant. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* New nodes go to the end of the node list: the infer pass visits them
 * at once and puts them in place, before the node they serve, when the
 * pass ends (moving them into place one by one was quadratic). */
static ir_node *insert_node(ir_graph *g, const char *name, const char *op_type) {
  return ir_node_add(g, name, op_type, "");
}

/* A new node's single output y and single int attribute. */
static void set_output_and_int_attr(ir_node *n, int y, const char *attr, int64_t value) {
  ir_attr *a;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = y;
  n->n_attr = 1;
  n->attr = xcalloc(1, sizeof(ir_attr));
  a = &n->attr[0];
  a->name = xstrdup(attr);
  a->type = ATTR_INT;
  a->i = value;
}

static void set_io(ir_node *n, int a, int b, int y) {
  n->n_in = 2;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = a;
  n->in[1] = b;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = y;
}

void legalize_add_cast(ir_graph *g, const char *name, int x, int y, int to) {
  ir_node *cast = insert_node(g, name, "Cast");
  cast->n_in = 1;
  cast->in = xmalloc(sizeof(int));
  cast->in[0] = x;
  set_output_and_int_attr(cast, y, "to", to);
}

/* Pow's exponent may have another element type than its base; the kernel
 * takes one type, so the exponent is cast to the base's type (the output
 * type the spec gives Pow). */
static int legalize_pow(ir_graph *g, int i) {
  ir_node *n = g->nodes[i];
  const ir_value *base, *expo;
  char *name;
  int y;
  if (n->n_in != 2 || n->in[0] < 0 || n->in[1] < 0) return 0;
  base = g->values[n->in[0]];
  expo = g->values[n->in[1]];
  if (base->t.dtype == expo->t.dtype || base->t.rank < 0 || expo->t.rank < 0) return 0;
  name = xasprintf("%s/CastExponent", n->name);
  y = ir_value_new(g, name);
  legalize_add_cast(g, name, n->in[1], y, base->t.dtype);
  free(name);
  n->in[1] = y;
  return 1;
}

/* Pow(x, 2) with a constant exponent becomes Mul(x, x): one correctly
 * rounded multiply per element where the kernel calls powf (a LayerNorm
 * exported before opset 17 squares the centred input with Pow, and in
 * transformer_encoder that libm call was a sixth of the run time). Only
 * for a float or double base and an exponent of one element whose rank
 * does not widen the output, so Mul's result has Pow's type and shape. */
static int legalize_pow_square(ir_graph *g, ir_node *n) {
  const ir_value *base, *expo;
  if (n->n_in != 2 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0) return 0;
  base = g->values[n->in[0]];
  expo = g->values[n->in[1]];
  if ((base->t.dtype != DT_FLOAT && base->t.dtype != DT_DOUBLE) || base->t.rank < 0 || !expo->t.data ||
      expo->t.rank < 0 || expo->t.rank > base->t.rank || tensor_numel(&expo->t) != 1 ||
      (expo->t.dtype != DT_FLOAT && expo->t.dtype != DT_DOUBLE && !dtype_is_signed_int(expo->t.dtype) &&
       !dtype_is_unsigned_int(expo->t.dtype)) ||
      tensor_double(&expo->t, 0) != 2.0)
    return 0;
  free(n->op_type);
  n->op_type = xstrdup("Mul");
  n->op = OP_Mul;
  n->in[1] = n->in[0];
  return 1;
}

/* PRelu before opset 7 applied a slope of C values per channel (axis 1,
 * Caffe's meaning: "if Slope is of size 1, the value is shared across
 * channels"); opset 7 made it numpy broadcasting, under which [C] would
 * pair with the last axis. Such a slope is unsqueezed to [C, 1, ..., 1]
 * so that broadcasting gives the old meaning. */
static void legalize_prelu_channels(ir_graph *g, ir_node *n) {
  const ir_value *x, *slope;
  ir_node *u;
  ir_attr *a;
  char *name;
  int y, k;
  if (g->opset >= 7 || n->n_in != 2 || n->in[0] < 0 || n->in[1] < 0) return;
  x = g->values[n->in[0]];
  slope = g->values[n->in[1]];
  if (x->t.rank < 3 || slope->t.rank != 1 || x->t.sym[1] || slope->t.sym[0] || slope->t.dims[0] == 1 ||
      slope->t.dims[0] != x->t.dims[1])
    return;
  name = xasprintf("%s/SlopePerChannel", n->name);
  y = ir_value_new(g, name);
  u = insert_node(g, name, "Unsqueeze");
  free(name);
  u->n_in = 1;
  u->in = xmalloc(sizeof(int));
  u->in[0] = n->in[1];
  set_output_and_int_attr(u, y, "axes", 0);
  a = &u->attr[0];
  a->type = ATTR_INTS;
  a->n = x->t.rank - 2;
  a->ints = xmalloc(sizeof(int64_t) * (size_t)a->n);
  for (k = 0; k < a->n; k++) a->ints[k] = k + 1;
  n->in[1] = y;
}

/* SequenceConstruct(x1..xn) becomes SequenceEmpty, then one
 * SequenceInsert per tensor: one kernel adds one element at its own
 * (perhaps run-time) dims. Left alone without inputs: infer reports it. */
static void legalize_sequence_construct(ir_graph *g, ir_node *n) {
  ir_node *m;
  char *name;
  int k, acc;
  if (n->n_in < 1 || n->n_out != 1 || n->in[0] < 0) return;
  for (k = 0; k < n->n_in; k++)
    if (n->in[k] < 0) return;
  name = xasprintf("%s/Empty", n->name);
  acc = ir_value_new(g, name);
  m = insert_node(g, name, "SequenceEmpty");
  free(name);
  set_output_and_int_attr(m, acc, "dtype", g->values[n->in[0]]->t.dtype);
  for (k = 0; k < n->n_in; k++) {
    int y = k == n->n_in - 1 ? n->out[0] : ir_value_new(g, n->name);
    name = xasprintf("%s/Insert%d", n->name, k);
    m = insert_node(g, name, "SequenceInsert");
    free(name);
    set_io(m, acc, n->in[k], y);
    acc = y;
  }
  n->dead = 1;
}

/* Rewrites node i where needed; see passes.h for the contract. */
void legalize_node(ir_graph *g, int i) {
  ir_node *n = g->nodes[i];
  const char *chain_op;
  int k, acc;
  if (n->op == OP_Pow) {
    if (!legalize_pow_square(g, n)) legalize_pow(g, i);
    return;
  }
  if (n->op == OP_PRelu) {
    legalize_prelu_channels(g, n);
    return;
  }
  if (n->op == OP_SequenceConstruct) {
    legalize_sequence_construct(g, n);
    return;
  }
  if (n->op != OP_Sum && n->op != OP_Mean && n->op != OP_Max && n->op != OP_Min) return;
  if (n->n_in == 2 && n->op != OP_Mean) return;
  if (n->n_in < 1 || n->n_out != 1) return; /* infer reports it */
  if (n->n_in == 1) {
    free(n->op_type);
    n->op_type = xstrdup("Identity");
    n->op = OP_Identity;
    return;
  }
  if (n->op == OP_Mean) {
    /* Sum, then divide: float, double, int32, int64 (binary.c's dtype_ok
     * for Mean lists the same). A Mean of another type stays Mean, and the
     * binary family refuses it with a message naming the type. */
    int dt = n->in[0] >= 0 ? g->values[n->in[0]]->t.dtype : 0;
    if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_INT64 && dt != DT_INT32) return;
  }
  chain_op = n->op == OP_Max ? "Max" : n->op == OP_Min ? "Min" : "Add";
  acc = n->in[0];
  for (k = 1; k < n->n_in; k++) {
    int last = k == n->n_in - 1 && n->op != OP_Mean;
    int y = last ? n->out[0] : ir_value_new(g, n->name);
    char *name = xasprintf("%s/%s%d", n->name, chain_op, k);
    ir_node *m = insert_node(g, name, chain_op);
    free(name);
    set_io(m, acc, n->in[k], y);
    acc = y;
  }
  if (n->op == OP_Mean) {
    const ir_value *x0 = g->values[n->in[0]];
    int c = ir_value_new(g, "mean_count");
    ir_value *cv = g->values[c];
    char *name = xasprintf("%s/Div", n->name);
    ir_node *m = insert_node(g, name, "Div");
    double count = (double)n->n_in;
    free(name);
    cv->t.dtype = x0->t.dtype;
    cv->t.rank = 0;
    cv->t.data = xcalloc(1, 8);
    if (x0->t.dtype == DT_DOUBLE) *(double *)cv->t.data = count;
    else if (x0->t.dtype == DT_FLOAT) *(float *)cv->t.data = (float)count;
    else if (x0->t.dtype == DT_INT64) *(int64_t *)cv->t.data = n->n_in;
    else *(int32_t *)cv->t.data = n->n_in;
    set_io(m, acc, c, n->out[0]);
  }
  n->dead = 1; /* replaced by the chain */
}
