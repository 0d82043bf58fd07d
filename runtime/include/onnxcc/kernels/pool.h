/* Pooling kernels: MaxPool, AveragePool, LpPool and their Global forms. */
#ifndef ONNXCC_KERNELS_POOL_H
#define ONNXCC_KERNELS_POOL_H

#include "../params.h"
#include "../runtime.h"

/* Windowed pooling of `planes` (= N*C) independent planes of up to 3
 * spatial dims. Fewer spatial dims are padded at the FRONT with size-1 dims
 * (kernel 1, stride 1, dilation 1, no padding), so a 2-D pool has in_dims
 * {1, H, W}. Window k of output o along a dim reads input
 * o*stride - pads + k*dilation when that lies in [0, in); positions
 * outside are padding.
 *   rt_maxpool_T: max over the valid positions (T: f32, f64, i8, u8).
 *   rt_maxpool_T_indices: the same, and out[1] gets the int64 flat index
 *     of the max in the whole input (row-major, or column-major within the
 *     spatial dims if storage_order is 1).
 *   rt_avgpool_T: sum / count, where count is the number of valid
 *     positions, or with count_include_pad the kernel size (padding counts
 *     as zeros). Scratch: out_dims[2] elements of T.
 *   rt_lppool_T: (sum |x|^p)^(1/p) over the valid positions.
 * Fields a variant does not name are ignored by it. */
#define RT_POOL_PARAMS(I, F, IA, FA, I32, I32A, E)                                        \
  I(planes) I32(count_include_pad) I32(p) I32(storage_order) IA(in_dims, 3)              \
  IA(out_dims, 3) IA(kernel, 3) IA(strides, 3) IA(pads, 3) IA(dilations, 3)
RT_PARAMS_STRUCT(rt_pool_params, RT_POOL_PARAMS)

/* Global pools (GlobalMaxPool, GlobalAveragePool, GlobalLpPool): each of
 * `planes` contiguous planes of `size` elements reduces to one value.
 * p: LpPool's exponent. */
#define RT_GLOBALPOOL_PARAMS(I, F, IA, FA, I32, I32A, E) I(planes) I(size) I32(p)
RT_PARAMS_STRUCT(rt_globalpool_params, RT_GLOBALPOOL_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_POOL_KERNELS(K)                                                                   \
  K(rt_maxpool_f32, rt_pool_params) K(rt_maxpool_f64, rt_pool_params)                        \
  K(rt_maxpool_i8, rt_pool_params) K(rt_maxpool_u8, rt_pool_params)                          \
  K(rt_maxpool_f32_indices, rt_pool_params) K(rt_maxpool_f64_indices, rt_pool_params)        \
  K(rt_maxpool_i8_indices, rt_pool_params) K(rt_maxpool_u8_indices, rt_pool_params)          \
  K(rt_avgpool_f32, rt_pool_params) K(rt_avgpool_f64, rt_pool_params)                        \
  K(rt_lppool_f32, rt_pool_params) K(rt_lppool_f64, rt_pool_params)                          \
  K(rt_globalmaxpool_f32, rt_globalpool_params) K(rt_globalmaxpool_f64, rt_globalpool_params) \
  K(rt_globalavgpool_f32, rt_globalpool_params) K(rt_globalavgpool_f64, rt_globalpool_params) \
  K(rt_globallppool_f32, rt_globalpool_params) K(rt_globallppool_f64, rt_globalpool_params)
#define RT_POOL_PARAMS_TYPES(P) \
  P(rt_pool_params, RT_POOL_PARAMS) P(rt_globalpool_params, RT_GLOBALPOOL_PARAMS)
RT_POOL_KERNELS(RT_DECLARE_KERNEL)

#endif
