/* GatherChannels (kernels/channels.h): Y's channels picked from the
 * inputs' through the map the compiler writes into the blob. */
#include <string.h>

#include "nchwc_internal.h"
#include "onnxcc/kernels/channels.h"
#include "split_internal.h"

#if RT_NCHWC_AVX512
#include <immintrin.h>
#endif

#define B RT_NCHWC_BLOCK

/* The map: each input's channel count, then (input, channel) per channel
 * of Y. */
static const int32_t *map_of(const rt_gather_channels_params *p, const void *const *in) {
  return (const int32_t *)in[p->inputs];
}

/* ---- NCHW: a plane at a time ---- */

/* Items: Y's planes, image-major. */
static void plain_range(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const rt_gather_channels_params *p = (const rt_gather_channels_params *)params;
  const int32_t *counts = map_of(p, in), *pairs = counts + p->inputs;
  unsigned char *y = (unsigned char *)out[0];
  int64_t i;
  for (i = lo; i < hi; i++) {
    const int64_t n = RT_IDIV(i, p->channels), c = i - n * p->channels;
    const int32_t k = pairs[2 * c];
    const unsigned char *x = (const unsigned char *)in[k];
    memcpy(y + i * p->inner, x + (n * counts[k] + pairs[2 * c + 1]) * p->inner, (size_t)p->inner);
  }
}

RT_KERNEL(rt_gather_channels) {
  const rt_gather_channels_params *p = (const rt_gather_channels_params *)params;
  rt_kernel_ranges(plain_range, params, in, out, scratch, p->batch * p->channels, 1, 2 * p->inner);
}

/* ---- blocked: a block of Y at a time ---- */

/* Where the lanes of one block of Y come from: per source vector (an
 * input's block), the lanes it fills and, for each, its lane there. */
typedef struct lane_group {
  const float *src; /* the source block's position 0 */
  int32_t lane[B];  /* per lane of Y: the source lane (where mask has it) */
  unsigned mask;
} lane_group;

/* The groups of block ob of image n's Y; returns how many (pad lanes are
 * in none). */
static int lane_groups(const rt_gather_channels_params *p, const void *const *in, int64_t n, int64_t ob,
                       lane_group *g) {
  const int32_t *counts = map_of(p, in), *pairs = counts + p->inputs;
  int l, count = 0, j;
  for (l = 0; l < B && ob * B + l < p->channels; l++) {
    const int64_t c = ob * B + l;
    const int32_t k = pairs[2 * c], ch = pairs[2 * c + 1];
    const float *src = (const float *)in[k] + ((n * rt_nchwc_blocks(counts[k]) + ch / B) * p->inner) * B;
    for (j = 0; j < count && g[j].src != src; j++) {
    }
    if (j == count) {
      memset(&g[j], 0, sizeof g[j]);
      g[j].src = src;
      count++;
    }
    g[j].lane[l] = ch % B;
    g[j].mask |= 1u << l;
  }
  return count;
}

/* Positions [q0, q1) of one block of Y from its groups. */
static void gather_block(const lane_group *g, int count, int64_t q0, int64_t q1, float *y) {
  int64_t q;
#if RT_NCHWC_AVX512
  __m512i idx[B];
  int j;
  for (j = 0; j < count; j++) idx[j] = _mm512_loadu_si512((const void *)g[j].lane);
  for (q = q0; q < q1; q++) {
    __m512 acc = _mm512_setzero_ps();
    for (j = 0; j < count; j++)
      acc = _mm512_mask_permutexvar_ps(acc, (__mmask16)g[j].mask, idx[j], _mm512_loadu_ps(g[j].src + q * B));
    _mm512_storeu_ps(y + q * B, acc);
  }
#else
  const float *from[B];
  int l, j;
  for (l = 0; l < B; l++) from[l] = NULL;
  for (j = 0; j < count; j++)
    for (l = 0; l < B; l++)
      if (g[j].mask >> l & 1u) from[l] = g[j].src + g[j].lane[l];
  for (q = q0; q < q1; q++)
    for (l = 0; l < B; l++) y[q * B + l] = from[l] ? from[l][q * B] : 0.0f;
#endif
}

/* Items: positions, each of every (image, block) plane of Y. A split by
 * positions, not by planes: the convs around a gather split large planes
 * into bands of rows, and each core then copies the rows it wrote. */
static void blocked_range(void *arg, int64_t lo, int64_t hi) {
  RT_CALL_ARGS(arg);
  const rt_gather_channels_params *p = (const rt_gather_channels_params *)params;
  const int64_t ob = rt_nchwc_blocks(p->channels), sp = p->inner;
  float *y = (float *)out[0];
  int64_t plane;
  for (plane = 0; plane < p->batch * ob; plane++) {
    const int64_t n = RT_IDIV(plane, ob);
    lane_group g[B];
    const int count = lane_groups(p, in, n, plane - n * ob, g);
    gather_block(g, count, lo, hi, y + plane * sp * B);
  }
}

RT_KERNEL(rt_nchwc_gather_channels_f32) {
  const rt_gather_channels_params *p = (const rt_gather_channels_params *)params;
  const int64_t planes = p->batch * rt_nchwc_blocks(p->channels);
  rt_kernel_ranges(blocked_range, params, in, out, scratch, p->inner, 1, planes * (int64_t)(2 * B * sizeof(float)));
}
