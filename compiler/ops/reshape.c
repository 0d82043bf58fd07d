/* Ops that keep the bytes and change only the shape: Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity, Dropout (inference; training-mode Dropout
 * goes to random.c). Each is a view of its
 * input: the planner lets output and input share memory and drops the
 * call, and the copy runs only where they cannot share. The elide pass
 * removes Identity/Dropout. With symbolic dims the output's dims are the
 * input's expressions rearranged, and the copy's byte count is bound at run
 * time (the planner shares storage only where the bounds agree). */
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "../ir_box.h"
#include "ops.h"


static int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* A product of dims as a constant times symbolic factors (expression ids),
 * so that two products can cancel common factors: N*S*768 against
 * N*S*12*64 leaves 768 against 768. */
typedef struct factors {
  int64_t k;
  int f[2 * IR_MAX_RANK];
  int n;
} factors;

static void factors_add(const op_ctx *c, factors *fs, int e) {
  int64_t v;
  if (dx_const_value(op_dx(c), e, &v)) fs->k *= v; /* dims are checked not to overflow */
  else fs->f[fs->n++] = e;
}

/* Removes the factors a and b share, and their constants' gcd. */
static void factors_cancel(factors *a, factors *b) {
  int i, j;
  int64_t g;
  for (i = 0; i < a->n; i++)
    for (j = 0; j < b->n; j++)
      if (a->f[i] == b->f[j]) {
        a->f[i--] = a->f[--a->n];
        b->f[j] = b->f[--b->n];
        break;
      }
  g = a->k && b->k ? gcd64(a->k, b->k) : 1;
  a->k /= g;
  b->k /= g;
}

static int factors_expr(const op_ctx *c, const factors *fs) {
  dx_table *dx = op_dx(c);
  int e = dx_const(dx, fs->k), i;
  for (i = 0; i < fs->n; i++) e = dx_mul(dx, e, fs->f[i]);
  return e;
}

/* Reshape to target dims given as expressions (constants, or dims known
 * at run time from Shape): 0 copies the input's dim (unless allowzero),
 * one -1 takes what is left of the element count. What the compiler
 * cannot prove (the counts agree, the -1 divides exactly) is checked when
 * the model runs. */
static status reshape_exprs(op_ctx *c, const ir_tensor *x, int n, const int *target, int allowzero, int *exprs) {
  dx_table *dx = op_dx(c);
  factors num = {1, {0}, 0}, den = {1, {0}, 0};
  int i, infer_at = -1;
  int64_t v;
  for (i = 0; i < n; i++) {
    exprs[i] = target[i];
    if (!dx_const_value(dx, target[i], &v)) {
      if (!allowzero && dx_lower(dx, target[i]) < 1) {
        /* A 0 there would copy the input's dim. Writing that as an
         * expression (t + x_i * (1 - min(t, 1))) bounds the dim by t's bound
         * plus x_i's, which multiplies up over the output's dims; a run
         * that gives 0 is refused instead. */
        status s = op_check_equal(c, target[i], dx_max(dx, target[i], dx_const(dx, 1)),
                                  "a target dim read at run time must not be 0 (\"copy the input's dim\")");
        if (s) return s;
      }
      continue;
    }
    if (v == 0 && !allowzero) {
      if (i >= x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "shape has 0 at %d beyond the input's rank", i);
      exprs[i] = ir_dim(c->g, x, i);
    } else if (v == -1) {
      if (infer_at >= 0) return diag_node_error(ST_BAD_MODEL, c->n, "shape has more than one -1");
      infer_at = i;
    } else if (v < 0) {
      return diag_node_error(ST_BAD_MODEL, c->n, "shape has a negative dim %lld", (long long)v);
    }
  }
  for (i = 0; i < x->rank; i++) factors_add(c, &num, ir_dim(c->g, x, i));
  for (i = 0; i < n; i++)
    if (i != infer_at) factors_add(c, &den, exprs[i]);
  if (infer_at >= 0 && den.k == 0 && den.n == 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "cannot reshape with a -1 dim and a 0 dim");
  factors_cancel(&num, &den);
  if (infer_at < 0)
    return op_check_equal(c, factors_expr(c, &num), factors_expr(c, &den),
                          "the element count must match the target shape's");
  exprs[infer_at] = dx_floordiv(dx, factors_expr(c, &num), factors_expr(c, &den));
  if (den.k == 1 && den.n == 0) return ST_OK;
  if (dx_lower(dx, factors_expr(c, &den)) < 1)
    return diag_node_error(ST_UNSUPPORTED, c->n, "the dims beside the -1 may be 0 at run time");
  return op_check_equal(c, dx_mul(dx, exprs[infer_at], factors_expr(c, &den)), factors_expr(c, &num),
                        "the element count must divide by the target shape's other dims");
}

/* Reshape to a shape read at run time: each output dim is a run-time dim
 * (rt_reshape_prepare computes them), at most the input's element count. */
static status reshape_runtime(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  const ir_tensor *s = &op_in(c, 1)->t;
  int64_t bound = tensor_numel(x);
  int k;
  if (s->rank != 1 || s->dtype != DT_INT64 || s->dims[0] > IR_MAX_RANK || s->sym[0])
    return diag_node_error(ST_UNSUPPORTED, c->n, "the target shape must be a 1-D int64 tensor of at most %d values",
                           IR_MAX_RANK);
  *rank = (int)s->dims[0];
  for (k = 0; k < *rank; k++)
    if ((exprs[k] = op_data_dim(c, k, bound, "Reshape's target shape")) < 0) return ST_UNSUPPORTED;
  return ST_OK;
}

static status reshape_dims(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  int64_t shape[IR_MAX_RANK], known = 1, total = tensor_numel(x);
  int n, i, infer_at = -1, allowzero = (int)attr_int(c->n, "allowzero", 0);
  if (c->opset < 5) {
    const int64_t *a;
    n = attr_ints(c->n, "shape", &a);
    if (n < 0) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'shape'");
    if (n > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", n, IR_MAX_RANK);
    memcpy(shape, a, sizeof(int64_t) * (size_t)n);
  } else {
    const ir_value *sv;
    OP_REQUIRE_INPUT(c, 1);
    sv = op_in(c, 1);
    if (!sv->t.data && !sv->symvals) return reshape_runtime(c, x, rank, exprs);
    if (sv->symvals || tensor_is_symbolic(x)) {
      int target[IR_MAX_RANK];
      n = op_const_exprs(c, 1, target, IR_MAX_RANK, "the target shape");
      if (n < 0) return ST_UNSUPPORTED;
      *rank = n;
      return reshape_exprs(c, x, n, target, allowzero, exprs);
    }
    n = op_const_ints(c, 1, shape, IR_MAX_RANK, "the target shape");
    if (n < 0) return ST_UNSUPPORTED;
  }
  if (tensor_is_symbolic(x)) { /* opset < 5: the attribute */
    int target[IR_MAX_RANK];
    for (i = 0; i < n; i++) target[i] = dx_const(op_dx(c), shape[i]);
    *rank = n;
    return reshape_exprs(c, x, n, target, allowzero, exprs);
  }
  for (i = 0; i < n; i++) {
    if (shape[i] == 0 && !allowzero) {
      if (i >= x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "shape has 0 at %d beyond the input's rank", i);
      shape[i] = x->dims[i];
    }
    if (shape[i] == -1) {
      if (infer_at >= 0) return diag_node_error(ST_BAD_MODEL, c->n, "shape has more than one -1");
      infer_at = i;
    } else if (shape[i] < 0) {
      return diag_node_error(ST_BAD_MODEL, c->n, "shape has a negative dim %lld", (long long)shape[i]);
    } else if (!ck_mul(known, shape[i], &known)) {
      return diag_node_error(ST_BAD_MODEL, c->n, "the target shape's element count overflows");
    }
  }
  *rank = n;
  if (infer_at >= 0) {
    if (known == 0 || total % known)
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot reshape %lld elements with a -1 dim", (long long)total);
    shape[infer_at] = total / known;
    known = total;
  }
  if (known != total) {
    char a[128];
    return diag_node_error(ST_BAD_MODEL, c->n, "cannot reshape %s (%lld elements) into %lld elements",
                           tensor_type_str(x, a, sizeof a), (long long)total, (long long)known);
  }
  for (i = 0; i < n; i++) exprs[i] = dx_const(op_dx(c), shape[i]);
  return ST_OK;
}

/* Whether Squeeze/Unsqueeze read their axes at run time: an input that is
 * neither a constant nor dims from Shape, nor known to be empty (then its
 * values do not matter). */
static int axes_at_run_time(const op_ctx *c) {
  const ir_value *v = c->opset >= 13 ? op_in(c, 1) : NULL;
  return v && !v->t.data && !v->symvals && (tensor_is_symbolic(&v->t) || tensor_numel(&v->t) > 0);
}

/* Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after. */
static int axes_list(op_ctx *c, int64_t *axes) {
  if (c->opset < 13) {
    const int64_t *a;
    int n = attr_ints(c->n, "axes", &a);
    if (n > IR_MAX_RANK) return -2;
    if (n > 0) memcpy(axes, a, sizeof(int64_t) * (size_t)n);
    return n;
  }
  if (!op_in(c, 1)) return -1;
  if (!op_in(c, 1)->t.data && !op_in(c, 1)->symvals) return 0; /* known to be empty */
  return op_const_ints(c, 1, axes, IR_MAX_RANK, "axes");
}

/* Squeeze/Unsqueeze with axes read at run time (their count is known):
 * output dim j is one of the input dims lo(j)..hi(j) (Squeeze: the n
 * squeezed dims fall before or after it), or an inserted 1 (Unsqueeze).
 * Where those candidates differ it is a run-time dim, computed by
 * rt_squeeze_prepare / rt_unsqueeze_prepare, at most the largest. */
static status axes_runtime_dims(op_ctx *c, const ir_tensor *x, int unsqueeze, int *rank, int *exprs) {
  const ir_tensor *a = &op_in(c, 1)->t;
  const int one = dx_const(op_dx(c), 1);
  int n, r, j, i, k = 0;
  if (a->rank != 1 || a->dtype != DT_INT64 || a->sym[0])
    return diag_node_error(ST_UNSUPPORTED, c->n, "axes read at run time must be a 1-D int64 tensor of known length");
  n = (int)a->dims[0];
  r = unsqueeze ? x->rank + n : x->rank - n;
  if (r < 0) return diag_node_error(ST_BAD_MODEL, c->n, "axes has %d values but the input has rank %d", n, x->rank);
  if (r > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", r, IR_MAX_RANK);
  for (j = 0; j < r; j++) {
    const int lo = unsqueeze ? (j - n > 0 ? j - n : 0) : j;
    const int hi = unsqueeze ? (j < x->rank - 1 ? j : x->rank - 1) : j + n;
    int first = unsqueeze ? one : ir_dim(c->g, x, lo), same = 1;
    int64_t bound = 1;
    for (i = lo; i <= hi; i++) {
      same = same && ir_dim(c->g, x, i) == first;
      if (x->dims[i] > bound) bound = x->dims[i];
    }
    if (same) exprs[j] = first;
    else if ((exprs[j] = op_data_dim(c, k++, bound, "the output's dims (axes read at run time)")) < 0)
      return ST_UNSUPPORTED;
  }
  *rank = r;
  return ST_OK;
}

/* Squeeze without axes keeps a symbolic dim, and the run checks that it is
 * not 1 (a rank that depends on the run cannot be compiled: such a run
 * fails with RT_ERR_SHAPE where ONNX would drop the dim); one named by axes
 * must be 1 when the model runs. */
static status squeeze_dims(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  dx_table *dx = op_dx(c);
  int64_t axes[IR_MAX_RANK];
  int n, drop[IR_MAX_RANK] = {0}, i, r = 0, one = dx_const(dx, 1);
  if (axes_at_run_time(c)) return axes_runtime_dims(c, x, 0, rank, exprs);
  n = axes_list(c, axes);
  if (n == -1 && c->opset >= 13 && op_in(c, 1)) return ST_UNSUPPORTED;
  if (n < -1) return diag_node_error(ST_UNSUPPORTED, c->n, "too many axes");
  if (n < 0) {
    for (i = 0; i < x->rank; i++) {
      int e = ir_dim(c->g, x, i);
      if (x->sym[i] && dx_lower(dx, e) <= 1 && dx_upper(dx, e) >= 1) {
        /* kept, and checked not to be 1 when the model runs: min((e-1)^2, 1)
         * is 1 then (the output's rank cannot depend on the run) */
        int off = dx_add(dx, e, dx_const(dx, -1));
        status s = op_check_equal(c, dx_min(dx, dx_mul(dx, off, off), one), one,
                                  "a dim that Squeeze without axes keeps must not be 1");
        if (s) return s;
      }
      drop[i] = e == one;
    }
  } else {
    for (i = 0; i < n; i++) {
      int a;
      status s = op_axis(c, axes[i], x->rank, &a);
      if (s) return s;
      if (!x->sym[a] && x->dims[a] != 1)
        return diag_node_error(ST_BAD_MODEL, c->n, "cannot squeeze axis %d of size %lld", a, (long long)x->dims[a]);
      if (x->sym[a]) {
        s = op_check_equal(c, ir_dim(c->g, x, a), one, "a squeezed axis must have size 1");
        if (s) return s;
      }
      drop[a] = 1;
    }
  }
  for (i = 0; i < x->rank; i++)
    if (!drop[i]) exprs[r++] = ir_dim(c->g, x, i);
  *rank = r;
  return ST_OK;
}

static status unsqueeze_dims(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  int64_t axes[IR_MAX_RANK];
  int n, ins[IR_MAX_RANK] = {0}, i, k = 0, r;
  if (axes_at_run_time(c)) return axes_runtime_dims(c, x, 1, rank, exprs);
  n = axes_list(c, axes);
  if (n < 0) return n == -1 ? diag_node_error(ST_BAD_MODEL, c->n, "axes are required") : ST_UNSUPPORTED;
  r = x->rank + n;
  if (r > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", r, IR_MAX_RANK);
  for (i = 0; i < n; i++) {
    int a;
    status s = op_axis(c, axes[i], r, &a);
    if (s) return s;
    if (ins[a]) return diag_node_error(ST_BAD_MODEL, c->n, "axis %d is listed twice", a);
    ins[a] = 1;
  }
  for (i = 0; i < r; i++) exprs[i] = ins[i] ? dx_const(op_dx(c), 1) : ir_dim(c->g, x, k++);
  *rank = r;
  return ST_OK;
}

/* Dropout with a training_mode that is not a constant false draws random
 * numbers: random.c infers and lowers it. Absent or constant false keeps
 * the view here (and the elide pass removes the node). */
static int dropout_trains(const op_ctx *c) {
  const ir_value *t = op_in(c, 2);
  return c->n->op == OP_Dropout && t && (!t->t.data || tensor_int(&t->t, 0) != 0);
}

static status reshape_infer(op_ctx *c) {
  const ir_tensor *x;
  int exprs[IR_MAX_RANK], rank = 0, i;
  status s = ST_OK;
  OP_REQUIRE_INPUT(c, 0);
  if (ir_is_boxed(op_in(c, 0))) {
    /* Identity passes a sequence or optional on: a view of the same box */
    if (c->n->op != OP_Identity)
      return diag_node_error(ST_BAD_MODEL, c->n, "input 0 must be a tensor, not a sequence or optional");
    op_same_as_input(c, 0, 0);
    return ST_OK;
  }
  x = &op_in(c, 0)->t;
  switch (c->n->op) {
  case OP_Reshape: s = reshape_dims(c, x, &rank, exprs); break;
  case OP_Squeeze: s = squeeze_dims(c, x, &rank, exprs); break;
  case OP_Unsqueeze: s = unsqueeze_dims(c, x, &rank, exprs); break;
  case OP_Flatten: {
    int64_t a = attr_int(c->n, "axis", 1);
    if (a < 0) a += x->rank;
    if (a < 0 || a > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "axis %lld is out of range", (long long)a);
    rank = 2;
    exprs[0] = ir_dims_product(c->g, x, 0, (int)a);
    exprs[1] = ir_dims_product(c->g, x, (int)a, x->rank);
    break;
  }
  case OP_Dropout:
    if (dropout_trains(c)) return op_family_random.infer(c);
    if (op_out(c, 1)) {
      op_same_as_input(c, 1, 0);
      op_out(c, 1)->t.dtype = DT_BOOL;
    }
    /* fall through */
  default:
    rank = x->rank;
    for (i = 0; i < rank; i++) exprs[i] = ir_dim(c->g, x, i);
    break;
  }
  if (s) return s;
  op_set_output_exprs(c, 0, x->dtype, rank, exprs);
  return ST_OK;
}

static status reshape_lower(op_ctx *c, lowered *l) {
  rt_copy_params *p;
  const ir_tensor *x = &op_in(c, 0)->t;
  if (dropout_trains(c)) return op_family_random.lower(c, l);
  p = LOWER(l, rt_copy, rt_copy_params);
  /* the actual byte count: the copy runs where the view cannot share */
  op_bind(c, l, &p->bytes, dx_mul(op_dx(c), ir_dims_product(c->g, x, 0, x->rank),
                                  dx_const(op_dx(c), (int64_t)dtype_size(x->dtype))));
  if (c->n->op == OP_Dropout && op_out(c, 1)) op_bind_product(c, l, &p->mask_bytes, &op_out(c, 1)->t, 0, x->rank);
  /* Dropout's mask is written by the call, so that call must stay. */
  if (!p->mask_bytes) l->view_of = 0;
  if (c->n->op == OP_Reshape && op_out(c, 0)->t.rank > 0 &&
      op_is_data_dim(c, ir_dim(c->g, &op_out(c, 0)->t, 0), 0)) {
    /* the target shape is read at run time */
    const ir_tensor *y = &op_out(c, 0)->t;
    rt_reshape_prepare_params *q = op_prepare_as(c, l, PD_rt_reshape_prepare_params, "rt_reshape_prepare");
    int k;
    if (!q) return ST_UNSUPPORTED;
    q->in_rank = x->rank;
    q->out_rank = y->rank;
    q->allowzero = (int32_t)attr_int(c->n, "allowzero", 0);
    for (k = 0; k < x->rank; k++) op_bind_prepare(c, l, &q->in_dims[k], ir_dim(c->g, x, k));
    for (k = 0; k < y->rank; k++)
      if (op_define(c, l, ir_dim(c->g, y, k))) return ST_INTERNAL;
  }
  if ((c->n->op == OP_Squeeze || c->n->op == OP_Unsqueeze) && axes_at_run_time(c)) {
    /* the axes are checked, and the dims they move found, even where the
     * view shares its input's storage */
    rt_axes_prepare_params *q = op_prepare_as(c, l, PD_rt_axes_prepare_params,
                                              c->n->op == OP_Squeeze ? "rt_squeeze_prepare" : "rt_unsqueeze_prepare");
    int k;
    if (!q) return ST_UNSUPPORTED;
    q->in_rank = x->rank;
    q->n_axes = (int32_t)op_in(c, 1)->t.dims[0];
    for (k = 0; k < x->rank; k++) op_bind_prepare(c, l, &q->in_dims[k], ir_dim(c->g, x, k));
    return op_define_data_dims(c, l, &op_out(c, 0)->t, &q->out_mask);
  }
  return ST_OK;
}

const op_family op_family_reshape = {reshape_infer, reshape_lower, 1, 1};
