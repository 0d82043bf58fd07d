/* Tree ensembles of ai.onnx.ml: TreeEnsembleRegressor, TreeEnsembleClassifier
 * (ml opsets 1 and 3) and TreeEnsemble (ml opset 5), all compiled into one
 * flat node table that a generic kernel walks. The compiler (trees.c)
 * builds the table from the node's attributes and puts it in the weight
 * blob as two extra inputs; generating straight-line C per tree would be
 * a possible later step for small ensembles.
 *
 * in[1], the int64 table:
 *   [0, trees)            the root node of each tree, in evaluation order
 *   [labels_at, +targets) the class labels (classifier only)
 *   [nodes_at, +7 * n)    n node records of RT_TREE_NODE_FIELDS int64s:
 *                         mode (RT_TREE_MODES), then for a branch: feature,
 *                         true node, false node, missing-goes-true (0/1),
 *                         first and count of its set's members in in[2]
 *                         (BRANCH_MEMBER); for a leaf: weight count, first
 *                         weight, 0, 0, 0, 0
 *   [wtarget_at, ...)     each leaf weight's target (class) index
 * in[2], the float table:
 *   [0, n_base)           base_values
 *   [split_at, +n)        each node's threshold
 *   [wvalue_at, ...)      each leaf weight's value
 *   then the members of every BRANCH_MEMBER set.
 * A branch goes to its true node when the comparison of x[feature] with
 * the threshold holds, or when x[feature] is NaN and missing-goes-true is
 * set. Arithmetic is in X's type (float, or double for TreeEnsemble), as
 * ONNX Runtime's: thresholds, weights and sums alike. */
#ifndef ONNXCC_KERNELS_TREES_H
#define ONNXCC_KERNELS_TREES_H

#include "../params.h"
#include "../runtime.h"

#define RT_TREE_NODE_FIELDS 7
#define RT_TREE_MODES(X) X(LEQ) X(LT) X(GTE) X(GT) X(EQ) X(NEQ) X(MEMBER) X(LEAF)
#define RT_TREE_AGGS(X) X(SUM) X(AVERAGE) X(MIN) X(MAX)
/* ONNX's post_transform names, in ONNX's numbering (TreeEnsemble-5). */
#define RT_TREE_POSTS(X) X(NONE) X(SOFTMAX) X(LOGISTIC) X(SOFTMAX_ZERO) X(PROBIT)
#define RT_TREE_ENUM_(name) RT_TREE_##name,
enum { RT_TREE_MODES(RT_TREE_ENUM_) RT_TREE_N_MODES };
enum { RT_TREE_AGGS(RT_TREE_ENUM_) RT_TREE_N_AGGS };
enum { RT_TREE_POSTS(RT_TREE_ENUM_) RT_TREE_N_POSTS };
#undef RT_TREE_ENUM_

/* rt_tree_regress_T: x (in[0], T [rows, features]) -> y (out[0], T
 * [rows, targets]), the float table being T too (f64: TreeEnsemble-5 on
 * double X; transforms computed in float): per target, the leaf weights of every tree
 * aggregated by agg, then base_values added (n_base == targets; AVERAGE
 * divides by trees first), then post (all of them when targets > 1; only
 * PROBIT for a single target, as ONNX Runtime does).
 * rt_tree_classify_f32: labels (out[0], int64 [rows]) and scores (out[1],
 * float [rows, targets]) of a classifier with `targets` >= 2 classes, with
 * ONNX Runtime's rules for base_values and for the binary case (two
 * classes, weights on one class only: binary_case; all_positive when no
 * weight is negative), described at the kernel.
 * Both need scratch of RT_TREE_SCRATCH(targets) bytes. */
#define RT_TREE_PARAMS(I, F, IA, FA, I32, I32A, E)                                              \
  I(rows) I(features) I(trees) I(targets) I(n_nodes) I(n_base) I(labels_at) I(nodes_at)     \
  I(wtarget_at) I(split_at) I(wvalue_at) E(agg, RT_TREE_, RT_TREE_AGGS)                      \
  E(post, RT_TREE_, RT_TREE_POSTS) I32(binary_case) I32(all_positive)
RT_PARAMS_STRUCT(rt_tree_params, RT_TREE_PARAMS)
#define RT_TREE_SCRATCH(targets) ((targets) * (int64_t)(sizeof(float) + 1) + 8)

/* The transforms of ai.onnx.ml scores, ONNX Runtime's formulas (shared
 * with ml.h's classifiers): PROBIT uses its erfinv approximation. */
float rt_ml_logistic(float v);
float rt_ml_probit(float v);
/* post applied to the n scores of one row, in place (n >= 2). */
void rt_ml_post_scores(int post, float *s, int64_t n);

#define RT_TREES_KERNELS(K) \
  K(rt_tree_regress_f32, rt_tree_params) K(rt_tree_regress_f64, rt_tree_params) \
  K(rt_tree_classify_f32, rt_tree_params)
#define RT_TREES_PARAMS_TYPES(P) P(rt_tree_params, RT_TREE_PARAMS)
RT_TREES_KERNELS(RT_DECLARE_KERNEL)

#endif
