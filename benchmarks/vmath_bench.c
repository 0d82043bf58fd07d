/* ns per element of the float transcendental and normalisation kernels on
 * 1M-element arrays: each runtime kernel (rt_exp_f32, rt_softmax_f32, ...)
 * beside the same formula written with a libm call per element and plain
 * single-accumulator loops, as the kernels were before they were
 * vectorized (issue 9). The best of 7 passes; x is seeded uniform data in
 * [-8, 8). Also prints the largest difference between the two columns,
 * relative to the largest value, as a sanity check. A tool, not a test;
 * nothing in the build compiles it. By hand, from the repository root:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include benchmarks/vmath_bench.c \
 *      runtime/src/unary.c runtime/src/norm.c runtime/src/epilogue.c runtime/src/parallel.c \
 *      -lm -o /tmp/vmath_bench
 *   /tmp/vmath_bench */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxcc/kernels/elementwise.h"
#include "onnxcc/kernels/norm.h"

#define N (1L << 20)
#define ROW 1024 /* Softmax and LayerNormalization: N / ROW rows of ROW */
#define PASSES 7

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the libm versions: one libm call per element ---- */

static float clamp01(float v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }
#define LIBM_MAP(name, EXPR)                                      \
  static void name(const float *x, float *y) {                    \
    long i;                                                       \
    for (i = 0; i < N; i++) {                                     \
      const float v = x[i];                                       \
      y[i] = (EXPR);                                              \
    }                                                             \
  }
LIBM_MAP(libm_exp, expf(v))
LIBM_MAP(libm_sigmoid, 1.0f / (1.0f + expf(-v)))
LIBM_MAP(libm_tanh, tanhf(v))
LIBM_MAP(libm_erf, erff(v))
LIBM_MAP(libm_gelu, 0.5f * v * (1 + erff(v * 0.7071067811865476f)))
LIBM_MAP(libm_gelu_tanh, 0.5f * v * (1 + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v))))
LIBM_MAP(libm_silu, v / (1.0f + expf(-v)))
LIBM_MAP(libm_hard_swish, v * clamp01(v * (1.0f / 6.0f) + 0.5f))
LIBM_MAP(libm_hard_sigmoid, clamp01(0.2f * v + 0.5f))
LIBM_MAP(libm_elu, v >= 0 ? v : expf(v) - 1)

static void libm_softmax(const float *x, float *y) {
  long r, j;
  for (r = 0; r < N; r += ROW) {
    float m = x[r], s = 0;
    for (j = 1; j < ROW; j++) m = x[r + j] > m ? x[r + j] : m;
    for (j = 0; j < ROW; j++) s += y[r + j] = expf(x[r + j] - m);
    for (j = 0; j < ROW; j++) y[r + j] /= s;
  }
}

static void libm_layernorm(const float *x, float *y) {
  long r, j;
  for (r = 0; r < N; r += ROW) {
    float m = 0, v = 0, inv;
    for (j = 0; j < ROW; j++) m += x[r + j];
    m /= ROW;
    for (j = 0; j < ROW; j++) v += (x[r + j] - m) * (x[r + j] - m);
    inv = 1 / sqrtf(v / ROW + 1e-5f);
    for (j = 0; j < ROW; j++) y[r + j] = (x[r + j] - m) * inv;
  }
}

/* ---- the kernels ---- */

typedef void (*kernel_fn)(const void *, const void *const *, void *const *, void *);
static float ones[ROW]; /* LayerNormalization's scale */

static void run_kernel(kernel_fn k, const void *params, const float *x, float *y) {
  const void *in[RT_MIN_ARGS] = {x, ones, NULL};
  void *out[3] = {y, NULL, NULL};
  k(params, in, out, NULL);
}

typedef struct {
  const char *name;
  void (*libm)(const float *, float *);
  kernel_fn kernel;
  int params; /* 0 unary, 1 softmax, 2 layernorm */
} bench;

static const bench BENCHES[] = {
    {"exp", libm_exp, rt_exp_f32, 0},
    {"sigmoid", libm_sigmoid, rt_sigmoid_f32, 0},
    {"tanh", libm_tanh, rt_tanh_f32, 0},
    {"erf", libm_erf, rt_erf_f32, 0},
    {"gelu", libm_gelu, rt_gelu_f32, 0},
    {"gelu_tanh", libm_gelu_tanh, rt_gelu_tanh_f32, 0},
    {"silu", libm_silu, rt_silu_f32, 0},
    {"hard_swish", libm_hard_swish, rt_hard_swish_f32, 0},
    {"hard_sigmoid", libm_hard_sigmoid, rt_hard_sigmoid_f32, 0},
    {"elu", libm_elu, rt_elu_f32, 0},
    {"softmax", libm_softmax, rt_softmax_f32, 1},
    {"layernorm", libm_layernorm, rt_layernorm_f32, 2},
};

int main(void) {
  float *x = malloc(N * sizeof *x), *y0 = malloc(N * sizeof *y0), *y1 = malloc(N * sizeof *y1);
  rt_unary_params up;
  rt_softmax_params sp;
  rt_layernorm_params lp;
  const void *params[3] = {&up, &sp, &lp};
  unsigned seed = 1;
  long i;
  size_t b;
  if (!x || !y0 || !y1) return 1;
  for (i = 0; i < ROW; i++) ones[i] = 1;
  for (i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    x[i] = (float)((seed >> 8) & 0xffff) / 4096.0f - 8.0f;
  }
  memset(&up, 0, sizeof up);
  up.count = N, up.alpha = 0.2f, up.beta = 0.5f;
  memset(&sp, 0, sizeof sp);
  sp.outer = N / ROW, sp.n = ROW, sp.inner = 1;
  memset(&lp, 0, sizeof lp);
  lp.outer = N / ROW, lp.n = ROW, lp.scale_n = ROW, lp.bias_n = ROW, lp.epsilon = 1e-5f;
  printf("%-13s %10s %10s %8s %10s\n", "op", "libm ns/el", "kernel", "speedup", "max diff");
  for (b = 0; b < sizeof BENCHES / sizeof BENCHES[0]; b++) {
    const bench *t = &BENCHES[b];
    double best0 = 1e9, best1 = 1e9, diff = 0, big = 1e-30;
    int p;
    up.alpha = strcmp(t->name, "elu") == 0 ? 1.0f : 0.2f; /* Elu's default, HardSigmoid's */
    for (p = 0; p < PASSES; p++) {
      double t0 = now(), t1;
      t->libm(x, y0);
      t1 = now();
      if (t1 - t0 < best0) best0 = t1 - t0;
      run_kernel(t->kernel, params[t->params], x, y1);
      t0 = now();
      if (t0 - t1 < best1) best1 = t0 - t1;
    }
    for (i = 0; i < N; i++) {
      if (fabsf(y0[i]) > big) big = fabsf(y0[i]);
      if (fabsf(y0[i] - y1[i]) > diff) diff = fabsf(y0[i] - y1[i]);
    }
    printf("%-13s %10.3f %10.3f %7.1fx %10.2g\n", t->name, best0 * 1e9 / N, best1 * 1e9 / N, best0 / best1,
           diff / big);
  }
  free(x);
  free(y0);
  free(y1);
  return 0;
}
