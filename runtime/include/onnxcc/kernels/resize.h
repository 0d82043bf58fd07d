/* Resize / Upsample: N-D nearest, (multi)linear and (multi)cubic
 * interpolation, separable per axis. */
#ifndef ONNXCC_KERNELS_RESIZE_H
#define ONNXCC_KERNELS_RESIZE_H

#include "../params.h"
#include "../runtime.h"

/* Interpolation modes: the compiler's names for the variants
 * (rt_resize_nearest_W, rt_resize_f32_linear, rt_resize_f32_cubic). */
enum rt_resize_mode { RT_RESIZE_NEAREST = 0, RT_RESIZE_LINEAR = 1, RT_RESIZE_CUBIC = 2 };

/* Coordinate transformations and nearest modes stay run-time fields: they
 * only shape the tap tables each call builds once, never the row loops. */
#define RT_RESIZE_COORDS(X)                                                          \
  X(HALF_PIXEL) X(ASYMMETRIC) X(PYTORCH_HALF_PIXEL) X(TF_HALF_PIXEL_FOR_NN)          \
  X(ALIGN_CORNERS) X(TF_CROP_AND_RESIZE) X(HALF_PIXEL_SYMMETRIC)
/* SIMPLE (opset < 11): truncate when upsampling, ceil when downsampling. */
#define RT_RESIZE_NEAREST_MODES(X) \
  X(ROUND_PREFER_FLOOR) X(ROUND_PREFER_CEIL) X(FLOOR) X(CEIL) X(SIMPLE)
#define RT_RESIZE_COORD_NAME_(n) RT_COORD_##n,
#define RT_RESIZE_NEAREST_NAME_(n) RT_NEAREST_##n,
enum rt_resize_coord { RT_RESIZE_COORDS(RT_RESIZE_COORD_NAME_) RT_COORD_COUNT_ };
enum rt_resize_nearest { RT_RESIZE_NEAREST_MODES(RT_RESIZE_NEAREST_NAME_) RT_NEAREST_COUNT_ };
#undef RT_RESIZE_COORD_NAME_
#undef RT_RESIZE_NEAREST_NAME_

/* Each output coordinate maps to an input coordinate (per `coord`), which
 * reads taps[d] input elements around it (1 for nearest and for axes left
 * unchanged, 2 linear, 4 cubic, more with antialias). An axis's scale is
 * scale_num/scale_den when scale_den > 0 (sizes given), else scales[d].
 * Outside the tf_crop_and_resize box the output is fill_bits, the
 * element's bit pattern as an unsigned integer of its width. The kernel
 * builds its per-axis index and weight tables in scratch:
 * rt_resize_scratch_bytes(p) bytes. The nearest variants move elements of
 * any type by width; linear and cubic are float only. */
#define RT_RESIZE_PARAMS(I, F, IA, FA, I32, I32A, E)                                        \
  I32(rank) E(coord, RT_COORD_, RT_RESIZE_COORDS) E(nearest, RT_NEAREST_, RT_RESIZE_NEAREST_MODES) \
  I32(exclude_outside) I32(antialias) F(cubic_a) I(fill_bits) I32A(taps, RT_MAX_RANK)       \
  IA(in_dims, RT_MAX_RANK) IA(out_dims, RT_MAX_RANK) IA(scale_num, RT_MAX_RANK)             \
  IA(scale_den, RT_MAX_RANK) FA(scales, RT_MAX_RANK) FA(roi_start, RT_MAX_RANK)             \
  FA(roi_end, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_resize_params, RT_RESIZE_PARAMS)

/* Scratch memory every rt_resize variant needs for `p`. */
int64_t rt_resize_scratch_bytes(const rt_resize_params *p);

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_RESIZE_KERNELS(K)                    \
  K(rt_resize_nearest_8bit, rt_resize_params)   \
  K(rt_resize_nearest_16bit, rt_resize_params)  \
  K(rt_resize_nearest_32bit, rt_resize_params)  \
  K(rt_resize_nearest_64bit, rt_resize_params)  \
  K(rt_resize_f32_linear, rt_resize_params)     \
  K(rt_resize_f32_cubic, rt_resize_params)
#define RT_RESIZE_PARAMS_TYPES(P) \
  P(rt_resize_params, RT_RESIZE_PARAMS)
RT_RESIZE_KERNELS(RT_DECLARE_KERNEL)

#endif
