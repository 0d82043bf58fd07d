#include "ir.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/include/onnxcc/strings.h"
#include "checked.h"
#include "dimexpr.h"
#include "ir_box.h"
#include "ops/ops.h"

/* The compilation's string bound (dtype_set_max_string_bytes). */
static size_t max_string_bytes = IR_MAX_STRING_BYTES_DEFAULT;

void dtype_set_max_string_bytes(size_t max) { max_string_bytes = max; }
size_t dtype_max_string_bytes(void) { return max_string_bytes; }

#define DT_SIZE(name, num, size, text, ctype) case DT_##name: return size;
size_t dtype_size(int dtype) {
  if (dtype == DT_STRING) return RT_STRING_SLOT(max_string_bytes);
  switch (dtype) { IR_DTYPES(DT_SIZE) default: return 0; }
}
#undef DT_SIZE

#define DT_NAME(name, num, size, text, ctype) case DT_##name: return text;
const char *dtype_name(int dtype) {
  switch (dtype) { IR_DTYPES(DT_NAME) default: return "undefined"; }
}
#undef DT_NAME

int dtype_is_float(int d) {
  return d == DT_FLOAT || d == DT_DOUBLE || d == DT_FLOAT16 || d == DT_BFLOAT16;
}
int dtype_is_signed_int(int d) {
  return d == DT_INT8 || d == DT_INT16 || d == DT_INT32 || d == DT_INT64;
}
int dtype_is_unsigned_int(int d) {
  return d == DT_UINT8 || d == DT_UINT16 || d == DT_UINT32 || d == DT_UINT64 || d == DT_BOOL;
}

int dtype_is_float8(int d) {
  return d == DT_FLOAT8E4M3FN || d == DT_FLOAT8E4M3FNUZ || d == DT_FLOAT8E5M2 || d == DT_FLOAT8E5M2FNUZ;
}
int dtype_packed_bits(int d) {
  if (d == DT_INT4 || d == DT_UINT4 || d == DT_FLOAT4E2M1) return 4;
  return d == DT_INT2 || d == DT_UINT2 ? 2 : 0;
}

int64_t tensor_numel(const ir_tensor *t) {
  int64_t n;
  if (t->rank < 0) return 0;
  return ck_numel(t->rank, t->dims, &n) ? n : INT64_MAX;
}

size_t tensor_bytes(const ir_tensor *t) {
  int64_t b;
  return ck_bytes(tensor_numel(t), dtype_size(t->dtype), &b) && (uint64_t)b <= SIZE_MAX ? (size_t)b : SIZE_MAX;
}

int ir_shape_check(int dtype, int rank, const int64_t *dims, int64_t *bytes) {
  int64_t span = 1, n;
  int i;
  if (rank < 0 || rank > IR_MAX_RANK) return 0;
  for (i = 0; i < rank; i++)
    if (dims[i] < 0 || !ck_mul(span, dims[i] ? dims[i] : 1, &span)) return 0;
  if (!ck_bytes(span, dtype_size(dtype) ? dtype_size(dtype) : 1, &n) || n > CK_MAX_TENSOR_BYTES) return 0;
  return ck_numel(rank, dims, &n) && ck_bytes(n, dtype_size(dtype), bytes);
}

const char *tensor_type_str(const ir_tensor *t, char *buf, size_t n) {
  size_t len;
  int i;
  if (t->rank < 0) {
    snprintf(buf, n, "%s[?]", dtype_name(t->dtype));
    return buf;
  }
  len = (size_t)snprintf(buf, n, "%s[", dtype_name(t->dtype));
  for (i = 0; i < t->rank && len < n; i++)
    /* a symbolic dim shows its bound: "float[..512,3]" */
    len += (size_t)snprintf(buf + len, n - len, "%s%s%" PRId64, i ? "," : "", t->sym[i] ? ".." : "", t->dims[i]);
  if (len < n) snprintf(buf + len, n - len, "]");
  return buf;
}

/* C leaves float -> int64 undefined outside the range; clamp first. */
static int64_t double_to_int64(double v) {
  if (v != v) return 0;
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)v;
}

int64_t tensor_int(const ir_tensor *t, int64_t i) {
  const void *d = t->data;
  if (!d || i < 0 || i >= tensor_numel(t)) return 0;
  switch (t->dtype) {
  case DT_INT64: return ((const int64_t *)d)[i];
  case DT_INT32: return ((const int32_t *)d)[i];
  case DT_INT16: return ((const int16_t *)d)[i];
  case DT_INT8: case DT_INT4: case DT_INT2: return ((const int8_t *)d)[i];
  case DT_UINT8: case DT_BOOL: case DT_UINT4: case DT_UINT2: return ((const uint8_t *)d)[i];
  case DT_UINT16: return ((const uint16_t *)d)[i];
  case DT_UINT32: return ((const uint32_t *)d)[i];
  case DT_UINT64: return (int64_t)((const uint64_t *)d)[i];
  case DT_FLOAT: return double_to_int64(((const float *)d)[i]);
  case DT_DOUBLE: return double_to_int64(((const double *)d)[i]);
  default: return 0;
  }
}

double tensor_double(const ir_tensor *t, int64_t i) {
  if (!t->data || i < 0 || i >= tensor_numel(t)) return 0;
  if (t->dtype == DT_FLOAT) return ((const float *)t->data)[i];
  if (t->dtype == DT_DOUBLE) return ((const double *)t->data)[i];
  if (t->dtype == DT_UINT64) return (double)((const uint64_t *)t->data)[i];
  return (double)tensor_int(t, i);
}

void tensor_copy(ir_tensor *t, const ir_tensor *src) {
  *t = *src;
  t->data = NULL;
  if (src->data) {
    size_t n = tensor_bytes(src);
    t->data = xmalloc(n);
    memcpy(t->data, src->data, n);
  }
}

status ir_check_output_shape(const ir_node *n, const ir_value *v) {
  int64_t bytes;
  char buf[200];
  if (ir_shape_check(v->t.dtype, v->t.rank, v->t.dims, &bytes)) return ST_OK;
  return diag_node_error(ST_BAD_MODEL, n, "output '%s' would be %s, larger than the limit of %lld bytes", v->name,
                         tensor_type_str(&v->t, buf, sizeof buf), (long long)CK_MAX_TENSOR_BYTES);
}

int ir_fold_alloc(ir_graph *g, ir_value *v) {
  int64_t bytes, live;
  if (!ir_shape_check(v->t.dtype, v->t.rank, v->t.dims, &bytes) || bytes > g->fold_max_tensor ||
      !ck_add(g->fold_live, bytes, &live) || live > g->fold_max_total)
    return 0;
  free(v->t.data);
  v->t.data = xcalloc(1, (size_t)bytes + 1);
  v->folded = 1;
  g->fold_live = live;
  return 1;
}

void ir_free_data(ir_graph *g, ir_value *v) {
  if (v->folded && v->t.data) g->fold_live -= (int64_t)tensor_bytes(&v->t);
  free(v->t.data);
  v->t.data = NULL;
  v->folded = 0;
}

ir_graph *ir_new(void) {
  ir_graph *g = xcalloc(1, sizeof *g);
  g->fold_max_tensor = IR_FOLD_MAX_TENSOR_DEFAULT;
  g->fold_max_total = IR_FOLD_MAX_TOTAL_DEFAULT;
  g->hash_cap = 1024;
  g->hash = xmalloc(sizeof(int) * (size_t)g->hash_cap);
  memset(g->hash, -1, sizeof(int) * (size_t)g->hash_cap);
  return g;
}

ir_attr *ir_attr_add(ir_node *n, const char *name, int type) {
  ir_attr *a;
  n->attr = xrealloc(n->attr, sizeof(ir_attr) * (size_t)(n->n_attr + 1));
  a = &n->attr[n->n_attr++];
  memset(a, 0, sizeof *a);
  a->name = xstrdup(name);
  a->type = type;
  return a;
}

void ir_attr_free(ir_attr *a) {
  int i;
  free(a->name);
  free(a->s);
  free(a->ints);
  free(a->floats);
  for (i = 0; a->strings && i < a->n; i++) free(a->strings[i]);
  free(a->strings);
  free(a->tensor.data);
  ir_free(a->graph);
}

static void node_free(ir_node *n) {
  int i;
  free(n->name);
  free(n->op_type);
  free(n->domain);
  free(n->in);
  free(n->out);
  for (i = 0; i < n->n_attr; i++) ir_attr_free(&n->attr[i]);
  free(n->attr);
  free(n->checks);
  if (n->low) {
    lowered_free(n->low);
    free(n->low);
  }
  free(n);
}

void ir_set_quant(ir_value *v, int axis, int n, const float *scale, const int32_t *zero_point) {
  if (v->quant) {
    free(v->quant->scale);
    free(v->quant->zero_point);
    free(v->quant);
    v->quant = NULL;
  }
  if (n <= 0) return;
  v->quant = xcalloc(1, sizeof *v->quant);
  v->quant->axis = axis;
  v->quant->n = n;
  v->quant->scale = xmalloc(sizeof(float) * (size_t)n);
  v->quant->zero_point = xmalloc(sizeof(int32_t) * (size_t)n);
  memcpy(v->quant->scale, scale, sizeof(float) * (size_t)n);
  memcpy(v->quant->zero_point, zero_point, sizeof(int32_t) * (size_t)n);
}

void ir_map_keys_free(ir_map_keys *k) {
  int64_t i;
  if (!k) return;
  for (i = 0; k->strs && i < k->n; i++) free(k->strs[i]);
  free(k->strs);
  free(k->ints);
  free(k);
}

void ir_free(ir_graph *g) {
  int i, k;
  if (!g) return;
  for (i = 0; i < g->n_values; i++) {
    ir_value *v = g->values[i];
    free(v->name);
    free(v->t.data);
    for (k = 0; k < IR_MAX_RANK; k++) free(v->dim_param[k]);
    ir_set_quant(v, -1, 0, NULL, NULL);
    free(v->symvals);
    ir_map_keys_free(v->map_keys);
    free(v);
  }
  for (i = 0; i < g->n_nodes; i++) node_free(g->nodes[i]);
  free(g->values);
  free(g->nodes);
  free(g->inputs);
  free(g->outputs);
  free(g->name);
  free(g->producer);
  free(g->hash);
  if (g->dx && !g->parent) {
    dx_free(g->dx);
    free(g->dx);
  }
  free(g);
}

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

static void hash_insert(ir_graph *g, int id) {
  uint32_t h = hash_str(g->values[id]->name) & (uint32_t)(g->hash_cap - 1);
  while (g->hash[h] >= 0) h = (h + 1) & (uint32_t)(g->hash_cap - 1);
  g->hash[h] = id;
}

int ir_find(const ir_graph *g, const char *name) {
  uint32_t h = hash_str(name) & (uint32_t)(g->hash_cap - 1);
  while (g->hash[h] >= 0) {
    if (strcmp(g->values[g->hash[h]]->name, name) == 0) return g->hash[h];
    h = (h + 1) & (uint32_t)(g->hash_cap - 1);
  }
  return -1;
}

static int value_add(ir_graph *g, const char *name) {
  ir_value *v;
  int i;
  if (g->n_values == g->cap_values) {
    g->cap_values = g->cap_values ? g->cap_values * 2 : 64;
    g->values = xrealloc(g->values, sizeof *g->values * (size_t)g->cap_values);
  }
  if ((g->n_values + 1) * 2 > g->hash_cap) {
    g->hash_cap *= 2;
    g->hash = xrealloc(g->hash, sizeof(int) * (size_t)g->hash_cap);
    memset(g->hash, -1, sizeof(int) * (size_t)g->hash_cap);
    for (i = 0; i < g->n_values; i++) hash_insert(g, i);
  }
  v = xcalloc(1, sizeof *v);
  v->name = xstrdup(name);
  v->t.rank = -1;
  v->producer = -1;
  v->graph_input = -1;
  v->capture = -1;
  v->offset = -1;
  g->values[g->n_values] = v;
  hash_insert(g, g->n_values);
  return g->n_values++;
}

int ir_value_get(ir_graph *g, const char *name) {
  int id = ir_find(g, name);
  return id >= 0 ? id : value_add(g, name);
}

int ir_value_new(ir_graph *g, const char *hint) {
  char buf[256];
  int k = g->n_values;
  do snprintf(buf, sizeof buf, "%s__%d", hint, k++);
  while (ir_find(g, buf) >= 0);
  return value_add(g, buf);
}

ir_node *ir_node_add(ir_graph *g, const char *name, const char *op_type, const char *domain) {
  ir_node *n = xcalloc(1, sizeof *n);
  if (g->n_nodes == g->cap_nodes) {
    g->cap_nodes = g->cap_nodes ? g->cap_nodes * 2 : 64;
    g->nodes = xrealloc(g->nodes, sizeof *g->nodes * (size_t)g->cap_nodes);
  }
  n->name = xstrdup(name);
  n->op_type = xstrdup(op_type);
  n->domain = xstrdup(domain ? domain : "");
  n->op = op_lookup(n->domain, n->op_type);
  g->nodes[g->n_nodes++] = n;
  return n;
}

void ir_compact(ir_graph *g) {
  int i, k = 0;
  for (i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->dead) node_free(g->nodes[i]);
    else g->nodes[k++] = g->nodes[i];
  }
  g->n_nodes = k;
  ir_count_uses(g);
}

void ir_count_uses(ir_graph *g) {
  int i, k;
  for (i = 0; i < g->n_values; i++) {
    g->values[i]->producer = -1;
    g->values[i]->uses = 0;
  }
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) g->values[n->in[k]]->uses++;
    for (k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) g->values[n->out[k]]->producer = i;
  }
  for (i = 0; i < g->n_outputs; i++) g->values[g->outputs[i]]->uses++;
}

const ir_attr *ir_attr_find(const ir_node *n, const char *name) {
  int i;
  for (i = 0; i < n->n_attr; i++)
    if (strcmp(n->attr[i].name, name) == 0) return &n->attr[i];
  return NULL;
}

void ir_replace_uses(ir_graph *g, int from, int to) {
  int i, k;
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] == from) n->in[k] = to;
  }
  for (i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == from) g->outputs[i] = to;
}

static void dump_value(FILE *f, const ir_graph *g, int id) {
  char buf[128];
  const ir_value *v = ir_val(g, id);
  if (!v) {
    fputs("<none>", f);
    return;
  }
  fputc('%', f);
  diag_write_escaped(f, v->name); /* names are model text: escaped like messages */
  fprintf(f, ":%s%s", ir_value_type_str(v, buf, sizeof buf), v->t.data ? "=const" : "");
}

void ir_dump(const ir_graph *g, void *file) { ir_dump_with(g, file, NULL); }

static void indent(FILE *f, int depth) {
  int i;
  for (i = 0; i < depth; i++) fputs("    ", f);
}

/* One graph at nesting `depth`; subgraphs follow their node's line. */
static void dump_graph(const ir_graph *g, FILE *f, void (*note)(const ir_graph *g, const ir_node *n, void *file),
                       int depth) {
  int i, k;
  for (i = 0; i < g->n_inputs; i++) {
    indent(f, depth);
    fputs(i < g->n_formal_inputs ? "  input " : "  captured ", f);
    dump_value(f, g, g->inputs[i]);
    fputc('\n', f);
  }
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    indent(f, depth);
    fputs("  ", f);
    for (k = 0; k < n->n_out; k++) {
      if (k) fputs(", ", f);
      dump_value(f, g, n->out[k]);
    }
    fputs(" = ", f);
    diag_write_escaped(f, n->op_type);
    fputc('(', f);
    for (k = 0; k < n->n_in; k++) {
      if (k) fputs(", ", f);
      if (k == n->n_in - n->n_implicit) fputs("captures: ", f);
      dump_value(f, g, n->in[k]);
    }
    fputs(")  # ", f);
    diag_write_escaped(f, n->name);
    fputc('\n', f);
    if (note) note(g, n, f);
    for (k = 0; k < n->n_attr; k++) {
      if (!n->attr[k].graph) continue;
      indent(f, depth + 1);
      fputs("  ", f);
      diag_write_escaped(f, n->attr[k].name);
      fputs(" {\n", f);
      dump_graph(n->attr[k].graph, f, note, depth + 1);
      indent(f, depth + 1);
      fputs("  }\n", f);
    }
  }
  for (i = 0; i < g->n_outputs; i++) {
    indent(f, depth);
    fputs("  output ", f);
    dump_value(f, g, g->outputs[i]);
    fputc('\n', f);
  }
}

void ir_dump_with(const ir_graph *g, void *file, void (*note)(const ir_graph *g, const ir_node *n, void *file)) {
  FILE *f = file;
  fputs("graph ", f);
  diag_write_escaped(f, g->name ? g->name : "");
  fprintf(f, " (opset %" PRId64 ", %d nodes)\n", g->opset, g->n_nodes);
  dump_graph(g, f, note, 0);
}
