/* ai.onnx.ml SVMClassifier and SVMRegressor (opset 1): kernels/svm.h.
 *
 * ONNX Runtime's CPU kernels are the reference: a classifier without
 * support vectors is a linear SVC (coefficients per class, rho[0] added
 * to each score), the scores' layout and the binary label rule are its.
 * The attribute arrays go to the weight blob as extra inputs in the
 * layout kernels/svm.h states (built in the final lowering only: a node
 * whose inputs are all constant is refused rather than folded). Class
 * labels are int64 or strings; the kernel copies a label's bytes. The
 * batch (X's first dim) may vary at run time; the features may not. */
#include <limits.h>
#include <string.h>

#include "../../runtime/include/onnxcc/strings.h"
#include "../dimexpr.h"
#include "ops.h"

/* The attribute spellings, in the kernel's enum order (kernels/svm.h). */
#define SVM_NAME_(name) #name,
static const char *const post_names[] = {RT_TREE_POSTS(SVM_NAME_)};
static const char *const kernel_names[] = {RT_SVM_KINDS(SVM_NAME_)};
#undef SVM_NAME_

/* What the attributes say, checked against X. */
typedef struct svm_model {
  int64_t cols;
  int rows; /* the batch's dim expression */
  int64_t classes, vectors, pairs;
  int kernel, post, strings;
  const float *sv, *coef, *rho, *pa, *pb, *kp;
  const int64_t *per_class, *labels_i;
  const ir_attr *labels_s;
  int n_sv, n_coef, n_rho, n_pa, n_pb, n_kp;
} svm_model;

static int is_numeric(int dt) { return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64; }

static int is_classifier(const op_ctx *c) { return c->n->op == OP_ml_SVMClassifier; }

/* X's rows and columns, the float lists and the enums. */
static status read_common(const op_ctx *c, svm_model *m) {
  const ir_tensor *x;
  status s;
  OP_REQUIRE_INPUT(c, 0);
  x = &op_in(c, 0)->t;
  if (!is_numeric(x->dtype))
    return diag_node_error(ST_UNSUPPORTED, c->n, "X is %s; onnxcc takes float, double, int32 or int64",
                           dtype_name(x->dtype));
  if (x->rank != 1 && x->rank != 2) return diag_node_error(ST_BAD_MODEL, c->n, "X must have rank 1 or 2");
  if (x->sym[x->rank - 1])
    return diag_node_error(ST_UNSUPPORTED, c->n, "X's last dim (the features) must be known at compile time");
  m->rows = x->rank == 2 ? ir_dim(c->g, x, 0) : dx_const(op_dx(c), 1);
  m->cols = x->dims[x->rank - 1];
  m->n_sv = attr_floats(c->n, "support_vectors", &m->sv);
  m->n_coef = attr_floats(c->n, "coefficients", &m->coef);
  m->n_rho = attr_floats(c->n, "rho", &m->rho);
  m->n_pa = attr_floats(c->n, "prob_a", &m->pa);
  m->n_pb = attr_floats(c->n, "prob_b", &m->pb);
  m->n_kp = attr_floats(c->n, "kernel_params", &m->kp);
  if ((s = op_attr_enum(c, "kernel_type", "LINEAR", kernel_names, RT_SVM_N_KINDS, &m->kernel)) ||
      (s = op_attr_enum(c, "post_transform", "NONE", post_names, RT_TREE_N_POSTS, &m->post)))
    return s;
  if (m->n_kp > 0 && m->n_kp < 3)
    return diag_node_error(ST_BAD_MODEL, c->n, "kernel_params needs gamma, coef0 and degree (3 values), not %d",
                           m->n_kp);
  if (m->n_coef < 1) return diag_node_error(ST_BAD_MODEL, c->n, "coefficients must not be empty");
  if (m->n_rho < 1) return diag_node_error(ST_BAD_MODEL, c->n, "rho must not be empty");
  return ST_OK;
}

/* The support vectors must be `vectors` rows of X's width. */
static status check_vectors(const op_ctx *c, const svm_model *m) {
  /* the counts come from the model: a product past int64 would be
   * undefined, and no list of ints can hold that many values anyway */
  if (m->vectors < 0 || m->vectors > INT_MAX || (m->cols > 0 && m->vectors > INT_MAX / m->cols))
    return diag_node_error(ST_BAD_MODEL, c->n, "%lld support vectors of %lld features are more than a model can list",
                           (long long)m->vectors, (long long)m->cols);
  if (m->n_sv != m->vectors * m->cols)
    return diag_node_error(ST_BAD_MODEL, c->n, "support_vectors has %d values; %lld vectors of %lld features need %lld",
                           m->n_sv < 0 ? 0 : m->n_sv, (long long)m->vectors, (long long)m->cols,
                           (long long)(m->vectors * m->cols));
  return ST_OK;
}

/* `have` values of list `name`, of which at least `need` are read. */
static status need_at_least(const op_ctx *c, const char *name, int have, int64_t need) {
  if (have < need)
    return diag_node_error(ST_BAD_MODEL, c->n, "%s has %d values; %lld are needed", name, have < 0 ? 0 : have,
                           (long long)need);
  return ST_OK;
}

/* The class labels: strings or int64s, one per class. */
static status read_labels(const op_ctx *c, svm_model *m) {
  int i, n;
  m->labels_s = ir_attr_find(c->n, "classlabels_strings");
  if (m->labels_s && m->labels_s->type == ATTR_STRINGS && m->labels_s->n > 0) {
    m->strings = 1;
    m->classes = m->labels_s->n;
    for (i = 0; i < m->labels_s->n; i++)
      if (strlen(m->labels_s->strings[i]) > dtype_max_string_bytes())
        return diag_node_error(ST_UNSUPPORTED, c->n, "class label %d is longer than --max-string-bytes (%zu) allows",
                               i, dtype_max_string_bytes());
    return ST_OK;
  }
  if ((n = attr_ints(c->n, "classlabels_ints", &m->labels_i)) < 1)
    return diag_node_error(ST_BAD_MODEL, c->n, "classlabels_strings or classlabels_ints must list the classes");
  m->classes = n;
  return ST_OK;
}

static status read_classifier(const op_ctx *c, svm_model *m) {
  int i, n;
  status s;
  if ((s = read_labels(c, m))) return s;
  n = attr_ints(c->n, "vectors_per_class", &m->per_class);
  m->pairs = m->classes * (m->classes - 1) / 2;
  if (m->n_pa != m->n_pb) return diag_node_error(ST_BAD_MODEL, c->n, "prob_a and prob_b differ in length");
  for (i = 0; i < n; i++) {
    if (m->per_class[i] < 0 || m->per_class[i] > INT_MAX)
      return diag_node_error(ST_BAD_MODEL, c->n, "vectors_per_class has a count of %lld", (long long)m->per_class[i]);
    m->vectors += m->per_class[i]; /* at most INT_MAX * (INT_MAX - 1): no overflow */
  }
  if (m->vectors == 0) { /* the linear SVC: one row of coefficients per class */
    if (m->n_coef != m->classes * m->cols)
      return diag_node_error(ST_BAD_MODEL, c->n, "coefficients must hold %lld x %lld values (no support vectors)",
                             (long long)m->classes, (long long)m->cols);
    return ST_OK;
  }
  if (n != m->classes)
    return diag_node_error(ST_BAD_MODEL, c->n, "vectors_per_class has %d counts for %lld classes", n,
                           (long long)m->classes);
  if (m->classes < 2) return diag_node_error(ST_BAD_MODEL, c->n, "an SVC with support vectors needs two classes");
  if ((s = check_vectors(c, m)) || (s = need_at_least(c, "coefficients", m->n_coef, (m->classes - 1) * m->vectors)) ||
      (s = need_at_least(c, "rho", m->n_rho, m->pairs)))
    return s;
  if (m->n_pa > 0 && (s = need_at_least(c, "prob_a", m->n_pa, m->pairs))) return s;
  if (m->n_pa <= 0 && m->classes == 2 && m->post == RT_TREE_PROBIT)
    return diag_node_error(ST_UNSUPPORTED, c->n, "PROBIT on a binary SVC without prob_a is not supported (ONNX "
                           "Runtime leaves its second score unset)");
  return ST_OK;
}

static status read_regressor(const op_ctx *c, svm_model *m) {
  m->vectors = attr_int(c->n, "n_supports", 0);
  m->classes = 1;
  if (m->post != RT_TREE_NONE)
    return diag_node_error(ST_UNSUPPORTED, c->n, "post_transform %s: SVMRegressor takes NONE only (ONNX Runtime "
                           "ignores it)", post_names[m->post]);
  if (attr_int(c->n, "n_targets", 1) != 1)
    return diag_node_error(ST_UNSUPPORTED, c->n, "n_targets must be 1 (one target, as ONNX Runtime computes)");
  if (m->vectors < 0) return diag_node_error(ST_BAD_MODEL, c->n, "n_supports is negative");
  if (m->vectors == 0) {
    if (m->n_coef != m->cols)
      return diag_node_error(ST_BAD_MODEL, c->n, "coefficients must hold %lld values (no support vectors)",
                             (long long)m->cols);
    return ST_OK;
  }
  {
    status s = check_vectors(c, m);
    return s ? s : need_at_least(c, "coefficients", m->n_coef, m->vectors);
  }
}

static status read_model(const op_ctx *c, svm_model *m) {
  status s;
  memset(m, 0, sizeof *m);
  if ((s = read_common(c, m))) return s;
  return is_classifier(c) ? read_classifier(c, m) : read_regressor(c, m);
}

static status svm_infer(op_ctx *c) {
  svm_model m;
  int dims[2];
  int64_t scores;
  status s = read_model(c, &m);
  if (s) return s;
  dims[0] = m.rows;
  if (!is_classifier(c)) {
    dims[1] = dx_const(op_dx(c), 1);
    op_set_output_exprs(c, 0, DT_FLOAT, 2, dims);
    return ST_OK;
  }
  op_set_output_exprs(c, 0, m.strings ? DT_STRING : DT_INT64, 1, dims);
  if (m.vectors == 0 || m.n_pa > 0) scores = m.classes;
  else scores = m.classes == 2 ? 2 : m.pairs;
  dims[1] = dx_const(op_dx(c), scores);
  op_set_output_exprs(c, 1, DT_FLOAT, 2, dims);
  return ST_OK;
}

/* n floats of src at dst; src may be NULL when n is 0 (a linear SVC has
 * no support vectors), which memcpy does not allow. */
static void copy_floats(float *dst, const float *src, int64_t n) {
  if (n > 0) memcpy(dst, src, sizeof(float) * (size_t)n);
}

/* in[1]: the float table of kernels/svm.h. */
static void put_floats(op_ctx *c, const svm_model *m) {
  const int cls = is_classifier(c);
  const int64_t ncoef = m->vectors == 0 ? m->classes * m->cols : (cls ? m->classes - 1 : 1) * m->vectors;
  const int64_t nrho = m->vectors == 0 || !cls ? 1 : m->pairs, nprob = cls && m->n_pa > 0 ? m->pairs : 0;
  float *t = op_add_table(c, "svm_table", DT_FLOAT, m->vectors * m->cols + ncoef + nrho + 2 * nprob, 1);
  copy_floats(t, m->sv, m->vectors * m->cols);
  t += m->vectors * m->cols;
  copy_floats(t, m->coef, ncoef);
  copy_floats(t + ncoef, m->rho, nrho);
  copy_floats(t + ncoef + nrho, m->pa, nprob);
  copy_floats(t + ncoef + nrho + nprob, m->pb, nprob);
}

/* in[2]: the labels (int64 or string slots); in[3]: vectors per class. */
static void put_labels(op_ctx *c, const svm_model *m) {
  const size_t slot = dtype_size(DT_STRING);
  int64_t i;
  if (m->strings) {
    unsigned char *t = op_add_table(c, "svm_labels", DT_STRING, m->classes, 2);
    for (i = 0; i < m->classes; i++) rt_str_set_c(t + (size_t)i * slot, slot, m->labels_s->strings[i]);
  } else {
    memcpy(op_add_table(c, "svm_labels", DT_INT64, m->classes, 2), m->labels_i, sizeof(int64_t) * (size_t)m->classes);
  }
  if (m->vectors > 0)
    memcpy(op_add_table(c, "svm_vectors_per_class", DT_INT64, m->classes, 3), m->per_class,
           sizeof(int64_t) * (size_t)m->classes);
}

static status svm_lower(op_ctx *c, lowered *l) {
  const int cls = is_classifier(c);
  svm_model m;
  rt_svm_params *p;
  int i;
  status s = read_model(c, &m);
  if (s) return s;
  if (!c->final)
    return diag_node_error(ST_UNSUPPORTED, c->n, "its inputs are constants; onnxcc does not evaluate %s at compile "
                           "time", c->n->op_type);
  p = op_lower_as(c, l, PD_rt_svm_params, "rt_svm_%s_%s", cls ? "classify" : "regress",
                  op_dtype_suffix(op_in(c, 0)->t.dtype));
  if (!p) return ST_UNSUPPORTED;
  op_bind(c, l, &p->rows, m.rows);
  p->cols = m.cols;
  p->classes = m.classes;
  p->vectors = m.vectors;
  p->kernel = m.vectors == 0 ? RT_SVM_LINEAR : m.kernel; /* the linear mode is LINEAR, as in ONNX Runtime */
  if (m.n_kp >= 3) p->gamma = m.kp[0], p->coef0 = m.kp[1], p->degree = m.kp[2];
  p->post = m.post;
  p->proba = m.n_pa > 0;
  p->one_class = !cls && attr_int(c->n, "one_class", 0) != 0;
  p->esize = m.strings ? (int64_t)dtype_size(DT_STRING) : (int64_t)sizeof(int64_t);
  p->all_positive = 1;
  for (i = 0; i < m.n_coef; i++)
    if (!(m.coef[i] >= 0)) p->all_positive = 0;
  l->scratch_bytes = (size_t)RT_SVM_SCRATCH(m.cols, m.vectors, m.classes);
  put_floats(c, &m);
  if (cls) put_labels(c, &m);
  return ST_OK;
}

const op_family op_family_svm = {svm_infer, svm_lower, 1, 0};
