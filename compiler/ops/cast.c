/* Cast and CastLike: kernels rt_cast_<from>_<to> (elementwise.h), between
 * every pair of numeric types, float8 and 4-bit integers included, and
 * (kernels/strings.h) between strings and float, double and the integer
 * types; other string casts find no kernel and are refused. The
 * `saturate` attribute (opset 19; 1 when absent) only changes casts to
 * float8: out-of-range values become the largest finite value, or with 0
 * infinity / NaN. */
#include <stdio.h>

#include "ops.h"


static int target_dtype(const op_ctx *c) {
  if (c->n->op == OP_CastLike) return op_in(c, 1) ? op_in(c, 1)->t.dtype : 0;
  return (int)attr_int(c->n, "to", 0);
}

static int castable(int dt) { return dtype_size(dt) > 0; }

static status cast_infer(op_ctx *c) {
  const ir_value *x;
  int to = target_dtype(c);
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  /* ONNX's element types are 1..23 (TensorProto.DataType); anything else
   * is not a type at all, which is a broken model, not a missing feature. */
  if (c->n->op == OP_Cast && (attr_int(c->n, "to", 0) < 1 || attr_int(c->n, "to", 0) > 23))
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'to' is %lld, which is not an ONNX element type",
                           (long long)attr_int(c->n, "to", 0));
  if (!castable(x->t.dtype) || !castable(to))
    return diag_node_error(ST_UNSUPPORTED, c->n, "cast from %s to %s is not supported", dtype_name(x->t.dtype),
                           dtype_name(to));
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = to;
  return ST_OK;
}

/* To or from strings: slots of the compilation's size, never in place. */
static status cast_lower_strings(op_ctx *c, lowered *l) {
  const ir_value *x = op_in(c, 0), *y = op_out(c, 0);
  rt_strcast_params *p = op_lower_as(c, l, PD_rt_strcast_params, "rt_cast_%s_%s", op_dtype_suffix(x->t.dtype),
                                     op_dtype_suffix(y->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->slot = (int64_t)dtype_size(DT_STRING);
  op_bind_product(c, l, &p->count, &x->t, 0, x->t.rank);
  return ST_OK;
}

static status cast_lower(op_ctx *c, lowered *l) {
  const ir_value *x = op_in(c, 0), *y = op_out(c, 0);
  rt_cast_params *p;
  if (x->t.dtype == DT_STRING || y->t.dtype == DT_STRING) return cast_lower_strings(c, l);
  p = op_lower_as(c, l, PD_rt_cast_params, "rt_cast_%s_%s", op_dtype_suffix(x->t.dtype),
                                  op_dtype_suffix(y->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->saturate = attr_int(c->n, "saturate", 1) != 0;
  op_bind_product(c, l, &p->count, &x->t, 0, x->t.rank);
  /* Element by element: between types of one size, y may overwrite x. */
  if (dtype_size(x->t.dtype) == dtype_size(y->t.dtype)) l->inplace_of = 0;
  return ST_OK;
}

const op_family op_family_cast = {cast_infer, cast_lower, 1, 0};
