// Viewer input: key commands, mouse picking, spring drag and impulses, camera
// moves, and the gamepad (see pilotsim/viewer.h for the entry points).
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <GLFW/glfw3.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void set_flag(ps_viewer *v, unsigned flag, const char *name)
{
    v->draw_flags ^= flag;
    ps_viewer_note(v, "%s %s", name, v->draw_flags & flag ? "on" : "off");
}

static void teleop_took_over(ps_viewer *v)
{
    if (v->loop.manual) {
        ps_sim_loop_set_manual(&v->loop, false);
        ps_viewer_note(v, "manual control off (teleop)");
    }
    if (v->loop.policy && v->loop.policy_on) {
        ps_sim_loop_set_policy(&v->loop, false);
        ps_viewer_note(v, "policy off (teleop)");
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
    if (repeat && cmd != PS_CMD_ACT_INC && cmd != PS_CMD_ACT_DEC && cmd != PS_CMD_STEP && cmd != PS_CMD_REWIND && cmd != PS_CMD_SLOWER &&
        cmd != PS_CMD_FASTER)
        return;
    switch (cmd) {
    case PS_CMD_NONE: break;
    case PS_CMD_PAUSE:
        l->paused = !l->paused;
        l->pending_steps = 0;
        ps_viewer_note(v, "%s", l->paused ? "paused" : "running");
        break;
    case PS_CMD_STEP:
        ps_sim_loop_request_step(l);
        break;
    case PS_CMD_REWIND:
        if (ps_sim_loop_rewind(l))
            ps_viewer_note(v, "rewound to t = %.2f s (step %llu)", ps_world_time(ps_sim_loop_world(l)),
                           (unsigned long long)ps_episode_steps(l->ep));
        break;
    case PS_CMD_RESET:
    case PS_CMD_RESET_NEXT:
        if (l->params_dirty) { // edited params: the scene loads again with them
            l->seed = cmd == PS_CMD_RESET ? l->seed : l->seed + 1;
            ps_viewer_reload(v, "param edits");
            break;
        }
        ps_sim_loop_reset(l, cmd == PS_CMD_RESET ? l->seed : l->seed + 1);
        ps_viewer_after_new_episode(v);
        ps_viewer_refresh_watch(v, false);
        ps_viewer_note(v, "reset: seed %llu", (unsigned long long)l->seed);
        break;
    case PS_CMD_RELOAD: ps_viewer_reload(v, "F5"); break;
    case PS_CMD_SLOWER:
    case PS_CMD_FASTER:
        ps_sim_loop_set_speed(l, l->max_speed ? 16 : l->speed * (cmd == PS_CMD_FASTER ? 2 : 0.5));
        ps_viewer_note(v, "speed %gx", l->speed);
        break;
    case PS_CMD_REALTIME:
        ps_sim_loop_set_speed(l, 1);
        ps_viewer_note(v, "speed 1x");
        break;
    case PS_CMD_MAX_SPEED:
        l->max_speed = !l->max_speed;
        ps_viewer_note(v, "speed %s", l->max_speed ? "max" : "back to the set speed");
        break;
    case PS_CMD_POLICY:
        if (!l->policy) {
            ps_viewer_note(v, "no policy: the scene declares none (give one with --policy)");
        } else {
            ps_sim_loop_set_policy(l, !l->policy_on);
            ps_viewer_note(v, "policy %s", l->policy_on ? "on" : "off");
        }
        break;
    case PS_CMD_CAMERA_VIEW: {
        ps_world *w = ps_sim_loop_world(l);
        size_t n = w ? ps_world_sensor_count(w) : 0, k = v->cam_view;
        // the next camera sensor after the current one, else back to the free camera
        for (k = k + 1; k <= n; k++)
            if (ps_sensor_get_type(w, ps_world_sensor_at(w, k - 1)) == PS_SENSOR_CAMERA) break;
        v->cam_view = k <= n ? k : 0;
        if (v->cam_view) ps_viewer_note(v, "camera %s", ps_sensor_name(w, ps_world_sensor_at(w, k - 1)));
        else ps_viewer_note(v, "free camera%s", n ? "" : " (the scene has no camera sensors)");
        break;
    }
    case PS_CMD_FOLLOW: {
        ps_world *w = ps_sim_loop_world(l);
        ps_pose p;
        if (v->follow) {
            v->follow = false;
            ps_viewer_note(v, "follow off");
        } else if (w && ps_body_get_pose(w, v->selected, &p) == PS_OK) {
            v->follow = true;
            v->follow_offset = (ps_vec3){v->cam.target.x - p.p.x, v->cam.target.y - p.p.y, v->cam.target.z - p.p.z};
            char nb[32];
            ps_viewer_note(v, "follow %s", ps_viewer_body_name(v, v->selected, nb, sizeof nb));
        } else {
            ps_viewer_note(v, "follow: select a body first (left click)");
        }
        break;
    }
    case PS_CMD_HOME:
        v->follow = false;
        ps_orbit_camera_home(&v->cam);
        ps_viewer_note(v, "view reset");
        break;
    case PS_CMD_DESELECT:
        v->selected = PS_BODY_NONE;
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
    case PS_CMD_MANUAL:
        ps_sim_loop_set_manual(l, !l->manual);
        ps_viewer_note(v, "%s", l->manual ? "manual control: the actuator sliders drive (scene actions and policy paused)"
                                          : "manual control off");
        break;
    case PS_CMD_PLOTS:
        v->show_plots = !v->show_plots;
        ps_viewer_log(v, "plots %s", v->show_plots ? "shown" : "hidden");
        break;
    case PS_CMD_PROFILER:
        v->show_profiler = !v->show_profiler;
        ps_viewer_log(v, "profiler %s", v->show_profiler ? "shown" : "hidden");
        break;
    case PS_CMD_INSPECTOR:
        v->show_inspector = !v->show_inspector;
        ps_viewer_log(v, "inspector %s", v->show_inspector ? "shown" : "hidden");
        break;
    case PS_CMD_OV_CONTACTS: set_flag(v, PS_DRAW_CONTACTS, "contacts"); break;
    case PS_CMD_OV_JOINTS: set_flag(v, PS_DRAW_JOINTS, "joint axes"); break;
    case PS_CMD_OV_COM: set_flag(v, PS_DRAW_COM, "centres of mass"); break;
    case PS_CMD_OV_LIDAR: set_flag(v, PS_DRAW_LIDAR, "lidar rays"); break;
    case PS_CMD_OV_ZONES: set_flag(v, PS_DRAW_ZONES, "zones"); break;
    case PS_CMD_OV_VISUAL: set_flag(v, PS_DRAW_VISUAL, "visual meshes"); break;
    case PS_CMD_OV_GRID: set_flag(v, PS_DRAW_GRID, "grid"); break;
    case PS_CMD_OV_SHADOWS: set_flag(v, PS_DRAW_SHADOWS, "shadows"); break;
    case PS_CMD_DAYLIGHT:
        v->daylight = !v->daylight;
        ps_viewer_note(v, "%s", v->daylight ? "daylight: the scene's darkness is ignored (B: as dark as it says)"
                                            : "light as the scene says (B: daylight)");
        break;
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
    v->input_events++; // the panels answer on the next frame
    const ps_viewer_step_hook *hook = v->opt.step_hook;
    if (hook && hook->discard && hook->discard_key && key == hook->discard_key && action == GLFW_PRESS) {
        hook->discard(hook->user);
        run_cmd(v, PS_CMD_RESET, false);
        return;
    }
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
    if (!v->r || ps_renderer_pick(v->r, v->snap, &v->view, v->draw_flags, (int)x, (int)y, &seg, point) != PS_OK) return false;
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
    if (v->show_panels && button == GLFW_MOUSE_BUTTON_LEFT && fabs(v->mx - v->ui.col_x) <= 4 &&
        ps_ui_wants_mouse(&v->ui, v->mx + 6, v->my)) {
        v->mouse = PS_MOUSE_RESIZE; // the column's left edge
        return;
    }
    if (ps_ui_wants_mouse(&v->ui, v->mx, v->my)) {
        v->mouse = PS_MOUSE_UI;
        if (button == GLFW_MOUSE_BUTTON_LEFT) {
            v->ui.down = true;
            v->ui.pressed = true;
        }
        return;
    }
    bool grab = button == GLFW_MOUSE_BUTTON_LEFT && (mods & (GLFW_MOD_SHIFT | GLFW_MOD_CONTROL));
    bool turn = button == GLFW_MOUSE_BUTTON_RIGHT && (mods & GLFW_MOD_CONTROL);
    ps_body_id b;
    ps_vec3 p;
    char nb[32];
    if ((grab || turn) && (!pick(v, v->mx, v->my, &b, &p) || body_mass(v, b) <= 0)) {
        ps_viewer_note(v, "nothing movable under the cursor");
        v->mouse = PS_MOUSE_NONE;
        return;
    }
    if (grab) {
        if (mods & GLFW_MOD_CONTROL) {
            // An impulse along the view ray: 2 m/s of velocity change for the body's mass.
            ps_vec3 d = ps_render_view_ray(&v->view, v->mx, v->my);
            double j = 2.0 * body_mass(v, b);
            ps_sim_loop_impulse(&v->loop, b, p, (ps_vec3){d.x * j, d.y * j, d.z * j});
            ps_viewer_note(v, "impulse %.3g N s on %s", j, ps_viewer_body_name(v, b, nb, sizeof nb));
            v->mouse = PS_MOUSE_NONE;
            return;
        }
        ps_sim_loop_drag_begin(&v->loop, b, p);
        v->selected = b;
        v->drag_plane_p = p;
        ps_vec3 f = ps_render_view_ray(&v->view, v->fb_w * 0.5 - 0.5, v->fb_h * 0.5 - 0.5);
        v->drag_plane_n = f;
        v->mouse = PS_MOUSE_DRAG_BODY;
        ps_viewer_note(v, "drag %s", ps_viewer_body_name(v, b, nb, sizeof nb));
        return;
    }
    if (turn) {
        ps_sim_loop_torque_begin(&v->loop, b);
        v->selected = b;
        v->mouse = PS_MOUSE_TURN_BODY;
        ps_viewer_note(v, "turn %s", ps_viewer_body_name(v, b, nb, sizeof nb));
        return;
    }
    v->mouse = button == GLFW_MOUSE_BUTTON_LEFT ? PS_MOUSE_ORBIT : PS_MOUSE_PAN;
}

static void mouse_release(ps_viewer *v, int button)
{
    if (v->mouse == PS_MOUSE_RESIZE) {
        ps_viewer_log(v, "panel column %d px wide", v->col_w);
    } else if (v->mouse == PS_MOUSE_UI) {
        if (button == GLFW_MOUSE_BUTTON_LEFT) v->ui.down = false;
    } else if (v->mouse == PS_MOUSE_DRAG_BODY) {
        ps_vec3 a = {0, 0, 0};
        ps_sim_loop_drag_anchor(&v->loop, &a);
        v->loop.drag_on = false;
        ps_viewer_log(v, "drag released at %.4f %.4f %.4f", a.x, a.y, a.z);
    } else if (v->mouse == PS_MOUSE_TURN_BODY) {
        v->loop.torque_on = false;
        ps_vec3 t = v->loop.torque_turn;
        ps_viewer_log(v, "turn released: %.4f %.4f %.4f rad", t.x, t.y, t.z);
    } else if (v->mouse == PS_MOUSE_ORBIT && button == GLFW_MOUSE_BUTTON_LEFT && !v->press_moved) {
        ps_body_id b;
        ps_vec3 p;
        char nb[32];
        if (pick(v, v->mx, v->my, &b, &p)) {
            v->selected = b;
            ps_viewer_note(v, "selected %s", ps_viewer_body_name(v, b, nb, sizeof nb));
        } else {
            v->selected = PS_BODY_NONE;
            ps_viewer_note(v, "selection cleared");
        }
    }
    v->mouse = PS_MOUSE_NONE;
}

void ps_viewer_on_mouse_button(ps_viewer *v, int button, int action, int mods)
{
    v->input_events++; // the panels answer on the next frame
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
    // The panels answer on the next frame when the cursor is or was over them (or
    // drags the column's edge); orbiting over the 3D view leaves them cached.
    if (v->mouse == PS_MOUSE_RESIZE || ps_ui_wants_mouse(&v->ui, nx, ny) || ps_ui_wants_mouse(&v->ui, v->mx, v->my))
        v->input_events++;
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
    case PS_MOUSE_RESIZE: {
        int w = (int)(v->fb_w - 8 - nx);
        int most = v->fb_w / 2 > 240 ? v->fb_w / 2 : 240;
        v->col_w = w < 240 ? 240 : w > most ? most : w;
        break;
    }
    case PS_MOUSE_TURN_BODY: {
        // Horizontal motion turns about the view's up axis, vertical about its
        // right axis: 1 rad per 200 pixels.
        ps_vec3 f = ps_render_view_ray(&v->view, v->fb_w * 0.5 - 0.5, v->fb_h * 0.5 - 0.5), u = v->view.up;
        ps_vec3 r = {f.y * u.z - f.z * u.y, f.z * u.x - f.x * u.z, f.x * u.y - f.y * u.x};
        double rn = sqrt(r.x * r.x + r.y * r.y + r.z * r.z);
        if (rn < 1e-9) break;
        r = (ps_vec3){r.x / rn, r.y / rn, r.z / rn};
        ps_vec3 up = {r.y * f.z - r.z * f.y, r.z * f.x - r.x * f.z, r.x * f.y - r.y * f.x};
        double ax = (nx - v->press_x) / 200.0, ay = (ny - v->press_y) / 200.0;
        ps_sim_loop_torque_turn(&v->loop, (ps_vec3){up.x * ax + r.x * ay, up.y * ax + r.y * ay, up.z * ax + r.z * ay});
        break;
    }
    default: break;
    }
}

void ps_viewer_on_scroll(ps_viewer *v, double dx, double dy)
{
    v->input_events++; // the panels answer on the next frame
    (void)dx;
    if (ps_ui_wants_mouse(&v->ui, v->mx, v->my)) {
        if (v->show_panels && v->mx >= v->ui.col_x) { // over the panel column: scroll it
            v->col_scroll -= dy * 3 * PS_UI_LINE_H;
            if (v->col_scroll < 0) v->col_scroll = 0;
        }
        return;
    }
    ps_orbit_camera_zoom(&v->cam, dy);
}

// The sticks of the first gamepad GLFW knows; false when there is none.
static bool read_gamepad(float axes[4])
{
    for (int j = GLFW_JOYSTICK_1; j <= GLFW_JOYSTICK_LAST; j++) {
        GLFWgamepadstate st;
        if (!glfwJoystickIsGamepad(j) || !glfwGetGamepadState(j, &st)) continue;
        axes[0] = st.axes[GLFW_GAMEPAD_AXIS_LEFT_X];
        axes[1] = st.axes[GLFW_GAMEPAD_AXIS_LEFT_Y];
        axes[2] = st.axes[GLFW_GAMEPAD_AXIS_RIGHT_X];
        axes[3] = st.axes[GLFW_GAMEPAD_AXIS_RIGHT_Y];
        return true; // the first gamepad drives
    }
    return false;
}

void ps_viewer_apply_gamepad(ps_viewer *v, const float axes[4])
{
    bool was = v->tele.pad_active;
    if (v->loop.ep && ps_teleop_gamepad(&v->tele, v->loop.ep, axes) && !was) teleop_took_over(v);
}

void ps_viewer_poll_gamepad(ps_viewer *v)
{
    float axes[4];
    if (v->pad_scripted) ps_viewer_apply_gamepad(v, v->pad_axes);
    else if (read_gamepad(axes)) ps_viewer_apply_gamepad(v, axes);
}
