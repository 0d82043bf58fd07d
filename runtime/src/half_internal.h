/* Internal to the runtime: the narrow float types (float16, bfloat16,
 * the float8 types and float4e2m1) to and from float, for every kernel that computes
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

/* ---- float8 and float4 (sign, E exponent bits, M mantissa bits) ----
 *
 *   e4m3fn    bias 7,  no infinities, NaN S.1111.111, largest 448 (0x7e)
 *   e4m3fnuz  bias 8,  no infinities, no -0, NaN 0x80 only, largest 240 (0x7f)
 *   e5m2      bias 15, IEEE-like: inf S.11111.00, NaN S.11111.xx, largest 57344 (0x7b)
 *   e5m2fnuz  bias 16, no infinities, no -0, NaN 0x80 only, largest 57344 (0x7f)
 *   e2m1      bias 1,  4 bits (sign 0x8), no infinities, no NaN, largest 6 (0x7)
 *
 * One description per type drives one decoder and one encoder, so the
 * five conversions cannot drift apart. */
typedef struct f8_format {
  uint8_t man_bits, bias;
  uint8_t max_code;   /* magnitude bits of the largest finite value */
  uint8_t uz;         /* NaN is 0x80 only and there is no -0 */
  uint8_t has_inf;    /* e5m2: all-ones exponent is inf (mantissa 0) or NaN */
  uint8_t sign_bit;   /* 0x80, or 0x08 for the 4-bit e2m1 */
  uint8_t no_nan;     /* e2m1: nothing but finite values, so casts always saturate */
} f8_format;

#define F8_E4M3FN ((f8_format){3, 7, 0x7e, 0, 0, 0x80, 0})
#define F8_E4M3FNUZ ((f8_format){3, 8, 0x7f, 1, 0, 0x80, 0})
#define F8_E5M2 ((f8_format){2, 15, 0x7b, 0, 1, 0x80, 0})
#define F8_E5M2FNUZ ((f8_format){2, 16, 0x7f, 1, 0, 0x80, 0})
#define F4_E2M1 ((f8_format){1, 1, 0x7, 0, 0, 0x08, 1})

static inline float f8_bits_float(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline float f8_to_float(uint8_t b, f8_format fm) {
  const uint32_t mag_mask = fm.sign_bit - 1u;
  const uint32_t sign = (b & fm.sign_bit) ? 0x80000000u : 0, mag = b & mag_mask;
  const uint32_t exp = mag >> fm.man_bits, man = mag & ((1u << fm.man_bits) - 1);
  const uint32_t exp_all = (mag_mask >> fm.man_bits);
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

/* float to float8 or float4, rounding to nearest even. A value whose
 * rounded magnitude exceeds the largest finite one (infinities included)
 * becomes that largest value with `saturate` (always for e2m1, which has
 * nothing else), else infinity (e5m2) or NaN (the rest), as ONNX's Cast
 * says. NaN stays NaN, except on e2m1, where ONNX's float4 table makes it
 * 6; on the uz types -0 (and a negative value that rounds to 0) is 0. */
static inline uint8_t float_to_f8(float f, f8_format fm, int saturate) {
  uint32_t x, sign, fexp, q, shift, rem, half, sig;
  int32_t e;
  memcpy(&x, &f, sizeof x);
  sign = (x >> 31) ? fm.sign_bit : 0u;
  fexp = (x >> 23) & 0xffu;
  if ((x & 0x7fffffffu) > 0x7f800000u) {
    if (fm.no_nan) return fm.max_code;
    return (uint8_t)(fm.uz ? 0x80u : sign | (fm.sign_bit - 1u));
  }
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
    if (saturate || fm.no_nan) return (uint8_t)(sign | fm.max_code);
    if (fm.uz) return 0x80u;
    return (uint8_t)(sign | (fm.has_inf ? fm.max_code + 1u : fm.sign_bit - 1u));
  }
  if (q == 0 && fm.uz) return 0;
  return (uint8_t)(sign | q);
}

/* ---- float8e8m0 (the MX formats' scale): 2^(b - 127), no sign, no zero;
 * 0xff is NaN. 0 is 2^-127, a float subnormal. ---- */
static inline float e8m0_to_float(uint8_t b) {
  if (b == 0xffu) return f8_bits_float(0x7fc00000u);
  return f8_bits_float(b ? (uint32_t)b << 23 : 0x00400000u);
}

/* float to float8e8m0: the float's exponent field, rounded by its
 * mantissa as ONNX's reference (numpy_helper.to_float8e8m0) does: `up`
 * (mode 0) adds one for any nonzero mantissa, `down` (1) never, `nearest`
 * (2) when the mantissa is at least a half (exactly a half rounds down
 * for float subnormals, which sit at exponent 0, up otherwise). The sign
 * is ignored (negative values are unspecified). NaN stays NaN. With
 * `saturate` a result past the largest (2^127) stays there and infinity
 * becomes it, as Cast's table says; without, both are NaN, and so is 0
 * (the table's non-saturating column), which has no code. */
static inline uint8_t float_to_e8m0(float f, int mode, int saturate) {
  uint32_t x, e, m;
  memcpy(&x, &f, sizeof x);
  e = (x >> 23) & 0xffu;
  m = x & 0x7fffffu;
  if (e == 0xffu) return (uint8_t)(m == 0 && saturate ? 0xfeu : 0xffu);
  if (e == 0 && m == 0 && !saturate) return 0xffu;
  if (mode == 0 && m) e++;
  if (mode == 2 && (m & 0x400000u) && ((m & 0x3fffffu) || e > 0)) e++;
  if (e == 0xffu) return (uint8_t)(saturate ? 0xfeu : 0xffu);
  return (uint8_t)e;
}

#endif
