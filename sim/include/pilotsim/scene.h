/// @file scene.h
/// Scenarios written in Lua: loading, metadata, params. The episodes run from
/// them are in episode.h.
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
/// An episode of a scene (episode.h).
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
/// The light of the scene's view (`view.darkness`, 0 daylight .. 1 dark; a night scene's
/// screenshots and videos are dimmed by it): 0 when the scene declares none or s is NULL.
double ps_scene_view_darkness(const ps_scene *s);
/// The control rate the scene declares in `policy_hz` (calls per second; a
/// policy acts every round(1 / (hz * timestep)) steps and its action is held
/// in between), 0 when it declares none (the policy acts every step).
double ps_scene_policy_hz(const ps_scene *s);
/// The scene's declared baseline policy spec (its `policy` field), or NULL.
const char *ps_scene_policy(const ps_scene *s);
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

PS_END_DECLS
#endif
