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

#include "pilotsim/export.h"

#include "pilotsim/world.h"
#include "pilotsim/scene.h"

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

typedef struct ps_episode_state ps_episode_state;

/// An empty state holder (owned by the caller; free with ps_episode_state_destroy).
/// NULL when out of memory.
ps_episode_state *ps_episode_state_create(void);
void ps_episode_state_destroy(ps_episode_state *st);   ///< NULL is a no-op

/// Saves the episode (its world included). PS_ERR_INVALID with a message in
/// `err` when ctx.state holds something that is not plain data (naming the key).
ps_status ps_episode_save_state(ps_episode *e, ps_episode_state *st, char *err, size_t errlen);
/// Restores a state saved from this same episode (or rebuilt from bytes by
/// ps_episode_state_deserialize: then an episode of the same scene and seed). PS_ERR_STATE
/// (message in `err`) when it came from another episode or scene, or the world's
/// structure or the observation/action sizes differ; the episode is unchanged then.
ps_status ps_episode_restore_state(ps_episode *e, const ps_episode_state *st, char *err, size_t errlen);

/// Serializes a saved episode state (ps_episode_save_state) into one
/// self-contained byte string, for storing, pickling or sending to another
/// process. `*data` (owned by the caller, free it with
/// ps_episode_state_free_bytes) and `*len` receive the bytes. The format is
/// this build's, in native byte order: it restores with the same library
/// version on the same architecture. PS_ERR_INVALID for an empty state,
/// PS_ERR_NOMEM on allocation failure (`*data` NULL then).
ps_status ps_episode_state_serialize(const ps_episode_state *st, void **data, size_t *len);
/// Frees bytes from ps_episode_state_serialize (NULL is a no-op).
void ps_episode_state_free_bytes(void *data);
/// Rebuilds a state from `len` bytes of ps_episode_state_serialize (the data is
/// copied; the caller keeps ownership; zero bytes after it, such as a dataset
/// row's padding, are ignored). The result restores with
/// ps_episode_restore_state into an episode of a scene with the same
/// file content and param values, begun with the same seed, in this
/// process or another; restoring then stepping continues bit for bit as the
/// original did. NULL with a message in `err` for bytes that are damaged,
/// truncated or from another format version. Free with ps_episode_state_destroy.
ps_episode_state *ps_episode_state_deserialize(const void *data, size_t len, char *err, size_t errlen);
/// The seed of the episode a state was saved from (to begin a matching episode
/// before restoring bytes from another process); 0 for NULL or an empty state.
uint64_t ps_episode_state_seed(const ps_episode_state *st);

PS_END_DECLS
#endif
