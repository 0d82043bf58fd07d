#include "passes.h"
status pass_fuse_qdq(ir_graph *g) { (void)g; return ST_OK; }
