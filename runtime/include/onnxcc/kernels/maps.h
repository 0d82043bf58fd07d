/* ai.onnx.ml's ops that read a map: DictVectorizer and CastMap. A map
 * input reaches them as two tensors of one length n, its keys (in[0]) and
 * its values (in[1]) (docs/api.md, "Map inputs"). */
#ifndef ONNXCC_KERNELS_MAPS_H
#define ONNXCC_KERNELS_MAPS_H

#include "../params.h"
#include "../runtime.h"

/* rt_dict_vectorize_K_V: y (V [vocab]) is 0 but at the position of each
 * key in the vocabulary (in[2], K [vocab]), which gets that key's value;
 * a key the vocabulary lacks is skipped (ONNX Runtime's choice), the last
 * of equal keys wins. K: i64, str (slots of `slot` bytes, strings.h);
 * V: f32, f64, i64. */
#define RT_DICT_VECTORIZE_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(vocab) I(slot)
RT_PARAMS_STRUCT(rt_dict_vectorize_params, RT_DICT_VECTORIZE_PARAMS)

/* rt_cast_map_T: y (T [width]) from a map of int64 keys and float values,
 * each value converted to T (C's conversion: toward zero for i64). Dense
 * (sparse 0): the values in ascending key order, width n. Sparse: 0 but at
 * y[key] for each key in 0..width-1 (max_map); other keys are skipped, as
 * ONNX Runtime does. T: f32, i64. */
#define RT_CAST_MAP_PARAMS(I, F, IA, FA, I32, I32A, E) I(n) I(width) I32(sparse)
RT_PARAMS_STRUCT(rt_cast_map_params, RT_CAST_MAP_PARAMS)

#define RT_MAPS_KERNELS(K)                                                                              \
  K(rt_dict_vectorize_i64_f32, rt_dict_vectorize_params)                                               \
  K(rt_dict_vectorize_i64_f64, rt_dict_vectorize_params)                                               \
  K(rt_dict_vectorize_i64_i64, rt_dict_vectorize_params)                                               \
  K(rt_dict_vectorize_str_f32, rt_dict_vectorize_params)                                               \
  K(rt_dict_vectorize_str_f64, rt_dict_vectorize_params)                                               \
  K(rt_dict_vectorize_str_i64, rt_dict_vectorize_params)                                               \
  K(rt_cast_map_f32, rt_cast_map_params)                                                               \
  K(rt_cast_map_i64, rt_cast_map_params)
#define RT_MAPS_PARAMS_TYPES(P) \
  P(rt_dict_vectorize_params, RT_DICT_VECTORIZE_PARAMS) P(rt_cast_map_params, RT_CAST_MAP_PARAMS)
RT_MAPS_KERNELS(RT_DECLARE_KERNEL)

#endif
