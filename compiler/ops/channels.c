/* GatherChannels, the compiler's own op, which only the gather-channels
 * pass makes (passes/gather_channels.c):
 *
 *   GatherChannels(X_0, ..., X_k-1) -> Y [N, len(sources), H, W]
 *       X_i [N, C_i, H, W] of one element type; attributes in_channels
 *       (the C_i) and sources: per channel of Y, its channel in the
 *       inputs' channels laid end to end (what Concat along axis 1 of
 *       them would number it).
 *
 * The layout-nchwc pass may block it (attribute blocked = 1): the inputs
 * and Y are then float blocked tensors [N, ceil(C / 16), H, W, 16] of the
 * same channels (kernels/nchwc.h). The kernels (kernels/channels.h) take
 * the map as one more input, an int32 table the final lowering writes into
 * the blob. */
#include <string.h>

#include "ops.h"
#include "shared_shapes.h"

#define BLOCK RT_CONV_NCHWC_BLOCK

static int64_t blocks_of(int64_t ch) { return (ch + BLOCK - 1) / BLOCK; }

/* The node's attributes, checked against its inputs: *count data inputs
 * of in_channels *in_ch, *n_out sources *src. */
static status gather_check(op_ctx *c, const int64_t **in_ch, int *count, const int64_t **src, int *n_out) {
  const int blocked = (int)attr_int(c->n, "blocked", 0);
  const ir_value *x0 = op_in(c, 0);
  int64_t total = 0;
  int k, d;
  char s[128];
  *count = attr_ints(c->n, "in_channels", in_ch);
  *n_out = attr_ints(c->n, "sources", src);
  if (*count < 1 || *count > RT_GATHER_CHANNELS_MAX_INPUTS || *count > c->n->n_in || *n_out < 1 || !x0)
    return diag_node_error(ST_INTERNAL, c->n, "GatherChannels needs 1 to %d inputs and their in_channels, and sources",
                           RT_GATHER_CHANNELS_MAX_INPUTS);
  for (k = 0; k < *count; k++) {
    const ir_value *x = op_in(c, k);
    const int rank = blocked ? 5 : 4;
    int bad = !x || x->t.rank != rank || tensor_is_symbolic(&x->t) || x->t.dtype != x0->t.dtype ||
              (*in_ch)[k] < 1 || x->t.dims[1] != (blocked ? blocks_of((*in_ch)[k]) : (*in_ch)[k]) ||
              (blocked && (x->t.dtype != DT_FLOAT || x->t.dims[4] != BLOCK));
    for (d = 0; d < 4 && !bad; d++)
      if (d != 1 && x->t.dims[d] != x0->t.dims[d]) bad = 1;
    if (bad)
      return diag_node_error(ST_INTERNAL, c->n, "GatherChannels: input %d is %s, not %s[N, %lld, H, W] as input 0", k,
                             x ? tensor_type_str(&x->t, s, sizeof s) : "absent", blocked ? "blocked " : "",
                             (long long)(*in_ch)[k]);
    total += (*in_ch)[k];
  }
  if (dtype_size(x0->t.dtype) == 0 || dtype_packed_bits(x0->t.dtype) || x0->t.dtype == DT_STRING)
    return diag_node_error(ST_INTERNAL, c->n, "GatherChannels copies whole elements, not %s",
                           dtype_name(x0->t.dtype));
  for (k = 0; k < *n_out; k++)
    if ((*src)[k] < 0 || (*src)[k] >= total)
      return diag_node_error(ST_INTERNAL, c->n, "GatherChannels: source %lld of channel %d is past the %lld channels",
                             (long long)(*src)[k], k, (long long)total);
  return ST_OK;
}

static status channels_infer(op_ctx *c) {
  const int64_t *in_ch, *src;
  int count, n_out;
  int64_t dims[5];
  status s = gather_check(c, &in_ch, &count, &src, &n_out);
  if (s) return s;
  memcpy(dims, op_in(c, 0)->t.dims, sizeof(int64_t) * (size_t)op_in(c, 0)->t.rank);
  dims[1] = attr_int(c->n, "blocked", 0) ? blocks_of(n_out) : n_out;
  op_set_output(c, 0, op_in(c, 0)->t.dtype, op_in(c, 0)->t.rank, dims);
  return ST_OK;
}

static status channels_lower(op_ctx *c, lowered *l) {
  const int blocked = (int)attr_int(c->n, "blocked", 0);
  const ir_tensor *x = &op_in(c, 0)->t;
  const int64_t *in_ch, *src;
  rt_gather_channels_params *p;
  int count, n_out, k, i;
  status s = gather_check(c, &in_ch, &count, &src, &n_out);
  if (s) return s;
  p = blocked ? LOWER(l, rt_nchwc_gather_channels_f32, rt_gather_channels_params)
              : LOWER(l, rt_gather_channels, rt_gather_channels_params);
  p->batch = x->dims[0];
  p->channels = n_out;
  p->inner = x->dims[2] * x->dims[3] * (blocked ? 1 : (int64_t)dtype_size(x->dtype));
  p->inputs = count;
  if (c->final && c->n->n_in == count) { /* the map, once */
    int32_t *map = (int32_t *)op_add_table(c, "gather_channels_map", DT_INT32, count + 2 * (int64_t)n_out, count);
    for (k = 0; k < count; k++) map[k] = (int32_t)in_ch[k];
    for (i = 0; i < n_out; i++) {
      int64_t ch = src[i];
      for (k = 0; ch >= in_ch[k]; k++) ch -= in_ch[k];
      map[count + 2 * i] = k;
      map[count + 2 * i + 1] = (int32_t)ch;
    }
  }
  return ST_OK;
}

const op_family op_family_channels = {channels_infer, channels_lower, 0, 0};
