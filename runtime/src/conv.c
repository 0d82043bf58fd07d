#include "onnxcc/kernels/conv.h"
typedef int rt_conv_unused;
