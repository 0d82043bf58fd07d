#ifndef ONNXCC_KERNELS_ML_H
#define ONNXCC_KERNELS_ML_H
#include "../params.h"
#include "../runtime.h"
#define RT_ML_KERNELS(K)
#define RT_ML_PARAMS_TYPES(P)
#endif
