/* LinearAttention (rt_linear_attention_f32; kernels/linear_attention.h):
 * the token recurrence of linear attention over packed [B, T, H * D]
 * query, key and value, with an optional [B, H_kv, d_k, d_v] state.
 *
 * update_rule only says which of decay and beta the node must have (the
 * kernel applies whichever it gets), so infer checks that they agree.
 * The kernel computes in float: other element types (float16, bfloat16)
 * are refused, and a [B, H_kv, d_k, d_v] state of another type than float
 * too. B and T may vary at run time (a decode step has T = 1, a prefill
 * more); the last dims, which the heads split, are fixed. */
#include <math.h>

#include "../dimexpr.h"
#include "ops.h"

static const char *const rules[] = {"linear", "gated", "delta", "gated_delta"};

/* The sizes a node works with, from its inputs and attributes; b and t
 * are dim expressions (the query's). */
typedef struct la_shape {
  int b, t;
  int64_t hq, hkv, dk, dv;
  int decay_per_key, beta_per_head;
} la_shape;

/* Input i must be float [b, t, fixed] (b and t checked at run time where
 * they vary; s NULL for the query itself, which sets them): *last gets
 * its last dim. */
static status la_packed(const op_ctx *c, int i, const char *what, const la_shape *s, int64_t *last) {
  const ir_tensor *x = &op_in(c, i)->t;
  status e;
  if (x->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (%s; float only)",
                           dtype_name(x->dtype), what);
  if (x->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "%s must be [batch, tokens, heads * dim]", what);
  if (x->sym[2])
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s's last dim varies at run time; the heads need it fixed", what);
  if (s && ((e = op_check_equal(c, ir_dim(c->g, x, 0), s->b, "the batch of query and the other inputs")) ||
            (e = op_check_equal(c, ir_dim(c->g, x, 1), s->t, "the tokens of query and the other inputs"))))
    return e;
  *last = x->dims[2];
  return ST_OK;
}

/* Heads and head dims from the attributes and q, k, v. */
static status la_heads(const op_ctx *c, la_shape *s) {
  int64_t q, k, v;
  status e;
  s->hq = attr_int(c->n, "q_num_heads", 0);
  s->hkv = attr_int(c->n, "kv_num_heads", 0);
  if (s->hq <= 0 || s->hkv <= 0 || s->hq % s->hkv)
    return diag_node_error(ST_BAD_MODEL, c->n,
                           "q_num_heads (%lld) must be a positive multiple of kv_num_heads (%lld), both required",
                           (long long)s->hq, (long long)s->hkv);
  if ((e = la_packed(c, 0, "query", NULL, &q)) != ST_OK) return e;
  s->b = ir_dim(c->g, &op_in(c, 0)->t, 0);
  s->t = ir_dim(c->g, &op_in(c, 0)->t, 1);
  if ((e = la_packed(c, 1, "key", s, &k)) != ST_OK || (e = la_packed(c, 2, "value", s, &v)) != ST_OK) return e;
  if (q % s->hq || v % s->hkv || k != q / s->hq * s->hkv)
    return diag_node_error(ST_BAD_MODEL, c->n,
                           "query (%lld), key (%lld) and value (%lld) do not split into %lld query heads and %lld "
                           "key/value heads of one key dim",
                           (long long)q, (long long)k, (long long)v, (long long)s->hq, (long long)s->hkv);
  s->dk = q / s->hq;
  s->dv = v / s->hkv;
  return ST_OK;
}

/* decay (input 4) and beta (input 5): present exactly when the rule uses
 * them, and of one of the widths the op allows. */
static status la_gates(const op_ctx *c, int rule, la_shape *s) {
  const int gated = rule == 1 || rule == 3, delta = rule >= 2;
  int64_t w;
  status e;
  if (gated != (op_in(c, 4) != NULL) || delta != (op_in(c, 5) != NULL))
    return diag_node_error(ST_BAD_MODEL, c->n, "update_rule '%s' %s decay and %s beta", rules[rule],
                           gated ? "needs" : "forbids", delta ? "needs" : "forbids");
  if (gated) {
    if ((e = la_packed(c, 4, "decay", s, &w)) != ST_OK) return e;
    if (w != s->hkv && w != s->hkv * s->dk)
      return diag_node_error(ST_BAD_MODEL, c->n, "decay's last dim is %lld; it must be %lld or %lld", (long long)w,
                             (long long)s->hkv, (long long)(s->hkv * s->dk));
    s->decay_per_key = w == s->hkv * s->dk;
  }
  if (delta) {
    if ((e = la_packed(c, 5, "beta", s, &w)) != ST_OK) return e;
    if (w != s->hkv && w != 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "beta's last dim is %lld; it must be %lld or 1", (long long)w,
                             (long long)s->hkv);
    s->beta_per_head = w == s->hkv;
  }
  return ST_OK;
}

/* The state's dims [b, hkv, dk, dv] as expressions. */
static void la_state_dims(const op_ctx *c, const la_shape *s, int *dims) {
  dims[0] = s->b;
  dims[1] = dx_const(op_dx(c), s->hkv);
  dims[2] = dx_const(op_dx(c), s->dk);
  dims[3] = dx_const(op_dx(c), s->dv);
}

/* The state input (3), when given: float [b, hkv, dk, dv]. */
static status la_state(const op_ctx *c, const la_shape *s) {
  const ir_tensor *st = op_in(c, 3) ? &op_in(c, 3)->t : NULL;
  int dims[4], d;
  status e;
  if (!st) return ST_OK;
  if (st->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (past_state; float only)",
                           dtype_name(st->dtype));
  if (st->rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "past_state must be [batch, %lld, %lld, %lld]", (long long)s->hkv,
                           (long long)s->dk, (long long)s->dv);
  la_state_dims(c, s, dims);
  for (d = 0; d < 4; d++)
    if ((e = op_check_equal(c, ir_dim(c->g, st, d), dims[d], "past_state's dims and [batch, H_kv, d_k, d_v]")))
      return e;
  return ST_OK;
}

static status la_check(const op_ctx *c, la_shape *s) {
  int rule;
  status st;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  s->decay_per_key = s->beta_per_head = 0;
  if ((st = op_attr_enum(c, "update_rule", "gated_delta", rules, 4, &rule)) != ST_OK) return st;
  if ((st = la_heads(c, s)) != ST_OK) return st;
  if ((st = la_gates(c, rule, s)) != ST_OK) return st;
  return la_state(c, s);
}

static status la_infer(op_ctx *c) {
  la_shape s;
  status st = la_check(c, &s);
  int out[3], state[4];
  if (st) return st;
  out[0] = s.b, out[1] = s.t, out[2] = dx_const(op_dx(c), s.hq * s.dv);
  la_state_dims(c, &s, state);
  op_set_output_exprs(c, 0, DT_FLOAT, 3, out);
  op_set_output_exprs(c, 1, DT_FLOAT, 4, state);
  return ST_OK;
}

static status la_lower(op_ctx *c, lowered *l) {
  la_shape s;
  rt_linear_attention_params *p;
  const float scale = attr_float(c->n, "scale", 0.0f);
  status st = la_check(c, &s);
  if (st) return st;
  p = LOWER(l, rt_linear_attention_f32, rt_linear_attention_params);
  op_bind(c, l, &p->batch, s.b);
  op_bind(c, l, &p->t, s.t);
  p->hq = s.hq, p->hkv = s.hkv, p->dk = s.dk, p->dv = s.dv;
  p->decay_per_key = s.decay_per_key;
  p->beta_per_head = s.beta_per_head;
  /* 0 asks for the usual 1 / sqrt(d_k) */
  p->scale = scale != 0.0f ? scale : (float)(1.0 / sqrt((double)s.dk));
  /* u, and the state (at the batch's bound) when present_state is not
   * an output */
  l->scratch_bytes =
      sizeof(float) * (size_t)(s.dv + (op_out(c, 1) ? 0 : dx_upper(op_dx(c), s.b) * s.hkv * s.dk * s.dv));
  return ST_OK;
}

const op_family op_family_linear_attention = {la_infer, la_lower, 1, 0};
