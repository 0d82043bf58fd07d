#include "tensor_pb.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "onnx.pb-c.h"

/* External data must stay inside the model's folder: resolve both and
 * compare prefixes, so "../x" and symlinks that leave the folder fail. */
static status read_external(const Onnx__TensorProto *tp, const char *base_dir, void *dst, size_t need,
                            const char *what) {
  const char *location = NULL;
  long long offset = 0, length = -1;
  char dir_real[PATH_MAX], file_real[PATH_MAX], *joined;
  size_t i, dl;
  FILE *f;
  for (i = 0; i < tp->n_external_data; i++) {
    const Onnx__StringStringEntryProto *e = tp->external_data[i];
    if (!e->key || !e->value) continue;
    if (strcmp(e->key, "location") == 0) location = e->value;
    else if (strcmp(e->key, "offset") == 0) offset = atoll(e->value);
    else if (strcmp(e->key, "length") == 0) length = atoll(e->value);
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
  if (length >= 0 && (size_t)length != need)
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data length %lld does not match its shape (%zu bytes)", what,
                      length, need);
  f = fopen(file_real, "rb");
  if (!f) return diag_error(ST_IO, "tensor '%s': cannot open '%s': %s", what, location, strerror(errno));
  if (offset < 0 || fseek(f, (long)offset, SEEK_SET) != 0 || fread(dst, 1, need, f) != need) {
    fclose(f);
    return diag_error(ST_BAD_MODEL, "tensor '%s': external data file '%s' is too short", what, location);
  }
  fclose(f);
  return ST_OK;
}

static status count_mismatch(const char *what, size_t have, int64_t want) {
  return diag_error(ST_BAD_MODEL, "tensor '%s' holds %zu values but its shape needs %lld", what, have,
                    (long long)want);
}

status tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, ir_tensor *out, const char *what) {
  size_t i, esize, nbytes;
  int64_t numel = 1;
  memset(out, 0, sizeof *out);
  if (tp->n_dims > IR_MAX_RANK)
    return diag_error(ST_UNSUPPORTED, "tensor '%s' has rank %zu; at most %d is supported", what, tp->n_dims, IR_MAX_RANK);
  out->dtype = tp->data_type;
  out->rank = (int)tp->n_dims;
  for (i = 0; i < tp->n_dims; i++) {
    if (tp->dims[i] < 0) return diag_error(ST_BAD_MODEL, "tensor '%s' has a negative dim", what);
    out->dims[i] = tp->dims[i];
    numel *= tp->dims[i];
  }
  if (out->dtype == DT_STRING)
    return diag_error(ST_UNSUPPORTED, "tensor '%s': string tensors are not supported", what);
  esize = dtype_size(out->dtype);
  if (esize == 0)
    return diag_error(ST_UNSUPPORTED, "tensor '%s': element type %d is not supported", what, out->dtype);
  if (numel > (int64_t)(SIZE_MAX / 2 / esize)) return diag_error(ST_BAD_MODEL, "tensor '%s' is too large", what);
  nbytes = (size_t)numel * esize;
  out->data = xcalloc(1, nbytes ? nbytes : 1);

  if (tp->has_data_location && tp->data_location == 1) {
    status s = read_external(tp, base_dir, out->data, nbytes, what);
    if (s) {
      free(out->data);
      out->data = NULL;
    }
    return s;
  }
  if (tp->has_raw_data) {
    if (tp->raw_data.len != nbytes) {
      free(out->data);
      out->data = NULL;
      return diag_error(ST_BAD_MODEL, "tensor '%s' has %zu bytes of raw data but its shape needs %zu", what,
                        tp->raw_data.len, nbytes);
    }
    if (nbytes) memcpy(out->data, tp->raw_data.data, nbytes); /* raw data is little-endian, as the host */
    return ST_OK;
  }
  /* Typed fields: which one holds the values depends on the dtype. */
  switch (out->dtype) {
  case DT_FLOAT:
    if (tp->n_float_data != (size_t)numel) goto mismatch_float;
    if (nbytes) memcpy(out->data, tp->float_data, nbytes);
    return ST_OK;
  case DT_DOUBLE:
    if (tp->n_double_data != (size_t)numel) goto mismatch_double;
    if (nbytes) memcpy(out->data, tp->double_data, nbytes);
    return ST_OK;
  case DT_INT64:
    if (tp->n_int64_data != (size_t)numel) goto mismatch_int64;
    if (nbytes) memcpy(out->data, tp->int64_data, nbytes);
    return ST_OK;
  case DT_UINT32: case DT_UINT64:
    if (tp->n_uint64_data != (size_t)numel) goto mismatch_uint64;
    for (i = 0; i < (size_t)numel; i++) {
      if (out->dtype == DT_UINT32) ((uint32_t *)out->data)[i] = (uint32_t)tp->uint64_data[i];
      else ((uint64_t *)out->data)[i] = tp->uint64_data[i];
    }
    return ST_OK;
  default:
    /* int32, int16, int8, uint16, uint8, bool, float16, bfloat16 */
    if (tp->n_int32_data != (size_t)numel) goto mismatch_int32;
    for (i = 0; i < (size_t)numel; i++) {
      int32_t v = tp->int32_data[i];
      switch (esize) {
      case 1: ((uint8_t *)out->data)[i] = (uint8_t)v; break;
      case 2: ((uint16_t *)out->data)[i] = (uint16_t)v; break;
      default: ((int32_t *)out->data)[i] = v; break;
      }
    }
    return ST_OK;
  }
mismatch_float: free(out->data); out->data = NULL; return count_mismatch(what, tp->n_float_data, numel);
mismatch_double: free(out->data); out->data = NULL; return count_mismatch(what, tp->n_double_data, numel);
mismatch_int64: free(out->data); out->data = NULL; return count_mismatch(what, tp->n_int64_data, numel);
mismatch_uint64: free(out->data); out->data = NULL; return count_mismatch(what, tp->n_uint64_data, numel);
mismatch_int32: free(out->data); out->data = NULL; return count_mismatch(what, tp->n_int32_data, numel);
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
  if (!tp) return diag_error(ST_BAD_MODEL, "%s: not a TensorProto file", path);
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
  int i;
  for (i = 0; i < t->rank; i++) dims[i] = t->dims[i];
  tp.n_dims = (size_t)t->rank;
  tp.dims = dims;
  tp.has_data_type = 1;
  tp.data_type = t->dtype;
  tp.name = (char *)name;
  tp.has_raw_data = 1;
  tp.raw_data.len = tensor_bytes(t);
  tp.raw_data.data = t->data;
  n = onnx__tensor_proto__get_packed_size(&tp);
  buf = xmalloc(n);
  onnx__tensor_proto__pack(&tp, buf);
  s = file_write_atomic(path, buf, n);
  free(buf);
  return s;
}
