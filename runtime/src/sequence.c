/* Sequences and optionals: kernels over boxes (box.h, kernels/sequence.h).
 *
 * Every kernel writes a whole new box: the compiler sizes input and output
 * boxes independently (an insert's output holds one record more), so
 * records are copied one by one, each at its element's own size. */
#include <string.h>

#include "onnxcc/kernels/sequence.h"

static void report(void *const *out, int status) {
  if (out[RT_STATUS_SLOT]) *(int *)out[RT_STATUS_SLOT] = status;
}

static int64_t elem_bytes(const int64_t *dims, int rank, int64_t esize) {
  int64_t n = esize;
  int d;
  for (d = 0; d < rank; d++) n *= dims[d];
  return n;
}

/* Copies one record (dims and data) of the input box to a box of any
 * record size. */
static void copy_record(const rt_box_params *p, unsigned char *dst, const unsigned char *src) {
  int rank = p->in_rank < 0 ? rt_box_rank(src) : p->in_rank;
  rt_box_set_dims(dst, RT_BOX_DIMS(src), rank);
  memcpy(RT_BOX_DATA(dst), RT_BOX_DATA(src), (size_t)elem_bytes(RT_BOX_DIMS(src), rank, p->esize));
}

static void set_header(void *box, int64_t present, int64_t count) {
  memset(box, 0, RT_BOX_HEADER_BYTES);
  RT_BOX_PRESENT(box) = present;
  RT_BOX_COUNT(box) = count;
}

/* Position in[k] (one int32 or int64), or `dflt` when absent. */
static int64_t position(const rt_box_params *p, const void *pos, int64_t dflt) {
  if (!pos) return dflt;
  return p->pos_int32 ? (int64_t) * (const int32_t *)pos : *(const int64_t *)pos;
}

RT_KERNEL(rt_box_empty) {
  const rt_box_params *p = params;
  (void)in;
  (void)scratch;
  set_header(out[0], p->present, 0);
}

RT_KERNEL(rt_box_insert) {
  const rt_box_params *p = params;
  /* mode 1 (Optional of a tensor): in[0] is the tensor, there is no box */
  const unsigned char *box = p->mode == 1 ? NULL : in[0];
  const void *x = p->mode == 1 ? in[0] : in[1];
  int64_t n = box ? RT_BOX_COUNT(box) : 0, pos = p->mode == 1 ? 0 : position(p, in[2], n), k;
  unsigned char *rec;
  (void)scratch;
  if (pos < 0) pos += n;
  if (pos < 0 || pos > n) {
    report(out, RT_ERR_VALUE);
    return;
  }
  if (n + 1 > p->out_cap) {
    report(out, RT_ERR_SHAPE); /* longer than the compiler's bound */
    return;
  }
  /* records after pos move one up */
  for (k = n - 1; k >= pos; k--)
    copy_record(p, RT_BOX_RECORD(out[0], p->out_rec, k + 1), RT_BOX_RECORD(box, p->in_rec, k));
  for (k = 0; k < pos; k++)
    copy_record(p, RT_BOX_RECORD(out[0], p->out_rec, k), RT_BOX_RECORD(box, p->in_rec, k));
  rec = RT_BOX_RECORD(out[0], p->out_rec, pos);
  rt_box_set_dims(rec, p->dims, p->rank);
  memcpy(RT_BOX_DATA(rec), x, (size_t)elem_bytes(p->dims, p->rank, p->esize));
  set_header(out[0], box && !p->present ? RT_BOX_PRESENT(box) : 1, n + 1);
}

RT_KERNEL(rt_box_erase) {
  const rt_box_params *p = params;
  const unsigned char *box = in[0];
  int64_t n = RT_BOX_COUNT(box), pos = position(p, in[1], n - 1), k;
  (void)scratch;
  if (pos < 0) pos += n;
  if (pos < 0 || pos >= n) {
    report(out, RT_ERR_VALUE);
    return;
  }
  for (k = 0; k < n - 1; k++)
    copy_record(p, RT_BOX_RECORD(out[0], p->out_rec, k), RT_BOX_RECORD(box, p->in_rec, k < pos ? k : k + 1));
  set_header(out[0], 1, n - 1);
}

RT_KERNEL(rt_box_at) {
  const rt_box_params *p = params;
  const unsigned char *box = in[0], *rec;
  int64_t n = RT_BOX_COUNT(box), pos = position(p, in[1], 0), *dd = out[1];
  int d, k = 0;
  (void)scratch;
  if (pos < 0) pos += n;
  if (!RT_BOX_PRESENT(box) || pos < 0 || pos >= n) {
    report(out, RT_ERR_VALUE);
    return;
  }
  rec = RT_BOX_RECORD(box, p->in_rec, pos);
  memcpy(out[0], RT_BOX_DATA(rec), (size_t)elem_bytes(RT_BOX_DIMS(rec), p->rank, p->esize));
  for (d = 0; d < p->rank && dd; d++)
    if (p->mask >> d & 1) dd[k++] = RT_BOX_DIMS(rec)[d];
}

RT_KERNEL(rt_box_length) {
  (void)params;
  (void)scratch;
  *(int64_t *)out[0] = RT_BOX_COUNT(in[0]);
}

RT_KERNEL(rt_box_has) {
  (void)params;
  (void)scratch;
  *(uint8_t *)out[0] = RT_BOX_PRESENT(in[0]) != 0;
}

RT_KERNEL(rt_box_copy) {
  const rt_box_params *p = params;
  const unsigned char *box = in[0];
  int64_t n = RT_BOX_COUNT(box), k;
  (void)scratch;
  if (p->mode == 1 && !RT_BOX_PRESENT(box)) {
    report(out, RT_ERR_VALUE);
    return;
  }
  if (n > p->out_cap) {
    report(out, RT_ERR_SHAPE);
    return;
  }
  for (k = 0; k < n; k++)
    copy_record(p, RT_BOX_RECORD(out[0], p->out_rec, k), RT_BOX_RECORD(box, p->in_rec, k));
  set_header(out[0], p->mode == 2 ? 1 : RT_BOX_PRESENT(box), n);
}

RT_KERNEL(rt_split_to_sequence) {
  const rt_box_params *p = params;
  const unsigned char *x = in[0];
  int64_t outer = 1, inner = p->esize, len = p->dims[p->axis], start = 0, piece = 1, k, o, n;
  int d, keep = p->keepdims || in[1];
  (void)scratch;
  for (d = 0; d < p->axis; d++) outer *= p->dims[d];
  for (d = (int)p->axis + 1; d < p->rank; d++) inner *= p->dims[d];
  if (in[1] && !p->n_split) {
    piece = position(p, in[1], 1);
    if (piece < 1) {
      report(out, RT_ERR_VALUE);
      return;
    }
  }
  if (in[1] && p->n_split) {
    int64_t sum = 0;
    for (k = 0; k < p->n_split; k++) {
      int64_t s = p->pos_int32 ? (int64_t)((const int32_t *)in[1])[k] : ((const int64_t *)in[1])[k];
      if (s < 0) sum = -1;
      if (sum >= 0) sum += s;
    }
    if (sum != len) {
      report(out, RT_ERR_VALUE);
      return;
    }
  }
  n = in[1] && p->n_split ? p->n_split : (len + piece - 1) / piece;
  if (n > p->out_cap) {
    report(out, RT_ERR_SHAPE);
    return;
  }
  for (k = 0; k < n; k++) {
    unsigned char *rec = RT_BOX_RECORD(out[0], p->out_rec, k);
    int64_t *dims = RT_BOX_DIMS(rec), size;
    if (in[1] && p->n_split) size = p->pos_int32 ? (int64_t)((const int32_t *)in[1])[k] : ((const int64_t *)in[1])[k];
    else size = len - start < piece ? len - start : piece;
    for (d = 0, o = 0; d < p->rank; d++) {
      if (d != p->axis) dims[o++] = p->dims[d];
      else if (keep) dims[o++] = size;
    }
    for (; o < RT_MAX_RANK; o++) dims[o] = -1;
    for (o = 0; o < outer; o++)
      memcpy(RT_BOX_DATA(rec) + o * size * inner, x + (o * len + start) * inner, (size_t)(size * inner));
    start += size;
  }
  set_header(out[0], 1, n);
}

RT_KERNEL(rt_concat_from_sequence) {
  const rt_box_params *p = params;
  const unsigned char *box = in[0];
  int64_t n = RT_BOX_COUNT(box), outer = 1, inner = p->esize, total = 0, at = 0, k, o, *dd = out[1];
  const int64_t *first;
  int64_t ydims[RT_MAX_RANK + 1];
  int d, yrank = p->rank + (p->new_axis ? 1 : 0);
  (void)scratch;
  if (n < 1) {
    report(out, RT_ERR_VALUE);
    return;
  }
  first = RT_BOX_DIMS(RT_BOX_RECORD(box, p->in_rec, 0));
  for (k = 0; k < n; k++) {
    const int64_t *dims = RT_BOX_DIMS(RT_BOX_RECORD(box, p->in_rec, k));
    for (d = 0; d < p->rank; d++)
      if (dims[d] != first[d] && (p->new_axis || d != p->axis)) {
        report(out, RT_ERR_VALUE);
        return;
      }
    total += p->new_axis ? 1 : dims[p->axis];
  }
  for (d = 0; d < p->axis; d++) outer *= first[d];
  for (d = (int)p->axis + (p->new_axis ? 0 : 1); d < p->rank; d++) inner *= first[d];
  /* each element contributes a [outer, its length, inner] block */
  for (k = 0; k < n; k++) {
    const unsigned char *rec = RT_BOX_RECORD(box, p->in_rec, k);
    int64_t len = p->new_axis ? 1 : RT_BOX_DIMS(rec)[p->axis];
    for (o = 0; o < outer; o++)
      memcpy((unsigned char *)out[0] + (o * total + at) * inner, RT_BOX_DATA(rec) + o * len * inner,
             (size_t)(len * inner));
    at += len;
  }
  for (d = 0, o = 0; d < yrank; d++) {
    if (d == p->axis) ydims[d] = total;
    else ydims[d] = first[o];
    if (d != p->axis || !p->new_axis) o++;
  }
  for (d = 0, k = 0; d < yrank && dd; d++)
    if (p->mask >> d & 1) dd[k++] = ydims[d];
}
