/* Data-movement ops: Transpose, Slice, Expand, Tile, DepthToSpace and
 * SpaceToDepth (all one strided copy: each is a view of the input), Concat,
 * Split, Gather, GatherElements and Pad. None of them looks at values, so
 * every element type with a size is accepted. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "ops.h"


/* The output as a view of the input: element i of the (contiguous) output
 * reads input element offset + sum(i[d] * strides[d]). Dims, strides and
 * offset are dim expressions (dimexpr.h), so one view serves exact and
 * symbolic inputs; with exact ones every expression is a constant. */
typedef struct view {
  dx_table *dx;
  int rank;
  int dims[RT_STRIDED_MAX_RANK];
  int strides[RT_STRIDED_MAX_RANK];
  int offset;
  /* Parts a prepare kernel fills in at run time (operands read then):
   * open[d], stride d; open_offset, the offset. With keep the layout stays
   * as built (one params dim per view dim), so the prepare knows where
   * each goes. */
  int keep, open_offset;
  int open[RT_STRIDED_MAX_RANK];
} view;

static void view_init(view *v, dx_table *dx) {
  memset(v, 0, sizeof *v);
  v->dx = dx;
  v->offset = dx_const(dx, 0);
}

static void view_push(view *v, int dim, int stride) {
  v->dims[v->rank] = dim;
  v->strides[v->rank] = stride;
  v->rank++;
}

/* Whether expression e is the constant v. */
static int is_value(const dx_table *dx, int e, int64_t v) {
  int64_t x;
  return dx_const_value(dx, e, &x) && x == v;
}

/* Row-major strides of t (in elements) as expressions. Each is built from
 * the next one the same way, so a stride equals its neighbour times the dim
 * by expression id too (view_simplify merges on that). */
static void expr_strides(const op_ctx *c, const ir_tensor *t, int *s) {
  int d;
  if (t->rank > 0) s[t->rank - 1] = dx_const(op_dx(c), 1);
  for (d = t->rank - 2; d >= 0; d--) s[d] = dx_mul(op_dx(c), s[d + 1], ir_dim(c->g, t, d + 1));
}

/* Drops size-1 dims and merges neighbours that are contiguous in the
 * input, so the kernel walks as few and as long rows as possible. Only
 * what is provable from the expressions is dropped or merged: a symbolic
 * dim that is 1 at run time is walked like any other. */
static void view_simplify(view *v) {
  dx_table *dx = v->dx;
  int d, r = 0;
  if (v->keep) return;
  for (d = 0; d < v->rank; d++)
    if (is_value(dx, v->dims[d], 0)) {
      v->rank = 1;
      v->dims[0] = dx_const(dx, 0);
      v->strides[0] = dx_const(dx, 1);
      v->offset = dx_const(dx, 0);
      return;
    }
  for (d = 0; d < v->rank; d++) {
    if (is_value(dx, v->dims[d], 1)) continue;
    if (r > 0 && v->strides[r - 1] == dx_mul(dx, v->strides[d], v->dims[d])) {
      v->dims[r - 1] = dx_mul(dx, v->dims[r - 1], v->dims[d]);
      v->strides[r - 1] = v->strides[d];
      continue;
    }
    v->dims[r] = v->dims[d];
    v->strides[r] = v->strides[d];
    r++;
  }
  if (r == 0) {
    v->dims[0] = dx_const(dx, 1);
    v->strides[0] = dx_const(dx, 1);
    r = 1;
  }
  v->rank = r;
}

/* A variant chosen by element width: "rt_gather_i64idx" with 4-byte
 * elements is rt_gather_i64idx_32bit. NULL (after an error naming the node)
 * when there is no such width. */
static void *lower_width(const op_ctx *c, lowered *l, const char *base, int64_t esize) {
  char name[64];
  snprintf(name, sizeof name, "%s_%lldbit", base, (long long)(esize * 8));
  return op_lower_named(c, l, name);
}

/* Lowers the view x -> y to the strided copy its last dim calls for (see
 * kernels/tensor.h); a view that reads all of x in order is x's bytes
 * unchanged, a plain copy the planner may turn into shared memory. The
 * variant is chosen by strides known at compile time; a symbolic stride
 * takes the general walk. */
static status lower_view(const op_ctx *c, lowered *l, view *v, const ir_tensor *x, int64_t *unit) {
  dx_table *dx = v->dx;
  const int64_t esize = (int64_t)dtype_size(x->dtype);
  const int es = dx_const(dx, esize);
  rt_strided_copy_params *p;
  int d, last, plane = -1, any_open = 0;
  view_simplify(v);
  last = v->rank - 1;
  for (d = 0; d < v->rank; d++) any_open |= v->open[d];
  if (unit) *unit = 1;
  if (v->rank == 1 && !v->open[0] && !v->open_offset && is_value(dx, v->strides[0], 1) &&
      is_value(dx, v->offset, 0) && v->dims[0] == ir_dims_product(c->g, x, 0, x->rank)) {
    rt_copy_params *cp = LOWER(l, rt_copy, rt_copy_params);
    op_bind(c, l, &cp->bytes, dx_mul(dx, v->dims[0], es));
    l->view_of = 0;
    return ST_OK;
  }
  if (!v->open[last] && is_value(dx, v->strides[last], 1)) {
    /* Whole rows: counted in bytes, the element's width does not matter
     * (the prepare kernel scales what it fills in by *unit). */
    for (d = 0; d < last; d++) v->strides[d] = dx_mul(dx, v->strides[d], es);
    v->dims[last] = dx_mul(dx, v->dims[last], es);
    v->offset = dx_mul(dx, v->offset, es);
    if (unit) *unit = esize;
    p = LOWER(l, rt_copy_rows, rt_strided_copy_params);
  } else if (!v->open[last] && is_value(dx, v->strides[last], 0)) {
    p = lower_width(c, l, "rt_broadcast", esize);
  } else {
    for (d = 0; d < last && plane < 0 && !any_open; d++)
      if (is_value(dx, v->strides[d], 1)) plane = d;
    p = lower_width(c, l, plane >= 0 ? "rt_transpose" : "rt_strided_copy", esize);
  }
  if (!p) return ST_UNSUPPORTED;
  p->rank = v->rank;
  p->plane_axis = plane < 0 ? 0 : plane;
  op_bind(c, l, &p->offset, v->offset);
  for (d = 0; d < v->rank; d++) {
    op_bind(c, l, &p->dims[d], v->dims[d]);
    op_bind(c, l, &p->strides[d], v->strides[d]);
  }
  return ST_OK;
}

static status check_dtype(const op_ctx *c, int dtype) {
  if (dtype_size(dtype) == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(dtype));
  return ST_OK;
}

/* ---- Transpose ---- */

static status transpose_perm(const op_ctx *c, int rank, int *perm) {
  const int64_t *a;
  int n = attr_ints(c->n, "perm", &a), seen[IR_MAX_RANK] = {0}, i;
  if (n < 0) {
    for (i = 0; i < rank; i++) perm[i] = rank - 1 - i;
    return ST_OK;
  }
  if (n != rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "perm has %d entries but the input has rank %d", n, rank);
  for (i = 0; i < n; i++) {
    if (a[i] < 0 || a[i] >= rank || seen[a[i]])
      return diag_node_error(ST_BAD_MODEL, c->n, "perm is not a permutation of 0..%d", rank - 1);
    seen[a[i]] = 1;
    perm[i] = (int)a[i];
  }
  return ST_OK;
}

static status transpose_infer(op_ctx *c, const ir_tensor *x) {
  int perm[IR_MAX_RANK], dims[IR_MAX_RANK], i;
  status s = transpose_perm(c, x->rank, perm);
  if (s) return s;
  for (i = 0; i < x->rank; i++) dims[i] = ir_dim(c->g, x, perm[i]);
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

static status transpose_view(op_ctx *c, const ir_tensor *x, view *v) {
  int perm[IR_MAX_RANK], xs[IR_MAX_RANK], i;
  status s = transpose_perm(c, x->rank, perm);
  if (s) return s;
  expr_strides(c, x, xs);
  for (i = 0; i < x->rank; i++) view_push(v, ir_dim(c->g, x, perm[i]), xs[perm[i]]);
  return ST_OK;
}

/* ---- Slice ---- */

/* A constant start or end i on a dim that may be symbolic, clamped into
 * [lo, top]: a negative i counts from the dim's end (and cannot pass top,
 * which is the dim or the dim - 1), any other is at most top. */
static int slice_bound(dx_table *dx, int dim, int64_t i, int64_t lo, int top) {
  int e = i < 0 ? dx_add(dx, dim, dx_const(dx, i)) : dx_min(dx, dx_const(dx, i), top);
  return dx_max(dx, dx_const(dx, lo), e);
}

/* Start, step and length of the slice on every axis of x (start and
 * length as dim expressions). */
static status slice_axes(op_ctx *c, const ir_tensor *x, int *start, int64_t *step, int *len) {
  dx_table *dx = op_dx(c);
  int64_t starts[IR_MAX_RANK], ends[IR_MAX_RANK], axes[IR_MAX_RANK], steps[IR_MAX_RANK];
  int n, na, ns, i, d, done[IR_MAX_RANK] = {0};
  for (d = 0; d < x->rank; d++) {
    start[d] = dx_const(dx, 0);
    step[d] = 1;
    len[d] = ir_dim(c->g, x, d);
  }
  if (c->opset < 10) {
    const int64_t *a;
    int ne;
    n = attr_ints(c->n, "starts", &a);
    if (n < 0) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'starts'");
    if (n > IR_MAX_RANK) return diag_node_error(ST_BAD_MODEL, c->n, "too many starts");
    memcpy(starts, a, sizeof(int64_t) * (size_t)n);
    ne = attr_ints(c->n, "ends", &a);
    if (ne != n) return diag_node_error(ST_BAD_MODEL, c->n, "'starts' and 'ends' differ in length");
    memcpy(ends, a, sizeof(int64_t) * (size_t)n);
    na = attr_ints(c->n, "axes", &a);
    if (na >= 0) {
      if (na != n) return diag_node_error(ST_BAD_MODEL, c->n, "'axes' and 'starts' differ in length");
      memcpy(axes, a, sizeof(int64_t) * (size_t)n);
    }
    ns = -1;
  } else {
    int ne;
    OP_REQUIRE_INPUT(c, 1);
    OP_REQUIRE_INPUT(c, 2);
    n = op_const_ints(c, 1, starts, IR_MAX_RANK, "starts");
    if (n < 0) return ST_UNSUPPORTED;
    ne = op_const_ints(c, 2, ends, IR_MAX_RANK, "ends");
    if (ne < 0) return ST_UNSUPPORTED;
    if (ne != n) return diag_node_error(ST_BAD_MODEL, c->n, "starts and ends differ in length");
    na = -1;
    if (op_in(c, 3)) {
      na = op_const_ints(c, 3, axes, IR_MAX_RANK, "axes");
      if (na < 0) return ST_UNSUPPORTED;
      if (na != n) return diag_node_error(ST_BAD_MODEL, c->n, "axes and starts differ in length");
    }
    ns = -1;
    if (op_in(c, 4)) {
      ns = op_const_ints(c, 4, steps, IR_MAX_RANK, "steps");
      if (ns < 0) return ST_UNSUPPORTED;
      if (ns != n) return diag_node_error(ST_BAD_MODEL, c->n, "steps and starts differ in length");
    }
  }
  if (na < 0) {
    if (n > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "%d starts for rank %d", n, x->rank);
    for (i = 0; i < n; i++) axes[i] = i;
  }
  for (i = 0; i < n; i++) {
    int64_t hi, st, en, sp = ns < 0 ? 1 : steps[i];
    int dim, top, st_e, en_e;
    status s = op_axis(c, axes[i], x->rank, &d);
    if (s) return s;
    if (done[d]) return diag_node_error(ST_BAD_MODEL, c->n, "axis %d is listed twice", d);
    done[d] = 1;
    if (sp == 0) return diag_node_error(ST_BAD_MODEL, c->n, "step on axis %d is 0", d);
    if (!x->sym[d]) { /* an exact dim: the rule the prepare kernel applies at run time */
      int64_t first, count;
      rt_slice_axis(x->dims[d], starts[i], ends[i], sp, &first, &count, &step[d]);
      start[d] = dx_const(dx, first);
      len[d] = dx_const(dx, count);
      continue;
    }
    dim = ir_dim(c->g, x, d);
    hi = x->dims[d]; /* the dim's upper bound */
    /* A step longer than the dim reads one element at most, and a start or
     * end beyond either end clamps there: bound them so that nothing below
     * can overflow. */
    if (sp > hi + 1) sp = hi + 1;
    if (sp < -(hi + 1)) sp = -(hi + 1);
    st = starts[i] < -(hi + 1) ? -(hi + 1) : (starts[i] > hi + 1 ? hi + 1 : starts[i]);
    en = ends[i] < -(hi + 1) ? -(hi + 1) : (ends[i] > hi + 1 ? hi + 1 : ends[i]);
    if (sp > 0) {
      st_e = slice_bound(dx, dim, st, 0, dim);
      en_e = slice_bound(dx, dim, en, 0, dim);
      len[d] = dx_ceildiv(dx, dx_max(dx, dx_const(dx, 0), dx_sub(dx, en_e, st_e)), dx_const(dx, sp));
    } else {
      top = dx_sub(dx, dim, dx_const(dx, 1));
      st_e = slice_bound(dx, dim, st, 0, top);
      en_e = slice_bound(dx, dim, en, -1, top);
      len[d] = dx_ceildiv(dx, dx_max(dx, dx_const(dx, 0), dx_sub(dx, st_e, en_e)), dx_const(dx, -sp));
      /* An empty axis clamps start to 0 and end to -1 above, one element
       * apart: nothing is read there. */
      if (dx_lower(dx, dim) == 0) len[d] = dx_min(dx, len[d], dim);
    }
    start[d] = st_e;
    step[d] = sp;
  }
  return ST_OK;
}

/* Whether an operand is read when the model runs: neither a constant nor
 * dims the compiler knows as expressions... nor absent. Operands from
 * Shape (symvals) count as run time too: their values exist then. */
static int runtime_operand(const op_ctx *c, int k) {
  const ir_value *v = op_in(c, k);
  return v && !v->t.data;
}

/* A 1-D operand of at most `max` values whose count is known at compile
 * time (its values may not be): that count, or -1 after an error. */
static int operand_count(const op_ctx *c, int k, int max, const char *what) {
  const ir_tensor *t = &op_in(c, k)->t;
  if (t->rank != 1 || t->sym[0] || t->dims[0] > max) {
    diag_node_error(ST_UNSUPPORTED, c->n, "%s (input %d) must be a 1-D tensor of at most %d values whose count is "
                    "known at compile time", what, k, max);
    return -1;
  }
  return (int)t->dims[0];
}

/* Slice with starts, ends or steps read at run time (opset 10 on): the
 * count on each listed axis is a run-time dim (at most the axis's) that
 * rt_slice_prepare computes with rt_slice_axis. Sets the axes and whether
 * the steps are read then too (else they are in step, indexed by axis; 1
 * off the list). Axes read at run time (*open_axes) make every axis's
 * count and stride a run-time one; axes[] is then not set. */
static status slice_runtime_axes(op_ctx *c, const ir_tensor *x, int *axes, int *n, int64_t *step,
                                 int *open_steps, int *open_axes) {
  int64_t a[IR_MAX_RANK], st[IR_MAX_RANK];
  int i, d, done[IR_MAX_RANK] = {0}, dtype = op_in(c, 1)->t.dtype;
  if ((*n = operand_count(c, 1, IR_MAX_RANK, "starts")) < 0) return ST_UNSUPPORTED;
  if (operand_count(c, 2, IR_MAX_RANK, "ends") != *n)
    return diag_node_error(ST_BAD_MODEL, c->n, "starts and ends differ in length");
  if ((dtype != DT_INT32 && dtype != DT_INT64) || op_in(c, 2)->t.dtype != dtype ||
      (op_in(c, 4) && op_in(c, 4)->t.dtype != dtype))
    return diag_node_error(ST_BAD_MODEL, c->n, "starts, ends and steps must all be int32 or all int64");
  *open_axes = runtime_operand(c, 3);
  for (d = 0; d < x->rank; d++) step[d] = 1;
  if (*open_axes) {
    *open_steps = 1;
    if (operand_count(c, 3, IR_MAX_RANK, "axes") != *n || op_in(c, 3)->t.dtype != dtype)
      return diag_node_error(ST_BAD_MODEL, c->n, "axes must be like starts: %d values of type %s", *n,
                             dtype_name(dtype));
    if (op_in(c, 4) && operand_count(c, 4, IR_MAX_RANK, "steps") != *n)
      return diag_node_error(ST_BAD_MODEL, c->n, "steps and starts differ in length");
    if (*n > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "%d axes for rank %d", *n, x->rank);
    return ST_OK;
  }
  if (op_in(c, 3)) {
    if (op_const_ints(c, 3, a, IR_MAX_RANK, "axes") != *n)
      return op_in(c, 3)->t.data ? diag_node_error(ST_BAD_MODEL, c->n, "axes and starts differ in length")
                                 : ST_UNSUPPORTED;
  } else {
    if (*n > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "%d starts for rank %d", *n, x->rank);
    for (i = 0; i < *n; i++) a[i] = i;
  }
  *open_steps = runtime_operand(c, 4);
  if (op_in(c, 4) && !*open_steps && op_const_ints(c, 4, st, IR_MAX_RANK, "steps") != *n)
    return diag_node_error(ST_BAD_MODEL, c->n, "steps and starts differ in length");
  if (op_in(c, 4) && *open_steps && operand_count(c, 4, IR_MAX_RANK, "steps") != *n)
    return diag_node_error(ST_BAD_MODEL, c->n, "steps and starts differ in length");
  for (i = 0; i < *n; i++) {
    status s = op_axis(c, a[i], x->rank, &d);
    if (s) return s;
    if (done[d]) return diag_node_error(ST_BAD_MODEL, c->n, "axis %d is listed twice", d);
    done[d] = 1;
    axes[i] = d;
    if (op_in(c, 4) && !*open_steps) {
      int64_t hi = x->dims[d] + 1; /* a longer step reads one element at most (rt_slice_axis) */
      if (st[i] == 0) return diag_node_error(ST_BAD_MODEL, c->n, "step on axis %d is 0", d);
      step[d] = st[i] > hi ? hi : (st[i] < -hi ? -hi : st[i]);
    }
  }
  return ST_OK;
}

static int slice_is_runtime(const op_ctx *c) {
  return c->opset >= 10 && (runtime_operand(c, 1) || runtime_operand(c, 2) || runtime_operand(c, 4));
}

static status slice_runtime_infer(op_ctx *c, const ir_tensor *x) {
  int axes[IR_MAX_RANK], dims[IR_MAX_RANK], n, open_steps, open_axes, i, d;
  int64_t step[IR_MAX_RANK];
  status s = slice_runtime_axes(c, x, axes, &n, step, &open_steps, &open_axes);
  if (s) return s;
  for (d = 0; d < x->rank; d++) dims[d] = ir_dim(c->g, x, d);
  if (open_axes) { /* any axis may be sliced */
    n = x->rank;
    for (i = 0; i < n; i++) axes[i] = i;
  }
  for (i = 0; i < n; i++) {
    d = axes[i];
    dims[d] = op_data_dim(c, i, x->dims[d] > 0 ? x->dims[d] : 1, "Slice's output");
    if (dims[d] < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

/* The view of a run-time slice: the output's dims, strides from the
 * constant steps (else filled in by the prepare, one params dim per axis)
 * and the offset filled in by the prepare. */
static status slice_runtime_lower(op_ctx *c, lowered *l, const ir_tensor *x, view *v) {
  dx_table *dx = op_dx(c);
  const ir_tensor *y = &op_out(c, 0)->t;
  int axes[IR_MAX_RANK], xs[IR_MAX_RANK], n, open_steps, open_axes, i, d;
  int64_t step[IR_MAX_RANK], unit;
  rt_slice_prepare_params *q;
  status s = slice_runtime_axes(c, x, axes, &n, step, &open_steps, &open_axes);
  if (s) return s;
  expr_strides(c, x, xs);
  for (d = 0; d < x->rank; d++) view_push(v, ir_dim(c->g, y, d), dx_mul(dx, xs[d], dx_const(dx, step[d])));
  v->open_offset = 1;
  if (open_axes) /* any axis may be sliced */
    for (i = 0; i < x->rank; i++) axes[i] = i;
  if (open_steps) {
    v->keep = 1;
    for (i = 0; i < (open_axes ? x->rank : n); i++) {
      v->open[axes[i]] = 1;
      v->strides[axes[i]] = dx_const(dx, 0); /* a placeholder */
    }
  }
  if ((s = lower_view(c, l, v, x, &unit)) != ST_OK) return s;
  q = op_prepare_as(c, l, PD_rt_slice_prepare_params, "rt_slice_prepare");
  if (!q) return ST_UNSUPPORTED;
  q->rank = x->rank;
  q->naxes = n;
  q->index_i32 = op_in(c, 1)->t.dtype == DT_INT32;
  q->open_strides = open_steps;
  q->axes_in = open_axes;
  q->unit = unit;
  for (d = 0; d < x->rank; d++) op_bind_prepare(c, l, &q->in_dims[d], ir_dim(c->g, x, d));
  for (i = 0; i < n && !open_axes; i++) {
    q->axes[i] = axes[i];
    if (op_define(c, l, ir_dim(c->g, y, axes[i]))) return ST_INTERNAL;
  }
  for (d = 0; d < x->rank && open_axes; d++)
    if (op_define(c, l, ir_dim(c->g, y, d))) return ST_INTERNAL;
  return ST_OK;
}

static status slice_infer(op_ctx *c, const ir_tensor *x) {
  int start[IR_MAX_RANK], len[IR_MAX_RANK];
  int64_t step[IR_MAX_RANK];
  status s;
  if (slice_is_runtime(c)) return slice_runtime_infer(c, x);
  s = slice_axes(c, x, start, step, len);
  if (s) return s;
  op_set_output_exprs(c, 0, x->dtype, x->rank, len);
  return ST_OK;
}

static status slice_view(op_ctx *c, const ir_tensor *x, view *v) {
  dx_table *dx = op_dx(c);
  int start[IR_MAX_RANK], len[IR_MAX_RANK], xs[IR_MAX_RANK], d;
  int64_t step[IR_MAX_RANK];
  status s = slice_axes(c, x, start, step, len);
  if (s) return s;
  expr_strides(c, x, xs);
  for (d = 0; d < x->rank; d++) {
    view_push(v, len[d], dx_mul(dx, xs[d], dx_const(dx, step[d])));
    v->offset = dx_add(dx, v->offset, dx_mul(dx, start[d], xs[d]));
  }
  return ST_OK;
}

/* ---- Expand ---- */

/* The constant shape broadcast against x's dims (op_broadcast_exprs: a
 * symbolic dim meets 1 or itself only). */
static status expand_shape(op_ctx *c, const ir_tensor *x, int *rank, int *dims) {
  ir_tensor shape;
  const ir_tensor *ts[2];
  int n, d;
  OP_REQUIRE_INPUT(c, 1);
  memset(&shape, 0, sizeof shape);
  if (op_in(c, 1)->symvals) { /* from Shape: dims as expressions, so the output keeps them */
    int e[IR_MAX_RANK];
    if ((n = op_const_exprs(c, 1, e, IR_MAX_RANK, "the shape")) < 0) return ST_UNSUPPORTED;
    for (d = 0; d < n; d++) ir_set_dim(c->g, &shape, d, e[d]);
  } else {
    n = op_const_ints(c, 1, shape.dims, IR_MAX_RANK, "the shape");
    if (n < 0) return ST_UNSUPPORTED;
  }
  for (d = 0; d < n; d++)
    if (!shape.sym[d] && shape.dims[d] < 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "shape has a negative dim %lld", (long long)shape.dims[d]);
  shape.rank = n;
  shape.dtype = x->dtype;
  ts[0] = x;
  ts[1] = &shape;
  return op_broadcast_exprs(c, ts, 2, rank, dims);
}

/* Expand to a shape read at run time (or from Shape): the output has
 * max(rank, the shape's length) dims. Where the input's dim is 1 or absent
 * the dim is the shape's, a run-time dim bounded by --max-dynamic-dim;
 * elsewhere it is the input's, and rt_expand_prepare checks that the shape
 * says 1 or the same. from_shape[d] marks the first kind. */
static int expand_is_runtime(const op_ctx *c) { return runtime_operand(c, 1) && !op_in(c, 1)->symvals; }

static status expand_runtime(op_ctx *c, const ir_tensor *x, int *rank, int *dims, int32_t *from_shape) {
  int n, d, k = 0;
  if ((n = operand_count(c, 1, IR_MAX_RANK, "the shape")) < 0) return ST_UNSUPPORTED;
  if (op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "the shape must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
  *rank = n > x->rank ? n : x->rank;
  for (d = 0; d < *rank; d++) {
    int xd = d - (*rank - x->rank), sd = d - (*rank - n);
    from_shape[d] = sd >= 0 && (xd < 0 || is_value(op_dx(c), ir_dim(c->g, x, xd), 1));
    if (from_shape[d]) {
      if ((dims[d] = op_data_dim(c, k++, 0, "Expand's output")) < 0) return ST_UNSUPPORTED;
    } else {
      dims[d] = ir_dim(c->g, x, xd);
    }
  }
  return ST_OK;
}

static status expand_infer(op_ctx *c, const ir_tensor *x) {
  int dims[IR_MAX_RANK], rank;
  int32_t from_shape[IR_MAX_RANK];
  status s;
  OP_REQUIRE_INPUT(c, 1);
  s = expand_is_runtime(c) ? expand_runtime(c, x, &rank, dims, from_shape) : expand_shape(c, x, &rank, dims);
  if (s) return s;
  op_set_output_exprs(c, 0, x->dtype, rank, dims);
  return ST_OK;
}

/* x read broadcast to y's shape: stride 0 on the dims x stretches. */
static void broadcast_view(const op_ctx *c, const ir_tensor *x, const ir_tensor *y, view *v) {
  int xs[IR_MAX_RANK], d, off = y->rank - x->rank;
  expr_strides(c, x, xs);
  for (d = 0; d < y->rank; d++) {
    int yd = ir_dim(c->g, y, d);
    if (d < off || (is_value(v->dx, ir_dim(c->g, x, d - off), 1) && !is_value(v->dx, yd, 1)))
      view_push(v, yd, dx_const(v->dx, 0));
    else
      view_push(v, yd, xs[d - off]);
  }
}

/* The prepare of a run-time Expand: checks the shape against the input
 * and writes the dims taken from it. */
static status expand_runtime_prepare(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *y = &op_out(c, 0)->t;
  int dims[IR_MAX_RANK], rank, d;
  int32_t from_shape[IR_MAX_RANK];
  rt_expand_prepare_params *q;
  status s = expand_runtime(c, x, &rank, dims, from_shape);
  if (s) return s;
  q = op_prepare_as(c, l, PD_rt_expand_prepare_params, "rt_expand_prepare");
  if (!q) return ST_UNSUPPORTED;
  q->in_rank = x->rank;
  q->out_rank = rank;
  q->n = (int32_t)op_in(c, 1)->t.dims[0];
  for (d = 0; d < x->rank; d++) op_bind_prepare(c, l, &q->in_dims[d], ir_dim(c->g, x, d));
  for (d = 0; d < rank; d++) {
    q->from_shape[d] = from_shape[d];
    if (from_shape[d] && op_define(c, l, ir_dim(c->g, y, d))) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- Tile ---- */

static status tile_repeats(op_ctx *c, const ir_tensor *x, int64_t *rep) {
  int n, d;
  if (c->opset < 6) return diag_node_error(ST_UNSUPPORTED, c->n, "Tile before opset 6 is not supported");
  OP_REQUIRE_INPUT(c, 1);
  n = op_const_ints(c, 1, rep, IR_MAX_RANK, "repeats");
  if (n < 0) return ST_UNSUPPORTED;
  if (n != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "repeats has %d values but the input has rank %d", n, x->rank);
  for (d = 0; d < n; d++)
    if (rep[d] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "repeats[%d] is negative", d);
  return ST_OK;
}

/* Tile with repeats read at run time: each output dim is a run-time dim
 * (rt_tile_dim), bounded by --max-dynamic-dim or the input's dim if that
 * is larger (so one repeat always fits). */
static status tile_runtime_infer(op_ctx *c, const ir_tensor *x) {
  int dims[IR_MAX_RANK], d;
  int64_t mdd = c->g->max_dynamic_dim;
  if (c->opset < 6) return diag_node_error(ST_UNSUPPORTED, c->n, "Tile before opset 6 is not supported");
  if (operand_count(c, 1, IR_MAX_RANK, "repeats") != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "repeats must hold one value per input dim (%d)", x->rank);
  if (op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "repeats must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
  for (d = 0; d < x->rank; d++) {
    int64_t bound = mdd > 0 && x->dims[d] > mdd ? x->dims[d] : mdd; /* 0: op_data_dim names the flag */
    if ((dims[d] = op_data_dim(c, d, bound, "Tile's output")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

/* A run-time Tile's view keeps its layout [rep0, d0, rep1, d1, ...] with
 * a zero stride on each repeat dim, whose count rt_tile_prepare fills in. */
static status tile_runtime_lower(op_ctx *c, lowered *l, const ir_tensor *x, view *v) {
  const ir_tensor *y = &op_out(c, 0)->t;
  int xs[IR_MAX_RANK], d;
  rt_tile_prepare_params *q;
  status s;
  expr_strides(c, x, xs);
  v->keep = 1;
  for (d = 0; d < x->rank; d++) {
    view_push(v, dx_const(v->dx, 0), dx_const(v->dx, 0)); /* the count: a placeholder */
    view_push(v, ir_dim(c->g, x, d), xs[d]);
  }
  if ((s = lower_view(c, l, v, x, NULL)) != ST_OK) return s;
  q = op_prepare_as(c, l, PD_rt_tile_prepare_params, "rt_tile_prepare");
  if (!q) return ST_UNSUPPORTED;
  q->rank = x->rank;
  for (d = 0; d < x->rank; d++) {
    q->rep_at[d] = 2 * d;
    op_bind_prepare(c, l, &q->in_dims[d], ir_dim(c->g, x, d));
    if (op_define(c, l, ir_dim(c->g, y, d))) return ST_INTERNAL;
  }
  return ST_OK;
}

static status tile_infer(op_ctx *c, const ir_tensor *x) {
  int64_t rep[IR_MAX_RANK], grown;
  int dims[IR_MAX_RANK], d;
  status s;
  OP_REQUIRE_INPUT(c, 1);
  if (runtime_operand(c, 1) && x->rank > 0) return tile_runtime_infer(c, x);
  s = tile_repeats(c, x, rep);
  if (s) return s;
  for (d = 0; d < x->rank; d++) {
    if (!ck_mul(x->dims[d], rep[d], &grown)) /* the upper bound: the largest */
      return diag_node_error(ST_BAD_MODEL, c->n, "axis %d: %lld repeats of %lld elements overflow", d,
                             (long long)rep[d], (long long)x->dims[d]);
    dims[d] = dx_mul(op_dx(c), ir_dim(c->g, x, d), dx_const(op_dx(c), rep[d]));
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

/* Tile is a broadcast over interleaved dims: [rep0, d0, rep1, d1, ...]
 * with a zero stride on each repeat dim. */
static status tile_view(op_ctx *c, const ir_tensor *x, view *v) {
  int64_t rep[IR_MAX_RANK];
  int xs[IR_MAX_RANK], d;
  status s = tile_repeats(c, x, rep);
  if (s) return s;
  expr_strides(c, x, xs);
  for (d = 0; d < x->rank; d++) {
    if (rep[d] != 1) view_push(v, dx_const(v->dx, rep[d]), dx_const(v->dx, 0));
    view_push(v, ir_dim(c->g, x, d), xs[d]);
  }
  return ST_OK;
}

/* ---- DepthToSpace / SpaceToDepth ---- */

/* Checks blocksize and the input's shape; *b2 is blocksize squared, which
 * must not overflow (a blocksize of 2^32 once made it 0 and divided by it).
 * Sizes are checked on the upper bounds; divisibility only on exact dims
 * (block_infer has the symbolic ones checked at run time). */
static status block_check(op_ctx *c, const ir_tensor *x, int64_t *b) {
  int64_t b2, grown;
  *b = attr_int(c->n, "blocksize", 0);
  if (*b <= 0) return diag_node_error(ST_BAD_MODEL, c->n, "blocksize must be positive");
  if (x->rank != 4) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 4, not %d", x->rank);
  if (!ck_mul(*b, *b, &b2) || (c->n->op == OP_SpaceToDepth && !ck_mul(x->dims[1], b2, &grown)) ||
      (c->n->op == OP_DepthToSpace && (!ck_mul(x->dims[2], *b, &grown) || !ck_mul(x->dims[3], *b, &grown))))
    return diag_node_error(ST_BAD_MODEL, c->n, "blocksize %lld is too large for input dims", (long long)*b);
  {
    const char *mode = attr_string(c->n, "mode", "DCR");
    if (strcmp(mode, "DCR") != 0 && strcmp(mode, "CRD") != 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "mode '%s' is not DCR or CRD", mode);
  }
  if (c->n->op == OP_DepthToSpace) {
    if (!x->sym[1] && x->dims[1] % (*b * *b))
      return diag_node_error(ST_BAD_MODEL, c->n, "channels %lld are not a multiple of blocksize^2 = %lld",
                             (long long)x->dims[1], (long long)(*b * *b));
  } else if ((!x->sym[2] && x->dims[2] % *b) || (!x->sym[3] && x->dims[3] % *b)) {
    return diag_node_error(ST_BAD_MODEL, c->n, "height %lld and width %lld must be multiples of blocksize %lld",
                           (long long)x->dims[2], (long long)x->dims[3], (long long)*b);
  }
  return ST_OK;
}

/* dim / q as an expression (block_check made sure q divides an exact dim). */
static int block_div(const op_ctx *c, int dim, int64_t q) {
  return dx_floordiv(op_dx(c), dim, dx_const(op_dx(c), q));
}

/* q must divide a symbolic dim too: the run checks it. */
static status block_check_divides(op_ctx *c, int dim, int64_t q) {
  return op_check_equal(c, dx_mul(op_dx(c), block_div(c, dim, q), dx_const(op_dx(c), q)), dim,
                        "a dim divided by the blocksize");
}

static status block_infer(op_ctx *c, const ir_tensor *x) {
  dx_table *dx = op_dx(c);
  int64_t b;
  int dims[4], C, H, W;
  status s = block_check(c, x, &b);
  if (s) return s;
  dims[0] = ir_dim(c->g, x, 0);
  C = ir_dim(c->g, x, 1);
  H = ir_dim(c->g, x, 2);
  W = ir_dim(c->g, x, 3);
  if (c->n->op == OP_DepthToSpace) {
    s = block_check_divides(c, C, b * b);
    dims[1] = block_div(c, C, b * b);
    dims[2] = dx_mul(dx, H, dx_const(dx, b));
    dims[3] = dx_mul(dx, W, dx_const(dx, b));
  } else {
    s = block_check_divides(c, H, b);
    if (!s) s = block_check_divides(c, W, b);
    dims[1] = dx_mul(dx, C, dx_const(dx, b * b));
    dims[2] = block_div(c, H, b);
    dims[3] = block_div(c, W, b);
  }
  if (s) return s;
  op_set_output_exprs(c, 0, x->dtype, 4, dims);
  return ST_OK;
}

static status block_view(op_ctx *c, const ir_tensor *x, view *v) {
  dx_table *dx = op_dx(c);
  int64_t b;
  int xs[4], N, C, H, W, bb, b2;
  status s = block_check(c, x, &b);
  if (s) return s;
  N = ir_dim(c->g, x, 0);
  C = ir_dim(c->g, x, 1);
  H = ir_dim(c->g, x, 2);
  W = ir_dim(c->g, x, 3);
  bb = dx_const(dx, b);
  b2 = dx_const(dx, b * b);
  expr_strides(c, x, xs);
  if (c->n->op == OP_DepthToSpace) {
    /* Output [N, C', H, b1, W, b2]; the input channel is (b1*b + b2)*C' + c
     * in DCR mode, c*b*b + b1*b + b2 in CRD mode. */
    const int Co = block_div(c, C, b * b);
    int crd = strcmp(attr_string(c->n, "mode", "DCR"), "CRD") == 0;
    view_push(v, N, xs[0]);
    view_push(v, Co, crd ? dx_mul(dx, b2, xs[1]) : xs[1]);
    view_push(v, H, xs[2]);
    view_push(v, bb, crd ? dx_mul(dx, bb, xs[1]) : dx_mul(dx, dx_mul(dx, bb, Co), xs[1]));
    view_push(v, W, xs[3]);
    view_push(v, bb, crd ? xs[1] : dx_mul(dx, Co, xs[1]));
  } else {
    /* Output [N, b1, b2, C, H', W'] (DCR; [N, C, b1, b2, H', W'] in CRD,
     * opset 28) reads input [n, c, h*b + b1, w*b + b2]. */
    const int Ho = block_div(c, H, b), Wo = block_div(c, W, b);
    int crd = strcmp(attr_string(c->n, "mode", "DCR"), "CRD") == 0;
    view_push(v, N, xs[0]);
    if (crd) view_push(v, C, xs[1]);
    view_push(v, bb, xs[2]);
    view_push(v, bb, xs[3]);
    if (!crd) view_push(v, C, xs[1]);
    view_push(v, Ho, dx_mul(dx, bb, xs[2]));
    view_push(v, Wo, dx_mul(dx, bb, xs[3]));
  }
  return ST_OK;
}

/* ---- Concat ---- */

static status concat_axis(op_ctx *c, int *axis) {
  const ir_attr *a = ir_attr_find(c->n, "axis");
  const ir_tensor *x0 = &op_in(c, 0)->t;
  if (!a && c->opset >= 4) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'axis'");
  return op_axis(c, a ? a->i : 1, x0->rank, axis);
}

/* Bytes of t's dims [from, rank) as an expression. */
static int slab_bytes(const op_ctx *c, const ir_tensor *t, int from) {
  return dx_mul(op_dx(c), ir_dims_product(c->g, t, from, t->rank), dx_const(op_dx(c), (int64_t)dtype_size(t->dtype)));
}

static status concat_infer(op_ctx *c) {
  int64_t bound;
  int dims[IR_MAX_RANK], k, d, axis;
  const ir_tensor *x0;
  status s;
  if (c->n->n_in < 1) return diag_node_error(ST_BAD_MODEL, c->n, "needs at least one input");
  if (c->n->n_in > RT_CONCAT_MAX)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%d inputs, at most %d are supported", c->n->n_in, RT_CONCAT_MAX);
  for (k = 0; k < c->n->n_in; k++) OP_REQUIRE_INPUT(c, k);
  x0 = &op_in(c, 0)->t;
  s = check_dtype(c, x0->dtype);
  if (s) return s;
  if (x0->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot concatenate scalars");
  s = concat_axis(c, &axis);
  if (s) return s;
  for (d = 0; d < x0->rank; d++) dims[d] = ir_dim(c->g, x0, d);
  bound = x0->dims[axis];
  for (k = 1; k < c->n->n_in; k++) {
    const ir_tensor *t = &op_in(c, k)->t;
    if (t->dtype != x0->dtype)
      return diag_node_error(ST_BAD_MODEL, c->n, "input %d is %s but input 0 is %s", k, dtype_name(t->dtype),
                             dtype_name(x0->dtype));
    if (t->rank != x0->rank)
      return diag_node_error(ST_BAD_MODEL, c->n, "input %d has rank %d but input 0 has rank %d", k, t->rank,
                             x0->rank);
    for (d = 0; d < t->rank; d++) {
      if (d == axis) continue;
      if (t->sym[d] || x0->sym[d]) {
        /* equal at run time, or RT_ERR_SHAPE; an exact one names the dim */
        s = op_check_equal(c, ir_dim(c->g, t, d), dims[d], "inputs' dims off the concatenated axis");
        if (s) return s;
        if (!t->sym[d]) dims[d] = ir_dim(c->g, t, d);
      } else if (t->dims[d] != x0->dims[d]) {
        char a[128], b[128];
        return diag_node_error(ST_BAD_MODEL, c->n, "input %d %s does not match input 0 %s off axis %d", k,
                               tensor_type_str(t, a, sizeof a), tensor_type_str(x0, b, sizeof b), axis);
      }
    }
    if (!ck_add(bound, t->dims[axis], &bound)) /* the upper bounds: the largest */
      return diag_node_error(ST_BAD_MODEL, c->n, "the concatenated axis %d overflows", axis);
    dims[axis] = dx_add(op_dx(c), dims[axis], ir_dim(c->g, t, axis));
  }
  op_set_output_exprs(c, 0, x0->dtype, x0->rank, dims);
  return ST_OK;
}

static status concat_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  int axis, k;
  rt_concat_params *p;
  status s = concat_axis(c, &axis);
  if (s) return s;
  if (c->n->n_in == 1) { /* one input: its bytes unchanged */
    rt_copy_params *cp = LOWER(l, rt_copy, rt_copy_params);
    op_bind(c, l, &cp->bytes, slab_bytes(c, y, 0));
    l->view_of = 0;
    return ST_OK;
  }
  p = LOWER(l, rt_concat, rt_concat_params);
  p->n = c->n->n_in;
  op_bind_product(c, l, &p->outer, y, 0, axis);
  for (k = 0; k < c->n->n_in; k++) op_bind(c, l, &p->bytes[k], slab_bytes(c, &op_in(c, k)->t, axis));
  return ST_OK;
}

/* ---- Split ---- */

/* The outputs' sizes along the axis, as expressions. With `infer` set,
 * also what only the run can check: that the sizes fill a symbolic axis. */
static status split_sizes(op_ctx *c, const ir_tensor *x, int infer, int *axis_out, int *sizes) {
  dx_table *dx = op_dx(c);
  int n_out = c->n->n_out, k, n = -1, axis, dim_e;
  int64_t dim, sum = 0, given[RT_CONCAT_MAX];
  status s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  if (n_out < 1) return diag_node_error(ST_BAD_MODEL, c->n, "has no outputs");
  if (n_out > RT_CONCAT_MAX)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%d outputs, at most %d are supported", n_out, RT_CONCAT_MAX);
  dim = x->dims[axis];
  dim_e = ir_dim(c->g, x, axis);
  if (runtime_operand(c, 1) && !(op_in(c, 1)->t.rank == 1 && op_in(c, 1)->t.dims[0] == 0 && !op_in(c, 1)->t.sym[0])) {
    /* sizes read at run time: each a run-time dim, at most the axis's;
     * rt_split_prepare checks them with rt_split_check */
    if (c->opset < 13) return diag_node_error(ST_BAD_MODEL, c->n, "split is an input only from opset 13");
    if ((n = operand_count(c, 1, LOWERED_MAX_DEFINES, "split")) < 0) return ST_UNSUPPORTED;
    if (op_in(c, 1)->t.dtype != DT_INT64)
      return diag_node_error(ST_BAD_MODEL, c->n, "split must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
    if (n != n_out) return diag_node_error(ST_BAD_MODEL, c->n, "split has %d values for %d outputs", n, n_out);
    for (k = 0; k < n_out; k++)
      if ((sizes[k] = op_data_dim(c, k, dim > 0 ? dim : 1, "Split's output")) < 0) return ST_UNSUPPORTED;
    *axis_out = axis;
    return ST_OK;
  }
  if (op_in(c, 1) && tensor_numel(&op_in(c, 1)->t) > 0) {
    n = op_const_ints(c, 1, given, RT_CONCAT_MAX, "split");
    if (n < 0) return ST_UNSUPPORTED;
  } else if (c->opset < 13) {
    const int64_t *a;
    n = attr_ints(c->n, "split", &a);
    if (n > RT_CONCAT_MAX) return diag_node_error(ST_UNSUPPORTED, c->n, "too many splits");
    if (n > 0) memcpy(given, a, sizeof(int64_t) * (size_t)n);
  }
  if (n >= 0) {
    if (n != n_out)
      return diag_node_error(ST_BAD_MODEL, c->n, "split has %d values for %d outputs", n, n_out);
    for (k = 0; k < n; k++) {
      if (given[k] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "split[%d] is negative", k);
      if (!ck_add(sum, given[k], &sum)) return diag_node_error(ST_BAD_MODEL, c->n, "split overflows");
      sizes[k] = dx_const(dx, given[k]);
    }
    if (x->sym[axis]) {
      if (infer) {
        s = op_check_equal(c, dx_const(dx, sum), dim_e, "the sum of split against the axis");
        if (s) return s;
      }
    } else if (sum != dim) {
      return diag_node_error(ST_BAD_MODEL, c->n, "split sums to %lld but axis %d has %lld", (long long)sum, axis,
                             (long long)dim);
    }
  } else if (c->opset >= 18 && ir_attr_find(c->n, "num_outputs")) {
    int64_t num = attr_int(c->n, "num_outputs", 0), chunk;
    if (num != n_out)
      return diag_node_error(ST_BAD_MODEL, c->n, "num_outputs is %lld but the node has %d outputs", (long long)num,
                             n_out);
    /* Chunks of ceil(dim / num), the last one smaller: on a symbolic axis
     * that is only well defined for every size in the range when num
     * divides each, which nothing here can check. */
    if (x->sym[axis])
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "num_outputs on axis %d, whose size varies at run time, may split unevenly; pin the "
                             "dims with --dim NAME=VALUE or give split sizes",
                             axis);
    chunk = (dim + num - 1) / num;
    if (chunk * (num - 1) > dim)
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot split %lld into %lld parts", (long long)dim, (long long)num);
    for (k = 0; k < n_out; k++) sizes[k] = dx_const(dx, k < n_out - 1 ? chunk : dim - chunk * (num - 1));
  } else {
    /* Equal parts: a symbolic axis must divide at run time. */
    if (!x->sym[axis] && dim % n_out)
      return diag_node_error(ST_BAD_MODEL, c->n, "axis %d of size %lld does not split into %d equal parts", axis,
                             (long long)dim, n_out);
    for (k = 0; k < n_out; k++) sizes[k] = dx_floordiv(dx, dim_e, dx_const(dx, n_out));
    if (infer && x->sym[axis]) {
      s = op_check_equal(c, dx_mul(dx, sizes[0], dx_const(dx, n_out)), dim_e,
                         "the split axis against a multiple of the outputs");
      if (s) return s;
    }
  }
  *axis_out = axis;
  return ST_OK;
}

static status split_infer(op_ctx *c, const ir_tensor *x) {
  int sizes[RT_CONCAT_MAX], dims[IR_MAX_RANK], axis, k, d;
  status s;
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot split a scalar");
  s = split_sizes(c, x, 1, &axis, sizes);
  if (s) return s;
  for (d = 0; d < x->rank; d++) dims[d] = ir_dim(c->g, x, d);
  for (k = 0; k < c->n->n_out; k++) {
    dims[axis] = sizes[k];
    op_set_output_exprs(c, k, x->dtype, x->rank, dims);
  }
  return ST_OK;
}

/* With sizes read at run time (split_sizes gave run-time dims), the
 * prepare that checks and defines them; the kernel's byte counts are binds
 * that follow from them. Nothing otherwise. */
static status split_runtime_prepare(op_ctx *c, lowered *l, const ir_tensor *x, int axis, const int *sizes) {
  rt_split_prepare_params *q;
  int k;
  if (!op_is_data_dim(c, sizes[0], 0)) return ST_OK;
  q = op_prepare_as(c, l, PD_rt_split_prepare_params, "rt_split_prepare");
  if (!q) return ST_UNSUPPORTED;
  q->n = c->n->n_out;
  op_bind_prepare(c, l, &q->axis_dim, ir_dim(c->g, x, axis));
  for (k = 0; k < c->n->n_out; k++)
    if (op_define(c, l, sizes[k])) return ST_INTERNAL;
  return ST_OK;
}

static status split_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int sizes[RT_CONCAT_MAX], inner, axis, k;
  rt_split_params *p;
  status s = split_sizes(c, x, 0, &axis, sizes);
  if (s) return s;
  if (c->n->n_out == 1) { /* one output: the input's bytes unchanged */
    rt_copy_params *cp = LOWER(l, rt_copy, rt_copy_params);
    op_bind(c, l, &cp->bytes, slab_bytes(c, x, 0));
    l->view_of = 0;
    return split_runtime_prepare(c, l, x, axis, sizes);
  }
  inner = slab_bytes(c, x, axis + 1);
  p = LOWER(l, rt_split, rt_split_params);
  p->n = c->n->n_out;
  op_bind_product(c, l, &p->outer, x, 0, axis);
  for (k = 0; k < c->n->n_out; k++) op_bind(c, l, &p->bytes[k], dx_mul(op_dx(c), sizes[k], inner));
  return split_runtime_prepare(c, l, x, axis, sizes);
}

/* ---- Gather / GatherElements ---- */

/* Constant indices are checked against the dim's upper bound; at a smaller
 * size the kernel clamps (as it does for indices known only at run time). */
static status index_check(op_ctx *c, const ir_tensor *ind, int64_t dim) {
  int64_t i, n;
  if (ind->dtype != DT_INT32 && ind->dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "indices must be int32 or int64, not %s", dtype_name(ind->dtype));
  if (!ind->data) return ST_OK;
  n = tensor_numel(ind);
  for (i = 0; i < n; i++) {
    int64_t v = tensor_int(ind, i);
    if (v < -dim || v >= dim)
      return diag_node_error(ST_BAD_MODEL, c->n, "index %lld is out of range for a dim of %lld", (long long)v,
                             (long long)dim);
  }
  return ST_OK;
}

static status gather_infer(op_ctx *c, const ir_tensor *x) {
  const ir_tensor *ind;
  int dims[IR_MAX_RANK], axis, r, d;
  status s;
  OP_REQUIRE_INPUT(c, 1);
  ind = &op_in(c, 1)->t;
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot gather from a scalar");
  s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  s = index_check(c, ind, x->dims[axis]);
  if (s) return s;
  r = x->rank - 1 + ind->rank;
  if (r > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "output rank %d is above %d", r, IR_MAX_RANK);
  for (d = 0; d < axis; d++) dims[d] = ir_dim(c->g, x, d);
  for (d = 0; d < ind->rank; d++) dims[axis + d] = ir_dim(c->g, ind, d);
  for (d = axis + 1; d < x->rank; d++) dims[d - 1 + ind->rank] = ir_dim(c->g, x, d);
  op_set_output_exprs(c, 0, x->dtype, r, dims);
  return ST_OK;
}

static status gather_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *ind = &op_in(c, 1)->t;
  const char *base = ind->dtype == DT_INT64 ? "rt_gather_i64idx" : "rt_gather_i32idx";
  int64_t inner = 0;
  int axis, inner_e;
  rt_gather_params *p;
  status s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  inner_e = slab_bytes(c, x, axis + 1);
  /* A slab of 1, 2, 4 or 8 bytes per index moves as one typed load and
   * store (slabs sit at multiples of their size, so it is aligned); wider
   * slabs, and slabs whose size varies at run time, with memcpy. */
  if (dx_const_value(op_dx(c), inner_e, &inner) && (inner == 1 || inner == 2 || inner == 4 || inner == 8))
    p = lower_width(c, l, base, inner);
  else
    p = op_lower_named(c, l, base);
  if (!p) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->outer, x, 0, axis);
  op_bind(c, l, &p->axis_dim, ir_dim(c->g, x, axis));
  op_bind(c, l, &p->inner_bytes, inner_e);
  op_bind_product(c, l, &p->n_idx, ind, 0, ind->rank);
  return ST_OK;
}

static status gather_elements_infer(op_ctx *c, const ir_tensor *x) {
  const ir_tensor *ind;
  int axis, d, dims[IR_MAX_RANK];
  status s;
  OP_REQUIRE_INPUT(c, 1);
  ind = &op_in(c, 1)->t;
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot gather from a scalar");
  s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  if (ind->rank != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "indices have rank %d but data has rank %d", ind->rank, x->rank);
  for (d = 0; d < x->rank; d++) {
    int ie = ir_dim(c->g, ind, d), xe = ir_dim(c->g, x, d);
    if (d == axis) continue;
    if (ind->dims[d] > x->dims[d] && !ind->sym[d] && !x->sym[d])
      return diag_node_error(ST_BAD_MODEL, c->n, "indices dim %d (%lld) is larger than data's (%lld)", d,
                             (long long)ind->dims[d], (long long)x->dims[d]);
    /* The kernel reads data at the indices' positions off the axis: where
     * the indices' dim is not provably no larger than data's, the run
     * checks it (min(ie, xe) == ie) before the node. */
    if (ie != xe && dx_upper(op_dx(c), ie) > dx_lower(op_dx(c), xe) &&
        (s = op_check_equal(c, dx_min(op_dx(c), ie, xe), ie, "indices dims no larger than data's")) != ST_OK)
      return s;
  }
  s = index_check(c, ind, x->dims[axis]);
  if (s) return s;
  for (d = 0; d < ind->rank; d++) dims[d] = ir_dim(c->g, ind, d);
  op_set_output_exprs(c, 0, x->dtype, ind->rank, dims);
  return ST_OK;
}

static status gather_elements_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *ind = &op_in(c, 1)->t;
  int axis, d, xs[IR_MAX_RANK];
  rt_gather_elements_params *p;
  status s = op_axis(c, attr_int(c->n, "axis", 0), x->rank, &axis);
  if (s) return s;
  p = lower_width(c, l, ind->dtype == DT_INT64 ? "rt_gather_elements_i64idx" : "rt_gather_elements_i32idx",
                  (int64_t)dtype_size(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rank = x->rank;
  p->axis = axis;
  op_bind(c, l, &p->axis_dim, ir_dim(c->g, x, axis));
  expr_strides(c, x, xs);
  for (d = 0; d < x->rank; d++) op_bind(c, l, &p->strides[d], xs[d]);
  op_bind_dims(c, l, p->dims, ind);
  return ST_OK;
}

/* ---- Pad ---- */

static int pad_mode(const op_ctx *c) {
  const char *m = attr_string(c->n, "mode", "constant");
  if (strcmp(m, "constant") == 0) return RT_PAD_CONSTANT;
  if (strcmp(m, "reflect") == 0) return RT_PAD_REFLECT;
  if (strcmp(m, "edge") == 0) return RT_PAD_EDGE;
  if (strcmp(m, "wrap") == 0) return RT_PAD_WRAP;
  return -1;
}

/* Begin and end pads of every axis. */
static status pad_amounts(op_ctx *c, const ir_tensor *x, int64_t *begin, int64_t *end) {
  int64_t pads[2 * IR_MAX_RANK], axes[IR_MAX_RANK];
  int n, na, i, d, r = x->rank;
  for (d = 0; d < r; d++) begin[d] = end[d] = 0;
  if (c->opset < 11) {
    const int64_t *a;
    n = attr_ints(c->n, "pads", &a);
    if (n < 0) n = attr_ints(c->n, "paddings", &a);
    if (n < 0) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'pads'");
    if (n > 2 * IR_MAX_RANK) return diag_node_error(ST_BAD_MODEL, c->n, "too many pads");
    memcpy(pads, a, sizeof(int64_t) * (size_t)n);
  } else {
    OP_REQUIRE_INPUT(c, 1);
    n = op_const_ints(c, 1, pads, 2 * IR_MAX_RANK, "pads");
    if (n < 0) return ST_UNSUPPORTED;
  }
  if (op_in(c, 3)) {
    na = op_const_ints(c, 3, axes, IR_MAX_RANK, "axes");
    if (na < 0) return ST_UNSUPPORTED;
  } else {
    na = r;
    for (i = 0; i < r; i++) axes[i] = i;
  }
  if (n != 2 * na)
    return diag_node_error(ST_BAD_MODEL, c->n, "pads has %d values, expected %d", n, 2 * na);
  for (i = 0; i < na; i++) {
    status s = op_axis(c, axes[i], r, &d);
    if (s) return s;
    begin[d] = pads[i];
    end[d] = pads[na + i];
  }
  return ST_OK;
}

/* Pads (or axes) read at run time (opset 11 on): the axes they cover
 * (input 3, or all), each of whose output dims is a run-time dim that
 * rt_pad_prepare computes with rt_pad_dim. The bound: the input's dim plus
 * --max-dynamic-dim of padding. Axes read at run time (*open_axes) make
 * every output dim a run-time one; axes[] lists them all then. */
static int pad_is_runtime(const op_ctx *c) {
  return c->opset >= 11 && (runtime_operand(c, 1) || runtime_operand(c, 3));
}

static status pad_runtime_axes(op_ctx *c, const ir_tensor *x, int *axes, int *na, int *open_axes) {
  int64_t a[IR_MAX_RANK];
  int i, n;
  *open_axes = runtime_operand(c, 3);
  if (*open_axes) {
    int dt = op_in(c, 3)->t.dtype;
    if ((*na = operand_count(c, 3, IR_MAX_RANK, "axes")) < 0) return ST_UNSUPPORTED;
    if (dt != DT_INT32 && dt != DT_INT64)
      return diag_node_error(ST_BAD_MODEL, c->n, "axes must be int32 or int64, not %s", dtype_name(dt));
    if (*na > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "%d axes for rank %d", *na, x->rank);
    if ((n = operand_count(c, 1, 2 * IR_MAX_RANK, "pads")) < 0) return ST_UNSUPPORTED;
    if (n != 2 * *na) return diag_node_error(ST_BAD_MODEL, c->n, "pads has %d values, expected %d", n, 2 * *na);
    for (i = 0; i < x->rank; i++) axes[i] = i;
    return ST_OK;
  }
  if (op_in(c, 3)) {
    if ((*na = op_const_ints(c, 3, a, IR_MAX_RANK, "axes")) < 0) return ST_UNSUPPORTED;
  } else {
    *na = x->rank;
    for (i = 0; i < x->rank; i++) a[i] = i;
  }
  if ((n = operand_count(c, 1, 2 * IR_MAX_RANK, "pads")) < 0) return ST_UNSUPPORTED;
  if (op_in(c, 1)->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "pads must be int64, not %s", dtype_name(op_in(c, 1)->t.dtype));
  if (n != 2 * *na) return diag_node_error(ST_BAD_MODEL, c->n, "pads has %d values, expected %d", n, 2 * *na);
  for (i = 0; i < *na; i++) {
    int j;
    status s = op_axis(c, a[i], x->rank, &axes[i]);
    if (s) return s;
    for (j = 0; j < i; j++)
      if (axes[j] == axes[i]) return diag_node_error(ST_BAD_MODEL, c->n, "axis %d is listed twice", axes[i]);
  }
  return ST_OK;
}

static status pad_runtime_dims(op_ctx *c, const ir_tensor *x, int *dims) {
  int axes[IR_MAX_RANK], na, open_axes, i, d;
  int64_t mdd = c->g->max_dynamic_dim, bound = 0;
  status s = pad_runtime_axes(c, x, axes, &na, &open_axes);
  if (s) return s;
  if (open_axes) na = x->rank;
  for (d = 0; d < x->rank; d++) dims[d] = ir_dim(c->g, x, d);
  for (i = 0; i < na; i++) {
    d = axes[i];
    if (mdd > 0 && !ck_add(x->dims[d], mdd, &bound))
      return diag_node_error(ST_BAD_MODEL, c->n, "the bound of axis %d overflows", d);
    if ((dims[d] = op_data_dim(c, i, bound, "Pad's output")) < 0) return ST_UNSUPPORTED;
  }
  return ST_OK;
}

static status pad_runtime_prepare(op_ctx *c, lowered *l, const ir_tensor *x) {
  const ir_tensor *y = &op_out(c, 0)->t;
  int axes[IR_MAX_RANK], na, open_axes, i, d;
  rt_pad_prepare_params *q;
  status s = pad_runtime_axes(c, x, axes, &na, &open_axes);
  if (s) return s;
  q = op_prepare_as(c, l, PD_rt_pad_prepare_params, "rt_pad_prepare");
  if (!q) return ST_UNSUPPORTED;
  q->rank = x->rank;
  q->naxes = na;
  q->mode = pad_mode(c);
  q->axes_in = open_axes;
  q->axes_i32 = open_axes && op_in(c, 3)->t.dtype == DT_INT32;
  for (d = 0; d < x->rank; d++) op_bind_prepare(c, l, &q->in_dims[d], ir_dim(c->g, x, d));
  for (i = 0; i < (open_axes ? x->rank : na); i++) {
    q->axes[i] = axes[i];
    if (op_define(c, l, ir_dim(c->g, y, axes[i]))) return ST_INTERNAL;
  }
  return ST_OK;
}

static status pad_infer(op_ctx *c, const ir_tensor *x) {
  dx_table *dx = op_dx(c);
  int64_t begin[IR_MAX_RANK], end[IR_MAX_RANK], bound;
  int d, dims[IR_MAX_RANK], mode = pad_mode(c);
  status s;
  if (mode < 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'mode' is '%s', not one of constant, reflect, edge, wrap",
                           attr_string(c->n, "mode", ""));
  if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot pad a scalar");
  if (dtype_size(x->dtype) > 8) return check_dtype(c, DT_STRING);
  if (pad_is_runtime(c)) {
    s = pad_runtime_dims(c, x, dims);
    if (s) return s;
  } else {
    s = pad_amounts(c, x, begin, end);
    if (s) return s;
  }
  for (d = 0; d < x->rank && !pad_is_runtime(c); d++) {
    if (!ck_add(x->dims[d], begin[d], &bound) || !ck_add(bound, end[d], &bound)) /* on the upper bound */
      return diag_node_error(ST_BAD_MODEL, c->n, "pads of axis %d overflow", d);
    dims[d] = dx_add(dx, dx_add(dx, ir_dim(c->g, x, d), dx_const(dx, begin[d])), dx_const(dx, end[d]));
    if (dx_lower(dx, dims[d]) < 0) {
      if (!x->sym[d])
        return diag_node_error(ST_BAD_MODEL, c->n, "pads remove more than the %lld elements of axis %d",
                               (long long)x->dims[d], d);
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "pads remove more than axis %d has at its smaller sizes; pin the dims with "
                             "--dim NAME=VALUE",
                             d);
    }
    if (mode != RT_PAD_CONSTANT && dx_lower(dx, ir_dim(c->g, x, d)) == 0 && dx_upper(dx, dims[d]) > 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot pad %s axis %d in mode '%s'",
                             x->sym[d] ? "possibly empty" : "empty", d, attr_string(c->n, "mode", ""));
  }
  if (c->opset < 11) {
    float v = attr_float(c->n, "value", 0.0f);
    if (v != 0.0f && (x->dtype == DT_FLOAT16 || x->dtype == DT_BFLOAT16))
      return diag_node_error(ST_UNSUPPORTED, c->n, "a nonzero pad value for %s is not supported",
                             dtype_name(x->dtype));
  } else if (op_in(c, 2) && op_in(c, 2)->t.dtype != x->dtype) {
    return diag_node_error(ST_BAD_MODEL, c->n, "constant_value is %s but data is %s",
                           dtype_name(op_in(c, 2)->t.dtype), dtype_name(x->dtype));
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

/* The attribute value (opset < 11) as the element's bit pattern. */
static int64_t pad_value_bits(int dtype, float v) {
  switch (dtype) {
  case DT_FLOAT: {
    uint32_t u;
    memcpy(&u, &v, 4);
    return (int64_t)u;
  }
  case DT_DOUBLE: {
    double d = v;
    int64_t u;
    memcpy(&u, &d, 8);
    return u;
  }
  case DT_BOOL: return v != 0.0f;
  case DT_FLOAT16: case DT_BFLOAT16: return 0;
  default:
    if (!(fabsf(v) < 9.2e18f)) return 0;
    return (int64_t)v;
  }
}

static status pad_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  int64_t begin[IR_MAX_RANK], end[IR_MAX_RANK];
  rt_pad_params *p;
  int d;
  status s = ST_OK;
  if (pad_is_runtime(c)) { /* rt_pad_prepare sets begin */
    for (d = 0; d < x->rank; d++) begin[d] = 0;
  } else {
    s = pad_amounts(c, x, begin, end);
  }
  if (s) return s;
  switch (pad_mode(c)) {
  case RT_PAD_REFLECT: p = LOWER(l, rt_pad_reflect, rt_pad_params); break;
  case RT_PAD_EDGE: p = LOWER(l, rt_pad_edge, rt_pad_params); break;
  case RT_PAD_WRAP: p = LOWER(l, rt_pad_wrap, rt_pad_params); break;
  default: p = lower_width(c, l, "rt_pad_constant", (int64_t)dtype_size(x->dtype)); break;
  }
  if (!p) return ST_UNSUPPORTED;
  p->rank = x->rank;
  p->esize = (int64_t)dtype_size(x->dtype);
  op_bind_dims(c, l, p->in_dims, x);
  op_bind_dims(c, l, p->out_dims, y);
  for (d = 0; d < x->rank; d++) p->begin[d] = begin[d];
  if (c->opset < 11)
    p->value_bits = pad_value_bits(x->dtype, attr_float(c->n, "value", 0.0f));
  else if (op_in(c, 2) && tensor_numel(&op_in(c, 2)->t) > 0)
    p->value_input = 1;
  return pad_is_runtime(c) ? pad_runtime_prepare(c, l, x) : ST_OK;
}

/* ---- the family ---- */

static status tensor_infer(op_ctx *c) {
  const ir_tensor *x;
  status s;
  if (c->n->op == OP_Concat) return concat_infer(c);
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  s = check_dtype(c, x->dtype);
  if (s) return s;
  switch (c->n->op) {
  case OP_Transpose: return transpose_infer(c, x);
  case OP_Slice: return slice_infer(c, x);
  case OP_Expand: return expand_infer(c, x);
  case OP_Tile: return tile_infer(c, x);
  case OP_DepthToSpace: case OP_SpaceToDepth: return block_infer(c, x);
  case OP_Split: return split_infer(c, x);
  case OP_Gather: return gather_infer(c, x);
  case OP_GatherElements: return gather_elements_infer(c, x);
  case OP_Pad: return pad_infer(c, x);
  default: return diag_node_error(ST_INTERNAL, c->n, "not a tensor-family op");
  }
}

static status tensor_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x;
  view v;
  status s;
  view_init(&v, op_dx(c));
  switch (c->n->op) {
  case OP_Concat: return concat_lower(c, l);
  case OP_Split: return split_lower(c, l);
  case OP_Gather: return gather_lower(c, l);
  case OP_GatherElements: return gather_elements_lower(c, l);
  case OP_Pad: return pad_lower(c, l);
  default: break;
  }
  x = &op_in(c, 0)->t;
  if (c->n->op == OP_Slice && slice_is_runtime(c)) return slice_runtime_lower(c, l, x, &v);
  if (c->n->op == OP_Tile && runtime_operand(c, 1) && x->rank > 0) return tile_runtime_lower(c, l, x, &v);
  switch (c->n->op) {
  case OP_Transpose: s = transpose_view(c, x, &v); break;
  case OP_Slice: s = slice_view(c, x, &v); break;
  case OP_Expand: broadcast_view(c, x, &op_out(c, 0)->t, &v); s = ST_OK; break;
  case OP_Tile: s = tile_view(c, x, &v); break;
  case OP_DepthToSpace: case OP_SpaceToDepth: s = block_view(c, x, &v); break;
  default: return diag_node_error(ST_INTERNAL, c->n, "not a tensor-family op");
  }
  if (s) return s;
  s = lower_view(c, l, &v, x, NULL);
  if (s || c->n->op != OP_Expand || !expand_is_runtime(c)) return s;
  return expand_runtime_prepare(c, l, x);
}

const op_family op_family_tensor = {tensor_infer, tensor_lower, 1, 0};
