#include "onnxcc/kernels/norm.h"
typedef int rt_norm_unused;
