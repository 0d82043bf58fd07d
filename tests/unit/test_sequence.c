/* Sequences and optionals: the box type rules of the compiler (sizes,
 * joins, which boxes share a buffer), the SequenceProto/OptionalProto
 * round trip through the box layout, and the box kernels on small hand
 * cases, refused values included. */
#include <stdlib.h>
#include <string.h>

#include <onnxcc/kernels.h>

#include "../../compiler/box_pb.h"
#include "../../compiler/ir_box.h"
#include "suites.h"

static ir_box_type seq_of(int dtype, int rank, const int64_t *dims, int64_t cap) {
  ir_box_type b;
  memset(&b, 0, sizeof b);
  b.kind = VK_SEQUENCE;
  b.cap = cap;
  b.elem.dtype = dtype;
  b.elem.rank = rank;
  if (rank > 0) memcpy(b.elem.dims, dims, sizeof(int64_t) * (size_t)rank);
  return b;
}

START_TEST(box_sizes) {
  const int64_t d3[1] = {3}, d20[1] = {20};
  ir_box_type a = seq_of(DT_FLOAT, 1, d3, 4), b = seq_of(DT_FLOAT, 1, d20, 2);
  /* a record: 64 bytes of dims, then the data rounded up to 64 */
  ck_assert_int_eq(ir_box_record_bytes(&a), 128);
  ck_assert_int_eq(ir_box_bytes(&a), 64 + 4 * 128);
  ck_assert_int_eq(ir_box_record_bytes(&b), 64 + 128);
  /* the empty sequence: a header only, and it shares with anything */
  a.cap = 0;
  ck_assert_int_eq(ir_box_bytes(&a), 64);
  ck_assert(ir_box_compatible(&a, &b));
  a.cap = 4;
  ck_assert(!ir_box_compatible(&a, &b)); /* records of different sizes */
  b.kind = VK_OPTIONAL;
  ck_assert(!ir_box_compatible(&a, &b)); /* a sequence is not an optional tensor */
}
END_TEST

START_TEST(box_join) {
  const int64_t d23[2] = {2, 3}, d43[2] = {4, 3};
  ir_box_type into = seq_of(DT_FLOAT, 2, d23, 1), from = seq_of(DT_FLOAT, 2, d43, 1), empty;
  char buf[64];
  ck_assert(ir_box_join_elem(&into, &from));
  ck_assert_int_eq(into.var[0], 1); /* 2 against 4: per element, up to 4 */
  ck_assert_int_eq(into.elem.dims[0], 4);
  ck_assert_int_eq(into.var[1], 0);
  ck_assert_str_eq(ir_box_type_str(&into, buf, sizeof buf), "seq(float[..4,3])<=1");
  /* an always-empty sequence takes the other's element type */
  empty = seq_of(DT_FLOAT, -1, NULL, 0);
  ck_assert(ir_box_join_elem(&empty, &from));
  ck_assert_int_eq(empty.elem.rank, 2);
  ck_assert_int_eq(empty.var[0], 0);
  /* element types that differ do not join */
  from = seq_of(DT_INT64, 2, d43, 1);
  ck_assert(!ir_box_join_elem(&into, &from));
  /* ranks that differ do: the larger rank, every dim per element, a dim
   * of 0 bounded by 1 so the product still bounds the rank-1 element */
  into = seq_of(DT_FLOAT, 1, (const int64_t[]){5}, 1);
  from = seq_of(DT_FLOAT, 2, (const int64_t[]){3, 0}, 1);
  ck_assert(ir_box_join_elem(&into, &from));
  ck_assert_int_eq(into.var_rank, 1);
  ck_assert_int_eq(into.elem.rank, 2);
  ck_assert_int_eq(into.elem.dims[0], 5);
  ck_assert_int_eq(into.elem.dims[1], 1);
  ck_assert_int_eq(into.var[1], 1);
  ck_assert_str_eq(ir_box_type_str(&into, buf, sizeof buf), "seq(float[..5,..1] or lower rank)<=1");
  ck_assert_int_eq(ir_box_record_bytes(&into), 128);
}
END_TEST

/* Two float elements of different lengths through box_pack and
 * box_unpack, and the pin a file with them gives. */
START_TEST(box_round_trip) {
  float a[3] = {1, 2, 3}, b[1] = {7};
  ir_tensor elems[2];
  box_value v, back;
  pin p;
  ir_box_type t;
  unsigned char *bytes;
  size_t n;
  memset(elems, 0, sizeof elems);
  memset(&v, 0, sizeof v);
  elems[0].dtype = elems[1].dtype = DT_FLOAT;
  elems[0].rank = elems[1].rank = 1;
  elems[0].dims[0] = 3;
  elems[1].dims[0] = 1;
  elems[0].data = a;
  elems[1].data = b;
  v.kind = VK_SEQUENCE;
  v.present = 1;
  v.n = 2;
  v.elems = elems;
  ck_assert_int_eq(box_pin(&v, &p), ST_OK);
  ck_assert_int_eq(p.cap, 2);
  ck_assert_int_eq(p.dims[0], 3);
  ck_assert_int_eq(p.var[0], 1);
  t = seq_of(DT_FLOAT, 1, (const int64_t[]){3}, 2);
  t.var[0] = 1;
  ck_assert_int_eq(box_pack(&v, &t, &bytes, &n), ST_OK);
  ck_assert_uint_eq(n, 64 + 2 * 128);
  ck_assert_int_eq(RT_BOX_COUNT(bytes), 2);
  ck_assert_int_eq(RT_BOX_DIMS(RT_BOX_RECORD(bytes, 128, 1))[0], 1);
  ck_assert_int_eq(box_unpack(bytes, n, &t, &back), ST_OK);
  ck_assert_int_eq(back.n, 2);
  ck_assert_int_eq(back.elems[1].dims[0], 1);
  ck_assert(((float *)back.elems[1].data)[0] == 7.0f);
  box_value_free(&back);
  free(bytes);
  /* an element larger than the compiled bound is refused */
  t.elem.dims[0] = 2;
  diag_set_quiet_push();
  ck_assert_int_eq(box_pack(&v, &t, &bytes, &n), ST_BAD_MODEL);
  diag_set_quiet_pop();
}
END_TEST

/* in[0..2], out[0..1] and a status for one kernel call */
typedef struct call {
  const void *in[RT_MIN_ARGS];
  void *out[RT_MIN_ARGS];
  int status;
  int64_t dd[16];
} call;

static void call_init(call *k) {
  memset(k, 0, sizeof *k);
  k->out[RT_STATUS_SLOT] = &k->status;
}

START_TEST(box_kernels) {
  /* split [2,3] floats into columns (pieces of 1, axis kept), insert a
   * column at the front, erase the last, read one back, concatenate */
  float x[6] = {1, 2, 3, 4, 5, 6}, col[2] = {9, 8}, got[8];
  int64_t s1[(64 + 3 * 128) / 8], s2[(64 + 4 * 128) / 8], s3[(64 + 4 * 128) / 8];
  rt_box_params p;
  call k;
  int64_t pos;
  memset(&p, 0, sizeof p);
  p.esize = 4;
  p.rank = 2;
  p.dims[0] = 2;
  p.dims[1] = 3;
  p.axis = 1;
  p.keepdims = 1;
  p.out_rec = 128;
  p.out_cap = 3;
  call_init(&k);
  k.in[0] = x;
  k.out[0] = s1;
  rt_split_to_sequence(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert_int_eq(RT_BOX_COUNT(s1), 3);
  ck_assert(((float *)RT_BOX_DATA(RT_BOX_RECORD(s1, 128, 1)))[1] == 5.0f); /* column 1: 2, 5 */
  /* insert at 0 */
  p.in_rec = 128;
  p.in_rank = 2;
  p.out_cap = 4;
  p.dims[0] = 2;
  p.dims[1] = 1;
  pos = -3; /* from the end: the front of three */
  call_init(&k);
  k.in[0] = s1;
  k.in[1] = col;
  k.in[2] = &pos;
  k.out[0] = s2;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert_int_eq(RT_BOX_COUNT(s2), 4);
  ck_assert(((float *)RT_BOX_DATA(RT_BOX_RECORD(s2, 128, 0)))[0] == 9.0f);
  ck_assert(((float *)RT_BOX_DATA(RT_BOX_RECORD(s2, 128, 1)))[0] == 1.0f);
  /* a position past the end, and a box already full, are refused */
  pos = 5;
  call_init(&k);
  k.in[0] = s1;
  k.in[1] = col;
  k.in[2] = &pos;
  k.out[0] = s3;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_ERR_VALUE);
  call_init(&k);
  k.in[0] = s2;
  k.in[1] = col;
  k.out[0] = s3;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_ERR_SHAPE);
  /* erase the last: 9|8, 1|4, 2|5 */
  call_init(&k);
  k.in[0] = s2;
  k.out[0] = s3;
  rt_box_erase(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert_int_eq(RT_BOX_COUNT(s3), 3);
  /* read element 2 back: [2,1] = 2, 5, with both dims reported */
  pos = 2;
  p.mask = 3;
  call_init(&k);
  k.in[0] = s3;
  k.in[1] = &pos;
  k.out[0] = got;
  k.out[1] = k.dd;
  rt_box_at(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert(got[0] == 2.0f && got[1] == 5.0f);
  ck_assert_int_eq(k.dd[0], 2);
  ck_assert_int_eq(k.dd[1], 1);
  /* join along axis 1: [2,3] = 9 1 2 / 8 4 5; dim 1 reported */
  p.mask = 2;
  call_init(&k);
  k.in[0] = s3;
  k.out[0] = got;
  k.out[1] = k.dd;
  rt_concat_from_sequence(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert_int_eq(k.dd[0], 3);
  ck_assert(got[0] == 9.0f && got[1] == 1.0f && got[2] == 2.0f && got[3] == 8.0f && got[5] == 5.0f);
  /* an empty sequence cannot be joined */
  call_init(&k);
  memset(s1, 0, 64);
  k.in[0] = s1;
  k.out[0] = got;
  rt_concat_from_sequence(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_ERR_VALUE);
}
END_TEST

/* A sequence whose elements differ in rank: each record ends its dims
 * with -1, and kernels given in_rank -1 copy each at its own rank. */
START_TEST(box_mixed_rank) {
  float zero = 0.5f, row[3] = {1, 2, 3};
  int64_t s1[(64 + 1 * 128) / 8], s2[(64 + 2 * 128) / 8], s3[(64 + 2 * 128) / 8];
  const unsigned char *r;
  rt_box_params p;
  call k;
  memset(&p, 0, sizeof p);
  p.esize = 4;
  p.out_rec = p.in_rec = 128;
  /* [0.5] from nothing (an Optional-style insert of a scalar) */
  p.mode = 1;
  p.present = 1;
  p.out_cap = 1;
  call_init(&k);
  k.in[0] = &zero;
  k.out[0] = s1;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(rt_box_rank(RT_BOX_RECORD(s1, 128, 0)), 0);
  /* append a float[3]: the scalar record is copied at its rank 0 */
  p.mode = 0;
  p.rank = 1;
  p.dims[0] = 3;
  p.in_rank = 0;
  p.out_cap = 2;
  call_init(&k);
  k.in[0] = s1;
  k.in[1] = row;
  k.out[0] = s2;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert_int_eq(RT_BOX_COUNT(s2), 2);
  /* copied into a new box, each record keeps its own rank */
  p.in_rank = -1;
  call_init(&k);
  k.in[0] = s2;
  k.out[0] = s3;
  rt_box_copy(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  r = RT_BOX_RECORD(s3, 128, 0);
  ck_assert_int_eq(rt_box_rank(r), 0);
  ck_assert(((const float *)RT_BOX_DATA(r))[0] == 0.5f);
  r = RT_BOX_RECORD(s3, 128, 1);
  ck_assert_int_eq(rt_box_rank(r), 1);
  ck_assert_int_eq(RT_BOX_DIMS(r)[0], 3);
  ck_assert_int_eq(RT_BOX_DIMS(r)[1], -1);
  ck_assert(((const float *)RT_BOX_DATA(r))[2] == 3.0f);
}
END_TEST

START_TEST(optional_kernels) {
  float x[2] = {3, 4}, got[2];
  int64_t opt[(64 + 128) / 8];
  rt_box_params p;
  call k;
  uint8_t has = 9;
  memset(&p, 0, sizeof p);
  p.esize = 4;
  p.rank = 1;
  p.dims[0] = 2;
  p.out_rec = p.in_rec = 128;
  p.out_cap = 1;
  /* an empty optional: not there, and reading it is refused */
  call_init(&k);
  k.out[0] = opt;
  rt_box_empty(&p, k.in, k.out, NULL);
  call_init(&k);
  k.in[0] = opt;
  k.out[0] = &has;
  rt_box_has(&p, k.in, k.out, NULL);
  ck_assert_int_eq(has, 0);
  call_init(&k);
  k.in[0] = opt;
  k.out[0] = got;
  rt_box_at(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_ERR_VALUE);
  /* Optional(x): mode 1 takes the tensor as in[0] */
  p.mode = 1;
  p.present = 1;
  call_init(&k);
  k.in[0] = x;
  k.out[0] = opt;
  rt_box_insert(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  call_init(&k);
  k.in[0] = opt;
  k.out[0] = &has;
  rt_box_has(&p, k.in, k.out, NULL);
  ck_assert_int_eq(has, 1);
  call_init(&k);
  k.in[0] = opt;
  k.out[0] = got;
  rt_box_at(&p, k.in, k.out, NULL);
  ck_assert_int_eq(k.status, RT_OK);
  ck_assert(got[1] == 4.0f);
}
END_TEST

Suite *sequence_suite(void) {
  Suite *s = suite_create("sequence");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, box_sizes);
  tcase_add_test(tc, box_join);
  tcase_add_test(tc, box_round_trip);
  tcase_add_test(tc, box_kernels);
  tcase_add_test(tc, box_mixed_rank);
  tcase_add_test(tc, optional_kernels);
  suite_add_tcase(s, tc);
  return s;
}
