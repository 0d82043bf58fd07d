/* CenterCropPad: the input cropped or zero-padded to a target size on
 * some axes, centred. The copy itself is Pad's constant kernel
 * (rt_pad_constant_W, tensor.h), whose begin may be negative to crop; this
 * header has the prepare kernel for a target known only at run time. */
#ifndef ONNXCC_KERNELS_CROPPAD_H
#define ONNXCC_KERNELS_CROPPAD_H

#include "../params.h"
#include "../runtime.h"

/* Where axis d of length `in` starts in an output of length `target`: the
 * crop window starts at (in - target) / 2 rounded down, the padding before
 * it is (target - in) / 2 rounded down (the odd element goes after), both
 * being (target - in) / 2 truncated toward zero. The compiler applies it
 * to a constant target as well. */
int64_t rt_center_crop_pad_begin(int64_t in, int64_t target);

/* rt_center_crop_pad_prepare: in[1] holds the `naxes` targets (int32 when
 * shape_i32, else int64) of axes `axes` of an input of `rank` dims
 * `in_dims`. Writes each target to out[0], in order, and the axis's begin
 * (rt_center_crop_pad_begin) into the Pad params (rt_pad_params.begin). A
 * negative target is RT_ERR_SHAPE. */
#define RT_CROPPAD_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(rank) I32(naxes) I32A(axes, RT_MAX_RANK) I32(shape_i32) IA(in_dims, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_croppad_prepare_params, RT_CROPPAD_PREPARE_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_CROPPAD_KERNELS(K) K(rt_center_crop_pad_prepare, rt_croppad_prepare_params)
#define RT_CROPPAD_PARAMS_TYPES(P) P(rt_croppad_prepare_params, RT_CROPPAD_PREPARE_PARAMS)
RT_CROPPAD_KERNELS(RT_DECLARE_KERNEL)

#endif
