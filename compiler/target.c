#include "target.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "subprocess.h"

/* Debian 12's cross toolchains and qemu-user: the ones tests/cross uses. */
static const target_info targets[] = {
    {"aarch64-linux-gnu", "qemu-aarch64", "/usr/aarch64-linux-gnu", "gcc-aarch64-linux-gnu",
     "libc6-dev-arm64-cross", "qemu-user"},
    {"riscv64-linux-gnu", "qemu-riscv64", "/usr/riscv64-linux-gnu", "gcc-riscv64-linux-gnu",
     "libc6-dev-riscv64-cross", "qemu-user"},
};
#define N_TARGETS (int)(sizeof targets / sizeof targets[0])

status target_find(const char *triple, const target_info **t) {
  int i;
  *t = NULL;
  /* the host's own triple is today's plain build, not a cross build */
  if (!triple || !*triple || !strcmp(triple, ONNXCC_HOST_TRIPLE)) return ST_OK;
  for (i = 0; i < N_TARGETS; i++)
    if (!strcmp(triple, targets[i].triple)) {
      *t = &targets[i];
      return ST_OK;
    }
  return diag_error(ST_USAGE, "unknown --target '%s' (known: %s, %s, or the host's %s)", triple, targets[0].triple,
                    targets[1].triple, ONNXCC_HOST_TRIPLE);
}

char *target_cc(const target_info *t) { return xasprintf("%s-gcc", t->triple); }

/* The cross compiler answers a bare name for a library it cannot find. */
static int has_libc(const char *cc) {
  char *argv[] = {(char *)cc, "-print-file-name=libc.a", NULL};
  text out;
  int st, ok;
  text_init(&out);
  ok = spawn_capture(argv, &out, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && out.buf && out.buf[0] == '/';
  text_free(&out);
  return ok;
}

status target_check_tools(const target_info *t) {
  char *cc = target_cc(t);
  status s = ST_OK;
  if (!in_path(cc))
    s = diag_error(ST_IO, "--target %s needs the cross compiler %s: install Debian package %s", t->triple, cc,
                   t->cc_package);
  else if (!has_libc(cc))
    s = diag_error(ST_IO, "--target %s: %s has no C library: install Debian package %s", t->triple, cc,
                   t->libc_package);
  else if (!in_path(t->emulator))
    s = diag_error(ST_IO, "--target %s needs the emulator %s: install Debian package %s", t->triple, t->emulator,
                   t->emu_package);
  free(cc);
  return s;
}
