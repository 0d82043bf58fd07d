/* Dispatch of split kernels' tasks (onnxcc/parallel.h). No OS here: the
 * threads, if any, are behind the caller's parallel_for. */
#include "index_internal.h"
#include "onnxcc/parallel.h"
#include "split_internal.h"

int64_t rt_parallel_tasks(const rt_parallel *par) { return par && par->tasks > 1 ? par->tasks : 1; }

size_t rt_task_stride(const rt_parallel *par, size_t own) {
  return own && par && par->task_stride > own ? par->task_stride : own;
}

void rt_parallel_run(const rt_parallel *par, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  if (par && par->parallel_for && n > 1) {
    par->parallel_for(par->user, n, body, arg);
    return;
  }
  for (i = 0; i < n; i++) body(arg, i);
}

void rt_parallel_share(int64_t total, int64_t unit, int64_t i, int64_t n, int64_t *lo, int64_t *hi) {
  /* the last units % n tasks get one unit more than the others; no
   * product of two counts, so 32-bit index arithmetic cannot overflow */
  const int64_t units = RT_IDIV(total + unit - 1, unit), base = RT_IDIV(units, n);
  const int64_t first_extra = n - RT_IMOD(units, n);
  const int64_t a = i * base + (i > first_extra ? i - first_extra : 0), b = a + base + (i >= first_extra);
  *lo = a * unit < total ? a * unit : total;
  *hi = b * unit < total ? b * unit : total;
}

/* A rt_parallel_ranges call as rt_parallel_run's tasks. */
typedef struct range_job {
  rt_range_fn body;
  void *arg;
  int64_t n, unit, pieces;
} range_job;

static void range_task(void *arg, int64_t i) {
  const range_job *j = (const range_job *)arg;
  int64_t lo, hi;
  rt_parallel_share(j->n, j->unit, i, j->pieces, &lo, &hi);
  if (lo < hi) j->body(j->arg, lo, hi);
}

void rt_parallel_ranges(const rt_parallel *par, int64_t n, int64_t unit, int64_t item_bytes, rt_range_fn body,
                        void *arg) {
  /* the items one piece needs at least; no product of two counts, so
   * 32-bit index arithmetic cannot overflow */
  int64_t min_items;
  range_job j;
  if (n <= 0) return;
  if (unit < 1) unit = 1;
  if (item_bytes < 1) item_bytes = 1;
  min_items = item_bytes >= RT_SPLIT_MIN_BYTES ? 1 : RT_IDIV(RT_SPLIT_MIN_BYTES + item_bytes - 1, item_bytes);
  /* at most one piece per unit, and each at least min_items: floor(n / p)
   * >= min_items exactly when p <= floor(n / min_items) */
  j.pieces = rt_parallel_tasks(par);
  if (j.pieces > RT_IDIV(n + unit - 1, unit)) j.pieces = RT_IDIV(n + unit - 1, unit);
  if (j.pieces > RT_IDIV(n, min_items)) j.pieces = RT_IDIV(n, min_items);
  if (j.pieces <= 1) {
    body(arg, 0, n);
    return;
  }
  j.body = body;
  j.arg = arg;
  j.n = n;
  j.unit = unit;
  rt_parallel_run(par, j.pieces, range_task, &j);
}

void rt_kernel_ranges(rt_range_fn body, const void *params, const void *const *in, void *const *out, void *scratch,
                      int64_t n, int64_t unit, int64_t item_bytes) {
  rt_call c;
  c.params = params;
  c.in = in;
  c.out = out;
  c.scratch = scratch;
  rt_parallel_ranges(RT_PARALLEL_OF(in), n, unit, item_bytes, body, &c);
}
