/* StringNormalizer, StringConcat and StringSplit (kernels/strings.h), and
 * the list of ops that take string tensors at all.
 *
 * StringNormalizer drops stopwords, so its output count is a value known
 * only at run time: a run-time dim bounded by the input's count, which the
 * kernel writes (lowered.defines_after), as NonZero's. Case is changed for
 * ASCII letters only: onnxcc has no locale tables, and the `locale`
 * attribute is read for nothing else. */
#include <stdio.h>
#include <string.h>

#include "../../runtime/include/onnxcc/strings.h"
#include "../dimexpr.h"
#include "ops.h"

/* String elements are slots (docs/design.md, "String tensors"): only ops
 * that either move whole elements by their size (the reshape family's
 * copies and views; Concat, Gather, Slice, Expand, Tile and Split, whose
 * kernels copy `esize` bytes, checked against ONNX Runtime on strings),
 * read nothing but shapes, Constant (string attributes into slots), or
 * were written for strings may see them.
 * (Transpose, Where and GatherElements pick kernels by element width and
 * have none for a slot.) Everything else is refused by the infer pass, naming the
 * node, before its own checks (which mostly test sizes, and a slot is
 * just a large element to them). */
int op_takes_strings(int op) {
  switch (op) {
  case OP_Cast:
  case OP_CastLike:
  case OP_Constant:
  case OP_Identity:
  case OP_Reshape:
  case OP_Flatten:
  case OP_Squeeze:
  case OP_Unsqueeze:
  case OP_Shape:
  case OP_Size:
  case OP_Concat:
  case OP_Gather:
  case OP_Slice:
  case OP_Expand:
  case OP_Tile:
  case OP_Split:
  case OP_Equal:
  case OP_StringNormalizer:
  case OP_StringConcat:
  case OP_StringSplit:
  case OP_RegexFullMatch:
  case OP_ml_OneHotEncoder:
  case OP_ml_LabelEncoder:
  case OP_ml_SVMClassifier:
  case OP_ml_CategoryMapper:
  case OP_ml_DictVectorizer: return 1;
  default: return 0;
  }
}

static const char *const case_actions[] = {"NONE", "LOWER", "UPPER"};

/* The stopwords attribute: count, and the words in *words. */
static int stopwords(const op_ctx *c, char ***words) {
  const ir_attr *a = ir_attr_find(c->n, "stopwords");
  *words = a && a->type == ATTR_STRINGS ? a->strings : NULL;
  return *words ? a->n : 0;
}

static status strnorm_infer(op_ctx *c) {
  const ir_value *x;
  char **words;
  int exprs[2], r, action;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (x->t.dtype != DT_STRING)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s; StringNormalizer takes strings", dtype_name(x->t.dtype));
  if (x->t.rank != 1 && !(x->t.rank == 2 && !x->t.sym[0] && x->t.dims[0] == 1))
    return diag_node_error(ST_BAD_MODEL, c->n, "X must be [C] or [1, C] (ONNX's StringNormalizer)");
  if ((s = op_attr_enum(c, "case_change_action", "NONE", case_actions, 3, &action))) return s;
  for (r = 0; r < x->t.rank; r++) exprs[r] = ir_dim(c->g, &x->t, r);
  r = x->t.rank - 1;
  /* the count: C when nothing can be dropped and C is at least 1, else
   * what the run finds (at least 1: an empty result is one empty string) */
  if (stopwords(c, &words) > 0 || x->t.sym[r] || x->t.dims[r] < 1) {
    const int64_t bound = x->t.dims[r] > 1 ? x->t.dims[r] : 1;
    if ((exprs[r] = op_data_dim(c, 0, bound, "StringNormalizer's count")) < 0) return ST_UNSUPPORTED;
  }
  op_set_output_exprs(c, 0, DT_STRING, x->t.rank, exprs);
  return ST_OK;
}

/* The stopwords as slots, lower-cased when compared without case. A word
 * longer than a slot holds cannot equal any string of the run: left out.
 * Returns the count written. */
static int64_t fill_stopwords(unsigned char *t, char **words, int n, int case_sensitive) {
  const size_t slot = dtype_size(DT_STRING);
  int64_t k = 0;
  int i;
  size_t j;
  for (i = 0; i < n; i++) {
    unsigned char *e = t + (size_t)k * slot;
    char *ch;
    if (strlen(words[i]) > RT_STRING_CAPACITY(slot)) continue;
    rt_str_set_c(e, slot, words[i]);
    ch = rt_str_chars_mut(e);
    for (j = 0; !case_sensitive && j < rt_str_len(e); j++)
      if (ch[j] >= 'A' && ch[j] <= 'Z') ch[j] = (char)(ch[j] + 32);
    k++;
  }
  return k;
}

static status strnorm_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const int count = ir_dim(c->g, y, y->rank - 1);
  rt_strnorm_params *p = op_lower_as(c, l, PD_rt_strnorm_params, "rt_string_normalizer");
  char **words;
  int n = stopwords(c, &words), action = 0;
  if (!p) return ST_UNSUPPORTED;
  op_attr_enum(c, "case_change_action", "NONE", case_actions, 3, &action); /* infer checked it */
  p->slot = (int64_t)dtype_size(DT_STRING);
  p->action = action;
  p->case_sensitive = attr_int(c->n, "is_case_sensitive", 0) != 0;
  op_bind_product(c, l, &p->count, x, 0, x->rank);
  if (n > 0) {
    unsigned char *t;
    /* with stopwords the count is a run-time dim, so the node is never
     * folded: only the final lowering gets here */
    if (!c->final) return diag_node_error(ST_INTERNAL, c->n, "StringNormalizer with stopwords lowered to fold");
    t = op_add_table(c, "stopwords", DT_STRING, n, 1);
    p->stops = fill_stopwords(t, words, n, (int)p->case_sensitive);
  }
  if (op_is_data_dim(c, count, 0)) {
    l->defines_after = 1;
    if (op_define(c, l, count)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- StringConcat (and Equal's lowering on strings) ---- */

status op_lower_string_pair(op_ctx *c, lowered *l, const char *name) {
  const ir_tensor *y = &op_out(c, 0)->t;
  rt_strbinary_params *p = op_lower_as(c, l, PD_rt_strbinary_params, "%s", name);
  if (!p) return ST_UNSUPPORTED;
  p->rank = y->rank;
  p->slot = (int64_t)dtype_size(DT_STRING);
  op_bind_dims(c, l, p->dims, y);
  op_bind_broadcast_strides(c, l, p->a_strides, &op_in(c, 0)->t, y);
  op_bind_broadcast_strides(c, l, p->b_strides, &op_in(c, 1)->t, y);
  return ST_OK;
}

/* The longest string of a constant (0 when it has no data). */
static uint32_t longest(const ir_tensor *t) {
  const size_t slot = dtype_size(DT_STRING);
  int64_t i;
  uint32_t m = 0;
  for (i = 0; t->data && i < tensor_numel(t); i++)
    if (rt_str_len((const unsigned char *)t->data + (size_t)i * slot) > m)
      m = rt_str_len((const unsigned char *)t->data + (size_t)i * slot);
  return m;
}

static status concat_infer(op_ctx *c) {
  const ir_tensor *ts[2];
  int rank, dims[IR_MAX_RANK], k;
  status s;
  for (k = 0; k < 2; k++) {
    OP_REQUIRE_INPUT(c, k);
    ts[k] = &op_in(c, k)->t;
    if (ts[k]->dtype != DT_STRING)
      return diag_node_error(ST_BAD_MODEL, c->n, "input %d is %s; StringConcat takes strings", k,
                             dtype_name(ts[k]->dtype));
  }
  /* both constant: folded, where no run can report a string too long */
  if (ts[0]->data && ts[1]->data && longest(ts[0]) + longest(ts[1]) > RT_STRING_CAPACITY(dtype_size(DT_STRING)))
    return diag_node_error(ST_UNSUPPORTED, c->n, "its result is longer than --max-string-bytes (%zu) allows",
                           dtype_max_string_bytes());
  if ((s = op_broadcast_exprs(c, ts, 2, &rank, dims))) return s;
  op_set_output_exprs(c, 0, DT_STRING, rank, dims);
  return ST_OK;
}

static status concat_lower(op_ctx *c, lowered *l) {
  status s = op_lower_string_pair(c, l, "rt_string_concat");
  l->status_slot = 1; /* a result longer than a slot fails the run */
  return s;
}

/* ---- StringSplit ---- */

/* The most pieces one string of a slot can give: maxsplit + 1 at most,
 * and no more than a slot's bytes allow (a piece per delimiter, plus one;
 * blank-separated pieces take two bytes each but the last). */
static int64_t split_bound(const op_ctx *c) {
  const int64_t cap = (int64_t)RT_STRING_CAPACITY(dtype_size(DT_STRING));
  const int64_t dlen = (int64_t)strlen(attr_string(c->n, "delimiter", ""));
  const int64_t maxsplit = attr_int(c->n, "maxsplit", -1);
  int64_t b = dlen ? cap / dlen + 1 : (cap + 1) / 2;
  if (maxsplit >= 0 && maxsplit + 1 < b) b = maxsplit + 1;
  return b;
}

static status split_infer(op_ctx *c) {
  const ir_value *x;
  int exprs[IR_MAX_RANK], r;
  OP_REQUIRE_INPUT(c, 0);
  x = op_in(c, 0);
  if (x->t.dtype != DT_STRING)
    return diag_node_error(ST_BAD_MODEL, c->n, "X is %s; StringSplit takes strings", dtype_name(x->t.dtype));
  if (x->t.rank >= IR_MAX_RANK) return diag_node_error(ST_UNSUPPORTED, c->n, "X has too many dims");
  if (strlen(attr_string(c->n, "delimiter", "")) > RT_STRING_CAPACITY(dtype_size(DT_STRING)))
    return diag_node_error(ST_UNSUPPORTED, c->n, "the delimiter is longer than --max-string-bytes (%zu) allows",
                           dtype_max_string_bytes());
  for (r = 0; r < x->t.rank; r++) exprs[r] = ir_dim(c->g, &x->t, r);
  op_set_output_exprs(c, 1, DT_INT64, x->t.rank, exprs);
  /* the row length: the most pieces, known at run time (0 for no strings) */
  if (tensor_numel(&x->t) == 0) exprs[r] = dx_const(op_dx(c), 0);
  else if ((exprs[r] = op_data_dim(c, 0, split_bound(c), "StringSplit's piece count")) < 0) return ST_UNSUPPORTED;
  op_set_output_exprs(c, 0, DT_STRING, x->t.rank + 1, exprs);
  return ST_OK;
}

static status split_lower(op_ctx *c, lowered *l) {
  const ir_tensor *x = &op_in(c, 0)->t, *y = &op_out(c, 0)->t;
  const int m = ir_dim(c->g, y, y->rank - 1);
  const char *delim = attr_string(c->n, "delimiter", "");
  rt_strsplit_params *p = op_lower_as(c, l, PD_rt_strsplit_params, "rt_string_split");
  if (!p) return ST_UNSUPPORTED;
  p->slot = (int64_t)dtype_size(DT_STRING);
  p->maxsplit = attr_int(c->n, "maxsplit", -1);
  p->delim_len = (int64_t)strlen(delim);
  op_bind_product(c, l, &p->n, x, 0, x->rank);
  if (*delim) {
    if (!c->final) return diag_node_error(ST_UNSUPPORTED, c->n, "onnxcc does not evaluate StringSplit at compile time");
    rt_str_set_c(op_add_table(c, "delimiter", DT_STRING, 1, 1), (size_t)p->slot, delim);
  }
  if (op_is_data_dim(c, m, 0)) {
    l->defines_after = 1;
    if (op_define(c, l, m)) return ST_INTERNAL;
  }
  return ST_OK;
}

/* ---- the family ---- */

static status strings_infer(op_ctx *c) {
  switch (c->n->op) {
  case OP_StringConcat: return concat_infer(c);
  case OP_StringSplit: return split_infer(c);
  default: return strnorm_infer(c);
  }
}

static status strings_lower(op_ctx *c, lowered *l) {
  switch (c->n->op) {
  case OP_StringConcat: return concat_lower(c, l);
  case OP_StringSplit: return split_lower(c, l);
  default: return strnorm_lower(c, l);
  }
}

const op_family op_family_strings = {strings_infer, strings_lower, 1, 0};
