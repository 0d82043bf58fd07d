#include "ops.h"
static status reduce_infer(op_ctx *c) { return diag_node_error(ST_UNSUPPORTED, c->n, "this op is not implemented yet"); }
static status reduce_lower(op_ctx *c, lowered *l) { (void)l; return diag_node_error(ST_UNSUPPORTED, c->n, "this op is not implemented yet"); }
const op_family op_family_reduce = {reduce_infer, reduce_lower};
