// The dataset plugin's entry point (pilotsim-hdf5.so, see cli_plugin.h).
#include "cli_plugin.h"
#include "dataset.h"
#ifdef PILOTSIM_HAVE_VIEW_RECORD
#include "dataset_view.h"
#endif

static ps_episode_status eval_record(const char *dir, const void *run, void **rec, uint64_t j, ps_episode *e,
                                     ps_scene *scene, const char *scene_path, ps_policy *pol,
                                     const char *policy_spec, uint64_t episode, uint64_t seed)
{
    ds_recorder *r = *rec;
    ps_episode_status st = ds_eval_record(dir, run, &r, j, e, scene, scene_path, pol, policy_spec, episode, seed);
    *rec = r;
    return st;
}

static void recorder_destroy(void *rec) { ds_recorder_destroy(rec); }

#ifdef PILOTSIM_HAVE_VIEW_RECORD
static void *view_create(const char *path, const char *scene_path, const ps_scene_options *so, uint64_t seed,
                         char *err, size_t errlen)
{
    return ds_view_recorder_create(path, scene_path, so, seed, err, errlen);
}
static const void *view_hook(void *v) { return ds_view_recorder_hook(v); }
static void view_destroy(void *v) { ds_view_recorder_destroy(v); }
#endif

__attribute__((visibility("default"))) const cli_dataset_plugin *pilotsim_hdf5_plugin(void)
{
    static const cli_dataset_plugin table = {
        .abi = CLI_PLUGIN_ABI,
        .record = cmd_record,
        .replay = cmd_replay,
        .info = cmd_info,
        .merge = ds_merge,
        .eval_record = eval_record,
        .recorder_destroy = recorder_destroy,
        .playback_open = ds_playback_open,
        .playback_close = ds_playback_close,
#ifdef PILOTSIM_HAVE_VIEW_RECORD
        .view_recorder_create = view_create,
        .view_recorder_hook = view_hook,
        .view_recorder_destroy = view_destroy,
#endif
    };
    return &table;
}
