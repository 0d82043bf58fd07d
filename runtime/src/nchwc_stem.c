/* rt_conv_f32_nchwc_stem: a network's first conv, whose input has a few
 * channels in NCHW planes (an image's 3), writing its output blocked
 * (kernels/nchwc.h), so the chain of blocked convs after it starts
 * without a ToBlocked.
 *
 * In blocks of 16 input channels, 3 channels would make 16/3 times the
 * multiply-adds (13 of each 16 on zeros); rt_conv_f32_im2col_packed's
 * GEMM has a K of only 27 (3 x 3 x 3) to amortise its panels over, and
 * writes NCHW, which a ToBlocked then transposes. Here the core of
 * nchwc_core.c runs on the planes themselves: its tiles step the input
 * channels of each tap (PLANAR tiles of nchwc_tile.h) a plane apart
 * instead of 16 lanes of one block, so every multiply-add is a real one,
 * and each tile of output blocks is stored blocked, the fused epilogue
 * applied while it is in L1.
 *
 * The weights are packed at compile time as [ocb][kh][kw][ic][16]: per
 * tap only the real input channels (the core's weights of one tap are
 * then C x 16 floats, not 16 x 16). Per band of output positions the
 * input rows the band's windows reach are copied, zero-bordered, into the
 * task's buffer as [ic][row][col]: every tap is then in bounds. Pieces
 * and tasks as in rt_conv_f32_nchwc_blocked (bands of positions x groups
 * of output blocks, band-major, a task taking whole pieces); an output's
 * sum is the bias, then the taps in row-major order and the channels of
 * each, whoever computes it, so any split gives the same bits. */
#include <string.h>

#include "nchwc_tile.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"

/* Tiles for any count of input channels (rt_conv_f32_nchwc_stem), and for
 * one (rt_conv_f32_nchwc_stem_mono: a mono waveform, a grey image;
 * nchwc_tile.h, PLANAR 2). Two kernels, not a choice inside one, so that
 * a program links (--gc-sections) only the table its stem uses. */
NCHWC_TILE_TABLE(stem, 1)
NCHWC_TILE_TABLE(stem1, 2)

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* ---- weights ---- */

int64_t rt_conv_f32_nchwc_stem_floats(const rt_conv_params *p) {
  return rt_nchwc_blocks(p->out_ch) * p->kernel[0] * p->kernel[1] * p->in_ch * B;
}

void rt_conv_f32_nchwc_stem_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t taps = p->kernel[0] * p->kernel[1], ob = rt_nchwc_blocks(p->out_ch);
  int64_t ocb, t, ic, oc;
  for (ocb = 0; ocb < ob; ocb++)
    for (t = 0; t < taps; t++)
      for (ic = 0; ic < p->in_ch; ic++) {
        float *d = packed + ((ocb * taps + t) * p->in_ch + ic) * B;
        for (oc = 0; oc < B; oc++) {
          const int64_t o = ocb * B + oc;
          d[oc] = o < p->out_ch ? w[(o * p->in_ch + ic) * taps + t] : 0.0f;
        }
      }
}

/* ---- the call's geometry ---- */

typedef struct stem_shape {
  int64_t ob, osp, wp; /* output blocks, positions, floats of a padded input row */
  int64_t rows;        /* padded rows a band's buffer holds: enough for any band */
  int64_t bands, groups;
} stem_shape;

/* The most positions in a band, and the fewest a split may cut one to. */
#define PIECE_POSITIONS RT_NCHWC_PIECE_POSITIONS
#define PIECE_BLOCKS RT_NCHWC_PIECE_BLOCKS
#define BAND_MIN_POSITIONS 24

/* The shape of a call of `tasks` tasks. A band of at most PIECE_POSITIONS
 * positions spans at most PIECE_POSITIONS / OW + 2 output rows (partial
 * rows at both ends), whatever the cut: the buffer is sized for that, the
 * same for every task count. With several tasks the bands are cut finer,
 * a few at a time, until the pieces share out evenly. */
static void stem_shape_of(const rt_conv_params *p, int64_t tasks, stem_shape *s) {
  const int64_t oh = p->out_dims[0], ow = p->out_dims[1];
  const int64_t out_rows = min64(oh, RT_IDIV(PIECE_POSITIONS, max64(ow, 1)) + 2);
  int64_t b;
  s->ob = rt_nchwc_blocks(p->out_ch);
  s->osp = oh * ow;
  s->wp = (ow - 1) * p->strides[1] + (p->kernel[1] - 1) * p->dilations[1] + 1;
  s->rows = (out_rows - 1) * p->strides[0] + (p->kernel[0] - 1) * p->dilations[0] + 1;
  s->bands = max64(1, RT_IDIV(s->osp + PIECE_POSITIONS - 1, PIECE_POSITIONS));
  s->groups = RT_IDIV(s->ob + PIECE_BLOCKS - 1, PIECE_BLOCKS);
  if (tasks > 1 && RT_IMOD(s->bands * s->groups, tasks) != 0)
    for (b = s->bands + 1; b <= s->bands + 8 && b * BAND_MIN_POSITIONS <= s->osp; b++)
      if (RT_IMOD(b * s->groups, tasks) == 0) {
        s->bands = b;
        break;
      }
}

/* A task's band buffer. */
static size_t band_buffer_bytes(const rt_conv_params *p) {
  stem_shape s;
  stem_shape_of(p, 1, &s);
  return round64((size_t)(p->in_ch * s.rows * s.wp) * sizeof(float));
}

size_t rt_conv_f32_nchwc_stem_task_bytes(const rt_conv_params *p) { return RT_TASK_STRIDE(band_buffer_bytes(p)); }

size_t rt_conv_f32_nchwc_stem_scratch_bytes(const rt_conv_params *p) { return 64 + band_buffer_bytes(p); }

/* Padded rows [r0, r1) of the image's planes x into the band buffer xb
 * ([ic][row - r0][col], s->rows rows a channel): X's rows where they are,
 * zeros around. */
static void copy_band(const rt_conv_params *p, const stem_shape *s, const float *x, int64_t r0, int64_t r1,
                      float *xb) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], pl = p->pads[1];
  const int64_t lo = min64(s->wp, pl), hi = max64(lo, min64(s->wp, pl + iw));
  int64_t c, r;
  for (c = 0; c < p->in_ch; c++)
    for (r = r0; r < r1; r++) {
      const int64_t sr = r - p->pads[0];
      float *d = xb + (c * s->rows + r - r0) * s->wp;
      if (sr < 0 || sr >= ih) {
        memset(d, 0, sizeof(float) * (size_t)s->wp);
        continue;
      }
      memset(d, 0, sizeof(float) * (size_t)lo);
      memcpy(d + lo, x + (c * ih + sr) * iw + lo - pl, sizeof(float) * (size_t)(hi - lo));
      memset(d + hi, 0, sizeof(float) * (size_t)(s->wp - hi));
    }
}

typedef struct stem_job {
  const rt_conv_params *p;
  const stem_shape *s;
  const float *x, *w, *bias; /* x: the image's planes */
  float *y;                  /* the image's blocked output */
  const rt_epi *epi;
  char *buffers; /* task i's band buffer at + i * task_bytes (a stride, parallel.h) */
  size_t task_bytes;
  int64_t tasks;
  const tile_fn (*tiles)[NP_CAP]; /* stem_tiles or stem1_tiles */
} stem_job;

/* The core on the band in xb (padded rows from r0): output blocks
 * [ob0, ob1) at positions [q0, q1). */
static void stem_core(const stem_job *j, const float *xb, int64_t r0, int64_t ob0, int64_t ob1, int64_t q0,
                      int64_t q1) {
  const rt_conv_params *p = j->p;
  const stem_shape *s = j->s;
  const int64_t taps = p->kernel[0] * p->kernel[1];
  rt_nchwc_geom g;
  tile_ctx t;
  memset(&g, 0, sizeof g);
  g.out_ch = p->out_ch;
  g.out_w = p->out_dims[1];
  g.y_row = g.out_w * B;
  g.y_block = s->osp * B;
  t.y_block = g.y_block;
  t.y_row = g.y_row;
  t.xp = xb;
  t.units = p->kernel[0]; /* one input "block": the planes */
  t.kernel_h = p->kernel[0];
  t.kernel_w = p->kernel[1];
  t.x_block = 0;
  t.tap_h = p->dilations[0] * s->wp;
  t.tap_w = p->dilations[1];
  t.step_h = p->strides[0] * s->wp;
  t.step_w = p->strides[1];
  t.out_w = g.out_w;
  t.x_origin = r0 * s->wp;
  t.epi = j->epi;
  t.lanes = p->in_ch;
  t.x_lane = s->rows * s->wp;
  t.w_tap = p->in_ch * B;
  nchwc_run_tiles(j->tiles, &t, &g, j->w, taps * p->in_ch * B, NB_MAX, j->bias, ob0, ob1, q0, q1,
                  j->y + ob0 * g.y_block + q0 * B);
}

/* Pieces are numbered band-major: a task's consecutive pieces share a
 * band, copied once. */
static void stem_task(void *arg, int64_t i) {
  const stem_job *j = (const stem_job *)arg;
  const stem_shape *s = j->s;
  const rt_conv_params *p = j->p;
  float *xb = (float *)(j->buffers + (size_t)i * j->task_bytes);
  int64_t lo, hi, k, copied = -1;
  rt_parallel_share(s->bands * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t bi = RT_IDIV(k, s->groups), gi = k - bi * s->groups;
    const int64_t ob0 = RT_IDIV(gi * s->ob, s->groups), ob1 = RT_IDIV((gi + 1) * s->ob, s->groups);
    const int64_t q0 = RT_IDIV(bi * s->osp, s->bands), q1 = RT_IDIV((bi + 1) * s->osp, s->bands);
    const int64_t r0 = RT_IDIV(q0, p->out_dims[1]) * p->strides[0];
    const int64_t r1 = RT_IDIV(q1 - 1, p->out_dims[1]) * p->strides[0] + (p->kernel[0] - 1) * p->dilations[0] + 1;
    if (bi != copied) {
      copy_band(p, s, j->x, r0, r1, xb);
      copied = bi;
    }
    stem_core(j, xb, r0, ob0, ob1, q0, q1);
  }
}

/* Both kernels: the call through `tiles`. */
static void stem_run(const void *params, const void *const *in, void *const *out, void *scratch,
                     const tile_fn tiles[NB_MAX][NP_CAP]) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  stem_shape s;
  stem_job j;
  rt_epi ev;
  int64_t n, tasks = rt_parallel_tasks(par);
  if (p->out_ch * p->out_dims[0] * p->out_dims[1] * p->in_ch * p->kernel[0] * p->kernel[1] < RT_NCHWC_SPLIT_MIN)
    tasks = 1;
  stem_shape_of(p, tasks, &s);
  if (s.osp <= 0) return;
  j.p = p;
  j.s = &s;
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.epi = RT_EPI_FROM(&ev, p, in, 3, y);
  j.buffers = (char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  j.task_bytes = rt_conv_f32_nchwc_stem_task_bytes(p);
  j.tasks = max64(1, min64(tasks, s.bands * s.groups));
  j.tiles = tiles;
  for (n = 0; n < p->batch; n++) {
    j.x = x + n * p->in_ch * p->in_dims[0] * p->in_dims[1];
    j.y = y + n * s.ob * s.osp * B;
    rt_parallel_run(par, j.tasks, stem_task, &j);
  }
}

RT_KERNEL(rt_conv_f32_nchwc_stem) { stem_run(params, in, out, scratch, stem_tiles); }

RT_KERNEL(rt_conv_f32_nchwc_stem_mono) { stem_run(params, in, out, scratch, stem1_tiles); }
