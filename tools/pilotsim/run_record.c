// pilotsim run --screenshot / --video (see run_record.h).
#include "run_record.h"
#include "cli.h"
#include "cli_plugin.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool run_record_requested(const run_record_opts *o) { return o->screenshot || o->video || o->camera_out; }

static bool video_built(void)
{
#ifdef PILOTSIM_HAVE_VIDEO
    return true;
#else
    return false;
#endif
}

static bool parse_video_fps(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    char *end = NULL;
    double f = strtod(v, &end);
    if (!*v || *end || !(f > 0 && f <= 1000)) return false;
    *(double *)target = f;
    return true;
}

static bool parse_video_size(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    run_record_opts *o = target;
    int w = 0, h = 0, used = 0;
    if (sscanf(v, "%dx%d%n", &w, &h, &used) != 2 || v[used] || w < 16 || h < 16 || w > 8192 || h > 8192) return false;
    o->width = w;
    o->height = h;
    return true;
}

static bool parse_shot_mode(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    static const char *const modes[] = {"rgb", "depth", "segmentation"};
    for (int k = 0; k < 3; k++) {
        if (!strcmp(v, modes[k])) {
            *(int *)target = k;
            return true;
        }
    }
    return false;
}

static bool parse_view_angles(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    run_record_opts *o = target;
    double az = 0, el = 0;
    int used = 0;
    if (sscanf(v, "%lf,%lf%n", &az, &el, &used) != 2 || v[used] || !isfinite(az) || !(el > -90 && el < 90)) return false;
    o->azimuth = az;
    o->elevation = el;
    o->angles_given = true;
    return true;
}

static bool parse_view(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    run_record_opts *o = target;
    double x[7] = {0, 0, 0, 0, 0, 0, 45};
    int k = 0;
    const char *p = v;
    while (k < 7) {
        char *end = NULL;
        x[k] = strtod(p, &end);
        if (end == p || !isfinite(x[k])) break;
        k++;
        p = end;
        if (*p != ',') break;
        p++;
    }
    double d2 = (x[3] - x[0]) * (x[3] - x[0]) + (x[4] - x[1]) * (x[4] - x[1]) + (x[5] - x[2]) * (x[5] - x[2]);
    if ((k != 6 && k != 7) || *p || !(d2 > 1e-12) || !(x[6] > 1 && x[6] < 179)) return false;
    memcpy(o->view, x, sizeof x);
    o->view_given = true;
    return true;
}

cli_group run_record_group(run_record_opts *o)
{
#ifdef PILOTSIM_HAVE_RENDER
    const char *off = NULL;
    const char *no_video = video_built() ? NULL
                           : "built without video support (PILOTSIM_VIDEO=OFF; it needs libavcodec, libavformat "
                             "and libswscale)";
#else
    const char *off = "built without the renderer (PILOTSIM_RENDER=OFF)", *no_video = off;
#endif
    return (cli_group){{
        {.name = "--screenshot", .kind = CLI_STRING, .metavar = "FILE", .target = &o->screenshot,
         .need = "a file name (out.png)", .unavailable = off,
         .help = "write a PNG of the final state (rendered offscreen)"},
        {.name = "--video", .kind = CLI_STRING, .metavar = "FILE", .target = &o->video,
         .need = "a file name (out.mp4)", .unavailable = no_video,
         .help = "record the episode (container from the extension: .mp4, .mkv, .avi, .mov; H.264 when "
                 "available, else MPEG-4 part 2)"},
        {.name = "--video-fps", .kind = CLI_CUSTOM, .metavar = "F", .target = &o->fps, .parse = parse_video_fps,
         .need = "a number in (0, 1000]", .unavailable = off,
         .help = "video frames per simulated second (default 30); frame k shows the state at time k/F, from the "
                 "initial state on"},
        {.name = "--video-size", .kind = CLI_CUSTOM, .metavar = "WxH", .target = o, .parse = parse_video_size,
         .need = "WxH with 16..8192 pixels a side", .unavailable = off,
         .help = "size of the video and the screenshot in pixels (default 1280x720). The camera is the scene's "
                 "`view`, else one framing every shape but planes from the front right. PILOTSIM_GL=egl|glfw "
                 "picks the offscreen GL backend (default: EGL, then a hidden GLFW window)."},
        {.name = "--view", .kind = CLI_CUSTOM, .metavar = "EX,EY,EZ,TX,TY,TZ[,FOV]", .target = o,
         .parse = parse_view, .unavailable = off,
         .need = "EX,EY,EZ,TX,TY,TZ[,FOV] (m; eye != target; FOV degrees in (1, 179))",
         .help = "record from eye EX,EY,EZ looking at TX,TY,TZ (m), vertical field of view FOV degrees (default "
                 "45), not the scene's view"},
        {.name = "--view-angles", .kind = CLI_CUSTOM, .metavar = "AZ,EL", .target = o, .parse = parse_view_angles,
         .need = "AZ,EL in degrees with -90 < EL < 90", .unavailable = off,
         .help = "frame every shape but planes (as without a scene view) seen from azimuth AZ (about +z from +x) "
                 "and elevation EL degrees (default -40,30: front right, above), ignoring the scene's view"},
        {.name = "--camera-out", .kind = CLI_STRING, .metavar = "DIR", .target = &o->camera_out,
         .need = "a directory", .unavailable = off,
         .help = "write every camera sensor sample to DIR/<camera>/<frame>.png (RGB; depth 16-bit grey in mm, "
                 "0 = nothing hit; segmentation ids in distinct colours) with one line each in DIR/frames.csv"},
        {.name = "--collision-shapes", .kind = CLI_FLAG, .target = &o->collision_shapes, .unavailable = off,
         .help = "draw the collision geometry instead of robots' visual meshes"},
        {.name = "--screenshot-mode", .kind = CLI_CUSTOM, .metavar = "rgb|depth|segmentation",
         .target = &o->screenshot_mode, .parse = parse_shot_mode, .need = "rgb, depth or segmentation",
         .unavailable = off,
         .help = "what the screenshot holds: lit colour (default); planar depth as a 16-bit grey PNG in mm (0: "
                 "nothing hit); each segmentation id in its own colour, nothing hit black"},
    }};
}

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
