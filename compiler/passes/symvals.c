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
#include <string.h>

#include "../dimexpr.h"
#include "../ops/ops.h"
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

void symvals_propagate(ir_graph *g, ir_node *n) {
  ir_value *y = ir_val(g, n->n_out > 0 ? n->out[0] : -1);
  const ir_value *x = ir_val(g, n->n_in > 0 ? n->in[0] : -1);
  int exprs[IR_SYMVALS_MAX], any = 0, k, ok = 1;
  int64_t count, i, idx[IR_SYMVALS_MAX], v;
  dx_table *dx;
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
