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

#endif
