/* RotaryEmbedding: rotary position embeddings (RoPE) applied to the
 * heads of a query or key tensor. */
#ifndef ONNXCC_KERNELS_ROPE_H
#define ONNXCC_KERNELS_ROPE_H

#include "../params.h"
#include "../runtime.h"
#include "sequence.h" /* RT_STATUS_SLOT */

/* rt_rope_T: x (in[0]) holds batch * heads * seq vectors of `head`
 * elements, [batch, heads, seq, head] or, with seq_major (a 3-D input),
 * [batch, seq, heads, head]. The first `rotary` elements (even) of each
 * vector are rotated as rotary / 2 pairs, pair i being elements (i, i +
 * rotary / 2), or (2i, 2i + 1) with interleaved: (a, b) becomes (a cos -
 * b sin, a sin + b cos) with cos and sin the i-th element of the cache
 * row of the vector's (batch, seq) position; the rest are copied. The
 * caches (in[1] cos, in[2] sin) have rows of rotary / 2 elements: with
 * has_pos, row position_ids[b, s] (in[3], int64 [batch, seq]) of max_pos
 * rows; without, row b * seq + s. A position id outside [0, max_pos) is
 * RT_ERR_VALUE at out[RT_STATUS_SLOT] (when not NULL), its vectors being
 * copied unrotated. y may be x. T: f32 (ONNX defines no double form). */
#define RT_ROPE_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(batch) I(heads) I(seq) I(head) I(rotary) I(max_pos) I32(interleaved) I32(seq_major) I32(has_pos)
RT_PARAMS_STRUCT(rt_rope_params, RT_ROPE_PARAMS)

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_ROPE_KERNELS(K) K(rt_rope_f32, rt_rope_params)
#define RT_ROPE_PARAMS_TYPES(P) P(rt_rope_params, RT_ROPE_PARAMS)
RT_ROPE_KERNELS(RT_DECLARE_KERNEL)

#endif
