/* ZipMap (compiler/ops/maps.c): a sequence of maps held as the dense
 * tensor of its values with the keys on the value; the generated header's
 * key table (codegen/c/emit_maps.c); the SequenceProto of MapProtos that
 * `onnxcc run` writes (compiler/map_pb.c). DictVectorizer's and CastMap's
 * kernels (kernels/maps.h) on a map as keys and values, and their infer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../codegen/c/emit_maps.h"
#include "../../compiler/fileio.h"
#include "../../compiler/lowered.h"
#include "../../compiler/map_pb.h"
#include "onnx.pb-c.h"
#include <onnxcc/kernels.h>
#include <onnxcc/strings.h>
#include "suites.h"
#include "unit_graph.h"

/* x: float [rows, cols] input; y: an output ONNX declares as
 * sequence(map(key_dtype, float)) (0: a plain tensor); one ZipMap. */
static ir_graph *zipmap_graph(int64_t rows, int64_t cols, int key_dtype, ir_node **node) {
  ir_graph *g = ir_new();
  int id = ir_value_get(g, "x");
  ir_value *x = g->values[id];
  ir_node *n;
  g->opset = 13;
  g->opset_ml = 1;
  x->t.dtype = DT_FLOAT;
  x->t.rank = rows ? 2 : 1;
  x->t.dims[0] = rows ? rows : cols;
  x->t.dims[1] = cols;
  x->graph_input = 0;
  g->inputs = xmalloc(sizeof(int));
  g->inputs[g->n_inputs++] = id;
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = ir_value_get(g, "y");
  g->values[g->outputs[0]]->map_key_dtype = key_dtype;
  n = ir_node_add(g, "zm", "ZipMap", "ai.onnx.ml");
  n->n_in = n->n_out = 1;
  n->in = xmalloc(sizeof(int));
  n->out = xmalloc(sizeof(int));
  n->in[0] = id;
  n->out[0] = g->outputs[0];
  *node = n;
  return g;
}

static void int_labels(ir_node *n, int count, const int64_t *v) {
  ir_attr *a = unit_new_attr(n, "classlabels_int64s", ATTR_INTS);
  a->n = count;
  a->ints = xmalloc(sizeof(int64_t) * (size_t)count);
  memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
}

static void string_labels(ir_node *n, int count, const char *const *v) {
  ir_attr *a = unit_new_attr(n, "classlabels_strings", ATTR_STRINGS);
  int i;
  a->n = count;
  a->strings = xcalloc((size_t)count + 1, sizeof(char *));
  for (i = 0; i < count; i++) a->strings[i] = xstrdup(v[i]);
}

START_TEST(zipmap_int64_keys) {
  const int64_t labels[3] = {5, -1, 9};
  ir_node *n;
  ir_graph *g = zipmap_graph(2, 3, DT_INT64, &n);
  const ir_value *y;
  text h, c;
  int_labels(n, 3, labels);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  y = g->values[g->outputs[0]];
  /* the values unchanged, [N, C] floats; the labels as keys */
  ck_assert_int_eq(y->t.dtype, DT_FLOAT);
  ck_assert_int_eq(y->t.rank, 2);
  ck_assert_int_eq(y->t.dims[0], 2);
  ck_assert_int_eq(y->t.dims[1], 3);
  ck_assert_ptr_nonnull(y->map_keys);
  ck_assert_int_eq(y->map_keys->key_dtype, DT_INT64);
  ck_assert_int_eq(y->map_keys->n, 3);
  ck_assert_int_eq(y->map_keys->ints[1], -1);
  ck_assert_int_eq(pass_lower(g), ST_OK);
  ck_assert_str_eq(kernel_get(g->nodes[0]->low->kernel)->name, "rt_copy");
  ck_assert_int_eq(((const rt_copy_params *)g->nodes[0]->low->params)->bytes, 24);
  text_init(&h);
  text_init(&c);
  emit_maps_header(&h, g, "m", "M");
  emit_maps_source(&c, g, "m");
  ck_assert_ptr_nonnull(strstr(h.buf, "#define M_OUTPUT0_NUM_KEYS 3\n"));
  ck_assert_ptr_nonnull(strstr(h.buf, "extern const int64_t m_output0_keys[3];"));
  ck_assert_ptr_nonnull(strstr(h.buf, "sequence(map(int64, float))"));
  ck_assert_ptr_nonnull(strstr(c.buf, "const int64_t m_output0_keys[3] = {\n  5LL, -1LL, 9LL\n};"));
  text_free(&h);
  text_free(&c);
  ir_free(g);
}
END_TEST

START_TEST(zipmap_string_keys) {
  /* a quote in a label stays a valid C string; a 1-D input is one map */
  const char *const labels[2] = {"cat", "say \"hi\""};
  ir_node *n;
  ir_graph *g = zipmap_graph(0, 2, DT_STRING, &n);
  text c;
  string_labels(n, 2, labels);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(g->values[g->outputs[0]]->t.rank, 1);
  ck_assert_int_eq(g->values[g->outputs[0]]->map_keys->key_dtype, DT_STRING);
  ck_assert_str_eq(g->values[g->outputs[0]]->map_keys->strs[1], "say \"hi\"");
  text_init(&c);
  emit_maps_source(&c, g, "m");
  ck_assert_ptr_nonnull(strstr(c.buf, "const char *const m_output0_keys[2] = {\n  \"cat\", \"say \\\"hi\\\"\"\n};"));
  text_free(&c);
  ir_free(g);
}
END_TEST

/* Each refusal, on a fresh graph: labels count against the input's
 * columns, exactly one label list, the declared key type, and an output
 * that is not a declared sequence of maps. */
START_TEST(zipmap_refusals) {
  const int64_t four[4] = {0, 1, 2, 3}, three[3] = {0, 1, 2};
  const char *const strs[3] = {"a", "b", "c"};
  ir_node *n;
  ir_graph *g = zipmap_graph(2, 3, DT_INT64, &n);
  int_labels(n, 4, four);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_ne(pass_infer(g), ST_OK);
  ir_free(g);
  g = zipmap_graph(2, 3, DT_INT64, &n);
  int_labels(n, 3, three);
  string_labels(n, 3, strs);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_BAD_MODEL);
  ir_free(g);
  g = zipmap_graph(2, 3, DT_INT64, &n);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_BAD_MODEL); /* no labels at all */
  ir_free(g);
  g = zipmap_graph(2, 3, DT_STRING, &n);
  int_labels(n, 3, three);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_BAD_MODEL);
  ir_free(g);
  g = zipmap_graph(2, 3, 0, &n);
  int_labels(n, 3, three);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_UNSUPPORTED);
  ir_free(g);
}
END_TEST

/* [2, 2] floats with keys {7, -2}: two MapProtos, each with the keys in
 * label order and one scalar tensor per key. */
START_TEST(map_file_round_trip) {
  char path[] = "/tmp/onnxcc-test-maps-XXXXXX";
  float vals[4] = {0.25f, 0.75f, 1.0f, -3.5f};
  int64_t ints[2] = {7, -2};
  ir_map_keys k = {DT_INT64, 2, ints, NULL};
  ir_tensor t;
  unsigned char *data = NULL;
  size_t n;
  Onnx__SequenceProto *sp;
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  memset(&t, 0, sizeof t);
  t.dtype = DT_FLOAT;
  t.rank = 2;
  t.dims[0] = t.dims[1] = 2;
  t.data = vals;
  ck_assert_int_eq(map_write_file(path, &t, &k, "probs"), ST_OK);
  ck_assert_int_eq(file_read_all(path, &data, &n), ST_OK);
  unlink(path);
  sp = onnx__sequence_proto__unpack(NULL, n, data);
  ck_assert_ptr_nonnull(sp);
  ck_assert_str_eq(sp->name, "probs");
  ck_assert_int_eq(sp->elem_type, 4);
  ck_assert_int_eq(sp->n_map_values, 2);
  ck_assert_int_eq(sp->map_values[1]->key_type, DT_INT64);
  ck_assert_int_eq(sp->map_values[1]->n_keys, 2);
  ck_assert_int_eq(sp->map_values[1]->keys[1], -2);
  ck_assert_int_eq(sp->map_values[1]->values->n_tensor_values, 2);
  ck_assert_int_eq(sp->map_values[1]->values->tensor_values[1]->n_dims, 0);
  ck_assert_float_eq(sp->map_values[1]->values->tensor_values[1]->float_data[0], -3.5f);
  onnx__sequence_proto__free_unpacked(sp, NULL);
  free(data);
  /* a tensor whose columns are not the keys is refused */
  t.dims[1] = 1;
  ck_assert_int_eq(map_write_file("/nonexistent/x.pb", &t, &k, "probs"), ST_INTERNAL);
}
END_TEST

/* A MapProto of int64 keys {4, -1} whose values are one 1-D float tensor
 * of `n_vals` values, written to path. */
static void write_map(const char *path, float *vals, int64_t n_vals) {
  Onnx__MapProto mp = ONNX__MAP_PROTO__INIT;
  Onnx__SequenceProto sp = ONNX__SEQUENCE_PROTO__INIT;
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT, *tps[1] = {&tp};
  int64_t keys[2] = {4, -1};
  unsigned char buf[256];
  size_t n;
  tp.has_data_type = 1;
  tp.data_type = DT_FLOAT;
  tp.n_dims = 1;
  tp.dims = &n_vals;
  tp.n_float_data = (size_t)n_vals;
  tp.float_data = vals;
  sp.has_elem_type = 1;
  sp.elem_type = 1;
  sp.n_tensor_values = 1;
  sp.tensor_values = tps;
  mp.has_key_type = 1;
  mp.key_type = DT_INT64;
  mp.n_keys = 2;
  mp.keys = keys;
  mp.values = &sp;
  n = onnx__map_proto__pack(&mp, buf);
  ck_assert_int_eq(file_write_atomic(path, buf, n), ST_OK);
}

/* onnxcc run's map input: the keys and values of a MapProto file; a map
 * whose value count differs from its key count is refused. */
START_TEST(map_file_read) {
  char path[] = "/tmp/onnxcc-test-mapin-XXXXXX";
  float vals[3] = {0.5f, -2.0f, 7.0f};
  ir_tensor k, v;
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  write_map(path, vals, 2);
  ck_assert_int_eq(map_read_file(path, &k, &v), ST_OK);
  ck_assert(k.dtype == DT_INT64 && k.rank == 1 && k.dims[0] == 2 && ((int64_t *)k.data)[1] == -1);
  ck_assert(v.dtype == DT_FLOAT && v.rank == 1 && v.dims[0] == 2 && ((float *)v.data)[1] == -2.0f);
  free(k.data);
  free(v.data);
  write_map(path, vals, 3);
  ck_assert_int_eq(map_read_file(path, &k, &v), ST_BAD_MODEL);
  free(k.data);
  free(v.data);
  unlink(path);
}
END_TEST

START_TEST(dict_vectorize_kernels) {
  /* int64 keys: 99 is not in the vocabulary (skipped), y starts dirty */
  const int64_t keys[3] = {40, 99, -2}, vocab[4] = {7, -2, 40, 3};
  const float vals[3] = {1.5f, 2.5f, -3.0f}, want[4] = {0, -3.0f, 1.5f, 0};
  float y[4] = {9, 9, 9, 9};
  const void *in[3] = {keys, vals, vocab};
  void *out[1] = {y};
  rt_dict_vectorize_params p = {3, 4, 0};
  int i;
  rt_dict_vectorize_i64_f32(&p, in, out, NULL);
  for (i = 0; i < 4; i++) ck_assert_float_eq(y[i], want[i]);
  {
    /* string keys in slots of 16 bytes; double values; an empty map is all zeros */
    unsigned char k[2][16], v[3][16];
    const double dv[2] = {0.25, -8};
    double dy[3] = {5, 5, 5};
    const void *sin[3] = {k, dv, v};
    void *sout[1] = {dy};
    rt_dict_vectorize_params q = {2, 3, 16};
    rt_str_set_c(k[0], 16, "b");
    rt_str_set_c(k[1], 16, "a");
    rt_str_set_c(v[0], 16, "a");
    rt_str_set_c(v[1], 16, "ab");
    rt_str_set_c(v[2], 16, "b");
    rt_dict_vectorize_str_f64(&q, sin, sout, NULL);
    ck_assert(dy[0] == -8 && dy[1] == 0 && dy[2] == 0.25);
    q.n = 0;
    dy[0] = 5;
    rt_dict_vectorize_str_f64(&q, sin, sout, NULL);
    ck_assert(dy[0] == 0 && dy[2] == 0);
  }
}
END_TEST

START_TEST(cast_map_kernels) {
  const int64_t keys[4] = {5, 0, 3, 9};
  const float vals[4] = {1.5f, -2.75f, (float)NAN, 7.0f};
  float fy[7];
  int64_t iy[7];
  const void *in[2] = {keys, vals};
  void *fo[1] = {fy}, *io[1] = {iy};
  rt_cast_map_params dense = {4, 4, 0}, sparse = {4, 7, 1};
  /* dense: by ascending key (0, 3, 5, 9) */
  rt_cast_map_f32(&dense, in, fo, NULL);
  ck_assert_float_eq(fy[0], -2.75f);
  ck_assert(isnan(fy[1]));
  ck_assert_float_eq(fy[2], 1.5f);
  ck_assert_float_eq(fy[3], 7.0f);
  /* to int64: toward zero, NaN gives 0 */
  rt_cast_map_i64(&dense, in, io, NULL);
  ck_assert(iy[0] == -2 && iy[1] == 0 && iy[2] == 1 && iy[3] == 7);
  /* sparse: at the key, 9 is past max_map 7 and skipped, the rest 0 */
  rt_cast_map_i64(&sparse, in, io, NULL);
  ck_assert(iy[0] == -2 && iy[1] == 0 && iy[2] == 0 && iy[3] == 0 && iy[4] == 0 && iy[5] == 1 && iy[6] == 0);
}
END_TEST

/* A map graph input as load.c makes it: keys x [n] and values x.values
 * [n], n = 5, read by one node. */
static ir_graph *map_graph(const char *op, int key_dtype, int val_dtype, ir_node **node) {
  ir_graph *g = ir_new();
  int k = ir_value_get(g, "x"), v = ir_value_get(g, "x.values");
  ir_node *n;
  g->opset = 13;
  g->opset_ml = 1;
  g->values[k]->t.dtype = key_dtype;
  g->values[v]->t.dtype = val_dtype;
  g->values[k]->t.rank = g->values[v]->t.rank = 1;
  g->values[k]->t.dims[0] = g->values[v]->t.dims[0] = 5;
  g->values[k]->graph_input = 0;
  g->values[v]->graph_input = 1;
  g->values[k]->map_values = v + 1;
  g->inputs = xmalloc(2 * sizeof(int));
  g->inputs[g->n_inputs++] = k;
  g->inputs[g->n_inputs++] = v;
  g->outputs = xmalloc(sizeof(int));
  g->outputs[g->n_outputs++] = ir_value_get(g, "y");
  n = ir_node_add(g, "m", op, "ai.onnx.ml");
  n->n_in = 2;
  n->n_implicit = 1;
  n->n_out = 1;
  n->in = xmalloc(2 * sizeof(int));
  n->out = xmalloc(sizeof(int));
  n->in[0] = k;
  n->in[1] = v;
  n->out[0] = g->outputs[0];
  *node = n;
  return g;
}

START_TEST(map_readers_infer) {
  const int64_t vocab[3] = {1, 2, 3};
  ir_node *n;
  ir_graph *g = map_graph("DictVectorizer", DT_INT64, DT_DOUBLE, &n);
  const ir_tensor *y;
  int_labels(n, 3, vocab);
  free(n->attr[0].name);
  n->attr[0].name = xstrdup("int64_vocabulary");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  y = &g->values[g->outputs[0]]->t;
  ck_assert(y->dtype == DT_DOUBLE && y->rank == 2 && y->dims[0] == 1 && y->dims[1] == 3);
  ck_assert_int_eq(pass_lower(g), ST_OK);
  ck_assert_str_eq(kernel_get(g->nodes[0]->low->kernel)->name, "rt_dict_vectorize_i64_f64");
  ir_free(g);
  /* string keys against an int64 vocabulary */
  g = map_graph("DictVectorizer", DT_STRING, DT_FLOAT, &n);
  int_labels(n, 3, vocab);
  free(n->attr[0].name);
  n->attr[0].name = xstrdup("int64_vocabulary");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_BAD_MODEL);
  ir_free(g);
  /* CastMap: dense is [1, n], sparse [1, max_map]; TO_STRING refused */
  g = map_graph("CastMap", DT_INT64, DT_FLOAT, &n);
  unit_add_attr(n, "cast_to", ATTR_STRING, 0, 0, "TO_INT64");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  y = &g->values[g->outputs[0]]->t;
  ck_assert(y->dtype == DT_INT64 && y->rank == 2 && y->dims[1] == 5);
  ir_free(g);
  g = map_graph("CastMap", DT_INT64, DT_FLOAT, &n);
  unit_add_attr(n, "map_form", ATTR_STRING, 0, 0, "SPARSE");
  unit_add_attr(n, "max_map", ATTR_INT, 11, 0, NULL);
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(g->values[g->outputs[0]]->t.dims[1], 11);
  ir_free(g);
  g = map_graph("CastMap", DT_INT64, DT_FLOAT, &n);
  unit_add_attr(n, "cast_to", ATTR_STRING, 0, 0, "TO_STRING");
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_UNSUPPORTED);
  ir_free(g);
}
END_TEST

Suite *maps_suite(void) {
  Suite *s = suite_create("maps");
  TCase *tc = tcase_create("maps");
  tcase_add_test(tc, zipmap_int64_keys);
  tcase_add_test(tc, zipmap_string_keys);
  tcase_add_test(tc, zipmap_refusals);
  tcase_add_test(tc, map_file_round_trip);
  tcase_add_test(tc, map_file_read);
  tcase_add_test(tc, dict_vectorize_kernels);
  tcase_add_test(tc, cast_map_kernels);
  tcase_add_test(tc, map_readers_infer);
  suite_add_tcase(s, tc);
  return s;
}
