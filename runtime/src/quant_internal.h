/* Rounding and integer helpers the quantization kernels share (quant.c,
 * msquant.c), so that every quantizer rounds the same way. */
#ifndef ONNXCC_QUANT_INTERNAL_H
#define ONNXCC_QUANT_INTERNAL_H

#include <math.h>
#include <stdint.h>

/* round(v) + zp, saturated to [lo, hi] (NaN gives lo, as ONNX Runtime's
 * vector clamp does). Clamping the float before the conversion keeps
 * out-of-range values (and infinities) defined. */
static inline int32_t quant_round(float v, int32_t zp, float lo, float hi) {
  float r = nearbyintf(v) + (float)zp;
  if (!(r >= lo)) r = lo;
  if (r > hi) r = hi;
  return (int32_t)r;
}

/* int32 addition that wraps as ONNX Runtime's sums do (through uint32, so
 * no signed overflow). */
static inline int32_t wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

/* Widens [*lo, *hi] to hold the count floats of x: a range gathered
 * from several pieces (DynamicQuantizeLSTM's rows) for dynquant_params. */
static inline void dynquant_widen(const float *x, int64_t count, float *lo, float *hi) {
  int64_t i;
  for (i = 0; i < count; i++) {
    if (x[i] < *lo) *lo = x[i];
    if (x[i] > *hi) *hi = x[i];
  }
}

/* DynamicQuantizeLinear's scale and uint8 zero point for the range
 * [lo, hi], which holds 0 (so that 0 is exact after quantization)
 * mapped onto [0, 255]; scale 1 when the range is empty, as ONNX Runtime
 * has it. */
static inline void dynquant_params(float lo, float hi, float *scale, int32_t *zp) {
  *scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  *zp = quant_round(0.0f - lo / *scale, 0, 0.0f, 255.0f);
}

/* dynquant_params for count floats: the range [min(x, 0), max(x, 0)]. */
static inline void dynquant_range(const float *x, int64_t count, float *scale, int32_t *zp) {
  float lo = 0.0f, hi = 0.0f;
  dynquant_widen(x, count, &lo, &hi);
  dynquant_params(lo, hi, scale, zp);
}

#endif
