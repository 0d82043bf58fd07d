/* Subgraphs (If's branches, Loop's and Scan's bodies): how a body reads
 * the values of the graphs around it.
 *
 * A subgraph is an ir_graph with `parent` and `owner` set, held by one of
 * the owner node's GRAPH attributes. A name the body reads but does not
 * define becomes a *capture*: a value of the body, appended to its inputs
 * after the formal ones, standing for the outer value, which is appended
 * to the owner node's inputs (ir_node.n_implicit). So every pass that
 * walks node inputs (order, lifetimes, use counts, replacement) sees the
 * dependency without knowing about subgraphs, and the body can be planned
 * and emitted like a model whose inputs are pointers it is given. */
#ifndef ONNXCC_SUBGRAPH_H
#define ONNXCC_SUBGRAPH_H

#include "ir.h"

/* Whether value v is defined in its graph: a constant, an input (formal or
 * captured) or a node's output. */
int ir_value_defined(const ir_value *v);

/* The value `name` as graph g sees it: g's own when g defines it, else a
 * new capture of the same name from the nearest enclosing graph that
 * defines it (capturing through every graph in between). -1 when none
 * does. */
int ir_resolve(ir_graph *g, const char *name);

/* The subgraph held by attribute `name` of node n, or NULL. */
ir_graph *ir_subgraph(const ir_node *n, const char *name);

/* The outer value that capture `v` of subgraph `sub` stands for. */
ir_value *ir_capture_source(const ir_graph *sub, const ir_value *v);

#endif
