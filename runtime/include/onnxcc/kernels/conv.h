#ifndef K_CONV
#define K_CONV
#include "../params.h"
#endif
