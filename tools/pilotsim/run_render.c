// pilotsim run --screenshot / --video / --camera-out in the renderer plugin:
// the recorder of run_record.h drawn with the renderer (see run_record.h for
// what it does; the executable calls it through cli_plugin.h).
#define _POSIX_C_SOURCE 200809L  // access
#include "run_render.h"
#include "cli.h"


#include "camera_out.h"
#include "pilotsim/gl_context.h"
#include "pilotsim/image_io.h"
#include "pilotsim/render.h"
#include "pilotsim/sensor_image.h"
#include "pilotsim/snapshot.h"


#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DEFAULT_WIDTH = 1280, DEFAULT_HEIGHT = 720 };
static const double DEFAULT_FPS = 30.0;

typedef struct run_render {
    run_record_opts o;
    ps_gl_context *gl;
    ps_renderer *renderer;
    ps_render_target *target;
    ps_render_target *ftarget;  // float target for depth and segmentation screenshots
    float *fpx;                 // its pixels, 1 float each
    ps_snapshot *snap;
    ps_video_writer *video;
    camera_out *cams;        // --camera-out, or NULL
    uint8_t *rgb;
    ps_render_view view;
    bool view_set;           // the scene's view, or the default one computed from the first frame
    double darkness;         // the scene's view.darkness (a night scene's frames are dimmed)
    int64_t frames;          // video frames written
    int64_t renders;         // frames rendered (a long step may repeat one frame)
    double render_s, encode_s;
    bool failed;
    char err[PS_ERR_LEN];    // first recording error
} run_render;

static void fail(run_render *r, const char *msg)
{
    if (!r->failed) snprintf(r->err, sizeof r->err, "%s", msg);
    r->failed = true;
}

run_render *run_render_open(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen)
{
    run_render *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->o = *o;
    if (r->o.fps <= 0) r->o.fps = DEFAULT_FPS;
    if (r->o.width <= 0 || r->o.height <= 0) {
        r->o.width = DEFAULT_WIDTH;
        r->o.height = DEFAULT_HEIGHT;
    }
    // A screenshot path that cannot be written fails now, not after the episode.
    if (r->o.screenshot) {
        bool existed = access(r->o.screenshot, F_OK) == 0;
        FILE *f = fopen(r->o.screenshot, "ab");
        if (!f) {
            snprintf(err, errlen, "png '%s': cannot open for writing: %s", r->o.screenshot, strerror(errno));
            run_render_destroy(r);
            return NULL;
        }
        fclose(f);
        if (!existed) remove(r->o.screenshot);
    }
    if (r->o.camera_out && !(r->cams = camera_out_open(r->o.camera_out, err, errlen))) {
        run_render_destroy(r);
        return NULL;
    }
    if (!r->o.screenshot && !r->o.video) return r;  // camera images only: the cameras render them
    char e[1024] = "";
    r->gl = ps_gl_context_create_offscreen(PS_GL_AUTO, e, sizeof e);
    if (!r->gl) {
        snprintf(err, errlen, "rendering needs an OpenGL 3.3 context: %s", e);
        run_render_destroy(r);
        return NULL;
    }
    ps_gl_context_make_current(r->gl);
    r->renderer = ps_renderer_create(e, sizeof e);
    if (!r->renderer) {
        snprintf(err, errlen, "renderer: %s", e);
        run_render_destroy(r);
        return NULL;
    }
    r->target = ps_render_target_create(r->renderer, r->o.width, r->o.height, false, e, sizeof e);
    r->snap = ps_snapshot_create();
    r->rgb = malloc((size_t)r->o.width * (size_t)r->o.height * 3);
    if (!r->target || !r->snap || !r->rgb) {
        snprintf(err, errlen, "render target %dx%d: %s", r->o.width, r->o.height, e[0] ? e : "out of memory");
        run_render_destroy(r);
        return NULL;
    }
    if (r->o.video) {
        r->video = ps_video_open(r->o.video, r->o.width, r->o.height, r->o.fps, err, errlen);
        if (!r->video) {
            run_render_destroy(r);
            return NULL;
        }
    }
    if (r->o.screenshot && r->o.screenshot_mode != RUN_SHOT_RGB) {
        r->ftarget = ps_render_target_create(r->renderer, r->o.width, r->o.height, true, e, sizeof e);
        r->fpx = malloc((size_t)r->o.width * (size_t)r->o.height * sizeof *r->fpx);
        if (!r->ftarget || !r->fpx) {
            snprintf(err, errlen, "float render target %dx%d: %s", r->o.width, r->o.height,
                     e[0] ? e : "out of memory");
            run_render_destroy(r);
            return NULL;
        }
    }
    ps_vec3 eye, target;
    double fov;
    if (r->o.view_given) {
        eye = (ps_vec3){r->o.view[0], r->o.view[1], r->o.view[2]};
        target = (ps_vec3){r->o.view[3], r->o.view[4], r->o.view[5]};
        fov = r->o.view[6] * 3.14159265358979323846 / 180.0;
    }
    r->darkness = ps_scene_view_darkness(s);
    if (r->o.view_given || (!r->o.angles_given && ps_scene_view(s, &eye, &target, &fov))) {
        r->view.eye = eye;
        r->view.target = target;
        r->view.fov_y = fov;
        double dx = target.x - eye.x, dy = target.y - eye.y, dz = target.z - eye.z;
        double dist = sqrt(dx * dx + dy * dy + dz * dz);
        r->view.near_clip = fmax(0.01, 0.01 * dist);
        r->view.far_clip = 100.0 * dist + 50.0;
        r->view_set = true;
    }
    // Looking straight up or down: +y is "up" on screen instead of +z.
    r->view.up = (ps_vec3){0, 0, 1};
    if (r->view_set) {
        double dx = r->view.target.x - r->view.eye.x, dy = r->view.target.y - r->view.eye.y;
        if (dx * dx + dy * dy < 1e-9) r->view.up = (ps_vec3){0, 1, 0};
    }
    r->view.width = r->o.width;
    r->view.height = r->o.height;
    return r;
}

// The default camera when the scene declares no view (render.h), from the
// --view-angles when given.
static void default_view(run_render *r)
{
    ps_render_view_frame(r->snap, r->o.width, r->o.height, r->o.angles_given ? r->o.azimuth : PS_RENDER_VIEW_AZIMUTH,
                         r->o.angles_given ? r->o.elevation : PS_RENDER_VIEW_ELEVATION, &r->view);
    r->view_set = true;
}

static unsigned draw_flags(const run_render *r)
{
    return r->o.collision_shapes ? (PS_DRAW_DEFAULT & ~(unsigned)PS_DRAW_VISUAL) : PS_DRAW_DEFAULT;
}

// Renders the world's current state into r->rgb.
static bool render_frame(run_render *r, const ps_world *w)
{
    double t0 = cli_now();
    if (ps_snapshot_capture(r->snap, w) != PS_OK) {
        fail(r, "snapshot: out of memory");
        return false;
    }
    if (!r->view_set) default_view(r);
    ps_gl_context_make_current(r->gl);  // camera sensors may have made theirs current
    ps_render_target_bind(r->target);
    bool ok = ps_renderer_draw(r->renderer, r->snap, &r->view, draw_flags(r), r->darkness) == PS_OK;
    ok = ok && ps_render_target_read_rgb8(r->target, r->rgb) == PS_OK;
    ps_render_target_unbind(r->target);
    if (!ok) {
        char msg[1024];
        snprintf(msg, sizeof msg, "rendering frame at t=%.4f s: %s", ps_world_time(w), ps_renderer_error(r->renderer));
        fail(r, msg);
    }
    r->renders++;
    r->render_s += cli_now() - t0;
    return ok;
}

// Writes every video frame due at the world's current time.
static void record_due(run_render *r, ps_episode *e)
{
    const ps_world *w = ps_episode_world(e);
    if (!r->video || r->failed || !w) return;
    double due = ps_world_time(w) * r->o.fps + 1e-6;
    bool rendered = false;
    while ((double)r->frames <= due && !r->failed) {
        if (!rendered && !render_frame(r, w)) return;
        rendered = true;
        double t0 = cli_now();
        char e2[1024];
        if (ps_video_write(r->video, r->rgb, e2, sizeof e2) != PS_OK) fail(r, e2);
        r->encode_s += cli_now() - t0;
        r->frames++;
    }
}

static void hook_start(void *ctx, ps_episode *e) { record_due(ctx, e); }

static void hook_after(void *ctx, ps_episode *e)
{
    run_render *r = ctx;
    record_due(r, e);
    if (r->cams && !r->failed && ps_episode_world(e)) {
        char e2[1024];
        if (!camera_out_write_new(r->cams, ps_episode_world(e), e2, sizeof e2)) fail(r, e2);
    }
}

ps_episode_status run_render_run(run_render *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    const ps_step_hooks hooks = {.start = hook_start, .after = hook_after, .ctx = r};
    return ps_episode_run_hooked(e, p, seed, max_steps, &hooks);
}

// Renders and writes a depth or segmentation screenshot of the world's current state.
static void render_ids(run_render *r, const ps_world *w)
{
    if (ps_snapshot_capture(r->snap, w) != PS_OK) {
        fail(r, "snapshot: out of memory");
        return;
    }
    if (!r->view_set) default_view(r);
    bool depth = r->o.screenshot_mode == RUN_SHOT_DEPTH;
    ps_gl_context_make_current(r->gl);
    ps_render_target_bind(r->ftarget);
    bool ok = ps_renderer_draw_mode(r->renderer, r->snap, &r->view, draw_flags(r), 0.0,
                                    depth ? PS_RENDER_DEPTH : PS_RENDER_SEGMENTATION) == PS_OK &&
              ps_render_target_read_float(r->ftarget, r->fpx, 1) == PS_OK;
    ps_render_target_unbind(r->ftarget);
    char msg[1024];
    if (!ok) {
        snprintf(msg, sizeof msg, "rendering the %s screenshot: %s", depth ? "depth" : "segmentation",
                 ps_renderer_error(r->renderer));
        fail(r, msg);
        return;
    }
    r->renders++;
    if (ps_image_write_png(r->o.screenshot, depth ? PS_IMAGE_DEPTH : PS_IMAGE_SEGMENTATION, r->o.width,
                           r->o.height, r->fpx, r->view.far_clip, msg, sizeof msg) != PS_OK)
        fail(r, msg);
}

bool run_render_finish(run_render *r, ps_episode *e, char *err, size_t errlen)
{
    const ps_world *w = ps_episode_world(e);
    if (r->o.screenshot && !r->failed) {
        if (!w) {
            fail(r, "no world to render (the scene's build failed)");
        } else if (r->o.screenshot_mode != RUN_SHOT_RGB) {
            render_ids(r, w);
        } else if (render_frame(r, w)) {
            char e2[1024];
            if (ps_png_write(r->o.screenshot, r->o.width, r->o.height, r->rgb, e2, sizeof e2) != PS_OK) fail(r, e2);
        }
    }
    if (r->video) {
        char e2[1024];
        if (ps_video_close(r->video, e2, sizeof e2) != PS_OK) fail(r, e2);
        r->video = NULL;
    }
    if (r->failed) snprintf(err, errlen, "%s", r->err);
    return !r->failed;
}

void run_render_report(const run_render *r, FILE *f)
{
    if (r->o.video)
        fprintf(f, "video: %s: %lld frames %dx%d at %g fps\n", r->o.video, (long long)r->frames, r->o.width,
                r->o.height, r->o.fps);
    if (r->o.screenshot) fprintf(f, "screenshot: %s: %dx%d\n", r->o.screenshot, r->o.width, r->o.height);
    if (r->cams) camera_out_report(r->cams, f);
    if (r->renders)
        fprintf(f, "recording: %lld renders %.2f ms each, %lld frames encoded %.2f ms each\n", (long long)r->renders,
                1e3 * r->render_s / (double)r->renders, (long long)r->frames,
                r->frames ? 1e3 * r->encode_s / (double)r->frames : 0.0);
}

void run_render_destroy(run_render *r)
{
    if (!r) return;
    if (r->video) ps_video_close(r->video, NULL, 0);
    if (r->gl) {
        ps_gl_context_make_current(r->gl);
        ps_render_target_destroy(r->target);
        ps_render_target_destroy(r->ftarget);
        ps_renderer_destroy(r->renderer);
    }
    ps_gl_context_destroy(r->gl);
    ps_snapshot_destroy(r->snap);
    camera_out_close(r->cams);
    free(r->rgb);
    free(r->fpx);
    free(r);
}

