/* Kernels on the channel-blocked layout ("NCHWc16") that the compiler's
 * layout-nchwc pass keeps between convolutions, so that a chain of convs
 * does not turn every tensor around twice per conv (what
 * rt_conv_f32_nchwc_packed does on its own, band by band).
 *
 * A blocked tensor of logical shape [N, C, H, W] is stored as the plain
 * float tensor [N, Cb, H, W, 16], Cb = ceil(C / 16): element (n, c, h, w)
 * at ((((n * Cb + c / 16) * H + h) * W + w) * 16 + c % 16. The lanes past
 * C of the last block ("pad lanes") hold finite values that no kernel
 * reads into a real channel: rt_nchwc_to_blocked_f32 writes zeros there,
 * the convs' blocked weights are zero for them, and their own pad lanes
 * are their epilogue of 0 (plus the residual's pad lane), which is finite
 * for every activation. */
#ifndef ONNXCC_KERNELS_NCHWC_H
#define ONNXCC_KERNELS_NCHWC_H

#include <stddef.h>

#include "../params.h"
#include "../runtime.h"
#include "conv.h"
#include "norm.h"
#include "pool.h"

/* A layout change: X [batch, channels, spatial...] (spatial: the product
 * of the spatial dims) to or from its blocked form. */
#define RT_NCHWC_REORDER_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(channels) I(spatial)
RT_PARAMS_STRUCT(rt_nchwc_reorder_params, RT_NCHWC_REORDER_PARAMS)

/* The variants:
 *
 *   rt_nchwc_to_blocked_f32     NCHW -> blocked, zeros in the pad lanes.
 *   rt_nchwc_from_blocked_f32   blocked -> NCHW (pad lanes dropped).
 *   rt_conv_f32_nchwc_blocked   rt_conv_f32_nchwc_packed's conv (2 spatial
 *                               dims, group 1, W blocked as conv.h says,
 *                               B [out_ch] as ONNX has it) with X, Y and
 *                               the residual (in[3]) blocked. A conv
 *                               without pads reads X in place; with pads,
 *                               each band of input rows is copied into
 *                               a zero-bordered buffer in scratch first,
 *                               as it is with has_in_scale (conv.h: the
 *                               factors in[4] are NCHW, and X is
 *                               multiplied as it is copied; with
 *                               has_in_shift, shifted and activated too:
 *                               an inference BatchNormalization before
 *                               the conv, fused).
 *                               The epilogue is applied to every lane.
 *                               Given the next node's weights in the
 *                               RT_WARM_SLOT pair (params.h), its last
 *                               piece prefetches them into cache.
 *   rt_conv_f32_nchwc_stem      the same conv with X NCHW (a first conv
 *                               of a few input channels: an image's 3)
 *                               and Y and the residual blocked, W as
 *                               rt_conv_f32_nchwc_stem_pack_weights lays
 *                               it out. The same bits as
 *                               rt_conv_f32_nchwc_packed's, but for the
 *                               sign of a zero sum (which adds no 0 * 0
 *                               products past in_ch).
 *   rt_conv_f32_nchwc_stem_mono  the same for in_ch = 1 (a mono waveform,
 *                               a grey image), with tiles that have the
 *                               one channel as a constant; the same bits.
 *   rt_conv_f32_nchwc_winograd  rt_conv_f32_nchwc_blocked's conv for 3x3
 *                               kernels of stride and dilation 1 (no input
 *                               scale or shift) by Winograd's F(4x4, 3x3),
 *                               W as rt_conv_f32_nchwc_winograd_pack_weights
 *                               lays it out. Not the direct sum's bits:
 *                               its rounding reaches about 1e-5 of the
 *                               largest sum (conv_winograd.c). It warms
 *                               the next node's weights as the blocked
 *                               conv does.
 *   rt_conv_f32_depthwise_blocked  2 spatial dims, group = in_ch = out_ch,
 *                               X, Y and the residual blocked, W as
 *                               rt_conv_f32_depthwise_blocked_pack_weights
 *                               lays it out; each lane one channel. The
 *                               same bits as rt_conv_f32_depthwise2d (the
 *                               bias, then the taps in row-major order).
 *   rt_nchwc_maxpool_f32        MaxPool (rt_pool_params, 2 spatial dims:
 *                               planes = N * Cb, the dims at [1] and [2])
 *                               on blocked X and Y: rt_maxpool_f32's
 *                               values.
 *   rt_nchwc_avgpool_f32        AveragePool on blocked X and Y, its
 *                               params as rt_nchwc_maxpool_f32's (and
 *                               count_include_pad): rt_avgpool_f32's
 *                               values, in its order of additions.
 *   rt_nchwc_globalavgpool_f32  GlobalAveragePool (reorder params: batch,
 *                               channels, spatial = H * W) of blocked X
 *                               into an NCHW [N, C] Y: rt_globalavgpool_f32's
 *                               values.
 *   rt_nchwc_batchnorm_f32      inference BatchNormalization
 *                               (rt_batchnorm_params: n, c the real
 *                               channels, inner = H * W; float scale, B,
 *                               mean, var [c]) on blocked X and Y:
 *                               rt_batchnorm_f32's values.
 *
 * The conv params are those of the same Conv on NCHW tensors: channel
 * counts are the real ones, not rounded up to blocks. Threads
 * (onnxcc/parallel.h): every variant splits its work into tasks whose
 * results do not depend on the split. */

/* Floats of rt_conv_f32_depthwise_blocked's weights: Cb * KH * KW * 16. */
int64_t rt_conv_f32_depthwise_blocked_floats(const rt_conv_params *p);
/* packed[((cb * KH + kh) * KW + kw) * 16 + l] = W[cb * 16 + l][0][kh][kw],
 * 0 past out_ch; the compiler calls it at compile time. */
void rt_conv_f32_depthwise_blocked_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* Floats of rt_conv_f32_nchwc_stem's weights: Ob * KH * KW * in_ch * 16. */
int64_t rt_conv_f32_nchwc_stem_floats(const rt_conv_params *p);
/* packed[(((ob * KH + kh) * KW + kw) * in_ch + ic) * 16 + l] =
 * W[ob * 16 + l][ic][kh][kw], 0 past out_ch: per tap only the real input
 * channels. The compiler calls it at compile time. */
void rt_conv_f32_nchwc_stem_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* Floats of rt_conv_f32_nchwc_winograd's weights: 36 * Ob * Cb * 16 * 16. */
int64_t rt_conv_f32_nchwc_winograd_floats(const rt_conv_params *p);
/* For each of the 36 elements xi of a transformed 6x6 tile, U_xi[oc][ic]
 * = (G W[oc][ic] G^T)[xi] (computed in double) stored as a 1x1 conv's
 * blocked weights (conv.h) at packed + xi * Ob * Cb * 256; 0 past in_ch
 * and out_ch. The compiler calls it at compile time. */
void rt_conv_f32_nchwc_winograd_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* Scratch bytes of the whole call, and per task (with T tasks the scratch
 * grows by T - 1 times the task bytes); 0 where none is needed. */
size_t rt_conv_f32_nchwc_blocked_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_blocked_task_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_stem_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_stem_task_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_winograd_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_winograd_task_bytes(const rt_conv_params *p);
size_t rt_conv_f32_depthwise_blocked_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_depthwise_blocked_task_bytes(const rt_conv_params *p);
/* Inference BatchNormalization's per-channel map y = x * a[c] + b[c] for
 * c < channels, folded in double from the float scale, B, mean and var as
 * rt_nchwc_batchnorm_f32 and rt_batchnorm_f32 fold it: the compiler calls
 * it to give a conv the factors and shifts of the BatchNormalization it
 * takes in (has_in_shift), so the values are the same. */
void rt_nchwc_batchnorm_fold(const float *scale, const float *bias, const float *mean, const float *var,
                             float epsilon, int64_t channels, float *a, float *b);

/* Scratch each task past the first needs for the halves of a large plane
 * (0: the planes are summed whole; nchwc_pool.c). */
size_t rt_nchwc_globalavgpool_task_bytes(const rt_nchwc_reorder_params *p);

#define RT_NCHWC_KERNELS(K) \
  K(rt_nchwc_to_blocked_f32, rt_nchwc_reorder_params) \
  K(rt_nchwc_from_blocked_f32, rt_nchwc_reorder_params) \
  K(rt_conv_f32_nchwc_blocked, rt_conv_params) \
  K(rt_conv_f32_nchwc_winograd, rt_conv_params) \
  K(rt_conv_f32_nchwc_stem, rt_conv_params) \
  K(rt_conv_f32_nchwc_stem_mono, rt_conv_params) \
  K(rt_conv_f32_depthwise_blocked, rt_conv_params) \
  K(rt_nchwc_maxpool_f32, rt_pool_params) \
  K(rt_nchwc_avgpool_f32, rt_pool_params) \
  K(rt_nchwc_batchnorm_f32, rt_batchnorm_params) \
  K(rt_nchwc_globalavgpool_f32, rt_nchwc_reorder_params)
#define RT_NCHWC_PARAMS_TYPES(P) \
  P(rt_nchwc_reorder_params, RT_NCHWC_REORDER_PARAMS)
RT_NCHWC_KERNELS(RT_DECLARE_KERNEL)

#endif
