/* Control flow: If, Loop, Scan and SequenceMap, whose bodies are subgraphs.
 *
 * infer() gives each body's formal inputs and captures their types and
 * shapes, infers the body (the infer pass, recursively) and derives the
 * node's outputs from the body's. Dims may be symbolic (the bodies see the
 * same expressions as the outer graph). An If whose branches give tensors
 * of different shapes is refused with a message; sequences and optionals
 * from the two branches share a box type both fit (join_boxes). A Loop
 * whose body changes a carried value is inferred twice: the dims it
 * changes become the Loop's own run-time dims (set after every step), a
 * carried sequence that grows gets --max-dynamic-dim records
 * (widen_carried). A Loop with scan outputs and no constant trip count
 * makes their length a run-time dim that the loop sets when it ends
 * (bounded by --max-dynamic-dim).
 *
 * lower() records that the node is control flow; the planner plans each
 * body like a small model whose inputs and outputs are pointers it is
 * given, inside the node's scratch memory, and the backend emits the loop
 * or branch around calls of the bodies. */
#include <string.h>

#include "../passes/passes.h"
#include "../subgraph.h"
#include "../dimexpr.h"
#include "../ir_box.h"
#include "ops.h"

/* Largest constant a capture carries into a body, so that shape
 * computations on outer constants fold there; bigger outer constants are
 * read through a pointer. */
#define CAPTURE_FOLD_MAX_BYTES 4096

/* Gives every capture of `sub` the type, shape and (small) data of the
 * outer value it stands for. */
static void bind_captures(ir_graph *sub) {
  int i;
  for (i = sub->n_formal_inputs; i < sub->n_inputs; i++) {
    ir_value *v = sub->values[sub->inputs[i]];
    const ir_value *src = ir_capture_source(sub, v);
    if (!src) continue;
    ir_free_data(sub, v);
    if (src->t.data && tensor_bytes(&src->t) <= CAPTURE_FOLD_MAX_BYTES) {
      tensor_copy(&v->t, &src->t);
    } else {
      v->t = src->t;
      v->t.data = NULL;
    }
    v->box = src->box;
    /* dims known at run time (Shape's, or values read as dims) */
    ir_set_symvals(v, src->symvals, src->symvals ? (int)tensor_numel(&src->t) : 0);
  }
}

/* Formal input i of `sub` gets t's type and its shape from dim `skip` on
 * (1 for a scan slice), symbolic dims included. */
static void set_formal(ir_graph *sub, int i, const ir_tensor *t, int skip) {
  ir_value *v = sub->values[sub->inputs[i]];
  v->t.dtype = t->dtype;
  v->t.rank = t->rank - skip;
  memset(v->t.dims, 0, sizeof v->t.dims);
  memset(v->t.sym, 0, sizeof v->t.sym);
  if (v->t.rank > 0) {
    memcpy(v->t.dims, t->dims + skip, sizeof(int64_t) * (size_t)v->t.rank);
    memcpy(v->t.sym, t->sym + skip, sizeof(int) * (size_t)v->t.rank);
  }
}

/* Formal input i of `sub` gets the value v's type: a tensor's shape, or a
 * sequence's or optional's box type. */
static void set_formal_value(ir_graph *sub, int i, const ir_value *v) {
  ir_value *f = sub->values[sub->inputs[i]];
  set_formal(sub, i, &v->t, 0);
  f->box = v->box;
}

static void set_formal_scalar(ir_graph *sub, int i, int dtype) {
  ir_tensor t;
  memset(&t, 0, sizeof t);
  t.dtype = dtype;
  set_formal(sub, i, &t, 0);
}

/* Same dims, symbolic ones by expression. */
static int same_shape(const ir_tensor *a, const ir_tensor *b) {
  return a->rank == b->rank &&
         (a->rank <= 0 || (memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0 &&
                           memcmp(a->sym, b->sym, sizeof(int) * (size_t)a->rank) == 0));
}

/* The same dims but for leading 1s that one of them lacks ([] and [1],
 * [3] and [1,3]): the same bytes, told apart only by rank. */
static int same_but_leading_ones(const ir_graph *g, const ir_tensor *a, const ir_tensor *b) {
  const ir_tensor *hi = a->rank >= b->rank ? a : b, *lo = a->rank >= b->rank ? b : a;
  int d, pad = hi->rank - lo->rank;
  int64_t one;
  for (d = 0; d < pad; d++)
    if (!dx_const_value(ir_dx(g), ir_dim(g, hi, d), &one) || one != 1) return 0;
  for (d = 0; d < lo->rank; d++)
    if (ir_dim(g, hi, pad + d) != ir_dim(g, lo, d)) return 0;
  return 1;
}

/* Node output k gets the type and shape (symbolic dims included) of t. */
static void output_like(op_ctx *c, int k, const ir_tensor *t) {
  ir_value *y = op_out(c, k);
  if (!y) return;
  op_set_output(c, k, t->dtype, t->rank, t->dims);
  memcpy(y->t.sym, t->sym, sizeof y->t.sym);
}

/* Node output k gets v's type: a tensor's, or box type b (v's own when
 * b is NULL) for a sequence or optional. */
static status output_like_value(op_ctx *c, int k, const ir_value *v, const ir_box_type *b) {
  if (ir_is_boxed(v)) return op_set_box_output(c, k, b ? b : &v->box);
  output_like(c, k, &v->t);
  return ST_OK;
}

/* The box type both of a and b fit in, for values that meet in one buffer
 * (an If's branches, a Loop's entering and leaving values): the larger
 * capacity, element dims joined, an optional where either is one. With
 * `grow`, differing capacities become at least --max-dynamic-dim (a
 * sequence that grows from step to step). 0 when they cannot share. */
static int join_boxes(const op_ctx *c, const ir_box_type *a, const ir_box_type *b, int grow, ir_box_type *out) {
  *out = *a;
  if (!ir_box_join_elem(out, b) || ir_box_is_sequence(a) != ir_box_is_sequence(b)) return 0;
  if (a->kind != b->kind) out->kind = ir_box_is_sequence(a) ? VK_OPTIONAL_SEQUENCE : VK_OPTIONAL;
  out->cap = a->cap > b->cap ? a->cap : b->cap;
  if (grow && a->cap != b->cap && ir_box_is_sequence(a)) {
    if (c->g->max_dynamic_dim <= 0) return 0;
    if (out->cap < c->g->max_dynamic_dim) out->cap = c->g->max_dynamic_dim;
  }
  return ir_box_compatible(out, a) && ir_box_compatible(out, b);
}

/* Same layout and contents type (the kind may differ: a sequence and an
 * optional sequence share a layout). */
static int same_box(const ir_box_type *a, const ir_box_type *b) {
  return ir_box_is_sequence(a) == ir_box_is_sequence(b) && a->cap == b->cap && a->elem.dtype == b->elem.dtype &&
         a->elem.rank == b->elem.rank && a->var_rank == b->var_rank &&
         memcmp(a->elem.dims, b->elem.dims, sizeof a->elem.dims) == 0 && memcmp(a->var, b->var, sizeof a->var) == 0 &&
         memcmp(a->elem.sym, b->elem.sym, sizeof a->elem.sym) == 0;
}

static ir_graph *body(const op_ctx *c, const char *attr) { return ir_subgraph(c->n, attr); }

/* A formal input's declared type, where the body gives one, must match. */
static status check_declared(const op_ctx *c, const ir_graph *sub, int i, int dtype) {
  const ir_value *v = sub->values[sub->inputs[i]];
  if (v->t.dtype && v->t.dtype != dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "body input '%s' is declared %s but receives %s", v->name,
                           dtype_name(v->t.dtype), dtype_name(dtype));
  return ST_OK;
}

static status infer_body(const op_ctx *c, ir_graph *sub) {
  sub->backend = c->g->backend;
  bind_captures(sub);
  return pass_infer(sub);
}

static status scalar_input(const op_ctx *c, int k, int dtype, const char *what) {
  const ir_value *v = op_in(c, k);
  if (!v) return ST_OK;
  if (v->t.dtype != dtype || tensor_numel(&v->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must be one %s, not %s", what, dtype_name(dtype),
                           dtype_name(v->t.dtype));
  return ST_OK;
}

/* The node's run-time dim for dim d of the carried value at node input k,
 * when a Loop's body changes that dim (widen_carried): numbered after the
 * scan outputs' length (0). */
static int carried_dim_index(int k, int d) { return 1 + k * IR_MAX_RANK + d; }

/* Whether a Loop's carried tensor leaves the body with the formal input's
 * type, but perhaps for dims that are the loop's own run-time dims, which
 * the loop sets from the leaving value after each step. */
static int carried_dims_set_each_step(const op_ctx *c, const ir_graph *b, const ir_value *formal,
                                      const ir_value *leaving, int k) {
  int d;
  if (c->n->op != OP_Loop || formal->t.rank != leaving->t.rank) return 0;
  for (d = 0; d < formal->t.rank; d++) {
    int f = ir_dim(b, &formal->t, d);
    if (f != ir_dim(b, &leaving->t, d) && !op_is_data_dim(c, f, carried_dim_index(k, d))) return 0;
  }
  return 1;
}

/* Values carried from step to step (Loop's v, Scan's states): node inputs
 * in[first_in + k] enter, body outputs out[first_out + k] leave, node
 * outputs k are the final values. Their shape must not change (compared
 * by dim expression). */
static status carried_values(op_ctx *c, const ir_graph *b, int first_in, int first_out, int count, const char *what) {
  int k;
  for (k = 0; k < count; k++) {
    const ir_tensor *in = &op_in(c, first_in + k)->t, *out = &b->values[b->outputs[first_out + k]]->t;
    const ir_value *formal = b->values[b->inputs[first_in + k]], *leaving = b->values[b->outputs[first_out + k]];
    char x[200], y[200];
    if (ir_is_boxed(formal) || ir_is_boxed(leaving)) {
      /* the body reads and writes boxes of the formal input's type (the
       * entering value is a prefix of it); the result has the kind the
       * body gives (an optional that the body makes a plain sequence) */
      ir_box_type result;
      if (!ir_is_boxed(formal) || !ir_is_boxed(leaving) || !same_box(&formal->box, &leaving->box))
        return diag_node_error(ST_UNSUPPORTED, c->n,
                               "%s %d enters the body as %s and leaves it as %s; they must have one type", what, k,
                               ir_value_type_str(formal, x, sizeof x), ir_value_type_str(leaving, y, sizeof y));
      result = formal->box;
      result.kind = leaving->box.kind;
      if (op_set_box_output(c, k, &result)) return ST_UNSUPPORTED;
      continue;
    }
    if (in->dtype == out->dtype && carried_dims_set_each_step(c, b, formal, leaving, first_in + k)) {
      output_like(c, k, &formal->t);
      continue;
    }
    if (in->dtype != out->dtype || !same_shape(in, out))
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "%s %d enters as %s and leaves the body as %s; values that change shape from one step "
                             "to the next are not supported yet",
                             what, k, tensor_type_str(in, x, sizeof x), tensor_type_str(out, y, sizeof y));
    output_like(c, k, in);
  }
  return ST_OK;
}

/* Scan outputs: body outputs out[first_out + k] are slices that node
 * outputs first_node_out + k stack along a new axis 0 of length `len` (a
 * dim expression). */
static status stacked_outputs(op_ctx *c, const ir_graph *b, int first_out, int first_node_out, int count, int len) {
  int k, d;
  for (k = 0; k < count; k++) {
    const ir_tensor *slice = &b->values[b->outputs[first_out + k]]->t;
    int dims[IR_MAX_RANK];
    if (slice->rank + 1 > IR_MAX_RANK)
      return diag_node_error(ST_UNSUPPORTED, c->n, "scan output %d would have rank %d; at most %d is supported", k,
                             slice->rank + 1, IR_MAX_RANK);
    dims[0] = len;
    for (d = 0; d < slice->rank; d++) dims[1 + d] = ir_dim(b, slice, d);
    if (op_out(c, first_node_out + k)) op_set_output_exprs(c, first_node_out + k, slice->dtype, slice->rank + 1, dims);
  }
  return ST_OK;
}

/* ---- If ---- */

static status if_infer(op_ctx *c) {
  ir_graph *t = body(c, "then_branch"), *e = body(c, "else_branch");
  int k;
  status s;
  if (!t || !e) return diag_node_error(ST_BAD_MODEL, c->n, "needs then_branch and else_branch graphs");
  OP_REQUIRE_INPUT(c, 0);
  s = scalar_input(c, 0, DT_BOOL, "the condition");
  if (s) return s;
  if (op_in(c, 0)->t.data) {
    /* A constant condition: only the branch taken matters (the infer pass
     * then inlines it), and the other may well not fit these shapes. */
    ir_graph *taken = ((const unsigned char *)op_in(c, 0)->t.data)[0] ? t : e;
    s = infer_body(c, taken);
    if (s) return s;
    if (taken->n_outputs != c->n->n_out)
      return diag_node_error(ST_BAD_MODEL, c->n, "has %d outputs, but its branch gives %d", c->n->n_out,
                             taken->n_outputs);
    for (k = 0; k < c->n->n_out; k++) {
      const ir_value *from = taken->values[taken->outputs[k]];
      ir_value *y = op_out(c, k);
      if ((s = output_like_value(c, k, from, NULL)) != ST_OK) return s;
      if (y) ir_set_symvals(y, from->symvals, from->symvals ? (int)tensor_numel(&from->t) : 0);
      if (y) y->rank_pad = from->rank_pad;
      /* a constant the branch computes is one already: what reads it folds
       * in this round (an If whose condition it decides included), before
       * the If is inlined */
      if (y && from->t.data && !ir_is_boxed(from) && !y->t.data && ir_fold_alloc(c->g, y))
        memcpy(y->t.data, from->t.data, tensor_bytes(&from->t));
    }
    return ST_OK;
  }
  s = infer_body(c, t);
  if (!s) s = infer_body(c, e);
  if (s) return s;
  if (t->n_outputs != c->n->n_out || e->n_outputs != c->n->n_out)
    return diag_node_error(ST_BAD_MODEL, c->n, "has %d outputs, but its branches give %d and %d", c->n->n_out,
                           t->n_outputs, e->n_outputs);
  for (k = 0; k < c->n->n_out; k++) {
    const ir_value *av = t->values[t->outputs[k]], *bv = e->values[e->outputs[k]];
    const ir_tensor *a = &av->t, *b = &bv->t;
    char x[200], y[200];
    if (ir_is_boxed(av) || ir_is_boxed(bv)) {
      /* both branches write into one box: a type both fit */
      ir_box_type joined;
      if (!ir_is_boxed(av) || !ir_is_boxed(bv) || !join_boxes(c, &av->box, &bv->box, 0, &joined))
        return diag_node_error(ST_UNSUPPORTED, c->n,
                               "output %d is %s in then_branch but %s in else_branch; onnxcc needs them to share "
                               "one layout",
                               k, ir_value_type_str(av, x, sizeof x), ir_value_type_str(bv, y, sizeof y));
      if ((s = op_set_box_output(c, k, &joined)) != ST_OK) return s;
      continue;
    }
    if (a->dtype != b->dtype)
      return diag_node_error(ST_BAD_MODEL, c->n, "output %d is %s in then_branch but %s in else_branch", k,
                             dtype_name(a->dtype), dtype_name(b->dtype));
    if (av->rank_pad || bv->rank_pad || (!same_shape(a, b) && !same_but_leading_ones(c->g, a, b)))
      return diag_node_error(ST_UNSUPPORTED, c->n,
                             "output %d is %s in then_branch but %s in else_branch; outputs whose shape depends on "
                             "the branch taken are not supported yet",
                             k, tensor_type_str(a, x, sizeof x), tensor_type_str(b, y, sizeof y));
    output_like(c, k, a->rank >= b->rank ? a : b);
    if (op_out(c, k)) op_out(c, k)->rank_pad = a->rank > b->rank ? a->rank - b->rank : b->rank - a->rank;
  }
  return ST_OK;
}

/* A carried tensor whose dims the body changes (a value that grows, or
 * one whose dims the body computes from run-time values): each such dim of
 * the formal input becomes a run-time dim of the node, bounded by the
 * larger of the entering and leaving bounds, which the loop sets from the
 * leaving value after every step (emit_c). Returns whether any changed. */
static int widen_carried_dims(const op_ctx *c, ir_graph *b, ir_value *formal, const ir_value *leaving, int k) {
  dx_table *dx = op_dx(c);
  int d, changed = 0;
  if (formal->t.dtype != leaving->t.dtype || formal->t.rank != leaving->t.rank) return 0;
  for (d = 0; d < formal->t.rank; d++) {
    int f = ir_dim(b, &formal->t, d), e = ir_dim(b, &leaving->t, d), sym;
    int64_t bound = dx_upper(dx, f) > dx_upper(dx, e) ? dx_upper(dx, f) : dx_upper(dx, e);
    if (f == e || op_is_data_dim(c, f, carried_dim_index(k, d))) continue;
    sym = op_data_dim(c, carried_dim_index(k, d), bound > 0 ? bound : 1, "a loop-carried value's dim");
    if (sym < 0) return 0; /* no bound: carried_values reports the change */
    ir_set_dim(b, &formal->t, d, sym);
    changed = 1;
  }
  return changed;
}

/* Loop-carried sequences and optionals whose type the body changes (a
 * sequence it appends to, an optional it fills) get one type for every
 * step, wide enough for both: formal input 2 + k becomes it, and the body
 * must be inferred again. Returns whether any changed. A type that cannot
 * be widened is left for carried_values to report. */
static int widen_carried(const op_ctx *c, ir_graph *b, int carried) {
  int k, changed = 0;
  for (k = 0; k < carried; k++) {
    ir_value *formal = b->values[b->inputs[2 + k]];
    const ir_value *leaving = b->values[b->outputs[1 + k]];
    ir_box_type joined;
    if (!ir_is_boxed(formal) && !ir_is_boxed(leaving)) {
      changed |= widen_carried_dims(c, b, formal, leaving, 2 + k);
      continue;
    }
    if (!ir_is_boxed(formal) || !ir_is_boxed(leaving) || same_box(&formal->box, &leaving->box)) continue;
    if (!join_boxes(c, &formal->box, &leaving->box, 1, &joined) || !ir_box_compatible(&joined, &op_in(c, 2 + k)->box))
      continue;
    if (!ir_box_set(formal, &joined)) continue;
    changed = 1;
  }
  return changed;
}

/* ---- Loop ----
 * inputs: M (trip count, optional), cond (optional), v_initial...
 * body:   (iteration_num, cond_in, v_in...) -> (cond_out, v_out..., scan...)
 * node:   v_final..., scan outputs stacked along a new first axis. */

static status loop_infer(op_ctx *c) {
  ir_graph *b = body(c, "body");
  const ir_node *n = c->n;
  int n_in = n->n_in - n->n_implicit, carried = n_in - 2, k, n_scan;
  const ir_value *m = op_in(c, 0);
  int64_t trips;
  status s;
  if (!b) return diag_node_error(ST_BAD_MODEL, n, "needs a body graph");
  if (carried < 0) return diag_node_error(ST_BAD_MODEL, n, "needs the M and cond inputs (either may be empty)");
  if (b->n_formal_inputs != carried + 2)
    return diag_node_error(ST_BAD_MODEL, n, "body takes %d inputs; with %d loop-carried values it must take %d",
                           b->n_formal_inputs, carried, carried + 2);
  n_scan = b->n_outputs - 1 - carried;
  if (n_scan < 0 || n->n_out != carried + n_scan)
    return diag_node_error(ST_BAD_MODEL, n, "body gives %d outputs and the node has %d, for %d loop-carried values",
                           b->n_outputs, n->n_out, carried);
  s = scalar_input(c, 0, DT_INT64, "the trip count M");
  if (!s) s = scalar_input(c, 1, DT_BOOL, "the condition");
  if (s) return s;
  s = check_declared(c, b, 0, DT_INT64);
  if (!s) s = check_declared(c, b, 1, DT_BOOL);
  if (s) return s;
  set_formal_scalar(b, 0, DT_INT64);
  set_formal_scalar(b, 1, DT_BOOL);
  for (k = 0; k < carried; k++) {
    const ir_value *v = op_in(c, 2 + k);
    if (!v) return diag_node_error(ST_BAD_MODEL, n, "loop-carried input %d is empty", k);
    if (!ir_is_boxed(v)) s = check_declared(c, b, 2 + k, v->t.dtype);
    if (s) return s;
    set_formal_value(b, 2 + k, v);
  }
  s = infer_body(c, b);
  if (!s && widen_carried(c, b, carried)) s = infer_body(c, b);
  if (s) return s;
  {
    const ir_tensor *cond_out = &b->values[b->outputs[0]]->t;
    if (cond_out->dtype != DT_BOOL || tensor_numel(cond_out) != 1)
      return diag_node_error(ST_BAD_MODEL, n, "body output 0 (the condition) must be one bool");
  }
  s = carried_values(c, b, 2, 1, carried, "loop-carried value");
  if (s) return s;
  if (n_scan > 0 && (!m || !m->t.data)) {
    /* the scan outputs are as long as the loop runs: a run-time dim that
     * the loop itself gives, bounded by --max-dynamic-dim */
    int len = op_data_dim(c, 0, 0, "the number of iterations, which is the length of the scan outputs,");
    if (len < 0) return ST_UNSUPPORTED;
    return stacked_outputs(c, b, 1 + carried, carried, n_scan, len);
  }
  trips = n_scan && tensor_int(&m->t, 0) > 0 ? tensor_int(&m->t, 0) : 0;
  return stacked_outputs(c, b, 1 + carried, carried, n_scan, dx_const(op_dx(c), trips));
}

/* ---- Scan before opset 9 ----
 * inputs: sequence_lens (optional, [B] int64), N initial states [B, ...],
 *         num_scan_inputs sequences [B, S, ...] scanned along axis 1,
 *         forward or reversed (`directions`).
 * body:   as from opset 9, on one batch entry: (state_in..., slice...)
 *         -> (state_out..., out_slice...)
 * node:   N final states [B, ...], then the output slices stacked into
 *         [B, S, ...].
 * The backend runs the opset-9 step loop once per batch entry (emit_c's
 * emit_scan8), with pointers offset to that entry; sequence_lens is read
 * at run time (steps past an entry's length leave zero rows, as
 * onnxruntime does). */

static status scan8_infer(op_ctx *c) {
  ir_graph *b = body(c, "body");
  const ir_node *n = c->n;
  int n_in = n->n_in - n->n_implicit, n_scan_in = (int)attr_int(n, "num_scan_inputs", 0);
  int states = n_in - 1 - n_scan_in, n_scan_out, k, batch = -1, len = -1;
  const int64_t *dirs;
  int n_dirs = attr_ints(n, "directions", &dirs);
  const ir_value *lens = n_in > 0 ? op_in(c, 0) : NULL;
  status s;
  if (!b) return diag_node_error(ST_BAD_MODEL, n, "needs a body graph");
  if (n_scan_in < 1 || states < 0)
    return diag_node_error(ST_BAD_MODEL, n, "num_scan_inputs is %d with %d inputs (sequence_lens included)", n_scan_in,
                           n_in);
  if (n_dirs >= 0 && n_dirs != n_scan_in) /* -1: absent, all forward */
    return diag_node_error(ST_BAD_MODEL, n, "directions has %d entries for %d scan inputs", n_dirs, n_scan_in);
  for (k = 0; k < n_dirs; k++)
    if (dirs[k] != 0 && dirs[k] != 1) return diag_node_error(ST_BAD_MODEL, n, "directions must be 0 or 1");
  if (b->n_formal_inputs != n_in - 1)
    return diag_node_error(ST_BAD_MODEL, n, "body takes %d inputs but the node has %d besides sequence_lens",
                           b->n_formal_inputs, n_in - 1);
  n_scan_out = b->n_outputs - states;
  if (n_scan_out < 0 || n->n_out != b->n_outputs)
    return diag_node_error(ST_BAD_MODEL, n, "body gives %d outputs and the node has %d", b->n_outputs, n->n_out);
  /* batch and sequence length from the scan inputs, which must agree */
  for (k = 1 + states; k < n_in; k++) {
    const ir_value *v = op_in(c, k);
    if (!v) return diag_node_error(ST_BAD_MODEL, n, "input %d is empty", k);
    if (v->t.rank < 2)
      return diag_node_error(ST_BAD_MODEL, n, "scan input %d has rank %d; it needs a batch and a sequence axis",
                             k - 1 - states, v->t.rank);
    if (batch < 0) {
      batch = ir_dim(c->g, &v->t, 0);
      len = ir_dim(c->g, &v->t, 1);
    } else if ((s = op_check_equal(c, batch, ir_dim(c->g, &v->t, 0), "the scan inputs' batch sizes")) != ST_OK ||
               (s = op_check_equal(c, len, ir_dim(c->g, &v->t, 1), "the scan inputs' sequence lengths")) != ST_OK) {
      return s;
    }
  }
  if (lens) {
    if (lens->t.dtype != DT_INT64 || lens->t.rank != 1)
      return diag_node_error(ST_BAD_MODEL, n, "sequence_lens must be a 1-D int64 tensor, not %s of rank %d",
                             dtype_name(lens->t.dtype), lens->t.rank);
    if ((s = op_check_equal(c, batch, ir_dim(c->g, &lens->t, 0), "sequence_lens' length and the batch size")) != ST_OK)
      return s;
  }
  for (k = 1; k < n_in; k++) {
    const ir_value *v = op_in(c, k);
    if (!v) return diag_node_error(ST_BAD_MODEL, n, "input %d is empty", k);
    s = check_declared(c, b, k - 1, v->t.dtype);
    if (s) return s;
    if (k <= states) {
      if (v->t.rank < 1) return diag_node_error(ST_BAD_MODEL, n, "initial state %d is a scalar, without a batch axis", k - 1);
      if ((s = op_check_equal(c, batch, ir_dim(c->g, &v->t, 0), "an initial state's batch size")) != ST_OK) return s;
    }
    set_formal(b, k - 1, &v->t, k <= states ? 1 : 2);
  }
  s = infer_body(c, b);
  if (s) return s;
  /* the states: a body output like its input slice; the node's final
   * states like its initial ones */
  for (k = 0; k < states; k++) {
    const ir_tensor *in = &b->values[b->inputs[k]]->t, *out = &b->values[b->outputs[k]]->t;
    char x[200], y[200];
    if (in->dtype != out->dtype || !same_shape(in, out))
      return diag_node_error(ST_UNSUPPORTED, n,
                             "state %d enters as %s and leaves the body as %s; values that change shape from one step "
                             "to the next are not supported yet",
                             k, tensor_type_str(in, x, sizeof x), tensor_type_str(out, y, sizeof y));
    output_like(c, k, &op_in(c, 1 + k)->t);
  }
  for (k = 0; k < n_scan_out; k++) {
    const ir_tensor *slice = &b->values[b->outputs[states + k]]->t;
    int dims[IR_MAX_RANK], d;
    if (slice->rank + 2 > IR_MAX_RANK)
      return diag_node_error(ST_UNSUPPORTED, n, "scan output %d would have rank %d; at most %d is supported", k,
                             slice->rank + 2, IR_MAX_RANK);
    dims[0] = batch;
    dims[1] = len;
    for (d = 0; d < slice->rank; d++) dims[2 + d] = ir_dim(b, slice, d);
    if (op_out(c, states + k)) op_set_output_exprs(c, states + k, slice->dtype, slice->rank + 2, dims);
  }
  return ST_OK;
}

/* ---- Scan (opset 9 and later) ----
 * inputs: N initial states, then num_scan_inputs sequences, sliced along
 *         axis 0 (the only axis supported for now), forward or reversed.
 * body:   (state_in..., slice...) -> (state_out..., out_slice...)
 * node:   N final states, then the output slices stacked along axis 0. */

static status axes_all_zero(const op_ctx *c, const char *attr) {
  const int64_t *v;
  int n = attr_ints(c->n, attr, &v), k;
  for (k = 0; k < n; k++)
    if (v[k] != 0)
      return diag_node_error(ST_UNSUPPORTED, c->n, "%s other than 0 are not supported yet", attr);
  return ST_OK;
}

static status scan_infer(op_ctx *c) {
  ir_graph *b = body(c, "body");
  const ir_node *n = c->n;
  int n_in = n->n_in - n->n_implicit, n_scan_in = (int)attr_int(n, "num_scan_inputs", 0);
  int states = n_in - n_scan_in, n_scan_out, k, len = -1;
  status s;
  if (c->opset < 9) return scan8_infer(c);
  if (!b) return diag_node_error(ST_BAD_MODEL, n, "needs a body graph");
  if (n_scan_in < 1 || states < 0)
    return diag_node_error(ST_BAD_MODEL, n, "num_scan_inputs is %d with %d inputs", n_scan_in, n_in);
  s = axes_all_zero(c, "scan_input_axes");
  if (!s) s = axes_all_zero(c, "scan_output_axes");
  if (s) return s;
  if (b->n_formal_inputs != n_in)
    return diag_node_error(ST_BAD_MODEL, n, "body takes %d inputs but the node has %d", b->n_formal_inputs, n_in);
  n_scan_out = b->n_outputs - states;
  if (n_scan_out < 0 || n->n_out != b->n_outputs)
    return diag_node_error(ST_BAD_MODEL, n, "body gives %d outputs and the node has %d", b->n_outputs, n->n_out);
  for (k = 0; k < n_in; k++) {
    const ir_value *v = op_in(c, k);
    if (!v) return diag_node_error(ST_BAD_MODEL, n, "input %d is empty", k);
    s = check_declared(c, b, k, v->t.dtype);
    if (s) return s;
    if (k < states) {
      set_formal(b, k, &v->t, 0);
      continue;
    }
    if (v->t.rank < 1) return diag_node_error(ST_BAD_MODEL, n, "scan input %d is a scalar", k - states);
    if (len >= 0 && (s = op_check_equal(c, len, ir_dim(c->g, &v->t, 0), "the scan inputs' lengths")) != ST_OK)
      return s;
    if (len < 0) len = ir_dim(c->g, &v->t, 0);
    set_formal(b, k, &v->t, 1);
  }
  s = infer_body(c, b);
  if (s) return s;
  s = carried_values(c, b, 0, 0, states, "state");
  if (s) return s;
  return stacked_outputs(c, b, states, states, n_scan_out, len);
}

/* ---- SequenceMap ----
 * inputs: input_sequence, then more sequences (as long) or tensors
 * body:   one element of each sequence, each tensor whole -> tensors
 * node:   one sequence per body output, element i from step i.
 * An element's dims that differ between elements are symbols of the body
 * (run-time dims of the node, op_data_dim) that the map sets from the
 * element's record before each step. */

static status map_infer(op_ctx *c) {
  ir_graph *b = body(c, "body");
  const ir_node *n = c->n;
  int n_in = n->n_in - n->n_implicit, k, d, j = 0;
  status s;
  if (!b) return diag_node_error(ST_BAD_MODEL, n, "needs a body graph");
  if (b->n_formal_inputs != n_in || b->n_outputs != n->n_out)
    return diag_node_error(ST_BAD_MODEL, n, "body takes %d inputs and gives %d outputs; the node has %d and %d",
                           b->n_formal_inputs, b->n_outputs, n_in, n->n_out);
  if (!op_in(c, 0) || op_in(c, 0)->box.kind != VK_SEQUENCE)
    return diag_node_error(ST_BAD_MODEL, n, "input 0 must be a sequence");
  for (k = 0; k < n_in; k++) {
    const ir_value *v = op_in(c, k);
    ir_value *f;
    if (!v) return diag_node_error(ST_BAD_MODEL, n, "input %d is empty", k);
    if (!ir_is_boxed(v)) {
      set_formal_value(b, k, v);
      continue;
    }
    if (v->box.kind != VK_SEQUENCE) return diag_node_error(ST_BAD_MODEL, n, "input %d is an optional", k);
    if (v->box.elem.rank < 0) return diag_node_error(ST_BAD_MODEL, n, "input %d is always empty", k);
    if (v->box.var_rank)
      return diag_node_error(ST_UNSUPPORTED, n, "input %d holds elements of differing rank, which a body cannot take", k);
    set_formal(b, k, &v->box.elem, 0);
    f = b->values[b->inputs[k]];
    memset(&f->box, 0, sizeof f->box);
    for (d = 0; d < v->box.elem.rank; d++) {
      int e;
      if (!v->box.var[d]) continue;
      e = op_data_dim(c, j++, v->box.elem.dims[d] > 0 ? v->box.elem.dims[d] : 1, "an element's dim");
      if (e < 0) return ST_UNSUPPORTED;
      ir_set_dim(b, &f->t, d, e);
    }
  }
  s = infer_body(c, b);
  if (s) return s;
  for (k = 0; k < n->n_out; k++) {
    const ir_value *y = b->values[b->outputs[k]];
    ir_box_type out;
    if (ir_is_boxed(y)) return diag_node_error(ST_UNSUPPORTED, n, "body output %d is not a tensor", k);
    memset(&out, 0, sizeof out);
    out.kind = VK_SEQUENCE;
    out.cap = op_in(c, 0)->box.cap;
    ir_box_elem_from(b, &out, &y->t);
    if ((s = op_set_box_output(c, k, &out)) != ST_OK) return s;
  }
  return ST_OK;
}

static status control_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_If: return if_infer(c);
  case OP_Loop: return loop_infer(c);
  case OP_SequenceMap: return map_infer(c);
  default: return scan_infer(c);
  }
}

static status control_lower(op_ctx *c, lowered *l) {
  int k;
  l->kernel = l->view_of = l->inplace_of = l->prepare = -1;
  l->control = 1;
  if (c->n->op != OP_Loop) return ST_OK;
  /* a Loop's scan outputs as long as it runs: the backend sets the dim */
  for (k = 0; k < c->n->n_out; k++) {
    const ir_value *y = op_out(c, k);
    if (y && y->t.rank > 0 && op_is_data_dim(c, ir_dim(c->g, &y->t, 0), 0)) {
      l->defines_after = 1;
      if (op_define(c, l, ir_dim(c->g, &y->t, 0))) return ST_INTERNAL;
      break;
    }
  }
  /* carried dims the body changes: set after every step (after the
   * length, which emit_c finds as defines[0]) */
  {
    const ir_graph *b = ir_subgraph(c->n, "body");
    int carried = c->n->n_in - c->n->n_implicit - 2, d;
    for (k = 0; b && k < carried; k++) {
      const ir_tensor *f = &b->values[b->inputs[2 + k]]->t;
      for (d = 0; !ir_is_boxed(b->values[b->inputs[2 + k]]) && d < f->rank; d++)
        if (op_is_data_dim(c, ir_dim(b, f, d), carried_dim_index(2 + k, d)) && op_define(c, l, ir_dim(b, f, d)))
          return ST_INTERNAL;
    }
  }
  return ST_OK;
}

const op_family op_family_control = {control_infer, control_lower, 1, 1};
