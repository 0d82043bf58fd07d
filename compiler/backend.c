#include "backend.h"

#include <string.h>

#include "../codegen/c/emit_c.h"

const backend backends[] = {
    {"c", "C99 source and a weight blob, linked with the onnxcc runtime", emit_c_select, emit_c_scratch,
     emit_c_emit},
    {NULL, NULL, NULL, NULL, NULL},
};

const backend *backend_find(const char *name) {
  const backend *b;
  for (b = backends; b->name; b++)
    if (strcmp(b->name, name) == 0) return b;
  return NULL;
}
