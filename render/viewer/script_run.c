// Running a viewer script (script.h): feeds its events into the input entry
// points frame by frame, waits, screenshots, state and body reports.
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <GLFW/glfw3.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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
                  "action=[%s] flags=%u manual=%d",
                  (unsigned long long)(l->ep ? ps_episode_steps(l->ep) : 0), w ? ps_world_time(w) : 0.0,
                  l->ep ? ps_episode_status_name(ps_episode_get_status(l->ep)) : "none", l->paused, l->speed,
                  l->max_speed, l->policy_on, (unsigned long long)(w ? ps_world_state_hash(w) : 0),
                  ps_body_is_set(v->selected) ? ps_viewer_body_name(v, v->selected, nb, sizeof nb) : "-", v->follow,
                  v->show_help, (unsigned long long)l->reloads, l->error[0] != '\0', e.x, e.y, e.z, v->cam.target.x,
                  v->cam.target.y, v->cam.target.z, act, v->draw_flags, l->manual);
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
            uint64_t target = (uint64_t)e->n;
            if (e->cond == 1) {
                if (v->script.wait_since < 0) v->script.step_base = ep ? ps_episode_steps(ep) : 0;
                target += v->script.step_base;
            }
            done = !ep || ps_episode_steps(ep) >= target || ps_episode_get_status(ep) != PS_EP_RUNNING;
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
        double t = ps_viewer_now();
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
        ps_body_id b = w ? ps_body_find(w, e->arg) : PS_BODY_NONE;
        ps_pose p;
        if (w && ps_body_get_pose(w, b, &p) == PS_OK)
            ps_viewer_log(v, "body %s %.6f %.6f %.6f", e->arg, p.p.x, p.p.y, p.p.z);
        else
            ps_viewer_log(v, "body %s: no such body", e->arg);
        return true;
    }
    case PS_SOP_WIDGETS:
        for (int i = 0; i < v->ui.widget_count; i++) {
            static const char *const kinds[] = {"button", "checkbox", "slider", "row", "panel"};
            char k = v->ui.widgets[i].kind;
            const ps_ui_rect *r = &v->ui.widgets[i].r;
            double s = v->px_scale > 0 ? v->px_scale : 1;
            ps_viewer_log(v, "widget %s %d %d %d %d %s", kinds[k == 'b' ? 0 : k == 'c' ? 1 : k == 's' ? 2 : k == 'r' ? 3 : 4],
                          (int)(r->x / s), (int)(r->y / s), (int)(r->w / s), (int)(r->h / s), v->ui.widgets[i].label);
        }
        return true;
    case PS_SOP_WIDGET: {
        size_t n = strlen(e->arg);
        for (int i = 0; i < v->ui.widget_count; i++) {
            const char *label = v->ui.widgets[i].label;
            while (*label == ' ') label++; // tree rows are indented
            if (strncmp(label, e->arg, n) || (e->x >= 0 && v->ui.widgets[i].kind != 's')) continue;
            const ps_ui_rect *r = &v->ui.widgets[i].r;
            double s = v->px_scale > 0 ? v->px_scale : 1;
            double x = e->x >= 0 ? r->x + 4 + e->x * (r->w - 8) : r->x + r->w * 0.5, y = r->y + r->h * 0.5;
            ps_viewer_on_cursor(v, x / s, y / s);
            ps_viewer_on_mouse_button(v, GLFW_MOUSE_BUTTON_LEFT, GLFW_PRESS, 0);
            return true;
        }
        ps_viewer_log(v, "script line %d: no widget '%s' on screen", e->line, e->arg);
        v->exit_code = 3;
        v->quit = true;
        return true;
    }
    case PS_SOP_INSPECT: ps_viewer_print_inspect(v); return true;
    case PS_SOP_PLOTS: {
        const ps_plots *p = &v->plots;
        int n = ps_plots_count(p, PS_PLOT_REWARD);
        ps_viewer_log(v, "plots step_samples=%llu first_step=%llu last_step=%llu frames=%d",
                      (unsigned long long)p->step_samples,
                      (unsigned long long)(p->last_step + 1 >= (uint64_t)n ? p->last_step + 1 - (uint64_t)n : 0),
                      (unsigned long long)p->last_step, p->count);
        return true;
    }
    case PS_SOP_GAMEPAD:
        v->pad_scripted = e->n != 0;
        memcpy(v->pad_axes, e->axes, sizeof v->pad_axes);
        return true;
    case PS_SOP_QUIT: v->quit = true; return true;
    }
    return true;
}

void ps_viewer_script_tick(ps_viewer *v)
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
