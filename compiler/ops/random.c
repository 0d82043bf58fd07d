/* Random ops: RandomUniform, RandomNormal, RandomUniformLike,
 * RandomNormalLike, Bernoulli, Multinomial, and Dropout in training mode
 * (reshape.c hands that one over). Kernels in kernels/random.h.
 *
 * The generator is counter-based and its stream key is fixed here, at
 * compile time: the `seed` attribute when the node has one, else a hash of
 * the node's first output name. So every run of a compiled model draws the
 * same numbers, and folding a node whose inputs are constant is safe: the
 * folder runs the same kernel with the same key, and gets what the program
 * would. ONNX leaves the stream unspecified; the numbers differ from ONNX
 * Runtime's and numpy's. A node in a Loop or Scan body draws the same
 * numbers on every iteration. Shapes may vary at run time: every size is
 * bound to the params. */
#include <string.h>

#include "../dimexpr.h"
#include "ops.h"

/* The element types a Bernoulli may write. */
static int bernoulli_out_type(int dt) {
  return dtype_is_float(dt) || dt == DT_BOOL || dt == DT_INT8 || dt == DT_INT16 || dt == DT_INT32 ||
         dt == DT_INT64 || dt == DT_UINT8 || dt == DT_UINT16 || dt == DT_UINT32 || dt == DT_UINT64;
}

/* dtype_is_float covers exactly the kernels' f32, f64, f16, bf16. */
static status check_float(const op_ctx *c, int dtype, const char *what) {
  if (dtype_is_float(dtype)) return ST_OK;
  return diag_node_error(ST_UNSUPPORTED, c->n, "%s of type %s is not supported (float, double, float16 or bfloat16)",
                         what, dtype_name(dtype));
}

/* ---- infer ---- */

static status generate_infer(op_ctx *c) {
  const int64_t *shape;
  int rank = attr_ints(c->n, "shape", &shape), dtype = (int)attr_int(c->n, "dtype", DT_FLOAT), d;
  status s = check_float(c, dtype, "dtype");
  if (s) return s;
  if (rank < 0) return diag_node_error(ST_BAD_MODEL, c->n, "attribute 'shape' is required");
  if (rank > IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "rank %d is above %d", rank, IR_MAX_RANK);
  for (d = 0; d < rank; d++)
    if (shape[d] < 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "dim %d of 'shape' is %lld", d, (long long)shape[d]);
  op_set_output(c, 0, dtype, rank, shape);
  return ST_OK;
}

/* The Like ops and Bernoulli: input 0's shape, and the dtype attribute's
 * type or else input 0's. */
static status like_infer(op_ctx *c) {
  const ir_tensor *x;
  int dtype;
  status s = ST_OK;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  dtype = (int)attr_int(c->n, "dtype", x->dtype);
  if (c->n->op == OP_Bernoulli) {
    s = check_float(c, x->dtype, "input");
    if (!s && !bernoulli_out_type(dtype))
      return diag_node_error(ST_UNSUPPORTED, c->n, "output type %s is not supported", dtype_name(dtype));
  } else {
    s = check_float(c, dtype, attr_int(c->n, "dtype", -1) < 0 ? "input (no dtype attribute)" : "dtype");
  }
  if (s) return s;
  op_same_as_input(c, 0, 0);
  op_out(c, 0)->t.dtype = dtype;
  return ST_OK;
}

static status multinomial_infer(op_ctx *c) {
  const ir_tensor *x;
  int dtype = (int)attr_int(c->n, "dtype", DT_INT32), exprs[2];
  int64_t samples = attr_int(c->n, "sample_size", 1);
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "input")) != ST_OK) return s;
  if (x->rank != 2) return diag_node_error(ST_BAD_MODEL, c->n, "input must be [batch_size, class_size]");
  if (dtype != DT_INT32 && dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "dtype must be int32 or int64, not %s", dtype_name(dtype));
  if (samples < 1) return diag_node_error(ST_BAD_MODEL, c->n, "sample_size must be >= 1");
  exprs[0] = ir_dim(c->g, x, 0);
  exprs[1] = dx_const(op_dx(c), samples);
  op_set_output_exprs(c, 0, dtype, 2, exprs);
  return ST_OK;
}

/* Dropout whose training_mode is not a constant false: the ratio must be
 * one value; a constant one in [0, 1) (checked here, so that folding never
 * meets a ratio the kernel refuses), a run-time one of the data's type. */
static status dropout_infer(op_ctx *c) {
  const ir_tensor *x, *ratio = op_in(c, 1) ? &op_in(c, 1)->t : NULL;
  status s;
  OP_REQUIRE_INPUT(c, 2);
  x = &op_in(c, 0)->t;
  if ((s = check_float(c, x->dtype, "training-mode data")) != ST_OK) return s;
  if (op_in(c, 2)->t.dtype != DT_BOOL || tensor_is_symbolic(&op_in(c, 2)->t) || tensor_numel(&op_in(c, 2)->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "training_mode must be one bool");
  if (ratio && (tensor_is_symbolic(ratio) || tensor_numel(ratio) != 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "ratio must hold exactly one value");
  if (ratio && ratio->data && !(tensor_double(ratio, 0) >= 0 && tensor_double(ratio, 0) < 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "ratio %g is outside [0, 1)", tensor_double(ratio, 0));
  if (ratio && !ratio->data && ratio->dtype != x->dtype)
    return diag_node_error(ST_UNSUPPORTED, c->n, "a ratio known only at run time must have the data's type %s, not %s",
                           dtype_name(x->dtype), dtype_name(ratio->dtype));
  op_same_as_input(c, 0, 0);
  if (op_out(c, 1)) {
    op_same_as_input(c, 1, 0);
    op_out(c, 1)->t.dtype = DT_BOOL;
  }
  return ST_OK;
}

static status random_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_RandomUniform:
  case OP_RandomNormal: return generate_infer(c);
  case OP_Multinomial: return multinomial_infer(c);
  case OP_Dropout: return dropout_infer(c);
  default: return like_infer(c);
  }
}

/* ---- lower ---- */

/* The stream key: the seed (a float for the Random ops, an int for
 * Dropout), else the 64-bit FNV-1a hash of the first output's name (unique
 * in its graph), so that two unseeded nodes draw different numbers. */
static int64_t stream_key(const op_ctx *c) {
  const ir_attr *a = ir_attr_find(c->n, "seed");
  const ir_value *y = op_out(c, 0);
  const char *name = y ? y->name : c->n->name;
  uint64_t h = 0xcbf29ce484222325ull;
  if (a && a->type == ATTR_INT) return a->i;
  if (a && a->type == ATTR_FLOAT) {
    uint32_t bits;
    memcpy(&bits, &a->f, sizeof bits);
    return (int64_t)bits;
  }
  for (; name && *name; name++) h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
  return (int64_t)h;
}

static status generate_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  const int normal = c->n->op == OP_RandomNormal || c->n->op == OP_RandomNormalLike;
  rt_random_params *p = op_lower_as(c, l, PD_rt_random_params, "rt_random_%s_%s", normal ? "normal" : "uniform",
                                    op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->key = stream_key(c);
  /* low and high, or mean and scale, with the schemas' defaults */
  p->a = attr_float(c->n, normal ? "mean" : "low", 0.0f);
  p->b = attr_float(c->n, normal ? "scale" : "high", 1.0f);
  op_bind_product(c, l, &p->count, y, 0, y->rank);
  return ST_OK;
}

static status bernoulli_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_random_params *p = op_lower_as(c, l, PD_rt_random_params, "rt_bernoulli_%s_%s",
                                    op_dtype_suffix(op_in(c, 0)->t.dtype), op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->key = stream_key(c);
  op_bind_product(c, l, &p->count, y, 0, y->rank);
  return ST_OK;
}

static status multinomial_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t;
  rt_multinomial_params *p = op_lower_as(c, l, PD_rt_multinomial_params, "rt_multinomial_%s_%s",
                                         op_dtype_suffix(x->dtype), op_dtype_suffix(op_out(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  p->key = stream_key(c);
  p->samples = attr_int(c->n, "sample_size", 1);
  op_bind(c, l, &p->batch, ir_dim(c->g, x, 0));
  op_bind(c, l, &p->classes, ir_dim(c->g, x, 1));
  /* the running sums of one row; classes holds its bound when it varies */
  l->scratch_bytes = (size_t)p->classes * sizeof(double);
  return ST_OK;
}

static status dropout_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *ratio = op_in(c, 1) ? &op_in(c, 1)->t : NULL;
  rt_dropout_train_params *p =
      op_lower_as(c, l, PD_rt_dropout_train_params, "rt_dropout_train_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->key = stream_key(c);
  /* a ratio of the data's type is read as it is; a constant one of
   * another float type travels in the params, rounded to float */
  p->ratio_input = ratio && ratio->dtype == x->dtype;
  p->ratio = ratio && ratio->data ? (float)tensor_double(ratio, 0) : 0.5f;
  op_bind_product(c, l, &p->count, x, 0, x->rank);
  /* each element is read before its output is written */
  l->inplace_of = 0;
  /* a run-time ratio outside [0, 1) is refused as the kernel runs */
  l->status_slot = 1;
  return ST_OK;
}

static status random_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_Bernoulli: return bernoulli_lower(c, l);
  case OP_Multinomial: return multinomial_lower(c, l);
  case OP_Dropout: return dropout_lower(c, l);
  default: return generate_lower(c, l);
  }
}

const op_family op_family_random = {random_infer, random_lower, 1, 0};
