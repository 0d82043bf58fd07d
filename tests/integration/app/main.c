/* The sample application of the integration test: two models compiled by
 * onnxcc at build time, linked side by side into one C99 program.
 *   mlp      weights in the file mlp.weights; the build gives its path as
 *            MLP_WEIGHTS_PATH (or pass a path as the first argument)
 *   convnet  weights embedded in convnet.c (--embed-weights)
 * Element i of every input is ((i * 7) % 13 - 6) / 8.  Prints, per model,
 * a line "NAME COUNT" and then one output value per line (reference.txt has
 * the same layout). */
#include <stdio.h>
#include <stdlib.h>

#include "convnet.h"
#include "mlp.h"

#ifndef MLP_WEIGHTS_PATH
#define MLP_WEIGHTS_PATH "mlp.weights"
#endif

static void *load(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  void *buf = NULL;
  long n;
  *size = 0;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0) {
    rewind(f);
    buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    }
    *size = (size_t)n;
  }
  fclose(f);
  return buf;
}

static float *make_input(size_t bytes) {
  size_t i, n = bytes / sizeof(float);
  float *x = malloc(bytes);
  if (!x) return NULL;
  for (i = 0; i < n; i++) x[i] = (float)((int)((i * 7) % 13) - 6) / 8.0f;
  return x;
}

static void print(const char *name, const float *y, size_t bytes) {
  size_t i, n = bytes / sizeof(float);
  printf("%s %lu\n", name, (unsigned long)n);
  for (i = 0; i < n; i++) printf("%.9g\n", (double)y[i]);
}

int main(int argc, char **argv) {
  const char *weights_path = argc > 1 ? argv[1] : MLP_WEIGHTS_PATH;
  size_t weights_bytes;
  void *weights = load(weights_path, &weights_bytes);
  /* One arena for both: the models run one after the other. */
  size_t arena_bytes = MLP_ARENA_BYTES > CONVNET_ARENA_BYTES ? MLP_ARENA_BYTES : CONVNET_ARENA_BYTES;
  void *arena = malloc(arena_bytes + 1);
  float *mlp_x = make_input(mlp_inputs[0].bytes);
  float *mlp_y = malloc(mlp_outputs[0].bytes);
  float *conv_x = make_input(convnet_inputs[0].bytes);
  float *conv_y = malloc(convnet_outputs[0].bytes);
  const void *inputs[1];
  void *outputs[1];
  mlp_ctx mlp;
  convnet_ctx conv;
  int st;

  if (!weights) {
    fprintf(stderr, "cannot read %s\n", weights_path);
    return 1;
  }
  if (!arena || !mlp_x || !mlp_y || !conv_x || !conv_y) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  st = mlp_init(&mlp, weights, weights_bytes, arena, arena_bytes);
  if (st != RT_OK) {
    fprintf(stderr, "mlp_init: %s\n", rt_status_str(st));
    return 1;
  }
  st = convnet_init(&conv, NULL, 0, arena, arena_bytes);
  if (st != RT_OK) {
    fprintf(stderr, "convnet_init: %s\n", rt_status_str(st));
    return 1;
  }

  inputs[0] = mlp_x;
  outputs[0] = mlp_y;
  if (mlp_run(&mlp, inputs, outputs) != RT_OK) return 1;
  inputs[0] = conv_x;
  outputs[0] = conv_y;
  if (convnet_run(&conv, inputs, outputs) != RT_OK) return 1;
  print("mlp", mlp_y, mlp_outputs[0].bytes);
  print("convnet", conv_y, convnet_outputs[0].bytes);

  free(weights);
  free(arena);
  free(mlp_x);
  free(mlp_y);
  free(conv_x);
  free(conv_y);
  return 0;
}
