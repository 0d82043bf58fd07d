/* Sequences and optionals in the IR ("boxed" values, ir_value.box): their
 * sizes in the box layout (runtime/include/onnxcc/box.h), how two box
 * types join, and how they print. */
#ifndef ONNXCC_IR_BOX_H
#define ONNXCC_IR_BOX_H

#include "ir.h"

/* Whether v is a sequence or an optional. */
static inline int ir_is_boxed(const ir_value *v) { return v && v->box.kind != VK_TENSOR; }
/* Whether a box type holds a sequence (plain or optional). */
static inline int ir_box_is_sequence(const ir_box_type *b) {
  return b->kind == VK_SEQUENCE || b->kind == VK_OPTIONAL_SEQUENCE;
}

/* Bytes of one record, and of the whole box. */
int64_t ir_box_record_bytes(const ir_box_type *b);
int64_t ir_box_bytes(const ir_box_type *b);
/* Gives v box type b, and as its tensor the box's bytes (uint8[N]). 0 when
 * the box would exceed the tensor size limit (nothing changed then). */
int ir_box_set(ir_value *v, const ir_box_type *b);
/* The element type of a box whose elements are all like tensor t (of
 * graph g): exact dims and expressions over input dims stay; dims that
 * involve run-time dims (which a loop may set anew in every step) become
 * per-element dims with t's bound. */
void ir_box_elem_from(const ir_graph *g, ir_box_type *b, const ir_tensor *t);
/* Joins element type `from` into *into (both of the same dtype): a dim
 * that differs becomes per-element with the larger bound. 0 when the
 * dtypes or ranks differ. An empty box (cap 0, rank -1) joins with
 * anything. */
int ir_box_join_elem(ir_box_type *into, const ir_box_type *from);
/* Whether box values of types a and b can live in one buffer: same kind
 * and the same record size (or one of them never holds an element); a box
 * with fewer records is then a prefix of the other (box.h). */
int ir_box_compatible(const ir_box_type *a, const ir_box_type *b);
/* "seq(float[3,..4])<=5", "opt(int64[2])", into buf. */
const char *ir_box_type_str(const ir_box_type *b, char *buf, size_t n);
/* The type of v as text: a tensor type, or a box type. */
const char *ir_value_type_str(const ir_value *v, char *buf, size_t n);

#endif
