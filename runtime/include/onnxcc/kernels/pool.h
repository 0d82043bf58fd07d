/* Pooling kernels: MaxPool, AveragePool, LpPool and their Global forms. */
#ifndef ONNXCC_KERNELS_POOL_H
#define ONNXCC_KERNELS_POOL_H

#include "../params.h"
#include "../runtime.h"

/* Pooling operations. Codes are stable: generated code stores them. */
#define RT_POOL_OPS(X) X(MAX) X(AVG) X(LP)

#define RT_POOL_ENUM(name) RT_POOL_##name,
enum rt_pool_op { RT_POOL_OPS(RT_POOL_ENUM) RT_POOL_COUNT };
#undef RT_POOL_ENUM

/* Pooling of `planes` (= N*C) independent planes of up to 3 spatial dims.
 * Fewer spatial dims are padded at the FRONT with size-1 dims (kernel 1,
 * stride 1, dilation 1, no padding), so a 2-D pool has in_dims {1, H, W}.
 * Window k of output o along a dim reads input o*stride - pads + k*dilation
 * when that lies in [0, in); positions outside are padding.
 *   MAX: max over the valid positions; with has_indices, out[1] gets the
 *        int64 flat index of the max in the whole input (row-major, or
 *        column-major within the spatial dims if storage_order is 1).
 *   AVG: sum / count, where count is the number of valid positions, or with
 *        count_include_pad the kernel size (padding counts as zeros).
 *   LP:  (sum |x|^p)^(1/p) over the valid positions.
 * global: kernel covers the whole input with no padding (Global*Pool);
 * the kernel then reduces each contiguous plane.
 * dtype: float or double for every op; int8/uint8 for MAX too.
 * Non-global AVG needs out_dims[2] elements of dtype as scratch. */
#define RT_POOL_PARAMS(I, F, IA, FA, I32, I32A, E)                                            \
  I(op) I(dtype) I(planes) I(global) I(has_indices) I(count_include_pad) I(p)  \
  I(storage_order) IA(in_dims, 3) IA(out_dims, 3) IA(kernel, 3)                \
  IA(strides, 3) IA(pads, 3) IA(dilations, 3)
RT_PARAMS_STRUCT(rt_pool_params, RT_POOL_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_POOL_KERNELS(K) \
  K(rt_pool, rt_pool_params)
#define RT_POOL_PARAMS_TYPES(P) \
  P(rt_pool_params, RT_POOL_PARAMS)
RT_POOL_KERNELS(RT_DECLARE_KERNEL)

#endif
