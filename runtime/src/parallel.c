/* Dispatch of split kernels' tasks (onnxcc/parallel.h). No OS here: the
 * threads, if any, are behind the caller's parallel_for. */
#include "index_internal.h"
#include "onnxcc/parallel.h"

int64_t rt_parallel_tasks(const rt_parallel *par) { return par && par->tasks > 1 ? par->tasks : 1; }

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
