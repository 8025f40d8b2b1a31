// The viewer's fixed-timestep simulation loop (see sim_loop.h).
#define _POSIX_C_SOURCE 200809L
#include "sim_loop.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static ps_vec3 v_add(ps_vec3 a, ps_vec3 b) { return (ps_vec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static ps_vec3 v_sub(ps_vec3 a, ps_vec3 b) { return (ps_vec3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static ps_vec3 v_scale(ps_vec3 a, double s) { return (ps_vec3){a.x * s, a.y * s, a.z * s}; }
static ps_vec3 v_cross(ps_vec3 a, ps_vec3 b)
{
    return (ps_vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static double v_len(ps_vec3 a) { return sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }

// Rotates v by the inverse of unit quaternion q.
static ps_vec3 quat_rotate_inv(ps_quat q, ps_vec3 v)
{
    ps_vec3 u = {-q.x, -q.y, -q.z};
    ps_vec3 t = v_scale(v_cross(u, v), 2.0);
    return v_add(v_add(v, v_scale(t, q.w)), v_cross(u, t));
}

// Opens the policy for the running episode's first step, as `pilotsim run` does.
static void policy_begin(ps_sim_loop *l)
{
    if (l->ep) ps_episode_set_manual(l->ep, l->manual);
    if (!l->policy || !l->policy_on || ps_episode_get_status(l->ep) != PS_EP_RUNNING) return;
    char err[PS_ERR_LEN];
    if (ps_policy_reset(l->policy, l->ep, l->seed, err, sizeof err) != PS_OK) {
        char msg[PS_ERR_LEN];
        snprintf(msg, sizeof msg, "policy '%s' reset: %.*s", ps_policy_spec(l->policy), (int)sizeof msg - 256, err);
        ps_episode_abort(l->ep, PS_EP_SCRIPT_ERROR, msg);
    }
}

// A new episode: the history starts again, one state every 0.25 s of
// simulated time, 240 of them (60 s).
static void history_restart(ps_sim_loop *l)
{
    uint64_t period = (uint64_t)fmax(1.0, floor(0.25 / l->dt + 0.5));
    if (!l->history) l->history = ps_history_create(240, period);
    ps_history_clear(l->history);
    ps_history_record(l->history, l->ep);
}

static void interaction_clear(ps_sim_loop *l)
{
    l->drag_on = false;
    l->torque_on = false;
    l->impulse_on = false;
}

// Opens the scene's policy (or the one asked for), as `pilotsim run` does.
static bool open_policy(ps_sim_loop *l, char *err, size_t errlen)
{
    const ps_sim_loop_config *cfg = &l->cfg;
    if (cfg->policy && !l->policy) {
        l->policy = cfg->policy; // given as an object (owned from now on)
        l->cfg.policy = NULL;
        l->policy_on = true;
        return true;
    }
    if (l->policy || cfg->no_policy || !(cfg->policy_spec || ps_scene_policy(l->scene))) return true;
    char pbuf[4096];
    const char *spec = cfg->policy_spec ? cfg->policy_spec : ps_scene_baseline_spec(l->scene, pbuf, sizeof pbuf);
    l->policy = ps_policy_open(spec, &cfg->policy_opt, err, errlen);
    l->policy_on = l->policy != NULL;
    return l->policy != NULL;
}

bool ps_sim_loop_init(ps_sim_loop *l, const ps_sim_loop_config *cfg, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->cfg = *cfg;
    l->cfg.base_params = cfg->scene_opt.params;
    l->cfg.base_param_count = cfg->scene_opt.param_count > 64 ? 64 : cfg->scene_opt.param_count;
    l->seed = cfg->seed;
    l->speed = 1.0;
    l->max_steps_per_frame = 2000;
    l->frame_budget = 0.03;
    l->dt = 0.01;
    l->scene = ps_scene_load(cfg->scene_path, &cfg->scene_opt, err, errlen);
    if (!l->scene) {
        // A file that exists but does not load (a syntax error): no world yet,
        // the error shown until an edit fixes it. A missing file is an error.
        FILE *f = fopen(cfg->scene_path, "r");
        if (!f) return false;
        fclose(f);
        snprintf(l->error, sizeof l->error, "%.*s", (int)sizeof l->error - 1, err);
        return true;
    }
    ps_scene_set_render_callback(l->scene, cfg->render_fn, cfg->render_user);
    l->dt = ps_scene_timestep(l->scene);
    if (!open_policy(l, err, errlen)) {
        ps_scene_destroy(l->scene);
        l->scene = NULL;
        return false;
    }
    l->ep = ps_episode_begin(l->scene, l->seed);
    if (!l->ep) {
        snprintf(err, errlen, "out of memory beginning an episode");
        ps_sim_loop_free(l);
        return false;
    }
    history_restart(l);
    policy_begin(l);
    return true;
}

void ps_sim_loop_free(ps_sim_loop *l)
{
    ps_policy_close(l->cfg.policy); // never taken (the scene did not load)
    l->cfg.policy = NULL;
    if (l->ep) ps_episode_end(l->ep);
    ps_policy_close(l->policy);
    if (l->scene) ps_scene_destroy(l->scene);
    ps_history_destroy(l->history);
    l->history = NULL;
    l->ep = NULL;
    l->policy = NULL;
    l->scene = NULL;
}

ps_world *ps_sim_loop_world(ps_sim_loop *l) { return l->ep ? ps_episode_world(l->ep) : NULL; }

void ps_sim_loop_reset(ps_sim_loop *l, uint64_t seed)
{
    if (!l->scene) return; // nothing loaded yet
    interaction_clear(l);
    ps_episode_end(l->ep);
    l->seed = seed;
    l->acc = 0;
    l->pending_steps = 0;
    l->ep = ps_episode_begin(l->scene, seed);
    if (!l->ep) {
        // Out of memory: keep going with no world rather than crash.
        snprintf(l->error, sizeof l->error, "out of memory beginning an episode");
        return;
    }
    history_restart(l);
    policy_begin(l);
}

bool ps_sim_loop_reload(ps_sim_loop *l)
{
    char err[PS_ERR_LEN];
    ps_scene *s = ps_scene_load(l->cfg.scene_path, &l->cfg.scene_opt, err, sizeof err);
    const char *kept = l->scene ? "reload failed, the last good world keeps running:\n" : "";
    if (!s) {
        snprintf(l->error, sizeof l->error, "%s%.*s", kept, (int)sizeof l->error - 64, err);
        return false;
    }
    ps_scene_set_render_callback(s, l->cfg.render_fn, l->cfg.render_user);
    // The old episode must end first only if it shares the scene; it does not,
    // so the new world is built while the old one still exists.
    ps_episode *e = ps_episode_begin(s, l->seed);
    if (!e || ps_episode_get_status(e) == PS_EP_SCRIPT_ERROR) {
        snprintf(l->error, sizeof l->error, "%s%.*s", kept, (int)sizeof l->error - 64, e ? ps_episode_message(e) : "out of memory");
        if (e) ps_episode_end(e);
        ps_scene_destroy(s);
        return false;
    }
    interaction_clear(l);
    if (l->ep) ps_episode_end(l->ep);
    if (l->scene) ps_scene_destroy(l->scene);
    bool first = !l->scene;
    l->scene = s;
    l->ep = e;
    l->dt = ps_scene_timestep(s);
    l->acc = 0;
    l->pending_steps = 0;
    l->error[0] = '\0';
    l->reloads++;
    l->params_dirty = false;
    ps_history_destroy(l->history); // the timestep may have changed
    l->history = NULL;
    history_restart(l);
    if (first && !open_policy(l, err, sizeof err)) snprintf(l->error, sizeof l->error, "%.8000s", err);
    policy_begin(l);
    return true;
}

bool ps_sim_loop_set_param(ps_sim_loop *l, const char *name, const char *value)
{
    size_t n = strlen(name), i = 0;
    for (; i < l->param_edits; i++)
        if (!strncmp(l->param_edit[i], name, n) && l->param_edit[i][n] == '=') break;
    if (i == l->param_edits) {
        if (l->param_edits == sizeof l->param_edit / sizeof l->param_edit[0]) return false;
        l->param_edits++;
    }
    snprintf(l->param_edit[i], sizeof l->param_edit[i], "%.60s=%.60s", name, value);
    // The command line's overrides first, the edits after them (the last one wins).
    size_t k = 0, base = l->cfg.base_param_count;
    for (size_t j = 0; j < base && k < 64; j++) l->param_list[k++] = l->cfg.base_params[j];
    for (size_t j = 0; j < l->param_edits; j++) l->param_list[k++] = l->param_edit[j];
    l->cfg.scene_opt.params = l->param_list;
    l->cfg.scene_opt.param_count = k;
    l->params_dirty = true;
    return true;
}

const char *ps_sim_loop_param_edit(const ps_sim_loop *l, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < l->param_edits; i++)
        if (!strncmp(l->param_edit[i], name, n) && l->param_edit[i][n] == '=') return l->param_edit[i] + n + 1;
    return NULL;
}

void ps_sim_loop_request_step(ps_sim_loop *l)
{
    l->paused = true;
    l->pending_steps++;
}

void ps_sim_loop_set_policy(ps_sim_loop *l, bool on)
{
    if (on && l->manual) { // the policy takes the robot back
        l->manual = false;
        if (l->ep) ps_episode_set_manual(l->ep, false);
    }
    if (!l->policy || on == l->policy_on) return;
    l->policy_on = on;
    if (on) {
        policy_begin(l);
    } else {
        for (size_t i = 0; i < ps_episode_action_count(l->ep); i++) {
            ps_space_entry *a = ps_episode_action(l->ep, i);
            memset(a->data, 0, a->count * sizeof *a->data);
        }
    }
}

void ps_sim_loop_set_manual(ps_sim_loop *l, bool on)
{
    if (on == l->manual) return;
    if (on) {
        l->policy_before_manual = l->policy_on;
        ps_sim_loop_set_policy(l, false);
    }
    l->manual = on;
    if (l->ep) ps_episode_set_manual(l->ep, on);
    if (!on && l->policy_before_manual) ps_sim_loop_set_policy(l, true);
}

void ps_sim_loop_set_speed(ps_sim_loop *l, double speed)
{
    if (!(speed >= 1.0 / 16)) speed = 1.0 / 16;
    if (speed > 16) speed = 16;
    l->speed = speed;
    l->max_speed = false;
}

void ps_sim_loop_drag_begin(ps_sim_loop *l, ps_body_id body, ps_vec3 at)
{
    ps_world *w = ps_sim_loop_world(l);
    ps_pose p;
    if (!w || ps_body_get_pose(w, body, &p) != PS_OK) return;
    l->drag_on = true;
    l->drag_body = body;
    l->drag_local = quat_rotate_inv(p.q, v_sub(at, p.p));
    l->drag_target = at;
}

bool ps_sim_loop_drag_anchor(ps_sim_loop *l, ps_vec3 *out)
{
    ps_world *w = ps_sim_loop_world(l);
    if (!l->drag_on || !w) return false;
    return ps_body_point_to_world(w, l->drag_body, l->drag_local, out) == PS_OK;
}

void ps_sim_loop_impulse(ps_sim_loop *l, ps_body_id body, ps_vec3 at, ps_vec3 impulse)
{
    l->impulse_on = true;
    l->impulse_body = body;
    l->impulse_point = at;
    l->impulse = impulse;
}

// The spring-damper pulling the grabbed point to the mouse: a 2 Hz critically
// damped oscillator for the grabbed body's mass, force capped at 100 m/s^2 x mass.
static void apply_drag(ps_sim_loop *l, ps_world *w)
{
    ps_vec3 anchor, com, v, om;
    double mass;
    if (ps_body_point_to_world(w, l->drag_body, l->drag_local, &anchor) != PS_OK ||
        ps_body_get_mass(w, l->drag_body, &mass, NULL, NULL) != PS_OK ||
        ps_body_get_com_world(w, l->drag_body, &com) != PS_OK || ps_body_get_linvel(w, l->drag_body, &v) != PS_OK ||
        ps_body_get_angvel(w, l->drag_body, &om) != PS_OK) {
        l->drag_on = false; // the body is gone (stale handle)
        return;
    }
    double wn = 2 * 3.14159265358979323846 * 2.0, k = mass * wn * wn, c = 2 * mass * wn;
    ps_vec3 vp = v_add(v, v_cross(om, v_sub(anchor, com)));
    ps_vec3 f = v_sub(v_scale(v_sub(l->drag_target, anchor), k), v_scale(vp, c));
    double fmax = 100 * mass, n = v_len(f);
    if (n > fmax) f = v_scale(f, fmax / n);
    if (isfinite(n)) ps_body_add_force_at(w, l->drag_body, f, anchor);
}

static ps_quat q_mul(ps_quat a, ps_quat b)
{
    return (ps_quat){a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                     a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}

// The unit quaternion turning by |v| rad about v.
static ps_quat q_from_rotvec(ps_vec3 v)
{
    double a = v_len(v);
    if (a < 1e-12) return (ps_quat){1, 0, 0, 0};
    double s = sin(0.5 * a) / a;
    return (ps_quat){cos(0.5 * a), v.x * s, v.y * s, v.z * s};
}

void ps_sim_loop_torque_begin(ps_sim_loop *l, ps_body_id body)
{
    ps_world *w = ps_sim_loop_world(l);
    ps_pose p;
    if (!w || ps_body_get_pose(w, body, &p) != PS_OK) return;
    l->torque_on = true;
    l->torque_body = body;
    l->torque_start = p.q;
    l->torque_turn = (ps_vec3){0, 0, 0};
}

void ps_sim_loop_torque_turn(ps_sim_loop *l, ps_vec3 turn) { l->torque_turn = turn; }

// The rotational spring of a torque drag: the error between the wanted
// orientation (the turn applied to the start) and the body's, as a rotation vector.
static void apply_torque_drag(ps_sim_loop *l, ps_world *w)
{
    ps_pose p;
    ps_vec3 om;
    double I[6];
    if (ps_body_get_pose(w, l->torque_body, &p) != PS_OK || ps_body_get_angvel(w, l->torque_body, &om) != PS_OK ||
        ps_body_get_mass(w, l->torque_body, NULL, NULL, I) != PS_OK) {
        l->torque_on = false;
        return;
    }
    double inertia = fmax(I[0], fmax(I[1], I[2]));
    if (!(inertia > 0)) return;
    ps_quat want = q_mul(q_from_rotvec(l->torque_turn), l->torque_start);
    ps_quat e = q_mul(want, (ps_quat){p.q.w, -p.q.x, -p.q.y, -p.q.z});
    if (e.w < 0) e = (ps_quat){-e.w, -e.x, -e.y, -e.z}; // the short way round
    double sn = sqrt(e.x * e.x + e.y * e.y + e.z * e.z), ang = 2 * atan2(sn, e.w);
    ps_vec3 err = sn > 1e-12 ? v_scale((ps_vec3){e.x, e.y, e.z}, ang / sn) : (ps_vec3){0, 0, 0};
    double wn = 2 * 3.14159265358979323846 * 5.0;
    ps_vec3 tau = v_sub(v_scale(err, inertia * wn * wn), v_scale(om, 2 * inertia * wn));
    double cap = 400 * inertia, n = v_len(tau);
    if (n > cap) tau = v_scale(tau, cap / n);
    if (isfinite(n)) ps_body_add_torque(w, l->torque_body, tau);
}

// One step as `pilotsim run` takes it: the policy acts, then the episode steps.
static bool step_once(ps_sim_loop *l)
{
    if (!l->ep || ps_episode_get_status(l->ep) != PS_EP_RUNNING) return false;
    if (l->step_limit && ps_episode_steps(l->ep) >= l->step_limit) return false;
    ps_world *w = ps_episode_world(l->ep);
    if (l->policy && l->policy_on) {
        char err[PS_ERR_LEN];
        if (ps_policy_act(l->policy, l->ep, err, sizeof err) != PS_OK) {
            char msg[PS_ERR_LEN];
            snprintf(msg, sizeof msg, "policy '%s' at step %llu: %.*s", ps_policy_spec(l->policy),
                     (unsigned long long)ps_episode_steps(l->ep), (int)sizeof msg - 256, err);
            ps_episode_abort(l->ep, PS_EP_SCRIPT_ERROR, msg);
            return false;
        }
    }
    const ps_viewer_step_hook *hook = l->cfg.hook;
    if (hook && hook->before_step) hook->before_step(hook->user, l->ep, l->seed, w && (l->drag_on || l->torque_on || l->impulse_on || l->manual));
    if (w && l->drag_on) apply_drag(l, w);
    if (w && l->torque_on) apply_torque_drag(l, w);
    if (w && l->impulse_on) {
        // An impulse J over one step is the force J / dt.
        ps_body_add_force_at(w, l->impulse_body, v_scale(l->impulse, 1.0 / l->dt), l->impulse_point);
        l->impulse_on = false;
    }
    ps_episode_step(l->ep, 0);
    if (hook && hook->after_step) hook->after_step(hook->user, l->ep);
    ps_step_samples_record(&l->samples, l->ep);
    ps_history_record(l->history, l->ep);
    return true;
}

bool ps_sim_loop_rewind(ps_sim_loop *l)
{
    if (!l->ep) return false;
    l->paused = true;
    l->pending_steps = 0;
    l->acc = 0;
    interaction_clear(l);
    char err[PS_ERR_LEN];
    if (!ps_history_rewind(l->history, l->ep, err, sizeof err)) {
        snprintf(l->error, sizeof l->error, "rewind: %.*s", (int)sizeof l->error - 16,
                 l->history ? err : "no history (out of memory)");
        return false;
    }
    return true;
}

int ps_sim_loop_advance(ps_sim_loop *l, double real_dt)
{
    int steps = 0;
    l->dropped = false;
    if (!l->ep) return 0;
    if (l->paused) {
        while (l->pending_steps > 0) {
            l->pending_steps--;
            if (step_once(l)) steps++;
        }
        l->acc = 0;
        return steps;
    }
    if (!(real_dt > 0)) real_dt = 0;
    if (real_dt > 0.25) real_dt = 0.25; // a stalled frame does not owe seconds of physics
    double t0 = now_s();
    long want;
    if (l->max_speed) {
        want = l->max_steps_per_frame;
    } else {
        l->acc += real_dt * l->speed;
        want = (long)floor(l->acc / l->dt);
        l->acc -= (double)want * l->dt;
        if (want > l->max_steps_per_frame) {
            want = l->max_steps_per_frame;
            l->dropped = true;
        }
    }
    long done = 0;
    bool over_budget = false;
    for (; done < want; done++) {
        if (!step_once(l)) break;
        steps++;
        // Check the clock every few steps: a call spends at most its budget.
        if ((done & 7) == 7 && now_s() - t0 > l->frame_budget) {
            done++;
            over_budget = true;
            break;
        }
    }
    if (l->max_speed || !over_budget || done >= want) return steps;
    if (l->carry_debt) {
        // The physics thread comes back in a moment: what is still owed stays
        // owed, up to 0.25 s of real time (beyond that the CPU cannot keep up).
        l->acc += (double)(want - done) * l->dt;
        double cap = fmax(0.25 * l->speed, l->dt);
        if (l->acc > cap) {
            l->acc = cap;
            l->dropped = true;
        }
    } else {
        l->dropped = true;
        l->acc = 0;
    }
    return steps;
}

size_t ps_sim_loop_sources(const ps_sim_loop *l, const char **out, size_t max)
{
    if (!l->scene) { // not loaded yet: the scene file itself
        if (max) out[0] = l->cfg.scene_path;
        return max ? 1 : 0;
    }
    size_t n = ps_scene_source_count(l->scene);
    if (n > max) n = max;
    for (size_t i = 0; i < n; i++) out[i] = ps_scene_source(l->scene, i);
    return n;
}
