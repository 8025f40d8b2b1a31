// Fuzz target: the URDF reader (ps_urdf_load) and, when a model loads, the
// builder that turns it into bodies, joints and geoms (ps_robot_from_urdf).
// Mesh filenames resolve against the scratch directory, which holds a small
// valid "box.stl" and "box.obj" (the seed URDFs use them).
#include "fuzz_common.h"
#include "pilotsim/robot.h"
#include "pilotsim/urdf.h"
#include "pilotsim/world.h"

static const char box_stl[] =
    "solid box\n"
    "facet normal 0 0 -1\nouter loop\nvertex 0 0 0\nvertex 0 1 0\nvertex 1 0 0\nendloop\nendfacet\n"
    "facet normal 0 -1 0\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 0 1\nendloop\nendfacet\n"
    "facet normal -1 0 0\nouter loop\nvertex 0 0 0\nvertex 0 0 1\nvertex 0 1 0\nendloop\nendfacet\n"
    "facet normal 1 1 1\nouter loop\nvertex 1 0 0\nvertex 0 1 0\nvertex 0 0 1\nendloop\nendfacet\n"
    "endsolid box\n";
static const char box_obj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[1024];
    static int meshes_written;
    if (!meshes_written) {
        fz_write("box.stl", box_stl, sizeof box_stl - 1, path, sizeof path);
        fz_write("box.obj", box_obj, sizeof box_obj - 1, path, sizeof path);
        meshes_written = 1;
    }
    fz_write("in.urdf", data, size, path, sizeof path);
    ps_urdf_options opt = ps_urdf_default_options();
    opt.search_ancestors = false;
    if (ps_urdf_options_add_package_path(&opt, fz_scratch()) != PS_OK) abort();
    ps_urdf_model *m = ps_urdf_load(path, &opt, err, sizeof err);
    ps_urdf_options_clear(&opt);
    fz_report("urdf", m ? "loaded" : err);
    if (!m) {
        if (!err[0]) {
            fprintf(stderr, "fuzz_urdf: ps_urdf_load failed without a message\n");
            abort();
        }
        return 0;
    }
    (void)ps_urdf_total_mass(m);
    ps_world_def wd = ps_default_world_def();
    wd.log = (ps_logger){fz_quiet_log, NULL};
    ps_world *w = ps_world_create(&wd, err, sizeof err);
    if (w) {
        ps_urdf_build_options bo = ps_default_urdf_build_options();
        ps_robot_id r = ps_robot_from_urdf(w, m, &bo);
        fz_report("urdf build", r.gen ? "built" : ps_world_last_error(w));
        if (r.gen) {
            for (int i = 0; i < 5; i++) ps_world_step(w);
        }
        ps_world_destroy(w);
    }
    ps_urdf_free(m);
    return 0;
}
