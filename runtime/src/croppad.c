/* CenterCropPad's prepare kernel (croppad.h). */
#include "onnxcc/kernels/croppad.h"
#include "onnxcc/kernels/tensor.h"

int64_t rt_center_crop_pad_begin(int64_t in, int64_t target) { return (target - in) / 2; }

RT_KERNEL(rt_center_crop_pad_prepare) {
  const rt_croppad_prepare_params *q = (const rt_croppad_prepare_params *)params;
  rt_pad_params *p = (rt_pad_params *)out[1];
  int64_t *dims = (int64_t *)out[0];
  int i;
  (void)scratch;
  for (i = 0; i < q->naxes; i++) {
    const int d = q->axes[i];
    const int64_t target = q->shape_i32 ? ((const int32_t *)in[1])[i] : ((const int64_t *)in[1])[i];
    if (target < 0) {
      *(int *)out[2] = RT_ERR_SHAPE;
      return;
    }
    dims[i] = target;
    p->begin[d] = rt_center_crop_pad_begin(q->in_dims[d], target);
  }
}
