// Cross-check of ps_robot_from_urdf against a real peer: MuJoCo's own URDF
// importer (mj_loadXML, MuJoCo 2.2.2 as packaged by Debian 12). For each
// robot, body by body (matched by name: both name a body after the link
// whose frame it is): mass, centre of mass in the body frame, principal
// moments of inertia and the whole inertia tensor about the centre of mass;
// the body's world pose; each moving joint's parent and child bodies, type,
// world axis and anchor; the total mass.
//
// What MuJoCo is given. Its importer reads the robot's own URDF text, so the
// check covers pilotsim's URDF reader as well as its builder; the text is
// copied to the working directory with these changes only:
// - a <mujoco><compiler .../></mujoco> extension block: strippath="false"
//   (URDF default true: MuJoCo would drop the mesh directories),
//   discardvisual="true" (URDF default; visuals are often COLLADA, which 2.2.2
//   cannot read), fusestatic="true" (URDF default: bodies joined by fixed
//   joints are merged into their parent, as pilotsim does),
//   inertiafromgeom="false" (the URDF <inertial>s as written, never masses
//   made up from geoms), balanceinertia="false", boundmass/boundinertia 0
//   (no changes to the inertials);
// - mesh filenames (package://...) replaced by the absolute paths pilotsim's
//   resolver found: MuJoCo knows no package:// URIs;
// - a <collision> whose mesh MuJoCo 2.2.2 cannot read (anything but a binary
//   STL: it refuses ASCII STL, e.g. the humanoid's box.stl) is left out. With
//   inertiafromgeom="false" geoms do not affect anything compared here;
// - a floating base: MuJoCo 2.2.2 welds a URDF's root link to the world (no
//   free joint), and fusestatic then fuses it into MuJoCo's world body, losing
//   its mass properties. So the copy adds a massless link and a "floating"
//   joint (MuJoCo: a free joint) to the root link, and pilotsim builds the
//   original file with a floating base. Except when the root link is named
//   "world" (the ROS idiom for a fixed base, e.g. UR5): MuJoCo's importer
//   maps that link onto its world body, so pilotsim builds it with
//   fixed_base, and the bodies welded to the world (fused into MuJoCo's world
//   body, one static body in pilotsim) are left out of the comparison.
//
// The configuration compared is the zero one, except that a joint whose
// range excludes 0 sits at its nearest limit (pilotsim's
// ps_robot_set_positions clamps; MuJoCo is given the same qpos). pilotsim has
// no public getter for a joint's world axis, so it is measured: moving one
// joint by a small step with ps_robot_set_positions (the URDF forward
// kinematics) and reading the child link's displacement; ps_robot_positions
// (ODE's own hinge angle / slider position) must then read back the
// commanded values, which ties the ODE joint to the same axis and sign.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/robot.h"
#include "pilotsim/dynamics.h"

#include <mujoco/mujoco.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#define ROBOTS PILOTSIM_SOURCE_DIR "/assets/example-robot-data/robots/"

// Tolerances: masses relative; principal moments (and the tensor, relative to
// its largest moment) relative or absolute; lengths (m) and axis components
// absolute. The errors seen (printed per robot) are far below them except for
// the tensor: MuJoCo 2.2.2's principal axes (body_iquat, from its own
// eigen-decomposition, redone at every fusion) are off by up to 1.6e-6 rad, so
// the tensor rebuilt from them differs from the exact one by up to 1.3e-6 of
// the largest moment (Go2's base, five links fused), while the moments, second
// order in that angle, agree to 4e-10. An independent computation of the
// merged tensors (double precision, straight from the URDF) matches
// pilotsim's to 1e-16.
#define TOL_MASS_REL 1e-6
#define TOL_INERTIA_REL 1e-4
#define TOL_INERTIA_ABS 1e-9
#define TOL_COM 1e-9
#define TOL_LEN 1e-6
#define TOL_AXIS 1e-6

#define FLOAT_LINK "ps_xcheck_world"
#define FLOAT_JOINT "ps_xcheck_float"

static char err[PS_ERR_LEN];

// ---------------------------------------------------------------- text buffer

typedef struct sbuf {
    char *s;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *p, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_add(&b, chunk, n);
    fclose(f);
    if (b.oom || !b.s) {
        free(b.s);
        return NULL;
    }
    *len = b.n;
    return b.s;
}

// ----------------------------------------------------- the copy MuJoCo reads

// True when MuJoCo 2.2.2 can read the mesh: a binary STL (84-byte header and
// count, 50 bytes per triangle, 1..200000 triangles, as its reader demands).
static bool mujoco_reads_mesh(const char *path)
{
    size_t n = strlen(path);
    if (n < 4 || path[n - 4] != '.' || (path[n - 3] | 0x20) != 's' || (path[n - 2] | 0x20) != 't' ||
        (path[n - 1] | 0x20) != 'l')
        return false;
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    unsigned char h[84];
    bool ok = fread(h, 1, sizeof h, f) == sizeof h;
    long size = -1;
    if (ok && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    fclose(f);
    if (!ok || size < 0) return false;
    unsigned long tris = (unsigned long)h[80] | (unsigned long)h[81] << 8 | (unsigned long)h[82] << 16 |
                         (unsigned long)h[83] << 24;
    return tris >= 1 && tris <= 200000 && (unsigned long)size == 84 + 50 * tris;
}

// The resolved path of a mesh filename as written, or NULL when no shape of
// the model uses it (e.g. a <plugin filename="...so">).
static const char *mesh_path_of(const ps_urdf_model *m, const char *uri, size_t urilen)
{
    for (size_t l = 0; l < m->link_count; l++) {
        const ps_urdf_link *lk = &m->links[l];
        for (int pass = 0; pass < 2; pass++) {
            const ps_urdf_shape *s = pass ? lk->collisions : lk->visuals;
            size_t count = pass ? lk->collision_count : lk->visual_count;
            for (size_t i = 0; i < count; i++) {
                const ps_urdf_geometry *g = &s[i].geometry;
                if (g->type == PS_URDF_GEOM_MESH && g->mesh_uri && strlen(g->mesh_uri) == urilen &&
                    memcmp(g->mesh_uri, uri, urilen) == 0)
                    return g->mesh_path;
            }
        }
    }
    return NULL;
}

static bool starts(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

// p points at "<name": true when the tag is exactly `name` (followed by a
// space, '/' or '>').
static bool is_tag(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    if (!starts(p, end, name)) return false;
    if (p + n >= end) return false;
    char c = p[n];
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' || c == '>';
}

// End of the tag starting at p (one past its '>'), quotes respected; or end.
static const char *tag_end(const char *p, const char *end)
{
    char q = 0;
    for (; p < end; p++) {
        if (q) {
            if (*p == q) q = 0;
        } else if (*p == '"' || *p == '\'') {
            q = *p;
        } else if (*p == '>') {
            return p + 1;
        }
    }
    return end;
}

// Copies [p, end) replacing every filename="uri" whose uri is a mesh of the
// model with its resolved path. Returns false when a mesh is one MuJoCo
// cannot read (nothing is then guaranteed about what was copied).
static bool copy_filenames(sbuf *out, const ps_urdf_model *m, const char *p, const char *end)
{
    bool readable = true;
    const char *lit = "filename=";
    while (p < end) {
        const char *f = NULL;
        for (const char *s = p; s + 10 < end; s++)
            if (memcmp(s, lit, 9) == 0 && (s[9] == '"' || s[9] == '\'') &&
                (s == p || s[-1] == ' ' || s[-1] == '\t' || s[-1] == '\n' || s[-1] == '\r')) {
                f = s;
                break;
            }
        if (!f) break;
        const char *v = f + 10, *ve = memchr(v, f[9], (size_t)(end - v));
        if (!ve) break;
        const char *path = mesh_path_of(m, v, (size_t)(ve - v));
        sb_add(out, p, (size_t)(v - p));
        if (path) {
            sb_str(out, path);
            if (!mujoco_reads_mesh(path)) readable = false;
        } else {
            sb_add(out, v, (size_t)(ve - v));
        }
        p = ve;
    }
    sb_add(out, p, (size_t)(end - p));
    return readable;
}

// Writes the copy of the URDF text that MuJoCo reads (see the top comment) to
// `dst`. `floating` adds the massless link and the floating joint to the root.
// Returns the number of <collision> elements left out, or -1 on error.
static int write_mujoco_copy(const ps_urdf_model *m, const char *dst, bool floating)
{
    size_t len;
    char *t = slurp(m->path, &len);
    if (!t) {
        NOTE("cannot read %s", m->path);
        return -1;
    }
    const char *p = t, *end = t + len;
    sbuf out = {0};
    bool injected = false;
    int dropped = 0;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) {
            sb_add(&out, p, (size_t)(end - p));
            break;
        }
        sb_add(&out, p, (size_t)(lt - p));
        p = lt;
        const char *close = NULL, *stop = NULL;
        if (starts(p, end, "<!--")) close = "-->";
        else if (starts(p, end, "<![CDATA[")) close = "]]>";
        else if (starts(p, end, "<?")) close = "?>";
        if (close) { // copied verbatim
            stop = strstr(p, close);
            stop = stop ? stop + strlen(close) : end;
            sb_add(&out, p, (size_t)(stop - p));
            p = stop;
            continue;
        }
        if (!injected && is_tag(p + 1, end, "robot")) {
            stop = tag_end(p, end);
            sb_add(&out, p, (size_t)(stop - p));
            sb_str(&out, "\n  <mujoco><compiler strippath=\"false\" discardvisual=\"true\" fusestatic=\"true\""
                         " inertiafromgeom=\"false\" balanceinertia=\"false\" boundmass=\"0\""
                         " boundinertia=\"0\"/></mujoco>\n");
            if (floating) {
                sb_str(&out, "  <link name=\"" FLOAT_LINK "\"/>\n  <joint name=\"" FLOAT_JOINT
                             "\" type=\"floating\"><parent link=\"" FLOAT_LINK "\"/><child link=\"");
                sb_str(&out, m->links[m->root_link].name);
                sb_str(&out, "\"/></joint>\n");
            }
            injected = true;
            p = stop;
            continue;
        }
        if (is_tag(p + 1, end, "collision")) {
            stop = tag_end(p, end);
            if (stop[-2] != '/') { // not an empty element: through </collision>
                const char *c = strstr(stop, "</collision");
                stop = c ? tag_end(c, end) : end;
            }
            size_t mark = out.n;
            if (!copy_filenames(&out, m, p, stop)) {
                out.n = mark; // MuJoCo 2.2.2 cannot read its mesh: left out
                if (out.s) out.s[mark] = '\0';
                sb_str(&out, "<!-- collision left out: mesh not readable by MuJoCo 2.2.2 -->");
                dropped++;
            }
            p = stop;
            continue;
        }
        stop = tag_end(p, end);
        copy_filenames(&out, m, p, stop); // visuals: MuJoCo discards them
        p = stop;
    }
    free(t);
    int rc = dropped;
    FILE *f = out.oom || !injected ? NULL : fopen(dst, "wb");
    if (!f || fwrite(out.s, 1, out.n, f) != out.n) {
        NOTE("cannot write %s (robot element found: %d)", dst, injected);
        rc = -1;
    }
    if (f && fclose(f) != 0) rc = -1;
    free(out.s);
    return rc;
}

// ------------------------------------------------------------------- maths

// Eigenvalues of the symmetric 3x3 matrix a (row-major), by cyclic Jacobi
// rotations; ascending in ev.
static void sym3_eigenvalues(const double a_in[9], double ev[3])
{
    double a[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) a[i][j] = 0.5 * (a_in[3 * i + j] + a_in[3 * j + i]);
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = fabs(a[0][1]) + fabs(a[0][2]) + fabs(a[1][2]);
        double scale = fabs(a[0][0]) + fabs(a[1][1]) + fabs(a[2][2]);
        if (off == 0 || off <= 1e-300 + 1e-18 * scale) break;
        for (int p = 0; p < 2; p++)
            for (int q = p + 1; q < 3; q++) {
                if (a[p][q] == 0) continue;
                // Rotation zeroing a[p][q]: tan of the angle t from
                // theta = (a_qq - a_pp) / (2 a_pq), the smaller root.
                double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < 3; k++) { // columns p, q
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++) { // rows p, q
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                a[p][q] = a[q][p] = 0;
            }
    }
    for (int i = 0; i < 3; i++) ev[i] = a[i][i];
    for (int i = 0; i < 3; i++) // sort ascending
        for (int j = i + 1; j < 3; j++)
            if (ev[j] < ev[i]) {
                double x = ev[i];
                ev[i] = ev[j];
                ev[j] = x;
            }
}

// Rotation matrix (row-major) of unit quaternion (w, x, y, z).
static void quat_to_mat(const double q[4], double r[9])
{
    double w = q[0], x = q[1], y = q[2], z = q[3];
    r[0] = 1 - 2 * (y * y + z * z); r[1] = 2 * (x * y - w * z);     r[2] = 2 * (x * z + w * y);
    r[3] = 2 * (x * y + w * z);     r[4] = 1 - 2 * (x * x + z * z); r[5] = 2 * (y * z - w * x);
    r[6] = 2 * (x * z - w * y);     r[7] = 2 * (y * z + w * x);     r[8] = 1 - 2 * (x * x + y * y);
}

// a * conj(b): the rotation taking orientation b to orientation a (world frame).
static ps_quat quat_mul_conj(ps_quat a, ps_quat b)
{
    double bw = b.w, bx = -b.x, by = -b.y, bz = -b.z;
    return (ps_quat){a.w * bw - a.x * bx - a.y * by - a.z * bz, a.w * bx + a.x * bw + a.y * bz - a.z * by,
                     a.w * by - a.x * bz + a.y * bw + a.z * bx, a.w * bz + a.x * by - a.y * bx + a.z * bw};
}

static double rel_err(double a, double b)
{
    double s = fmax(fabs(a), fabs(b));
    return s > 0 ? fabs(a - b) / s : 0;
}

// ---------------------------------------------------------------- the check

typedef struct robot_case {
    const char *tag;   // short name (file stem of the MuJoCo copy)
    const char *file;  // URDF, under ROBOTS
    size_t bodies;     // moving bodies expected (the merge result), 0 = unchecked
    size_t joints;     // moving joints expected
} robot_case;

// Largest errors seen for one robot (reported on stdout).
typedef struct maxima {
    double mass_rel, com, moment_rel, tensor_rel, pose, axis, anchor, total_rel, ode_q;
} maxima;

// A body of the robot (pilotsim side), found by name among its links' bodies.
static ps_body_id robot_body(const ps_world *w, ps_robot_id r, const char *name)
{
    for (size_t i = 0; i < ps_robot_link_count(w, r); i++) {
        ps_body_id b = ps_robot_link_body(w, r, i);
        const char *bn = ps_body_name(w, b);
        if (bn && strcmp(bn, name) == 0) return b;
    }
    return PS_BODY_NONE;
}

// Name of the body that URDF link `link` belongs to, "world" for a static one.
static const char *link_body_name(const ps_world *w, ps_robot_id r, const char *link)
{
    int i = ps_robot_link_index(w, r, link);
    if (i < 0) return NULL;
    ps_body_id b = ps_robot_link_body(w, r, (size_t)i);
    if (ps_body_get_kind(w, b) == PS_BODY_STATIC) return "world";
    return ps_body_name(w, b);
}

// Number of distinct dynamic bodies among the robot's links.
static size_t dynamic_body_count(const ps_world *w, ps_robot_id r)
{
    size_t n = 0, links = ps_robot_link_count(w, r);
    for (size_t i = 0; i < links; i++) {
        ps_body_id b = ps_robot_link_body(w, r, i);
        if (ps_body_get_kind(w, b) != PS_BODY_DYNAMIC) continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            ps_body_id o = ps_robot_link_body(w, r, k);
            seen = o.index == b.index && o.gen == b.gen;
        }
        n += !seen;
    }
    return n;
}

static void compare_bodies(const mjModel *mm, const mjData *md, const ps_world *w, ps_robot_id r,
                           const char *tag, maxima *mx)
{
    size_t matched = 0;
    for (int b = 1; b < mm->nbody; b++) {
        const char *name = mj_id2name(mm, mjOBJ_BODY, b);
        if (!CHECK(name != NULL)) continue;
        if (strcmp(name, FLOAT_LINK) == 0 && mm->body_mass[b] == 0) continue; // not fused: a massless frame
        ps_body_id pb = robot_body(w, r, name);
        if (!CHECK(ps_body_is_set(pb))) {
            NOTE("%s: MuJoCo body '%s' has no pilotsim body", tag, name);
            continue;
        }
        matched++;
        double mass, I[6];
        ps_vec3 com;
        ps_body_get_mass(w, pb, &mass, &com, I);
        const double *ipos = mm->body_ipos + 3 * b, *imom = mm->body_inertia + 3 * b;

        // Mass.
        mx->mass_rel = fmax(mx->mass_rel, rel_err(mass, mm->body_mass[b]));
        if (!CHECK_REL(mass, mm->body_mass[b], TOL_MASS_REL)) NOTE("%s: body '%s' mass", tag, name);

        // Centre of mass in the body (link) frame.
        double dc = fmax(fmax(fabs(com.x - ipos[0]), fabs(com.y - ipos[1])), fabs(com.z - ipos[2]));
        mx->com = fmax(mx->com, dc);
        if (!CHECK(dc <= TOL_COM))
            NOTE("%s: body '%s' COM pilotsim (%.9g %.9g %.9g) MuJoCo (%.9g %.9g %.9g) m", tag, name, com.x,
                 com.y, com.z, ipos[0], ipos[1], ipos[2]);

        // Principal moments, sorted.
        double T[9] = {I[0], I[3], I[4], I[3], I[1], I[5], I[4], I[5], I[2]};
        double ev[3], mj[3] = {imom[0], imom[1], imom[2]};
        sym3_eigenvalues(T, ev);
        for (int i = 0; i < 3; i++)
            for (int j = i + 1; j < 3; j++)
                if (mj[j] < mj[i]) {
                    double x = mj[i];
                    mj[i] = mj[j];
                    mj[j] = x;
                }
        for (int i = 0; i < 3; i++) {
            double d = fabs(ev[i] - mj[i]);
            mx->moment_rel = fmax(mx->moment_rel, rel_err(ev[i], mj[i]));
            if (!CHECK(d <= TOL_INERTIA_REL * fabs(mj[i]) || d <= TOL_INERTIA_ABS))
                NOTE("%s: body '%s' principal moment %d: pilotsim %.9g MuJoCo %.9g kg m^2", tag, name, i, ev[i],
                     mj[i]);
        }

        // The whole tensor: MuJoCo's R(iquat) diag(inertia) R^T in body axes,
        // which also checks the principal axes (unique even when moments repeat).
        double R[9], M[9];
        quat_to_mat(mm->body_iquat + 4 * b, R);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                M[3 * i + j] = R[3 * i] * imom[0] * R[3 * j] + R[3 * i + 1] * imom[1] * R[3 * j + 1] +
                               R[3 * i + 2] * imom[2] * R[3 * j + 2];
        double scale = fmax(fmax(imom[0], imom[1]), imom[2]), worst = 0;
        for (int k = 0; k < 9; k++) worst = fmax(worst, fabs(T[k] - M[k]));
        mx->tensor_rel = fmax(mx->tensor_rel, scale > 0 ? worst / scale : worst);
        if (!CHECK(worst <= TOL_INERTIA_REL * scale || worst <= TOL_INERTIA_ABS))
            NOTE("%s: body '%s' inertia tensor differs by %.3g kg m^2 (largest moment %.6g)", tag, name, worst,
                 scale);

        // World pose of the body's frame.
        ps_pose pp;
        ps_body_get_pose(w, pb, &pp);
        double q[4] = {pp.q.w, pp.q.x, pp.q.y, pp.q.z}, Rp[9];
        quat_to_mat(q, Rp);
        double dp = fmax(fmax(fabs(pp.p.x - md->xpos[3 * b]), fabs(pp.p.y - md->xpos[3 * b + 1])),
                         fabs(pp.p.z - md->xpos[3 * b + 2]));
        for (int k = 0; k < 9; k++) dp = fmax(dp, fabs(Rp[k] - md->xmat[9 * b + k]));
        mx->pose = fmax(mx->pose, dp);
        if (!CHECK(dp <= TOL_LEN)) NOTE("%s: body '%s' world pose differs by %.3g", tag, name, dp);
    }
    CHECK_EQ(matched, dynamic_body_count(w, r));
}

// Measures moving joint i's world axis on the pilotsim side at configuration
// q (modified and restored): the child link's displacement when q[i] moves by
// a small step. Returns false when the joint cannot move.
static bool measure_axis(ps_world *w, ps_robot_id r, const ps_urdf_joint *uj, size_t i, double *q,
                         double lo, double hi, ps_vec3 *axis, maxima *mx)
{
    int child = ps_robot_link_index(w, r, uj->child);
    double q0 = q[i], step = fmin(0.1, 0.5 * (hi - lo));
    if (!(step > 0) || child < 0) return false;
    double q1 = q0 + step <= hi ? q0 + step : q0 - step;
    size_t nj = ps_robot_joint_count(w, r);
    double *back = malloc(nj * sizeof *back);
    if (!back) return false;
    ps_pose a, b;
    ps_robot_set_positions(w, r, q);
    ps_robot_link_pose(w, r, (size_t)child, &a);
    q[i] = q1;
    ps_robot_set_positions(w, r, q);
    ps_robot_link_pose(w, r, (size_t)child, &b);
    // ODE's own joint positions read back what was set (sign and axis agree).
    ps_robot_positions(w, r, back);
    for (size_t k = 0; k < nj; k++) {
        mx->ode_q = fmax(mx->ode_q, fabs(back[k] - q[k]));
        if (!CHECK_NEAR(back[k], q[k], 1e-9)) NOTE("joint %s (index %zu) after moving %s", ps_robot_joint_name(w, r, k), k, uj->name);
    }
    free(back);
    q[i] = q0;
    ps_robot_set_positions(w, r, q); // back to the compared configuration
    double d = q1 - q0;
    if (uj->type == PS_URDF_PRISMATIC) {
        *axis = (ps_vec3){(b.p.x - a.p.x) / d, (b.p.y - a.p.y) / d, (b.p.z - a.p.z) / d};
    } else {
        ps_quat rq = quat_mul_conj(b.q, a.q);
        double s = rq.w < 0 ? -1 : 1; // the short way round
        double k = s / sin(0.5 * d);
        *axis = (ps_vec3){rq.x * k, rq.y * k, rq.z * k};
    }
    return true;
}

static void compare_joints(const mjModel *mm, mjData *md, ps_world *w, ps_robot_id r, const ps_urdf_model *um,
                           const double *q, const char *tag, maxima *mx)
{
    size_t nj = ps_robot_joint_count(w, r);
    double *qq = malloc((nj ? nj : 1) * sizeof *qq);
    if (!CHECK(qq != NULL)) return;
    memcpy(qq, q, nj * sizeof *qq);
    size_t moving = 0;
    for (int j = 0; j < mm->njnt; j++) {
        const char *name = mj_id2name(mm, mjOBJ_JOINT, j);
        int type = mm->jnt_type[j];
        if (type == mjJNT_FREE && name && strcmp(name, FLOAT_JOINT) == 0) continue;
        moving++;
        if (!CHECK(name != NULL)) continue;
        int pi = ps_robot_joint_index(w, r, name), ui = ps_urdf_joint_find(um, name);
        if (!CHECK(pi >= 0 && ui >= 0)) {
            NOTE("%s: MuJoCo joint '%s' (type %d) is not a pilotsim joint", tag, name, type);
            continue;
        }
        const ps_urdf_joint *uj = &um->joints[ui];

        // Type.
        ps_joint_type pt = ps_joint_get_type(w, ps_robot_joint_id(w, r, (size_t)pi));
        if (!CHECK((type == mjJNT_HINGE && pt == PS_JOINT_HINGE) || (type == mjJNT_SLIDE && pt == PS_JOINT_SLIDER)))
            NOTE("%s: joint '%s': MuJoCo type %d, pilotsim type %d", tag, name, type, (int)pt);

        // Parent and child bodies.
        int cb = mm->jnt_bodyid[j], pb = mm->body_parentid[cb];
        const char *mchild = mj_id2name(mm, mjOBJ_BODY, cb), *mparent = mj_id2name(mm, mjOBJ_BODY, pb);
        const char *pchild = link_body_name(w, r, uj->child), *pparent = link_body_name(w, r, uj->parent);
        if (!CHECK(mchild && pchild && strcmp(mchild, pchild) == 0))
            NOTE("%s: joint '%s' child body: MuJoCo '%s', pilotsim '%s'", tag, name, mchild ? mchild : "?",
                 pchild ? pchild : "?");
        if (!CHECK(mparent && pparent && strcmp(mparent, pparent) == 0))
            NOTE("%s: joint '%s' parent body: MuJoCo '%s', pilotsim '%s'", tag, name, mparent ? mparent : "?",
                 pparent ? pparent : "?");

        // Anchor: the child link's origin in the world.
        ps_pose cp;
        int cl = ps_robot_link_index(w, r, uj->child);
        if (cl >= 0 && ps_robot_link_pose(w, r, (size_t)cl, &cp) == PS_OK) {
            const double *xa = md->xanchor + 3 * j;
            double da = fmax(fmax(fabs(cp.p.x - xa[0]), fabs(cp.p.y - xa[1])), fabs(cp.p.z - xa[2]));
            mx->anchor = fmax(mx->anchor, da);
            if (!CHECK(da <= TOL_LEN))
                NOTE("%s: joint '%s' anchor pilotsim (%.9g %.9g %.9g) MuJoCo (%.9g %.9g %.9g)", tag, name, cp.p.x,
                     cp.p.y, cp.p.z, xa[0], xa[1], xa[2]);
        }

        // World axis.
        double lo = -INFINITY, hi = INFINITY;
        ps_robot_joint_limits(w, r, (size_t)pi, &lo, &hi);
        ps_vec3 ax;
        if (!measure_axis(w, r, uj, (size_t)pi, qq, lo, hi, &ax, mx)) {
            NOTE("%s: joint '%s' cannot move (range [%g, %g]); axis not compared", tag, name, lo, hi);
            continue;
        }
        const double *xx = md->xaxis + 3 * j;
        double dx = fmax(fmax(fabs(ax.x - xx[0]), fabs(ax.y - xx[1])), fabs(ax.z - xx[2]));
        mx->axis = fmax(mx->axis, dx);
        if (!CHECK(dx <= TOL_AXIS))
            NOTE("%s: joint '%s' world axis pilotsim (%.9g %.9g %.9g) MuJoCo (%.9g %.9g %.9g)", tag, name, ax.x,
                 ax.y, ax.z, xx[0], xx[1], xx[2]);
    }
    CHECK_EQ(moving, nj);
    free(qq);
}

// Dynamics (dynamics.h) against MuJoCo at a configuration inside the
// limits, with joint velocities: the joint block of mj_fullM against
// ps_robot_mass_matrix, of qfrc_bias (mj_rne with zero acceleration) against
// ps_robot_bias_torques, and mj_jac at a point of every body against
// ps_robot_jacobian. For a floating base MuJoCo's free joint is held still
// (zero velocity and acceleration), which is what pilotsim's fixed-base
// quantities are; its joint block of M is the fixed-base matrix.
#define TOL_DYN_REL 1e-6
static void compare_dynamics(const mjModel *mm, mjData *md, ps_world *w, ps_robot_id r, const char *tag)
{
    size_t n = ps_robot_joint_count(w, r), nl = ps_robot_link_count(w, r);
    int nv = mm->nv;
    double *q = calloc(n, sizeof *q), *qd = calloc(n, sizeof *qd), *M = calloc(n * n, sizeof *M);
    double *bias = calloc(n, sizeof *bias), *J = calloc(6 * n, sizeof *J), *full = calloc((size_t)(nv * nv), sizeof *full);
    double *jp = calloc((size_t)(3 * nv), sizeof *jp), *jr = calloc((size_t)(3 * nv), sizeof *jr);
    int *dof = calloc(n, sizeof *dof);
    mju_zero(md->qvel, nv);
    for (size_t i = 0; i < n; i++) {
        double lo = -1, hi = 1;
        if (ps_robot_joint_limits(w, r, i, &lo, &hi) != PS_OK) lo = -1, hi = 1;
        lo = fmax(lo, -2.5), hi = fmin(hi, 2.5);
        q[i] = lo + (hi - lo) * (0.5 + 0.3 * sin(1.3 * (double)i + 0.4));
        qd[i] = 0.8 * cos(0.7 * (double)i);
        int j = mj_name2id(mm, mjOBJ_JOINT, ps_robot_joint_name(w, r, i));
        dof[i] = j >= 0 ? mm->jnt_dofadr[j] : -1;
        if (j >= 0) {
            md->qpos[mm->jnt_qposadr[j]] = q[i];
            md->qvel[dof[i]] = qd[i];
        }
    }
    mj_forward(mm, md);
    mj_fullM(mm, full, md->qM);
    CHECK_EQ(ps_robot_mass_matrix(w, r, q, M), PS_OK);
    CHECK_EQ(ps_robot_bias_torques(w, r, q, qd, bias), PS_OK);
    double em = 0, sm = 0, eb = 0, sb = 0, ej = 0;
    for (size_t a = 0; a < n; a++) {
        if (dof[a] < 0) continue;
        for (size_t b = 0; b < n; b++) {
            if (dof[b] < 0) continue;
            em = fmax(em, fabs(M[a * n + b] - full[dof[a] * nv + dof[b]]));
            sm = fmax(sm, fabs(full[dof[a] * nv + dof[b]]));
        }
        eb = fmax(eb, fabs(bias[a] - md->qfrc_bias[dof[a]]));
        sb = fmax(sb, fabs(md->qfrc_bias[dof[a]]));
    }
    // Jacobians at each body's centre of mass (MuJoCo's xipos).
    for (size_t l = 0; l < nl; l++) {
        int b = mj_name2id(mm, mjOBJ_BODY, ps_robot_link_name(w, r, l));
        if (b <= 0) continue;
        ps_body_id pb = ps_robot_link_body(w, r, l);
        ps_vec3 com;
        ps_body_get_mass(w, pb, NULL, &com, NULL);
        mj_jac(mm, md, jp, jr, md->xipos + 3 * b, b);
        CHECK_EQ(ps_robot_jacobian(w, r, q, l, com, J), PS_OK);
        for (size_t a = 0; a < n; a++) {
            if (dof[a] < 0) continue;
            for (int k = 0; k < 3; k++) {
                ej = fmax(ej, fabs(J[(size_t)k * n + a] - jp[k * nv + dof[a]]));
                ej = fmax(ej, fabs(J[(size_t)(3 + k) * n + a] - jr[k * nv + dof[a]]));
            }
        }
    }
    printf("%-16s dynamics vs MuJoCo: mass matrix %.2g (largest %.3g), bias torques %.2g (largest %.3g), Jacobians %.2g\n",
           tag, em, sm, eb, sb, ej);
    CHECK(em <= TOL_DYN_REL * fmax(1, sm));
    CHECK(eb <= TOL_DYN_REL * fmax(1, sb));
    CHECK(ej <= 1e-9);
    free(q); free(qd); free(M); free(bias); free(J); free(full); free(jp); free(jr); free(dof);
}

static void check_robot(const robot_case *c)
{
    char path[1024], copy[256];
    snprintf(path, sizeof path, "%s%s", ROBOTS, c->file);
    snprintf(copy, sizeof copy, "xcheck_%s.urdf", c->tag);

    ps_urdf_options o = ps_urdf_default_options();
    ps_urdf_options_add_package_path(&o, PILOTSIM_SOURCE_DIR "/assets");
    ps_urdf_model *um = ps_urdf_load(path, &o, err, sizeof err);
    ps_urdf_options_clear(&o);
    if (!CHECK(um != NULL)) {
        NOTE("%s: %s", c->tag, err);
        return;
    }
    bool fixed = strcmp(um->links[um->root_link].name, "world") == 0;

    // MuJoCo's side.
    int dropped = write_mujoco_copy(um, copy, !fixed);
    mjModel *mm = NULL;
    if (CHECK(dropped >= 0)) {
        err[0] = '\0';
        mm = mj_loadXML(copy, NULL, err, sizeof err);
        if (!CHECK(mm != NULL)) NOTE("%s: mj_loadXML(%s): %s", c->tag, copy, err);
        else if (err[0]) NOTE("%s: MuJoCo warning: %s", c->tag, err);
    }
    if (mm) remove(copy); // kept for a look when MuJoCo refused it

    // pilotsim's side.
    ps_world_def wd = ps_default_world_def();
    ps_world *w = ps_world_create(&wd, err, sizeof err);
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = fixed;
    ps_robot_id r = w ? ps_robot_from_urdf(w, um, &bo) : PS_ROBOT_NONE;
    if (!CHECK(w && ps_robot_valid(w, r))) NOTE("%s: %s", c->tag, w ? ps_world_last_error(w) : err);

    if (mm && w && ps_robot_valid(w, r)) {
        maxima mx = {0};
        size_t nj = ps_robot_joint_count(w, r);
        mjData *md = mj_makeData(mm);
        double *q = calloc(nj ? nj : 1, sizeof *q);
        if (CHECK(md && q)) {
            // The compared configuration: 0, or the nearest limit.
            for (size_t i = 0; i < nj; i++) {
                double lo = -INFINITY, hi = INFINITY;
                ps_robot_joint_limits(w, r, i, &lo, &hi);
                q[i] = fmin(fmax(0.0, lo), hi);
                int mj = mj_name2id(mm, mjOBJ_JOINT, ps_robot_joint_name(w, r, i));
                if (mj >= 0) md->qpos[mm->jnt_qposadr[mj]] = q[i];
            }
            CHECK_EQ(ps_robot_set_positions(w, r, q), PS_OK);
            mj_kinematics(mm, md);

            CHECK_EQ(dynamic_body_count(w, r), (size_t)mm->nbody - 1);
            if (c->bodies) CHECK_EQ(dynamic_body_count(w, r), c->bodies);
            CHECK_EQ(nj, c->joints);
            compare_bodies(mm, md, w, r, c->tag, &mx);
            compare_joints(mm, md, w, r, um, q, c->tag, &mx);
            compare_dynamics(mm, md, w, r, c->tag);

            double total = mj_getTotalmass(mm);
            mx.total_rel = rel_err(ps_robot_mass(w, r), total);
            if (!CHECK_REL(ps_robot_mass(w, r), total, TOL_MASS_REL)) NOTE("%s: total mass", c->tag);
            printf("%-16s %s base, %d bodies, %zu joints, %.6g kg, %d collision(s) left out for MuJoCo; max errors:"
                   " mass %.2g (rel), COM %.2g m, principal moments %.2g (rel), tensor %.2g (rel to largest"
                   " moment), body pose %.2g, joint axis %.2g, anchor %.2g m, ODE joint read-back %.2g, total mass"
                   " %.2g (rel)\n",
                   c->tag, fixed ? "fixed" : "floating", mm->nbody - 1, nj, total, dropped, mx.mass_rel, mx.com,
                   mx.moment_rel, mx.tensor_rel, mx.pose, mx.axis, mx.anchor, mx.ode_q, mx.total_rel);
        }
        free(q);
        mj_deleteData(md);
    }
    mj_deleteModel(mm);
    ps_world_destroy(w);
    ps_urdf_free(um);
}

static void test_go2(void)
{
    robot_case c = {"go2", "go2_description/urdf/go2.urdf", 13, 12};
    check_robot(&c);
}

static void test_ur5(void)
{
    robot_case c = {"ur5", "ur_description/urdf/ur5_robot.urdf", 6, 6};
    check_robot(&c);
}

static void test_solo12(void)
{
    robot_case c = {"solo12", "solo_description/robots/solo12.urdf", 13, 12};
    check_robot(&c);
}

static void test_double_pendulum(void)
{
    robot_case c = {"double_pendulum", "double_pendulum_description/urdf/double_pendulum_continuous.urdf", 3, 2};
    check_robot(&c);
}

static void test_simple_humanoid(void)
{
    robot_case c = {"simple_humanoid", "simple_humanoid_description/urdf/simple_humanoid.urdf", 30, 29};
    check_robot(&c);
}

// The eigen solver itself, on a tensor with known principal moments.
static void test_jacobi(void)
{
    double R[9], q[4] = {0.8, 0.2, -0.4, 0.4}, d[3] = {0.5, 2.0, 3.25}, A[9], ev[3];
    double n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (int i = 0; i < 4; i++) q[i] /= n;
    quat_to_mat(q, R);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            A[3 * i + j] = R[3 * i] * d[0] * R[3 * j] + R[3 * i + 1] * d[1] * R[3 * j + 1] + R[3 * i + 2] * d[2] * R[3 * j + 2];
    sym3_eigenvalues(A, ev);
    for (int i = 0; i < 3; i++) CHECK_NEAR(ev[i], d[i], 1e-14);
    double D[9] = {3, 0, 0, 0, 1, 0, 0, 0, 2}; // already diagonal
    sym3_eigenvalues(D, ev);
    CHECK(ev[0] == 1 && ev[1] == 2 && ev[2] == 3);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    printf("MuJoCo %d (header %d)\n", mj_version(), mjVERSION_HEADER);
    RUN(test_jacobi);
    RUN(test_go2);
    RUN(test_ur5);
    RUN(test_solo12);
    RUN(test_double_pendulum);
    RUN(test_simple_humanoid);
    return TEST_DONE();
}
