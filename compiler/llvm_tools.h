/* What the object backend (llvm_backend.h) runs: Clang and llvm-link of
 * one LLVM version, and the flags that make Clang generate code for the
 * chosen target and CPU. */
#ifndef ONNXCC_LLVM_TOOLS_H
#define ONNXCC_LLVM_TOOLS_H

#include "diag.h"
#include "subprocess.h"

typedef struct llvm_tools {
  char *clang;      /* "clang-14" or "clang", found in $PATH */
  char *llvm_link;  /* the llvm-link of the same version */
  argvec flags;     /* --target=, -mcpu/-march, float ABI, headers: every Clang call gets them */
  const char *triple; /* the target's triple, "" for the host */
} llvm_tools;

/* Finds the tools (an I/O error naming the Debian package when one is
 * missing) and the flags for TRIPLE (NULL: the host; a triple of
 * target.c, or the host's own as Clang spells it) and CPU (NULL: the
 * target's baseline; else -march= on x86, -mcpu= elsewhere). */
status llvm_tools_find(const char *triple, const char *cpu, llvm_tools *t);
void llvm_tools_free(llvm_tools *t);

/* Runs one tool; its output becomes the error message. WHAT names the step. */
status llvm_run(char *const *argv, const char *what);

#endif
