/* Kernels of sequences and optionals (box.h has their memory layout):
 * SequenceEmpty, SequenceConstruct (a chain of inserts), SequenceInsert,
 * SequenceErase, SequenceAt, SequenceLength, SplitToSequence,
 * ConcatFromSequence, Optional, OptionalHasElement, OptionalGetElement.
 *
 * All take rt_box_params. in_rec/out_rec are the record sizes of the
 * input and output boxes, out_cap the output's record count, esize the
 * element size, rank the elements' rank (for an insert: the inserted
 * tensor's), in_rank the input box's elements' rank, or -1 where they
 * differ in rank and each record's dims say it (box.h). Positions are
 * one int32 or int64
 * (pos_int32) and may be negative (counted from the end).
 *
 * A value the op refuses (a position out of range, more elements than
 * the output box holds, an empty optional read) is reported through
 * out[RT_STATUS_SLOT] (an int, RT_OK before the call) when that slot is
 * not NULL; the outputs are then unspecified. Tensors read from a box come
 * out at the element's dims: the kernel writes the dims flagged in `mask`
 * (int64, in order) to out[1] (lowered.defines_after). */
#ifndef ONNXCC_KERNELS_SEQUENCE_H
#define ONNXCC_KERNELS_SEQUENCE_H

#include "../box.h"
#include "../params.h"
#include "../runtime.h"

/* The out[] slot where kernels that can refuse values report it. */
#define RT_STATUS_SLOT (RT_MIN_ARGS - 1)

#define RT_BOX_PARAMS(I, F, IA, FA, I32, I32A, E)                                                   \
  I(in_rec) I(out_rec) I(out_cap) I(esize) IA(dims, 8) I(axis) I(n_split) I32(rank) I32(present)   \
  I32(mode) I32(pos_int32) I32(keepdims) I32(new_axis) I32(mask) I32(in_rank)
RT_PARAMS_STRUCT(rt_box_params, RT_BOX_PARAMS)

/* rt_box_empty: out[0] = a box with no element, present = params.present.
 * rt_box_insert: out[0] = box in[0] (NULL: an empty one) with tensor in[1]
 *   (rank dims `dims`) inserted at position in[2] (NULL: at the end;
 *   valid: -count..count); present = params.present or in[0]'s.
 * rt_box_erase: out[0] = box in[0] without the element at in[1] (NULL:
 *   the last; valid: -count..count-1).
 * rt_box_at: out[0] = the element at position in[1] (NULL: element 0 of
 *   an optional, which must be present).
 * rt_box_length: out[0] = the count (one int64).
 * rt_box_has: out[0] = present (one bool).
 * rt_box_copy: out[0] = box in[0] re-laid for out_rec/out_cap; mode 1:
 *   the input must be present; mode 2: the output is present.
 * rt_split_to_sequence: out[0] = tensor in[0] (dims `dims`) split along
 *   `axis`: by in[1] (NULL: pieces of 1, without the axis unless
 *   keepdims; n_split 0: one int32/int64 piece length, the last piece
 *   shorter; else n_split lengths that must add up to the dim).
 * rt_concat_from_sequence: out[0] = the elements of box in[0] joined along
 *   `axis` (new_axis: stacked along a new axis there); every element must
 *   have the same dims but along that axis, and there must be one. */
#define RT_SEQUENCE_KERNELS(K)                                                                     \
  K(rt_box_empty, rt_box_params) K(rt_box_insert, rt_box_params) K(rt_box_erase, rt_box_params)   \
  K(rt_box_at, rt_box_params) K(rt_box_length, rt_box_params) K(rt_box_has, rt_box_params)        \
  K(rt_box_copy, rt_box_params) K(rt_split_to_sequence, rt_box_params)                             \
  K(rt_concat_from_sequence, rt_box_params)
#define RT_SEQUENCE_PARAMS_TYPES(P) P(rt_box_params, RT_BOX_PARAMS)
RT_SEQUENCE_KERNELS(RT_DECLARE_KERNEL)

#endif
