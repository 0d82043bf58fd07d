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
static status each_line(const char *path, cg *g, int file, void (*line_fn)(cg *, char *, int, void *), void *state) {
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

static void ci_line(cg *g, char *line, int file, void *state) {
  (void)state;
  if (!strncmp(line, "node:", 5)) cg_node(g, line, file);
  else if (!strncmp(line, "edge:", 5)) cg_edge(g, line, file);
}

static void add_name(char ***list, int *n, const char *name) {
  int i;
  for (i = 0; i < *n; i++)
    if (!strcmp((*list)[i], name)) return;
  *list = xrealloc(*list, sizeof(char *) * (unsigned long)(*n + 1));
  (*list)[(*n)++] = xstrdup(name);
}

/* One function of a -fdump-ipa-cgraph dump: the functions whose address
 * it takes, and its callers. */
typedef struct dump_fn {
  char *name;
  char **refs, **callers;
  int n_refs, n_callers;
} dump_fn;

typedef struct dump {
  dump_fn *fn;
  int n, cur; /* cur: the entry being read, -1 before the first */
} dump;

/* The names in LINE after its label, each "name/order", kept when the
 * token after it starts with WANT ("(addr)"), or always (WANT NULL). */
static void dump_names(char *p, const char *want, char ***list, int *n) {
  for (;;) {
    char *end, *tok, *slash;
    while (*p == ' ') p++;
    if (!*p) break;
    end = p + strcspn(p, " ");
    tok = p;
    p = *end ? end + 1 : end;
    *end = 0;
    slash = strchr(tok, '/');
    if (slash && (!want || !strncmp(p, want, strlen(want)))) {
      *slash = 0;
      add_name(list, n, tok);
    }
  }
}

/* GCC's -fdump-ipa-cgraph, taken before inlining: an entry starts at the
 * line's start, "name/order (name) @0x...", then "  References:" lists
 * "other/order (addr)" for each function whose address it takes and
 * "  Called by:" its callers. The dump prints the graph more than once;
 * an entry seen again adds to the first. */
static void dump_line(cg *g, char *line, int file, void *state) {
  dump *d = (dump *)state;
  const char *slash = strchr(line, '/');
  (void)g;
  (void)file;
  if (line[0] != ' ' && line[0] && slash && slash[1] >= '0' && slash[1] <= '9' && strstr(line, " @0x")) {
    int i;
    char *name = xmalloc((unsigned long)(slash - line) + 1);
    memcpy(name, line, (size_t)(slash - line));
    name[slash - line] = 0;
    for (i = 0; i < d->n && strcmp(d->fn[i].name, name); i++) continue;
    if (i == d->n) {
      d->fn = xrealloc(d->fn, sizeof(dump_fn) * (unsigned long)(d->n + 1));
      memset(&d->fn[d->n], 0, sizeof(dump_fn));
      d->fn[d->n++].name = name;
    } else {
      free(name);
    }
    d->cur = i;
  } else if (line[0] != ' ') {
    d->cur = -1;
  } else if (d->cur >= 0 && !strncmp(line, "  References:", 13)) {
    dump_names(line + 13, "(addr)", &d->fn[d->cur].refs, &d->fn[d->cur].n_refs);
  } else if (d->cur >= 0 && !strncmp(line, "  Called by:", 12)) {
    dump_names(line + 12, NULL, &d->fn[d->cur].callers, &d->fn[d->cur].n_callers);
  }
}

/* Gives entry k's references to its function in FILE's call graph, or,
 * where inlining took it away (conv_gemm into each conv kernel), to the
 * nearest callers that are still there. seen[] marks the entries walked. */
static void attach_refs(cg *g, int file, const dump *d, int k, const dump_fn *from, char *seen) {
  const int f = cg_resolve(g, d->fn[k].name, file);
  int c, i, r;
  if (seen[k]) return;
  seen[k] = 1;
  if (f >= 0) {
    for (r = 0; r < from->n_refs; r++) add_name(&g->fn[f].refs, &g->fn[f].n_refs, from->refs[r]);
    return;
  }
  for (c = 0; c < d->fn[k].n_callers; c++)
    for (i = 0; i < d->n; i++)
      if (!strcmp(d->fn[i].name, d->fn[k].callers[c])) attach_refs(g, file, d, i, from, seen);
}

static void dump_free(dump *d) {
  int i, k;
  for (i = 0; i < d->n; i++) {
    for (k = 0; k < d->fn[i].n_refs; k++) free(d->fn[i].refs[k]);
    for (k = 0; k < d->fn[i].n_callers; k++) free(d->fn[i].callers[k]);
    free(d->fn[i].refs);
    free(d->fn[i].callers);
    free(d->fn[i].name);
  }
  free(d->fn);
}

/* File FILE's dump at PATH: each function's references, on the functions
 * of the call graph. */
static status read_refs(cg *g, const char *path, int file) {
  dump d;
  status s;
  int k;
  memset(&d, 0, sizeof d);
  d.cur = -1;
  s = each_line(path, g, file, dump_line, &d);
  for (k = 0; !s && k < d.n; k++)
    if (d.fn[k].n_refs) {
      char *seen = xcalloc((unsigned long)d.n, 1);
      attach_refs(g, file, &d, k, &d.fn[k], seen);
      free(seen);
    }
  dump_free(&d);
  return s;
}

/* The deepest stack below function I (its own frame included). Callees
 * are looked up where they are defined: the same file first (a static
 * function), then any file (a global one). A call through a pointer may
 * reach the functions whose address the innermost function on the chain
 * that took any took (a split kernel hands its task body to
 * rt_parallel_run, which calls it), but those already on the chain (then
 * the next one out: rt_parallel_ranges' range_task calls the kernel's
 * body); a depth that used such a call depends on the chain above it and
 * is not kept. *path_bound says so to the caller. */
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
    int q, r, found;
    if (!strcmp(name, "__indirect_call")) {
      /* where it leads hangs on the chain, even where this chain gives it nowhere */
      bound = 1;
      /* the innermost holder of a reference that is not on the chain
       * already: rt_parallel_run called by run_tiles runs run_tiles' tile
       * task, not a task its kernel further up took the address of */
      for (q = g->n_path - 1, found = 0; q >= 0 && !found; q--) {
        const cg_fn *holder = &g->fn[g->path[q]];
        for (r = 0; r < holder->n_refs; r++) {
          const int c = cg_resolve(g, holder->refs[r], holder->file);
          long long d;
          if (c < 0 || g->fn[c].depth == -2) continue;
          found = 1;
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
  for (i = 0; refs && i < n && !s; i++)
    if (refs[i]) s = read_refs(&g, refs[i], i);
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
