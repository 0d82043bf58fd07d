#include "pb_depth.h"

#include <stdint.h>
#include <stdlib.h>

#include "diag.h"

/* The message types of the ONNX schema that matter for nesting. Field
 * numbers are those of onnx/onnx.proto (IR version 10). proto/onnx.proto
 * declares only part of them; the rest are followed too, because a field
 * onnxcc drops today may be declared tomorrow, and then protobuf-c would
 * recurse into it. Messages without message-typed fields are M_LEAF: they
 * still count as one level. */
enum {
  M_NONE, /* not a message field: skipped */
  M_LEAF, /* OperatorSetId, StringStringEntry, Dimension, Segment, ... */
  M_MODEL,
  M_GRAPH,
  M_NODE,
  M_ATTR,
  M_TENSOR,
  M_SPARSE,
  M_VALUE_INFO,
  M_TYPE,
  M_TYPE_TENSOR,  /* TypeProto.Tensor and TypeProto.SparseTensor */
  M_TYPE_ELEM,    /* TypeProto.Sequence and TypeProto.Optional */
  M_TYPE_MAP,
  M_SHAPE,
  M_FUNCTION,
  M_TRAINING,
  M_ANNOTATION
};

/* The type of field `field` of message type `m` when it is a message. */
static int child_type(int m, uint64_t field) {
  switch (m) {
  case M_MODEL:
    switch (field) {
    case 7: return M_GRAPH;         /* graph */
    case 8: return M_LEAF;          /* opset_import */
    case 14: return M_LEAF;         /* metadata_props */
    case 20: return M_TRAINING;     /* training_info */
    case 25: return M_FUNCTION;     /* functions */
    }
    break;
  case M_GRAPH:
    switch (field) {
    case 1: return M_NODE;          /* node */
    case 5: return M_TENSOR;        /* initializer */
    case 11: case 12: case 13: return M_VALUE_INFO; /* input, output, value_info */
    case 14: return M_ANNOTATION;   /* quantization_annotation */
    case 15: return M_SPARSE;       /* sparse_initializer */
    case 16: return M_LEAF;         /* metadata_props */
    }
    break;
  case M_NODE:
    switch (field) {
    case 5: return M_ATTR;          /* attribute */
    case 9: return M_LEAF;          /* metadata_props */
    }
    break;
  case M_ATTR:
    switch (field) {
    case 5: case 10: return M_TENSOR;  /* t, tensors */
    case 6: case 11: return M_GRAPH;   /* g, graphs */
    case 14: case 15: return M_TYPE;   /* tp, type_protos */
    case 22: case 23: return M_SPARSE; /* sparse_tensor, sparse_tensors */
    }
    break;
  case M_TENSOR:
    switch (field) {
    case 3: return M_LEAF;          /* segment */
    case 13: case 16: return M_LEAF; /* external_data, metadata_props */
    }
    break;
  case M_SPARSE:
    if (field == 1 || field == 2) return M_TENSOR; /* values, indices */
    break;
  case M_VALUE_INFO:
    if (field == 2) return M_TYPE;  /* type */
    if (field == 4) return M_LEAF;  /* metadata_props */
    break;
  case M_TYPE:
    switch (field) {
    case 1: case 8: return M_TYPE_TENSOR; /* tensor_type, sparse_tensor_type */
    case 4: case 9: return M_TYPE_ELEM;   /* sequence_type, optional_type */
    case 5: return M_TYPE_MAP;            /* map_type */
    }
    break;
  case M_TYPE_TENSOR:
    if (field == 2) return M_SHAPE; /* shape */
    break;
  case M_TYPE_ELEM:
    if (field == 1) return M_TYPE;  /* elem_type */
    break;
  case M_TYPE_MAP:
    if (field == 2) return M_TYPE;  /* value_type */
    break;
  case M_SHAPE:
    if (field == 1) return M_LEAF;  /* dim */
    break;
  case M_FUNCTION:
    switch (field) {
    case 7: return M_NODE;          /* node */
    case 9: return M_LEAF;          /* opset_import */
    case 11: return M_ATTR;         /* attribute_proto */
    case 12: return M_VALUE_INFO;   /* value_info */
    case 14: return M_LEAF;         /* metadata_props */
    }
    break;
  case M_TRAINING:
    if (field == 1 || field == 2) return M_GRAPH; /* initialization, algorithm */
    if (field == 3 || field == 4) return M_LEAF;  /* the bindings */
    break;
  case M_ANNOTATION:
    if (field == 2) return M_LEAF;  /* quant_parameter_tensor_names */
    break;
  }
  return M_NONE;
}

/* Reads a varint at *pos (below end). Returns 0 when it is cut off or
 * longer than 10 bytes. */
static int read_varint(const unsigned char *d, size_t *pos, size_t end, uint64_t *v) {
  uint64_t r = 0;
  int shift;
  for (shift = 0; shift < 70 && *pos < end; shift += 7) {
    unsigned char b = d[(*pos)++];
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return 1;
    }
  }
  return 0;
}

typedef struct frame {
  int type;
  size_t end; /* offset just past this message */
} frame;

int pb_depth_exceeds(const unsigned char *data, size_t size, int limit) {
  frame *stack;
  int sp = 0, too_deep = 0;
  size_t pos = 0;
  if (limit < 1) return 1;
  if (!data) return 0;
  stack = xmalloc(sizeof(frame) * (unsigned long)limit);
  stack[sp].type = M_MODEL;
  stack[sp].end = size;
  sp++;
  /* `pos` only moves forward, so the scan is linear. A message whose bytes
   * are not valid wire format is left at that point: its parent carries
   * on after it (protobuf-c rejects it, or ignores it as an unknown field,
   * without looking inside). */
  while (sp > 0 && !too_deep) {
    frame *f = &stack[sp - 1];
    uint64_t tag, len;
    int ok = 1;
    if (pos >= f->end) {
      sp--;
      continue;
    }
    if (!read_varint(data, &pos, f->end, &tag)) {
      ok = 0;
    } else {
      switch (tag & 7) {
      case 0: ok = read_varint(data, &pos, f->end, &len); break;
      case 1:
        ok = f->end - pos >= 8;
        if (ok) pos += 8;
        break;
      case 5:
        ok = f->end - pos >= 4;
        if (ok) pos += 4;
        break;
      case 2: {
        int t;
        ok = read_varint(data, &pos, f->end, &len) && len <= f->end - pos;
        if (!ok) break;
        t = child_type(f->type, tag >> 3);
        if (t == M_NONE) {
          pos += (size_t)len;
        } else if (sp == limit) {
          too_deep = 1;
        } else {
          stack[sp].type = t;
          stack[sp].end = pos + (size_t)len;
          sp++;
        }
        break;
      }
      default: ok = 0; break; /* groups: protobuf-c does not take them */
      }
    }
    if (!ok) {
      pos = f->end;
      sp--;
    }
  }
  free(stack);
  return too_deep;
}
