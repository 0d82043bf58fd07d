/* Evaluates one node at compile time with the runtime kernel it lowers to
 * (the same code the generated program calls). */
#ifndef ONNXCC_EVAL_H
#define ONNXCC_EVAL_H

#include "ops/ops.h"

/* Lowers the node, allocates its outputs' data and runs the kernel. */
status eval_node(op_ctx *c);

#endif
