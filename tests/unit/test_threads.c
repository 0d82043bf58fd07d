/* --threads: the pthread pool (onnxcc/threads.h) and the kernels that
 * split across it. The pool must run every task of a job exactly once,
 * for jobs smaller and larger than its thread count, one job after
 * another, and for two pools used at once. A split kernel must give
 * bit-identical results to one thread, whichever order its tasks run in. */
#if defined(__linux__)
#define _GNU_SOURCE 1 /* pthread_getaffinity_np, CPU_EQUAL, sched_yield */
#include <sched.h>
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <onnxcc/kernels.h>
#include <onnxcc/threads.h>

#include "suites.h"
#include "unit_rand.h"

/* Each task adds 1 to its own counter, so a task run twice or never shows. */
typedef struct hits {
  int count[64];
} hits;

static void hit(void *arg, int64_t i) { ((hits *)arg)->count[i]++; }

/* Runs jobs of 1..40 tasks through `par` and checks each task ran once. */
static int jobs_ok(const rt_parallel *par, int rounds) {
  int r, n, i;
  for (r = 0; r < rounds; r++)
    for (n = 1; n <= 40; n++) {
      hits h;
      memset(&h, 0, sizeof h);
      rt_parallel_run(par, n, hit, &h);
      for (i = 0; i < 64; i++)
        if (h.count[i] != (i < n)) return 0;
    }
  return 1;
}

START_TEST(pool_runs_each_task_once) {
  int threads;
  for (threads = 1; threads <= 5; threads++) {
    rt_pool pool;
    rt_parallel par;
    ck_assert_int_eq(rt_pool_start(&pool, threads), RT_OK);
    par = rt_pool_parallel(&pool);
    /* 20000 small jobs, n below and above the thread count: a claim that
     * raced with the next job's publication ran a task twice about once
     * in 10^4 jobs (runtime/src/threads.c, run_job) */
    ck_assert(jobs_ok(&par, 500));
    rt_pool_stop(&pool);
  }
}
END_TEST

static void hit_byte(void *arg, int64_t i) { ((unsigned char *)arg)[i]++; }

/* A job of more tasks than one claim word counts (the pool publishes it
 * in parts): still each task once. */
/* A kernel's task buffers: the model's stride where it is larger than
 * the kernel's own, never for a node without buffers, and the pool's
 * rt_parallel starts with none. */
START_TEST(task_stride_is_the_larger) {
  rt_parallel par = {NULL, NULL, 2, 4096};
  rt_pool pool;
  ck_assert_uint_eq(rt_task_stride(&par, 1024), 4096);
  ck_assert_uint_eq(rt_task_stride(&par, 8192), 8192);
  ck_assert_uint_eq(rt_task_stride(&par, 0), 0);
  ck_assert_uint_eq(rt_task_stride(NULL, 1024), 1024);
  ck_assert_int_eq(rt_pool_start(&pool, 2), RT_OK);
  par = rt_pool_parallel(&pool);
  ck_assert_uint_eq(par.task_stride, 0);
  rt_pool_stop(&pool);
}
END_TEST

START_TEST(pool_runs_huge_job) {
  const int64_t n = 3000001;
  unsigned char *seen = (unsigned char *)calloc((size_t)n, 1);
  rt_pool pool;
  rt_parallel par;
  int64_t i, wrong = 0;
  ck_assert_ptr_nonnull(seen);
  ck_assert_int_eq(rt_pool_start(&pool, 3), RT_OK);
  par = rt_pool_parallel(&pool);
  par.parallel_for(par.user, n, hit_byte, seen);
  rt_pool_stop(&pool);
  for (i = 0; i < n; i++) wrong += seen[i] != 1;
  free(seen);
  ck_assert_int_eq(wrong, 0);
}
END_TEST

START_TEST(pool_refuses_bad_counts) {
  rt_pool pool;
  ck_assert_int_eq(rt_pool_start(&pool, 0), RT_ERR_VALUE);
  ck_assert_int_eq(rt_pool_start(&pool, RT_POOL_MAX_THREADS + 1), RT_ERR_VALUE);
  ck_assert_int_eq(rt_pool_start(NULL, 2), RT_ERR_NULL);
}
END_TEST

static void *use_pool(void *arg) { return jobs_ok((const rt_parallel *)arg, 100) ? arg : NULL; }

/* Two threads at once, each with its own pool, and two sharing one (their
 * jobs take turns). */
START_TEST(pools_at_once) {
  rt_pool a, b;
  rt_parallel pa, pb;
  pthread_t t1, t2;
  void *r1, *r2;
  ck_assert_int_eq(rt_pool_start(&a, 3), RT_OK);
  ck_assert_int_eq(rt_pool_start(&b, 2), RT_OK);
  pa = rt_pool_parallel(&a);
  pb = rt_pool_parallel(&b);
  ck_assert_int_eq(pthread_create(&t1, NULL, use_pool, &pa), 0);
  ck_assert_int_eq(pthread_create(&t2, NULL, use_pool, &pb), 0);
  pthread_join(t1, &r1);
  pthread_join(t2, &r2);
  ck_assert_ptr_eq(r1, &pa);
  ck_assert_ptr_eq(r2, &pb);
  ck_assert_int_eq(pthread_create(&t1, NULL, use_pool, &pa), 0);
  ck_assert_int_eq(pthread_create(&t2, NULL, use_pool, &pa), 0);
  pthread_join(t1, &r1);
  pthread_join(t2, &r2);
  ck_assert_ptr_eq(r1, &pa);
  ck_assert_ptr_eq(r2, &pa);
  rt_pool_stop(&a);
  rt_pool_stop(&b);
}
END_TEST

START_TEST(share_covers_total) {
  int64_t lo, hi, prev = 0, i;
  for (i = 0; i < 3; i++) {
    rt_parallel_share(100, 32, i, 3, &lo, &hi);
    ck_assert_int_eq(lo, prev);
    ck_assert(lo % 32 == 0 || lo == 100);
    prev = hi;
  }
  ck_assert_int_eq(prev, 100);
  /* fewer units than tasks: one task gets the whole, the other nothing */
  rt_parallel_share(10, 32, 0, 2, &lo, &hi);
  ck_assert_int_eq(lo, hi);
  rt_parallel_share(10, 32, 1, 2, &lo, &hi);
  ck_assert_int_eq(lo, 0);
  ck_assert_int_eq(hi, 10);
}
END_TEST

/* ---- split kernels against one thread ---- */

/* Tasks in reverse order, one thread: the results must not depend on it. */
static void backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  (void)user;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

/* Runs kernel fn with one thread and then with `par`, and compares the
 * outputs bit for bit. scratch1: one thread's bytes; task: per-task extra. */
static void same_split(rt_kernel_fn fn, const void *params, const void *const *args, int n_args, size_t out_bytes,
                       size_t scratch1, size_t task, const rt_parallel *par) {
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  const size_t scratch_bytes = scratch1 + (size_t)(par->tasks - 1) * task + 64;
  unsigned char *scratch = aligned_alloc(64, (scratch_bytes + 63) / 64 * 64);
  unsigned char *one = malloc(out_bytes), *many = malloc(out_bytes);
  int k;
  for (k = 0; k < n_args; k++) in[k] = args[k];
  memset(one, 0xa5, out_bytes);
  memset(many, 0x5a, out_bytes);
  out[0] = one;
  fn(params, in, out, scratch);
  in[RT_PARALLEL_SLOT] = par;
  out[0] = many;
  fn(params, in, out, scratch);
  ck_assert_int_eq(memcmp(one, many, out_bytes), 0);
  free(scratch);
  free(one);
  free(many);
}

static void conv2d(rt_conv_params *p, int64_t cin, int64_t cout, int32_t group, int64_t hw, int64_t k) {
  memset(p, 0, sizeof *p);
  p->nd = 2;
  p->batch = 2;
  p->in_ch = cin;
  p->out_ch = cout;
  p->group = group;
  p->has_bias = 1;
  p->in_dims[0] = p->in_dims[1] = hw;
  p->kernel[0] = p->kernel[1] = k;
  p->strides[0] = p->strides[1] = 1;
  p->dilations[0] = p->dilations[1] = 1;
  p->pads[0] = p->pads[1] = k / 2;
  p->out_dims[0] = p->out_dims[1] = hw;
}

/* The conv variants on one geometry, with `par`. */
static void convs_split(const rt_conv_params *p, const rt_parallel *par) {
  const int64_t cg = p->in_ch / p->group, kk = p->kernel[0] * p->kernel[1], sp = p->out_dims[0] * p->out_dims[1];
  float *x = unit_rand_floats(p->batch * p->in_ch * p->in_dims[0] * p->in_dims[1], 1);
  float *w = unit_rand_floats(p->out_ch * cg * kk, 2), *b = unit_rand_floats(p->out_ch, 3);
  float *wp = malloc(sizeof(float) * (size_t)rt_conv_f32_packed_floats(p));
  const void *args[3];
  const size_t out_bytes = sizeof(float) * (size_t)(p->batch * p->out_ch * sp);
  rt_conv_f32_pack_weights(p, w, wp);
  args[0] = x, args[1] = w, args[2] = b;
  if (cg == 1 && p->in_ch == p->out_ch) {
    same_split(rt_conv_f32_depthwise, p, args, 3, out_bytes, 0, 0, par);
    same_split(rt_conv_f32_depthwise2d, p, args, 3, out_bytes, rt_conv_f32_depthwise2d_scratch_bytes(p),
               rt_conv_f32_depthwise2d_task_bytes(p), par);
  } else {
    same_split(rt_conv_f32_im2col, p, args, 3, out_bytes, rt_conv_f32_im2col_scratch_bytes(p),
               rt_conv_f32_im2col_task_bytes(p), par);
    if (kk == 1)
      same_split(rt_conv_f32_pointwise, p, args, 3, out_bytes, rt_conv_f32_pointwise_scratch_bytes(p), 0, par);
    args[1] = wp;
    same_split(kk == 1 ? rt_conv_f32_pointwise_packed : rt_conv_f32_im2col_packed, p, args, 3, out_bytes,
               kk == 1 ? rt_conv_f32_pointwise_packed_scratch_bytes(p) : rt_conv_f32_im2col_packed_scratch_bytes(p),
               rt_conv_f32_im2col_task_bytes(p), par);
    if (p->group == 1) {
      float *wn = malloc(sizeof(float) * (size_t)rt_conv_f32_nchwc_packed_floats(p));
      rt_conv_f32_nchwc_pack_weights(p, w, wn);
      args[1] = wn;
      same_split(rt_conv_f32_nchwc_packed, p, args, 3, out_bytes, rt_conv_f32_nchwc_packed_scratch_bytes(p),
                 rt_conv_f32_nchwc_packed_task_bytes(p), par);
      free(wn);
    }
  }
  free(x);
  free(w);
  free(b);
  free(wp);
}

/* Gemm (B packed on the call and prepacked) and MatMul, M x N x K, with par. */
static void gemms_split(int64_t M, int64_t N, int64_t K, const rt_parallel *par) {
  rt_gemm_params g;
  rt_matmul_params mm;
  float *a = unit_rand_floats(M * K, 4), *b = unit_rand_floats(K * N, 5);
  float *bp = malloc(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N)), *bias = unit_rand_floats(N, 6);
  const void *args[2], *args3[3];
  const size_t out_bytes = sizeof(float) * (size_t)(M * N);
  memset(&g, 0, sizeof g);
  g.M = M, g.N = N, g.K = K, g.alpha = 1.0f;
  args[0] = a, args[1] = b;
  same_split(rt_gemm_f32, &g, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K), 0, par);
  rt_gemm_f32_pack_b(K, N, b, 0, bp);
  args[1] = bp;
  same_split(rt_gemm_f32_packed, &g, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  /* the threaded variant, whose tasks pack A each: unsplit it is the plain one */
  same_split(rt_gemm_f32_packed_mt, &g, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K),
             rt_gemm_f32_packed_task_bytes(M, K), par);
  /* with a bias row, which starts the accumulators of the first K slice */
  g.has_c = 1, g.beta = 1.0f, g.c_cs = 1;
  args3[0] = a, args3[1] = bp, args3[2] = bias;
  same_split(rt_gemm_f32_packed, &g, args3, 3, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  same_split(rt_gemm_f32_packed_mt, &g, args3, 3, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K),
             rt_gemm_f32_packed_task_bytes(M, K), par);
  memset(&mm, 0, sizeof mm);
  mm.M = M, mm.N = N, mm.K = K;
  args[1] = b;
  same_split(rt_matmul_f32, &mm, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K), 0, par);
  args[1] = bp;
  same_split(rt_matmul_f32_packed, &mm, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  same_split(rt_matmul_f32_packed_mt, &mm, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K),
             rt_gemm_f32_packed_task_bytes(M, K), par);
  if (M == 1) { /* the GEMV, B packed (a bias row, then none), as it is and transposed (a classifier's Gemm) */
    same_split(rt_gemm_f32_gemv_packed, &g, args3, 3, out_bytes, 0, 0, par);
    g.has_c = 0, g.beta = 0.0f, g.c_cs = 0;
    args[1] = bp;
    same_split(rt_gemm_f32_gemv_packed, &g, args, 2, out_bytes, 0, 0, par);
    same_split(rt_matmul_f32_gemv_packed, &mm, args, 2, out_bytes, 0, 0, par);
    args[1] = b;
    same_split(rt_gemm_f32_gemv, &g, args, 2, out_bytes, 0, 0, par);
    g.trans_b = 1;
    same_split(rt_gemm_f32_gemv, &g, args, 2, out_bytes, 0, 0, par);
  }
  free(a);
  free(b);
  free(bp);
  free(bias);
}

/* A batch of products, M x N x K each (rt_matmul_f32 and its threaded
 * variant, which gives each task whole matrices): dims batch matrices of
 * A over B's b_dim1 (B broadcast over the first dimension, stride 0),
 * with a Relu epilogue and a residual of Y's shape. */
static void batched_matmuls_split(int64_t d0, int64_t d1, int64_t M, int64_t N, int64_t K, const rt_parallel *par) {
  rt_matmul_params mm;
  float *a = unit_rand_floats(d0 * d1 * M * K, 7), *b = unit_rand_floats(d1 * K * N, 8);
  float *res = unit_rand_floats(d0 * d1 * M * N, 9);
  const void *args[3];
  const size_t out_bytes = sizeof(float) * (size_t)(d0 * d1 * M * N);
  memset(&mm, 0, sizeof mm);
  mm.M = M, mm.N = N, mm.K = K;
  mm.batch_rank = 2;
  mm.batch_dims[0] = d0, mm.batch_dims[1] = d1;
  mm.a_strides[0] = d1 * M * K, mm.a_strides[1] = M * K;
  mm.b_strides[0] = 0, mm.b_strides[1] = K * N;
  args[0] = a, args[1] = b, args[2] = res;
  same_split(rt_matmul_f32, &mm, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K), 0, par);
  same_split(rt_matmul_f32_mt, &mm, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K),
             rt_matmul_f32_task_bytes(M, N, K), par);
  mm.act = RT_ACT_RELU;
  mm.has_residual = 1;
  same_split(rt_matmul_f32_mt, &mm, args, 3, out_bytes, rt_sgemm_scratch_bytes(M, N, K),
             rt_matmul_f32_task_bytes(M, N, K), par);
  free(a);
  free(b);
  free(res);
}

/* The LSTM of constant weights (no peepholes: the tasks take P's slot),
 * each step's hidden units split: hidden H, input I, seq steps (37: past
 * a block of 32 steps' projections), 2 rows, both directions. Y holds
 * every step's h, and h every earlier step's c. */
static void lstm_split(int64_t H, int64_t I, const rt_parallel *par) {
  const int64_t seq = 37, N = 2, D = 2, GH = 4 * H, wpn = rt_gemm_f32_packed_floats(I, GH);
  float *x = unit_rand_floats(seq * N * I, 7), *w = unit_rand_floats(D * wpn, 8);
  float *r = unit_rand_floats(D * H * GH, 9), *b = unit_rand_floats(D * 2 * GH, 10);
  float *h0 = unit_rand_floats(D * N * H, 11), *c0 = unit_rand_floats(D * N * H, 12);
  const void *args[7];
  rt_rnn_params p;
  int64_t i;
  for (i = 0; i < D * H * GH; i++) r[i] *= 2.0f / (float)H; /* sums of order 1: no gate saturates */
  memset(&p, 0, sizeof p);
  p.seq = seq, p.batch = N, p.input = I, p.hidden = H, p.num_dirs = (int32_t)D, p.transposed = 1;
  args[0] = x, args[1] = w, args[2] = r, args[3] = b, args[4] = NULL, args[5] = h0, args[6] = c0;
  same_split(rt_lstm_f32_proj, &p, args, 7, sizeof(float) * (size_t)(seq * D * N * H),
             rt_rnn_f32_proj_scratch_bytes(seq, N, I, 4, H), 0, par);
  free(x), free(w), free(r), free(b), free(h0), free(c0);
}

/* A GRU of hidden H (input I), both directions, two rows, with and
 * without linear_before_reset (one job a step, or two) and with a clip. */
static void gru_split(int64_t H, int64_t I, const rt_parallel *par) {
  const int64_t seq = 23, N = 2, D = 2, GH = 3 * H, wpn = rt_gemm_f32_packed_floats(I, GH);
  float *x = unit_rand_floats(seq * N * I, 13), *w = unit_rand_floats(D * wpn, 14);
  float *r = unit_rand_floats(D * H * GH, 15), *b = unit_rand_floats(D * 2 * GH, 16);
  float *h0 = unit_rand_floats(D * N * H, 17);
  const void *args[6];
  rt_rnn_params p;
  int64_t i;
  int lbr;
  for (i = 0; i < D * H * GH; i++) r[i] *= 2.0f / (float)H; /* sums of order 1: no gate saturates */
  memset(&p, 0, sizeof p);
  p.seq = seq, p.batch = N, p.input = I, p.hidden = H, p.num_dirs = (int32_t)D, p.transposed = 1;
  args[0] = x, args[1] = w, args[2] = r, args[3] = b, args[4] = NULL, args[5] = h0;
  for (lbr = 0; lbr < 2; lbr++) {
    p.linear_before_reset = lbr;
    p.has_clip = 0;
    same_split(rt_gru_f32_proj, &p, args, 6, sizeof(float) * (size_t)(seq * D * N * H),
               rt_rnn_f32_proj_scratch_bytes(seq, N, I, 3, H), 0, par);
    p.has_clip = 1, p.clip = 0.5f;
    same_split(rt_gru_f32_proj, &p, args, 6, sizeof(float) * (size_t)(seq * D * N * H),
               rt_rnn_f32_proj_scratch_bytes(seq, N, I, 3, H), 0, par);
  }
  args[3] = NULL; /* no B: the candidate's biases are zeros */
  p.has_clip = 0;
  same_split(rt_gru_f32_proj, &p, args, 6, sizeof(float) * (size_t)(seq * D * N * H),
             rt_rnn_f32_proj_scratch_bytes(seq, N, I, 3, H), 0, par);
  free(x), free(w), free(r), free(b), free(h0);
}

/* Every split kernel on shapes that split along output positions (a large
 * plane), along channel rows (a small one), and not at all (too little
 * work), with 2 and 3 pool threads and with 4 tasks run backwards. */
static void all_split(const rt_parallel *par) {
  rt_conv_params p;
  conv2d(&p, 8, 20, 1, 30, 3);
  convs_split(&p, par);
  conv2d(&p, 64, 96, 1, 7, 3);
  convs_split(&p, par);
  conv2d(&p, 48, 40, 1, 24, 1);
  convs_split(&p, par);
  conv2d(&p, 16, 32, 2, 12, 3);
  convs_split(&p, par);
  conv2d(&p, 24, 24, 24, 20, 3);
  convs_split(&p, par);
  conv2d(&p, 3, 4, 1, 4, 3);
  convs_split(&p, par);
  conv2d(&p, 32, 160, 1, 20, 3); /* nchwc: 2 bands x 2 groups of output blocks */
  convs_split(&p, par);
  conv2d(&p, 288, 72, 1, 1, 1); /* a squeeze-excitation FC: the GEMV's quads of rows split */
  convs_split(&p, par);
  gemms_split(50, 300, 70, par);
  gemms_split(1, 1000, 1280, par); /* mobilenet_v2's classifier: columns split */
  gemms_split(300, 40, 600, par);
  gemms_split(128, 420, 530, par); /* several panels and K slices: the prefetches of the next panel */
  gemms_split(128, 128, 64, par);  /* an attention head's product: B read in place, not packed */
  gemms_split(128, 512, 2048, par); /* a transformer's linear2: K slices, one job in the threaded variants */
  gemms_split(300, 96, 300, par);   /* two blocks of rows and two K slices per task */
  gemms_split(5, 7, 3, par);
  batched_matmuls_split(1, 4, 128, 64, 128, par); /* the attention's 4 heads of score x V: a head or two a task */
  batched_matmuls_split(2, 3, 40, 24, 56, par);   /* 6 matrices, B broadcast: 3, 2 or (4 tasks) split one by one */
  batched_matmuls_split(1, 3, 64, 96, 80, par);   /* 3 on 2 tasks: uneven, split one by one */
  batched_matmuls_split(2, 2, 6, 5, 7, par);      /* too little work: one task */
  lstm_split(128, 64, par); /* the lstm benchmark's layer: 64 units a task at two */
  lstm_split(100, 24, par); /* shares of 16 units, the last one shorter */
  lstm_split(40, 24, par);  /* too small: one task */
  gru_split(128, 40, par);  /* 64 units a task at two: gate_triple's and gate_pair's passes */
  gru_split(168, 24, par);  /* both kinds split; shares of 16 units, a remainder past the 16-unit passes */
  gru_split(40, 24, par);   /* too small: one task */
}

START_TEST(split_kernels_bit_identical) {
  rt_parallel seq = {backwards, NULL, 4, 0};
  int threads;
  all_split(&seq);
  for (threads = 2; threads <= 3; threads++) {
    rt_pool pool;
    rt_parallel par;
    ck_assert_int_eq(rt_pool_start(&pool, threads), RT_OK);
    par = rt_pool_parallel(&pool);
    par.tasks = threads;
    all_split(&par);
    rt_pool_stop(&pool);
  }
}
END_TEST

/* ---- each task's buffer, RT_TASK_STRIDE apart ----
 *
 * The split conv kernels lay the buffers of tasks 0 and 1 a stride apart
 * (onnxcc/parallel.h): task 0's buffer, RT_TASK_GAP bytes nobody writes,
 * then task 1's. The scratch (one task's bytes plus one stride, as the
 * compiler reserves for two threads) is filled with a pattern; after a
 * two-task call the gap must still hold it and task 1's buffer must not. */

#define CANARY 0xa5

static void gap_kept(rt_kernel_fn fn, const rt_conv_params *p, int in_scale, size_t scratch1, size_t stride,
                     const char *what) {
  enum { FLOATS = 1 << 20 };
  rt_parallel two = {backwards, NULL, 2, 0};
  const size_t buffer = stride - RT_TASK_GAP, bytes = (scratch1 + stride + 63) / 64 * 64;
  float *x = calloc(FLOATS, sizeof(float)), *w = calloc(FLOATS, sizeof(float));
  float *b = calloc(FLOATS, sizeof(float)), *y = calloc(FLOATS, sizeof(float));
  float *scale = calloc(FLOATS, sizeof(float));
  unsigned char *scratch = aligned_alloc(64, bytes);
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  size_t k, kept = 0, written = 0;
  ck_assert_msg(stride >= RT_TASK_GAP, "%s: a stride of %zu bytes", what, stride);
  memset(scratch, CANARY, bytes);
  in[0] = x, in[1] = w, in[2] = b, in[4] = in_scale ? scale : NULL;
  in[RT_PARALLEL_SLOT] = &two;
  out[0] = y;
  fn(p, in, out, scratch);
  for (k = buffer; k < stride; k++) kept += scratch[k] == CANARY;
  for (k = stride; k < stride + buffer; k++) written += scratch[k] != CANARY;
  ck_assert_msg(kept == RT_TASK_GAP, "%s: %zu bytes of the gap written", what, RT_TASK_GAP - kept);
  ck_assert_msg(written > 0, "%s: task 1 wrote nothing at a stride", what);
  free(x), free(w), free(b), free(y), free(scale), free(scratch);
}

START_TEST(task_buffers_a_gap_apart) {
  rt_conv_params p;
  conv2d(&p, 32, 32, 1, 28, 3);
  p.batch = 1;
  gap_kept(rt_conv_f32_im2col_packed, &p, 0, rt_conv_f32_im2col_packed_scratch_bytes(&p),
           rt_conv_f32_im2col_task_bytes(&p), "im2col_packed");
  gap_kept(rt_conv_f32_nchwc_packed, &p, 0, rt_conv_f32_nchwc_packed_scratch_bytes(&p),
           rt_conv_f32_nchwc_packed_task_bytes(&p), "nchwc_packed");
  gap_kept(rt_conv_f32_nchwc_blocked, &p, 0, rt_conv_f32_nchwc_blocked_scratch_bytes(&p),
           rt_conv_f32_nchwc_blocked_task_bytes(&p), "nchwc_blocked");
  conv2d(&p, 16, 16, 1, 56, 1); /* read in place but for its input scale: copied */
  p.batch = 1;
  p.has_in_scale = 1;
  gap_kept(rt_conv_f32_nchwc_blocked, &p, 1, rt_conv_f32_nchwc_blocked_scratch_bytes(&p),
           rt_conv_f32_nchwc_blocked_task_bytes(&p), "nchwc_blocked, input scale");
  p.has_in_shift = 1; /* fuse-input-bn's map: the same copy, shifted and activated */
  p.in_act = RT_ACT_RELU;
  gap_kept(rt_conv_f32_nchwc_blocked, &p, 1, rt_conv_f32_nchwc_blocked_scratch_bytes(&p),
           rt_conv_f32_nchwc_blocked_task_bytes(&p), "nchwc_blocked, input map");
  conv2d(&p, 3, 32, 1, 56, 3);
  p.batch = 1;
  gap_kept(rt_conv_f32_nchwc_stem, &p, 0, rt_conv_f32_nchwc_stem_scratch_bytes(&p),
           rt_conv_f32_nchwc_stem_task_bytes(&p), "nchwc_stem");
  conv2d(&p, 1, 32, 1, 56, 3);
  p.batch = 1;
  gap_kept(rt_conv_f32_nchwc_stem_mono, &p, 0, rt_conv_f32_nchwc_stem_scratch_bytes(&p),
           rt_conv_f32_nchwc_stem_task_bytes(&p), "nchwc_stem_mono");
  conv2d(&p, 32, 32, 32, 28, 3);
  p.batch = 1;
  gap_kept(rt_conv_f32_depthwise2d, &p, 0, rt_conv_f32_depthwise2d_scratch_bytes(&p),
           rt_conv_f32_depthwise2d_task_bytes(&p), "depthwise2d");
}
END_TEST

/* ---- the memory-bound kernels that split by ranges ----
 *
 * Element-wise, pooling and normalisation kernels cut their items into
 * pieces through rt_parallel_ranges (onnxcc/parallel.h): every piece of
 * [0, n) once, in whole units, none moving less than RT_SPLIT_MIN_BYTES,
 * and each kernel's outputs bit-identical to one thread's. */

/* Counts the pieces a rt_parallel_ranges call made: each item must be
 * covered once, each piece start on a unit. */
typedef struct pieces_seen {
  int64_t calls, covered, unit, bad_start;
  unsigned char hit[4096];
} pieces_seen;

static void note_piece(void *arg, int64_t lo, int64_t hi) {
  pieces_seen *s = (pieces_seen *)arg;
  int64_t i;
  s->calls++;
  if (lo % s->unit) s->bad_start++;
  for (i = lo; i < hi; i++) s->hit[i]++;
  s->covered += hi - lo;
}

/* Runs rt_parallel_ranges(par, n, unit, item_bytes) and checks every item
 * was covered once; returns the number of pieces. */
static int64_t ranges_pieces(const rt_parallel *par, int64_t n, int64_t unit, int64_t item_bytes) {
  static pieces_seen s;
  int64_t i;
  memset(&s, 0, sizeof s);
  s.unit = unit;
  rt_parallel_ranges(par, n, unit, item_bytes, note_piece, &s);
  ck_assert_int_eq(s.covered, n > 0 ? n : 0);
  for (i = 0; i < n; i++) ck_assert_int_eq(s.hit[i], 1);
  ck_assert_int_eq(s.bad_start, 0);
  return s.calls;
}

START_TEST(ranges_split_by_work) {
  rt_parallel seq = {backwards, NULL, 4, 0};
  const int64_t big = RT_SPLIT_MIN_BYTES; /* one item alone is a piece's worth */
  ck_assert_int_eq(ranges_pieces(&seq, 4000, 16, big), 4);
  ck_assert_int_eq(ranges_pieces(&seq, 4001, 16, big), 4); /* the last piece ends at n */
  ck_assert_int_eq(ranges_pieces(&seq, 3, 1, big), 3);     /* fewer items than tasks */
  ck_assert_int_eq(ranges_pieces(&seq, 20, 16, big), 2);   /* two units */
  ck_assert_int_eq(ranges_pieces(&seq, 0, 16, big), 0);
  ck_assert_int_eq(ranges_pieces(NULL, 4000, 16, big), 1); /* no rt_parallel: whole */
  /* too little work: one piece; just enough for 2 or 3 */
  ck_assert_int_eq(ranges_pieces(&seq, 4000, 16, 1), 1);
  ck_assert_int_eq(ranges_pieces(&seq, 4000, 1, (RT_SPLIT_MIN_BYTES + 1999) / 2000), 2);
  ck_assert_int_eq(ranges_pieces(&seq, 3000, 1, (RT_SPLIT_MIN_BYTES + 999) / 1000), 3);
}
END_TEST

/* A dispatch that counts its jobs, then runs the tasks backwards. */
static int64_t jobs_seen;
static void counted_backwards(void *user, int64_t n, rt_task_fn body, void *arg) {
  jobs_seen++;
  backwards(user, n, body, arg);
}

/* One kernel call to check: up to 5 inputs, up to 3 outputs of the given
 * bytes, and whether it should split (enough work) under a 4-task par. */
typedef struct range_case {
  rt_kernel_fn fn;
  const void *params;
  const void *in[5];
  size_t out_bytes[3];
  size_t scratch;
  int splits;
} range_case;

/* Runs the case whole and with `par` and compares every output bit for
 * bit; with counted_backwards, also that it split or not as expected. */
static void same_ranges(const range_case *c, const rt_parallel *par) {
  const void *in[RT_MIN_ARGS] = {0};
  void *one[RT_MIN_ARGS] = {0}, *many[RT_MIN_ARGS] = {0};
  unsigned char *scratch = malloc(c->scratch + 64);
  int k;
  for (k = 0; k < 5; k++) in[k] = c->in[k];
  for (k = 0; k < 3 && c->out_bytes[k]; k++) {
    one[k] = malloc(c->out_bytes[k]);
    many[k] = malloc(c->out_bytes[k]);
    memset(one[k], 0xa5, c->out_bytes[k]);
    memset(many[k], 0x5a, c->out_bytes[k]);
  }
  c->fn(c->params, in, one, scratch);
  in[RT_PARALLEL_SLOT] = par;
  jobs_seen = 0;
  c->fn(c->params, in, many, scratch);
  if (par->parallel_for == counted_backwards) ck_assert_int_eq(jobs_seen > 0, c->splits);
  for (k = 0; k < 3 && c->out_bytes[k]; k++) {
    ck_assert_int_eq(memcmp(one[k], many[k], c->out_bytes[k]), 0);
    free(one[k]);
    free(many[k]);
  }
  free(scratch);
}

/* Bytes of n elements of type T. */
#define NB(n, T) ((size_t)(n) * sizeof(T))

/* Unary kernels over n elements (the array activation, a libm one, one
 * with a second input, Clip with bound inputs, bool outputs). */
static void unary_ranges(int64_t n, int splits, const rt_parallel *par) {
  float *x = unit_rand_floats(n, 11), *g = unit_rand_floats(n, 12), lo = -0.5f, hi = 0.25f;
  unsigned char *bools = malloc((size_t)n);
  rt_unary_params u;
  range_case c;
  int64_t i;
  for (i = 0; i < n; i++) bools[i] = (unsigned char)(x[i] > 0);
  x[n / 2] = 1.0f / 0.0f; /* IsInf finds one */
  memset(&u, 0, sizeof u);
  u.count = n, u.alpha = 0.1f, u.ilo = u.ihi = 1;
  memset(&c, 0, sizeof c);
  c.params = &u, c.in[0] = x, c.out_bytes[0] = NB(n, float), c.splits = splits;
  c.fn = rt_relu_f32, same_ranges(&c, par);
  c.fn = rt_sigmoid_f32, same_ranges(&c, par);
  c.fn = rt_silu_f32, same_ranges(&c, par);
  c.fn = rt_exp_f32, same_ranges(&c, par);
  c.fn = rt_leaky_relu_f32, same_ranges(&c, par);
  c.fn = rt_swiglu_f32, c.in[1] = g, same_ranges(&c, par);
  c.fn = rt_clip_f32, c.in[1] = &lo, c.in[2] = &hi, same_ranges(&c, par);
  c.in[1] = c.in[2] = NULL;
  c.fn = rt_isinf_f32, c.out_bytes[0] = (size_t)n, same_ranges(&c, par);
  c.fn = rt_not_bool, c.in[0] = bools, same_ranges(&c, par);
  free(x);
  free(g);
  free(bools);
}

/* Binary kernels on [d0, d1, d2]: same shapes, a channel broadcast on
 * either side (the squeeze-excitation scale), a bool output, Where. */
static void binary_ranges(int64_t d0, int64_t d1, int64_t d2, int splits, const rt_parallel *par) {
  const int64_t n = d0 * d1 * d2;
  float *a = unit_rand_floats(n, 13), *b = unit_rand_floats(n, 14), *s = unit_rand_floats(d0 * d1, 15);
  unsigned char *cond = malloc((size_t)n);
  rt_binary_params full, scale_a, scale_b;
  rt_where_params w;
  range_case c;
  int64_t i;
  for (i = 0; i < n; i++) cond[i] = (unsigned char)(a[i] > b[i]);
  memset(&full, 0, sizeof full);
  full.rank = 3, full.dims[0] = d0, full.dims[1] = d1, full.dims[2] = d2;
  full.a_strides[0] = full.b_strides[0] = d1 * d2;
  full.a_strides[1] = full.b_strides[1] = d2;
  full.a_strides[2] = full.b_strides[2] = 1;
  scale_a = full; /* a: [d0, d1, 1] */
  scale_a.a_strides[0] = d1, scale_a.a_strides[1] = 1, scale_a.a_strides[2] = 0;
  scale_b = full;
  scale_b.b_strides[0] = d1, scale_b.b_strides[1] = 1, scale_b.b_strides[2] = 0;
  memset(&c, 0, sizeof c);
  c.in[0] = a, c.in[1] = b, c.out_bytes[0] = NB(n, float), c.splits = splits;
  c.fn = rt_add_f32, c.params = &full, same_ranges(&c, par);
  c.fn = rt_div_f32, same_ranges(&c, par);
  c.fn = rt_mul_f32, c.params = &scale_a, c.in[0] = s, same_ranges(&c, par);
  c.fn = rt_sub_f32, c.params = &scale_b, c.in[0] = a, c.in[1] = s, same_ranges(&c, par);
  c.fn = rt_less_f32, c.params = &full, c.in[1] = b, c.out_bytes[0] = (size_t)n, same_ranges(&c, par);
  memset(&w, 0, sizeof w);
  w.rank = 3, w.dims[0] = d0, w.dims[1] = d1, w.dims[2] = d2;
  for (i = 0; i < 3; i++) w.c_strides[i] = w.a_strides[i] = full.a_strides[i], w.b_strides[i] = scale_b.b_strides[i];
  c.fn = rt_where_4, c.params = &w, c.in[0] = cond, c.in[1] = a, c.in[2] = s, c.out_bytes[0] = NB(n, float);
  same_ranges(&c, par);
  free(a);
  free(b);
  free(s);
  free(cond);
}

/* The pools on `planes` planes of hw x hw: 3x3 stride 2 pad 1 max (with
 * and without Indices), average without the pads, LpPool 2 and the
 * global ones. */
static void pool_ranges(int64_t planes, int64_t hw, int splits, const rt_parallel *par) {
  const int64_t ohw = (hw + 2 - 3) / 2 + 1;
  float *x = unit_rand_floats(planes * hw * hw, 16);
  rt_pool_params p;
  rt_globalpool_params gp;
  range_case c;
  memset(&p, 0, sizeof p);
  p.planes = planes, p.p = 2;
  p.in_dims[0] = 1, p.in_dims[1] = p.in_dims[2] = hw;
  p.out_dims[0] = 1, p.out_dims[1] = p.out_dims[2] = ohw;
  p.kernel[0] = 1, p.kernel[1] = p.kernel[2] = 3;
  p.strides[0] = 1, p.strides[1] = p.strides[2] = 2;
  p.pads[1] = p.pads[2] = 1;
  p.dilations[0] = p.dilations[1] = p.dilations[2] = 1;
  memset(&c, 0, sizeof c);
  c.params = &p, c.in[0] = x, c.out_bytes[0] = NB(planes * ohw * ohw, float), c.splits = splits;
  c.scratch = NB(ohw, float);
  c.fn = rt_maxpool_f32, same_ranges(&c, par);
  c.fn = rt_avgpool_f32, same_ranges(&c, par);
  c.fn = rt_lppool_f32, same_ranges(&c, par);
  c.fn = rt_maxpool_f32_indices, c.out_bytes[1] = NB(planes * ohw * ohw, int64_t), same_ranges(&c, par);
  c.out_bytes[1] = 0;
  memset(&gp, 0, sizeof gp);
  gp.planes = planes, gp.size = hw * hw, gp.p = 2;
  c.params = &gp, c.out_bytes[0] = NB(planes, float);
  c.fn = rt_globalavgpool_f32, same_ranges(&c, par);
  c.fn = rt_globalmaxpool_f32, same_ranges(&c, par);
  c.fn = rt_globallppool_f32, same_ranges(&c, par);
  free(x);
}

/* BatchNormalization, Instance- and GroupNormalization on [n, ch, inner];
 * the softmaxes, LayerNormalization (with its mean and inverse std-dev
 * outputs) and RMSNormalization on rows of `inner`. */
static void norm_ranges(int64_t n, int64_t ch, int64_t inner, int splits, const rt_parallel *par) {
  const int64_t total = n * ch * inner;
  float *x = unit_rand_floats(total, 17), *sc = unit_rand_floats(inner > ch ? inner : ch, 18);
  float *bi = unit_rand_floats(inner > ch ? inner : ch, 19), *var = unit_rand_floats(ch, 20);
  rt_batchnorm_params bn;
  rt_instancenorm_params in_;
  rt_groupnorm_params gn;
  rt_softmax_params sm;
  rt_layernorm_params ln;
  rt_rmsnorm_params rms;
  range_case c;
  int64_t i;
  for (i = 0; i < ch; i++) var[i] += 1.5f; /* positive */
  memset(&c, 0, sizeof c);
  c.in[0] = x, c.in[1] = sc, c.in[2] = bi, c.in[3] = bi, c.in[4] = var;
  c.out_bytes[0] = NB(total, float), c.splits = splits;
  memset(&bn, 0, sizeof bn);
  bn.n = n, bn.c = ch, bn.inner = inner, bn.epsilon = 1e-5f;
  c.fn = rt_batchnorm_f32, c.params = &bn, same_ranges(&c, par);
  memset(&in_, 0, sizeof in_);
  in_.n = n, in_.c = ch, in_.inner = inner, in_.epsilon = 1e-5f;
  c.fn = rt_instancenorm_f32, c.params = &in_, same_ranges(&c, par);
  memset(&gn, 0, sizeof gn);
  gn.n = n, gn.c = ch, gn.inner = inner, gn.groups = ch % 2 ? ch : ch / 2, gn.epsilon = 1e-5f;
  c.fn = rt_groupnorm_f32, c.params = &gn, same_ranges(&c, par);
  memset(&sm, 0, sizeof sm);
  sm.outer = n * ch, sm.n = inner, sm.inner = 1;
  c.params = &sm;
  c.fn = rt_softmax_f32, same_ranges(&c, par);
  c.fn = rt_logsoftmax_f32, same_ranges(&c, par);
  c.fn = rt_hardmax_f32, same_ranges(&c, par);
  memset(&ln, 0, sizeof ln);
  ln.outer = n * ch, ln.n = inner, ln.scale_n = ln.bias_n = inner, ln.epsilon = 1e-5f;
  ln.has_bias = ln.has_mean = ln.has_invstd = 1;
  c.out_bytes[1] = c.out_bytes[2] = NB(n * ch, float);
  c.fn = rt_layernorm_f32, c.params = &ln, same_ranges(&c, par);
  c.out_bytes[1] = c.out_bytes[2] = 0;
  memset(&rms, 0, sizeof rms);
  rms.outer = n * ch, rms.n = inner, rms.scale_n = inner, rms.epsilon = 1e-5f;
  c.fn = rt_rmsnorm_f32, c.params = &rms, same_ranges(&c, par);
  free(x);
  free(sc);
  free(bi);
  free(var);
}

/* The strided copies and Transpose (32-bit elements; rows of bytes for
 * rt_copy_rows) from an input of d0 x d1 x d2 x d3: a slice of rows
 * starting at an offset, a broadcast, a stride-2 read, and the permutation
 * (0, 3, 2, 1), whose planes skip an outer dim. */
static void copy_ranges(int64_t d0, int64_t d1, int64_t d2, int64_t d3, int splits, const rt_parallel *par) {
  const int64_t n = d0 * d1 * d2 * d3;
  float *x = unit_rand_floats(3 * n + 16, 21); /* room for the stride-2 read */
  rt_strided_copy_params c3, t;
  range_case c;
  memset(&c3, 0, sizeof c3);
  c3.rank = 3, c3.dims[0] = d0, c3.dims[1] = d1 * d2, c3.dims[2] = d3 * 4; /* bytes */
  c3.strides[0] = 2 * d1 * d2 * d3 * 4, c3.strides[1] = d3 * 4, c3.strides[2] = 1, c3.offset = 12;
  memset(&c, 0, sizeof c);
  c.params = &c3, c.in[0] = x, c.out_bytes[0] = NB(n, float), c.splits = splits;
  c.fn = rt_copy_rows, same_ranges(&c, par);
  c3.dims[2] = d3, c3.strides[0] = d1 * d2 * d3, c3.strides[1] = d3, c3.strides[2] = 0, c3.offset = 3;
  c.fn = rt_broadcast_32bit, same_ranges(&c, par);
  c3.strides[2] = 2;
  c.fn = rt_strided_copy_32bit, same_ranges(&c, par);
  memset(&t, 0, sizeof t);
  t.rank = 4, t.plane_axis = 1;
  t.dims[0] = d0, t.dims[1] = d3, t.dims[2] = d2, t.dims[3] = d1;
  t.strides[0] = d1 * d2 * d3, t.strides[1] = 1, t.strides[2] = d3, t.strides[3] = d2 * d3;
  c.splits = splits && d0 * d2 > 1; /* whole planes: one plane runs whole */
  c.params = &t, c.fn = rt_transpose_32bit, same_ranges(&c, par);
  free(x);
}

/* Sizes well past the threshold with odd counts (pieces that end inside
 * a row, a last piece shorter than the others), and below it (whole). */
static void all_ranges(const rt_parallel *par) {
  unary_ranges(100003, 1, par);
  unary_ranges(1001, 0, par);
  binary_ranges(3, 37, 1013, 1, par);
  binary_ranges(1, 1, 150001, 1, par); /* one row: pieces split it */
  binary_ranges(2, 5, 7, 0, par);
  pool_ranges(67, 29, 1, par);
  pool_ranges(3, 9, 0, par);
  norm_ranges(2, 37, 301, 1, par);
  norm_ranges(1, 3, 5, 0, par);
  copy_ranges(3, 5, 7, 1031, 1, par);
  copy_ranges(1, 1, 1, 70001, 1, par); /* one row: pieces split it */
  copy_ranges(2, 3, 5, 7, 0, par);
}

START_TEST(range_kernels_bit_identical) {
  rt_parallel seq = {counted_backwards, NULL, 4, 0};
  int threads;
  all_ranges(&seq);
  for (threads = 2; threads <= 3; threads++) {
    rt_pool pool;
    rt_parallel par;
    ck_assert_int_eq(rt_pool_start(&pool, threads), RT_OK);
    par = rt_pool_parallel(&pool);
    par.tasks = threads;
    all_ranges(&par);
    rt_pool_stop(&pool);
  }
}
END_TEST

#if defined(__linux__)
/* A thread that wakes a sleeper narrows the sleeper's CPU mask for the
 * wake-up and gives it back (runtime/src/threads.c, avoid_my_cpu), as
 * rt_pool_start does for a worker's start: after the start and both
 * wake-ups, a worker woken by a new job and a submitter woken by the
 * worker that finished its last task, every thread's mask must be what it
 * was. Task 0 (the submitter's) waits until a worker has started task 1,
 * which runs 20 ms, longer than the submitter polls: so the submitter
 * sleeps and the worker wakes it. */
typedef struct handoff {
  int started;
  int ran[2];
} handoff;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return 1e3 * (double)ts.tv_sec + (double)ts.tv_nsec / 1e6;
}

static void handoff_task(void *arg, int64_t i) {
  handoff *h = (handoff *)arg;
  const double t0 = now_ms();
  if (i == 0) {
    while (!__atomic_load_n(&h->started, __ATOMIC_ACQUIRE) && now_ms() - t0 < 2000) sched_yield();
  } else {
    __atomic_store_n(&h->started, 1, __ATOMIC_RELEASE);
    while (now_ms() - t0 < 20) {
    }
  }
  h->ran[i]++;
}

static int all_asleep(rt_pool *pool) {
  const double t0 = now_ms();
  while (__atomic_load_n(&pool->sleepers, __ATOMIC_SEQ_CST) < pool->workers)
    if (now_ms() - t0 > 2000) return 0;
    else sched_yield();
  return 1;
}

/* Whether thread t's mask is (or within a second becomes) want: the
 * worker that wakes the submitter gives its mask back just after it
 * signals, so the submitter may return from the job a moment before. */
static int mask_is(pthread_t t, const cpu_set_t *want) {
  const double t0 = now_ms();
  cpu_set_t now;
  do {
    if (pthread_getaffinity_np(t, sizeof now, &now)) return 0;
    if (CPU_EQUAL(&now, want)) return 1;
    sched_yield();
  } while (now_ms() - t0 < 1000);
  return 0;
}

START_TEST(wake_ups_leave_masks_as_they_were) {
  rt_pool pool;
  rt_parallel par;
  cpu_set_t mine, worker;
  handoff h;
  int round;
  ck_assert_int_eq(pthread_getaffinity_np(pthread_self(), sizeof mine, &mine), 0);
  ck_assert_int_eq(rt_pool_start(&pool, 2), RT_OK);
  par = rt_pool_parallel(&pool);
  ck_assert_int_eq(pthread_getaffinity_np(pool.th[0], sizeof worker, &worker), 0);
  ck_assert(CPU_EQUAL(&mine, &worker)); /* started off this CPU, then given the whole mask */
  for (round = 0; round < 3; round++) {
    ck_assert(all_asleep(&pool)); /* so the job wakes it */
    memset(&h, 0, sizeof h);
    par.parallel_for(par.user, 2, handoff_task, &h);
    ck_assert_int_eq(h.started, 1);
    ck_assert_int_eq(h.ran[0], 1);
    ck_assert_int_eq(h.ran[1], 1);
    ck_assert(mask_is(pthread_self(), &mine));
    ck_assert(mask_is(pool.th[0], &worker));
  }
  rt_pool_stop(&pool);
}
END_TEST
#endif

Suite *threads_suite(void) {
  Suite *s = suite_create("threads");
  TCase *tc = tcase_create("pool");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, pool_runs_each_task_once);
  tcase_add_test(tc, pool_refuses_bad_counts);
  tcase_add_test(tc, pool_runs_huge_job);
  tcase_add_test(tc, task_stride_is_the_larger);
  tcase_add_test(tc, pools_at_once);
#if defined(__linux__)
  tcase_add_test(tc, wake_ups_leave_masks_as_they_were);
#endif
  tcase_add_test(tc, share_covers_total);
  tcase_add_test(tc, split_kernels_bit_identical);
  tcase_add_test(tc, task_buffers_a_gap_apart);
  tcase_add_test(tc, ranges_split_by_work);
  tcase_add_test(tc, range_kernels_bit_identical);
  suite_add_tcase(s, tc);
  return s;
}
