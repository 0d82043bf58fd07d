/* The lower pass: records on every node which kernel variant runs and with
 * which parameters (n->low). The op's family chooses the variant from the
 * node's attributes, types and shapes; the graph's backend then keeps it
 * or swaps in its own, and says how much scratch memory it needs. After
 * this pass the graph must not change: the planner and the backend read
 * the lowering as it is. */
#include <stdlib.h>

#include "../../codegen/text.h"
#include "../backend.h"
#include "../dimexpr.h"
#include "../ops/ops.h"
#include "passes.h"

status pass_lower(ir_graph *g) {
  const backend *b = g->backend ? g->backend : &backends[0];
  int i;
  status s;
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    op_ctx c = {g, n, op_node_opset(g, n), 1};
    if (n->low) { /* lowered before (a second run): start over */
      lowered_free(n->low);
      free(n->low);
    }
    n->low = xcalloc(1, sizeof *n->low);
    n->low->kernel = n->low->view_of = n->low->inplace_of = n->low->prepare = -1;
    s = op_handler(n->op)->lower(&c, n->low);
    if (!s) s = b->select(g, n);
    if (s) return s;
    n->low->scratch_bytes = b->scratch(g, n);
    if (n->low->control) { /* the bodies are lowered for the same backend */
      int k;
      for (k = 0; k < n->n_attr && !s; k++)
        if (n->attr[k].graph) {
          n->attr[k].graph->backend = g->backend;
          s = pass_lower(n->attr[k].graph);
        }
      if (s) return s;
    }
  }
  return ST_OK;
}

/* " set .field[i]=expr ..." for the fields filled at run time. */
static void dump_binds(text *w, const ir_graph *g, const params_desc *d, const lowered_bind *b, int n) {
  int k, index;
  for (k = 0; k < n; k++) {
    const param_field *f = params_field_at(d, b[k].offset, &index);
    text_printf(w, " .%s", f ? f->name : "?");
    if (f && f->count) text_printf(w, "[%d]", index);
    text_puts(w, "=");
    dx_print(ir_dx(g), b[k].expr, w);
  }
}

void lower_dump_node(const ir_graph *g, const ir_node *n, void *file) {
  const kernel_info *k;
  const lowered *l = n->low;
  text w;
  int i;
  if (!l || !(k = kernel_get(l->kernel))) return;
  text_init(&w);
  if (l->prepare >= 0) {
    const kernel_info *q = kernel_get(l->prepare);
    text_printf(&w, "      -> %s {", q->name);
    params_print(&w, q->params, l->prepare_params);
    text_puts(&w, "}");
    if (l->n_prepare_binds) {
      text_puts(&w, " at run time:");
      dump_binds(&w, g, q->params, l->prepare_binds, l->n_prepare_binds);
    }
    text_puts(&w, "\n");
  }
  if (l->n_defines) {
    text_printf(&w, "      -> defines%s", l->defines_after ? " (found by the kernel)" : "");
    for (i = 0; i < l->n_defines; i++) text_printf(&w, " %s", ir_dx(g)->syms[l->defines[i]].name);
    text_puts(&w, "\n");
  }
  for (i = 0; i < n->n_checks; i++) {
    text_puts(&w, "      -> check ");
    dx_print(ir_dx(g), n->checks[2 * i], &w);
    text_puts(&w, " == ");
    dx_print(ir_dx(g), n->checks[2 * i + 1], &w);
    text_puts(&w, "\n");
  }
  text_printf(&w, "      -> %s {", k->name);
  params_print(&w, k->params, l->params);
  text_puts(&w, "}");
  if (l->n_binds) {
    text_puts(&w, " at run time:");
    dump_binds(&w, g, k->params, l->binds, l->n_binds);
  }
  if (n->low->scratch_bytes) text_printf(&w, " scratch %zu", n->low->scratch_bytes);
  if (n->low->view_of >= 0) text_printf(&w, " view-of-input %d", n->low->view_of);
  if (n->low->inplace_of >= 0) text_printf(&w, " in-place-over-input %d", n->low->inplace_of);
  text_puts(&w, "\n");
  fputs(w.buf, (FILE *)file);
  text_free(&w);
}
