// Private constructors of the policy kinds (policy.c dispatches to them).
#ifndef PS_POLICY_INTERNAL_H
#define PS_POLICY_INTERNAL_H

#include "pilotsim/policy.h"

ps_policy *ps_policy_open_lua(const char *spec, const ps_policy_options *opt, char *err, size_t errlen);
/// A Lua policy's source files (its own file, then its require()d modules):
/// path of the i-th (NULL past the end) and its content hash in *hash.
/// `self` is the Lua policy's state.
const char *ps_policy_lua_source(void *self, size_t i, uint64_t *hash);
/// exec:/tcp:// policies (policy_remote.c, the msgpack protocol of docs/protocol.md).
ps_policy *ps_policy_open_remote(const char *spec, const ps_policy_options *opt, char *err, size_t errlen);

/// The episode's observation (or action) entries copied side by side into
/// *buf (grown as needed; *cap entries allocated, freed by the caller). The
/// episode hands out entries one at a time, each inside a larger private
/// record, so a policy that needs them as one array copies them here: the
/// copies share the episode's buffers (`data`, bounds, names), valid until the
/// episode ends. Returns the count, or (size_t)-1 when out of memory.
/// Steps between a policy's calls at control rate `hz` (0: the scene's
/// policy_hz, or every step) in episode `e`: round(1 / (hz * timestep)), >= 1.
uint64_t ps_policy_period(double hz, ps_episode *e);

size_t ps_policy_space_copy(ps_episode *e, bool action, ps_space_entry **buf, size_t *cap);

#endif
