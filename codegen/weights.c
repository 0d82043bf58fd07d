#include "weights.h"

#include <stdlib.h>
#include <string.h>

static void put_le(unsigned char *p, uint64_t v, int bytes) {
  int i;
  for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* A graph's constants, then its subgraphs' (their offsets are in the one
 * payload too). */
static void put_graph(const ir_graph *g, const plan *p, unsigned char *payload) {
  int i, k;
  for (i = 0; i < g->n_values; i++) {
    const ir_value *v = g->values[i];
    if (p->home[i] != HOME_WEIGHTS) continue;
    memcpy(payload + v->offset, v->t.data, tensor_bytes(&v->t));
  }
  for (i = 0; p->subs && i < p->n_nodes; i++)
    for (k = 0; k < p->subs[i].n; k++) put_graph(p->subs[i].g[k], &p->subs[i].p[k], payload);
}

void weights_build(const ir_graph *g, const plan *p, blob *b) {
  unsigned char *payload;
  b->size = RT_BLOB_HEADER_BYTES + p->weights_bytes;
  b->data = xcalloc(1, b->size);
  payload = b->data + RT_BLOB_HEADER_BYTES;
  put_graph(g, p, payload);
  b->payload_hash = rt_fnv1a64(payload, p->weights_bytes);
  /* The reserved header bytes (12..15, 32..63) must be zero or the
   * runtime rejects the blob; say so here rather than rely on xcalloc. */
  memset(b->data, 0, RT_BLOB_HEADER_BYTES);
  memcpy(b->data, "ONNXCCW", 8);
  put_le(b->data + 8, RT_BLOB_VERSION, 4);
  put_le(b->data + 16, p->weights_bytes, 8);
  put_le(b->data + 24, b->payload_hash, 8);
}

void weights_free(blob *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}
