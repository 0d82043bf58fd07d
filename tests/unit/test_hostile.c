/* Hostile input: the weight blob header check and the protobuf nesting
 * limit that runs before protobuf-c's recursive unpack. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../compiler/load.h"
#include "../../compiler/pb_depth.h"
#include "onnxcc/runtime.h"
#include "suites.h"

/* ---- weight blob ---- */

enum { PAYLOAD = 192 };

static void put_le(unsigned char *p, uint64_t v, int bytes) {
  int i;
  for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* A valid blob laid out as runtime.h documents it. */
static unsigned char *make_blob(uint64_t *hash) {
  unsigned char *b = calloc(1, RT_BLOB_HEADER_BYTES + PAYLOAD);
  int i;
  for (i = 0; i < PAYLOAD; i++) b[RT_BLOB_HEADER_BYTES + i] = (unsigned char)(i * 37 + 11);
  *hash = rt_fnv1a64(b + RT_BLOB_HEADER_BYTES, PAYLOAD);
  memcpy(b, "ONNXCCW", 8);
  put_le(b + 8, RT_BLOB_VERSION, 4);
  put_le(b + 16, PAYLOAD, 8);
  put_le(b + 24, *hash, 8);
  return b;
}

START_TEST(blob_valid_is_accepted) {
  uint64_t hash;
  unsigned char *b = make_blob(&hash);
  ck_assert_int_eq(rt_blob_check(b, RT_BLOB_HEADER_BYTES + PAYLOAD, PAYLOAD, hash), RT_OK);
  free(b);
}
END_TEST

/* Every bit of the header means something (magic, version, size, hash) or
 * is reserved and must be zero, so no single flip may pass. */
START_TEST(blob_every_header_bit_flip_is_rejected) {
  uint64_t hash;
  unsigned char *b = make_blob(&hash);
  int bit, accepted = 0;
  for (bit = 0; bit < RT_BLOB_HEADER_BYTES * 8; bit++) {
    int st;
    b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    st = rt_blob_check(b, RT_BLOB_HEADER_BYTES + PAYLOAD, PAYLOAD, hash);
    b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    if (st == RT_OK) accepted++;
    ck_assert_msg(st != RT_OK, "flipping bit %d of header byte %d was accepted", bit % 8, bit / 8);
  }
  ck_assert_int_eq(accepted, 0);
  ck_assert_int_eq(rt_blob_check(b, RT_BLOB_HEADER_BYTES + PAYLOAD, PAYLOAD, hash), RT_OK);
  free(b);
}
END_TEST

START_TEST(blob_reserved_bytes_give_version_error) {
  uint64_t hash;
  unsigned char *b = make_blob(&hash);
  b[12] = 1;
  ck_assert_int_eq(rt_blob_check(b, RT_BLOB_HEADER_BYTES + PAYLOAD, PAYLOAD, hash), RT_ERR_BLOB_VERSION);
  b[12] = 0;
  b[63] = 0x80;
  ck_assert_int_eq(rt_blob_check(b, RT_BLOB_HEADER_BYTES + PAYLOAD, PAYLOAD, hash), RT_ERR_BLOB_VERSION);
  free(b);
}
END_TEST

/* ---- protobuf nesting ----
 * Models are written back to front into one buffer, so wrapping the bytes
 * so far in one more message costs only its tag and length. */

typedef struct wire {
  unsigned char *buf;
  size_t cap, start; /* the message is buf[start..cap) */
} wire;

static void wire_init(wire *w, size_t cap) {
  w->buf = malloc(cap);
  w->cap = cap;
  w->start = cap;
}

static void prepend(wire *w, const unsigned char *p, size_t n) {
  ck_assert_uint_ge(w->start, n);
  w->start -= n;
  memcpy(w->buf + w->start, p, n);
}

static void prepend_varint(wire *w, uint64_t v) {
  unsigned char tmp[10];
  size_t n = 0;
  do {
    tmp[n] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v) tmp[n] |= 0x80;
    n++;
  } while (v);
  prepend(w, tmp, n);
}

/* Wraps everything written so far as length-delimited field `field`. */
static void wrap(wire *w, unsigned field) {
  prepend_varint(w, w->cap - w->start);
  prepend_varint(w, ((uint64_t)field << 3) | 2);
}

static size_t wire_len(const wire *w) { return w->cap - w->start; }
static const unsigned char *wire_data(const wire *w) { return w->buf + w->start; }

/* Model > Graph > (Node > Attribute(g) > Graph) x levels: the innermost
 * graph is 2 + 3 * levels deep. `junk_tp` puts an AttributeProto.tp
 * (TypeProto, unknown to proto/onnx.proto) of invalid bytes before each g. */
static void nested_graphs(wire *w, int levels, int junk_tp) {
  int i;
  wire_init(w, (size_t)levels * 64 + 64);
  for (i = 0; i < levels; i++) {
    wrap(w, 6); /* AttributeProto.g */
    if (junk_tp) {
      static const unsigned char junk[] = {0xff, 0xff, 0xff};
      prepend(w, junk, sizeof junk);
      prepend_varint(w, sizeof junk);
      prepend_varint(w, (14u << 3) | 2);
    }
    wrap(w, 5); /* NodeProto.attribute */
    wrap(w, 1); /* GraphProto.node */
  }
  wrap(w, 7); /* ModelProto.graph */
}

/* Model > Graph > ValueInfo > Type > (Sequence or Optional > Type) x levels
 * > Tensor > Shape > Dimension: 7 + 2 * levels deep. */
static void nested_types(wire *w, int levels) {
  static const unsigned char dim_value[] = {0x08, 0x03}; /* Dimension.dim_value = 3 */
  int i;
  wire_init(w, (size_t)levels * 16 + 64);
  prepend(w, dim_value, sizeof dim_value);
  wrap(w, 1); /* TensorShapeProto.dim */
  wrap(w, 2); /* TypeProto.Tensor.shape */
  wrap(w, 1); /* TypeProto.tensor_type */
  for (i = 0; i < levels; i++) {
    wrap(w, 1);               /* Sequence/Optional.elem_type */
    wrap(w, i % 2 ? 9 : 4);   /* TypeProto.optional_type / sequence_type */
  }
  wrap(w, 2);  /* ValueInfoProto.type */
  wrap(w, 11); /* GraphProto.input */
  wrap(w, 7);  /* ModelProto.graph */
}

START_TEST(depth_counts_subgraphs_exactly) {
  wire w;
  nested_graphs(&w, 10, 0); /* 32 deep */
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), 32), 0);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), 31), 1);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), PB_MAX_DEPTH), 0);
  free(w.buf);
}
END_TEST

START_TEST(depth_counts_types_exactly) {
  wire w;
  nested_types(&w, 5); /* 17 deep */
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), 17), 0);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), 16), 1);
  free(w.buf);
}
END_TEST

/* Far deeper than any stack would take recursively: the scan is a loop. */
START_TEST(depth_very_deep_is_rejected) {
  wire w;
  nested_types(&w, 200000);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), PB_MAX_DEPTH), 1);
  free(w.buf);
  nested_graphs(&w, 50000, 0);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), PB_MAX_DEPTH), 1);
  free(w.buf);
}
END_TEST

/* Bytes that are not wire format inside one field must not end the scan
 * before the deep part that follows it. */
START_TEST(depth_malformed_field_does_not_hide_nesting) {
  wire w;
  nested_graphs(&w, 40, 1);
  ck_assert_int_eq(pb_depth_exceeds(wire_data(&w), wire_len(&w), PB_MAX_DEPTH), 1);
  free(w.buf);
}
END_TEST

START_TEST(depth_garbage_is_left_to_protobuf) {
  static const unsigned char garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const unsigned char cut[] = {0x3a, 0x20, 0x0a}; /* graph of 32 bytes, 1 present */
  ck_assert_int_eq(pb_depth_exceeds(garbage, sizeof garbage, PB_MAX_DEPTH), 0);
  ck_assert_int_eq(pb_depth_exceeds(cut, sizeof cut, PB_MAX_DEPTH), 0);
  ck_assert_int_eq(pb_depth_exceeds(cut, 0, PB_MAX_DEPTH), 0);
}
END_TEST

/* The loader reports it as a bad model before protobuf-c sees it. */
START_TEST(depth_loader_rejects_deep_model) {
  compile_options o;
  ir_graph *g = (ir_graph *)1;
  wire w;
  memset(&o, 0, sizeof o);
  o.model_path = "deep.onnx";
  nested_graphs(&w, 20000, 0);
  ck_assert_int_eq(load_model_buffer(&o, wire_data(&w), wire_len(&w), &g), ST_BAD_MODEL);
  ck_assert_ptr_null(g);
  free(w.buf);
}
END_TEST

Suite *hostile_suite(void) {
  Suite *s = suite_create("hostile");
  TCase *blob = tcase_create("blob");
  TCase *depth = tcase_create("depth");
  tcase_add_test(blob, blob_valid_is_accepted);
  tcase_add_test(blob, blob_every_header_bit_flip_is_rejected);
  tcase_add_test(blob, blob_reserved_bytes_give_version_error);
  tcase_add_test(depth, depth_counts_subgraphs_exactly);
  tcase_add_test(depth, depth_counts_types_exactly);
  tcase_add_test(depth, depth_very_deep_is_rejected);
  tcase_add_test(depth, depth_malformed_field_does_not_hide_nesting);
  tcase_add_test(depth, depth_garbage_is_left_to_protobuf);
  tcase_add_test(depth, depth_loader_rejects_deep_model);
  suite_add_tcase(s, blob);
  suite_add_tcase(s, depth);
  return s;
}
