#include "target.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "subprocess.h"

/* Debian 12's cross toolchains, qemu-user and qemu-system-arm: the ones
 * tests/cross uses (the flags are those of the cross files in cross/).
 * The bare-metal targets build the runtime and the generated code with
 * 32-bit index arithmetic, as their cross files do (runtime_index32): no
 * 64-bit division routine in a firmware's kernels. */
static const target_desc targets[] = {
    {"aarch64-linux-gnu", NULL, "aarch64-linux-gnu-gcc", {NULL}, 0, "qemu-aarch64", "/usr/aarch64-linux-gnu",
     "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "qemu-user", {NULL, NULL, NULL}},
    {"riscv64-linux-gnu", NULL, "riscv64-linux-gnu-gcc", {NULL}, 0, "qemu-riscv64", "/usr/riscv64-linux-gnu",
     "gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross", "qemu-user", {NULL, NULL, NULL}},
    {"thumbv7em-none-eabihf", "cortex-m4f", "arm-none-eabi-gcc",
     {"-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-DONNXCC_RT_INDEX32", NULL}, 1, NULL,
     NULL, "gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "qemu-system-arm",
     {"qemu-system-arm", "mps2-an386", "cortex-m4"}},
    {"thumbv6m-none-eabi", "cortex-m0plus", "arm-none-eabi-gcc",
     {"-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft", "-DONNXCC_RT_INDEX32", NULL}, 1, NULL, NULL,
     "gcc-arm-none-eabi", "libnewlib-arm-none-eabi", NULL, {NULL, NULL, NULL}},
};
#define N_TARGETS (int)(sizeof targets / sizeof targets[0])

status target_find(const char *triple, const target_desc **t) {
  text known;
  status s;
  int i;
  *t = NULL;
  /* the host's own triple is today's plain build, not a cross build */
  if (!triple || !*triple || !strcmp(triple, ONNXCC_HOST_TRIPLE)) return ST_OK;
  for (i = 0; i < N_TARGETS; i++)
    if (!strcmp(triple, targets[i].triple) || (targets[i].alias && !strcmp(triple, targets[i].alias))) {
      *t = &targets[i];
      return ST_OK;
    }
  text_init(&known);
  for (i = 0; i < N_TARGETS; i++) {
    text_printf(&known, "%s", targets[i].triple);
    if (targets[i].alias) text_printf(&known, " (%s)", targets[i].alias);
    text_puts(&known, ", ");
  }
  s = diag_error(ST_USAGE, "unknown --target '%s' (known: %sor the host's %s)", triple, known.buf, ONNXCC_HOST_TRIPLE);
  text_free(&known);
  return s;
}

int target_is_bare(const char *triple) {
  int i;
  for (i = 0; triple && i < N_TARGETS; i++)
    if (!strcmp(triple, targets[i].triple) || (targets[i].alias && !strcmp(triple, targets[i].alias)))
      return targets[i].bare;
  return 0;
}

char *target_cc(const target_desc *t) { return xstrdup(t->cc); }

const char *target_emulator(const target_desc *t) { return t->bare ? t->board.emulator : t->emulator; }

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

status target_check_tools(const target_desc *t, int need_emulator) {
  char *cc = target_cc(t);
  const char *emu = target_emulator(t);
  status s = ST_OK;
  if (need_emulator && !emu)
    s = diag_error(ST_USAGE, "--target %s: QEMU emulates no board with this core and room for a model (its only "
                   "Armv6-M machine, microbit, has 16 KiB of RAM); build a firmware image for your board instead "
                   "(docs/integration.md), and `onnxcc info --target %s` gives its flash and RAM",
                   t->triple, t->triple);
  else if (!in_path(cc))
    s = diag_error(ST_IO, "--target %s needs the cross compiler %s: install Debian package %s", t->triple, cc,
                   t->cc_package);
  else if (!has_libc(cc))
    s = diag_error(ST_IO, "--target %s: %s has no C library: install Debian package %s", t->triple, cc,
                   t->libc_package);
  else if (need_emulator && !in_path(emu))
    s = diag_error(ST_IO, "--target %s needs the emulator %s: install Debian package %s", t->triple, emu,
                   t->emu_package);
  free(cc);
  return s;
}
