/* Contractions and determinants: Einsum (rt_einsum_T; rt_matmul_T when the
 * equation is a batched matrix product in MatMul's layout,
 * rt_einsum_gemm_f32 when it is one in another layout rt_sgemm reads) and
 * Det (rt_det_T); kernels/algebra.h.
 *
 * Einsum's equation is parsed here, once: every subscript letter and every
 * dim the ellipsis stands for becomes a label with one extent; the kernel
 * gets loops over the output's labels and over the summed ones, with each
 * input's stride per label. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"

/* Labels: 'A'..'Z' are 0..25, 'a'..'z' 26..51, the dims an ellipsis
 * stands for 52.. (aligned to the right across inputs, as numpy
 * broadcasts them). */
#define ES_LETTERS 52
#define ES_LABELS (ES_LETTERS + IR_MAX_RANK)

typedef struct einsum_eq {
  int n_in;
  int rank[RT_EINSUM_MAX_INPUTS];
  int axis[RT_EINSUM_MAX_INPUTS][IR_MAX_RANK]; /* the label of each input axis */
  int out_rank;
  int out[IR_MAX_RANK];   /* the output's labels, in order */
  int64_t dim[ES_LABELS]; /* each label's extent (broadcast), -1 where unused */
  int ell;                /* dims the ellipsis stands for (the most any input has) */
} einsum_eq;

static int letter_label(char ch) { return ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch - 'a' + 26; }

/* The equation without white space (ONNX's examples have spaces around
 * "->" and after commas). */
static status einsum_strip(const op_ctx *c, char *buf, size_t size) {
  const char *eq = attr_string(c->n, "equation", NULL);
  size_t n = 0;
  if (!eq) return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'equation' is required");
  for (; *eq; eq++) {
    if (isspace((unsigned char)*eq)) continue;
    if (n + 1 >= size) return diag_node_error(ST_UNSUPPORTED, c->n, "the equation is too long");
    buf[n++] = *eq;
  }
  buf[n] = 0;
  return ST_OK;
}

/* One term of the equation ([s, e)): its letters' labels in order into
 * lab[], the position of "..." among them into *ell_at (-1: none). */
static status einsum_term(const op_ctx *c, const char *s, const char *e, int *lab, int *n, int *ell_at) {
  *n = 0;
  *ell_at = -1;
  while (s < e) {
    if (*s == '.') {
      if (e - s < 3 || s[1] != '.' || s[2] != '.' || *ell_at >= 0)
        return diag_node_error(ST_BAD_MODEL, c->n, "equation: '.' must come as one '...' per term");
      *ell_at = *n;
      s += 3;
      continue;
    }
    if (!isalpha((unsigned char)*s) || (*s & 0x80))
      return diag_node_error(ST_BAD_MODEL, c->n, "equation: '%c' is not a subscript letter", *s);
    if (*n >= IR_MAX_RANK) return diag_node_error(ST_BAD_MODEL, c->n, "equation: a term has too many subscripts");
    lab[(*n)++] = letter_label(*s++);
  }
  return ST_OK;
}

/* Gives label `lab` extent d (from an input axis): equal extents agree,
 * and 1 broadcasts against any other (ONNX Runtime and numpy accept it
 * for letters too). */
static status einsum_extent(const op_ctx *c, einsum_eq *q, int lab, int64_t d) {
  if (q->dim[lab] < 0 || q->dim[lab] == 1) q->dim[lab] = d;
  else if (d != 1 && d != q->dim[lab])
    return diag_node_error(ST_BAD_MODEL, c->n, "operands cannot be broadcast together: a subscript has extents %lld and %lld",
                           (long long)q->dim[lab], (long long)d);
  return ST_OK;
}

/* The inputs' side: every axis' label, the extents, the ellipsis' size. */
static status einsum_inputs(const op_ctx *c, const char *lhs, const char *end, einsum_eq *q) {
  int lab[IR_MAX_RANK], n, at, k, j, ell_rank[RT_EINSUM_MAX_INPUTS], ats[RT_EINSUM_MAX_INPUTS];
  int nl[RT_EINSUM_MAX_INPUTS], labs[RT_EINSUM_MAX_INPUTS][IR_MAX_RANK];
  status s;
  for (k = 0; k < q->n_in; k++) {
    const char *comma = memchr(lhs, ',', (size_t)(end - lhs));
    const char *te = comma ? comma : end;
    if ((comma != NULL) != (k + 1 < q->n_in))
      return diag_node_error(ST_BAD_MODEL, c->n, "the equation's terms do not match the %d inputs", q->n_in);
    if ((s = einsum_term(c, lhs, te, lab, &n, &at))) return s;
    q->rank[k] = op_in(c, k)->t.rank;
    ell_rank[k] = q->rank[k] - n;
    if (ell_rank[k] < 0 || (at < 0 && ell_rank[k] != 0))
      return diag_node_error(ST_BAD_MODEL, c->n, "term %d has %d subscripts for an input of rank %d", k, n,
                             q->rank[k]);
    if (ell_rank[k] > q->ell) q->ell = ell_rank[k];
    memcpy(labs[k], lab, sizeof lab);
    nl[k] = n;
    ats[k] = at;
    lhs = te + 1;
  }
  for (k = 0; k < q->n_in; k++) {
    int ax = 0;
    for (j = 0; j <= nl[k]; j++) {
      if (j == ats[k]) {
        int e;
        for (e = 0; e < ell_rank[k]; e++) q->axis[k][ax++] = ES_LETTERS + q->ell - ell_rank[k] + e;
      }
      if (j < nl[k]) q->axis[k][ax++] = labs[k][j];
    }
    for (j = 0; j < q->rank[k]; j++)
      if ((s = einsum_extent(c, q, q->axis[k][j], op_in(c, k)->t.dims[j]))) return s;
  }
  return ST_OK;
}

/* The output's labels: as written after "->" (each letter once, one seen
 * in the inputs; "..." required when the inputs have one), or implicitly
 * the ellipsis' dims then the letters used exactly once, in ASCII order. */
static status einsum_output(const op_ctx *c, const char *rhs, einsum_eq *q) {
  int lab[IR_MAX_RANK], n, at, j, k, e, count[ES_LABELS] = {0};
  status s;
  for (k = 0; k < q->n_in; k++)
    for (j = 0; j < q->rank[k]; j++) count[q->axis[k][j]]++;
  q->out_rank = 0;
  if (!rhs) {
    for (e = 0; e < q->ell; e++) q->out[q->out_rank++] = ES_LETTERS + e;
    for (j = 0; j < ES_LETTERS; j++)
      if (count[j] == 1) {
        if (q->out_rank >= IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "the output has too many dims");
        q->out[q->out_rank++] = j;
      }
    return ST_OK;
  }
  if ((s = einsum_term(c, rhs, rhs + strlen(rhs), lab, &n, &at))) return s;
  if (at < 0 && q->ell > 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "the inputs have '...' but the output subscripts do not");
  if (n + (at >= 0 ? q->ell : 0) > IR_MAX_RANK)
    return diag_node_error(ST_UNSUPPORTED, c->n, "the output would have more than %d dims", IR_MAX_RANK);
  for (j = 0; j <= n; j++) {
    if (j == at)
      for (e = 0; e < q->ell; e++) q->out[q->out_rank++] = ES_LETTERS + e;
    if (j == n) break;
    if (!count[lab[j]])
      return diag_node_error(ST_BAD_MODEL, c->n, "output subscript '%c' is not in the inputs", rhs[j]);
    for (k = 0; k < q->out_rank; k++)
      if (q->out[k] == lab[j]) return diag_node_error(ST_BAD_MODEL, c->n, "the output repeats a subscript");
    if (q->out_rank >= IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "the output has too many dims");
    q->out[q->out_rank++] = lab[j];
  }
  return ST_OK;
}

static status einsum_parse(const op_ctx *c, einsum_eq *q) {
  char buf[512], *arrow;
  int k;
  status s;
  memset(q, 0, sizeof *q);
  for (k = 0; k < ES_LABELS; k++) q->dim[k] = -1;
  q->n_in = c->n->n_in;
  if (q->n_in < 1 || q->n_in > RT_EINSUM_MAX_INPUTS)
    return diag_node_error(ST_UNSUPPORTED, c->n, "takes 1 to %d inputs, not %d", RT_EINSUM_MAX_INPUTS, q->n_in);
  for (k = 0; k < q->n_in; k++) OP_REQUIRE_INPUT(c, k);
  if ((s = einsum_strip(c, buf, sizeof buf))) return s;
  arrow = strstr(buf, "->");
  if (arrow) *arrow = 0;
  if ((s = einsum_inputs(c, buf, buf + strlen(buf), q))) return s;
  return einsum_output(c, arrow ? arrow + 2 : NULL, q);
}

/* The element types with a rt_einsum_T variant (ONNX Runtime's too). */
static int einsum_dtype_ok(int dt) {
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_INT32 || dt == DT_INT64;
}

static status einsum_infer(op_ctx *c) {
  einsum_eq q;
  int64_t dims[IR_MAX_RANK];
  int k, dt;
  status s = einsum_parse(c, &q);
  if (s) return s;
  dt = op_in(c, 0)->t.dtype;
  for (k = 1; k < q.n_in; k++)
    if (op_in(c, k)->t.dtype != dt)
      return diag_node_error(ST_BAD_MODEL, c->n, "input %d is %s, input 0 %s", k, dtype_name(op_in(c, k)->t.dtype),
                             dtype_name(dt));
  if (!einsum_dtype_ok(dt))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(dt));
  for (k = 0; k < q.out_rank; k++) dims[k] = q.dim[q.out[k]];
  op_set_output(c, 0, dt, q.out_rank, dims);
  return ST_OK;
}

/* Input k's stride (elements) along label `lab`: the sum over its axes
 * with that label (a diagonal when there are several), 0 for an axis that
 * broadcasts (extent 1 against a larger one). */
static int64_t einsum_stride(const einsum_eq *q, const ir_tensor *t, int k, int lab) {
  int64_t st[IR_MAX_RANK], sum = 0;
  int j;
  op_strides(t->rank, t->dims, st);
  for (j = 0; j < q->rank[k]; j++)
    if (q->axis[k][j] == lab && !(t->dims[j] == 1 && q->dim[lab] != 1)) sum += st[j];
  return sum;
}

/* ---- contractions that are matrix products ---- */

/* Two operands A, B whose labels are batch labels (in the output and in
 * both, or an ellipsis dim either may lack or broadcast), m labels (A and
 * the output), n labels (B and the output) and k labels (A and B, summed),
 * each label once per operand: Y[b] = A[b] (M x K) * B[b] (K x N) when
 * each group collapses to one dim in every tensor that has it. */
typedef struct es_gemm {
  int nb, bt[IR_MAX_RANK]; /* the batch labels, in the output's order */
  int64_t M, N, K, batch;
  /* each group's collapsed stride (elements) in A, B and Y; -1 where the
   * group's extent is 1 and any stride will do */
  int64_t am, ak, bk, bn, ym, yn;
  int64_t sa[ES_LABELS], sb[ES_LABELS], sy[ES_LABELS]; /* per-label strides */
} es_gemm;

/* Labels g[0..n) (outer to inner) as one dim of a tensor with per-label
 * strides st[]: 1 and *stride when each non-unit label's stride is the
 * next one's times its extent; -1 in *stride when the extents multiply
 * to 1. A broadcast (stride 0) label does not collapse. */
static int es_collapse(const einsum_eq *q, const int *g, int n, const int64_t *st, int64_t *stride) {
  int64_t expect = -1;
  int j;
  *stride = -1;
  for (j = n - 1; j >= 0; j--) {
    const int64_t d = q->dim[g[j]];
    if (d == 1) continue;
    if (expect < 0) {
      if ((*stride = st[g[j]]) == 0) return 0;
      expect = *stride;
    }
    if (st[g[j]] != expect) return 0;
    expect *= d;
  }
  return 1;
}

/* How many of input k's axes have label `lab`. */
static int es_count(const einsum_eq *q, int k, int lab) {
  int j, n = 0;
  for (j = 0; j < q->rank[k]; j++) n += q->axis[k][j] == lab;
  return n;
}

static int einsum_as_gemm(const op_ctx *c, const einsum_eq *q, es_gemm *g) {
  int m[IR_MAX_RANK], n[IR_MAX_RANK], kk[IR_MAX_RANK], nm = 0, nn = 0, nk = 0, in_out[ES_LABELS] = {0};
  int j, k, lab;
  int64_t y_st[IR_MAX_RANK], y_dims[IR_MAX_RANK];
  if (q->n_in != 2) return 0;
  memset(g, 0, sizeof *g);
  g->M = g->N = g->K = g->batch = 1;
  for (k = 0; k < 2; k++)
    for (j = 0; j < q->rank[k]; j++)
      if (es_count(q, k, q->axis[k][j]) != 1) return 0; /* a diagonal */
  for (j = 0; j < q->out_rank; j++) {
    const int in_a = es_count(q, 0, q->out[j]), in_b = es_count(q, 1, q->out[j]);
    in_out[q->out[j]] = 1;
    if ((in_a && in_b) || q->out[j] >= ES_LETTERS) g->bt[g->nb++] = q->out[j];
    else if (in_a) m[nm++] = q->out[j];
    else n[nn++] = q->out[j];
  }
  /* the summed labels in B's order */
  for (j = 0; j < q->rank[1]; j++) {
    lab = q->axis[1][j];
    if (!in_out[lab] && es_count(q, 0, lab)) kk[nk++] = lab;
  }
  /* a label summed within one operand only is not a product */
  for (k = 0; k < 2; k++)
    for (j = 0; j < q->rank[k]; j++)
      if (!in_out[q->axis[k][j]] && !es_count(q, 1 - k, q->axis[k][j])) return 0;
  for (j = 0; j < q->out_rank; j++) y_dims[j] = q->dim[q->out[j]];
  op_strides(q->out_rank, y_dims, y_st);
  for (j = 0; j < q->out_rank; j++) g->sy[q->out[j]] = y_st[j];
  for (lab = 0; lab < ES_LABELS; lab++)
    if (q->dim[lab] >= 0) {
      g->sa[lab] = einsum_stride(q, &op_in(c, 0)->t, 0, lab);
      g->sb[lab] = einsum_stride(q, &op_in(c, 1)->t, 1, lab);
    }
  if (!es_collapse(q, m, nm, g->sa, &g->am) || !es_collapse(q, kk, nk, g->sa, &g->ak) ||
      !es_collapse(q, kk, nk, g->sb, &g->bk) || !es_collapse(q, n, nn, g->sb, &g->bn) ||
      !es_collapse(q, m, nm, g->sy, &g->ym) || !es_collapse(q, n, nn, g->sy, &g->yn))
    return 0;
  for (j = 0; j < nm; j++) g->M *= q->dim[m[j]];
  for (j = 0; j < nn; j++) g->N *= q->dim[n[j]];
  for (j = 0; j < nk; j++) g->K *= q->dim[kk[j]];
  for (j = 0; j < g->nb; j++) g->batch *= q->dim[g->bt[j]];
  return g->nb <= RT_MAX_RANK;
}

/* Whether stride s (-1: free) is `want`. */
static int es_is(int64_t s, int64_t want) { return s < 0 || s == want; }

/* MatMul's own layout: A[b] M x K and B[b] K x N row-major at any batch
 * strides, Y = [batch.., M, N] dense. rt_matmul_T then, as for MatMul
 * (its single-row variant for f32 with M == 1). */
static int einsum_lower_matmul(op_ctx *c, lowered *l, const einsum_eq *q, const es_gemm *g) {
  rt_matmul_params *p;
  int64_t dense = g->M * g->N;
  int j, dt = op_in(c, 0)->t.dtype;
  if (!(dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64)) return 0;
  if (!es_is(g->ak, 1) || !es_is(g->am, g->K) || !es_is(g->bn, 1) || !es_is(g->bk, g->N) || !es_is(g->yn, 1) ||
      !es_is(g->ym, g->N))
    return 0;
  for (j = g->nb - 1; j >= 0; j--) {
    if (q->dim[g->bt[j]] != 1 && g->sy[g->bt[j]] != dense) return 0;
    dense *= q->dim[g->bt[j]];
  }
  switch (dt) {
  case DT_FLOAT:
    p = g->M == 1 ? LOWER(l, rt_matmul_f32_gemv, rt_matmul_params) : LOWER(l, rt_matmul_f32, rt_matmul_params);
    break;
  case DT_DOUBLE: p = LOWER(l, rt_matmul_f64, rt_matmul_params); break;
  case DT_INT32: p = LOWER(l, rt_matmul_i32, rt_matmul_params); break;
  default: p = LOWER(l, rt_matmul_i64, rt_matmul_params); break;
  }
  p->M = g->M;
  p->N = g->N;
  p->K = g->K;
  p->batch_rank = g->nb;
  for (j = 0; j < g->nb; j++) {
    p->batch_dims[j] = q->dim[g->bt[j]];
    p->a_strides[j] = g->sa[g->bt[j]];
    p->b_strides[j] = g->sb[g->bt[j]];
  }
  if (l->kernel == K_rt_matmul_f32) l->scratch_bytes = rt_sgemm_scratch_bytes(g->M, g->N, g->K);
  return 1;
}

/* Any other layout rt_sgemm reads, in f32: A's and B's inner group
 * contiguous (transposed or not), Y's n group contiguous, or its m group
 * (then Y^T = B^T A^T is computed). rt_einsum_gemm_f32. */
static int einsum_lower_sgemm(op_ctx *c, lowered *l, const einsum_eq *q, const es_gemm *g) {
  rt_einsum_gemm_params *p;
  int64_t am = g->am, ak = g->ak, bk = g->bk, bn = g->bn, ym = g->ym, yn = g->yn, M = g->M, N = g->N, t;
  const int64_t *sa = g->sa, *sb = g->sb;
  int swap = 0, j;
  if (op_in(c, 0)->t.dtype != DT_FLOAT) return 0;
  if (!es_is(yn, 1)) {
    if (!es_is(ym, 1)) return 0;
    /* Y^T (N x M) = B^T (N x K) * A^T (K x M) */
    swap = 1;
    t = am, am = bn, bn = t;
    t = ak, ak = bk, bk = t;
    t = ym, ym = yn, yn = t;
    t = M, M = N, N = t;
    sa = g->sb, sb = g->sa;
  }
  if (!(es_is(ak, 1) || es_is(am, 1)) || !(es_is(bn, 1) || es_is(bk, 1))) return 0;
  p = LOWER(l, rt_einsum_gemm_f32, rt_einsum_gemm_params);
  p->swap = swap;
  p->M = M;
  p->N = N;
  p->K = g->K;
  /* A(i, k) at i * am + k * ak: row-major with lda = am, or transposed;
   * likewise B(k, j) at k * bk + j * bn, and Y(i, j) at i * ym + j */
  p->trans_a = !es_is(ak, 1);
  p->lda = p->trans_a ? ak : am >= 0 ? am : g->K;
  p->trans_b = !es_is(bn, 1);
  p->ldb = p->trans_b ? bn : bk >= 0 ? bk : N;
  p->ldc = ym >= 0 ? ym : N;
  p->batch_rank = g->nb;
  for (j = 0; j < g->nb; j++) {
    p->batch_dims[j] = q->dim[g->bt[j]];
    p->a_strides[j] = sa[g->bt[j]];
    p->b_strides[j] = sb[g->bt[j]];
    p->y_strides[j] = g->sy[g->bt[j]];
  }
  l->scratch_bytes = rt_sgemm_scratch_bytes(M, N, g->K);
  return 1;
}

/* A matrix-product kernel when the contraction is one and the products
 * are not too small (an element-wise product is a batch of 1 x 1 x 1
 * ones, which cost more in calls than the general loop does). */
static int einsum_try_gemm(op_ctx *c, lowered *l, const einsum_eq *q) {
  es_gemm g;
  if (!einsum_as_gemm(c, q, &g)) return 0;
  if (g.batch > 1 && g.M * g.N * g.K < 256) return 0;
  return einsum_lower_matmul(c, l, q, &g) || einsum_lower_sgemm(c, l, q, &g);
}

/* ---- the general contraction ---- */

static status einsum_lower(op_ctx *c, lowered *l) {
  einsum_eq q;
  rt_einsum_params *p;
  int loops[RT_EINSUM_MAX_LOOPS], n_loops = 0, used[ES_LABELS] = {0}, k, j, d;
  status s = einsum_parse(c, &q);
  if (s) return s;
  if (einsum_try_gemm(c, l, &q)) return ST_OK;
  for (j = 0; j < q.out_rank; j++) {
    loops[n_loops++] = q.out[j];
    used[q.out[j]] = 1;
  }
  /* the summed labels in the order input 0's axes (then the others') name
   * them: the last one, often input 0's contiguous axis, runs innermost */
  for (k = 0; k < q.n_in; k++)
    for (j = 0; j < q.rank[k]; j++) {
      const int lab = q.axis[k][j];
      if (used[lab]) continue;
      if (n_loops >= RT_EINSUM_MAX_LOOPS)
        return diag_node_error(ST_UNSUPPORTED, c->n, "the equation has more than %d distinct subscripts",
                               RT_EINSUM_MAX_LOOPS);
      loops[n_loops++] = lab;
      used[lab] = 1;
    }
  p = op_lower_as(c, l, PD_rt_einsum_params, "rt_einsum_%s", op_dtype_suffix(op_in(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->n_in = q.n_in;
  p->n_out = q.out_rank;
  p->n_sum = n_loops - q.out_rank;
  for (d = 0; d < n_loops; d++) {
    p->dims[d] = q.dim[loops[d]];
    for (k = 0; k < q.n_in; k++)
      p->strides[k * RT_EINSUM_MAX_LOOPS + d] = einsum_stride(&q, &op_in(c, k)->t, k, loops[d]);
  }
  return ST_OK;
}

/* ---- Det ---- */

static status det_infer(op_ctx *c) {
  const ir_tensor *x;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE && x->dtype != DT_FLOAT16)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if (x->rank < 2 || x->dims[x->rank - 1] != x->dims[x->rank - 2])
    return diag_node_error(ST_BAD_MODEL, c->n, "input must be [..., M, M], of rank 2 or more");
  op_set_output(c, 0, x->dtype, x->rank - 2, x->dims);
  return ST_OK;
}

static status det_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_det_params *p = op_lower_as(c, l, PD_rt_det_params, "rt_det_%s", op_dtype_suffix(x->dtype));
  int d;
  if (!p) return ST_UNSUPPORTED;
  p->n = x->dims[x->rank - 1];
  p->batch = 1;
  for (d = 0; d < x->rank - 2; d++) p->batch *= x->dims[d];
  l->scratch_bytes = (size_t)(p->n * p->n) * sizeof(double);
  return ST_OK;
}

static status algebra_infer(op_ctx *c) { return c->n->op == OP_Einsum ? einsum_infer(c) : det_infer(c); }

static status algebra_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_Einsum ? einsum_lower(c, l) : det_lower(c, l);
}

const op_family op_family_algebra = {algebra_infer, algebra_lower, 0, 0};
