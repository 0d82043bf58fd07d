/* Kernels of ops that make tensors from shapes and counts, for when those
 * are only known at run time: Shape and Size of tensors with variable
 * dims (rt_dims_i64), Range, ConstantOfShape. (With everything known at
 * compile time the compiler evaluates these ops itself.)
 *
 * A *_prepare kernel (here and in other families) runs before its op's
 * kernel: it reads the op's inputs, writes the output dims it computes to
 * out[0] (int64, -1 where the inputs are invalid), may complete the op's
 * params through out[1], and sets *(int *)out[2] to an rt_status error
 * for input values it cannot accept. The generated code checks the dims
 * against their bounds. */
#ifndef ONNXCC_KERNELS_DIMS_H
#define ONNXCC_KERNELS_DIMS_H

#include "../params.h"
#include "../runtime.h"

/* rt_dims_i64: y[i] = values[i] for i < count (count <= 8), as int64. */
#define RT_DIMS_PARAMS(I, F, IA, FA, I32, I32A, E) I32(count) IA(values, 8)
RT_PARAMS_STRUCT(rt_dims_params, RT_DIMS_PARAMS)

/* rt_range_T: y[i] = start + i * delta for i < count, start and delta
 * read from in[0] and in[2] (float: computed in float, as the spec's
 * reference; integers wrap). rt_range_prepare_T: count = max(ceil((limit
 * - start) / delta), 0) from in[0..2]; -1 when delta is 0 or the count is
 * not a number. T: f32, f64, i16, i32, i64. */
#define RT_RANGE_PARAMS(I, F, IA, FA, I32, I32A, E) I(count)
RT_PARAMS_STRUCT(rt_range_params, RT_RANGE_PARAMS)

/* rt_constant_of_shape_<bytes>: `count` copies of the element whose bits
 * are the low `bytes` bytes of `bits` (little-endian order of the value).
 * rt_constant_of_shape_prepare: the dims are in[0]'s `rank` int64 values
 * (-1 for a negative one). */
#define RT_FILL_PARAMS(I, F, IA, FA, I32, I32A, E) I(count) I(bits)
RT_PARAMS_STRUCT(rt_fill_params, RT_FILL_PARAMS)
#define RT_SHAPE_INPUT_PARAMS(I, F, IA, FA, I32, I32A, E) I32(rank)
RT_PARAMS_STRUCT(rt_shape_input_params, RT_SHAPE_INPUT_PARAMS)

/* rt_reshape_prepare: Reshape's output dims from the target shape in[1]
 * (out_rank int64 values) and the input's dims: 0 copies the input's dim
 * (unless allowzero), one -1 takes the rest of the element count. A
 * shape that does not fit the input is RT_ERR_SHAPE. */
#define RT_RESHAPE_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(in_rank) I32(out_rank) I32(allowzero) IA(in_dims, 8)
RT_PARAMS_STRUCT(rt_reshape_prepare_params, RT_RESHAPE_PREPARE_PARAMS)

/* rt_squeeze_prepare / rt_unsqueeze_prepare: Squeeze's or Unsqueeze's
 * axes read at run time (in[1]: n_axes int64 values, counted from the end
 * when negative: against in_rank for Squeeze, in_rank + n_axes for
 * Unsqueeze). The output dims whose bit is set in out_mask go to out[0] in
 * order. An axis out of range or listed twice, or a squeezed dim that is
 * not 1, is RT_ERR_SHAPE. */
#define RT_AXES_PREPARE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I32(in_rank) I32(n_axes) I32(out_mask) IA(in_dims, 8)
RT_PARAMS_STRUCT(rt_axes_prepare_params, RT_AXES_PREPARE_PARAMS)

#define RT_RANGE_K_(K, t) K(rt_range_##t, rt_range_params) K(rt_range_prepare_##t, rt_range_params)
#define RT_DIMS_KERNELS(K) \
  K(rt_dims_i64, rt_dims_params) \
  RT_RANGE_K_(K, f32) RT_RANGE_K_(K, f64) RT_RANGE_K_(K, i16) RT_RANGE_K_(K, i32) RT_RANGE_K_(K, i64) \
  K(rt_constant_of_shape_1, rt_fill_params) K(rt_constant_of_shape_2, rt_fill_params) \
  K(rt_constant_of_shape_4, rt_fill_params) K(rt_constant_of_shape_8, rt_fill_params) \
  K(rt_constant_of_shape_prepare, rt_shape_input_params) \
  K(rt_reshape_prepare, rt_reshape_prepare_params) \
  K(rt_squeeze_prepare, rt_axes_prepare_params) K(rt_unsqueeze_prepare, rt_axes_prepare_params)
#define RT_DIMS_PARAMS_TYPES(P) \
  P(rt_reshape_prepare_params, RT_RESHAPE_PREPARE_PARAMS) P(rt_axes_prepare_params, RT_AXES_PREPARE_PARAMS) \
  P(rt_dims_params, RT_DIMS_PARAMS) P(rt_range_params, RT_RANGE_PARAMS) P(rt_fill_params, RT_FILL_PARAMS) \
  P(rt_shape_input_params, RT_SHAPE_INPUT_PARAMS)
RT_DIMS_KERNELS(RT_DECLARE_KERNEL)

#endif
