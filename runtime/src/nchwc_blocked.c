/* The blocked layout's layout changes and its conv (kernels/nchwc.h).
 *
 * rt_conv_f32_nchwc_blocked runs the core of nchwc_internal.h on blocked
 * X and Y themselves: where every window lies inside X (no pads, as in
 * every 1x1 conv), the core reads X in place and writes Y in place, and
 * applies the epilogue to each tile as it stores it (in L1). With pads,
 * each band of input rows is first copied (a memcpy per row and block,
 * no transposes) into a zero-bordered buffer, as
 * rt_conv_f32_nchwc_packed does with its transposed copies. The pieces
 * are those of rt_conv_f32_nchwc_packed: bands of at most PIECE_POSITIONS
 * positions x groups of at most PIECE_BLOCKS output blocks, one task
 * taking whole pieces; an output's sum has the same order whoever
 * computes it, so the results are bit-identical for any split and equal
 * rt_conv_f32_nchwc_packed's. The projection after a squeeze-excitation
 * gate on a small plane sums its input blocks in two halves instead
 * (split_sum), the same two for any split. */
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "nchwc_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"

#define B RT_NCHWC_BLOCK
/* The pieces of rt_conv_f32_nchwc_packed and its split threshold
 * (nchwc_internal.h). */
#define PIECE_BLOCKS RT_NCHWC_PIECE_BLOCKS
#define PIECE_POSITIONS RT_NCHWC_PIECE_POSITIONS

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* ---- layout changes ---- */

typedef struct reorder_job {
  const rt_nchwc_reorder_params *p;
  const float *x;
  float *y;
} reorder_job;

/* Items: the positions of every (image, block) plane in a row, so that
 * a piece is a run of positions, not whole planes: a value of one block
 * (16 channels or fewer, as mobilenet_v3_small's first conv wrote before
 * the stem) was left to one thread by a split by planes. */
typedef void (*reorder_run_fn)(const reorder_job *j, int64_t plane, int64_t nch, int64_t q0, int64_t nq);

static void reorder_range(const reorder_job *j, int64_t lo, int64_t hi, reorder_run_fn run) {
  const int64_t cb = rt_nchwc_blocks(j->p->channels), sp = j->p->spatial;
  while (lo < hi) {
    const int64_t plane = RT_IDIV(lo, sp), q0 = lo - plane * sp, nq = min64(sp - q0, hi - lo);
    const int64_t b = plane - RT_IDIV(plane, cb) * cb;
    run(j, plane, min64(B, j->p->channels - b * B), q0, nq);
    lo += nq;
  }
}

/* NCHW offset of channel 0 of (image, block) plane `plane`: block b of
 * image n starts at channel n * channels + b * 16. */
static int64_t nchw_offset(const reorder_job *j, int64_t plane) {
  const int64_t cb = rt_nchwc_blocks(j->p->channels), n = RT_IDIV(plane, cb);
  return (n * j->p->channels + (plane - n * cb) * B) * j->p->spatial;
}

static void to_blocked_run(const reorder_job *j, int64_t plane, int64_t nch, int64_t q0, int64_t nq) {
  const int64_t sp = j->p->spatial;
  rt_nchwc_rows_to_block(j->x + nchw_offset(j, plane) + q0, sp, nch, nq, 1, j->y + (plane * sp + q0) * B);
}

static void from_blocked_run(const reorder_job *j, int64_t plane, int64_t nch, int64_t q0, int64_t nq) {
  const int64_t sp = j->p->spatial;
  rt_nchwc_block_to_rows(j->x + (plane * sp + q0) * B, nch, nq, sp, j->y + nchw_offset(j, plane) + q0, NULL);
}

static void to_blocked_range(void *arg, int64_t lo, int64_t hi) {
  reorder_range((const reorder_job *)arg, lo, hi, to_blocked_run);
}

static void from_blocked_range(void *arg, int64_t lo, int64_t hi) {
  reorder_range((const reorder_job *)arg, lo, hi, from_blocked_run);
}

/* Units of 16 positions: a task's NCHW rows then start and end on whole
 * 64-byte lines wherever a plane does. */
static void reorder(const void *params, const void *const *in, void *const *out, rt_range_fn body) {
  const rt_nchwc_reorder_params *p = (const rt_nchwc_reorder_params *)params;
  reorder_job j;
  j.p = p;
  j.x = (const float *)in[0];
  j.y = (float *)out[0];
  if (p->spatial > 0)
    rt_parallel_ranges(RT_PARALLEL_OF(in), p->batch * rt_nchwc_blocks(p->channels) * p->spatial, B,
                       (int64_t)(2 * B * sizeof(float)), body, &j);
}

RT_KERNEL(rt_nchwc_to_blocked_f32) {
  (void)scratch;
  reorder(params, in, out, to_blocked_range);
}

RT_KERNEL(rt_nchwc_from_blocked_f32) {
  (void)scratch;
  reorder(params, in, out, from_blocked_range);
}

/* ---- the conv ---- */

typedef struct blocked_shape {
  int64_t cb, ob, osp;
  int64_t wp;            /* floats / 16 of a row of the band buffer (padded width) */
  int64_t bands, groups; /* the pieces */
  int64_t halves;        /* 2: the sum over the input blocks in two halves (split_sum) */
  int by_rows;           /* one band, split in rows numbered (block, row) (blocked_shape_of) */
  int64_t band_rows;     /* the most padded rows a band's windows reach */
  int in_place;          /* every window inside X: the core reads X itself */
  rt_nchwc_geom g;
} blocked_shape;

/* Positions [*q0, *q1) of band i, and the padded rows [*r0, *r1) their
 * windows reach. */
static void band_rows_of(const blocked_shape *s, int64_t i, int64_t *q0, int64_t *q1, int64_t *r0, int64_t *r1) {
  *q0 = RT_IDIV(i * s->osp, s->bands);
  *q1 = RT_IDIV((i + 1) * s->osp, s->bands);
  *r0 = RT_IDIV(*q0, s->g.out_w) * s->g.stride_h;
  *r1 = RT_IDIV(*q1 - 1, s->g.out_w) * s->g.stride_h + (s->g.kernel_h - 1) * s->g.dil_h + 1;
}

/* Fewest positions in a band cut for a split: below this a band's tiles
 * are too few to hide the weights' loads. */
#define BAND_MIN_POSITIONS 24
/* The most bands a split adds to one task's count. */
#define SPLIT_MORE_BANDS 8

/* The most padded rows a band's windows reach, over the shape's bands. */
static int64_t most_rows(const blocked_shape *s) {
  int64_t i, most = 0;
  for (i = 0; i < s->bands; i++) {
    int64_t q0, q1, r0, r1;
    band_rows_of(s, i, &q0, &q1, &r0, &r1);
    most = max64(most, r1 - r0);
  }
  return most;
}

/* Whether the conv's blocked weights are more bytes than one image's X. */
static int weights_outweigh_x(const rt_conv_params *p, const blocked_shape *s) {
  return s->ob * s->cb * p->kernel[0] * p->kernel[1] * B > s->cb * p->in_dims[0] * p->in_dims[1];
}

/* Whether the call sums its input blocks in two halves, each of every
 * output: a 1x1 conv of one band with an input scale whose weights are
 * more bytes than X, the projection after a squeeze-excitation gate on a
 * 7x7 plane (mobilenet_v3_small's 576 -> 96, efficientnet_b0's 1152 ->
 * 192). Its X is a depthwise conv's output, which that conv split by
 * blocks of channels on planes this small. Split by output blocks, as
 * other such convs are (below), each task copied and scaled all of X,
 * half of it from the other core's cache; by halves of X's blocks, each
 * copies the blocks its own core wrote, and still reads half the
 * weights. The first half goes to Y, the second to scratch, and a pass
 * adds them and applies the epilogue: the order of each sum depends on
 * the shape alone, so the bits are the same for any number of tasks (one
 * runs both halves). mobilenet_v3_small at two threads: its two 576 ->
 * 96 from 0.029 to 0.024 ms, 288 -> 96 from 0.015 to 0.013 (onnxcc run
 * --profile). On 14x14 planes,
 * whose weights weigh less and which split by bands, the halves' extra
 * pass cost what they saved. */
static int split_sum(const rt_conv_params *p, const blocked_shape *s) {
  return p->has_in_scale && p->kernel[0] == 1 && p->kernel[1] == 1 && s->cb >= 2 && s->osp <= PIECE_POSITIONS &&
         weights_outweigh_x(p, s);
}

/* The call's shape for `tasks` tasks. With more than one, a plane of one
 * band whose weights are more bytes than X is cut into a multiple of
 * tasks groups of output blocks, so that each task reads its share of the
 * weights and all of X (mobilenet_v3_small's 7x7 convs of 96 and 576
 * channels: 221 KB of weights, 19 or 113 KB of X; with bands, each task
 * read every weight: compare runs at two threads, 0.98-0.99 of the time
 * for the mobilenets, shufflenet and efficientnet_b0), when that leaves
 * each task 2 blocks or more: with one, its tiles are one block wide,
 * whose weight loads hide no broadcasts (densenet121's 3x3 convs of 128
 * -> 32 channels on 14x14 planes took 0.078 ms at two threads, 0.061
 * by bands; the model 0.967 of the time, compare_builds). Otherwise the
 * bands are cut finer (a few more at most) until the pieces share out
 * evenly (a multiple of tasks): a 14x14 plane of 64 output channels is
 * one piece otherwise, and ran on one thread. A count whose bands reach
 * more rows than one task's (a band can straddle one more row boundary)
 * is passed over, so the buffers sized for one task serve every task
 * count. A plane of one band whose pieces share out evenly but whose
 * blocks do not (9 or 15 output blocks on a 14x14 plane: mobilenet_v3_small's
 * 48 -> 144 and 40 -> 240) is split by rows instead (by_rows), numbered
 * (block, row) as the depthwise conv after it splits such planes
 * (conv_depthwise_blocked.c): by groups, one task had a block more and
 * took 17.7 us to the other's 12.9 (48 -> 144), 30.3 to 24.7 (40 -> 240),
 * the pool's per-job times in mobilenet_v3_small at two threads. */
static void blocked_shape_of(const rt_conv_params *p, int64_t tasks, blocked_shape *s) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], oh = p->out_dims[0], ow = p->out_dims[1];
  const int64_t hp = (oh - 1) * p->strides[0] + (p->kernel[0] - 1) * p->dilations[0] + 1;
  int64_t b0, b;
  s->cb = rt_nchwc_blocks(p->in_ch);
  s->ob = rt_nchwc_blocks(p->out_ch);
  s->osp = oh * ow;
  s->wp = (ow - 1) * p->strides[1] + (p->kernel[1] - 1) * p->dilations[1] + 1;
  /* an input scale is applied as X is copied, so its X is never read in place */
  s->in_place = p->pads[0] == 0 && p->pads[1] == 0 && hp <= ih && s->wp <= iw && !p->has_in_scale;
  s->g.in_blocks = s->cb;
  s->g.out_ch = p->out_ch;
  s->g.kernel_h = p->kernel[0];
  s->g.kernel_w = p->kernel[1];
  s->g.stride_h = p->strides[0];
  s->g.stride_w = p->strides[1];
  s->g.dil_h = p->dilations[0];
  s->g.dil_w = p->dilations[1];
  s->g.out_w = ow;
  s->g.x_top = 0;
  s->g.epi = NULL; /* the call's, set by the kernel */
  s->g.w_block = 0;
  s->g.warm = NULL; /* the last piece's, set by its task */
  s->g.warm_bytes = 0;
  s->g.y_row = ow * B;
  s->g.y_block = s->osp * B;
  s->bands = b0 = max64(1, RT_IDIV(s->osp + PIECE_POSITIONS - 1, PIECE_POSITIONS));
  s->groups = RT_IDIV(s->ob + PIECE_BLOCKS - 1, PIECE_BLOCKS);
  s->band_rows = s->in_place ? 0 : most_rows(s);
  s->halves = split_sum(p, s) ? 2 : 1;
  s->by_rows = 0;
  if (s->halves == 2) {
    /* the halves are the split */
  } else if (tasks > 1 && b0 == 1 && s->ob >= 2 * tasks && weights_outweigh_x(p, s)) {
    s->groups = RT_IDIV(s->groups + tasks - 1, tasks) * tasks;
    s->by_rows = RT_IMOD(s->ob, tasks) != 0;
  } else if (tasks > 1 && RT_IMOD(b0 * s->groups, tasks) != 0) {
    for (b = b0 + 1; b <= b0 + SPLIT_MORE_BANDS && b * BAND_MIN_POSITIONS <= s->osp; b++) {
      s->bands = b;
      if (RT_IMOD(b * s->groups, tasks) == 0 && (s->in_place || most_rows(s) <= s->band_rows)) break;
    }
    if (b > b0 + SPLIT_MORE_BANDS || b * BAND_MIN_POSITIONS > s->osp) s->bands = b0;
  } else if (tasks > 1 && b0 == 1 && s->groups > 1 && RT_IMOD(s->ob, tasks) != 0) {
    s->by_rows = 1;
  }
  if (s->in_place) {
    s->g.x_row = iw * B;
    s->g.x_block = ih * iw * B;
  } else {
    s->g.x_row = s->wp * B;
    s->g.x_block = s->band_rows * s->wp * B;
  }
}

/* A task's band buffer (none when X is read in place). */
static size_t band_buffer_bytes(const rt_conv_params *p) {
  blocked_shape s;
  blocked_shape_of(p, 1, &s);
  return s.in_place ? 0 : round64((size_t)(s.cb * s.g.x_block) * sizeof(float));
}

/* The second half's sums (split_sum), one image's Y: first in scratch,
 * before the tasks' band buffers. */
static size_t half_sum_bytes(const blocked_shape *s) {
  return s->halves == 2 ? round64((size_t)(s->ob * s->osp * B) * sizeof(float)) : 0;
}

size_t rt_conv_f32_nchwc_blocked_task_bytes(const rt_conv_params *p) {
  const size_t band = band_buffer_bytes(p);
  return band ? RT_TASK_STRIDE(band) : 0;
}

size_t rt_conv_f32_nchwc_blocked_scratch_bytes(const rt_conv_params *p) {
  const size_t band = band_buffer_bytes(p);
  blocked_shape s;
  size_t half;
  blocked_shape_of(p, 1, &s);
  half = half_sum_bytes(&s);
  return band || half ? 64 + half + band : 0;
}

/* d[i] = s[i] * scale[i % 16] for i < n (a multiple of 16): the input
 * scale of fuse-channel-scale, each product rounded as the Mul it
 * replaces rounded it. */
static void scale_lanes(float *restrict d, const float *restrict s, const float *scale, int64_t n) {
  int64_t i;
  int l;
  for (i = 0; i < n; i += B)
    for (l = 0; l < B; l++) d[i + l] = s[i + l] * scale[l];
}

/* d[i] = s[i] * scale[i % 16] + shift[i % 16]: fuse-input-bn's map,
 * written as rt_nchwc_batchnorm_f32 writes it, so rounded the same way. */
static void affine_lanes(float *restrict d, const float *restrict s, const float *scale, const float *shift,
                         int64_t n) {
  int64_t i;
  int l;
  for (i = 0; i < n; i += B)
    for (l = 0; l < B; l++) d[i + l] = s[i + l] * scale[l] + shift[l];
}

/* Padded rows [r0, r1) of input blocks [icb0, icb1) of the image's
 * blocked X into the band buffer xb ([icb - icb0][row - r0][col][16]):
 * X's rows where they are, zeros around (the padding is the map's
 * output's, so it stays zero); multiplied by the input scale (the image's
 * in_ch factors) when scale is not NULL, then shifted and activated when
 * shift is not NULL (has_in_shift). */
static void copy_band(const rt_conv_params *p, const blocked_shape *s, const float *x, const float *scale,
                      const float *shift, int64_t r0, int64_t r1, int64_t icb0, int64_t icb1, float *xb) {
  const int64_t ih = p->in_dims[0], iw = p->in_dims[1], pl = p->pads[1];
  const int64_t lo = min64(s->wp, pl), hi = max64(lo, min64(s->wp, pl + iw));
  int64_t icb, r;
  for (icb = icb0; icb < icb1; icb++) {
    float lanes[B], shifts[B];
    int l;
    /* every lane set, so no compiler sees one read unset (cross gcc's
     * -Wmaybe-uninitialized did, the shift's path needing the scale's) */
    for (l = 0; l < B; l++) {
      const int real = icb * B + l < p->in_ch;
      lanes[l] = scale && real ? scale[icb * B + l] : 0.0f;
      shifts[l] = shift && real ? shift[icb * B + l] : 0.0f;
    }
    for (r = r0; r < r1; r++) {
      const int64_t sr = r - p->pads[0];
      float *d = xb + (icb - icb0) * s->g.x_block + (r - r0) * s->wp * B;
      const float *src;
      if (sr < 0 || sr >= ih) {
        memset(d, 0, sizeof(float) * (size_t)(s->wp * B));
        continue;
      }
      src = x + ((icb * ih + sr) * iw + lo - pl) * B;
      memset(d, 0, sizeof(float) * (size_t)(lo * B));
      if (shift) {
        affine_lanes(d + lo * B, src, lanes, shifts, (hi - lo) * B);
        if (p->in_act != RT_ACT_NONE)
          rt_act_apply_f32(p->in_act, p->in_act_a, p->in_act_b, d + lo * B, d + lo * B, NULL, (hi - lo) * B);
      } else if (scale) {
        scale_lanes(d + lo * B, src, lanes, (hi - lo) * B);
      } else {
        memcpy(d + lo * B, src, sizeof(float) * (size_t)((hi - lo) * B));
      }
      memset(d + hi * B, 0, sizeof(float) * (size_t)((s->wp - hi) * B));
    }
  }
}

typedef struct blocked_job {
  const rt_conv_params *p;
  const blocked_shape *s;
  const float *x, *w, *bias; /* x: the image */
  const float *scale;        /* the image's input scale, or NULL */
  const float *shift;        /* has_in_shift's shifts, or NULL */
  float *y;                  /* the image's output */
  float *half;               /* the second half's sums (split_sum), or NULL */
  char *buffers;             /* task i's band buffer at + i * task_bytes (a stride, parallel.h) */
  size_t task_bytes;
  int64_t tasks;
  const char *warm;          /* the last piece's warm range (geometry), or NULL */
  int64_t warm_bytes;
} blocked_job;

/* The geometry's warm range for piece k of n, output blocks [ob0, ob1)
 * at np positions: the last piece's only, at most a byte per
 * RT_NCHWC_WARM_MACS of its multiply-adds. */
static void warm_piece(rt_nchwc_geom *g, const blocked_job *j, int64_t k, int64_t n, int64_t ob0, int64_t ob1,
                       int64_t np) {
  const int64_t macs = (ob1 - ob0) * B * np * g->in_blocks * B * g->kernel_h * g->kernel_w;
  g->warm = k == n - 1 ? j->warm : NULL;
  g->warm_bytes = k == n - 1 ? min64(j->warm_bytes, RT_IDIV(macs, RT_NCHWC_WARM_MACS)) : 0;
}

/* split_sum's first step, task i's share of the halves x groups of
 * output blocks (half-major): half 0 (with the bias) into Y, half 1 into
 * j->half, no epilogue yet. */
static void halves_task(const blocked_job *j, int64_t i, float *xb) {
  const blocked_shape *s = j->s;
  const int64_t taps = s->g.kernel_h * s->g.kernel_w, mid = RT_IDIV(s->cb, 2);
  rt_nchwc_geom g = s->g;
  int64_t lo, hi, k, copied = -1, q0, q1, r0, r1;
  band_rows_of(s, 0, &q0, &q1, &r0, &r1);
  g.epi = NULL;
  g.x_top = r0;
  g.w_block = s->cb * taps * B * B;
  rt_parallel_share(2 * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t h = RT_IDIV(k, s->groups), gi = k - h * s->groups;
    const int64_t ob0 = RT_IDIV(gi * s->ob, s->groups), ob1 = RT_IDIV((gi + 1) * s->ob, s->groups);
    const int64_t icb0 = h ? mid : 0, icb1 = h ? s->cb : mid;
    if (h != copied) {
      copy_band(j->p, s, j->x, j->scale, j->shift, r0, r1, icb0, icb1, xb);
      copied = h;
    }
    g.in_blocks = icb1 - icb0;
    warm_piece(&g, j, k, 2 * s->groups, ob0, ob1, q1 - q0);
    rt_nchwc_core(&g, xb, j->w + icb0 * taps * B * B, h ? NULL : j->bias, ob0, ob1, q0, q1,
                  (h ? j->half : j->y) + ob0 * g.y_block + q0 * B);
  }
}

/* split_sum's second step over floats [lo, hi) of the image's Y: the
 * second half's sums added, then the epilogue. */
typedef struct halves_sum {
  float *y;
  const float *half;
  const rt_epi *e;
} halves_sum;

static void add_halves(void *arg, int64_t lo, int64_t hi) {
  const halves_sum *h = (const halves_sum *)arg;
  int64_t i;
  for (i = lo; i < hi; i++) h->y[i] += h->half[i];
  if (h->e) rt_epi_tile(h->e, h->y + lo, hi - lo, 1, hi - lo);
}

/* by_rows: task i's share of the output rows numbered (block, row), in
 * pieces of whole blocks (at most PIECE_BLOCKS) and, where the share
 * starts or ends inside a block, that block's rows. The one band is
 * copied once. The last task's last piece warms the next weights. */
static void rows_task(const blocked_job *j, int64_t i, float *xb) {
  const blocked_shape *s = j->s;
  const int64_t ow = s->g.out_w, oh = RT_IDIV(s->osp, ow);
  rt_nchwc_geom g = s->g;
  int64_t lo, hi, q0, q1, r0, r1;
  band_rows_of(s, 0, &q0, &q1, &r0, &r1);
  if (xb) copy_band(j->p, s, j->x, j->scale, j->shift, r0, r1, 0, s->cb, xb);
  g.x_top = xb ? r0 : 0;
  rt_parallel_share(s->ob * oh, 1, i, j->tasks, &lo, &hi);
  while (lo < hi) {
    const int64_t b = RT_IDIV(lo, oh), row = lo - b * oh;
    int64_t b1, p0, p1;
    if (row != 0 || hi - lo < oh) { /* a part of block b */
      const int64_t end = min64(oh, row + hi - lo);
      b1 = b + 1, p0 = row * ow, p1 = end * ow;
      lo += end - row;
    } else { /* whole blocks */
      b1 = min64(b + PIECE_BLOCKS, RT_IDIV(hi, oh));
      p0 = 0, p1 = s->osp;
      lo = b1 * oh;
    }
    warm_piece(&g, j, lo == s->ob * oh ? 0 : -1, 1, b, b1, p1 - p0);
    rt_nchwc_core(&g, xb ? xb : j->x, j->w, j->bias, b, b1, p0, p1, j->y + b * g.y_block + p0 * B);
  }
}

/* Pieces are numbered band-major: a task's consecutive pieces share a
 * band, copied once. */
static void blocked_task(void *arg, int64_t i) {
  const blocked_job *j = (const blocked_job *)arg;
  const blocked_shape *s = j->s;
  float *xb = j->s->in_place ? NULL : (float *)(j->buffers + (size_t)i * j->task_bytes);
  rt_nchwc_geom g = s->g;
  int64_t lo, hi, k, copied = -1;
  if (s->halves == 2) {
    halves_task(j, i, xb);
    return;
  }
  if (s->by_rows) {
    rows_task(j, i, xb);
    return;
  }
  rt_parallel_share(s->bands * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t bi = RT_IDIV(k, s->groups), gi = k - bi * s->groups;
    const int64_t ob0 = RT_IDIV(gi * s->ob, s->groups), ob1 = RT_IDIV((gi + 1) * s->ob, s->groups);
    int64_t q0, q1, r0, r1;
    band_rows_of(s, bi, &q0, &q1, &r0, &r1);
    if (xb && bi != copied) {
      copy_band(j->p, s, j->x, j->scale, j->shift, r0, r1, 0, s->cb, xb);
      copied = bi;
    }
    g.x_top = xb ? r0 : 0;
    warm_piece(&g, j, k, s->bands * s->groups, ob0, ob1, q1 - q0);
    rt_nchwc_core(&g, xb ? xb : j->x, j->w, j->bias, ob0, ob1, q0, q1, j->y + ob0 * g.y_block + q0 * B);
  }
}

RT_KERNEL(rt_conv_f32_nchwc_blocked) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  blocked_shape s;
  blocked_job j;
  rt_epi ev;
  int64_t n, tasks = rt_parallel_tasks(par);
  if (p->out_ch * p->out_dims[0] * p->out_dims[1] * p->in_ch * p->kernel[0] * p->kernel[1] < RT_NCHWC_SPLIT_MIN)
    tasks = 1;
  blocked_shape_of(p, tasks, &s);
  if (s.osp <= 0) return;
  j.p = p;
  j.s = &s;
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  s.g.epi = RT_EPI_FROM(&ev, p, in, 3, y);
  j.half = s.halves == 2 ? (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63) : NULL;
  j.buffers = (char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63) + half_sum_bytes(&s);
  j.task_bytes = rt_task_stride(par, rt_conv_f32_nchwc_blocked_task_bytes(p));
  j.tasks = max64(1, min64(tasks, s.halves == 2 ? 2 * s.groups : s.bands * s.groups));
  for (n = 0; n < p->batch; n++) {
    /* the next node's weights, during the last image's last piece */
    j.warm = rt_nchwc_warm_of(in, n == p->batch - 1, &j.warm_bytes);
    j.x = x + n * s.cb * p->in_dims[0] * p->in_dims[1] * B;
    j.y = y + n * s.ob * s.osp * B;
    /* fuse-channel-scale's factors: one per channel (1), or per image and channel (2) */
    j.scale = !p->has_in_scale ? NULL : (const float *)in[4] + (p->has_in_scale == 2 ? n * p->in_ch : 0);
    /* fuse-input-bn's shifts follow its one factor per channel */
    j.shift = p->has_in_shift && p->has_in_scale == 1 ? (const float *)in[4] + p->in_ch : NULL;
    rt_parallel_run(par, j.tasks, blocked_task, &j);
    if (s.halves == 2) {
      halves_sum h;
      h.y = j.y;
      h.half = j.half;
      h.e = s.g.epi;
      rt_parallel_ranges(tasks > 1 ? par : NULL, s.ob * s.osp * B, B, 3 * (int64_t)sizeof(float), add_halves, &h);
    }
  }
}
