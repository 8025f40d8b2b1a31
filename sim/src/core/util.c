// Small helpers every layer of the library shares (util.h).
#include "util.h"

#include <stdarg.h>
#include <stdio.h>

void ps_msgf(char *buf, size_t n, const char *fmt, ...)
{
    if (!buf || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}
