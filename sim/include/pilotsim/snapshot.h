/// @file snapshot.h
/// A renderer-agnostic copy of what a world looks like at one instant: shapes
/// with world poses, sizes, colours and segmentation ids; the meshes and height
/// grids they use; and debug primitives (contacts with forces, joint axes,
/// centres of mass, lidar rays, keep-out zones). Like MuJoCo's mjvScene: the
/// simulation fills it, a renderer (render/) draws it, possibly on another
/// thread while the simulation goes on. A snapshot owns all its memory and
/// holds no pointer into the world, so it stays valid after the world is
/// stepped or destroyed.
///
/// Capturing never changes the world: it does not touch the state hash.
#ifndef PILOTSIM_SNAPSHOT_H
#define PILOTSIM_SNAPSHOT_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

typedef struct ps_snapshot ps_snapshot;

typedef enum ps_shape_type {
    PS_SHAPE_BOX,         ///< size = full extents (m)
    PS_SHAPE_SPHERE,      ///< radius (m)
    PS_SHAPE_CAPSULE,     ///< radius, length of the cylindrical part along local z (m)
    PS_SHAPE_CYLINDER,    ///< radius, length along local z (m)
    PS_SHAPE_PLANE,       ///< infinite plane through pose.p with normal pose's +z
    PS_SHAPE_HEIGHTFIELD, ///< `mesh` indexes a grid (ps_snapshot_mesh with rows/cols/heights); size.x, size.y span
    PS_SHAPE_MESH,        ///< `mesh` indexes a triangle mesh, scaled by size (x, y, z factors)
    PS_SHAPE_MESH_FILE,   ///< a visual mesh the renderer loads itself (.dae, .stl, .obj): mesh_path, scaled by size
} ps_shape_type;

/// Where a shape comes from: collision geometry or a robot's visual.
typedef enum ps_shape_role { PS_ROLE_COLLISION = 1, PS_ROLE_VISUAL = 2 } ps_shape_role;

/// One drawable shape. Geoms of bodies that have robot visuals are still listed
/// (role collision) so a viewer can toggle between the two.
typedef struct ps_draw_shape {
    ps_shape_type type;
    ps_shape_role role;
    ps_pose pose;            ///< world frame
    ps_vec3 size;            ///< box extents (m); heightfield span (m, x and y); mesh scale factors
    double radius, length;   ///< m
    float rgba[4];           ///< colour, alpha < 1 is translucent
    /// Segmentation id: the body's ps_body_id.index + 1; static world geometry
    /// -(geom slot index + 1), each static geom its own negative id (camera
    /// segmentation uses these; lidar hits say -1 for every static geom).
    int32_t segment;
    ps_body_id body;         ///< PS_BODY_NONE for static geometry
    uint32_t mesh;           ///< index into ps_snapshot_meshes for HEIGHTFIELD and MESH, else UINT32_MAX
    const char *mesh_path;   ///< MESH_FILE: absolute path; owned by the snapshot, else NULL
    bool robot_has_visuals;  ///< collision shape of a body whose robot also has visual shapes
    /// Robot visuals: the URDF `<texture>` image (absolute path; owned by the
    /// snapshot) drawn over the shape with its texture coordinates; else NULL
    const char *texture_path;
} ps_draw_shape;

/// Geometry shared by shapes. `key` identifies the content (a hash of the
/// arrays): equal keys mean equal data, so a renderer can cache GPU buffers by key.
typedef struct ps_snapshot_mesh {
    uint64_t key;
    /// triangle mesh: vertex_count x,y,z (m, shape frame) and tri_count index triples
    const float *vertices;
    const uint32_t *indices;
    uint32_t vertex_count, tri_count;
    /// heightfield: rows x cols heights (m), row-major, rows along y, cols along x
    const float *heights;
    uint32_t rows, cols;
} ps_snapshot_mesh;

typedef enum ps_debug_kind {
    PS_DEBUG_CONTACT,      ///< a: contact point, b: a + force direction * min(|force| * PS_SNAPSHOT_FORCE_SCALE,
                           ///< PS_SNAPSHOT_FORCE_MAX) (or + normal * 0.05 m without forces)
    PS_DEBUG_JOINT_AXIS,   ///< a: anchor, b: anchor + axis * 0.1 m (two prims for universal joints;
                           ///< a = b for ball joints; sliders anchor at body1's centre of mass)
    PS_DEBUG_COM,          ///< a = b: a dynamic body's centre of mass
    PS_DEBUG_LIDAR,        ///< a: beam start (range_min along the beam), b: hit point or end of range,
                           ///< from the reading in the sensor's buffer (dropped beams are left out)
    PS_DEBUG_ZONE,         ///< a, b: min and max corners of an axis-aligned keep-out box (ps_world_add_zone)
} ps_debug_kind;

/// Contact force arrows: metres of arrow per newton, and the longest arrow (m).
#define PS_SNAPSHOT_FORCE_SCALE 0.005
#define PS_SNAPSHOT_FORCE_MAX 0.5

typedef struct ps_debug_prim {
    ps_debug_kind kind;
    ps_vec3 a, b;          ///< world frame, m
    float rgba[4];
    double value;          ///< contact: normal force magnitude (N); others 0
} ps_debug_prim;

/// Creates an empty snapshot. NULL on allocation failure. Free with ps_snapshot_destroy.
ps_snapshot *ps_snapshot_create(void);
void ps_snapshot_destroy(ps_snapshot *s);  ///< NULL is a no-op

/// Fills `s` from `w`, reusing its memory (no allocation once warm unless the
/// world grew). Mesh arrays are re-copied only when their key changed.
/// Returns PS_ERR_NOMEM on allocation failure (the snapshot is then empty).
ps_status ps_snapshot_capture(ps_snapshot *s, const ps_world *w);
/// Makes `dst` an independent copy of `src` (for handing to a render thread).
ps_status ps_snapshot_copy(ps_snapshot *dst, const ps_snapshot *src);

double ps_snapshot_time(const ps_snapshot *s);         ///< simulated time (s)
uint64_t ps_snapshot_step(const ps_snapshot *s);
uint64_t ps_snapshot_state_hash(const ps_snapshot *s); ///< the world's state hash at capture

/// Borrowed arrays, valid until the next capture, copy or destroy of `s`.
const ps_draw_shape *ps_snapshot_shapes(const ps_snapshot *s, size_t *count);
const ps_snapshot_mesh *ps_snapshot_meshes(const ps_snapshot *s, size_t *count);
const ps_debug_prim *ps_snapshot_debug(const ps_snapshot *s, size_t *count);

PS_END_DECLS
#endif
