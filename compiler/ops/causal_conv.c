/* CausalConvWithState (rt_causal_conv_f32; kernels/causal_conv.h): a
 * depthwise causal 1-D convolution of [B, C, L] with [C, 1, k] weights,
 * carrying a [B, C, k - 1] state, with an optional fused SiLU ("swish" is
 * the same function under another name).
 *
 * The kernel computes in float: other element types (float16, bfloat16)
 * are refused. Dims are fixed at compile time (symbolic 0). */
#include "ops.h"

/* The activations' names, in the order where index 0 is none and every
 * other one is SiLU. */
static const char *const activations[] = {"none", "silu", "swish"};

/* Input i, when given, must be float and have `rank` dims `dims`. */
static status cc_operand(const op_ctx *c, int i, const char *what, int rank, const int64_t *dims) {
  const ir_tensor *t = op_in(c, i) ? &op_in(c, i)->t : NULL;
  int d;
  if (!t) return ST_OK;
  if (t->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (%s; float only)",
                           dtype_name(t->dtype), what);
  for (d = 0; d < rank && t->rank == rank; d++)
    if (t->dims[d] != dims[d]) break;
  if (t->rank != rank || d < rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s does not have the shape the input and weights imply", what);
  return ST_OK;
}

/* Checks the node; *silu gets whether the activation is SiLU, and
 * state[3] the carried state's dims [B, C, k - 1]. */
static status cc_check(const op_ctx *c, int *silu, int64_t *state) {
  const ir_tensor *x, *w;
  int64_t wdims[3];
  int act;
  status s;
  *silu = 0;
  OP_REQUIRE_INPUT(c, 0);
  OP_REQUIRE_INPUT(c, 1);
  if ((s = op_attr_enum(c, "activation", "none", activations, 3, &act)) != ST_OK) return s;
  *silu = act != 0;
  x = &op_in(c, 0)->t;
  w = &op_in(c, 1)->t;
  if (x->dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float only)",
                           dtype_name(x->dtype));
  if (x->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "input must be [batch, channels, length]");
  if (w->rank != 3 || w->dims[2] < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "weight must be [channels, 1, k] with k >= 1");
  wdims[0] = x->dims[1], wdims[1] = 1, wdims[2] = w->dims[2];
  state[0] = x->dims[0], state[1] = x->dims[1], state[2] = w->dims[2] - 1;
  if ((s = cc_operand(c, 1, "weight", 3, wdims)) != ST_OK) return s;
  if ((s = cc_operand(c, 2, "bias", 1, &x->dims[1])) != ST_OK) return s;
  return cc_operand(c, 3, "past_state", 3, state);
}

static status cc_infer(op_ctx *c) {
  int64_t state[3];
  int silu;
  status s = cc_check(c, &silu, state);
  if (s) return s;
  op_same_as_input(c, 0, 0);
  op_set_output(c, 1, DT_FLOAT, 3, state);
  return ST_OK;
}

static status cc_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int64_t state[3];
  int silu;
  rt_causal_conv_params *p;
  status s = cc_check(c, &silu, state);
  if (s) return s;
  p = LOWER(l, rt_causal_conv_f32, rt_causal_conv_params);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->len = x->dims[2];
  p->k = state[2] + 1;
  p->silu = silu;
  return ST_OK;
}

const op_family op_family_causal_conv = {cc_infer, cc_lower, 0, 0};
