/* Sequences and optionals (ir_box.h): SequenceEmpty, SequenceInsert,
 * SequenceErase, SequenceAt, SequenceLength, SplitToSequence,
 * ConcatFromSequence, Optional, OptionalHasElement, OptionalGetElement;
 * SequenceConstruct is rewritten by legalize into SequenceEmpty and one
 * SequenceInsert per tensor. Kernels: kernels/sequence.h.
 *
 * A box type bounds how many elements a value may hold (cap) and each
 * element dim. An insert adds a record; where the sequence grows in a loop
 * the Loop widens its carried type to --max-dynamic-dim records, and an
 * insert into a box of at least that many keeps the size (the kernel
 * refuses to overfill it at run time). Tensors read out of a box get
 * run-time dims where elements differ (defines_after). */
#include <string.h>

#include "../dimexpr.h"
#include "../ir_box.h"
#include "ops.h"

static status need_sequence(const op_ctx *c, int k) {
  const ir_value *v = op_in(c, k);
  if (!v || v->box.kind != VK_SEQUENCE)
    return diag_node_error(ST_BAD_MODEL, c->n, "input %d must be a sequence", k);
  return ST_OK;
}

static status need_tensor(const op_ctx *c, int k) {
  const ir_value *v = op_in(c, k);
  if (!v || ir_is_boxed(v)) return diag_node_error(ST_BAD_MODEL, c->n, "input %d must be a tensor", k);
  if (dtype_size(v->t.dtype) == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(v->t.dtype));
  return ST_OK;
}

/* A position input (optional): one int32 or int64. */
static status check_position(const op_ctx *c, int k) {
  const ir_value *v = op_in(c, k);
  if (!v) return ST_OK;
  if (ir_is_boxed(v) || (v->t.dtype != DT_INT32 && v->t.dtype != DT_INT64) || tensor_numel(&v->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "input %d (the position) must be one int32 or int64", k);
  return ST_OK;
}

/* How many records an insert's output needs: one more, unless the input
 * already holds --max-dynamic-dim (a sequence that grows in a loop). */
static int64_t grown_cap(const op_ctx *c, int64_t cap) {
  int64_t limit = c->g->max_dynamic_dim;
  return limit > 0 && cap >= limit ? cap : cap + 1;
}

/* ---- infer ---- */

static status empty_infer(op_ctx *c) {
  ir_box_type b;
  memset(&b, 0, sizeof b);
  b.kind = VK_SEQUENCE;
  b.elem.rank = -1;
  b.elem.dtype = (int)attr_int(c->n, "dtype", DT_FLOAT);
  if (dtype_size(b.elem.dtype) == 0)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported", dtype_name(b.elem.dtype));
  return op_set_box_output(c, 0, &b);
}

/* The element type after adding tensors like t to box type b. */
static status join_tensor(const op_ctx *c, ir_box_type *b, const ir_tensor *t) {
  ir_box_type one;
  char x[200], y[200];
  memset(&one, 0, sizeof one);
  ir_box_elem_from(c->g, &one, t);
  if (!ir_box_join_elem(b, &one))
    return diag_node_error(ST_BAD_MODEL, c->n, "cannot add a %s to %s: elements must share element type and rank",
                           tensor_type_str(t, x, sizeof x), ir_box_type_str(b, y, sizeof y));
  return ST_OK;
}

static status insert_infer(op_ctx *c) {
  ir_box_type b;
  status s = need_sequence(c, 0);
  if (!s) s = need_tensor(c, 1);
  if (!s) s = check_position(c, 2);
  if (s) return s;
  b = op_in(c, 0)->box;
  s = join_tensor(c, &b, &op_in(c, 1)->t);
  if (s) return s;
  b.cap = grown_cap(c, b.cap);
  return op_set_box_output(c, 0, &b);
}

static status erase_infer(op_ctx *c) {
  ir_box_type b;
  status s = need_sequence(c, 0);
  if (!s) s = check_position(c, 1);
  if (s) return s;
  b = op_in(c, 0)->box;
  if (b.cap == 0) return diag_node_error(ST_BAD_MODEL, c->n, "erases from a sequence that is always empty");
  return op_set_box_output(c, 0, &b);
}

/* A tensor's rank must be known when the model is compiled. */
static status refuse_var_rank(const op_ctx *c, const ir_box_type *b) {
  char x[200];
  return diag_node_error(ST_UNSUPPORTED, c->n, "reads a tensor from %s, whose elements differ in rank",
                         ir_box_type_str(b, x, sizeof x));
}

/* A tensor output shaped like the elements of box type b: exact dims stay,
 * the others become run-time dims the kernel reports. */
static status element_output(op_ctx *c, int k, const ir_box_type *b) {
  int exprs[IR_MAX_RANK], d, j = 0;
  if (b->elem.rank < 0) return diag_node_error(ST_BAD_MODEL, c->n, "reads from a value that never holds an element");
  if (b->var_rank) return refuse_var_rank(c, b);
  for (d = 0; d < b->elem.rank; d++) {
    if (!b->var[d]) {
      exprs[d] = b->elem.sym[d] ? b->elem.sym[d] - 1 : dx_const(op_dx(c), b->elem.dims[d]);
      continue;
    }
    exprs[d] = op_data_dim(c, j++, b->elem.dims[d] > 0 ? b->elem.dims[d] : 1, "an element's dim");
    if (exprs[d] < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, k, b->elem.dtype, b->elem.rank, exprs);
  return ST_OK;
}

static status at_infer(op_ctx *c) {
  status s = need_sequence(c, 0);
  if (!s) s = check_position(c, 1);
  if (!s) OP_REQUIRE_INPUT(c, 1);
  if (s) return s;
  return element_output(c, 0, &op_in(c, 0)->box);
}

static status length_infer(op_ctx *c) {
  status s = need_sequence(c, 0);
  if (s) return s;
  op_set_output(c, 0, DT_INT64, 0, NULL);
  return ST_OK;
}

/* SplitToSequence: the pieces and their largest size along the axis. */
static status split_pieces(const op_ctx *c, const ir_tensor *x, int axis, int64_t *count, int64_t *largest,
                           int *exact) {
  const ir_value *split = op_in(c, 1);
  int64_t len = x->dims[axis];
  *exact = !x->sym[axis];
  if (!split) {
    *count = len;
    *largest = len ? 1 : 0;
    return ST_OK;
  }
  if (ir_is_boxed(split) || (split->t.dtype != DT_INT32 && split->t.dtype != DT_INT64) || split->t.rank > 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "split must be an int32 or int64 scalar or 1-D tensor");
  if (split->t.rank == 1) {
    int64_t k, most = 0;
    *count = split->t.dims[0];
    for (k = 0; split->t.data && k < *count; k++)
      if (tensor_int(&split->t, k) > most) most = tensor_int(&split->t, k);
    *largest = split->t.data ? (most < len ? most : len) : len;
    *exact = *exact && split->t.data && *count > 0;
    for (k = 1; *exact && k < *count; k++) *exact = tensor_int(&split->t, k) == tensor_int(&split->t, 0);
    return ST_OK;
  }
  if (split->t.data && tensor_int(&split->t, 0) >= 1) {
    int64_t piece = tensor_int(&split->t, 0);
    *largest = piece < len ? piece : len;
    *count = (len + piece - 1) / piece;
    *exact = *exact && len % piece == 0;
    return ST_OK;
  }
  *count = len; /* a piece length read at run time: at least 1 */
  *largest = len;
  *exact = 0;
  return ST_OK;
}

static status split_axis(const op_ctx *c, const ir_tensor *x, int *axis) {
  return op_axis(c, attr_int(c->n, "axis", 0), x->rank, axis);
}

static status split_infer(op_ctx *c) {
  const ir_tensor *x;
  ir_box_type b;
  int axis, exact, d, o = 0, keep;
  int64_t count = 0, largest = 0;
  status s = need_tensor(c, 0);
  if (s) return s;
  x = &op_in(c, 0)->t;
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "input 0 must have rank 1 or more");
  if ((s = split_axis(c, x, &axis)) != ST_OK || (s = split_pieces(c, x, axis, &count, &largest, &exact)) != ST_OK)
    return s;
  keep = op_in(c, 1) || attr_int(c->n, "keepdims", 1);
  memset(&b, 0, sizeof b);
  b.kind = VK_SEQUENCE;
  b.cap = count;
  b.elem.dtype = x->dtype;
  for (d = 0; d < x->rank; d++) {
    if (d == axis && !keep) continue;
    b.elem.dims[o] = d == axis ? largest : x->dims[d];
    if (d != axis) b.elem.sym[o] = x->sym[d];
    b.var[o] = (unsigned char)(d == axis && !exact);
    o++;
  }
  b.elem.rank = o;
  /* the other dims as every piece has them (run-time ones per element) */
  {
    ir_box_type uniform = b;
    ir_box_elem_from(c->g, &uniform, &b.elem);
    for (d = 0; d < o; d++) {
      b.elem.sym[d] = uniform.elem.sym[d];
      b.var[d] |= uniform.var[d];
    }
  }
  return op_set_box_output(c, 0, &b);
}

static status concat_infer(op_ctx *c) {
  const ir_box_type *b;
  int axis, new_axis = (int)attr_int(c->n, "new_axis", 0), rank, d, j = 0, exprs[IR_MAX_RANK];
  status s = need_sequence(c, 0);
  if (s) return s;
  b = &op_in(c, 0)->box;
  if (b->elem.rank < 0 || b->cap == 0)
    return diag_node_error(ST_BAD_MODEL, c->n, "concatenates a sequence that is always empty");
  if (b->var_rank) return refuse_var_rank(c, b);
  rank = b->elem.rank + (new_axis ? 1 : 0);
  if (rank > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "the output would have rank %d", rank);
  if ((s = op_axis(c, attr_int(c->n, "axis", 0), rank, &axis)) != ST_OK) return s;
  if (!new_axis && rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "cannot concatenate scalars without new_axis");
  for (d = 0; d < rank; d++) {
    int64_t bound;
    if (d == axis) {
      bound = new_axis ? b->cap : b->cap * b->elem.dims[axis];
    } else {
      int e = new_axis && d > axis ? d - 1 : d; /* the element's dim */
      if (!b->var[e]) {
        exprs[d] = b->elem.sym[e] ? b->elem.sym[e] - 1 : dx_const(op_dx(c), b->elem.dims[e]);
        continue;
      }
      bound = b->elem.dims[e];
    }
    if (d != axis && bound == 0) bound = 1;
    exprs[d] = bound > 0 ? op_data_dim(c, j++, bound, "the concatenation's length") : dx_const(op_dx(c), 0);
    if (exprs[d] < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, b->elem.dtype, rank, exprs);
  return ST_OK;
}

static status optional_infer(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  const ir_attr *type = ir_attr_find(c->n, "type");
  ir_box_type b;
  memset(&b, 0, sizeof b);
  if (!x) {
    /* an empty optional of the type the attribute names: no record */
    if (!type || type->type != ATTR_TYPE_PROTO || (type->type_kind != VK_TENSOR && type->type_kind != VK_SEQUENCE))
      return diag_node_error(ST_BAD_MODEL, c->n, "without an input it needs a 'type' attribute: a tensor or sequence type");
    b.kind = type->type_kind == VK_TENSOR ? VK_OPTIONAL : VK_OPTIONAL_SEQUENCE;
    b.elem.rank = -1;
    b.elem.dtype = type->type_dtype;
    return op_set_box_output(c, 0, &b);
  }
  if (x->box.kind == VK_SEQUENCE) {
    b = x->box;
    b.kind = VK_OPTIONAL_SEQUENCE;
    return op_set_box_output(c, 0, &b);
  }
  if (ir_is_boxed(x)) return diag_node_error(ST_BAD_MODEL, c->n, "input 0 is already optional");
  if (need_tensor(c, 0)) return ST_BAD_MODEL;
  b.kind = VK_OPTIONAL;
  b.cap = 1;
  ir_box_elem_from(c->g, &b, &x->t);
  return op_set_box_output(c, 0, &b);
}

static status has_element_infer(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  ir_value *y = op_out(c, 0);
  op_set_output(c, 0, DT_BOOL, 0, NULL);
  if (x && (x->box.kind == VK_OPTIONAL || x->box.kind == VK_OPTIONAL_SEQUENCE)) return ST_OK;
  /* a tensor or sequence is always there, an absent input never: known now */
  if (y && !y->t.data && !ir_fold_alloc(c->g, y)) return ST_INTERNAL;
  if (y) *(unsigned char *)y->t.data = x != NULL;
  return ST_OK;
}

static status get_element_infer(op_ctx *c) {
  const ir_value *x = op_in(c, 0);
  ir_box_type b;
  OP_REQUIRE_INPUT(c, 0);
  if (!ir_is_boxed(x) || x->box.kind == VK_SEQUENCE) {
    op_same_as_input(c, 0, 0); /* a tensor or sequence: itself */
    return ST_OK;
  }
  if (x->box.kind == VK_OPTIONAL) return element_output(c, 0, &x->box);
  b = x->box;
  b.kind = VK_SEQUENCE;
  return op_set_box_output(c, 0, &b);
}

static status sequence_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_SequenceEmpty: return empty_infer(c);
  case OP_SequenceInsert: return insert_infer(c);
  case OP_SequenceErase: return erase_infer(c);
  case OP_SequenceAt: return at_infer(c);
  case OP_SequenceLength: return length_infer(c);
  case OP_SplitToSequence: return split_infer(c);
  case OP_ConcatFromSequence: return concat_infer(c);
  case OP_Optional: return optional_infer(c);
  case OP_OptionalHasElement: return has_element_infer(c);
  case OP_OptionalGetElement: return get_element_infer(c);
  default: /* SequenceConstruct: legalize rewrites every one it can */
    return diag_node_error(ST_BAD_MODEL, c->n, "needs at least one tensor input, all of one element type");
  }
}

/* ---- lower ---- */

/* The params every box kernel shares: record sizes, capacity, element
 * size and rank, from the node's box input and box output (either may be
 * NULL or a tensor). */
static rt_box_params *box_params(lowered *l, int kernel, const ir_value *in, const ir_value *out) {
  rt_box_params *p = lowered_init(l, kernel, sizeof(rt_box_params));
  const ir_box_type *b = out && ir_is_boxed(out) ? &out->box : &in->box;
  if (in && ir_is_boxed(in)) p->in_rec = ir_box_record_bytes(&in->box);
  if (out && ir_is_boxed(out)) {
    p->out_rec = ir_box_record_bytes(&out->box);
    p->out_cap = out->box.cap;
  }
  p->esize = (int64_t)dtype_size(b->elem.dtype);
  p->rank = b->elem.rank < 0 ? 0 : b->elem.rank;
  if (in && ir_is_boxed(in)) p->in_rank = in->box.var_rank ? -1 : in->box.elem.rank < 0 ? 0 : in->box.elem.rank;
  return p;
}

/* The kernel reports the dims of out[0] that are run-time dims. */
static status define_element_dims(const op_ctx *c, lowered *l, rt_box_params *p) {
  const ir_tensor *y = &op_out(c, 0)->t;
  status s = op_define_data_dims(c, l, y, &p->mask);
  if (!s && l->n_defines) l->defines_after = 1;
  return s;
}

static int position_is_int32(const op_ctx *c, int k) { return op_in(c, k) && op_in(c, k)->t.dtype == DT_INT32; }

static status lower_node(op_ctx *c, lowered *l) {
  const ir_value *x = op_in(c, 0), *y = op_out(c, 0);
  rt_box_params *p;
  switch (c->n->op) {
  case OP_SequenceEmpty:
    p = box_params(l, K_rt_box_empty, NULL, y);
    p->present = 1;
    return ST_OK;
  case OP_SequenceInsert:
    p = box_params(l, K_rt_box_insert, x, y);
    p->rank = op_in(c, 1)->t.rank; /* the output's may be larger (var_rank) */
    op_bind_dims(c, l, p->dims, &op_in(c, 1)->t);
    p->pos_int32 = position_is_int32(c, 2);
    return ST_OK;
  case OP_SequenceErase:
    p = box_params(l, K_rt_box_erase, x, y);
    p->pos_int32 = position_is_int32(c, 1);
    return ST_OK;
  case OP_SequenceAt:
    p = box_params(l, K_rt_box_at, x, NULL);
    p->pos_int32 = position_is_int32(c, 1);
    return define_element_dims(c, l, p);
  case OP_SequenceLength:
    box_params(l, K_rt_box_length, x, NULL);
    return ST_OK;
  case OP_SplitToSequence: {
    int axis;
    const ir_value *split = op_in(c, 1);
    p = box_params(l, K_rt_split_to_sequence, NULL, y);
    p->esize = (int64_t)dtype_size(x->t.dtype);
    p->rank = x->t.rank;
    op_bind_dims(c, l, p->dims, &x->t);
    if (split_axis(c, &x->t, &axis)) return ST_BAD_MODEL;
    p->axis = axis;
    p->keepdims = (int32_t)attr_int(c->n, "keepdims", 1);
    p->n_split = split && split->t.rank == 1 ? split->t.dims[0] : 0;
    p->pos_int32 = position_is_int32(c, 1);
    return ST_OK;
  }
  case OP_ConcatFromSequence: {
    int axis, new_axis = (int)attr_int(c->n, "new_axis", 0);
    p = box_params(l, K_rt_concat_from_sequence, x, NULL);
    if (op_axis(c, attr_int(c->n, "axis", 0), x->box.elem.rank + (new_axis ? 1 : 0), &axis)) return ST_BAD_MODEL;
    p->axis = axis;
    p->new_axis = new_axis != 0;
    return define_element_dims(c, l, p);
  }
  case OP_Optional:
    if (!x) {
      p = box_params(l, K_rt_box_empty, NULL, y);
      p->present = 0;
    } else if (ir_is_boxed(x)) {
      p = box_params(l, K_rt_box_copy, x, y);
      p->mode = 2;
    } else {
      p = box_params(l, K_rt_box_insert, NULL, y);
      p->mode = 1; /* in[0] is the tensor, there is no box yet */
      p->present = 1;
      op_bind_dims(c, l, p->dims, &x->t);
    }
    return ST_OK;
  case OP_OptionalHasElement:
    box_params(l, K_rt_box_has, x, NULL);
    return ST_OK;
  default: /* OptionalGetElement */
    if (!ir_is_boxed(x) || x->box.kind == VK_SEQUENCE) {
      rt_copy_params *q = LOWER(l, rt_copy, rt_copy_params);
      op_bind(c, l, &q->bytes, dx_mul(op_dx(c), ir_dims_product(c->g, &x->t, 0, x->t.rank),
                                      dx_const(op_dx(c), (int64_t)dtype_size(x->t.dtype))));
      l->view_of = 0;
      return ST_OK;
    }
    if (x->box.kind == VK_OPTIONAL) {
      p = box_params(l, K_rt_box_at, x, NULL);
      return define_element_dims(c, l, p);
    }
    p = box_params(l, K_rt_box_copy, x, y);
    p->mode = 1;
    return ST_OK;
  }
}

static status sequence_lower(op_ctx *c, lowered *l) {
  status s = lower_node(c, l);
  /* every box kernel may refuse a run-time value (lowered_init cleared it) */
  l->status_slot = l->kernel != K_rt_copy;
  return s;
}

const op_family op_family_sequence = {sequence_infer, sequence_lower, 1, 1};
