// The default scene camera (render.h, ps_render_view_frame).
#include "pilotsim/render.h"

#include <math.h>

// Rotation matrix of a unit quaternion (w, x, y, z), row-major.
static void quat_matrix(ps_quat q, double m[3][3])
{
    double w = q.w, x = q.x, y = q.y, z = q.z;
    m[0][0] = 1 - 2 * (y * y + z * z), m[0][1] = 2 * (x * y - w * z), m[0][2] = 2 * (x * z + w * y);
    m[1][0] = 2 * (x * y + w * z), m[1][1] = 1 - 2 * (x * x + z * z), m[1][2] = 2 * (y * z - w * x);
    m[2][0] = 2 * (x * z - w * y), m[2][1] = 2 * (y * z + w * x), m[2][2] = 1 - 2 * (x * x + y * y);
}

// World-axis half extents of a shape around its pose's position (its
// axis-aligned bounding box); false for planes and what has no known size.
static bool shape_half_extents(const ps_snapshot *snap, const ps_draw_shape *d, double he[3])
{
    double m[3][3];
    quat_matrix(d->pose.q, m);
    double h[3] = {0, 0, 0};  // local half extents of a box-like bound
    switch (d->type) {
    case PS_SHAPE_BOX: h[0] = 0.5 * d->size.x, h[1] = 0.5 * d->size.y, h[2] = 0.5 * d->size.z; break;
    case PS_SHAPE_SPHERE: he[0] = he[1] = he[2] = d->radius; return true;
    case PS_SHAPE_CAPSULE:
    case PS_SHAPE_CYLINDER:
        // Along the local z axis: its half length, plus the radius around it.
        for (int i = 0; i < 3; i++) he[i] = fabs(m[i][2]) * 0.5 * d->length + d->radius;
        return true;
    case PS_SHAPE_HEIGHTFIELD:
    case PS_SHAPE_MESH: {
        size_t nm = 0;
        const ps_snapshot_mesh *mesh = ps_snapshot_meshes(snap, &nm);
        if (d->mesh >= nm) return false;
        mesh += d->mesh;
        if (d->type == PS_SHAPE_HEIGHTFIELD) {
            double hmax = 0;
            for (size_t i = 0; i < (size_t)mesh->rows * mesh->cols; i++) hmax = fmax(hmax, fabs(mesh->heights[i]));
            h[0] = 0.5 * d->size.x, h[1] = 0.5 * d->size.y, h[2] = hmax;
            break;
        }
        he[0] = he[1] = he[2] = 0;
        for (uint32_t k = 0; k < mesh->vertex_count; k++) {
            double v[3] = {mesh->vertices[3 * k] * d->size.x, mesh->vertices[3 * k + 1] * d->size.y,
                           mesh->vertices[3 * k + 2] * d->size.z};
            for (int i = 0; i < 3; i++) he[i] = fmax(he[i], fabs(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]));
        }
        return true;
    }
    case PS_SHAPE_MESH_FILE:  // a visual: its body's collision shapes give the size
    case PS_SHAPE_PLANE: return false;
    }
    for (int i = 0; i < 3; i++) he[i] = fabs(m[i][0]) * h[0] + fabs(m[i][1]) * h[1] + fabs(m[i][2]) * h[2];
    return true;
}

// Looks at the centre of the axis-aligned bounding box of
// every shape but planes (and visual mesh files), from the front right (+x,
// -y, azimuth -40 degrees by default) and 30 degrees above (or the angles given), just far enough that all 8
// corners of the box are inside the picture (with a 10 % margin).
void ps_render_view_frame(const ps_snapshot *snap, int width, int height, double azimuth_deg, double elevation_deg,
                          ps_render_view *out)
{
    size_t n = 0;
    const ps_draw_shape *sh = ps_snapshot_shapes(snap, &n);
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        double he[3];
        if (!shape_half_extents(snap, &sh[i], he)) continue;
        double p[3] = {sh[i].pose.p.x, sh[i].pose.p.y, sh[i].pose.p.z};
        if (!isfinite(he[0] + he[1] + he[2] + p[0] + p[1] + p[2])) continue;
        for (int k = 0; k < 3; k++) {
            lo[k] = fmin(lo[k], p[k] - he[k]);
            hi[k] = fmax(hi[k], p[k] + he[k]);
        }
    }
    if (!(lo[0] <= hi[0])) {  // nothing but planes: a 2 m box on the ground
        lo[0] = lo[1] = -1, lo[2] = 0;
        hi[0] = hi[1] = hi[2] = 1;
    }
    const double pi = 3.14159265358979323846;
    double c[3], half[3];
    for (int k = 0; k < 3; k++) {
        c[k] = 0.5 * (lo[k] + hi[k]);
        half[k] = fmax(0.5 * (hi[k] - lo[k]), 0.05);  // a flat or tiny scene still gets a finite distance
    }
    double az = azimuth_deg * pi / 180.0, el = elevation_deg * pi / 180.0;
    double fov_y = 45.0 * pi / 180.0;
    double tan_v = tan(0.5 * fov_y), tan_h = tan_v * (double)width / height;
    // Camera basis: `back` from the target towards the eye, `right`, `up`.
    double back[3] = {cos(el) * cos(az), cos(el) * sin(az), sin(el)};
    double right[3] = {-sin(az), cos(az), 0};  // (-back) x z, normalized
    double up[3] = {back[1] * right[2] - back[2] * right[1], back[2] * right[0] - back[0] * right[2],
                    back[0] * right[1] - back[1] * right[0]};
    double dist = 0, depth = 0;
    for (int k = 0; k < 8; k++) {
        double o[3] = {(k & 1) ? half[0] : -half[0], (k & 2) ? half[1] : -half[1], (k & 4) ? half[2] : -half[2]};
        double x = o[0] * right[0] + o[1] * right[1] + o[2] * right[2];
        double y = o[0] * up[0] + o[1] * up[1] + o[2] * up[2];
        double z = o[0] * back[0] + o[1] * back[1] + o[2] * back[2];  // towards the camera
        dist = fmax(dist, z + 1.1 * fmax(fabs(x) / tan_h, fabs(y) / tan_v));
        depth = fmax(depth, fabs(z));
    }
    out->target = (ps_vec3){c[0], c[1], c[2]};
    out->eye = (ps_vec3){c[0] + dist * back[0], c[1] + dist * back[1], c[2] + dist * back[2]};
    out->up = (ps_vec3){0, 0, 1};
    out->fov_y = fov_y;
    out->near_clip = fmax(0.01, 0.5 * (dist - depth));
    out->far_clip = 100.0 * (dist + depth) + 50.0;
    out->width = width;
    out->height = height;
}
