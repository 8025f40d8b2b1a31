// Rigid bodies: the link frame users see, ODE's body at the centre of mass.
#include "world_internal.h"
#include "ode_guard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ps_body_def ps_default_body_def(void)
{
    return (ps_body_def){
        .name = NULL,
        .kind = PS_BODY_DYNAMIC,
        .pose = ps_pose_identity(),
        .gravity = true,
    };
}

ps_body_slot *ps_world_body_slot(const ps_world *w, ps_body_id id)
{
    if (id.gen == 0 || id.world != w->tag || id.index >= w->body_count) return NULL;
    ps_body_slot *b = &w->bodies[id.index];
    return (b->alive && b->gen == id.gen) ? b : NULL;
}

bool ps_body_valid(const ps_world *w, ps_body_id b) { return ps_world_body_slot(w, b) != NULL; }

static char *dup_name(const char *name, const char *prefix, uint32_t index)
{
    char buf[48];
    if (!name || !*name) {
        snprintf(buf, sizeof buf, "%s%u", prefix, index);
        name = buf;
    }
    size_t n = strlen(name) + 1;
    char *s = malloc(n);
    if (s) memcpy(s, name, n);
    return s;
}

// Checks a symmetric inertia matrix is positive definite (Sylvester).
bool ps_inertia_ok(const double I[6])
{
    for (int i = 0; i < 6; i++)
        if (!isfinite(I[i])) return false;
    double a = I[0], b = I[1], c = I[2], xy = I[3], xz = I[4], yz = I[5];
    double m2 = a * b - xy * xy;
    double det = a * (b * c - yz * yz) - xy * (xy * c - yz * xz) + xz * (xy * yz - b * xz);
    return a > 0 && m2 > 0 && det > 0;
}

// Gives ODE the mass `m` (about the link origin, centre m.c) and moves the ODE
// body to the new centre of mass, keeping the link frame where it is.
// Adds the armature the body carries to a mass about its centre of mass.
static void with_armature(const ps_body_slot *b, dMass *m)
{
    m->mass += b->arm_mass;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) m->I[4 * i + j] += b->arm_I[3 * i + j];
}

void ps_body_add_armature(ps_body_slot *b, double dmass, const double dI[9])
{
    b->arm_mass += dmass;
    for (int i = 0; i < 9; i++) b->arm_I[i] += dI[i];
    if (!b->body || !b->has_mass) return;
    dMass m;
    dBodyGetMass(b->body, &m);
    m.mass += dmass;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) m.I[4 * i + j] += dI[3 * i + j];
    dBodySetMass(b->body, &m);
}

static void apply_mass(ps_world *w, ps_body_slot *b, dMass m)
{
    ps_pose link;
    const dReal *p = dBodyGetPosition(b->body), *q = dBodyGetQuaternion(b->body);
    ps_quat rq = {q[0], q[1], q[2], q[3]};
    ps_vec3 oc = ps_quat_rotate(rq, b->com);
    link.p = (ps_vec3){p[0] - oc.x, p[1] - oc.y, p[2] - oc.z};
    link.q = rq;

    b->com = (ps_vec3){m.c[0], m.c[1], m.c[2]};
    dMassTranslate(&m, -m.c[0], -m.c[1], -m.c[2]);
    m.c[0] = m.c[1] = m.c[2] = 0;
    with_armature(b, &m);
    dBodySetMass(b->body, &m);
    b->has_mass = true;

    ps_vec3 nc = ps_quat_rotate(link.q, b->com);
    dBodySetPosition(b->body, link.p.x + nc.x, link.p.y + nc.y, link.p.z + nc.z);
    ps_body_apply_geom_offsets(w, b);
    w->extent_unchecked = true;
}

// ODE keeps a dMass's inertia about the reference point (the link origin),
// with c the centre of mass: build it about the COM, then move it there.
static dMass mass_about_com(double mass, ps_vec3 com, const double I[6])
{
    dMass m;
    dMassSetParameters(&m, mass, 0, 0, 0, I[0], I[1], I[2], I[3], I[4], I[5]);
    dMassTranslate(&m, com.x, com.y, com.z);
    return m;
}

// Mass properties of a closed triangle mesh of density rho, in the mesh's
// own frame (signed tetrahedra from the origin). Not dMassSetTrimesh: that
// one integrates in world coordinates, at wherever the geom happens to be.
static bool trimesh_mass(const ps_geom_slot *g, double rho, dMass *out)
{
    const double *v = g->verts;
    double vol = 0, c[3] = {0, 0, 0}, S[3][3] = {{0}};
    for (int t = 0; t < g->def.tri_count; t++) {
        const double *a = v + 3 * g->tris[3 * t], *b = v + 3 * g->tris[3 * t + 1], *e = v + 3 * g->tris[3 * t + 2];
        double det = a[0] * (b[1] * e[2] - b[2] * e[1]) - a[1] * (b[0] * e[2] - b[2] * e[0]) +
                     a[2] * (b[0] * e[1] - b[1] * e[0]);
        double s[3] = {a[0] + b[0] + e[0], a[1] + b[1] + e[1], a[2] + b[2] + e[2]};
        vol += det / 6;
        for (int i = 0; i < 3; i++) {
            c[i] += det / 24 * s[i];
            for (int j = 0; j < 3; j++)
                S[i][j] += det / 120 * (a[i] * a[j] + b[i] * b[j] + e[i] * e[j] + s[i] * s[j]);
        }
    }
    if (!(vol > 1e-15) || !isfinite(vol)) return false;
    double m = rho * vol, tr = rho * (S[0][0] + S[1][1] + S[2][2]);
    dMassSetParameters(out, m, c[0] / vol, c[1] / vol, c[2] / vol, tr - rho * S[0][0], tr - rho * S[1][1],
                       tr - rho * S[2][2], -rho * S[0][1], -rho * S[0][2], -rho * S[1][2]);
    return m > 0 && isfinite(m);
}

ps_body_id ps_body_create(ps_world *w, const ps_body_def *def)
{
    if (!def) return ps_world_fail(w, PS_ERR_INVALID, "body def is NULL"), PS_BODY_NONE;
    const char *nm = def->name ? def->name : "";
    ps_pose pose = def->pose;
    if (def->kind != PS_BODY_DYNAMIC && def->kind != PS_BODY_KINEMATIC && def->kind != PS_BODY_STATIC)
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': unknown kind %d", nm, (int)def->kind), PS_BODY_NONE;
    if (!ps_vec3_finite(pose.p) || !ps_quat_normalize(&pose.q))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': pose must be finite with a non-zero quaternion", nm), PS_BODY_NONE;
    if (!ps_vec3_finite(def->linvel) || !ps_vec3_finite(def->angvel))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': velocities must be finite", nm), PS_BODY_NONE;
    if (!(def->mass >= 0) || !isfinite(def->mass))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': mass must be >= 0 kg, got %g", nm, def->mass), PS_BODY_NONE;
    if (def->has_inertia && (!(def->mass > 0) || !ps_inertia_ok(def->inertia) || !ps_vec3_finite(def->com)))
        return ps_world_fail(w, PS_ERR_INVALID,
                             "body '%s': explicit inertia needs mass > 0, a finite com and a positive-definite inertia", nm), PS_BODY_NONE;
    if (!(def->linear_damping >= 0 && def->linear_damping <= 1) || !(def->angular_damping >= 0 && def->angular_damping <= 1))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': damping must be in [0, 1]", nm), PS_BODY_NONE;

    if (!ps_world_room(w, "body", nm)) return PS_BODY_NONE;
    uint32_t idx;
    if (w->body_free != PS_NO_INDEX) {
        idx = w->body_free;
        w->body_free = w->bodies[idx].next_free;
    } else {
        if (!ps_grow((void **)&w->bodies, &w->body_cap, w->body_count + 1, sizeof *w->bodies))
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), PS_BODY_NONE;
        idx = w->body_count++;
    }
    ps_body_slot *b = &w->bodies[idx];
    uint32_t gen = b->gen + 1;
    if (gen == 0) gen = 1;
    memset(b, 0, sizeof *b);
    b->gen = gen;
    b->name = dup_name(def->name, "body", idx);
    if (!b->name) {
        b->next_free = w->body_free;
        w->body_free = idx;
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), PS_BODY_NONE;
    }
    b->alive = true;
    b->kind = def->kind;
    b->first_geom = PS_NO_INDEX;
    b->static_pose = pose;
    dMassSetZero(&b->acc);
    w->body_live++;
    if (def->kind == PS_BODY_DYNAMIC) w->masses_unchecked = true;
    w->extent_unchecked = true;

    if (def->kind != PS_BODY_STATIC) {
        ps_ode_init();
        b->body = dBodyCreate(w->world);
        dBodySetData(b->body, (void *)(uintptr_t)idx);
        dBodySetQuaternion(b->body, (dReal[4]){pose.q.w, pose.q.x, pose.q.y, pose.q.z});
        dBodySetPosition(b->body, pose.p.x, pose.p.y, pose.p.z);
        dBodySetLinearVel(b->body, def->linvel.x, def->linvel.y, def->linvel.z);
        dBodySetAngularVel(b->body, def->angvel.x, def->angvel.y, def->angvel.z);
        dBodySetLinearDamping(b->body, def->linear_damping);
        dBodySetAngularDamping(b->body, def->angular_damping);
        dBodySetGravityMode(b->body, def->gravity ? 1 : 0);
        dBodySetAutoDisableFlag(b->body, 0);
        if (def->kind == PS_BODY_KINEMATIC) {
            dBodySetKinematic(b->body);
        } else if (def->has_inertia) {
            b->mass_mode = PS_MASS_EXPLICIT;
            apply_mass(w, b, mass_about_com(def->mass, def->com, def->inertia));
        } else if (def->mass > 0) {
            b->mass_mode = PS_MASS_SHAPED;
            b->mass_target = def->mass;
        } else {
            b->mass_mode = PS_MASS_DENSITY;
        }
    }
    return (ps_body_id){idx, gen, w->tag};
}

ps_status ps_body_destroy(ps_world *w, ps_body_id id)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return ps_world_fail(w, PS_ERR_STALE, "%s body id", ps_world_id_problem(w, id.world));
    for (uint32_t j = 0; j < w->joint_count; j++) {
        ps_joint_slot *js = &w->joints[j];
        if (!js->alive) continue;
        if ((js->body1.index == id.index && js->body1.gen == id.gen) ||
            (js->body2.index == id.index && js->body2.gen == id.gen))
            ps_joint_destroy_slot(w, j);
    }
    while (b->first_geom != PS_NO_INDEX) ps_geom_destroy_slot(w, b->first_geom);
    if (b->body) dBodyDestroy(b->body);
    b->body = NULL;
    free(b->name);
    b->name = NULL;
    b->alive = false;
    b->next_free = w->body_free;
    w->body_free = id.index;
    w->body_live--;
    return PS_OK;
}

ps_body_id ps_body_find(const ps_world *w, const char *name)
{
    if (!name) return PS_BODY_NONE;
    for (uint32_t i = 0; i < w->body_count; i++)
        if (w->bodies[i].alive && strcmp(w->bodies[i].name, name) == 0) return (ps_body_id){i, w->bodies[i].gen, w->tag};
    return PS_BODY_NONE;
}

const char *ps_body_name(const ps_world *w, ps_body_id id)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    return b ? b->name : NULL;
}

ps_body_kind ps_body_get_kind(const ps_world *w, ps_body_id id)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    return b ? b->kind : PS_BODY_STATIC;
}

static ps_pose link_pose(const ps_body_slot *b)
{
    if (!b->body) return b->static_pose;
    const dReal *p = dBodyGetPosition(b->body), *q = dBodyGetQuaternion(b->body);
    ps_pose out = {{p[0], p[1], p[2]}, {q[0], q[1], q[2], q[3]}};
    ps_vec3 c = ps_quat_rotate(out.q, b->com);
    out.p.x -= c.x; out.p.y -= c.y; out.p.z -= c.z;
    return out;
}

ps_status ps_body_get_pose(const ps_world *w, ps_body_id id, ps_pose *out)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    *out = link_pose(b);
    return PS_OK;
}

ps_status ps_body_get_linvel(const ps_world *w, ps_body_id id, ps_vec3 *out)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    if (!b->body) { *out = (ps_vec3){0, 0, 0}; return PS_OK; }
    const dReal *v = dBodyGetLinearVel(b->body);
    *out = (ps_vec3){v[0], v[1], v[2]};
    return PS_OK;
}

ps_status ps_body_get_angvel(const ps_world *w, ps_body_id id, ps_vec3 *out)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    if (!b->body) { *out = (ps_vec3){0, 0, 0}; return PS_OK; }
    const dReal *v = dBodyGetAngularVel(b->body);
    *out = (ps_vec3){v[0], v[1], v[2]};
    return PS_OK;
}

ps_status ps_body_get_com_world(const ps_world *w, ps_body_id id, ps_vec3 *out)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    if (!b->body) { *out = b->static_pose.p; return PS_OK; }
    const dReal *p = dBodyGetPosition(b->body);
    *out = (ps_vec3){p[0], p[1], p[2]};
    return PS_OK;
}

ps_status ps_body_set_pose(ps_world *w, ps_body_id id, ps_pose pose)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return ps_world_fail(w, PS_ERR_STALE, "%s body id", ps_world_id_problem(w, id.world));
    if (!ps_vec3_finite(pose.p) || !ps_quat_normalize(&pose.q))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': pose must be finite with a non-zero quaternion", b->name);
    w->extent_unchecked = true;
    w->pose_epoch++;
    if (!b->body) {
        b->static_pose = pose;
        for (uint32_t g = b->first_geom; g != PS_NO_INDEX; g = w->geoms[g].next_in_body)
            ps_geom_place_static(w, &w->geoms[g], &pose);
        return PS_OK;
    }
    ps_vec3 c = ps_quat_rotate(pose.q, b->com);
    dBodySetQuaternion(b->body, (dReal[4]){pose.q.w, pose.q.x, pose.q.y, pose.q.z});
    dBodySetPosition(b->body, pose.p.x + c.x, pose.p.y + c.y, pose.p.z + c.z);
    return PS_OK;
}

static ps_status set_vel(ps_world *w, ps_body_id id, ps_vec3 v, bool angular)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return ps_world_fail(w, PS_ERR_STALE, "%s body id", ps_world_id_problem(w, id.world));
    if (!ps_vec3_finite(v))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': velocity must be finite", b->name);
    if (!b->body) return ps_world_fail(w, PS_ERR_STATE, "body '%s' is static: it has no velocity", b->name);
    if (angular) dBodySetAngularVel(b->body, v.x, v.y, v.z);
    else dBodySetLinearVel(b->body, v.x, v.y, v.z);
    return PS_OK;
}

ps_status ps_body_set_linvel(ps_world *w, ps_body_id b, ps_vec3 v) { return set_vel(w, b, v, false); }
ps_status ps_body_set_angvel(ps_world *w, ps_body_id b, ps_vec3 v) { return set_vel(w, b, v, true); }

ps_status ps_body_get_mass(const ps_world *w, ps_body_id id, double *mass, ps_vec3 *com, double inertia[6])
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    dMass m;
    if (b->body && b->has_mass && b->kind == PS_BODY_DYNAMIC) {
        dBodyGetMass(b->body, &m);
        m.mass -= b->arm_mass; // the body's own, without the armature it carries
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) m.I[4 * i + j] -= b->arm_I[3 * i + j];
    } else {
        dMassSetZero(&m);
    }
    if (mass) *mass = m.mass;
    if (com) *com = b->com;
    if (inertia) {
        inertia[0] = m.I[0]; inertia[1] = m.I[5]; inertia[2] = m.I[10];
        inertia[3] = m.I[1]; inertia[4] = m.I[2]; inertia[5] = m.I[6];
    }
    return PS_OK;
}

ps_status ps_body_set_mass(ps_world *w, ps_body_id id, double mass, ps_vec3 com, const double inertia[6])
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return ps_world_fail(w, PS_ERR_STALE, "%s body id", ps_world_id_problem(w, id.world));
    if (b->kind != PS_BODY_DYNAMIC) return ps_world_fail(w, PS_ERR_STATE, "body '%s' is not dynamic", b->name);
    if (!(mass > 0) || !isfinite(mass) || !inertia || !ps_inertia_ok(inertia) || !ps_vec3_finite(com))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': need mass > 0, finite com, positive-definite inertia", b->name);
    if (b->joint_refs) {
        // ODE keeps joint anchors relative to the centre of mass: with joints
        // attached the mass and inertia may change, the centre of mass not.
        if (com.x != b->com.x || com.y != b->com.y || com.z != b->com.z)
            return ps_world_fail(w, PS_ERR_STATE,
                                 "body '%s': the centre of mass cannot move once joints are attached (keep com = (%g, %g, %g))",
                                 b->name, b->com.x, b->com.y, b->com.z);
        dMass m;
        dMassSetParameters(&m, mass, 0, 0, 0, inertia[0], inertia[1], inertia[2], inertia[3], inertia[4], inertia[5]);
        with_armature(b, &m);
        dBodySetMass(b->body, &m);
        b->mass_mode = PS_MASS_EXPLICIT;
        return PS_OK;
    }
    b->mass_mode = PS_MASS_EXPLICIT;
    apply_mass(w, b, mass_about_com(mass, com, inertia));
    return PS_OK;
}

static ps_status add_geom_mass(ps_world *w, uint32_t index, const ps_geom_slot *g)
{
    ps_body_slot *b = &w->bodies[index];
    if (b->kind != PS_BODY_DYNAMIC || b->mass_mode == PS_MASS_EXPLICIT) return PS_OK;
    const ps_geom_def *d = &g->def;
    // Shaped bodies take the geometry at unit density and scale to the target.
    double rho = b->mass_mode == PS_MASS_SHAPED ? 1.0 : d->density;
    if (rho <= 0) return PS_OK;
    dMass m;
    switch (d->type) {
    case PS_GEOM_BOX: dMassSetBox(&m, rho, d->size.x, d->size.y, d->size.z); break;
    case PS_GEOM_SPHERE: dMassSetSphere(&m, rho, d->radius); break;
    case PS_GEOM_CAPSULE: dMassSetCapsule(&m, rho, 3, d->radius, d->length); break;
    case PS_GEOM_CYLINDER: dMassSetCylinder(&m, rho, 3, d->radius, d->length); break;
    case PS_GEOM_TRIMESH:
        if (!trimesh_mass(g, rho, &m))
            return ps_world_fail(w, PS_ERR_INVALID,
                                 "body '%s': trimesh has no positive volume (open or inward-facing mesh); give the body an explicit mass and inertia",
                                 b->name);
        break;
    default: return PS_OK;
    }
    dMatrix3 R;
    dQuaternion q = {g->local.q.w, g->local.q.x, g->local.q.y, g->local.q.z};
    dQtoR(q, R);
    dMassRotate(&m, R);
    dMassTranslate(&m, g->local.p.x, g->local.p.y, g->local.p.z);
    dMass prev = b->acc;
    if (b->acc.mass > 0) dMassAdd(&b->acc, &m);
    else b->acc = m;

    dMass total = b->acc;
    if (b->mass_mode == PS_MASS_SHAPED) dMassAdjust(&total, b->mass_target);
    // Extreme sizes give a mass that underflows to 0 (a sphere of radius
    // 1e-300) or overflows (a box of 1e308): Debian's ODE aborts on those.
    // (ODE's check is on the inertia about the centre of mass.)
    const double *c = total.c, mm = total.mass, cc = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
    double I[6] = {total.I[0] - mm * (cc - c[0] * c[0]), total.I[5] - mm * (cc - c[1] * c[1]),
                   total.I[10] - mm * (cc - c[2] * c[2]), total.I[1] + mm * c[0] * c[1],
                   total.I[2] + mm * c[0] * c[2], total.I[6] + mm * c[1] * c[2]};
    // Scaled to its largest diagonal term: ODE's test (a Cholesky
    // factorisation) does not care about scale, a determinant underflows.
    double big = fmax(fabs(I[0]), fmax(fabs(I[1]), fabs(I[2])));
    if (big > 0 && isfinite(big))
        for (int k = 0; k < 6; k++) I[k] /= big;
    if (!isfinite(mm) || mm <= 0 || !ps_inertia_ok(I) || !isfinite(cc)) {
        b->acc = prev;
        return ps_world_fail(w, PS_ERR_INVALID,
                             "body '%s': its geoms give a mass of %g kg with an unusable inertia (a geom size too "
                             "small or too large?); give the body an explicit mass and inertia",
                             b->name, total.mass);
    }
    apply_mass(w, b, total);
    return PS_OK;
}

static ps_status check_masses(ps_world *w)
{
    if (!w->masses_unchecked) return PS_OK;
    for (uint32_t i = 0; i < w->body_count; i++) {
        ps_body_slot *b = &w->bodies[i];
        if (!b->alive || b->kind != PS_BODY_DYNAMIC || b->has_mass) continue;
        if (b->mass_mode == PS_MASS_SHAPED) {
            // No geometry to shape the inertia: a solid sphere of radius 0.05 m.
            dMass m;
            dMassSetSphereTotal(&m, b->mass_target, 0.05);
            apply_mass(w, b, m);
            continue;
        }
        return ps_world_fail(w, PS_ERR_INVALID,
                             "dynamic body '%s' has no mass: give it a mass or geoms with density > 0", b->name);
    }
    w->masses_unchecked = false;
    return PS_OK;
}

static ps_status add_vec(ps_world *w, ps_body_id id, ps_vec3 v, int what, ps_vec3 at)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return ps_world_fail(w, PS_ERR_STALE, "%s body id", ps_world_id_problem(w, id.world));
    if (!ps_vec3_finite(v) || !ps_vec3_finite(at))
        return ps_world_fail(w, PS_ERR_INVALID, "body '%s': force/torque must be finite", b->name);
    if (b->kind != PS_BODY_DYNAMIC) return PS_OK;
    switch (what) {
    case 0: dBodyAddForce(b->body, v.x, v.y, v.z); break;
    case 1: dBodyAddForceAtPos(b->body, v.x, v.y, v.z, at.x, at.y, at.z); break;
    case 2: dBodyAddTorque(b->body, v.x, v.y, v.z); break;
    default: dBodyAddRelForce(b->body, v.x, v.y, v.z); break;
    }
    return PS_OK;
}

static const ps_vec3 origin = {0, 0, 0};
ps_status ps_body_add_force(ps_world *w, ps_body_id b, ps_vec3 f) { return add_vec(w, b, f, 0, origin); }
ps_status ps_body_add_force_at(ps_world *w, ps_body_id b, ps_vec3 f, ps_vec3 at) { return add_vec(w, b, f, 1, at); }
ps_status ps_body_add_torque(ps_world *w, ps_body_id b, ps_vec3 t) { return add_vec(w, b, t, 2, origin); }
ps_status ps_body_add_rel_force(ps_world *w, ps_body_id b, ps_vec3 f) { return add_vec(w, b, f, 3, origin); }

ps_status ps_body_point_to_world(const ps_world *w, ps_body_id id, ps_vec3 local, ps_vec3 *out)
{
    ps_body_slot *b = ps_world_body_slot(w, id);
    if (!b) return PS_ERR_STALE;
    ps_pose p = link_pose(b);
    ps_vec3 r = ps_quat_rotate(p.q, local);
    *out = (ps_vec3){p.p.x + r.x, p.p.y + r.y, p.p.z + r.z};
    return PS_OK;
}

// ODE's own checks print ("mass must be > 0"): into the world's log.
ps_status ps_body_add_geom_mass(ps_world *w, uint32_t index, const ps_geom_slot *g)
{
    ps_ode_guard lg;
    ps_ode_log_push(&lg, &w->def.log);
    ps_status st = add_geom_mass(w, index, g);
    ps_ode_guard_pop(&lg);
    return st;
}

ps_status ps_world_check_masses(ps_world *w)
{
    ps_ode_guard lg;
    ps_ode_log_push(&lg, &w->def.log);
    ps_status st = check_masses(w);
    ps_ode_guard_pop(&lg);
    return st;
}
