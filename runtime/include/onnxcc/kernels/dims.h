/* Values that are dims: what Shape and Size write when the dims they read
 * are only known at run time. The generated code fills the params from
 * the run's dims; the kernel stores them. */
#ifndef ONNXCC_KERNELS_DIMS_H
#define ONNXCC_KERNELS_DIMS_H

#include "../params.h"
#include "../runtime.h"

/* rt_dims_i64: y[i] = values[i] for i < count (count <= 8), as int64. */
#define RT_DIMS_PARAMS(I, F, IA, FA, I32, I32A, E) I32(count) IA(values, 8)
RT_PARAMS_STRUCT(rt_dims_params, RT_DIMS_PARAMS)

#define RT_DIMS_KERNELS(K) K(rt_dims_i64, rt_dims_params)
#define RT_DIMS_PARAMS_TYPES(P) P(rt_dims_params, RT_DIMS_PARAMS)
RT_DIMS_KERNELS(RT_DECLARE_KERNEL)

#endif
