/// @file scene.h
/// Scenarios written in Lua, and the episodes run from them.
///
/// A scene file returns a table: name, domain, description, timestep,
/// time_limit, world (optional physics settings), params, build(world, ctx),
/// and optional step, success, failure, reward, metrics callbacks. See
/// docs/lua-api.md. Scene code runs in a sandbox (no os, io, debug,
/// package.loadlib, binary chunks) with an instruction budget per callback.
#ifndef PILOTSIM_SCENE_H
#define PILOTSIM_SCENE_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"
#include "pilotsim/log.h"
#include "pilotsim/sensor.h"

PS_BEGIN_DECLS

typedef struct ps_scene ps_scene;
typedef struct ps_episode ps_episode;

/// Options for loading a scene.
typedef struct ps_scene_options {
    /// Directories `require` searches (besides the scene's own folder), in
    /// order; may be NULL when count is 0. Strings are copied.
    const char *const *module_paths;
    size_t module_path_count;
    /// Directories searched for robot descriptions and their meshes: a scene's
    /// `urdf = "x/y.urdf"` resolves against the scene's folder, then these;
    /// `package://PKG/...` mesh URIs resolve against them too. Copied.
    const char *const *package_paths;
    size_t package_path_count;
    /// Parameter overrides "name=value" (copied). An unknown name, a value of
    /// the wrong type or outside the declared range fails the load.
    const char *const *params;
    size_t param_count;
    /// Lua instructions a single callback may run; 0 = default (200 million).
    uint64_t instruction_budget;
    /// Lua heap cap in bytes; 0 = default (512 MiB).
    size_t memory_limit;
    /// Wall-clock seconds a single callback may run; 0 = default (60 s).
    double wall_limit;
    bool trusted;        ///< true lifts the sandbox (local experiments only)
    ps_logger log;       ///< sink for print() and warnings
    /// Resident bytes the process may hold while an episode builds its world
    /// (ps_world_def.memory_limit of every episode's world); 0 = no cap.
    size_t process_memory_limit;
} ps_scene_options;

/// The defaults every ps_scene_options starts from (sandboxed, no paths, no params).
ps_scene_options ps_default_scene_options(void);

/// Loads and validates a scene file. Returns NULL on error with
/// "file:line: message" (or "file: field 'x': message") in `err`.
ps_scene *ps_scene_load(const char *path, const ps_scene_options *opt,
                        char *err, size_t errlen);
void ps_scene_destroy(ps_scene *s);

/// Installs the camera render callback (sensor.h) on the world of every episode
/// begun afterwards, before the scene's build() runs, so camera sensors can be
/// created there. NULL removes it. `user` is borrowed and must outlive the episodes.
/// Scenes whose build() makes cameras fail to begin without one.
void ps_scene_set_render_callback(ps_scene *s, ps_render_fn fn, void *user);
/// Installs the render callback's error companion (sensor.h) on every episode's
/// world begun afterwards, so a camera failure's message says why. NULL removes it.
void ps_scene_set_render_error_fn(ps_scene *s, ps_render_error_fn fn);

/// Declared metadata (borrowed; "" when absent).
const char *ps_scene_name(const ps_scene *s);
const char *ps_scene_domain(const ps_scene *s);
const char *ps_scene_description(const ps_scene *s);
const char *ps_scene_path(const ps_scene *s);
/// The folder the scene file is in (borrowed).
const char *ps_scene_dir(const ps_scene *s);
/// The Lua source files the scene has loaded so far: index 0 is the scene file
/// (as ps_scene_path), then every module require() found, in first-load order,
/// as the path it was read from (scene folder or module path joined with the
/// module's relative path). The list grows when an episode's build() or
/// callbacks require further modules. A watcher (the viewer's automatic
/// reload) polls these files. Policies' own modules are not listed.
size_t ps_scene_source_count(const ps_scene *s);
/// The i-th source path (borrowed, valid while the scene lives), NULL when out of range.
const char *ps_scene_source(const ps_scene *s, size_t i);
/// FNV-1a 64 hash of the i-th source's bytes as they were when it was loaded
/// (index 0: ps_scene_content_hash), 0 when out of range or unreadable.
/// `pilotsim eval` records these so that a resume reruns episodes whose
/// scene or modules changed since.
uint64_t ps_scene_source_hash(const ps_scene *s, size_t i);
double ps_scene_timestep(const ps_scene *s);     ///< s
double ps_scene_time_limit(const ps_scene *s);   ///< s
/// The camera view the scene declares in its `view` field (eye and target in
/// m, world frame; vertical field of view in rad, default 45 degrees), used by
/// `pilotsim run --screenshot/--video` (and open to viewers). False (outputs
/// untouched) when the scene declares none. Any output pointer may be NULL.
bool ps_scene_view(const ps_scene *s, ps_vec3 *eye, ps_vec3 *target, double *fov_y);
/// The control rate the scene declares in `policy_hz` (calls per second; a
/// policy acts every round(1 / (hz * timestep)) steps and its action is held
/// in between), 0 when it declares none (the policy acts every step).
double ps_scene_policy_hz(const ps_scene *s);
/// FNV-1a 64 hash of the scene file's bytes.
uint64_t ps_scene_content_hash(const ps_scene *s);

/// A declared parameter (borrowed strings).
typedef struct ps_param_info {
    const char *name;
    const char *type;        ///< "number", "integer", "boolean" or "string"
    const char *description;
    double min, max;         ///< range of numbers (-inf/+inf when open)
    bool randomize;          ///< sampled uniformly in [min, max] per episode unless overridden
    bool overridden;         ///< set by an option
    char value[64];          ///< default or override, as text
} ps_param_info;

/// Number of tunable parameters the scene declares.
size_t ps_scene_param_count(const ps_scene *s);
/// Parameters sorted by name. PS_ERR_INVALID when i is out of range.
ps_status ps_scene_param(const ps_scene *s, size_t i, ps_param_info *out);

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

PS_END_DECLS
#endif
