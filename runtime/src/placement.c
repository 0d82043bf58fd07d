/* ReverseSequence and MaxUnpool: bytes moved to positions another input
 * gives (kernels/placement.h). */
#include <string.h>

#include "onnxcc/kernels/placement.h"

/* ---- ReverseSequence ---- */

RT_KERNEL(rt_reverse_sequence) {
  const rt_reverse_sequence_params *p = (const rt_reverse_sequence_params *)params;
  const unsigned char *x = (const unsigned char *)in[0];
  const int64_t *lens = (const int64_t *)in[1];
  unsigned char *y = (unsigned char *)out[0];
  int64_t b, t;
  (void)scratch;
  for (b = 0; b < p->batch; b++) {
    int64_t len = lens[b];
    const int64_t row = b * p->batch_stride;
    if (len < 0) len = 0;
    if (len > p->time) len = p->time;
    for (t = 0; t < p->time; t++) {
      const int64_t from = t < len ? len - 1 - t : t;
      memcpy(y + row + t * p->time_stride, x + row + from * p->time_stride, (size_t)p->block);
    }
  }
}

RT_KERNEL(rt_reverse_sequence_prepare) {
  const rt_reverse_sequence_params *p = (const rt_reverse_sequence_params *)out[1];
  const int64_t *lens = (const int64_t *)in[1];
  int64_t b;
  (void)params;
  (void)scratch;
  for (b = 0; b < p->batch; b++)
    if (lens[b] < 0 || lens[b] > p->time) {
      *(int *)out[2] = RT_ERR_SHAPE;
      return;
    }
}

/* ---- MaxUnpool ---- */

RT_KERNEL(rt_max_unpool) {
  const rt_max_unpool_params *p = (const rt_max_unpool_params *)params;
  const unsigned char *x = (const unsigned char *)in[0];
  const int64_t *idx = (const int64_t *)in[1];
  unsigned char *y = (unsigned char *)out[0];
  const size_t es = (size_t)p->esize;
  int64_t i;
  (void)scratch;
  memset(y, 0, (size_t)p->out_count * es);
  for (i = 0; i < p->in_count; i++)
    if (idx[i] >= 0 && idx[i] < p->out_count) memcpy(y + (size_t)idx[i] * es, x + (size_t)i * es, es);
}

RT_KERNEL(rt_max_unpool_prepare) {
  const rt_max_unpool_shape_params *q = (const rt_max_unpool_shape_params *)params;
  const int64_t *shape = (const int64_t *)in[2];
  int64_t *dims = (int64_t *)out[0];
  int32_t d;
  (void)scratch;
  for (d = 0; d < q->rank; d++) {
    if (shape[d] < q->min_dims[d]) {
      *(int *)out[2] = RT_ERR_SHAPE;
      return;
    }
    dims[d] = shape[d];
  }
}
