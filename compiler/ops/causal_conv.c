/* CausalConvWithState (rt_causal_conv_f32; kernels/causal_conv.h): a
 * depthwise causal 1-D convolution of [B, C, L] with [C, 1, k] weights,
 * carrying a [B, C, k - 1] state, with an optional fused SiLU ("swish" is
 * the same function under another name).
 *
 * The kernel computes in float: other element types (float16, bfloat16)
 * are refused. B and L may vary at run time (decoding feeds one token,
 * prefill many); the weights, and so C and k, are fixed. */
#include "../dimexpr.h"
#include "ops.h"

/* The activations' names: index 0 is none, every other one is SiLU. */
static const char *const activations[] = {"none", "silu", "swish"};

/* Input i, when given, must be float and have `rank` dims equal to the
 * expressions `dims` (checked at run time where they vary). */
static status cc_operand(const op_ctx *c, int i, const char *what, int rank, const int *dims) {
  const ir_tensor *t = op_in(c, i) ? &op_in(c, i)->t : NULL;
  int d;
  status s;
  if (!t) return ST_OK;
  if (t->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (%s; float only)",
                           dtype_name(t->dtype), what);
  if (t->rank != rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s has rank %d; it must have %d", what, t->rank, rank);
  for (d = 0; d < rank; d++)
    if ((s = op_check_equal(c, ir_dim(c->g, t, d), dims[d], what)) != ST_OK) return s;
  return ST_OK;
}

/* Checks the node; *silu gets whether the activation is SiLU, and
 * state[3] the carried state's dims [B, C, k - 1] as expressions. */
static status cc_check(const op_ctx *c, int *silu, int *state) {
  dx_table *dx = op_dx(c);
  const ir_tensor *x, *w;
  int act, chans;
  status s;
  *silu = 0;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if ((s = op_attr_enum(c, "activation", "none", activations, 3, &act)) != ST_OK) return s;
  *silu = act != 0;
  x = &op_in(c, 0)->t;
  w = &op_in(c, 1)->t;
  if (x->dtype != DT_FLOAT || w->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float only)",
                           dtype_name(x->dtype != DT_FLOAT ? x->dtype : w->dtype));
  if (x->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "input must be [batch, channels, length]");
  if (w->rank != 3 || tensor_is_symbolic(w) || w->dims[1] != 1 || w->dims[2] < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "weight must be [channels, 1, k] with k >= 1, of fixed dims");
  chans = dx_const(dx, w->dims[0]);
  if ((s = op_check_equal(c, ir_dim(c->g, x, 1), chans, "the input's channels and the weight's")) != ST_OK)
    return s;
  state[0] = ir_dim(c->g, x, 0), state[1] = chans, state[2] = dx_const(dx, w->dims[2] - 1);
  if ((s = cc_operand(c, 2, "bias", 1, &chans)) != ST_OK) return s;
  return cc_operand(c, 3, "past_state", 3, state);
}

static status cc_infer(op_ctx *c) {
  int state[3], silu;
  status s = cc_check(c, &silu, state);
  if (s) return s;
  op_same_as_input(c, 0, 0);
  op_set_output_exprs(c, 1, DT_FLOAT, 3, state);
  return ST_OK;
}

static status cc_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *w = &op_in(c, 1)->t;
  int state[3], silu;
  rt_causal_conv_params *p;
  status s = cc_check(c, &silu, state);
  if (s) return s;
  p = LOWER(l, rt_causal_conv_f32, rt_causal_conv_params);
  op_bind(c, l, &p->batch, ir_dim(c->g, x, 0));
  p->channels = w->dims[0];
  op_bind(c, l, &p->len, ir_dim(c->g, x, 2));
  p->k = w->dims[2];
  p->silu = silu;
  return ST_OK;
}

const op_family op_family_causal_conv = {cc_infer, cc_lower, 1, 0};
