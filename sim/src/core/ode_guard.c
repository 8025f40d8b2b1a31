#include "ode_guard.h"
#include "log_internal.h"

#include <ode/ode.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

static once_flag ode_once = ONCE_FLAG_INIT;
static mtx_t rng_mutex;   // initialised once with ODE; guards ODE's process-wide RNG seed
// Per-thread: whether ODE's thread data was allocated, and the active guard. Thread-locals because ODE's callbacks carry no
// context pointer.
static _Thread_local bool tl_allocated;
static _Thread_local ps_ode_guard *tl_guard;

static void route(ps_log_level level, const char *kind, int errnum, const char *fmt, va_list ap)
{
    char body[400];
    vsnprintf(body, sizeof body, fmt, ap);
    if (level == PS_LOG_ERROR && tl_guard && tl_guard->armed) {
        snprintf(tl_guard->msg, sizeof tl_guard->msg, "ODE %s %d: %s", kind, errnum, body);
        ps_ode_guard *g = tl_guard;
        longjmp(g->jb, 1);
    }
    const ps_logger *lg = tl_guard ? tl_guard->log : NULL;
    ps_logf(lg, level, "ODE %s %d: %s", kind, errnum, body);
}

static void on_error(int errnum, const char *msg, va_list ap) { route(PS_LOG_ERROR, "error", errnum, msg, ap); }
static void on_debug(int errnum, const char *msg, va_list ap) { route(PS_LOG_ERROR, "debug check", errnum, msg, ap); }
static void on_message(int errnum, const char *msg, va_list ap) { route(PS_LOG_WARN, "message", errnum, msg, ap); }

static void init_once(void)
{
    dInitODE2(0);
    if (mtx_init(&rng_mutex, mtx_plain) != thrd_success) abort();   // cannot fail on Linux
    dSetErrorHandler(on_error);
    dSetDebugHandler(on_debug);
    dSetMessageHandler(on_message);
}

void ps_ode_init(void)
{
    call_once(&ode_once, init_once);
    if (!tl_allocated) {
        dAllocateODEDataForThread(dAllocateMaskAll);
        tl_allocated = true;
    }
}

void ps_ode_rng_lock(void) { mtx_lock(&rng_mutex); }
void ps_ode_rng_unlock(void) { mtx_unlock(&rng_mutex); }

void ps_ode_guard_push(ps_ode_guard *g, const ps_logger *log)
{
    g->armed = true;
    g->log = log;
    g->msg[0] = '\0';
    g->prev = tl_guard;
    tl_guard = g;
}

void ps_ode_log_push(ps_ode_guard *g, const ps_logger *log)
{
    ps_ode_guard_push(g, log);
    g->armed = false;
}

void ps_ode_guard_pop(ps_ode_guard *g)
{
    tl_guard = g->prev;
}
