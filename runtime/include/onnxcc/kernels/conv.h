/* Convolution kernels: Conv and ConvTranspose over 1 to 6 spatial dims,
 * float only. */
#ifndef ONNXCC_KERNELS_CONV_H
#define ONNXCC_KERNELS_CONV_H

#include <stddef.h>

#include "../params.h"
#include "../runtime.h"
#include "epilogue.h"

#define RT_CONV_MAX_DIMS 6

/* Conv: X [batch, in_ch, in_dims...] (*) W [out_ch, in_ch/group, kernel...]
 * (+ B [out_ch] when has_bias) -> Y [batch, out_ch, out_dims...].
 * pads holds the leading pad of each spatial dim (the trailing ones only
 * matter through out_dims). ConvTranspose uses the same struct with
 * W [in_ch, out_ch/group, kernel...]; for it, pads are the leading pads
 * cropped from the full output. The Conv variants apply the epilogue
 * fields (epilogue.h; the residual is in[3], Y's shape); ConvTranspose's
 * leave them zero. has_in_scale (the _packed variants only; compiler pass
 * fuse-channel-scale): X is multiplied per input channel by in[4] as the
 * kernel copies it into its panels, one factor per channel for every image
 * (1: in[4] holds in_ch floats) or per image and channel (2: batch *
 * in_ch), as Mul(X, S) with S [batch or 1, in_ch, 1, ...] would.
 * has_in_shift (rt_conv_f32_nchwc_blocked only; compiler pass
 * fuse-input-bn, with has_in_scale 1): in[4] holds in_ch shifts after the
 * in_ch factors, and the copy is in_act(x * factor + shift), the values
 * of the inference BatchNormalization (and its fused activation, in_act
 * with in_act_a and in_act_b as the epilogue's act) it replaces. */
#define RT_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(nd) I32(group) I32(has_bias) I(batch) I(in_ch) I(out_ch) \
  IA(in_dims, RT_CONV_MAX_DIMS) IA(out_dims, RT_CONV_MAX_DIMS) \
  IA(kernel, RT_CONV_MAX_DIMS) IA(strides, RT_CONV_MAX_DIMS) \
  IA(dilations, RT_CONV_MAX_DIMS) IA(pads, RT_CONV_MAX_DIMS) RT_EPILOGUE_FIELDS(F, I32, E) I32(has_in_scale) \
  I32(has_in_shift) E(in_act, RT_ACT_, RT_ACT_KINDS) F(in_act_a) F(in_act_b)
RT_PARAMS_STRUCT(rt_conv_params, RT_CONV_PARAMS)

/* The variants (the compiler picks one per node; none switches on a mode):
 *
 *   rt_conv_f32_im2col          any conv; W as ONNX lays it out. Packs the
 *                               weights into scratch on every call: for W
 *                               that is not a constant (and the constant
 *                               folder).
 *   rt_conv_f32_im2col_packed   the same product with W already in the
 *                               quad layout below (prepared at compile
 *                               time, in the weight blob): scratch holds
 *                               only one unfolded input panel.
 *   rt_conv_f32_pointwise       1x1 kernel, stride 1, no padding: X already
 *                               is the right-hand matrix; one rt_sgemm.
 *   rt_conv_f32_pointwise_packed  the same with W in the quad layout: the
 *                               input is copied panel by panel, no
 *                               weight packing.
 *   rt_conv_f32_depthwise       one input channel per group: direct loops,
 *                               W as ONNX lays it out, no scratch.
 *   rt_conv_f32_depthwise2d     2 spatial dims, one input channel per
 *                               output channel (conv_depthwise.c): each
 *                               plane copied into zero-padded scratch
 *                               planes split by stride (contiguous taps
 *                               at stride 2), then every output sums its
 *                               taps in a register, with no edge cases;
 *                               3x3 and 5x5 at column stride 1 and 2
 *                               (dilated: at 1) unrolled, as tiles of
 *                               several rows sharing loads where no
 *                               dilation keeps them apart. The same bits
 *                               as rt_conv_f32_depthwise.
 *   rt_conv_f32_nchwc_packed    2 spatial dims, group 1, W in the blocked
 *                               layout below: a direct conv with the
 *                               output channels in the vector lanes. X is
 *                               copied into a zero-padded channel-blocked
 *                               buffer in scratch, the core
 *                               (runtime/src/nchwc_internal.h) sums every
 *                               output's taps in registers, and each band
 *                               of the blocked result goes back to NCHW
 *                               (epilogue applied) while it is in cache.
 *   rt_conv_transpose_f32       ConvTranspose (rt_sgemm, then col2im); packs
 *                               W into scratch on every call: for W that
 *                               is not a constant (and the folder).
 *   rt_conv_transpose_f32_packed  the same with W^T already in the quad
 *                               layout (below): scratch holds the column
 *                               block and one copied panel of X.
 *
 * Each variant's scratch size is its own function below. */

/* ---- the layout of prepacked weights ----
 *
 * Each group's [mg = out_ch/group, kdim = in_ch/group * kernel size]
 * weight matrix is cut into quads of RT_CONV_QUAD rows (a short last one
 * padded with copies of the last row, whose results are dropped), each
 * stored k-major:
 *   packed[(g * mg4 + 4 * q) * kdim + k * 4 + r] = W[g * mg + 4 * q + r][k]
 * with mg4 = mg rounded up to a multiple of 4. A quad's values for one k
 * are contiguous, and one k step to the next is 16 bytes.
 *
 * Why this is safe across builds: the compiler packs with its own build
 * of the runtime, and the program may link a build for another CPU whose
 * micro-kernel covers MR = 4, 8 or 12 rows (runtime/src/sgemm_internal.h).
 * The layout depends on none of that: an MR-row tile reads MR/4 quads, one
 * dense stream each, and is told the distance between quads, so every
 * MR that is a multiple of 4 reads the same blob (sgemm_internal.h refuses
 * to build any other). The kernels spell the 4 out; the name is for that
 * check and for readers. */
#define RT_CONV_QUAD 4

/* ---- the blocked layout of rt_conv_f32_nchwc_packed's weights ----
 *
 * Output and input channels in blocks of RT_CONV_NCHWC_BLOCK (16), with
 * Cb = ceil(in_ch / 16) input blocks:
 *   packed[((((ocb * Cb + icb) * KH + kh) * KW + kw) * 16 + ic) * 16 + oc]
 *     = W[ocb * 16 + oc][icb * 16 + ic][kh][kw]
 * and 0 where ocb * 16 + oc >= out_ch or icb * 16 + ic >= in_ch (those
 * products add nothing, so a short last block needs no special case).
 * One input channel of one tap is 16 consecutive output channels: one
 * vector on AVX-512, four on NEON or SSE, and one block's whole slice of a
 * tap (16 x 16 floats, 1 KiB) is contiguous.
 *
 * Why this is safe across builds: the block is this constant, not the
 * vector width, and the core of every build (AVX-512 intrinsics, or plain
 * C on any other CPU: nchwc_internal.h) reads it as it is, whatever tile
 * of blocks and positions that build keeps in registers. */
#define RT_CONV_NCHWC_BLOCK 16

/* Floats of the blocked weights (group 1, 2 spatial dims). */
int64_t rt_conv_f32_nchwc_packed_floats(const rt_conv_params *p);
/* Writes W (ONNX layout) into `packed` (rt_conv_f32_nchwc_packed_floats
 * floats) in the blocked layout; the compiler calls it at compile time. */
void rt_conv_f32_nchwc_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* Floats of the packed form of W (W's, plus the padding rows). */
int64_t rt_conv_f32_packed_floats(const rt_conv_params *p);
/* Writes W (ONNX layout) into `packed` (rt_conv_f32_packed_floats floats)
 * in the quad layout. The compiler calls it to prepare the weights of the
 * _packed variants; rt_conv_f32_im2col packs the same layout, a block of
 * rows at a time, into its scratch. */
void rt_conv_f32_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* ConvTranspose's weights: each group's W [cg = in_ch/group, rows =
 * out_ch/group * kernel size] is used transposed, so W^T [rows, cg] is the
 * matrix cut into quads, exactly as above with (mg, kdim) = (rows, cg):
 *   packed[(g * rows4 + 4 * q) * cg + k * 4 + r] = W[g * cg + k][4 * q + r]
 * (rows4 = rows rounded up to 4, a short last quad repeating the last
 * row), safe across builds for the same reason. */
int64_t rt_conv_transpose_f32_packed_floats(const rt_conv_params *p);
void rt_conv_transpose_f32_pack_weights(const rt_conv_params *p, const float *w, float *packed);

/* Scratch bytes of each variant (0 for depthwise). The same on every
 * target: the compiler sizes the arena with its own build. */
size_t rt_conv_f32_im2col_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_im2col_packed_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_pointwise_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_pointwise_packed_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_transpose_f32_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_transpose_f32_packed_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_depthwise2d_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_packed_scratch_bytes(const rt_conv_params *p);

/* Split across threads (onnxcc/parallel.h): the im2col and pointwise
 * variants cut each block into tasks of output positions or channel rows,
 * the depthwise ones into tasks of output planes, the nchwc one into
 * tasks of (output channel group, band of positions) pieces after its
 * input copy (itself split by rows). With T tasks the scratch grows by
 * T - 1 times these bytes (each task's own unfolded panel, padded plane
 * or blocked band; 0: rt_conv_f32_depthwise needs none).
 * rt_conv_f32_depthwise2d's scratch never falls as the dims grow, so the
 * bytes sized for a node's largest dims serve any smaller run. */
size_t rt_conv_f32_im2col_task_bytes(const rt_conv_params *p);
size_t rt_conv_f32_depthwise2d_task_bytes(const rt_conv_params *p);
size_t rt_conv_f32_nchwc_packed_task_bytes(const rt_conv_params *p);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_CONV_KERNELS(K) \
  K(rt_conv_f32_im2col, rt_conv_params) \
  K(rt_conv_f32_im2col_packed, rt_conv_params) \
  K(rt_conv_f32_pointwise, rt_conv_params) \
  K(rt_conv_f32_pointwise_packed, rt_conv_params) \
  K(rt_conv_f32_depthwise, rt_conv_params) \
  K(rt_conv_f32_depthwise2d, rt_conv_params) \
  K(rt_conv_f32_nchwc_packed, rt_conv_params) \
  K(rt_conv_transpose_f32, rt_conv_params) \
  K(rt_conv_transpose_f32_packed, rt_conv_params)
#define RT_CONV_PARAMS_TYPES(P) \
  P(rt_conv_params, RT_CONV_PARAMS)
RT_CONV_KERNELS(RT_DECLARE_KERNEL)

#endif
