// Private to render/: GPU meshes, the mesh cache (snapshot meshes by key,
// visual mesh files by path through assimp), image textures and the text atlas.
#ifndef PS_RENDER_INTERNAL_H
#define PS_RENDER_INTERNAL_H

#include "gl_internal.h"
#include "pilotsim/render.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Vertex layout of every lit mesh: position (3), normal (3), colour RGBA (4),
// texture coordinates u v (2; 0 0 where nothing is textured).
#define PS_VTX_FLOATS 12
// Attribute location of the texture coordinates (0..2: position, normal,
// colour; 3..11: instance data).
#define PS_ATTR_UV 12

/// A run of a mesh's indices drawn with one texture (0: none, the vertex colours).
typedef struct ps_mesh_part {
    GLsizei first, count;   // indices
    GLuint tex;             // borrowed from the texture cache
} ps_mesh_part;

typedef struct ps_gpu_mesh {
    GLuint vao, vbo, ebo;
    GLsizei count;       // indices (indexed) or vertices
    bool indexed;
    float lo[3], hi[3];  // bounds of the vertex positions (mesh units)
    /// Textured mesh files: their index runs in order, each with its texture
    /// (owned; NULL / 0 when nothing in the mesh is textured).
    ps_mesh_part *parts;
    size_t part_count;
} ps_gpu_mesh;

// Uploads `nv` vertices (PS_VTX_FLOATS each) and `ni` indices (0: not indexed).
bool ps_gpu_mesh_upload(ps_gpu_mesh *m, const float *v, size_t nv, const uint32_t *idx, size_t ni);
void ps_gpu_mesh_free(ps_gpu_mesh *m);
void ps_gpu_mesh_draw(const ps_gpu_mesh *m);
/// Draws the index run [first, first + count) of an indexed mesh.
void ps_gpu_mesh_draw_range(const ps_gpu_mesh *m, GLsizei first, GLsizei count);

/// Image textures by file path (render_texture.c): PNG decoded with libpng,
/// uploaded as RGBA8 with mipmaps, repeating; row 0 of the image at v = 1
/// (OBJ and Collada texture coordinates).
typedef struct ps_texture_cache ps_texture_cache;
ps_texture_cache *ps_texture_cache_create(void);
void ps_texture_cache_destroy(ps_texture_cache *c);   ///< deletes its textures; NULL is a no-op
/// The texture of the PNG file at `path`, loaded on first use; 0 when it
/// cannot be used (missing, not a PNG, too large), warned once per path on
/// stderr naming the file and `user` (who wanted it, e.g. "visual mesh 'a.obj'").
GLuint ps_texture_cache_get(ps_texture_cache *c, const char *path, const char *user);

/// A coarse level of detail of an indexed mesh (mesh_simplify.c). Owns its arrays.
typedef struct ps_mesh_lod {
    float *vertices;      // PS_VTX_FLOATS each: the used input vertices, unchanged
    size_t vertex_count;
    uint32_t *indices;
    size_t index_count;
    ps_mesh_part *parts;  // the input's parts with their new index runs (NULL when none were given)
    size_t part_count;
    float error;          // largest distance (mesh units) the surface moved: 6x meshoptimizer's estimate
} ps_mesh_lod;
/// Simplifies the indexed mesh `v` (`nv` vertices) / `idx` (`ni` indices) by
/// quadric edge collapse (meshoptimizer) until the next collapse would move
/// the surface by more than `max_error` (mesh units). Vertices keep their
/// attributes; seams (one position, different normals, colours or UVs) collapse
/// only along themselves. With `parts` (nullable; `nparts` runs covering the
/// indices, e.g. one per texture) each run is simplified on its own with its
/// border kept, so runs keep their textures and leave no cracks. False (and
/// `out` empty) when nothing is left or memory runs out.
bool ps_mesh_simplify(const float *v, size_t nv, const uint32_t *idx, size_t ni, const ps_mesh_part *parts,
                      size_t nparts, float max_error, ps_mesh_lod *out);
void ps_mesh_lod_free(ps_mesh_lod *l);

/// Levels of detail of a visual mesh file: the file's own mesh first, then
/// coarser ones, each drawn where its error spans less than a pixel.
#define PS_MESH_LEVELS 4
typedef struct ps_mesh_levels {
    const ps_gpu_mesh *mesh[PS_MESH_LEVELS];  // NULL past the last level
    float error[PS_MESH_LEVELS];              // mesh units (0 for the file's own)
    size_t triangles[PS_MESH_LEVELS];
    float radius;                             // farthest vertex from the origin (mesh units)
} ps_mesh_levels;

typedef struct ps_mesh_cache ps_mesh_cache;
/// A mesh cache whose mesh files take their textures from `textures` (borrowed;
/// it must outlive the cache).
ps_mesh_cache *ps_mesh_cache_create(ps_texture_cache *textures);
void ps_mesh_cache_destroy(ps_mesh_cache *c);
// The GPU mesh of a snapshot mesh (trimesh or heightfield), built on first use; NULL on failure.
const ps_gpu_mesh *ps_mesh_cache_snapshot(ps_mesh_cache *c, const ps_snapshot_mesh *m, const ps_vec3 *hf_span,
                                          uint64_t frame);
// The GPU mesh of a visual mesh file; NULL when it cannot be loaded (warned
// once per path on stderr). *file_colors: the file's own material colours are
// baked into the vertices (use white as the shape colour). Diffuse textures of
// its materials (PNG) are in the mesh's parts; a textured file has no coarser levels.
// `levels` (may be NULL) receives its levels of detail.
const ps_gpu_mesh *ps_mesh_cache_file(ps_mesh_cache *c, const char *path, bool *file_colors, ps_mesh_levels *levels,
                                      uint64_t frame);
// Why the file at `path` failed to load ("" if it did not fail or was never tried). Borrowed.
const char *ps_mesh_cache_file_error(const ps_mesh_cache *c, const char *path);
// Frees snapshot meshes unused since `frame - keep`.
void ps_mesh_cache_evict(ps_mesh_cache *c, uint64_t frame, uint64_t keep);

// Text atlas: 95 printable ASCII glyphs rasterised with FreeType from DejaVu
// Sans Mono into a single-channel texture of 16 x 6 cells of 16 x 32 pixels.
#define PS_FONT_CELL_W 16
#define PS_FONT_CELL_H 32
#define PS_FONT_COLS 16
#define PS_FONT_ROWS 6
// Creates the atlas texture; false with a message in `err`.
bool ps_font_atlas_create(GLuint *tex, char *err, size_t errlen);

#endif
