/* Broadcasting element-wise ops with two inputs (rt_binary) and Where
 * (rt_where). Variadic Sum/Mean/Max/Min are split into binary chains by
 * the legalize pass before they get here. */
#include <string.h>

#include "ops.h"


static int binary_code(const op_ctx *c) {
  switch (c->n->op) {
  case OP_Add: case OP_Sum: return RT_BINARY_ADD;
  case OP_Sub: return RT_BINARY_SUB;
  case OP_Mul: return RT_BINARY_MUL;
  case OP_Div: return RT_BINARY_DIV;
  case OP_Pow: return RT_BINARY_POW;
  case OP_Max: return RT_BINARY_MAX;
  case OP_Min: return RT_BINARY_MIN;
  case OP_Mod: return attr_int(c->n, "fmod", 0) ? RT_BINARY_FMOD : RT_BINARY_MOD;
  case OP_Equal: return RT_BINARY_EQUAL;
  case OP_Less: return RT_BINARY_LESS;
  case OP_Greater: return RT_BINARY_GREATER;
  case OP_LessOrEqual: return RT_BINARY_LESS_EQUAL;
  case OP_GreaterOrEqual: return RT_BINARY_GREATER_EQUAL;
  case OP_And: return RT_BINARY_AND;
  case OP_Or: return RT_BINARY_OR;
  case OP_Xor: return RT_BINARY_XOR;
  case OP_BitwiseAnd: return RT_BINARY_BITWISE_AND;
  case OP_BitwiseOr: return RT_BINARY_BITWISE_OR;
  case OP_BitwiseXor: return RT_BINARY_BITWISE_XOR;
  case OP_PRelu: return RT_BINARY_PRELU;
  case OP_BitShift:
    return strcmp(attr_string(c->n, "direction", ""), "LEFT") == 0 ? RT_BINARY_BITSHIFT_LEFT : RT_BINARY_BITSHIFT_RIGHT;
  default: return -1;
  }
}

static int writes_bool(int op) {
  return op == OP_Equal || op == OP_Less || op == OP_Greater || op == OP_LessOrEqual ||
         op == OP_GreaterOrEqual || op == OP_And || op == OP_Or || op == OP_Xor;
}

/* The kernel covers every numeric type; a few ops restrict further. */
static int dtype_ok(int op, int dt) {
  int is_f = dt == DT_FLOAT || dt == DT_DOUBLE;
  int is_int = dtype_is_signed_int(dt) || (dtype_is_unsigned_int(dt) && dt != DT_BOOL);
  switch (op) {
  case OP_And: case OP_Or: case OP_Xor: return dt == DT_BOOL;
  case OP_BitShift: return dtype_is_unsigned_int(dt) && dt != DT_BOOL;
  case OP_BitwiseAnd: case OP_BitwiseOr: case OP_BitwiseXor: return is_int;
  case OP_Equal: return is_f || is_int || dt == DT_BOOL;
  case OP_PRelu: return is_f || dtype_is_signed_int(dt);
  default: return is_f || is_int;
  }
}

static status binary_infer(op_ctx *c) {
  const ir_tensor *ts[3];
  int64_t dims[IR_MAX_RANK];
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
    s = op_broadcast(c, ts, 3, &rank, dims);
    if (s) return s;
    op_set_output(c, 0, ts[1]->dtype, rank, dims);
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
  if (c->n->op == OP_BitShift) {
    static const char *const directions[] = {"LEFT", "RIGHT"};
    int dir;
    s = op_attr_enum(c, "direction", "", directions, 2, &dir);
    if (s) return s;
  }
  s = op_broadcast(c, ts, 2, &rank, dims);
  if (s) return s;
  op_set_output(c, 0, writes_bool(c->n->op) ? DT_BOOL : ts[0]->dtype, rank, dims);
  return ST_OK;
}

static status binary_lower(op_ctx *c, lowered *l) {
  const ir_value *y = op_out(c, 0);
  if (c->n->op == OP_Where) {
    rt_where_params *p = LOWER(l, rt_where, rt_where_params);
    p->elem_size = (int64_t)dtype_size(y->t.dtype);
    p->rank = y->t.rank;
    memcpy(p->dims, y->t.dims, sizeof p->dims);
    op_broadcast_strides(&op_in(c, 0)->t, y->t.rank, y->t.dims, p->c_strides);
    op_broadcast_strides(&op_in(c, 1)->t, y->t.rank, y->t.dims, p->a_strides);
    op_broadcast_strides(&op_in(c, 2)->t, y->t.rank, y->t.dims, p->b_strides);
  } else {
    rt_binary_params *p = LOWER(l, rt_binary, rt_binary_params);
    p->op = binary_code(c);
    p->dtype = op_in(c, 0)->t.dtype;
    p->rank = y->t.rank;
    memcpy(p->dims, y->t.dims, sizeof p->dims);
    op_broadcast_strides(&op_in(c, 0)->t, y->t.rank, y->t.dims, p->a_strides);
    op_broadcast_strides(&op_in(c, 1)->t, y->t.rank, y->t.dims, p->b_strides);
  }
  return ST_OK;
}

const op_family op_family_binary = {binary_infer, binary_lower};
