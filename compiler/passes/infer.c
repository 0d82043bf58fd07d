/* Shape and type inference, with constant folding on the way.
 *
 * Nodes are visited in topological order. Each op's infer() sets its
 * outputs' dtypes and shapes. When every input of a node is constant, the
 * node is evaluated right away with the runtime kernel it lowers to, and
 * its outputs become constants. Folding has to happen here rather than in
 * a later pass: shapes can depend on values (Reshape's shape input is often
 * computed by Shape -> Gather -> Concat). */
#include <stdlib.h>
#include <string.h>

#include "../eval.h"
#include "../ops/ops.h"
#include "passes.h"

static int all_inputs_constant(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_in; k++)
    if (n->in[k] >= 0 && !g->values[n->in[k]]->t.data) return 0;
  return 1;
}

static int all_outputs_constant(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_out; k++)
    if (n->out[k] >= 0 && !g->values[n->out[k]]->t.data) return 0;
  return 1;
}

status pass_infer(ir_graph *g) {
  int i, k;
  status s;
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    op_ctx c = {g, n, g->opset};
    if (n->dead) continue;
    if (legalize_node(g, i)) {
      i--; /* visit the replacement nodes */
      continue;
    }
    for (k = 0; k < n->n_in; k++) {
      const ir_value *v = ir_val(g, n->in[k]);
      if (v && v->t.rank < 0)
        return diag_node_error(ST_INTERNAL, n, "input '%s' has no inferred shape", v->name);
    }
    s = op_handler(n->op)->infer(&c);
    if (s) return s;
    for (k = 0; k < n->n_out; k++) {
      const ir_value *v = ir_val(g, n->out[k]);
      if (v && (v->t.rank < 0 || dtype_size(v->t.dtype) == 0))
        return diag_node_error(ST_INTERNAL, n, "inference left output '%s' without a type", v->name);
    }
    if (!all_outputs_constant(g, n) && all_inputs_constant(g, n) && n->n_in > 0) {
      s = eval_node(&c);
      if (s) return s;
    }
    if (all_outputs_constant(g, n)) n->dead = 1;
  }
  ir_compact(g);
  return ST_OK;
}
