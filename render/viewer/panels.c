// The viewer's panels (see viewer_internal.h): status line, error banner,
// key map window and the side column (episode, scene, teleop actions,
// actuator sliders, sensor readouts with lidar plots and camera images,
// overlay toggles), built from the immediate-mode UI in ui.c.
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_SENSOR_VALUES = 12, MAX_JOINTS = 24 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *scratch(ps_viewer *v, size_t n)
{
    if (n > v->scratch_len) {
        float *s = realloc(v->scratch, n * sizeof *s);
        if (!s) return NULL;
        v->scratch = s;
        v->scratch_len = n;
    }
    return v->scratch;
}

static void status_line(ps_viewer *v)
{
    ps_sim_loop *l = &v->loop;
    ps_world *w = ps_sim_loop_world(l);
    char speed[32], line[512];
    if (l->max_speed) snprintf(speed, sizeof speed, "max");
    else if (l->speed < 1) snprintf(speed, sizeof speed, "1/%gx", 1 / l->speed);
    else snprintf(speed, sizeof speed, "%gx", l->speed);
    snprintf(line, sizeof line, "%s  t=%.3fs  step %llu  %s  speed %s%s  %.0f fps   F1: keys",
             l->scene ? ps_scene_name(l->scene) : "(not loaded)",
             w ? ps_world_time(w) : 0.0, (unsigned long long)(l->ep ? ps_episode_steps(l->ep) : 0),
             l->ep && ps_episode_get_status(l->ep) != PS_EP_RUNNING ? ps_episode_status_name(ps_episode_get_status(l->ep))
             : l->paused                                             ? "PAUSED"
                                                                     : "running",
             speed, l->dropped ? " (slowed: frame cap)" : "", v->fps);
    const float bg[4] = {0, 0, 0, 0.55f};
    ps_renderer_rect(v->r, 0, 0, (int)strlen(line) * 8 + 12, 22, bg);
    ps_renderer_text(v->r, 6, 3, 1.0f, PS_UI_WHITE, line);
    if (v->note[0] && now_s() < v->note_until) {
        ps_renderer_rect(v->r, 0, 22, (int)strlen(v->note) * 8 + 12, 20, bg);
        ps_renderer_text(v->r, 6, 24, 1.0f, PS_UI_YELLOW, v->note);
    }
}

static void error_banner(ps_viewer *v)
{
    if (!v->loop.error[0]) return;
    const float bg[4] = {0.45f, 0.05f, 0.05f, 0.92f};
    int w = v->fb_w - (v->show_panels ? v->col_w + 30 : 20);
    if (w < 300) w = 300;
    ps_ui_window_begin(&v->ui, 10, 48, w, bg);
    ps_ui_text(&v->ui, PS_UI_WHITE, "%s", v->loop.error);
    ps_ui_text(&v->ui, PS_UI_GREY, "(fix the file to reload; Esc hides this)");
    ps_ui_window_end(&v->ui);
}

// The key map in two columns (bindings of one command share a line).
static void help_window(ps_viewer *v)
{
    if (!v->show_help) return;
    const float bg[4] = {0.05f, 0.06f, 0.09f, 0.93f};
    char lines[96][96];
    int n = 0;
    size_t nk;
    const ps_key_binding *k = ps_keymap(&nk);
    for (size_t i = 0; i < nk && n < 80; i++) {
        if (i > 0 && k[i].cmd == k[i - 1].cmd) continue;
        snprintf(lines[n++], sizeof lines[0], "%-10s %s", k[i].keys, k[i].help);
    }
    // Columns as wide as the longest line; one column when two do not fit.
    int colw = 0;
    for (int i = 0; i < n; i++) colw = (int)strlen(lines[i]) > colw ? (int)strlen(lines[i]) : colw;
    colw += 2;
    int cols = 2 * colw * PS_UI_CHAR_W + 24 <= v->fb_w - 20 ? 2 : 1;
    int half = cols == 2 ? (n + 1) / 2 : n;
    int w = cols * colw * PS_UI_CHAR_W + 24;
    if (w > v->fb_w - 20) w = v->fb_w - 20;
    ps_ui_window_begin(&v->ui, 10, 48, w, bg);
    ps_ui_text(&v->ui, PS_UI_CYAN, "pilotsim view: key map (F1 closes)");
    for (int i = 0; i < half; i++)
        ps_ui_text(&v->ui, PS_UI_WHITE, "%-*s%s", colw, lines[i], cols == 2 && i + half < n ? lines[i + half] : "");
    for (const char *const *m = ps_keymap_mouse_help(); *m; m++) ps_ui_text(&v->ui, PS_UI_GREY, "%s", *m);
    ps_ui_window_end(&v->ui);
}

static void episode_panel(ps_viewer *v)
{
    ps_sim_loop *l = &v->loop;
    if (!ps_ui_panel_begin(&v->ui, "Episode", &v->open_episode)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    ps_world *w = ps_sim_loop_world(l);
    ps_episode_status st = l->ep ? ps_episode_get_status(l->ep) : PS_EP_SCRIPT_ERROR;
    const float *col = st == PS_EP_RUNNING ? PS_UI_WHITE : st == PS_EP_SUCCESS ? PS_UI_GREEN : PS_UI_RED;
    ps_ui_text(&v->ui, col, "status  %s", ps_episode_status_name(st));
    ps_ui_text(&v->ui, NULL, "seed %llu  time %.3f s  step %llu", (unsigned long long)l->seed,
               w ? ps_world_time(w) : 0.0, (unsigned long long)(l->ep ? ps_episode_steps(l->ep) : 0));
    ps_ui_text(&v->ui, NULL, "return %.4g", l->ep ? ps_episode_return(l->ep) : 0.0);
    if (l->ep && ps_episode_instruction(l->ep)[0]) ps_ui_text(&v->ui, PS_UI_CYAN, "task: %.600s", ps_episode_instruction(l->ep));
    const ps_viewer_step_hook *hook = v->opt.step_hook;
    const char *rec = hook && hook->status ? hook->status(hook->user) : NULL;
    if (rec) ps_ui_text(&v->ui, PS_UI_GREEN, "%.300s", rec);
    if (l->ep && ps_episode_message(l->ep)[0]) ps_ui_text(&v->ui, PS_UI_YELLOW, "%.600s", ps_episode_message(l->ep));
    if (w) ps_ui_text(&v->ui, PS_UI_GREY, "hash %016llx", (unsigned long long)ps_world_state_hash(w));
    if (l->policy) {
        char label[300];
        snprintf(label, sizeof label, "policy %s: %.40s", l->policy_on ? "ON" : "off", ps_policy_spec(l->policy));
        if (ps_ui_button(&v->ui, label)) ps_sim_loop_set_policy(l, !l->policy_on);
    } else {
        ps_ui_text(&v->ui, PS_UI_GREY, "no policy (--policy SPEC)");
    }
    if (ps_ui_button(&v->ui, l->paused ? "run (Space)" : "pause (Space)")) l->paused = !l->paused;
    if (ps_ui_button(&v->ui, "reset (R)")) ps_viewer_on_key(v, 'R', 1, 0);
    double lg = l->max_speed ? 4 : log2(l->speed);
    if (ps_ui_slider(&v->ui, "speed log2", &lg, -4, 4)) ps_sim_loop_set_speed(l, pow(2, round(lg)));
    ps_ui_panel_end(&v->ui);
}

static void scene_panel(ps_viewer *v)
{
    ps_scene *s = v->loop.scene;
    if (!s) return;
    if (!ps_ui_panel_begin(&v->ui, "Scene", &v->open_scene)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    ps_ui_text(&v->ui, PS_UI_CYAN, "%s (%s)", ps_scene_name(s), ps_scene_domain(s));
    if (ps_scene_description(s)[0]) ps_ui_text(&v->ui, PS_UI_GREY, "%.400s", ps_scene_description(s));
    ps_ui_text(&v->ui, NULL, "timestep %g s, limit %g s", ps_scene_timestep(s), ps_scene_time_limit(s));
    for (size_t i = 0; i < ps_scene_param_count(s) && i < 20; i++) {
        ps_param_info p;
        if (ps_scene_param(s, i, &p) != PS_OK) continue;
        // numbers to 4 significant digits (a randomised 0.1 + 0.2 reads 0.3, not 0.30000000000000004)
        char val[64], *end = NULL;
        double x = strtod(p.value, &end);
        if (end != p.value && !*end) snprintf(val, sizeof val, "%.4g", x);
        else snprintf(val, sizeof val, "%.60s", p.value);
        const char *edit = ps_sim_loop_param_edit(&v->loop, p.name);
        bool numeric = !strcmp(p.type, "number") || !strcmp(p.type, "integer");
        if (numeric && isfinite(p.min) && isfinite(p.max) && p.max > p.min && end != p.value && !*end) {
            // a slider: the edit applies when the episode resets (R)
            double x2 = edit ? strtod(edit, NULL) : x;
            char label[96];
            snprintf(label, sizeof label, "%s%s%s", p.name, edit ? " (R applies)" : "", p.randomize ? " (random)" : "");
            if (ps_ui_slider(&v->ui, label, &x2, p.min, p.max)) {
                char nv[64];
                if (!strcmp(p.type, "integer")) snprintf(nv, sizeof nv, "%.0f", round(x2));
                else snprintf(nv, sizeof nv, "%.4g", x2);
                if (ps_sim_loop_set_param(&v->loop, p.name, nv)) ps_viewer_log(v, "param %s = %s (on reset)", p.name, nv);
            }
            continue;
        }
        ps_ui_text(&v->ui, p.overridden ? PS_UI_YELLOW : PS_UI_WHITE, "%s = %s%s", p.name, val,
                   p.randomize ? " (random)" : "");
    }
    ps_ui_text(&v->ui, PS_UI_GREY, "%zu source files, %llu reloads", ps_scene_source_count(s),
               (unsigned long long)v->loop.reloads);
    ps_ui_panel_end(&v->ui);
}

static void actions_panel(ps_viewer *v)
{
    ps_episode *e = v->loop.ep;
    size_t n = e ? ps_episode_action_count(e) : 0;
    if (!n) return;
    if (!ps_ui_panel_begin(&v->ui, "Actions (teleop)", &v->open_actions)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        ps_space_entry *a = ps_episode_action(e, k);
        bool sel = k == v->tele.entry;
        ps_ui_text(&v->ui, sel ? PS_UI_CYAN : PS_UI_GREY, "%s%s [%zu]", sel ? "> " : "  ", a->name, a->count);
        if (!sel) continue;
        for (size_t i = 0; i < a->count && i < 8; i++) {
            double lo, hi, val = a->data[i];
            ps_teleop_range(a, i, &lo, &hi);
            char label[64];
            snprintf(label, sizeof label, "%s%zu", i == v->tele.dim ? "*" : " ", i);
            if (ps_ui_slider(&v->ui, label, &val, lo, hi)) {
                if (v->loop.policy_on) ps_sim_loop_set_policy(&v->loop, false);
                a->data[i] = (float)val;
            }
        }
    }
    ps_ui_panel_end(&v->ui);
}

static void actuators_panel(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    size_t nr = w ? ps_world_robot_count(w) : 0;
    if (!nr) return;
    if (!ps_ui_panel_begin(&v->ui, "Actuators", &v->open_actuators)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    bool manual = v->loop.manual;
    if (ps_ui_checkbox(&v->ui, "manual: sliders drive (U)", &manual)) ps_viewer_on_key(v, 'U', 1, 0);
    if (!v->loop.manual) ps_ui_text(&v->ui, PS_UI_GREY, "(the scene's commands; a slider takes over)");
    int shown = 0;
    for (size_t ri = 0; ri < nr; ri++) {
        ps_robot_id r = ps_world_robot_at(w, ri);
        ps_ui_text(&v->ui, PS_UI_CYAN, "%s", ps_robot_name(w, r));
        for (size_t j = 0; j < ps_robot_joint_count(w, r) && shown < MAX_JOINTS; j++) {
            ps_actuator_def a;
            if (ps_robot_get_actuator(w, r, j, &a) != PS_OK || a.mode == PS_ACT_NONE) continue;
            double lo = -1, hi = 1;
            if (a.mode == PS_ACT_POSITION) {
                if (ps_robot_joint_limits(w, r, j, &lo, &hi) != PS_OK || !isfinite(lo) || !isfinite(hi) || hi <= lo)
                    lo = -3.14159, hi = 3.14159;
            } else {
                double m = a.mode == PS_ACT_VELOCITY ? a.velocity_limit / a.gear : a.effort_limit;
                if (!isfinite(m) || m <= 0) m = 10;
                lo = -m, hi = m;
            }
            double val = ps_robot_command(w, r, j);
            char label[128];
            snprintf(label, sizeof label, "%.24s %s", ps_robot_joint_name(w, r, j),
                     a.mode == PS_ACT_POSITION ? "pos" : a.mode == PS_ACT_VELOCITY ? "vel" : "tau");
            if (ps_ui_slider(&v->ui, label, &val, lo, hi)) {
                if (!v->loop.manual) ps_viewer_on_key(v, 'U', 1, 0); // manual control, or the scene overwrites it
                ps_robot_set_command(w, r, j, val);
                ps_viewer_log(v, "command %s %s = %.4g", ps_robot_name(w, r), ps_robot_joint_name(w, r, j), val);
            }
            shown++;
        }
    }
    if (shown >= MAX_JOINTS) ps_ui_text(&v->ui, PS_UI_GREY, "(first %d actuators)", MAX_JOINTS);
    ps_ui_panel_end(&v->ui);
}

// Joint positions and velocities of every robot (rad or m, rad/s or m/s).
static void joints_panel(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    size_t nr = w ? ps_world_robot_count(w) : 0;
    if (!nr) return;
    if (!ps_ui_panel_begin(&v->ui, "Joints (q, qd)", &v->open_joints)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    int shown = 0;
    for (size_t ri = 0; ri < nr && shown < MAX_JOINTS; ri++) {
        ps_robot_id r = ps_world_robot_at(w, ri);
        size_t nj = ps_robot_joint_count(w, r);
        double q[64], qd[64];
        if (nj > 64 || ps_robot_positions(w, r, q) != PS_OK || ps_robot_velocities(w, r, qd) != PS_OK) continue;
        ps_ui_text(&v->ui, PS_UI_CYAN, "%s", ps_robot_name(w, r));
        for (size_t j = 0; j < nj && shown < MAX_JOINTS; j++, shown++)
            ps_ui_text(&v->ui, NULL, "%-20.20s %+8.3f %+8.3f", ps_robot_joint_name(w, r, j), q[j], qd[j]);
    }
    if (shown >= MAX_JOINTS) ps_ui_text(&v->ui, PS_UI_GREY, "(first %d joints)", MAX_JOINTS);
    ps_ui_panel_end(&v->ui);
}

// Lidar ranges as a polar plot (the middle row of a 3D lidar), the sensor at the centre, +x up.
static void lidar_plot(ps_viewer *v, ps_world *w, ps_sensor_id s, const float *d, size_t n)
{
    ps_sensor_def def;
    if (ps_sensor_get_def(w, s, &def) != PS_OK || def.h_beams <= 0 || (size_t)def.h_beams > n) return;
    ps_ui_rect a = ps_ui_area(&v->ui, 160, 160);
    const float bg[4] = {0, 0, 0, 0.6f}, dot[4] = {0.3f, 1, 0.4f, 1}, me[4] = {1, 1, 1, 1};
    ps_ui_fill(&v->ui, a.x, a.y, a.w, a.h, bg);
    size_t row = (size_t)(def.v_beams / 2) * (size_t)def.h_beams;
    // Scale to the farthest return (not the nominal range, often far beyond the room).
    double far = 1.0;
    for (int h = 0; h < def.h_beams; h++)
        if (isfinite(d[row + (size_t)h]) && d[row + (size_t)h] < def.range_max) far = fmax(far, d[row + (size_t)h]);
    double cx = a.x + a.w * 0.5, cy = a.y + a.h * 0.5, scale = (a.w * 0.5 - 2) / far;
    for (int h = 0; h < def.h_beams; h++) {
        double r = d[row + (size_t)h];
        if (!isfinite(r) || r >= def.range_max) continue;
        double ang = def.h_beams > 1 ? -def.h_fov * 0.5 + def.h_fov * h / (def.h_fov >= 6.28 ? def.h_beams
                                                                                           : def.h_beams - 1)
                                     : 0;
        ps_ui_fill(&v->ui, (int)(cx - sin(ang) * r * scale) - 1, (int)(cy - cos(ang) * r * scale) - 1, 2, 2, dot);
    }
    ps_ui_fill(&v->ui, (int)cx - 2, (int)cy - 2, 4, 4, me);
    ps_ui_text(&v->ui, PS_UI_GREY, "plot radius %.1f m, +x up", far);
}

static void camera_image(ps_viewer *v, ps_world *w, ps_sensor_id s, const float *d, size_t n)
{
    int shape[3] = {0, 0, 0};
    if (ps_sensor_shape(w, s, shape) != 3 || (size_t)shape[0] * shape[1] * shape[2] > n || shape[0] <= 0) return;
    int ih = shape[0], iw = shape[1], ch = shape[2];
    int dw = 200, dh = dw * ih / iw;
    ps_sensor_def def;
    ps_sensor_get_def(w, s, &def);
    ps_ui_rect a = ps_ui_area(&v->ui, dw, dh);
    if (ch == 3 && def.camera == PS_CAMERA_RGB) {
        ps_renderer_image(v->r, a.x, a.y, a.w, a.h, d, iw, ih, 3);
        return;
    }
    // Depth (m) as grey up to the far clip; segmentation ids as hashed colours.
    float *rgb = scratch(v, (size_t)iw * ih * 3);
    if (!rgb) return;
    for (size_t i = 0; i < (size_t)iw * ih; i++) {
        float x = d[i * (size_t)ch];
        if (def.camera == PS_CAMERA_DEPTH) {
            float g = isfinite(x) ? 1.0f - fminf(1.0f, x / (float)def.far_clip) : 0.0f;
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g;
        } else {
            unsigned id = (unsigned)(int)x * 2654435761u;
            rgb[3 * i] = x == 0 ? 0 : ((id >> 8) & 255) / 255.0f;
            rgb[3 * i + 1] = x == 0 ? 0 : ((id >> 16) & 255) / 255.0f;
            rgb[3 * i + 2] = x == 0 ? 0 : ((id >> 24) & 255) / 255.0f;
        }
    }
    ps_renderer_image(v->r, a.x, a.y, a.w, a.h, rgb, iw, ih, 3);
}

static void sensors_panel(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    size_t ns = w ? ps_world_sensor_count(w) : 0;
    if (!ns) return;
    if (!ps_ui_panel_begin(&v->ui, "Sensors", &v->open_sensors)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    for (size_t i = 0; i < ns; i++) {
        ps_sensor_id s = ps_world_sensor_at(w, i);
        if (!ps_sensor_valid(w, s)) continue;
        size_t n = 0;
        const float *d = ps_sensor_data(w, s, &n);
        ps_sensor_type t = ps_sensor_get_type(w, s);
        ps_ui_text(&v->ui, PS_UI_CYAN, "%s (%zu values, t=%.3f)", ps_sensor_name(w, s), n, ps_sensor_stamp(w, s));
        if (!d) continue;
        if (t == PS_SENSOR_LIDAR) {
            lidar_plot(v, w, s, d, n);
        } else if (t == PS_SENSOR_CAMERA) {
            camera_image(v, w, s, d, n);
        } else {
            char line[512];
            int k = 0;
            for (size_t j = 0; j < n && j < MAX_SENSOR_VALUES && k < (int)sizeof line - 24; j++)
                k += snprintf(line + k, sizeof line - (size_t)k, "%s%.3g", j ? " " : "", d[j]);
            ps_ui_text(&v->ui, NULL, "%s%s", line, n > MAX_SENSOR_VALUES ? " ..." : "");
        }
    }
    ps_ui_panel_end(&v->ui);
}

static void overlays_panel(ps_viewer *v)
{
    if (!ps_ui_panel_begin(&v->ui, "Overlays", &v->open_overlays)) {
        ps_ui_panel_end(&v->ui);
        return;
    }
    static const struct { unsigned flag; const char *name; } items[] = {
        {PS_DRAW_CONTACTS, "contacts (C)"}, {PS_DRAW_JOINTS, "joint axes (J)"}, {PS_DRAW_COM, "centres of mass (M)"},
        {PS_DRAW_LIDAR, "lidar rays (L)"}, {PS_DRAW_ZONES, "zones (Z)"},         {PS_DRAW_VISUAL, "visual meshes (V)"},
        {PS_DRAW_GRID, "grid (G)"},         {PS_DRAW_SHADOWS, "shadows (H)"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        bool on = (v->draw_flags & items[i].flag) != 0;
        if (ps_ui_checkbox(&v->ui, items[i].name, &on)) v->draw_flags ^= items[i].flag;
    }
    double dark = ps_scene_view_darkness(v->loop.scene);
    if (dark > 0 || v->daylight) {
        char label[64];
        snprintf(label, sizeof label, "daylight (B; view.darkness %.2g)", dark);
        ps_ui_checkbox(&v->ui, label, &v->daylight);
    }
    ps_ui_panel_end(&v->ui);
}

void ps_viewer_draw_panels(ps_viewer *v)
{
    // The column: scrolled by the wheel, as wide as its left edge was dragged.
    int x = v->fb_w - v->col_w - 8;
    int overflow = v->ui.col_end - (v->fb_h - 8);
    if (v->col_scroll > overflow) v->col_scroll = overflow > 0 ? overflow : 0;
    ps_ui_begin(&v->ui, v->r, x < 0 ? 0 : x, 8 - (int)v->col_scroll, v->col_w);
    status_line(v);
    if (v->show_panels && !v->show_help) { // nothing over the key map
        episode_panel(v);
        actions_panel(v);
        scene_panel(v);
        actuators_panel(v);
        joints_panel(v);
        sensors_panel(v);
        overlays_panel(v);
    }
    ps_ui_column_end(&v->ui, (int)v->col_scroll);
    if (!v->show_help) {
        error_banner(v);
        // Windows on the left, below the banner: the inspector, then the plots and the profiler.
        int y = 48;
        if (v->loop.error[0] && v->ui.rect_count > 0) {
            const ps_ui_rect *b = &v->ui.rects[v->ui.rect_count - 1];
            y = b->y + b->h + 6;
        }
        int lx = 10;
        if (v->show_inspector) {
            ps_viewer_draw_inspector(v, lx, y);
            lx += 330;
        }
        int w = 340, y2 = y;
        ps_viewer_draw_plots(v, lx, y2, w);
        if (v->show_plots && v->ui.rect_count > 0) {
            const ps_ui_rect *b = &v->ui.rects[v->ui.rect_count - 1];
            y2 = b->y + b->h + 6;
        }
        ps_viewer_draw_profiler(v, lx, y2, w);
    }
    help_window(v);
    ps_ui_end(&v->ui);
}
