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

#include "pilotsim/export.h"

#include "pilotsim/scene.h"

PS_BEGIN_DECLS

typedef struct ps_policy ps_policy;

/// What reset/act return when the policy's transport failed rather than the
/// policy itself: the peer is unreachable, died, timed out or sent bytes that
/// are not the protocol. Any other non-zero value is the policy's own error.
#define PS_POLICY_TRANSPORT_FAILED 2

/// The vtable a policy implementation provides. `self` is its state.
/// reset and act return 0, PS_POLICY_TRANSPORT_FAILED, or another non-zero
/// value for the policy's own error; on failure a message is in `err`.
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

/// The defaults every ps_policy_options starts from (no module paths, log to stderr).
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

/// Calls reset. PS_ERR_TRANSPORT when the policy's transport failed (an
/// exec:/tcp:// peer unreachable, dead, timed out or speaking garbage: the
/// episode should end as policy_error, an infrastructure failure);
/// PS_ERR_STATE when the policy itself failed (the episode should end as
/// script_error). The message is in `err` either way.
ps_status ps_policy_reset(ps_policy *p, ps_episode *e, uint64_t seed, char *err, size_t errlen);
/// Calls act; same failure contract.
ps_status ps_policy_act(ps_policy *p, ps_episode *e, char *err, size_t errlen);

/// The Lua source files a Lua policy has loaded: index 0 is its own file, then
/// every module it require()d, in first-load order. Returns the i-th path
/// (borrowed, valid while the policy lives) and, when `hash` is not NULL, the
/// FNV-1a 64 hash of its bytes as loaded; NULL (hash 0) past the end and for
/// other kinds of policy. `pilotsim eval` records them for resume.
const char *ps_policy_source(const ps_policy *p, size_t i, uint64_t *hash);

/// Runs an episode with a policy: reset, then act + step until it ends. A
/// policy failure ends it as script_error with the policy's message, a
/// transport failure (PS_ERR_TRANSPORT) as policy_error.
ps_episode_status ps_episode_run_policy(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);

/// The scene's declared baseline policy spec (its `policy` field), or NULL.
const char *ps_scene_policy(const ps_scene *s);
/// The spec to open for the scene's baseline: a file beside the scene when
/// one exists there (written into `buf`, `n` bytes), else the declared spec
/// itself (a module name or lib:/exec:/tcp://). NULL without a baseline.
const char *ps_scene_baseline_spec(const ps_scene *s, char *buf, size_t n);

PS_END_DECLS
#endif
