/* Storage sharing for the memory plan (plan.c's helper): which values live
 * in another value's storage, and where inside it. Views and in-place
 * results share their input's storage from its start; the inputs of a
 * Concat whose slices are contiguous may live inside its output, each at
 * its slice, so that their producers write there and the Concat copies
 * nothing. Internal to the planner; plan.h describes the result. */
#ifndef ONNXCC_PLAN_SHARE_H
#define ONNXCC_PLAN_SHARE_H

#include "plan.h"

/* Fills p->root and p->root_offset for every value of g, and sets
 * p->elided for views that share their input and Concats whose every
 * input was written in place. first[v] and last[v] are v's producer's
 * and last reader's steps (-1 if none); class_first and class_last (per
 * value, filled here) give, for each root, the first and last step at
 * which any value stored there is live. ST_INTERNAL if the result breaks
 * its own invariants (a value reaching past its root's bytes). */
status plan_share_storage(const ir_graph *g, plan *p, const int *first, const int *last, int *class_first,
                          int *class_last);

#endif
