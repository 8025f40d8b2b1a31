// pilotsim view: the interactive viewer (render/include/pilotsim/viewer.h), in
// the renderer plugin (cli_plugin.h); `view --record` hands the viewer the
// dataset plugin's recorder (dataset_view.h, through the executable).
#include "cli.h"
#include "dataset_playback.h"
#include "dataset_view.h"
#include "pilotsim/policy.h"
#include "pilotsim/viewer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void view_more_help(FILE *f)
{
    fputs("\nkeys:\n", f);
    ps_viewer_print_keymap(f);
}

// "1/4", "0.25", "4" -> 0.25, 0.25, 4; "max" -> 0 (as fast as it goes).
static bool parse_speed(const char *s, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    if (!strcmp(s, "max")) {
        *(double *)target = 0;
        return true;
    }
    char *end;
    double a = strtod(s, &end);
    if (end == s) return false;
    if (*end == '/') {
        const char *d = end + 1;
        double b = strtod(d, &end);
        if (end == d || b == 0) return false;
        a /= b;
    }
    *(double *)target = a;
    return *end == '\0' && isfinite(a) && a >= 1.0 / 16 - 1e-12 && a <= 16 + 1e-12;
}

static bool parse_size(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    int *wh = target, w = 0, h = 0;
    char extra;
    if (sscanf(v, "%dx%d%c", &w, &h, &extra) != 2 || w < 64 || h < 64 || w > 16384 || h > 16384) return false;
    wh[0] = w;
    wh[1] = h;
    return true;
}

static bool parse_camera(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    double *c = target;
    char extra;
    return sscanf(v, "%lf,%lf,%lf,%lf,%lf,%lf%c", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &extra) == 6;
}

static bool parse_render_scale(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    if (!strcmp(v, "auto")) {
        *(double *)target = 0;
        return true;
    }
    char *end;
    double s = strtod(v, &end);
    if (end == v || *end || !(s >= 0.25 && s <= 1)) return false;
    *(double *)target = s;
    return true;
}

static bool parse_msaa(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    char *end;
    long ms = strtol(v, &end, 10);
    if (end == v || *end || !(ms == 0 || ms == 2 || ms == 4 || ms == 8 || ms == 16)) return false;
    *(int *)target = (int)ms;
    return true;
}

// What the options ask for; copied into ps_viewer_options (only what was given).
typedef struct view_args {
    uint64_t seed, exit_after_steps, frames;
    uint64_t demo;
    const char *policy, *script, *record, *replay;
    bool no_policy, paused, panels, vsync, watch, fps_report, daylight;
    bool size_given, speed_given, camera_given, msaa_given, scale_given, frame_dt_given, frame_delay_given, demo_given;
    int size[2], msaa;
    double speed, frame_dt, frame_delay, camera[6], render_scale;
} view_args;

int view_main(int argc, char **argv);

int view_main(int argc, char **argv)
{
    cli_scene_opts so = {0};
    cli_policy_opts pol = {0};
    char env_storage[4096];
    view_args va = {.panels = true, .vsync = true, .watch = true};
    cli_group scene_group = cli_scene_group(&so, 0), policy_group = cli_policy_group(&pol);
    const cli_opt opts[] = {
        {.name = "--seed", .kind = CLI_U64, .metavar = "N", .target = &va.seed, .need = "a non-negative integer",
         .help = "episode seed (default 0)"},
        {.name = "--policy", .kind = CLI_STRING, .metavar = "SPEC", .target = &va.policy, .need = "a spec",
         .help = "drive the actions with a policy (as for run); default: the scene's baseline; P toggles it"},
        {.name = "--no-policy", .kind = CLI_FLAG, .target = &va.no_policy, .help = "start without a policy (teleop only)"},
        {.name = "--size", .kind = CLI_CUSTOM, .metavar = "WxH", .target = va.size, .parse = parse_size,
         .given = &va.size_given, .need = "WxH (64..16384 each)", .help = "window size in pixels (default 1280x720)"},
        {.name = "--speed", .kind = CLI_CUSTOM, .metavar = "X", .target = &va.speed, .parse = parse_speed,
         .given = &va.speed_given, .need = "1/16..16 (e.g. 1/4, 0.5, 8) or max",
         .help = "simulated seconds per real second: 1/16..16 (1/4 or 0.25), or max"},
        {.name = "--paused", .kind = CLI_FLAG, .target = &va.paused, .help = "start paused"},
        {.name = "--camera", .kind = CLI_CUSTOM, .metavar = "EX,EY,EZ,TX,TY,TZ", .target = va.camera,
         .parse = parse_camera, .given = &va.camera_given, .need = "EX,EY,EZ,TX,TY,TZ (m)",
         .help = "eye and target (m) instead of framing the scene"},
        {.name = "--no-panels", .kind = CLI_FLAG, .clear = true, .target = &va.panels,
         .help = "hide the side panels (F2 shows them)"},
        {.name = "--no-vsync", .kind = CLI_FLAG, .clear = true, .target = &va.vsync,
         .help = "do not wait for the display refresh (frame rate measurements)"},
        {.name = "--msaa", .kind = CLI_CUSTOM, .metavar = "N", .target = &va.msaa, .parse = parse_msaa,
         .given = &va.msaa_given, .need = "0, 2, 4, 8 or 16 samples",
         .help = "anti-aliased edges with N samples per pixel (2, 4, 8, 16; default 0: off, as a software "
                 "rasteriser pays for every sample)"},
        {.name = "--render-scale", .kind = CLI_CUSTOM, .metavar = "S", .target = &va.render_scale,
         .parse = parse_render_scale, .given = &va.scale_given, .need = "a fraction in [0.25, 1] or auto",
         .help = "draw the 3D view at S x the window's resolution (0.25..1; panels stay sharp); default auto: "
                 "starts at 1 on a GPU and at 0.5 on a software rasteriser (llvmpipe), steps up to 0.75 and 1 "
                 "while the larger view would still make 66 fps and back down while frames take longer than "
                 "1/60 s (logged; scripted, --frame-dt and --msaa runs keep 1)"},
        {.name = "--daylight", .kind = CLI_FLAG, .target = &va.daylight,
         .help = "draw a dark scene (its view.darkness, a camera sensor's darkness) in daylight; B toggles "
                 "(default: as dark as the scene says)"},
        {.name = "--frame-dt", .kind = CLI_DOUBLE, .metavar = "S", .target = &va.frame_dt, .lo = 0, .hi = 0.25,
         .open_lo = true, .given = &va.frame_dt_given, .need = "seconds in (0, 0.25]",
         .help = "each frame advances S seconds of real time x speed, whatever the clock (reproducible scripted "
                 "runs; physics then steps in the frame); default: the clock, physics on its own thread"},
        {.name = "--frame-delay", .kind = CLI_DOUBLE, .metavar = "MS", .target = &va.frame_delay, .lo = 0,
         .hi = 10000, .given = &va.frame_delay_given, .need = "milliseconds in [0, 10000]",
         .help = "sleep MS ms after every frame, as a slow machine draws (simulated time still keeps up with the "
                 "clock)"},
        {.name = "--replay", .kind = CLI_STRING, .metavar = "FILE.hdf5", .target = &va.replay,
         .need = "a dataset file",
         .help = "play back a recorded demo (its scene, params, seed and actions; the episode ends with an error "
                 "naming the step where the state leaves the recording); give no SCENE"},
        {.name = "--demo", .kind = CLI_U64, .metavar = "J", .target = &va.demo, .hi = 1000000000,
         .given = &va.demo_given, .need = "a demo index J (data/demo_J)",
         .help = "with --replay: play data/demo_J (default: the first)"},
        {.name = "--no-watch", .kind = CLI_FLAG, .clear = true, .target = &va.watch,
         .help = "do not reload when the sources change (F5 still reloads)"},
        {.name = "--exit-after-steps", .kind = CLI_U64, .metavar = "N", .target = &va.exit_after_steps, .lo = 1,
         .need = "a positive integer",
         .help = "stop at step N, print \"view: steps=N status=S hash=H\" (the state hash `pilotsim run --steps N` "
                 "prints) and quit"},
        {.name = "--frames", .kind = CLI_U64, .metavar = "N", .target = &va.frames, .lo = 1,
         .need = "a positive integer", .help = "quit after N frames"},
        {.name = "--fps-report", .kind = CLI_FLAG, .target = &va.fps_report,
         .help = "print frames per second when the viewer closes"},
        {.name = "--script", .kind = CLI_STRING, .metavar = "FILE", .target = &va.script, .need = "a file",
         .help = "feed synthetic input from FILE (wait, key, click, drag, scroll, screenshot, state, body, quit; "
                 "see render/viewer/script.h)"},
        {.name = "--record", .kind = CLI_STRING, .metavar = "FILE", .target = &va.record, .need = "a file",
         .help = "record every episode run from its start to its end into the HDF5 dataset FILE "
                 "(docs/datasets.md), appending; Delete discards the attempt; a reset, rewind or mouse drag drops it"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {.kind = CLI_INCLUDE, .target = policy_group.opt, .help = "policy options"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "view",
        .synopsis = "SCENE [options]",
        .about = "Opens SCENE in a window and runs its episode in real time: orbit, pan, zoom and follow the "
                 "camera; pause, step, reset; drag bodies; drive the robot; panels for the scene, episode, "
                 "actions, actuators, sensors and overlays. The scene reloads by itself when its file or a module "
                 "it requires changes; a Lua error is shown in the window and the last good world keeps running. "
                 "Physics steps at the scene's fixed timestep whatever the frame rate: the same seed and actions "
                 "give the same states as `run`.",
        .opts = opts,
        .notes = "The viewer logs events on stdout as \"view: ...\" lines.\n",
        .exits = "0 closed, 2 usage error, 3 scene, policy, display or script error\n"
                 "            (also when built without the renderer)\n",
        .more_help = view_more_help,
        .pos_name = "SCENE",
        .min_pos = 0, // SCENE, unless --replay
        .max_pos = 1,
    };
    const char *scene = NULL;
    size_t npos;
    int prc = cli_parse(&cmd, argc, argv, &scene, &npos);
    if (prc != CLI_CONTINUE) return prc;
    if (va.replay && (scene || va.record)) {
        return cli_usage_error(&cmd, "--replay plays the demo's own scene: give no SCENE and no --record");
    }
    if (va.demo_given && !va.replay) {
        return cli_usage_error(&cmd, "--demo goes with --replay FILE");
    }
    if (!scene && !va.replay) {
        return cli_usage_error(&cmd, "missing SCENE");
    }
    ps_viewer_options vo = ps_default_viewer_options();
    vo.seed = va.seed;
    vo.policy_spec = va.policy;
    vo.no_policy = va.no_policy;
    if (va.size_given) vo.width = va.size[0], vo.height = va.size[1];
    if (va.speed_given) {
        if (va.speed > 0) vo.speed = va.speed;
        else vo.max_speed = true;
    }
    vo.paused = va.paused;
    if (va.camera_given) {
        vo.has_camera = true;
        vo.eye = (ps_vec3){va.camera[0], va.camera[1], va.camera[2]};
        vo.target = (ps_vec3){va.camera[3], va.camera[4], va.camera[5]};
    }
    vo.panels = va.panels;
    vo.vsync = va.vsync;
    vo.daylight = va.daylight;
    if (va.msaa_given) vo.msaa = va.msaa;
    if (va.scale_given) vo.render_scale = va.render_scale;
    if (va.frame_dt_given) vo.frame_dt = va.frame_dt;
    if (va.frame_delay_given) vo.frame_delay = va.frame_delay * 1e-3;
    vo.watch = va.watch;
    if (va.exit_after_steps) vo.exit_after_steps = va.exit_after_steps;
    if (va.frames) vo.frames = va.frames;
    vo.fps_report = va.fps_report;
    if (va.script) vo.script_path = va.script;
    const char *record = va.record;
    char err[PS_ERR_LEN];
    ds_playback pb = {0};
    if (va.replay) {
        if (!ds_playback_open(&pb, va.replay, va.demo_given ? (long)va.demo : -1, err, sizeof err)) {
            fprintf(stderr, "pilotsim view: --replay: %s\n", err);
            return EXIT_RUNTIME;
        }
        scene = pb.scene_path;
        for (size_t i = 0; i < pb.param_count && so.param_count < sizeof so.params / sizeof *so.params; i++)
            so.params[so.param_count++] = pb.params[i];
        vo.seed = pb.seed;
        vo.policy = pb.policy; // the viewer owns it now
        pb.policy = NULL;
        printf("view: replaying %s of %s: %s, seed %llu, %llu steps\n", pb.demo, va.replay, scene,
               (unsigned long long)pb.seed, (unsigned long long)pb.steps);
    }
#define VIEW_REPLAY_END() ds_playback_close(&pb)
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    vo.scene_path = scene;
    vo.scene_opt = cli_scene_options(&so);
    vo.policy_opt = cli_policy_options(&so, &pol, vo.scene_opt.log);
    ds_view_recorder *rec = NULL;
    if (record) {
        if (!(rec = ds_view_recorder_create(record, scene, &vo.scene_opt, vo.seed, err, sizeof err))) {
            fprintf(stderr, "pilotsim view: --record: %s\n", err);
            VIEW_REPLAY_END();
            return EXIT_RUNTIME;
        }
        vo.step_hook = ds_view_recorder_hook(rec);
    }
#define VIEW_RECORD_END() ds_view_recorder_destroy(rec)
    ps_viewer *view = ps_viewer_create(&vo, err, sizeof err);
    if (!view) {
        fprintf(stderr, "pilotsim view: %s\n", err);
        VIEW_RECORD_END();
        VIEW_REPLAY_END();
        return EXIT_RUNTIME;
    }
    int rc = ps_viewer_run(view);
    ps_viewer_destroy(view);
    VIEW_RECORD_END();
    VIEW_REPLAY_END();
    return rc;
}
