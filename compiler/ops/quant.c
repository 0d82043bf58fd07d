/* Quantization ops of the default domain: QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul and
 * QLinearConv (kernels in quant.h).
 *
 * Scales and zero points are inputs: constants or values computed at run
 * time, so the kernels read them from their inputs and the compiler only
 * decides how they are laid out (one per tensor, per slice of an axis, per
 * block), from their shapes. MatMul's and Conv's shape rules come from
 * gemm.c and conv.c (shared_shapes.h). QuantizeLinear and
 * DequantizeLinear also take the 4- and 2-bit integers (int4, uint4,
 * int2, uint2), float4e2m1 and the float8 types; to float8, QuantizeLinear
 * is a cast of x / scale with its `saturate` attribute, the zero point
 * giving only the type; to float4e2m1, a saturating cast of x / scale plus
 * the zero point's value, as ONNX's reference computes it. */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"
#include "quant_common.h"
#include "shared_shapes.h"

static int is_quant_int(int dt) { return is_8bit(dt) || dt == DT_INT16 || dt == DT_UINT16; }
/* What QuantizeLinear makes and DequantizeLinear reads (besides int32). */
static int is_quantized(int dt) {
  return is_quant_int(dt) || dtype_packed_bits(dt) || dtype_is_float8(dt);
}
static int is_scale_float(int dt) { return dt == DT_FLOAT || dt == DT_FLOAT16 || dt == DT_BFLOAT16; }

/* ---- QuantizeLinear, DequantizeLinear: where each element's scale is ---- */

enum { LAYOUT_TENSOR, LAYOUT_AXIS, LAYOUT_BLOCKED };

typedef struct qlayout {
  int kind, axis;
  int64_t block;
} qlayout;

/* The layout of scale s against x, from axis and block_size. With
 * `check` (infer), dims that only the run can compare get run-time
 * checks. */
static status qlinear_layout(const op_ctx *c, const ir_tensor *x, const ir_tensor *s, int check, qlayout *q) {
  const int64_t block = c->opset >= 21 ? attr_int(c->n, "block_size", 0) : 0;
  dx_table *dx = op_dx(c);
  status st;
  int d;
  memset(q, 0, sizeof *q);
  if (block < 0) return diag_node_error(ST_BAD_MODEL, c->n, "block_size %lld is negative", (long long)block);
  if (block == 0 && is_single(s)) return ST_OK;
  if ((st = op_axis(c, attr_int(c->n, "axis", 1), x->rank, &q->axis)) != ST_OK) return st;
  if (block == 0) {
    q->kind = LAYOUT_AXIS;
    q->block = 1;
    if (s->rank != 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "the scale must be a scalar or 1-D along axis %d, not of rank %d",
                             q->axis, s->rank);
    return check ? op_check_equal(c, ir_dim(c->g, s, 0), ir_dim(c->g, x, q->axis), "the scale's length and the axis dim")
                 : ST_OK;
  }
  q->kind = LAYOUT_BLOCKED;
  q->block = block;
  if (s->rank != x->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "blocked quantization needs a scale of x's rank %d, not %d", x->rank,
                           s->rank);
  for (d = 0; check && d < x->rank; d++) {
    int want = ir_dim(c->g, x, d);
    if (d == q->axis) want = dx_ceildiv(dx, want, dx_const(dx, block));
    if ((st = op_check_equal(c, ir_dim(c->g, s, d), want, d == q->axis ? "the scale's blocks along the axis"
                                                                         : "the scale's dims and x's")) != ST_OK)
      return st;
  }
  return ST_OK;
}

/* The zero point (input 2, if present) must be laid out as the scale. One
 * value each is the same layout whatever the shapes: ONNX's own tests pair
 * a scalar scale with a [1] zero point. */
static status check_zero_point(const op_ctx *c, const ir_tensor *s, int zp_type) {
  const ir_value *z = op_in(c, 2);
  int d;
  if (!z) return ST_OK;
  if (z->t.dtype != zp_type)
    return diag_node_error(ST_BAD_MODEL, c->n, "the zero point is %s but must be %s", dtype_name(z->t.dtype),
                           dtype_name(zp_type));
  if (is_single(s) && is_single(&z->t)) return ST_OK;
  if (z->t.rank != s->rank) goto differ;
  for (d = 0; d < s->rank; d++)
    if (z->t.dims[d] != s->dims[d] || z->t.sym[d] != s->sym[d]) goto differ;
  return ST_OK;
differ:
  return diag_node_error(ST_BAD_MODEL, c->n, "the zero point's shape differs from the scale's");
}

/* QuantizeLinear's output type: the zero point's, else output_dtype
 * (opset 21), else uint8. */
static status quantize_out_type(const op_ctx *c, int *dt) {
  const int64_t want = c->opset >= 21 ? attr_int(c->n, "output_dtype", 0) : 0;
  *dt = op_in(c, 2) ? op_in(c, 2)->t.dtype : want ? (int)want : DT_UINT8;
  if (want && want != *dt)
    return diag_node_error(ST_BAD_MODEL, c->n, "output_dtype %lld is not the zero point's type %s", (long long)want,
                           dtype_name(*dt));
  if (!is_quantized(*dt)) return refuse_type(c, "output", *dt);
  return ST_OK;
}

/* Attributes of opset 23 that name an element type other than the
 * scale's (QuantizeLinear's precision, DequantizeLinear's output_dtype):
 * the kernels compute in the scale's type, so another one is refused. */
static status scale_typed_attr(const op_ctx *c, const char *attr, int scale_dtype) {
  const int64_t v = attr_int(c->n, attr, 0);
  if (!v || v == scale_dtype) return ST_OK;
  return diag_node_error(ST_UNSUPPORTED, c->n, "%s %lld differs from the scale's type %s", attr, (long long)v,
                         dtype_name(scale_dtype));
}

static status quantize_infer(op_ctx *c) {
  const ir_tensor *x, *s;
  qlayout q;
  int yt;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  s = &op_in(c, 1)->t;
  /* float types scale by their own type; int32 (opsets 10 and 13) by float */
  if (!is_scale_float(x->dtype) && x->dtype != DT_INT32) return refuse_type(c, "x", x->dtype);
  if (s->dtype != (x->dtype == DT_INT32 ? DT_FLOAT : x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "a %s scale for %s x is not supported", dtype_name(s->dtype),
                           dtype_name(x->dtype));
  /* opset 23: the division's precision may be set apart from the scale's */
  if ((st = scale_typed_attr(c, "precision", s->dtype)) != ST_OK) return st;
  if ((st = quantize_out_type(c, &yt)) != ST_OK) return st;
  if ((st = check_zero_point(c, s, yt)) != ST_OK) return st;
  if ((st = qlinear_layout(c, x, s, 1, &q)) != ST_OK) return st;
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = yt;
  return ST_OK;
}

static status dequantize_infer(op_ctx *c) {
  const ir_tensor *x, *s;
  qlayout q;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  x = &op_in(c, 0)->t;
  s = &op_in(c, 1)->t;
  if (!is_quantized(x->dtype) && x->dtype != DT_INT32) return refuse_type(c, "x", x->dtype);
  if (!is_scale_float(s->dtype)) return refuse_type(c, "the scale", s->dtype);
  /* opset 23: output_dtype may differ from the scale's type */
  if ((st = scale_typed_attr(c, "output_dtype", s->dtype)) != ST_OK) return st;
  if ((st = check_zero_point(c, s, x->dtype)) != ST_OK) return st;
  if ((st = qlinear_layout(c, x, s, 1, &q)) != ST_OK) return st;
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = s->dtype;
  return ST_OK;
}

/* Both ops: x as [outer, n, inner] around the axis, and the scale strides
 * (quant.h). Per tensor is one line of every element. */
static status qlinear_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *s = &op_in(c, 1)->t, *y = &op_out(c, 0)->t;
  const int quantize = c->n->op == OP_QuantizeLinear;
  dx_table *dx = op_dx(c);
  rt_qlinear_params *p;
  qlayout q;
  status st = qlinear_layout(c, x, s, 0, &q);
  if (st) return st;
  p = op_lower_as(c, l, PD_rt_qlinear_params, quantize ? "rt_quantize_%s_%s" : "rt_dequantize_%s_%s",
                  op_dtype_suffix(x->dtype), op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->block = 1;
  p->saturate = attr_int(c->n, "saturate", 1) != 0; /* opset 19; only float8 outputs read it */
  if (q.kind == LAYOUT_TENSOR) {
    p->outer = p->n = 1;
    op_bind_product(c, l, &p->inner, x, 0, x->rank);
    return ST_OK;
  }
  op_bind_product(c, l, &p->outer, x, 0, q.axis);
  op_bind(c, l, &p->n, ir_dim(c->g, x, q.axis));
  op_bind_product(c, l, &p->inner, x, q.axis + 1, x->rank);
  if (q.kind == LAYOUT_AXIS) {
    p->s_axis = 1;
    return ST_OK;
  }
  p->block = q.block;
  p->s_inner = 1;
  op_bind_product(c, l, &p->s_axis, x, q.axis + 1, x->rank);
  op_bind(c, l, &p->s_outer, dx_mul(dx, ir_dim(c->g, s, q.axis), ir_dims_product(c->g, x, q.axis + 1, x->rank)));
  return ST_OK;
}

/* ---- DynamicQuantizeLinear ---- */

static status dynquant_infer(op_ctx *c) {
  OP_REQUIRE_INPUT(c, 0);
  if (op_in(c, 0)->t.dtype != DT_FLOAT) return refuse_type(c, "x", op_in(c, 0)->t.dtype);
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = DT_UINT8;
  if (op_out(c, 1)) op_set_output(c, 1, DT_FLOAT, 0, NULL);
  if (op_out(c, 2)) op_set_output(c, 2, DT_UINT8, 0, NULL);
  return ST_OK;
}

static status dynquant_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_dynquant_params *p = LOWER(l, rt_dynquant_f32_u8, rt_dynquant_params);
  op_bind_product(c, l, &p->count, x, 0, x->rank);
  return ST_OK;
}

/* ---- scales and zero points of the products ---- */

/* Input i (absent: one zero) holds one value or one per `per` (dim d of
 * dim_of): a 1-D tensor, or, with lead_ones, [1, ..., 1, count] (ONNX
 * Runtime's per-column layout, B's rank); *many says which. */
static status per_slice(const op_ctx *c, int i, const ir_tensor *dim_of, int d, const char *per, int lead_ones,
                        int *many) {
  const ir_value *v = op_in(c, i);
  char buf[96];
  int k, ones = 1;
  *many = 0;
  if (!v || is_single(&v->t)) return ST_OK;
  for (k = 0; k + 1 < v->t.rank; k++) ones &= v->t.dims[k] == 1;
  if (v->t.rank >= 1 && (v->t.rank == 1 || (lead_ones && ones)) && !tensor_is_symbolic(&v->t) && !dim_of->sym[d] &&
      v->t.dims[v->t.rank - 1] == dim_of->dims[d]) {
    *many = 1;
    return ST_OK;
  }
  return diag_node_error(ST_UNSUPPORTED, c->n, "input %d (%s) must hold one value or one per %s (%lld)", i,
                         tensor_type_str(&v->t, buf, sizeof buf), per, (long long)dim_of->dims[d]);
}

/* Input i's element type must be dt (a zero point of its operand). */
static status same_type(const op_ctx *c, int i, int dt, const char *what) {
  const ir_value *v = op_in(c, i);
  if (v && v->t.dtype != dt)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s is %s but must be %s", what, dtype_name(v->t.dtype),
                           dtype_name(dt));
  return ST_OK;
}

/* ---- MatMulInteger, QLinearMatMul ---- */

/* A and B are inputs ia and ib: int8 or uint8 each. */
static status check_ab(const op_ctx *c, int ia, int ib) {
  OP_REQUIRE_INPUT(c, ia);
  OP_REQUIRE_INPUT(c, ib);
  if (!is_8bit(op_in(c, ia)->t.dtype)) return refuse_type(c, "A", op_in(c, ia)->t.dtype);
  if (!is_8bit(op_in(c, ib)->t.dtype)) return refuse_type(c, "B", op_in(c, ib)->t.dtype);
  return ST_OK;
}

/* Row count and column count of the products, as dims of A and B. */
static const ir_tensor *mm_rows(const op_ctx *c, int ia, int *d) {
  const ir_tensor *a = &op_in(c, ia)->t;
  *d = a->rank >= 2 ? a->rank - 2 : -1;
  return a;
}

static const ir_tensor *mm_cols(const op_ctx *c, int ib, int *d) {
  const ir_tensor *b = &op_in(c, ib)->t;
  *d = b->rank >= 2 ? b->rank - 1 : -1;
  return b;
}

/* per_slice against A's rows (input ia) or B's columns (ib); a 1-D
 * operand has one row or column, so only one value. */
static status per_row(const op_ctx *c, int i, int ia, int *many) {
  int d;
  const ir_tensor *a = mm_rows(c, ia, &d);
  static const ir_tensor one = {.rank = 1, .dims = {1}};
  return d < 0 ? per_slice(c, i, &one, 0, "row of A", 0, many) : per_slice(c, i, a, d, "row of A", 0, many);
}

static status per_col(const op_ctx *c, int i, int ib, int *many) {
  int d;
  const ir_tensor *b = mm_cols(c, ib, &d);
  static const ir_tensor one = {.rank = 1, .dims = {1}};
  return d < 0 ? per_slice(c, i, &one, 0, "column of B", 0, many) : per_slice(c, i, b, d, "column of B", 1, many);
}

static status matmul_int_flags(const op_ctx *c, rt_qmatmul_params *p) {
  status st;
  if ((st = per_row(c, 2, 0, &p->a_zp_rows)) != ST_OK) return st;
  return per_col(c, 3, 1, &p->b_zp_cols);
}

static status matmul_int_infer(op_ctx *c) {
  rt_qmatmul_params p;
  status st;
  if ((st = check_ab(c, 0, 1)) != ST_OK) return st;
  if ((st = same_type(c, 2, op_in(c, 0)->t.dtype, "a_zero_point")) != ST_OK) return st;
  if ((st = same_type(c, 3, op_in(c, 1)->t.dtype, "b_zero_point")) != ST_OK) return st;
  if ((st = matmul_int_flags(c, &p)) != ST_OK) return st;
  return matmul_infer_output(c, 0, 1, DT_INT32);
}

/* QLinearMatMul: scales (inputs 1, 4, 6) of one float type; y has A's type. */
static status qmatmul_flags(const op_ctx *c, rt_qmatmul_params *p) {
  status st;
  int y_zp_rows;
  if ((st = per_row(c, 1, 0, &p->a_scale_rows)) != ST_OK) return st;
  if ((st = per_row(c, 2, 0, &p->a_zp_rows)) != ST_OK) return st;
  if ((st = per_col(c, 4, 3, &p->b_scale_cols)) != ST_OK) return st;
  if ((st = per_col(c, 5, 3, &p->b_zp_cols)) != ST_OK) return st;
  if ((st = per_row(c, 6, 0, &p->y_rows)) != ST_OK) return st;
  if ((st = per_row(c, 7, 0, &y_zp_rows)) != ST_OK) return st;
  if (y_zp_rows != p->y_rows)
    return diag_node_error(ST_UNSUPPORTED, c->n, "y_scale and y_zero_point must both hold one value or one per row");
  return ST_OK;
}

static status qmatmul_infer(op_ctx *c) {
  rt_qmatmul_params p;
  const ir_value *as;
  status st;
  int i;
  for (i = 0; i < 8; i++) OP_REQUIRE_INPUT(c, i);
  if ((st = check_ab(c, 0, 3)) != ST_OK) return st;
  as = op_in(c, 1);
  if (!is_scale_float(as->t.dtype)) return refuse_type(c, "a_scale", as->t.dtype);
  if ((st = same_type(c, 4, as->t.dtype, "b_scale")) != ST_OK) return st;
  if ((st = same_type(c, 6, as->t.dtype, "y_scale")) != ST_OK) return st;
  if ((st = same_type(c, 2, op_in(c, 0)->t.dtype, "a_zero_point")) != ST_OK) return st;
  if ((st = same_type(c, 5, op_in(c, 3)->t.dtype, "b_zero_point")) != ST_OK) return st;
  /* ONNX Runtime's kernels give y A's type too */
  if (op_in(c, 7)->t.dtype != op_in(c, 0)->t.dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "y of type %s with A of type %s is not supported",
                           dtype_name(op_in(c, 7)->t.dtype), dtype_name(op_in(c, 0)->t.dtype));
  if ((st = qmatmul_flags(c, &p)) != ST_OK) return st;
  return matmul_infer_output(c, 0, 3, op_in(c, 0)->t.dtype);
}

static status qmatmul_lower(op_ctx *c, lowered *l) {
  const int qlinear = c->n->op == OP_QLinearMatMul, ib = qlinear ? 3 : 1;
  const ir_tensor *a = &op_in(c, 0)->t, *b = &op_in(c, ib)->t;
  rt_qmatmul_params *p;
  matmul_fields f;
  status st;
  if (qlinear)
    p = op_lower_as(c, l, PD_rt_qmatmul_params, "rt_qlinear_matmul_%s_%s_%s", op_dtype_suffix(a->dtype),
                    op_dtype_suffix(b->dtype), op_dtype_suffix(op_in(c, 1)->t.dtype));
  else
    p = op_lower_as(c, l, PD_rt_qmatmul_params, "rt_matmul_int_%s_%s", op_dtype_suffix(a->dtype),
                    op_dtype_suffix(b->dtype));
  if (!p) return ST_UNSUPPORTED;
  if ((st = qlinear ? qmatmul_flags(c, p) : matmul_int_flags(c, p)) != ST_OK) return st;
  f.batch_rank = &p->batch_rank;
  f.M = &p->M;
  f.N = &p->N;
  f.K = &p->K;
  f.batch_dims = p->batch_dims;
  f.a_strides = p->a_strides;
  f.b_strides = p->b_strides;
  if ((st = matmul_bind(c, l, 0, ib, &f)) != ST_OK) return st;
  /* one row of int32 sums, sized for N's bound (which op_bind left there) */
  if (qlinear) l->scratch_bytes = sizeof(int32_t) * (size_t)p->N;
  return ST_OK;
}

/* ---- ConvInteger, QLinearConv ---- */

/* Where W and B are: ConvInteger (x, w, x_zp, w_zp), QLinearConv (x,
 * x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B). */
static int conv_w(const op_ctx *c) { return c->n->op == OP_QLinearConv ? 3 : 1; }
static int conv_b(const op_ctx *c) { return c->n->op == OP_QLinearConv ? 8 : -1; }

/* Checks types and the layouts of scales and zero points (flags in p). */
static status qconv_check(const op_ctx *c, const conv_geom *g, rt_qconv_params *p) {
  const int wi = conv_w(c), ql = c->n->op == OP_QLinearConv;
  const int xt = op_in(c, 0)->t.dtype, wt = op_in(c, wi)->t.dtype;
  const ir_tensor och = {.rank = 1, .dims = {g->out_ch}};
  static const int scales[3] = {1, 4, 6}, xy[4] = {1, 2, 6, 7};
  status st;
  int i;
  if (ql)
    for (i = 0; i < 8; i++) OP_REQUIRE_INPUT(c, i);
  if (!is_8bit(xt)) return refuse_type(c, "x", xt);
  if (!is_8bit(wt)) return refuse_type(c, "w", wt);
  if ((st = same_type(c, 2, xt, "x_zero_point")) != ST_OK) return st;
  if ((st = same_type(c, ql ? 5 : 3, wt, "w_zero_point")) != ST_OK) return st;
  if ((st = per_slice(c, ql ? 5 : 3, &och, 0, "output channel", 0, &p->w_zp_channels)) != ST_OK) return st;
  if (!ql) {
    if (op_in(c, 2) && !is_single(&op_in(c, 2)->t))
      return diag_node_error(ST_UNSUPPORTED, c->n, "x_zero_point must hold one value");
    return ST_OK;
  }
  if ((st = same_type(c, 7, xt, "y_zero_point")) != ST_OK) return st;
  for (i = 0; i < 3; i++)
    if (op_in(c, scales[i])->t.dtype != DT_FLOAT) return refuse_type(c, "a scale", op_in(c, scales[i])->t.dtype);
  if ((st = per_slice(c, 4, &och, 0, "output channel", 0, &p->w_scale_channels)) != ST_OK) return st;
  for (i = 0; i < 4; i++)
    if (!is_single(&op_in(c, xy[i])->t))
      return diag_node_error(ST_UNSUPPORTED, c->n, "input %d must hold one value (x and y per tensor)", xy[i]);
  if (op_in(c, 8) && op_in(c, 8)->t.dtype != DT_INT32)
    return diag_node_error(ST_BAD_MODEL, c->n, "B is %s but must be int32", dtype_name(op_in(c, 8)->t.dtype));
  return ST_OK;
}

static status qconv_infer(op_ctx *c) {
  conv_geom g;
  rt_qconv_params p;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, conv_w(c));
  if ((st = conv_geometry_at(c, &g, conv_w(c), conv_b(c))) != ST_OK) return st;
  if ((st = qconv_check(c, &g, &p)) != ST_OK) return st;
  return conv_infer_output(c, &g, c->n->op == OP_QLinearConv ? op_in(c, 0)->t.dtype : DT_INT32);
}

static status qconv_lower(op_ctx *c, lowered *l) {
  const int xt = op_in(c, 0)->t.dtype, wt = op_in(c, conv_w(c))->t.dtype;
  conv_geom g;
  rt_conv_params geo;
  rt_qconv_params *p;
  status st = conv_geometry_at(c, &g, conv_w(c), conv_b(c));
  if (st) return st;
  p = op_lower_as(c, l, PD_rt_qconv_params, c->n->op == OP_QLinearConv ? "rt_qlinear_conv_%s_%s" : "rt_conv_int_%s_%s",
                  op_dtype_suffix(xt), op_dtype_suffix(wt));
  if (!p) return ST_UNSUPPORTED;
  if ((st = qconv_check(c, &g, p)) != ST_OK) return st;
  conv_geom_params(&g, conv_b(c) >= 0 && op_in(c, conv_b(c)), &geo);
  if (g.group != geo.group)
    return diag_node_error(ST_UNSUPPORTED, c->n, "group=%lld is too large", (long long)g.group);
  /* rt_qconv_params starts with rt_conv_params' fields, by name */
#define COPY(name) p->name = geo.name;
#define COPY_ARRAY(name, n) memcpy(p->name, geo.name, sizeof p->name);
#define COPY_ENUM(name, prefix, list) p->name = geo.name;
  RT_CONV_PARAMS(COPY, COPY, COPY_ARRAY, COPY_ARRAY, COPY, COPY_ARRAY, COPY_ENUM)
#undef COPY
#undef COPY_ARRAY
#undef COPY_ENUM
  conv_bind_dims(c, l, &g, &p->batch, p->in_dims, p->out_dims, p->pads);
  l->scratch_bytes = rt_qconv_scratch_bytes(p);
  return ST_OK;
}

/* ---- the family ---- */

static status quant_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_QuantizeLinear: return quantize_infer(c);
  case OP_DequantizeLinear: return dequantize_infer(c);
  case OP_DynamicQuantizeLinear: return dynquant_infer(c);
  case OP_MatMulInteger: return matmul_int_infer(c);
  case OP_QLinearMatMul: return qmatmul_infer(c);
  default: return qconv_infer(c);
  }
}

static status quant_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_QuantizeLinear:
  case OP_DequantizeLinear: return qlinear_lower(c, l);
  case OP_DynamicQuantizeLinear: return dynquant_lower(c, l);
  case OP_MatMulInteger:
  case OP_QLinearMatMul: return qmatmul_lower(c, l);
  default: return qconv_lower(c, l);
  }
}

const op_family op_family_quant = {quant_infer, quant_lower, 1, 0};
