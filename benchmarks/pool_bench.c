/* What one job costs the runtime's pthread pool (onnxcc/threads.h) over
 * the work itself: jobs of two tasks, each task busy for a set time (0, 1
 * or 5 us, timed on the clock), with a set single-threaded gap between
 * jobs (0, 2 or 20 us, as a model's unsplit nodes leave between split
 * ones). Each job's wall time minus the task's time is its overhead; the
 * table gives the median, 90th and 99th percentile over JOBS jobs. With
 * two threads the submitter runs one task and a worker the other, so the
 * overhead is the hand-off both ways: the worker seeing the job, and the
 * submitter seeing it finish. A tool, not a test; nothing in the build
 * compiles it. From the repository root:
 *
 *   cc -O2 -std=c99 -pthread -Iruntime/include benchmarks/pool_bench.c \
 *      runtime/src/threads.c -o /tmp/pool_bench
 *   /tmp/pool_bench [THREADS]   (default 2) */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "onnxcc/threads.h"

#define JOBS 20000

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return 1e9 * (double)ts.tv_sec + (double)ts.tv_nsec;
}

static void busy(double ns) {
  const double t0 = now_ns();
  while (now_ns() - t0 < ns) {
  }
}

/* A task: busy for *(double *)arg nanoseconds. */
static void task(void *arg, int64_t i) {
  (void)i;
  busy(*(const double *)arg);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  static double over[JOBS];
  const double work[] = {0, 1000, 5000}, gap[] = {0, 2000, 20000};
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  rt_pool pool;
  size_t w, g;
  if (rt_pool_start(&pool, threads) != RT_OK) {
    fprintf(stderr, "pool_bench: cannot start %d threads\n", threads);
    return 1;
  }
  printf("%d threads, jobs of %d tasks, %d jobs per row; overhead = job time - task time, ns\n\n", threads, threads,
         JOBS);
  printf("| task us | gap us | median | p90 | p99 |\n| --- | --- | --- | --- | --- |\n");
  for (w = 0; w < sizeof work / sizeof *work; w++)
    for (g = 0; g < sizeof gap / sizeof *gap; g++) {
      int k;
      for (k = 0; k < JOBS; k++) {
        const double t0 = now_ns();
        rt_pool_parallel_for(&pool, threads, task, (void *)&work[w]);
        over[k] = now_ns() - t0 - work[w];
        busy(gap[g]);
      }
      qsort(over, JOBS, sizeof *over, cmp_double);
      printf("| %.0f | %.0f | %.0f | %.0f | %.0f |\n", work[w] / 1e3, gap[g] / 1e3, over[JOBS / 2],
             over[JOBS * 9 / 10], over[JOBS * 99 / 100]);
    }
  rt_pool_stop(&pool);
  return 0;
}
