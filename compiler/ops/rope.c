/* RotaryEmbedding (opset 23): rotary position embeddings on the heads of
 * X (kernel in rope.h).
 *
 * X is [batch, heads, seq, head] or, with num_heads, [batch, seq, heads *
 * head]; batch and seq may vary at run time (they reach the kernel through
 * op_bind), the head size must be known now, since the rotated part and
 * the caches' rows follow from it. The caches are indexed by position_ids
 * when it is given ([max_pos, rotary / 2]), else by (batch, seq) ([batch,
 * seq, rotary / 2]). */
#include "../dimexpr.h"
#include "ops.h"

/* X's layout as the kernel sees it: dim expressions for batch, heads and
 * seq; the head size and its rotated part as numbers. */
typedef struct rope_dims {
  int batch, heads, seq;
  int64_t head, rotary;
  int seq_major;
} rope_dims;

static status rope_layout(const op_ctx *c, const ir_tensor *x, rope_dims *r) {
  dx_table *dx = op_dx(c);
  const int64_t nh = attr_int(c->n, "num_heads", 0), rd = attr_int(c->n, "rotary_embedding_dim", 0);
  if (x->rank != 3 && x->rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "X has rank %d; it must be 3-D or 4-D", x->rank);
  if (x->sym[x->rank - 1])
    return diag_node_error(ST_UNSUPPORTED, c->n, "X's last dim must be known at compile time");
  r->batch = ir_dim(c->g, x, 0);
  r->seq_major = x->rank == 3;
  if (x->rank == 4) {
    status s;
    r->heads = ir_dim(c->g, x, 1);
    r->seq = ir_dim(c->g, x, 2);
    r->head = x->dims[3];
    if (nh > 0 && (s = op_check_equal(c, r->heads, dx_const(dx, nh), "X's dim 1 (num_heads)"))) return s;
  } else {
    if (nh < 1) return diag_node_error(ST_BAD_MODEL, c->n, "a 3-D X needs num_heads (1 or more)");
    if (x->dims[2] % nh != 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "num_heads %lld does not divide X's hidden size %lld",
                             (long long)nh, (long long)x->dims[2]);
    r->heads = dx_const(dx, nh);
    r->seq = ir_dim(c->g, x, 1);
    r->head = x->dims[2] / nh;
  }
  r->rotary = rd == 0 ? r->head : rd;
  if (r->rotary < 0 || r->rotary > r->head || r->rotary % 2 != 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "the rotated size %lld must be even and at most the head size %lld",
                           (long long)r->rotary, (long long)r->head);
  return ST_OK;
}

/* t's dims must be `want` (n expressions); names t as `what`. */
static status check_dims(const op_ctx *c, const ir_tensor *t, const int *want, int n, const char *what) {
  int d;
  if (t->rank != n) return diag_node_error(ST_BAD_MODEL, c->n, "%s has rank %d, expected %d", what, t->rank, n);
  for (d = 0; d < n; d++) {
    status s = op_check_equal(c, ir_dim(c->g, t, d), want[d], what);
    if (s) return s;
  }
  return ST_OK;
}

static status rope_inputs(const op_ctx *c, const ir_tensor *x, const rope_dims *r) {
  const ir_tensor *cs = &op_in(c, 1)->t, *sn = &op_in(c, 2)->t;
  const ir_value *pos = op_in(c, 3);
  int want[3];
  status s;
  if (cs->dtype != x->dtype || sn->dtype != x->dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "cos_cache and sin_cache must be %s as X is",
                           dtype_name(x->dtype));
  if (pos) {
    if (pos->t.dtype != DT_INT64) return diag_node_error(ST_BAD_MODEL, c->n, "position_ids must be int64");
    want[0] = r->batch;
    want[1] = r->seq;
    if ((s = check_dims(c, &pos->t, want, 2, "position_ids ([batch, seq])"))) return s;
    want[0] = ir_dim(c->g, cs, 0);
    want[1] = dx_const(op_dx(c), r->rotary / 2);
    if ((s = check_dims(c, cs, want, 2, "cos_cache ([max_position, rotated size / 2])"))) return s;
    return check_dims(c, sn, want, 2, "sin_cache (cos_cache's shape)");
  }
  want[0] = r->batch;
  want[1] = r->seq;
  want[2] = dx_const(op_dx(c), r->rotary / 2);
  if ((s = check_dims(c, cs, want, 3, "cos_cache ([batch, seq, rotated size / 2])"))) return s;
  return check_dims(c, sn, want, 3, "sin_cache (cos_cache's shape)");
}

static status rope_infer(op_ctx *c) {
  const ir_tensor *x;
  rope_dims r;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  x = &op_in(c, 0)->t;
  if (x->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = rope_layout(c, x, &r))) return s;
  if ((s = rope_inputs(c, x, &r))) return s;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status rope_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rope_dims r;
  rt_rope_params *p;
  status s = rope_layout(c, x, &r);
  if (s) return s;
  if (!(p = op_lower_as(c, l, PD_rt_rope_params, "rt_rope_%s", op_dtype_suffix(x->dtype)))) return ST_UNSUPPORTED;
  op_bind(c, l, &p->batch, r.batch);
  op_bind(c, l, &p->heads, r.heads);
  op_bind(c, l, &p->seq, r.seq);
  p->head = r.head;
  p->rotary = r.rotary;
  p->interleaved = attr_int(c->n, "interleaved", 0) != 0;
  p->seq_major = r.seq_major;
  if (op_in(c, 3)) {
    p->has_pos = 1;
    op_bind(c, l, &p->max_pos, ir_dim(c->g, &op_in(c, 1)->t, 0));
    l->status_slot = 1; /* a position id past the cache fails the run */
  }
  /* each pair is read before it is written */
  l->inplace_of = 0;
  return ST_OK;
}

const op_family op_family_rope = {rope_infer, rope_lower, 1, 0};
