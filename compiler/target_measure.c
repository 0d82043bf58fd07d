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
  int n_refs;
  char **refs;       /* functions whose address it takes (plain names) */
  long long depth;   /* -1 not known (yet, or only on a path), -2 on the current path */
  int next;          /* the callee on the deepest chain, -1 none */
} cg_fn;

typedef struct cg {
  cg_fn *fn;
  int n, cap;
  int recursive;
  int *path, n_path; /* the functions of the chain being walked, outermost first */
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

/* Whether a call graph's title names the C function NAME: a static
 * function's title is "/path/file.c:name", and GCC's clones of a function
 * ("name.isra.0", "name.constprop.0") are the function for this. */
static int title_is(const char *title, const char *name, size_t len) {
  const char *colon = strrchr(title, ':');
  const char *b = colon ? colon + 1 : title;
  return !strncmp(b, name, len) && (b[len] == 0 || b[len] == '.');
}

/* The function NAME as file FILE sees it: its own (static or not) first,
 * then a global one of any file. */
static int cg_resolve(const cg *g, const char *name, int file) {
  const size_t len = strlen(name);
  int i;
  for (i = 0; i < g->n; i++)
    if (g->fn[i].file == file && g->fn[i].defined && title_is(g->fn[i].name, name, len)) return i;
  return cg_find(g, name, -1, 1);
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

/* Reads PATH whole, NUL-terminated, and calls line_fn on each line. */
static status each_line(const char *path, cg *g, int file, void (*line_fn)(cg *, char *, int, int *), int *state) {
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
    line_fn(g, line, file, state);
  }
  free(buf);
  return ST_OK;
}

static void ci_line(cg *g, char *line, int file, int *state) {
  (void)state;
  if (!strncmp(line, "node:", 5)) cg_node(g, line, file);
  else if (!strncmp(line, "edge:", 5)) cg_edge(g, line, file);
}

/* GCC's -fdump-ipa-cgraph: a function's entry starts at the line's start,
 * "name/order (name) @0x...", and its "  References:" line lists
 * "other/order (addr)" for each function whose address it takes. *state
 * is the entry's function (its index here), -1 before the first or for
 * one the call graph does not have. */
static void refs_line(cg *g, char *line, int file, int *state) {
  const char *slash = strchr(line, '/');
  if (line[0] != ' ' && line[0] && slash && slash[1] >= '0' && slash[1] <= '9') {
    char *name = xmalloc((unsigned long)(slash - line) + 1);
    memcpy(name, line, (size_t)(slash - line));
    name[slash - line] = 0;
    *state = cg_resolve(g, name, file);
    free(name);
  } else if (*state >= 0 && !strncmp(line, "  References:", 13)) {
    cg_fn *f = &g->fn[*state];
    char *p = line + 13;
    for (;;) {
      char *end, *tok;
      while (*p == ' ') p++;
      end = p + strcspn(p, " ");
      if (!*p) break;
      tok = p;
      p = *end ? end + 1 : end;
      *end = 0;
      /* "name/7" then "(addr)" */
      if (strchr(tok, '/') && !strncmp(p, "(addr)", 6)) {
        *strchr(tok, '/') = 0;
        f->refs = xrealloc(f->refs, sizeof(char *) * (unsigned long)(f->n_refs + 1));
        f->refs[f->n_refs++] = xstrdup(tok);
      }
    }
  }
}

/* The deepest stack below function I (its own frame included). Callees
 * are looked up where they are defined: the same file first (a static
 * function), then any file (a global one). A call through a pointer may
 * reach any function whose address a function on the chain took (a split
 * kernel hands its task body to rt_parallel_run, which calls it), except
 * one already on the chain; a depth that used such a call depends on the
 * chain above it and is not kept. *path_bound says so to the caller. */
static long long cg_depth(cg *g, int i, int *path_bound) {
  long long best = 0;
  int k, bound = 0;
  if (g->fn[i].depth >= 0) return g->fn[i].depth;
  if (g->fn[i].depth == -2) {
    g->recursive = 1;
    return 0;
  }
  g->fn[i].depth = -2;
  g->fn[i].next = -1;
  g->path[g->n_path++] = i;
  for (k = 0; k < g->fn[i].n_calls; k++) {
    const char *name = g->fn[i].callee_names[k];
    int q, r;
    if (!strcmp(name, "__indirect_call")) {
      for (q = 0; q < g->n_path; q++) {
        const cg_fn *holder = &g->fn[g->path[q]];
        for (r = 0; r < holder->n_refs; r++) {
          const int c = cg_resolve(g, holder->refs[r], holder->file);
          long long d;
          if (c < 0 || g->fn[c].depth == -2) continue;
          bound = 1;
          d = cg_depth(g, c, &bound);
          if (d > best) {
            best = d;
            g->fn[i].next = c;
          }
        }
      }
    } else {
      int c = cg_find(g, name, g->fn[i].file, 1);
      long long d;
      if (c < 0) c = cg_find(g, name, -1, 1);
      if (c < 0) continue; /* the C library */
      d = cg_depth(g, c, &bound);
      if (d > best) {
        best = d;
        g->fn[i].next = c;
      }
    }
  }
  g->n_path--;
  g->fn[i].depth = bound ? -1 : (long long)g->fn[i].frame + best;
  *path_bound |= bound;
  return (long long)g->fn[i].frame + best;
}

status target_stack_depth(const char *const *ci, const char *const *refs, int n, const char *root,
                          target_stack *out) {
  cg g;
  int i, r, bound = 0;
  status s = ST_OK;
  size_t len = 0;
  memset(&g, 0, sizeof g);
  memset(out, 0, sizeof *out);
  for (i = 0; i < n && !s; i++) s = each_line(ci[i], &g, i, ci_line, NULL);
  for (i = 0; refs && i < n && !s; i++) {
    int state = -1;
    if (refs[i]) s = each_line(refs[i], &g, i, refs_line, &state);
  }
  r = s ? -1 : cg_find(&g, root, -1, 1);
  if (!s && r < 0) s = diag_error(ST_INTERNAL, "the target build's call graphs have no function %s", root);
  if (!s) {
    g.path = xmalloc(sizeof(int) * (unsigned long)g.n);
    out->bytes = (size_t)cg_depth(&g, r, &bound);
    out->recursive = g.recursive;
    /* The chain: each function's `next` is that of its last walk, which
     * for one whose depth hung on the chain above may have been under
     * another chain; so each is walked again with this chain above it. */
    for (i = r; i >= 0; i = g.fn[i].next) {
      const char *sep = i == r ? "" : " > ", *name = base_of(g.fn[i].name);
      if (g.fn[i].depth < 0) (void)cg_depth(&g, i, &bound);
      g.path[g.n_path++] = i;
      g.fn[i].depth = -2;
      /* a static function's title is "/path/file.c:name": file.c:name reads better */
      if (len + strlen(sep) + strlen(name) + 1 < sizeof out->chain)
        len += (size_t)sprintf(out->chain + len, "%s%s", sep, name);
      out->dynamic |= g.fn[i].dynamic;
    }
    free(g.path);
  }
  for (i = 0; i < g.n; i++) {
    int k;
    for (k = 0; k < g.fn[i].n_calls; k++) free(g.fn[i].callee_names[k]);
    for (k = 0; k < g.fn[i].n_refs; k++) free(g.fn[i].refs[k]);
    free(g.fn[i].callee_names);
    free(g.fn[i].refs);
    free(g.fn[i].name);
  }
  free(g.fn);
  return s;
}
