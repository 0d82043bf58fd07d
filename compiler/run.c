#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../codegen/template.h"
#include "compile.h"
#include "fileio.h"
#include "tensor_pb.h"

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d) return;
  while ((e = readdir(d))) {
    char *p;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    p = xasprintf("%s/%s", dir, e->d_name);
    remove(p);
    free(p);
  }
  closedir(d);
  rmdir(dir);
}

static int exists(const char *p) { return access(p, R_OK) == 0; }

/* The runtime's headers and library: the build tree, else the install. */
static void runtime_paths(const char **inc, const char **lib) {
  if (exists(ONNXCC_BUILD_RT_LIB) && exists(ONNXCC_BUILD_RT_INCLUDE "/onnxcc/runtime.h")) {
    *inc = ONNXCC_BUILD_RT_INCLUDE;
    *lib = ONNXCC_BUILD_RT_LIB;
  } else {
    *inc = ONNXCC_INSTALL_RT_INCLUDE;
    *lib = ONNXCC_INSTALL_RT_LIB;
  }
}

/* Runs a shell command, capturing its output (stdout+stderr) into *out. */
static int run_shell(const char *cmd, text *out) {
  FILE *p = popen(cmd, "r");
  char buf[4096];
  size_t n;
  int st;
  if (!p) return -1;
  while ((n = fread(buf, 1, sizeof buf - 1, p)) > 0) {
    buf[n] = 0;
    text_puts(out, buf);
  }
  st = pclose(p);
  return st;
}

/* Simple deterministic generator for random inputs (xorshift64*). */
static uint64_t next_rand(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static void random_fill(ir_tensor *t, uint64_t *state) {
  int64_t i, n = tensor_numel(t);
  t->data = xcalloc(1, tensor_bytes(t) + 1);
  for (i = 0; i < n; i++) {
    uint64_t r = next_rand(state);
    double u = (double)(r >> 11) / 9007199254740992.0; /* [0,1) */
    switch (t->dtype) {
    case DT_FLOAT: ((float *)t->data)[i] = (float)(2.0 * u - 1.0); break;
    case DT_DOUBLE: ((double *)t->data)[i] = 2.0 * u - 1.0; break;
    case DT_BOOL: ((uint8_t *)t->data)[i] = (uint8_t)(r >> 63); break;
    default: {
      /* small non-negative integers: valid as indices of most dims */
      ir_tensor one = *t;
      int64_t v = (int64_t)(u * 4.0);
      size_t es = dtype_size(t->dtype);
      one.data = (unsigned char *)t->data + (size_t)i * es;
      memcpy(one.data, &v, es); /* little-endian: low bytes of v */
      break;
    }
    }
  }
}

static status build_program(const char *dir, text *log) {
  const char *inc, *lib;
  const char *cc = getenv("CC");
  char *cmd;
  int st;
  runtime_paths(&inc, &lib);
  if (!cc || !*cc) cc = "cc";
  cmd = xasprintf("%s -O3 -march=native -std=c99 -I'%s' -I'%s' '%s/model.c' '%s/driver.c' '%s' -lm -o '%s/prog' 2>&1",
                  cc, inc, dir, dir, dir, lib, dir);
  st = run_shell(cmd, log);
  free(cmd);
  if (st != 0)
    return diag_error(ST_INTERNAL, "building the generated code failed (CC=%s):\n%s", cc, log->buf ? log->buf : "");
  return ST_OK;
}

status run_command(run_options *r) {
  char *dir = NULL, *model_c = NULL, *path = NULL, *cmd = NULL;
  ir_tensor *in_t = NULL;
  compiled c;
  text src, log;
  status s = ST_OK;
  int i, st;
  double median = 0, minimum = 0;
  uint64_t state = r->seed * 0x9E3779B97F4A7C15ull + 1;
  const char *vars[] = {"VERSION", ONNXCC_VERSION, NULL};

  memset(&c, 0, sizeof c);
  text_init(&src);
  text_init(&log);
  in_t = xcalloc((unsigned long)r->n_inputs + 1, sizeof(ir_tensor));
  if (r->n_inputs > OPT_MAX_PINS) return diag_error(ST_USAGE, "at most %d input files", OPT_MAX_PINS);
  for (i = 0; i < r->n_inputs; i++) {
    int d;
    s = tensor_read_file(r->inputs[i], &in_t[i], NULL);
    if (s) goto done;
    r->c.positional[i].rank = in_t[i].rank;
    for (d = 0; d < in_t[i].rank; d++) r->c.positional[i].dims[d] = in_t[i].dims[d];
  }
  r->c.n_positional = r->n_inputs;

  {
    const char *tmp = getenv("TMPDIR");
    dir = xasprintf("%s/onnxcc-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
      s = diag_error(ST_IO, "cannot create a temporary folder in %s: %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
      free(dir);
      dir = NULL;
      goto done;
    }
  }
  model_c = xasprintf("%s/model.c", dir);
  r->c.out_path = model_c;
  r->c.name = "model";
  r->c.embed_weights = 0;
  s = compile_graph(&r->c, NULL, &c);
  if (s) goto done;
  if (r->n_inputs && r->n_inputs != c.g->n_inputs) {
    s = diag_error(ST_USAGE, "the model has %d inputs but %d input files were given", c.g->n_inputs, r->n_inputs);
    goto done;
  }
  s = compile_write(&r->c, &c);
  if (s) goto done;

  for (i = 0; i < c.g->n_inputs; i++) {
    const ir_value *v = c.g->values[c.g->inputs[i]];
    char *p;
    if (i < r->n_inputs) {
      if (in_t[i].dtype != v->t.dtype) {
        s = diag_error(ST_USAGE, "%s is %s but the model's input '%s' is %s", r->inputs[i], dtype_name(in_t[i].dtype),
                       v->name, dtype_name(v->t.dtype));
        goto done;
      }
    } else {
      in_t = xrealloc(in_t, sizeof(ir_tensor) * (size_t)(i + 1));
      in_t[i] = v->t;
      in_t[i].data = NULL;
      random_fill(&in_t[i], &state);
    }
    p = xasprintf("%s/in_%d.bin", dir, i);
    s = file_write_atomic(p, in_t[i].data, tensor_bytes(&in_t[i]));
    free(p);
    if (s) goto done;
  }

  template_expand(&src, tmpl_driver_c, vars);
  path = xasprintf("%s/driver.c", dir);
  s = file_write_atomic(path, src.buf, src.len);
  free(path);
  if (s) goto done;
  s = build_program(dir, &log);
  if (s) goto done;

  {
    text args;
    text_init(&args);
    for (i = 0; i < c.g->n_inputs; i++) text_printf(&args, " '%s/in_%d.bin'", dir, i);
    cmd = xasprintf("'%s/prog' '%s/model.weights' %d %d '%s'%s 2>&1", dir, dir, r->runs, r->warmup, dir,
                    args.buf ? args.buf : "");
    text_free(&args);
  }
  text_free(&log);
  text_init(&log);
  st = run_shell(cmd, &log);
  if (st != 0) {
    if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 128))
      s = diag_error(ST_INTERNAL, "the compiled model crashed:\n%s", log.buf ? log.buf : "");
    else
      s = diag_error(ST_INTERNAL, "the compiled model failed:\n%s", log.buf ? log.buf : "");
    goto done;
  }
  {
    const char *t = log.buf ? strstr(log.buf, "ONNXCC_TIMES ") : NULL;
    if (!t || sscanf(t, "ONNXCC_TIMES %lf %lf", &median, &minimum) != 2) {
      s = diag_error(ST_INTERNAL, "the compiled model printed no timings:\n%s", log.buf ? log.buf : "");
      goto done;
    }
  }

  if (r->output_dir) {
    if (mkdir(r->output_dir, 0777) != 0 && errno != EEXIST) {
      s = diag_error(ST_IO, "cannot create '%s': %s", r->output_dir, strerror(errno));
      goto done;
    }
    for (i = 0; i < c.g->n_outputs && !s; i++) {
      const ir_value *v = c.g->values[c.g->outputs[i]];
      ir_tensor t = v->t;
      unsigned char *data;
      size_t n;
      char *raw = xasprintf("%s/output_%d.bin", dir, i);
      char *pb = xasprintf("%s/output_%d.pb", r->output_dir, i);
      s = file_read_all(raw, &data, &n);
      if (!s) {
        if (n != tensor_bytes(&t)) {
          s = diag_error(ST_INTERNAL, "output %d has %zu bytes, expected %zu", i, n, tensor_bytes(&t));
        } else {
          t.data = data;
          s = tensor_write_file(pb, &t, v->name);
        }
        free(data);
      }
      free(raw);
      free(pb);
    }
    if (s) goto done;
  }
  {
    text j;
    text_init(&j);
    const char *q;
    text_puts(&j, "{\"model\": \"");
    for (q = r->c.model_path; *q; q++) {
      if (*q == '"' || *q == '\\') text_printf(&j, "\\%c", *q);
      else if ((unsigned char)*q < 32) text_printf(&j, "\\u%04x", (unsigned char)*q);
      else text_printf(&j, "%c", *q);
    }
    text_puts(&j, "\"");
    text_printf(&j, ", \"runs\": %d, \"median_ms\": %.4f, \"min_ms\": %.4f}\n", r->runs, median, minimum);
    fputs(j.buf, stdout);
    text_free(&j);
  }

done:
  if (dir) {
    if (r->keep) fprintf(stderr, "onnxcc: kept build folder %s\n", dir);
    else remove_tree(dir);
  }
  for (i = 0; i < (c.g ? c.g->n_inputs : 0) || i < r->n_inputs; i++) free(in_t[i].data);
  free(in_t);
  free(dir);
  free(model_c);
  free(cmd);
  text_free(&src);
  text_free(&log);
  compiled_free(&c);
  return s;
}
