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

#include "../checked.h"
#include "../dimexpr.h"
#include "../eval.h"
#include "../ir_box.h"
#include "../ops/schema_check.h"
#include "../ops/ops.h"
#include "grad.h"
#include "passes.h"

/* Sequences and optionals are never constants: their nodes always run in
 * the generated code (a node with no input at all, SequenceEmpty, too). */
static int all_inputs_constant(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_in; k++)
    if (n->in[k] >= 0 && (!g->values[n->in[k]]->t.data || ir_is_boxed(g->values[n->in[k]]))) return 0;
  for (k = 0; k < n->n_out; k++)
    if (ir_is_boxed(ir_val(g, n->out[k]))) return 0;
  return 1;
}

/* Outputs with run-time dims (counts the kernel finds, NonMaxSuppression's)
 * cannot be folded: eval_node would fill buffers sized for the bounds and
 * the actual dims would be lost. Such a node runs in the generated code. */
static int any_output_symbolic(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_out; k++)
    if (n->out[k] >= 0 && tensor_is_symbolic(&g->values[n->out[k]]->t)) return 1;
  return 0;
}

static int all_outputs_constant(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_out; k++)
    if (n->out[k] >= 0 && !g->values[n->out[k]]->t.data) return 0;
  return 1;
}

/* A dim that varies at run time must stay within 0..INT64_MAX at every
 * step of its expression: the generated code computes it in int64, and
 * buffers are sized by its upper bound. */
static status check_symbolic_dims(const ir_graph *g, const ir_node *n, const ir_value *v) {
  const dx_table *dx = ir_dx(g);
  int d;
  if (dx->overflow)
    return diag_node_error(ST_UNSUPPORTED, n, "the dims of output '%s' need values beyond the int64 range", v->name);
  for (d = 0; d < v->t.rank; d++)
    if (v->t.sym[d] && dx_lower(dx, v->t.sym[d] - 1) < 0)
      return diag_node_error(ST_INTERNAL, n, "dim %d of output '%s' could be negative at run time", d, v->name);
  return ST_OK;
}

/* Every output must have a type and a shape that passes ir_shape_check:
 * from here on sizes are computed without overflow checks. */
static status check_outputs(const ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_out; k++) {
    const ir_value *v = ir_val(g, n->out[k]);
    status s;
    if (!v) continue;
    if (v->t.rank < 0 || dtype_size(v->t.dtype) == 0)
      return diag_node_error(ST_INTERNAL, n, "inference left output '%s' without a type", v->name);
    s = check_symbolic_dims(g, n, v);
    if (s) return s;
    s = ir_check_output_shape(n, v);
    if (s) return s;
  }
  return ST_OK;
}

/* A node whose inputs were all constant has been folded: its inputs lose a
 * reader, and constants nobody reads any more are freed at once, so a chain
 * of folded nodes holds one or two intermediates, not all of them. */
static void release_inputs(ir_graph *g, const ir_node *n) {
  int k;
  for (k = 0; k < n->n_in; k++) {
    ir_value *v = ir_val(g, n->in[k]);
    if (!v) continue;
    if (--v->uses == 0 && v->t.data) ir_free_data(g, v);
  }
}

/* Evaluates the node if its results fit the folding budget; a node that
 * does not fit stays in the graph and runs in the generated code. */
static status fold(op_ctx *c) {
  ir_graph *g = c->g;
  const ir_node *n = c->n;
  int64_t total = 0, bytes;
  int k;
  for (k = 0; k < n->n_out; k++) {
    const ir_value *v = ir_val(g, n->out[k]);
    if (!v) continue;
    bytes = (int64_t)tensor_bytes(&v->t);
    if (bytes > g->fold_max_tensor || !ck_add(total, bytes, &total)) return ST_OK;
  }
  if (!ck_add(total, g->fold_live, &total) || total > g->fold_max_total) return ST_OK;
  return eval_node(c);
}

/* An input of node n that may have fewer leading 1-dims than its type
 * says (ir_value.rank_pad) is only read by a broadcasting op that another
 * input of at least that rank keeps from telling. */
static status check_rank_padded(const ir_graph *g, const ir_node *n) {
  int k, j;
  for (k = 0; k < n->n_in; k++) {
    const ir_value *v = ir_val(g, n->in[k]);
    int other = -1;
    /* CastLike reads its type only; Identity (an inlined If's output)
     * hands the doubt on (rank_pad_through) */
    if (!v || !v->rank_pad || (n->op == OP_CastLike && k == 1) || n->op == OP_Identity) continue;
    for (j = 0; j < n->n_in; j++) {
      const ir_value *w = ir_val(g, n->in[j]);
      if (j != k && w && w->t.rank > other) other = w->t.rank;
    }
    if (op_handler(n->op) != &op_family_binary || other < v->t.rank)
      return diag_node_error(ST_UNSUPPORTED, n,
                             "input '%s' has rank %d or %d depending on the branch its If takes, and %s's result "
                             "would differ; outputs whose shape depends on the branch taken are not supported yet",
                             v->name, v->t.rank, v->t.rank - v->rank_pad, n->op_type);
  }
  return ST_OK;
}

/* Identity's output has its input's doubt about the rank; what other
 * nodes make is exact (an If sets its outputs' own). */
static void rank_pad_through(const ir_graph *g, const ir_node *n) {
  int k;
  const ir_value *x = ir_val(g, n->n_in > 0 ? n->in[0] : -1);
  if (n->op == OP_If) return;
  for (k = 0; k < n->n_out; k++) {
    ir_value *y = ir_val(g, n->out[k]);
    if (y) y->rank_pad = n->op == OP_Identity && x ? x->rank_pad : 0;
  }
}

/* String tensors (or boxes of them) reach only the ops written for them
 * (op_takes_strings): other kernels would treat a slot as a number or a
 * blob of bytes of the wrong meaning. `out` picks outputs, else inputs. */
static status check_strings(const ir_graph *g, const ir_node *n, int out) {
  int k;
  if (op_takes_strings(n->op)) return ST_OK;
  for (k = 0; k < (out ? n->n_out : n->n_in); k++) {
    const ir_value *v = ir_val(g, out ? n->out[k] : n->in[k]);
    if (v && (ir_is_boxed(v) ? v->box.elem.dtype : v->t.dtype) == DT_STRING)
      return diag_node_error(ST_UNSUPPORTED, n, "%s '%s' holds strings, which %s does not take",
                             out ? "output" : "input", v->name, n->op_type);
  }
  return ST_OK;
}

/* Infers one node's outputs, and folds it when its inputs are constant. */
static status infer_node(ir_graph *g, ir_node *n) {
  op_ctx c = {g, n, op_node_opset(g, n), 0};
  status s;
  int k;
  for (k = 0; k < n->n_in; k++) {
    const ir_value *v = ir_val(g, n->in[k]);
    if (v && v->t.rank < 0) return diag_node_error(ST_INTERNAL, n, "input '%s' has no inferred shape", v->name);
    if (ir_is_boxed(v) && !op_handler(n->op)->boxed) {
      char buf[160];
      return diag_node_error(ST_BAD_MODEL, n, "input '%s' is %s; %s takes tensors", v->name,
                             ir_value_type_str(v, buf, sizeof buf), n->op_type);
    }
    if (v && tensor_is_symbolic(&v->t) && !op_handler(n->op)->symbolic) {
      char buf[160];
      return diag_node_error(ST_UNSUPPORTED, n,
                             "input '%s' is %s, with dims that vary at run time, and %s does not take such "
                             "inputs yet; pin the dims with --dim NAME=VALUE",
                             v->name, tensor_type_str(&v->t, buf, sizeof buf), n->op_type);
    }
  }
  if ((s = check_rank_padded(g, n)) != ST_OK || (s = check_strings(g, n, 0)) != ST_OK) return s;
  /* inference may run again (If inlining): its checks are made afresh */
  free(n->checks);
  n->checks = NULL;
  n->n_checks = 0;
  s = op_handler(n->op)->infer(&c);
  if (!s) s = check_strings(g, n, 1);
  if (s) return s;
  s = check_outputs(g, n);
  if (s) return s;
  rank_pad_through(g, n);
  symvals_propagate(g, n);
  if (!all_outputs_constant(g, n) && all_inputs_constant(g, n) && n->n_in > 0 && !any_output_symbolic(g, n)) {
    s = fold(&c);
    if (s) return s;
  }
  if (all_outputs_constant(g, n)) {
    n->dead = 1;
    release_inputs(g, n);
  }
  return ST_OK;
}

/* Infers node n; when its family refuses its float16 / bfloat16 inputs,
 * computes it in float instead (widen_half.c). The node is first tried
 * as it is, quietly: if it fails for another reason, or the float node
 * fails as well, it is inferred again aloud so that the message is the
 * one about the model's own node. */
static status infer_or_widen(ir_graph *g, ir_node *n) {
  int half = widen_half_type(g, n), first, j;
  ir_node *wide;
  status s;
  if (!half) return infer_node(g, n);
  diag_set_quiet_push();
  s = infer_node(g, n);
  diag_set_quiet_pop();
  if (s != ST_UNSUPPORTED) return s ? infer_node(g, n) : ST_OK;
  first = g->n_nodes;
  wide = widen_half_begin(g, n, half);
  s = ST_OK;
  diag_set_quiet_push();
  for (j = first; j < g->n_nodes && !s; j++) {
    /* once its inputs are typed, the float node may need rewriting as the
     * model's nodes do (a float Mean becomes Adds and a Div; a half one
     * could not) */
    if (g->nodes[j] == wide) legalize_node(g, j);
    if (!g->nodes[j]->dead) s = infer_node(g, g->nodes[j]);
  }
  diag_set_quiet_pop();
  if (s) {
    widen_half_undo(g, n, wide, first);
    return infer_node(g, n);
  }
  first = g->n_nodes;
  widen_half_finish(g, n, wide, half);
  for (j = first; j < g->n_nodes && !s; j++) s = infer_node(g, g->nodes[j]);
  return s;
}

/* Puts the nodes legalize appended (after n_orig) before the node each
 * replaces: added[i] is where node i's additions start, or -1. */
static void place_added(ir_graph *g, int n_orig, const int *added) {
  ir_node **order = xmalloc(sizeof *order * ((size_t)g->n_nodes + 1));
  int i, k = 0, j;
  for (i = 0; i < n_orig; i++) {
    if (added[i] >= 0) {
      int end = i + 1 < n_orig ? added[i + 1] : g->n_nodes;
      for (j = i + 1; end < 0 && j < n_orig; j++) end = added[j];
      if (end < 0) end = g->n_nodes;
      for (j = added[i]; j < end; j++) order[k++] = g->nodes[j];
    }
    order[k++] = g->nodes[i];
  }
  memcpy(g->nodes, order, sizeof *order * (size_t)k);
  free(order);
}

static status infer_once(ir_graph *g) {
  int i, j, n_orig = g->n_nodes, any_added = 0;
  int *added = xmalloc(sizeof(int) * ((size_t)n_orig + 1));
  status s = ST_OK;
  ir_count_uses(g);
  for (i = 0; i < n_orig && !s && !g->infer_again; i++) {
    ir_node *n = g->nodes[i];
    int first = g->n_nodes;
    added[i] = -1;
    if (n->dead) continue;
    /* The model's node is held to its schema before legalize rewrites it;
     * the nodes legalize makes are well-formed by construction, and so are
     * the compiler's own ops (no model can name them; they have no schema)
     * that a pass made before inference runs again. */
    if (op_domain(n->op) != OP_DOMAIN_onnxcc) s = schema_check_node(g, n, op_node_opset(g, n));
    if (s) break;
    /* Gradient becomes the nodes of its derivative (expand_gradient.c),
     * inferred and placed like legalize's */
    if (n->op == OP_training_Gradient) s = expand_gradient(g, i);
    else legalize_node(g, i);
    for (j = first; j < g->n_nodes && !s; j++) s = infer_node(g, g->nodes[j]);
    if (!s && !n->dead) s = infer_or_widen(g, n);
    if (g->n_nodes > first) {
      added[i] = first;
      any_added = 1;
    }
  }
  if (!s && any_added) place_added(g, n_orig, added);
  free(added);
  if (s) return s;
  ir_compact(g);
  return ST_OK;
}

/* Rounds of inference and If-inlining: an If whose condition folded to a
 * constant is replaced by its branch, whose nodes then need inferring (and
 * may fold further conditions). Bounded, so a chain of such Ifs cannot
 * make the compiler quadratic: Ifs left after the last round run as
 * branches in the generated code, which is just as correct. */
#define INLINE_ROUNDS_MAX 16

/* One round, run again while it turns model inputs into values read as
 * dims (symvals_request: at most once per input, as an input that has
 * symvals is not turned again). */
static status infer_round(ir_graph *g) {
  status s;
  int again;
  for (again = 0; again <= g->n_inputs; again++) {
    g->infer_again = 0;
    s = infer_once(g);
    if (s || !g->infer_again) return s;
  }
  return diag_error(ST_INTERNAL, "inference did not settle");
}

status pass_infer(ir_graph *g) {
  int round, k;
  status s = infer_round(g);
  for (round = 0; !s && round < INLINE_ROUNDS_MAX && inline_constant_ifs(g); round++) s = infer_round(g);
  /* an If's branch hands such an output on to the If (control.c), which
   * decides; any other graph cannot give one out */
  for (k = 0; !s && !(g->owner && g->owner->op == OP_If) && k < g->n_outputs; k++) {
    const ir_value *v = ir_val(g, g->outputs[k]);
    if (v && v->rank_pad)
      s = diag_error(ST_UNSUPPORTED, "%s output '%s' has rank %d or %d depending on the branch an If takes; outputs "
                     "whose shape depends on the branch taken are not supported yet",
                     g->parent ? "subgraph" : "graph", v->name, v->t.rank, v->t.rank - v->rank_pad);
  }
  return s;
}
