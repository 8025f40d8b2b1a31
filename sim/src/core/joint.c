// Joints with limits, velocity motors, friction and force feedback.
#include "world_internal.h"
#include "ode_guard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

ps_joint_def ps_default_joint_def(ps_joint_type type)
{
    ps_joint_def d = {
        .type = type,
        .axis = {0, 0, 1},
        .axis2 = {0, 1, 0},
    };
    for (int i = 0; i < 3; i++) {
        d.axes[i].stop_erp = 0.2;
        d.axes[i].stop_cfm = 1e-8;
    }
    return d;
}

ps_joint_slot *ps_world_joint_slot(const ps_world *w, ps_joint_id id)
{
    if (id.gen == 0 || id.world != w->tag || id.index >= w->joint_count) return NULL;
    ps_joint_slot *j = &w->joints[id.index];
    return (j->alive && j->gen == id.gen) ? j : NULL;
}

bool ps_joint_valid(const ps_world *w, ps_joint_id j) { return ps_world_joint_slot(w, j) != NULL; }

static int type_dof(ps_joint_type t)
{
    switch (t) {
    case PS_JOINT_HINGE: case PS_JOINT_SLIDER: return 1;
    case PS_JOINT_UNIVERSAL: return 2;
    case PS_JOINT_BALL: return 3;
    default: return 0;
    }
}

static bool rotational(ps_joint_type t) { return t != PS_JOINT_SLIDER; }

static const char *check_axis(ps_joint_type t, int i, const ps_joint_axis *a)
{
    if (!isfinite(a->motor_vel)) return "motor_vel must be finite";
    if (!(a->motor_fmax >= 0) || !isfinite(a->motor_fmax)) return "motor_fmax must be >= 0";
    if (!(a->friction >= 0) || !isfinite(a->friction)) return "friction must be >= 0";
    if (!(a->stop_erp > 0 && a->stop_erp <= 1)) return "stop_erp must be in (0, 1]";
    if (!(a->stop_cfm >= 0) || !isfinite(a->stop_cfm)) return "stop_cfm must be >= 0";
    if (!(a->bounce >= 0 && a->bounce <= 1)) return "bounce must be in [0, 1]";
    if (a->limited) {
        if (!isfinite(a->lo) || !isfinite(a->hi) || a->lo > a->hi) return "limits need finite lo <= hi";
        double bound = (t == PS_JOINT_BALL && i == 1) ? PI / 2 : PI;
        // A hinge counts turns, so any range is enforced (ps_joint_place_wide_stops).
        if (rotational(t) && t != PS_JOINT_HINGE && (a->lo < -bound || a->hi > bound))
            return (t == PS_JOINT_BALL && i == 1) ? "the ball joint's middle Euler angle limits must be within [-pi/2, pi/2]"
                                                  : "rotational limits must be within [-pi, pi]";
    }
    return NULL;
}

// Parameter ids of axis i (ODE numbers them dParamX, dParamX2, dParamX3).
static int param(int base, int i) { return base + i * dParamGroup; }

static void set_param(const ps_joint_slot *j, int p, double v)
{
    switch (j->type) {
    case PS_JOINT_HINGE: dJointSetHingeParam(j->joint, p, v); break;
    case PS_JOINT_SLIDER: dJointSetSliderParam(j->joint, p, v); break;
    case PS_JOINT_UNIVERSAL: dJointSetUniversalParam(j->joint, p, v); break;
    case PS_JOINT_BALL: dJointSetAMotorParam(j->amotor, p, v); break;
    default: break;
    }
}

static bool wide_limits(ps_joint_type t, const ps_joint_axis *a)
{
    return t == PS_JOINT_HINGE && a->limited && (a->lo < -PI || a->hi > PI);
}

static void set_stops(const ps_joint_slot *j, int i, double lo, double hi)
{
    // Set hi before lo when widening so ODE never sees lo > hi.
    set_param(j, param(dParamLoStop, i), -dInfinity);
    set_param(j, param(dParamHiStop, i), dInfinity);
    set_param(j, param(dParamHiStop, i), hi);
    set_param(j, param(dParamLoStop, i), lo);
}

static void place_wide_stops(ps_joint_slot *j);

static void apply_axis(ps_joint_slot *j, int i)
{
    const ps_joint_axis *a = &j->axes[i];
    if (i == 0) j->wide = wide_limits(j->type, a);
    // Set hi before lo when widening so ODE never sees lo > hi.
    set_param(j, param(dParamLoStop, i), -dInfinity);
    set_param(j, param(dParamHiStop, i), dInfinity);
    if (i == 0 && j->wide) {
        place_wide_stops(j);
    } else if (a->limited) {
        set_param(j, param(dParamHiStop, i), a->hi);
        set_param(j, param(dParamLoStop, i), a->lo);
    }
    set_param(j, param(dParamStopERP, i), a->stop_erp);
    set_param(j, param(dParamStopCFM, i), a->stop_cfm);
    set_param(j, param(dParamBounce, i), a->bounce);
    // An active motor drives to motor_vel; otherwise dry friction is a motor
    // holding zero velocity with the friction as its force limit.
    if (a->motor_fmax > 0) {
        set_param(j, param(dParamVel, i), a->motor_vel);
        set_param(j, param(dParamFMax, i), a->motor_fmax);
    } else {
        set_param(j, param(dParamVel, i), 0);
        set_param(j, param(dParamFMax, i), a->friction);
    }
}

// Turns to add to the stored count for ODE's current raw angle: the angle
// wrapped from +pi to -pi (one more turn) or back since the last count.
// Between two counts a hinge turns far less than pi (a step is short).
static int32_t turns_now(const ps_joint_slot *j, double raw)
{
    double d = raw - j->last_raw;
    return j->turns + (d < -PI ? 1 : d > PI ? -1 : 0);
}

double ps_joint_hinge_angle(const ps_joint_slot *j)
{
    double raw = dJointGetHingeAngle(j->joint);
    int32_t k = turns_now(j, raw);
    // Exactly ODE's angle within the first turn.
    return k == 0 ? raw : raw + 2 * PI * k;
}

void ps_joint_set_hinge_angle(ps_joint_slot *j, double q)
{
    double raw = dJointGetHingeAngle(j->joint);
    j->turns = (int32_t)lround((q - raw) / (2 * PI));
    j->last_raw = raw;
}

void ps_joint_count_turns(ps_world *w)
{
    for (uint32_t i = 0; i < w->joint_count; i++) {
        ps_joint_slot *j = &w->joints[i];
        if (!j->alive || j->type != PS_JOINT_HINGE || j->broken) continue;
        double raw = dJointGetHingeAngle(j->joint);
        j->turns = turns_now(j, raw);
        j->last_raw = raw;
    }
}

// Limits beyond [-pi, pi]: ODE's stops act on its wrapped angle, so each step
// the limits are moved into the current turn (raw = q - 2 pi k). A limit that
// lies outside (-pi, pi] in this turn cannot be reached before the angle
// wraps, and is left off until then.
static void place_wide_stops(ps_joint_slot *j)
{
    const ps_joint_axis *a = &j->axes[0];
    double raw = dJointGetHingeAngle(j->joint);
    double shift = 2 * PI * turns_now(j, raw);
    double lo = a->lo - shift, hi = a->hi - shift;
    set_stops(j, 0, lo < -PI ? -dInfinity : lo, hi > PI ? dInfinity : hi);
}

void ps_joint_place_wide_stops(ps_world *w)
{
    for (uint32_t i = 0; i < w->joint_count; i++) {
        ps_joint_slot *j = &w->joints[i];
        if (j->alive && j->wide && !j->broken) place_wide_stops(j);
    }
}

// World vector to a body's frame (the world frame for NULL).
static void to_local(dBodyID b, const double wv[3], double out[3])
{
    if (!b) {
        memcpy(out, wv, 3 * sizeof *out);
        return;
    }
    const dReal *R = dBodyGetRotation(b);
    for (int j = 0; j < 3; j++) out[j] = R[j] * wv[0] + R[4 + j] * wv[1] + R[8 + j] * wv[2];
}

static void to_world(dBodyID b, const double lv[3], double out[3])
{
    if (!b) {
        memcpy(out, lv, 3 * sizeof *out);
        return;
    }
    const dReal *R = dBodyGetRotation(b);
    for (int i = 0; i < 3; i++) out[i] = R[4 * i] * lv[0] + R[4 * i + 1] * lv[1] + R[4 * i + 2] * lv[2];
}

static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

static void cross3(const double a[3], const double b[3], double out[3])
{
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

// The Euler angles of a ball joint from the bodies' current orientations, as
// ODE's Euler AMotor defines them. dJointGetAMotorAngle returns the value ODE
// cached at the start of the last step, one step old.
static double ball_angle(const ps_joint_slot *j, int i)
{
    dBodyID b1 = dJointGetBody(j->amotor, 0), b2 = dJointGetBody(j->amotor, 1);
    double ax0[3], ax2[3], ax1[3], ref1[3], ref2[3], q[3];
    to_world(b1, j->euler[0], ax0);
    to_world(b2, j->euler[1], ax2);
    to_world(b1, j->euler[2], ref1);
    to_world(b2, j->euler[3], ref2);
    cross3(ax2, ax0, ax1);
    double n = sqrt(dot3(ax1, ax1));
    if (n > 0)
        for (int k = 0; k < 3; k++) ax1[k] /= n;
    switch (i) {
    case 0:
        cross3(ax0, ref1, q);
        return -atan2(dot3(ax2, q), dot3(ax2, ref1));
    case 1:
        cross3(ax0, ax1, q);
        return -atan2(dot3(ax2, ax0), dot3(ax2, q));
    default:
        cross3(ax1, ax2, q);
        return -atan2(dot3(ref2, ax1), dot3(ref2, q));
    }
}

static ps_vec3 vnorm(ps_vec3 v)
{
    double n = sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
    return (ps_vec3){v.x / n, v.y / n, v.z / n};
}

ps_joint_id ps_joint_create(ps_world *w, const ps_joint_def *def)
{
    const ps_joint_id none = PS_JOINT_NONE;
    if (!def) return ps_world_fail(w, PS_ERR_INVALID, "joint def is NULL"), none;
    const char *nm = def->name ? def->name : "";
    int dof = type_dof(def->type);
    if (def->type < PS_JOINT_HINGE || def->type > PS_JOINT_FIXED)
        return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': unknown type %d", nm, (int)def->type), none;
    ps_body_slot *b1 = ps_world_body_slot(w, def->body1);
    if (!b1) return ps_world_fail(w, PS_ERR_STALE, "joint '%s': body1 is not a live body", nm), none;
    ps_body_slot *b2 = NULL;
    if (ps_body_is_set(def->body2)) {
        b2 = ps_world_body_slot(w, def->body2);
        if (!b2) return ps_world_fail(w, PS_ERR_STALE, "joint '%s': body2 is not a live body", nm), none;
        if (b2 == b1) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': body1 and body2 are the same body", nm), none;
    }
    if (!b1->body) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': body1 '%s' is static", nm, b1->name), none;
    if (!ps_vec3_finite(def->anchor)) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': anchor must be finite", nm), none;
    ps_vec3 ax = def->axis, ax2 = def->axis2;
    double n1 = sqrt(ax.x * ax.x + ax.y * ax.y + ax.z * ax.z), n2 = sqrt(ax2.x * ax2.x + ax2.y * ax2.y + ax2.z * ax2.z);
    if (def->type != PS_JOINT_FIXED && def->type != PS_JOINT_BALL && (!isfinite(n1) || n1 < 1e-9))
        return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': axis must be finite and non-zero", nm), none;
    if (def->type == PS_JOINT_UNIVERSAL) {
        if (!isfinite(n2) || n2 < 1e-9)
            return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': axis2 must be finite and non-zero", nm), none;
        ax = vnorm(ax);
        ax2 = vnorm(ax2);
        if (fabs(ax.x * ax2.x + ax.y * ax2.y + ax.z * ax2.z) > 1e-6)
            return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': universal axes must be perpendicular", nm), none;
    }
    if (!(def->break_force >= 0) || !isfinite(def->break_force))
        return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': break_force must be a finite number >= 0 (N), got %g", nm, def->break_force), none;
    if (!(def->break_torque >= 0) || !isfinite(def->break_torque))
        return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': break_torque must be a finite number >= 0 (N m), got %g", nm, def->break_torque), none;
    for (int i = 0; i < dof; i++) {
        const char *bad = check_axis(def->type, i, &def->axes[i]);
        if (bad) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s' axis %d: %s", nm, i + 1, bad), none;
    }
    // Bodies get their final mass before joints fix anchors relative to it.
    ps_status st = ps_world_check_masses(w);
    if (st != PS_OK) return none;
    if (!ps_world_room(w, "joint", nm)) return none;

    uint32_t idx;
    if (w->joint_free != PS_NO_INDEX) {
        idx = w->joint_free;
        w->joint_free = w->joints[idx].next_free;
    } else {
        if (!ps_grow((void **)&w->joints, &w->joint_cap, w->joint_count + 1, sizeof *w->joints))
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
        idx = w->joint_count++;
    }
    ps_joint_slot *j = &w->joints[idx];
    uint32_t gen = j->gen + 1;
    if (gen == 0) gen = 1;
    memset(j, 0, sizeof *j);
    j->gen = gen;
    j->fb = calloc(1, sizeof *j->fb);
    char buf[32];
    if (!def->name || !*def->name) snprintf(buf, sizeof buf, "joint%u", idx);
    const char *name = (def->name && *def->name) ? def->name : buf;
    j->name = malloc(strlen(name) + 1);
    if (!j->fb || !j->name) {
        free(j->fb);
        free(j->name);
        j->next_free = w->joint_free;
        w->joint_free = idx;
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    }
    strcpy(j->name, name);
    j->alive = true;
    j->type = def->type;
    j->body1 = def->body1;
    j->body2 = b2 ? def->body2 : PS_BODY_NONE;
    memcpy(j->axes, def->axes, sizeof j->axes);
    w->joint_live++;

    ps_ode_init();
    dBodyID o1 = b1->body, o2 = b2 ? b2->body : NULL; // a static body2 means the world
    const ps_vec3 a = def->anchor;
    switch (def->type) {
    case PS_JOINT_HINGE:
        j->joint = dJointCreateHinge(w->world, 0);
        dJointAttach(j->joint, o1, o2);
        dJointSetHingeAnchor(j->joint, a.x, a.y, a.z);
        dJointSetHingeAxis(j->joint, ax.x, ax.y, ax.z);
        {
            double wa[3] = {ax.x, ax.y, ax.z}, n = sqrt(dot3(wa, wa));
            for (int k = 0; k < 3; k++) wa[k] /= n;
            to_local(o2, wa, j->axis2);
        }
        break;
    case PS_JOINT_SLIDER:
        j->joint = dJointCreateSlider(w->world, 0);
        dJointAttach(j->joint, o1, o2);
        dJointSetSliderAxis(j->joint, ax.x, ax.y, ax.z);
        break;
    case PS_JOINT_UNIVERSAL:
        j->joint = dJointCreateUniversal(w->world, 0);
        dJointAttach(j->joint, o1, o2);
        dJointSetUniversalAnchor(j->joint, a.x, a.y, a.z);
        dJointSetUniversalAxis1(j->joint, ax.x, ax.y, ax.z);
        dJointSetUniversalAxis2(j->joint, ax2.x, ax2.y, ax2.z);
        break;
    case PS_JOINT_BALL: {
        j->joint = dJointCreateBall(w->world, 0);
        dJointAttach(j->joint, o1, o2);
        dJointSetBallAnchor(j->joint, a.x, a.y, a.z);
        // Euler AMotor: axis 0 fixed in body1... ODE wants axis 0 on the first
        // attached body and axis 2 on the second; with no second body, both
        // are relative to the world (rel 0).
        j->amotor = dJointCreateAMotor(w->world, 0);
        dJointAttach(j->amotor, o1, o2);
        dJointSetAMotorMode(j->amotor, dAMotorEuler);
        const dReal *R1 = dBodyGetRotation(o1);
        // Axis 0 = body1's x as it is now; axis 2 = body2's (or world) z.
        double e0[3] = {R1[0], R1[4], R1[8]}, e2[3] = {0, 0, 1};
        if (o2) {
            const dReal *R2 = dBodyGetRotation(o2);
            e2[0] = R2[2]; e2[1] = R2[6]; e2[2] = R2[10];
        }
        dJointSetAMotorAxis(j->amotor, 0, 1, e0[0], e0[1], e0[2]);
        dJointSetAMotorAxis(j->amotor, 2, o2 ? 2 : 0, e2[0], e2[1], e2[2]);
        // ODE's reference vectors: axis 2 seen from body1, axis 0 seen from body2.
        to_local(o1, e0, j->euler[0]);
        to_local(o2, e2, j->euler[1]);
        to_local(o1, e2, j->euler[2]);
        to_local(o2, e0, j->euler[3]);
        break;
    }
    case PS_JOINT_FIXED:
        j->joint = dJointCreateFixed(w->world, 0);
        dJointAttach(j->joint, o1, o2);
        dJointSetFixed(j->joint);
        break;
    }
    dJointSetData(j->joint, (void *)(uintptr_t)idx);
    j->break_force = def->break_force;
    j->break_torque = def->break_torque;
    if (j->break_force > 0 || j->break_torque > 0) {
        // The anchor relative to body1's centre of mass, in its frame.
        const dReal *p1 = dBodyGetPosition(o1);
        double rel[3] = {a.x - p1[0], a.y - p1[1], a.z - p1[2]};
        to_local(o1, rel, j->anchor1);
    }
    if (def->feedback || j->break_force > 0 || j->break_torque > 0) dJointSetFeedback(j->joint, j->fb);
    for (int i = 0; i < dof; i++) apply_axis(j, i);
    b1->joint_refs++;
    if (b2) b2->joint_refs++;
    return (ps_joint_id){idx, gen, w->tag};
}

void ps_joint_destroy_slot(ps_world *w, uint32_t idx)
{
    ps_joint_slot *j = &w->joints[idx];
    if (j->amotor) dJointDestroy(j->amotor);
    if (j->joint) dJointDestroy(j->joint);
    ps_body_slot *b1 = ps_world_body_slot(w, j->body1), *b2 = ps_world_body_slot(w, j->body2);
    if (b1 && b1->joint_refs) b1->joint_refs--;
    if (b2 && b2->joint_refs) b2->joint_refs--;
    free(j->fb);
    free(j->name);
    j->fb = NULL;
    j->name = NULL;
    j->joint = j->amotor = NULL;
    j->alive = false;
    j->next_free = w->joint_free;
    w->joint_free = idx;
    w->joint_live--;
}

ps_status ps_joint_destroy(ps_world *w, ps_joint_id id)
{
    if (!ps_world_joint_slot(w, id)) return ps_world_fail(w, PS_ERR_STALE, "%s joint id", ps_world_id_problem(w, id.world));
    ps_joint_destroy_slot(w, id.index);
    return PS_OK;
}

void ps_world_free_joints(ps_world *w)
{
    for (uint32_t i = 0; i < w->joint_count; i++)
        if (w->joints[i].alive) ps_joint_destroy_slot(w, i);
    free(w->joints);
    w->joints = NULL;
    w->joint_count = w->joint_cap = 0;
}

ps_joint_id ps_joint_find(const ps_world *w, const char *name)
{
    if (name)
        for (uint32_t i = 0; i < w->joint_count; i++)
            if (w->joints[i].alive && strcmp(w->joints[i].name, name) == 0) return (ps_joint_id){i, w->joints[i].gen, w->tag};
    return PS_JOINT_NONE;
}

const char *ps_joint_name(const ps_world *w, ps_joint_id id)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    return j ? j->name : NULL;
}

ps_joint_type ps_joint_get_type(const ps_world *w, ps_joint_id id)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    return j ? j->type : PS_JOINT_FIXED;
}

int ps_joint_dof(const ps_world *w, ps_joint_id id)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    return j ? type_dof(j->type) : 0;
}

static ps_joint_slot *axis_slot(const ps_world *w, ps_joint_id id, int i)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    if (!j || i < 0 || i >= type_dof(j->type)) return NULL;
    return j;
}

ps_status ps_joint_get_position(const ps_world *w, ps_joint_id id, int i, double *out)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE;
    if (j->broken) {
        *out = 0;
        return PS_OK;
    }
    switch (j->type) {
    case PS_JOINT_HINGE: *out = ps_joint_hinge_angle(j); break;
    case PS_JOINT_SLIDER: *out = dJointGetSliderPosition(j->joint); break;
    case PS_JOINT_UNIVERSAL: *out = i == 0 ? dJointGetUniversalAngle1(j->joint) : dJointGetUniversalAngle2(j->joint); break;
    case PS_JOINT_BALL: *out = ball_angle(j, i); break;
    default: return PS_ERR_INVALID;
    }
    return PS_OK;
}

ps_status ps_joint_get_rate(const ps_world *w, ps_joint_id id, int i, double *out)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE;
    if (j->broken) {
        *out = 0;
        return PS_OK;
    }
    switch (j->type) {
    case PS_JOINT_HINGE: *out = dJointGetHingeAngleRate(j->joint); break;
    case PS_JOINT_SLIDER: *out = dJointGetSliderPositionRate(j->joint); break;
    case PS_JOINT_UNIVERSAL:
        *out = i == 0 ? dJointGetUniversalAngle1Rate(j->joint) : dJointGetUniversalAngle2Rate(j->joint);
        break;
    case PS_JOINT_BALL: *out = dJointGetAMotorAngleRate(j->amotor, i); break;
    default: return PS_ERR_INVALID;
    }
    return PS_OK;
}

ps_status ps_joint_get_world_frame(const ps_world *w, ps_joint_id id, int i, ps_vec3 *anchor, ps_vec3 *axis)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE;
    dVector3 p = {0, 0, 0, 0}, a = {0, 0, 1, 0};
    switch (j->type) {
    case PS_JOINT_HINGE:
        dJointGetHingeAnchor(j->joint, p);
        dJointGetHingeAxis(j->joint, a);
        break;
    case PS_JOINT_SLIDER: {
        ps_vec3 lo;
        ps_body_point_to_world(w, j->body1, (ps_vec3){0, 0, 0}, &lo);
        p[0] = lo.x; p[1] = lo.y; p[2] = lo.z;
        dJointGetSliderAxis(j->joint, a);
        break;
    }
    case PS_JOINT_UNIVERSAL:
        dJointGetUniversalAnchor(j->joint, p);
        if (i == 0) dJointGetUniversalAxis1(j->joint, a);
        else dJointGetUniversalAxis2(j->joint, a);
        break;
    case PS_JOINT_BALL: {
        dJointGetBallAnchor(j->joint, p);
        dBodyID b1 = dJointGetBody(j->amotor, 0), b2 = dJointGetBody(j->amotor, 1);
        double ax0[3], ax2[3], v[3];
        to_world(b1, j->euler[0], ax0);
        to_world(b2, j->euler[1], ax2);
        if (i == 0) memcpy(v, ax0, sizeof v);
        else if (i == 2) memcpy(v, ax2, sizeof v);
        else {
            cross3(ax2, ax0, v);
            double n = sqrt(dot3(v, v));
            for (int k = 0; n > 0 && k < 3; k++) v[k] /= n;
        }
        a[0] = v[0]; a[1] = v[1]; a[2] = v[2];
        break;
    }
    default: return PS_ERR_INVALID;
    }
    if (anchor) *anchor = (ps_vec3){p[0], p[1], p[2]};
    if (axis) *axis = (ps_vec3){a[0], a[1], a[2]};
    return PS_OK;
}

ps_status ps_joint_set_axis(ps_world *w, ps_joint_id id, int i, const ps_joint_axis *axis)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_fail(w, ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE, "joint axis %d does not exist", i + 1);
    const char *bad = check_axis(j->type, i, axis);
    if (bad) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s' axis %d: %s", j->name, i + 1, bad);
    j->axes[i] = *axis;
    apply_axis(j, i);
    return PS_OK;
}

ps_status ps_joint_get_axis(const ps_world *w, ps_joint_id id, int i, ps_joint_axis *out)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE;
    *out = j->axes[i];
    return PS_OK;
}

ps_status ps_joint_set_motor(ps_world *w, ps_joint_id id, int i, double vel, double fmax)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_fail(w, ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE, "joint axis %d does not exist", i + 1);
    if (!isfinite(vel) || !(fmax >= 0) || !isfinite(fmax))
        return ps_world_fail(w, PS_ERR_INVALID, "joint '%s' motor: vel must be finite and fmax >= 0", j->name);
    j->axes[i].motor_vel = vel;
    j->axes[i].motor_fmax = fmax;
    if (fmax > 0) {
        set_param(j, param(dParamVel, i), vel);
        set_param(j, param(dParamFMax, i), fmax);
    } else {
        set_param(j, param(dParamVel, i), 0);
        set_param(j, param(dParamFMax, i), j->axes[i].friction);
    }
    return PS_OK;
}

ps_status ps_joint_add_effort(ps_world *w, ps_joint_id id, int i, double e)
{
    ps_joint_slot *j = axis_slot(w, id, i);
    if (!j) return ps_world_fail(w, ps_world_joint_slot(w, id) ? PS_ERR_INVALID : PS_ERR_STALE, "joint axis %d does not exist", i + 1);
    if (!isfinite(e)) return ps_world_fail(w, PS_ERR_INVALID, "joint '%s': effort must be finite", j->name);
    if (j->broken) return PS_OK;
    switch (j->type) {
    case PS_JOINT_HINGE: dJointAddHingeTorque(j->joint, e); break;
    case PS_JOINT_SLIDER: dJointAddSliderForce(j->joint, e); break;
    case PS_JOINT_UNIVERSAL:
        dJointAddUniversalTorques(j->joint, i == 0 ? e : 0, i == 1 ? e : 0);
        break;
    case PS_JOINT_BALL:
        dJointAddAMotorTorques(j->amotor, i == 0 ? e : 0, i == 1 ? e : 0, i == 2 ? e : 0);
        break;
    default: break;
    }
    return PS_OK;
}

ps_status ps_joint_get_feedback(const ps_world *w, ps_joint_id id, ps_vec3 *f1, ps_vec3 *t1, ps_vec3 *f2, ps_vec3 *t2)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    if (!j) return PS_ERR_STALE;
    if (dJointGetFeedback(j->joint) == NULL) return PS_ERR_STATE;
    const dJointFeedback *fb = j->fb;
    if (f1) *f1 = (ps_vec3){fb->f1[0], fb->f1[1], fb->f1[2]};
    if (t1) *t1 = (ps_vec3){fb->t1[0], fb->t1[1], fb->t1[2]};
    if (f2) *f2 = (ps_vec3){fb->f2[0], fb->f2[1], fb->f2[2]};
    if (t2) *t2 = (ps_vec3){fb->t2[0], fb->t2[1], fb->t2[2]};
    return PS_OK;
}

bool ps_joint_broken(const ps_world *w, ps_joint_id id)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    return j && j->broken;
}

uint64_t ps_joint_broken_step(const ps_world *w, ps_joint_id id)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    return (j && j->broken) ? j->broken_step : 0;
}

ps_status ps_joint_get_load(const ps_world *w, ps_joint_id id, double *force, double *torque)
{
    ps_joint_slot *j = ps_world_joint_slot(w, id);
    if (!j) return PS_ERR_STALE;
    if (!(j->break_force > 0 || j->break_torque > 0)) return PS_ERR_STATE;
    if (force) *force = j->load_force;
    if (torque) *torque = j->load_torque;
    return PS_OK;
}

void ps_joint_check_breaks(ps_world *w)
{
    for (uint32_t i = 0; i < w->joint_count; i++) {
        ps_joint_slot *j = &w->joints[i];
        if (!j->alive || j->broken || !(j->break_force > 0 || j->break_torque > 0)) continue;
        dBodyID b1 = dJointGetBody(j->joint, 0);
        if (!b1 || !dJointIsEnabled(j->joint)) continue;
        const dJointFeedback *fb = j->fb;
        double r[3], a[3], f[3] = {fb->f1[0], fb->f1[1], fb->f1[2]}, m[3];
        to_world(b1, j->anchor1, r);  // anchor - centre of mass, world frame
        for (int k = 0; k < 3; k++) a[k] = -r[k];
        // Torque about the anchor = torque about the COM + (com - anchor) x f.
        cross3(a, f, m);
        for (int k = 0; k < 3; k++) m[k] += fb->t1[k];
        j->load_force = sqrt(dot3(f, f));
        j->load_torque = sqrt(dot3(m, m));
        if ((j->break_force > 0 && j->load_force > j->break_force) ||
            (j->break_torque > 0 && j->load_torque > j->break_torque)) {
            // Disabled, not detached: ODE leaves disabled joints out of the
            // islands, the collision filter (contact.c) ignores them, and
            // state restore (state.c) re-enables it with its relative pose intact.
            dJointDisable(j->joint);
            if (j->amotor) dJointDisable(j->amotor);
            w->joint_disabled = true;
            memset(j->fb, 0, sizeof *j->fb);
            j->broken = true;
            j->broken_step = w->steps;
        }
    }
}

void ps_joint_errors(const ps_world *w, double *lin, double *ang)
{
    double el = 0, ea = 0;
    for (uint32_t i = 0; i < w->joint_count; i++) {
        const ps_joint_slot *j = &w->joints[i];
        if (!j->alive || j->broken) continue;
        dVector3 a1, a2;
        switch (j->type) {
        case PS_JOINT_HINGE: {
            dJointGetHingeAnchor(j->joint, a1);
            dJointGetHingeAnchor2(j->joint, a2);
            dVector3 x1;
            double x2[3];
            dJointGetHingeAxis(j->joint, x1);
            to_world(dJointGetBody(j->joint, 1), j->axis2, x2);
            double c[3], d1[3] = {x1[0], x1[1], x1[2]};
            cross3(d1, x2, c);
            ea = fmax(ea, atan2(sqrt(dot3(c, c)), dot3(d1, x2)));
            break;
        }
        case PS_JOINT_BALL:
            dJointGetBallAnchor(j->joint, a1);
            dJointGetBallAnchor2(j->joint, a2);
            break;
        case PS_JOINT_UNIVERSAL:
            dJointGetUniversalAnchor(j->joint, a1);
            dJointGetUniversalAnchor2(j->joint, a2);
            break;
        default: continue;
        }
        double d[3] = {a1[0] - a2[0], a1[1] - a2[1], a1[2] - a2[2]};
        el = fmax(el, sqrt(dot3(d, d)));
    }
    *lin = el;
    *ang = ea;
}
