/* Internal to the runtime: the fused epilogue (kernels/epilogue.h) as the
 * conv and gemm kernels apply it, one output tile at a time. */
#ifndef ONNXCC_RT_EPILOGUE_INTERNAL_H
#define ONNXCC_RT_EPILOGUE_INTERNAL_H

#include <stdint.h>

#include "onnxcc/kernels/epilogue.h"

/* What a kernel call applies: the residual, when there is one, has the
 * output's layout, so the residual of output element y + i is res[i]
 * whatever tile of y is being finished; it is never the output's own
 * memory (the planner gives no Conv, Gemm or MatMul output an input's
 * buffer), so both are restrict. */
typedef struct rt_epi {
  int32_t act;
  float a, b;
  const float *res; /* NULL: none */
  const float *y;   /* the output's first element */
} rt_epi;

/* Fills e from a params struct's RT_EPILOGUE_FIELDS; returns e, or NULL
 * when there is nothing to apply (then the kernels skip the epilogue
 * without a call per tile). */
const rt_epi *rt_epi_init(rt_epi *e, int32_t act, float a, float b, const void *res, const float *y);

/* c[i * ldc + j] = act(c[i * ldc + j] + residual) for i < m, j < n: an
 * m x n tile of the output whose last value has just been stored. */
void rt_epi_tile(const rt_epi *e, float *c, int64_t ldc, int64_t m, int64_t n);

/* y[j] = act(x[j] + r[j]) for j < n (act(x[j]) when r is NULL), act one
 * of RT_ACT_* with its parameters a and b: the epilogue's loop, which the
 * unary kernels of the same activations call too (so fused and unfused
 * give the same bits). y may be x. */
void rt_act_apply_f32(int32_t act, float a, float b, float *y, const float *x, const float *r, int64_t n);

/* A kernel's epilogue from its params struct p, its residual slot k of in
 * and its output y. */
#define RT_EPI_FROM(e, p, in, k, y) \
  rt_epi_init((e), (p)->act, (p)->act_a, (p)->act_b, (p)->has_residual ? (in)[k] : NULL, (y))

#endif
