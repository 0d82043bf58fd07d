/* Pooling kernels.
 *
 * Every pool is treated as 3-D (fewer spatial dims are padded in front with
 * size-1 dims). The fast path works one output row at a time: for each
 * valid (kd, kh) input row it folds all kw taps into the output row. The
 * outputs whose whole kw window lies inside the image (the interior) get a
 * branch-free loop that reads every tap (unrolled for 2x2 and 3x3 windows)
 * and that the C compiler vectorises; each of the few outputs near the left
 * and right borders folds its own valid taps. The ranges are computed once
 * per call, so no element is ever bounds-checked.
 *
 * The generic path (one window at a time) serves MaxPool with the Indices
 * output, LpPool with p > 2 and rows with more than POOL_BORDER_MAX
 * border outputs.
 *
 * Each exported variant (op, element type) instantiates the macros below
 * with its mode fixed, so it carries only its own loops and a program
 * links only the pools its model runs. */
#include <math.h>
#include <string.h>

#include "index_internal.h"
#include "onnxcc/kernels/pool.h"
#include "pool_internal.h"
#include "split_internal.h"

/* The row walker handles at most this many border outputs per row (those
 * whose window sticks out of the row); other geometries take the generic
 * path. */
#define POOL_BORDER_MAX 32

/* What a window computes: max, average, or the sum of |x|, x^2 or |x|^p
 * followed by the matching root (LpPool). Always a compile-time constant
 * in the macros below, so the tests on it fold away. */
enum { MODE_MAX, MODE_AVG, MODE_LP1, MODE_LP2, MODE_LPP };

/* Outputs o in [*lo, *hi] (of nout) whose input base + o*s lies in [0, n). */
static void out_range(int64_t base, int64_t s, int64_t n, int64_t nout, int64_t *lo, int64_t *hi) {
  int64_t a = 0, b = nout - 1;
  if (base < 0) a = RT_IDIV(-base + s - 1, s);
  if (base + b * s > n - 1) b = n - 1 - base < 0 ? -1 : RT_IDIV(n - 1 - base, s);
  *lo = a;
  *hi = b;
}

/* The W geometry of the row walker, computed once per call: the interior
 * outputs [W0, W1], whose windows lie wholly inside the row, and the
 * border outputs with their valid taps. */
typedef struct row_geom {
  int64_t KW, SW, DW, PW, OW;
  int64_t W0, W1;
  int nb;
  int64_t border[POOL_BORDER_MAX], klo[POOL_BORDER_MAX], khi[POOL_BORDER_MAX];
} row_geom;

/* Returns 0 when there are more border outputs than the cache holds. */
static int row_geom_init(row_geom *g, const rt_pool_params *p) {
  int64_t o, lo, hi;
  g->KW = p->kernel[2];
  g->SW = p->strides[2];
  g->DW = p->dilations[2];
  g->PW = p->pads[2];
  g->OW = p->out_dims[2];
  g->W0 = 0;
  g->W1 = g->OW - 1;
  for (lo = 0; lo < g->KW; lo++) {
    int64_t a, b;
    out_range(lo * g->DW - g->PW, g->SW, p->in_dims[2], g->OW, &a, &b);
    if (a > g->W0) g->W0 = a;
    if (b < g->W1) g->W1 = b;
  }
  if (g->W0 > g->W1) { /* no interior */
    g->W0 = g->OW;
    g->W1 = g->OW - 1;
  }
  g->nb = 0;
  for (o = 0; o < g->OW; o++) {
    if (o >= g->W0 && o <= g->W1) continue;
    if (g->nb == POOL_BORDER_MAX) return 0;
    rt_pool_taps(o, g->SW, g->PW, g->DW, g->KW, p->in_dims[2], &lo, &hi);
    g->border[g->nb] = o;
    g->klo[g->nb] = lo;
    g->khi[g->nb] = hi;
    g->nb++;
  }
  return 1;
}

/* Runs STMT (using i, the input offset of output o) over the interior
 * outputs, with the stride a constant when it is 1 or 2 so that the loads
 * vectorise (contiguous, or even/odd shuffles). */
#define BY_STRIDE(STMT)                                                          \
  do {                                                                           \
    if (SW == 1) {                                                               \
      for (o = W0; o <= W1; o++) {                                               \
        const int64_t i = o;                                                     \
        STMT;                                                                    \
      }                                                                          \
    } else if (SW == 2) {                                                        \
      for (o = W0; o <= W1; o++) {                                               \
        const int64_t i = 2 * o;                                                 \
        STMT;                                                                    \
      }                                                                          \
    } else {                                                                     \
      for (o = W0; o <= W1; o++) {                                               \
        const int64_t i = o * SW;                                                \
        STMT;                                                                    \
      }                                                                          \
    }                                                                            \
  } while (0)

/* The taps of one input row at input offset I (b0, b1, b2: tap offsets). */
#define TAPS3(COMB, MAP, X, I) COMB(COMB(MAP(X[(I) + b0]), MAP(X[(I) + b1])), MAP(X[(I) + b2]))
#define TAPS2(COMB, MAP, X, I) COMB(MAP(X[(I) + b0]), MAP(X[(I) + b1]))

/* The row fold runs faster as a function of its own: inlined into the row
 * walker (its only caller in each variant), gcc compiles the unrolled
 * loops into slower code (a 3x3 stride-2 max pool of 64x112x112 floats:
 * 265 us against 190 us). */
#if defined(__GNUC__)
#define POOL_NOINLINE __attribute__((noinline))
#else
#define POOL_NOINLINE
#endif

/* Defines NAME(g, yr, x0, nr, rs): folds the KW taps of the nr input rows
 * x0, x0 + rs, ... into output row yr with yr[o] = COMB(yr[o], MAP(x)).
 * The interior is unrolled for the common 3x3 and 2x2 windows, so that each
 * output is loaded and stored once per call. */
#define DEFINE_ROW_FOLD(NAME, T, COMB, MAP)                                      \
  POOL_NOINLINE static void NAME(const row_geom *g, T *yr, const T *x0, int64_t nr, int64_t rs) { \
    const int64_t SW = g->SW, DW = g->DW, W0 = g->W0, W1 = g->W1;                \
    const int64_t b0 = -g->PW, b1 = b0 + DW, b2 = b1 + DW;                       \
    int64_t kw, o, r;                                                            \
    int b;                                                                       \
    /* border outputs: their valid taps */                                       \
    for (b = 0; b < g->nb; b++) {                                                \
      const int64_t ob = g->border[b], start = ob * SW - g->PW;                  \
      T acc = yr[ob];                                                            \
      for (r = 0; r < nr; r++)                                                   \
        for (kw = g->klo[b]; kw <= g->khi[b]; kw++)                              \
          acc = COMB(acc, MAP(x0[r * rs + start + kw * DW]));                    \
      yr[ob] = acc;                                                              \
    }                                                                            \
    /* interior: every tap is valid */                                           \
    if (W0 > W1) return;                                                         \
    if (g->KW == 3 && nr == 3) {                                                 \
      const T *xa = x0, *xb = x0 + rs, *xc = x0 + 2 * rs;                        \
      BY_STRIDE(yr[o] = COMB(yr[o], COMB(TAPS3(COMB, MAP, xa, i),                \
                                         COMB(TAPS3(COMB, MAP, xb, i), TAPS3(COMB, MAP, xc, i))))); \
      return;                                                                    \
    }                                                                            \
    if (g->KW == 2 && nr == 2) {                                                 \
      const T *xa = x0, *xb = x0 + rs;                                           \
      BY_STRIDE(yr[o] = COMB(yr[o], COMB(TAPS2(COMB, MAP, xa, i), TAPS2(COMB, MAP, xb, i)))); \
      return;                                                                    \
    }                                                                            \
    for (r = 0; r < nr; r++) {                                                   \
      const T *xr = x0 + r * rs;                                                 \
      if (g->KW == 3) {                                                          \
        BY_STRIDE(yr[o] = COMB(yr[o], TAPS3(COMB, MAP, xr, i)));                 \
      } else if (g->KW == 2) {                                                   \
        BY_STRIDE(yr[o] = COMB(yr[o], TAPS2(COMB, MAP, xr, i)));                 \
      } else {                                                                   \
        for (kw = 0; kw < g->KW; kw++) {                                         \
          const int64_t base = kw * DW - g->PW;                                  \
          BY_STRIDE(yr[o] = COMB(yr[o], MAP(xr[i + base])));                     \
        }                                                                        \
      }                                                                          \
    }                                                                            \
  }

#define C_MAX(a, b) ((b) > (a) ? (b) : (a))
#define C_ADD(a, b) ((a) + (b))
#define M_ID(v) (v)
#define M_SQ(v) ((v) * (v))

DEFINE_ROW_FOLD(fold_max_f32, float, C_MAX, M_ID)
DEFINE_ROW_FOLD(fold_max_f64, double, C_MAX, M_ID)
DEFINE_ROW_FOLD(fold_max_i8, int8_t, C_MAX, M_ID)
DEFINE_ROW_FOLD(fold_max_u8, uint8_t, C_MAX, M_ID)
DEFINE_ROW_FOLD(fold_sum_f32, float, C_ADD, M_ID)
DEFINE_ROW_FOLD(fold_sum_f64, double, C_ADD, M_ID)
DEFINE_ROW_FOLD(fold_abs_f32, float, C_ADD, fabsf)
DEFINE_ROW_FOLD(fold_abs_f64, double, C_ADD, fabs)
DEFINE_ROW_FOLD(fold_sq_f32, float, C_ADD, M_SQ)
DEFINE_ROW_FOLD(fold_sq_f64, double, C_ADD, M_SQ)

/* The shared names for the geometry. */
#define POOL_GEOMETRY                                                          \
  const int64_t ID = p->in_dims[0], IH = p->in_dims[1], IW = p->in_dims[2];    \
  const int64_t OD = p->out_dims[0], OH = p->out_dims[1], OW = p->out_dims[2]; \
  const int64_t SD = p->strides[0], SH = p->strides[1], SW = p->strides[2];    \
  const int64_t DD = p->dilations[0], DH = p->dilations[1], DW = p->dilations[2]; \
  const int64_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];       \
  const int64_t PD = p->pads[0], PH = p->pads[1], PW = p->pads[2];             \
  const int64_t in_plane = ID * IH * IW, out_plane = OD * OH * OW

/* The row walker over planes [c0, c1): for each output row, FOLD folds
 * the valid input rows (those of every valid kd, with the valid kh) into
 * it, starting from INIT; AVG then divides by the counts (cnt_w: the
 * per-column counts, avg_columns') and LP2 takes the square root. */
#define DEFINE_ROWS(NAME, T, MODE, INIT, FOLD)                                   \
  static void NAME(const rt_pool_params *p, const row_geom *g, const T *x, T *y, const T *cnt_w, int64_t c0, \
                   int64_t c1) {                                                 \
    POOL_GEOMETRY;                                                               \
    int64_t c, od, oh, o, kd;                                                    \
    (void)KW;                                                                    \
    (void)SW;                                                                    \
    (void)DW;                                                                    \
    (void)PW;                                                                    \
    (void)cnt_w;                                                                 \
    for (c = c0; c < c1; c++) {                                                  \
      const T *xc = x + c * in_plane;                                            \
      T *yc = y + c * out_plane;                                                 \
      for (od = 0; od < OD; od++) {                                              \
        int64_t d0, d1;                                                          \
        rt_pool_taps(od, SD, PD, DD, KD, ID, &d0, &d1);                          \
        for (oh = 0; oh < OH; oh++) {                                            \
          int64_t h0, h1;                                                        \
          T *yr = yc + (od * OH + oh) * OW;                                      \
          rt_pool_taps(oh, SH, PH, DH, KH, IH, &h0, &h1);                        \
          for (o = 0; o < OW; o++) yr[o] = INIT;                                 \
          for (kd = d0; kd <= d1 && h0 <= h1; kd++)                              \
            FOLD(g, yr, xc + ((od * SD - PD + kd * DD) * IH + (oh * SH - PH + h0 * DH)) * IW, \
                 h1 - h0 + 1, DH * IW);                                          \
          if (MODE == MODE_AVG) {                                                \
            const T cdh = (T)(rt_pool_avg_count(p, 0, od) * rt_pool_avg_count(p, 1, oh)); \
            for (o = 0; o < OW; o++) yr[o] /= cdh * cnt_w[o];                    \
          } else if (MODE == MODE_LP2) {                                         \
            for (o = 0; o < OW; o++) yr[o] = (T)sqrt((double)yr[o]);             \
          }                                                                      \
        }                                                                        \
      }                                                                          \
    }                                                                            \
  }

DEFINE_ROWS(rows_max_f32, float, MODE_MAX, -INFINITY, fold_max_f32)
DEFINE_ROWS(rows_max_f64, double, MODE_MAX, (double)-INFINITY, fold_max_f64)
DEFINE_ROWS(rows_max_i8, int8_t, MODE_MAX, INT8_MIN, fold_max_i8)
DEFINE_ROWS(rows_max_u8, uint8_t, MODE_MAX, 0, fold_max_u8)
DEFINE_ROWS(rows_avg_f32, float, MODE_AVG, 0.0f, fold_sum_f32)
DEFINE_ROWS(rows_avg_f64, double, MODE_AVG, 0.0, fold_sum_f64)
DEFINE_ROWS(rows_lp1_f32, float, MODE_LP1, 0.0f, fold_abs_f32)
DEFINE_ROWS(rows_lp1_f64, double, MODE_LP1, 0.0, fold_abs_f64)
DEFINE_ROWS(rows_lp2_f32, float, MODE_LP2, 0.0f, fold_sq_f32)
DEFINE_ROWS(rows_lp2_f64, double, MODE_LP2, 0.0, fold_sq_f64)

/* One window at a time over planes [c0, c1), MODE being MODE_MAX,
 * MODE_AVG or MODE_LPP (any p): MaxPool with Indices (ind != NULL), LpPool
 * with p > 2, odd geometries. The max keeps the first of equal values in
 * row-major window order. */
#define DEFINE_GENERIC(NAME, T, LOWEST, MODE)                                    \
  static void NAME(const rt_pool_params *p, const T *x, T *y, int64_t *ind, int64_t c0, int64_t c1) { \
    POOL_GEOMETRY;                                                               \
    const double pp = (double)p->p;                                              \
    int64_t c, od, oh, ow, kd, kh, kw, k = c0 * out_plane;                       \
    (void)pp;                                                                    \
    for (c = c0; c < c1; c++) {                                                  \
      const T *xc = x + c * in_plane;                                            \
      for (od = 0; od < OD; od++) {                                              \
        int64_t d0, d1;                                                          \
        rt_pool_taps(od, SD, PD, DD, KD, ID, &d0, &d1);                          \
        for (oh = 0; oh < OH; oh++) {                                            \
          int64_t h0, h1;                                                        \
          rt_pool_taps(oh, SH, PH, DH, KH, IH, &h0, &h1);                        \
          for (ow = 0; ow < OW; ow++, k++) {                                     \
            int64_t w0, w1, bd = 0, bh = 0, bw = 0;                              \
            int found = 0;                                                       \
            T best = LOWEST;                                                     \
            double acc = 0.0;                                                    \
            rt_pool_taps(ow, SW, PW, DW, KW, IW, &w0, &w1);                      \
            for (kd = d0; kd <= d1; kd++)                                        \
              for (kh = h0; kh <= h1; kh++)                                      \
                for (kw = w0; kw <= w1; kw++) {                                  \
                  const int64_t id = od * SD - PD + kd * DD;                     \
                  const int64_t ih = oh * SH - PH + kh * DH;                     \
                  const int64_t iw = ow * SW - PW + kw * DW;                     \
                  const T v = xc[(id * IH + ih) * IW + iw];                      \
                  if (MODE == MODE_AVG) {                                        \
                    acc += (double)v;                                            \
                  } else if (MODE != MODE_MAX) {                                 \
                    acc += pow(fabs((double)v), pp);                             \
                  } else if (!found || v > best) {                               \
                    best = v;                                                    \
                    bd = id;                                                     \
                    bh = ih;                                                     \
                    bw = iw;                                                     \
                    found = 1;                                                   \
                  }                                                              \
                }                                                                \
            if (MODE == MODE_AVG)                                                \
              best = (T)(acc / (double)(rt_pool_avg_count(p, 0, od) * rt_pool_avg_count(p, 1, oh) * rt_pool_avg_count(p, 2, ow))); \
            else if (MODE != MODE_MAX)                                           \
              best = (T)pow(acc, 1.0 / pp);                                      \
            y[k] = best;                                                         \
            if (MODE == MODE_MAX && ind)                                         \
              ind[k] = c * in_plane + (p->storage_order ? bd + ID * (bh + IH * bw) \
                                                        : (bd * IH + bh) * IW + bw); \
          }                                                                      \
        }                                                                        \
      }                                                                          \
    }                                                                            \
  }

DEFINE_GENERIC(generic_max_f32, float, -INFINITY, MODE_MAX)
DEFINE_GENERIC(generic_max_f64, double, (double)-INFINITY, MODE_MAX)
DEFINE_GENERIC(generic_max_i8, int8_t, INT8_MIN, MODE_MAX)
DEFINE_GENERIC(generic_max_u8, uint8_t, 0, MODE_MAX)
DEFINE_GENERIC(generic_avg_f32, float, 0.0f, MODE_AVG)
DEFINE_GENERIC(generic_avg_f64, double, 0.0, MODE_AVG)
DEFINE_GENERIC(generic_lp_f32, float, 0.0f, MODE_LPP)
DEFINE_GENERIC(generic_lp_f64, double, 0.0, MODE_LPP)

/* ---- the windowed variants ----
 *
 * Each splits its planes (batch x channels) across the call's rt_parallel
 * (split_internal.h): a plane is computed by one task, as it was whole. */

/* The bytes one plane moves: its input and output. */
static int64_t plane_bytes(const rt_pool_params *p, int64_t elem) {
  return elem * (p->in_dims[0] * p->in_dims[1] * p->in_dims[2] + p->out_dims[0] * p->out_dims[1] * p->out_dims[2]);
}

/* AveragePool's per-column counts, into the scratch before the planes
 * split: every task reads them, none writes them. */
#define DEFINE_AVG_COLUMNS(SUF, T)                                               \
  static void avg_columns_##SUF(const rt_pool_params *p, T *cnt_w) {             \
    int64_t o;                                                                   \
    for (o = 0; o < p->out_dims[2]; o++) cnt_w[o] = (T)rt_pool_avg_count(p, 2, o); \
  }
DEFINE_AVG_COLUMNS(f32, float)
DEFINE_AVG_COLUMNS(f64, double)

/* MaxPool: the row walker when the geometry fits its border cache; the
 * _indices form always walks window by window, as it tracks positions. */
#define DEFINE_MAXPOOL(SUF, T)                                                   \
  static void maxpool_range_##SUF(void *arg, int64_t lo, int64_t hi) {           \
    RT_CALL_ARGS(arg);                                                           \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    row_geom g;                                                                  \
    if (row_geom_init(&g, p))                                                    \
      rows_max_##SUF(p, &g, (const T *)in[0], (T *)out[0], NULL, lo, hi);        \
    else                                                                         \
      generic_max_##SUF(p, (const T *)in[0], (T *)out[0], NULL, lo, hi);         \
  }                                                                              \
  static void maxpool_indices_range_##SUF(void *arg, int64_t lo, int64_t hi) {   \
    RT_CALL_ARGS(arg);                                                           \
    generic_max_##SUF((const rt_pool_params *)params, (const T *)in[0], (T *)out[0], (int64_t *)out[1], lo, hi); \
  }                                                                              \
  RT_KERNEL(rt_maxpool_##SUF) {                                                  \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    rt_kernel_ranges(maxpool_range_##SUF, params, in, out, scratch, p->planes, 1, plane_bytes(p, (int64_t)sizeof(T))); \
  }                                                                              \
  RT_KERNEL(rt_maxpool_##SUF##_indices) {                                        \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    rt_kernel_ranges(maxpool_indices_range_##SUF, params, in, out, scratch, p->planes, 1, \
                     plane_bytes(p, (int64_t)sizeof(T)));                        \
  }

DEFINE_MAXPOOL(f32, float)
DEFINE_MAXPOOL(f64, double)
DEFINE_MAXPOOL(i8, int8_t)
DEFINE_MAXPOOL(u8, uint8_t)

/* AveragePool (scratch: the per-column counts) and LpPool (p = 1 and 2
 * through the row walker, others window by window with pow). */
#define DEFINE_AVG_LP(SUF, T)                                                    \
  static void avgpool_range_##SUF(void *arg, int64_t lo, int64_t hi) {           \
    RT_CALL_ARGS(arg);                                                           \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    row_geom g;                                                                  \
    if (row_geom_init(&g, p))                                                    \
      rows_avg_##SUF(p, &g, (const T *)in[0], (T *)out[0], (const T *)scratch, lo, hi); \
    else                                                                         \
      generic_avg_##SUF(p, (const T *)in[0], (T *)out[0], NULL, lo, hi);         \
  }                                                                              \
  RT_KERNEL(rt_avgpool_##SUF) {                                                  \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    row_geom g;                                                                  \
    if (row_geom_init(&g, p)) avg_columns_##SUF(p, (T *)scratch);                \
    rt_kernel_ranges(avgpool_range_##SUF, params, in, out, scratch, p->planes, 1, plane_bytes(p, (int64_t)sizeof(T))); \
  }                                                                              \
  static void lppool_range_##SUF(void *arg, int64_t lo, int64_t hi) {            \
    RT_CALL_ARGS(arg);                                                           \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    const T *x = (const T *)in[0];                                               \
    T *y = (T *)out[0];                                                          \
    row_geom g;                                                                  \
    if ((p->p == 1 || p->p == 2) && row_geom_init(&g, p)) {                      \
      if (p->p == 1)                                                             \
        rows_lp1_##SUF(p, &g, x, y, NULL, lo, hi);                               \
      else                                                                       \
        rows_lp2_##SUF(p, &g, x, y, NULL, lo, hi);                               \
    } else {                                                                     \
      generic_lp_##SUF(p, x, y, NULL, lo, hi);                                   \
    }                                                                            \
  }                                                                              \
  RT_KERNEL(rt_lppool_##SUF) {                                                   \
    const rt_pool_params *p = (const rt_pool_params *)params;                    \
    rt_kernel_ranges(lppool_range_##SUF, params, in, out, scratch, p->planes, 1, plane_bytes(p, (int64_t)sizeof(T))); \
  }

DEFINE_AVG_LP(f32, float)
DEFINE_AVG_LP(f64, double)

/* ---- global pools ---- */

/* Folds one contiguous plane into one value. Eight partial accumulators
 * let the compiler vectorise without reassociating a single sum. */
#define DEFINE_PLANE_FOLD(NAME, T, INIT, COMB, MAP)                             \
  static T NAME(const T *x, int64_t n) {                                        \
    T acc[8];                                                                   \
    int64_t i = 0;                                                              \
    int j;                                                                      \
    for (j = 0; j < 8; j++) acc[j] = INIT;                                      \
    for (; i + 8 <= n; i += 8)                                                  \
      for (j = 0; j < 8; j++) acc[j] = COMB(acc[j], MAP(x[i + j]));             \
    for (; i < n; i++) acc[0] = COMB(acc[0], MAP(x[i]));                        \
    return COMB(COMB(COMB(acc[0], acc[4]), COMB(acc[1], acc[5])),               \
                COMB(COMB(acc[2], acc[6]), COMB(acc[3], acc[7])));              \
  }

DEFINE_PLANE_FOLD(plane_max_f32, float, -INFINITY, C_MAX, M_ID)
DEFINE_PLANE_FOLD(plane_max_f64, double, (double)-INFINITY, C_MAX, M_ID)
DEFINE_PLANE_FOLD(plane_sum_f32, float, 0.0f, C_ADD, M_ID)
DEFINE_PLANE_FOLD(plane_sum_f64, double, 0.0, C_ADD, M_ID)
DEFINE_PLANE_FOLD(plane_abs_f32, float, 0.0f, C_ADD, fabsf)
DEFINE_PLANE_FOLD(plane_abs_f64, double, 0.0, C_ADD, fabs)
DEFINE_PLANE_FOLD(plane_sq_f32, float, 0.0f, C_ADD, M_SQ)
DEFINE_PLANE_FOLD(plane_sq_f64, double, 0.0, C_ADD, M_SQ)

/* Each global pool splits its planes across the call's rt_parallel. */
#define DEFINE_GLOBAL(SUF, T)                                                   \
  static void globalmaxpool_range_##SUF(void *arg, int64_t lo, int64_t hi) {    \
    RT_CALL_ARGS(arg);                                                          \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    const T *x = (const T *)in[0];                                              \
    T *y = (T *)out[0];                                                         \
    int64_t c;                                                                  \
    for (c = lo; c < hi; c++) y[c] = plane_max_##SUF(x + c * p->size, p->size); \
  }                                                                             \
  static void globalavgpool_range_##SUF(void *arg, int64_t lo, int64_t hi) {    \
    RT_CALL_ARGS(arg);                                                          \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    const T *x = (const T *)in[0];                                              \
    T *y = (T *)out[0];                                                         \
    const int64_t n = p->size;                                                  \
    int64_t c;                                                                  \
    for (c = lo; c < hi; c++) {                                                 \
      const int64_t h = rt_gap_half(n);                                         \
      T s = plane_sum_##SUF(x + c * n, h);                                      \
      if (h < n) s = s + plane_sum_##SUF(x + c * n + h, n - h);                 \
      y[c] = n ? s / (T)n : (T)NAN;                                             \
    }                                                                           \
  }                                                                             \
  static void globallppool_range_##SUF(void *arg, int64_t lo, int64_t hi) {     \
    RT_CALL_ARGS(arg);                                                          \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    const T *x = (const T *)in[0];                                              \
    T *y = (T *)out[0];                                                         \
    const int64_t n = p->size;                                                  \
    const double pp = (double)p->p;                                             \
    int64_t c, i;                                                               \
    for (c = lo; c < hi; c++) {                                                 \
      const T *xc = x + c * n;                                                  \
      if (p->p == 1) {                                                          \
        y[c] = plane_abs_##SUF(xc, n);                                          \
      } else if (p->p == 2) {                                                   \
        y[c] = (T)sqrt((double)plane_sq_##SUF(xc, n));                          \
      } else {                                                                  \
        T acc = 0;                                                              \
        for (i = 0; i < n; i++) acc += (T)pow(fabs((double)xc[i]), pp);         \
        y[c] = (T)pow((double)acc, 1.0 / pp);                                   \
      }                                                                         \
    }                                                                           \
  }                                                                             \
  RT_KERNEL(rt_globalmaxpool_##SUF) {                                           \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    rt_kernel_ranges(globalmaxpool_range_##SUF, params, in, out, scratch, p->planes, 1, p->size * (int64_t)sizeof(T)); \
  }                                                                             \
  RT_KERNEL(rt_globalavgpool_##SUF) {                                           \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    rt_kernel_ranges(globalavgpool_range_##SUF, params, in, out, scratch, p->planes, 1, p->size * (int64_t)sizeof(T)); \
  }                                                                             \
  RT_KERNEL(rt_globallppool_##SUF) {                                            \
    const rt_globalpool_params *p = (const rt_globalpool_params *)params;       \
    rt_kernel_ranges(globallppool_range_##SUF, params, in, out, scratch, p->planes, 1, p->size * (int64_t)sizeof(T)); \
  }

DEFINE_GLOBAL(f32, float)
DEFINE_GLOBAL(f64, double)
