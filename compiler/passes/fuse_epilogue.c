/* fuse-epilogue: an activation, or the Add of a residual (then optionally
 * an activation), that reads a float Conv, Gemm or MatMul's output moves
 * into that node as an epilogue its kernel applies to each output tile
 * while the tile is still in cache (kernels/epilogue.h); an activation
 * after a float inference BatchNormalization moves into it the same way
 * (its kernels apply it to each plane). Without it each
 * of those nodes is one more pass over the whole tensor: resnet's
 * Conv -> Add(shortcut) -> Relu reads and writes every activation three
 * times.
 *
 * Only where the result is unchanged: the intermediate value has no other
 * reader and is not a graph output; the residual has the output's type
 * and shape (no broadcasting: the kernel reads it in the output's
 * layout); Clip's bounds are constants. The fused node takes the
 * consumer's place in the node order (its own inputs are all produced
 * before it, and the residual may be produced after the Conv). Runs after
 * inference, so the constant folder never sees a fused node; at -O0 no
 * node is fused.
 *
 * The epilogue lives on the node as attributes of the compiler's own
 * ("onnxcc.act", "onnxcc.act_a", "onnxcc.act_b": RT_ACT_* and its two
 * parameters; "onnxcc.residual": 1 when the residual is an input, at
 * slot 3 of Conv and Gemm, 2 of MatMul, 3 of a MatMul with a bias), which
 * op_lower_epilogue turns into the params fields. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

#define ATTR_ACT "onnxcc.act"
#define ATTR_ACT_A "onnxcc.act_a"
#define ATTR_ACT_B "onnxcc.act_b"
#define ATTR_RESIDUAL "onnxcc.residual"

/* Gemm's and Conv's slot 3; a MatMul's 2, or 3 when matmul-add-gemm gave
 * it a bias at 2 (it then runs the Gemm kernel). */
static int residual_slot(const ir_node *p) {
  return p->op == OP_MatMul && !ir_attr_find(p, "onnxcc.bias") ? 2 : 3;
}

/* The RT_ACT_* kind of node n, with its parameters in *a and *b; -1 when
 * no kernel epilogue computes it (a Clip whose bounds are not constants,
 * a Gelu approximation onnxcc does not know). */
static int act_kind(const ir_graph *g, const ir_node *n, float *a, float *b) {
  *a = *b = 0.0f;
  switch (n->op) {
  case OP_Relu: return RT_ACT_RELU;
  case OP_Sigmoid: return RT_ACT_SIGMOID;
  case OP_Tanh: return RT_ACT_TANH;
  case OP_HardSwish: return RT_ACT_HARD_SWISH;
  case OP_onnxcc_Silu: return RT_ACT_SILU;
  case OP_LeakyRelu: *a = attr_float(n, "alpha", 0.01f); return RT_ACT_LEAKY_RELU;
  case OP_HardSigmoid:
  case OP_onnxcc_MulHardSigmoid:
    *a = attr_float(n, "alpha", 0.2f);
    *b = attr_float(n, "beta", 0.5f);
    return n->op == OP_HardSigmoid ? RT_ACT_HARD_SIGMOID : RT_ACT_MUL_HARD_SIGMOID;
  case OP_Gelu: {
    const char *approx = attr_string(n, "approximate", "none");
    return strcmp(approx, "none") == 0 ? RT_ACT_GELU : strcmp(approx, "tanh") == 0 ? RT_ACT_GELU_TANH : -1;
  }
  case OP_Clip: {
    int k;
    op_ctx c;
    for (k = 1; k < n->n_in && k < 3; k++)
      if (n->in[k] >= 0 && !g->values[n->in[k]]->t.data) return -1;
    memset(&c, 0, sizeof c);
    c.g = (ir_graph *)g;
    c.n = (ir_node *)n;
    c.opset = op_node_opset(g, n);
    op_clip_float_bounds(&c, a, b);
    return RT_ACT_CLIP;
  }
  default: return -1;
  }
}

static int is_graph_output(const ir_graph *g, int v) {
  int i;
  for (i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == v) return 1;
  return 0;
}

/* An inference BatchNormalization of float X and parameters
 * (rt_batchnorm_f32, the variant that applies an activation): densenet's
 * pre-activation BN -> Relu, which no conv can absorb (the Relu stands
 * between), was one more pass over each BN's output. */
static int bn_takes_activation(const ir_graph *g, const ir_node *p) {
  int k;
  if (p->n_in < 5 || (op_node_opset(g, p) >= 14 && attr_int(p, "training_mode", 0) != 0)) return 0;
  for (k = 0; k < 5; k++)
    if (p->in[k] < 0 || g->values[p->in[k]]->t.dtype != DT_FLOAT) return 0;
  return 1;
}

/* The Conv, Gemm or MatMul whose output v is and whose epilogue may still
 * grow by a residual (want_residual) or an activation, or a
 * BatchNormalization that may take an activation: v is float, read once
 * (by the node being fused) and no graph output. NULL otherwise. */
static ir_node *fusable_producer(const ir_graph *g, int v, int want_residual) {
  const ir_value *val = ir_val(g, v);
  ir_node *p;
  if (!val || val->producer < 0 || val->uses != 1 || val->t.dtype != DT_FLOAT || val->t.data ||
      is_graph_output(g, v))
    return NULL;
  p = g->nodes[val->producer];
  if (p->dead || p->n_out != 1 || p->out[0] != v) return NULL;
  if (p->op == OP_BatchNormalization ? want_residual || !bn_takes_activation(g, p)
                                     : p->op != OP_Conv && p->op != OP_Gemm && p->op != OP_MatMul)
    return NULL;
  if (ir_attr_find(p, ATTR_ACT)) return NULL; /* an activation ends the epilogue */
  if (want_residual && ir_attr_find(p, ATTR_RESIDUAL)) return NULL;
  return p;
}

/* p (at index pi) now computes consumer c's output in c's place (index
 * ci, after pi); c dies. */
static void take_over(ir_graph *g, ir_node *p, int pi, ir_node *c, int ci) {
  g->values[p->out[0]]->producer = -1;
  p->out[0] = c->out[0];
  c->dead = 1;
  g->nodes[pi] = c;
  g->nodes[ci] = p;
  g->values[p->out[0]]->producer = ci;
}

/* Add(v, r) or Add(r, v), v from a fusable node, r of the same type and
 * shape as v and the sum: r becomes the node's residual input. */
static int try_residual(ir_graph *g, ir_node *add, int ci) {
  const ir_value *y;
  int k;
  if (add->op != OP_Add || add->n_in != 2 || add->n_out != 1 || add->in[0] < 0 || add->in[1] < 0 ||
      add->in[0] == add->in[1] || add->out[0] < 0)
    return 0;
  y = g->values[add->out[0]];
  for (k = 0; k < 2; k++) {
    ir_node *p = fusable_producer(g, add->in[k], 1);
    const ir_value *r = g->values[add->in[1 - k]];
    const int pi = p ? g->values[add->in[k]]->producer : -1, slot = p ? residual_slot(p) : 0;
    if (!p || !op_same_type_and_shape(&r->t, &y->t) || !op_same_type_and_shape(&g->values[add->in[k]]->t, &y->t))
      continue;
    if (p->n_in <= slot) {
      int j;
      p->in = xrealloc(p->in, sizeof(int) * (size_t)(slot + 1));
      for (j = p->n_in; j < slot; j++) p->in[j] = -1;
      p->n_in = slot + 1;
    }
    p->in[slot] = add->in[1 - k];
    ir_attr_add(p, ATTR_RESIDUAL, ATTR_INT)->i = 1;
    take_over(g, p, pi, add, ci);
    return 1;
  }
  return 0;
}

static int try_activation(ir_graph *g, ir_node *n, int ci) {
  ir_node *p;
  float a, b;
  int kind;
  if (n->n_in < 1 || n->n_out != 1 || n->out[0] < 0 || g->values[n->out[0]]->t.dtype != DT_FLOAT) return 0;
  if ((kind = act_kind(g, n, &a, &b)) < 0 || !(p = fusable_producer(g, n->in[0], 0))) return 0;
  ir_attr_add(p, ATTR_ACT, ATTR_INT)->i = kind;
  ir_attr_add(p, ATTR_ACT_A, ATTR_FLOAT)->f = a;
  ir_attr_add(p, ATTR_ACT_B, ATTR_FLOAT)->f = b;
  take_over(g, p, g->values[n->in[0]]->producer, n, ci);
  return 1;
}

status pass_fuse_epilogue(ir_graph *g) {
  int i, changed = 0;
  ir_count_uses(g);
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead) changed |= try_residual(g, n, i) || try_activation(g, n, i);
  }
  if (changed) ir_compact(g);
  return ST_OK;
}

status op_lower_epilogue(const op_ctx *c, int32_t *act, float *a, float *b, int32_t *has_residual) {
  const ir_attr *kind = ir_attr_find(c->n, ATTR_ACT);
  *act = kind ? (int32_t)kind->i : RT_ACT_NONE;
  *a = attr_float(c->n, ATTR_ACT_A, 0.0f);
  *b = attr_float(c->n, ATTR_ACT_B, 0.0f);
  *has_residual = attr_int(c->n, ATTR_RESIDUAL, 0) != 0;
  /* the pass fuses into float nodes only, whose kernels all apply it */
  if ((*act != RT_ACT_NONE || *has_residual) && op_out(c, 0)->t.dtype != DT_FLOAT)
    return diag_node_error(ST_INTERNAL, c->n, "a fused epilogue on a node that is not float");
  return ST_OK;
}
