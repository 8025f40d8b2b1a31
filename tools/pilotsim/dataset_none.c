// Without libhdf5: the dataset commands explain what is missing.
#include "cli.h"
#include "dataset.h"

#include <string.h>
#include <sys/stat.h>

static int missing(const char *cmd)
{
    fprintf(stderr, "pilotsim %s: this pilotsim was built without libhdf5 (Debian: libhdf5-dev; "
                    "tools/setup-deps.sh installs it), so it has no datasets\n", cmd);
    return EXIT_RUNTIME;
}

int cmd_record(int argc, char **argv) { (void)argc; (void)argv; return missing("record"); }
int cmd_replay(int argc, char **argv) { (void)argc; (void)argv; return missing("replay"); }
int cmd_info(int argc, char **argv) { (void)argc; (void)argv; return missing("info"); }
int ds_merge(int argc, char **argv) { (void)argc; (void)argv; return missing("merge"); }

bool ds_is_hdf5(const char *path)
{
    struct stat sb; // only regular files: opening a FIFO or a device to sniff it could block
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return false;
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, fp);
    fclose(fp);
    return n == 8 && sig[0] == 0x89 && sig[1] == 'H' && sig[2] == 'D' && sig[3] == 'F';
}

void ds_recorder_destroy(ds_recorder *r) { (void)r; }

ps_episode_status ds_eval_record(const char *dir, const ds_run *run, ds_recorder **rec, uint64_t j, ps_episode *e,
                                 ps_scene *scene, const char *scene_path, ps_policy *pol, const char *policy_spec,
                                 uint64_t episode, uint64_t seed)
{
    (void)dir, (void)run, (void)rec, (void)j, (void)scene, (void)scene_path, (void)pol, (void)policy_spec, (void)episode, (void)seed;
    ps_episode_abort(e, PS_EP_SCRIPT_ERROR, "eval --record: this pilotsim was built without libhdf5 (libhdf5-dev)");
    return ps_episode_get_status(e);
}
