#include "llvm_tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

/* Debian names Clang "clang" (the default version) and "clang-N" (each
 * installed version). llvm-link must be of Clang's version, or it cannot
 * read the bitcode Clang writes, so the two are chosen as a pair. */
static const char *const suffixes[] = {"", "-20", "-19", "-18", "-17", "-16", "-15", "-14", "-13", "-12", "-11"};
#define N_SUFFIXES (int)(sizeof suffixes / sizeof suffixes[0])

/* newlib's headers, where Debian's libnewlib-arm-none-eabi puts them:
 * Clang has no C library of its own for bare-metal ARM. */
#define NEWLIB_INCLUDE "/usr/lib/arm-none-eabi/include"

static status find_pair(llvm_tools *t) {
  int i, clang_at = -1;
  for (i = 0; i < N_SUFFIXES; i++) {
    char *c = xasprintf("clang%s", suffixes[i]), *l = xasprintf("llvm-link%s", suffixes[i]);
    if (in_path(c) && clang_at < 0) clang_at = i;
    if (in_path(c) && in_path(l)) {
      t->clang = c;
      t->llvm_link = l;
      return ST_OK;
    }
    free(c);
    free(l);
  }
  if (clang_at < 0)
    return diag_error(ST_IO, "an object output (-o OUT.o) is built with Clang, and no clang or clang-N is in PATH: "
                      "install Debian package clang");
  return diag_error(ST_IO, "an object output (-o OUT.o) needs llvm-link%s beside clang%s, and it is not in PATH: "
                    "install Debian package llvm", suffixes[clang_at], suffixes[clang_at]);
}

/* 1 when TRIPLE is the host's triple as Clang spells it
 * ("x86_64-pc-linux-gnu" for onnxcc's "x86_64-linux-gnu"). */
static int clang_host_triple(const char *clang, const char *triple) {
  char *argv[] = {(char *)clang, "-dumpmachine", NULL};
  text out;
  int st, same;
  size_t n = strlen(triple);
  text_init(&out);
  same = spawn_capture(argv, &out, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && out.buf &&
         !strncmp(out.buf, triple, n) && (out.buf[n] == '\n' || out.buf[n] == 0);
  text_free(&out);
  return same;
}

/* A CPU name goes into one -mcpu=/-march= word: only the characters CPU
 * names use, so it can never read as another option. */
static int cpu_name_ok(const char *s) {
  size_t n = strlen(s);
  return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") == n &&
         s[0] != '-';
}

/* The C library headers the target needs, named by package when absent. */
static status check_headers(const target_desc *d) {
  char *h = d->bare ? xstrdup(NEWLIB_INCLUDE "/math.h") : xasprintf("%s/include/math.h", d->sysroot);
  int ok = access(h, R_OK) == 0;
  free(h);
  if (ok) return ST_OK;
  return diag_error(ST_IO, "--target %s needs the target's C library headers: install Debian package %s", d->triple,
                    d->libc_package);
}

static void add_cpu_flags(llvm_tools *t, const target_desc *d, const char *cpu) {
  int i;
  if (d) {
    char *f = xasprintf("--target=%s", d->triple);
    argvec_add(&t->flags, f);
    free(f);
    /* the table's -mcpu is the default CPU; --cpu replaces it */
    for (i = 0; d->flags[i]; i++)
      if (!cpu || strncmp(d->flags[i], "-mcpu=", 6)) argvec_add(&t->flags, d->flags[i]);
  }
  if (cpu) {
    int x86 = d ? !strncmp(d->triple, "x86_64", 6) : !strncmp(ONNXCC_HOST_TRIPLE, "x86_64", 6);
    char *f = xasprintf("%s=%s", x86 ? "-march" : "-mcpu", cpu);
    argvec_add(&t->flags, f);
    free(f);
  }
  if (d && d->bare) {
    argvec_add(&t->flags, "-isystem");
    argvec_add(&t->flags, NEWLIB_INCLUDE);
  } else {
    /* the object goes into programs linked as position-independent
     * executables (Debian's default) or shared libraries */
    argvec_add(&t->flags, "-fPIC");
  }
}

status llvm_tools_find(const char *triple, const char *cpu, llvm_tools *t) {
  const target_desc *d = NULL;
  status s;
  memset(t, 0, sizeof *t);
  t->triple = "";
  if (cpu && !cpu_name_ok(cpu))
    return diag_error(ST_USAGE, "--cpu wants a CPU name such as native, skylake or cortex-m7, not '%s'", cpu);
  s = find_pair(t);
  if (!s && triple && !clang_host_triple(t->clang, triple)) s = target_find(triple, &d);
  if (!s && d) s = check_headers(d);
  if (!s && cpu && !strcmp(cpu, "native") && d)
    s = diag_error(ST_USAGE, "--cpu native names this machine's CPU: it needs no --target (or the host's), not %s",
                   d->triple);
  if (s) {
    llvm_tools_free(t);
    return s;
  }
  if (d) t->triple = d->triple;
  add_cpu_flags(t, d, cpu);
  return ST_OK;
}

void llvm_tools_free(llvm_tools *t) {
  free(t->clang);
  free(t->llvm_link);
  argvec_free(&t->flags);
  memset(t, 0, sizeof *t);
}

status llvm_run(char *const *argv, const char *what) {
  text log;
  int st;
  status s = ST_OK;
  text_init(&log);
  if (spawn_capture(argv, &log, &st) != 0)
    s = diag_error(ST_IO, "cannot run %s: %s", argv[0], strerror(errno));
  else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    s = diag_error(ST_INTERNAL, "%s failed %s:\n%s", argv[0], what, log.buf ? log.buf : "");
  text_free(&log);
  return s;
}
