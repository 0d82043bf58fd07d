/* TensorScatter (tensor_scatter.h). Elements move as bytes: one kernel
 * serves every element type. */
#include <string.h>

#include "onnxcc/kernels/tensor_scatter.h"

/* The cache position for update position s of a batch whose write index
 * is w, or -1 when it is outside the cache. */
static int64_t ts_position(const rt_tensor_scatter_params *p, int64_t w, int64_t s) {
  int64_t q = w + s;
  if (p->circular && p->maxlen > 0) {
    q %= p->maxlen;
    if (q < 0) q += p->maxlen;
  }
  return q >= 0 && q < p->maxlen ? q : -1;
}

RT_KERNEL(rt_tensor_scatter) {
  const rt_tensor_scatter_params *p = (const rt_tensor_scatter_params *)params;
  const unsigned char *upd = (const unsigned char *)in[1];
  const int64_t *w = (const int64_t *)in[2];
  unsigned char *y = (unsigned char *)out[0];
  const size_t line = (size_t)(p->inner * p->esize); /* one position's bytes */
  int64_t b, r, s;
  (void)scratch;
  if (y != in[0]) memcpy(y, in[0], (size_t)(p->batch * p->rows * p->maxlen) * line);
  for (b = 0; b < p->batch; b++)
    for (s = 0; s < p->seqlen; s++) {
      const int64_t q = ts_position(p, w ? w[b] : 0, s);
      if (q < 0) {
        if (out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = RT_ERR_VALUE;
        continue;
      }
      for (r = 0; r < p->rows; r++) {
        const int64_t row = b * p->rows + r;
        memcpy(y + (size_t)(row * p->maxlen + q) * line, upd + (size_t)(row * p->seqlen + s) * line, line);
      }
    }
}
