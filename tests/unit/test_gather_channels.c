/* gather-channels and GatherChannels: a channel shuffle of a Concat and
 * the two Slices that cut it (ShuffleNet's unit) become two gathers with
 * the shuffle's map; a shuffle whose output is read whole keeps a gather
 * of its own; a Transpose of another perm stays. The kernels copy the
 * channels the map names, in NCHW and in the blocked layout (pad lanes
 * zero, inputs whose blocks straddle the map's runs, batch 2, pieces run
 * backwards), and the layout pass blocks a gather next to convs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>
#include <onnxcc/parallel.h>

#include "../../compiler/ops/ops.h"
#include "suites.h"
#include "unit_graph.h"
#include "unit_rand.h"

#define BL RT_CONV_NCHWC_BLOCK

/* The kernels once more with the plain C copies (tests/meson.build builds
 * channels.c again with -DRT_NCHWC_PORTABLE under these names). */
RT_KERNEL(rt_gather_channels_portable);
RT_KERNEL(rt_nchwc_gather_channels_f32_portable);

/* A dispatcher that runs the pieces backwards; ctx: the most pieces one
 * call was cut into. */
static void backwards_for_tests(void *ctx, int64_t n, rt_task_fn body, void *arg) {
  int64_t i;
  if (n > *(int64_t *)ctx) *(int64_t *)ctx = n;
  for (i = n - 1; i >= 0; i--) body(arg, i);
}

static status gather_then_dce(ir_graph *g) {
  status s = pass_gather_channels(g);
  return s ? s : pass_dce(g);
}

/* A graph for units of 2 x half channels on side x side planes: inputs
 * a, b [1, half, side, side], and the constants the units read (the
 * shapes "five" and "four" of the shuffle, the Slices' "zero", "mid",
 * "end" and "axis"). */
static ir_graph *units_graph(int64_t half, int64_t side) {
  ir_graph *g = ir_new();
  const int64_t x[4] = {1, half, side, side}, five[5] = {1, 2, half, side, side};
  const int64_t four[4] = {1, 2 * half, side, side}, zero = 0, mid = half, end = 2 * half, one = 1;
  g->opset = 13;
  unit_value(g, "a", 4, x, 0);
  unit_value(g, "b", 4, x, 0);
  unit_int64s(g, "five", 5, five);
  unit_int64s(g, "four", 4, four);
  unit_int64s(g, "zero", 1, &zero);
  unit_int64s(g, "mid", 1, &mid);
  unit_int64s(g, "end", 1, &end);
  unit_int64s(g, "axis", 1, &one);
  return g;
}

/* One unit: Concat(in0, in1) -> shuffle of 2 groups (Transpose perm) ->
 * y, cut by two Slices into s0, s1; every name ends in suffix. */
static void add_unit(ir_graph *g, const char *suffix, const char *in0, const char *in1, const int64_t *perm) {
  char c[40], r[40], t[40], y[40], s0[40], s1[40];
  snprintf(c, sizeof c, "c%s", suffix);
  snprintf(r, sizeof r, "r%s", suffix);
  snprintf(t, sizeof t, "t%s", suffix);
  snprintf(y, sizeof y, "y%s", suffix);
  snprintf(s0, sizeof s0, "s0%s", suffix);
  snprintf(s1, sizeof s1, "s1%s", suffix);
  rw_set_int(unit_node(g, "Concat", c, 2, in0, in1), "axis", 1);
  unit_node(g, "Reshape", r, 2, c, "five");
  rw_set_ints(unit_node(g, "Transpose", t, 1, r), "perm", perm, 5);
  unit_node(g, "Reshape", y, 2, t, "four");
  unit_node(g, "Slice", s0, 4, y, "zero", "mid", "axis");
  unit_node(g, "Slice", s1, 4, y, "mid", "end", "axis");
}

/* a, b [1, half, 4, 4] -> Concat -> shuffle of 2 groups -> y, cut by two
 * Slices into s0, s1 (graph outputs; y too when y_out). perm is the
 * Transpose's. */
static ir_graph *shuffle_unit(int64_t half, int y_out, const int64_t *perm) {
  ir_graph *g = units_graph(half, 4);
  add_unit(g, "", "a", "b", perm);
  unit_output(g, "s0");
  unit_output(g, "s1");
  if (y_out) unit_output(g, "y");
  return g;
}

static const int64_t shuffle_perm[5] = {0, 2, 1, 3, 4};

/* Node i is a gather of a and b with these sources. */
static void check_gather(const ir_graph *g, int i, const int64_t *want, int n) {
  const ir_node *node = g->nodes[i];
  const int64_t *src, *in_ch;
  ck_assert_str_eq(node->domain, "onnxcc");
  ck_assert_int_eq(node->n_in, 2);
  ck_assert_str_eq(g->values[node->in[0]]->name, "a");
  ck_assert_str_eq(g->values[node->in[1]]->name, "b");
  ck_assert_int_eq(attr_ints(node, "in_channels", &in_ch), 2);
  ck_assert(in_ch[0] == 3 && in_ch[1] == 3);
  ck_assert_int_eq(attr_ints(node, "sources", &src), n);
  ck_assert_int_eq(memcmp(src, want, sizeof(int64_t) * (size_t)n), 0);
}

START_TEST(gather_shuffle_and_slices) {
  /* shuffled: a0 b0 a1 b1 a2 b2 (channels 0 3 1 4 2 5 of Concat(a, b)) */
  static const int64_t first[3] = {0, 3, 1}, second[3] = {4, 2, 5}, whole[6] = {0, 3, 1, 4, 2, 5};
  ir_graph *g = shuffle_unit(3, 0, shuffle_perm);
  unit_check_pass(g, gather_then_dce, "Concat,Reshape,Transpose,Reshape,Slice,Slice", "GatherChannels,GatherChannels");
  check_gather(g, 0, first, 3);
  check_gather(g, 1, second, 3);
  ck_assert_int_eq(g->values[g->nodes[0]->out[0]]->t.dims[1], 3);
  ir_free(g);
  /* y is read whole too (a graph output): its gather stays */
  g = shuffle_unit(3, 1, shuffle_perm);
  unit_check_pass(g, gather_then_dce, "Concat,Reshape,Transpose,Reshape,Slice,Slice",
                  "GatherChannels,GatherChannels,GatherChannels");
  check_gather(g, 0, whole, 6);
  check_gather(g, 2, second, 3);
  ir_free(g);
}
END_TEST

/* A Concat with an input of no channels is gathered from whole (the
 * gather's inputs each have channels). */
START_TEST(gather_of_concat_with_an_empty_input) {
  ir_graph *g = shuffle_unit(3, 0, shuffle_perm);
  const int64_t none[4] = {1, 0, 4, 4};
  ir_node *cat = g->nodes[0];
  unit_value(g, "e", 4, none, 0);
  cat->in = realloc(cat->in, sizeof(int) * 3);
  cat->in[2] = ir_find(g, "e");
  cat->n_in = 3;
  unit_check_pass(g, gather_then_dce, "Concat,Reshape,Transpose,Reshape,Slice,Slice",
                  "Concat,GatherChannels,GatherChannels");
  ck_assert_int_eq(g->nodes[1]->n_in, 1);
  ck_assert_str_eq(g->values[g->nodes[1]->in[0]]->name, "c");
  ir_free(g);
}
END_TEST

/* Gather n reads these inputs (names) with these sources, 3 channels
 * each. */
static void check_composed(const ir_graph *g, const ir_node *n, const char *const *names, int count,
                           const int64_t *want) {
  const int64_t *src, *in_ch;
  int k;
  ck_assert_int_eq(n->n_in, count);
  ck_assert_int_eq(attr_ints(n, "in_channels", &in_ch), count);
  for (k = 0; k < count; k++) {
    ck_assert_str_eq(g->values[n->in[k]]->name, names[k]);
    ck_assert_int_eq(in_ch[k], 3);
  }
  ck_assert_int_eq(attr_ints(n, "sources", &src), 3);
  ck_assert_int_eq(memcmp(src, want, sizeof(int64_t) * 3), 0);
}

/* Two units in a row, the second shuffling the first's passed-on half s0
 * with Relu(s1): the second's gathers read a, b and the Relu's output
 * themselves, and s0 is never made. Unit 1 gives s0 = a0 b0 a1, s1 = b1
 * a2 b2; unit 2 shuffles s0 and q = Relu(s1) into a0 q0 b0 | q1 a1 q2. */
START_TEST(gather_of_gathers) {
  static const char *const first_names[3] = {"a", "q", "b"}, *const second_names[2] = {"q", "a"};
  static const int64_t first[3] = {0, 3, 6}, second[3] = {1, 4, 2};
  ir_graph *g = shuffle_unit(3, 0, shuffle_perm);
  g->n_outputs = 0;
  unit_node(g, "Relu", "q", 1, "s1");
  add_unit(g, "_2", "s0", "q", shuffle_perm);
  unit_output(g, "s0_2");
  unit_output(g, "s1_2");
  unit_check_pass(g, gather_then_dce,
                  "Concat,Reshape,Transpose,Reshape,Slice,Slice,Relu,Concat,Reshape,Transpose,Reshape,Slice,Slice",
                  "GatherChannels,Relu,GatherChannels,GatherChannels");
  ck_assert_str_eq(g->values[g->nodes[0]->out[0]]->name, "s1");
  check_composed(g, g->nodes[2], first_names, 3, first);
  check_composed(g, g->nodes[3], second_names, 2, second);
  ir_free(g);
}
END_TEST

/* `units` units in a row as in gather_of_gathers (Relu between them),
 * of 128 channels: unit i shuffles s0_{i-1} with Relu(s1_{i-1}). */
static ir_graph *unit_chain(int units) {
  ir_graph *g = units_graph(64, 2);
  char suffix[16], q[16], prev0[40], prev1[40];
  int i;
  strcpy(prev0, "a");
  strcpy(prev1, "b");
  for (i = 0; i < units; i++) {
    snprintf(suffix, sizeof suffix, "_%d", i);
    if (i) {
      snprintf(q, sizeof q, "q%d", i);
      unit_node(g, "Relu", q, 1, prev1);
      strcpy(prev1, q);
    }
    add_unit(g, suffix, prev0, prev1, shuffle_perm);
    snprintf(prev0, sizeof prev0, "s0%s", suffix);
    snprintf(prev1, sizeof prev1, "s1%s", suffix);
  }
  unit_output(g, prev0);
  unit_output(g, prev1);
  return g;
}

/* Eight units: composed all the way, the last ones' gathers would read
 * 7 inputs (the halves of a, b and the Relus pass on 64, 32, ... channels);
 * a gather that would pass RT_GATHER_CHANNELS_MAX_INPUTS keeps reading
 * the passed-on half, which is then made once more. */
START_TEST(gather_of_gathers_bounded) {
  ir_graph *g = unit_chain(8);
  int i, gathers = 0, of_gather = 0;
  ck_assert_int_eq(ir_toposort(g), ST_OK);
  ck_assert_int_eq(pass_infer(g), ST_OK);
  ck_assert_int_eq(gather_then_dce(g), ST_OK);
  ck_assert_int_eq(ir_verify(g, "the pass", 1), ST_OK);
  for (i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    int k;
    if (n->op != OP_onnxcc_GatherChannels) continue;
    gathers++;
    ck_assert_int_le(n->n_in, RT_GATHER_CHANNELS_MAX_INPUTS);
    for (k = 0; k < n->n_in; k++) {
      const ir_value *v = g->values[n->in[k]];
      of_gather += v->producer >= 0 && g->nodes[v->producer]->op == OP_onnxcc_GatherChannels;
    }
  }
  /* s1 of the first 7 units, the two outputs of the last, and a few
   * halves made again (without composing: 8 of them) */
  ck_assert_int_gt(gathers, 7 + 2);
  ck_assert_int_lt(gathers, 7 + 2 + 4);
  ck_assert_int_ge(of_gather, 1);
  ir_free(g);
}
END_TEST

START_TEST(gather_leaves_other_transposes) {
  static const int64_t other[5] = {0, 1, 2, 4, 3};
  ir_graph *g = shuffle_unit(3, 0, other);
  const int64_t four[4] = {1, 6, 4, 4};
  /* the same chain with a perm that is no shuffle (its Reshape back is
   * then of [1, 2, 3, 4, 4] to [1, 6, 4, 4] all the same) */
  unit_check_pass(g, gather_then_dce, "Concat,Reshape,Transpose,Reshape,Slice,Slice",
                  "Concat,Reshape,Transpose,Reshape,Slice,Slice");
  ck_assert_int_eq(memcmp(g->values[ir_find(g, "y")]->t.dims, four, sizeof four), 0);
  ir_free(g);
}
END_TEST

/* The kernels' map: counts, then (input, channel) per output channel. */
static int32_t *make_map(const int64_t *counts, int inputs, const int32_t *pairs, int64_t channels) {
  int32_t *map = malloc(sizeof(int32_t) * (size_t)(inputs + 2 * channels));
  int k;
  for (k = 0; k < inputs; k++) map[k] = (int32_t)counts[k];
  memcpy(map + inputs, pairs, sizeof(int32_t) * (size_t)(2 * channels));
  return map;
}

/* The case: two inputs of 21 and 11 channels; Y takes 24 channels in an
 * order that crosses their blocks (lanes of one Y block from three source
 * blocks), batch 2. */
#define N_CH 24
static void gather_case(int32_t *pairs, int64_t counts[2]) {
  int64_t o;
  counts[0] = 21;
  counts[1] = 11;
  for (o = 0; o < N_CH; o++) {
    const int64_t s = (o * 7 + 3) % 32; /* a permutation of 0..31, cut to 24 */
    pairs[2 * o] = s < 21 ? 0 : 1;
    pairs[2 * o + 1] = (int32_t)(s < 21 ? s : s - 21);
  }
}

/* Runs kernel on x0, x1 with the map into y (N_CH channels, batch, inner
 * as the params say), through the backwards dispatcher of 3 tasks, and
 * asserts the copy was cut into pieces. */
static void run_gather(rt_kernel_fn kernel, int64_t batch, int64_t inner, const float *x0, const float *x1,
                       const int32_t *map, float *y) {
  const void *in[RT_MIN_ARGS] = {0};
  void *out[RT_MIN_ARGS] = {0};
  rt_gather_channels_params p;
  int64_t pieces = 0;
  rt_parallel par = {backwards_for_tests, &pieces, 3, 0};
  p.batch = batch;
  p.channels = N_CH;
  p.inner = inner;
  p.inputs = 2;
  in[0] = x0;
  in[1] = x1;
  in[2] = map;
  in[RT_PARALLEL_SLOT] = &par;
  out[0] = y;
  kernel(&p, in, out, NULL);
  ck_assert_int_ge(pieces, 2);
}

static void plain_kernel_case(rt_kernel_fn kernel) {
  int32_t pairs[2 * N_CH], *map;
  int64_t counts[2], n, o, q;
  const int64_t sp = 2000, batch = 2; /* planes of 8000 bytes: pieces of a few */
  float *x0, *x1, *y;
  gather_case(pairs, counts);
  map = make_map(counts, 2, pairs, N_CH);
  x0 = unit_rand_floats(batch * counts[0] * sp, 1);
  x1 = unit_rand_floats(batch * counts[1] * sp, 2);
  y = calloc((size_t)(batch * N_CH * sp), sizeof(float));
  run_gather(kernel, batch, sp * (int64_t)sizeof(float), x0, x1, map, y);
  for (n = 0; n < batch; n++)
    for (o = 0; o < N_CH; o++)
      for (q = 0; q < sp; q++) {
        const float *x = pairs[2 * o] ? x1 : x0;
        ck_assert(y[(n * N_CH + o) * sp + q] == x[(n * counts[pairs[2 * o]] + pairs[2 * o + 1]) * sp + q]);
      }
  free(map);
  free(x0);
  free(x1);
  free(y);
}

START_TEST(gather_plain_kernel) {
  plain_kernel_case(rt_gather_channels);
  plain_kernel_case(rt_gather_channels_portable);
}
END_TEST

/* Blocked [batch, c, sp] of pattern values: channel ch of image n at q is
 * 1000 * input + 100 * n + ch + q / 64; pad lanes -7 (finite junk). */
static float *blocked_pattern(int input, int64_t batch, int64_t c, int64_t sp) {
  const int64_t cb = (c + BL - 1) / BL;
  float *b = malloc(sizeof(float) * (size_t)(batch * cb * sp * BL));
  int64_t n, blk, q, l;
  for (n = 0; n < batch; n++)
    for (blk = 0; blk < cb; blk++)
      for (q = 0; q < sp; q++)
        for (l = 0; l < BL; l++)
          b[((n * cb + blk) * sp + q) * BL + l] =
              blk * BL + l < c ? (float)(1000 * input + 100 * n + blk * BL + l) + (float)q / 64.0f : -7.0f;
  return b;
}

static void blocked_kernel_case(rt_kernel_fn kernel) {
  int32_t pairs[2 * N_CH], *map;
  int64_t counts[2], n, o, q;
  const int64_t sp = 300, batch = 2, ob = (N_CH + BL - 1) / BL; /* two pieces of positions */
  float *x0, *x1, *y;
  gather_case(pairs, counts);
  map = make_map(counts, 2, pairs, N_CH);
  x0 = blocked_pattern(0, batch, counts[0], sp);
  x1 = blocked_pattern(1, batch, counts[1], sp);
  y = malloc(sizeof(float) * (size_t)(batch * ob * sp * BL));
  memset(y, 0xff, sizeof(float) * (size_t)(batch * ob * sp * BL)); /* NaNs: every lane must be written */
  run_gather(kernel, batch, sp, x0, x1, map, y);
  for (n = 0; n < batch; n++)
    for (o = 0; o < ob * BL; o++)
      for (q = 0; q < sp; q++) {
        const float got = y[((n * ob + o / BL) * sp + q) * BL + o % BL];
        const float want = o < N_CH ? (float)(1000 * pairs[2 * o] + 100 * n + pairs[2 * o + 1]) + (float)q / 64.0f : 0.0f;
        ck_assert(got == want);
      }
  free(map);
  free(x0);
  free(x1);
  free(y);
}

START_TEST(gather_blocked_kernel) {
  blocked_kernel_case(rt_nchwc_gather_channels_f32);
  blocked_kernel_case(rt_nchwc_gather_channels_f32_portable);
}
END_TEST

/* The unit between convs (40 + 40 channels): x -> Conv -> a, x -> Conv -> b, shuffle of
 * Concat(a, b), Slices; each slice -> Conv (or Relu, an NCHW reader). */
static ir_graph *convs_around(int conv_after) {
  ir_graph *g = shuffle_unit(40, 0, shuffle_perm);
  const int64_t x[4] = {1, 32, 4, 4}, w[4] = {40, 32, 1, 1}, w2[4] = {40, 40, 1, 1};
  ir_node *n;
  int i;
  /* a and b become conv outputs of a new input x */
  for (i = 0; i < g->n_inputs; i++) g->values[g->inputs[i]]->graph_input = -1;
  g->n_inputs = 0;
  unit_value(g, "x", 4, x, 0);
  unit_value(g, "wa", 4, w, 1);
  unit_value(g, "wb", 4, w, 1);
  unit_value(g, "w2", 4, w2, 1);
  n = unit_node(g, "Conv", "a", 2, "x", "wa");
  (void)n;
  unit_node(g, "Conv", "b", 2, "x", "wb");
  if (conv_after) {
    unit_node(g, "Conv", "z0", 2, "s0", "w2");
    unit_node(g, "Conv", "z1", 2, "s1", "w2");
  } else {
    unit_node(g, "Relu", "z0", 1, "s0");
    unit_node(g, "Relu", "z1", 1, "s1");
  }
  g->n_outputs = 0;
  unit_output(g, "z0");
  unit_output(g, "z1");
  return g;
}

static status gather_then_layout(ir_graph *g) {
  status s = gather_then_dce(g);
  return s ? s : pass_layout_nchwc(g);
}

START_TEST(gather_blocked_between_convs) {
  ir_graph *g = convs_around(1);
  unit_check_pass(g, gather_then_layout, "Concat,Reshape,Transpose,Reshape,Slice,Slice,Conv,Conv,Conv,Conv",
                  "ToBlocked,BlockedConv,BlockedConv,GatherChannels,GatherChannels,BlockedConv,FromBlocked,"
                  "BlockedConv,FromBlocked");
  ck_assert_int_eq(attr_int(g->nodes[3], "blocked", 0), 1);
  ck_assert_int_eq(g->values[g->nodes[3]->out[0]]->t.rank, 5);
  ck_assert_int_eq(g->values[g->nodes[3]->out[0]]->t.dims[1], 3); /* 40 channels in 3 blocks */
  ir_free(g);
  /* read by Relus: blocked all the same (its inputs are), each followed
   * by a FromBlocked; the Relus, whose producers are no convs, stay NCHW */
  g = convs_around(0);
  unit_check_pass(g, gather_then_layout, "Concat,Reshape,Transpose,Reshape,Slice,Slice,Conv,Conv,Relu,Relu",
                  "ToBlocked,BlockedConv,BlockedConv,GatherChannels,FromBlocked,GatherChannels,FromBlocked,Relu,Relu");
  ck_assert_int_eq(attr_int(g->nodes[3], "blocked", 0), 1);
  ir_free(g);
  /* of graph inputs, read by an activation: no layout change at all
   * (shuffle_mix's; an activation is blocked after a conv, not after a
   * gather) */
  g = shuffle_unit(3, 0, shuffle_perm);
  unit_node(g, "Sigmoid", "z", 1, "s0");
  unit_output(g, "z");
  unit_check_pass(g, gather_then_layout, "Concat,Reshape,Transpose,Reshape,Slice,Slice,Sigmoid",
                  "GatherChannels,GatherChannels,Sigmoid");
  ir_free(g);
}
END_TEST

Suite *gather_channels_suite(void) {
  Suite *s = suite_create("gather_channels");
  TCase *tc = tcase_create("gather_channels");
  tcase_add_test(tc, gather_shuffle_and_slices);
  tcase_add_test(tc, gather_of_concat_with_an_empty_input);
  tcase_add_test(tc, gather_of_gathers);
  tcase_add_test(tc, gather_of_gathers_bounded);
  tcase_add_test(tc, gather_leaves_other_transposes);
  tcase_add_test(tc, gather_plain_kernel);
  tcase_add_test(tc, gather_blocked_kernel);
  tcase_add_test(tc, gather_blocked_between_convs);
  suite_add_tcase(s, tc);
  return s;
}
