/* Checking nodes against the ONNX operator schemas.
 *
 * compiler/ops/schema.def is generated from the onnx package by
 * scripts/gen_op_schema.py: every schema version of every op in ops.def,
 * with its input/output counts and its attributes. The checker picks the
 * version a model's opset selects and holds the node to it, so that op
 * handlers can trust attribute types, required attributes and arity. */
#ifndef ONNXCC_SCHEMA_CHECK_H
#define ONNXCC_SCHEMA_CHECK_H

#include <stdint.h>

#include "../diag.h"
#include "../ir.h"

typedef struct schema_attr {
  const char *name;
  int type;     /* ir_attr_type */
  int required;
} schema_attr;

typedef struct op_schema {
  int op;                 /* op id (ops.def) */
  int since;              /* ONNX since_version */
  int min_in, max_in;     /* counts of node inputs, empty names included; */
  int min_out, max_out;   /* INT_MAX when unbounded */
  const char *in_opts;    /* one letter per formal input: S single, O optional, V variadic */
  const char *out_opts;   /* same for outputs */
  uint64_t in_counts;     /* 0: any count in [min_in, max_in]; else bit k: k inputs allowed */
  uint64_t out_counts;    /* same for outputs (BatchNormalization: 1 or 5) */
  int deprecated;         /* ONNX refuses the op from this version on (Upsample-10) */
  int any_attrs;          /* ONNX accepts unknown attributes (LayerNormalization-17) */
  int reviewed;           /* onnxcc implements this version (else the node is refused) */
  int n_attrs;
  const schema_attr *attrs; /* n_attrs entries, sorted by name */
} op_schema;

/* The schema version of `op` that opset `opset` selects (the newest with
 * since <= opset), or NULL if the op did not exist yet or `op` is unknown. */
const op_schema *schema_find(int op, int64_t opset);
/* The oldest schema version of `op`, or NULL if schema.def has none; the
 * op's schema_count(op) versions follow it in the array, oldest first. */
const op_schema *schema_first(int op);
int schema_count(int op);

/* Checks one node against its op's schema at `opset`. Returns:
 *   ST_OK          the node fits the schema;
 *   ST_BAD_MODEL   it does not: op newer than the model's opset or
 *                  deprecated at it, too many or too few inputs/outputs
 *                  (or a count the op does not take), an empty name where
 *                  the schema requires a value or at a variadic input,
 *                  an attribute of the wrong
 *                  type, an unknown or repeated attribute, a required
 *                  attribute missing;
 *   ST_UNSUPPORTED the node's op is not one of ops.def (n->op < 0);
 *   ST_INTERNAL    schema.def has no entry for the op (it is stale).
 * Every error is reported through diag_node_error as one line. `g` is not
 * read today; it is there so that checks needing value types can be added
 * without changing callers. */
status schema_check_node(const ir_graph *g, const ir_node *n, int64_t opset);

/* schema_check_node on every live node at its domain's opset (op_node_opset);
 * stops at the first error. */
status schema_check_graph(const ir_graph *g);

#endif
