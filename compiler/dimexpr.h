/* Symbolic dimensions: small integer expressions over named symbols.
 *
 * A dim that is not known at compile time (an unpinned batch or sequence
 * length, NonZero's count, a shape read from a tensor at run time) is an
 * expression over symbols, each with bounds: constants, symbols, + - *,
 * floor and ceiling division, min and max. Shape inference builds them;
 * the planner sizes buffers by their upper bounds; the backend prints them
 * as C expressions the generated code evaluates at run time.
 *
 * Expressions live in one table per compilation and are hash-consed: the
 * same expression built twice has the same id, so equal shapes compare by
 * id. Constructors fold what they can (2 + 3, x * 1, x - x, max(x, x),
 * constant operands gathered), so a fully static model only ever sees
 * constants. Ids are ints; a constant's id is never confused with its
 * value (use dx_const_value). */
#ifndef ONNXCC_DIMEXPR_H
#define ONNXCC_DIMEXPR_H

#include <stddef.h>
#include <stdint.h>

struct text;

typedef enum dx_op {
  DX_CONST, DX_SYM, DX_ADD, DX_SUB, DX_MUL, DX_FLOORDIV, DX_CEILDIV, DX_MIN, DX_MAX
} dx_op;

typedef struct dx_node {
  dx_op op;
  int a, b;        /* operand ids (binary ops) */
  int64_t value;   /* DX_CONST: the value; DX_SYM: the symbol's index */
  int64_t lo, hi;  /* bounds of the value, inclusive */
} dx_node;

typedef struct dx_symbol {
  char *name;
  int64_t lo, hi;
  /* 1: a node sets it while the model runs (a run-time dim, perhaps again
   * in every step of a loop); 0: an input dim, fixed for the whole run */
  int run_time;
} dx_symbol;

typedef struct dx_table {
  dx_node *nodes;
  int n, cap;
  int *hash;        /* open addressing over node ids, -1 empty */
  int hash_cap;
  dx_symbol *syms;
  int n_syms, cap_syms;
  int overflow;     /* a bound left int64: the caller reports it */
} dx_table;

void dx_init(dx_table *t);
void dx_free(dx_table *t);

int dx_const(dx_table *t, int64_t v);
/* A new symbol with bounds lo..hi (0 <= lo <= hi); the same name twice
 * gives the same symbol (bounds of the first). */
int dx_sym(dx_table *t, const char *name, int64_t lo, int64_t hi);
/* Whether expression e involves a symbol marked run_time. */
int dx_uses_run_time_symbol(const dx_table *t, int e);
int dx_add(dx_table *t, int a, int b);
int dx_sub(dx_table *t, int a, int b);
int dx_mul(dx_table *t, int a, int b);
/* Division by a divisor whose lower bound is at least 1 (callers check
 * dx_lower first: a divisor that may be zero is the model's error). */
int dx_floordiv(dx_table *t, int a, int b);
int dx_ceildiv(dx_table *t, int a, int b);
int dx_min(dx_table *t, int a, int b);
int dx_max(dx_table *t, int a, int b);

/* 1 and *v if expression e is a constant. */
int dx_const_value(const dx_table *t, int e, int64_t *v);
int64_t dx_lower(const dx_table *t, int e);
int64_t dx_upper(const dx_table *t, int e);

/* The value of e when symbol i has value sym_values[i] (0 on a division by
 * zero: callers evaluate only expressions whose divisors are >= 1). */
int64_t dx_eval(const dx_table *t, int e, const int64_t *sym_values);

/* Prints e as a C expression of type int64_t; symbol i prints as
 * `sym_prefix[i]` (e.g. "d[3]"). Divisions print through the helpers the
 * runtime header provides (rt_floordiv, rt_ceildiv, rt_min, rt_max). */
void dx_print_c(const dx_table *t, int e, const char *sym_prefix, struct text *w);
/* Readable form for messages and dumps: "2*seq+1", "floordiv(seq,2)". */
void dx_print(const dx_table *t, int e, struct text *w);

#endif
