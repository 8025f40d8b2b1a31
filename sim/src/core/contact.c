// Collision pass: broad phase (broad.c, or the world's ODE space), narrow phase with dCollide,
// contact joints with combined materials, and the public contact list.
#include "world_internal.h"
#include "broad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool grow_sz(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p) return false;
    *arr = p;
    *cap = n;
    return true;
}

// Slip speed (m/s) above which a contact counts as sliding. Lower values let
// settling jitter switch stacked boxes to kinetic friction and creep.
#define PS_SLIP_SPEED 1e-2

// Acceleration the non-contact forces give a body's centre of mass this step
// (gravity and the forces added before it), m/s^2; zero for NULL or kinematic.
static void free_accel(const ps_world *w, dBodyID b, double a[3])
{
    a[0] = a[1] = a[2] = 0;
    if (!b || dBodyIsKinematic(b)) return;
    dMass m;
    dBodyGetMass(b, &m);
    const dReal *f = dBodyGetForce(b);
    for (int k = 0; k < 3; k++) a[k] = f[k] / m.mass;
    if (dBodyGetGravityMode(b)) {
        a[0] += w->def.gravity.x;
        a[1] += w->def.gravity.y;
        a[2] += w->def.gravity.z;
    }
}

// ODE's friction is a pyramid: two friction rows, each limited to mu * normal
// force on its own, so a body pushed diagonally to them holds up to sqrt(2)
// times the Coulomb force, and the second row keeps resisting across the
// slip. A sliding contact therefore gets one row along its slip with limit
// mu * N (kinetic Coulomb friction, isotropic) and no second row. A contact
// that sticks keeps both rows, but the first is turned along the slip the
// patch is about to take (its velocity plus one step of the acceleration the
// bodies' gravity and applied forces give it): the friction force then lies
// along that row, bounded by mu * N in every direction (static Coulomb, as a
// cone), while the second row still holds what the prediction missed. The
// slip is that of the whole patch (the relative velocity at the centroid of
// the pair's contact points): per-point directions differ as soon as the body
// turns and turn uneven normal forces into a spurious yaw torque.
static void align_friction(const ps_world *w, dContact *c, int n, dBodyID b1, dBodyID b2)
{
    double p[3] = {0, 0, 0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) p[k] += c[i].geom.pos[k] / n;
    dVector3 v1 = {0, 0, 0, 0}, v2 = {0, 0, 0, 0};
    dBodyGetPointVel(b1, p[0], p[1], p[2], v1);
    if (b2) dBodyGetPointVel(b2, p[0], p[1], p[2], v2);
    double v[3] = {v1[0] - v2[0], v1[1] - v2[1], v1[2] - v2[2]};
    double a1[3], a2[3], h = w->def.timestep;
    free_accel(w, b1, a1);
    free_accel(w, b2, a2);
    double vp[3] = {v[0] + h * (a1[0] - a2[0]), v[1] + h * (a1[1] - a2[1]), v[2] + h * (a1[2] - a2[2])};
    for (int i = 0; i < n; i++) {
        const dReal *nn = c[i].geom.normal;
        double vn = v[0] * nn[0] + v[1] * nn[1] + v[2] * nn[2];
        double t[3] = {v[0] - vn * nn[0], v[1] - vn * nn[1], v[2] - vn * nn[2]};
        double speed = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
        memset(c[i].fdir1, 0, sizeof c[i].fdir1);
        if (speed > PS_SLIP_SPEED) {
            c[i].surface.mode |= dContactFDir1 | dContactMu2;
            c[i].surface.mu2 = 0;
            for (int k = 0; k < 3; k++) c[i].fdir1[k] = t[k] / speed;
            continue;
        }
        double pn = vp[0] * nn[0] + vp[1] * nn[1] + vp[2] * nn[2];
        double tp[3] = {vp[0] - pn * nn[0], vp[1] - pn * nn[1], vp[2] - pn * nn[2]};
        double tn = sqrt(tp[0] * tp[0] + tp[1] * tp[1] + tp[2] * tp[2]);
        if (tn > 1e-9) { // else ODE's own pair of directions
            c[i].surface.mode |= dContactFDir1;
            for (int k = 0; k < 3; k++) c[i].fdir1[k] = tp[k] / tn;
        }
    }
}

// Feedback slot k, allocating a new block when k reaches the pool's end.
static dJointFeedback *feedback_slot(ps_world *w, size_t k)
{
    size_t blk = k / PS_FB_BLOCK;
    if (blk >= w->fb_block_count) {
        dJointFeedback **nb = realloc(w->fb_blocks, (blk + 1) * sizeof *nb);
        if (!nb) return NULL;
        w->fb_blocks = nb;
        nb[blk] = malloc(PS_FB_BLOCK * sizeof **nb);
        if (!nb[blk]) return NULL;
        w->fb_block_count = blk + 1;
    }
    return &w->fb_blocks[blk][k % PS_FB_BLOCK];
}

// Bodies joined by an enabled joint never collide; a broken (disabled)
// breakable joint no longer counts. Only called for pairs ODE already finds
// connected, so the walk over a body's joints stays rare.
static bool joined(dBodyID a, dBodyID b)
{
    int n = dBodyGetNumJoints(a);
    for (int i = 0; i < n; i++) {
        dJointID j = dBodyGetJoint(a, i);
        if (dJointGetType(j) == dJointTypeContact || !dJointIsEnabled(j)) continue;
        if (dJointGetBody(j, 0) == b || dJointGetBody(j, 1) == b) return true;
    }
    return false;
}

// One touching geom pair of the collision pass: its geom slots (a body's geom
// first; two bodies' geoms lower slot first) and its points in w->hit_points.
typedef struct ps_pair_hit {
    uint32_t g1, g2;
    size_t first;
    int n;
} ps_pair_hit;

// Called by dSpaceCollide for every pair whose AABBs overlap and whose
// category/collide bits match: the narrow phase, recorded as a pair hit. The
// pair is put in a fixed orientation first: ODE reports it either way round and
// in the order of its spaces' internal lists, which depend on the order geoms
// were last moved (a restored state moves them in another order than a step).
static void near_callback(void *data, dGeomID o1, dGeomID o2)
{
    ps_world *w = data;
    dBodyID b1 = dGeomGetBody(o1), b2 = dGeomGetBody(o2);
    // Pairs that cannot move each other: static-static, or nothing dynamic.
    bool dyn1 = b1 && !dBodyIsKinematic(b1), dyn2 = b2 && !dBodyIsKinematic(b2);
    if (!dyn1 && !dyn2) return;
    // ODE's test counts disabled joints too: only after a joint was disabled
    // must each connecting joint be looked at.
    if (b1 && b2 && dAreConnectedExcluding(b1, b2, dJointTypeContact) && (!w->joint_disabled || joined(b1, b2)))
        return;
    uint32_t g1 = (uint32_t)(uintptr_t)dGeomGetData(o1), g2 = (uint32_t)(uintptr_t)dGeomGetData(o2);
    if (!b1 || (b2 && g2 < g1)) { // keep a body first, so feedback f1 is always the force on body1
        dGeomID tg = o1; o1 = o2; o2 = tg;
        uint32_t ti = g1; g1 = g2; g2 = ti;
    }
    if (w->contact_oom) return;
    uint32_t grp1 = w->geoms[g1].def.group;
    if (grp1 && grp1 == w->geoms[g2].def.group) return;
    size_t max = (size_t)w->def.max_contacts;
    if (!grow_sz((void **)&w->hit_points, &w->hit_point_cap, w->hit_point_count + max, sizeof *w->hit_points) ||
        !grow_sz((void **)&w->hits, &w->hit_cap, w->hit_count + 1, sizeof *w->hits)) {
        w->contact_oom = true;
        return;
    }
    int n = dCollide(o1, o2, (int)max, &w->hit_points[w->hit_point_count], sizeof *w->hit_points);
    if (n <= 0) return;
    w->hits[w->hit_count++] = (ps_pair_hit){g1, g2, w->hit_point_count, n};
    w->hit_point_count += (size_t)n;
}

static int hit_order(const void *a, const void *b)
{
    const ps_pair_hit *x = a, *y = b;
    if (x->g1 != y->g1) return x->g1 < y->g1 ? -1 : 1;
    return x->g2 < y->g2 ? -1 : x->g2 > y->g2; // a pair is found once: never equal
}

static bool hit_less(const ps_pair_hit *x, const ps_pair_hit *y) { return hit_order(x, y) < 0; }

// Heapsort by hit_order: in place, no allocation in the step loop (glibc's qsort
// mallocs a buffer for larger arrays). The keys are unique, so the order is the
// same as any other sort's.
static void sort_hits(ps_pair_hit *a, size_t n)
{
    for (size_t start = n / 2; n > 1;) {
        size_t root;
        if (start > 0) {
            root = --start;
        } else {
            n--;
            ps_pair_hit t = a[0];
            a[0] = a[n];
            a[n] = t;
            root = 0;
        }
        for (size_t child; (child = 2 * root + 1) < n; root = child) {
            if (child + 1 < n && hit_less(&a[child], &a[child + 1])) child++;
            if (!hit_less(&a[root], &a[child])) break;
            ps_pair_hit t = a[root];
            a[root] = a[child];
            a[child] = t;
        }
    }
}

// Contact joints with the pair's combined material, and the public contact
// record (force filled after the step), for one pair hit.
static bool add_pair_contacts(ps_world *w, const ps_pair_hit *h)
{
    uint32_t g1 = h->g1, g2 = h->g2;
    int n = h->n;
    if (!grow_sz((void **)&w->contacts, &w->contact_cap, w->contact_count + (size_t)n, sizeof *w->contacts))
        return false;
    dBodyID b1 = dGeomGetBody(w->geoms[g1].geom), b2 = dGeomGetBody(w->geoms[g2].geom);
    const size_t nm = w->material_count;
    const dSurfaceParameters *surf = &w->surface[w->geoms[g1].material * nm + w->geoms[g2].material];
    for (int i = 0; i < n; i++) {
        w->scratch[i].geom = w->hit_points[h->first + (size_t)i];
        w->scratch[i].surface = *surf;
    }
    align_friction(w, w->scratch, n, b1, b2);
    const ps_geom_id id1 = {g1, w->geoms[g1].gen, w->tag}, id2 = {g2, w->geoms[g2].gen, w->tag};
    const ps_body_id body1 = w->geoms[g1].body, body2 = w->geoms[g2].body;
    for (int i = 0; i < n; i++) {
        size_t k = w->contact_count;
        dJointID j = dJointCreateContact(w->world, w->contact_group, &w->scratch[i]);
        dJointAttach(j, b1, b2);
        if (w->forces_on) {
            dJointFeedback *fb = feedback_slot(w, k);
            if (!fb) return false;
            dJointSetFeedback(j, fb);
        }
        const dContactGeom *cg = &w->scratch[i].geom;
        w->contacts[k] = (ps_contact){
            .body1 = body1, .body2 = body2, .geom1 = id1, .geom2 = id2,
            .pos = {cg->pos[0], cg->pos[1], cg->pos[2]},
            .normal = {cg->normal[0], cg->normal[1], cg->normal[2]},
            .depth = cg->depth,
        };
        w->contact_count = k + 1;
    }
    return true;
}

// The static quadtree (def.static_space): centred on the union of the static
// geoms' bounding boxes (planes and other unbounded geoms excluded: ODE keeps
// geoms that fit no block in the root block), with that union's widths passed as
// ODE's `Extents` (ODE's root block then spans at least the static bounds), and
// one more level for every halving of the wider side until it is <= 4 m, at most
// 7. Moves every static geom out of w->space into it. The block sizes only
// affect speed: every geom, in or out of the bounds, is found.
static bool build_static_space(ps_world *w)
{
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (!g->alive || !g->geom || dGeomGetBody(g->geom)) continue;
        dReal a[6];
        dGeomGetAABB(g->geom, a);
        if (!isfinite(a[0]) || !isfinite(a[1]) || !isfinite(a[2]) || !isfinite(a[3]) || !isfinite(a[4]) ||
            !isfinite(a[5]))
            continue;
        for (int k = 0; k < 3; k++) {
            lo[k] = fmin(lo[k], a[2 * k]);
            hi[k] = fmax(hi[k], a[2 * k + 1]);
        }
    }
    if (!(lo[0] <= hi[0])) lo[0] = lo[1] = lo[2] = hi[0] = hi[1] = hi[2] = 0; // no bounded static geom
    dVector3 centre = {0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2]), 0};
    dVector3 extents = {fmax(hi[0] - lo[0], 1.0), fmax(hi[1] - lo[1], 1.0), fmax(hi[2] - lo[2], 1.0), 0};
    double span = fmax(extents[0], extents[1]);
    int depth = 1;
    while (depth < 7 && span / (double)(1 << depth) > 4.0) depth++;
    w->static_space = dQuadTreeSpaceCreate(0, centre, extents, depth);
    if (!w->static_space) return false;
    for (uint32_t i = 0; i < w->geom_count; i++) {
        const ps_geom_slot *g = &w->geoms[i];
        if (g->alive && g->geom) ps_contact_place_geom(w, g->geom);
    }
    return true;
}

void ps_contact_place_geom(ps_world *w, dGeomID g)
{
    if (!w->static_space || dGeomGetBody(g) || dGeomGetSpace(g) != w->space) return;
    dSpaceRemove(w->space, g);
    dSpaceAdd(w->static_space, g);
}

ps_status ps_contact_collide(ps_world *w)
{
    w->contact_count = 0;
    w->hit_count = w->hit_point_count = 0;
    w->contact_oom = false;
    if (w->def.space == PS_SPACE_HASH) {
        // pilotsim's own broad phase (broad.h): the pairs ODE's hash space (or,
        // with static_space, the hash space and the static quadtree) would
        // report, without their allocations every step. It keeps the static
        // geoms apart itself, so no quadtree is built.
        if (!ps_broad_collide(w, near_callback)) return ps_world_fail(w, PS_ERR_NOMEM, "out of memory (broad phase)");
    } else {
        if (w->def.static_space && !w->static_space && !build_static_space(w))
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory (static space)");
        dSpaceCollide(w->space, w, near_callback);
    }
    if (w->static_space) {
        // Every moving geom against the static quadtree, in slot order (so the
        // contact order does not depend on the spaces' internal lists).
        for (uint32_t i = 0; i < w->geom_count && !w->contact_oom; i++) {
            const ps_geom_slot *g = &w->geoms[i];
            if (g->alive && g->geom && dGeomGetBody(g->geom) && dGeomIsEnabled(g->geom))
                dSpaceCollide2(g->geom, (dGeomID)w->static_space, w, near_callback);
        }
    }
    // Contact joints in the order of the pairs' geom slots: the solver's result
    // then depends on the poses alone, not on ODE's list order (a state restored
    // into a rebuilt world continues exactly as the saved run did).
    if (!w->contact_oom) sort_hits(w->hits, w->hit_count);
    for (size_t i = 0; i < w->hit_count && !w->contact_oom; i++)
        if (!add_pair_contacts(w, &w->hits[i])) w->contact_oom = true;
    if (w->contact_oom) return ps_world_fail(w, PS_ERR_NOMEM, "out of memory (contacts)");
    return PS_OK;
}

void ps_contact_collect(ps_world *w)
{
    if (!w->forces_on) return; // forces stay zero
    for (size_t k = 0; k < w->contact_count; k++) {
        const dJointFeedback *fb = &w->fb_blocks[k / PS_FB_BLOCK][k % PS_FB_BLOCK];
        w->contacts[k].force = (ps_vec3){fb->f1[0], fb->f1[1], fb->f1[2]}; // body1 is never NULL
    }
}
