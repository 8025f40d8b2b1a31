// The viewer's physics thread: steps a ps_sim_loop in real time x speed on a
// thread of its own, so slow drawing never slows simulated time. The loop and
// its world belong to whoever holds the lock: the thread holds it while it
// steps (a few ms at a time), the frame holds it while it reads input, copies
// the snapshot it draws and lays out the panels, and releases it while the
// renderer draws and the buffers swap. Steps are the loop's own (policy,
// hook, drag), so the states are those of `pilotsim run` with the same actions.
#ifndef PS_VIEWER_SIM_THREAD_H
#define PS_VIEWER_SIM_THREAD_H

#include "sim_loop.h"

typedef struct ps_sim_thread ps_sim_thread;

/// Starts stepping `l` (borrowed; it must outlive the thread). NULL with the
/// reason in `err` when no thread can be made.
ps_sim_thread *ps_sim_thread_start(ps_sim_loop *l, char *err, size_t errlen);
/// Stops and joins the thread (NULL is a no-op). The loop is left as it was.
void ps_sim_thread_stop(ps_sim_thread *t);
/// Takes the loop from the thread (waits for its current chunk of steps, at
/// most a few ms) / gives it back. NULL: no-ops.
void ps_sim_thread_lock(ps_sim_thread *t);
void ps_sim_thread_unlock(ps_sim_thread *t);

/// What the thread measured over the last second (read with the lock held).
typedef struct ps_sim_thread_stats {
    double steps_per_s;      ///< physics steps per wall second
    double realtime_factor;  ///< simulated s per wall s while running (0 when paused)
    double busy;             ///< fraction of the wall time spent stepping, 0..1
    double step_ms;          ///< mean wall ms per step (policy, Lua, sensors and physics)
} ps_sim_thread_stats;
ps_sim_thread_stats ps_sim_thread_get_stats(const ps_sim_thread *t);
/// CPU seconds the thread has used since it started (0 for NULL or when the
/// system cannot tell).
double ps_sim_thread_cpu_s(const ps_sim_thread *t);

#endif
