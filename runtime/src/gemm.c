#include "onnxcc/kernels/gemm.h"
typedef int rt_gemm_unused;
