// Camera sensors rendered offscreen: a snapshot of the world (captured once
// per world step and shared by its cameras), drawn from the camera's pose into
// a framebuffer and read back into the sensor's buffer.
#include "pilotsim/camera_render.h"
#include "render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ps_camera_renderer {
    ps_gl_backend backend;
    ps_gl_context *gl;
    ps_renderer *r;
    ps_snapshot *snap;
    ps_render_target *t8, *tf;       // RGB (RGBA8) and depth/segmentation (RGBA32F) targets
    ps_render_target *tv;             // scene views (ps_camera_render_scene)
    const ps_world *snap_world;       // what the snapshot shows
    uint64_t snap_step, snap_hash;
    bool tried, failed;
    char error[PS_ERR_LEN];
};

static bool init(ps_camera_renderer *cr)
{
    if (cr->tried) return !cr->failed;
    cr->tried = true;
    char err[PS_ERR_LEN] = "";
    ps_gl_saved saved = ps_gl_save_current();
    cr->gl = ps_gl_context_create_offscreen(cr->backend, err, sizeof err);
    if (cr->gl) cr->r = ps_renderer_create(err, sizeof err);
    cr->snap = ps_snapshot_create();
    if (!cr->gl || !cr->r || !cr->snap) {
        snprintf(cr->error, sizeof cr->error, "no camera renderer: %s", err[0] ? err : "out of memory");
        cr->failed = true;
    }
    ps_gl_restore_current(&saved);
    return !cr->failed;
}

ps_camera_renderer *ps_camera_renderer_create_lazy(ps_gl_backend backend)
{
    ps_camera_renderer *cr = calloc(1, sizeof *cr);
    if (cr) cr->backend = backend;
    return cr;
}

ps_camera_renderer *ps_camera_renderer_create(ps_gl_backend backend, char *err, size_t errlen)
{
    ps_camera_renderer *cr = ps_camera_renderer_create_lazy(backend);
    if (!cr) {
        if (err && errlen) snprintf(err, errlen, "camera renderer: out of memory");
        return NULL;
    }
    if (!init(cr)) {
        if (err && errlen) snprintf(err, errlen, "%s", cr->error);
        ps_camera_renderer_destroy(cr);
        return NULL;
    }
    return cr;
}

void ps_camera_renderer_destroy(ps_camera_renderer *cr)
{
    if (!cr) return;
    if (cr->gl) {
        ps_gl_saved saved = ps_gl_save_current();
        ps_gl_context_make_current(cr->gl);
        ps_render_target_destroy(cr->t8);
        ps_render_target_destroy(cr->tf);
        ps_render_target_destroy(cr->tv);
        ps_renderer_destroy(cr->r);
        ps_gl_context_destroy(cr->gl);
        ps_gl_restore_current(&saved);
    }
    ps_snapshot_destroy(cr->snap);
    free(cr);
}

const char *ps_camera_renderer_error(const ps_camera_renderer *cr) { return cr ? cr->error : "no camera renderer"; }
const char *ps_camera_render_error(void *user) { return ps_camera_renderer_error(user); }

ps_renderer *ps_camera_renderer_renderer(ps_camera_renderer *cr) { return cr && init(cr) ? cr->r : NULL; }
ps_gl_context *ps_camera_renderer_context(ps_camera_renderer *cr) { return cr && init(cr) ? cr->gl : NULL; }

static bool fail(ps_camera_renderer *cr, const char *why)
{
    if (why != cr->error) snprintf(cr->error, sizeof cr->error, "%s", why);
    return false;
}

static bool ensure_target(ps_camera_renderer *cr, ps_render_target **t, int w, int h, bool fl, char *err, size_t n)
{
    if (*t) {
        int tw, th;
        ps_render_target_size(*t, &tw, &th);
        if (tw == w && th == h) return true;
        ps_render_target_destroy(*t);
    }
    *t = ps_render_target_create(cr->r, w, h, fl, err, n);
    return *t != NULL;
}

bool ps_camera_render(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose, const ps_sensor_def *def,
                      float *out)
{
    ps_camera_renderer *cr = user;
    (void)camera;
    if (!cr || !w || !def || !out) return cr ? fail(cr, "bad arguments") : false;
    if (!init(cr)) return false; // cr->error says why
    ps_gl_saved saved = ps_gl_save_current();
    if (!ps_gl_context_make_current(cr->gl)) {
        ps_gl_restore_current(&saved);
        return fail(cr, "cannot make the offscreen GL context current");
    }
    bool ok = true;
    char err[PS_ERR_LEN] = "";
    // One snapshot per world step, shared by every camera of that step.
    uint64_t step = ps_world_step_count(w), hash = ps_world_state_hash(w);
    if (cr->snap_world != w || cr->snap_step != step || cr->snap_hash != hash) {
        if (ps_snapshot_capture(cr->snap, w) != PS_OK) {
            ok = false;
            snprintf(err, sizeof err, "out of memory capturing the scene");
        }
        cr->snap_world = w;
        cr->snap_step = step;
        cr->snap_hash = hash;
    }
    // REP-103 camera: looks along the mount's +x, +z up.
    double qw = pose.q.w, qx = pose.q.x, qy = pose.q.y, qz = pose.q.z;
    ps_vec3 fwd = {1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy + qw * qz), 2 * (qx * qz - qw * qy)};
    ps_vec3 up = {2 * (qx * qz + qw * qy), 2 * (qy * qz - qw * qx), 1 - 2 * (qx * qx + qy * qy)};
    ps_render_view v = {pose.p, {pose.p.x + fwd.x, pose.p.y + fwd.y, pose.p.z + fwd.z}, up, def->fov_y,
                        def->near_clip, def->far_clip, def->width, def->height};
    unsigned flags = PS_DRAW_VISUAL | PS_DRAW_COLLISION | PS_DRAW_SHADOWS | PS_DRAW_SKY;
    if (ok) {
        bool rgb = def->camera == PS_CAMERA_RGB;
        ps_render_target **t = rgb ? &cr->t8 : &cr->tf;
        ps_render_mode mode = rgb ? PS_RENDER_COLOR : def->camera == PS_CAMERA_DEPTH ? PS_RENDER_DEPTH : PS_RENDER_SEGMENTATION;
        ok = ensure_target(cr, t, def->width, def->height, !rgb, err, sizeof err);
        if (ok) {
            ps_render_target_bind(*t);
            ps_renderer_set_lamp(cr->r, rgb ? def->lamp : 0);
            ok = ps_renderer_draw_mode(cr->r, cr->snap, &v, flags, def->darkness, mode) == PS_OK &&
                 ps_render_target_read_float(*t, out, rgb ? 3 : 1) == PS_OK;
            ps_renderer_set_lamp(cr->r, 0);
            if (!ok) snprintf(err, sizeof err, "%s", ps_renderer_error(cr->r));
            ps_render_target_unbind(*t);
        }
    }
    ps_gl_restore_current(&saved);
    if (ok) cr->error[0] = 0;
    return ok || fail(cr, err);
}

// The scene's declared view as screenshots use it: clip planes from the eye's
// distance to the target, +y up on screen when looking straight down or up.
static bool declared_view(const ps_scene *s, int width, int height, ps_render_view *v)
{
    ps_vec3 eye, target;
    double fov;
    if (!ps_scene_view(s, &eye, &target, &fov)) return false;
    double dx = target.x - eye.x, dy = target.y - eye.y, dz = target.z - eye.z;
    double dist = sqrt(dx * dx + dy * dy + dz * dz);
    *v = (ps_render_view){eye, target, {0, 0, 1}, fov, fmax(0.01, 0.01 * dist), 100.0 * dist + 50.0, width, height};
    if (dx * dx + dy * dy < 1e-9) v->up = (ps_vec3){0, 1, 0};
    return true;
}

ps_status ps_camera_render_scene(ps_camera_renderer *cr, const ps_scene *s, const ps_world *w, int width,
                                 int height, uint8_t *rgb)
{
    if (!cr || !s || !w || !rgb || width <= 0 || height <= 0) {
        if (cr) fail(cr, "bad arguments");
        return PS_ERR_INVALID;
    }
    if (!init(cr)) return PS_ERR_IO;
    ps_gl_saved saved = ps_gl_save_current();
    if (!ps_gl_context_make_current(cr->gl)) {
        ps_gl_restore_current(&saved);
        fail(cr, "cannot make the offscreen GL context current");
        return PS_ERR_IO;
    }
    char err[PS_ERR_LEN] = "";
    bool ok = ps_snapshot_capture(cr->snap, w) == PS_OK;
    if (!ok) snprintf(err, sizeof err, "out of memory capturing the scene");
    cr->snap_world = NULL;  // the camera sensors' snapshot cache no longer holds
    ps_render_view v;
    if (ok && !declared_view(s, width, height, &v)) ps_render_view_frame(cr->snap, width, height, PS_RENDER_VIEW_AZIMUTH, PS_RENDER_VIEW_ELEVATION, &v);
    ok = ok && ensure_target(cr, &cr->tv, width, height, false, err, sizeof err);
    if (ok) {
        ps_render_target_bind(cr->tv);
        ok = ps_renderer_draw(cr->r, cr->snap, &v, PS_DRAW_DEFAULT, ps_scene_view_darkness(s)) == PS_OK &&
             ps_render_target_read_rgb8(cr->tv, rgb) == PS_OK;
        if (!ok) snprintf(err, sizeof err, "%s", ps_renderer_error(cr->r));
        ps_render_target_unbind(cr->tv);
    }
    ps_gl_restore_current(&saved);
    if (ok) {
        cr->error[0] = 0;
        return PS_OK;
    }
    fail(cr, err);
    return PS_ERR_IO;
}
