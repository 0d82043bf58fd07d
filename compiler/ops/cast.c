/* Cast and CastLike: kernels rt_cast_<from>_<to> (elementwise.h), between
 * every pair of numeric types, float8 and 4-bit integers included, and
 * (kernels/strings.h) between strings and float, double and the integer
 * types; other string casts find no kernel and are refused. The
 * `saturate` attribute (opset 19; 1 when absent) only changes casts to
 * float8: out-of-range values become the largest finite value, or with 0
 * infinity / NaN. `round_mode` (opset 24) only changes casts to
 * float8e8m0. */
#include <stdio.h>

#include "ops.h"


static int target_dtype(const op_ctx *c) {
  if (c->n->op == OP_CastLike) return op_in(c, 1) ? op_in(c, 1)->t.dtype : 0;
  return (int)attr_int(c->n, "to", 0);
}

static int castable(int dt) { return dtype_size(dt) > 0; }

/* The largest TensorProto.DataType onnx 1.23 knows (FLOAT6E3M2). */
#define CAST_MAX_ONNX_TYPE 28

/* Cast-24's round_mode, as the runtime's RT_ROUND_ value. */
static const char *const round_modes[] = {"up", "down", "nearest"};
static status cast_round_mode(const op_ctx *c, int *mode) {
  return op_attr_enum(c, "round_mode", "up", round_modes, 3, mode);
}

static status refuse_cast(const op_ctx *c, int from, int to) {
  /* a type number onnxcc has no name for (complex, float6) */
  if (!castable(to) && to != DT_STRING)
    return diag_node_error(ST_UNSUPPORTED, c->n, "cast from %s to element type %d is not supported", dtype_name(from), to);
  return diag_node_error(ST_UNSUPPORTED, c->n, "cast from %s to %s is not supported", dtype_name(from), dtype_name(to));
}

static status cast_infer(op_ctx *c) {
  const ir_value *x;
  int to = target_dtype(c), mode;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  /* ONNX's element types are 1..28 (TensorProto.DataType); anything else
   * is not a type at all, which is a broken model, not a missing feature. */
  if (c->n->op == OP_Cast && (attr_int(c->n, "to", 0) < 1 || attr_int(c->n, "to", 0) > CAST_MAX_ONNX_TYPE))
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'to' is %lld, which is not an ONNX element type",
                           (long long)attr_int(c->n, "to", 0));
  if ((st = cast_round_mode(c, &mode)) != ST_OK) return st;
  if (!castable(x->t.dtype) || !castable(to)) return refuse_cast(c, x->t.dtype, to);
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
  int mode;
  status st;
  if (x->t.dtype == DT_STRING || y->t.dtype == DT_STRING) return cast_lower_strings(c, l);
  if ((st = cast_round_mode(c, &mode)) != ST_OK) return st;
  p = op_lower_as(c, l, PD_rt_cast_params, "rt_cast_%s_%s", op_dtype_suffix(x->t.dtype),
                                  op_dtype_suffix(y->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->saturate = attr_int(c->n, "saturate", 1) != 0;
  p->round_mode = mode;
  op_bind_product(c, l, &p->count, &x->t, 0, x->t.rank);
  /* Element by element: between types of one size, y may overwrite x. */
  if (dtype_size(x->t.dtype) == dtype_size(y->t.dtype)) l->inplace_of = 0;
  return ST_OK;
}

const op_family op_family_cast = {cast_infer, cast_lower, 1, 0};
