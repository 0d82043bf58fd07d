/* ai.onnx.ml's ops on maps: ZipMap, DictVectorizer, CastMap.
 *
 * onnxcc keeps no map values inside a graph. ZipMap turns a [N, C] float
 * tensor into N maps that all share the same C keys (its labels), so its
 * output is held as that tensor, unchanged (a view or one copy), and the
 * keys travel on the value (ir_value.map_keys): the generated header
 * gives them as a constant table, `onnxcc run` writes the sequence of
 * maps ONNX declares (docs/api.md, "Map outputs"). That is only a faithful
 * form for a graph output, so ZipMap's output must be one. */
#include <stdlib.h>
#include <string.h>

#include <onnxcc/strings.h>

#include "../dimexpr.h"
#include "ops.h"

/* The labels as map keys; NULL after reporting. */
static ir_map_keys *zipmap_keys(const op_ctx *c) {
  const ir_attr *ints = ir_attr_find(c->n, "classlabels_int64s");
  const ir_attr *strs = ir_attr_find(c->n, "classlabels_strings");
  ir_map_keys *k;
  int i;
  if ((ints && ints->n) == (strs && strs->n)) {
    diag_node_error(ST_BAD_MODEL, c->n, "exactly one of classlabels_int64s and classlabels_strings must list the labels");
    return NULL;
  }
  k = xcalloc(1, sizeof *k);
  if (ints && ints->n) {
    k->key_dtype = DT_INT64;
    k->n = ints->n;
    k->ints = xmalloc(sizeof(int64_t) * (size_t)ints->n);
    memcpy(k->ints, ints->ints, sizeof(int64_t) * (size_t)ints->n);
    return k;
  }
  k->key_dtype = DT_STRING;
  k->n = strs->n;
  k->strs = xcalloc((size_t)strs->n, sizeof(char *));
  for (i = 0; i < strs->n; i++) k->strs[i] = xstrdup(strs->strings[i]);
  return k;
}

static status zipmap_infer(op_ctx *c) {
  const ir_value *x;
  ir_value *y = op_out(c, 0);
  ir_map_keys *keys;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (x->t.dtype != DT_FLOAT || (x->t.rank != 1 && x->t.rank != 2))
    return diag_node_error(ST_BAD_MODEL, c->n, "input must be a float tensor [N, C] or [C]");
  if (!y || !y->map_key_dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "its output must be a graph output of type sequence(map): onnxcc "
                           "keeps no map values inside a graph");
  keys = zipmap_keys(c);
  if (!keys) return ST_BAD_MODEL;
  if (keys->key_dtype != y->map_key_dtype) {
    s = diag_node_error(ST_BAD_MODEL, c->n, "the labels are %s but output '%s' declares %s keys",
                        dtype_name(keys->key_dtype), y->name, dtype_name(y->map_key_dtype));
    ir_map_keys_free(keys);
    return s;
  }
  s = op_check_equal(c, ir_dim(c->g, &x->t, x->t.rank - 1), dx_const(op_dx(c), keys->n),
                     "the input's last dim and the label count");
  if (s) {
    ir_map_keys_free(keys);
    return s;
  }
  ir_map_keys_free(y->map_keys);
  y->map_keys = keys;
  op_same_as_input(c, 0, 0);
  return ST_OK;
}

static status zipmap_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_copy_params *p = LOWER(l, rt_copy, rt_copy_params);
  /* the map values are the input's floats: a view where the planner can
   * share the storage, else this copy */
  op_bind(c, l, &p->bytes, dx_mul(op_dx(c), ir_dims_product(c->g, x, 0, x->rank),
                                  dx_const(op_dx(c), (int64_t)sizeof(float))));
  l->view_of = 0;
  return ST_OK;
}

/* ---- map inputs ----
 * A map input reaches its reader as two inputs, keys and values, of one
 * length (load.c's convert_map_input): DictVectorizer and CastMap take
 * them as such. */

/* Checks the two inputs: keys of one of `keys` types, values of one of
 * `vals`, both 1-D. */
static status map_inputs(const op_ctx *c, int key_ok, int val_ok) {
  const ir_value *k = op_in(c, 0), *v = op_in(c, 1);
  if (c->n->n_in != 2 || !k || !v || k->t.rank != 1 || v->t.rank != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "input X must be a map (a graph input of map type)");
  if (!key_ok)
    return diag_node_error(ST_BAD_MODEL, c->n, "the map's keys are %s, which the op does not take",
                           dtype_name(k->t.dtype));
  if (!val_ok)
    return diag_node_error(ST_UNSUPPORTED, c->n, "the map's values are %s, which onnxcc does not take here",
                           dtype_name(v->t.dtype));
  return ST_OK;
}

/* [1, e] of dtype, output 0 of both ops. */
static void set_row(op_ctx *c, int dtype, int e) {
  int exprs[2];
  exprs[0] = dx_const(op_dx(c), 1);
  exprs[1] = e;
  op_set_output_exprs(c, 0, dtype, 2, exprs);
}

/* DictVectorizer's vocabulary: the attribute of the keys' type, and its
 * count; -1 after reporting. */
static int dict_vocabulary(const op_ctx *c, const ir_attr **vocab) {
  const ir_attr *ints = ir_attr_find(c->n, "int64_vocabulary"), *strs = ir_attr_find(c->n, "string_vocabulary");
  const int strings = op_in(c, 0)->t.dtype == DT_STRING;
  int i;
  if ((ints && ints->n) == (strs && strs->n) || (strings ? !strs || !strs->n : !ints || !ints->n)) {
    diag_node_error(ST_BAD_MODEL, c->n, "exactly one vocabulary must be given, %s for %s keys",
                    strings ? "string_vocabulary" : "int64_vocabulary", dtype_name(op_in(c, 0)->t.dtype));
    return -1;
  }
  *vocab = strings ? strs : ints;
  for (i = 0; strings && i < strs->n; i++)
    if (strlen(strs->strings[i]) > RT_STRING_CAPACITY(dtype_size(DT_STRING))) {
      diag_node_error(ST_UNSUPPORTED, c->n, "vocabulary entry '%s' is longer than --max-string-bytes (%zu) allows",
                      strs->strings[i], dtype_max_string_bytes());
      return -1;
    }
  return (*vocab)->n;
}

static status dictvec_infer(op_ctx *c) {
  const ir_attr *vocab;
  int kt, vt, n;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  kt = op_in(c, 0)->t.dtype;
  vt = op_in(c, 1) ? op_in(c, 1)->t.dtype : 0;
  s = map_inputs(c, kt == DT_INT64 || kt == DT_STRING, vt == DT_FLOAT || vt == DT_DOUBLE || vt == DT_INT64);
  if (s) return s;
  n = dict_vocabulary(c, &vocab);
  if (n < 0) return ST_BAD_MODEL;
  set_row(c, vt, dx_const(op_dx(c), n));
  return ST_OK;
}

static status dictvec_lower(op_ctx *c, lowered *l) {
  const ir_tensor *k = &op_in(c, 0)->t;
  const int strings = k->dtype == DT_STRING;
  const size_t slot = dtype_size(DT_STRING);
  const ir_attr *vocab;
  int n = dict_vocabulary(c, &vocab), i;
  rt_dict_vectorize_params *p;
  unsigned char *table;
  if (n < 0) return ST_BAD_MODEL;
  p = op_lower_as(c, l, PD_rt_dict_vectorize_params, "rt_dict_vectorize_%s_%s", strings ? "str" : "i64",
                  op_dtype_suffix(op_in(c, 1)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->n, ir_dim(c->g, k, 0));
  p->vocab = n;
  p->slot = strings ? (int64_t)slot : 0;
  table = op_add_table(c, "dict_vocabulary", k->dtype, n, 2);
  for (i = 0; i < n; i++) {
    if (strings) rt_str_set_c(table + (size_t)i * slot, slot, vocab->strings[i]);
    else memcpy(table + (size_t)i * sizeof(int64_t), &vocab->ints[i], sizeof(int64_t));
  }
  return ST_OK;
}

static const char *const cast_map_types[] = {"TO_FLOAT", "TO_INT64", "TO_STRING"};
static const char *const cast_map_forms[] = {"DENSE", "SPARSE"};

/* CastMap's attributes: the output type's index in cast_map_types, the
 * form (1: sparse), and the width of a sparse output. */
static status cast_map_attrs(const op_ctx *c, int *to, int *sparse, int64_t *width) {
  status s = op_attr_enum(c, "cast_to", "TO_FLOAT", cast_map_types, 3, to);
  if (!s) s = op_attr_enum(c, "map_form", "DENSE", cast_map_forms, 2, sparse);
  if (s) return s;
  /* ONNX Runtime writes floats as "%f" and missing keys as "0.f": a text
   * form of its own that onnxcc does not copy */
  if (*to == 2) return diag_node_error(ST_UNSUPPORTED, c->n, "cast_to TO_STRING is not supported");
  *width = attr_int(c->n, "max_map", 1);
  if (*sparse && *width < 1) return diag_node_error(ST_BAD_MODEL, c->n, "max_map must be at least 1");
  return ST_OK;
}

static status castmap_infer(op_ctx *c) {
  int to, sparse;
  int64_t width;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  s = map_inputs(c, op_in(c, 0)->t.dtype == DT_INT64, op_in(c, 1) && op_in(c, 1)->t.dtype == DT_FLOAT);
  if (!s) s = cast_map_attrs(c, &to, &sparse, &width);
  if (s) return s;
  set_row(c, to ? DT_INT64 : DT_FLOAT, sparse ? dx_const(op_dx(c), width) : ir_dim(c->g, &op_in(c, 0)->t, 0));
  return ST_OK;
}

static status castmap_lower(op_ctx *c, lowered *l) {
  int to, sparse;
  int64_t width;
  rt_cast_map_params *p;
  status s = cast_map_attrs(c, &to, &sparse, &width);
  if (s) return s;
  p = op_lower_as(c, l, PD_rt_cast_map_params, "rt_cast_map_%s", to ? "i64" : "f32");
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->n, ir_dim(c->g, &op_in(c, 0)->t, 0));
  op_bind(c, l, &p->width, ir_dim(c->g, &op_out(c, 0)->t, 1));
  p->sparse = sparse;
  return ST_OK;
}

static status maps_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_ml_DictVectorizer: return dictvec_infer(c);
  case OP_ml_CastMap: return castmap_infer(c);
  default: return zipmap_infer(c);
  }
}

static status maps_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_ml_DictVectorizer: return dictvec_lower(c, l);
  case OP_ml_CastMap: return castmap_lower(c, l);
  default: return zipmap_lower(c, l);
  }
}

const op_family op_family_maps = {maps_infer, maps_lower, 1, 0};
