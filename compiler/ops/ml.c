/* Numeric ops of ai.onnx.ml besides the tree ensembles (kernels/ml.h):
 * Binarizer, ArrayFeatureExtractor, Normalizer, Scaler, LinearRegressor,
 * LinearClassifier, Imputer, OneHotEncoder, LabelEncoder.
 *
 * Attribute arrays go to the weight blob as extra inputs (add_table),
 * never into a C initializer. They are built in the final lowering only:
 * a node with such a table whose inputs are all constant is refused
 * rather than folded. LabelEncoder with string keys or values is in
 * ml_strings.c; string labels and categories of the other ops are
 * refused with a message saying so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/include/onnxcc/strings.h"
#include "ml_strings.h"
#include "ops.h"

static int is_numeric(int dt) { return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64; }

/* A new blob constant of `count` elements wired in as the node's next
 * input; its data, or NULL after reporting (not in the final lowering). */
static void *add_table(op_ctx *c, const char *hint, int dtype, int64_t count) {
  if (!c->final) {
    diag_node_error(ST_UNSUPPORTED, c->n, "its inputs are constants; onnxcc does not evaluate %s at compile time",
                    c->n->op_type);
    return NULL;
  }
  return op_add_table(c, hint, dtype, count, -1);
}

/* X as [rows, cols]: cols the last dim, rows the product of the others. */
static void rows_cols(const ir_tensor *x, int64_t *rows, int64_t *cols) {
  int d;
  *cols = x->rank ? x->dims[x->rank - 1] : 1;
  *rows = 1;
  for (d = 0; d + 1 < x->rank; d++) *rows *= x->dims[d];
}

static status need_numeric(const op_ctx *c, const ir_tensor *x, int rank2) {
  if (!is_numeric(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc takes float, double, int32 or int64",
                           dtype_name(x->dtype));
  if (rank2 && x->rank != 1 && x->rank != 2)
    return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 1 or 2, not %d", x->rank);
  return ST_OK;
}

static const char *const post_names[] = {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"};

/* A float list attribute of length 1 or cols, widened to cols values
 * into dst; `dflt` when absent. */
static status per_column(const op_ctx *c, const char *name, float dflt, int64_t cols, float *dst) {
  const float *v;
  int n = attr_floats(c->n, name, &v), k;
  if (n < 0 || n == 0) {
    for (k = 0; k < cols; k++) dst[k] = dflt;
    return ST_OK;
  }
  if (n != 1 && n != cols)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s has %d values; X has %lld columns (1 or that many)", name, n,
                           (long long)cols);
  for (k = 0; k < cols; k++) dst[k] = v[n == 1 ? 0 : k];
  return ST_OK;
}

/* ---- Binarizer, ArrayFeatureExtractor, Normalizer, Scaler, Imputer ---- */

static status simple_infer(op_ctx *c) {
  const ir_tensor *x;
  int64_t dims[IR_MAX_RANK];
  int d;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  memcpy(dims, x->dims, sizeof dims);
  switch (c->n->op) {
  case OP_ml_Binarizer:
    if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
      return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc's Binarizer takes float or double",
                             dtype_name(x->dtype));
    op_same_as_input(c, 0, 0);
    return ST_OK;
  case OP_ml_ArrayFeatureExtractor: {
    const ir_tensor *ix;
    OP_REQUIRE_INPUT(c, 1);
    ix = &op_in(c, 1)->t;
    if ((s = need_numeric(c, x, 0))) return s;
    if (ix->dtype != DT_INT64) return diag_node_error(ST_BAD_MODEL, c->n, "Y (the indices) must be int64");
    if (x->rank == 0) return diag_node_error(ST_BAD_MODEL, c->n, "X must have at least one dim");
    if (x->rank == 1) {
      dims[0] = 1;
      dims[1] = tensor_numel(ix);
      op_set_output(c, 0, x->dtype, 2, dims);
    } else {
      dims[x->rank - 1] = tensor_numel(ix);
      op_set_output(c, 0, x->dtype, x->rank, dims);
    }
    if (ix->data)
      for (d = 0; d < tensor_numel(ix); d++) {
        int64_t i = tensor_int(ix, d), n = x->dims[x->rank - 1];
        if (i < -n || i >= n)
          return diag_node_error(ST_BAD_MODEL, c->n, "index %lld is out of range for %lld features", (long long)i,
                                 (long long)n);
      }
    return ST_OK;
  }
  case OP_ml_Imputer:
    if (x->dtype != DT_FLOAT && x->dtype != DT_INT64)
      return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc's Imputer takes float or int64",
                             dtype_name(x->dtype));
    op_same_as_input(c, 0, 0);
    return ST_OK;
  default: /* Normalizer, Scaler: float out */
    if ((s = need_numeric(c, x, c->n->op == OP_ml_Normalizer))) return s;
    op_set_output(c, 0, DT_FLOAT, x->rank, x->dims);
    return ST_OK;
  }
}

static status binarizer_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_binarizer_params *p = op_lower_as(c, l, PD_rt_binarizer_params, "rt_binarizer_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->n = tensor_numel(x);
  p->threshold = attr_float(c->n, "threshold", 0.0f);
  return ST_OK;
}

static status afe_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_ml_gather_params *p = op_lower_as(c, l, PD_rt_ml_gather_params, "rt_ml_gather");
  if (!p) return ST_UNSUPPORTED;
  rows_cols(x, &p->outer, &p->n);
  p->k = tensor_numel(&op_in(c, 1)->t);
  p->esize = (int64_t)dtype_size(x->dtype);
  return ST_OK;
}

static status normalizer_lower(op_ctx *c, lowered *l) {
  static const char *const norms[] = {"MAX", "L1", "L2"};
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_normalizer_params *p;
  int norm;
  status s = op_attr_enum(c, "norm", "MAX", norms, 3, &norm);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_normalizer_params, "rt_normalizer_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  rows_cols(x, &p->rows, &p->cols);
  p->norm = norm;
  return ST_OK;
}

static status scaler_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_scaler_params *p = op_lower_as(c, l, PD_rt_scaler_params, "rt_scaler_%s", op_dtype_suffix(x->dtype));
  float *t;
  status s;
  if (!p) return ST_UNSUPPORTED;
  rows_cols(x, &p->rows, &p->cols);
  {
    /* ONNX Runtime refuses lists of different lengths, even 1 and cols */
    const float *v;
    int no = attr_floats(c->n, "offset", &v), ns = attr_floats(c->n, "scale", &v);
    if (no != ns)
      return diag_node_error(ST_BAD_MODEL, c->n, "offset and scale differ in length (%d, %d)", no < 0 ? 0 : no,
                             ns < 0 ? 0 : ns);
  }
  if (!(t = add_table(c, "scaler_offset_scale", DT_FLOAT, 2 * p->cols))) return ST_UNSUPPORTED;
  if ((s = per_column(c, "offset", 0.0f, p->cols, t))) return s;
  return per_column(c, "scale", 1.0f, p->cols, t + p->cols);
}

static status imputer_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_imputer_params *p = op_lower_as(c, l, PD_rt_imputer_params, "rt_imputer_%s", op_dtype_suffix(x->dtype));
  int64_t k;
  if (!p) return ST_UNSUPPORTED;
  rows_cols(x, &p->rows, &p->cols);
  if (x->dtype == DT_FLOAT) {
    float *t;
    p->replaced_f = attr_float(c->n, "replaced_value_float", 0.0f);
    p->replace_nan = p->replaced_f != p->replaced_f;
    if (!(t = add_table(c, "imputer_values", DT_FLOAT, p->cols))) return ST_UNSUPPORTED;
    return per_column(c, "imputed_value_floats", 0.0f, p->cols, t);
  } else {
    const int64_t *v;
    int64_t *t;
    int n = attr_ints(c->n, "imputed_value_int64s", &v);
    p->replaced = attr_int(c->n, "replaced_value_int64", 0);
    if (n != 1 && n != p->cols)
      return diag_node_error(ST_BAD_MODEL, c->n, "imputed_value_int64s needs 1 or %lld values", (long long)p->cols);
    if (!(t = add_table(c, "imputer_values", DT_INT64, p->cols))) return ST_UNSUPPORTED;
    for (k = 0; k < p->cols; k++) t[k] = v[n == 1 ? 0 : k];
  }
  return ST_OK;
}

/* ---- LinearRegressor, LinearClassifier ---- */

/* The class (target) count: intercepts' length for the classifier (as ONNX
 * Runtime counts), `targets` for the regressor. */
static int64_t linear_targets(const op_ctx *c) {
  const float *v;
  if (c->n->op == OP_ml_LinearRegressor) return attr_int(c->n, "targets", 1);
  return attr_floats(c->n, "intercepts", &v);
}

static status linear_infer(op_ctx *c) {
  const ir_tensor *x;
  const int64_t *labels;
  const float *coef;
  const ir_attr *strs = ir_attr_find(c->n, "classlabels_strings");
  int64_t rows, cols, k = linear_targets(c), dims[2], nl;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = need_numeric(c, x, 1))) return s;
  rows = x->rank == 2 ? x->dims[0] : 1;
  cols = x->dims[x->rank - 1];
  if (k < 1) return diag_node_error(ST_BAD_MODEL, c->n, "there must be at least one target (class)");
  if (attr_floats(c->n, "coefficients", &coef) != k * cols)
    return diag_node_error(ST_BAD_MODEL, c->n, "coefficients must hold %lld x %lld values", (long long)k,
                           (long long)cols);
  dims[0] = rows;
  if (c->n->op == OP_ml_LinearRegressor) {
    dims[1] = k;
    op_set_output(c, 0, DT_FLOAT, 2, dims);
    return ST_OK;
  }
  if (strs && strs->n > 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "classlabels_strings: string labels are not supported yet; use "
                           "classlabels_ints");
  nl = attr_ints(c->n, "classlabels_ints", &labels);
  if (k > 1 && nl != k)
    return diag_node_error(ST_BAD_MODEL, c->n, "classlabels_ints must have one label per class (%lld)", (long long)k);
  if (k == 1 && nl == 2 && strcmp(attr_string(c->n, "post_transform", "NONE"), "PROBIT") == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "PROBIT on a one-class classifier with two labels is not supported");
  op_set_output(c, 0, DT_INT64, 1, dims);
  dims[1] = k == 1 && nl == 2 ? 2 : k;
  op_set_output(c, 1, DT_FLOAT, 2, dims);
  return ST_OK;
}

static status linear_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const int cls = c->n->op == OP_ml_LinearClassifier;
  const float *coef, *icp;
  const int64_t *labels;
  int64_t nl = 0, n_icp, nf;
  rt_linear_params *p;
  float *t;
  int post;
  status s = op_attr_enum(c, "post_transform", "NONE", post_names, 5, &post);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_linear_params, "rt_linear_%s_%s", cls ? "classify" : "regress",
                  op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->rows = x->rank == 2 ? x->dims[0] : 1;
  p->cols = x->dims[x->rank - 1];
  p->targets = linear_targets(c);
  p->post = post;
  attr_floats(c->n, "coefficients", &coef);
  n_icp = attr_floats(c->n, "intercepts", &icp);
  if (n_icp > 0 && n_icp != p->targets)
    return diag_node_error(ST_BAD_MODEL, c->n, "intercepts has %lld values for %lld targets", (long long)n_icp,
                           (long long)p->targets);
  if (cls) nl = attr_ints(c->n, "classlabels_ints", &labels);
  p->second_class = cls && p->targets == 1 && nl == 2;
  /* coefficients, intercepts, then (classifier) the labels' int64 bits */
  nf = p->targets * p->cols + p->targets + (cls ? 2 * (nl > 0 ? nl : 0) : 0);
  if (!(t = add_table(c, "linear_coefficients", DT_FLOAT, nf))) return ST_UNSUPPORTED;
  memcpy(t, coef, sizeof(float) * (size_t)(p->targets * p->cols));
  if (n_icp > 0) memcpy(t + p->targets * p->cols, icp, sizeof(float) * (size_t)p->targets);
  if (cls && nl > 0) memcpy(t + p->targets * p->cols + p->targets, labels, sizeof(int64_t) * (size_t)nl);
  if (cls) l->scratch_bytes = sizeof(float) * (size_t)(p->rows * p->targets);
  return ST_OK;
}

/* ---- OneHotEncoder ---- */

static status onehot_infer(op_ctx *c) {
  const ir_tensor *x;
  const int64_t *cats;
  const ir_attr *strs = ir_attr_find(c->n, "cats_strings");
  int64_t dims[IR_MAX_RANK];
  int n, k;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  /* string input takes cats_strings, numbers take cats_int64s */
  if (x->dtype == DT_STRING) {
    if (!strs || strs->type != ATTR_STRINGS || (n = strs->n) < 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "X holds strings: cats_strings must list at least one category");
    for (k = 0; k < n; k++)
      if (strlen(strs->strings[k]) > RT_STRING_CAPACITY(dtype_size(DT_STRING)))
        return diag_node_error(ST_UNSUPPORTED, c->n, "category '%s' is longer than --max-string-bytes (%zu) allows",
                               strs->strings[k], dtype_max_string_bytes());
  } else {
    if ((s = need_numeric(c, x, 0))) return s;
    if ((n = attr_ints(c->n, "cats_int64s", &cats)) < 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "cats_int64s must list at least one category");
  }
  if (x->rank >= IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "X has too many dims");
  memcpy(dims, x->dims, sizeof(int64_t) * (size_t)x->rank);
  dims[x->rank] = n;
  op_set_output(c, 0, DT_FLOAT, x->rank + 1, dims);
  return ST_OK;
}

static status onehot_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const int64_t *cats;
  rt_onehot_encode_params *p =
      op_lower_as(c, l, PD_rt_onehot_encode_params, "rt_onehot_encode_%s", op_dtype_suffix(x->dtype));
  int64_t *t, k;
  if (!p) return ST_UNSUPPORTED;
  p->n = tensor_numel(x);
  /* zeros = 0: a value of no category fails the run (RT_ERR_VALUE) */
  if ((p->fail_unknown = attr_int(c->n, "zeros", 1) == 0)) l->status_slot = 1;
  if (x->dtype == DT_STRING) {
    const ir_attr *strs = ir_attr_find(c->n, "cats_strings");
    unsigned char *slots;
    p->slot = (int64_t)dtype_size(DT_STRING);
    p->cats = strs->n;
    if (!(slots = add_table(c, "onehot_cats", DT_STRING, p->cats))) return ST_UNSUPPORTED;
    for (k = 0; k < p->cats; k++) rt_str_set_c(slots + k * p->slot, (size_t)p->slot, strs->strings[k]);
    return ST_OK;
  }
  p->cats = attr_ints(c->n, "cats_int64s", &cats);
  if (!(t = add_table(c, "onehot_cats", DT_INT64, p->cats))) return ST_UNSUPPORTED;
  memcpy(t, cats, sizeof(int64_t) * (size_t)p->cats);
  return ST_OK;
}

/* ---- LabelEncoder ---- */

/* Keys or values: the type and count of the list given (`kind` "keys" or
 * "values"), as doubles in *out (malloc'ed); type 0 when strings or none
 * (ml_strings.h). */
int le_list(const op_ctx *c, const char *kind, int *dtype, double **out) {
  char name[32];
  const ir_attr *a;
  int n, i;
  *out = NULL;
  *dtype = 0;
  snprintf(name, sizeof name, "%s_tensor", kind);
  a = ir_attr_find(c->n, name);
  if (a && a->type == ATTR_TENSOR && a->tensor.data && a->tensor.dtype != DT_STRING) {
    n = (int)tensor_numel(&a->tensor);
    *dtype = a->tensor.dtype;
    *out = xmalloc(sizeof(double) * ((unsigned long)n + 1));
    for (i = 0; i < n; i++) (*out)[i] = tensor_double(&a->tensor, i);
    return n;
  }
  snprintf(name, sizeof name, "%s_int64s", kind);
  if ((a = ir_attr_find(c->n, name)) && a->type == ATTR_INTS) {
    *dtype = DT_INT64;
    *out = xmalloc(sizeof(double) * ((unsigned long)a->n + 1));
    for (i = 0; i < a->n; i++) (*out)[i] = (double)a->ints[i];
    return a->n;
  }
  snprintf(name, sizeof name, "%s_floats", kind);
  if ((a = ir_attr_find(c->n, name)) && a->type == ATTR_FLOATS) {
    *dtype = DT_FLOAT;
    *out = xmalloc(sizeof(double) * ((unsigned long)a->n + 1));
    for (i = 0; i < a->n; i++) (*out)[i] = a->floats[i];
    return a->n;
  }
  return 0;
}

static int le_type_ok(int dt) { return dt == DT_INT64 || dt == DT_FLOAT || dt == DT_DOUBLE; }

static status le_types(const op_ctx *c, int *kt, int *vt) {
  double *k, *v;
  int nk = le_list(c, "keys", kt, &k), nv = le_list(c, "values", vt, &v);
  free(k);
  free(v);
  if (!le_type_ok(*kt) || !le_type_ok(*vt))
    return diag_node_error(ST_UNSUPPORTED, c->n, "only int64, float, double and string keys and values are "
                           "supported");
  if (nk != nv) return diag_node_error(ST_BAD_MODEL, c->n, "keys and values differ in length (%d, %d)", nk, nv);
  if (op_in(c, 0)->t.dtype != *kt)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s but the keys are %s", dtype_name(op_in(c, 0)->t.dtype),
                           dtype_name(*kt));
  return ST_OK;
}

static status le_infer(op_ctx *c) {
  int kt, vt;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  if (c->opset < 2)
    return diag_node_error(ST_UNSUPPORTED, c->n, "LabelEncoder-1 (classes_strings) is not supported; opset 2 and "
                           "later are");
  if (le_has_strings(c)) return le_strings_infer(c);
  if ((s = le_types(c, &kt, &vt))) return s;
  op_set_output(c, 0, vt, op_in(c, 0)->t.rank, op_in(c, 0)->t.dims);
  return ST_OK;
}

static void put(void *t, int dt, int64_t i, double v) {
  if (dt == DT_INT64) ((int64_t *)t)[i] = (int64_t)v;
  else if (dt == DT_FLOAT) ((float *)t)[i] = (float)v;
  else ((double *)t)[i] = v;
}

/* The default value: default_tensor, else default_int64 (-1) or
 * default_float (-0.0), by the values' type. */
static double le_default(const op_ctx *c, int vt) {
  const ir_attr *a = ir_attr_find(c->n, "default_tensor");
  if (a && a->type == ATTR_TENSOR && a->tensor.data && tensor_numel(&a->tensor) > 0) return tensor_double(&a->tensor, 0);
  if (vt == DT_INT64) return (double)attr_int(c->n, "default_int64", -1);
  return attr_float(c->n, "default_float", -0.0f);
}

static status le_lower(op_ctx *c, lowered *l) {
  int kt, vt;
  double *k, *v;
  void *tk, *tv;
  int64_t i, n;
  rt_label_encode_params *p;
  status s;
  if (le_has_strings(c)) return le_strings_lower(c, l);
  if ((s = le_types(c, &kt, &vt))) return s;
  p = op_lower_as(c, l, PD_rt_label_encode_params, "rt_label_encode_%s_%s", op_dtype_suffix(kt), op_dtype_suffix(vt));
  if (!p) return ST_UNSUPPORTED;
  p->n = tensor_numel(&op_in(c, 0)->t);
  n = le_list(c, "keys", &kt, &k);
  le_list(c, "values", &vt, &v);
  p->keys = n;
  tk = add_table(c, "label_keys", kt, n);
  tv = tk ? add_table(c, "label_values", vt, n + 1) : NULL;
  if (tk && tv) {
    for (i = 0; i < n; i++) put(tk, kt, i, k[i]), put(tv, vt, i, v[i]);
    put(tv, vt, n, le_default(c, vt));
  }
  free(k);
  free(v);
  return tk && tv ? ST_OK : ST_UNSUPPORTED;
}

/* ---- the family ---- */

static status ml_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_ml_LinearClassifier:
  case OP_ml_LinearRegressor: return linear_infer(c);
  case OP_ml_OneHotEncoder: return onehot_infer(c);
  case OP_ml_LabelEncoder: return le_infer(c);
  default: return simple_infer(c);
  }
}

static status ml_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_ml_Binarizer: return binarizer_lower(c, l);
  case OP_ml_ArrayFeatureExtractor: return afe_lower(c, l);
  case OP_ml_Normalizer: return normalizer_lower(c, l);
  case OP_ml_Scaler: return scaler_lower(c, l);
  case OP_ml_Imputer: return imputer_lower(c, l);
  case OP_ml_LinearClassifier:
  case OP_ml_LinearRegressor: return linear_lower(c, l);
  case OP_ml_OneHotEncoder: return onehot_lower(c, l);
  default: return le_lower(c, l);
  }
}

const op_family op_family_ml = {ml_infer, ml_lower, 0, 0};
