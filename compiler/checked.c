#include "checked.h"

int ck_add(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }
int ck_sub(int64_t a, int64_t b, int64_t *out) { return !__builtin_sub_overflow(a, b, out); }
int ck_mul(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }

int ck_numel(int rank, const int64_t *dims, int64_t *out) {
  int64_t n = 1;
  int i;
  /* A zero dim makes the product 0 whatever the other dims are, but each
   * dim must still be sane on its own: look at all of them first. */
  for (i = 0; i < rank; i++)
    if (dims[i] < 0) return 0;
  for (i = 0; i < rank; i++)
    if (dims[i] == 0) {
      *out = 0;
      return 1;
    }
  for (i = 0; i < rank; i++)
    if (!ck_mul(n, dims[i], &n)) return 0;
  *out = n;
  return 1;
}

int ck_bytes(int64_t numel, size_t elem_size, int64_t *out) {
  if (numel < 0 || elem_size > (size_t)INT64_MAX) return 0;
  return ck_mul(numel, (int64_t)elem_size, out);
}

int ck_align(int64_t n, int64_t align, int64_t *out) {
  int64_t r;
  if (n < 0 || align <= 0 || !ck_add(n, align - 1, &r)) return 0;
  *out = r / align * align;
  return 1;
}
