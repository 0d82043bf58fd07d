/* Per-node profiling hooks in the generated code (docs/api.md,
 * "Profiling"). Each node of the main graph that runs something is
 * bracketed by ONNXCC_PROF_BEGIN(k) / ONNXCC_PROF_END(k), k counting those
 * nodes from 0 in the order they run. The macros are nothing unless the
 * file is compiled with -DONNXCC_PROFILE: then they call
 * NAME_profile_hook(k, 0) and (k, 1), which the caller defines, and the
 * file also holds NAME_profile_nodes[], each profiled node's name, op type
 * and kernel. A subgraph's nodes are timed as part of their control node. */
#ifndef ONNXCC_EMIT_PROFILE_H
#define ONNXCC_EMIT_PROFILE_H

#include "../../compiler/ir.h"
#include "../../compiler/plan.h"
#include "../text.h"

/* Whether main-graph node i gets the hooks: every node but a view that
 * runs no code at all (elided without a prepare kernel). */
int emit_profile_has_node(const ir_graph *g, const plan *p, int i);
/* The kernel the table names for node i: its kernel variant, the prepare
 * kernel of a view that runs only that, "(control)" for If, Loop, Scan
 * and SequenceMap, whose subgraphs' kernels run inside. */
const char *emit_profile_kernel(const ir_graph *g, const plan *p, int i);
/* How many nodes get the hooks. */
int emit_profile_count(const ir_graph *g, const plan *p);

/* The header's part, all under #ifdef ONNXCC_PROFILE: NAME_PROFILE_NODES,
 * the hook's declaration, the table's type and declaration. */
void emit_profile_header(text *h, const ir_graph *g, const plan *p, const char *name, const char *up);
/* The source's part: the two macros (each #undef'd first, since two
 * models' sources may share a translation unit) and the table. */
void emit_profile_source(text *w, const ir_graph *g, const plan *p, const char *name);

#endif
