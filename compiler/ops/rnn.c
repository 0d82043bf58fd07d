/* Recurrent layers: RNN, GRU, LSTM (rt_rnn_T, rt_gru_T, rt_lstm_T);
 * kernels/rnn.h. The shapes and outputs of com.microsoft's
 * DynamicQuantizeLSTM too (rnn_common.h; its lowering is dqlstm.c). */
#include <string.h>

#include "ops.h"
#include "quant_common.h"
#include "rnn_common.h"

/* DynamicQuantizeLSTM: LSTM's inputs, with 8-bit W and R transposed. */
static int is_dq(int op) { return op == OP_ms_DynamicQuantizeLSTM; }

/* Gates per hidden unit: RNN 1, GRU 3 (z, r, h), LSTM 4 (i, o, f, c). */
static int num_gates(int op) { return op == OP_LSTM || is_dq(op) ? 4 : op == OP_GRU ? 3 : 1; }

/* Input i, if present, must have this shape and the element type of X
 * (any 8-bit type with eight_bit: DynamicQuantizeLSTM's W and R). */
static status check_typed(const op_ctx *c, int i, const char *what, int rank, const int64_t *dims,
                          int eight_bit) {
  const ir_value *v = op_in(c, i);
  int k;
  if (!v) return ST_OK;
  if (eight_bit && !is_8bit(v->t.dtype)) return refuse_type(c, what, v->t.dtype);
  if (!eight_bit && v->t.dtype != op_in(c, 0)->t.dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must be %s like X, not %s", what,
                           dtype_name(op_in(c, 0)->t.dtype), dtype_name(v->t.dtype));
  if (v->t.rank != rank) return diag_node_error(ST_BAD_MODEL, c->n, "%s must have rank %d, not %d", what, rank, v->t.rank);
  for (k = 0; k < rank; k++)
    if (v->t.dims[k] != dims[k])
      return diag_node_error(ST_BAD_MODEL, c->n, "%s has dim %d of %lld, expected %lld", what, k,
                             (long long)v->t.dims[k], (long long)dims[k]);
  return ST_OK;
}

static status check_input(const op_ctx *c, int i, const char *what, int rank, const int64_t *dims) {
  return check_typed(c, i, what, rank, dims, 0);
}

/* The activations attribute may only name the defaults (per direction):
 * Tanh for RNN; Sigmoid, Tanh for GRU; Sigmoid, Tanh, Tanh for LSTM. */
static status check_activations(const op_ctx *c, int dirs) {
  static const char *const rnn[] = {"Tanh"}, *const gru[] = {"Sigmoid", "Tanh"},
                           *const lstm[] = {"Sigmoid", "Tanh", "Tanh"};
  const int G = num_gates(c->n->op);
  const char *const *want = G == 4 ? lstm : G == 3 ? gru : rnn;
  const int per = G == 4 ? 3 : G == 3 ? 2 : 1;
  const ir_attr *a = ir_attr_find(c->n, "activations");
  int k;
  if (!a) return ST_OK;
  if (a->n != per * dirs)
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'activations' has %d names, expected %d", a->n,
                           per * dirs);
  for (k = 0; k < a->n; k++)
    if (strcmp(a->strings[k], want[k % per]))
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "attribute 'activations': %s in place of the default %s is not supported",
                             a->strings[k], want[k % per]);
  return ST_OK;
}

status rnn_shape_of(const op_ctx *c, rnn_shape *sh) {
  static const char *const directions[] = {"forward", "reverse", "bidirectional"};
  const ir_tensor *x, *r;
  const int G = num_gates(c->n->op), dq = is_dq(c->n->op);
  int64_t dims[3];
  int dir;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  OP_REQUIRE_INPUT(c, 2);
  x = &op_in(c, 0)->t;
  r = &op_in(c, 2)->t;
  if (x->dtype != DT_FLOAT && (dq || x->dtype != DT_DOUBLE))
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(x->dtype));
  if ((s = op_attr_enum(c, "direction", "forward", directions, 3, &dir)) != ST_OK) return s;
  sh->dirs = dir == 2 ? 2 : 1;
  sh->reverse = dir == 1;
  sh->layout = (int)attr_int(c->n, "layout", 0);
  if (sh->layout != 0 && sh->layout != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'layout' is %d, expected 0 or 1", sh->layout);
  if (x->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 3, not %d", x->rank);
  if (r->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "R must have rank 3, not %d", r->rank);
  sh->seq = x->dims[sh->layout ? 1 : 0];
  sh->batch = x->dims[sh->layout ? 0 : 1];
  sh->input = x->dims[2];
  sh->hidden = attr_int(c->n, "hidden_size", r->dims[dq ? 1 : 2]);
  if (sh->hidden <= 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'hidden_size' must be positive, not %lld",
                           (long long)sh->hidden);
  if ((s = check_activations(c, sh->dirs)) != ST_OK) return s;
  if (!(attr_float(c->n, "clip", 1.0f) > 0))
    return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'clip' must be positive");
  /* W [dirs, G*hidden, input], R [dirs, G*hidden, hidden]; transposed
   * (the last two dims swapped) and 8-bit for DynamicQuantizeLSTM */
  dims[0] = sh->dirs, dims[dq ? 2 : 1] = G * sh->hidden, dims[dq ? 1 : 2] = sh->input;
  if ((s = check_typed(c, 1, "W", 3, dims, dq)) != ST_OK) return s;
  dims[dq ? 1 : 2] = sh->hidden;
  if ((s = check_typed(c, 2, "R", 3, dims, dq)) != ST_OK) return s;
  dims[1] = 2 * G * sh->hidden;
  if ((s = check_input(c, 3, "B", 2, dims)) != ST_OK) return s;
  if (op_in(c, 4)) {
    const ir_tensor *l = &op_in(c, 4)->t;
    if (l->dtype != DT_INT32)
      return diag_node_error(ST_BAD_MODEL, c->n, "sequence_lens must be int32, not %s", dtype_name(l->dtype));
    if (l->rank != 1 || l->dims[0] != sh->batch)
      return diag_node_error(ST_BAD_MODEL, c->n, "sequence_lens must have shape [%lld]", (long long)sh->batch);
  }
  if (sh->layout)
    dims[0] = sh->batch, dims[1] = sh->dirs;
  else
    dims[0] = sh->dirs, dims[1] = sh->batch;
  dims[2] = sh->hidden;
  if ((s = check_input(c, 5, "initial_h", 3, dims)) != ST_OK) return s;
  if (G == 4) {
    if ((s = check_input(c, 6, "initial_c", 3, dims)) != ST_OK) return s;
    dims[0] = sh->dirs, dims[1] = 3 * sh->hidden;
    if ((s = check_input(c, 7, "P", 2, dims)) != ST_OK) return s;
  }
  return ST_OK;
}

status rnn_infer(op_ctx *c) {
  rnn_shape sh;
  int64_t y[4], st[3];
  const int dt = op_in(c, 0) ? op_in(c, 0)->t.dtype : DT_FLOAT;
  status s = rnn_shape_of(c, &sh);
  if (s) return s;
  if (sh.layout) {
    y[0] = sh.batch, y[1] = sh.seq, y[2] = sh.dirs;
    st[0] = sh.batch, st[1] = sh.dirs;
  } else {
    y[0] = sh.seq, y[1] = sh.dirs, y[2] = sh.batch;
    st[0] = sh.dirs, st[1] = sh.batch;
  }
  y[3] = st[2] = sh.hidden;
  op_set_output(c, 0, dt, 4, y);
  op_set_output(c, 1, dt, 3, st);
  if (num_gates(c->n->op) == 4) op_set_output(c, 2, dt, 3, st);
  return ST_OK;
}

/* Constant W or R ([dirs, GH, n]) stored as [dirs, n, GH] (kernels/rnn.h:
 * the gate loops then run over contiguous gates); the original loses its
 * reader and stays out of the blob. Returns the new constant. */
static int transposed_weights(op_ctx *c, int k, int dirs, int64_t GH) {
  const ir_value *w = op_in(c, k);
  const int64_t n = w->t.dims[2];
  const size_t es = dtype_size(w->t.dtype);
  int64_t dims[3], d, j, i;
  int id;
  dims[0] = dirs, dims[1] = n, dims[2] = GH;
  id = op_add_prepared(c, k == 1 ? "rnn_w_t" : "rnn_r_t", w->t.dtype, 3, dims);
  for (d = 0; d < dirs; d++)
    for (j = 0; j < GH; j++)
      for (i = 0; i < n; i++)
        memcpy((char *)c->g->values[id]->t.data + (size_t)((d * n + i) * GH + j) * es,
               (const char *)w->t.data + (size_t)((d * GH + j) * n + i) * es, es);
  return id;
}

/* Constant W ([dirs, GH, input]) for the _proj variants: each direction's
 * W^T (input x GH) in rt_gemm_f32_pack_b's panels, the directions
 * rt_gemm_f32_packed_floats(input, GH) floats apart (kernels/rnn.h).
 * Returns the new constant. */
static int packed_input_weights(op_ctx *c, int dirs, int64_t GH) {
  const ir_value *w = op_in(c, 1);
  const int64_t I = w->t.dims[2], per = rt_gemm_f32_packed_floats(I, GH);
  int64_t dims[2], d;
  int id;
  dims[0] = dirs, dims[1] = per;
  id = op_add_prepared(c, "rnn_w_packed", DT_FLOAT, 2, dims);
  for (d = 0; d < dirs; d++)
    rt_gemm_f32_pack_b(I, GH, (const float *)w->t.data + d * GH * I, 1,
                       (float *)c->g->values[id]->t.data + d * per);
  return id;
}

/* Constant weights in the final lowering are laid out again: float layers
 * take the _proj variants (kernels/rnn.h: the input projection of a block
 * of steps as one matrix product), W packed for that product and R
 * transposed; double ones rnn.c's general kernels with both transposed.
 * The constant folder's lowering keeps ONNX's layout. */
static status rnn_lower(op_ctx *c, lowered *l) {
  rnn_shape sh;
  rt_rnn_params *p;
  const int dt = op_in(c, 0)->t.dtype, G = num_gates(c->n->op);
  const char *op = c->n->op == OP_LSTM ? "lstm" : c->n->op == OP_GRU ? "gru" : "rnn";
  int transpose, proj;
  status s = rnn_shape_of(c, &sh); /* W and R are present after it */
  if (s) return s;
  transpose = c->final && op_in(c, 1)->t.data && op_in(c, 2)->t.data;
  proj = transpose && dt == DT_FLOAT;
  p = op_lower_as(c, l, PD_rt_rnn_params, "rt_%s_%s%s", op, op_dtype_suffix(dt), proj ? "_proj" : "");
  if (!p) return ST_UNSUPPORTED;
  p->seq = sh.seq, p->batch = sh.batch, p->input = sh.input, p->hidden = sh.hidden;
  p->num_dirs = sh.dirs, p->reverse = sh.reverse, p->layout = sh.layout;
  p->has_clip = attr_float(c->n, "clip", -1.0f) > 0;
  p->clip = attr_float(c->n, "clip", 0.0f);
  p->linear_before_reset = c->n->op == OP_GRU && attr_int(c->n, "linear_before_reset", 0) != 0;
  p->input_forget = c->n->op == OP_LSTM && attr_int(c->n, "input_forget", 0) != 0;
  p->peepholes = c->n->op == OP_LSTM && op_in(c, 7) != NULL;
  l->scratch_bytes = proj ? rt_rnn_f32_proj_scratch_bytes(sh.seq, sh.batch, sh.input, G, sh.hidden)
                          : (size_t)RT_RNN_SCRATCH(sh.batch, G, sh.hidden) * dtype_size(dt);
  if (transpose) {
    c->n->in[1] = proj ? packed_input_weights(c, sh.dirs, G * sh.hidden)
                       : transposed_weights(c, 1, sh.dirs, G * sh.hidden);
    c->n->in[2] = transposed_weights(c, 2, sh.dirs, G * sh.hidden);
    p->transposed = 1;
  }
  return ST_OK;
}

const op_family op_family_rnn = {rnn_infer, rnn_lower, 0, 0};
