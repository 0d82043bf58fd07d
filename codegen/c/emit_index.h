/* The generated code's guard against a runtime with 32-bit indices
 * (ONNXCC_RT_INDEX32, docs/integration.md "32-bit indices"): a model with
 * a buffer past RT_INDEX32_MAX elements or bytes must not build against
 * one, since its kernels would divide truncated indices. */
#ifndef ONNXCC_EMIT_INDEX_H
#define ONNXCC_EMIT_INDEX_H

#include "../../compiler/backend.h"
#include "../text.h"

/* An #if RT_INDEX_BITS == 32 / #error block naming the largest buffer,
 * when some buffer (an input, an output, the arena, the weight blob)
 * passes RT_INDEX32_MAX; nothing otherwise, so the code of every other
 * model builds against either runtime unchanged. */
void emit_index_guard(const backend_emit_args *a, text *w);

#endif
