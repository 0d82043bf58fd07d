/* Elements moved to positions another input gives: ReverseSequence
 * (rt_reverse_sequence) and MaxUnpool (rt_max_unpool); kernels/placement.h.
 *
 * ReverseSequence's kernel always reads sequence_lens itself, so the
 * lengths may be run-time values; those (and constant ones against a time
 * dim known only at run time) get a prepare kernel that refuses a length
 * outside [0, time]. Its input dims may vary at run time.
 *
 * MaxUnpool's output dims come from the optional output_shape input: a
 * constant, dims from Shape (symvals), or values known only at run time,
 * which become run-time dims bounded by --max-dynamic-dim and are read by
 * rt_max_unpool_prepare. Its X and I must have dims known at compile
 * time. */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"

/* ---- ReverseSequence ---- */

/* batch_axis and time_axis: 0 and 1, one each (defaults 1 and 0). */
static status revseq_axes(const op_ctx *c, int *batch, int *time) {
  const int64_t b = attr_int(c->n, "batch_axis", 1), t = attr_int(c->n, "time_axis", 0);
  if (!((b == 0 && t == 1) || (b == 1 && t == 0)))
    return diag_node_error(ST_BAD_MODEL, c->n, "batch_axis and time_axis must be 0 and 1, one each, not %lld and %lld",
                           (long long)b, (long long)t);
  *batch = (int)b;
  *time = (int)t;
  return ST_OK;
}

/* Constant lengths are checked here when the time dim is known; 1 when
 * the run must check them (rt_reverse_sequence_prepare). */
static int revseq_needs_check(const op_ctx *c, int time) {
  const ir_tensor *x = &op_in(c, 0)->t, *lens = &op_in(c, 1)->t;
  return !lens->data || x->sym[time] || tensor_is_symbolic(lens);
}

static status revseq_infer(op_ctx *c) {
  const ir_tensor *x, *lens;
  int batch = 0, time = 0;
  int64_t i;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  lens = &op_in(c, 1)->t;
  if ((s = revseq_axes(c, &batch, &time))) return s;
  if (x->dtype == DT_STRING || dtype_size(x->dtype) == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (x->rank < 2) return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank 2 or more, not %d", x->rank);
  if (lens->dtype != DT_INT64 || lens->rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "sequence_lens must be a 1-D int64 tensor");
  if ((s = op_check_equal(c, ir_dim(c->g, lens, 0), ir_dim(c->g, x, batch), "sequence_lens' length and the batch dim")))
    return s;
  if (!revseq_needs_check(c, time))
    for (i = 0; i < lens->dims[0]; i++)
      if (tensor_int(lens, i) < 0 || tensor_int(lens, i) > x->dims[time])
        return diag_node_error(ST_BAD_MODEL, c->n, "sequence length %lld is outside [0, %lld]",
                               (long long)tensor_int(lens, i), (long long)x->dims[time]);
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status revseq_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  dx_table *dx = op_dx(c);
  rt_reverse_sequence_params *p = LOWER(l, rt_reverse_sequence, rt_reverse_sequence_params);
  int batch = 0, time = 0, block, b, t;
  status s = revseq_axes(c, &batch, &time);
  if (s) return s;
  /* a block is everything past the first two axes, in bytes */
  block = dx_mul(dx, ir_dims_product(c->g, x, 2, x->rank), dx_const(dx, (int64_t)dtype_size(x->dtype)));
  b = ir_dim(c->g, x, batch);
  t = ir_dim(c->g, x, time);
  op_bind(c, l, &p->batch, b);
  op_bind(c, l, &p->time, t);
  op_bind(c, l, &p->block, block);
  op_bind(c, l, &p->batch_stride, batch == 0 ? dx_mul(dx, t, block) : block);
  op_bind(c, l, &p->time_stride, time == 0 ? dx_mul(dx, b, block) : block);
  if (revseq_needs_check(c, time) &&
      !op_prepare_as(c, l, PD_rt_reverse_sequence_params, "rt_reverse_sequence_prepare"))
    return ST_UNSUPPORTED;
  return ST_OK;
}

/* ---- MaxUnpool ---- */

/* The output dims MaxUnpool implies without output_shape: N, C, then
 * (in - 1) * stride + kernel - pad_begin - pad_end per spatial dim. */
static status unpool_default_dims(const op_ctx *c, int64_t *dims) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const int64_t *ks, *st = NULL, *pads = NULL;
  const int sp = x->rank - 2;
  int d, nk = attr_ints(c->n, "kernel_shape", &ks), ns = attr_ints(c->n, "strides", &st),
         np = attr_ints(c->n, "pads", &pads);
  if (nk != sp) return diag_node_error(ST_BAD_MODEL, c->n, "kernel_shape must have %d values", sp);
  if (ns >= 0 && ns != sp) return diag_node_error(ST_BAD_MODEL, c->n, "strides must have %d values", sp);
  if (np >= 0 && np != 2 * sp) return diag_node_error(ST_BAD_MODEL, c->n, "pads must have %d values", 2 * sp);
  dims[0] = x->dims[0];
  dims[1] = x->dims[1];
  for (d = 0; d < sp; d++) {
    const int64_t s = ns >= 0 ? st[d] : 1, pb = np >= 0 ? pads[d] : 0, pe = np >= 0 ? pads[sp + d] : 0;
    if (ks[d] < 1 || s < 1 || pb < 0 || pe < 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "kernel_shape and strides must be positive, pads not negative");
    dims[2 + d] = (x->dims[2 + d] - 1) * s + ks[d] - pb - pe;
    if (dims[2 + d] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "the pads are larger than the output");
  }
  return ST_OK;
}

static status unpool_infer(op_ctx *c) {
  const ir_tensor *x, *ind;
  const ir_value *shape;
  int64_t dims[IR_MAX_RANK], given[IR_MAX_RANK];
  int exprs[IR_MAX_RANK], d;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  ind = &op_in(c, 1)->t;
  shape = op_in(c, 2);
  if (tensor_is_symbolic(x) || tensor_is_symbolic(ind))
    return diag_node_error(ST_UNSUPPORTED, c->n, "X and I must have dims known at compile time; pin them with --dim");
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE && x->dtype != DT_FLOAT16)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (x->rank < 3) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 3 or more, not %d", x->rank);
  if (ind->dtype != DT_INT64 || ind->rank != x->rank || memcmp(ind->dims, x->dims, sizeof(int64_t) * (size_t)x->rank))
    return diag_node_error(ST_BAD_MODEL, c->n, "I must be int64 with X's shape");
  if ((s = unpool_default_dims(c, dims))) return s;
  if (!shape) {
    op_set_output(c, 0, x->dtype, x->rank, dims);
    return ST_OK;
  }
  if (shape->t.dtype != DT_INT64 || shape->t.rank != 1 || shape->t.dims[0] != x->rank || shape->t.sym[0])
    return diag_node_error(ST_BAD_MODEL, c->n, "output_shape must be %d int64 values", x->rank);
  if (shape->t.data) {
    if (op_const_ints(c, 2, given, IR_MAX_RANK, "output_shape") != x->rank) return ST_UNSUPPORTED;
    for (d = 0; d < x->rank; d++)
      if (given[d] < dims[d])
        return diag_node_error(ST_BAD_MODEL, c->n, "output_shape's dim %d is %lld, less than the %lld unpooling needs",
                               d, (long long)given[d], (long long)dims[d]);
    op_set_output(c, 0, x->dtype, x->rank, given);
    return ST_OK;
  }
  /* known at run time: as dims from Shape, or read by the prepare kernel */
  if (shape->symvals) {
    memcpy(exprs, shape->symvals, sizeof(int) * (size_t)x->rank);
  } else {
    for (d = 0; d < x->rank; d++)
      if ((exprs[d] = op_data_dim(c, d, 0, "MaxUnpool's output_shape")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, exprs);
  return ST_OK;
}

static status unpool_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const ir_value *shape = op_in(c, 2);
  rt_max_unpool_params *p = LOWER(l, rt_max_unpool, rt_max_unpool_params);
  rt_max_unpool_shape_params *q;
  int64_t dims[IR_MAX_RANK];
  int d;
  status s = unpool_default_dims(c, dims);
  if (s) return s;
  p->in_count = tensor_numel(x);
  p->esize = (int64_t)dtype_size(x->dtype);
  if (shape && !shape->t.data) {
    /* the run checks the dims against the least unpooling needs, and
     * defines those that are its own */
    q = op_prepare_as(c, l, PD_rt_max_unpool_shape_params, "rt_max_unpool_prepare");
    if (!q) return ST_UNSUPPORTED;
    q->rank = x->rank;
    for (d = 0; d < x->rank; d++) {
      q->min_dims[d] = dims[d];
      if (op_is_data_dim(c, ir_dim(c->g, y, d), d) && op_define(c, l, ir_dim(c->g, y, d))) return ST_INTERNAL;
    }
  }
  op_bind_product(c, l, &p->out_count, y, 0, y->rank);
  return ST_OK;
}

static status placement_infer(op_ctx *c) {
  return c->n->op == OP_ReverseSequence ? revseq_infer(c) : unpool_infer(c);
}

static status placement_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_ReverseSequence ? revseq_lower(c, l) : unpool_lower(c, l);
}

const op_family op_family_placement = {placement_infer, placement_lower, 1, 0};
