#include "emit_maps.h"

#include "emit_c.h"

/* The table's element type: the keys are int64 or strings. */
static const char *key_ctype(const ir_map_keys *k) {
  return k->key_dtype == DT_STRING ? "char *const" : "int64_t";
}

/* Map inputs (load.c's convert_map_input): the keys' input says so, the
 * values' follows it. */
static void map_inputs_note(text *h, const ir_graph *g) {
  int i;
  for (i = 0; i < g->n_inputs; i++) {
    const ir_value *v = g->values[g->inputs[i]];
    if (!v->map_values) continue;
    text_printf(h, "/* inputs %d and %d: ONNX's map input '", i, i + 1);
    emit_c_comment_text(h, v->name);
    text_printf(h, "' as its keys (%s) and its values (%s),\n"
                   " * both 1-D of the map's length n (input_dims of NAME_run_dims; its range is\n"
                   " * --dim ", dtype_name(v->t.dtype), dtype_name(g->values[v->map_values - 1]->t.dtype));
    emit_c_comment_text(h, v->name);
    text_puts(h, "_len=LO..HI or 0..--max-dynamic-dim): values[j] belongs to keys[j]. */\n\n");
  }
}

void emit_maps_header(text *h, const ir_graph *g, const char *name, const char *up) {
  int i;
  map_inputs_note(h, g);
  for (i = 0; i < g->n_outputs; i++) {
    const ir_value *v = g->values[g->outputs[i]];
    const ir_map_keys *k = v->map_keys;
    if (!k) continue;
    text_printf(h, "/* output %d '", i);
    emit_c_comment_text(h, v->name);
    text_printf(h, "': ONNX's sequence(map(%s, float)), held as the maps'\n"
                   " * values: %s, one row per map. Value c of a row\n"
                   " * belongs to key %s_output%d_keys[c]. */\n",
                k->key_dtype == DT_STRING ? "string" : "int64",
                v->t.rank == 2 ? "a float tensor [N, NUM_KEYS] (N maps)" : "float[NUM_KEYS] (one map)", name, i);
    text_printf(h, "#define %s_OUTPUT%d_NUM_KEYS %lld\n", up, i, (long long)k->n);
    text_printf(h, "extern const %s %s_output%d_keys[%lld];\n\n", key_ctype(k), name, i, (long long)k->n);
  }
}

void emit_maps_source(text *w, const ir_graph *g, const char *name) {
  int i;
  int64_t j;
  for (i = 0; i < g->n_outputs; i++) {
    const ir_map_keys *k = g->values[g->outputs[i]]->map_keys;
    if (!k) continue;
    text_printf(w, "const %s %s_output%d_keys[%lld] = {", key_ctype(k), name, i, (long long)k->n);
    for (j = 0; j < k->n; j++) {
      text_puts(w, j % 8 ? ", " : (j ? ",\n  " : "\n  "));
      if (k->key_dtype == DT_STRING) text_cstring(w, k->strs[j]);
      else text_i64(w, k->ints[j]);
    }
    text_puts(w, "\n};\n\n");
  }
}
