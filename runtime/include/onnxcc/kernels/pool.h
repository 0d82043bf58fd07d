#ifndef K_POOL
#define K_POOL
#include "../params.h"
#endif
