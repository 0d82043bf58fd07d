#include "onnxcc/kernels/ml.h"
typedef int rt_ml_unused_;
