/* Reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
 * (rt_reducesum_f32, ...) and ArgMax/ArgMin (rt_argmax_f32, ...). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"


/* Which element types the runtime has a kernel for, per reduction; the
 * lowering names the variant and would report a missing one too, but
 * rejecting here says so before anything else is done with the model. */
static int reduce_dtype_ok(int op, int dt) {
  if (dt == DT_FLOAT || dt == DT_DOUBLE) return 1;
  if (dt == DT_INT32 || dt == DT_INT64)
    return op != OP_ReduceL2 && op != OP_ReduceLogSum && op != OP_ReduceLogSumExp;
  if (dt == DT_INT8 || dt == DT_UINT8 || dt == DT_BOOL) return op == OP_ReduceMax || op == OP_ReduceMin;
  return 0;
}

/* The element type's suffix in kernel names. bool runs as u8: its 0/1
 * bytes order and compare as uint8 does. */
static const char *kernel_dtype(int dt) { return op_dtype_suffix(dt == DT_BOOL ? DT_UINT8 : dt); }

/* Picks rt_<op>_<dtype>, op being the ONNX op type in lower case
 * (rt_reducesum_f32, rt_argmax_i64); NULL after reporting a combination
 * the runtime lacks. */
static void *lower_variant(const op_ctx *c, lowered *l, int dt) {
  char name[64];
  size_t k, n = strlen(c->n->op_type);
  if (n > 32) n = 32;
  memcpy(name, "rt_", 3);
  for (k = 0; k < n; k++) name[3 + k] = (char)tolower((unsigned char)c->n->op_type[k]);
  snprintf(name + 3 + n, sizeof name - 3 - n, "_%s", kernel_dtype(dt));
  return op_lower_named(c, l, name);
}

/* The reduction plan: which dims are reduced, or a no-op, or (runtime)
 * axes read when the model runs: rt_reduce_prepare plans then. */
typedef struct reduce_plan {
  int noop;                      /* empty axes with noop_with_empty_axes */
  int runtime;
  int32_t reduced[IR_MAX_RANK];
} reduce_plan;

/* Whether the axes input is read at run time: neither a constant nor
 * dims from Shape, nor known to be empty (an empty tensor's values do not
 * matter: it is the constant empty list). */
static int axes_at_run_time(const ir_value *v) {
  return v && !v->t.data && !v->symvals && (tensor_is_symbolic(&v->t) || tensor_numel(&v->t) > 0);
}

/* Run-time axes must be a list of int64; with keepdims=0 or
 * noop_with_empty_axes its length must be known, as it decides the
 * output's rank or whether the op reduces at all. */
static status runtime_axes_ok(const op_ctx *c, const ir_tensor *x, const ir_tensor *a) {
  const int keep = attr_int(c->n, "keepdims", 1) != 0;
  if (a->rank != 1 || a->dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "axes must be a 1-D int64 tensor");
  if (a->sym[0] && !keep)
    return diag_node_error(ST_UNSUPPORTED, c->n, "axes is read at run time and its length varies, which with "
                           "keepdims=0 leaves the output's rank unknown; pin the length with --dim or --shape");
  if (a->sym[0] && attr_int(c->n, "noop_with_empty_axes", 0))
    return diag_node_error(ST_UNSUPPORTED, c->n, "axes is read at run time and its length varies, and with "
                           "noop_with_empty_axes an empty list would leave the input as it is, which the "
                           "reduction kernel cannot; pin the length with --dim or --shape");
  if (a->dims[0] > x->rank && !a->sym[0])
    return diag_node_error(ST_BAD_MODEL, c->n, "axes has %lld values but the input has rank %d",
                           (long long)a->dims[0], x->rank);
  return ST_OK;
}

/* Axes are an attribute until opset 13 for ReduceSum and 18 for the others;
 * then an optional input. Empty (or absent) axes reduce everything unless
 * noop_with_empty_axes is set. */
static status reduce_axes(const op_ctx *c, reduce_plan *pl) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const ir_node *n = c->n;
  int64_t axes[IR_MAX_RANK * 2];
  int na = 0, i;
  const int axes_input = n->op == OP_ReduceSum ? c->opset >= 13 : c->opset >= 18;
  memset(pl, 0, sizeof *pl);
  if (axes_input && axes_at_run_time(op_in(c, 1))) {
    pl->runtime = 1;
    return runtime_axes_ok(c, x, &op_in(c, 1)->t);
  }
  if (axes_input) {
    if (op_in(c, 1) && (op_in(c, 1)->t.data || op_in(c, 1)->symvals)) {
      na = op_const_ints(c, 1, axes, IR_MAX_RANK * 2, "axes");
      if (na < 0) return ST_UNSUPPORTED;
    }
  } else {
    const int64_t *a;
    na = attr_ints(n, "axes", &a);
    if (na > IR_MAX_RANK * 2) return diag_node_error(ST_BAD_MODEL, n, "too many axes (%d)", na);
    if (na > 0) memcpy(axes, a, sizeof(int64_t) * (size_t)na);
    if (na < 0) na = 0;
  }
  if (na == 0) {
    if (axes_input && attr_int(n, "noop_with_empty_axes", 0)) {
      pl->noop = 1;
      return ST_OK;
    }
    for (i = 0; i < x->rank; i++) pl->reduced[i] = 1;
    return ST_OK;
  }
  for (i = 0; i < na; i++) {
    int a;
    status s = op_axis(c, axes[i], x->rank, &a);
    if (s) return s;
    if (x->rank > 0) pl->reduced[a] = 1;
  }
  return ST_OK;
}

static status arg_infer(op_ctx *c, const ir_tensor *x) {
  int dims[IR_MAX_RANK];
  int axis, i, r = 0, dt = x->dtype;
  const int keep = attr_int(c->n, "keepdims", 1) != 0;
  status s;
  if (!(dtype_is_float(dt) || dtype_is_signed_int(dt) || dtype_is_unsigned_int(dt)) || dt == DT_FLOAT16 ||
      dt == DT_BFLOAT16)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(dt));
  if ((s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis)) != ST_OK) return s;
  /* a symbolic axis whose range reaches 0 could be empty at run time */
  if (x->rank > 0 && dx_lower(op_dx(c), ir_dim(c->g, x, axis)) == 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "cannot take %s along axis %d of size 0", c->n->op_type, axis);
  for (i = 0; i < x->rank; i++) {
    if (i != axis)
      dims[r++] = ir_dim(c->g, x, i);
    else if (keep)
      dims[r++] = dx_const(op_dx(c), 1);
  }
  op_set_output_exprs(c, 0, DT_INT64, r, dims);
  return ST_OK;
}

/* The output's dims for axes read at run time. With keepdims output dim j
 * is input dim j or 1; without, it is one of input dims j..j+n, the n axes
 * falling before or after it. Where those candidates differ it is a
 * run-time dim (rt_reduce_prepare finds it), at most the largest. */
static status reduce_runtime_infer(op_ctx *c, const ir_tensor *x) {
  dx_table *dx = op_dx(c);
  const int keep = attr_int(c->n, "keepdims", 1) != 0, one = dx_const(dx, 1);
  const int n = keep ? 0 : (int)op_in(c, 1)->t.dims[0];
  int dims[IR_MAX_RANK], j, i, k = 0;
  for (j = 0; j < x->rank - n; j++) {
    int same = !keep || ir_dim(c->g, x, j) == one;
    int64_t bound = 1;
    for (i = j; i <= j + n; i++) {
      same = same && ir_dim(c->g, x, i) == ir_dim(c->g, x, j);
      if (x->dims[i] > bound) bound = x->dims[i];
    }
    if (same) dims[j] = ir_dim(c->g, x, j);
    else if ((dims[j] = op_data_dim(c, k++, bound, "the output's dims (axes read at run time)")) < 0)
      return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank - n, dims);
  return ST_OK;
}

static status reduce_infer(op_ctx *c) {
  const ir_tensor *x;
  reduce_plan pl;
  int dims[IR_MAX_RANK];
  int i, r = 0, keep;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (c->n->op == OP_ArgMax || c->n->op == OP_ArgMin) return arg_infer(c, x);
  if (!reduce_dtype_ok(c->n->op, x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = reduce_axes(c, &pl)) != ST_OK) return s;
  if (pl.runtime) return reduce_runtime_infer(c, x);
  if (pl.noop) {
    op_same_as_input(c, 0, 0);
    return ST_OK;
  }
  keep = attr_int(c->n, "keepdims", 1) != 0;
  for (i = 0; i < x->rank; i++) {
    if (!pl.reduced[i])
      dims[r++] = ir_dim(c->g, x, i);
    else if (keep)
      dims[r++] = dx_const(op_dx(c), 1);
  }
  op_set_output_exprs(c, 0, x->dtype, r, dims);
  return ST_OK;
}

static status arg_lower(op_ctx *c, lowered *l, const ir_tensor *x) {
  rt_arg_params *p;
  int axis;
  status s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  if (!(p = (rt_arg_params *)lower_variant(c, l, x->dtype))) return ST_UNSUPPORTED;
  p->select_last_index = attr_int(c->n, "select_last_index", 0) != 0;
  /* a rank-0 x has axis 0 and every product empty: outer = n = inner = 1 */
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind_product(c, l, &p->n, x, axis, x->rank > 0 ? axis + 1 : 0);
  op_bind_product(c, l, &p->inner, x, axis + 1, x->rank);
  /* p->inner holds its upper bound: room for the largest run */
  if (p->inner > 1) l->scratch_bytes = (size_t)p->inner * dtype_size(x->dtype);
  return ST_OK;
}

/* Axes read at run time: rt_reduce_prepare fills all of p from them and
 * the input's dims, and finds the output dims that depend on them. */
static status reduce_lower_runtime(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_reduce_prepare_params *q = op_prepare_as(c, l, PD_rt_reduce_prepare_params, "rt_reduce_prepare");
  int d;
  status s;
  if (!q) return ST_UNSUPPORTED;
  q->rank = x->rank;
  q->keepdims = attr_int(c->n, "keepdims", 1) != 0;
  q->noop = attr_int(c->n, "noop_with_empty_axes", 0) != 0;
  op_bind_prepare(c, l, &q->n_axes, ir_dim(c->g, &op_in(c, 1)->t, 0));
  for (d = 0; d < x->rank; d++) op_bind_prepare(c, l, &q->in_dims[d], ir_dim(c->g, x, d));
  if ((s = op_define_data_dims(c, l, y, &q->out_mask)) != ST_OK) return s;
  /* room for the largest output */
  if (c->n->op == OP_ReduceLogSumExp) l->scratch_bytes = (size_t)tensor_numel(y) * dtype_size(x->dtype);
  return ST_OK;
}

static status reduce_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  dx_table *dx = op_dx(c);
  rt_reduce_params *p;
  reduce_plan pl;
  const int one = dx_const(dx, 1);
  int gdims[IR_MAX_RANK], stride = one, count = one; /* dim expressions */
  int32_t is_one[IR_MAX_RANK], group[IR_MAX_RANK], gred[IR_MAX_RANK];
  int ng, i;
  status s;
  if (c->n->op == OP_ArgMax || c->n->op == OP_ArgMin) return arg_lower(c, l, x);
  if ((s = reduce_axes(c, &pl)) != ST_OK) return s;
  if (pl.noop) {
    rt_copy_params *cp = LOWER(l, rt_copy, rt_copy_params);
    op_bind(c, l, &cp->bytes,
            dx_mul(dx, ir_dims_product(c->g, x, 0, x->rank), dx_const(dx, (int64_t)dtype_size(x->dtype))));
    l->view_of = 0; /* the output is the input, unchanged */
    return ST_OK;
  }
  if (!(p = (rt_reduce_params *)lower_variant(c, l, x->dtype))) return ST_UNSUPPORTED;
  if (pl.runtime) return reduce_lower_runtime(c, l, x);
  /* The kernel walks merged dims (rt_reduce_merge). Only an exact 1 is
   * dropped: a symbolic dim that is 1 at run time is a harmless loop of
   * one. */
  for (i = 0; i < x->rank; i++) is_one[i] = ir_dim(c->g, x, i) == one;
  ng = rt_reduce_merge(x->rank, pl.reduced, is_one, group, gred);
  for (i = 0; i < ng; i++) gdims[i] = -1;
  for (i = 0; i < x->rank; i++) {
    const int e = ir_dim(c->g, x, i), g = group[i];
    if (g >= 0) gdims[g] = gdims[g] < 0 ? e : dx_mul(dx, gdims[g], e);
  }
  if (gdims[0] < 0) gdims[0] = one; /* every dim was 1 */
  p->rank = ng;
  for (i = ng - 1; i >= 0; i--) {
    op_bind(c, l, &p->dims[i], gdims[i]);
    if (gred[i]) {
      p->out_strides[i] = 0;
      count = dx_mul(dx, count, gdims[i]);
    } else {
      op_bind(c, l, &p->out_strides[i], stride);
      stride = dx_mul(dx, stride, gdims[i]);
    }
  }
  op_bind(c, l, &p->count, count);
  op_bind(c, l, &p->out_count, stride);
  /* p->out_count holds its upper bound: room for the largest output */
  if (c->n->op == OP_ReduceLogSumExp) l->scratch_bytes = (size_t)p->out_count * dtype_size(x->dtype);
  return ST_OK;
}

const op_family op_family_reduce = {reduce_infer, reduce_lower, 1, 0};
