/* ai.onnx.ml LabelEncoder (opset 2 and later) with string keys or values:
 * kernels rt_label_encode_string_bytes and rt_label_encode_K_bytes
 * (kernels/strings.h).
 *
 * Keys come from keys_strings or a string keys_tensor; values from
 * values_strings, values_int64s, values_floats or values_tensor (any
 * element type: the kernel copies a value's bytes). String keys go to the
 * blob sorted, each once (the first of equal keys wins, as it does in the
 * numeric kernel's linear search), so the kernel finds a key by binary
 * search. An attribute string holding a NUL ends there (attributes are C
 * strings in the IR); string tensors keep their length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/include/onnxcc/strings.h"
#include "ml_strings.h"

/* Keys or values as strings: the count, or -1 when they are not. Each is
 * read with le_string(). */
static int string_list(const op_ctx *c, const char *kind, const ir_attr **a) {
  char name[32];
  snprintf(name, sizeof name, "%s_strings", kind);
  if ((*a = ir_attr_find(c->n, name)) && (*a)->type == ATTR_STRINGS && (*a)->n > 0) return (*a)->n;
  snprintf(name, sizeof name, "%s_tensor", kind);
  if ((*a = ir_attr_find(c->n, name)) && (*a)->type == ATTR_TENSOR && (*a)->tensor.data &&
      (*a)->tensor.dtype == DT_STRING)
    return (int)tensor_numel(&(*a)->tensor);
  return -1;
}

/* Element i of a string list into slot e (a slot-sized copy). */
static void le_string(const ir_attr *a, int i, unsigned char *e) {
  const size_t slot = dtype_size(DT_STRING);
  if (a->type == ATTR_STRINGS) rt_str_set_c(e, slot, a->strings[i]);
  else memcpy(e, (const unsigned char *)a->tensor.data + (size_t)i * slot, slot);
}

int le_has_strings(const op_ctx *c) {
  const ir_attr *a;
  return string_list(c, "keys", &a) >= 0 || string_list(c, "values", &a) >= 0;
}

/* The values' element type: strings, a values_tensor's type, int64 or
 * float (values_int64s / values_floats); 0 when none is given. */
static int values_dtype(const op_ctx *c) {
  const ir_attr *a;
  double *v;
  int dt;
  if (string_list(c, "values", &a) >= 0) return DT_STRING;
  le_list(c, "values", &dt, &v);
  free(v);
  return dt;
}

/* Keys' element type and count (strings or le_list's numbers). */
static int keys_info(const op_ctx *c, int *dtype) {
  const ir_attr *a;
  double *k;
  int n = string_list(c, "keys", &a);
  if (n >= 0) {
    *dtype = DT_STRING;
    return n;
  }
  n = le_list(c, "keys", dtype, &k);
  free(k);
  return n;
}

static int values_count(const op_ctx *c) {
  const ir_attr *a;
  double *v;
  int dt, n = string_list(c, "values", &a);
  if (n >= 0) return n;
  n = le_list(c, "values", &dt, &v);
  free(v);
  return n;
}

/* Whether the attribute strings of a list fit a slot (string tensors
 * were checked when the model was loaded). */
static status fits(const op_ctx *c, const char *kind) {
  const ir_attr *a;
  int i, n = string_list(c, kind, &a);
  for (i = 0; i < n && a->type == ATTR_STRINGS; i++)
    if (strlen(a->strings[i]) > dtype_max_string_bytes())
      return diag_node_error(ST_UNSUPPORTED, c->n, "%s %d has %zu bytes, more than --max-string-bytes (%zu) allows",
                             kind, i, strlen(a->strings[i]), dtype_max_string_bytes());
  if (strlen(attr_string(c->n, "default_string", "")) > dtype_max_string_bytes())
    return diag_node_error(ST_UNSUPPORTED, c->n, "default_string is longer than --max-string-bytes (%zu) allows",
                           dtype_max_string_bytes());
  return ST_OK;
}

status le_strings_infer(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  int kt, vt = values_dtype(c), nk = keys_info(c, &kt), nv = values_count(c);
  status s;
  if ((s = fits(c, "keys")) || (s = fits(c, "values"))) return s;
  if (kt != DT_STRING && kt != DT_INT64 && kt != DT_FLOAT && kt != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "keys of type %s are not supported (string, int64, float, double)",
                           dtype_name(kt));
  if (vt == 0 || dtype_size(vt) == 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "the values are missing or of an unknown type");
  if (nk != nv) return diag_node_error(ST_BAD_MODEL, c->n, "keys and values differ in length (%d, %d)", nk, nv);
  if (x->t.dtype != kt)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s but the keys are %s", dtype_name(x->t.dtype), dtype_name(kt));
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = vt;
  return ST_OK;
}

/* Value i (or, for i == n, the default) into e, esize bytes of type vt. */
static void put_value(const op_ctx *c, int vt, int i, int n, unsigned char *e) {
  const size_t es = dtype_size(vt);
  const ir_attr *a, *d = ir_attr_find(c->n, "default_tensor");
  if (i == n) {
    if (d && d->type == ATTR_TENSOR && d->tensor.data && d->tensor.dtype == vt && tensor_numel(&d->tensor) > 0)
      memcpy(e, d->tensor.data, es);
    else if (vt == DT_STRING) rt_str_set_c(e, es, attr_string(c->n, "default_string", "_Unused"));
    else if (vt == DT_INT64) *(int64_t *)(void *)e = attr_int(c->n, "default_int64", -1);
    else if (vt == DT_FLOAT) *(float *)(void *)e = attr_float(c->n, "default_float", -0.0f);
    return; /* another type without default_tensor: zero (the table is zeroed) */
  }
  if (string_list(c, "values", &a) >= 0) {
    le_string(a, i, e);
  } else if ((a = ir_attr_find(c->n, "values_tensor")) && a->type == ATTR_TENSOR && a->tensor.data) {
    memcpy(e, (const unsigned char *)a->tensor.data + (size_t)i * es, es);
  } else if ((a = ir_attr_find(c->n, "values_int64s")) && a->type == ATTR_INTS) {
    memcpy(e, &a->ints[i], es);
  } else if ((a = ir_attr_find(c->n, "values_floats")) && a->type == ATTR_FLOATS) {
    memcpy(e, &a->floats[i], es);
  }
}

/* Sort order of the string keys: by bytes, then by position (so that of
 * equal keys the first comes first and is the one kept). */
typedef struct key_ref {
  const unsigned char *slot;
  int index;
} key_ref;

static int key_order(const void *pa, const void *pb) {
  const key_ref *a = pa, *b = pb;
  const int c = rt_str_cmp(a->slot, b->slot);
  return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* String keys: sorted, each once, with their values; p->keys the count. */
static status string_keys_table(op_ctx *c, rt_strlabel_params *p, int n, int vt) {
  const size_t slot = dtype_size(DT_STRING), es = dtype_size(vt);
  const ir_attr *a;
  unsigned char *all = xcalloc((size_t)n + 1, slot), *tk, *tv;
  key_ref *refs = xcalloc((size_t)n + 1, sizeof *refs);
  int i, k = 0;
  string_list(c, "keys", &a);
  for (i = 0; i < n; i++) {
    refs[i].slot = all + (size_t)i * slot;
    refs[i].index = i;
    le_string(a, i, all + (size_t)i * slot); /* fits: infer checked */
  }
  {
    qsort(refs, (size_t)n, sizeof *refs, key_order);
    tk = op_add_table(c, "label_keys", DT_STRING, n, 1);
    tv = op_add_table(c, "label_values", vt, (int64_t)n + 1, 2);
    for (i = 0; i < n; i++) {
      if (k > 0 && rt_str_cmp(tk + (size_t)(k - 1) * slot, refs[i].slot) == 0) continue;
      memcpy(tk + (size_t)k * slot, refs[i].slot, slot);
      put_value(c, vt, refs[i].index, n, tv + (size_t)k * es);
      k++;
    }
    put_value(c, vt, n, n, tv + (size_t)k * es); /* the default right after the keys kept */
    p->keys = k;
  }
  free(all);
  free(refs);
  return ST_OK;
}

/* Numeric keys in their order (the kernel takes the first equal one). */
static void numeric_keys_table(op_ctx *c, rt_strlabel_params *p, int kt, int vt) {
  const size_t es = dtype_size(vt);
  double *k;
  int i, n = le_list(c, "keys", &kt, &k);
  unsigned char *tk = op_add_table(c, "label_keys", kt, n, 1), *tv = op_add_table(c, "label_values", vt, n + 1, 2);
  for (i = 0; i < n; i++) {
    if (kt == DT_INT64) ((int64_t *)(void *)tk)[i] = (int64_t)k[i];
    else if (kt == DT_FLOAT) ((float *)(void *)tk)[i] = (float)k[i];
    else ((double *)(void *)tk)[i] = k[i];
    put_value(c, vt, i, n, tv + (size_t)i * es);
  }
  put_value(c, vt, n, n, tv + (size_t)n * es);
  p->keys = n;
  free(k);
}

status le_strings_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int kt, vt = op_out(c, 0)->t.dtype, n = keys_info(c, &kt);
  rt_strlabel_params *p =
      op_lower_as(c, l, PD_rt_strlabel_params, "rt_label_encode_%s_bytes", op_dtype_suffix(kt));
  if (!p) return ST_UNSUPPORTED;
  /* the tables go to the blob: only in the final lowering */
  if (!c->final)
    return diag_node_error(ST_UNSUPPORTED, c->n, "its inputs are constants; onnxcc does not evaluate %s at compile "
                           "time", c->n->op_type);
  p->n = tensor_numel(x);
  p->slot = (int64_t)dtype_size(DT_STRING);
  p->esize = (int64_t)dtype_size(vt);
  if (kt == DT_STRING) return string_keys_table(c, p, n, vt);
  numeric_keys_table(c, p, kt, vt);
  return ST_OK;
}
