// One episode recorded into its own dataset file (dataset.h): used by the
// workers of `pilotsim record` and by `pilotsim eval --record`.
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool ds_record_episode_file(ds_recorder *rec, const ds_episode_job *job, const char *path, const char *tmp,
                            ps_episode **e_out, char *err, size_t errlen, char *status, size_t statuslen)
{
    if (e_out) *e_out = NULL;
    double t0 = cli_now();
    ps_episode *e = ps_episode_begin(job->scene, job->seed);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    ps_episode_status st = ds_record_run(rec, e, job->policy, job->seed, job->max_steps);
    double wall = cli_now() - t0;
    const char *const *mn = NULL;
    const double *mv = NULL;
    char merr[2048] = "";
    int mc = 0;
    if (st != PS_EP_SCRIPT_ERROR && (mc = ps_episode_metrics(e, &mn, &mv, merr, sizeof merr)) < 0) {
        st = PS_EP_SCRIPT_ERROR;
        mc = 0;
    }
    ps_world *w = ps_episode_world(e);
    ds_meta m = {.scene_path = job->scene_path, .scene_name = ps_scene_name(job->scene),
                 .scene_hash = ps_scene_content_hash(job->scene), .policy = job->policy_spec,
                 .params = job->run->params, .param_count = job->run->param_count, .seed = job->seed,
                 .episode = job->episode, .instruction = "", .status = ps_episode_status_name(st),
                 .message = merr[0] ? merr : ps_episode_message(e), .ret = ps_episode_return(e),
                 .sim_time = w ? ps_world_time(w) : 0, .wall_time = wall, .metric_names = mn, .metric_values = mv,
                 .metric_count = mc > 0 ? (size_t)mc : 0, .final_hash = w ? ps_world_state_hash(w) : 0,
                 .max_steps = job->max_steps};
    snprintf(status, statuslen, "%s", m.status);
    unlink(tmp);
    ds_file *f = ds_open_write(tmp, job->run, err, errlen);
    bool ok = f && ds_write_demo(f, job->j, rec, &m, err, errlen);
    if (!ds_close(f) && ok) {
        snprintf(err, errlen, "%s: cannot close it", tmp);
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename it to %s", tmp, path);
        ok = false;
    }
    if (!ok) unlink(tmp);
    if (e_out) *e_out = e;
    else ps_episode_end(e);
    return ok;
}
