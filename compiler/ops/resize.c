/* Resize (opsets 10-19) and Upsample (7-9): a variant per interpolation
 * mode (rt_resize_nearest_W by element width, rt_resize_f32_linear,
 * rt_resize_f32_cubic). The kernel only builds its tap tables from the
 * params; the rules that make the params from the scales / sizes / roi
 * operands are the runtime's rt_resize_resolve, applied here to constant
 * operands and by rt_resize_prepare to run-time ones. Output dims that
 * depend on run-time values (operands, or an input dim that varies and a
 * scale other than 1) are run-time dims; axes the operands leave alone
 * keep the input's dims, variable or not. */
#include <stdio.h>
#include <string.h>

#include "../checked.h"
#include "../dimexpr.h"
#include "ops.h"


static int lookup(const char *s, const char *const *names, int n) {
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

/* The input at index i if present and not empty, else NULL. */
static const ir_value *given(const op_ctx *c, int i) {
  const ir_value *v = op_in(c, i);
  return v && tensor_numel(&v->t) > 0 ? v : NULL;
}

/* A float operand (scales, roi) of `count` values: into out[] (unless
 * NULL) when it is a constant (*known = 1), else only checked (*known = 0; the prepare
 * kernel reads it, float or double: *f64). */
static status float_operand(op_ctx *c, int input, int count, const char *what, double *out, int *known, int32_t *f64) {
  const ir_value *v = op_in(c, input);
  int64_t k, cnt = tensor_numel(&v->t);
  if (!dtype_is_float(v->t.dtype) || v->t.dtype == DT_FLOAT16 || v->t.dtype == DT_BFLOAT16)
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s must be float or double, not %s", what, dtype_name(v->t.dtype));
  if (tensor_is_symbolic(&v->t))
    return diag_node_error(ST_UNSUPPORTED, c->n, "%s must have a fixed number of values", what);
  if (cnt != count)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s has %lld values, expected %d", what, (long long)cnt, count);
  *f64 = v->t.dtype == DT_DOUBLE;
  *known = v->t.data != NULL;
  for (k = 0; out && *known && k < cnt; k++) out[k] = tensor_double(&v->t, k);
  return ST_OK;
}

/* The int64 sizes operand, like float_operand. */
static status sizes_operand(op_ctx *c, int input, int count, int64_t *out, int *known) {
  const ir_value *v = op_in(c, input);
  int64_t cnt = tensor_numel(&v->t);
  if (v->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "sizes must be int64, not %s", dtype_name(v->t.dtype));
  if (tensor_is_symbolic(&v->t))
    return diag_node_error(ST_UNSUPPORTED, c->n, "sizes must have a fixed number of values");
  if (cnt != count)
    return diag_node_error(ST_BAD_MODEL, c->n, "sizes has %lld values, expected %d", (long long)cnt, count);
  *known = v->t.data != NULL;
  if (*known && op_const_ints(c, input, out, IR_MAX_RANK, "sizes") != count) return ST_UNSUPPORTED;
  return ST_OK;
}

static const char *const mode_names[] = {"nearest", "linear", "cubic"};
static const char *const coord_names[] = {"half_pixel",         "asymmetric",         "pytorch_half_pixel",
                                          "tf_half_pixel_for_nn", "align_corners",      "tf_crop_and_resize",
                                          "half_pixel_symmetric"};
static const char *const nearest_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

/* extrapolation_value as the element's bit pattern, an unsigned integer of
 * its width (endian-neutral in the generated code); zero for the integer
 * types, which the attribute (a float) does not describe. */
static int64_t fill_bits(int dtype, float v) {
  if (dtype == DT_FLOAT) {
    uint32_t u;
    memcpy(&u, &v, 4);
    return (int64_t)u;
  }
  if (dtype == DT_DOUBLE) {
    double d = v;
    int64_t u;
    memcpy(&u, &d, 8);
    return u;
  }
  return 0;
}

/* A Resize as lowered: the kernel's params (`p`; with operands known only
 * at run time, the output dims and taps at their largest, for the
 * scratch), the rules rt_resize_resolve applies (`q`), and what varies at
 * run time. */
typedef struct resize_plan {
  rt_resize_params p;
  rt_resize_rule_params q;
  int operand_known; /* the scales or sizes are constants */
  int roi_known;     /* the roi is a constant or not used */
  double scales[IR_MAX_RANK];
  int64_t sizes[IR_MAX_RANK];
  /* run-time sizes that are dims (symvals, from Shape), never negative:
   * with the stretch policy they are the output dims themselves */
  int sizes_are_dims;
  int size_exprs[IR_MAX_RANK];
} resize_plan;

/* The interpolation, coordinate and nearest modes and the other
 * attributes into p and q. */
static status resize_attrs(op_ctx *c, resize_plan *pl, int old) {
  const ir_node *n = c->n;
  rt_resize_params *p = &pl->p;
  rt_resize_rule_params *q = &pl->q;
  const char *mode = attr_string(n, "mode", "nearest");
  const char *keep = attr_string(n, "keep_aspect_ratio_policy", "stretch");
  const int64_t *ax;
  int i, k;
  q->mode = lookup(mode, mode_names, 3);
  if (old && strcmp(mode, "bilinear") == 0) q->mode = RT_RESIZE_LINEAR;
  if (q->mode < 0 || (old && q->mode == RT_RESIZE_CUBIC))
    return diag_node_error(ST_BAD_MODEL, n, "mode '%s' is not supported", mode);
  if (q->mode != RT_RESIZE_NEAREST && op_in(c, 0)->t.dtype != DT_FLOAT)
    return diag_node_error(ST_UNSUPPORTED, n, "mode '%s' on %s is not supported (float only)", mode,
                           dtype_name(op_in(c, 0)->t.dtype));
  q->naxes = p->rank;
  for (i = 0; i < p->rank; i++) q->axes[i] = i;
  if (old) {
    /* Upsample and Resize-10: asymmetric mapping, truncating nearest. */
    p->coord = RT_COORD_ASYMMETRIC;
    p->nearest = RT_NEAREST_SIMPLE;
    q->upsample = n->op == OP_Upsample;
    return ST_OK;
  }
  {
    const char *coord = attr_string(n, "coordinate_transformation_mode", "half_pixel");
    const char *nm = attr_string(n, "nearest_mode", "round_prefer_floor");
    p->coord = lookup(coord, coord_names, 7);
    if (p->coord < 0) return diag_node_error(ST_BAD_MODEL, n, "coordinate_transformation_mode '%s' is unknown", coord);
    p->nearest = lookup(nm, nearest_names, 4);
    if (p->nearest < 0) return diag_node_error(ST_BAD_MODEL, n, "nearest_mode '%s' is unknown", nm);
  }
  p->cubic_a = attr_float(n, "cubic_coeff_a", -0.75f);
  p->exclude_outside = attr_int(n, "exclude_outside", 0) != 0;
  p->fill_bits = fill_bits(op_in(c, 0)->t.dtype, attr_float(n, "extrapolation_value", 0.0f));
  p->antialias = attr_int(n, "antialias", 0) != 0 && q->mode != RT_RESIZE_NEAREST; /* no effect on nearest */
  q->policy = strcmp(keep, "stretch") == 0 ? 0 : strcmp(keep, "not_larger") == 0 ? 1 : strcmp(keep, "not_smaller") == 0 ? 2 : -1;
  k = attr_ints(n, "axes", &ax);
  if (k >= 0) {
    int seen[IR_MAX_RANK] = {0};
    if (k > p->rank) return diag_node_error(ST_BAD_MODEL, n, "%d axes for rank %d", k, p->rank);
    for (i = 0; i < k; i++) {
      status s = op_axis(c, ax[i], p->rank, &q->axes[i]);
      if (s) return s;
      if (seen[q->axes[i]]) return diag_node_error(ST_BAD_MODEL, n, "axis %d is listed twice", q->axes[i]);
      seen[q->axes[i]] = 1;
    }
    q->naxes = k;
  }
  return ST_OK;
}

/* The scales or sizes, and the roi: read when they are constants, else
 * left to the prepare kernel (q's input indices). */
static status resize_operands(op_ctx *c, resize_plan *pl, int old) {
  const ir_node *n = c->n;
  rt_resize_rule_params *q = &pl->q;
  int have_scales, have_sizes, i;
  status s;
  q->scales_in = q->sizes_in = q->roi_in = -1;
  pl->operand_known = pl->roi_known = 1;
  if (old && n->op == OP_Upsample && c->opset < 9) {
    const float *f;
    int ns = attr_floats(n, "scales", &f);
    if (ns < 0) return diag_node_error(ST_BAD_MODEL, n, "missing attribute 'scales'");
    if (ns != q->naxes) return diag_node_error(ST_BAD_MODEL, n, "scales has %d values, expected %d", ns, q->naxes);
    for (i = 0; i < ns; i++) pl->scales[i] = f[i];
    return ST_OK;
  }
  if (old) {
    OP_REQUIRE_INPUT(c, 1);
    q->scales_in = 1;
    return float_operand(c, 1, q->naxes, "scales", pl->scales, &pl->operand_known, &q->scales_f64);
  }
  have_scales = given(c, 2) != NULL;
  have_sizes = given(c, 3) != NULL;
  if (have_scales == have_sizes)
    return diag_node_error(ST_BAD_MODEL, n, "exactly one of 'scales' and 'sizes' must be given");
  if (have_sizes && q->policy < 0)
    return diag_node_error(ST_BAD_MODEL, n, "keep_aspect_ratio_policy '%s' is unknown",
                           attr_string(n, "keep_aspect_ratio_policy", "stretch"));
  if (pl->p.coord == RT_COORD_TF_CROP_AND_RESIZE) {
    if (!given(c, 1)) return diag_node_error(ST_BAD_MODEL, n, "tf_crop_and_resize needs the roi input");
    q->roi_in = 1;
    s = float_operand(c, 1, 2 * q->naxes, "roi", NULL, &pl->roi_known, &q->roi_f64);
    if (s) return s;
  }
  if (have_scales) {
    q->scales_in = 2;
    return float_operand(c, 2, q->naxes, "scales", pl->scales, &pl->operand_known, &q->scales_f64);
  }
  q->sizes_in = 3;
  if ((s = sizes_operand(c, 3, q->naxes, pl->sizes, &pl->operand_known)) != ST_OK) return s;
  if (!pl->operand_known && op_in(c, 3)->symvals) {
    if (op_const_exprs(c, 3, pl->size_exprs, IR_MAX_RANK, "sizes") != q->naxes) return ST_UNSUPPORTED;
    pl->sizes_are_dims = 1;
    for (i = 0; i < q->naxes; i++) pl->sizes_are_dims &= dx_lower(op_dx(c), pl->size_exprs[i]) >= 0;
  }
  return ST_OK;
}

/* A compile-time verdict of rt_resize_resolve as the node's error. */
static status resolve_error(const op_ctx *c, const resize_plan *pl, int err, int where) {
  const ir_node *n = c->n;
  const int axis = pl->q.axes[where];
  switch (err) {
  case RT_RESIZE_BAD_SCALE:
    return diag_node_error(ST_BAD_MODEL, n, "scale %g on axis %d is not positive", pl->scales[where], axis);
  case RT_RESIZE_SCALE_BELOW_1:
    return diag_node_error(ST_BAD_MODEL, n, "Upsample scale %g on axis %d is below 1", pl->scales[where], axis);
  case RT_RESIZE_NEGATIVE_SIZE: return diag_node_error(ST_BAD_MODEL, n, "sizes[%d] is negative", where);
  case RT_RESIZE_EMPTY_AXIS:
    return diag_node_error(ST_BAD_MODEL, n, "cannot resize empty axis %d to %lld", axis,
                           (long long)pl->sizes[where]);
  case RT_RESIZE_TOO_LARGE:
    if (pl->q.scales_in >= 0 || pl->q.sizes_in < 0)
      return diag_node_error(ST_BAD_MODEL, n, "scale %g on axis %d makes the output too large", pl->scales[where],
                             axis);
    return diag_node_error(ST_BAD_MODEL, n, "the output size on axis %d is too large", axis);
  case RT_RESIZE_TOO_MANY_TAPS:
    return diag_node_error(ST_UNSUPPORTED, n, "antialias on axis %d needs more than %d taps", where,
                           RT_RESIZE_MAX_TAPS);
  default: return diag_node_error(ST_UNSUPPORTED, n, "interpolating this many axes at once is not supported");
  }
}

/* Whether axis d is one the operands describe; its index there in *i. */
static int listed(const resize_plan *pl, int d, int *i) {
  for (*i = 0; *i < pl->q.naxes; (*i)++)
    if (pl->q.axes[*i] == d) return 1;
  return 0;
}

/* Whether dim d of the input varies at run time. */
static int dim_varies(const op_ctx *c, int d) {
  int64_t v;
  return !dx_const_value(op_dx(c), ir_dim(c->g, &op_in(c, 0)->t, d), &v);
}

/* Whether the output dim of axis d can only be known at run time: from
 * run-time scales or sizes, or from constant ones on an axis whose size
 * varies (unless the scale is 1); sizes that keep the aspect ratio make
 * every axis depend on the others. */
static int out_varies(const op_ctx *c, const resize_plan *pl, int d) {
  int i, j;
  if (!listed(pl, d, &i)) return 0;
  if (pl->sizes_are_dims && pl->q.policy == 0) return 0; /* the sizes' own expressions */
  if (!pl->operand_known) return 1;
  if (pl->q.sizes_in >= 0 && pl->q.policy != 0) {
    for (j = 0; j < pl->q.naxes; j++)
      if (dim_varies(c, pl->q.axes[j])) return 1;
    return 0;
  }
  if (pl->q.sizes_in >= 0) return 0; /* stretch: the sizes themselves */
  return dim_varies(c, d) && (float)pl->scales[i] != 1.0f;
}

/* Whether rt_resize_prepare must complete the params at run time: the
 * output dims or the roi vary, or sizes describe an axis whose size does
 * (the scale is sizes / in). */
static int needs_prepare(const op_ctx *c, const resize_plan *pl) {
  int i, d;
  if (!pl->operand_known || !pl->roi_known) return 1;
  for (d = 0; d < pl->p.rank; d++)
    if (listed(pl, d, &i) && (out_varies(c, pl, d) || (pl->q.sizes_in >= 0 && dim_varies(c, d)))) return 1;
  return 0;
}

/* Everything the kernel needs (pl->p, pl->q); with constant operands the
 * output shape in p.out_dims (at the input's largest dims where those
 * vary). */
static status resize_setup(op_ctx *c, resize_plan *pl) {
  const ir_node *n = c->n;
  const ir_tensor *x;
  rt_resize_params *p = &pl->p;
  int d, err, where, old = n->op == OP_Upsample || c->opset < 11;
  int64_t combos = 1;
  status s;

  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  memset(pl, 0, sizeof *pl);
  if (x->rank < 1) return diag_node_error(ST_BAD_MODEL, c->n, "cannot resize a scalar");
  p->rank = x->rank;
  if (!dtype_size(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, n, "element type %s is not supported", dtype_name(x->dtype));
  for (d = 0; d < x->rank; d++) {
    p->in_dims[d] = x->dims[d];
    pl->q.max_taps[d] = RT_RESIZE_MAX_TAPS;
  }
  if ((s = resize_attrs(c, pl, old)) != ST_OK || (s = resize_operands(c, pl, old)) != ST_OK) return s;
  if (pl->q.scales_in < 0 && pl->q.sizes_in < 0 && needs_prepare(c, pl))
    return diag_node_error(ST_UNSUPPORTED, n, "scales from the attribute on an axis whose size varies at run time "
                           "are not supported");
  if (pl->operand_known) {
    /* the constant operands checked once here, at the input's largest
     * dims */
    double roi[2 * IR_MAX_RANK];
    int k, with_roi = pl->roi_known && pl->q.roi_in >= 0;
    for (k = 0; with_roi && k < 2 * pl->q.naxes; k++) roi[k] = tensor_double(&op_in(c, 1)->t, k);
    err = rt_resize_resolve(p, &pl->q, pl->q.sizes_in >= 0 ? NULL : pl->scales, pl->sizes, with_roi ? roi : NULL,
                            (double)CK_MAX_TENSOR_BYTES, &where);
    if (err) return resolve_error(c, pl, err, where);
  }
  if (!needs_prepare(c, pl)) return ST_OK;
  /* Run-time values: scratch for the most taps any values may need. */
  for (d = 0; d < p->rank; d++) {
    p->taps[d] = pl->q.max_taps[d] = rt_resize_max_taps(p, &pl->q, d);
    if (d < p->rank - 1) combos *= p->taps[d];
  }
  if (combos > RT_RESIZE_MAX_COMBOS)
    return diag_node_error(ST_UNSUPPORTED, n, "antialias on this many axes with scales or sizes known only at run "
                           "time is not supported");
  return ST_OK;
}

static status resize_infer(op_ctx *c) {
  resize_plan pl;
  const ir_tensor *x;
  int exprs[IR_MAX_RANK], d, i, k = 0;
  status s = resize_setup(c, &pl);
  if (s) return s;
  x = &op_in(c, 0)->t;
  for (d = 0; d < pl.p.rank; d++) {
    if (!listed(&pl, d, &i)) {
      exprs[d] = ir_dim(c->g, x, d);
    } else if (!out_varies(c, &pl, d)) {
      /* constant, the input's dim (a scale of 1), or sizes that are dims */
      if (pl.sizes_are_dims) exprs[d] = pl.size_exprs[i];
      else if (pl.q.sizes_in < 0 && (float)pl.scales[i] == 1.0f) exprs[d] = ir_dim(c->g, x, d);
      else exprs[d] = dx_const(op_dx(c), pl.p.out_dims[d]);
    } else {
      /* constant scales grow with the input: bounded by its largest dims */
      int64_t bound = pl.operand_known && pl.q.scales_in >= 0 ? (pl.p.out_dims[d] > 0 ? pl.p.out_dims[d] : 1) : 0;
      if ((exprs[d] = op_data_dim(c, k++, bound, "Resize's output size")) < 0)
        return ST_UNSUPPORTED;
    }
  }
  op_set_output_exprs(c, 0, x->dtype, (int)pl.p.rank, exprs);
  return ST_OK;
}

static status resize_lower(op_ctx *c, lowered *l) {
  resize_plan pl;
  rt_resize_params *p;
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  char name[40];
  int d, k = 0;
  status s = resize_setup(c, &pl);
  if (s) return s;
  if (pl.q.mode == RT_RESIZE_NEAREST)
    snprintf(name, sizeof name, "rt_resize_nearest_%dbit", (int)dtype_size(x->dtype) * 8);
  else
    snprintf(name, sizeof name, "rt_resize_f32_%s", mode_names[pl.q.mode]);
  p = op_lower_named(c, l, name);
  if (!p) return ST_UNSUPPORTED;
  *p = pl.p;
  op_bind_dims(c, l, p->in_dims, x);
  op_bind_dims(c, l, p->out_dims, y);
  /* out_dims and taps at their largest here */
  l->scratch_bytes = (size_t)rt_resize_scratch_bytes(p);
  if (needs_prepare(c, &pl)) {
    rt_resize_rule_params *q = op_prepare_as(c, l, PD_rt_resize_rule_params, "rt_resize_prepare");
    if (!q) return ST_UNSUPPORTED;
    *q = pl.q;
    for (d = 0; d < y->rank; d++) {
      int e = ir_dim(c->g, y, d);
      if (!op_is_data_dim(c, e, k)) continue;
      if (op_define(c, l, e)) return ST_INTERNAL;
      q->define_axes[k++] = d;
    }
    q->n_defines = k;
  }
  return ST_OK;
}

const op_family op_family_resize = {resize_infer, resize_lower, 1, 0};
