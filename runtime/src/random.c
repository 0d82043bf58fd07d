/* Random numbers from a counter-based generator (random.h).
 *
 * Each value depends only on the key and its index, so a kernel holds no
 * state between calls and draws in any order. Values are computed in
 * double and rounded once to the element type. */
#include <math.h>

#include "onnxcc/kernels/random.h"
#include "half_internal.h"

#define GOLDEN 0x9E3779B97F4A7C15ull

/* splitmix64's output function: a bijection of 64-bit values whose output
 * bits each depend on every input bit. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* The stream of a key: mixed once, so that keys 1 and 2 are not one
 * stream shifted by a step. */
static uint64_t stream_of(int64_t key) { return mix64((uint64_t)key); }

/* Draw i of a stream: splitmix64's (i + 1)-th output from that state. */
static uint64_t draw(uint64_t stream, uint64_t i) { return mix64(stream + (i + 1) * GOLDEN); }

/* Uniforms in [0, 1) from the top 24 or 53 bits: every value a multiple
 * of 2^-24 or 2^-53, each as likely. */
static double unit24(uint64_t r) { return (double)(r >> 40) * (1.0 / 16777216.0); }
static double unit53(uint64_t r) { return (double)(r >> 11) * (1.0 / 9007199254740992.0); }

/* Per floating type: the C type, a double to it, it to a double, and the
 * uniform of its precision. */
#define TO_f32(v) ((float)(v))
#define TO_f64(v) (v)
#define TO_f16(v) float_to_half((float)(v))
#define TO_bf16(v) float_to_bf16((float)(v))
#define FROM_f32(v) ((double)(v))
#define FROM_f64(v) (v)
#define FROM_f16(v) ((double)half_to_float(v))
#define FROM_bf16(v) ((double)bf16_to_float(v))
#define UNIT_f32 unit24
#define UNIT_f64 unit53
#define UNIT_f16 unit24
#define UNIT_bf16 unit24
#define CT_f32 float
#define CT_f64 double
#define CT_f16 uint16_t
#define CT_bf16 uint16_t

/* ---- RandomUniform(Like), RandomNormal(Like) ---- */

static double normal01(uint64_t stream, int64_t i, double (*unit)(uint64_t)) {
  const double two_pi = 6.283185307179586476925286766559;
  /* 1 - u lies in (0, 1]: the log is finite */
  double u1 = unit(draw(stream, 2 * (uint64_t)i)), u2 = unit(draw(stream, 2 * (uint64_t)i + 1));
  return sqrt(-2.0 * log(1.0 - u1)) * cos(two_pi * u2);
}

#define GENERATE(K, a_, t)                                                   \
  RT_KERNEL(rt_random_uniform_##t) {                                         \
    const rt_random_params *p = (const rt_random_params *)params;            \
    CT_##t *y = (CT_##t *)out[0];                                            \
    const uint64_t stream = stream_of(p->key);                               \
    const double lo = (double)p->a, width = (double)p->b - (double)p->a;     \
    int64_t i;                                                               \
    (void)in;                                                                \
    (void)scratch;                                                           \
    for (i = 0; i < p->count; i++) y[i] = TO_##t(lo + width * UNIT_##t(draw(stream, (uint64_t)i))); \
  }                                                                          \
  RT_KERNEL(rt_random_normal_##t) {                                          \
    const rt_random_params *p = (const rt_random_params *)params;            \
    CT_##t *y = (CT_##t *)out[0];                                            \
    const uint64_t stream = stream_of(p->key);                               \
    int64_t i;                                                               \
    (void)in;                                                                \
    (void)scratch;                                                           \
    for (i = 0; i < p->count; i++) y[i] = TO_##t((double)p->a + (double)p->b * normal01(stream, i, UNIT_##t)); \
  }
RT_RANDOM_FLOATS_(GENERATE, _, _)

/* ---- Dropout (training) ---- */

static void report(void *const *out, int status) {
  if (out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = status;
}

#define DROPOUT(K, a_, t)                                                                     \
  RT_KERNEL(rt_dropout_train_##t) {                                                           \
    const rt_dropout_train_params *p = (const rt_dropout_train_params *)params;               \
    const CT_##t *x = (const CT_##t *)in[0];                                                  \
    CT_##t *y = (CT_##t *)out[0];                                                             \
    uint8_t *mask = (uint8_t *)out[1];                                                        \
    const double ratio = p->ratio_input ? FROM_##t(*(const CT_##t *)in[1]) : (double)p->ratio; \
    const int training = *(const uint8_t *)in[2] != 0;                                        \
    const uint64_t stream = stream_of(p->key);                                                \
    double scale;                                                                             \
    int64_t i;                                                                                \
    (void)scratch;                                                                            \
    if (!(ratio >= 0.0 && ratio < 1.0)) { /* NaN too */                                       \
      report(out, RT_ERR_VALUE);                                                              \
      return;                                                                                 \
    }                                                                                         \
    /* not training, or ratio 0: every element kept, scaled by exactly 1 */                   \
    scale = training ? 1.0 / (1.0 - ratio) : 1.0;                                             \
    for (i = 0; i < p->count; i++) {                                                          \
      int keep = !training || UNIT_##t(draw(stream, (uint64_t)i)) >= ratio;                   \
      y[i] = keep ? TO_##t(FROM_##t(x[i]) * scale) : TO_##t(0.0);                             \
      if (mask) mask[i] = (uint8_t)keep;                                                      \
    }                                                                                         \
  }
RT_RANDOM_FLOATS_(DROPOUT, _, _)

/* ---- Bernoulli ---- */

/* Per output type: the C type and its 0 and 1 (the 16-bit floats as bit
 * patterns). */
#define OUT_f32 float, 1.0f, 0.0f
#define OUT_f64 double, 1.0, 0.0
#define OUT_f16 uint16_t, 0x3C00u, 0u
#define OUT_bf16 uint16_t, 0x3F80u, 0u
#define OUT_bool uint8_t, 1, 0
#define OUT_i8 int8_t, 1, 0
#define OUT_i16 int16_t, 1, 0
#define OUT_i32 int32_t, 1, 0
#define OUT_i64 int64_t, 1, 0
#define OUT_u8 uint8_t, 1, 0
#define OUT_u16 uint16_t, 1, 0
#define OUT_u32 uint32_t, 1, 0
#define OUT_u64 uint64_t, 1, 0

#define BERNOULLI_BODY(pt, t, OT, ONE, ZERO)                                      \
  RT_KERNEL(rt_bernoulli_##pt##_##t) {                                            \
    const rt_random_params *p = (const rt_random_params *)params;                 \
    const CT_##pt *prob = (const CT_##pt *)in[0];                                 \
    OT *y = (OT *)out[0];                                                         \
    const uint64_t stream = stream_of(p->key);                                    \
    int64_t i;                                                                    \
    (void)scratch;                                                                \
    for (i = 0; i < p->count; i++)                                                \
      y[i] = UNIT_##pt(draw(stream, (uint64_t)i)) < FROM_##pt(prob[i]) ? (OT)ONE : (OT)ZERO; \
  }
/* one more step, so that OUT_t is expanded into its three arguments */
#define BERNOULLI_EXPAND(pt, t, ...) BERNOULLI_BODY(pt, t, __VA_ARGS__)
#define BERNOULLI(K, pt, t) BERNOULLI_EXPAND(pt, t, OUT_##t)
#define BERNOULLI_IN(K, a_, pt) RT_RANDOM_BERNOULLI_OUTS_(BERNOULLI, _, pt)
RT_RANDOM_FLOATS_(BERNOULLI_IN, _, _)

/* ---- Multinomial ---- */

/* The first class whose running sum exceeds target (cum ascending), or the
 * last class when none does (a NaN or zero total). */
static int64_t first_above(const double *cum, int64_t n, double target) {
  int64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

#define MULTINOMIAL_ONE(pt, t, OT)                                                         \
  RT_KERNEL(rt_multinomial_##pt##_##t) {                                                   \
    const rt_multinomial_params *p = (const rt_multinomial_params *)params;                \
    const CT_##pt *x = (const CT_##pt *)in[0];                                             \
    OT *y = (OT *)out[0];                                                                  \
    double *cum = (double *)scratch;                                                       \
    const uint64_t stream = stream_of(p->key);                                             \
    int64_t r, j, s;                                                                       \
    if (p->classes < 1) return;                                                            \
    for (r = 0; r < p->batch; r++) {                                                       \
      const CT_##pt *row = x + r * p->classes;                                             \
      double top = FROM_##pt(row[0]), total = 0.0;                                         \
      for (j = 1; j < p->classes; j++)                                                     \
        if (FROM_##pt(row[j]) > top) top = FROM_##pt(row[j]);                              \
      /* weights relative to the largest, so that exp cannot overflow */                  \
      for (j = 0; j < p->classes; j++) cum[j] = total += exp(FROM_##pt(row[j]) - top);     \
      for (s = 0; s < p->samples; s++) {                                                   \
        double u = UNIT_##pt(draw(stream, (uint64_t)(r * p->samples + s)));                \
        y[r * p->samples + s] = (OT)first_above(cum, p->classes, u * total);               \
      }                                                                                    \
    }                                                                                      \
  }
#define MULTINOMIAL(K, a_, pt) MULTINOMIAL_ONE(pt, i32, int32_t) MULTINOMIAL_ONE(pt, i64, int64_t)
RT_RANDOM_FLOATS_(MULTINOMIAL, _, _)
