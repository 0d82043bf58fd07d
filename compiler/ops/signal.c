/* Signal processing: the cosine-sum windows (HannWindow, HammingWindow,
 * BlackmanWindow: rt_window_T), MelWeightMatrix (rt_mel_T), DFT (rt_dft_T)
 * and STFT (rt_stft_T); kernels/signal.h.
 *
 * Sizes may come from values known only at run time. A window's size is
 * then the node's run-time dim 0 (bound: --max-dynamic-dim); DFT's
 * dft_length likewise, and its axis (an input from opset 20) may be a
 * run-time value when the output shape does not depend on it; STFT's
 * frame count is run-time dim 0 (bound: the signal length) whenever it is
 * not a constant, and a run-time frame length is dim 1 (same bound). The
 * prepare kernels (rt_*_prepare_*) compute them and complete the params.
 * MelWeightMatrix's [dft_length / 2 + 1, num_mel_bins] are run-time dims
 * 0 and 1 when those operands are not constants; its prepare kernel reads
 * all five operands (the compiler runs it on them when they are all
 * constant).
 * With constant operands the compiler folds windows (and any node whose
 * inputs are all constant) by running the kernel itself. */
#include <stdio.h>

#include "../dimexpr.h"
#include "ops.h"

/* A scalar operand (one int32 or int64 value): ST_OK with *known = 1 and
 * *v when it is constant, *known = 0 when it is read at run time. */
static status scalar_int(const op_ctx *c, int input, const char *what, int64_t *v, int *known) {
  const ir_value *x = op_in(c, input);
  int64_t vals[1];
  if (x->t.dtype != DT_INT32 && x->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must be int32 or int64, not %s", what, dtype_name(x->t.dtype));
  if (tensor_is_symbolic(&x->t) || tensor_numel(&x->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s must hold one value", what);
  *known = x->t.data != NULL;
  if (!*known) return ST_OK;
  if (op_const_ints(c, input, vals, 1, what) < 0) return ST_UNSUPPORTED;
  *v = vals[0];
  return ST_OK;
}

/* ---- windows ---- */

static int window_dtype_ok(int dt) {
  switch (dt) {
  case DT_FLOAT: case DT_DOUBLE: case DT_FLOAT16: case DT_BFLOAT16:
  case DT_INT8: case DT_INT16: case DT_INT32: case DT_INT64:
  case DT_UINT8: case DT_UINT16: case DT_UINT32: case DT_UINT64: return 1;
  default: return 0;
  }
}

/* The window's length: a constant, a dim expression (symvals: the size
 * came from Shape) or the node's run-time dim 0. */
static status window_infer(op_ctx *c) {
  const int dt = (int)attr_int(c->n, "output_datatype", DT_FLOAT);
  const ir_value *size;
  int e;
  OP_REQUIRE_INPUT(c, 0);
  size = op_in(c, 0);
  if (!window_dtype_ok(dt))
    return diag_node_error(ST_BAD_MODEL, c->n, "output_datatype %d is not one this op produces", dt);
  if (size->t.dtype != DT_INT32 && size->t.dtype != DT_INT64)
    return diag_node_error(ST_BAD_MODEL, c->n, "size must be int32 or int64, not %s", dtype_name(size->t.dtype));
  if (tensor_is_symbolic(&size->t) || tensor_numel(&size->t) != 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "size must hold one value");
  if (size->t.data || size->symvals) {
    int64_t v;
    if (op_const_exprs(c, 0, &e, 1, "size") < 0) return ST_UNSUPPORTED;
    if (dx_const_value(op_dx(c), e, &v) && v < 0)
      return diag_node_error(ST_BAD_MODEL, c->n, "size is %lld, a window cannot be shorter than 0", (long long)v);
  } else if ((e = op_data_dim(c, 0, 0, "the window's size")) < 0) {
    return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, dt, 1, &e);
  return ST_OK;
}

static status window_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  const int e = ir_dim(c->g, y, 0);
  rt_window_params *p = op_lower_as(c, l, PD_rt_window_params, "rt_window_%s", op_dtype_suffix(y->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->kind = c->n->op == OP_HannWindow ? 0 : c->n->op == OP_HammingWindow ? 1 : 2;
  p->periodic = attr_int(c->n, "periodic", 1) != 0;
  op_bind(c, l, &p->size, e);
  if (op_is_data_dim(c, e, 0)) {
    const char *name = op_in(c, 0)->t.dtype == DT_INT32 ? "rt_window_prepare_i32" : "rt_window_prepare_i64";
    if (!op_prepare_as(c, l, PD_rt_window_params, name)) return ST_UNSUPPORTED;
    if (op_define(c, l, e)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- MelWeightMatrix ---- */

/* One of the mel matrix's dims: c(v) when operand `input` is constant
 * (after checking v >= min), else the node's run-time dim k. */
static status mel_dim(op_ctx *c, int input, int k, int64_t min, int64_t (*f)(int64_t), const char *what, int *e) {
  int64_t v = 0;
  int known = 0;
  status s;
  if ((s = scalar_int(c, input, what, &v, &known)) != ST_OK) return s;
  if (!known) {
    *e = op_data_dim(c, k, 0, what);
    return *e < 0 ? ST_UNSUPPORTED : ST_OK;
  }
  if (v < min) return diag_node_error(ST_BAD_MODEL, c->n, "%s is %lld, it must be at least %lld", what, (long long)v,
                                      (long long)min);
  *e = dx_const(op_dx(c), f(v));
  return ST_OK;
}

static int64_t mel_same(int64_t v) { return v; }
static int64_t mel_bins(int64_t v) { return v / 2 + 1; }

static status mel_infer(op_ctx *c) {
  const int dt = (int)attr_int(c->n, "output_datatype", DT_FLOAT);
  int exprs[2], k, known;
  int64_t rate;
  status s;
  for (k = 0; k < 5; k++) OP_REQUIRE_INPUT(c, k);
  if (!window_dtype_ok(dt))
    return diag_node_error(ST_BAD_MODEL, c->n, "output_datatype %d is not one this op produces", dt);
  if (op_in(c, 1)->t.dtype != op_in(c, 0)->t.dtype || op_in(c, 2)->t.dtype != op_in(c, 0)->t.dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "num_mel_bins, dft_length and sample_rate must have one type");
  for (k = 3; k < 5; k++)
    if (!dtype_is_float(op_in(c, k)->t.dtype) || op_in(c, k)->t.dtype != op_in(c, 3)->t.dtype ||
        tensor_is_symbolic(&op_in(c, k)->t) || tensor_numel(&op_in(c, k)->t) != 1)
      return diag_node_error(ST_BAD_MODEL, c->n, "the edges must be two floating-point scalars of one type");
  if ((s = mel_dim(c, 1, 0, 1, mel_bins, "dft_length", &exprs[0])) != ST_OK) return s;
  if ((s = mel_dim(c, 0, 1, 0, mel_same, "num_mel_bins", &exprs[1])) != ST_OK) return s;
  if ((s = scalar_int(c, 2, "sample_rate", &rate, &known)) != ST_OK) return s;
  if (known && rate < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "sample_rate is %lld, it must be at least 1", (long long)rate);
  op_set_output_exprs(c, 0, dt, 2, exprs);
  return ST_OK;
}

static status mel_lower(op_ctx *c, lowered *l) {
  const ir_tensor *y = &op_out(c, 0)->t;
  const int bins = ir_dim(c->g, y, 0), mels = ir_dim(c->g, y, 1);
  char name[64];
  rt_mel_params *p = op_lower_as(c, l, PD_rt_mel_params, "rt_mel_%s", op_dtype_suffix(y->dtype));
  rt_mel_prepare_params *q;
  int k, known = 1;
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->bins, bins);
  op_bind(c, l, &p->mels, mels);
  snprintf(name, sizeof name, "rt_mel_prepare_%s_%s", op_dtype_suffix(op_in(c, 0)->t.dtype),
           op_dtype_suffix(op_in(c, 3)->t.dtype));
  for (k = 0; k < 5; k++) known &= op_in(c, k)->t.data != NULL;
  if (known) {
    /* constant operands: the prepare kernel fills the params here, so the
     * compiler reads them exactly as the generated code would */
    const void *in[RT_MIN_ARGS] = {0};
    int64_t dd[2];
    int qs = RT_OK, id = kernel_find(name);
    rt_mel_prepare_params cq = {-1, -1};
    void *out[RT_MIN_ARGS] = {0};
    if (id < 0) return diag_node_error(ST_INTERNAL, c->n, "the runtime has no kernel %s", name);
    for (k = 0; k < 5; k++) in[k] = op_in(c, k)->t.data;
    out[0] = dd, out[1] = p, out[2] = &qs;
    kernel_get(id)->fn(&cq, in, out, NULL);
    return qs == RT_OK ? ST_OK : diag_node_error(ST_BAD_MODEL, c->n, "its operands are out of range");
  }
  if (!(q = op_prepare_as(c, l, PD_rt_mel_prepare_params, name))) return ST_UNSUPPORTED;
  q->bins_at = q->mels_at = -1;
  if (op_is_data_dim(c, bins, 0)) {
    q->bins_at = l->n_defines;
    if (op_define(c, l, bins)) return ST_INTERNAL;
  }
  if (op_is_data_dim(c, mels, 1)) {
    q->mels_at = l->n_defines;
    if (op_define(c, l, mels)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- DFT ---- */

/* Real or complex input [..., n, 1|2] of float or double: its rank, and
 * whether it is complex. */
static status transform_input(const op_ctx *c, int min_rank, int *complex_in) {
  const ir_tensor *x = &op_in(c, 0)->t;
  if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "element type %s is not supported (float and double are)",
                           dtype_name(x->dtype));
  if (x->rank < min_rank)
    return diag_node_error(ST_BAD_MODEL, c->n, "input must have rank %d or more, not %d", min_rank, x->rank);
  if (x->sym[x->rank - 1] || (x->dims[x->rank - 1] != 1 && x->dims[x->rank - 1] != 2))
    return diag_node_error(ST_BAD_MODEL, c->n, "the input's last dim must be 1 (real) or 2 (complex)");
  *complex_in = x->dims[x->rank - 1] == 2;
  return ST_OK;
}

/* DFT's axis: the attribute before opset 20, else input 2 (default -2),
 * normalised; -1 when it is read at run time. */
static status dft_axis(const op_ctx *c, int *axis) {
  const int rank = op_in(c, 0)->t.rank;
  int64_t v = -2;
  int known = 1;
  status s;
  if (c->opset < 20) {
    v = attr_int(c->n, "axis", 1);
  } else if (op_in(c, 2)) {
    if (op_in(c, 2)->t.dtype != DT_INT64)
      return diag_node_error(ST_BAD_MODEL, c->n, "axis must be int64, not %s", dtype_name(op_in(c, 2)->t.dtype));
    if ((s = scalar_int(c, 2, "axis", &v, &known)) != ST_OK) return s;
  }
  if (!known) {
    *axis = -1;
    return ST_OK;
  }
  if (v < -rank || v > rank - 2 || v == -1)
    return diag_node_error(ST_BAD_MODEL, c->n, "axis %lld is out of range for rank %d (the last dim holds the "
                           "real and imaginary parts)", (long long)v, rank);
  *axis = (int)(v < 0 ? v + rank : v);
  return ST_OK;
}

/* The transform length as an expression: dft_length (a constant, dims
 * from Shape, or the node's run-time dim 0) or the axis dim. */
static status dft_length(op_ctx *c, int axis, int *n) {
  int64_t v;
  int known;
  status s;
  if (!op_in(c, 1)) {
    *n = axis >= 0 ? ir_dim(c->g, &op_in(c, 0)->t, axis) : -1;
    return ST_OK;
  }
  if ((s = scalar_int(c, 1, "dft_length", &v, &known)) != ST_OK) return s;
  if (op_in(c, 1)->symvals) {
    if (op_const_exprs(c, 1, n, 1, "dft_length") < 0) return ST_UNSUPPORTED;
    if (dx_lower(op_dx(c), *n) < 1)
      return diag_node_error(ST_UNSUPPORTED, c->n, "dft_length comes from dims that may be 0");
    return ST_OK;
  }
  if (!known) {
    *n = op_data_dim(c, 0, 0, "dft_length");
    return *n < 0 ? ST_UNSUPPORTED : ST_OK;
  }
  if (v < 1) return diag_node_error(ST_BAD_MODEL, c->n, "dft_length is %lld, it must be at least 1", (long long)v);
  *n = dx_const(op_dx(c), v);
  return ST_OK;
}

/* An inverse onesided DFT (opset 20's IRFFT). */
static int is_irfft(const op_ctx *c) {
  return attr_int(c->n, "onesided", 0) && attr_int(c->n, "inverse", 0);
}

/* The IRFFT's signal length: dft_length, else 2 * (bins - 1) (the
 * reference's default; it rebuilds an even-length signal). */
static status irfft_length(op_ctx *c, int axis, int *n) {
  dx_table *dx = op_dx(c);
  if (op_in(c, 1)) return ST_OK; /* dft_length(), already in *n */
  *n = dx_sub(dx, dx_mul(dx, ir_dim(c->g, &op_in(c, 0)->t, axis), dx_const(dx, 2)), dx_const(dx, 2));
  if (dx_lower(dx, *n) < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "a one-sided spectrum needs at least 2 bins for its inverse");
  return ST_OK;
}

/* The most dim d of x can become: 2 * (dim - 1) when it is the axis. */
static int64_t irfft_bound(int64_t dim) { return dim > 2 ? 2 * (dim - 1) : dim; }

/* y: x's shape with the axis dim n and a last dim of 1 (real). With the
 * axis read at run time (no dft_length then, dft_infer checked), each
 * dim but the last is a run-time dim of the node (1 + d), which the
 * prepare kernel writes. */
static status irfft_infer(op_ctx *c, const ir_tensor *x, int axis, int n) {
  int exprs[IR_MAX_RANK], d;
  status s;
  if (axis >= 0 && (s = irfft_length(c, axis, &n)) != ST_OK) return s;
  for (d = 0; d < x->rank; d++) exprs[d] = ir_dim(c->g, x, d);
  for (d = 0; axis < 0 && d < x->rank - 1; d++)
    if ((exprs[d] = op_data_dim(c, 1 + d, irfft_bound(x->dims[d]), "DFT's output (IRFFT, axis read at run time)")) < 0)
      return ST_UNSUPPORTED;
  if (axis >= 0) exprs[axis] = n;
  exprs[x->rank - 1] = dx_const(op_dx(c), 1);
  op_set_output_exprs(c, 0, x->dtype, x->rank, exprs);
  return ST_OK;
}

static status dft_infer(op_ctx *c) {
  const ir_tensor *x;
  const int onesided = attr_int(c->n, "onesided", 0) != 0;
  int exprs[IR_MAX_RANK], axis, n, complex_in, d;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = transform_input(c, 2, &complex_in)) != ST_OK) return s;
  /* onesided keeps the first n / 2 + 1 bins; the spec means it for real
   * input, ONNX Runtime keeps them of complex input too, and so do we.
   * With inverse it is an IRFFT: complex bins in, a real signal out. */
  if (onesided && attr_int(c->n, "inverse", 0) && !complex_in)
    return diag_node_error(ST_BAD_MODEL, c->n, "onesided inverse (IRFFT) takes a complex spectrum, not a real one");
  if ((s = dft_axis(c, &axis)) != ST_OK) return s;
  if ((s = dft_length(c, axis, &n)) != ST_OK) return s;
  if (axis < 0 && op_in(c, 1))
    return diag_node_error(ST_UNSUPPORTED, c->n, "the axis is known only at run time: supported without "
                           "dft_length only");
  if (is_irfft(c)) return irfft_infer(c, x, axis, n);
  /* A run-time axis gives the input's shape, or with onesided one dim
   * (which, the prepare kernel says) shortened: then every dim but the
   * last is a run-time dim of the node (1 + d), at most the input's. */
  for (d = 0; d < x->rank; d++) exprs[d] = ir_dim(c->g, x, d);
  for (d = 0; axis < 0 && onesided && d < x->rank - 1; d++)
    if ((exprs[d] = op_data_dim(c, 1 + d, x->dims[d], "DFT's output (onesided, axis read at run time)")) < 0)
      return ST_UNSUPPORTED;
  exprs[x->rank - 1] = dx_const(op_dx(c), 2);
  if (axis >= 0) {
    dx_table *dx = op_dx(c);
    exprs[axis] = onesided ? dx_add(dx, dx_floordiv(dx, n, dx_const(dx, 2)), dx_const(dx, 1)) : n;
  }
  op_set_output_exprs(c, 0, x->dtype, x->rank, exprs);
  return ST_OK;
}

/* The largest dim of x but the last (upper bounds): the most a run-time
 * axis can give the transform. */
static int64_t max_dim(const ir_tensor *x) {
  int64_t m = 1;
  int d;
  for (d = 0; d < x->rank - 1; d++)
    if (x->dims[d] > m) m = x->dims[d];
  return m;
}

/* Binds the DFT's sizes for a known axis; a prepare kernel completes them
 * when the axis or the length is read at run time. */
static status dft_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const int onesided = attr_int(c->n, "onesided", 0) != 0;
  int axis, n, complex_in, d;
  rt_dft_params *p;
  status s;
  if ((s = transform_input(c, 2, &complex_in)) != ST_OK) return s;
  if ((s = dft_axis(c, &axis)) != ST_OK) return s;
  if ((s = dft_length(c, axis, &n)) != ST_OK) return s;
  if (is_irfft(c) && axis >= 0 && (s = irfft_length(c, axis, &n)) != ST_OK) return s;
  p = op_lower_as(c, l, PD_rt_dft_params, "rt_dft_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->complex_in = complex_in;
  p->inverse = attr_int(c->n, "inverse", 0) != 0;
  p->hermitian = is_irfft(c);
  if (axis >= 0) {
    op_bind_product(c, l, &p->outer, x, 0, axis);
    op_bind(c, l, &p->n_in, ir_dim(c->g, x, axis));
    op_bind_product(c, l, &p->inner, x, axis + 1, x->rank - 1);
    op_bind(c, l, &p->n_fft, n);
    op_bind(c, l, &p->n_out, ir_dim(c->g, y, axis));
  }
  if (axis < 0 || op_is_data_dim(c, n, 0)) {
    const int i32 = op_in(c, 1) && op_in(c, 1)->t.dtype == DT_INT32;
    rt_dft_prepare_params *q =
        op_prepare_as(c, l, PD_rt_dft_prepare_params, i32 ? "rt_dft_prepare_i32" : "rt_dft_prepare_i64");
    if (!q) return ST_UNSUPPORTED;
    q->rank = x->rank;
    for (d = 0; d < x->rank; d++) op_bind_prepare(c, l, &q->dims[d], ir_dim(c->g, x, d));
    q->axis = axis;
    q->axis_input = axis < 0;
    q->length_input = op_is_data_dim(c, n, 0);
    q->onesided = onesided && !p->hermitian; /* the bins kept, forward only */
    if (q->length_input && op_define(c, l, n)) return ST_INTERNAL;
    q->dims_out = axis < 0 && onesided;
    for (d = 0; q->dims_out && d < x->rank - 1; d++)
      if (op_define(c, l, ir_dim(c->g, y, d))) return ST_INTERNAL;
  }
  /* the transform length is at most the axis dim (run-time axis) or n */
  l->scratch_bytes =
      (size_t)RT_DFT_SCRATCH(axis >= 0 ? dx_upper(op_dx(c), n) : is_irfft(c) ? irfft_bound(max_dim(x)) : max_dim(x));
  return ST_OK;
}

/* ---- STFT ---- */

/* STFT's frame length: frame_length (a constant or the node's run-time
 * dim 1, bounded by the signal length) or the window's length. */
static status stft_frame_length(op_ctx *c, int *f) {
  const ir_tensor *x = &op_in(c, 0)->t, *w = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  int64_t v;
  int known;
  status s;
  if (w && (w->rank != 1 || w->dtype != x->dtype))
    return diag_node_error(ST_BAD_MODEL, c->n, "the window must be 1-D and of the signal's element type");
  if (!op_in(c, 3)) {
    if (!w) return diag_node_error(ST_BAD_MODEL, c->n, "needs a window or a frame_length");
    *f = ir_dim(c->g, w, 0);
    return ST_OK;
  }
  if ((s = scalar_int(c, 3, "frame_length", &v, &known)) != ST_OK) return s;
  if (!known) {
    *f = op_data_dim(c, 1, x->dims[1], "frame_length");
    return *f < 0 ? ST_UNSUPPORTED : ST_OK;
  }
  if (v < 1) return diag_node_error(ST_BAD_MODEL, c->n, "frame_length is %lld, it must be at least 1", (long long)v);
  if (w && !w->sym[0] && w->dims[0] != v)
    return diag_node_error(ST_BAD_MODEL, c->n, "the window has %lld values, frame_length is %lld",
                           (long long)w->dims[0], (long long)v);
  *f = dx_const(op_dx(c), v);
  return ST_OK;
}

/* The frame count: a constant when the signal length, frame_step and the
 * frame length are; else the node's run-time dim 0, at most the signal
 * length (a step and a frame of at least 1). */
static status stft_frames(op_ctx *c, int f, int *frames) {
  const ir_tensor *x = &op_in(c, 0)->t;
  int64_t step, fl;
  int known;
  status s;
  OP_REQUIRE_INPUT(c, 1);
  if ((s = scalar_int(c, 1, "frame_step", &step, &known)) != ST_OK) return s;
  if (op_in(c, 3) && op_in(c, 3)->t.dtype != op_in(c, 1)->t.dtype)
    return diag_node_error(ST_BAD_MODEL, c->n, "frame_step and frame_length must have the same element type");
  if (known && step < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "frame_step is %lld, it must be at least 1", (long long)step);
  if (known && !x->sym[1] && dx_const_value(op_dx(c), f, &fl)) {
    if (fl > x->dims[1])
      return diag_node_error(ST_BAD_MODEL, c->n, "frames of %lld values do not fit a signal of %lld",
                             (long long)fl, (long long)x->dims[1]);
    *frames = dx_const(op_dx(c), (x->dims[1] - fl) / step + 1);
    return ST_OK;
  }
  *frames = op_data_dim(c, 0, x->dims[1], "the number of frames");
  return *frames < 0 ? ST_UNSUPPORTED : ST_OK;
}

static status stft_infer(op_ctx *c) {
  const ir_tensor *x;
  const int onesided = attr_int(c->n, "onesided", 1) != 0;
  int exprs[4], complex_in, f = -1, frames = -1;
  dx_table *dx = op_dx(c);
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if ((s = transform_input(c, 3, &complex_in)) != ST_OK) return s;
  if (x->rank != 3) return diag_node_error(ST_BAD_MODEL, c->n, "the signal must have rank 3, not %d", x->rank);
  /* onesided with a complex signal keeps the first bins, as in DFT */
  if ((s = stft_frame_length(c, &f)) != ST_OK) return s;
  if ((s = stft_frames(c, f, &frames)) != ST_OK) return s;
  /* a window of run-time length must match a frame length known here (a
   * run-time frame length is checked by the prepare kernel) */
  if (op_in(c, 2) && op_in(c, 3) && op_in(c, 3)->t.data &&
      (s = op_check_equal(c, ir_dim(c->g, &op_in(c, 2)->t, 0), f, "the window's length and frame_length")) != ST_OK)
    return s;
  exprs[0] = ir_dim(c->g, x, 0);
  exprs[1] = frames;
  exprs[2] = onesided ? dx_add(dx, dx_floordiv(dx, f, dx_const(dx, 2)), dx_const(dx, 1)) : f;
  exprs[3] = dx_const(dx, 2);
  op_set_output_exprs(c, 0, x->dtype, 4, exprs);
  return ST_OK;
}

static status stft_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const ir_tensor *w = op_in(c, 2) ? &op_in(c, 2)->t : NULL;
  int f, frames, complex_in;
  int64_t step = 0;
  rt_stft_params *p;
  status s;
  if ((s = transform_input(c, 3, &complex_in)) != ST_OK) return s;
  if ((s = stft_frame_length(c, &f)) != ST_OK) return s;
  frames = ir_dim(c->g, y, 1);
  p = op_lower_as(c, l, PD_rt_stft_params, "rt_stft_%s", op_dtype_suffix(x->dtype));
  if (!p) return ST_UNSUPPORTED;
  p->complex_in = complex_in;
  p->has_window = w != NULL;
  op_bind(c, l, &p->batch, ir_dim(c->g, x, 0));
  op_bind(c, l, &p->length, ir_dim(c->g, x, 1));
  if (w) op_bind(c, l, &p->window_length, ir_dim(c->g, w, 0));
  op_bind(c, l, &p->frame_length, f);
  op_bind(c, l, &p->frames, frames);
  op_bind(c, l, &p->bins, ir_dim(c->g, y, 2));
  if (op_is_data_dim(c, frames, 0)) {
    const char *name = op_in(c, 1)->t.dtype == DT_INT32 ? "rt_stft_prepare_i32" : "rt_stft_prepare_i64";
    rt_stft_prepare_params *q = op_prepare_as(c, l, PD_rt_stft_prepare_params, name);
    if (!q) return ST_UNSUPPORTED;
    q->onesided = attr_int(c->n, "onesided", 1) != 0;
    q->frames_at = 0;
    q->length_at = op_is_data_dim(c, f, 1) ? 1 : -1;
    if (op_define(c, l, frames)) return ST_INTERNAL;
    if (q->length_at > 0 && op_define(c, l, f)) return ST_INTERNAL;
  } else {
    int known;
    if ((s = scalar_int(c, 1, "frame_step", &step, &known)) != ST_OK) return s;
    p->step = step;
  }
  l->scratch_bytes = (size_t)RT_DFT_SCRATCH(dx_upper(op_dx(c), f));
  return ST_OK;
}

static status signal_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_DFT: return dft_infer(c);
  case OP_STFT: return stft_infer(c);
  case OP_MelWeightMatrix: return mel_infer(c);
  default: return window_infer(c);
  }
}

static status signal_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_DFT: return dft_lower(c, l);
  case OP_STFT: return stft_lower(c, l);
  case OP_MelWeightMatrix: return mel_lower(c, l);
  default: return window_lower(c, l);
  }
}

const op_family op_family_signal = {signal_infer, signal_lower, 1, 0};
