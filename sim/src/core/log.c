// Log sinks: the library's only way to say anything.
#include "log_internal.h"

#include <stdio.h>
#include <stdarg.h>

const char *ps_log_level_name(ps_log_level level)
{
    switch (level) {
    case PS_LOG_DEBUG: return "debug";
    case PS_LOG_INFO: return "info";
    case PS_LOG_WARN: return "warn";
    case PS_LOG_ERROR: return "error";
    }
    return "?";
}

void ps_log_write(const ps_logger *lg, ps_log_level level, const char *msg)
{
    if (lg && lg->fn) {
        lg->fn(lg->user, level, msg);
    } else if (level >= PS_LOG_WARN) {
        fprintf(stderr, "pilotsim: %s: %s\n", ps_log_level_name(level), msg);
    }
}

void ps_logf(const ps_logger *lg, ps_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ps_log_write(lg, level, buf);
}

void ps_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
