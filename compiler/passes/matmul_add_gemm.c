/* matmul-add-gemm: MatMul(A, B) then Add of a bias, with B a constant
 * matrix and the bias a constant that broadcasts to the product, becomes
 * Gemm(A, B, bias): the Linear layer as PyTorch exports it. The Gemm
 * kernel starts each tile from the bias row (or adds C as it stores), so
 * the product is not read and written a second time, and fuse-epilogue
 * (which runs after this pass) can still fold an activation after it into
 * the same node.
 *
 * A of rank 3 or more (a Linear layer on [batch, tokens, features]): Gemm
 * takes matrices only, and flattening A's leading dims would take a
 * Reshape pair around it. The MatMul keeps its place and its op instead,
 * and takes the bias as input 2 with the compiler's own attribute
 * "onnxcc.bias": its lowering (ops/gemm.c) runs the Gemm kernel on the
 * collapsed (rows x K) by (K x N) product with C = the bias row, and
 * fuse-epilogue puts a residual at input 3, Gemm's slot. Only for a bias
 * that is one row (every dim but the last exactly 1), the one broadcast
 * that flattening keeps.
 *
 * Only where the result is the same: B is rank 2, A rank 2 (or more, as
 * above), float or double (the Gemm kernels' types); the product has no
 * other reader and is no graph output; the sum has the product's shape
 * (the bias, of rank <= 2, does not widen it); Gemm's alpha and beta are
 * 1. The Gemm keeps the MatMul's place (its inputs are all produced by
 * then: the bias is a constant) and writes the Add's output. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* Whether constant t is one row: every dim but the last exactly 1. */
static int is_bias_row(const ir_tensor *t) {
  int d;
  for (d = 0; d + 1 < t->rank; d++)
    if (t->sym[d] || t->dims[d] != 1) return 0;
  return 1;
}

static int try_fuse(ir_graph *g, ir_node *add) {
  ir_node *mm;
  const ir_value *y, *p, *bias, *a;
  int k, mi;
  if (add->op != OP_Add || add->n_in != 2 || add->n_out != 1 || add->out[0] < 0) return 0;
  if (op_node_opset(g, add) < 7) return 0; /* Gemm before 7 broadcast C only with its attribute */
  y = g->values[add->out[0]];
  for (k = 0; k < 2; k++) {
    if (!(mm = rw_sole_producer(g, add->in[k], OP_MatMul)) || mm->n_in != 2 || mm->n_out != 1) continue;
    p = g->values[add->in[k]];
    bias = ir_val(g, add->in[1 - k]);
    a = mm->in[0] >= 0 ? g->values[mm->in[0]] : NULL;
    if ((p->t.dtype != DT_FLOAT && p->t.dtype != DT_DOUBLE) || p->t.rank < 2 || !bias || !bias->t.data ||
        bias->t.rank > 2 || !op_same_type_and_shape(&p->t, &y->t) || !a || a->t.rank != p->t.rank ||
        !rw_const(g, mm, 1, p->t.dtype) || g->values[mm->in[1]]->t.rank != 2)
      continue;
    if (p->t.rank > 2 && !is_bias_row(&bias->t)) continue;
    mi = p->producer;
    if (p->t.rank == 2) {
      rw_set_op(mm, "Gemm", OP_Gemm);
    } else {
      rw_set_int(mm, "onnxcc.bias", 1);
    }
    rw_set_input(g, mm, 2, add->in[1 - k]);
    g->values[add->in[0]]->uses--;
    g->values[add->in[1]]->uses--;
    rw_take_output(g, mm, mi, add);
    return 1;
  }
  return 0;
}

status pass_matmul_add_gemm(ir_graph *g) { return rw_each_node(g, try_fuse); }
