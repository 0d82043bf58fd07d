/* GatherChannels, the compiler's own op of its gather-channels pass: each
 * channel of Y is one channel of one of the inputs, which all share the
 * batch and the spatial dims. A channel shuffle (Concat, Reshape,
 * Transpose, Reshape) and the Slices that cut its output are one such
 * gather each: one pass over the data instead of three or four copies.
 *
 * Params: batch, channels (Y's), inner and inputs (how many data inputs,
 * in[0 .. inputs - 1]; at most RT_GATHER_CHANNELS_MAX_INPUTS). in[inputs]
 * is the map, int32: first each input's channel count, then per channel
 * of Y the pair (input, channel of that input).
 *
 *   rt_gather_channels           X_k [batch, C_k, inner bytes] and Y
 *                                [batch, channels, inner bytes]: a memcpy
 *                                per plane, any element type (inner is
 *                                the plane's bytes).
 *   rt_nchwc_gather_channels_f32 the blocked layout (kernels/nchwc.h): X_k
 *                                [batch, ceil(C_k / 16), inner, 16] and Y
 *                                [batch, ceil(channels / 16), inner, 16]
 *                                float, inner the positions; Y's pad lanes
 *                                get zeros.
 *
 * Both split across threads (onnxcc/parallel.h): the plain one by planes,
 * the blocked one by runs of positions, each of every plane (the convs
 * around it cut large planes into bands of rows, and each core then
 * copies the rows it wrote). A copy is the same whatever the split. */
#ifndef ONNXCC_KERNELS_CHANNELS_H
#define ONNXCC_KERNELS_CHANNELS_H

#include "../params.h"
#include "../runtime.h"

/* The data inputs and the map fill the slots below RT_PARALLEL_SLOT. */
#define RT_GATHER_CHANNELS_MAX_INPUTS 6

#define RT_GATHER_CHANNELS_PARAMS(I, F, IA, FA, I32, I32A, E) I(batch) I(channels) I(inner) I32(inputs)
RT_PARAMS_STRUCT(rt_gather_channels_params, RT_GATHER_CHANNELS_PARAMS)

#define RT_CHANNELS_KERNELS(K) \
  K(rt_gather_channels, rt_gather_channels_params) \
  K(rt_nchwc_gather_channels_f32, rt_gather_channels_params)
#define RT_CHANNELS_PARAMS_TYPES(P) P(rt_gather_channels_params, RT_GATHER_CHANNELS_PARAMS)
RT_CHANNELS_KERNELS(RT_DECLARE_KERNEL)

#endif
