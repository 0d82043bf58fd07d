/* Gradient (ai.onnx.preview.training) has no kernel: the infer pass
 * replaces each node by the nodes of its derivative before inferring it
 * (passes/expand_gradient.c), so these handlers are reached only if that
 * went wrong. */
#include "ops.h"

static status not_expanded(const op_ctx *c) {
  return diag_node_error(ST_INTERNAL, c->n, "Gradient should have been expanded into its derivative before this");
}

static status infer(op_ctx *c) { return not_expanded(c); }

static status lower(op_ctx *c, lowered *l) {
  (void)l;
  return not_expanded(c);
}

const op_family op_family_gradient = {infer, lower, 0, 0};
