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

#endif
