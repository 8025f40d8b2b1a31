// Robots: link/joint bookkeeping, actuators applied before each step, and
// joint state readout.
#include "world_internal.h"
#include "log_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ps_actuator_def ps_default_actuator_def(void)
{
    return (ps_actuator_def){
        .mode = PS_ACT_NONE,
        .effort_limit = INFINITY,
        .velocity_limit = INFINITY,
        .gear = 1.0,
    };
}

ps_robot_slot *ps_world_robot_slot(const ps_world *w, ps_robot_id id)
{
    if (id.gen == 0 || id.world != w->tag || id.index >= w->robot_count) return NULL;
    ps_robot_slot *r = &w->robots[id.index];
    return (r->alive && r->gen == id.gen) ? r : NULL;
}

bool ps_robot_valid(const ps_world *w, ps_robot_id r) { return ps_world_robot_slot(w, r) != NULL; }

ps_robot_id ps_robot_find(const ps_world *w, const char *name)
{
    if (name)
        for (uint32_t i = 0; i < w->robot_count; i++)
            if (w->robots[i].alive && strcmp(w->robots[i].name, name) == 0) return (ps_robot_id){i, w->robots[i].gen, w->tag};
    return PS_ROBOT_NONE;
}

size_t ps_world_robot_count(const ps_world *w)
{
    size_t n = 0;
    for (uint32_t i = 0; i < w->robot_count; i++) n += w->robots[i].alive;
    return n;
}

ps_robot_id ps_world_robot_at(const ps_world *w, size_t i)
{
    for (uint32_t k = 0; k < w->robot_count; k++)
        if (w->robots[k].alive && i-- == 0) return (ps_robot_id){k, w->robots[k].gen, w->tag};
    return PS_ROBOT_NONE;
}

ps_robot_slot *ps_robot_slot_new(ps_world *w, const char *name, ps_robot_id *id)
{
    if (!ps_grow((void **)&w->robots, &w->robot_cap, w->robot_count + 1, sizeof *w->robots)) return NULL;
    ps_robot_slot *r = &w->robots[w->robot_count];
    memset(r, 0, sizeof *r);
    r->name = ps_strdup(name);
    if (!r->name) return NULL;
    r->gen = 1;
    r->alive = true;
    *id = (ps_robot_id){w->robot_count++, 1, w->tag};
    return r;
}

static void free_slot(ps_robot_slot *r)
{
    for (size_t i = 0; i < r->link_count; i++) free(r->links[i].name);
    for (size_t i = 0; i < r->joint_count; i++) free(r->joints[i].name);
    for (size_t i = 0; i < r->visual_count; i++) {
        free((char *)r->visuals[i].mesh_path);
        free((char *)r->visuals[i].texture_path);
    }
    free(r->links);
    free(r->joints);
    free(r->visuals);
    free(r->kin_parent);
    free(r->kin_joint);
    free(r->kin_order);
    free(r->kin_origin);
    free(r->kin_axis);
    free(r->kin_prismatic);
    free(r->name);
    memset(r, 0, sizeof *r);
}

void ps_world_free_robots(ps_world *w)
{
    for (uint32_t i = 0; i < w->robot_count; i++) free_slot(&w->robots[i]);
    free(w->robots);
    w->robots = NULL;
    w->robot_count = w->robot_cap = 0;
}

static const char *check_actuator(const ps_actuator_def *a)
{
    if (a->mode < PS_ACT_NONE || a->mode > PS_ACT_TORQUE) return "unknown actuator mode";
    if (!(a->kp >= 0) || !isfinite(a->kp) || !(a->kd >= 0) || !isfinite(a->kd)) return "kp and kd must be finite and >= 0";
    if (a->mode == PS_ACT_POSITION && !(a->kp > 0)) return "a position servo needs kp > 0";
    if (!(a->effort_limit > 0) || !(a->velocity_limit > 0)) return "effort and velocity limits must be > 0";
    if (!(a->gear > 0) || !isfinite(a->gear)) return "gear must be finite and > 0";
    if (!(a->damping >= 0) || !isfinite(a->damping) || !(a->friction >= 0) || !isfinite(a->friction))
        return "damping and friction must be finite and >= 0";
    if (!(a->armature >= 0) || !isfinite(a->armature) || !(a->rotor_inertia >= 0) || !isfinite(a->rotor_inertia))
        return "armature and rotor_inertia must be finite and >= 0";
    return NULL;
}

ps_robot_id ps_robot_create(ps_world *w, const ps_robot_def *def)
{
    const ps_robot_id none = PS_ROBOT_NONE;
    if (!def || !def->name || !*def->name) return ps_world_fail(w, PS_ERR_INVALID, "robot needs a name"), none;
    if (ps_robot_valid(w, ps_robot_find(w, def->name)))
        return ps_world_fail(w, PS_ERR_INVALID, "robot '%s' already exists", def->name), none;
    if (def->link_count < 1 || !def->links)
        return ps_world_fail(w, PS_ERR_INVALID, "robot '%s' needs at least one link (its base)", def->name), none;
    for (size_t i = 0; i < def->link_count; i++)
        if (!ps_body_valid(w, def->links[i]))
            return ps_world_fail(w, PS_ERR_STALE, "robot '%s': link %zu is not a live body", def->name, i), none;
    for (size_t i = 0; i < def->joint_count; i++) {
        const ps_robot_joint_def *j = &def->joints[i];
        ps_joint_slot *js = ps_world_joint_slot(w, j->joint);
        const char *jn = j->name ? j->name : js ? js->name : "?";
        if (!js) return ps_world_fail(w, PS_ERR_STALE, "robot '%s': joint %zu is not a live joint", def->name, i), none;
        if (js->type != PS_JOINT_HINGE && js->type != PS_JOINT_SLIDER)
            return ps_world_fail(w, PS_ERR_INVALID, "robot '%s': joint '%s' must be a hinge or a slider", def->name, jn), none;
        const char *bad = check_actuator(&j->actuator);
        if (bad) return ps_world_fail(w, PS_ERR_INVALID, "robot '%s': actuator '%s': %s", def->name, jn, bad), none;
        if (j->mimic >= (int)def->joint_count || j->mimic == (int)i || (j->mimic >= 0 && def->joints[j->mimic].mimic >= 0) ||
            (j->mimic >= 0 && (!isfinite(j->mimic_multiplier) || !isfinite(j->mimic_offset))))
            return ps_world_fail(w, PS_ERR_INVALID, "robot '%s': joint '%s': bad mimic (another non-mimic joint of the robot, finite multiplier and offset)", def->name, jn), none;
    }
    if (!ps_solver_need_valid(&def->solver))
        return ps_world_fail(w, PS_ERR_INVALID, "robot '%s': %s", def->name, PS_SOLVER_NEED_RULE), none;
    ps_robot_id id;
    ps_robot_slot *r = ps_robot_slot_new(w, def->name, &id);
    if (!r) return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    r->links = calloc(def->link_count, sizeof *r->links);
    r->joints = calloc(def->joint_count ? def->joint_count : 1, sizeof *r->joints);
    bool ok = r->links && r->joints;
    for (size_t i = 0; ok && i < def->link_count; i++) {
        const char *ln = def->link_names && def->link_names[i] ? def->link_names[i] : ps_body_name(w, def->links[i]);
        r->links[i] = (ps_robot_link){ps_strdup(ln), def->links[i], ps_pose_identity()};
        ok = r->links[i].name != NULL;
        r->link_count = i + 1;
    }
    for (size_t i = 0; ok && i < def->joint_count; i++) {
        const ps_robot_joint_def *j = &def->joints[i];
        ps_joint_slot *js = ps_world_joint_slot(w, j->joint);
        r->joints[i] = (ps_robot_joint){
            .name = ps_strdup(j->name ? j->name : js->name), .joint = j->joint, .act = j->actuator,
            .mimic = j->mimic, .mimic_mult = j->mimic_multiplier, .mimic_off = j->mimic_offset,
        };
        ok = r->joints[i].name != NULL;
        r->joint_count = i + 1;
        dJointSetFeedback(js->joint, js->fb);
    }
    if (!ok) {
        free_slot(r);
        w->robot_count--;
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    }
    ps_world_require_solver(w, def->name, &def->solver); // valid: checked above
    return id;
}

/* --------------------------------------------------------------- queries */

const char *ps_robot_name(const ps_world *w, ps_robot_id id)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r ? r->name : NULL;
}

size_t ps_robot_link_count(const ps_world *w, ps_robot_id id)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r ? r->link_count : 0;
}

const char *ps_robot_link_name(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r && i < r->link_count ? r->links[i].name : NULL;
}

int ps_robot_link_index(const ps_world *w, ps_robot_id id, const char *name)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (r && name)
        for (size_t i = 0; i < r->link_count; i++)
            if (strcmp(r->links[i].name, name) == 0) return (int)i;
    return -1;
}

ps_body_id ps_robot_link_body(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r && i < r->link_count ? r->links[i].body : PS_BODY_NONE;
}

ps_status ps_robot_link_pose(const ps_world *w, ps_robot_id id, size_t i, ps_pose *out)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return PS_ERR_STALE;
    if (i >= r->link_count) return PS_ERR_INVALID;
    ps_pose bp;
    ps_status st = ps_body_get_pose(w, r->links[i].body, &bp);
    if (st != PS_OK) return st;
    *out = ps_pose_mul(bp, r->links[i].offset);
    return PS_OK;
}

double ps_robot_mass(const ps_world *w, ps_robot_id id)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return 0;
    double total = 0;
    for (size_t i = 0; i < r->link_count; i++) {
        bool seen = false; // merged links share a body: count it once
        for (size_t k = 0; k < i; k++)
            seen |= r->links[k].body.index == r->links[i].body.index && r->links[k].body.gen == r->links[i].body.gen;
        double m = 0;
        if (!seen && ps_body_get_mass(w, r->links[i].body, &m, NULL, NULL) == PS_OK) total += m;
    }
    return total;
}

size_t ps_robot_joint_count(const ps_world *w, ps_robot_id id)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r ? r->joint_count : 0;
}

const char *ps_robot_joint_name(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r && i < r->joint_count ? r->joints[i].name : NULL;
}

int ps_robot_joint_index(const ps_world *w, ps_robot_id id, const char *name)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (r && name)
        for (size_t i = 0; i < r->joint_count; i++)
            if (strcmp(r->joints[i].name, name) == 0) return (int)i;
    return -1;
}

ps_joint_id ps_robot_joint_id(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r && i < r->joint_count ? r->joints[i].joint : PS_JOINT_NONE;
}

// Robot and joint slot of (id, i), or NULL with the world's error set.
static ps_robot_joint *robot_joint(const ps_world *w, ps_robot_id id, size_t i, ps_joint_slot **js)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r || i >= r->joint_count) return NULL;
    *js = ps_world_joint_slot(w, r->joints[i].joint);
    return *js ? &r->joints[i] : NULL;
}

int ps_robot_joint_mimic(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r && i < r->joint_count ? r->joints[i].mimic : -1;
}

ps_status ps_robot_joint_limits(const ps_world *w, ps_robot_id id, size_t i, double *lo, double *hi)
{
    ps_joint_slot *js;
    if (!robot_joint(w, id, i, &js)) return PS_ERR_STALE;
    if (!js->axes[0].limited) return PS_ERR_STATE;
    if (lo) *lo = js->axes[0].lo;
    if (hi) *hi = js->axes[0].hi;
    return PS_OK;
}

static double joint_q(const ps_joint_slot *js)
{
    return js->type == PS_JOINT_HINGE ? ps_joint_hinge_angle(js) : dJointGetSliderPosition(js->joint);
}

static double joint_qd(const ps_joint_slot *js)
{
    return js->type == PS_JOINT_HINGE ? dJointGetHingeAngleRate(js->joint) : dJointGetSliderPositionRate(js->joint);
}

static ps_status read_all(const ps_world *w, ps_robot_id id, double *out, int what)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return PS_ERR_STALE;
    for (size_t i = 0; i < r->joint_count; i++) {
        ps_joint_slot *js = ps_world_joint_slot(w, r->joints[i].joint);
        if (!js) return PS_ERR_STALE;
        if (what == 0) out[i] = joint_q(js);
        else if (what == 1) out[i] = joint_qd(js);
        else {
            // Constraint torque about the joint axis through the anchor (the
            // motor and limit rows), plus the explicit damping/torque.
            const dJointFeedback *fb = js->fb;
            dVector3 axis;
            double e;
            if (js->type == PS_JOINT_HINGE) {
                dVector3 anchor;
                dJointGetHingeAxis(js->joint, axis);
                dJointGetHingeAnchor(js->joint, anchor);
                const dReal *c = dBodyGetPosition(dJointGetBody(js->joint, 0));
                double rr[3] = {anchor[0] - c[0], anchor[1] - c[1], anchor[2] - c[2]};
                double rxf[3] = {rr[1] * fb->f1[2] - rr[2] * fb->f1[1], rr[2] * fb->f1[0] - rr[0] * fb->f1[2],
                                 rr[0] * fb->f1[1] - rr[1] * fb->f1[0]};
                e = axis[0] * (fb->t1[0] - rxf[0]) + axis[1] * (fb->t1[1] - rxf[1]) + axis[2] * (fb->t1[2] - rxf[2]);
            } else {
                dJointGetSliderAxis(js->joint, axis);
                e = axis[0] * fb->f1[0] + axis[1] * fb->f1[1] + axis[2] * fb->f1[2];
            }
            out[i] = e + r->joints[i].explicit_effort;
        }
    }
    return PS_OK;
}

ps_status ps_robot_positions(const ps_world *w, ps_robot_id r, double *q) { return read_all(w, r, q, 0); }
ps_status ps_robot_velocities(const ps_world *w, ps_robot_id r, double *qd) { return read_all(w, r, qd, 1); }
ps_status ps_robot_efforts(const ps_world *w, ps_robot_id r, double *tau) { return read_all(w, r, tau, 2); }

static ps_quat axis_angle(ps_vec3 a, double angle)
{
    double s = sin(angle / 2);
    return (ps_quat){cos(angle / 2), a.x * s, a.y * s, a.z * s};
}

ps_status ps_robot_set_positions(ps_world *w, ps_robot_id id, const double *q)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return ps_world_fail(w, PS_ERR_STALE, "%s robot id", ps_world_id_problem(w, id.world));
    if (!r->kin_parent) return ps_world_fail(w, PS_ERR_STATE, "robot '%s' has no kinematic tree (assembled robot)", r->name);
    size_t nj = r->joint_count, nl = r->link_count;
    double *qq = malloc((nj ? nj : 1) * sizeof *qq);
    ps_pose *pose = malloc(nl * sizeof *pose);
    if (!qq || !pose) {
        free(qq);
        free(pose);
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory");
    }
    ps_status st = PS_OK;
    for (size_t i = 0; i < nj; i++) {
        if (!isfinite(q[i])) {
            st = ps_world_fail(w, PS_ERR_INVALID, "robot '%s': position of joint '%s' must be finite", r->name, r->joints[i].name);
            break;
        }
        ps_joint_slot *js = ps_world_joint_slot(w, r->joints[i].joint);
        qq[i] = q[i];
        if (js && js->axes[0].limited) qq[i] = fmin(fmax(qq[i], js->axes[0].lo), js->axes[0].hi);
    }
    for (size_t i = 0; st == PS_OK && i < nj; i++)
        if (r->joints[i].mimic >= 0) qq[i] = r->joints[i].mimic_mult * qq[r->joints[i].mimic] + r->joints[i].mimic_off;
    for (size_t k = 0; st == PS_OK && k < nl; k++) {
        int l = r->kin_order[k], p = r->kin_parent[l];
        if (p < 0) {
            ps_pose bp;
            ps_body_get_pose(w, r->links[l].body, &bp);
            pose[l] = ps_pose_mul(bp, r->links[l].offset);
            continue;
        }
        ps_pose t = r->kin_origin[l];
        int j = r->kin_joint[l];
        if (j >= 0) {
            if (r->kin_prismatic[l]) {
                ps_vec3 d = ps_quat_rotate(t.q, r->kin_axis[l]);
                t.p.x += d.x * qq[j];
                t.p.y += d.y * qq[j];
                t.p.z += d.z * qq[j];
            } else {
                t.q = ps_quat_mul(t.q, axis_angle(r->kin_axis[l], qq[j]));
            }
        }
        pose[l] = ps_pose_mul(pose[p], t);
    }
    // Each body takes the pose of the link whose frame it is (offset identity).
    for (size_t l = 0; st == PS_OK && l < nl; l++) {
        const ps_robot_link *lk = &r->links[l];
        if (lk->offset.p.x != 0 || lk->offset.p.y != 0 || lk->offset.p.z != 0 || lk->offset.q.w != 1) continue;
        if (ps_body_get_kind(w, lk->body) == PS_BODY_STATIC) continue;
        ps_body_set_pose(w, lk->body, pose[l]);
        ps_body_set_linvel(w, lk->body, (ps_vec3){0, 0, 0});
        ps_body_set_angvel(w, lk->body, (ps_vec3){0, 0, 0});
    }
    for (size_t i = 0; st == PS_OK && i < nj; i++) {
        ps_joint_slot *js = ps_world_joint_slot(w, r->joints[i].joint);
        if (js && js->type == PS_JOINT_HINGE) ps_joint_set_hinge_angle(js, qq[i]); // the turn it was set to
        if (r->joints[i].act.mode == PS_ACT_POSITION) r->joints[i].command = qq[i];
    }
    free(qq);
    free(pose);
    return st;
}

ps_status ps_robot_set_command(ps_world *w, ps_robot_id id, size_t i, double value)
{
    ps_joint_slot *js;
    ps_robot_joint *j = robot_joint(w, id, i, &js);
    if (!j) return ps_world_fail(w, PS_ERR_STALE, "robot joint %zu does not exist", i);
    if (!isfinite(value)) return ps_world_fail(w, PS_ERR_INVALID, "actuator '%s': command must be finite, got %g", j->name, value);
    if (j->mimic >= 0) return ps_world_fail(w, PS_ERR_INVALID, "actuator '%s' mimics another joint and takes no command", j->name);
    double lo = -INFINITY, hi = INFINITY;
    switch (j->act.mode) {
    case PS_ACT_NONE: return ps_world_fail(w, PS_ERR_INVALID, "joint '%s' is passive (no actuator)", j->name);
    case PS_ACT_POSITION:
        if (js->axes[0].limited) {
            lo = js->axes[0].lo;
            hi = js->axes[0].hi;
        }
        break;
    case PS_ACT_VELOCITY: hi = j->act.velocity_limit / j->act.gear; lo = -hi; break;
    case PS_ACT_TORQUE: hi = j->act.effort_limit; lo = -hi; break;
    }
    if (value < lo || value > hi) {
        value = value < lo ? lo : hi;
        j->clamps++;
    }
    j->command = value;
    return PS_OK;
}

double ps_robot_command(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_joint_slot *js;
    ps_robot_joint *j = robot_joint(w, id, i, &js);
    return j ? j->command : 0;
}

uint64_t ps_robot_clamp_count(const ps_world *w, ps_robot_id id, size_t i)
{
    ps_joint_slot *js;
    ps_robot_joint *j = robot_joint(w, id, i, &js);
    return j ? j->clamps : 0;
}

ps_status ps_robot_set_actuator(ps_world *w, ps_robot_id id, size_t i, const ps_actuator_def *a)
{
    ps_joint_slot *js;
    ps_robot_joint *j = robot_joint(w, id, i, &js);
    if (!j) return ps_world_fail(w, PS_ERR_STALE, "robot joint %zu does not exist", i);
    const char *bad = a ? check_actuator(a) : "NULL def";
    if (bad) return ps_world_fail(w, PS_ERR_INVALID, "actuator '%s': %s", j->name, bad);
    if (a->mode != j->act.mode) j->command = a->mode == PS_ACT_POSITION ? joint_q(js) : 0;
    j->act = *a;
    return PS_OK;
}

ps_status ps_robot_get_actuator(const ps_world *w, ps_robot_id id, size_t i, ps_actuator_def *out)
{
    ps_joint_slot *js;
    ps_robot_joint *j = robot_joint(w, id, i, &js);
    if (!j) return PS_ERR_STALE;
    *out = j->act;
    return PS_OK;
}

size_t ps_robot_visual_count(const ps_world *w, ps_robot_id id)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    return r ? r->visual_count : 0;
}

ps_status ps_robot_get_visual(const ps_world *w, ps_robot_id id, size_t i, ps_robot_visual *out)
{
    ps_robot_slot *r = ps_world_robot_slot(w, id);
    if (!r) return PS_ERR_STALE;
    if (i >= r->visual_count) return PS_ERR_INVALID;
    *out = r->visuals[i];
    return PS_OK;
}

/* ------------------------------------------------------------- actuators */

typedef void (*param_fn)(dJointID, int, dReal);

// The joint motor row: target velocity, force limit and softness.
static void motor(const ps_joint_slot *js, double vel, double fmax, double cfm)
{
    param_fn set = js->type == PS_JOINT_HINGE ? dJointSetHingeParam : dJointSetSliderParam;
    set(js->joint, dParamVel, vel);
    set(js->joint, dParamFMax, fmax);
    set(js->joint, dParamCFM, cfm);
}

static void add_effort(const ps_joint_slot *js, double e)
{
    if (e == 0) return;
    if (js->type == PS_JOINT_HINGE) dJointAddHingeTorque(js->joint, e);
    else dJointAddSliderForce(js->joint, e);
}

static double clampd(double v, double lim) { return v > lim ? lim : v < -lim ? -lim : v; }

// Joint-side armature, kg m^2 or kg.
static double armature(const ps_actuator_def *a) { return a->armature + a->rotor_inertia * a->gear * a->gear; }

typedef void (*extra_param_fn)(dJointID, int, dReal);

// Dry friction of a servo-driven joint (see ps_robot_joint.extra): the servo
// owns the joint's own motor row, so friction gets a motor of its own.
static void apply_friction(ps_world *w, ps_robot_joint *j, const ps_joint_slot *js, bool servo)
{
    double fric = servo && !js->broken ? j->act.friction : 0;
    if (!j->extra && fric == 0) return;
    bool hinge = js->type == PS_JOINT_HINGE;
    if (!j->extra) {
        dBodyID b1 = dJointGetBody(js->joint, 0), b2 = dJointGetBody(js->joint, 1);
        dVector3 ax;
        if (hinge) dJointGetHingeAxis(js->joint, ax);
        else dJointGetSliderAxis(js->joint, ax);
        j->extra = hinge ? dJointCreateAMotor(w->world, 0) : dJointCreateLMotor(w->world, 0);
        dJointAttach(j->extra, b1, b2);
        if (hinge) {
            dJointSetAMotorMode(j->extra, dAMotorUser);
            dJointSetAMotorNumAxes(j->extra, 1);
            dJointSetAMotorAxis(j->extra, 0, 1, ax[0], ax[1], ax[2]);
        } else {
            dJointSetLMotorNumAxes(j->extra, 1);
            dJointSetLMotorAxis(j->extra, 0, 1, ax[0], ax[1], ax[2]);
        }
    }
    extra_param_fn set = hinge ? dJointSetAMotorParam : dJointSetLMotorParam;
    set(j->extra, dParamVel, 0);
    set(j->extra, dParamFMax, fric);
    set(j->extra, dParamCFM, w->def.cfm);
}

// Armature: ODE has no joint-space inertia, so the child body carries it. A
// hinge's child gets J a a^T added to its inertia (a the axis in its frame):
// exactly the armature for the joint's own motion. A slider's child gets J
// added to its mass (and its inertia scaled alike, as if it were denser),
// with gravity on that extra mass cancelled: exactly the armature along the
// slider; across it the child moves with its parent, which then drives the
// extra mass too (small for a hand's accelerations). Making light links
// heavier this way is also what lets QuickStep hold a heavy part between
// light fingers (a heavier mass alone, without the inertia, did not).
static void apply_armature(ps_world *w, ps_robot_joint *j, const ps_joint_slot *js)
{
    double want = js->broken ? 0 : armature(&j->act), d = want - j->armature_on;
    ps_body_slot *b = ps_world_body_slot(w, js->body1);
    if (!b || !b->body) return;
    if (d != 0) {
        double dI[9] = {0};
        if (js->type == PS_JOINT_HINGE) {
            dVector3 wa;
            dJointGetHingeAxis(js->joint, wa);
            const dReal *R = dBodyGetRotation(b->body);
            double a[3];
            for (int k = 0; k < 3; k++) a[k] = R[k] * wa[0] + R[4 + k] * wa[1] + R[8 + k] * wa[2];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) dI[3 * r + c] = d * a[r] * a[c];
            ps_body_add_armature(b, 0, dI);
        } else {
            // As if the child were denser: extra mass with inertia in
            // proportion, so the solver sees a uniformly heavier link.
            double m, I6[6];
            ps_body_get_mass(w, js->body1, &m, NULL, I6);
            double k = m > 0 ? d / m : 0;
            double I9[9] = {I6[0], I6[3], I6[4], I6[3], I6[1], I6[5], I6[4], I6[5], I6[2]};
            for (int r = 0; r < 9; r++) dI[r] = k * I9[r];
            ps_body_add_armature(b, d, dI);
        }
        j->armature_on = want;
    }
    if (js->type == PS_JOINT_SLIDER && want > 0 && dBodyGetGravityMode(b->body)) {
        ps_vec3 g = w->def.gravity;
        dBodyAddForce(b->body, -want * g.x, -want * g.y, -want * g.z);
    }
}

// At a stop ODE applies a powered joint's full force limit directly (one way
// or the other), so the force limit must be what the servo would really
// push with there: an infinite or large limit would hit the stop with it.
static bool at_stop(const ps_joint_slot *js, double q)
{
    return js->axes[0].limited && (q <= js->axes[0].lo || q >= js->axes[0].hi);
}

void ps_robot_apply_actuators(ps_world *w)
{
    const double h = w->def.timestep;
    for (uint32_t ri = 0; ri < w->robot_count; ri++) {
        ps_robot_slot *r = &w->robots[ri];
        if (!r->alive) continue;
        for (size_t i = 0; i < r->joint_count; i++) {
            ps_robot_joint *j = &r->joints[i];
            ps_joint_slot *js = ps_world_joint_slot(w, j->joint);
            if (!js) { // destroyed by the scene: the actuator is gone too
                if (j->extra) dJointDestroy(j->extra);
                j->extra = NULL;
                continue;
            }
            const ps_actuator_def *a = &j->act;
            double q = joint_q(js), qd = joint_qd(js);
            double fmax = a->effort_limit * a->gear, vmax = a->velocity_limit / a->gear;
            double effort = -a->damping * qd;
            if (j->mimic >= 0) {
                // Follow the master: a stiff implicit servo on the tracking error.
                ps_joint_slot *ms = ps_world_joint_slot(w, r->joints[j->mimic].joint);
                if (ms) {
                    double target = j->mimic_mult * joint_q(ms) + j->mimic_off;
                    double vel = j->mimic_mult * joint_qd(ms) + 0.5 * (target - q) / h;
                    if (at_stop(js, q)) fmax = 0; // the stop holds it; see at_stop
                    motor(js, clampd(vel, vmax), isfinite(fmax) ? fmax : dInfinity, 1e-9);
                }
            } else {
                switch (a->mode) {
                case PS_ACT_POSITION: {
                    // Implicit spring-damper: ERP = h kp / (h kp + kd), CFM = 1 / (h kp + kd).
                    // No velocity clamp here: it would cap the holding force at
                    // (h kp + kd) * velocity_limit whatever the effort limit.
                    double denom = h * a->kp + a->kd;
                    double vel = a->kp * (j->command - q) / denom;
                    if (at_stop(js, q)) fmax = fmin(fmax, fabs(a->kp * (j->command - q) - a->kd * qd));
                    motor(js, vel, isfinite(fmax) ? fmax : dInfinity, 1.0 / denom);
                    break;
                }
                case PS_ACT_VELOCITY:
                    if (at_stop(js, q)) fmax = fmin(fmax, a->kd > 0 ? a->kd * fabs(j->command - qd) : 0);
                    motor(js, j->command, isfinite(fmax) ? fmax : dInfinity, a->kd > 0 ? 1.0 / a->kd : w->def.cfm);
                    break;
                case PS_ACT_TORQUE:
                    effort += clampd(j->command * a->gear, fmax);
                    motor(js, 0, a->friction, w->def.cfm);
                    break;
                case PS_ACT_NONE: motor(js, 0, a->friction, w->def.cfm); break;
                }
            }
            bool servo = j->mimic >= 0 || a->mode == PS_ACT_POSITION || a->mode == PS_ACT_VELOCITY;
            apply_friction(w, j, js, servo);
            if (j->armature_on != 0 || armature(a) != 0) apply_armature(w, j, js);
            j->explicit_effort = effort;
            add_effort(js, effort);
        }
    }
}
