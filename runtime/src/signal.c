/* Windows, MelWeightMatrix, DFT and STFT (kernels/signal.h). Everything computes in
 * double: the values are converted to the element type only when they are
 * written. */
#include <math.h>
#include <string.h>

#include "half_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/signal.h"

#define SIG_PI 3.14159265358979323846

/* ---- windows ---- */

/* Element i of a cosine-sum window of `size` values. */
static double window_value(const rt_window_params *p, int64_t i) {
  static const double a[3][3] = {{0.5, 0.5, 0}, {25.0 / 46.0, 21.0 / 46.0, 0}, {0.42, 0.5, 0.08}};
  const double *c = a[p->kind >= 0 && p->kind < 3 ? p->kind : 0];
  int64_t n = p->periodic ? p->size : p->size - 1;
  double x;
  if (n <= 0) return (double)NAN; /* a symmetric window of one value: 0 / 0, as in ONNX Runtime */
  x = 2 * SIG_PI * (double)i / (double)n;
  return c[0] - c[1] * cos(x) + c[2] * cos(2 * x);
}

/* ---- MelWeightMatrix ---- */

/* The spectrogram bin of mel point k (of mels + 2). */
static int64_t mel_point_bin(const rt_mel_params *p, int64_t k) {
  const double lo = 2595.0 * log10(1.0 + (double)p->lower_hz / 700.0);
  const double hi = 2595.0 * log10(1.0 + (double)p->upper_hz / 700.0);
  const double mel = lo + (double)k * (hi - lo) / (double)(p->mels + 2);
  const double hz = 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
  return (int64_t)floor((double)(p->dft_length + 1) * hz / (double)p->sample_rate);
}

/* Fills y [bins, mels] through put (which converts to the element type):
 * zeros, then each column's triangle (kernels/signal.h). */
static void mel_fill(const rt_mel_params *p, void *y, void (*put)(void *, int64_t, double)) {
  int64_t i, j;
  if (p->sample_rate < 1) return;
  for (j = 0; j < p->bins * p->mels; j++) put(y, j, 0.0);
  for (i = 0; i < p->mels; i++) {
    const int64_t lo = mel_point_bin(p, i), mid = mel_point_bin(p, i + 1), hi = mel_point_bin(p, i + 2);
    /* rows beyond the matrix (edges past the Nyquist frequency) are skipped */
    for (j = lo; j <= mid; j++)
      if (j >= 0 && j < p->bins) put(y, j * p->mels + i, mid == lo ? 1.0 : (double)(j - lo) / (double)(mid - lo));
    for (j = mid; j < hi; j++)
      if (j >= 0 && j < p->bins) put(y, j * p->mels + i, (double)(hi - j) / (double)(hi - mid));
  }
}

/* Per element type: the window kernel, a converting store and the mel
 * kernel built on it. */
#define WINDOW(t, T, CONVERT)                                      \
  RT_KERNEL(rt_window_##t) {                                       \
    const rt_window_params *p = (const rt_window_params *)params;  \
    T *y = (T *)out[0];                                            \
    int64_t i;                                                     \
    (void)in;                                                      \
    (void)scratch;                                                 \
    for (i = 0; i < p->size; i++) y[i] = CONVERT(window_value(p, i)); \
  }                                                                \
  static void put_##t(void *y, int64_t k, double v) { ((T *)y)[k] = CONVERT(v); } \
  RT_KERNEL(rt_mel_##t) {                                          \
    (void)in;                                                      \
    (void)scratch;                                                 \
    mel_fill((const rt_mel_params *)params, out[0], put_##t);      \
  }
#define TO_F32(v) ((float)(v))
#define TO_F64(v) (v)
#define TO_F16(v) float_to_half((float)(v))
#define TO_BF16(v) float_to_bf16((float)(v))
WINDOW(f32, float, TO_F32)
WINDOW(f64, double, TO_F64)
WINDOW(f16, uint16_t, TO_F16)
WINDOW(bf16, uint16_t, TO_BF16)
/* Window values lie in [-1e-16, 1]: integer types truncate them, and a
 * tiny negative value truncates to 0, which every type holds; so does the
 * NaN of a symmetric window of one value. */
#define TO_INT(T) (T)int_of
static int64_t int_of(double v) { return v == v ? (int64_t)v : 0; }
WINDOW(i8, int8_t, TO_INT(int8_t))
WINDOW(i16, int16_t, TO_INT(int16_t))
WINDOW(i32, int32_t, TO_INT(int32_t))
WINDOW(i64, int64_t, TO_INT(int64_t))
WINDOW(u8, uint8_t, TO_INT(uint8_t))
WINDOW(u16, uint16_t, TO_INT(uint16_t))
WINDOW(u32, uint32_t, TO_INT(uint32_t))
WINDOW(u64, uint64_t, TO_INT(uint64_t))

#define WINDOW_PREPARE(t, T)                              \
  RT_KERNEL(rt_window_prepare_##t) {                      \
    int64_t size = (int64_t) * (const T *)in[0];          \
    (void)params;                                         \
    (void)scratch;                                        \
    ((int64_t *)out[0])[0] = size >= 0 ? size : -1;       \
  }
WINDOW_PREPARE(i32, int32_t)
WINDOW_PREPARE(i64, int64_t)

/* MelWeightMatrix's operands: I for the three counts, F (read through
 * FROM) for the two edges. */
#define MEL_PREPARE(i, I, f, F, FROM)                                                 \
  RT_KERNEL(rt_mel_prepare_##i##_##f) {                                               \
    const rt_mel_prepare_params *q = (const rt_mel_prepare_params *)params;           \
    rt_mel_params *p = (rt_mel_params *)out[1];                                       \
    (void)scratch;                                                                    \
    p->mels = (int64_t) * (const I *)in[0];                                           \
    p->dft_length = (int64_t) * (const I *)in[1];                                     \
    p->sample_rate = (int64_t) * (const I *)in[2];                                    \
    p->lower_hz = FROM(*(const F *)in[3]);                                            \
    p->upper_hz = FROM(*(const F *)in[4]);                                            \
    if (p->mels < 0 || p->dft_length < 1 || p->sample_rate < 1) {                    \
      *(int *)out[2] = RT_ERR_SHAPE;                                                  \
      return;                                                                         \
    }                                                                                 \
    p->bins = p->dft_length / 2 + 1;                                                  \
    if (q->bins_at >= 0) ((int64_t *)out[0])[q->bins_at] = p->bins;                   \
    if (q->mels_at >= 0) ((int64_t *)out[0])[q->mels_at] = p->mels;                   \
  }
#define FROM_FLOAT(v) ((float)(v))
#define MEL_PREPARE_ALL(i, I)                                 \
  MEL_PREPARE(i, I, f32, float, FROM_FLOAT)                   \
  MEL_PREPARE(i, I, f64, double, FROM_FLOAT)                  \
  MEL_PREPARE(i, I, f16, uint16_t, half_to_float)             \
  MEL_PREPARE(i, I, bf16, uint16_t, bf16_to_float)
MEL_PREPARE_ALL(i32, int32_t)
MEL_PREPARE_ALL(i64, int64_t)

/* ---- transforms ---- */

/* tw[k] = e^{-2 pi i k / n}, k < n, as (re, im) pairs. */
static void twiddles(double *tw, int64_t n) {
  int64_t k;
  for (k = 0; k < n; k++) {
    double x = 2 * SIG_PI * (double)k / (double)n;
    tw[2 * k] = cos(x);
    tw[2 * k + 1] = -sin(x);
  }
}

static int is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

/* In-place iterative radix-2 FFT of the n (a power of two) values z. */
static void fft_pow2(double *z, int64_t n, const double *tw, int inverse) {
  int64_t i, j, k, len;
  const double sign = inverse ? -1 : 1;
  /* bit-reversal permutation */
  for (i = 1, j = 0; i < n; i++) {
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j |= bit;
    if (i < j) {
      double r = z[2 * i], m = z[2 * i + 1];
      z[2 * i] = z[2 * j], z[2 * i + 1] = z[2 * j + 1];
      z[2 * j] = r, z[2 * j + 1] = m;
    }
  }
  for (len = 2; len <= n; len <<= 1) {
    int64_t half = len >> 1, step = RT_IDIV(n, len);
    for (i = 0; i < n; i += len)
      for (k = 0; k < half; k++) {
        double wr = tw[2 * k * step], wi = sign * tw[2 * k * step + 1];
        double *a = z + 2 * (i + k), *b = z + 2 * (i + k + half);
        double vr = b[0] * wr - b[1] * wi, vi = b[0] * wi + b[1] * wr;
        b[0] = a[0] - vr, b[1] = a[1] - vi;
        a[0] += vr, a[1] += vi;
      }
  }
}

/* The first n_out bins of the direct sum, written back into z; tmp holds
 * n complex values. The twiddle index k * j mod n advances by k. */
static void dft_direct(double *z, int64_t n, int64_t n_out, const double *tw, int inverse, double *tmp) {
  const double sign = inverse ? -1 : 1;
  int64_t k, j;
  for (k = 0; k < n_out; k++) {
    double re = 0, im = 0;
    int64_t t = 0;
    for (j = 0; j < n; j++) {
      double wr = tw[2 * t], wi = sign * tw[2 * t + 1];
      re += z[2 * j] * wr - z[2 * j + 1] * wi;
      im += z[2 * j] * wi + z[2 * j + 1] * wr;
      t += k;
      if (t >= n) t -= n;
    }
    tmp[2 * k] = re, tmp[2 * k + 1] = im;
  }
  memcpy(z, tmp, sizeof(double) * 2 * (size_t)n_out);
}

/* Transforms z (n complex values) in place; the first n_out bins are
 * valid afterwards. */
static void transform(double *z, int64_t n, int64_t n_out, const double *tw, int inverse, double *tmp) {
  if (is_pow2(n)) fft_pow2(z, n, tw, inverse);
  else dft_direct(z, n, n_out, tw, inverse, tmp);
}

/* ---- DFT ---- */

/* How many input bins the transform reads: n_in cut to n, or for a
 * one-sided spectrum to its n / 2 + 1 independent bins. */
static int64_t hermitian_bins(int64_t n_in, int64_t n, int hermitian) {
  const int64_t keep = hermitian ? n / 2 + 1 : n;
  return n_in < keep ? n_in : keep;
}

/* Completes a one-sided spectrum: bin n - k is the conjugate of bin k.
 * (Bin 0's and, for even n, bin n / 2's imaginary parts then only reach
 * the imaginary part of the signal, which an IRFFT drops.) */
static void mirror_bins(double *z, int64_t n) {
  int64_t k;
  for (k = 1; k < n - k; k++) {
    z[2 * (n - k)] = z[2 * k];
    z[2 * (n - k) + 1] = -z[2 * k + 1];
  }
}

#define DFT(t, T)                                                                       \
  RT_KERNEL(rt_dft_##t) {                                                               \
    const rt_dft_params *p = (const rt_dft_params *)params;                             \
    const T *x = (const T *)in[0];                                                      \
    T *y = (T *)out[0];                                                                 \
    const int64_t n = p->n_fft, c = p->complex_in ? 2 : 1, yc = p->hermitian ? 1 : 2;   \
    const int64_t m = hermitian_bins(p->n_in, n, p->hermitian);                         \
    double *z = (double *)scratch, *tw = z + 2 * n, *tmp = tw + 2 * n;                  \
    const double scale = p->inverse ? 1.0 / (double)n : 1.0;                            \
    int64_t o, j, k;                                                                    \
    if (n <= 0) return;                                                                 \
    twiddles(tw, n);                                                                    \
    for (o = 0; o < p->outer; o++)                                                      \
      for (j = 0; j < p->inner; j++) {                                                  \
        const T *xs = x + (o * p->n_in * p->inner + j) * c;                             \
        T *ys = y + (o * p->n_out * p->inner + j) * yc;                                 \
        for (k = 0; k < m; k++) {                                                       \
          z[2 * k] = (double)xs[k * p->inner * c];                                      \
          z[2 * k + 1] = c == 2 ? (double)xs[k * p->inner * c + 1] : 0.0;               \
        }                                                                               \
        for (; k < n; k++) z[2 * k] = z[2 * k + 1] = 0;                                 \
        if (p->hermitian) mirror_bins(z, n);                                            \
        transform(z, n, p->n_out, tw, p->inverse, tmp);                                 \
        for (k = 0; k < p->n_out; k++) {                                                \
          ys[k * p->inner * yc] = (T)(z[2 * k] * scale);                                \
          if (yc == 2) ys[k * p->inner * 2 + 1] = (T)(z[2 * k + 1] * scale);            \
        }                                                                               \
      }                                                                                 \
  }
DFT(f32, float)
DFT(f64, double)

/* The axis, normalised; -1 when outside [-r, -2] and [0, r - 2]. */
static int32_t dft_axis(int64_t axis, int32_t rank) {
  if (axis < 0) axis += rank;
  return axis >= 0 && axis <= rank - 2 ? (int32_t)axis : -1;
}

#define DFT_PREPARE(t, T)                                                             \
  RT_KERNEL(rt_dft_prepare_##t) {                                                     \
    const rt_dft_prepare_params *q = (const rt_dft_prepare_params *)params;           \
    rt_dft_params *p = (rt_dft_params *)out[1];                                       \
    int32_t axis = dft_axis(q->axis_input ? *(const int64_t *)in[2] : q->axis, q->rank), d; \
    int64_t n;                                                                        \
    (void)scratch;                                                                    \
    if (axis < 0) goto bad;                                                           \
    p->outer = p->inner = 1;                                                          \
    for (d = 0; d < q->rank - 1; d++) {                                               \
      if (d < axis) p->outer *= q->dims[d];                                           \
      if (d > axis) p->inner *= q->dims[d];                                           \
    }                                                                                 \
    p->n_in = q->dims[axis];                                                          \
    n = q->length_input ? (int64_t) * (const T *)in[1] : p->hermitian ? 2 * (p->n_in - 1) : p->n_in; \
    if (n < 1) goto bad;                                                              \
    if (q->length_input) ((int64_t *)out[0])[0] = n;                                  \
    p->n_fft = n;                                                                     \
    p->n_out = q->onesided ? n / 2 + 1 : n;                                           \
    /* dims_out: y's dims but the last, after the length (if any) */                  \
    for (d = 0; q->dims_out && d < q->rank - 1; d++)                                  \
      ((int64_t *)out[0])[q->length_input + d] = d == axis ? p->n_out : q->dims[d];   \
    return;                                                                           \
  bad:                                                                                \
    *(int *)out[2] = RT_ERR_SHAPE;                                                    \
  }
DFT_PREPARE(i32, int32_t)
DFT_PREPARE(i64, int64_t)

/* ---- STFT ---- */

#define STFT(t, T)                                                                       \
  RT_KERNEL(rt_stft_##t) {                                                               \
    const rt_stft_params *p = (const rt_stft_params *)params;                            \
    const T *x = (const T *)in[0], *w = p->has_window ? (const T *)in[2] : NULL;         \
    T *y = (T *)out[0];                                                                  \
    const int64_t n = p->frame_length, c = p->complex_in ? 2 : 1;                        \
    double *z = (double *)scratch, *tw = z + 2 * n, *tmp = tw + 2 * n;                   \
    int64_t b, f, k;                                                                     \
    if (n <= 0) return;                                                                  \
    twiddles(tw, n);                                                                     \
    for (b = 0; b < p->batch; b++)                                                       \
      for (f = 0; f < p->frames; f++) {                                                  \
        const T *xs = x + (b * p->length + f * p->step) * c;                             \
        T *ys = y + (b * p->frames + f) * p->bins * 2;                                   \
        for (k = 0; k < n; k++) {                                                        \
          double wk = w ? (double)w[k] : 1.0;                                            \
          z[2 * k] = (double)xs[k * c] * wk;                                             \
          z[2 * k + 1] = c == 2 ? (double)xs[k * c + 1] * wk : 0.0;                      \
        }                                                                                \
        transform(z, n, p->bins, tw, 0, tmp);                                            \
        for (k = 0; k < 2 * p->bins; k++) ys[k] = (T)z[k];                               \
      }                                                                                  \
  }
STFT(f32, float)
STFT(f64, double)

#define STFT_PREPARE(t, T)                                                               \
  RT_KERNEL(rt_stft_prepare_##t) {                                                       \
    const rt_stft_prepare_params *q = (const rt_stft_prepare_params *)params;            \
    rt_stft_params *p = (rt_stft_params *)out[1];                                        \
    int64_t step = (int64_t) * (const T *)in[1];                                         \
    int64_t n = in[3] ? (int64_t) * (const T *)in[3] : p->window_length;                 \
    (void)scratch;                                                                       \
    if (step < 1 || n < 1 || n > p->length || (p->has_window && p->window_length != n)) { \
      *(int *)out[2] = RT_ERR_SHAPE;                                                     \
      return;                                                                            \
    }                                                                                    \
    p->step = step;                                                                      \
    p->frame_length = n;                                                                 \
    p->frames = (p->length - n) / step + 1;                                              \
    p->bins = q->onesided ? n / 2 + 1 : n;                                               \
    if (q->frames_at >= 0) ((int64_t *)out[0])[q->frames_at] = p->frames;                \
    if (q->length_at >= 0) ((int64_t *)out[0])[q->length_at] = n;                        \
  }
STFT_PREPARE(i32, int32_t)
STFT_PREPARE(i64, int64_t)
