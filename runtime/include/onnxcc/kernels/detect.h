/* Kernels whose output count only the data decides: NonMaxSuppression
 * (rt_nms) and Unique (rt_unique_T).
 *
 * Their outputs are buffers sized for the compiler's bounds; the kernel
 * writes them densely at the actual dims and reports the count it found,
 * int64, in the output slot after the node's last output (lowered.h,
 * defines_after), when that slot is not NULL. A count of -1 there means
 * input values the op refuses (the run fails with RT_ERR_SHAPE). Both
 * need scratch memory of the size given with their params. */
#ifndef ONNXCC_KERNELS_DETECT_H
#define ONNXCC_KERNELS_DETECT_H

#include "../params.h"
#include "../runtime.h"

/* rt_nms: boxes in[0] [batches, spatial, 4] float, scores in[1]
 * [batches, classes, spatial] float, then the optional scalars
 * max_output_boxes_per_class in[2] (int64; absent: 0), iou_threshold
 * in[3] (float; absent: 0) and score_threshold in[4] (float; absent: no
 * threshold). Per batch and class, as ONNX Runtime: candidates are the
 * boxes whose score is strictly greater than the threshold, taken by
 * score, highest first (ties: lower index first); one is kept unless its
 * IOU with a box kept before is strictly greater than iou_threshold
 * (boxes whose intersection or area is not positive never suppress),
 * until max_output_boxes_per_class are kept. out[0] gets [count, 3]
 * int64 rows (batch, class, box), out[1][0] the count (-1 for an
 * iou_threshold outside [0, 1]). center_point_box: 0 for corners
 * (y1, x1, y2, x2) in either order, 1 for (x center, y center, width,
 * height). Scratch: RT_NMS_SCRATCH(spatial) bytes. */
#define RT_NMS_PARAMS(I, F, IA, FA, I32, I32A, E) I(batches) I(classes) I(spatial) I32(center_point_box)
RT_PARAMS_STRUCT(rt_nms_params, RT_NMS_PARAMS)
#define RT_NMS_SCRATCH(spatial) ((spatial) * 3 * 8)

/* rt_unique_T: x in[0] viewed as [outer, n, inner]; the n slices
 * x[:, i, :] are the items (n = the element count, outer = inner = 1
 * without an axis), compared element by element in row-major order with
 * T's < (float -0 and 0 are one value). The U distinct items, in
 * ascending order (sorted) or in order of first occurrence, go to
 * out[0] as [outer, U, inner], the index of each one's first occurrence
 * to out[1], each item's position among them to out[2] (n values), each
 * one's number of occurrences to out[3]; an absent (NULL) output is not
 * written. U goes to out[n_out][0]. Scratch: RT_UNIQUE_SCRATCH(n) bytes.
 * T: f32, f64, f16, bf16, i8, i16, i32, i64, u8, u16, u32, u64, bool. */
#define RT_UNIQUE_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(inner) I32(sorted) I32(n_out)
RT_PARAMS_STRUCT(rt_unique_params, RT_UNIQUE_PARAMS)
#define RT_UNIQUE_SCRATCH(n) ((n) * 4 * 8)

#define RT_DETECT_KERNELS(K)                                                                       \
  K(rt_nms, rt_nms_params)                                                                         \
  K(rt_unique_f32, rt_unique_params) K(rt_unique_f64, rt_unique_params)                           \
  K(rt_unique_f16, rt_unique_params) K(rt_unique_bf16, rt_unique_params)                          \
  K(rt_unique_i8, rt_unique_params) K(rt_unique_i16, rt_unique_params)                            \
  K(rt_unique_i32, rt_unique_params) K(rt_unique_i64, rt_unique_params)                           \
  K(rt_unique_u8, rt_unique_params) K(rt_unique_u16, rt_unique_params)                            \
  K(rt_unique_u32, rt_unique_params) K(rt_unique_u64, rt_unique_params)                           \
  K(rt_unique_bool, rt_unique_params)
#define RT_DETECT_PARAMS_TYPES(P) P(rt_nms_params, RT_NMS_PARAMS) P(rt_unique_params, RT_UNIQUE_PARAMS)
RT_DETECT_KERNELS(RT_DECLARE_KERNEL)

#endif
