/* RoiAlign and MaxRoiPool: each region of interest of an image pooled to
 * a fixed grid of bins, by bilinear sampling or by the max over whole
 * pixels. */
#ifndef ONNXCC_KERNELS_ROI_H
#define ONNXCC_KERNELS_ROI_H

#include "../params.h"
#include "../runtime.h"
#include "sequence.h" /* RT_STATUS_SLOT */

/* How the samples of a bin are combined. */
#define RT_ROI_MODES(X) X(AVG) X(MAX)
#define RT_ROI_NAME_(n) RT_ROI_##n,
enum rt_roi_mode { RT_ROI_MODES(RT_ROI_NAME_) RT_ROI_MODE_COUNT_ };
#undef RT_ROI_NAME_

/* rt_roi_align_T: x in[0] [n, c, h, w], rois in[1] [rois, 4] (x1, y1,
 * x2, y2 in x's pixels once scaled by spatial_scale) and batch_indices
 * in[2] [rois] int64 give y [rois, c, out_h, out_w]. A region starts at
 * x1 * spatial_scale (minus 0.5 with half_pixel) and spans at least 1
 * pixel each way unless half_pixel; each of its out_h x out_w bins takes
 * sampling_ratio (0: ceil(region / bins), per axis) samples per axis at
 * the sub-bin centres. A sample beyond [-1, h] x [-1, w] counts as 0; one
 * within is clamped to the image and read bilinearly. avg: the mean of
 * the samples. max: the largest of the four weighted corner terms of
 * each sample (not of the interpolated values), the largest over the
 * samples, as the ONNX reference and its test data do; ONNX Runtime 1.20
 * agrees but warns that it means to change it. Computed in double.
 * A batch index outside [0, n) is RT_ERR_VALUE at out[RT_STATUS_SLOT]
 * (when not NULL); that region's output is 0. T: f32, f64. */
#define RT_ROI_ALIGN_PARAMS(I, F, IA, FA, I32, I32A, E)                                       \
  I(rois) I(n) I(c) I(h) I(w) I(out_h) I(out_w) I(sampling_ratio) F(spatial_scale) I32(half_pixel) \
  E(mode, RT_ROI_, RT_ROI_MODES)
RT_PARAMS_STRUCT(rt_roi_align_params, RT_ROI_ALIGN_PARAMS)

/* rt_max_roi_pool_T (rt_roi_align_params; sampling_ratio, half_pixel and
 * mode unused): x in[0] [n, c, h, w] and rois in[1] [rois, 5] (batch
 * index, x1, y1, x2, y2) give y [rois, c, out_h, out_w], as ONNX Runtime
 * (Fast R-CNN's RoI pooling) computes it: the corners times
 * spatial_scale, rounded half away from zero; the region (x2 - x1 + 1) x
 * (y2 - y1 + 1) pixels, at least 1 x 1, in bins of T size; bin (ph, pw)
 * the max over rows y1 + floor(ph * bin_h) to y1 + ceil((ph + 1) * bin_h)
 * (excluded) and likewise columns, clamped to the image; an empty bin is
 * 0. The batch index is truncated; outside [0, n) it is RT_ERR_VALUE as
 * for RoiAlign. T: f32, f64. */

#define RT_ROI_KERNELS(K)                                                                            \
  K(rt_roi_align_f32, rt_roi_align_params) K(rt_roi_align_f64, rt_roi_align_params)                 \
  K(rt_max_roi_pool_f32, rt_roi_align_params) K(rt_max_roi_pool_f64, rt_roi_align_params)
#define RT_ROI_PARAMS_TYPES(P) P(rt_roi_align_params, RT_ROI_ALIGN_PARAMS)
RT_ROI_KERNELS(RT_DECLARE_KERNEL)

#endif
