#include "map_pb.h"

#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "onnx.pb-c.h"

/* SequenceProto.elem_type codes (onnx-data.proto) */
#define PB_ELEM_TENSOR 1
#define PB_ELEM_MAP 4

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
