/* ai.onnx.ml CategoryMapper and FeatureVectorizer (opset 1).
 *
 * CategoryMapper maps strings to int64s or int64s to strings by the pairs
 * (cats_strings[i], cats_int64s[i]); the direction is X's type. It runs on
 * LabelEncoder's kernels (kernels/strings.h): string keys go to the blob
 * sorted and each once, int64 keys in reverse order, so that of equal
 * keys the last pair wins, as in ONNX Runtime's map. FeatureVectorizer
 * has its own kernel (kernels/ml_extra.h). Tables are built in the final
 * lowering only: a node whose inputs are all constant is refused. Dims
 * may vary at run time, but for FeatureVectorizer's columns. */
#include <stdlib.h>
#include <string.h>

#include "../../runtime/include/onnxcc/strings.h"
#include "../dimexpr.h"
#include "ops.h"

/* The tables go to the blob, which only the final lowering has: a node
 * the constant folder would run is refused. */
static status constant_inputs(const op_ctx *c) {
  return diag_node_error(ST_UNSUPPORTED, c->n, "its inputs are constants; onnxcc does not evaluate %s at compile time",
                         c->n->op_type);
}

/* ---- CategoryMapper ---- */

/* The pairs: their count, or -1 after reporting. */
static int cat_pairs(const op_ctx *c, const ir_attr **strs, const int64_t **ints) {
  int n, i;
  *strs = ir_attr_find(c->n, "cats_strings");
  n = attr_ints(c->n, "cats_int64s", ints);
  if (!*strs || (*strs)->type != ATTR_STRINGS || n < 0 || (*strs)->n != n) {
    diag_node_error(ST_BAD_MODEL, c->n, "cats_strings and cats_int64s must be given, of one length");
    return -1;
  }
  for (i = 0; i < n; i++)
    if (strlen((*strs)->strings[i]) > dtype_max_string_bytes()) {
      diag_node_error(ST_UNSUPPORTED, c->n, "cats_strings %d is longer than --max-string-bytes (%zu) allows", i,
                      dtype_max_string_bytes());
      return -1;
    }
  return n;
}

static status cat_infer(op_ctx *c) {
  const ir_attr *strs;
  const int64_t *ints;
  int dt;
  OP_REQUIRE_INPUT(c, 0);
  dt = op_in(c, 0)->t.dtype;
  if (dt != DT_STRING && dt != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s; CategoryMapper takes strings or int64", dtype_name(dt));
  if (cat_pairs(c, &strs, &ints) < 0) return ST_BAD_MODEL;
  if (strlen(attr_string(c->n, "default_string", "_Unused")) > dtype_max_string_bytes())
    return diag_node_error(ST_UNSUPPORTED, c->n, "default_string is longer than --max-string-bytes (%zu) allows",
                           dtype_max_string_bytes());
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = dt == DT_STRING ? DT_INT64 : DT_STRING;
  return ST_OK;
}

/* Sort order of string keys: by bytes, then the later pair first (the
 * one kept of equal keys). */
typedef struct cat_ref {
  const unsigned char *slot;
  int index;
} cat_ref;

static int cat_order(const void *pa, const void *pb) {
  const cat_ref *a = pa, *b = pb;
  const int d = rt_str_cmp(a->slot, b->slot);
  return d ? d : (a->index < b->index) - (a->index > b->index);
}

/* Strings to int64: the sorted keys (in[1]) and their values, then the
 * default (in[2]); the count kept. */
static int64_t cat_string_keys(op_ctx *c, const ir_attr *strs, const int64_t *ints, int n) {
  const size_t slot = dtype_size(DT_STRING);
  unsigned char *all = xcalloc((size_t)n + 1, slot), *tk;
  cat_ref *refs = xcalloc((size_t)n + 1, sizeof *refs);
  int64_t *tv;
  int i, k = 0;
  for (i = 0; i < n; i++) {
    rt_str_set_c(all + (size_t)i * slot, slot, strs->strings[i]);
    refs[i].slot = all + (size_t)i * slot;
    refs[i].index = i;
  }
  qsort(refs, (size_t)n, sizeof *refs, cat_order);
  tk = op_add_table(c, "category_keys", DT_STRING, n, 1);
  tv = op_add_table(c, "category_values", DT_INT64, (int64_t)n + 1, 2);
  for (i = 0; i < n; i++) {
    if (k > 0 && rt_str_cmp(tk + (size_t)(k - 1) * slot, refs[i].slot) == 0) continue;
    memcpy(tk + (size_t)k * slot, refs[i].slot, slot);
    tv[k++] = ints[refs[i].index];
  }
  tv[k] = attr_int(c->n, "default_int64", -1);
  free(all);
  free(refs);
  return k;
}

/* Int64 to strings: keys in reverse order (the kernel takes the first
 * equal one, so the last pair wins), their strings, then the default. */
static void cat_int_keys(op_ctx *c, const ir_attr *strs, const int64_t *ints, int n) {
  const size_t slot = dtype_size(DT_STRING);
  int64_t *tk = op_add_table(c, "category_keys", DT_INT64, n, 1);
  unsigned char *tv = op_add_table(c, "category_values", DT_STRING, (int64_t)n + 1, 2);
  int i;
  for (i = 0; i < n; i++) {
    tk[i] = ints[n - 1 - i];
    rt_str_set_c(tv + (size_t)i * slot, slot, strs->strings[n - 1 - i]);
  }
  rt_str_set_c(tv + (size_t)n * slot, slot, attr_string(c->n, "default_string", "_Unused"));
}

static status cat_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const ir_attr *strs;
  const int64_t *ints;
  const int from_strings = x->dtype == DT_STRING;
  int n = cat_pairs(c, &strs, &ints);
  rt_strlabel_params *p;
  if (n < 0) return ST_BAD_MODEL;
  if (!c->final) return constant_inputs(c);
  p = op_lower_as(c, l, PD_rt_strlabel_params, "rt_label_encode_%s_bytes", from_strings ? "string" : "i64");
  if (!p) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->n, x, 0, x->rank);
  p->slot = (int64_t)dtype_size(DT_STRING);
  p->esize = from_strings ? (int64_t)sizeof(int64_t) : p->slot;
  if (from_strings) {
    p->keys = cat_string_keys(c, strs, ints, n);
  } else {
    p->keys = n;
    cat_int_keys(c, strs, ints, n);
  }
  return ST_OK;
}

/* ---- FeatureVectorizer ---- */

/* Input k's rows (1 for a 1-D input: a dim expression) and width (the
 * product of the other dims, which must be known); -1 after reporting. */
static int fv_shape(const op_ctx *c, int k, int64_t *width) {
  const ir_tensor *t = &op_in(c, k)->t;
  int d;
  *width = 1;
  for (d = t->rank <= 1 ? 0 : 1; d < t->rank; d++) {
    if (t->sym[d]) {
      diag_node_error(ST_UNSUPPORTED, c->n, "input %d: its columns must be known at compile time", k);
      return -1;
    }
    *width *= t->dims[d];
  }
  return t->rank <= 1 ? dx_const(op_dx(c), 1) : ir_dim(c->g, t, 0);
}

static status fv_infer(op_ctx *c) {
  const int64_t *sizes;
  int64_t width, total = 0;
  int n = attr_ints(c->n, "inputdimensions", &sizes), k, dt, dims[2], rows;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  dt = op_in(c, 0)->t.dtype;
  if (n != c->n->n_in)
    return diag_node_error(ST_BAD_MODEL, c->n, "inputdimensions has %d sizes for %d inputs", n < 0 ? 0 : n,
                           c->n->n_in);
  if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_INT32 && dt != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s; FeatureVectorizer takes int32, int64, float or double",
                           dtype_name(dt));
  if ((dims[0] = fv_shape(c, 0, &width)) < 0) return ST_UNSUPPORTED;
  for (k = 0; k < n; k++) {
    OP_REQUIRE_INPUT(c, k);
    if (op_in(c, k)->t.dtype != dt)
      return diag_node_error(ST_UNSUPPORTED, c->n, "input %d is %s, input 0 %s: onnxcc takes inputs of one type "
                             "(Cast them first)", k, dtype_name(op_in(c, k)->t.dtype), dtype_name(dt));
    if ((rows = fv_shape(c, k, &width)) < 0) return ST_UNSUPPORTED;
    if ((s = op_check_equal(c, rows, dims[0], "the rows of the inputs"))) return s;
    if (sizes[k] < 0) return diag_node_error(ST_BAD_MODEL, c->n, "inputdimensions %d is negative", k);
    total += sizes[k];
  }
  dims[1] = dx_const(op_dx(c), total);
  op_set_output_exprs(c, 0, DT_FLOAT, 2, dims);
  return ST_OK;
}

static status fv_lower(op_ctx *c, lowered *l) {
  const int64_t *sizes;
  const int n = attr_ints(c->n, "inputdimensions", &sizes);
  rt_feature_vectorize_params *p;
  int64_t *t;
  int k, rows;
  if (!c->final) return constant_inputs(c);
  p = op_lower_as(c, l, PD_rt_feature_vectorize_params, "rt_feature_vectorize_%s",
                  op_dtype_suffix(op_in(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->total = op_out(c, 0)->t.dims[1];
  p->inputs = n;
  t = op_add_table(c, "feature_sizes", DT_INT64, 2 * (int64_t)n, -1);
  for (k = 0; k < n; k++) {
    if ((rows = fv_shape(c, k, &t[k])) < 0) return ST_UNSUPPORTED;
    if (k == 0) op_bind(c, l, &p->rows, rows);
    t[n + k] = sizes[k];
  }
  return ST_OK;
}

/* ---- the family ---- */

static status ml_extra_infer(op_ctx *c) {
  return c->n->op == OP_ml_CategoryMapper ? cat_infer(c) : fv_infer(c);
}

static status ml_extra_lower(op_ctx *c, lowered *l) {
  return c->n->op == OP_ml_CategoryMapper ? cat_lower(c, l) : fv_lower(c, l);
}

const op_family op_family_ml_extra = {ml_extra_infer, ml_extra_lower, 1, 0};
