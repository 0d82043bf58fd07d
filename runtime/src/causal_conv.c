/* CausalConvWithState (causal_conv.h).
 *
 * The line state ++ x is never built: position q of it is the state's
 * q-th value below k - 1 and x's (q - (k - 1))-th from there on. */

#include "onnxcc/kernels/causal_conv.h"
#include "vmath_internal.h"

/* Position q of one channel's line: past (k - 1 values, NULL: zeros),
 * then x. */
static float cc_at(const rt_causal_conv_params *p, const float *past, const float *x, int64_t q) {
  if (q >= p->k - 1) return x[q - (p->k - 1)];
  return past ? past[q] : 0.0f;
}

/* One channel: y from its line, and the line's last k - 1 values into
 * present when wanted. */
static void cc_channel(const rt_causal_conv_params *p, const float *past, const float *x, const float *w, float bias,
                       float *y, float *present) {
  int64_t i, j;
  for (i = 0; i < p->len; i++) {
    float acc = bias;
    for (j = 0; j < p->k; j++) acc += w[j] * cc_at(p, past, x, i + j);
    y[i] = p->silu ? acc * rt_vsigmoidf(acc) : acc;
  }
  if (present)
    for (i = 0; i < p->k - 1; i++) present[i] = cc_at(p, past, x, p->len + i);
}

RT_KERNEL(rt_causal_conv_f32) {
  const rt_causal_conv_params *p = (const rt_causal_conv_params *)params;
  const float *w = (const float *)in[1], *bias = (const float *)in[2], *past = (const float *)in[3];
  const int64_t ks = p->k - 1; /* the carried length */
  int64_t b, c;
  (void)scratch;
  for (b = 0; b < p->batch; b++)
    for (c = 0; c < p->channels; c++) {
      const int64_t line = b * p->channels + c;
      cc_channel(p, past ? past + line * ks : NULL, (const float *)in[0] + line * p->len, w + c * p->k,
                 bias ? bias[c] : 0.0f, (float *)out[0] + line * p->len,
                 out[1] ? (float *)out[1] + line * ks : NULL);
    }
}
