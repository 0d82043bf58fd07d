/* The program tests/cross/check_cross.py builds around a model compiled
 * with --embed-weights, for a target it runs under an emulator:
 *   driver IN_0.raw ... IN_n-1.raw OUT_0.raw ... OUT_m-1.raw
 * Each input file holds exactly the bytes model_inputs[i] describes (raw,
 * C order, the target's byte order); each output is written the same way.
 * The comparison with the reference happens on the build machine, so the
 * target only needs stdio. Exit 0 ok, 1 bad file, 2 usage, 3 model error. */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

/* RT_BUFFER_ALIGN is all the arena needs; malloc gives at least that on the
 * Linux targets this runs on, and a spare RT_BUFFER_ALIGN makes sure. */
static void *aligned_alloc_bytes(size_t n, void **base) {
  unsigned char *p = malloc(n + RT_BUFFER_ALIGN);
  size_t off;
  *base = p;
  if (!p) return NULL;
  off = (size_t)((RT_BUFFER_ALIGN - (size_t)p % RT_BUFFER_ALIGN) % RT_BUFFER_ALIGN);
  return p + off;
}

static int read_exact(const char *path, void *buf, size_t n) {
  FILE *f = fopen(path, "rb");
  int ok;
  if (!f) return 0;
  /* exactly n bytes: one more byte means the file has the wrong size */
  ok = fread(buf, 1, n, f) == n && fgetc(f) == EOF;
  fclose(f);
  return ok;
}

static int write_all(const char *path, const void *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  int ok;
  if (!f) return 0;
  ok = fwrite(buf, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

int main(int argc, char **argv) {
  void *in[MODEL_NUM_INPUTS > 0 ? MODEL_NUM_INPUTS : 1];
  void *out[MODEL_NUM_OUTPUTS > 0 ? MODEL_NUM_OUTPUTS : 1];
  void *base[MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS + 1];
  void *arena;
  model_ctx ctx;
  int i, rc;
  if (argc != 1 + MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s %d input files, then %d output files\n", argv[0], MODEL_NUM_INPUTS,
        MODEL_NUM_OUTPUTS);
    return 2;
  }
  arena = aligned_alloc_bytes(MODEL_ARENA_BYTES, &base[0]);
  if (!arena) return 3;
  for (i = 0; i < MODEL_NUM_INPUTS; i++) {
    in[i] = aligned_alloc_bytes(model_inputs[i].bytes, &base[1 + i]);
    if (!in[i] || !read_exact(argv[1 + i], in[i], model_inputs[i].bytes)) {
      fprintf(stderr, "%s: cannot read %lu bytes for input %s\n", argv[1 + i],
          (unsigned long)model_inputs[i].bytes, model_inputs[i].name);
      return 1;
    }
  }
  for (i = 0; i < MODEL_NUM_OUTPUTS; i++) {
    out[i] = aligned_alloc_bytes(model_outputs[i].bytes, &base[1 + MODEL_NUM_INPUTS + i]);
    if (!out[i]) return 3;
  }
  rc = model_init(&ctx, NULL, 0, arena, MODEL_ARENA_BYTES);
  if (rc == RT_OK) rc = model_run(&ctx, (const void *const *)in, out);
  if (rc != RT_OK) {
    fprintf(stderr, "model error %d\n", rc);
    return 3;
  }
  for (i = 0; i < MODEL_NUM_OUTPUTS; i++) {
    if (!write_all(argv[1 + MODEL_NUM_INPUTS + i], out[i], model_outputs[i].bytes)) {
      fprintf(stderr, "%s: cannot write output %s\n", argv[1 + MODEL_NUM_INPUTS + i], model_outputs[i].name);
      return 1;
    }
  }
  for (i = 0; i < MODEL_NUM_INPUTS + MODEL_NUM_OUTPUTS + 1; i++) free(base[i]);
  return 0;
}
