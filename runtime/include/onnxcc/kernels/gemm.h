#ifndef K_GEMM
#define K_GEMM
#include "../params.h"
#endif
