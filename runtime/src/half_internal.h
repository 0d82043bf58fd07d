/* Internal to the runtime: the narrow float types (float16, bfloat16 and
 * the four float8 types) to and from float, for every kernel that computes
 * on them (cast.c, quant.c, matrix.c, ...). Bit manipulation only, no
 * compiler support for such types needed. */
#ifndef ONNXCC_RT_HALF_INTERNAL_H
#define ONNXCC_RT_HALF_INTERNAL_H

#include <stdint.h>
#include <string.h>

/* IEEE half <-> float. */
static inline float half_to_float(uint16_t h) {
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

static inline uint16_t float_to_half(float f) {
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
static inline float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline uint16_t float_to_bf16(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
  x += 0x7fffu + ((x >> 16) & 1u);
  return (uint16_t)(x >> 16);
}

/* ---- float8 (ONNX's four types: sign, E exponent bits, M mantissa bits) ----
 *
 *   e4m3fn    bias 7,  no infinities, NaN S.1111.111, largest 448 (0x7e)
 *   e4m3fnuz  bias 8,  no infinities, no -0, NaN 0x80 only, largest 240 (0x7f)
 *   e5m2      bias 15, IEEE-like: inf S.11111.00, NaN S.11111.xx, largest 57344 (0x7b)
 *   e5m2fnuz  bias 16, no infinities, no -0, NaN 0x80 only, largest 57344 (0x7f)
 *
 * One description per type drives one decoder and one encoder, so the
 * four conversions cannot drift apart. */
typedef struct f8_format {
  uint8_t man_bits, bias;
  uint8_t max_code;   /* magnitude bits of the largest finite value */
  uint8_t uz;         /* NaN is 0x80 only and there is no -0 */
  uint8_t has_inf;    /* e5m2: all-ones exponent is inf (mantissa 0) or NaN */
} f8_format;

#define F8_E4M3FN ((f8_format){3, 7, 0x7e, 0, 0})
#define F8_E4M3FNUZ ((f8_format){3, 8, 0x7f, 1, 0})
#define F8_E5M2 ((f8_format){2, 15, 0x7b, 0, 1})
#define F8_E5M2FNUZ ((f8_format){2, 16, 0x7f, 1, 0})

static inline float f8_bits_float(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline float f8_to_float(uint8_t b, f8_format fm) {
  const uint32_t sign = (uint32_t)(b & 0x80u) << 24, mag = b & 0x7fu;
  const uint32_t exp = mag >> fm.man_bits, man = mag & ((1u << fm.man_bits) - 1);
  const uint32_t exp_all = (0x7fu >> fm.man_bits);
  float f;
  if (fm.uz ? b == 0x80 : mag > fm.max_code && !(fm.has_inf && mag == fm.max_code + 1u))
    return f8_bits_float(sign | 0x7fc00000u);
  if (fm.has_inf && exp == exp_all) return f8_bits_float(sign | 0x7f800000u);
  if (exp == 0) {
    /* subnormal: man units of 2^(1 - bias - M), exact in float */
    f = (float)man * f8_bits_float((uint32_t)(127 + 1 - fm.bias - fm.man_bits) << 23);
    return sign ? -f : f;
  }
  return f8_bits_float(sign | ((exp + 127u - fm.bias) << 23) | (man << (23 - fm.man_bits)));
}

/* float to float8, rounding to nearest even. A value whose rounded
 * magnitude exceeds the largest finite one (infinities included) becomes
 * that largest value with `saturate`, else infinity (e5m2) or NaN (the
 * rest), as ONNX's Cast says. NaN stays NaN; on the uz types -0 (and a
 * negative value that rounds to 0) is 0. */
static inline uint8_t float_to_f8(float f, f8_format fm, int saturate) {
  uint32_t x, sign, fexp, q, shift, rem, half, sig;
  int32_t e;
  memcpy(&x, &f, sizeof x);
  sign = (x >> 24) & 0x80u;
  fexp = (x >> 23) & 0xffu;
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint8_t)(fm.uz ? 0x80u : sign | 0x7fu);
  if (fexp == 0xffu) q = 0xffu; /* infinity: past any largest value */
  else if (fexp == 0) q = 0;    /* float subnormals are far below any float8 one */
  else {
    e = (int32_t)fexp - 127; /* value = sig * 2^(e - 23) */
    sig = (x & 0x7fffffu) | 0x800000u;
    /* shift sig right to units of the result's last mantissa bit: of its
     * own binade when normal, of 2^(1 - bias - M) when subnormal */
    if (e >= 1 - (int32_t)fm.bias) {
      shift = 23u - fm.man_bits;
      sig = (x & 0x7fffffu) | ((uint32_t)(e + (int32_t)fm.bias) << 23); /* exponent field above the mantissa */
    } else {
      shift = (uint32_t)(23 - (int32_t)fm.man_bits + (1 - (int32_t)fm.bias - e));
    }
    if (shift > 31u) q = 0;
    else {
      q = sig >> shift;
      rem = sig & ((1u << shift) - 1u);
      half = 1u << (shift - 1u);
      if (rem > half || (rem == half && (q & 1u))) q++; /* a carry moves into the exponent, as it should */
    }
  }
  if (q > fm.max_code) {
    if (saturate) return (uint8_t)(sign | fm.max_code);
    if (fm.uz) return 0x80u;
    return (uint8_t)(sign | (fm.has_inf ? fm.max_code + 1u : 0x7fu));
  }
  if (q == 0 && fm.uz) return 0;
  return (uint8_t)(sign | q);
}

#endif
