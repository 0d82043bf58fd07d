/* Dim expressions through shape computations.
 *
 * Exporters compute shapes in the graph: Shape -> Gather -> Unsqueeze ->
 * Concat -> Reshape. With exact dims the constant folder evaluates such a
 * chain; with dims that vary at run time, Shape gives dim expressions
 * (ir_value.symvals) and this step carries them through the small integer
 * ops of the chain, so that the Reshape at its end still knows its output
 * dims as expressions. The nodes themselves stay in the graph and compute
 * the same values at run time, for any consumer that reads them as data.
 * A result whose expressions are all constants becomes a constant. */
#include <stdio.h>
#include <string.h>

#include "../dimexpr.h"
#include "../ir_box.h"
#include "../ops/ops.h"
#include "../subgraph.h"
#include "passes.h"

/* Element i of value v as an expression: from its data or its symvals. */
static int element(const ir_graph *g, const ir_value *v, int64_t i) {
  if (v->symvals) return v->symvals[i];
  return dx_const(ir_dx(g), tensor_int(&v->t, i));
}

static int is_int(int dt) { return dt == DT_INT64 || dt == DT_INT32; }

/* Slice of a 1-D value: the indices ONNX's clamping rules select. */
static int slice_indices(const ir_graph *g, const ir_node *n, int64_t len, int64_t *idx) {
  const ir_value *st = ir_val(g, n->n_in > 1 ? n->in[1] : -1), *en = ir_val(g, n->n_in > 2 ? n->in[2] : -1);
  const ir_value *ax = ir_val(g, n->n_in > 3 ? n->in[3] : -1), *sp = ir_val(g, n->n_in > 4 ? n->in[4] : -1);
  int64_t start, end, step = 1, i, k = 0;
  if (!st || !en || !st->t.data || !en->t.data || tensor_numel(&st->t) != 1 || tensor_numel(&en->t) != 1) return -1;
  if ((ax && (!ax->t.data || (tensor_int(&ax->t, 0) != 0 && tensor_int(&ax->t, 0) != -1))) || (sp && !sp->t.data))
    return -1;
  start = tensor_int(&st->t, 0);
  end = tensor_int(&en->t, 0);
  if (sp) step = tensor_int(&sp->t, 0);
  if (step == 0) return -1;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (step > 0) {
    start = start < 0 ? 0 : (start > len ? len : start);
    end = end < 0 ? 0 : (end > len ? len : end);
    for (i = start; i < end; i += step) idx[k++] = i;
  } else {
    start = start < 0 ? -1 : (start > len - 1 ? len - 1 : start);
    end = end < -1 ? -1 : (end > len - 1 ? len - 1 : end);
    for (i = start; i > end; i += step) idx[k++] = i;
  }
  return (int)k;
}

/* out[] for element-wise integer arithmetic on expressions; 0 when an
 * operation has no exact expression (a division that may truncate toward
 * zero differently from floor, or by something that may be 0). */
static int arith(ir_graph *g, const ir_node *n, const ir_value *a, const ir_value *b, int64_t count, int *out) {
  dx_table *dx = ir_dx(g);
  int64_t na = tensor_numel(&a->t), nb = tensor_numel(&b->t), i;
  for (i = 0; i < count; i++) {
    int x = element(g, a, na == 1 ? 0 : i), y = element(g, b, nb == 1 ? 0 : i);
    switch (n->op) {
    case OP_Add: out[i] = dx_add(dx, x, y); break;
    case OP_Sub: out[i] = dx_sub(dx, x, y); break;
    case OP_Mul: out[i] = dx_mul(dx, x, y); break;
    case OP_Max: out[i] = dx_max(dx, x, y); break;
    case OP_Min: out[i] = dx_min(dx, x, y); break;
    case OP_Div:
      /* ONNX integer Div truncates; floor agrees for x >= 0, y >= 1 */
      if (dx_lower(dx, x) < 0 || dx_lower(dx, y) < 1) return 0;
      out[i] = dx_floordiv(dx, x, y);
      break;
    default: return 0;
    }
  }
  return 1;
}

/* Split of a 1-D integer value: each output takes its run of elements
 * (the outputs' lengths are known by now). */
static void split_symvals(ir_graph *g, const ir_node *n) {
  const ir_value *x = ir_val(g, n->n_in > 0 ? n->in[0] : -1);
  int64_t at = 0, len, i;
  int k;
  for (k = 0; k < n->n_out; k++) {
    ir_value *y = ir_val(g, n->out[k]);
    if (y && !y->t.data) ir_set_symvals(y, NULL, 0); /* from an earlier round, if any */
  }
  if (!x || !x->symvals || x->t.rank != 1 || tensor_is_symbolic(&x->t)) return;
  for (k = 0; k < n->n_out; k++) {
    ir_value *y = ir_val(g, n->out[k]);
    if (!y || y->t.rank != 1 || tensor_is_symbolic(&y->t)) return;
    len = y->t.dims[0];
    if (at + len > x->t.dims[0]) return;
    if (!y->t.data && len > 0) {
      int exprs[IR_SYMVALS_MAX];
      for (i = 0; i < len && i < IR_SYMVALS_MAX; i++) exprs[i] = x->symvals[at + i];
      ir_set_symvals(y, exprs, (int)len);
    }
    at += len;
  }
}

void symvals_propagate(ir_graph *g, ir_node *n) {
  ir_value *y = ir_val(g, n->n_out > 0 ? n->out[0] : -1);
  const ir_value *x = ir_val(g, n->n_in > 0 ? n->in[0] : -1);
  int exprs[IR_SYMVALS_MAX], any = 0, k, ok = 1;
  int64_t count, i, idx[IR_SYMVALS_MAX], v;
  dx_table *dx;
  if (n->op == OP_Split && x && is_int(x->t.dtype)) {
    split_symvals(g, n);
    return;
  }
  if (!y || !x || y->t.data || !is_int(y->t.dtype) || tensor_is_symbolic(&y->t) || n->n_out != 1) return;
  switch (n->op) {
  case OP_Identity: case OP_Cast: case OP_Unsqueeze: case OP_Squeeze: case OP_Reshape: case OP_Flatten:
  case OP_Concat: case OP_Gather: case OP_Slice: case OP_Add: case OP_Sub: case OP_Mul: case OP_Div: case OP_Max:
  case OP_Min:
    ir_set_symvals(y, NULL, 0); /* from an earlier round of inference, if any */
    break;
  default: return;
  }
  for (k = 0; k < n->n_in; k++) {
    const ir_value *in = ir_val(g, n->in[k]);
    if (!in) continue;
    if (in->symvals) any = 1;
    else if (!in->t.data) return;
  }
  count = tensor_numel(&y->t);
  if (!any || count > IR_SYMVALS_MAX) return;
  switch (n->op) {
  case OP_Identity: case OP_Cast: case OP_Unsqueeze: case OP_Squeeze: case OP_Reshape: case OP_Flatten:
    if (!is_int(x->t.dtype)) return;
    for (i = 0; i < count; i++) exprs[i] = element(g, x, i);
    break;
  case OP_Concat:
    if (y->t.rank != 1) return;
    for (k = 0, i = 0; k < n->n_in; k++) {
      const ir_value *in = ir_val(g, n->in[k]);
      int64_t j, m = tensor_numel(&in->t);
      for (j = 0; j < m && i < count; j++) exprs[i++] = element(g, in, j);
    }
    ok = i == count;
    break;
  case OP_Gather: {
    const ir_value *ind = ir_val(g, n->n_in > 1 ? n->in[1] : -1);
    int64_t len = x->t.rank == 1 ? x->t.dims[0] : -1;
    if (!ind || !ind->t.data || len < 0 || attr_int(n, "axis", 0) % len != 0) return;
    for (i = 0; i < count; i++) {
      v = tensor_int(&ind->t, i);
      if (v < 0) v += len;
      if (v < 0 || v >= len) return;
      exprs[i] = element(g, x, v);
    }
    break;
  }
  case OP_Slice:
    if (x->t.rank != 1 || slice_indices(g, n, x->t.dims[0], idx) != count) return;
    for (i = 0; i < count; i++) exprs[i] = element(g, x, idx[i]);
    break;
  case OP_Add: case OP_Sub: case OP_Mul: case OP_Div: case OP_Max: case OP_Min: {
    const ir_value *b = ir_val(g, n->n_in > 1 ? n->in[1] : -1);
    if (!b || n->n_in != 2 || (tensor_numel(&x->t) != count && tensor_numel(&x->t) != 1) ||
        (tensor_numel(&b->t) != count && tensor_numel(&b->t) != 1))
      return;
    ok = arith(g, n, x, b, count, exprs);
    break;
  }
  default: return;
  }
  if (!ok) return;
  dx = ir_dx(g);
  for (i = 0; i < count && dx_const_value(dx, exprs[i], &v); i++) {
  }
  if (i < count) {
    ir_set_symvals(y, exprs, (int)count);
    return;
  }
  /* every value is known: a constant after all */
  if (!ir_fold_alloc(g, y)) return;
  for (i = 0; i < count; i++) {
    dx_const_value(dx, exprs[i], &v);
    if (y->t.dtype == DT_INT64) ((int64_t *)y->t.data)[i] = v;
    else ((int32_t *)y->t.data)[i] = (int32_t)v;
  }
}

/* ---- values read as dims ----
 * A shape operand that is neither a constant nor from Shape (ConstantOfShape
 * of a size the caller passes) would give each consumer its own run-time
 * dims, unrelated to each other, so shapes built from the same values
 * could not be matched. Instead, when such an operand is computed (through
 * the integer ops above, Split, and Ifs whose branch is known) from small
 * integer inputs of the model, those inputs get one symbol per element
 * (their values, read when the run starts and checked against
 * 0..--max-dynamic-dim) as symvals, and inference runs again; every
 * consumer then sees the same expressions. */

#define TRACE_DEPTH_MAX 64

typedef struct trace {
  ir_graph *main;
  int roots[IR_SYMVALS_MAX * 4];
  int n_roots;
} trace;

static int is_value_dims_root(const ir_graph *g, const ir_value *v) {
  return !g->parent && v->graph_input >= 0 && v->producer < 0 && !v->t.data && !v->symvals &&
         is_int(v->t.dtype) && v->t.rank <= 1 && !tensor_is_symbolic(&v->t) && tensor_numel(&v->t) >= 1 &&
         tensor_numel(&v->t) <= IR_SYMVALS_MAX && !ir_is_boxed(v);
}

/* Whether value id of g is computed only from constants and small integer
 * inputs of the model (collected in tr); 0 when some path leads elsewhere. */
static int trace_value(const ir_graph *g, int id, trace *tr, int depth) {
  const ir_value *v = ir_val(g, id);
  const ir_node *n;
  int k;
  if (!v || v->t.data || v->symvals) return v != NULL;
  if (depth > TRACE_DEPTH_MAX || !is_int(v->t.dtype)) return 0;
  if (v->capture >= 0) { /* an outer value read inside a branch */
    return g->owner && v->capture < g->owner->n_in && trace_value(g->parent, g->owner->in[v->capture], tr, depth + 1);
  }
  if (v->producer < 0) {
    if (!is_value_dims_root(g, v)) return 0;
    for (k = 0; k < tr->n_roots; k++)
      if (tr->roots[k] == id) return 1;
    if (tr->n_roots == (int)(sizeof tr->roots / sizeof tr->roots[0])) return 0;
    tr->roots[tr->n_roots++] = id;
    return 1;
  }
  n = g->nodes[v->producer];
  switch (n->op) {
  case OP_If: { /* the branch a constant condition takes */
    const ir_value *cond = ir_val(g, n->n_in > 0 ? n->in[0] : -1);
    const ir_graph *b;
    if (!cond || !cond->t.data || cond->t.dtype != DT_BOOL) return 0;
    b = ir_subgraph(n, ((const unsigned char *)cond->t.data)[0] ? "then_branch" : "else_branch");
    for (k = 0; b && k < n->n_out && n->out[k] != id; k++) {
    }
    return b && k < n->n_out && k < b->n_outputs && trace_value(b, b->outputs[k], tr, depth + 1);
  }
  case OP_Identity: case OP_Cast: case OP_Unsqueeze: case OP_Squeeze: case OP_Reshape: case OP_Flatten:
  case OP_Concat: case OP_Gather: case OP_Slice: case OP_Split: case OP_Add: case OP_Sub: case OP_Mul: case OP_Max:
  case OP_Min:
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && !trace_value(g, n->in[k], tr, depth + 1)) return 0;
    return 1;
  default: return 0;
  }
}

int symvals_request(ir_graph *g, int value) {
  trace tr;
  ir_graph *main = g;
  int k;
  int64_t i;
  char name[64];
  while (main->parent) main = main->parent;
  memset(&tr, 0, sizeof tr);
  if (main->max_dynamic_dim <= 0 || !trace_value(g, value, &tr, 0) || !tr.n_roots) return 0;
  for (k = 0; k < tr.n_roots; k++) {
    ir_value *r = main->values[tr.roots[k]];
    int exprs[IR_SYMVALS_MAX];
    int64_t n = tensor_numel(&r->t);
    for (i = 0; i < n; i++) {
      snprintf(name, sizeof name, "input%d[%lld]", r->graph_input, (long long)i);
      exprs[i] = dx_sym(ir_dx(main), name, 0, main->max_dynamic_dim);
    }
    ir_set_symvals(r, exprs, (int)n);
  }
  main->infer_again = 1;
  return 1;
}
