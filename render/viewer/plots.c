// Time plots and the profiler: the sample rings (plots.h), sampling the
// running world once per frame, and the F3 / F4 windows (viewer_internal.h).
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ps_plots_push(ps_plots *p, const float *values)
{
    for (int s = PS_PLOT_STEP_SERIES; s < PS_PLOT_SERIES; s++) p->v[s - PS_PLOT_STEP_SERIES][p->head] = values[s];
    p->head = (p->head + 1) % PS_PLOT_N;
    if (p->count < PS_PLOT_N) p->count++;
}

void ps_plots_push_step(ps_plots *p, const float *values)
{
    for (int s = 0; s < PS_PLOT_STEP_SERIES; s++) p->step_v[s][p->step_head] = values[s];
    p->step_head = (p->step_head + 1) % PS_PLOT_STEP_N;
    if (p->step_count < PS_PLOT_STEP_N) p->step_count++;
    p->step_samples++;
}

void ps_plots_clear(ps_plots *p)
{
    p->head = p->count = 0;
    p->step_head = p->step_count = 0;
    p->step_samples = 0;
    p->last_step = 0;
}

int ps_plots_count(const ps_plots *p, ps_plot_series s)
{
    return s < PS_PLOT_STEP_SERIES ? p->step_count : p->count;
}

int ps_plots_capacity(ps_plot_series s)
{
    return s < PS_PLOT_STEP_SERIES ? PS_PLOT_STEP_N : PS_PLOT_N;
}

float ps_plots_at(const ps_plots *p, ps_plot_series s, int i)
{
    if (s < PS_PLOT_STEP_SERIES) return p->step_v[s][(p->step_head - p->step_count + i + PS_PLOT_STEP_N) % PS_PLOT_STEP_N];
    return p->v[s - PS_PLOT_STEP_SERIES][(p->head - p->count + i + PS_PLOT_N) % PS_PLOT_N];
}

static size_t joint_total(ps_world *w)
{
    size_t n = 0;
    for (size_t ri = 0; w && ri < ps_world_robot_count(w); ri++) n += ps_robot_joint_count(w, ps_world_robot_at(w, ri));
    return n;
}

// Moves the steps' samples the loop recorded since the last frame into the plots.
static void take_step_samples(ps_viewer *v)
{
    ps_plots *p = &v->plots;
    ps_step_samples *ss = &v->loop.samples;
    if (ss->on != v->show_plots || ss->joint != p->joint) {
        ps_step_samples_clear(ss);
        ss->on = v->show_plots;
        ss->joint = p->joint;
    }
    ps_step_sample buf[256];
    size_t n;
    while ((n = ps_step_samples_take(ss, buf, sizeof buf / sizeof buf[0])) > 0)
        for (size_t i = 0; i < n; i++) {
            const ps_step_sample *s = &buf[i];
            if (s->step <= p->last_step) { // a new episode or a rewind
                ps_plots_clear(p);
            }
            const float val[PS_PLOT_STEP_SERIES] = {
                [PS_PLOT_REWARD] = s->reward, [PS_PLOT_Q] = s->q, [PS_PLOT_QD] = s->qd, [PS_PLOT_FORCE] = s->force,
                [PS_PLOT_JOINT_ERR] = s->joint_err, [PS_PLOT_PENETRATION] = s->penetration};
            ps_plots_push_step(p, val);
            p->last_step = s->step;
        }
}

void ps_viewer_sample_plots(ps_viewer *v)
{
    ps_plots *p = &v->plots;
    ps_episode *ep = v->loop.ep;
    ps_world *w = ep ? ps_episode_world(ep) : NULL;
    if (!w) return;
    take_step_samples(v);
    uint64_t steps = ps_episode_steps(ep);
    double tw = 0, ts = 0, tl = ps_episode_lua_seconds(ep);
    ps_world_step_seconds(w, &tw, &ts);
    ps_world_set_timing(w, true); // the profile plots read the step timers (off by default)
    if (p->episode != (const void *)ep || steps < p->steps) { // a new episode or a rewind
        p->head = p->count = 0;
        p->episode = ep;
        p->steps = steps;
        p->t_world = tw, p->t_sensors = ts, p->t_lua = tl;
    }
    ps_robot_id r;
    size_t j;
    p->joint_name[0] = '\0';
    if (ps_step_samples_joint(w, p->joint, &r, &j))
        snprintf(p->joint_name, sizeof p->joint_name, "%.40s/%.40s", ps_robot_name(w, r), ps_robot_joint_name(w, r, j));
    // The profiler: what the steps since the last frame cost (the physics
    // thread's or this frame's), and this frame's drawing.
    float val[PS_PLOT_SERIES] = {0};
    val[PS_PLOT_MS_PHYSICS] = (float)(1e3 * ((tw - p->t_world) - (ts - p->t_sensors)));
    val[PS_PLOT_MS_SENSORS] = (float)(1e3 * (ts - p->t_sensors));
    val[PS_PLOT_MS_LUA] = (float)(1e3 * (tl - p->t_lua));
    val[PS_PLOT_MS_RENDER] = (float)v->prof.render_ms;
    val[PS_PLOT_MS_UI] = (float)v->prof.ui_ms;
    val[PS_PLOT_MS_SWAP] = (float)v->prof.swap_ms;
    p->steps = steps;
    p->t_world = tw, p->t_sensors = ts, p->t_lua = tl;
    ps_plots_push(p, val);
}

/* ------------------------------------------------------------- drawing */

static const float COLORS[3][4] = {{0.4f, 0.85f, 1.0f, 1}, {1.0f, 0.6f, 0.25f, 1}, {0.5f, 1.0f, 0.4f, 1}};

// One plot: up to three series over the samples, scaled to their common range.
static void plot(ps_viewer *v, const char *title, const ps_plot_series *s, const char *const *names, int ns, int h)
{
    const ps_plots *p = &v->plots;
    const int count = ps_plots_count(p, s[0]), cap = ps_plots_capacity(s[0]);
    float lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < count; i++) {
            float x = ps_plots_at(p, s[k], i);
            if (isfinite(x)) lo = fminf(lo, x), hi = fmaxf(hi, x);
        }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-9f) lo -= 0.5f, hi += 0.5f;
    char line[256];
    int k = snprintf(line, sizeof line, "%s:", title);
    for (int i = 0; i < ns && k < (int)sizeof line - 40; i++)
        k += snprintf(line + k, sizeof line - (size_t)k, " %s %.4g", names[i],
                      count ? ps_plots_at(p, s[i], count - 1) : 0.0);
    ps_ui_text(&v->ui, NULL, "%s", line);
    ps_ui_rect a = ps_ui_area(&v->ui, v->ui.w, h);
    const float bg[4] = {0, 0, 0, 0.55f}, axis[4] = {0.5f, 0.5f, 0.5f, 0.6f};
    ps_ui_fill(&v->ui, a.x, a.y, a.w, a.h, bg);
    if (lo < 0 && hi > 0) ps_ui_fill(&v->ui, a.x, a.y + (int)((hi - 0) / (hi - lo) * (a.h - 1)), a.w, 1, axis);
    for (int q = 0; q < ns; q++) {
        double px = 0, py = 0;
        // One segment per pixel column (its samples' last value): thousands of
        // steps would otherwise draw thousands of sub-pixel lines.
        bool have = false;
        int last_col = -1;
        for (int i = 0; i < count; i++) {
            float y = ps_plots_at(p, s[q], i);
            if (!isfinite(y)) continue;
            int col = (int)((double)(a.w - 1) * i / (cap - 1));
            if (col == last_col && i + 1 < count) continue;
            double x = a.x + col, yy = a.y + (hi - y) / (hi - lo) * (a.h - 1);
            if (have) ps_ui_line(v->r, px, py, x, yy, 1, COLORS[q]);
            px = x, py = yy;
            have = true;
            last_col = col;
        }
    }
    ps_ui_text(&v->ui, PS_UI_GREY, "range %.3g .. %.3g", lo, hi);
}

void ps_viewer_draw_plots(ps_viewer *v, int x, int y, int w)
{
    if (!v->show_plots) return;
    const float bg[4] = {0.06f, 0.07f, 0.1f, 0.85f};
    ps_ui_window_begin(&v->ui, x, y, w, bg);
    ps_ui_text(&v->ui, PS_UI_CYAN, "Plots (F3 closes): every step, the last %d", PS_PLOT_STEP_N);
    static const ps_plot_series rew[] = {PS_PLOT_REWARD}, qq[] = {PS_PLOT_Q, PS_PLOT_QD}, fo[] = {PS_PLOT_FORCE},
                                sol[] = {PS_PLOT_JOINT_ERR, PS_PLOT_PENETRATION};
    static const char *const rew_n[] = {"r"}, *const qq_n[] = {"q", "qd"}, *const fo_n[] = {"N"},
                             *const sol_n[] = {"joint err m", "depth m"};
    plot(v, "reward/step", rew, rew_n, 1, 44);
    ps_world *world = ps_sim_loop_world(&v->loop);
    size_t nj = joint_total(world);
    if (nj) {
        char t[140];
        snprintf(t, sizeof t, "joint %s", v->plots.joint_name);
        plot(v, t, qq, qq_n, 2, 44);
        if (ps_ui_button(&v->ui, "next joint")) {
            v->plots.joint = (v->plots.joint + 1) % nj;
            ps_plots_clear(&v->plots);
            ps_step_samples_clear(&v->loop.samples); // recorded for the previous joint
        }
    }
    plot(v, "contact force", fo, fo_n, 1, 44);
    plot(v, "solver", sol, sol_n, 2, 44);
    ps_ui_window_end(&v->ui);
}

void ps_viewer_draw_profiler(ps_viewer *v, int x, int y, int w)
{
    if (!v->show_profiler) return;
    const float bg[4] = {0.06f, 0.07f, 0.1f, 0.85f};
    ps_ui_window_begin(&v->ui, x, y, w, bg);
    ps_ui_text(&v->ui, PS_UI_CYAN, "Profiler (F4 closes): %.1f fps, ms per frame", v->fps);
    static const char *const names[] = {"physics", "sensors", "scene Lua", "render", "panels", "swap"};
    static const float col[6][4] = {{0.4f, 0.85f, 1, 1}, {1, 0.6f, 0.25f, 1}, {0.9f, 0.4f, 0.9f, 1},
                                    {0.5f, 1, 0.4f, 1},  {1, 0.9f, 0.3f, 1},  {0.7f, 0.7f, 0.7f, 1}};
    const ps_plots *p = &v->plots;
    double avg[6] = {0};
    int n = p->count < 30 ? p->count : 30;
    for (int s = 0; s < 6; s++)
        for (int i = p->count - n; i < p->count; i++) avg[s] += ps_plots_at(p, (ps_plot_series)(PS_PLOT_MS_PHYSICS + s), i) / (n ? n : 1);
    for (int s = 0; s < 6; s++) {
        ps_ui_text(&v->ui, col[s], "%-11s %7.2f ms", names[s], avg[s]);
    }
    ps_ui_text(&v->ui, PS_UI_GREY, "physics %s; %.3f ms/step, %.2fx real time", v->phys ? "on its thread" : "in the frame",
               v->prof.step_ms, v->rtf);
    // Stacked bars, one per frame, 1 px = 1 ms (up to the area's height).
    ps_ui_rect a = ps_ui_area(&v->ui, v->ui.w, 100);
    const float bgp[4] = {0, 0, 0, 0.55f};
    ps_ui_fill(&v->ui, a.x, a.y, a.w, a.h, bgp);
    for (int i = 0; i < p->count; i++) {
        int bx = a.x + (a.w - 2) * i / (PS_PLOT_N - 1), base = a.y + a.h;
        for (int s = 0; s < 6; s++) {
            int hgt = (int)lround(ps_plots_at(p, (ps_plot_series)(PS_PLOT_MS_PHYSICS + s), i) * (a.h / 50.0));
            if (hgt <= 0) continue;
            if (base - hgt < a.y) hgt = base - a.y;
            ps_ui_fill(&v->ui, bx, base - hgt, 2, hgt, col[s]);
            base -= hgt;
        }
    }
    ps_ui_text(&v->ui, PS_UI_GREY, "bars: 50 ms full height");
    ps_ui_window_end(&v->ui);
}
