#include "onnxcc/kernels/pool.h"
typedef int rt_pool_unused;
