/* Numeric ops of ai.onnx.ml other than the tree ensembles (trees.h):
 * Binarizer, ArrayFeatureExtractor, Normalizer, Scaler, LinearRegressor,
 * LinearClassifier, Imputer, OneHotEncoder, LabelEncoder. Attribute
 * arrays (coefficients, offsets, keys) come as extra constant inputs from
 * the weight blob, in the layout each kernel states. Scores are float and
 * computed in float, as ONNX Runtime computes them. */
#ifndef ONNXCC_KERNELS_ML_H
#define ONNXCC_KERNELS_ML_H

#include "../params.h"
#include "../runtime.h"
#include "trees.h"

/* rt_binarizer_T: y = 1 where x > threshold, 0 where x <= threshold, NaN
 * stays NaN. T: f32, f64. */
#define RT_BINARIZER_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) F(threshold)
RT_PARAMS_STRUCT(rt_binarizer_params, RT_BINARIZER_PARAMS)

/* rt_ml_gather: x (in[0]) viewed as [outer, n] elements of esize bytes,
 * the k int64 indices in[1] (negative ones count from the end) -> y
 * [outer, k]; an index outside [-n, n) gives zero bytes (ONNX Runtime
 * fails the run instead; constant indices are checked at compile time). */
#define RT_ML_GATHER_PARAMS(I, F, IA, FA, I32, I32A, E) I(outer) I(n) I(k) I(esize)
RT_PARAMS_STRUCT(rt_ml_gather_params, RT_ML_GATHER_PARAMS)

/* rt_normalizer_T: x (T) as [rows, cols] -> y float, each row divided by
 * its largest value (MAX), the sum of absolute values (L1) or the root of
 * the sum of squares (L2); a row whose divisor is 0 is copied. T: f32,
 * f64, i32, i64 (converted to float first). */
#define RT_NORMALIZER_NORMS(X) X(MAX) X(L1) X(L2)
#define RT_NORMALIZER_NAME_(n) RT_NORM_##n,
enum rt_normalizer_norm { RT_NORMALIZER_NORMS(RT_NORMALIZER_NAME_) RT_NORM_COUNT_ };
#define RT_NORMALIZER_PARAMS(I, F, IA, FA, I32, I32A, E) I(rows) I(cols) E(norm, RT_NORM_, RT_NORMALIZER_NORMS)
RT_PARAMS_STRUCT(rt_normalizer_params, RT_NORMALIZER_PARAMS)

/* rt_scaler_T: x (T) as [rows, cols] -> y float = (x - offset[c]) *
 * scale[c]; in[1] is float [2 * cols]: the offsets, then the scales. T:
 * f32, f64, i32, i64. */
#define RT_SCALER_PARAMS(I, F, IA, FA, I32, I32A, E) I(rows) I(cols)
RT_PARAMS_STRUCT(rt_scaler_params, RT_SCALER_PARAMS)

/* rt_linear_T: x (T, converted to float) as [rows, cols] times the
 * coefficients in[1] (float [targets, cols], then `targets` intercepts)
 * -> scores [rows, targets] = intercept + sum of products in column order.
 * rt_linear_regress_T writes them to out[0] and applies post (all
 * transforms when targets > 1, PROBIT alone for one target).
 * rt_linear_classify_T: labels (out[0], int64 [rows]) and scores (out[1]).
 * With several classes the label is labels[the first best raw score]
 * (in[1] holds the targets int64 labels after the intercepts, as raw
 * bits) and post applies to the row. With one class the label is
 * labels[1] for a score > 0, else labels[0]; second_class writes [1 - s,
 * s] (ONNX Runtime's rule, whatever post is), else PROBIT alone applies.
 * T: f32, f64, i32, i64. */
#define RT_LINEAR_PARAMS(I, F, IA, FA, I32, I32A, E) \
  I(rows) I(cols) I(targets) E(post, RT_TREE_, RT_TREE_POSTS) I32(second_class)
RT_PARAMS_STRUCT(rt_linear_params, RT_LINEAR_PARAMS)

/* rt_imputer_T: y = x, but values equal to `replaced` (for floats with
 * replace_nan: NaNs) become in[1][column] (T [cols]). x as [rows, cols].
 * T: f32, i64. */
#define RT_IMPUTER_PARAMS(I, F, IA, FA, I32, I32A, E) I(rows) I(cols) I(replaced) F(replaced_f) I32(replace_nan)
RT_PARAMS_STRUCT(rt_imputer_params, RT_IMPUTER_PARAMS)

/* rt_onehot_encode_T: each of the n values of x (T, truncated to int64)
 * becomes a float row of the `cats` categories of in[1] (int64): 1 where
 * it equals the category, else 0 (no match: a row of zeros). T: i64, i32,
 * f32, f64. rt_onehot_encode_string: the same for string slots of `slot`
 * bytes (x and the categories of in[1]; equal bytes match). With
 * fail_unknown (the attribute zeros = 0) a value of no category fails the
 * run: RT_ERR_VALUE at out[RT_STATUS_SLOT]. */
#define RT_ONEHOT_ENCODE_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(cats) I(slot) I32(fail_unknown)
RT_PARAMS_STRUCT(rt_onehot_encode_params, RT_ONEHOT_ENCODE_PARAMS)

/* rt_label_encode_K_V: each of the n keys x (K) -> the value (V) of the
 * first equal key in in[1] (K [keys]; a NaN key matches NaN), else the
 * default; in[2] is V [keys + 1]: the values, then the default. K, V: i64,
 * f32, f64. */
#define RT_LABEL_ENCODE_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(keys)
RT_PARAMS_STRUCT(rt_label_encode_params, RT_LABEL_ENCODE_PARAMS)

#define RT_ML_NUM_(X, K, a) X(K, a, f32) X(K, a, f64) X(K, a, i32) X(K, a, i64)
#define RT_ML_NORM_(K, a, t) K(rt_normalizer_##t, rt_normalizer_params) K(rt_scaler_##t, rt_scaler_params) \
  K(rt_linear_regress_##t, rt_linear_params) K(rt_linear_classify_##t, rt_linear_params)                  \
  K(rt_onehot_encode_##t, rt_onehot_encode_params)
#define RT_ML_LE_(K, k)                                                                                \
  K(rt_label_encode_##k##_i64, rt_label_encode_params) K(rt_label_encode_##k##_f32, rt_label_encode_params) \
  K(rt_label_encode_##k##_f64, rt_label_encode_params)

#define RT_ML_KERNELS(K)                                                                               \
  K(rt_binarizer_f32, rt_binarizer_params) K(rt_binarizer_f64, rt_binarizer_params)                   \
  K(rt_ml_gather, rt_ml_gather_params) RT_ML_NUM_(RT_ML_NORM_, K, _)                                   \
  K(rt_imputer_f32, rt_imputer_params) K(rt_imputer_i64, rt_imputer_params)                           \
  RT_ML_LE_(K, i64) RT_ML_LE_(K, f32) RT_ML_LE_(K, f64)                                              \
  K(rt_onehot_encode_string, rt_onehot_encode_params)
#define RT_ML_PARAMS_TYPES(P)                                                                          \
  P(rt_binarizer_params, RT_BINARIZER_PARAMS) P(rt_ml_gather_params, RT_ML_GATHER_PARAMS)             \
  P(rt_normalizer_params, RT_NORMALIZER_PARAMS) P(rt_scaler_params, RT_SCALER_PARAMS)                 \
  P(rt_linear_params, RT_LINEAR_PARAMS) P(rt_imputer_params, RT_IMPUTER_PARAMS)                       \
  P(rt_onehot_encode_params, RT_ONEHOT_ENCODE_PARAMS) P(rt_label_encode_params, RT_LABEL_ENCODE_PARAMS)
RT_ML_KERNELS(RT_DECLARE_KERNEL)

#endif
