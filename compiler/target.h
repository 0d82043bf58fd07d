/* The machines onnxcc builds for: `onnxcc run --target TRIPLE` (Linux
 * triples: a cross compiler and a qemu user-mode emulator; a bare-metal
 * triple with a board: a firmware image run under qemu-system-arm) and `onnxcc
 * info --target TRIPLE` (every triple: a build measured for flash and
 * RAM). One table, in target.c. */
#ifndef ONNXCC_TARGET_H
#define ONNXCC_TARGET_H

#include "diag.h"

#define TARGET_MAX_FLAGS 6

typedef struct target_desc {
  const char *triple;       /* "aarch64-linux-gnu" */
  const char *alias;        /* its cross file name (cross/NAME.ini) when that differs ("cortex-m4f"), or NULL */
  const char *cc;           /* its C compiler: "aarch64-linux-gnu-gcc" */
  const char *flags[TARGET_MAX_FLAGS]; /* what the CPU needs (-mcpu, float ABI), NULL-terminated */
  int bare;                 /* bare metal: no OS, no start files, no user-mode emulator */
  const char *emulator;     /* "qemu-aarch64"; NULL on bare metal */
  const char *sysroot;      /* the target's libraries, for the emulator's -L */
  const char *cc_package;   /* Debian packages, named when a tool is missing */
  const char *libc_package;
  const char *emu_package;
  /* Bare metal: the emulated board `run --target` boots a firmware image
   * on (qemu-system-arm -M MACHINE -cpu CPU), or all NULL when qemu has
   * none for the core (why: docs/design.md, "Bare-metal run"). */
  struct {
    const char *emulator, *machine, *cpu;
  } board;
} target_desc;

/* *t is NULL for the host (no triple, or the host's own), else the
 * table's entry (by triple or alias); an unknown triple is a usage error
 * listing the known ones. */
status target_find(const char *triple, const target_desc **t);

/* ST_OK when the cross compiler and its C library are installed (and the
 * emulator, when need_emulator); else an I/O error naming the package to
 * install. */
status target_check_tools(const target_desc *t, int need_emulator);

/* The program that runs the target's code: the user-mode emulator, or
 * the board's system emulator; NULL when there is none. */
const char *target_emulator(const target_desc *t);

/* 1 when TRIPLE (or its alias) names a bare-metal target of the table;
 * 0 for the host, a Linux target or an unknown name (said nowhere:
 * target_find reports those). */
int target_is_bare(const char *triple);

/* t->cc, malloc'ed. */
char *target_cc(const target_desc *t);

#endif
