#include "onnxcc/kernels/reduce.h"
typedef int rt_reduce_unused;
