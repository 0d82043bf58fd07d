/* ai.onnx.ml FeatureVectorizer (CategoryMapper runs on strings.h's
 * label-encoding kernels). */
#ifndef ONNXCC_KERNELS_ML_EXTRA_H
#define ONNXCC_KERNELS_ML_EXTRA_H

#include "../params.h"
#include "../runtime.h"

/* rt_feature_vectorize_T: the `inputs` inputs in[0..inputs) (all T, each
 * [rows, width]) side by side in y (float [rows, total]): input k takes
 * `size` columns, the first min(width, size) of its row converted to
 * float, the rest 0 (ONNX Runtime drops extra columns and pads missing
 * ones). in[inputs] is int64 [2 * inputs]: each input's width, then each
 * one's size. T: f32, f64, i32, i64. */
#define RT_FEATURE_VECTORIZE_PARAMS(I, F, IA, FA, I32, I32A, E) I(rows) I(inputs) I(total)
RT_PARAMS_STRUCT(rt_feature_vectorize_params, RT_FEATURE_VECTORIZE_PARAMS)

#define RT_ML_EXTRA_KERNELS(K)                                                                         \
  K(rt_feature_vectorize_f32, rt_feature_vectorize_params)                                            \
  K(rt_feature_vectorize_f64, rt_feature_vectorize_params)                                            \
  K(rt_feature_vectorize_i32, rt_feature_vectorize_params)                                            \
  K(rt_feature_vectorize_i64, rt_feature_vectorize_params)
#define RT_ML_EXTRA_PARAMS_TYPES(P) P(rt_feature_vectorize_params, RT_FEATURE_VECTORIZE_PARAMS)
RT_ML_EXTRA_KERNELS(RT_DECLARE_KERNEL)

#endif
