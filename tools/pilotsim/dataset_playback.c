// pilotsim view --replay: one demo of a dataset fed back as a policy (see dataset_playback.h).
#define _POSIX_C_SOURCE 200809L
#include "dataset_playback.h"
#include "dataset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct playback_src {
    float *actions;     // [steps][dim] (owned)
    uint64_t *hashes;   // [steps] (owned)
    ds_state_hash_fn hash; // the function that made them
    uint64_t steps, dim, next;
} playback_src;

static int pb_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    (void)e, (void)seed, (void)err, (void)errlen;
    ((playback_src *)self)->next = 0;
    return 0;
}

// The recorded action of the coming step, after checking that the world is in
// the recorded state (a reset with another seed, or a drag, makes it differ).
static int pb_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    playback_src *p = self;
    uint64_t i = p->next;
    if (i >= p->steps) {
        snprintf(err, errlen, "the demo ends after its %" PRIu64 " recorded steps", p->steps);
        return 1;
    }
    ps_world *w = ps_episode_world(e);
    uint64_t h = w ? p->hash(w) : 0;
    if (h != p->hashes[i]) {
        snprintf(err, errlen, "the state differs from the recording at step %" PRIu64 " (hash %016" PRIx64
                 ", recorded %016" PRIx64 ")", i, h, p->hashes[i]);
        return 1;
    }
    const float *a = p->actions + i * p->dim;
    uint64_t used = 0;
    for (size_t k = 0; k < ps_episode_action_count(e); k++) {
        ps_space_entry *en = ps_episode_action(e, k);
        if (used + en->count > p->dim) {
            snprintf(err, errlen, "the recorded actions (%" PRIu64 " values) do not fit the scene's action space", p->dim);
            return 1;
        }
        memcpy(en->data, a + used, en->count * sizeof *a);
        used += en->count;
    }
    p->next++;
    return 0;
}

static void pb_close(void *self)
{
    playback_src *p = self;
    free(p->actions);
    free(p->hashes);
    free(p);
}

static const ps_policy_vtable playback_vt = {"replay", pb_reset, pb_act, pb_close, NULL};

bool ds_playback_open(ds_playback *p, const char *path, long demo, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    ds_hdf5_quiet();
    ds_file *f = ds_open_read(path, err, errlen);
    if (!f) return false;
    bool ok = false;
    playback_src *src = NULL;
    if (demo < 0) {
        if (!ds_demo_count(f)) {
            snprintf(err, errlen, "%s holds no demos", path);
            goto out;
        }
        snprintf(p->demo, sizeof p->demo, "%s", ds_demo_name(f, 0));
    } else {
        snprintf(p->demo, sizeof p->demo, "demo_%ld", demo);
        if (!ds_has_demo(f, p->demo)) {
            snprintf(err, errlen, "%s has no %s (%zu demos)", path, p->demo, ds_demo_count(f));
            goto out;
        }
    }
    if (!ds_demo_attr_str(f, p->demo, "scene", p->scene_path, sizeof p->scene_path) ||
        !ds_demo_attr_u64(f, p->demo, "seed", &p->seed) || !ds_demo_attr_u64(f, p->demo, "num_samples", &p->steps)) {
        snprintf(err, errlen, "%s: %s lacks its scene, seed or num_samples attribute", path, p->demo);
        goto out;
    }
    char abs[4096];
    if (access(p->scene_path, R_OK) != 0 && ds_demo_attr_str(f, p->demo, "scene_abspath", abs, sizeof abs) &&
        access(abs, R_OK) == 0)
        snprintf(p->scene_path, sizeof p->scene_path, "%s", abs);
    ds_demo_attr_strings(f, p->demo, "params", &p->params, &p->param_count);
    src = calloc(1, sizeof *src);
    if (!src) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    int nd = 0;
    uint64_t dims[8] = {0}, hdims[8] = {0};
    src->actions = ds_read(f, p->demo, "actions", 'f', &nd, dims, err, errlen);
    if (!src->actions) goto out;
    if (nd != 2 || dims[0] != p->steps) {
        snprintf(err, errlen, "%s: %s: actions are not [num_samples, dim]", path, p->demo);
        goto out;
    }
    src->hashes = ds_read(f, p->demo, "state_hashes", 'u', &nd, hdims, err, errlen);
    if (!src->hashes) goto out;
    if (nd != 1 || hdims[0] != p->steps) {
        snprintf(err, errlen, "%s: %s: state_hashes are not [num_samples]", path, p->demo);
        goto out;
    }
    if (!(src->hash = ds_demo_state_hash_fn(f, p->demo, err, errlen))) goto out;
    src->steps = p->steps;
    src->dim = dims[1];
    p->policy = ps_policy_wrap(&playback_vt, src, "replay");
    src = NULL; // the policy owns it (and freed it when wrapping failed)
    if (!p->policy) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    ok = true;
out:
    if (src) pb_close(src);
    ds_close(f);
    if (!ok) ds_playback_close(p);
    return ok;
}

void ds_playback_close(ds_playback *p)
{
    ps_policy_close(p->policy);
    p->policy = NULL;
    ds_free_strings(p->params, p->param_count);
    p->params = NULL;
    p->param_count = 0;
}
