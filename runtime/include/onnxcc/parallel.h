/* How a kernel reaches worker threads without global state.
 *
 * A model compiled with --threads N > 1 keeps one rt_parallel in its
 * context (filled by NAME_init_ex, read-only afterwards) and passes its
 * address to the kernels that split their work, in the input slot
 * RT_PARALLEL_SLOT (past every input those kernels have; NULL everywhere
 * else, and in code compiled for one thread). Such a kernel cuts its work
 * into `tasks` pieces, each writing its own part of the output with its
 * own slice of the node's scratch (the compiler sized the scratch for
 * `tasks` slices), and hands them to parallel_for. Each output element is
 * computed by one task, in the same order as with one thread, so the
 * results are bit-identical whoever runs the tasks and in which order.
 *
 * Nothing here needs an OS: parallel_for is the caller's. On a host with
 * pthreads, <onnxcc/threads.h> provides one (a small pool); on bare metal
 * or an RTOS the program supplies its own (docs/api.md). */
#ifndef ONNXCC_PARALLEL_H
#define ONNXCC_PARALLEL_H

#include <stdint.h>

#include "params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One task: body(arg, i) for i in [0, n). */
typedef void (*rt_task_fn)(void *arg, int64_t i);

/* Runs body(arg, i) once for every i in [0, n), in any order and on any
 * threads, and returns when all have finished. NULL: one after another in
 * the calling thread. */
typedef void (*rt_parallel_for_fn)(void *user, int64_t n, rt_task_fn body, void *arg);

typedef struct rt_parallel {
  rt_parallel_for_fn parallel_for;
  void *user;        /* passed to parallel_for as is */
  int64_t tasks;     /* pieces per split kernel: the model's --threads, set by NAME_init_ex */
  size_t task_stride; /* bytes from one task's buffer to the next in a node's scratch, at
                         least (rt_task_stride); set by NAME_init_ex, 0 elsewhere */
} rt_parallel;

/* The in[] slot of the kernels that split. */
#define RT_PARALLEL_SLOT (RT_MIN_ARGS - 1)

/* For kernels: the rt_parallel a call got (NULL: run alone), its number of
 * tasks (1 without one), and the dispatch (sequential without one). */
#define RT_PARALLEL_OF(in) ((const rt_parallel *)(in)[RT_PARALLEL_SLOT])
int64_t rt_parallel_tasks(const rt_parallel *par);
void rt_parallel_run(const rt_parallel *par, int64_t n, rt_task_fn body, void *arg);

/* [*lo, *hi): the share of task i of n in [0, total), in whole `unit`s
 * (equal counts of units, the last shares one more when they do not divide
 * evenly; the last share ends at total). */
void rt_parallel_share(int64_t total, int64_t unit, int64_t i, int64_t n, int64_t *lo, int64_t *hi);

/* ---- each task's buffer ----
 *
 * The conv kernels that split give each task a buffer of its own in the
 * node's scratch (a band of X copied zero-bordered, a panel unfolded) and
 * rewrite it many times a call. Buffers laid end to end made a split
 * 16 -> 16 1x1 conv of mobilenet_v3_small slower on two tasks than on one
 * (21.5 us against 20 us; each task alone, one after the other: 9.7 us);
 * with the second buffer 16 KB or more past the end of the first it took
 * 10.5 us. The two cores' prefetchers pull lines near the ones they
 * stream, and a line the other core is rewriting comes back with every
 * band. So a kernel lays its task buffers RT_TASK_STRIDE(bytes) apart:
 * the one-task scratch is a buffer, each further task adds a stride. */
#define RT_TASK_GAP ((size_t)32 * 1024)
#define RT_TASK_STRIDE(buffer_bytes) ((buffer_bytes) + RT_TASK_GAP)

/* The stride a kernel lays its task buffers at: its own RT_TASK_STRIDE
 * (own; 0 when the node has none), or par->task_stride where that is
 * larger. A generated --threads model sets task_stride to the largest
 * stride of all its split nodes (and sizes their scratch for it), so that
 * task i's buffer starts at the same offset in every node's scratch. With
 * a stride per node, the bytes the worker's task rewrote at one node were
 * the submitter's at the next one with a smaller buffer, and every band
 * copied moved lines between the cores (densenet121 at two threads: 22.12
 * ms with a stride per node, 21.22 with one; docs/design.md). */
size_t rt_task_stride(const rt_parallel *par, size_t own);

/* ---- splitting a range of like items ----
 *
 * The memory-bound kernels (element-wise, pooling, normalisation) do the
 * same work for each of n items (elements, rows, channel planes), each
 * item's result written by itself: they cut [0, n) into consecutive
 * pieces, one task each. */

/* One piece: the items [lo, hi). */
typedef void (*rt_range_fn)(void *arg, int64_t lo, int64_t hi);

/* Fewest bytes of memory traffic (reads and writes) a piece should move.
 * Handing a piece to a worker and waiting for it costs a few microseconds
 * (the pool's wake-up and the cache lines that move between cores), the
 * time one core takes to stream some tens of kilobytes; below this a
 * second thread costs more than it saves (benchmarks/split_bench.c).
 * Only the runtime reads it: building the runtime with another value
 * changes where its kernels split, nothing else. */
#ifndef RT_SPLIT_MIN_BYTES
#define RT_SPLIT_MIN_BYTES (64 * 1024)
#endif

/* Calls body over [0, n) in at most rt_parallel_tasks(par) pieces, each a
 * whole number of `unit` items (but the last) and each moving at least
 * RT_SPLIT_MIN_BYTES at item_bytes per item; with one piece (no par, or
 * too little work), body(arg, 0, n) right here, without the dispatch.
 * Nothing when n <= 0. A unit of a cache line's worth of elements keeps
 * two tasks from writing one line, and vector loops aligned as they were. */
void rt_parallel_ranges(const rt_parallel *par, int64_t n, int64_t unit, int64_t item_bytes, rt_range_fn body,
                        void *arg);

#ifdef __cplusplus
}
#endif
#endif
