#ifndef K_NORM
#define K_NORM
#include "../params.h"
#endif
