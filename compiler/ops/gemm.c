/* Matrix products: Gemm (rt_gemm_*) and MatMul (rt_matmul_*), one kernel
 * variant per element type, on top of the runtime's rt_sgemm for float
 * (or its row-vector path, without scratch, when M is 1). */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"
#include "shared_shapes.h"


static const char *shape_str(const ir_tensor *t, char *buf, size_t n) { return tensor_type_str(t, buf, n); }

/* Constant B goes into the blob already in the panels the _packed
 * variants read (gemm.h), as a new constant that replaces B as the node's
 * input, so no run packs it and the scratch holds only A's block. Only
 * for the generated code (c->final): the constant folder runs the plain
 * variant on B as it is. M is 1 in the _gemv_packed variants (a batch-1
 * Linear layer): the panels are one sequential stream each where B as it
 * is would be read a row of K floats apart (gemv_packed.c); their own
 * kernels, so that a model with a batch of rows does not link the one-row
 * code too. The products that take no packing at all (one column or no K:
 * dot products or a fill) keep theirs. */
static int gemm_prepack_ok(const op_ctx *c, int64_t M, int64_t N, int64_t K) {
  return c->final && op_in(c, 1)->t.data != NULL && M >= 1 && N > 1 && K > 0;
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
  int64_t K, Kb;
  int dims[2], ek, ekb, d;
  char s1[96], s2[96];
  status s;
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
  dims[0] = ir_dim(c->g, a, ta ? 1 : 0);
  dims[1] = ir_dim(c->g, b, tb ? 0 : 1);
  ek = ir_dim(c->g, a, ta ? 0 : 1);
  ekb = ir_dim(c->g, b, tb ? 1 : 0);
  if (dx_const_value(op_dx(c), ek, &K) && dx_const_value(op_dx(c), ekb, &Kb)) {
    if (K != Kb)
      return diag_node_error(ST_BAD_MODEL, c->n, "A is %s (transA=%d) so K=%lld, but B is %s (transB=%d) so K=%lld",
                             shape_str(a, s1, sizeof s1), (int)ta, (long long)K, shape_str(b, s2, sizeof s2),
                             (int)tb, (long long)Kb);
  } else if ((s = op_check_equal(c, ek, ekb, "K of A and of B")) != ST_OK) {
    return s;
  }
  op_set_output_exprs(c, 0, a->dtype, 2, dims);
  if (cc) {
    int ok = cc->rank <= 2;
    for (d = 0; ok && d < cc->rank; d++) {
      /* C broadcasts one way: each dim is 1 or the output's. A symbolic
       * dim of C is taken as the output's (checked at run time), never
       * as a 1 that would need a zero stride. */
      const int e = ir_dim(c->g, cc, d), o = dims[2 - cc->rank + d];
      int64_t ce, oe;
      if ((dx_const_value(op_dx(c), e, &ce) && ce == 1) || e == o) continue;
      if (dx_const_value(op_dx(c), e, &ce) && dx_const_value(op_dx(c), o, &oe)) ok = 0;
      else if ((s = op_check_equal(c, e, o, "C's dim and the output's")) != ST_OK) return s;
    }
    if (!ok)
      return diag_node_error(ST_BAD_MODEL, c->n, "C is %s, which does not broadcast to the output [%lld,%lld]",
                             shape_str(cc, s1, sizeof s1), (long long)op_out(c, 0)->t.dims[0],
                             (long long)op_out(c, 0)->t.dims[1]);
  }
  return ST_OK;
}

/* Whether dim d of t is exactly 1 (a symbolic dim may be 1 at one run
 * and not at the next, so kernel choices treat it as not 1). */
static int is_one(const ir_tensor *t, int d) { return t->sym[d] == 0 && t->dims[d] == 1; }

static status gemm_lower_gemm(op_ctx *c, lowered *l) {
  const ir_tensor *a = &op_in(c, 0)->t, *b = &op_in(c, 1)->t, *y = &op_out(c, 0)->t;
  const ir_tensor *cc = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  rt_gemm_params *p;
  const int64_t M = y->dims[0], N = y->dims[1]; /* bounds where symbolic */
  const int ka = attr_int(c->n, "transA", 0) ? 0 : 1, kb = attr_int(c->n, "transB", 0) ? 1 : 0;
  /* K of A and of B are equal at run time (checked); take an exact one
   * when there is one, so that a constant B is packed at its size */
  const int ek = b->sym[kb] == 0 ? ir_dim(c->g, b, kb) : ir_dim(c->g, a, ka);
  const int prepack = a->dtype == DT_FLOAT && gemm_prepack_ok(c, M, N, b->dims[kb]);
  if (a->dtype == DT_DOUBLE)
    p = LOWER(l, rt_gemm_f64, rt_gemm_params);
  else if (prepack && is_one(y, 0)) /* a batch-1 Linear layer */
    p = LOWER(l, rt_gemm_f32_gemv_packed, rt_gemm_params);
  else if (is_one(y, 0)) /* one row by a B that is not constant: no packing */
    p = LOWER(l, rt_gemm_f32_gemv, rt_gemm_params);
  else if (prepack) /* any M, so also a symbolic one */
    p = LOWER(l, rt_gemm_f32_packed, rt_gemm_params);
  else
    p = LOWER(l, rt_gemm_f32, rt_gemm_params);
  p->trans_a = attr_int(c->n, "transA", 0) != 0;
  p->trans_b = attr_int(c->n, "transB", 0) != 0;
  op_bind(c, l, &p->M, ir_dim(c->g, y, 0));
  op_bind(c, l, &p->N, ir_dim(c->g, y, 1));
  op_bind(c, l, &p->K, ek);
  p->alpha = attr_float(c->n, "alpha", 1.0f);
  p->beta = attr_float(c->n, "beta", 1.0f);
  p->has_c = cc != NULL;
  if (cc && cc->rank == 2) {
    if (!is_one(cc, 0)) op_bind(c, l, &p->c_rs, ir_dim(c->g, cc, 1));
    p->c_cs = is_one(cc, 1) ? 0 : 1;
  } else if (cc && cc->rank == 1) {
    p->c_cs = is_one(cc, 0) ? 0 : 1;
  }
  /* sized for the bounds, which op_bind left in the fields */
  if (l->kernel == K_rt_gemm_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(p->M, p->N, p->K);
  if (l->kernel == K_rt_gemm_f32_packed) l->scratch_bytes = rt_gemm_f32_packed_scratch_bytes(p->M, p->K);
  if (l->kernel == K_rt_gemm_f32_packed || l->kernel == K_rt_gemm_f32_gemv_packed)
    gemm_prepack(c, p->K, p->N, p->trans_b);
  return ST_OK;
}

/* ---- MatMul ---- */

static int matmul_dtype_ok(int dt) {
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64 || dt == DT_UINT32 ||
         dt == DT_UINT64;
}

/* The operands as matrices (1-D A is a row, 1-D B a column) with their
 * batch shapes, and the broadcast batch shape, all as dim expressions. */
typedef struct mm_shape {
  int M, N, K;              /* K: the exact one of A's and B's when one is */
  ir_tensor abatch, bbatch; /* only rank, dims and sym are used */
  ir_tensor obatch;         /* the output's batch shape */
} mm_shape;

/* A and B are inputs ia and ib. With `check` (in infer) inner dims that
 * only the run can compare get a run-time check. */
static status matmul_shape(op_ctx *c, int ia, int ib, mm_shape *s, int check) {
  const ir_tensor *a = &op_in(c, ia)->t, *b = &op_in(c, ib)->t;
  const ir_tensor *bt[2];
  dx_table *dx = op_dx(c);
  int ka, kb, exprs[IR_MAX_RANK], d;
  int64_t K, Kb;
  char s1[96], s2[96];
  status st;
  memset(s, 0, sizeof *s);
  if (a->rank < 1 || b->rank < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "operands must have rank 1 or more, not %s and %s",
                           shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2));
  s->M = a->rank >= 2 ? ir_dim(c->g, a, a->rank - 2) : dx_const(dx, 1);
  ka = ir_dim(c->g, a, a->rank - 1);
  kb = ir_dim(c->g, b, b->rank >= 2 ? b->rank - 2 : 0);
  s->N = b->rank >= 2 ? ir_dim(c->g, b, b->rank - 1) : dx_const(dx, 1);
  s->K = dx_const_value(dx, kb, &Kb) ? kb : ka;
  if (dx_const_value(dx, ka, &K) && dx_const_value(dx, kb, &Kb)) {
    if (K != Kb)
      return diag_node_error(ST_BAD_MODEL, c->n, "cannot multiply %s by %s: inner dimensions %lld and %lld differ",
                             shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2), (long long)K, (long long)Kb);
  } else if (check && (st = op_check_equal(c, ka, kb, "the inner dims of A and B")) != ST_OK) {
    return st;
  }
  s->abatch.dtype = a->dtype;
  s->bbatch.dtype = b->dtype;
  s->abatch.rank = a->rank >= 2 ? a->rank - 2 : 0;
  memcpy(s->abatch.dims, a->dims, sizeof(int64_t) * (size_t)s->abatch.rank);
  memcpy(s->abatch.sym, a->sym, sizeof(int) * (size_t)s->abatch.rank);
  s->bbatch.rank = b->rank >= 2 ? b->rank - 2 : 0;
  memcpy(s->bbatch.dims, b->dims, sizeof(int64_t) * (size_t)s->bbatch.rank);
  memcpy(s->bbatch.sym, b->sym, sizeof(int) * (size_t)s->bbatch.rank);
  {
    int ra = s->abatch.rank, rb = s->bbatch.rank;
    for (d = 1; d <= ra && d <= rb; d++) {
      const int64_t da = s->abatch.dims[ra - d], db = s->bbatch.dims[rb - d];
      if (!s->abatch.sym[ra - d] && !s->bbatch.sym[rb - d] && da != db && da != 1 && db != 1)
        return diag_node_error(ST_BAD_MODEL, c->n, "the batch dims of %s and %s cannot be broadcast together",
                               shape_str(a, s1, sizeof s1), shape_str(b, s2, sizeof s2));
    }
  }
  bt[0] = &s->abatch;
  bt[1] = &s->bbatch;
  st = op_broadcast_exprs(c, bt, 2, &s->obatch.rank, exprs);
  if (st) return st;
  s->obatch.dtype = a->dtype;
  for (d = 0; d < s->obatch.rank; d++) ir_set_dim(c->g, &s->obatch, d, exprs[d]);
  return ST_OK;
}

/* Shared with MatMulInteger and QLinearMatMul (shared_shapes.h). */
status matmul_infer_output(op_ctx *c, int ia, int ib, int dtype) {
  const ir_tensor *a = &op_in(c, ia)->t, *b = &op_in(c, ib)->t;
  mm_shape s;
  int dims[IR_MAX_RANK + 2];
  int rank, d;
  status st = matmul_shape(c, ia, ib, &s, 1);
  if (st) return st;
  rank = s.obatch.rank;
  for (d = 0; d < rank; d++) dims[d] = ir_dim(c->g, &s.obatch, d);
  if (a->rank >= 2) dims[rank++] = s.M;
  if (b->rank >= 2) dims[rank++] = s.N;
  if (rank > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "output rank %d is above %d", rank, IR_MAX_RANK);
  op_set_output_exprs(c, 0, dtype, rank, dims);
  return ST_OK;
}

static status gemm_infer_matmul(op_ctx *c) {
  const ir_tensor *a, *b;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  a = &op_in(c, 0)->t;
  b = &op_in(c, 1)->t;
  if (a->dtype != b->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "A is %s but B is %s", dtype_name(a->dtype), dtype_name(b->dtype));
  if (!matmul_dtype_ok(a->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(a->dtype));
  return matmul_infer_output(c, 0, 1, a->dtype);
}

/* field[d] = how far matrix t moves (elements) per step of output batch
 * dim d: 0 where t's batch dim `batch` broadcasts (absent, or exactly 1
 * where the output's is not), else the product of t's later dims, its
 * matrix included. */
static void bind_batch_strides(const op_ctx *c, lowered *l, int64_t *field, const ir_tensor *t,
                               const ir_tensor *batch, const ir_tensor *obatch) {
  int d, off = obatch->rank - batch->rank;
  for (d = 0; d < obatch->rank; d++) {
    const int td = d - off;
    if (td < 0 || (is_one(batch, td) && !is_one(obatch, d))) op_bind(c, l, &field[d], dx_const(op_dx(c), 0));
    else op_bind(c, l, &field[d], ir_dims_product(c->g, t, td + 1, t->rank));
  }
}

/* Shared with MatMulInteger and QLinearMatMul (shared_shapes.h). */
status matmul_bind(op_ctx *c, lowered *l, int ia, int ib, const matmul_fields *f) {
  mm_shape s;
  status st = matmul_shape(c, ia, ib, &s, 0);
  if (st) return st;
  op_bind(c, l, f->M, s.M);
  op_bind(c, l, f->N, s.N);
  op_bind(c, l, f->K, s.K);
  *f->batch_rank = s.obatch.rank;
  op_bind_dims(c, l, f->batch_dims, &s.obatch);
  bind_batch_strides(c, l, f->a_strides, &op_in(c, ia)->t, &s.abatch, &s.obatch);
  bind_batch_strides(c, l, f->b_strides, &op_in(c, ib)->t, &s.bbatch, &s.obatch);
  return ST_OK;
}

/* Whether the node runs a Gemm kernel: a Gemm, or a MatMul to which
 * matmul-add-gemm gave a bias row. */
static int lowers_to_gemm(const op_ctx *c) { return c->n->op == OP_Gemm || ir_attr_find(c->n, "onnxcc.bias"); }

/* A MatMul with a bias (matmul-add-gemm: input 2, attribute onnxcc.bias):
 * A of rank 3 or more by a constant matrix B, plus a bias row. Its rows
 * are one (rows x K) matrix, so it runs the Gemm kernels with C = the bias
 * row (c_rs 0), which start each tile from it; a residual fuse-epilogue
 * added is at input 3, where they read it. */
static status gemm_lower_matmul_bias(op_ctx *c, lowered *l) {
  const ir_tensor *a = &op_in(c, 0)->t, *b = &op_in(c, 1)->t, *bias = &op_in(c, 2)->t;
  dx_table *dx = op_dx(c);
  const int M = ir_dims_product(c->g, a, 0, a->rank - 1);
  int64_t m1;
  rt_gemm_params *p;
  const int one_row = dx_const_value(dx, M, &m1) && m1 == 1;
  if (a->dtype == DT_DOUBLE)
    p = LOWER(l, rt_gemm_f64, rt_gemm_params);
  else if (gemm_prepack_ok(c, dx_upper(dx, M), b->dims[1], b->dims[0]))
    p = one_row ? LOWER(l, rt_gemm_f32_gemv_packed, rt_gemm_params) : LOWER(l, rt_gemm_f32_packed, rt_gemm_params);
  else if (one_row)
    p = LOWER(l, rt_gemm_f32_gemv, rt_gemm_params);
  else
    p = LOWER(l, rt_gemm_f32, rt_gemm_params);
  op_bind(c, l, &p->M, M);
  op_bind(c, l, &p->N, ir_dim(c->g, b, 1));
  op_bind(c, l, &p->K, ir_dim(c->g, b, 0));
  p->alpha = p->beta = 1.0f;
  p->has_c = 1;
  p->c_cs = bias->rank == 0 || is_one(bias, bias->rank - 1) ? 0 : 1;
  if (l->kernel == K_rt_gemm_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(p->M, p->N, p->K);
  if (l->kernel == K_rt_gemm_f32_packed) l->scratch_bytes = rt_gemm_f32_packed_scratch_bytes(p->M, p->K);
  if (l->kernel == K_rt_gemm_f32_packed || l->kernel == K_rt_gemm_f32_gemv_packed) gemm_prepack(c, p->K, p->N, 0);
  return ST_OK;
}

static status gemm_lower_matmul(op_ctx *c, lowered *l) {
  const ir_tensor *a = &op_in(c, 0)->t, *b = &op_in(c, 1)->t;
  dx_table *dx = op_dx(c);
  mm_shape s;
  int d, b_shared = 1, collapse, M, one_row;
  int64_t m1;
  status st;
  rt_matmul_params *p;
  if (ir_attr_find(c->n, "onnxcc.bias")) return gemm_lower_matmul_bias(c, l);
  st = matmul_shape(c, 0, 1, &s, 0);
  if (st) return st;
  /* B steps to a new matrix along output batch dim d unless B lacks the
   * dim or has it exactly 1 there, or the output's is exactly 1. */
  for (d = 0; d < s.obatch.rank; d++) {
    const int td = d - (s.obatch.rank - s.bbatch.rank);
    if (td >= 0 && !is_one(&s.bbatch, td) && !is_one(&s.obatch, d)) b_shared = 0;
  }
  /* One B for every batch, and the A matrices packed back to back (the
   * usual [batch, tokens, features] x [features, out] layer): a single
   * (batch * M) x K by K x N product. */
  collapse = b_shared && ir_dims_product(c->g, &s.abatch, 0, s.abatch.rank) ==
                             ir_dims_product(c->g, &s.obatch, 0, s.obatch.rank);
  M = collapse ? dx_mul(dx, s.M, ir_dims_product(c->g, &s.obatch, 0, s.obatch.rank)) : s.M;
  switch (a->dtype) {
  case DT_FLOAT:
    /* a constant B packed (any M, so also a symbolic one; one row reads
     * it as a stream per panel); else one row per product: memory-bound,
     * no packing and no scratch */
    one_row = dx_const_value(dx, M, &m1) && m1 == 1;
    if (collapse && gemm_prepack_ok(c, dx_upper(dx, M), dx_upper(dx, s.N), dx_upper(dx, s.K)))
      p = one_row ? LOWER(l, rt_matmul_f32_gemv_packed, rt_matmul_params)
                  : LOWER(l, rt_matmul_f32_packed, rt_matmul_params);
    else if (one_row)
      p = LOWER(l, rt_matmul_f32_gemv, rt_matmul_params);
    else
      p = LOWER(l, rt_matmul_f32, rt_matmul_params);
    break;
  case DT_DOUBLE: p = LOWER(l, rt_matmul_f64, rt_matmul_params); break;
  case DT_INT32: p = LOWER(l, rt_matmul_i32, rt_matmul_params); break;
  case DT_INT64: p = LOWER(l, rt_matmul_i64, rt_matmul_params); break;
  case DT_UINT32: p = LOWER(l, rt_matmul_u32, rt_matmul_params); break;
  case DT_UINT64: p = LOWER(l, rt_matmul_u64, rt_matmul_params); break;
  default:
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(a->dtype));
  }
  op_bind(c, l, &p->M, M);
  op_bind(c, l, &p->N, s.N);
  op_bind(c, l, &p->K, s.K);
  if (!collapse) {
    p->batch_rank = s.obatch.rank;
    op_bind_dims(c, l, p->batch_dims, &s.obatch);
    bind_batch_strides(c, l, p->a_strides, a, &s.abatch, &s.obatch);
    bind_batch_strides(c, l, p->b_strides, b, &s.bbatch, &s.obatch);
  }
  /* sized for the bounds, which op_bind left in the fields */
  if (l->kernel == K_rt_matmul_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(p->M, p->N, p->K);
  /* B is one K x N matrix for every batch (batch_rank 0): its batch dims,
   * if any, are all 1, so its data is that matrix as it is. */
  if (l->kernel == K_rt_matmul_f32_packed) l->scratch_bytes = rt_gemm_f32_packed_scratch_bytes(p->M, p->K);
  if (l->kernel == K_rt_matmul_f32_packed || l->kernel == K_rt_matmul_f32_gemv_packed) gemm_prepack(c, p->K, p->N, 0);
  return ST_OK;
}

static status gemm_infer(op_ctx *c) {
  return c->n->op == OP_Gemm ? gemm_infer_gemm(c) : gemm_infer_matmul(c);
}

/* Then the epilogue fuse-epilogue left on the node, if any. */
static status gemm_lower(op_ctx *c, lowered *l) {
  status s = c->n->op == OP_Gemm ? gemm_lower_gemm(c, l) : gemm_lower_matmul(c, l);
  if (s) return s;
  if (lowers_to_gemm(c)) {
    rt_gemm_params *p = (rt_gemm_params *)l->params;
    return OP_LOWER_EPILOGUE(c, p);
  } else {
    rt_matmul_params *p = (rt_matmul_params *)l->params;
    return OP_LOWER_EPILOGUE(c, p);
  }
}

const op_family op_family_gemm = {gemm_infer, gemm_lower, 1, 0};
