#include "compile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codegen/c/emit_c.h"
#include "fileio.h"
#include "load.h"

status compile_graph(const compile_options *o, const pipeline_log *log, compiled *out) {
  status s;
  memset(out, 0, sizeof *out);
  diag_set_file(o->model_path);
  s = load_model(o, &out->g);
  if (s) return s;
  s = pipeline_run(out->g, o, log);
  if (s) return s;
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
  const char *h_base = strrchr(h_path, '/') ? strrchr(h_path, '/') + 1 : h_path;
  char *stem = path_stem(o->out_path);
  char *name = c_identifier(o->name ? o->name : stem);
  emit_c_args a;
  text h, src;
  status s;
  a.g = c->g;
  a.p = &c->p;
  a.weights = &c->weights;
  a.name = name;
  a.header_name = h_base;
  a.model_path = o->model_path;
  a.embed_weights = o->embed_weights;
  text_init(&h);
  text_init(&src);
  emit_c_header(&a, &h);
  emit_c_source(&a, &src);
  /* Weights first, then header, then source: if a later write fails the
   * earlier files are removed, so no half set stays behind. */
  s = ST_OK;
  if (!o->embed_weights) s = file_write_atomic(w_path, c->weights.data, c->weights.size);
  if (!s) s = file_write_atomic(h_path, h.buf, h.len);
  if (!s) s = file_write_atomic(o->out_path, src.buf, src.len);
  if (s) {
    remove(h_path);
    if (!o->embed_weights) remove(w_path);
  }
  text_free(&h);
  text_free(&src);
  free(h_path);
  free(w_path);
  free(stem);
  free(name);
  return s;
}

void compiled_free(compiled *c) {
  if (c->g) plan_free(&c->p, c->g->n_nodes);
  weights_free(&c->weights);
  ir_free(c->g);
  memset(c, 0, sizeof *c);
}
