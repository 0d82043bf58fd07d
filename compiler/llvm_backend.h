/* The object backend: `onnxcc MODEL.onnx -o OUT.o [--target TRIPLE] [--cpu
 * CPU]` builds the generated C together with exactly the runtime kernels
 * the model calls into one relocatable object, as one LLVM module, so
 * that the optimiser sees the kernels with the model's constant shapes
 * and params (inlining, constant propagation, the target's vector width).
 * `--emit-llvm -o OUT.ll|OUT.bc` writes that module instead. OUT.h (and
 * OUT.weights, unless embedded) are written beside it as for OUT.c.
 *
 * The way there (docs/design.md, "One object per model"):
 *   1. every runtime source to bitcode with Clang, once per target and
 *      flags (rt_cache.h), llvm-linked into one cached module;
 *   2. the generated C to bitcode;
 *   3. llvm-link --only-needed --internalize: the model's module whole,
 *      plus only the runtime definitions it reaches, made internal, so
 *      nothing but the model's own API stays global;
 *   4. clang -O3 (-O1 for onnxcc's -O0) on that module: optimise and emit
 *      the object (or the IR). */
#ifndef ONNXCC_LLVM_BACKEND_H
#define ONNXCC_LLVM_BACKEND_H

#include "diag.h"
#include "options.h"

typedef enum { LLVM_OUT_NONE, LLVM_OUT_OBJECT, LLVM_OUT_IR_TEXT, LLVM_OUT_BITCODE } llvm_output;

/* What PATH's extension asks for: .o an object, .ll / .bc LLVM IR. */
llvm_output llvm_output_of(const char *path);

/* Compiles o->model_path into o->out_path (and OUT.h, OUT.weights) for
 * TRIPLE (NULL: the host) and o->cpu; all outputs or none are written. */
status llvm_compile(const compile_options *o, const char *triple);

#endif
