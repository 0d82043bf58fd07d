/* Conv kernel throughput on one core, without the compiler in the loop:
 * the Conv shapes of resnet18 and mobilenet_v2's 1x1s through the kernel
 * variant the compiler picks for constant weights (rt_conv_f32_im2col_packed,
 * or _pointwise_packed for 1x1 stride 1), each result checked against a
 * plain double-precision loop. Times are this thread's CPU time, the best
 * of several trials: on a shared machine that is what the core does while
 * we have it. A tool for tuning the micro-kernel, packing and blocking, not
 * a test; nothing in the build compiles it. From the repository root:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include -Iruntime/src \
 *      benchmarks/conv_bench.c runtime/src/conv.c runtime/src/gemm.c \
 *      runtime/src/sgemm_avx512.c runtime/src/conv_depthwise.c \
 *      runtime/src/parallel.c runtime/src/epilogue.c -lm -o /tmp/conv_bench
 *   /tmp/conv_bench [peak GFLOP/s [NAME]]   (% of the peak when given, see
 *                                            peak.c; only shapes whose name
 *                                            contains NAME)
 *
 * The depthwise shapes of mobilenet_v2, mobilenet_v3_small and
 * efficientnet_b0 (3x3 and 5x5, stride 1 and 2, "same" pads) follow,
 * through rt_conv_f32_depthwise2d (runtime/src/conv_depthwise.c), with
 * the median of 9 trials. Built with -DDW_BASELINE and an older conv.c's
 * depthwise kernel renamed old_rt_conv_f32_depthwise2d, it times both,
 * alternating trial by trial so that the machine's load falls on both,
 * and says whether their outputs are the same bits:
 *
 *   git show REV:runtime/src/conv.c > /tmp/conv_old.c
 *   cc -O3 -march=native -std=c99 -Iruntime/include -Iruntime/src \
 *      -c /tmp/conv_old.c -o /tmp/conv_old.o
 *   objcopy --keep-global-symbol=rt_conv_f32_depthwise2d \
 *      --keep-global-symbol=rt_conv_f32_depthwise2d_scratch_bytes \
 *      --redefine-sym rt_conv_f32_depthwise2d=old_rt_conv_f32_depthwise2d \
 *      --redefine-sym rt_conv_f32_depthwise2d_scratch_bytes=old_rt_conv_f32_depthwise2d_scratch_bytes \
 *      /tmp/conv_old.o
 *   cc (the command above) -DDW_BASELINE /tmp/conv_old.o -o /tmp/conv_bench
 *
 * (REV: a commit whose conv.c still has rt_conv_f32_depthwise2d, such as
 * ba0ac89.)
 *
 * benchmarks/run.py --shapes times the same shapes through whole onnxcc
 * programs against ONNX Runtime. */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxcc/kernels/conv.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill(float *x, long n, unsigned *seed) {
  long i;
  for (i = 0; i < n; i++) {
    *seed = *seed * 1103515245u + 12345u;
    x[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
}

typedef struct shape {
  const char *name;
  long cin, h, w, cout, k, s;
} shape;

static const shape SHAPES[] = {
    {"resnet18 conv1 7x7 s2", 3, 224, 224, 64, 7, 2},
    {"resnet18 3x3 s1 64", 64, 56, 56, 64, 3, 1},
    {"resnet18 3x3 s2 64->128", 64, 56, 56, 128, 3, 2},
    {"resnet18 3x3 s1 128", 128, 28, 28, 128, 3, 1},
    {"resnet18 1x1 s2 64->128", 64, 56, 56, 128, 1, 2},
    {"resnet18 3x3 s2 128->256", 128, 28, 28, 256, 3, 2},
    {"resnet18 3x3 s1 256", 256, 14, 14, 256, 3, 1},
    {"resnet18 1x1 s2 128->256", 128, 28, 28, 256, 1, 2},
    {"resnet18 3x3 s2 256->512", 256, 14, 14, 512, 3, 2},
    {"resnet18 3x3 s1 512", 512, 7, 7, 512, 3, 1},
    {"resnet18 1x1 s2 256->512", 256, 14, 14, 512, 1, 2},
    {"mobilenet 1x1 32->16 112", 32, 112, 112, 16, 1, 1},
    {"mobilenet 1x1 16->96 112", 16, 112, 112, 96, 1, 1},
    {"mobilenet 1x1 144->24 56", 144, 56, 56, 24, 1, 1},
    {"mobilenet 1x1 24->144 56", 24, 56, 56, 144, 1, 1},
    {"mobilenet 1x1 192->64 14", 192, 14, 14, 64, 1, 1},
    {"mobilenet 1x1 384->96 14", 384, 14, 14, 96, 1, 1},
    {"mobilenet 1x1 960->320 7", 960, 7, 7, 320, 1, 1},
    {"mobilenet 1x1 320->1280 7", 320, 7, 7, 1280, 1, 1},
};

/* Largest |got - want| over the largest |want|, in double. */
static double check(const rt_conv_params *p, const float *x, const float *w, const float *b, const float *y) {
  const long oh = p->out_dims[0], ow = p->out_dims[1], ih = p->in_dims[0], iw = p->in_dims[1];
  const long k = p->kernel[0], s = p->strides[0], pad = p->pads[0];
  double err = 0.0, big = 0.0;
  long m, r, t, c, kr, kc;
  for (m = 0; m < p->out_ch; m++)
    for (r = 0; r < oh; r++)
      for (t = 0; t < ow; t++) {
        double acc = b[m];
        for (c = 0; c < p->in_ch; c++)
          for (kr = 0; kr < k; kr++)
            for (kc = 0; kc < k; kc++) {
              const long yy = r * s - pad + kr, xx = t * s - pad + kc;
              if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
              acc += (double)w[((m * p->in_ch + c) * k + kr) * k + kc] * x[(c * ih + yy) * iw + xx];
            }
        err = fmax(err, fabs(acc - y[(m * oh + r) * ow + t]));
        big = fmax(big, fabs(acc));
      }
  return big > 0 ? err / big : err;
}

/* ---- depthwise ---- */

typedef struct dw_shape {
  const char *name;
  long c, h, w, k, s;
} dw_shape;

/* Each (channels, plane, kernel, stride) once, in the order of the first
 * model that has it: v2 mobilenet_v2, v3 mobilenet_v3_small, b0
 * efficientnet_b0. */
static const dw_shape DW_SHAPES[] = {
    {"dw v2 32x112 k3 s1", 32, 112, 112, 3, 1},   {"dw v2 96x112 k3 s2", 96, 112, 112, 3, 2},
    {"dw v2 144x56 k3 s1", 144, 56, 56, 3, 1},    {"dw v2 144x56 k3 s2", 144, 56, 56, 3, 2},
    {"dw v2 192x28 k3 s1", 192, 28, 28, 3, 1},    {"dw v2 192x28 k3 s2", 192, 28, 28, 3, 2},
    {"dw v2 384x14 k3 s1", 384, 14, 14, 3, 1},    {"dw v2 576x14 k3 s1", 576, 14, 14, 3, 1},
    {"dw v2 576x14 k3 s2", 576, 14, 14, 3, 2},    {"dw v2 960x7 k3 s1", 960, 7, 7, 3, 1},
    {"dw v3 16x112 k3 s2", 16, 112, 112, 3, 2},   {"dw v3 72x56 k3 s2", 72, 56, 56, 3, 2},
    {"dw v3 88x28 k3 s1", 88, 28, 28, 3, 1},      {"dw v3 96x28 k5 s2", 96, 28, 28, 5, 2},
    {"dw v3 240x14 k5 s1", 240, 14, 14, 5, 1},    {"dw v3 120x14 k5 s1", 120, 14, 14, 5, 1},
    {"dw v3 144x14 k5 s1", 144, 14, 14, 5, 1},    {"dw v3 288x14 k5 s2", 288, 14, 14, 5, 2},
    {"dw v3 576x7 k5 s1", 576, 7, 7, 5, 1},       {"dw b0 144x56 k5 s2", 144, 56, 56, 5, 2},
    {"dw b0 240x28 k5 s1", 240, 28, 28, 5, 1},    {"dw b0 240x28 k3 s2", 240, 28, 28, 3, 2},
    {"dw b0 480x14 k3 s1", 480, 14, 14, 3, 1},    {"dw b0 480x14 k5 s1", 480, 14, 14, 5, 1},
    {"dw b0 672x14 k5 s1", 672, 14, 14, 5, 1},    {"dw b0 672x14 k5 s2", 672, 14, 14, 5, 2},
    {"dw b0 1152x7 k5 s1", 1152, 7, 7, 5, 1},     {"dw b0 1152x7 k3 s1", 1152, 7, 7, 3, 1},
};

#ifdef DW_BASELINE
void old_rt_conv_f32_depthwise2d(const void *params, const void *const *in, void *const *out, void *scratch);
size_t old_rt_conv_f32_depthwise2d_scratch_bytes(const rt_conv_params *p);
#endif

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Seconds per call of fn, timed over `reps` calls. */
static double time_calls(rt_kernel_fn fn, const rt_conv_params *p, const void *const *in, void *const *out,
                         void *scratch, long reps) {
  double t0 = now();
  long rep;
  for (rep = 0; rep < reps; rep++) fn(p, in, out, scratch);
  return (now() - t0) / (double)reps;
}

/* check() for a depthwise conv: output channel m reads input channel m. */
static double dw_check(const rt_conv_params *p, const float *x, const float *w, const float *b, const float *y) {
  const long oh = p->out_dims[0], ow = p->out_dims[1], ih = p->in_dims[0], iw = p->in_dims[1];
  const long k = p->kernel[0], s = p->strides[0], pad = p->pads[0];
  double err = 0.0, big = 0.0;
  long m, r, t, kr, kc;
  for (m = 0; m < p->out_ch; m++)
    for (r = 0; r < oh; r++)
      for (t = 0; t < ow; t++) {
        double acc = b[m];
        for (kr = 0; kr < k; kr++)
          for (kc = 0; kc < k; kc++) {
            const long yy = r * s - pad + kr, xx = t * s - pad + kc;
            if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
            acc += (double)w[(m * k + kr) * k + kc] * x[(m * ih + yy) * iw + xx];
          }
        err = fmax(err, fabs(acc - y[(m * oh + r) * ow + t]));
        big = fmax(big, fabs(acc));
      }
  return big > 0 ? err / big : err;
}

#define DW_TRIALS 9

static void bench_depthwise(double peak, const char *filter) {
  size_t i;
  unsigned seed = 7;
  printf("\n%-22s %9s %8s", "depthwise", "new ms", "GFLOP/s");
  if (peak > 0) printf(" %5s", "peak");
#ifdef DW_BASELINE
  printf(" %9s %8s %7s %5s", "old ms", "GFLOP/s", "speedup", "bits");
#endif
  printf("  %s\n", "err");
  for (i = 0; i < sizeof DW_SHAPES / sizeof DW_SHAPES[0]; i++) {
    const dw_shape *sh = &DW_SHAPES[i];
    const long pad = sh->k / 2, oh = (sh->h + 2 * pad - sh->k) / sh->s + 1, ow = (sh->w + 2 * pad - sh->k) / sh->s + 1;
    const long ny = sh->c * oh * ow;
    rt_conv_params p;
    float *x, *w, *b, *y;
    void *scratch;
    const void *in[RT_MIN_ARGS] = {0};
    void *out[RT_MIN_ARGS] = {0};
    double t_new[DW_TRIALS], flops, err;
    long reps, trial;
#ifdef DW_BASELINE
    double t_old[DW_TRIALS];
    float *y_old;
    void *scratch_old;
    int same;
#endif
    if (filter && !strstr(sh->name, filter)) continue;
    memset(&p, 0, sizeof p);
    p.nd = 2;
    p.group = (int)sh->c;
    p.has_bias = 1;
    p.batch = 1;
    p.in_ch = p.out_ch = sh->c;
    p.in_dims[0] = sh->h;
    p.in_dims[1] = sh->w;
    p.out_dims[0] = oh;
    p.out_dims[1] = ow;
    p.kernel[0] = p.kernel[1] = sh->k;
    p.strides[0] = p.strides[1] = sh->s;
    p.dilations[0] = p.dilations[1] = 1;
    p.pads[0] = p.pads[1] = pad;
    x = malloc(sizeof(float) * (size_t)(sh->c * sh->h * sh->w));
    w = malloc(sizeof(float) * (size_t)(sh->c * sh->k * sh->k));
    b = malloc(sizeof(float) * (size_t)sh->c);
    y = malloc(sizeof(float) * (size_t)ny);
    scratch = malloc(rt_conv_f32_depthwise2d_scratch_bytes(&p));
    fill(x, sh->c * sh->h * sh->w, &seed);
    fill(w, sh->c * sh->k * sh->k, &seed);
    fill(b, sh->c, &seed);
    in[0] = x;
    in[1] = w;
    in[2] = b;
    flops = 2.0 * (double)ny * (double)(sh->k * sh->k);
    reps = (long)(3e7 / flops) + 1;
#ifdef DW_BASELINE
    y_old = malloc(sizeof(float) * (size_t)ny);
    scratch_old = malloc(old_rt_conv_f32_depthwise2d_scratch_bytes(&p));
#endif
    for (trial = 0; trial < DW_TRIALS; trial++) {
      out[0] = y;
      t_new[trial] = time_calls(rt_conv_f32_depthwise2d, &p, in, out, scratch, reps);
#ifdef DW_BASELINE
      out[0] = y_old;
      t_old[trial] = time_calls(old_rt_conv_f32_depthwise2d, &p, in, out, scratch_old, reps);
#endif
    }
    qsort(t_new, DW_TRIALS, sizeof(double), cmp_double);
    err = dw_check(&p, x, w, b, y);
    printf("%-22s %9.4f %8.1f", sh->name, t_new[DW_TRIALS / 2] * 1e3, flops / t_new[DW_TRIALS / 2] * 1e-9);
    if (peak > 0) printf(" %4.0f%%", 100.0 * flops / t_new[DW_TRIALS / 2] * 1e-9 / peak);
#ifdef DW_BASELINE
    qsort(t_old, DW_TRIALS, sizeof(double), cmp_double);
    same = memcmp(y, y_old, sizeof(float) * (size_t)ny) == 0;
    printf(" %9.4f %8.1f %6.2fx %5s", t_old[DW_TRIALS / 2] * 1e3, flops / t_old[DW_TRIALS / 2] * 1e-9,
           t_old[DW_TRIALS / 2] / t_new[DW_TRIALS / 2], same ? "same" : "DIFF");
    free(y_old);
    free(scratch_old);
#endif
    printf("  %.1e\n", err);
    free(x);
    free(w);
    free(b);
    free(y);
    free(scratch);
  }
}

int main(int argc, char **argv) {
  const double peak = argc > 1 ? atof(argv[1]) : 0.0;
  unsigned seed = 1;
  size_t i;
  for (i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
    const shape *sh = &SHAPES[i];
    rt_conv_params p;
    const long pad = sh->k / 2, oh = (sh->h + 2 * pad - sh->k) / sh->s + 1, ow = (sh->w + 2 * pad - sh->k) / sh->s + 1;
    const int pointwise = sh->k == 1 && sh->s == 1;
    float *x, *w, *wp, *b, *y;
    void *scratch;
    const void *in[RT_MIN_ARGS] = {0}; /* the kernels read slot RT_PARALLEL_SLOT */
    void *out[RT_MIN_ARGS] = {0};
    double best = 1e30, flops;
    long reps, rep, trial;
    if (argc > 2 && !strstr(sh->name, argv[2])) continue;
    memset(&p, 0, sizeof p);
    p.nd = 2;
    p.group = 1;
    p.has_bias = 1;
    p.batch = 1;
    p.in_ch = sh->cin;
    p.out_ch = sh->cout;
    p.in_dims[0] = sh->h;
    p.in_dims[1] = sh->w;
    p.out_dims[0] = oh;
    p.out_dims[1] = ow;
    p.kernel[0] = p.kernel[1] = sh->k;
    p.strides[0] = p.strides[1] = sh->s;
    p.dilations[0] = p.dilations[1] = 1;
    p.pads[0] = p.pads[1] = pad;
    x = malloc(sizeof(float) * (size_t)(sh->cin * sh->h * sh->w));
    w = malloc(sizeof(float) * (size_t)(sh->cout * sh->cin * sh->k * sh->k));
    wp = malloc(sizeof(float) * (size_t)rt_conv_f32_packed_floats(&p));
    b = malloc(sizeof(float) * (size_t)sh->cout);
    y = malloc(sizeof(float) * (size_t)(sh->cout * oh * ow));
    scratch = malloc(pointwise ? rt_conv_f32_pointwise_packed_scratch_bytes(&p)
                               : rt_conv_f32_im2col_packed_scratch_bytes(&p));
    fill(x, sh->cin * sh->h * sh->w, &seed);
    fill(w, sh->cout * sh->cin * sh->k * sh->k, &seed);
    fill(b, sh->cout, &seed);
    rt_conv_f32_pack_weights(&p, w, wp);
    in[0] = x;
    in[1] = wp;
    in[2] = b;
    out[0] = y;
    flops = 2.0 * sh->cout * oh * ow * sh->cin * sh->k * sh->k;
    reps = (long)(2e8 / flops) + 1;
    for (trial = 0; trial < 7; trial++) {
      double t0 = now(), dt;
      for (rep = 0; rep < reps; rep++) {
        if (pointwise) rt_conv_f32_pointwise_packed(&p, in, out, scratch);
        else rt_conv_f32_im2col_packed(&p, in, out, scratch);
      }
      dt = (now() - t0) / (double)reps;
      if (dt < best) best = dt;
    }
    printf("%-28s %8.3f ms %7.1f GFLOP/s", sh->name, best * 1e3, flops / best * 1e-9);
    if (peak > 0) printf(" %4.0f%%", 100.0 * flops / best * 1e-9 / peak);
    printf("  err %.1e\n", check(&p, x, w, b, y));
    free(x);
    free(w);
    free(wp);
    free(b);
    free(y);
    free(scratch);
  }
  bench_depthwise(peak, argc > 2 ? argv[2] : NULL);
  return 0;
}
