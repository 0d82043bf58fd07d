/* GridSample: sampling an image at the points a grid gives; AffineGrid:
 * making such a grid. */
#ifndef ONNXCC_KERNELS_GRIDSAMPLE_H
#define ONNXCC_KERNELS_GRIDSAMPLE_H

#include "../params.h"
#include "../runtime.h"

/* Interpolation (ONNX linear/bilinear, nearest, cubic/bicubic) and what is
 * read outside the image (zeros, the border pixel, the pixel reflected at
 * the border). */
#define RT_GRIDSAMPLE_MODES(X) X(LINEAR) X(NEAREST) X(CUBIC)
#define RT_GRIDSAMPLE_PADDINGS(X) X(ZEROS) X(BORDER) X(REFLECTION)
#define RT_GRIDSAMPLE_NAME_(n) RT_GS_##n,
enum rt_gridsample_mode { RT_GRIDSAMPLE_MODES(RT_GRIDSAMPLE_NAME_) RT_GS_MODE_COUNT_ };
enum rt_gridsample_padding { RT_GRIDSAMPLE_PADDINGS(RT_GRIDSAMPLE_NAME_) RT_GS_PADDING_COUNT_ };
#undef RT_GRIDSAMPLE_NAME_

/* rt_gridsample_T: x [n, c, in_dims...] and grid [n, out_dims..., r] of
 * element type T give y [n, c, out_dims...], r = `rank` spatial dims (1 to
 * 3). The grid's last axis lists normalised coordinates in [-1, 1] from
 * the last spatial dim to the first (x for width first). -1 and 1 are the
 * centres of the edge pixels with align_corners, else the outer edges of
 * the edge pixels. Nearest rounds half to even; cubic is Keys' convolution
 * with a = -0.75 over 4 taps per dim. A coordinate beyond the image is
 * clamped (border) or reflected (reflection) before the taps are taken,
 * and each tap outside the image reads 0, the clamped or the reflected
 * pixel. T: f32, f64 (coordinates and sums in T). */
#define RT_GRIDSAMPLE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(n) I(c) I32(rank) IA(in_dims, 3) IA(out_dims, 3) I32(align_corners) \
  E(mode, RT_GS_, RT_GRIDSAMPLE_MODES) E(padding, RT_GS_, RT_GRIDSAMPLE_PADDINGS)
RT_PARAMS_STRUCT(rt_gridsample_params, RT_GRIDSAMPLE_PARAMS)

/* rt_affine_grid_T: theta in[0] [n, r, r + 1] (r = `rank`, 2 or 3) gives
 * y [n, dims..., r]: at each point the normalised coordinates (x from the
 * last dim, then y, then z), homogeneous with a 1, times theta_n. A
 * coordinate along a dim of size s is -1 + 2 i / (s - 1) with
 * align_corners (-1 when s is 1), else -1 + (2 i + 1) / s: pixel centres.
 * Computed in double. T: f32, f64.
 * rt_affine_grid_prepare: the size in[1] (int64 [r + 2]) gives dims,
 * written to out[0][0..r-1]; a negative value, or size[0] other than
 * the n of the params at out[1], is RT_ERR_SHAPE. */
#define RT_AFFINE_GRID_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) IA(dims, 3) I32(rank) I32(align_corners)
RT_PARAMS_STRUCT(rt_affine_grid_params, RT_AFFINE_GRID_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_GRIDSAMPLE_KERNELS(K) \
  K(rt_gridsample_f32, rt_gridsample_params) K(rt_gridsample_f64, rt_gridsample_params) \
  K(rt_affine_grid_f32, rt_affine_grid_params) K(rt_affine_grid_f64, rt_affine_grid_params) \
  K(rt_affine_grid_prepare, rt_affine_grid_params)
#define RT_GRIDSAMPLE_PARAMS_TYPES(P) \
  P(rt_gridsample_params, RT_GRIDSAMPLE_PARAMS) P(rt_affine_grid_params, RT_AFFINE_GRID_PARAMS)
RT_GRIDSAMPLE_KERNELS(RT_DECLARE_KERNEL)

#endif
