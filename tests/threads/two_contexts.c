/* Two contexts of one --threads model, run at the same time from two
 * threads, each with its own arena and its own rt_pool, sharing the
 * embedded weights: every run must give the bits a plain one-thread
 * net_init run gives. Built under ThreadSanitizer and under
 * AddressSanitizer + UBSan by check_threads.py. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/threads.h>

#include "net.h"

#define RUNS 8

static float input[1 << 16], reference[1 << 16];

typedef struct worker {
  int ok;
} worker;

static void *run_context(void *arg) {
  worker *w = (worker *)arg;
  void *arena = malloc(NET_ARENA_BYTES + 16);
  float *out = malloc(net_outputs[0].bytes);
  const void *in[1];
  void *outs[1];
  rt_pool pool;
  rt_parallel par;
  net_ctx ctx;
  int r;
  w->ok = 0;
  if (!arena || !out || rt_pool_start(&pool, NET_THREADS) != RT_OK) return NULL;
  par = rt_pool_parallel(&pool);
  if (net_init_ex(&ctx, NULL, 0, arena, NET_ARENA_BYTES, &par) == RT_OK) {
    in[0] = input;
    outs[0] = out;
    w->ok = 1;
    for (r = 0; r < RUNS; r++) {
      memset(out, 0, net_outputs[0].bytes);
      if (net_run(&ctx, in, outs) != RT_OK || memcmp(out, reference, net_outputs[0].bytes) != 0) w->ok = 0;
    }
  }
  rt_pool_stop(&pool);
  free(arena);
  free(out);
  return NULL;
}

int main(void) {
  void *arena = malloc(NET_ARENA_BYTES + 16);
  const void *in[1];
  void *outs[1];
  net_ctx ctx;
  worker w[2];
  pthread_t t[2];
  unsigned s = 12345;
  size_t i;
  if (!arena || net_inputs[0].bytes > sizeof input || net_outputs[0].bytes > sizeof reference) return 2;
  for (i = 0; i < net_inputs[0].bytes / sizeof(float); i++) {
    s = s * 1664525u + 1013904223u;
    input[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  /* the reference: every task in this thread, one after another */
  if (net_init(&ctx, NULL, 0, arena, NET_ARENA_BYTES) != RT_OK) return 2;
  in[0] = input;
  outs[0] = reference;
  if (net_run(&ctx, in, outs) != RT_OK) return 2;
  free(arena);
  for (i = 0; i < 2; i++)
    if (pthread_create(&t[i], NULL, run_context, &w[i]) != 0) return 2;
  for (i = 0; i < 2; i++) pthread_join(t[i], NULL);
  if (!w[0].ok || !w[1].ok) {
    fprintf(stderr, "two_contexts: a context's output differs from one thread's\n");
    return 1;
  }
  puts("two_contexts: ok");
  return 0;
}
