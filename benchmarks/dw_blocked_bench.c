/* The depthwise convs of mobilenet_v2 (3x3, Clip(0, 6) fused) and
 * efficientnet_b0 (5x5, SiLU fused; its 3x3 ones are mobilenet_v2's
 * shapes or close to them) through rt_conv_f32_depthwise_blocked on
 * blocked tensors (kernels/nchwc.h) and rt_conv_f32_depthwise2d on NCHW
 * ones, in the same run: batch 1, with bias, one thread. The trials of
 * the two alternate, so that both see the same load; each trial times
 * enough calls for about a millisecond of this thread's CPU time, and
 * the table shows the median trial of each, per call. The outputs are
 * compared bit for bit (the blocked one moved back to NCHW here) before
 * timing. A tool for tuning the kernel, not a test; nothing in the build
 * compiles it. From the repository root:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include -Iruntime/src \
 *      benchmarks/dw_blocked_bench.c runtime/src/conv_depthwise_blocked.c \
 *      runtime/src/conv_depthwise.c runtime/src/epilogue.c \
 *      runtime/src/parallel.c -lm -o /tmp/dw_blocked_bench
 *   /tmp/dw_blocked_bench [NAME [bare]]   (only the shapes whose name
 *                                          contains NAME, "" for all;
 *                                          bare: no fused activation)
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/kernels/nchwc.h"

#define TRIALS 21
#define TRIAL_SECONDS 1e-3

/* NCHW [c, sp] to blocked [ceil(c / 16), sp, 16] with zero pad lanes, and
 * back: plain loops, outside the timing. */
static void to_blocked(const float *x, long c, long sp, float *xb) {
  long ch, q, cb = (c + 15) / 16;
  memset(xb, 0, sizeof(float) * (size_t)(cb * sp * 16));
  for (ch = 0; ch < c; ch++)
    for (q = 0; q < sp; q++) xb[((ch / 16) * sp + q) * 16 + ch % 16] = x[ch * sp + q];
}

static void from_blocked(const float *xb, long c, long sp, float *x) {
  long ch, q;
  for (ch = 0; ch < c; ch++)
    for (q = 0; q < sp; q++) x[ch * sp + q] = xb[((ch / 16) * sp + q) * 16 + ch % 16];
}

typedef struct shape {
  const char *name;
  long c, hw, k, s;
} shape;

static const shape SHAPES[] = {
    {"mobilenet_v2 3x3 32x112 s1", 32, 112, 3, 1},   {"mobilenet_v2 3x3 96x112 s2", 96, 112, 3, 2},
    {"mobilenet_v2 3x3 144x56 s1", 144, 56, 3, 1},   {"mobilenet_v2 3x3 144x56 s2", 144, 56, 3, 2},
    {"mobilenet_v2 3x3 192x28 s1", 192, 28, 3, 1},   {"mobilenet_v2 3x3 192x28 s2", 192, 28, 3, 2},
    {"mobilenet_v2 3x3 384x14 s1", 384, 14, 3, 1},   {"mobilenet_v2 3x3 576x14 s1", 576, 14, 3, 1},
    {"mobilenet_v2 3x3 576x14 s2", 576, 14, 3, 2},   {"mobilenet_v2 3x3 960x7 s1", 960, 7, 3, 1},
    {"efficientnet_b0 5x5 144x56 s2", 144, 56, 5, 2}, {"efficientnet_b0 5x5 240x28 s1", 240, 28, 5, 1},
    {"efficientnet_b0 5x5 480x14 s1", 480, 14, 5, 1}, {"efficientnet_b0 5x5 672x14 s1", 672, 14, 5, 1},
    {"efficientnet_b0 5x5 672x14 s2", 672, 14, 5, 2}, {"efficientnet_b0 5x5 1152x7 s1", 1152, 7, 5, 1},
};

static int by_value(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Seconds of one call of fn, `reps` calls a trial. */
static double trial(rt_kernel_fn fn, const rt_conv_params *p, const void *const *in, void *const *out, void *scratch,
                    long reps) {
  const double t0 = now();
  long r;
  for (r = 0; r < reps; r++) fn(p, in, out, scratch);
  return (now() - t0) / (double)reps;
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : "";
  const int bare = argc > 2 && strcmp(argv[2], "bare") == 0;
  unsigned seed = 1;
  size_t i;
  printf("| shape | epilogue | depthwise2d (NCHW) ms | depthwise_blocked ms | NCHW / blocked | same bits |\n");
  printf("| --- | --- | --- | --- | --- | --- |\n");
  for (i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
    const shape *sh = &SHAPES[i];
    const long pad = sh->k / 2, oh = (sh->hw + 2 * pad - sh->k) / sh->s + 1, ow = oh, isp = sh->hw * sh->hw;
    const long cb = (sh->c + 15) / 16, ny = sh->c * oh * ow;
    const int efficientnet = strstr(sh->name, "efficientnet") != NULL;
    rt_conv_params p;
    float *x, *xb, *w, *wb, *b, *y, *yb, *back;
    void *scratch;
    const void *in[RT_MIN_ARGS] = {0}, *inb[RT_MIN_ARGS] = {0};
    void *out[RT_MIN_ARGS] = {0}, *outb[RT_MIN_ARGS] = {0};
    double t_nchw[TRIALS], t_blk[TRIALS], t0;
    size_t scratch_bytes;
    long reps = 1, k;
    if (!strstr(sh->name, only)) continue;
    memset(&p, 0, sizeof p);
    p.nd = 2;
    p.group = (int32_t)sh->c;
    p.has_bias = 1;
    p.batch = 1;
    p.in_ch = p.out_ch = sh->c;
    p.in_dims[0] = p.in_dims[1] = sh->hw;
    p.out_dims[0] = oh;
    p.out_dims[1] = ow;
    p.kernel[0] = p.kernel[1] = sh->k;
    p.strides[0] = p.strides[1] = sh->s;
    p.dilations[0] = p.dilations[1] = 1;
    p.pads[0] = p.pads[1] = pad;
    if (!bare) {
      p.act = efficientnet ? RT_ACT_SILU : RT_ACT_CLIP;
      p.act_a = 0.0f;
      p.act_b = 6.0f;
    }
    scratch_bytes = rt_conv_f32_depthwise2d_scratch_bytes(&p);
    if (rt_conv_f32_depthwise_blocked_scratch_bytes(&p) > scratch_bytes)
      scratch_bytes = rt_conv_f32_depthwise_blocked_scratch_bytes(&p);
    x = alloc64(sizeof(float) * (size_t)(sh->c * isp));
    xb = alloc64(sizeof(float) * (size_t)(cb * 16 * isp));
    w = alloc64(sizeof(float) * (size_t)(sh->c * sh->k * sh->k));
    wb = alloc64(sizeof(float) * (size_t)rt_conv_f32_depthwise_blocked_floats(&p));
    b = alloc64(sizeof(float) * (size_t)sh->c);
    y = alloc64(sizeof(float) * (size_t)ny);
    yb = alloc64(sizeof(float) * (size_t)(cb * 16 * oh * ow));
    back = alloc64(sizeof(float) * (size_t)ny);
    scratch = alloc64(scratch_bytes);
    fill(x, sh->c * isp, &seed);
    fill(w, sh->c * sh->k * sh->k, &seed);
    fill(b, sh->c, &seed);
    to_blocked(x, sh->c, isp, xb);
    rt_conv_f32_depthwise_blocked_pack_weights(&p, w, wb);
    in[0] = x, in[1] = w, in[2] = b, out[0] = y;
    inb[0] = xb, inb[1] = wb, inb[2] = b, outb[0] = yb;
    rt_conv_f32_depthwise2d(&p, in, out, scratch);
    rt_conv_f32_depthwise_blocked(&p, inb, outb, scratch);
    from_blocked(yb, sh->c, oh * ow, back);
    /* calls per trial: about TRIAL_SECONDS of the slower kernel */
    t0 = trial(rt_conv_f32_depthwise2d, &p, in, out, scratch, 1);
    if (trial(rt_conv_f32_depthwise_blocked, &p, inb, outb, scratch, 1) > t0)
      t0 = trial(rt_conv_f32_depthwise_blocked, &p, inb, outb, scratch, 1);
    reps = (long)(TRIAL_SECONDS / (t0 > 1e-7 ? t0 : 1e-7)) + 1;
    for (k = 0; k < TRIALS; k++) {
      t_nchw[k] = trial(rt_conv_f32_depthwise2d, &p, in, out, scratch, reps);
      t_blk[k] = trial(rt_conv_f32_depthwise_blocked, &p, inb, outb, scratch, reps);
    }
    qsort(t_nchw, TRIALS, sizeof(double), by_value);
    qsort(t_blk, TRIALS, sizeof(double), by_value);
    printf("| %s | %s | %.4f | %.4f | %.2f | %s |\n", sh->name, bare ? "none" : efficientnet ? "SiLU" : "Clip",
           t_nchw[TRIALS / 2] * 1e3, t_blk[TRIALS / 2] * 1e3, t_nchw[TRIALS / 2] / t_blk[TRIALS / 2],
           memcmp(y, back, sizeof(float) * (size_t)ny) == 0 ? "yes" : "NO");
    fflush(stdout);
    free(x), free(xb), free(w), free(wb), free(b), free(y), free(yb), free(back), free(scratch);
  }
  return 0;
}
