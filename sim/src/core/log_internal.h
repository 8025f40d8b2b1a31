// Private logging helpers.
#ifndef PS_LOG_INTERNAL_H
#define PS_LOG_INTERNAL_H

#include "pilotsim/log.h"
#include <stddef.h>

void ps_log_write(const ps_logger *lg, ps_log_level level, const char *msg);
void ps_logf(const ps_logger *lg, ps_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/// Formats into a caller's error buffer (NULL or 0 length: ignored).
void ps_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
