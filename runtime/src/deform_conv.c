/* DeformConv (deform_conv.h).
 *
 * Each tap's sample depends on the input channel and the output position
 * but not on the output channel, so it is taken once and added, times
 * each of its group's weights, into every output channel of the group. */
#include <math.h>

#include "index_internal.h"
#include "onnxcc/kernels/deform_conv.h"

/* X's plane [h, w] at (y, x), bilinearly; pixels outside it count 0. */
static float dc_sample(const float *plane, int64_t h, int64_t w, float y, float x) {
  const float y0 = floorf(y), x0 = floorf(x), fy = y - y0, fx = x - x0;
  const int64_t iy = (int64_t)y0, ix = (int64_t)x0;
  float v = 0.0f;
  int dy, dx;
  if (!(y > -1.0f && y < (float)h && x > -1.0f && x < (float)w)) return 0.0f; /* no pixel near (and NaN) */
  for (dy = 0; dy < 2; dy++)
    for (dx = 0; dx < 2; dx++) {
      const int64_t r = iy + dy, c = ix + dx;
      if (r >= 0 && r < h && c >= 0 && c < w)
        v += (dy ? fy : 1.0f - fy) * (dx ? fx : 1.0f - fx) * plane[r * w + c];
    }
  return v;
}

/* Where one (batch, input channel) pair reads: its plane, its offset
 * group's offsets and mask at their first tap. */
typedef struct dc_pair {
  const float *plane, *offset, *mask;
  int64_t ic; /* the channel within its group */
  int64_t oc0; /* its group's first output channel */
} dc_pair;

/* Adds one input channel's taps into y[batch] ([out_ch, oh, ow]). */
static void dc_channel(const rt_deform_conv_params *p, const dc_pair *s, const float *wt, float *y) {
  const int64_t oh = p->out_dims[0], ow = p->out_dims[1], npos = oh * ow, taps = p->kernel[0] * p->kernel[1];
  const int64_t ocg = RT_IDIV(p->out_ch, p->group), icg = RT_IDIV(p->in_ch, p->group);
  int64_t t, i, j, o;
  for (t = 0; t < taps; t++) {
    const int64_t tr = RT_IDIV(t, p->kernel[1]), tc = RT_IMOD(t, p->kernel[1]);
    const float *dy = s->offset + 2 * t * npos, *dx = dy + npos;
    for (i = 0; i < oh; i++)
      for (j = 0; j < ow; j++) {
        const int64_t q = i * ow + j;
        const float y0 = (float)(i * p->strides[0] - p->pads[0] + tr * p->dilations[0]) + dy[q];
        const float x0 = (float)(j * p->strides[1] - p->pads[1] + tc * p->dilations[1]) + dx[q];
        float v = dc_sample(s->plane, p->in_dims[0], p->in_dims[1], y0, x0);
        if (s->mask) v *= s->mask[t * npos + q];
        for (o = 0; o < ocg; o++) y[(s->oc0 + o) * npos + q] += wt[((s->oc0 + o) * icg + s->ic) * taps + t] * v;
      }
  }
}

RT_KERNEL(rt_deform_conv_f32) {
  const rt_deform_conv_params *p = (const rt_deform_conv_params *)params;
  const int64_t npos = p->out_dims[0] * p->out_dims[1], plane = p->in_dims[0] * p->in_dims[1];
  const int64_t taps = p->kernel[0] * p->kernel[1], icg = RT_IDIV(p->in_ch, p->group), ocg = RT_IDIV(p->out_ch, p->group);
  const int64_t per_og = RT_IDIV(p->in_ch, p->offset_group);
  const float *x = (const float *)in[0], *bias = (const float *)in[3];
  int64_t b, c, q;
  (void)scratch;
  for (b = 0; b < p->batch; b++) {
    float *y = (float *)out[0] + b * p->out_ch * npos;
    for (c = 0; c < p->out_ch; c++)
      for (q = 0; q < npos; q++) y[c * npos + q] = p->has_bias ? bias[c] : 0.0f;
    for (c = 0; c < p->in_ch; c++) {
      const int64_t og = RT_IDIV(c, per_og);
      dc_pair s;
      s.plane = x + (b * p->in_ch + c) * plane;
      s.offset = (const float *)in[2] + (b * p->offset_group + og) * taps * 2 * npos;
      s.mask = in[4] ? (const float *)in[4] + (b * p->offset_group + og) * taps * npos : NULL;
      s.ic = RT_IMOD(c, icg);
      s.oc0 = RT_IDIV(c, icg) * ocg;
      dc_channel(p, &s, (const float *)in[1], y);
    }
  }
}
