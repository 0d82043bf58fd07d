/* The float recurrent kernels on one core: for each layer shape, rnn.c's
 * general kernel with the weights stored transposed (what the compiler
 * chose for constant float weights before the _proj variants) against
 * the _proj variant (rnn_proj.c: the input projection of a block of steps
 * as one matrix product against W packed beforehand, the recurrent
 * product blocked in registers), on the same weights and inputs. Prints the median ms per call of each, in
 * process CPU time (the machine is shared: time spent waiting for the
 * core is not counted), measured in alternating rounds of the same run,
 * their ratio, and the largest |difference| of Y between the two as a
 * sanity check (tests/unit/test_rnn.c is the test). A tool, not a test;
 * nothing in the build compiles it. By hand, from the repository root,
 * after building the runtime into build/:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include -Ibuild/runtime \
 *      benchmarks/rnn_bench.c build/runtime/libonnxcc_rt.a -lm -lpthread \
 *      -o /tmp/rnn_bench
 *   /tmp/rnn_bench        # every shape
 *   /tmp/rnn_bench 0      # the first shape only (for perf record) */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxcc/kernels/gemm.h"
#include "onnxcc/kernels/rnn.h"

#define ROUNDS 15

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill(float *x, long n, float scale, unsigned *seed) {
  long i;
  for (i = 0; i < n; i++) {
    *seed = *seed * 1103515245u + 12345u;
    x[i] = scale * ((float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f);
  }
}

/* 64-byte aligned, as the generated code's weights and arena are (a
 * weight row split across cache lines costs the recurrent product a
 * quarter more loads) */
static float *alloc_floats(long n) {
  void *p = NULL;
  if (posix_memalign(&p, 64, sizeof(float) * (size_t)(n > 0 ? n : 1))) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return (float *)p;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct shape {
  const char *what;
  int G;
  long seq, batch, input, hidden, dirs;
} shape;

static const shape shapes[] = {
    {"LSTM, benchmarks/run.py lstm layer 1", 4, 50, 1, 64, 128, 1},
    {"LSTM, benchmarks/run.py lstm layer 2", 4, 50, 1, 128, 128, 1},
    {"LSTM, small", 4, 20, 1, 5, 7, 1},
    {"LSTM, hidden 33", 4, 30, 1, 16, 33, 1},
    {"LSTM, batch 3, bidirectional", 4, 50, 3, 64, 128, 2},
    {"LSTM, hidden 256", 4, 50, 1, 256, 256, 1},
    {"GRU", 3, 50, 1, 64, 128, 1},
    {"RNN", 1, 50, 1, 64, 128, 1},
};

/* Times fn on the shape; returns the median ms of one call over ROUNDS
 * rounds, each of `calls` calls, alternating with the other kernel. */
static void run_shape(const shape *s) {
  const long GH = s->G * s->hidden, D = s->dirs;
  const long xn = s->seq * s->batch * s->input, yn = s->seq * D * s->batch * s->hidden;
  float *x = alloc_floats(xn), *w = alloc_floats(D * GH * s->input), *r = alloc_floats(D * GH * s->hidden);
  float *b = alloc_floats(D * 2 * GH), *y0 = alloc_floats(yn), *y1 = alloc_floats(yn);
  /* the _proj variants' W: each direction's [input, G*hidden] packed */
  const long wp_per = (long)rt_gemm_f32_packed_floats(s->input, GH);
  float *wp = alloc_floats(D * wp_per);
  const size_t old_bytes = (size_t)RT_RNN_SCRATCH(s->batch, s->G, s->hidden) * sizeof(float);
  const size_t new_bytes = rt_rnn_f32_proj_scratch_bytes(s->seq, s->batch, s->input, s->G, s->hidden);
  void *scratch = alloc_floats((long)((old_bytes > new_bytes ? old_bytes : new_bytes) / sizeof(float)) + 1);
  rt_kernel_fn old_fn = s->G == 4 ? rt_lstm_f32 : s->G == 3 ? rt_gru_f32 : rt_rnn_f32;
  rt_kernel_fn new_fn = s->G == 4 ? rt_lstm_f32_proj : s->G == 3 ? rt_gru_f32_proj : rt_rnn_f32_proj;
  const double flops = 2.0 * (double)(D * s->seq * s->batch * GH * (s->input + s->hidden));
  double t_old[ROUNDS], t_new[ROUNDS], diff = 0;
  rt_rnn_params p;
  const void *in[8];
  void *out[8] = {NULL};
  unsigned seed = 7;
  int calls, round, i;
  long k;
  fill(x, xn, 1.0f, &seed);
  fill(w, D * GH * s->input, 1.0f / (float)sqrt((double)s->input), &seed);
  fill(r, D * GH * s->hidden, 1.0f / (float)sqrt((double)s->hidden), &seed);
  fill(b, D * 2 * GH, 0.1f, &seed);
  for (k = 0; k < D; k++) rt_gemm_f32_pack_b(s->input, GH, w + k * GH * s->input, 0, wp + k * wp_per);
  memset(&p, 0, sizeof p);
  p.seq = s->seq, p.batch = s->batch, p.input = s->input, p.hidden = s->hidden;
  p.num_dirs = (int32_t)D, p.transposed = 1;
  memset(in, 0, sizeof in);
  in[0] = x, in[1] = w, in[2] = r, in[3] = b;
  /* about 2 ms of work per round and kernel */
  calls = (int)(2e-3 / (flops / 20e9)) + 1;
  for (round = 0; round < ROUNDS; round++) {
    double t0;
    out[0] = y0;
    t0 = now();
    for (i = 0; i < calls; i++) old_fn(&p, in, out, scratch);
    t_old[round] = (now() - t0) / calls * 1e3;
    out[0] = y1;
    in[1] = wp;
    t0 = now();
    for (i = 0; i < calls; i++) new_fn(&p, in, out, scratch);
    t_new[round] = (now() - t0) / calls * 1e3;
    in[1] = w;
  }
  for (k = 0; k < yn; k++)
    if (fabs((double)y0[k] - (double)y1[k]) > diff) diff = fabs((double)y0[k] - (double)y1[k]);
  qsort(t_old, ROUNDS, sizeof(double), cmp_double);
  qsort(t_new, ROUNDS, sizeof(double), cmp_double);
  printf("%-38s %4ld %3ld %3ld %4ld %4ld %3ld  %9.4f %9.4f %6.2fx  %8.1e\n", s->what, s->seq, s->batch, D,
         s->input, s->hidden, (long)s->G, t_old[ROUNDS / 2], t_new[ROUNDS / 2],
         t_old[ROUNDS / 2] / t_new[ROUNDS / 2], diff);
  free(x), free(w), free(r), free(b), free(y0), free(y1), free(wp), free(scratch);
}

int main(int argc, char **argv) {
  size_t i;
  const long only = argc > 1 ? atol(argv[1]) : -1;
  printf("median of %d alternating rounds, ms per call; speed-up = general / _proj\n", ROUNDS);
  printf("%-38s %4s %3s %3s %4s %4s %3s  %9s %9s %7s  %8s\n", "layer", "seq", "N", "dir", "in", "hid", "G",
         "general", "_proj", "speedup", "max|dY|");
  for (i = 0; i < sizeof shapes / sizeof *shapes; i++)
    if (only < 0 || (size_t)only == i) run_shape(&shapes[i]);
  return 0;
}
