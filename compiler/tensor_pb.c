#include "tensor_pb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checked.h"
#include "fileio.h"
#include "onnx.pb-c.h"
#include "../runtime/include/onnxcc/strings.h"

/* Parses a whole decimal int64 ("12", not "12x" or ""); 0 if it is not one. */
static int parse_i64(const char *s, long long *out) {
  char *end;
  errno = 0;
  *out = strtoll(s, &end, 10);
  return end != s && !*end && errno == 0;
}

/* External data must stay inside the model's folder: resolve both and
 * compare prefixes, so "../x" and symlinks that leave the folder fail. It
 * must be a regular file (a FIFO would block the compiler forever, a device
 * would feed it endless data), and hold the whole range the tensor names
 * before anything is allocated. On success *data is the tensor's bytes. */
static status read_external(const Onnx__TensorProto *tp, const char *base_dir, size_t need, const char *what,
                            void **data) {
  const char *location = NULL;
  long long offset = 0, length = -1;
  char dir_real[PATH_MAX], file_real[PATH_MAX], *joined;
  size_t i, dl, got = 0;
  struct stat st;
  int fd;
  for (i = 0; i < tp->n_external_data; i++) {
    const Onnx__StringStringEntryProto *e = tp->external_data[i];
    if (!e->key || !e->value) continue;
    if (strcmp(e->key, "location") == 0) location = e->value;
    else if (strcmp(e->key, "offset") == 0 && (!parse_i64(e->value, &offset) || offset < 0))
      return diag_error(ST_BAD_MODEL, "tensor '%s': external data offset '%s' is not a byte offset", what, e->value);
    else if (strcmp(e->key, "length") == 0 && (!parse_i64(e->value, &length) || length < 0))
      return diag_error(ST_BAD_MODEL, "tensor '%s': external data length '%s' is not a byte count", what, e->value);
  }
  if (!location || !*location)
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data without a location", what);
  if (location[0] == '/')
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data path '%s' is absolute; it must be relative to the model's folder",
                      what, location);
  if (strcmp(location, "..") == 0 || strncmp(location, "../", 3) == 0 || strstr(location, "/../") ||
      (strlen(location) >= 3 && strcmp(location + strlen(location) - 3, "/..") == 0))
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data path '%s' leaves the model's folder", what, location);
  if (!realpath(base_dir, dir_real))
    return diag_error(ST_IO, "cannot resolve folder '%s': %s", base_dir, strerror(errno));
  joined = xasprintf("%s/%s", dir_real, location);
  if (!realpath(joined, file_real)) {
    status s = diag_error(ST_BAD_MODEL, "tensor '%s': cannot open external data '%s': %s", what, location,
                          strerror(errno));
    free(joined);
    return s;
  }
  free(joined);
  dl = strlen(dir_real);
  if (strncmp(file_real, dir_real, dl) != 0 || (file_real[dl] != '/' && dl > 1))
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data path '%s' leaves the model's folder", what, location);
  if (length >= 0 && (unsigned long long)length != need)
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data length %lld does not match its shape (%zu bytes)", what,
                      length, need);
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = open(file_real, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return diag_error(ST_BAD_MODEL, "tensor '%s': cannot open '%s': %s", what, location, strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data '%s' is not a regular file", what, location);
  }
  if ((unsigned long long)st.st_size < (unsigned long long)offset ||
      (unsigned long long)st.st_size - (unsigned long long)offset < need) {
    close(fd);
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data file '%s' is too short (%lld bytes; the tensor needs %zu at offset %lld)",
                      what, location, (long long)st.st_size, need, offset);
  }
  *data = xcalloc(1, need ? need : 1);
  while (got < need) {
    ssize_t r = pread(fd, (char *)*data + got, need - got, (off_t)offset + (off_t)got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (got != need) {
    free(*data);
    *data = NULL;
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data file '%s' is too short", what, location);
  }
  return ST_OK;
}

/* How many values the typed field for this dtype holds. */
static size_t typed_count(const Onnx__TensorProto *tp, int dtype) {
  switch (dtype) {
  case DT_FLOAT: return tp->n_float_data;
  case DT_DOUBLE: return tp->n_double_data;
  case DT_INT64: return tp->n_int64_data;
  case DT_UINT32: case DT_UINT64: return tp->n_uint64_data;
  default: return tp->n_int32_data; /* int32, int16, int8, uint16, uint8, bool, float16, bfloat16 */
  }
}

/* Copies the typed field's values into data (numel elements of esize). */
static void copy_typed(const Onnx__TensorProto *tp, int dtype, size_t esize, size_t numel, void *data) {
  size_t i;
  switch (dtype) {
  case DT_FLOAT: if (numel) memcpy(data, tp->float_data, numel * esize); return;
  case DT_DOUBLE: if (numel) memcpy(data, tp->double_data, numel * esize); return;
  case DT_INT64: if (numel) memcpy(data, tp->int64_data, numel * esize); return;
  case DT_UINT32:
    for (i = 0; i < numel; i++) ((uint32_t *)data)[i] = (uint32_t)tp->uint64_data[i];
    return;
  case DT_UINT64: if (numel) memcpy(data, tp->uint64_data, numel * esize); return;
  default:
    for (i = 0; i < numel; i++) {
      int32_t v = tp->int32_data[i];
      if (esize == 1) ((uint8_t *)data)[i] = (uint8_t)v;
      else if (esize == 2) ((uint16_t *)data)[i] = (uint16_t)v;
      else ((int32_t *)data)[i] = v;
    }
  }
}

/* The sub-byte types (dtype_packed_bits: int4, uint4, float4e2m1 4 bits,
 * int2, uint2 2 bits): TensorProto packs 8 / bits elements to a byte,
 * element i at bit bits * (i % per_byte), lowest first; in memory they are
 * one per byte (ir.h), the signed integers sign-extended. */
static size_t packed_bytes(int dtype, size_t numel) {
  const size_t bits = (size_t)dtype_packed_bits(dtype);
  return bits ? (numel * bits + 7) / 8 : numel * dtype_size(dtype);
}

static void unpack_bits(int dtype, const uint8_t *packed, size_t numel, uint8_t *out) {
  const unsigned bits = (unsigned)dtype_packed_bits(dtype), per = 8 / bits, mask = (1u << bits) - 1;
  const unsigned sign = dtype == DT_INT4 || dtype == DT_INT2 ? 1u << (bits - 1) : 0;
  size_t i;
  for (i = 0; i < numel; i++) {
    unsigned v = (packed[i / per] >> (bits * (i % per))) & mask;
    out[i] = (uint8_t)(v & sign ? v | ~mask : v);
  }
}

static void pack_bits(int dtype, const uint8_t *elems, size_t numel, uint8_t *packed) {
  const unsigned bits = (unsigned)dtype_packed_bits(dtype), per = 8 / bits, mask = (1u << bits) - 1;
  size_t i;
  memset(packed, 0, packed_bytes(dtype, numel));
  for (i = 0; i < numel; i++) packed[i / per] |= (uint8_t)((elems[i] & mask) << (bits * (i % per)));
}

/* The bytes as stored (packed for sub-byte types), already read from the
 * file: into out->data, unpacked where needed. Takes `stored`. */
static void take_stored(ir_tensor *out, void *stored, size_t numel, size_t nbytes) {
  if (!dtype_packed_bits(out->dtype)) {
    out->data = stored;
    return;
  }
  out->data = xcalloc(1, nbytes ? nbytes : 1);
  unpack_bits(out->dtype, stored, numel, out->data);
  free(stored);
}

/* String tensors come as string_data only (ONNX keeps them out of
 * raw_data and external files): each into its slot, refusing a string
 * longer than the compilation's bound rather than cutting it. */
static status strings_from_proto(const Onnx__TensorProto *tp, ir_tensor *out, size_t numel, size_t nbytes,
                                 const char *what) {
  const size_t slot = dtype_size(DT_STRING);
  size_t i;
  if (tp->has_raw_data || (tp->has_data_location && tp->data_location == 1))
    return diag_error(ST_BAD_MODEL, "tensor '%s' is a string tensor with raw or external data; ONNX keeps strings "
                      "in string_data", what);
  if (tp->n_string_data != numel)
    return diag_error(ST_BAD_MODEL, "tensor '%s' holds %zu strings but its shape needs %zu", what,
                      tp->n_string_data, numel);
  for (i = 0; i < numel; i++)
    if (tp->string_data[i].len > dtype_max_string_bytes())
      return diag_error(ST_UNSUPPORTED, "tensor '%s': string %zu has %zu bytes, more than the %zu that "
                        "--max-string-bytes allows; compile with a larger --max-string-bytes", what, i,
                        tp->string_data[i].len, dtype_max_string_bytes());
  out->data = xcalloc(1, nbytes ? nbytes : 1);
  for (i = 0; i < numel; i++)
    rt_str_set((unsigned char *)out->data + i * slot, slot, (const char *)tp->string_data[i].data,
               tp->string_data[i].len);
  return ST_OK;
}

/* Every size is checked, and the data the tensor declares must be present
 * in the file, before anything is allocated: a 100-byte model must not be
 * able to ask for 64 GiB. */
status tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, ir_tensor *out, const char *what) {
  size_t i, esize, nbytes, numel, stored;
  int64_t bytes;
  void *data;
  status s;
  memset(out, 0, sizeof *out);
  if (tp->n_dims > IR_MAX_RANK)
    return diag_error(ST_UNSUPPORTED, "tensor '%s' has rank %zu; at most %d is supported", what, tp->n_dims, IR_MAX_RANK);
  out->dtype = tp->data_type;
  out->rank = (int)tp->n_dims;
  for (i = 0; i < tp->n_dims; i++) {
    if (tp->dims[i] < 0) return diag_error(ST_BAD_MODEL, "tensor '%s' has a negative dim", what);
    out->dims[i] = tp->dims[i];
  }
  esize = dtype_size(out->dtype);
  if (esize == 0)
    return diag_error(ST_UNSUPPORTED, "tensor '%s': element type %d is not supported", what, out->dtype);
  if (!ir_shape_check(out->dtype, out->rank, out->dims, &bytes)) {
    char buf[160];
    return diag_error(ST_BAD_MODEL, "tensor '%s' of type %s is too large (the limit is %lld bytes)", what,
                      tensor_type_str(out, buf, sizeof buf), (long long)CK_MAX_TENSOR_BYTES);
  }
  nbytes = (size_t)bytes;
  numel = nbytes / esize;
  if (out->dtype == DT_STRING) return strings_from_proto(tp, out, numel, nbytes, what);
  stored = packed_bytes(out->dtype, numel);

  if (tp->has_data_location && tp->data_location == 1) {
    if ((s = read_external(tp, base_dir, stored, what, &data)) != ST_OK) return s;
    take_stored(out, data, numel, nbytes);
    return ST_OK;
  }
  if (tp->has_raw_data) {
    if (tp->raw_data.len != stored)
      return diag_error(ST_BAD_MODEL, "tensor '%s' has %zu bytes of raw data but its shape needs %zu", what,
                        tp->raw_data.len, stored);
    data = xcalloc(1, stored ? stored : 1);
    if (stored) memcpy(data, tp->raw_data.data, stored); /* raw data is little-endian, as the host */
    take_stored(out, data, numel, nbytes);
    return ST_OK;
  }
  /* sub-byte types keep their packed bytes in int32_data, one per value */
  if (typed_count(tp, out->dtype) != (dtype_packed_bits(out->dtype) ? stored : numel))
    return diag_error(ST_BAD_MODEL, "tensor '%s' holds %zu values but its shape needs %zu", what,
                      typed_count(tp, out->dtype), dtype_packed_bits(out->dtype) ? stored : numel);
  data = xcalloc(1, nbytes ? nbytes : 1);
  copy_typed(tp, out->dtype, esize, dtype_packed_bits(out->dtype) ? stored : numel, data);
  take_stored(out, data, numel, nbytes);
  return ST_OK;
}

/* Slots to string_data, each entry pointing into t's slots (borrowed);
 * the array itself is freed by tensor_proto_release. */
static void strings_to_proto(Onnx__TensorProto *tp, const ir_tensor *t, size_t numel) {
  const size_t slot = dtype_size(DT_STRING);
  size_t i;
  tp->n_string_data = numel;
  tp->string_data = xcalloc(numel + 1, sizeof *tp->string_data);
  for (i = 0; i < numel; i++) {
    const unsigned char *e = (const unsigned char *)t->data + i * slot;
    tp->string_data[i].len = rt_str_len(e);
    tp->string_data[i].data = (uint8_t *)rt_str_chars(e);
  }
}

void tensor_proto_set(Onnx__TensorProto *tp, const ir_tensor *t, int64_t *dims) {
  size_t numel = (size_t)tensor_numel(t);
  int i;
  for (i = 0; i < t->rank; i++) dims[i] = t->dims[i];
  tp->n_dims = (size_t)t->rank;
  tp->dims = dims;
  tp->has_data_type = 1;
  tp->data_type = t->dtype;
  if (t->dtype == DT_STRING) {
    strings_to_proto(tp, t, numel);
    return;
  }
  tp->has_raw_data = 1;
  tp->raw_data.len = packed_bytes(t->dtype, numel);
  tp->raw_data.data = t->data;
  if (dtype_packed_bits(t->dtype)) {
    tp->raw_data.data = xmalloc(tp->raw_data.len + 1);
    pack_bits(t->dtype, t->data, numel, tp->raw_data.data);
  }
}

void tensor_proto_release(Onnx__TensorProto *tp, const ir_tensor *t) {
  free(tp->string_data);
  tp->string_data = NULL;
  tp->n_string_data = 0;
  if (tp->raw_data.data != t->data) free(tp->raw_data.data);
  tp->raw_data.data = NULL;
}

status tensor_read_file(const char *path, ir_tensor *out, char **name) {
  size_t n;
  unsigned char *buf;
  Onnx__TensorProto *tp;
  status s;
  char *dir;
  s = file_read_all(path, &buf, &n);
  if (s) return s;
  tp = onnx__tensor_proto__unpack(NULL, n, buf);
  free(buf);
  if (!tp) return diag_error(ST_BAD_MODEL, "not a TensorProto file");
  dir = path_dirname(path);
  s = tensor_from_proto(tp, dir, out, tp->name && *tp->name ? tp->name : path);
  free(dir);
  if (!s && name) *name = xstrdup(tp->name ? tp->name : "");
  onnx__tensor_proto__free_unpacked(tp, NULL);
  return s;
}

status tensor_write_file(const char *path, const ir_tensor *t, const char *name) {
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
  int64_t dims[IR_MAX_RANK];
  size_t n;
  uint8_t *buf;
  status s;
  tensor_proto_set(&tp, t, dims);
  tp.name = (char *)name;
  n = onnx__tensor_proto__get_packed_size(&tp);
  buf = xmalloc(n);
  onnx__tensor_proto__pack(&tp, buf);
  tensor_proto_release(&tp, t);
  s = file_write_atomic(path, buf, n);
  free(buf);
  return s;
}
