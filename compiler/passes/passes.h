/* Graph passes. Each is a plain function over the IR, listed in order in
 * pipeline.c; `--dump-after=NAME` prints the graph after any of them. */
#ifndef ONNXCC_PASSES_H
#define ONNXCC_PASSES_H

#include <stdio.h>

#include "../ir.h"
#include "../options.h"

typedef struct pass {
  const char *name;
  const char *what;     /* one line for --help and docs */
  int min_level;        /* runs when opt_level >= min_level */
  status (*run)(ir_graph *g);
} pass;

status pass_infer(ir_graph *g);
status pass_elide(ir_graph *g);
status pass_dce(ir_graph *g);
status pass_fuse_conv_bn(ir_graph *g);
/* Merges nodes that compute the same op on the same inputs (cse.c) */
status pass_cse(ir_graph *g);
/* Mul(x, Sigmoid(x)) -> one Silu node, Mul(x, HardSigmoid(x)) -> one
 * MulHardSigmoid (fuse_silu.c) */
status pass_fuse_silu(ir_graph *g);
/* An activation or residual Add after a float Conv / Gemm / MatMul -> the
 * node's epilogue (fuse_epilogue.c) */
status pass_fuse_epilogue(ir_graph *g);
/* Mul(x, per-channel s) read only by a Conv with constant weights -> the
 * Conv's input scale (fuse_channel_scale.c) */
status pass_fuse_channel_scale(ir_graph *g);
/* DequantizeLinear -> Conv / MatMul / Gemm / Add / Mul -> QuantizeLinear
 * groups -> one integer op each (fuse_qdq.c) */
status pass_fuse_qdq(ir_graph *g);
/* 1-D convs and pools, and the element-wise ops between them, as 2-D
 * ones of height 1 (lift_1d.c) */
status pass_lift_1d(ir_graph *g);
/* A zero Pad before a Conv or AveragePool -> the node's pads (fold_pad.c) */
status pass_fold_pad(ir_graph *g);
/* MatMul by a constant matrix, then Add of a constant bias -> one Gemm
 * (matmul_add_gemm.c) */
status pass_matmul_add_gemm(ir_graph *g);
/* LayerNorm over the last axis written as ReduceMean/Sub/Pow/.../Add ->
 * one LayerNormalization (fuse_layernorm.c) */
status pass_fuse_layernorm(ir_graph *g);
/* Inference BatchNormalization after a Gemm or ConvTranspose -> their
 * weights and bias (fold_bn.c) */
status pass_fold_bn(ir_graph *g);
/* Transpose pairs cancelled or composed, Transposes moved into Gemm flags
 * and past elementwise ops (transpose.c) */
status pass_transpose(ir_graph *g);
status pass_layout_nchwc(ir_graph *g);
/* fuse_input_bn.c: a blocked BatchNormalization into the blocked conv
 * that alone reads it, as that conv's input map */
status pass_fuse_input_bn(ir_graph *g);
/* gather_channels.c: channel shuffles and their Slices as GatherChannels */
status pass_gather_channels(ir_graph *g);
/* fuse_conv_bn.c: the constants of an inference BatchNormalization that
 * folds into the node before it. bn_fold_consts fills p when bn's scale,
 * B, mean and var are float constants of `channels` elements, it runs in
 * inference mode, per channel, and no other output is read; else 0.
 * Channel m multiplies by s = bn_fold_scale(p, m) and a bias b of the
 * node before becomes bn_fold_bias(p, m, s, b). */
typedef struct bn_consts {
  const float *scale, *shift, *mean, *var;
  float eps;
} bn_consts;
int bn_fold_consts(const ir_graph *g, const ir_node *bn, int64_t channels, bn_consts *p);
float bn_fold_scale(const bn_consts *p, int64_t m);
float bn_fold_bias(const bn_consts *p, int64_t m, float s, float bias);

/* rewrite.c: helpers of the rewriting passes, which keep value->uses and
 * ->producer exact as they go (ir_count_uses first). */
/* The live node with op `op` that computes v when v has exactly one
 * reader, is not a graph output and is not a constant; else NULL. */
ir_node *rw_sole_producer(const ir_graph *g, int v, int op);
/* n's input k when it is a constant of dtype, else NULL. */
const ir_value *rw_const(const ir_graph *g, const ir_node *n, int k, int dtype);
int rw_all_zero(const ir_value *v);
/* Sets (replacing) an INTS, INT or FLOAT attribute of n. */
void rw_set_ints(ir_node *n, const char *name, const int64_t *v, int count);
void rw_set_int(ir_node *n, const char *name, int64_t v);
void rw_set_float(ir_node *n, const char *name, float v);
/* n's input k becomes v (-1: absent), growing n->in as needed. */
void rw_set_input(ir_graph *g, ir_node *n, int k, int v);
void rw_set_op(ir_node *n, const char *op_type, int op);
/* n (at index ni) now writes consumer c's single output; c dies. */
void rw_take_output(ir_graph *g, ir_node *n, int ni, ir_node *c);
/* A new constant value of that type and shape, zero filled. */
int rw_new_const(ir_graph *g, int dtype, int rank, const int64_t *dims, const char *hint);
/* Where a pass's new nodes go in the node order. ir_node_add appends;
 * a pass that adds nodes in the middle of a graph notes, for each new
 * node in the order it made them, the old node that node must follow
 * (-1: the front), and finish moves each right after its old node (those
 * of one old node in the order they were made) and frees the notes.
 * Linear in the graph. */
typedef struct rw_placer {
  int n_old;  /* nodes before the pass */
  int *after; /* per new node (index - n_old) */
  int n_new, cap;
} rw_placer;
void rw_placer_init(rw_placer *p, const ir_graph *g);
void rw_placer_note(rw_placer *p, int after);
void rw_placer_finish(rw_placer *p, ir_graph *g);
/* Marks n dead, releasing its inputs' uses. */
void rw_kill(ir_graph *g, ir_node *n);
/* The walk of a peephole pass: counts uses, offers every live node in
 * order to try_node (which returns 1 when it rewrote something), and compacts
 * the graph when anything changed. */
status rw_each_node(ir_graph *g, int (*try_node)(ir_graph *g, ir_node *n));
status pass_lower(ir_graph *g);
/* Ties each Gradient node to the forward nodes it differentiates, which
 * infer then expands it over (expand_gradient.c, grad.h). */
status pass_gradient(ir_graph *g);
/* Replaces every If whose condition is a constant by the nodes of the
 * branch it takes (inline_if.c); returns how many. pass_infer calls it. */
int inline_constant_ifs(ir_graph *g);
/* ir_dump_with note: the node's kernel, params, scratch and reuse. */
void lower_dump_node(const ir_graph *g, const ir_node *n, void *file);

/* Rewrites node i into nodes the kernels take (variadic Sum -> chain of
 * Adds, a Pow exponent of another type -> Cast first, one-input Sum ->
 * Identity). New nodes are appended to g->nodes and must run before node
 * i, which may be marked dead (replaced). Used by pass_infer, which infers
 * the new nodes at once and moves them into place at the end of the pass. */
void legalize_node(ir_graph *g, int i);
/* Appends node `name`: y = Cast(x, to). */
void legalize_add_cast(ir_graph *g, const char *name, int x, int y, int to);

/* A node refused for its float16 / bfloat16 inputs computes in float
 * (widen_half.c). widen_half_type: the half type of n's inputs when the
 * rewrite applies, else 0. begin: appends the input Casts and the float
 * node (returned), which takes n's attributes. undo: gives them back and
 * kills what begin appended from index `first`. finish: appends the Casts
 * back to half (Identity for outputs that are not float) into n's outputs
 * and kills n. */
int widen_half_type(const ir_graph *g, const ir_node *n);
ir_node *widen_half_begin(ir_graph *g, ir_node *n, int half);
void widen_half_undo(ir_graph *g, ir_node *n, ir_node *wide, int first);
void widen_half_finish(ir_graph *g, ir_node *n, const ir_node *wide, int half);

/* The pass table, NULL-terminated. */
extern const pass pipeline_passes[];

/* Op counts after each pass, for `onnxcc info`. */
typedef struct pipeline_log {
  FILE *histograms;    /* if set, an op histogram is printed after each pass */
} pipeline_log;

/* Runs the passes selected by o->opt_level; dumps per o->dump_after;
 * verifies the graph after each pass. */
status pipeline_run(ir_graph *g, const compile_options *o, const pipeline_log *log);

/* Structural checks between passes: ids in range, single producer,
 * topological order, every value typed. Returns ST_INTERNAL on a broken
 * graph, naming the pass that broke it. */
status ir_verify(const ir_graph *g, const char *after_pass, int require_types);

/* Prints "Conv: 20, Relu: 17, ..." sorted by count. */
void print_op_histogram(const ir_graph *g, FILE *f);

/* Within infer: dim expressions (ir_value.symvals) through the integer
 * ops of a shape computation (passes/symvals.c). */
void symvals_propagate(ir_graph *g, ir_node *n);
/* A consumer needs value `value` of g as dims and it has neither data nor
 * symvals: when it is computed only from constants and small integer
 * inputs of the model, those inputs get one symbol per element (their
 * values, read at run start) and the main graph's infer_again is set.
 * Returns whether it did; the caller goes on as if it had not (this round
 * of inference is cut short and run again). */
int symvals_request(ir_graph *g, int value);

#endif
