// Collision geometry on bodies or on the static world.
#include "world_internal.h"
#include "ode_guard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ps_geom_def ps_default_geom_def(ps_geom_type type)
{
    return (ps_geom_def){
        .type = type,
        .pose = ps_pose_identity(),
        .size = {1, 1, 1},
        .radius = 0.1,
        .length = 0.2,
        .plane = {0, 0, 1, 0},
        .density = 1000.0,
        .material = PS_MATERIAL_DEFAULT,
        .category = 1,
        .collide = UINT32_MAX,
        .rgba = {0.7f, 0.7f, 0.7f, 1.0f},
    };
}

ps_geom_slot *ps_world_geom_slot(const ps_world *w, ps_geom_id id)
{
    if (id.gen == 0 || id.world != w->tag || id.index >= w->geom_count) return NULL;
    ps_geom_slot *g = &w->geoms[id.index];
    return (g->alive && g->gen == id.gen) ? g : NULL;
}

bool ps_geom_valid(const ps_world *w, ps_geom_id g) { return ps_world_geom_slot(w, g) != NULL; }

double ps_geom_volume(const ps_geom_def *d)
{
    const double pi = 3.14159265358979323846;
    switch (d->type) {
    case PS_GEOM_BOX: return d->size.x * d->size.y * d->size.z;
    case PS_GEOM_SPHERE: return 4.0 / 3.0 * pi * d->radius * d->radius * d->radius;
    case PS_GEOM_CAPSULE:
        return pi * d->radius * d->radius * d->length + 4.0 / 3.0 * pi * d->radius * d->radius * d->radius;
    case PS_GEOM_CYLINDER: return pi * d->radius * d->radius * d->length;
    case PS_GEOM_TRIMESH: {
        if (!d->vertices || !d->indices) return 0;
        double v = 0; // divergence theorem: sum of signed tetrahedra volumes
        for (int t = 0; t < d->tri_count; t++) {
            const double *a = d->vertices + 3 * d->indices[3 * t], *b = d->vertices + 3 * d->indices[3 * t + 1],
                         *c = d->vertices + 3 * d->indices[3 * t + 2];
            v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                  a[2] * (b[0] * c[1] - b[1] * c[0])) / 6.0;
        }
        return v;
    }
    default: return 0;
    }
}

static const char *type_name(ps_geom_type t)
{
    static const char *const names[] = {"box", "sphere", "capsule", "cylinder", "plane", "heightfield", "trimesh"};
    return (unsigned)t < 7 ? names[t] : "?";
}

static bool pos_finite(double v) { return v > 0 && isfinite(v); }

// Validates a def; NULL when fine, else a message.
static const char *check_def(const ps_geom_def *d, bool on_body, char *buf, size_t n)
{
    ps_pose p = d->pose;
    if (!ps_vec3_finite(p.p) || !ps_quat_normalize(&p.q)) return "pose must be finite with a non-zero quaternion";
    if (!(d->density >= 0) || !isfinite(d->density)) return "density must be >= 0";
    switch (d->type) {
    case PS_GEOM_BOX:
        if (!pos_finite(d->size.x) || !pos_finite(d->size.y) || !pos_finite(d->size.z))
            return "box size must be > 0 on every axis";
        break;
    case PS_GEOM_SPHERE:
        if (!pos_finite(d->radius)) return "radius must be > 0";
        break;
    case PS_GEOM_CAPSULE:
    case PS_GEOM_CYLINDER:
        if (!pos_finite(d->radius) || !pos_finite(d->length)) return "radius and length must be > 0";
        break;
    case PS_GEOM_PLANE: {
        if (on_body) return "a plane is infinite and must be static (attach it to the world)";
        double n2 = d->plane[0] * d->plane[0] + d->plane[1] * d->plane[1] + d->plane[2] * d->plane[2];
        if (!isfinite(n2) || n2 < 1e-12 || !isfinite(d->plane[3])) return "plane normal must be finite and non-zero";
        break;
    }
    case PS_GEOM_HEIGHTFIELD:
        if (on_body) return "a heightfield must be static (attach it to the world)";
        if (d->rows < 2 || d->cols < 2 || !d->heights) return "heightfield needs rows >= 2, cols >= 2 and heights";
        if (!pos_finite(d->size.x) || !pos_finite(d->size.y)) return "heightfield size x and y must be > 0";
        for (long i = 0; i < (long)d->rows * d->cols; i++)
            if (!isfinite(d->heights[i])) {
                snprintf(buf, n, "heightfield height %ld is not finite", i);
                return buf;
            }
        break;
    case PS_GEOM_TRIMESH:
        if (!d->vertices || !d->indices || d->vertex_count < 3 || d->tri_count < 1)
            return "trimesh needs >= 3 vertices and >= 1 triangle";
        for (long i = 0; i < 3L * d->vertex_count; i++)
            if (!isfinite(d->vertices[i])) {
                snprintf(buf, n, "trimesh vertex %ld is not finite", i / 3);
                return buf;
            }
        for (long i = 0; i < 3L * d->tri_count; i++)
            if (d->indices[i] < 0 || d->indices[i] >= d->vertex_count) {
                snprintf(buf, n, "trimesh index %d (triangle %ld) is outside 0..%d", d->indices[i], i / 3,
                         d->vertex_count - 1);
                return buf;
            }
        break;
    default: return "unknown geom type";
    }
    return NULL;
}

void ps_geom_place_static(ps_world *w, ps_geom_slot *g, const ps_pose *parent)
{
    w->static_version++; // the ray-casting tree of static geoms is rebuilt
    if (g->def.type == PS_GEOM_PLANE) return; // planes are non-placeable
    ps_pose p = parent ? ps_pose_mul(*parent, g->local) : g->local;
    if (g->def.type == PS_GEOM_HEIGHTFIELD) {
        // ODE's heightfield is up along local +y: turn it so +y becomes +z.
        ps_quat rx = {0.70710678118654752, 0.70710678118654752, 0, 0};
        p.q = ps_quat_mul(p.q, rx);
    }
    dGeomSetPosition(g->geom, p.p.x, p.p.y, p.p.z);
    dGeomSetQuaternion(g->geom, (dReal[4]){p.q.w, p.q.x, p.q.y, p.q.z});
}

void ps_body_apply_geom_offsets(ps_world *w, ps_body_slot *b)
{
    w->pose_epoch++;
    for (uint32_t i = b->first_geom; i != PS_NO_INDEX; i = w->geoms[i].next_in_body) {
        ps_geom_slot *g = &w->geoms[i];
        dGeomSetOffsetPosition(g->geom, g->local.p.x - b->com.x, g->local.p.y - b->com.y, g->local.p.z - b->com.z);
        dGeomSetOffsetQuaternion(g->geom, (dReal[4]){g->local.q.w, g->local.q.x, g->local.q.y, g->local.q.z});
    }
}

static dGeomID make_ode_geom(ps_world *w, ps_geom_slot *g, const ps_geom_def *d)
{
    switch (d->type) {
    case PS_GEOM_BOX: return dCreateBox(w->space, d->size.x, d->size.y, d->size.z);
    case PS_GEOM_SPHERE: return dCreateSphere(w->space, d->radius);
    case PS_GEOM_CAPSULE: return dCreateCapsule(w->space, d->radius, d->length);
    case PS_GEOM_CYLINDER: return dCreateCylinder(w->space, d->radius, d->length);
    case PS_GEOM_PLANE: {
        double n = sqrt(d->plane[0] * d->plane[0] + d->plane[1] * d->plane[1] + d->plane[2] * d->plane[2]);
        return dCreatePlane(w->space, d->plane[0] / n, d->plane[1] / n, d->plane[2] / n, d->plane[3] / n);
    }
    case PS_GEOM_HEIGHTFIELD: {
        size_t n = (size_t)d->rows * (size_t)d->cols;
        g->verts = malloc(n * sizeof *g->verts);
        if (!g->verts) return NULL;
        // ODE samples run along x (width) then z (depth); after our +90 deg turn
        // about x, ODE's +z points to world -y: flip rows so row j is at -y/2 + j*dy.
        double lo = INFINITY, hi = -INFINITY;
        for (int r = 0; r < d->rows; r++)
            for (int c = 0; c < d->cols; c++) {
                double h = d->heights[(size_t)r * d->cols + c];
                g->verts[(size_t)(d->rows - 1 - r) * d->cols + c] = h;
                lo = fmin(lo, h);
                hi = fmax(hi, h);
            }
        g->hfdata = dGeomHeightfieldDataCreate();
        dGeomHeightfieldDataBuildDouble(g->hfdata, g->verts, 0, d->size.x, d->size.y, d->cols, d->rows, 1.0, 0.0,
                                        1.0, 0);
        dGeomHeightfieldDataSetBounds(g->hfdata, lo - 1.0, hi + 1.0);
        return dCreateHeightfield(w->space, g->hfdata, 1);
    }
    case PS_GEOM_TRIMESH: {
        size_t nv = 3 * (size_t)d->vertex_count, ni = 3 * (size_t)d->tri_count;
        g->verts = malloc(nv * sizeof *g->verts);
        g->tris = malloc(ni * sizeof *g->tris);
        if (!g->verts || !g->tris) return NULL;
        memcpy(g->verts, d->vertices, nv * sizeof *g->verts);
        for (size_t i = 0; i < ni; i++) g->tris[i] = (dTriIndex)d->indices[i];
        g->tridata = dGeomTriMeshDataCreate();
        dGeomTriMeshDataBuildDouble(g->tridata, g->verts, 3 * sizeof(double), d->vertex_count, g->tris, (int)ni,
                                    3 * sizeof(dTriIndex));
        // Face angles keep convex-vs-trimesh from aborting (docs/ode-notes.md).
        dGeomTriMeshDataPreprocess2(g->tridata, 1U << dTRIDATAPREPROCESS_BUILD_FACE_ANGLES, NULL);
        return dCreateTriMesh(w->space, g->tridata, NULL, NULL, NULL);
    }
    }
    return NULL;
}

static void free_slot_data(ps_geom_slot *g)
{
    if (g->geom) dGeomDestroy(g->geom);
    if (g->tridata) dGeomTriMeshDataDestroy(g->tridata);
    if (g->hfdata) dGeomHeightfieldDataDestroy(g->hfdata);
    free(g->verts);
    free(g->tris);
    free(g->name);
    g->geom = NULL;
    g->tridata = NULL;
    g->hfdata = NULL;
    g->verts = NULL;
    g->tris = NULL;
    g->name = NULL;
}


// A geom whose bounding box reaches beyond PS_WORLD_EXTENT (a box of 1e308,
// a heightfield of 1e308 heights) makes ODE's hash space fail an assertion
// inside dSpaceCollide, which leaves the space locked and later aborts the
// process. Infinite bounds (planes) are ODE's own business.
static ps_status check_extent(ps_world *w, const ps_geom_slot *g)
{
    if (dGeomGetClass(g->geom) == dPlaneClass) return PS_OK;
    dReal aabb[6];
    dGeomGetAABB(g->geom, aabb);
    for (int k = 0; k < 6; k++)
        if (isnan(aabb[k]) || (isfinite(aabb[k]) && fabs(aabb[k]) > PS_WORLD_EXTENT))
            return ps_world_fail(w, PS_ERR_INVALID,
                                 "geom '%s': its bounding box [%g %g %g]..[%g %g %g] m reaches beyond the world's "
                                 "extent of %.0e m",
                                 g->name ? g->name : "", aabb[0], aabb[2], aabb[4], aabb[1], aabb[3], aabb[5],
                                 PS_WORLD_EXTENT);
    return PS_OK;
}

ps_geom_id ps_geom_create(ps_world *w, ps_body_id body, const ps_geom_def *def)
{
    const ps_geom_id none = PS_GEOM_NONE;
    if (!def) return ps_world_fail(w, PS_ERR_INVALID, "geom def is NULL"), none;
    ps_body_slot *b = NULL;
    if (ps_body_is_set(body)) {
        b = ps_world_body_slot(w, body);
        if (!b) return ps_world_fail(w, PS_ERR_STALE, "geom: %s body id", ps_world_id_problem(w, body.world)), none;
    }
    char buf[128];
    const char *bad = check_def(def, b && b->body, buf, sizeof buf);
    if (bad)
        return ps_world_fail(w, PS_ERR_INVALID, "%s geom%s%s%s: %s", type_name(def->type), b ? " on body '" : "",
                             b ? b->name : "", b ? "'" : "", bad), none;
    uint32_t mat;
    if (!ps_world_material_index(w, def->material, &mat))
        return ps_world_fail(w, PS_ERR_INVALID, "geom: material id %u is unknown or from another world",
                             def->material.index), none;
    if (b && b->body && b->joint_refs && b->kind == PS_BODY_DYNAMIC && b->mass_mode != PS_MASS_EXPLICIT &&
        def->density > 0)
        return ps_world_fail(w, PS_ERR_STATE,
                             "body '%s': add geoms before attaching joints (its mass would move the joint anchors)",
                             b->name), none;

    if (!ps_world_room(w, "geom", type_name(def->type))) return none;
    uint32_t idx;
    if (w->geom_free != PS_NO_INDEX) {
        idx = w->geom_free;
        w->geom_free = w->geoms[idx].next_free;
    } else {
        if (!ps_grow((void **)&w->geoms, &w->geom_cap, w->geom_count + 1, sizeof *w->geoms))
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
        idx = w->geom_count++;
    }
    ps_geom_slot *g = &w->geoms[idx];
    uint32_t gen = g->gen + 1;
    if (gen == 0) gen = 1;
    memset(g, 0, sizeof *g);
    g->gen = gen;
    g->def = *def;
    g->material = mat;
    g->def.material = (ps_material_id){mat, w->tag};
    g->def.heights = NULL;
    g->def.vertices = NULL;
    g->def.indices = NULL;
    g->local = def->pose;
    ps_quat_normalize(&g->local.q);
    g->def.pose = g->local;
    if (def->name && *def->name) {
        size_t n = strlen(def->name) + 1;
        g->name = malloc(n);
        if (g->name) memcpy(g->name, def->name, n);
    }
    g->def.name = g->name;
    ps_ode_init();
    g->geom = make_ode_geom(w, g, def);
    if (!g->geom) {
        free_slot_data(g);
        g->next_free = w->geom_free;
        w->geom_free = idx;
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    }
    g->alive = true;
    w->geom_live++;
    dGeomSetData(g->geom, (void *)(uintptr_t)idx);
    dGeomSetCategoryBits(g->geom, def->category);
    dGeomSetCollideBits(g->geom, def->collide);

    if (b) {
        g->body = body;
        g->next_in_body = b->first_geom;
        b->first_geom = idx;
        if (b->body) {
            dGeomSetBody(g->geom, b->body);
            w->moving_version++;
            dGeomSetOffsetPosition(g->geom, g->local.p.x - b->com.x, g->local.p.y - b->com.y, g->local.p.z - b->com.z);
            dGeomSetOffsetQuaternion(g->geom, (dReal[4]){g->local.q.w, g->local.q.x, g->local.q.y, g->local.q.z});
            ps_status st = check_extent(w, g);
            if (st == PS_OK) st = ps_body_add_geom_mass(w, body.index, g);
            if (st != PS_OK) {
                char msg[sizeof w->last_error];
                memcpy(msg, w->last_error, sizeof msg);
                ps_geom_destroy_slot(w, idx);
                ps_world_fail(w, st, "%s", msg);
                return none;
            }
        } else {
            ps_geom_place_static(w, g, &b->static_pose);
        }
    } else {
        g->body = PS_BODY_NONE;
        g->next_in_body = w->world_first_geom;
        w->world_first_geom = idx;
        ps_geom_place_static(w, g, NULL);
    }
    if (!b || !b->body) {
        ps_contact_place_geom(w, g->geom);
        ps_status st = check_extent(w, g);
        if (st != PS_OK) {
            char msg[sizeof w->last_error];
            memcpy(msg, w->last_error, sizeof msg);
            ps_geom_destroy_slot(w, idx);
            ps_world_fail(w, st, "%s", msg);
            return none;
        }
    }
    return (ps_geom_id){idx, gen, w->tag};
}

void ps_geom_destroy_slot(ps_world *w, uint32_t idx)
{
    ps_geom_slot *g = &w->geoms[idx];
    if (ps_body_is_set(g->body) && w->bodies[g->body.index].body) w->moving_version++;
    else w->static_version++;
    uint32_t *head = &w->world_first_geom;
    if (ps_body_is_set(g->body)) head = &w->bodies[g->body.index].first_geom;
    while (*head != PS_NO_INDEX && *head != idx) head = &w->geoms[*head].next_in_body;
    if (*head == idx) *head = g->next_in_body;
    free_slot_data(g);
    g->alive = false;
    g->next_free = w->geom_free;
    w->geom_free = idx;
    w->geom_live--;
}

ps_status ps_geom_destroy(ps_world *w, ps_geom_id id)
{
    if (!ps_world_geom_slot(w, id)) return ps_world_fail(w, PS_ERR_STALE, "%s geom id", ps_world_id_problem(w, id.world));
    ps_geom_destroy_slot(w, id.index);
    return PS_OK;
}

void ps_world_free_geoms(ps_world *w)
{
    for (uint32_t i = 0; i < w->geom_count; i++)
        if (w->geoms[i].alive) free_slot_data(&w->geoms[i]);
    free(w->geoms);
    w->geoms = NULL;
    w->geom_count = w->geom_cap = 0;
}

ps_body_id ps_geom_body(const ps_world *w, ps_geom_id id)
{
    ps_geom_slot *g = ps_world_geom_slot(w, id);
    return g ? g->body : PS_BODY_NONE;
}

ps_status ps_geom_get_def(const ps_world *w, ps_geom_id id, ps_geom_def *out)
{
    ps_geom_slot *g = ps_world_geom_slot(w, id);
    if (!g) return PS_ERR_STALE;
    *out = g->def;
    return PS_OK;
}

ps_status ps_geom_get_world_pose(const ps_world *w, ps_geom_id id, ps_pose *out)
{
    ps_geom_slot *g = ps_world_geom_slot(w, id);
    if (!g) return PS_ERR_STALE;
    if (g->def.type == PS_GEOM_PLANE) {
        *out = g->local;
        return PS_OK;
    }
    if (ps_body_is_set(g->body)) {
        ps_pose bp;
        ps_body_get_pose(w, g->body, &bp);
        *out = ps_pose_mul(bp, g->local);
    } else {
        *out = g->local;
    }
    return PS_OK;
}

ps_status ps_geom_set_material(ps_world *w, ps_geom_id id, ps_material_id m)
{
    ps_geom_slot *g = ps_world_geom_slot(w, id);
    if (!g) return ps_world_fail(w, PS_ERR_STALE, "%s geom id", ps_world_id_problem(w, id.world));
    uint32_t mat;
    if (!ps_world_material_index(w, m, &mat))
        return m.world == w->tag || m.world == 0
                   ? ps_world_fail(w, PS_ERR_INVALID, "unknown material id %u", m.index)
                   : ps_world_fail(w, PS_ERR_STALE, "material id %u is from another world or an earlier episode", m.index);
    g->material = mat;
    g->def.material = (ps_material_id){mat, w->tag};
    return PS_OK;
}

size_t ps_body_geom_count(const ps_world *w, ps_body_id body)
{
    uint32_t head = w->world_first_geom;
    if (ps_body_is_set(body)) {
        ps_body_slot *b = ps_world_body_slot(w, body);
        if (!b) return 0;
        head = b->first_geom;
    }
    size_t n = 0;
    for (uint32_t i = head; i != PS_NO_INDEX; i = w->geoms[i].next_in_body) n++;
    return n;
}
