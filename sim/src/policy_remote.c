// exec:/tcp:// policies speak the msgpack protocol of docs/protocol.md. Not
// built yet: opening one is a clear error, never a silent fallback.
#include "policy_internal.h"
#include "log_internal.h"

ps_policy *ps_policy_open_remote(const char *spec, const ps_policy_options *opt, char *err, size_t errlen)
{
    (void)opt;
    ps_set_error(err, errlen, "policy '%s': exec: and tcp:// policies are not available in this build yet", spec);
    return NULL;
}
