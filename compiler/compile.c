#include "compile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fileio.h"
#include "load.h"
#include "threads.h"

status compile_graph(const compile_options *o, const pipeline_log *log, compiled *out) {
  status s;
  memset(out, 0, sizeof *out);
  diag_set_file(o->model_path);
  s = load_model(o, &out->g);
  if (s) return s;
  if (o->backend && !(out->g->backend = backend_find(o->backend)))
    return diag_error(ST_USAGE, "--backend: no backend is named '%s'", o->backend);
  s = pipeline_run(out->g, o, log);
  if (s) return s;
  if (o->threads > 1) threads_size_scratch(out->g, o->threads);
  s = plan_build(out->g, &out->p);
  if (s) return s;
  weights_build(out->g, &out->p, &out->weights);
  return ST_OK;
}

char *c_identifier(const char *s) {
  char *r = xmalloc((unsigned long)strlen(s) + 2), *q = r;
  if (!isalpha((unsigned char)*s) && *s != '_') *q++ = 'm';
  for (; *s; s++) *q++ = isalnum((unsigned char)*s) ? *s : '_';
  *q = 0;
  return r;
}

status compile_write(const compile_options *o, compiled *c) {
  char *h_path = path_with_ext(o->out_path, ".h");
  char *w_path = path_with_ext(o->out_path, ".weights");
  char *stem = path_stem(o->out_path);
  char *name = c_identifier(o->name ? o->name : stem);
  const backend *b = c->g->backend ? c->g->backend : &backends[0];
  backend_emit_args a;
  file_set set;
  status s;
  a.g = c->g;
  a.p = &c->p;
  a.weights = &c->weights;
  a.name = name;
  a.out_path = o->out_path;
  a.header_path = h_path;
  a.weights_path = w_path;
  a.model_path = o->model_path;
  a.embed_weights = o->embed_weights;
  a.weights_section = o->weights_section;
  a.threads = o->threads > 1 ? o->threads : 1;
  /* All temporaries are written before any output is replaced, so a
   * failure leaves the previous set whole. */
  file_set_init(&set);
  s = b->emit(&a, &set);
  if (s) file_set_abort(&set);
  else s = file_set_commit(&set);
  free(h_path);
  free(w_path);
  free(stem);
  free(name);
  return s;
}

/* Refuses outputs that are the model itself or each other: renaming a new
 * file over the model would destroy the input (`foo/model.weights -o
 * foo/model.c`), and two outputs on one file would keep only the last. */
status compile_check_outputs(const compile_options *o) {
  const char *out[3];
  char *h_path = path_with_ext(o->out_path, ".h");
  char *w_path = path_with_ext(o->out_path, ".weights");
  int n = 0, i, j;
  status s = ST_OK;
  out[n++] = o->out_path;
  out[n++] = h_path;
  if (!o->embed_weights) out[n++] = w_path;
  diag_set_file(o->model_path);
  for (i = 0; i < n && !s; i++) {
    if (path_same_file(o->model_path, out[i]))
      s = diag_error(ST_USAGE, "refusing to overwrite the input model with %s", out[i]);
    for (j = 0; j < i && !s; j++)
      if (path_same_file(out[j], out[i])) s = diag_error(ST_USAGE, "outputs %s and %s are the same file", out[j], out[i]);
  }
  free(h_path);
  free(w_path);
  return s;
}

void compiled_free(compiled *c) {
  if (c->g) plan_free(&c->p, c->g->n_nodes);
  weights_free(&c->weights);
  ir_free(c->g);
  memset(c, 0, sizeof *c);
}
