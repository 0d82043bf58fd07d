/* Quantization kernels (quant.h).
 *
 * Every variant computes in float (16-bit floats widened) and rounds with
 * nearbyintf, which in the default rounding mode is half to even: the
 * rounding ONNX Runtime's quantizers use. Sums of integer products are
 * int32, wrapping as ONNX Runtime's do (through uint32, so no signed
 * overflow). */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/quant.h"
#include "half_internal.h"
#include "index_internal.h"
#include "quant_internal.h"

#define PLAIN(v) ((float)(v))
#define STORE_F32(v) (v)

/* ---- QuantizeLinear, DequantizeLinear ---- */

/* The offset of the scale of x[o, i, 0] (quant.h: how scales are laid out). */
static int64_t qlinear_base(const rt_qlinear_params *p, int64_t o, int64_t i) {
  return o * p->s_outer + RT_IDIV(i, p->block) * p->s_axis;
}

/* The walk both ops share: for each element e, with k the index of its
 * scale and zero point, the statements given (variadic: they may hold
 * commas). */
#define QLINEAR_WALK(...)                                                           \
  do {                                                                              \
    int64_t o, i, j;                                                                \
    for (o = 0; o < p->outer; o++)                                                  \
      for (i = 0; i < p->n; i++) {                                                  \
        const int64_t sb = qlinear_base(p, o, i), line = (o * p->n + i) * p->inner; \
        for (j = 0; j < p->inner; j++) {                                            \
          const int64_t e = line + j, k = sb + j * p->s_inner;                      \
          __VA_ARGS__                                                               \
        }                                                                           \
      }                                                                             \
  } while (0)

#define QUANTIZE(x, XT, XLOAD, ST, SLOAD, y, YT, LO, HI)                           \
  RT_KERNEL(rt_quantize_##x##_##y) {                                                \
    const rt_qlinear_params *p = (const rt_qlinear_params *)params;                 \
    const XT *xs = (const XT *)in[0];                                               \
    const ST *sc = (const ST *)in[1];                                               \
    const YT *zp = (const YT *)in[2];                                               \
    YT *ys = (YT *)out[0];                                                          \
    (void)scratch;                                                                  \
    QLINEAR_WALK(const float v = XLOAD(xs[e]) / SLOAD(sc[k]);                       \
                 ys[e] = (YT)quant_round(v, zp ? (int32_t)zp[k] : 0, LO, HI););     \
  }

/* To float8: x / scale cast with the op's saturate; the zero point's
 * values are not read (quant.h). */
#define QUANTIZE_F8(x, XT, XLOAD, ST, SLOAD, y, FMT)                               \
  RT_KERNEL(rt_quantize_##x##_##y) {                                                \
    const rt_qlinear_params *p = (const rt_qlinear_params *)params;                 \
    const XT *xs = (const XT *)in[0];                                               \
    const ST *sc = (const ST *)in[1];                                               \
    uint8_t *ys = (uint8_t *)out[0];                                                \
    const int saturate = (int)p->saturate;                                          \
    (void)scratch;                                                                  \
    QLINEAR_WALK(ys[e] = float_to_f8(XLOAD(xs[e]) / SLOAD(sc[k]), FMT, saturate););  \
  }

/* To float4e2m1: x / scale plus the zero point's value, cast (always
 * saturating: the type has nothing else), as ONNX's reference does. */
#define QUANTIZE_F4(x, XT, XLOAD, ST, SLOAD)                                        \
  RT_KERNEL(rt_quantize_##x##_f4e2m1) {                                             \
    const rt_qlinear_params *p = (const rt_qlinear_params *)params;                 \
    const XT *xs = (const XT *)in[0];                                               \
    const ST *sc = (const ST *)in[1];                                               \
    const uint8_t *zp = (const uint8_t *)in[2];                                     \
    uint8_t *ys = (uint8_t *)out[0];                                                \
    (void)scratch;                                                                  \
    QLINEAR_WALK(const float v = XLOAD(xs[e]) / SLOAD(sc[k]);                       \
                 ys[e] = float_to_f8(zp ? v + f8_to_float(zp[k], F4_E2M1) : v, F4_E2M1, 1););  \
  }

#define QUANTIZE_ALL(x, XT, XLOAD, ST, SLOAD)                                  \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, i8, int8_t, -128.0f, 127.0f)               \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, u8, uint8_t, 0.0f, 255.0f)                 \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, i16, int16_t, -32768.0f, 32767.0f)         \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, u16, uint16_t, 0.0f, 65535.0f)             \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, i4, int8_t, -8.0f, 7.0f)                   \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, u4, uint8_t, 0.0f, 15.0f)                  \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, i2, int8_t, -2.0f, 1.0f)                   \
  QUANTIZE(x, XT, XLOAD, ST, SLOAD, u2, uint8_t, 0.0f, 3.0f)                   \
  QUANTIZE_F4(x, XT, XLOAD, ST, SLOAD)                                         \
  QUANTIZE_F8(x, XT, XLOAD, ST, SLOAD, f8e4m3fn, F8_E4M3FN)                    \
  QUANTIZE_F8(x, XT, XLOAD, ST, SLOAD, f8e4m3fnuz, F8_E4M3FNUZ)                \
  QUANTIZE_F8(x, XT, XLOAD, ST, SLOAD, f8e5m2, F8_E5M2)                        \
  QUANTIZE_F8(x, XT, XLOAD, ST, SLOAD, f8e5m2fnuz, F8_E5M2FNUZ)

QUANTIZE_ALL(f32, float, PLAIN, float, PLAIN)
QUANTIZE_ALL(f16, uint16_t, half_to_float, uint16_t, half_to_float)
QUANTIZE_ALL(bf16, uint16_t, bf16_to_float, uint16_t, bf16_to_float)
QUANTIZE_ALL(i32, int32_t, PLAIN, float, PLAIN)

/* DIFF(a, b, FMT): x minus its zero point, exactly. Integers in int64 (an
 * int32 x minus its zero point may leave int32's range), float8 and
 * float4 decoded to float (FMT, its format; unused for integers). */
#define DIFF_INT(a, b, FMT) (float)((int64_t)(a) - (int64_t)(b))
#define DIFF_F8(a, b, FMT) (f8_to_float(a, FMT) - f8_to_float(b, FMT))

#define DEQUANTIZE(x, XT, DIFF, FMT, y, YT, LOAD, STORE)                           \
  RT_KERNEL(rt_dequantize_##x##_##y) {                                              \
    const rt_qlinear_params *p = (const rt_qlinear_params *)params;                 \
    const XT *xs = (const XT *)in[0];                                               \
    const YT *sc = (const YT *)in[1];                                               \
    const XT *zp = (const XT *)in[2];                                               \
    YT *ys = (YT *)out[0];                                                          \
    (void)scratch;                                                                  \
    QLINEAR_WALK(ys[e] = STORE(DIFF(xs[e], zp ? zp[k] : 0, FMT) * LOAD(sc[k])););   \
  }

#define DEQUANTIZE_ALL(x, XT, DIFF, FMT)                                    \
  DEQUANTIZE(x, XT, DIFF, FMT, f32, float, PLAIN, STORE_F32)                \
  DEQUANTIZE(x, XT, DIFF, FMT, f16, uint16_t, half_to_float, float_to_half) \
  DEQUANTIZE(x, XT, DIFF, FMT, bf16, uint16_t, bf16_to_float, float_to_bf16)

DEQUANTIZE_ALL(i8, int8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(u8, uint8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(i16, int16_t, DIFF_INT, ~)
DEQUANTIZE_ALL(u16, uint16_t, DIFF_INT, ~)
DEQUANTIZE_ALL(i32, int32_t, DIFF_INT, ~)
DEQUANTIZE_ALL(i4, int8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(u4, uint8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(i2, int8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(u2, uint8_t, DIFF_INT, ~)
DEQUANTIZE_ALL(f4e2m1, uint8_t, DIFF_F8, F4_E2M1)
DEQUANTIZE_ALL(f8e4m3fn, uint8_t, DIFF_F8, F8_E4M3FN)
DEQUANTIZE_ALL(f8e4m3fnuz, uint8_t, DIFF_F8, F8_E4M3FNUZ)
DEQUANTIZE_ALL(f8e5m2, uint8_t, DIFF_F8, F8_E5M2)
DEQUANTIZE_ALL(f8e5m2fnuz, uint8_t, DIFF_F8, F8_E5M2FNUZ)

/* ---- DynamicQuantizeLinear ---- */

RT_KERNEL(rt_dynquant_f32_u8) {
  const rt_dynquant_params *p = (const rt_dynquant_params *)params;
  const float *x = (const float *)in[0];
  uint8_t *y = (uint8_t *)out[0];
  float scale;
  int32_t zp;
  int64_t i;
  (void)scratch;
  dynquant_range(x, p->count, &scale, &zp);
  for (i = 0; i < p->count; i++) y[i] = (uint8_t)quant_round(x[i] / scale, zp, 0.0f, 255.0f);
  if (out[1]) *(float *)out[1] = scale;
  if (out[2]) *(uint8_t *)out[2] = (uint8_t)zp;
}

/* ---- MatMulInteger, QLinearMatMul ---- */

/* Where the t-th matrix product of the broadcast batch reads A and B. */
static void batch_offsets(const rt_qmatmul_params *p, int64_t t, int64_t *ao, int64_t *bo) {
  int d;
  *ao = *bo = 0;
  for (d = p->batch_rank - 1; d >= 0; d--) {
    const int64_t idx = RT_IMOD(t, p->batch_dims[d]);
    t = RT_IDIV(t, p->batch_dims[d]);
    *ao += idx * p->a_strides[d];
    *bo += idx * p->b_strides[d];
  }
}

static int64_t batch_count(const rt_qmatmul_params *p) {
  int64_t count = 1;
  int d;
  for (d = 0; d < p->batch_rank; d++) count *= p->batch_dims[d];
  return count;
}

/* acc[0..N) = row m of (A - azp) * (B - bzp), for one matrix pair; bzp
 * has one value per column when b_zp_cols is set. */
#define INT_ROW(a, AT, b, BT)                                                                    \
  static void int_row_##a##_##b(const rt_qmatmul_params *p, const AT *arow, const BT *bm,        \
                                int32_t azp, const BT *bzp, int32_t *acc) {                      \
    int64_t k, j;                                                                                \
    for (j = 0; j < p->N; j++) acc[j] = 0;                                                       \
    for (k = 0; k < p->K; k++) {                                                                 \
      const int32_t av = (int32_t)arow[k] - azp;                                                 \
      const BT *brow = bm + k * p->N;                                                            \
      if (av == 0) continue;                                                                     \
      for (j = 0; j < p->N; j++) {                                                               \
        const int32_t bv = (int32_t)brow[j] - (bzp ? (int32_t)bzp[p->b_zp_cols ? j : 0] : 0);       \
        acc[j] = wrap_add(acc[j], av * bv);                                                      \
      }                                                                                          \
    }                                                                                            \
  }                                                                                              \
  RT_KERNEL(rt_matmul_int_##a##_##b) {                                                           \
    const rt_qmatmul_params *p = (const rt_qmatmul_params *)params;                              \
    const AT *A = (const AT *)in[0], *azp = (const AT *)in[2];                                   \
    const BT *B = (const BT *)in[1], *bzp = (const BT *)in[3];                                   \
    int32_t *Y = (int32_t *)out[0];                                                              \
    int64_t t, m, ao, bo, count = batch_count(p);                                                \
    (void)scratch;                                                                               \
    for (t = 0; t < count; t++) {                                                                \
      batch_offsets(p, t, &ao, &bo);                                                             \
      for (m = 0; m < p->M; m++) {                                                               \
        const int32_t z = azp ? (int32_t)azp[p->a_zp_rows ? m : 0] : 0;                             \
        int_row_##a##_##b(p, A + ao + m * p->K, B + bo, z, bzp, Y + (t * p->M + m) * p->N);      \
      }                                                                                          \
    }                                                                                            \
  }                                                                                              \
  QLINEAR_MATMUL(a, AT, b, BT, f32, float, PLAIN)                                                \
  QLINEAR_MATMUL(a, AT, b, BT, f16, uint16_t, half_to_float)                                     \
  QLINEAR_MATMUL(a, AT, b, BT, bf16, uint16_t, bf16_to_float)

/* Scratch: N int32 (one row of sums). y has A's type; LO and HI its range
 * come from qrange_##a. */
#define QLINEAR_MATMUL(a, AT, b, BT, s, ST, SLOAD)                                                 \
  RT_KERNEL(rt_qlinear_matmul_##a##_##b##_##s) {                                                   \
    const rt_qmatmul_params *p = (const rt_qmatmul_params *)params;                                \
    const AT *A = (const AT *)in[0], *azp = (const AT *)in[2], *yzp = (const AT *)in[7];           \
    const BT *B = (const BT *)in[3], *bzp = (const BT *)in[5];                                     \
    const ST *as = (const ST *)in[1], *bs = (const ST *)in[4], *ys = (const ST *)in[6];            \
    AT *Y = (AT *)out[0];                                                                          \
    int32_t *acc = (int32_t *)scratch;                                                             \
    int64_t t, m, j, ao, bo, count = batch_count(p);                                               \
    for (t = 0; t < count; t++) {                                                                  \
      batch_offsets(p, t, &ao, &bo);                                                               \
      for (m = 0; m < p->M; m++) {                                                                 \
        const int64_t my = p->y_rows ? m : 0;                                                      \
        const float ay = SLOAD(as[p->a_scale_rows ? m : 0]), yscale = SLOAD(ys[my]);               \
        AT *yrow = Y + (t * p->M + m) * p->N;                                                      \
        int_row_##a##_##b(p, A + ao + m * p->K, B + bo, (int32_t)azp[p->a_zp_rows ? m : 0], bzp, acc); \
        for (j = 0; j < p->N; j++) {                                                               \
          const float scale = ay * SLOAD(bs[p->b_scale_cols ? j : 0]) / yscale;                    \
          yrow[j] = (AT)quant_round((float)acc[j] * scale, (int32_t)yzp[my], QLO_##a, QHI_##a);    \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }

#define QLO_i8 -128.0f
#define QHI_i8 127.0f
#define QLO_u8 0.0f
#define QHI_u8 255.0f

INT_ROW(i8, int8_t, i8, int8_t)
INT_ROW(i8, int8_t, u8, uint8_t)
INT_ROW(u8, uint8_t, i8, int8_t)
INT_ROW(u8, uint8_t, u8, uint8_t)

/* ---- ConvInteger, QLinearConv ----
 *
 * For each batch entry and group, QCONV_COLS output positions at a time:
 * their input patches are unfolded into scratch as int16 columns (x minus
 * its zero point, 0 in the padding, which stands for the zero point), one
 * contiguous column of kdim values per position, and each output
 * channel's sum is the dot product of its weight row (w minus its zero
 * point, int16, also in scratch) with each column: a loop compilers turn
 * into multiply-add instructions on pairs of int16.
 *
 * Each product is at most 255 * 255 in size, so sums of up to
 * QCONV_SAFE_K of them cannot leave int32: those use plain int32 sums;
 * longer ones wrap through uint32 as ONNX Runtime's int32 sums do. */
#define QCONV_COLS 64
#define QCONV_SAFE_K 33000

static int64_t qconv_ksize(const rt_qconv_params *p) {
  int64_t n = 1;
  int d;
  for (d = 0; d < p->nd; d++) n *= p->kernel[d];
  return n;
}

static int64_t qconv_kdim(const rt_qconv_params *p) { return RT_IDIV(p->in_ch, p->group) * qconv_ksize(p); }

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The tap table's int64s: per tap, its reach along each dim, then its
 * offset in a channel's flattened input. */
static size_t qconv_taps_bytes(const rt_qconv_params *p) {
  return (size_t)(qconv_ksize(p) * (p->nd + 1)) * sizeof(int64_t);
}

/* Scratch: the tap table, one weight row and QCONV_COLS columns (int16
 * each). */
size_t rt_qconv_scratch_bytes(const rt_qconv_params *p) {
  const int64_t kdim = qconv_kdim(p);
  return qconv_taps_bytes(p) + align8((size_t)kdim * sizeof(int16_t)) + (size_t)(kdim * QCONV_COLS) * sizeof(int16_t);
}

/* taps[kk * nd + d]: how far tap kk of the kernel reaches along dim d;
 * taps[ksize * nd + kk]: the same reach as an offset in one channel's
 * flattened input, for patches that lie wholly inside it. */
static void qconv_taps(const rt_qconv_params *p, int64_t *taps) {
  const int64_t ksize = qconv_ksize(p);
  int64_t kk;
  int d;
  for (kk = 0; kk < ksize; kk++) {
    int64_t rest = kk, off = 0, stride = 1;
    for (d = p->nd - 1; d >= 0; d--) {
      taps[kk * p->nd + d] = RT_IMOD(rest, p->kernel[d]) * p->dilations[d];
      off += taps[kk * p->nd + d] * stride;
      stride *= p->in_dims[d];
      rest = RT_IDIV(rest, p->kernel[d]);
    }
    taps[ksize * p->nd + kk] = off;
  }
}

/* Whether the patch whose first tap is at base lies inside the input. */
static int qconv_inside(const rt_qconv_params *p, const int64_t *base) {
  int d;
  for (d = 0; d < p->nd; d++)
    if (base[d] < 0 || base[d] + (p->kernel[d] - 1) * p->dilations[d] >= p->in_dims[d]) return 0;
  return 1;
}

static int32_t dot16(const int16_t *restrict a, const int16_t *restrict b, int64_t n) {
  int32_t s = 0;
  int64_t k;
  for (k = 0; k < n; k++) s += (int32_t)a[k] * b[k];
  return s;
}

static int32_t dot16_wrap(const int16_t *restrict a, const int16_t *restrict b, int64_t n) {
  uint32_t s = 0;
  int64_t k;
  for (k = 0; k < n; k++) s += (uint32_t)((int32_t)a[k] * b[k]);
  return (int32_t)s;
}

/* The columns of output positions [c0, c0 + nc) for one group: xg is the
 * group's first input channel of the batch entry. */
#define QCONV_UNFOLD(x, XT)                                                                        \
  static void qconv_unfold_##x(const rt_qconv_params *p, const int64_t *taps, const XT *xg,        \
                               int32_t xzp, int64_t c0, int64_t nc, int16_t *col) {                \
    const int64_t ksize = qconv_ksize(p), icg = RT_IDIV(p->in_ch, p->group);                        \
    int64_t insize = 1, opos[RT_CONV_MAX_DIMS], base[RT_CONV_MAX_DIMS], c, ic, kk;                 \
    int d;                                                                                         \
    for (d = 0; d < p->nd; d++) insize *= p->in_dims[d];                                           \
    conv_out_pos(p, c0, opos);                                                                     \
    for (c = 0; c < nc; c++) {                                                                     \
      for (d = 0; d < p->nd; d++) base[d] = opos[d] * p->strides[d] - p->pads[d];                  \
      if (qconv_inside(p, base)) {                                                                 \
        const int64_t *toff = taps + ksize * p->nd;                                                \
        int64_t first = 0;                                                                         \
        for (d = 0; d < p->nd; d++) first = first * p->in_dims[d] + base[d];                       \
        for (ic = 0; ic < icg; ic++)                                                               \
          for (kk = 0; kk < ksize; kk++)                                                           \
            col[ic * ksize + kk] = (int16_t)((int32_t)xg[ic * insize + first + toff[kk]] - xzp);   \
      } else {                                                                                     \
        for (kk = 0; kk < ksize; kk++) {                                                           \
          const int64_t *t = taps + kk * p->nd;                                                    \
          int64_t off = 0;                                                                         \
          for (d = 0; d < p->nd; d++) {                                                            \
            const int64_t pos = base[d] + t[d];                                                    \
            if (pos < 0 || pos >= p->in_dims[d]) break;                                            \
            off = off * p->in_dims[d] + pos;                                                       \
          }                                                                                        \
          if (d < p->nd)                                                                           \
            for (ic = 0; ic < icg; ic++) col[ic * ksize + kk] = 0;                                 \
          else                                                                                     \
            for (ic = 0; ic < icg; ic++) col[ic * ksize + kk] = (int16_t)((int32_t)xg[ic * insize + off] - xzp);\
        }                                                                                          \
      }                                                                                            \
      col += icg * ksize;                                                                          \
      for (d = p->nd - 1; d >= 0 && ++opos[d] == p->out_dims[d]; d--) opos[d] = 0;                 \
    }                                                                                              \
  }

/* Calls EMIT(y, oc, n, sums) for each run of n outputs of channel oc
 * starting at y: the walk both ops share. WZ is W's zero point for
 * channel oc. */
#define QCONV_WALK(x, XT, WT, X, W, xzp, WZ, EMIT)                                                 \
  do {                                                                                             \
    const int64_t kdim = qconv_kdim(p), ocg = RT_IDIV(p->out_ch, p->group), icg = RT_IDIV(p->in_ch, p->group); \
    int64_t *taps = (int64_t *)scratch;                                                            \
    int16_t *wrow = (int16_t *)((char *)scratch + qconv_taps_bytes(p));                            \
    int16_t *col = wrow + align8((size_t)kdim * sizeof(int16_t)) / sizeof(int16_t);               \
    int64_t insize = 1, osize = conv_out_size(p), b, g, c0, oc, c, k;                              \
    int32_t sums[QCONV_COLS];                                                                      \
    int d;                                                                                         \
    for (d = 0; d < p->nd; d++) insize *= p->in_dims[d];                                           \
    qconv_taps(p, taps);                                                                           \
    for (b = 0; b < p->batch; b++)                                                                 \
      for (g = 0; g < p->group; g++)                                                               \
        for (c0 = 0; c0 < osize; c0 += QCONV_COLS) {                                               \
          const int64_t nc = osize - c0 < QCONV_COLS ? osize - c0 : QCONV_COLS;                    \
          qconv_unfold_##x(p, taps, (X) + (b * p->in_ch + g * icg) * insize, (xzp), c0, nc, col);  \
          for (oc = g * ocg; oc < (g + 1) * ocg; oc++) {                                           \
            const WT *wr = (W) + oc * kdim;                                                        \
            const int32_t wz = (WZ);                                                               \
            for (k = 0; k < kdim; k++) wrow[k] = (int16_t)((int32_t)wr[k] - wz);                   \
            for (c = 0; c < nc; c++)                                                               \
              sums[c] = kdim <= QCONV_SAFE_K ? dot16(wrow, col + c * kdim, kdim)                   \
                                             : dot16_wrap(wrow, col + c * kdim, kdim);             \
            EMIT(Y + ((b) * p->out_ch + oc) * osize + c0, oc, nc, sums);                           \
          }                                                                                        \
        }                                                                                          \
  } while (0)

#define QCONV_KERNELS(x, XT, w, WT)                                                                  \
  RT_KERNEL(rt_conv_int_##x##_##w) {                                                                 \
    const rt_qconv_params *p = (const rt_qconv_params *)params;                                      \
    const XT *X = (const XT *)in[0], *xzp = (const XT *)in[2];                                       \
    const WT *W = (const WT *)in[1], *wzp = (const WT *)in[3];                                       \
    int32_t *Y = (int32_t *)out[0];                                                                  \
    QCONV_WALK(x, XT, WT, X, W, xzp ? (int32_t)xzp[0] : 0,                                           \
               wzp ? (int32_t)wzp[p->w_zp_channels ? oc : 0] : 0, CONV_INT_STORE);                   \
  }                                                                                                  \
  RT_KERNEL(rt_qlinear_conv_##x##_##w) {                                                             \
    const rt_qconv_params *p = (const rt_qconv_params *)params;                                      \
    const XT *X = (const XT *)in[0], *xzp = (const XT *)in[2], *yzp = (const XT *)in[7];             \
    const WT *W = (const WT *)in[3], *wzp = (const WT *)in[5];                                       \
    const float *xs = (const float *)in[1], *ws = (const float *)in[4], *ys = (const float *)in[6];  \
    /* in[] may end at in[7] (RT_MIN_ARGS) when B is absent */                                      \
    const int32_t *bias = p->has_bias ? (const int32_t *)in[8] : NULL;                               \
    typedef XT yt_; /* the store macro's cast */                                                     \
    yt_ *Y = (yt_ *)out[0];                                                                          \
    const int32_t yz = (int32_t)yzp[0];                                                              \
    QCONV_WALK(x, XT, WT, X, W, (int32_t)xzp[0], (int32_t)wzp[p->w_zp_channels ? oc : 0],            \
               QLINEAR_CONV_STORE_##x);                                                              \
  }

#define CONV_INT_STORE(y, oc, n, sums) memcpy(y, sums, (size_t)(n) * sizeof(int32_t))
/* The scale and the bias are read once per run: Y's type may alias them. */
#define QLINEAR_CONV_STORE(y, oc, n, sums, LO, HI)                                                   \
  do {                                                                                               \
    const float scale_ = xs[0] * ws[p->w_scale_channels ? (oc) : 0] / ys[0]; /* ORT's order */       \
    const int32_t bias_ = bias ? bias[oc] : 0;                                                       \
    int64_t j_;                                                                                      \
    for (j_ = 0; j_ < (n); j_++) (y)[j_] = (yt_)quant_round((float)wrap_add((sums)[j_], bias_) * scale_, yz, LO, HI); \
  } while (0)
#define QLINEAR_CONV_STORE_i8(y, oc, n, sums) QLINEAR_CONV_STORE(y, oc, n, sums, QLO_i8, QHI_i8)
#define QLINEAR_CONV_STORE_u8(y, oc, n, sums) QLINEAR_CONV_STORE(y, oc, n, sums, QLO_u8, QHI_u8)

/* Output positions per (batch entry, channel). */
static int64_t conv_out_size(const rt_qconv_params *p) {
  int64_t n = 1;
  int d;
  for (d = 0; d < p->nd; d++) n *= p->out_dims[d];
  return n;
}

/* The coordinates of the o-th output position (row-major). */
static void conv_out_pos(const rt_qconv_params *p, int64_t o, int64_t *opos) {
  int d;
  for (d = p->nd - 1; d >= 0; d--) {
    opos[d] = RT_IMOD(o, p->out_dims[d]);
    o = RT_IDIV(o, p->out_dims[d]);
  }
}

QCONV_UNFOLD(i8, int8_t)
QCONV_UNFOLD(u8, uint8_t)
QCONV_KERNELS(i8, int8_t, i8, int8_t)
QCONV_KERNELS(i8, int8_t, u8, uint8_t)
QCONV_KERNELS(u8, uint8_t, i8, int8_t)
QCONV_KERNELS(u8, uint8_t, u8, uint8_t)
