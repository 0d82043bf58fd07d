/* The kernels that split across threads and their per-task scratch
 * (compiler/threads.h). One table, so the scratch the planner reserves and
 * the kernels the emitter hands the rt_parallel to cannot disagree. */
#include "threads.h"

#include "kernel_table.h"
#include "lowered.h"

/* Bytes of scratch each task past the first needs, from the node's params. */
typedef size_t (*task_bytes_fn)(const void *params);

static size_t no_task_bytes(const void *params) {
  (void)params;
  return 0;
}
static size_t conv_panel_bytes(const void *params) { return rt_conv_f32_im2col_task_bytes((const rt_conv_params *)params); }
static size_t conv_plane_bytes(const void *params) {
  return rt_conv_f32_depthwise2d_task_bytes((const rt_conv_params *)params);
}
static size_t conv_band_bytes(const void *params) {
  return rt_conv_f32_nchwc_packed_task_bytes((const rt_conv_params *)params);
}

static size_t blocked_band_bytes(const void *params) {
  return rt_conv_f32_nchwc_blocked_task_bytes((const rt_conv_params *)params);
}

static size_t winograd_tile_bytes(const void *params) {
  return rt_conv_f32_nchwc_winograd_task_bytes((const rt_conv_params *)params);
}

static size_t stem_band_bytes(const void *params) {
  return rt_conv_f32_nchwc_stem_task_bytes((const rt_conv_params *)params);
}

static size_t gemm_a_bytes(const void *params) {
  const rt_gemm_params *p = (const rt_gemm_params *)params;
  return rt_gemm_f32_packed_task_bytes(p->M, p->K);
}

static size_t matmul_a_bytes(const void *params) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  return rt_gemm_f32_packed_task_bytes(p->M, p->K);
}

static size_t matmul_batch_bytes(const void *params) {
  const rt_matmul_params *p = (const rt_matmul_params *)params;
  return rt_matmul_f32_task_bytes(p->M, p->N, p->K);
}

static size_t gap_half_bytes(const void *params) {
  return rt_nchwc_globalavgpool_task_bytes((const rt_nchwc_reorder_params *)params);
}

/* The split kernels that split only some nodes, by their params. */
typedef int (*splits_fn)(const void *params);

/* P would be in the slot the tasks take (kernels/rnn.h). */
static int lstm_without_peepholes(const void *params) { return !((const rt_rnn_params *)params)->peepholes; }

static const struct {
  int kernel;
  splits_fn only_if;
} conditions[] = {
    {K_rt_lstm_f32_proj, lstm_without_peepholes},
};

/* Kernels with a variant of their own for --threads programs, which a
 * node of the main graph takes instead (only the variant is in `splits`):
 * code that only pays at several threads stays out of one-thread programs
 * (tests/models/mlp's must fit 8 KiB). */
static const struct {
  int kernel, threaded;
} variants[] = {
    {K_rt_gemm_f32_packed, K_rt_gemm_f32_packed_mt},
    {K_rt_matmul_f32_packed, K_rt_matmul_f32_packed_mt},
    {K_rt_matmul_f32, K_rt_matmul_f32_mt},
};

/* strided: the kernel lays its task buffers rt_task_stride apart (the
 * model's task_stride, when larger than the node's own task_bytes). */
static const struct {
  int kernel;
  task_bytes_fn task_bytes;
  int strided;
} splits[] = {
    {K_rt_conv_f32_im2col, conv_panel_bytes, 1},
    {K_rt_conv_f32_im2col_packed, conv_panel_bytes, 1},
    {K_rt_conv_f32_pointwise_packed, conv_panel_bytes, 1},
    {K_rt_conv_f32_pointwise, no_task_bytes, 0},
    {K_rt_conv_f32_depthwise, no_task_bytes, 0},
    {K_rt_conv_f32_depthwise2d, conv_plane_bytes, 1},
    {K_rt_conv_f32_nchwc_packed, conv_band_bytes, 1},
    {K_rt_conv_f32_nchwc_blocked, blocked_band_bytes, 1},
    {K_rt_conv_f32_nchwc_winograd, winograd_tile_bytes, 1},
    {K_rt_conv_f32_nchwc_stem, stem_band_bytes, 1},
    {K_rt_conv_f32_nchwc_stem_mono, stem_band_bytes, 1},
    {K_rt_conv_f32_depthwise_blocked, no_task_bytes, 0},
    {K_rt_nchwc_to_blocked_f32, no_task_bytes, 0},
    {K_rt_nchwc_from_blocked_f32, no_task_bytes, 0},
    {K_rt_nchwc_maxpool_f32, no_task_bytes, 0},
    {K_rt_nchwc_avgpool_f32, no_task_bytes, 0},
    {K_rt_nchwc_batchnorm_f32, no_task_bytes, 0},
    {K_rt_nchwc_globalavgpool_f32, gap_half_bytes, 0},
    {K_rt_nchwc_gather_channels_f32, no_task_bytes, 0},
    {K_rt_gather_channels, no_task_bytes, 0},
    {K_rt_gemm_f32, no_task_bytes, 0},
    {K_rt_gemm_f32_packed_mt, gemm_a_bytes, 1},
    {K_rt_gemm_f32_gemv, no_task_bytes, 0},
    {K_rt_gemm_f32_gemv_packed, no_task_bytes, 0},
    {K_rt_matmul_f32_gemv_packed, no_task_bytes, 0},
    {K_rt_matmul_f32_mt, matmul_batch_bytes, 1},
    {K_rt_matmul_f32_packed_mt, matmul_a_bytes, 1},
    {K_rt_lstm_f32_proj, no_task_bytes, 0},
    {K_rt_gru_f32_proj, no_task_bytes, 0},

/* The memory-bound kernels: each cuts its items (elements, rows, planes)
 * into ranges through rt_parallel_ranges (runtime/src/split_internal.h),
 * none with scratch of its own per task. Every unary, binary, Where and
 * pooling variant, the strided copies and Transpose; of the normalisations
 * those that run row by row or plane by plane (the strided softmaxes, LRN,
 * MVN, LpNormalization and training-mode BatchNormalization run whole). */
#define RANGE_SPLIT(name, ptype) {K_##name, no_task_bytes, 0},
    RT_UNARY_KERNELS(RANGE_SPLIT)
    RT_BINARY_KERNELS(RANGE_SPLIT)
    RT_WHERE_KERNELS(RANGE_SPLIT)
    RT_POOL_KERNELS(RANGE_SPLIT)
    RANGE_SPLIT(rt_copy_rows, ~)
    RT_TENSOR_BY_WIDTH(RANGE_SPLIT, rt_broadcast, ~)
    RT_TENSOR_BY_WIDTH(RANGE_SPLIT, rt_strided_copy, ~)
    RT_TENSOR_BY_WIDTH(RANGE_SPLIT, rt_transpose, ~)
    RANGE_SPLIT(rt_batchnorm_f32, ~)
    RANGE_SPLIT(rt_batchnorm_f64, ~)
    RANGE_SPLIT(rt_batchnorm_f32_f64, ~)
    RANGE_SPLIT(rt_batchnorm_f64_f32, ~)
    RANGE_SPLIT(rt_softmax_f32, ~)
    RANGE_SPLIT(rt_logsoftmax_f32, ~)
    RANGE_SPLIT(rt_hardmax_f32, ~)
    RANGE_SPLIT(rt_instancenorm_f32, ~)
    RANGE_SPLIT(rt_instancenorm_f64, ~)
    RANGE_SPLIT(rt_layernorm_f32, ~)
    RANGE_SPLIT(rt_layernorm_f64, ~)
    RANGE_SPLIT(rt_layernorm_f32_f64, ~)
    RANGE_SPLIT(rt_layernorm_f64_f32, ~)
    RANGE_SPLIT(rt_rmsnorm_f32, ~)
    RANGE_SPLIT(rt_rmsnorm_f64, ~)
    RANGE_SPLIT(rt_groupnorm_f32, ~)
    RANGE_SPLIT(rt_groupnorm_f64, ~)
#undef RANGE_SPLIT
};

static int find(int kernel) {
  int i;
  for (i = 0; i < (int)(sizeof splits / sizeof *splits); i++)
    if (splits[i].kernel == kernel) return i;
  return -1;
}

/* The splits row of node l, or -1. */
static int row_of(const lowered *l) {
  const int k = l && !l->control ? find(l->kernel) : -1;
  int c;
  if (k < 0) return -1;
  for (c = 0; c < (int)(sizeof conditions / sizeof *conditions); c++)
    if (conditions[c].kernel == l->kernel && !conditions[c].only_if(l->params)) return -1;
  return k;
}

int threads_node_splits(const lowered *l) { return row_of(l) >= 0; }

void threads_size_scratch(ir_graph *g, int threads) {
  size_t stride = 0;
  int i, v, k;
  for (i = 0; i < g->n_nodes; i++) {
    lowered *l = g->nodes[i]->low;
    size_t own;
    for (v = 0; l && !l->control && v < (int)(sizeof variants / sizeof *variants); v++)
      if (variants[v].kernel == l->kernel) l->kernel = variants[v].threaded;
    if ((k = row_of(l)) < 0 || !splits[k].strided) continue;
    own = splits[k].task_bytes(l->params);
    if (own > stride) stride = own;
  }
  /* one stride for every node, so that a task's buffer lies at the same
   * offset of each node's scratch (parallel.h, rt_task_stride) */
  stride = (stride + 63) & ~(size_t)63;
  g->task_stride = stride;
  for (i = 0; i < g->n_nodes; i++) {
    lowered *l = g->nodes[i]->low;
    size_t own;
    if ((k = row_of(l)) < 0) continue;
    own = splits[k].task_bytes(l->params);
    l->scratch_bytes += (size_t)(threads - 1) * (splits[k].strided && own ? stride : own);
  }
}
