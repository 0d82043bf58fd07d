/* Broadcasting element-wise ops with two inputs (kernels rt_<op>_<type>)
 * and Where (rt_where_<element size>). Variadic Sum/Mean/Max/Min are split
 * into binary chains by the legalize pass before they get here. */
#include <stdio.h>
#include <string.h>

#include "ops.h"


/* The op part of the kernel name, rt_<op>_<type>; NULL for Mean, which
 * the legalize pass turns into Adds and a Div where it can. */
static const char *binary_kernel_op(const op_ctx *c) {
  switch (c->n->op) {
  case OP_Add: case OP_Sum: return "add";
  case OP_Sub: return "sub";
  case OP_Mul: return "mul";
  case OP_Div: return "div";
  case OP_Pow: return "pow";
  case OP_Max: return "max";
  case OP_Min: return "min";
  case OP_Mod: return attr_int(c->n, "fmod", 0) ? "fmod" : "mod";
  case OP_Equal: return "equal";
  case OP_Less: return "less";
  case OP_Greater: return "greater";
  case OP_LessOrEqual: return "less_equal";
  case OP_GreaterOrEqual: return "greater_equal";
  case OP_And: return "and";
  case OP_Or: return "or";
  case OP_Xor: return "xor";
  case OP_BitwiseAnd: return "bitwise_and";
  case OP_BitwiseOr: return "bitwise_or";
  case OP_BitwiseXor: return "bitwise_xor";
  case OP_PRelu: return "prelu";
  case OP_BitShift:
    return strcmp(attr_string(c->n, "direction", ""), "LEFT") == 0 ? "bitshift_left" : "bitshift_right";
  default: return NULL;
  }
}

static int writes_bool(int op) {
  return op == OP_Equal || op == OP_Less || op == OP_Greater || op == OP_LessOrEqual ||
         op == OP_GreaterOrEqual || op == OP_And || op == OP_Or || op == OP_Xor;
}

/* Which element types the op takes: those its kernels in elementwise.h
 * have (lower finds the kernel by name, so a type accepted here without a
 * kernel is an error there, never a silent wrong result). */
static int dtype_ok(int op, int dt) {
  int is_f = dt == DT_FLOAT || dt == DT_DOUBLE;
  int is_int = dtype_is_signed_int(dt) || (dtype_is_unsigned_int(dt) && dt != DT_BOOL);
  switch (op) {
  case OP_And: case OP_Or: case OP_Xor: return dt == DT_BOOL;
  /* signed types from BitShift-28 on: computing them at an older opset is
   * harmless, the rule being the same */
  case OP_BitShift: case OP_BitwiseAnd: case OP_BitwiseOr: case OP_BitwiseXor: return is_int;
  case OP_Equal: return is_f || is_int || dt == DT_BOOL || dt == DT_STRING;
  case OP_PRelu: return is_f || dtype_is_signed_int(dt);
  /* The types legalize.c rewrites Mean for; another one stays Mean. */
  case OP_Mean: return is_f || dt == DT_INT32 || dt == DT_INT64;
  /* float16 computed in float (elementwise.h's RT_BINARY_F16_OPS) */
  case OP_Max: case OP_Min: case OP_Mod: return is_f || is_int || dt == DT_FLOAT16;
  default: return is_f || is_int;
  }
}

static status binary_infer(op_ctx *c) {
  const ir_tensor *ts[3];
  int dims[IR_MAX_RANK];
  int rank, n_in = c->n->n_in, k;
  status s;
  if (c->n->op == OP_Where) {
    for (k = 0; k < 3; k++) {
      OP_REQUIRE_INPUT(c, k);
      ts[k] = &op_in(c, k)->t;
    }
    if (ts[0]->dtype != DT_BOOL)
      return diag_node_error(ST_BAD_MODEL, c->n, "condition must be bool, not %s", dtype_name(ts[0]->dtype));
    if (ts[1]->dtype != ts[2]->dtype)
      return diag_node_error(ST_BAD_MODEL, c->n, "X is %s but Y is %s", dtype_name(ts[1]->dtype),
                             dtype_name(ts[2]->dtype));
    s = op_broadcast_exprs(c, ts, 3, &rank, dims);
    if (s) return s;
    op_set_output_exprs(c, 0, ts[1]->dtype, rank, dims);
    return ST_OK;
  }
  if (n_in != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "expects 2 inputs, has %d", n_in);
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  ts[0] = &op_in(c, 0)->t;
  ts[1] = &op_in(c, 1)->t;
  /* (Pow's mixed types were reconciled by legalize.c.) */
  if (ts[0]->dtype != ts[1]->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "inputs have different element types (%s and %s)",
                           dtype_name(ts[0]->dtype), dtype_name(ts[1]->dtype));
  if (!dtype_ok(c->n->op, ts[0]->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(ts[0]->dtype));
  /* opset 28 gave fmod 0 a meaning on floats: the divisor's sign */
  if (c->n->op == OP_Mod && dtype_is_float(ts[0]->dtype) && !attr_int(c->n, "fmod", 0) && c->opset < 28)
    return diag_node_error(ST_BAD_MODEL, c->n, "fmod must be 1 for %s inputs before opset 28", dtype_name(ts[0]->dtype));
  if (c->n->op == OP_BitShift) {
    static const char *const directions[] = {"LEFT", "RIGHT"};
    int dir;
    s = op_attr_enum(c, "direction", "", directions, 2, &dir);
    if (s) return s;
  }
  s = op_broadcast_exprs(c, ts, 2, &rank, dims);
  if (s) return s;
  op_set_output_exprs(c, 0, writes_bool(c->n->op) ? DT_BOOL : ts[0]->dtype, rank, dims);
  return ST_OK;
}

static status binary_lower(op_ctx *c, lowered *l) {
  const ir_value *y = op_out(c, 0);
  int k;
  if (c->n->op == OP_Where) {
    rt_where_params *p = op_lower_as(c, l, PD_rt_where_params, "rt_where_%zu", dtype_size(y->t.dtype));
    if (!p) return ST_UNSUPPORTED;
    p->rank = y->t.rank;
    op_bind_dims(c, l, p->dims, &y->t);
    op_bind_broadcast_strides(c, l, p->c_strides, &op_in(c, 0)->t, &y->t);
    op_bind_broadcast_strides(c, l, p->a_strides, &op_in(c, 1)->t, &y->t);
    op_bind_broadcast_strides(c, l, p->b_strides, &op_in(c, 2)->t, &y->t);
    /* Element by element: y may overwrite X (else Y) when it has y's shape. */
    for (k = 1; k <= 2 && l->inplace_of < 0; k++)
      if (op_same_type_and_shape(&op_in(c, k)->t, &y->t)) l->inplace_of = k;
  } else {
    const char *op = binary_kernel_op(c);
    rt_binary_params *p;
    if (!op) return diag_node_error(ST_INTERNAL, c->n, "no kernel for %s", c->n->op_type);
    if (op_in(c, 0)->t.dtype == DT_STRING) return op_lower_string_pair(c, l, "rt_equal_string");
    p = op_lower_as(c, l, PD_rt_binary_params, "rt_%s_%s", op, op_dtype_suffix(op_in(c, 0)->t.dtype));
    if (!p) return ST_UNSUPPORTED;
    p->rank = y->t.rank;
    op_bind_dims(c, l, p->dims, &y->t);
    op_bind_broadcast_strides(c, l, p->a_strides, &op_in(c, 0)->t, &y->t);
    op_bind_broadcast_strides(c, l, p->b_strides, &op_in(c, 1)->t, &y->t);
    /* Element by element: y may overwrite input 0 (else 1) when that input
     * has y's type and shape. */
    for (k = 0; k <= 1 && l->inplace_of < 0; k++)
      if (op_same_type_and_shape(&op_in(c, k)->t, &y->t)) l->inplace_of = k;
  }
  return ST_OK;
}

const op_family op_family_binary = {binary_infer, binary_lower, 1, 0};
