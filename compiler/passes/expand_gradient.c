/* The Gradient op of ai.onnx.preview.training, as a compile-time
 * expansion (grad.h).
 *
 * Gradient(xs, zs; y) reads the xs and zs, not y: nothing ties it to the
 * forward nodes between them and y, so the loader's order may put it
 * first, and constant folding could free values its derivative reads.
 * pass_gradient (before infer) gives the node, for the time until infer
 * expands it, every value of that forward part as an extra input: the
 * sort puts it after them, and folding keeps them while it reads them.
 * expand_gradient (called by infer on reaching it, when every forward
 * value has its shape) walks back from y and appends the derivative.
 *
 * y need not be a scalar: the seed dy/dy is all ones, so each output is
 * the gradient of the sum of y's elements (the usual meaning, and the
 * Jacobian-vector product with ones). Gradient's inputs must be the
 * values xs and zs name: evaluating the forward part at other values
 * would need a copy of it, which onnxcc does not make yet. */
#include <stdlib.h>
#include <string.h>

#include "../ir_box.h"
#include "../load.h"
#include "../ops/ops.h"
#include "grad.h"
#include "passes.h"

/* The names in xs, zs and y; ST_OK or an error naming the node. */
typedef struct grad_names {
  const ir_attr *xs, *zs;
  const char *y;
} grad_names;

static int n_names(const ir_attr *a) { return a ? a->n : 0; }

static const char *name_at(const grad_names *w, int k) {
  int nx = n_names(w->xs);
  return k < nx ? w->xs->strings[k] : w->zs->strings[k - nx];
}

static status read_names(const ir_graph *g, const ir_node *n, grad_names *w) {
  int k;
  w->xs = ir_attr_find(n, "xs");
  w->zs = ir_attr_find(n, "zs");
  w->y = attr_string(n, "y", NULL);
  if (!w->xs || w->xs->type != ATTR_STRINGS || w->xs->n < 1 || !w->y || (w->zs && w->zs->type != ATTR_STRINGS))
    return diag_node_error(ST_BAD_MODEL, n, "Gradient needs the attributes xs (names) and y (a name)");
  /* (the gradient pass checks that there are no more, before adding its own) */
  if (n->n_in < n_names(w->xs) + n_names(w->zs))
    return diag_node_error(ST_BAD_MODEL, n, "Gradient has %d inputs for %d names in xs and zs", n->n_in,
                           n_names(w->xs) + n_names(w->zs));
  if (n->n_out > n_names(w->xs))
    return diag_node_error(ST_BAD_MODEL, n, "Gradient has %d outputs for %d names in xs", n->n_out, n_names(w->xs));
  if (ir_find(g, w->y) < 0) return diag_node_error(ST_BAD_MODEL, n, "y names '%s', which no node computes", w->y);
  for (k = 0; k < n_names(w->xs) + n_names(w->zs); k++) {
    int v = ir_find(g, name_at(w, k));
    if (v < 0) return diag_node_error(ST_BAD_MODEL, n, "xs or zs names '%s', which the graph lacks", name_at(w, k));
    if (n->in[k] != v)
      return diag_node_error(ST_UNSUPPORTED, n,
                             "input %d is not '%s', the value xs / zs names there; gradients at other values "
                             "than the forward graph's are not supported yet",
                             k, name_at(w, k));
  }
  return ST_OK;
}

/* Per value: its producer, a live one before a dead one (a node legalize
 * replaced, or one folded away, leaves the value to another or to data). */
static int *producers(const ir_graph *g, const ir_node *skip) {
  int *prod = xmalloc(sizeof(int) * ((size_t)g->n_values + 1));
  int i, k;
  for (i = 0; i < g->n_values; i++) prod[i] = -1;
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *m = g->nodes[i];
    if (m == skip) continue;
    for (k = 0; k < m->n_out; k++) {
      int v = m->out[k];
      if (v >= 0 && (prod[v] < 0 || (g->nodes[prod[v]]->dead && !m->dead))) prod[v] = i;
    }
  }
  return prod;
}

/* The nodes y is computed by, back to the xs and zs (`stop`), in an order
 * where each comes after those it reads (depth first, without recursion:
 * a long chain must not overflow the stack). Returns their count. */
static int forward_nodes(const ir_graph *g, const int *prod, const unsigned char *stop, int y, int *order) {
  int *stack = xmalloc(sizeof(int) * 2 * ((size_t)g->n_nodes + 1));
  unsigned char *seen = xcalloc((size_t)g->n_nodes + 1, 1);
  int top = 0, count = 0;
  if (!stop[y] && prod[y] >= 0) {
    stack[0] = prod[y];
    stack[1] = 0;
    seen[prod[y]] = 1;
    top = 1;
  }
  while (top > 0) {
    int node = stack[2 * (top - 1)], *next = &stack[2 * (top - 1) + 1];
    const ir_node *m = g->nodes[node];
    if (*next < m->n_in) {
      int v = m->in[(*next)++];
      if (v >= 0 && !stop[v] && prod[v] >= 0 && !seen[prod[v]]) {
        seen[prod[v]] = 1;
        stack[2 * top] = prod[v];
        stack[2 * top + 1] = 0;
        top++;
      }
    } else {
      order[count++] = node;
      top--;
    }
  }
  free(stack);
  free(seen);
  return count;
}

/* ---- before infer: tie each Gradient node to its forward part ---- */

static status tie(ir_graph *g, ir_node *n) {
  grad_names w;
  unsigned char *stop, *mark;
  int *prod, *order, count, i, k, extra = 0;
  status s = read_names(g, n, &w);
  if (s) return s;
  /* exactly the xs then the zs: more inputs would name nothing */
  if (n->n_in != n_names(w.xs) + n_names(w.zs))
    return diag_node_error(ST_BAD_MODEL, n, "Gradient has %d inputs for %d names in xs and zs", n->n_in,
                           n_names(w.xs) + n_names(w.zs));
  ir_count_uses(g);
  prod = producers(g, n);
  stop = xcalloc((size_t)g->n_values + 1, 1);
  mark = xcalloc((size_t)g->n_values + 1, 1);
  for (k = 0; k < n_names(w.xs) + n_names(w.zs); k++) stop[n->in[k]] = 1;
  order = xmalloc(sizeof(int) * ((size_t)g->n_nodes + 1));
  count = forward_nodes(g, prod, stop, ir_find(g, w.y), order);
  mark[ir_find(g, w.y)] = 1;
  for (i = 0; i < count; i++)
    for (k = 0; k < g->nodes[order[i]]->n_in; k++)
      if (g->nodes[order[i]]->in[k] >= 0) mark[g->nodes[order[i]]->in[k]] = 1;
  for (i = 0; i < g->n_values; i++) extra += mark[i];
  n->in = xrealloc(n->in, sizeof(int) * ((size_t)n->n_in + (size_t)extra + 1));
  for (i = 0; i < g->n_values; i++)
    if (mark[i]) n->in[n->n_in++] = i;
  free(prod);
  free(stop);
  free(mark);
  free(order);
  return ST_OK;
}

static status tie_graph(ir_graph *g) {
  int i, k, any = 0;
  status s = ST_OK;
  for (i = 0; i < g->n_nodes && !s; i++) {
    ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_attr && !s; k++)
      if (n->attr[k].graph) s = tie_graph(n->attr[k].graph);
    if (!s && n->op == OP_training_Gradient) {
      s = tie(g, n);
      any = 1;
    }
  }
  return s || !any ? s : ir_toposort(g);
}

status pass_gradient(ir_graph *g) { return tie_graph(g); }

/* ---- in infer: the derivative ---- */

/* Which forward values depend on an x (through float values: an integer
 * one, a shape, carries no gradient), and the types Gradient takes. */
static status mark_dependent(grad_ctx *c, const grad_names *w, const int *order, int count) {
  const ir_graph *g = c->g;
  int i, k, j;
  for (k = 0; k < n_names(w->xs); k++) {
    const ir_value *x = g->values[c->node->in[k]];
    if (x->t.dtype != c->dtype)
      return diag_node_error(ST_UNSUPPORTED, c->node, "x '%s' is %s and y is %s; Gradient takes xs of y's type",
                             x->name, dtype_name(x->t.dtype), dtype_name(c->dtype));
    c->dep[c->node->in[k]] = 1;
  }
  for (i = 0; i < count; i++) {
    const ir_node *m = g->nodes[order[i]];
    int d = 0;
    for (k = 0; k < m->n_in; k++) d |= m->in[k] >= 0 && c->dep[m->in[k]];
    for (j = 0; d && j < m->n_out; j++) {
      const ir_value *v = ir_val(g, m->out[j]);
      if (!v || (!ir_is_boxed(v) && !dtype_is_float(v->t.dtype))) continue;
      /* a sequence's bytes are not its elements: no gradient can flow
       * through one, and dropping it would give zeros that are wrong */
      if (tensor_is_symbolic(&v->t) || ir_is_boxed(v))
        return diag_node_error(ST_UNSUPPORTED, c->node, "'%s' has dims that vary at run time or is not a tensor; "
                               "Gradient differentiates tensors of fixed shapes only", v->name);
      c->dep[m->out[j]] = 1;
    }
  }
  return ST_OK;
}

/* Runs the rules from y back; every node whose output has a gradient
 * and that reads a dependent value passes it on. */
static status backward(grad_ctx *c, int y, const int *order, int count) {
  const ir_value *yv = c->g->values[y];
  int i, k;
  status s = ST_OK;
  if (c->dep[y]) c->grad[y] = ge_fill(c, yv->t.rank, yv->t.dims, 1.0);
  for (i = count - 1; i >= 0 && !s; i--) {
    const ir_node *m = c->g->nodes[order[i]];
    int has = 0, reads = 0;
    for (k = 0; k < m->n_out; k++) has |= m->out[k] >= 0 && c->grad[m->out[k]] >= 0;
    for (k = 0; k < m->n_in; k++) reads |= m->in[k] >= 0 && c->dep[m->in[k]];
    if (!has || !reads) continue;
    if (m->n_out != 1) return grad_rule_refuse(c, m);
    s = grad_rule(c, m);
  }
  return s;
}

/* Output k of the Gradient node: x's gradient, or zeros where y does not
 * depend on x. */
static void give_outputs(grad_ctx *c, const ir_node *n, int nx) {
  int k;
  for (k = 0; k < n->n_out && k < nx; k++) {
    const ir_value *x = c->g->values[n->in[k]];
    int d = c->grad[n->in[k]];
    ir_node *id;
    if (n->out[k] < 0) continue;
    if (d < 0) d = ge_fill(c, x->t.rank, x->t.dims, 0.0);
    id = ge_node(c, "Identity", 1, d, -1);
    id->out[0] = n->out[k];
  }
}

status expand_gradient(ir_graph *g, int i) {
  ir_node *n = g->nodes[i];
  grad_names w;
  grad_ctx c;
  unsigned char *stop;
  int *order, count, y, k;
  status s;
  memset(&c, 0, sizeof c);
  s = read_names(g, n, &w);
  if (s) return s;
  y = ir_find(g, w.y);
  /* the values this round of inference made (an earlier Gradient's, or
   * legalize's) have no readers counted yet: a fold of one of the new
   * nodes must not take such a value for unread and free it */
  ir_count_uses(g);
  c.g = g;
  c.node = n;
  c.dtype = g->values[y]->t.dtype;
  c.opset = op_graph_opset(g, OP_DOMAIN_onnx);
  c.n_values = g->n_values;
  if (c.dtype != DT_FLOAT && c.dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, n, "y '%s' is %s; Gradient differentiates float and double", w.y,
                           dtype_name(c.dtype));
  c.grad = xmalloc(sizeof(int) * ((size_t)c.n_values + 1));
  for (k = 0; k < c.n_values; k++) c.grad[k] = -1;
  c.dep = xcalloc((size_t)c.n_values + 1, 1);
  c.prod = producers(g, n);
  stop = xcalloc((size_t)c.n_values + 1, 1);
  for (k = 0; k < n_names(w.xs) + n_names(w.zs); k++) stop[n->in[k]] = 1;
  order = xmalloc(sizeof(int) * ((size_t)g->n_nodes + 1));
  count = forward_nodes(g, c.prod, stop, y, order);
  s = mark_dependent(&c, &w, order, count);
  if (!s) s = backward(&c, y, order, count);
  if (!s) give_outputs(&c, n, n_names(w.xs));
  n->dead = 1;
  free(c.grad);
  free(c.dep);
  free(c.prod);
  free(stop);
  free(order);
  return s;
}
