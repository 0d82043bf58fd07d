/* TensorScatter: writes an update of a few positions along a sequence axis
 * into a fixed-size cache (the key/value caches of attention models). */
#ifndef ONNXCC_KERNELS_TENSOR_SCATTER_H
#define ONNXCC_KERNELS_TENSOR_SCATTER_H

#include "../params.h"
#include "../runtime.h"
#include "sequence.h" /* RT_STATUS_SLOT */

/* rt_tensor_scatter: past (in[0]) viewed as [batch, rows, maxlen, inner]
 * elements of esize bytes, update (in[1]) as [batch, rows, seqlen, inner];
 * the output (out[0], may be past) is past with, for each batch b, row r
 * and s < seqlen, position (w[b] + s) along maxlen (mod maxlen when
 * circular) replaced by update's position s, w being write_indices
 * (in[2], int64 [batch]; NULL: zeros). A position outside [0, maxlen)
 * without circular is not written and is RT_ERR_VALUE at
 * out[RT_STATUS_SLOT] (when not NULL). */
#define RT_TENSOR_SCATTER_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(batch) I(rows) I(maxlen) I(seqlen) I(inner) I(esize) I32(circular)
RT_PARAMS_STRUCT(rt_tensor_scatter_params, RT_TENSOR_SCATTER_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_TENSOR_SCATTER_KERNELS(K) K(rt_tensor_scatter, rt_tensor_scatter_params)
#define RT_TENSOR_SCATTER_PARAMS_TYPES(P) P(rt_tensor_scatter_params, RT_TENSOR_SCATTER_PARAMS)
RT_TENSOR_SCATTER_KERNELS(RT_DECLARE_KERNEL)

#endif
