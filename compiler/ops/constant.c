/* Ops whose results are known at compile time: Constant, Shape, Size,
 * ConstantOfShape (constant shape) and Range (constant inputs). infer()
 * computes the values directly. The one exception: Shape and Size of a
 * tensor whose dims vary at run time give dim expressions (symvals), which
 * lower writes with rt_dims_i64 from the run's dims. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "../../runtime/include/onnxcc/strings.h"
#include "ops.h"

/* Gives output 0 its shape and zeroed data. The data counts against the
 * folding budget; these ops have no kernel to fall back on, so a result
 * over the budget (or over the tensor size limit) is an error. */
static status set_const(op_ctx *c, int dtype, int rank, const int64_t *dims) {
  ir_value *y = op_out(c, 0);
  char buf[200];
  status s;
  op_set_output(c, 0, dtype, rank, dims);
  s = ir_check_output_shape(c->n, y);
  if (s) return s;
  if (!ir_fold_alloc(c->g, y))
    return diag_node_error(ST_UNSUPPORTED, c->n,
                           "output '%s' (%s, %lld bytes) is computed at compile time and exceeds the folding budget "
                           "(%lld bytes per tensor, %lld in all; --fold-budget raises it)",
                           y->name, tensor_type_str(&y->t, buf, sizeof buf), (long long)tensor_bytes(&y->t),
                           (long long)c->g->fold_max_tensor, (long long)c->g->fold_max_total);
  return ST_OK;
}

#define SET_CONST(c, dtype, rank, dims)             \
  do {                                              \
    status set_const_s = set_const(c, dtype, rank, dims); \
    if (set_const_s) return set_const_s;            \
  } while (0)

/* value_string (a scalar) or value_strings (1-D) into slots; a string
 * longer than --max-string-bytes is refused, never cut. */
static status string_constant(op_ctx *c) {
  const ir_attr *a = ir_attr_find(c->n, "value_strings");
  const int one = !a || a->type != ATTR_STRINGS;
  const size_t slot = dtype_size(DT_STRING);
  int64_t dim = one ? 1 : a->n, i;
  if (one && (!(a = ir_attr_find(c->n, "value_string")) || a->type != ATTR_STRING))
    return diag_node_error(ST_BAD_MODEL, c->n, "value_string must be a string");
  for (i = 0; i < dim; i++)
    if (strlen(one ? a->s : a->strings[i]) > dtype_max_string_bytes())
      return diag_node_error(ST_UNSUPPORTED, c->n, "a string is longer than --max-string-bytes (%zu) allows",
                             dtype_max_string_bytes());
  SET_CONST(c, DT_STRING, one ? 0 : 1, &dim);
  for (i = 0; i < dim; i++)
    rt_str_set_c((unsigned char *)op_out(c, 0)->t.data + (size_t)i * slot, slot, one ? a->s : a->strings[i]);
  return ST_OK;
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
    SET_CONST(c, DT_FLOAT, 0, NULL);
    *(float *)y->t.data = a->f;
  } else if ((a = ir_attr_find(n, "value_int"))) {
    SET_CONST(c, DT_INT64, 0, NULL);
    *(int64_t *)y->t.data = a->i;
  } else if ((a = ir_attr_find(n, "value_floats"))) {
    dim = a->n;
    SET_CONST(c, DT_FLOAT, 1, &dim);
    if (a->n) memcpy(y->t.data, a->floats, sizeof(float) * (size_t)a->n);
  } else if ((a = ir_attr_find(n, "value_ints"))) {
    dim = a->n;
    SET_CONST(c, DT_INT64, 1, &dim);
    if (a->n) memcpy(y->t.data, a->ints, sizeof(int64_t) * (size_t)a->n);
  } else if (ir_attr_find(n, "value_string") || ir_attr_find(n, "value_strings")) {
    return string_constant(c);
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
  for (i = 0; i < dim; i++)
    if (x->sym[start + i]) {
      /* known only at run time */
      int exprs[IR_MAX_RANK];
      ir_value *y = op_out(c, 0);
      op_set_output(c, 0, DT_INT64, 1, &dim);
      for (i = 0; i < dim; i++) exprs[i] = ir_dim(c->g, x, (int)(start + i));
      ir_set_symvals(y, exprs, (int)dim);
      return ST_OK;
    }
  SET_CONST(c, DT_INT64, 1, &dim);
  for (i = 0; i < dim; i++) ((int64_t *)op_out(c, 0)->t.data)[i] = x->dims[start + i];
  return ST_OK;
}

/* ConstantOfShape whose shape is known only at run time: dim expressions
 * from symvals, or one run-time dim per element of the shape input. The
 * output is then filled by a kernel. */
static status constant_of_shape_dynamic(op_ctx *c, int dtype) {
  const ir_value *shape = op_in(c, 0);
  int exprs[IR_MAX_RANK], k, rank;
  if (shape->t.rank != 1 || shape->t.dtype != DT_INT64 || shape->t.dims[0] > IR_MAX_RANK)
    return diag_node_error(ST_UNSUPPORTED, c->n, "the shape must be a 1-D int64 tensor of at most %d values",
                           IR_MAX_RANK);
  rank = (int)shape->t.dims[0];
  if (shape->symvals) {
    memcpy(exprs, shape->symvals, sizeof(int) * (size_t)rank);
  } else {
    op_want_value_dims(c, 0);
    for (k = 0; k < rank; k++)
      if ((exprs[k] = op_data_dim(c, k, 0, "ConstantOfShape's shape")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, dtype, rank, exprs);
  return ST_OK;
}

static status constant_of_shape(op_ctx *c) {
  int64_t dims[IR_MAX_RANK], i, numel;
  const ir_attr *a = ir_attr_find(c->n, "value");
  int dtype = a && a->type == ATTR_TENSOR ? a->tensor.dtype : DT_FLOAT;
  int rank;
  size_t es;
  unsigned char *d;
  if (a && (a->type != ATTR_TENSOR || tensor_numel(&a->tensor) != 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'value' must be a tensor of one element");
  if (!op_in(c, 0)->t.data) {
    if (dtype_size(dtype) == 0 || dtype_size(dtype) > 8)
      return diag_node_error(ST_UNSUPPORTED, c->n, "value type is not supported");
    return constant_of_shape_dynamic(c, dtype);
  }
  rank = op_const_ints(c, 0, dims, IR_MAX_RANK, "the shape");
  if (rank < 0) return ST_UNSUPPORTED;
  for (i = 0; i < rank; i++)
    if (dims[i] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "negative dim in shape");
  if (dtype_size(dtype) == 0) return diag_node_error(ST_UNSUPPORTED, c->n, "value type is not supported");
  SET_CONST(c, dtype, rank, dims);
  numel = tensor_numel(&op_out(c, 0)->t);
  es = dtype_size(dtype);
  d = op_out(c, 0)->t.data;
  if (a && a->type == ATTR_TENSOR && a->tensor.data)
    for (i = 0; i < numel; i++) memcpy(d + (size_t)i * es, a->tensor.data, es);
  return ST_OK;
}

/* Range's count is max(ceil((limit - start) / delta), 0), computed in
 * double and checked before it becomes a size: a NaN or a count beyond
 * int64 is an error, not a wrapped allocation. */
static status range_value(op_ctx *c) {
  const ir_value *st = op_in(c, 0), *li = op_in(c, 1), *de = op_in(c, 2);
  int64_t n, i, istart, idelta, v;
  double start, limit, delta, count;
  void *d;
  int dt, k;
  if (!st || !li || !de) return diag_node_error(ST_BAD_MODEL, c->n, "Range needs start, limit and delta");
  for (k = 0; k < 3; k++)
    if (tensor_numel(&op_in(c, k)->t) != 1 || op_in(c, k)->t.rank > 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "input %d must be a scalar (one value)", k);
  dt = st->t.dtype;
  if (li->t.dtype != dt || de->t.dtype != dt)
    return diag_node_error(ST_BAD_MODEL, c->n, "start, limit and delta must have the same element type");
  if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_INT16 && dt != DT_INT32 && dt != DT_INT64)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(dt));
  if (!st->t.data || !li->t.data || !de->t.data) {
    /* The length is known at run time: as an expression when the inputs
     * are dims (symvals) and delta a positive constant, else computed by
     * the kernel's prepare step. */
    int e = -1, x = 1, y = 1;
    int64_t dv = de->t.data ? tensor_int(&de->t, 0) : 0;
    if (dtype_is_float(dt) == 0 && de->t.data && dv >= 1 && (st->t.data || st->symvals) && (li->t.data || li->symvals)) {
      dx_table *dx = op_dx(c);
      x = st->symvals ? st->symvals[0] : dx_const(dx, tensor_int(&st->t, 0));
      y = li->symvals ? li->symvals[0] : dx_const(dx, tensor_int(&li->t, 0));
      e = dx_max(dx, dx_ceildiv(dx, dx_sub(dx, y, x), dx_const(dx, dv)), dx_const(dx, 0));
    } else {
      if (!dtype_is_float(dt) && dv >= 1) { /* counting up from model inputs: read them as dims */
        op_want_value_dims(c, 0);
        op_want_value_dims(c, 1);
      }
      if ((e = op_data_dim(c, 0, 0, "Range's length")) < 0) return ST_UNSUPPORTED;
    }
    op_set_output_exprs(c, 0, dt, 1, &e);
    return ST_OK;
  }
  start = tensor_double(&st->t, 0);
  limit = tensor_double(&li->t, 0);
  delta = tensor_double(&de->t, 0);
  if (delta == 0) return diag_node_error(ST_BAD_MODEL, c->n, "delta is zero");
  count = ceil((limit - start) / delta);
  if (count != count) return diag_node_error(ST_BAD_MODEL, c->n, "the element count is not a number");
  if (count > (double)CK_MAX_TENSOR_BYTES)
    return diag_node_error(ST_BAD_MODEL, c->n, "the output would have %.0f elements, more than the limit", count);
  n = count > 0 ? (int64_t)count : 0;
  SET_CONST(c, dt, 1, &n);
  d = op_out(c, 0)->t.data;
  istart = tensor_int(&st->t, 0);
  idelta = tensor_int(&de->t, 0);
  for (i = 0; i < n; i++) {
    switch (dt) {
    case DT_FLOAT: ((float *)d)[i] = (float)((float)start + (float)i * (float)delta); break;
    case DT_DOUBLE: ((double *)d)[i] = start + (double)i * delta; break;
    default:
      /* Integer Range wraps like the spec's reference (two's complement);
       * compute it in unsigned to keep C from calling that undefined. */
      v = (int64_t)((uint64_t)istart + (uint64_t)i * (uint64_t)idelta);
      if (dt == DT_INT16) ((int16_t *)d)[i] = (int16_t)v;
      else if (dt == DT_INT32) ((int32_t *)d)[i] = (int32_t)v;
      else ((int64_t *)d)[i] = v;
    }
  }
  return ST_OK;
}

static status constant_infer(op_ctx *c) {
  int k;
  if (!op_out(c, 0)) return diag_node_error(ST_BAD_MODEL, c->n, "has no output");
  ir_set_symvals(op_out(c, 0), NULL, 0);
  /* Shape and Size read only dims; the others need their inputs' values */
  for (k = 0; c->n->op != OP_Shape && c->n->op != OP_Size && k < c->n->n_in; k++)
    if (op_in(c, k) && tensor_is_symbolic(&op_in(c, k)->t))
      return diag_node_error(ST_UNSUPPORTED, c->n, "input %d has dims that vary at run time; pin them with --dim", k);
  switch (c->n->op) {
  case OP_Constant: return constant_value(c);
  case OP_Shape: OP_REQUIRE_INPUT(c, 0); return shape_value(c);
  case OP_Size: {
    OP_REQUIRE_INPUT(c, 0);
    if (tensor_is_symbolic(&op_in(c, 0)->t)) {
      int e = ir_dims_product(c->g, &op_in(c, 0)->t, 0, op_in(c, 0)->t.rank);
      op_set_output(c, 0, DT_INT64, 0, NULL);
      ir_set_symvals(op_out(c, 0), &e, 1);
      return ST_OK;
    }
    SET_CONST(c, DT_INT64, 0, NULL);
    *(int64_t *)op_out(c, 0)->t.data = tensor_numel(&op_in(c, 0)->t);
    return ST_OK;
  }
  case OP_ConstantOfShape: OP_REQUIRE_INPUT(c, 0); return constant_of_shape(c);
  case OP_Range: return range_value(c);
  default: return diag_node_error(ST_INTERNAL, c->n, "not a constant op");
  }
}

/* Range at run time: rt_range_T, after rt_range_prepare_T when the length
 * is a run-time dim. */
static status range_lower(op_ctx *c, lowered *l) {
  const ir_value *y = op_out(c, 0);
  const char *t = op_dtype_suffix(y->t.dtype);
  int e = ir_dim(c->g, &y->t, 0);
  rt_range_params *p = op_lower_as(c, l, PD_rt_range_params, "rt_range_%s", t);
  char name[64];
  if (!p) return ST_UNSUPPORTED;
  if (op_is_data_dim(c, e, 0)) {
    snprintf(name, sizeof name, "rt_range_prepare_%s", t);
    if (!op_prepare_as(c, l, PD_rt_range_params, name)) return ST_UNSUPPORTED;
    if (op_define(c, l, e)) return ST_INTERNAL;
  }
  op_bind(c, l, &p->count, e);
  return ST_OK;
}

/* ConstantOfShape at run time: rt_constant_of_shape_<bytes>, after
 * rt_constant_of_shape_prepare when the dims come from the shape's values. */
static status constant_of_shape_lower(op_ctx *c, lowered *l) {
  const ir_value *y = op_out(c, 0);
  const ir_attr *a = ir_attr_find(c->n, "value");
  size_t es = dtype_size(y->t.dtype);
  uint64_t bits = 0;
  rt_fill_params *p = op_lower_as(c, l, PD_rt_fill_params, "rt_constant_of_shape_%zu", es);
  int k;
  if (!p) return ST_UNSUPPORTED;
  /* the element's bytes in memory order, low byte first */
  if (a && a->tensor.data) {
    unsigned char e[8] = {0};
    memcpy(e, a->tensor.data, es);
    for (k = 0; k < 8; k++) bits |= (uint64_t)e[k] << (8 * k);
  }
  p->bits = (int64_t)bits;
  if (y->t.rank > 0 && op_is_data_dim(c, ir_dim(c->g, &y->t, 0), 0)) {
    rt_shape_input_params *q = op_prepare_as(c, l, PD_rt_shape_input_params, "rt_constant_of_shape_prepare");
    if (!q) return ST_UNSUPPORTED;
    q->rank = y->t.rank;
    for (k = 0; k < y->t.rank; k++)
      if (op_define(c, l, ir_dim(c->g, &y->t, k))) return ST_INTERNAL;
  }
  op_bind_product(c, l, &p->count, &y->t, 0, y->t.rank);
  return ST_OK;
}

static status constant_lower(op_ctx *c, lowered *l) {
  const ir_value *y = op_out(c, 0);
  int64_t i, n = tensor_numel(&y->t);
  kparams_rt_dims_i64 *p;
  if (c->n->op == OP_Range) return range_lower(c, l);
  if (c->n->op == OP_ConstantOfShape) return constant_of_shape_lower(c, l);
  if (!y->symvals || n > 8) return diag_node_error(ST_INTERNAL, c->n, "is evaluated at compile time and has no kernel");
  p = LOWER(l, rt_dims_i64, rt_dims_params);
  p->count = (int32_t)n;
  for (i = 0; i < n; i++) op_bind(c, l, &p->values[i], y->symvals[i]);
  return ST_OK;
}

const op_family op_family_constant = {constant_infer, constant_lower, 1, 0};
