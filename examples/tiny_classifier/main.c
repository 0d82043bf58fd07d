/* The demo program: runs the compiled line classifier on three drawings
 * and prints what it sees. Build: see scripts/demo. */
#include <stdio.h>

#include "classifier.h"

static const char *const classes[3] = {"vertical", "horizontal", "diagonal"};

/* Draws an 8x8 picture with one line of the given kind. */
static void draw(float img[64], int kind) {
  int r, c;
  for (r = 0; r < 8; r++)
    for (c = 0; c < 8; c++)
      img[r * 8 + c] = (kind == 0 && c == 3) || (kind == 1 && r == 5) || (kind == 2 && r == c) ? 1.0f : 0.0f;
}

int main(void) {
  /* Caller-owned memory: the arena is a static buffer, the weights are
   * built into classifier.c (--embed-weights). */
  static unsigned char arena[CLASSIFIER_ARENA_BYTES + 1] __attribute__((aligned(64)));
  classifier_ctx ctx;
  float image[64], probs[3];
  const void *inputs[1];
  void *outputs[1];
  int kind, k, best, st;
  st = classifier_init(&ctx, NULL, 0, arena, sizeof arena);
  if (st != RT_OK) {
    fprintf(stderr, "classifier_init: %s\n", rt_status_str(st));
    return 1;
  }
  inputs[0] = image;
  outputs[0] = probs;
  for (kind = 0; kind < 3; kind++) {
    draw(image, kind);
    st = classifier_run(&ctx, inputs, outputs);
    if (st != RT_OK) {
      fprintf(stderr, "classifier_run: %s\n", rt_status_str(st));
      return 1;
    }
    best = 0;
    for (k = 1; k < 3; k++)
      if (probs[k] > probs[best]) best = k;
    printf("drew a %-10s line -> model says %-10s (p = %.3f %.3f %.3f)\n", classes[kind], classes[best],
           probs[0], probs[1], probs[2]);
  }
  return 0;
}
