/* The pthread pool of onnxcc/threads.h. Built only where the host has
 * POSIX threads (runtime/meson.build; the guard below keeps a runtime
 * built from every file of src/, as `onnxcc run` does, compiling elsewhere). */
#if defined(__unix__) || defined(__APPLE__)
#define _POSIX_C_SOURCE 200112L
#include "onnxcc/threads.h"

/* Takes tasks of the current job until none is left (mu held on entry
 * and exit; each task runs without it). */
static void take_tasks(rt_pool *pool) {
  while (pool->next < pool->n) {
    const int64_t i = pool->next++;
    rt_task_fn body = pool->body;
    void *arg = pool->arg;
    pthread_mutex_unlock(&pool->mu);
    body(arg, i);
    pthread_mutex_lock(&pool->mu);
    /* atomic: the submitter may be polling it without mu */
    if (__atomic_add_fetch(&pool->finished, 1, __ATOMIC_RELEASE) == pool->n) pthread_cond_signal(&pool->done);
  }
}

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

/* Polls (mu not held) until *word differs from `old`, or the budget runs
 * out; the caller then rechecks under mu. */
static void spin_while_equal(const unsigned long *word, unsigned long old) {
  int k;
  for (k = 0; k < SPIN_POLLS && __atomic_load_n(word, __ATOMIC_ACQUIRE) == old; k++) cpu_relax();
}

static void *worker(void *p) {
  rt_pool *pool = (rt_pool *)p;
  unsigned long seen;
  pthread_mutex_lock(&pool->mu);
  seen = pool->job;
  for (;;) {
    if (!pool->stop && pool->job == seen) {
      pthread_mutex_unlock(&pool->mu);
      spin_while_equal(&pool->job, seen);
      pthread_mutex_lock(&pool->mu);
    }
    while (!pool->stop && pool->job == seen) pthread_cond_wait(&pool->wake, &pool->mu);
    if (pool->stop) break;
    seen = pool->job;
    take_tasks(pool);
  }
  pthread_mutex_unlock(&pool->mu);
  return NULL;
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
  pool->stop = 0;
  pool->job = 0;
  pool->body = 0;
  pool->arg = 0;
  pool->n = pool->next = pool->finished = 0;
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
    if (pthread_create(&pool->th[i], NULL, worker, pool)) {
      rt_pool_stop(pool);
      return RT_ERR_THREADS;
    }
    pool->workers++;
  }
  return RT_OK;
}

void rt_pool_stop(rt_pool *pool) {
  int i;
  pthread_mutex_lock(&pool->mu);
  pool->stop = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mu);
  for (i = 0; i < pool->workers; i++) pthread_join(pool->th[i], NULL);
  pool->workers = 0;
  destroy(pool);
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
  pthread_mutex_lock(&pool->mu);
  pool->body = body;
  pool->arg = arg;
  pool->n = n;
  pool->next = 0;
  __atomic_store_n(&pool->finished, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->job, pool->job + 1, __ATOMIC_RELEASE); /* read unlocked by spinning workers */
  pthread_cond_broadcast(&pool->wake);
  take_tasks(pool); /* the submitting thread works too */
  if (pool->finished < pool->n) {
    const int64_t n = pool->n;
    int k;
    pthread_mutex_unlock(&pool->mu);
    for (k = 0; k < SPIN_POLLS && __atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n; k++) cpu_relax();
    pthread_mutex_lock(&pool->mu);
  }
  while (pool->finished < pool->n) pthread_cond_wait(&pool->done, &pool->mu);
  pthread_mutex_unlock(&pool->mu);
  pthread_mutex_unlock(&pool->submit);
}

rt_parallel rt_pool_parallel(rt_pool *pool) {
  rt_parallel par;
  par.parallel_for = rt_pool_parallel_for;
  par.user = pool;
  par.tasks = 0;
  return par;
}
#else
/* No POSIX threads: a program supplies its own parallel_for. */
typedef int rt_threads_none;
#endif
