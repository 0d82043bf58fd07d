/* The pass pipeline, in order. Add a pass here and in passes.h. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

const pass pipeline_passes[] = {
    {"fuse-qdq", "turn DequantizeLinear -> Conv/MatMul/Gemm/Add/Mul -> QuantizeLinear groups into integer ops "
     "(before infer, whose folding would turn quantized weights into floats)", 1, pass_fuse_qdq},
    {"gradient", "put each Gradient node after the forward nodes it differentiates (infer expands it into "
     "their derivative)", 0, pass_gradient},
    {"infer", "infer shapes and types; evaluate nodes whose inputs are all constant", 0, pass_infer},
    {"elide", "remove Identity and inference-mode Dropout", 1, pass_elide},
    {"cse", "merge nodes that apply the same op to the same inputs with the same attributes", 1, pass_cse},
    {"lift-1d", "run 1-D convolutions and pools, and the element-wise ops between them, as 2-D ones of height 1, "
     "so the 2-D kernels and the blocked layout serve them", 1, pass_lift_1d},
    {"fold-pad", "fold a zero Pad into the padding of the Conv (or count_include_pad AveragePool) after it", 1,
     pass_fold_pad},
    {"matmul-add-gemm", "turn MatMul by a constant matrix then Add of a constant bias into one Gemm (a MatMul "
     "with the bias when A has rank 3 or more)", 1, pass_matmul_add_gemm},
    {"transpose", "cancel or compose Transpose pairs, fold Transposes into Gemm's transA/transB (MatMul becomes "
     "Gemm), move them past elementwise ops", 1, pass_transpose},
    {"fuse-conv-bn", "fold inference BatchNormalization into the Conv before it", 1, pass_fuse_conv_bn},
    {"fold-bn", "fold inference BatchNormalization into the Gemm or ConvTranspose before it", 1, pass_fold_bn},
    {"fuse-silu", "turn Mul(x, Sigmoid(x)) and Mul(x, HardSigmoid(x)) into one node each", 1, pass_fuse_silu},
    {"fuse-layernorm", "turn a LayerNorm written as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add "
     "into one LayerNormalization", 1, pass_fuse_layernorm},
    {"fuse-epilogue", "fold an activation, or a residual Add (then an activation), into the float Conv, Gemm or "
     "MatMul before it, applied as each output tile is stored", 1, pass_fuse_epilogue},
    {"fuse-channel-scale", "fold a per-channel Mul (a squeeze-excitation gate) into the Conv that reads it, applied as "
     "the Conv copies its input", 1, pass_fuse_channel_scale},
    {"gather-channels", "turn a channel shuffle (Reshape, Transpose, Reshape, of a Concat or not) and the Slices "
     "that cut it along the channels into one GatherChannels copy each", 1, pass_gather_channels},
    {"layout-nchwc", "run chains of convolutions on channel-blocked tensors (NCHWc16), with layout changes only "
     "where a chain begins and ends", 1, pass_layout_nchwc},
    {"fuse-input-bn", "fold a blocked BatchNormalization (and its activation) into the blocked Conv that alone reads "
     "it, applied as the Conv copies its input", 1, pass_fuse_input_bn},
    {"dce", "remove nodes whose outputs nobody reads", 1, pass_dce},
    {"lower", "choose each node's kernel variant and fill its parameters (the backend may swap it)", 0, pass_lower},
    {NULL, NULL, 0, NULL},
};

status ir_verify(const ir_graph *g, const char *after, int require_types) {
  int i, k;
  char *seen = xcalloc((unsigned long)g->n_values + 1, 1);
  status s = ST_OK;
  for (i = 0; i < g->n_values; i++)
    if (g->values[i]->t.data || g->values[i]->graph_input >= 0) seen[i] = 1;
  for (i = 0; i < g->n_nodes && !s; i++) {
    const ir_node *n = g->nodes[i];
    for (k = 0; k < n->n_in && !s; k++) {
      int v = n->in[k];
      if (v < -1 || v >= g->n_values)
        s = diag_node_error(ST_INTERNAL, n, "after pass '%s': input %d has a bad value id", after, k);
      else if (v >= 0 && !seen[v])
        s = diag_node_error(ST_INTERNAL, n, "after pass '%s': input '%s' is used before it is produced", after,
                            g->values[v]->name);
      else if (v >= 0 && require_types && g->values[v]->t.rank < 0)
        s = diag_node_error(ST_INTERNAL, n, "after pass '%s': input '%s' has no shape", after, g->values[v]->name);
    }
    for (k = 0; k < n->n_out && !s; k++) {
      int v = n->out[k];
      if (v < -1 || v >= g->n_values)
        s = diag_node_error(ST_INTERNAL, n, "after pass '%s': output %d has a bad value id", after, k);
      else if (v >= 0 && seen[v] == 2)
        s = diag_node_error(ST_INTERNAL, n, "after pass '%s': '%s' has two producers", after, g->values[v]->name);
      else if (v >= 0)
        seen[v] = 2;
    }
  }
  for (i = 0; i < g->n_outputs && !s; i++)
    if (!seen[g->outputs[i]])
      s = diag_error(ST_INTERNAL, "after pass '%s': graph output '%s' is not produced", after,
                     g->values[g->outputs[i]]->name);
  free(seen);
  return s;
}

void print_op_histogram(const ir_graph *g, FILE *f) {
  int counts[OP_COUNT], order[OP_COUNT], n = 0, i, k;
  memset(counts, 0, sizeof counts);
  for (i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->op >= 0) counts[g->nodes[i]->op]++;
  for (i = 0; i < OP_COUNT; i++)
    if (counts[i]) order[n++] = i;
  /* sort by count, descending; ties by name */
  for (i = 1; i < n; i++)
    for (k = i; k > 0 && (counts[order[k]] > counts[order[k - 1]] ||
                          (counts[order[k]] == counts[order[k - 1]] &&
                           strcmp(op_name(order[k]), op_name(order[k - 1])) < 0));
         k--) {
      int t = order[k];
      order[k] = order[k - 1];
      order[k - 1] = t;
    }
  if (!n) fputs("(no nodes)", f);
  for (i = 0; i < n; i++) fprintf(f, "%s%s %d", i ? ", " : "", op_name(order[i]), counts[order[i]]);
  fputc('\n', f);
}

/* Runs pass `run` on every subgraph below g, innermost last. infer and
 * lower recurse by themselves (a body's types come from its node). */
static status run_in_subgraphs(ir_graph *g, status (*run)(ir_graph *)) {
  int i, k;
  status s = ST_OK;
  for (i = 0; i < g->n_nodes && !s; i++)
    for (k = 0; k < g->nodes[i]->n_attr && !s; k++) {
      ir_graph *sub = g->nodes[i]->attr[k].graph;
      if (!sub) continue;
      s = run(sub);
      if (!s) s = ir_verify(sub, "a pass in a subgraph", 1);
      if (!s) s = run_in_subgraphs(sub, run);
    }
  return s;
}

status pipeline_run(ir_graph *g, const compile_options *o, const pipeline_log *log) {
  const pass *p;
  status s;
  int dump_all = o->dump_after && strcmp(o->dump_after, "all") == 0;
  int known = dump_all || !o->dump_after || strcmp(o->dump_after, "load") == 0;
  int typed = 0; /* inference has run: every value has a type */
  if (o->dump_after) {
    for (p = pipeline_passes; p->name; p++)
      if (strcmp(p->name, o->dump_after) == 0) known = 1;
    if (!known) return diag_error(ST_USAGE, "--dump-after: no pass is named '%s' (see onnxcc --help)", o->dump_after);
  }
  if (o->dump_after && (dump_all || strcmp(o->dump_after, "load") == 0)) {
    fprintf(stderr, "=== after load\n");
    ir_dump(g, stderr);
  }
  if (log && log->histograms) {
    fprintf(log->histograms, "  %-19s", "load");
    print_op_histogram(g, log->histograms);
  }
  s = ir_verify(g, "load", 0);
  if (s) return s;
  for (p = pipeline_passes; p->name; p++) {
    if (o->opt_level < p->min_level) {
      /* A dump that was asked for must not vanish without a word. */
      if (o->dump_after && (dump_all || strcmp(o->dump_after, p->name) == 0))
        fprintf(stderr, "=== after %s: skipped at -O%d (it runs from -O%d)\n", p->name, o->opt_level, p->min_level);
      continue;
    }
    s = p->run(g);
    /* a pass before inference (fuse-qdq) sees the main graph, untyped */
    if (!s && typed && p->run != pass_infer && p->run != pass_lower) s = run_in_subgraphs(g, p->run);
    if (s) return s;
    typed |= p->run == pass_infer;
    s = ir_verify(g, p->name, typed);
    if (s) return s;
    if (o->dump_after && (dump_all || strcmp(o->dump_after, p->name) == 0)) {
      fprintf(stderr, "=== after %s\n", p->name);
      ir_dump_with(g, stderr, lower_dump_node);
    }
    if (log && log->histograms) {
      fprintf(log->histograms, "  %-19s", p->name);
      print_op_histogram(g, log->histograms);
    }
  }
  return ST_OK;
}
