// URDF reader: the example-robot-data models, package:// resolution, and a
// battery of malformed documents (each error names the file, line and detail).
#define _XOPEN_SOURCE 700 // setenv, realpath
#include "harness.h"
#include "pilotsim/urdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROBOTS PILOTSIM_SOURCE_DIR "/assets"
#define ERD ROBOTS "/example-robot-data/robots/"

static char err[PS_ERR_LEN];

// Writes `text` to `path` (in the test's working directory).
static const char *write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

// Loads with the robots folder as the only package directory (no ancestors,
// so that package:// really goes through the search path).
static ps_urdf_model *load_pkg(const char *path)
{
    ps_urdf_options o = ps_urdf_default_options();
    o.search_ancestors = false;
    ps_urdf_options_add_package_path(&o, ROBOTS);
    err[0] = '\0';
    ps_urdf_model *m = ps_urdf_load(path, &o, err, sizeof err);
    ps_urdf_options_clear(&o);
    if (!m) NOTE("%s", err);
    return m;
}

static ps_urdf_model *load_text(const char *path, const char *text, const ps_urdf_options *o)
{
    write_file(path, text);
    err[0] = '\0';
    return ps_urdf_load(path, o, err, sizeof err);
}

static bool is_file(const char *p)
{
    struct stat sb;
    return p && p[0] == '/' && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

// Structural invariants every loaded model satisfies.
static void check_invariants(const ps_urdf_model *m)
{
    CHECK(m->root_link >= 0 && (size_t)m->root_link < m->link_count);
    CHECK_EQ(m->joint_count, m->link_count - 1);
    CHECK_EQ(m->links[m->root_link].parent_joint, -1);
    CHECK_EQ(m->topo_order[0], m->root_link);
    // parents before children; every link exactly once
    int *pos = malloc(m->link_count * sizeof *pos);
    for (size_t i = 0; i < m->link_count; i++) pos[i] = -1;
    for (size_t i = 0; i < m->link_count; i++) pos[m->topo_order[i]] = (int)i;
    size_t bad = 0;
    for (size_t i = 0; i < m->link_count; i++) {
        if (pos[i] < 0) bad++;
        int pj = m->links[i].parent_joint;
        if (pj >= 0 && (m->joints[pj].child_link != (int)i ||
                        pos[m->joints[pj].parent_link] >= pos[i]))
            bad++;
    }
    CHECK_EQ(bad, 0);
    free(pos);
    // names map back to indices; axes are unit; meshes resolve to files
    size_t badn = 0, badaxis = 0, badmesh = 0;
    for (size_t i = 0; i < m->link_count; i++) {
        if (ps_urdf_link_find(m, m->links[i].name) != (int)i) badn++;
        const ps_urdf_link *l = &m->links[i];
        for (int pass = 0; pass < 2; pass++) {
            const ps_urdf_shape *s = pass ? l->collisions : l->visuals;
            size_t n = pass ? l->collision_count : l->visual_count;
            for (size_t k = 0; k < n; k++)
                if (s[k].geometry.type == PS_URDF_GEOM_MESH && !is_file(s[k].geometry.mesh_path))
                    badmesh++;
        }
    }
    for (size_t i = 0; i < m->joint_count; i++) {
        const ps_urdf_joint *j = &m->joints[i];
        if (ps_urdf_joint_find(m, j->name) != (int)i) badn++;
        double n = sqrt(j->axis.x * j->axis.x + j->axis.y * j->axis.y + j->axis.z * j->axis.z);
        if (fabs(n - 1) > 1e-12) badaxis++;
    }
    CHECK_EQ(badn, 0);
    CHECK_EQ(badaxis, 0);
    CHECK_EQ(badmesh, 0);
    CHECK_EQ(ps_urdf_link_find(m, "no such link"), -1);
    CHECK_EQ(ps_urdf_joint_find(m, "no such joint"), -1);
}

static size_t count_type(const ps_urdf_model *m, ps_urdf_joint_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < m->joint_count; i++) n += m->joints[i].type == t;
    return n;
}

static size_t count_shapes(const ps_urdf_model *m, bool visual, bool mesh_only)
{
    size_t n = 0;
    for (size_t i = 0; i < m->link_count; i++) {
        const ps_urdf_link *l = &m->links[i];
        const ps_urdf_shape *s = visual ? l->visuals : l->collisions;
        size_t c = visual ? l->visual_count : l->collision_count;
        for (size_t k = 0; k < c; k++) n += !mesh_only || s[k].geometry.type == PS_URDF_GEOM_MESH;
    }
    return n;
}

// Expected numbers, computed independently from the XML with /usr/bin/python3
// and xml.etree.ElementTree: for each file, root = ET.parse(f).getroot();
// links = root.findall('link'), joints = root.findall('joint') (direct
// children of <robot>, so the <joint> tags inside <transmission> do not
// count); types = Counter(j.get('type')); mass = sum of
// float(l.find('inertial/mass').get('value')) over links with an inertial,
// in document order (printed with %.17g); visuals / collisions =
// len(l.findall('visual' / 'collision')) summed; meshes = len(list(root.iter('mesh'))).
typedef struct robot_expect {
    const char *file;       // under example-robot-data/robots/
    const char *name;       // <robot name>
    size_t links, joints;
    size_t revolute, continuous, fixed;
    double mass;            // kg
    size_t visuals, collisions, meshes;
    const char *root;
    size_t warnings;        // ignored element kinds (no non-PD inertia in these files)
} robot_expect;

static const robot_expect robots[] = {
    { "go2_description/urdf/go2.urdf", "go2_description", 31, 30, 12, 0, 18,
      16.085000000000001, 17, 19, 36, "base", 0 },
    { "ur_description/urdf/ur5_robot.urdf", "ur5", 11, 10, 6, 0, 4, 20.9939, 7, 8, 14, "world",
      2 /* <gazebo>, <transmission> */ },
    { "solo_description/robots/solo12.urdf", "solo", 17, 16, 12, 0, 4, 2.5000027899999995, 17,
      17, 34, "base_link", 2 /* <material> in <collision>, <contact> in <link> */ },
    { "double_pendulum_description/urdf/double_pendulum.urdf", "2dof_planar", 3, 2, 2, 0, 0,
      0.70100000000000007, 3, 3, 6, "base_link", 0 },
    { "double_pendulum_description/urdf/double_pendulum_continuous.urdf", "2dof_planar", 3, 2, 0,
      2, 0, 0.70100000000000007, 3, 3, 6, "base_link", 0 },
    { "double_pendulum_description/urdf/double_pendulum_simple.urdf", "2dof_planar", 4, 3, 2, 0,
      1, 0.60000000000000009, 3, 3, 0, "base_link", 0 },
    { "simple_humanoid_description/urdf/simple_humanoid.urdf", "simple_humanoid", 31, 30, 29, 0,
      1, 130.80000000000001, 0, 2, 1, "base_link", 1 /* <collision_checking> in <link> */ },
    { "simple_humanoid_description/urdf/simple_humanoid_classical.urdf",
      "simple_humanoid_classical", 31, 30, 29, 0, 1, 130.80000000000001, 0, 0, 0, "base_link", 0 },
};

static void test_example_robots(void)
{
    for (size_t r = 0; r < sizeof robots / sizeof robots[0]; r++) {
        const robot_expect *e = &robots[r];
        char path[1024];
        snprintf(path, sizeof path, ERD "%s", e->file);
        long failed_before = ps_t_failed;
        ps_urdf_model *m = load_pkg(path);
        if (!CHECK(m != NULL)) continue;
        CHECK(strcmp(m->name, e->name) == 0);
        CHECK_EQ(m->link_count, e->links);
        CHECK_EQ(m->joint_count, e->joints);
        CHECK_EQ(count_type(m, PS_URDF_REVOLUTE), e->revolute);
        CHECK_EQ(count_type(m, PS_URDF_CONTINUOUS), e->continuous);
        CHECK_EQ(count_type(m, PS_URDF_FIXED), e->fixed);
        CHECK_NEAR(ps_urdf_total_mass(m), e->mass, 1e-12);
        CHECK_EQ(count_shapes(m, true, false), e->visuals);
        CHECK_EQ(count_shapes(m, false, false), e->collisions);
        CHECK_EQ(count_shapes(m, true, true) + count_shapes(m, false, true), e->meshes);
        CHECK(strcmp(m->links[m->root_link].name, e->root) == 0);
        CHECK_EQ(m->warning_count, e->warnings);
        for (size_t w = 0; w < m->warning_count; w++) CHECK_HAS(m->warnings[w], path);
        check_invariants(m);
        if (ps_t_failed != failed_before) NOTE("in %s", e->file);
        ps_urdf_free(m);
    }
}

static void test_ur5_details(void)
{
    ps_urdf_model *m = load_pkg(ERD "ur_description/urdf/ur5_robot.urdf");
    if (!CHECK(m != NULL)) return;
    // One warning per ignored kind, at its first element's line.
    CHECK_EQ(m->warning_count, 2);
    CHECK_HAS(m->warnings[0], "ur5_robot.urdf:7: <gazebo> ignored (8 elements)");
    CHECK_HAS(m->warnings[1], "ur5_robot.urdf:247: <transmission> ignored (6 elements)");
    // <joint> tags inside <transmission> are not joints.
    CHECK_EQ(ps_urdf_joint_find(m, "shoulder_pan_trans"), -1);
    int j = ps_urdf_joint_find(m, "shoulder_pan_joint");
    if (CHECK(j >= 0)) {
        const ps_urdf_joint *jt = &m->joints[j];
        CHECK_EQ(jt->type, PS_URDF_REVOLUTE);
        CHECK(strcmp(jt->parent, "base_link") == 0 && strcmp(jt->child, "shoulder_link") == 0);
        CHECK_EQ(jt->parent_link, ps_urdf_link_find(m, "base_link"));
        CHECK_EQ(jt->child_link, ps_urdf_link_find(m, "shoulder_link"));
        CHECK_NEAR(jt->origin.xyz.z, 0.089159, 0);
        CHECK_NEAR(jt->axis.z, 1, 0);
        CHECK(jt->has_limit);
        CHECK_NEAR(jt->lower, -6.28318530718, 0);
        CHECK_NEAR(jt->upper, 6.28318530718, 0);
        CHECK_NEAR(jt->effort, 150, 0);
        CHECK_NEAR(jt->velocity, 3.15, 0);
        CHECK(jt->has_dynamics);
        CHECK_EQ(jt->line, 61);
        CHECK_EQ(m->links[jt->child_link].parent_joint, j);
    }
    int l = ps_urdf_link_find(m, "upper_arm_link");
    if (CHECK(l >= 0)) {
        const ps_urdf_link *lk = &m->links[l];
        CHECK(lk->has_inertial);
        CHECK_NEAR(lk->inertial.mass, 8.393, 0);
        CHECK_NEAR(lk->inertial.origin.xyz.z, 0.28, 0);
        CHECK_NEAR(lk->inertial.ixx, 0.22689067591, 0);
        CHECK_NEAR(lk->inertial.izz, 0.0151074, 0);
        if (CHECK_EQ(lk->visual_count, 1)) {
            const ps_urdf_shape *v = &lk->visuals[0];
            CHECK(strcmp(v->material, "LightGrey") == 0);
            CHECK(v->has_rgba);
            CHECK_NEAR(v->rgba[0], 0.7, 0);
            CHECK_NEAR(v->rgba[3], 1, 0);
            CHECK_EQ(v->geometry.type, PS_URDF_GEOM_MESH);
            CHECK_HAS(v->geometry.mesh_path,
                      "/example-robot-data/robots/ur_description/meshes/ur5/visual/upperarm.dae");
            CHECK(strncmp(v->geometry.mesh_uri, "package://", 10) == 0);
            CHECK_NEAR(v->geometry.mesh_scale.x, 1, 0);
        }
        if (CHECK_EQ(lk->collision_count, 1))
            CHECK(is_file(lk->collisions[0].geometry.mesh_path));
    }
    // "world" has no <inertial>; ee_link is a massless frame (mass 0, zero
    // tensor), which is not warned about.
    int w = ps_urdf_link_find(m, "world");
    CHECK(w >= 0 && !m->links[w].has_inertial);
    CHECK_EQ(m->material_count, 1); // LightGrey, first defined inline
    ps_urdf_free(m);
}

static void test_package_resolution(void)
{
    const char *go2 = ERD "go2_description/urdf/go2.urdf";
    // Default options: the URDF's ancestors include .../example-robot-data,
    // whose basename is the package name.
    err[0] = '\0';
    ps_urdf_model *m = ps_urdf_load(go2, NULL, err, sizeof err);
    if (CHECK(m != NULL)) {
        check_invariants(m);
        ps_urdf_free(m);
    } else {
        NOTE("%s", err);
    }
    // A package directory that is the package itself (basename == PKG).
    ps_urdf_options o = ps_urdf_default_options();
    o.search_ancestors = false;
    CHECK_EQ(ps_urdf_options_add_package_path(&o, ROBOTS "/example-robot-data/"), PS_OK);
    CHECK(strcmp(o.package_paths[0] + strlen(o.package_paths[0]) - 18, "example-robot-data") == 0);
    m = ps_urdf_load(go2, &o, err, sizeof err);
    CHECK(m != NULL);
    ps_urdf_free(m);
    ps_urdf_options_clear(&o);
    CHECK_EQ(o.package_path_count, 0);
    // Nothing to search: the error names the file, the line and what was tried
    // (the first collision mesh; the visual meshes before it only warn).
    o = ps_urdf_default_options();
    o.search_ancestors = false;
    ps_urdf_options_add_package_path(&o, "/nonexistent/pkgdir");
    m = ps_urdf_load(go2, &o, err, sizeof err);
    CHECK(m == NULL);
    CHECK_HAS(err, "go2.urdf:36: cannot resolve mesh "
                   "'package://example-robot-data/robots/go2_description/collisions/base_convex.stl'");
    CHECK_HAS(err, "tried: /nonexistent/pkgdir");
    CHECK_HAS(err, "PILOTSIM_PACKAGE_PATH");
    ps_urdf_options_clear(&o);
    // Path lists and the environment variable.
    o = ps_urdf_default_options();
    CHECK_EQ(ps_urdf_options_add_path_list(&o, "/a::/b/"), PS_OK);
    setenv("PILOTSIM_PACKAGE_PATH", "/c:" ROBOTS ":", 1);
    CHECK_EQ(ps_urdf_options_add_env(&o), PS_OK);
    if (CHECK_EQ(o.package_path_count, 4)) {
        CHECK(strcmp(o.package_paths[0], "/a") == 0);
        CHECK(strcmp(o.package_paths[1], "/b") == 0);
        CHECK(strcmp(o.package_paths[2], "/c") == 0);
        CHECK(strcmp(o.package_paths[3], ROBOTS) == 0);
    }
    o.search_ancestors = false;
    m = ps_urdf_load(ERD "solo_description/robots/solo12.urdf", &o, err, sizeof err);
    CHECK(m != NULL);
    ps_urdf_free(m);
    ps_urdf_options_clear(&o);
    unsetenv("PILOTSIM_PACKAGE_PATH");
    CHECK_EQ(ps_urdf_options_add_package_path(NULL, "/x"), PS_ERR_INVALID);
}

// A valid synthetic document covering what the robots above do not.
static void test_synthetic(void)
{
    write_file("mesh_rel.stl", "solid x\nendsolid x\n");
    char cwd_mesh[2048];
    {
        char *abs = realpath("mesh_rel.stl", NULL);
        snprintf(cwd_mesh, sizeof cwd_mesh, "%s", abs ? abs : "?");
        free(abs);
    }
    char text[8192];
    snprintf(text, sizeof text,
             "<?xml version=\"1.0\"?>\n"
             "<robot name=\"synth\">\n"                                              // 2
             "  <material name=\"red\"><color rgba=\"1 0 0 1\"/></material>\n"       // 3
             "  <link name=\"base\">\n"                                              // 4
             "    <visual name=\"v0\"><geometry><sphere radius=\"0.5\"/></geometry>\n"
             "      <material name=\"red\"/></visual>\n"                             // 6
             "    <visual><origin xyz=\"1 2 3\" rpy=\"0 0 1.5707963267948966\"/>\n"
             "      <geometry><mesh filename=\"mesh_rel.stl\" scale=\"2 2 2\"/></geometry>\n"
             "      <material name=\"blue\"><color rgba=\"0 0 1 0.5\"/></material></visual>\n"
             "    <collision><geometry><cylinder radius=\"0.1\" length=\"0.4\"/></geometry></collision>\n"
             "    <collision><geometry><mesh filename=\"file://%s\"/></geometry></collision>\n"
             "  </link>\n"
             "  <link name=\"arm\"><visual><geometry><box size=\"1 2 3\"/></geometry>"
             "<material name=\"blue\"/></visual>\n"                                  // 13
             "    <inertial><mass value=\"2.5\"/><inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"2\" "
             "iyz=\"0\" izz=\"3\"/></inertial></link>\n"
             "  <link name=\"slider\"/>\n"
             "  <link name=\"free\"/>\n"
             "  <link name=\"plane\"/>\n"
             "  <joint name=\"j_arm\" type=\"continuous\"><parent link=\"base\"/>"
             "<child link=\"arm\"/>\n"                                               // 18
             "    <axis xyz=\"0 0 2\"/><dynamics damping=\"0.5\"/>\n"
             "    <safety_controller k_velocity=\"1\"/><calibration rising=\"0\"/></joint>\n"
             "  <joint name=\"j_slider\" type=\"prismatic\"><parent link=\"arm\"/>"
             "<child link=\"slider\"/>\n"
             "    <limit lower=\"-0.1\" upper=\"0.2\" effort=\"10\" velocity=\"1\"/>\n"
             "    <mimic joint=\"j_arm\"/></joint>\n"
             "  <joint name=\"j_free\" type=\"floating\"><parent link=\"base\"/>"
             "<child link=\"free\"/><axis xyz=\"0 0 0\"/></joint>\n"
             "  <joint name=\"j_plane\" type=\"planar\"><parent link=\"base\"/>"
             "<child link=\"plane\"/>\n"
             "    <mimic joint=\"j_slider\" multiplier=\"-2\" offset=\"0.3\"/></joint>\n"
             "  <transmission name=\"t\"><joint name=\"j_arm\"/></transmission>\n"
             "  <gazebo/><gazebo reference=\"arm\"/>\n"                              // 28
             "</robot>\n",
             cwd_mesh);
    ps_urdf_model *m = load_text("synth.urdf", text, NULL);
    if (!CHECK(m != NULL)) {
        NOTE("%s", err);
        return;
    }
    check_invariants(m);
    CHECK(strcmp(m->path, "synth.urdf") == 0);
    CHECK_EQ(m->link_count, 5);
    CHECK_EQ(m->joint_count, 4);
    CHECK_NEAR(ps_urdf_total_mass(m), 2.5, 0);
    CHECK_EQ(m->material_count, 2);
    CHECK(strcmp(m->materials[0].name, "red") == 0 && m->materials[0].line == 3);
    CHECK(strcmp(m->materials[1].name, "blue") == 0);
    // topological order: base, then its children in joint order
    const char *order[] = { "base", "arm", "slider", "free", "plane" };
    for (int i = 0; i < 5; i++) CHECK(strcmp(m->links[m->topo_order[i]].name, order[i]) == 0);

    const ps_urdf_link *base = &m->links[0];
    CHECK(!base->has_inertial);
    CHECK_EQ(base->visual_count, 2);
    CHECK_EQ(base->collision_count, 2);
    CHECK(strcmp(base->visuals[0].name, "v0") == 0);
    CHECK(base->visuals[1].name == NULL);
    CHECK_EQ(base->visuals[0].geometry.type, PS_URDF_GEOM_SPHERE);
    CHECK_NEAR(base->visuals[0].geometry.radius, 0.5, 0);
    CHECK(base->visuals[0].has_rgba && base->visuals[0].rgba[0] == 1 && base->visuals[0].rgba[1] == 0);
    CHECK_EQ(base->visuals[0].line, 5);
    const ps_urdf_shape *mv = &base->visuals[1];
    CHECK_EQ(mv->geometry.type, PS_URDF_GEOM_MESH);
    CHECK(strcmp(mv->geometry.mesh_path, cwd_mesh) == 0);
    CHECK(strcmp(mv->geometry.mesh_uri, "mesh_rel.stl") == 0);
    CHECK_NEAR(mv->geometry.mesh_scale.y, 2, 0);
    CHECK_NEAR(mv->rgba[3], 0.5, 0);
    CHECK_NEAR(mv->origin.xyz.y, 2, 0);
    ps_pose p = ps_urdf_origin_pose(mv->origin);
    CHECK_NEAR(p.p.z, 3, 0);
    CHECK_NEAR(p.q.w, sqrt(0.5), 1e-15);
    CHECK_NEAR(p.q.z, sqrt(0.5), 1e-15);
    CHECK_NEAR(p.q.x, 0, 0);
    ps_pose p2 = ps_urdf_origin_pose((ps_urdf_origin){ { 0, 0, 0 }, { 0.3, -0.2, 0.1 } });
    // roll then pitch then yaw about fixed axes: check against a rotated x axis
    // R = Rz(0.1) Ry(-0.2) Rx(0.3); R e_x = (cy cp, sy cp, -sp)
    {
        double w = p2.q.w, x = p2.q.x, y = p2.q.y, z = p2.q.z;
        double rx = 1 - 2 * (y * y + z * z), ry = 2 * (x * y + w * z), rz = 2 * (x * z - w * y);
        CHECK_NEAR(rx, cos(0.1) * cos(-0.2), 1e-15);
        CHECK_NEAR(ry, sin(0.1) * cos(-0.2), 1e-15);
        CHECK_NEAR(rz, -sin(-0.2), 1e-15);
    }
    CHECK_EQ(base->collisions[0].geometry.type, PS_URDF_GEOM_CYLINDER);
    CHECK_NEAR(base->collisions[0].geometry.length, 0.4, 0);
    CHECK(base->collisions[0].material == NULL);
    CHECK(strcmp(base->collisions[1].geometry.mesh_path, cwd_mesh) == 0);

    const ps_urdf_link *arm = &m->links[1];
    CHECK_EQ(arm->visuals[0].geometry.type, PS_URDF_GEOM_BOX);
    CHECK_NEAR(arm->visuals[0].geometry.size.z, 3, 0);
    CHECK(arm->visuals[0].has_rgba && arm->visuals[0].rgba[2] == 1); // "blue", defined inline earlier
    CHECK_NEAR(arm->inertial.iyy, 2, 0);

    const ps_urdf_joint *ja = &m->joints[0], *js = &m->joints[1], *jf = &m->joints[2],
                        *jp = &m->joints[3];
    CHECK_EQ(ja->type, PS_URDF_CONTINUOUS);
    CHECK_NEAR(ja->axis.z, 1, 0); // normalised
    CHECK(!ja->has_limit);
    CHECK(ja->has_dynamics && ja->damping == 0.5 && ja->friction == 0);
    CHECK(!ja->has_mimic && ja->mimic_index == -1);
    CHECK_EQ(ja->line, 18);
    CHECK_EQ(js->type, PS_URDF_PRISMATIC);
    CHECK_NEAR(js->axis.x, 1, 0); // default axis
    CHECK(js->has_limit && js->lower == -0.1 && js->upper == 0.2);
    CHECK(js->has_mimic && js->mimic_index == 0);
    CHECK_NEAR(js->mimic_multiplier, 1, 0);
    CHECK_NEAR(js->mimic_offset, 0, 0);
    CHECK_EQ(jf->type, PS_URDF_FLOATING);
    CHECK_NEAR(jf->axis.x, 1, 0); // zero axis ignored on a floating joint
    CHECK_EQ(jp->type, PS_URDF_PLANAR);
    CHECK(jp->mimic_index == 1 && jp->mimic_multiplier == -2 && jp->mimic_offset == 0.3);
    CHECK(strcmp(ps_urdf_joint_type_name(PS_URDF_PLANAR), "planar") == 0);
    CHECK(strcmp(ps_urdf_joint_type_name((ps_urdf_joint_type)42), "?") == 0);

    // one warning per kind; safety_controller and calibration are silent
    if (CHECK_EQ(m->warning_count, 2)) {
        CHECK_HAS(m->warnings[0], "synth.urdf:27: <transmission> ignored (1 element)");
        CHECK_HAS(m->warnings[1], "synth.urdf:28: <gazebo> ignored (2 elements)");
    }
    ps_urdf_free(m);
    ps_urdf_free(NULL);
    CHECK_EQ(ps_urdf_total_mass(NULL), 0);
}

static void test_inertia_warning(void)
{
    const char *text = "<robot name=\"r\">\n"
                       "  <link name=\"a\"><inertial><mass value=\"1\"/>\n"
                       "    <inertia ixx=\"1\" ixy=\"2\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"1\"/>\n"
                       "  </inertial></link>\n"
                       "  <link name=\"b\"><inertial><mass value=\"0\"/>\n"
                       "    <inertia ixx=\"0\" ixy=\"0\" ixz=\"0\" iyy=\"0\" iyz=\"0\" izz=\"0\"/>\n"
                       "  </inertial></link>\n"
                       "  <joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/></joint>\n"
                       "</robot>\n";
    ps_urdf_model *m = load_text("inertia.urdf", text, NULL);
    if (CHECK(m != NULL) && CHECK_EQ(m->warning_count, 1))
        CHECK_HAS(m->warnings[0], "inertia.urdf:3: link 'a': inertia is not positive definite");
    ps_urdf_free(m);
    ps_urdf_options o = ps_urdf_default_options();
    o.strict_inertia = true;
    m = load_text("inertia.urdf", text, &o);
    CHECK(m == NULL);
    CHECK_HAS(err, "inertia.urdf:3: link 'a': inertia is not positive definite");
}

static void test_lenience(void)
{
    // Quirks of published URDFs load with one warning each naming file:line:
    // package:/// (three slashes), an undefined named material (default
    // colour), a missing visual mesh (left out: only collisions are needed to
    // simulate), and an inertia violating the triangle inequality.
    mkdir("lenpkg", 0777);
    mkdir("lenpkg/mypkg", 0777);
    write_file("lenpkg/mypkg/part.stl", "solid x\nendsolid x\n");
    const char *text =
        "<robot name=\"r\">\n"                                                                   // 1
        "  <link name=\"a\">\n"                                                                   // 2
        "    <inertial><mass value=\"1\"/>\n"                                                     // 3
        "      <inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"3\"/></inertial>\n"  // 4
        "    <visual><geometry><mesh filename=\"package://mypkg/missing.dae\"/></geometry>\n"     // 5
        "      <material name=\"nowhere\"/></visual>\n"                                           // 6
        "    <collision><geometry><mesh filename=\"package:///mypkg/part.stl\"/></geometry></collision>\n" // 7
        "  </link>\n"
        "</robot>\n";
    ps_urdf_options o = ps_urdf_default_options();
    o.search_ancestors = false;
    ps_urdf_options_add_package_path(&o, "lenpkg");
    ps_urdf_model *m = load_text("lenient.urdf", text, &o);
    ps_urdf_options_clear(&o);
    if (!CHECK(m != NULL)) {
        NOTE("%s", err);
        return;
    }
    const char *want[4] = {"lenient.urdf:4: link 'a': inertia violates the triangle inequality (principal moments 1, 1, 3",
                           "lenient.urdf:5: cannot resolve mesh 'package://mypkg/missing.dae'",
                           "lenient.urdf:7: <mesh filename=\"package:///mypkg/part.stl\">: package:/// with three slashes",
                           "lenient.urdf:6: material 'nowhere' is not defined; the visual keeps the default colour"};
    CHECK_EQ(m->warning_count, 4);
    for (int k = 0; k < 4; k++) {
        bool found = false;
        for (size_t i = 0; i < m->warning_count; i++) found |= strstr(m->warnings[i], want[k]) != NULL;
        if (!CHECK(found)) NOTE("missing warning: %s", want[k]);
    }
    const ps_urdf_link *l = &m->links[0];
    CHECK(l->visual_count == 1 && l->visuals[0].geometry.mesh_path == NULL && !l->visuals[0].has_rgba);
    CHECK(l->collision_count == 1 && l->collisions[0].geometry.mesh_path != NULL &&
          strstr(l->collisions[0].geometry.mesh_path, "lenpkg/mypkg/part.stl") != NULL);
    ps_urdf_free(m);
}

// Each document fails with "<file>:<line>: ...<detail>...".
typedef struct bad_doc {
    const char *file;
    const char *text;
    int line;
    const char *detail;
} bad_doc;

#define R0 "<robot name=\"r\">\n"
#define L(n) "<link name=\"" n "\"/>\n"
#define FIX(n, p, c) "<joint name=\"" n "\" type=\"fixed\"><parent link=\"" p "\"/><child link=\"" c "\"/></joint>\n"

static const bad_doc bad_docs[] = {
    { "bad_xml.urdf", R0 "<link name=\"a\">\n</robot>\n", 3, "XML error: mismatched tag" },
    { "bad_unclosed.urdf", R0 L("a"), 3, "XML error: " },
    { "bad_root.urdf", "<?xml version=\"1.0\"?>\n<robo name=\"r\"/>\n", 2,
      "the root element is <robo>, expected <robot>" },
    { "bad_noname.urdf", "<robot>\n" L("a") "</robot>\n", 1,
      "<robot> is missing the required attribute 'name'" },
    { "bad_nolinks.urdf", R0 "</robot>\n", 1, "robot 'r' has no <link>" },
    { "bad_linkname.urdf", R0 "<link/>\n</robot>\n", 2,
      "<link> is missing the required attribute 'name'" },
    { "bad_jtype_missing.urdf", R0 L("a") L("b") "<joint name=\"j\">\n</joint>\n</robot>\n", 4,
      "<joint> is missing the required attribute 'type'" },
    { "bad_jtype.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"hinge\">\n</joint>\n</robot>\n",
      4, "joint 'j': unknown type 'hinge'" },
    { "bad_nan.urdf", R0 "<link name=\"a\">\n<inertial><mass value=\"nan\"/>\n</inertial></link>\n</robot>\n",
      3, "<mass value=\"nan\">: 'nan' is not a number" },
    { "bad_text.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"fixed\">\n<origin xyz=\"0 a 0\"/>\n"
      "<parent link=\"a\"/><child link=\"b\"/></joint>\n</robot>\n",
      5, "<origin xyz=\"0 a 0\">: 'a' is not a number" },
    { "bad_inf.urdf", R0 "<link name=\"a\"><inertial>\n<mass value=\"1e999\"/></inertial></link>\n</robot>\n",
      3, "'1e999' is not a finite number" },
    { "bad_hex.urdf", R0 "<link name=\"a\"><inertial>\n<mass value=\"0x10\"/></inertial></link>\n</robot>\n",
      3, "'0x10' is not a number" },
    { "bad_xyz2.urdf", R0 "<link name=\"a\">\n<visual>\n<origin xyz=\"0 0\"/><geometry><sphere radius=\"1\"/></geometry></visual></link>\n</robot>\n",
      4, "<origin xyz=\"0 0\">: expected 3 numbers, got 2" },
    { "bad_rpy4.urdf", R0 "<link name=\"a\">\n<visual>\n<origin rpy=\"0 0 0 1\"/><geometry><sphere radius=\"1\"/></geometry></visual></link>\n</robot>\n",
      4, "<origin rpy=\"0 0 0 1\">: expected 3 numbers, got 4" },
    { "bad_size.urdf", R0 "<link name=\"a\"><collision><geometry>\n<box size=\"1 1\"/></geometry></collision></link>\n</robot>\n",
      3, "<box size=\"1 1\">: expected 3 numbers, got 2" },
    { "bad_rgba.urdf", R0 "<material name=\"m\">\n<color rgba=\"1 0 0\"/></material>\n" L("a") "</robot>\n",
      3, "<color rgba=\"1 0 0\">: expected 4 numbers, got 3" },
    { "bad_mass.urdf", R0 "<link name=\"a\"><inertial>\n<mass value=\"-1\"/>\n"
      "<inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"1\"/></inertial></link>\n</robot>\n",
      3, "link 'a': negative mass -1 kg" },
    { "bad_inertia_attr.urdf", R0 "<link name=\"a\"><inertial><mass value=\"1\"/>\n"
      "<inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"1\" iyz=\"0\"/></inertial></link>\n</robot>\n",
      3, "<inertia> is missing the required attribute 'izz'" },
    { "bad_no_inertia.urdf", R0 "<link name=\"a\">\n<inertial><mass value=\"1\"/></inertial></link>\n</robot>\n",
      3, "link 'a': <inertial> has no <inertia>" },
    { "bad_duplink.urdf", R0 L("a") L("b") L("a") "</robot>\n", 4,
      "duplicate link name 'a' (first at line 2)" },
    { "bad_dupjoint.urdf", R0 L("a") L("b") L("c") FIX("j", "a", "b") FIX("j", "a", "c") "</robot>\n",
      6, "duplicate joint name 'j' (first at line 5)" },
    { "bad_unknown_parent.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"fixed\">\n"
      "<parent link=\"x\"/>\n<child link=\"b\"/></joint>\n</robot>\n",
      5, "joint 'j': parent link 'x' is not defined" },
    { "bad_unknown_child.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"fixed\">\n"
      "<parent link=\"a\"/>\n<child link=\"y\"/></joint>\n</robot>\n",
      6, "joint 'j': child link 'y' is not defined" },
    { "bad_no_child.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"fixed\">\n"
      "<parent link=\"a\"/></joint>\n</robot>\n", 4, "joint 'j' has no <child>" },
    { "bad_two_parents.urdf", R0 L("a") L("b") L("c") FIX("j1", "a", "c") FIX("j2", "b", "c") "</robot>\n",
      6, "link 'c' has two parents: joint 'j1' (line 5) and joint 'j2'" },
    { "bad_cycle.urdf", R0 L("r") L("a") L("b") FIX("j1", "a", "b") FIX("j2", "b", "a") "</robot>\n",
      5, "joint 'j1' closes a kinematic cycle (link 'b' is its own ancestor)" },
    { "bad_cycle_noroot.urdf", R0 L("a") L("b") FIX("j1", "a", "b") FIX("j2", "b", "a") "</robot>\n",
      5, "joint 'j2' closes a kinematic cycle (link 'a' is its own ancestor); the robot has no root link" },
    { "bad_self.urdf", R0 L("a") "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/>\n<child link=\"a\"/></joint>\n</robot>\n",
      4, "joint 'j': link 'a' is its own parent" },
    { "bad_two_roots.urdf", R0 L("a") L("b") L("c") FIX("j", "a", "b") "</robot>\n", 4,
      "more than one root link: 'a' (line 2) and 'c' have no parent joint" },
    { "bad_mimic.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n"
      "<mimic joint=\"nope\"/></joint>\n</robot>\n", 5, "joint 'j' mimics joint 'nope', which is not defined" },
    { "bad_mimic_cycle.urdf", R0 L("a") L("b") L("c")
      "<joint name=\"j1\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n<mimic joint=\"j2\"/></joint>\n"
      "<joint name=\"j2\" type=\"continuous\"><parent link=\"b\"/><child link=\"c\"/>\n<mimic joint=\"j1\"/></joint>\n"
      "</robot>\n", 6, "joint 'j1' mimics joint 'j2', which leads back to it (a cycle of mimics)" },
    { "bad_nolimit.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"revolute\">\n<parent link=\"a\"/><child link=\"b\"/></joint>\n</robot>\n",
      4, "joint 'j' (revolute) has no <limit>" },
    { "bad_limit_effort.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"prismatic\"><parent link=\"a\"/><child link=\"b\"/>\n"
      "<limit lower=\"0\" upper=\"1\" velocity=\"1\"/></joint>\n</robot>\n",
      5, "<limit> is missing the required attribute 'effort'" },
    { "bad_limit_order.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n"
      "<limit lower=\"1\" upper=\"0\" effort=\"1\" velocity=\"1\"/></joint>\n</robot>\n",
      5, "joint 'j': lower limit 1 > upper limit 0" },
    { "bad_axis.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n"
      "<axis xyz=\"0 0 0\"/></joint>\n</robot>\n", 5, "joint 'j' (continuous): axis must not be zero" },
    { "bad_geom.urdf", R0 "<link name=\"a\"><collision><geometry>\n<capsule radius=\"1\" length=\"1\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "unknown geometry <capsule>" },
    { "bad_geom_empty.urdf", R0 "<link name=\"a\"><collision>\n<geometry/></collision></link>\n</robot>\n",
      3, "empty <geometry>" },
    { "bad_geom_two.urdf", R0 "<link name=\"a\"><collision><geometry>\n<sphere radius=\"1\"/>\n"
      "<box size=\"1 1 1\"/></geometry></collision></link>\n</robot>\n", 4, "has more than one shape" },
    { "bad_no_geom.urdf", R0 "<link name=\"a\">\n<visual></visual></link>\n</robot>\n", 3,
      "<visual> of link 'a' has no <geometry>" },
    { "bad_radius.urdf", R0 "<link name=\"a\"><collision><geometry>\n<sphere radius=\"-1\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "'radius' must be >= 0" },
    { "bad_cyl.urdf", R0 "<link name=\"a\"><collision><geometry>\n<cylinder radius=\"1\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "<cylinder> is missing the required attribute 'length'" },
    { "bad_material_empty.urdf", R0 "<material name=\"m\">\n</material>\n" L("a") "</robot>\n", 2,
      "material 'm' has neither <color> nor <texture>" },
    { "bad_dup_origin.urdf", R0 L("a") L("b") "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n"
      "<origin/>\n<origin/></joint>\n</robot>\n", 6, "duplicate <origin> in <joint> (line 4)" },
    { "bad_mesh_rel.urdf", R0 "<link name=\"a\"><collision><geometry>\n<mesh filename=\"meshes/none.stl\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "mesh file 'meshes/none.stl' not found" },
    { "bad_mesh_pkg.urdf", R0 "<link name=\"a\"><collision><geometry>\n<mesh filename=\"package://nopkg/x.stl\"/>"
      "</geometry></collision></link>\n</robot>\n", 3,
      "cannot resolve mesh 'package://nopkg/x.stl': no nopkg/x.stl in the package directories (tried: " },
    { "bad_mesh_scheme.urdf", R0 "<link name=\"a\"><collision><geometry>\n<mesh filename=\"http://x/y.stl\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "unsupported URI scheme" },
    { "bad_mesh_pkgform.urdf", R0 "<link name=\"a\"><collision><geometry>\n<mesh filename=\"package://onlyname\"/>"
      "</geometry></collision></link>\n</robot>\n", 3, "expected package://PACKAGE/PATH" },
    { "bad_ext_entity.urdf", "<?xml version=\"1.0\"?>\n<!DOCTYPE robot [\n"
      "<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n<robot name=\"r\">\n" L("a") "&x;\n</robot>\n",
      7, "XML error: error in processing external entity reference" },
};

static void test_bad_documents(void)
{
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
        const bad_doc *b = &bad_docs[i];
        ps_urdf_model *m = load_text(b->file, b->text, NULL);
        if (!CHECK(m == NULL)) {
            NOTE("%s loaded", b->file);
            ps_urdf_free(m);
            continue;
        }
        char where[256];
        if (b->line > 0)
            snprintf(where, sizeof where, "%s:%d: ", b->file, b->line);
        else
            snprintf(where, sizeof where, "%s:", b->file);
        if (!CHECK(strncmp(err, where, strlen(where)) == 0)) NOTE("want prefix %s", where);
        CHECK_HAS(err, b->detail);
    }
}

// Size and nesting limits, entity expansion, truncated error buffers.
static void test_limits(void)
{
    // element count: element k sits on line k
    FILE *f = fopen("many.urdf", "w");
    fputs("<robot name=\"r\">\n<link name=\"a\"/>\n", f);
    for (int i = 0; i < PS_URDF_MAX_ELEMENTS; i++) fputs("<gazebo/>\n", f);
    fputs("</robot>\n", f);
    fclose(f);
    err[0] = '\0';
    CHECK(ps_urdf_load("many.urdf", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, "many.urdf:100001: too many XML elements (limit 100000)");
    remove("many.urdf");

    // depth: <robot> is level 1; level 65 on line 65 is one too many
    f = fopen("deep.urdf", "w");
    fputs("<robot name=\"r\">\n", f);
    for (int i = 0; i < PS_URDF_MAX_DEPTH; i++) fputs("<a>\n", f);
    for (int i = 0; i < PS_URDF_MAX_DEPTH; i++) fputs("</a>\n", f);
    fputs("</robot>\n", f);
    fclose(f);
    CHECK(ps_urdf_load("deep.urdf", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, "deep.urdf:65: elements nested deeper than 64 levels");

    // 63 levels of unknown elements below <robot> are fine (and ignored)
    f = fopen("deep_ok.urdf", "w");
    fputs("<robot name=\"r\">\n<link name=\"a\"/>\n", f);
    for (int i = 0; i < PS_URDF_MAX_DEPTH - 1; i++) fputs("<a>", f);
    for (int i = 0; i < PS_URDF_MAX_DEPTH - 1; i++) fputs("</a>", f);
    fputs("\n</robot>\n", f);
    fclose(f);
    ps_urdf_model *m = ps_urdf_load("deep_ok.urdf", NULL, err, sizeof err);
    if (CHECK(m != NULL) && CHECK_EQ(m->warning_count, 1))
        CHECK_HAS(m->warnings[0], "deep_ok.urdf:3: <a> ignored (1 element)");
    ps_urdf_free(m);

    // file size: a sparse file just over the limit
    f = fopen("huge.urdf", "w");
    fseek(f, (long)PS_URDF_MAX_FILE_BYTES, SEEK_SET);
    fputc(' ', f);
    fclose(f);
    CHECK(ps_urdf_load("huge.urdf", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, "huge.urdf: file is larger than 64 MB");
    remove("huge.urdf");

    // billion laughs: expat's amplification limit stops it
    f = fopen("laughs.urdf", "w");
    fputs("<?xml version=\"1.0\"?>\n<!DOCTYPE robot [\n<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaa\">\n", f);
    for (int i = 0; i < 10; i++) {
        fprintf(f, "<!ENTITY %c \"", 'b' + i);
        for (int k = 0; k < 10; k++) fprintf(f, "&%c;", 'a' + i);
        fputs("\">\n", f);
    }
    fputs("]>\n<robot name=\"&k;\"><link name=\"a\"/></robot>\n", f);
    fclose(f);
    CHECK(ps_urdf_load("laughs.urdf", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, "laughs.urdf:");
    CHECK_HAS(err, "XML error");

    // a missing file and a directory
    CHECK(ps_urdf_load("no_such_file.urdf", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, "no_such_file.urdf: cannot open");
    CHECK(ps_urdf_load(".", NULL, err, sizeof err) == NULL);
    CHECK_HAS(err, ".:");

    // a tiny error buffer is filled, truncated and terminated; NULL is fine
    char small[12];
    memset(small, 'x', sizeof small);
    CHECK(ps_urdf_load("deep.urdf", NULL, small, sizeof small) == NULL);
    CHECK_EQ(strlen(small), sizeof small - 1);
    CHECK(ps_urdf_load("deep.urdf", NULL, NULL, 0) == NULL);
}

// Garbage and truncated versions of a real file never crash (run under ASan).
static void test_fuzz_truncations(void)
{
    FILE *f = fopen(ERD "ur_description/urdf/ur5_robot.urdf", "rb");
    if (!CHECK(f != NULL)) return;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ps_urdf_options o = ps_urdf_default_options();
    ps_urdf_options_add_package_path(&o, ROBOTS);
    size_t loaded = 0, failed_with_line = 0, tries = 0;
    uint32_t s = 12345;
    for (size_t cut = 0; cut < n; cut += 97, tries++) {
        char *copy = malloc(n + 1);
        memcpy(copy, buf, n);
        copy[n] = '\0';
        // truncate at `cut` and flip one byte before it
        if (cut > 0) {
            s = s * 1664525u + 1013904223u;
            copy[(s >> 8) % cut] = (char)(s >> 24);
        }
        copy[cut] = '\0';
        FILE *g = fopen("fuzz.urdf", "wb");
        fwrite(copy, 1, cut, g);
        fclose(g);
        free(copy);
        ps_urdf_model *m = ps_urdf_load("fuzz.urdf", &o, err, sizeof err);
        if (m) loaded++;
        else if (strncmp(err, "fuzz.urdf:", 10) == 0) failed_with_line++;
        ps_urdf_free(m);
    }
    ps_urdf_options_clear(&o);
    CHECK_EQ(loaded + failed_with_line, tries);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_example_robots);
    RUN(test_ur5_details);
    RUN(test_package_resolution);
    RUN(test_synthetic);
    RUN(test_inertia_warning);
    RUN(test_lenience);
    RUN(test_bad_documents);
    RUN(test_limits);
    RUN(test_fuzz_truncations);
    return TEST_DONE();
}
