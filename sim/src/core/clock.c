// The monotonic wall clock for profiling counters (util.h).
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <time.h>

double ps_monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
