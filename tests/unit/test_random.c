/* The random ops (kernels/random.h): the generator's determinism and
 * rough statistics, the exact cases (Bernoulli of 0 and 1, Dropout of
 * ratio 0 or not training), and the compiler's lowering, checks and
 * folding on one-node graphs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/load.h"
#include "../../compiler/ops/ops.h"
#include "../../compiler/passes/passes.h"
#include "suites.h"
#include "unit_graph.h"

#define N 10000

static rt_random_params random_params(int64_t count, int64_t key, float a, float b) {
  rt_random_params p;
  memset(&p, 0, sizeof p);
  p.count = count, p.key = key, p.a = a, p.b = b;
  return p;
}

START_TEST(same_key_same_numbers) {
  static float y1[N], y2[N], y3[N];
  void *out1[RT_MIN_ARGS] = {y1}, *out2[RT_MIN_ARGS] = {y2}, *out3[RT_MIN_ARGS] = {y3};
  const void *in[RT_MIN_ARGS] = {NULL};
  rt_random_params p = random_params(N, 42, 0, 1);
  int i, same = 0;
  rt_random_uniform_f32(&p, in, out1, NULL);
  rt_random_uniform_f32(&p, in, out2, NULL);
  ck_assert_int_eq(memcmp(y1, y2, sizeof y1), 0);
  /* a prefix of the stream is the same whatever the count */
  p.count = 10;
  rt_random_uniform_f32(&p, in, out3, NULL);
  ck_assert_int_eq(memcmp(y1, y3, 10 * sizeof(float)), 0);
  /* the next seed draws other numbers, not the same ones shifted */
  p.count = N, p.key = 43;
  rt_random_uniform_f32(&p, in, out3, NULL);
  for (i = 0; i < N; i++) same += y1[i] == y3[i] || (i + 1 < N && y1[i + 1] == y3[i]);
  ck_assert_int_lt(same, 10);
}
END_TEST

START_TEST(uniform_range_and_mean) {
  static float y[N];
  static double yd[N];
  void *out[RT_MIN_ARGS] = {y}, *outd[RT_MIN_ARGS] = {yd};
  const void *in[RT_MIN_ARGS] = {NULL};
  rt_random_params p = random_params(N, 7, -2, 4);
  double sum = 0, sumd = 0;
  int i;
  rt_random_uniform_f32(&p, in, out, NULL);
  rt_random_uniform_f64(&p, in, outd, NULL);
  for (i = 0; i < N; i++) {
    ck_assert(y[i] >= -2 && y[i] < 4);
    ck_assert(yd[i] >= -2 && yd[i] < 4);
    sum += y[i], sumd += yd[i];
  }
  /* mean 1; the mean of N draws has standard deviation 6 / sqrt(12 N) = 0.017 */
  ck_assert(fabs(sum / N - 1) < 0.1);
  ck_assert(fabs(sumd / N - 1) < 0.1);
}
END_TEST

START_TEST(normal_mean_and_variance) {
  static double y[N];
  static uint16_t h[N];
  void *out[RT_MIN_ARGS] = {y}, *outh[RT_MIN_ARGS] = {h};
  const void *in[RT_MIN_ARGS] = {NULL};
  rt_random_params p = random_params(N, 1234, 3, 2);
  double sum = 0, sq = 0, mean;
  int i, finite = 1;
  rt_random_normal_f64(&p, in, out, NULL);
  for (i = 0; i < N; i++) sum += y[i], finite &= isfinite(y[i]) != 0;
  mean = sum / N;
  for (i = 0; i < N; i++) sq += (y[i] - mean) * (y[i] - mean);
  ck_assert(finite);
  /* mean 3 (sd of the mean 0.02), variance 4 (sd of the variance 0.057) */
  ck_assert_msg(fabs(mean - 3) < 0.1, "mean %g", mean);
  ck_assert_msg(fabs(sq / N - 4) < 0.3, "variance %g", sq / N);
  /* float16: the same distribution, rounded */
  rt_random_normal_f16(&p, in, outh, NULL);
  for (sum = 0, i = 0; i < N; i++) {
    float v;
    /* decode only the normal range the draws can reach (|v| < 32) */
    int e = (h[i] >> 10) & 0x1f;
    v = ldexpf((float)((h[i] & 0x3ff) | (e ? 0x400 : 0)), (e ? e : 1) - 25);
    sum += (h[i] & 0x8000) ? -v : v;
  }
  ck_assert_msg(fabs(sum / N - 3) < 0.1, "float16 mean %g", sum / N);
}
END_TEST

START_TEST(bernoulli_exact_and_rough) {
  static float prob[N];
  static double probd[4] = {0, 1, 0, 1};
  static uint8_t b[N];
  static int64_t bi[4];
  void *out[RT_MIN_ARGS] = {b}, *outi[RT_MIN_ARGS] = {bi};
  const void *in[RT_MIN_ARGS] = {prob}, *ind[RT_MIN_ARGS] = {probd};
  rt_random_params p = random_params(N, 99, 0, 0);
  int i, ones = 0;
  for (i = 0; i < N; i++) prob[i] = (float)(i % 2); /* 0, 1, 0, 1, ... */
  rt_bernoulli_f32_bool(&p, in, out, NULL);
  for (i = 0; i < N; i++) ck_assert_int_eq(b[i], i % 2);
  p.count = 4;
  rt_bernoulli_f64_i64(&p, ind, outi, NULL);
  for (i = 0; i < 4; i++) ck_assert_int_eq(bi[i], i % 2);
  /* p 0.25: about 2500 ones (sd 43) */
  for (i = 0; i < N; i++) prob[i] = 0.25f;
  p.count = N;
  rt_bernoulli_f32_bool(&p, in, out, NULL);
  for (i = 0; i < N; i++) ones += b[i];
  ck_assert_msg(abs(ones - 2500) < 250, "%d ones", ones);
}
END_TEST

START_TEST(multinomial_classes) {
  /* row 0: class 1 only (the others have weight exp(-inf) = 0); row 1:
   * classes 0 and 2 alike, class 1 never */
  const float x[6] = {-INFINITY, 5.0f, -INFINITY, 0.0f, -INFINITY, 0.0f};
  static int64_t y[2 * N];
  static double scratch[3];
  void *out[RT_MIN_ARGS] = {y};
  const void *in[RT_MIN_ARGS] = {x};
  rt_multinomial_params p;
  int i, zeros = 0;
  memset(&p, 0, sizeof p);
  p.batch = 2, p.classes = 3, p.samples = N, p.key = 5;
  rt_multinomial_f32_i64(&p, in, out, scratch);
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(y[i], 1);
    ck_assert(y[N + i] == 0 || y[N + i] == 2);
    zeros += y[N + i] == 0;
  }
  ck_assert_msg(abs(zeros - N / 2) < 300, "%d zeros", zeros);
}
END_TEST

START_TEST(dropout_ratio_zero_and_half) {
  static float x[N], y[N];
  static uint8_t mask[N];
  float ratio = 0.0f;
  uint8_t training = 1;
  int status = RT_OK, i, kept = 0;
  void *out[RT_MIN_ARGS] = {y, mask, NULL, NULL, NULL, NULL, NULL, &status};
  const void *in[RT_MIN_ARGS] = {x, &ratio, &training};
  rt_dropout_train_params p;
  memset(&p, 0, sizeof p);
  p.count = N, p.key = 3, p.ratio_input = 1;
  for (i = 0; i < N; i++) x[i] = (float)i * 0.37f - 100.0f;
  /* ratio 0 keeps every element exactly */
  rt_dropout_train_f32(&p, in, out, NULL);
  ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
  for (i = 0; i < N; i++) ck_assert_int_eq(mask[i], 1);
  /* ratio 0.5: about half kept (sd 50), each doubled */
  ratio = 0.5f;
  rt_dropout_train_f32(&p, in, out, NULL);
  for (i = 0; i < N; i++) {
    kept += mask[i];
    ck_assert(mask[i] ? y[i] == 2 * x[i] : y[i] == 0);
  }
  ck_assert_msg(abs(kept - N / 2) < 300, "%d kept", kept);
  ck_assert_int_eq(status, RT_OK);
  /* not training: y = x and every mask element true, whatever the ratio */
  training = 0, ratio = 0.9f;
  rt_dropout_train_f32(&p, in, out, NULL);
  ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
  for (i = 0; i < N; i++) ck_assert_int_eq(mask[i], 1);
  /* the params' ratio when ratio_input is 0; the mask output may be absent */
  training = 1, p.ratio_input = 0, p.ratio = 0.0f, out[1] = NULL;
  rt_dropout_train_f32(&p, in, out, NULL);
  ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
  /* a ratio of 1 (or NaN) is refused through the status slot */
  p.ratio_input = 1, ratio = 1.0f;
  rt_dropout_train_f32(&p, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_VALUE);
  status = RT_OK, ratio = NAN;
  rt_dropout_train_f32(&p, in, out, NULL);
  ck_assert_int_eq(status, RT_ERR_VALUE);
}
END_TEST

/* ---- the compiler, on one-node graphs ---- */

/* A value of dtype and shape [n] (rank 0 when n is 0): a graph input, or
 * with `constant` a constant holding `value` (float, double or bool). */
static int add_value(ir_graph *g, const char *name, int dtype, int64_t n, int constant, double value) {
  int id = ir_value_get(g, name);
  ir_value *v = g->values[id];
  int64_t i, count = n ? n : 1;
  v->t.dtype = dtype;
  v->t.rank = n ? 1 : 0;
  v->t.dims[0] = n;
  if (!constant) {
    v->graph_input = g->n_inputs;
    g->inputs = xrealloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    g->inputs[g->n_inputs++] = id;
    return id;
  }
  v->t.data = xcalloc((size_t)count, dtype_size(dtype));
  for (i = 0; i < count; i++) {
    if (dtype == DT_FLOAT) ((float *)v->t.data)[i] = (float)value;
    else if (dtype == DT_DOUBLE) ((double *)v->t.data)[i] = value;
    else ((uint8_t *)v->t.data)[i] = (uint8_t)(value != 0);
  }
  return id;
}

/* Node `op` reading `in` (-1: absent) and writing graph output "y". */
static ir_node *add_node(ir_graph *g, const char *op, int n_in, const int *in) {
  ir_node *n = ir_node_add(g, "node", op, "");
  n->n_in = n_in;
  n->in = xmalloc(sizeof(int) * (size_t)(n_in ? n_in : 1));
  if (n_in) memcpy(n->in, in, sizeof(int) * (size_t)n_in);
  n->n_out = 1;
  n->out = xmalloc(sizeof(int));
  n->out[0] = ir_value_get(g, "y");
  g->outputs = xrealloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
  g->outputs[g->n_outputs++] = n->out[0];
  return n;
}

/* Runs the pipeline on g and frees it. kernel (64 bytes) gets what the
 * node lowered to ("" when it was folded), *slot its status_slot flag;
 * when y is given, the folded output's bytes are copied there. */
static status run_graph(ir_graph *g, char *kernel, int *slot, void *y) {
  const struct lowered *low;
  status s;
  s = unit_run_pipeline(g, kernel, &low);
  if (low && slot) *slot = low->status_slot;
  if (!s && y) {
    const ir_value *v = g->values[ir_value_get(g, "y")];
    ck_assert_ptr_nonnull(v->t.data);
    memcpy(y, v->t.data, tensor_bytes(&v->t));
  }
  ir_free(g);
  return s;
}

static ir_graph *new_graph(void) {
  ir_graph *g = ir_new();
  g->opset = 22;
  return g;
}

/* A shape attribute. */
static void add_ints(ir_node *n, const char *name, int count, const int64_t *v) {
  unit_add_attr(n, name, ATTR_INTS, 0, 0, NULL);
  n->attr[n->n_attr - 1].n = count;
  n->attr[n->n_attr - 1].ints = xmalloc(sizeof(int64_t) * (size_t)count);
  memcpy(n->attr[n->n_attr - 1].ints, v, sizeof(int64_t) * (size_t)count);
}

START_TEST(compiler_generators) {
  const int64_t shape[2] = {2, 3};
  char kernel[64];
  ir_graph *g = new_graph();
  ir_node *n = add_node(g, "RandomNormal", 0, NULL);
  int x;
  add_ints(n, "shape", 2, shape);
  unit_add_attr(n, "dtype", ATTR_INT, DT_DOUBLE, 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_OK);
  ck_assert_str_eq(kernel, "rt_random_normal_f64");
  /* an integer dtype; no shape */
  g = new_graph();
  n = add_node(g, "RandomUniform", 0, NULL);
  add_ints(n, "shape", 2, shape);
  unit_add_attr(n, "dtype", ATTR_INT, DT_INT32, 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_UNSUPPORTED);
  g = new_graph();
  add_node(g, "RandomUniform", 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_BAD_MODEL);
  /* the Like form takes an int64 input's shape, with a float dtype only */
  g = new_graph();
  x = add_value(g, "x", DT_INT64, 4, 0, 0);
  add_node(g, "RandomUniformLike", 1, &x);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_UNSUPPORTED);
  g = new_graph();
  x = add_value(g, "x", DT_INT64, 4, 0, 0);
  unit_add_attr(add_node(g, "RandomUniformLike", 1, &x), "dtype", ATTR_INT, DT_FLOAT16, 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_OK);
  ck_assert_str_eq(kernel, "rt_random_uniform_f16");
}
END_TEST

/* A node whose inputs are constant is folded by running its kernel with
 * the key the program would use: the seed's bits, or the FNV-1a hash of
 * the output's name. */
START_TEST(compiler_folds_with_the_same_key) {
  const float two = 2.0f;
  float folded[5], direct[5];
  const void *in[RT_MIN_ARGS] = {NULL};
  void *out[RT_MIN_ARGS] = {direct};
  rt_random_params p = random_params(5, 0, -1, 1);
  uint32_t bits;
  char kernel[64];
  ir_graph *g = new_graph();
  int x = add_value(g, "x", DT_FLOAT, 5, 1, 0.5);
  ir_node *n = add_node(g, "RandomUniformLike", 1, &x);
  unit_add_attr(n, "seed", ATTR_FLOAT, 0, two, NULL);
  unit_add_attr(n, "low", ATTR_FLOAT, 0, -1, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, folded), ST_OK);
  ck_assert_str_eq(kernel, "");
  memcpy(&bits, &two, sizeof bits);
  p.key = (int64_t)bits;
  rt_random_uniform_f32(&p, in, out, NULL);
  ck_assert_int_eq(memcmp(folded, direct, sizeof folded), 0);
  /* no seed: FNV-1a of "y" */
  g = new_graph();
  x = add_value(g, "x", DT_FLOAT, 5, 1, 0.5);
  unit_add_attr(add_node(g, "RandomUniformLike", 1, &x), "low", ATTR_FLOAT, 0, -1, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, folded), ST_OK);
  p.key = (int64_t)((0xcbf29ce484222325ull ^ (unsigned char)'y') * 0x100000001b3ull);
  rt_random_uniform_f32(&p, in, out, NULL);
  ck_assert_int_eq(memcmp(folded, direct, sizeof folded), 0);
}
END_TEST

/* Dropout with x float [4], ratio (-1: absent; else constant `ratio` of
 * r_type, or a graph input when ratio_const is 0) and training_mode (a
 * graph input, or constant `training`). */
static status dropout_graph(int r_type, int ratio_const, double ratio, int train_const, int training, char *kernel,
                            int *slot) {
  ir_graph *g = new_graph();
  int in[3];
  in[0] = add_value(g, "x", DT_FLOAT, 4, 0, 0);
  in[1] = r_type < 0 ? -1 : add_value(g, "r", r_type, 0, ratio_const, ratio);
  in[2] = add_value(g, "t", DT_BOOL, 0, train_const, training);
  unit_add_attr(add_node(g, "Dropout", 3, in), "seed", ATTR_INT, 7, 0, NULL);
  return run_graph(g, kernel, slot, NULL);
}

START_TEST(compiler_dropout) {
  char kernel[64];
  int slot = 0;
  /* run-time ratio and training_mode; constant true with the default ratio */
  ck_assert_int_eq(dropout_graph(DT_FLOAT, 0, 0, 0, 0, kernel, &slot), ST_OK);
  ck_assert_str_eq(kernel, "rt_dropout_train_f32");
  ck_assert_int_eq(slot, 1);
  ck_assert_int_eq(dropout_graph(-1, 0, 0, 1, 1, kernel, &slot), ST_OK);
  ck_assert_str_eq(kernel, "rt_dropout_train_f32");
  /* a constant double ratio with float data is taken */
  ck_assert_int_eq(dropout_graph(DT_DOUBLE, 1, 0.25, 0, 0, kernel, &slot), ST_OK);
  /* constant false keeps the view */
  ck_assert_int_eq(dropout_graph(DT_FLOAT, 0, 0, 1, 0, kernel, &slot), ST_OK);
  ck_assert_str_ne(kernel, "rt_dropout_train_f32");
  /* a constant ratio outside [0, 1); a run-time ratio of another type */
  ck_assert_int_eq(dropout_graph(DT_FLOAT, 1, 1.0, 1, 1, kernel, &slot), ST_BAD_MODEL);
  ck_assert_int_eq(dropout_graph(DT_FLOAT, 1, -0.5, 0, 0, kernel, &slot), ST_BAD_MODEL);
  ck_assert_int_eq(dropout_graph(DT_DOUBLE, 0, 0, 0, 0, kernel, &slot), ST_UNSUPPORTED);
}
END_TEST

START_TEST(compiler_multinomial) {
  char kernel[64];
  ir_graph *g = new_graph();
  int x = add_value(g, "x", DT_FLOAT, 3, 0, 0);
  ir_node *n;
  g->values[x]->t.rank = 2, g->values[x]->t.dims[0] = 2, g->values[x]->t.dims[1] = 3;
  n = add_node(g, "Multinomial", 1, &x);
  unit_add_attr(n, "dtype", ATTR_INT, DT_INT64, 0, NULL);
  unit_add_attr(n, "sample_size", ATTR_INT, 4, 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_OK);
  ck_assert_str_eq(kernel, "rt_multinomial_f32_i64");
  /* a float output type; a 1-D input */
  g = new_graph();
  x = add_value(g, "x", DT_FLOAT, 3, 0, 0);
  g->values[x]->t.rank = 2, g->values[x]->t.dims[0] = 2, g->values[x]->t.dims[1] = 3;
  unit_add_attr(add_node(g, "Multinomial", 1, &x), "dtype", ATTR_INT, DT_FLOAT, 0, NULL);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_BAD_MODEL);
  g = new_graph();
  x = add_value(g, "x", DT_FLOAT, 3, 0, 0);
  add_node(g, "Multinomial", 1, &x);
  ck_assert_int_eq(run_graph(g, kernel, NULL, NULL), ST_BAD_MODEL);
}
END_TEST

Suite *random_suite(void) {
  Suite *s = suite_create("random");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, same_key_same_numbers);
  tcase_add_test(tc, uniform_range_and_mean);
  tcase_add_test(tc, normal_mean_and_variance);
  tcase_add_test(tc, bernoulli_exact_and_rough);
  tcase_add_test(tc, multinomial_classes);
  tcase_add_test(tc, dropout_ratio_zero_and_half);
  tcase_add_test(tc, compiler_generators);
  tcase_add_test(tc, compiler_folds_with_the_same_key);
  tcase_add_test(tc, compiler_dropout);
  tcase_add_test(tc, compiler_multinomial);
  suite_add_tcase(s, tc);
  return s;
}
