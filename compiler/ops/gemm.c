/* Matrix products: Gemm (rt_gemm_*) and MatMul (rt_matmul_*), one kernel
 * variant per element type, on top of the runtime's rt_sgemm for float
 * (or its row-vector path, without scratch, when M is 1). */
#include <string.h>

#include "ops.h"


static const char *shape_str(const ir_tensor *t, char *buf, size_t n) { return tensor_type_str(t, buf, n); }

/* Constant B goes into the blob already in the panels the _packed
 * variants read (gemm.h), as a new constant that replaces B as the node's
 * input, so no run packs it and the scratch holds only A's block. Only
 * for the generated code (c->final): the constant folder runs the plain
 * variant on B as it is. The products that take no packing at all (one
 * row: gemv; one column or no K: dot products or a fill) keep theirs. */
static int gemm_prepack_ok(const op_ctx *c, int64_t M, int64_t N, int64_t K) {
  return c->final && op_in(c, 1)->t.data != NULL && M > 1 && N > 1 && K > 0;
}

static void gemm_prepack(op_ctx *c, int64_t K, int64_t N, int trans_b) {
  const int64_t floats = rt_gemm_f32_packed_floats(K, N);
  const int id = op_add_prepared(c, "gemm_b_packed", DT_FLOAT, 1, &floats);
  rt_gemm_f32_pack_b(K, N, (const float *)op_in(c, 1)->t.data, trans_b, (float *)c->g->values[id]->t.data);
  c->n->in[1] = id;
}

/* ---- Gemm ---- */

/* Gemm-1/6 took a `broadcast` attribute (C had to match [M, N] exactly
 * without it); from Gemm-7 C broadcasts unidirectionally; from Gemm-11 C
 * is optional. Accepting the broadcast everywhere is a superset. */
static status gemm_infer_gemm(op_ctx *c) {
  const ir_tensor *a, *b, *cc;
  int64_t ta = attr_int(c->n, "transA", 0), tb = attr_int(c->n, "transB", 0);
  int64_t M, N, K, Kb, dims[2];
  char s1[96], s2[96];
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if (c->opset < 11 && !op_in(c, 2))
    return diag_node_error(ST_BAD_MODEL, c->n, "input C is required before opset 11");
  a = &op_in(c, 0)->t;
  b = &op_in(c, 1)->t;
  cc = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  if (a->dtype != DT_FLOAT && a->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float and double are)",
                           dtype_name(a->dtype));
  if (b->dtype != a->dtype || (cc && cc->dtype != a->dtype))
    return diag_node_error(ST_BAD_MODEL, c->n, "A is %s but B is %s%s%s", dtype_name(a->dtype), dtype_name(b->dtype),
                           cc ? " and C is " : "", cc ? dtype_name(cc->dtype) : "");
  if (a->rank != 2 || b->rank != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "A and B must be matrices, not %s and %s", shape_str(a, s1, sizeof s1),
                           shape_str(b, s2, sizeof s2));
  M = ta ? a->dims[1] : a->dims[0];
  K = ta ? a->dims[0] : a->dims[1];
  Kb = tb ? b->dims[1] : b->dims[0];
  N = tb ? b->dims[0] : b->dims[1];
  if (K != Kb)
    return diag_node_error(ST_BAD_MODEL, c->n, "A is %s (transA=%d) so K=%lld, but B is %s (transB=%d) so K=%lld",
                           shape_str(a, s1, sizeof s1), (int)ta, (long long)K, shape_str(b, s2, sizeof s2), (int)tb,
                           (long long)Kb);
  if (cc) {
    int ok = cc->rank <= 2;
    if (cc->rank == 1) ok = cc->dims[0] == N || cc->dims[0] == 1;
    if (cc->rank == 2)
      ok = (cc->dims[0] == M || cc->dims[0] == 1) && (cc->dims[1] == N || cc->dims[1] == 1);
    if (!ok)
      return diag_node_error(ST_BAD_MODEL, c->n, "C is %s, which does not broadcast to the output [%lld,%lld]",
                             shape_str(cc, s1, sizeof s1), (long long)M, (long long)N);
  }
  dims[0] = M;
  dims[1] = N;
  op_set_output(c, 0, a->dtype, 2, dims);
  return ST_OK;
}

static status gemm_lower_gemm(op_ctx *c, lowered *l) {
  const ir_tensor *a = &op_in(c, 0)->t, *cc = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  rt_gemm_params *p;
  const int64_t M = op_out(c, 0)->t.dims[0], N = op_out(c, 0)->t.dims[1];
  const int64_t K = attr_int(c->n, "transA", 0) ? a->dims[0] : a->dims[1];
  const int prepack = a->dtype == DT_FLOAT && gemm_prepack_ok(c, M, N, K);
  if (a->dtype == DT_DOUBLE)
    p = LOWER(l, rt_gemm_f64, rt_gemm_params);
  else if (M == 1) /* a batch-1 Linear layer: memory-bound, no packing */
    p = LOWER(l, rt_gemm_f32_gemv, rt_gemm_params);
  else if (prepack)
    p = LOWER(l, rt_gemm_f32_packed, rt_gemm_params);
  else
    p = LOWER(l, rt_gemm_f32, rt_gemm_params);
  p->trans_a = attr_int(c->n, "transA", 0) != 0;
  p->trans_b = attr_int(c->n, "transB", 0) != 0;
  p->M = M;
  p->N = op_out(c, 0)->t.dims[1];
  p->K = p->trans_a ? a->dims[0] : a->dims[1];
  p->alpha = attr_float(c->n, "alpha", 1.0f);
  p->beta = attr_float(c->n, "beta", 1.0f);
  p->has_c = cc != NULL;
  if (cc && cc->rank == 2) {
    p->c_rs = cc->dims[0] == 1 ? 0 : cc->dims[1];
    p->c_cs = cc->dims[1] == 1 ? 0 : 1;
  } else if (cc && cc->rank == 1) {
    p->c_cs = cc->dims[0] == 1 ? 0 : 1;
  }
  if (l->kernel == K_rt_gemm_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(p->M, p->N, p->K);
  if (l->kernel == K_rt_gemm_f32_packed) {
    l->scratch_bytes = rt_gemm_f32_packed_scratch_bytes(p->M, p->K);
    gemm_prepack(c, p->K, p->N, p->trans_b);
  }
  return ST_OK;
}

/* ---- MatMul ---- */

static int matmul_dtype_ok(int dt) {
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64 || dt == DT_UINT32 ||
         dt == DT_UINT64;
}

/* The operands as matrices (1-D A is a row, 1-D B a column) with their
 * batch shapes, and the broadcast batch shape. */
typedef struct mm_shape {
  int64_t M, N, K;
  ir_tensor abatch, bbatch; /* only rank and dims are used */
  int rank;                 /* batch rank of the output */
  int64_t dims[IR_MAX_RANK];
} mm_shape;

static status matmul_shape(op_ctx *c, mm_shape *s) {
  const ir_tensor *a = &op_in(c, 0)->t, *b = &op_in(c, 1)->t;
  const ir_tensor *bt[2];
  int64_t Kb;
  char s1[96], s2[96];
  memset(s, 0, sizeof *s);
  if (a->rank < 1 || b->rank < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "operands must have rank 1 or more, not %s and %s",
                           shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2));
  s->M = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
  s->K = a->dims[a->rank - 1];
  Kb = b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0];
  s->N = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
  if (s->K != Kb)
    return diag_node_error(ST_BAD_MODEL, c->n, "cannot multiply %s by %s: inner dimensions %lld and %lld differ",
                           shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2), (long long)s->K, (long long)Kb);
  s->abatch.dtype = a->dtype;
  s->bbatch.dtype = b->dtype;
  s->abatch.rank = a->rank >= 2 ? a->rank - 2 : 0;
  memcpy(s->abatch.dims, a->dims, sizeof(int64_t) * (size_t)s->abatch.rank);
  s->bbatch.rank = b->rank >= 2 ? b->rank - 2 : 0;
  memcpy(s->bbatch.dims, b->dims, sizeof(int64_t) * (size_t)s->bbatch.rank);
  {
    int ra = s->abatch.rank, rb = s->bbatch.rank, d;
    for (d = 1; d <= ra && d <= rb; d++) {
      const int64_t da = s->abatch.dims[ra - d], db = s->bbatch.dims[rb - d];
      if (da != db && da != 1 && db != 1)
        return diag_node_error(ST_BAD_MODEL, c->n, "the batch dims of %s and %s cannot be broadcast together",
                               shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2));
    }
  }
  bt[0] = &s->abatch;
  bt[1] = &s->bbatch;
  return op_broadcast(c, bt, 2, &s->rank, s->dims);
}

static status gemm_infer_matmul(op_ctx *c) {
  const ir_tensor *a, *b;
  mm_shape s;
  int64_t dims[IR_MAX_RANK + 2];
  int rank;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  a = &op_in(c, 0)->t;
  b = &op_in(c, 1)->t;
  if (a->dtype != b->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "A is %s but B is %s", dtype_name(a->dtype), dtype_name(b->dtype));
  if (!matmul_dtype_ok(a->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(a->dtype));
  st = matmul_shape(c, &s);
  if (st) return st;
  rank = s.rank;
  memcpy(dims, s.dims, sizeof(int64_t) * (size_t)rank);
  if (a->rank >= 2) dims[rank++] = s.M;
  if (b->rank >= 2) dims[rank++] = s.N;
  if (rank > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "output rank %d is above %d", rank, IR_MAX_RANK);
  op_set_output(c, 0, a->dtype, rank, dims);
  return ST_OK;
}

static status gemm_lower_matmul(op_ctx *c, lowered *l) {
  mm_shape s;
  int64_t astr[IR_MAX_RANK], bstr[IR_MAX_RANK], abatch = 1, total = 1;
  int d, b_shared = 1;
  status st = matmul_shape(c, &s);
  rt_matmul_params q, *p;
  if (st) return st;
  memset(&q, 0, sizeof q);
  q.M = s.M;
  q.N = s.N;
  q.K = s.K;
  op_broadcast_strides(&s.abatch, s.rank, s.dims, astr);
  op_broadcast_strides(&s.bbatch, s.rank, s.dims, bstr);
  for (d = 0; d < s.abatch.rank; d++) abatch *= s.abatch.dims[d];
  for (d = 0; d < s.rank; d++) {
    total *= s.dims[d];
    if (bstr[d] && s.dims[d] != 1) b_shared = 0;
  }
  if (b_shared && abatch == total) {
    /* One B for every batch, and the A matrices packed back to back (the
     * usual [batch, tokens, features] x [features, out] layer): a single
     * (batch * M) x K by K x N product. */
    q.M = s.M * total;
    q.batch_rank = 0;
  } else {
    q.batch_rank = s.rank;
    for (d = 0; d < s.rank; d++) {
      q.batch_dims[d] = s.dims[d];
      q.a_strides[d] = astr[d] * s.M * s.K;
      q.b_strides[d] = bstr[d] * s.K * s.N;
    }
  }
  switch (op_in(c, 0)->t.dtype) {
  case DT_FLOAT:
    /* one row per product: memory-bound, no packing and no scratch */
    if (q.M == 1)
      p = LOWER(l, rt_matmul_f32_gemv, rt_matmul_params);
    else if (q.batch_rank == 0 && gemm_prepack_ok(c, q.M, q.N, q.K))
      p = LOWER(l, rt_matmul_f32_packed, rt_matmul_params);
    else
      p = LOWER(l, rt_matmul_f32, rt_matmul_params);
    break;
  case DT_DOUBLE: p = LOWER(l, rt_matmul_f64, rt_matmul_params); break;
  case DT_INT32: p = LOWER(l, rt_matmul_i32, rt_matmul_params); break;
  case DT_INT64: p = LOWER(l, rt_matmul_i64, rt_matmul_params); break;
  case DT_UINT32: p = LOWER(l, rt_matmul_u32, rt_matmul_params); break;
  case DT_UINT64: p = LOWER(l, rt_matmul_u64, rt_matmul_params); break;
  default:
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported",
                           dtype_name(op_in(c, 0)->t.dtype));
  }
  *p = q;
  if (l->kernel == K_rt_matmul_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(p->M, p->N, p->K);
  if (l->kernel == K_rt_matmul_f32_packed) {
    /* B is one K x N matrix for every batch (batch_rank 0): its batch
     * dims, if any, are all 1, so its data is that matrix as it is. */
    l->scratch_bytes = rt_gemm_f32_packed_scratch_bytes(p->M, p->K);
    gemm_prepack(c, p->K, p->N, 0);
  }
  return ST_OK;
}

static status gemm_infer(op_ctx *c) {
  return c->n->op == OP_Gemm ? gemm_infer_gemm(c) : gemm_infer_matmul(c);
}

static status gemm_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_Gemm ? gemm_lower_gemm(c, l) : gemm_lower_matmul(c, l);
}

const op_family op_family_gemm = {gemm_infer, gemm_lower, 0};
