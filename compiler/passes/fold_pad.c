/* fold-pad: a Pad that adds zeros around the spatial axes of a Conv's (or
 * a count_include_pad AveragePool's) input becomes that node's own
 * padding. Exporters write explicit Pads for asymmetric or "same"
 * padding; folded, the kernel reads the unpadded input and treats the
 * border as zeros, so the padded copy is neither written nor read.
 *
 * Only where the result is bit for bit the same: the Pad's mode is
 * constant, its value zero (all bytes zero, so not -0.0), its pads
 * constant, non-negative, and zero on the batch and channel axes, with no
 * axes input; its output feeds this one node (as the data input) and is
 * no graph output; the node's auto_pad is NOTSET. A Conv pads with zeros,
 * so any Conv qualifies. AveragePool only with ceil_mode=0, and with
 * count_include_pad=1 or no pads of its own (it then gets
 * count_include_pad=1: the Pad's zeros were elements it counted, and with
 * no pads before, every window lay inside the padded input, so each mean
 * divided by the whole window; PyTorch's AvgPool1d with padding exports
 * as such a Pad, audio_cnn1d's): with count_include_pad=0 and pads of its
 * own, the padded zeros would not be counted as the Pad counted them.
 * MaxPool pads with -inf, not zero, and QLinearConv and ConvInteger pad
 * with the zero point: those are left alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

/* The Pad's pads (2 * rank, begin then end) into pads; 0 when any of the
 * conditions above fails. */
static int zero_pad_amounts(const ir_graph *g, const ir_node *pad, int rank, int64_t *pads) {
  const int64_t opset = op_node_opset(g, pad);
  const int64_t *ap;
  const ir_value *pv, *cv;
  int k;
  if (strcmp(attr_string(pad, "mode", "constant"), "constant") != 0) return 0;
  if (opset < 11) {
    const float value = attr_float(pad, "value", 0.0f);
    if (value != 0.0f || signbit(value) || attr_ints(pad, opset < 2 ? "paddings" : "pads", &ap) != 2 * rank)
      return 0;
    memcpy(pads, ap, sizeof(int64_t) * (size_t)(2 * rank));
  } else {
    if (pad->n_in > 3 && pad->in[3] >= 0) return 0;
    pv = rw_const(g, pad, 1, DT_INT64);
    cv = pad->n_in > 2 && pad->in[2] >= 0 ? ir_val(g, pad->in[2]) : NULL;
    if (!pv || tensor_numel(&pv->t) != 2 * rank || (cv && (!cv->t.data || !rw_all_zero(cv)))) return 0;
    memcpy(pads, pv->t.data, sizeof(int64_t) * (size_t)(2 * rank));
  }
  for (k = 0; k < 2 * rank; k++)
    if (pads[k] < 0 || ((k % rank) < 2 && pads[k] != 0)) return 0;
  return 1;
}

/* Whether n has no pads of its own (absent or all zero). */
static int unpadded(const ir_node *n) {
  const int64_t *p;
  const int count = attr_ints(n, "pads", &p);
  int k;
  for (k = 0; k < count; k++)
    if (p[k] != 0) return 0;
  return 1;
}

static int foldable_consumer(const ir_node *n) {
  if (strcmp(attr_string(n, "auto_pad", "NOTSET"), "NOTSET") != 0) return 0;
  if (n->op == OP_Conv) return 1;
  return n->op == OP_AveragePool && attr_int(n, "ceil_mode", 0) == 0 &&
         (attr_int(n, "count_include_pad", 0) == 1 || unpadded(n));
}

static int try_fold(ir_graph *g, ir_node *n) {
  ir_node *pad;
  const ir_value *x;
  const int64_t *old;
  int64_t pads[2 * IR_MAX_RANK], merged[2 * (IR_MAX_RANK - 2)];
  int rank, spatial, k, n_old;
  if (n->n_in < 1 || !foldable_consumer(n) || !(pad = rw_sole_producer(g, n->in[0], OP_Pad))) return 0;
  if (pad->n_in < 1 || pad->in[0] < 0) return 0;
  x = g->values[pad->in[0]];
  rank = x->t.rank;
  spatial = rank - 2;
  if (spatial < 1 || !zero_pad_amounts(g, pad, rank, pads)) return 0;
  n_old = attr_ints(n, "pads", &old);
  if (n_old < 0) n_old = 0; /* absent: no padding yet */
  if (n_old && n_old != 2 * spatial) return 0;
  for (k = 0; k < spatial; k++) {
    merged[k] = pads[2 + k] + (n_old ? old[k] : 0);
    merged[spatial + k] = pads[rank + 2 + k] + (n_old ? old[spatial + k] : 0);
  }
  rw_set_ints(n, "pads", merged, 2 * spatial);
  if (n->op == OP_AveragePool) rw_set_int(n, "count_include_pad", 1);
  rw_set_input(g, n, 0, pad->in[0]);
  rw_kill(g, pad);
  return 1;
}

status pass_fold_pad(ir_graph *g) { return rw_each_node(g, try_fold); }
