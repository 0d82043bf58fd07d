/* rt_conv_f32_nchwc_winograd (kernels/nchwc.h): a 3x3 conv of stride 1
 * on the blocked layout by Winograd's minimal filtering F(4x4, 3x3).
 *
 * Each 4x4 tile of outputs is computed from the 6x6 tile of inputs around
 * it: with the input transform V = B^T d B, the weight transform U = G g
 * G^T (done by the compiler, pack_weights below) and the output transform
 * Y = A^T M A, where M is the product of U and V summed over the input
 * channels element by element of the 6x6 tile. That product is 36 plain
 * matrix products, one per element xi of the tile: M_xi[oc][tile] =
 * sum over ic of U_xi[oc][ic] * V_xi[ic][tile]: per tile and pair of
 * channels 36 multiply-adds for 16 outputs, where the direct sum does
 * 16 x 9 = 144, 4 times fewer; the transforms add a few adds per value.
 *
 * The products are what rt_nchwc_core does for a 1x1 conv: a tile's 16
 * output channels in a vector, tiles as its positions, input blocks
 * broadcast. So U_xi is stored as the 1x1 conv's blocked weights
 * ([ocb][icb][ic 16][oc 16]), V_xi as a blocked plane of tiles
 * ([icb][tile][16]) and M_xi as one too ([ocb][tile][16]), and the core
 * runs at the speed it runs the 1x1 convs at.
 *
 * The tiles are taken in chunks: a chunk's 36 V planes, then its 36
 * products into the M planes, then its outputs; V and M for a chunk are
 * sized to stay in L2 (below). Each output's value depends on its tile
 * alone: the same for any chunk or split into tasks.
 *
 * Accuracy: the transforms' coefficients (1/4, 1/6, 1/24, 2, 4, 5, 8)
 * make the rounding errors larger than the direct sum's: 2e-6 to 1.3e-5
 * of the largest sum from the direct conv's on the cases of
 * tests/unit/test_conv_winograd.c (which checks a bound), the most with
 * 256 input channels. The compiler uses it only where the plane is large
 * enough for the tiles to pay (compiler/ops/nchwc.c says when). */
#include <string.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "nchwc_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"

#define B RT_NCHWC_BLOCK
#define T 6       /* the input tile's side */
#define M 4       /* the output tile's side */
#define XI (T * T) /* elements of a transformed tile */

/* ---- the transforms, on 16 lanes ---- */

/* The input transform's rows of B^T applied to d[0..5] (stride s floats
 * between them), into o[0..5] (stride 16). */
static void in_rows(const float *d, int64_t s, float *o) {
  int l;
  for (l = 0; l < B; l++) {
    const float d0 = d[l], d1 = d[s + l], d2 = d[2 * s + l], d3 = d[3 * s + l], d4 = d[4 * s + l],
                d5 = d[5 * s + l];
    o[l] = 4.0f * d0 - 5.0f * d2 + d4;
    o[B + l] = -4.0f * (d1 + d2) + (d3 + d4);
    o[2 * B + l] = 4.0f * (d1 - d2) + (d4 - d3);
    o[3 * B + l] = 2.0f * (d3 - d1) + (d4 - d2);
    o[4 * B + l] = 2.0f * (d1 - d3) + (d4 - d2);
    o[5 * B + l] = 4.0f * d1 - 5.0f * d3 + d5;
  }
}

/* The output transform's rows of A^T applied to m[0..5] (stride s), into
 * o[0..3] (stride 16). */
static void out_rows(const float *m, int64_t s, float *o) {
  int l;
  for (l = 0; l < B; l++) {
    const float m0 = m[l], m1 = m[s + l], m2 = m[2 * s + l], m3 = m[3 * s + l], m4 = m[4 * s + l],
                m5 = m[5 * s + l];
    const float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
    o[l] = m0 + a + c;
    o[B + l] = b + 2.0f * d;
    o[2 * B + l] = a + 4.0f * c;
    o[3 * B + l] = b + 8.0f * d + m5;
  }
}

/* ---- the weights ---- */

static int64_t out_blocks(const rt_conv_params *p) { return rt_nchwc_blocks(p->out_ch); }
static int64_t in_blocks(const rt_conv_params *p) { return rt_nchwc_blocks(p->in_ch); }

int64_t rt_conv_f32_nchwc_winograd_floats(const rt_conv_params *p) {
  return XI * out_blocks(p) * in_blocks(p) * B * B;
}

/* U = G g G^T for each (oc, ic), in double, rounded once; then each xi's
 * U_xi stored as a 1x1 conv's blocked weights. */
void rt_conv_f32_nchwc_winograd_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  static const double G[T][3] = {{0.25, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};
  const int64_t ob = out_blocks(p), cb = in_blocks(p), per_xi = ob * cb * B * B;
  int64_t o, i;
  memset(packed, 0, sizeof(float) * (size_t)rt_conv_f32_nchwc_winograd_floats(p));
  for (o = 0; o < p->out_ch; o++)
    for (i = 0; i < p->in_ch; i++) {
      const float *g = w + (o * p->in_ch + i) * 9;
      double gt[T][3]; /* G g */
      int r, c, k;
      for (r = 0; r < T; r++)
        for (c = 0; c < 3; c++) gt[r][c] = G[r][0] * (double)g[c] + G[r][1] * (double)g[3 + c] + G[r][2] * (double)g[6 + c];
      for (r = 0; r < T; r++)
        for (c = 0; c < T; c++) {
          double u = 0;
          for (k = 0; k < 3; k++) u += gt[r][k] * G[c][k];
          packed[(r * T + c) * per_xi + ((o / B) * cb + i / B) * B * B + (i % B) * B + o % B] = (float)u;
        }
    }
}

/* ---- the call ---- */

/* The work is cut into pieces: a chunk of tiles x a group of at most
 * GROUP_BLOCKS output blocks. A task's pieces are numbered chunk-major,
 * so consecutive ones of a chunk share its V planes (all input blocks,
 * transformed once per task); each group's products read only its
 * output blocks' U_xi and write M planes of its blocks alone. A chunk's
 * V planes and a group's M planes together take at most CHUNK_BYTES, so
 * they stay in L2 (1 MiB on the machine measured) while the U_xi stream
 * past: resnet18's 14x14 convs of 256 channels have 9.4 MB of U, read
 * once per chunk, and all their 16 tiles fit one chunk. With two tasks,
 * a plane of few chunks is shared out by groups (each task reads half of
 * U), a large one by chunks. */
#define CHUNK_BYTES ((int64_t)768 * 1024)
#define GROUP_BLOCKS 4

typedef struct wino_shape {
  int64_t cb, ob, oh, ow, ih, iw, pt, pl;
  int64_t tiles_h, tiles_w, tiles; /* per image */
  int64_t chunk_max;               /* the most tiles a chunk has, for any task count: the buffers' size */
  int64_t chunks, groups;          /* the pieces: chunks x groups of output blocks */
} wino_shape;

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The shape for `tasks` tasks: the fewest chunks within CHUNK_BYTES,
 * their tiles shared out evenly; then, with more than one task, groups
 * (rather than more chunks) until the pieces share out evenly. */
static void shape_of(const rt_conv_params *p, int64_t tasks, wino_shape *s) {
  const int64_t gob = min64(GROUP_BLOCKS, out_blocks(p));
  int64_t fit;
  s->cb = in_blocks(p);
  s->ob = out_blocks(p);
  s->oh = p->out_dims[0];
  s->ow = p->out_dims[1];
  s->ih = p->in_dims[0];
  s->iw = p->in_dims[1];
  s->pt = p->pads[0];
  s->pl = p->pads[1];
  s->tiles_h = RT_IDIV(s->oh + M - 1, M);
  s->tiles_w = RT_IDIV(s->ow + M - 1, M);
  s->tiles = s->tiles_h * s->tiles_w;
  fit = RT_IDIV(CHUNK_BYTES, XI * (s->cb + gob) * B * (int64_t)sizeof(float));
  if (fit < 1) fit = 1;
  s->chunks = RT_IDIV(s->tiles + fit - 1, fit);
  s->groups = RT_IDIV(s->ob + gob - 1, gob);
  s->chunk_max = RT_IDIV(s->tiles + s->chunks - 1, s->chunks);
  if (tasks > 1 && s->chunks < 2 * tasks && s->groups >= tasks) {
    /* few chunks: each task takes groups of every chunk */
    s->groups = RT_IDIV(s->groups + tasks - 1, tasks) * tasks;
  } else if (tasks > 1) {
    /* many: more chunks, as many per task, each of fewer tiles */
    s->chunks = RT_IDIV(s->chunks + tasks - 1, tasks) * tasks;
    if (s->chunks > s->tiles) s->chunks = s->tiles;
  }
}

/* Tiles [*t0, *t1) of chunk k. */
static void chunk_tiles(const wino_shape *s, int64_t k, int64_t *t0, int64_t *t1) {
  *t0 = RT_IDIV(k * s->tiles, s->chunks);
  *t1 = RT_IDIV((k + 1) * s->tiles, s->chunks);
}

/* Output blocks [*b0, *b1) of group g. */
static void group_blocks(const wino_shape *s, int64_t g, int64_t *b0, int64_t *b1) {
  *b0 = RT_IDIV(g * s->ob, s->groups);
  *b1 = RT_IDIV((g + 1) * s->ob, s->groups);
}

/* Floats of one task's V planes (all input blocks) and M planes (a
 * group's blocks, at most GROUP_BLOCKS) for chunk_max tiles. */
static int64_t v_floats(const wino_shape *s) { return XI * s->cb * s->chunk_max * B; }
static int64_t task_floats(const wino_shape *s) {
  return v_floats(s) + XI * min64(GROUP_BLOCKS, s->ob) * s->chunk_max * B;
}

size_t rt_conv_f32_nchwc_winograd_task_bytes(const rt_conv_params *p) {
  wino_shape s;
  shape_of(p, 1, &s);
  return RT_TASK_STRIDE((size_t)task_floats(&s) * sizeof(float));
}

size_t rt_conv_f32_nchwc_winograd_scratch_bytes(const rt_conv_params *p) {
  wino_shape s;
  shape_of(p, 1, &s);
  return 64 + (size_t)task_floats(&s) * sizeof(float);
}

typedef struct wino_job {
  const rt_conv_params *p;
  const wino_shape *s;
  const float *x, *u, *bias; /* x: the image */
  float *y;                  /* the image's output */
  const rt_epi *e;
  char *buffers; /* task i's planes at + i * task_bytes */
  size_t task_bytes;
  int64_t tasks;
  const char *warm; /* the next node's weights (RT_WARM_SLOT), or NULL */
  int64_t warm_bytes;
} wino_job;

/* V planes of tiles [t0, t0 + n): v[xi][icb][k][16] for k < n, k the
 * tile's place in the chunk (planes of s->chunk_max tiles). */
static void transform_inputs(const wino_job *j, int64_t t0, int64_t n, float *v) {
  const wino_shape *s = j->s;
  const int64_t plane = s->chunk_max * B, xi_stride = s->cb * plane;
  float d[T * T * B], r[T * T * B], o[T * B];
  int64_t k, icb;
  for (k = 0; k < n; k++) {
    const int64_t t = t0 + k, ty = RT_IDIV(t, s->tiles_w), tx = t - ty * s->tiles_w;
    const int64_t y0 = ty * M - s->pt, x0 = tx * M - s->pl;
    for (icb = 0; icb < s->cb; icb++) {
      const float *xb = j->x + icb * s->ih * s->iw * B;
      int a, c;
      /* the 6x6 input tile, zeros outside X */
      for (a = 0; a < T; a++) {
        const int64_t yy = y0 + a;
        for (c = 0; c < T; c++) {
          const int64_t xx = x0 + c;
          if (yy >= 0 && yy < s->ih && xx >= 0 && xx < s->iw)
            memcpy(d + (a * T + c) * B, xb + (yy * s->iw + xx) * B, sizeof(float) * B);
          else
            memset(d + (a * T + c) * B, 0, sizeof(float) * B);
        }
      }
      /* B^T d: down the columns; then (B^T d) B: along the rows */
      for (c = 0; c < T; c++) {
        in_rows(d + c * B, T * B, o);
        for (a = 0; a < T; a++) memcpy(r + (a * T + c) * B, o + a * B, sizeof(float) * B);
      }
      for (a = 0; a < T; a++) {
        in_rows(r + a * T * B, B, o);
        for (c = 0; c < T; c++) memcpy(v + (a * T + c) * xi_stride + icb * plane + k * B, o + c * B, sizeof(float) * B);
      }
    }
  }
}

/* Outputs of blocks [b0, b1) of tiles [t0, t0 + n) from the M planes
 * m[xi][ocb - b0][k][16]: A^T M A, plus the bias, stored where they fall
 * inside Y, the epilogue applied to each tile's rows. */
static void transform_outputs(const wino_job *j, int64_t t0, int64_t n, int64_t b0, int64_t b1, const float *m) {
  const wino_shape *s = j->s;
  const int64_t plane = s->chunk_max * B, xi_stride = (b1 - b0) * plane;
  float mt[T * T * B], r[M * T * B], o[M * B];
  int64_t k, ocb;
  for (ocb = b0; ocb < b1; ocb++) {
    float bv[B];
    int l;
    for (l = 0; l < B; l++) bv[l] = j->bias && ocb * B + l < j->p->out_ch ? j->bias[ocb * B + l] : 0.0f;
    for (k = 0; k < n; k++) {
      const int64_t t = t0 + k, ty = RT_IDIV(t, s->tiles_w), tx = t - ty * s->tiles_w;
      const int64_t oy = ty * M, ox = tx * M;
      const int64_t rows = s->oh - oy < M ? s->oh - oy : M, cols = s->ow - ox < M ? s->ow - ox : M;
      float *yt = j->y + ((ocb * s->oh + oy) * s->ow + ox) * B;
      int a, c, xi;
      for (xi = 0; xi < XI; xi++)
        memcpy(mt + xi * B, m + xi * xi_stride + (ocb - b0) * plane + k * B, sizeof(float) * B);
      /* A^T M: down the columns; then (A^T M) A: along the rows */
      for (c = 0; c < T; c++) {
        out_rows(mt + c * B, T * B, o);
        for (a = 0; a < M; a++) memcpy(r + (a * T + c) * B, o + a * B, sizeof(float) * B);
      }
      for (a = 0; a < rows; a++) {
        out_rows(r + a * T * B, B, o);
        for (c = 0; c < cols; c++)
          for (l = 0; l < B; l++) yt[(a * s->ow + c) * B + l] = o[c * B + l] + bv[l];
      }
      if (j->e) rt_epi_tile(j->e, yt, s->ow * B, rows, cols * B);
    }
  }
}

/* The 36 products of a chunk of n tiles for output blocks [b0, b1):
 * M_xi = U_xi V_xi, each the 1x1 conv of rt_nchwc_core over the chunk's
 * tiles as positions, into m[xi][ocb - b0][k][16]. In the call's last
 * piece (warm) each product warms its 36th of the next node's weights,
 * as the blocked conv's last piece does (nchwc_internal.h): the 1x1
 * downsample convs after resnet18's last Winograd convs of each stage
 * read 128-512 KiB of weights first. */
static void products(const wino_job *j, int64_t n, int64_t b0, int64_t b1, const float *v, float *m, int warm) {
  const wino_shape *s = j->s;
  const int64_t plane = s->chunk_max * B;
  rt_nchwc_geom g;
  int xi;
  memset(&g, 0, sizeof g);
  g.in_blocks = s->cb;
  g.out_ch = s->ob * B; /* no bias here: it joins after A^T M A */
  g.kernel_h = g.kernel_w = g.stride_h = g.stride_w = g.dil_h = g.dil_w = 1;
  g.x_row = g.y_row = n * B;
  g.x_block = g.y_block = plane;
  g.out_w = n;
  for (xi = 0; xi < XI; xi++) {
    if (warm && j->warm) {
      const int64_t slice = RT_IDIV(j->warm_bytes + XI - 1, XI), at = xi * slice;
      const int64_t macs = (b1 - b0) * B * n * s->cb * B;
      g.warm = at < j->warm_bytes ? j->warm + at : NULL;
      g.warm_bytes = g.warm ? min64(min64(slice, j->warm_bytes - at), RT_IDIV(macs, RT_NCHWC_WARM_MACS)) : 0;
    }
    rt_nchwc_core(&g, v + xi * s->cb * plane, j->u + xi * s->ob * s->cb * B * B, NULL, b0, b1, 0, n,
                  m + xi * (b1 - b0) * plane);
  }
}

/* Task i: its share of the pieces, chunk-major: a chunk's V planes are
 * transformed once for its consecutive groups. */
static void wino_task(void *arg, int64_t i) {
  const wino_job *j = (const wino_job *)arg;
  const wino_shape *s = j->s;
  float *v = (float *)(j->buffers + (size_t)i * j->task_bytes), *m = v + v_floats(s);
  int64_t lo, hi, k, done = -1;
  rt_parallel_share(s->chunks * s->groups, 1, i, j->tasks, &lo, &hi);
  for (k = lo; k < hi; k++) {
    const int64_t c = RT_IDIV(k, s->groups), g = k - c * s->groups;
    int64_t t0, t1, b0, b1;
    chunk_tiles(s, c, &t0, &t1);
    group_blocks(s, g, &b0, &b1);
    if (t0 == t1 || b0 == b1) continue;
    if (c != done) {
      transform_inputs(j, t0, t1 - t0, v);
      done = c;
    }
    products(j, t1 - t0, b0, b1, v, m, k == s->chunks * s->groups - 1);
    transform_outputs(j, t0, t1 - t0, b0, b1, m);
  }
}

RT_KERNEL(rt_conv_f32_nchwc_winograd) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  wino_shape s;
  wino_job j;
  rt_epi ev;
  int64_t n;
  shape_of(p, rt_parallel_tasks(par), &s);
  if (s.tiles <= 0) return;
  j.p = p;
  j.s = &s;
  j.u = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.e = RT_EPI_FROM(&ev, p, in, 3, (float *)out[0]);
  j.buffers = (char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  j.task_bytes = rt_task_stride(par, rt_conv_f32_nchwc_winograd_task_bytes(p));
  j.tasks = min64(rt_parallel_tasks(par), s.chunks * s.groups);
  for (n = 0; n < p->batch; n++) {
    /* the next node's weights, during the last image's last piece */
    j.warm = rt_nchwc_warm_of(in, n == p->batch - 1, &j.warm_bytes);
    j.x = (const float *)in[0] + n * s.cb * s.ih * s.iw * B;
    j.y = (float *)out[0] + n * s.ob * s.oh * s.ow * B;
    rt_parallel_run(par, j.tasks, wino_task, &j);
  }
}
