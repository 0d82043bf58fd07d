/* rt_sgemm throughput on one core: prints GFLOP/s for a few shapes taken
 * from real CNNs and transformers, and checks each result against a plain
 * triple loop. A tool for tuning the micro-kernel, not a test; nothing in
 * the build compiles it. By hand, from the repository root:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime/include \
 *      benchmarks/gemm_bench.c runtime/src/gemm.c runtime/src/gemv_packed.c runtime/src/sgemm_avx512.c \
 *      runtime/src/epilogue.c runtime/src/parallel.c -lm -o /tmp/gemm_bench
 *   /tmp/gemm_bench            # all shapes
 *   /tmp/gemm_bench 512 512 512 0 1   # one shape: M N K trans_a trans_b
 *   /tmp/gemm_bench packed     # Gemm (transB=1, a Linear layer), M 4..64,
 *                              # rt_gemm_f32 (packs B every call) against
 *                              # rt_gemm_f32_packed (B packed beforehand)
 *   /tmp/gemm_bench transformer   # the products of benchmarks/run.py's
 *                              # transformer_encoder as its compiled code
 *                              # runs them (below)
 *
 * Add -DRT_SGEMM_MR=8 -DRT_SGEMM_NR=24 (or _KC, _MC, _NC) to try other
 * tile sizes. */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "onnxcc/kernels/gemm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill(float *x, long n, unsigned *seed) {
  long i;
  for (i = 0; i < n; i++) {
    *seed = *seed * 1103515245u + 12345u;
    x[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
}

/* Largest |got - want| relative to the largest |want|, against a double
 * precision triple loop. */
static double check(long M, long N, long K, const float *A, int ta, const float *B, int tb,
                    const float *C) {
  long i, j, k;
  double err = 0.0, big = 1e-30;
  for (i = 0; i < M; i++)
    for (j = 0; j < N; j++) {
      double s = 0.0;
      for (k = 0; k < K; k++)
        s += (double)(ta ? A[k * M + i] : A[i * K + k]) * (double)(tb ? B[j * K + k] : B[k * N + j]);
      if (fabs(s) > big) big = fabs(s);
      if (fabs(s - C[i * N + j]) > err) err = fabs(s - C[i * N + j]);
    }
  return err / big;
}

static void run(long M, long N, long K, int ta, int tb, const char *what) {
  float *A = malloc(sizeof(float) * (size_t)(M * K)), *B = malloc(sizeof(float) * (size_t)(K * N));
  float *C = malloc(sizeof(float) * (size_t)(M * N));
  void *scratch = malloc(rt_sgemm_scratch_bytes(M, N, K) + 1);
  unsigned seed = 42;
  double flops = 2.0 * (double)M * (double)N * (double)K, t0, best = 1e30, err;
  int reps, r;
  fill(A, M * K, &seed);
  fill(B, K * N, &seed);
  rt_sgemm(M, N, K, 1.0f, A, ta ? M : K, ta, B, tb ? K : N, tb, 0.0f, C, N, scratch);
  err = M * N * K <= 300L * 300 * 300 * 4 ? check(M, N, K, A, ta, B, tb, C) : -1.0;
  /* Samples of about 0.5 ms (one call, or a few for tiny shapes) for about
   * 0.3 s; the fastest sample is the least disturbed by other processes. */
  reps = (int)(1e7 / flops) + 1;
  for (r = 0; r < (int)(1e10 / (flops * reps)) + 5; r++) {
    int i;
    double t;
    t0 = now();
    for (i = 0; i < reps; i++)
      rt_sgemm(M, N, K, 1.0f, A, ta ? M : K, ta, B, tb ? K : N, tb, 0.0f, C, N, scratch);
    t = (now() - t0) / reps;
    if (t < best) best = t;
  }
  printf("%6ld %6ld %6ld   %d  %d  %9.2f  %9.3f  %8.1e  %s\n", M, N, K, ta, tb, flops / best * 1e-9,
         best * 1e3, err, what);
  free(A);
  free(B);
  free(C);
  free(scratch);
}

/* Fastest time of one call of `fn`, as run() measures it. */
static double time_kernel(rt_kernel_fn fn, const rt_gemm_params *p, const void *const *in, void *const *out,
                          void *scratch) {
  const double flops = 2.0 * (double)p->M * (double)p->N * (double)p->K;
  double best = 1e30;
  int reps = (int)(1e7 / flops) + 1, r;
  fn(p, in, out, scratch);
  for (r = 0; r < (int)(1e10 / (flops * reps)) + 5; r++) {
    int i;
    double t, t0 = now();
    for (i = 0; i < reps; i++) fn(p, in, out, scratch);
    t = (now() - t0) / reps;
    if (t < best) best = t;
  }
  return best;
}

static void run_packed(long M, long NK) {
  const long N = NK, K = NK;
  float *A = malloc(sizeof(float) * (size_t)(M * K)), *B = malloc(sizeof(float) * (size_t)(K * N));
  float *Bp = malloc(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N));
  float *bias = malloc(sizeof(float) * (size_t)N), *Y = malloc(sizeof(float) * (size_t)(M * N));
  size_t s_old = rt_sgemm_scratch_bytes(M, N, K), s_new = rt_gemm_f32_packed_scratch_bytes(M, K);
  void *scratch = malloc(s_old > s_new ? s_old : s_new);
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_gemm_params p = {0};
  unsigned seed = 7;
  double flops = 2.0 * (double)M * (double)N * (double)K, t_old, t_new;
  fill(A, M * K, &seed);
  fill(B, K * N, &seed);
  fill(bias, N, &seed);
  rt_gemm_f32_pack_b(K, N, B, 1, Bp);
  p.M = M, p.N = N, p.K = K, p.trans_b = 1, p.has_c = 1, p.alpha = 1.0f, p.beta = 1.0f, p.c_cs = 1;
  in[0] = A, in[1] = B, in[2] = bias, out[0] = Y;
  t_old = time_kernel(rt_gemm_f32, &p, in, out, scratch);
  in[1] = Bp;
  t_new = time_kernel(rt_gemm_f32_packed, &p, in, out, scratch);
  printf("%6ld %6ld %6ld  %9.2f %9.2f  %6.2fx  %8zu %8zu\n", M, N, K, flops / t_old * 1e-9, flops / t_new * 1e-9,
         t_old / t_new, s_old, s_new);
  free(A), free(B), free(Bp), free(bias), free(Y), free(scratch);
}

/* ---- transformer ----
 *
 * transformer_encoder (2 layers of torch's TransformerEncoderLayer, d_model
 * 256, 4 heads, feed-forward 2048, 128 tokens) as onnxcc compiles it: each
 * layer's four Linear products run rt_gemm_f32_packed with B prepacked and
 * the bias row (QKV 256 -> 768, the attention's output 256 -> 256,
 * linear1 256 -> 2048 with ReLU fused, linear2 2048 -> 256 with the
 * residual fused), each with its own weights, one after the other, so the
 * 10 MB of weights come from L3 or memory as they do in the model; and the
 * attention's two batched products (4 heads of 128 x 64 by 64 x 128 and
 * 128 x 128 by 128 x 64, both operands activations) through rt_matmul_f32.
 * Prints each product's best GFLOP/s over the rounds and the best round of
 * the whole sequence. */
typedef struct tf_linear {
  long N, K;
  int act, residual;
  const char *what;
} tf_linear;

static const tf_linear TF_LINEAR[4] = {{768, 256, RT_ACT_NONE, 0, "QKV 256->768 + bias"},
                                       {256, 256, RT_ACT_NONE, 0, "attention out 256->256 + bias"},
                                       {2048, 256, RT_ACT_RELU, 0, "linear1 256->2048 + bias, ReLU"},
                                       {256, 2048, RT_ACT_NONE, 1, "linear2 2048->256 + bias, residual"}};

/* 64-byte aligned, as the model's arena and weights are (a C row that
 * straddles cache lines costs the stores twice). */
static void *alloc64(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

static void run_transformer(void) {
  enum { LAYERS = 2, TOKENS = 128, HEADS = 4, DH = 64, ROUNDS = 200 };
  float *bp[LAYERS][4], *bias[LAYERS][4];
  float *x = alloc64(sizeof(float) * TOKENS * 2048), *y = alloc64(sizeof(float) * TOKENS * 2048);
  float *res = alloc64(sizeof(float) * TOKENS * 256), *q = alloc64(sizeof(float) * HEADS * TOKENS * DH);
  float *kt = alloc64(sizeof(float) * HEADS * DH * TOKENS), *sc = alloc64(sizeof(float) * HEADS * TOKENS * TOKENS);
  void *scratch = alloc64(rt_gemm_f32_packed_scratch_bytes(TOKENS, 2048) + rt_sgemm_scratch_bytes(TOKENS, TOKENS, TOKENS));
  double best[6], seq_best = 1e30, flops[6], seq_flops = 0.0;
  unsigned seed = 3;
  int l, j, r;
  for (l = 0; l < LAYERS; l++)
    for (j = 0; j < 4; j++) {
      const long N = TF_LINEAR[j].N, K = TF_LINEAR[j].K;
      float *b = alloc64(sizeof(float) * (size_t)(N * K));
      fill(b, N * K, &seed);
      bp[l][j] = alloc64(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N));
      rt_gemm_f32_pack_b(K, N, b, 1, bp[l][j]);
      bias[l][j] = alloc64(sizeof(float) * (size_t)N);
      fill(bias[l][j], N, &seed);
      free(b);
    }
  fill(x, TOKENS * 2048, &seed);
  fill(res, TOKENS * 256, &seed);
  fill(q, HEADS * TOKENS * DH, &seed);
  fill(kt, HEADS * DH * TOKENS, &seed);
  fill(sc, HEADS * TOKENS * TOKENS, &seed);
  for (j = 0; j < 6; j++) best[j] = 1e30;
  for (j = 0; j < 4; j++) flops[j] = 2.0 * TOKENS * (double)TF_LINEAR[j].N * (double)TF_LINEAR[j].K;
  flops[4] = flops[5] = 2.0 * HEADS * TOKENS * TOKENS * DH;
  for (j = 0; j < 6; j++) seq_flops += LAYERS * flops[j];
  for (r = 0; r < ROUNDS; r++) {
    double seq = 0.0;
    for (l = 0; l < LAYERS; l++)
      for (j = 0; j < 6; j++) {
        const void *in[RT_MIN_ARGS] = {0};
        void *out[RT_MIN_ARGS] = {0};
        double t0, t;
        if (j < 4) {
          rt_gemm_params p = {0};
          p.M = TOKENS, p.N = TF_LINEAR[j].N, p.K = TF_LINEAR[j].K;
          p.trans_b = 1, p.has_c = 1, p.alpha = 1.0f, p.beta = 1.0f, p.c_cs = 1;
          p.act = TF_LINEAR[j].act, p.has_residual = TF_LINEAR[j].residual;
          in[0] = x, in[1] = bp[l][j], in[2] = bias[l][j], in[3] = TF_LINEAR[j].residual ? res : NULL;
          out[0] = y;
          t0 = now();
          rt_gemm_f32_packed(&p, in, out, scratch);
        } else {
          /* scores = Q K^T per head, then (scores) V: V's [128, 64] taken from q */
          rt_matmul_params p = {0};
          p.batch_rank = 1, p.batch_dims[0] = HEADS, p.M = TOKENS;
          p.N = j == 4 ? TOKENS : DH, p.K = j == 4 ? DH : TOKENS;
          p.a_strides[0] = TOKENS * p.K, p.b_strides[0] = p.K * p.N;
          in[0] = j == 4 ? q : sc, in[1] = j == 4 ? kt : q;
          out[0] = j == 4 ? sc : y;
          t0 = now();
          rt_matmul_f32(&p, in, out, scratch);
        }
        t = now() - t0;
        seq += t;
        if (t < best[j]) best[j] = t;
      }
    if (seq < seq_best) seq_best = seq;
  }
  printf("product                                  M      N      K  GFLOP/s      us\n");
  for (j = 0; j < 4; j++)
    printf("%-36s %6d %6ld %6ld  %7.1f  %6.1f\n", TF_LINEAR[j].what, TOKENS, TF_LINEAR[j].N, TF_LINEAR[j].K,
           flops[j] / best[j] * 1e-9, best[j] * 1e6);
  printf("%-36s %6d %6d %6d  %7.1f  %6.1f\n", "attention Q K^T, 4 heads", TOKENS, TOKENS, DH, flops[4] / best[4] * 1e-9,
         best[4] * 1e6);
  printf("%-36s %6d %6d %6d  %7.1f  %6.1f\n", "attention (scores) V, 4 heads", TOKENS, DH, TOKENS,
         flops[5] / best[5] * 1e-9, best[5] * 1e6);
  printf("all of them, 2 layers: best round %.1f us, %.1f GFLOP/s\n", seq_best * 1e6, seq_flops / seq_best * 1e-9);
  for (l = 0; l < LAYERS; l++)
    for (j = 0; j < 4; j++) free(bp[l][j]), free(bias[l][j]);
  free(x), free(y), free(res), free(q), free(kt), free(sc), free(scratch);
}

int main(int argc, char **argv) {
  if (argc == 2 && argv[1][0] == 't') {
    run_transformer();
    return 0;
  }
  if (argc == 2 && argv[1][0] == 'p') {
    static const long ms[] = {4, 8, 16, 32, 64}, nks[] = {256, 512, 1024};
    unsigned i, j;
    printf("     M      N      K  GFLOP/s:  old       new  speedup  scratch: old      new\n");
    for (j = 0; j < 3; j++)
      for (i = 0; i < 5; i++) run_packed(ms[i], nks[j]);
    return 0;
  }
  printf("     M      N      K  tA tB    GFLOP/s         ms   rel.err  shape\n");
  if (argc == 6) {
    run(atol(argv[1]), atol(argv[2]), atol(argv[3]), atoi(argv[4]), atoi(argv[5]), "");
    return 0;
  }
  run(64, 64, 64, 0, 0, "square");
  run(256, 256, 256, 0, 0, "square");
  run(512, 512, 512, 0, 0, "square");
  run(1024, 1024, 1024, 0, 0, "square");
  run(512, 512, 512, 1, 1, "square, both transposed");
  run(64, 3136, 576, 0, 0, "conv 3x3 64->64 @56x56 (im2col)");
  run(64, 12544, 147, 0, 0, "conv 7x7 3->64 /2 @224 (im2col)");
  run(256, 196, 2304, 0, 0, "conv 3x3 256->256 @14x14");
  run(128, 3136, 64, 0, 0, "conv 1x1 64->128 @56x56");
  run(32, 50176, 27, 0, 0, "conv 3x3 3->32 @224 (stem)");
  run(128, 768, 768, 0, 1, "linear 768->768, 128 tokens");
  run(128, 3072, 768, 0, 1, "linear 768->3072, 128 tokens");
  run(128, 768, 256, 0, 1, "linear 256->768, 128 tokens (B packed per call)");
  run(128, 2048, 256, 0, 1, "linear 256->2048, 128 tokens");
  run(128, 256, 2048, 0, 1, "linear 2048->256, 128 tokens");
  run(128, 128, 64, 0, 0, "attention Q K^T, one head");
  run(1, 1000, 2048, 0, 1, "linear 2048->1000, batch 1");
  run(1, 4096, 4096, 0, 0, "gemv, B not transposed");
  run(7, 77, 33, 0, 0, "ragged small");
  return 0;
}
