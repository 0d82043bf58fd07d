/* The nodes and constants a gradient is made of (grad.h). Every node has
 * one output, named after the Gradient node; the forward values a node
 * reads get a use more, so that folding one of the new nodes never frees
 * a constant another one still reads (the infer pass frees a constant
 * whose count of readers drops to zero). */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "grad.h"

static int new_value(grad_ctx *c) {
  char *hint = xasprintf("%s/grad", c->node->name);
  int v = ir_value_new(c->g, hint);
  free(hint);
  return v;
}

static void read_value(grad_ctx *c, int v) {
  if (v >= 0 && v < c->n_values) c->g->values[v]->uses++;
}

ir_node *ge_node(grad_ctx *c, const char *op, int n_in, int a, int b) {
  int y = new_value(c);
  ir_node *n = ir_node_add(c->g, c->g->values[y]->name, op, "");
  n->n_in = n_in;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = a;
  n->in[1] = b;
  read_value(c, a);
  if (n_in > 1) read_value(c, b);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = y;
  return n;
}

int ge_bin(grad_ctx *c, const char *op, int a, int b) { return ge_node(c, op, 2, a, b)->out[0]; }

int ge_unary(grad_ctx *c, const char *op, int a) { return ge_node(c, op, 1, a, -1)->out[0]; }

void ge_attr_int(ir_node *n, const char *name, int64_t v) { ir_attr_add(n, name, ATTR_INT)->i = v; }

void ge_attr_ints(ir_node *n, const char *name, int count, const int64_t *v) {
  ir_attr *a = ir_attr_add(n, name, ATTR_INTS);
  a->n = count;
  a->ints = xmalloc(sizeof(int64_t) * ((size_t)count + 1));
  if (count) memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
}

/* A constant value of the given type and shape, zero-filled. */
static ir_value *new_const(grad_ctx *c, int dtype, int rank, const int64_t *dims, int *id) {
  ir_value *v;
  *id = new_value(c);
  v = c->g->values[*id];
  v->t.dtype = dtype;
  v->t.rank = rank;
  if (rank) memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank);
  v->t.data = xcalloc(1, tensor_bytes(&v->t) + 8);
  return v;
}

int ge_fill(grad_ctx *c, int rank, const int64_t *dims, double x) {
  ir_tensor zero;
  memset(&zero, 0, sizeof zero);
  zero.rank = rank;
  if (rank) memcpy(zero.dims, dims, sizeof(int64_t) * (size_t)rank);
  /* tensor_double reads 0 from a tensor without data */
  return ge_shifted(c, &zero, x);
}

int ge_scalar(grad_ctx *c, double x) { return ge_fill(c, 0, NULL, x); }

int ge_shifted(grad_ctx *c, const ir_tensor *src, double add) {
  int id;
  ir_value *v = new_const(c, c->dtype, src->rank, src->dims, &id);
  int64_t i, n = tensor_numel(&v->t);
  for (i = 0; i < n; i++) {
    double x = tensor_double(src, i) + add;
    if (c->dtype == DT_DOUBLE) ((double *)v->t.data)[i] = x;
    else ((float *)v->t.data)[i] = (float)x;
  }
  return id;
}

int ge_ints(grad_ctx *c, int count, const int64_t *x) {
  int64_t dims[1];
  int id;
  ir_value *v;
  dims[0] = count;
  v = new_const(c, DT_INT64, 1, dims, &id);
  if (count) memcpy(v->t.data, x, sizeof(int64_t) * (size_t)count);
  return id;
}

int ge_same_shape(const ir_tensor *a, const ir_tensor *b) {
  return a->rank == b->rank && (a->rank == 0 || memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0);
}

int ge_reshape(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to) {
  if (ge_same_shape(from, to)) return d;
  return ge_bin(c, "Reshape", d, ge_ints(c, to->rank, to->dims));
}

int ge_expand(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to) {
  if (ge_same_shape(from, to)) return d;
  return ge_bin(c, "Expand", d, ge_ints(c, to->rank, to->dims));
}

int ge_transpose(grad_ctx *c, int d, int rank, const int64_t *perm) {
  ir_node *n = ge_node(c, "Transpose", 1, d, -1);
  ge_attr_ints(n, "perm", rank, perm);
  return n->out[0];
}

int ge_swap_last(grad_ctx *c, int d, int rank) {
  int64_t perm[IR_MAX_RANK];
  int k;
  for (k = 0; k < rank; k++) perm[k] = k;
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return ge_transpose(c, d, rank, perm);
}

int ge_reduce_keep(grad_ctx *c, int d, int n_axes, const int64_t *axes) {
  ir_node *n;
  if (c->opset >= 13) {
    n = ge_node(c, "ReduceSum", 2, d, ge_ints(c, n_axes, axes));
  } else {
    n = ge_node(c, "ReduceSum", 1, d, -1);
    ge_attr_ints(n, "axes", n_axes, axes);
  }
  ge_attr_int(n, "keepdims", 1);
  return n->out[0];
}

int ge_unbroadcast(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to) {
  int64_t axes[IR_MAX_RANK];
  ir_tensor kept = *from;
  int n = 0, k, lead = from->rank - to->rank;
  if (ge_same_shape(from, to)) return d;
  /* the leading axes `to` lacks, and those where it had a 1 the others
   * stretched */
  for (k = 0; k < from->rank; k++)
    if (k < lead || (to->dims[k - lead] == 1 && from->dims[k] != 1)) {
      axes[n++] = k;
      kept.dims[k] = 1;
    }
  if (n) d = ge_reduce_keep(c, d, n, axes);
  return ge_reshape(c, d, &kept, to);
}
