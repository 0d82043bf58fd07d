/* Element-wise ops with one input: the rt_unary kernel. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ops.h"


/* Kernel op code for each ONNX op of this family. */
static int unary_code(int op) {
  switch (op) {
  case OP_Abs: return RT_UNARY_ABS;
  case OP_Acos: return RT_UNARY_ACOS;
  case OP_Acosh: return RT_UNARY_ACOSH;
  case OP_Asin: return RT_UNARY_ASIN;
  case OP_Asinh: return RT_UNARY_ASINH;
  case OP_Atan: return RT_UNARY_ATAN;
  case OP_Atanh: return RT_UNARY_ATANH;
  case OP_Ceil: return RT_UNARY_CEIL;
  case OP_Celu: return RT_UNARY_CELU;
  case OP_Clip: return RT_UNARY_CLIP;
  case OP_Cos: return RT_UNARY_COS;
  case OP_Cosh: return RT_UNARY_COSH;
  case OP_Elu: return RT_UNARY_ELU;
  case OP_Erf: return RT_UNARY_ERF;
  case OP_Exp: return RT_UNARY_EXP;
  case OP_Floor: return RT_UNARY_FLOOR;
  case OP_Gelu: return RT_UNARY_GELU;
  case OP_HardSigmoid: return RT_UNARY_HARD_SIGMOID;
  case OP_HardSwish: return RT_UNARY_HARD_SWISH;
  case OP_IsInf: return RT_UNARY_ISINF;
  case OP_IsNaN: return RT_UNARY_ISNAN;
  case OP_LeakyRelu: return RT_UNARY_LEAKY_RELU;
  case OP_Log: return RT_UNARY_LOG;
  case OP_Mish: return RT_UNARY_MISH;
  case OP_Neg: return RT_UNARY_NEG;
  case OP_Not: return RT_UNARY_NOT;
  case OP_Reciprocal: return RT_UNARY_RECIPROCAL;
  case OP_Relu: return RT_UNARY_RELU;
  case OP_Round: return RT_UNARY_ROUND;
  case OP_Selu: return RT_UNARY_SELU;
  case OP_Sigmoid: return RT_UNARY_SIGMOID;
  case OP_Sign: return RT_UNARY_SIGN;
  case OP_Sin: return RT_UNARY_SIN;
  case OP_Sinh: return RT_UNARY_SINH;
  case OP_Softplus: return RT_UNARY_SOFTPLUS;
  case OP_Softsign: return RT_UNARY_SOFTSIGN;
  case OP_Sqrt: return RT_UNARY_SQRT;
  case OP_Tan: return RT_UNARY_TAN;
  case OP_Tanh: return RT_UNARY_TANH;
  case OP_ThresholdedRelu: return RT_UNARY_THRESHOLDED_RELU;
  default: return -1;
  }
}

/* Which element types the kernel handles for an op. */
static int dtype_ok(int op, int dt) {
  int is_f = dt == DT_FLOAT || dt == DT_DOUBLE;
  int is_i = dtype_is_signed_int(dt) || (dtype_is_unsigned_int(dt) && dt != DT_BOOL);
  switch (op) {
  case OP_Not: return dt == DT_BOOL;
  case OP_Abs: case OP_Neg: case OP_Sign: case OP_Relu: case OP_Clip: return is_f || is_i;
  default: return is_f;
  }
}

static status unary_infer(op_ctx *c) {
  const ir_value *x;
  int out_dt;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (!dtype_ok(c->n->op, x->t.dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->t.dtype));
  if (c->n->op == OP_Gelu) {
    static const char *const approximations[] = {"none", "tanh"};
    int a;
    status s = op_attr_enum(c, "approximate", "none", approximations, 2, &a);
    if (s) return s;
  }
  out_dt = (c->n->op == OP_IsNaN || c->n->op == OP_IsInf) ? DT_BOOL : x->t.dtype;
  op_set_output(c, 0, out_dt, x->t.rank, x->t.dims);
  if (c->n->op == OP_Clip) {
    int k;
    for (k = 1; k < 3; k++)
      if (op_in(c, k) && (op_in(c, k)->t.dtype != x->t.dtype || tensor_numel(&op_in(c, k)->t) != 1))
        return diag_node_error(ST_BAD_MODEL, c->n, "Clip bound (input %d) must be a scalar %s", k,
                               dtype_name(x->t.dtype));
  }
  return ST_OK;
}

/* Clip bounds: attributes before opset 11, optional inputs after. Bounds
 * known now are baked in; run-time bounds are read by the kernel. */
static void clip_bounds(const op_ctx *c, rt_unary_params *p) {
  const ir_value *lo = op_in(c, 1), *hi = op_in(c, 2);
  int dt = op_in(c, 0)->t.dtype;
  if (dtype_is_float(dt)) {
    p->alpha = -INFINITY;
    p->beta = INFINITY;
    if (c->opset < 11) {
      p->alpha = attr_float(c->n, "min", -FLT_MAX);
      p->beta = attr_float(c->n, "max", FLT_MAX);
    }
    if (lo && lo->t.data) p->alpha = (float)tensor_double(&lo->t, 0);
    if (hi && hi->t.data) p->beta = (float)tensor_double(&hi->t, 0);
  } else {
    p->ilo = dtype_is_unsigned_int(dt) ? 0 : INT64_MIN;
    p->ihi = INT64_MAX;
    if (lo && lo->t.data) p->ilo = tensor_int(&lo->t, 0);
    if (hi && hi->t.data) p->ihi = tensor_int(&hi->t, 0);
  }
}

static status unary_lower(op_ctx *c, lowered *l) {
  const ir_node *n = c->n;
  rt_unary_params *p = LOWER(l, rt_unary, rt_unary_params);
  p->count = tensor_numel(&op_in(c, 0)->t);
  p->op = unary_code(n->op);
  p->dtype = op_in(c, 0)->t.dtype;
  switch (n->op) {
  case OP_LeakyRelu: p->alpha = attr_float(n, "alpha", 0.01f); break;
  case OP_Elu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_Celu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_ThresholdedRelu: p->alpha = attr_float(n, "alpha", 1.0f); break;
  case OP_Selu:
    p->alpha = attr_float(n, "alpha", 1.67326319217681884765625f);
    p->gamma = attr_float(n, "gamma", 1.05070102214813232421875f);
    break;
  case OP_HardSigmoid:
    p->alpha = attr_float(n, "alpha", 0.2f);
    p->beta = attr_float(n, "beta", 0.5f);
    break;
  case OP_Clip: clip_bounds(c, p); break;
  case OP_IsInf:
    p->ilo = attr_int(n, "detect_positive", 1);
    p->ihi = attr_int(n, "detect_negative", 1);
    break;
  case OP_Gelu:
    if (strcmp(attr_string(n, "approximate", "none"), "tanh") == 0) p->op = RT_UNARY_GELU_TANH;
    break;
  default: break;
  }
  return ST_OK;
}

const op_family op_family_unary = {unary_infer, unary_lower};
