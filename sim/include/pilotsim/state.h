/// @file state.h
/// Saving and restoring simulation state (rewind, branching rollouts, search).
///
/// A world state holds what evolves while a world steps: time and step count,
/// the QuickStep shuffling seed, every body's pose and velocities (the static
/// pose of static bodies), joint break state, robot actuator commands and
/// settings, every sensor's readings, noise and latency buffers, drift and
/// integrator state, the sensor noise RNG and the last step's contacts.
/// Restoring it into the same world and stepping reproduces the original
/// continuation bit for bit.
///
/// An episode state adds the episode's counters (steps, return, status), the
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

#include "pilotsim/world.h"
#include "pilotsim/scene.h"

#ifdef __cplusplus
extern "C" {
#endif

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

typedef struct ps_episode_state ps_episode_state;

ps_episode_state *ps_episode_state_create(void);
void ps_episode_state_destroy(ps_episode_state *st);   ///< NULL is a no-op

/// Saves the episode (its world included). PS_ERR_INVALID with a message in
/// `err` when ctx.state holds something that is not plain data (naming the key).
ps_status ps_episode_save_state(ps_episode *e, ps_episode_state *st, char *err, size_t errlen);
/// Restores a state saved from this same episode. PS_ERR_STATE (message in
/// `err`) when it came from another episode or the world's structure changed.
ps_status ps_episode_restore_state(ps_episode *e, const ps_episode_state *st, char *err, size_t errlen);

/// The saved episode state as bytes (to store it, e.g. in a dataset): writes
/// them into `buf` when `cap` is large enough, and returns their count either
/// way (0 when `st` holds no state). The bytes are in native byte order and
/// restore only with the same build of pilotsim.
size_t ps_episode_state_bytes(const ps_episode_state *st, void *buf, size_t cap);
/// Fills `st` from bytes of ps_episode_state_bytes (copied; bytes after the
/// record, such as zero padding, are ignored). The state then restores into
/// any episode of the same scene and params whose world has the same
/// structure (typically a fresh episode begun with the recorded seed);
/// ps_episode_restore_state checks that. PS_ERR_INVALID with a message in
/// `err` for bytes that are not such a record, PS_ERR_NOMEM.
ps_status ps_episode_state_load(ps_episode_state *st, const void *data, size_t len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
