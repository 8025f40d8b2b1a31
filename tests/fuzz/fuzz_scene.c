// Fuzz target: a scene file's text, loaded inside the sandbox with small
// limits (instruction budget, heap cap, wall-clock guard), then one episode
// begun and stepped a little, metrics read. Module paths are the project's
// scripts/ and assets/, as `pilotsim run` sets them.
#include "fuzz_common.h"
#include "pilotsim/pilotsim.h"

#ifndef PILOTSIM_SOURCE_DIR
#error "PILOTSIM_SOURCE_DIR must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[2048];
    fz_write("scene.lua", data, size, path, sizeof path);
    static const char *const modules[] = {PILOTSIM_SOURCE_DIR "/scripts"};
    static const char *const packages[] = {PILOTSIM_SOURCE_DIR "/assets"};
    ps_scene_options o = ps_default_scene_options();
    o.module_paths = modules;
    o.module_path_count = 1;
    o.package_paths = packages;
    o.package_path_count = 1;
    o.instruction_budget = 2000000;
    o.memory_limit = (size_t)32 << 20;
    o.wall_limit = 2.0;
    o.log = (ps_logger){fz_quiet_log, NULL};
    ps_scene *s = ps_scene_load(path, &o, err, sizeof err);
    fz_report("scene load", s ? "loaded" : err);
    if (!s) {
        if (!err[0]) {
            fprintf(stderr, "fuzz_scene: ps_scene_load failed without a message\n");
            abort();
        }
        return 0;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    if (e) {
        ps_episode_status st = ps_episode_step(e, 20);
        if (st != PS_EP_RUNNING && !ps_episode_message(e)) abort();
        fz_report(ps_episode_status_name(st), ps_episode_message(e));
        const char *const *names;
        const double *values;
        (void)ps_episode_metrics(e, &names, &values, err, sizeof err);
        ps_episode_end(e);
    }
    ps_scene_destroy(s);
    return 0;
}
