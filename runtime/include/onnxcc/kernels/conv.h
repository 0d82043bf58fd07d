/* Convolution kernels: Conv and ConvTranspose over 1 to 6 spatial dims,
 * float only. */
#ifndef ONNXCC_KERNELS_CONV_H
#define ONNXCC_KERNELS_CONV_H

#include "../params.h"
#include "../runtime.h"

#define RT_CONV_MAX_DIMS 6

/* How rt_conv computes (the compiler picks; codes are stable). */
enum rt_conv_mode {
  RT_CONV_IM2COL = 0,    /* im2col blocks into scratch, then rt_sgemm */
  RT_CONV_POINTWISE = 1, /* 1x1, stride 1, no padding: X already is the matrix */
  RT_CONV_DIRECT = 2     /* one input channel per group (depthwise): direct loops */
};

/* Conv: X [batch, in_ch, in_dims...] (*) W [out_ch, in_ch/group, kernel...]
 * (+ B [out_ch] when has_bias) -> Y [batch, out_ch, out_dims...].
 * pads holds the leading pad of each spatial dim (the trailing ones only
 * matter through out_dims). ConvTranspose uses the same struct with
 * W [in_ch, out_ch/group, kernel...]; for it, pads are the leading pads
 * cropped from the full output. Scratch: rt_conv_scratch_bytes /
 * rt_conv_transpose_scratch_bytes. */
#define RT_CONV_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(mode) I(nd) I(batch) I(in_ch) I(out_ch) I(group) I(has_bias) \
  IA(in_dims, RT_CONV_MAX_DIMS) IA(out_dims, RT_CONV_MAX_DIMS) \
  IA(kernel, RT_CONV_MAX_DIMS) IA(strides, RT_CONV_MAX_DIMS) \
  IA(dilations, RT_CONV_MAX_DIMS) IA(pads, RT_CONV_MAX_DIMS)
RT_PARAMS_STRUCT(rt_conv_params, RT_CONV_PARAMS)


size_t rt_conv_scratch_bytes(const rt_conv_params *p);
size_t rt_conv_transpose_scratch_bytes(const rt_conv_params *p);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_CONV_KERNELS(K) \
  K(rt_conv, rt_conv_params) \
  K(rt_conv_transpose, rt_conv_params)
#define RT_CONV_PARAMS_TYPES(P) \
  P(rt_conv_params, RT_CONV_PARAMS)
RT_CONV_KERNELS(RT_DECLARE_KERNEL)

#endif
