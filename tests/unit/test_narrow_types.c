/* The narrow element types: the four float8 types and int4 / uint4 (and
 * the loader's packing of the 2-bit types and float4e2m1; their
 * conversions are test_mx_types.c's).
 *
 * float8: every one of the 256 bit patterns of each type through float,
 * double and float16 and back (the same pattern, or NaN for NaN), decoded
 * values checked by hand at the landmarks of each format, and the
 * rounding (nearest, ties to even, subnormals included) and saturation
 * rules of ONNX's Cast with saturate 1 and 0. int4 / uint4: casts clamp
 * and round, and the loader / writer unpack and pack TensorProto's two
 * nibbles per byte (low nibble first). Quantize / Dequantize to and from
 * both on hand-computed cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <onnxcc/kernels.h>

#include "ir.h"
#include "suites.h"
#include "tensor_pb.h"

/* One float8 type's kernels, so one loop covers all four. */
typedef struct f8_type {
  const char *name;
  rt_kernel_fn to_f32, from_f32, to_f64, from_f64, to_f16, from_f16;
  uint8_t max_code; /* magnitude bits of the largest finite value */
  float max;        /* that value */
  int uz;           /* NaN is 0x80 only, no -0 */
  uint8_t inf_code; /* e5m2's infinity, else 0 (none) */
} f8_type;

#define F8_KERNELS(t) rt_cast_##t##_f32, rt_cast_f32_##t, rt_cast_##t##_f64, rt_cast_f64_##t, rt_cast_##t##_f16, rt_cast_f16_##t
static const f8_type f8_types[4] = {
  {"e4m3fn", F8_KERNELS(f8e4m3fn), 0x7e, 448.0f, 0, 0},
  {"e4m3fnuz", F8_KERNELS(f8e4m3fnuz), 0x7f, 240.0f, 1, 0},
  {"e5m2", F8_KERNELS(f8e5m2), 0x7b, 57344.0f, 0, 0x7c},
  {"e5m2fnuz", F8_KERNELS(f8e5m2fnuz), 0x7f, 57344.0f, 1, 0},
};

/* Runs a cast kernel over n elements. */
static void cast(rt_kernel_fn k, const void *x, void *y, int64_t n, int saturate) {
  rt_cast_params p = {n, saturate, RT_ROUND_UP};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[RT_MIN_ARGS] = {y};
  k(&p, in, out, NULL);
}

static uint8_t f8_of(const f8_type *t, float v, int saturate) {
  uint8_t b;
  cast(t->from_f32, &v, &b, 1, saturate);
  return b;
}

static float f8_value(const f8_type *t, uint8_t b) {
  float v;
  cast(t->to_f32, &b, &v, 1, 1);
  return v;
}

/* All 256 patterns through float, double and float16 and back, with both
 * saturate settings: every finite pattern comes back as itself (these are
 * exact in all three wider types, so no rounding may move them), NaN
 * patterns as NaN, and e5m2's infinities as themselves without saturation
 * and as the largest finite value with it. */
START_TEST(float8_round_trips_every_pattern) {
  const f8_type *t = &f8_types[_i];
  uint8_t codes[256], back[256];
  float f[256];
  double d[256];
  uint16_t h[256];
  int i, sat;
  for (i = 0; i < 256; i++) codes[i] = (uint8_t)i;
  cast(t->to_f32, codes, f, 256, 1);
  cast(t->to_f64, codes, d, 256, 1);
  cast(t->to_f16, codes, h, 256, 1);
  for (sat = 0; sat < 2; sat++) {
    int via;
    for (via = 0; via < 3; via++) {
      if (via == 0) cast(t->from_f32, f, back, 256, sat);
      else if (via == 1) cast(t->from_f64, d, back, 256, sat);
      else cast(t->from_f16, h, back, 256, sat);
      for (i = 0; i < 256; i++) {
        if (isnan(f[i])) {
          ck_assert_msg(isnan(f8_value(t, back[i])), "%s 0x%02x via %d: NaN came back as 0x%02x", t->name, i,
                        via, back[i]);
          continue;
        }
        if (isinf(f[i]) && sat) { /* e5m2's infinities saturate to the largest value */
          ck_assert_uint_eq(back[i], (i & 0x80) | t->max_code);
          continue;
        }
        ck_assert_msg(back[i] == i, "%s 0x%02x (%g) via %d, saturate %d: came back as 0x%02x", t->name, i,
                      (double)f[i], via, sat, back[i]);
        ck_assert(f[i] == (float)d[i]);
      }
    }
  }
  /* values grow with the pattern: no pattern decodes out of order */
  for (i = 1; i <= t->max_code; i++) ck_assert_msg(f[i] > f[i - 1], "%s 0x%02x", t->name, i);
  ck_assert(f[t->max_code] == t->max);
}
END_TEST

/* Landmarks of each format, worked out from its definition. */
START_TEST(float8_decodes_landmarks) {
  const f8_type *e4 = &f8_types[0], *e4uz = &f8_types[1], *e5 = &f8_types[2], *e5uz = &f8_types[3];
  /* e4m3fn: bias 7; 0x38 = 2^0; 0x01 = 2^-9 (smallest subnormal); 0x08 =
   * 2^-6 (smallest normal); 0x7f and 0xff NaN; 0x80 = -0 */
  ck_assert(f8_value(e4, 0x38) == 1.0f);
  ck_assert(f8_value(e4, 0x01) == ldexpf(1, -9));
  ck_assert(f8_value(e4, 0x07) == 7 * ldexpf(1, -9));
  ck_assert(f8_value(e4, 0x08) == ldexpf(1, -6));
  ck_assert(f8_value(e4, 0xc4) == -3.0f);
  ck_assert(isnan(f8_value(e4, 0x7f)) && isnan(f8_value(e4, 0xff)));
  ck_assert(f8_value(e4, 0x80) == 0.0f && signbit(f8_value(e4, 0x80)));
  /* e4m3fnuz: bias 8; 0x40 = 1; 0x01 = 2^-10; 0x80 the only NaN; 0xff = -240 */
  ck_assert(f8_value(e4uz, 0x40) == 1.0f);
  ck_assert(f8_value(e4uz, 0x01) == ldexpf(1, -10));
  ck_assert(isnan(f8_value(e4uz, 0x80)));
  ck_assert(f8_value(e4uz, 0xff) == -240.0f);
  /* e5m2: bias 15, float16's top byte; 0x3c = 1; 0x01 = 2^-16; 0x7c inf;
   * 0x7d..0x7f NaN */
  ck_assert(f8_value(e5, 0x3c) == 1.0f);
  ck_assert(f8_value(e5, 0x01) == ldexpf(1, -16));
  ck_assert(isinf(f8_value(e5, 0x7c)) && f8_value(e5, 0xfc) < 0);
  ck_assert(isnan(f8_value(e5, 0x7d)) && isnan(f8_value(e5, 0x7e)) && isnan(f8_value(e5, 0xff)));
  /* e5m2fnuz: bias 16; 0x40 = 1; 0x01 = 2^-17; 0x7f = 57344 */
  ck_assert(f8_value(e5uz, 0x40) == 1.0f);
  ck_assert(f8_value(e5uz, 0x01) == ldexpf(1, -17));
  ck_assert(isnan(f8_value(e5uz, 0x80)));
}
END_TEST

/* Round to nearest, ties to even, in the normal and subnormal ranges. */
START_TEST(float8_rounds_to_nearest_even) {
  const f8_type *e4 = &f8_types[0], *e5 = &f8_types[2], *e4uz = &f8_types[1];
  /* e4m3fn near 1: steps of 1/8. 1 + 1/16 is a tie: to 1 (even, 0x38);
   * 1 + 3/16 a tie: to 1.25 (0x3a); just above 1 + 1/16 goes up */
  ck_assert_uint_eq(f8_of(e4, 1.0625f, 1), 0x38);
  ck_assert_uint_eq(f8_of(e4, 1.1875f, 1), 0x3a);
  ck_assert_uint_eq(f8_of(e4, nextafterf(1.0625f, 2.0f), 1), 0x39);
  /* subnormals of e4m3fn: units of 2^-9. Half a unit is a tie to 0; one
   * and a half units a tie to 2 units; just over half a unit gives 1 */
  ck_assert_uint_eq(f8_of(e4, ldexpf(1, -10), 1), 0x00);
  ck_assert_uint_eq(f8_of(e4, -ldexpf(1, -10), 1), 0x80); /* -0 */
  ck_assert_uint_eq(f8_of(e4, 1.5f * ldexpf(1, -9), 1), 0x02);
  ck_assert_uint_eq(f8_of(e4, nextafterf(ldexpf(1, -10), 1.0f), 1), 0x01);
  /* the largest subnormal rounds up into the smallest normal */
  ck_assert_uint_eq(f8_of(e4, 7.6f * ldexpf(1, -9), 1), 0x08);
  /* e5m2 near 1: steps of 1/4; 1.125 ties to 1, 1.375 to 1.5 */
  ck_assert_uint_eq(f8_of(e5, 1.125f, 1), 0x3c);
  ck_assert_uint_eq(f8_of(e5, 1.375f, 1), 0x3e);
  /* uz types have no -0: a negative value that rounds to 0 is +0 */
  ck_assert_uint_eq(f8_of(e4uz, -0.0f, 1), 0x00);
  ck_assert_uint_eq(f8_of(e4uz, -ldexpf(1, -20), 0), 0x00);
  ck_assert_uint_eq(f8_of(e4, -0.0f, 1), 0x80);
}
END_TEST

/* Out of range: saturate 1 gives the largest finite value (infinities
 * too); saturate 0 gives infinity on e5m2 and NaN on the rest. A value
 * past the largest that rounds back down to it stays finite either way. */
START_TEST(float8_saturates) {
  const f8_type *t = &f8_types[_i];
  const float big[3] = {1e6f, INFINITY, 2.0f * t->max};
  int i;
  for (i = 0; i < 3; i++) {
    float v = f8_value(t, f8_of(t, big[i], 1)), w = f8_value(t, f8_of(t, -big[i], 1));
    ck_assert_msg(v == t->max && w == -t->max, "%s %g saturates to %g / %g", t->name, (double)big[i], (double)v,
                  (double)w);
    v = f8_value(t, f8_of(t, big[i], 0));
    w = f8_value(t, f8_of(t, -big[i], 0));
    if (t->inf_code) ck_assert_msg(isinf(v) && v > 0 && isinf(w) && w < 0, "%s %g", t->name, (double)big[i]);
    else ck_assert_msg(isnan(v) && isnan(w), "%s %g without saturation gives %g", t->name, (double)big[i], (double)v);
  }
  /* just above the largest value, below the halfway point to the next
   * step: rounds down to it, saturating or not */
  ck_assert(f8_value(t, f8_of(t, nextafterf(t->max, INFINITY), 0)) == t->max);
  /* NaN stays NaN whatever saturate says */
  ck_assert(isnan(f8_value(t, f8_of(t, NAN, 1))) && isnan(f8_value(t, f8_of(t, NAN, 0))));
}
END_TEST

/* e4m3fn's exact edge: 448 + 16 is a tie between 448 and 480 (480 is
 * past the range): to even, 448. Anything above rounds to 480: out of
 * range, so NaN without saturation (ONNX's table; its Python reference
 * and ONNX Runtime give 448 for 480..495, which the spec does not). */
START_TEST(float8_e4m3fn_edge) {
  const f8_type *e4 = &f8_types[0];
  ck_assert_uint_eq(f8_of(e4, 464.0f, 0), 0x7e);
  ck_assert_uint_eq(f8_of(e4, 465.0f, 0), 0x7f);
  ck_assert_uint_eq(f8_of(e4, 480.0f, 0), 0x7f);
  ck_assert_uint_eq(f8_of(e4, 480.0f, 1), 0x7e);
  ck_assert_uint_eq(f8_of(e4, -465.0f, 1), 0xfe);
}
END_TEST

/* To int4 / uint4: clamp to the range, round to nearest even, NaN 0; from
 * an integer type too (saturating, not wrapping as other integers do). */
START_TEST(int4_casts_clamp_and_round) {
  const float x[9] = {-9.0f, -8.5f, -7.5f, 2.5f, 3.5f, 7.4f, 7.6f, 100.0f, NAN};
  const int8_t want_i4[9] = {-8, -8, -8, 2, 4, 7, 7, 7, 0};
  const uint8_t want_u4[9] = {0, 0, 0, 2, 4, 7, 8, 15, 0};
  const int32_t xi[4] = {-100, -8, 15, 100};
  const int8_t want_i4i[4] = {-8, -8, 7, 7};
  const uint8_t want_u4i[4] = {0, 0, 15, 15};
  const int8_t i4[3] = {-8, -1, 7};
  int8_t y8[9];
  uint8_t u8[9];
  float back[3];
  int i;
  cast(rt_cast_f32_i4, x, y8, 9, 1);
  cast(rt_cast_f32_u4, x, u8, 9, 1);
  for (i = 0; i < 9; i++) {
    ck_assert_int_eq(y8[i], want_i4[i]);
    ck_assert_uint_eq(u8[i], want_u4[i]);
  }
  cast(rt_cast_i32_i4, xi, y8, 4, 1);
  cast(rt_cast_i32_u4, xi, u8, 4, 1);
  for (i = 0; i < 4; i++) {
    ck_assert_int_eq(y8[i], want_i4i[i]);
    ck_assert_uint_eq(u8[i], want_u4i[i]);
  }
  cast(rt_cast_i4_f32, i4, back, 3, 1);
  ck_assert(back[0] == -8.0f && back[1] == -1.0f && back[2] == 7.0f);
}
END_TEST

/* A TensorProto file by hand: dims [5], data_type, then the data field. */
static size_t proto_bytes(unsigned char *buf, int dtype, int field_tag, const unsigned char *data, size_t n) {
  size_t len = 0;
  buf[len++] = 0x08, buf[len++] = 5;                  /* dims: 5 */
  buf[len++] = 0x10, buf[len++] = (unsigned char)dtype; /* data_type */
  buf[len++] = (unsigned char)field_tag, buf[len++] = (unsigned char)n;
  memcpy(buf + len, data, n);
  return len + n;
}

static status read_proto(const unsigned char *bytes, size_t n, ir_tensor *t) {
  char path[] = "/tmp/onnxcc_int4_XXXXXX";
  int fd = mkstemp(path);
  status s;
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq((int)write(fd, bytes, n), (int)n);
  close(fd);
  s = tensor_read_file(path, t, NULL);
  unlink(path);
  return s;
}

/* Five int4 values in three bytes, element 2i in the low nibble: the
 * loader sign-extends them one per byte; the same from int32_data (one
 * packed byte per value); a raw_data of the unpacked size is refused. */
START_TEST(int4_loader_unpacks) {
  /* -8, 7, -1, 0, 3: nibbles 8, 7, f, 0, 3 */
  const unsigned char packed[3] = {0x78, 0x0f, 0x03}, as_int32[3] = {0x78, 0x0f, 0x03};
  const int8_t want[5] = {-8, 7, -1, 0, 3};
  const uint8_t want_u[5] = {8, 7, 15, 0, 3};
  unsigned char file[32];
  ir_tensor t;
  int i;
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_INT4, 0x4a, packed, 3), &t), ST_OK);
  ck_assert_int_eq(t.dtype, DT_INT4);
  ck_assert_int_eq((int)tensor_bytes(&t), 5);
  for (i = 0; i < 5; i++) ck_assert_int_eq(((int8_t *)t.data)[i], want[i]);
  free(t.data);
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_UINT4, 0x4a, packed, 3), &t), ST_OK);
  for (i = 0; i < 5; i++) ck_assert_uint_eq(((uint8_t *)t.data)[i], want_u[i]);
  free(t.data);
  /* int32_data (field 5, packed varints; all below 0x80 here) */
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_INT4, 0x2a, as_int32, 3), &t), ST_OK);
  for (i = 0; i < 5; i++) ck_assert_int_eq(((int8_t *)t.data)[i], want[i]);
  free(t.data);
  {
    const unsigned char five[5] = {0};
    ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_INT4, 0x4a, five, 5), &t), ST_BAD_MODEL);
  }
}
END_TEST

/* The writer packs them again: raw_data (the file's last field) holds
 * ceil(n / 2) bytes, low nibble first, the odd element's high nibble 0;
 * reading the file back gives the elements. */
START_TEST(int4_writer_packs) {
  int8_t data[5] = {-8, 7, -1, 0, 3};
  const unsigned char want[3] = {0x78, 0x0f, 0x03};
  ir_tensor t, back;
  char path[] = "/tmp/onnxcc_int4_XXXXXX";
  unsigned char buf[64];
  FILE *f;
  size_t n;
  int fd = mkstemp(path), i;
  ck_assert_int_ge(fd, 0);
  close(fd);
  memset(&t, 0, sizeof t);
  t.dtype = DT_INT4;
  t.rank = 1;
  t.dims[0] = 5;
  t.data = data;
  ck_assert_int_eq(tensor_write_file(path, &t, "x"), ST_OK);
  f = fopen(path, "rb");
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  ck_assert_uint_ge(n, 5);
  ck_assert_uint_eq(buf[n - 4], 3); /* raw_data's length */
  ck_assert_mem_eq(buf + n - 3, want, 3);
  ck_assert_int_eq(tensor_read_file(path, &back, NULL), ST_OK);
  unlink(path);
  for (i = 0; i < 5; i++) ck_assert_int_eq(((int8_t *)back.data)[i], data[i]);
  free(back.data);
}
END_TEST

/* 2-bit types: four to a byte, element 4i + k at bits 2k. -2, 1, -1, 0,
 * 1 are codes 2, 1, 3, 0, 1: bytes 0x36, 0x01. int2 sign-extends, uint2
 * does not, and float4e2m1 keeps its 4-bit codes as they are (int4's
 * bytes read as float4: 8, 7, 15, 0, 3). A raw_data of three bytes for
 * five 2-bit elements is refused; the writer packs them back. */
START_TEST(two_bit_and_float4_loader_and_writer) {
  const unsigned char packed[2] = {0x36, 0x01}, f4_packed[3] = {0x78, 0x0f, 0x03}, three[3] = {0};
  const int8_t want_i2[5] = {-2, 1, -1, 0, 1};
  const uint8_t want_u2[5] = {2, 1, 3, 0, 1}, want_f4[5] = {8, 7, 15, 0, 3};
  char path[] = "/tmp/onnxcc_int2_XXXXXX";
  unsigned char file[32], buf[64];
  ir_tensor t, back;
  FILE *f;
  size_t n;
  int fd;
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_INT2, 0x4a, packed, 2), &t), ST_OK);
  ck_assert_int_eq((int)tensor_bytes(&t), 5);
  ck_assert_mem_eq(t.data, want_i2, 5);
  free(t.data);
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_UINT2, 0x2a, packed, 2), &t), ST_OK);
  ck_assert_mem_eq(t.data, want_u2, 5);
  free(t.data);
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_FLOAT4E2M1, 0x4a, f4_packed, 3), &t), ST_OK);
  ck_assert_mem_eq(t.data, want_f4, 5);
  free(t.data);
  ck_assert_int_eq(read_proto(file, proto_bytes(file, DT_INT2, 0x4a, three, 3), &t), ST_BAD_MODEL);
  fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  memset(&t, 0, sizeof t);
  t.dtype = DT_UINT2;
  t.rank = 1;
  t.dims[0] = 5;
  t.data = (void *)want_u2;
  ck_assert_int_eq(tensor_write_file(path, &t, "x"), ST_OK);
  f = fopen(path, "rb");
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  ck_assert_uint_ge(n, 4);
  ck_assert_uint_eq(buf[n - 3], 2); /* raw_data's length */
  ck_assert_mem_eq(buf + n - 2, packed, 2);
  ck_assert_int_eq(tensor_read_file(path, &back, NULL), ST_OK);
  unlink(path);
  ck_assert_mem_eq(back.data, want_u2, 5);
  free(back.data);
}
END_TEST

static rt_qlinear_params per_tensor(int64_t count, int saturate) {
  rt_qlinear_params p;
  memset(&p, 0, sizeof p);
  p.outer = p.n = p.block = 1;
  p.inner = count;
  p.saturate = saturate;
  return p;
}

/* QuantizeLinear to int4: round(x / scale) + zero point, clamped to
 * -8..7; DequantizeLinear back: (q - zero point) * scale. */
START_TEST(quantize_int4) {
  const float x[5] = {0.0f, 3.0f, 5.0f, 100.0f, -100.0f}, scale = 2.0f;
  const int8_t zp = 1, want[5] = {1, 3, 3, 7, -8};
  const float want_back[5] = {0.0f, 4.0f, 4.0f, 12.0f, -18.0f};
  int8_t q[5];
  float back[5];
  rt_qlinear_params p = per_tensor(5, 1);
  const void *in[RT_MIN_ARGS] = {x, &scale, &zp};
  void *out[RT_MIN_ARGS] = {q};
  int i;
  rt_quantize_f32_i4(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_int_eq(q[i], want[i]);
  in[0] = q;
  out[0] = back;
  rt_dequantize_i4_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert(back[i] == want_back[i]);
}
END_TEST

/* QuantizeLinear to e4m3fn: a cast of x / scale (the zero point unread),
 * saturating unless told not to; DequantizeLinear decodes exactly. */
START_TEST(quantize_float8) {
  const float x[4] = {2.0f, 3.0f, 1e5f, -1e5f}, scale = 2.0f;
  const uint8_t zp = 0x38; /* 1.0: not used by the quantizer */
  const uint8_t want_sat[4] = {0x38, 0x3c, 0x7e, 0xfe}, want_nan[4] = {0x38, 0x3c, 0x7f, 0xff};
  uint8_t q[4];
  float back[4];
  rt_qlinear_params p = per_tensor(4, 1);
  const void *in[RT_MIN_ARGS] = {x, &scale, &zp};
  void *out[RT_MIN_ARGS] = {q};
  rt_quantize_f32_f8e4m3fn(&p, in, out, NULL);
  ck_assert_mem_eq(q, want_sat, 4);
  p.saturate = 0;
  rt_quantize_f32_f8e4m3fn(&p, in, out, NULL);
  ck_assert_mem_eq(q, want_nan, 4);
  in[0] = want_sat;
  in[2] = NULL;
  out[0] = back;
  rt_dequantize_f8e4m3fn_f32(&p, in, out, NULL);
  ck_assert(back[0] == 2.0f && back[1] == 3.0f && back[2] == 896.0f && back[3] == -896.0f);
}
END_TEST

Suite *narrow_types_suite(void) {
  Suite *s = suite_create("narrow_types");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, float8_round_trips_every_pattern, 0, 4);
  tcase_add_test(tc, float8_decodes_landmarks);
  tcase_add_test(tc, float8_rounds_to_nearest_even);
  tcase_add_loop_test(tc, float8_saturates, 0, 4);
  tcase_add_test(tc, float8_e4m3fn_edge);
  tcase_add_test(tc, int4_casts_clamp_and_round);
  tcase_add_test(tc, int4_loader_unpacks);
  tcase_add_test(tc, int4_writer_packs);
  tcase_add_test(tc, two_bit_and_float4_loader_and_writer);
  tcase_add_test(tc, quantize_int4);
  tcase_add_test(tc, quantize_float8);
  suite_add_tcase(s, tc);
  return s;
}
