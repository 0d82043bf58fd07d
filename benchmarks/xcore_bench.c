/* What moving data between the two cores costs: thread A times one pass
 * over a 45 KiB buffer (a 7x7 plane of 232 channels, shufflenet's last
 * stage) right after thread B left its lines in a given state, one
 * 64-byte line at a time (a write of the whole line, or a read of one
 * float of it). The rows:
 *
 *   write, lines modified in A's own cache       the baseline: no traffic
 *   write, lines modified in B's cache           a kernel writing where the
 *                                                other core last wrote
 *   write, lines shared by both caches           a kernel writing where both
 *                                                cores last read (the input
 *                                                of a conv split by output
 *                                                channels, reused by the arena)
 *   read, lines modified in A's own cache        the baseline
 *   read, lines modified in B's cache            a kernel reading what the
 *                                                other core wrote
 *   read, lines shared (A wrote them, B read)    after the other core read
 *
 * Why two threads lose on small planes: a node whose input the other core
 * wrote pays the fourth row per line on top of its work. Median of RUNS
 * passes per row, in ns per line. A tool, not a test; nothing in the build
 * compiles it. Pins A to CPU 0 and B to CPU 1 where the system lets it.
 *
 *   cc -O2 -std=gnu11 -pthread benchmarks/xcore_bench.c -o /tmp/xcore_bench
 *   /tmp/xcore_bench */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BYTES (45 * 1024)
#define LINE 64
#define RUNS 2001

enum { OWN_WRITE, OTHER_WRITE, SHARED_WRITE, OWN_READ, OTHER_READ, SHARED_READ, ROWS };

static const char *const row_names[ROWS] = {
    "write, lines modified in A's own cache", "write, lines modified in B's cache",
    "write, lines shared by both caches", "read, lines modified in A's own cache", "read, lines modified in B's cache",
    "read, lines shared (A wrote them, B read)"};

static unsigned char *buf;
static atomic_int round_no, done_no;
static int row;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return 1e9 * (double)ts.tv_sec + (double)ts.tv_nsec;
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
}

static void write_lines(unsigned char v) {
  size_t i;
  for (i = 0; i < BYTES; i += LINE) memset(buf + i, v, LINE);
}

static unsigned read_lines(void) {
  volatile unsigned char sink = 0;
  size_t i;
  for (i = 0; i < BYTES; i += LINE) sink = (unsigned char)(sink + buf[i]);
  return sink;
}

/* Thread B: per round, leaves the lines as the row needs them. */
static void *thread_b(void *arg) {
  int seen = 0;
  (void)arg;
  pin(1);
  for (;;) {
    int r;
    while ((r = atomic_load(&round_no)) == seen) {
    }
    if (r < 0) return NULL;
    seen = r;
    if (row == OTHER_WRITE || row == OTHER_READ) write_lines(2);
    if (row == SHARED_WRITE || row == SHARED_READ) (void)read_lines();
    atomic_store(&done_no, r);
  }
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  static double t[RUNS];
  pthread_t b;
  int r = 0, k;
  buf = aligned_alloc(LINE, BYTES);
  memset(buf, 0, BYTES);
  pin(0);
  if (pthread_create(&b, NULL, thread_b, NULL) != 0) return 1;
  printf("| A's pass over %d KiB, %d lines | ns per line (median of %d) |\n| --- | --- |\n", BYTES / 1024,
         BYTES / LINE, RUNS);
  for (row = 0; row < ROWS; row++) {
    for (k = 0; k < RUNS; k++) {
      double t0;
      /* A's part of the state: its own modified lines, then B's turn */
      if (row == OWN_WRITE || row == SHARED_WRITE || row == OWN_READ || row == SHARED_READ) write_lines(1);
      atomic_store(&round_no, ++r);
      while (atomic_load(&done_no) != r) {
      }
      t0 = now_ns();
      if (row <= SHARED_WRITE) write_lines(3);
      else (void)read_lines();
      t[k] = now_ns() - t0;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    printf("| %s | %.1f |\n", row_names[row], t[RUNS / 2] / (BYTES / LINE));
  }
  atomic_store(&round_no, -1);
  pthread_join(b, NULL);
  free(buf);
  return 0;
}
