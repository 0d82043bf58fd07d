/* rt_nchwc_maxpool_f32: MaxPool on a blocked tensor (kernels/nchwc.h):
 * each tap of a window is one 16-lane max, one channel per lane, whatever
 * the window or the plane's width. Each output starts at -inf and takes
 * its valid taps in row-major order with pool.c's comparison (b > a ? b :
 * a), so it is rt_maxpool_f32's value; the pad lanes get the max of the
 * input's finite pad lanes. Tasks take bands of output rows across every
 * plane (as the blocked convs around it split their positions): with
 * whole planes per task, half the input came from the other core's cache
 * (squeezenet1_1 at --threads 2, onnxcc run --profile: its three MaxPools
 * 0.074 / 0.035 / 0.019 ms by planes, 0.054 / 0.026 / 0.015 by bands).
 * rt_nchwc_avgpool_f32 does AveragePool the same way, in pool.c's order
 * of additions; rt_nchwc_globalavgpool_f32 writes NCHW. */
#include <math.h>

#include "index_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"
#include "pool_internal.h"
#include "sgemm_internal.h" /* RT_SGEMM_AVX512 */
#include "split_internal.h"  /* rt_gap_half */

#if RT_SGEMM_AVX512
#include <immintrin.h>
#endif

#define B RT_CONV_NCHWC_BLOCK

typedef struct pool_job {
  const rt_pool_params *p;
  const float *x;
  float *y;
} pool_job;

/* Output row o of plane `plane`. */
static void maxpool_row(const pool_job *j, int64_t plane, int64_t o) {
  const rt_pool_params *p = j->p;
  const int64_t ih = p->in_dims[1], iw = p->in_dims[2], oh = p->out_dims[1], ow = p->out_dims[2];
  const float *xp = j->x + plane * ih * iw * B;
  float *yr = j->y + (plane * oh + o) * ow * B;
  int64_t h0, h1, c;
  rt_pool_taps(o, p->strides[1], p->pads[1], p->dilations[1], p->kernel[1], ih, &h0, &h1);
  for (c = 0; c < ow; c++) {
    int64_t w0, w1, kh, kw;
#if RT_SGEMM_AVX512
    /* max_ps(t, acc) is t > acc ? t : acc, pool.c's comparison */
    __m512 acc = _mm512_set1_ps(-INFINITY);
#else
    float acc[B];
    int64_t l;
    for (l = 0; l < B; l++) acc[l] = -INFINITY;
#endif
    rt_pool_taps(c, p->strides[2], p->pads[2], p->dilations[2], p->kernel[2], iw, &w0, &w1);
    for (kh = h0; kh <= h1; kh++) {
      const float *xr = xp + (o * p->strides[1] - p->pads[1] + kh * p->dilations[1]) * iw * B;
      for (kw = w0; kw <= w1; kw++) {
        const float *t = xr + (c * p->strides[2] - p->pads[2] + kw * p->dilations[2]) * B;
#if RT_SGEMM_AVX512
        acc = _mm512_max_ps(_mm512_loadu_ps(t), acc);
#else
        for (l = 0; l < B; l++) acc[l] = t[l] > acc[l] ? t[l] : acc[l];
#endif
      }
    }
#if RT_SGEMM_AVX512
    _mm512_storeu_ps(yr + c * B, acc);
#else
    for (l = 0; l < B; l++) yr[c * B + l] = acc[l];
#endif
  }
}

/* Output rows [lo, hi) of every plane: a band of rows across the
 * channels, as the convs around a pool split their positions, so a task
 * reads the rows its own core wrote. */
static void maxpool_bands(void *arg, int64_t lo, int64_t hi) {
  const pool_job *j = (const pool_job *)arg;
  int64_t plane, o;
  for (plane = 0; plane < j->p->planes; plane++)
    for (o = lo; o < hi; o++) maxpool_row(j, plane, o);
}

RT_KERNEL(rt_nchwc_maxpool_f32) {
  const rt_pool_params *p = (const rt_pool_params *)params;
  pool_job j;
  (void)scratch;
  j.p = p;
  j.x = (const float *)in[0];
  j.y = (float *)out[0];
  rt_parallel_ranges(RT_PARALLEL_OF(in), p->out_dims[1], 1,
                     p->planes * (int64_t)sizeof(float) * B * (p->out_dims[2] + p->kernel[1] * p->in_dims[2]),
                     maxpool_bands, &j);
}

/* ---- AveragePool: blocked X and Y ----
 *
 * rt_avgpool_f32's values lane for lane, so its order of additions: pool.c
 * walks an output row's valid input rows and folds each output's taps
 * into it starting from 0 (0 + x turns a -0 sum into +0): an output whose
 * window lies wholly in the row (interior) adds a 3x3 window's rows as
 * 0 + (a + (b + c)), a 2x2's as 0 + (a + b), each row's 3 or 2 taps as
 * (x0 + x1) + x2 or x0 + x1, and otherwise each row's taps sum onto the
 * total; one near the row's ends (border) adds its valid taps one by one.
 * The sum is then divided by the float product of the row's and column's
 * counts. With more border outputs a row than pool.c's cache holds
 * (POOL_BORDER_MAX there) every output sums its taps in double, as the
 * generic path does. */

#define AVG_BORDER_MAX 32

#if RT_SGEMM_AVX512
typedef __m512 lanes;
#define L_ZERO() _mm512_setzero_ps()
#define L_LOAD(p) _mm512_loadu_ps(p)
#define L_ADD(a, b) _mm512_add_ps(a, b)
#define L_STORE_DIV(p, a, d) _mm512_storeu_ps(p, _mm512_div_ps(a, _mm512_set1_ps(d)))
#else
typedef struct lanes {
  float v[B];
} lanes;
static lanes l_zero(void) {
  lanes r;
  int l;
  for (l = 0; l < B; l++) r.v[l] = 0.0f;
  return r;
}
static lanes l_load(const float *p) {
  lanes r;
  int l;
  for (l = 0; l < B; l++) r.v[l] = p[l];
  return r;
}
static lanes l_add(lanes a, lanes b) {
  int l;
  for (l = 0; l < B; l++) a.v[l] = a.v[l] + b.v[l];
  return a;
}
static void l_store_div(float *p, lanes a, float d) {
  int l;
  for (l = 0; l < B; l++) p[l] = a.v[l] / d;
}
#define L_ZERO() l_zero()
#define L_LOAD(p) l_load(p)
#define L_ADD(a, b) l_add(a, b)
#define L_STORE_DIV(p, a, d) l_store_div(p, a, d)
#endif

/* One input row's taps at x (tap step ts floats): (x0 + x1) + x2, x0 + x1. */
#define TAPS3(x, ts) L_ADD(L_ADD(L_LOAD(x), L_LOAD((x) + (ts))), L_LOAD((x) + 2 * (ts)))
#define TAPS2(x, ts) L_ADD(L_LOAD(x), L_LOAD((x) + (ts)))

/* The interior sum of nr rows of kw taps from x (row step rs, tap step ts). */
static lanes avg_interior(const float *x, int64_t nr, int64_t kw, int64_t rs, int64_t ts) {
  lanes acc = L_ZERO();
  int64_t r, k;
  if (kw == 3 && nr == 3) return L_ADD(acc, L_ADD(TAPS3(x, ts), L_ADD(TAPS3(x + rs, ts), TAPS3(x + 2 * rs, ts))));
  if (kw == 2 && nr == 2) return L_ADD(acc, L_ADD(TAPS2(x, ts), TAPS2(x + rs, ts)));
  for (r = 0; r < nr; r++) {
    const float *xr = x + r * rs;
    if (kw == 3) {
      acc = L_ADD(acc, TAPS3(xr, ts));
    } else if (kw == 2) {
      acc = L_ADD(acc, TAPS2(xr, ts));
    } else {
      for (k = 0; k < kw; k++) acc = L_ADD(acc, L_LOAD(xr + k * ts));
    }
  }
  return acc;
}

/* Output row o of plane `plane`; wide: the generic path's double sums. */
static void avgpool_row(const pool_job *j, int64_t plane, int64_t o, int wide) {
  const rt_pool_params *p = j->p;
  const int64_t ih = p->in_dims[1], iw = p->in_dims[2], oh = p->out_dims[1], ow = p->out_dims[2];
  const int64_t kw = p->kernel[2], sw = p->strides[2], pw = p->pads[2];
  const int64_t rs = p->dilations[1] * iw * B, ts = p->dilations[2] * B;
  const float *xp = j->x + plane * ih * iw * B;
  float *yr = j->y + (plane * oh + o) * ow * B;
  /* pool.c's divisor: the product of the float counts */
  const float ch = (float)rt_pool_avg_count(p, 1, o);
  int64_t h0, h1, c;
  rt_pool_taps(o, p->strides[1], p->pads[1], p->dilations[1], p->kernel[1], ih, &h0, &h1);
  for (c = 0; c < ow; c++) {
    /* x0: the tap (h0, 0), which may lie outside the row */
    const float *x0 = xp + (o * p->strides[1] - p->pads[1] + h0 * p->dilations[1]) * iw * B + (c * sw - pw) * B;
    const int64_t nr = h1 - h0 + 1;
    int64_t w0, w1, r, k;
    rt_pool_taps(c, sw, pw, p->dilations[2], kw, iw, &w0, &w1);
    if (wide) {
      double acc[B];
      int l;
      for (l = 0; l < B; l++) acc[l] = 0.0;
      for (r = 0; r < nr; r++)
        for (k = w0; k <= w1; k++)
          for (l = 0; l < B; l++) acc[l] += (double)x0[r * rs + k * ts + l];
      for (l = 0; l < B; l++)
        yr[c * B + l] = (float)(acc[l] / (double)(rt_pool_avg_count(p, 1, o) * rt_pool_avg_count(p, 2, c)));
    } else if (nr > 0 && w0 == 0 && w1 == kw - 1) {
      L_STORE_DIV(yr + c * B, avg_interior(x0, nr, kw, rs, ts), ch * (float)rt_pool_avg_count(p, 2, c));
    } else {
      lanes acc = L_ZERO();
      for (r = 0; r < nr; r++)
        for (k = w0; k <= w1; k++) acc = L_ADD(acc, L_LOAD(x0 + r * rs + k * ts));
      L_STORE_DIV(yr + c * B, acc, ch * (float)rt_pool_avg_count(p, 2, c));
    }
  }
}

typedef struct avg_job {
  pool_job pool;
  int wide;
} avg_job;

static void avgpool_bands(void *arg, int64_t lo, int64_t hi) {
  const avg_job *j = (const avg_job *)arg;
  int64_t plane, o;
  for (plane = 0; plane < j->pool.p->planes; plane++)
    for (o = lo; o < hi; o++) avgpool_row(&j->pool, plane, o, j->wide);
}

RT_KERNEL(rt_nchwc_avgpool_f32) {
  const rt_pool_params *p = (const rt_pool_params *)params;
  int64_t c, border = 0;
  avg_job j;
  (void)scratch;
  j.pool.p = p;
  j.pool.x = (const float *)in[0];
  j.pool.y = (float *)out[0];
  /* pool.c's choice of path: the outputs of a row with some tap outside it */
  for (c = 0; c < p->out_dims[2]; c++) {
    int64_t w0, w1;
    rt_pool_taps(c, p->strides[2], p->pads[2], p->dilations[2], p->kernel[2], p->in_dims[2], &w0, &w1);
    border += !(w0 == 0 && w1 == p->kernel[2] - 1);
  }
  j.wide = border > AVG_BORDER_MAX;
  rt_parallel_ranges(RT_PARALLEL_OF(in), p->out_dims[1], 1,
                     p->planes * (int64_t)sizeof(float) * B * (p->out_dims[2] + p->kernel[1] * p->in_dims[2]),
                     avgpool_bands, &j);
}

/* ---- GlobalAveragePool: blocked X [N, Cb, S, 16] -> Y [N, C] ---- */

typedef struct gap_job {
  const rt_nchwc_reorder_params *p;
  const float *x;
  float *y;
  float *second; /* the second halves' sums, [plane][16] (gap_half) */
} gap_job;

/* s[l] = the sum of lane l over positions [i0, i1) of plane x, in pool.c's
 * order for its plane_sum (eight partial sums over consecutive positions,
 * the tail into the first, then the same pairing). */
static void gap_sum(const float *x, int64_t i0, int64_t i1, float *s) {
  float acc[8][B];
  int64_t i;
  int k, l;
  for (k = 0; k < 8; k++)
    for (l = 0; l < B; l++) acc[k][l] = 0.0f;
  for (i = i0; i + 8 <= i1; i += 8)
    for (k = 0; k < 8; k++)
      for (l = 0; l < B; l++) acc[k][l] += x[(i + k) * B + l];
  for (; i < i1; i++)
    for (l = 0; l < B; l++) acc[0][l] += x[i * B + l];
  for (l = 0; l < B; l++)
    s[l] = ((acc[0][l] + acc[4][l]) + (acc[1][l] + acc[5][l])) + ((acc[2][l] + acc[6][l]) + (acc[3][l] + acc[7][l]));
}

/* Y's values of plane q (image, block) from its lane sums. */
static void gap_store(const gap_job *j, int64_t q, const float *s) {
  const int64_t cb = RT_IDIV(j->p->channels + B - 1, B), img = RT_IDIV(q, cb), b = q - img * cb, n = j->p->spatial;
  int l;
  for (l = 0; l < B && b * B + l < j->p->channels; l++)
    j->y[img * j->p->channels + b * B + l] = n ? s[l] / (float)n : (float)NAN;
}

/* Planes [lo, hi) (image, block), whole: each lane's plane summed as
 * split_internal.h says (two halves on a large plane), then divided by
 * the count: rt_globalavgpool_f32's values. */
static void gap_planes(void *arg, int64_t lo, int64_t hi) {
  const gap_job *j = (const gap_job *)arg;
  const int64_t n = j->p->spatial, h = rt_gap_half(n);
  int64_t q;
  for (q = lo; q < hi; q++) {
    const float *x = j->x + q * n * B;
    float s[B], t[B];
    int l;
    gap_sum(x, 0, h, s);
    if (h < n) {
      gap_sum(x, h, n, t);
      for (l = 0; l < B; l++) s[l] = s[l] + t[l];
    }
    gap_store(j, q, s);
  }
}

/* Half k of every plane: the first halves' sums into Y's places, the
 * second ones' into j->second. */
static void gap_half(void *arg, int64_t k) {
  const gap_job *j = (const gap_job *)arg;
  const int64_t cb = RT_IDIV(j->p->channels + B - 1, B), n = j->p->spatial, h = rt_gap_half(n);
  int64_t q;
  for (q = 0; q < j->p->batch * cb; q++) {
    const int64_t img = RT_IDIV(q, cb), b = q - img * cb;
    float s[B];
    int l;
    gap_sum(j->x + q * n * B, k ? h : 0, k ? n : h, k ? j->second + q * B : s);
    for (l = 0; l < B && !k && b * B + l < j->p->channels; l++) j->y[img * j->p->channels + b * B + l] = s[l];
  }
}

/* How many times its bytes a plane counts toward RT_SPLIT_MIN_BYTES. */
#define GAP_SPLIT_SCALE 8

size_t rt_nchwc_globalavgpool_task_bytes(const rt_nchwc_reorder_params *p) {
  if (rt_gap_half(p->spatial) == p->spatial) return 0;
  return (size_t)(p->batch * RT_IDIV(p->channels + B - 1, B) * B) * sizeof(float);
}

RT_KERNEL(rt_nchwc_globalavgpool_f32) {
  const rt_nchwc_reorder_params *p = (const rt_nchwc_reorder_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const int64_t cb = RT_IDIV(p->channels + B - 1, B), planes = p->batch * cb;
  const int64_t plane_bytes = p->spatial * B * (int64_t)sizeof(float);
  gap_job j;
  j.p = p;
  j.x = (const float *)in[0];
  j.y = (float *)out[0];
  j.second = (float *)scratch;
  /* A large plane's halves on two tasks (scratch then holds a task's
   * rt_nchwc_globalavgpool_task_bytes: the compiler reserved them), when
   * each half moves enough to be worth a worker. */
  if (rt_parallel_tasks(par) > 1 && rt_gap_half(p->spatial) < p->spatial && scratch &&
      planes * plane_bytes >= 2 * RT_SPLIT_MIN_BYTES) {
    int64_t q;
    int l;
    rt_parallel_run(par, 2, gap_half, &j);
    for (q = 0; q < planes; q++) {
      const int64_t img = RT_IDIV(q, cb), b = q - img * cb;
      float s[B];
      for (l = 0; l < B && b * B + l < p->channels; l++)
        s[l] = j.y[img * p->channels + b * B + l] + j.second[q * B + l];
      gap_store(&j, q, s);
    }
    return;
  }
  /* Small planes split by blocks, at an eighth of the usual bytes per
   * task: the depthwise conv before a squeeze-excitation pool split its
   * blocks the same way, so each task sums what its own core wrote.
   * Whole on one core, the pool read half of its planes from the other
   * core's cache: mobilenet_v3_small's ten pools took 0.030 ms at two
   * threads against 0.011 at one, 0.019 split (onnxcc run --profile). */
  rt_parallel_ranges(par, planes, 1, plane_bytes * GAP_SPLIT_SCALE, gap_planes, &j);
}
