/* Ops whose results are always known at compile time: Constant, Shape,
 * Size, ConstantOfShape (constant shape) and Range (constant inputs).
 * infer() computes the values directly; there is no kernel to lower to. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static void set_const(op_ctx *c, int dtype, int rank, const int64_t *dims) {
  ir_value *y = op_out(c, 0);
  op_set_output(c, 0, dtype, rank, dims);
  free(y->t.data);
  y->t.data = xcalloc(1, tensor_bytes(&y->t) + 1);
}

static status constant_value(op_ctx *c) {
  const ir_node *n = c->n;
  const ir_attr *a;
  ir_value *y = op_out(c, 0);
  int64_t dim;
  if ((a = ir_attr_find(n, "value")) && a->type == ATTR_TENSOR) {
    free(y->t.data);
    tensor_copy(&y->t, &a->tensor);
    return ST_OK;
  }
  if ((a = ir_attr_find(n, "value_float"))) {
    set_const(c, DT_FLOAT, 0, NULL);
    *(float *)y->t.data = a->f;
  } else if ((a = ir_attr_find(n, "value_int"))) {
    set_const(c, DT_INT64, 0, NULL);
    *(int64_t *)y->t.data = a->i;
  } else if ((a = ir_attr_find(n, "value_floats"))) {
    dim = a->n;
    set_const(c, DT_FLOAT, 1, &dim);
    if (a->n) memcpy(y->t.data, a->floats, sizeof(float) * (size_t)a->n);
  } else if ((a = ir_attr_find(n, "value_ints"))) {
    dim = a->n;
    set_const(c, DT_INT64, 1, &dim);
    if (a->n) memcpy(y->t.data, a->ints, sizeof(int64_t) * (size_t)a->n);
  } else if (ir_attr_find(n, "value_string") || ir_attr_find(n, "value_strings")) {
    return diag_node_error(ST_UNSUPPORTED, n, "string constants are not supported");
  } else if (ir_attr_find(n, "sparse_value")) {
    return diag_node_error(ST_UNSUPPORTED, n, "sparse constants are not supported");
  } else {
    return diag_node_error(ST_BAD_MODEL, n, "Constant has no value attribute");
  }
  return ST_OK;
}

/* Shape's start/end (opset 15) are clamped, never an error. */
static status shape_value(op_ctx *c) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int64_t start = attr_int(c->n, "start", 0), end = attr_int(c->n, "end", x->rank), dim, i;
  if (start < 0) start += x->rank;
  if (end < 0) end += x->rank;
  start = start < 0 ? 0 : (start > x->rank ? x->rank : start);
  end = end < 0 ? 0 : (end > x->rank ? x->rank : end);
  dim = end > start ? end - start : 0;
  set_const(c, DT_INT64, 1, &dim);
  for (i = 0; i < dim; i++) ((int64_t *)op_out(c, 0)->t.data)[i] = x->dims[start + i];
  return ST_OK;
}

static status constant_of_shape(op_ctx *c) {
  int64_t dims[IR_MAX_RANK], i, numel;
  const ir_attr *a = ir_attr_find(c->n, "value");
  int rank = op_const_ints(c, 0, dims, IR_MAX_RANK, "the shape");
  int dtype = a && a->type == ATTR_TENSOR ? a->tensor.dtype : DT_FLOAT;
  size_t es;
  unsigned char *d;
  if (rank < 0) return ST_UNSUPPORTED;
  for (i = 0; i < rank; i++)
    if (dims[i] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "negative dim in shape");
  if (dtype_size(dtype) == 0) return diag_node_error(ST_UNSUPPORTED, c->n, "value type is not supported");
  set_const(c, dtype, rank, dims);
  numel = tensor_numel(&op_out(c, 0)->t);
  es = dtype_size(dtype);
  d = op_out(c, 0)->t.data;
  if (a && a->type == ATTR_TENSOR && a->tensor.data)
    for (i = 0; i < numel; i++) memcpy(d + (size_t)i * es, a->tensor.data, es);
  return ST_OK;
}

static status range_value(op_ctx *c) {
  const ir_value *st = op_in(c, 0), *li = op_in(c, 1), *de = op_in(c, 2);
  int64_t n, i;
  double start, limit, delta;
  int dt;
  if (!st || !li || !de || !st->t.data || !li->t.data || !de->t.data)
    return diag_node_error(ST_UNSUPPORTED, c->n, "Range needs constant start, limit and delta");
  dt = st->t.dtype;
  start = tensor_double(&st->t, 0);
  limit = tensor_double(&li->t, 0);
  delta = tensor_double(&de->t, 0);
  if (delta == 0) return diag_node_error(ST_BAD_MODEL, c->n, "delta is zero");
  n = (int64_t)ceil((limit - start) / delta);
  if (n < 0) n = 0;
  set_const(c, dt, 1, &n);
  for (i = 0; i < n; i++) {
    void *d = op_out(c, 0)->t.data;
    switch (dt) {
    case DT_FLOAT: ((float *)d)[i] = (float)((float)start + (float)i * (float)delta); break;
    case DT_DOUBLE: ((double *)d)[i] = start + (double)i * delta; break;
    case DT_INT16: ((int16_t *)d)[i] = (int16_t)(tensor_int(&st->t, 0) + i * tensor_int(&de->t, 0)); break;
    case DT_INT32: ((int32_t *)d)[i] = (int32_t)(tensor_int(&st->t, 0) + i * tensor_int(&de->t, 0)); break;
    case DT_INT64: ((int64_t *)d)[i] = tensor_int(&st->t, 0) + i * tensor_int(&de->t, 0); break;
    default: return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(dt));
    }
  }
  return ST_OK;
}

static status constant_infer(op_ctx *c) {
  if (!op_out(c, 0)) return diag_node_error(ST_BAD_MODEL, c->n, "has no output");
  switch (c->n->op) {
  case OP_Constant: return constant_value(c);
  case OP_Shape: OP_REQUIRE_INPUT(c, 0); return shape_value(c);
  case OP_Size: {
    OP_REQUIRE_INPUT(c, 0);
    set_const(c, DT_INT64, 0, NULL);
    *(int64_t *)op_out(c, 0)->t.data = tensor_numel(&op_in(c, 0)->t);
    return ST_OK;
  }
  case OP_ConstantOfShape: OP_REQUIRE_INPUT(c, 0); return constant_of_shape(c);
  case OP_Range: return range_value(c);
  default: return diag_node_error(ST_INTERNAL, c->n, "not a constant op");
  }
}

static status constant_lower(op_ctx *c, lowered *l) {
  (void)l;
  return diag_node_error(ST_INTERNAL, c->n, "is evaluated at compile time and has no kernel");
}

const op_family op_family_constant = {constant_infer, constant_lower};
