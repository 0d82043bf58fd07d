#include "onnxcc/kernels/tensor.h"
typedef int rt_tensor_unused;
