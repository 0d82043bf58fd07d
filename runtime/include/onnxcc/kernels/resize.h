#ifndef K_RESIZE
#define K_RESIZE
#include "../params.h"
#endif
