// GPU meshes and their cache: snapshot meshes (trimeshes, heightfields) keyed
// by content, visual mesh files (.dae, .stl, .obj) keyed by path and read with
// assimp, with their materials' colours and diffuse textures.
#include "render_internal.h"

#include <assimp/cimport.h>
#include <assimp/config.h>
#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ps_gpu_mesh_upload(ps_gpu_mesh *m, const float *v, size_t nv, const uint32_t *idx, size_t ni)
{
    memset(m, 0, sizeof *m);
    for (int k = 0; k < 3; k++) {
        m->lo[k] = nv ? v[k] : 0.0f;
        m->hi[k] = nv ? v[k] : 0.0f;
    }
    for (size_t i = 1; i < nv; i++)
        for (int k = 0; k < 3; k++) {
            float x = v[i * PS_VTX_FLOATS + (size_t)k];
            if (x < m->lo[k]) m->lo[k] = x;
            if (x > m->hi[k]) m->hi[k] = x;
        }
    glGenVertexArrays(1, &m->vao);
    glBindVertexArray(m->vao);
    glGenBuffers(1, &m->vbo);
    glBindBuffer(GL_ARRAY_BUFFER, m->vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nv * PS_VTX_FLOATS * sizeof(float)), v, GL_STATIC_DRAW);
    const GLsizei stride = PS_VTX_FLOATS * sizeof(float);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, (void *)0);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, stride, (void *)(3 * sizeof(float)));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_FLOAT, GL_FALSE, stride, (void *)(6 * sizeof(float)));
    glEnableVertexAttribArray(PS_ATTR_UV);
    glVertexAttribPointer(PS_ATTR_UV, 2, GL_FLOAT, GL_FALSE, stride, (void *)(10 * sizeof(float)));
    if (ni) {
        glGenBuffers(1, &m->ebo);
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, m->ebo);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)(ni * sizeof(uint32_t)), idx, GL_STATIC_DRAW);
        m->count = (GLsizei)ni;
        m->indexed = true;
    } else {
        m->count = (GLsizei)nv;
    }
    glBindVertexArray(0);
    return glGetError() == GL_NO_ERROR;
}

void ps_gpu_mesh_free(ps_gpu_mesh *m)
{
    if (m->ebo) glDeleteBuffers(1, &m->ebo);
    if (m->vbo) glDeleteBuffers(1, &m->vbo);
    if (m->vao) glDeleteVertexArrays(1, &m->vao);
    free(m->parts);
    memset(m, 0, sizeof *m);
}

void ps_gpu_mesh_draw(const ps_gpu_mesh *m)
{
    glBindVertexArray(m->vao);
    if (m->indexed) glDrawElements(GL_TRIANGLES, m->count, GL_UNSIGNED_INT, 0);
    else glDrawArrays(GL_TRIANGLES, 0, m->count);
}

void ps_gpu_mesh_draw_range(const ps_gpu_mesh *m, GLsizei first, GLsizei count)
{
    glBindVertexArray(m->vao);
    glDrawElements(GL_TRIANGLES, count, GL_UNSIGNED_INT, (const void *)((size_t)first * sizeof(uint32_t)));
}

typedef struct entry {
    uint64_t key;        // snapshot meshes
    char *path;          // mesh files
    ps_gpu_mesh mesh;
    ps_gpu_mesh lod[PS_MESH_LEVELS - 1];   // mesh files: coarser levels (vao 0: none)
    float lod_error[PS_MESH_LEVELS - 1];
    size_t triangles[PS_MESH_LEVELS];
    float radius;
    bool failed, file_colors;
    uint64_t used;
    char *why;           // load error of a failed file
} entry;

struct ps_mesh_cache {
    entry *e;
    size_t n, cap;
    ps_texture_cache *textures;   // borrowed
};

ps_mesh_cache *ps_mesh_cache_create(ps_texture_cache *textures)
{
    ps_mesh_cache *c = calloc(1, sizeof(ps_mesh_cache));
    if (c) c->textures = textures;
    return c;
}

void ps_mesh_cache_destroy(ps_mesh_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        ps_gpu_mesh_free(&c->e[i].mesh);
        for (int l = 0; l < PS_MESH_LEVELS - 1; l++) ps_gpu_mesh_free(&c->e[i].lod[l]);
        free(c->e[i].path);
        free(c->e[i].why);
    }
    free(c->e);
    free(c);
}

static entry *new_entry(ps_mesh_cache *c)
{
    if (c->n == c->cap) {
        size_t n = c->cap ? 2 * c->cap : 16;
        entry *e = realloc(c->e, n * sizeof *e);
        if (!e) return NULL;
        c->e = e;
        c->cap = n;
    }
    entry *e = &c->e[c->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static void put(float *v, float x, float y, float z, float nx, float ny, float nz, const float col[4])
{
    v[0] = x; v[1] = y; v[2] = z;
    v[3] = nx; v[4] = ny; v[5] = nz;
    v[6] = col[0]; v[7] = col[1]; v[8] = col[2]; v[9] = col[3];
    v[10] = v[11] = 0;
}

static const float white[4] = {1, 1, 1, 1};

// Heightfield: a vertex per sample with normals from central differences.
static bool build_heightfield(ps_gpu_mesh *g, const ps_snapshot_mesh *m, ps_vec3 span)
{
    size_t R = m->rows, C = m->cols;
    if (R < 2 || C < 2) return false;
    float *v = malloc(R * C * PS_VTX_FLOATS * sizeof *v);
    uint32_t *idx = malloc((R - 1) * (C - 1) * 6 * sizeof *idx);
    if (!v || !idx) {
        free(v);
        free(idx);
        return false;
    }
    double dx = span.x / (double)(C - 1), dy = span.y / (double)(R - 1);
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) {
            double h = m->heights[r * C + c];
            double hl = m->heights[r * C + (c > 0 ? c - 1 : c)], hr = m->heights[r * C + (c + 1 < C ? c + 1 : c)];
            double hd = m->heights[(r > 0 ? r - 1 : r) * C + c], hu = m->heights[(r + 1 < R ? r + 1 : r) * C + c];
            double sx = (hr - hl) / (dx * (double)((c + 1 < C ? c + 1 : c) - (c > 0 ? c - 1 : c)));
            double sy = (hu - hd) / (dy * (double)((r + 1 < R ? r + 1 : r) - (r > 0 ? r - 1 : r)));
            double l = sqrt(sx * sx + sy * sy + 1);
            put(v + (r * C + c) * PS_VTX_FLOATS, (float)(-span.x / 2 + (double)c * dx),
                (float)(-span.y / 2 + (double)r * dy), (float)h, (float)(-sx / l), (float)(-sy / l), (float)(1 / l),
                white);
        }
    size_t k = 0;
    for (size_t r = 0; r + 1 < R; r++)
        for (size_t c = 0; c + 1 < C; c++) {
            uint32_t a = (uint32_t)(r * C + c), b = a + 1, d = (uint32_t)((r + 1) * C + c), e = d + 1;
            idx[k++] = a; idx[k++] = b; idx[k++] = e;
            idx[k++] = a; idx[k++] = e; idx[k++] = d;
        }
    bool ok = ps_gpu_mesh_upload(g, v, R * C, idx, k);
    free(v);
    free(idx);
    return ok;
}

// Triangle mesh: flat shaded (each triangle its own vertices and face normal).
static bool build_trimesh(ps_gpu_mesh *g, const ps_snapshot_mesh *m)
{
    size_t nt = m->tri_count;
    if (nt == 0) return false;
    float *v = malloc(nt * 3 * PS_VTX_FLOATS * sizeof *v);
    if (!v) return false;
    for (size_t t = 0; t < nt; t++) {
        const float *p[3];
        for (int k = 0; k < 3; k++) {
            uint32_t i = m->indices[3 * t + (size_t)k];
            if (i >= m->vertex_count) i = 0;
            p[k] = &m->vertices[3 * (size_t)i];
        }
        float ux = p[1][0] - p[0][0], uy = p[1][1] - p[0][1], uz = p[1][2] - p[0][2];
        float wx = p[2][0] - p[0][0], wy = p[2][1] - p[0][1], wz = p[2][2] - p[0][2];
        float nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
        float l = sqrtf(nx * nx + ny * ny + nz * nz);
        if (l > 0) { nx /= l; ny /= l; nz /= l; }
        for (int k = 0; k < 3; k++)
            put(v + (3 * t + (size_t)k) * PS_VTX_FLOATS, p[k][0], p[k][1], p[k][2], nx, ny, nz, white);
    }
    bool ok = ps_gpu_mesh_upload(g, v, nt * 3, NULL, 0);
    free(v);
    return ok;
}

const ps_gpu_mesh *ps_mesh_cache_snapshot(ps_mesh_cache *c, const ps_snapshot_mesh *m, const ps_vec3 *hf_span,
                                          uint64_t frame)
{
    // Heightfields: the span is part of the vertex data, so fold it into the key.
    uint64_t key = m->key;
    if (m->heights) {
        double s[2] = {hf_span->x, hf_span->y};
        for (int i = 0; i < 2; i++) {
            uint64_t bits;
            memcpy(&bits, &s[i], sizeof bits);
            key = (key ^ bits) * 0x100000001b3ULL;
        }
    }
    for (size_t i = 0; i < c->n; i++)
        if (!c->e[i].path && c->e[i].key == key) {
            c->e[i].used = frame;
            return c->e[i].failed ? NULL : &c->e[i].mesh;
        }
    entry *e = new_entry(c);
    if (!e) return NULL;
    e->key = key;
    e->used = frame;
    bool ok = m->heights ? build_heightfield(&e->mesh, m, *hf_span) : build_trimesh(&e->mesh, m);
    e->failed = !ok;
    return ok ? &e->mesh : NULL;
}

// The texture of a mesh's material: its first diffuse map, a file next to the
// mesh file (or an absolute path); 0 for none or one that cannot be used (warned).
static GLuint material_texture(ps_mesh_cache *c, const struct aiMaterial *mat, const char *mesh_path)
{
    struct aiString t;
    if (!c->textures || aiGetMaterialTextureCount(mat, aiTextureType_DIFFUSE) == 0 ||
        aiGetMaterialTexture(mat, aiTextureType_DIFFUSE, 0, &t, NULL, NULL, NULL, NULL, NULL, NULL) != aiReturn_SUCCESS)
        return 0;
    char user[600];
    snprintf(user, sizeof user, "visual mesh '%.500s'", mesh_path);
    if (t.data[0] == '*') { // embedded in the file
        fprintf(stderr, "pilotsim render: warning: %s: embedded texture '%s' is not supported; drawn in its colour "
                        "instead\n", user, t.data);
        return 0;
    }
    const char *name = t.data;
    if (!strncmp(name, "file://", 7)) name += 7;
    char full[4096];
    const char *slash = strrchr(mesh_path, '/');
    int dir = slash ? (int)(slash - mesh_path + 1) : 0;
    if (name[0] == '/') snprintf(full, sizeof full, "%s", name);
    else snprintf(full, sizeof full, "%.*s%s", dir, mesh_path, name);
    return ps_texture_cache_get(c->textures, full, user);
}

// Records that indices [first, first + count) are drawn with `tex`; runs of one
// texture are merged. False when out of memory.
static bool add_part(ps_mesh_part **parts, size_t *n, size_t first, size_t count, GLuint tex)
{
    if (count == 0) return true;
    if (*n && (*parts)[*n - 1].tex == tex) {
        (*parts)[*n - 1].count += (GLsizei)count;
        return true;
    }
    ps_mesh_part *p = realloc(*parts, (*n + 1) * sizeof *p);
    if (!p) return false;
    p[*n] = (ps_mesh_part){(GLsizei)first, (GLsizei)count, tex};
    *parts = p;
    (*n)++;
    return true;
}

static bool load_file(ps_mesh_cache *c, entry *e, const char *path, char *why, size_t whylen)
{
    // Collada files declare an up axis, and assimp turns Z_UP files to Y-up by
    // default; URDF mesh files are in the link frame already (Z up, REP-103),
    // so that turn would lay every .dae part on its side.
    struct aiPropertyStore *props = aiCreatePropertyStore();
    if (props) aiSetImportPropertyInteger(props, AI_CONFIG_IMPORT_COLLADA_IGNORE_UP_DIRECTION, 1);
    const struct aiScene *sc =
        aiImportFileExWithProperties(path, aiProcess_Triangulate | aiProcess_JoinIdenticalVertices |
                                               aiProcess_GenSmoothNormals | aiProcess_PreTransformVertices |
                                               aiProcess_SortByPType,
                                     NULL, props);
    if (props) aiReleasePropertyStore(props);
    if (!sc) {
        snprintf(why, whylen, "%s", aiGetErrorString());
        return false;
    }
    size_t nv = 0, ni = 0;
    for (unsigned i = 0; i < sc->mNumMeshes; i++) {
        const struct aiMesh *m = sc->mMeshes[i];
        if (!(m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE)) continue;
        nv += m->mNumVertices;
        ni += 3 * (size_t)m->mNumFaces;
    }
    if (nv == 0 || ni == 0) {
        snprintf(why, whylen, "no triangles in the file");
        aiReleaseImport(sc);
        return false;
    }
    float *v = malloc(nv * PS_VTX_FLOATS * sizeof *v);
    uint32_t *idx = malloc(ni * sizeof *idx);
    if (!v || !idx) {
        free(v);
        free(idx);
        aiReleaseImport(sc);
        snprintf(why, whylen, "out of memory");
        return false;
    }
    // Files whose materials carry colours (Collada, OBJ with .mtl) keep them;
    // STL has none, so the URDF's colour applies.
    bool colors = false, textured = false;
    size_t base = 0, k = 0, nparts = 0;
    ps_mesh_part *parts = NULL;
    for (unsigned i = 0; i < sc->mNumMeshes; i++) {
        const struct aiMesh *m = sc->mMeshes[i];
        if (!(m->mPrimitiveTypes & aiPrimitiveType_TRIANGLE)) continue;
        float col[4] = {1, 1, 1, 1};
        struct aiColor4D d;
        // Formats without materials (STL) get assimp's grey default material:
        // not the file's colour, so the URDF's applies.
        struct aiString name;
        bool own = m->mMaterialIndex < sc->mNumMaterials &&
                   !(aiGetMaterialString(sc->mMaterials[m->mMaterialIndex], AI_MATKEY_NAME, &name) == aiReturn_SUCCESS &&
                     strcmp(name.data, AI_DEFAULT_MATERIAL_NAME) == 0);
        if (own &&
            aiGetMaterialColor(sc->mMaterials[m->mMaterialIndex], AI_MATKEY_COLOR_DIFFUSE, &d) == aiReturn_SUCCESS) {
            col[0] = d.r; col[1] = d.g; col[2] = d.b; col[3] = d.a > 0 ? d.a : 1;
            colors = true;
        }
        // A diffuse map needs texture coordinates to be drawn.
        GLuint tex = own && m->mTextureCoords[0] ? material_texture(c, sc->mMaterials[m->mMaterialIndex], path) : 0;
        textured |= tex != 0;
        for (unsigned j = 0; j < m->mNumVertices; j++) {
            struct aiVector3D p = m->mVertices[j];
            struct aiVector3D n = m->mNormals ? m->mNormals[j] : (struct aiVector3D){0, 0, 1};
            float *o = v + (base + j) * PS_VTX_FLOATS;
            put(o, p.x, p.y, p.z, n.x, n.y, n.z, col);
            if (m->mTextureCoords[0]) {
                o[10] = m->mTextureCoords[0][j].x;
                o[11] = m->mTextureCoords[0][j].y;
            }
            e->radius = fmaxf(e->radius, sqrtf(p.x * p.x + p.y * p.y + p.z * p.z));
        }
        size_t first = k;
        for (unsigned f = 0; f < m->mNumFaces; f++) {
            const struct aiFace *fc = &m->mFaces[f];
            if (fc->mNumIndices != 3) continue;
            for (int q = 0; q < 3; q++) idx[k++] = (uint32_t)(base + fc->mIndices[q]);
        }
        if (!add_part(&parts, &nparts, first, k - first, tex)) {
            free(parts);
            free(v);
            free(idx);
            aiReleaseImport(sc);
            snprintf(why, whylen, "out of memory");
            return false;
        }
        base += m->mNumVertices;
    }
    aiReleaseImport(sc);
    bool ok = ps_gpu_mesh_upload(&e->mesh, v, nv, idx, k);
    e->triangles[0] = k / 3;
    // Coarser levels for where the file's detail is smaller than a few pixels:
    // at most 0.4%, 1.5% and 6% of the mesh's size off its surface, each kept
    // only if it has at most 70% of the triangles of the one before. Textured
    // meshes are simplified texture by texture (their parts).
    static const float rel_error[PS_MESH_LEVELS - 1] = {0.004f, 0.015f, 0.06f};
    size_t prev = k / 3;
    for (int l = 0, out = 0; ok && l < PS_MESH_LEVELS - 1; l++) {
        ps_mesh_lod lod;
        if (!ps_mesh_simplify(v, nv, idx, k, textured ? parts : NULL, textured ? nparts : 0,
                              rel_error[l] * 2 * e->radius, &lod))
            break;
        size_t nt = lod.index_count / 3;
        if (10 * nt <= 7 * prev && ps_gpu_mesh_upload(&e->lod[out], lod.vertices, lod.vertex_count, lod.indices,
                                                      lod.index_count)) {
            e->lod[out].parts = lod.parts; // the level owns them now
            e->lod[out].part_count = lod.part_count;
            lod.parts = NULL;
            e->lod_error[out] = lod.error;
            e->triangles[++out] = nt;
            prev = nt;
        }
        ps_mesh_lod_free(&lod);
    }
    if (ok && textured) { // drawn part by part
        e->mesh.parts = parts;
        e->mesh.part_count = nparts;
        parts = NULL;
    }
    free(parts);
    free(v);
    free(idx);
    if (!ok) snprintf(why, whylen, "GL upload failed");
    e->file_colors = colors;
    return ok;
}

static void levels_of(const entry *e, ps_mesh_levels *lv)
{
    if (!lv) return;
    memset(lv, 0, sizeof *lv);
    if (e->failed) return;
    lv->mesh[0] = &e->mesh;
    lv->triangles[0] = e->triangles[0];
    lv->radius = e->radius;
    for (int l = 0; l < PS_MESH_LEVELS - 1 && e->lod[l].vao; l++) {
        lv->mesh[l + 1] = &e->lod[l];
        lv->error[l + 1] = e->lod_error[l];
        lv->triangles[l + 1] = e->triangles[l + 1];
    }
}

const ps_gpu_mesh *ps_mesh_cache_file(ps_mesh_cache *c, const char *path, bool *file_colors, ps_mesh_levels *levels,
                                      uint64_t frame)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].path && !strcmp(c->e[i].path, path)) {
            c->e[i].used = frame;
            *file_colors = c->e[i].file_colors;
            levels_of(&c->e[i], levels);
            return c->e[i].failed ? NULL : &c->e[i].mesh;
        }
    entry *e = new_entry(c);
    if (!e) return NULL;
    e->path = malloc(strlen(path) + 1);
    if (!e->path) {
        c->n--;
        return NULL;
    }
    strcpy(e->path, path);
    e->used = frame;
    char why[512];
    if (!load_file(c, e, path, why, sizeof why)) {
        e->failed = true;
        e->why = malloc(strlen(why) + 1);
        if (e->why) strcpy(e->why, why);
        fprintf(stderr, "pilotsim render: warning: cannot load visual mesh '%s': %s; drawing the body's collision "
                        "shapes instead\n", path, why);
        levels_of(e, levels);
        return NULL;
    }
    *file_colors = e->file_colors;
    levels_of(e, levels);
    return &e->mesh;
}

const char *ps_mesh_cache_file_error(const ps_mesh_cache *c, const char *path)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].path && !strcmp(c->e[i].path, path)) return c->e[i].why ? c->e[i].why : "";
    return "";
}

void ps_mesh_cache_evict(ps_mesh_cache *c, uint64_t frame, uint64_t keep)
{
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++) {
        entry *e = &c->e[i];
        if (!e->path && frame > keep && e->used < frame - keep) {
            ps_gpu_mesh_free(&e->mesh);
            continue;
        }
        c->e[j++] = *e;
    }
    c->n = j;
}
