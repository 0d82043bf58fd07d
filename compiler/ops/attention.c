/* Attention (opsets 23 to 25): scaled dot-product attention with grouped
 * heads, a key/value cache, masks, a causal frontier, a sliding window
 * and softcapping, in one kernel (kernels/attention.h). FlexAttention
 * (ai.onnx.preview) without its modifier subgraphs is the same
 * computation on 4-D inputs with nothing masked, so it takes the same
 * path; score_mod and prob_mod are refused.
 *
 * Shapes are checked here once and described to the kernel by counts and
 * strides: a 3-D input [batch, seq, heads * size] and a 4-D one [batch,
 * heads, seq, size] differ only in their strides, so neither is
 * transposed into a copy. Inputs whose dims vary at run time are refused
 * (symbolic 0): the planner sizes the row of scores from total_seq. */
#include "ops.h"

/* The sizes an Attention node works with, from its inputs' shapes. */
typedef struct attn_geom {
  int rank;        /* of Q, K and V: 3 or 4 */
  int64_t batch, q_heads, kv_heads, q_seq, kv_seq, past_seq, head_size, v_head_size;
} attn_geom;

static int attn_float_type(int dt) { return dt == DT_FLOAT || dt == DT_DOUBLE; }

/* Q, K and V: one float type, one rank. */
static status check_qkv_types(const op_ctx *c) {
  const ir_tensor *q = &op_in(c, 0)->t, *k = &op_in(c, 1)->t, *v = &op_in(c, 2)->t;
  if (!attn_float_type(q->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(q->dtype));
  if (k->dtype != q->dtype || v->dtype != q->dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "K and V of types %s and %s with Q of type %s are not supported",
                           dtype_name(k->dtype), dtype_name(v->dtype), dtype_name(q->dtype));
  if ((q->rank != 3 && q->rank != 4) || k->rank != q->rank || v->rank != q->rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "Q, K and V must all have rank 3 or all rank 4, not %d, %d and %d",
                           q->rank, k->rank, v->rank);
  return ST_OK;
}

/* hidden = heads * size for the 3-D layout; *size gets the size. */
static status split_hidden(const op_ctx *c, const char *what, int64_t hidden, int64_t heads, int64_t *size) {
  if (heads < 1 || hidden % heads != 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s's hidden size %lld is not a multiple of %lld heads", what,
                           (long long)hidden, (long long)heads);
  *size = hidden / heads;
  return ST_OK;
}

/* Heads and sizes of the 3-D layout, from q_num_heads and kv_num_heads. */
static status geom_3d(const op_ctx *c, attn_geom *g) {
  const ir_tensor *q = &op_in(c, 0)->t, *k = &op_in(c, 1)->t, *v = &op_in(c, 2)->t;
  int64_t k_size = 0;
  status s;
  g->q_heads = attr_int(c->n, "q_num_heads", 0);
  g->kv_heads = attr_int(c->n, "kv_num_heads", 0);
  if (g->q_heads < 1 || g->kv_heads < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "3-D inputs need q_num_heads and kv_num_heads of 1 or more");
  if ((s = split_hidden(c, "Q", q->dims[2], g->q_heads, &g->head_size)) ||
      (s = split_hidden(c, "K", k->dims[2], g->kv_heads, &k_size)) ||
      (s = split_hidden(c, "V", v->dims[2], g->kv_heads, &g->v_head_size)))
    return s;
  if (k_size != g->head_size)
    return diag_node_error(ST_BAD_MODEL, c->n, "K's head size %lld differs from Q's %lld", (long long)k_size,
                           (long long)g->head_size);
  g->q_seq = q->dims[1];
  g->kv_seq = k->dims[1];
  return v->dims[1] == k->dims[1] ? ST_OK : diag_node_error(ST_BAD_MODEL, c->n, "K and V differ in length");
}

/* A head count attribute given with 4-D inputs: refused from opset 25 on,
 * as the spec says; before, it must agree with the dims. */
static status check_heads_attr(const op_ctx *c, const char *name, int64_t heads) {
  if (!ir_attr_find(c->n, name)) return ST_OK;
  if (c->opset >= 25)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must not be given with 4-D inputs", name);
  if (attr_int(c->n, name, 0) != heads)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s %lld differs from the inputs' %lld heads", name,
                           (long long)attr_int(c->n, name, 0), (long long)heads);
  return ST_OK;
}

static status geom_4d(const op_ctx *c, attn_geom *g) {
  const ir_tensor *q = &op_in(c, 0)->t, *k = &op_in(c, 1)->t, *v = &op_in(c, 2)->t;
  status s;
  g->q_heads = q->dims[1];
  g->kv_heads = k->dims[1];
  g->q_seq = q->dims[2];
  g->kv_seq = k->dims[2];
  g->head_size = q->dims[3];
  g->v_head_size = v->dims[3];
  if (k->dims[3] != q->dims[3])
    return diag_node_error(ST_BAD_MODEL, c->n, "K's head size %lld differs from Q's %lld", (long long)k->dims[3],
                           (long long)q->dims[3]);
  if (v->dims[1] != k->dims[1] || v->dims[2] != k->dims[2])
    return diag_node_error(ST_BAD_MODEL, c->n, "K and V differ in heads or length");
  if ((s = check_heads_attr(c, "q_num_heads", g->q_heads))) return s;
  return check_heads_attr(c, "kv_num_heads", g->kv_heads);
}

/* past_key [batch, kv_heads, past, head_size] and past_value [..., past,
 * v_head_size], both or neither; sets past_seq. */
static status geom_past(const op_ctx *c, attn_geom *g) {
  const ir_value *pk = op_in(c, 4), *pv = op_in(c, 5);
  const int64_t want_k[4] = {g->batch, g->kv_heads, pk ? pk->t.dims[2] : 0, g->head_size};
  const int64_t want_v[4] = {g->batch, g->kv_heads, pk ? pk->t.dims[2] : 0, g->v_head_size};
  int d;
  g->past_seq = 0;
  if (!pk && !pv) return ST_OK;
  if (!pk || !pv) return diag_node_error(ST_BAD_MODEL, c->n, "past_key and past_value go together");
  if (pk->t.dtype != op_in(c, 0)->t.dtype || pv->t.dtype != pk->t.dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "past_key and past_value must have Q's element type");
  if (pk->t.rank != 4 || pv->t.rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "past_key and past_value must have rank 4");
  for (d = 0; d < 4; d++)
    if (pk->t.dims[d] != want_k[d] || pv->t.dims[d] != want_v[d])
      return diag_node_error(ST_BAD_MODEL, c->n,
                             "past_key or past_value has dim %d unlike [batch, kv_heads, past, size]", d);
  g->past_seq = pk->t.dims[2];
  return ST_OK;
}

/* nonpad_kv_seqlen (opset 24): int64 [batch], not with a past. */
static status check_nonpad(const op_ctx *c, const attn_geom *g) {
  const ir_value *np = op_in(c, 6);
  if (!np) return ST_OK;
  if (np->t.dtype != DT_INT64 || np->t.rank != 1 || np->t.dims[0] != g->batch)
    return diag_node_error(ST_BAD_MODEL, c->n, "nonpad_kv_seqlen must be int64 of shape [batch]");
  if (op_in(c, 4))
    return diag_node_error(ST_BAD_MODEL, c->n, "nonpad_kv_seqlen does not go with past_key and past_value");
  return ST_OK;
}

/* attn_mask: bool or Q's type, broadcast (right-aligned) to [batch,
 * q_heads, q_seq, total]; its last dim may be shorter (padded with -inf),
 * never broadcast. */
static status check_mask(const op_ctx *c, const attn_geom *g) {
  const ir_value *m = op_in(c, 3);
  const int64_t want[4] = {g->batch, g->q_heads, g->q_seq, g->past_seq + g->kv_seq};
  int d;
  if (!m) return ST_OK;
  if (m->t.dtype != DT_BOOL && m->t.dtype != op_in(c, 0)->t.dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "attn_mask of type %s is not supported (bool or Q's type)",
                           dtype_name(m->t.dtype));
  if (m->t.rank < 1 || m->t.rank > 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "attn_mask must have rank 1 to 4, not %d", m->t.rank);
  if (m->t.dims[m->t.rank - 1] > want[3])
    return diag_node_error(ST_BAD_MODEL, c->n, "attn_mask has %lld keys, more than the %lld there are",
                           (long long)m->t.dims[m->t.rank - 1], (long long)want[3]);
  for (d = 0; d < m->t.rank - 1; d++) {
    int64_t dim = m->t.dims[d], target = want[4 - m->t.rank + d];
    if (dim != 1 && dim != target)
      return diag_node_error(ST_BAD_MODEL, c->n, "attn_mask's dim %d (%lld) does not broadcast to %lld", d,
                             (long long)dim, (long long)target);
  }
  return ST_OK;
}

/* The attributes' values: each out of its range is an error. */
static status check_attrs(const op_ctx *c) {
  const int64_t mode = attr_int(c->n, "qk_matmul_output_mode", 0), causal = attr_int(c->n, "is_causal", 0);
  const int64_t prec = attr_int(c->n, "softmax_precision", DT_FLOAT);
  if (mode < 0 || mode > 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "qk_matmul_output_mode must be 0 to 3, not %lld", (long long)mode);
  if (causal != 0 && causal != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "is_causal must be 0 or 1, not %lld", (long long)causal);
  /* The kernel's softmax runs in its own type, float or double: at least
   * the precision a floating type asks for, never less. */
  if (prec != DT_FLOAT && prec != DT_DOUBLE && prec != DT_FLOAT16 && prec != DT_BFLOAT16)
    return diag_node_error(ST_BAD_MODEL, c->n, "softmax_precision must name a floating type, not %lld",
                           (long long)prec);
  if (attr_int(c->n, "left_window_size", -1) < -1 || attr_int(c->n, "right_window_size", -1) < -1)
    return diag_node_error(ST_BAD_MODEL, c->n, "left_window_size and right_window_size must be -1 or more");
  return ST_OK;
}

/* Every check of the node; fills g. */
static status attn_geom_of(const op_ctx *c, attn_geom *g) {
  const ir_tensor *q, *k, *v;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  if ((s = check_qkv_types(c)) || (s = check_attrs(c))) return s;
  q = &op_in(c, 0)->t;
  k = &op_in(c, 1)->t;
  v = &op_in(c, 2)->t;
  g->rank = q->rank;
  g->batch = q->dims[0];
  if (k->dims[0] != g->batch || v->dims[0] != g->batch)
    return diag_node_error(ST_BAD_MODEL, c->n, "Q, K and V differ in batch size");
  if ((s = g->rank == 3 ? geom_3d(c, g) : geom_4d(c, g))) return s;
  if (g->kv_heads < 1 || g->q_heads % g->kv_heads != 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "%lld query heads are not a multiple of %lld key/value heads",
                           (long long)g->q_heads, (long long)g->kv_heads);
  if ((s = geom_past(c, g)) || (s = check_nonpad(c, g))) return s;
  return check_mask(c, g);
}

/* FlexAttention: rank 4, and no subgraph to run on the scores or the
 * probabilities (the kernel has no place to call one). */
static status check_flex(const op_ctx *c) {
  if (c->n->op != OP_preview_FlexAttention) return ST_OK;
  if (ir_attr_find(c->n, "score_mod") || ir_attr_find(c->n, "prob_mod"))
    return diag_node_error(ST_UNSUPPORTED, c->n, "score_mod and prob_mod subgraphs are not supported");
  if (op_in(c, 0)->t.rank != 4)
    return diag_node_error(ST_BAD_MODEL, c->n, "Q, K and V must have rank 4");
  return ST_OK;
}

static status attention_infer(op_ctx *c) {
  attn_geom g;
  int64_t total, dims[4];
  int dt;
  status s = attn_geom_of(c, &g);
  if (s || (s = check_flex(c))) return s;
  dt = op_in(c, 0)->t.dtype;
  total = g.past_seq + g.kv_seq;
  if (g.rank == 3) {
    const int64_t y3[3] = {g.batch, g.q_seq, g.q_heads * g.v_head_size};
    op_set_output(c, 0, dt, 3, y3);
  } else {
    const int64_t y4[4] = {g.batch, g.q_heads, g.q_seq, g.v_head_size};
    op_set_output(c, 0, dt, 4, y4);
  }
  dims[0] = g.batch;
  dims[1] = g.kv_heads;
  dims[2] = total;
  dims[3] = g.head_size;
  op_set_output(c, 1, dt, 4, dims);
  dims[3] = g.v_head_size;
  op_set_output(c, 2, dt, 4, dims);
  dims[1] = g.q_heads;
  dims[2] = g.q_seq;
  dims[3] = total;
  op_set_output(c, 3, dt, 4, dims);
  return ST_OK;
}

/* Strides of (batch, head, seq) for a tensor of `heads` heads of `seq`
 * rows of `size`: [batch, seq, heads * size] (rank 3) or [batch, heads,
 * seq, size]. */
static void layout_strides(int rank, int64_t heads, int64_t seq, int64_t size, int64_t *st) {
  st[0] = heads * seq * size;
  st[1] = rank == 3 ? size : seq * size;
  st[2] = rank == 3 ? heads * size : size;
}

/* The mask's strides over (batch, head, query, key), right-aligned, 0 on
 * the broadcast dims; its own key count is mask_len. */
static void mask_strides(const ir_tensor *m, int64_t *st, int64_t *len) {
  int64_t md[4] = {1, 1, 1, 1}, step = 1;
  int d;
  for (d = 0; d < m->rank; d++) md[4 - m->rank + d] = m->dims[d];
  for (d = 3; d >= 0; d--) {
    st[d] = md[d] == 1 && d < 3 ? 0 : step;
    step *= md[d];
  }
  *len = md[3];
}

static status attention_lower(op_ctx *c, lowered *l) {
  const ir_value *m = op_in(c, 3);
  const int dt = op_in(c, 0)->t.dtype;
  rt_attention_params *p;
  attn_geom g;
  status s = attn_geom_of(c, &g);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_attention_params, "rt_attention_%s%s", op_dtype_suffix(dt),
                  m && m->t.dtype == DT_BOOL ? "_bmask" : "");
  if (!p) return ST_UNSUPPORTED;
  p->batch = g.batch;
  p->q_heads = g.q_heads;
  p->kv_heads = g.kv_heads;
  p->q_seq = g.q_seq;
  p->kv_seq = g.kv_seq;
  p->past_seq = g.past_seq;
  p->head_size = g.head_size;
  p->v_head_size = g.v_head_size;
  layout_strides(g.rank, g.q_heads, g.q_seq, g.head_size, p->q_strides);
  layout_strides(g.rank, g.kv_heads, g.kv_seq, g.head_size, p->k_strides);
  layout_strides(g.rank, g.kv_heads, g.kv_seq, g.v_head_size, p->v_strides);
  layout_strides(g.rank, g.q_heads, g.q_seq, g.v_head_size, p->y_strides);
  if (m) mask_strides(&m->t, p->mask_strides, &p->mask_len);
  p->left_window = attr_int(c->n, "left_window_size", -1);
  p->right_window = attr_int(c->n, "right_window_size", -1);
  p->default_scale = ir_attr_find(c->n, "scale") == NULL;
  p->scale = attr_float(c->n, "scale", 1.0f);
  p->softcap = attr_float(c->n, "softcap", 0.0f);
  p->is_causal = (int32_t)attr_int(c->n, "is_causal", 0);
  p->qk_mode = (int32_t)attr_int(c->n, "qk_matmul_output_mode", 0);
  l->scratch_bytes = (size_t)RT_ATTENTION_SCRATCH(g.head_size, g.past_seq + g.kv_seq, (int64_t)dtype_size(dt));
  return ST_OK;
}

const op_family op_family_attention = {attention_infer, attention_lower, 0, 0};
