/* Ops that keep the bytes and change only the shape: Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity, Dropout (inference). Each is a view of its
 * input: the planner lets output and input share memory and drops the
 * call, and the copy runs only where they cannot share. The elide pass
 * removes Identity/Dropout. With symbolic dims the output's dims are the
 * input's expressions rearranged, and the copy's byte count is bound at run
 * time (the planner shares storage only where the bounds agree). */
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "ops.h"


static int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Reshape of an input with symbolic dims. Every symbolic factor of the
 * target comes from a 0 copying input dim i to position i, so those cancel
 * and what is left is: the input's other dims (a constant C times the
 * symbolic dims S) against the target's constants K. Without -1, C*S must
 * equal K (a run-time check); with -1 that dim is C*S/K, exact when K
 * divides C, else floordiv with a run-time check that it divides. */
static status reshape_symbolic(op_ctx *c, const ir_tensor *x, int n, const int64_t *shape, const int *copied,
                               int infer_at, int *exprs) {
  dx_table *dx = op_dx(c);
  int64_t C = 1, K = 1, g;
  int i, rest = dx_const(dx, 1), e;
  for (i = 0; i < x->rank; i++) {
    if (i < n && copied[i]) continue;
    if (x->sym[i]) rest = dx_mul(dx, rest, ir_dim(c->g, x, i));
    else C *= x->dims[i];
  }
  for (i = 0; i < n; i++)
    if (!copied[i] && i != infer_at && !ck_mul(K, shape[i], &K))
      return diag_node_error(ST_BAD_MODEL, c->n, "the target shape's element count overflows");
  for (i = 0; i < n; i++)
    if (!copied[i] && i != infer_at) exprs[i] = dx_const(dx, shape[i]);
  if (infer_at < 0)
    return op_check_equal(c, dx_mul(dx, rest, dx_const(dx, C)), dx_const(dx, K),
                          "the element count must match the target shape's");
  if (K == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot reshape with a -1 dim and a 0 dim");
  g = C ? gcd64(C, K) : K;
  e = dx_mul(dx, rest, dx_const(dx, C / g));
  exprs[infer_at] = dx_floordiv(dx, e, dx_const(dx, K / g));
  return K / g == 1 ? ST_OK
                    : op_check_equal(c, dx_mul(dx, exprs[infer_at], dx_const(dx, K / g)), e,
                                     "the element count must divide by the target shape's other dims");
}

static status reshape_dims(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  int64_t shape[IR_MAX_RANK], known = 1, total = tensor_numel(x);
  int n, i, infer_at = -1, allowzero = (int)attr_int(c->n, "allowzero", 0), copied[IR_MAX_RANK] = {0};
  if (c->opset < 5) {
    const int64_t *a;
    n = attr_ints(c->n, "shape", &a);
    if (n < 0) return diag_node_error(ST_BAD_MODEL, c->n, "missing attribute 'shape'");
    if (n > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", n, IR_MAX_RANK);
    memcpy(shape, a, sizeof(int64_t) * (size_t)n);
  } else {
    OP_REQUIRE_INPUT(c, 1);
    n = op_const_ints(c, 1, shape, IR_MAX_RANK, "the target shape");
    if (n < 0) return ST_UNSUPPORTED;
  }
  for (i = 0; i < n; i++) {
    if (shape[i] == 0 && !allowzero) {
      if (i >= x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "shape has 0 at %d beyond the input's rank", i);
      shape[i] = x->dims[i];
      exprs[i] = ir_dim(c->g, x, i);
      copied[i] = 1;
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
  if (tensor_is_symbolic(x)) return reshape_symbolic(c, x, n, shape, copied, infer_at, exprs);
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
  return op_const_ints(c, 1, axes, IR_MAX_RANK, "axes");
}

/* A symbolic dim is kept by Squeeze without axes only when it can never be
 * 1 (else the output's rank would depend on the run); one named by axes
 * must be 1 when the model runs. */
static status squeeze_dims(op_ctx *c, const ir_tensor *x, int *rank, int *exprs) {
  dx_table *dx = op_dx(c);
  int64_t axes[IR_MAX_RANK];
  int n = axes_list(c, axes), drop[IR_MAX_RANK] = {0}, i, r = 0, one = dx_const(dx, 1);
  if (n == -1 && c->opset >= 13 && op_in(c, 1)) return ST_UNSUPPORTED;
  if (n < -1) return diag_node_error(ST_UNSUPPORTED, c->n, "too many axes");
  if (n < 0) {
    for (i = 0; i < x->rank; i++) {
      int e = ir_dim(c->g, x, i);
      if (x->sym[i] && dx_lower(dx, e) <= 1 && dx_upper(dx, e) >= 1)
        return diag_node_error(ST_UNSUPPORTED, c->n,
                               "Squeeze without axes of dim %d, which may be 1 at run time; give the axes or pin "
                               "the dims with --dim NAME=VALUE",
                               i);
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
  int n = axes_list(c, axes), ins[IR_MAX_RANK] = {0}, i, k = 0, r;
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

static status reshape_infer(op_ctx *c) {
  const ir_tensor *x;
  int exprs[IR_MAX_RANK], rank = 0, i;
  status s = ST_OK;
  OP_REQUIRE_INPUT(c, 0);
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
    if (op_in(c, 2) && (!op_in(c, 2)->t.data || tensor_int(&op_in(c, 2)->t, 0) != 0))
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "training-mode Dropout (training_mode not a constant false) is not supported");
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
  rt_copy_params *p = LOWER(l, rt_copy, rt_copy_params);
  const ir_tensor *x = &op_in(c, 0)->t;
  /* the actual byte count: the copy runs where the view cannot share */
  op_bind(c, l, &p->bytes, dx_mul(op_dx(c), ir_dims_product(c->g, x, 0, x->rank),
                                  dx_const(op_dx(c), (int64_t)dtype_size(x->dtype))));
  if (c->n->op == OP_Dropout && op_out(c, 1)) op_bind_product(c, l, &p->mask_bytes, &op_out(c, 1)->t, 0, x->rank);
  /* Dropout's mask is written by the call, so that call must stay. */
  if (!p->mask_bytes) l->view_of = 0;
  return ST_OK;
}

const op_family op_family_reshape = {reshape_infer, reshape_lower, 1};
