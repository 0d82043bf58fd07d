/* Cast between element types. Values go through double (floats) or int64 /
 * uint64 (integers) so every pair is one read and one write function. */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/elementwise.h"

/* IEEE half <-> float, by bit manipulation (no compiler support needed). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  float f;
  if (exp == 0) {
    /* zero or subnormal: value = man * 2^-24 */
    f = (float)man * 5.9604644775390625e-8f;
    return sign ? -f : f;
  }
  if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
  else bits = sign | ((exp + 112) << 23) | (man << 13);
  memcpy(&f, &bits, sizeof f);
  return f;
}

static uint16_t float_to_half(float f) {
  uint32_t x, sign, man;
  int32_t exp;
  memcpy(&x, &f, sizeof x);
  sign = (x >> 16) & 0x8000u;
  exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  man = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
  if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
  if (exp <= 0) {
    uint32_t shift, half_man, rem, halfway;
    if (exp < -10) return (uint16_t)sign;
    man |= 0x800000u;
    shift = (uint32_t)(14 - exp);
    half_man = man >> shift;
    rem = man & ((1u << shift) - 1);
    halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_man & 1))) half_man++;
    return (uint16_t)(sign | half_man);
  }
  {
    uint32_t h = sign | ((uint32_t)exp << 10) | (man >> 13);
    uint32_t rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++; /* round to even */
    return (uint16_t)h;
  }
}

/* bfloat16 is the top half of a float; narrowing rounds to nearest even. */
static float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static uint16_t float_to_bf16(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
  x += 0x7fffu + ((x >> 16) & 1u);
  return (uint16_t)(x >> 16);
}

static int is_float_type(int64_t t) {
  return t == RT_FLOAT || t == RT_DOUBLE || t == RT_FLOAT16 || t == RT_BFLOAT16;
}

static double read_f(const void *x, int64_t t, int64_t i) {
  switch ((rt_dtype)t) {
  case RT_FLOAT: return ((const float *)x)[i];
  case RT_DOUBLE: return ((const double *)x)[i];
  case RT_FLOAT16: return half_to_float(((const uint16_t *)x)[i]);
  case RT_BFLOAT16: return bf16_to_float(((const uint16_t *)x)[i]);
  case RT_INT8: return ((const int8_t *)x)[i];
  case RT_INT16: return ((const int16_t *)x)[i];
  case RT_INT32: return ((const int32_t *)x)[i];
  case RT_INT64: return (double)((const int64_t *)x)[i];
  case RT_UINT8: case RT_BOOL: return ((const uint8_t *)x)[i];
  case RT_UINT16: return ((const uint16_t *)x)[i];
  case RT_UINT32: return ((const uint32_t *)x)[i];
  case RT_UINT64: return (double)((const uint64_t *)x)[i];
  default: return 0.0;
  }
}

static int64_t read_i(const void *x, int64_t t, int64_t i) {
  switch ((rt_dtype)t) {
  case RT_INT8: return ((const int8_t *)x)[i];
  case RT_INT16: return ((const int16_t *)x)[i];
  case RT_INT32: return ((const int32_t *)x)[i];
  case RT_INT64: return ((const int64_t *)x)[i];
  case RT_UINT8: case RT_BOOL: return ((const uint8_t *)x)[i];
  case RT_UINT16: return ((const uint16_t *)x)[i];
  case RT_UINT32: return ((const uint32_t *)x)[i];
  case RT_UINT64: return (int64_t)((const uint64_t *)x)[i];
  default: return 0;
  }
}

/* Float to integer: saturate instead of the undefined behaviour C has for
 * out-of-range values; NaN gives 0. */
static int64_t f_to_i(double v, double lo, double hi) {
  if (v != v) return 0;
  if (v <= lo) return (int64_t)lo;
  if (v >= hi) return (int64_t)hi;
  return (int64_t)v;
}

static void write_from_f(void *y, int64_t t, int64_t i, double v) {
  switch ((rt_dtype)t) {
  case RT_FLOAT: ((float *)y)[i] = (float)v; break;
  case RT_DOUBLE: ((double *)y)[i] = v; break;
  case RT_FLOAT16: ((uint16_t *)y)[i] = float_to_half((float)v); break;
  case RT_BFLOAT16: ((uint16_t *)y)[i] = float_to_bf16((float)v); break;
  case RT_BOOL: ((uint8_t *)y)[i] = (uint8_t)(v != 0.0); break;
  case RT_INT8: ((int8_t *)y)[i] = (int8_t)f_to_i(v, -128.0, 127.0); break;
  case RT_INT16: ((int16_t *)y)[i] = (int16_t)f_to_i(v, -32768.0, 32767.0); break;
  case RT_INT32: ((int32_t *)y)[i] = (int32_t)f_to_i(v, -2147483648.0, 2147483647.0); break;
  case RT_INT64: ((int64_t *)y)[i] = f_to_i(v, -9223372036854775808.0, 9223372036854774784.0); break;
  case RT_UINT8: ((uint8_t *)y)[i] = (uint8_t)f_to_i(v, 0.0, 255.0); break;
  case RT_UINT16: ((uint16_t *)y)[i] = (uint16_t)f_to_i(v, 0.0, 65535.0); break;
  case RT_UINT32: ((uint32_t *)y)[i] = (uint32_t)f_to_i(v, 0.0, 4294967295.0); break;
  case RT_UINT64:
    ((uint64_t *)y)[i] = v != v || v <= 0.0 ? 0 : (v >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)v);
    break;
  default: break;
  }
}

/* Integer to integer: wrap modulo 2^bits, as two's-complement hardware. */
static void write_from_i(void *y, int64_t t, int64_t i, int64_t v) {
  switch ((rt_dtype)t) {
  case RT_BOOL: ((uint8_t *)y)[i] = (uint8_t)(v != 0); break;
  case RT_INT8: ((int8_t *)y)[i] = (int8_t)(uint8_t)v; break;
  case RT_INT16: ((int16_t *)y)[i] = (int16_t)(uint16_t)v; break;
  case RT_INT32: ((int32_t *)y)[i] = (int32_t)(uint32_t)v; break;
  case RT_INT64: ((int64_t *)y)[i] = v; break;
  case RT_UINT8: ((uint8_t *)y)[i] = (uint8_t)v; break;
  case RT_UINT16: ((uint16_t *)y)[i] = (uint16_t)v; break;
  case RT_UINT32: ((uint32_t *)y)[i] = (uint32_t)v; break;
  case RT_UINT64: ((uint64_t *)y)[i] = (uint64_t)v; break;
  default: write_from_f(y, t, i, is_float_type(t) ? (double)v : 0.0); break;
  }
}

RT_KERNEL(rt_cast) {
  const rt_cast_params *p = (const rt_cast_params *)params;
  int64_t i;
  (void)scratch;
  if (is_float_type(p->from)) {
    for (i = 0; i < p->count; i++) write_from_f(out[0], p->to, i, read_f(in[0], p->from, i));
  } else if (is_float_type(p->to)) {
    if (p->from == RT_UINT64)
      for (i = 0; i < p->count; i++)
        write_from_f(out[0], p->to, i, (double)((const uint64_t *)in[0])[i]);
    else
      for (i = 0; i < p->count; i++) write_from_f(out[0], p->to, i, (double)read_i(in[0], p->from, i));
  } else {
    for (i = 0; i < p->count; i++) write_from_i(out[0], p->to, i, read_i(in[0], p->from, i));
  }
}
