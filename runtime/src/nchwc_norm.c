/* rt_nchwc_batchnorm_f32: inference BatchNormalization (float X and
 * parameters) on a blocked tensor (kernels/nchwc.h): each channel's map
 * y = x * a + b folded in double exactly as norm.c's rt_batchnorm_f32
 * folds it, then applied to 16 channels per vector, so the values are
 * its values. Pad lanes get a = b = 0 (0 for their finite inputs). A fused
 * activation (rt_batchnorm_f32's) follows on each plane once written.
 * Tasks take whole (image, block) planes. */
#include <math.h>

#include "epilogue_internal.h"
#include "index_internal.h"
#include "onnxcc/kernels/nchwc.h"
#include "onnxcc/parallel.h"

#define B RT_CONV_NCHWC_BLOCK

typedef struct bn_job {
  const rt_batchnorm_params *p;
  const float *x, *sc, *bi, *mean, *var;
  float *y;
} bn_job;

/* Channel c's a and b. */
static void fold_channel(const float *sc, const float *bi, const float *mean, const float *var, float epsilon,
                         int64_t c, float *a, float *b) {
  const double ad = (double)sc[c] / sqrt((double)var[c] + (double)epsilon);
  *a = (float)ad;
  *b = (float)((double)bi[c] - (double)mean[c] * ad);
}

void rt_nchwc_batchnorm_fold(const float *scale, const float *bias, const float *mean, const float *var,
                             float epsilon, int64_t channels, float *a, float *b) {
  int64_t c;
  for (c = 0; c < channels; c++) fold_channel(scale, bias, mean, var, epsilon, c, &a[c], &b[c]);
}

static void bn_planes(void *arg, int64_t lo, int64_t hi) {
  const bn_job *j = (const bn_job *)arg;
  const rt_batchnorm_params *p = j->p;
  const int64_t cb = RT_IDIV(p->c + B - 1, B), n = p->inner * B;
  int64_t q, i;
  for (q = lo; q < hi; q++) {
    const int64_t b = q - RT_IDIV(q, cb) * cb;
    const float *x = j->x + q * n;
    float *y = j->y + q * n;
    float at[B], bt[B];
    int l;
    for (l = 0; l < B; l++) {
      at[l] = bt[l] = 0.0f;
      if (b * B + l < p->c) fold_channel(j->sc, j->bi, j->mean, j->var, p->epsilon, b * B + l, &at[l], &bt[l]);
    }
    for (i = 0; i < n; i += B)
      for (l = 0; l < B; l++) y[i + l] = x[i + l] * at[l] + bt[l];
    if (p->act != RT_ACT_NONE) rt_act_apply_f32(p->act, p->act_a, p->act_b, y, y, NULL, n);
  }
}

RT_KERNEL(rt_nchwc_batchnorm_f32) {
  const rt_batchnorm_params *p = (const rt_batchnorm_params *)params;
  bn_job j;
  (void)scratch;
  j.p = p;
  j.x = (const float *)in[0];
  j.sc = (const float *)in[1];
  j.bi = (const float *)in[2];
  j.mean = (const float *)in[3];
  j.var = (const float *)in[4];
  j.y = (float *)out[0];
  rt_parallel_ranges(RT_PARALLEL_OF(in), p->n * RT_IDIV(p->c + B - 1, B), 1, 2 * p->inner * B * (int64_t)sizeof(float),
                     bn_planes, &j);
}
