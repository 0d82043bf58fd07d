/* Weight blob validation and status text. */
#include <string.h>

#include "onnxcc/runtime.h"

int rt_abi_v14(void) { return RT_ABI_VERSION; }

const char *rt_status_str(int status) {
  switch ((rt_status)status) {
  case RT_OK: return "ok";
  case RT_ERR_NULL: return "a required pointer is NULL";
  case RT_ERR_BLOB_SIZE: return "weight blob has the wrong size";
  case RT_ERR_BLOB_MAGIC: return "not an onnxcc weight blob";
  case RT_ERR_BLOB_VERSION: return "unsupported weight blob version";
  case RT_ERR_BLOB_CHECKSUM: return "weight blob is damaged or belongs to another model";
  case RT_ERR_ARENA_SIZE: return "arena is smaller than required";
  case RT_ERR_ALIGN: return "weights or arena are not aligned to RT_BUFFER_ALIGN";
  case RT_ERR_ABI: return "the runtime library has another kernel ABI than the generated code";
  case RT_ERR_SHAPE: return "a value at run time contradicts a shape the model was compiled for";
  case RT_ERR_VALUE: return "a value at run time is one the model's ops refuse (such as a sequence position out "
                            "of range, an empty optional read, a Dropout ratio outside [0, 1), a RoiAlign batch "
                            "index outside the batch)";
  case RT_ERR_THREADS: return "the worker threads could not be started";
  }
  return "unknown status";
}

uint64_t rt_fnv1a64(const void *data, size_t n) {
  const unsigned char *p = (const unsigned char *)data;
  uint64_t h = 1469598103934665603ull;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

static uint64_t read_le(const unsigned char *p, int bytes) {
  uint64_t v = 0;
  int i;
  for (i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static int all_zero(const unsigned char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

int rt_blob_check(const void *blob, size_t size, uint64_t payload_bytes,
                  uint64_t payload_hash) {
  const unsigned char *b = (const unsigned char *)blob;
  if (!blob) return RT_ERR_NULL;
  if (size < RT_BLOB_HEADER_BYTES) return RT_ERR_BLOB_SIZE;
  if (memcmp(b, "ONNXCCW", 8) != 0) return RT_ERR_BLOB_MAGIC;
  if (read_le(b + 8, 4) != RT_BLOB_VERSION) return RT_ERR_BLOB_VERSION;
  /* Reserved bytes must be zero: a later format may give them a meaning,
   * and a blob that sets them is one this runtime does not understand.
   * It also leaves no header bit whose flip goes unnoticed. */
  if (!all_zero(b + 12, 4) || !all_zero(b + 32, RT_BLOB_HEADER_BYTES - 32)) return RT_ERR_BLOB_VERSION;
  if (read_le(b + 16, 8) != payload_bytes || size != RT_BLOB_HEADER_BYTES + payload_bytes)
    return RT_ERR_BLOB_SIZE;
  if (read_le(b + 24, 8) != payload_hash) return RT_ERR_BLOB_CHECKSUM;
  if (rt_fnv1a64(b + RT_BLOB_HEADER_BYTES, (size_t)payload_bytes) != payload_hash)
    return RT_ERR_BLOB_CHECKSUM;
  return RT_OK;
}
