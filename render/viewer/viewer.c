// The viewer: window and callbacks, the frame loop, lifetime (see pilotsim/viewer.h).
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <GLFW/glfw3.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double ps_viewer_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double ps_viewer_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

ps_viewer_options ps_default_viewer_options(void)
{
    ps_viewer_options o;
    memset(&o, 0, sizeof o);
    o.scene_opt = ps_default_scene_options();
    o.policy_opt = ps_default_policy_options();
    o.width = 1280;
    o.height = 720;
    o.speed = 1.0;
    o.panels = true;
    o.vsync = true;
    o.watch = true;
    o.draw_flags = PS_DRAW_DEFAULT;
    return o;
}

void ps_viewer_log(ps_viewer *v, const char *fmt, ...)
{
    (void)v;
    va_list ap;
    va_start(ap, fmt);
    fputs("view: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    fflush(stdout);
}

void ps_viewer_note(ps_viewer *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->note, sizeof v->note, fmt, ap);
    va_end(ap);
    v->note_until = ps_viewer_now() + 3.0;
    ps_viewer_log(v, "%s", v->note);
}

const char *ps_viewer_body_name(ps_viewer *v, ps_body_id b, char *buf, size_t n)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    const char *name = w && ps_body_valid(w, b) ? ps_body_name(w, b) : NULL;
    if (name && *name) return name;
    snprintf(buf, n, "#%u", (unsigned)b.index);
    return buf;
}

/* ------------------------------------------------------------- scene view */

// Frames the scene's shapes (planes and huge shapes aside) as the home view.
static void frame_scene(ps_viewer *v)
{
    size_t n = 0;
    const ps_draw_shape *sh = ps_snapshot_shapes(v->snap, &n);
    ps_vec3 lo = {INFINITY, INFINITY, INFINITY}, hi = {-INFINITY, -INFINITY, -INFINITY};
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (sh[i].type == PS_SHAPE_PLANE || sh[i].type == PS_SHAPE_HEIGHTFIELD) continue;
        double r = sh[i].type == PS_SHAPE_BOX ? 0.5 * sqrt(sh[i].size.x * sh[i].size.x + sh[i].size.y * sh[i].size.y +
                                                           sh[i].size.z * sh[i].size.z)
                                              : sh[i].radius + 0.5 * sh[i].length;
        if (!(r < 20)) continue; // floors and walls of huge extent
        ps_vec3 p = sh[i].pose.p;
        lo.x = fmin(lo.x, p.x - r), lo.y = fmin(lo.y, p.y - r), lo.z = fmin(lo.z, p.z - r);
        hi.x = fmax(hi.x, p.x + r), hi.y = fmax(hi.y, p.y + r), hi.z = fmax(hi.z, p.z + r);
        used++;
    }
    if (!used) lo = (ps_vec3){-1, -1, 0}, hi = (ps_vec3){1, 1, 1};
    ps_orbit_camera_frame_box(&v->cam, lo, hi);
}

void ps_viewer_capture(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    // The contact overlay draws force arrows: measured from the next step on.
    if (w && (v->draw_flags & PS_DRAW_CONTACTS)) ps_world_set_contact_forces(w, true);
    if (w && ps_snapshot_capture(v->snap, w) != PS_OK) ps_viewer_note(v, "out of memory capturing the world");
}

void ps_viewer_refresh_watch(ps_viewer *v, bool replace)
{
    if (!v->opt.watch || !v->watch) return;
    const char *src[256];
    size_t n = ps_sim_loop_sources(&v->loop, src, 256);
    if (replace) ps_reload_watch_set(v->watch, src, n);
    else
        for (size_t i = 0; i < n; i++) ps_reload_watch_add(v->watch, src[i]);
}

void ps_viewer_after_new_episode(ps_viewer *v)
{
    v->selected = PS_BODY_NONE;
    v->follow = false;
    v->mouse = PS_MOUSE_NONE;
    ps_teleop_fit(&v->tele, v->loop.ep);
    v->tele.pad_active = false;
    ps_viewer_capture(v);
}

// Camera sensors render in a hidden GLFW context that must be made on this
// (the main) thread: made now when the world has a camera, before the
// physics thread's first step needs it.
static void camera_context_now(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    for (size_t i = 0; v->cam_r && w && i < ps_world_sensor_count(w); i++)
        if (ps_sensor_get_type(w, ps_world_sensor_at(w, i)) == PS_SENSOR_CAMERA) {
            ps_camera_renderer_context(v->cam_r);
            return;
        }
}

// The window title names the scene and its file.
static void set_title(ps_viewer *v)
{
    char t[600];
    const char *name = v->loop.scene ? ps_scene_name(v->loop.scene) : NULL;
    snprintf(t, sizeof t, "pilotsim view: %s (%s)", name ? name : "no scene", v->opt.scene_path);
    glfwSetWindowTitle((GLFWwindow *)v->win, t);
}

// The home view: the camera given on the command line, else the scene's
// declared view, else one framing every shape.
static void home_camera(ps_viewer *v)
{
    ps_vec3 eye, target;
    double fov;
    if (v->opt.has_camera) {
        ps_orbit_camera_look_at(&v->cam, v->opt.eye, v->opt.target);
        ps_orbit_camera_set_home(&v->cam);
    } else if (v->loop.scene && ps_scene_view(v->loop.scene, &eye, &target, &fov)) {
        v->cam.fov_y = fov;
        ps_orbit_camera_look_at(&v->cam, eye, target);
        ps_orbit_camera_set_home(&v->cam);
    } else {
        frame_scene(v);
    }
}

void ps_viewer_reload(ps_viewer *v, const char *why)
{
    ps_viewer_log(v, "reloading (%s)", why);
    bool first = !v->loop.scene; // the scene failed to load at start
    if (ps_sim_loop_reload(&v->loop)) {
        camera_context_now(v);
        if (first) {
            ps_viewer_capture(v);
            home_camera(v);
        }
        ps_viewer_after_new_episode(v);
        ps_viewer_refresh_watch(v, true);
        set_title(v);
        ps_viewer_note(v, "reloaded %s: %zu source files watched", ps_scene_name(v->loop.scene),
             v->watch ? ps_reload_watch_count(v->watch) : (size_t)0);
    } else {
        const char *nl = strchr(v->loop.error, '\n');
        ps_viewer_log(v, "reload failed: %s", nl ? nl + 1 : v->loop.error);
    }
}

static ps_viewer *of(GLFWwindow *w) { return glfwGetWindowUserPointer(w); }
static void cb_key(GLFWwindow *w, int key, int scancode, int action, int mods)
{
    (void)scancode;
    ps_viewer_on_key(of(w), key, action, mods);
}
static void cb_button(GLFWwindow *w, int button, int action, int mods)
{
    ps_viewer_on_mouse_button(of(w), button, action, mods);
}
static void cb_cursor(GLFWwindow *w, double x, double y) { ps_viewer_on_cursor(of(w), x, y); }
static void cb_scroll(GLFWwindow *w, double dx, double dy) { ps_viewer_on_scroll(of(w), dx, dy); }

/* ----------------------------------------------------------------- frames */

static void draw_overlay_2d(ps_viewer *v)
{
    if (!v->r) return;
    // Drag spring: a line from the grabbed point to the mouse target.
    ps_vec3 a;
    double x0, y0, x1, y1;
    if (v->loop.drag_on && ps_sim_loop_drag_anchor(&v->loop, &a) && ps_render_view_project(&v->view, a, &x0, &y0) &&
        ps_render_view_project(&v->view, v->loop.drag_target, &x1, &y1)) {
        const float c[4] = {1.0f, 0.9f, 0.2f, 1};
        ps_ui_line(v->r, x0, y0, x1, y1, 3, c);
        ps_renderer_rect(v->r, (int)x1 - 4, (int)y1 - 4, 8, 8, c);
    }
    ps_viewer_draw_selection(v);
    // Selection marker: a small cross at the selected body's position.
    ps_world *w = ps_sim_loop_world(&v->loop);
    ps_pose p;
    if (w && ps_body_is_set(v->selected) && ps_body_get_pose(w, v->selected, &p) == PS_OK &&
        ps_render_view_project(&v->view, p.p, &x0, &y0)) {
        const float c[4] = {0.3f, 1.0f, 1.0f, 1};
        ps_renderer_rect(v->r, (int)x0 - 8, (int)y0 - 1, 17, 3, c);
        ps_renderer_rect(v->r, (int)x0 - 1, (int)y0 - 8, 3, 17, c);
    }
}

// The view of the camera sensor v->cam_view (REP-103: looks along its mount's
// +x, +z up) with its field of view and clip planes, the window's aspect.
static bool camera_sensor_view(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    if (!w || v->cam_view > ps_world_sensor_count(w)) return false;
    ps_sensor_id s = ps_world_sensor_at(w, v->cam_view - 1);
    ps_sensor_def d;
    ps_pose b;
    if (ps_sensor_get_type(w, s) != PS_SENSOR_CAMERA || ps_sensor_get_def(w, s, &d) != PS_OK ||
        ps_body_get_pose(w, d.body, &b) != PS_OK)
        return false;
    // world pose of the mount: body pose * mount pose
    ps_quat q = b.q, m = d.pose.q;
    ps_quat c = {q.w * m.w - q.x * m.x - q.y * m.y - q.z * m.z, q.w * m.x + q.x * m.w + q.y * m.z - q.z * m.y,
                 q.w * m.y - q.x * m.z + q.y * m.w + q.z * m.x, q.w * m.z + q.x * m.y - q.y * m.x + q.z * m.w};
    double px = d.pose.p.x, py = d.pose.p.y, pz = d.pose.p.z;
    double R[3][3] = {{1 - 2 * (q.y * q.y + q.z * q.z), 2 * (q.x * q.y - q.w * q.z), 2 * (q.x * q.z + q.w * q.y)},
                      {2 * (q.x * q.y + q.w * q.z), 1 - 2 * (q.x * q.x + q.z * q.z), 2 * (q.y * q.z - q.w * q.x)},
                      {2 * (q.x * q.z - q.w * q.y), 2 * (q.y * q.z + q.w * q.x), 1 - 2 * (q.x * q.x + q.y * q.y)}};
    ps_vec3 eye = {b.p.x + R[0][0] * px + R[0][1] * py + R[0][2] * pz, b.p.y + R[1][0] * px + R[1][1] * py + R[1][2] * pz,
                   b.p.z + R[2][0] * px + R[2][1] * py + R[2][2] * pz};
    ps_vec3 fwd = {1 - 2 * (c.y * c.y + c.z * c.z), 2 * (c.x * c.y + c.w * c.z), 2 * (c.x * c.z - c.w * c.y)};
    ps_vec3 up = {2 * (c.x * c.z + c.w * c.y), 2 * (c.y * c.z - c.w * c.x), 1 - 2 * (c.x * c.x + c.y * c.y)};
    v->view.eye = eye;
    v->view.target = (ps_vec3){eye.x + fwd.x, eye.y + fwd.y, eye.z + fwd.z};
    v->view.up = up;
    v->view.fov_y = d.fov_y;
    v->view.near_clip = d.near_clip;
    v->view.far_clip = d.far_clip;
    v->cam_darkness = d.camera == PS_CAMERA_RGB ? d.darkness : 0;
    v->cam_lamp = d.camera == PS_CAMERA_RGB ? d.lamp : 0;
    return true;
}

// The light of the 3D view: as dark as the scene's view says or, looking
// through a camera sensor, as its RGB image (its darkness and lamp); daylight
// when brightened (B, --daylight).
static double view_darkness(ps_viewer *v)
{
    double dark = v->cam_view ? v->cam_darkness : ps_scene_view_darkness(v->loop.scene);
    ps_renderer_set_lamp(v->r, v->daylight || !v->cam_view ? 0.0 : v->cam_lamp);
    return v->daylight ? 0.0 : dark;
}

// Exponential average of a per-frame time, ms (about the last 20 frames).
static void prof_add(double *avg, double seconds) { *avg += 0.05 * (1e3 * seconds - *avg); }

// The part of a frame that owns the loop: input, reloads, physics when it is
// not on its own thread, the hash report, the snapshot and the view.
static void frame_sim_part(ps_viewer *v, double t, double dt)
{
    glfwPollEvents();
    if (glfwWindowShouldClose((GLFWwindow *)v->win)) v->quit = true;
    ps_viewer_script_tick(v);
    ps_viewer_poll_gamepad(v);

    const char *changed = NULL;
    if (v->opt.watch && v->watch && ps_reload_watch_poll(v->watch, t, &changed)) ps_viewer_reload(v, changed);
    if (v->opt.watch && t >= v->next_source_scan) {
        ps_viewer_refresh_watch(v, false); // modules required during the episode
        v->next_source_scan = t + 1.0;
    }

    if (!v->phys) {
        double t0 = ps_viewer_now();
        v->last_steps = ps_sim_loop_advance(&v->loop, dt);
        prof_add(&v->prof.physics_ms, ps_viewer_now() - t0);
    }
    ps_viewer_sample_plots(v);
    if (v->cam_r) ps_gl_context_make_current(v->ctx); // camera sensors rendered in their own context
    ps_episode *ep = v->loop.ep;
    if (v->opt.exit_after_steps && ep && !v->hash_printed &&
        (ps_episode_steps(ep) >= v->opt.exit_after_steps || ps_episode_get_status(ep) != PS_EP_RUNNING)) {
        ps_world *w = ps_episode_world(ep);
        ps_viewer_log(v, "steps=%llu status=%s hash=%016llx", (unsigned long long)ps_episode_steps(ep),
                      ps_episode_status_name(ps_episode_get_status(ep)),
                      (unsigned long long)(w ? ps_world_state_hash(w) : 0));
        v->hash_printed = true;
        if (!v->have_script) v->quit = true;
    }
    ps_viewer_capture(v);

    ps_gl_context_framebuffer_size(v->ctx, &v->fb_w, &v->fb_h);
    int win_w = 0, win_h = 0;
    glfwGetWindowSize((GLFWwindow *)v->win, &win_w, &win_h);
    v->px_scale = win_w > 0 ? (double)v->fb_w / win_w : 1.0;
    if (v->follow) {
        ps_world *w = ps_sim_loop_world(&v->loop);
        ps_pose p;
        if (w && ps_body_get_pose(w, v->selected, &p) == PS_OK)
            v->cam.target = (ps_vec3){p.p.x + v->follow_offset.x, p.p.y + v->follow_offset.y,
                                      p.p.z + v->follow_offset.z};
        else
            v->follow = false;
    }
    v->view = ps_orbit_camera_view(&v->cam, v->fb_w, v->fb_h);
    if (v->cam_view && !camera_sensor_view(v)) v->cam_view = 0; // its sensor is gone: free camera
}

// The 3D view, straight into the window or, at a reduced scale, into an
// offscreen target stretched onto it.
static bool draw_scene(ps_viewer *v)
{
    unsigned flags = v->draw_flags;
    // The selected body tinted in the outline's cyan (its own colour still shows through).
    static const float sel_tint[4] = {0.3f, 1.0f, 1.0f, 0.45f};
    ps_renderer_set_tint(v->r, v->selected, sel_tint);
    double dark = view_darkness(v);
    // Mesh levels of detail may move the surface 3 of the window's pixels; at a
    // reduced scale that is fewer of the 3D view's own (1.5 at 50 %).
    ps_renderer_set_lod_pixels(v->r, 3.0 * fmin(v->scale, 1.0));
    if (v->scale >= 1.0) return ps_renderer_draw(v->r, v->snap, &v->view, flags, dark) == PS_OK;
    ps_render_view view = v->view;
    view.width = (int)lround(v->fb_w * v->scale);
    view.height = (int)lround(v->fb_h * v->scale);
    if (view.width < 1) view.width = 1;
    if (view.height < 1) view.height = 1;
    int tw, th;
    ps_render_target_size(v->scaled, &tw, &th);
    if (!v->scaled || tw != view.width || th != view.height) {
        ps_render_target_destroy(v->scaled);
        char err[PS_ERR_LEN];
        v->scaled = ps_render_target_create(v->r, view.width, view.height, false, err, sizeof err);
        if (!v->scaled) { // draw at full resolution instead
            ps_viewer_log(v, "reduced-resolution 3D view unavailable (%s): drawing at full resolution", err);
            v->scale = 1.0;
            v->auto_scale = false;
            return ps_renderer_draw(v->r, v->snap, &v->view, flags, dark) == PS_OK;
        }
    }
    ps_render_target_bind(v->scaled);
    bool ok = ps_renderer_draw(v->r, v->snap, &view, flags, dark) == PS_OK;
    ps_render_target_blit(v->scaled, v->fb_w, v->fb_h);
    return ok;
}

// The automatic resolution step (auto_scale.h), fed every second's frame rate;
// the first frame (shaders, meshes) is not counted.
static void auto_scale_step(ps_viewer *v, double now)
{
    if (!v->auto_scale) return;
    if (v->frames == 0) {
        v->scale_t0 = now;
        return;
    }
    v->scale_frames++;
    double wall = now - v->scale_t0;
    if (wall < 1.0) return;
    double fps = (double)v->scale_frames / wall;
    v->scale_t0 = now;
    v->scale_frames = 0;
    double s = ps_auto_scale_update(&v->autoscale, fps);
    if (s != v->scale) {
        v->scale = s;
        ps_viewer_log(v, "3D view at %.0f%% of the window's resolution (%.0f fps)", 100 * s, fps);
    }
}

// Laying out and drawing the panels costs llvmpipe 3-6 ms a frame (measured
// with --no-panels; the glyphs themselves are few): they are drawn into the
// renderer's overlay cache at most this often (their numbers update at this
// rate) and composited onto every frame in between (about half that cost).
#define PANEL_HZ 15.0

// The panels: laid out and drawn into the renderer's overlay cache when due
// (the frame after any input, so that widgets answer at once; a new window
// size; a screenshot; else PANEL_HZ), and the cache composited onto every
// frame. A script finds widgets where the frame lays them out: under one the
// panels are laid out every frame (drawn only when due).
static void draw_panels(ps_viewer *v, double now)
{
    bool due = v->panels_t < 0 || now - v->panels_t >= 1.0 / PANEL_HZ || v->input_events != v->panels_events ||
               v->fb_w != v->panels_w || v->fb_h != v->panels_h || v->shot_pending || v->panels_uncached;
    if (due) {
        v->panels_uncached = !ps_renderer_overlay_cache_begin(v->r);
        v->panels_t = now;
        v->panels_events = v->input_events;
        v->panels_w = v->fb_w;
        v->panels_h = v->fb_h;
        ps_viewer_draw_panels(v);
        ps_renderer_overlay_cache_end(v->r);
    } else if (v->have_script) { // scripts find widgets where this frame lays them out
        ps_renderer_overlay_cache_skip(v->r);
        ps_viewer_draw_panels(v);
        ps_renderer_overlay_cache_end(v->r);
    }
    ps_renderer_overlay_cache_draw(v->r);
}

bool ps_viewer_frame(ps_viewer *v)
{
    double t = ps_viewer_now(), dt = t - v->t_last;
    v->t_last = t;
    if (v->opt.frame_dt > 0) dt = v->opt.frame_dt;

    // 1. With the loop: input, the snapshot, the view (the physics thread waits).
    ps_sim_thread_lock(v->phys);
    double t_locked = ps_viewer_now();
    prof_add(&v->prof.wait_ms, t_locked - t);
    frame_sim_part(v, t, dt);
    ps_sim_thread_unlock(v->phys);
    double t_draw = ps_viewer_now();
    prof_add(&v->prof.input_ms, t_draw - t_locked);

    // 2. Without it: the 3D scene from the snapshot (physics runs meanwhile).
    bool drawable = v->fb_w > 0 && v->fb_h > 0;
    if (drawable && !draw_scene(v)) {
        ps_viewer_log(v, "render error: %s", ps_renderer_error(v->r));
        v->exit_code = 3;
        v->quit = true;
    }
    double t_ui = ps_viewer_now();
    prof_add(&v->prof.render_ms, t_ui - t_draw);

    // 3. With it again: overlays and panels read the world.
    ps_sim_thread_lock(v->phys);
    if (v->phys) {
        ps_sim_thread_stats st = ps_sim_thread_get_stats(v->phys);
        v->prof.physics_ms = st.busy * 1e3 / fmax(v->fps, 1.0); // thread time per frame
        v->prof.step_ms = st.step_ms;
        v->rtf = st.realtime_factor;
        v->prof.busy = st.busy;
    }
    if (drawable) {
        draw_overlay_2d(v);
        draw_panels(v, t);
    }
    ps_sim_thread_unlock(v->phys);
    if (drawable) ps_renderer_flush(v->r);
    double t_shot = ps_viewer_now();
    prof_add(&v->prof.ui_ms, t_shot - t_ui);

    if (v->shot_pending) {
        char err[PS_ERR_LEN];
        v->shot_pending = false;
        if (ps_viewer_screenshot(v, v->shot_path, err, sizeof err))
            ps_viewer_log(v, "screenshot %s (%dx%d)", v->shot_path, v->fb_w, v->fb_h);
        else {
            ps_viewer_log(v, "screenshot failed: %s", err);
            if (v->have_script) v->exit_code = 3;
        }
    }
    ps_gl_context_swap(v->ctx);
    double t_end = ps_viewer_now();
    prof_add(&v->prof.swap_ms, t_end - t_shot);
    if (!v->phys) {
        // Physics may take as long per frame as half the drawing does (at least
        // 30 ms, at most 250 ms): a slow renderer then costs frames, not real time.
        double draw = t_end - t_draw;
        v->loop.frame_budget = draw * 0.5 > 0.25 ? 0.25 : draw * 0.5 < 0.03 ? 0.03 : draw * 0.5;
    }
    if (v->opt.frame_delay > 0) {
        struct timespec ts = {(time_t)v->opt.frame_delay, (long)(fmod(v->opt.frame_delay, 1.0) * 1e9)};
        nanosleep(&ts, NULL);
    }

    auto_scale_step(v, t_end);
    v->frames++;
    v->fps_frames++;
    if (t - v->fps_t0 >= 0.5) {
        v->fps = v->fps_frames / (t - v->fps_t0);
        v->fps_t0 = t;
        v->fps_frames = 0;
    }
    if (v->opt.frames && v->frames >= v->opt.frames) v->quit = true;
    return !v->quit;
}

int ps_viewer_run(ps_viewer *v)
{
    double t0 = ps_viewer_now(), c0 = ps_viewer_cpu_now(), p0 = ps_sim_thread_cpu_s(v->phys);
    uint64_t f0 = v->frames, s0 = v->loop.ep ? ps_episode_steps(v->loop.ep) : 0;
    while (ps_viewer_frame(v)) {
    }
    double wall = ps_viewer_now() - t0, cpu = ps_viewer_cpu_now() - c0, phys_cpu = ps_sim_thread_cpu_s(v->phys) - p0;
    ps_sim_thread_stop(v->phys); // the loop is the frame's alone from here on
    v->phys = NULL;
    if (v->opt.fps_report) {
        uint64_t s1 = v->loop.ep ? ps_episode_steps(v->loop.ep) : 0;
        ps_viewer_log(v, "fps=%.1f frames=%llu wall=%.3fs size=%dx%d scene=%s steps=%llu sim=%.3fs thread=%d 3d=%.0f%%", (v->frames - f0) / wall,
                      (unsigned long long)(v->frames - f0), wall, v->fb_w, v->fb_h,
                      v->loop.scene ? ps_scene_name(v->loop.scene) : "-",
                      (unsigned long long)(s1 >= s0 ? s1 - s0 : 0), (double)(s1 >= s0 ? s1 - s0 : 0) * v->loop.dt,
                      v->opt.frame_dt > 0 ? 0 : 1, 100 * v->scale);
        ps_viewer_log(v, "frame ms: wait %.2f input+snapshot %.2f render %.2f panels %.2f swap %.2f; physics thread %.3f ms/step, busy %.2f, rtf %.2f",
                      v->prof.wait_ms, v->prof.input_ms, v->prof.render_ms, v->prof.ui_ms, v->prof.swap_ms,
                      v->prof.step_ms, v->prof.busy, v->rtf);
        // CPU time is the trustworthy figure on a loaded machine: wall time counts the other processes' turns.
        uint64_t n = v->frames > f0 ? v->frames - f0 : 1;
        ps_viewer_log(v, "cpu ms/frame: %.2f (all threads), physics thread %.2f", 1e3 * cpu / (double)n,
                      1e3 * phys_cpu / (double)n);
    }
    if (!v->loop.scene && !v->exit_code) {
        ps_viewer_log(v, "closed before the scene loaded");
        v->exit_code = 3; // as a scene that cannot load without a window
    }
    if (v->opt.exit_after_steps && !v->hash_printed) {
        ps_viewer_log(v, "closed before step %llu", (unsigned long long)v->opt.exit_after_steps);
        if (!v->exit_code) v->exit_code = 3;
    }
    return v->exit_code;
}

/* -------------------------------------------------------------- lifetime */

ps_viewer *ps_viewer_create(const ps_viewer_options *opt, char *err, size_t errlen)
{
    ps_viewer *v = calloc(1, sizeof *v);
    if (!v) {
        ps_policy_close(opt->policy);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->loop.cfg.policy = opt->policy; // owned: closed by ps_sim_loop_free if creation fails early
    v->opt = *opt;
    v->draw_flags = opt->draw_flags;
    v->daylight = opt->daylight;
    v->show_panels = opt->panels;
    v->open_episode = v->open_actions = v->open_sensors = v->open_overlays = true;
    v->px_scale = 1;
    v->col_w = 330;
    if (opt->script_path) {
        if (!ps_script_load(&v->script, opt->script_path, err, errlen)) goto fail;
        v->have_script = true;
    }
    v->snap = ps_snapshot_create();
    if (!v->snap) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    v->ctx = ps_gl_context_create_window_msaa(opt->width, opt->height, "pilotsim view", opt->msaa, err, errlen);
    if (!v->ctx) goto fail;
    v->win = ps_gl_context_window(v->ctx);
    ps_gl_context_make_current(v->ctx);
    glfwSwapInterval(opt->vsync ? 1 : 0);
    v->r = ps_renderer_create(err, errlen);
    if (!v->r) goto fail;
    // Mesh detail under 3 pixels is not worth its vertex work in an interactive
    // view (the Go2's 80k triangles; camera sensors keep their own renderer at 1;
    // draw_scene sets it per frame), and the back faces of mesh files are not set
    // up (same pixels on closed meshes).
    ps_renderer_set_cull_mesh_backs(v->r, true);
    if (opt->msaa) ps_viewer_log(v, "msaa: %d samples per pixel", ps_renderer_framebuffer_samples(v->r));
    // Scripted, fixed-step and multisampled windows draw at full resolution
    // (pixels tests compare; a multisampled window cannot take a blit).
    v->scale = opt->render_scale > 0 ? fmin(fmax(opt->render_scale, 0.25), 1.0) : 1.0;
    bool msaa = ps_renderer_framebuffer_samples(v->r) > 1;
    v->auto_scale = opt->render_scale <= 0 && !v->have_script && opt->frame_dt <= 0 && !msaa;
    // On a software rasteriser the automatic step starts at its lowest scale, 0.5:
    // at 1280 x 720 on llvmpipe most example scenes do not make 60 fps at full
    // resolution, and starting there cost short runs their whole first second
    // at 35-45 fps. It steps up after a second when the larger view is
    // predicted to still make 66 fps (auto_scale.h). A GPU starts at full resolution (its
    // frames, held to the display's rate by vsync, would never show the
    // headroom a step up asks for) and steps down only when frames are slow.
    if (v->auto_scale && ps_renderer_is_software(v->r)) v->scale = 0.5;
    ps_auto_scale_init(&v->autoscale, v->scale, opt->vsync);
    if (msaa && v->scale < 1) {
        ps_viewer_log(v, "render scale %.2f ignored: a multisampled window draws at full resolution", v->scale);
        v->scale = 1;
    }
    // Camera sensors render in a hidden GLFW context of their own (the same
    // window system as the viewer's), made on the first camera frame, so
    // scenes without cameras pay nothing.
    v->cam_r = ps_camera_renderer_create_lazy(PS_GL_GLFW);

    ps_sim_loop_config cfg = {
        .scene_path = opt->scene_path,
        .scene_opt = opt->scene_opt,
        .policy_opt = opt->policy_opt,
        .policy_spec = opt->policy_spec,
        .policy = opt->policy,
        .no_policy = opt->no_policy,
        .seed = opt->seed,
        .render_fn = v->cam_r ? ps_camera_render : NULL,
        .render_user = v->cam_r,
        .hook = opt->step_hook,
    };
    if (!ps_sim_loop_init(&v->loop, &cfg, err, errlen)) goto fail;
    camera_context_now(v);
    ps_gl_context_make_current(v->ctx);
    v->loop.paused = opt->paused;
    ps_sim_loop_set_speed(&v->loop, opt->speed);
    v->loop.max_speed = opt->max_speed;
    v->loop.step_limit = opt->exit_after_steps;
    if (v->loop.ep && ps_episode_get_status(v->loop.ep) == PS_EP_SCRIPT_ERROR)
        snprintf(v->loop.error, sizeof v->loop.error, "%s", ps_episode_message(v->loop.ep));

    v->cam = ps_orbit_camera_default();
    ps_viewer_capture(v);
    home_camera(v);
    ps_teleop_fit(&v->tele, v->loop.ep);
    if (opt->watch) {
        v->watch = ps_reload_watch_create(0.1);
        ps_viewer_refresh_watch(v, true);
    }
    GLFWwindow *w = v->win;
    glfwSetWindowUserPointer(w, v);
    glfwSetKeyCallback(w, cb_key);
    glfwSetMouseButtonCallback(w, cb_button);
    glfwSetCursorPosCallback(w, cb_cursor);
    glfwSetScrollCallback(w, cb_scroll);
    set_title(v);
    // Physics on its own thread unless every frame is a fixed amount of time (--frame-dt).
    if (opt->frame_dt <= 0 && !(v->phys = ps_sim_thread_start(&v->loop, err, errlen))) goto fail;
    v->t_start = v->t_last = v->fps_t0 = v->scale_t0 = ps_viewer_now();
    v->panels_t = -1;
    if (!v->loop.scene) {
        const char *nl = strchr(v->loop.error, '\n');
        ps_viewer_log(v, "load failed: %.*s (waiting for the file to change)",
                      nl ? (int)(nl - v->loop.error) : (int)strlen(v->loop.error), v->loop.error);
        fprintf(stderr, "pilotsim view: %s\n", v->loop.error);
    }
    ps_viewer_log(v, "opened %s (%s) seed %llu, %zu source files watched",
                  v->loop.scene ? ps_scene_name(v->loop.scene) : "(not loaded)",
                  opt->scene_path, (unsigned long long)v->loop.seed,
                  v->watch ? ps_reload_watch_count(v->watch) : (size_t)0);
    return v;
fail:
    ps_viewer_destroy(v);
    return NULL;
}

void ps_viewer_destroy(ps_viewer *v)
{
    if (!v) return;
    ps_sim_thread_stop(v->phys);
    ps_sim_loop_free(&v->loop);
    if (v->ctx) ps_gl_context_make_current(v->ctx);
    ps_render_target_destroy(v->scaled);
    ps_renderer_destroy(v->r);
    ps_camera_renderer_destroy(v->cam_r);
    ps_gl_context_destroy(v->ctx);
    ps_snapshot_destroy(v->snap);
    ps_reload_watch_destroy(v->watch);
    if (v->have_script) ps_script_free(&v->script);
    free(v->scratch);
    free(v);
}

void ps_viewer_print_keymap(void *fp)
{
    FILE *f = fp;
    size_t n;
    const ps_key_binding *k = ps_keymap(&n);
    for (size_t i = 0; i < n; i++) fprintf(f, "  %-18s %s\n", k[i].keys, k[i].help);
    for (const char *const *m = ps_keymap_mouse_help(); *m; m++) fprintf(f, "  %s\n", *m);
}
