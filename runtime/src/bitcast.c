/* BitCast between sub-byte types (bitcast.h): the low bits of each byte,
 * sign-extended for the signed types by subtracting 2^bits when the top
 * one is set (no shift of a negative value). */
#include "onnxcc/kernels/bitcast.h"

#define BITCAST_KERNEL(t, BITS, SIGNED)                                          \
  RT_KERNEL(rt_bitcast_to_##t) {                                                 \
    const rt_bitcast_params *p = (const rt_bitcast_params *)params;              \
    const uint8_t *x = (const uint8_t *)in[0];                                   \
    uint8_t *y = (uint8_t *)out[0];                                              \
    int64_t i;                                                                   \
    (void)scratch;                                                               \
    for (i = 0; i < p->count; i++) {                                             \
      const int v = x[i] & ((1 << BITS) - 1);                                    \
      y[i] = (uint8_t)(int8_t)(SIGNED && (v >> (BITS - 1)) ? v - (1 << BITS) : v); \
    }                                                                            \
  }

BITCAST_KERNEL(u4, 4, 0)
BITCAST_KERNEL(i4, 4, 1)
BITCAST_KERNEL(u2, 2, 0)
BITCAST_KERNEL(i2, 2, 1)
