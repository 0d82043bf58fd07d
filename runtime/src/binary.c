/* Broadcasting binary and ternary kernels.
 *
 * The walk is the same for every op: the output is visited in order, the
 * last dimension in an inner loop, the outer dimensions with an odometer
 * that moves each input's offset by its stride (zero on broadcast dims).
 * With --threads each task walks its own range of output elements,
 * starting the odometer where the range starts. */
#include <math.h>
#include <string.h>

#include "half_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/elementwise.h"
#include "split_internal.h"

static int64_t total_elems(int64_t rank, const int64_t *dims) {
  int64_t n = 1, d;
  for (d = 0; d < rank; d++) n *= dims[d];
  return n;
}

/* The odometer of the walk at output row `row` (rows: the last dim's
 * runs): the index of each outer dim, and the offset of each of the n
 * inputs, whose strides are strides[k]. A split call starts each piece
 * here; whole, it is row 0. */
static void seek_row(int64_t rank, const int64_t *dims, int64_t row, int64_t *idx, int n,
                     const int64_t *const *strides, int64_t *off) {
  int64_t d;
  int k;
  for (k = 0; k < n; k++) off[k] = 0;
  for (d = rank - 2; d >= 0; d--) {
    idx[d] = RT_IMOD(row, dims[d]);
    row = RT_IDIV(row, dims[d]);
    for (k = 0; k < n; k++) off[k] += idx[d] * strides[k][d];
  }
}

/* The body of a range function over output elements [lo, hi) (lo < hi):
 * walks `p` (any struct with rank/dims/a_strides/b_strides) from row
 * lo / inner on and evaluates EXPR (using a, b) into Y. The inner loop has
 * fast paths for the common stride patterns so the C compiler can
 * vectorise them; each element gets the same code whatever the range. */
#define BCAST2(TA, TY, EXPR)                                                  \
  do {                                                                        \
    const TA *A_ = (const TA *)in[0];                                         \
    const TA *B_ = (const TA *)in[1];                                         \
    TY *Y_ = (TY *)out[0];                                                    \
    int64_t idx_[RT_MAX_RANK] = {0}, off_[2];                                 \
    const int64_t *strides_[2];                                               \
    const int64_t r_ = p->rank;                                               \
    const int64_t inner_ = r_ ? p->dims[r_ - 1] : 1;                          \
    const int64_t sa_ = r_ ? p->a_strides[r_ - 1] : 0;                        \
    const int64_t sb_ = r_ ? p->b_strides[r_ - 1] : 0;                        \
    int64_t row_, i_, i0_, i1_, d_, oa_, ob_;                                 \
    strides_[0] = p->a_strides;                                               \
    strides_[1] = p->b_strides;                                               \
    row_ = RT_IDIV(lo, inner_);                                               \
    seek_row(r_, p->dims, row_, idx_, 2, strides_, off_);                     \
    oa_ = off_[0];                                                            \
    ob_ = off_[1];                                                            \
    /* row_ becomes the flat index of the row's first element */              \
    for (row_ *= inner_; row_ < hi; row_ += inner_) {                         \
      const TA *pa_ = A_ + oa_, *pb_ = B_ + ob_;                              \
      TY *py_ = Y_ + row_;                                                    \
      i0_ = lo > row_ ? lo - row_ : 0;                                        \
      i1_ = hi - row_ < inner_ ? hi - row_ : inner_;                          \
      if (sa_ == 1 && sb_ == 1) {                                             \
        for (i_ = i0_; i_ < i1_; i_++) {                                      \
          TA a = pa_[i_], b = pb_[i_];                                        \
          py_[i_] = (TY)(EXPR);                                               \
        }                                                                     \
      } else if (sa_ == 1 && sb_ == 0) {                                      \
        const TA b = pb_[0];                                                  \
        for (i_ = i0_; i_ < i1_; i_++) {                                      \
          TA a = pa_[i_];                                                     \
          py_[i_] = (TY)(EXPR);                                               \
        }                                                                     \
      } else {                                                                \
        for (i_ = i0_; i_ < i1_; i_++) {                                      \
          TA a = pa_[i_ * sa_], b = pb_[i_ * sb_];                            \
          py_[i_] = (TY)(EXPR);                                               \
        }                                                                     \
      }                                                                       \
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

/* float16 (the H class: the few ops that have such a variant) computes in
 * float and rounds once. Max and Min give back one input's own bits (no
 * rounding at all), with the NaN rule of the float variants; fmod's result
 * is exact in float and fits float16, so its one rounding is exact too. */
static uint16_t max_f16(uint16_t ha, uint16_t hb) {
  const float a = half_to_float(ha), b = half_to_float(hb);
  return isnan(a) || a > b ? ha : hb;
}
static uint16_t min_f16(uint16_t ha, uint16_t hb) {
  const float a = half_to_float(ha), b = half_to_float(hb);
  return isnan(a) || a < b ? ha : hb;
}
static uint16_t fmod_f16(uint16_t ha, uint16_t hb) { return float_to_half(fmodf(half_to_float(ha), half_to_float(hb))); }

/* Mod with fmod 0 on floats (opset 28): the remainder takes the divisor's
 * sign, as Python's % does. From C's fmod (exact; NaN when a is infinite
 * or b zero): a zero result gets b's sign, and a nonzero one of the other
 * sign moves by b (an infinite b then is the result, as the spec says). */
#define FLOOR_MOD(name, T, fmodfn, copysignfn)  \
  static T name(T a, T b) {                     \
    T r = fmodfn(a, b);                         \
    if (r == 0) return copysignfn(0, b);        \
    return (r < 0) != (b < 0) ? r + b : r;      \
  }
FLOOR_MOD(floor_mod_f32, float, fmodf, copysignf)
FLOOR_MOD(floor_mod_f64, double, fmod, copysign)
static uint16_t mod_f16(uint16_t ha, uint16_t hb) { return float_to_half(floor_mod_f32(half_to_float(ha), half_to_float(hb))); }

/* Each op as an expression in a and b, per class of element type: F float,
 * S signed, U unsigned. Integer arithmetic is done in uint64_t, so it wraps
 * like the hardware without signed overflow; division truncates. M(t, fn)
 * is libm's fn for float suffix t (powf for f32, pow for f64). */
#define FN_f32(fn) fn##f
#define FN_f64(fn) fn
#define M(t, fn) FN_##t(fn)

#define E_add_F(t) a + b
#define E_add_S(t) (uint64_t)a + (uint64_t)b
#define E_add_U E_add_S
#define E_sub_F(t) a - b
#define E_sub_S(t) (uint64_t)a - (uint64_t)b
#define E_sub_U E_sub_S
#define E_mul_F(t) a * b
#define E_mul_S(t) (uint64_t)a * (uint64_t)b
#define E_mul_U E_mul_S
#define E_div_F(t) a / b
#define E_div_S(t) idiv(a, b)
#define E_div_U(t) b ? a / b : 0
/* x^2 (LayerNormalization as exporters decompose it: Pow(x - mean, 2)) as
 * x * x, which is the correctly rounded square, where powf is within an
 * ulp: with a broadcast exponent the test is loop-invariant, the loop is
 * unswitched and the square vectorizes, where a call per element cannot
 * (13 % of the transformer encoder's run went to powf) */
#define E_pow_F(t) b == 2 ? a * a : M(t, pow)(a, b)
#define E_pow_S(t) ipow(a, b)
#define E_pow_U(t) ipow((int64_t)a, (int64_t)b)
#define E_max_F(t) (isnan(a) || a > b) ? a : b
#define E_max_S(t) a > b ? a : b
#define E_max_U E_max_S
#define E_min_F(t) (isnan(a) || a < b) ? a : b
#define E_min_S(t) a < b ? a : b
#define E_min_U E_min_S
#define E_max_H(t) max_f16(a, b)
#define E_min_H(t) min_f16(a, b)
#define E_fmod_H(t) fmod_f16(a, b)
#define E_mod_H(t) mod_f16(a, b)
#define E_mod_F(t) floor_mod_##t(a, b)
#define E_mod_S(t) imod(a, b)
#define E_mod_U(t) b ? a % b : 0
#define E_fmod_F(t) M(t, fmod)(a, b)
#define E_fmod_S(t) b == 0 || b == -1 ? 0 : a % b
#define E_fmod_U E_mod_U
#define E_prelu_F(t) a < 0 ? a * b : a
#define E_prelu_S(t) a < 0 ? (uint64_t)a * (uint64_t)b : (uint64_t)a
#define E_bitwise_and_S(t) a & b
#define E_bitwise_and_U E_bitwise_and_S
#define E_bitwise_or_S(t) a | b
#define E_bitwise_or_U E_bitwise_or_S
#define E_bitwise_xor_S(t) a ^ b
#define E_bitwise_xor_U E_bitwise_xor_S
/* A count out of [0, bits) (a negative one too: it is huge as uint64_t)
 * keeps only the sign. Signed values shift as uint64_t to the left (no
 * overflow), and to the right as the complement of the complement's shift
 * when negative, so that no shift of a negative value is left to the C
 * implementation. */
#define E_bitshift_left_U(t) (uint64_t)b >= 8 * sizeof a ? 0 : (uint64_t)a << b
#define E_bitshift_right_U(t) (uint64_t)b >= 8 * sizeof a ? 0 : a >> b
#define E_bitshift_left_S E_bitshift_left_U
#define E_bitshift_right_S(t) \
  (uint64_t)b >= 8 * sizeof a ? (a < 0 ? -1 : 0) : (a < 0 ? ~(~(int64_t)a >> b) : (int64_t)a >> b)
/* Comparisons are the same on every class and write bool. */
#define E_equal_F(t) a == b
#define E_less_F(t) a < b
#define E_greater_F(t) a > b
#define E_less_equal_F(t) a <= b
#define E_greater_equal_F(t) a >= b
#define E_equal_S E_equal_F
#define E_less_S E_less_F
#define E_greater_S E_greater_F
#define E_less_equal_S E_less_equal_F
#define E_greater_equal_S E_greater_equal_F
#define E_equal_U E_equal_F
#define E_less_U E_less_F
#define E_greater_U E_greater_F
#define E_less_equal_U E_less_equal_F
#define E_greater_equal_U E_greater_equal_F

/* The output element type: T, or bool (uint8_t) for comparisons. */
#define OUT_add(T) T
#define OUT_sub(T) T
#define OUT_mul(T) T
#define OUT_div(T) T
#define OUT_pow(T) T
#define OUT_max(T) T
#define OUT_min(T) T
#define OUT_mod(T) T
#define OUT_fmod(T) T
#define OUT_prelu(T) T
#define OUT_bitwise_and(T) T
#define OUT_bitwise_or(T) T
#define OUT_bitwise_xor(T) T
#define OUT_bitshift_left(T) T
#define OUT_bitshift_right(T) T
#define OUT_equal(T) uint8_t
#define OUT_less(T) uint8_t
#define OUT_greater(T) uint8_t
#define OUT_less_equal(T) uint8_t
#define OUT_greater_equal(T) uint8_t

#define CLASS_f32 F
#define CLASS_f64 F
#define CLASS_f16 H
#define CLASS_i8 S
#define CLASS_i16 S
#define CLASS_i32 S
#define CLASS_i64 S
#define CLASS_u8 U
#define CLASS_u16 U
#define CLASS_u32 U
#define CLASS_u64 U

/* A kernel and its range body; the output elements split across the
 * call's rt_parallel in whole cache lines (split_internal.h). */
#define BIN_KERNEL(name, T, TY, EXPR)                                         \
  static void name##_range(void *arg, int64_t lo, int64_t hi) {               \
    RT_CALL_ARGS(arg);                                                        \
    const rt_binary_params *p = (const rt_binary_params *)params;             \
    BCAST2(T, TY, EXPR);                                                      \
  }                                                                           \
  RT_KERNEL(name) {                                                           \
    const rt_binary_params *p = (const rt_binary_params *)params;             \
    rt_kernel_ranges(name##_range, params, in, out, scratch, total_elems(p->rank, p->dims), RT_LINE_ELEMS(TY), \
                     2 * (int64_t)sizeof(T) + (int64_t)sizeof(TY));           \
  }

/* rt_<op>_<t> from the expression for t's class (two steps, so CLASS_t
 * expands before it is pasted). */
#define E_(op, C) E_##op##_##C
#define E(op, C) E_(op, C)
#define DEF_(op, t, C) BIN_KERNEL(rt_##op##_##t, RT_EW_CTYPE_##t, OUT_##op(RT_EW_CTYPE_##t), E(op, C)(t))
#define DEF(K, op, t) DEF_(op, t, CLASS_##t)
#define DEF_F(K, op) RT_EW_FLOATS(DEF, K, op)
#define DEF_S(K, op) RT_EW_SIGNED(DEF, K, op)
#define DEF_U(K, op) RT_EW_UNSIGNED(DEF, K, op)
#define DEF_I(K, op) DEF_S(K, op) DEF_U(K, op)
#define DEF_N(K, op) DEF_F(K, op) DEF_I(K, op)

RT_BINARY_NUM_OPS(DEF_N, ~)
RT_BINARY_INT_OPS(DEF_I, ~)
DEF_F(~, fmod)
DEF_I(~, fmod)
DEF_F(~, mod)
DEF_F(~, prelu)
RT_BINARY_F16_OPS(DEF, ~, f16)
DEF_S(~, prelu)

/* Bool inputs. */
BIN_KERNEL(rt_equal_bool, uint8_t, uint8_t, a == b)
BIN_KERNEL(rt_and_bool, uint8_t, uint8_t, a && b)
BIN_KERNEL(rt_or_bool, uint8_t, uint8_t, a || b)
BIN_KERNEL(rt_xor_bool, uint8_t, uint8_t, (!a) != (!b))

/* Where: the same walk over three inputs, by element size; the condition
 * is bool. Values are copied as unsigned integers of their width. */
#define WHERE_KERNEL(size, T)                                                 \
  static void where_range_##size(void *arg, int64_t lo, int64_t hi) {         \
    RT_CALL_ARGS(arg);                                                        \
    const rt_where_params *p = (const rt_where_params *)params;               \
    const uint8_t *C = (const uint8_t *)in[0];                                \
    const T *A = (const T *)in[1], *B = (const T *)in[2];                     \
    T *Y = (T *)out[0];                                                       \
    int64_t idx[RT_MAX_RANK] = {0}, off[3];                                   \
    const int64_t *strides[3];                                                \
    const int64_t r = p->rank;                                                \
    const int64_t inner = r ? p->dims[r - 1] : 1;                             \
    const int64_t sc = r ? p->c_strides[r - 1] : 0;                           \
    const int64_t sa = r ? p->a_strides[r - 1] : 0;                           \
    const int64_t sb = r ? p->b_strides[r - 1] : 0;                           \
    int64_t row, i, i0, i1, d, oc, oa, ob;                                    \
    strides[0] = p->c_strides;                                                \
    strides[1] = p->a_strides;                                                \
    strides[2] = p->b_strides;                                                \
    row = RT_IDIV(lo, inner);                                                 \
    seek_row(r, p->dims, row, idx, 3, strides, off);                          \
    oc = off[0];                                                              \
    oa = off[1];                                                              \
    ob = off[2];                                                              \
    for (row *= inner; row < hi; row += inner) {                              \
      i0 = lo > row ? lo - row : 0;                                           \
      i1 = hi - row < inner ? hi - row : inner;                               \
      for (i = i0; i < i1; i++)                                               \
        Y[row + i] = C[oc + i * sc] ? A[oa + i * sa] : B[ob + i * sb];        \
      for (d = r - 2; d >= 0; d--) {                                          \
        idx[d]++;                                                             \
        oc += p->c_strides[d];                                                \
        oa += p->a_strides[d];                                                \
        ob += p->b_strides[d];                                                \
        if (idx[d] < p->dims[d]) break;                                       \
        oc -= p->c_strides[d] * p->dims[d];                                   \
        oa -= p->a_strides[d] * p->dims[d];                                   \
        ob -= p->b_strides[d] * p->dims[d];                                   \
        idx[d] = 0;                                                           \
      }                                                                       \
    }                                                                         \
  }                                                                           \
  RT_KERNEL(rt_where_##size) {                                                \
    const rt_where_params *p = (const rt_where_params *)params;               \
    rt_kernel_ranges(where_range_##size, params, in, out, scratch, total_elems(p->rank, p->dims), RT_LINE_ELEMS(T), \
                     1 + 3 * (int64_t)sizeof(T));                             \
  }
WHERE_KERNEL(1, uint8_t)
WHERE_KERNEL(2, uint16_t)
WHERE_KERNEL(4, uint32_t)
WHERE_KERNEL(8, uint64_t)
