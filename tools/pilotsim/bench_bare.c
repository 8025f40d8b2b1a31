// Bare-ODE twins of the benchmark worlds. Each builder follows the world
// description at the top of its scene file (scenes/bench/NAME.lua) and the
// conventions pilotsim documents for every world (contact surface, pair
// filtering, solver seed handling), so the two trajectories can be compared
// bit for bit.
#include "bench.h"

#include <ode/ode.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QUARTER_PI 0.78539816339744830962
#define MAXB 128
#define MAXJ 32
#define MAXC 8
#define MAXG 128
#define MAXHITS 4096 // touching pairs per step (box_pile peaks near 400)

typedef enum { W_HUMANOID, W_BOX_PILE, W_DIFFDRIVE } world_kind;

struct bare_world {
    world_kind kind;
    dWorldID world;
    dSpaceID space;
    dJointGroupID contacts;
    unsigned long seed;
    double dt;
    uint64_t steps;
    dBodyID bodies[MAXB];
    int nbodies;
    dJointID joints[MAXJ];
    int njoints;
    double mu[4];       // friction of material i
    dGeomID geoms[MAXG]; // in creation order: geom data = index here, as pilotsim's slots
    int material[MAXG];
    int ngeoms;
    // One step's touching pairs (slot of the body's geom first, or lower slot
    // first for two bodies), their contact points, and a merge buffer.
    struct pair_hit { uint64_t key; int first, n; } hits[MAXHITS], tmp[MAXHITS];
    int nhits;
    dContactGeom points[MAXHITS * 2];
    int npoints;
    dJointID knee_l, knee_r, wheel_l, wheel_r;
    int drive_mode;
};

// Free acceleration of a body's centre of mass: gravity plus the forces added
// before the step (pilotsim's free_accel, sim/src/core/contact.c).
static void free_accel(dBodyID b, double dt_unused, double a[3])
{
    (void)dt_unused;
    a[0] = a[1] = a[2] = 0;
    if (!b || dBodyIsKinematic(b)) return;
    dMass m;
    dBodyGetMass(b, &m);
    const dReal *f = dBodyGetForce(b);
    for (int k = 0; k < 3; k++) a[k] = f[k] / m.mass;
    if (dBodyGetGravityMode(b)) a[2] += -9.81;
}

// pilotsim's friction convention (sim/src/core/contact.c): a sliding contact
// patch gets its first friction row along the patch's slip and no second
// row; a sticking one its first row along the slip it is about to take.
static void slip_friction(dContact *c, int n, dBodyID b1, dBodyID b2, double h)
{
    double p[3] = {0, 0, 0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) p[k] += c[i].geom.pos[k] / n;
    dVector3 v1 = {0, 0, 0, 0}, v2 = {0, 0, 0, 0};
    dBodyGetPointVel(b1, p[0], p[1], p[2], v1);
    if (b2) dBodyGetPointVel(b2, p[0], p[1], p[2], v2);
    double v[3] = {v1[0] - v2[0], v1[1] - v2[1], v1[2] - v2[2]};
    double a1[3], a2[3];
    free_accel(b1, h, a1);
    free_accel(b2, h, a2);
    double vp[3] = {v[0] + h * (a1[0] - a2[0]), v[1] + h * (a1[1] - a2[1]), v[2] + h * (a1[2] - a2[2])};
    for (int i = 0; i < n; i++) {
        const dReal *nn = c[i].geom.normal;
        double vn = v[0] * nn[0] + v[1] * nn[1] + v[2] * nn[2];
        double t[3] = {v[0] - vn * nn[0], v[1] - vn * nn[1], v[2] - vn * nn[2]};
        double speed = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
        memset(c[i].fdir1, 0, sizeof c[i].fdir1);
        if (speed > 1e-2) {
            c[i].surface.mode |= dContactFDir1 | dContactMu2;
            c[i].surface.mu2 = 0;
            for (int k = 0; k < 3; k++) c[i].fdir1[k] = t[k] / speed;
            continue;
        }
        double pn = vp[0] * nn[0] + vp[1] * nn[1] + vp[2] * nn[2];
        double tp[3] = {vp[0] - pn * nn[0], vp[1] - pn * nn[1], vp[2] - pn * nn[2]};
        double tn = sqrt(tp[0] * tp[0] + tp[1] * tp[1] + tp[2] * tp[2]);
        if (tn > 1e-9) {
            c[i].surface.mode |= dContactFDir1;
            for (int k = 0; k < 3; k++) c[i].fdir1[k] = tp[k] / tn;
        }
    }
}

// Narrow phase of one pair, recorded with its geom slots; the contact joints are
// made after the whole pass, sorted by slots (pilotsim's order).
static void near_cb(void *data, dGeomID o1, dGeomID o2)
{
    bare_world *b = data;
    dBodyID b1 = dGeomGetBody(o1), b2 = dGeomGetBody(o2);
    if (!b1 && !b2) return;
    if (b1 && b2 && dAreConnectedExcluding(b1, b2, dJointTypeContact)) return;
    uint32_t s1 = (uint32_t)(uintptr_t)dGeomGetData(o1), s2 = (uint32_t)(uintptr_t)dGeomGetData(o2);
    if (!b1 || (b2 && s2 < s1)) { // a body's geom first; two bodies: lower slot first
        dGeomID t = o1; o1 = o2; o2 = t;
        uint32_t u = s1; s1 = s2; s2 = u;
    }
    if (b->nhits == MAXHITS || b->npoints + MAXC > MAXHITS * 2) abort(); // bench worlds stay far below
    int n = dCollide(o1, o2, MAXC, &b->points[b->npoints], sizeof(dContactGeom));
    if (n <= 0) return;
    b->hits[b->nhits++] = (struct pair_hit){(uint64_t)s1 << 32 | s2, b->npoints, n};
    b->npoints += n;
}

// Bottom-up merge sort of the pair hits by key (unique keys: any sort gives
// the same order), through the world's second buffer.
static void sort_pairs(bare_world *b)
{
    struct pair_hit *src = b->hits, *dst = b->tmp;
    int n = b->nhits;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = src[j].key < src[i].key ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        struct pair_hit *t = src; src = dst; dst = t;
    }
    if (src != b->hits) memcpy(b->hits, src, (size_t)n * sizeof *src);
}

static void make_contacts(bare_world *b)
{
    dContact c[MAXC];
    for (int h = 0; h < b->nhits; h++) {
        uint32_t s1 = (uint32_t)(b->hits[h].key >> 32), s2 = (uint32_t)b->hits[h].key;
        dBodyID b1 = dGeomGetBody(b->geoms[s1]), b2 = dGeomGetBody(b->geoms[s2]);
        int n = b->hits[h].n;
        double mu = sqrt(b->mu[b->material[s1]] * b->mu[b->material[s2]]);
        for (int i = 0; i < n; i++) {
            c[i].geom = b->points[b->hits[h].first + i];
            memset(&c[i].surface, 0, sizeof c[i].surface);
            c[i].surface.mode = dContactApprox1;
            c[i].surface.mu = mu;
        }
        slip_friction(c, n, b1, b2, b->dt);
        for (int i = 0; i < n; i++) {
            dJointID j = dJointCreateContact(b->world, b->contacts, &c[i]);
            dJointAttach(j, b1, b2);
        }
    }
}

static bare_world *new_world(world_kind k, const ps_world *ref)
{
    bare_world *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->kind = k;
    b->world = dWorldCreate();
    dWorldSetGravity(b->world, 0, 0, -9.81);
    dWorldSetERP(b->world, 0.2);
    dWorldSetCFM(b->world, 1e-5);
    dWorldSetQuickStepNumIterations(b->world, 20);
    dWorldSetQuickStepW(b->world, 1.3);
    dWorldSetContactSurfaceLayer(b->world, 0.001);
    dWorldSetContactMaxCorrectingVel(b->world, 1.0);
    b->space = dHashSpaceCreate(0);
    b->contacts = dJointGroupCreate(0);
    b->seed = (unsigned long)ps_world_solver_seed(ref);
    b->dt = ps_world_get_def(ref)->timestep;
    b->mu[0] = 0.8;
    return b;
}

static void set_geom(bare_world *b, dGeomID g, int material, dBodyID body, const double off[3], const double q[4])
{
    if (b->ngeoms == MAXG) abort();
    b->material[b->ngeoms] = material;
    b->geoms[b->ngeoms] = g;
    dGeomSetData(g, (void *)(uintptr_t)b->ngeoms++);
    dGeomSetCategoryBits(g, 1);
    dGeomSetCollideBits(g, ~0u);
    if (body) {
        dGeomSetBody(g, body);
        dGeomSetOffsetPosition(g, off ? off[0] : 0, off ? off[1] : 0, off ? off[2] : 0);
        dReal iq[4] = {1, 0, 0, 0};
        dGeomSetOffsetQuaternion(g, q ? q : iq);
    } else if (off) {
        dGeomSetPosition(g, off[0], off[1], off[2]);
    }
}

static dBodyID new_body(bare_world *b, double x, double y, double z, const double q[4], const double v[3])
{
    dBodyID body = dBodyCreate(b->world);
    dReal iq[4] = {1, 0, 0, 0};
    dBodySetQuaternion(body, q ? q : iq);
    dBodySetPosition(body, x, y, z);
    if (v) dBodySetLinearVel(body, v[0], v[1], v[2]);
    b->bodies[b->nbodies++] = body;
    return body;
}

static void set_mass(dBodyID body, double m, double ixx, double iyy, double izz)
{
    dMass mass;
    dMassSetParameters(&mass, m, 0, 0, 0, ixx, iyy, izz, 0, 0, 0);
    dBodySetMass(body, &mass);
}

// Limit and motor parameters as pilotsim applies them to one joint axis.
typedef void (*param_fn)(dJointID, int, dReal);
static void axis_params(param_fn set, dJointID j, int axis, bool limited, double lo, double hi, double vel, double fmax)
{
    int o = axis * dParamGroup;
    set(j, dParamLoStop + o, -dInfinity);
    set(j, dParamHiStop + o, dInfinity);
    if (limited) {
        set(j, dParamHiStop + o, hi);
        set(j, dParamLoStop + o, lo);
    }
    set(j, dParamStopERP + o, 0.2);
    set(j, dParamStopCFM + o, 1e-8);
    set(j, dParamBounce + o, 0);
    set(j, dParamVel + o, vel);
    set(j, dParamFMax + o, fmax);
}

/* ------------------------------------------------------------ humanoid */

typedef struct { const char *name; double x, y, z, m, ixx, iyy, izz; } hbody;

static void build_humanoid(bare_world *b)
{
    const double lift = 0.20, v0[3] = {0.6, 0.25, 0};
    set_geom(b, dCreatePlane(b->space, 0, 0, 1, 0), 0, NULL, NULL, NULL);
    static const hbody proto[] = {
        {"torso", 0, 0, 1.38, 30.0, 1.00561, 1.00561, 0.216831},
        {"pelvis", 0, 0, 0.98, 10.0, 0.070575, 0.03645, 0.070575},
        {"thigh", 0, 0.10, 0.715, 8.0, 0.109428, 0.109428, 0.0186456},
        {"shin", 0, 0.10, 0.29, 3.5, 0.0418011, 0.0418011, 0.00421591},
        {"foot", 0.04, 0.10, 0.03, 1.0, 0.00113333, 0.0051, 0.00563333},
        {"uarm", 0, 0.22, 1.355, 2.2, 0.0136994, 0.0136994, 0.00212469},
        {"farm", 0, 0.22, 1.05, 1.6, 0.0107169, 0.0107169, 0.00123005},
    };
    // Creation order: torso, pelvis, thigh_L, shin_L, foot_L, thigh_R, shin_R, foot_R,
    // uarm_L, farm_L, uarm_R, farm_R.
    static const int order[12] = {0, 1, 2, 3, 4, 2, 3, 4, 5, 6, 5, 6};
    static const int side[12] = {1, 1, 1, 1, 1, -1, -1, -1, 1, 1, -1, -1};
    dBodyID bd[12];
    // pelvis capsule along y: roll +pi/2, normalised as pilotsim does.
    double qw = cos(QUARTER_PI), qx = sin(QUARTER_PI), n = sqrt(qw * qw + qx * qx);
    dReal qy[4] = {qw / n, qx / n, 0, 0};
    for (int i = 0; i < 12; i++) {
        const hbody *p = &proto[order[i]];
        dBodyID body = bd[i] = new_body(b, p->x, side[i] * p->y, p->z + lift, NULL, v0);
        set_mass(body, p->m, p->ixx, p->iyy, p->izz);
        switch (order[i]) {
        case 0:
            set_geom(b, dCreateCapsule(b->space, 0.13, 0.22), 0, body, (double[3]){0, 0, -0.06}, NULL);
            set_geom(b, dCreateSphere(b->space, 0.11), 0, body, (double[3]){0, 0, 0.30}, NULL);
            break;
        case 1: set_geom(b, dCreateCapsule(b->space, 0.09, 0.12), 0, body, NULL, qy); break;
        case 2: set_geom(b, dCreateCapsule(b->space, 0.07, 0.29), 0, body, NULL, NULL); break;
        case 3: set_geom(b, dCreateCapsule(b->space, 0.05, 0.30), 0, body, NULL, NULL); break;
        case 4: set_geom(b, dCreateBox(b->space, 0.24, 0.10, 0.06), 0, body, NULL, NULL); break;
        case 5: set_geom(b, dCreateCapsule(b->space, 0.045, 0.20), 0, body, NULL, NULL); break;
        case 6: set_geom(b, dCreateCapsule(b->space, 0.04, 0.22), 0, body, NULL, NULL); break;
        }
    }
    enum { TORSO, PELVIS, THIGH_L, SHIN_L, FOOT_L, THIGH_R, SHIN_R, FOOT_R, UARM_L, FARM_L, UARM_R, FARM_R };
    // abdomen
    dJointID j = dJointCreateHinge(b->world, 0);
    dJointAttach(j, bd[PELVIS], bd[TORSO]);
    dJointSetHingeAnchor(j, 0, 0, 1.08 + lift);
    dJointSetHingeAxis(j, 0, 1, 0);
    axis_params(dJointSetHingeParam, j, 0, true, -0.6, 0.6, 0, 0);
    for (int s = 0; s < 2; s++) { // hips, L then R
        double sy = s ? -1 : 1;
        dBodyID c = bd[s ? THIGH_R : THIGH_L], p = bd[PELVIS];
        j = dJointCreateBall(b->world, 0);
        dJointAttach(j, c, p);
        dJointSetBallAnchor(j, 0, sy * 0.10, 0.93 + lift);
        dJointID am = dJointCreateAMotor(b->world, 0);
        dJointAttach(am, c, p);
        dJointSetAMotorMode(am, dAMotorEuler);
        dJointSetAMotorAxis(am, 0, 1, 1, 0, 0);
        dJointSetAMotorAxis(am, 2, 2, 0, 0, 1);
        const double lim[3][2] = {{-0.8, 0.8}, {-1.3, 1.3}, {-0.7, 0.7}};
        for (int a = 0; a < 3; a++) axis_params(dJointSetAMotorParam, am, a, true, lim[a][0], lim[a][1], 0, 0);
    }
    for (int s = 0; s < 2; s++) { // knees
        double sy = s ? -1 : 1;
        j = dJointCreateHinge(b->world, 0);
        dJointAttach(j, bd[s ? SHIN_R : SHIN_L], bd[s ? THIGH_R : THIGH_L]);
        dJointSetHingeAnchor(j, 0, sy * 0.10, 0.50 + lift);
        dJointSetHingeAxis(j, 0, 1, 0);
        axis_params(dJointSetHingeParam, j, 0, true, -0.05, 2.5, 0, 0);
        if (s) b->knee_r = j;
        else b->knee_l = j;
    }
    for (int s = 0; s < 2; s++) { // ankles
        double sy = s ? -1 : 1;
        j = dJointCreateUniversal(b->world, 0);
        dJointAttach(j, bd[s ? FOOT_R : FOOT_L], bd[s ? SHIN_R : SHIN_L]);
        dJointSetUniversalAnchor(j, 0, sy * 0.10, 0.08 + lift);
        dJointSetUniversalAxis1(j, 1, 0, 0);
        dJointSetUniversalAxis2(j, 0, 1, 0);
        axis_params(dJointSetUniversalParam, j, 0, true, -0.4, 0.4, 0, 0);
        axis_params(dJointSetUniversalParam, j, 1, true, -0.7, 0.7, 0, 0);
    }
    for (int s = 0; s < 2; s++) { // shoulders
        double sy = s ? -1 : 1;
        dBodyID c = bd[s ? UARM_R : UARM_L], p = bd[TORSO];
        j = dJointCreateBall(b->world, 0);
        dJointAttach(j, c, p);
        dJointSetBallAnchor(j, 0, sy * 0.22, 1.50 + lift);
        dJointID am = dJointCreateAMotor(b->world, 0);
        dJointAttach(am, c, p);
        dJointSetAMotorMode(am, dAMotorEuler);
        dJointSetAMotorAxis(am, 0, 1, 1, 0, 0);
        dJointSetAMotorAxis(am, 2, 2, 0, 0, 1);
        const double lim[3][2] = {{-1.5, 1.5}, {-1.4, 1.4}, {-1.2, 1.2}};
        for (int a = 0; a < 3; a++) axis_params(dJointSetAMotorParam, am, a, true, lim[a][0], lim[a][1], 0, 0);
    }
    for (int s = 0; s < 2; s++) { // elbows
        double sy = s ? -1 : 1;
        j = dJointCreateHinge(b->world, 0);
        dJointAttach(j, bd[s ? FARM_R : FARM_L], bd[s ? UARM_R : UARM_L]);
        dJointSetHingeAnchor(j, 0, sy * 0.22, 1.205 + lift);
        dJointSetHingeAxis(j, 0, 1, 0);
        axis_params(dJointSetHingeParam, j, 0, true, -2.5, 0.05, 0, 0);
    }
}

/* ------------------------------------------------------------ box pile */

static void build_box_pile(bare_world *b, const ps_world *ref)
{
    static const double walls[5][6] = {
        {1.40, 1.40, 0.10, 0, 0, -0.05}, {0.10, 1.40, 0.80, 0.65, 0, 0.40}, {0.10, 1.40, 0.80, -0.65, 0, 0.40},
        {1.20, 0.10, 0.80, 0, 0.65, 0.40}, {1.20, 0.10, 0.80, 0, -0.65, 0.40},
    };
    for (int i = 0; i < 5; i++)
        set_geom(b, dCreateBox(b->space, walls[i][0], walls[i][1], walls[i][2]), 0, NULL, walls[i] + 3, NULL);
    for (int k = 0; k < 100; k++) {
        int layer = k / 25, row = (k % 25) / 5, col = k % 5;
        // The sizes were drawn from the episode RNG when pilotsim built the scene.
        ps_geom_def d;
        ps_geom_get_def(ref, ps_world_geom_at(ref, 5 + (size_t)k), &d);
        dBodyID body = new_body(b, -0.44 + 0.22 * col, -0.44 + 0.22 * row, 0.20 + 0.25 * layer, NULL, NULL);
        set_geom(b, dCreateBox(b->space, d.size.x, d.size.y, d.size.z), 0, body, NULL, NULL);
        dMass m;
        dMassSetBox(&m, 500, d.size.x, d.size.y, d.size.z);
        dBodySetMass(body, &m);
    }
}

/* ------------------------------------------------------------ diff drive */

static void build_diffdrive(bare_world *b)
{
    b->mu[1] = 1.0;   // robot/wheel
    b->mu[2] = 0.001; // robot/caster
    set_geom(b, dCreatePlane(b->space, 0, 0, 1, 0), 0, NULL, NULL, NULL);
    static const double walls[4][6] = {
        {0.1, 10.2, 0.5, 5.05, 0, 0.25}, {0.1, 10.2, 0.5, -5.05, 0, 0.25},
        {10.0, 0.1, 0.5, 0, 5.05, 0.25}, {10.0, 0.1, 0.5, 0, -5.05, 0.25},
    };
    for (int i = 0; i < 4; i++)
        set_geom(b, dCreateBox(b->space, walls[i][0], walls[i][1], walls[i][2]), 0, NULL, walls[i] + 3, NULL);
    static const double boxes[10][5] = {
        {3.0, 0.5, 0.5, 0.5, 0.5}, {-2.5, 2.0, 0.6, 0.4, 0.6}, {2.0, -3.0, 0.4, 0.8, 0.4}, {-3.5, -1.5, 0.5, 0.5, 0.8},
        {0.5, 3.5, 1.0, 0.3, 0.5}, {-1.0, -3.0, 0.4, 0.4, 0.4}, {4.0, 3.5, 0.6, 0.6, 0.6}, {-4.0, 4.0, 0.5, 0.5, 0.5},
        {2.5, 2.5, 0.3, 0.9, 0.5}, {-2.0, -0.5, 0.4, 0.4, 1.0},
    };
    for (int i = 0; i < 10; i++)
        set_geom(b, dCreateBox(b->space, boxes[i][2], boxes[i][3], boxes[i][4]), 0, NULL,
                 (double[3]){boxes[i][0], boxes[i][1], boxes[i][4] / 2}, NULL);
    static const double cyls[10][4] = {
        {0.6, 1.60, 0.20, 0.6}, {1.8, -1.2, 0.15, 0.5}, {-1.5, 1.2, 0.25, 0.8}, {3.8, -1.0, 0.20, 0.6},
        {-3.0, 3.2, 0.30, 0.5}, {0.0, -2.0, 0.20, 0.7}, {-4.2, 0.5, 0.20, 0.6}, {1.2, 4.3, 0.25, 0.6},
        {4.2, -4.0, 0.30, 0.5}, {-2.8, -4.0, 0.20, 0.9},
    };
    for (int i = 0; i < 10; i++)
        set_geom(b, dCreateCylinder(b->space, cyls[i][2], cyls[i][3]), 0, NULL,
                 (double[3]){cyls[i][0], cyls[i][1], cyls[i][3] / 2}, NULL);

    const double r = 0.10, ww = 0.04, cm = 20, wm = 1.0;
    dBodyID chassis = new_body(b, 0, 0, r, NULL, NULL);
    set_mass(chassis, cm, cm * (0.4 * 0.4 + 0.15 * 0.15) / 12, cm * (0.5 * 0.5 + 0.15 * 0.15) / 12,
             cm * (0.5 * 0.5 + 0.4 * 0.4) / 12);
    set_geom(b, dCreateBox(b->space, 0.5, 0.4, 0.15), 0, chassis, NULL, NULL);
    set_geom(b, dCreateSphere(b->space, 0.025), 2, chassis, (double[3]){-0.20, 0, -(r - 0.025) + 0.0}, NULL);
    double iperp = wm * (3 * r * r + ww * ww) / 12, iax = wm * r * r / 2, wy = 0.4 / 2 + 0.01 + ww / 2;
    double qw = cos(QUARTER_PI), qx = sin(QUARTER_PI), n = sqrt(qw * qw + qx * qx);
    dReal qroll[4] = {qw / n, qx / n, 0, 0};
    for (int s = 0; s < 2; s++) {
        double y = s ? -wy : wy;
        dBodyID wheel = new_body(b, 0.10, y, r, NULL, NULL);
        set_mass(wheel, wm, iperp, iax, iperp);
        set_geom(b, dCreateCylinder(b->space, r, ww), 1, wheel, NULL, qroll);
        dJointID j = dJointCreateHinge(b->world, 0);
        dJointAttach(j, wheel, chassis);
        dJointSetHingeAnchor(j, 0.10, y, r);
        dJointSetHingeAxis(j, -sin(0.0), cos(0.0), 0);
        axis_params(dJointSetHingeParam, j, 0, false, 0, 0, 0, 20);
        if (s) b->wheel_r = j;
        else b->wheel_l = j;
    }
}

bare_world *bare_create(const char *name, const ps_world *ref)
{
    world_kind k;
    if (!strcmp(name, "humanoid")) k = W_HUMANOID;
    else if (!strcmp(name, "box_pile")) k = W_BOX_PILE;
    else if (!strcmp(name, "diffdrive_obstacles")) k = W_DIFFDRIVE;
    else return NULL;
    bare_world *b = new_world(k, ref);
    if (!b) return NULL;
    switch (k) {
    case W_HUMANOID: build_humanoid(b); break;
    case W_BOX_PILE: build_box_pile(b, ref); break;
    case W_DIFFDRIVE: build_diffdrive(b); break;
    }
    return b;
}

static void scripted(bare_world *b)
{
    switch (b->kind) {
    case W_HUMANOID:
        dJointAddHingeTorque(b->knee_l, -2.0 * dJointGetHingeAngleRate(b->knee_l));
        dJointAddHingeTorque(b->knee_r, -2.0 * dJointGetHingeAngleRate(b->knee_r));
        break;
    case W_BOX_PILE: {
        volatile dReal z = dBodyGetPosition(b->bodies[b->nbodies - 1])[2]; // the scene reads it too
        (void)z;
        break;
    }
    case W_DIFFDRIVE: {
        int mode = (b->steps % 2000 < 1250) ? 1 : 2;
        if (mode != b->drive_mode) {
            b->drive_mode = mode;
            double l = mode == 1 ? 5.0 : -2.3, r = mode == 1 ? 5.0 : 2.3;
            dJointSetHingeParam(b->wheel_l, dParamVel, l);
            dJointSetHingeParam(b->wheel_l, dParamFMax, 20);
            dJointSetHingeParam(b->wheel_r, dParamVel, r);
            dJointSetHingeParam(b->wheel_r, dParamFMax, 20);
        }
        break;
    }
    }
}

void bare_step(bare_world *b)
{
    scripted(b);
    b->nhits = b->npoints = 0;
    dSpaceCollide(b->space, b, near_cb);
    sort_pairs(b);
    make_contacts(b);
    dRandSetSeed(b->seed);
    dWorldQuickStep(b->world, b->dt);
    b->seed = dRandGetSeed();
    dJointGroupEmpty(b->contacts);
    b->steps++;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t bare_hash(const bare_world *b)
{
    uint64_t h = 0xcbf29ce484222325ULL, seed = b->seed;
    h = fnv(h, &b->steps, sizeof b->steps);
    h = fnv(h, &seed, sizeof seed);
    for (int i = 0; i < b->nbodies; i++) {
        uint32_t idx = (uint32_t)i;
        h = fnv(h, &idx, sizeof idx);
        h = fnv(h, dBodyGetPosition(b->bodies[i]), 3 * sizeof(dReal));
        h = fnv(h, dBodyGetQuaternion(b->bodies[i]), 4 * sizeof(dReal));
        h = fnv(h, dBodyGetLinearVel(b->bodies[i]), 3 * sizeof(dReal));
        h = fnv(h, dBodyGetAngularVel(b->bodies[i]), 3 * sizeof(dReal));
    }
    return h;
}

void bare_destroy(bare_world *b)
{
    if (!b) return;
    dJointGroupDestroy(b->contacts);
    dSpaceDestroy(b->space);
    dWorldDestroy(b->world);
    free(b);
}
