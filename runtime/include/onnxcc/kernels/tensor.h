#ifndef K_TENSOR
#define K_TENSOR
#include "../params.h"
#endif
