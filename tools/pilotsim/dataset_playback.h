// pilotsim view --replay (dataset_playback.c): one recorded demo played back
// in the viewer, its actions fed as a policy that checks the state hashes.
#ifndef PS_DATASET_PLAYBACK_H
#define PS_DATASET_PLAYBACK_H

#include "pilotsim/policy.h"

#include <stdint.h>

typedef struct ds_playback {
    char scene_path[4096];   ///< the recorded scene (its absolute path when the relative one is gone)
    uint64_t seed;           ///< the demo's seed
    char **params;           ///< its params, "name=value" (owned)
    size_t param_count;
    uint64_t steps;          ///< recorded steps
    char demo[64];           ///< "demo_J"
    ps_policy *policy;       ///< feeds the recorded actions; fails naming the step where the state
                             ///< hash first differs from the recorded one (owned until taken)
} ds_playback;

/// Reads demo `demo` (a demo index J; < 0: the file's first demo) of the HDF5
/// dataset `path`. False with the reason in `err`.
bool ds_playback_open(ds_playback *p, const char *path, long demo, char *err, size_t errlen);
/// Frees what `p` still owns (the policy unless it was taken: set p->policy NULL then).
void ds_playback_close(ds_playback *p);

#endif
