/* fuse-silu: Mul(x, Sigmoid(x)) (SiLU, "swish": EfficientNet's and the
 * YOLO families' activation, as exporters write it) becomes one Silu node
 * of the compiler's own domain (ops.def), and Mul(x, HardSigmoid(x)) (the
 * hard swish of MobileNetV3 as exported before opset 14) one
 * MulHardSigmoid node with HardSigmoid's alpha and beta. Each kernel reads
 * x once and writes once: two passes over memory fewer, and no
 * intermediate tensor. Only when the Sigmoid's output feeds nothing else
 * and is not a graph output; the order of Mul's operands does not matter.
 * The kernels compute exactly what the two nodes did. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* The Sigmoid or HardSigmoid node that produces Mul input k from Mul's
 * other input, or NULL. */
static ir_node *sigmoid_of_other(const ir_graph *g, const ir_node *mul, int k) {
  const ir_value *s = ir_val(g, mul->in[k]);
  ir_node *sig;
  int i;
  if (!s || s->producer < 0 || s->uses != 1) return NULL;
  for (i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == mul->in[k]) return NULL;
  sig = g->nodes[s->producer];
  if ((sig->op != OP_Sigmoid && sig->op != OP_HardSigmoid) || sig->dead || sig->n_in != 1 ||
      sig->in[0] != mul->in[1 - k])
    return NULL;
  return sig;
}

static int try_fuse(ir_graph *g, ir_node *mul) {
  ir_node *sig = NULL;
  const ir_value *x;
  int k;
  if (mul->op != OP_Mul || mul->n_in != 2 || mul->n_out != 1 || mul->in[0] < 0 || mul->in[1] < 0) return 0;
  for (k = 0; k < 2 && !sig; k++) sig = sigmoid_of_other(g, mul, k);
  if (!sig) return 0;
  x = g->values[sig->in[0]];
  /* float or double: what the Silu kernels take; same shape, no broadcast */
  if ((x->t.dtype != DT_FLOAT && x->t.dtype != DT_DOUBLE) || x->t.data) return 0;
  sig->dead = 1;
  mul->in[0] = sig->in[0];
  mul->n_in = 1;
  free(mul->op_type);
  free(mul->domain);
  mul->domain = xstrdup("onnxcc");
  if (sig->op == OP_Sigmoid) {
    mul->op_type = xstrdup("Silu");
    mul->op = OP_onnxcc_Silu;
    return 1;
  }
  /* HardSigmoid's alpha and beta (or their defaults) move to the node */
  mul->op_type = xstrdup("MulHardSigmoid");
  mul->op = OP_onnxcc_MulHardSigmoid;
  ir_attr_add(mul, "alpha", ATTR_FLOAT)->f = attr_float(sig, "alpha", 0.2f);
  ir_attr_add(mul, "beta", ATTR_FLOAT)->f = attr_float(sig, "beta", 0.5f);
  return 1;
}

status pass_fuse_silu(ir_graph *g) { return rw_each_node(g, try_fuse); }
