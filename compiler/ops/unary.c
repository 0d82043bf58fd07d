/* Element-wise ops with one input: kernels rt_<op>_<type> (elementwise.h).
 * SwiGLU is here too: Swish of its gate A times B, element by element
 * over two inputs of one shape (no broadcasting), with Swish's alpha. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"


/* The op part of the kernel name, rt_<op>_<type>, for each ONNX op of
 * this family (Gelu's depends on its attribute). */
static const char *unary_kernel_op(const op_ctx *c) {
  switch (c->n->op) {
  case OP_Abs: return "abs";
  case OP_Acos: return "acos";
  case OP_Acosh: return "acosh";
  case OP_Asin: return "asin";
  case OP_Asinh: return "asinh";
  case OP_Atan: return "atan";
  case OP_Atanh: return "atanh";
  case OP_BitwiseNot: return "bitwise_not";
  case OP_Ceil: return "ceil";
  case OP_Celu: return "celu";
  case OP_Clip: return "clip";
  case OP_Cos: return "cos";
  case OP_Cosh: return "cosh";
  case OP_Elu: return "elu";
  case OP_Erf: return "erf";
  case OP_Exp: return "exp";
  case OP_Floor: return "floor";
  case OP_Gelu: return strcmp(attr_string(c->n, "approximate", "none"), "tanh") == 0 ? "gelu_tanh" : "gelu";
  case OP_HardSigmoid: return "hard_sigmoid";
  case OP_HardSwish: return "hard_swish";
  case OP_IsInf: return "isinf";
  case OP_IsNaN: return "isnan";
  case OP_LeakyRelu: return "leaky_relu";
  case OP_Log: return "log";
  case OP_Mish: return "mish";
  case OP_Neg: return "neg";
  case OP_Not: return "not";
  case OP_Reciprocal: return "reciprocal";
  case OP_Relu: return "relu";
  case OP_Round: return "round";
  case OP_Selu: return "selu";
  case OP_Shrink: return "shrink";
  case OP_Sigmoid: return "sigmoid";
  case OP_Sign: return "sign";
  case OP_Sin: return "sin";
  case OP_Sinh: return "sinh";
  case OP_Softplus: return "softplus";
  case OP_Softsign: return "softsign";
  case OP_Sqrt: return "sqrt";
  case OP_Tan: return "tan";
  case OP_Tanh: return "tanh";
  case OP_ThresholdedRelu: return "thresholded_relu";
  case OP_Swish: return "swish";
  case OP_SwiGLU: return "swiglu";
  case OP_onnxcc_Silu: return "silu";
  case OP_onnxcc_MulHardSigmoid: return "mul_hard_sigmoid";
  default: return "?";
  }
}

/* Which element types the op takes: those its kernels in elementwise.h
 * have (lower finds the kernel by name, so a type accepted here without a
 * kernel is an error there, never a silent wrong result). */
static int dtype_ok(int op, int dt) {
  int is_f = dt == DT_FLOAT || dt == DT_DOUBLE;
  int is_i = dtype_is_signed_int(dt) || (dtype_is_unsigned_int(dt) && dt != DT_BOOL);
  switch (op) {
  case OP_Not: return dt == DT_BOOL;
  case OP_BitwiseNot: return is_i;
  case OP_Abs: case OP_Neg: case OP_Sign: case OP_Relu: case OP_Clip: case OP_Shrink: return is_f || is_i;
  case OP_IsNaN: case OP_IsInf: return is_f || dt == DT_FLOAT16;
  default: return is_f;
  }
}

/* SwiGLU's value input B: A's type and A's shape exactly (the op does not
 * broadcast), dims that inference cannot relate being checked at run time. */
static status swiglu_value(op_ctx *c) {
  const ir_tensor *a = &op_in(c, 0)->t, *b;
  char b1[128], b2[128];
  int d;
  OP_REQUIRE_INPUT(c, 1);
  b = &op_in(c, 1)->t;
  if (b->dtype != a->dtype || b->rank != a->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "B %s must have the type and shape of A %s",
                           tensor_type_str(b, b1, sizeof b1), tensor_type_str(a, b2, sizeof b2));
  for (d = 0; d < a->rank; d++) {
    status s = op_check_equal(c, ir_dim(c->g, b, d), ir_dim(c->g, a, d), "B's dims (A's)");
    if (s) return s;
  }
  return ST_OK;
}

static status unary_infer(op_ctx *c) {
  const ir_value *x;
  int out_dt;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (!dtype_ok(c->n->op, x->t.dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->t.dtype));
  if (c->n->op == OP_SwiGLU) {
    status s = swiglu_value(c);
    if (s) return s;
  }
  if (c->n->op == OP_Gelu) {
    static const char *const approximations[] = {"none", "tanh"};
    int a;
    status s = op_attr_enum(c, "approximate", "none", approximations, 2, &a);
    if (s) return s;
  }
  out_dt = (c->n->op == OP_IsNaN || c->n->op == OP_IsInf) ? DT_BOOL : x->t.dtype;
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = out_dt;
  if (c->n->op == OP_Clip) {
    int k;
    for (k = 1; k < 3; k++)
      if (op_in(c, k) && (op_in(c, k)->t.dtype != x->t.dtype || tensor_numel(&op_in(c, k)->t) != 1))
        return diag_node_error(ST_BAD_MODEL, c->n, "Clip bound (input %d) must be a scalar %s", k,
                               dtype_name(x->t.dtype));
  }
  return ST_OK;
}

/* The smallest and largest value of an integer type, as the int64_t the
 * kernel converts to the element type (uint64's largest is all ones). */
static void int_range(int dt, int64_t *lo, int64_t *hi) {
  switch (dt) {
  case DT_INT8: *lo = INT8_MIN, *hi = INT8_MAX; break;
  case DT_INT16: *lo = INT16_MIN, *hi = INT16_MAX; break;
  case DT_INT32: *lo = INT32_MIN, *hi = INT32_MAX; break;
  case DT_UINT8: *lo = 0, *hi = UINT8_MAX; break;
  case DT_UINT16: *lo = 0, *hi = UINT16_MAX; break;
  case DT_UINT32: *lo = 0, *hi = UINT32_MAX; break;
  case DT_UINT64: *lo = 0, *hi = -1; break;
  default: *lo = INT64_MIN, *hi = INT64_MAX; break;
  }
}

/* Clip bounds: attributes before opset 11, optional inputs after. The
 * kernel reads bound inputs itself (constant or not, in the element type's
 * full precision); the params hold the attributes, or the type's whole
 * range for a bound that is absent. */
void op_clip_float_bounds(const op_ctx *c, float *lo_out, float *hi_out) {
  const ir_value *lo = op_in(c, 1), *hi = op_in(c, 2);
  *lo_out = -INFINITY;
  *hi_out = INFINITY;
  if (c->opset < 11) {
    *lo_out = attr_float(c->n, "min", -FLT_MAX);
    *hi_out = attr_float(c->n, "max", FLT_MAX);
  }
  if (lo && lo->t.data) *lo_out = (float)tensor_double(&lo->t, 0);
  if (hi && hi->t.data) *hi_out = (float)tensor_double(&hi->t, 0);
}

static void clip_bounds(const op_ctx *c, rt_unary_params *p) {
  const ir_value *lo = op_in(c, 1), *hi = op_in(c, 2);
  int dt = op_in(c, 0)->t.dtype;
  if (dtype_is_float(dt)) {
    op_clip_float_bounds(c, &p->alpha, &p->beta);
  } else {
    int_range(dt, &p->ilo, &p->ihi);
    if (lo && lo->t.data) p->ilo = tensor_int(&lo->t, 0);
    if (hi && hi->t.data) p->ihi = tensor_int(&hi->t, 0);
  }
}

static status unary_lower(op_ctx *c, lowered *l) {
  const ir_node *n = c->n;
  const ir_value *x = op_in(c, 0), *y = op_out(c, 0);
  rt_unary_params *p =
      op_lower_as(c, l, PD_rt_unary_params, "rt_%s_%s", unary_kernel_op(c), op_dtype_suffix(x->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->count, &x->t, 0, x->t.rank);
  /* Element by element, so the output may overwrite x when its type and
   * shape are x's (IsNaN/IsInf write bool). */
  if (y && y->t.dtype == x->t.dtype) l->inplace_of = 0;
  switch (n->op) {
  case OP_LeakyRelu: p->alpha = attr_float(n, "alpha", 0.01f); break;
  case OP_Elu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_Celu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_ThresholdedRelu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_Swish: case OP_SwiGLU: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_Selu:
    p->alpha = attr_float(n, "alpha", 1.67326319217681884765625f);
    p->gamma = attr_float(n, "gamma", 1.05070102214813232421875f);
    break;
  case OP_HardSigmoid:
  case OP_onnxcc_MulHardSigmoid:
    p->alpha = attr_float(n, "alpha", 0.2f);
    p->beta = attr_float(n, "beta", 0.5f);
    break;
  case OP_Clip: clip_bounds(c, p); break;
  case OP_Shrink:
    p->alpha = attr_float(n, "lambd", 0.5f);
    p->beta = attr_float(n, "bias", 0.0f);
    break;
  case OP_IsInf:
    p->ilo = attr_int(n, "detect_positive", 1);
    p->ihi = attr_int(n, "detect_negative", 1);
    break;
  default: break;
  }
  return ST_OK;
}

const op_family op_family_unary = {unary_infer, unary_lower, 1, 0};
