/* onnxcc runtime: the small library that generated models link against.
 *
 * It holds no global state, never allocates and does no I/O, so it builds
 * for bare-metal targets. Memory (weights, arena) always belongs to the
 * caller. */
#ifndef ONNXCC_RUNTIME_H
#define ONNXCC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel ABI: kernel names, parameter struct layouts and the blob
 * format. Generated code checks it twice: `#if` against this header, and
 * a call of rt_abi_v<N>(), which only a runtime library of the same ABI
 * defines (a mismatched library fails to link instead of misreading
 * parameters). Bump it with any change to a kernel, params struct or
 * scratch layout (what the compiler reserves must be what a kernel uses). */
#define RT_ABI_VERSION 14
int rt_abi_v14(void);

/* The width of the runtime's index arithmetic: 32 for a runtime built with
 * ONNXCC_RT_INDEX32 (the meson option runtime_index32, which the installed
 * config.h records; a build that compiles the sources itself passes
 * -DONNXCC_RT_INDEX32 to the runtime and the generated code alike), else
 * 64. Generated code whose buffers pass RT_INDEX32_MAX elements or bytes
 * fails with #error when it is 32 (docs/integration.md, "32-bit indices"). */
#include "config.h"
#ifdef ONNXCC_RT_INDEX32
#define RT_INDEX_BITS 32
#else
#define RT_INDEX_BITS 64
#endif
/* The most elements or bytes one buffer may hold for a 32-bit index
 * runtime: half of INT32_MAX, so the sum of two indices (an offset plus
 * a pad, a count rounded up) still fits. */
#define RT_INDEX32_MAX 1073741823

/* Status codes returned by generated NAME_init / NAME_run. */
typedef enum rt_status {
  RT_OK = 0,
  RT_ERR_NULL = 1,         /* a required pointer was NULL */
  RT_ERR_BLOB_SIZE = 2,    /* weight blob shorter or longer than expected */
  RT_ERR_BLOB_MAGIC = 3,   /* not an onnxcc weight blob */
  RT_ERR_BLOB_VERSION = 4, /* blob format version not understood */
  RT_ERR_BLOB_CHECKSUM = 5,/* blob contents damaged or from another model */
  RT_ERR_ARENA_SIZE = 6,   /* arena smaller than NAME_ARENA_BYTES */
  RT_ERR_ALIGN = 7,        /* weights or arena not aligned to RT_ALIGN */
  RT_ERR_ABI = 8,          /* runtime library of another kernel ABI */
  RT_ERR_SHAPE = 9,        /* a run-time value contradicts a shape the code was compiled for */
  RT_ERR_VALUE = 10,       /* a run-time value the op refuses: a sequence position out of range,
                              an empty optional read */
  RT_ERR_THREADS = 11      /* rt_pool_start could not start its threads (onnxcc/threads.h) */
} rt_status;

/* Integer helpers for dims that generated code computes at run time
 * (divisors are >= 1 there: the compiler proves it). */
static inline int64_t rt_dim_floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0); }
static inline int64_t rt_dim_ceildiv(int64_t a, int64_t b) { return a / b + (a % b != 0 && a > 0); }
static inline int64_t rt_dim_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t rt_dim_max(int64_t a, int64_t b) { return a > b ? a : b; }

/* Human-readable text for a status code (never NULL). */
const char *rt_status_str(int status);

/* ONNX element types, numbered as in the ONNX TensorProto.DataType enum.
 * In buffers: float16 and bfloat16 as uint16_t bit patterns, each float8
 * type (float8e8m0 too) as one uint8_t bit pattern, and the sub-byte types
 * one element per byte: int4 / int2 as int8_t (-8..7, -2..1), uint4 /
 * uint2 as uint8_t (0..15, 0..3), float4e2m1 as its 4-bit pattern in a
 * uint8_t; not packed two or four to a byte as TensorProto stores them. */
typedef enum rt_dtype {
  RT_FLOAT = 1, RT_UINT8 = 2, RT_INT8 = 3, RT_UINT16 = 4, RT_INT16 = 5,
  RT_INT32 = 6, RT_INT64 = 7, RT_STRING = 8, RT_BOOL = 9, RT_FLOAT16 = 10,
  RT_DOUBLE = 11, RT_UINT32 = 12, RT_UINT64 = 13, RT_BFLOAT16 = 16,
  RT_FLOAT8E4M3FN = 17, RT_FLOAT8E4M3FNUZ = 18, RT_FLOAT8E5M2 = 19, RT_FLOAT8E5M2FNUZ = 20,
  RT_UINT4 = 21, RT_INT4 = 22, RT_FLOAT4E2M1 = 23, RT_FLOAT8E8M0 = 24, RT_UINT2 = 25, RT_INT2 = 26
} rt_dtype;

#define RT_MAX_RANK 8
/* Alignment of every tensor in the arena and the weight blob, and of the
 * arena and weight pointers the caller passes in. */
#define RT_ALIGN 64
/* Alignment the caller's weight and arena buffers must have. Tensors sit at
 * RT_ALIGN multiples inside them; 16 is what malloc gives on common hosts. */
#define RT_BUFFER_ALIGN 16

/* Description of one model input or output, for the tables the generated
 * header exports. */
typedef struct rt_tensor_info {
  const char *name;
  int dtype;      /* rt_dtype */
  int rank;
  int64_t dims[RT_MAX_RANK];
  size_t bytes;
} rt_tensor_info;

/* The weight blob: a 64-byte header, then the payload.
 *   bytes 0..7   magic "ONNXCCW\0"
 *   bytes 8..11  format version (little-endian uint32)
 *   bytes 12..15 reserved, zero
 *   bytes 16..23 payload size in bytes (little-endian uint64)
 *   bytes 24..31 FNV-1a 64-bit hash of the payload (little-endian uint64)
 *   bytes 32..63 reserved, zero
 * rt_blob_check rejects a blob whose reserved bytes are not all zero
 * (RT_ERR_BLOB_VERSION: a format this runtime does not know), so every
 * bit of the header is checked.
 * Tensors start at RT_ALIGN multiples inside the payload. */
#define RT_BLOB_HEADER_BYTES 64
#define RT_BLOB_VERSION 1u

uint64_t rt_fnv1a64(const void *data, size_t n);

/* Checks a blob of `size` bytes against the payload size and hash the
 * generated code expects. Returns RT_OK or the RT_ERR_BLOB_* reason. */
int rt_blob_check(const void *blob, size_t size, uint64_t payload_bytes,
                  uint64_t payload_hash);

#ifdef __cplusplus
}
#endif
#endif
