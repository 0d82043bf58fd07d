#include "llvm_backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "compile.h"
#include "fileio.h"
#include "llvm_tools.h"
#include "rt_cache.h"
#include "run.h"

llvm_output llvm_output_of(const char *path) {
  size_t n = strlen(path);
  if (n > 2 && !strcmp(path + n - 2, ".o")) return LLVM_OUT_OBJECT;
  if (n > 3 && !strcmp(path + n - 3, ".ll")) return LLVM_OUT_IR_TEXT;
  if (n > 3 && !strcmp(path + n - 3, ".bc")) return LLVM_OUT_BITCODE;
  return LLVM_OUT_NONE;
}

/* onnxcc's -O1 (the default) is LLVM's -O3: the point of one module is
 * what the optimiser makes of it. -O0 (for debugging a model) keeps
 * LLVM's cheap -O1, so the object still inlines the trivial. */
static const char *llvm_opt(const compile_options *o) { return o->opt_level ? "-O3" : "-O1"; }

/* Flags for C to bitcode: optimised code's attributes (no optnone), but no
 * LLVM pass run yet, so every kernel reaches step 4 whole, before anything
 * was inlined or specialised for no model. The level of step 4 decides the
 * rest, so one runtime module serves -O0 and -O1. */
static void add_bitcode_flags(argvec *a) {
  argvec_add(a, "-O3");
  argvec_add(a, "-Xclang");
  argvec_add(a, "-disable-llvm-passes");
  argvec_add(a, "-emit-llvm");
}

/* All of ENTRY's bitcode files linked into PATH: written to a temporary
 * file beside it and renamed, so a concurrent or interrupted build never
 * leaves a partial module for the next compile. */
static status link_runtime(const llvm_tools *t, const rt_cached *rt, const char *path) {
  char *tmp = xasprintf("%s.tmp-XXXXXX", path);
  argvec a = {0};
  int fd, slot = -1;
  status s;
  cleanup_block();
  fd = mkstemp(tmp);
  if (fd >= 0) slot = cleanup_add(tmp, 0);
  cleanup_unblock();
  if (fd < 0) {
    s = diag_error(ST_IO, "cannot create a file beside '%s': %s", path, strerror(errno));
    free(tmp);
    return s;
  }
  close(fd);
  argvec_add(&a, t->llvm_link);
  argvec_add(&a, "-o");
  argvec_add(&a, tmp);
  s = rt_cached_objects(rt, &a);
  if (!s) s = llvm_run(a.v, "linking the runtime's bitcode");
  if (!s && rename(tmp, path) != 0) s = diag_error(ST_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
  if (s) unlink(tmp);
  cleanup_forget(slot);
  argvec_free(&a);
  free(tmp);
  return s;
}

/* The runtime as one bitcode module for these flags (step 1): rt_cache
 * builds each source with Clang as the compiler, then ENTRY.bc holds them
 * linked, so that llvm-link --only-needed finds every definition a kernel
 * reaches whichever source holds it. */
static status runtime_bitcode(const llvm_tools *t, char **bc, char **include_dir) {
  char *cc[1];
  argvec flags = {0};
  rt_build b;
  rt_cached rt;
  status s;
  cc[0] = t->clang;
  argvec_add_all(&flags, t->flags.v, t->flags.n);
  add_bitcode_flags(&flags);
  b.cc = cc;
  b.n_cc = 1;
  b.flags = flags.v;
  b.n_flags = flags.n;
  b.target = t->triple;
  s = rt_cache_get(&b, &rt);
  if (!s) {
    *bc = xasprintf("%s.bc", rt.obj_dir);
    *include_dir = xstrdup(rt.include_dir);
    if (access(*bc, R_OK) != 0) s = link_runtime(t, &rt, *bc);
    rt_cached_free(&rt);
  }
  argvec_free(&flags);
  return s;
}

/* Step 2: DIR/STEM.c to DIR/model.bc. */
static status model_bitcode(const llvm_tools *t, const char *dir, const char *stem, const char *include_dir) {
  argvec a = {0};
  char *inc = xasprintf("-I%s", include_dir), *src = xasprintf("%s/%s.c", dir, stem);
  char *out = xasprintf("%s/model.bc", dir);
  status s;
  argvec_add(&a, t->clang);
  argvec_add_all(&a, t->flags.v, t->flags.n);
  add_bitcode_flags(&a);
  argvec_add(&a, "-std=c99");
  argvec_add(&a, inc);
  argvec_add(&a, "-c");
  argvec_add(&a, src);
  argvec_add(&a, "-o");
  argvec_add(&a, out);
  s = llvm_run(a.v, "compiling the generated code to bitcode");
  argvec_free(&a);
  free(inc);
  free(src);
  free(out);
  return s;
}

/* Step 3: the model's module whole (its globals are its API: everything
 * else the generated code defines is static), and from the runtime only
 * what it reaches, internalized. */
static status link_model(const llvm_tools *t, const char *dir, const char *runtime_bc) {
  char *in = xasprintf("%s/model.bc", dir), *out = xasprintf("%s/linked.bc", dir);
  char *argv[8];
  status s;
  argv[0] = t->llvm_link;
  argv[1] = "--only-needed";
  argv[2] = "--internalize";
  argv[3] = in;
  argv[4] = (char *)runtime_bc;
  argv[5] = "-o";
  argv[6] = out;
  argv[7] = NULL;
  s = llvm_run(argv, "linking the model with its kernels");
  free(in);
  free(out);
  return s;
}

/* Step 4: optimise the one module and emit DIR/out.o (or the IR). */
static status emit_output(const llvm_tools *t, const compile_options *o, const char *dir, llvm_output kind,
                          char **product) {
  argvec a = {0};
  char *in = xasprintf("%s/linked.bc", dir);
  status s;
  *product = xasprintf("%s/out.%s", dir, kind == LLVM_OUT_OBJECT ? "o" : kind == LLVM_OUT_IR_TEXT ? "ll" : "bc");
  argvec_add(&a, t->clang);
  argvec_add_all(&a, t->flags.v, t->flags.n);
  argvec_add(&a, llvm_opt(o));
  if (kind != LLVM_OUT_OBJECT) argvec_add(&a, "-emit-llvm");
  argvec_add(&a, kind == LLVM_OUT_IR_TEXT ? "-S" : "-c");
  argvec_add(&a, in);
  argvec_add(&a, "-o");
  argvec_add(&a, *product);
  s = llvm_run(a.v, "optimising the model's module");
  argvec_free(&a);
  free(in);
  return s;
}

/* OUT, OUT.h and OUT.weights from DIR, renamed into place together. */
static status write_outputs(const compile_options *o, const char *dir, const char *stem, const char *product) {
  const char *from[3];
  char *to[3], *h = xasprintf("%s/%s.h", dir, stem), *w = xasprintf("%s/%s.weights", dir, stem);
  int n = 0, i;
  file_set set;
  status s = ST_OK;
  from[n] = product, to[n++] = xstrdup(o->out_path);
  from[n] = h, to[n++] = path_with_ext(o->out_path, ".h");
  if (!o->embed_weights) from[n] = w, to[n++] = path_with_ext(o->out_path, ".weights");
  file_set_init(&set);
  for (i = 0; i < n && !s; i++) {
    unsigned char *data = NULL;
    size_t size = 0;
    s = file_read_all(from[i], &data, &size);
    if (!s) s = file_set_add(&set, to[i], data, size);
    free(data);
  }
  if (s) file_set_abort(&set);
  else s = file_set_commit(&set);
  for (i = 0; i < n; i++) free(to[i]);
  free(h);
  free(w);
  return s;
}

/* Steps 1 to 4 in DIR, the generated C written there as STEM.c. */
static status build_in(const compile_options *o, const llvm_tools *t, compiled *c, const char *dir, const char *stem) {
  compile_options w = *o;
  char *rt_bc = NULL, *include_dir = NULL, *product = NULL;
  status s;
  w.out_path = xasprintf("%s/%s.c", dir, stem);
  w.name = o->name ? o->name : stem;
  s = compile_write(&w, c);
  if (!s) s = runtime_bitcode(t, &rt_bc, &include_dir);
  if (!s) s = model_bitcode(t, dir, stem, include_dir);
  if (!s) s = link_model(t, dir, rt_bc);
  if (!s) s = emit_output(t, o, dir, llvm_output_of(o->out_path), &product);
  if (!s) s = write_outputs(o, dir, stem, product);
  free((char *)w.out_path);
  free(rt_bc);
  free(include_dir);
  free(product);
  return s;
}

status llvm_compile(const compile_options *o, const char *triple) {
  llvm_tools t;
  compiled c;
  run_options r;
  char *dir, *stem;
  int slot = -1;
  status s = llvm_tools_find(triple, o->cpu, &t);
  if (s) return s;
  memset(&c, 0, sizeof c);
  s = compile_check_outputs(o);
  if (!s) s = compile_graph(o, NULL, &c);
  if (s) {
    compiled_free(&c);
    llvm_tools_free(&t);
    return s;
  }
  memset(&r, 0, sizeof r);
  dir = make_build_dir(&r, &slot);
  stem = path_stem(o->out_path);
  s = dir ? build_in(o, &t, &c, dir, stem) : ST_IO;
  if (dir) dir_remove_flat(dir);
  cleanup_forget(slot);
  free(dir);
  free(stem);
  compiled_free(&c);
  llvm_tools_free(&t);
  return s;
}
