// Fuzz target: the STL reader (ASCII and binary) through ps_mesh_load.
#include "fuzz_common.h"
#include "pilotsim/mesh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[512];
    fz_write("in.stl", data, size, path, sizeof path);
    ps_mesh *m = ps_mesh_load(path, (ps_vec3){1, 1, 1}, err, sizeof err);
    fz_report("stl", m ? "loaded" : err);
    if (m) {
        ps_vec3 lo, hi;
        ps_mesh_bounds(m, &lo, &hi);
        (void)ps_mesh_volume(m);
        ps_mesh_free(m);
    } else if (!err[0]) {
        fprintf(stderr, "fuzz_stl: ps_mesh_load failed without a message\n");
        abort();
    }
    return 0;
}
