/* rt_conv_f32_depthwise_blocked: a depthwise Conv (group = in_ch =
 * out_ch, 2 spatial dims) on blocked tensors (kernels/nchwc.h). Each lane
 * of a 16-float vector is one channel, so every tap of 16 channels is one
 * multiply-add of two vectors whatever the plane's size, kernel or stride:
 * no plane is copied or padded, and a short row wastes no lane.
 *
 * Each output sums the bias, then its taps in row-major order, a tap
 * outside the input adding w * 0 as the padded plane of
 * rt_conv_f32_depthwise2d does: the same bits (tests/unit
 * test_conv_blocked.c compares them). Tasks take whole output rows of one
 * block. */
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h" /* MADD */

#define B RT_CONV_NCHWC_BLOCK

/* Output positions of a row computed together: their sums stay in
 * registers while the taps of a kernel row are added. */
#define DWB_COLS 4

static int64_t blocks(int64_t ch) { return RT_IDIV(ch + B - 1, B); }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

int64_t rt_conv_f32_depthwise_blocked_floats(const rt_conv_params *p) {
  return blocks(p->out_ch) * p->kernel[0] * p->kernel[1] * B;
}

void rt_conv_f32_depthwise_blocked_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t taps = p->kernel[0] * p->kernel[1], cb = blocks(p->out_ch);
  int64_t b, t, l;
  for (b = 0; b < cb; b++)
    for (t = 0; t < taps; t++)
      for (l = 0; l < B; l++) packed[(b * taps + t) * B + l] = b * B + l < p->out_ch ? w[(b * B + l) * taps + t] : 0.0f;
}

size_t rt_conv_f32_depthwise_blocked_scratch_bytes(const rt_conv_params *p) {
  (void)p;
  return 0;
}

size_t rt_conv_f32_depthwise_blocked_task_bytes(const rt_conv_params *p) {
  (void)p;
  return 0;
}

typedef struct dwb_job {
  const rt_conv_params *p;
  const float *x, *w, *bias;
  float *y;
  const rt_epi *e;
  int64_t tasks;
} dwb_job;

/* Output columns [c0, c0 + n) (n <= DWB_COLS) of output row r of block b
 * of one image: x and y point at the image's block, w at the block's
 * taps, bias at its 16 lanes. */
static void dwb_cols(const rt_conv_params *p, const float *x, const float *w, const float *bias, int64_t r,
                     int64_t c0, int64_t n, float *y) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], kh = p->kernel[0], kw = p->kernel[1];
  float acc[DWB_COLS][B];
  int64_t i, l, u, v;
  for (i = 0; i < n; i++)
    for (l = 0; l < B; l++) acc[i][l] = bias[l];
  for (u = 0; u < kh; u++) {
    const int64_t row = r * p->strides[0] - p->pads[0] + u * p->dilations[0];
    const int in_row = row >= 0 && row < ih;
    for (v = 0; v < kw; v++) {
      const float *wt = w + (u * kw + v) * B;
      for (i = 0; i < n; i++) {
        const int64_t col = (c0 + i) * p->strides[1] - p->pads[1] + v * p->dilations[1];
        if (in_row && col >= 0 && col < iw) {
          const float *xt = x + (row * iw + col) * B;
          for (l = 0; l < B; l++) acc[i][l] = MADD(wt[l], xt[l], acc[i][l]);
        } else {
          for (l = 0; l < B; l++) acc[i][l] = MADD(wt[l], 0.0f, acc[i][l]);
        }
      }
    }
  }
  for (i = 0; i < n; i++) memcpy(y + (c0 + i) * B, acc[i], sizeof acc[i]);
}

/* Task i: its share of the output rows (image, block, row). */
static void dwb_task(void *arg, int64_t i) {
  const dwb_job *j = (const dwb_job *)arg;
  const rt_conv_params *p = j->p;
  const int64_t cb = blocks(p->out_ch), oh = p->out_dims[0], ow = p->out_dims[1], taps = p->kernel[0] * p->kernel[1];
  const int64_t in_block = p->in_dims[0] * p->in_dims[1] * B, out_block = oh * ow * B;
  float zero[B];
  int64_t lo, hi, q, c;
  memset(zero, 0, sizeof zero);
  rt_parallel_share(p->batch * cb * oh, 1, i, j->tasks, &lo, &hi);
  for (q = lo; q < hi; q++) {
    const int64_t plane = RT_IDIV(q, oh), r = q - plane * oh, b = plane - RT_IDIV(plane, cb) * cb;
    const float *bias = zero;
    float bv[B];
    float *yr = j->y + plane * out_block + r * ow * B;
    if (j->bias) {
      int64_t l;
      for (l = 0; l < B; l++) bv[l] = b * B + l < p->out_ch ? j->bias[b * B + l] : 0.0f;
      bias = bv;
    }
    for (c = 0; c < ow; c += DWB_COLS)
      dwb_cols(p, j->x + plane * in_block, j->w + b * taps * B, bias, r, c, min64(DWB_COLS, ow - c), yr);
    if (j->e) rt_epi_tile(j->e, yr, ow * B, 1, ow * B);
  }
}

RT_KERNEL(rt_conv_f32_depthwise_blocked) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const int64_t rows = p->batch * blocks(p->out_ch) * p->out_dims[0];
  rt_epi ev;
  dwb_job j;
  (void)scratch;
  j.p = p;
  j.x = (const float *)in[0];
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.y = (float *)out[0];
  j.e = RT_EPI_FROM(&ev, p, in, 3, j.y);
  j.tasks = rows < 1 ? 1 : min64(rt_parallel_tasks(par), rows);
  rt_parallel_run(par, j.tasks, dwb_task, &j);
}
