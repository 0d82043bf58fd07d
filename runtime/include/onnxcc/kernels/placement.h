/* Kernels that move elements to positions read from another input:
 * ReverseSequence (reverses the first sequence_lens[b] steps of each batch
 * entry) and MaxUnpool (puts each element at the flat index MaxPool
 * recorded for it). Both move bytes, so one variant serves every element
 * type. */
#ifndef ONNXCC_KERNELS_PLACEMENT_H
#define ONNXCC_KERNELS_PLACEMENT_H

#include "../params.h"
#include "../runtime.h"

/* rt_reverse_sequence: x (and y) viewed as batch x time blocks of
 * `block` bytes, block (b, t) at byte b * batch_stride + t * time_stride.
 * With L = sequence_lens[b] (in[1], int64), y's block (b, t) is x's block
 * (b, L - 1 - t) for t < L and x's block (b, t) otherwise. A length
 * outside [0, time] (which rt_reverse_sequence_prepare reports and a
 * constant never has) is clamped. y must not be x.
 * rt_reverse_sequence_prepare: reports RT_ERR_SHAPE when a length is
 * outside [0, time]; reads the kernel's params (out[1]), its own are
 * unused. */
#define RT_REVERSE_SEQUENCE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(batch) I(time) I(block) I(batch_stride) I(time_stride)
RT_PARAMS_STRUCT(rt_reverse_sequence_params, RT_REVERSE_SEQUENCE_PARAMS)

/* rt_max_unpool: y (out_count elements of esize bytes) is zero but for
 * y[I[i]] = x[i] for each of x's in_count elements, I being in[1]
 * (int64 flat indices into y); an index outside [0, out_count) is
 * skipped, a repeated one keeps the last element. */
#define RT_MAX_UNPOOL_PARAMS(I, F, IA, FA, I32, I32A, E) I(in_count) I(out_count) I(esize)
RT_PARAMS_STRUCT(rt_max_unpool_params, RT_MAX_UNPOOL_PARAMS)

/* rt_max_unpool_prepare: the output dims from output_shape (in[2], rank
 * int64 values), each at least min_dims[d] (the shape unpooling implies
 * without output_shape, as ONNX Runtime requires); RT_ERR_SHAPE else. */
#define RT_MAX_UNPOOL_SHAPE_PARAMS(I, F, IA, FA, I32, I32A, E) I32(rank) IA(min_dims, 8)
RT_PARAMS_STRUCT(rt_max_unpool_shape_params, RT_MAX_UNPOOL_SHAPE_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_PLACEMENT_KERNELS(K)                                                                  \
  K(rt_reverse_sequence, rt_reverse_sequence_params)                                              \
  K(rt_reverse_sequence_prepare, rt_reverse_sequence_params)                                      \
  K(rt_max_unpool, rt_max_unpool_params) K(rt_max_unpool_prepare, rt_max_unpool_shape_params)
#define RT_PLACEMENT_PARAMS_TYPES(P)                                    \
  P(rt_reverse_sequence_params, RT_REVERSE_SEQUENCE_PARAMS)            \
  P(rt_max_unpool_params, RT_MAX_UNPOOL_PARAMS) P(rt_max_unpool_shape_params, RT_MAX_UNPOOL_SHAPE_PARAMS)
RT_PLACEMENT_KERNELS(RT_DECLARE_KERNEL)

#endif
