/* Conv and ConvTranspose, float, 1 to 6 spatial dims.
 *
 * Conv, general case (conv_gemm): per image and group, for each block of
 * output positions and each slice of input channels (CONV_KC), im2col
 * writes that part of the unfolded input straight in the micro-kernel's
 * B layout, and the micro-kernel sweeps the output channels across each
 * of its panels. The unfolded data never exists as a whole and never
 * leaves L2, and the bias rides in as the accumulators' initial value. The weights are read in the quad layout of
 * conv.h: prepared at compile time for the _packed variants (then the
 * scratch holds only the unfolded panel), packed block by block into
 * scratch by rt_conv_f32_im2col otherwise.
 * A 1x1 stride-1 unpadded conv needs no unfolding: X already is the B
 * matrix (one rt_sgemm, or a plain panel copy with prepacked weights).
 * Depthwise convs (one input channel per group) use direct loops
 * (conv_direct): unfolding would give a K of one channel and the product
 * no reuse. The 2-D ones with one output channel per input channel, the
 * usual kind, have their own kernel in conv_depthwise.c.
 *
 * ConvTranspose is the adjoint: W^T X for a block of input columns goes
 * into scratch, and col2im scatters-adds it into Y. With W a constant,
 * W^T is prepared in the quad layout at compile time and the product is
 * the micro-kernel over panels copied from X (rt_conv_transpose_f32_packed);
 * otherwise rt_sgemm packs both operands on every call.
 *
 * Spatial positions are walked one run along the last dimension at a time:
 * for each run the valid index range is known up front, so the inner loops
 * are plain contiguous (stride 1) or strided copies / FMAs without
 * per-element bounds checks. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "index_internal.h"
#include "onnxcc/kernels/conv.h"
#include "onnxcc/kernels/gemm.h"
#include "onnxcc/parallel.h"
#include "sgemm_internal.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static int64_t round_up4(int64_t n) { return (n + 3) / 4 * 4; }

static int64_t prod(const int64_t *d, int64_t n) {
  int64_t r = 1, i;
  for (i = 0; i < n; i++) r *= d[i];
  return r;
}

/* Floor division by a positive b. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = RT_IDIV(a, b);
  return (RT_IMOD(a, b) != 0 && a < 0) ? q - 1 : q;
}

/* [lo, hi): the t in [t0, t1) with 0 <= t * s + base < n. */
static void valid_range(int64_t t0, int64_t t1, int64_t s, int64_t base, int64_t n, int64_t *lo, int64_t *hi) {
  int64_t a = -floor_div(base, s); /* ceil(-base / s) */
  int64_t b = floor_div(n - 1 - base, s) + 1;
  *lo = max64(t0, a);
  *hi = min64(t1, b);
  if (*hi < *lo) *hi = *lo;
}

/* rt_conv_f32_im2col packs the weights into scratch a block of output
 * channels at a time, up to this many floats (4 MiB) each; the input is
 * unfolded again for each block. A block is a whole number of MR-row
 * tiles, at least one. (Prepacked weights are one block.) */
#define CONV_A_FLOATS ((int64_t)1 << 20)

static int64_t conv_block_rows(int64_t mg, int64_t kdim) {
  int64_t r = RT_IDIV(CONV_A_FLOATS, kdim);
  r = r < MR ? MR : r - r % MR;
  return min64(mg, r);
}

/* A bound on conv_block_rows, rounded up to whole quads, that holds for
 * every MR (the compiler sizes the scratch with its own build). */
static int64_t conv_block_rows_bound(int64_t mg, int64_t kdim) {
  return round_up4(min64(mg, max64(CAP_MR, RT_IDIV(CONV_A_FLOATS, kdim))));
}

/* For a body shared by several kernel variants: inlined into each, so the
 * flags a variant passes are constants there and no variant switches on
 * them at run time. */
#if defined(__GNUC__)
#define CONV_INLINE inline __attribute__((always_inline))
#else
#define CONV_INLINE inline
#endif

/* ConvTranspose's row-major column blocks: at most 128 Ki floats, so they
 * stay in L2 between rt_sgemm and col2im; 128 to 1024 columns. Depends on
 * the shape only. */
static int64_t col_block_t(int64_t rows, int64_t cols) {
  int64_t cb = RT_IDIV((int64_t)1 << 17, rows > 0 ? rows : 1);
  cb = max64(128, min64(1024, cb - cb % 32));
  return min64(cb, cols);
}

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }

static float *align64(void *p) { return (float *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

/* Valid output range of each tap along the last dim, for the first
 * RANGES taps (the same for every row: computed once per call, since the
 * divisions are slow); ranges[2k], ranges[2k+1] for tap k. */
#define RANGES 32
static void tap_ranges(const rt_conv_params *p, int64_t *ranges) {
  const int64_t last = p->nd - 1;
  int64_t kl;
  for (kl = 0; kl < p->kernel[last] && kl < RANGES; kl++)
    valid_range(0, p->out_dims[last], p->strides[last], kl * p->dilations[last] - p->pads[last],
                p->in_dims[last], &ranges[2 * kl], &ranges[2 * kl + 1]);
}

/* Fills the `channels` planes of `size` floats at y with bias[c] (or 0). */
static void fill_bias(float *y, int64_t channels, int64_t size, const float *bias) {
  int64_t c, i;
  for (c = 0; c < channels; c++) {
    const float b = bias ? bias[c] : 0.0f;
    float *yc = y + c * size;
    for (i = 0; i < size; i++) yc[i] = b;
  }
}

/* Advances a multi-index over dims[0..n) (last fastest); returns 0 when it
 * wraps around to all zeros. */
static int odometer(int64_t *idx, const int64_t *dims, int64_t n) {
  int64_t d;
  for (d = n - 1; d >= 0; d--) {
    if (++idx[d] < dims[d]) return 1;
    idx[d] = 0;
  }
  return 0;
}

/* Linear offset, within a plane of `src_dims`, of the row (all dims but
 * the last) that position `pos` (in `dst` coordinates) of dims 0..nd-2
 * maps to via src = pos * stride - pad + k * dilation; -1 if outside. */
static int64_t outer_offset(const rt_conv_params *p, const int64_t *pos, const int64_t *kidx,
                            const int64_t *src_dims) {
  int64_t d, lin = 0;
  for (d = 0; d < p->nd - 1; d++) {
    const int64_t v = pos[d] * p->strides[d] - p->pads[d] + kidx[d] * p->dilations[d];
    if (v < 0 || v >= src_dims[d]) return -1;
    lin = lin * src_dims[d] + v;
  }
  return lin;
}

static void unravel(int64_t lin, const int64_t *dims, int64_t n, int64_t *idx) {
  int64_t d;
  for (d = n - 1; d >= 0; d--) {
    idx[d] = RT_IMOD(lin, dims[d]);
    lin = RT_IDIV(lin, dims[d]);
  }
}

/* ---- Conv ---- */

/* Unfolds output columns [col0, col0 + ncols) straight into the layout
 * rt_sgemm_ukernel reads: panel q (columns q*NR...) holds row
 * r = c * ksize + k (input channel c, kernel tap k) at
 * buf[q * kdim * NR + r * NR + lane], 0 where the tap reads padding. Panel
 * by panel, so the writes stay in cache; within a panel the runs along
 * the last dim and each tap's valid range are worked out once for all
 * channels. */
static void im2col_packed(const rt_conv_params *p, const float *x, int64_t channels, int64_t col0, int64_t ncols,
                          const int64_t *ranges, const float *scale, float *buf) {
  const int64_t nd = p->nd, last = nd - 1;
  const int64_t in_sp = prod(p->in_dims, nd), ksize = prod(p->kernel, nd), kdim = channels * ksize;
  const int64_t in_last = p->in_dims[last], out_last = p->out_dims[last], s = p->strides[last];
  const int64_t npanels = (ncols + NR - 1) / NR;
  int64_t pos[RT_CONV_MAX_DIMS], q;
  unravel(col0, p->out_dims, nd, pos);
  for (q = 0; q < npanels; q++) {
    float *panel = buf + q * kdim * NR;
    const int64_t w = min64(NR, ncols - q * NR);
    int64_t seg_lane[NR], seg_t0[NR], seg_len[NR], seg_pos[NR][RT_CONV_MAX_DIMS];
    int64_t nseg = 0, lane = 0, kidx[RT_CONV_MAX_DIMS] = {0}, kt, i, c, t;
    /* the runs of this panel's columns along the last output dim */
    while (lane < w) {
      const int64_t t0 = pos[last], len = min64(out_last - t0, w - lane);
      seg_lane[nseg] = lane;
      seg_t0[nseg] = t0;
      seg_len[nseg] = len;
      memcpy(seg_pos[nseg], pos, sizeof pos);
      nseg++;
      lane += len;
      pos[last] = 0;
      if (t0 + len < out_last) pos[last] = t0 + len;
      else odometer(pos, p->out_dims, last);
    }
    if (w < NR)
      for (i = 0; i < kdim; i++)
        for (t = w; t < NR; t++) panel[i * NR + t] = 0.0f;
    for (kt = 0; kt < ksize; kt++, odometer(kidx, p->kernel, nd)) {
      const int64_t base = kidx[last] * p->dilations[last] - p->pads[last];
      int64_t full_lo, full_hi;
      if (kidx[last] < RANGES) {
        full_lo = ranges[2 * kidx[last]];
        full_hi = ranges[2 * kidx[last] + 1];
      } else {
        valid_range(0, out_last, s, base, in_last, &full_lo, &full_hi);
      }
      for (i = 0; i < nseg; i++) {
        const int64_t t0 = seg_t0[i], len = seg_len[i];
        const int64_t row = outer_offset(p, seg_pos[i], kidx, p->in_dims);
        int64_t lo = t0, hi = t0;
        float *d0 = panel + kt * NR + seg_lane[i]; /* d0[t - t0]: output position t, channel 0 */
        if (row >= 0) {
          lo = max64(t0, full_lo);
          hi = max64(lo, min64(t0 + len, full_hi));
        }
        for (c = 0; c < channels; c++) {
          float *d = d0 + c * ksize * NR;
          for (t = 0; t < lo - t0; t++) d[t] = 0.0f;
          if (hi > lo) {
            const float *xs = x + c * in_sp + row * in_last + (lo * s + base);
            float *ds = d + (lo - t0);
            if (scale) /* fuse-channel-scale: x * s as the Mul rounded it */
              for (t = 0; t < hi - lo; t++) ds[t] = xs[t * s] * scale[c];
            else if (s == 1)
              rt_sgemm_copy_run(ds, xs, hi - lo);
            else if (s == 2) /* a constant stride vectorises (loads + permutes) */
              for (t = 0; t < hi - lo; t++) ds[t] = xs[2 * t];
            else
              for (t = 0; t < hi - lo; t++) ds[t] = xs[t * s];
          }
          for (t = hi - t0; t < len; t++) d[t] = 0.0f;
        }
      }
    }
  }
}

/* yr[t] += wv * x at tap offset base, stride s, for t in [lo, hi). */
static void tap_axpy(const float *xr, float wv, int64_t base, int64_t s, float *yr, int64_t lo, int64_t hi) {
  int64_t t;
  for (t = lo; t < hi; t++) yr[t] = MADD(wv, xr[t * s + base], yr[t]);
}

/* yr[t] += sum over taps kl (in order) of w[kl] * x[t*s + kl*dil - pad],
 * for t in [lo, hi), where every tap is inside the row; s is 1 or 2 (a
 * constant stride vectorises). */
static void row_all_taps(const float *xr, const float *w, int64_t k, int64_t dil, int64_t pad, int64_t s, float *yr,
                         int64_t lo, int64_t hi) {
  const float *x0 = xr - pad;
  int64_t t, kl;
  if (k == 3 && s == 1) {
    const float w0 = w[0], w1 = w[1], w2 = w[2];
    for (t = lo; t < hi; t++) {
      float acc = yr[t];
      acc = MADD(w0, x0[t], acc);
      acc = MADD(w1, x0[t + dil], acc);
      acc = MADD(w2, x0[t + 2 * dil], acc);
      yr[t] = acc;
    }
    return;
  }
  if (k == 3 && s == 2) {
    const float w0 = w[0], w1 = w[1], w2 = w[2];
    for (t = lo; t < hi; t++) {
      float acc = yr[t];
      acc = MADD(w0, x0[2 * t], acc);
      acc = MADD(w1, x0[2 * t + dil], acc);
      acc = MADD(w2, x0[2 * t + 2 * dil], acc);
      yr[t] = acc;
    }
    return;
  }
  if (k == 5 && s == 1) {
    const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];
    for (t = lo; t < hi; t++) {
      float acc = yr[t];
      acc = MADD(w0, x0[t], acc);
      acc = MADD(w1, x0[t + dil], acc);
      acc = MADD(w2, x0[t + 2 * dil], acc);
      acc = MADD(w3, x0[t + 3 * dil], acc);
      acc = MADD(w4, x0[t + 4 * dil], acc);
      yr[t] = acc;
    }
    return;
  }
  if (k == 5 && s == 2) {
    const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];
    for (t = lo; t < hi; t++) {
      float acc = yr[t];
      acc = MADD(w0, x0[2 * t], acc);
      acc = MADD(w1, x0[2 * t + dil], acc);
      acc = MADD(w2, x0[2 * t + 2 * dil], acc);
      acc = MADD(w3, x0[2 * t + 3 * dil], acc);
      acc = MADD(w4, x0[2 * t + 4 * dil], acc);
      yr[t] = acc;
    }
    return;
  }
  for (t = lo; t < hi; t++) {
    float acc = yr[t];
    for (kl = 0; kl < k; kl++) acc = MADD(w[kl], x0[t * s + kl * dil], acc);
    yr[t] = acc;
  }
}

/* One input channel per group: each output channel m reads input channel
 * m / (out_ch / group). Output rows stay in L1 while every kernel tap is
 * accumulated into them; the epilogue e (if any) finishes each output
 * plane, just written, in one loop (per row, the 7 or 14 outputs of a
 * small plane would not vectorize). */
static void conv_direct(const rt_conv_params *p, const float *x, const float *w, const float *bias, float *y,
                        const rt_epi *e, int64_t plane0, int64_t plane1) {
  const int64_t nd = p->nd, last = nd - 1;
  const int64_t in_sp = prod(p->in_dims, nd), out_sp = prod(p->out_dims, nd);
  const int64_t ksize = prod(p->kernel, nd), k_last = p->kernel[last];
  const int64_t in_last = p->in_dims[last], out_last = p->out_dims[last];
  const int64_t out_rows = RT_IDIV(out_sp, out_last), ktaps_outer = RT_IDIV(ksize, k_last);
  const int64_t s = p->strides[last], mg = RT_IDIV(p->out_ch, p->group);
  int64_t pl, r, kt, kl, t, ranges[2 * RANGES];
  tap_ranges(p, ranges);
  /* plane pl is image n = pl / out_ch, output channel m = pl % out_ch */
  for (pl = plane0; pl < plane1; pl++) {
    const int64_t n = RT_IDIV(pl, p->out_ch), m = RT_IMOD(pl, p->out_ch);
    const float *xc = x + (n * p->in_ch + RT_IDIV(m, mg)) * in_sp;
    const float *wm = w + m * ksize;
    float *yc = y + (n * p->out_ch + m) * out_sp;
    const float b = bias ? bias[m] : 0.0f;
    int64_t pos[RT_CONV_MAX_DIMS] = {0};
    for (r = 0; r < out_rows; r++, odometer(pos, p->out_dims, last)) {
      float *yr = yc + r * out_last;
      int64_t kidx[RT_CONV_MAX_DIMS] = {0};
      for (t = 0; t < out_last; t++) yr[t] = b;
      for (kt = 0; kt < ktaps_outer; kt++, odometer(kidx, p->kernel, last)) {
        const int64_t row = outer_offset(p, pos, kidx, p->in_dims);
        const float *xr, *wr = wm + kt * k_last;
        if (row < 0) continue;
        xr = xc + row * in_last;
        /* where every tap of the row is valid, all of them at once:
         * each output element stays in a register (same order of sums) */
        int64_t in_lo = 0, in_hi = out_last;
        if ((s == 1 || s == 2) && k_last <= RANGES)
          for (kl = 0; kl < k_last; kl++) {
            in_lo = ranges[2 * kl] > in_lo ? ranges[2 * kl] : in_lo;
            in_hi = ranges[2 * kl + 1] < in_hi ? ranges[2 * kl + 1] : in_hi;
          }
        else
          in_hi = in_lo;
        if (in_hi > in_lo) row_all_taps(xr, wr, k_last, p->dilations[last], p->pads[last], s, yr, in_lo, in_hi);
        for (kl = 0; kl < k_last; kl++) {
          const int64_t base = kl * p->dilations[last] - p->pads[last];
          const float wv = wr[kl];
          int64_t lo, hi;
          if (kl < RANGES) {
            lo = ranges[2 * kl];
            hi = ranges[2 * kl + 1];
          } else {
            valid_range(0, out_last, s, base, in_last, &lo, &hi);
          }
          if (in_hi > in_lo) { /* only the edges are left for this tap */
            if (lo < in_lo) tap_axpy(xr, wv, base, s, yr, lo, in_lo);
            if (hi > in_hi) tap_axpy(xr, wv, base, s, yr, in_hi, hi);
            continue;
          }
          if (hi <= lo) continue;
          if (s == 1) {
            const float *xs = xr + (lo + base);
            float *ys = yr + lo;
            for (t = 0; t < hi - lo; t++) ys[t] = MADD(wv, xs[t], ys[t]);
          } else if (s == 2) { /* a constant stride vectorises (loads + permutes) */
            const float *xs = xr + (2 * lo + base);
            float *ys = yr + lo;
            for (t = 0; t < hi - lo; t++) ys[t] = MADD(wv, xs[2 * t], ys[t]);
          } else {
            for (t = lo; t < hi; t++) yr[t] = MADD(wv, xr[t * s + base], yr[t]);
          }
        }
      }
    }
    if (e) rt_epi_tile(e, yc, out_sp, 1, out_sp);
  }
}

/* A call of rt_conv_f32_depthwise split across threads: task i of `tasks`
 * takes its share of the output planes. (rt_conv_f32_depthwise2d has its
 * own file, conv_depthwise.c.) */
typedef struct dw_job {
  const rt_conv_params *p;
  const float *x, *w, *bias;
  float *y;
  const rt_epi *e;
  int64_t tasks;
} dw_job;

static void dw_direct_task(void *arg, int64_t i) {
  const dw_job *j = (const dw_job *)arg;
  int64_t lo, hi;
  rt_parallel_share(j->p->batch * j->p->out_ch, 1, i, j->tasks, &lo, &hi);
  conv_direct(j->p, j->x, j->w, j->bias, j->y, j->e, lo, hi);
}

RT_KERNEL(rt_conv_f32_depthwise) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  rt_epi ev;
  dw_job j;
  (void)scratch;
  j.p = p;
  j.x = (const float *)in[0];
  j.w = (const float *)in[1];
  j.bias = p->has_bias ? (const float *)in[2] : NULL;
  j.y = (float *)out[0];
  j.e = RT_EPI_FROM(&ev, p, in, 3, j.y);
  j.tasks = min64(rt_parallel_tasks(par), p->batch * p->out_ch);
  if (j.tasks < 1) j.tasks = 1;
  rt_parallel_run(par, j.tasks, dw_direct_task, &j);
}

/* ---- the quad layout (conv.h) ---- */

/* Packs rows [r0, r0 + rows) of one group's weights w [mg, kdim] (r0 a
 * multiple of 4) into dst in quads. A short last quad is padded with
 * copies of the group's last row rather than zeros: the micro-kernel
 * computes those rows but never stores them, so their values do not
 * matter, and copies keep every value of the packed tensor one of W's. */
static void pack_quads(const float *w, int64_t mg, int64_t kdim, int64_t r0, int64_t rows, float *restrict dst) {
  int64_t q0, k, i;
  for (q0 = r0; q0 < r0 + rows; q0 += 4) {
    const int64_t h = min64(4, mg - q0);
    float *quad = dst + (q0 - r0) * kdim;
    if (h == 4) {
      const float *w0 = w + q0 * kdim;
      for (k = 0; k < kdim; k++)
        for (i = 0; i < 4; i++) quad[k * 4 + i] = w0[i * kdim + k];
    } else {
      for (k = 0; k < kdim; k++)
        for (i = 0; i < 4; i++) quad[k * 4 + i] = w[(q0 + min64(i, h - 1)) * kdim + k];
    }
  }
}

int64_t rt_conv_f32_packed_floats(const rt_conv_params *p) {
  return p->group * round_up4(RT_IDIV(p->out_ch, p->group)) * (RT_IDIV(p->in_ch, p->group)) * prod(p->kernel, p->nd);
}

void rt_conv_f32_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t mg = RT_IDIV(p->out_ch, p->group), kdim = RT_IDIV(p->in_ch, p->group) * prod(p->kernel, p->nd);
  int64_t g;
  for (g = 0; g < p->group; g++)
    pack_quads(w + g * mg * kdim, mg, kdim, 0, mg, packed + g * round_up4(mg) * kdim);
}

/* ---- Conv through the micro-kernel ---- */

/* A 1x1 stride-1 unpadded conv's "unfolding" of output columns
 * [col0, col0 + ncols): the columns of each input channel, copied into
 * the micro-kernel's panels (zero lanes past ncols), each channel c times
 * scale[c] when there is a scale (fuse-channel-scale). */
static void copy_panels(const float *x, int64_t channels, int64_t sp, int64_t col0, int64_t ncols,
                        const float *scale, float *buf) {
  const int64_t npanels = (ncols + NR - 1) / NR;
  int64_t q, c, t;
  for (q = 0; q < npanels; q++) {
    float *panel = buf + q * channels * NR;
    const int64_t w = min64(NR, ncols - q * NR);
    const float *xs = x + col0 + q * NR;
    if (scale) {
      for (c = 0; c < channels; c++) {
        for (t = 0; t < w; t++) panel[c * NR + t] = xs[c * sp + t] * scale[c];
        for (; t < NR; t++) panel[c * NR + t] = 0.0f;
      }
    } else if (w == NR) {
      for (c = 0; c < channels; c++) memcpy(panel + c * NR, xs + c * sp, sizeof(float) * NR);
    } else {
      for (c = 0; c < channels; c++) {
        for (t = 0; t < w; t++) panel[c * NR + t] = xs[c * sp + t];
        for (; t < NR; t++) panel[c * NR + t] = 0.0f;
      }
    }
  }
}

/* Output planes of at most this many floats get the fused epilogue once
 * per block of output channels rather than per tile (conv_gemm_block). */
#define EPI_SMALL_PLANE 256

/* Unfolded panel bytes (kdim x NR floats, NR at most CAP_NR on any
 * build), 64-byte aligned. */
static size_t panel_bytes(int64_t kdim) { return round64((size_t)(kdim * CAP_NR) * sizeof(float)); }

/* The product is blocked as rt_sgemm is (Goto / BLIS), with the unfolded
 * input as B: K = cg * ksize is cut at channel boundaries into slices of
 * about CONV_KC rows (a slice of channels is a contiguous range of the
 * weights' k), the output positions into blocks of at most CONV_NC. For
 * each block of positions and each slice, the slice's rows of those
 * positions are unfolded once (kc x CONV_NC floats, in L2), then each
 * NR-wide panel of them (in L1) has the slice of the weights (rows x kc,
 * in L2) swept across it. The block's outputs stay in L2 across slices,
 * and the weights are read once per block of positions, not once per
 * panel (which for the 3x3 convs of 256 and 512 channels, whose weights
 * exceed L2, meant streaming them from L3 for every 32 positions). Both
 * constants are fixed, not the tile's: the compiler sizes the scratch
 * with its own build. */
#define CONV_KC 256
#define CONV_NC 384

/* Channels per K slice: equal slices of at most CONV_KC rows (at least
 * one channel, whatever its kernel size). */
static int64_t slice_channels(int64_t cg, int64_t ksize) {
  const int64_t per = max64(1, RT_IDIV(CONV_KC, ksize)), slices = RT_IDIV(cg + per - 1, per);
  return RT_IDIV(cg + slices - 1, slices);
}

/* The unfolded block: kc rows of whole NR-wide panels covering at most
 * CONV_NC positions (NR at most CAP_NR on any build), 64-byte aligned. */
static size_t unfold_bytes(const rt_conv_params *p) {
  const int64_t ksize = prod(p->kernel, p->nd), kc = slice_channels(RT_IDIV(p->in_ch, p->group), ksize) * ksize;
  const int64_t ncb = min64(prod(p->out_dims, p->nd), CONV_NC);
  return round64((size_t)(kc * (ncb + CAP_NR - 1)) * sizeof(float));
}

size_t rt_conv_f32_im2col_packed_scratch_bytes(const rt_conv_params *p) { return 64 + unfold_bytes(p); }

size_t rt_conv_f32_pointwise_packed_scratch_bytes(const rt_conv_params *p) { return 64 + unfold_bytes(p); }

size_t rt_conv_f32_im2col_scratch_bytes(const rt_conv_params *p) {
  const int64_t mg = RT_IDIV(p->out_ch, p->group), kdim = RT_IDIV(p->in_ch, p->group) * prod(p->kernel, p->nd);
  return rt_conv_f32_im2col_packed_scratch_bytes(p) +
         round64((size_t)(conv_block_rows_bound(mg, kdim) * kdim) * sizeof(float));
}

size_t rt_conv_f32_pointwise_scratch_bytes(const rt_conv_params *p) {
  return rt_sgemm_scratch_bytes(RT_IDIV(p->out_ch, p->group), prod(p->out_dims, p->nd), RT_IDIV(p->in_ch, p->group));
}

/* One image and group, one block of output channels [ic, ic + mc) whose
 * weights `ap` are in the quad layout (ap starts at row ic), rows
 * [r0, r1) of the block (multiples of MR from its start) and output
 * positions [c0, c1) (c0 a multiple of NR), blocked as described at
 * CONV_KC: for each block of positions and slice of channels, unfold
 * (a copy when `pointwise`) into bp, then run the micro-kernel down the
 * rows for each panel. The bias rides in as the first slice's initial
 * value; the epilogue e (if any) finishes each tile after its last slice,
 * except for a small output plane (whose short last panel would leave
 * most of a tile's rows too short to vectorize): conv_block_epilogue does
 * those rows whole. A task of a split call runs one such rectangle, each
 * tile as a single call would (blocks of positions start at multiples of
 * CONV_NC from c0, itself a multiple of NR, and the K slices do not
 * depend on the split), so the results do not depend on the split. */
static CONV_INLINE void conv_gemm_block(const rt_conv_params *p, const float *xg, const float *ap, int64_t ic,
                                        int64_t r0, int64_t r1, int64_t c0, int64_t c1, const float *bias,
                                        float *yg, float *bp, const int64_t *ranges, int pointwise,
                                        const float *scale, const rt_epi *e) {
  const int64_t cg = RT_IDIV(p->in_ch, p->group), ksize = prod(p->kernel, p->nd), kdim = cg * ksize;
  const int64_t out_sp = prod(p->out_dims, p->nd), in_sp = prod(p->in_dims, p->nd);
  const int64_t cs = slice_channels(cg, ksize);
  const int small = out_sp <= EPI_SMALL_PLANE;
  int64_t jc, cc, jr, ir;
  for (jc = c0; jc < c1; jc += CONV_NC) {
    const int64_t ncb = min64(CONV_NC, c1 - jc);
    for (cc = 0; cc < cg; cc += cs) {
      const int64_t pc = cc * ksize, kc = min64(cs, cg - cc) * ksize;
      const float *xs = xg + cc * in_sp;
      const float *sc = scale ? scale + cc : NULL;
      if (pointwise) copy_panels(xs, kc, out_sp, jc, ncb, sc, bp);
      else im2col_packed(p, xs, RT_IDIV(kc, ksize), jc, ncb, ranges, sc, bp);
      for (jr = 0; jr < ncb; jr += NR) {
        const int64_t nc = min64(NR, ncb - jr), j0 = jc + jr;
        const float *b = bp + jr * kc; /* panel jr / NR of kc x NR */
        for (ir = r0; ir < r1; ir += MR) {
          const int64_t r = ic + ir;
          float *c = yg + r * out_sp + j0;
          rt_sgemm_ukernel(kc, ap + ir * kdim + pc * 4, 4 * kdim, b, NR, c, out_sp, pc ? 1.0f : 0.0f,
                           min64(MR, r1 - ir), nc, pc == 0 && bias ? bias + r : NULL);
          if (e && !small && pc + kc == kdim) rt_epi_tile(e, c, out_sp, min64(MR, r1 - ir), nc);
        }
      }
    }
  }
}

/* The small-plane epilogue of rows [r0, r1) of a block (conv_gemm_block). */
static void conv_block_epilogue(const rt_conv_params *p, int64_t ic, int64_t r0, int64_t r1, float *yg,
                                const rt_epi *e) {
  const int64_t out_sp = prod(p->out_dims, p->nd);
  if (e && out_sp <= EPI_SMALL_PLANE) rt_epi_tile(e, yg + (ic + r0) * out_sp, out_sp, r1 - r0, out_sp);
}

/* One block of a conv_gemm call, cut into `tasks` rectangles: along the
 * output positions when there are panels enough for every task, else
 * along the rows (each task then unfolds every panel itself, which costs
 * little next to the rows' products on the small planes where that
 * happens). Task i unfolds into its own panel, bp + i * bp_floats. */
typedef struct conv_job {
  const rt_conv_params *p;
  const float *xg, *ap, *bias, *scale; /* scale: this image and group's channel factors, or NULL */
  float *yg, *bp;
  const int64_t *ranges;
  const rt_epi *e;
  int64_t ic, mc, bp_floats, tasks;
  int by_rows;
} conv_job;

static CONV_INLINE void conv_task(const conv_job *j, int64_t i, int pointwise) {
  const int64_t out_sp = prod(j->p->out_dims, j->p->nd);
  int64_t r0 = 0, r1 = j->mc, c0 = 0, c1 = out_sp;
  if (j->by_rows) rt_parallel_share(j->mc, MR, i, j->tasks, &r0, &r1);
  else rt_parallel_share(out_sp, NR, i, j->tasks, &c0, &c1);
  conv_gemm_block(j->p, j->xg, j->ap, j->ic, r0, r1, c0, c1, j->bias, j->yg, j->bp + i * j->bp_floats, j->ranges,
                  pointwise, j->scale, j->e);
  if (j->by_rows) conv_block_epilogue(j->p, j->ic, r0, r1, j->yg, j->e);
}

static void conv_task_im2col(void *arg, int64_t i) { conv_task((const conv_job *)arg, i, 0); }
static void conv_task_pointwise(void *arg, int64_t i) { conv_task((const conv_job *)arg, i, 1); }

/* Below this many multiply-adds a block runs as one task: handing it to
 * other threads would cost more than it saves. */
#define CONV_SPLIT_MIN ((int64_t)1 << 18)

/* How many tasks block j gets (at most `tasks`), and along which axis. */
static void conv_split(conv_job *j, int64_t tasks, int64_t kdim) {
  const int64_t out_sp = prod(j->p->out_dims, j->p->nd);
  const int64_t panels = (out_sp + NR - 1) / NR, row_tiles = (j->mc + MR - 1) / MR;
  j->by_rows = panels < 4 * tasks && row_tiles > panels;
  if (j->mc * out_sp * kdim < CONV_SPLIT_MIN) tasks = 1;
  j->tasks = min64(tasks, j->by_rows ? row_tiles : panels);
}

/* ---- a 1x1 plane: a matrix-vector product ----
 *
 * A conv whose output is one position (a squeeze-excitation block's FCs,
 * after the global pool) is y = W x + b. Through the micro-kernel its one
 * column fills a panel of NR, NR - 1 of them zeros: 16 to 32 times the
 * products (efficientnet_b0's 32 such convs took 4 % of its run). Here
 * each quad of 4 output channels (W prepacked in quads, conv.h: W[r][k]
 * at quad[k * 4 + r]) is read once, as one contiguous run against x with
 * each value repeated 4 times, into GEMV_LANES partial sums, lane l
 * holding row l % 4. Each row's lanes are then added in a fixed tree, so the value
 * does not depend on how the quads are split across tasks (memory-bound,
 * they split by the weights' bytes). x[k] times the channel's input scale,
 * rounded, is what the panel copies would have multiplied. */
#define GEMV_LANES 64

typedef struct gemv_conv_job {
  const float *ap, *x, *bias, *scale;
  float *y;
  int64_t kdim, mg;
} gemv_conv_job;

/* The sum of the n (a power of 2, at most GEMV_LANES / 4) values at
 * s[0], s[4], s[8], ..., pairwise: neighbours first, then neighbouring
 * pairs, and so on. A loop, not the recursion it once was: onnxcc info
 * --target reports a recursive call graph as a stack with no bound. */
static float lanes_sum(const float *s, int n) {
  float t[GEMV_LANES / 4];
  int i, m;
  for (i = 0; i < n; i++) t[i] = s[4 * i];
  for (m = n; m > 1; m /= 2)
    for (i = 0; i < m / 2; i++) t[i] = t[2 * i] + t[2 * i + 1];
  return t[0];
}

/* Rows q * 4 .. q * 4 + 3 of y for the quads [lo, hi): acc lane l of a
 * quad sums w[t] * x[t / 4] (times the scale) over the t < 4 * kdim with
 * t % GEMV_LANES = l, in t order (lane l holds row l % 4).
 *
 * On AVX-512 in intrinsics: 16 weights are 4 values of K for the 4 rows,
 * against x[k .. k + 3] each repeated 4 times by one permute (written in
 * plain C, gcc kept the 64 sums in memory, a store and a load around
 * every multiply-add). */
static void gemv_conv_quads(void *arg, int64_t lo, int64_t hi) {
  const gemv_conv_job *j = (const gemv_conv_job *)arg;
  const int64_t n = 4 * j->kdim;
  int64_t q, t;
  int i;
  for (q = lo; q < hi; q++) {
    const float *restrict w = j->ap + q * n;
    float acc[GEMV_LANES];
#if RT_SGEMM_AVX512
    const __m512i rep = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), four = _mm512_set1_epi32(4);
    const __m512i rep1 = _mm512_add_epi32(rep, four), rep2 = _mm512_add_epi32(rep1, four);
    const __m512i rep3 = _mm512_add_epi32(rep2, four);
    __m512 a[GEMV_LANES / 16], a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int v;
    /* Whole steps of GEMV_LANES weights (16 values of K) with each vector
     * of lanes in a register of its own: through a[v], indexed at run
     * time, gcc kept the sums in memory, a store-to-load chain per step
     * (576 -> 144 took 14.6 us a call, 4.5 as a Gemm's gemv_packed;
     * onnxcc run on a one-Conv model). Same lanes, same order. */
    for (t = 0; t + GEMV_LANES <= n; t += GEMV_LANES) {
      __m512 x16 = _mm512_loadu_ps(j->x + t / 4);
      if (j->scale) x16 = _mm512_mul_ps(x16, _mm512_loadu_ps(j->scale + t / 4));
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + t), _mm512_permutexvar_ps(rep, x16), a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + t + 16), _mm512_permutexvar_ps(rep1, x16), a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + t + 32), _mm512_permutexvar_ps(rep2, x16), a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + t + 48), _mm512_permutexvar_ps(rep3, x16), a3);
    }
    a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3;
    for (; t < n; t += 16) {
      /* t / 4 = k; the last step may hold fewer than 4 values of K */
      const int64_t k = t / 4, nk = j->kdim - k < 4 ? j->kdim - k : 4;
      const __mmask16 m = nk == 4 ? (__mmask16)0xffff : (__mmask16)((1u << (4 * nk)) - 1u);
      const __mmask8 m4 = (__mmask8)((1u << nk) - 1u);
      __m128 x4 = _mm_maskz_loadu_ps(m4, j->x + k);
      if (j->scale) x4 = _mm_mul_ps(x4, _mm_maskz_loadu_ps(m4, j->scale + k));
      v = (int)((t % GEMV_LANES) / 16);
      a[v] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + t), _mm512_permutexvar_ps(rep, _mm512_castps128_ps512(x4)),
                             a[v]);
    }
    for (v = 0; v < GEMV_LANES / 16; v++) _mm512_storeu_ps(acc + 16 * v, a[v]);
#else
    for (t = 0; t < GEMV_LANES; t++) acc[t] = 0.0f;
    for (t = 0; t < n; t++) {
      const float xk = j->scale ? j->x[t / 4] * j->scale[t / 4] : j->x[t / 4];
      acc[t % GEMV_LANES] = MADD(w[t], xk, acc[t % GEMV_LANES]);
    }
#endif
    for (i = 0; i < 4 && q * 4 + i < j->mg; i++)
      j->y[q * 4 + i] = (j->bias ? j->bias[q * 4 + i] : 0.0f) + lanes_sum(acc + i, GEMV_LANES / 4);
  }
}

/* The im2col/pointwise variants: W prepacked (`packed`: in[1] is in the
 * quad layout, scratch holds the unfolded panels, one per task) or packed
 * here, one block of output channels at a time, into scratch after the
 * panels. */
static CONV_INLINE void conv_gemm(const void *params, const void *const *in, void *const *out, void *scratch,
                                  int packed, int pointwise) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const rt_parallel *par = RT_PARALLEL_OF(in);
  const float *x = (const float *)in[0], *w = (const float *)in[1];
  const float *bias = p->has_bias ? (const float *)in[2] : NULL;
  const float *scale = p->has_in_scale ? (const float *)in[4] : NULL;
  float *y = (float *)out[0];
  rt_epi ev;
  const rt_epi *e = RT_EPI_FROM(&ev, p, in, 3, y);
  const int64_t nd = p->nd, cg = RT_IDIV(p->in_ch, p->group), mg = RT_IDIV(p->out_ch, p->group);
  const int64_t in_sp = prod(p->in_dims, nd), out_sp = prod(p->out_dims, nd);
  /* prepacked weights are one block (a slice of them, rows x kc, is what
   * must stay in L2); else blocks of rows are packed into scratch, after
   * each task's unfolded block */
  const int64_t kdim = cg * prod(p->kernel, nd), mcb = packed ? mg : conv_block_rows(mg, kdim);
  const int64_t tasks = rt_parallel_tasks(par), unfold_floats = (int64_t)(unfold_bytes(p) / sizeof(float));
  const int64_t stride_floats = (int64_t)(rt_task_stride(par, RT_TASK_STRIDE(unfold_bytes(p))) / sizeof(float));
  float *bp = align64(scratch);
  float *ap_scratch = bp + (tasks - 1) * stride_floats + unfold_floats;
  int64_t n, g, ic, ranges[2 * RANGES];
  conv_job j;
  if (!pointwise) tap_ranges(p, ranges);
  j.p = p;
  j.ranges = ranges;
  j.e = e;
  j.bp = bp;
  j.bp_floats = stride_floats;
  for (n = 0; n < p->batch; n++)
    for (g = 0; g < p->group; g++) {
      const float *wg = w + g * (packed ? round_up4(mg) : mg) * kdim;
      j.xg = x + (n * p->in_ch + g * cg) * in_sp;
      j.yg = y + (n * p->out_ch + g * mg) * out_sp;
      j.bias = bias ? bias + g * mg : NULL;
      j.scale = scale ? scale + (p->has_in_scale == 2 ? n * p->in_ch : 0) + g * cg : NULL;
      if (pointwise && packed && out_sp == 1) {
        gemv_conv_job v;
        v.ap = wg;
        v.x = j.xg;
        v.bias = j.bias;
        v.scale = j.scale;
        v.y = j.yg;
        v.kdim = kdim;
        v.mg = mg;
        /* a quad's weights counted four times: a piece of a quarter of
         * RT_SPLIT_MIN_BYTES of weights, which come from L2 or L3 here,
         * pays its hand-off. With the bytes as they are the
         * squeeze-excitation FCs of mobilenet_v3_small (23-83 KB of
         * weights) ran whole; now at two threads features.9's fc2 takes
         * 2.0 us, not 3.1, features.5's fc1 1.3, not 2.2 (one thread
         * 3.2 and 2.2; onnxcc run --profile). */
        rt_parallel_ranges(par, (mg + 3) / 4, 4, 16 * kdim * (int64_t)sizeof(float), gemv_conv_quads, &v);
        if (e) rt_epi_tile(e, j.yg, mg, 1, mg);
        continue;
      }
      for (ic = 0; ic < mg; ic += mcb) {
        j.ic = ic;
        j.mc = min64(mcb, mg - ic);
        j.ap = wg + ic * kdim;
        if (!packed) {
          pack_quads(wg, mg, kdim, ic, j.mc, ap_scratch);
          j.ap = ap_scratch;
        }
        conv_split(&j, tasks, kdim);
        rt_parallel_run(par, j.tasks, pointwise ? conv_task_pointwise : conv_task_im2col, &j);
        if (!j.by_rows) conv_block_epilogue(p, ic, 0, j.mc, j.yg, e);
      }
    }
}

/* What each task past the first adds: its unfolded block (the _packed
 * and pointwise_packed variants' whole one-task scratch past the
 * alignment, and a part of rt_conv_f32_im2col's), a stride apart
 * (parallel.h). */
size_t rt_conv_f32_im2col_task_bytes(const rt_conv_params *p) { return RT_TASK_STRIDE(unfold_bytes(p)); }

RT_KERNEL(rt_conv_f32_im2col) { conv_gemm(params, in, out, scratch, 0, 0); }
RT_KERNEL(rt_conv_f32_im2col_packed) { conv_gemm(params, in, out, scratch, 1, 0); }
RT_KERNEL(rt_conv_f32_pointwise_packed) { conv_gemm(params, in, out, scratch, 1, 1); }

/* W as ONNX lays it out and X already the right-hand matrix: rt_sgemm
 * packs both itself. */
RT_KERNEL(rt_conv_f32_pointwise) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const float *x = (const float *)in[0], *w = (const float *)in[1];
  const float *bias = p->has_bias ? (const float *)in[2] : NULL;
  float *y = (float *)out[0];
  rt_epi ev;
  const rt_epi *e = RT_EPI_FROM(&ev, p, in, 3, y);
  const int64_t cg = RT_IDIV(p->in_ch, p->group), mg = RT_IDIV(p->out_ch, p->group), sp = prod(p->out_dims, p->nd);
  int64_t n, g;
  for (n = 0; n < p->batch; n++)
    for (g = 0; g < p->group; g++) {
      const float *xg = x + (n * p->in_ch + g * cg) * sp, *wg = w + g * mg * cg;
      float *yg = y + (n * p->out_ch + g * mg) * sp;
      if (bias) fill_bias(yg, mg, sp, bias + g * mg);
      rt_sgemm_epi_par(mg, sp, cg, 1.0f, wg, cg, 0, xg, sp, 0, bias ? 1.0f : 0.0f, yg, sp, scratch, e,
                       RT_PARALLEL_OF(in));
    }
}

/* ---- ConvTranspose ---- */

/* y[m] at the output position that kernel tap k writes for input position
 * col0 + j += col[(m * ksize + k) * ncols + j], for the `channels` output
 * channels of one group. */
static void col2im(const rt_conv_params *p, const float *col, int64_t channels, int64_t col0, int64_t ncols,
                   float *y) {
  const int64_t nd = p->nd, last = nd - 1;
  const int64_t out_sp = prod(p->out_dims, nd), ksize = prod(p->kernel, nd);
  const int64_t in_last = p->in_dims[last], out_last = p->out_dims[last];
  const int64_t s = p->strides[last];
  int64_t m, kt, start[RT_CONV_MAX_DIMS], kidx[RT_CONV_MAX_DIMS];
  unravel(col0, p->in_dims, nd, start);
  for (m = 0; m < channels; m++) {
    float *ym = y + m * out_sp;
    memset(kidx, 0, sizeof kidx);
    for (kt = 0; kt < ksize; kt++, odometer(kidx, p->kernel, nd)) {
      const float *src = col + (m * ksize + kt) * ncols;
      const int64_t base = kidx[last] * p->dilations[last] - p->pads[last];
      int64_t pos[RT_CONV_MAX_DIMS], j = 0, full_lo, full_hi;
      valid_range(0, in_last, s, base, out_last, &full_lo, &full_hi);
      memcpy(pos, start, sizeof pos);
      while (j < ncols) {
        const int64_t t0 = pos[last], seg = min64(in_last - t0, ncols - j);
        const int64_t row = outer_offset(p, pos, kidx, p->out_dims);
        if (row >= 0) {
          float *yr = ym + row * out_last;
          const float *sr = src + j; /* sr[t - t0] is input position t of this run */
          const int64_t lo = max64(t0, full_lo), hi = max64(lo, min64(t0 + seg, full_hi));
          int64_t t;
          if (hi > lo && s == 1) {
            float *ys = yr + (lo + base);
            const float *ss = sr + (lo - t0);
            for (t = 0; t < hi - lo; t++) ys[t] += ss[t];
          } else {
            for (t = lo; t < hi; t++) yr[t * s + base] += sr[t - t0];
          }
        }
        j += seg;
        pos[last] = 0;
        if (t0 + seg < in_last) pos[last] = t0 + seg;
        else odometer(pos, p->in_dims, last);
      }
    }
  }
}

/* ---- ConvTranspose's weights in the quad layout (conv.h) ---- */

int64_t rt_conv_transpose_f32_packed_floats(const rt_conv_params *p) {
  const int64_t cg = RT_IDIV(p->in_ch, p->group), rows = RT_IDIV(p->out_ch, p->group) * prod(p->kernel, p->nd);
  return p->group * round_up4(rows) * cg;
}

void rt_conv_transpose_f32_pack_weights(const rt_conv_params *p, const float *w, float *packed) {
  const int64_t cg = RT_IDIV(p->in_ch, p->group), rows = RT_IDIV(p->out_ch, p->group) * prod(p->kernel, p->nd);
  const int64_t rows4 = round_up4(rows);
  int64_t g, r, k;
  /* Group g's W is [cg, rows]; its transpose's row r, k is W[k][r]. A
   * short last quad repeats the last row, as pack_quads does. */
  for (g = 0; g < p->group; g++) {
    const float *wg = w + g * cg * rows;
    float *dst = packed + g * rows4 * cg;
    for (r = 0; r < rows4; r++)
      for (k = 0; k < cg; k++) dst[(r - r % 4) * cg + k * 4 + r % 4] = wg[k * rows + min64(r, rows - 1)];
  }
}

/* Rows of W^T per block for the packed product: about 256 KiB of weights,
 * so the block stays in L2 while it is swept across each copied panel of
 * X; a whole number of MR-row tiles. */
static int64_t convt_block_rows(int64_t rows, int64_t cg) {
  int64_t r = RT_IDIV((int64_t)1 << 16, cg);
  r = r < MR ? MR : r - r % MR;
  return min64(rows, r);
}

/* col [rows, nc] = W_g^T X_g[:, c0 .. c0 + nc), W_g^T in quads at `a`:
 * for each block of rows, each NR-wide panel of the columns is copied
 * from X (cg x NR, the micro-kernel's B layout) and the block's tiles run
 * over it, K in slices of at most KC. */
static void convt_product_packed(const float *a, int64_t rows, int64_t cg, const float *xg, int64_t in_sp,
                                 int64_t c0, int64_t nc, float *col, float *bp) {
  const int64_t slices = (cg + KC - 1) / KC, kcb = RT_IDIV(cg + slices - 1, slices);
  const int64_t rb = convt_block_rows(rows, cg);
  int64_t i0, j0, pc, ir;
  for (i0 = 0; i0 < rows; i0 += rb) {
    const int64_t i1 = min64(rows, i0 + rb);
    for (j0 = 0; j0 < nc; j0 += NR) {
      const int64_t w = min64(NR, nc - j0);
      copy_panels(xg, cg, in_sp, c0 + j0, w, NULL, bp);
      for (pc = 0; pc < cg; pc += kcb) {
        const int64_t kc = min64(kcb, cg - pc);
        for (ir = i0; ir < i1; ir += MR)
          rt_sgemm_ukernel(kc, a + ir * cg + pc * 4, 4 * cg, bp + pc * NR, NR, col + ir * nc + j0, nc,
                           pc ? 1.0f : 0.0f, min64(MR, i1 - ir), w, NULL);
      }
    }
  }
}

size_t rt_conv_transpose_f32_packed_scratch_bytes(const rt_conv_params *p) {
  const int64_t cg = RT_IDIV(p->in_ch, p->group), rows = RT_IDIV(p->out_ch, p->group) * prod(p->kernel, p->nd);
  const int64_t cb = col_block_t(rows, prod(p->in_dims, p->nd));
  return 64 + round64((size_t)(rows * cb) * sizeof(float)) + panel_bytes(cg);
}

size_t rt_conv_transpose_f32_scratch_bytes(const rt_conv_params *p) {
  const int64_t cg = RT_IDIV(p->in_ch, p->group), mg = RT_IDIV(p->out_ch, p->group);
  const int64_t in_sp = prod(p->in_dims, p->nd), rows = mg * prod(p->kernel, p->nd);
  const int64_t cb = col_block_t(rows, in_sp);
  return 64 + round64((size_t)(rows * cb) * sizeof(float)) + rt_sgemm_scratch_bytes(rows, cb, cg);
}

/* Both ConvTranspose variants: `packed` says whether in[1] is W^T in the
 * quad layout (then scratch holds the column block and one X panel) or W
 * as ONNX lays it out (the column block and rt_sgemm's panels). */
static CONV_INLINE void conv_transpose(const void *params, const void *const *in, void *const *out, void *scratch,
                                       int packed) {
  const rt_conv_params *p = (const rt_conv_params *)params;
  const float *x = (const float *)in[0], *w = (const float *)in[1];
  const float *bias = p->has_bias ? (const float *)in[2] : NULL;
  float *y = (float *)out[0];
  const int64_t nd = p->nd, cg = RT_IDIV(p->in_ch, p->group), mg = RT_IDIV(p->out_ch, p->group);
  const int64_t in_sp = prod(p->in_dims, nd), out_sp = prod(p->out_dims, nd);
  const int64_t rows = mg * prod(p->kernel, nd);
  const int64_t cb = col_block_t(rows, in_sp);
  float *col = align64(scratch);
  void *gemm_scratch = (char *)col + round64((size_t)(rows * cb) * sizeof(float));
  int64_t n, g, c0;
  for (n = 0; n < p->batch; n++) {
    fill_bias(y + n * p->out_ch * out_sp, p->out_ch, out_sp, bias);
    for (g = 0; g < p->group; g++) {
      const float *xg = x + (n * p->in_ch + g * cg) * in_sp, *wg = w + g * cg * (packed ? round_up4(rows) : rows);
      float *yg = y + (n * p->out_ch + g * mg) * out_sp;
      for (c0 = 0; c0 < in_sp; c0 += cb) {
        const int64_t nc = min64(cb, in_sp - c0);
        /* col [rows, nc] = W_g^T [rows, cg] * X_g [cg, nc] */
        if (packed) convt_product_packed(wg, rows, cg, xg, in_sp, c0, nc, col, (float *)gemm_scratch);
        else rt_sgemm(rows, nc, cg, 1.0f, wg, rows, 1, xg + c0, in_sp, 0, 0.0f, col, nc, gemm_scratch);
        col2im(p, col, mg, c0, nc, yg);
      }
    }
  }
}

RT_KERNEL(rt_conv_transpose_f32) { conv_transpose(params, in, out, scratch, 0); }
RT_KERNEL(rt_conv_transpose_f32_packed) { conv_transpose(params, in, out, scratch, 1); }
