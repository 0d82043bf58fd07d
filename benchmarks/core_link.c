/* How far apart this machine's first two CPUs are, as the threads of a
 * split kernel see it: the round trip of one cache line bounced between a
 * thread on each (a store, seen by the other, answered), and the time one
 * of them takes to read 1 MiB the other has just written (what a layer
 * reads of the activation its neighbour's tasks wrote). On a VM the two
 * vCPUs are not always on the same physical cache: on the AMD EPYC VM of
 * stops 32-33 the round trip was 60-70 ns in some minutes and 340-390 ns
 * in others (the 1 MiB read 16 us against 47-52), and in the slow minutes
 * mobilenet_v3_small ran 1.1x faster at two threads instead of 1.8x while
 * two single-threaded copies of it ran side by side at full speed.
 * benchmarks/run.py times it next to each model's multi-thread runs, so a
 * speed-up can be read against the link it had. A tool, not a test.
 *
 *   cc -O2 -std=c99 -pthread benchmarks/core_link.c -o /tmp/core_link && /tmp/core_link
 *
 * Prints one line: {"round_trip_ns": R, "read_mib_us": T, "cpus": [A, B]}
 * (medians of several trials), or {"error": "..."} where the process may
 * not run on two CPUs or cannot pin its threads (Linux only). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRIALS 5
#define BOUNCES 20000
#define READ_BYTES ((size_t)1 << 20)

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e9 * (double)t.tv_sec + (double)t.tv_nsec;
}

/* The bounced word, alone on its cache line; the buffer one side writes
 * and the other reads. */
static struct {
  volatile long word;
  char pad[64 - sizeof(long)];
} line __attribute__((aligned(64)));
static unsigned char *buffer;
static int cpus[2];
static double read_ns[TRIALS];
static volatile unsigned sink; /* keeps the reads */

static int pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void wait_for(long v) {
  while (line.word != v) {
  }
}

/* The second CPU's side: answer each bounce, then per trial read the
 * buffer the first side has just written. */
static void *answer(void *arg) {
  int t;
  long k;
  (void)arg;
  if (pin(cpus[1])) return (void *)1;
  for (t = 0; t < TRIALS; t++) {
    for (k = 0; k < BOUNCES; k++) {
      wait_for(2 * k + 1);
      line.word = 2 * k + 2;
    }
    wait_for(-1);
    {
      const double t0 = now_ns();
      unsigned sum = 0;
      size_t i;
      for (i = 0; i < READ_BYTES; i += 64) sum += buffer[i];
      sink = sum;
      read_ns[t] = now_ns() - t0;
    }
    line.word = 0;
  }
  return NULL;
}

static int by_value(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  double trip[TRIALS];
  cpu_set_t mine;
  pthread_t other;
  void *failed = NULL;
  int c, n = 0, t;
  long k;
  if (sched_getaffinity(0, sizeof mine, &mine)) {
    puts("{\"error\": \"sched_getaffinity failed\"}");
    return 1;
  }
  for (c = 0; c < CPU_SETSIZE && n < 2; c++)
    if (CPU_ISSET(c, &mine)) cpus[n++] = c;
  buffer = malloc(READ_BYTES);
  if (n < 2 || !buffer || pin(cpus[0])) {
    puts("{\"error\": \"fewer than two CPUs to run on, or the thread cannot be pinned\"}");
    return 1;
  }
  line.word = 0;
  if (pthread_create(&other, NULL, answer, NULL)) {
    puts("{\"error\": \"pthread_create failed\"}");
    return 1;
  }
  for (t = 0; t < TRIALS; t++) {
    const double t0 = now_ns();
    for (k = 0; k < BOUNCES; k++) {
      line.word = 2 * k + 1;
      wait_for(2 * k + 2);
    }
    trip[t] = (now_ns() - t0) / BOUNCES;
    memset(buffer, t + 1, READ_BYTES);
    line.word = -1;
    wait_for(0);
  }
  pthread_join(other, &failed);
  if (failed) {
    puts("{\"error\": \"the second thread cannot be pinned\"}");
    return 1;
  }
  qsort(trip, TRIALS, sizeof *trip, by_value);
  qsort(read_ns, TRIALS, sizeof *read_ns, by_value);
  printf("{\"round_trip_ns\": %.0f, \"read_mib_us\": %.1f, \"cpus\": [%d, %d]}\n", trip[TRIALS / 2],
         read_ns[TRIALS / 2] / 1e3, cpus[0], cpus[1]);
  free(buffer);
  return 0;
}
