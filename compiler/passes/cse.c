/* cse: common-subexpression elimination. Two live nodes with the same op,
 * the same inputs (after earlier merges) and the same attributes compute
 * the same outputs, so the later one goes and its readers read the
 * earlier one's outputs. Exporters write such twins often: a Shape or a
 * Transpose per consumer, the same Unsqueeze of a position index in every
 * attention layer, one Sigmoid per branch.
 *
 * Left alone: the random ops (each node has its own stream), Dropout (a
 * mask in training mode), nodes with subgraphs or tensor attributes (not
 * compared), nodes without inputs, and nodes with an output the graph
 * returns (its name is part of the generated API).
 *
 * One walk in topological order with a hash table: linear in the graph. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

static uint64_t hash_text(uint64_t h, const char *s) {
  while (s && *s) h = mix(h, (unsigned char)*s++);
  return h;
}

/* Attributes this pass can compare: scalars, strings and lists. */
static int attr_comparable(const ir_attr *a) {
  return a->type == ATTR_FLOAT || a->type == ATTR_INT || a->type == ATTR_STRING || a->type == ATTR_FLOATS ||
         a->type == ATTR_INTS || a->type == ATTR_STRINGS;
}

static int eligible(const ir_graph *g, const ir_node *n) {
  int k;
  if (n->dead || n->op < 0 || n->n_in == 0 || n->n_implicit) return 0;
  if (!strcmp(op_family_name(n->op), "random") || n->op == OP_Dropout) return 0;
  for (k = 0; k < n->n_attr; k++)
    if (!attr_comparable(&n->attr[k])) return 0;
  for (k = 0; k < n->n_out; k++) {
    int i;
    if (n->out[k] < 0) continue;
    for (i = 0; i < g->n_outputs; i++)
      if (g->outputs[i] == n->out[k]) return 0;
  }
  return 1;
}

/* Attributes are hashed in the node's order: equal nodes that list them in
 * another order merely miss each other. */
static uint64_t node_hash(const ir_node *n) {
  uint64_t h = mix(0, (uint64_t)n->op);
  int k, j;
  h = mix(h, (uint64_t)n->n_in);
  h = mix(h, (uint64_t)n->n_out);
  for (k = 0; k < n->n_in; k++) h = mix(h, (uint64_t)(int64_t)n->in[k]);
  for (k = 0; k < n->n_attr; k++) {
    const ir_attr *a = &n->attr[k];
    h = hash_text(mix(h, (uint64_t)a->type), a->name);
    h = mix(h, (uint64_t)a->i);
    h = hash_text(h, a->s);
    h = mix(h, (uint64_t)a->n);
    for (j = 0; a->ints && j < a->n; j++) h = mix(h, (uint64_t)a->ints[j]);
  }
  return h;
}

static int same_attr(const ir_attr *a, const ir_attr *b) {
  int j;
  if (a->type != b->type || strcmp(a->name, b->name) || a->n != b->n) return 0;
  switch (a->type) {
  case ATTR_FLOAT: return !memcmp(&a->f, &b->f, sizeof a->f); /* bits: NaN equals itself, 0 and -0 differ */
  case ATTR_INT: return a->i == b->i;
  case ATTR_STRING: return !strcmp(a->s ? a->s : "", b->s ? b->s : "");
  case ATTR_FLOATS: return !a->n || !memcmp(a->floats, b->floats, sizeof(float) * (size_t)a->n);
  case ATTR_INTS: return !a->n || !memcmp(a->ints, b->ints, sizeof(int64_t) * (size_t)a->n);
  case ATTR_STRINGS:
    for (j = 0; j < a->n; j++)
      if (strcmp(a->strings[j], b->strings[j])) return 0;
    return 1;
  default: return 0;
  }
}

/* Attributes are compared by name, in any order. */
static int same_node(const ir_node *a, const ir_node *b) {
  int k, j;
  if (a->op != b->op || a->n_in != b->n_in || a->n_out != b->n_out || a->n_attr != b->n_attr) return 0;
  if (strcmp(a->domain ? a->domain : "", b->domain ? b->domain : "")) return 0;
  for (k = 0; k < a->n_in; k++)
    if (a->in[k] != b->in[k]) return 0;
  for (k = 0; k < a->n_out; k++)
    if ((a->out[k] < 0) != (b->out[k] < 0)) return 0;
  for (k = 0; k < a->n_attr; k++) {
    for (j = 0; j < b->n_attr && strcmp(a->attr[k].name, b->attr[j].name); j++) {
    }
    if (j == b->n_attr || !same_attr(&a->attr[k], &b->attr[j])) return 0;
  }
  return 1;
}

status pass_cse(ir_graph *g) {
  const size_t cap = (size_t)g->n_nodes * 2 + 1;
  int *table = xmalloc(sizeof(int) * cap);  /* node index + 1; 0: empty */
  int *rename = xmalloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
  int i, k, changed = 0;
  memset(table, 0, sizeof(int) * cap);
  for (i = 0; i < g->n_values; i++) rename[i] = i;
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    size_t slot;
    if (n->dead) continue;
    for (k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) n->in[k] = rename[n->in[k]];
    if (!eligible(g, n)) continue;
    for (slot = node_hash(n) % cap; table[slot]; slot = (slot + 1) % cap) {
      const ir_node *first = g->nodes[table[slot] - 1];
      if (!same_node(first, n)) continue;
      for (k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0) rename[n->out[k]] = first->out[k];
      n->dead = 1;
      changed = 1;
      break;
    }
    if (!n->dead) table[slot] = i + 1;
  }
  free(table);
  free(rename);
  if (changed) ir_compact(g);
  return ST_OK;
}
