// One episode recorded into its own dataset file (dataset.h): used by the
// workers of `pilotsim record` and by `pilotsim eval --record`.
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool ds_record_episode_file(ds_recorder *rec, const ds_episode_job *job, ps_episode *e, const char *path,
                            const char *tmp, char *err, size_t errlen, char *status, size_t statuslen)
{
    double t0 = cli_now();
    ds_recorder_set_state_every(rec, job->run->state_every);
    ps_episode_status st = ds_record_run(rec, e, job->policy, job->seed, job->max_steps);
    double wall = cli_now() - t0;
    const char *const *mn = NULL;
    const double *mv = NULL;
    char merr[PS_ERR_LEN] = "";
    int mc = 0;
    if (st != PS_EP_SCRIPT_ERROR && (mc = ps_episode_metrics(e, &mn, &mv, merr, sizeof merr)) < 0) {
        st = PS_EP_SCRIPT_ERROR;
        mc = 0;
    }
    ps_world *w = ps_episode_world(e);
    ds_meta m = {.scene_path = job->scene_path, .scene_name = ps_scene_name(job->scene),
                 .scene_hash = ps_scene_content_hash(job->scene), .policy = job->policy_spec,
                 .params = job->run->params, .param_count = job->run->param_count, .seed = job->seed,
                 .episode = job->episode, .instruction = ps_episode_instruction(e), .status = ps_episode_status_name(st),
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
    return ok;
}

ps_episode_status ds_eval_record(const char *dir, const ds_run *run, ds_recorder **rec, uint64_t j, ps_episode *e,
                                 ps_scene *scene, const char *scene_path, ps_policy *pol, const char *policy_spec,
                                 uint64_t episode, uint64_t seed)
{
    char path[4200], tmp[4300], err[4096], status[64];
    snprintf(path, sizeof path, "%s/demo_%llu.hdf5", dir, (unsigned long long)j);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ds_hdf5_quiet();
    if (!*rec) *rec = ds_recorder_create();
    ds_episode_job job = {.run = run, .j = j, .scene = scene, .scene_path = scene_path, .policy = pol,
                          .policy_spec = policy_spec, .episode = episode, .seed = seed, .max_steps = run->max_steps};
    if (!*rec) {
        ps_episode_abort(e, PS_EP_SCRIPT_ERROR, "eval --record: out of memory");
    } else if (!ds_record_episode_file(*rec, &job, e, path, tmp, err, sizeof err, status, sizeof status)) {
        fprintf(stderr, "eval --record: demo_%llu: %s\n", (unsigned long long)j, err);
    }
    return ps_episode_get_status(e);
}
