/// @file episode.h
/// Episodes: a seeded run of a scene (scene.h) in a fresh world; stepping,
/// status, return, metrics, observation and action spaces, and saving and
/// restoring an episode's state (as a holder or as bytes).
#ifndef PILOTSIM_EPISODE_H
#define PILOTSIM_EPISODE_H

#include "pilotsim/export.h"

#include "pilotsim/scene.h"

PS_BEGIN_DECLS

/// How an episode ended.
typedef enum ps_episode_status {
    PS_EP_RUNNING,
    PS_EP_SUCCESS,
    PS_EP_FAILURE,
    PS_EP_TIMEOUT,          ///< reached its time or step limit without success or failure
    PS_EP_DIVERGED,         ///< physics_diverged
    PS_EP_SCRIPT_ERROR,
    /// policy_error: the policy's transport failed (ps_policy_act returned
    /// PS_ERR_TRANSPORT): an infrastructure failure, not the policy's.
    PS_EP_POLICY_ERROR,
} ps_episode_status;

/// "running", "success", "failure", "timeout", "physics_diverged",
/// "script_error", "policy_error".
const char *ps_episode_status_name(ps_episode_status s);

/// Starts an episode: builds a fresh world from the scene with the episode's
/// seed (Lua math.random, randomised params and the solver seed all derive
/// from it). Returns NULL only on allocation failure; a failing build gives an
/// episode whose status is PS_EP_SCRIPT_ERROR. The episode borrows the scene,
/// which must outlive it. One episode at a time per scene.
ps_episode *ps_episode_begin(ps_scene *s, uint64_t seed);
void ps_episode_end(ps_episode *e);

/// Runs one step: the scene's step(ctx), the physics step, then reward,
/// failure and success. Returns the status after the step (PS_EP_RUNNING while
/// the episode goes on). `max_steps` > 0 ends the episode as timeout after that
/// many steps; 0 uses the scene's time limit.
ps_episode_status ps_episode_step(ps_episode *e, uint64_t max_steps);

/// Where an episode stands after ps_episode_step_repeat (for bindings: one call
/// instead of one per figure).
typedef struct ps_episode_progress {
    uint64_t steps;        ///< steps taken in the episode
    uint64_t hash;         ///< ps_world_state_hash of the world
    double time;           ///< simulated time, s (ps_world_time)
    double ret;            ///< the episode return so far
    int status;            ///< ps_episode_status
    int taken;             ///< steps this call ran (fewer than `repeat` when the episode ended)
} ps_episode_progress;

/// Runs up to `repeat` (>= 1) steps with the same action buffers, stopping when
/// the episode ends, and fills `out` (non-NULL). Returns the status, like
/// ps_episode_step (action repeat / a policy rate below the physics rate).
ps_episode_status ps_episode_step_repeat(ps_episode *e, uint64_t max_steps, int repeat, ps_episode_progress *out);

/// Ends a running episode from outside (a policy failed, a worker gave up):
/// status `st` (not PS_EP_RUNNING) with `msg`. No-op when it already ended.
void ps_episode_abort(ps_episode *e, ps_episode_status st, const char *msg);

/// Manual control (the viewer's actuator sliders): while on, steps skip the
/// action mapping (the action space and the scene's act()), and the robot
/// commands the scene's step() sets are undone after it, so they stay as
/// ps_robot_set_command left them; the rest of step(), rewards and success
/// checks still run. Off when an episode begins.
void ps_episode_set_manual(ps_episode *e, bool on);
bool ps_episode_manual(const ps_episode *e);   ///< whether manual control is on

/// Wall-clock seconds the episode's steps spent outside ps_world_step (the
/// scene's Lua callbacks, actions and observations) since it began, for
/// profilers; ps_world_step_seconds has the rest. Counted only while the
/// world's step timing is on (ps_world_set_timing; off by default).
double ps_episode_lua_seconds(const ps_episode *e);

/// Runs steps until the episode ends.
ps_episode_status ps_episode_run(ps_episode *e, uint64_t max_steps);

ps_episode_status ps_episode_get_status(const ps_episode *e);
/// The world the episode runs in (borrowed; NULL if the build failed early).
ps_world *ps_episode_world(ps_episode *e);
uint64_t ps_episode_steps(const ps_episode *e);
/// The physics timestep the episode runs at, s (the scene's `timestep`).
double ps_episode_timestep(const ps_episode *e);
double ps_episode_return(const ps_episode *e);   ///< sum of rewards
/// The scene this episode runs (borrowed).
ps_scene *ps_episode_scene(ps_episode *e);
/// The episode's language instruction ("" when the scene declares none): the
/// scene's `instruction` string, or what its instruction(params, seed)
/// function returned at ps_episode_begin (called with the episode's params and
/// seed and its own RNG stream, so it never shifts the episode's randomness).
/// Borrowed, valid until the episode ends. Scene callbacks see it as ctx.instruction.
const char *ps_episode_instruction(const ps_episode *e);

/// Message explaining a failure, divergence or script error ("" otherwise):
/// for script errors "file:line: message" followed by a traceback.
const char *ps_episode_message(const ps_episode *e);

/// Element type of a space entry's values (`values`, `nbytes`).
typedef enum ps_dtype {
    PS_DTYPE_FLOAT32 = 0, ///< every action, and every observation except camera RGB and segmentation
    PS_DTYPE_UINT8 = 1,   ///< camera RGB images: 0..255 per channel (H x W x 3)
    PS_DTYPE_INT32 = 2,   ///< camera segmentation: body index + 1, -1 static geometry, 0 nothing (H x W x 1)
} ps_dtype;

/// "float32", "uint8", "int32" ("?" for anything else).
const char *ps_dtype_name(ps_dtype t);
/// Bytes per element: 4, 1, 4 (0 for anything else).
size_t ps_dtype_size(ps_dtype t);

/// One named array of an episode's observation or action space.
/// Buffers are allocated when the episode begins and stay put until it ends;
/// a float32 observation bound to a sensor *is* that sensor's buffer (no copy).
///
/// Every entry has a float32 view in `data` (the sensor's own reading for
/// sensor-bound entries) and its typed values in `values` (`dtype`, `nbytes`):
/// for float32 entries the two are the same buffer. Camera entries are typed
/// as a policy expects them: an RGB camera is uint8 (0..255, `data` holds the
/// renderer's 0..1 floats), a depth camera float32 (m), a segmentation camera
/// int32 (`data` holds the same ids as floats). Policies (Lua, lib:, exec:,
/// tcp://) receive `values`; actions are always float32.
typedef struct ps_space_entry {
    const char *name;        ///< borrowed
    int ndim;                ///< 1..4
    int shape[4];
    size_t count;            ///< product of the shape
    float *data;             ///< float32 view. Observations: read; actions: written by the policy before a step
    const float *low, *high; ///< per-value bounds (count each), or NULL when unbounded
    ps_dtype dtype;          ///< element type of `values`
    const void *values;      ///< count elements of dtype, little-endian host order (== data when float32)
    size_t nbytes;           ///< count * ps_dtype_size(dtype)
} ps_space_entry;

/// The episode's observation entries, sorted by name; refreshed after build
/// and after every step. NULL for i out of range.
size_t ps_episode_observation_count(const ps_episode *e);
const ps_space_entry *ps_episode_observation(const ps_episode *e, size_t i);
/// The action entries, sorted by name. Before each step their values are
/// checked (non-finite: script error naming the entry), clamped to the bounds
/// (counted in ps_episode_action_clamps), sent to robots for robot-bound
/// entries, and passed to the scene's act(ctx, action) callback.
size_t ps_episode_action_count(const ps_episode *e);
ps_space_entry *ps_episode_action(ps_episode *e, size_t i);
uint64_t ps_episode_action_clamps(const ps_episode *e);

/// The episode's value of param i (same order as ps_scene_param): as
/// ps_scene_param, except that a randomized param not overridden holds the
/// value drawn for this episode in `value` ("%.17g", integers in decimal).
/// Before the build drew them (a world that could not be created) the
/// declared default. PS_ERR_INVALID when i is out of range.
ps_status ps_episode_param(const ps_episode *e, size_t i, ps_param_info *out);

/// Metrics: calls the scene's metrics(ctx) (once per call) and returns named
/// numbers sorted by name. Non-numeric values are an error (status
/// unchanged, message in `err`). `names` and `values` are borrowed until the
/// next call. Returns the count, or -1 on error.
int ps_episode_metrics(ps_episode *e, const char *const **names,
                       const double **values, char *err, size_t errlen);


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
/// A fingerprint of the world structure (bodies, joints, robots and sensors)
/// a state restores into: it restores into an episode only when
/// ps_episode_structure of that episode is the same. Lets a reader of many
/// stored states pick one a world takes without trying each. 0 for NULL or an
/// empty state.
uint64_t ps_episode_state_structure(const ps_episode_state *st);
/// The structure fingerprint of the episode's world as it is now (a scene
/// that adds or removes bodies or joints while it runs changes it); 0 for NULL
/// or an episode without a running world.
uint64_t ps_episode_structure(ps_episode *e);

PS_END_DECLS
#endif
