/// @file mesh.h
/// Triangle meshes read from files, for collision geometry (PS_GEOM_TRIMESH).
///
/// Readers: STL (binary and ASCII) and Wavefront OBJ (`v` and `f` lines). The
/// reader is picked by the file name's extension, case-insensitively. Formats
/// that only carry visuals (COLLADA `.dae`, glTF, ...) are refused with an
/// error: the renderer keeps those by reference and never needs them here.
///
/// A loaded mesh plugs straight into a trimesh geom def:
///
///     ps_mesh *m = ps_mesh_load("link.stl", (ps_vec3){1, 1, 1}, err, sizeof err);
///     ps_geom_def d = ps_default_geom_def(PS_GEOM_TRIMESH);
///     d.vertices = m->vertices; d.vertex_count = m->vertex_count;
///     d.indices = m->indices;   d.tri_count = m->tri_count;
///     ps_geom_create(world, body, &d);   // copies the arrays
///     ps_mesh_free(m);
///
/// Thread safety: the functions keep no state; different meshes may be loaded
/// in different threads at once.
#ifndef PILOTSIM_MESH_H
#define PILOTSIM_MESH_H

#include "pilotsim/export.h"

#include "pilotsim/types.h"

PS_BEGIN_DECLS

/// Largest mesh file the readers accept, bytes (512 MiB). Bigger files are
/// refused before they are read.
#define PS_MESH_MAX_FILE_BYTES ((size_t)512 * 1024 * 1024)

/// An indexed triangle mesh. Every field is owned by the mesh and freed by
/// ps_mesh_free; callers may read (and modify in place) the arrays but must
/// not free or reallocate them.
typedef struct ps_mesh {
    /// `vertex_count` vertices as x,y,z triples, m (file units times the load
    /// scale); all finite. Never NULL in a loaded mesh.
    double *vertices;
    /// `tri_count` triangles as index triples into `vertices` (0-based, each in
    /// [0, vertex_count)), in the file's winding order (counter-clockwise seen
    /// from outside for a well-made file; reversed when the scale mirrors).
    /// Never NULL in a loaded mesh.
    int *indices;
    /// Number of vertices, >= 1. STL vertices are welded (bit-identical
    /// positions share one vertex, so triangles share edges); OBJ vertices are
    /// kept as the file lists them, referenced or not.
    int vertex_count;
    /// Number of triangles, >= 1 (OBJ polygons are fan-triangulated). Triangles
    /// may have zero area; 3 * tri_count fits in an int.
    int tri_count;
} ps_mesh;

/// Reads a mesh file. The extension picks the reader: `.stl` (binary, or
/// ASCII when the file starts with "solid", is not sized as a binary STL and
/// parses as ASCII) or `.obj`. Every coordinate is multiplied by `scale`
/// component-wise (URDF's `<mesh scale>`); each component must be finite and
/// non-zero, and a scale with an odd number of negative components reverses
/// each triangle's winding so that outward faces stay outward. STL facet
/// normals are ignored (the winding defines the outside).
///
/// Returns a new mesh (free it with ps_mesh_free), or NULL with a message in
/// `err` (may be NULL; `errlen` bytes at most, NUL-terminated): unreadable,
/// empty or too large (> PS_MESH_MAX_FILE_BYTES) file, a binary STL whose
/// size does not match its triangle count, non-numeric or non-finite values,
/// OBJ face indices out of range, a mesh without triangles, more than
/// INT_MAX / 3 vertices or triangles, out of memory, or an unsupported format.
/// Messages start with the path, and for text formats the line:
/// "robot.obj:12: face index 9 out of range 1..8". `path` may be NULL (error).
ps_mesh *ps_mesh_load(const char *path, ps_vec3 scale, char *err, size_t errlen);

/// Frees a mesh and its arrays. NULL is a no-op.
void ps_mesh_free(ps_mesh *m);

/// True when `path`'s extension names a format ps_mesh_load reads (`.stl`,
/// `.obj`, any case). Looks at the name only; NULL gives false. Lets a
/// model reader decide between loading a mesh for collision and keeping a
/// visual-only mesh by reference.
bool ps_mesh_is_collision_format(const char *path);

/// Axis-aligned bounds of the vertices used by the triangles, m. Writes the
/// min and max corners (either pointer may be NULL). PS_ERR_INVALID, outputs
/// untouched, when `m` is NULL or has no triangles.
ps_status ps_mesh_bounds(const ps_mesh *m, ps_vec3 *min, ps_vec3 *max);

/// Signed enclosed volume, m^3, by the divergence theorem: positive for a
/// closed mesh wound counter-clockwise seen from outside, negative when wound
/// inside out, meaningless for an open mesh. 0 for NULL or a mesh whose
/// indices are out of range. For sanity checks (and mass estimates of
/// watertight meshes).
double ps_mesh_volume(const ps_mesh *m);

PS_END_DECLS
#endif
