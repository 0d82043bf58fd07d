/* Symbolic dims of IR tensors: the bridge between ir_tensor (bounds in
 * dims[], expression ids in sym[]) and the dim table (dimexpr.h). */
#include <stdlib.h>
#include <string.h>

#include "dimexpr.h"
#include "diag.h"
#include "ir.h"

int tensor_is_symbolic(const ir_tensor *t) {
  int d;
  for (d = 0; d < t->rank; d++)
    if (t->sym[d]) return 1;
  return 0;
}

dx_table *ir_dx(const ir_graph *g) {
  ir_graph *root = (ir_graph *)g;
  while (root->parent) root = root->parent;
  if (!root->dx) {
    root->dx = xcalloc(1, sizeof *root->dx);
    dx_init(root->dx);
  }
  return root->dx;
}

int ir_dim(const ir_graph *g, const ir_tensor *t, int d) {
  if (t->sym[d]) return t->sym[d] - 1;
  return dx_const(ir_dx(g), t->dims[d]);
}

void ir_set_dim(const ir_graph *g, ir_tensor *t, int d, int e) {
  dx_table *dx = ir_dx(g);
  int64_t v;
  if (dx_const_value(dx, e, &v)) {
    t->dims[d] = v;
    t->sym[d] = 0;
  } else {
    t->dims[d] = dx_upper(dx, e);
    t->sym[d] = e + 1;
  }
}

int ir_dims_product(const ir_graph *g, const ir_tensor *t, int from, int to) {
  dx_table *dx = ir_dx(g);
  int e = dx_const(dx, 1), d;
  for (d = from; d < to; d++) e = dx_mul(dx, e, ir_dim(g, t, d));
  return e;
}

void ir_set_symvals(ir_value *v, const int *exprs, int n) {
  free(v->symvals);
  v->symvals = NULL;
  if (!exprs) return;
  v->symvals = xmalloc(sizeof(int) * ((size_t)n + 1));
  if (n) memcpy(v->symvals, exprs, sizeof(int) * (size_t)n);
}
