/// @file policy.h
/// Policies: map an episode's observations to its actions. Every kind sits
/// behind one vtable (reset, act, close):
/// - Lua: a module file returning {reset = function(spec, seed), act = function(obs, action)};
/// - a C shared library implementing policy_abi.h ("lib:path.so[?config]");
/// - a process ("exec:CMD") or a server ("tcp://host:port") speaking the
///   msgpack protocol of docs/protocol.md, with timeouts.
/// A policy is opened once and serves many episodes in turn.
#ifndef PILOTSIM_POLICY_H
#define PILOTSIM_POLICY_H

#include "pilotsim/scene.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_policy ps_policy;

/// The vtable a policy implementation provides. `self` is its state.
typedef struct ps_policy_vtable {
    const char *kind;   ///< "lua", "lib", "exec", "tcp"
    /// Episode start: the spaces (observations read, actions written) and the seed.
    int (*reset)(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen);
    /// One step: read the observations, write the actions.
    int (*act)(void *self, ps_episode *e, char *err, size_t errlen);
    void (*close)(void *self);
} ps_policy_vtable;

/// Options for opening a policy.
typedef struct ps_policy_options {
    const char *const *module_paths;  ///< where Lua policy modules are looked up (copied)
    size_t module_path_count;
    double timeout;                   ///< s per call for remote policies; 0 = 10
    bool trusted;                     ///< lift the Lua sandbox
    /// Lua policies' sandbox limits, as in ps_scene_options (0 = the same
    /// defaults: 200 million instructions and 60 s per call, 512 MiB heap).
    uint64_t instruction_budget;
    size_t memory_limit;              ///< bytes
    double wall_limit;                ///< s
    ps_logger log;
} ps_policy_options;

ps_policy_options ps_default_policy_options(void);

/// Opens a policy from its spec: a Lua file path ("x.lua", or a module name
/// "policies.x" found under the module paths), "lib:path.so[?config]", or a
/// remote spec ("exec:CMD", "tcp://host:port").
/// NULL with a message naming the spec on failure.
ps_policy *ps_policy_open(const char *spec, const ps_policy_options *opt, char *err, size_t errlen);
/// Wraps a custom implementation (the policy takes ownership of `self`,
/// released through vt->close).
ps_policy *ps_policy_wrap(const ps_policy_vtable *vt, void *self, const char *spec);
void ps_policy_close(ps_policy *p);
const char *ps_policy_spec(const ps_policy *p);
const char *ps_policy_kind(const ps_policy *p);

/// Calls reset; on failure the episode should end as script_error with `err`.
ps_status ps_policy_reset(ps_policy *p, ps_episode *e, uint64_t seed, char *err, size_t errlen);
/// Calls act; same failure contract.
ps_status ps_policy_act(ps_policy *p, ps_episode *e, char *err, size_t errlen);

/// Runs an episode with a policy: reset, then act + step until it ends. A
/// policy failure ends it as script_error with the policy's message.
ps_episode_status ps_episode_run_policy(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);

/// The scene's declared baseline policy spec (its `policy` field), or NULL.
const char *ps_scene_policy(const ps_scene *s);
/// The spec to open for the scene's baseline: a file beside the scene when
/// one exists there, as the spec names it or as its module name ("x.y" ->
/// x/y.lua; written into `buf`, `n` bytes), else the declared spec
/// itself (a module name or lib:/exec:/tcp://). NULL without a baseline.
const char *ps_scene_baseline_spec(const ps_scene *s, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
