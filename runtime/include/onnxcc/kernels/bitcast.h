/* BitCast between sub-byte types (kernels of compiler/ops/bitcast.c).
 *
 * BitCast between types of whole bytes changes no byte, so the compiler
 * makes it a view (or rt_copy). The sub-byte types are one element per
 * byte in memory (runtime.h), int4 and int2 sign-extended, so the same
 * bits read as another type of that width need the high bits of the byte
 * redone: rt_bitcast_to_T keeps the low 4 (T: u4, also for float4e2m1's
 * pattern; i4) or 2 (u2, i2) bits of each of `count` bytes, sign-extended
 * for i4 and i2. */
#ifndef ONNXCC_KERNELS_BITCAST_H
#define ONNXCC_KERNELS_BITCAST_H

#include "../params.h"
#include "../runtime.h"

#define RT_BITCAST_PARAMS(I, F, IA, FA, I32, I32A, E) I(count)
RT_PARAMS_STRUCT(rt_bitcast_params, RT_BITCAST_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_BITCAST_KERNELS(K)                                                              \
  K(rt_bitcast_to_u4, rt_bitcast_params) K(rt_bitcast_to_i4, rt_bitcast_params)            \
  K(rt_bitcast_to_u2, rt_bitcast_params) K(rt_bitcast_to_i2, rt_bitcast_params)
#define RT_BITCAST_PARAMS_TYPES(P) P(rt_bitcast_params, RT_BITCAST_PARAMS)
RT_BITCAST_KERNELS(RT_DECLARE_KERNEL)

#endif
