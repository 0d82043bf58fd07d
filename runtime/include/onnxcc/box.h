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
 *     bytes 0..63  int64 dims[8]: element k's dims (its rank is the type's)
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
/* The record size for elements of at most `elem_bytes` bytes. */
#define RT_BOX_RECORD_BYTES(elem_bytes) \
  (RT_BOX_RECORD_HEADER_BYTES + (((size_t)(elem_bytes) + 63u) / 64u) * 64u)

#endif
