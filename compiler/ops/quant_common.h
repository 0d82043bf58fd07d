/* Small checks the quantization families (quant.c, msquant.c) and the
 * fuse-qdq pass share. */
#ifndef ONNXCC_QUANT_COMMON_H
#define ONNXCC_QUANT_COMMON_H

#include "ops.h"

/* The operand types of the integer products (and their kernels). */
static inline int is_8bit(int dt) { return dt == DT_INT8 || dt == DT_UINT8; }

/* A scale or zero point that holds one value: a scalar or one element. */
static inline int is_single(const ir_tensor *t) {
  return t->rank <= 1 && !tensor_is_symbolic(t) && tensor_numel(t) == 1;
}

static inline status refuse_type(const op_ctx *c, const char *what, int dtype) {
  return diag_node_error(ST_UNSUPPORTED, c->n, "%s of type %s is not supported", what, dtype_name(dtype));
}

#endif
