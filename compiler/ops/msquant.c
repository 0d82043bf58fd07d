/* ONNX Runtime's com.microsoft quantized ops (kernels in msquant.h):
 * QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
 * QLinearGlobalAveragePool, QLinearConcat, QGemm, MatMulIntegerToFloat
 * and DynamicQuantizeMatMul, as its quantizer writes them (QOperator
 * format); fuse_qdq.c also makes QGemm, QLinearAdd and QLinearMul from
 * QDQ groups.
 *
 * Semantics follow ONNX Runtime 1.20's CPU kernels, which define these
 * ops: the same input orders, the same type rules (a quantized output has
 * its first operand's type), one scale and zero point per tensor except
 * B's of the matrix products (one or one per column, as ONNX Runtime
 * takes them). Every dim must be known when compiling (symbolic 0). */
#include <string.h>

#include "ops.h"
#include "quant_common.h"

/* Input i must be an 8-bit integer tensor (`what` names it). */
static status check_8bit(const op_ctx *c, int i, const char *what) {
  OP_REQUIRE_INPUT(c, i);
  if (!is_8bit(op_in(c, i)->t.dtype)) return refuse_type(c, what, op_in(c, i)->t.dtype);
  return ST_OK;
}

/* Input i holds one float (a scale). */
static status check_scale(const op_ctx *c, int i) {
  const ir_value *v = op_in(c, i);
  if (!v) return diag_node_error(ST_BAD_MODEL, c->n, "input %d (a scale) is required", i);
  if (v->t.dtype != DT_FLOAT) return refuse_type(c, "a scale", v->t.dtype);
  if (!is_single(&v->t)) return diag_node_error(ST_UNSUPPORTED, c->n, "input %d (a scale) must hold one value", i);
  return ST_OK;
}

/* Input i (`what`), when present, has type dt and holds one value, or
 * `count` values in one dim (one per column of B). */
static status check_values(const op_ctx *c, int i, int dt, int64_t count, const char *what) {
  const ir_value *v = op_in(c, i);
  if (!v) return ST_OK;
  if (v->t.dtype != dt)
    return diag_node_error(ST_BAD_MODEL, c->n, "input %d (%s) is %s but must be %s", i, what,
                           dtype_name(v->t.dtype), dtype_name(dt));
  if (is_single(&v->t) || (v->t.rank == 1 && v->t.dims[0] == count)) return ST_OK;
  return diag_node_error(ST_UNSUPPORTED, c->n, "input %d (%s) must hold one value%s", i, what,
                         count > 1 ? " or one per column" : "");
}

/* Input i, when present, is the zero point of an operand of type dt. */
static status check_zp(const op_ctx *c, int i, int dt, int64_t count) {
  return check_values(c, i, dt, count, "a zero point");
}

/* The usual operand: x at i, its scale at i + 1, its zero point at i + 2. */
static status check_operand(const op_ctx *c, int i, const char *what) {
  status st = check_8bit(c, i, what);
  if (!st) st = check_scale(c, i + 1);
  if (!st) st = check_zp(c, i + 2, op_in(c, i)->t.dtype, 1);
  return st;
}

/* ---- QLinearAdd, QLinearMul ---- */

static status qlbinary_infer(op_ctx *c) {
  const ir_tensor *ts[2];
  int rank, dims[IR_MAX_RANK];
  status st;
  if ((st = check_operand(c, 0, "A")) || (st = check_operand(c, 3, "B"))) return st;
  if ((st = check_scale(c, 6)) || (st = check_zp(c, 7, op_in(c, 0)->t.dtype, 1))) return st;
  if (op_in(c, 3)->t.dtype != op_in(c, 0)->t.dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "A and B must have one type (A %s, B %s)",
                           dtype_name(op_in(c, 0)->t.dtype), dtype_name(op_in(c, 3)->t.dtype));
  ts[0] = &op_in(c, 0)->t;
  ts[1] = &op_in(c, 3)->t;
  if ((st = op_broadcast_exprs(c, ts, 2, &rank, dims))) return st;
  op_set_output_exprs(c, 0, ts[0]->dtype, rank, dims);
  return ST_OK;
}

static status qlbinary_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_qlbinary_params *p = op_lower_as(c, l, PD_rt_qlbinary_params, "rt_%s_%s",
                                      c->n->op == OP_ms_QLinearAdd ? "qladd" : "qlmul", op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rank = y->rank;
  op_bind_dims(c, l, p->dims, y);
  op_bind_broadcast_strides(c, l, p->a_strides, &op_in(c, 0)->t, y);
  op_bind_broadcast_strides(c, l, p->b_strides, &op_in(c, 3)->t, y);
  return ST_OK;
}

/* ---- QLinearSigmoid, QLinearLeakyRelu ---- */

static status qlunary_infer(op_ctx *c) {
  status st = check_operand(c, 0, "X");
  if (!st) st = check_scale(c, 3);
  if (!st) st = check_zp(c, 4, op_in(c, 0)->t.dtype, 1);
  if (st) return st;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status qlunary_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_qlunary_params *p = op_lower_as(c, l, PD_rt_qlunary_params, "rt_%s_%s",
                                     c->n->op == OP_ms_QLinearSigmoid ? "qlsigmoid" : "qlleakyrelu",
                                     op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->count = tensor_numel(x);
  p->alpha = attr_float(c->n, "alpha", 0.01f);
  l->inplace_of = 0; /* one table lookup per element, in order */
  return ST_OK;
}

/* ---- QLinearGlobalAveragePool ---- */

static status qlgap_infer(op_ctx *c) {
  const int last = attr_int(c->n, "channels_last", 0) != 0;
  const ir_tensor *x;
  int64_t dims[IR_MAX_RANK];
  int d;
  status st = check_operand(c, 0, "X");
  if (!st) st = check_scale(c, 3);
  if (!st) st = check_zp(c, 4, op_in(c, 0)->t.dtype, 1);
  if (st) return st;
  x = &op_in(c, 0)->t;
  if (x->rank < 3) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 3 or more, not %d", x->rank);
  /* every spatial dim becomes 1; batch and channels stay */
  for (d = 0; d < x->rank; d++) dims[d] = 1;
  dims[0] = x->dims[0];
  if (last) dims[x->rank - 1] = x->dims[x->rank - 1];
  else dims[1] = x->dims[1];
  op_set_output(c, 0, x->dtype, x->rank, dims);
  return ST_OK;
}

static status qlgap_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const int last = attr_int(c->n, "channels_last", 0) != 0;
  rt_qlgap_params *p = op_lower_as(c, l, PD_rt_qlgap_params, "rt_qlgap_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->batch = x->dims[0];
  p->channels = last ? x->dims[x->rank - 1] : x->dims[1];
  p->spatial = p->batch * p->channels != 0 ? tensor_numel(x) / (p->batch * p->channels) : 0;
  p->channels_last = last;
  return ST_OK;
}

/* ---- QLinearConcat: y_scale, y_zp, then (x, scale, zp) per input ---- */

static status qlconcat_infer(op_ctx *c) {
  const ir_tensor *x0;
  int64_t dims[IR_MAX_RANK];
  int k, d, axis, n = (c->n->n_in - 2) / 3, yt;
  status st;
  if (c->n->n_in < 5 || (c->n->n_in - 2) % 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "inputs must be y_scale, y_zero_point and (x, scale, zero point) "
                           "triples, not %d inputs", c->n->n_in);
  if (n > RT_CONCAT_MAX) return diag_node_error(ST_UNSUPPORTED, c->n, "at most %d inputs", RT_CONCAT_MAX);
  if ((st = check_scale(c, 0)) || (st = check_8bit(c, 1, "y_zero_point"))) return st;
  yt = op_in(c, 1)->t.dtype;
  if ((st = check_zp(c, 1, yt, 1))) return st;
  x0 = &op_in(c, 2)->t;
  if (x0->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "cannot concatenate scalars");
  if ((st = op_axis(c, attr_int(c->n, "axis", 0), x0->rank, &axis))) return st;
  memcpy(dims, x0->dims, sizeof(int64_t) * (size_t)x0->rank);
  dims[axis] = 0;
  for (k = 0; k < n; k++) {
    const ir_tensor *x;
    if ((st = check_operand(c, 2 + 3 * k, "an input"))) return st;
    x = &op_in(c, 2 + 3 * k)->t;
    if (x->dtype != yt) return refuse_type(c, "an input unlike y's", x->dtype);
    if (x->rank != x0->rank) return diag_node_error(ST_BAD_MODEL, c->n, "the inputs' ranks differ");
    for (d = 0; d < x->rank; d++)
      if (d != axis && x->dims[d] != x0->dims[d])
        return diag_node_error(ST_BAD_MODEL, c->n, "the inputs' dims off the concatenated axis differ");
    dims[axis] += x->dims[axis];
  }
  op_set_output(c, 0, yt, x0->rank, dims);
  return ST_OK;
}

static status qlconcat_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  int k, d, axis;
  int64_t outer = 1, inner = 1;
  rt_concat_params *p = op_lower_as(c, l, PD_rt_concat_params, "rt_qlconcat_%s", op_dtype_suffix(y->dtype));
  status st;
  if (!p) return ST_UNSUPPORTED;
  if ((st = op_axis(c, attr_int(c->n, "axis", 0), y->rank, &axis))) return st;
  for (d = 0; d < axis; d++) outer *= y->dims[d];
  for (d = axis + 1; d < y->rank; d++) inner *= y->dims[d];
  p->n = (c->n->n_in - 2) / 3;
  p->outer = outer;
  for (k = 0; k < p->n; k++) p->bytes[k] = op_in(c, 2 + 3 * k)->t.dims[axis] * inner;
  return ST_OK;
}

/* ---- QGemm, MatMulIntegerToFloat, DynamicQuantizeMatMul ---- */

/* Input slots of each op (msquant.h's i_* fields), -1 where it has none. */
typedef struct qgemm_slots {
  int a, as, az, b, bs, bz, c, bias, ys, yz;
} qgemm_slots;

static qgemm_slots slots_of(const op_ctx *c) {
  static const qgemm_slots qgemm = {0, 1, 2, 3, 4, 5, 6, -1, 7, 8};
  static const qgemm_slots to_float = {0, 2, 4, 1, 3, 5, -1, 6, -1, -1};
  static const qgemm_slots dynamic = {0, -1, -1, 1, 2, 3, -1, 4, -1, -1};
  return c->n->op == OP_ms_QGemm ? qgemm : c->n->op == OP_ms_MatMulIntegerToFloat ? to_float : dynamic;
}

/* Slot i if the node has that input, else -1. */
static int present(const op_ctx *c, int i) { return op_in(c, i) ? i : -1; }

/* M, K, N and A's and B's strides: QGemm's 2-D operands with transA and
 * transB, the others' A [..., M, K] (its leading dims fold into M) and
 * B [K, N]. */
static status qgemm_shape(const op_ctx *c, rt_qgemm_params *p) {
  const qgemm_slots s = slots_of(c);
  const ir_tensor *a = &op_in(c, s.a)->t, *b = &op_in(c, s.b)->t;
  const int ta = c->n->op == OP_ms_QGemm && attr_int(c->n, "transA", 0);
  const int tb = c->n->op == OP_ms_QGemm && attr_int(c->n, "transB", 0);
  int64_t k2;
  if (b->rank != 2) return diag_node_error(ST_UNSUPPORTED, c->n, "B must be 2-D, not of rank %d", b->rank);
  if (c->n->op == OP_ms_QGemm && a->rank != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "A must be 2-D, not of rank %d", a->rank);
  if (a->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "A must not be a scalar");
  if (a->rank == 2 && c->n->op == OP_ms_QGemm) {
    p->M = ta ? a->dims[1] : a->dims[0];
    p->K = ta ? a->dims[0] : a->dims[1];
  } else {
    p->K = a->dims[a->rank - 1];
    p->M = p->K ? tensor_numel(a) / p->K : 0;
  }
  p->a_sm = ta ? 1 : p->K;
  p->a_sk = ta ? p->M : 1;
  k2 = tb ? b->dims[1] : b->dims[0];
  p->N = tb ? b->dims[0] : b->dims[1];
  p->b_sk = tb ? 1 : p->N;
  p->b_sn = tb ? p->K : 1;
  if (k2 != p->K)
    return diag_node_error(ST_BAD_MODEL, c->n, "A's and B's inner dims differ (%lld and %lld)", (long long)p->K,
                           (long long)k2);
  return ST_OK;
}

/* C (int32) broadcasts to [M, N]: (), (1), (N), (1, N), (M, 1), (M, N). */
static status qgemm_c_strides(const op_ctx *c, rt_qgemm_params *p) {
  const ir_tensor *t = &op_in(c, 6)->t;
  const int64_t cm = t->rank == 2 ? t->dims[0] : 1, cn = t->rank >= 1 ? t->dims[t->rank - 1] : 1;
  if (t->dtype != DT_INT32) return refuse_type(c, "C", t->dtype);
  if (t->rank > 2 || (cm != 1 && cm != p->M) || (cn != 1 && cn != p->N))
    return diag_node_error(ST_BAD_MODEL, c->n, "C does not broadcast to [%lld, %lld]", (long long)p->M,
                           (long long)p->N);
  p->c_sm = cm == 1 ? 0 : cn;
  p->c_sn = cn == 1 ? 0 : 1;
  return ST_OK;
}

/* B's scale and zero point: one value each, or one per column each. */
static status qgemm_b_quant(const op_ctx *c, rt_qgemm_params *p, int bs, int bz, int bt) {
  const ir_tensor *s = &op_in(c, bs)->t;
  status st;
  if (s->dtype != DT_FLOAT) return refuse_type(c, "b_scale", s->dtype);
  if ((st = check_values(c, bs, DT_FLOAT, p->N, "b_scale")) || (st = check_zp(c, bz, bt, p->N))) return st;
  p->b_cols = !is_single(s);
  if (op_in(c, bz) && p->N > 1 && (!is_single(&op_in(c, bz)->t)) != p->b_cols)
    return diag_node_error(ST_UNSUPPORTED, c->n, "b_scale and b_zero_point must both hold one value or one per column");
  return ST_OK;
}

/* Checks the node and fills p's sizes, strides and slots; *yt gets the
 * output type. */
static status qgemm_check(const op_ctx *c, rt_qgemm_params *p, int *yt) {
  const qgemm_slots s = slots_of(c);
  const int dyn = c->n->op == OP_ms_DynamicQuantizeMatMul;
  status st;
  OP_REQUIRE_INPUT(c, s.a);
  if (dyn ? op_in(c, s.a)->t.dtype != DT_FLOAT : !is_8bit(op_in(c, s.a)->t.dtype))
    return refuse_type(c, "A", op_in(c, s.a)->t.dtype);
  if ((st = check_8bit(c, s.b, "B")) || (st = qgemm_shape(c, p))) return st;
  if (!dyn && ((st = check_scale(c, s.as)) || (st = check_zp(c, s.az, op_in(c, s.a)->t.dtype, 1)))) return st;
  if ((st = qgemm_b_quant(c, p, s.bs, s.bz, op_in(c, s.b)->t.dtype))) return st;
  p->alpha = c->n->op == OP_ms_QGemm ? attr_float(c->n, "alpha", 1.0f) : 1.0f;
  p->i_a = s.a, p->i_as = s.as, p->i_az = present(c, s.az), p->i_b = s.b, p->i_bs = s.bs;
  p->i_bz = present(c, s.bz), p->i_c = -1, p->i_bias = s.bias >= 0 ? present(c, s.bias) : -1;
  p->i_ys = p->i_yz = -1;
  *yt = DT_FLOAT;
  if (p->i_bias >= 0) {
    const ir_tensor *t = &op_in(c, s.bias)->t;
    if (t->dtype != DT_FLOAT || t->rank != 1 || t->dims[0] != p->N)
      return diag_node_error(ST_UNSUPPORTED, c->n, "bias must be %lld floats", (long long)p->N);
  }
  if (c->n->op != OP_ms_QGemm) return ST_OK;
  if (op_in(c, 6) && (st = qgemm_c_strides(c, p))) return st;
  p->i_c = present(c, 6);
  if (!op_in(c, 7) != !op_in(c, 8))
    return diag_node_error(ST_UNSUPPORTED, c->n, "y_scale and y_zero_point must be given together");
  if (!op_in(c, 7)) return ST_OK;
  if ((st = check_scale(c, 7)) || (st = check_zp(c, 8, op_in(c, 0)->t.dtype, 1))) return st;
  p->i_ys = 7, p->i_yz = 8;
  *yt = op_in(c, 0)->t.dtype;
  return ST_OK;
}

static status qgemm_infer(op_ctx *c) {
  rt_qgemm_params p;
  const ir_tensor *a;
  int64_t dims[IR_MAX_RANK];
  int yt;
  status st;
  memset(&p, 0, sizeof p);
  if ((st = qgemm_check(c, &p, &yt))) return st;
  a = &op_in(c, 0)->t;
  if (c->n->op == OP_ms_QGemm) {
    dims[0] = p.M;
    dims[1] = p.N;
    op_set_output(c, 0, yt, 2, dims);
    return ST_OK;
  }
  /* MatMul's rule with a 2-D B: A's dims but the last, then N */
  memcpy(dims, a->dims, sizeof(int64_t) * (size_t)a->rank);
  dims[a->rank - 1] = p.N;
  op_set_output(c, 0, yt, a->rank, dims);
  return ST_OK;
}

static status qgemm_lower(op_ctx *c, lowered *l) {
  const qgemm_slots s = slots_of(c);
  const char *bt = op_dtype_suffix(op_in(c, s.b)->t.dtype);
  rt_qgemm_params q, *p;
  int yt;
  status st;
  memset(&q, 0, sizeof q);
  if ((st = qgemm_check(c, &q, &yt))) return st;
  if (c->n->op == OP_ms_DynamicQuantizeMatMul)
    p = op_lower_as(c, l, PD_rt_qgemm_params, "rt_dqmatmul_f32_%s", bt);
  else
    p = op_lower_as(c, l, PD_rt_qgemm_params, "rt_qgemm_%s_%s_%s", op_dtype_suffix(op_in(c, 0)->t.dtype), bt,
                    op_dtype_suffix(yt));
  if (!p) return ST_UNSUPPORTED;
  *p = q;
  /* one row of int32 sums; DynamicQuantizeMatMul's quantized A before it */
  l->scratch_bytes = sizeof(int32_t) * (size_t)(p->N ? p->N : 1);
  if (c->n->op == OP_ms_DynamicQuantizeMatMul) l->scratch_bytes += ((size_t)(p->M * p->K) + 7u) & ~(size_t)7u;
  return ST_OK;
}

/* ---- the family ---- */

static status msquant_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_ms_QLinearAdd:
  case OP_ms_QLinearMul: return qlbinary_infer(c);
  case OP_ms_QLinearSigmoid:
  case OP_ms_QLinearLeakyRelu: return qlunary_infer(c);
  case OP_ms_QLinearGlobalAveragePool: return qlgap_infer(c);
  case OP_ms_QLinearConcat: return qlconcat_infer(c);
  default: return qgemm_infer(c);
  }
}

static status msquant_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_ms_QLinearAdd:
  case OP_ms_QLinearMul: return qlbinary_lower(c, l);
  case OP_ms_QLinearSigmoid:
  case OP_ms_QLinearLeakyRelu: return qlunary_lower(c, l);
  case OP_ms_QLinearGlobalAveragePool: return qlgap_lower(c, l);
  case OP_ms_QLinearConcat: return qlconcat_lower(c, l);
  default: return qgemm_lower(c, l);
  }
}

const op_family op_family_msquant = {msquant_infer, msquant_lower, 0, 0};
