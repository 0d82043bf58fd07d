#include "map_pb.h"

#include <stdlib.h>
#include <string.h>

#include "box_pb.h"
#include "fileio.h"
#include "onnx.pb-c.h"
#include "tensor_pb.h"

/* One map: C scalar tensors pointing at row's values, the keys borrowed
 * from k. Everything it allocates is freed by map_release. */
static void map_fill(Onnx__MapProto *mp, const ir_map_keys *k, float *row) {
  Onnx__SequenceProto *vals = xmalloc(sizeof *vals);
  int64_t j;
  onnx__sequence_proto__init(vals);
  vals->has_elem_type = 1;
  vals->elem_type = PB_ELEM_TENSOR;
  vals->n_tensor_values = (size_t)k->n;
  vals->tensor_values = xcalloc((size_t)k->n + 1, sizeof *vals->tensor_values);
  for (j = 0; j < k->n; j++) {
    Onnx__TensorProto *tp = xmalloc(sizeof *tp);
    onnx__tensor_proto__init(tp);
    tp->has_data_type = 1;
    tp->data_type = DT_FLOAT;
    tp->n_float_data = 1;
    tp->float_data = &row[j];
    vals->tensor_values[j] = tp;
  }
  mp->has_key_type = 1;
  mp->key_type = k->key_dtype;
  if (k->key_dtype == DT_STRING) {
    mp->n_string_keys = (size_t)k->n;
    mp->string_keys = xcalloc((size_t)k->n + 1, sizeof *mp->string_keys);
    for (j = 0; j < k->n; j++) {
      mp->string_keys[j].data = (uint8_t *)k->strs[j];
      mp->string_keys[j].len = strlen(k->strs[j]);
    }
  } else {
    mp->n_keys = (size_t)k->n;
    mp->keys = k->ints;
  }
  mp->values = vals;
}

static void map_release(Onnx__MapProto *mp) {
  size_t j;
  for (j = 0; j < mp->values->n_tensor_values; j++) free(mp->values->tensor_values[j]);
  free(mp->values->tensor_values);
  free(mp->values);
  free(mp->string_keys);
}

status map_write_file(const char *path, const ir_tensor *t, const ir_map_keys *k, const char *name) {
  Onnx__SequenceProto sp = ONNX__SEQUENCE_PROTO__INIT;
  int64_t n_maps = t->rank == 2 ? t->dims[0] : 1, i;
  Onnx__MapProto *maps, **ptrs;
  unsigned char *buf;
  size_t n;
  status s;
  if (t->dtype != DT_FLOAT || t->rank < 1 || t->rank > 2 || t->dims[t->rank - 1] != k->n)
    return diag_error(ST_INTERNAL, "output '%s' is not a float tensor of one column per map key", name);
  maps = xcalloc((size_t)n_maps + 1, sizeof *maps);
  ptrs = xcalloc((size_t)n_maps + 1, sizeof *ptrs);
  for (i = 0; i < n_maps; i++) {
    onnx__map_proto__init(&maps[i]);
    map_fill(&maps[i], k, (float *)t->data + i * k->n);
    ptrs[i] = &maps[i];
  }
  sp.name = (char *)name;
  sp.has_elem_type = 1;
  sp.elem_type = PB_ELEM_MAP;
  sp.n_map_values = (size_t)n_maps;
  sp.map_values = ptrs;
  n = onnx__sequence_proto__get_packed_size(&sp);
  buf = xmalloc(n + 1);
  onnx__sequence_proto__pack(&sp, buf);
  s = file_write_atomic(path, buf, n);
  free(buf);
  for (i = 0; i < n_maps; i++) map_release(&maps[i]);
  free(maps);
  free(ptrs);
  return s;
}

/* The keys as a TensorProto of their type, so that tensor_from_proto
 * checks and converts them (strings into slots). */
static status map_keys_in(const Onnx__MapProto *mp, ir_tensor *keys) {
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
  int64_t n;
  tp.has_data_type = 1;
  tp.data_type = mp->key_type;
  if (mp->key_type == DT_STRING) {
    n = (int64_t)mp->n_string_keys;
    tp.n_string_data = mp->n_string_keys;
    tp.string_data = mp->string_keys;
  } else if (mp->key_type == DT_INT64) {
    n = (int64_t)mp->n_keys;
    tp.n_int64_data = mp->n_keys;
    tp.int64_data = mp->keys;
  } else {
    return diag_error(ST_BAD_MODEL, "map keys of type %s; onnxcc takes int64 and string keys",
                      dtype_name(mp->key_type));
  }
  tp.n_dims = 1;
  tp.dims = &n;
  return tensor_from_proto(&tp, NULL, keys, "the map's keys");
}

/* The values' tensors one after another into values (of their one type). */
static status map_values_in(const Onnx__SequenceProto *sp, int64_t n, ir_tensor *values) {
  size_t i, at = 0;
  status s = ST_OK;
  memset(values, 0, sizeof *values);
  values->rank = 1;
  values->dims[0] = n;
  for (i = 0; sp && i < sp->n_tensor_values && !s; i++) {
    ir_tensor t;
    size_t bytes;
    memset(&t, 0, sizeof t);
    s = tensor_from_proto(sp->tensor_values[i], NULL, &t, "a map value");
    if (s) break;
    if (i == 0) {
      values->dtype = t.dtype;
      values->data = xcalloc(1, (size_t)n * dtype_size(t.dtype) + 1);
    }
    bytes = tensor_bytes(&t);
    if (t.dtype != values->dtype || t.rank > 1 || at + bytes > (size_t)n * dtype_size(values->dtype))
      s = diag_error(ST_BAD_MODEL, "map value %zu is not a scalar or 1-D %s tensor within the map's %lld values", i,
                     dtype_name(values->dtype), (long long)n);
    else memcpy((unsigned char *)values->data + at, t.data, bytes);
    at += bytes;
    free(t.data);
  }
  if (!s && (!values->dtype || at != (size_t)n * dtype_size(values->dtype)))
    s = n ? diag_error(ST_BAD_MODEL, "the map has %lld keys but another number of values", (long long)n)
          : diag_error(ST_BAD_MODEL, "an empty map: its value type is unknown");
  return s;
}

status map_read_file(const char *path, ir_tensor *keys, ir_tensor *values) {
  unsigned char *buf;
  size_t n;
  Onnx__MapProto *mp;
  status s = file_read_all(path, &buf, &n);
  memset(keys, 0, sizeof *keys);
  memset(values, 0, sizeof *values);
  if (s) return s;
  mp = onnx__map_proto__unpack(NULL, n, buf);
  free(buf);
  if (!mp) return diag_error(ST_BAD_MODEL, "not a MapProto");
  s = map_keys_in(mp, keys);
  if (!s) s = map_values_in(mp->values, keys->dims[0], values);
  onnx__map_proto__free_unpacked(mp, NULL);
  return s;
}
