// The CLI's plugins: code with heavy libraries that a headless run never needs,
// built as shared objects the pilotsim executable dlopen()s on first use, so
// `pilotsim run` starts without loading GL, EGL, GLFW, assimp, FFmpeg or HDF5
// (about 150 libraries):
//   pilotsim-render.so   the renderer (render/, the viewer, PNG and video
//                        writers): camera sensors, run --screenshot/--video/
//                        --camera-out, report --videos, view, bench --camera;
//   pilotsim-hdf5.so     datasets (libhdf5): record, replay, info, merge of
//                        HDF5 shards, eval --record, view --record.
// A plugin calls back into the executable (which exports its symbols: the
// library's public API and the cli_* helpers); it exports one entry point,
// which returns its function table. Both sides are one build: the table's
// `abi` must equal CLI_PLUGIN_ABI.
//
// Where they are looked for: $PILOTSIM_PLUGIN_DIR when set (only there), else
// the executable's folder (the build tree), else PILOTSIM_PLUGIN_RELDIR
// relative to it (the installed PREFIX/lib.../pilotsim).
#ifndef PS_CLI_PLUGIN_H
#define PS_CLI_PLUGIN_H

#include "dataset_playback.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"
#include "run_record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/// Bumped whenever a table below changes.
#define CLI_PLUGIN_ABI 1u

/// The renderer plugin's table (entry point `pilotsim_render_plugin`).
typedef struct cli_render_plugin {
    unsigned abi; ///< CLI_PLUGIN_ABI
    /// Camera sensors: a renderer whose GL context is made on the first image
    /// (NULL on allocation failure), its ps_render_fn / ps_render_error_fn, and its end.
    void *(*cameras_create)(void);
    ps_render_fn camera_render;
    ps_render_error_fn camera_render_error;
    void (*cameras_destroy)(void *cameras);
    /// run_record.h's recorder, implemented with the renderer (same contracts).
    void *(*recorder_open)(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen);
    ps_episode_status (*recorder_run)(void *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);
    bool (*recorder_finish)(void *r, ps_episode *e, char *err, size_t errlen);
    void (*recorder_report)(const void *r, FILE *f);
    void (*recorder_destroy)(void *r);
    /// True when video files can be written (built with libav).
    bool (*video_available)(void);
    /// `pilotsim view ARGS` (argv[0] is "view"): the exit code.
    int (*view)(int argc, char **argv);
    /// `pilotsim bench --camera`: the exit code.
    int (*bench_camera)(int repeat, bool json);
} cli_render_plugin;

/// The dataset plugin's table (entry point `pilotsim_hdf5_plugin`); see dataset.h
/// for what each does.
typedef struct cli_dataset_plugin {
    unsigned abi; ///< CLI_PLUGIN_ABI
    int (*record)(int argc, char **argv);
    int (*replay)(int argc, char **argv);
    int (*info)(int argc, char **argv);
    int (*merge)(int argc, char **argv);
    /// `rec` is the worker's ds_recorder (made on first use, kept for its next episodes).
    ps_episode_status (*eval_record)(const char *dir, const void *run, void **rec, uint64_t j, ps_episode *e,
                                     ps_scene *scene, const char *scene_path, ps_policy *pol,
                                     const char *policy_spec, uint64_t episode, uint64_t seed);
    void (*recorder_destroy)(void *rec); ///< a ds_recorder from eval_record; NULL is a no-op
    /// dataset_view.h (view --record); the hook is a `const ps_viewer_step_hook *`.
    void *(*view_recorder_create)(const char *path, const char *scene_path, const ps_scene_options *so,
                                  uint64_t seed, char *err, size_t errlen);
    const void *(*view_recorder_hook)(void *v);
    void (*view_recorder_destroy)(void *v);
    /// dataset_playback.h (view --replay).
    bool (*playback_open)(ds_playback *p, const char *path, long demo, char *err, size_t errlen);
    void (*playback_close)(ds_playback *p);
} cli_dataset_plugin;

/// The renderer plugin, loaded on the first call. NULL when it cannot be
/// loaded; then `err` (may be NULL) says "WHAT the renderer plugin PATH: why"
/// (dlerror's text), or that this build has no renderer: `what` ends with a verb
/// ("camera sensors need", "pilotsim view needs").
const cli_render_plugin *cli_render_plugin_load(const char *what, char *err, size_t errlen);
/// The dataset plugin, as cli_render_plugin_load ("built without libhdf5 ..." when so).
const cli_dataset_plugin *cli_dataset_plugin_load(const char *what, char *err, size_t errlen);

/// `pilotsim bench --camera` through the renderer plugin: the exit code
/// (3 with a message when the plugin cannot be loaded).
int cli_bench_camera(int repeat, bool json);

/// The entry points the plugins define (looked up with dlsym).
const cli_render_plugin *pilotsim_render_plugin(void);
const cli_dataset_plugin *pilotsim_hdf5_plugin(void);

#endif
