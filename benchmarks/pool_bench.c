/* What one job costs the runtime's pthread pool (onnxcc/threads.h) over
 * the work itself: jobs of two tasks, each task busy for a set time (0, 1
 * or 5 us, timed on the clock), with a set single-threaded gap between
 * jobs (0, 2 or 20 us, as a model's unsplit nodes leave between split
 * ones). Each job's wall time minus the task's time is its overhead; the
 * table gives the median, 90th and 99th percentile over JOBS jobs. With
 * two threads the submitter runs one task and a worker the other, so the
 * overhead is the hand-off both ways: the worker seeing the job, and the
 * submitter seeing it finish. A second table times bursts of jobs that
 * must first wake a sleeping worker (the pool idle for WAKE_IDLE_MS
 * before each, longer than the workers poll), as a model run every few
 * milliseconds: when a worker starts its first task, the burst's time,
 * and in how many jobs the submitter ran every task itself because no
 * worker came in time. A tool, not a test; nothing in the build
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
#define WAKES 200
#define BURST 20
#define WAKE_IDLE_MS 5
#define WAKE_TASK_NS 50000.0 /* each task of a wake-up job */

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

/* A task of a wake-up job: notes which thread ran it and when it began. */
typedef struct {
  double start[RT_POOL_MAX_THREADS];
  pthread_t by[RT_POOL_MAX_THREADS];
} wake_job;

static void wake_task(void *arg, int64_t i) {
  wake_job *j = (wake_job *)arg;
  j->start[i] = now_ns();
  j->by[i] = pthread_self();
  busy(WAKE_TASK_NS);
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
  {
    /* a burst of BURST jobs after each idle spell, as a model run every
     * few milliseconds has: its wall time, and how many of its jobs ran
     * on the submitter alone */
    static double first[WAKES], wall[WAKES];
    const struct timespec idle = {0, WAKE_IDLE_MS * 1000000L};
    int k, alone = 0;
    for (k = 0; k < WAKES; k++) {
      int b;
      double t0;
      first[k] = -1;
      nanosleep(&idle, NULL);
      t0 = now_ns();
      for (b = 0; b < BURST; b++) {
        wake_job j;
        int t, helped = 0;
        rt_pool_parallel_for(&pool, threads, wake_task, &j);
        for (t = 1; t < threads; t++)
          if (!pthread_equal(j.by[t], j.by[0])) {
            helped = 1;
            if (first[k] < 0 || j.start[t] < first[k]) first[k] = j.start[t];
          }
        alone += !helped;
      }
      wall[k] = now_ns() - t0;
      first[k] = first[k] < 0 ? wall[k] : first[k] - t0; /* no worker at all: the whole burst */
    }
    qsort(first, WAKES, sizeof *first, cmp_double);
    qsort(wall, WAKES, sizeof *wall, cmp_double);
    printf("\n%d bursts of %d jobs (%d tasks of %.0f us) after %d ms idle each: when a worker's first task began, "
           "the burst's wall time (us, median / p90 / max) and its jobs no worker joined\n\n",
           WAKES, BURST, threads, WAKE_TASK_NS / 1e3, WAKE_IDLE_MS);
    printf("| first worker task | burst wall time | jobs the submitter ran alone |\n| --- | --- | --- |\n");
    printf("| %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %d of %d |\n", first[WAKES / 2] / 1e3,
           first[WAKES * 9 / 10] / 1e3, first[WAKES - 1] / 1e3, wall[WAKES / 2] / 1e3, wall[WAKES * 9 / 10] / 1e3,
           wall[WAKES - 1] / 1e3, alone, WAKES * BURST);
  }
  rt_pool_stop(&pool);
  return 0;
}
