/* Scaled dot-product attention (attention.h).
 *
 * The order of operations follows the ONNX reference, so that masked and
 * fully-masked rows give what the conformance data holds: Q and K are
 * each scaled by sqrt(scale) before their product (what the spec advises
 * against overflow), softcap comes before the bias (so a -inf mask stays
 * -inf), and a row is "fully masked" by its bias alone, whatever its
 * scores are (a +inf score on a masked key must not revive it). */
#include <math.h>
#include <string.h>

#include "index_internal.h"
#include "onnxcc/kernels/attention.h"

/* Element offset of row (b, h, s) of a tensor addressed by strides. */
static int64_t attn_at(const int64_t *strides, int64_t b, int64_t h, int64_t s) {
  return b * strides[0] + h * strides[1] + s * strides[2];
}

/* Key or value row j of head kvh in batch b: past rows first (4-D,
 * contiguous), then the node's own rows (through strides). */
static const unsigned char *attn_kv_row(const rt_attention_params *p, const void *past, const void *x,
                                        const int64_t *strides, int64_t size, size_t esize, int64_t b,
                                        int64_t kvh, int64_t j) {
  if (j < p->past_seq)
    return (const unsigned char *)past + (size_t)(((b * p->kv_heads + kvh) * p->past_seq + j) * size) * esize;
  return (const unsigned char *)x + (size_t)attn_at(strides, b, kvh, j - p->past_seq) * esize;
}

/* present = past rows then new rows, [batch, kv_heads, total_seq, size]. */
static void attn_present(const rt_attention_params *p, const void *past, const void *x, const int64_t *strides,
                         int64_t size, size_t esize, void *present) {
  const int64_t total = p->past_seq + p->kv_seq;
  unsigned char *dst = (unsigned char *)present;
  int64_t b, h, j;
  for (b = 0; b < p->batch; b++)
    for (h = 0; h < p->kv_heads; h++)
      for (j = 0; j < total; j++) {
        memcpy(dst, attn_kv_row(p, past, x, strides, size, esize, b, h, j), (size_t)size * esize);
        dst += (size_t)size * esize;
      }
}

/* Where the causal frontier and the window sit for batch b: the keys
 * before the query block (past rows, or the valid keys of an external
 * cache beyond the queries). */
static int64_t attn_offset(const rt_attention_params *p, const void *const *in, int64_t b) {
  const int64_t *nonpad = (const int64_t *)in[6];
  if (!in[4] && nonpad) return nonpad[b] - p->q_seq;
  return p->past_seq;
}

/* Whether the causal frontier, the window or the padding of batch b shut
 * key j off for query row i (-inf in the bias; the reference adds one -inf
 * per rule, and a second -inf changes nothing the first did not). */
static int attn_blocked(const rt_attention_params *p, const int64_t *nonpad, int64_t b, int64_t i, int64_t j,
                        int64_t offset) {
  const int64_t pos = i + offset;
  return (p->is_causal && j > pos) || (p->left_window >= 0 && pos - j > p->left_window) ||
         (p->right_window >= 0 && j - pos > p->right_window) || (nonpad && j >= nonpad[b]);
}

/* Per element type: the scaled query row, one score, the softmax and the
 * weighted sum of value rows. */
#define ATTN_TYPED(t, T, SQRT, EXP, TANH)                                                                  \
  static T attn_scale_##t(const rt_attention_params *p) {                                                  \
    return p->default_scale ? SQRT((T)1 / SQRT((T)p->head_size)) : SQRT((T)p->scale);                      \
  }                                                                                                        \
  /* (q * s) . (k * s), then the softcap */                                                                \
  static T attn_score_##t(const rt_attention_params *p, const T *q, const T *k, T s) {                     \
    T acc = 0;                                                                                             \
    int64_t d;                                                                                             \
    for (d = 0; d < p->head_size; d++) acc += q[d] * (k[d] * s);                                           \
    if (p->softcap > 0) acc = (T)p->softcap * TANH(acc / (T)p->softcap);                                   \
    return acc;                                                                                            \
  }                                                                                                        \
  /* A NaN anywhere makes the maximum NaN (and the row NaN), as numpy's max */                             \
  static void attn_softmax_##t(T *x, int64_t n, int fully_masked) {                                        \
    T m = n > 0 ? x[0] : 0, sum = 0;                                                                       \
    int64_t j;                                                                                             \
    if (fully_masked) {                                                                                    \
      for (j = 0; j < n; j++) x[j] = 0;                                                                    \
      return;                                                                                              \
    }                                                                                                      \
    for (j = 1; j < n; j++)                                                                                \
      if (x[j] > m || x[j] != x[j]) m = x[j];                                                              \
    if (m == -(T)INFINITY) m = 0; /* every score -inf: zeros, not NaN */                                   \
    for (j = 0; j < n; j++) sum += x[j] = EXP(x[j] - m);                                                   \
    if (sum == 0) sum = 1;                                                                                 \
    for (j = 0; j < n; j++) x[j] /= sum;                                                                   \
  }                                                                                                        \
  static void attn_mix_##t(const rt_attention_params *p, const void *const *in, const T *prob, int64_t b,    \
                           int64_t kvh, T *y) {                                                            \
    const int64_t total = p->past_seq + p->kv_seq;                                                         \
    int64_t j, d;                                                                                          \
    for (d = 0; d < p->v_head_size; d++) y[d] = 0;                                                         \
    for (j = 0; j < total; j++) {                                                                          \
      const T *v = (const T *)attn_kv_row(p, in[5], in[2], p->v_strides, p->v_head_size, sizeof(T), b, kvh, \
                                          j);                                                              \
      for (d = 0; d < p->v_head_size; d++) y[d] += prob[j] * v[d];                                         \
    }                                                                                                      \
  }

ATTN_TYPED(f32, float, sqrtf, expf, tanhf)
ATTN_TYPED(f64, double, sqrt, exp, tanh)

/* The kernel of element type T with a mask of type MT, whose element
 * MASK_BIAS turns into a bias. x holds the row's score + bias, then its
 * probabilities; qk the row of qk_matmul_output, or NULL. */
#define ATTN_KERNEL(name, t, T, MT, MASK_BIAS)                                                              \
  static T attn_bias_##name(const rt_attention_params *p, const void *const *in, int64_t b, int64_t h,       \
                            int64_t i, int64_t j, int64_t offset) {                                         \
    const MT *mask = (const MT *)in[3];                                                                      \
    T bias = 0;                                                                                             \
    if (mask)                                                                                               \
      bias = j < p->mask_len ? MASK_BIAS(mask[b * p->mask_strides[0] + h * p->mask_strides[1] +              \
                                              i * p->mask_strides[2] + j * p->mask_strides[3]])             \
                             : -(T)INFINITY;                                                                \
    /* added, not assigned: a +inf float mask value meeting -inf is NaN, as in the reference */             \
    if (attn_blocked(p, (const int64_t *)in[6], b, i, j, offset)) bias += -(T)INFINITY;                      \
    return bias;                                                                                            \
  }                                                                                                         \
  /* Scores and bias of row (b, h, i) into x; 1 when every key's bias is -inf */                            \
  static int attn_row_##name(const rt_attention_params *p, const void *const *in, const T *q, T s, int64_t b,  \
                             int64_t h, int64_t i, T *x, T *qk) {                                           \
    const int64_t total = p->past_seq + p->kv_seq, kvh = RT_IDIV(h, RT_IDIV(p->q_heads, p->kv_heads)); \
    const int64_t offset = attn_offset(p, in, b);                                                           \
    int64_t j;                                                                                              \
    int fully_masked = 1;                                                                                   \
    for (j = 0; j < total; j++) {                                                                           \
      const T *k = (const T *)attn_kv_row(p, in[4], in[1], p->k_strides, p->head_size, sizeof(T), b, kvh, j); \
      const T score = attn_score_##t(p, q, k, s), bias = attn_bias_##name(p, in, b, h, i, j, offset);       \
      if (bias != -(T)INFINITY) fully_masked = 0;                                                           \
      x[j] = score + bias;                                                                                  \
      if (qk && p->qk_mode < 3) qk[j] = p->qk_mode == 2 ? x[j] : score;                                     \
    }                                                                                                       \
    return fully_masked;                                                                                    \
  }                                                                                                         \
  RT_KERNEL(rt_attention_##name) {                                                                          \
    const rt_attention_params *p = (const rt_attention_params *)params;                                     \
    const T *Q = (const T *)in[0], s = attn_scale_##t(p);                                                   \
    const int64_t total = p->past_seq + p->kv_seq;                                                          \
    T *q = (T *)scratch, *x = q + p->head_size;                                                             \
    int64_t b, h, i, d;                                                                                     \
    if (out[1]) attn_present(p, in[4], in[1], p->k_strides, p->head_size, sizeof(T), out[1]);               \
    if (out[2]) attn_present(p, in[5], in[2], p->v_strides, p->v_head_size, sizeof(T), out[2]);             \
    for (b = 0; b < p->batch; b++)                                                                          \
      for (h = 0; h < p->q_heads; h++)                                                                      \
        for (i = 0; i < p->q_seq; i++) {                                                                    \
          const T *src = Q + attn_at(p->q_strides, b, h, i);                                                \
          T *qk = out[3] ? (T *)out[3] + ((b * p->q_heads + h) * p->q_seq + i) * total : NULL;              \
          int fully_masked;                                                                                 \
          for (d = 0; d < p->head_size; d++) q[d] = src[d] * s;                                             \
          fully_masked = attn_row_##name(p, in, q, s, b, h, i, x, qk);                                      \
          attn_softmax_##t(x, total, fully_masked);                                                         \
          if (qk && p->qk_mode == 3) memcpy(qk, x, sizeof(T) * (size_t)total);                              \
          attn_mix_##t(p, in, x, b, RT_IDIV(h, RT_IDIV(p->q_heads, p->kv_heads)),                           \
                       (T *)out[0] + attn_at(p->y_strides, b, h, i));                                       \
        }                                                                                                   \
  }

#define FLOAT_MASK(v) (v)
#define BOOL_MASK_F32(v) ((v) ? 0.0f : -INFINITY)
#define BOOL_MASK_F64(v) ((v) ? 0.0 : -(double)INFINITY)
ATTN_KERNEL(f32, f32, float, float, FLOAT_MASK)
ATTN_KERNEL(f32_bmask, f32, float, uint8_t, BOOL_MASK_F32)
ATTN_KERNEL(f64, f64, double, double, FLOAT_MASK)
ATTN_KERNEL(f64_bmask, f64, double, uint8_t, BOOL_MASK_F64)
