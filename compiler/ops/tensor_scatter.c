/* TensorScatter (rt_tensor_scatter; kernels/tensor_scatter.h): the update
 * written into the cache along `axis` at each batch's write index.
 *
 * Any element type of a whole number of bytes (elements move as bytes);
 * dims fixed at compile time (symbolic 0). The output may take the past
 * cache's memory, as a cache updated in place would. */
#include "ops.h"

static const char *const modes[] = {"linear", "circular"};

/* Checks the node; *axis gets the sequence axis and *circular the mode. */
static status ts_check(const op_ctx *c, int *axis, int *circular) {
  const ir_tensor *past, *upd, *w;
  int d;
  status s;
  *axis = 1;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  past = &op_in(c, 0)->t;
  upd = &op_in(c, 1)->t;
  w = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  if ((s = op_attr_enum(c, "mode", "linear", modes, 2, circular)) != ST_OK) return s;
  if (past->dtype == DT_STRING || dtype_size(past->dtype) == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(past->dtype));
  if (upd->dtype != past->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "update is %s but past_cache is %s", dtype_name(upd->dtype),
                           dtype_name(past->dtype));
  if (past->rank < 2 || upd->rank != past->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "past_cache and update must have one rank, 2 or more");
  if ((s = op_axis(c, attr_int(c->n, "axis", -2), past->rank, axis)) != ST_OK) return s;
  if (*axis == 0) return diag_node_error(ST_BAD_MODEL, c->n, "axis must not be the batch axis 0");
  for (d = 0; d < past->rank; d++)
    if (d == *axis ? upd->dims[d] > past->dims[d] : upd->dims[d] != past->dims[d])
      return diag_node_error(ST_BAD_MODEL, c->n,
                             "update's dim %d is %lld where past_cache's is %lld (only the axis may be shorter)", d,
                             (long long)upd->dims[d], (long long)past->dims[d]);
  if (w && (w->dtype != DT_INT64 || w->rank != 1 || w->dims[0] != past->dims[0]))
    return diag_node_error(ST_BAD_MODEL, c->n, "write_indices must be int64 [%lld]", (long long)past->dims[0]);
  return ST_OK;
}

static status ts_infer(op_ctx *c) {
  int axis, circular;
  status s = ts_check(c, &axis, &circular);
  if (s) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status ts_lower(op_ctx *c, lowered *l) {
  const ir_tensor *past = &op_in(c, 0)->t;
  rt_tensor_scatter_params *p;
  int axis, circular, d;
  status s = ts_check(c, &axis, &circular);
  if (s) return s;
  p = LOWER(l, rt_tensor_scatter, rt_tensor_scatter_params);
  p->batch = past->dims[0];
  p->rows = p->inner = 1;
  for (d = 1; d < past->rank; d++) {
    if (d < axis) p->rows *= past->dims[d];
    if (d > axis) p->inner *= past->dims[d];
  }
  p->maxlen = past->dims[axis];
  p->seqlen = op_in(c, 1)->t.dims[axis];
  p->esize = (int64_t)dtype_size(past->dtype);
  p->circular = circular;
  l->inplace_of = 0; /* the kernel copies past only when the output is elsewhere */
  l->status_slot = 1;
  return ST_OK;
}

const op_family op_family_tensor_scatter = {ts_infer, ts_lower, 0, 0};
