/* TensorScatter (rt_tensor_scatter; kernels/tensor_scatter.h): the update
 * written into the cache along `axis` at each batch's write index.
 *
 * Any element type of a whole number of bytes (elements move as bytes).
 * Every dim may vary at run time: those that must agree (the update's and
 * the cache's but along the axis, where the update must not be longer)
 * are checked before the node runs. The output may take the past cache's
 * memory, as a cache updated in place would. */
#include "../dimexpr.h"
#include "ops.h"

static const char *const modes[] = {"linear", "circular"};

/* Checks the node; *axis gets the sequence axis and *circular the mode. */
static status ts_check(const op_ctx *c, int *axis, int *circular) {
  dx_table *dx = op_dx(c);
  const ir_tensor *past, *upd, *w;
  int d, pd, ud;
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
  for (d = 0; d < past->rank; d++) {
    pd = ir_dim(c->g, past, d);
    ud = ir_dim(c->g, upd, d);
    /* along the axis, update <= past: min(update, past) == update */
    if ((s = op_check_equal(c, d == *axis ? dx_min(dx, ud, pd) : pd, ud,
                            d == *axis ? "update's length along the axis must not exceed past_cache's"
                                       : "update's and past_cache's dims off the axis")) != ST_OK)
      return s;
  }
  if (w && (w->dtype != DT_INT64 || w->rank != 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "write_indices must be int64 [batch]");
  if (w) return op_check_equal(c, ir_dim(c->g, w, 0), ir_dim(c->g, past, 0), "write_indices' length and the batch");
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
  int axis, circular;
  status s = ts_check(c, &axis, &circular);
  if (s) return s;
  p = LOWER(l, rt_tensor_scatter, rt_tensor_scatter_params);
  op_bind(c, l, &p->batch, ir_dim(c->g, past, 0));
  op_bind_product(c, l, &p->rows, past, 1, axis);
  op_bind(c, l, &p->maxlen, ir_dim(c->g, past, axis));
  op_bind(c, l, &p->seqlen, ir_dim(c->g, &op_in(c, 1)->t, axis));
  op_bind_product(c, l, &p->inner, past, axis + 1, past->rank);
  p->esize = (int64_t)dtype_size(past->dtype);
  p->circular = circular;
  l->inplace_of = 0; /* the kernel copies past only when the output is elsewhere */
  l->status_slot = 1;
  return ST_OK;
}

const op_family op_family_tensor_scatter = {ts_infer, ts_lower, 1, 0};
