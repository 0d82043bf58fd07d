/* lift-1d: 1-D convolutions and pools, and the element-wise ops between
 * them, become 2-D ones of height 1 ([N, C, W] -> [N, C, 1, W]).
 *
 * The 2-D kernels are where the work went: the blocked layout
 * (layout-nchwc: its stem for a first conv of a few channels, its blocked
 * convs, pools and fused epilogues), the depthwise kernels, the threads.
 * A 1-D conv ran through the generic im2col GEMM instead: the first conv
 * of tests/models/audio_cnn1d (1 input channel, 80 taps, stride 4) built
 * an 80 x 400 unfolded matrix and multiplied it in a GEMM of 16 rows, and
 * the model took 0.050-0.076 ms where the same network written in 2-D
 * took 0.023-0.030 (`onnxcc run`, 2000 runs, three alternations). Lifting
 * the graph instead of teaching every 2-D kernel and pass a 1-D twin keeps
 * one path to tune.
 *
 * Which nodes go 2-D, in node order (one pass, linear):
 *   - a float Conv with constant weights, a MaxPool without Indices, an
 *     AveragePool, whose X is [N, C, W] of exact dims: always. An X that
 *     is not lifted already gets one Reshape to [N, C, 1, W], placed
 *     after its producer; the weights become a [M, C/group, 1, k] copy.
 *     The spatial attributes gain a leading 1 (pads: a leading 0 on each
 *     side). A Reshape is a view: the planner gives it no call and no
 *     memory of its own.
 *   - the ops whose meaning does not depend on the rank, when the values
 *     they read are lifted: element-wise unary ops (the unary family),
 *     broadcasting element-wise ops (the binary family; an operand not
 *     lifted must be of rank 1 or less, which aligns with W either way,
 *     or a constant, which gains a 1 before its last dim: [C, 1] becomes
 *     [C, 1, 1]), inference BatchNormalization, InstanceNormalization,
 *     GlobalAveragePool and GlobalMaxPool, a Pad with constant pads and
 *     no axes, and Concat (its axis moved past the new one when it was W).
 *     Alone they gain nothing, so they never start a lifted region.
 * A lifted node writes a new value (NAME/2d); a reader that stays 1-D, or
 * a graph output, gets the original value back from a Reshape right after
 * the node. Runs before fold-pad, the fusions and layout-nchwc, which
 * then see ordinary 2-D convs. Symbolic dims stay 1-D (the Reshapes take
 * exact shapes). */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

enum { NOT_LIFTED = 0, LIFT_CORE = 1, LIFT_FOLLOWER = 2 };

typedef struct lift_state {
  ir_graph *g;
  rw_placer place;
  char *lift;       /* per old node: NOT_LIFTED, LIFT_CORE, LIFT_FOLLOWER */
  char *lifted_out; /* per value: written by a lifted node (its twin is that node's output) */
  char *flat_need;  /* per lifted value: something reads it 1-D (or it is a graph output) */
  int *twin;        /* per value: its [N, C, 1, W] twin, or -1 */
} lift_state;

/* An [N, C, W] of exact dims (any type), computed at run time. */
static int flat_activation(const ir_graph *g, int v) {
  const ir_value *x = ir_val(g, v);
  return x && x->t.rank == 3 && !tensor_is_symbolic(&x->t) && !x->t.data;
}

/* t with a 1 inserted before its last dim (rank >= 2), or as it is. */
static void lifted_dims(const ir_tensor *t, int *rank, int64_t *dims) {
  int k;
  *rank = t->rank;
  for (k = 0; k < t->rank; k++) dims[k] = t->dims[k];
  if (t->rank < 2) return;
  dims[t->rank] = dims[t->rank - 1];
  dims[t->rank - 1] = 1;
  *rank = t->rank + 1;
}

static int only_first_output(const ir_node *n) {
  int k;
  if (n->n_out < 1 || n->out[0] < 0) return 0;
  for (k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0) return 0;
  return 1;
}

/* A node that gains from running 2-D whatever its neighbours (see the top). */
static int core_candidate(const ir_graph *g, const ir_node *n) {
  const ir_value *x, *w;
  if (n->n_in < 1 || !only_first_output(n) || !flat_activation(g, n->in[0])) return 0;
  x = g->values[n->in[0]];
  if (x->t.dtype != DT_FLOAT || !flat_activation(g, n->out[0])) return 0;
  if (n->op == OP_MaxPool || n->op == OP_AveragePool) return 1;
  if (n->op != OP_Conv || n->n_in < 2) return 0;
  w = ir_val(g, n->in[1]);
  return w && w->t.data && w->t.dtype == DT_FLOAT && w->t.rank == 3;
}

/* Input k of a follower that is neither lifted nor an activation: fine
 * when it aligns with the lifted shape as it is or, as a constant, once it
 * gains a 1 before its last dim (lift_operand). */
static int operand_fits(const lift_state *s, const ir_node *n, int k) {
  const ir_value *v = ir_val(s->g, n->in[k]);
  if (!v || s->lifted_out[n->in[k]]) return 1;
  if (op_handler(n->op) != &op_family_binary) return v->t.rank <= 1;
  return v->t.rank <= 1 || (v->t.data && v->t.rank <= 3);
}

/* A rank-agnostic node whose activation inputs are all lifted. */
static int follower(const lift_state *s, const ir_node *n) {
  const ir_graph *g = s->g;
  const op_family *f = op_handler(n->op);
  int k, lifted = 0;
  if (n->n_in < 1 || !only_first_output(n) || !flat_activation(g, n->out[0])) return 0;
  if (n->op == OP_Concat) {
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] < 0 || !s->lifted_out[n->in[k]]) return 0;
    return 1;
  }
  if (f == &op_family_binary) {
    for (k = 0; k < n->n_in; k++) {
      if (n->in[k] >= 0 && s->lifted_out[n->in[k]]) lifted++;
      else if (!operand_fits(s, n, k)) return 0;
    }
    return lifted > 0;
  }
  if (n->in[0] < 0 || !s->lifted_out[n->in[0]]) return 0;
  if (n->op == OP_Pad) { /* six pads (two per axis), no axes; before opset 11 an attribute */
    const int64_t *v;
    const ir_value *p = rw_const(g, n, 1, DT_INT64);
    if (op_node_opset(g, n) < 11) return attr_ints(n, "pads", &v) == 6; /* opset 1's "paddings" stays */
    return p && tensor_numel(&p->t) == 6 && (n->n_in < 4 || n->in[3] < 0);
  }
  if (f != &op_family_unary && n->op != OP_BatchNormalization && n->op != OP_InstanceNormalization &&
      n->op != OP_GlobalAveragePool && n->op != OP_GlobalMaxPool)
    return 0;
  if (n->op == OP_BatchNormalization && op_node_opset(g, n) >= 14 && attr_int(n, "training_mode", 0)) return 0;
  /* the other inputs: per-channel parameters, Clip's bounds */
  for (k = 1; k < n->n_in; k++)
    if (!operand_fits(s, n, k)) return 0;
  return 1;
}

/* A Reshape node `name` from x to value y (whose shape is set). */
static void add_reshape(lift_state *s, const char *name, int x, int y, int after) {
  ir_graph *g = s->g;
  const ir_tensor *t = &g->values[y]->t;
  const int64_t rank = t->rank;
  const int shape = rw_new_const(g, DT_INT64, 1, &rank, "lift_1d_shape");
  ir_node *n = ir_node_add(g, name, "Reshape", "");
  memcpy(g->values[shape]->t.data, t->dims, sizeof(int64_t) * (size_t)rank);
  n->op = OP_Reshape;
  n->n_in = 2;
  n->in = xmalloc(sizeof(int) * 2);
  n->in[0] = x;
  n->in[1] = shape;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = y;
  rw_placer_note(&s->place, after);
}

/* A new value like v with a 1 before its last dim. */
static int new_lifted_value(ir_graph *g, int v) {
  char *name = xasprintf("%s/2d", g->values[v]->name);
  const int id = ir_value_new(g, name);
  ir_value *nv = g->values[id], *old = g->values[v];
  free(name);
  nv->t.dtype = old->t.dtype;
  lifted_dims(&old->t, &nv->t.rank, nv->t.dims);
  return id;
}

/* v's [N, C, 1, W] twin: a lifted node's output, or a Reshape of v after
 * its producer (once per value). */
static int twin_of(lift_state *s, int v) {
  char *name;
  if (s->twin[v] >= 0) return s->twin[v];
  s->twin[v] = new_lifted_value(s->g, v);
  name = xasprintf("%s/to_2d", s->g->values[v]->name);
  add_reshape(s, name, v, s->twin[v], s->g->values[v]->producer);
  free(name);
  return s->twin[v];
}

/* Input k of lifted node n, not itself lifted: a constant of rank 2 or 3
 * (a Conv's weights among them) reads a copy with a 1 before its last
 * dim, made once however many nodes read it; the rest stay. */
static void lift_operand(lift_state *s, ir_node *n, int k) {
  ir_graph *g = s->g;
  const int v = n->in[k];
  const ir_value *val = ir_val(g, v);
  if (!val || !val->t.data || val->t.rank < 2) return;
  if (s->twin[v] < 0) {
    int64_t dims[IR_MAX_RANK];
    int rank;
    lifted_dims(&val->t, &rank, dims);
    s->twin[v] = rw_new_const(g, val->t.dtype, rank, dims, val->name);
    memcpy(g->values[s->twin[v]]->t.data, g->values[v]->t.data, tensor_bytes(&g->values[v]->t));
  }
  rw_set_input(g, n, k, s->twin[v]);
}

/* An INTS attribute of one spatial value per dim gains a leading `first`
 * (pads: one per side, each side gains one). */
static void lift_spatial(ir_node *n, const char *name, int64_t first) {
  const int64_t *v;
  int64_t out[4];
  const int count = attr_ints(n, name, &v);
  if (count == 1) {
    out[0] = first;
    out[1] = v[0];
    rw_set_ints(n, name, out, 2);
  } else if (count == 2 && strcmp(name, "pads") == 0) {
    out[0] = 0;
    out[1] = v[0];
    out[2] = 0;
    out[3] = v[1];
    rw_set_ints(n, name, out, 4);
  }
}

/* A Pad's six pads ([begin N, C, W, end N, C, W]) as eight. */
static void lift_pads(const int64_t *p, int64_t *out) {
  const int64_t v[8] = {p[0], p[1], 0, p[2], p[3], p[4], 0, p[5]};
  memcpy(out, v, sizeof v);
}

static void lift_attrs(lift_state *s, ir_node *n) {
  ir_graph *g = s->g;
  int64_t pads[8];
  const int64_t *v;
  if (n->op == OP_Conv || n->op == OP_MaxPool || n->op == OP_AveragePool) {
    if (n->op == OP_Conv && !ir_attr_find(n, "kernel_shape")) { /* W's last dim, lifted or not */
      const ir_tensor *w = &g->values[n->in[1]]->t;
      rw_set_ints(n, "kernel_shape", &w->dims[w->rank - 1], 1);
    }
    lift_spatial(n, "kernel_shape", 1);
    lift_spatial(n, "strides", 1);
    lift_spatial(n, "dilations", 1);
    lift_spatial(n, "pads", 0);
  } else if (n->op == OP_Pad && op_node_opset(g, n) < 11) { /* six pads: see follower */
    attr_ints(n, "pads", &v);
    lift_pads(v, pads);
    rw_set_ints(n, "pads", pads, 8);
  } else if (n->op == OP_Pad) {
    const ir_value *p = g->values[n->in[1]];
    const int64_t eight = 8;
    int c;
    lift_pads(p->t.data, pads);
    c = rw_new_const(g, DT_INT64, 1, &eight, p->name);
    memcpy(g->values[c]->t.data, pads, sizeof pads);
    rw_set_input(g, n, 1, c);
  } else if (n->op == OP_Concat) {
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < 0) axis += 3;
    rw_set_int(n, "axis", axis == 2 ? 3 : axis);
  }
}

/* Node i goes 2-D: its inputs are twins (lifted, or a Reshape's), or
 * adjusted operands (a Conv's weights among them); its output a new
 * value; its attributes gain the unit dim. */
static void lift_node(lift_state *s, int i) {
  ir_graph *g = s->g;
  ir_node *n = g->nodes[i];
  const int y = n->out[0];
  int k;
  for (k = 0; k < n->n_in; k++) {
    const int v = n->in[k];
    if (v < 0) continue;
    if (s->lifted_out[v] || (k == 0 && s->lift[i] == LIFT_CORE)) {
      g->values[v]->uses--;
      n->in[k] = twin_of(s, v);
      g->values[n->in[k]]->uses++;
    } else {
      lift_operand(s, n, k);
    }
  }
  lift_attrs(s, n); /* after the inputs: a new pads constant is no value they know */
  s->twin[y] = new_lifted_value(g, y);
  n->out[0] = s->twin[y];
  g->values[s->twin[y]]->producer = i;
  if (s->flat_need[y]) {
    char *name = xasprintf("%s/to_1d", n->name);
    add_reshape(s, name, s->twin[y], y, i);
    free(name);
  } else {
    g->values[y]->producer = -1;
  }
}

status pass_lift_1d(ir_graph *g) {
  lift_state s;
  int i, k, any = 0;
  const int n_old = g->n_nodes;
  if (g->opset < 5) return ST_OK; /* Reshape took its shape as an attribute */
  ir_count_uses(g);
  memset(&s, 0, sizeof s);
  s.g = g;
  s.lift = xcalloc((size_t)n_old + 1, 1);
  s.lifted_out = xcalloc((size_t)g->n_values + 1, 1);
  s.flat_need = xcalloc((size_t)g->n_values + 1, 1);
  for (i = 0; i < n_old; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    if (core_candidate(g, n)) s.lift[i] = LIFT_CORE;
    else if (follower(&s, n)) s.lift[i] = LIFT_FOLLOWER;
    if (s.lift[i]) s.lifted_out[n->out[0]] = 1;
    any |= s.lift[i];
  }
  if (!any) {
    free(s.lift);
    free(s.lifted_out);
    free(s.flat_need);
    return ST_OK;
  }
  /* who reads each lifted value 1-D: a node left 1-D, a graph output */
  for (i = 0; i < n_old; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead || s.lift[i]) continue;
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) s.flat_need[n->in[k]] = 1;
  }
  for (i = 0; i < g->n_outputs; i++) s.flat_need[g->outputs[i]] = 1;
  s.twin = xmalloc(sizeof(int) * (size_t)(g->n_values + 1));
  for (i = 0; i < g->n_values; i++) s.twin[i] = -1;
  rw_placer_init(&s.place, g);
  /* in node order: a lifted producer's twin exists before its readers ask */
  for (i = 0; i < n_old; i++)
    if (s.lift[i]) lift_node(&s, i);
  rw_placer_finish(&s.place, g);
  ir_count_uses(g);
  free(s.lift);
  free(s.lifted_out);
  free(s.flat_need);
  free(s.twin);
  return ST_OK;
}
