// The renderer plugin's entry point (pilotsim-render.so, see cli_plugin.h).
#include "bench.h"
#include "cli_plugin.h"
#include "run_render.h"

#include "pilotsim/camera_render.h"
#include "pilotsim/image_io.h"

/// `pilotsim view` (cmd_view.c).
int view_main(int argc, char **argv);

static void *cameras_create(void) { return ps_camera_renderer_create_lazy(PS_GL_AUTO); }
static void cameras_destroy(void *c) { ps_camera_renderer_destroy(c); }
static void *recorder_open(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen)
{
    return run_render_open(o, s, err, errlen);
}
static ps_episode_status recorder_run(void *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    return run_render_run(r, e, p, seed, max_steps);
}
static bool recorder_finish(void *r, ps_episode *e, char *err, size_t errlen)
{
    return run_render_finish(r, e, err, errlen);
}
static void recorder_report(const void *r, FILE *f) { run_render_report(r, f); }
static void recorder_destroy(void *r) { run_render_destroy(r); }

__attribute__((visibility("default"))) const cli_render_plugin *pilotsim_render_plugin(void)
{
    static const cli_render_plugin table = {
        .abi = CLI_PLUGIN_ABI,
        .cameras_create = cameras_create,
        .camera_render = ps_camera_render,
        .camera_render_error = ps_camera_render_error,
        .cameras_destroy = cameras_destroy,
        .recorder_open = recorder_open,
        .recorder_run = recorder_run,
        .recorder_finish = recorder_finish,
        .recorder_report = recorder_report,
        .recorder_destroy = recorder_destroy,
        .video_available = ps_video_available,
        .view = view_main,
        .bench_camera = bench_camera,
    };
    return &table;
}
