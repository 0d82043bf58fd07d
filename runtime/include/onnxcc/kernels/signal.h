/* Signal-processing kernels: the cosine-sum windows (HannWindow,
 * HammingWindow, BlackmanWindow), DFT, STFT and MelWeightMatrix.
 *
 * Transforms compute in double whatever the element type: a radix-2 FFT
 * when the transform length is a power of two, a direct O(n^2) sum (over
 * a table of the n twiddle factors) otherwise. Both need scratch memory:
 * RT_DFT_SCRATCH(n) bytes for a transform of length n. */
#ifndef ONNXCC_KERNELS_SIGNAL_H
#define ONNXCC_KERNELS_SIGNAL_H

#include "../params.h"
#include "../runtime.h"

/* Scratch bytes of a transform of length n: the signal, the twiddle
 * table and the direct sum's result, n complex doubles each. */
#define RT_DFT_SCRATCH(n) ((n) * 6 * (int64_t)sizeof(double))

/* rt_window_T: y[i] = a0 - a1 cos(2 pi i / N) + a2 cos(4 pi i / N) for
 * i < size, N = size (periodic) or size - 1 (symmetric), computed in
 * double and converted to T (integer types truncate). A symmetric window
 * of one value is 0 / 0: NaN (0 in integer types), as in ONNX Runtime. kind: 0 Hann (a = 0.5, 0.5, 0), 1 Hamming (25/46,
 * 21/46, 0), 2 Blackman (0.42, 0.5, 0.08). T: f32, f64, f16, bf16, i8,
 * i16, i32, i64, u8, u16, u32, u64.
 * rt_window_prepare_i32/_i64: the size from in[0] (-1 when negative). */
#define RT_WINDOW_PARAMS(I, F, IA, FA, I32, I32A, E) I(size) I32(kind) I32(periodic)
RT_PARAMS_STRUCT(rt_window_params, RT_WINDOW_PARAMS)

/* rt_dft_T: x viewed as [outer, n_in, inner, complex_in ? 2 : 1] (real
 * input has imaginary part 0), y as [outer, n_out, inner, 2]. Each of the
 * outer * inner signals is cut or zero-padded to n_fft values and
 * transformed (inverse: e^{+2 pi i kn/N} and scaled by 1/n_fft); y gets
 * the first n_out (<= n_fft) bins. T: f32, f64. y must not be x.
 * hermitian (an inverse onesided DFT, IRFFT): x holds the first n_fft / 2
 * + 1 bins of a spectrum with conjugate symmetry (fewer are zero-padded,
 * more ignored), the rest are their mirror, and y [outer, n_out, inner,
 * 1] gets the real signal. */
#define RT_DFT_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(outer) I(n_in) I(inner) I(n_fft) I(n_out) I32(complex_in) I32(inverse) I32(hermitian)
RT_PARAMS_STRUCT(rt_dft_params, RT_DFT_PARAMS)

/* rt_dft_prepare_i32/_i64 (the type of dft_length): completes the DFT
 * params at out[1] from the input's `rank` dims and the axis (`axis`, or
 * the int64 in[2] when axis_input), and the length (in[1], written to
 * out[0][0], when length_input; else the axis dim): outer, n_in, inner,
 * n_fft (without a length: the axis dim, or 2 * (dim - 1) when p is
 * hermitian), n_out (n_fft / 2 + 1 when onesided). An axis outside [-r, -2]
 * or [0, r - 2] or a length below 1 is RT_ERR_SHAPE. */
#define RT_DFT_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) IA(dims, 8) I32(axis) I32(axis_input) I32(length_input) I32(onesided) I32(dims_out)
RT_PARAMS_STRUCT(rt_dft_prepare_params, RT_DFT_PREPARE_PARAMS)

/* rt_stft_T: signal x [batch, length, complex_in ? 2 : 1], frames of
 * frame_length values every `step` values, each multiplied by the window
 * (in[2], frame_length values of T; none when has_window is 0) and
 * transformed; y [batch, frames, bins, 2] keeps the first `bins`. T: f32,
 * f64. */
#define RT_STFT_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(batch) I(length) I(frames) I(step) I(frame_length) I(bins) I(window_length) I32(complex_in) I32(has_window)
RT_PARAMS_STRUCT(rt_stft_params, RT_STFT_PARAMS)

/* rt_stft_prepare_i32/_i64 (the type of frame_step and frame_length):
 * completes the STFT params at out[1]: step from in[1], frame_length from
 * in[3] when present (else the window's length), frames = (length -
 * frame_length) / step + 1, bins (frame_length / 2 + 1 when onesided).
 * It writes frames to out[0][frames_at] and frame_length to
 * out[0][length_at] where those are >= 0. A step or frame length below 1,
 * a frame longer than the signal, or a window of another length is
 * RT_ERR_SHAPE. */
#define RT_STFT_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) I32(onesided) I32(frames_at) I32(length_at)
RT_PARAMS_STRUCT(rt_stft_prepare_params, RT_STFT_PREPARE_PARAMS)

/* rt_mel_T: MelWeightMatrix's y [bins, mels], bins = dft_length / 2 + 1.
 * mels + 2 points evenly spaced on the mel scale (mel = 2595 log10(1 +
 * hz / 700)) from lower_hz (included) to upper_hz (excluded: the step is
 * the range over mels + 2) are mapped back to hertz and to spectrogram
 * bins, floor((dft_length + 1) hz / sample_rate). Column i is the
 * triangle over points i, i + 1, i + 2: rising (j - lo) / (mid - lo) from
 * lo to mid (just 1 at mid when lo == mid), falling (hi - j) / (hi - mid)
 * from mid to hi - 1; 0 elsewhere; rows outside [0, bins) are not
 * written. Computed in double, converted to T as the windows are. T: as
 * rt_window_T.
 * rt_mel_prepare_I_F (I: the type of num_mel_bins, dft_length and
 * sample_rate, i32 or i64; F: the type of the two edges, f32, f64, f16,
 * bf16) completes the params at out[1] from in[0..4] and writes bins to
 * out[0][bins_at] and mels to out[0][mels_at] where those are >= 0.
 * mels < 0, dft_length < 1 or sample_rate < 1 is RT_ERR_SHAPE. The
 * compiler runs it on constant operands too. */
#define RT_MEL_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(bins) I(mels) I(dft_length) I(sample_rate) F(lower_hz) F(upper_hz)
RT_PARAMS_STRUCT(rt_mel_params, RT_MEL_PARAMS)
#define RT_MEL_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) I32(bins_at) I32(mels_at)
RT_PARAMS_STRUCT(rt_mel_prepare_params, RT_MEL_PREPARE_PARAMS)

#define RT_WINDOW_K_(K, t) K(rt_window_##t, rt_window_params) K(rt_mel_##t, rt_mel_params)
#define RT_MEL_PREPARE_K_(K, i) \
  K(rt_mel_prepare_##i##_f32, rt_mel_prepare_params) K(rt_mel_prepare_##i##_f64, rt_mel_prepare_params) \
  K(rt_mel_prepare_##i##_f16, rt_mel_prepare_params) K(rt_mel_prepare_##i##_bf16, rt_mel_prepare_params)
#define RT_SIGNAL_KERNELS(K)                                                                        \
  RT_WINDOW_K_(K, f32) RT_WINDOW_K_(K, f64) RT_WINDOW_K_(K, f16) RT_WINDOW_K_(K, bf16)             \
  RT_WINDOW_K_(K, i8) RT_WINDOW_K_(K, i16) RT_WINDOW_K_(K, i32) RT_WINDOW_K_(K, i64)               \
  RT_WINDOW_K_(K, u8) RT_WINDOW_K_(K, u16) RT_WINDOW_K_(K, u32) RT_WINDOW_K_(K, u64)               \
  K(rt_window_prepare_i32, rt_window_params) K(rt_window_prepare_i64, rt_window_params)             \
  K(rt_dft_f32, rt_dft_params) K(rt_dft_f64, rt_dft_params)                                         \
  K(rt_dft_prepare_i32, rt_dft_prepare_params) K(rt_dft_prepare_i64, rt_dft_prepare_params)         \
  K(rt_stft_f32, rt_stft_params) K(rt_stft_f64, rt_stft_params)                                     \
  K(rt_stft_prepare_i32, rt_stft_prepare_params) K(rt_stft_prepare_i64, rt_stft_prepare_params)     \
  RT_MEL_PREPARE_K_(K, i32) RT_MEL_PREPARE_K_(K, i64)
#define RT_SIGNAL_PARAMS_TYPES(P)                                                                 \
  P(rt_window_params, RT_WINDOW_PARAMS) P(rt_dft_params, RT_DFT_PARAMS)                          \
  P(rt_dft_prepare_params, RT_DFT_PREPARE_PARAMS) P(rt_stft_params, RT_STFT_PARAMS)              \
  P(rt_stft_prepare_params, RT_STFT_PREPARE_PARAMS) P(rt_mel_params, RT_MEL_PARAMS)             \
  P(rt_mel_prepare_params, RT_MEL_PREPARE_PARAMS)
RT_SIGNAL_KERNELS(RT_DECLARE_KERNEL)

#endif
