/* Support vector machines of ai.onnx.ml: SVMClassifier and SVMRegressor
 * (ml opset 1), with ONNX Runtime's rules (its CPU kernels are the spec
 * in practice). X (T: f32, f64, i32, i64) is read as float, row by row,
 * and everything is computed in float, as ONNX Runtime does.
 *
 * The kernel function K(x, v) of a row x against a vector v of `cols`
 * floats (kernel):
 *   LINEAR   x.v (+ rho[0] in the linear mode below)
 *   POLY     (gamma x.v + coef0) ^ degree
 *   RBF      exp(-gamma |x - v|^2)
 *   SIGMOID  tanh(gamma x.v + coef0)
 * With vectors == 0 (the linear mode: coefficients only, no support
 * vectors) the compiler sets kernel LINEAR, whatever the model says.
 *
 * in[1], the float table:
 *   vectors > 0: the support vectors [vectors, cols], the coefficients
 *                [classes - 1, vectors] (the regressor: [vectors]), rho
 *                [pairs] (the regressor: [1]), then for a classifier with
 *                proba prob_a [pairs] and prob_b [pairs], pairs being
 *                classes * (classes - 1) / 2
 *   vectors == 0: the coefficients [classes, cols], then rho [1]
 * and for a classifier with support vectors in[3], int64 [classes]: how
 * many of the vectors (in order) belong to each class.
 *
 * rt_svm_regress_T: y (out[0], float [rows, 1]) = sum of coefficient *
 * K(x, vector) + rho[0], or in the linear mode K(x, coefficients); with
 * one_class, 1 where that is > 0, else -1.
 *
 * rt_svm_classify_T: labels (out[0], `classes` entries of esize bytes in
 * in[2]: int64 or string slots, copied) and scores (out[1], float).
 *   Linear mode: scores [rows, classes] = K(x, coefficients of the class);
 *     the label is the class of the first best score, except with two
 *     classes: labels[1] when the best score is >= 0.5 and every
 *     coefficient >= 0 (all_positive), or > 0 and not all_positive. Then
 *     post transforms a row of two or more scores; one score takes PROBIT
 *     alone.
 *   Support vectors: one decision value per class pair (i, j), i < j, in
 *     that order: the coefficients of row j - 1 times the kernels of class
 *     i's vectors, plus those of row i times class j's, plus rho[pair]; > 0
 *     is a vote for i, else for j. The label is the class of the first
 *     most votes. Without proba the scores are the decision values: [rows,
 *     pairs] for three classes or more, then post; for two classes [rows,
 *     2] = [-d, d] when post is NONE, else [1 - d, d] (ONNX Runtime's
 *     layout; the compiler refuses PROBIT there, where ONNX Runtime leaves
 *     the second score unwritten). With proba the pairwise probabilities
 *     1 - logistic(d * prob_a + prob_b), clamped to [1e-7, 1 - 1e-7], are
 *     coupled into one probability per class (Wu, Lin and Weng's method 2,
 *     as libsvm's multiclass_probability, at most 100 rounds): scores
 *     [rows, classes], then post.
 *
 * Both need RT_SVM_SCRATCH(cols, vectors, classes) bytes of scratch. */
#ifndef ONNXCC_KERNELS_SVM_H
#define ONNXCC_KERNELS_SVM_H

#include "../params.h"
#include "../runtime.h"
#include "trees.h"

#define RT_SVM_KINDS(X) X(LINEAR) X(POLY) X(RBF) X(SIGMOID)
#define RT_SVM_ENUM_(name) RT_SVM_##name,
enum { RT_SVM_KINDS(RT_SVM_ENUM_) RT_SVM_N_KINDS };
#undef RT_SVM_ENUM_

#define RT_SVM_PARAMS(I, F, IA, FA, I32, I32A, E)                                                      \
  I(rows) I(cols) I(classes) I(vectors) E(kernel, RT_SVM_, RT_SVM_KINDS) F(gamma) F(coef0) F(degree) \
  E(post, RT_TREE_, RT_TREE_POSTS) I32(proba) I32(all_positive) I32(one_class) I(esize)
RT_PARAMS_STRUCT(rt_svm_params, RT_SVM_PARAMS)

/* The float row of x, the kernels, the votes, the pair scores and the
 * coupling's two classes x classes matrices and its vector. */
#define RT_SVM_SCRATCH(cols, vectors, classes) \
  ((int64_t)sizeof(float) * ((cols) + (vectors) + 3 * (classes) + 3 * (classes) * (classes)))

#define RT_SVM_T_(K, t) K(rt_svm_regress_##t, rt_svm_params) K(rt_svm_classify_##t, rt_svm_params)
#define RT_SVM_KERNELS(K) RT_SVM_T_(K, f32) RT_SVM_T_(K, f64) RT_SVM_T_(K, i32) RT_SVM_T_(K, i64)
#define RT_SVM_PARAMS_TYPES(P) P(rt_svm_params, RT_SVM_PARAMS)
RT_SVM_KERNELS(RT_DECLARE_KERNEL)

#endif
