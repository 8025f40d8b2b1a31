// The viewer's rewind history: a ring of episode states (pilotsim/state.h)
// saved every `period` steps while the simulation runs. Rewinding restores the
// newest saved state before the current step and forgets the newer ones, so
// running again re-simulates the same continuation (the episode's world,
// counters, RNG and ctx.state are restored; a policy's own Lua locals are not).
#ifndef PS_VIEWER_HISTORY_H
#define PS_VIEWER_HISTORY_H

#include "pilotsim/pilotsim.h"

typedef struct ps_history ps_history;

/// A history of up to `capacity` states, one every `period` steps (>= 1).
/// NULL on allocation failure.
ps_history *ps_history_create(size_t capacity, uint64_t period);
void ps_history_destroy(ps_history *h);  ///< NULL is a no-op
/// Forgets every state (a new episode began); the next record saves.
void ps_history_clear(ps_history *h);
/// Saves `e` when its step count is a multiple of the period (the oldest state
/// is dropped when the ring is full). When the episode cannot be saved (its
/// ctx.state holds more than plain data) the history turns itself off and
/// ps_history_disabled says why.
void ps_history_record(ps_history *h, ps_episode *e);
/// Restores the newest state saved before the episode's current step and drops
/// the states after it. False (with the reason in `err`) when there is none.
bool ps_history_rewind(ps_history *h, ps_episode *e, char *err, size_t errlen);
/// States held.
size_t ps_history_count(const ps_history *h);
/// Why the history is off, or NULL while it works.
const char *ps_history_disabled(const ps_history *h);

#endif
