// The viewer: window, input dispatch, frame loop (see pilotsim/viewer.h).
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <GLFW/glfw3.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
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

static void note(ps_viewer *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(ps_viewer *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->note, sizeof v->note, fmt, ap);
    va_end(ap);
    v->note_until = now_s() + 3.0;
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

static void capture(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    if (w && ps_snapshot_capture(v->snap, w) != PS_OK) note(v, "out of memory capturing the world");
}

static void refresh_watch(ps_viewer *v, bool replace)
{
    if (!v->opt.watch || !v->watch) return;
    const char *src[256];
    size_t n = ps_sim_loop_sources(&v->loop, src, 256);
    if (replace) ps_reload_watch_set(v->watch, src, n);
    else
        for (size_t i = 0; i < n; i++) ps_reload_watch_add(v->watch, src[i]);
}

static void after_new_episode(ps_viewer *v)
{
    v->selected = (ps_body_id){0, 0};
    v->follow = false;
    v->mouse = PS_MOUSE_NONE;
    ps_teleop_fit(&v->tele, v->loop.ep);
    v->tele.pad_active = false;
    capture(v);
}

static void do_reload(ps_viewer *v, const char *why)
{
    ps_viewer_log(v, "reloading (%s)", why);
    if (ps_sim_loop_reload(&v->loop)) {
        after_new_episode(v);
        refresh_watch(v, true);
        note(v, "reloaded %s: %zu source files watched", ps_scene_name(v->loop.scene),
             v->watch ? ps_reload_watch_count(v->watch) : (size_t)0);
    } else {
        const char *nl = strchr(v->loop.error, '\n');
        ps_viewer_log(v, "reload failed: %s", nl ? nl + 1 : v->loop.error);
    }
}

/* ------------------------------------------------------------------ input */

static void set_flag(ps_viewer *v, unsigned flag, const char *name)
{
    v->draw_flags ^= flag;
    note(v, "%s %s", name, v->draw_flags & flag ? "on" : "off");
}

static void teleop_took_over(ps_viewer *v)
{
    if (v->loop.policy && v->loop.policy_on) {
        ps_sim_loop_set_policy(&v->loop, false);
        note(v, "policy off (teleop)");
    }
}

static void log_action(ps_viewer *v)
{
    if (!v->loop.ep || !ps_episode_action_count(v->loop.ep)) return;
    ps_space_entry *a = ps_episode_action(v->loop.ep, v->tele.entry);
    char buf[512];
    int k = 0;
    for (size_t i = 0; i < a->count && i < 8 && k < (int)sizeof buf - 32; i++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%.4g", i ? "," : "", a->data[i]);
    ps_viewer_log(v, "action %s[%zu] = [%s]", a->name, v->tele.dim, buf);
}

static void run_cmd(ps_viewer *v, ps_view_cmd cmd, bool repeat)
{
    ps_sim_loop *l = &v->loop;
    if (repeat && cmd != PS_CMD_ACT_INC && cmd != PS_CMD_ACT_DEC && cmd != PS_CMD_STEP && cmd != PS_CMD_SLOWER &&
        cmd != PS_CMD_FASTER)
        return;
    switch (cmd) {
    case PS_CMD_NONE: break;
    case PS_CMD_PAUSE:
        l->paused = !l->paused;
        l->pending_steps = 0;
        note(v, "%s", l->paused ? "paused" : "running");
        break;
    case PS_CMD_STEP:
        ps_sim_loop_request_step(l);
        break;
    case PS_CMD_RESET:
    case PS_CMD_RESET_NEXT:
        ps_sim_loop_reset(l, cmd == PS_CMD_RESET ? l->seed : l->seed + 1);
        after_new_episode(v);
        refresh_watch(v, false);
        note(v, "reset: seed %llu", (unsigned long long)l->seed);
        break;
    case PS_CMD_RELOAD: do_reload(v, "F5"); break;
    case PS_CMD_SLOWER:
    case PS_CMD_FASTER:
        ps_sim_loop_set_speed(l, l->max_speed ? 16 : l->speed * (cmd == PS_CMD_FASTER ? 2 : 0.5));
        note(v, "speed %gx", l->speed);
        break;
    case PS_CMD_REALTIME:
        ps_sim_loop_set_speed(l, 1);
        note(v, "speed 1x");
        break;
    case PS_CMD_MAX_SPEED:
        l->max_speed = !l->max_speed;
        note(v, "speed %s", l->max_speed ? "max" : "back to the set speed");
        break;
    case PS_CMD_POLICY:
        if (!l->policy) {
            note(v, "no policy: the scene declares none (give one with --policy)");
        } else {
            ps_sim_loop_set_policy(l, !l->policy_on);
            note(v, "policy %s", l->policy_on ? "on" : "off");
        }
        break;
    case PS_CMD_FOLLOW: {
        ps_world *w = ps_sim_loop_world(l);
        ps_pose p;
        if (v->follow) {
            v->follow = false;
            note(v, "follow off");
        } else if (w && ps_body_get_pose(w, v->selected, &p) == PS_OK) {
            v->follow = true;
            v->follow_offset = (ps_vec3){v->cam.target.x - p.p.x, v->cam.target.y - p.p.y, v->cam.target.z - p.p.z};
            char nb[32];
            note(v, "follow %s", ps_viewer_body_name(v, v->selected, nb, sizeof nb));
        } else {
            note(v, "follow: select a body first (left click)");
        }
        break;
    }
    case PS_CMD_HOME:
        v->follow = false;
        ps_orbit_camera_home(&v->cam);
        note(v, "view reset");
        break;
    case PS_CMD_DESELECT:
        v->selected = (ps_body_id){0, 0};
        v->follow = false;
        l->error[0] = '\0';
        v->show_help = false;
        break;
    case PS_CMD_HELP:
        v->show_help = !v->show_help;
        ps_viewer_log(v, "help %s", v->show_help ? "shown" : "hidden");
        break;
    case PS_CMD_PANELS: v->show_panels = !v->show_panels; break;
    case PS_CMD_SCREENSHOT:
        snprintf(v->shot_path, sizeof v->shot_path, "pilotsim-view-%d.png", ++v->shot_count);
        v->shot_pending = true;
        break;
    case PS_CMD_QUIT: v->quit = true; break;
    case PS_CMD_OV_CONTACTS: set_flag(v, PS_DRAW_CONTACTS, "contacts"); break;
    case PS_CMD_OV_JOINTS: set_flag(v, PS_DRAW_JOINTS, "joint axes"); break;
    case PS_CMD_OV_COM: set_flag(v, PS_DRAW_COM, "centres of mass"); break;
    case PS_CMD_OV_LIDAR: set_flag(v, PS_DRAW_LIDAR, "lidar rays"); break;
    case PS_CMD_OV_ZONES: set_flag(v, PS_DRAW_ZONES, "zones"); break;
    case PS_CMD_OV_VISUAL: set_flag(v, PS_DRAW_VISUAL, "visual meshes"); break;
    case PS_CMD_OV_GRID: set_flag(v, PS_DRAW_GRID, "grid"); break;
    case PS_CMD_OV_SHADOWS: set_flag(v, PS_DRAW_SHADOWS, "shadows"); break;
    case PS_CMD_ACT_NEXT_ENTRY:
    case PS_CMD_ACT_PREV_ENTRY:
        ps_teleop_next_entry(&v->tele, l->ep, cmd == PS_CMD_ACT_NEXT_ENTRY ? 1 : -1);
        log_action(v);
        break;
    case PS_CMD_ACT_NEXT_DIM:
    case PS_CMD_ACT_PREV_DIM:
        ps_teleop_next_dim(&v->tele, l->ep, cmd == PS_CMD_ACT_NEXT_DIM ? 1 : -1);
        log_action(v);
        break;
    case PS_CMD_ACT_INC:
    case PS_CMD_ACT_DEC:
        teleop_took_over(v);
        ps_teleop_nudge(&v->tele, l->ep, cmd == PS_CMD_ACT_INC ? 1 : -1);
        log_action(v);
        break;
    case PS_CMD_ACT_ZERO:
        ps_teleop_zero(&v->tele, l->ep);
        log_action(v);
        break;
    case PS_CMD_DRIVE_FWD:
    case PS_CMD_DRIVE_BACK:
    case PS_CMD_DRIVE_LEFT:
    case PS_CMD_DRIVE_RIGHT:
        break; // handled on press and release in ps_viewer_on_key
    case PS_CMD_COUNT: break;
    }
}

void ps_viewer_on_key(ps_viewer *v, int key, int action, int mods)
{
    ps_view_cmd cmd = ps_keymap_lookup(key, mods);
    if (cmd >= PS_CMD_DRIVE_FWD && cmd <= PS_CMD_DRIVE_RIGHT) {
        if (action == GLFW_REPEAT || !v->loop.ep) return;
        if (action == GLFW_PRESS) teleop_took_over(v);
        ps_teleop_drive(&v->tele, v->loop.ep, (int)(cmd - PS_CMD_DRIVE_FWD), action == GLFW_PRESS);
        log_action(v);
        return;
    }
    if (action == GLFW_RELEASE) return;
    run_cmd(v, cmd, action == GLFW_REPEAT);
}

// The body under framebuffer pixel (x, y) and the world point hit; false for
// the sky or static geometry.
static bool pick(ps_viewer *v, double x, double y, ps_body_id *body, ps_vec3 *point)
{
    int32_t seg = 0;
    if (!v->r || !ps_renderer_pick(v->r, v->snap, &v->view, v->draw_flags, (int)x, (int)y, &seg, point)) return false;
    if (seg <= 0) return false;
    size_t n = 0;
    const ps_draw_shape *sh = ps_snapshot_shapes(v->snap, &n);
    for (size_t i = 0; i < n; i++)
        if (sh[i].segment == seg && ps_body_is_set(sh[i].body)) {
            *body = sh[i].body;
            return true;
        }
    return false;
}

static double body_mass(ps_viewer *v, ps_body_id b)
{
    double m = 0;
    ps_world *w = ps_sim_loop_world(&v->loop);
    if (!w || ps_body_get_mass(w, b, &m, NULL, NULL) != PS_OK) return 0;
    return m;
}

static void mouse_press(ps_viewer *v, int button, int mods)
{
    v->press_x = v->mx;
    v->press_y = v->my;
    v->press_button = button;
    v->press_mods = mods;
    v->press_moved = false;
    if (ps_ui_wants_mouse(&v->ui, v->mx, v->my)) {
        v->mouse = PS_MOUSE_UI;
        if (button == GLFW_MOUSE_BUTTON_LEFT) {
            v->ui.down = true;
            v->ui.pressed = true;
        }
        return;
    }
    if (button == GLFW_MOUSE_BUTTON_LEFT && (mods & (GLFW_MOD_SHIFT | GLFW_MOD_CONTROL))) {
        ps_body_id b;
        ps_vec3 p;
        char nb[32];
        if (!pick(v, v->mx, v->my, &b, &p) || body_mass(v, b) <= 0) {
            note(v, "nothing movable under the cursor");
            v->mouse = PS_MOUSE_NONE;
            return;
        }
        if (mods & GLFW_MOD_CONTROL) {
            // An impulse along the view ray: 2 m/s of velocity change for the body's mass.
            ps_vec3 d = ps_render_view_ray(&v->view, v->mx, v->my);
            double j = 2.0 * body_mass(v, b);
            ps_sim_loop_impulse(&v->loop, b, p, (ps_vec3){d.x * j, d.y * j, d.z * j});
            note(v, "impulse %.3g N s on %s", j, ps_viewer_body_name(v, b, nb, sizeof nb));
            v->mouse = PS_MOUSE_NONE;
            return;
        }
        ps_sim_loop_drag_begin(&v->loop, b, p);
        v->selected = b;
        v->drag_plane_p = p;
        ps_vec3 f = ps_render_view_ray(&v->view, v->fb_w * 0.5 - 0.5, v->fb_h * 0.5 - 0.5);
        v->drag_plane_n = f;
        v->mouse = PS_MOUSE_DRAG_BODY;
        note(v, "drag %s", ps_viewer_body_name(v, b, nb, sizeof nb));
        return;
    }
    v->mouse = button == GLFW_MOUSE_BUTTON_LEFT ? PS_MOUSE_ORBIT : PS_MOUSE_PAN;
}

static void mouse_release(ps_viewer *v, int button)
{
    if (v->mouse == PS_MOUSE_UI) {
        if (button == GLFW_MOUSE_BUTTON_LEFT) v->ui.down = false;
    } else if (v->mouse == PS_MOUSE_DRAG_BODY) {
        ps_vec3 a = {0, 0, 0};
        ps_sim_loop_drag_anchor(&v->loop, &a);
        v->loop.drag_on = false;
        ps_viewer_log(v, "drag released at %.4f %.4f %.4f", a.x, a.y, a.z);
    } else if (v->mouse == PS_MOUSE_ORBIT && button == GLFW_MOUSE_BUTTON_LEFT && !v->press_moved) {
        ps_body_id b;
        ps_vec3 p;
        char nb[32];
        if (pick(v, v->mx, v->my, &b, &p)) {
            v->selected = b;
            note(v, "selected %s", ps_viewer_body_name(v, b, nb, sizeof nb));
        } else {
            v->selected = (ps_body_id){0, 0};
            note(v, "selection cleared");
        }
    }
    v->mouse = PS_MOUSE_NONE;
}

void ps_viewer_on_mouse_button(ps_viewer *v, int button, int action, int mods)
{
    if (action == GLFW_PRESS) {
        if (v->mouse == PS_MOUSE_NONE) mouse_press(v, button, mods);
    } else if (action == GLFW_RELEASE && button == v->press_button) {
        mouse_release(v, button);
    }
}

void ps_viewer_on_cursor(ps_viewer *v, double x, double y)
{
    double nx = x * v->px_scale, ny = y * v->px_scale;
    double dx = nx - v->mx, dy = ny - v->my;
    v->mx = nx;
    v->my = ny;
    v->ui.mx = nx;
    v->ui.my = ny;
    if (fabs(nx - v->press_x) + fabs(ny - v->press_y) > 3) v->press_moved = true;
    switch (v->mouse) {
    case PS_MOUSE_ORBIT: ps_orbit_camera_orbit(&v->cam, dx, dy); break;
    case PS_MOUSE_PAN:
        v->follow = false;
        ps_orbit_camera_pan(&v->cam, dx, dy, v->fb_h);
        break;
    case PS_MOUSE_DRAG_BODY: {
        // The mouse ray meets the plane through the grabbed point facing the camera.
        ps_vec3 d = ps_render_view_ray(&v->view, nx, ny), e = v->view.eye, n = v->drag_plane_n;
        double den = d.x * n.x + d.y * n.y + d.z * n.z;
        if (fabs(den) > 1e-6) {
            double t = ((v->drag_plane_p.x - e.x) * n.x + (v->drag_plane_p.y - e.y) * n.y +
                        (v->drag_plane_p.z - e.z) * n.z) / den;
            if (t > 0) v->loop.drag_target = (ps_vec3){e.x + d.x * t, e.y + d.y * t, e.z + d.z * t};
        }
        break;
    }
    default: break;
    }
}

void ps_viewer_on_scroll(ps_viewer *v, double dx, double dy)
{
    (void)dx;
    if (ps_ui_wants_mouse(&v->ui, v->mx, v->my)) return;
    ps_orbit_camera_zoom(&v->cam, dy);
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

static void poll_gamepad(ps_viewer *v)
{
    for (int j = GLFW_JOYSTICK_1; j <= GLFW_JOYSTICK_LAST; j++) {
        GLFWgamepadstate st;
        if (!glfwJoystickIsGamepad(j) || !glfwGetGamepadState(j, &st)) continue;
        const float axes[4] = {st.axes[GLFW_GAMEPAD_AXIS_LEFT_X], st.axes[GLFW_GAMEPAD_AXIS_LEFT_Y],
                               st.axes[GLFW_GAMEPAD_AXIS_RIGHT_X], st.axes[GLFW_GAMEPAD_AXIS_RIGHT_Y]};
        bool was = v->tele.pad_active;
        if (v->loop.ep && ps_teleop_gamepad(&v->tele, v->loop.ep, axes) && !was) teleop_took_over(v);
        return; // the first gamepad drives
    }
}

/* ----------------------------------------------------------------- script */

static void print_state(ps_viewer *v)
{
    ps_sim_loop *l = &v->loop;
    ps_world *w = ps_sim_loop_world(l);
    ps_vec3 e = ps_orbit_camera_eye(&v->cam);
    char nb[32], act[512] = "";
    int k = 0;
    if (l->ep && ps_episode_action_count(l->ep)) {
        ps_space_entry *a = ps_episode_action(l->ep, v->tele.entry);
        for (size_t i = 0; i < a->count && i < 8 && k < (int)sizeof act - 32; i++)
            k += snprintf(act + k, sizeof act - (size_t)k, "%s%.4g", i ? "," : "", a->data[i]);
    }
    ps_viewer_log(v,
                  "state step=%llu time=%.4f status=%s paused=%d speed=%g max=%d policy=%d hash=%016llx "
                  "selected=%s follow=%d help=%d reloads=%llu error=%d eye=%.4f,%.4f,%.4f target=%.4f,%.4f,%.4f "
                  "action=[%s] flags=%u",
                  (unsigned long long)(l->ep ? ps_episode_steps(l->ep) : 0), w ? ps_world_time(w) : 0.0,
                  l->ep ? ps_episode_status_name(ps_episode_get_status(l->ep)) : "none", l->paused, l->speed,
                  l->max_speed, l->policy_on, (unsigned long long)(w ? ps_world_state_hash(w) : 0),
                  ps_body_is_set(v->selected) ? ps_viewer_body_name(v, v->selected, nb, sizeof nb) : "-", v->follow,
                  v->show_help, (unsigned long long)l->reloads, l->error[0] != '\0', e.x, e.y, e.z, v->cam.target.x,
                  v->cam.target.y, v->cam.target.z, act, v->draw_flags);
}

static bool script_event(ps_viewer *v, const ps_script_event *e)
{
    switch (e->op) {
    case PS_SOP_WAIT: v->script.wait = e->n; return true;
    case PS_SOP_WAIT_STEPS:
    case PS_SOP_WAIT_FOR: {
        ps_sim_loop *l = &v->loop;
        ps_episode *ep = l->ep;
        bool done;
        if (e->op == PS_SOP_WAIT_STEPS) {
            done = !ep || ps_episode_steps(ep) >= (uint64_t)e->n || ps_episode_get_status(ep) != PS_EP_RUNNING;
        } else {
            switch ((ps_script_cond)e->cond) {
            case PS_SCOND_RELOADS: done = l->reloads >= (uint64_t)e->n; break;
            case PS_SCOND_ERROR: done = l->error[0] != '\0'; break;
            case PS_SCOND_NO_ERROR: done = l->error[0] == '\0'; break;
            case PS_SCOND_PAUSED: done = l->paused; break;
            case PS_SCOND_RUNNING: done = !l->paused; break;
            case PS_SCOND_HELP: done = v->show_help; break;
            default: done = true; break;
            }
        }
        double t = now_s();
        if (done) {
            v->script.wait_since = -1;
            return true;
        }
        if (v->script.wait_since < 0) v->script.wait_since = t;
        if (t - v->script.wait_since > 120) {
            ps_viewer_log(v, "script line %d: still waiting after 120 s (step %llu, reloads %llu)", e->line,
                          (unsigned long long)(ep ? ps_episode_steps(ep) : 0), (unsigned long long)l->reloads);
            v->exit_code = 3;
            v->quit = true;
        }
        return false; // try again next frame
    }
    case PS_SOP_KEY_DOWN: ps_viewer_on_key(v, e->key, GLFW_PRESS, e->mods); return true;
    case PS_SOP_KEY_UP: ps_viewer_on_key(v, e->key, GLFW_RELEASE, e->mods); return true;
    case PS_SOP_MOVE: ps_viewer_on_cursor(v, e->x, e->y); return true;
    case PS_SOP_PRESS: ps_viewer_on_mouse_button(v, e->button, GLFW_PRESS, e->mods); return true;
    case PS_SOP_RELEASE: ps_viewer_on_mouse_button(v, e->button, GLFW_RELEASE, e->mods); return true;
    case PS_SOP_SCROLL: ps_viewer_on_scroll(v, 0, e->y); return true;
    case PS_SOP_SCREENSHOT:
        snprintf(v->shot_path, sizeof v->shot_path, "%s", e->arg);
        v->shot_pending = true;
        v->script.wait = 1; // taken at the end of this frame
        return true;
    case PS_SOP_STATE: print_state(v); return true;
    case PS_SOP_BODY: {
        ps_world *w = ps_sim_loop_world(&v->loop);
        ps_body_id b = w ? ps_body_find(w, e->arg) : (ps_body_id){0, 0};
        ps_pose p;
        if (w && ps_body_get_pose(w, b, &p) == PS_OK)
            ps_viewer_log(v, "body %s %.6f %.6f %.6f", e->arg, p.p.x, p.p.y, p.p.z);
        else
            ps_viewer_log(v, "body %s: no such body", e->arg);
        return true;
    }
    case PS_SOP_QUIT: v->quit = true; return true;
    }
    return true;
}

static void script_tick(ps_viewer *v)
{
    if (!v->have_script) return;
    if (v->script.wait > 0) {
        v->script.wait--;
        return;
    }
    while (!ps_script_done(&v->script) && v->script.wait == 0 && !v->quit) {
        if (!script_event(v, &v->script.ev[v->script.pc])) return;
        v->script.pc++;
    }
    if (v->script.wait > 0) v->script.wait--; // this frame counts
}

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

bool ps_viewer_frame(ps_viewer *v)
{
    glfwPollEvents();
    if (glfwWindowShouldClose((GLFWwindow *)v->win)) v->quit = true;
    script_tick(v);
    poll_gamepad(v);
    double t = now_s(), dt = t - v->t_last;
    v->t_last = t;

    const char *changed = NULL;
    if (v->opt.watch && v->watch && ps_reload_watch_poll(v->watch, t, &changed)) do_reload(v, changed);
    if (v->opt.watch && t >= v->next_source_scan) {
        refresh_watch(v, false); // modules required during the episode
        v->next_source_scan = t + 1.0;
    }

    v->last_steps = ps_sim_loop_advance(&v->loop, dt);
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
    capture(v);

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
    if (v->fb_w > 0 && v->fb_h > 0) {
        if (!ps_renderer_draw(v->r, v->snap, &v->view, v->draw_flags, 0.0)) {
            ps_viewer_log(v, "render error: %s", ps_renderer_error(v->r));
            v->exit_code = 3;
            v->quit = true;
        }
        draw_overlay_2d(v);
        ps_viewer_draw_panels(v);
    }
    if (v->shot_pending) {
        char err[4352];
        v->shot_pending = false;
        if (ps_viewer_screenshot(v, v->shot_path, err, sizeof err))
            ps_viewer_log(v, "screenshot %s (%dx%d)", v->shot_path, v->fb_w, v->fb_h);
        else {
            ps_viewer_log(v, "screenshot failed: %s", err);
            if (v->have_script) v->exit_code = 3;
        }
    }
    ps_gl_context_swap(v->ctx);

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
    double t0 = now_s();
    uint64_t f0 = v->frames, s0 = v->loop.ep ? ps_episode_steps(v->loop.ep) : 0;
    while (ps_viewer_frame(v)) {
    }
    double wall = now_s() - t0;
    if (v->opt.fps_report) {
        uint64_t s1 = v->loop.ep ? ps_episode_steps(v->loop.ep) : 0;
        ps_viewer_log(v, "fps=%.1f frames=%llu wall=%.3fs size=%dx%d scene=%s steps=%llu", (v->frames - f0) / wall,
                      (unsigned long long)(v->frames - f0), wall, v->fb_w, v->fb_h, ps_scene_name(v->loop.scene),
                      (unsigned long long)(s1 >= s0 ? s1 - s0 : 0));
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
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->opt = *opt;
    v->draw_flags = opt->draw_flags;
    v->show_panels = opt->panels;
    v->open_episode = v->open_actions = v->open_sensors = v->open_overlays = true;
    v->px_scale = 1;
    if (opt->script_path) {
        if (!ps_script_load(&v->script, opt->script_path, err, errlen)) goto fail;
        v->have_script = true;
    }
    v->snap = ps_snapshot_create();
    if (!v->snap) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    v->ctx = ps_gl_context_create_window(opt->width, opt->height, "pilotsim view", err, errlen);
    if (!v->ctx) goto fail;
    v->win = ps_gl_context_window(v->ctx);
    ps_gl_context_make_current(v->ctx);
    glfwSwapInterval(opt->vsync ? 1 : 0);
    v->r = ps_renderer_create(err, errlen);
    if (!v->r) goto fail;
    // Camera sensors render in a hidden GLFW context of their own (the same
    // window system as the viewer's), made on the first camera frame, so
    // scenes without cameras pay nothing.
    v->cam_r = ps_camera_renderer_create_lazy(PS_GL_GLFW);

    ps_sim_loop_config cfg = {
        .scene_path = opt->scene_path,
        .scene_opt = opt->scene_opt,
        .policy_opt = opt->policy_opt,
        .policy_spec = opt->policy_spec,
        .no_policy = opt->no_policy,
        .seed = opt->seed,
        .render_fn = v->cam_r ? ps_camera_render : NULL,
        .render_user = v->cam_r,
    };
    if (!ps_sim_loop_init(&v->loop, &cfg, err, errlen)) goto fail;
    ps_gl_context_make_current(v->ctx);
    v->loop.paused = opt->paused;
    ps_sim_loop_set_speed(&v->loop, opt->speed);
    v->loop.max_speed = opt->max_speed;
    v->loop.step_limit = opt->exit_after_steps;
    if (ps_episode_get_status(v->loop.ep) == PS_EP_SCRIPT_ERROR)
        snprintf(v->loop.error, sizeof v->loop.error, "%s", ps_episode_message(v->loop.ep));

    v->cam = ps_orbit_camera_default();
    capture(v);
    ps_vec3 eye, target;
    double fov;
    if (opt->has_camera) {
        ps_orbit_camera_look_at(&v->cam, opt->eye, opt->target);
        ps_orbit_camera_set_home(&v->cam);
    } else if (ps_scene_view(v->loop.scene, &eye, &target, &fov)) {
        v->cam.fov_y = fov;
        ps_orbit_camera_look_at(&v->cam, eye, target);
        ps_orbit_camera_set_home(&v->cam);
    } else {
        frame_scene(v);
    }
    ps_teleop_fit(&v->tele, v->loop.ep);
    if (opt->watch) {
        v->watch = ps_reload_watch_create(0.1);
        refresh_watch(v, true);
    }
    GLFWwindow *w = v->win;
    glfwSetWindowUserPointer(w, v);
    glfwSetKeyCallback(w, cb_key);
    glfwSetMouseButtonCallback(w, cb_button);
    glfwSetCursorPosCallback(w, cb_cursor);
    glfwSetScrollCallback(w, cb_scroll);
    v->t_start = v->t_last = v->fps_t0 = now_s();
    ps_viewer_log(v, "opened %s (%s) seed %llu, %zu source files watched", ps_scene_name(v->loop.scene),
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
    ps_sim_loop_free(&v->loop);
    if (v->ctx) ps_gl_context_make_current(v->ctx);
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
