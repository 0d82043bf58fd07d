/* ONNX Runtime's com.microsoft DynamicQuantizeLSTM (rt_dqlstm_f32_T;
 * kernels/dqlstm.h): LSTM with 8-bit weights, its input and hidden state
 * quantized while it runs. Inputs 0..7 are LSTM's (W and R transposed and
 * 8-bit), checked by rnn.c (rnn_common.h); 8..11 are W's and R's scales
 * and zero points. Semantics and checks are ONNX Runtime 1.20's, whose
 * CPU kernel defines the op. */
#include "ops.h"
#include "quant_common.h"
#include "rnn_common.h"

/* Scale at input i (float) and zero point at i + 1 (of the weight's
 * type): one per direction ([dirs]) or one per gate unit ([dirs, 4H]),
 * both of one shape. Sets *per_channel. */
static status check_quant(const op_ctx *c, int i, const char *what, const rnn_shape *sh, int *per_channel) {
  const ir_tensor *s, *z;
  int k;
  OP_REQUIRE_INPUT(c, i);
  OP_REQUIRE_INPUT(c, i + 1);
  s = &op_in(c, i)->t;
  z = &op_in(c, i + 1)->t;
  if (s->dtype != DT_FLOAT) return refuse_type(c, "a scale", s->dtype);
  if (z->dtype != op_in(c, 1)->t.dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s's zero point must be %s like W and R, not %s", what,
                           dtype_name(op_in(c, 1)->t.dtype), dtype_name(z->dtype));
  if (!((s->rank == 1 && s->dims[0] == sh->dirs) ||
        (s->rank == 2 && s->dims[0] == sh->dirs && s->dims[1] == 4 * sh->hidden)))
    return diag_node_error(ST_BAD_MODEL, c->n, "%s's scale must have shape [%d] or [%d, %lld]", what, sh->dirs,
                           sh->dirs, (long long)(4 * sh->hidden));
  /* ONNX Runtime steps through the zero points as through the scales */
  if (z->rank != s->rank)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s's zero point must have the shape of its scale", what);
  for (k = 0; k < s->rank; k++)
    if (z->dims[k] != s->dims[k])
      return diag_node_error(ST_UNSUPPORTED, c->n, "%s's zero point must have the shape of its scale", what);
  *per_channel = s->rank == 2;
  return ST_OK;
}

/* Per gate unit, only a direction's first zero point is used: ONNX
 * Runtime refuses others that differ from it (int8: that are not 0). */
static status check_zero_points(const op_ctx *c, int i, const char *what) {
  const ir_tensor *z = &op_in(c, i)->t;
  const uint8_t *v = (const uint8_t *)z->data;
  int64_t k, n = tensor_numel(z), per = z->rank == 2 ? z->dims[1] : 1;
  if (!v || per == 1) return ST_OK;
  for (k = 0; k < n; k++)
    if (z->dtype == DT_INT8 ? v[k] != 0 : v[k] != v[k - k % per])
      return diag_node_error(ST_BAD_MODEL, c->n, "%s's zero points must be %s", what,
                             z->dtype == DT_INT8 ? "0" : "one per direction");
  return ST_OK;
}

static status dqlstm_check(const op_ctx *c, rnn_shape *sh, int *w_pc, int *r_pc) {
  status s = rnn_shape_of(c, sh);
  if (!s && op_in(c, 2)->t.dtype != op_in(c, 1)->t.dtype)
    s = diag_node_error(ST_BAD_MODEL, c->n, "W (%s) and R (%s) must have one type", dtype_name(op_in(c, 1)->t.dtype),
                        dtype_name(op_in(c, 2)->t.dtype));
  if (!s) s = check_quant(c, 8, "W", sh, w_pc);
  if (!s) s = check_quant(c, 10, "R", sh, r_pc);
  if (!s) s = check_zero_points(c, 9, "W");
  if (!s) s = check_zero_points(c, 11, "R");
  return s;
}

static status dqlstm_infer(op_ctx *c) {
  rnn_shape sh;
  int w_pc, r_pc;
  status s = dqlstm_check(c, &sh, &w_pc, &r_pc);
  return s ? s : rnn_infer(c);
}

static status dqlstm_lower(op_ctx *c, lowered *l) {
  rnn_shape sh;
  rt_dqlstm_params *p;
  int w_pc, r_pc;
  status s = dqlstm_check(c, &sh, &w_pc, &r_pc);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_dqlstm_params, "rt_dqlstm_f32_%s", op_dtype_suffix(op_in(c, 1)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->seq = sh.seq, p->batch = sh.batch, p->input = sh.input, p->hidden = sh.hidden;
  p->num_dirs = sh.dirs, p->reverse = sh.reverse;
  p->has_clip = attr_float(c->n, "clip", -1.0f) > 0;
  p->clip = attr_float(c->n, "clip", 0.0f);
  p->input_forget = attr_int(c->n, "input_forget", 0) != 0;
  p->w_per_channel = w_pc, p->r_per_channel = r_pc;
  l->scratch_bytes = (size_t)RT_DQLSTM_SCRATCH(sh.batch, sh.input, sh.hidden);
  return ST_OK;
}

const op_family op_family_dqlstm = {dqlstm_infer, dqlstm_lower, 0, 0};
