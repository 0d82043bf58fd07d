/* The models a test firmware runs: tests/cross/check_firmware.py writes
 * models.c (each model's input data, output buffers and a function that
 * inits and runs it) and main.c prints what they return. */
#ifndef ONNXCC_FW_MODELS_H
#define ONNXCC_FW_MODELS_H

#include <stddef.h>

typedef struct fw_model {
  const char *name;
  /* NAME_init on the shared arena, then NAME_run on the built-in inputs:
   * 0 or the runtime's status. */
  int (*run)(void *arena, size_t arena_bytes);
  int n_outputs;
  const unsigned char *const *outputs;
  const size_t *output_bytes;
} fw_model;

extern const fw_model fw_models[];
extern const int fw_n_models;
/* One arena for all: the models run one after another. */
extern unsigned char fw_arena[];
extern const size_t fw_arena_bytes;

#endif
