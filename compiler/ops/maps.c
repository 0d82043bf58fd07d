/* ai.onnx.ml's ops on maps: ZipMap.
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

const op_family op_family_maps = {zipmap_infer, zipmap_lower, 1, 0};
