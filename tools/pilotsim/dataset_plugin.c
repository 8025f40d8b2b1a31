// Datasets in the executable: the commands hand over to the dataset plugin
// (pilotsim-hdf5.so, cli_plugin.h), loaded only when one of them runs, so
// other commands never load libhdf5. Without the plugin (or libhdf5 at build
// time) they say what is missing and exit 3.
#include "cli.h"
#include "cli_plugin.h"
#include "dataset.h"
#ifdef PILOTSIM_HAVE_RENDER
#include "dataset_view.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const cli_dataset_plugin *load(const char *cmd)
{
    char what[64], err[5000];
    snprintf(what, sizeof what, "pilotsim %s needs", cmd);
    const cli_dataset_plugin *p = cli_dataset_plugin_load(what, err, sizeof err);
    if (!p) fprintf(stderr, "%s\n", err);
    return p;
}

int cmd_record(int argc, char **argv)
{
    const cli_dataset_plugin *p = load("record");
    return p ? p->record(argc, argv) : EXIT_RUNTIME;
}

int cmd_replay(int argc, char **argv)
{
    const cli_dataset_plugin *p = load("replay");
    return p ? p->replay(argc, argv) : EXIT_RUNTIME;
}

int cmd_info(int argc, char **argv)
{
    const cli_dataset_plugin *p = load("info");
    return p ? p->info(argc, argv) : EXIT_RUNTIME;
}

int ds_merge(int argc, char **argv)
{
    const cli_dataset_plugin *p = load("merge");
    return p ? p->merge(argc, argv) : EXIT_RUNTIME;
}

bool ds_is_hdf5(const char *path)
{
    struct stat sb; // only regular files: opening a FIFO or a device to sniff it could block
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return false;
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, fp);
    fclose(fp);
    return n == 8 && !memcmp(sig, "\x89HDF\r\n\x1a\n", 8);
}

ps_episode_status ds_eval_record(const char *dir, const ds_run *run, ds_recorder **rec, uint64_t j, ps_episode *e,
                                 ps_scene *scene, const char *scene_path, ps_policy *pol, const char *policy_spec,
                                 uint64_t episode, uint64_t seed)
{
    char err[5000];
    const cli_dataset_plugin *p = cli_dataset_plugin_load("eval --record needs", err, sizeof err);
    if (p) {
        void *r = *rec;
        ps_episode_status st = p->eval_record(dir, run, &r, j, e, scene, scene_path, pol, policy_spec, episode, seed);
        *rec = r;
        return st;
    }
    ps_episode_abort(e, PS_EP_SCRIPT_ERROR, err);
    return ps_episode_get_status(e);
}

void ds_recorder_destroy(ds_recorder *r)
{
    if (!r) return; // a recorder exists only when the plugin made it, so it is loaded
    const cli_dataset_plugin *p = cli_dataset_plugin_load("eval --record needs", NULL, 0);
    if (p) p->recorder_destroy(r);
}

bool ds_playback_open(ds_playback *pb, const char *path, long demo, char *err, size_t errlen)
{
    const cli_dataset_plugin *p = cli_dataset_plugin_load("view --replay needs", err, errlen);
    return p && p->playback_open(pb, path, demo, err, errlen);
}

void ds_playback_close(ds_playback *pb)
{
    // Something to free only when open succeeded, so the plugin is loaded.
    const cli_dataset_plugin *p = pb->param_count || pb->policy ? cli_dataset_plugin_load("view --replay needs", NULL, 0)
                                                                : NULL;
    if (p) p->playback_close(pb);
}

#ifdef PILOTSIM_HAVE_RENDER
// view --record: called from the renderer plugin's `view`.
struct ds_view_recorder {
    const cli_dataset_plugin *p;
    void *v;
};

ds_view_recorder *ds_view_recorder_create(const char *path, const char *scene_path, const ps_scene_options *so,
                                          uint64_t seed, char *err, size_t errlen)
{
    const cli_dataset_plugin *p = cli_dataset_plugin_load("view --record needs", err, errlen);
    if (!p) return NULL;
    ds_view_recorder *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->p = p;
    if (!(v->v = p->view_recorder_create(path, scene_path, so, seed, err, errlen))) {
        free(v);
        return NULL;
    }
    return v;
}

const ps_viewer_step_hook *ds_view_recorder_hook(ds_view_recorder *v) { return v->p->view_recorder_hook(v->v); }

void ds_view_recorder_destroy(ds_view_recorder *v)
{
    if (!v) return;
    v->p->view_recorder_destroy(v->v);
    free(v);
}
#endif
