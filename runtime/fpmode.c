#include "fpmode.h"

#if defined(__SSE2__)
#include <pmmintrin.h>
#include <xmmintrin.h>

void nn_flush_subnormals(void)
{
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
}
#else
void nn_flush_subnormals(void) {}
#endif
