/* Ops that keep the bytes and change only the shape: Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity, Dropout (inference). Each is a view of its
 * input: the planner lets output and input share memory and drops the
 * call, and the copy runs only where they cannot share. The elide pass
 * removes Identity/Dropout. */
#include <string.h>

#include "../checked.h"
#include "ops.h"


static status reshape_dims(op_ctx *c, const ir_tensor *x, int *rank, int64_t *dims) {
  int64_t shape[IR_MAX_RANK], known = 1, total = tensor_numel(x);
  int n, i, infer_at = -1, allowzero = (int)attr_int(c->n, "allowzero", 0);
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
  *rank = n;
  memcpy(dims, shape, sizeof(int64_t) * (size_t)n);
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

static status squeeze_dims(op_ctx *c, const ir_tensor *x, int *rank, int64_t *dims) {
  int64_t axes[IR_MAX_RANK];
  int n = axes_list(c, axes), drop[IR_MAX_RANK] = {0}, i, r = 0;
  if (n == -1 && c->opset >= 13 && op_in(c, 1)) return ST_UNSUPPORTED;
  if (n < -1) return diag_node_error(ST_UNSUPPORTED, c->n, "too many axes");
  if (n < 0) {
    for (i = 0; i < x->rank; i++) drop[i] = x->dims[i] == 1;
  } else {
    for (i = 0; i < n; i++) {
      int a;
      status s = op_axis(c, axes[i], x->rank, &a);
      if (s) return s;
      if (x->dims[a] != 1)
        return diag_node_error(ST_BAD_MODEL, c->n, "cannot squeeze axis %d of size %lld", a, (long long)x->dims[a]);
      drop[a] = 1;
    }
  }
  for (i = 0; i < x->rank; i++)
    if (!drop[i]) dims[r++] = x->dims[i];
  *rank = r;
  return ST_OK;
}

static status unsqueeze_dims(op_ctx *c, const ir_tensor *x, int *rank, int64_t *dims) {
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
  for (i = 0; i < r; i++) dims[i] = ins[i] ? 1 : x->dims[k++];
  *rank = r;
  return ST_OK;
}

static status reshape_infer(op_ctx *c) {
  const ir_tensor *x;
  int64_t dims[IR_MAX_RANK];
  int rank = 0, axis;
  status s = ST_OK;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  switch (c->n->op) {
  case OP_Reshape: s = reshape_dims(c, x, &rank, dims); break;
  case OP_Squeeze: s = squeeze_dims(c, x, &rank, dims); break;
  case OP_Unsqueeze: s = unsqueeze_dims(c, x, &rank, dims); break;
  case OP_Flatten: {
    int64_t a = attr_int(c->n, "axis", 1), i, outer = 1;
    if (a < 0) a += x->rank;
    if (a < 0 || a > x->rank) return diag_node_error(ST_BAD_MODEL, c->n, "axis %lld is out of range", (long long)a);
    axis = (int)a;
    for (i = 0; i < axis; i++) outer *= x->dims[i];
    rank = 2;
    dims[0] = outer;
    dims[1] = outer ? tensor_numel(x) / outer : 0;
    if (!outer) {
      dims[1] = 1;
      for (i = axis; i < x->rank; i++) dims[1] *= x->dims[i];
    }
    break;
  }
  case OP_Dropout:
    if (op_in(c, 2) && (!op_in(c, 2)->t.data || tensor_int(&op_in(c, 2)->t, 0) != 0))
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "training-mode Dropout (training_mode not a constant false) is not supported");
    if (op_out(c, 1)) op_set_output(c, 1, DT_BOOL, x->rank, x->dims);
    /* fall through */
  default:
    rank = x->rank;
    memcpy(dims, x->dims, sizeof(int64_t) * IR_MAX_RANK);
    break;
  }
  if (s) return s;
  op_set_output(c, 0, x->dtype, rank, dims);
  return ST_OK;
}

static status reshape_lower(op_ctx *c, lowered *l) {
  rt_copy_params *p = LOWER(l, rt_copy, rt_copy_params);
  p->bytes = (int64_t)tensor_bytes(&op_in(c, 0)->t);
  if (c->n->op == OP_Dropout && op_out(c, 1)) p->mask_bytes = tensor_numel(&op_out(c, 1)->t);
  /* Dropout's mask is written by the call, so that call must stay. */
  if (!p->mask_bytes) l->view_of = 0;
  return ST_OK;
}

const op_family op_family_reshape = {reshape_infer, reshape_lower, 0};
