#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

status file_write_atomic(const char *path, const void *data, size_t size) {
  char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    status s = diag_error(ST_IO, "cannot write '%s': %s", path, strerror(errno));
    free(tmp);
    return s;
  }
  if ((size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    status s = diag_error(ST_IO, "cannot write '%s': %s", path, strerror(errno));
    remove(tmp);
    free(tmp);
    return s;
  }
  if (rename(tmp, path) != 0) {
    status s = diag_error(ST_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    remove(tmp);
    free(tmp);
    return s;
  }
  free(tmp);
  return ST_OK;
}

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
