#include "load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "dimexpr.h"
#include "ir_box.h"
#include "fileio.h"
#include "onnx.pb-c.h"
#include "../codegen/text.h"
#include "ops/ops.h"
#include "pb_depth.h"
#include "subgraph.h"
#include "tensor_pb.h"

static status build_subgraph(const compile_options *o, const Onnx__GraphProto *gp, const char *base_dir,
                             ir_graph *parent, ir_node *owner, ir_graph **out);

/* The kind of value a TypeProto describes (ir_kind), with its tensor
 * type in *tensor; -1 for what onnxcc cannot hold (maps, sparse tensors,
 * sequences of sequences). A missing type is a tensor of unknown type. */
static int type_kind(const Onnx__TypeProto *tp, const Onnx__TypeProto__Tensor **tensor) {
  const Onnx__TypeProto *inner;
  *tensor = NULL;
  if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET) return VK_TENSOR;
  if (tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
    *tensor = tp->tensor_type;
    return VK_TENSOR;
  }
  if (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE) {
    inner = tp->sequence_type->elem_type;
    if (!inner || inner->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) return -1;
    *tensor = inner->tensor_type;
    return VK_SEQUENCE;
  }
  if (tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE) {
    inner = tp->optional_type->elem_type;
    if (inner && inner->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
      *tensor = inner->tensor_type;
      return VK_OPTIONAL;
    }
    if (inner && inner->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE) {
      int k = type_kind(inner, tensor);
      return k == VK_SEQUENCE ? VK_OPTIONAL_SEQUENCE : -1;
    }
  }
  return -1;
}

/* K when tp is map(K, tensor(V)) with K int64 or string, the maps onnxcc
 * takes (V in *value, 0 when the type leaves it out); 0 otherwise. */
static int map_key(const Onnx__TypeProto *tp, int *value) {
  const Onnx__TypeProto *v;
  *value = 0;
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_MAP_TYPE || !tp->map_type->has_key_type) return 0;
  v = tp->map_type->value_type;
  if (v && v->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) return 0;
  if (v && v->tensor_type->has_elem_type) *value = v->tensor_type->elem_type;
  return tp->map_type->key_type == DT_INT64 || tp->map_type->key_type == DT_STRING ? tp->map_type->key_type : 0;
}

/* K when tp is sequence(map(K, tensor)), the type ZipMap gives; 0
 * otherwise. Such a graph output is accepted at load: the op making it
 * gives it keys (ir_value.map_keys) and its dense values as the tensor. */
static int map_sequence_key(const Onnx__TypeProto *tp) {
  int value;
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE) return 0;
  return map_key(tp->sequence_type->elem_type, &value);
}

static const char *kind_name(int kind) {
  static const char *const names[] = {"tensor", "sequence", "optional tensor", "optional sequence"};
  return kind >= 0 && kind <= 3 ? names[kind] : "map or sparse tensor";
}

static status convert_attr(const compile_options *o, const Onnx__AttributeProto *ap, const char *base_dir,
                           ir_graph *g, ir_node *n, ir_attr *a) {
  size_t i;
  memset(a, 0, sizeof *a);
  a->name = xstrdup(ap->name ? ap->name : "");
  a->type = ap->has_type ? (int)ap->type : 0;
  if (ap->ref_attr_name && *ap->ref_attr_name)
    return diag_node_error(ST_UNSUPPORTED, n, "attribute '%s' refers to a function attribute", a->name);
  /* Old exporters leave out the type: guess it from what is set. */
  if (!a->type) {
    if (ap->n_ints) a->type = ATTR_INTS;
    else if (ap->n_floats) a->type = ATTR_FLOATS;
    else if (ap->n_strings) a->type = ATTR_STRINGS;
    else if (ap->t) a->type = ATTR_TENSOR;
    else if (ap->g) a->type = ATTR_GRAPH;
    else if (ap->has_s) a->type = ATTR_STRING;
    else if (ap->has_f) a->type = ATTR_FLOAT;
    else a->type = ATTR_INT;
  }
  a->f = ap->f;
  a->i = ap->i;
  switch (a->type) {
  case ATTR_STRING:
    a->s = xmalloc((unsigned long)ap->s.len + 1);
    if (ap->s.len) memcpy(a->s, ap->s.data, ap->s.len);
    a->s[ap->s.len] = 0;
    break;
  case ATTR_INTS:
    a->n = (int)ap->n_ints;
    a->ints = xmalloc(sizeof(int64_t) * (ap->n_ints + 1));
    if (ap->n_ints) memcpy(a->ints, ap->ints, sizeof(int64_t) * ap->n_ints);
    break;
  case ATTR_FLOATS:
    a->n = (int)ap->n_floats;
    a->floats = xmalloc(sizeof(float) * (ap->n_floats + 1));
    if (ap->n_floats) memcpy(a->floats, ap->floats, sizeof(float) * ap->n_floats);
    break;
  case ATTR_STRINGS:
    a->n = (int)ap->n_strings;
    a->strings = xcalloc(ap->n_strings + 1, sizeof(char *));
    for (i = 0; i < ap->n_strings; i++) {
      a->strings[i] = xmalloc((unsigned long)ap->strings[i].len + 1);
      if (ap->strings[i].len) memcpy(a->strings[i], ap->strings[i].data, ap->strings[i].len);
      a->strings[i][ap->strings[i].len] = 0;
    }
    break;
  case ATTR_TENSOR:
    if (!ap->t) return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' has no tensor", a->name);
    {
      char *what = xasprintf("%s.%s", n->name, a->name);
      status s = tensor_from_proto(ap->t, base_dir, &a->tensor, what);
      free(what);
      return s;
    }
  case ATTR_TYPE_PROTO: {
    const Onnx__TypeProto__Tensor *tt;
    a->type_kind = type_kind(ap->tp, &tt);
    if (!ap->tp || a->type_kind < 0)
      return diag_node_error(ST_UNSUPPORTED, n, "attribute '%s' names a type onnxcc cannot hold", a->name);
    a->type_dtype = tt && tt->has_elem_type ? tt->elem_type : 0;
    break;
  }
  case ATTR_GRAPH:
    if (!ap->g) return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' has no graph", a->name);
    return build_subgraph(o, ap->g, base_dir, g, n, &a->graph);
  default:
    break; /* lists of graphs and sparse tensors: the op handler rejects them */
  }
  return ST_OK;
}

static const pin *find_pin(const pin *pins, int n, const char *name) {
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(pins[i].name, name) == 0) return &pins[i];
  return NULL;
}

/* Sets a graph input's type and shape from its ValueInfo and the pins. */
/* Makes dim d of input v the symbol `name` with the bounds of range pin p. */
static void symbolic_dim(const ir_graph *g, ir_value *v, int d, const char *name, const pin *p) {
  free(v->dim_param[d]);
  v->dim_param[d] = xstrdup(name);
  ir_set_dim(g, &v->t, d, dx_sym(ir_dx(g), name, p->dims[0], p->dims[1]));
}

/* A graph input of sequence or optional type. Its size comes from the
 * input file `onnxcc run` read (shape_pin), else from the declared
 * element shape and --max-dynamic-dim for the element count. */
static status convert_boxed_input(const ir_graph *g, const compile_options *o, const Onnx__TypeProto__Tensor *tt,
                                  int kind, const pin *shape_pin, ir_value *v) {
  ir_box_type b;
  size_t i;
  char buf[200];
  memset(&b, 0, sizeof b);
  b.kind = kind;
  b.elem.dtype = tt && tt->has_elem_type ? tt->elem_type : 0;
  if (shape_pin) {
    if (shape_pin->kind != kind)
      return diag_error(shape_pin->source ? ST_BAD_MODEL : ST_USAGE, "%s holds a %s but the model's input '%s' is a %s",
                        shape_pin->source ? shape_pin->source : "the shape given", kind_name(shape_pin->kind), v->name,
                        kind_name(kind));
    b.cap = shape_pin->cap;
    b.elem.rank = shape_pin->rank;
    for (i = 0; (int)i < shape_pin->rank; i++) {
      b.elem.dims[i] = shape_pin->dims[i];
      b.var[i] = shape_pin->var[i];
    }
  } else {
    if (!tt || !tt->shape)
      return diag_error(ST_UNSUPPORTED, "graph input '%s' is a %s whose elements have no shape; onnxcc needs one",
                        v->name, kind_name(kind));
    if (tt->shape->n_dim > IR_MAX_RANK)
      return diag_error(ST_UNSUPPORTED, "graph input '%s' has elements of rank %zu; at most %d is supported", v->name,
                        tt->shape->n_dim, IR_MAX_RANK);
    b.cap = kind == VK_OPTIONAL ? 1 : o->max_dynamic_dim;
    if (b.cap <= 0)
      return diag_error(ST_UNSUPPORTED, "graph input '%s' is a sequence; give the most elements it may hold with "
                        "--max-dynamic-dim N", v->name);
    b.elem.rank = (int)tt->shape->n_dim;
    for (i = 0; i < tt->shape->n_dim; i++) {
      const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
      const pin *p = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param
                         ? find_pin(o->dims, o->n_dims, d->dim_param)
                         : NULL;
      if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value >= 0) {
        b.elem.dims[i] = d->dim_value;
      } else if (p) {
        b.elem.dims[i] = p->range ? p->dims[1] : p->dims[0];
        b.var[i] = (unsigned char)(p->range != 0);
      } else {
        return diag_error(ST_UNSUPPORTED, "graph input '%s': dim %zu of its elements is unknown; bound it with --dim "
                          "NAME=LO..HI on a named dim", v->name, i);
      }
    }
  }
  if (dtype_size(b.elem.dtype) == 0)
    return diag_error(ST_UNSUPPORTED, "graph input '%s' has element type %s, which is not supported", v->name,
                      dtype_name(b.elem.dtype));
  if (!ir_box_set(v, &b))
    return diag_error(ST_BAD_MODEL, "graph input '%s' of type %s is larger than the limit of %lld bytes", v->name,
                      ir_box_type_str(&b, buf, sizeof buf), (long long)CK_MAX_TENSOR_BYTES);
  (void)g;
  return ST_OK;
}

/* A graph input of type map(K, V) (DictVectorizer's, CastMap's) is two
 * graph inputs: its keys (v itself, K [n]) and its values (a new value
 * NAME.values, V [n], v->map_values), n the map's length: --dim NAME_len
 * (a value or a range), else the input file's count (onnxcc run), else
 * 0..--max-dynamic-dim. load_nodes gives its readers both. */
static status convert_map_input(ir_graph *g, const compile_options *o, const Onnx__TypeProto *tp, const pin *file,
                                ir_value *v) {
  int value, key = map_key(tp, &value), k;
  char *len = xasprintf("%s_len", v->name), *vname = xasprintf("%s.values", v->name);
  const pin *p = find_pin(o->dims, o->n_dims, len);
  pin any;
  ir_value *vals;
  status s = ST_OK;
  if (dtype_size(value) == 0) {
    s = diag_error(ST_UNSUPPORTED, "graph input '%s' is a map of %s values, which is not supported", v->name,
                   dtype_name(value));
    goto done;
  }
  if (file && file->rank != 1) {
    s = diag_error(file->source ? ST_BAD_MODEL : ST_USAGE, "%s for map input '%s' has rank %d; a map is 1-D",
                   file->source ? file->source : "the shape given", v->name, file->rank);
    goto done;
  }
  if (ir_find(g, vname) >= 0) {
    s = diag_error(ST_UNSUPPORTED, "map input '%s' takes the name '%s' for its values, which the model uses", v->name,
                   vname);
    goto done;
  }
  k = ir_value_get(g, vname);
  v->map_values = k + 1;
  vals = ir_val(g, k);
  v->t.dtype = key;
  vals->t.dtype = value;
  v->t.rank = vals->t.rank = 1;
  memset(&any, 0, sizeof any);
  any.range = 1;
  any.dims[1] = o->max_dynamic_dim;
  if (!p && file) v->t.dims[0] = file->dims[0];
  else if (!p && o->max_dynamic_dim <= 0)
    s = diag_error(ST_UNSUPPORTED, "graph input '%s' is a map, whose length varies: bound it with --dim %s=LO..HI "
                   "or --max-dynamic-dim N", v->name, len);
  else if (p && !p->range) v->t.dims[0] = p->dims[0];
  else symbolic_dim(g, v, 0, len, p ? p : &any);
  if (!s) ir_set_dim(g, &vals->t, 0, ir_dim(g, &v->t, 0));
  vals->t.dims[0] = v->t.dims[0];
done:
  free(len);
  free(vname);
  return s;
}

static status convert_input(ir_graph *g, const compile_options *o, const Onnx__ValueInfoProto *vi, int position,
                            ir_value *v) {
  const Onnx__TypeProto *tp = vi->type;
  const Onnx__TypeProto__Tensor *tt;
  const pin *shape_pin = find_pin(o->shapes, o->n_shapes, v->name);
  if (!shape_pin && position < o->n_positional) shape_pin = &o->positional[position];
  size_t i;
  int kind, value;
  if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET)
    return diag_error(ST_BAD_MODEL, "graph input '%s' has no type", v->name);
  kind = type_kind(tp, &tt);
  if (kind < 0 && map_key(tp, &value)) return convert_map_input(g, o, tp, shape_pin, v);
  if (kind < 0) return diag_error(ST_UNSUPPORTED, "graph input '%s' is a map, a sparse tensor or a nested "
                                  "sequence, which onnxcc cannot hold", v->name);
  if (kind != VK_TENSOR) return convert_boxed_input(g, o, tt, kind, shape_pin, v);
  v->t.dtype = tt->has_elem_type ? tt->elem_type : 0;
  if (dtype_size(v->t.dtype) == 0)
    return diag_error(ST_UNSUPPORTED, "graph input '%s' has element type %s, which is not supported", v->name,
                      dtype_name(v->t.dtype));
  if (shape_pin) {
    /* A --shape that contradicts the model is a usage error; an input
     * file (onnxcc run) that does is a bad input, named as such. */
    status bad = shape_pin->source ? ST_BAD_MODEL : ST_USAGE;
    const char *given = shape_pin->source ? shape_pin->source : "the shape given";
    if (tt->shape && (int)tt->shape->n_dim != shape_pin->rank)
      return diag_error(bad, "%s for input '%s' has rank %d but the model's input has rank %zu", given, v->name,
                        shape_pin->rank, tt->shape->n_dim);
    for (i = 0; tt->shape && i < tt->shape->n_dim; i++) {
      const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
      if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value > 0 &&
          d->dim_value != shape_pin->dims[i])
        return diag_error(bad, "%s for input '%s' has %lld at dim %zu, but the model fixes it to %lld", given,
                          v->name, shape_pin->dims[i], i, (long long)d->dim_value);
    }
    v->t.rank = shape_pin->rank;
    for (i = 0; i < (size_t)shape_pin->rank; i++) v->t.dims[i] = shape_pin->dims[i];
    /* A dim named by a range --dim stays variable: the given shape is one
     * of the sizes the code will run at (onnxcc run passes it then). */
    for (i = 0; tt->shape && i < tt->shape->n_dim; i++) {
      const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
      const pin *p = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param
                         ? find_pin(o->dims, o->n_dims, d->dim_param)
                         : NULL;
      if (!p || !p->range) continue;
      if (shape_pin->dims[i] < p->dims[0] || shape_pin->dims[i] > p->dims[1])
        return diag_error(bad, "%s for input '%s' has %lld at dim %zu, outside --dim %s=%lld..%lld", given, v->name,
                          shape_pin->dims[i], i, d->dim_param, p->dims[0], p->dims[1]);
      symbolic_dim(g, v, (int)i, d->dim_param, p);
    }
    return ST_OK;
  }
  if (!tt->shape)
    return diag_error(ST_UNSUPPORTED, "graph input '%s' has no shape; give one with --shape %s=D0xD1x...", v->name,
                      v->name);
  if (tt->shape->n_dim > IR_MAX_RANK)
    return diag_error(ST_UNSUPPORTED, "graph input '%s' has rank %zu; at most %d is supported", v->name,
                      tt->shape->n_dim, IR_MAX_RANK);
  v->t.rank = (int)tt->shape->n_dim;
  for (i = 0; i < tt->shape->n_dim; i++) {
    const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
    if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value >= 0) {
      v->t.dims[i] = d->dim_value;
    } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param &&
               *d->dim_param) {
      const pin *p = find_pin(o->dims, o->n_dims, d->dim_param);
      if (!p)
        return diag_error(ST_UNSUPPORTED,
                          "graph input '%s' dim %zu is symbolic ('%s'); pin it with --dim %s=VALUE or --shape %s=...",
                          v->name, i, d->dim_param, d->dim_param, v->name);
      if (p->range) {
        symbolic_dim(g, v, (int)i, d->dim_param, p);
      } else {
        v->dim_param[i] = xstrdup(d->dim_param);
        v->t.dims[i] = p->dims[0];
      }
    } else {
      return diag_error(ST_UNSUPPORTED, "graph input '%s' dim %zu is unknown; pin the shape with --shape %s=...",
                        v->name, i, v->name);
    }
  }
  return ST_OK;
}

/* An unsupported node and its position in the file. */
typedef struct bad_node {
  const ir_node *n;
  int index;
} bad_node;

static int compare_kind(const ir_node *x, const ir_node *y) {
  int c = strcmp(x->domain, y->domain);
  return c ? c : strcmp(x->op_type, y->op_type);
}

/* By (domain, op_type), then position: each kind becomes one run. */
static int by_kind_then_index(const void *a, const void *b) {
  const bad_node *x = a, *y = b;
  int c = compare_kind(x->n, y->n);
  return c ? c : x->index - y->index;
}

/* One kind of unsupported op: a run of the sorted list; `first` is the
 * position of its first node, which orders the message. */
typedef struct op_kind {
  int start, count, first;
} op_kind;

static int by_first_node(const void *a, const void *b) {
  return ((const op_kind *)a)->first - ((const op_kind *)b)->first;
}

/* "NonZero (2 nodes: 'a', 'b')": up to four names, else the first and "...". */
static void describe_kind(const bad_node *bad, const op_kind *k, int listed, text *w) {
  const ir_node *n = bad[k->start].n;
  int j;
  text_printf(w, "%s%s%s%s (", listed ? ", " : "", *n->domain ? n->domain : "", *n->domain ? "." : "", n->op_type);
  if (k->count > 1) text_printf(w, "%d nodes: ", k->count);
  else text_puts(w, "node ");
  for (j = 0; j < k->count; j++) {
    if (j == 1 && k->count > 4) {
      text_puts(w, ", ...");
      break;
    }
    text_printf(w, "%s'%s'", j ? ", " : "", bad[k->start + j].n->name);
  }
  text_puts(w, ")");
}

/* All nodes whose op is unknown or outside the supported opset, in one
 * message: "unsupported ops: Loop (node 'l1'), NonZero (2 nodes: 'a', ...)",
 * kinds in order of first appearance. Sorting keeps this O(n log n) when a
 * hostile model has 10^5 unsupported nodes. */
static status check_supported(const ir_graph *g) {
  text w;
  int i, n_bad = 0, n_kinds = 0;
  bad_node *bad = xmalloc(sizeof(bad_node) * ((unsigned long)g->n_nodes + 1));
  op_kind *kinds;
  for (i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->op < 0) {
      bad[n_bad].n = g->nodes[i];
      bad[n_bad++].index = i;
    }
  if (!n_bad) {
    free(bad);
    return ST_OK;
  }
  qsort(bad, (size_t)n_bad, sizeof *bad, by_kind_then_index);
  kinds = xmalloc(sizeof(op_kind) * (unsigned long)n_bad);
  for (i = 0; i < n_bad; i++) {
    if (!i || compare_kind(bad[i].n, bad[i - 1].n) != 0) {
      kinds[n_kinds].start = i;
      kinds[n_kinds].first = bad[i].index;
      kinds[n_kinds++].count = 0;
    }
    kinds[n_kinds - 1].count++;
  }
  qsort(kinds, (size_t)n_kinds, sizeof *kinds, by_first_node);
  text_init(&w);
  for (i = 0; i < n_kinds; i++) describe_kind(bad, &kinds[i], i, &w);
  diag_error(ST_UNSUPPORTED, "unsupported op%s: %s", n_kinds > 1 ? "s" : "", w.buf);
  text_free(&w);
  free(kinds);
  free(bad);
  return ST_UNSUPPORTED;
}

static status load_initializers(const Onnx__GraphProto *gp, const char *base_dir, ir_graph *g) {
  size_t i;
  status s;
  if (gp->n_sparse_initializer)
    return diag_error(ST_UNSUPPORTED, "sparse initializers are not supported");
  for (i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    ir_value *v;
    if (!tp->name || !*tp->name) return diag_error(ST_BAD_MODEL, "initializer %zu has no name", i);
    v = ir_val(g, ir_value_get(g, tp->name));
    if (v->t.data) return diag_error(ST_BAD_MODEL, "initializer '%s' is defined twice", tp->name);
    s = tensor_from_proto(tp, base_dir, &v->t, tp->name);
    if (s) return s;
  }
  return ST_OK;
}

/* A subgraph cannot read a map input of the main graph: a capture is one
 * value, a map two (convert_map_input). */
static status captured_map(const ir_graph *g, const ir_node *n, const ir_value *v) {
  while (v && v->capture >= 0 && g->parent) {
    v = ir_capture_source(g, v);
    g = g->parent;
  }
  if (v && v->map_values)
    return diag_node_error(ST_UNSUPPORTED, n, "reads map input '%s' from an enclosing graph: onnxcc holds a map only "
                           "as the input of a DictVectorizer or CastMap of the main graph", v->name);
  return ST_OK;
}

/* A node input as graph g sees it. In a subgraph every name must resolve
 * (locally or as a capture), since the enclosing graphs are complete by
 * now; in the main graph an unknown name becomes a value nobody produces,
 * which the topological sort reports. */
static status node_input(ir_graph *g, const ir_node *n, const char *name, int *id) {
  if (!name || !*name) {
    *id = -1;
    return ST_OK;
  }
  if (!g->parent) {
    *id = ir_value_get(g, name);
    return ST_OK;
  }
  *id = ir_resolve(g, name);
  if (*id < 0) return diag_node_error(ST_BAD_MODEL, n, "reads '%s', which neither its graph nor an enclosing one defines", name);
  return captured_map(g, n, g->values[*id]);
}

/* A node that reads a map graph input (convert_map_input) reads its keys
 * and its values: only the ops that take a map (DictVectorizer, CastMap)
 * may, as their one input. */
static status map_reader(ir_graph *g, ir_node *n) {
  int k, vals;
  for (k = 0; k < n->n_in; k++) {
    if (n->in[k] < 0 || !g->values[n->in[k]]->map_values) continue;
    if (n->n_in != 1 || strcmp(n->domain, "ai.onnx.ml") != 0 ||
        (strcmp(n->op_type, "DictVectorizer") != 0 && strcmp(n->op_type, "CastMap") != 0))
      return diag_node_error(ST_UNSUPPORTED, n, "reads map input '%s': onnxcc holds a map only as "
                             "DictVectorizer's or CastMap's input", g->values[n->in[k]]->name);
    vals = g->values[n->in[k]]->map_values - 1;
    n->in = xrealloc(n->in, sizeof(int) * 3);
    n->in[1] = vals;
    n->n_in = 2;
    n->n_implicit = 1; /* not one of the model's inputs (the schema check counts one) */
  }
  return ST_OK;
}

/* Nodes in three sweeps: all outputs first (so that inputs can tell a
 * local name from an outer one), then inputs, then attributes, whose
 * subgraphs may capture any value of this graph. */
static status load_nodes(const compile_options *o, const Onnx__GraphProto *gp, const char *base_dir, ir_graph *g) {
  size_t i, k;
  status s;
  int first = g->n_nodes;
  for (i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    char fallback[64];
    ir_node *n;
    if (!np->op_type || !*np->op_type) return diag_error(ST_BAD_MODEL, "node %zu has no op_type", i);
    snprintf(fallback, sizeof fallback, "%s_%zu", np->op_type, i);
    n = ir_node_add(g, np->name && *np->name ? np->name : fallback, np->op_type, np->domain);
    n->n_out = (int)np->n_output;
    n->out = xmalloc(sizeof(int) * (np->n_output + 1));
    for (k = 0; k < np->n_output; k++) {
      n->out[k] = np->output[k] && *np->output[k] ? ir_value_get(g, np->output[k]) : -1;
      if (n->out[k] >= 0 && g->values[n->out[k]]->producer < 0) g->values[n->out[k]]->producer = g->n_nodes - 1;
    }
  }
  for (i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    ir_node *n = g->nodes[first + (int)i];
    n->n_in = (int)np->n_input;
    n->in = xmalloc(sizeof(int) * (np->n_input + 1));
    for (k = 0; k < np->n_input; k++) {
      s = node_input(g, n, np->input[k], &n->in[k]);
      if (s) return s;
    }
    s = map_reader(g, n);
    if (s) return s;
  }
  for (i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    ir_node *n = g->nodes[first + (int)i];
    n->n_attr = (int)np->n_attribute;
    n->attr = xcalloc(np->n_attribute + 1, sizeof(ir_attr));
    for (k = 0; k < np->n_attribute; k++) {
      s = convert_attr(o, np->attribute[k], base_dir, g, n, &n->attr[k]);
      if (s) return s;
    }
  }
  return ST_OK;
}

/* A subgraph's formal input: its element type (the owner op sets shapes,
 * which bodies often leave out). */
static status subgraph_input(const Onnx__ValueInfoProto *vi, ir_value *v) {
  const Onnx__TypeProto__Tensor *tt;
  int kind = type_kind(vi->type, &tt);
  if (kind < 0)
    return diag_error(ST_UNSUPPORTED, "subgraph input '%s' is a map, a sparse tensor or a nested sequence, which "
                      "onnxcc cannot hold", v->name);
  /* a sequence or optional gets its whole type from the owner node */
  if (kind == VK_TENSOR && tt && tt->has_elem_type) v->t.dtype = tt->elem_type;
  return ST_OK;
}

static status build_subgraph(const compile_options *o, const Onnx__GraphProto *gp, const char *base_dir,
                             ir_graph *parent, ir_node *owner, ir_graph **out) {
  ir_graph *g = ir_new();
  const Onnx__TypeProto__Tensor *tt;
  size_t i;
  status s;
  *out = g; /* owned by the attribute from here, freed with it */
  g->parent = parent;
  g->owner = owner;
  g->opset = parent->opset;
  g->opset_ml = parent->opset_ml;
  g->opset_training = parent->opset_training;
  g->opset_preview = parent->opset_preview;
  g->opset_ms = parent->opset_ms;
  g->fold_max_tensor = parent->fold_max_tensor;
  g->max_dynamic_dim = parent->max_dynamic_dim;
  g->bare_metal = parent->bare_metal;
  g->no_winograd = parent->no_winograd;
  g->fold_max_total = parent->fold_max_total;
  g->name = xstrdup(gp->name ? gp->name : "");
  g->producer = xstrdup("");
  s = load_initializers(gp, base_dir, g);
  if (s) return s;
  g->inputs = xmalloc(sizeof(int) * (gp->n_input + 1));
  for (i = 0; i < gp->n_input; i++) {
    const Onnx__ValueInfoProto *vi = gp->input[i];
    ir_value *v;
    if (!vi->name || !*vi->name) return diag_node_error(ST_BAD_MODEL, owner, "a subgraph input has no name");
    v = ir_val(g, ir_value_get(g, vi->name));
    if (v->graph_input >= 0 || v->t.data)
      return diag_node_error(ST_BAD_MODEL, owner, "subgraph input '%s' is defined twice", vi->name);
    s = subgraph_input(vi, v);
    if (s) return s;
    v->graph_input = g->n_inputs;
    g->inputs[g->n_inputs++] = ir_find(g, vi->name);
  }
  g->n_formal_inputs = g->n_inputs;
  s = load_nodes(o, gp, base_dir, g);
  if (s) return s;
  g->outputs = xmalloc(sizeof(int) * (gp->n_output + 1));
  for (i = 0; i < gp->n_output; i++) {
    const Onnx__ValueInfoProto *vi = gp->output[i];
    int id;
    if (!vi->name || !*vi->name) return diag_node_error(ST_BAD_MODEL, owner, "a subgraph output has no name");
    if (type_kind(vi->type, &tt) < 0)
      return diag_node_error(ST_UNSUPPORTED, owner, "subgraph output '%s' is a map, a sparse tensor or a nested "
                             "sequence, which onnxcc cannot hold", vi->name);
    id = ir_resolve(g, vi->name);
    if (id < 0) return diag_node_error(ST_BAD_MODEL, owner, "subgraph output '%s' is never defined", vi->name);
    g->outputs[g->n_outputs++] = id;
  }
  s = check_supported(g);
  if (s) return s;
  return ir_toposort(g);
}

/* A node of ai.onnx.ml (or ai.onnx.preview.training, ai.onnx.preview) needs that domain's
 * version from opset_import: its meaning (TreeEnsembleClassifier-3's
 * tensor attributes) depends on it. A version onnxcc does not know matters
 * only when such a node is there. Subgraphs inherit the versions, so the
 * main graph's nodes are the ones looked at here; a subgraph's node
 * without an import fails its schema check (no schema at version 0). */
static status check_domain_import(const ir_graph *g, int domain, int64_t version, int max) {
  const char *name = op_domain_name(domain);
  int i;
  for (i = 0; i < g->n_nodes; i++) {
    if (op_domain(g->nodes[i]->op) != domain) continue;
    if (version == 0)
      return diag_node_error(ST_BAD_MODEL, g->nodes[i], "the model does not import the %s operator set "
                             "(opset_import)", name);
    if (version < 0)
      return diag_error(ST_BAD_MODEL, "%s opset %" PRId64 " is not a valid operator set version", name, version);
    if (version > max)
      return diag_error(ST_UNSUPPORTED, "model uses %s opset %" PRId64 "; onnxcc supports %s opsets 1 to %d", name,
                        version, name, max);
    return ST_OK;
  }
  return ST_OK;
}

/* Records the version opset_import gives a domain other than the default
 * one in *slot (0 until then); naming the domain twice with two versions
 * is an error. */
static status import_domain(const char *name, int64_t version, int64_t *slot) {
  if (*slot && version != *slot)
    return diag_error(ST_BAD_MODEL, "opset_import names %s twice (versions %" PRId64 " and %" PRId64 ")", name, *slot,
                      version);
  *slot = version;
  return ST_OK;
}

static status build_graph(const compile_options *o, const Onnx__ModelProto *m, const char *base_dir, ir_graph *g) {
  const Onnx__GraphProto *gp = m->graph;
  const Onnx__TypeProto__Tensor *tt;
  size_t i;
  status s;
  int found_opset = 0;
  if (o->fold_max_tensor > 0) g->fold_max_tensor = o->fold_max_tensor;
  g->max_dynamic_dim = o->max_dynamic_dim;
  g->bare_metal = o->bare_metal;
  g->no_winograd = o->no_winograd;
  if (o->fold_max_total > 0) g->fold_max_total = o->fold_max_total;
  for (i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *op = m->opset_import[i];
    if (!op->domain || !*op->domain || strcmp(op->domain, "ai.onnx") == 0) {
      if (found_opset && op->version != g->opset)
        return diag_error(ST_BAD_MODEL, "opset_import names the default domain twice (versions %" PRId64 " and %" PRId64 ")",
                          g->opset, (int64_t)op->version);
      g->opset = op->version;
      found_opset = 1;
    } else if (op_domain_lookup(op->domain) == OP_DOMAIN_ml) {
      if ((s = import_domain(op->domain, op->version, &g->opset_ml)) != ST_OK) return s;
    } else if (op_domain_lookup(op->domain) == OP_DOMAIN_training) {
      if ((s = import_domain(op->domain, op->version, &g->opset_training)) != ST_OK) return s;
    } else if (op_domain_lookup(op->domain) == OP_DOMAIN_preview) {
      if ((s = import_domain(op->domain, op->version, &g->opset_preview)) != ST_OK) return s;
    } else if (op_domain_lookup(op->domain) == OP_DOMAIN_ms) {
      if ((s = import_domain(op->domain, op->version, &g->opset_ms)) != ST_OK) return s;
    }
  }
  /* Operator meaning depends on the opset, so guessing one is wrong: only
   * models older than IR version 3, which had no opset_import yet, get
   * opset 1. No import at all is otherwise a damaged or truncated file. A
   * model that imports only other domains (ai.onnx.ml) is fine until one
   * of its nodes uses the default domain (checked once nodes exist). */
  if (!found_opset) {
    if (m->has_ir_version && m->ir_version >= 1 && m->ir_version < 3) g->opset = 1, found_opset = 1;
    else if (!m->n_opset_import)
      return diag_error(ST_BAD_MODEL, "the model has no opset_import (which operator set versions it uses)");
  }
  if (found_opset && g->opset < 1)
    return diag_error(ST_BAD_MODEL, "opset %" PRId64 " is not a valid operator set version", g->opset);
  if (g->opset > ONNXCC_MAX_OPSET)
    return diag_error(ST_UNSUPPORTED, "model uses opset %" PRId64 "; onnxcc supports opsets 1 to %d", g->opset,
                      ONNXCC_MAX_OPSET);
  g->name = xstrdup(gp->name ? gp->name : "");
  g->producer = xstrdup(m->producer_name ? m->producer_name : "");

  s = load_initializers(gp, base_dir, g);
  if (s) return s;
  g->inputs = xmalloc(sizeof(int) * (2 * gp->n_input + 1)); /* a map input is two */
  for (i = 0; i < gp->n_input; i++) {
    const Onnx__ValueInfoProto *vi = gp->input[i];
    int id;
    ir_value *v;
    if (!vi->name || !*vi->name) return diag_error(ST_BAD_MODEL, "graph input %zu has no name", i);
    id = ir_value_get(g, vi->name);
    v = ir_val(g, id);
    if (v->t.data) continue; /* an initializer listed as input (IR < 4): a constant */
    if (v->graph_input >= 0) return diag_error(ST_BAD_MODEL, "graph input '%s' is listed twice", vi->name);
    s = convert_input(g, o, vi, g->n_inputs, v);
    if (s) return s;
    {
      int64_t bytes;
      char buf[200];
      if (!ir_shape_check(v->t.dtype, v->t.rank, v->t.dims, &bytes))
        return diag_error(ST_BAD_MODEL, "graph input '%s' of type %s is larger than the limit of %lld bytes", v->name,
                          tensor_type_str(&v->t, buf, sizeof buf), (long long)CK_MAX_TENSOR_BYTES);
    }
    v->graph_input = g->n_inputs;
    g->inputs[g->n_inputs++] = id;
    if (v->map_values) { /* a map's values: the input after its keys */
      g->values[v->map_values - 1]->graph_input = g->n_inputs;
      g->inputs[g->n_inputs++] = v->map_values - 1;
    }
  }
  g->n_formal_inputs = g->n_inputs;
  for (i = 0; i < (size_t)o->n_shapes; i++) {
    int id = ir_find(g, o->shapes[i].name);
    if (id < 0 || g->values[id]->graph_input < 0)
      return diag_error(ST_USAGE, "--shape names '%s', which is not a graph input", o->shapes[i].name);
  }
  g->outputs = xmalloc(sizeof(int) * (gp->n_output + 1));
  for (i = 0; i < gp->n_output; i++) {
    const Onnx__ValueInfoProto *vi = gp->output[i];
    if (!vi->name || !*vi->name) return diag_error(ST_BAD_MODEL, "graph output %zu has no name", i);
    int key = map_sequence_key(vi->type);
    if (!key && type_kind(vi->type, &tt) < 0)
      return diag_error(ST_UNSUPPORTED, "graph output '%s' is a map, a sparse tensor or a nested sequence, which "
                        "onnxcc cannot hold", vi->name);
    g->outputs[g->n_outputs++] = ir_value_get(g, vi->name);
    ir_val(g, g->outputs[g->n_outputs - 1])->map_key_dtype = key;
  }
  if (!g->n_outputs) return diag_error(ST_BAD_MODEL, "the graph has no outputs");

  s = load_nodes(o, gp, base_dir, g);
  if (s) return s;
  s = check_supported(g);
  if (s) return s;
  for (i = 0; !found_opset && i < (size_t)g->n_nodes; i++)
    if (!*g->nodes[i]->domain || strcmp(g->nodes[i]->domain, "ai.onnx") == 0)
      return diag_node_error(ST_BAD_MODEL, g->nodes[i], "the model does not import the default operator set (opset_import)");
  s = check_domain_import(g, OP_DOMAIN_ml, g->opset_ml, ONNXCC_MAX_OPSET_ML);
  if (!s) s = check_domain_import(g, OP_DOMAIN_training, g->opset_training, ONNXCC_MAX_OPSET_TRAINING);
  if (!s) s = check_domain_import(g, OP_DOMAIN_preview, g->opset_preview, ONNXCC_MAX_OPSET_PREVIEW);
  if (!s) s = check_domain_import(g, OP_DOMAIN_ms, g->opset_ms, ONNXCC_MAX_OPSET_MS);
  if (s) return s;
  return ir_toposort(g);
}

void load_set_string_bound(const compile_options *o) {
  dtype_set_max_string_bytes(o->max_string_bytes > 0 ? (size_t)o->max_string_bytes : IR_MAX_STRING_BYTES_DEFAULT);
}

status load_model(const compile_options *o, ir_graph **out) {
  unsigned char *buf;
  size_t size;
  status s;
  *out = NULL;
  load_set_string_bound(o);
  if (o->model_data) return load_model_buffer(o, o->model_data, o->model_size, out);
  /* An unreadable model is bad input (exit 1), like a malformed one. */
  diag_set_quiet_push();
  s = file_read_all(o->model_path, &buf, &size);
  diag_set_quiet_pop();
  if (s) return diag_error(ST_BAD_MODEL, "cannot read the model: %s", strerror(errno));
  s = load_model_buffer(o, buf, size, out);
  free(buf);
  return s;
}

status load_model_buffer(const compile_options *o, const unsigned char *data, size_t size, ir_graph **out) {
  Onnx__ModelProto *m;
  ir_graph *g;
  char *base_dir;
  status s;
  *out = NULL;
  if (size == 0) return diag_error(ST_BAD_MODEL, "the file is empty");
  /* protobuf-c recurses once per nested message: bound it first. */
  if (pb_depth_exceeds(data, size, PB_MAX_DEPTH))
    return diag_error(ST_BAD_MODEL, "the model nests messages more than %d deep", PB_MAX_DEPTH);
  m = onnx__model_proto__unpack(NULL, size, data);
  if (!m) return diag_error(ST_BAD_MODEL, "not a valid ONNX model (the protobuf does not parse)");
  if (!m->graph) {
    onnx__model_proto__free_unpacked(m, NULL);
    return diag_error(ST_BAD_MODEL, "not a valid ONNX model (no graph)");
  }
  g = ir_new();
  base_dir = path_dirname(o->model_path);
  s = build_graph(o, m, base_dir, g);
  free(base_dir);
  onnx__model_proto__free_unpacked(m, NULL);
  if (s) {
    ir_free(g);
    return s;
  }
  *out = g;
  return ST_OK;
}

void load_input_kinds(const char *model_path, int *kinds, int max, int *n) {
  unsigned char *buf;
  size_t size, i, k;
  Onnx__ModelProto *m;
  *n = 0;
  diag_set_quiet_push();
  if (file_read_all(model_path, &buf, &size) != ST_OK) {
    diag_set_quiet_pop();
    return;
  }
  diag_set_quiet_pop();
  m = size && !pb_depth_exceeds(buf, size, PB_MAX_DEPTH) ? onnx__model_proto__unpack(NULL, size, buf) : NULL;
  free(buf);
  if (!m) return;
  for (i = 0; m->graph && i < m->graph->n_input && *n < max; i++) {
    const Onnx__ValueInfoProto *vi = m->graph->input[i];
    const Onnx__TypeProto__Tensor *tt;
    int init = 0, value;
    for (k = 0; vi->name && k < m->graph->n_initializer; k++)
      init |= m->graph->initializer[k]->name && strcmp(m->graph->initializer[k]->name, vi->name) == 0;
    if (!init) kinds[(*n)++] = map_key(vi->type, &value) ? LOAD_KIND_MAP : type_kind(vi->type, &tt);
  }
  onnx__model_proto__free_unpacked(m, NULL);
}
