/// @file policy.h
/// Policies: map an episode's observations to its actions. Every kind sits
/// behind one vtable (reset, act, close):
/// - Lua: a module file returning {reset = function(spec, seed), act = function(obs, action)};
/// - a C shared library implementing policy_abi.h ("lib:path.so[?config]");
/// - a process ("exec:CMD") or a server ("tcp://host:port") speaking the
///   msgpack protocol of docs/protocol.md, with timeouts.
/// A policy is opened once and serves many episodes in turn.
///
/// Control rate: a policy acts at `ps_policy_options.control_hz` or else the
/// scene's `policy_hz` (ps_scene_policy_hz), i.e. every
/// round(1 / (hz * timestep)) steps (at least 1); ps_policy_act is called every
/// step and returns at once between ticks, the last action held (the action
/// buffers keep their values). At a tick the policy sees the latest
/// observation. Without either rate it acts every step.
#ifndef PILOTSIM_POLICY_H
#define PILOTSIM_POLICY_H

#include "pilotsim/export.h"

#include "pilotsim/episode.h"

PS_BEGIN_DECLS

typedef struct ps_policy ps_policy;

/// The vtable a policy implementation provides. `self` is its state.
/// reset and act return 0, PS_POLICY_TRANSPORT_FAILURE, or another non-zero
/// value for the policy's own error; on failure a message is in `err`.
typedef struct ps_policy_vtable {
    const char *kind;   ///< "lua", "lib", "exec", "tcp"
    /// Episode start: the spaces (observations read, actions written) and the seed.
    int (*reset)(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen);
    /// One step: read the observations, write the actions.
    int (*act)(void *self, ps_episode *e, char *err, size_t errlen);
    void (*close)(void *self);
    /// Optional (NULL): the episode ended (its status, return, steps and
    /// metrics are readable). Failures are reported like act's.
    int (*end)(void *self, ps_episode *e, char *err, size_t errlen);
} ps_policy_vtable;

/// What a vtable's reset/act/end return when the failure is the transport's
/// (the peer could not be reached, died, timed out or broke the protocol)
/// rather than the policy's own (a Lua error, a library's non-zero return, a
/// peer's `error` message); any other non-zero value is the policy's own.
#define PS_POLICY_TRANSPORT_FAILURE 2

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
    /// Control rate (Hz); 0 = the scene's policy_hz, or every step without one.
    double control_hz;
    /// exec:/tcp:// with action chunks: ask the peer for a new chunk after this
    /// many of its actions have run; 0 = run the whole chunk.
    unsigned replan_every;
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
/// Calls act at the policy's control ticks (see the control rate above); same
/// failure contract. Between ticks it does nothing and returns PS_OK.
ps_status ps_policy_act(ps_policy *p, ps_episode *e, char *err, size_t errlen);
/// Tells the policy the episode ended (an exec:/tcp:// peer speaking protocol
/// 2 gets `episode_end` with status, return, steps and metrics); PS_OK for
/// policies without an end hook. Call it once the episode is no longer running.
ps_status ps_policy_end(ps_policy *p, ps_episode *e, char *err, size_t errlen);
/// True when the last failed reset, act or end failed in the transport (see
/// PS_POLICY_TRANSPORT_FAILURE): an infrastructure error, not the policy's
/// decision. False after a success and for the policy's own errors.
bool ps_policy_transport_failed(const ps_policy *p);
/// The control rate this policy acts at in episode `e` (Hz): the effective
/// 1 / (period * timestep).
double ps_policy_control_hz(const ps_policy *p, ps_episode *e);

/// The Lua source files a Lua policy has loaded: index 0 is its own file, then
/// every module it require()d, in first-load order. Returns the i-th path
/// (borrowed, valid while the policy lives) and, when `hash` is not NULL, the
/// FNV-1a 64 hash of its bytes as loaded; NULL (hash 0) past the end and for
/// other kinds of policy. `pilotsim eval` records them for resume.
const char *ps_policy_source(const ps_policy *p, size_t i, uint64_t *hash);

/// Runs an episode with a policy: reset, then act + step until it ends, then
/// ps_policy_end. A policy failure ends it as script_error with the policy's
/// message, a transport failure (PS_ERR_TRANSPORT) as policy_error.
ps_episode_status ps_episode_run_policy(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);

/// Work a caller does around the steps of ps_episode_run_hooked (a dataset
/// recorder, a video's frames). Every member may be NULL; `ctx` is handed to
/// each call. `start`: once, after the policy's reset and before its first act
/// (not called when the episode had already ended or the reset failed).
/// `before`: after the policy acted, before each step. `after`: after each step.
typedef struct ps_step_hooks {
    void (*start)(void *ctx, ps_episode *e);
    void (*before)(void *ctx, ps_episode *e);
    void (*after)(void *ctx, ps_episode *e);
    void *ctx;
} ps_step_hooks;

/// ps_episode_run_policy with `hooks` (nullable) around every step: the same
/// calls in the same order, so the same states and outcome. `p` may be NULL:
/// then the scene's own commands drive, as in ps_episode_run.
ps_episode_status ps_episode_run_hooked(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps,
                                        const ps_step_hooks *hooks);

/// The spec to open for the scene's baseline: a file beside the scene when
/// one exists there, as the spec names it or as its module name ("x.y" ->
/// x/y.lua; written into `buf`, `n` bytes), else the declared spec
/// itself (a module name or lib:/exec:/tcp://). NULL without a baseline.
const char *ps_scene_baseline_spec(const ps_scene *s, char *buf, size_t n);

PS_END_DECLS
#endif
