/* layout-nchwc: chains of convolutions run on channel-blocked tensors
 * ([N, C/16, H, W, 16], runtime/include/onnxcc/kernels/nchwc.h), with the
 * layout changes only where a chain begins and ends.
 *
 * rt_conv_f32_nchwc_packed turns its input into blocks and its output
 * back to NCHW on every call: in a chain of convs every activation is
 * transposed twice, and for a 1x1 conv those copies are most of the time.
 * The depthwise convs of a mobilenet, on blocked tensors, put 16 channels
 * in a vector and need no padded planes. So:
 *
 *   1. A Conv is a candidate when a blocked kernel runs it: float, 2
 *      spatial dims of exact size (not a 1x1 plane), constant weights,
 *      and either group 1 with channels that fill the blocks well (see
 *      worth_blocking; an input scale from fuse-channel-scale is applied
 *      as the kernel copies X) or depthwise (group = C = M). A group-1
 *      conv of fewer than 8 input channels (a first conv, on an image)
 *      is a stem: it reads X as it is, NCHW, and writes Y blocked.
 *      So is a Concat along the channels of tensors whose channel counts
 *      are multiples of 16 (squeezenet's fire modules, densenet's blocks):
 *      on the blocked tensors it is the same Concat along axis 1, and
 *      a GatherChannels of float inputs (gather-channels; any channel
 *      counts: its blocked kernel moves lanes). The followers are
 *      MaxPool, AveragePool, inference BatchNormalization, the bounded activations and
 *      GlobalAveragePool (which writes NCHW), or a ReduceMean over H and W
 *      alone, which is one; a gather is no producer that a follower goes
 *      blocked for.
 *   2. A conv or Concat candidate is blocked when a neighbour is a
 *      candidate too (or a blocked follower): one produces its X,
 *      residual or a Concat input, or it feeds one of those of one.
 *      Alone, a blocked conv would pay two whole-tensor layout changes
 *      where rt_conv_f32_nchwc_packed does its copies band by band in
 *      cache. A follower is blocked when its input comes from a blocked
 *      node, and never starts a chain.
 *   3. Each blocked conv becomes a BlockedConv (ops/nchwc.c), each blocked
 *      Concat a Concat of blocked tensors, writing a new blocked value. An
 *      NCHW value a blocked node reads gets one ToBlocked, right after its
 *      producer; a blocked output that anything else reads (or that is a
 *      graph output) gets one FromBlocked, right after its node, which
 *      writes the original value: those readers do not change.
 *
 * Linear in the graph: one pass to find candidates and readers, one to
 * rewrite, one to put the new nodes in place. Not on bare-metal targets,
 * whose convs keep the GEMM variants (ops/conv.c says why). */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "../ops/shared_shapes.h"
#include "passes.h"

#define BLOCK RT_CONV_NCHWC_BLOCK

static int64_t blocks_of(int64_t ch) { return (ch + BLOCK - 1) / BLOCK; }

/* Whether a group-1 conv's products, with both channel counts rounded up
 * to whole blocks, stay within half again the real ones (mobilenet_v2's
 * 24-channel convs are 1.33x, mobilenet_v3_small's 72 -> 24 and 24 -> 88
 * 1.48x and 1.45x; a 3-channel first conv would be 5x: see
 * stem_candidate). At a third, mobilenet_v3_small's 28x28 region of four
 * convs stayed NCHW between a FromBlocked and a ToBlocked; blocked, the
 * model took 0.978 of the time at one thread (compare_builds). */
static int worth_blocking(const conv_geom *cg) {
  const int64_t in16 = blocks_of(cg->in_ch) * BLOCK, out16 = blocks_of(cg->out_ch) * BLOCK;
  return cg->in_ch >= 8 && cg->out_ch >= 8 && in16 * out16 * 2 <= cg->in_ch * cg->out_ch * 3;
}

/* A group-1 conv of fewer than 8 input channels (a network's first conv,
 * on an image's 3) whose output channels, rounded up to blocks, are at
 * most a third more (worth_blocking's rule before it allowed half; the
 * stems measured, of 16, 24, 32 and 64 channels, are all within a
 * third): rt_conv_f32_nchwc_stem reads X's planes as they are and writes
 * Y blocked, with no product on a pad lane of X. */
static int stem_candidate(const conv_geom *cg) {
  const int64_t out16 = blocks_of(cg->out_ch) * BLOCK;
  return cg->in_ch < 8 && cg->out_ch >= 8 && out16 * 3 <= cg->out_ch * 4;
}

/* What a node is to the pass: nothing, a Conv it can block, or a Concat
 * along the channels of tensors whose channels fill whole blocks (the
 * blocks of each input are then consecutive blocks of the output: the
 * same Concat on the blocked tensors, axis 1, and Concat in place still
 * applies). */
enum {
  NOT_BLOCKABLE = 0,
  BLOCKABLE_CONV = 1,
  BLOCKABLE_CONCAT = 2,
  BLOCKABLE_STEM = 3,   /* a Conv of a few input channels: X stays NCHW, Y is blocked */
  BLOCKABLE_GATHER = 4, /* GatherChannels of float inputs: the same gather on blocked tensors */
  /* the followers, which never start a chain: */
  BLOCKABLE_POOL = 5,  /* MaxPool, AveragePool */
  BLOCKABLE_BN = 6,    /* inference BatchNormalization */
  BLOCKABLE_UNARY = 7, /* an element-wise activation: the same op on blocked tensors */
  BLOCKABLE_GAP = 8    /* GlobalAveragePool (or a ReduceMean that is one), reading blocks, writing NCHW */
};

static int concat_candidate(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->n_in < 1 || n->n_out != 1 || n->out[0] < 0) return 0;
  for (k = 0; k < n->n_in; k++) {
    const ir_value *x = n->in[k] >= 0 ? g->values[n->in[k]] : NULL;
    if (!x || x->t.dtype != DT_FLOAT || x->t.rank != 4 || tensor_is_symbolic(&x->t) || x->t.data ||
        x->t.dims[1] % BLOCK)
      return 0;
  }
  k = (int)attr_int(n, "axis", 0);
  return k == 1 || k == -3;
}

/* A 2-D float MaxPool without Indices or AveragePool, with explicit pads
 * (or none). */
static int pool_candidate(const ir_graph *g, const ir_node *n) {
  const ir_value *x = n->n_in == 1 && n->in[0] >= 0 ? g->values[n->in[0]] : NULL;
  const char *auto_pad = attr_string(n, "auto_pad", "NOTSET");
  const int64_t *k;
  if (!x || n->n_out < 1 || n->out[0] < 0 || (n->n_out > 1 && n->out[1] >= 0)) return 0;
  if (x->t.dtype != DT_FLOAT || x->t.rank != 4 || tensor_is_symbolic(&x->t) || x->t.data) return 0;
  if (strcmp(auto_pad, "NOTSET") != 0 && strcmp(auto_pad, "VALID") != 0 && auto_pad[0]) return 0;
  return attr_ints(n, "kernel_shape", &k) == 2 && g->values[n->out[0]]->t.rank == 4;
}

/* A float [N, C, H, W] of exact dims, computed at run time. */
static int plain_activation(const ir_graph *g, int v) {
  const ir_value *x = v >= 0 ? g->values[v] : NULL;
  return x && x->t.dtype == DT_FLOAT && x->t.rank == 4 && !tensor_is_symbolic(&x->t) && !x->t.data;
}

/* Whether ReduceMean n averages a float [N, C, H, W] over H and W alone
 * (axes {2, 3} in any order or sign, as an attribute or, from opset 18,
 * a constant input): a GlobalAveragePool, [N, C] without keepdims
 * (ShuffleNet's x.mean([2, 3]) before its classifier). */
static int spatial_mean(const ir_graph *g, const ir_node *n) {
  int64_t axes[2];
  unsigned seen = 0;
  int k;
  if (n->op != OP_ReduceMean || n->n_in < 1 || n->n_out != 1 || n->out[0] < 0 || !plain_activation(g, n->in[0]))
    return 0;
  if (op_node_opset(g, n) >= 18) {
    const ir_value *a = n->n_in > 1 ? ir_val(g, n->in[1]) : NULL;
    if (!a || !a->t.data || tensor_numel(&a->t) != 2) return 0;
    for (k = 0; k < 2; k++) axes[k] = tensor_int(&a->t, k);
  } else {
    const int64_t *a;
    if (attr_ints(n, "axes", &a) != 2) return 0;
    memcpy(axes, a, sizeof axes);
  }
  for (k = 0; k < 2; k++) seen |= 1u << (axes[k] < 0 ? axes[k] + 4 : axes[k]);
  return seen == 0xCu;
}

/* A GatherChannels (gather-channels) of float [N, C, H, W] inputs: any
 * channel counts, since it moves lanes, not whole blocks. */
static int gather_candidate(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->n_out != 1 || n->out[0] < 0 || attr_int(n, "blocked", 0)) return 0;
  for (k = 0; k < n->n_in; k++)
    if (!plain_activation(g, n->in[k])) return 0;
  return n->n_in >= 1;
}

/* Inference BatchNormalization of float X and parameters, one output. */
static int bn_candidate(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->n_in != 5 || !plain_activation(g, n->in[0]) || n->out[0] < 0) return 0;
  for (k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0) return 0;
  if (op_node_opset(g, n) >= 14 && attr_int(n, "training_mode", 0)) return 0;
  for (k = 1; k < 5; k++)
    if (n->in[k] < 0 || g->values[n->in[k]]->t.dtype != DT_FLOAT) return 0;
  return 1;
}

/* The element-wise activations whose value at a finite input is finite
 * (so the pad lanes stay finite) and that run on any shape. */
static int unary_candidate(const ir_graph *g, const ir_node *n) {
  switch (n->op) {
  case OP_Relu:
  case OP_LeakyRelu:
  case OP_Sigmoid:
  case OP_Tanh:
  case OP_HardSigmoid:
  case OP_HardSwish:
  case OP_Clip:
  case OP_onnxcc_Silu:
  case OP_onnxcc_MulHardSigmoid: return n->n_out == 1 && n->out[0] >= 0 && plain_activation(g, n->in[0]);
  default: return 0;
  }
}

/* Whether node n is a candidate (step 1): its kind; *cg gets a Conv's
 * geometry. */
static int candidate(ir_graph *g, ir_node *n, conv_geom *cg) {
  const ir_value *x, *w, *b;
  op_ctx c;
  if (!n->dead && n->op == OP_Concat) return concat_candidate(g, n) ? BLOCKABLE_CONCAT : NOT_BLOCKABLE;
  if (!n->dead && n->op == OP_onnxcc_GatherChannels)
    return gather_candidate(g, n) ? BLOCKABLE_GATHER : NOT_BLOCKABLE;
  if (n->dead || n->n_in < 1) return NOT_BLOCKABLE;
  if (n->op == OP_MaxPool || n->op == OP_AveragePool) return pool_candidate(g, n) ? BLOCKABLE_POOL : NOT_BLOCKABLE;
  if (n->op == OP_BatchNormalization) return bn_candidate(g, n) ? BLOCKABLE_BN : NOT_BLOCKABLE;
  if (unary_candidate(g, n)) return BLOCKABLE_UNARY;
  if (n->op == OP_GlobalAveragePool)
    return n->n_out == 1 && n->out[0] >= 0 && plain_activation(g, n->in[0]) ? BLOCKABLE_GAP : NOT_BLOCKABLE;
  if (spatial_mean(g, n)) return BLOCKABLE_GAP;
  if (n->dead || n->op != OP_Conv || n->n_out != 1 || n->out[0] < 0 || n->n_in < 2 || n->in[0] < 0 || n->in[1] < 0)
    return 0;
  x = g->values[n->in[0]];
  w = g->values[n->in[1]];
  b = n->n_in > 2 && n->in[2] >= 0 ? g->values[n->in[2]] : NULL;
  if (x->t.dtype != DT_FLOAT || x->t.rank != 4 || tensor_is_symbolic(&x->t) || x->t.data || !w->t.data ||
      w->t.dtype != DT_FLOAT || (b && b->t.dtype != DT_FLOAT))
    return 0;
  memset(&c, 0, sizeof c);
  c.g = g;
  c.n = n;
  c.opset = op_node_opset(g, n);
  /* inference has checked the node: its geometry is sound */
  if (conv_geometry_at(&c, cg, 1, 2) != ST_OK) return 0;
  /* a 1x1 plane (a squeeze-excitation block's FCs after the global
   * pool) is a matrix-vector product: nothing to gain from blocks, and
   * two layout changes to pay */
  if (cg->nd != 2 || cg->out_ch < 1 || cg->out[0] * cg->out[1] == 1) return 0;
  if (cg->group == 1 && worth_blocking(cg)) return BLOCKABLE_CONV;
  /* the stem kernel has no input scale to apply */
  if (cg->group == 1) return stem_candidate(cg) && !op_lower_in_scale(n) ? BLOCKABLE_STEM : NOT_BLOCKABLE;
  /* fuse-channel-scale gives an input scale to group-1 convs only */
  if (op_lower_in_scale(n)) return NOT_BLOCKABLE;
  return cg->group == cg->in_ch && cg->out_ch == cg->in_ch ? BLOCKABLE_CONV : NOT_BLOCKABLE;
}

/* The input slots of a node of this kind that hold blocked tensors once
 * it is blocked: a BlockedConv's X and residual (fuse-epilogue's slot 3),
 * a stem's residual only, every input of a Concat or a GatherChannels. */
static int blocked_slot(int kind, int k) {
  return kind == BLOCKABLE_CONCAT || kind == BLOCKABLE_GATHER || (kind == BLOCKABLE_CONV && (k == 0 || k == 3)) ||
         (kind == BLOCKABLE_STEM && k == 3) || (kind >= BLOCKABLE_POOL && k == 0);
}

/* A pool's attributes as BlockedMaxPool and BlockedAveragePool take
 * them: explicit pads, strides and dilations, and the output's spatial
 * dims (an AveragePool keeps its count_include_pad). */
static void pool_attrs(ir_graph *g, ir_node *n) {
  const int64_t ones[2] = {1, 1}, zeros[4] = {0, 0, 0, 0}, *v;
  const ir_tensor *y = &g->values[n->out[0]]->t;
  const int valid = strcmp(attr_string(n, "auto_pad", "NOTSET"), "VALID") == 0;
  int64_t keep[4];
  if (attr_ints(n, "strides", &v) != 2) rw_set_ints(n, "strides", ones, 2);
  if (attr_ints(n, "dilations", &v) != 2) rw_set_ints(n, "dilations", ones, 2);
  if (valid || attr_ints(n, "pads", &v) != 4) {
    rw_set_ints(n, "pads", zeros, 4);
  } else {
    memcpy(keep, v, sizeof keep);
    rw_set_ints(n, "pads", keep, 4);
  }
  rw_set_ints(n, "onnxcc.out", y->dims + 2, 2);
  n->n_out = 1;
}

typedef struct layout_state {
  ir_graph *g;
  int n_old;          /* nodes before the pass */
  rw_placer place;    /* the new nodes and the old nodes they follow */
  char *cand;         /* per old node: a candidate */
  char *block;        /* per old node: blocked */
  char *cand_reader;  /* per value: a candidate reads it in a blocked slot */
  char *other_reader; /* per value: something reads it that will not be blocked there (or a graph output) */
  int *blocked;       /* per value: its blocked twin, or -1 */
} layout_state;

/* Whether old node i counts as a neighbour of a conv or Concat
 * candidate, reading its output: it is one too, or a blocked follower. */
static int partner_reader(const layout_state *s, int i) {
  return (s->cand[i] && s->cand[i] < BLOCKABLE_POOL) || s->block[i] >= BLOCKABLE_POOL;
}

/* The same as a producer: a blocked GlobalAveragePool's output is NCHW. */
static int partner_producer(const layout_state *s, int i) {
  return partner_reader(s, i) && s->block[i] != BLOCKABLE_GAP;
}

/* A one-input, one-output node of the compiler's own domain. */
static ir_node *add_node(ir_graph *g, const char *name, const char *op_type, int op, int x, int y) {
  ir_node *n = ir_node_add(g, name, op_type, "onnxcc");
  n->op = op;
  n->n_in = 1;
  n->in = xmalloc(sizeof(int));
  n->in[0] = x;
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = y;
  return n;
}

/* The blocked shape of an NCHW tensor: [N, C/16 rounded up, H, W, 16]. */
static void blocked_dims(const ir_tensor *t, int64_t dims[5]) {
  dims[0] = t->dims[0];
  dims[1] = blocks_of(t->dims[1]);
  dims[2] = t->dims[2];
  dims[3] = t->dims[3];
  dims[4] = BLOCK;
}

/* A new value of v's name plus `suffix`, float, dims given. */
static int new_value(ir_graph *g, int v, const char *suffix, int rank, const int64_t *dims) {
  char *name = xasprintf("%s%s", g->values[v]->name, suffix);
  int id = ir_value_new(g, name);
  ir_value *nv = g->values[id];
  int k;
  free(name);
  nv->t.dtype = DT_FLOAT;
  nv->t.rank = rank;
  for (k = 0; k < rank; k++) nv->t.dims[k] = dims[k];
  return id;
}

/* v's blocked twin: a blocked conv's output, or a ToBlocked of v placed
 * right after v's producer (once per value). */
static int blocked_twin(layout_state *s, int v) {
  ir_graph *g = s->g;
  const ir_value *val = g->values[v];
  int64_t dims[5];
  char *name;
  if (s->blocked[v] >= 0) return s->blocked[v];
  blocked_dims(&val->t, dims);
  s->blocked[v] = new_value(g, v, "/blocked", 5, dims);
  name = xasprintf("%s/ToBlocked", val->name);
  add_node(g, name, "ToBlocked", OP_onnxcc_ToBlocked, v, s->blocked[v]);
  free(name);
  rw_placer_note(&s->place, val->producer);
  return s->blocked[v];
}

/* n becomes op `op` of onnxcc's own domain. */
static void set_own_op(ir_node *n, const char *op_type, int op) {
  rw_set_op(n, op_type, op);
  free(n->domain);
  n->domain = xstrdup("onnxcc");
}

/* Node i of this kind goes blocked (step 3): a Conv becomes a
 * BlockedConv, a Concat stays one, along axis 1 of the blocked tensors. */
static void block_node(layout_state *s, int i, int kind, const conv_geom *cg) {
  ir_graph *g = s->g;
  ir_node *n = g->nodes[i];
  const int y = n->out[0];
  const ir_value *yv = g->values[y];
  int64_t dims[5], pads[4];
  int k;
  for (k = 0; k < n->n_in; k++)
    if (blocked_slot(kind, k) && n->in[k] >= 0) n->in[k] = blocked_twin(s, n->in[k]);
  if (kind == BLOCKABLE_GAP) { /* reads blocks, writes its NCHW output itself */
    if (n->op == OP_ReduceMean) { /* [N, C] without keepdims: the same floats */
      const int64_t keep = attr_int(n, "keepdims", 1);
      for (k = 1; k < n->n_in; k++)
        if (n->in[k] >= 0) g->values[n->in[k]]->uses--;
      n->n_in = 1;
      for (k = 0; k < n->n_attr; k++) ir_attr_free(&n->attr[k]);
      n->n_attr = 0;
      rw_set_int(n, "keepdims", keep);
    }
    rw_set_int(n, "channels", yv->t.dims[1]);
    set_own_op(n, "BlockedGlobalAveragePool", OP_onnxcc_BlockedGlobalAveragePool);
    return;
  }
  blocked_dims(&yv->t, dims);
  s->blocked[y] = new_value(g, y, "/blocked", 5, dims);
  n->out[0] = s->blocked[y];
  g->values[s->blocked[y]]->producer = i;
  if (kind == BLOCKABLE_CONCAT) {
    rw_set_int(n, "axis", 1);
  } else if (kind == BLOCKABLE_GATHER) {
    rw_set_int(n, "blocked", 1);
  } else if (kind == BLOCKABLE_POOL) {
    pool_attrs(g, n);
    if (n->op == OP_AveragePool)
      set_own_op(n, "BlockedAveragePool", OP_onnxcc_BlockedAveragePool);
    else
      set_own_op(n, "BlockedMaxPool", OP_onnxcc_BlockedMaxPool);
  } else if (kind == BLOCKABLE_BN) {
    rw_set_int(n, "channels", yv->t.dims[1]);
    n->n_out = 1;
    set_own_op(n, "BlockedBatchNormalization", OP_onnxcc_BlockedBatchNormalization);
  } else if (kind == BLOCKABLE_UNARY) {
    /* the same op, on the blocked tensor */
  } else {
    for (k = 0; k < 4; k++) pads[k] = cg->pads[k];
    rw_set_ints(n, "pads", pads, 4);
    rw_set_ints(n, "strides", cg->strides, 2);
    rw_set_ints(n, "dilations", cg->dilations, 2);
    rw_set_int(n, "group", cg->group);
    set_own_op(n, "BlockedConv", OP_onnxcc_BlockedConv);
  }
  if (s->other_reader[y]) {
    char *name = xasprintf("%s/FromBlocked", n->name);
    ir_node *f = add_node(g, name, "FromBlocked", OP_onnxcc_FromBlocked, s->blocked[y], y);
    free(name);
    rw_set_int(f, "channels", yv->t.dims[1]);
    rw_placer_note(&s->place, i);
  } else {
    g->values[y]->producer = -1;
  }
}

status pass_layout_nchwc(ir_graph *g) {
  layout_state s;
  conv_geom *geo;
  int i, k;
  if (g->bare_metal) return ST_OK;
  ir_count_uses(g);
  memset(&s, 0, sizeof s);
  s.g = g;
  s.n_old = g->n_nodes;
  rw_placer_init(&s.place, g);
  s.cand = xcalloc((size_t)s.n_old + 1, 1);
  s.block = xcalloc((size_t)s.n_old + 1, 1);
  s.cand_reader = xcalloc((size_t)g->n_values + 1, 1);
  geo = xmalloc(sizeof(conv_geom) * (size_t)(s.n_old + 1));
  for (i = 0; i < s.n_old; i++) s.cand[i] = (char)candidate(g, g->nodes[i], &geo[i]);
  /* step 2. A follower (a pool, BatchNormalization, an activation)
   * never starts a chain (resnet's MaxPool, after its NCHW first conv,
   * would move the layout change to the 4x larger plane before it): it is
   * blocked, in node order, when X comes from a conv or Concat candidate
   * or from a blocked follower. Not from a GatherChannels: blocked only
   * for a follower, a gather of NCHW inputs (shuffle_mix's, of two small
   * NCHW convs) would add a layout change per input and one after. */
  for (i = 0; i < s.n_old; i++) {
    const int p = s.cand[i] >= BLOCKABLE_POOL ? g->values[g->nodes[i]->in[0]]->producer : -1;
    if (p >= 0 && p < s.n_old && partner_producer(&s, p) && s.cand[p] != BLOCKABLE_GATHER) s.block[i] = s.cand[i];
  }
  /* The conv and Concat candidates' neighbours: those candidates and the
   * blocked followers ("partners"). */
  for (i = 0; i < s.n_old; i++) {
    const ir_node *n = g->nodes[i];
    if (partner_reader(&s, i))
      for (k = 0; k < n->n_in; k++)
        if (blocked_slot(s.cand[i], k) && n->in[k] >= 0) s.cand_reader[n->in[k]] = 1;
  }
  for (i = 0; i < s.n_old; i++) {
    const ir_node *n = g->nodes[i];
    int neighbour;
    if (!s.cand[i] || s.cand[i] >= BLOCKABLE_POOL) continue;
    neighbour = s.cand_reader[n->out[0]];
    for (k = 0; k < n->n_in && !neighbour; k++) {
      const int v = n->in[k], p = v >= 0 && blocked_slot(s.cand[i], k) ? g->values[v]->producer : -1;
      if (p >= 0 && p < s.n_old && partner_producer(&s, p)) neighbour = 1;
    }
    if (neighbour) s.block[i] = s.cand[i];
  }
  /* who still needs each value in NCHW: every reader but a blocked
   * conv's blocked slots, and the graph's outputs */
  s.other_reader = xcalloc((size_t)g->n_values + 1, 1);
  for (i = 0; i < s.n_old; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && !blocked_slot(s.block[i], k)) s.other_reader[n->in[k]] = 1;
  }
  for (i = 0; i < g->n_outputs; i++) s.other_reader[g->outputs[i]] = 1;
  s.blocked = xmalloc(sizeof(int) * (size_t)(g->n_values + 1));
  for (i = 0; i < g->n_values; i++) s.blocked[i] = -1;
  /* step 3, in node order: a blocked producer's twin exists before its readers ask */
  for (i = 0; i < s.n_old; i++)
    if (s.block[i]) block_node(&s, i, s.block[i], &geo[i]);
  rw_placer_finish(&s.place, g);
  ir_count_uses(g);
  free(s.cand);
  free(s.block);
  free(s.cand_reader);
  free(s.other_reader);
  free(s.blocked);
  free(geo);
  return ST_OK;
}
