/* gather-channels: a channel shuffle and the Slices that cut it become
 * GatherChannels nodes (ops/channels.c), one copy each.
 *
 * ShuffleNet's units end in a shuffle of g groups written as
 *
 *   Y = Reshape(Transpose(Reshape(X, [N, g, C/g, H, W]), [0, 2, 1, 3, 4]),
 *               [N, C, H, W])
 *
 * most often of X = Concat(A, B) along the channels, and the next unit
 * cuts Y in two with Slices along axis 1. Run as they are, that is the
 * Concat's copies, one Transpose and one copy per Slice: each element
 * moves three times, and around convs in the blocked layout the shuffle
 * in NCHW costs two layout changes more. Y's channel o is X's channel
 * (o mod g) * (C/g) + o / g, so:
 *
 *   1. The second Reshape becomes Y = GatherChannels(X) with that map, or
 *      GatherChannels(A, B, ...) when X is a Concat along axis 1 (of at
 *      most RT_GATHER_CHANNELS_MAX_INPUTS inputs; the Concat stays while
 *      anything else reads X). The Transpose and the first Reshape go
 *      when nothing else reads them.
 *   2. Each Slice of Y along axis 1 alone (constant bounds, step 1)
 *      becomes a GatherChannels of the same inputs with its part of the
 *      map; when Slices were Y's only readers, Y's node goes (dce).
 *   3. A gather whose input is made by a gather that only gathers read
 *      reads that gather's inputs instead (compose_gathers): the half a
 *      unit passes on unchanged is then never copied by itself, and the
 *      next units take those channels from the convs that wrote them.
 *
 * Every element then moves once, and the layout-nchwc pass can keep the
 * whole unit blocked (a gather works on blocked tensors too). The copies
 * are exact: the result is bit for bit the same. Linear in the graph: one
 * pass to list each value's readers, one over the Transposes, one over
 * the gathers (each maps its channels through at most one gather: that
 * one's inputs were composed before it, in node order). */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "passes.h"

typedef struct readers {
  int *first, *list; /* value v's readers: list[first[v] .. first[v + 1]) */
} readers;

static void readers_of(const ir_graph *g, readers *r) {
  int *fill, i, k;
  r->first = xcalloc((size_t)g->n_values + 2, sizeof(int));
  for (i = 0; i < g->n_nodes; i++)
    for (k = 0; k < g->nodes[i]->n_in; k++)
      if (!g->nodes[i]->dead && g->nodes[i]->in[k] >= 0) r->first[g->nodes[i]->in[k] + 1]++;
  for (i = 0; i < g->n_values; i++) r->first[i + 1] += r->first[i];
  r->list = xmalloc(sizeof(int) * (size_t)(r->first[g->n_values] + 1));
  fill = xmalloc(sizeof(int) * (size_t)(g->n_values + 1));
  memcpy(fill, r->first, sizeof(int) * (size_t)g->n_values);
  for (i = 0; i < g->n_nodes; i++)
    for (k = 0; k < g->nodes[i]->n_in; k++)
      if (!g->nodes[i]->dead && g->nodes[i]->in[k] >= 0) r->list[fill[g->nodes[i]->in[k]]++] = i;
  free(fill);
}

/* The node that alone reads v (once), or NULL. */
static ir_node *sole_reader(const ir_graph *g, const readers *r, int v) {
  const ir_value *val = g->values[v];
  return r->first[v + 1] - r->first[v] == 1 && val->uses == 1 ? g->nodes[r->list[r->first[v]]] : NULL;
}

/* A value of exact dims and the rank given. */
static const ir_tensor *exact(const ir_graph *g, int v, int rank) {
  const ir_value *val = v >= 0 ? g->values[v] : NULL;
  return val && val->t.rank == rank && !tensor_is_symbolic(&val->t) && !val->t.data ? &val->t : NULL;
}

/* An element type GatherChannels copies: whole bytes per element, no
 * strings (a shuffle of those stays as it is). */
static int copied_whole(int dtype) {
  return dtype != DT_STRING && dtype_size(dtype) > 0 && !dtype_packed_bits(dtype);
}

/* What a gather reads: its inputs and their channel counts. */
typedef struct gather_from {
  int in[RT_GATHER_CHANNELS_MAX_INPUTS];
  int64_t in_ch[RT_GATHER_CHANNELS_MAX_INPUTS];
  int count;
} gather_from;

/* n becomes GatherChannels(from) of `n_src` sources: its old inputs and
 * attributes go, its output stays. */
static void become_gather(ir_graph *g, ir_node *n, const gather_from *from, const int64_t *src, int64_t n_src) {
  int k;
  for (k = 0; k < n->n_in; k++)
    if (n->in[k] >= 0) g->values[n->in[k]]->uses--;
  n->n_in = 0;
  for (k = 0; k < from->count; k++) rw_set_input(g, n, k, from->in[k]);
  for (k = 0; k < n->n_attr; k++) ir_attr_free(&n->attr[k]);
  n->n_attr = 0;
  rw_set_ints(n, "in_channels", from->in_ch, from->count);
  rw_set_ints(n, "sources", src, (int)n_src);
  rw_set_op(n, "GatherChannels", OP_onnxcc_GatherChannels);
  free(n->domain);
  n->domain = xstrdup("onnxcc");
}

/* The shuffle's input X [N, C, H, W]: the inputs of the Concat along axis
 * 1 that makes it, else X itself. */
static void shuffle_inputs(const ir_graph *g, int x, gather_from *from) {
  const ir_value *xv = g->values[x];
  const ir_node *cat = xv->producer >= 0 ? g->nodes[xv->producer] : NULL;
  int k, axis;
  from->count = 1;
  from->in[0] = x;
  from->in_ch[0] = xv->t.dims[1];
  if (!cat || cat->dead || cat->op != OP_Concat || cat->n_in > RT_GATHER_CHANNELS_MAX_INPUTS) return;
  axis = (int)attr_int(cat, "axis", 0);
  if (axis != 1 && axis != -3) return;
  for (k = 0; k < cat->n_in; k++)
    if (!exact(g, cat->in[k], 4) || g->values[cat->in[k]]->t.dims[1] < 1) return;
  for (k = 0; k < cat->n_in; k++) {
    from->in[k] = cat->in[k];
    from->in_ch[k] = g->values[cat->in[k]]->t.dims[1];
  }
  from->count = cat->n_in;
}

/* A Slice of a rank-4 value along axis 1 alone with step 1: its channels
 * [*lo, *hi) (clamped as Slice clamps); 0 when it is another Slice. */
static int channel_slice(const ir_graph *g, const ir_node *n, int64_t channels, int64_t *lo, int64_t *hi) {
  int64_t start, end, axis = 0;
  const ir_tensor *y = n->n_out >= 1 ? exact(g, n->out[0], 4) : NULL;
  if (!y || n->op != OP_Slice) return 0;
  if (op_node_opset(g, n) < 10) {
    const int64_t *s, *e, *a;
    if (attr_ints(n, "starts", &s) != 1 || attr_ints(n, "ends", &e) != 1) return 0;
    if (attr_ints(n, "axes", &a) == 1) axis = a[0];
    else if (attr_ints(n, "axes", &a) >= 0) return 0;
    start = s[0];
    end = e[0];
  } else {
    const ir_value *sv = n->n_in > 1 ? ir_val(g, n->in[1]) : NULL, *ev = n->n_in > 2 ? ir_val(g, n->in[2]) : NULL;
    const ir_value *av = n->n_in > 3 ? ir_val(g, n->in[3]) : NULL, *tv = n->n_in > 4 ? ir_val(g, n->in[4]) : NULL;
    if (!sv || !ev || !sv->t.data || !ev->t.data || tensor_numel(&sv->t) != 1 || tensor_numel(&ev->t) != 1) return 0;
    if (!av || !av->t.data || tensor_numel(&av->t) != 1) return 0; /* no axes: the slice is of axis 0 */
    if (tv && (!tv->t.data || tensor_numel(&tv->t) != 1 || tensor_int(&tv->t, 0) != 1)) return 0;
    start = tensor_int(&sv->t, 0);
    end = tensor_int(&ev->t, 0);
    axis = tensor_int(&av->t, 0);
  }
  if (axis != 1 && axis != -3) return 0;
  if (start < 0) start += channels;
  if (end < 0) end += channels;
  *lo = start < 0 ? 0 : start > channels ? channels : start;
  *hi = end < *lo ? *lo : end > channels ? channels : end;
  return *hi > *lo && y->dims[1] == *hi - *lo;
}

/* Whether Transpose t is the middle of a shuffle: Reshape X [N, C, H, W]
 * to [N, g, C/g, H, W] before it (read by t alone), perm [0, 2, 1, 3, 4],
 * and a Reshape back to [N, C, H, W] after it, t's only reader; *groups
 * gets g and *second that Reshape. */
static ir_node *shuffle_of(const ir_graph *g, const readers *r, const ir_node *t, int64_t *groups) {
  static const int64_t shuffle_perm[5] = {0, 2, 1, 3, 4};
  const int64_t *perm;
  const ir_node *first = t->n_in >= 1 ? rw_sole_producer(g, t->in[0], OP_Reshape) : NULL;
  ir_node *second = t->n_out == 1 && t->out[0] >= 0 ? sole_reader(g, r, t->out[0]) : NULL;
  const ir_tensor *x, *x5, *y;
  int d;
  if (!first || !second || second->op != OP_Reshape || second->in[0] != t->out[0] || second->n_out != 1) return NULL;
  if (attr_ints(t, "perm", &perm) != 5 || memcmp(perm, shuffle_perm, sizeof shuffle_perm) != 0) return NULL;
  x = exact(g, first->in[0], 4);
  x5 = exact(g, first->out[0], 5);
  y = exact(g, second->out[0], 4);
  if (!x || !x5 || !y || x5->dims[1] < 1 || x->dims[1] < 1 || x5->dims[1] * x5->dims[2] != x->dims[1] ||
      !copied_whole(x->dtype))
    return NULL;
  for (d = 0; d < 4; d++)
    if (y->dims[d] != x->dims[d] || (d != 1 && x5->dims[d ? d + 1 : 0] != x->dims[d])) return NULL;
  *groups = x5->dims[1];
  return second;
}

static int try_shuffle(ir_graph *g, const readers *r, ir_node *t) {
  ir_node *first, *second;
  gather_from from;
  int64_t groups, per, channels, o, lo, hi, *src;
  int y, i;
  if (t->op != OP_Transpose || !(second = shuffle_of(g, r, t, &groups))) return 0;
  first = g->nodes[g->values[t->in[0]]->producer];
  channels = g->values[first->in[0]]->t.dims[1];
  per = channels / groups;
  shuffle_inputs(g, first->in[0], &from);
  src = xmalloc(sizeof(int64_t) * (size_t)channels);
  for (o = 0; o < channels; o++) src[o] = (o % groups) * per + o / groups;
  y = second->out[0];
  for (i = r->first[y]; i < r->first[y + 1]; i++) {
    ir_node *s = g->nodes[r->list[i]];
    if (s->in[0] == y && channel_slice(g, s, channels, &lo, &hi)) become_gather(g, s, &from, src + lo, hi - lo);
  }
  become_gather(g, second, &from, src, channels);
  free(src);
  rw_kill(g, t);
  rw_kill(g, first);
  /* the Concat the gathers now read past goes too when nothing else reads
   * it, so its inputs' readers are the gathers alone (compose_gathers) */
  if (from.in[0] != first->in[0] && g->values[first->in[0]]->uses == 0)
    rw_kill(g, g->nodes[g->values[first->in[0]]->producer]);
  /* Y's own gather stays while anything else reads Y (uses counts a graph
   * output too) */
  if (g->values[y]->uses == 0) rw_kill(g, second);
  return 1;
}

/* ---- gathers of gathers ---- */

/* Whether v is made by a live GatherChannels and every reader of v is
 * a GatherChannels, v no graph output (uses counts that too): a gather
 * that then reads v's sources instead leaves v unread. */
static int composable_value(const ir_graph *g, const readers *r, int v) {
  const ir_value *val = g->values[v];
  const ir_node *h = val->producer >= 0 ? g->nodes[val->producer] : NULL;
  int i;
  if (!h || h->dead || h->op != OP_onnxcc_GatherChannels || val->uses != r->first[v + 1] - r->first[v]) return 0;
  for (i = r->first[v]; i < r->first[v + 1]; i++)
    if (g->nodes[r->list[i]]->op != OP_onnxcc_GatherChannels) return 0;
  return 1;
}

/* The gather that makes input v, when v was composable as the pass
 * began (comp: per value), else NULL. */
static const ir_node *composable(const ir_graph *g, const char *comp, int v) {
  return comp[v] ? g->nodes[g->values[v]->producer] : NULL;
}

/* Input k of gather n and its channel ch for n's source s. */
static void source_of(const ir_node *n, int64_t s, int *k, int64_t *ch) {
  const int64_t *in_ch;
  attr_ints(n, "in_channels", &in_ch);
  for (*k = 0; s >= in_ch[*k]; (*k)++) s -= in_ch[*k];
  *ch = s;
}

/* The index of value v among from's inputs, added (with c channels) when
 * new; -1 when from is full. */
static int input_index(gather_from *from, int v, int64_t c) {
  int k;
  for (k = 0; k < from->count && from->in[k] != v; k++) {
  }
  if (k < from->count) return k;
  if (from->count == RT_GATHER_CHANNELS_MAX_INPUTS) return -1;
  from->in[k] = v;
  from->in_ch[k] = c;
  from->count++;
  return k;
}

/* Gather n reads, in place of each input that a composable gather h
 * makes, h's inputs at h's map: ShuffleNet's units each cut their
 * passed-on half with a gather that the next unit's gathers then read,
 * and these now take those channels from the convs that wrote them, so
 * the half is never copied alone. Not when the inputs would pass
 * RT_GATHER_CHANNELS_MAX_INPUTS. In node order, so h has had its own
 * inputs composed: the chain folds into one gather, up to that bound. */
static int try_compose(ir_graph *g, const char *comp, ir_node *n) {
  const int64_t *in_ch, *src, *h_src;
  gather_from from;
  int64_t *map, ch;
  int count, n_out, o, k, any = 0;
  if (n->dead || n->op != OP_onnxcc_GatherChannels) return 0;
  count = attr_ints(n, "in_channels", &in_ch);
  n_out = attr_ints(n, "sources", &src);
  for (k = 0; k < count && !any; k++) any = composable(g, comp, n->in[k]) != NULL;
  if (!any) return 0;
  map = xmalloc(sizeof(int64_t) * (size_t)n_out * 2);
  from.count = 0;
  for (o = 0; o < n_out; o++) {
    const ir_node *h;
    int v, j;
    source_of(n, src[o], &k, &ch);
    v = n->in[k];
    if ((h = composable(g, comp, v)) != NULL) {
      const int64_t *h_in_ch;
      attr_ints(h, "sources", &h_src);
      attr_ints(h, "in_channels", &h_in_ch);
      source_of(h, h_src[ch], &j, &ch);
      v = h->in[j];
      j = input_index(&from, v, h_in_ch[j]);
    } else {
      j = input_index(&from, v, in_ch[k]);
    }
    if (j < 0) {
      free(map);
      return 0;
    }
    map[2 * o] = j;
    map[2 * o + 1] = ch;
  }
  /* the sources, numbered over the new inputs laid end to end */
  for (o = 0; o < n_out; o++) {
    int64_t at = map[2 * o + 1];
    for (k = 0; k < map[2 * o]; k++) at += from.in_ch[k];
    map[o] = at;
  }
  become_gather(g, n, &from, map, n_out);
  free(map);
  return 1;
}

/* Each composable gather's readers read its sources; those left unread
 * go. */
static int compose_gathers(ir_graph *g) {
  readers r;
  char *comp = xcalloc((size_t)g->n_values + 1, 1);
  int i, changed = 0;
  readers_of(g, &r);
  for (i = 0; i < g->n_values; i++) comp[i] = (char)composable_value(g, &r, i);
  for (i = 0; i < g->n_nodes; i++) changed |= try_compose(g, comp, g->nodes[i]);
  for (i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead && n->op == OP_onnxcc_GatherChannels && n->n_out == 1 && g->values[n->out[0]]->uses == 0) rw_kill(g, n);
  }
  free(comp);
  free(r.first);
  free(r.list);
  return changed;
}

status pass_gather_channels(ir_graph *g) {
  readers r;
  int i, changed = 0;
  ir_count_uses(g);
  readers_of(g, &r);
  for (i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) changed |= try_shuffle(g, &r, g->nodes[i]);
  free(r.first);
  free(r.list);
  if (changed) changed |= compose_gathers(g);
  if (changed) ir_compact(g);
  return ST_OK;
}
