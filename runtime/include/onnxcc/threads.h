/* A small pool of worker threads for models compiled with --threads N, on
 * hosts with POSIX threads (not part of a bare-metal runtime build).
 *
 *   rt_pool pool;                      // the caller's memory, no malloc
 *   if (rt_pool_start(&pool, NET_THREADS) != RT_OK) ...
 *   rt_parallel par = rt_pool_parallel(&pool);
 *   net_init_ex(&ctx, weights, weights_bytes, arena, NET_ARENA_BYTES, &par);
 *   ... net_run(&ctx, ...) as often as needed ...
 *   rt_pool_stop(&pool);               // joins the workers
 *
 * rt_pool_start makes threads - 1 workers; the thread that runs the model
 * is the last one, so a job runs on `threads` threads. Between jobs the
 * workers poll for the next one a while, then sleep on a condition
 * variable (on Linux the thread that wakes one moves it off its own CPU,
 * where the scheduler tends to put it). A job is one parallel_for call;
 * two threads that share a pool take turns (a job runs whole before the
 * next starts), so give each context that runs at the same time as
 * another its own pool. */
#ifndef ONNXCC_THREADS_H
#define ONNXCC_THREADS_H

#include <pthread.h>
#include <stdint.h>

#include "parallel.h"
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RT_POOL_MAX_THREADS 64

typedef struct rt_pool {
  pthread_mutex_t mu;     /* guards the sleeps on wake and done */
  pthread_cond_t wake;    /* sleeping workers: a new job, or stop */
  pthread_cond_t done;    /* a sleeping submitter: the job's last task finished */
  pthread_mutex_t submit; /* one job at a time */
  pthread_t th[RT_POOL_MAX_THREADS - 1];
  int workers;            /* started */
  /* Below: read and written with atomic builtins, no lock (threads.c). */
  int stop, sleepers, waiting;
  int named;              /* workers that have written their tid */
  int tid[RT_POOL_MAX_THREADS - 1]; /* the workers' kernel thread ids (Linux), 0 until known */
  int waiter;             /* kernel thread id of the submitter asleep on done (Linux) */
  uint64_t claim;         /* the job's number (high bits) and its next unclaimed task (low bits) */
  rt_task_fn body;
  void *arg;
  int64_t n, base;        /* the job runs body(arg, base + i) for i < n */
  char apart[64];         /* finished on a line of its own: the other fields are read while tasks finish */
  int64_t finished;
} rt_pool;

/* Starts threads - 1 workers (threads in 1..RT_POOL_MAX_THREADS, else
 * RT_ERR_VALUE). RT_ERR_THREADS if the system refuses a thread (those
 * started are stopped again). */
int rt_pool_start(rt_pool *pool, int threads);
/* Stops and joins the workers. The pool must be idle. */
void rt_pool_stop(rt_pool *pool);
/* An rt_parallel_for_fn; user is the rt_pool. */
void rt_pool_parallel_for(void *user, int64_t n, rt_task_fn body, void *arg);
/* {rt_pool_parallel_for, pool, 0}: for NAME_init_ex, which sets tasks. */
rt_parallel rt_pool_parallel(rt_pool *pool);

#ifdef __cplusplus
}
#endif
#endif
