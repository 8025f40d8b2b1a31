// pilotsim view --record: demonstrations from the viewer (dataset.h). Every
// attempt that runs from step 0 to the episode's end, untouched by mouse drags
// (forces that are not actions and so cannot be replayed), becomes the next
// demo of the file; a reset, reload or rewind mid-attempt drops it, and so does
// the discard key.
#define _POSIX_C_SOURCE 200809L
#include "dataset_view.h"
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct ds_view_recorder {
    ps_viewer_step_hook hook;
    char path[4096];
    const char *scene_path;
    ds_run run;
    ds_recorder *rec;
    ps_episode *cur;
    uint64_t expected, seed, next_j, scene_hash;
    char scene_name[256];
    bool active, forced;
    size_t kept, dropped;
    double t0;
    char status[600];
    char note[300];
};

static void drop(ds_view_recorder *v, const char *why)
{
    if (v->active && v->expected > 0) {
        v->dropped++;
        snprintf(v->note, sizeof v->note, "last attempt dropped: %s", why);
        printf("view: record: attempt dropped (%s)\n", why);
        fflush(stdout);
    }
    v->active = false;
}

static void before_step(void *user, ps_episode *e, uint64_t seed, bool forced)
{
    ds_view_recorder *v = user;
    if (!v->active || e != v->cur || ps_episode_steps(e) != v->expected) {
        if (v->active) drop(v, "the episode was reset, reloaded or rewound");
        v->active = false;
        if (ps_episode_steps(e) != 0) return; // mid-episode (after a rewind): wait for the next episode
        ds_recorder_begin(v->rec, e);
        v->cur = e;
        v->seed = seed;
        v->expected = 0;
        v->forced = false;
        v->active = true;
        v->t0 = cli_now();
    }
    if (forced) v->forced = true;
    ds_recorder_before_step(v->rec, e);
    v->expected++;
}

static void commit(ds_view_recorder *v, ps_episode *e)
{
    char err[PS_ERR_LEN];
    const char *const *mn = NULL;
    const double *mv = NULL;
    char merr[PS_ERR_LEN] = "";
    int mc = ps_episode_metrics(e, &mn, &mv, merr, sizeof merr);
    ps_world *w = ps_episode_world(e);
    ds_meta m = {.scene_path = v->scene_path, .scene_name = v->run.env_name, .scene_hash = v->scene_hash,
                 .policy = "teleop", .params = v->run.params, .param_count = v->run.param_count, .seed = v->seed,
                 .episode = v->next_j, .instruction = "", .status = ps_episode_status_name(ps_episode_get_status(e)),
                 .message = merr[0] ? merr : ps_episode_message(e), .ret = ps_episode_return(e),
                 .sim_time = w ? ps_world_time(w) : 0, .wall_time = cli_now() - v->t0, .metric_names = mn,
                 .metric_values = mv, .metric_count = mc > 0 ? (size_t)mc : 0,
                 .final_hash = w ? ps_world_state_hash(w) : 0};
    ds_file *f = ds_open_write(v->path, &v->run, err, sizeof err);
    bool ok = f && ds_write_demo(f, v->next_j, v->rec, &m, err, sizeof err);
    if (!ds_close(f) && ok) {
        snprintf(err, sizeof err, "%.4000s: cannot close it", v->path);
        ok = false;
    }
    if (ok) {
        printf("view: record: demo_%" PRIu64 " kept (%s, %zu steps, seed %" PRIu64 ")\n", v->next_j, m.status,
               ds_recorder_steps(v->rec), v->seed);
        v->kept++;
        v->next_j++;
        v->note[0] = '\0';
    } else {
        fprintf(stderr, "view: record: %s\n", err);
        snprintf(v->note, sizeof v->note, "write failed: %.250s", err);
    }
    fflush(stdout);
}

static void after_step(void *user, ps_episode *e)
{
    ds_view_recorder *v = user;
    if (!v->active || e != v->cur) return;
    ds_recorder_after_step(v->rec, e);
    if (ps_episode_get_status(e) == PS_EP_RUNNING) return;
    if (v->forced) drop(v, "a mouse drag pushed a body (not an action: it cannot be replayed)");
    else commit(v, e);
    v->active = false;
}

static void discard(void *user)
{
    ds_view_recorder *v = user;
    drop(v, "discarded");
}

static const char *status(void *user)
{
    ds_view_recorder *v = user;
    snprintf(v->status, sizeof v->status, "REC %zu kept, %zu dropped; this attempt: %s%s [Delete discards]%s%s",
             v->kept, v->dropped, v->active ? "recording" : "waiting for a reset",
             v->active && v->forced ? " (dragged: will be dropped)" : "", v->note[0] ? "\n" : "", v->note);
    return v->status;
}

ds_view_recorder *ds_view_recorder_create(const char *path, const char *scene_path, const ps_scene_options *so,
                                          uint64_t seed, char *err, size_t errlen)
{
    ds_hdf5_quiet();
    ps_scene *s = ps_scene_load(scene_path, so, err, errlen);
    if (!s) return NULL;
    ds_view_recorder *v = calloc(1, sizeof *v);
    if (!v || !(v->rec = ds_recorder_create())) {
        free(v);
        ps_scene_destroy(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(v->path, sizeof v->path, "%s", path);
    snprintf(v->scene_name, sizeof v->scene_name, "%s", ps_scene_name(s));
    v->scene_hash = ps_scene_content_hash(s);
    ps_scene_destroy(s);
    v->scene_path = scene_path;
    v->run = (ds_run){.scenes = &v->scene_path, .scene_count = 1, .episodes = 0, .seed = seed, .policy = "teleop",
                      .params = so->params, .param_count = so->param_count, .env_name = v->scene_name};
    v->hook = (ps_viewer_step_hook){.user = v, .before_step = before_step, .after_step = after_step,
                                    .discard = discard, .discard_key = 261 /* GLFW_KEY_DELETE */, .status = status};
    ds_file *f = ds_open_write(v->path, &v->run, err, errlen);
    if (!f) {
        ds_view_recorder_destroy(v);
        return NULL;
    }
    size_t n = ds_demo_count(f);
    v->next_j = n ? ds_demo_index(f, n - 1) + 1 : 0;
    ds_close(f);
    printf("view: record: %s (%zu demos already)\n", v->path, n);
    return v;
}

const ps_viewer_step_hook *ds_view_recorder_hook(ds_view_recorder *v) { return &v->hook; }

void ds_view_recorder_destroy(ds_view_recorder *v)
{
    if (!v) return;
    ds_recorder_destroy(v->rec);
    free(v);
}
