#include "box_pb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "ir_box.h"
#include "onnx.pb-c.h"
#include "pb_depth.h"
#include "tensor_pb.h"
#include "../runtime/include/onnxcc/box.h"


void box_value_free(box_value *b) {
  int i;
  for (i = 0; i < b->n; i++) free(b->elems[i].data);
  free(b->elems);
  memset(b, 0, sizeof *b);
}

static status read_tensors(Onnx__TensorProto **tps, size_t n, const char *dir, box_value *out) {
  size_t i;
  out->elems = xcalloc(n + 1, sizeof(ir_tensor));
  for (i = 0; i < n; i++) {
    char what[64];
    status s;
    snprintf(what, sizeof what, "element %zu", i);
    s = tensor_from_proto(tps[i], dir, &out->elems[i], what);
    if (s) return s;
    out->n++;
  }
  return ST_OK;
}

status box_read_file(const char *path, int kind, box_value *out) {
  unsigned char *buf;
  size_t n;
  char *dir;
  status s = file_read_all(path, &buf, &n);
  memset(out, 0, sizeof *out);
  out->kind = kind;
  if (s) return s;
  if (pb_depth_exceeds(buf, n, PB_MAX_DEPTH)) {
    free(buf);
    return diag_error(ST_BAD_MODEL, "nests messages more than %d deep", PB_MAX_DEPTH);
  }
  dir = path_dirname(path);
  if (kind == VK_SEQUENCE) {
    Onnx__SequenceProto *sp = onnx__sequence_proto__unpack(NULL, n, buf);
    if (!sp) s = diag_error(ST_BAD_MODEL, "not a SequenceProto file");
    else if (sp->n_sequence_values || sp->n_optional_values)
      s = diag_error(ST_UNSUPPORTED, "holds a sequence of sequences or optionals; only tensors are supported");
    else {
      out->present = 1;
      s = read_tensors(sp->tensor_values, sp->n_tensor_values, dir, out);
    }
    if (sp) onnx__sequence_proto__free_unpacked(sp, NULL);
  } else {
    Onnx__OptionalProto *op = onnx__optional_proto__unpack(NULL, n, buf);
    if (!op) {
      s = diag_error(ST_BAD_MODEL, "not an OptionalProto file");
    } else if (op->optional_value) {
      s = diag_error(ST_UNSUPPORTED, "holds an optional of an optional");
    } else if (kind == VK_OPTIONAL && op->sequence_value) {
      s = diag_error(ST_BAD_MODEL, "holds an optional sequence, but the input is an optional tensor");
    } else if (kind == VK_OPTIONAL_SEQUENCE && op->tensor_value) {
      s = diag_error(ST_BAD_MODEL, "holds an optional tensor, but the input is an optional sequence");
    } else if (op->tensor_value) {
      out->present = 1;
      s = read_tensors(&op->tensor_value, 1, dir, out);
    } else if (op->sequence_value) {
      out->present = 1;
      s = read_tensors(op->sequence_value->tensor_values, op->sequence_value->n_tensor_values, dir, out);
    }
    if (op) onnx__optional_proto__free_unpacked(op, NULL);
  }
  free(dir);
  free(buf);
  if (s) box_value_free(out);
  return s;
}

/* The TensorProtos of b's elements (their data borrowed from b, or
 * packed: tensor_proto_set). */
static Onnx__TensorProto **pack_tensors(const box_value *b, int64_t (*dims)[IR_MAX_RANK]) {
  Onnx__TensorProto **tps = xcalloc((size_t)b->n + 1, sizeof *tps);
  int i;
  for (i = 0; i < b->n; i++) {
    Onnx__TensorProto *tp = xmalloc(sizeof *tp);
    onnx__tensor_proto__init(tp);
    tensor_proto_set(tp, &b->elems[i], dims[i]);
    tps[i] = tp;
  }
  return tps;
}

status box_write_file(const char *path, const box_value *b, const char *name) {
  Onnx__SequenceProto sp = ONNX__SEQUENCE_PROTO__INIT;
  Onnx__OptionalProto op = ONNX__OPTIONAL_PROTO__INIT;
  int64_t(*dims)[IR_MAX_RANK] = xcalloc((size_t)b->n + 1, sizeof *dims);
  Onnx__TensorProto **tps = pack_tensors(b, dims);
  unsigned char *buf;
  size_t n;
  status s;
  int i;
  sp.name = (char *)name;
  sp.has_elem_type = 1;
  sp.elem_type = PB_ELEM_TENSOR;
  sp.n_tensor_values = (size_t)b->n;
  sp.tensor_values = tps;
  if (b->kind == VK_SEQUENCE) {
    n = onnx__sequence_proto__get_packed_size(&sp);
    buf = xmalloc(n + 1);
    onnx__sequence_proto__pack(&sp, buf);
  } else {
    op.name = (char *)name;
    op.has_elem_type = 1;
    op.elem_type = b->kind == VK_OPTIONAL ? PB_ELEM_TENSOR : PB_ELEM_SEQUENCE;
    sp.name = NULL;
    if (b->present && b->kind == VK_OPTIONAL && b->n == 1) op.tensor_value = tps[0];
    if (b->present && b->kind == VK_OPTIONAL_SEQUENCE) op.sequence_value = &sp;
    n = onnx__optional_proto__get_packed_size(&op);
    buf = xmalloc(n + 1);
    onnx__optional_proto__pack(&op, buf);
  }
  s = file_write_atomic(path, buf, n);
  free(buf);
  for (i = 0; i < b->n; i++) {
    tensor_proto_release(tps[i], &b->elems[i]);
    free(tps[i]);
  }
  free(tps);
  free(dims);
  return s;
}

status box_pin(const box_value *b, pin *p) {
  int i, d;
  p->kind = b->kind;
  p->cap = b->n;
  p->rank = b->n ? b->elems[0].rank : -1;
  memset(p->var, 0, sizeof p->var);
  for (d = 0; d < 8; d++) p->dims[d] = 0;
  for (i = 0; i < b->n; i++) {
    const ir_tensor *t = &b->elems[i];
    if (t->rank != p->rank || t->dtype != b->elems[0].dtype)
      return diag_error(ST_BAD_MODEL, "element %d is %s of rank %d, unlike element 0 (%s of rank %d)", i,
                        dtype_name(t->dtype), t->rank, dtype_name(b->elems[0].dtype), p->rank);
    for (d = 0; d < t->rank; d++) {
      if (i && t->dims[d] != p->dims[d]) p->var[d] = 1;
      if (t->dims[d] > p->dims[d]) p->dims[d] = t->dims[d];
    }
  }
  return ST_OK;
}

status box_pack(const box_value *b, const ir_box_type *t, unsigned char **bytes, size_t *n) {
  int64_t rec = ir_box_record_bytes(t), all = ir_box_bytes(t);
  unsigned char *box;
  int i, d;
  if (rec < 0 || all < 0) return diag_error(ST_INTERNAL, "the input's box type has no size");
  if (b->n > t->cap)
    return diag_error(ST_BAD_MODEL, "holds %d elements; the model was compiled for at most %lld", b->n,
                      (long long)t->cap);
  box = xcalloc(1, (size_t)all + 1);
  RT_BOX_PRESENT(box) = b->present;
  RT_BOX_COUNT(box) = b->n;
  for (i = 0; i < b->n; i++) {
    const ir_tensor *e = &b->elems[i];
    unsigned char *r = RT_BOX_RECORD(box, rec, i);
    int ok = e->dtype == t->elem.dtype && e->rank == t->elem.rank;
    for (d = 0; ok && d < e->rank; d++)
      ok = t->var[d] || t->elem.sym[d] ? e->dims[d] <= t->elem.dims[d] : e->dims[d] == t->elem.dims[d];
    if (!ok) {
      char x[160], y[160];
      free(box);
      return diag_error(ST_BAD_MODEL, "element %d is %s, which does not fit the model's %s", i,
                        tensor_type_str(e, x, sizeof x), ir_box_type_str(t, y, sizeof y));
    }
    rt_box_set_dims(r, e->dims, e->rank);
    memcpy(RT_BOX_DATA(r), e->data, tensor_bytes(e));
  }
  *bytes = box;
  *n = (size_t)all;
  return ST_OK;
}

status box_unpack(const unsigned char *bytes, size_t n, const ir_box_type *t, box_value *out) {
  int64_t rec = ir_box_record_bytes(t), count, i;
  int d;
  memset(out, 0, sizeof *out);
  out->kind = t->kind;
  if (rec < 0 || (int64_t)n != ir_box_bytes(t)) return diag_error(ST_INTERNAL, "a box output has the wrong size");
  count = RT_BOX_COUNT(bytes);
  out->present = RT_BOX_PRESENT(bytes) != 0;
  if (count < 0 || count > t->cap) return diag_error(ST_INTERNAL, "a box output holds %lld elements", (long long)count);
  out->elems = xcalloc((size_t)count + 1, sizeof(ir_tensor));
  for (i = 0; i < count; i++) {
    const unsigned char *r = RT_BOX_RECORD(bytes, rec, i);
    ir_tensor *e = &out->elems[i];
    e->dtype = t->elem.dtype;
    e->rank = t->var_rank ? rt_box_rank(r) : t->elem.rank;
    for (d = 0; d < e->rank; d++) {
      e->dims[d] = RT_BOX_DIMS(r)[d];
      if (e->dims[d] < 0 || e->dims[d] > t->elem.dims[d]) {
        box_value_free(out);
        return diag_error(ST_INTERNAL, "a box output's element %lld has bad dims", (long long)i);
      }
    }
    e->data = xmalloc(tensor_bytes(e) + 1);
    memcpy(e->data, RT_BOX_DATA(r), tensor_bytes(e));
    out->n++;
  }
  return ST_OK;
}
