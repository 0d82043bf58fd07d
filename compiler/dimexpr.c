#include "dimexpr.h"

#include <stdlib.h>
#include <string.h>

#include "../codegen/text.h"
#include "checked.h"
#include "diag.h"

void dx_init(dx_table *t) {
  memset(t, 0, sizeof *t);
  t->hash_cap = 256;
  t->hash = xmalloc(sizeof(int) * (size_t)t->hash_cap);
  memset(t->hash, -1, sizeof(int) * (size_t)t->hash_cap);
}

void dx_free(dx_table *t) {
  int i;
  for (i = 0; i < t->n_syms; i++) free(t->syms[i].name);
  free(t->syms);
  free(t->nodes);
  free(t->hash);
  memset(t, 0, sizeof *t);
}

/* ---- saturating bound arithmetic ---- */

static int64_t sat_add(dx_table *t, int64_t a, int64_t b) {
  int64_t r;
  if (ck_add(a, b, &r)) return r;
  t->overflow = 1;
  return a > 0 ? INT64_MAX : INT64_MIN;
}

static int64_t sat_neg(dx_table *t, int64_t a) {
  if (a == INT64_MIN) {
    t->overflow = 1;
    return INT64_MAX;
  }
  return -a;
}

static int64_t sat_mul(dx_table *t, int64_t a, int64_t b) {
  int64_t r;
  if (ck_mul(a, b, &r)) return r;
  t->overflow = 1;
  return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
}

/* Floor and ceiling division for b >= 1. */
static int64_t fdiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0); }
static int64_t cdiv(int64_t a, int64_t b) { return a / b + (a % b != 0 && a > 0); }

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* ---- the hash-consed table ---- */

static uint32_t node_hash(dx_op op, int a, int b, int64_t value) {
  uint64_t h = 1469598103934665603ull;
  h = (h ^ (uint64_t)op) * 1099511628211ull;
  h = (h ^ (uint64_t)(uint32_t)a) * 1099511628211ull;
  h = (h ^ (uint64_t)(uint32_t)b) * 1099511628211ull;
  h = (h ^ (uint64_t)value) * 1099511628211ull;
  return (uint32_t)(h ^ (h >> 32));
}

static void hash_put(dx_table *t, int id) {
  const dx_node *x = &t->nodes[id];
  uint32_t i = node_hash(x->op, x->a, x->b, x->value) & (uint32_t)(t->hash_cap - 1);
  while (t->hash[i] >= 0) i = (i + 1) & (uint32_t)(t->hash_cap - 1);
  t->hash[i] = id;
}

/* The id of (op, a, b, value), made with bounds lo..hi if new. */
static int intern(dx_table *t, dx_op op, int a, int b, int64_t value, int64_t lo, int64_t hi) {
  uint32_t i = node_hash(op, a, b, value) & (uint32_t)(t->hash_cap - 1);
  int k;
  for (; (k = t->hash[i]) >= 0; i = (i + 1) & (uint32_t)(t->hash_cap - 1)) {
    const dx_node *x = &t->nodes[k];
    if (x->op == op && x->a == a && x->b == b && x->value == value) return k;
  }
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->nodes = xrealloc(t->nodes, sizeof *t->nodes * (size_t)t->cap);
  }
  k = t->n++;
  t->nodes[k].op = op;
  t->nodes[k].a = a;
  t->nodes[k].b = b;
  t->nodes[k].value = value;
  t->nodes[k].lo = lo;
  t->nodes[k].hi = hi;
  if (t->n * 2 > t->hash_cap) {
    int j;
    t->hash_cap *= 2;
    t->hash = xrealloc(t->hash, sizeof(int) * (size_t)t->hash_cap);
    memset(t->hash, -1, sizeof(int) * (size_t)t->hash_cap);
    for (j = 0; j < t->n; j++) hash_put(t, j);
  } else {
    t->hash[i] = k;
  }
  return k;
}

int dx_const(dx_table *t, int64_t v) { return intern(t, DX_CONST, -1, -1, v, v, v); }

int dx_sym(dx_table *t, const char *name, int64_t lo, int64_t hi) {
  int i;
  for (i = 0; i < t->n_syms; i++)
    if (strcmp(t->syms[i].name, name) == 0) return intern(t, DX_SYM, -1, -1, i, t->syms[i].lo, t->syms[i].hi);
  if (t->n_syms == t->cap_syms) {
    t->cap_syms = t->cap_syms ? t->cap_syms * 2 : 8;
    t->syms = xrealloc(t->syms, sizeof *t->syms * (size_t)t->cap_syms);
  }
  t->syms[t->n_syms].name = xstrdup(name);
  t->syms[t->n_syms].lo = lo;
  t->syms[t->n_syms].hi = hi;
  t->syms[t->n_syms].run_time = 0;
  return intern(t, DX_SYM, -1, -1, t->n_syms++, lo, hi);
}

int dx_uses_run_time_symbol(const dx_table *t, int e) {
  const dx_node *x = &t->nodes[e];
  switch (x->op) {
  case DX_CONST: return 0;
  case DX_SYM: return t->syms[x->value].run_time;
  default: return dx_uses_run_time_symbol(t, x->a) || dx_uses_run_time_symbol(t, x->b);
  }
}

int dx_const_value(const dx_table *t, int e, int64_t *v) {
  if (t->nodes[e].op != DX_CONST) return 0;
  *v = t->nodes[e].value;
  return 1;
}

int64_t dx_lower(const dx_table *t, int e) { return t->nodes[e].lo; }
int64_t dx_upper(const dx_table *t, int e) { return t->nodes[e].hi; }

static int is_const(const dx_table *t, int e, int64_t v) {
  return t->nodes[e].op == DX_CONST && t->nodes[e].value == v;
}

/* Commutative ops keep the constant (if any) second, else the lower id
 * first, so that a + b and b + a are one node. */
static void order(const dx_table *t, int *a, int *b) {
  int ca = t->nodes[*a].op == DX_CONST, cb = t->nodes[*b].op == DX_CONST;
  if ((ca && !cb) || (ca == cb && *a > *b)) {
    int x = *a;
    *a = *b;
    *b = x;
  }
}

int dx_add(dx_table *t, int a, int b) {
  int64_t x, y;
  if (dx_const_value(t, a, &x) && dx_const_value(t, b, &y)) return dx_const(t, sat_add(t, x, y));
  order(t, &a, &b);
  if (is_const(t, b, 0)) return a;
  /* (u + c1) + c2 = u + (c1 + c2) */
  if (dx_const_value(t, b, &y) && t->nodes[a].op == DX_ADD && dx_const_value(t, t->nodes[a].b, &x))
    return dx_add(t, t->nodes[a].a, dx_const(t, sat_add(t, x, y)));
  return intern(t, DX_ADD, a, b, 0, sat_add(t, t->nodes[a].lo, t->nodes[b].lo),
                sat_add(t, t->nodes[a].hi, t->nodes[b].hi));
}

int dx_sub(dx_table *t, int a, int b) {
  int64_t x, y;
  if (a == b) return dx_const(t, 0);
  if (dx_const_value(t, b, &y)) {
    if (dx_const_value(t, a, &x)) return dx_const(t, sat_add(t, x, sat_neg(t, y)));
    return dx_add(t, a, dx_const(t, sat_neg(t, y))); /* u - c = u + (-c): one canonical form */
  }
  return intern(t, DX_SUB, a, b, 0, sat_add(t, t->nodes[a].lo, sat_neg(t, t->nodes[b].hi)),
                sat_add(t, t->nodes[a].hi, sat_neg(t, t->nodes[b].lo)));
}

int dx_mul(dx_table *t, int a, int b) {
  int64_t x, y, c[4], lo, hi;
  int i;
  if (dx_const_value(t, a, &x) && dx_const_value(t, b, &y)) return dx_const(t, sat_mul(t, x, y));
  order(t, &a, &b);
  if (is_const(t, b, 1)) return a;
  if (is_const(t, b, 0)) return b;
  c[0] = sat_mul(t, t->nodes[a].lo, t->nodes[b].lo);
  c[1] = sat_mul(t, t->nodes[a].lo, t->nodes[b].hi);
  c[2] = sat_mul(t, t->nodes[a].hi, t->nodes[b].lo);
  c[3] = sat_mul(t, t->nodes[a].hi, t->nodes[b].hi);
  lo = hi = c[0];
  for (i = 1; i < 4; i++) {
    lo = min64(lo, c[i]);
    hi = max64(hi, c[i]);
  }
  return intern(t, DX_MUL, a, b, 0, lo, hi);
}

/* floor/ceil division: monotone in each operand (divisor >= 1), so the
 * bounds are at the corners. */
static int divide(dx_table *t, dx_op op, int a, int b) {
  int64_t x, y, c[4], lo, hi;
  int64_t (*f)(int64_t, int64_t) = op == DX_FLOORDIV ? fdiv : cdiv;
  int i;
  if (t->nodes[b].lo < 1) { /* the caller should have refused it */
    t->overflow = 1;
    return dx_const(t, 0);
  }
  if (dx_const_value(t, a, &x) && dx_const_value(t, b, &y)) return dx_const(t, f(x, y));
  if (is_const(t, b, 1)) return a;
  c[0] = f(t->nodes[a].lo, t->nodes[b].lo);
  c[1] = f(t->nodes[a].lo, t->nodes[b].hi);
  c[2] = f(t->nodes[a].hi, t->nodes[b].lo);
  c[3] = f(t->nodes[a].hi, t->nodes[b].hi);
  lo = hi = c[0];
  for (i = 1; i < 4; i++) {
    lo = min64(lo, c[i]);
    hi = max64(hi, c[i]);
  }
  return intern(t, op, a, b, 0, lo, hi);
}

int dx_floordiv(dx_table *t, int a, int b) { return divide(t, DX_FLOORDIV, a, b); }
int dx_ceildiv(dx_table *t, int a, int b) { return divide(t, DX_CEILDIV, a, b); }

int dx_min(dx_table *t, int a, int b) {
  if (a == b || t->nodes[a].hi <= t->nodes[b].lo) return a; /* provably the smaller */
  if (t->nodes[b].hi <= t->nodes[a].lo) return b;
  order(t, &a, &b);
  return intern(t, DX_MIN, a, b, 0, min64(t->nodes[a].lo, t->nodes[b].lo), min64(t->nodes[a].hi, t->nodes[b].hi));
}

int dx_max(dx_table *t, int a, int b) {
  if (a == b || t->nodes[a].lo >= t->nodes[b].hi) return a;
  if (t->nodes[b].lo >= t->nodes[a].hi) return b;
  order(t, &a, &b);
  return intern(t, DX_MAX, a, b, 0, max64(t->nodes[a].lo, t->nodes[b].lo), max64(t->nodes[a].hi, t->nodes[b].hi));
}

/* ---- evaluation and printing ---- */

int64_t dx_eval(const dx_table *t, int e, const int64_t *sym_values) {
  const dx_node *x = &t->nodes[e];
  int64_t a, b;
  switch (x->op) {
  case DX_CONST: return x->value;
  case DX_SYM: return sym_values[x->value];
  default: break;
  }
  a = dx_eval(t, x->a, sym_values);
  b = dx_eval(t, x->b, sym_values);
  switch (x->op) {
  case DX_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
  case DX_SUB: return (int64_t)((uint64_t)a - (uint64_t)b);
  case DX_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
  case DX_FLOORDIV: return b >= 1 ? fdiv(a, b) : 0;
  case DX_CEILDIV: return b >= 1 ? cdiv(a, b) : 0;
  case DX_MIN: return min64(a, b);
  case DX_MAX: return max64(a, b);
  default: return 0;
  }
}

static const char *fn_name(dx_op op, int c_form) {
  switch (op) {
  case DX_FLOORDIV: return c_form ? "rt_dim_floordiv" : "floordiv";
  case DX_CEILDIV: return c_form ? "rt_dim_ceildiv" : "ceildiv";
  case DX_MIN: return c_form ? "rt_dim_min" : "min";
  case DX_MAX: return c_form ? "rt_dim_max" : "max";
  default: return "?";
  }
}

static void print(const dx_table *t, int e, const char *sym_prefix, int c_form, text *w) {
  const dx_node *x = &t->nodes[e];
  const char *op = NULL;
  switch (x->op) {
  case DX_CONST:
    if (c_form) text_i64(w, x->value);
    else text_printf(w, "%lld", (long long)x->value);
    return;
  case DX_SYM:
    if (c_form) text_printf(w, "%s[%lld]", sym_prefix, (long long)x->value);
    else text_puts(w, t->syms[x->value].name);
    return;
  case DX_ADD: op = " + "; break;
  case DX_SUB: op = " - "; break;
  case DX_MUL: op = " * "; break;
  default: break;
  }
  if (op) {
    text_puts(w, "(");
    print(t, x->a, sym_prefix, c_form, w);
    text_puts(w, op);
    print(t, x->b, sym_prefix, c_form, w);
    text_puts(w, ")");
    return;
  }
  text_printf(w, "%s(", fn_name(x->op, c_form));
  print(t, x->a, sym_prefix, c_form, w);
  text_puts(w, ", ");
  print(t, x->b, sym_prefix, c_form, w);
  text_puts(w, ")");
}

void dx_print_c(const dx_table *t, int e, const char *sym_prefix, text *w) { print(t, e, sym_prefix, 1, w); }
void dx_print(const dx_table *t, int e, text *w) { print(t, e, NULL, 0, w); }
