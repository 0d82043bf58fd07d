#include "rt_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

/* Bump when the way an entry is built changes, so old entries are not used. */
#define RT_CACHE_FORMAT "onnxcc-runtime-cache 1"

static int readable(const char *p) { return access(p, R_OK) == 0; }

static int is_source_root(const char *root) {
  char *a = xasprintf("%s/src/blob.c", root), *b = xasprintf("%s/include/onnxcc/runtime.h", root);
  int ok = readable(a) && readable(b);
  free(a);
  free(b);
  return ok;
}

char *rt_source_root(void) {
  char *exe = realpath("/proc/self/exe", NULL);
  if (exe) {
    char *bindir = path_dirname(exe), *p = xasprintf("%s/%s", bindir, ONNXCC_BINDIR_TO_RT_SRC);
    free(bindir);
    free(exe);
    if (is_source_root(p)) return p;
    free(p);
  }
  if (is_source_root(ONNXCC_BUILD_RT_SRC)) return xstrdup(ONNXCC_BUILD_RT_SRC);
  if (is_source_root(ONNXCC_INSTALL_RT_SRC)) return xstrdup(ONNXCC_INSTALL_RT_SRC);
  diag_error(ST_IO, "cannot find the runtime's sources (looked beside the binary, in %s and in %s)",
             ONNXCC_BUILD_RT_SRC, ONNXCC_INSTALL_RT_SRC);
  return NULL;
}

char *rt_firmware_dir(void) {
  static const char *const layouts[] = {"firmware", "../cross/firmware"};
  char *root = rt_source_root();
  int i;
  for (i = 0; root && i < 2; i++) {
    char *dir = xasprintf("%s/%s", root, layouts[i]), *probe = xasprintf("%s/startup.c", dir);
    int ok = readable(probe);
    free(probe);
    if (ok) {
      free(root);
      return dir;
    }
    free(dir);
  }
  if (root) diag_error(ST_IO, "cannot find the firmware files (startup.c) in %s/firmware or %s/../cross/firmware", root, root);
  free(root);
  return NULL;
}

/* ---- the key ---- */

static void fnv(uint64_t *h, const void *data, size_t n) {
  const unsigned char *p = data;
  size_t i;
  for (i = 0; i < n; i++) *h = (*h ^ p[i]) * 1099511628211ull;
}

static void fnv_str(uint64_t *h, const char *s) { fnv(h, s, strlen(s) + 1); }

static int c_or_h(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 2 && e->d_name[n - 2] == '.' && (e->d_name[n - 1] == 'c' || e->d_name[n - 1] == 'h');
}

/* Every .c and .h of DIR, by name and contents, in a fixed order. */
static status hash_dir(uint64_t *h, const char *dir) {
  struct dirent **list;
  int n = scandir(dir, &list, c_or_h, alphasort), i;
  status s = ST_OK;
  if (n < 0) return diag_error(ST_IO, "cannot read the runtime's sources in '%s': %s", dir, strerror(errno));
  for (i = 0; i < n; i++) {
    char *p = xasprintf("%s/%s", dir, list[i]->d_name);
    unsigned char *data = NULL;
    size_t size = 0;
    if (!s) s = file_read_all(p, &data, &size);
    if (!s) {
      fnv_str(h, list[i]->d_name);
      fnv(h, &size, sizeof size);
      fnv(h, data, size);
    }
    free(data);
    free(p);
    free(list[i]);
  }
  free(list);
  return s;
}

/* What the compiler says it is: a new compiler version is a new entry. */
static status hash_compiler(uint64_t *h, const rt_build *b) {
  argvec a = {0};
  text out;
  int st;
  status s = ST_OK;
  argvec_add_all(&a, b->cc, b->n_cc);
  argvec_add(&a, "-v");
  text_init(&out);
  if (spawn_capture(a.v, &out, &st) != 0)
    s = diag_error(ST_IO, "cannot run the C compiler '%s': %s", b->cc[0], strerror(errno));
  else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    s = diag_error(ST_IO, "'%s -v' failed:\n%s", b->cc[0], out.buf ? out.buf : "");
  else
    fnv_str(h, out.buf ? out.buf : "");
  text_free(&out);
  argvec_free(&a);
  return s;
}

static status cache_key(const rt_build *b, const char *src_root, uint64_t *key) {
  static const char *const dirs[] = {"src", "include/onnxcc", "include/onnxcc/kernels"};
  status s;
  int i;
  *key = 14695981039346656037ull;
  fnv_str(key, RT_CACHE_FORMAT);
  fnv_str(key, b->target);
  for (i = 0; i < b->n_cc; i++) fnv_str(key, b->cc[i]);
  for (i = 0; i < b->n_flags; i++) fnv_str(key, b->flags[i]);
  s = hash_compiler(key, b);
  for (i = 0; i < 3 && !s; i++) {
    char *d = xasprintf("%s/%s", src_root, dirs[i]);
    s = hash_dir(key, d);
    free(d);
  }
  return s;
}

/* ---- the cache folder ---- */

static status make_dirs(char *path) {
  char *p;
  for (p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      *p = '/';
      return diag_error(ST_IO, "cannot create the cache folder '%s': %s", path, strerror(errno));
    }
    *p = '/';
  }
  if (mkdir(path, 0777) != 0 && errno != EEXIST)
    return diag_error(ST_IO, "cannot create the cache folder '%s': %s", path, strerror(errno));
  return ST_OK;
}

static char *cache_root(void) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char *root;
  /* the XDG rule: a relative value is ignored */
  if (xdg && xdg[0] == '/') root = xasprintf("%s/onnxcc", xdg);
  else if (home && home[0] == '/') root = xasprintf("%s/.cache/onnxcc", home);
  else {
    diag_error(ST_IO, "no cache folder for the runtime: set XDG_CACHE_HOME or HOME");
    return NULL;
  }
  if (make_dirs(root)) {
    free(root);
    return NULL;
  }
  return root;
}

static int is_c(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 2 && !strcmp(e->d_name + n - 2, ".c");
}

/* The command that builds src/NAME into DIR/NAME.o. */
static void compile_command(const rt_build *b, const char *src_root, const char *name, const char *dir, argvec *a) {
  char *inc = xasprintf("-I%s/include", src_root), *src = xasprintf("%s/src/%s", src_root, name);
  char *obj = xasprintf("%s/%.*s.o", dir, (int)strlen(name) - 2, name);
  argvec_add_all(a, b->cc, b->n_cc);
  argvec_add_all(a, b->flags, b->n_flags);
  /* as runtime/meson.build: C99, and each kernel in its own section */
  argvec_add(a, "-std=c99");
  argvec_add(a, "-ffunction-sections");
  argvec_add(a, "-fdata-sections");
  argvec_add(a, inc);
  argvec_add(a, "-c");
  argvec_add(a, src);
  argvec_add(a, "-o");
  argvec_add(a, obj);
  free(inc);
  free(src);
  free(obj);
}

typedef struct job {
  spawned c;
  const char *name;
} job;

/* Reaps a compile; a failure is reported only when REPORT (the first). */
static status finish_job(job *j, int report) {
  text log;
  int st;
  status s = ST_OK;
  text_init(&log);
  if (spawn_finish(&j->c, &log, &st) != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    s = ST_INTERNAL;
    if (report) diag_error(s, "building the runtime's %s failed:\n%s", j->name, log.buf ? log.buf : "");
  }
  text_free(&log);
  return s;
}

/* One compile per online CPU at a time: the runtime's 50-odd sources take
 * minutes one after the other. */
static int parallel_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > CLEANUP_CHILDREN ? CLEANUP_CHILDREN : (int)n;
}

/* Compiles the N sources of LIST into DIR, the oldest compile reaped first;
 * after a failure nothing more starts and the running ones are reaped. */
static status compile_all(const rt_build *b, const char *src_root, struct dirent **list, int n, const char *dir) {
  job jobs[CLEANUP_CHILDREN];
  int width = parallel_jobs(), next = 0, done = 0;
  status s = ST_OK;
  while (done < next || (next < n && !s)) {
    if (next < n && !s && next - done < width) {
      job *j = &jobs[next % width];
      argvec a = {0};
      compile_command(b, src_root, list[next]->d_name, dir, &a);
      j->name = list[next]->d_name;
      if (spawn_start(a.v, &j->c) != 0)
        s = diag_error(ST_IO, "cannot run the C compiler '%s': %s", b->cc[0], strerror(errno));
      else
        next++;
      argvec_free(&a);
    } else {
      status js = finish_job(&jobs[done % width], !s);
      done++;
      if (!s) s = js;
    }
  }
  return s;
}

/* Builds every source into a fresh folder beside the entry, then renames it
 * into place: an entry that exists is complete. */
static status build_entry(const rt_build *b, const char *src_root, const char *entry) {
  struct dirent **list;
  char *tmp = xasprintf("%s.tmp-XXXXXX", entry), *srcdir = xasprintf("%s/src", src_root);
  int n, i, slot = -1, ok;
  status s = ST_OK;
  cleanup_block();
  ok = mkdtemp(tmp) != NULL;
  if (ok) slot = cleanup_add(tmp, 1);
  cleanup_unblock();
  if (!ok) {
    s = diag_error(ST_IO, "cannot create a folder beside '%s': %s", entry, strerror(errno));
    free(tmp);
    free(srcdir);
    return s;
  }
  n = scandir(srcdir, &list, is_c, alphasort);
  if (n <= 0) s = diag_error(ST_IO, "no runtime sources in '%s'", srcdir);
  if (n > 0) s = compile_all(b, src_root, list, n, tmp);
  for (i = 0; i < n; i++) free(list[i]);
  if (n > 0) free(list);
  if (!s && rename(tmp, entry) != 0)
    s = diag_error(ST_IO, "cannot rename '%s' to '%s': %s", tmp, entry, strerror(errno));
  if (s) dir_remove_flat(tmp);
  cleanup_forget(slot);
  free(tmp);
  free(srcdir);
  return s;
}

status rt_cache_get(const rt_build *b, rt_cached *out) {
  char *src_root = rt_source_root(), *root = NULL, *lock = NULL;
  uint64_t key = 0;
  status s = src_root ? ST_OK : ST_IO;
  int fd = -1;
  memset(out, 0, sizeof *out);
  if (!s) s = cache_key(b, src_root, &key);
  if (!s) {
    root = cache_root();
    if (!root) s = ST_IO;
  }
  if (!s) {
    out->obj_dir = xasprintf("%s/runtime-%016llx", root, (unsigned long long)key);
    out->include_dir = xasprintf("%s/include", src_root);
    lock = xasprintf("%s.lock", out->obj_dir);
    /* one builder at a time; the others wait, then find the entry */
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
    if (access(out->obj_dir, F_OK) != 0) {
      fprintf(stderr, "onnxcc: building the runtime for %s into %s (once)\n",
              b->target[0] ? b->target : "the host", out->obj_dir);
      s = build_entry(b, src_root, out->obj_dir);
    }
    if (fd >= 0) close(fd); /* releases the lock */
  }
  if (s) rt_cached_free(out);
  free(lock);
  free(root);
  free(src_root);
  return s;
}

static int is_o(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 2 && !strcmp(e->d_name + n - 2, ".o");
}

status rt_cached_objects(const rt_cached *r, argvec *link) {
  struct dirent **list;
  int n = scandir(r->obj_dir, &list, is_o, alphasort), i;
  if (n <= 0) return diag_error(ST_IO, "the runtime cache entry '%s' holds no objects", r->obj_dir);
  for (i = 0; i < n; i++) {
    char *p = xasprintf("%s/%s", r->obj_dir, list[i]->d_name);
    argvec_add(link, p);
    free(p);
    free(list[i]);
  }
  free(list);
  return ST_OK;
}

void rt_cached_free(rt_cached *r) {
  free(r->include_dir);
  free(r->obj_dir);
  r->include_dir = r->obj_dir = NULL;
}
