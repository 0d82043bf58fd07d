/* Broadcasting binary and ternary kernels.
 *
 * The walk is the same for every op: the output is visited in order, the
 * last dimension in an inner loop, the outer dimensions with an odometer
 * that moves each input's offset by its stride (zero on broadcast dims). */
#include <math.h>
#include <string.h>

#include "onnxcc/kernels/elementwise.h"

static int64_t total_elems(int64_t rank, const int64_t *dims) {
  int64_t n = 1, d;
  for (d = 0; d < rank; d++) n *= dims[d];
  return n;
}

/* Walks `p` (any struct with rank/dims/a_strides/b_strides) and evaluates
 * EXPR (using a, b) into Y. The inner loop has fast paths for the common
 * stride patterns so the C compiler can vectorise them. */
#define BCAST2(TA, TY, EXPR)                                                  \
  do {                                                                        \
    const TA *A_ = (const TA *)in[0];                                         \
    const TA *B_ = (const TA *)in[1];                                         \
    TY *Y_ = (TY *)out[0];                                                    \
    int64_t idx_[RT_MAX_RANK] = {0};                                          \
    const int64_t r_ = p->rank;                                               \
    const int64_t inner_ = r_ ? p->dims[r_ - 1] : 1;                          \
    const int64_t sa_ = r_ ? p->a_strides[r_ - 1] : 0;                        \
    const int64_t sb_ = r_ ? p->b_strides[r_ - 1] : 0;                        \
    const int64_t total_ = total_elems(r_, p->dims);                          \
    int64_t outer_, o_, i_, d_, oa_ = 0, ob_ = 0;                             \
    if (total_ == 0) break;                                                   \
    outer_ = total_ / inner_;                                                 \
    for (o_ = 0; o_ < outer_; o_++) {                                         \
      const TA *pa_ = A_ + oa_, *pb_ = B_ + ob_;                              \
      if (sa_ == 1 && sb_ == 1) {                                             \
        for (i_ = 0; i_ < inner_; i_++) {                                     \
          TA a = pa_[i_], b = pb_[i_];                                        \
          Y_[i_] = (TY)(EXPR);                                                \
        }                                                                     \
      } else if (sa_ == 1 && sb_ == 0) {                                      \
        const TA b = pb_[0];                                                  \
        for (i_ = 0; i_ < inner_; i_++) {                                     \
          TA a = pa_[i_];                                                     \
          Y_[i_] = (TY)(EXPR);                                                \
        }                                                                     \
      } else {                                                                \
        for (i_ = 0; i_ < inner_; i_++) {                                     \
          TA a = pa_[i_ * sa_], b = pb_[i_ * sb_];                            \
          Y_[i_] = (TY)(EXPR);                                                \
        }                                                                     \
      }                                                                       \
      Y_ += inner_;                                                           \
      for (d_ = r_ - 2; d_ >= 0; d_--) {                                      \
        idx_[d_]++;                                                           \
        oa_ += p->a_strides[d_];                                              \
        ob_ += p->b_strides[d_];                                              \
        if (idx_[d_] < p->dims[d_]) break;                                    \
        oa_ -= p->a_strides[d_] * p->dims[d_];                                \
        ob_ -= p->b_strides[d_] * p->dims[d_];                                \
        idx_[d_] = 0;                                                         \
      }                                                                       \
    }                                                                         \
  } while (0)

/* Comparisons shared by every numeric type; they write bool. */
#define COMPARE_CASES(T)                                                      \
  case RT_BINARY_EQUAL: BCAST2(T, uint8_t, a == b); return;                   \
  case RT_BINARY_LESS: BCAST2(T, uint8_t, a < b); return;                     \
  case RT_BINARY_GREATER: BCAST2(T, uint8_t, a > b); return;                  \
  case RT_BINARY_LESS_EQUAL: BCAST2(T, uint8_t, a <= b); return;              \
  case RT_BINARY_GREATER_EQUAL: BCAST2(T, uint8_t, a >= b); return;

static void bin_f32(const rt_binary_params *p, const void *const *in, void *const *out) {
  switch ((enum rt_binary_op)p->op) {
  case RT_BINARY_ADD: BCAST2(float, float, a + b); return;
  case RT_BINARY_SUB: BCAST2(float, float, a - b); return;
  case RT_BINARY_MUL: BCAST2(float, float, a * b); return;
  case RT_BINARY_DIV: BCAST2(float, float, a / b); return;
  case RT_BINARY_POW: BCAST2(float, float, powf(a, b)); return;
  case RT_BINARY_MAX: BCAST2(float, float, (isnan(a) || a > b) ? a : b); return;
  case RT_BINARY_MIN: BCAST2(float, float, (isnan(a) || a < b) ? a : b); return;
  case RT_BINARY_FMOD: BCAST2(float, float, fmodf(a, b)); return;
  case RT_BINARY_PRELU: BCAST2(float, float, a < 0.0f ? a * b : a); return;
  COMPARE_CASES(float)
  default: return;
  }
}

static void bin_f64(const rt_binary_params *p, const void *const *in, void *const *out) {
  switch ((enum rt_binary_op)p->op) {
  case RT_BINARY_ADD: BCAST2(double, double, a + b); return;
  case RT_BINARY_SUB: BCAST2(double, double, a - b); return;
  case RT_BINARY_MUL: BCAST2(double, double, a * b); return;
  case RT_BINARY_DIV: BCAST2(double, double, a / b); return;
  case RT_BINARY_POW: BCAST2(double, double, pow(a, b)); return;
  case RT_BINARY_MAX: BCAST2(double, double, (isnan(a) || a > b) ? a : b); return;
  case RT_BINARY_MIN: BCAST2(double, double, (isnan(a) || a < b) ? a : b); return;
  case RT_BINARY_FMOD: BCAST2(double, double, fmod(a, b)); return;
  case RT_BINARY_PRELU: BCAST2(double, double, a < 0.0 ? a * b : a); return;
  COMPARE_CASES(double)
  default: return;
  }
}

/* Integer power by squaring; negative exponents give 0 (or ±1 for ±1). */
static int64_t ipow(int64_t base, int64_t e) {
  int64_t r = 1;
  if (e < 0) return base == 1 ? 1 : (base == -1 ? ((e & 1) ? -1 : 1) : 0);
  while (e) {
    if (e & 1) r = (int64_t)((uint64_t)r * (uint64_t)base);
    base = (int64_t)((uint64_t)base * (uint64_t)base);
    e >>= 1;
  }
  return r;
}

/* Python-style modulo: the result takes the divisor's sign. */
static int64_t imod(int64_t a, int64_t b) {
  int64_t m;
  if (b == 0) return 0;
  if (b == -1) return 0;
  m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

static int64_t idiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return (int64_t)(0 - (uint64_t)a); /* avoids INT64_MIN / -1 trap */
  return a / b;
}

/* Signed integers: arithmetic wraps like the hardware (done in unsigned to
 * keep UBSan quiet), division truncates. */
#define SIGNED_BIN(T)                                                         \
  static void bin_##T(const rt_binary_params *p, const void *const *in,       \
                      void *const *out) {                                     \
    switch ((enum rt_binary_op)p->op) {                                       \
    case RT_BINARY_ADD: BCAST2(T, T, (uint64_t)a + (uint64_t)b); return;      \
    case RT_BINARY_SUB: BCAST2(T, T, (uint64_t)a - (uint64_t)b); return;      \
    case RT_BINARY_MUL: BCAST2(T, T, (uint64_t)a * (uint64_t)b); return;      \
    case RT_BINARY_DIV: BCAST2(T, T, idiv(a, b)); return;                     \
    case RT_BINARY_POW: BCAST2(T, T, ipow(a, b)); return;                     \
    case RT_BINARY_MAX: BCAST2(T, T, a > b ? a : b); return;                  \
    case RT_BINARY_MIN: BCAST2(T, T, a < b ? a : b); return;                  \
    case RT_BINARY_MOD: BCAST2(T, T, imod(a, b)); return;                     \
    case RT_BINARY_FMOD: BCAST2(T, T, b == 0 || b == -1 ? 0 : a % b); return; \
    case RT_BINARY_PRELU: BCAST2(T, T, a < 0 ? (uint64_t)a * (uint64_t)b : (uint64_t)a); return; \
    case RT_BINARY_BITWISE_AND: BCAST2(T, T, a & b); return;                  \
    case RT_BINARY_BITWISE_OR: BCAST2(T, T, a | b); return;                   \
    case RT_BINARY_BITWISE_XOR: BCAST2(T, T, a ^ b); return;                  \
    COMPARE_CASES(T)                                                          \
    default: return;                                                          \
    }                                                                         \
  }
SIGNED_BIN(int8_t)
SIGNED_BIN(int16_t)
SIGNED_BIN(int32_t)
SIGNED_BIN(int64_t)
#undef SIGNED_BIN

#define UNSIGNED_BIN(T, BITS)                                                 \
  static void bin_##T(const rt_binary_params *p, const void *const *in,       \
                      void *const *out) {                                     \
    switch ((enum rt_binary_op)p->op) {                                       \
    case RT_BINARY_ADD: BCAST2(T, T, (uint64_t)a + b); return;                \
    case RT_BINARY_SUB: BCAST2(T, T, (uint64_t)a - b); return;                \
    case RT_BINARY_MUL: BCAST2(T, T, (uint64_t)a * b); return;                \
    case RT_BINARY_DIV: BCAST2(T, T, b ? a / b : 0); return;                  \
    case RT_BINARY_POW: BCAST2(T, T, ipow((int64_t)a, (int64_t)b)); return;   \
    case RT_BINARY_MAX: BCAST2(T, T, a > b ? a : b); return;                  \
    case RT_BINARY_MIN: BCAST2(T, T, a < b ? a : b); return;                  \
    case RT_BINARY_MOD: case RT_BINARY_FMOD: BCAST2(T, T, b ? a % b : 0); return; \
    case RT_BINARY_BITSHIFT_LEFT: BCAST2(T, T, b >= BITS ? 0 : (uint64_t)a << b); return; \
    case RT_BINARY_BITSHIFT_RIGHT: BCAST2(T, T, b >= BITS ? 0 : a >> b); return; \
    case RT_BINARY_BITWISE_AND: BCAST2(T, T, a & b); return;                  \
    case RT_BINARY_BITWISE_OR: BCAST2(T, T, a | b); return;                   \
    case RT_BINARY_BITWISE_XOR: BCAST2(T, T, a ^ b); return;                  \
    case RT_BINARY_AND: BCAST2(T, uint8_t, a && b); return;                   \
    case RT_BINARY_OR: BCAST2(T, uint8_t, a || b); return;                    \
    case RT_BINARY_XOR: BCAST2(T, uint8_t, (!a) != (!b)); return;             \
    COMPARE_CASES(T)                                                          \
    default: return;                                                          \
    }                                                                         \
  }
UNSIGNED_BIN(uint8_t, 8)
UNSIGNED_BIN(uint16_t, 16)
UNSIGNED_BIN(uint32_t, 32)
UNSIGNED_BIN(uint64_t, 64)
#undef UNSIGNED_BIN

RT_KERNEL(rt_binary) {
  const rt_binary_params *p = (const rt_binary_params *)params;
  (void)scratch;
  switch ((rt_dtype)p->dtype) {
  case RT_FLOAT: bin_f32(p, in, out); break;
  case RT_DOUBLE: bin_f64(p, in, out); break;
  case RT_INT8: bin_int8_t(p, in, out); break;
  case RT_INT16: bin_int16_t(p, in, out); break;
  case RT_INT32: bin_int32_t(p, in, out); break;
  case RT_INT64: bin_int64_t(p, in, out); break;
  case RT_UINT8: case RT_BOOL: bin_uint8_t(p, in, out); break;
  case RT_UINT16: bin_uint16_t(p, in, out); break;
  case RT_UINT32: bin_uint32_t(p, in, out); break;
  case RT_UINT64: bin_uint64_t(p, in, out); break;
  default: break;
  }
}

RT_KERNEL(rt_where) {
  const rt_where_params *p = (const rt_where_params *)params;
  const uint8_t *c = (const uint8_t *)in[0];
  const unsigned char *a = (const unsigned char *)in[1];
  const unsigned char *b = (const unsigned char *)in[2];
  unsigned char *y = (unsigned char *)out[0];
  const size_t es = (size_t)p->elem_size;
  int64_t idx[RT_MAX_RANK] = {0};
  int64_t total = total_elems(p->rank, p->dims), k, d;
  int64_t oc = 0, oa = 0, ob = 0;
  (void)scratch;
  for (k = 0; k < total; k++) {
    memcpy(y + (size_t)k * es, c[oc] ? a + (size_t)oa * es : b + (size_t)ob * es, es);
    for (d = p->rank - 1; d >= 0; d--) {
      idx[d]++;
      oc += p->c_strides[d];
      oa += p->a_strides[d];
      ob += p->b_strides[d];
      if (idx[d] < p->dims[d]) break;
      oc -= p->c_strides[d] * p->dims[d];
      oa -= p->a_strides[d] * p->dims[d];
      ob -= p->b_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}
