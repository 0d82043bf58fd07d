/* The memory layout of sequences and optionals ("boxes").
 *
 * A model input or output of sequence or optional type is one buffer:
 *
 *   bytes 0..7     int64 present: 1 when the value is there (always 1 for a
 *                  sequence), 0 for an empty optional
 *   bytes 8..15    int64 count: the number of elements (an optional tensor
 *                  holds 0 or 1)
 *   bytes 16..63   zero
 *   then `cap` records of `rec` bytes each, record k at 64 + k * rec:
 *     bytes 0..63  int64 dims[8]: element k's dims, then -1 in every slot
 *                  past its rank (a rank-0 element: eight -1s). The rank
 *                  is the type's, except in a box whose elements differ in
 *                  rank (the generated header says so), where the first -1
 *                  ends it (rt_box_rank)
 *     bytes 64..   element k's data, dense and row-major at those dims
 *
 * cap and rec are fixed by the compiled model (NAME_inputs[i].bytes is the
 * whole buffer; the generated header names each boxed value's element type,
 * cap and rec). rec is 64 plus the largest element's bytes, rounded up to
 * 64, so a box with fewer records of the same rec is a prefix of a bigger
 * one. */
#ifndef ONNXCC_BOX_H
#define ONNXCC_BOX_H

#include <stddef.h>
#include <stdint.h>

#define RT_BOX_HEADER_BYTES 64
#define RT_BOX_RECORD_HEADER_BYTES 64

#define RT_BOX_PRESENT(box) (((int64_t *)(void *)(box))[0])
#define RT_BOX_COUNT(box) (((int64_t *)(void *)(box))[1])
/* Record k of a box whose records are `rec` bytes. */
#define RT_BOX_RECORD(box, rec, k) \
  ((unsigned char *)(box) + RT_BOX_HEADER_BYTES + (size_t)(k) * (size_t)(rec))
#define RT_BOX_DIMS(record) ((int64_t *)(void *)(record))
#define RT_BOX_DATA(record) ((unsigned char *)(record) + RT_BOX_RECORD_HEADER_BYTES)
/* The rank of the element in `record`: the count of dims before the
 * first -1. */
static inline int rt_box_rank(const void *record) {
  const int64_t *dims = (const int64_t *)record;
  int r = 0;
  while (r < 8 && dims[r] >= 0) r++;
  return r;
}
/* Writes an element's dims into `record`, -1 past its rank. */
static inline void rt_box_set_dims(void *record, const int64_t *dims, int rank) {
  int64_t *d = (int64_t *)record;
  int k;
  for (k = 0; k < 8; k++) d[k] = k < rank ? dims[k] : -1;
}
/* The record size for elements of at most `elem_bytes` bytes. */
#define RT_BOX_RECORD_BYTES(elem_bytes) \
  (RT_BOX_RECORD_HEADER_BYTES + (((size_t)(elem_bytes) + 63u) / 64u) * 64u)

#endif
