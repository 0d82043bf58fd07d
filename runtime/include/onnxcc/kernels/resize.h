/* Resize / Upsample: N-D nearest, (multi)linear and (multi)cubic
 * interpolation, separable per axis. */
#ifndef ONNXCC_KERNELS_RESIZE_H
#define ONNXCC_KERNELS_RESIZE_H

#include "../params.h"
#include "../runtime.h"

/* Codes are stable: generated code stores them. */
enum rt_resize_mode { RT_RESIZE_NEAREST = 0, RT_RESIZE_LINEAR = 1, RT_RESIZE_CUBIC = 2 };

enum rt_resize_coord {
  RT_COORD_HALF_PIXEL = 0,
  RT_COORD_ASYMMETRIC = 1,
  RT_COORD_PYTORCH_HALF_PIXEL = 2,
  RT_COORD_TF_HALF_PIXEL_FOR_NN = 3,
  RT_COORD_ALIGN_CORNERS = 4,
  RT_COORD_TF_CROP_AND_RESIZE = 5,
  RT_COORD_HALF_PIXEL_SYMMETRIC = 6
};

enum rt_resize_nearest {
  RT_NEAREST_ROUND_PREFER_FLOOR = 0,
  RT_NEAREST_ROUND_PREFER_CEIL = 1,
  RT_NEAREST_FLOOR = 2,
  RT_NEAREST_CEIL = 3,
  RT_NEAREST_SIMPLE = 4 /* opset < 11: truncate when upsampling, ceil when downsampling */
};

/* Each output coordinate maps to an input coordinate (per `coord`), which
 * reads taps[d] input elements around it (1 for nearest and for axes left
 * unchanged, 2 linear, 4 cubic, more with antialias). An axis's scale is
 * scale_num/scale_den when scale_den > 0 (sizes given), else scales[d].
 * is_float: the element type is float (required for linear and cubic;
 * nearest moves any esize). The kernel builds its per-axis index and weight
 * tables in scratch: rt_resize_scratch_bytes(p) bytes. */
#define RT_RESIZE_PARAMS(I, F, IA, FA, I32, I32A, E)                                                     \
  I(rank) I(esize) I(is_float) I(mode) I(coord) I(nearest) I(exclude_outside) I(antialias) \
  F(cubic_a) F(extrapolation) IA(in_dims, RT_MAX_RANK) IA(out_dims, RT_MAX_RANK)          \
  IA(taps, RT_MAX_RANK) IA(scale_num, RT_MAX_RANK) IA(scale_den, RT_MAX_RANK)             \
  FA(scales, RT_MAX_RANK) FA(roi_start, RT_MAX_RANK) FA(roi_end, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_resize_params, RT_RESIZE_PARAMS)

/* Scratch memory rt_resize needs for `p`. */
int64_t rt_resize_scratch_bytes(const rt_resize_params *p);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_RESIZE_KERNELS(K) \
  K(rt_resize, rt_resize_params)
#define RT_RESIZE_PARAMS_TYPES(P) \
  P(rt_resize_params, RT_RESIZE_PARAMS)
RT_RESIZE_KERNELS(RT_DECLARE_KERNEL)

#endif
