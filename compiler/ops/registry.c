/* The op tables built from ops.def, and helpers shared by op handlers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../codegen/text.h"
#include "../checked.h"
#include "../dimexpr.h"
#include "../ir_box.h"
#include "../passes/passes.h"
#include "ops.h"

#define OP(name, family) #name,
#define OPD(domain, name, family) #name,
static const char *const op_names[] = {
#include "ops.def"
};
#undef OP
#undef OPD

#define OP(name, family) #family,
#define OPD(domain, name, family) #family,
static const char *const op_families[] = {
#include "ops.def"
};
#undef OP
#undef OPD

#define OP(name, family) &op_family_##family,
#define OPD(domain, name, family) &op_family_##family,
static const op_family *const op_handlers[] = {
#include "ops.def"
};
#undef OP
#undef OPD

#define OP(name, family) OP_DOMAIN_onnx,
#define OPD(domain, name, family) OP_DOMAIN_##domain,
static const unsigned char op_domains[] = {
#include "ops.def"
};
#undef OP
#undef OPD

#define OP_DOMAIN_NAME(tag, name) name,
static const char *const domain_names[] = {OP_DOMAINS(OP_DOMAIN_NAME)};
#undef OP_DOMAIN_NAME

int op_domain_lookup(const char *domain) {
  int d;
  if (!domain || !*domain || strcmp(domain, "ai.onnx") == 0) return OP_DOMAIN_onnx;
  for (d = 1; d < OP_N_DOMAINS; d++)
    if (strcmp(domain, domain_names[d]) == 0) return d;
  return -1;
}

int op_lookup(const char *domain, const char *op_type) {
  int i, d = op_domain_lookup(domain);
  if (d < 0 || d == OP_DOMAIN_onnxcc) return -1; /* internal ops: passes only */
  for (i = 0; i < OP_COUNT; i++)
    if (op_domains[i] == d && strcmp(op_names[i], op_type) == 0) return i;
  return -1;
}

int op_domain(int op) { return op >= 0 && op < OP_COUNT ? op_domains[op] : -1; }
const char *op_domain_name(int domain) { return domain >= 0 && domain < OP_N_DOMAINS ? domain_names[domain] : "?"; }

int64_t op_graph_opset(const ir_graph *g, int domain) {
  switch (domain) {
  case OP_DOMAIN_onnx: return g->opset;
  case OP_DOMAIN_ml: return g->opset_ml;
  case OP_DOMAIN_training: return g->opset_training;
  case OP_DOMAIN_preview: return g->opset_preview;
  case OP_DOMAIN_ms: return g->opset_ms;
  default: return 0;
  }
}

int64_t op_node_opset(const ir_graph *g, const ir_node *n) { return op_graph_opset(g, op_domain(n->op)); }

const char *op_name(int op) { return op >= 0 && op < OP_COUNT ? op_names[op] : "?"; }
const char *op_family_name(int op) { return op >= 0 && op < OP_COUNT ? op_families[op] : "?"; }
const op_family *op_handler(int op) { return op >= 0 && op < OP_COUNT ? op_handlers[op] : NULL; }

ir_value *op_in(const op_ctx *c, int i) {
  if (i < 0 || i >= c->n->n_in) return NULL;
  return ir_val(c->g, c->n->in[i]);
}

ir_value *op_out(const op_ctx *c, int i) {
  if (i < 0 || i >= c->n->n_out) return NULL;
  return ir_val(c->g, c->n->out[i]);
}

int64_t attr_int(const ir_node *n, const char *name, int64_t dflt) {
  const ir_attr *a = ir_attr_find(n, name);
  return a && a->type == ATTR_INT ? a->i : dflt;
}

float attr_float(const ir_node *n, const char *name, float dflt) {
  const ir_attr *a = ir_attr_find(n, name);
  if (!a) return dflt;
  if (a->type == ATTR_FLOAT) return a->f;
  if (a->type == ATTR_INT) return (float)a->i;
  return dflt;
}

const char *attr_string(const ir_node *n, const char *name, const char *dflt) {
  const ir_attr *a = ir_attr_find(n, name);
  return a && a->type == ATTR_STRING ? a->s : dflt;
}

int attr_ints(const ir_node *n, const char *name, const int64_t **out) {
  const ir_attr *a = ir_attr_find(n, name);
  if (!a || a->type != ATTR_INTS) return -1;
  *out = a->ints;
  return a->n;
}

int attr_floats(const ir_node *n, const char *name, const float **out) {
  const ir_attr *a = ir_attr_find(n, name);
  if (!a || a->type != ATTR_FLOATS) return -1;
  *out = a->floats;
  return a->n;
}

status op_attr_enum(const op_ctx *c, const char *name, const char *dflt, const char *const *allowed, int n,
                    int *index) {
  const char *v = attr_string(c->n, name, dflt);
  text w;
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(v, allowed[i]) == 0) {
      *index = i;
      return ST_OK;
    }
  text_init(&w);
  for (i = 0; i < n; i++) text_printf(&w, "%s%s", i ? ", " : "", allowed[i]);
  diag_node_error(ST_BAD_MODEL, c->n, "attribute '%s' is '%s', not one of %s", name, v, w.buf);
  text_free(&w);
  return ST_BAD_MODEL;
}

void op_set_output(op_ctx *c, int i, int dtype, int rank, const int64_t *dims) {
  ir_value *v = op_out(c, i);
  int k;
  if (!v) return;
  memset(&v->box, 0, sizeof v->box); /* a tensor */
  v->t.dtype = dtype;
  v->t.rank = rank;
  for (k = 0; k < IR_MAX_RANK; k++) {
    v->t.dims[k] = k < rank ? dims[k] : 0;
    v->t.sym[k] = 0;
  }
}

void op_set_output_exprs(op_ctx *c, int i, int dtype, int rank, const int *exprs) {
  ir_value *v = op_out(c, i);
  int k;
  if (!v) return;
  op_set_output(c, i, dtype, rank, v->t.dims);
  for (k = 0; k < rank; k++) ir_set_dim(c->g, &v->t, k, exprs[k]);
}

void op_same_as_input(op_ctx *c, int i, int from) {
  const ir_value *x = op_in(c, from);
  ir_value *y = op_out(c, i);
  op_set_output(c, i, x->t.dtype, x->t.rank, x->t.dims);
  if (y) memcpy(y->t.sym, x->t.sym, sizeof y->t.sym);
  if (y && ir_is_boxed(x)) ir_box_set(y, &x->box); /* same size: cannot fail */
}

status op_set_box_output(op_ctx *c, int i, const ir_box_type *b) {
  ir_value *y = op_out(c, i);
  char buf[200];
  if (!y) return ST_OK;
  if (!ir_box_set(y, b))
    return diag_node_error(ST_UNSUPPORTED, c->n, "output '%s' would be %s, over the limit of %lld bytes", y->name,
                           ir_box_type_str(b, buf, sizeof buf), (long long)CK_MAX_TENSOR_BYTES);
  return ST_OK;
}

dx_table *op_dx(const op_ctx *c) { return ir_dx(c->g); }

status op_check_equal(const op_ctx *c, int a, int b, const char *what) {
  dx_table *dx = op_dx(c);
  int64_t x, y;
  if (a == b) return ST_OK;
  if (dx_const_value(dx, a, &x) && dx_const_value(dx, b, &y))
    return diag_node_error(ST_BAD_MODEL, c->n, "%s: %lld and %lld differ", what, (long long)x, (long long)y);
  if (dx_upper(dx, a) < dx_lower(dx, b) || dx_upper(dx, b) < dx_lower(dx, a)) {
    text w;
    status s;
    text_init(&w);
    dx_print(dx, a, &w);
    text_puts(&w, " and ");
    dx_print(dx, b, &w);
    s = diag_node_error(ST_BAD_MODEL, c->n, "%s: %s can never be equal", what, w.buf);
    text_free(&w);
    return s;
  }
  {
    int k; /* one check per pair, however many operands need it */
    for (k = 0; k < c->n->n_checks; k++)
      if ((c->n->checks[2 * k] == a && c->n->checks[2 * k + 1] == b) ||
          (c->n->checks[2 * k] == b && c->n->checks[2 * k + 1] == a))
        return ST_OK;
  }
  c->n->checks = xrealloc(c->n->checks, sizeof(int) * (2 * (size_t)c->n->n_checks + 2));
  c->n->checks[2 * c->n->n_checks] = a;
  c->n->checks[2 * c->n->n_checks + 1] = b;
  c->n->n_checks++;
  return ST_OK;
}

status op_axis(const op_ctx *c, int64_t axis, int rank, int *out) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= (rank ? rank : 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "axis %lld is out of range for rank %d",
                           (long long)axis, rank);
  *out = (int)a;
  return ST_OK;
}

status op_broadcast_exprs(const op_ctx *c, const ir_tensor *const *ins, int n, int *rank, int *exprs) {
  dx_table *dx = op_dx(c);
  int r = 0, i, d, one = dx_const(dx, 1);
  int64_t a, b;
  for (i = 0; i < n; i++)
    if (ins[i]->rank > r) r = ins[i]->rank;
  for (d = 0; d < r; d++) exprs[d] = one;
  for (i = 0; i < n; i++) {
    const ir_tensor *t = ins[i];
    for (d = 0; d < t->rank; d++) {
      int e = ir_dim(c->g, t, d), *od = &exprs[r - t->rank + d];
      if (e == *od || e == one) continue;
      if (*od == one) {
        *od = e;
        continue;
      }
      {
        char x[128], y[128];
        status s;
        if (dx_const_value(dx, e, &a) && dx_const_value(dx, *od, &b))
          return diag_node_error(ST_BAD_MODEL, c->n, "shapes %s and %s cannot be broadcast together",
                                 tensor_type_str(ins[0], x, sizeof x), tensor_type_str(t, y, sizeof y));
        /* equal at run time, checked; the constant one, if any, is the
         * output's dim */
        s = op_check_equal(c, e, *od, "dims that broadcast");
        if (s) return s;
        if (dx_const_value(dx, e, &a)) *od = e;
      }
    }
  }
  *rank = r;
  return ST_OK;
}

void op_strides(int rank, const int64_t *dims, int64_t *strides) {
  int64_t s = 1;
  int d;
  for (d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= dims[d];
  }
}

int op_const_ints(const op_ctx *c, int input, int64_t *out, int max, const char *what) {
  const ir_value *v = op_in(c, input);
  int64_t n, i;
  if (!v || !v->t.data) {
    diag_node_error(ST_UNSUPPORTED, c->n, "%s (input %d) must be a compile-time constant", what, input);
    return -1;
  }
  n = tensor_numel(&v->t);
  if (n > max) {
    diag_node_error(ST_UNSUPPORTED, c->n, "%s has %lld values, at most %d are supported", what,
                    (long long)n, max);
    return -1;
  }
  for (i = 0; i < n; i++) out[i] = tensor_int(&v->t, i);
  return (int)n;
}

int op_const_exprs(const op_ctx *c, int input, int *out, int max, const char *what) {
  const ir_value *v = op_in(c, input);
  int64_t vals[IR_SYMVALS_MAX];
  int n, i;
  if (v && v->symvals) {
    n = (int)tensor_numel(&v->t);
    if (n > max) {
      diag_node_error(ST_UNSUPPORTED, c->n, "%s has %d values, at most %d are supported", what, n, max);
      return -1;
    }
    memcpy(out, v->symvals, sizeof(int) * (size_t)n);
    return n;
  }
  n = op_const_ints(c, input, vals, max < IR_SYMVALS_MAX ? max : IR_SYMVALS_MAX, what);
  for (i = 0; i < n; i++) out[i] = dx_const(op_dx(c), vals[i]);
  return n;
}

void op_want_value_dims(const op_ctx *c, int input) {
  if (input < c->n->n_in && c->n->in[input] >= 0) symvals_request(c->g, c->n->in[input]);
}

int op_add_prepared(op_ctx *c, const char *hint, int dtype, int rank, const int64_t *dims) {
  int id = ir_value_new(c->g, hint);
  ir_value *v = c->g->values[id];
  v->t.dtype = dtype;
  v->t.rank = rank;
  memcpy(v->t.dims, dims, sizeof(int64_t) * (size_t)rank);
  v->t.data = xcalloc(1, tensor_bytes(&v->t) ? tensor_bytes(&v->t) : 1);
  return id;
}

void *op_add_table(op_ctx *c, const char *hint, int dtype, int64_t count, int slot) {
  int64_t dims[1];
  int id, k;
  dims[0] = count > 0 ? count : 1;
  id = op_add_prepared(c, hint, dtype, 1, dims);
  if (slot < 0) slot = c->n->n_in;
  if (slot >= c->n->n_in) {
    c->n->in = xrealloc(c->n->in, sizeof(int) * (size_t)(slot + 1));
    for (k = c->n->n_in; k < slot; k++) c->n->in[k] = -1;
    c->n->n_in = slot + 1;
  }
  c->n->in[slot] = id;
  return c->g->values[id]->t.data;
}

void *lowered_init(lowered *l, int kernel, size_t params_size) {
  memset(l, 0, sizeof *l);
  l->kernel = kernel;
  l->params = xcalloc(1, params_size);
  l->params_size = params_size;
  l->view_of = l->inplace_of = l->prepare = -1;
  return l->params;
}

void *op_lower_named(const op_ctx *c, lowered *l, const char *kernel_name) {
  int id = kernel_find(kernel_name);
  if (id < 0) {
    diag_node_error(ST_UNSUPPORTED, c->n, "the runtime has no kernel %s for this node", kernel_name);
    return NULL;
  }
  return lowered_init(l, id, kernel_get(id)->params->size);
}

const char *op_dtype_suffix(int dtype) {
#define SUFFIX(rt, sfx) case (int)rt: return #sfx;
  switch (dtype) { RT_TYPE_SUFFIXES(SUFFIX) default: return dtype_name(dtype); }
#undef SUFFIX
}

void *op_lower_as(const op_ctx *c, lowered *l, int params_id, const char *fmt, ...) {
  char name[96];
  va_list ap;
  void *p;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  p = op_lower_named(c, l, name);
  if (p && kernel_get(l->kernel)->params != params_get(params_id)) {
    diag_node_error(ST_INTERNAL, c->n, "kernel %s does not take %s", name, params_get(params_id)->type);
    return NULL;
  }
  return p;
}

void op_quant_fields(const ir_value *v, int32_t *axis, float *scale, int32_t *zero_point) {
  const ir_quant *q = v ? v->quant : NULL;
  *axis = q && q->axis >= 0 && q->n > 1 ? q->axis : -1;
  *scale = q && q->n >= 1 ? q->scale[0] : 1.0f;
  *zero_point = q && q->n >= 1 ? q->zero_point[0] : 0;
}

/* Stores expression `expr` in the integer field at `field` of a params
 * struct of type d (at `base`), recording a bind when it is symbolic. */
static void bind_field(const op_ctx *c, const params_desc *d, void *base, void *field, int expr, lowered_bind **binds,
                       int *n_binds) {
  dx_table *dx = op_dx(c);
  size_t off = (size_t)((char *)field - (char *)base);
  int index;
  const param_field *f = params_field_at(d, off, &index);
  int64_t v;
  int symbolic = !dx_const_value(dx, expr, &v);
  if (symbolic) v = dx_upper(dx, expr);
  if (!f || (f->kind != PK_I64 && f->kind != PK_I32)) {
    /* a lowering that binds a float or a non-field: the compiler's bug */
    diag_node_error(ST_INTERNAL, c->n, "binding a dim to byte %zu of %s, which is no integer field", off, d->type);
    return;
  }
  if (f->kind == PK_I64) *(int64_t *)field = v;
  else *(int32_t *)field = (int32_t)v;
  if (symbolic) {
    *binds = xrealloc(*binds, sizeof **binds * ((size_t)*n_binds + 1));
    (*binds)[*n_binds].offset = off;
    (*binds)[*n_binds].expr = expr;
    (*n_binds)++;
  }
}

void op_bind(const op_ctx *c, lowered *l, void *field, int expr) {
  bind_field(c, kernel_get(l->kernel)->params, l->params, field, expr, &l->binds, &l->n_binds);
}

void op_bind_prepare(const op_ctx *c, lowered *l, void *field, int expr) {
  bind_field(c, kernel_get(l->prepare)->params, l->prepare_params, field, expr, &l->prepare_binds,
             &l->n_prepare_binds);
}

void *op_prepare_as(const op_ctx *c, lowered *l, int params_id, const char *name) {
  int id = kernel_find(name);
  if (id < 0 || kernel_get(id)->params != params_get(params_id)) {
    diag_node_error(ST_INTERNAL, c->n, "the runtime has no prepare kernel %s taking %s", name,
                    params_get(params_id)->type);
    return NULL;
  }
  l->prepare = id;
  free(l->prepare_params);
  l->prepare_params_size = kernel_get(id)->params->size;
  l->prepare_params = xcalloc(1, l->prepare_params_size);
  return l->prepare_params;
}

status op_define(const op_ctx *c, lowered *l, int expr) {
  const dx_table *dx = op_dx(c);
  if (expr < 0 || dx->nodes[expr].op != DX_SYM || l->n_defines >= LOWERED_MAX_DEFINES)
    return diag_node_error(ST_INTERNAL, c->n, "a run-time dim that is not a fresh symbol");
  l->defines[l->n_defines++] = (int)dx->nodes[expr].value;
  return ST_OK;
}

status op_define_data_dims(const op_ctx *c, lowered *l, const ir_tensor *y, int32_t *mask) {
  int d, k = 0;
  *mask = 0;
  for (d = 0; d < y->rank; d++) {
    const int e = ir_dim(c->g, y, d);
    if (!op_is_data_dim(c, e, k)) continue;
    *mask |= (int32_t)1 << d;
    if (op_define(c, l, e)) return ST_INTERNAL;
    k++;
  }
  return ST_OK;
}

/* The name of the node's k-th run-time dim: derived from its first present
 * output (value names are unique in a graph; node names may repeat or be
 * empty), so a second round of inference gets the same symbol. In a body,
 * the enclosing nodes' outputs go in front ("loop_out/slice_out#0"): a
 * body may reuse a name of its outer graph. */
static char *data_dim_name(const op_ctx *c, int k) {
  text w;
  const ir_graph *g;
  char *name;
  int i;
  text_init(&w);
  for (g = c->g; g->parent && g->owner; g = g->parent) {
    const ir_value *o = g->owner->n_out > 0 ? ir_val(g->parent, g->owner->out[0]) : NULL;
    text_printf(&w, "%s/", o ? o->name : "?");
  }
  for (i = 0; i < c->n->n_out && !op_out(c, i); i++) { /* an optional output may be absent */
  }
  text_printf(&w, "%s#%d", i < c->n->n_out ? op_out(c, i)->name : "?", k);
  name = xstrdup(w.buf);
  text_free(&w);
  return name;
}

int op_is_data_dim(const op_ctx *c, int e, int k) {
  const dx_table *dx = op_dx(c);
  char *name;
  int same;
  if (e < 0 || dx->nodes[e].op != DX_SYM) return 0;
  name = data_dim_name(c, k);
  same = strcmp(dx->syms[dx->nodes[e].value].name, name) == 0;
  free(name);
  return same;
}

int op_data_dim(const op_ctx *c, int k, int64_t bound, const char *what) {
  dx_table *dx = op_dx(c);
  char *name;
  int e;
  if (bound <= 0) bound = c->g->max_dynamic_dim;
  if (bound <= 0) {
    diag_node_error(ST_UNSUPPORTED, c->n, "%s depends on values known only at run time and has no bound; give one "
                    "with --max-dynamic-dim N", what);
    return -1;
  }
  name = data_dim_name(c, k);
  e = dx_sym(dx, name, 0, bound);
  free(name);
  dx->syms[dx->nodes[e].value].run_time = 1;
  return e;
}

void op_bind_dims(const op_ctx *c, lowered *l, int64_t *field, const ir_tensor *t) {
  int d;
  for (d = 0; d < t->rank; d++) op_bind(c, l, &field[d], ir_dim(c->g, t, d));
}

void op_bind_product(const op_ctx *c, lowered *l, void *field, const ir_tensor *t, int from, int to) {
  op_bind(c, l, field, ir_dims_product(c->g, t, from, to));
}

void op_bind_broadcast_strides(const op_ctx *c, lowered *l, int64_t *field, const ir_tensor *t, const ir_tensor *out) {
  dx_table *dx = op_dx(c);
  int d, off = out->rank - t->rank, one = dx_const(dx, 1);
  for (d = 0; d < out->rank; d++) {
    int td = d - off, e;
    if (td < 0 || (ir_dim(c->g, t, td) == one && ir_dim(c->g, out, d) != one)) e = dx_const(dx, 0);
    else e = ir_dims_product(c->g, t, td + 1, t->rank);
    op_bind(c, l, &field[d], e);
  }
}

int op_same_type_and_shape(const ir_tensor *a, const ir_tensor *b) {
  return a->dtype == b->dtype && a->rank == b->rank &&
         memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0 &&
         memcmp(a->sym, b->sym, sizeof(int) * (size_t)a->rank) == 0;
}

void lowered_free(lowered *l) {
  free(l->params);
  free(l->binds);
  free(l->prepare_params);
  free(l->prepare_binds);
  memset(l, 0, sizeof *l);
  l->kernel = l->view_of = l->inplace_of = l->prepare = -1;
}
