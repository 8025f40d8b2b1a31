/// @file state.h
/// Saving and restoring simulation state (rewind, branching rollouts, search).
///
/// A world state holds what evolves while a world steps: time and step count,
/// the QuickStep shuffling seed, every body's pose and velocities (the static
/// pose of static bodies) and mass model as simulated (with the actuator
/// armature a link carries), joint break state, robot actuator commands and
/// settings, every sensor's readings, noise and latency buffers, drift and
/// integrator state, the sensor noise RNG and the last step's contacts.
/// Restoring it into the same world and stepping reproduces the original
/// continuation bit for bit.
///
/// An episode state (episode.h) adds the episode's counters (steps, return, status), the
/// episode RNG behind math.random, the observation and action buffers, and the
/// scene's `ctx.state` table. That table must hold plain data (numbers,
/// strings, booleans and tables of them): keep any running value a scene or
/// module needs there, not in Lua locals, or it is not rewound.
///
/// Not saved: the world's structure (a state restores only into the world it
/// came from, with the same bodies, joints, robots and sensors: adding or
/// removing any of them makes restoring fail with PS_ERR_STATE), forces added
/// since the last step, and joint motor settings made directly through
/// joint.h (robot actuators are saved; scenes normally set motors every step).
/// Lua locals of scenes and policies are not saved either (see above).
#ifndef PILOTSIM_STATE_H
#define PILOTSIM_STATE_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

typedef struct ps_world_state ps_world_state;

/// An empty state buffer; NULL on allocation failure. Reuse it across saves.
ps_world_state *ps_world_state_create(void);
void ps_world_state_destroy(ps_world_state *st);   ///< NULL is a no-op
/// Size of the saved state in bytes (0 when empty).
size_t ps_world_state_size(const ps_world_state *st);

/// Saves `w` into `st` (overwriting it). PS_ERR_NOMEM on allocation failure.
ps_status ps_world_save_state(const ps_world *w, ps_world_state *st);
/// Restores `st` into `w`. PS_ERR_INVALID for an empty state, PS_ERR_STATE when
/// `w` is not the world (structure) the state was saved from; the world is
/// unchanged then (see ps_world_last_error).
ps_status ps_world_restore_state(ps_world *w, const ps_world_state *st);

PS_END_DECLS
#endif
