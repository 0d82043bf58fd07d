/* The branch-free float functions of vmath_internal.h and the GELU forms
 * of act_internal.h against libm in double, over a sweep of the whole
 * float range (every 4099th bit pattern, both signs, denormals and the
 * largest values included) plus the edge values: the largest error in
 * units in the last place of the correctly rounded result is asserted. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../runtime/src/act_internal.h"
#include "../../runtime/src/epilogue_internal.h"
#include "suites.h"

/* One unit in the last place of a float near r (denormals: the smallest). */
static double ulp_of(double r) {
  int e;
  if (fabs(r) < FLT_MIN) return ldexp(1, -149);
  frexp(fabs(r), &e);
  return ldexp(1, e - 24);
}

typedef struct {
  double ulp;  /* the largest error in ulp where the result is normal */
  double tiny; /* the largest absolute error where it is below FLT_MIN */
} sweep_err;

/* The error of f against ref over the sweep. scale_by_x: measure in ulp
 * of the larger of ref and x (GELU is x times a factor near 0 for large
 * negative x, where the formula itself cancels: libm's version too). */
static sweep_err sweep(float (*f)(float), double (*ref)(double), int scale_by_x) {
  sweep_err w = {0, 0};
  uint64_t i;
  for (i = 0; i < 0x100000000ull; i += 4099) {
    const uint32_t bits = (uint32_t)i;
    float x;
    double r, u;
    memcpy(&x, &bits, sizeof x);
    if (isnan(x)) continue;
    r = ref(x);
    if (fabs(r) > FLT_MAX) continue; /* overflows: the edge tests check it */
    if (fabs(r) < FLT_MIN) {
      if (fabs(f(x) - r) > w.tiny) w.tiny = fabs(f(x) - r);
      continue;
    }
    u = ulp_of(r);
    if (scale_by_x && ulp_of(x) > u) u = ulp_of(x);
    if (fabs(f(x) - r) / u > w.ulp) w.ulp = fabs(f(x) - r) / u;
  }
  return w;
}

static float v_exp(float x) { return rt_vexpf(x); }
static float v_sigmoid(float x) { return rt_vsigmoidf(x); }
static float v_tanh(float x) { return rt_vtanhf(x); }
static float v_erf(float x) { return rt_verff(x); }
static float v_gelu(float x) { return rt_act_gelu_f32(x); }
static float v_gelu_tanh(float x) { return rt_act_gelu_tanh_f32(x); }
/* The array loop the Sigmoid, Tanh and SiLU kernels and the fused
 * epilogue run (hand-vectorized where the build targets AVX-512), one
 * element at a time: the masked tail of the vector code. */
static float array_act1(int32_t act, float x) {
  float y;
  rt_act_apply_f32(act, 0.0f, 0.0f, &y, &x, NULL, 1);
  return y;
}
static float a_sigmoid(float x) { return array_act1(RT_ACT_SIGMOID, x); }
static float a_tanh(float x) { return array_act1(RT_ACT_TANH, x); }
static double d_sigmoid(double x) { return 1 / (1 + exp(-x)); }
static double d_gelu(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }
static double d_gelu_tanh(double x) { return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }

/* Bit-for-bit equality, so -0 differs from +0 and NaN equals NaN. */
static int same(float a, float b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

/* Values every function must get exactly: f(x) == want. */
static void check_edges(float (*f)(float), const float *x, const float *want, int n) {
  int i;
  for (i = 0; i < n; i++) ck_assert_msg(same(f(x[i]), want[i]), "f(%g) = %g, want %g", x[i], f(x[i]), want[i]);
}

START_TEST(vexp_ulp) {
  const float x[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 89.0f, 1e-45f, -1e-45f};
  const float want[] = {1, 1, INFINITY, 0, NAN, INFINITY, 1, 1};
  const sweep_err w = sweep(v_exp, exp, 0);
  ck_assert_msg(w.ulp < 2.0, "exp: %g ulp", w.ulp);
  /* from e^-87.34 (the smallest normal) down to e^-104 (where float
   * underflows to 0) it gives about 1.2e-38 */
  ck_assert_msg(w.tiny < 1.2e-38, "exp: %g below FLT_MIN", w.tiny);
  ck_assert(rt_vexpf(-200.0f) >= 0 && rt_vexpf(-200.0f) < 1.2e-38f);
  check_edges(v_exp, x, want, 8);
}
END_TEST

START_TEST(vsigmoid_ulp) {
  const float x[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 100.0f, -200.0f};
  const float want[] = {0.5f, 0.5f, 1, 0, NAN, 1, 0};
  float (*const f[2])(float) = {v_sigmoid, a_sigmoid};
  int k;
  for (k = 0; k < 2; k++) {
    const sweep_err w = sweep(f[k], d_sigmoid, 0);
    ck_assert_msg(w.ulp < 3.0, "sigmoid %s: %g ulp", k ? "array" : "scalar", w.ulp);
    ck_assert_msg(w.tiny < 3e-39, "sigmoid %s: %g below FLT_MIN", k ? "array" : "scalar", w.tiny);
    check_edges(f[k], x, want, 7);
  }
}
END_TEST

START_TEST(vtanh_ulp) {
  const float x[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 50.0f, -50.0f, 1e-45f, -1e-40f};
  const float want[] = {0.0f, -0.0f, 1, -1, NAN, 1, -1, 1e-45f, -1e-40f};
  float (*const f[2])(float) = {v_tanh, a_tanh};
  int k;
  for (k = 0; k < 2; k++) {
    const sweep_err w = sweep(f[k], tanh, 0);
    ck_assert_msg(w.ulp < 2.0, "tanh %s: %g ulp", k ? "array" : "scalar", w.ulp);
    ck_assert_msg(w.tiny == 0, "tanh %s: %g on denormals", k ? "array" : "scalar", w.tiny);
    check_edges(f[k], x, want, 9);
  }
}
END_TEST

START_TEST(verf_ulp) {
  const float x[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 4.0f, -10.0f, 1e30f};
  const float want[] = {0.0f, -0.0f, 1, -1, NAN, 1, -1, 1};
  const sweep_err w = sweep(v_erf, erf, 0);
  ck_assert_msg(w.ulp < 3.0, "erf: %g ulp", w.ulp);
  /* a denormal x: erf(x) = 2x/sqrt(pi), within one denormal step */
  ck_assert_msg(w.tiny <= ldexp(1, -149), "erf: %g on denormals", w.tiny);
  check_edges(v_erf, x, want, 8);
  /* both sides of the switch between the two approximations */
  ck_assert(fabs(rt_verff(nextafterf(1.0f, 0.0f)) - erf(nextafterf(1.0f, 0.0f))) < 2 * ulp_of(0.8427));
  ck_assert(fabs(rt_verff(1.0f) - erf(1.0)) < 2 * ulp_of(0.8427));
}
END_TEST

START_TEST(gelu_ulp) {
  const float x[] = {0.0f, -0.0f, INFINITY, NAN, -100.0f};
  const float want[] = {0.0f, -0.0f, INFINITY, NAN, -0.0f};
  sweep_err w = sweep(v_gelu, d_gelu, 1);
  ck_assert_msg(w.ulp < 3.0, "gelu: %g ulp", w.ulp);
  check_edges(v_gelu, x, want, 5);
  w = sweep(v_gelu_tanh, d_gelu_tanh, 1);
  ck_assert_msg(w.ulp < 3.0, "gelu tanh: %g ulp", w.ulp);
  check_edges(v_gelu_tanh, x, want, 5);
}
END_TEST

/* The array loop over whole vectors and a masked tail, with and without
 * a residual, gives each element what it gives that element alone (so
 * tile sizes never change a result), and SiLU is x times the sigmoid. */
START_TEST(array_tails_and_residual) {
  const int32_t acts[3] = {RT_ACT_SIGMOID, RT_ACT_TANH, RT_ACT_SILU};
  float x[37], r[37], y[37], yr[37];
  int i, k;
  for (i = 0; i < 37; i++) {
    x[i] = (float)(i - 18) * 0.37f;
    r[i] = (float)(i % 5) * 0.25f - 0.5f;
  }
  for (k = 0; k < 3; k++) {
    rt_act_apply_f32(acts[k], 0.0f, 0.0f, y, x, NULL, 37);
    rt_act_apply_f32(acts[k], 0.0f, 0.0f, yr, x, r, 37);
    for (i = 0; i < 37; i++) {
      const float sum = x[i] + r[i];
      ck_assert(same(y[i], array_act1(acts[k], x[i])));
      ck_assert(same(yr[i], array_act1(acts[k], sum)));
      if (acts[k] == RT_ACT_SILU) ck_assert(same(y[i], x[i] * a_sigmoid(x[i])));
    }
  }
  /* in place, as the epilogue calls it */
  memcpy(y, x, sizeof x);
  rt_act_apply_f32(RT_ACT_SIGMOID, 0.0f, 0.0f, y, y, NULL, 37);
  for (i = 0; i < 37; i++) ck_assert(same(y[i], a_sigmoid(x[i])));
}
END_TEST

Suite *vmath_suite(void) {
  Suite *s = suite_create("vmath");
  TCase *tc = tcase_create("ulp");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, vexp_ulp);
  tcase_add_test(tc, vsigmoid_ulp);
  tcase_add_test(tc, vtanh_ulp);
  tcase_add_test(tc, verf_ulp);
  tcase_add_test(tc, gelu_ulp);
  tcase_add_test(tc, array_tails_and_residual);
  suite_add_tcase(s, tc);
  return s;
}
