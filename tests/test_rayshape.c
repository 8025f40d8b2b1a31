// The lidar's own ray intersections (sim/src/core/rayshape.c) against ODE's
// ray colliders (dCollide with a ray geom), for each shape with an own test:
// box, sphere, capsule, cylinder, plane. Random rotated shapes and random rays
// that start outside and aim at the shape, start inside it, pass it, graze it
// (1e-7 m in or out of its surface), and end just short of or just past it
// (the maximum range); hit or miss must agree and distances to 1e-9 m. Then the
// borderline conventions on exact constructions (touching a box's face, a
// beam at a cylinder's top, a sphere's tangent, a cap at the maximum range).
#include "harness.h"
#include "pilotsim/rng.h"
#include "rayshape.h"

#include <math.h>
#include <ode/ode.h>

static ps_rng rng;
static double urand(void) { return ps_rng_uniform(&rng); }
static double urange(double a, double b) { return a + (b - a) * urand(); }

static void unit(double v[3])
{
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int k = 0; k < 3; k++) v[k] /= n;
}

static void random_dir(double v[3])
{
    do {
        for (int k = 0; k < 3; k++) v[k] = urange(-1, 1);
    } while (v[0] * v[0] + v[1] * v[1] + v[2] * v[2] < 1e-2);
    unit(v);
}

enum { BOX, SPHERE, CAPSULE, CYLINDER, PLANE, KINDS };
static const char *const KIND_NAME[] = {"box", "sphere", "capsule", "cylinder", "plane"};

// A random shape of kind k, rotated at random (or not, `upright`), centred near (1, -2, 0.5).
static dGeomID make_shape(int k, bool upright, double size[3])
{
    dGeomID g = NULL;
    for (int i = 0; i < 3; i++) size[i] = urange(0.05, 1.5);
    switch (k) {
    case BOX: g = dCreateBox(0, size[0], size[1], size[2]); break;
    case SPHERE: g = dCreateSphere(0, size[0]); break;
    case CAPSULE: g = dCreateCapsule(0, size[0], size[1]); break;
    case CYLINDER: g = dCreateCylinder(0, size[0], size[1]); break;
    default: {
        double n[3];
        random_dir(n);
        if (upright) n[0] = n[1] = 0, n[2] = 1;
        return dCreatePlane(0, n[0], n[1], n[2], urange(-1, 1));
    }
    }
    dGeomSetPosition(g, 1 + urange(-0.5, 0.5), -2 + urange(-0.5, 0.5), 0.5 + urange(-0.5, 0.5));
    if (!upright) {
        dQuaternion q = {urange(-1, 1), urange(-1, 1), urange(-1, 1), urange(-1, 1)};
        double n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        for (int i = 0; i < 4; i++) q[i] /= n;
        dGeomSetQuaternion(g, q);
    }
    return g;
}

// Local point -> world point of a placeable geom.
static void to_world(dGeomID g, const double l[3], double w[3])
{
    dVector3 r;
    dGeomGetRelPointPos(g, l[0], l[1], l[2], r);
    for (int k = 0; k < 3; k++) w[k] = r[k];
}

static void local_dir(dGeomID g, const double l[3], double w[3])
{
    dVector3 r;
    dGeomVectorToWorld(g, l[0], l[1], l[2], r);
    for (int k = 0; k < 3; k++) w[k] = r[k];
    unit(w);
}

// ODE's answer for the ray o + t d, t in [0, len].
static bool ode_cast(dGeomID g, const double o[3], const double d[3], double len, double *t)
{
    dGeomID ray = dCreateRay(0, len);
    dGeomRaySetClosestHit(ray, 1);
    dGeomRaySet(ray, o[0], o[1], o[2], d[0], d[1], d[2]);
    dContactGeom cg;
    int n = dCollide(ray, g, 1, &cg, sizeof cg);
    dGeomDestroy(ray);
    if (n < 1) return false;
    *t = cg.depth;
    return true;
}

typedef struct tally {
    long rays, hits, mismatched, capsule_defect;
    double worst;
} tally;

// One ray: the own test against ODE's.
static void compare(dGeomID g, int kind, const double o[3], const double d[3], double len, tally *ty,
                    const char *what)
{
    ps_rayshape s;
    ps_rayshape_set(&s, g);
    double ta = 0, tb = 0;
    bool a = ps_rayshape_cast(&s, o, d, len, &ta), b = ode_cast(g, o, d, len, &tb);
    ty->rays++;
    // ODE's capsule collider misses a ray from inside that leaves through a cap
    // ball when the ray's exit from the infinite cylinder is beyond `len`
    // (rayshape.h): then ODE, given a longer ray, must report the own distance.
    if (kind == CAPSULE && a && !b && ode_cast(g, o, d, 1e3, &tb) && tb <= len) {
        b = true;
        ty->capsule_defect++;
    }
    ty->hits += b;
    double e = a && b ? fabs(ta - tb) : 0;
    if (e > ty->worst) ty->worst = e;
    if (a != b || !(e <= 1e-9)) {
        if (ty->mismatched++ < 5)
            NOTE("%s %s: o (%.17g %.17g %.17g) d (%.17g %.17g %.17g) len %.17g: own %s %.17g, ODE %s %.17g",
                 KIND_NAME[kind], what, o[0], o[1], o[2], d[0], d[1], d[2], len, a ? "hit" : "miss", ta,
                 b ? "hit" : "miss", tb);
    }
}

// A point inside the solid (local coordinates), picked at random.
static void inside_point(int kind, const double size[3], double l[3])
{
    switch (kind) {
    case BOX:
        for (int k = 0; k < 3; k++) l[k] = urange(-0.49, 0.49) * size[k];
        break;
    case SPHERE:
    case CAPSULE:
    case CYLINDER: {
        double r = size[0] * 0.98, ang = urange(0, 6.283185307179586), rr = r * sqrt(urand());
        l[0] = rr * cos(ang), l[1] = rr * sin(ang);
        l[2] = kind == SPHERE ? urange(-0.5, 0.5) * sqrt(r * r - rr * rr) : urange(-0.49, 0.49) * size[1];
        break;
    }
    default: l[0] = l[1] = 0, l[2] = 0;
    }
}

// A point on the surface (local) and its outward normal, for grazing rays;
// the ray direction is made perpendicular to the normal.
static void surface_point(int kind, const double size[3], double l[3], double n[3])
{
    double ang = urange(0, 6.283185307179586);
    switch (kind) {
    case BOX: {
        int k = (int)(urand() * 3), s = urand() < 0.5 ? -1 : 1;
        for (int i = 0; i < 3; i++) l[i] = urange(-0.45, 0.45) * size[i], n[i] = 0;
        l[k] = s * 0.5 * size[k];
        n[k] = s;
        break;
    }
    case SPHERE: {
        random_dir(n);
        for (int i = 0; i < 3; i++) l[i] = size[0] * n[i];
        break;
    }
    case CAPSULE: { // a point of a cap ball, beyond the cylinder
        random_dir(n);
        if (n[2] < 0.2) n[2] = 0.2 + urand() * 0.8;
        unit(n);
        for (int i = 0; i < 3; i++) l[i] = size[0] * n[i];
        l[2] += 0.5 * size[1];
        break;
    }
    case CYLINDER:
        if (urand() < 0.5) { // side
            n[0] = cos(ang), n[1] = sin(ang), n[2] = 0;
            l[0] = size[0] * n[0], l[1] = size[0] * n[1], l[2] = urange(-0.45, 0.45) * size[1];
        } else { // top cap
            double rr = size[0] * 0.9 * sqrt(urand());
            l[0] = rr * cos(ang), l[1] = rr * sin(ang), l[2] = 0.5 * size[1];
            n[0] = n[1] = 0, n[2] = 1;
        }
        break;
    default: break;
    }
}

static void test_random_rays(void)
{
    ps_rng_seed(&rng, 20261205);
    dInitODE2(0);
    for (int kind = 0; kind < KINDS; kind++) {
        tally ty = {0};
        for (int shape = 0; shape < 300; shape++) {
            double size[3];
            dGeomID g = make_shape(kind, shape % 10 == 0, size);
            for (int r = 0; r < 60; r++) {
                double o[3], d[3], l[3], p[3], len = urange(0.5, 20);
                int mode = r % 6;
                if (kind == PLANE) {
                    dVector4 pl;
                    dGeomPlaneGetParams(g, pl);
                    for (int k = 0; k < 3; k++) o[k] = urange(-3, 3);
                    random_dir(d);
                    if (mode == 1) { // nearly parallel: the plane's normal part 1e-7
                        double f = pl[0] * d[0] + pl[1] * d[1] + pl[2] * d[2];
                        for (int k = 0; k < 3; k++) d[k] -= (f - (r % 12 < 6 ? 1e-7 : -1e-7)) * pl[k];
                        unit(d);
                    } else if (mode == 2) { // ending just short of or past the plane
                        double f0 = pl[3] - (pl[0] * o[0] + pl[1] * o[1] + pl[2] * o[2]);
                        double k = pl[0] * d[0] + pl[1] * d[1] + pl[2] * d[2];
                        // (lidar ranges: within 100 m; farther, 1e-9 m is below double's rounding of the distance)
                        if (f0 / k > 0 && f0 / k < 100) len = f0 / k + (r % 12 < 6 ? 1e-7 : -1e-7);
                    }
                    compare(g, kind, o, d, len, &ty, mode == 1 ? "parallel" : mode == 2 ? "max range" : "random");
                    continue;
                }
                const char *what = "aimed";
                if (mode == 0 || mode == 3) { // from outside through an inside point
                    inside_point(kind, size, l);
                    to_world(g, l, p);
                    random_dir(d);
                    double back = urange(2.5, 6);
                    for (int k = 0; k < 3; k++) o[k] = p[k] - back * d[k];
                    if (mode == 3) { // ending near the entry point: the maximum range
                        double t;
                        if (ode_cast(g, o, d, 50, &t)) len = t + (r % 12 < 6 ? 1e-7 : -1e-7);
                        what = "max range";
                    }
                } else if (mode == 1) { // from inside
                    inside_point(kind, size, o);
                    to_world(g, o, p);
                    for (int k = 0; k < 3; k++) o[k] = p[k];
                    random_dir(d);
                    what = "inside";
                } else if (mode == 2) { // grazing, 1e-7 m in or out of the surface
                    double n[3], u[3], nw[3];
                    surface_point(kind, size, l, n);
                    double off = r % 12 < 6 ? 1e-7 : -1e-7;
                    for (int k = 0; k < 3; k++) l[k] += off * n[k];
                    random_dir(u);
                    double f = u[0] * n[0] + u[1] * n[1] + u[2] * n[2];
                    for (int k = 0; k < 3; k++) u[k] -= f * n[k];
                    to_world(g, l, p);
                    local_dir(g, u, d);
                    (void)nw;
                    double back = urange(2.5, 6);
                    for (int k = 0; k < 3; k++) o[k] = p[k] - back * d[k];
                    what = "grazing";
                } else { // anywhere: mostly misses
                    for (int k = 0; k < 3; k++) o[k] = urange(-3, 5);
                    random_dir(d);
                    what = "random";
                }
                compare(g, kind, o, d, len, &ty, what);
            }
            dGeomDestroy(g);
        }
        NOTE("%s: %ld rays, %ld hits, worst %.3g m (%ld of ODE's capsule misses from inside)", KIND_NAME[kind],
             ty.rays, ty.hits, ty.worst, ty.capsule_defect);
        CHECK(ty.mismatched == 0);
        CHECK(ty.hits > ty.rays / 5);
        CHECK(ty.worst <= 1e-9);
    }
    dCloseODE();
}

// Exact constructions on unrotated shapes, where the borderline conventions decide.
static void test_borderline(void)
{
    dInitODE2(0);
    tally ty = {0};
    const double x[3] = {1, 0, 0};
    // a box 2 x 2 x 1 at the origin: rays along its faces, edges and corners
    dGeomID box = dCreateBox(0, 2, 2, 1);
    const double on_face[][3] = {{-5, 1, 0}, {-5, -1, 0}, {-5, 0, 0.5}, {-5, 1, 0.5}, {-5, -1, -0.5}, {-5, 0.5, 0.25}};
    for (size_t i = 0; i < sizeof on_face / sizeof *on_face; i++) compare(box, BOX, on_face[i], x, 10, &ty, "face");
    compare(box, BOX, (double[3]){-5, 0, 0}, x, 4, &ty, "range at the face");
    compare(box, BOX, (double[3]){-5, 0, 0}, x, 3.9999999, &ty, "range short of the face");
    compare(box, BOX, (double[3]){1, 0, 0}, x, 10, &ty, "start on the far face");
    compare(box, BOX, (double[3]){-1, 0, 0}, x, 10, &ty, "start on the near face");
    dGeomDestroy(box);
    // an upright cylinder r 0.5, length 1 (z -0.5..0.5): beams at its top, along its side, through its rim
    dGeomID cyl = dCreateCylinder(0, 0.5, 1);
    const double at_cyl[][3] = {{-5, 0, 0.5}, {-5, 0, -0.5}, {-5, 0.5, 0}, {-5, -0.5, 0.25}, {-5, 0, 0.25}};
    for (size_t i = 0; i < sizeof at_cyl / sizeof *at_cyl; i++) compare(cyl, CYLINDER, at_cyl[i], x, 10, &ty, "side");
    const double down[3] = {0, 0, -1};
    compare(cyl, CYLINDER, (double[3]){0.25, 0, 3}, down, 2.5, &ty, "cap at the range");
    compare(cyl, CYLINDER, (double[3]){0.25, 0, 3}, down, 2.50001, &ty, "cap within the range");
    compare(cyl, CYLINDER, (double[3]){0.25, 0, 3}, down, 10, &ty, "cap");
    compare(cyl, CYLINDER, (double[3]){0.5, 0, 3}, down, 10, &ty, "rim, along the side");
    dGeomDestroy(cyl);
    // a sphere r 0.5: the tangent and the centre line
    dGeomID sph = dCreateSphere(0, 0.5);
    compare(sph, SPHERE, (double[3]){-5, 0.5, 0}, x, 10, &ty, "tangent");
    compare(sph, SPHERE, (double[3]){-5, 0, 0}, x, 4.5, &ty, "range at the surface");
    compare(sph, SPHERE, (double[3]){0, 0, 0}, x, 10, &ty, "from the centre");
    dGeomDestroy(sph);
    // an upright capsule r 0.5, length 1: across its side, its cap balls, its axis
    dGeomID cap = dCreateCapsule(0, 0.5, 1);
    const double at_cap[][3] = {{-5, 0, 0.5}, {-5, 0, 0.9}, {-5, 0.5, 0}, {-5, 0, 0}, {-5, 0, -1}};
    for (size_t i = 0; i < sizeof at_cap / sizeof *at_cap; i++) compare(cap, CAPSULE, at_cap[i], x, 10, &ty, "capsule");
    dGeomDestroy(cap);
    // the ground plane z = 0: a horizontal beam on it, beams down to it
    dGeomID pl = dCreatePlane(0, 0, 0, 1, 0);
    compare(pl, PLANE, (double[3]){0, 0, 0}, x, 10, &ty, "in the plane");
    compare(pl, PLANE, (double[3]){0, 0, 1}, down, 1, &ty, "plane at the range");
    compare(pl, PLANE, (double[3]){0, 0, 1}, down, 0.999, &ty, "plane beyond the range");
    compare(pl, PLANE, (double[3]){0, 0, -1}, down, 10, &ty, "below, pointing away");
    dGeomDestroy(pl);
    NOTE("%ld borderline rays, %ld hits", ty.rays, ty.hits);
    CHECK(ty.mismatched == 0);
    dCloseODE();
}

int main(void)
{
    RUN(test_random_rays);
    RUN(test_borderline);
    return TEST_DONE();
}
