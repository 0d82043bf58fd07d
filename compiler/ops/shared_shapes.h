/* Shape rules that several op families share, so that each is written
 * once: MatMul's (gemm.c) serve MatMulInteger and QLinearMatMul, Conv's
 * (conv.c) serve ConvInteger and QLinearConv (quant.c). */
#ifndef ONNXCC_OPS_SHARED_SHAPES_H
#define ONNXCC_OPS_SHARED_SHAPES_H

#include "ops.h"

/* ---- MatMul (gemm.c) ---- */

/* Sets output 0 (element type dtype) to numpy matmul's shape of inputs ia
 * and ib (A and B), with MatMul's checks and run-time checks. */
status matmul_infer_output(op_ctx *c, int ia, int ib, int dtype);

/* Where a kernel's params keep rt_matmul_params' geometry fields. */
typedef struct matmul_fields {
  int32_t *batch_rank;
  int64_t *M, *N, *K, *batch_dims, *a_strides, *b_strides;
} matmul_fields;

/* Fills those fields (rt_matmul_params' meaning, batch never collapsed)
 * for inputs ia and ib, through op_bind. */
status matmul_bind(op_ctx *c, lowered *l, int ia, int ib, const matmul_fields *f);

/* ---- Conv (conv.c) ---- */

/* Everything both ops read from attributes and input shapes. */
typedef struct conv_geom {
  int nd;
  int64_t batch, in_ch, out_ch, group;
  int64_t in[RT_CONV_MAX_DIMS], out[RT_CONV_MAX_DIMS], kernel[RT_CONV_MAX_DIMS];
  int64_t strides[RT_CONV_MAX_DIMS], dilations[RT_CONV_MAX_DIMS];
  int64_t pads[2 * RT_CONV_MAX_DIMS]; /* begins, then ends */
  /* batch, in, out and pads as dim expressions: constants of the above
   * where X's dims are exact, else what the run computes (conv_symbolic) */
  int batch_e, in_e[RT_CONV_MAX_DIMS], out_e[RT_CONV_MAX_DIMS], pads_e[2 * RT_CONV_MAX_DIMS];
} conv_geom;

/* Reads and checks X (input 0), W (input wi), the bias (input bi, or none
 * when bi < 0) and the attributes of Conv or ConvTranspose, and computes
 * pads and output dims. Element types are the caller's to check. */
status conv_geometry_at(op_ctx *c, conv_geom *g, int wi, int bi);
/* Sets output 0 ([batch, out_ch, out dims...], element type dtype). */
status conv_infer_output(op_ctx *c, const conv_geom *g, int dtype);
/* rt_conv_params with g's exact values (bounds where dims vary). */
void conv_geom_params(const conv_geom *g, int has_bias, rt_conv_params *geo);
/* Binds the fields that may vary at run time: batch, in_dims, out_dims,
 * pads (arrays of RT_CONV_MAX_DIMS). */
void conv_bind_dims(const op_ctx *c, lowered *l, const conv_geom *g, int64_t *batch, int64_t *in_dims,
                    int64_t *out_dims, int64_t *pads);

#endif
