/* fuse-channel-scale: Mul(x, s), with s one factor per channel of x
 * ([1, C, 1, ...] or [N, C, 1, ...]), whose only reader is a float Conv
 * with constant weights (as its input X), becomes part of that Conv: the
 * kernel multiplies each input value by its channel's factor while it
 * copies the input into its panels, a copy it makes anyway. This is the
 * end of every squeeze-excitation block (efficientnet, mobilenet_v3): the
 * gate s scales the block's widest tensor, which the projection Conv
 * reads next. Unfused, the Mul is one more read and write of that tensor
 * (9 % of efficientnet_b0's run, measured by perf).
 *
 * The result is not bit for bit the Mul's: the product x * s is rounded
 * as before, and the Conv then adds those same rounded products, so it
 * is. Only where that holds: the Mul's output has x's shape (s broadcasts
 * along channels only), is float, read by this Conv alone, no graph
 * output; the Conv has constant weights and one group (the kernels that
 * copy the input into panels: the _packed variants), and no scale yet.
 * The scale sits at the Conv's input slot 4 and the attribute
 * "onnxcc.in_scale" says how it is read: 1 one factor per channel for
 * every image, 2 one per image and channel. */
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

#define ATTR_IN_SCALE "onnxcc.in_scale"
#define SCALE_SLOT 4

/* How s scales x per channel (1: [1, C, 1...], 2: [N, C, 1...] with
 * N > 1, or fewer leading dims, numpy-aligned), or 0. */
static int channel_scale_kind(const ir_tensor *x, const ir_tensor *s) {
  const int off = x->rank - s->rank;
  int d, kind = 1;
  if (s->dtype != DT_FLOAT || x->rank < 3 || s->rank > x->rank || tensor_is_symbolic(x) || tensor_is_symbolic(s))
    return 0;
  for (d = 0; d < s->rank; d++) {
    const int xd = d + off;
    const int64_t n = s->dims[d];
    if (xd == 1) {
      if (n != x->dims[1]) return 0;
    } else if (xd == 0 && n == x->dims[0] && n > 1) {
      kind = 2;
    } else if (n != 1) {
      return 0;
    }
  }
  return off <= 1 ? kind : 0;
}

static int try_fuse(ir_graph *g, ir_node *conv) {
  ir_node *mul;
  const ir_value *y;
  int k, kind = 0;
  if (conv->op != OP_Conv || conv->n_in < 2 || conv->in[0] < 0 || conv->in[1] < 0) return 0;
  if (!g->values[conv->in[1]]->t.data || attr_int(conv, "group", 1) != 1 || ir_attr_find(conv, ATTR_IN_SCALE))
    return 0;
  if (conv->n_in > SCALE_SLOT && conv->in[SCALE_SLOT] >= 0) return 0;
  if (!(mul = rw_sole_producer(g, conv->in[0], OP_Mul)) || mul->n_in != 2 || mul->in[0] < 0 || mul->in[1] < 0)
    return 0;
  y = g->values[mul->out[0]];
  if (y->t.dtype != DT_FLOAT) return 0; /* (rw_sole_producer: read by the Conv alone, no graph output) */
  for (k = 0; k < 2 && !kind; k++) {
    const ir_value *x = g->values[mul->in[k]], *s = g->values[mul->in[1 - k]];
    if (!op_same_type_and_shape(&x->t, &y->t) || (kind = channel_scale_kind(&x->t, &s->t)) == 0) continue;
    rw_set_input(g, conv, SCALE_SLOT, mul->in[1 - k]);
    rw_set_input(g, conv, 0, mul->in[k]);
    rw_set_int(conv, ATTR_IN_SCALE, kind);
    rw_kill(g, mul);
  }
  return kind != 0;
}

status pass_fuse_channel_scale(ir_graph *g) { return rw_each_node(g, try_fuse); }

int32_t op_lower_in_scale(const ir_node *n) { return (int32_t)attr_int(n, ATTR_IN_SCALE, 0); }
