#include "onnxcc/kernels/resize.h"
typedef int rt_resize_unused;
