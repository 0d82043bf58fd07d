/* Cast between element types: one kernel per (from, to) pair, made from
 * one read and one write function per type. A value goes through double
 * when either side is a float type (float16, bfloat16 and float8 through
 * float), through int64_t when both are integers or bool; to the 4- and
 * 2-bit integers always through double, since those saturate where other
 * integers wrap. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/elementwise.h"
#include "half_internal.h"

/* Reading: any type as double. */
#define RD_f32(x) (double)(x)
#define RD_f64(x) (x)
#define RD_f16(x) (double)half_to_float(x)
#define RD_bf16(x) (double)bf16_to_float(x)
#define RD_bool(x) (double)(x)
#define RD_i8(x) (double)(x)
#define RD_i16(x) (double)(x)
#define RD_i32(x) (double)(x)
#define RD_i64(x) (double)(x)
#define RD_u8(x) (double)(x)
#define RD_u16(x) (double)(x)
#define RD_u32(x) (double)(x)
#define RD_u64(x) (double)(x)
#define RD_f8e4m3fn(x) (double)f8_to_float(x, F8_E4M3FN)
#define RD_f8e4m3fnuz(x) (double)f8_to_float(x, F8_E4M3FNUZ)
#define RD_f8e5m2(x) (double)f8_to_float(x, F8_E5M2)
#define RD_f8e5m2fnuz(x) (double)f8_to_float(x, F8_E5M2FNUZ)
#define RD_i4(x) (double)(x)
#define RD_u4(x) (double)(x)
#define RD_f4e2m1(x) (double)f8_to_float(x, F4_E2M1)
#define RD_f8e8m0(x) (double)e8m0_to_float(x)
#define RD_i2(x) (double)(x)
#define RD_u2(x) (double)(x)

/* Float to integer: saturate instead of the undefined behaviour C has for
 * out-of-range values; NaN gives 0. */
static int64_t f_to_i(double v, double lo, double hi) {
  if (v != v) return 0;
  if (v <= lo) return (int64_t)lo;
  if (v >= hi) return (int64_t)hi;
  return (int64_t)v;
}

static uint64_t f_to_u64(double v) {
  return v != v || v <= 0.0 ? 0 : (v >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)v);
}

/* To a 4- or 2-bit integer: as ONNX's reference for 4 bits, the value as
 * float clamped to [lo, hi], then rounded to nearest even; NaN gives 0. */
static int8_t f_to_small_int(double v, float lo, float hi) {
  float f = (float)v;
  if (f != f) return 0;
  return (int8_t)nearbyintf(f < lo ? lo : f > hi ? hi : f);
}

/* Writing from double. The float8 writers read the kernel's `p->saturate`
 * (and f8e8m0 its `p->round_mode`; only they do: CAST_KERNEL). */
#define WF_f32(v) (float)(v)
#define WF_f64(v) (v)
#define WF_f16(v) float_to_half((float)(v))
#define WF_bf16(v) float_to_bf16((float)(v))
#define WF_bool(v) (uint8_t)((v) != 0.0)
#define WF_i8(v) (int8_t)f_to_i(v, -128.0, 127.0)
#define WF_i16(v) (int16_t)f_to_i(v, -32768.0, 32767.0)
#define WF_i32(v) (int32_t)f_to_i(v, -2147483648.0, 2147483647.0)
#define WF_i64(v) f_to_i(v, -9223372036854775808.0, 9223372036854774784.0)
#define WF_u8(v) (uint8_t)f_to_i(v, 0.0, 255.0)
#define WF_u16(v) (uint16_t)f_to_i(v, 0.0, 65535.0)
#define WF_u32(v) (uint32_t)f_to_i(v, 0.0, 4294967295.0)
#define WF_u64(v) f_to_u64(v)
#define WF_f8e4m3fn(v) float_to_f8((float)(v), F8_E4M3FN, (int)p->saturate)
#define WF_f8e4m3fnuz(v) float_to_f8((float)(v), F8_E4M3FNUZ, (int)p->saturate)
#define WF_f8e5m2(v) float_to_f8((float)(v), F8_E5M2, (int)p->saturate)
#define WF_f8e5m2fnuz(v) float_to_f8((float)(v), F8_E5M2FNUZ, (int)p->saturate)
#define WF_i4(v) f_to_small_int(v, -8.0f, 7.0f)
#define WF_u4(v) (uint8_t)f_to_small_int(v, 0.0f, 15.0f)
#define WF_i2(v) f_to_small_int(v, -2.0f, 1.0f)
#define WF_u2(v) (uint8_t)f_to_small_int(v, 0.0f, 3.0f)
#define WF_f4e2m1(v) float_to_f8((float)(v), F4_E2M1, 1)
#define WF_f8e8m0(v) float_to_e8m0((float)(v), (int)p->round_mode, (int)p->saturate)

/* Integer to integer: wrap modulo 2^bits, as two's-complement hardware. */
#define WI_bool(v) (uint8_t)((v) != 0)
#define WI_i8(v) (int8_t)(uint8_t)(v)
#define WI_i16(v) (int16_t)(uint16_t)(v)
#define WI_i32(v) (int32_t)(uint32_t)(v)
#define WI_i64(v) (v)
#define WI_u8(v) (uint8_t)(v)
#define WI_u16(v) (uint16_t)(v)
#define WI_u32(v) (uint32_t)(v)
#define WI_u64(v) (uint64_t)(v)

/* The path of a pair: through double unless both types are I (integers
 * or bool, wrapping); Q (the 4- and 2-bit integers) reads as an integer but is
 * written through double, saturating. */
#define KIND_f32 F
#define KIND_f64 F
#define KIND_f16 F
#define KIND_bf16 F
#define KIND_bool I
#define KIND_i8 I
#define KIND_i16 I
#define KIND_i32 I
#define KIND_i64 I
#define KIND_u8 I
#define KIND_u16 I
#define KIND_u32 I
#define KIND_u64 I
#define KIND_f8e4m3fn F
#define KIND_f8e4m3fnuz F
#define KIND_f8e5m2 F
#define KIND_f8e5m2fnuz F
#define KIND_i4 Q
#define KIND_u4 Q
#define KIND_f4e2m1 F
#define KIND_f8e8m0 F
#define KIND_i2 Q
#define KIND_u2 Q
#define CONV_FF(f, t, x) WF_##t(RD_##f(x))
#define CONV_FI(f, t, x) WF_##t(RD_##f(x))
#define CONV_IF(f, t, x) WF_##t(RD_##f(x))
#define CONV_II(f, t, x) WI_##t((int64_t)(x))
#define CONV_FQ(f, t, x) WF_##t(RD_##f(x))
#define CONV_IQ(f, t, x) WF_##t(RD_##f(x))
#define CONV_QQ(f, t, x) WF_##t(RD_##f(x))
#define CONV_QF(f, t, x) WF_##t(RD_##f(x))
#define CONV_QI(f, t, x) WI_##t((int64_t)(x))
#define CONV__(kf, kt) CONV_##kf##kt
#define CONV_(kf, kt) CONV__(kf, kt)

#define CAST_KERNEL(f, t, CONV)                                               \
  RT_KERNEL(rt_cast_##f##_##t) {                                              \
    const rt_cast_params *p = (const rt_cast_params *)params;                 \
    const RT_EW_CTYPE_##f *x = (const RT_EW_CTYPE_##f *)in[0];                \
    RT_EW_CTYPE_##t *y = (RT_EW_CTYPE_##t *)out[0];                           \
    int64_t i;                                                                \
    (void)scratch;                                                            \
    for (i = 0; i < p->count; i++) y[i] = CONV(f, t, x[i]);                   \
  }

/* Every pair, from the header's two lists: a row per source type. */
#define CELL(K, f, t) CAST_KERNEL(f, t, CONV_(KIND_##f, KIND_##t))
#define ROW(K, f) RT_CAST_TO(CELL, K, f)
RT_CAST_FROM(ROW, ~)
