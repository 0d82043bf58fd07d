#include "ops.h"
static status tensor_infer(op_ctx *c) { return diag_node_error(ST_UNSUPPORTED, c->n, "this op is not implemented yet"); }
static status tensor_lower(op_ctx *c, lowered *l) { (void)l; return diag_node_error(ST_UNSUPPORTED, c->n, "this op is not implemented yet"); }
const op_family op_family_tensor = {tensor_infer, tensor_lower};
