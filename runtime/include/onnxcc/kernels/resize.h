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

/* Scratch memory every rt_resize variant needs for `p`. It grows with
 * every out_dims[d] and taps[d], so params at their largest give room for
 * any smaller run. */
int64_t rt_resize_scratch_bytes(const rt_resize_params *p);

/* Most input taps per output coordinate on one axis (antialias widens the
 * filter by 1/scale), and most tap combinations over the outer axes. */
#define RT_RESIZE_MAX_TAPS 64
#define RT_RESIZE_MAX_COMBOS 65536

/* ---- from operand values to params: one set of rules for the compiler
 * (constant operands) and rt_resize_prepare (run-time ones) ----
 * The rules of one node: interpolation `mode` (enum rt_resize_mode); the
 * `naxes` axes the operands describe, in their order (all axes when the
 * op has no axes attribute); keep_aspect_ratio_policy for sizes (0
 * stretch, 1 not_larger, 2 not_smaller); `upsample`: a scale below 1 is
 * an error (Upsample); max_taps[d]: the taps axis d may use (scratch is
 * reserved for them). For rt_resize_prepare only: the input index of each
 * operand (-1: absent), whether scales and roi are double (else float),
 * and the axes whose output dims it writes to out[0], in order. */
#define RT_RESIZE_RULE_PARAMS(I, F, IA, FA, I32, I32A, E)                                         \
  I32(mode) I32(naxes) I32A(axes, RT_MAX_RANK) I32(policy) I32(upsample) I32A(max_taps, RT_MAX_RANK) \
  I32(scales_in) I32(sizes_in) I32(roi_in) I32(scales_f64) I32(roi_f64) I32(n_defines)             \
  I32A(define_axes, RT_MAX_RANK)
RT_PARAMS_STRUCT(rt_resize_rule_params, RT_RESIZE_RULE_PARAMS)

/* What rt_resize_resolve may find wrong with the operand values. */
enum rt_resize_error {
  RT_RESIZE_OK = 0,
  RT_RESIZE_BAD_SCALE,      /* a scale not in (0, 1e9] */
  RT_RESIZE_SCALE_BELOW_1,  /* Upsample */
  RT_RESIZE_NEGATIVE_SIZE,
  RT_RESIZE_EMPTY_AXIS,     /* a non-zero size for an empty axis */
  RT_RESIZE_TOO_LARGE,      /* an output dim of max_dim or more */
  RT_RESIZE_TOO_MANY_TAPS,  /* more than max_taps[axis] */
  RT_RESIZE_TOO_MANY_COMBOS /* more than RT_RESIZE_MAX_COMBOS */
};

/* Completes p, whose rank, coord, antialias and in_dims are set, from the
 * operand values: exactly one of `scales` and `sizes` (q->naxes values),
 * and `roi` (2 * q->naxes values; NULL: the whole input). Sets scales,
 * scale_num/den, out_dims (floor(scale * in) from scales; from sizes per
 * the policy), roi_start/end and taps. Axes with an empty output dim make
 * the whole output empty: every taps[d] is then 1. Returns an enum
 * rt_resize_error, with *where the operand index (scales, sizes) or the
 * axis (taps) at fault. */
int rt_resize_resolve(rt_resize_params *p, const rt_resize_rule_params *q, const double *scales,
                      const int64_t *sizes, const double *roi, double max_dim, int *where);
/* The most taps axis d can need whatever the operand values, given
 * in_dims[d] (at its largest): 1 or the mode's 2 / 4, and with antialias
 * what the smallest scale leaving the output non-empty needs, at most
 * RT_RESIZE_MAX_TAPS. */
int32_t rt_resize_max_taps(const rt_resize_params *p, const rt_resize_rule_params *q, int d);

/* rt_resize_prepare (dims.h explains prepare kernels): reads the scales,
 * sizes and roi inputs that vary at run time, completes the Resize params
 * at out[1] with rt_resize_resolve (their in_dims already filled in) and
 * writes the output dims of q->define_axes to out[0]; operand values the
 * rules reject are RT_ERR_SHAPE. */

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_RESIZE_KERNELS(K)                    \
  K(rt_resize_nearest_8bit, rt_resize_params)   \
  K(rt_resize_nearest_16bit, rt_resize_params)  \
  K(rt_resize_nearest_32bit, rt_resize_params)  \
  K(rt_resize_nearest_64bit, rt_resize_params)  \
  K(rt_resize_f32_linear, rt_resize_params)     \
  K(rt_resize_f32_cubic, rt_resize_params)     \
  K(rt_resize_prepare, rt_resize_rule_params)
#define RT_RESIZE_PARAMS_TYPES(P) \
  P(rt_resize_params, RT_RESIZE_PARAMS) P(rt_resize_rule_params, RT_RESIZE_RULE_PARAMS)
RT_RESIZE_KERNELS(RT_DECLARE_KERNEL)

#endif
