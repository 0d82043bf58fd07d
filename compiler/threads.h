/* --threads N: which kernel variants split their work across tasks
 * (runtime/include/onnxcc/parallel.h), and the scratch those tasks need. */
#ifndef ONNXCC_THREADS_H_COMPILER
#define ONNXCC_THREADS_H_COMPILER

#include "ir.h"
#include "lowered.h"

/* Most --threads accepts (onnxcc/threads.h's RT_POOL_MAX_THREADS). */
#define THREADS_MAX 64

/* Whether the lowered node l splits: its kernel variant does, for its
 * params (rt_lstm_f32_proj only without peepholes, whose input slot the
 * tasks take). */
int threads_node_splits(const lowered *l);

/* For threads > 1: every node of g's own graph (not its subgraphs', which
 * run alone) whose kernel splits takes its kernel's threaded variant where
 * it has one (rt_gemm_f32_packed_mt for rt_gemm_f32_packed, ...), and its
 * scratch grows by threads - 1 task slices: for the kernels that lay their
 * task buffers a stride apart, slices of g->task_stride, the largest of
 * their strides (rounded up to 64 bytes), which NAME_init_ex passes on in
 * rt_parallel.task_stride. Run after lowering, before planning. */
void threads_size_scratch(ir_graph *g, int threads);

#endif
