/* The pthread pool of onnxcc/threads.h. Built only where the host has
 * POSIX threads (runtime/meson.build; the guard below keeps a runtime
 * built from every file of src/, as `onnxcc run` does, compiling elsewhere). */
#if defined(__unix__) || defined(__APPLE__)
#if defined(__linux__)
#define _GNU_SOURCE 1 /* sched_getcpu, the affinity calls, syscall and the CPU_ macros */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#define _POSIX_C_SOURCE 200112L
#endif
#include "onnxcc/threads.h"

#include <string.h>

/* GCC 12 with -fsanitize=nonnull-attribute (in the ASan+UBSan build)
 * checks that &pool->mu passed to pthread_mutex_lock is not NULL, and on
 * the path where it would be (pool NULL, mu at offset 0) warns that the
 * atomics on pool's fields after it write "a region of size 0". No such
 * path runs: a pool is never NULL here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

/* The handoff is lock-free: a job is published by one store of the claim
 * word, (job number << TASK_BITS) | next task, and every thread that takes
 * part (the submitter and the workers) claims tasks by compare-and-swap of
 * that word. A claim succeeds only while the word still names the job and
 * a task of it, and the job number never comes back; the fields a thread
 * read just before a successful claim are that job's because the
 * submitter closes the word before it writes the next job's fields
 * (run_job says how). The mutex and condition variables serve only a
 * thread that sleeps (a worker between jobs, or a submitter waiting for
 * the last task, after SPIN_POLLS polls); each side announces its sleep
 * (sleepers, waiting) before its last check, and the other side checks
 * the announcement after its own store, both sequentially consistent, so
 * no wake-up is lost. benchmarks/pool_bench.c times a job's hand-off. */
#define TASK_BITS 20
#define TASK_MASK (((uint64_t)1 << TASK_BITS) - 1)
#define JOB_MAX_TASKS ((int64_t)TASK_MASK) /* tasks per published job; parallel_for cuts larger n */

static uint64_t job_of(uint64_t claim) { return claim >> TASK_BITS; }

/* Before a worker sleeps on the condition variable, and before the
 * submitter does, it polls this many times for the event it waits for: a
 * model runs its split kernels back to back with short single-threaded
 * nodes between them, and waking a sleeping thread costs tens of
 * microseconds per kernel, which on mobilenet_v2's ~50 small convs ate
 * the whole gain of a second thread. Bounded (about a millisecond), so an
 * idle pool still sleeps and a shared machine gets its core back. */
#define SPIN_POLLS 20000

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#else
  __asm__ __volatile__("" ::: "memory");
#endif
}

/* Keeping a woken thread off its waker's CPU. Linux tends to wake a
 * thread on the CPU of the thread that wakes it, expecting the waker to
 * sleep soon, but here the waker goes on running (the job's first task,
 * the poll for the next job), so the two would share one CPU until the
 * load balancer moves one, milliseconds later, the submitter meanwhile
 * claiming every task itself: audio_cnn1d's 2-thread runs took its
 * one-thread time in most fresh processes (0.8 CPUs used, `perf stat`),
 * and in benchmarks/pool_bench.c's jobs after 5 ms idle no worker joined
 * 185-193 of 200. So a waker first narrows the sleeper's CPU mask to the
 * others (avoid_my_cpu), signals, and gives the mask back (give_back):
 * the scheduler places the woken thread within the narrowed mask, and
 * nobody stays pinned. Narrowing a sleeping thread's mask moves nothing;
 * moving one already queued on the waker's CPU cost the submitter 35-40
 * us per wake-up in pool_bench, this 17-23 (its own task starts 21-27 us
 * after the call, 4 before). Only wake-ups pay (three system calls per
 * sleeper): a thread polling for work is never signalled.
 * Where the sleeper may run on the waker's CPU alone, or off Linux,
 * nothing changes. */
typedef struct {
#if defined(__linux__)
  cpu_set_t allowed;
#endif
  int narrowed;
} cpu_mask_saved;

/* The calling thread's kernel id (the threads are named by it, not by
 * pthread_t: a submitter may have exited by the time a worker acts on the
 * id it read, and a stale id only fails the call), 0 off Linux. */
static int thread_id(void) {
#if defined(__linux__)
  return (int)syscall(SYS_gettid);
#else
  return 0;
#endif
}

#if defined(__linux__)
/* *others = *allowed without the caller's CPU; 0 where that leaves none,
 * or the caller runs outside *allowed (nothing to avoid then). */
static int without_my_cpu(const cpu_set_t *allowed, cpu_set_t *others) {
  const int cpu = sched_getcpu();
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, allowed)) return 0;
  *others = *allowed;
  CPU_CLR(cpu, others);
  return CPU_COUNT(others) > 0;
}
#endif

static void avoid_my_cpu(int tid, cpu_mask_saved *m) {
#if defined(__linux__)
  cpu_set_t others;
  m->narrowed = 0;
  if (tid <= 0) return; /* not known yet; 0 would be the caller */
  if (sched_getaffinity(tid, sizeof m->allowed, &m->allowed) || !without_my_cpu(&m->allowed, &others)) return;
  m->narrowed = sched_setaffinity(tid, sizeof others, &others) == 0;
#else
  (void)tid;
  m->narrowed = 0;
#endif
}

static void give_back(int tid, const cpu_mask_saved *m) {
#if defined(__linux__)
  if (m->narrowed) (void)sched_setaffinity(tid, sizeof m->allowed, &m->allowed);
#else
  (void)tid;
  (void)m;
#endif
}

/* One task of the job finished; the last one wakes a sleeping submitter. */
static void task_finished(rt_pool *pool, int64_t n) {
  if (__atomic_add_fetch(&pool->finished, 1, __ATOMIC_SEQ_CST) == n &&
      __atomic_load_n(&pool->waiting, __ATOMIC_SEQ_CST)) {
    cpu_mask_saved m;
    int waiter; /* read under the lock: a later submitter may sleep as this one wakes */
    pthread_mutex_lock(&pool->mu);
    waiter = pool->waiter;
    avoid_my_cpu(waiter, &m);
    pthread_cond_signal(&pool->done);
    pthread_mutex_unlock(&pool->mu);
    give_back(waiter, &m);
  }
}

/* Claims and runs tasks of the job whose claim word was c until none of
 * it is left, or the word names another job. */
static void run_tasks(rt_pool *pool, uint64_t c) {
  const uint64_t job = job_of(c);
  while (job_of(c) == job) {
    const rt_task_fn body = __atomic_load_n(&pool->body, __ATOMIC_ACQUIRE);
    void *const arg = __atomic_load_n(&pool->arg, __ATOMIC_ACQUIRE);
    const int64_t n = __atomic_load_n(&pool->n, __ATOMIC_ACQUIRE);
    const int64_t base = __atomic_load_n(&pool->base, __ATOMIC_ACQUIRE);
    const int64_t i = (int64_t)(c & TASK_MASK);
    if (i >= n) return;
    /* on failure c becomes the word as it is now: try again with it */
    if (__atomic_compare_exchange_n(&pool->claim, &c, c + 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
      body(arg, base + i);
      task_finished(pool, n);
      c = __atomic_load_n(&pool->claim, __ATOMIC_ACQUIRE);
    }
  }
}

/* A worker's wait for a job after job `seen`: its claim word, or 0 once
 * the pool stops. */
static uint64_t next_job(rt_pool *pool, uint64_t seen) {
  uint64_t c = 0;
  int k;
  for (k = 0; k < SPIN_POLLS; k++) {
    if (__atomic_load_n(&pool->stop, __ATOMIC_RELAXED)) return 0;
    c = __atomic_load_n(&pool->claim, __ATOMIC_ACQUIRE);
    if (job_of(c) != seen) return c;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->mu);
  __atomic_add_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
  while (!__atomic_load_n(&pool->stop, __ATOMIC_SEQ_CST) &&
         job_of(c = __atomic_load_n(&pool->claim, __ATOMIC_SEQ_CST)) == seen)
    pthread_cond_wait(&pool->wake, &pool->mu);
  __atomic_sub_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock(&pool->mu);
  return __atomic_load_n(&pool->stop, __ATOMIC_SEQ_CST) ? 0 : c;
}

static void *worker(void *p) {
  rt_pool *pool = (rt_pool *)p;
  uint64_t seen = 0, c; /* job 0: the pool as started, no tasks */
  __atomic_store_n(&pool->tid[__atomic_fetch_add(&pool->named, 1, __ATOMIC_RELAXED)], thread_id(), __ATOMIC_RELAXED);
  while ((c = next_job(pool, seen)) != 0) {
    seen = job_of(c);
    run_tasks(pool, c);
  }
  return NULL;
}

/* Starts a worker on another CPU than the caller's, where there is one:
 * Linux put a new thread on its creator's CPU about half the time here,
 * and a worker that polls from the start (a model whose first job comes
 * within the polling time) is never woken, so nothing else moved it off
 * the submitter's CPU until the load balancer did (audio_cnn1d's fresh
 * processes, again one-thread times). As with a wake-up, the mask is
 * narrowed for the start only. */
static int start_worker(rt_pool *pool, pthread_t *th) {
#if defined(__linux__)
  cpu_set_t allowed, others;
  pthread_attr_t attr;
  int narrowed = 0, err;
  if (pthread_attr_init(&attr)) return -1;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && without_my_cpu(&allowed, &others))
    narrowed = pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0;
  err = pthread_create(th, &attr, worker, pool);
  pthread_attr_destroy(&attr);
  if (!err && narrowed) (void)pthread_setaffinity_np(*th, sizeof allowed, &allowed);
  return err;
#else
  return pthread_create(th, NULL, worker, pool);
#endif
}

static void destroy(rt_pool *pool) {
  pthread_mutex_destroy(&pool->mu);
  pthread_mutex_destroy(&pool->submit);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->done);
}

int rt_pool_start(rt_pool *pool, int threads) {
  int i;
  if (!pool) return RT_ERR_NULL;
  if (threads < 1 || threads > RT_POOL_MAX_THREADS) return RT_ERR_VALUE;
  pool->workers = 0;
  pool->stop = pool->sleepers = pool->waiting = 0;
  pool->named = pool->waiter = 0;
  memset(pool->tid, 0, sizeof pool->tid);
  pool->claim = 0;
  pool->body = 0;
  pool->arg = 0;
  pool->n = pool->base = pool->finished = 0;
  if (pthread_mutex_init(&pool->mu, NULL)) return RT_ERR_THREADS;
  if (pthread_mutex_init(&pool->submit, NULL)) {
    pthread_mutex_destroy(&pool->mu);
    return RT_ERR_THREADS;
  }
  if (pthread_cond_init(&pool->wake, NULL)) {
    pthread_mutex_destroy(&pool->mu);
    pthread_mutex_destroy(&pool->submit);
    return RT_ERR_THREADS;
  }
  if (pthread_cond_init(&pool->done, NULL)) {
    pthread_mutex_destroy(&pool->mu);
    pthread_mutex_destroy(&pool->submit);
    pthread_cond_destroy(&pool->wake);
    return RT_ERR_THREADS;
  }
  for (i = 0; i < threads - 1; i++) {
    if (start_worker(pool, &pool->th[i])) {
      rt_pool_stop(pool);
      return RT_ERR_THREADS;
    }
    pool->workers++;
  }
  return RT_OK;
}

void rt_pool_stop(rt_pool *pool) {
  int i;
  __atomic_store_n(&pool->stop, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock(&pool->mu);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mu);
  for (i = 0; i < pool->workers; i++) pthread_join(pool->th[i], NULL);
  pool->workers = 0;
  destroy(pool);
}

/* Publishes tasks [base, base + n) of body as the next job, runs the
 * first itself, helps with the rest and waits for the last. */
static void run_job(rt_pool *pool, int64_t base, int64_t n, rt_task_fn body, void *arg) {
  /* only a submitter (holding submit) writes a job, so this is the last one's word */
  const uint64_t last = job_of(__atomic_load_n(&pool->claim, __ATOMIC_RELAXED));
  int k;
  /* First the last job's word is closed (a job number of its own, no task
   * left): a thread still on the last job fails every claim from here on.
   * The fields are stored after it, with release, and read with acquire,
   * so a thread that reads any of the new ones fails its claim too; else
   * it could claim a last-job task with this job's fields. */
  __atomic_store_n(&pool->claim, (last + 1) << TASK_BITS | TASK_MASK, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->body, body, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->arg, arg, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->n, n, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->base, base, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->finished, 0, __ATOMIC_RELAXED);
  /* task 0 is the submitter's, claimed as the job is published */
  __atomic_store_n(&pool->claim, (last + 2) << TASK_BITS | 1u, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&pool->sleepers, __ATOMIC_SEQ_CST)) {
    cpu_mask_saved m[RT_POOL_MAX_THREADS - 1];
    int i;
    int tid[RT_POOL_MAX_THREADS - 1];
    for (i = 0; i < pool->workers; i++) avoid_my_cpu(tid[i] = __atomic_load_n(&pool->tid[i], __ATOMIC_RELAXED), &m[i]);
    pthread_mutex_lock(&pool->mu);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mu);
    for (i = 0; i < pool->workers; i++) give_back(tid[i], &m[i]);
  }
  body(arg, base);
  task_finished(pool, n);
  run_tasks(pool, __atomic_load_n(&pool->claim, __ATOMIC_ACQUIRE));
  for (k = 0; k < SPIN_POLLS && __atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n; k++) cpu_relax();
  if (__atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n) {
    pthread_mutex_lock(&pool->mu);
    pool->waiter = thread_id();
    __atomic_store_n(&pool->waiting, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&pool->finished, __ATOMIC_SEQ_CST) < n) pthread_cond_wait(&pool->done, &pool->mu);
    __atomic_store_n(&pool->waiting, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&pool->mu);
  }
}

void rt_pool_parallel_for(void *user, int64_t n, rt_task_fn body, void *arg) {
  rt_pool *pool = (rt_pool *)user;
  int64_t i;
  if (n <= 0) return;
  if (pool->workers == 0 || n == 1) { /* nobody to hand anything to */
    for (i = 0; i < n; i++) body(arg, i);
    return;
  }
  pthread_mutex_lock(&pool->submit);
  for (i = 0; i < n; i += JOB_MAX_TASKS) run_job(pool, i, n - i < JOB_MAX_TASKS ? n - i : JOB_MAX_TASKS, body, arg);
  pthread_mutex_unlock(&pool->submit);
}

rt_parallel rt_pool_parallel(rt_pool *pool) {
  rt_parallel par;
  par.parallel_for = rt_pool_parallel_for;
  par.user = pool;
  par.tasks = 0;
  par.task_stride = 0;
  return par;
}
#else
/* No POSIX threads: a program supplies its own parallel_for. */
typedef int rt_threads_none;
#endif
