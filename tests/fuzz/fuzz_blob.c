/* libFuzzer harness: the fuzzer's bytes are a weight blob handed to the
 * generated code's init. The model (fuzz_model.c/.h) is compiled by the
 * just-built onnxcc at build time; its .weights file is the seed.
 * docs/api.md promises that a truncated or corrupted blob gives an error
 * code, never a crash: init must return a status for every input, and
 * when it accepts a blob, run must work on it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_model.h"

/* The arena, with one spare byte as the API asks callers to allow. */
static unsigned char arena[FUZZ_MODEL_ARENA_BYTES + 1] __attribute__((aligned(64)));

static void run_model(const fuzz_model_ctx *ctx) {
  void *in[FUZZ_MODEL_NUM_INPUTS], *out[FUZZ_MODEL_NUM_OUTPUTS];
  const void *cin[FUZZ_MODEL_NUM_INPUTS];
  int i;
  for (i = 0; i < FUZZ_MODEL_NUM_INPUTS; i++) cin[i] = in[i] = calloc(1, fuzz_model_inputs[i].bytes + 1);
  for (i = 0; i < FUZZ_MODEL_NUM_OUTPUTS; i++) out[i] = malloc(fuzz_model_outputs[i].bytes + 1);
  if (fuzz_model_run(ctx, cin, out) != RT_OK) abort();
  for (i = 0; i < FUZZ_MODEL_NUM_INPUTS; i++) free(in[i]);
  for (i = 0; i < FUZZ_MODEL_NUM_OUTPUTS; i++) free(out[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A heap copy of exactly `size` bytes, so ASan sees any read past the
   * end of the blob; malloc gives RT_BUFFER_ALIGN. */
  unsigned char *w = malloc(size ? size : 1);
  fuzz_model_ctx ctx;
  int st;
  if (size) memcpy(w, data, size);
  st = fuzz_model_init(&ctx, w, size, arena, FUZZ_MODEL_ARENA_BYTES);
  if (st < RT_OK || st > RT_ERR_ALIGN) abort(); /* not a documented status */
  if (st == RT_OK) run_model(&ctx);
  /* A blob one byte off its alignment must be refused, not read. */
  if (size > 1) {
    unsigned char *odd = malloc(size + 1);
    memcpy(odd + 1, data, size);
    st = fuzz_model_init(&ctx, odd + 1, size, arena, FUZZ_MODEL_ARENA_BYTES);
    free(odd);
    if (st == RT_OK) abort();
  }
  free(w);
  return 0;
}
