#ifndef K_REDUCE
#define K_REDUCE
#include "../params.h"
#endif
