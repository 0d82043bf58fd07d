/* fuse-qdq: QDQ groups become integer ops. A model quantized in QDQ
 * format (ONNX Runtime's quantize_static default) keeps float ops between
 * DequantizeLinear on their inputs and QuantizeLinear on their output:
 *
 *   DQ(x) -> Conv   <- DQ(w) [, DQ(bias int32)] -> Q  =>  QLinearConv
 *   DQ(a) -> MatMul <- DQ(b)                    -> Q  =>  QLinearMatMul
 *   DQ(a) -> Gemm   <- DQ(b) [, DQ(C int32)]    -> Q  =>  QGemm (com.microsoft)
 *   DQ(a) -> Add / Mul <- DQ(b)                 -> Q  =>  QLinearAdd / QLinearMul
 *   DQ(x) -> GlobalAveragePool / Sigmoid / LeakyRelu -> Q => their QLinear ops
 *   DQ(x_k) -> Concat                           -> Q  =>  QLinearConcat
 *   DQ(x) -> Flatten / Reshape / (Un)Squeeze -> Q (same scale and zero
 *            point)                               =>  the op on the integers
 *
 * so that the product runs as 8-bit x 8-bit -> int32 sums -> one
 * requantization, as ONNX Runtime runs the same groups. The result can
 * differ from the float path by one quantization step where the float
 * result lies near a rounding boundary (the float path rounds the float
 * sum of float products; the integer path, the exact sum times one
 * scale).
 *
 * The pass runs before inference: constant folding would turn DQ(w) into
 * float weights and lose the integers. Types come from the constants:
 * every scale and zero point must be a constant (a float scale, an 8-bit
 * zero point present, one value each, except a weight's scale per output
 * channel, along Conv's axis 0 or B's column axis); bias scales must equal
 * x_scale * w_scale (what the quantizer writes), zero points 0. The
 * float op's output must feed only the QuantizeLinear, whose type must be
 * the activation input's (the integer kernels write their input's type).
 * Anything else is left to run in float. Subgraphs are not searched. The
 * DequantizeLinear nodes left unread are removed by dce. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "../ops/quant_common.h"
#include "passes.h"

/* One DequantizeLinear feeding the group: its three inputs (zp -1 when
 * absent), the quantized type, and the scale's axis (-1: one scale). */
typedef struct dq_in {
  int x, scale, zp, dtype, axis;
  int64_t count; /* scale values */
} dq_in;

static const ir_value *val(const ir_graph *g, int id) { return ir_val(g, id); }

/* Node n has none of these attributes set to a non-zero int (the variants
 * of QuantizeLinear / DequantizeLinear the integer ops do not cover). */
static int plain_qdq(const ir_node *n) {
  return !attr_int(n, "block_size", 0) && !attr_int(n, "output_dtype", 0) && !attr_int(n, "precision", 0);
}

/* A constant float scale: its count of values, or 0. */
static int64_t const_scale(const ir_graph *g, int id) {
  const ir_value *s = val(g, id);
  if (!s || !s->t.data || s->t.dtype != DT_FLOAT || s->t.rank > 1) return 0;
  return tensor_numel(&s->t);
}

/* Value v is made by a DequantizeLinear with constant scale and zero
 * point: fills d. int32 (bias) inputs may go without a zero point. */
static int match_dq(const ir_graph *g, int v, dq_in *d) {
  const ir_value *x = val(g, v), *zp;
  const ir_node *n;
  if (!x || x->producer < 0) return 0;
  n = g->nodes[x->producer];
  if (n->dead || n->op != OP_DequantizeLinear || n->n_in < 2 || !plain_qdq(n)) return 0;
  d->x = n->in[0];
  d->scale = n->in[1];
  d->zp = n->n_in > 2 ? n->in[2] : -1;
  /* the pass runs before the schema check: inputs may be missing */
  if (!val(g, d->x) || !(d->count = const_scale(g, d->scale))) return 0;
  zp = val(g, d->zp);
  if (zp && (!zp->t.data || tensor_numel(&zp->t) != d->count)) return 0;
  d->dtype = zp ? zp->t.dtype : val(g, d->x)->t.data ? val(g, d->x)->t.dtype : DT_UNDEFINED;
  if (!is_8bit(d->dtype) && d->dtype != DT_INT32) return 0;
  if (!zp && d->dtype != DT_INT32) return 0; /* the integer ops need one */
  d->axis = -1;
  if (d->count > 1) {
    const ir_value *w = val(g, d->x);
    int64_t axis = attr_int(n, "axis", 1);
    /* per axis: only for constants, whose rank is known before inference */
    if (!w->t.data) return 0;
    if (axis < 0) axis += w->t.rank;
    if (axis < 0 || axis >= w->t.rank || w->t.dims[axis] != d->count) return 0;
    d->axis = (int)axis;
  }
  return 1;
}

/* The QuantizeLinear that is the only reader of value v (node `reader`
 * from the reader table), with one constant scale and an 8-bit zero
 * point; NULL otherwise. */
static ir_node *match_q(const ir_graph *g, int v, const int *reader) {
  const ir_value *y = val(g, v), *zp;
  ir_node *q;
  if (!y || y->uses != 1 || reader[v] < 0) return NULL;
  q = g->nodes[reader[v]];
  if (q->dead || q->op != OP_QuantizeLinear || q->n_in != 3 || q->in[0] != v || !plain_qdq(q)) return NULL;
  zp = val(g, q->in[2]);
  if (const_scale(g, q->in[1]) != 1 || !zp || !zp->t.data || tensor_numel(&zp->t) != 1 || !is_8bit(zp->t.dtype))
    return NULL;
  return q;
}

/* A bias (int32, zero points 0) whose scales are a_scale * b_scale[c]. */
static int bias_fits(const ir_graph *g, const dq_in *bias, const dq_in *a, const dq_in *b) {
  const ir_tensor *bs = &val(g, bias->scale)->t, *as = &val(g, a->scale)->t, *ws = &val(g, b->scale)->t;
  int64_t c;
  if (bias->dtype != DT_INT32 || !val(g, bias->x)->t.data || val(g, bias->x)->t.rank != 1) return 0;
  if (bias->count != 1 && bias->count != b->count) return 0;
  for (c = 0; c < bias->count; c++) {
    const double want = tensor_double(as, 0) * tensor_double(ws, b->count > 1 ? c : 0);
    if (fabs(tensor_double(bs, c) - want) > 1e-6 * fabs(want)) return 0;
    if (bias->zp >= 0 && tensor_int(&val(g, bias->zp)->t, c) != 0) return 0;
  }
  return 1;
}

/* Node n becomes op `op` (op_type, domain) with inputs `ins` and Q's
 * output; Q dies. */
static void rewrite(ir_graph *g, ir_node *n, ir_node *q, int op, const char *type, const char *domain,
                    const int *ins, int n_in) {
  free(n->in);
  n->in = xmalloc(sizeof(int) * (size_t)n_in);
  memcpy(n->in, ins, sizeof(int) * (size_t)n_in);
  n->n_in = n_in;
  n->out[0] = q->out[0];
  q->dead = 1;
  free(n->op_type);
  free(n->domain);
  n->op_type = xstrdup(type);
  n->domain = xstrdup(domain);
  n->op = op;
  if (op_domain(op) == OP_DOMAIN_ms && !g->opset_ms) g->opset_ms = 1; /* the node's own import */
}

/* Drops Gemm's beta (QGemm has none; the caller checked it). */
static void drop_attr(ir_node *n, const char *name) {
  int i, k = 0;
  for (i = 0; i < n->n_attr; i++) {
    if (strcmp(n->attr[i].name, name) == 0) {
      ir_attr_free(&n->attr[i]);
      continue;
    }
    n->attr[k++] = n->attr[i];
  }
  n->n_attr = k;
}

/* Conv, MatMul, Gemm, Add, Mul: two quantized operands (and a bias). */
static int fuse_pair(ir_graph *g, ir_node *n, ir_node *q) {
  dq_in a, b, c;
  int ins[9], has_c;
  const int op = n->op;
  if (n->n_in < 2 || !match_dq(g, n->in[0], &a) || !match_dq(g, n->in[1], &b) || a.axis >= 0 ||
      !is_8bit(a.dtype) || !is_8bit(b.dtype) || val(g, q->in[2])->t.dtype != a.dtype)
    return 0;
  has_c = n->n_in > 2 && n->in[2] >= 0;
  if (has_c && (!match_dq(g, n->in[2], &c) || !bias_fits(g, &c, &a, &b))) return 0;
  ins[0] = a.x, ins[1] = a.scale, ins[2] = a.zp, ins[3] = b.x, ins[4] = b.scale, ins[5] = b.zp;
  ins[6] = q->in[1], ins[7] = q->in[2];
  switch (op) {
  case OP_Conv:
    if (b.axis > 0) return 0;
    ins[8] = has_c ? c.x : -1;
    rewrite(g, n, q, OP_QLinearConv, "QLinearConv", "", ins, has_c ? 9 : 8);
    return 1;
  case OP_MatMul:
    if (b.axis >= 0 && (val(g, b.x)->t.rank != 2 || b.axis != 1)) return 0;
    rewrite(g, n, q, OP_QLinearMatMul, "QLinearMatMul", "", ins, 8);
    return 1;
  case OP_Gemm: {
    const int tb = attr_int(n, "transB", 0) != 0;
    if (b.axis >= 0 && b.axis != (tb ? 0 : 1)) return 0;
    /* QGemm scales C with alpha too: alpha * (AB + C) */
    if (has_c && attr_float(n, "beta", 1.0f) != attr_float(n, "alpha", 1.0f)) return 0;
    ins[6] = has_c ? c.x : -1, ins[7] = q->in[1], ins[8] = q->in[2];
    drop_attr(n, "beta");
    rewrite(g, n, q, OP_ms_QGemm, "QGemm", "com.microsoft", ins, 9);
    return 1;
  }
  default:
    if (has_c || b.axis >= 0 || b.dtype != a.dtype) return 0;
    rewrite(g, n, q, op == OP_Add ? OP_ms_QLinearAdd : OP_ms_QLinearMul, op == OP_Add ? "QLinearAdd" : "QLinearMul",
            "com.microsoft", ins, 8);
    return 1;
  }
}

/* GlobalAveragePool, Sigmoid, LeakyRelu: one quantized operand; the
 * attributes (LeakyRelu's alpha) stay, with the same names. */
static int fuse_single(ir_graph *g, ir_node *n, ir_node *q) {
  dq_in x;
  int ins[5];
  if (n->n_in != 1 || !match_dq(g, n->in[0], &x) || x.axis >= 0 || !is_8bit(x.dtype) ||
      val(g, q->in[2])->t.dtype != x.dtype)
    return 0;
  ins[0] = x.x, ins[1] = x.scale, ins[2] = x.zp, ins[3] = q->in[1], ins[4] = q->in[2];
  if (n->op == OP_GlobalAveragePool)
    rewrite(g, n, q, OP_ms_QLinearGlobalAveragePool, "QLinearGlobalAveragePool", "com.microsoft", ins, 5);
  else if (n->op == OP_Sigmoid)
    rewrite(g, n, q, OP_ms_QLinearSigmoid, "QLinearSigmoid", "com.microsoft", ins, 5);
  else
    rewrite(g, n, q, OP_ms_QLinearLeakyRelu, "QLinearLeakyRelu", "com.microsoft", ins, 5);
  return 1;
}

/* Concat: every input quantized with y's type; QLinearConcat takes y's
 * scale and zero point first, then (x, scale, zero point) per input. */
static int fuse_concat(ir_graph *g, ir_node *n, ir_node *q) {
  const int yt = val(g, q->in[2])->t.dtype;
  int *ins, k, ok = n->n_in >= 1;
  dq_in x;
  if (!ok) return 0;
  ins = xmalloc(sizeof(int) * (size_t)(2 + 3 * n->n_in));
  ins[0] = q->in[1], ins[1] = q->in[2];
  for (k = 0; k < n->n_in && ok; k++)
    if ((ok = match_dq(g, n->in[k], &x) && x.axis < 0 && x.dtype == yt))
      ins[2 + 3 * k] = x.x, ins[3 + 3 * k] = x.scale, ins[4 + 3 * k] = x.zp;
  if (ok) rewrite(g, n, q, OP_ms_QLinearConcat, "QLinearConcat", "com.microsoft", ins, 2 + 3 * n->n_in);
  free(ins);
  return ok;
}

/* Flatten, Reshape, Squeeze, Unsqueeze between a DQ and a Q of the same
 * scale and zero point move the integers unchanged (ONNX Runtime drops
 * such pairs too): the node takes the DQ's input and makes the Q's
 * output. */
static int fuse_move(ir_graph *g, ir_node *n, ir_node *q) {
  dq_in x;
  const ir_tensor *qz = &val(g, q->in[2])->t;
  if (!match_dq(g, n->in[0], &x) || x.axis >= 0 || qz->dtype != x.dtype ||
      tensor_double(&val(g, x.scale)->t, 0) != tensor_double(&val(g, q->in[1])->t, 0) ||
      tensor_int(&val(g, x.zp)->t, 0) != tensor_int(qz, 0))
    return 0;
  n->in[0] = x.x;
  n->out[0] = q->out[0];
  q->dead = 1;
  return 1;
}

static int try_fuse(ir_graph *g, ir_node *n, const int *reader) {
  ir_node *q;
  switch (n->op) {
  case OP_Conv:
  case OP_MatMul:
  case OP_Gemm:
  case OP_Add:
  case OP_Mul: return n->n_out == 1 && (q = match_q(g, n->out[0], reader)) && fuse_pair(g, n, q);
  case OP_GlobalAveragePool:
  case OP_Sigmoid:
  case OP_LeakyRelu: return n->n_out == 1 && (q = match_q(g, n->out[0], reader)) && fuse_single(g, n, q);
  case OP_Concat: return n->n_out == 1 && (q = match_q(g, n->out[0], reader)) && fuse_concat(g, n, q);
  case OP_Flatten:
  case OP_Reshape:
  case OP_Squeeze:
  case OP_Unsqueeze: return n->n_in >= 1 && n->n_out == 1 && (q = match_q(g, n->out[0], reader)) && fuse_move(g, n, q);
  default: return 0;
  }
}

status pass_fuse_qdq(ir_graph *g) {
  int *reader = xmalloc(sizeof(int) * ((size_t)g->n_values + 1));
  int i, k, changed = 0;
  ir_count_uses(g);
  /* the reader of each value (the last one; match_q wants it only when
   * there is one) */
  for (i = 0; i < g->n_values; i++) reader[i] = -1;
  for (i = 0; i < g->n_nodes; i++)
    for (k = 0; k < g->nodes[i]->n_in; k++)
      if (!g->nodes[i]->dead && g->nodes[i]->in[k] >= 0) reader[g->nodes[i]->in[k]] = i;
  for (i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) changed |= try_fuse(g, g->nodes[i], reader);
  free(reader);
  if (changed) ir_compact(g);
  return ST_OK;
}
