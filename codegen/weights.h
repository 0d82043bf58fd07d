/* The weight blob: header (runtime.h documents the layout) + constants. */
#ifndef ONNXCC_WEIGHTS_H
#define ONNXCC_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "../compiler/plan.h"

typedef struct blob {
  unsigned char *data;   /* header + payload */
  size_t size;
  uint64_t payload_hash;
} blob;

void weights_build(const ir_graph *g, const plan *p, blob *b);
void weights_free(blob *b);

#endif
