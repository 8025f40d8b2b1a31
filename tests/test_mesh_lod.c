// Levels of detail for visual meshes (render/src/mesh_simplify.c, meshoptimizer):
// a simplified indexed unit sphere stays within the allowed error of the
// surface with far fewer triangles; colour seams and texture runs stay apart.
// Plain CPU code: no GL context.
#include "harness.h"
#include "render_internal.h"

#include <math.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

// A UV sphere of radius 1 with `sl` slices and `st` stacks, each vertex its normal.
static size_t sphere(int sl, int st, float **v, uint32_t **idx, size_t *ni)
{
    size_t nv = (size_t)(sl + 1) * (size_t)(st + 1);
    *v = malloc(nv * PS_VTX_FLOATS * sizeof **v);
    *idx = malloc((size_t)sl * (size_t)st * 6 * sizeof **idx);
    size_t k = 0;
    for (int j = 0; j <= st; j++)
        for (int i = 0; i <= sl; i++) {
            double th = M_PI * j / st, ph = 2 * M_PI * i / sl;
            float *p = *v + ((size_t)j * (size_t)(sl + 1) + (size_t)i) * PS_VTX_FLOATS;
            p[0] = p[3] = (float)(sin(th) * cos(ph));
            p[1] = p[4] = (float)(sin(th) * sin(ph));
            p[2] = p[5] = (float)cos(th);
            p[6] = 0.2f, p[7] = 0.4f, p[8] = 0.6f, p[9] = 1, p[10] = p[11] = 0;
        }
    for (int j = 0; j < st; j++)
        for (int i = 0; i < sl; i++) {
            uint32_t a = (uint32_t)(j * (sl + 1) + i), b = a + 1, c = a + (uint32_t)sl + 1, d = c + 1;
            (*idx)[k++] = a, (*idx)[k++] = c, (*idx)[k++] = b;
            (*idx)[k++] = b, (*idx)[k++] = c, (*idx)[k++] = d;
        }
    *ni = k;
    return nv;
}

// Largest distance from the unit sphere of a triangle's corners and of points
// spread over it (its centroid and edge midpoints): how far the surface moved.
static double sphere_deviation(const ps_mesh_lod *lod)
{
    double worst = 0;
    for (size_t t = 0; t + 2 < lod->index_count; t += 3) {
        const float *p[3];
        for (int k = 0; k < 3; k++) p[k] = lod->vertices + lod->indices[t + (size_t)k] * PS_VTX_FLOATS;
        static const double w[7][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {.5, .5, 0}, {0, .5, .5}, {.5, 0, .5},
                                       {1. / 3, 1. / 3, 1. / 3}};
        for (int s = 0; s < 7; s++) {
            double q[3] = {0, 0, 0};
            for (int k = 0; k < 3; k++)
                for (int a = 0; a < 3; a++) q[a] += w[s][k] * p[k][a];
            worst = fmax(worst, fabs(sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]) - 1));
        }
    }
    return worst;
}

static void test_sphere(void)
{
    float *v;
    uint32_t *idx;
    size_t ni, nv = sphere(128, 64, &v, &idx, &ni);
    size_t prev = ni / 3;
    static const float max_error[] = {0.004f, 0.016f, 0.064f};
    for (int l = 0; l < 3; l++) {
        ps_mesh_lod lod;
        CHECK(ps_mesh_simplify(v, nv, idx, ni, NULL, 0, max_error[l], &lod));
        size_t nt = lod.index_count / 3;
        CHECK(nt > 0 && nt < prev); // larger errors, fewer triangles
        prev = nt;
        CHECK(lod.error > 0 && lod.error <= max_error[l]);
        // The reported error bounds how far the surface really moved.
        CHECK(sphere_deviation(&lod) <= lod.error);
        CHECK(lod.parts == NULL && lod.part_count == 0);
        bool ok = true;
        for (size_t i = 0; i < lod.vertex_count; i++) { // the input's own vertices
            const float *p = lod.vertices + i * PS_VTX_FLOATS;
            if (fabs(sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) - 1) > 1e-5 || p[0] != p[3] || p[6] != 0.2f ||
                p[9] != 1)
                ok = false;
        }
        for (size_t t = 0; t < lod.index_count; t += 3) {
            uint32_t a = lod.indices[t], b = lod.indices[t + 1], c = lod.indices[t + 2];
            if (a >= lod.vertex_count || b >= lod.vertex_count || c >= lod.vertex_count || a == b || b == c || a == c)
                ok = false;
        }
        CHECK(ok); // no index out of range, no collapsed triangle
        ps_mesh_lod_free(&lod);
    }
    CHECK(8 * prev < ni / 3); // the coarsest: an eighth of the triangles or fewer
    ps_mesh_lod none;
    CHECK(!ps_mesh_simplify(v, 0, idx, 0, NULL, 0, 0.01f, &none)); // no vertices
    CHECK(!ps_mesh_simplify(v, nv, idx, ni, NULL, 0, 0, &none));   // no error allowed
    free(v);
    free(idx);
}

// Two coplanar squares side by side, one red and one blue, sharing an edge's
// positions (a colour seam): the seam stays straight and no vertex changes
// colour; given as two parts (two textures), each keeps its own index run and
// its border (the outline of each square stays where it was).
static void test_colours_apart(void)
{
    enum { N = 16 };
    float v[2 * (N + 1) * (N + 1) * PS_VTX_FLOATS];
    uint32_t idx[2 * N * N * 6];
    size_t nv = 0, ni = 0;
    for (int s = 0; s < 2; s++) {
        size_t base = nv;
        for (int j = 0; j <= N; j++)
            for (int i = 0; i <= N; i++, nv++) {
                float *p = v + nv * PS_VTX_FLOATS;
                p[0] = (float)s + (float)i / N, p[1] = (float)j / N, p[2] = 0;
                p[3] = 0, p[4] = 0, p[5] = 1;
                p[6] = s ? 0.0f : 1.0f, p[7] = 0, p[8] = s ? 1.0f : 0.0f, p[9] = 1;
                p[10] = (float)i / N, p[11] = (float)j / N;
            }
        for (int j = 0; j < N; j++)
            for (int i = 0; i < N; i++) {
                uint32_t a = (uint32_t)(base + (size_t)(j * (N + 1) + i)), b = a + 1, c = a + N + 1, d = c + 1;
                idx[ni++] = a, idx[ni++] = b, idx[ni++] = d, idx[ni++] = a, idx[ni++] = d, idx[ni++] = c;
            }
    }
    for (int with_parts = 0; with_parts < 2; with_parts++) {
        const ps_mesh_part parts[2] = {{0, (GLsizei)(ni / 2), 7}, {(GLsizei)(ni / 2), (GLsizei)(ni / 2), 9}};
        ps_mesh_lod lod;
        CHECK(ps_mesh_simplify(v, nv, idx, ni, with_parts ? parts : NULL, with_parts ? 2 : 0, 0.01f, &lod));
        CHECK(lod.index_count < ni / 4); // a flat square needs few triangles
        // Each triangle is of one colour, on its own side of the seam x = 1.
        bool pure = true;
        for (size_t t = 0; t < lod.index_count; t += 3) {
            const float *p[3];
            for (int k = 0; k < 3; k++) p[k] = lod.vertices + lod.indices[t + (size_t)k] * PS_VTX_FLOATS;
            for (int k = 0; k < 3; k++) {
                bool red = p[0][6] == 1;
                if (p[k][6] != p[0][6] || p[k][8] != p[0][8] || (red ? p[k][0] > 1 : p[k][0] < 1)) pure = false;
                // UVs are the input vertex's own: u follows x on either square
                if (fabsf(p[k][10] - (p[k][0] - (red ? 0.0f : 1.0f))) > 1e-6f) pure = false;
            }
        }
        CHECK(pure);
        if (with_parts) {
            CHECK(lod.part_count == 2 && lod.parts[0].tex == 7 && lod.parts[1].tex == 9);
            CHECK(lod.parts[0].first == 0 && (size_t)(lod.parts[1].first + lod.parts[1].count) == lod.index_count);
            bool own = true; // every triangle of a run is of that run's square
            for (int q = 0; q < 2; q++)
                for (GLsizei t = lod.parts[q].first; t < lod.parts[q].first + lod.parts[q].count; t++)
                    if ((lod.vertices[lod.indices[t] * PS_VTX_FLOATS + 6] == 1) != (q == 0)) own = false;
            CHECK(own);
        }
        ps_mesh_lod_free(&lod);
    }
}

int main(void)
{
    RUN(test_sphere);
    RUN(test_colours_apart);
    return TEST_DONE();
}
