/* LinearAttention (linear_attention.h).
 *
 * The state of each (batch, key/value head) pair is independent of the
 * others, so the kernel runs the whole token recurrence for one pair at a
 * time, with its state (dk x dv, row d for key dim d) in present_state. */
#include <math.h>
#include <string.h>

#include "index_internal.h"
#include "onnxcc/kernels/linear_attention.h"

/* One (batch, key/value head) pair: where its first token's rows start in
 * each tensor (q and o at the row's start, the others at the head's part). */
typedef struct la_head {
  const float *q, *k, *v, *decay, *beta;
  float *o;
  int64_t kvh; /* the key/value head */
} la_head;

/* The length of one token's row in each tensor. */
typedef struct la_rows {
  int64_t q, k, v, o, decay, beta;
} la_rows;

static la_rows la_rows_of(const rt_linear_attention_params *p) {
  la_rows r;
  r.q = p->hq * p->dk;
  r.k = p->hkv * p->dk;
  r.v = p->hkv * p->dv;
  r.o = p->hq * p->dv;
  r.decay = p->decay_per_key ? r.k : p->hkv;
  r.beta = p->beta_per_head ? p->hkv : 1;
  return r;
}

/* S[d, :] *= exp(g[d]), g one value per key dim or one for the head. */
static void la_decay(const rt_linear_attention_params *p, const float *g, float *s) {
  int64_t d, m;
  for (d = 0; d < p->dk; d++) {
    const float f = expf(p->decay_per_key ? g[d] : g[0]);
    for (m = 0; m < p->dv; m++) s[d * p->dv + m] *= f;
  }
}

/* u = b * (v - S^T k): the part of v the state does not yet give for k. */
static void la_delta(const rt_linear_attention_params *p, const float *s, const float *k, const float *v, float b,
                     float *u) {
  int64_t d, m;
  for (m = 0; m < p->dv; m++) {
    float r = 0.0f;
    for (d = 0; d < p->dk; d++) r += s[d * p->dv + m] * k[d];
    u[m] = b * (v[m] - r);
  }
}

/* o[m] = scale * sum_d q[d] S[d, m]. */
static void la_read(const rt_linear_attention_params *p, const float *s, const float *q, float *o) {
  int64_t d, m;
  for (m = 0; m < p->dv; m++) {
    float r = 0.0f;
    for (d = 0; d < p->dk; d++) r += q[d] * s[d * p->dv + m];
    o[m] = p->scale * r;
  }
}

/* Runs the recurrence of one pair over its t tokens; u is dv floats. */
static void la_run_head(const rt_linear_attention_params *p, const la_head *h, float *s, float *u) {
  const int64_t group = RT_IDIV(p->hq, p->hkv);
  const la_rows r = la_rows_of(p);
  int64_t i, j, d, m;
  for (i = 0; i < p->t; i++) {
    const float *k = h->k + i * r.k, *v = h->v + i * r.v;
    if (h->decay) la_decay(p, h->decay + i * r.decay, s);
    if (h->beta) {
      la_delta(p, s, k, v, h->beta[i * r.beta], u);
      v = u;
    }
    for (d = 0; d < p->dk; d++)
      for (m = 0; m < p->dv; m++) s[d * p->dv + m] += k[d] * v[m];
    for (j = 0; j < group; j++) {
      const int64_t qh = h->kvh * group + j;
      la_read(p, s, h->q + i * r.q + qh * p->dk, h->o + i * r.o + qh * p->dv);
    }
  }
}

RT_KERNEL(rt_linear_attention_f32) {
  const rt_linear_attention_params *p = (const rt_linear_attention_params *)params;
  const int64_t hsize = p->dk * p->dv, n = p->batch * p->hkv * hsize;
  const la_rows r = la_rows_of(p);
  float *u = (float *)scratch, *state = out[1] ? (float *)out[1] : u + p->dv;
  const float *past = (const float *)in[3];
  int64_t b, kvh;
  if (!past) memset(state, 0, sizeof(float) * (size_t)n);
  else if (past != state) memcpy(state, past, sizeof(float) * (size_t)n);
  for (b = 0; b < p->batch; b++)
    for (kvh = 0; kvh < p->hkv; kvh++) {
      la_head h;
      const int64_t tok = b * p->t; /* the pair's first token */
      h.q = (const float *)in[0] + tok * r.q;
      h.k = (const float *)in[1] + tok * r.k + kvh * p->dk;
      h.v = (const float *)in[2] + tok * r.v + kvh * p->dv;
      h.decay = in[4] ? (const float *)in[4] + tok * r.decay + (p->decay_per_key ? kvh * p->dk : kvh) : NULL;
      h.beta = in[5] ? (const float *)in[5] + tok * r.beta + (p->beta_per_head ? kvh : 0) : NULL;
      h.o = (float *)out[0] + tok * r.o;
      h.kvh = kvh;
      la_run_head(p, &h, state + (b * p->hkv + kvh) * hsize, u);
    }
}
