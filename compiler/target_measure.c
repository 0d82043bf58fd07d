/* Reading a target build's map file and call graphs (target_measure.h). */
#include "target_measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/* ---- map file ---- */

static const char *base_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* 0 code, 1 data, 2 bss, -1 not in the image (debug info, notes). */
static int section_kind(const char *name) {
  static const char *const code[] = {".text", ".rodata", ".srodata", ".ARM.exidx", ".ARM.extab", NULL};
  int i;
  for (i = 0; code[i]; i++)
    if (!strncmp(name, code[i], strlen(code[i]))) return 0;
  if (!strncmp(name, ".data", 5) || !strncmp(name, ".sdata", 6)) return 1;
  if (!strncmp(name, ".bss", 4) || !strncmp(name, ".sbss", 5) || !strcmp(name, "COMMON")) return 2;
  return -1;
}

static int object_part(const char *path, const char *gen_obj, const char *rt_prefix, const char *stub_obj) {
  const char *b = base_of(path);
  if (!strcmp(b, stub_obj)) return -1;
  if (!strcmp(b, gen_obj)) return PART_GENERATED;
  if (!strncmp(b, rt_prefix, strlen(rt_prefix)) && !strchr(b, '(')) return PART_RUNTIME;
  return PART_LIBRARY;
}

/* One input section of the map: " NAME ADDR SIZE OBJECT", the name alone
 * on its line when long, the rest on the next. */
static void map_entry(char *name, char *rest, const char *gen_obj, const char *rt_prefix, const char *stub_obj,
                      target_sizes *out) {
  char *end, *path;
  unsigned long long size;
  int kind = section_kind(name), part;
  if (kind < 0) return;
  strtoull(rest, &end, 16); /* the address */
  if (end == rest) return;
  size = strtoull(end, &path, 16);
  if (path == end) return;
  while (*path == ' ') path++;
  if (!*path) return;
  part = object_part(path, gen_obj, rt_prefix, stub_obj);
  if (part < 0) return;
  if (kind == 0) out->code[part] += (size_t)size;
  else if (kind == 1) out->data[part] += (size_t)size;
  else out->bss[part] += (size_t)size;
}

status target_map_sizes(const char *map_path, const char *gen_obj, const char *rt_prefix, const char *stub_obj,
                        target_sizes *out) {
  unsigned char *buf;
  size_t n;
  char *line, *next, *pending = NULL;
  int in_map = 0;
  status s = file_read_all(map_path, &buf, &n);
  memset(out, 0, sizeof *out);
  if (s) return s;
  buf = xrealloc(buf, (unsigned long)n + 1);
  buf[n] = 0;
  for (line = (char *)buf; line && *line; line = next) {
    char *p, *name;
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    /* the discarded sections come first: only the kept ones count */
    if (!strncmp(line, "Linker script and memory map", 28)) in_map = 1;
    if (!in_map) continue;
    if (pending) {
      if (line[0] == ' ' && line[1] == ' ') map_entry(pending, line, gen_obj, rt_prefix, stub_obj, out);
      pending = NULL;
    }
    if (line[0] != ' ' || (line[1] != '.' && strncmp(line + 1, "COMMON", 6) != 0)) continue;
    name = line + 1;
    p = name + strcspn(name, " ");
    if (!*p) {
      pending = name;
      continue;
    }
    *p++ = 0;
    map_entry(name, p, gen_obj, rt_prefix, stub_obj, out);
  }
  free(buf);
  return ST_OK;
}

/* ---- call graphs ---- */

typedef struct cg_fn {
  char *name;
  int file;          /* which .ci: static functions of two files may share a name */
  size_t frame;
  int dynamic;
  int defined;       /* has a frame: compiled here, not an external */
  int n_calls;
  char **callee_names;
  long long depth;   /* -1 not yet, -2 on the current path */
  int next;          /* the callee on the deepest chain, -1 none */
} cg_fn;

typedef struct cg {
  cg_fn *fn;
  int n, cap;
  int recursive;
} cg;

/* The quoted string after KEY in LINE, copied; NULL when absent. */
static char *quoted(const char *line, const char *key) {
  const char *p = strstr(line, key), *e;
  char *s;
  if (!p) return NULL;
  p = strchr(p + strlen(key), '"');
  if (!p) return NULL;
  e = strchr(++p, '"');
  if (!e) return NULL;
  s = xmalloc((unsigned long)(e - p) + 1);
  memcpy(s, p, (size_t)(e - p));
  s[e - p] = 0;
  return s;
}

static int cg_find(const cg *g, const char *name, int file, int want_defined) {
  int i;
  /* backwards: an edge's source was read just before it */
  for (i = g->n - 1; i >= 0; i--)
    if ((file < 0 || g->fn[i].file == file) && (!want_defined || g->fn[i].defined) && !strcmp(g->fn[i].name, name))
      return i;
  return -1;
}

static void cg_node(cg *g, const char *line, int file) {
  char *title = quoted(line, "title:"), *label = quoted(line, "label:");
  const char *b = label ? strstr(label, " bytes (") : NULL;
  cg_fn *f;
  if (!title) {
    free(label);
    return;
  }
  if (g->n == g->cap) {
    g->cap = g->cap ? 2 * g->cap : 256;
    g->fn = xrealloc(g->fn, sizeof(cg_fn) * (unsigned long)g->cap);
  }
  f = &g->fn[g->n++];
  memset(f, 0, sizeof *f);
  f->name = title;
  f->file = file;
  f->depth = -1;
  f->next = -1;
  if (b) {
    /* "...\n128 bytes (static)": the number before " bytes" */
    const char *q = b;
    while (q > label && q[-1] >= '0' && q[-1] <= '9') q--;
    f->frame = (size_t)strtoull(q, NULL, 10);
    f->dynamic = strstr(b, "dynamic") != NULL;
    f->defined = 1;
  }
  free(label);
}

static void cg_edge(cg *g, const char *line, int file) {
  char *src = quoted(line, "sourcename:"), *dst = quoted(line, "targetname:");
  int i = src ? cg_find(g, src, file, 0) : -1;
  if (i >= 0 && dst) {
    cg_fn *f = &g->fn[i];
    f->callee_names = xrealloc(f->callee_names, sizeof(char *) * (unsigned long)(f->n_calls + 1));
    f->callee_names[f->n_calls++] = dst;
    dst = NULL;
  }
  free(src);
  free(dst);
}

static status cg_read(cg *g, const char *path, int file) {
  unsigned char *buf;
  size_t n;
  char *line, *next;
  status s = file_read_all(path, &buf, &n);
  if (s) return s;
  buf = xrealloc(buf, (unsigned long)n + 1);
  buf[n] = 0;
  for (line = (char *)buf; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (!strncmp(line, "node:", 5)) cg_node(g, line, file);
    else if (!strncmp(line, "edge:", 5)) cg_edge(g, line, file);
  }
  free(buf);
  return ST_OK;
}

/* The deepest stack below function I (its own frame included). Callees
 * are looked up where they are defined: the same file first (a static
 * function), then any file (a global one). */
static long long cg_depth(cg *g, int i) {
  cg_fn *f = &g->fn[i];
  long long best = 0;
  int k;
  if (f->depth >= 0) return f->depth;
  if (f->depth == -2) {
    g->recursive = 1;
    return 0;
  }
  f->depth = -2;
  for (k = 0; k < f->n_calls; k++) {
    const char *name = g->fn[i].callee_names[k];
    int c = cg_find(g, name, g->fn[i].file, 1);
    long long d;
    if (c < 0) c = cg_find(g, name, -1, 1);
    if (c < 0) continue; /* the C library, or an indirect call */
    d = cg_depth(g, c);
    if (d > best) {
      best = d;
      g->fn[i].next = c;
    }
  }
  f = &g->fn[i];
  f->depth = (long long)f->frame + best;
  return f->depth;
}

status target_stack_depth(const char *const *ci, int n, const char *root, target_stack *out) {
  cg g;
  int i, r;
  status s = ST_OK;
  size_t len = 0;
  memset(&g, 0, sizeof g);
  memset(out, 0, sizeof *out);
  for (i = 0; i < n && !s; i++) s = cg_read(&g, ci[i], i);
  r = s ? -1 : cg_find(&g, root, -1, 1);
  if (!s && r < 0) s = diag_error(ST_INTERNAL, "the target build's call graphs have no function %s", root);
  if (!s) {
    out->bytes = (size_t)cg_depth(&g, r);
    out->recursive = g.recursive;
    for (i = r; i >= 0; i = g.fn[i].next) {
      const char *sep = i == r ? "" : " > ", *name = base_of(g.fn[i].name);
      /* a static function's title is "/path/file.c:name": file.c:name reads better */
      if (len + strlen(sep) + strlen(name) + 1 >= sizeof out->chain) break;
      len += (size_t)sprintf(out->chain + len, "%s%s", sep, name);
      out->dynamic |= g.fn[i].dynamic;
    }
  }
  for (i = 0; i < g.n; i++) {
    int k;
    for (k = 0; k < g.fn[i].n_calls; k++) free(g.fn[i].callee_names[k]);
    free(g.fn[i].callee_names);
    free(g.fn[i].name);
  }
  free(g.fn);
  return s;
}
