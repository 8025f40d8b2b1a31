/// @file geom.h
/// Collision geometry. A geom is attached to a body (with a pose relative to the
/// body's link frame) or to the static world (PS_BODY_NONE, pose in world).
/// Geoms of a body with automatic mass contribute `density` * volume to it.
#ifndef PILOTSIM_GEOM_H
#define PILOTSIM_GEOM_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"
#include "pilotsim/material.h"

PS_BEGIN_DECLS

typedef enum ps_geom_type {
    PS_GEOM_BOX,         ///< size = full extents (x, y, z), m
    PS_GEOM_SPHERE,      ///< radius, m
    PS_GEOM_CAPSULE,     ///< radius and length of the cylindrical part along local z, m
    PS_GEOM_CYLINDER,    ///< radius and length along local z, m
    PS_GEOM_PLANE,       ///< static only: normal (a,b,c) . p = d; infinite
    PS_GEOM_HEIGHTFIELD, ///< static only: grid of heights over local x-y, z up
    PS_GEOM_TRIMESH,     ///< triangle mesh from vertex and index arrays
} ps_geom_type;

/// Geom parameters. Start from ps_default_geom_def(type).
typedef struct ps_geom_def {
    ps_geom_type type;
    const char *name;       ///< copied; may be NULL
    ps_pose pose;           ///< relative to the body's link frame (or world for static geoms)
    ps_vec3 size;           ///< box: extents (m)
    double radius;          ///< sphere, capsule, cylinder (m), > 0
    double length;          ///< capsule, cylinder (m), > 0
    double plane[4];        ///< plane: a, b, c, d (normal need not be unit; it is normalised)
    /// heightfield: `rows` x `cols` samples (>= 2 each), row-major `heights` (m,
    /// copied), spanning `size.x` (cols, along x) by `size.y` (rows, along y),
    /// centred on the geom pose. `size.z` unused.
    const double *heights;
    int rows, cols;
    /// trimesh: `vertex_count` vertices as x,y,z triples (m) and `tri_count`
    /// triangles as index triples (counter-clockwise seen from outside). Copied.
    const double *vertices;
    const int *indices;
    int vertex_count, tri_count;
    double density;         ///< kg/m^3 for automatic body mass, >= 0; default 1000
    ps_material_id material;///< default 0 ("default")
    uint32_t category;      ///< collision category bits; default 1
    /// collision filter: geoms A and B are tested when (A.category & B.collide) or
    /// (B.category & A.collide) is non-zero (either way, as in ODE and MuJoCo); default all
    uint32_t collide;
    /// geoms with the same non-zero group never collide with each other (a
    /// robot's links without self-collision); default 0. Groups with the top
    /// bit set are reserved for robots.
    uint32_t group;
    float rgba[4];          ///< display colour; default grey (0.7, 0.7, 0.7, 1)
} ps_geom_def;

/// The defaults for a geom of `type` (each field states its default above).
ps_geom_def ps_default_geom_def(ps_geom_type type);

/// Creates a geom on body `b` (PS_BODY_NONE for static world geometry).
/// Returns a zero id on an invalid def (see ps_world_last_error). Planes and
/// heightfields must be static. Adding geoms to a body with automatic mass
/// updates its mass; not allowed once joints are attached to it.
ps_geom_id ps_geom_create(ps_world *w, ps_body_id b, const ps_geom_def *def);

/// Destroys a geom (the body's automatic mass is not recomputed).
ps_status ps_geom_destroy(ps_world *w, ps_geom_id g);
bool ps_geom_valid(const ps_world *w, ps_geom_id g);

/// The body a geom is on (PS_BODY_NONE for static geoms or stale ids).
ps_body_id ps_geom_body(const ps_world *w, ps_geom_id g);
/// The def the geom was created with; pointer fields are NULL in the copy, the
/// name is borrowed. PS_ERR_STALE for a stale id.
ps_status ps_geom_get_def(const ps_world *w, ps_geom_id g, ps_geom_def *out);
/// World pose of the geom.
ps_status ps_geom_get_world_pose(const ps_world *w, ps_geom_id g, ps_pose *out);
ps_status ps_geom_set_material(ps_world *w, ps_geom_id g, ps_material_id m);

/// Number of live geoms on body `b` (static world geometry for PS_BODY_NONE).
size_t ps_body_geom_count(const ps_world *w, ps_body_id b);

/// Volume of the shape (m^3); 0 for planes and heightfields.
double ps_geom_volume(const ps_geom_def *def);

PS_END_DECLS
#endif
