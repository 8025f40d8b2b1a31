/// @file log.h
/// Log sink. The library never prints by itself: everything it has to say,
/// including ODE's messages, goes through a ps_log_fn given by the caller.
#ifndef PILOTSIM_LOG_H
#define PILOTSIM_LOG_H

#include "pilotsim/export.h"

PS_BEGIN_DECLS

typedef enum ps_log_level { PS_LOG_DEBUG, PS_LOG_INFO, PS_LOG_WARN, PS_LOG_ERROR } ps_log_level;

/// Receives one message (no trailing newline). `user` is the pointer given with
/// the callback. `msg` is only valid during the call.
typedef void (*ps_log_fn)(void *user, ps_log_level level, const char *msg);

/// A log sink: callback plus its user pointer. A NULL `fn` means "stderr,
/// warnings and errors only".
typedef struct ps_logger { ps_log_fn fn; void *user; } ps_logger;

/// Short lower-case name of a level ("debug", "info", "warn", "error").
const char *ps_log_level_name(ps_log_level level);

PS_END_DECLS
#endif
