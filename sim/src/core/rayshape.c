// A geom's shape for the lidar's own ray tests (see rayshape.h, which holds
// the tests themselves, inline for the casting loops).
#include "rayshape.h"

void ps_rayshape_set(ps_rayshape *s, dGeomID g)
{
    *s = (ps_rayshape){.kind = PS_RAYSHAPE_NONE};
    switch (dGeomGetClass(g)) {
    case dBoxClass: {
        dVector3 side;
        dGeomBoxGetLengths(g, side);
        for (int k = 0; k < 3; k++) s->h[k] = 0.5 * side[k];
        s->kind = PS_RAYSHAPE_BOX;
        break;
    }
    case dSphereClass:
        s->h[0] = dGeomSphereGetRadius(g);
        s->kind = PS_RAYSHAPE_SPHERE;
        break;
    case dCapsuleClass:
    case dCylinderClass: {
        dReal radius, length;
        if (dGeomGetClass(g) == dCapsuleClass) dGeomCapsuleGetParams(g, &radius, &length);
        else dGeomCylinderGetParams(g, &radius, &length);
        s->h[0] = radius;
        s->h[1] = 0.5 * length;
        s->kind = dGeomGetClass(g) == dCapsuleClass ? PS_RAYSHAPE_CAPSULE : PS_RAYSHAPE_CYLINDER;
        break;
    }
    case dPlaneClass: { // not placeable: its parameters only
        dVector4 pl;
        dGeomPlaneGetParams(g, pl);
        for (int k = 0; k < 3; k++) s->p[k] = pl[k];
        s->h[0] = pl[3];
        s->kind = PS_RAYSHAPE_PLANE;
        return;
    }
    default: return;
    }
    const dReal *pos = dGeomGetPosition(g), *rot = dGeomGetRotation(g); // rot: 3 rows of 4
    for (int i = 0; i < 3; i++) {
        s->p[i] = pos[i];
        for (int j = 0; j < 3; j++) s->r[3 * i + j] = rot[4 * i + j];
    }
}
