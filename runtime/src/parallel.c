/* Dispatch of split kernels' tasks (onnxcc/parallel.h). No OS here: the
 * threads, if any, are behind the caller's parallel_for. */
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
  const int64_t units = (total + unit - 1) / unit;
  const int64_t a = units * i / n, b = units * (i + 1) / n;
  *lo = a * unit < total ? a * unit : total;
  *hi = b * unit < total ? b * unit : total;
}
