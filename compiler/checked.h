/* Overflow-checked size arithmetic.
 *
 * Every size the compiler computes from a model (element counts, byte
 * counts, strides, offsets) goes through these helpers, because a model is
 * untrusted input: a product of dims that wraps turns into a small buffer
 * and a kernel that writes the real count. Each helper returns 1 when the
 * result fits and 0 when it does not; on 0 *out is left unspecified. */
#ifndef ONNXCC_CHECKED_H
#define ONNXCC_CHECKED_H

#include <stddef.h>
#include <stdint.h>

/* The largest tensor (in bytes) the compiler accepts anywhere: an input, an
 * initializer, an intermediate or an output. 1 TiB is far above any model
 * that fits a C program, and small enough that a sum of a million such
 * sizes (arena offsets, weight offsets) still fits in int64. */
#define CK_MAX_TENSOR_BYTES ((int64_t)1 << 40)

int ck_add(int64_t a, int64_t b, int64_t *out);
int ck_sub(int64_t a, int64_t b, int64_t *out);
int ck_mul(int64_t a, int64_t b, int64_t *out);
/* Product of `rank` dims; 0 if any dim is negative or the product overflows. */
int ck_numel(int rank, const int64_t *dims, int64_t *out);
/* numel * elem_size; 0 on overflow or a negative count. */
int ck_bytes(int64_t numel, size_t elem_size, int64_t *out);
/* Whether a whole shape is acceptable is ir_shape_check (ir.h), built on
 * these: every tensor in the IR passes it, so strides and partial products
 * of its dims need no further checks. */
/* Rounds n up to a multiple of align (a power of two); 0 on overflow. */
int ck_align(int64_t n, int64_t align, int64_t *out);

/* Sticky forms for formulas over attribute values (a conv's output size,
 * a pool's padding): the first overflow sets *bad, and the caller checks
 * *bad once after the whole formula. Results after an overflow are 0. */
static inline int64_t ck_add_s(int64_t a, int64_t b, int *bad) {
  int64_t r;
  if (*bad || __builtin_add_overflow(a, b, &r)) return *bad = 1, 0;
  return r;
}
static inline int64_t ck_sub_s(int64_t a, int64_t b, int *bad) {
  int64_t r;
  if (*bad || __builtin_sub_overflow(a, b, &r)) return *bad = 1, 0;
  return r;
}
static inline int64_t ck_mul_s(int64_t a, int64_t b, int *bad) {
  int64_t r;
  if (*bad || __builtin_mul_overflow(a, b, &r)) return *bad = 1, 0;
  return r;
}

#endif
