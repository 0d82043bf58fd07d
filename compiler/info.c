/* `onnxcc info MODEL`: what the model is and what compiling it gives. */
#include "info.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "dimexpr.h"
#include "ir_box.h"
#include "target_info.h"

/* Multiply-accumulates of the ops that dominate inference cost. In double:
 * two valid shapes can multiply past int64 (a hostile model's are). */
static double node_macs(const ir_graph *g, const ir_node *n) {
  const ir_value *y = n->n_out ? ir_val(g, n->out[0]) : NULL;
  const ir_value *a = n->n_in > 0 ? ir_val(g, n->in[0]) : NULL;
  const ir_value *b = n->n_in > 1 ? ir_val(g, n->in[1]) : NULL;
  double k = 1;
  int d;
  if (!y || !a || !b) return 0;
  switch (n->op) {
  case OP_Conv:
    /* each output element: (C_in / group) * kernel elements = W's dims past 0 */
    for (d = 1; d < b->t.rank; d++) k *= (double)b->t.dims[d];
    return (double)tensor_numel(&y->t) * k;
  case OP_onnxcc_BlockedConv:
    /* W as the Conv had it ([M, C/group, kh, kw]); Y is [N, M/16, H, W, 16]
     * with pad lanes, so count its positions times M */
    if (y->t.rank != 5 || b->t.rank != 4) return 0;
    for (d = 0; d < b->t.rank; d++) k *= (double)b->t.dims[d];
    return (double)y->t.dims[0] * (double)y->t.dims[2] * (double)y->t.dims[3] * k;
  case OP_ConvTranspose:
    /* each input element scatters into C_out/group * kernel outputs */
    for (d = 1; d < b->t.rank; d++) k *= (double)b->t.dims[d];
    return (double)tensor_numel(&a->t) * k;
  case OP_MatMul:
    return (double)tensor_numel(&y->t) * (double)(a->t.rank ? a->t.dims[a->t.rank - 1] : 1);
  case OP_Gemm:
    if (a->t.rank < 1) return 0;
    return (double)tensor_numel(&y->t) * (double)(attr_int(n, "transA", 0) ? a->t.dims[0] : a->t.dims[a->t.rank - 1]);
  default:
    return 0;
  }
}

static void print_values(const ir_graph *g, const int *ids, int n, const char *what) {
  char buf[256];
  int i;
  for (i = 0; i < n; i++) {
    char *name = diag_escape(g->values[ids[i]]->name); /* model text: one line each */
    const ir_map_keys *k = g->values[ids[i]]->map_keys;
    printf("%-8s %-24s %s", i ? "" : what, name, ir_value_type_str(g->values[ids[i]], buf, sizeof buf));
    /* a sequence of maps is held as its values, one column per key */
    if (k) printf(" = seq(map(%s, float)), %lld keys", k->key_dtype == DT_STRING ? "string" : "int64", (long long)k->n);
    /* a map input is its keys and then its values */
    if (g->values[ids[i]]->map_values) printf(" = a map's keys (its values next)");
    printf("\n");
    free(name);
  }
}

/* The dims that vary at run time: those the caller chooses (--dim ranges)
 * by name with their bounds, and how many the model computes from values. */
static void print_dims(const ir_graph *g) {
  const dx_table *dx = ir_dx(g);
  int i, computed = 0, shown = 0;
  for (i = 0; i < dx->n_syms; i++) {
    /* run-time dims a node computes are named VALUE#K (op_data_dim) */
    if (strchr(dx->syms[i].name, '#')) {
      computed++;
      continue;
    }
    printf("%s%s %lld..%lld", shown++ ? ", " : "dims     ", dx->syms[i].name, (long long)dx->syms[i].lo,
           (long long)dx->syms[i].hi);
  }
  if (computed) printf("%s%d computed at run time", shown ? "; " : "dims     ", computed);
  if (shown || computed) printf(" (NAME_run_dims)\n");
}

status info_command(const compile_options *o, const char *target) {
  compiled c;
  pipeline_log log = {stdout};
  status s;
  int64_t params = 0;
  double macs = 0;
  int i;
  if (target && (s = target_check(target)) != ST_OK) return s;
  printf("model    ");
  diag_write_escaped(stdout, o->model_path);
  printf("\n");
  printf("ops per pass:\n");
  s = compile_graph(o, &log, &c);
  if (s) {
    compiled_free(&c);
    return s;
  }
  printf("opset    %" PRId64 "%s", c.g->opset, *c.g->producer ? ", from " : "");
  diag_write_escaped(stdout, c.g->producer);
  printf("\n");
  print_values(c.g, c.g->inputs, c.g->n_inputs, "inputs");
  print_values(c.g, c.g->outputs, c.g->n_outputs, "outputs");
  print_dims(c.g);
  for (i = 0; i < c.g->n_values; i++)
    if (c.p.home[i] == HOME_WEIGHTS) params += tensor_numel(&c.g->values[i]->t);
  for (i = 0; i < c.g->n_nodes; i++) macs += node_macs(c.g, c.g->nodes[i]);
  printf("nodes    %d\n", c.g->n_nodes);
  printf("params   %" PRId64 " (%zu bytes in the weight blob)\n", params, c.weights.size);
  printf("MACs     %.0f (Conv, ConvTranspose, Gemm, MatMul)\n", macs);
  printf("arena    %zu bytes (lower bound %zu, %.1f%% above it)\n", c.p.arena_bytes, c.p.arena_lower_bound,
         c.p.arena_lower_bound ? 100.0 * ((double)c.p.arena_bytes / (double)c.p.arena_lower_bound - 1.0) : 0.0);
  if (target) s = target_info(o, &c, target);
  compiled_free(&c);
  return s;
}
