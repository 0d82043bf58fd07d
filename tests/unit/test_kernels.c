/* Runtime kernels and blob checks on small hand-computed cases, and the
 * compiler's choice of element-wise kernel variants. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

START_TEST(binary_broadcast_rows) {
  /* [2,3] + [3] */
  const float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {10, 20, 30};
  float y[6];
  const float want[6] = {11, 22, 33, 14, 25, 36};
  rt_binary_params p;
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.rank = 2;
  p.dims[0] = 2, p.dims[1] = 3;
  p.a_strides[0] = 3, p.a_strides[1] = 1;
  p.b_strides[0] = 0, p.b_strides[1] = 1;
  rt_add_f32(&p, in, out, NULL);
  for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(binary_broadcast_columns) {
  /* [2,1] < [3]: a column against a row gives [2,3] bools */
  const int64_t a[2] = {1, 5}, b[3] = {0, 3, 6};
  uint8_t y[6];
  const uint8_t want[6] = {0, 1, 1, 0, 0, 1};
  rt_binary_params p;
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.rank = 2;
  p.dims[0] = 2, p.dims[1] = 3;
  p.a_strides[0] = 1, p.a_strides[1] = 0;
  p.b_strides[0] = 0, p.b_strides[1] = 1;
  rt_less_i64(&p, in, out, NULL);
  ck_assert_mem_eq(y, want, 6);
}
END_TEST

/* Pow by a broadcast 2 is the square x * x (correctly rounded); other
 * exponents, and a 2 among other exponents, are powf's. */
START_TEST(pow_by_two_is_the_square) {
  const float a[5] = {1.1f, -3.7f, 0.0f, -0.0f, 1e20f}, two[1] = {2.0f}, mixed[5] = {2.0f, 3.0f, 0.5f, 2.0f, 2.0f};
  float y[5];
  rt_binary_params p;
  const void *in[RT_MIN_ARGS] = {a, two};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.rank = 1;
  p.dims[0] = 5;
  p.a_strides[0] = 1;
  rt_pow_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) {
    const float sq = a[i] * a[i];
    ck_assert(memcmp(&y[i], &sq, sizeof sq) == 0);
  }
  ck_assert(isinf(y[4]));
  p.b_strides[0] = 1;
  in[1] = mixed;
  rt_pow_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) {
    const float want = mixed[i] == 2.0f ? a[i] * a[i] : powf(a[i], mixed[i]);
    ck_assert(memcmp(&y[i], &want, sizeof want) == 0);
  }
}
END_TEST

START_TEST(integer_mod_follows_divisor) {
  const int32_t a[4] = {7, -7, 7, -7}, b[4] = {3, 3, -3, -3};
  int32_t y[4];
  const int32_t want[4] = {1, 2, -2, -1};
  rt_binary_params p;
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.rank = 1;
  p.dims[0] = 4;
  p.a_strides[0] = p.b_strides[0] = 1;
  rt_mod_i32(&p, in, out, NULL);
  ck_assert_mem_eq(y, want, sizeof want);
}
END_TEST

START_TEST(half_max_min_fmod) {
  /* float16 bits: 1 0x3c00, 2 0x4000, -3 0xc200, NaN 0x7e00, 5.5 0x4580,
   * 1.5 0x3e00. Max/Min pick an input's own bits, a NaN in either wins;
   * fmod takes the dividend's sign: 5.5 fmod +-2 is 1.5, -5.5's -1.5. */
  const uint16_t a[4] = {0x3c00, 0x7e00, 0xc200, 0x4000}, b[4] = {0x4000, 0x3c00, 0x7e00, 0xc200};
  const uint16_t want_max[4] = {0x4000, 0x7e00, 0x7e00, 0x4000}, want_min[4] = {0x3c00, 0x7e00, 0x7e00, 0xc200};
  const uint16_t fa[4] = {0x4580, 0xc580, 0x4580, 0xc580}, fb[4] = {0x4000, 0x4000, 0xc000, 0xc000};
  const uint16_t want_fmod[4] = {0x3e00, 0xbe00, 0x3e00, 0xbe00};
  uint16_t y[4];
  rt_binary_params p;
  const void *in[RT_MIN_ARGS] = {a, b};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.rank = 1;
  p.dims[0] = 4;
  p.a_strides[0] = p.b_strides[0] = 1;
  rt_max_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_max, sizeof want_max);
  rt_min_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_min, sizeof want_min);
  in[0] = fa, in[1] = fb;
  rt_fmod_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_fmod, sizeof want_fmod);
}
END_TEST

START_TEST(half_isnan_isinf) {
  /* 1, NaN, +inf, -inf, the largest finite 65504 (0x7bff) */
  const uint16_t x[5] = {0x3c00, 0x7e00, 0x7c00, 0xfc00, 0x7bff};
  const uint8_t want_nan[5] = {0, 1, 0, 0, 0}, want_inf[5] = {0, 0, 1, 1, 0}, want_pos[5] = {0, 0, 1, 0, 0};
  uint8_t y[5];
  rt_unary_params p;
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.count = 5;
  rt_isnan_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_nan, 5);
  p.ilo = p.ihi = 1;
  rt_isinf_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_inf, 5);
  p.ihi = 0; /* detect_negative 0 */
  rt_isinf_f16(&p, in, out, NULL);
  ck_assert_mem_eq(y, want_pos, 5);
}
END_TEST

START_TEST(clip_with_runtime_bounds) {
  const float x[4] = {-5, -1, 1, 5}, lo = -2, hi = 2;
  float y[4];
  rt_unary_params p;
  const void *in[RT_MIN_ARGS] = {x, &lo, &hi};
  void *out[1] = {y};
  memset(&p, 0, sizeof p);
  p.count = 4;
  p.alpha = -INFINITY;
  p.beta = INFINITY;
  rt_clip_f32(&p, in, out, NULL);
  ck_assert_float_eq(y[0], -2);
  ck_assert_float_eq(y[1], -1);
  ck_assert_float_eq(y[3], 2);
}
END_TEST

/* Shrink: 0 within [-lambd, lambd], else x moved toward 0 by bias. On
 * integers the bias is applied in double and the result truncated. */
START_TEST(shrink_float_and_integer) {
  const float x[5] = {-3, -1, 0, 1, 3};
  const float want[5] = {-1.5f, 0, 0, 0, 1.5f};
  const int8_t xi[4] = {-5, -1, 2, 5};
  const int8_t want_i[4] = {-4, 0, 0, 4}; /* -5 + 0.5 = -4.5 -> -4; 4.5 -> 4 */
  float y[5];
  int8_t yi[4];
  rt_unary_params p;
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  int i;
  memset(&p, 0, sizeof p);
  p.count = 5;
  p.alpha = 1.0f; /* lambd */
  p.beta = 1.5f;  /* bias */
  rt_shrink_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_float_eq(y[i], want[i]);
  p.count = 4;
  p.alpha = 2.0f;
  p.beta = 0.5f;
  in[0] = xi;
  out[0] = yi;
  rt_shrink_i8(&p, in, out, NULL);
  ck_assert_mem_eq(yi, want_i, 4);
}
END_TEST

START_TEST(cast_half_round_trip) {
  const float x[5] = {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f};
  uint16_t h[5];
  float back[5];
  rt_cast_params p = {5, 1, 0};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {h};
  int i;
  rt_cast_f32_f16(&p, in, out, NULL);
  ck_assert_uint_eq(h[1], 0x3c00);
  ck_assert_uint_eq(h[3], 0x7bff);
  in[0] = h;
  out[0] = back;
  rt_cast_f16_f32(&p, in, out, NULL);
  for (i = 0; i < 5; i++) ck_assert_float_eq(back[i], x[i]);
}
END_TEST

START_TEST(cast_saturates_out_of_range) {
  const float x[3] = {1e20f, -1e20f, NAN};
  int32_t y[3];
  rt_cast_params p = {3, 1, 0};
  const void *in[RT_MIN_ARGS] = {x};
  void *out[1] = {y};
  rt_cast_f32_i32(&p, in, out, NULL);
  ck_assert_int_eq(y[0], INT32_MAX);
  ck_assert_int_eq(y[1], INT32_MIN);
  ck_assert_int_eq(y[2], 0);
}
END_TEST

/* One kernel per op and type: each computes its own op on its own type,
 * with nothing left to a switch that could fall through to a default. */
START_TEST(variants_compute_their_op) {
  rt_unary_params u;
  rt_binary_params b;
  rt_where_params w;
  rt_cast_params c = {4, 1, 0};
  memset(&u, 0, sizeof u);
  memset(&b, 0, sizeof b);
  memset(&w, 0, sizeof w);
  b.rank = 1;
  b.dims[0] = 4;
  b.a_strides[0] = b.b_strides[0] = 1;
  { /* bool logic writes 0/1 */
    const uint8_t x[4] = {0, 0, 1, 1}, y[4] = {0, 1, 0, 1};
    uint8_t r[4];
    const uint8_t want_and[4] = {0, 0, 0, 1}, want_xor[4] = {0, 1, 1, 0};
    const void *in[RT_MIN_ARGS] = {x, y};
    void *out[1] = {r};
    rt_and_bool(&b, in, out, NULL);
    ck_assert_mem_eq(r, want_and, 4);
    rt_xor_bool(&b, in, out, NULL);
    ck_assert_mem_eq(r, want_xor, 4);
  }
  { /* shifts by the type's width or more give 0 */
    const uint8_t x[4] = {1, 0x81, 3, 0xff}, s[4] = {7, 1, 8, 200};
    uint8_t r[4];
    const uint8_t want[4] = {0x80, 0x02, 0, 0};
    const void *in[RT_MIN_ARGS] = {x, s};
    void *out[1] = {r};
    rt_bitshift_left_u8(&b, in, out, NULL);
    ck_assert_mem_eq(r, want, 4);
  }
  { /* int8 arithmetic wraps; division by 0 gives 0 */
    const int8_t x[4] = {127, -128, 7, -7}, y[4] = {1, -1, 0, 2};
    int8_t r[4];
    const int8_t want_add[4] = {-128, 127, 7, -5}, want_div[4] = {127, -128, 0, -3};
    const void *in[RT_MIN_ARGS] = {x, y};
    void *out[1] = {r};
    rt_add_i8(&b, in, out, NULL);
    ck_assert_mem_eq(r, want_add, 4);
    rt_div_i8(&b, in, out, NULL);
    ck_assert_mem_eq(r, want_div, 4);
  }
  { /* uint64 Clip with no upper bound keeps values above INT64_MAX */
    const uint64_t x[4] = {0, 5, 0x8000000000000000ull, UINT64_MAX};
    uint64_t r[4];
    const uint64_t want[4] = {3, 5, 0x8000000000000000ull, UINT64_MAX};
    const void *in[RT_MIN_ARGS] = {x, NULL, NULL};
    void *out[1] = {r};
    u.count = 4;
    u.ilo = 3;
    u.ihi = -1; /* all ones: UINT64_MAX */
    rt_clip_u64(&u, in, out, NULL);
    ck_assert_mem_eq(r, want, sizeof want);
  }
  { /* int8 Clip with run-time bounds of the element type */
    const int8_t x[4] = {-128, -3, 4, 127}, lo = -2, hi = 3;
    int8_t r[4];
    const int8_t want[4] = {-2, -2, 3, 3};
    const void *in[RT_MIN_ARGS] = {x, &lo, &hi};
    void *out[1] = {r};
    u.ilo = INT8_MIN;
    u.ihi = INT8_MAX;
    rt_clip_i8(&u, in, out, NULL);
    ck_assert_mem_eq(r, want, 4);
  }
  { /* double ops compute in double */
    const double x[4] = {0.1, -0.7, 1.3, 2.9};
    double r[4];
    const void *in[RT_MIN_ARGS] = {x};
    void *out[1] = {r};
    int i;
    rt_erf_f64(&u, in, out, NULL);
    for (i = 0; i < 4; i++) ck_assert(r[i] == erf(x[i]));
    rt_tanh_f64(&u, in, out, NULL);
    for (i = 0; i < 4; i++) ck_assert(r[i] == tanh(x[i]));
  }
  { /* IsNaN on float writes bool */
    const float x[4] = {0.0f, NAN, INFINITY, -1.0f};
    uint8_t r[4];
    const uint8_t want[4] = {0, 1, 0, 0};
    const void *in[RT_MIN_ARGS] = {x};
    void *out[1] = {r};
    rt_isnan_f32(&u, in, out, NULL);
    ck_assert_mem_eq(r, want, 4);
  }
  { /* Where on 2-byte elements, the condition broadcast along rows */
    const uint8_t cond[2] = {1, 0};
    const uint16_t x[4] = {1, 2, 3, 4}, y[4] = {10, 20, 30, 40};
    uint16_t r[4];
    const uint16_t want[4] = {1, 20, 3, 40};
    const void *in[RT_MIN_ARGS] = {cond, x, y};
    void *out[1] = {r};
    w.rank = 2;
    w.dims[0] = 2, w.dims[1] = 2;
    w.c_strides[0] = 0, w.c_strides[1] = 1;
    w.a_strides[0] = 2, w.a_strides[1] = 1;
    w.b_strides[0] = 2, w.b_strides[1] = 1;
    rt_where_2(&w, in, out, NULL);
    ck_assert_mem_eq(r, want, sizeof want);
  }
  { /* integer casts wrap, bfloat16 widens exactly */
    const int64_t x[4] = {255, 256, -1, 300};
    uint8_t r[4];
    const uint8_t want[4] = {255, 0, 255, 44};
    const uint16_t bf[4] = {0x3f80, 0xc040, 0x7f80, 0x0001};
    float f[4];
    const void *in[RT_MIN_ARGS] = {x};
    void *out[1] = {r};
    rt_cast_i64_u8(&c, in, out, NULL);
    ck_assert_mem_eq(r, want, 4);
    in[0] = bf;
    out[0] = f;
    rt_cast_bf16_f32(&c, in, out, NULL);
    ck_assert_float_eq(f[0], 1.0f);
    ck_assert_float_eq(f[1], -3.0f);
    ck_assert(isinf(f[2]) && f[2] > 0);
    ck_assert_float_eq(f[3], 9.18354961579912115600575419705e-41f); /* smallest subnormal */
  }
}
END_TEST

/* ---- the compiler's choice of variant, on one-node graphs ---- */

/* A value of `dtype` and shape [n]: a graph input, or with `constant` a
 * constant holding 1, 2, 3, ... */
static int add_value(ir_graph *g, const char *name, int dtype, int64_t n, int constant) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  int64_t i;
  v->t.dtype = dtype;
  v->t.rank = 1;
  v->t.dims[0] = n;
  if (constant) {
    size_t es = dtype_size(dtype);
    v->t.data = xcalloc((size_t)n, es);
    for (i = 0; i < n; i++) {
      unsigned char *e = (unsigned char *)v->t.data + (size_t)i * es;
      if (dtype == DT_FLOAT) *(float *)(void *)e = (float)(i + 1);
      else if (dtype == DT_DOUBLE) *(double *)(void *)e = (double)(i + 1);
      else if (dtype == DT_FLOAT16) *(uint16_t *)(void *)e = (uint16_t)(0x3c00 + 0x400 * i);
      else if (dtype == DT_BFLOAT16) *(uint16_t *)(void *)e = (uint16_t)(0x3f80 + 0x80 * i);
      else if (dtype == DT_BOOL) *e = (unsigned char)(i & 1);
      else *e = (unsigned char)(i + 1); /* little-endian integers */
    }
  } else {
    v->graph_input = g->n_inputs;
    g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    g->inputs[g->n_inputs++] = id;
  }
  return id;
}

static ir_node *add_op(ir_graph *g, const char *op, int n_in, const int *in, const char *out) {
  ir_node *n = ir_node_add(g, out, op, "");
  int k;
  n->n_in = n_in;
  n->in = xmalloc(sizeof(int) * (size_t)(n_in ? n_in : 1));
  for (k = 0; k < n_in; k++) n->in[k] = in[k];
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, out);
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = n->out[0];
  return n;
}


static const int all_types[] = {DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_BOOL, DT_INT8, DT_INT16,
                                DT_INT32, DT_INT64, DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64};
#define N_TYPES ((int)(sizeof all_types / sizeof all_types[0]))

/* Op `op` (variant `var` of its attributes) on inputs of `dtype` (Cast:
 * to all_types[var]), inputs constant or not; returns the pipeline's
 * status and, in *seq, the kernel the node lowered to. */
static status one_node(int op, int var, int dtype, int constant, char *kernel, size_t size) {
  ir_graph *g = ir_new();
  const char *name = op_name(op);
  int in[3], n_in = 2, k;
  ir_node *n;
  status s;
  compile_options o;
  g->opset = 20;
  kernel[0] = 0;
  if (op_handler(op) == op_handler(op_lookup("", "Relu")) || op == op_lookup("", "Cast")) n_in = 1;
  if (op == op_lookup("", "Where")) n_in = 3;
  for (k = 0; k < n_in; k++) {
    char vname[16];
    snprintf(vname, sizeof vname, "x%d", k);
    in[k] = add_value(g, vname, op == op_lookup("", "Where") && k == 0 ? DT_BOOL : dtype, 3, constant);
  }
  n = add_op(g, name, n_in, in, "y");
  if (!strcmp(name, "Cast")) unit_add_attr(n, "to", ATTR_INT, all_types[var], 0, NULL);
  if (!strcmp(name, "CastLike")) g->values[in[1]]->t.dtype = all_types[var];
  if (!strcmp(name, "Mod")) unit_add_attr(n, "fmod", ATTR_INT, var, 0, NULL);
  if (!strcmp(name, "BitShift")) unit_add_attr(n, "direction", ATTR_STRING, 0, 0, var ? "RIGHT" : "LEFT");
  if (!strcmp(name, "Gelu")) unit_add_attr(n, "approximate", ATTR_STRING, 0, 0, var ? "tanh" : "none");
  memset(&o, 0, sizeof o);
  o.opt_level = 1;
  s = ir_toposort(g);
  if (!s) s = pipeline_run(g, &o, NULL);
  for (k = 0; !s && k < g->n_nodes; k++)
    if (g->nodes[k]->low) snprintf(kernel, size, "%s", kernel_get(g->nodes[k]->low->kernel)->name);
  ir_free(g);
  return s;
}

/* Every op of the family on every type: refused at compile time, or run
 * by a kernel made for that op and type. With constant inputs the node is
 * folded, which runs the kernel here (under the sanitizers in the ASan
 * build); with graph inputs it is lowered for the generated code. */
START_TEST(every_accepted_type_has_its_kernel) {
  int op, var, t, accepted = 0;
  for (op = 0; op < OP_COUNT; op++) {
    const char *fam = op_family_name(op);
    int is_cast = !strcmp(fam, "cast");
    if (strcmp(fam, "unary") && strcmp(fam, "binary") && !is_cast) continue;
    for (var = 0; var < (is_cast ? N_TYPES : 2); var++)
      for (t = 0; t < N_TYPES; t++) {
        char kernel[64], folded[64];
        status live = one_node(op, var, all_types[t], 0, kernel, sizeof kernel);
        status cst = one_node(op, var, all_types[t], 1, folded, sizeof folded);
        if (live != ST_OK && live != ST_UNSUPPORTED && live != ST_BAD_MODEL)
          ck_abort_msg("%s on %s: status %d", op_name(op), dtype_name(all_types[t]), (int)live);
        /* folding and lowering accept the same nodes */
        ck_assert_msg(live == cst, "%s on %s: %d with graph inputs, %d with constants", op_name(op),
                      dtype_name(all_types[t]), (int)live, (int)cst);
        if (live) continue;
        accepted++;
        ck_assert_msg(strncmp(kernel, "rt_", 3) == 0, "%s on %s: no kernel", op_name(op), dtype_name(all_types[t]));
      }
  }
  ck_assert_int_gt(accepted, 450);
}
END_TEST

START_TEST(lowering_names_the_variant) {
  char kernel[64];
  ck_assert_int_eq(one_node(op_lookup("", "Relu"), 0, DT_FLOAT, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_relu_f32");
  ck_assert_int_eq(one_node(op_lookup("", "Add"), 0, DT_INT64, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_add_i64");
  ck_assert_int_eq(one_node(op_lookup("", "Less"), 0, DT_FLOAT, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_less_f32");
  ck_assert_int_eq(one_node(op_lookup("", "BitShift"), 1, DT_UINT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_bitshift_right_u16");
  ck_assert_int_eq(one_node(op_lookup("", "Mod"), 1, DT_INT32, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_fmod_i32");
  ck_assert_int_eq(one_node(op_lookup("", "Gelu"), 1, DT_DOUBLE, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_gelu_tanh_f64");
  ck_assert_int_eq(one_node(op_lookup("", "Where"), 0, DT_FLOAT, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_where_4");
  ck_assert_int_eq(one_node(op_lookup("", "Cast"), 3, DT_FLOAT, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_cast_f32_bf16");
  ck_assert_int_eq(one_node(op_lookup("", "Max"), 0, DT_FLOAT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_max_f16");
  ck_assert_int_eq(one_node(op_lookup("", "Mod"), 1, DT_FLOAT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_fmod_f16");
  ck_assert_int_eq(one_node(op_lookup("", "IsInf"), 0, DT_FLOAT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_isinf_f16");
  /* no half kernel: computed in float, the last node casting back
   * (widen_half.c) */
  ck_assert_int_eq(one_node(op_lookup("", "Relu"), 0, DT_FLOAT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_cast_f32_f16");
  ck_assert_int_eq(one_node(op_lookup("", "Add"), 0, DT_BFLOAT16, 0, kernel, sizeof kernel), ST_OK);
  ck_assert_str_eq(kernel, "rt_cast_f32_bf16");
  /* refused at compile time instead of computing nothing (Mod's fmod 0
   * on floats is valid from opset 28 only; this graph has 20) */
  ck_assert_int_eq(one_node(op_lookup("", "Mod"), 0, DT_FLOAT, 0, kernel, sizeof kernel), ST_BAD_MODEL);
  ck_assert_int_eq(one_node(op_lookup("", "Mod"), 0, DT_FLOAT16, 0, kernel, sizeof kernel), ST_BAD_MODEL);
  ck_assert_int_eq(one_node(op_lookup("", "Not"), 0, DT_FLOAT, 0, kernel, sizeof kernel), ST_UNSUPPORTED);
}
END_TEST

/* Mean of int8 used to reach the binary kernel with no op and leave its
 * output unwritten; now it is refused, and the types legalize rewrites
 * compute the mean. */
START_TEST(mean_of_int8_is_refused) {
  ir_graph *g;
  compile_options o;
  int in[3], k;
  char kernel[64];
  const ir_value *y;
  memset(&o, 0, sizeof o);
  o.opt_level = 1;
  ck_assert_int_eq(one_node(op_lookup("", "Mean"), 0, DT_INT8, 0, kernel, sizeof kernel), ST_UNSUPPORTED);
  ck_assert_int_eq(one_node(op_lookup("", "Mean"), 0, DT_INT8, 1, kernel, sizeof kernel), ST_UNSUPPORTED);
  ck_assert_int_eq(one_node(op_lookup("", "Mean"), 0, DT_UINT16, 0, kernel, sizeof kernel), ST_UNSUPPORTED);
  /* int32, three constant inputs 1,2,3 each: folded to 1*3/3, 2, 3 */
  g = ir_new();
  g->opset = 13;
  for (k = 0; k < 3; k++) {
    char vname[8];
    snprintf(vname, sizeof vname, "x%d", k);
    in[k] = add_value(g, vname, DT_INT32, 3, 1);
    ((int32_t *)g->values[in[k]]->t.data)[2] = 3 + k; /* 3, 4, 5: mean 4 */
  }
  add_op(g, "Mean", 3, in, "y");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pipeline_run(g, &o, NULL), ST_OK);
  y = g->values[ir_value_get(g, "y")];
  ck_assert_ptr_nonnull(y->t.data);
  ck_assert_int_eq(((const int32_t *)y->t.data)[0], 1);
  ck_assert_int_eq(((const int32_t *)y->t.data)[1], 2);
  ck_assert_int_eq(((const int32_t *)y->t.data)[2], 4);
  ir_free(g);
}
END_TEST

/* Element-wise nodes may write over an input of the output's type and
 * shape; Cast over one of the same element size. */
START_TEST(inplace_where_shapes_allow) {
  ir_graph *g = ir_new();
  compile_options o;
  int in[2];
  ir_node *add, *less, *cast, *bcast;
  g->opset = 13;
  in[0] = add_value(g, "a", DT_FLOAT, 4, 0);
  in[1] = add_value(g, "b", DT_FLOAT, 1, 0);
  add = add_op(g, "Add", 2, in, "s");
  less = add_op(g, "Less", 2, in, "l");
  in[0] = ir_value_get(g, "b");
  in[1] = ir_value_get(g, "a");
  bcast = add_op(g, "Sub", 2, in, "d");
  in[0] = ir_value_get(g, "a");
  cast = add_op(g, "Cast", 1, in, "c");
  unit_add_attr(cast, "to", ATTR_INT, DT_INT32, 0, NULL);
  memset(&o, 0, sizeof o);
  o.opt_level = 0;
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pipeline_run(g, &o, NULL), ST_OK);
  ck_assert_int_eq(add->low->inplace_of, 0);
  ck_assert_int_eq(less->low->inplace_of, -1); /* writes bool */
  ck_assert_int_eq(bcast->low->inplace_of, 1); /* input 0 is broadcast */
  ck_assert_int_eq(cast->low->inplace_of, 0);
  ir_free(g);
}
END_TEST

/* A valid blob with an 8-byte payload, then each way it can be broken. */
static void make_blob(unsigned char *b, uint64_t *hash) {
  int i;
  memset(b, 0, 72);
  memcpy(b, "ONNXCCW", 8);
  b[8] = 1;
  b[16] = 8;
  for (i = 0; i < 8; i++) b[64 + i] = (unsigned char)(i * 7);
  *hash = rt_fnv1a64(b + 64, 8);
  for (i = 0; i < 8; i++) b[24 + i] = (unsigned char)(*hash >> (8 * i));
}

START_TEST(blob_checks) {
  unsigned char b[72];
  uint64_t h;
  make_blob(b, &h);
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_OK);
  ck_assert_int_eq(rt_blob_check(NULL, 72, 8, h), RT_ERR_NULL);
  ck_assert_int_eq(rt_blob_check(b, 71, 8, h), RT_ERR_BLOB_SIZE);
  ck_assert_int_eq(rt_blob_check(b, 10, 8, h), RT_ERR_BLOB_SIZE);
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h ^ 1), RT_ERR_BLOB_CHECKSUM);
  b[70] ^= 0x40; /* a flipped bit in the payload */
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_CHECKSUM);
  make_blob(b, &h);
  b[0] = 'X';
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_MAGIC);
  make_blob(b, &h);
  b[8] = 9;
  ck_assert_int_eq(rt_blob_check(b, 72, 8, h), RT_ERR_BLOB_VERSION);
}
END_TEST

Suite *kernels_suite(void) {
  Suite *s = suite_create("kernels");
  TCase *tc = tcase_create("elementwise");
  tcase_add_test(tc, binary_broadcast_rows);
  tcase_add_test(tc, binary_broadcast_columns);
  tcase_add_test(tc, pow_by_two_is_the_square);
  tcase_add_test(tc, integer_mod_follows_divisor);
  tcase_add_test(tc, half_max_min_fmod);
  tcase_add_test(tc, half_isnan_isinf);
  tcase_add_test(tc, clip_with_runtime_bounds);
  tcase_add_test(tc, shrink_float_and_integer);
  tcase_add_test(tc, cast_half_round_trip);
  tcase_add_test(tc, cast_saturates_out_of_range);
  tcase_add_test(tc, variants_compute_their_op);
  suite_add_tcase(s, tc);
  tc = tcase_create("variants");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, every_accepted_type_has_its_kernel);
  tcase_add_test(tc, lowering_names_the_variant);
  tcase_add_test(tc, mean_of_int8_is_refused);
  tcase_add_test(tc, inplace_where_shapes_allow);
  suite_add_tcase(s, tc);
  tc = tcase_create("blob");
  tcase_add_test(tc, blob_checks);
  suite_add_tcase(s, tc);
  return s;
}
