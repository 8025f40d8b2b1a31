// World state save/restore (state.h): a flat byte record of everything that
// evolves while a world steps, checked against the world's structure on restore.
#include "pilotsim/state.h"
#include "world_internal.h"
#include "hash_internal.h"
#include "state_internal.h"

#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC 0x70737374u /* "psst" */

struct ps_world_state {
    ps_state_buf b;
};

/* ------------------------------------------------------------ byte buffer */

bool ps_state_put(ps_state_buf *b, const void *p, size_t n)
{
    if (!b->ok) return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *nb = realloc(b->data, cap);
        if (!nb) return b->ok = false;
        b->data = nb;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

bool ps_state_get(ps_state_reader *r, void *p, size_t n)
{
    if (!r->ok || r->pos + n > r->len) return r->ok = false;
    if (n) memcpy(p, r->data + r->pos, n);
    r->pos += n;
    return true;
}

void ps_state_buf_free(ps_state_buf *b)
{
    free(b->data);
    *b = (ps_state_buf){.ok = true};
}

/* ------------------------------------------------------------ structure */

// A fingerprint of what a state must match: the slots of bodies, joints,
// robots and sensors with their generations and sizes.
static uint64_t layout(const ps_world *w)
{
    uint64_t h = ps_fnv1a(0xcbf29ce484222325ULL, &w->body_count, sizeof w->body_count);
    for (uint32_t i = 0; i < w->body_count; i++) {
        const ps_body_slot *s = &w->bodies[i];
        uint32_t v[3] = {s->gen, s->alive, (uint32_t)s->kind};
        h = ps_fnv1a(h, v, sizeof v);
    }
    h = ps_fnv1a(h, &w->joint_count, sizeof w->joint_count);
    for (uint32_t i = 0; i < w->joint_count; i++) {
        const ps_joint_slot *s = &w->joints[i];
        uint32_t v[3] = {s->gen, s->alive, (uint32_t)s->type};
        h = ps_fnv1a(h, v, sizeof v);
    }
    h = ps_fnv1a(h, &w->robot_count, sizeof w->robot_count);
    for (uint32_t i = 0; i < w->robot_count; i++) {
        const ps_robot_slot *s = &w->robots[i];
        uint64_t v[3] = {s->gen, s->alive, s->joint_count};
        h = ps_fnv1a(h, v, sizeof v);
    }
    h = ps_fnv1a(h, &w->sensor_count, sizeof w->sensor_count);
    for (uint32_t i = 0; i < w->sensor_count; i++) {
        const ps_sensor_slot *s = &w->sensors[i];
        uint64_t v[4] = {s->gen, s->alive, s->count, (uint64_t)s->def.noise.latency};
        h = ps_fnv1a(h, v, sizeof v);
    }
    return h;
}

uint64_t ps_world_state_layout(const ps_world *w) { return layout(w); }

uint64_t ps_world_state_record_layout(const unsigned char *data, size_t len)
{
    uint32_t magic = 0;
    uint64_t lay = 0;
    ps_state_reader r = {data, len, 0, true};
    if (!ps_state_get(&r, &magic, sizeof magic) || magic != STATE_MAGIC || !ps_state_get(&r, &lay, sizeof lay)) return 0;
    return lay;
}

/* ------------------------------------------------------------ save */

// A moving body's mass model: what ODE simulates (with the armature robot.c
// added when the body's joint first stepped, about the axis as it lay then),
// the model it came from, and the armature it carries. A world rebuilt from
// the scene has not stepped yet, so without these it would add the armature
// at its first step after a restore, about an axis rounded differently.
static void put_mass(ps_state_buf *b, const ps_body_slot *s)
{
    dMass ode;
    dBodyGetMass(s->body, &ode);
    int32_t mode = (int32_t)s->mass_mode;
    unsigned char has = s->has_mass;
    ps_state_put(b, &ode, sizeof ode);
    ps_state_put(b, &s->acc, sizeof s->acc);
    ps_state_put(b, &s->com, sizeof s->com);
    ps_state_put(b, &s->mass_target, sizeof s->mass_target);
    ps_state_put(b, &mode, sizeof mode);
    ps_state_put(b, &has, sizeof has);
    ps_state_put(b, &s->arm_mass, sizeof s->arm_mass);
    ps_state_put(b, s->arm_I, sizeof s->arm_I);
}

static void put_body(ps_state_buf *b, const ps_body_slot *s)
{
    if (!s->body) {
        ps_state_put(b, &s->static_pose, sizeof s->static_pose);
        return;
    }
    dReal v[25];
    memcpy(v, dBodyGetPosition(s->body), 3 * sizeof(dReal));
    memcpy(v + 3, dBodyGetQuaternion(s->body), 4 * sizeof(dReal));
    memcpy(v + 7, dBodyGetLinearVel(s->body), 3 * sizeof(dReal));
    memcpy(v + 10, dBodyGetAngularVel(s->body), 3 * sizeof(dReal));
    memcpy(v + 13, dBodyGetRotation(s->body), 12 * sizeof(dReal));
    int enabled = dBodyIsEnabled(s->body);
    ps_state_put(b, v, sizeof v);
    ps_state_put(b, &enabled, sizeof enabled);
    put_mass(b, s);
}

static void put_sensor(ps_state_buf *b, const ps_sensor_slot *s)
{
    size_t n = s->count, frames = (size_t)s->def.noise.latency + 1;
    ps_state_put(b, s->out, n * sizeof *s->out);
    ps_state_put(b, s->raw, n * sizeof *s->raw);
    ps_state_put(b, s->ring, n * frames * sizeof *s->ring);
    ps_state_put(b, s->drift, n * sizeof *s->drift);
    ps_state_put(b, s->stamp_ring, frames * sizeof *s->stamp_ring);
    if (s->hits) {
        ps_state_put(b, s->hits, n * sizeof *s->hits);
        ps_state_put(b, s->hits_raw, n * sizeof *s->hits_raw);
        ps_state_put(b, s->hits_ring, n * frames * sizeof *s->hits_ring);
    }
    ps_state_put(b, &s->ring_head, sizeof s->ring_head);
    ps_state_put(b, &s->ring_fill, sizeof s->ring_fill);
    ps_state_put(b, &s->stamp, sizeof s->stamp);
    ps_state_put(b, s->prev_vel, sizeof s->prev_vel);
    ps_state_put(b, &s->have_prev, sizeof s->have_prev);
    ps_state_put(b, s->odo, sizeof s->odo);
}

bool ps_world_state_write(const ps_world *w, ps_state_buf *b)
{
    uint32_t magic = STATE_MAGIC;
    uint64_t lay = layout(w);
    ps_state_put(b, &magic, sizeof magic);
    ps_state_put(b, &lay, sizeof lay);
    ps_state_put(b, &w->solver_seed, sizeof w->solver_seed);
    ps_state_put(b, &w->steps, sizeof w->steps);
    ps_state_put(b, &w->time, sizeof w->time);
    ps_state_put(b, &w->sensor_rng, sizeof w->sensor_rng);
    for (uint32_t i = 0; i < w->body_count; i++)
        if (w->bodies[i].alive) put_body(b, &w->bodies[i]);
    for (uint32_t i = 0; i < w->joint_count; i++) {
        const ps_joint_slot *j = &w->joints[i];
        if (!j->alive) continue;
        int en[2] = {dJointIsEnabled(j->joint), j->amotor ? dJointIsEnabled(j->amotor) : 0};
        ps_state_put(b, en, sizeof en);
        ps_state_put(b, &j->broken, sizeof j->broken);
        ps_state_put(b, &j->broken_step, sizeof j->broken_step);
        ps_state_put(b, &j->load_force, sizeof j->load_force);
        ps_state_put(b, &j->load_torque, sizeof j->load_torque);
        ps_state_put(b, j->fb, sizeof *j->fb);
        ps_state_put(b, &j->turns, sizeof j->turns);
        ps_state_put(b, &j->last_raw, sizeof j->last_raw);
    }
    for (uint32_t i = 0; i < w->robot_count; i++) {
        const ps_robot_slot *r = &w->robots[i];
        if (!r->alive) continue;
        for (size_t k = 0; k < r->joint_count; k++) {
            const ps_robot_joint *rj = &r->joints[k];
            ps_state_put(b, &rj->act, sizeof rj->act);
            ps_state_put(b, &rj->command, sizeof rj->command);
            ps_state_put(b, &rj->explicit_effort, sizeof rj->explicit_effort);
            ps_state_put(b, &rj->clamps, sizeof rj->clamps);
            ps_state_put(b, &rj->armature_on, sizeof rj->armature_on);
        }
    }
    for (uint32_t i = 0; i < w->sensor_count; i++)
        if (w->sensors[i].alive) put_sensor(b, &w->sensors[i]);
    uint64_t nc = w->contact_count;
    ps_state_put(b, &nc, sizeof nc);
    // The contacts' ids without their world tag: a state restores into another
    // world (an episode rebuilt from bytes), and its bytes stay the same whatever
    // tags the process handed out.
    for (uint64_t i = 0; i < nc; i++) {
        ps_contact c = w->contacts[i];
        c.body1.world = c.body2.world = c.geom1.world = c.geom2.world = 0;
        ps_state_put(b, &c, sizeof c);
    }
    return b->ok;
}

/* ------------------------------------------------------------ restore */

static void get_mass(ps_state_reader *r, ps_world *w, ps_body_slot *s)
{
    dMass ode, now;
    int32_t mode;
    unsigned char has;
    ps_vec3 com;
    ps_state_get(r, &ode, sizeof ode);
    ps_state_get(r, &s->acc, sizeof s->acc);
    ps_state_get(r, &com, sizeof com);
    ps_state_get(r, &s->mass_target, sizeof s->mass_target);
    ps_state_get(r, &mode, sizeof mode);
    ps_state_get(r, &has, sizeof has);
    ps_state_get(r, &s->arm_mass, sizeof s->arm_mass);
    if (!ps_state_get(r, s->arm_I, sizeof s->arm_I)) return;
    s->mass_mode = mode;
    s->has_mass = has;
    dBodyGetMass(s->body, &now);
    if (s->kind == PS_BODY_DYNAMIC && memcmp(&now, &ode, sizeof ode) != 0) dBodySetMass(s->body, &ode);
    if (memcmp(&com, &s->com, sizeof com) != 0) {
        s->com = com;
        ps_body_apply_geom_offsets(w, s);
    }
}

static void get_body(ps_state_reader *r, ps_world *w, uint32_t i)
{
    ps_body_slot *s = &w->bodies[i];
    if (!s->body) {
        ps_pose p;
        if (ps_state_get(r, &p, sizeof p) && memcmp(&p, &s->static_pose, sizeof p) != 0)
            ps_body_set_pose(w, (ps_body_id){i, s->gen, w->tag}, p);
        return;
    }
    dReal v[25];
    int enabled;
    if (!ps_state_get(r, v, sizeof v) || !ps_state_get(r, &enabled, sizeof enabled)) return;
    w->pose_epoch++;
    dBodySetPosition(s->body, v[0], v[1], v[2]);
    // dBodySetQuaternion renormalises, which can move the last bit of a
    // quaternion ODE already normalised, and a chaotic system then drifts away.
    // ODE's getters return its own storage (documented: "pointers to internal
    // data structures"), so after the setter has marked the geoms moved, the
    // exact saved quaternion and rotation matrix are written back there.
    dBodySetQuaternion(s->body, v + 3);
    memcpy((dReal *)dBodyGetQuaternion(s->body), v + 3, 4 * sizeof(dReal));
    memcpy((dReal *)dBodyGetRotation(s->body), v + 13, 12 * sizeof(dReal));
    dBodySetLinearVel(s->body, v[7], v[8], v[9]);
    dBodySetAngularVel(s->body, v[10], v[11], v[12]);
    dBodySetForce(s->body, 0, 0, 0);
    dBodySetTorque(s->body, 0, 0, 0);
    if (enabled) dBodyEnable(s->body);
    else dBodyDisable(s->body);
    get_mass(r, w, s);
}

static void get_sensor(ps_state_reader *r, ps_sensor_slot *s)
{
    size_t n = s->count, frames = (size_t)s->def.noise.latency + 1;
    ps_state_get(r, s->out, n * sizeof *s->out);
    ps_state_get(r, s->raw, n * sizeof *s->raw);
    ps_state_get(r, s->ring, n * frames * sizeof *s->ring);
    ps_state_get(r, s->drift, n * sizeof *s->drift);
    ps_state_get(r, s->stamp_ring, frames * sizeof *s->stamp_ring);
    if (s->hits) {
        ps_state_get(r, s->hits, n * sizeof *s->hits);
        ps_state_get(r, s->hits_raw, n * sizeof *s->hits_raw);
        ps_state_get(r, s->hits_ring, n * frames * sizeof *s->hits_ring);
    }
    ps_state_get(r, &s->ring_head, sizeof s->ring_head);
    ps_state_get(r, &s->ring_fill, sizeof s->ring_fill);
    ps_state_get(r, &s->stamp, sizeof s->stamp);
    ps_state_get(r, s->prev_vel, sizeof s->prev_vel);
    ps_state_get(r, &s->have_prev, sizeof s->have_prev);
    ps_state_get(r, s->odo, sizeof s->odo);
}

ps_status ps_world_state_read(ps_world *w, ps_state_reader *r)
{
    uint32_t magic = 0;
    uint64_t lay = 0;
    if (!ps_state_get(r, &magic, sizeof magic) || magic != STATE_MAGIC || !ps_state_get(r, &lay, sizeof lay))
        return ps_world_fail(w, PS_ERR_INVALID, "restore_state: not a saved world state");
    if (lay != layout(w))
        return ps_world_fail(w, PS_ERR_STATE,
                             "restore_state: the world's bodies, joints, robots or sensors differ from the "
                             "world the state was saved from");
    // The record's size follows from the structure plus its contact count (the
    // last field before the contacts): check it before changing anything, so a
    // damaged state leaves the world as it was.
    ps_state_buf fresh = {.ok = true};
    if (!ps_world_state_write(w, &fresh)) {
        ps_state_buf_free(&fresh);
        return ps_world_fail(w, PS_ERR_NOMEM, "restore_state: out of memory");
    }
    size_t fixed = fresh.len - w->contact_count * sizeof *w->contacts;
    ps_state_buf_free(&fresh);
    uint64_t nc = 0;
    if (r->len < fixed) return ps_world_fail(w, PS_ERR_INVALID, "restore_state: the saved state is truncated");
    memcpy(&nc, r->data + fixed - sizeof nc, sizeof nc);
    if (nc > (r->len - fixed) / sizeof *w->contacts || r->len != fixed + nc * sizeof *w->contacts)
        return ps_world_fail(w, PS_ERR_INVALID, "restore_state: the saved state is damaged (wrong size)");
    if (nc > w->contact_cap) {
        ps_contact *c = realloc(w->contacts, nc * sizeof *c);
        if (!c) return ps_world_fail(w, PS_ERR_NOMEM, "restore_state: out of memory");
        w->contacts = c;
        w->contact_cap = nc;
    }
    ps_state_get(r, &w->solver_seed, sizeof w->solver_seed);
    ps_state_get(r, &w->steps, sizeof w->steps);
    ps_state_get(r, &w->time, sizeof w->time);
    ps_state_get(r, &w->sensor_rng, sizeof w->sensor_rng);
    for (uint32_t i = 0; i < w->body_count; i++)
        if (w->bodies[i].alive) get_body(r, w, i);
    for (uint32_t i = 0; i < w->joint_count; i++) {
        ps_joint_slot *j = &w->joints[i];
        if (!j->alive) continue;
        int en[2];
        if (!ps_state_get(r, en, sizeof en)) break;
        if (en[0]) dJointEnable(j->joint);
        else dJointDisable(j->joint);
        if (j->amotor) {
            if (en[1]) dJointEnable(j->amotor);
            else dJointDisable(j->amotor);
        }
        if (!en[0] || (j->amotor && !en[1])) w->joint_disabled = true;
        ps_state_get(r, &j->broken, sizeof j->broken);
        ps_state_get(r, &j->broken_step, sizeof j->broken_step);
        ps_state_get(r, &j->load_force, sizeof j->load_force);
        ps_state_get(r, &j->load_torque, sizeof j->load_torque);
        ps_state_get(r, j->fb, sizeof *j->fb);
        ps_state_get(r, &j->turns, sizeof j->turns);
        ps_state_get(r, &j->last_raw, sizeof j->last_raw);
    }
    for (uint32_t i = 0; i < w->robot_count; i++) {
        ps_robot_slot *rs = &w->robots[i];
        if (!rs->alive) continue;
        for (size_t k = 0; k < rs->joint_count; k++) {
            ps_robot_joint *rj = &rs->joints[k];
            ps_actuator_def act;
            if (ps_state_get(r, &act, sizeof act) && memcmp(&act, &rj->act, sizeof act) != 0)
                ps_robot_set_actuator(w, (ps_robot_id){i, rs->gen, w->tag}, k, &act); // applies it to ODE too
            ps_state_get(r, &rj->command, sizeof rj->command);
            ps_state_get(r, &rj->explicit_effort, sizeof rj->explicit_effort);
            ps_state_get(r, &rj->clamps, sizeof rj->clamps);
            ps_state_get(r, &rj->armature_on, sizeof rj->armature_on);
        }
    }
    for (uint32_t i = 0; i < w->sensor_count; i++)
        if (w->sensors[i].alive) get_sensor(r, &w->sensors[i]);
    ps_state_get(r, &nc, sizeof nc);
    ps_state_get(r, w->contacts, nc * sizeof *w->contacts);
    for (uint64_t i = 0; i < nc; i++) { // this world's tag on every id that names something
        ps_contact *c = &w->contacts[i];
        if (c->body1.gen) c->body1.world = w->tag;
        if (c->body2.gen) c->body2.world = w->tag;
        if (c->geom1.gen) c->geom1.world = w->tag;
        if (c->geom2.gen) c->geom2.world = w->tag;
    }
    w->contact_count = nc;
    w->diverged = false;
    w->extent_unchecked = true;
    if (!r->ok) return ps_world_fail(w, PS_ERR_INVALID, "restore_state: the saved state is truncated");
    return PS_OK;
}

/* ------------------------------------------------------------ public */

ps_world_state *ps_world_state_create(void)
{
    ps_world_state *st = calloc(1, sizeof *st);
    if (st) st->b.ok = true;
    return st;
}

void ps_world_state_destroy(ps_world_state *st)
{
    if (!st) return;
    free(st->b.data);
    free(st);
}

size_t ps_world_state_size(const ps_world_state *st) { return st ? st->b.len : 0; }

ps_status ps_world_save_state(const ps_world *w, ps_world_state *st)
{
    if (!w || !st) return PS_ERR_INVALID;
    st->b.len = 0;
    st->b.ok = true;
    if (!ps_world_state_write(w, &st->b)) {
        st->b.len = 0;
        st->b.ok = true;
        return PS_ERR_NOMEM;
    }
    return PS_OK;
}

ps_status ps_world_restore_state(ps_world *w, const ps_world_state *st)
{
    if (!w) return PS_ERR_INVALID;
    if (!st || !st->b.len) return ps_world_fail(w, PS_ERR_INVALID, "restore_state: the state is empty");
    ps_state_reader r = {st->b.data, st->b.len, 0, true};
    return ps_world_state_read(w, &r);
}
