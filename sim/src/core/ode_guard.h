// Routing of ODE's process-wide message/error/debug handlers, and recovery
// from ODE errors. Messages outside a guard go to stderr. ODE calls exit()/abort() when an error handler returns, so
// a guarded region catches them with longjmp. ODE's handlers take no user
// pointer: the active guard is found through a thread-local pointer, the one
// piece of mutable global-ish state in the library (set only inside guards).
#ifndef PS_ODE_GUARD_H
#define PS_ODE_GUARD_H

#include <setjmp.h>
#include <stdbool.h>
#include "pilotsim/log.h"

typedef struct ps_ode_guard {
    jmp_buf jb;
    bool armed;             // errors longjmp to jb (ps_ode_guard_push); else only logged
    const ps_logger *log;
    struct ps_ode_guard *prev;
    char msg[512];
} ps_ode_guard;

/// One-time ODE initialisation for the process, and per-thread ODE data for
/// the calling thread. Idempotent and thread-safe.
void ps_ode_init(void);

/// Makes `g` the calling thread's active guard. Use as:
///   ps_ode_guard g; ps_ode_guard_push(&g, log);
///   if (setjmp(g.jb) == 0) { ODE calls } else { g.msg says what failed }
///   ps_ode_guard_pop(&g);
/// ODE's random number generator (QuickStep's constraint shuffling) is one
/// process-wide seed: a world sets it, steps and reads it back while holding
/// this lock, so worlds stepping in different threads never interleave those
/// three calls and each stays deterministic. Call ps_ode_init() first.
void ps_ode_rng_lock(void);
void ps_ode_rng_unlock(void);
void ps_ode_guard_push(ps_ode_guard *g, const ps_logger *log);
void ps_ode_guard_pop(ps_ode_guard *g);
/// Routes ODE's messages to `log` around ODE calls outside a step (mass
/// set-up): pushed like a guard, but without a jump target. Pop with
/// ps_ode_guard_pop.
void ps_ode_log_push(ps_ode_guard *g, const ps_logger *log);

#endif
