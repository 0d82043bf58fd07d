/* Where splitting a memory-bound kernel across two threads starts to pay:
 * the element-wise, pooling and normalisation kernels that
 * rt_parallel_ranges splits (runtime/include/onnxcc/parallel.h), each on a
 * range of sizes, run whole (no rt_parallel) and split in two through the
 * runtime's pthread pool, alternately, in the same run. Prints per kernel
 * and size the bytes the call moves, the median microseconds of each, and
 * whole / split. RT_SPLIT_MIN_BYTES (the smallest piece the runtime hands
 * to another thread) was chosen from these tables: on the 2-core machine of
 * issue 9 a split paid once each half moved about 64-128 KB (less for
 * Softmax, Sigmoid and MaxPool, which do more arithmetic per byte).
 *
 * The runtime sources are compiled with -DRT_SPLIT_MIN_BYTES=1, so that
 * every size splits and the table shows both sides of the break-even
 * point. Times are wall-clock (two threads), the median of ROUNDS calls
 * of each, interleaved; on a shared, loaded machine the small sizes are
 * noisy. A tool, not a test; nothing in the build compiles it. From the
 * repository root:
 *
 *   cc -O3 -march=native -std=c99 -pthread -DRT_SPLIT_MIN_BYTES=1 \
 *      -Iruntime/include -Iruntime/src benchmarks/split_bench.c \
 *      runtime/src/unary.c runtime/src/binary.c runtime/src/pool.c \
 *      runtime/src/norm.c runtime/src/epilogue.c runtime/src/parallel.c \
 *      runtime/src/threads.c -lm -o /tmp/split_bench
 *   /tmp/split_bench [THREADS]   (default 2) */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxcc/kernels.h"
#include "onnxcc/threads.h"

#define ROUNDS 201
#define MAX_FLOATS (1L << 21) /* 8 MB per buffer */

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return 1e6 * (double)ts.tv_sec + 1e-3 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

static float *x, *y, *z;

/* One kernel call: fn on params, with in[0..2] = x, z, z and out[0] = y. */
typedef struct call {
  const char *name;
  rt_kernel_fn fn;
  const void *params;
  const void *in1, *in2, *in3, *in4;
  double bytes; /* what the call reads and writes */
} call;

/* Times c whole and split (par), interleaved; prints one row. */
static void time_call(const call *c, const rt_parallel *par) {
  static double whole[ROUNDS], split[ROUNDS];
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  int r;
  in[0] = x, in[1] = c->in1, in[2] = c->in2, in[3] = c->in3, in[4] = c->in4;
  out[0] = y;
  for (r = 0; r < ROUNDS; r++) {
    double t0;
    in[RT_PARALLEL_SLOT] = NULL;
    t0 = now_us();
    c->fn(c->params, in, out, z);
    whole[r] = now_us() - t0;
    in[RT_PARALLEL_SLOT] = par;
    t0 = now_us();
    c->fn(c->params, in, out, z);
    split[r] = now_us() - t0;
  }
  {
    const double w = median(whole, ROUNDS), s = median(split, ROUNDS);
    printf("%-16s %10.0f %10.2f %10.2f %8.2f\n", c->name, c->bytes / 1024.0, w, s, w / s);
  }
}

int main(int argc, char **argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  static const long sizes[] = {1024, 4096, 8192, 16384, 32768, 65536, 262144, 1048576};
  rt_pool pool;
  rt_parallel par;
  long i;
  size_t k;
  x = malloc(sizeof(float) * MAX_FLOATS);
  y = malloc(sizeof(float) * MAX_FLOATS);
  z = malloc(sizeof(float) * MAX_FLOATS);
  if (!x || !y || !z || threads < 2 || rt_pool_start(&pool, threads) != RT_OK) {
    fprintf(stderr, "split_bench: cannot start (threads >= 2?)\n");
    return 1;
  }
  par = rt_pool_parallel(&pool);
  par.tasks = threads;
  for (i = 0; i < MAX_FLOATS; i++) {
    x[i] = (float)((i * 7919) % 2001) / 1000.0f - 1.0f;
    z[i] = 0.5f + (float)(i % 13) / 13.0f; /* positive: a variance, a divisor */
  }
  printf("%d threads, median of %d calls each; KB: what one call reads and writes\n", threads, ROUNDS);
  printf("%-16s %10s %10s %10s %8s\n", "kernel", "KB", "whole us", "split us", "speedup");
  for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    const long n = sizes[k];
    rt_unary_params u;
    rt_binary_params b;
    rt_pool_params mp;
    rt_globalpool_params gp;
    rt_batchnorm_params bn;
    rt_softmax_params sm;
    call c;
    const long hw = (long)sqrt((double)(n / 64)) > 2 ? (long)sqrt((double)(n / 64)) : 2; /* 64 planes of hw x hw */
    memset(&u, 0, sizeof u);
    u.count = n;
    c.in1 = c.in2 = c.in3 = c.in4 = z;
    c.name = "relu", c.fn = rt_relu_f32, c.params = &u, c.bytes = 8.0 * (double)n;
    time_call(&c, &par);
    c.name = "sigmoid", c.fn = rt_sigmoid_f32;
    time_call(&c, &par);
    /* Add of two same-shape tensors, and Mul by one value per channel (a
     * squeeze-excitation scale: 64 channels of n / 64) */
    memset(&b, 0, sizeof b);
    b.rank = 2, b.dims[0] = 64, b.dims[1] = n / 64;
    b.a_strides[0] = n / 64, b.a_strides[1] = 1, b.b_strides[0] = n / 64, b.b_strides[1] = 1;
    c.name = "add", c.fn = rt_add_f32, c.params = &b, c.bytes = 12.0 * (double)n;
    time_call(&c, &par);
    b.b_strides[0] = 1, b.b_strides[1] = 0;
    c.name = "mul by channel", c.fn = rt_mul_f32, c.bytes = 8.0 * (double)n;
    time_call(&c, &par);
    /* MaxPool 3x3 stride 2 over 64 planes of hw x hw */
    memset(&mp, 0, sizeof mp);
    mp.planes = 64;
    mp.in_dims[0] = 1, mp.in_dims[1] = mp.in_dims[2] = hw;
    mp.out_dims[0] = 1, mp.out_dims[1] = mp.out_dims[2] = (hw - 3) / 2 + 1;
    mp.kernel[0] = 1, mp.kernel[1] = mp.kernel[2] = 3;
    mp.strides[0] = 1, mp.strides[1] = mp.strides[2] = 2;
    mp.dilations[0] = mp.dilations[1] = mp.dilations[2] = 1;
    c.name = "maxpool 3x3/2", c.fn = rt_maxpool_f32, c.params = &mp;
    c.bytes = 4.0 * 64.0 * (double)(hw * hw + mp.out_dims[1] * mp.out_dims[2]);
    time_call(&c, &par);
    memset(&gp, 0, sizeof gp);
    gp.planes = 64, gp.size = n / 64;
    c.name = "globalavgpool", c.fn = rt_globalavgpool_f32, c.params = &gp, c.bytes = 4.0 * (double)n;
    time_call(&c, &par);
    memset(&bn, 0, sizeof bn);
    bn.n = 1, bn.c = 64, bn.inner = n / 64, bn.epsilon = 1e-5f;
    c.name = "batchnorm", c.fn = rt_batchnorm_f32, c.params = &bn, c.bytes = 8.0 * (double)n;
    time_call(&c, &par);
    memset(&sm, 0, sizeof sm);
    sm.outer = n / 256, sm.n = 256, sm.inner = 1;
    c.name = "softmax rows", c.fn = rt_softmax_f32, c.params = &sm, c.bytes = 8.0 * (double)n;
    time_call(&c, &par);
  }
  rt_pool_stop(&pool);
  free(x);
  free(y);
  free(z);
  return 0;
}
