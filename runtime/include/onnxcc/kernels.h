/* Every kernel family of the runtime. Generated code includes this. */
#ifndef ONNXCC_KERNELS_H
#define ONNXCC_KERNELS_H

#include "params.h"
#include "runtime.h"
#include "kernels/elementwise.h"
#include "kernels/conv.h"
#include "kernels/pool.h"
#include "kernels/gemm.h"
#include "kernels/norm.h"
#include "kernels/reduce.h"
#include "kernels/tensor.h"
#include "kernels/resize.h"
#include "kernels/loss.h"
#include "kernels/matrix.h"
#include "kernels/scatter.h"
#include "kernels/rnn.h"
#include "kernels/gridsample.h"
#include "kernels/dims.h"
#include "kernels/select.h"
#include "kernels/detect.h"
#include "kernels/signal.h"
#include "kernels/algebra.h"
#include "kernels/placement.h"
#include "kernels/sequence.h"
#include "kernels/quant.h"
#include "kernels/msquant.h"
#include "kernels/trees.h"
#include "kernels/ml.h"
#include "kernels/roi.h"
#include "kernels/tfidf.h"
#include "kernels/training.h"
#include "kernels/random.h"
#include "kernels/strings.h"
#include "kernels/regex.h"

/* All kernel variants, K(function, params type), and all params types,
 * P(type, field list): the compiler builds its kernel table from these. */
/* One family per line, so that adding a family is adding a line. */
#define RT_ALL_KERNELS(K) \
  RT_ELEMENTWISE_KERNELS(K) \
  RT_CONV_KERNELS(K) \
  RT_POOL_KERNELS(K) \
  RT_GEMM_KERNELS(K) \
  RT_NORM_KERNELS(K) \
  RT_REDUCE_KERNELS(K) \
  RT_TENSOR_KERNELS(K) \
  RT_RESIZE_KERNELS(K) \
  RT_LOSS_KERNELS(K) \
  RT_MATRIX_KERNELS(K) \
  RT_SCATTER_KERNELS(K) \
  RT_RNN_KERNELS(K) \
  RT_GRIDSAMPLE_KERNELS(K) \
  RT_DIMS_KERNELS(K) \
  RT_SELECT_KERNELS(K) \
  RT_DETECT_KERNELS(K) \
  RT_SIGNAL_KERNELS(K) \
  RT_ALGEBRA_KERNELS(K) \
  RT_PLACEMENT_KERNELS(K) \
  RT_SEQUENCE_KERNELS(K) \
  RT_QUANT_KERNELS(K) \
  RT_MSQUANT_KERNELS(K) \
  RT_TREES_KERNELS(K) \
  RT_ML_KERNELS(K) \
  RT_ROI_KERNELS(K) \
  RT_TFIDF_KERNELS(K) \
  RT_TRAINING_KERNELS(K) \
  RT_RANDOM_KERNELS(K) \
  RT_STRINGS_KERNELS(K) \
  RT_REGEX_KERNELS(K)
#define RT_ALL_PARAMS_TYPES(P) \
  RT_ELEMENTWISE_PARAMS_TYPES(P) \
  RT_CONV_PARAMS_TYPES(P) \
  RT_POOL_PARAMS_TYPES(P) \
  RT_GEMM_PARAMS_TYPES(P) \
  RT_NORM_PARAMS_TYPES(P) \
  RT_REDUCE_PARAMS_TYPES(P) \
  RT_TENSOR_PARAMS_TYPES(P) \
  RT_RESIZE_PARAMS_TYPES(P) \
  RT_LOSS_PARAMS_TYPES(P) \
  RT_MATRIX_PARAMS_TYPES(P) \
  RT_SCATTER_PARAMS_TYPES(P) \
  RT_RNN_PARAMS_TYPES(P) \
  RT_GRIDSAMPLE_PARAMS_TYPES(P) \
  RT_DIMS_PARAMS_TYPES(P) \
  RT_SELECT_PARAMS_TYPES(P) \
  RT_DETECT_PARAMS_TYPES(P) \
  RT_SIGNAL_PARAMS_TYPES(P) \
  RT_ALGEBRA_PARAMS_TYPES(P) \
  RT_PLACEMENT_PARAMS_TYPES(P) \
  RT_SEQUENCE_PARAMS_TYPES(P) \
  RT_QUANT_PARAMS_TYPES(P) \
  RT_MSQUANT_PARAMS_TYPES(P) \
  RT_TREES_PARAMS_TYPES(P) \
  RT_ML_PARAMS_TYPES(P) \
  RT_ROI_PARAMS_TYPES(P) \
  RT_TFIDF_PARAMS_TYPES(P) \
  RT_TRAINING_PARAMS_TYPES(P) \
  RT_RANDOM_PARAMS_TYPES(P) \
  RT_STRINGS_PARAMS_TYPES(P) \
  RT_REGEX_PARAMS_TYPES(P)

#endif
