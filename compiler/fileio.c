#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../codegen/text.h"
#include "cleanup.h"

status file_read_all(const char *path, unsigned char **data, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t cap = 0, len = 0, got;
  if (!f) return diag_error(ST_IO, "cannot open '%s': %s", path, strerror(errno));
  do {
    if (len == cap) {
      cap = cap ? cap * 2 : 1 << 16;
      buf = xrealloc(buf, cap);
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  if (ferror(f)) {
    fclose(f);
    free(buf);
    return diag_error(ST_IO, "cannot read '%s': %s", path, strerror(errno));
  }
  fclose(f);
  *data = buf;
  *size = len;
  return ST_OK;
}

/* ---- temporary files ---- */

/* `n` random name characters. The kernel's generator when it answers;
 * otherwise a mix of clock, pid and a counter, which is still unknown in
 * advance to whoever would plant a file at the name (and O_EXCL makes a
 * guessed name merely cost a retry, never a write through it). */
static void random_name(char *out, int n) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static uint64_t counter;
  unsigned char bytes[32];
  int i;
  if (getrandom(bytes, (size_t)n, GRND_NONBLOCK) != (ssize_t)n) {
    struct timespec t;
    uint64_t x;
    clock_gettime(CLOCK_REALTIME, &t);
    x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^ ++counter;
    for (i = 0; i < n; i++) {
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      bytes[i] = (unsigned char)((x * 2685821657736338717ull) >> 56);
    }
  }
  for (i = 0; i < n; i++) out[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
  out[n] = 0;
}

/* Creates ".BASE.RANDOM.tmp" beside `path`, exclusively, never following a
 * symlink. Mode 0666 as fopen would pass, so the umask gives the final
 * file the usual permissions. The file is registered for cleanup before
 * the handled signals are unblocked again. Returns the fd, or -1 with
 * errno set. */
static int create_temp(const char *path, char **tmp_out, int *slot) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dir_len = (int)(base - path), tries;
  for (tries = 0; tries < 100; tries++) {
    char rnd[13];
    char *tmp;
    int fd, err;
    random_name(rnd, 12);
    /* The base is cut so the temporary name stays within NAME_MAX. */
    tmp = xasprintf("%.*s.%.64s.%s.tmp", dir_len, path, base, rnd);
    cleanup_block();
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    err = errno;
    if (fd >= 0) *slot = cleanup_add(tmp, 0);
    cleanup_unblock();
    if (fd >= 0) {
      *tmp_out = tmp;
      return fd;
    }
    free(tmp);
    if (err != EEXIST) {
      errno = err;
      return -1;
    }
  }
  errno = EEXIST;
  return -1;
}

static int write_all(int fd, const void *data, size_t size) {
  const unsigned char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size > (1u << 30) ? (1u << 30) : size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

static void drop_temp(char *tmp, int slot) {
  unlink(tmp);
  cleanup_forget(slot);
  free(tmp);
}

/* ---- file sets ---- */

void file_set_init(file_set *s) { memset(s, 0, sizeof *s); }

status file_set_add(file_set *s, const char *path, const void *data, size_t size) {
  char *tmp = NULL;
  int slot = -1, fd, err;
  if (s->n >= FILE_SET_MAX) return diag_error(ST_INTERNAL, "too many files in one output set");
  fd = create_temp(path, &tmp, &slot);
  if (fd < 0) return diag_error(ST_IO, "cannot write '%s': %s", path, strerror(errno));
  if (write_all(fd, data, size) != 0) {
    err = errno;
    close(fd);
    drop_temp(tmp, slot);
    return diag_error(ST_IO, "cannot write '%s': %s", path, strerror(err));
  }
  /* close reports delayed write errors (NFS, quota). */
  if (close(fd) != 0) {
    err = errno;
    drop_temp(tmp, slot);
    return diag_error(ST_IO, "cannot write '%s': %s", path, strerror(err));
  }
  s->f[s->n].path = xstrdup(path);
  s->f[s->n].tmp = tmp;
  s->f[s->n].slot = slot;
  s->n++;
  return ST_OK;
}

void file_set_abort(file_set *s) {
  int i;
  for (i = 0; i < s->n; i++) {
    drop_temp(s->f[i].tmp, s->f[i].slot);
    free(s->f[i].path);
  }
  s->n = 0;
}

/* A destination that is a folder would fail its rename after earlier
 * files were already replaced; finding it first keeps the old set whole in
 * the usual case. The rename itself still decides (the check races). */
static status check_destinations(const file_set *s) {
  int i;
  for (i = 0; i < s->n; i++) {
    struct stat st;
    if (lstat(s->f[i].path, &st) == 0 && S_ISDIR(st.st_mode))
      return diag_error(ST_IO, "cannot write '%s': it is a folder; no output was replaced", s->f[i].path);
  }
  return ST_OK;
}

status file_set_commit(file_set *s) {
  status st = check_destinations(s);
  int i, j;
  if (st) {
    file_set_abort(s);
    return st;
  }
  for (i = 0; i < s->n; i++) {
    if (rename(s->f[i].tmp, s->f[i].path) != 0) {
      int err = errno;
      text done;
      text_init(&done);
      for (j = 0; j < i; j++) text_printf(&done, "%s'%s'", j ? ", " : "", s->f[j].path);
      st = diag_error(ST_IO, "cannot rename '%s' to '%s': %s; %s%s", s->f[i].tmp, s->f[i].path, strerror(err),
                      i ? "these outputs were already replaced by the new version: " : "no output was replaced",
                      i ? done.buf : "");
      text_free(&done);
      break;
    }
    cleanup_forget(s->f[i].slot);
    free(s->f[i].tmp);
    free(s->f[i].path);
  }
  for (j = i; j < s->n; j++) {
    drop_temp(s->f[j].tmp, s->f[j].slot);
    free(s->f[j].path);
  }
  s->n = 0;
  return st;
}

status file_write_atomic(const char *path, const void *data, size_t size) {
  file_set s;
  status st;
  file_set_init(&s);
  st = file_set_add(&s, path, data, size);
  if (st) {
    file_set_abort(&s);
    return st;
  }
  return file_set_commit(&s);
}

/* ---- paths ---- */

char *path_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return xstrdup(".");
  if (slash == path) return xstrdup("/");
  {
    char *d = xmalloc((unsigned long)(slash - path) + 1);
    memcpy(d, path, (size_t)(slash - path));
    d[slash - path] = 0;
    return d;
  }
}

char *path_stem(const char *path) {
  const char *base = strrchr(path, '/');
  char *s, *dot;
  s = xstrdup(base ? base + 1 : path);
  dot = strrchr(s, '.');
  if (dot && dot != s) *dot = 0;
  return s;
}

char *path_with_ext(const char *path, const char *ext) {
  const char *base = strrchr(path, '/');
  const char *dot = strrchr(base ? base : path, '.');
  size_t keep = dot ? (size_t)(dot - path) : strlen(path);
  char *r = xmalloc((unsigned long)(keep + strlen(ext) + 1));
  memcpy(r, path, keep);
  strcpy(r + keep, ext);
  return r;
}

char *path_canonical(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  char *dir = path_dirname(path), *real, *r;
  real = realpath(dir, NULL);
  free(dir);
  if (!real) return xstrdup(path);
  /* "a/." and "a/.." are folders, never one of our files; leave them be. */
  if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) r = xasprintf("%s/%s", real, base);
  else r = xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
  free(real);
  return r;
}

int path_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  char *ca, *cb;
  int same;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  ca = path_canonical(a);
  cb = path_canonical(b);
  same = strcmp(ca, cb) == 0;
  free(ca);
  free(cb);
  return same;
}

void dir_remove_flat(const char *dir) {
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
