/* Half precision through float: a node whose float16 or bfloat16 inputs
 * its family has no kernel for is computed in float. Each half input is
 * cast to float (exact), a float copy of the node computes, and each
 * float output is cast back to the half type (rounded once, to nearest
 * even) into the value the model names; other outputs (indices, bools,
 * shapes) pass through an Identity, which the elide pass removes.
 *
 * This is the spec's own model for these types ("compute in float, round
 * once") and what ONNX Runtime does for most of them, so one rewrite
 * covers every op instead of a half variant per kernel. Kernels that do
 * have half variants (Cast, Max/Min/Mod, data movement) are kept: the
 * infer pass only widens a node whose infer refused it as unsupported.
 * The rewrite runs in three steps so that infer.c can try the float node
 * and, if that fails too, restore the model's node and report its own
 * message. */
#include <stdlib.h>
#include <string.h>

#include "../ir_box.h"
#include "../ops/ops.h"
#include "passes.h"

int widen_half_type(const ir_graph *g, const ir_node *n) {
  int k, half = 0;
  const ir_attr *stash = ir_attr_find(n, "stash_type");
  if (n->n_implicit > 0 || n->op < 0) return 0;
  /* a node that asks for another precision in between is not ours to
   * widen (Range's and the normalizations' stash_type; float is theirs
   * by default) */
  if (stash && stash->i != DT_FLOAT) return 0;
  for (k = 0; k < n->n_attr; k++)
    if (n->attr[k].graph) return 0; /* its subgraph's owner is n */
  for (k = 0; k < n->n_in; k++) {
    const ir_value *v = ir_val(g, n->in[k]);
    int dt;
    if (!v) continue;
    if (ir_is_boxed(v)) return 0;
    dt = v->t.dtype;
    /* a float input next to half ones: which type the outputs take is
     * not a question this rewrite can answer */
    if (dt == DT_FLOAT) return 0;
    if (dt == DT_FLOAT16 || dt == DT_BFLOAT16) {
      if (half && half != dt) return 0;
      half = dt;
    }
  }
  return half;
}

ir_node *widen_half_begin(ir_graph *g, ir_node *n, int half) {
  ir_node *wide;
  int k;
  for (k = 0; k < n->n_in; k++) {
    const ir_value *v = ir_val(g, n->in[k]);
    char *name;
    int y;
    if (!v || v->t.dtype != half) continue;
    name = xasprintf("%s/ToFloat%d", n->name, k);
    y = ir_value_new(g, name);
    legalize_add_cast(g, name, n->in[k], y, DT_FLOAT);
    free(name);
    n->in[k] = y;
  }
  wide = ir_node_add(g, n->name, n->op_type, n->domain);
  wide->n_in = n->n_in;
  wide->in = xmalloc(sizeof(int) * ((size_t)n->n_in + 1));
  memcpy(wide->in, n->in, sizeof(int) * (size_t)n->n_in);
  wide->n_out = n->n_out;
  wide->out = xmalloc(sizeof(int) * ((size_t)n->n_out + 1));
  for (k = 0; k < n->n_out; k++) {
    char *name = n->out[k] >= 0 ? xasprintf("%s/float", g->values[n->out[k]]->name) : NULL;
    wide->out[k] = name ? ir_value_new(g, name) : -1;
    free(name);
  }
  /* the attributes move: they are needed once, by whichever node stays */
  wide->attr = n->attr;
  wide->n_attr = n->n_attr;
  n->attr = NULL;
  n->n_attr = 0;
  return wide;
}

void widen_half_undo(ir_graph *g, ir_node *n, ir_node *wide, int first) {
  int j, k;
  n->attr = wide->attr;
  n->n_attr = wide->n_attr;
  wide->attr = NULL;
  wide->n_attr = 0;
  /* the casts' inputs are the model's values again */
  for (j = first; j < g->n_nodes; j++) {
    ir_node *m = g->nodes[j];
    m->dead = 1;
    for (k = 0; m != wide && k < n->n_in; k++)
      if (n->in[k] == m->out[0]) n->in[k] = m->in[0];
  }
}

void widen_half_finish(ir_graph *g, ir_node *n, const ir_node *wide, int half) {
  int k;
  for (k = 0; k < n->n_out; k++) {
    const ir_value *v = ir_val(g, wide->out[k]);
    char *name;
    if (!v) continue;
    name = xasprintf("%s/ToHalf%d", n->name, k);
    if (v->t.dtype == DT_FLOAT) {
      legalize_add_cast(g, name, wide->out[k], n->out[k], half);
    } else {
      ir_node *id = ir_node_add(g, name, "Identity", "");
      id->n_in = id->n_out = 1;
      id->in = xmalloc(sizeof(int));
      id->out = xmalloc(sizeof(int));
      id->in[0] = wide->out[k];
      id->out[0] = n->out[k];
    }
    free(name);
  }
  n->dead = 1;
}
