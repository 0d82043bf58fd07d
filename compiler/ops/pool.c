/* Pooling: MaxPool, AveragePool, LpPool and GlobalAveragePool,
 * GlobalMaxPool, GlobalLpPool. Each lowers to the variant for its op and
 * element type: rt_maxpool_f32, rt_globalavgpool_f64, ... */
#include <stdio.h>
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "ops.h"


#define POOL_MAX_SPATIAL 3

/* The window geometry of one node, per spatial dim. */
typedef struct pool_geom {
  int nsp;                      /* spatial dims */
  int64_t in[POOL_MAX_SPATIAL], out[POOL_MAX_SPATIAL];
  int64_t k[POOL_MAX_SPATIAL], s[POOL_MAX_SPATIAL], d[POOL_MAX_SPATIAL];
  int64_t pb[POOL_MAX_SPATIAL], pe[POOL_MAX_SPATIAL];
  /* in, out and pb as dim expressions: constants of the above where the
   * input dim is exact, else what the run computes (pool_symbolic) */
  int in_e[POOL_MAX_SPATIAL], out_e[POOL_MAX_SPATIAL], pb_e[POOL_MAX_SPATIAL];
} pool_geom;

/* LpPool's p: a float attribute in opset 1, an int after. */
static int64_t lp_p(const ir_node *n) {
  float p = attr_float(n, "p", 2.0f);
  return p >= 1.0f && p <= 64.0f ? (int64_t)p : -1;
}

static int is_global(int op) {
  return op == OP_GlobalAveragePool || op == OP_GlobalMaxPool || op == OP_GlobalLpPool;
}

/* Reads an optional INTS attribute of exactly `n` values (default `dflt`
 * for each). */
static status spatial_ints(const op_ctx *c, const char *name, int n, int64_t dflt, int64_t *v) {
  const int64_t *a;
  int i, got = attr_ints(c->n, name, &a);
  if (got < 0) {
    for (i = 0; i < n; i++) v[i] = dflt;
    return ST_OK;
  }
  if (got != n)
    return diag_node_error(ST_BAD_MODEL, c->n, "'%s' has %d values, expected %d (one per spatial dim)",
                           name, got, n);
  for (i = 0; i < n; i++) v[i] = a[i];
  return ST_OK;
}

/* Spatial dim i of a symbolic input: out and the leading pad as
 * expressions of the input size, by the formulas pool_geometry applies to
 * the upper bound (which has checked them for overflow: they grow with
 * the input). Also refuses a window that does not fit the padded input at
 * the low end of the range. */
static status pool_symbolic(const op_ctx *c, pool_geom *g, int i, const char *auto_pad, int ceil_mode) {
  dx_table *dx = op_dx(c);
  const int in = g->in_e[i], s = dx_const(dx, g->s[i]), two = dx_const(dx, 2);
  const int64_t span = (g->k[i] - 1) * g->d[i] + 1;
  int room, out;
  if (auto_pad[0] == 'S') {
    /* SAME_*: out = ceil(in / s); the total pad is what the last window
     * needs past the input, split with the odd one at the end (UPPER) or
     * the start (LOWER) */
    int last, total;
    g->out_e[i] = dx_ceildiv(dx, in, s);
    last = dx_mul(dx, dx_sub(dx, g->out_e[i], dx_const(dx, 1)), s);
    total = dx_max(dx, dx_const(dx, 0), dx_sub(dx, dx_add(dx, last, dx_const(dx, span)), in));
    g->pb_e[i] = auto_pad[5] == 'U' ? dx_floordiv(dx, total, two) : dx_sub(dx, total, dx_floordiv(dx, total, two));
    return ST_OK;
  }
  room = dx_add(dx, in, dx_const(dx, g->pb[i] + g->pe[i] - span));
  if (dx_lower(dx, room) < 0)
    return diag_node_error(ST_BAD_MODEL, c->n,
                           "window of %lld (kernel %lld, dilation %lld) is larger than the padded input along spatial "
                           "dim %d at its smallest size %lld",
                           (long long)span, (long long)g->k[i], (long long)g->d[i], i, (long long)dx_lower(dx, in));
  if (ceil_mode && auto_pad[0] == 'N') {
    /* ceil, less the last window when it would start in the right
     * padding: at most one less, and exactly when
     * (out - 1) * s >= in + pb, i.e. when floor((in + pb - 1) / s) + 1
     * is below out */
    const int c_out = dx_add(dx, dx_ceildiv(dx, room, s), dx_const(dx, 1));
    const int fits = dx_add(dx, dx_floordiv(dx, dx_add(dx, in, dx_const(dx, g->pb[i] - 1)), s), dx_const(dx, 1));
    out = dx_max(dx, dx_sub(dx, c_out, dx_const(dx, 1)), dx_min(dx, c_out, fits));
  } else {
    out = dx_add(dx, dx_floordiv(dx, room, s), dx_const(dx, 1));
  }
  g->out_e[i] = out;
  g->pb_e[i] = dx_const(dx, g->pb[i]);
  return ST_OK;
}

static status pool_geometry(const op_ctx *c, pool_geom *g) {
  const ir_tensor *x = &op_in(c, 0)->t;
  const ir_node *n = c->n;
  int64_t pads[2 * POOL_MAX_SPATIAL];
  const char *auto_pad = attr_string(n, "auto_pad", "NOTSET");
  int ceil_mode = (int)attr_int(n, "ceil_mode", 0);
  int i, np;
  const int64_t *ap;
  status s;

  memset(g, 0, sizeof *g);
  g->nsp = x->rank - 2;
  for (i = 0; i < g->nsp; i++) {
    g->in[i] = x->dims[i + 2];
    g->in_e[i] = ir_dim(c->g, x, i + 2);
  }
  if (is_global(n->op)) {
    for (i = 0; i < g->nsp; i++) {
      g->k[i] = g->in[i];
      g->s[i] = g->d[i] = 1;
      g->out[i] = 1;
      g->out_e[i] = dx_const(op_dx(c), 1);
      g->pb_e[i] = dx_const(op_dx(c), 0);
    }
    return ST_OK;
  }

  np = attr_ints(n, "kernel_shape", &ap);
  if (np < 0) return diag_node_error(ST_BAD_MODEL, n, "missing attribute 'kernel_shape'");
  if (np != g->nsp)
    return diag_node_error(ST_BAD_MODEL, n, "kernel_shape has %d values but the input has %d spatial dims",
                           np, g->nsp);
  for (i = 0; i < g->nsp; i++) g->k[i] = ap[i];
  if ((s = spatial_ints(c, "strides", g->nsp, 1, g->s)) != ST_OK) return s;
  if ((s = spatial_ints(c, "dilations", g->nsp, 1, g->d)) != ST_OK) return s;
  if ((s = spatial_ints(c, "pads", 2 * g->nsp, 0, pads)) != ST_OK) return s;
  for (i = 0; i < g->nsp; i++) {
    if (g->k[i] < 1) return diag_node_error(ST_BAD_MODEL, n, "kernel_shape[%d] = %lld is not positive", i, (long long)g->k[i]);
    if (g->s[i] < 1) return diag_node_error(ST_BAD_MODEL, n, "strides[%d] = %lld is not positive", i, (long long)g->s[i]);
    if (g->d[i] < 1) return diag_node_error(ST_BAD_MODEL, n, "dilations[%d] = %lld is not positive", i, (long long)g->d[i]);
    if (pads[i] < 0 || pads[i + g->nsp] < 0) return diag_node_error(ST_BAD_MODEL, n, "pads must not be negative");
  }

  for (i = 0; i < g->nsp; i++) {
    int bad = 0;
    /* the dilated window; every formula here is overflow-checked because
     * kernel, strides, dilations and pads come straight from the model */
    const int64_t span = ck_add_s(ck_mul_s(g->k[i] - 1, g->d[i], &bad), 1, &bad);
    if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
      int64_t total;
      g->out[i] = ck_add_s(g->in[i], g->s[i] - 1, &bad) / g->s[i];
      total = ck_sub_s(ck_add_s(ck_mul_s(g->out[i] - 1, g->s[i], &bad), span, &bad), g->in[i], &bad);
      if (bad) goto overflow;
      if (total < 0) total = 0;
      g->pb[i] = auto_pad[5] == 'U' ? total / 2 : total - total / 2;
      g->pe[i] = total - g->pb[i];
      goto exprs;
    }
    if (strcmp(auto_pad, "VALID") == 0) {
      g->pb[i] = g->pe[i] = 0;
    } else if (strcmp(auto_pad, "NOTSET") == 0) {
      g->pb[i] = pads[i];
      g->pe[i] = pads[i + g->nsp];
    } else {
      return diag_node_error(ST_BAD_MODEL, n,
                             "attribute 'auto_pad' is '%s', not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad);
    }
    {
      const int64_t padded = ck_add_s(ck_add_s(g->in[i], g->pb[i], &bad), g->pe[i], &bad);
      const int64_t room = ck_sub_s(padded, span, &bad);
      if (bad) goto overflow;
      if (room < 0)
        return diag_node_error(ST_BAD_MODEL, n,
                               "window of %lld (kernel %lld, dilation %lld) is larger than the padded input %lld along spatial dim %d",
                               (long long)span, (long long)g->k[i], (long long)g->d[i], (long long)padded, i);
      /* ceil_mode applies to explicit padding only: with VALID the spec's
       * ceil((in - span + 1) / s) is the floor formula. */
      const int use_ceil = ceil_mode && auto_pad[0] == 'N';
      g->out[i] = (use_ceil ? ck_add_s(room, g->s[i] - 1, &bad) / g->s[i] : room / g->s[i]) + 1;
      /* With ceil_mode, windows that would start in the right padding are
       * dropped (the spec of MaxPool/AveragePool 22, and PyTorch). */
      if (use_ceil && ck_mul_s(g->out[i] - 1, g->s[i], &bad) >= g->in[i] + g->pb[i]) g->out[i]--;
      if (bad) goto overflow;
    }
  exprs:
    if (x->sym[i + 2]) {
      if ((s = pool_symbolic(c, g, i, auto_pad, ceil_mode)) != ST_OK) return s;
    } else {
      g->out_e[i] = dx_const(op_dx(c), g->out[i]);
      g->pb_e[i] = dx_const(op_dx(c), g->pb[i]);
    }
    continue;
  overflow:
    return diag_node_error(ST_BAD_MODEL, n, "spatial dim %d: kernel_shape, strides, dilations and pads overflow", i);
  }
  return ST_OK;
}

static status pool_infer(op_ctx *c) {
  const ir_node *n = c->n;
  const ir_tensor *x;
  pool_geom g;
  int dims[IR_MAX_RANK];
  int i, dt, is_max = n->op == OP_MaxPool || n->op == OP_GlobalMaxPool;
  status s;

  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  dt = x->dtype;
  if (x->rank < 3)
    return diag_node_error(ST_BAD_MODEL, n, "input has rank %d; pooling needs [N, C, spatial...]", x->rank);
  if (x->rank - 2 > POOL_MAX_SPATIAL)
    return diag_node_error(ST_UNSUPPORTED, n, "%d spatial dims; at most %d are supported", x->rank - 2,
                           POOL_MAX_SPATIAL);
  if (!(dt == DT_FLOAT || dt == DT_DOUBLE || (n->op == OP_MaxPool && (dt == DT_INT8 || dt == DT_UINT8))))
    return diag_node_error(ST_UNSUPPORTED, n, "element type %s is not supported", dtype_name(dt));
  if (n->op == OP_LpPool || n->op == OP_GlobalLpPool) {
    float p = attr_float(n, "p", 2.0f);
    if (lp_p(n) < 1 || (float)lp_p(n) != p)
      return diag_node_error(ST_UNSUPPORTED, n, "p = %g is not supported (an integer in [1, 64] is)", (double)p);
  }
  if (n->op == OP_MaxPool) {
    int64_t so = attr_int(n, "storage_order", 0);
    if (so != 0 && so != 1)
      return diag_node_error(ST_BAD_MODEL, n, "storage_order must be 0 or 1, not %lld", (long long)so);
  }
  if (!is_max || !op_out(c, 1)) {
    for (i = 1; i < n->n_out; i++)
      if (op_out(c, i)) return diag_node_error(ST_BAD_MODEL, n, "unexpected output %d", i);
  }
  if ((s = pool_geometry(c, &g)) != ST_OK) return s;

  dims[0] = ir_dim(c->g, x, 0);
  dims[1] = ir_dim(c->g, x, 1);
  for (i = 0; i < g.nsp; i++) dims[i + 2] = g.out_e[i];
  op_set_output_exprs(c, 0, dt, x->rank, dims);
  if (n->op == OP_MaxPool && op_out(c, 1)) op_set_output_exprs(c, 1, DT_INT64, x->rank, dims);
  return ST_OK;
}

static status pool_lower(op_ctx *c, lowered *l) {
  const ir_node *n = c->n;
  const ir_tensor *x = &op_in(c, 0)->t;
  const char *op, *variant = "";
  char name[64];
  rt_pool_params *p;
  pool_geom g;
  int i, off;
  status s = pool_geometry(c, &g);
  if (s) return s;

  switch (n->op) {
  case OP_MaxPool: op = "maxpool"; break;
  case OP_AveragePool: op = "avgpool"; break;
  case OP_LpPool: op = "lppool"; break;
  case OP_GlobalMaxPool: op = "globalmaxpool"; break;
  case OP_GlobalAveragePool: op = "globalavgpool"; break;
  default: op = "globallppool"; break;
  }
  if (n->op == OP_MaxPool && op_out(c, 1)) variant = "_indices";
  snprintf(name, sizeof name, "rt_%s_%s%s", op, op_dtype_suffix(x->dtype), variant);

  if (is_global(n->op)) {
    rt_globalpool_params *gp = (rt_globalpool_params *)op_lower_named(c, l, name);
    if (!gp) return ST_UNSUPPORTED;
    op_bind_product(c, l, &gp->planes, x, 0, 2);
    op_bind_product(c, l, &gp->size, x, 2, x->rank);
    if (n->op == OP_GlobalLpPool) gp->p = (int32_t)lp_p(n);
    return ST_OK;
  }

  p = (rt_pool_params *)op_lower_named(c, l, name);
  if (!p) return ST_UNSUPPORTED;
  op_bind_product(c, l, &p->planes, x, 0, 2);
  p->count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
  if (n->op == OP_LpPool) p->p = (int32_t)lp_p(n);
  p->storage_order = (int32_t)attr_int(n, "storage_order", 0);
  /* Fewer than 3 spatial dims: leading dims of size 1. */
  off = POOL_MAX_SPATIAL - g.nsp;
  for (i = 0; i < POOL_MAX_SPATIAL; i++) {
    int j = i - off;
    p->in_dims[i] = p->out_dims[i] = 1;
    p->kernel[i] = j < 0 ? 1 : g.k[j];
    p->strides[i] = j < 0 ? 1 : g.s[j];
    p->dilations[i] = j < 0 ? 1 : g.d[j];
    p->pads[i] = 0;
    if (j < 0) continue;
    op_bind(c, l, &p->in_dims[i], g.in_e[j]);
    op_bind(c, l, &p->out_dims[i], g.out_e[j]);
    op_bind(c, l, &p->pads[i], g.pb_e[j]);
  }
  /* Only AveragePool's row walker keeps per-column counts (out_dims[2]
   * holds the upper bound of a symbolic width). */
  if (n->op == OP_AveragePool) l->scratch_bytes = (size_t)p->out_dims[2] * dtype_size(x->dtype);
  return ST_OK;
}

const op_family op_family_pool = {pool_infer, pool_lower, 1, 0};
