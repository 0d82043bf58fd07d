/* Reverse-mode differentiation for the Gradient op (ai.onnx.preview.training).
 *
 * gradient.c's pass ties each Gradient node to the forward nodes between
 * its xs / zs and y, so that it comes after them; the infer pass, on
 * reaching the node, calls expand_gradient, which appends ordinary ONNX
 * nodes computing dy/dx for each x (grad_rules.c, one rule per forward
 * op, built from grad_emit.c's helpers) and kills the Gradient node. The
 * infer pass then infers (and folds) the new nodes as it does legalize's
 * and puts them in place. */
#ifndef ONNXCC_GRAD_H
#define ONNXCC_GRAD_H

#include "../ir.h"

typedef struct grad_ctx {
  ir_graph *g;
  const ir_node *node;   /* the Gradient node: names and messages */
  int dtype;             /* y's element type, which every gradient has */
  int64_t opset;         /* the graph's default-domain opset (axes as input or attribute) */
  int n_values;          /* values of the forward graph: the arrays below cover them */
  int *grad;             /* per value: the value holding dy/dvalue so far, or -1 */
  unsigned char *dep;    /* per value: depends on an x, so a gradient flows into it */
  int *prod;             /* per value: its producer (a live one first), or -1 */
} grad_ctx;

/* Replaces Gradient node i by its derivative nodes (appended to g->nodes,
 * for the infer pass to infer and place before i) and marks it dead. An
 * op on the way it has no rule for is refused, naming the node and the op. */
status expand_gradient(ir_graph *g, int i);

/* ---- emission (grad_emit.c): every helper appends nodes and returns the
 * value holding the result ---- */

/* A new node `op` with inputs a (and b, when n_in is 2) and one output. */
ir_node *ge_node(grad_ctx *c, const char *op, int n_in, int a, int b);
int ge_bin(grad_ctx *c, const char *op, int a, int b);
int ge_unary(grad_ctx *c, const char *op, int a);
void ge_attr_int(ir_node *n, const char *name, int64_t v);
void ge_attr_ints(ir_node *n, const char *name, int count, const int64_t *v);
/* A constant of c->dtype and shape (rank, dims) with every element v. */
int ge_fill(grad_ctx *c, int rank, const int64_t *dims, double v);
int ge_scalar(grad_ctx *c, double v);
/* A constant of c->dtype shaped like constant src, each element src's
 * plus `add` (Pow's exponent p and p - 1). */
int ge_shifted(grad_ctx *c, const ir_tensor *src, double add);
/* A 1-D int64 constant (shapes, axes). */
int ge_ints(grad_ctx *c, int count, const int64_t *v);
int ge_same_shape(const ir_tensor *a, const ir_tensor *b);
/* d (of shape from) reshaped / broadcast to shape `to`; d when they agree. */
int ge_reshape(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to);
int ge_expand(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to);
int ge_transpose(grad_ctx *c, int d, int rank, const int64_t *perm);
/* The last two axes of a rank-`rank` value swapped. */
int ge_swap_last(grad_ctx *c, int d, int rank);
/* ReduceSum over `axes`, keeping them as 1s (axes as an input from opset
 * 13, an attribute before). */
int ge_reduce_keep(grad_ctx *c, int d, int n_axes, const int64_t *axes);
/* Undoes numpy broadcasting: d, of shape `from`, summed down to shape `to`
 * (the input a broadcasting op read). */
int ge_unbroadcast(grad_ctx *c, int d, const ir_tensor *from, const ir_tensor *to);

/* ---- rules (grad_rules.c) ---- */

/* Adds forward node n's contribution to the gradients of its inputs that
 * depend on an x, from the gradient of its output. */
status grad_rule(grad_ctx *c, const ir_node *n);
/* The error for a forward node no rule covers, naming the Gradient node
 * and the op. */
status grad_rule_refuse(const grad_ctx *c, const ir_node *n);
/* grad[v] += d (a new Add when v already has a gradient). */
void grad_accumulate(grad_ctx *c, int v, int d);

#endif
