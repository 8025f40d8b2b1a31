// pilotsim view: the interactive viewer (render/include/pilotsim/viewer.h).
#include "cli.h"
#include "pilotsim/policy.h"
#ifdef PILOTSIM_HAVE_RENDER
#include "pilotsim/viewer.h"
#endif
#ifdef PILOTSIM_HAVE_VIEW_RECORD
#include "dataset_playback.h"
#include "dataset_view.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void view_usage(FILE *f)
{
    fputs("usage: pilotsim view SCENE [options]\n"
          "Opens SCENE in a window and runs its episode in real time: orbit, pan, zoom and\n"
          "follow the camera; pause, step, reset; drag bodies; drive the robot; panels for the\n"
          "scene, episode, actions, actuators, sensors and overlays. The scene reloads by itself\n"
          "when its file or a module it requires changes; a Lua error is shown in the window\n"
          "and the last good world keeps running. Physics steps at the scene's fixed timestep\n"
          "whatever the frame rate: the same seed and actions give the same states as `run`.\n"
          "\n"
          "options:\n"
          "  --seed N             episode seed (default 0)\n"
          "  --param NAME=VALUE   override a scene param (repeatable)\n"
          "  --policy SPEC        drive the actions with a policy (as for run); default: the\n"
          "                       scene's baseline; P toggles it\n"
          "  --no-policy          start without a policy (teleop only)\n"
          "  --policy-hz HZ       control rate of the policy (as for run)\n"
          "  --replan-every K     action chunks: ask for a new chunk after K actions (as for run)\n"
          "  --policy-timeout S   seconds an exec:/tcp:// peer has for each reply (default 10)\n"
          "  --size WxH           window size in pixels (default 1280x720)\n"
          "  --speed X            simulated seconds per real second: 1/16..16 (1/4 or 0.25), or max\n"
          "  --paused             start paused\n"
          "  --camera EX,EY,EZ,TX,TY,TZ  eye and target (m) instead of framing the scene\n"
          "  --no-panels          hide the side panels (F2 shows them)\n"
          "  --no-vsync           do not wait for the display refresh (frame rate measurements)\n"
          "  --msaa N             anti-aliased edges with N samples per pixel (2, 4, 8, 16; default 0:\n"
          "                       off, as a software rasteriser pays for every sample)\n"
          "  --frame-dt S         each frame advances S seconds of real time x speed, whatever\n"
          "                       the clock (reproducible scripted runs; physics then steps in\n"
          "                       the frame); default: the clock, physics on its own thread\n"
          "  --frame-delay MS     sleep MS ms after every frame, as a slow machine draws\n"
          "                       (simulated time still keeps up with the clock)\n"
          "  --no-watch           do not reload when the sources change (F5 still reloads)\n"
          "  --exit-after-steps N stop at step N, print \"view: steps=N status=S hash=H\" (the\n"
          "                       state hash `pilotsim run --steps N` prints) and quit\n"
          "  --frames N           quit after N frames\n"
          "  --fps-report         print frames per second when the viewer closes\n"
          "  --script FILE        feed synthetic input from FILE (wait, key, click, drag, scroll,\n"
          "                       screenshot, state, body, quit; see render/viewer/script.h)\n"
          "  --replay FILE.hdf5   play back a recorded demo (its scene, params, seed and actions;\n"
          "                       the episode ends with an error naming the step where the\n"
          "                       state leaves the recording); --demo J picks data/demo_J\n"
          "                       (default: the first)\n"
          "  --record FILE        record every episode run from its start to its end into the\n"
          "                       HDF5 dataset FILE (docs/datasets.md), appending; Delete discards\n"
          "                       the attempt; a reset, rewind or mouse drag drops it\n"
          "  --module-path DIR    also search DIR for require()d modules (repeatable)\n"
          "  --package-path DIR   also search DIR for robot descriptions (repeatable)\n"
          "  --trusted            lift the Lua sandbox (local experiments only)\n"
          "  --memory-limit MIB   resident memory cap while building a world (default 4096)\n"
          "  --quiet              hide the scene's print() output\n"
          "The viewer logs events on stdout as \"view: ...\" lines.\n"
          "exit codes: 0 closed, 2 usage error, 3 scene, policy, display or script error\n"
          "            (also when built without the renderer)\n",
          f);
#ifdef PILOTSIM_HAVE_RENDER
    fputs("\nkeys:\n", f);
    ps_viewer_print_keymap(f);
#else
    fputs("\n(this build has no renderer: PILOTSIM_RENDER=OFF)\n", f);
#endif
}

#ifdef PILOTSIM_HAVE_RENDER
// "1/4", "0.25", "4" -> 0.25, 0.25, 4.
static bool parse_speed(const char *s, double *out)
{
    char *end;
    double a = strtod(s, &end);
    if (end == s) return false;
    if (*end == '/') {
        const char *d = end + 1;
        double b = strtod(d, &end);
        if (end == d || b == 0) return false;
        a /= b;
    }
    *out = a;
    return *end == '\0' && isfinite(a) && a >= 1.0 / 16 - 1e-12 && a <= 16 + 1e-12;
}
#endif

int cmd_view(int argc, char **argv)
{
    cli_scene_opts so = {0};
    cli_policy_opts pol = {0};
    char env_storage[4096];
    const char *scene = NULL, *record = NULL, *replay = NULL;
    long demo = -1;
    const char *v;
    int k;
#ifdef PILOTSIM_HAVE_RENDER
    ps_viewer_options vo = ps_default_viewer_options();
#define VO(stmt) stmt
#else
#define VO(stmt) ((void)0)
#endif
    uint64_t u;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            view_usage(stdout);
            return EXIT_OK;
        } else if ((k = cli_scene_option(argc, argv, &i, &so, "view")) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if ((k = cli_policy_option(argc, argv, &i, &pol, "view")) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if ((v = cli_opt_value(argc, argv, &i, "--seed"))) {
            if (!cli_parse_u64(v, &u)) {
                fprintf(stderr, "pilotsim view: --seed needs a non-negative integer, got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.seed = u);
        } else if ((v = cli_opt_value(argc, argv, &i, "--policy"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim view: --policy needs a spec\n");
                return EXIT_USAGE;
            }
            VO(vo.policy_spec = v);
        } else if (!strcmp(a, "--no-policy")) {
            VO(vo.no_policy = true);
        } else if ((v = cli_opt_value(argc, argv, &i, "--size"))) {
            int w = 0, h = 0;
            char extra;
            if (sscanf(v, "%dx%d%c", &w, &h, &extra) != 2 || w < 64 || h < 64 || w > 16384 || h > 16384) {
                fprintf(stderr, "pilotsim view: --size needs WxH (64..16384 each), got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO((vo.width = w, vo.height = h));
        } else if ((v = cli_opt_value(argc, argv, &i, "--speed"))) {
#ifdef PILOTSIM_HAVE_RENDER
            if (!strcmp(v, "max")) {
                vo.max_speed = true;
            } else if (!parse_speed(v, &vo.speed)) {
                fprintf(stderr, "pilotsim view: --speed needs 1/16..16 (e.g. 1/4, 0.5, 8) or max, got '%s'\n", v);
                return EXIT_USAGE;
            }
#endif
        } else if (!strcmp(a, "--paused")) {
            VO(vo.paused = true);
        } else if ((v = cli_opt_value(argc, argv, &i, "--camera"))) {
            double c[6];
            char extra;
            if (sscanf(v, "%lf,%lf,%lf,%lf,%lf,%lf%c", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &extra) != 6) {
                fprintf(stderr, "pilotsim view: --camera needs EX,EY,EZ,TX,TY,TZ (m), got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO((vo.has_camera = true, vo.eye = (ps_vec3){c[0], c[1], c[2]}, vo.target = (ps_vec3){c[3], c[4], c[5]}));
            (void)c;
        } else if (!strcmp(a, "--no-panels")) {
            VO(vo.panels = false);
        } else if (!strcmp(a, "--no-vsync")) {
            VO(vo.vsync = false);
        } else if ((v = cli_opt_value(argc, argv, &i, "--msaa"))) {
            char *end;
            long ms = strtol(v, &end, 10);
            if (end == v || *end || !(ms == 0 || ms == 2 || ms == 4 || ms == 8 || ms == 16)) {
                fprintf(stderr, "pilotsim view: --msaa needs 0, 2, 4, 8 or 16 samples, got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.msaa = (int)ms);
        } else if ((v = cli_opt_value(argc, argv, &i, "--frame-dt"))) {
            char *end;
            double fd = strtod(v, &end);
            if (end == v || *end || !(fd > 0 && fd <= 0.25)) {
                fprintf(stderr, "pilotsim view: --frame-dt needs seconds in (0, 0.25], got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.frame_dt = fd);
        } else if ((v = cli_opt_value(argc, argv, &i, "--frame-delay"))) {
            char *end;
            double ms = strtod(v, &end);
            if (end == v || *end || !(ms >= 0 && ms <= 10000)) {
                fprintf(stderr, "pilotsim view: --frame-delay needs milliseconds in [0, 10000], got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.frame_delay = ms * 1e-3);
        } else if (!strcmp(a, "--no-watch")) {
            VO(vo.watch = false);
        } else if ((v = cli_opt_value(argc, argv, &i, "--exit-after-steps"))) {
            if (!cli_parse_u64(v, &u) || u == 0) {
                fprintf(stderr, "pilotsim view: --exit-after-steps needs a positive integer, got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.exit_after_steps = u);
        } else if ((v = cli_opt_value(argc, argv, &i, "--frames"))) {
            if (!cli_parse_u64(v, &u) || u == 0) {
                fprintf(stderr, "pilotsim view: --frames needs a positive integer, got '%s'\n", v);
                return EXIT_USAGE;
            }
            VO(vo.frames = u);
        } else if (!strcmp(a, "--fps-report")) {
            VO(vo.fps_report = true);
        } else if ((v = cli_opt_value(argc, argv, &i, "--script"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim view: --script needs a file\n");
                return EXIT_USAGE;
            }
            VO(vo.script_path = v);
        } else if ((v = cli_opt_value(argc, argv, &i, "--record"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim view: --record needs a file\n");
                return EXIT_USAGE;
            }
            record = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--replay"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim view: --replay needs a dataset file\n");
                return EXIT_USAGE;
            }
            replay = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--demo"))) {
            if (!cli_parse_u64(v, &u) || u > 1000000000) {
                fprintf(stderr, "pilotsim view: --demo needs a demo index J (data/demo_J), got '%s'\n", v);
                return EXIT_USAGE;
            }
            demo = (long)u;
        } else if (!strcmp(a, "--quiet")) {
            so.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pilotsim view: unknown option '%s'\n", a);
            view_usage(stderr);
            return EXIT_USAGE;
        } else if (!scene) {
            scene = a;
        } else {
            fprintf(stderr, "pilotsim view: one scene at a time (got '%s' and '%s')\n", scene, a);
            return EXIT_USAGE;
        }
    }
    if (replay && (scene || record)) {
        fprintf(stderr, "pilotsim view: --replay plays the demo's own scene: give no SCENE and no --record\n");
        return EXIT_USAGE;
    }
    if (demo >= 0 && !replay) {
        fprintf(stderr, "pilotsim view: --demo goes with --replay FILE\n");
        return EXIT_USAGE;
    }
    if (!scene && !replay) {
        fprintf(stderr, "pilotsim view: missing SCENE\n");
        view_usage(stderr);
        return EXIT_USAGE;
    }
#ifndef PILOTSIM_HAVE_RENDER
    (void)env_storage;
    (void)u;
    (void)pol;
    (void)record;
    (void)demo;
    fprintf(stderr, "pilotsim view: built without the renderer (PILOTSIM_RENDER=OFF)\n");
    return EXIT_RUNTIME;
#else
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    char err[8192];
#ifdef PILOTSIM_HAVE_VIEW_RECORD
    ds_playback pb = {0};
    if (replay) {
        if (!ds_playback_open(&pb, replay, demo, err, sizeof err)) {
            fprintf(stderr, "pilotsim view: --replay: %s\n", err);
            return EXIT_RUNTIME;
        }
        scene = pb.scene_path;
        for (size_t i = 0; i < pb.param_count && so.param_count < sizeof so.params / sizeof *so.params; i++)
            so.params[so.param_count++] = pb.params[i];
        vo.seed = pb.seed;
        vo.policy = pb.policy; // the viewer owns it now
        pb.policy = NULL;
        printf("view: replaying %s of %s: %s, seed %llu, %llu steps\n", pb.demo, replay, scene,
               (unsigned long long)pb.seed, (unsigned long long)pb.steps);
    }
#define VIEW_REPLAY_END() ds_playback_close(&pb)
#else
    if (replay) {
        fprintf(stderr, "pilotsim view: --replay needs libhdf5 (libhdf5-dev), which this build lacks\n");
        return EXIT_RUNTIME;
    }
    (void)demo;
#define VIEW_REPLAY_END() ((void)0)
#endif
    vo.scene_path = scene;
    vo.scene_opt = cli_scene_options(&so);
    vo.policy_opt = cli_policy_options(&so, &pol, vo.scene_opt.log);
#ifdef PILOTSIM_HAVE_VIEW_RECORD
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
#else
    if (record) {
        fprintf(stderr, "pilotsim view: --record needs libhdf5 (libhdf5-dev), which this build lacks\n");
        return EXIT_RUNTIME;
    }
#define VIEW_RECORD_END() ((void)0)
#endif
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
#endif
}
