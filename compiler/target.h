/* The machines `onnxcc run --target TRIPLE` builds for and runs on: a
 * cross compiler TRIPLE-gcc and a qemu user-mode emulator. */
#ifndef ONNXCC_TARGET_H
#define ONNXCC_TARGET_H

#include "diag.h"

typedef struct target_info {
  const char *triple;       /* "aarch64-linux-gnu" */
  const char *emulator;     /* "qemu-aarch64" */
  const char *sysroot;      /* the target's libraries, for the emulator's -L */
  const char *cc_package;   /* Debian packages, named when a tool is missing */
  const char *libc_package;
  const char *emu_package;
} target_info;

/* *t is NULL for the host (no triple, or the host's own), else the
 * table's entry; an unknown triple is a usage error listing the known. */
status target_find(const char *triple, const target_info **t);

/* ST_OK when the cross compiler, its C library and the emulator are all
 * installed; else an I/O error naming the package to install. */
status target_check_tools(const target_info *t);

/* "TRIPLE-gcc", malloc'ed. */
char *target_cc(const target_info *t);

#endif
