/* BitCast (opset 26): the input's bits read as another type of the same
 * width, shape unchanged.
 *
 * Between types of whole bytes no byte changes, so the output is a view
 * of the input (rt_copy where it cannot share, as Reshape). The sub-byte
 * types are one element per byte in memory (ir.h), int4 and int2
 * sign-extended, the others zero-extended: between two of one kind
 * (uint4 and float4e2m1) it is a view too, and otherwise the high bits of
 * each byte are redone (kernels/bitcast.h). float16 and bfloat16 are taken
 * as they are: computing them in float, as other ops' half types are,
 * would change the bits this op must keep. */
#include "../dimexpr.h"
#include "ops.h"

/* The largest TensorProto.DataType onnx 1.23 knows (FLOAT6E3M2). */
#define BITCAST_MAX_ONNX_TYPE 28

/* Bits per element in ONNX's sense (not the byte onnxcc keeps a sub-byte
 * element in); 0 for a type onnxcc does not have. */
static int onnx_bits(int dt) {
  if (dtype_packed_bits(dt)) return dtype_packed_bits(dt);
  return dt == DT_STRING ? 0 : 8 * (int)dtype_size(dt);
}

/* The kernel that redoes a sub-byte element's high bits for target type
 * `to`, or NULL when the bytes can be shared as they are. */
static const char *fix_kernel(int from, int to) {
  const int sx_from = from == DT_INT4 || from == DT_INT2, sx_to = to == DT_INT4 || to == DT_INT2;
  if (!dtype_packed_bits(to) || sx_from == sx_to) return NULL;
  if (dtype_packed_bits(to) == 2) return sx_to ? "rt_bitcast_to_i2" : "rt_bitcast_to_u2";
  return sx_to ? "rt_bitcast_to_i4" : "rt_bitcast_to_u4";
}

static status bitcast_infer(op_ctx *c) {
  const int64_t to = attr_int(c->n, "to", 0);
  const ir_value *x;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (to < 1 || to > BITCAST_MAX_ONNX_TYPE || to == DT_STRING || x->t.dtype == DT_STRING)
    return diag_node_error(ST_BAD_MODEL, c->n, "BitCast from %s to element type %lld: ONNX allows every type but "
                           "string", dtype_name(x->t.dtype), (long long)to);
  if (!onnx_bits((int)to))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %lld is not supported", (long long)to);
  if (onnx_bits((int)to) != onnx_bits(x->t.dtype))
    return diag_node_error(ST_BAD_MODEL, c->n, "BitCast from %s (%d bits) to %s (%d bits): the widths must be equal",
                           dtype_name(x->t.dtype), onnx_bits(x->t.dtype), dtype_name((int)to), onnx_bits((int)to));
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = (int)to;
  return ST_OK;
}

static status bitcast_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const char *fix = fix_kernel(x->dtype, y->dtype);
  rt_copy_params *p;
  if (fix) {
    rt_bitcast_params *q = op_lower_as(c, l, PD_rt_bitcast_params, "%s", fix);
    if (!q) return ST_UNSUPPORTED;
    op_bind_product(c, l, &q->count, x, 0, x->rank);
    l->inplace_of = 0; /* byte by byte */
    return ST_OK;
  }
  p = LOWER(l, rt_copy, rt_copy_params);
  /* the actual byte count: the copy runs where the view cannot share */
  op_bind(c, l, &p->bytes, dx_mul(op_dx(c), ir_dims_product(c->g, x, 0, x->rank),
                                  dx_const(op_dx(c), (int64_t)dtype_size(x->dtype))));
  l->view_of = 0;
  return ST_OK;
}

const op_family op_family_bitcast = {bitcast_infer, bitcast_lower, 1, 0};
