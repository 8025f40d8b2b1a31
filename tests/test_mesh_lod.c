// Levels of detail for visual meshes (render/src/mesh_simplify.c): vertex
// clustering of an indexed unit sphere keeps every vertex within the reported
// error of the surface, drops collapsed triangles and keeps colours apart. Plain CPU code: no GL context.
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

static void test_sphere(void)
{
    float *v;
    uint32_t *idx;
    size_t ni, nv = sphere(128, 64, &v, &idx, &ni);
    size_t prev = ni / 3;
    static const int cells[] = {96, 32, 8};
    for (int l = 0; l < 3; l++) {
        ps_mesh_lod lod;
        CHECK(ps_mesh_simplify(v, nv, idx, ni, cells[l], &lod));
        size_t nt = lod.index_count / 3;
        CHECK(nt > 0 && nt < prev); // coarser grids, fewer triangles
        prev = nt;
        CHECK_NEAR(lod.error, 2.0 / cells[l] * sqrt(3.0), 1e-5);
        double worst = 0;
        for (size_t i = 0; i < lod.vertex_count; i++) {
            const float *p = lod.vertices + i * PS_VTX_FLOATS;
            double r = sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
            worst = fmax(worst, fabs(r - 1));
            CHECK_NEAR(sqrt(p[3] * p[3] + p[4] * p[4] + p[5] * p[5]), 1.0, 1e-4);
            CHECK(p[6] == 0.2f && p[9] == 1);
        }
        CHECK(worst <= lod.error);
        bool ok = true;
        for (size_t t = 0; t < lod.index_count; t += 3) {
            uint32_t a = lod.indices[t], b = lod.indices[t + 1], c = lod.indices[t + 2];
            if (a >= lod.vertex_count || b >= lod.vertex_count || c >= lod.vertex_count || a == b || b == c || a == c)
                ok = false;
        }
        CHECK(ok); // no index out of range, no collapsed triangle
        ps_mesh_lod_free(&lod);
    }
    ps_mesh_lod none;
    CHECK(!ps_mesh_simplify(v, 0, idx, 0, 8, &none)); // no vertices
    CHECK(!ps_mesh_simplify(v, nv, idx, ni, 0, &none)); // no grid
    free(v);
    free(idx);
}

// Two coplanar squares side by side, one red and one blue, sharing an edge's
// positions: clustering keeps the colours apart (no vertex mixes them).
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
                p[6] = s ? 0.0f : 1.0f, p[7] = 0, p[8] = s ? 1.0f : 0.0f, p[9] = 1, p[10] = p[11] = 0;
            }
        for (int j = 0; j < N; j++)
            for (int i = 0; i < N; i++) {
                uint32_t a = (uint32_t)(base + (size_t)(j * (N + 1) + i)), b = a + 1, c = a + N + 1, d = c + 1;
                idx[ni++] = a, idx[ni++] = b, idx[ni++] = d, idx[ni++] = a, idx[ni++] = d, idx[ni++] = c;
            }
    }
    ps_mesh_lod lod;
    CHECK(ps_mesh_simplify(v, nv, idx, ni, 8, &lod));
    CHECK(lod.index_count < ni);
    bool pure = true;
    for (size_t i = 0; i < lod.vertex_count; i++) {
        const float *p = lod.vertices + i * PS_VTX_FLOATS;
        if (!((p[6] == 1 && p[8] == 0) || (p[6] == 0 && p[8] == 1))) pure = false;
    }
    CHECK(pure);
    ps_mesh_lod_free(&lod);
}

int main(void)
{
    RUN(test_sphere);
    RUN(test_colours_apart);
    return TEST_DONE();
}
