#include "ir_box.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checked.h"
#include "dimexpr.h"
#include "../runtime/include/onnxcc/box.h"

int64_t ir_box_record_bytes(const ir_box_type *b) {
  int64_t bytes = 0;
  if (b->elem.rank >= 0 && dtype_size(b->elem.dtype) &&
      !ir_shape_check(b->elem.dtype, b->elem.rank, b->elem.dims, &bytes))
    return -1;
  return (int64_t)RT_BOX_RECORD_BYTES(bytes);
}

int64_t ir_box_bytes(const ir_box_type *b) {
  int64_t rec = ir_box_record_bytes(b), all;
  if (rec < 0 || b->cap < 0 || !ck_mul(rec, b->cap, &all) || !ck_add(all, RT_BOX_HEADER_BYTES, &all)) return -1;
  return all;
}

int ir_box_set(ir_value *v, const ir_box_type *b) {
  int64_t bytes = ir_box_bytes(b), check;
  if (bytes < 0 || !ir_shape_check(DT_UINT8, 1, &bytes, &check)) return 0;
  v->box = *b;
  v->box.elem.data = NULL;
  v->t.dtype = DT_UINT8;
  v->t.rank = 1;
  memset(v->t.dims, 0, sizeof v->t.dims);
  memset(v->t.sym, 0, sizeof v->t.sym);
  v->t.dims[0] = bytes;
  return 1;
}

void ir_box_elem_from(const ir_graph *g, ir_box_type *b, const ir_tensor *t) {
  const dx_table *dx = ir_dx(g);
  int d;
  b->elem = *t;
  b->elem.data = NULL;
  memset(b->var, 0, sizeof b->var);
  for (d = 0; d < t->rank && d < IR_MAX_RANK; d++)
    if (t->sym[d] && dx_uses_run_time_symbol(dx, t->sym[d] - 1)) {
      b->elem.sym[d] = 0;
      b->var[d] = 1;
    }
}

/* Elements of differing rank: the larger rank, every dim per-element with
 * the larger bound (at least 1: a dim an element lacks counts as 1 when
 * the product bounds its size). */
static void join_ranks(ir_box_type *into, const ir_box_type *from) {
  int d, rank = into->elem.rank > from->elem.rank ? into->elem.rank : from->elem.rank;
  for (d = 0; d < rank; d++) {
    int64_t a = d < into->elem.rank ? into->elem.dims[d] : 1, b = d < from->elem.rank ? from->elem.dims[d] : 1;
    into->elem.dims[d] = a > b ? a : b;
    if (into->elem.dims[d] < 1) into->elem.dims[d] = 1;
    into->elem.sym[d] = 0;
    into->var[d] = 1;
  }
  into->elem.rank = rank;
  into->var_rank = 1;
}

int ir_box_join_elem(ir_box_type *into, const ir_box_type *from) {
  int d;
  if (from->elem.rank < 0) return into->elem.rank < 0 || into->elem.dtype == from->elem.dtype || !from->elem.dtype;
  if (into->elem.rank < 0) {
    int keep_dtype = into->elem.dtype;
    into->elem = from->elem;
    memcpy(into->var, from->var, sizeof into->var);
    return !keep_dtype || keep_dtype == from->elem.dtype;
  }
  if (into->elem.dtype != from->elem.dtype) return 0;
  if (into->var_rank || from->var_rank || into->elem.rank != from->elem.rank) {
    join_ranks(into, from);
    return 1;
  }
  for (d = 0; d < into->elem.rank; d++) {
    if (into->var[d] || from->var[d] || into->elem.dims[d] != from->elem.dims[d] ||
        into->elem.sym[d] != from->elem.sym[d]) {
      into->var[d] = 1;
      into->elem.sym[d] = 0;
    }
    if (from->elem.dims[d] > into->elem.dims[d]) into->elem.dims[d] = from->elem.dims[d];
  }
  return 1;
}

int ir_box_compatible(const ir_box_type *a, const ir_box_type *b) {
  if (ir_box_is_sequence(a) != ir_box_is_sequence(b)) return 0;
  return a->cap == 0 || b->cap == 0 || ir_box_record_bytes(a) == ir_box_record_bytes(b);
}

const char *ir_box_type_str(const ir_box_type *b, char *buf, size_t n) {
  static const char *const names[] = {"tensor", "seq", "opt", "opt(seq"};
  size_t len;
  int d;
  len = (size_t)snprintf(buf, n, "%s(%s", names[b->kind & 3], dtype_name(b->elem.dtype));
  if (b->elem.rank < 0 && len < n) len += (size_t)snprintf(buf + len, n - len, "[?]");
  for (d = 0; d < b->elem.rank && len < n; d++)
    len += (size_t)snprintf(buf + len, n - len, "%s%s%" PRId64, d ? "," : "[",
                            b->var[d] || b->elem.sym[d] ? ".." : "",
                            b->elem.dims[d]);
  if (b->elem.rank == 0 && len < n) len += (size_t)snprintf(buf + len, n - len, "[");
  if (b->elem.rank >= 0 && len < n) len += (size_t)snprintf(buf + len, n - len, "]");
  if (b->var_rank && len < n) len += (size_t)snprintf(buf + len, n - len, " or lower rank");
  if (len < n) len += (size_t)snprintf(buf + len, n - len, "%s)", b->kind == VK_OPTIONAL_SEQUENCE ? ")" : "");
  if (ir_box_is_sequence(b) && len < n) snprintf(buf + len, n - len, "<=%" PRId64, b->cap);
  return buf;
}

const char *ir_value_type_str(const ir_value *v, char *buf, size_t n) {
  return ir_is_boxed(v) ? ir_box_type_str(&v->box, buf, n) : tensor_type_str(&v->t, buf, n);
}
