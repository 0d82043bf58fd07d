/* DeformConv: a convolution whose taps are moved, per output position, by
 * learned offsets and read between pixels by bilinear interpolation. */
#ifndef ONNXCC_KERNELS_DEFORM_CONV_H
#define ONNXCC_KERNELS_DEFORM_CONV_H

#include "../params.h"
#include "../runtime.h"
#include "conv.h"

/* rt_deform_conv_f32: 2 spatial dims (nd = 2). Conv's geometry
 * (rt_conv_params' fields, conv.h, first and in the same order): X
 * (in[0]) [batch, in_ch, H, W], W (in[1]) [out_ch, in_ch / group, kh, kw],
 * B (in[3], used when has_bias) [out_ch] -> Y (out[0]) [batch, out_ch, oh,
 * ow]. The input channels form offset_group groups; for group g, offset
 * (in[2]) [batch, offset_group * kh * kw * 2, oh, ow] holds, at channel
 * (g * kh * kw + tap) * 2, the tap's move along H then along W, and mask
 * (in[4], NULL: ones) [batch, offset_group * kh * kw, oh, ow] its weight
 * at channel g * kh * kw + tap. A tap of output (i, j) reads X at
 * (i * stride - pad + tap row * dilation + move along H, likewise along
 * W), interpolating the four pixels around, those outside X being 0. */
#define RT_DEFORM_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) RT_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) I(offset_group)
RT_PARAMS_STRUCT(rt_deform_conv_params, RT_DEFORM_CONV_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_DEFORM_CONV_KERNELS(K) K(rt_deform_conv_f32, rt_deform_conv_params)
#define RT_DEFORM_CONV_PARAMS_TYPES(P) P(rt_deform_conv_params, RT_DEFORM_CONV_PARAMS)
RT_DEFORM_CONV_KERNELS(RT_DECLARE_KERNEL)

#endif
