/* The width of the runtime's index arithmetic.
 *
 * The kernel ABI passes sizes, strides and counts as int64_t. On a 32-bit
 * MCU every 64-bit division or modulo of them is a call to a software
 * routine (__aeabi_ldivmod on Arm), tens of cycles and a few hundred bytes
 * of flash. Built with ONNXCC_RT_INDEX32 (the meson option runtime_index32,
 * on for the bare-metal targets), the kernels divide indices in 32 bits
 * instead; the generated code of a model whose buffers pass RT_INDEX32_MAX
 * elements or bytes refuses to build against such a runtime (RT_INDEX_BITS
 * in <onnxcc/runtime.h>), so the narrowing never drops bits. Data values
 * (an int64 tensor's elements, Range's limits) keep their own width: only
 * indices go through these. */
#ifndef ONNXCC_INDEX_INTERNAL_H
#define ONNXCC_INDEX_INTERNAL_H

#include <stdint.h>

#include "onnxcc/runtime.h"

#if RT_INDEX_BITS == 32
typedef int32_t rt_idx;
#else
typedef int64_t rt_idx;
#endif

/* Quotient and remainder of two indices (an element count, a stride, an
 * offset), computed at the index width and widened back. */
#define RT_IDIV(a, b) ((int64_t)((rt_idx)(a) / (rt_idx)(b)))
#define RT_IMOD(a, b) ((int64_t)((rt_idx)(a) % (rt_idx)(b)))

#endif
