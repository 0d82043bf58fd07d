#include "emit_profile.h"

#include "../../compiler/kernel_table.h"
#include "../../compiler/lowered.h"

int emit_profile_has_node(const ir_graph *g, const plan *p, int i) {
  return !(p->elided[i] && g->nodes[i]->low->prepare < 0);
}

const char *emit_profile_kernel(const ir_graph *g, const plan *p, int i) {
  const lowered *l = g->nodes[i]->low;
  if (l->control) return "(control)";
  if (p->elided[i]) return kernel_get(l->prepare)->name; /* a view: only its prepare runs */
  return kernel_get(l->kernel)->name;
}

int emit_profile_count(const ir_graph *g, const plan *p) {
  int i, n = 0;
  for (i = 0; i < g->n_nodes; i++) n += emit_profile_has_node(g, p, i);
  return n;
}

void emit_profile_header(text *h, const ir_graph *g, const plan *p, const char *name, const char *up) {
  text_printf(h, "/* Built with -DONNXCC_PROFILE, %s_run calls %s_profile_hook(k, 0) before and\n"
                 " * (k, 1) after each of its %s_PROFILE_NODES nodes (k from 0, in the order they\n"
                 " * run; a node that fails returns without the second call). The caller\n"
                 " * defines the hook; %s_profile_nodes[k] says which node k is. Without\n"
                 " * the macro the code is exactly as if none of this were here. */\n",
              name, name, up, name);
  text_printf(h, "#ifdef ONNXCC_PROFILE\n#define %s_PROFILE_NODES %d\n", up, emit_profile_count(g, p));
  text_printf(h, "void %s_profile_hook(int node, int end);\n", name);
  text_printf(h, "typedef struct %s_profile_node {\n  const char *name, *op, *kernel;\n} %s_profile_node;\n", name,
              name);
  text_printf(h, "extern const %s_profile_node %s_profile_nodes[%s_PROFILE_NODES > 0 ? %s_PROFILE_NODES : 1];\n",
              name, name, up, up);
  text_puts(h, "#endif\n\n");
}

void emit_profile_source(text *w, const ir_graph *g, const plan *p, const char *name) {
  int i, any = 0;
  text_puts(w, "/* Profiling hooks around each node (the header says how to use them). */\n");
  text_puts(w, "#undef ONNXCC_PROF_BEGIN\n#undef ONNXCC_PROF_END\n#ifdef ONNXCC_PROFILE\n");
  text_printf(w, "#define ONNXCC_PROF_BEGIN(k) %s_profile_hook((k), 0)\n#define ONNXCC_PROF_END(k) %s_profile_hook((k), 1)\n",
              name, name);
  text_printf(w, "const %s_profile_node %s_profile_nodes[] = {\n", name, name);
  for (i = 0; i < g->n_nodes; i++) {
    if (!emit_profile_has_node(g, p, i)) continue;
    text_puts(w, "  {");
    text_cstring(w, g->nodes[i]->name);
    text_puts(w, ", ");
    text_cstring(w, g->nodes[i]->op_type);
    text_puts(w, ", ");
    text_cstring(w, emit_profile_kernel(g, p, i));
    text_puts(w, "},\n");
    any = 1;
  }
  if (!any) text_puts(w, "  {\"\", \"\", \"\"},\n");
  text_puts(w, "};\n#else\n#define ONNXCC_PROF_BEGIN(k) ((void)0)\n#define ONNXCC_PROF_END(k) ((void)0)\n#endif\n\n");
}
