#include "eval.h"

#include <stdlib.h>
#include <string.h>

status eval_node(op_ctx *c) {
  const ir_node *n = c->n;
  const void *in[64];
  void *out[64];
  void *scratch = NULL;
  lowered l;
  status s;
  int k;
  if (n->n_in > 64 || n->n_out > 64)
    return diag_node_error(ST_UNSUPPORTED, n, "too many inputs or outputs to evaluate");
  memset(&l, 0, sizeof l);
  l.kernel = l.view_of = l.inplace_of = -1;
  memset((void *)in, 0, sizeof in); /* slots past n_in/n_out must be NULL (RT_MIN_ARGS) */
  memset(out, 0, sizeof out);
  s = op_handler(n->op)->lower(c, &l);
  if (s) {
    lowered_free(&l);
    return s;
  }
  for (k = 0; k < n->n_in; k++) in[k] = n->in[k] >= 0 ? c->g->values[n->in[k]]->t.data : NULL;
  for (k = 0; k < n->n_out; k++) {
    ir_value *v = ir_val(c->g, n->out[k]);
    out[k] = NULL;
    if (!v) continue;
    if (!ir_fold_alloc(c->g, v)) {
      s = diag_node_error(ST_INTERNAL, n, "output '%s' does not fit the folding budget", v->name);
      lowered_free(&l);
      return s;
    }
    out[k] = v->t.data;
  }
  if (l.control) { /* If/Loop/Scan are not folded: they run in the generated code */
    lowered_free(&l);
    return ST_OK;
  }
  if (l.kernel < 0) {
    lowered_free(&l);
    return diag_node_error(ST_INTERNAL, n, "lowered to no kernel");
  }
  if (l.scratch_bytes) scratch = xcalloc(1, l.scratch_bytes);
  kernel_get(l.kernel)->fn(l.params, in, out, scratch);
  free(scratch);
  lowered_free(&l);
  return ST_OK;
}
