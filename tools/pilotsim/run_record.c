// pilotsim run --screenshot / --video (see run_record.h).
#include "run_record.h"
#include "cli.h"
#include "cli_plugin.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void run_record_usage(FILE *f)
{
    fputs("  --screenshot FILE   write a PNG of the final state (rendered offscreen)\n"
          "  --video FILE        record the episode (container from the extension: .mp4, .mkv,\n"
          "                      .avi, .mov; H.264 when available, else MPEG-4 part 2)\n"
          "  --video-fps F       video frames per simulated second (default 30); frame k shows\n"
          "                      the state at time k/F, from the initial state on\n"
          "  --video-size WxH    size of the video and the screenshot in pixels (default 1280x720)\n"
          "                      The camera is the scene's `view`, else one framing every shape\n"
          "                      but planes from the front right. PILOTSIM_GL=egl|glfw picks the\n"
          "                      offscreen GL backend (default: EGL, then a hidden GLFW window).\n"
          "  --view EX,EY,EZ,TX,TY,TZ[,FOV]  record from eye EX,EY,EZ looking at TX,TY,TZ (m),\n"
          "                      vertical field of view FOV degrees (default 45), not the scene's view\n"
          "  --view-angles AZ,EL frame every shape but planes (as without a scene view) seen from\n"
          "                      azimuth AZ (about +z from +x) and elevation EL degrees\n"
          "                      (default -40,30: front right, above), ignoring the scene's view\n"
          "  --camera-out DIR    write every camera sensor sample to DIR/<camera>/<frame>.png (RGB;\n"
          "                      depth 16-bit grey in mm, 0 = nothing hit; segmentation ids in\n"
          "                      distinct colours) with one line each in DIR/frames.csv\n"
          "  --collision-shapes  draw the collision geometry instead of robots' visual meshes\n"
          "  --screenshot-mode rgb|depth|segmentation  what the screenshot holds: lit colour\n"
          "                      (default); planar depth as a 16-bit grey PNG in mm (0: nothing\n"
          "                      hit); each segmentation id in its own colour, nothing hit black\n",
          f);
}

bool run_record_requested(const run_record_opts *o) { return o->screenshot || o->video || o->camera_out; }

// What the renderer plugin can do is known when pilotsim is built.
static bool video_built(void)
{
#ifdef PILOTSIM_HAVE_VIDEO
    return true;
#else
    return false;
#endif
}

#ifndef PILOTSIM_HAVE_RENDER

int run_record_option(int argc, char **argv, int *i, run_record_opts *o)
{
    (void)o;
    static const char *const names[] = {"--screenshot", "--video", "--video-fps", "--video-size",
                                        "--collision-shapes", "--screenshot-mode", "--view", "--view-angles",
                                        "--camera-out"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (cli_opt_value(argc, argv, i, names[k])) {
            fprintf(stderr, "pilotsim run: %s: built without the renderer (PILOTSIM_RENDER=OFF)\n", names[k]);
            return -1;
        }
    }
    return 0;
}

#else  // PILOTSIM_HAVE_RENDER

int run_record_option(int argc, char **argv, int *i, run_record_opts *o)
{
    const char *v;
    if ((v = cli_opt_value(argc, argv, i, "--screenshot"))) {
        if (!*v) {
            fprintf(stderr, "pilotsim run: --screenshot needs a file name (out.png)\n");
            return -1;
        }
        o->screenshot = v;
    } else if ((v = cli_opt_value(argc, argv, i, "--video"))) {
        if (!*v) {
            fprintf(stderr, "pilotsim run: --video needs a file name (out.mp4)\n");
            return -1;
        }
        if (!video_built()) {
            fprintf(stderr, "pilotsim run: --video: built without video support (PILOTSIM_VIDEO=OFF; "
                            "it needs libavcodec, libavformat and libswscale)\n");
            return -1;
        }
        o->video = v;
    } else if ((v = cli_opt_value(argc, argv, i, "--video-fps"))) {
        char *end = NULL;
        double f = strtod(v, &end);
        if (!*v || *end || !(f > 0 && f <= 1000)) {
            fprintf(stderr, "pilotsim run: --video-fps needs a number in (0, 1000], got '%s'\n", v);
            return -1;
        }
        o->fps = f;
    } else if ((v = cli_opt_value(argc, argv, i, "--video-size"))) {
        int w = 0, h = 0, n = 0;
        if (sscanf(v, "%dx%d%n", &w, &h, &n) != 2 || v[n] || w < 16 || h < 16 || w > 8192 || h > 8192) {
            fprintf(stderr, "pilotsim run: --video-size needs WxH with 16..8192 pixels a side, got '%s'\n", v);
            return -1;
        }
        o->width = w;
        o->height = h;
    } else if (!strcmp(argv[*i], "--collision-shapes")) {
        o->collision_shapes = true;
    } else if ((v = cli_opt_value(argc, argv, i, "--screenshot-mode"))) {
        static const char *const modes[] = {"rgb", "depth", "segmentation"};
        int m = -1;
        for (int k = 0; k < 3; k++)
            if (!strcmp(v, modes[k])) m = k;
        if (m < 0) {
            fprintf(stderr, "pilotsim run: --screenshot-mode needs rgb, depth or segmentation, got '%s'\n", v);
            return -1;
        }
        o->screenshot_mode = m;
    } else if ((v = cli_opt_value(argc, argv, i, "--camera-out"))) {
        if (!*v) {
            fprintf(stderr, "pilotsim run: --camera-out needs a directory\n");
            return -1;
        }
        o->camera_out = v;
    } else if ((v = cli_opt_value(argc, argv, i, "--view-angles"))) {
        double az = 0, el = 0;
        int n = 0;
        if (sscanf(v, "%lf,%lf%n", &az, &el, &n) != 2 || v[n] || !isfinite(az) || !(el > -90 && el < 90)) {
            fprintf(stderr, "pilotsim run: --view-angles needs AZ,EL in degrees with -90 < EL < 90, got '%s'\n", v);
            return -1;
        }
        o->azimuth = az;
        o->elevation = el;
        o->angles_given = true;
    } else if ((v = cli_opt_value(argc, argv, i, "--view"))) {
        double x[7] = {0, 0, 0, 0, 0, 0, 45};
        int n = 0, used = 0;
        const char *p = v;
        while (n < 7) {
            char *end = NULL;
            x[n] = strtod(p, &end);
            if (end == p || !isfinite(x[n])) break;
            n++;
            p = end;
            if (*p != ',') break;
            p++;
        }
        used = (int)(p - v);
        double d2 = (x[3] - x[0]) * (x[3] - x[0]) + (x[4] - x[1]) * (x[4] - x[1]) + (x[5] - x[2]) * (x[5] - x[2]);
        if ((n != 6 && n != 7) || v[used] || !(d2 > 1e-12) || !(x[6] > 1 && x[6] < 179)) {
            fprintf(stderr, "pilotsim run: --view needs EX,EY,EZ,TX,TY,TZ[,FOV] (m; eye != target; FOV degrees "
                            "in (1, 179)), got '%s'\n", v);
            return -1;
        }
        memcpy(o->view, x, sizeof x);
        o->view_given = true;
    } else {
        return 0;
    }
    return 1;
}

#endif

// The recorder is the renderer plugin's (cli_plugin.h), loaded on first use.
struct run_recorder {
    const cli_render_plugin *p;
    void *r;
};

run_recorder *run_recorder_open(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen)
{
    const cli_render_plugin *p = cli_render_plugin_load("rendering needs", err, errlen);
    run_recorder *r = p ? calloc(1, sizeof *r) : NULL;
    if (p && !r) snprintf(err, errlen, "out of memory");
    if (!r) return NULL;
    r->p = p;
    if (!(r->r = p->recorder_open(o, s, err, errlen))) {
        free(r);
        return NULL;
    }
    return r;
}

ps_episode_status run_recorder_run(run_recorder *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    return r->p->recorder_run(r->r, e, p, seed, max_steps);
}

bool run_recorder_finish(run_recorder *r, ps_episode *e, char *err, size_t errlen)
{
    return r->p->recorder_finish(r->r, e, err, errlen);
}

void run_recorder_report(const run_recorder *r, FILE *f) { r->p->recorder_report(r->r, f); }

void run_recorder_destroy(run_recorder *r)
{
    if (!r) return;
    r->p->recorder_destroy(r->r);
    free(r);
}

bool run_record_video_available(void)
{
    const cli_render_plugin *p = video_built() ? cli_render_plugin_load("video needs", NULL, 0) : NULL;
    return p && p->video_available();
}
