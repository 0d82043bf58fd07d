/* Col2Im: column blocks (as Im2Col would make them) summed back into an
 * image, PyTorch's fold for any number of spatial dims. */
#ifndef ONNXCC_KERNELS_COL2IM_H
#define ONNXCC_KERNELS_COL2IM_H

#include "../params.h"
#include "../runtime.h"

/* rt_col2im_T: x (in[0]) is [n, c * prod(block), l], y is [n, c,
 * img[0], ..., img[nsp - 1]]. Column (k, j) of channel c, k a block
 * offset and j a block position (each in row-major order over the nsp
 * spatial dims), adds into y at position j_d * strides[d] - pad_begin[d]
 * + k_d * dilations[d] along each dim d, when that is inside the image.
 * Scratch: none; y is zeroed first. T: f32, f64.
 * rt_col2im_prepare: image_shape (in[1]) and block_shape (in[2]), nsp
 * int64 each, read at run time into the Col2Im params (out[1]) and
 * checked there by rt_col2im_resolve; writes c and the nsp image dims to
 * out[0]. Values it refuses are RT_ERR_SHAPE. */
#define RT_COL2IM_PARAMS(I, F, IA, FA, I32, I32A, E)                                     \
  I32(nsp) I(n) I(c) I(l) I(channels) IA(img, RT_MAX_RANK) IA(block, RT_MAX_RANK)        \
  IA(strides, RT_MAX_RANK) IA(pad_begin, RT_MAX_RANK) IA(pad_end, RT_MAX_RANK) IA(dilations, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_col2im_params, RT_COL2IM_PARAMS)

/* Sets p->c from p->channels (x's dim 1) and the block, after checking
 * that the blocks fit: every block dim and image dim at least 1, channels
 * a multiple of the block's size, and l the number of block positions
 * (the product over d of (img + pads - dilated block) / stride + 1, each
 * at least 1). 0, or -1 when a rule fails. The compiler applies it to
 * constant shapes as well. */
int rt_col2im_resolve(rt_col2im_params *p);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_COL2IM_KERNELS(K) \
  K(rt_col2im_f32, rt_col2im_params) K(rt_col2im_f64, rt_col2im_params) K(rt_col2im_prepare, rt_col2im_params)
#define RT_COL2IM_PARAMS_TYPES(P) P(rt_col2im_params, RT_COL2IM_PARAMS)
RT_COL2IM_KERNELS(RT_DECLARE_KERNEL)

#endif
