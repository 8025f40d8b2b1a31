// World lifecycle and stepping.
#include "world_internal.h"
#include "ode_guard.h"
#include "log_internal.h"
#include "raycast.h"
#include "broad.h"
#include "util.h"
#include "pilotsim/world.h"

#include <math.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

ps_world_def ps_default_world_def(void)
{
    return (ps_world_def){
        .gravity = {0, 0, -9.81},
        .timestep = 0.002,
        .iterations = 20,
        .sor = 1.3,
        .erp = 0.2,
        .cfm = 1e-5,
        .contact_surface_layer = 0.001,
        .max_correcting_vel = 1.0,
        .max_contacts = 8,
        .space = PS_SPACE_HASH,
        .max_linear_speed = 1000.0,
        .max_angular_speed = 10000.0,
        .contact_forces = true,
        .seed = 0,
        .log = {NULL, NULL},
        .max_bodies = 10000,
        .memory_limit = 0,
        .health_joint_error = 0.01,
        .health_angle_error = 0.05,
        .health_penetration = 0.05,
    };
}

// Resident bytes of this process (/proc/self/statm), 0 when unknown.
static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? (size_t)resident * (size_t)page : 0;
}

bool ps_world_room(ps_world *w, const char *kind, const char *name)
{
    if (!strcmp(kind, "body") && w->body_live >= w->def.max_bodies) {
        ps_world_fail(w, PS_ERR_NOMEM, "%s '%s': the world holds %u bodies, its limit (world max_bodies)", kind, name,
                      w->def.max_bodies);
        return false;
    }
    // Reading the resident size costs a few microseconds: once every 16
    // creations (a few hundred kB at most between two looks).
    if (w->def.memory_limit && (w->room_checks++ & 15) == 0) {
        size_t rss = resident_bytes();
        if (rss > w->def.memory_limit) {
            ps_world_fail(w, PS_ERR_NOMEM,
                          "%s '%s': memory cap reached: the process holds %zu MiB, over its limit of %zu MiB "
                          "(--memory-limit, PILOTSIM_MEMORY_LIMIT)",
                          kind, name, rss >> 20, w->def.memory_limit >> 20);
            w->room_checks = 0; // look again at the next creation
            return false;
        }
    }
    return true;
}

ps_status ps_world_fail(ps_world *w, ps_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->last_error, sizeof w->last_error, fmt, ap);
    va_end(ap);
    return code;
}

bool ps_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *p = realloc(*arr, (size_t)n * elem);
    if (!p) return false;
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
    *arr = p;
    *cap = n;
    return true;
}

static const char *check_def(const ps_world_def *d)
{
    static const char *const msgs[] = {
        "gravity must be finite", "timestep must be > 0 and finite",
        "iterations must be in 1..10000 (PS_WORLD_MAX_ITERATIONS)", "sor must be in (0, 2)", "erp must be in [0, 1]",
        "cfm must be >= 0 and finite", "contact_surface_layer must be >= 0 and finite",
        "max_correcting_vel must be > 0", "max_contacts must be in 1..64",
        "space must be hash, sap or simple", "max_linear_speed must be > 0",
        "max_angular_speed must be > 0", "max_bodies must be in 1..1000000 (PS_WORLD_MAX_BODIES)",
        "solver must be quickstep or direct",
    };
    if (!ps_vec3_finite(d->gravity)) return msgs[0];
    if (!(d->timestep > 0) || !isfinite(d->timestep)) return msgs[1];
    if (d->iterations < 1 || d->iterations > PS_WORLD_MAX_ITERATIONS) return msgs[2];
    if (!(d->sor > 0 && d->sor < 2)) return msgs[3];
    if (!(d->erp >= 0 && d->erp <= 1)) return msgs[4];
    if (!(d->cfm >= 0) || !isfinite(d->cfm)) return msgs[5];
    if (!(d->contact_surface_layer >= 0) || !isfinite(d->contact_surface_layer)) return msgs[6];
    if (!(d->max_correcting_vel > 0)) return msgs[7];
    if (d->max_contacts < 1 || d->max_contacts > 64) return msgs[8];
    if (d->space != PS_SPACE_HASH && d->space != PS_SPACE_SAP && d->space != PS_SPACE_SIMPLE) return msgs[9];
    if (!(d->max_linear_speed > 0)) return msgs[10];
    if (!(d->max_angular_speed > 0)) return msgs[11];
    if (d->max_bodies < 1 || d->max_bodies > PS_WORLD_MAX_BODIES) return msgs[12];
    if (d->solver != PS_SOLVER_QUICKSTEP && d->solver != PS_SOLVER_DIRECT) return msgs[13];
    return NULL;
}

// The one process-wide counter: every world gets a distinct non-zero tag, stamped
// into its ids, so an id from another world or an earlier episode is refused.
// Atomic, so worlds may be created in several threads; it never affects physics.
static uint32_t next_world_tag(void)
{
    static _Atomic uint32_t counter;
    uint32_t t;
    do t = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1;
    while (t == 0);
    return t;
}

uint32_t ps_world_tag(const ps_world *w) { return w->tag; }

const char *ps_world_id_problem(const ps_world *w, uint32_t id_world)
{
    return id_world == w->tag ? "stale (destroyed or never created)" : "foreign (from another world or an earlier episode)";
}

ps_world *ps_world_create(const ps_world_def *def, char *err, size_t errlen)
{
    if (!def) {
        ps_set_error(err, errlen, "world def is NULL");
        return NULL;
    }
    const char *bad = check_def(def);
    if (bad) {
        ps_set_error(err, errlen, "world def: %s", bad);
        return NULL;
    }
    ps_ode_init();
    ps_world *w = calloc(1, sizeof *w);
    if (!w) {
        ps_set_error(err, errlen, "out of memory");
        return NULL;
    }
    w->def = *def;
    w->tag = next_world_tag();
    w->body_free = w->geom_free = w->joint_free = PS_NO_INDEX;
    w->world_first_geom = PS_NO_INDEX;
    w->scratch = calloc((size_t)def->max_contacts, sizeof *w->scratch);
    if (!w->scratch || ps_material_init(w) != PS_OK) {
        ps_set_error(err, errlen, "out of memory");
        free(w->scratch);
        free(w);
        return NULL;
    }
    w->world = dWorldCreate();
    dWorldSetGravity(w->world, def->gravity.x, def->gravity.y, def->gravity.z);
    dWorldSetERP(w->world, def->erp);
    dWorldSetCFM(w->world, def->cfm);
    dWorldSetQuickStepNumIterations(w->world, def->iterations);
    dWorldSetQuickStepW(w->world, def->sor);
    dWorldSetContactSurfaceLayer(w->world, def->contact_surface_layer);
    dWorldSetContactMaxCorrectingVel(w->world, isfinite(def->max_correcting_vel) ? def->max_correcting_vel : dInfinity);
    switch (def->space) {
    case PS_SPACE_HASH: w->space = dHashSpaceCreate(0); break;
    case PS_SPACE_SAP: w->space = dSweepAndPruneSpaceCreate(0, dSAP_AXES_XYZ); break;
    case PS_SPACE_SIMPLE: w->space = dSimpleSpaceCreate(0); break;
    }
    w->contact_group = dJointGroupCreate(0);
    w->forces_on = def->contact_forces;
    w->solver_seed = (unsigned long)(def->seed & 0xffffffffu);
    ps_rng_seed(&w->sensor_rng, ps_seed_mix(def->seed, 0x73656e736f72ULL)); // "sensor"
    return w;
}

void ps_world_destroy(ps_world *w)
{
    if (!w) return;
    ps_ode_init();
    ps_world_free_sensors(w);
    ps_raycast_free(w);
    ps_broad_free(w);
    ps_world_free_robots(w);
    ps_world_free_joints(w);
    dJointGroupDestroy(w->contact_group);
    ps_world_free_geoms(w);
    for (uint32_t i = 0; i < w->body_count; i++) {
        ps_body_slot *b = &w->bodies[i];
        if (b->alive && b->body) dBodyDestroy(b->body);
        free(b->name);
    }
    if (w->static_space) dSpaceDestroy(w->static_space);
    dSpaceDestroy(w->space);
    dWorldDestroy(w->world);
    ps_world_free_materials(w);
    free(w->bodies);
    for (size_t i = 0; i < w->fb_block_count; i++) free(w->fb_blocks[i]);
    free(w->fb_blocks);
    free(w->contacts);
    free(w->scratch);
    free(w->hits);
    free(w->hit_points);
    free(w->zones);
    free(w);
}

const ps_world_def *ps_world_get_def(const ps_world *w) { return &w->def; }
double ps_world_time(const ps_world *w) { return w->time; }
uint64_t ps_world_step_count(const ps_world *w) { return w->steps; }
const char *ps_world_divergence(const ps_world *w) { return w->diverged ? w->divergence : NULL; }
const char *ps_world_last_error(const ps_world *w) { return w->last_error; }
uint64_t ps_world_solver_seed(const ps_world *w) { return (uint64_t)w->solver_seed; }
size_t ps_world_body_count(const ps_world *w) { return w->body_live; }
size_t ps_world_joint_count(const ps_world *w) { return w->joint_live; }
size_t ps_world_geom_count(const ps_world *w) { return w->geom_live; }

ps_body_id ps_world_body_at(const ps_world *w, size_t i)
{
    for (uint32_t k = 0; k < w->body_count; k++) {
        if (!w->bodies[k].alive) continue;
        if (i-- == 0) return (ps_body_id){k, w->bodies[k].gen, w->tag};
    }
    return PS_BODY_NONE;
}

ps_geom_id ps_world_geom_at(const ps_world *w, size_t i)
{
    for (uint32_t k = 0; k < w->geom_count; k++) {
        if (!w->geoms[k].alive) continue;
        if (i-- == 0) return (ps_geom_id){k, w->geoms[k].gen, w->tag};
    }
    return PS_GEOM_NONE;
}

const ps_contact *ps_world_contacts(const ps_world *w, size_t *count)
{
    if (count) *count = w->contact_count;
    return w->contact_count ? w->contacts : NULL;
}

// Marks the world diverged with a message naming the body and step.
static void diverge(ps_world *w, uint32_t i, const char *what)
{
    w->diverged = true;
    snprintf(w->divergence, sizeof w->divergence, "body '%s' (#%u) %s at step %llu",
             w->bodies[i].name, i, what, (unsigned long long)w->steps);
}

static bool all_finite(const dReal *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

static bool check_divergence(ps_world *w)
{
    const double vmax2 = w->def.max_linear_speed * w->def.max_linear_speed;
    const double wmax2 = w->def.max_angular_speed * w->def.max_angular_speed;
    for (uint32_t i = 0; i < w->body_count; i++) {
        const ps_body_slot *b = &w->bodies[i];
        if (!b->alive || !b->body) continue;
        const dReal *p = dBodyGetPosition(b->body), *q = dBodyGetQuaternion(b->body);
        const dReal *v = dBodyGetLinearVel(b->body), *a = dBodyGetAngularVel(b->body);
        if (!all_finite(p, 3)) { diverge(w, i, "non-finite position"); return true; }
        if (!all_finite(q, 4)) { diverge(w, i, "non-finite orientation"); return true; }
        if (!all_finite(v, 3)) { diverge(w, i, "non-finite linear velocity"); return true; }
        if (!all_finite(a, 3)) { diverge(w, i, "non-finite angular velocity"); return true; }
        if (fabs(p[0]) > PS_WORLD_EXTENT || fabs(p[1]) > PS_WORLD_EXTENT || fabs(p[2]) > PS_WORLD_EXTENT) {
            char m[96];
            snprintf(m, sizeof m, "position (%.3g, %.3g, %.3g) m beyond the world's extent of %.0e m", p[0], p[1],
                     p[2], PS_WORLD_EXTENT);
            diverge(w, i, m);
            return true;
        }
        if (v[0] * v[0] + v[1] * v[1] + v[2] * v[2] > vmax2) {
            char m[96];
            snprintf(m, sizeof m, "linear speed %.3g m/s above the bound %.3g",
                     sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), w->def.max_linear_speed);
            diverge(w, i, m);
            return true;
        }
        if (a[0] * a[0] + a[1] * a[1] + a[2] * a[2] > wmax2) {
            char m[96];
            snprintf(m, sizeof m, "angular speed %.3g rad/s above the bound %.3g",
                     sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]), w->def.max_angular_speed);
            diverge(w, i, m);
            return true;
        }
    }
    return false;
}

// Before collision: every geom's bounding box within PS_WORLD_EXTENT. ODE's
// hash space fails an assertion on coordinates past its integer grid, and
// that failure leaves the space locked, which aborts the process later (a
// body teleported to 1e15 m by set_pos did). Planes are unbounded by nature.
// Only needed after poses were set from outside the step (creation, set_pose,
// mass changes, state restore: they raise extent_unchecked); the step itself
// keeps every body within the extent (check_divergence) and geom sizes are
// bounded when geoms are made, so stepping alone never needs this loop.
static bool check_extent(ps_world *w)
{
    if (!w->extent_unchecked) return true;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!g->alive || !g->geom || dGeomGetClass(g->geom) == dPlaneClass) continue;
        dReal aabb[6];
        dGeomGetAABB(g->geom, aabb);
        for (int k = 0; k < 6; k++) {
            if (isnan(aabb[k]) || (isfinite(aabb[k]) && fabs(aabb[k]) > PS_WORLD_EXTENT)) {
                const char *body = ps_body_is_set(g->body) && g->body.index < w->body_count
                                       ? w->bodies[g->body.index].name
                                       : "(static)";
                w->diverged = true;
                snprintf(w->divergence, sizeof w->divergence,
                         "geom '%s' of body '%s' reaches %g m, beyond the world's extent of %.0e m, at step %llu",
                         g->name ? g->name : "", body, aabb[k], PS_WORLD_EXTENT, (unsigned long long)w->steps);
                return false;
            }
        }
    }
    w->extent_unchecked = false;
    return true;
}

// Deepest contact of the step just taken, m (cheap: every step).
static double deepest_contact(const ps_world *w)
{
    double d = 0;
    for (size_t k = 0; k < w->contact_count; k++) d = fmax(d, w->contacts[k].depth);
    return d;
}

// Solver health (see ps_solver_health): the deepest contact every step; the
// joint errors (ODE queries and an atan2 per hinge) every PS_HEALTH_EVERY
// steps, when the thresholds are checked too. A warning needs a threshold
// passed at two checks in a row: the solver corrects the transient of a hard
// impact within a few steps (a falling ragdoll's forearm hitting its elbow
// stop reaches 0.05 rad for a step or two), which is not non-convergence.
static void track_health(ps_world *w)
{
    ps_solver_health *h = &w->health;
    h->penetration = deepest_contact(w);
    h->penetration_max = fmax(h->penetration_max, h->penetration);
    if (w->steps % PS_HEALTH_EVERY != 0) return;
    ps_joint_errors(w, &h->joint_error, &h->angle_error);
    h->joint_error_max = fmax(h->joint_error_max, h->joint_error);
    h->angle_error_max = fmax(h->angle_error_max, h->angle_error);
    const ps_world_def *d = &w->def;
    bool bad = (d->health_joint_error > 0 && h->joint_error > d->health_joint_error) ||
               (d->health_angle_error > 0 && h->angle_error > d->health_angle_error) ||
               (d->health_penetration > 0 && h->penetration > d->health_penetration);
    bool persists = bad && w->health_bad_before;
    w->health_bad_before = bad;
    if (!bad) return;
    h->warned_steps++;
    if (!persists || (w->health_warned_at && w->steps - w->health_warned_at < 1000)) return;
    w->health_warned_at = w->steps;
    ps_logf(&d->log, PS_LOG_WARN,
            "solver not converged at step %llu: joint error %.3g m (limit %g), hinge axis error %.3g rad (limit %g), "
            "deepest contact %.3g m (limit %g); more iterations, a smaller timestep, or armature on light links help "
            "(docs/fidelity.md)",
            (unsigned long long)w->steps, h->joint_error, d->health_joint_error, h->angle_error, d->health_angle_error,
            h->penetration, d->health_penetration);
}

void ps_world_set_contact_forces(ps_world *w, bool on) { w->forces_on = on; }

bool ps_world_contact_forces(const ps_world *w) { return w->forces_on; }

void ps_world_solver_health(const ps_world *w, ps_solver_health *out)
{
    *out = w->health;
    if (w->steps % PS_HEALTH_EVERY == 0) return; // measured by the step
    ps_joint_errors(w, &out->joint_error, &out->angle_error);
    out->joint_error_max = fmax(out->joint_error_max, out->joint_error);
    out->angle_error_max = fmax(out->angle_error_max, out->angle_error);
}

static ps_status world_step(ps_world *w);

ps_status ps_world_step(ps_world *w)
{
    if (!w->timing) return world_step(w);
    double t0 = ps_monotonic_s();
    ps_status st = world_step(w);
    w->step_seconds += ps_monotonic_s() - t0;
    return st;
}

void ps_world_set_timing(ps_world *w, bool on) { w->timing = on; }

bool ps_world_timing(const ps_world *w) { return w->timing; }

void ps_world_step_seconds(const ps_world *w, double *total, double *sensors)
{
    if (total) *total = w->step_seconds;
    if (sensors) *sensors = w->sensor_seconds;
}

static ps_status world_step(ps_world *w)
{
    if (w->diverged) return PS_ERR_DIVERGED;
    ps_status st = ps_world_check_masses(w);
    if (st != PS_OK) return st;
    if (!check_extent(w)) return PS_ERR_DIVERGED;
    if (w->surface_dirty && (st = ps_material_refresh(w)) != PS_OK) return st;
    ps_ode_init();

    ps_ode_guard g;
    ps_ode_guard_push(&g, &w->def.log);
    volatile ps_status result = PS_OK;
    volatile bool rng_locked = false;
    if (setjmp(g.jb) == 0) {
        ps_joint_place_wide_stops(w);
        ps_robot_apply_actuators(w);
        result = ps_contact_collide(w);
        if (result == PS_OK) {
            // QuickStep's constraint shuffling uses ODE's one process-wide
            // RNG: give it this world's seed and keep what it leaves, under a
            // lock so that worlds stepping in other threads cannot interleave.
            ps_ode_rng_lock();
            rng_locked = true;
            dRandSetSeed(w->solver_seed);
            if (w->def.solver == PS_SOLVER_DIRECT) dWorldStep(w->world, w->def.timestep);
            else dWorldQuickStep(w->world, w->def.timestep);
            w->solver_seed = dRandGetSeed();
            rng_locked = false;
            ps_ode_rng_unlock();
        }
    } else {
        if (rng_locked) ps_ode_rng_unlock();
        w->diverged = true;
        snprintf(w->divergence, sizeof w->divergence, "%s at step %llu", g.msg,
                 (unsigned long long)w->steps);
        result = PS_ERR_DIVERGED;
    }
    ps_ode_guard_pop(&g);
    if (result != PS_OK) {
        dJointGroupEmpty(w->contact_group);
        if (result == PS_ERR_DIVERGED) ps_world_fail(w, result, "%s", w->divergence);
        return result;
    }
    ps_contact_collect(w);
    dJointGroupEmpty(w->contact_group);
    w->steps++;
    track_health(w);
    ps_joint_count_turns(w);
    ps_joint_check_breaks(w);
    w->time = (double)w->steps * w->def.timestep;
    if (check_divergence(w)) {
        ps_world_fail(w, PS_ERR_DIVERGED, "%s", w->divergence);
        return PS_ERR_DIVERGED;
    }
    if (!w->sensor_count) return PS_OK;
    if (!w->timing) return ps_sensors_update(w);
    double t0 = ps_monotonic_s();
    ps_status sst = ps_sensors_update(w);
    w->sensor_seconds += ps_monotonic_s() - t0;
    return sst;
}

ps_status ps_world_validate(ps_world *w) { return ps_world_check_masses(w); }

const char *ps_version(void) { return PILOTSIM_VERSION; }

char *ps_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

ps_status ps_world_add_zone(ps_world *w, ps_vec3 min, ps_vec3 max)
{
    if (!ps_vec3_finite(min) || !ps_vec3_finite(max) || min.x > max.x || min.y > max.y || min.z > max.z)
        return ps_world_fail(w, PS_ERR_INVALID, "zone: needs finite corners with min <= max on every axis");
    if (!ps_grow((void **)&w->zones, &w->zone_cap, w->zone_count + 1, sizeof *w->zones)) return PS_ERR_NOMEM;
    w->zones[w->zone_count++] = (ps_zone){min, max};
    return PS_OK;
}

size_t ps_world_zone_count(const ps_world *w) { return w->zone_count; }

ps_status ps_world_get_zone(const ps_world *w, size_t i, ps_zone *out)
{
    if (i >= w->zone_count) return PS_ERR_INVALID;
    *out = w->zones[i];
    return PS_OK;
}
