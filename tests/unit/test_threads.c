/* --threads: the pthread pool (onnxcc/threads.h) and the kernels that
 * split across it. The pool must run every task of a job exactly once,
 * for jobs smaller and larger than its thread count, one job after
 * another, and for two pools used at once. A split kernel must give
 * bit-identical results to one thread, whichever order its tasks run in. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/threads.h>

#include "suites.h"

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
    ck_assert(jobs_ok(&par, 50)); /* 2000 small jobs, n below and above the thread count */
    rt_pool_stop(&pool);
  }
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

static float *rand_floats(int64_t n, uint32_t seed) {
  float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  int64_t i;
  for (i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  return v;
}

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
  float *x = rand_floats(p->batch * p->in_ch * p->in_dims[0] * p->in_dims[1], 1);
  float *w = rand_floats(p->out_ch * cg * kk, 2), *b = rand_floats(p->out_ch, 3);
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
  float *a = rand_floats(M * K, 4), *b = rand_floats(K * N, 5);
  float *bp = malloc(sizeof(float) * (size_t)rt_gemm_f32_packed_floats(K, N)), *bias = rand_floats(N, 6);
  const void *args[2], *args3[3];
  const size_t out_bytes = sizeof(float) * (size_t)(M * N);
  memset(&g, 0, sizeof g);
  g.M = M, g.N = N, g.K = K, g.alpha = 1.0f;
  args[0] = a, args[1] = b;
  same_split(rt_gemm_f32, &g, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K), 0, par);
  rt_gemm_f32_pack_b(K, N, b, 0, bp);
  args[1] = bp;
  same_split(rt_gemm_f32_packed, &g, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  /* with a bias row, which starts the accumulators of the first K slice */
  g.has_c = 1, g.beta = 1.0f, g.c_cs = 1;
  args3[0] = a, args3[1] = bp, args3[2] = bias;
  same_split(rt_gemm_f32_packed, &g, args3, 3, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  memset(&mm, 0, sizeof mm);
  mm.M = M, mm.N = N, mm.K = K;
  args[1] = b;
  same_split(rt_matmul_f32, &mm, args, 2, out_bytes, rt_sgemm_scratch_bytes(M, N, K), 0, par);
  args[1] = bp;
  same_split(rt_matmul_f32_packed, &mm, args, 2, out_bytes, rt_gemm_f32_packed_scratch_bytes(M, K), 0, par);
  free(a);
  free(b);
  free(bp);
  free(bias);
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
  gemms_split(50, 300, 70, par);
  gemms_split(300, 40, 600, par);
  gemms_split(128, 420, 530, par); /* several panels and K slices: the prefetches of the next panel */
  gemms_split(128, 128, 64, par);  /* an attention head's product: B read in place, not packed */
  gemms_split(5, 7, 3, par);
}

START_TEST(split_kernels_bit_identical) {
  rt_parallel seq = {backwards, NULL, 4};
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

Suite *threads_suite(void) {
  Suite *s = suite_create("threads");
  TCase *tc = tcase_create("pool");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, pool_runs_each_task_once);
  tcase_add_test(tc, pool_refuses_bad_counts);
  tcase_add_test(tc, pools_at_once);
  tcase_add_test(tc, share_covers_total);
  tcase_add_test(tc, split_kernels_bit_identical);
  suite_add_tcase(s, tc);
  return s;
}
