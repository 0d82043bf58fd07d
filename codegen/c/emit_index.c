#include "emit_index.h"

#include <onnxcc/runtime.h>

#include "../../compiler/plan.h"

typedef struct largest {
  size_t size;       /* elements or bytes, whichever is more */
  const char *what;  /* "input", "output", "arena", "weight blob" */
  const char *name;  /* the tensor's name, or NULL */
} largest;

static void consider(largest *l, size_t size, const char *what, const char *name) {
  if (size <= l->size) return;
  l->size = size;
  l->what = what;
  l->name = name;
}

/* An input's or output's buffer: its bytes, or its elements when one
 * element takes less than a byte's index (never today: the sub-byte types
 * take one byte each), whichever is more. */
static void consider_io(largest *l, const ir_value *v, const char *what) {
  const int64_t n = tensor_numel(&v->t);
  const size_t bytes = tensor_bytes(&v->t);
  consider(l, n > 0 && (size_t)n > bytes ? (size_t)n : bytes, what, v->name);
}

void emit_index_guard(const backend_emit_args *a, text *w) {
  const ir_graph *g = a->g;
  largest l = {0, NULL, NULL};
  int i;
  for (i = 0; i < g->n_inputs; i++) consider_io(&l, g->values[g->inputs[i]], "input");
  for (i = 0; i < g->n_outputs; i++) consider_io(&l, g->values[g->outputs[i]], "output");
  /* every other tensor (and each kernel's scratch) lies in one of these */
  consider(&l, a->p->arena_bytes, "arena", NULL);
  consider(&l, a->weights->size, "weight blob", NULL);
  if (l.size <= RT_INDEX32_MAX) return;
  text_printf(w, "#if RT_INDEX_BITS == 32\n#error \"the %s%s%s%s holds %zu elements or bytes, more than the %d "
                 "(RT_INDEX32_MAX) of a runtime built with 32-bit indices (ONNXCC_RT_INDEX32, meson option "
                 "runtime_index32): build the runtime and this file without it\"\n#endif\n\n",
              l.what, l.name ? " '" : "", l.name ? l.name : "", l.name ? "'" : "", l.size, RT_INDEX32_MAX);
}
