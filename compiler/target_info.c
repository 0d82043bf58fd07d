/* `onnxcc info MODEL --target TRIPLE` (target_info.h). The numbers come
 * from a real build for the target: the generated code and every runtime
 * source compiled at -Os with one section per function, linked with a
 * main that calls only init and run under --gc-sections (so the link keeps
 * what a firmware keeps), the map file read per object, and GCC's call
 * graphs with frame sizes (-fcallgraph-info=su) walked from NAME_run and
 * NAME_init for the stack. */
#include "target_info.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../codegen/text.h"
#include "cleanup.h"
#include "fileio.h"
#include "rt_cache.h"
#include "run.h"
#include "subprocess.h"
#include "target.h"
#include "target_measure.h"

#define MAX_FLAGS TARGET_MAX_FLAGS

/* The host: `info --target` of its own triple measures a plain build. */
static const target_desc host = {ONNXCC_HOST_TRIPLE, NULL, "cc", {NULL}, 0, NULL, NULL, NULL, NULL, NULL, {NULL, NULL, NULL}};

/* The measuring program: only the entry points, as a firmware calls them. */
static const char stub_c[] =
    "#include \"model.h\"\n"
    "int main(void);\n"
    "int main(void) {\n"
    "  static model_ctx ctx;\n"
    "  if (model_init(&ctx, (const void *)0, 0, (void *)0, 0) != 0) return 1;\n"
    "  return model_run(&ctx, (const void *const *)0, (void *const *)0);\n"
    "}\n";

status target_check(const char *triple) {
  const target_desc *t;
  return target_find(triple, &t);
}

/* Runs one compiler command; its output is the error message. */
static status run_cc(char **argv, const char *what) {
  text log;
  int st;
  status s = ST_OK;
  text_init(&log);
  if (spawn_capture(argv, &log, &st) != 0)
    s = diag_error(ST_IO, "cannot run %s for --target: %s", argv[0], strerror(errno));
  else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    s = diag_error(ST_INTERNAL, "%s failed building %s for --target:\n%s", argv[0], what, log.buf ? log.buf : "");
  text_free(&log);
  return s;
}

/* SRC compiled to OBJ at -Os, one section per function, with its call
 * graph beside OBJ (.ci) and the functions whose address each function
 * takes (.cgraph, GCC's dump of its call graph before inlining). */
static status compile_one(const target_desc *t, const char *rt_root, const char *dir, const char *src,
                          const char *obj) {
  char *argv[MAX_FLAGS + 20];
  char *inc = xasprintf("-I%s/include", rt_root), *gen = xasprintf("-I%s", dir);
  char *refs = xasprintf("-fdump-ipa-cgraph=%.*s.cgraph", (int)(strlen(obj) - 2), obj);
  int n = 0, i;
  status s;
  argv[n++] = (char *)t->cc;
  for (i = 0; t->flags[i]; i++) argv[n++] = (char *)t->flags[i];
  argv[n++] = "-Os";
  argv[n++] = "-std=c99";
  argv[n++] = "-ffunction-sections";
  argv[n++] = "-fdata-sections";
  /* unwind tables are no part of a firmware image */
  argv[n++] = "-fno-asynchronous-unwind-tables";
  argv[n++] = "-fcallgraph-info=su";
  argv[n++] = refs;
  argv[n++] = inc;
  argv[n++] = gen;
  argv[n++] = "-c";
  argv[n++] = (char *)src;
  argv[n++] = "-o";
  argv[n++] = (char *)obj;
  argv[n] = NULL;
  s = run_cc(argv, src);
  free(inc);
  free(gen);
  free(refs);
  return s;
}

typedef struct objs {
  char **o;    /* object files */
  char **ci;   /* their call graphs */
  char **refs; /* their functions' address references */
  int n;
} objs;

static void objs_add(objs *b, char *obj) {
  size_t len = strlen(obj);
  b->o = xrealloc(b->o, sizeof(char *) * (unsigned long)(b->n + 1));
  b->ci = xrealloc(b->ci, sizeof(char *) * (unsigned long)(b->n + 1));
  b->refs = xrealloc(b->refs, sizeof(char *) * (unsigned long)(b->n + 1));
  b->o[b->n] = obj;
  b->ci[b->n] = xasprintf("%.*s.ci", (int)(len - 2), obj);
  b->refs[b->n] = xasprintf("%.*s.cgraph", (int)(len - 2), obj);
  b->n++;
}

static void objs_free(objs *b) {
  int i;
  for (i = 0; i < b->n; i++) {
    free(b->o[i]);
    free(b->ci[i]);
    free(b->refs[i]);
  }
  free(b->o);
  free(b->ci);
  free(b->refs);
}

/* model.c, main.c, then every runtime source (RT_ROOT/src) as rt_NAME.o. */
static status compile_all(const target_desc *t, const char *rt_root, const char *dir, objs *b) {
  static const char *const own[] = {"model", "main"};
  char *src_dir;
  DIR *d;
  struct dirent *e;
  status s = ST_OK;
  int i;
  for (i = 0; i < 2 && !s; i++) {
    char *src = xasprintf("%s/%s.c", dir, own[i]);
    objs_add(b, xasprintf("%s/%s.o", dir, own[i]));
    s = compile_one(t, rt_root, dir, src, b->o[b->n - 1]);
    free(src);
  }
  src_dir = xasprintf("%s/src", rt_root);
  d = s ? NULL : opendir(src_dir);
  if (!s && !d) s = diag_error(ST_IO, "cannot read the runtime sources %s: %s", src_dir, strerror(errno));
  while (!s && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    char *src;
    if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0) continue;
    src = xasprintf("%s/%s", src_dir, e->d_name);
    objs_add(b, xasprintf("%s/rt_%.*s.o", dir, (int)(len - 2), e->d_name));
    s = compile_one(t, rt_root, dir, src, b->o[b->n - 1]);
    free(src);
  }
  if (d) closedir(d);
  free(src_dir);
  return s;
}

static status link_all(const target_desc *t, const char *dir, const objs *b) {
  char **argv = xcalloc((unsigned long)b->n + MAX_FLAGS + 16, sizeof(char *));
  char *map = xasprintf("-Wl,-Map=%s/prog.map", dir), *prog = xasprintf("%s/prog", dir);
  int n = 0, i;
  status s;
  argv[n++] = (char *)t->cc;
  for (i = 0; t->flags[i]; i++) argv[n++] = (char *)t->flags[i];
  argv[n++] = "-Os";
  argv[n++] = "-Wl,--gc-sections";
  argv[n++] = map;
  if (t->bare) {
    /* a firmware's start-up code is its own; main stands in for it */
    argv[n++] = "-nostartfiles";
    argv[n++] = "-Wl,-emain";
    argv[n++] = "--specs=nosys.specs";
  }
  for (i = 0; i < b->n; i++) argv[n++] = b->o[i];
  argv[n++] = "-lm";
  argv[n++] = "-o";
  argv[n++] = prog;
  argv[n] = NULL;
  s = run_cc(argv, "the measuring program");
  free(argv);
  free(map);
  free(prog);
  return s;
}

static void print_table(const target_desc *t, const compiled *c, const target_sizes *z, const target_stack *run,
                        const target_stack *init) {
  size_t onnxcc_code = z->code[PART_GENERATED] + z->code[PART_RUNTIME];
  size_t data = z->data[PART_GENERATED] + z->data[PART_RUNTIME];
  size_t bss = z->bss[PART_GENERATED] + z->bss[PART_RUNTIME];
  const target_stack *deep = run->bytes >= init->bytes ? run : init;
  size_t flash = onnxcc_code + data + c->weights.size;
  size_t ram = c->p.arena_bytes + deep->bytes + data + bss;
  int i;
  printf("target   %s (%s", t->triple, t->cc);
  for (i = 0; t->flags[i]; i++) printf(" %s", t->flags[i]);
  printf(" -Os, --gc-sections)\n");
  printf("flash    %zu bytes\n", flash);
  printf("  generated code   %8zu\n", z->code[PART_GENERATED]);
  printf("  runtime kernels  %8zu\n", z->code[PART_RUNTIME]);
  printf("  onnxcc code      %8zu (the two above)\n", onnxcc_code);
  printf("  initialised data %8zu\n", data);
  printf("  weights          %8zu\n", c->weights.size);
  printf("  C library        %8zu (not counted above: memcpy, libm, libgcc, start-up code)\n",
         z->code[PART_LIBRARY] + z->data[PART_LIBRARY]);
  printf("RAM      %zu bytes\n", ram);
  printf("  arena            %8zu\n", c->p.arena_bytes);
  printf("  stack            %8zu (%s%s%s)\n", deep->bytes, deep->chain,
         deep->dynamic ? "; a frame there is sized at run time" : "",
         deep->recursive ? "; recursion: no bound" : "");
  printf("  static data      %8zu (.data and .bss of the code above)\n", data + bss);
}

static status measure(const target_desc *t, const char *rt_root, const compile_options *o, compiled *c,
                      const char *dir) {
  compile_options w = *o;
  objs b;
  target_sizes z;
  target_stack run, init;
  char *path = xasprintf("%s/main.c", dir), *map = xasprintf("%s/prog.map", dir);
  status s;
  memset(&b, 0, sizeof b);
  w.out_path = xasprintf("%s/model.c", dir);
  w.name = "model";
  w.embed_weights = 0;
  w.weights_section = NULL;
  s = compile_write(&w, c);
  if (!s) s = file_write_atomic(path, stub_c, sizeof stub_c - 1);
  if (!s) s = compile_all(t, rt_root, dir, &b);
  if (!s) s = link_all(t, dir, &b);
  if (!s) s = target_map_sizes(map, "model.o", "rt_", "main.o", &z);
  if (!s) s = target_stack_depth((const char *const *)b.ci, (const char *const *)b.refs, b.n, "model_run", &run);
  if (!s) s = target_stack_depth((const char *const *)b.ci, (const char *const *)b.refs, b.n, "model_init", &init);
  if (!s) print_table(t, c, &z, &run, &init);
  objs_free(&b);
  free((char *)w.out_path);
  free(path);
  free(map);
  return s;
}

status target_info(const compile_options *o, compiled *c, const char *triple) {
  const target_desc *t;
  run_options r;
  char *dir, *rt_root;
  int slot = -1;
  status s = target_find(triple, &t);
  if (s) return s;
  if (!t) t = &host;
  else if ((s = target_check_tools(t, 0)) != ST_OK) return s;
  rt_root = rt_source_root();
  if (!rt_root) return ST_IO;
  memset(&r, 0, sizeof r);
  dir = make_build_dir(&r, &slot);
  if (!dir) {
    free(rt_root);
    return ST_IO;
  }
  s = measure(t, rt_root, o, c, dir);
  dir_remove_flat(dir);
  cleanup_forget(slot);
  free(dir);
  free(rt_root);
  return s;
}
