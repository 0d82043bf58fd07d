/* One row of A times a B prepacked in gemm.h's panels: a batch-1 Linear
 * layer (a classifier's Gemm) when its weights are a constant.
 *
 * Why not the dot products of gemm.c's sgemv_row: those read four rows of
 * B at once, four streams a row of K floats apart, each summed into its
 * own chain. The panels are k-major, so here each panel is one
 * sequential stream, and every k is one broadcast of a[k] times a row of
 * contiguous floats: the loads are whole vectors, the hardware prefetcher
 * sees one stream, and the FMA chains are independent by construction.
 * mobilenet_v2's 1280 -> 1000 classifier (5 MB of weights), stand-alone:
 * 0.12 ms from L3 as dot products, 0.055-0.064 ms this way; with the
 * weights evicted first 0.41 against 0.16-0.17 ms. */
#include "onnxcc/kernels/gemm.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h"

typedef struct gemv_packed_job {
  int64_t N, K;
  float alpha, beta;
  const float *a, *bpk, *col_init;
  float *c;
  const rt_epi *e;
} gemv_packed_job;

/* sum[j] = sum over k of a[k] * p[k * pw + j] for j < pw, k in
 * order: a whole panel row (RT_GEMM_PANEL floats, six 16-lane vectors
 * where the target has them, each its own FMA chain) per k. A block of
 * the row instead (32 columns, three blocks per panel) read each row in
 * strided pieces: 0.39-0.43 ms against 0.16-0.17 for whole rows on that
 * classifier with its weights evicted (the warm times 0.070 / 0.055). */
static void panel_sums(const float *a, int64_t K, const float *p, float *sum) {
  float s[RT_GEMM_PANEL];
  int64_t k;
  int j;
  for (j = 0; j < RT_GEMM_PANEL; j++) s[j] = 0.0f;
  for (k = 0; k < K; k++) {
    const float ak = a[k], *r = p + k * RT_GEMM_PANEL;
    for (j = 0; j < RT_GEMM_PANEL; j++) s[j] = MADD(ak, r[j], s[j]);
  }
  for (j = 0; j < RT_GEMM_PANEL; j++) sum[j] = s[j];
}

/* The same for the narrow last panel, pw < RT_GEMM_PANEL wide. */
static void last_panel_sums(const float *a, int64_t K, const float *p, int64_t pw, float *sum) {
  int64_t k, j;
  for (j = 0; j < pw; j++) sum[j] = 0.0f;
  for (k = 0; k < K; k++) {
    const float ak = a[k], *r = p + k * pw;
    for (j = 0; j < pw; j++) sum[j] = MADD(ak, r[j], sum[j]);
  }
}

/* Columns [lo, hi): lo a multiple of RT_GEMM_PANEL (rt_parallel_ranges'
 * unit), hi one too or N. Each column's sum depends on its own lane only,
 * so how the columns are split never changes a bit. */
static void gemv_packed_columns(void *arg, int64_t lo, int64_t hi) {
  const gemv_packed_job *g = (const gemv_packed_job *)arg;
  float sum[RT_GEMM_PANEL];
  int64_t j0, t;
  for (j0 = lo; j0 < hi; j0 += RT_GEMM_PANEL) {
    const int64_t pw = rt_gemm_panel_width(g->N, j0), w = hi - j0 < RT_GEMM_PANEL ? hi - j0 : RT_GEMM_PANEL;
    const float *p = g->bpk + j0 * g->K;
    float *c = g->c + j0;
    if (pw == RT_GEMM_PANEL) panel_sums(g->a, g->K, p, sum);
    else last_panel_sums(g->a, g->K, p, pw, sum);
    for (t = 0; t < w; t++) {
      const float base = g->col_init ? g->col_init[j0 + t] : g->beta == 0.0f ? 0.0f : g->beta * c[t];
      c[t] = MADD(g->alpha, sum[t], base);
    }
  }
  if (g->e) rt_epi_tile(g->e, g->c + lo, hi - lo, 1, hi - lo);
}

void rt_sgemv_packed_b(int64_t N, int64_t K, float alpha, const float *a, const float *bpk, float beta, float *c,
                       const float *col_init, const rt_epi *e, const rt_parallel *par) {
  gemv_packed_job g;
  g.N = N;
  g.K = K;
  g.alpha = alpha;
  g.beta = beta;
  g.a = a;
  g.bpk = bpk;
  g.col_init = col_init;
  g.c = c;
  g.e = e;
  /* a task is worth its hand-off once it streams RT_SPLIT_MIN_BYTES of B */
  rt_parallel_ranges(par, N, RT_GEMM_PANEL, K * (int64_t)sizeof(float), gemv_packed_columns, &g);
}
