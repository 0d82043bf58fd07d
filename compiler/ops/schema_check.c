/* Holds every node to the ONNX schema of its op at the model's opset.
 *
 * The facts come from schema.def (generated from the onnx package, see
 * scripts/gen_op_schema.py); this file only expands it and applies the
 * same rules as ONNX's OpSchema::Verify, which both onnx.checker and ONNX
 * Runtime run on every node:
 *
 * - Input and output counts include empty names ("" marks an absent
 *   optional value), so a trailing "" output still counts against the
 *   maximum, as in ONNX; some ops take only some counts in their range
 *   (BatchNormalization: 1 or 5 outputs). An empty name where the schema
 *   has a single (non-optional) parameter is an error, and so, stricter
 *   than ONNX, is an empty variadic input.
 * - Deprecated ops (Upsample from opset 10 on) are refused, as in ONNX.
 * - Attribute types must match exactly; attr_int() and friends would
 *   otherwise fall back to the default and compile a different model.
 * - An attribute the schema version does not define is an error, as in
 *   onnx.checker and ONNX Runtime ("Unrecognized attribute"). Names that
 *   begin with "__" are implementation details and skipped, as ONNX does.
 *   Old exporters' attributes (consumed_inputs, is_test, spatial) pass
 *   when the model's opset selects the old schema version that defines
 *   them; a model that declares a newer opset but keeps them is invalid
 *   for ONNX Runtime too. Ignoring unknown names instead would let a
 *   misspelt attribute ("stride") silently compile with the default.
 *
 * - A node is checked at its own domain's opset (op_node_opset): an
 *   ai.onnx.ml node at the model's ai.onnx.ml version. schema.def names
 *   such ops by their op id (ml_Binarizer), so (op, version) finds them.
 *
 * Cost: one pass over the node's attributes, each compared with the
 * schema's (at most 64, checked by the generator), plus one pass over the
 * inputs and outputs; the schema itself is found through a per-op index. */
#include "schema_check.h"

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ops.h"

#define SCHEMA(op, since, min_in, max_in, min_out, max_out, in_opts, out_opts, in_counts, out_counts, \
               deprecated, any_attrs, reviewed, n_attrs)                                             \
  {OP_##op, since, min_in, max_in, min_out, max_out, in_opts, out_opts, in_counts, out_counts,          \
   deprecated, any_attrs, reviewed, n_attrs, NULL},
#define ATTR(name, type, required)
static op_schema schemas[] = {
#include "schema.def"
};
#undef SCHEMA
#undef ATTR

#define SCHEMA(op, since, min_in, max_in, min_out, max_out, in_opts, out_opts, in_counts, out_counts, \
               deprecated, any_attrs, reviewed, n_attrs)
#define ATTR(name, type, required) {#name, ATTR_##type, required},
static const schema_attr attrs[] = {
#include "schema.def"
};
#undef SCHEMA
#undef ATTR

#define N_SCHEMAS ((int)(sizeof schemas / sizeof schemas[0]))
#define N_ATTRS ((int)(sizeof attrs / sizeof attrs[0]))

/* Per op: index of its oldest schema and how many versions follow it. */
static int op_first[OP_COUNT], op_count[OP_COUNT];
/* 0: not built yet, 1: built, -1: schema.def is inconsistent. */
static int index_state;

/* Builds the per-op index and points each schema at its attributes. Done
 * once, on first use (the compiler is single-threaded). schema.def lists
 * an op's versions together, oldest first; the generator guarantees it,
 * this only refuses a hand-edited file that breaks it. */
static int index_build(void) {
  int i, next_attr = 0;
  if (index_state) return index_state > 0;
  for (i = 0; i < OP_COUNT; i++) op_first[i] = -1;
  for (i = 0; i < N_SCHEMAS; i++) {
    op_schema *s = &schemas[i];
    if (op_first[s->op] < 0) op_first[s->op] = i;
    else if (op_first[s->op] + op_count[s->op] != i || schemas[i - 1].since >= s->since) break;
    op_count[s->op]++;
    s->attrs = &attrs[next_attr];
    next_attr += s->n_attrs;
    if (next_attr > N_ATTRS) break;
  }
  index_state = i == N_SCHEMAS && next_attr == N_ATTRS ? 1 : -1;
  return index_state > 0;
}

const op_schema *schema_find(int op, int64_t opset) {
  int i;
  if (op < 0 || op >= OP_COUNT || !index_build()) return NULL;
  for (i = op_first[op] + op_count[op] - 1; i >= op_first[op] && op_count[op]; i--)
    if (schemas[i].since <= opset) return &schemas[i];
  return NULL;
}

int schema_count(int op) {
  if (op < 0 || op >= OP_COUNT || !index_build()) return 0;
  return op_count[op];
}

const op_schema *schema_first(int op) {
  if (op < 0 || op >= OP_COUNT || !index_build() || !op_count[op]) return NULL;
  return &schemas[op_first[op]];
}

static const char *attr_type_name(int type) {
  static const char *const names[] = {"undefined", "float",   "int",     "string",
                                      "tensor",    "graph",   "floats",  "ints",
                                      "strings",   "tensors", "graphs",  "sparse_tensor"};
  return type >= 0 && type < (int)(sizeof names / sizeof names[0]) ? names[type] : "unknown";
}

/* The option letter of formal parameter k; positions past the formal list
 * belong to a trailing variadic one. */
static char option_at(const char *opts, int k) {
  int len = (int)strlen(opts);
  if (k < len) return opts[k];
  return len && opts[len - 1] == 'V' ? 'V' : '?';
}

/* "1 or 5", "1, 3 or 5": the counts set in mask. */
static const char *counts_text(uint64_t mask, char *buf, size_t size) {
  int k, left = 0;
  size_t len = 0;
  for (k = 0; k < 64; k++) left += (int)(mask >> k & 1);
  buf[0] = 0;
  for (k = 0; k < 64 && len < size; k++) {
    if (!(mask >> k & 1)) continue;
    left--;
    len += (size_t)snprintf(buf + len, size - len, "%d%s", k, left > 1 ? ", " : left == 1 ? " or " : "");
  }
  return buf;
}

#define PLURAL(k) ((k) == 1 ? "" : "s")

/* Inputs (is_out 0) or outputs (1) of n against the schema's counts. */
static status check_arity(const ir_node *n, const op_schema *s, int is_out) {
  const char *what = is_out ? "output" : "input";
  const int *ids = is_out ? n->out : n->in;
  int count = is_out ? n->n_out : n->n_in - n->n_implicit; /* captures are not the model's inputs */
  int min = is_out ? s->min_out : s->min_in, max = is_out ? s->max_out : s->max_in;
  uint64_t allowed = is_out ? s->out_counts : s->in_counts;
  const char *opts = is_out ? s->out_opts : s->in_opts;
  int k, present = 0;
  const char *note;
  char buf[128];
  /* An empty optional entry still fills its position, as in ONNX (Scan-8's
   * sequence_lens before the variadic states and scan inputs). */
  for (k = 0; k < count; k++) present += ids[k] >= 0 || option_at(opts, k) == 'O';
  /* Counting "" entries surprises people; say so when it matters. */
  note = present < count ? " (empty names count, as in ONNX)" : "";
  if (count > max)
    return diag_node_error(ST_BAD_MODEL, n, "%d %s%s given%s, but %s-%d takes at most %d", count, what,
                           PLURAL(count), note, op_name(s->op), s->since, max);
  if (allowed && count >= min && (count >= 64 || !(allowed >> count & 1)))
    return diag_node_error(ST_BAD_MODEL, n, "%d %s%s given%s, but %s-%d takes %s", count, what, PLURAL(count),
                           note, op_name(s->op), s->since, counts_text(allowed, buf, sizeof buf));
  for (k = 0; k < count; k++) {
    char opt = option_at(opts, k);
    if (ids[k] >= 0) continue;
    if (opt == 'S')
      return diag_node_error(ST_BAD_MODEL, n, "%s %d of %s-%d is required, but its name is empty", what, k,
                             op_name(s->op), s->since);
    /* ONNX's Verify lets a variadic entry be empty, but no variadic input
     * of these ops (Sum, Max, Concat, ...) has a meaning for "absent", and
     * the op handlers read every one. Unused variadic outputs (Split) are
     * fine: nothing reads them. */
    if (opt == 'V' && !is_out)
      return diag_node_error(ST_BAD_MODEL, n, "input %d of %s-%d is empty; a variadic input cannot be left out", k,
                             op_name(s->op), s->since);
  }
  if (present < min)
    return diag_node_error(ST_BAD_MODEL, n, "%d %s%s present, but %s-%d needs at least %d", present, what,
                           PLURAL(present), op_name(s->op), s->since, min);
  return ST_OK;
}

static int find_attr(const op_schema *s, const char *name) {
  int j;
  for (j = 0; j < s->n_attrs; j++)
    if (strcmp(s->attrs[j].name, name) == 0) return j;
  return -1;
}

static status check_attrs(const ir_node *n, const op_schema *s, int64_t opset) {
  uint64_t seen = 0; /* bit j: schema attribute j is on the node */
  int k, j;
  for (k = 0; k < n->n_attr; k++) {
    const ir_attr *a = &n->attr[k];
    j = find_attr(s, a->name);
    if (j < 0) {
      /* "__" names are implementation details, and a few schemas accept
       * anything (ONNX's AllowUncheckedAttributes), as in ONNX. */
      if (strncmp(a->name, "__", 2) == 0 || s->any_attrs) continue;
      return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' is not defined for %s-%d (the model uses opset %lld)",
                             a->name, op_name(s->op), s->since, (long long)opset);
    }
    if (seen >> j & 1) return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' appears more than once", a->name);
    seen |= (uint64_t)1 << j;
    if (a->type != s->attrs[j].type)
      return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' must be %s, not %s", a->name,
                             attr_type_name(s->attrs[j].type), attr_type_name(a->type));
  }
  for (j = 0; j < s->n_attrs; j++)
    if (s->attrs[j].required && !(seen >> j & 1))
      return diag_node_error(ST_BAD_MODEL, n, "attribute '%s' is required", s->attrs[j].name);
  return ST_OK;
}

/* "ai.onnx.ml " before "opset" in messages about a node of that domain;
 * nothing for the default domain. */
static const char *domain_prefix(const ir_node *n) {
  static char buf[64];
  if (op_domain(n->op) <= 0) return "";
  snprintf(buf, sizeof buf, "%s ", op_domain_name(op_domain(n->op)));
  return buf;
}

status schema_check_node(const ir_graph *g, const ir_node *n, int64_t opset) {
  const op_schema *s, *first;
  status st;
  (void)g;
  if (n->op < 0 || n->op >= OP_COUNT)
    return diag_node_error(ST_UNSUPPORTED, n, "%s is not a supported op", n->op_type);
  if (!index_build())
    return diag_node_error(ST_INTERNAL, n, "compiler/ops/schema.def is inconsistent; regenerate it");
  first = schema_first(n->op);
  if (!first)
    return diag_node_error(ST_INTERNAL, n, "compiler/ops/schema.def has no schema for %s; regenerate it",
                           op_name(n->op));
  s = schema_find(n->op, opset);
  if (!s)
    return diag_node_error(ST_BAD_MODEL, n, "%s is not defined before %sopset %d (the model uses opset %lld)",
                           op_name(n->op), domain_prefix(n), first->since, (long long)opset);
  /* onnx.checker and ONNX Runtime refuse a deprecated op outright. */
  if (s->deprecated)
    return diag_node_error(ST_BAD_MODEL, n, "%s is deprecated from %sopset %d on (the model uses opset %lld)",
                           op_name(n->op), domain_prefix(n), s->since, (long long)opset);
  if (!s->reviewed) {
    const op_schema *known = s;
    while (known > first && !known->reviewed) known--;
    return diag_node_error(ST_UNSUPPORTED, n,
                           "%s changed in %sopset %d (the model uses opset %lld); onnxcc implements it up to "
                           "the version of opset %d",
                           op_name(n->op), domain_prefix(n), s->since, (long long)opset, known->since);
  }
  st = check_arity(n, s, 0);
  if (!st) st = check_arity(n, s, 1);
  if (!st) st = check_attrs(n, s, opset);
  return st;
}

status schema_check_graph(const ir_graph *g) {
  int i;
  for (i = 0; i < g->n_nodes; i++) {
    status st;
    if (g->nodes[i]->dead) continue;
    st = schema_check_node(g, g->nodes[i], op_node_opset(g, g->nodes[i]));
    if (st) return st;
  }
  return ST_OK;
}
