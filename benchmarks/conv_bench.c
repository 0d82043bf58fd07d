/* Conv kernel throughput on one core, without the compiler in the loop:
 * the Conv shapes of resnet18 and mobilenet_v2's 1x1s through the two
 * kernel variants the compiler chooses between for constant weights:
 * "gemm" (rt_conv_f32_im2col_packed, or _pointwise_packed for 1x1 stride 1)
 * and "nchwc" (rt_conv_f32_nchwc_packed), and the blocked conv the
 * layout-nchwc pass runs in a chain of convs ("block",
 * rt_conv_f32_nchwc_blocked on X and Y already blocked; for the first
 * convs, of 3 input channels, rt_conv_f32_nchwc_stem on X's NCHW planes
 * writing Y blocked), in the same run,
 * each result checked against a plain double-precision loop. Times are this thread's
 * CPU time, the best of several trials: on a shared machine that is what
 * the core does while we have it. The % columns divide by the FMA peak
 * (peak_kernel.h) timed between those trials, the best of its trials for
 * each shape: this VM's clock moves by 10 % and more from one minute to
 * the next, so a peak measured once before would make the same kernel
 * read 75 % in one run and 90 % in the next. A tool for tuning the
 * kernels, not a test; nothing in the build compiles it. From the
 * repository root:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include -Iruntime/src \
 *      benchmarks/conv_bench.c runtime/src/conv.c runtime/src/conv_nchwc.c \
 *      runtime/src/nchwc_core.c runtime/src/nchwc_blocked.c runtime/src/nchwc_stem.c runtime/src/gemm.c runtime/src/gemv_packed.c runtime/src/sgemm_avx512.c \
 *      runtime/src/epilogue.c runtime/src/parallel.c -lm -o /tmp/conv_bench
 *   /tmp/conv_bench [NAME]   (only the shapes whose name contains NAME)
 *
 * benchmarks/run.py --shapes times the same shapes through whole onnxcc
 * programs against ONNX Runtime. */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#include "bench_util.h"
#include "peak_kernel.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/kernels/nchwc.h"

typedef struct shape {
  const char *name;
  long cin, h, w, cout, k, s;
} shape;

static const shape SHAPES[] = {
    {"resnet18 conv1 7x7 s2", 3, 224, 224, 64, 7, 2},
    {"mobilenet_v2 conv1 3x3 s2", 3, 224, 224, 32, 3, 2},
    {"mobilenet_v3 conv1 3x3 s2", 3, 224, 224, 16, 3, 2},
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

/* The best FMA peak timed so far for this shape, in GFLOP/s, and what the
 * peak trials return (kept, so the compiler cannot drop them). */
static double shape_peak;
static float peak_sink;

/* One peak trial of about a millisecond, into shape_peak. */
static void peak_trial(void) {
  const long iters = 600000;
  double t0 = now(), dt;
  peak_sink += peak_kernel(iters);
  dt = now() - t0;
  if (dt > 0 && peak_flops(iters) / dt * 1e-9 > shape_peak) shape_peak = peak_flops(iters) / dt * 1e-9;
}

/* Best time of one call of fn over 11 trials of `reps` calls, each
 * followed by a peak trial. */
static double best_time(rt_kernel_fn fn, const rt_conv_params *p, const void *const *in, void *const *out,
                        void *scratch, long reps) {
  double best = 1e30;
  long rep, trial;
  for (trial = 0; trial < 11; trial++) {
    double t0 = now(), dt;
    for (rep = 0; rep < reps; rep++) fn(p, in, out, scratch);
    dt = (now() - t0) / (double)reps;
    if (dt < best) best = dt;
    peak_trial();
  }
  return best;
}

static void report(const char *variant, double t, double flops, double err) {
  printf("  %-5s %8.3f ms %6.1f GFLOP/s %4.0f%%  err %.1e", variant, t * 1e3, flops / t * 1e-9,
         100.0 * flops / t * 1e-9 / shape_peak, err);
}

int main(int argc, char **argv) {
  unsigned seed = 1;
  size_t i;
  printf("%-28s  %-42s  %-42s  nchwc/gemm  %-42s  blocked/gemm  peak GFLOP/s\n", "shape",
         "gemm (im2col/pointwise_packed)", "nchwc_packed", "nchwc_blocked (X, Y blocked)");
  for (i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
    const shape *sh = &SHAPES[i];
    rt_conv_params p;
    const long pad = sh->k / 2, oh = (sh->h + 2 * pad - sh->k) / sh->s + 1, ow = (sh->w + 2 * pad - sh->k) / sh->s + 1;
    const int pointwise = sh->k == 1 && sh->s == 1, stem = sh->cin < 8;
    float *x, *w, *wp, *wn, *ws, *b, *y, *xb, *yb;
    rt_nchwc_reorder_params rx, ry;
    size_t scratch_blocked;
    double t_blocked;
    void *scratch;
    const void *in[RT_MIN_ARGS] = {0};
    void *out[RT_MIN_ARGS] = {0};
    size_t scratch_gemm, scratch_nchwc;
    double flops, t_gemm, t_nchwc, e_gemm, e_nchwc, e_blocked;
    long reps;
    if (argc > 1 && !strstr(sh->name, argv[1])) continue;
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
    scratch_gemm =
        pointwise ? rt_conv_f32_pointwise_packed_scratch_bytes(&p) : rt_conv_f32_im2col_packed_scratch_bytes(&p);
    scratch_nchwc = rt_conv_f32_nchwc_packed_scratch_bytes(&p);
    x = alloc64(sizeof(float) * (size_t)(sh->cin * sh->h * sh->w));
    w = alloc64(sizeof(float) * (size_t)(sh->cout * sh->cin * sh->k * sh->k));
    wp = alloc64(sizeof(float) * (size_t)rt_conv_f32_packed_floats(&p));
    wn = alloc64(sizeof(float) * (size_t)rt_conv_f32_nchwc_packed_floats(&p));
    b = alloc64(sizeof(float) * (size_t)sh->cout);
    y = alloc64(sizeof(float) * (size_t)(sh->cout * oh * ow));
    scratch_blocked = stem ? rt_conv_f32_nchwc_stem_scratch_bytes(&p) : rt_conv_f32_nchwc_blocked_scratch_bytes(&p);
    ws = alloc64(sizeof(float) * (size_t)rt_conv_f32_nchwc_stem_floats(&p));
    if (scratch_blocked > scratch_nchwc) scratch_nchwc = scratch_blocked;
    scratch = alloc64(scratch_gemm > scratch_nchwc ? scratch_gemm : scratch_nchwc);
    xb = alloc64(sizeof(float) * (size_t)((sh->cin + 15) / 16 * 16 * sh->h * sh->w));
    yb = alloc64(sizeof(float) * (size_t)((sh->cout + 15) / 16 * 16 * oh * ow));
    fill(x, sh->cin * sh->h * sh->w, &seed);
    fill(w, sh->cout * sh->cin * sh->k * sh->k, &seed);
    fill(b, sh->cout, &seed);
    rt_conv_f32_pack_weights(&p, w, wp);
    rt_conv_f32_nchwc_pack_weights(&p, w, wn);
    in[0] = x;
    in[2] = b;
    out[0] = y;
    flops = 2.0 * sh->cout * oh * ow * sh->cin * sh->k * sh->k;
    reps = (long)(2e8 / flops) + 1;
    shape_peak = 0.0;
    in[1] = wp;
    t_gemm = best_time(pointwise ? rt_conv_f32_pointwise_packed : rt_conv_f32_im2col_packed, &p, in, out, scratch,
                       reps);
    e_gemm = check(&p, x, w, b, y);
    in[1] = wn;
    t_nchwc = best_time(rt_conv_f32_nchwc_packed, &p, in, out, scratch, reps);
    e_nchwc = check(&p, x, w, b, y);
    /* the blocked conv on X and Y already blocked, as in a chain of
     * blocked convs: the layout changes are outside the timing */
    rx.batch = ry.batch = 1;
    rx.channels = sh->cin;
    rx.spatial = sh->h * sh->w;
    ry.channels = sh->cout;
    ry.spatial = oh * ow;
    in[0] = x;
    out[0] = xb;
    rt_nchwc_to_blocked_f32(&rx, in, out, NULL);
    in[0] = xb;
    out[0] = yb;
    if (stem) { /* the layout pass runs a first conv of a few channels on X's planes */
      rt_conv_f32_nchwc_stem_pack_weights(&p, w, ws);
      in[0] = x;
      in[1] = ws;
      t_blocked = best_time(rt_conv_f32_nchwc_stem, &p, in, out, scratch, reps);
    } else {
      t_blocked = best_time(rt_conv_f32_nchwc_blocked, &p, in, out, scratch, reps);
    }
    in[0] = yb;
    out[0] = y;
    rt_nchwc_from_blocked_f32(&ry, in, out, NULL);
    in[0] = x;
    e_blocked = check(&p, x, w, b, y);
    /* printed once all trials are in: every % divides by the same peak */
    printf("%-28s", sh->name);
    report("gemm", t_gemm, flops, e_gemm);
    report("nchwc", t_nchwc, flops, e_nchwc);
    printf("  %5.2f     ", t_nchwc / t_gemm);
    report("block", t_blocked, flops, e_blocked);
    printf("  %5.2f     %6.1f\n", t_blocked / t_gemm, shape_peak);
    free(xb);
    free(yb);
    free(x);
    free(w);
    free(wp);
    free(wn);
    free(ws);
    free(b);
    free(y);
    free(scratch);
  }
  return peak_sink == 12345.0f; /* never: keeps the peak trials */
}
